/* graphs serve, the numerical answer: dynamic batching under Poisson arrivals through a Markov
 * chain embedded at batch completions and closed-form latency laws per state, integrated by
 * quadrature (docs/serve.md, "How the analytic answer is computed"). No random numbers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graphs/serve.h"

#define NBINS 16384   /* latency histogram */
#define QA 64         /* quadrature points over the oldest request's age */
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

typedef struct ctx {
	const gr_serve_params *p;
	int B, N;        /* max batch; queue lengths 0..N at a completion */
	double lam, T;
	const double *S;
} ctx;

/* One state (n waiting at a completion, the batch that ended had size bp): the law of the next
 * batch's size into pb[1..B] (each times wgt), and when H is given the latencies of its members
 * (each times wgt). Requests waiting at a completion arrived during the ended batch, at uniform
 * times (the assumption of docs/serve.md); n = 0 is the idle server, whose next batch opens with
 * the next arrival. */
static void state_eval(const ctx *c, int n, int bp, double wgt, double *pb, hist *H)
{
	int B = c->B;
	double Sp = c->S[bp - 1];

	if (n >= B) { /* the B oldest go at once; their ages are the top B order statistics of n */
		double S = c->S[B - 1], norm = 0, dens[QU];
		pb[B] += wgt;
		if (!H)
			return;
		for (int i = 0; i < QU; i++) {
			/* sum of the top-B order statistics' densities at u: n P(Bin(n-1, u) >= n-B) */
			double u = (i + 0.5) / QU, tail = 0, lu = log(u), l1u = log1p(-u);
			for (int j = n - B; j <= n - 1; j++)
				tail += exp(lgamma((double)n) - lgamma(j + 1.0) - lgamma((double)(n - j)) + j * lu +
					    (n - 1 - j) * l1u);
			dens[i] = n * tail;
			norm += dens[i];
		}
		for (int i = 0; i < QU; i++)
			hist_point(H, Sp * (i + 0.5) / QU + S, wgt * B * dens[i] / norm);
		return;
	}
	int ne = n ? n : 1; /* requests in the forming batch; an idle server waits for the first */
	int qa = n ? QA : 1;
	for (int ia = 0; ia < qa; ia++) {
		/* A: the oldest's age, the largest of n uniforms on [0, Sp] (inverse-CDF midpoints) */
		double A = n ? Sp * pow((ia + 0.5) / QA, 1.0 / n) : 0, wa = wgt / qa;
		double R = c->T > A ? c->T - A : 0, mu = c->lam * R, pfill = 1;
		int k = B - ne; /* arrivals that fill the batch */
		for (int m = 0; m < k; m++) {
			/* timeout: m arrivals in R, the batch of ne + m starts when the oldest's time is up */
			double pm = pois(mu, m), w = wa * pm;
			int b = ne + m;
			double S = c->S[b - 1];
			pfill -= pm;
			pb[b] += w;
			if (!H || w <= 0)
				continue;
			hist_point(H, A + R + S, w);
			hist_uniform(H, R + S, A + R + S, w * (ne - 1));
			hist_uniform(H, S, R + S, w * m);
		}
		if (pfill < 0)
			pfill = 0;
		if (k == 0) /* max_batch 1: the arrival starts at once */
			pfill = 1;
		pb[B] += wa * pfill;
		if (!H || pfill * wa <= 0)
			continue;
		if (k == 0) {
			hist_point(H, c->S[B - 1], wa);
			continue;
		}
		/* fill: the k-th arrival at time f (Erlang(k, lam), f < R); the k - 1 before it uniform on [0, f] */
		{
			double dens[QC], norm = 0, S = c->S[B - 1];
			for (int ic = 0; ic < QC; ic++)
				norm += dens[ic] = erlang_pdf(k, c->lam, R * (ic + 0.5) / QC);
			if (norm <= 0) { /* all the mass at the ends of [0, R]: put it at the middle */
				for (int ic = 0; ic < QC; ic++)
					dens[ic] = 1;
				norm = QC;
			}
			for (int ic = 0; ic < QC; ic++) {
				double f = R * (ic + 0.5) / QC, w = wa * pfill * dens[ic] / norm;
				hist_point(H, A + f + S, w);
				hist_uniform(H, f + S, A + f + S, w * (ne - 1));
				hist_uniform(H, S, f + S, w * (k - 1));
				hist_point(H, S, w);
			}
		}
	}
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

gr_status gr_serve_analytic(const gr_serve_params *p, gr_serve_result *out, gr_error *err)
{
	ctx c;
	gr_status st;
	int B = p->max_batch, N;
	size_t ns;
	double *pi = NULL, *nx = NULL, *pb = NULL, *pois_b = NULL, *left = NULL, *mass_b = NULL, muB;
	hist H = {0};

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
	muB = p->rate * p->service_s[B - 1];
	N = B + (int)ceil(4 * muB + 14 * sqrt(muB) + 40);
	if (N < 4 * B)
		N = 4 * B;
	if (N > 4096)
		N = 4096;
	c = (ctx){p, B, N, p->rate, p->timeout_s, p->service_s};
	ns = (size_t)(N + 1) * (size_t)B;
	pi = calloc(ns, sizeof(*pi));
	nx = calloc(ns, sizeof(*nx));
	pb = calloc((size_t)B * (size_t)B * (B + 1), sizeof(*pb)); /* per state n < B: law of the next size */
	pois_b = calloc((size_t)B * (N + 1), sizeof(*pois_b));
	left = calloc((size_t)N + 1, sizeof(*left));
	mass_b = calloc((size_t)B + 1, sizeof(*mass_b));
	H.m = calloc(NBINS, sizeof(double));
	H.d = calloc(NBINS, sizeof(double));
	if (!pi || !nx || !pb || !pois_b || !left || !mass_b || !H.m || !H.d) {
		st = gr_error_set(err, GR_ERR_NOMEM, "out of memory for the serving model");
		goto done;
	}
	for (int b = 1; b <= B; b++)
		for (int n = 0; n <= N; n++)
			pois_b[(size_t)(b - 1) * (N + 1) + n] = pois(p->rate * p->service_s[b - 1], n);
	for (int n = 0; n < B; n++)
		for (int bp = 1; bp <= B; bp++)
			state_eval(&c, n, bp, 1.0, pb + ((size_t)n * B + (bp - 1)) * (B + 1), NULL);
	/* power iteration from the idle server */
	pi[0] = 1;
	for (out->iterations = 1; out->iterations <= 20000; out->iterations++) {
		double diff = 0, lost = 0;
		memset(mass_b, 0, (B + 1) * sizeof(*mass_b));
		memset(left, 0, (N + 1) * sizeof(*left));
		for (int n = 0; n <= N; n++)
			for (int bp = 1; bp <= B; bp++) {
				double w = pi[(size_t)n * B + bp - 1];
				if (w == 0)
					continue;
				if (n >= B) {
					left[n - B] += w;
					continue;
				}
				const double *q = pb + ((size_t)n * B + (bp - 1)) * (B + 1);
				for (int b = 1; b <= B; b++)
					mass_b[b] += w * q[b];
			}
		memset(nx, 0, ns * sizeof(*nx));
		for (int b = 1; b <= B; b++) {
			const double *pw = pois_b + (size_t)(b - 1) * (N + 1);
			double tot = 0;
			for (int n = 0; n <= N; n++) {
				double v = mass_b[b] * pw[n];
				if (b == B)
					for (int L = 0; L <= n; L++)
						v += left[L] * pw[n - L];
				nx[(size_t)n * B + b - 1] = v;
				tot += v;
			}
			/* what would fall past N stays at N: counted as tail mass */
			double want = mass_b[b] + (b == B ? 0 : 0);
			if (b == B)
				for (int L = 0; L <= N; L++)
					want += left[L];
			if (want > tot) {
				nx[(size_t)N * B + b - 1] += want - tot;
				lost += want - tot;
			}
		}
		for (size_t i = 0; i < ns; i++)
			diff += fabs(nx[i] - pi[i]);
		double *t = pi;
		pi = nx;
		nx = t;
		out->tail_mass = lost;
		if (diff < 1e-13)
			break;
	}
	/* second pass: batch sizes and latencies, each state weighted by its share of completions */
	{
		double lmax = p->timeout_s + p->service_s[B - 1] * (3.0 + (double)N / B) + p->service_s[B - 1];
		double nb = 0, sb = 0, sS = 0, run = 0, *law = calloc((size_t)B + 1, sizeof(double));
		if (!law) {
			st = gr_error_set(err, GR_ERR_NOMEM, "out of memory for the serving model");
			goto done;
		}
		H.h = lmax / NBINS;
		for (int n = 0; n <= N; n++)
			for (int bp = 1; bp <= B; bp++) {
				double w = pi[(size_t)n * B + bp - 1];
				if (w < 1e-15)
					continue;
				state_eval(&c, n, bp, w, law, &H);
				if (n > B)
					out->carry_share += w;
			}
		for (int b = 1; b <= B; b++) {
			nb += law[b];
			sb += law[b] * b;
			sS += law[b] * p->service_s[b - 1];
		}
		out->mean_batch = sb / nb;
		out->full_share = law[B] / nb;
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
	free(pois_b);
	free(left);
	free(mass_b);
	free(H.m);
	free(H.d);
	return st;
}
