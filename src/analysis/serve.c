/* graphs serve, the numerical answer: dynamic batching under Poisson arrivals through a Markov
 * chain embedded at batch completions (requests waiting, age of the oldest) and closed-form
 * latency laws per state, integrated by quadrature (docs/serve.md, "How the analytic answer is
 * computed"). No random numbers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graphs/serve.h"

#define NBINS 16384   /* latency histogram */
#ifndef GRID
#define GRID 128     /* bins of the oldest request's age */
#endif
#define QC 48         /* quadrature points over the time a batch fills */
#define QU 96         /* quadrature points over arrival positions of a full queue */

double gr_serve_capacity(const gr_serve_params *p)
{
	double best = 0;
	for (int b = 1; b <= p->max_batch; b++)
		if ((double)b / p->service_s[b - 1] > best)
			best = (double)b / p->service_s[b - 1];
	return best;
}

gr_status gr_serve_check(const gr_serve_params *p, gr_error *err)
{
	if (!(p->rate > 0) || !isfinite(p->rate))
		return gr_error_set(err, GR_ERR_USAGE, "--rate must be a positive number of requests per second");
	if (p->max_batch < 1 || p->max_batch > GR_SERVE_MAX_BATCH)
		return gr_error_set(err, GR_ERR_USAGE, "--max-batch must lie in [1, %d], got %d", GR_SERVE_MAX_BATCH,
				    p->max_batch);
	if (!(p->timeout_s >= 0) || !isfinite(p->timeout_s))
		return gr_error_set(err, GR_ERR_USAGE, "--timeout-ms must be a finite number >= 0");
	for (int b = 1; b <= p->max_batch; b++)
		if (!(p->service_s[b - 1] > 0) || !isfinite(p->service_s[b - 1]))
			return gr_error_set(err, GR_ERR_USAGE, "service time of batch %d is %g s: must be > 0", b,
					    p->service_s[b - 1]);
	return GR_OK;
}

static double pois(double mu, int k)
{
	if (mu <= 0)
		return k == 0;
	return exp(-mu + k * log(mu) - lgamma(k + 1.0));
}

/* Erlang(k, lam) density at t */
static double erlang_pdf(int k, double lam, double t)
{
	if (t <= 0)
		return 0;
	return exp(k * log(lam) + (k - 1) * log(t) - lam * t - lgamma((double)k));
}

/* Latency histogram: exact bin masses for point masses and uniform laws. */
typedef struct hist {
	double h, *m, *d; /* bin width, mass per bin, density steps for whole bins */
	double sum_w, sum_wx; /* members and latency sum (the mean, exactly) */
	double over;      /* mass beyond the last bin */
} hist;

static void hist_point(hist *H, double x, double w)
{
	long i = (long)(x / H->h);
	H->sum_w += w;
	H->sum_wx += w * x;
	if (i >= NBINS) {
		H->over += w;
		i = NBINS - 1;
	}
	H->m[i < 0 ? 0 : i] += w;
}

static void hist_uniform(hist *H, double lo, double hi, double w)
{
	long i0, i1;
	double d;
	if (w <= 0)
		return;
	if (hi - lo < 1e-12 * (1 + hi)) {
		hist_point(H, 0.5 * (lo + hi), w);
		return;
	}
	H->sum_w += w;
	H->sum_wx += w * 0.5 * (lo + hi);
	if (hi > NBINS * H->h) { /* the part beyond the histogram goes to its last bin */
		double cut = NBINS * H->h, wo = lo >= cut ? w : w * (hi - cut) / (hi - lo);
		H->over += wo;
		H->m[NBINS - 1] += wo;
		if (lo >= cut)
			return;
		w -= wo;
		hi = cut * (1 - 1e-15);
	}
	i0 = (long)(lo / H->h);
	i1 = (long)(hi / H->h);
	if (i1 >= NBINS)
		i1 = NBINS - 1;
	if (i0 == i1) {
		H->m[i0] += w;
		return;
	}
	d = w / (hi - lo);
	H->m[i0] += d * ((double)(i0 + 1) * H->h - lo);
	H->m[i1] += d * (hi - (double)i1 * H->h);
	if (i1 > i0 + 1) {
		H->d[i0 + 1] += d * H->h;
		H->d[i1] -= d * H->h;
	}
}

static double hist_quantile(const hist *H, double q)
{
	double total = 0, c = 0;
	for (long i = 0; i < NBINS; i++)
		total += H->m[i];
	for (long i = 0; i < NBINS; i++) {
		if (c + H->m[i] >= q * total && H->m[i] > 0)
			return H->h * ((double)i + (q * total - c) / H->m[i]);
		c += H->m[i];
	}
	return H->h * NBINS;
}

/* The chain's state at a batch completion: the number n of requests waiting and the age of the
 * oldest, on a grid of G bins of width h (the others are taken as uniform over that age: every
 * request that came after the oldest one still waits, FIFO). Index 0 is the idle server. */
typedef struct chain {
	int B, N, G;
	double lam, T, h;
	const double *S;
	float *beta;      /* n > B: law of the oldest carried request's age at its batch start */
	size_t *boff;     /* offset of (n, k) in beta */
} chain;

static size_t sidx(const chain *c, int n, int k)
{
	return 1 + (size_t)(n - 1) * (size_t)c->G + (size_t)k;
}

static double age_of(const chain *c, int k)
{
	return (k + 0.5) * c->h;
}

/* A forming batch: ne requests wait (ne < B), the oldest aged A, the others uniform on [0, A];
 * the batch starts when the oldest's timeout runs out or B have come. Adds the law of its size to
 * pb[1..B] and, with H, its members' latencies, each times wgt. */
static void form_eval(const chain *c, int ne, double A, double wgt, double *pb, hist *H)
{
	int B = c->B, k = B - ne; /* arrivals that fill the batch */
	double R = c->T > A ? c->T - A : 0, mu = c->lam * R, pfill = 1;

	for (int m = 0; m < k; m++) {
		/* timeout: m arrivals in R, the batch of ne + m starts when the oldest's time is up */
		double pm = pois(mu, m), w = wgt * pm, S = c->S[ne + m - 1];
		pfill -= pm;
		pb[ne + m] += w;
		if (!H || w <= 0)
			continue;
		hist_point(H, A + R + S, w);
		hist_uniform(H, R + S, A + R + S, w * (ne - 1));
		hist_uniform(H, S, R + S, w * m);
	}
	if (pfill < 0)
		pfill = 0;
	pb[B] += wgt * pfill;
	if (!H || pfill * wgt <= 0)
		return;
	/* fill: the k-th arrival at f (Erlang(k, lam), f < R); the k - 1 before it uniform on [0, f] */
	double dens[QC], norm = 0, S = c->S[B - 1];
	for (int ic = 0; ic < QC; ic++)
		norm += dens[ic] = erlang_pdf(k, c->lam, R * (ic + 0.5) / QC);
	if (norm <= 0) { /* the mass sits at an end of [0, R]: put it at the middle */
		for (int ic = 0; ic < QC; ic++)
			dens[ic] = 1;
		norm = QC;
	}
	for (int ic = 0; ic < QC; ic++) {
		double f = R * (ic + 0.5) / QC, w = wgt * pfill * dens[ic] / norm;
		hist_point(H, A + f + S, w);
		hist_uniform(H, f + S, A + f + S, w * (ne - 1));
		hist_uniform(H, S, f + S, w * (k - 1));
		hist_point(H, S, w);
	}
}

/* n >= B wait, the oldest aged A: the B oldest go at once. Their latencies into H. */
static void full_eval(const chain *c, int n, double A, double wgt, hist *H)
{
	int B = c->B, m = n - 1, top = B - 1;
	double S = c->S[B - 1], dens[QU], norm = 0;

	hist_point(H, A + S, wgt);
	if (top < 1)
		return;
	for (int i = 0; i < QU; i++) {
		/* the top `top` order statistics of m uniforms: their densities sum to
		 * m P(Bin(m - 1, u) >= m - top) at u */
		double u = (i + 0.5) / QU, tail = 0, lu = log(u), l1u = log1p(-u);
		for (int j = m - top; j <= m - 1; j++)
			tail += exp(lgamma((double)m) - lgamma(j + 1.0) - lgamma((double)(m - j)) + j * lu + (m - 1 - j) * l1u);
		norm += dens[i] = tail;
	}
	for (int i = 0; norm > 0 && i < QU; i++)
		hist_point(H, A * (i + 0.5) / QU + S, wgt * top * dens[i] / norm);
}

/* For n > B: after the B oldest leave, the oldest of the n - B left is the (n - B)-th smallest
 * of n - 1 uniforms on [0, A], A x Beta(n - B, B); its law over the bins 0..k of A = age_of(k),
 * by the density at each bin's middle (normalized). */
static int beta_build(chain *c)
{
	size_t total = 0;
	int B = c->B, N = c->N, G = c->G;
	if (N <= B)
		return 0;
	c->boff = malloc((size_t)(N - B) * (size_t)G * sizeof(*c->boff));
	if (!c->boff)
		return -1;
	for (int n = B + 1; n <= N; n++)
		for (int k = 0; k < G; k++) {
			c->boff[(size_t)(n - B - 1) * G + k] = total;
			total += (size_t)k + 1;
		}
	if (!(c->beta = malloc(total * sizeof(*c->beta))))
		return -1;
	for (int n = B + 1; n <= N; n++) {
		double a = n - B, b = B;
		for (int k = 0; k < G; k++) {
			float *bt = c->beta + c->boff[(size_t)(n - B - 1) * G + k];
			double A = age_of(c, k), sum = 0;
			for (int j = 0; j <= k; j++) {
				double lo = j * c->h, hi = fmin((j + 1) * c->h, A), x = 0.5 * (lo + hi) / A;
				double d = (hi - lo) / A * exp((a - 1) * log(x) + (b - 1) * log1p(-x));
				bt[j] = (float)d;
				sum += d;
			}
			for (int j = 0; j <= k; j++)
				bt[j] = sum > 0 ? (float)(bt[j] / sum) : (j == k);
		}
	}
	return 0;
}

/* max_batch 1 is the M/D/1 queue: its waiting time has a closed form (Erlang 1909, Crommelin
 * 1932), P(W <= t) = (1 - rho) sum_{k=0}^{floor(t/D)} (lam (kD - t))^k / k! e^{-lam (kD - t)}. */
static double md1_wait_cdf(double lam, double D, double t)
{
	double rho = lam * D, s = 0;
	for (int k = 0; k <= (int)floor(t / D); k++) {
		double x = lam * (k * D - t); /* <= 0: the terms alternate */
		s += (k ? pow(x, k) : 1.0) / exp(lgamma(k + 1.0)) * exp(-x);
	}
	return (1 - rho) * s;
}

static double md1_quantile(double lam, double D, double q)
{
	double lo = 0, hi = D;
	if (md1_wait_cdf(lam, D, 0) >= q)
		return D;
	while (md1_wait_cdf(lam, D, hi) < q && hi < 1e4 * D)
		hi *= 2;
	for (int i = 0; i < 100; i++) {
		double mid = 0.5 * (lo + hi);
		if (md1_wait_cdf(lam, D, mid) < q)
			lo = mid;
		else
			hi = mid;
	}
	return D + hi;
}

static void md1(const gr_serve_params *p, gr_serve_result *out)
{
	double D = p->service_s[0], rho = p->rate * D;
	out->mean_s = D + rho * D / (2 * (1 - rho));
	out->p50_s = md1_quantile(p->rate, D, 0.50);
	out->p99_s = md1_quantile(p->rate, D, 0.99);
	out->utilization = rho;
	out->mean_batch = 1;
	out->full_share = 1;
	out->throughput_per_s = p->rate;
	out->exact = 1;
}

/* One solution on a grid of G age bins over [0, amax) and queues up to N. With H NULL it only
 * sizes the next grid: *n_hi and *a_hi, the queue length and the oldest age that the stationary
 * law exceeds with probability below 1e-9. */
static gr_status solve(const gr_serve_params *p, int N, int G, double amax, int sizing, gr_serve_result *out,
		       int *n_hi, double *a_hi, gr_error *err)
{
	chain c = {0};
	gr_status st;
	int B = p->max_batch;
	size_t ns;
	double *pi = NULL, *nx = NULL, *pb = NULL, *pb_idle = NULL, *pois_b = NULL, *carried = NULL, *mass_b = NULL;
	double sB;
	hist H = {0};

	c = (chain){B, N, G, p->rate, p->timeout_s, amax / G, p->service_s, NULL, NULL};
	sB = p->service_s[B - 1] / c.h;
	ns = 1 + (size_t)N * (size_t)G;
	pi = calloc(ns, sizeof(*pi));
	nx = calloc(ns, sizeof(*nx));
	pb = calloc((size_t)(B > 1 ? B - 1 : 1) * G * (B + 1), sizeof(*pb)); /* n < B: law of the next size */
	pb_idle = calloc((size_t)B + 1, sizeof(*pb_idle));
	pois_b = calloc((size_t)B * (N + 1), sizeof(*pois_b));
	carried = calloc((size_t)(N + 1) * G, sizeof(*carried));
	mass_b = calloc((size_t)B + 1, sizeof(*mass_b));
	H.m = calloc(NBINS, sizeof(double));
	H.d = calloc(NBINS, sizeof(double));
	if (!pi || !nx || !pb || !pb_idle || !pois_b || !carried || !mass_b || !H.m || !H.d || beta_build(&c)) {
		st = gr_error_set(err, GR_ERR_NOMEM, "out of memory for the serving model");
		goto done;
	}
	for (int b = 1; b <= B; b++)
		for (int n = 0; n <= N; n++)
			pois_b[(size_t)(b - 1) * (N + 1) + n] = pois(p->rate * p->service_s[b - 1], n);
	form_eval(&c, 1, 0, 1.0, pb_idle, NULL); /* idle: the next arrival opens a batch */
	for (int n = 1; n < B; n++)
		for (int k = 0; k < G; k++)
			form_eval(&c, n, age_of(&c, k), 1.0, pb + ((size_t)(n - 1) * G + k) * (B + 1), NULL);
	/* power iteration from the idle server */
	pi[0] = 1;
	for (out->iterations = 1; out->iterations <= 4000; out->iterations++) {
		double diff = 0, lost = 0;
		memset(mass_b, 0, (B + 1) * sizeof(*mass_b));
		memset(carried, 0, (size_t)(N + 1) * G * sizeof(*carried));
		memset(nx, 0, ns * sizeof(*nx));
		for (int b = 1; b <= B; b++)
			mass_b[b] += pi[0] * pb_idle[b];
		for (int n = 1; n <= N; n++)
			for (int k = 0; k < G; k++) {
				double w = pi[sidx(&c, n, k)];
				if (w < 1e-16) /* below what moves a percentile */
					continue;
				if (n < B) {
					const double *q = pb + ((size_t)(n - 1) * G + k) * (B + 1);
					for (int b = n; b <= B; b++)
						mass_b[b] += w * q[b];
				} else if (n == B) {
					mass_b[B] += w;
				} else { /* B go; the oldest left behind is S(B) older when the batch ends */
					const float *bt = c.beta + c.boff[(size_t)(n - B - 1) * G + k];
					double *row = carried + (size_t)(n - B) * G;
					for (int j = 0; j <= k; j++) {
						/* the new age S(B) + x, x the middle of [j h, min((j + 1) h, A)], shared
						 * between the two bins whose centres hold it */
						double x = 0.5 * (j * c.h + fmin((j + 1) * c.h, age_of(&c, k)));
						double pos = fmax(0, x / c.h - 0.5 + sB), fr = pos - floor(pos);
						long lo = (long)floor(pos);
						if (lo >= G - 1) {
							row[G - 1] += w * bt[j];
							continue;
						}
						row[lo] += w * bt[j] * (1 - fr);
						row[lo + 1] += w * bt[j] * fr;
					}
				}
			}
		/* batches that took everyone: arrivals during the service, the oldest of them the first */
		for (int b = 1; b <= B; b++) {
			const double *pw = pois_b + (size_t)(b - 1) * (N + 1);
			double S = p->service_s[b - 1], got = 0;
			if (mass_b[b] == 0)
				continue;
			nx[0] += mass_b[b] * pw[0];
			got += pw[0];
			for (int n = 1; n <= N; n++) {
				double pm = mass_b[b] * pw[n];
				got += pw[n];
				if (pm < 1e-300)
					continue;
				/* the oldest's age: S x the largest of n uniforms, P(age < x) = (x / S)^n */
				for (int k = 0; k < G && k * c.h < S; k++) {
					double hi = fmin((k + 1) * c.h, S), fl = pow(k * c.h / S, n), fh = pow(hi / S, n);
					nx[sidx(&c, n, k)] += pm * (fh - fl);
				}
			}
			if (got < 1) { /* what falls past N stays at N */
				int k = (int)fmin(G - 1, S / c.h);
				nx[sidx(&c, N, k)] += mass_b[b] * (1 - got);
				lost += mass_b[b] * (1 - got);
			}
		}
		/* batches that left requests behind: those plus the arrivals during the service */
		{
			const double *pw = pois_b + (size_t)(B - 1) * (N + 1);
			int mhi = N; /* past it the Poisson terms are below 1e-20 */
			while (mhi > 0 && pw[mhi] < 1e-20 && mhi > p->rate * p->service_s[B - 1])
				mhi--;
			for (int L = 1; L <= N - B; L++)
				for (int k = 0; k < G; k++) {
					double w = carried[(size_t)L * G + k], got = 0;
					if (w < 1e-16)
						continue;
					for (int m = 0; L + m <= N && m <= mhi; m++) {
						nx[sidx(&c, L + m, k)] += w * pw[m];
						got += pw[m];
					}
					if (got < 1) {
						nx[sidx(&c, N, k)] += w * (1 - got);
						lost += w * (1 - got);
					}
				}
		}
		/* a lazy step, a tenth of the old distribution kept: the same stationary law, and no
		 * oscillation where the age grid makes the chain periodic */
		double tot = 0;
		for (size_t i = 0; i < ns; i++)
			tot += nx[i];
		/* the carried-age table is in floats: keep the total at exactly 1 */
		for (size_t i = 0; i < ns; i++) {
			nx[i] = 0.9 * nx[i] / tot + 0.1 * pi[i];
			diff += fabs(nx[i] - pi[i]);
		}
		double *t = pi;
		pi = nx;
		nx = t;
		out->tail_mass = lost;
		if (diff < 1e-10)
			break;
	}
	if (sizing) { /* where the law ends, for the final grid */
		double *tn = calloc((size_t)N + 2, sizeof(double)), *ta = calloc((size_t)G + 1, sizeof(double));
		if (!tn || !ta) {
			free(tn);
			free(ta);
			st = gr_error_set(err, GR_ERR_NOMEM, "out of memory for the serving model");
			goto done;
		}
		for (int n = 1; n <= N; n++)
			for (int k = 0; k < G; k++) {
				tn[n] += pi[sidx(&c, n, k)];
				ta[k] += pi[sidx(&c, n, k)];
			}
		*n_hi = N;
		for (double t = 0; *n_hi > 1 && t + tn[*n_hi] < 1e-9; (*n_hi)--)
			t += tn[*n_hi];
		*a_hi = amax;
		for (int k = G - 1; k >= 0; k--) {
			double t = 0;
			for (int j = k; j < G; j++)
				t += ta[j];
			if (t >= 1e-9) {
				*a_hi = (k + 1) * c.h;
				break;
			}
		}
		free(tn);
		free(ta);
		st = GR_OK;
		goto done;
	}
	/* second pass: batch sizes and latencies, each state weighted by its share of completions */
	{
		double lmax = amax + p->timeout_s + p->service_s[B - 1] * 1.05;
		double nb = 0, sb = 0, sS = 0, run = 0, *law = calloc((size_t)B + 1, sizeof(double));
		if (!law) {
			st = gr_error_set(err, GR_ERR_NOMEM, "out of memory for the serving model");
			goto done;
		}
		H.h = lmax / NBINS;
		if (pi[0] > 1e-15)
			form_eval(&c, 1, 0, pi[0], law, &H);
		for (int n = 1; n <= N; n++)
			for (int k = 0; k < G; k++) {
				double w = pi[sidx(&c, n, k)];
				if (w < 1e-15)
					continue;
				if (n < B) {
					form_eval(&c, n, age_of(&c, k), w, law, &H);
				} else {
					law[B] += w;
					full_eval(&c, n, age_of(&c, k), w, &H);
					if (n > B)
						out->carry_share += w;
				}
			}
		for (int b = 1; b <= B; b++) {
			nb += law[b];
			sb += law[b] * b;
			sS += law[b] * p->service_s[b - 1];
		}
		out->mean_batch = sb / nb;
		out->full_share = law[B] / nb;
		out->carry_share /= nb;
		out->utilization = p->rate * (sS / nb) / out->mean_batch;
		free(law);
		for (long i = 0; i < NBINS; i++) {
			run += H.d[i];
			H.m[i] += run;
		}
		out->mean_s = H.sum_wx / H.sum_w;
		out->p50_s = hist_quantile(&H, 0.50);
		out->p99_s = hist_quantile(&H, 0.99);
		out->tail_mass += H.over / H.sum_w;
		out->throughput_per_s = p->rate;
	}
	st = GR_OK;
done:
	free(pi);
	free(nx);
	free(pb);
	free(pb_idle);
	free(pois_b);
	free(carried);
	free(mass_b);
	free(c.beta);
	free(c.boff);
	free(H.m);
	free(H.d);
	return st;
}

gr_status gr_serve_analytic(const gr_serve_params *p, gr_serve_result *out, gr_error *err)
{
	gr_status st;
	int B = p->max_batch;

	memset(out, 0, sizeof(*out));
	if ((st = gr_serve_check(p, err)))
		return st;
	out->capacity_per_s = gr_serve_capacity(p);
	if (p->rate >= out->capacity_per_s)
		return gr_error_set(err, GR_ERR_LIMIT,
				    "rate %.6g req/s is at or above the server's capacity %.6g req/s: the queue grows "
				    "without end, no steady state", p->rate, out->capacity_per_s);
	if (B > GR_SERVE_ANALYTIC_MAX_BATCH)
		return gr_error_set(err, GR_ERR_UNSUPPORTED,
				    "the analytic answer handles --max-batch up to %d (got %d): use --simulate",
				    GR_SERVE_ANALYTIC_MAX_BATCH, B);
	if (B == 1 && p->rate * p->service_s[0] < 0.95) { /* past 0.95 the series loses its digits */
		md1(p, out);
		return GR_OK;
	}
	{
		/* a coarse solution on a generous grid finds where the law ends; the final one spends
		 * its bins there */
		double muB = p->rate * p->service_s[B - 1], amax, a_hi;
		int N = B + (int)ceil(4 * muB + 14 * sqrt(muB) + 40), n_hi, G;
		if (N < 4 * B)
			N = 4 * B;
		if (N > 2048)
			N = 2048;
		amax = p->timeout_s + p->service_s[B - 1] * ((double)N / B + 3);
		if ((st = solve(p, N, 32, amax, 1, out, &n_hi, &a_hi, err)))
			return st;
		N = n_hi + B + 4 < N ? n_hi + B + 4 : N;
		memset(out, 0, sizeof(*out));
		out->capacity_per_s = gr_serve_capacity(p);
		amax = fmin(amax, 1.25 * a_hi + p->service_s[B - 1]);
		/* the finest grid whose carried-age table stays small */
		for (G = GRID; G > 32 && (double)(N - B) * G * (G + 1) / 2 > 4e6; G /= 2)
			;
		return solve(p, N, G, amax, 0, out, NULL, NULL, err);
	}
}

