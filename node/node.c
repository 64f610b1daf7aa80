/* node.c: the node's default settings and small helpers shared by its modules. */
#include "node/node.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/case.h"

uint64_t
node_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void *
node_grow(void *arr, size_t n, size_t *cap, size_t size)
{
	size_t ncap;
	void *na;

	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 16;
	if ((na = reallocarray(arr, ncap, size)) == NULL)
		return NULL;
	*cap = ncap;
	return na;
}

void
node_conf_defaults(struct node_conf *conf)
{
	static const char *const depts[] = {
		"12345 政务服务便民热线", "住房和城乡建设局", "市场监督管理局", "人力资源和社会保障局",
	};
	size_t i;

	memset(conf, 0, sizeof *conf);
	conf->max_group = NODE_DEFAULT_MAX_GROUP;
	conf->rate_per_min = NODE_DEFAULT_RATE_PER_MIN;
	conf->rate_burst = NODE_DEFAULT_RATE_BURST;
	conf->group_rate_per_min = NODE_DEFAULT_GROUP_RATE_PER_MIN;
	conf->group_rate_burst = NODE_DEFAULT_GROUP_RATE_BURST;
	conf->max_sessions = NODE_DEFAULT_MAX_SESSIONS;
	conf->newcomer_slow = NODE_DEFAULT_NEWCOMER_SLOW;
	/* Claim deadlines, [kind][urgent]: an urgent fraud in minutes, for stop-payment. */
	conf->deadline_s[RK_FRAUD][0] = 3600;
	conf->deadline_s[RK_FRAUD][1] = 180;
	conf->deadline_s[RK_DISPUTE][0] = 86400;
	conf->deadline_s[RK_DISPUTE][1] = 3600;
	conf->deadline_s[RK_NONPOLICE][0] = 259200;
	conf->deadline_s[RK_NONPOLICE][1] = 86400;
	for (i = 0; i < sizeof depts / sizeof depts[0]; i++)
		snprintf(conf->depts[i], sizeof conf->depts[0], "%s", depts[i]);
	conf->ndepts = (int)i;
	snprintf(conf->parent, sizeof conf->parent, "bureau");
}
