/* graphs advise: ranking the estimated changes by gain and marking those that break the
 * latency or power budget (the estimates themselves are the caller's: src/cli/cmd_advise.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphs/advise.h"

const char *gr_advise_metric_name(gr_advise_metric m)
{
	switch (m) {
	case GR_ADVISE_LATENCY: return "latency";
	case GR_ADVISE_THROUGHPUT: return "throughput";
	case GR_ADVISE_ENERGY: return "energy";
	}
	return "?";
}

static double gain_of(const gr_advice *o, const gr_advice *base)
{
	switch (o->metric) {
	case GR_ADVISE_LATENCY:
		return o->latency_s > 0 ? base->latency_s / o->latency_s : 0;
	case GR_ADVISE_THROUGHPUT:
		return base->throughput_per_s > 0 ? o->throughput_per_s / base->throughput_per_s : 0;
	case GR_ADVISE_ENERGY:
		return o->energy_per_inf_j > 0 ? base->energy_per_inf_j / o->energy_per_inf_j : 0;
	}
	return 0;
}

static void mark(gr_advice *o, const gr_advise_budget *b)
{
	size_t len = 0;
	o->meets = 1;
	o->why[0] = 0;
	if (b->latency_s > 0 && o->latency_s > b->latency_s) {
		o->meets = 0;
		len += (size_t)snprintf(o->why + len, sizeof(o->why) - len, "latency %.3f ms > %.3f ms",
					o->latency_s * 1e3, b->latency_s * 1e3);
	}
	if (b->power_w > 0 && o->power_w > b->power_w && len < sizeof(o->why)) {
		o->meets = 0;
		snprintf(o->why + len, sizeof(o->why) - len, "%spower %.2f W > %.2f W", len ? ", " : "", o->power_w,
			 b->power_w);
	}
}

static int cmp_advice(const void *x, const void *y)
{
	const gr_advice *a = x, *b = y;
	int k;
	if (a->meets != b->meets)
		return b->meets - a->meets;
	if (a->gain != b->gain)
		return a->gain < b->gain ? 1 : -1;
	if ((k = strcmp(a->kind, b->kind)))
		return k;
	return strcmp(a->change, b->change);
}

size_t gr_advise_rank(gr_advice *opts, size_t n, gr_advice *base, const gr_advise_budget *b, double min_gain)
{
	size_t k = 0;
	base->gain = 1;
	mark(base, b);
	for (size_t i = 0; i < n; i++) {
		opts[i].gain = gain_of(&opts[i], base);
		mark(&opts[i], b);
		if (isfinite(opts[i].gain) && opts[i].gain >= min_gain)
			opts[k++] = opts[i];
	}
	qsort(opts, k, sizeof(*opts), cmp_advice);
	return k;
}
