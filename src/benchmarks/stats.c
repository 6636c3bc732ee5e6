/* Timing statistics: summary of repeated samples (pure) and the adaptive timing loop that
 * stops once the 95% confidence interval of the median is tight enough or the budget ends. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graphs/bench.h"

double gr_bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Percentile q in [0,1] of sorted data, linear interpolation between closest ranks. */
static double percentile(const double *s, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t i = (size_t)floor(pos);
	double f = pos - (double)i;
	if (i + 1 >= n)
		return s[n - 1];
	return s[i] + f * (s[i + 1] - s[i]);
}

gr_status gr_bench_stats_compute(const double *x, size_t n, gr_bench_stats *st, gr_error *err)
{
	double *s, sum = 0, ss = 0, mad, *dev;
	size_t j, k;

	if (!x || !st || n == 0)
		return gr_error_set(err, GR_ERR_USAGE, "no samples to summarize");
	s = malloc(2 * n * sizeof(*s));
	if (!s)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory for %zu samples", n);
	dev = s + n;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	for (size_t i = 0; i < n; i++)
		sum += s[i];
	st->n = (int)n;
	st->mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (s[i] - st->mean) * (s[i] - st->mean);
	st->std = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
	st->median = percentile(s, n, 0.5);
	st->p5 = percentile(s, n, 0.05);
	st->p95 = percentile(s, n, 0.95);
	st->min = s[0];
	st->max = s[n - 1];
	st->cv = st->mean != 0 ? st->std / st->mean : NAN;

	/* Distribution-free CI of the median (Conover): ranks n/2 -+ 1.96 sqrt(n)/2, 1-based. */
	{
		double h = 1.96 * sqrt((double)n) / 2.0;
		double lo = floor((double)n / 2.0 - h), hi = ceil(1.0 + (double)n / 2.0 + h);
		j = lo < 1 ? 1 : (size_t)lo;
		k = hi > (double)n ? n : (size_t)hi;
		st->ci_lo = s[j - 1];
		st->ci_hi = s[k - 1];
	}

	/* Outliers: further than 3 scaled MADs (1.4826 MAD estimates sigma for normal data). */
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(s[i] - st->median);
	qsort(dev, n, sizeof(*dev), cmp_double);
	mad = 1.4826 * percentile(dev, n, 0.5);
	st->outliers = 0;
	for (size_t i = 0; i < n; i++)
		if (mad > 0 ? fabs(s[i] - st->median) > 3.0 * mad : s[i] != st->median)
			st->outliers++;
	free(s);
	return GR_OK;
}

double gr_bench_stats_rel_ci(const gr_bench_stats *st)
{
	double a, b;
	if (!st || st->n == 0 || !(st->median > 0))
		return INFINITY;
	a = st->median - st->ci_lo;
	b = st->ci_hi - st->median;
	return (a > b ? a : b) / st->median;
}

void gr_bench_timing_default(gr_bench_timing *t, int quick)
{
	t->warmup = quick ? 2 : 5;
	t->min_samples = quick ? 5 : 10;
	t->max_samples = quick ? 1000 : 10000;
	t->rel_ci = 0.02;
	t->budget_s = quick ? 0.3 : 2.0;
	/* Short samples: a preemption then spoils one sample rather than most of them (a
	 * shared machine's scheduler slices are a few ms), while clock_gettime's ~20 ns stays
	 * under 0.05% of a sample. */
	t->min_sample_s = 1e-4;
}

gr_status gr_bench_time(gr_bench_fn fn, void *ctx, const gr_bench_timing *t, gr_bench_result *r,
			gr_error *err)
{
	double t0, t1, once = INFINITY, warm_start, start;
	size_t cap;
	int warm = 0;

	memset(r, 0, sizeof(*r));
	if (!fn || !t || t->max_samples < 1)
		return gr_error_set(err, GR_ERR_USAGE, "bad timing options");
	/* Warm-up: t->warmup calls (fewer for kernels slower than half the budget, at least one)
	 * and a tenth of the budget, so caches, page faults, thread pools and JIT'd kernels are
	 * settled. The fastest call sizes the groups. */
	warm_start = gr_bench_now();
	do {
		t0 = gr_bench_now();
		if (fn(ctx))
			return gr_error_set(err, GR_ERR_UNSUPPORTED, "kernel failed during warm-up");
		t1 = gr_bench_now();
		if (t1 - t0 < once)
			once = t1 - t0;
		warm++;
	} while ((warm < t->warmup && t1 - warm_start < 0.5 * t->budget_s) ||
		 (t1 - warm_start < 0.1 * t->budget_s && warm < 1000));
	r->inner = once > 0 ? (int)ceil(t->min_sample_s / once) : 1000;
	if (r->inner < 1)
		r->inner = 1;
	if (r->inner > 1000000)
		r->inner = 1000000;

	cap = (size_t)t->max_samples;
	r->samples = malloc(cap * sizeof(double));
	if (!r->samples)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory for samples");
	start = r->t_start = gr_bench_now();
	t0 = start;
	for (;;) {
		double elapsed;
		for (int i = 0; i < r->inner; i++)
			if (fn(ctx)) {
				free(r->samples);
				r->samples = NULL;
				return gr_error_set(err, GR_ERR_UNSUPPORTED, "kernel failed while timed");
			}
		t1 = gr_bench_now();
		r->samples[r->n_samples++] = (t1 - t0) / r->inner;
		r->calls += r->inner;
		t0 = t1;
		elapsed = t1 - start;
		if (r->n_samples >= cap)
			break;
		if ((int)r->n_samples >= t->min_samples &&
		    (r->n_samples < 100 || r->n_samples % 10 == 0)) {
			gr_bench_stats st;
			if (gr_bench_stats_compute(r->samples, r->n_samples, &st, NULL) == GR_OK &&
			    gr_bench_stats_rel_ci(&st) <= t->rel_ci) {
				r->converged = 1;
				break;
			}
			if (elapsed >= t->budget_s)
				break;
		}
		/* A kernel far slower than the budget: stop at 3 samples rather than overrun. */
		if (r->n_samples >= 3 && elapsed >= 4 * t->budget_s)
			break;
	}
	r->t_end = t1;
	if (gr_bench_stats_compute(r->samples, r->n_samples, &r->st, err) != GR_OK) {
		free(r->samples);
		r->samples = NULL;
		return err ? err->status : GR_ERR_USAGE;
	}
	return GR_OK;
}
