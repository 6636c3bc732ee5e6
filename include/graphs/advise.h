/* Recommendations (graphs advise, docs/advise.md): candidate changes to how a model runs, each
 * estimated by the caller on the changed configuration, ranked here by predicted gain, with the
 * latency and power budgets marking the ones that break them. */
#ifndef GRAPHS_ADVISE_H
#define GRAPHS_ADVISE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gr_advise_metric {
	GR_ADVISE_LATENCY = 0,   /* gain = baseline latency / option latency */
	GR_ADVISE_THROUGHPUT,    /* gain = option throughput / baseline throughput */
	GR_ADVISE_ENERGY         /* gain = baseline energy per inference / option's */
} gr_advise_metric;

/* "latency", "throughput", "energy". */
const char *gr_advise_metric_name(gr_advise_metric m);

typedef struct gr_advice {
	char kind[16];            /* precision, batch, runtime, mode, platform, hotspot */
	char change[200];         /* what to do, e.g. "int8 instead of fp16" */
	double latency_s;         /* one request (of the option's batch) */
	double throughput_per_s;  /* inferences per second, steady state */
	double energy_per_inf_j;  /* device energy per inference */
	double power_w;           /* average device power while it runs */
	gr_advise_metric metric;  /* what the change improves */
	double gain;              /* set by gr_advise_rank: > 1 is better */
	int meets;                /* set by gr_advise_rank: within every budget given */
	char why[128];            /* set by gr_advise_rank: the budgets broken */
} gr_advice;

typedef struct gr_advise_budget {
	double latency_s;         /* NAN or <= 0: none */
	double power_w;           /* NAN or <= 0: none */
} gr_advise_budget;

/* Fills gain, meets and why of each option against base and the budget (base's own meets and why
 * too), drops options whose gain is below min_gain, and sorts the rest: options within budget
 * first, each group by gain, highest first (ties: kind, then change, so the order is stable).
 * Returns the number kept (they come first in opts). */
size_t gr_advise_rank(gr_advice *opts, size_t n, gr_advice *base, const gr_advise_budget *b, double min_gain);

#ifdef __cplusplus
}
#endif
#endif
