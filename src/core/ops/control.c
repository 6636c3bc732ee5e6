/* Control flow (If, Loop, Scan): bodies are shaped from the node's inputs, inferred with
 * gr_infer_subgraph, and costed as the branch taken (If) or body x iterations (Loop, Scan).
 * The node's cost includes its bodies' (parameters once, not per iteration); it is written
 * during shape inference too, so it exists even when some output dim stays unknown. */
#include <stdlib.h>
#include <string.h>

#include "ops_impl.h"

/* --- helpers ------------------------------------------------------------- */

static gr_graph *graph_attr(const gr_node *n, const char *name)
{
	const gr_attr *a = gr_attr_find(n, name);
	return a ? a->g : NULL;
}

/* Sum of the costs of g's nodes (valid after g was inferred). */
static void body_cost(const gr_graph *g, gr_cost *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t k = 0; g && k < g->n_nodes; k++)
		gr_cost_add(c, &g->nodes[k]->cost);
}

static int cost_larger(const gr_cost *a, const gr_cost *b)
{
	if (a->flops != b->flops)
		return a->flops > b->flops;
	return a->bytes_read + a->bytes_written > b->bytes_read + b->bytes_written;
}

/* Writes the cost of graph g's nodes, times over, into c (parameters counted once). */
static void cost_of_body(gr_cost *c, const gr_graph *g, double times)
{
	gr_cost body;

	body_cost(g, &body);
	c->flops = body.flops * times;
	c->macs = body.macs * times;
	c->bytes_read = body.bytes_read * times;
	c->bytes_written = body.bytes_written * times;
	c->params = body.params;
}

/* Scalar truth value of t: 1, 0, or -1 when unknown. */
static int truth_of(const gr_tensor *t)
{
	if (!t || !t->has_value || t->nval < 1)
		return -1;
	if (t->ival)
		return t->ival[0] != 0;
	if (t->fval)
		return t->fval[0] != 0;
	return -1;
}

/* dst gets src's dtype and shape, where dims that differ between a and b are unknown. */
static gr_status set_union(gr_infer *ctx, gr_tensor *dst, const gr_tensor *a, const gr_tensor *b)
{
	gr_dim d[GR_MAX_RANK];
	gr_dtype dt = a->dtype ? a->dtype : b->dtype;

	if (a->rank < 0 || b->rank < 0 || a->rank != b->rank)
		return gr_set_dims(ctx, dst, dt, -1, NULL);
	for (int i = 0; i < a->rank; i++) {
		const gr_dim *x = &a->dims[i], *y = &b->dims[i];
		int same = x->value >= 0 ? x->value == y->value
					 : y->value < 0 && x->sym && y->sym && strcmp(x->sym, y->sym) == 0;
		d[i] = *x;
		if (!same) {
			d[i].value = -1;
			d[i].sym = NULL;
		}
	}
	return gr_set_dims(ctx, dst, dt, a->rank, d);
}

/* Loop-carried shape: the initial shape merged with the body's output, where a dim known on
 * one side and unknown on the other takes the known value (state shapes rarely change; a
 * body output dim unknown from data-dependent values keeps the initial one), and dims
 * known on both sides but different become unknown. */
static gr_status set_merge(gr_infer *ctx, gr_tensor *dst, const gr_tensor *init,
			   const gr_tensor *out)
{
	gr_dim d[GR_MAX_RANK];
	gr_dtype dt = init->dtype ? init->dtype : out->dtype;

	if (out->rank < 0 && init->rank >= 0)
		return gr_set_dims(ctx, dst, dt, init->rank, init->dims);
	if (init->rank < 0 || init->rank != out->rank)
		return gr_set_dims(ctx, dst, dt, init->rank < 0 ? out->rank : -1,
				   init->rank < 0 ? out->dims : NULL);
	for (int i = 0; i < init->rank; i++) {
		const gr_dim *x = &init->dims[i], *y = &out->dims[i];
		if (x->value >= 0 && y->value >= 0 && x->value != y->value)
			d[i].value = -1, d[i].sym = NULL;
		else if (x->value >= 0 || (x->sym && y->value < 0))
			d[i] = *x;
		else
			d[i] = *y;
	}
	return gr_set_dims(ctx, dst, dt, init->rank, d);
}

/* dst takes src's shape and (small) values. */
static gr_status take_output(gr_infer *ctx, gr_tensor *dst, const gr_tensor *src)
{
	gr_status st;

	if (!dst)
		return GR_OK;
	if ((st = gr_copy_shape(ctx, dst, src, GR_DTYPE_UNDEFINED)))
		return st;
	if (src->has_value && src->nval <= GR_FOLD_MAX) {
		if (src->ival)
			st = gr_tensor_set_i64(dst->owner, dst, src->ival, src->nval);
		else if (src->fval)
			st = gr_tensor_set_f64(dst->owner, dst, src->fval, src->nval);
		if (st)
			return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
	}
	return GR_OK;
}

/* Shapes a body input from a tensor (no values: they change between iterations). */
static gr_status shape_body_input(gr_infer *ctx, gr_tensor *in, gr_dtype dtype, int rank,
				  const gr_dim *dims)
{
	in->has_value = 0;
	in->nval = 0;
	in->ival = NULL;
	in->fval = NULL;
	return gr_set_dims(ctx, in, dtype, rank, dims);
}

/* The core counts an initializer's parameters once (param_counted). A body inferred more
 * than once (Loop iterations, both If branches) would count weights from enclosing graphs
 * only the first time, so the flags are saved before the first run and restored before
 * each later one: every run then reports the same parameters. */
typedef struct pc_snap {
	gr_tensor **t;
	unsigned char *flag;
	size_t n, cap;
} pc_snap;

static int snap_collect(pc_snap *s, const gr_graph *g, int depth)
{
	for (size_t k = 0; g && k < g->n_nodes && depth < 32; k++) {
		const gr_node *nd = g->nodes[k];
		for (size_t i = 0; i < nd->n_in; i++) {
			gr_tensor *t = nd->in[i];
			if (!t || !t->is_initializer)
				continue;
			if (s->n == s->cap) {
				size_t nc = s->cap ? s->cap * 2 : 16;
				gr_tensor **nt = realloc(s->t, nc * sizeof(*nt));
				unsigned char *nf;
				if (!nt)
					return 0;
				s->t = nt;
				nf = realloc(s->flag, nc);
				if (!nf)
					return 0;
				s->flag = nf;
				s->cap = nc;
			}
			s->t[s->n] = t;
			s->flag[s->n++] = (unsigned char)t->param_counted;
		}
		for (size_t a = 0; a < nd->n_attr; a++) {
			if (nd->attrs[a].g && !snap_collect(s, nd->attrs[a].g, depth + 1))
				return 0;
			for (size_t j = 0; nd->attrs[a].graphs && j < nd->attrs[a].n; j++)
				if (!snap_collect(s, nd->attrs[a].graphs[j], depth + 1))
					return 0;
		}
	}
	return 1;
}

static void snap_restore(const pc_snap *s)
{
	for (size_t k = 0; k < s->n; k++)
		s->t[k]->param_counted = s->flag[k];
}

/* The flags s's tensors have now (malloc'd; NULL when out of memory). */
static unsigned char *snap_now(const pc_snap *s)
{
	unsigned char *f = malloc(s->n ? s->n : 1);
	for (size_t k = 0; f && k < s->n; k++)
		f[k] = (unsigned char)s->t[k]->param_counted;
	return f;
}

static void snap_release(pc_snap *s)
{
	free(s->t);
	free(s->flag);
	memset(s, 0, sizeof(*s));
}

/* --- If -------------------------------------------------------------------- */

/* Which branch is costed: 1 then, 0 else. Known condition: that branch; otherwise the
 * branch with more FLOPs (both were inferred). */
static int if_pick(const gr_node *n, const gr_graph *then_g, const gr_graph *else_g, int *known)
{
	int t = truth_of(gr_in(n, 0));
	gr_cost a, b;

	*known = t >= 0;
	if (t >= 0)
		return t;
	body_cost(then_g, &a);
	body_cost(else_g, &b);
	return !cost_larger(&b, &a);
}

gr_status op_if_shape(gr_infer *ctx, gr_node *n)
{
	gr_graph *then_g = graph_attr(n, "then_branch"), *else_g = graph_attr(n, "else_branch");
	gr_graph *g;
	gr_status st;
	gr_cost total;
	int t = truth_of(gr_in(n, 0)), known = t >= 0, pick = t;

	if (!gr_in(n, 0))
		return gr_node_error(ctx, n, "missing input 'cond'");
	if (!then_g || !else_g)
		return gr_node_error(ctx, n, "missing then_branch or else_branch");
	if (t >= 0) {
		g = t ? then_g : else_g;
		if ((st = gr_infer_subgraph(ctx, g, &total)))
			return st;
	} else {
		/* Both branches run from the same flags; the costed one's are kept, so an outer
		 * weight only the other branch reads is not left counted (weight_dtypes = params). */
		pc_snap snap = {0};
		unsigned char *after_then = NULL;
		if (!snap_collect(&snap, then_g, 0) || !snap_collect(&snap, else_g, 0)) {
			snap_release(&snap);
			return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
		}
		st = gr_infer_subgraph(ctx, then_g, &total);
		if (!st && !(after_then = snap_now(&snap)))
			st = gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
		snap_restore(&snap);
		if (!st)
			st = gr_infer_subgraph(ctx, else_g, &total);
		if (!st && (pick = if_pick(n, then_g, else_g, &known))) {
			if (snap.n) /* no flags (branches reading no weight): flag is NULL */
				memcpy(snap.flag, after_then, snap.n);
			snap_restore(&snap);
		}
		free(after_then);
		snap_release(&snap);
		if (st)
			return st;
	}
	g = pick ? then_g : else_g;
	if (!known)
		gr_node_set_note(ctx, n, "If: condition unknown, took the larger branch (%s)",
				 pick ? "then" : "else");
	if (g->n_outputs < n->n_out)
		return gr_node_error(ctx, n, "branch has %zu outputs, node has %zu", g->n_outputs,
				     (size_t)n->n_out);
	for (size_t o = 0; o < n->n_out; o++) {
		gr_tensor *dst = n->out[o];
		if (!dst)
			continue;
		if (known) {
			st = take_output(ctx, dst, g->outputs[o]);
		} else {
			/* Output shapes: the two branches' shapes, dims they disagree on unknown. */
			const gr_graph *other = pick ? else_g : then_g;
			st = o < other->n_outputs ? set_union(ctx, dst, g->outputs[o], other->outputs[o])
						  : gr_copy_shape(ctx, dst, g->outputs[o], GR_DTYPE_UNDEFINED);
		}
		if (st)
			return st;
	}
	cost_of_body(&n->cost, g, 1);
	return GR_OK;
}

const gr_graph *gr_if_costed_branch(const gr_node *n)
{
	gr_graph *then_g = graph_attr(n, "then_branch"), *else_g = graph_attr(n, "else_branch");
	int known;

	if (!then_g || !else_g)
		return NULL;
	return if_pick(n, then_g, else_g, &known) ? then_g : else_g;
}

void op_if_cost(const gr_node *n, gr_cost *c)
{
	gr_graph *then_g = graph_attr(n, "then_branch"), *else_g = graph_attr(n, "else_branch");
	int known;

	if (!then_g || !else_g)
		return;
	cost_of_body(c, if_pick(n, then_g, else_g, &known) ? then_g : else_g, 1);
}

/* --- Loop ------------------------------------------------------------------ */

/* 1 when the body's condition output is always true (passes cond_in through, is an
 * Identity of it, or is a known true value). */
static int body_cond_always_true(const gr_graph *body)
{
	const gr_tensor *co = body->n_outputs ? body->outputs[0] : NULL;
	const gr_tensor *ci = body->n_inputs > 1 ? body->inputs[1] : NULL;

	if (!co)
		return 0;
	if (truth_of(co) == 1)
		return 1;
	if (co == ci)
		return 1;
	return co->producer && co->producer->op == GR_OP_IDENTITY && co->producer->n_in > 0 &&
	       co->producer->in[0] == ci;
}

/* Iterations a Loop runs: -1 when unknown. *exact = 0 when the body may stop earlier than
 * the count returned (an upper bound). Counts over 2^31 (exported while-loops use INT64_MAX)
 * are treated as unknown. */
static int64_t loop_trip(const gr_node *n, const gr_graph *body, int *exact)
{
	const gr_tensor *m = gr_in(n, 0), *cond = gr_in(n, 1);
	int64_t trip = -1;

	*exact = 0;
	if (truth_of(cond) == 0) {
		*exact = 1;
		return 0;
	}
	if (m && m->has_value && m->nval >= 1) {
		if (m->ival)
			trip = m->ival[0];
		else if (m->fval && m->fval[0] >= 0 && m->fval[0] < 9e18)
			trip = (int64_t)m->fval[0];
		if (trip < 0)
			trip = 0;
	}
	if (trip < 0 || trip > ((int64_t)1 << 31))
		return -1;
	*exact = !cond || body_cond_always_true(body);
	return trip;
}

/* Copies src's shape and small values into dst (a body input). */
static gr_status copy_into(gr_infer *ctx, gr_tensor *dst, const gr_tensor *src)
{
	const int64_t *iv = src->ival;
	const double *fv = src->fval;
	int64_t nv = src->nval;
	int has = src->has_value && nv <= GR_FOLD_MAX;
	gr_status st;

	if ((st = shape_body_input(ctx, dst, src->dtype, src->rank, src->dims)))
		return st;
	if (has && ((iv && gr_tensor_set_i64(dst->owner, dst, iv, nv)) ||
		    (!iv && fv && gr_tensor_set_f64(dst->owner, dst, fv, nv))))
		return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
	return GR_OK;
}

/* Bodies are inferred once per iteration (iteration number and values known, so
 * data-dependent slices resolve) when the trip count is exact and this small. */
#define LOOP_UNROLL_NODES 4096

typedef struct iter_shape {
	gr_dtype dtype;
	int rank;
	gr_dim d[GR_MAX_RANK];
} iter_shape;

/* Runs the body `trip` times; final loop-carried values and per-iteration scan outputs
 * (dims that differ between iterations unknown) become the node's outputs. */
static gr_status loop_unroll(gr_infer *ctx, gr_node *n, gr_graph *body, size_t N, size_t K,
			     int64_t trip, const pc_snap *snap)
{
	iter_shape *ss = calloc(K ? K : 1, sizeof(*ss));
	gr_status st = GR_OK;
	gr_cost total;

	if (!ss)
		return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
	for (int64_t it = 0; it < trip && !st; it++) {
		int64_t one = 1;
		snap_restore(snap);
		if ((st = shape_body_input(ctx, body->inputs[0], GR_DTYPE_INT64, 0, NULL)) ||
		    (st = shape_body_input(ctx, body->inputs[1], GR_DTYPE_BOOL, 0, NULL)))
			break;
		if (gr_tensor_set_i64(body, body->inputs[0], &it, 1) ||
		    gr_tensor_set_i64(body, body->inputs[1], &one, 1)) {
			st = gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
			break;
		}
		for (size_t i = 0; i < N && !st; i++) {
			const gr_tensor *src = it == 0 ? n->in[2 + i] : body->outputs[1 + i];
			if (src)
				st = copy_into(ctx, body->inputs[2 + i], src);
		}
		if (st || (st = gr_infer_subgraph(ctx, body, &total)))
			break;
		for (size_t k = 0; k < K; k++) {
			const gr_tensor *so = body->outputs[1 + N + k];
			if (it == 0) {
				ss[k].dtype = so->dtype;
				ss[k].rank = so->rank;
				if (so->rank > 0)
					memcpy(ss[k].d, so->dims, (size_t)so->rank * sizeof(gr_dim));
				continue;
			}
			if (so->rank != ss[k].rank) {
				ss[k].rank = -1;
				continue;
			}
			for (int j = 0; j < so->rank; j++)
				if (so->dims[j].value != ss[k].d[j].value || so->dims[j].value < 0) {
					if (!(so->dims[j].value < 0 && ss[k].d[j].value < 0 && so->dims[j].sym &&
					      ss[k].d[j].sym && strcmp(so->dims[j].sym, ss[k].d[j].sym) == 0))
						ss[k].d[j].value = -1, ss[k].d[j].sym = NULL;
				}
		}
	}
	for (size_t i = 0; i < N && i < n->n_out && !st; i++)
		if (n->out[i])
			st = take_output(ctx, n->out[i], body->outputs[1 + i]);
	for (size_t k = 0; k < K && N + k < n->n_out && !st; k++) {
		gr_dim d[GR_MAX_RANK];
		if (!n->out[N + k])
			continue;
		if (ss[k].rank < 0 || ss[k].rank + 1 > GR_MAX_RANK) {
			st = gr_set_dims(ctx, n->out[N + k], ss[k].dtype, -1, NULL);
			continue;
		}
		d[0].value = trip;
		d[0].sym = NULL;
		if (ss[k].rank > 0)
			memcpy(d + 1, ss[k].d, (size_t)ss[k].rank * sizeof(gr_dim));
		st = gr_set_dims(ctx, n->out[N + k], ss[k].dtype, ss[k].rank + 1, d);
	}
	free(ss);
	return st;
}

static gr_status loop_infer(gr_infer *ctx, gr_node *n, gr_graph *body, size_t N, size_t K,
			    const pc_snap *snap);

gr_status op_loop_shape(gr_infer *ctx, gr_node *n)
{
	gr_graph *body = graph_attr(n, "body");
	size_t N = n->n_in > 2 ? n->n_in - 2 : 0, K;
	pc_snap snap = {0};
	gr_status st;

	if (!body)
		return gr_node_error(ctx, n, "missing attribute 'body'");
	if (body->n_inputs != N + 2)
		return gr_node_error(ctx, n, "body takes %zu inputs, expected %zu", body->n_inputs, N + 2);
	if (body->n_outputs < N + 1 || n->n_out > body->n_outputs - 1)
		return gr_node_error(ctx, n, "body has %zu outputs for %zu loop-carried values",
				     body->n_outputs, N);
	K = body->n_outputs - 1 - N;
	if (!snap_collect(&snap, body, 0)) {
		snap_release(&snap);
		return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
	}
	st = loop_infer(ctx, n, body, N, K, &snap);
	snap_release(&snap);
	return st;
}

static gr_status loop_infer(gr_infer *ctx, gr_node *n, gr_graph *body, size_t N, size_t K,
			    const pc_snap *snap)
{
	gr_status st;
	gr_cost total;
	int64_t trip;
	int exact, changed = 0;

	if ((st = shape_body_input(ctx, body->inputs[0], GR_DTYPE_INT64, 0, NULL)) ||
	    (st = shape_body_input(ctx, body->inputs[1], GR_DTYPE_BOOL, 0, NULL)))
		return st;
	for (size_t i = 0; i < N; i++) {
		const gr_tensor *v = n->in[2 + i];
		st = v ? shape_body_input(ctx, body->inputs[2 + i], v->dtype, v->rank, v->dims)
		       : shape_body_input(ctx, body->inputs[2 + i], body->inputs[2 + i]->dtype, -1, NULL);
		if (st)
			return st;
	}
	if ((st = gr_infer_subgraph(ctx, body, &total)))
		return st;
	/* Loop-carried values whose shape changes between iterations: infer once more with the
	 * shapes generalized (dims that differ unknown). */
	for (size_t i = 0; i < N; i++) {
		gr_tensor *bi = body->inputs[2 + i];
		const gr_tensor *bo = body->outputs[1 + i];
		gr_dim before[GR_MAX_RANK];
		int rank = bi->rank;
		if (rank > 0)
			memcpy(before, bi->dims, (size_t)rank * sizeof(gr_dim));
		if ((st = set_merge(ctx, bi, bi, bo)))
			return st;
		if (bi->rank != rank || (rank > 0 && memcmp(before, bi->dims, (size_t)rank * sizeof(gr_dim))))
			changed = 1;
	}
	if (changed) {
		snap_restore(snap);
		if ((st = gr_infer_subgraph(ctx, body, &total)))
			return st;
	}
	trip = loop_trip(n, body, &exact);
	if (exact && trip >= 1 && ctx->depth < 2 &&
	    (double)trip * (double)(body->n_nodes ? body->n_nodes : 1) <= LOOP_UNROLL_NODES) {
		if ((st = loop_unroll(ctx, n, body, N, K, trip, snap)))
			return st;
		cost_of_body(&n->cost, body, (double)trip);
		return GR_OK;
	}
	for (size_t i = 0; i < N && i < n->n_out; i++)
		if (n->out[i] && (st = set_merge(ctx, n->out[i], body->inputs[2 + i], body->outputs[1 + i])))
			return st;
	for (size_t k = 0; k < K && N + k < n->n_out; k++) {
		const gr_tensor *so = body->outputs[1 + N + k];
		gr_dim d[GR_MAX_RANK];
		if (!n->out[N + k])
			continue;
		if (so->rank < 0 || so->rank + 1 > GR_MAX_RANK) {
			st = gr_set_dims(ctx, n->out[N + k], so->dtype, -1, NULL);
		} else {
			d[0].value = trip >= 0 && exact ? trip : -1;
			d[0].sym = NULL;
			if (so->rank > 0)
				memcpy(d + 1, so->dims, (size_t)so->rank * sizeof(gr_dim));
			st = gr_set_dims(ctx, n->out[N + k], so->dtype, so->rank + 1, d);
		}
		if (st)
			return st;
	}
	if (trip < 0)
		gr_node_set_note(ctx, n, "Loop: trip count unknown, counted once");
	else if (!exact)
		gr_node_set_note(ctx, n, "Loop: may exit early; counted the full trip count %lld",
				 (long long)trip);
	else if (changed)
		gr_node_set_note(ctx, n, "Loop: loop-carried shapes change between iterations");
	cost_of_body(&n->cost, body, trip >= 0 ? (double)trip : 1.0);
	return GR_OK;
}

void op_loop_cost(const gr_node *n, gr_cost *c)
{
	gr_graph *body = graph_attr(n, "body");
	int64_t trip;
	int exact;

	if (!body)
		return;
	trip = loop_trip(n, body, &exact);
	cost_of_body(c, body, trip >= 0 ? (double)trip : 1.0);
}

/* --- Scan ------------------------------------------------------------------ */

/* Scan-9+: inputs = N states + M scan inputs; body sees the states and one slice of each
 * scan input (the scan axis removed); outputs = N final states + K scan outputs with the
 * sequence length inserted at their scan_output_axes. Scan-8 has a leading optional
 * sequence_lens input and a batch dim (axis 0) before the sequence axis (1). */
static gr_status scan_shape(gr_infer *ctx, gr_node *n, int64_t *seq_out, int64_t *batch_out)
{
	gr_graph *body = graph_attr(n, "body");
	int v8 = gr_node_opset(n) < 9;
	size_t first = v8 ? 1 : 0, nin = n->n_in > first ? n->n_in - first : 0;
	int64_t M = gr_attr_int(n, "num_scan_inputs", -1);
	size_t N, K;
	size_t nax, noax;
	const int64_t *in_axes = gr_attr_ints(n, "scan_input_axes", &nax);
	const int64_t *out_axes = gr_attr_ints(n, "scan_output_axes", &noax);
	gr_dim seq = {-1, NULL}, batch = {-1, NULL};
	gr_cost total;
	gr_status st;

	*seq_out = -1;
	*batch_out = 1;
	if (!body)
		return gr_node_error(ctx, n, "missing attribute 'body'");
	if (M < 1 || (size_t)M > nin)
		return gr_node_error(ctx, n, "num_scan_inputs %lld does not fit %zu inputs",
				     (long long)M, nin);
	N = nin - (size_t)M;
	if (body->n_inputs != nin)
		return gr_node_error(ctx, n, "body takes %zu inputs, expected %zu", body->n_inputs, nin);
	if (body->n_outputs < N || n->n_out > body->n_outputs)
		return gr_node_error(ctx, n, "body has %zu outputs for %zu states", body->n_outputs, N);
	K = body->n_outputs - N;
	if (in_axes && nax != (size_t)M)
		return gr_node_error(ctx, n, "scan_input_axes has %zu entries for %lld inputs", nax,
				     (long long)M);
	if (out_axes && noax != K)
		return gr_node_error(ctx, n, "scan_output_axes has %zu entries for %zu outputs", noax, K);
	for (size_t i = 0; i < nin; i++) {
		const gr_tensor *t = n->in[first + i];
		gr_tensor *bi = body->inputs[i];
		gr_dim d[GR_MAX_RANK];
		int r = 0, skip0 = -1, skip1 = -1;

		if (!t || t->rank < 0) {
			if ((st = shape_body_input(ctx, bi, t ? t->dtype : bi->dtype, -1, NULL)))
				return st;
			continue;
		}
		if (v8) {
			if (t->rank < (i < N ? 1 : 2))
				return gr_node_error(ctx, n, "input %zu lacks batch/sequence dims", i);
			skip0 = 0;
			if (batch.value < 0)
				batch = t->dims[0];
			if (i >= N) {
				skip1 = 1;
				if (seq.value < 0)
					seq = t->dims[1];
			}
		} else if (i >= N) {
			int a = gr_axis(ctx, n, in_axes ? in_axes[i - N] : 0, t->rank);
			if (a < 0)
				return GR_ERR_SHAPE;
			skip0 = a;
			if (seq.value < 0)
				seq = t->dims[a];
		}
		for (int k = 0; k < t->rank; k++)
			if (k != skip0 && k != skip1)
				d[r++] = t->dims[k];
		if ((st = shape_body_input(ctx, bi, t->dtype, r, d)))
			return st;
	}
	if ((st = gr_infer_subgraph(ctx, body, &total)))
		return st;
	for (size_t o = 0; o < n->n_out; o++) {
		const gr_tensor *bo = body->outputs[o];
		gr_tensor *dst = n->out[o];
		gr_dim d[GR_MAX_RANK];
		int r = 0;

		if (!dst)
			continue;
		if (bo->rank < 0 || bo->rank + 2 > GR_MAX_RANK) {
			if ((st = gr_set_dims(ctx, dst, bo->dtype, -1, NULL)))
				return st;
			continue;
		}
		if (v8) {
			d[r++] = batch;
			if (o >= N)
				d[r++] = seq;
			for (int k = 0; k < bo->rank; k++)
				d[r++] = bo->dims[k];
		} else if (o < N) {
			for (int k = 0; k < bo->rank; k++)
				d[r++] = bo->dims[k];
		} else {
			int a = gr_axis(ctx, n, out_axes ? out_axes[o - N] : 0, bo->rank + 1);
			if (a < 0)
				return GR_ERR_SHAPE;
			for (int k = 0, j = 0; k < bo->rank + 1; k++)
				d[r++] = k == a ? seq : bo->dims[j++];
		}
		if ((st = gr_set_dims(ctx, dst, bo->dtype, r, d)))
			return st;
	}
	*seq_out = seq.value;
	*batch_out = v8 ? batch.value : 1;
	return GR_OK;
}

/* Iterations: the sequence length (times the batch for Scan-8); -1 when unknown. */
static int64_t scan_iters(const gr_node *n)
{
	int v8 = gr_node_opset(n) < 9;
	size_t first = v8 ? 1 : 0;
	int64_t M = gr_attr_int(n, "num_scan_inputs", -1);
	size_t nax, N;
	const int64_t *in_axes = gr_attr_ints(n, "scan_input_axes", &nax);
	const gr_tensor *t;
	int64_t a;

	if (M < 1 || n->n_in < first + (size_t)M)
		return -1;
	N = n->n_in - first - (size_t)M;
	t = n->in[first + N];
	if (!t || t->rank < (v8 ? 2 : 1))
		return -1;
	if (v8)
		return gr_dims_numel(t->dims, 2); /* batch x sequence */
	a = in_axes && nax ? in_axes[0] : 0;
	if (a < 0)
		a += t->rank;
	if (a < 0 || a >= t->rank)
		return -1;
	return t->dims[a].value;
}

gr_status op_scan_shape(gr_infer *ctx, gr_node *n)
{
	gr_graph *body = graph_attr(n, "body");
	int64_t seq, batch, iters;
	gr_status st;

	if ((st = scan_shape(ctx, n, &seq, &batch)))
		return st;
	iters = scan_iters(n);
	if (iters < 0)
		gr_node_set_note(ctx, n, "Scan: sequence length unknown, counted once");
	cost_of_body(&n->cost, body, iters >= 0 ? (double)iters : 1.0);
	return GR_OK;
}

void op_scan_cost(const gr_node *n, gr_cost *c)
{
	gr_graph *body = graph_attr(n, "body");
	int64_t iters = scan_iters(n);

	if (!body)
		return;
	cost_of_body(c, body, iters >= 0 ? (double)iters : 1.0);
}
