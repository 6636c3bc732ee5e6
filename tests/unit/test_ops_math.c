/* Shape inference, constant folding and cost of the math ops (elementwise, conv, pool,
 * norm, gemm/matmul/einsum, softmax, reductions), on small graphs built with the builder. */
#include <math.h>

#include "graph_builders.h"

/* --- convolution -------------------------------------------------------------- */

static void conv_grouped_depthwise_dilated_shapes_and_macs(void **state)
{
	gr_graph *g = graph(13);
	gr_node *n;
	gr_tensor *y;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(-2, 32, 56, 56));
	weight(g, "w", 4, D(32, 1, 3, 3));
	weight(g, "b", 1, D(32));
	n = node(g, "Conv", L("x", "w", "b"), L("y"), 4);
	attr_int(n, "group", 32);
	attr_ints(g, n, "dilations", D(2, 2), 2);
	attr_ints(g, n, "pads", D(2, 2, 2, 2), 4);
	attr_ints(g, n, "strides", D(1, 2), 2);
	infer_ok(g);
	y = gr_graph_tensor(g, "y");
	assert_int_equal(y->rank, 4);
	assert_int_equal(y->dims[0].value, -1);
	assert_string_equal(y->dims[0].sym, "batch"); /* batch symbol survives */
	assert_int_equal(y->dims[1].value, 32);
	assert_int_equal(y->dims[2].value, 56);
	assert_int_equal(y->dims[3].value, 28); /* (56 + 4 - 5) / 2 + 1 */
	gr_graph_free(g);

	/* with the batch bound: MACs = out elems x (C_in / group = 1) x 9 */
	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 32, 56, 56));
	weight(g, "w", 4, D(32, 1, 3, 3));
	weight(g, "b", 1, D(32));
	n = node(g, "Conv", L("x", "w", "b"), L("y"), 3);
	attr_int(n, "group", 32);
	attr_ints(g, n, "dilations", D(2, 2), 2);
	attr_ints(g, n, "pads", D(2, 2, 2, 2), 4);
	infer_ok(g);
	check_shape(g, "y", 4, D(1, 32, 56, 56));
	n = node_named(g, "Conv");
	assert_true(n->cost.known);
	assert_true(fabs(n->cost.macs - 32.0 * 56 * 56 * 9) < 0.5);
	assert_true(fabs(n->cost.flops - (2.0 * 32 * 56 * 56 * 9 + 32.0 * 56 * 56)) < 0.5);
	assert_true(fabs(n->cost.bytes_read - 4.0 * (32 * 56 * 56 + 32 * 9 + 32)) < 0.5);
	assert_true(fabs(n->cost.bytes_written - 4.0 * 32 * 56 * 56) < 0.5);
	assert_int_equal(n->cost.params, 32 * 9 + 32);
	gr_graph_free(g);
}

static void conv_kernel_shape_from_weight_and_1d(void **state)
{
	gr_graph *g = graph(11);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 3, D(2, 4, 10));
	weight(g, "w", 3, D(8, 4, 5));
	node(g, "Conv", L("x", "w"), L("y"), 0);
	infer_ok(g);
	check_shape(g, "y", 3, D(2, 8, 6));
	n = node_named(g, "Conv");
	assert_true(fabs(n->cost.macs - 2.0 * 8 * 6 * 4 * 5) < 0.5);
	assert_true(fabs(n->cost.flops - 2.0 * n->cost.macs) < 0.5); /* no bias */
	gr_graph_free(g);
}

static void conv_same_upper_padding(void **state)
{
	static const char *const modes[] = {"SAME_UPPER", "SAME_LOWER", "VALID"};
	static const int64_t expect[] = {4, 4, 3};
	(void)state;

	for (int m = 0; m < 3; m++) {
		gr_graph *g = graph(11);
		gr_node *n;
		input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 3, 7, 7));
		weight(g, "w", 4, D(8, 3, 3, 3));
		n = node(g, "Conv", L("x", "w"), L("y"), 2);
		attr_str(n, "auto_pad", modes[m]);
		attr_ints(g, n, "strides", D(2, 2), 2);
		infer_ok(g);
		check_shape(g, "y", 4, D(1, 8, expect[m], expect[m]));
		gr_graph_free(g);
	}
}

static void conv_channel_mismatch_is_an_error(void **state)
{
	gr_graph *g = graph(11);
	gr_error err = {0};
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 3, 8, 8));
	weight(g, "w", 4, D(8, 4, 3, 3));
	node(g, "Conv", L("x", "w"), L("y"), 0);
	assert_int_equal(run(g, &err), GR_ERR_SHAPE);
	assert_non_null(strstr(err.msg, "channels"));
	gr_graph_free(g);
}

/* Regression (issue #15): an input whose dims multiply past int64 gave a wrapped kernel
 * volume (garbage MACs) and 0 bytes read, with inference reporting success. */
static void conv_input_dims_multiplying_past_int64_is_an_error(void **state)
{
	const int64_t big = (int64_t)1 << 40;
	gr_graph *g = graph(11);
	gr_error err = {0};
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 1, big, big));
	weight(g, "w", 4, D(1, 1, big, big));
	node(g, "Conv", L("x", "w"), L("y"), 0);
	assert_int_equal(run(g, &err), GR_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "node 'Conv' (Conv)"));
	assert_non_null(strstr(err.msg, "int64"));
	gr_graph_free(g);
}

/* A kernel_shape whose dilated extent overflows is an error, not a wrapped size. */
static void maxpool_dilated_kernel_overflow_is_an_error(void **state)
{
	gr_graph *g = graph(12);
	gr_error err = {0};
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 3, D(1, 1, 8));
	n = node(g, "MaxPool", L("x"), L("y"), 2);
	attr_ints(g, n, "kernel_shape", D((int64_t)1 << 62), 1);
	attr_ints(g, n, "dilations", D(8), 1);
	assert_int_equal(run(g, &err), GR_ERR_SHAPE);
	assert_non_null(strstr(err.msg, "node 'MaxPool' (MaxPool)"));
	gr_graph_free(g);
}

/* Regression: a stride near INT64_MAX is legal (one window) but (in + s - 1) / s overflowed
 * (a UBSan report, and -1 for "unknown" in a normal build) in SAME padding and ceil_mode. */
static void windows_with_a_stride_near_int64_max_give_one_output(void **state)
{
	const int64_t big = INT64_MAX;
	(void)state;

	for (int k = 0; k < 3; k++) {
		gr_graph *g = graph(12);
		gr_node *n;
		input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 1, 8, 8));
		if (k == 0) {
			weight(g, "w", 4, D(1, 1, 3, 3));
			n = node(g, "Conv", L("x", "w"), L("y"), 2);
			attr_str(n, "auto_pad", "SAME_UPPER");
		} else {
			n = node(g, "MaxPool", L("x"), L("y"), 3);
			attr_ints(g, n, "kernel_shape", D(3, 3), 2);
			if (k == 1)
				attr_str(n, "auto_pad", "SAME_LOWER");
			else
				attr_int(n, "ceil_mode", 1);
		}
		attr_ints(g, n, "strides", D(big, big), 2);
		infer_ok(g);
		check_shape(g, "y", 4, D(1, 1, 1, 1));
		gr_graph_free(g);
	}
}

/* Regression: negative pads, a zero kernel_shape and pads that overflow the padded input
 * gave shapes (exit 0) or overflowed; each is a shape error now. */
static void bad_window_attributes_are_errors(void **state)
{
	const int64_t big = INT64_MAX;
	(void)state;

	for (int k = 0; k < 5; k++) {
		gr_graph *g = graph(12);
		gr_error err = {0};
		gr_node *n;
		input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 1, 8, 8));
		weight(g, "w", 4, D(1, 1, 3, 3));
		n = node(g, k == 4 ? "MaxPool" : k == 3 ? "ConvTranspose" : "Conv",
			 k == 4 ? L("x") : L("x", "w"), L("y"), 2);
		if (k == 0)
			attr_ints(g, n, "pads", D(-1, 0, -1, 0), 4);
		else if (k == 1)
			attr_ints(g, n, "kernel_shape", D(0, 3), 2);
		else
			attr_ints(g, n, "pads", D(big, 0, big, 0), 4);
		if (k == 4)
			attr_ints(g, n, "kernel_shape", D(3, 3), 2);
		assert_int_equal(run(g, &err), GR_ERR_SHAPE);
		assert_non_null(strstr(err.msg, "node '"));
		gr_graph_free(g);
	}
}

static void conv_transpose_output_padding(void **state)
{
	gr_graph *g = graph(11);
	gr_node *n;
	(void)state;

	/* the ONNX test: 3x3 input, strides (3, 2), output_padding (1, 1) -> 10 x 8 */
	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 1, 3, 3));
	weight(g, "w", 4, D(1, 2, 3, 3));
	n = node(g, "ConvTranspose", L("x", "w"), L("y"), 2);
	attr_ints(g, n, "strides", D(3, 2), 2);
	attr_ints(g, n, "output_padding", D(1, 1), 2);
	infer_ok(g);
	check_shape(g, "y", 4, D(1, 2, 10, 8));
	n = node_named(g, "ConvTranspose");
	/* MACs = input elements x C_out/group x kernel volume */
	assert_true(fabs(n->cost.macs - 9.0 * 2 * 9) < 0.5);
	gr_graph_free(g);

	/* output_shape wins over pads; group multiplies W's second dim */
	g = graph(11);
	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 4, 3, 3));
	weight(g, "w", 4, D(4, 3, 3, 3));
	n = node(g, "ConvTranspose", L("x", "w"), L("y"), 3);
	attr_int(n, "group", 2);
	attr_ints(g, n, "strides", D(3, 2), 2);
	attr_ints(g, n, "output_shape", D(10, 8), 2);
	infer_ok(g);
	check_shape(g, "y", 4, D(1, 6, 10, 8));
	gr_graph_free(g);
}

static void deform_conv_shape_and_sampling_cost(void **state)
{
	gr_graph *g = graph(19);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 2, 5, 5));
	weight(g, "w", 4, D(3, 2, 3, 3));
	input(g, "off", GR_DTYPE_FLOAT, 4, D(1, 18, 3, 3));
	node(g, "DeformConv", L("x", "w", "off"), L("y"), 0);
	infer_ok(g);
	check_shape(g, "y", 4, D(1, 3, 3, 3));
	n = node_named(g, "DeformConv");
	assert_true(fabs(n->cost.macs - 27.0 * 2 * 9) < 0.5);
	assert_true(n->cost.flops > 2.0 * n->cost.macs); /* plus bilinear sampling */
	gr_graph_free(g);
}

/* --- pooling ------------------------------------------------------------------ */

static void maxpool_ceil_mode(void **state)
{
	(void)state;
	for (int ceil_mode = 0; ceil_mode < 2; ceil_mode++) {
		gr_graph *g = graph(12);
		gr_node *n;
		gr_tensor *idx;
		input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 1, 4, 4));
		n = node(g, "MaxPool", L("x"), L("y", "i"), 3);
		attr_ints(g, n, "kernel_shape", D(3, 3), 2);
		attr_ints(g, n, "strides", D(2, 2), 2);
		attr_int(n, "ceil_mode", ceil_mode);
		infer_ok(g);
		check_shape(g, "y", 4, ceil_mode ? D(1, 1, 2, 2) : D(1, 1, 1, 1));
		idx = gr_graph_tensor(g, "i");
		assert_int_equal(idx->dtype, GR_DTYPE_INT64);
		check_shape(g, "i", 4, ceil_mode ? D(1, 1, 2, 2) : D(1, 1, 1, 1));
		n = node_named(g, "MaxPool");
		assert_true(fabs(n->cost.flops - 9.0 * (ceil_mode ? 4 : 1)) < 0.5);
		gr_graph_free(g);
	}
}

static void maxpool_ceil_mode_drops_window_starting_in_padding(void **state)
{
	gr_graph *g = graph(12);
	gr_node *n;
	(void)state;

	/* 5 + 2 pad, k 2, s 2: ceil gives 4 windows, the last starts in the end padding */
	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 1, 5, 5));
	n = node(g, "MaxPool", L("x"), L("y"), 4);
	attr_ints(g, n, "kernel_shape", D(2, 2), 2);
	attr_ints(g, n, "strides", D(2, 2), 2);
	attr_ints(g, n, "pads", D(1, 1, 1, 1), 4);
	attr_int(n, "ceil_mode", 1);
	infer_ok(g);
	check_shape(g, "y", 4, D(1, 1, 3, 3));
	gr_graph_free(g);
}

static void averagepool_same_lower_and_global_pool(void **state)
{
	gr_graph *g = graph(11);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(2, 3, 7, 9));
	n = node(g, "AveragePool", L("x"), L("y"), 3);
	attr_ints(g, n, "kernel_shape", D(3, 3), 2);
	attr_ints(g, n, "strides", D(2, 2), 2);
	attr_str(n, "auto_pad", "SAME_LOWER");
	node(g, "GlobalAveragePool", L("y"), L("z"), 0);
	infer_ok(g);
	check_shape(g, "y", 4, D(2, 3, 4, 5));
	check_shape(g, "z", 4, D(2, 3, 1, 1));
	n = node_named(g, "GlobalAveragePool");
	assert_true(fabs(n->cost.flops - 2.0 * 3 * 4 * 5) < 0.5);
	gr_graph_free(g);
}

/* --- matrix products ------------------------------------------------------------ */

static void gemm_trans_b_flops(void **state)
{
	gr_graph *g = graph(13);
	gr_node *n;
	(void)state;

	input(g, "a", GR_DTYPE_FLOAT, 2, D(4, 8));
	weight(g, "b", 2, D(16, 8));
	weight(g, "c", 1, D(16));
	n = node(g, "Gemm", L("a", "b", "c"), L("y"), 1);
	attr_int(n, "transB", 1);
	infer_ok(g);
	check_shape(g, "y", 2, D(4, 16));
	n = node_named(g, "Gemm");
	assert_true(fabs(n->cost.macs - 4.0 * 16 * 8) < 0.5);
	assert_true(fabs(n->cost.flops - (2.0 * 4 * 16 * 8 + 4 * 16)) < 0.5);
	assert_int_equal(n->cost.params, 16 * 8 + 16);
	gr_graph_free(g);
}

static void gemm_inner_mismatch_is_an_error(void **state)
{
	gr_graph *g = graph(13);
	gr_error err = {0};
	gr_node *n;
	(void)state;

	input(g, "a", GR_DTYPE_FLOAT, 2, D(8, 4));
	weight(g, "b", 2, D(8, 16));
	n = node(g, "Gemm", L("a", "b"), L("y"), 1);
	attr_int(n, "transA", 0);
	assert_int_equal(run(g, &err), GR_ERR_SHAPE);
	gr_graph_free(g);
}

static void matmul_batched_broadcast(void **state)
{
	gr_graph *g = graph(13);
	gr_node *n;
	gr_tensor *y;
	(void)state;

	input(g, "a", GR_DTYPE_FLOAT, 4, D(2, 1, 3, 4));
	input(g, "b", GR_DTYPE_FLOAT, 3, D(5, 4, 6));
	node(g, "MatMul", L("a", "b"), L("y"), 0);
	input(g, "c", GR_DTYPE_FLOAT, 3, D(-2, 3, 4));
	weight(g, "w", 2, D(4, 7));
	node(g, "MatMul", L("c", "w"), L("z"), 0);
	infer_ok(g);
	check_shape(g, "y", 4, D(2, 5, 3, 6));
	n = node_named(g, "MatMul");
	assert_true(fabs(n->cost.macs - 2.0 * 5 * 3 * 6 * 4) < 0.5);
	assert_true(fabs(n->cost.flops - 2.0 * n->cost.macs) < 0.5);
	y = gr_graph_tensor(g, "z");
	assert_int_equal(y->rank, 3);
	assert_string_equal(y->dims[0].sym, "batch");
	assert_int_equal(y->dims[2].value, 7);
	gr_graph_free(g);
}

static void matmul_1d_operands(void **state)
{
	gr_graph *g = graph(13);
	(void)state;

	input(g, "v", GR_DTYPE_FLOAT, 1, D(4));
	input(g, "m", GR_DTYPE_FLOAT, 2, D(3, 4));
	input(g, "t", GR_DTYPE_FLOAT, 3, D(2, 4, 5));
	node(g, "MatMul", L("v", "v"), L("dot"), 0);
	node(g, "MatMul", L("m", "v"), L("mv"), 0);
	node(g, "MatMul", L("v", "t"), L("vt"), 0);
	infer_ok(g);
	check_shape(g, "dot", 0, NULL);
	check_shape(g, "mv", 1, D(3));
	check_shape(g, "vt", 2, D(2, 5));
	gr_graph_free(g);
}

static void matmul_integer_outputs_int32(void **state)
{
	gr_graph *g = graph(13);
	(void)state;

	input(g, "a", GR_DTYPE_UINT8, 2, D(3, 4));
	input(g, "b", GR_DTYPE_UINT8, 2, D(4, 2));
	node(g, "MatMulInteger", L("a", "b"), L("y"), 0);
	infer_ok(g);
	check_shape(g, "y", 2, D(3, 2));
	assert_int_equal(gr_graph_tensor(g, "y")->dtype, GR_DTYPE_INT32);
	gr_graph_free(g);
}

static void einsum_bmm(void **state)
{
	gr_graph *g = graph(12);
	gr_node *n;
	(void)state;

	input(g, "a", GR_DTYPE_FLOAT, 3, D(2, 3, 4));
	input(g, "b", GR_DTYPE_FLOAT, 3, D(2, 4, 5));
	n = node(g, "Einsum", L("a", "b"), L("y"), 1);
	attr_str(n, "equation", "bij, bjk -> bik");
	infer_ok(g);
	check_shape(g, "y", 3, D(2, 3, 5));
	n = node_named(g, "Einsum");
	assert_true(fabs(n->cost.macs - 2.0 * 3 * 4 * 5) < 0.5);
	gr_graph_free(g);
}

static void einsum_ellipsis_and_implicit_output(void **state)
{
	gr_graph *g = graph(12);
	gr_node *n;
	(void)state;

	input(g, "a", GR_DTYPE_FLOAT, 4, D(6, 2, 3, 4));
	input(g, "b", GR_DTYPE_FLOAT, 3, D(2, 4, 5));
	n = node(g, "Einsum", L("a", "b"), L("y"), 1);
	attr_str(n, "equation", "...ij,...jk"); /* implicit: '...' then i, k */
	input(g, "c", GR_DTYPE_FLOAT, 3, D(3, 5, 5));
	n = node(g, "Einsum", L("c"), L("d"), 1);
	attr_str(n, "equation", "...ii ->...i");
	input(g, "e", GR_DTYPE_FLOAT, 2, D(3, 4));
	n = node(g, "Einsum", L("e"), L("f"), 1);
	attr_str(n, "equation", "ij->ji");
	infer_ok(g);
	check_shape(g, "y", 4, D(6, 2, 3, 5));
	check_shape(g, "d", 2, D(3, 5));
	check_shape(g, "f", 2, D(4, 3));
	gr_graph_free(g);
}

/* --- elementwise, broadcasting and folding ------------------------------------------ */

static void broadcast_mismatch_is_an_error(void **state)
{
	gr_graph *g = graph(13);
	gr_error err = {0};
	(void)state;

	input(g, "a", GR_DTYPE_FLOAT, 2, D(2, 3));
	input(g, "b", GR_DTYPE_FLOAT, 2, D(4, 3));
	node(g, "Add", L("a", "b"), L("y"), 0);
	assert_int_equal(run(g, &err), GR_ERR_SHAPE);
	assert_non_null(strstr(err.msg, "Add"));
	gr_graph_free(g);
}

static void broadcast_keeps_symbol_and_costs_output_elements(void **state)
{
	gr_graph *g = graph(13);
	gr_tensor *y;
	gr_node *n;
	(void)state;

	input(g, "a", GR_DTYPE_FLOAT, 3, D(-2, 1, 4));
	input(g, "b", GR_DTYPE_FLOAT, 2, D(3, 1));
	node(g, "Mul", L("a", "b"), L("y"), 0);
	input(g, "c", GR_DTYPE_FLOAT, 3, D(2, 1, 4));
	node(g, "Sub", L("c", "b"), L("z"), 0);
	node(g, "Sigmoid", L("z"), L("s"), 0);
	infer_ok(g);
	y = gr_graph_tensor(g, "y");
	assert_int_equal(y->rank, 3);
	assert_string_equal(y->dims[0].sym, "batch");
	assert_int_equal(y->dims[1].value, 3);
	assert_int_equal(y->dims[2].value, 4);
	check_shape(g, "z", 3, D(2, 3, 4));
	n = node_named(g, "Sub");
	assert_true(fabs(n->cost.flops - 24.0) < 0.5);
	assert_true(fabs(n->cost.bytes_read - 4.0 * (8 + 3)) < 0.5);
	assert_true(fabs(n->cost.bytes_written - 4.0 * 24) < 0.5);
	n = node_named(g, "Sigmoid");
	assert_true(fabs(n->cost.flops - 24.0 * gr_op_table[GR_OP_SIGMOID].flops_per_elem) < 0.5);
	gr_graph_free(g);
}

static void binary_folds_int_values(void **state)
{
	gr_graph *g = graph(13);
	gr_tensor *t;
	(void)state;

	const_i64(g, "shape", GR_DTYPE_INT64, 1, D(3), D(2, 12, 64), 3);
	const_i64(g, "four", GR_DTYPE_INT64, 0, NULL, D(4), 1);
	const_i64(g, "neg", GR_DTYPE_INT64, 1, D(2), D(-7, 7), 2);
	const_i64(g, "two", GR_DTYPE_INT64, 1, D(1), D(2), 1);
	node(g, "Mul", L("shape", "four"), L("mul"), 0);
	node(g, "Div", L("neg", "two"), L("div"), 0);
	node(g, "Mod", L("neg", "four"), L("mod"), 0);
	node(g, "Equal", L("shape", "two"), L("eq"), 0);
	node(g, "Where", L("eq", "four", "shape"), L("wh"), 0);
	node(g, "Neg", L("neg"), L("negneg"), 0);
	node(g, "Max", L("neg", "two", "four"), L("max"), 0);
	node(g, "Cast", L("div"), L("fdiv"), 1);
	attr_int(g->nodes[g->n_nodes - 1], "to", GR_DTYPE_FLOAT);
	infer_ok(g);

	t = gr_graph_tensor(g, "mul");
	assert_true(t->has_value);
	assert_int_equal(t->nval, 3);
	assert_int_equal(t->ival[0], 8);
	assert_int_equal(t->ival[1], 48);
	assert_int_equal(t->ival[2], 256);
	t = gr_graph_tensor(g, "div");
	assert_int_equal(t->ival[0], -3); /* truncation toward zero */
	assert_int_equal(t->ival[1], 3);
	t = gr_graph_tensor(g, "mod");
	assert_int_equal(t->ival[0], 1); /* sign of the divisor (fmod = 0) */
	assert_int_equal(t->ival[1], 3);
	t = gr_graph_tensor(g, "eq");
	assert_int_equal(t->dtype, GR_DTYPE_BOOL);
	assert_true(t->has_value);
	assert_int_equal(t->ival[0], 1);
	assert_int_equal(t->ival[1], 0);
	t = gr_graph_tensor(g, "wh");
	assert_int_equal(t->ival[0], 4);
	assert_int_equal(t->ival[1], 12);
	assert_int_equal(t->ival[2], 64);
	t = gr_graph_tensor(g, "negneg");
	assert_int_equal(t->ival[0], 7);
	assert_int_equal(t->ival[1], -7);
	t = gr_graph_tensor(g, "max");
	assert_int_equal(t->ival[0], 4);
	assert_int_equal(t->ival[1], 7);
	t = gr_graph_tensor(g, "fdiv");
	assert_int_equal(t->dtype, GR_DTYPE_FLOAT);
	assert_non_null(t->fval);
	assert_true(t->fval[0] == -3.0);
	gr_graph_free(g);
}

static void binary_does_not_fold_division_by_zero(void **state)
{
	gr_graph *g = graph(13);
	(void)state;

	const_i64(g, "a", GR_DTYPE_INT64, 1, D(2), D(4, 6), 2);
	const_i64(g, "z", GR_DTYPE_INT64, 1, D(2), D(2, 0), 2);
	node(g, "Div", L("a", "z"), L("y"), 0);
	infer_ok(g);
	check_shape(g, "y", 1, D(2));
	assert_false(gr_graph_tensor(g, "y")->has_value);
	gr_graph_free(g);
}

static void comparison_and_isnan_are_bool(void **state)
{
	gr_graph *g = graph(13);
	(void)state;

	input(g, "a", GR_DTYPE_FLOAT, 2, D(2, 3));
	input(g, "b", GR_DTYPE_FLOAT, 1, D(3));
	node(g, "Less", L("a", "b"), L("lt"), 0);
	node(g, "IsNaN", L("a"), L("nan"), 0);
	node(g, "IsInf", L("a"), L("inf"), 0);
	node(g, "Not", L("lt"), L("ge"), 0);
	infer_ok(g);
	assert_int_equal(gr_graph_tensor(g, "lt")->dtype, GR_DTYPE_BOOL);
	assert_int_equal(gr_graph_tensor(g, "nan")->dtype, GR_DTYPE_BOOL);
	assert_int_equal(gr_graph_tensor(g, "inf")->dtype, GR_DTYPE_BOOL);
	assert_int_equal(gr_graph_tensor(g, "ge")->dtype, GR_DTYPE_BOOL);
	check_shape(g, "lt", 2, D(2, 3));
	gr_graph_free(g);
}

static void clip_bounds_from_attrs_and_inputs_fold(void **state)
{
	gr_graph *g = graph(13);
	gr_node *n;
	gr_tensor *t;
	(void)state;

	const_i64(g, "v", GR_DTYPE_INT64, 1, D(3), D(-5, 3, 50), 3);
	const_i64(g, "lo", GR_DTYPE_INT64, 0, NULL, D(0), 1);
	const_i64(g, "hi", GR_DTYPE_INT64, 0, NULL, D(10), 1);
	node(g, "Clip", L("v", "lo", "hi"), L("c"), 0);
	node(g, "Clip", L("v", "", "hi"), L("d"), 0);
	infer_ok(g);
	t = gr_graph_tensor(g, "c");
	assert_int_equal(t->ival[0], 0);
	assert_int_equal(t->ival[1], 3);
	assert_int_equal(t->ival[2], 10);
	t = gr_graph_tensor(g, "d");
	assert_int_equal(t->ival[0], -5);
	gr_graph_free(g);

	g = graph(6); /* bounds as attributes */
	input(g, "x", GR_DTYPE_FLOAT, 2, D(2, 2));
	n = node(g, "Clip", L("x"), L("y"), 2);
	attr_float(n, "min", 0.0);
	attr_float(n, "max", 6.0);
	infer_ok(g);
	check_shape(g, "y", 2, D(2, 2));
	gr_graph_free(g);
}

/* The folds in the floating domain (one loop serves both domains): unary, Mean, Where with
 * broadcasting, Clip, comparisons with a NaN, and a float fold stored into an int output. */
static void float_folds_match_hand_values(void **state)
{
	const double nan = NAN;
	gr_graph *g = graph(13);
	gr_tensor *t;
	gr_node *n;
	(void)state;

	floats(g, "a", 1, D(3), (const double[]){1.5, -2.0, nan}, 3);
	floats(g, "b", 1, D(3), (const double[]){0.5, -2.0, 1.0}, 3);
	floats(g, "s", 0, NULL, (const double[]){10.0}, 1);
	floats(g, "lo", 0, NULL, (const double[]){-1.0}, 1);
	const_i64(g, "c", GR_DTYPE_BOOL, 1, D(3), D(1, 0, 1), 3);
	node(g, "Floor", L("a"), L("fl"), 0);
	node(g, "Mean", L("a", "b", "s"), L("mean"), 0);
	node(g, "Where", L("c", "a", "s"), L("wh"), 0);
	node(g, "Clip", L("b", "lo", ""), L("cl"), 0);
	node(g, "GreaterOrEqual", L("a", "b"), L("ge"), 0);
	n = node(g, "Cast", L("b"), L("bi"), 1);
	attr_int(n, "to", GR_DTYPE_INT64);
	node(g, "Add", L("bi", "bi"), L("sum_i"), 0);
	infer_ok(g);

	t = gr_graph_tensor(g, "fl");
	assert_true(t->fval[0] == 1.0 && t->fval[1] == -2.0 && isnan(t->fval[2]));
	t = gr_graph_tensor(g, "mean");
	assert_true(t->fval[0] == 4.0 && fabs(t->fval[1] - 2.0) < 1e-12 && isnan(t->fval[2]));
	t = gr_graph_tensor(g, "wh");
	assert_true(t->fval[0] == 1.5 && t->fval[1] == 10.0 && isnan(t->fval[2]));
	t = gr_graph_tensor(g, "cl");
	assert_true(t->fval[0] == 0.5 && t->fval[1] == -1.0 && t->fval[2] == 1.0);
	t = gr_graph_tensor(g, "ge");
	assert_int_equal(t->dtype, GR_DTYPE_BOOL);
	assert_int_equal(t->ival[0], 1);
	assert_int_equal(t->ival[1], 1);
	assert_int_equal(t->ival[2], 0); /* NaN compares false */
	t = gr_graph_tensor(g, "sum_i");
	assert_int_equal(t->ival[0], 0);
	assert_int_equal(t->ival[1], -4);
	assert_int_equal(t->ival[2], 2);
	gr_graph_free(g);
}

/* Regression: an integer Clip whose bound is beyond int64 converted that bound with
 * (int64_t)lo, undefined behaviour (UBSan; a wrapped value in a normal build). It does not
 * fold now. */
static void integer_clip_with_a_bound_beyond_int64_does_not_fold(void **state)
{
	gr_graph *g = graph(13);
	(void)state;

	const_i64(g, "v", GR_DTYPE_INT64, 1, D(2), D(1, 2), 2);
	const_i64(g, "lo", GR_DTYPE_INT64, 0, NULL, D(INT64_MAX), 1);
	node(g, "Clip", L("v", "lo", ""), L("c"), 0);
	infer_ok(g);
	check_shape(g, "c", 1, D(2));
	assert_false(gr_graph_tensor(g, "c")->has_value);
	gr_graph_free(g);
}

static void cast_and_quantize_dtypes(void **state)
{
	gr_graph *g = graph(13);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 2, D(2, 3));
	input(g, "like", GR_DTYPE_FLOAT16, 1, D(1));
	weight(g, "s", 0, NULL);
	const_i64(g, "zp", GR_DTYPE_INT8, 0, NULL, D(0), 1);
	n = node(g, "Cast", L("x"), L("c"), 1);
	attr_int(n, "to", GR_DTYPE_INT32);
	node(g, "CastLike", L("x", "like"), L("cl"), 0);
	node(g, "QuantizeLinear", L("x", "s", "zp"), L("q8"), 0);
	node(g, "QuantizeLinear", L("x", "s"), L("qu8"), 0);
	node(g, "DequantizeLinear", L("q8", "s", "zp"), L("dq"), 0);
	node(g, "DynamicQuantizeLinear", L("x"), L("dy", "dys", "dyz"), 0);
	infer_ok(g);
	assert_int_equal(gr_graph_tensor(g, "c")->dtype, GR_DTYPE_INT32);
	assert_int_equal(gr_graph_tensor(g, "cl")->dtype, GR_DTYPE_FLOAT16);
	assert_int_equal(gr_graph_tensor(g, "q8")->dtype, GR_DTYPE_INT8);
	assert_int_equal(gr_graph_tensor(g, "qu8")->dtype, GR_DTYPE_UINT8);
	assert_int_equal(gr_graph_tensor(g, "dq")->dtype, GR_DTYPE_FLOAT);
	assert_int_equal(gr_graph_tensor(g, "dy")->dtype, GR_DTYPE_UINT8);
	check_shape(g, "dq", 2, D(2, 3));
	check_shape(g, "dys", 0, NULL);
	assert_int_equal(gr_graph_tensor(g, "dyz")->dtype, GR_DTYPE_UINT8);
	gr_graph_free(g);
}

static void unknown_input_rank_leaves_output_unknown(void **state)
{
	gr_graph *g = graph(13);
	gr_tensor *x = gr_graph_tensor_def(g, "x");
	gr_node *n;
	(void)state;

	x->dtype = GR_DTYPE_FLOAT; /* rank stays -1 */
	gr_graph_add_input(g, x);
	input(g, "b", GR_DTYPE_FLOAT, 1, D(3));
	node(g, "Relu", L("x"), L("r"), 0);
	node(g, "Add", L("r", "b"), L("y"), 0);
	node(g, "ReduceSum", L("y"), L("s"), 0);
	infer_ok(g);
	assert_int_equal(gr_graph_tensor(g, "y")->rank, -1);
	assert_int_equal(gr_graph_tensor(g, "y")->dtype, GR_DTYPE_FLOAT);
	n = node_named(g, "Add");
	assert_false(n->shape_known);
	assert_false(n->cost.known);
	gr_graph_free(g);
}

/* --- normalization and softmax ------------------------------------------------------ */

static void batchnorm_training_outputs(void **state)
{
	gr_graph *g = graph(15);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(2, 3, 4, 5));
	weight(g, "s", 1, D(3));
	weight(g, "b", 1, D(3));
	weight(g, "m", 1, D(3));
	weight(g, "v", 1, D(3));
	n = node(g, "BatchNormalization", L("x", "s", "b", "m", "v"), L("y", "rm", "rv"), 1);
	attr_int(n, "training_mode", 1);
	infer_ok(g);
	check_shape(g, "y", 4, D(2, 3, 4, 5));
	check_shape(g, "rm", 1, D(3));
	check_shape(g, "rv", 1, D(3));
	gr_graph_free(g);

	g = graph(15);
	input(g, "x", GR_DTYPE_FLOAT, 4, D(2, 3, 4, 5));
	weight(g, "s", 1, D(3));
	weight(g, "b", 1, D(3));
	weight(g, "m", 1, D(3));
	weight(g, "v", 1, D(3));
	node(g, "BatchNormalization", L("x", "s", "b", "m", "v"), L("y"), 0);
	infer_ok(g);
	n = node_named(g, "BatchNormalization");
	assert_true(fabs(n->cost.flops - 2.0 * 120) < 0.5); /* scale + shift at inference */
	assert_int_equal(n->cost.params, 6);                 /* mean and var are state */
	gr_graph_free(g);
}

static void layernorm_mean_invstddev_shapes(void **state)
{
	gr_graph *g = graph(17);
	gr_node *n;
	gr_tensor *m;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT16, 3, D(2, 3, 4));
	weight(g, "s", 2, D(3, 4));
	n = node(g, "LayerNormalization", L("x", "s"), L("y", "mean", "isd"), 1);
	attr_int(n, "axis", 1);
	infer_ok(g);
	check_shape(g, "y", 3, D(2, 3, 4));
	assert_int_equal(gr_graph_tensor(g, "y")->dtype, GR_DTYPE_FLOAT16);
	check_shape(g, "mean", 3, D(2, 1, 1));
	check_shape(g, "isd", 3, D(2, 1, 1));
	m = gr_graph_tensor(g, "mean");
	assert_int_equal(m->dtype, GR_DTYPE_FLOAT); /* stash_type default */
	gr_graph_free(g);
}

static void softmax_and_loss_reduction(void **state)
{
	gr_graph *g = graph(13);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 3, D(4, 5, 6));
	input(g, "lab", GR_DTYPE_INT64, 2, D(4, 6));
	node(g, "Softmax", L("x"), L("sm"), 0);
	node(g, "SoftmaxCrossEntropyLoss", L("x", "lab"), L("mean", "logp"), 0);
	n = node(g, "NegativeLogLikelihoodLoss", L("x", "lab"), L("none"), 1);
	attr_str(n, "reduction", "none");
	infer_ok(g);
	check_shape(g, "sm", 3, D(4, 5, 6));
	check_shape(g, "mean", 0, NULL);
	check_shape(g, "logp", 3, D(4, 5, 6));
	check_shape(g, "none", 2, D(4, 6));
	n = node_named(g, "Softmax");
	assert_true(fabs(n->cost.flops - 120.0 * gr_op_table[GR_OP_SOFTMAX].flops_per_elem) < 0.5);
	gr_graph_free(g);
}

/* --- reductions ------------------------------------------------------------------ */

static void reduce_mean_axes_input_opset18(void **state)
{
	gr_graph *g = graph(18);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 3, D(2, 3, 4));
	const_i64(g, "axes", GR_DTYPE_INT64, 1, D(1), D(-2), 1);
	n = node(g, "ReduceMean", L("x", "axes"), L("y"), 1);
	attr_int(n, "keepdims", 0);
	node(g, "ReduceMax", L("x", "axes"), L("k"), 0);
	infer_ok(g);
	check_shape(g, "y", 2, D(2, 4));
	check_shape(g, "k", 3, D(2, 1, 4));
	n = node_named(g, "ReduceMean");
	assert_true(fabs(n->cost.flops - 24.0) < 0.5); /* one per input element */
	gr_graph_free(g);
}

static void reduce_axes_attribute_and_empty_axes(void **state)
{
	gr_graph *g = graph(13);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 3, D(2, 3, 4));
	n = node(g, "ReduceMean", L("x"), L("a"), 1);
	attr_ints(g, n, "axes", D(0, 2), 2);
	node(g, "ReduceL2", L("x"), L("all"), 0); /* no axes: everything, keepdims */
	n = node(g, "ReduceSum", L("x"), L("noop"), 1);
	attr_int(n, "noop_with_empty_axes", 1);
	infer_ok(g);
	check_shape(g, "a", 3, D(1, 3, 1));
	check_shape(g, "all", 3, D(1, 1, 1));
	check_shape(g, "noop", 3, D(2, 3, 4));
	gr_graph_free(g);
}

static void reduce_prod_folds_values(void **state)
{
	gr_graph *g = graph(13);
	gr_tensor *t;
	gr_node *n;
	(void)state;

	const_i64(g, "shape", GR_DTYPE_INT64, 1, D(3), D(2, 3, 4), 3);
	n = node(g, "ReduceProd", L("shape"), L("p"), 1);
	attr_int(n, "keepdims", 0);
	infer_ok(g);
	t = gr_graph_tensor(g, "p");
	assert_int_equal(t->rank, 0);
	assert_true(t->has_value);
	assert_int_equal(t->ival[0], 24);
	gr_graph_free(g);
}

static void argmax_select_last_index_keepdims(void **state)
{
	gr_graph *g = graph(12);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 3, D(2, 3, 4));
	n = node(g, "ArgMax", L("x"), L("a"), 3);
	attr_int(n, "axis", -2);
	attr_int(n, "keepdims", 0);
	attr_int(n, "select_last_index", 1);
	node(g, "ArgMin", L("x"), L("b"), 0);
	infer_ok(g);
	check_shape(g, "a", 2, D(2, 4));
	check_shape(g, "b", 3, D(1, 3, 4));
	assert_int_equal(gr_graph_tensor(g, "a")->dtype, GR_DTYPE_INT64);
	gr_graph_free(g);
}

static void topk_k_from_input(void **state)
{
	gr_graph *g = graph(11);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 2, D(3, 4));
	const_i64(g, "k", GR_DTYPE_INT64, 1, D(1), D(2), 1);
	n = node(g, "TopK", L("x", "k"), L("v", "i"), 1);
	attr_int(n, "axis", 1);
	infer_ok(g);
	check_shape(g, "v", 2, D(3, 2));
	check_shape(g, "i", 2, D(3, 2));
	assert_int_equal(gr_graph_tensor(g, "v")->dtype, GR_DTYPE_FLOAT);
	assert_int_equal(gr_graph_tensor(g, "i")->dtype, GR_DTYPE_INT64);
	gr_graph_free(g);

	g = graph(9); /* k as an attribute before opset 10 */
	input(g, "x", GR_DTYPE_FLOAT, 2, D(3, 4));
	n = node(g, "TopK", L("x"), L("v", "i"), 1);
	attr_int(n, "k", 3);
	infer_ok(g);
	check_shape(g, "v", 2, D(3, 3));
	gr_graph_free(g);
}

static void conv_transpose_same_upper_is_input_times_stride(void **state)
{
	gr_graph *g = graph(11);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 1, 3, 3));
	weight(g, "w", 4, D(1, 2, 3, 3));
	n = node(g, "ConvTranspose", L("x", "w"), L("y"), 2);
	attr_str(n, "auto_pad", "SAME_UPPER");
	attr_ints(g, n, "strides", D(2, 2), 2);
	infer_ok(g);
	check_shape(g, "y", 4, D(1, 2, 6, 6));
	gr_graph_free(g);
}

static void prelu_output_has_x_shape(void **state)
{
	gr_graph *g = graph(9);
	gr_error err = {0};
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(2, 3, 4, 5));
	weight(g, "slope", 3, D(3, 1, 1));
	node(g, "PRelu", L("x", "slope"), L("y"), 0);
	infer_ok(g);
	check_shape(g, "y", 4, D(2, 3, 4, 5));
	gr_graph_free(g);

	g = graph(9); /* the slope must broadcast to X, not the other way */
	input(g, "x", GR_DTYPE_FLOAT, 2, D(2, 1));
	weight(g, "slope", 2, D(2, 3));
	node(g, "PRelu", L("x", "slope"), L("y"), 0);
	assert_int_equal(run(g, &err), GR_ERR_SHAPE);
	gr_graph_free(g);
}

static void softmax_old_default_axis_on_1d_input(void **state)
{
	gr_graph *g = graph(11);
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 1, D(7));
	node(g, "Softmax", L("x"), L("y"), 0);
	node(g, "LogSoftmax", L("x"), L("z"), 0);
	infer_ok(g);
	check_shape(g, "y", 1, D(7));
	check_shape(g, "z", 1, D(7));
	gr_graph_free(g);
}

static void reduce_keeps_batch_symbol(void **state)
{
	gr_graph *g = graph(13);
	gr_tensor *y;
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 3, D(-2, 16, 32));
	n = node(g, "ReduceMean", L("x"), L("y"), 2);
	attr_ints(g, n, "axes", D(-1), 1);
	attr_int(n, "keepdims", 0);
	infer_ok(g);
	y = gr_graph_tensor(g, "y");
	assert_int_equal(y->rank, 2);
	assert_string_equal(y->dims[0].sym, "batch");
	assert_int_equal(y->dims[1].value, 16);
	gr_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(conv_grouped_depthwise_dilated_shapes_and_macs),
		cmocka_unit_test(conv_kernel_shape_from_weight_and_1d),
		cmocka_unit_test(conv_same_upper_padding),
		cmocka_unit_test(conv_channel_mismatch_is_an_error),
		cmocka_unit_test(conv_input_dims_multiplying_past_int64_is_an_error),
		cmocka_unit_test(maxpool_dilated_kernel_overflow_is_an_error),
		cmocka_unit_test(float_folds_match_hand_values),
		cmocka_unit_test(integer_clip_with_a_bound_beyond_int64_does_not_fold),
		cmocka_unit_test(windows_with_a_stride_near_int64_max_give_one_output),
		cmocka_unit_test(bad_window_attributes_are_errors),
		cmocka_unit_test(conv_transpose_output_padding),
		cmocka_unit_test(conv_transpose_same_upper_is_input_times_stride),
		cmocka_unit_test(deform_conv_shape_and_sampling_cost),
		cmocka_unit_test(maxpool_ceil_mode),
		cmocka_unit_test(maxpool_ceil_mode_drops_window_starting_in_padding),
		cmocka_unit_test(averagepool_same_lower_and_global_pool),
		cmocka_unit_test(gemm_trans_b_flops),
		cmocka_unit_test(gemm_inner_mismatch_is_an_error),
		cmocka_unit_test(matmul_batched_broadcast),
		cmocka_unit_test(matmul_1d_operands),
		cmocka_unit_test(matmul_integer_outputs_int32),
		cmocka_unit_test(einsum_bmm),
		cmocka_unit_test(einsum_ellipsis_and_implicit_output),
		cmocka_unit_test(broadcast_mismatch_is_an_error),
		cmocka_unit_test(broadcast_keeps_symbol_and_costs_output_elements),
		cmocka_unit_test(binary_folds_int_values),
		cmocka_unit_test(binary_does_not_fold_division_by_zero),
		cmocka_unit_test(comparison_and_isnan_are_bool),
		cmocka_unit_test(clip_bounds_from_attrs_and_inputs_fold),
		cmocka_unit_test(cast_and_quantize_dtypes),
		cmocka_unit_test(unknown_input_rank_leaves_output_unknown),
		cmocka_unit_test(batchnorm_training_outputs),
		cmocka_unit_test(layernorm_mean_invstddev_shapes),
		cmocka_unit_test(softmax_and_loss_reduction),
		cmocka_unit_test(reduce_mean_axes_input_opset18),
		cmocka_unit_test(reduce_axes_attribute_and_empty_axes),
		cmocka_unit_test(reduce_prod_folds_values),
		cmocka_unit_test(argmax_select_last_index_keepdims),
		cmocka_unit_test(topk_k_from_input),
		cmocka_unit_test(prelu_output_has_x_shape),
		cmocka_unit_test(softmax_old_default_axis_on_1d_input),
		cmocka_unit_test(reduce_keeps_batch_symbol),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
