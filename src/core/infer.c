/* Shape inference and cost driver: walks nodes in topological order, calls each op's
 * shape and cost functions from the op table, counts parameters once per initializer,
 * and provides the helpers op implementations share. Built on the graph storage of
 * graph.c, which does not call back into it. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/arena_fast.h"
#include "core/graph_impl.h"
#include "graphs/transform.h"

/* --- small helpers for op files ------------------------------------------- */

gr_status gr_attr_ints_n(gr_infer *ctx, const gr_node *n, const char *name, int want,
			 int64_t dflt, int64_t *out)
{
	size_t cnt = 0;
	const int64_t *v = gr_attr_ints(n, name, &cnt);

	if (!v || cnt == 0) {
		for (int i = 0; i < want; i++)
			out[i] = dflt;
		return GR_OK;
	}
	if (cnt != (size_t)want)
		return gr_node_error(ctx, n, "attribute '%s' has %zu values, expected %d", name, cnt,
				     want);
	memcpy(out, v, (size_t)want * sizeof(int64_t));
	return GR_OK;
}

gr_status gr_node_error(gr_infer *ctx, const gr_node *n, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gr_error_set(ctx ? ctx->err : NULL, GR_ERR_SHAPE, "node '%s' (%s): %s",
			    n->name, n->op_type, msg);
}

/* "node 'g' (Gather): tensor 'data' of shape 3x0x...: its dims multiply past int64" */
static gr_status overflow_error(gr_infer *ctx, const gr_node *n, const gr_tensor *t)
{
	char shape[256];

	gr_tensor_shape_str(t, shape, sizeof(shape));
	return gr_error_set(ctx ? ctx->err : NULL, GR_ERR_LIMIT,
			    "node '%s' (%s): tensor '%s' of shape %s: its dims multiply past int64",
			    n->name, n->op_type, t->name, shape);
}

gr_status gr_dims_prod(gr_infer *ctx, const gr_node *n, const gr_tensor *t, int a, int b,
		       int64_t *out)
{
	*out = b > a ? gr_dims_numel(t->dims + a, b - a) : 1;
	if (*out >= 0)
		return GR_OK;
	if (gr_shape_known(t))
		return overflow_error(ctx, n, t);
	return gr_node_error(ctx, n, "tensor '%s' has unknown dims", t->name);
}

void gr_node_set_note(gr_infer *ctx, gr_node *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gr_node_extra *x = gr_node_extra_of(n);
	if (x)
		x->note = gr_arena_strdup(n->owner->arena, msg);
}

static gr_status check_dims(gr_infer *ctx, const gr_tensor *t, int rank, const gr_dim *dims)
{
	int64_t n = 1;

	if (rank > GR_MAX_RANK)
		return gr_error_set(ctx->err, GR_ERR_LIMIT, "tensor '%s' has rank %d (limit %d)",
				    t->name, rank, GR_MAX_RANK);
	for (int i = 0; i < rank; i++) {
		if (dims[i].value < 0)
			continue;
		if (!gr_mul_i64(n, dims[i].value, &n) || n > ((int64_t)1 << 50))
			return gr_error_set(ctx->err, GR_ERR_LIMIT,
					    "tensor '%s' would have more than 2^50 elements", t->name);
	}
	/* an empty tensor passes the loop above, but its other dims must still multiply */
	if (gr_dims_overflow(dims, rank)) {
		if (t->producer)
			return gr_error_set(ctx->err, GR_ERR_LIMIT,
					    "node '%s' (%s): output '%s' would have dims that multiply past int64",
					    t->producer->name, t->producer->op_type, t->name);
		return gr_error_set(ctx->err, GR_ERR_LIMIT,
				    "tensor '%s' would have dims that multiply past int64", t->name);
	}
	return GR_OK;
}

gr_status gr_set_dims(gr_infer *ctx, gr_tensor *t, gr_dtype dtype, int rank, const gr_dim *dims)
{
	gr_status st;

	if (!t)
		return GR_OK; /* omitted optional output */
	if (rank >= 0 && (st = check_dims(ctx, t, rank, dims)))
		return st;
	if (gr_tensor_set_shape(t->owner, t, dtype, rank, dims))
		return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
	return GR_OK;
}

gr_status gr_set_shape(gr_infer *ctx, gr_tensor *t, gr_dtype dtype, int rank, const int64_t *dims)
{
	gr_dim d[GR_MAX_RANK];

	if (rank > GR_MAX_RANK)
		return gr_error_set(ctx->err, GR_ERR_LIMIT, "tensor '%s' has rank %d (limit %d)",
				    t ? t->name : "?", rank, GR_MAX_RANK);
	for (int i = 0; i < rank; i++) {
		if (dims[i] < 0)
			return gr_error_set(ctx->err, GR_ERR_SHAPE, "tensor '%s' gets negative dim %lld",
					    t ? t->name : "?", (long long)dims[i]);
		d[i].value = dims[i];
		d[i].sym = NULL;
	}
	return gr_set_dims(ctx, t, dtype, rank, d);
}

gr_status gr_set_unknown(gr_infer *ctx, gr_tensor *t, gr_dtype dtype)
{
	return gr_set_dims(ctx, t, dtype, -1, NULL);
}

gr_status gr_set_rank_only(gr_infer *ctx, gr_tensor *t, gr_dtype dtype, int64_t r)
{
	gr_dim d[GR_MAX_RANK];

	if (r < 0 || r > GR_MAX_RANK)
		return gr_set_unknown(ctx, t, dtype);
	for (int i = 0; i < r; i++)
		d[i] = gr_dim_unknown();
	return gr_set_dims(ctx, t, dtype, (int)r, d);
}

gr_status gr_copy_shape(gr_infer *ctx, gr_tensor *dst, const gr_tensor *src, gr_dtype dtype)
{
	if (!src)
		return GR_OK;
	return gr_set_dims(ctx, dst, dtype != GR_DTYPE_UNDEFINED ? dtype : src->dtype, src->rank,
			   src->dims);
}

gr_status gr_broadcast(gr_infer *ctx, const gr_node *n, size_t first, size_t last, int *rank,
		       gr_dim *dims)
{
	int r = 0;

	for (size_t i = first; i <= last && i < n->n_in; i++) {
		const gr_tensor *t = n->in[i];
		if (!t)
			continue;
		if (t->rank < 0) {
			*rank = -1;
			return GR_OK;
		}
		if (t->rank > r)
			r = t->rank;
	}
	if (r > GR_MAX_RANK)
		return gr_node_error(ctx, n, "rank %d exceeds the limit %d", r, GR_MAX_RANK);
	for (int k = 0; k < r; k++) {
		dims[k].value = 1;
		dims[k].sym = NULL;
	}
	for (size_t i = first; i <= last && i < n->n_in; i++) {
		const gr_tensor *t = n->in[i];
		if (!t)
			continue;
		for (int k = 0; k < t->rank; k++) {
			gr_dim *o = &dims[r - t->rank + k];
			const gr_dim *d = &t->dims[k];
			if (d->value == 1)
				continue;
			if (o->value == 1 && !o->sym) {
				*o = *d;
			} else if (d->value >= 0 && o->value >= 0) {
				if (d->value != o->value)
					return gr_node_error(ctx, n,
							     "cannot broadcast dim %lld with %lld (input %zu)",
							     (long long)o->value, (long long)d->value, i);
			} else if (d->value >= 0) {
				*o = *d; /* known beats unknown; a symbolic dim must equal it */
			} else if (o->value < 0 && !(d->sym && o->sym && strcmp(d->sym, o->sym) == 0)) {
				if (!o->sym)
					*o = *d;
			}
		}
	}
	*rank = r;
	return GR_OK;
}

int gr_axis(gr_infer *ctx, const gr_node *n, int64_t axis, int rank)
{
	if (axis < -(int64_t)rank || axis >= rank) {
		gr_node_error(ctx, n, "axis %lld is out of range for rank %d", (long long)axis, rank);
		return -1;
	}
	return (int)(axis < 0 ? axis + rank : axis);
}

const int64_t *gr_values_i64(gr_infer *ctx, const gr_tensor *t, int64_t *count)
{
	int64_t *v;

	*count = 0;
	if (!t || !t->has_value)
		return NULL;
	*count = t->nval;
	if (t->ival)
		return t->ival;
	if (!t->fval)
		return NULL;
	v = gr_arena_calloc_inline(t->owner->arena, t->nval ? (size_t)t->nval : 1, sizeof(*v));
	if (!v)
		return NULL;
	for (int64_t i = 0; i < t->nval; i++) {
		double f = t->fval[i];
		v[i] = isfinite(f) && fabs(f) < 9.2e18 ? (int64_t)f : 0;
	}
	(void)ctx;
	return v;
}

const double *gr_values_f64(gr_infer *ctx, const gr_tensor *t, int64_t *count)
{
	double *v;

	*count = 0;
	if (!t || !t->has_value)
		return NULL;
	*count = t->nval;
	if (t->fval)
		return t->fval;
	if (!t->ival)
		return NULL;
	v = gr_arena_calloc_inline(t->owner->arena, t->nval ? (size_t)t->nval : 1, sizeof(*v));
	if (!v)
		return NULL;
	for (int64_t i = 0; i < t->nval; i++)
		v[i] = (double)t->ival[i];
	(void)ctx;
	return v;
}

void gr_cost_io_bytes(const gr_node *n, gr_cost *c)
{
	for (size_t i = 0; i < n->n_in; i++)
		if (n->in[i])
			c->bytes_read += gr_tensor_bytes(n->in[i]);
	for (size_t i = 0; i < n->n_out; i++)
		if (n->out[i])
			c->bytes_written += gr_tensor_bytes(n->out[i]);
}

void gr_cost_per_elem_of(const gr_node *n, gr_cost *c, const gr_tensor *t, double per)
{
	int64_t e = t ? gr_numel(t) : -1;

	gr_cost_io_bytes(n, c);
	if (e < 0) {
		c->known = 0;
		return;
	}
	c->flops = per * (double)e;
	c->known = 1;
}

void gr_cost_elementwise(const gr_node *n, gr_cost *c, double per_elem)
{
	int64_t e = gr_numel(gr_out(n, 0));
	gr_cost_io_bytes(n, c);
	if (e > 0)
		c->flops += per_elem * (double)e;
}

/* --- the driver ------------------------------------------------------------ */

/* 1 when input `slot` of reader, a stored value of dtype t, holds parameters: float weights
 * and quantized integer weights in any input not marked as state or quantization metadata
 * (nonparam_mask: BN statistics, scales, zero points), and whatever integer type a quantized
 * weight is stored in where the op says so: DequantizeLinear's x (int32 biases included) and
 * QLinearConv's bias. Other int32/int64 values are shape constants and indices. */
static int is_param_dtype(const gr_node *reader, size_t slot, gr_dtype t)
{
	uint32_t mask = reader->op != GR_OP_UNKNOWN ? gr_op_table[reader->op].nonparam_mask : 0;

	if (slot < 32 && (mask & (1u << slot)))
		return 0;
	if ((reader->op == GR_OP_DEQUANTIZE_LINEAR && slot == 0) ||
	    (reader->op == GR_OP_QLINEAR_CONV && slot == 8))
		if (t == GR_DTYPE_INT32 || t == GR_DTYPE_INT16 || t == GR_DTYPE_UINT16)
			return 1;
	return gr_dtype_is_float(t) || t == GR_DTYPE_INT8 || t == GR_DTYPE_UINT8 ||
	       t == GR_DTYPE_INT4 || t == GR_DTYPE_UINT4;
}

/* Adds to n->cost.params the stored values n holds or reads, each counted once and flagged
 * with param_counted (gr_graph_param_dtypes reads the flags): initializers it reads in a
 * parameter input, and, for a Constant node, its value when a reader takes it as a quantized
 * weight (PyTorch's quantized exports keep int8 weights and int32 biases in Constant nodes
 * feeding DequantizeLinear). Float values of Constant nodes are not counted: exporters keep
 * float weights in initializers and use Constant nodes for eps, scales, masks and anchors. */
static void count_params(gr_node *n)
{
	gr_tensor *y;

	for (size_t i = 0; i < n->n_in; i++) {
		gr_tensor *t = n->in[i];
		int64_t e;
		if (!t || !t->is_initializer || t->param_counted || !is_param_dtype(n, i, t->dtype))
			continue;
		e = gr_numel(t);
		if (e > 0) {
			n->cost.params += e;
			t->param_counted = 1;
		}
	}
	if (n->op != GR_OP_CONSTANT || !(y = gr_out(n, 0)) || y->is_initializer)
		return;
	y->param_counted = 0;
	/* no reader takes a value of another type as a parameter (is_param_dtype): the readers
	 * of a shape constant (int64, most Constants of a big graph) are not visited */
	if (gr_dtype_is_float(y->dtype) || gr_numel(y) <= 0 ||
	    !(y->dtype == GR_DTYPE_INT8 || y->dtype == GR_DTYPE_UINT8 || y->dtype == GR_DTYPE_INT4 ||
	      y->dtype == GR_DTYPE_UINT4 || y->dtype == GR_DTYPE_INT32 ||
	      y->dtype == GR_DTYPE_INT16 || y->dtype == GR_DTYPE_UINT16))
		return;
	for (uint32_t k = 0; k < y->n_consumers && !y->param_counted; k++) {
		const gr_node *r = y->consumers[k];
		for (size_t i = 0; i < r->n_in && !y->param_counted; i++)
			y->param_counted = r->in[i] == y && is_param_dtype(r, i, y->dtype);
	}
	if (y->param_counted) {
		n->cost.params += gr_numel(y);
		n->owner->n_const_params++;
	}
}

/* Forgets what an earlier inference left on n (its outputs' shapes and values, its note). */
static void reset_outputs(gr_node *n)
{
	for (size_t o = 0; o < n->n_out; o++) {
		gr_tensor *t = n->out[o];
		if (!t)
			continue;
		t->rank = -1;
		t->dims = NULL;
		t->has_value = 0;
		t->nval = 0;
		t->ival = NULL;
		t->fval = NULL;
	}
	if (n->extra)
		n->extra->note = NULL;
}

static gr_status infer_node(gr_infer *ctx, gr_node *n)
{
	const gr_op_info *op = &gr_op_table[n->op];
	gr_status st;
	int known = 1;

	memset(&n->cost, 0, sizeof(n->cost));
	n->shape_known = 0;
	/* Shapes from the file (inputs, initializers) are not checked elsewhere: an input whose
	 * dims multiply past int64 would wrap every count computed from it. */
	for (size_t i = 0; i < n->n_in; i++)
		if (n->in[i] && n->in[i]->rank > 0 && gr_dims_overflow(n->in[i]->dims, n->in[i]->rank))
			return overflow_error(ctx, n, n->in[i]);
	if (n->op == GR_OP_UNKNOWN) {
		count_params(n);
		return GR_OK;
	}
	if ((st = op->shape(ctx, n)))
		return st;
	for (size_t o = 0; o < n->n_out; o++)
		if (n->out[o] && !gr_shape_known(n->out[o]))
			known = 0;
	n->shape_known = known;
	if (known) {
		n->cost.known = 1;
		op->cost(n, &n->cost);
	}
	count_params(n);
	return GR_OK;
}

/* Adds node n's cost to *out, in the order gr_graph_totals_compute walks the nodes. */
static void totals_add(gr_graph_totals *out, const gr_node *n)
{
	out->flops += n->cost.flops;
	out->macs += n->cost.macs;
	out->bytes_read += n->cost.bytes_read;
	out->bytes_written += n->cost.bytes_written;
	out->params += n->cost.params;
	out->nodes++;
	if (n->op == GR_OP_UNKNOWN)
		out->unknown_ops++;
	else if (n->shape_known && n->cost.known)
		out->nodes_known++;
}

static gr_status infer_graph(gr_infer *ctx, gr_graph *g, gr_cost *total)
{
	gr_status st;

	if (!g->finalized)
		return gr_error_set(ctx->err, GR_ERR_USAGE, "graph is not finalized");
	for (size_t k = 0; k < g->n_inits; k++)
		g->initializers[k]->param_counted = 0;
	g->n_const_params = 0;
	g->totals_known = 0;
	memset(&g->totals, 0, sizeof(g->totals));
	/* each node's outputs are reset as it comes (its inputs, earlier in the order, are
	 * inferred already): one pass over the nodes, not two */
	for (size_t k = 0; k < g->n_nodes; k++) {
		gr_node *n = g->nodes[k];
		reset_outputs(n);
		if ((st = infer_node(ctx, n))) {
			while (++k < g->n_nodes)  /* nothing stale left after a failure either */
				reset_outputs(g->nodes[k]);
			return st;
		}
		gr_node_mark_folded(n); /* its inputs, earlier in the order, are marked */
		if (total)
			gr_cost_add(total, &n->cost);
		totals_add(&g->totals, n);
	}
	g->inferred = 1;
	g->totals_known = 1;
	return GR_OK;
}

gr_status gr_infer_subgraph(gr_infer *ctx, gr_graph *sub, gr_cost *total)
{
	gr_infer inner = *ctx;
	gr_cost local = {0};

	if (ctx->depth >= 32)
		return gr_error_set(ctx->err, GR_ERR_LIMIT, "subgraphs nested more than 32 deep");
	inner.depth = ctx->depth + 1;
	inner.g = sub;
	if (!total)
		total = &local;
	memset(total, 0, sizeof(*total));
	return infer_graph(&inner, sub, total);
}

gr_status gr_graph_infer(gr_graph *g, gr_error *err)
{
	gr_infer ctx = {g, err, 0};

	if (!g)
		return gr_error_set(err, GR_ERR_USAGE, "no graph");
	return infer_graph(&ctx, g, NULL);
}

/* --- binding dims ---------------------------------------------------------- */

/* Sets every graph-input dim named sym to value. */
static void bind_symbol(gr_graph *g, const char *sym, int64_t value)
{
	for (size_t k = 0; k < g->n_inputs; k++) {
		gr_tensor *t = g->inputs[k];
		for (int i = 0; i < t->rank; i++)
			if (t->dims[i].sym && strcmp(t->dims[i].sym, sym) == 0)
				t->dims[i].value = value;
	}
}

static gr_status check_dim_value(const char *what, int64_t value, gr_error *err)
{
	if (value <= 0 || value > ((int64_t)1 << 40))
		return gr_error_set(err, GR_ERR_USAGE, "%s must be a positive integer (got %lld)", what,
				    (long long)value);
	return GR_OK;
}

gr_status gr_graph_bind_dim(gr_graph *g, const char *sym, int64_t value, gr_error *err)
{
	char what[160];
	gr_status st;

	snprintf(what, sizeof(what), "dimension '%s'", sym);
	if ((st = check_dim_value(what, value, err)))
		return st;
	bind_symbol(g, sym, value);
	if (strcmp(sym, "batch") != 0)
		return GR_OK;
	/* the leading free dim of an input is the batch, whatever the exporter named it; its
	 * symbol is bound everywhere else it appears too */
	for (size_t k = 0; k < g->n_inputs; k++) {
		gr_tensor *t = g->inputs[k];
		if (t->rank < 1 || t->dims[0].value >= 0)
			continue;
		if (t->dims[0].sym)
			bind_symbol(g, t->dims[0].sym, value);
		t->dims[0].value = value;
	}
	return GR_OK;
}

int gr_dims_parse(const char *text, int64_t *dims, int max_rank, int64_t max_dim)
{
	int rank = 0;
	const char *p = text;

	if (!p || !*p)
		return 0;
	for (;;) {
		int64_t v = 0;
		if (*p < '0' || *p > '9' || rank >= max_rank)
			return 0;
		for (; *p >= '0' && *p <= '9'; p++)
			if (!gr_mul_i64(v, 10, &v) || !gr_add_i64(v, *p - '0', &v))
				return 0;
		if (v < 1 || v > max_dim)
			return 0;
		dims[rank++] = v;
		if (!*p)
			return rank;
		if (*p != 'x' && *p != ',')
			return 0;
		p++;
	}
}

gr_status gr_graph_set_input_shape(gr_graph *g, const char *name, const int64_t *dims, int rank,
				   gr_error *err)
{
	gr_dim d[GR_MAX_RANK];
	gr_status st;

	if (rank < 1 || rank > GR_MAX_RANK)
		return gr_error_set(err, GR_ERR_USAGE, "input '%s': rank %d is out of range", name, rank);
	for (size_t k = 0; k < g->n_inputs; k++) {
		gr_tensor *t = g->inputs[k];
		if (strcmp(t->name, name) != 0)
			continue;
		if (t->rank >= 0 && t->rank != rank)
			return gr_error_set(err, GR_ERR_USAGE, "input '%s' has %d dims, the shape given has %d",
					    name, t->rank, rank);
		for (int i = 0; i < rank; i++) {
			char what[300];
			snprintf(what, sizeof(what), "input '%s' dim %d", name, i);
			if ((st = check_dim_value(what, dims[i], err)))
				return st;
		}
		/* a symbolic dim stands for one size throughout the graph: bind it on every input */
		for (int i = 0; i < rank && i < t->rank; i++)
			if (t->dims[i].sym)
				bind_symbol(g, t->dims[i].sym, dims[i]);
		for (int i = 0; i < rank; i++) {
			d[i].value = dims[i];
			d[i].sym = i < t->rank ? t->dims[i].sym : NULL;
		}
		if (gr_tensor_set_shape(g, t, t->dtype ? t->dtype : GR_DTYPE_FLOAT, rank, d))
			return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
		return GR_OK;
	}
	return gr_error_set(err, GR_ERR_NOT_FOUND, "the model has no input named '%s'", name);
}

/* --- totals ---------------------------------------------------------------- */

void gr_graph_totals_compute(const gr_graph *g, gr_graph_totals *out)
{
	memset(out, 0, sizeof(*out));
	if (!g)
		return;
	if (g->totals_known) {
		*out = g->totals;
		return;
	}
	for (size_t k = 0; k < g->n_nodes; k++)
		totals_add(out, g->nodes[k]);
}
