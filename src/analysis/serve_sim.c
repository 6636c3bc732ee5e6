/* graphs serve --simulate: a discrete-event simulation of the dynamic batcher under Poisson
 * arrivals, driven by a small seeded xorshift64* generator so that a seed gives the same
 * figures everywhere (no libc rand, whose sequence differs between systems). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graphs/serve.h"

/* xorshift64* (Vigna 2016), seeded through splitmix64 so that seeds 0, 1, 2 differ well. */
typedef struct rng {
	uint64_t s;
} rng;

static void rng_seed(rng *r, uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	r->s = (z ^ (z >> 31)) | 1; /* never zero: xorshift would stay there */
}

static double rng_uniform(rng *r) /* in (0, 1) */
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return ((double)((r->s * 0x2545f4914f6cdd1dULL) >> 11) + 0.5) * 0x1.0p-53;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The q-quantile of sorted v (nearest rank). */
static double quantile(const double *v, size_t n, double q)
{
	size_t k = (size_t)ceil(q * (double)n);
	return v[k ? k - 1 : 0];
}

gr_status gr_serve_simulate(const gr_serve_params *p, uint64_t seed, size_t requests, gr_serve_result *out,
			    gr_error *err)
{
	rng r;
	double *lat = NULL, *q = NULL; /* q: arrival times waiting, a ring buffer */
	size_t qcap = 1024, qhead = 0, qlen = 0, warm, arrived = 0, measured = 0, batches = 0, full = 0, carry = 0;
	double t_arr, free_at = 0, busy = 0, t0 = 0, t_end = 0, served = 0, sum = 0;
	gr_status st;

	memset(out, 0, sizeof(*out));
	if ((st = gr_serve_check(p, err)))
		return st;
	if (requests < 1000 || requests > (size_t)1 << 30)
		return gr_error_set(err, GR_ERR_USAGE, "--requests must lie in [1000, 2^30], got %zu", requests);
	out->capacity_per_s = gr_serve_capacity(p);
	if (p->rate >= out->capacity_per_s)
		return gr_error_set(err, GR_ERR_LIMIT,
				    "rate %.6g req/s is at or above the server's capacity %.6g req/s (batches of "
				    "%d every %.6g ms): the queue grows without end", p->rate, out->capacity_per_s,
				    p->max_batch, p->service_s[p->max_batch - 1] * 1e3);
	warm = requests / 10;
	lat = malloc((requests - warm) * sizeof(*lat));
	q = malloc(qcap * sizeof(*q));
	if (!lat || !q) {
		st = gr_error_set(err, GR_ERR_NOMEM, "out of memory for %zu simulated requests", requests);
		goto done;
	}
	rng_seed(&r, seed);
	t_arr = -log(rng_uniform(&r)) / p->rate;
	while (measured < requests - warm) {
		double start, tb = INFINITY;
		if (qlen == 0 && arrived >= requests)
			break;
		if (qlen >= (size_t)p->max_batch)
			tb = q[(qhead + (size_t)p->max_batch - 1) % qcap];
		/* when the next batch would start if nobody else came: full batch, or the oldest's timeout */
		start = qlen ? fmax(free_at, fmin(tb, q[qhead] + p->timeout_s)) : INFINITY;
		if (arrived < requests && t_arr < start) {
			if (qlen == qcap) { /* grow the ring, unrolled into order */
				double *nq = malloc(2 * qcap * sizeof(*nq));
				if (!nq) {
					st = gr_error_set(err, GR_ERR_NOMEM, "out of memory for the queue");
					goto done;
				}
				for (size_t i = 0; i < qlen; i++)
					nq[i] = q[(qhead + i) % qcap];
				free(q);
				q = nq;
				qhead = 0;
				qcap *= 2;
			}
			q[(qhead + qlen++) % qcap] = t_arr;
			if (++arrived == warm + 1)
				t0 = t_arr; /* the measured window opens with the first measured arrival */
			t_arr += -log(rng_uniform(&r)) / p->rate;
			continue;
		}
		{
			size_t b = qlen < (size_t)p->max_batch ? qlen : (size_t)p->max_batch;
			double s = p->service_s[b - 1], done_at = start + s;
			/* arrival index of the batch's first request: arrived - qlen */
			size_t first = arrived - qlen;
			for (size_t i = 0; i < b; i++) {
				if (first + i >= warm && measured < requests - warm) {
					lat[measured++] = done_at - q[(qhead + i) % qcap];
					sum += done_at - q[(qhead + i) % qcap];
				}
			}
			if (start >= t0 && arrived > warm) {
				busy += s;
				batches++;
				served += (double)b;
				full += b == (size_t)p->max_batch;
				carry += qlen > b;
				t_end = done_at;
			}
			qhead = (qhead + b) % qcap;
			qlen -= b;
			free_at = done_at;
		}
	}
	qsort(lat, measured, sizeof(*lat), cmp_double);
	out->requests = measured;
	out->mean_s = sum / (double)measured;
	out->p50_s = quantile(lat, measured, 0.50);
	out->p99_s = quantile(lat, measured, 0.99);
	out->utilization = t_end > t0 ? busy / (t_end - t0) : 0;
	out->throughput_per_s = t_end > t0 ? served / (t_end - t0) : 0;
	out->mean_batch = batches ? served / (double)batches : 0;
	out->full_share = batches ? (double)full / (double)batches : 0;
	out->carry_share = batches ? (double)carry / (double)batches : 0;
	st = GR_OK;
done:
	free(lat);
	free(q);
	return st;
}
