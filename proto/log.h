/*
 * log.h: one place for every log line (after OpenSMTPD's log.c).
 *
 * log_warn() appends strerror(errno); log_warnx() does not. fatal()/fatalx() are for
 * broken invariants only, never for bad network input. Lines go to stderr with a
 * timestamp and the program name; log_debug() prints only when verbose.
 */
#ifndef YISHI_LOG_H
#define YISHI_LOG_H

#include <stdarg.h>

void log_init(const char *progname, int verbose);
void log_set_verbose(int verbose);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
