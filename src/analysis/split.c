/* graphs split: the exact search for the best cut points of a model across two devices, by
 * dynamic programming over the kernels' topological order (docs/split.md). Latency adds up
 * along the order, so one value per (kernel, device, cuts used) suffices; the pipelined period
 * is a maximum of three sums, so there each state keeps the Pareto front of (device 0, device 1,
 * link) times, which is exact. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graphs/split.h"

static gr_status check(const gr_split_problem *p, gr_error *err)
{
	if (p->n < 1)
		return gr_error_set(err, GR_ERR_USAGE, "split: the model has no kernels");
	if (p->max_cuts < 0 || p->max_cuts > GR_SPLIT_MAX_CUTS)
		return gr_error_set(err, GR_ERR_USAGE, "split: --max-cuts must lie in [0, %d], got %d",
				    GR_SPLIT_MAX_CUTS, p->max_cuts);
	/* the exact throughput search keeps Pareto fronts that grow about 3.5 times a cut */
	if (p->objective == GR_SPLIT_THROUGHPUT && p->max_cuts > GR_SPLIT_MAX_CUTS_THROUGHPUT)
		return gr_error_set(err, GR_ERR_USAGE, "split: --objective throughput takes at most %d cuts, got %d",
				    GR_SPLIT_MAX_CUTS_THROUGHPUT, p->max_cuts);
	for (int d = 0; d < 2; d++)
		for (size_t i = 0; i < p->n; i++)
			if (!(p->time_s[d][i] >= 0) || !isfinite(p->time_s[d][i]) ||
			    (i && (!(p->xfer_s[d][i] >= 0) || !isfinite(p->xfer_s[d][i]))))
				return gr_error_set(err, GR_ERR_USAGE, "split: kernel %zu has no finite time on device %d",
						    i, d);
	return GR_OK;
}

void gr_split_evaluate(const gr_split_problem *p, gr_split_plan *out)
{
	int d = out->start, k = 0;

	out->device_s[0] = out->device_s[1] = out->transfer_s = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (k < out->n_cuts && out->cuts[k] == i) {
			out->transfer_s += p->xfer_s[d][i];
			d = 1 - d;
			k++;
		}
		out->device_s[d] += p->time_s[d][i];
	}
	out->latency_s = out->device_s[0] + out->device_s[1] + out->transfer_s;
	out->period_s = fmax(fmax(out->device_s[0], out->device_s[1]), out->transfer_s);
	out->value = p->objective == GR_SPLIT_LATENCY ? out->latency_s : out->period_s;
}

/* Latency: f[d][c] after kernel i, the cheapest prefix ending on d with c cuts. */
static gr_status best_latency(const gr_split_problem *p, gr_split_plan *out, gr_error *err)
{
	int K = p->max_cuts;
	size_t n = p->n, w = (size_t)(K + 1);
	double *f = malloc(2 * w * sizeof(*f)), *g = malloc(2 * w * sizeof(*g));
	unsigned char *from = malloc(n * 2 * w); /* 1: came by a cut from the other device */
	int bd = -1, bc = -1;
	double best = INFINITY;

	if (!f || !g || !from) {
		free(f);
		free(g);
		free(from);
		return gr_error_set(err, GR_ERR_NOMEM, "split: out of memory");
	}
	for (size_t s = 0; s < 2 * w; s++)
		f[s] = INFINITY;
	f[0 * w + 0] = p->time_s[0][0];
	f[1 * w + 0] = p->time_s[1][0];
	memset(from, 0, n * 2 * w);
	for (size_t i = 1; i < n; i++) {
		for (int d = 0; d < 2; d++)
			for (int c = 0; c <= K; c++) {
				double stay = f[d * w + c], cut = c ? f[(1 - d) * w + c - 1] + p->xfer_s[1 - d][i] : INFINITY;
				/* ties stay: fewer cuts */
				from[(i * 2 + d) * w + c] = cut < stay;
				g[d * w + c] = (cut < stay ? cut : stay) + p->time_s[d][i];
			}
		double *t = f;
		f = g;
		g = t;
	}
	for (int c = 0; c <= K; c++)
		for (int d = 0; d < 2; d++)
			if (f[d * w + c] < best) {
				best = f[d * w + c];
				bd = d;
				bc = c;
			}
	memset(out, 0, sizeof(*out));
	out->n_cuts = bc;
	{
		int d = bd, c = bc;
		for (size_t i = n - 1; i > 0; i--)
			if (from[(i * 2 + (size_t)d) * w + (size_t)c]) {
				out->cuts[--c] = i;
				d = 1 - d;
			}
		out->start = d;
	}
	free(f);
	free(g);
	free(from);
	return GR_OK;
}

/* Throughput: Pareto fronts of (t0, t1, link) per (device, cuts). A cut record chain rebuilds
 * the plan. */
typedef struct tri {
	double v[3];
	int cut;          /* index into the cut pool of the latest cut, -1 before any */
} tri;
typedef struct cutrec {
	int parent;
	size_t pos;
} cutrec;
typedef struct front {
	tri *t;
	size_t n, cap;
} front;

static int front_push(front *F, tri x)
{
	if (F->n == F->cap) {
		size_t nc = F->cap ? 2 * F->cap : 16;
		tri *nt = realloc(F->t, nc * sizeof(*nt));
		if (!nt)
			return -1;
		F->t = nt;
		F->cap = nc;
	}
	F->t[F->n++] = x;
	return 0;
}

static int dominates(const tri *a, const tri *b)
{
	return a->v[0] <= b->v[0] && a->v[1] <= b->v[1] && a->v[2] <= b->v[2];
}

/* The least period a partial plan can still reach: its own sums, and half of what both devices
 * must still do at the least (each remaining kernel at its faster device). */
static double lower_bound(const tri *x, double rest)
{
	return fmax(fmax(x->v[0], x->v[1]), fmax(x->v[2], 0.5 * (x->v[0] + x->v[1] + rest)));
}

static double lb_rest; /* for cmp_lb: qsort has no context argument */
static int cmp_lb(const void *a, const void *b)
{
	double x = lower_bound(a, lb_rest), y = lower_bound(b, lb_rest);
	return (x > y) - (x < y);
}

/* Drops dominated points (of two equal points the first stays) and points that cannot beat the
 * bound ub: the devices still have rest (the least the remaining kernels can take) to share. */
static void front_prune(front *F, double ub, double rest)
{
	size_t k = 0;
	for (size_t i = 0; i < F->n; i++) {
		int drop = lower_bound(&F->t[i], rest) > ub * (1 + 1e-12);
		for (size_t j = 0; j < F->n && !drop; j++)
			if (j != i && dominates(&F->t[j], &F->t[i]) &&
			    (j < i || !dominates(&F->t[i], &F->t[j])))
				drop = 1;
		if (!drop)
			F->t[k++] = F->t[i];
	}
	F->n = k;
}

/* thin > 0: keep at most thin points a state (the most promising by lower bound), a fast
 * heuristic whose plan bounds the exact pass; thin 0: exact. ub_in: a known achievable period. */
static gr_status best_period(const gr_split_problem *p, gr_split_plan *out, size_t thin, double ub_in,
			     gr_error *err)
{
	int K = p->max_cuts, w = K + 1;
	size_t n = p->n, npool = 0, cap = 0;
	front *f = calloc(2 * (size_t)w, sizeof(*f)), *g = calloc(2 * (size_t)w, sizeof(*g));
	cutrec *pool = NULL;
	double *rest = NULL, ub = 0, s0 = 0, s1 = 0, best = INFINITY;
	int bd = 0, bc = 0, bcut = -1;
	gr_status st = GR_OK;

	if (!f || !g) {
		st = gr_error_set(err, GR_ERR_NOMEM, "split: out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		s0 += p->time_s[0][i];
		s1 += p->time_s[1][i];
	}
	ub = fmin(fmin(s0, s1), ub_in); /* all on one device is always possible */
	rest = calloc(n + 1, sizeof(*rest));
	if (!rest)
		goto nomem;
	for (size_t i = n; i-- > 0;)
		rest[i] = rest[i + 1] + fmin(p->time_s[0][i], p->time_s[1][i]);
	if (K >= 1) { /* a tighter bound from the one-cut plans, O(n) */
		double a0 = 0, a1 = 0;
		for (size_t i = 1; i < n; i++) {
			a0 += p->time_s[0][i - 1];
			a1 += p->time_s[1][i - 1];
			ub = fmin(ub, fmax(fmax(a0, s1 - a1), p->xfer_s[0][i]));
			ub = fmin(ub, fmax(fmax(a1, s0 - a0), p->xfer_s[1][i]));
		}
	}
	for (int d = 0; d < 2; d++) {
		tri x = {{0, 0, 0}, -1};
		x.v[d] = p->time_s[d][0];
		if (front_push(&f[d * w], x))
			goto nomem;
	}
	for (size_t i = 1; i < n; i++) {
		size_t total = 0;
		for (int s = 0; s < 2 * w; s++)
			g[s].n = 0;
		for (int d = 0; d < 2; d++)
			for (int c = 0; c <= K; c++) {
				front *F = &f[d * w + c];
				for (size_t j = 0; j < F->n; j++) {
					tri x = F->t[j];
					x.v[d] += p->time_s[d][i];
					if (front_push(&g[d * w + c], x))
						goto nomem;
					if (c == K)
						continue;
					x = F->t[j];
					x.v[2] += p->xfer_s[d][i];
					x.v[1 - d] += p->time_s[1 - d][i];
					if (npool == cap) {
						size_t nc = cap ? 2 * cap : 256;
						cutrec *np = realloc(pool, nc * sizeof(*np));
						if (!np)
							goto nomem;
						pool = np;
						cap = nc;
					}
					pool[npool] = (cutrec){x.cut, i};
					x.cut = (int)npool++;
					if (front_push(&g[(1 - d) * w + c + 1], x))
						goto nomem;
				}
			}
		for (int s = 0; s < 2 * w; s++) {
			front_prune(&g[s], ub, rest[i + 1]);
			if (thin && g[s].n > thin) {
				lb_rest = rest[i + 1];
				qsort(g[s].t, g[s].n, sizeof(tri), cmp_lb);
				g[s].n = thin;
			}
			total += g[s].n;
		}
		if (total > (size_t)1 << 24) {
			st = gr_error_set(err, GR_ERR_LIMIT, "split: the throughput search holds %zu partial plans at "
					  "kernel %zu; ask for fewer cuts (--max-cuts)", total, i);
			goto done;
		}
		front *t = f;
		f = g;
		g = t;
	}
	for (int c = 0; c <= K; c++)
		for (int d = 0; d < 2; d++)
			for (size_t j = 0; j < f[d * w + c].n; j++) {
				const tri *x = &f[d * w + c].t[j];
				double v = fmax(fmax(x->v[0], x->v[1]), x->v[2]);
				if (v < best) {
					best = v;
					bd = d;
					bc = c;
					bcut = x->cut;
				}
			}
	memset(out, 0, sizeof(*out));
	out->n_cuts = bc;
	for (int k = bc - 1, r = bcut; k >= 0; k--, r = pool[r].parent)
		out->cuts[k] = pool[r].pos;
	out->start = bc % 2 ? 1 - bd : bd;
	goto done;
nomem:
	st = gr_error_set(err, GR_ERR_NOMEM, "split: out of memory");
done:
	for (int s = 0; f && g && s < 2 * w; s++) {
		free(f[s].t);
		free(g[s].t);
	}
	free(f);
	free(g);
	free(pool);
	free(rest);
	return st;
}

gr_status gr_split_best(const gr_split_problem *p, gr_split_plan *out, gr_error *err)
{
	gr_status st = check(p, err);
	if (st)
		return st;
	if (p->objective == GR_SPLIT_LATENCY) {
		st = best_latency(p, out, err);
	} else {
		/* a thinned pass finds a good plan fast; its period bounds the exact pass, which then
		 * prunes most partial plans */
		gr_split_plan h;
		st = best_period(p, &h, 16, INFINITY, err);
		if (!st) {
			gr_split_evaluate(p, &h);
			st = best_period(p, out, 0, h.period_s, err);
		}
	}
	if (st)
		return st;
	gr_split_evaluate(p, out);
	return GR_OK;
}

gr_status gr_split_brute_force(const gr_split_problem *p, gr_split_plan *out, gr_error *err)
{
	gr_status st = check(p, err);
	gr_split_plan best = {0};

	if (st)
		return st;
	if (p->n > 20)
		return gr_error_set(err, GR_ERR_USAGE, "split: brute force takes at most 20 kernels, got %zu", p->n);
	best.value = INFINITY;
	for (unsigned long m = 0; m < 1UL << p->n; m++) {
		gr_split_plan x = {0};
		x.start = (int)(m & 1);
		for (size_t i = 1; i < p->n; i++)
			if (((m >> i) & 1) != ((m >> (i - 1)) & 1)) {
				if (x.n_cuts == p->max_cuts) {
					x.n_cuts = -1;
					break;
				}
				x.cuts[x.n_cuts++] = i;
			}
		if (x.n_cuts < 0)
			continue;
		gr_split_evaluate(p, &x);
		if (x.value < best.value)
			best = x;
	}
	*out = best;
	return GR_OK;
}
