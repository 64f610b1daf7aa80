/* node.c: small helpers shared by the node's modules. */
#include "node/node.h"

#include <time.h>

uint64_t
node_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
