/* Normalization, pooling and padding ops beyond the common cases test_ops_shape.c covers:
 * BatchNormalization's training outputs and channel check, Group/Instance normalization
 * checks, LayerNormalization's Mean/InvStdDev, RoiAlign/MaxRoiPool, MaxUnpool, CenterCropPad,
 * and the bad-input errors of each (a clear message, never a crash). */
#include <stdio.h>

#include "graph_builders.h"

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

/* X (N, C, H, W) float and the four per-channel BatchNormalization inputs of c entries */
static void bn_inputs(gr_graph *g, int64_t c)
{
	input(g, "x", GR_DTYPE_FLOAT, 4, D(2, 8, 5, 5));
	weight(g, "s", 1, D(c));
	weight(g, "b", 1, D(c));
	weight(g, "m", 1, D(c));
	weight(g, "v", 1, D(c));
}

static void batchnorm_training_outputs_and_cost(void **state)
{
	gr_graph *g = graph(15);
	gr_node *n;
	(void)state;

	bn_inputs(g, 8);
	n = node(g, "BatchNormalization", L("x", "s", "b", "m", "v"), L("y", "rm", "rv"), 1);
	attr_int(n, "training_mode", 1);
	node(g, "BatchNormalization", L("x", "s", "b", "m", "v"), L("yi"), 0);
	infer_ok(g);
	SHAPE(g, "y", 2, 8, 5, 5);
	SHAPE(g, "rm", 8);
	SHAPE(g, "rv", 8);
	/* training computes batch statistics: 4 FLOPs per element more than inference */
	assert_true(gr_graph_node(g, 0)->cost.flops - gr_graph_node(g, 1)->cost.flops == 4.0 * 400);
	gr_graph_free(g);

	g = graph(15);
	bn_inputs(g, 6);
	node(g, "BatchNormalization", L("x", "s", "b", "m", "v"), L("y"), 0);
	fails_with(g, "input has 8 channels, scale has 6");

	g = graph(15);
	bn_inputs(g, 8);
	node(g, "BatchNormalization", L("x", "s", "b"), L("y"), 0);
	fails_with(g, "needs inputs X, scale, B, mean and var");
}

static void batchnorm_unknown_rank_input_takes_channels_from_scale(void **state)
{
	gr_graph *g = graph(15);
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, -1, NULL);
	weight(g, "s", 1, D(8));
	weight(g, "b", 1, D(8));
	weight(g, "m", 1, D(8));
	weight(g, "v", 1, D(8));
	node(g, "BatchNormalization", L("x", "s", "b", "m", "v"), L("y", "rm", "rv"), 0);
	infer_ok(g);
	SHAPE(g, "rm", 8);
	assert_int_equal(gr_graph_tensor(g, "y")->rank, -1);
	assert_int_equal(gr_graph_tensor(g, "y")->dtype, GR_DTYPE_FLOAT);
	gr_graph_free(g);
}

static void group_instance_lrn_checks(void **state)
{
	gr_graph *g;
	gr_node *n;
	(void)state;

	g = graph(18);
	input(g, "x", GR_DTYPE_FLOAT, 4, D(2, 8, 5, 5));
	weight(g, "s", 1, D(8));
	weight(g, "b", 1, D(8));
	n = node(g, "GroupNormalization", L("x", "s", "b"), L("y"), 1);
	attr_int(n, "num_groups", 4);
	n = node(g, "LRN", L("x"), L("z"), 1);
	attr_int(n, "size", 5);
	infer_ok(g);
	SHAPE(g, "y", 2, 8, 5, 5);
	/* LRN: squares and sums `size` neighbours then scales, 2 x 5 + 3 FLOPs per element */
	assert_true(gr_graph_node(g, 1)->cost.flops == 13.0 * 400);
	gr_graph_free(g);

	g = graph(18);
	input(g, "x", GR_DTYPE_FLOAT, 4, D(2, 8, 5, 5));
	weight(g, "s", 1, D(8));
	weight(g, "b", 1, D(8));
	n = node(g, "GroupNormalization", L("x", "s", "b"), L("y"), 1);
	attr_int(n, "num_groups", 3);
	fails_with(g, "8 channels not divisible into 3 groups");

	g = graph(18);
	input(g, "x", GR_DTYPE_FLOAT, 4, D(2, 8, 5, 5));
	weight(g, "s", 1, D(8));
	weight(g, "b", 1, D(8));
	node(g, "GroupNormalization", L("x", "s", "b"), L("y"), 0);
	fails_with(g, "'num_groups' must be positive");

	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 3, D(2, 8, 5));
	weight(g, "s", 1, D(4));
	weight(g, "b", 1, D(4));
	node(g, "InstanceNormalization", L("x", "s", "b"), L("y"), 0);
	fails_with(g, "input has 8 channels, scale has 4");

	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 1, D(8));
	node(g, "LRN", L("x"), L("y"), 0);
	fails_with(g, "input has rank 1");
}

static void layernorm_statistics_outputs(void **state)
{
	gr_graph *g = graph(17);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT16, 3, D(2, 7, 16));
	weight(g, "s", 1, D(16));
	n = node(g, "LayerNormalization", L("x", "s"), L("y", "mean", "inv"), 1);
	attr_int(n, "axis", 1);
	input(g, "u", GR_DTYPE_FLOAT16, -1, NULL);
	node(g, "LayerNormalization", L("u", "s"), L("uy", "umean"), 0);
	infer_ok(g);
	SHAPE(g, "y", 2, 7, 16);
	SHAPE(g, "mean", 2, 1, 1); /* dims before axis kept, 1 from axis on */
	SHAPE(g, "inv", 2, 1, 1);
	/* statistics in stash_type (float), Y in X's type */
	assert_int_equal(gr_graph_tensor(g, "mean")->dtype, GR_DTYPE_FLOAT);
	assert_int_equal(gr_graph_tensor(g, "y")->dtype, GR_DTYPE_FLOAT16);
	assert_int_equal(gr_graph_tensor(g, "umean")->dtype, GR_DTYPE_FLOAT);
	assert_int_equal(gr_graph_tensor(g, "uy")->rank, -1);
	gr_graph_free(g);

	g = graph(17);
	input(g, "x", GR_DTYPE_FLOAT, 2, D(2, 7));
	node(g, "LayerNormalization", L("x"), L("y"), 0);
	fails_with(g, "needs inputs X and Scale");
}

static void roi_pools(void **state)
{
	gr_graph *g = graph(16);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 256, 50, 50));
	input(g, "rois", GR_DTYPE_FLOAT, 2, D(30, 4));
	input(g, "bi", GR_DTYPE_INT64, 1, D(30));
	n = node(g, "RoiAlign", L("x", "rois", "bi"), L("ra"), 3);
	attr_int(n, "output_height", 7);
	attr_int(n, "output_width", 7);
	attr_int(n, "sampling_ratio", 2);
	input(g, "rois5", GR_DTYPE_FLOAT, 2, D(30, 5));
	n = node(g, "MaxRoiPool", L("x", "rois5"), L("mp"), 1);
	attr_ints(g, n, "pooled_shape", D(6, 6), 2);
	infer_ok(g);
	SHAPE(g, "ra", 30, 256, 7, 7);
	SHAPE(g, "mp", 30, 256, 6, 6);
	/* RoiAlign: sampling_ratio^2 = 4 samples per output element, at the table's FLOPs each */
	assert_true(gr_graph_node(g, 0)->cost.flops ==
		    4.0 * gr_op_table[GR_OP_ROI_ALIGN].flops_per_elem * 30 * 256 * 49);
	gr_graph_free(g);

	g = graph(16);
	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 256, 50, 50));
	input(g, "rois", GR_DTYPE_FLOAT, 2, D(30, 4));
	node(g, "RoiAlign", L("x", "rois"), L("ra"), 0);
	fails_with(g, "missing input 'batch_indices'");

	g = graph(16);
	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 256, 50, 50));
	input(g, "rois", GR_DTYPE_FLOAT, 2, D(30, 5));
	n = node(g, "MaxRoiPool", L("x", "rois"), L("mp"), 1);
	attr_ints(g, n, "pooled_shape", D(6), 1);
	fails_with(g, "'pooled_shape' needs 2 values");

	g = graph(16);
	input(g, "x", GR_DTYPE_FLOAT, 3, D(256, 50, 50));
	input(g, "rois", GR_DTYPE_FLOAT, 2, D(30, 5));
	n = node(g, "MaxRoiPool", L("x", "rois"), L("mp"), 1);
	attr_ints(g, n, "pooled_shape", D(6, 6), 2);
	fails_with(g, "needs a 4-D input and 2-D rois");
}

static void max_unpool_sizes(void **state)
{
	gr_graph *g = graph(11);
	gr_node *n;
	(void)state;

	/* (in - 1) x stride + kernel - pads: (4 - 1) x 2 + 2 - 0 = 8 */
	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 3, 4, 4));
	input(g, "i", GR_DTYPE_INT64, 4, D(1, 3, 4, 4));
	n = node(g, "MaxUnpool", L("x", "i"), L("y"), 2);
	attr_ints(g, n, "kernel_shape", D(2, 2), 2);
	attr_ints(g, n, "strides", D(2, 2), 2);
	/* an explicit output_shape wins */
	ints(g, "os", GR_DTYPE_INT64, 1, D(1, 3, 9, 9), 4);
	n = node(g, "MaxUnpool", L("x", "i", "os"), L("z"), 1);
	attr_ints(g, n, "kernel_shape", D(2, 2), 2);
	/* an output_shape known only by its length: the rank */
	input(g, "osu", GR_DTYPE_INT64, 1, D(4));
	n = node(g, "MaxUnpool", L("x", "i", "osu"), L("w"), 1);
	attr_ints(g, n, "kernel_shape", D(2, 2), 2);
	infer_ok(g);
	SHAPE(g, "y", 1, 3, 8, 8);
	SHAPE(g, "z", 1, 3, 9, 9);
	SHAPE(g, "w", -1, -1, -1, -1);
	gr_graph_free(g);

	g = graph(11);
	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 3, 4, 4));
	input(g, "i", GR_DTYPE_INT64, 4, D(1, 3, 4, 4));
	node(g, "MaxUnpool", L("x", "i"), L("y"), 0);
	fails_with(g, "missing attribute 'kernel_shape'");

	g = graph(11);
	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 3, 4, 4));
	input(g, "i", GR_DTYPE_INT64, 4, D(1, 3, 4, 4));
	ints(g, "os", GR_DTYPE_INT64, 1, D(1, 3, -9, 9), 4);
	n = node(g, "MaxUnpool", L("x", "i", "os"), L("y"), 1);
	attr_ints(g, n, "kernel_shape", D(2, 2), 2);
	fails_with(g, "negative output_shape");

	g = graph(11);
	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 3, 1, 1));
	input(g, "i", GR_DTYPE_INT64, 4, D(1, 3, 1, 1));
	n = node(g, "MaxUnpool", L("x", "i"), L("y"), 2);
	attr_ints(g, n, "kernel_shape", D(1, 1), 2);
	attr_ints(g, n, "pads", D(1, 1, 1, 1), 4);
	fails_with(g, "negative output size on spatial dim 0");
}

static void pool_bad_geometry(void **state)
{
	gr_graph *g;
	gr_node *n;
	(void)state;

	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 3, 8, 8));
	n = node(g, "MaxPool", L("x"), L("y"), 1);
	attr_ints(g, n, "kernel_shape", D(2, 2, 2), 3);
	fails_with(g, "kernel_shape has 3 dims for input of rank 4");

	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 3, 8, 8));
	node(g, "AveragePool", L("x"), L("y"), 0);
	fails_with(g, "missing attribute 'kernel_shape'");

	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 3, 8, 8));
	n = node(g, "MaxPool", L("x"), L("y"), 2);
	attr_ints(g, n, "kernel_shape", D(2, 2), 2);
	attr_ints(g, n, "strides", D(0, 1), 2);
	fails_with(g, "must be positive");

	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 3, 8, 8));
	n = node(g, "MaxPool", L("x"), L("y"), 2);
	attr_ints(g, n, "kernel_shape", D(2, 2), 2);
	attr_ints(g, n, "pads", D(0, -1, 0, 0), 4);
	fails_with(g, "pads must not be negative");

	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT, 1, D(8));
	node(g, "GlobalAveragePool", L("x"), L("y"), 0);
	fails_with(g, "input has rank 1");

	/* unknown rank: the dtypes are set, MaxPool's indices int64 */
	g = graph(13);
	input(g, "x", GR_DTYPE_FLOAT16, -1, NULL);
	n = node(g, "MaxPool", L("x"), L("y", "idx"), 1);
	attr_ints(g, n, "kernel_shape", D(2, 2), 2);
	infer_ok(g);
	assert_int_equal(gr_graph_tensor(g, "y")->dtype, GR_DTYPE_FLOAT16);
	assert_int_equal(gr_graph_tensor(g, "idx")->dtype, GR_DTYPE_INT64);
	gr_graph_free(g);
}

static void pad_and_center_crop_pad(void **state)
{
	gr_graph *g = graph(18);
	gr_node *n;
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 3, D(3, 10, 12));
	/* CenterCropPad to (8, 16) on the last two axes: crop one, pad the other */
	ints(g, "shp", GR_DTYPE_INT64, 1, D(8, 16), 2);
	n = node(g, "CenterCropPad", L("x", "shp"), L("c"), 1);
	attr_ints(g, n, "axes", D(-2, -1), 2);
	/* Pad with pads from a graph input: the padded dims are unknown, the rank kept */
	input(g, "pu", GR_DTYPE_INT64, 1, D(6));
	node(g, "Pad", L("x", "pu"), L("p"), 0);
	/* Pad cropping with negative pads */
	ints(g, "pn", GR_DTYPE_INT64, 1, D(0, -2, -1, 0, -2, -1), 6);
	node(g, "Pad", L("x", "pn"), L("q"), 0);
	infer_ok(g);
	SHAPE(g, "c", 3, 8, 16);
	SHAPE(g, "p", -1, -1, -1);
	SHAPE(g, "q", 3, 6, 10);
	gr_graph_free(g);

	g = graph(18);
	input(g, "x", GR_DTYPE_FLOAT, 2, D(3, 4));
	ints(g, "pads", GR_DTYPE_INT64, 1, D(1, 1, 1), 3);
	node(g, "Pad", L("x", "pads"), L("y"), 0);
	fails_with(g, "pads has 3 entries, expected 4");

	g = graph(18);
	input(g, "x", GR_DTYPE_FLOAT, 2, D(3, 4));
	ints(g, "pads", GR_DTYPE_INT64, 1, D(-2, 0, -2, 0), 4);
	node(g, "Pad", L("x", "pads"), L("y"), 0);
	fails_with(g, "pads crop axis 0 below zero");

	g = graph(18);
	input(g, "x", GR_DTYPE_FLOAT, 2, D(3, 4));
	node(g, "Pad", L("x"), L("y"), 0);
	fails_with(g, "missing pads");

	g = graph(18);
	input(g, "x", GR_DTYPE_FLOAT, 2, D(3, 4));
	ints(g, "shp", GR_DTYPE_INT64, 1, D(2, 2, 2), 3);
	node(g, "CenterCropPad", L("x", "shp"), L("y"), 0);
	fails_with(g, "shape has 3 entries for 2 axes");

	g = graph(18);
	input(g, "x", GR_DTYPE_FLOAT, 2, D(3, 4));
	ints(g, "shp", GR_DTYPE_INT64, 1, D(2, -2), 2);
	node(g, "CenterCropPad", L("x", "shp"), L("y"), 0);
	fails_with(g, "negative target dim");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(batchnorm_training_outputs_and_cost),
		cmocka_unit_test(batchnorm_unknown_rank_input_takes_channels_from_scale),
		cmocka_unit_test(group_instance_lrn_checks),
		cmocka_unit_test(layernorm_statistics_outputs),
		cmocka_unit_test(roi_pools),
		cmocka_unit_test(max_unpool_sizes),
		cmocka_unit_test(pool_bad_geometry),
		cmocka_unit_test(pad_and_center_crop_pad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
