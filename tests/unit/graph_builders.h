/* Small graph-building and checking helpers for the op tests (test_ops_math.c,
 * test_ops_shape.c): tensors, initializers, nodes with attributes, inference and shape/value
 * assertions, on the builder API of core/graph_impl.h. Static inline, so that each test
 * executable takes what it uses. */
#ifndef GRAPHS_TEST_GRAPH_BUILDERS_H
#define GRAPHS_TEST_GRAPH_BUILDERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/graph_impl.h"

/* L("a", "b"): a NULL-terminated name list; D(1, 2): an int64 array; NA(1, 2): its length. */
#define L(...) ((const char *const[]){__VA_ARGS__, NULL})
#define D(...) ((const int64_t[]){__VA_ARGS__})
#define NA(...) (sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t))

static inline gr_graph *graph(int opset)
{
	gr_graph *g = gr_graph_new("onnx");
	assert_non_null(g);
	g->opset = opset;
	return g;
}

/* dims: -1 unknown; -2 the symbol "batch" */
static inline gr_tensor *tensor(gr_graph *g, const char *name, gr_dtype dt, int rank,
				const int64_t *dims)
{
	gr_tensor *t = gr_graph_tensor_def(g, name);
	gr_dim d[GR_MAX_RANK];

	assert_non_null(t);
	for (int i = 0; i < rank; i++) {
		d[i].value = dims[i] == -2 ? -1 : dims[i];
		d[i].sym = dims[i] == -2 ? "batch" : NULL;
	}
	assert_int_equal(gr_tensor_set_shape(g, t, dt, rank, d), GR_OK);
	return t;
}

static inline gr_tensor *input(gr_graph *g, const char *name, gr_dtype dt, int rank,
			       const int64_t *dims)
{
	gr_tensor *t = tensor(g, name, dt, rank, dims);
	assert_int_equal(gr_graph_add_input(g, t), GR_OK);
	return t;
}

/* An initializer of integer dtype dt with known values, of shape dims. */
static inline gr_tensor *const_i64(gr_graph *g, const char *name, gr_dtype dt, int rank,
				   const int64_t *dims, const int64_t *v, int64_t nv)
{
	gr_tensor *t = tensor(g, name, dt, rank, dims);
	assert_int_equal(gr_tensor_set_i64(g, t, v, nv), GR_OK);
	assert_int_equal(gr_graph_add_initializer(g, t), GR_OK);
	return t;
}

/* An initializer with known integer values: shape [nv], or a scalar when rank is 0. */
static inline gr_tensor *ints(gr_graph *g, const char *name, gr_dtype dt, int rank,
			      const int64_t *v, int64_t nv)
{
	return const_i64(g, name, dt, rank, &nv, v, nv);
}

/* A float initializer with known values, of shape dims. */
static inline gr_tensor *floats(gr_graph *g, const char *name, int rank, const int64_t *dims,
				const double *v, int64_t nv)
{
	gr_tensor *t = tensor(g, name, GR_DTYPE_FLOAT, rank, dims);
	assert_int_equal(gr_tensor_set_f64(g, t, v, nv), GR_OK);
	assert_int_equal(gr_graph_add_initializer(g, t), GR_OK);
	return t;
}

/* A float initializer without values (a weight). */
static inline gr_tensor *weight(gr_graph *g, const char *name, int rank, const int64_t *dims)
{
	gr_tensor *t = tensor(g, name, GR_DTYPE_FLOAT, rank, dims);
	assert_int_equal(gr_graph_add_initializer(g, t), GR_OK);
	return t;
}

/* A node named like its op, with room for n_attr attributes (appended by the attr_*
 * helpers); ins/outs are NULL-terminated name lists, "" for an omitted optional one. */
static inline gr_node *node(gr_graph *g, const char *op, const char *const *ins,
			    const char *const *outs, size_t n_attr)
{
	size_t ni = 0, no = 0;
	gr_node *n;

	while (ins[ni])
		ni++;
	while (outs[no])
		no++;
	n = gr_graph_add_node(g, op, "", op, ni, no, n_attr);
	assert_non_null(n);
	for (size_t i = 0; i < ni; i++)
		n->in[i] = *ins[i] ? gr_graph_tensor_ref(g, ins[i]) : NULL;
	for (size_t i = 0; i < no; i++)
		n->out[i] = *outs[i] ? gr_graph_tensor_def(g, outs[i]) : NULL;
	n->n_attr = 0;
	return n;
}

static inline gr_attr *attr_new(gr_node *n, const char *name, gr_attr_type type)
{
	gr_attr *a = &n->attrs[n->n_attr++];
	memset(a, 0, sizeof(*a));
	a->name = name;
	a->type = type;
	return a;
}

static inline void attr_int(gr_node *n, const char *name, int64_t v)
{
	attr_new(n, name, GR_ATTR_INT)->i = v;
}

static inline void attr_float(gr_node *n, const char *name, double v)
{
	attr_new(n, name, GR_ATTR_FLOAT)->f = v;
}

static inline void attr_str(gr_node *n, const char *name, const char *s)
{
	gr_attr *a = attr_new(n, name, GR_ATTR_STRING);
	a->s = s;
	a->s_len = strlen(s);
}

static inline void attr_ints(gr_graph *g, gr_node *n, const char *name, const int64_t *v,
			     size_t cnt)
{
	gr_attr *a = attr_new(n, name, GR_ATTR_INTS);
	a->ints = gr_arena_calloc(gr_graph_arena(g), cnt ? cnt : 1, sizeof(int64_t));
	memcpy(a->ints, v, cnt * sizeof(int64_t));
	a->n = cnt;
}

static inline void attr_graph(gr_node *n, const char *name, gr_graph *sub)
{
	attr_new(n, name, GR_ATTR_GRAPH)->g = sub;
}

/* --- running and checking ----------------------------------------------------- */

static inline gr_status run(gr_graph *g, gr_error *err)
{
	gr_status st = gr_graph_finalize(g, err);
	if (st != GR_OK)
		return st;
	return gr_graph_infer(g, err);
}

static inline void infer_ok(gr_graph *g)
{
	gr_error err = {0};
	gr_status st = run(g, &err);
	if (st != GR_OK)
		print_error("inference failed: %s\n", err.msg);
	assert_int_equal(st, GR_OK);
}

static inline void infer_fails(gr_graph *g)
{
	gr_error err = {0};
	assert_int_not_equal(run(g, &err), GR_OK);
}

/* Asserts t's shape: -1 expects an unknown dim. */
static inline void check_shape(gr_graph *g, const char *name, int rank, const int64_t *dims)
{
	const gr_tensor *t = gr_graph_tensor(g, name);
	char buf[128];

	assert_non_null(t);
	gr_tensor_shape_str(t, buf, sizeof(buf));
	if (t->rank != rank)
		print_error("'%s' has shape %s (rank %d), expected rank %d\n", name, buf, t->rank, rank);
	assert_int_equal(t->rank, rank);
	for (int i = 0; i < rank; i++) {
		if (t->dims[i].value != dims[i])
			print_error("'%s' has shape %s; dim %d expected %lld\n", name, buf, i,
				    (long long)dims[i]);
		assert_int_equal(t->dims[i].value, dims[i]);
	}
}

#define SHAPE(g, name, ...) check_shape(g, name, (int)NA(__VA_ARGS__), D(__VA_ARGS__))
#define SCALAR(g, name) check_shape(g, name, 0, NULL)

/* Asserts t's folded integer values. */
static inline void check_ivals(gr_graph *g, const char *name, const int64_t *v, int64_t n)
{
	const gr_tensor *t = gr_graph_tensor(g, name);

	assert_non_null(t);
	if (!t->has_value)
		print_error("'%s' has no folded values\n", name);
	assert_true(t->has_value);
	assert_int_equal(t->nval, n);
	assert_non_null(t->ival);
	for (int64_t i = 0; i < n; i++)
		assert_int_equal(t->ival[i], v[i]);
}

#define IVALS(g, name, ...) check_ivals(g, name, D(__VA_ARGS__), (int64_t)NA(__VA_ARGS__))

/* The first node of op type `op`. */
static inline gr_node *node_named(gr_graph *g, const char *op)
{
	for (size_t k = 0; k < gr_graph_node_count(g); k++)
		if (strcmp(gr_node_op_type(gr_graph_node(g, k)), op) == 0)
			return gr_graph_node(g, k);
	fail_msg("no %s node", op);
	return NULL;
}

static inline const gr_cost *cost_of(gr_graph *g, size_t k)
{
	return gr_node_cost(gr_graph_node(g, k));
}

#endif
