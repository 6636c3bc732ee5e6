/* Slices (docs/estimate.md, "Slices"): a graph compiler runs the slices of one tensor (ONNX's
 * export of torch.chunk) as one split kernel, an eager runtime launches each; and the time model
 * charges a slice the elements it copies, not its whole input. Also the conv algorithm a runtime
 * with a fast-conv rule runs (gr_node_conv_algorithm). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "graph_builders.h"
#include "estimation/op_time_model.h"
#include "graphs/estimate.h"

/* x [1, 8, 16, 16] -> Slice channels [0, 4) -> a -> Relu; Slice channels [4, 8) -> b -> Relu. */
static gr_graph *chunked(void)
{
	gr_graph *g = graph(17);
	gr_error err = {0};

	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 8, 16, 16));
	ints(g, "s0", GR_DTYPE_INT64, 1, D(0), 1);
	ints(g, "e0", GR_DTYPE_INT64, 1, D(4), 1);
	ints(g, "s1", GR_DTYPE_INT64, 1, D(4), 1);
	ints(g, "e1", GR_DTYPE_INT64, 1, D(8), 1);
	ints(g, "ax", GR_DTYPE_INT64, 1, D(1), 1);
	node(g, "Slice", L("x", "s0", "e0", "ax"), L("a"), 0);
	node(g, "Relu", L("a"), L("ya"), 0);
	node(g, "Slice", L("x", "s1", "e1", "ax"), L("b"), 0);
	node(g, "Relu", L("b"), L("yb"), 0);
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, "ya")), GR_OK);
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, "yb")), GR_OK);
	assert_int_equal(run(g, &err), GR_OK);
	return g;
}

/* Kernels of g under runtime rt holding a Slice, and the Slice nodes in them. */
static void slice_kernels(const gr_graph *g, const char *rt, size_t *kernels, size_t *slices)
{
	gr_partition *p = NULL;
	gr_error err = {0};

	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find(rt), &p, &err), GR_OK);
	*kernels = *slices = 0;
	for (size_t k = 0; k < gr_partition_count(p); k++) {
		const gr_kernel *kr = gr_partition_kernel(p, k);
		size_t s = 0;
		for (size_t j = 0; j < kr->count; j++)
			s += gr_partition_node(p, kr, j)->op == GR_OP_SLICE;
		*kernels += s > 0;
		*slices += s;
	}
	gr_partition_free(p);
}

static void graph_compilers_run_a_chunk_as_one_kernel(void **state)
{
	gr_graph *g = chunked();
	size_t k, s;
	(void)state;
	for (const char *const *rt = (const char *const[]){"ncnn", "onnxruntime", "tensorrt", NULL}; *rt; rt++) {
		slice_kernels(g, *rt, &k, &s);
		if (k != 1 || s != 2)
			fail_msg("%s: %zu kernels for %zu slices, want 1 for 2", *rt, k, s);
	}
	/* an eager runtime launches every op */
	slice_kernels(g, "pytorch", &k, &s);
	assert_int_equal(k, 2);
	assert_int_equal(s, 2);
	gr_graph_free(g);
}

static void a_slice_reads_what_it_copies(void **state)
{
	gr_graph *g = chunked();
	otm_node n;
	(void)state;
	otm_node_from(gr_graph_node(g, 0), &n);
	assert_true(n.eo == 4 * 16 * 16);
	assert_true(n.ein == n.eo); /* not the whole 8-channel input */
	/* other movers read their whole input: Relu is elementwise, in = out anyway */
	otm_node_from(gr_graph_node(g, 1), &n);
	assert_true(n.ein == 4 * 16 * 16);
	gr_graph_free(g);
}

/* x [1, cin, 16, 16] -> Conv k x k stride s, group grp. */
static gr_graph *conv(int64_t cin, int64_t cout, int64_t k, int64_t s, int64_t grp)
{
	gr_graph *g = graph(17);
	gr_error err = {0};
	gr_node *n;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, cin, 16, 16));
	weight(g, "w", 4, D(cout, cin / grp, k, k));
	n = node(g, "Conv", L("x", "w"), L("y"), 5);
	attr_ints(g, n, "pads", D(k / 2, k / 2, k / 2, k / 2), 4);
	attr_ints(g, n, "kernel_shape", D(k, k), 2);
	attr_ints(g, n, "strides", D(s, s), 2);
	attr_ints(g, n, "dilations", D(1, 1), 2);
	attr_int(n, "group", grp);
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, "y")), GR_OK);
	assert_int_equal(run(g, &err), GR_OK);
	return g;
}

static void conv_algorithm_by_runtime_rule(void **state)
{
	struct {
		int64_t cin, cout, k, s, grp;
		int ncnn;
	} c[] = {
		{64, 64, 3, 1, 1, GR_CONV_ALGO_WINOGRAD}, /* ncnn's F(6,3) */
		{64, 64, 1, 1, 1, GR_CONV_ALGO_POINTWISE},
		{64, 64, 1, 2, 1, GR_CONV_ALGO_POINTWISE}, /* strided 1x1: still one GEMM */
		{64, 64, 3, 2, 1, GR_CONV_ALGO_IM2COL},
		{64, 64, 5, 1, 1, GR_CONV_ALGO_IM2COL},
		{64, 64, 3, 1, 8, GR_CONV_ALGO_OTHER},    /* grouped */
		{64, 64, 3, 1, 64, GR_CONV_ALGO_OTHER},   /* depthwise */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		gr_graph *g = conv(c[i].cin, c[i].cout, c[i].k, c[i].s, c[i].grp);
		const gr_node *n = gr_graph_node(g, 0);
		int a = gr_node_conv_algorithm(gr_fusion_rules_find("ncnn"), n, GR_CONV_PATH_FLOAT);
		if (a != c[i].ncnn)
			fail_msg("case %zu: %s, want %s", i, gr_conv_algo_name(a), gr_conv_algo_name(c[i].ncnn));
		/* a runtime without a fast-conv rule tags nothing */
		assert_int_equal(gr_node_conv_algorithm(gr_fusion_rules_find("onnxruntime"), n, GR_CONV_PATH_FLOAT), GR_CONV_ALGO_OTHER);
		gr_graph_free(g);
	}
	assert_null(gr_conv_algo_name(GR_CONV_ALGO_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(graph_compilers_run_a_chunk_as_one_kernel),
		cmocka_unit_test(a_slice_reads_what_it_copies),
		cmocka_unit_test(conv_algorithm_by_runtime_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
