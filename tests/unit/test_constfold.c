/* Constant folding (src/core/constfold.c): a subgraph whose inputs are all constants is
 * computed once at load, however deep (Swin's attention masks: a ConstantOfShape and a dozen
 * ops on it), so no runtime runs it per inference and its output counts as a weight; a node that
 * reads an activation is never folded. And a MatMul of two activations counts its matrix
 * products (heads x windows x frames), which a fitted matrix_s charges one by one. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "estimation/op_time_model.h"
#include "graph_builders.h"
#include "graphs/estimate.h"
#include "graphs/transform.h"

/* c (initializer) -> 12 x Neg -> m; y = x + m: the chain is constant, deeper than the old bound
 * of 8 on the recursive check */
static void a_deep_constant_chain_folds_and_only_the_add_runs(void **state)
{
	gr_graph *g = graph(17);
	gr_partition *p = NULL;
	gr_error err = {0};
	char prev[16] = "c", cur[16];
	(void)state;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 3, 49, 49));
	weight(g, "c", 4, D(1, 3, 49, 49));
	for (int i = 0; i < 12; i++) {
		snprintf(cur, sizeof(cur), "m%d", i);
		node(g, "Neg", L(prev), L(cur), 0);
		snprintf(prev, sizeof(prev), "%s", cur);
	}
	node(g, "Add", L("x", prev), L("y"), 0);
	node(g, "Relu", L("y"), L("z"), 0);
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, "z")), GR_OK);
	assert_int_equal(run(g, &err), GR_OK);

	for (size_t i = 0; i < gr_graph_node_count(g); i++) {
		const gr_node *n = gr_graph_node(g, i);
		int constant = !strcmp(n->op_type, "Neg");
		assert_int_equal(gr_node_is_folded(n), constant);
	}
	assert_true(gr_tensor_is_weight(gr_graph_tensor_ref(g, prev)));
	assert_false(gr_tensor_is_weight(gr_graph_tensor_ref(g, "y")));
	/* the partition has the Add and the Relu, none of the 12 Negs */
	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find("hailo_dfc"), &p, &err), GR_OK);
	{
		size_t ops = 0;
		for (size_t k = 0; k < gr_partition_count(p); k++)
			ops += gr_partition_kernel(p, k)->count;
		assert_int_equal(ops, 2);
	}
	gr_partition_free(p);
	gr_graph_free(g);
}

/* q [2,3,49,32] x k [2,3,32,49]: six 49x49 products of activations; the same MatMul with a
 * weight is a gemm and has none */
static void an_activation_matmul_counts_its_matrices(void **state)
{
	gr_graph *g = graph(17);
	gr_error err = {0};
	otm_node a, w;
	otm_prec cp;
	double parts[3], t0, t1;
	(void)state;

	input(g, "q", GR_DTYPE_FLOAT, 4, D(2, 3, 49, 32));
	input(g, "k", GR_DTYPE_FLOAT, 4, D(2, 3, 32, 49));
	weight(g, "w", 2, D(49, 64));
	node(g, "MatMul", L("q", "k"), L("s"), 0);
	node(g, "MatMul", L("s", "w"), L("y"), 0);
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, "y")), GR_OK);
	assert_int_equal(run(g, &err), GR_OK);
	otm_node_from(gr_graph_node(g, 0), &a);
	otm_node_from(gr_graph_node(g, 1), &w);
	assert_int_equal(a.cls, GR_KC_MATMUL);
	assert_true(fabs(a.matrices - 6) < 1e-9);
	assert_int_equal(w.cls, GR_KC_GEMM);
	assert_true(w.matrices == 0);

	/* each matrix adds matrix_s to the op's compute time; nothing else changes */
	memset(&cp, 0, sizeof(cp));
	cp.bytes_per_elem = 1;
	cp.cls[GR_KC_MATMUL].fitted = 1;
	cp.cls[GR_KC_MATMUL].coef[CF_FLOPS] = 1e-12;
	cp.cls[GR_KC_MATMUL].coef[CF_BYTES] = 1e-11;
	t0 = otm_node_time(&cp, &a, 2, parts);
	cp.matrix_s = 3e-6;
	t1 = otm_node_time(&cp, &a, 2, parts);
	assert_true(fabs((t1 - t0) - 6 * 3e-6) < 1e-12);
	assert_true(parts[0] >= 6 * 3e-6);
	cp.cls[GR_KC_GEMM] = cp.cls[GR_KC_MATMUL];
	t0 = otm_node_time(&cp, &w, 2, NULL);
	cp.matrix_s = 0;
	assert_true(fabs(t0 - otm_node_time(&cp, &w, 2, NULL)) < 1e-15);
	gr_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_deep_constant_chain_folds_and_only_the_add_runs),
		cmocka_unit_test(an_activation_matmul_counts_its_matrices),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
