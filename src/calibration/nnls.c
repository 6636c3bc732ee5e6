/* Non-negative least squares (Lawson & Hanson, "Solving Least Squares Problems", 1974, ch. 23)
 * on the normal equations, with lower bounds by substitution, plus small statistics helpers.
 * Working on G = A'A keeps each fit cheap however many rows there are: the rows are folded
 * into G once, and every passive-set solve is a Cholesky of at most n x n. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calibration/calib_impl.h"

/* Solves S z = r for the k x k symmetric positive definite S (row-major, overwritten) by
 * Cholesky with a tiny ridge (collinear columns are common: per-op and per-kernel costs).
 * Returns 0, or -1 when S is not positive definite even with the ridge. */
static int chol_solve(double *S, double *r, size_t k)
{
	for (size_t i = 0; i < k; i++)
		S[i * k + i] += 1e-10;
	for (size_t j = 0; j < k; j++) {
		double d = S[j * k + j];
		for (size_t p = 0; p < j; p++)
			d -= S[j * k + p] * S[j * k + p];
		if (d <= 0)
			return -1;
		d = sqrt(d);
		S[j * k + j] = d;
		for (size_t i = j + 1; i < k; i++) {
			double s = S[i * k + j];
			for (size_t p = 0; p < j; p++)
				s -= S[i * k + p] * S[j * k + p];
			S[i * k + j] = s / d;
		}
	}
	for (size_t i = 0; i < k; i++) { /* L y = r */
		double s = r[i];
		for (size_t p = 0; p < i; p++)
			s -= S[i * k + p] * r[p];
		r[i] = s / S[i * k + i];
	}
	for (size_t ii = k; ii-- > 0;) { /* L' z = y */
		double s = r[ii];
		for (size_t p = ii + 1; p < k; p++)
			s -= S[p * k + ii] * r[p];
		r[ii] = s / S[ii * k + ii];
	}
	return 0;
}

int calib_nnls_gram(const double *G, const double *h, const double *lb, size_t n, double *x)
{
	double *d = calloc(n, sizeof(double)), *hs = calloc(n, sizeof(double)), *w = calloc(n, sizeof(double));
	double *z = calloc(n, sizeof(double)), *S = calloc(n * n, sizeof(double)), *r = calloc(n, sizeof(double));
	double *xs = calloc(n, sizeof(double));
	size_t *idx = calloc(n, sizeof(size_t));
	char *passive = calloc(n, 1);
	int rc = -1;

	if (!d || !hs || !w || !z || !S || !r || !xs || !idx || !passive)
		goto out;
	/* substitute x = lb + x', scale columns to unit diagonal */
	for (size_t j = 0; j < n; j++) {
		double s = h[j];
		for (size_t i = 0; i < n; i++)
			s -= G[j * n + i] * (lb ? lb[i] : 0);
		d[j] = G[j * n + j] > 0 ? sqrt(G[j * n + j]) : 0;
		hs[j] = d[j] > 0 ? s / d[j] : 0;
	}
#define GS(i, j) (G[(i) * n + (j)] / (d[i] * d[j]))
	for (size_t it = 0; it < 3 * n + 30; it++) {
		size_t best = n;
		double wmax = 0, hmax = 0;
		for (size_t j = 0; j < n; j++) {
			double s = hs[j];
			if (d[j] <= 0)
				continue;
			for (size_t i = 0; i < n; i++)
				if (d[i] > 0 && xs[i] != 0)
					s -= GS(j, i) * xs[i];
			w[j] = s;
			if (fabs(hs[j]) > hmax)
				hmax = fabs(hs[j]);
		}
		for (size_t j = 0; j < n; j++)
			if (d[j] > 0 && !passive[j] && w[j] > wmax) {
				wmax = w[j];
				best = j;
			}
		if (best == n || wmax <= 1e-12 * (hmax > 0 ? hmax : 1))
			break;
		passive[best] = 1;
		for (int inner = 0; inner < (int)(3 * n + 30); inner++) {
			size_t k = 0;
			int all_pos = 1;
			double alpha = 1;
			for (size_t j = 0; j < n; j++)
				if (passive[j])
					idx[k++] = j;
			for (size_t a = 0; a < k; a++) {
				r[a] = hs[idx[a]];
				for (size_t b = 0; b < k; b++)
					S[a * k + b] = GS(idx[a], idx[b]);
			}
			if (chol_solve(S, r, k)) {
				/* a column collinear with the passive set: leave it out for good */
				passive[best] = 0;
				d[best] = 0;
				xs[best] = 0;
				break;
			}
			memset(z, 0, n * sizeof(double));
			for (size_t a = 0; a < k; a++) {
				z[idx[a]] = r[a];
				if (r[a] <= 0)
					all_pos = 0;
			}
			if (all_pos) {
				memcpy(xs, z, n * sizeof(double));
				break;
			}
			for (size_t a = 0; a < k; a++) {
				size_t j = idx[a];
				if (z[j] <= 0 && xs[j] - z[j] > 0) {
					double t = xs[j] / (xs[j] - z[j]);
					if (t < alpha)
						alpha = t;
				}
			}
			for (size_t j = 0; j < n; j++) {
				xs[j] += alpha * (z[j] - xs[j]);
				if (passive[j] && xs[j] <= 1e-15) {
					xs[j] = 0;
					passive[j] = 0;
				}
			}
		}
	}
#undef GS
	for (size_t j = 0; j < n; j++)
		x[j] = (lb ? lb[j] : 0) + (d[j] > 0 && xs[j] > 0 ? xs[j] / d[j] : 0);
	rc = 0;
out:
	free(d);
	free(hs);
	free(w);
	free(z);
	free(S);
	free(r);
	free(xs);
	free(idx);
	free(passive);
	return rc;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void calib_quantiles(double *v, size_t n, double *median, double *p90)
{
	if (!n) {
		*median = *p90 = NAN;
		return;
	}
	qsort(v, n, sizeof(double), cmp_d);
	*median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
	{
		double pos = 0.9 * (double)(n - 1);
		size_t lo = (size_t)pos;
		double fr = pos - (double)lo;
		*p90 = lo + 1 < n ? v[lo] * (1 - fr) + v[lo + 1] * fr : v[lo];
	}
}
