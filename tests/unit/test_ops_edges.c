/* Edge cases and bad-input branches of shape inference the main op tests (test_ops_shape.c,
 * test_ops_math.c) leave out: Resize's opset 18 aspect-ratio policies, unknown sizes and bad
 * scales/sizes; Softmax's opset 11 default axis; the loss ops' label checks; the generators'
 * (Constant, ConstantOfShape, Range, EyeLike, OneHot) folding and errors; finalize's node
 * order; the totals. Each bad graph must fail with a message naming the problem, never crash. */
#include <stdio.h>

#include "graph_builders.h"

/* The graph fails inference and the message contains `what`. */
static void fails_with(gr_graph *g, const char *what)
{
	gr_error err = {0};
	gr_status st = run(g, &err);

	if (st == GR_OK || !strstr(err.msg, what))
		print_error("expected an error with '%s', got status %d: '%s'\n", what, st, err.msg);
	assert_int_not_equal(st, GR_OK);
	assert_non_null(strstr(err.msg, what));
	gr_graph_free(g);
}

static void attr_floats(gr_graph *g, gr_node *n, const char *name, const double *v, size_t cnt)
{
	gr_attr *a = attr_new(n, name, GR_ATTR_FLOATS);
	a->floats = gr_arena_calloc(gr_graph_arena(g), cnt, sizeof(double));
	memcpy(a->floats, v, cnt * sizeof(double));
	a->n = cnt;
}

/* --- Resize ---------------------------------------------------------------------- */

static void resize_keep_aspect_ratio_policies(void **state)
{
	gr_graph *g = graph(18);
	gr_node *n;
	(void)state;

	/* sizes (8, 8) for a 4 x 8 image on axes (2, 3): scales 2 and 1 */
	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 3, 4, 8));
	ints(g, "sz", GR_DTYPE_INT64, 1, D(8, 8), 2);
	n = node(g, "Resize", L("x", "", "", "sz"), L("small"), 2);
	attr_ints(g, n, "axes", D(2, 3), 2);
	attr_str(n, "keep_aspect_ratio_policy", "not_larger"); /* the smaller scale, 1 */
	n = node(g, "Resize", L("x", "", "", "sz"), L("large"), 3);
	attr_ints(g, n, "axes", D(-2, -1), 2);
	attr_str(n, "keep_aspect_ratio_policy", "not_smaller"); /* the larger scale, 2 */
	attr_str(n, "mode", "cubic");
	infer_ok(g);
	SHAPE(g, "small", 1, 3, 4, 8);
	SHAPE(g, "large", 1, 3, 8, 16);
	/* cubic on two changed axes: 4^2 taps, 2 FLOPs each, per output element */
	assert_true(gr_graph_node(g, 1)->cost.flops == 2.0 * 16 * (3 * 8 * 16));
	/* nearest on an unchanged shape: no arithmetic */
	assert_true(gr_graph_node(g, 0)->cost.flops == 0);
	gr_graph_free(g);
}

static void resize_unknown_sizes_or_dims_leave_unknown_dims(void **state)
{
	gr_graph *g = graph(13), *g18 = graph(18);
	gr_node *n;
	(void)state;

	/* sizes computed at run time: the rank is kept, the resized dims are unknown */
	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 3, 4, 8));
	input(g, "sz", GR_DTYPE_INT64, 1, D(4));
	node(g, "Resize", L("x", "", "", "sz"), L("y"), 0);
	/* scales from a graph input: likewise */
	input(g, "sc", GR_DTYPE_FLOAT, 1, D(4));
	node(g, "Resize", L("x", "", "sc"), L("z"), 0);
	infer_ok(g);
	SHAPE(g, "y", -1, -1, -1, -1);
	SHAPE(g, "z", -1, -1, -1, -1);

	/* aspect-ratio policy on an unknown dim: no scale can be chosen */
	input(g18, "x", GR_DTYPE_FLOAT, 4, D(1, 3, -1, 8));
	ints(g18, "sz", GR_DTYPE_INT64, 1, D(8, 8), 2);
	n = node(g18, "Resize", L("x", "", "", "sz"), L("y"), 2);
	attr_ints(g18, n, "axes", D(2, 3), 2);
	attr_str(n, "keep_aspect_ratio_policy", "not_larger");
	infer_ok(g18);
	SHAPE(g18, "y", 1, 3, -1, -1);
	gr_graph_free(g);
	gr_graph_free(g18);
}

static void resize_scales_attribute_upsample7(void **state)
{
	gr_graph *g = graph(7);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 3, -1, 5));
	n = node(g, "Upsample", L("x"), L("y"), 1);
	attr_floats(g, n, "scales", (const double[]){1, 1, 2, 3}, 4);
	infer_ok(g);
	SHAPE(g, "y", 1, 3, -1, 15); /* an unknown dim stays unknown */
	gr_graph_free(g);
}

static void resize_bad_inputs_are_errors(void **state)
{
	gr_graph *g;
	gr_node *n;
	(void)state;

	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 3, 4, 4));
	ints(g, "sz", GR_DTYPE_INT64, 1, D(4, 4, 4), 3);
	node(g, "Resize", L("x", "", "", "sz"), L("y"), 0);
	fails_with(g, "sizes has 3 entries for 4 axes");

	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 2, D(4, 4));
	ints(g, "sz", GR_DTYPE_INT64, 1, D(4, -3), 2);
	node(g, "Resize", L("x", "", "", "sz"), L("y"), 0);
	fails_with(g, "negative size");

	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 2, D(4, 4));
	floats(g, "sc", 1, D(2), (const double[]){1, 0}, 2);
	node(g, "Resize", L("x", "", "sc"), L("y"), 0);
	fails_with(g, "is not positive");

	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 2, D(4, 4));
	floats(g, "sc", 1, D(3), (const double[]){1, 2, 2}, 3);
	node(g, "Resize", L("x", "", "sc"), L("y"), 0);
	fails_with(g, "scales has 3 entries for 2 axes");

	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 2, D(4, 4));
	node(g, "Resize", L("x"), L("y"), 0);
	fails_with(g, "neither scales nor sizes");

	g = graph(18);
	input(g, "x", GR_DTYPE_FLOAT, 2, D(4, 4));
	ints(g, "sz", GR_DTYPE_INT64, 1, D(4, 4, 4), 3);
	n = node(g, "Resize", L("x", "", "", "sz"), L("y"), 1);
	attr_ints(g, n, "axes", D(0, 1, 1), 3);
	fails_with(g, "3 axes for rank 2");

	g = graph(18);
	input(g, "x", GR_DTYPE_FLOAT, 2, D(4, 4));
	ints(g, "sz", GR_DTYPE_INT64, 1, D(4), 1);
	n = node(g, "Resize", L("x", "", "", "sz"), L("y"), 1);
	attr_ints(g, n, "axes", D(5), 1);
	infer_fails(g); /* axis 5 of a rank-2 input */
	gr_graph_free(g);

	g = graph(18);
	input(g, "x", GR_DTYPE_FLOAT, 1, D(4));
	ints(g, "sz", GR_DTYPE_INT64, 1, D((int64_t)1 << 62), 1);
	n = node(g, "Resize", L("x", "", "", "sz"), L("y"), 1);
	attr_str(n, "keep_aspect_ratio_policy", "not_smaller");
	fails_with(g, "too large");
}

/* --- Softmax and the loss ops --------------------------------------------------------- */

static void softmax_axis_default_and_range(void **state)
{
	gr_graph *g = graph(11), *bad = graph(13);
	gr_node *n;
	(void)state;

	/* opset 11's default axis 1 is not checked on a 1-D input: the shape is kept */
	input(g, "v", GR_DTYPE_FLOAT, 1, D(7));
	node(g, "Softmax", L("v"), L("sv"), 0);
	input(g, "x", GR_DTYPE_FLOAT, 3, D(2, 3, 4));
	n = node(g, "LogSoftmax", L("x"), L("sx"), 1);
	attr_int(n, "axis", -3);
	infer_ok(g);
	SHAPE(g, "sv", 7);
	SHAPE(g, "sx", 2, 3, 4);
	gr_graph_free(g);

	input(bad, "x", GR_DTYPE_FLOAT, 2, D(2, 3));
	n = node(bad, "Softmax", L("x"), L("y"), 1);
	attr_int(n, "axis", 2);
	infer_fails(bad);
	gr_graph_free(bad);

	bad = graph(13);
	node(bad, "Softmax", L(""), L("y"), 0);
	fails_with(bad, "missing input");
}

static void loss_reduction_none_with_unknown_labels(void **state)
{
	gr_graph *g = graph(13);
	gr_node *n;
	(void)state;

	/* labels of unknown rank: "none" gives (N, d1, ...) from the scores, dropping C */
	input(g, "x", GR_DTYPE_FLOAT, 4, D(2, 10, 5, 6));
	input(g, "lab", GR_DTYPE_INT64, -1, NULL);
	n = node(g, "SoftmaxCrossEntropyLoss", L("x", "lab"), L("loss", "logp"), 1);
	attr_str(n, "reduction", "none");
	n = node(g, "NegativeLogLikelihoodLoss", L("x", "lab"), L("sum"), 1);
	attr_str(n, "reduction", "sum");
	infer_ok(g);
	SHAPE(g, "loss", 2, 5, 6);
	SHAPE(g, "logp", 2, 10, 5, 6);
	SCALAR(g, "sum");
	gr_graph_free(g);
}

static void loss_bad_inputs_are_errors(void **state)
{
	gr_graph *g;
	gr_node *n;
	(void)state;

	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 2, D(4, 3));
	input(g, "lab", GR_DTYPE_INT64, 1, D(4));
	n = node(g, "NegativeLogLikelihoodLoss", L("x", "lab"), L("y"), 1);
	attr_str(n, "reduction", "average");
	fails_with(g, "unknown reduction 'average'");

	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 1, D(4));
	input(g, "lab", GR_DTYPE_INT64, 1, D(4));
	node(g, "NegativeLogLikelihoodLoss", L("x", "lab"), L("y"), 0);
	fails_with(g, "input has rank 1");

	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 3, D(4, 3, 5));
	input(g, "lab", GR_DTYPE_INT64, 1, D(4));
	node(g, "SoftmaxCrossEntropyLoss", L("x", "lab"), L("y"), 0);
	fails_with(g, "labels have rank 1 for input of rank 3");

	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 3, D(4, 3, 5));
	input(g, "lab", GR_DTYPE_INT64, 2, D(4, 6));
	node(g, "SoftmaxCrossEntropyLoss", L("x", "lab"), L("y"), 0);
	fails_with(g, "labels dim 1 is 6, input has 5");

	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 2, D(4, 3));
	node(g, "SoftmaxCrossEntropyLoss", L("x"), L("y"), 0);
	fails_with(g, "needs scores/input and labels/target");
}

/* --- Constant, ConstantOfShape, Range, EyeLike, OneHot --------------------------------- */

static void constant_value_attributes_fold(void **state)
{
	gr_graph *g = graph(13);
	gr_node *n;
	const gr_tensor *t;
	(void)state;

	n = node(g, "Constant", L(""), L("f"), 1);
	attr_float(n, "value_float", 2.5);
	n = node(g, "Constant", L(""), L("fs"), 1);
	attr_floats(g, n, "value_floats", (const double[]){1, 2, 3}, 3);
	n = node(g, "Constant", L(""), L("i"), 1);
	attr_int(n, "value_int", -7);
	n = node(g, "Constant", L(""), L("is"), 1);
	attr_ints(g, n, "value_ints", D(4, 5), 2);
	n = node(g, "Constant", L(""), L("s"), 1);
	attr_str(n, "value_string", "hello");
	infer_ok(g);
	SCALAR(g, "f");
	t = gr_graph_tensor(g, "f");
	assert_int_equal(t->dtype, GR_DTYPE_FLOAT);
	assert_true(t->has_value && t->fval && t->fval[0] == 2.5);
	SHAPE(g, "fs", 3);
	t = gr_graph_tensor(g, "fs");
	assert_true(t->has_value && t->fval && t->fval[2] == 3);
	SCALAR(g, "i");
	IVALS(g, "i", -7);
	SHAPE(g, "is", 2);
	IVALS(g, "is", 4, 5);
	SCALAR(g, "s");
	assert_int_equal(gr_graph_tensor(g, "s")->dtype, GR_DTYPE_STRING);
	gr_graph_free(g);

	g = graph(13);
	node(g, "Constant", L(""), L("y"), 0);
	fails_with(g, "no value attribute");
}

static void constant_of_shape_and_range(void **state)
{
	gr_graph *g = graph(13);
	(void)state;

	/* ConstantOfShape: known shape folds zeros; a shape known only by length gives the rank */
	ints(g, "shp", GR_DTYPE_INT64, 1, D(2, 3), 2);
	node(g, "ConstantOfShape", L("shp"), L("z"), 0);
	input(g, "shu", GR_DTYPE_INT64, 1, D(3));
	node(g, "ConstantOfShape", L("shu"), L("zu"), 0);
	/* Range: integer (exact ceil), negative delta, empty, float */
	ints(g, "a", GR_DTYPE_INT64, 0, D(2), 1);
	ints(g, "b", GR_DTYPE_INT64, 0, D(11), 1);
	ints(g, "d3", GR_DTYPE_INT64, 0, D(3), 1);
	ints(g, "dm", GR_DTYPE_INT64, 0, D(-4), 1);
	node(g, "Range", L("a", "b", "d3"), L("r"), 0);  /* 2 5 8 */
	node(g, "Range", L("b", "a", "dm"), L("rn"), 0); /* 11 7 3 */
	node(g, "Range", L("b", "a", "d3"), L("re"), 0); /* empty */
	floats(g, "fa", 0, NULL, (const double[]){0.5}, 1);
	floats(g, "fb", 0, NULL, (const double[]){2}, 1);
	floats(g, "fd", 0, NULL, (const double[]){0.5}, 1);
	node(g, "Range", L("fa", "fb", "fd"), L("rf"), 0); /* 0.5 1 1.5 */
	input(g, "u", GR_DTYPE_INT64, 0, NULL);
	node(g, "Range", L("a", "u", "d3"), L("ru"), 0);
	infer_ok(g);
	SHAPE(g, "z", 2, 3);
	{ /* without a value attribute: float zeros */
		const gr_tensor *z = gr_graph_tensor(g, "z");
		assert_int_equal(z->dtype, GR_DTYPE_FLOAT);
		assert_true(z->has_value && z->nval == 6 && z->fval && z->fval[0] == 0 && z->fval[5] == 0);
	}
	SHAPE(g, "zu", -1, -1, -1);
	SHAPE(g, "r", 3);
	IVALS(g, "r", 2, 5, 8);
	IVALS(g, "rn", 11, 7, 3);
	SHAPE(g, "re", 0);
	SHAPE(g, "rf", 3);
	assert_true(gr_graph_tensor(g, "rf")->fval[2] == 1.5);
	SHAPE(g, "ru", -1); /* a limit known at run time: rank 1, length unknown */
	gr_graph_free(g);

	g = graph(13);
	ints(g, "shp", GR_DTYPE_INT64, 1, D(2, -3), 2);
	node(g, "ConstantOfShape", L("shp"), L("z"), 0);
	fails_with(g, "negative dim -3");

	g = graph(13);
	ints(g, "a", GR_DTYPE_INT64, 0, D(2), 1);
	ints(g, "d", GR_DTYPE_INT64, 0, D(0), 1);
	node(g, "Range", L("a", "a", "d"), L("r"), 0);
	fails_with(g, "delta is 0");

	g = graph(13);
	floats(g, "a", 0, NULL, (const double[]){0}, 1);
	floats(g, "b", 0, NULL, (const double[]){1e30}, 1);
	floats(g, "d", 0, NULL, (const double[]){1}, 1);
	node(g, "Range", L("a", "b", "d"), L("r"), 0);
	fails_with(g, "is too long");
}

static void eye_like_and_one_hot(void **state)
{
	gr_graph *g = graph(13);
	gr_node *n;
	(void)state;

	input(g, "m", GR_DTYPE_FLOAT, 2, D(3, 4));
	n = node(g, "EyeLike", L("m"), L("e"), 1);
	attr_int(n, "dtype", GR_DTYPE_INT32);
	node(g, "Trilu", L("m"), L("t"), 0);
	input(g, "ind", GR_DTYPE_INT64, 2, D(2, 5));
	floats(g, "depth", 0, NULL, (const double[]){10.7}, 1); /* truncated to 10 */
	weight(g, "vals", 1, D(2));
	n = node(g, "OneHot", L("ind", "depth", "vals"), L("oh"), 1);
	attr_int(n, "axis", 1);
	input(g, "du", GR_DTYPE_INT64, 0, NULL);
	node(g, "OneHot", L("ind", "du", "vals"), L("ohu"), 0);
	infer_ok(g);
	SHAPE(g, "e", 3, 4);
	assert_int_equal(gr_graph_tensor(g, "e")->dtype, GR_DTYPE_INT32);
	SHAPE(g, "t", 3, 4);
	SHAPE(g, "oh", 2, 10, 5);
	SHAPE(g, "ohu", 2, 5, -1); /* depth at run time: that axis unknown */
	gr_graph_free(g);

	g = graph(13);
	input(g, "m", GR_DTYPE_FLOAT, 3, D(3, 4, 5));
	node(g, "EyeLike", L("m"), L("e"), 0);
	fails_with(g, "input must have rank 2, has 3");

	g = graph(13);
	input(g, "ind", GR_DTYPE_INT64, 1, D(5));
	ints(g, "depth", GR_DTYPE_INT64, 0, D(0), 1);
	weight(g, "vals", 1, D(2));
	node(g, "OneHot", L("ind", "depth", "vals"), L("oh"), 0);
	fails_with(g, "depth 0 is out of range");

	g = graph(13);
	input(g, "ind", GR_DTYPE_INT64, 1, D(5));
	weight(g, "vals", 1, D(2));
	node(g, "OneHot", L("ind", "", "vals"), L("oh"), 0);
	fails_with(g, "missing input");
}

/* finalize keeps nodes that come in topological order as they stand, numbered so; sorts
 * nodes out of order (a reader before its producer, also when the tensor read has values
 * before its producer writes it, or only at a later node after consumers were placed), with
 * each consumer placed once and in order; a node reading its own output is a cycle. */
static void finalize_keeps_or_sorts_node_order(void **state)
{
	gr_error err = {0};
	gr_graph *g;
	(void)state;

	for (int c = 0; c < 3; c++) {
		gr_node *a = NULL, *b;
		gr_tensor *m;

		g = graph(13);
		input(g, "x", GR_DTYPE_FLOAT, 1, D(4));
		if (c == 0)
			a = node(g, "Relu", L("x"), L("m"), 0);
		b = node(g, "Neg", L("m"), L("y"), 0);
		m = b->in[0];
		if (c == 2)
			assert_int_equal(gr_tensor_set_f64(g, m, (const double[]){1, 2, 3, 4}, 4), GR_OK);
		if (c > 0)
			a = node(g, "Relu", L("x"), L("m"), 0);
		assert_int_equal(gr_graph_finalize(g, &err), GR_OK);
		assert_ptr_equal(g->nodes[0], a);
		assert_ptr_equal(g->nodes[1], b);
		assert_int_equal(a->index, 0);
		assert_int_equal(b->index, 1);
		assert_ptr_equal(m->producer, a);
		assert_int_equal(m->n_consumers, 1);
		assert_ptr_equal(m->consumers[0], b);
		gr_graph_free(g);
	}
	/* out of order only at the third node: what the first nodes placed is placed once */
	{
		gr_node *a, *b, *c, *d;
		gr_tensor *m, *x;

		g = graph(13);
		x = input(g, "x", GR_DTYPE_FLOAT, 1, D(4));
		a = node(g, "Relu", L("x"), L("m"), 0);
		b = node(g, "Neg", L("m", "m"), L("y"), 0);
		c = node(g, "Add", L("y", "q"), L("z"), 0);
		d = node(g, "Abs", L("x"), L("q"), 0);
		m = a->out[0];
		assert_int_equal(gr_graph_finalize(g, &err), GR_OK);
		assert_ptr_equal(g->nodes[0], a);
		assert_ptr_equal(g->nodes[1], b);
		assert_ptr_equal(g->nodes[2], d);
		assert_ptr_equal(g->nodes[3], c);
		assert_int_equal(c->index, 3);
		assert_int_equal(m->n_consumers, 1);
		assert_ptr_equal(m->consumers[0], b);
		assert_int_equal(x->n_consumers, 2);
		assert_ptr_equal(x->consumers[0], a);
		assert_ptr_equal(x->consumers[1], d);
		gr_graph_free(g);
	}
	/* a tensor read by many nodes keeps them all, in order */
	{
		gr_tensor *x;
		gr_node *readers[9];

		g = graph(13);
		x = input(g, "x", GR_DTYPE_FLOAT, 1, D(4));
		for (int k = 0; k < 9; k++) {
			char out[8];
			snprintf(out, sizeof(out), "o%d", k);
			readers[k] = node(g, "Relu", L("x"), L(out), 0);
		}
		assert_int_equal(gr_graph_finalize(g, &err), GR_OK);
		assert_int_equal(x->n_consumers, 9);
		for (int k = 0; k < 9; k++)
			assert_ptr_equal(x->consumers[k], readers[k]);
		gr_graph_free(g);
	}
	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 1, D(4));
	node(g, "Add", L("x", "z"), L("z"), 0);
	assert_int_equal(gr_graph_finalize(g, &err), GR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "cycle"));
	gr_graph_free(g);
}

/* The totals inference adds up as it goes are the sums over the nodes; after an inference
 * that failed part of the way they are summed over every node again, not left partial. */
static void totals_sum_every_node(void **state)
{
	gr_error err = {0};
	gr_graph_totals tot;
	gr_graph *g = graph(13);
	double flops = 0;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 2, D(2, 3));
	weight(g, "w", 2, D(3, 4));
	node(g, "MatMul", L("x", "w"), L("y"), 0);
	node(g, "Relu", L("y"), L("z"), 0);
	assert_int_equal(run(g, &err), GR_OK);
	gr_graph_totals_compute(g, &tot);
	for (size_t k = 0; k < g->n_nodes; k++)
		flops += g->nodes[k]->cost.flops;
	assert_int_equal(tot.nodes, 2);
	assert_int_equal(tot.nodes_known, 2);
	assert_int_equal(tot.params, 12);
	assert_true(flops > 0 && tot.flops == flops);
	gr_graph_free(g);

	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 1, D(5));
	node(g, "Relu", L("x"), L("r"), 0);
	input(g, "ind", GR_DTYPE_INT64, 1, D(5));
	ints(g, "depth", GR_DTYPE_INT64, 0, D(0), 1);
	weight(g, "vals", 1, D(2));
	node(g, "OneHot", L("ind", "depth", "vals"), L("oh"), 0);
	assert_int_not_equal(run(g, &err), GR_OK);
	gr_graph_totals_compute(g, &tot);
	assert_int_equal(tot.nodes, 2);
	gr_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(resize_keep_aspect_ratio_policies),
		cmocka_unit_test(resize_unknown_sizes_or_dims_leave_unknown_dims),
		cmocka_unit_test(resize_scales_attribute_upsample7),
		cmocka_unit_test(resize_bad_inputs_are_errors),
		cmocka_unit_test(softmax_axis_default_and_range),
		cmocka_unit_test(loss_reduction_none_with_unknown_labels),
		cmocka_unit_test(loss_bad_inputs_are_errors),
		cmocka_unit_test(constant_value_attributes_fold),
		cmocka_unit_test(constant_of_shape_and_range),
		cmocka_unit_test(eye_like_and_one_hot),
		cmocka_unit_test(finalize_keeps_or_sorts_node_order),
		cmocka_unit_test(totals_sum_every_node),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
