/* Shape inference, constant folding and cost of the shape/data-movement ops, indexing ops,
 * recurrent ops (FLOPs over all time steps) and control flow, on small graphs built with
 * the builder API. */
#include <math.h>

#include "graph_builders.h"

/* --- Shape, Gather, Unsqueeze, Concat, Reshape folding ----------------------- */

/* x [2,3,4] -> Shape -> Gather(0) -> Unsqueeze -> Concat([.., -1]) -> Reshape: [2, 12]. */
static gr_graph *shape_chain(int64_t d0)
{
	gr_graph *g = graph(13);
	gr_node *n;

	input(g, "x", GR_DTYPE_FLOAT, 3, D(d0, 3, 4));
	ints(g, "zero", GR_DTYPE_INT64, 0, D(0), 1);
	ints(g, "ax0", GR_DTYPE_INT64, 1, D(0), 1);
	ints(g, "minus1", GR_DTYPE_INT64, 1, D(-1), 1);
	node(g, "Shape", L("x"), L("s"), 0);
	n = node(g, "Gather", L("s", "zero"), L("b"), 1);
	attr_int(n, "axis", 0);
	node(g, "Unsqueeze", L("b", "ax0"), L("b1"), 0);
	n = node(g, "Concat", L("b1", "minus1"), L("target"), 1);
	attr_int(n, "axis", 0);
	node(g, "Reshape", L("x", "target"), L("y"), 0);
	return g;
}

static void shape_gather_concat_reshape_folds_to_static_shape(void **state)
{
	gr_graph *g = shape_chain(2);
	(void)state;

	infer_ok(g);
	IVALS(g, "s", 2, 3, 4);
	SCALAR(g, "b");
	IVALS(g, "b", 2);
	IVALS(g, "b1", 2);
	IVALS(g, "target", 2, -1);
	SHAPE(g, "y", 2, 12);
	/* Shape reads no data; Reshape is a view. */
	assert_true(cost_of(g, 0)->bytes_read == 0);
	assert_true(node_named(g, "Reshape")->cost.bytes_read == 0);
	assert_true(node_named(g, "Reshape")->cost.flops == 0);
	gr_graph_free(g);
}

static void symbolic_batch_reshape_resolves_after_binding(void **state)
{
	gr_graph *g = shape_chain(-2);
	gr_error err = {0};
	(void)state;

	infer_ok(g);
	assert_false(gr_graph_tensor(g, "s")->has_value);
	SHAPE(g, "target", 2);
	SHAPE(g, "y", -1, -1); /* rank from the target's length */
	assert_int_equal(gr_graph_bind_dim(g, "batch", 8, &err), GR_OK);
	assert_int_equal(gr_graph_infer(g, &err), GR_OK);
	IVALS(g, "target", 8, -1);
	SHAPE(g, "y", 8, 12);
	gr_graph_free(g);
}

static void shape_start_end_opset15(void **state)
{
	gr_graph *g = graph(15);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 3, 224, 224));
	n = node(g, "Shape", L("x"), L("s"), 2);
	attr_int(n, "start", 1);
	attr_int(n, "end", -1);
	node(g, "Size", L("x"), L("n"), 0);
	infer_ok(g);
	SHAPE(g, "s", 2);
	IVALS(g, "s", 3, 224);
	SCALAR(g, "n");
	IVALS(g, "n", 150528);
	gr_graph_free(g);
}

/* --- Reshape, Flatten, Squeeze, Unsqueeze, Transpose ---------------------------- */

static void reshape_zero_and_minus_one(void **state)
{
	gr_graph *g = graph(14);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 3, D(2, 3, 4));
	input(g, "e", GR_DTYPE_FLOAT, 3, D(0, 3, 4));
	input(g, "h", GR_DTYPE_FLOAT, 2, D(-2, 768));
	ints(g, "t1", GR_DTYPE_INT64, 1, D(0, -1), 2);
	ints(g, "t2", GR_DTYPE_INT64, 1, D(-1, 0, 2), 3);
	ints(g, "t3", GR_DTYPE_INT64, 1, D(3, 4, 0), 3);
	ints(g, "t4", GR_DTYPE_INT64, 1, D(-1, 12, 64), 3);
	node(g, "Reshape", L("x", "t1"), L("y1"), 0);
	node(g, "Reshape", L("x", "t2"), L("y2"), 0);
	n = node(g, "Reshape", L("e", "t3"), L("y3"), 1);
	attr_int(n, "allowzero", 1);
	node(g, "Reshape", L("h", "t4"), L("y4"), 0);
	infer_ok(g);
	SHAPE(g, "y1", 2, 12);
	SHAPE(g, "y2", 4, 3, 2);
	SHAPE(g, "y3", 3, 4, 0); /* allowzero: 0 is a real size */
	/* [batch, 768] -> [-1, 12, 64]: the -1 is the symbolic batch */
	SHAPE(g, "y4", -1, 12, 64);
	assert_string_equal(gr_graph_tensor(g, "y4")->dims[0].sym, "batch");
	gr_graph_free(g);
}

static void reshape_rejects_wrong_element_count(void **state)
{
	gr_graph *g = graph(14);
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 2, D(2, 3));
	ints(g, "t", GR_DTYPE_INT64, 1, D(4, 2), 2);
	node(g, "Reshape", L("x", "t"), L("y"), 0);
	infer_fails(g);
	gr_graph_free(g);
}

static void flatten_squeeze_unsqueeze_transpose(void **state)
{
	gr_graph *g = graph(13);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(-2, 1, 5, 6));
	ints(g, "ax1", GR_DTYPE_INT64, 1, D(1), 1);
	ints(g, "ax2", GR_DTYPE_INT64, 1, D(0, -1), 2);
	n = node(g, "Flatten", L("x"), L("f"), 1);
	attr_int(n, "axis", -2);
	node(g, "Flatten", L("x"), L("f1"), 0);
	node(g, "Squeeze", L("x", "ax1"), L("sq"), 0);
	node(g, "Unsqueeze", L("sq", "ax2"), L("us"), 0);
	node(g, "Transpose", L("x"), L("tr"), 0);
	n = node(g, "Transpose", L("x"), L("tp"), 1);
	attr_ints(g, n, "perm", D(0, 2, 3, 1), 4);
	infer_ok(g);
	SHAPE(g, "f", -1, 30);
	SHAPE(g, "f1", -1, 30);
	assert_string_equal(gr_graph_tensor(g, "f1")->dims[0].sym, "batch");
	SHAPE(g, "sq", -1, 5, 6);
	SHAPE(g, "us", 1, -1, 5, 6, 1);
	SHAPE(g, "tr", 6, 5, 1, -1);
	SHAPE(g, "tp", -1, 5, 6, 1);
	gr_graph_free(g);
}

static void squeeze_opset11_attribute_and_transpose_folds(void **state)
{
	gr_graph *g = graph(11);
	gr_node *n;
	(void)state;

	ints(g, "c", GR_DTYPE_INT64, 1, D(1, 2, 3, 4, 5, 6), 6);
	ints(g, "shp", GR_DTYPE_INT64, 1, D(1, 2, 3), 3);
	node(g, "Reshape", L("c", "shp"), L("r"), 0);
	n = node(g, "Squeeze", L("r"), L("s"), 1);
	attr_ints(g, n, "axes", D(0), 1);
	node(g, "Transpose", L("s"), L("t"), 0);
	infer_ok(g);
	SHAPE(g, "t", 3, 2);
	IVALS(g, "t", 1, 4, 2, 5, 3, 6);
	gr_graph_free(g);
}

/* --- Concat, Split, Slice ------------------------------------------------------ */

static void concat_negative_axis(void **state)
{
	gr_graph *g = graph(13);
	gr_node *n;
	(void)state;

	input(g, "a", GR_DTYPE_FLOAT, 3, D(-2, 4, 5));
	input(g, "b", GR_DTYPE_FLOAT, 3, D(-2, 4, 7));
	n = node(g, "Concat", L("a", "b"), L("y"), 1);
	attr_int(n, "axis", -1);
	infer_ok(g);
	SHAPE(g, "y", -1, 4, 12);
	assert_string_equal(gr_graph_tensor(g, "y")->dims[0].sym, "batch");
	/* a copy: reads both inputs, writes the output (unknown batch: not costed yet) */
	gr_graph_free(g);
}

static void split_opset18_num_outputs(void **state)
{
	gr_graph *g = graph(18);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 2, D(7, 4));
	n = node(g, "Split", L("x"), L("a", "b", "c"), 2);
	attr_int(n, "axis", 0);
	attr_int(n, "num_outputs", 3);
	infer_ok(g);
	SHAPE(g, "a", 3, 4); /* ceil(7/3) = 3, the last chunk smaller */
	SHAPE(g, "b", 3, 4);
	SHAPE(g, "c", 1, 4);
	gr_graph_free(g);
}

static void split_opset13_input_and_opset11_attr_fold(void **state)
{
	gr_graph *g = graph(13), *g11 = graph(11);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 2, D(3, 6));
	ints(g, "sp", GR_DTYPE_INT64, 1, D(2, 4), 2);
	n = node(g, "Split", L("x", "sp"), L("a", "b"), 1);
	attr_int(n, "axis", -1);
	infer_ok(g);
	SHAPE(g, "a", 3, 2);
	SHAPE(g, "b", 3, 4);

	ints(g11, "v", GR_DTYPE_INT64, 1, D(10, 20, 30, 40, 50), 5);
	n = node(g11, "Split", L("v"), L("p", "q"), 1);
	attr_ints(g11, n, "split", D(2, 3), 2);
	infer_ok(g11);
	IVALS(g11, "p", 10, 20);
	IVALS(g11, "q", 30, 40, 50);
	gr_graph_free(g);
	gr_graph_free(g11);
}

static void slice_negative_steps_and_clamping(void **state)
{
	gr_graph *g = graph(13);
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 3, D(20, 10, 5));
	/* ONNX test_slice_neg_steps: starts [20,10,4] ends [0,0,1] steps [-1,-3,-2] */
	ints(g, "s1", GR_DTYPE_INT64, 1, D(20, 10, 4), 3);
	ints(g, "e1", GR_DTYPE_INT64, 1, D(0, 0, 1), 3);
	ints(g, "a1", GR_DTYPE_INT64, 1, D(0, 1, 2), 3);
	ints(g, "st1", GR_DTYPE_INT64, 1, D(-1, -3, -2), 3);
	node(g, "Slice", L("x", "s1", "e1", "a1", "st1"), L("y1"), 0);
	/* start past the end clamps to an empty slice */
	ints(g, "s2", GR_DTYPE_INT64, 1, D(1000), 1);
	ints(g, "e2", GR_DTYPE_INT64, 1, D(1000), 1);
	ints(g, "a2", GR_DTYPE_INT64, 1, D(1), 1);
	node(g, "Slice", L("x", "s2", "e2", "a2"), L("y2"), 0);
	/* negative start, INT64_MAX end, negative axis */
	ints(g, "s3", GR_DTYPE_INT64, 1, D(-3), 1);
	ints(g, "e3", GR_DTYPE_INT64, 1, D(INT64_MAX), 1);
	ints(g, "a3", GR_DTYPE_INT64, 1, D(-2), 1);
	node(g, "Slice", L("x", "s3", "e3", "a3"), L("y3"), 0);
	/* reverse everything: start -1, end INT64_MIN, step -1 */
	ints(g, "s4", GR_DTYPE_INT64, 1, D(-1), 1);
	ints(g, "e4", GR_DTYPE_INT64, 1, D(INT64_MIN), 1);
	ints(g, "st4", GR_DTYPE_INT64, 1, D(-1), 1);
	ints(g, "v", GR_DTYPE_INT64, 1, D(10, 20, 30, 40), 4);
	node(g, "Slice", L("v", "s4", "e4", "", "st4"), L("rev"), 0);
	node(g, "Slice", L("v", "s3", "e3"), L("tail"), 0);
	infer_ok(g);
	SHAPE(g, "y1", 19, 3, 2);
	SHAPE(g, "y2", 20, 0, 5);
	SHAPE(g, "y3", 20, 3, 5);
	IVALS(g, "rev", 40, 30, 20, 10);
	IVALS(g, "tail", 20, 30, 40);
	gr_graph_free(g);
}

static void slice_opset9_attributes(void **state)
{
	gr_graph *g = graph(9);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 2, D(20, 10));
	n = node(g, "Slice", L("x"), L("y"), 3);
	attr_ints(g, n, "starts", D(0, 2), 2);
	attr_ints(g, n, "ends", D(3, -1), 2);
	attr_ints(g, n, "axes", D(0, 1), 2);
	infer_ok(g);
	SHAPE(g, "y", 3, 7);
	gr_graph_free(g);
}

/* The axis-map fold on more than one axis: a permutation of a 3-D tensor, broadcasting into
 * a middle axis with a new leading one, 2-D tiling, a split along axis 1 and a 2-D slice
 * with a negative step, checked against values worked out by hand. */
static void axis_map_folds_in_several_dims(void **state)
{
	gr_graph *g = graph(13);
	gr_node *n;
	(void)state;

	const_i64(g, "v", GR_DTYPE_INT64, 3, D(2, 3, 2), D(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 12);
	n = node(g, "Transpose", L("v"), L("t"), 1);
	attr_ints(g, n, "perm", D(2, 0, 1), 3); /* t[a][b][c] = v[b][c][a] */
	const_i64(g, "col", GR_DTYPE_INT64, 2, D(2, 1), D(1, 2), 2);
	ints(g, "shp", GR_DTYPE_INT64, 1, D(2, 2, 3), 3);
	node(g, "Expand", L("col", "shp"), L("e"), 0);
	ints(g, "rep", GR_DTYPE_INT64, 1, D(2, 2), 2);
	node(g, "Tile", L("col", "rep"), L("tl"), 0);
	const_i64(g, "m", GR_DTYPE_INT64, 2, D(2, 3), D(0, 1, 2, 3, 4, 5), 6);
	ints(g, "sizes", GR_DTYPE_INT64, 1, D(1, 2), 2);
	n = node(g, "Split", L("m", "sizes"), L("p", "q"), 1);
	attr_int(n, "axis", 1);
	const_i64(g, "w", GR_DTYPE_INT64, 2, D(3, 4), D(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 12);
	ints(g, "st", GR_DTYPE_INT64, 1, D(0, 3), 2);
	ints(g, "en", GR_DTYPE_INT64, 1, D(3, 0), 2);
	ints(g, "ax", GR_DTYPE_INT64, 1, D(0, 1), 2);
	ints(g, "sp", GR_DTYPE_INT64, 1, D(2, -2), 2);
	node(g, "Slice", L("w", "st", "en", "ax", "sp"), L("sl"), 0);
	infer_ok(g);
	SHAPE(g, "t", 2, 2, 3);
	IVALS(g, "t", 0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11);
	SHAPE(g, "e", 2, 2, 3);
	IVALS(g, "e", 1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2);
	SHAPE(g, "tl", 4, 2);
	IVALS(g, "tl", 1, 1, 2, 2, 1, 1, 2, 2);
	IVALS(g, "p", 0, 3);
	IVALS(g, "q", 1, 2, 4, 5);
	SHAPE(g, "sl", 2, 2); /* rows 0 and 2, columns 3 and 1 */
	IVALS(g, "sl", 3, 1, 11, 9);
	gr_graph_free(g);
}

/* --- Expand, Tile, Pad, Resize, DepthToSpace -------------------------------------- */

static void expand_broadcasts_and_tile_repeats(void **state)
{
	gr_graph *g = graph(13);
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 2, D(3, 1));
	ints(g, "shp", GR_DTYPE_INT64, 1, D(2, 1, 6), 3);
	node(g, "Expand", L("x", "shp"), L("y"), 0);
	ints(g, "rep", GR_DTYPE_INT64, 1, D(2, 3), 2);
	node(g, "Tile", L("x", "rep"), L("t"), 0);
	ints(g, "v", GR_DTYPE_INT64, 1, D(7, 8), 2);
	ints(g, "shp2", GR_DTYPE_INT64, 1, D(2, 2), 2);
	node(g, "Expand", L("v", "shp2"), L("ev"), 0);
	ints(g, "rep2", GR_DTYPE_INT64, 1, D(2), 1);
	node(g, "Tile", L("v", "rep2"), L("tv"), 0);
	infer_ok(g);
	SHAPE(g, "y", 2, 3, 6);
	SHAPE(g, "t", 6, 3);
	IVALS(g, "ev", 7, 8, 7, 8);
	IVALS(g, "tv", 7, 8, 7, 8);
	/* Expand moves bytes, no FLOPs: reads 3 floats + 3 int64, writes 36 floats */
	assert_true(node_named(g, "Expand")->cost.flops == 0);
	assert_true(node_named(g, "Expand")->cost.bytes_written == 36 * 4);
	assert_true(node_named(g, "Expand")->cost.bytes_read == 3 * 4 + 3 * 8);
	gr_graph_free(g);
}

static void pad_opset11_inputs(void **state)
{
	gr_graph *g = graph(11), *g2 = graph(2), *g18 = graph(18);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 3, 4, 5));
	ints(g, "pads", GR_DTYPE_INT64, 1, D(0, 0, 1, 2, 0, 0, 3, 4), 8);
	floats(g, "cv", 0, NULL, (const double[]){0.5}, 1);
	n = node(g, "Pad", L("x", "pads", "cv"), L("y"), 1);
	attr_str(n, "mode", "reflect");
	input(g, "u", GR_DTYPE_FLOAT, 4, D(1, 3, -1, 5));
	node(g, "Pad", L("u", "pads"), L("uy"), 0);
	infer_ok(g);
	SHAPE(g, "y", 1, 3, 8, 11);
	SHAPE(g, "uy", 1, 3, -1, 11);

	/* opset 2: pads and value are attributes; negative pads crop */
	input(g2, "x", GR_DTYPE_FLOAT, 2, D(4, 5));
	n = node(g2, "Pad", L("x"), L("y"), 1);
	attr_ints(g2, n, "pads", D(1, -1, 1, 0), 4);
	infer_ok(g2);
	SHAPE(g2, "y", 6, 4);

	/* opset 18: axes input selects which dims the pads apply to */
	input(g18, "x", GR_DTYPE_FLOAT, 3, D(2, 4, 5));
	ints(g18, "pads", GR_DTYPE_INT64, 1, D(1, 2, 3, 4), 4);
	ints(g18, "axes", GR_DTYPE_INT64, 1, D(-1, 1), 2);
	node(g18, "Pad", L("x", "pads", "", "axes"), L("y"), 0);
	infer_ok(g18);
	SHAPE(g18, "y", 2, 10, 9);
	gr_graph_free(g);
	gr_graph_free(g2);
	gr_graph_free(g18);
}

static void resize_scales_and_sizes(void **state)
{
	gr_graph *g = graph(13), *g10 = graph(10), *g9 = graph(9);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 1, 2, 4));
	floats(g, "sc", 1, D(4), (const double[]){1, 1, 0.6f, 0.6f}, 4);
	n = node(g, "Resize", L("x", "", "sc"), L("down"), 1);
	attr_str(n, "mode", "linear");
	floats(g, "up", 1, D(4), (const double[]){1, 1, 2, 3}, 4);
	n = node(g, "Resize", L("x", "", "up"), L("bil"), 1);
	attr_str(n, "mode", "linear");
	ints(g, "sz", GR_DTYPE_INT64, 1, D(1, 1, 9, 10), 4);
	node(g, "Resize", L("x", "", "", "sz"), L("near"), 0);
	infer_ok(g);
	SHAPE(g, "down", 1, 1, 1, 2); /* floor(2*0.6), floor(4*0.6) */
	SHAPE(g, "bil", 1, 1, 4, 12);
	SHAPE(g, "near", 1, 1, 9, 10);
	/* bilinear: 4 taps x (mul + add) = 8 FLOPs per output element; nearest: none */
	assert_true(node_named(g, "Resize")->cost.flops == 8.0 * 2);
	assert_true(gr_graph_node(g, 1)->cost.flops == 8.0 * 48);
	assert_true(gr_graph_node(g, 2)->cost.flops == 0);

	/* Resize-10: (X, scales) */
	input(g10, "x", GR_DTYPE_FLOAT, 4, D(1, 3, 5, 5));
	floats(g10, "sc", 1, D(4), (const double[]){1, 1, 2, 2}, 4);
	node(g10, "Resize", L("x", "sc"), L("y"), 0);
	infer_ok(g10);
	SHAPE(g10, "y", 1, 3, 10, 10);

	/* Upsample-9: scales input */
	input(g9, "x", GR_DTYPE_FLOAT, 4, D(1, 3, 5, 5));
	floats(g9, "sc", 1, D(4), (const double[]){1, 1, 2, 3}, 4);
	node(g9, "Upsample", L("x", "sc"), L("y"), 0);
	infer_ok(g9);
	SHAPE(g9, "y", 1, 3, 10, 15);
	gr_graph_free(g);
	gr_graph_free(g10);
	gr_graph_free(g9);
}

static void depth_to_space_and_back(void **state)
{
	gr_graph *g = graph(13);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 8, 3, 4));
	n = node(g, "DepthToSpace", L("x"), L("d"), 1);
	attr_int(n, "blocksize", 2);
	n = node(g, "SpaceToDepth", L("d"), L("s"), 1);
	attr_int(n, "blocksize", 2);
	infer_ok(g);
	SHAPE(g, "d", 1, 2, 6, 8);
	SHAPE(g, "s", 1, 8, 3, 4);
	gr_graph_free(g);
}

/* --- Constant, ConstantOfShape, Range, OneHot, Dropout --------------------------- */

static void constants_and_ranges_fold(void **state)
{
	gr_graph *g = graph(13);
	gr_node *n;
	gr_tensor *vt;
	gr_attr *a;
	(void)state;

	n = node(g, "Constant", L(""), L("c"), 1);
	n->n_in = 0;
	attr_ints(g, n, "value_ints", D(2, 3), 2);
	/* ConstantOfShape with an int64 value tensor of 7 */
	vt = gr_graph_tensor_def(g, "cos_value");
	assert_int_equal(gr_tensor_set_shape(g, vt, GR_DTYPE_INT64, 1, (gr_dim[]){{1, NULL}}), GR_OK);
	assert_int_equal(gr_tensor_set_i64(g, vt, D(7), 1), GR_OK);
	n = node(g, "ConstantOfShape", L("c"), L("k"), 1);
	a = attr_new(n, "value", GR_ATTR_TENSOR);
	a->t = vt;
	node(g, "ConstantOfShape", L("c"), L("kf"), 0);
	ints(g, "start", GR_DTYPE_INT64, 0, D(10), 1);
	ints(g, "limit", GR_DTYPE_INT64, 0, D(1), 1);
	ints(g, "delta", GR_DTYPE_INT64, 0, D(-3), 1);
	node(g, "Range", L("start", "limit", "delta"), L("r"), 0);
	floats(g, "fs", 0, NULL, (const double[]){1}, 1);
	floats(g, "fl", 0, NULL, (const double[]){5}, 1);
	floats(g, "fd", 0, NULL, (const double[]){2}, 1);
	node(g, "Range", L("fs", "fl", "fd"), L("rf"), 0);
	infer_ok(g);
	IVALS(g, "c", 2, 3);
	SHAPE(g, "k", 2, 3);
	IVALS(g, "k", 7, 7, 7, 7, 7, 7);
	assert_int_equal(gr_graph_tensor(g, "kf")->dtype, GR_DTYPE_FLOAT);
	SHAPE(g, "r", 3); /* ceil((1 - 10) / -3) = 3 */
	IVALS(g, "r", 10, 7, 4);
	SHAPE(g, "rf", 2);
	assert_int_equal(gr_graph_tensor(g, "rf")->dtype, GR_DTYPE_FLOAT);
	/* Constants read nothing */
	assert_true(cost_of(g, 0)->bytes_read == 0 && cost_of(g, 0)->flops == 0);
	gr_graph_free(g);
}

static void one_hot_eye_like_and_dropout_mask(void **state)
{
	gr_graph *g = graph(13), *g7 = graph(7);
	gr_node *n;
	(void)state;

	input(g, "ind", GR_DTYPE_INT64, 2, D(2, 3));
	ints(g, "depth", GR_DTYPE_INT64, 0, D(10), 1);
	floats(g, "vals", 1, D(2), (const double[]){0, 1}, 2);
	n = node(g, "OneHot", L("ind", "depth", "vals"), L("oh"), 1);
	attr_int(n, "axis", 1);
	input(g, "m", GR_DTYPE_FLOAT, 2, D(4, 5));
	n = node(g, "EyeLike", L("m"), L("eye"), 1);
	attr_int(n, "dtype", GR_DTYPE_INT32);
	node(g, "Dropout", L("m"), L("dy", "mask"), 0);
	infer_ok(g);
	SHAPE(g, "oh", 2, 10, 3);
	SHAPE(g, "eye", 4, 5);
	assert_int_equal(gr_graph_tensor(g, "eye")->dtype, GR_DTYPE_INT32);
	SHAPE(g, "mask", 4, 5);
	assert_int_equal(gr_graph_tensor(g, "mask")->dtype, GR_DTYPE_BOOL);

	input(g7, "m", GR_DTYPE_FLOAT, 2, D(4, 5));
	node(g7, "Dropout", L("m"), L("dy", "mask"), 0);
	infer_ok(g7);
	assert_int_equal(gr_graph_tensor(g7, "mask")->dtype, GR_DTYPE_FLOAT); /* Dropout-7 */
	gr_graph_free(g);
	gr_graph_free(g7);
}

/* --- Gather family, data-dependent ops -------------------------------------------- */

static void gather_negative_indices_and_nd(void **state)
{
	gr_graph *g = graph(13);
	gr_node *n;
	(void)state;

	input(g, "emb", GR_DTYPE_FLOAT, 2, D(1000, 64));
	input(g, "tok", GR_DTYPE_INT64, 2, D(-2, 16));
	node(g, "Gather", L("emb", "tok"), L("e"), 0);
	ints(g, "v", GR_DTYPE_INT64, 1, D(5, 6, 7), 3);
	ints(g, "idx", GR_DTYPE_INT64, 1, D(-1, 0), 2);
	node(g, "Gather", L("v", "idx"), L("gv"), 0);
	input(g, "data", GR_DTYPE_FLOAT, 4, D(2, 3, 4, 5));
	input(g, "ind", GR_DTYPE_INT64, 3, D(2, 7, 2));
	n = node(g, "GatherND", L("data", "ind"), L("nd"), 1);
	attr_int(n, "batch_dims", 1);
	input(g, "ge_i", GR_DTYPE_INT64, 4, D(2, 3, 4, 1));
	n = node(g, "GatherElements", L("data", "ge_i"), L("ge"), 1);
	attr_int(n, "axis", -1);
	infer_ok(g);
	SHAPE(g, "e", -1, 16, 64);
	SHAPE(g, "gv", 2);
	IVALS(g, "gv", 7, 5);
	SHAPE(g, "nd", 2, 7, 5); /* indices[:-1] + data[batch_dims + 2:] */
	SHAPE(g, "ge", 2, 3, 4, 1);
	gr_graph_free(g);
}

/* Regression (issue #15): a Gather whose data dims multiply past int64 was folded with a
 * wrapped row size and reported as fine. Now inference stops with an error naming the node. */
static void gather_data_dims_multiplying_past_int64_is_an_error(void **state)
{
	const int64_t big = (int64_t)1 << 62;
	gr_graph *g = graph(13);
	gr_error err = {0};
	double one = 1;
	(void)state;

	floats(g, "data", 3, D(3, big, big), &one, 1);
	ints(g, "idx", GR_DTYPE_INT64, 1, NULL, 0);
	node(g, "Gather", L("data", "idx"), L("y"), 0);
	assert_int_not_equal(run(g, &err), GR_OK);
	assert_non_null(strstr(err.msg, "node 'Gather' (Gather)"));
	assert_non_null(strstr(err.msg, "'data'"));
	assert_non_null(strstr(err.msg, "int64"));
	gr_graph_free(g);
}

/* Regression: an output that is empty (a 0 first) but whose other dims multiply past int64
 * passed the 2^50 check, which stops counting at the zero. */
static void tile_output_dims_multiplying_past_int64_is_an_error(void **state)
{
	const int64_t half = (int64_t)1 << 31;
	gr_graph *g = graph(13);
	gr_error err = {0};
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 3, D(0, half, half));
	ints(g, "rep", GR_DTYPE_INT64, 1, D(1, half, half), 3);
	node(g, "Tile", L("x", "rep"), L("y"), 0);
	assert_int_not_equal(run(g, &err), GR_OK);
	assert_non_null(strstr(err.msg, "node 'Tile' (Tile)"));
	assert_non_null(strstr(err.msg, "int64"));
	gr_graph_free(g);
}

/* The element count helpers: zeros multiplied last, unknown dims and overflow give -1. */
static void dims_numel_checks_overflow_past_a_zero(void **state)
{
	const int64_t big = (int64_t)1 << 62;
	gr_dim ok[3] = {{2, NULL}, {3, NULL}, {4, NULL}}, empty[3] = {{0, NULL}, {5, NULL}, {7, NULL}};
	gr_dim absurd[3] = {{0, NULL}, {big, NULL}, {4, NULL}}, unknown[2] = {{-1, "batch"}, {3, NULL}};
	(void)state;

	assert_int_equal(gr_dims_numel(ok, 3), 24);
	assert_int_equal(gr_dims_numel(empty, 3), 0);
	assert_int_equal(gr_dims_numel(absurd, 3), -1);
	assert_true(gr_dims_overflow(absurd, 3));
	assert_false(gr_dims_overflow(empty, 3));
	assert_int_equal(gr_dims_numel(unknown, 2), -1);
	assert_false(gr_dims_overflow(unknown, 2));
	assert_int_equal(gr_dims_numel(NULL, 0), 1);
	assert_int_equal(gr_ints_numel(D(big, 1), 2), big);
	assert_int_equal(gr_ints_numel(D(big, 2), 2), -1); /* 2^63 */
	assert_int_equal(gr_ints_numel(D(3, -1), 2), -1);
}

static void data_dependent_ops_use_known_values(void **state)
{
	gr_graph *g = graph(13);
	gr_node *n;
	(void)state;

	ints(g, "v", GR_DTYPE_INT64, 1, D(0, 3, 0, 3, 5, 1), 6);
	node(g, "NonZero", L("v"), L("nz"), 0);
	node(g, "Unique", L("v"), L("u", "ui", "uinv", "uc"), 0);
	ints(g, "cond", GR_DTYPE_BOOL, 1, D(1, 0, 1), 3);
	input(g, "x", GR_DTYPE_FLOAT, 2, D(3, 2));
	n = node(g, "Compress", L("x", "cond"), L("cx"), 1);
	attr_int(n, "axis", 0);
	node(g, "Compress", L("x", "cond"), L("cflat"), 0);
	infer_ok(g);
	SHAPE(g, "nz", 1, 4);
	IVALS(g, "nz", 1, 3, 4, 5);
	SHAPE(g, "u", 4);
	SHAPE(g, "ui", 4);
	SHAPE(g, "uinv", 6);
	SHAPE(g, "uc", 4);
	SHAPE(g, "cx", 2, 2);
	SHAPE(g, "cflat", 2);
	assert_null(gr_node_note(node_named(g, "NonZero")));
	gr_graph_free(g);
}

static void data_dependent_ops_without_values_leave_a_note(void **state)
{
	gr_graph *g = graph(13);
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 2, D(3, 4));
	node(g, "NonZero", L("x"), L("nz"), 0);
	input(g, "boxes", GR_DTYPE_FLOAT, 3, D(1, 6, 4));
	input(g, "scores", GR_DTYPE_FLOAT, 3, D(1, 1, 6));
	ints(g, "max", GR_DTYPE_INT64, 1, D(3), 1);
	node(g, "NonMaxSuppression", L("boxes", "scores", "max"), L("sel"), 0);
	infer_ok(g);
	SHAPE(g, "nz", 2, -1);
	assert_non_null(gr_node_note(node_named(g, "NonZero")));
	SHAPE(g, "sel", -1, 3);
	assert_non_null(strstr(gr_node_note(node_named(g, "NonMaxSuppression")), "at most 3"));
	gr_graph_free(g);
}

static void nms_with_known_values_selects_like_onnx(void **state)
{
	gr_graph *g = graph(11);
	(void)state;

	/* ONNX test_nonmaxsuppression_suppress_by_IOU: 3 boxes selected */
	floats(g, "boxes", 3, D(1, 6, 4),
	       (const double[]){0, 0, 1, 1, 0, 0.1, 1, 1.1, 0, -0.1, 1, 0.9, 0, 10, 1, 11, 0, 10.1, 1,
				11.1, 0, 100, 1, 101},
	       24);
	floats(g, "scores", 3, D(1, 1, 6), (const double[]){0.9, 0.75, 0.6, 0.95, 0.5, 0.3}, 6);
	ints(g, "max", GR_DTYPE_INT64, 1, D(3), 1);
	floats(g, "iou", 1, D(1), (const double[]){0.5}, 1);
	floats(g, "sth", 1, D(1), (const double[]){0.0}, 1);
	node(g, "NonMaxSuppression", L("boxes", "scores", "max", "iou", "sth"), L("sel"), 0);
	infer_ok(g);
	SHAPE(g, "sel", 3, 3);
	IVALS(g, "sel", 0, 0, 3, 0, 0, 0, 0, 0, 5);
	gr_graph_free(g);
}

/* --- RNN family: FLOPs over all time steps ------------------------------------------ */

static gr_graph *recurrent(const char *op, int gates, int64_t seq, int64_t batch, int64_t in,
			   int64_t hid, int bidir)
{
	gr_graph *g = graph(14);
	int64_t dirs = bidir ? 2 : 1;
	gr_node *n;

	input(g, "X", GR_DTYPE_FLOAT, 3, D(seq, batch, in));
	weight(g, "W", 3, D(dirs, gates * hid, in));
	weight(g, "R", 3, D(dirs, gates * hid, hid));
	weight(g, "B", 2, D(dirs, 2 * gates * hid));
	n = node(g, op, L("X", "W", "R", "B"), strcmp(op, "LSTM") == 0 ? L("Y", "Yh", "Yc") : L("Y", "Yh"),
		 2);
	attr_int(n, "hidden_size", hid);
	if (bidir)
		attr_str(n, "direction", "bidirectional");
	return g;
}

static void lstm_flops_over_100_steps_match_hand_count(void **state)
{
	gr_graph *g = recurrent("LSTM", 4, 100, 1, 10, 20, 0);
	const gr_cost *c;
	/* Hand count, one step (I = 10, H = 20, biases, no peepholes):
	 *   W*x: 2 * 80 * 10 = 1600     R*h: 2 * 80 * 20 = 3200
	 *   adding the products: 80     biases Wb + Rb: 160
	 *   3 sigmoids + 2 tanh at 4 FLOPs: 5 * 20 * 4 = 400
	 *   c = f*c + i*g (3) and h = o*tanh(c) (1): 4 * 20 = 80
	 *   = 5520 per step; 100 steps = 552000 (a one-step count would say 5520). */
	const double hand = 100.0 * (1600 + 3200 + 80 + 160 + 400 + 80);
	(void)state;

	infer_ok(g);
	SHAPE(g, "Y", 100, 1, 1, 20);
	SHAPE(g, "Yh", 1, 1, 20);
	SHAPE(g, "Yc", 1, 1, 20);
	c = cost_of(g, 0);
	assert_true(hand == 552000.0);
	assert_true(c->flops == hand);
	assert_true(c->macs == 100.0 * 80 * 30);
	assert_int_equal(c->params, 4 * 20 * 10 + 4 * 20 * 20 + 8 * 20);
	gr_graph_free(g);
}

static void gru_flops_over_100_steps_match_hand_count(void **state)
{
	gr_graph *g = recurrent("GRU", 3, 100, 1, 10, 20, 0);
	const gr_cost *c;
	/* Hand count, one step (I = 10, H = 20, biases):
	 *   W*x: 2 * 60 * 10 = 1200     R*h: 2 * 60 * 20 = 2400
	 *   adding the products for z, r, h~: 60     r (.) h: 20
	 *   biases Wb + Rb: 120
	 *   2 sigmoids + 1 tanh at 4 FLOPs: 3 * 20 * 4 = 240
	 *   h = (1 - z) h~ + z h: 4 * 20 = 80
	 *   = 4120 per step; 100 steps = 412000. */
	const double hand = 100.0 * (1200 + 2400 + 60 + 20 + 120 + 240 + 80);
	(void)state;

	infer_ok(g);
	SHAPE(g, "Y", 100, 1, 1, 20);
	SHAPE(g, "Yh", 1, 1, 20);
	c = cost_of(g, 0);
	assert_true(hand == 412000.0);
	assert_true(c->flops == hand);
	gr_graph_free(g);
}

static void rnn_bidirectional_batch_first_layout(void **state)
{
	gr_graph *g = graph(14);
	gr_node *n;
	const gr_cost *c;
	(void)state;

	input(g, "X", GR_DTYPE_FLOAT, 3, D(4, 50, 8)); /* layout 1: [batch, seq, input] */
	weight(g, "W", 3, D(2, 16, 8));
	weight(g, "R", 3, D(2, 16, 16));
	n = node(g, "RNN", L("X", "W", "R"), L("Y", "Yh"), 2);
	attr_int(n, "layout", 1);
	attr_str(n, "direction", "bidirectional");
	infer_ok(g);
	SHAPE(g, "Y", 4, 50, 2, 16);
	SHAPE(g, "Yh", 4, 2, 16);
	/* per step: 2*16*8 + 2*16*16 + 16 (add) + 16*4 (tanh) = 848; x 50 steps x 2 dirs x 4 */
	c = cost_of(g, 0);
	assert_true(c->flops == 848.0 * 50 * 2 * 4);
	gr_graph_free(g);
}

/* --- control flow ------------------------------------------------------------------ */

/* If with then = Relu(x) (16 FLOPs on 4x4) and else = MatMul(x, x) (128 FLOPs). */
static gr_graph *if_graph(int cond)
{
	gr_graph *g = graph(13), *th, *el;
	gr_node *n;

	input(g, "x", GR_DTYPE_FLOAT, 2, D(4, 4));
	if (cond >= 0)
		ints(g, "c", GR_DTYPE_BOOL, 0, D(cond), 1);
	else
		input(g, "c", GR_DTYPE_BOOL, 0, NULL);
	th = gr_graph_new_sub(g);
	node(th, "Relu", L("x"), L("t_out"), 0);
	assert_int_equal(gr_graph_add_output(th, gr_graph_tensor(th, "t_out")), GR_OK);
	el = gr_graph_new_sub(g);
	node(el, "MatMul", L("x", "x"), L("e_out"), 0);
	assert_int_equal(gr_graph_add_output(el, gr_graph_tensor(el, "e_out")), GR_OK);
	n = node(g, "If", L("c"), L("y"), 2);
	attr_graph(n, "then_branch", th);
	attr_graph(n, "else_branch", el);
	return g;
}

static void if_with_constant_condition_takes_that_branch(void **state)
{
	gr_graph *g = if_graph(1), *g0 = if_graph(0);
	(void)state;

	infer_ok(g);
	SHAPE(g, "y", 4, 4);
	assert_true(node_named(g, "If")->cost.flops == 16);
	assert_null(gr_node_note(node_named(g, "If")));
	infer_ok(g0);
	assert_true(node_named(g0, "If")->cost.flops == 128);
	assert_true(node_named(g0, "If")->cost.macs == 64);
	gr_graph_free(g);
	gr_graph_free(g0);
}

static void if_unknown_condition_takes_larger_branch(void **state)
{
	gr_graph *g = if_graph(-1);
	(void)state;

	infer_ok(g);
	SHAPE(g, "y", 4, 4);
	assert_true(node_named(g, "If")->cost.flops == 128);
	assert_non_null(strstr(gr_node_note(node_named(g, "If")), "took the larger branch"));
	gr_graph_free(g);
}

/* Loop: y = MatMul(y, W) each iteration, also emitted as a scan output. */
static gr_graph *loop_graph(int64_t trip)
{
	gr_graph *g = graph(13), *body;
	gr_node *n;

	input(g, "y0", GR_DTYPE_FLOAT, 2, D(4, 4));
	weight(g, "W", 2, D(4, 4));
	if (trip >= 0)
		ints(g, "M", GR_DTYPE_INT64, 0, D(trip), 1);
	else
		input(g, "M", GR_DTYPE_INT64, 0, NULL);
	ints(g, "c", GR_DTYPE_BOOL, 0, D(1), 1);
	body = gr_graph_new_sub(g);
	assert_int_equal(gr_graph_add_input(body, gr_graph_tensor_def(body, "i")), GR_OK);
	assert_int_equal(gr_graph_add_input(body, gr_graph_tensor_def(body, "cin")), GR_OK);
	assert_int_equal(gr_graph_add_input(body, gr_graph_tensor_def(body, "yin")), GR_OK);
	node(body, "Identity", L("cin"), L("cout"), 0);
	node(body, "MatMul", L("yin", "W"), L("yout"), 0);
	node(body, "Identity", L("yout"), L("scan"), 0);
	assert_int_equal(gr_graph_add_output(body, gr_graph_tensor(body, "cout")), GR_OK);
	assert_int_equal(gr_graph_add_output(body, gr_graph_tensor(body, "yout")), GR_OK);
	assert_int_equal(gr_graph_add_output(body, gr_graph_tensor(body, "scan")), GR_OK);
	n = node(g, "Loop", L("M", "c", "y0"), L("yf", "ys"), 1);
	attr_graph(n, "body", body);
	return g;
}

static void loop_cost_is_body_times_trip_count(void **state)
{
	gr_graph *g = loop_graph(10);
	gr_graph_totals tot;
	(void)state;

	infer_ok(g);
	SHAPE(g, "yf", 4, 4);
	SHAPE(g, "ys", 10, 4, 4);
	/* body: MatMul 4x4x4 = 128 FLOPs; 10 iterations */
	assert_true(node_named(g, "Loop")->cost.flops == 1280);
	assert_null(gr_node_note(node_named(g, "Loop")));
	gr_graph_totals_compute(g, &tot);
	assert_true(tot.flops == 1280);
	assert_int_equal(tot.params, 16); /* W once, not per iteration */
	gr_graph_free(g);
}

static void loop_unknown_trip_count_is_counted_once(void **state)
{
	gr_graph *g = loop_graph(-1);
	(void)state;

	infer_ok(g);
	SHAPE(g, "yf", 4, 4);
	SHAPE(g, "ys", -1, 4, 4);
	assert_true(node_named(g, "Loop")->cost.flops == 128);
	assert_non_null(strstr(gr_node_note(node_named(g, "Loop")), "trip count unknown"));
	gr_graph_free(g);
}

static void scan_cost_is_body_times_sequence_length(void **state)
{
	gr_graph *g = graph(11), *body;
	gr_node *n;
	(void)state;

	input(g, "s0", GR_DTYPE_FLOAT, 1, D(8));
	input(g, "xs", GR_DTYPE_FLOAT, 2, D(30, 8));
	body = gr_graph_new_sub(g);
	assert_int_equal(gr_graph_add_input(body, gr_graph_tensor_def(body, "s")), GR_OK);
	assert_int_equal(gr_graph_add_input(body, gr_graph_tensor_def(body, "x")), GR_OK);
	node(body, "Add", L("s", "x"), L("s2"), 0);
	node(body, "Identity", L("s2"), L("o"), 0);
	assert_int_equal(gr_graph_add_output(body, gr_graph_tensor(body, "s2")), GR_OK);
	assert_int_equal(gr_graph_add_output(body, gr_graph_tensor(body, "o")), GR_OK);
	n = node(g, "Scan", L("s0", "xs"), L("sf", "os"), 3);
	attr_graph(n, "body", body);
	attr_int(n, "num_scan_inputs", 1);
	attr_ints(g, n, "scan_output_axes", D(-1), 1);
	infer_ok(g);
	SHAPE(g, "sf", 8);
	SHAPE(g, "os", 8, 30);
	assert_true(node_named(g, "Scan")->cost.flops == 8.0 * 30);
	gr_graph_free(g);
}

/* One parser for shapes given as text: --input-shape, zoo and measurement-file shapes. */
static void dims_parse_takes_only_whole_positive_dims(void **state)
{
	int64_t d[GR_MAX_RANK];
	(void)state;
	assert_int_equal(gr_dims_parse("1x3x224x224", d, GR_MAX_RANK, 1 << 20), 4);
	assert_true(d[0] == 1 && d[1] == 3 && d[2] == 224 && d[3] == 224);
	assert_int_equal(gr_dims_parse("2,128", d, GR_MAX_RANK, 1 << 20), 2);
	assert_true(d[0] == 2 && d[1] == 128);
	assert_int_equal(gr_dims_parse("7", d, GR_MAX_RANK, 1 << 20), 1);
	const char *bad[] = {"", "x3", "3x", "3xx3", "+3", "-3", "0x3", "3x 4", "3x4 ", "3y4",
			     "99999999999999999999", "1x2x3x4x5x6x7x8x9"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(gr_dims_parse(bad[i], d, 8, 1 << 20), 0);
	assert_int_equal(gr_dims_parse("1x2x3", d, 2, 1 << 20), 0);       /* above max_rank */
	assert_int_equal(gr_dims_parse("1x2049", d, GR_MAX_RANK, 2048), 0); /* above max_dim */
	assert_int_equal(gr_dims_parse(NULL, d, GR_MAX_RANK, 2048), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dims_parse_takes_only_whole_positive_dims),
		cmocka_unit_test(shape_gather_concat_reshape_folds_to_static_shape),
		cmocka_unit_test(symbolic_batch_reshape_resolves_after_binding),
		cmocka_unit_test(shape_start_end_opset15),
		cmocka_unit_test(reshape_zero_and_minus_one),
		cmocka_unit_test(reshape_rejects_wrong_element_count),
		cmocka_unit_test(flatten_squeeze_unsqueeze_transpose),
		cmocka_unit_test(squeeze_opset11_attribute_and_transpose_folds),
		cmocka_unit_test(concat_negative_axis),
		cmocka_unit_test(split_opset18_num_outputs),
		cmocka_unit_test(split_opset13_input_and_opset11_attr_fold),
		cmocka_unit_test(slice_negative_steps_and_clamping),
		cmocka_unit_test(slice_opset9_attributes),
		cmocka_unit_test(axis_map_folds_in_several_dims),
		cmocka_unit_test(expand_broadcasts_and_tile_repeats),
		cmocka_unit_test(pad_opset11_inputs),
		cmocka_unit_test(resize_scales_and_sizes),
		cmocka_unit_test(depth_to_space_and_back),
		cmocka_unit_test(constants_and_ranges_fold),
		cmocka_unit_test(one_hot_eye_like_and_dropout_mask),
		cmocka_unit_test(gather_negative_indices_and_nd),
		cmocka_unit_test(gather_data_dims_multiplying_past_int64_is_an_error),
		cmocka_unit_test(tile_output_dims_multiplying_past_int64_is_an_error),
		cmocka_unit_test(dims_numel_checks_overflow_past_a_zero),
		cmocka_unit_test(data_dependent_ops_use_known_values),
		cmocka_unit_test(data_dependent_ops_without_values_leave_a_note),
		cmocka_unit_test(nms_with_known_values_selects_like_onnx),
		cmocka_unit_test(lstm_flops_over_100_steps_match_hand_count),
		cmocka_unit_test(gru_flops_over_100_steps_match_hand_count),
		cmocka_unit_test(rnn_bidirectional_batch_first_layout),
		cmocka_unit_test(if_with_constant_condition_takes_that_branch),
		cmocka_unit_test(if_unknown_condition_takes_larger_branch),
		cmocka_unit_test(loop_cost_is_body_times_trip_count),
		cmocka_unit_test(loop_unknown_trip_count_is_counted_once),
		cmocka_unit_test(scan_cost_is_body_times_sequence_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
