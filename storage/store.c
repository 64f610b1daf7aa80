/* store.c: see store.h. */
