/* Activation memory plans (graphs/memplan.h): the estimator's live-tensor figure step by step,
 * and a runtime-style arena (greedy by size, best fit) over the kernel order. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/graph_impl.h"
#include "graphs/estimate.h"
#include "graphs/memplan.h"

/* Order of placement: largest first; ties by lifetime start, then position (deterministic). */
static const gr_arena_buf *sort_base;
static int by_size_desc(const void *a, const void *b)
{
	const gr_arena_buf *x = &sort_base[*(const size_t *)a], *y = &sort_base[*(const size_t *)b];
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

gr_status gr_arena_plan(gr_arena_buf *bufs, size_t n, int64_t *arena_bytes, gr_error *err)
{
	size_t *order = NULL, *placed = NULL, n_placed = 0;
	int64_t top = 0;

	*arena_bytes = 0;
	if (!n)
		return GR_OK;
	order = malloc(n * sizeof(*order));
	placed = malloc(n * sizeof(*placed)); /* placed buffers by offset, ascending */
	if (!order || !placed) {
		free(order);
		free(placed);
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory planning %zu buffers", n);
	}
	for (size_t i = 0; i < n; i++) {
		order[i] = i;
		if (bufs[i].bytes < 0 || bufs[i].first > bufs[i].last) {
			free(order);
			free(placed);
			return gr_error_set(err, GR_ERR_USAGE, "buffer %zu: negative size or empty lifetime", i);
		}
	}
	sort_base = bufs;
	qsort(order, n, sizeof(*order), by_size_desc);
	for (size_t r = 0; r < n; r++) {
		gr_arena_buf *b = &bufs[order[r]];
		int64_t prev_end = 0, best = -1, best_gap = INT64_MAX, end;
		size_t at;
		/* gaps between the buffers that share some step with b, lowest first */
		for (size_t q = 0; q < n_placed; q++) {
			const gr_arena_buf *o = &bufs[placed[q]];
			if (o->last < b->first || o->first > b->last)
				continue;
			if (o->offset - prev_end >= b->bytes && o->offset - prev_end < best_gap) {
				best_gap = o->offset - prev_end;
				best = prev_end;
			}
			if (o->offset + o->bytes > prev_end)
				prev_end = o->offset + o->bytes;
		}
		b->offset = best >= 0 ? best : prev_end;
		if (!gr_add_i64(b->offset, b->bytes, &end)) {
			free(order);
			free(placed);
			return gr_error_set(err, GR_ERR_LIMIT, "arena size overflows");
		}
		if (end > top)
			top = end;
		for (at = n_placed; at > 0 && bufs[placed[at - 1]].offset > b->offset; at--)
			placed[at] = placed[at - 1];
		placed[at] = order[r];
		n_placed++;
	}
	free(order);
	free(placed);
	*arena_bytes = top;
	return GR_OK;
}

/* A tensor the estimator counts: activations, not weights or constants folded at load time. */
static int counted(const gr_tensor *t)
{
	return t && !t->is_initializer && !(t->has_value && t->nval <= GR_FOLD_MAX && !t->is_input);
}

/* A tensor's bytes as the estimator counts them (gr_estimate_live_bytes_at): float ones at
 * out_bpe of their producer (of the graph inputs: out_bpe[n]) where given, else scaled. */
static double scaled_bytes(const gr_tensor *t, double scale_float, const double *out_bpe, size_t n)
{
	double b = gr_tensor_bytes(t);
	if (!gr_dtype_is_float(t->dtype))
		return b;
	if (out_bpe && gr_numel(t) > 0)
		return (double)gr_numel(t) * out_bpe[t->producer ? (size_t)t->producer->index : n];
	return b * scale_float;
}

/* A node that only relabels its input's memory (no kernel of its own). */
static int aliases_input(const gr_node *nd, const int32_t *kid)
{
	return kid[nd->index] < 0 && nd->n_in > 0 && nd->in[0] && gr_node_is_view(nd);
}

gr_status gr_memplan_build(const gr_graph *g, const gr_partition *p, int fused_memory,
			   double scale_float, gr_memplan *m, gr_error *err)
{
	return gr_memplan_build_at(g, p, fused_memory, scale_float, NULL, m, err);
}

gr_status gr_memplan_build_at(const gr_graph *g, const gr_partition *p, int fused_memory,
			      double scale_float, const double *out_bpe, gr_memplan *m, gr_error *err)
{
	size_t n = g->n_nodes, nk = gr_partition_count(p), nt = 0, nb = 0, cap = g->n_inputs;
	int32_t *kid = NULL, *step_of = NULL;
	double *live = NULL;
	const gr_tensor **tens = NULL;
	int32_t *root = NULL;      /* per tensor slot: the buffer it lives in, -1 when none */
	gr_arena_buf *bufs = NULL;
	unsigned char *inner = NULL; /* per buffer: produced and consumed within one kernel */
	int32_t *bkid = NULL;        /* per buffer: its producer's kernel */
	int32_t *pos = NULL;         /* node index -> position in the kernel order (the op's step) */
	int32_t *kid_at = NULL;      /* position -> kernel */
	double *used = NULL;         /* per position: the arena's high-water mark */
	size_t n_pos = 0;
	int64_t arena = 0;
	gr_status st = GR_OK;

	memset(m, 0, sizeof(*m));
	m->n_steps = nk;
	for (size_t i = 0; i < n; i++)
		cap += g->nodes[i]->n_out;
	kid = malloc((n + 1) * sizeof(*kid));
	step_of = malloc((n + 1) * sizeof(*step_of));
	live = malloc((n + 2) * sizeof(*live));
	tens = malloc((cap + 1) * sizeof(*tens));
	m->live_bytes = calloc(nk ? nk : 1, sizeof(double));
	m->arena_used = calloc(nk ? nk : 1, sizeof(double));
	if (!kid || !step_of || !live || !tens || !m->live_bytes || !m->arena_used) {
		st = gr_error_set(err, GR_ERR_NOMEM, "out of memory planning %zu nodes", n);
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		kid[i] = -1;
	pos = malloc((n + 1) * sizeof(*pos));
	kid_at = malloc((n + 1) * sizeof(*kid_at));
	used = calloc(n + 1, sizeof(*used));
	if (!pos || !kid_at || !used) {
		st = gr_error_set(err, GR_ERR_NOMEM, "out of memory planning %zu nodes", n);
		goto done;
	}
	for (size_t k = 0; k < nk; k++) {
		const gr_kernel *kr = gr_partition_kernel(p, k);
		for (size_t j = 0; j < kr->count && n_pos < n; j++) {
			size_t ix = (size_t)gr_partition_node(p, kr, j)->index;
			kid[ix] = (int32_t)k;
			pos[ix] = (int32_t)n_pos;
			kid_at[n_pos++] = (int32_t)k;
		}
	}
	/* nodes that run no kernel take the step of the next one that does */
	for (size_t i = n, next = n_pos ? n_pos - 1 : 0; i-- > 0;) {
		if (kid[i] >= 0)
			next = (size_t)pos[i];
		else
			pos[i] = (int32_t)next;
	}
	/* the estimator's figure: each node's step belongs to its kernel, or to the next kernel
	 * in node order for views and folded ops, which run none */
	gr_estimate_live_bytes_at(g, scale_float, out_bpe, live);
	for (size_t i = n, next = nk ? nk - 1 : 0; i-- > 0;) {
		if (kid[i] >= 0)
			next = (size_t)kid[i];
		step_of[i] = (int32_t)next;
	}
	m->peak_live_bytes = n ? 0 : live[0];
	for (size_t i = 0; i < n; i++) {
		if (live[i] > m->peak_live_bytes)
			m->peak_live_bytes = live[i];
		if (nk && live[i] > m->live_bytes[step_of[i]])
			m->live_bytes[step_of[i]] = live[i];
	}
	if (nk && live[n] > m->live_bytes[nk - 1])
		m->live_bytes[nk - 1] = live[n];
	if (live[n] > m->peak_live_bytes)
		m->peak_live_bytes = live[n];

	/* the arena: tensors in the order they appear (inputs, then each node's outputs) */
	for (size_t i = 0; i < g->n_inputs; i++)
		if (counted(g->inputs[i]))
			tens[nt++] = g->inputs[i];
	for (size_t i = 0; i < n; i++)
		for (size_t o = 0; o < g->nodes[i]->n_out; o++)
			if (counted(g->nodes[i]->out[o]))
				tens[nt++] = g->nodes[i]->out[o];
	root = malloc((nt + 1) * sizeof(*root));
	bufs = calloc(nt + 1, sizeof(*bufs));
	inner = calloc(nt + 1, 1);
	bkid = calloc(nt + 1, sizeof(*bkid));
	if (!root || !bufs || !inner || !bkid) {
		st = gr_error_set(err, GR_ERR_NOMEM, "out of memory planning %zu tensors", nt);
		goto done;
	}
	for (size_t i = 0; i < nt; i++) {
		const gr_tensor *t = tens[i];
		const gr_node *pr = t->producer;
		int32_t b = -1;
		root[i] = -1;
		if (!n_pos)
			continue;
		if (pr && aliases_input(pr, kid)) {
			/* a view shares its input's buffer, which lives as long as either */
			for (size_t q = i; q-- > 0;)
				if (tens[q] == pr->in[0]) {
					b = root[q];
					break;
				}
		}
		if (b < 0) {
			size_t first = pr ? (size_t)pos[pr->index] : 0;
			double sz = ceil(scaled_bytes(t, scale_float, out_bpe, n));
			if (sz > 9e18) {
				st = gr_error_set(err, GR_ERR_LIMIT, "tensor '%s' is too large to plan", t->name);
				goto done;
			}
			b = (int32_t)nb++;
			bufs[b].bytes = ((int64_t)sz + GR_ARENA_ALIGN - 1) / GR_ARENA_ALIGN * GR_ARENA_ALIGN;
			bufs[b].first = bufs[b].last = first;
			inner[b] = pr != NULL && !t->is_input && kid[pr->index] >= 0;
			bkid[b] = pr ? kid[pr->index] : -1;
		}
		root[i] = b;
		/* consumers that run no kernel (views, folded shape ops) read no data of their own */
		for (uint32_t c = 0; c < t->n_consumers; c++) {
			const gr_node *cn = t->consumers[c];
			if (kid[cn->index] < 0)
				continue;
			if ((size_t)pos[cn->index] > bufs[b].last)
				bufs[b].last = (size_t)pos[cn->index];
			if (kid[cn->index] != bkid[b])
				inner[b] = 0;
		}
		if (t->is_output || t->is_input) {
			bufs[b].last = n_pos - 1;
			inner[b] = 0;
		}
	}
	/* fused kernels keep their inner tensors in registers and caches */
	if (fused_memory) {
		size_t w = 0;
		for (size_t b = 0; b < nb; b++)
			if (!inner[b])
				bufs[w++] = bufs[b];
		nb = w;
	}
	for (size_t b = 0; b < nb; b++)
		m->no_reuse_bytes += (double)bufs[b].bytes;
	if ((st = gr_arena_plan(bufs, nb, &arena, err)))
		goto done;
	m->arena_bytes = (double)arena;
	m->n_buffers = nb;
	/* the high-water mark at each op, then the most over each kernel's ops */
	for (size_t b = 0; b < nb; b++)
		for (size_t s = bufs[b].first; s <= bufs[b].last && s < n_pos; s++)
			if ((double)(bufs[b].offset + bufs[b].bytes) > used[s])
				used[s] = (double)(bufs[b].offset + bufs[b].bytes);
	for (size_t s = 0; s < n_pos; s++)
		if (used[s] > m->arena_used[kid_at[s]])
			m->arena_used[kid_at[s]] = used[s];
done:
	free(kid);
	free(step_of);
	free(live);
	free(tens);
	free(root);
	free(bufs);
	free(inner);
	free(bkid);
	free(pos);
	free(kid_at);
	free(used);
	if (st)
		gr_memplan_release(m);
	return st;
}

void gr_memplan_release(gr_memplan *m)
{
	if (!m)
		return;
	free(m->live_bytes);
	free(m->arena_used);
	m->live_bytes = m->arena_used = NULL;
}
