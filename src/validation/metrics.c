/* Error metrics of predicted vs measured values: MAPE, median/max absolute percentage error,
 * share within ±10%, bias, Pearson, Spearman (average ranks for ties) and RMSE.
 * Pure functions; definitions in docs/validate.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graphs/validate.h"

/* A prediction 10% off by decimal arithmetic (1.1 vs 1.0) computes as 10.000000000000009%. */
#define WITHIN10_LIMIT (10.0 + 1e-9)

double gr_val_pearson(const double *x, const double *y, size_t n)
{
	double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;

	if (!x || !y || n < 2)
		return NAN;
	for (size_t i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	for (size_t i = 0; i < n; i++) {
		double dx = x[i] - mx, dy = y[i] - my;
		sxx += dx * dx;
		syy += dy * dy;
		sxy += dx * dy;
	}
	if (!(sxx > 0) || !(syy > 0))
		return NAN;
	double r = sxy / sqrt(sxx * syy);
	/* rounding can push |r| a hair over 1 */
	return r > 1 ? 1 : r < -1 ? -1 : r;
}

typedef struct rank_item {
	double v;
	size_t i;
} rank_item;

static int cmp_rank_item(const void *a, const void *b)
{
	const rank_item *x = a, *y = b;
	if (x->v < y->v)
		return -1;
	if (x->v > y->v)
		return 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

gr_status gr_val_ranks(const double *x, size_t n, double *ranks)
{
	rank_item *it;

	if (n == 0)
		return GR_OK;
	if (!x || !ranks)
		return GR_ERR_USAGE;
	if (!(it = malloc(n * sizeof(*it))))
		return GR_ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		it[i] = (rank_item){x[i], i};
	qsort(it, n, sizeof(*it), cmp_rank_item);
	for (size_t a = 0; a < n;) {
		size_t b = a + 1;
		while (b < n && it[b].v == it[a].v)
			b++;
		/* positions a..b-1 hold ranks a+1..b: their mean is (a + 1 + b) / 2 */
		double r = ((double)a + 1 + (double)b) / 2;
		for (size_t k = a; k < b; k++)
			ranks[it[k].i] = r;
		a = b;
	}
	free(it);
	return GR_OK;
}

double gr_val_spearman(const double *x, const double *y, size_t n)
{
	double *rx, *ry, r = NAN;

	if (!x || !y || n < 2)
		return NAN;
	rx = malloc(n * sizeof(*rx));
	ry = malloc(n * sizeof(*ry));
	if (rx && ry && !gr_val_ranks(x, n, rx) && !gr_val_ranks(y, n, ry))
		r = gr_val_pearson(rx, ry, n);
	free(rx);
	free(ry);
	return r;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

gr_status gr_val_metrics_compute(const double *pred, const double *meas, size_t n,
				 gr_val_metrics *out, gr_error *err)
{
	double *p = NULL, *m = NULL, *ape = NULL;
	double sum_ape = 0, sum_pe = 0, sum_sq = 0, max_ape = 0;
	size_t k = 0, within = 0;

	if (!out || (n && (!pred || !meas)))
		return gr_error_set(err, GR_ERR_USAGE, "metrics: no data given");
	memset(out, 0, sizeof(*out));
	out->mape = out->median_ape = out->max_ape = out->within10 = out->bias = NAN;
	out->pearson = out->spearman = out->rmse_ms = NAN;
	if (n == 0)
		return GR_OK;
	p = malloc(n * sizeof(*p));
	m = malloc(n * sizeof(*m));
	ape = malloc(n * sizeof(*ape));
	if (!p || !m || !ape) {
		free(p);
		free(m);
		free(ape);
		return gr_error_set(err, GR_ERR_NOMEM, "metrics: out of memory for %zu pairs", n);
	}
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(pred[i]) || !isfinite(meas[i]) || !(meas[i] > 0)) {
			out->skipped++;
			continue;
		}
		double d = pred[i] - meas[i];
		p[k] = pred[i];
		m[k] = meas[i];
		ape[k] = fabs(d) / meas[i] * 100;
		sum_ape += ape[k];
		sum_pe += d / meas[i] * 100;
		sum_sq += d * d;
		if (ape[k] > max_ape)
			max_ape = ape[k];
		if (ape[k] <= WITHIN10_LIMIT)
			within++;
		k++;
	}
	out->n = k;
	if (k) {
		out->mape = sum_ape / (double)k;
		out->bias = sum_pe / (double)k;
		out->max_ape = max_ape;
		out->within10 = 100.0 * (double)within / (double)k;
		out->rmse_ms = sqrt(sum_sq / (double)k);
		qsort(ape, k, sizeof(*ape), cmp_double);
		out->median_ape = k % 2 ? ape[k / 2] : (ape[k / 2 - 1] + ape[k / 2]) / 2;
		out->pearson = gr_val_pearson(p, m, k);
		out->spearman = gr_val_spearman(p, m, k);
	}
	free(p);
	free(m);
	free(ape);
	return GR_OK;
}
