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

/* Drops dominated points (of two equal points the first stays) and points that cannot beat the
 * bound ub: the devices still have rest (the least the remaining kernels can take) to share. */
static void front_prune(front *F, double ub, double rest)
{
	size_t k = 0;
	for (size_t i = 0; i < F->n; i++) {
		const double *v = F->t[i].v;
		int drop = fmax(fmax(v[0], v[1]), fmax(v[2], 0.5 * (v[0] + v[1] + rest))) > ub * (1 + 1e-12);
		for (size_t j = 0; j < F->n && !drop; j++)
			if (j != i && dominates(&F->t[j], &F->t[i]) &&
			    (j < i || !dominates(&F->t[i], &F->t[j])))
				drop = 1;
		if (!drop)
			F->t[k++] = F->t[i];
	}
	F->n = k;
}

static gr_status best_period(const gr_split_problem *p, gr_split_plan *out, gr_error *err)
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
	ub = fmin(s0, s1); /* all on one device is always possible */
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
		for (int s = 0; s < 2 * w; s++)
			front_prune(&g[s], ub, rest[i + 1]);
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
	st = p->objective == GR_SPLIT_LATENCY ? best_latency(p, out, err) : best_period(p, out, err);
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
