/* Layouts around matrix ops (docs/estimate.md, "Layouts"): a graph compiler that fuses attention
 * reads a Transpose feeding only MatMul/Gemm (through views) in place, so it launches no kernel;
 * a Transpose feeding anything else, and every Transpose under an eager runtime, stays one. */
#include <stdio.h>
#include <stdlib.h>

#include "graph_builders.h"
#include "graphs/estimate.h"

/* x [1, 8, 64] -> Reshape [1, 8, 4, 16] -> Transpose (0 2 1 3) -> q [1, 4, 8, 16];
 * MatMul(q, k [1, 4, 16, 8]) -> s; s -> Transpose (0 1 3 2) -> st -> Relu -> y. */
static gr_graph *heads(void)
{
	gr_graph *g = graph(17);
	gr_error err = {0};
	gr_node *n;

	input(g, "x", GR_DTYPE_FLOAT, 3, D(1, 8, 64));
	input(g, "k", GR_DTYPE_FLOAT, 4, D(1, 4, 16, 8));
	ints(g, "shape", GR_DTYPE_INT64, 1, D(1, 8, 4, 16), 4);
	node(g, "Reshape", L("x", "shape"), L("xh"), 0);
	n = node(g, "Transpose", L("xh"), L("q"), 1);
	attr_ints(g, n, "perm", D(0, 2, 1, 3), 4);
	node(g, "MatMul", L("q", "k"), L("s"), 0);
	n = node(g, "Transpose", L("s"), L("st"), 1);
	attr_ints(g, n, "perm", D(0, 1, 3, 2), 4);
	node(g, "Relu", L("st"), L("y"), 0);
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, "y")), GR_OK);
	assert_int_equal(run(g, &err), GR_OK);
	return g;
}

/* The Transposes of g that run in a kernel under runtime rt. */
static size_t transposes_launched(const gr_graph *g, const char *rt)
{
	gr_partition *p = NULL;
	gr_error err = {0};
	size_t t = 0;

	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find(rt), &p, &err), GR_OK);
	for (size_t k = 0; k < gr_partition_count(p); k++) {
		const gr_kernel *kr = gr_partition_kernel(p, k);
		for (size_t j = 0; j < kr->count; j++)
			t += gr_partition_node(p, kr, j)->op == GR_OP_TRANSPOSE;
	}
	gr_partition_free(p);
	return t;
}

static void matmul_operands_are_read_in_place_by_attention_compilers(void **state)
{
	gr_graph *g = heads();
	(void)state;
	/* the head split feeds the MatMul (through the Reshape view): folded; the one before Relu stays */
	for (const char *const *rt = (const char *const[]){"tensorrt", "compiler", "onnxruntime_qnn", NULL}; *rt; rt++)
		if (transposes_launched(g, *rt) != 1)
			fail_msg("%s: %zu transposes launched, want 1", *rt, transposes_launched(g, *rt));
	/* eager runtimes, compilers that do not fuse attention and dataflow chips launch both */
	assert_int_equal(transposes_launched(g, "pytorch"), 2);
	assert_int_equal(transposes_launched(g, "onnxruntime"), 2);
	assert_int_equal(transposes_launched(g, "hailo_dfc"), 2);
	gr_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matmul_operands_are_read_in_place_by_attention_compilers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
