/* Sibling matrix ops and attention scales (docs/estimate.md, "Sibling matrix ops"): a graph
 * compiler that fuses attention runs the MatMuls reading one activation with constant weights as
 * one GEMM (N summed), and folds a constant scale of q into the attention kernel; eager runtimes,
 * compilers that do not fuse attention and dataflow chips keep them apart. */
#include <stdio.h>
#include <stdlib.h>

#include "graph_builders.h"
#include "graphs/estimate.h"

/* x [1, 8, 64] -> q, k, v = MatMul(x, w*) + b*; qs = Reshape(q) / 8; s = MatMul(qs, Transpose(k));
 * y = MatMul(Softmax(s), v). */
static gr_graph *qkv(void)
{
	static const char *const w[] = {"wq", "wk", "wv"}, *b[] = {"bq", "bk", "bv"};
	static const char *const m[] = {"q0", "k0", "v0"}, *o[] = {"q", "k", "v"};
	gr_graph *g = graph(17);
	gr_error err = {0};
	gr_node *n;

	input(g, "x", GR_DTYPE_FLOAT, 3, D(1, 8, 64));
	for (int i = 0; i < 3; i++) {
		weight(g, w[i], 2, D(64, 64));
		weight(g, b[i], 1, D(64));
		node(g, "MatMul", L("x", w[i]), L(m[i]), 0);
		node(g, "Add", L(m[i], b[i]), L(o[i]), 0);
	}
	/* a view between, as exports split heads there: else the scale joins q's epilogue */
	ints(g, "shape", GR_DTYPE_INT64, 1, D(1, 8, 64), 3);
	node(g, "Reshape", L("q", "shape"), L("qh"), 0);
	floats(g, "c", 0, NULL, (const double[]){8.0}, 1);
	node(g, "Div", L("qh", "c"), L("qs"), 0);
	n = node(g, "Transpose", L("k"), L("kt"), 1);
	attr_ints(g, n, "perm", D(0, 2, 1), 3);
	node(g, "MatMul", L("qs", "kt"), L("s"), 0);
	n = node(g, "Softmax", L("s"), L("a"), 1);
	attr_int(n, "axis", -1);
	node(g, "MatMul", L("a", "v"), L("y"), 0);
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, "y")), GR_OK);
	assert_int_equal(run(g, &err), GR_OK);
	return g;
}

typedef struct {
	size_t gemm_kernels;  /* kernels of class gemm */
	double gemm_n;        /* the largest N of one */
	int scale_in_attention;
	size_t attention_nodes;  /* nodes of the attention kernel */
	double attention_flops;
} counts;

static counts partition(const gr_graph *g, const char *rt)
{
	gr_partition *p = NULL;
	gr_error err = {0};
	counts c = {0, 0, 0, 0, 0};

	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find(rt), &p, &err), GR_OK);
	for (size_t k = 0; k < gr_partition_count(p); k++) {
		const gr_kernel *kr = gr_partition_kernel(p, k);
		if (kr->cls == GR_KC_GEMM) {
			c.gemm_kernels++;
			c.gemm_n = kr->n > c.gemm_n ? kr->n : c.gemm_n;
		}
		if (kr->cls == GR_KC_ATTENTION) {
			c.attention_nodes = kr->count;
			c.attention_flops = kr->flops;
		}
		for (size_t j = 0; j < kr->count; j++)
			if (kr->cls == GR_KC_ATTENTION && gr_partition_node(p, kr, j)->op == GR_OP_DIV)
				c.scale_in_attention = 1;
	}
	gr_partition_free(p);
	return c;
}

static void attention_compilers_run_sibling_matmuls_as_one_gemm(void **state)
{
	gr_graph *g = qkv();
	(void)state;
	for (const char *const *rt = (const char *const[]){"tensorrt", "compiler", "triton_tensorrt", NULL}; *rt; rt++) {
		counts c = partition(g, *rt);
		if (c.gemm_kernels != 1 || c.gemm_n != 192)
			fail_msg("%s: %zu gemm kernels (N %g), want 1 (N 192)", *rt, c.gemm_kernels, c.gemm_n);
	}
	/* eager runtimes, compilers that do not fuse attention and dataflow chips launch each */
	for (const char *const *rt = (const char *const[]){"pytorch", "onnxruntime", "hailo_dfc", NULL}; *rt; rt++) {
		counts c = partition(g, *rt);
		if (c.gemm_kernels != 3 || c.gemm_n != 64)
			fail_msg("%s: %zu gemm kernels (N %g), want 3 (N 64)", *rt, c.gemm_kernels, c.gemm_n);
	}
	gr_graph_free(g);
}

static void a_constant_scale_of_q_joins_the_attention(void **state)
{
	gr_graph *g = qkv();
	(void)state;
	assert_true(partition(g, "tensorrt").scale_in_attention);
	assert_true(partition(g, "compiler").scale_in_attention);
	/* hailo_dfc fuses the attention but keeps the scale a layer of its own */
	assert_false(partition(g, "hailo_dfc").scale_in_attention);
	assert_false(partition(g, "pytorch").scale_in_attention);
	gr_graph_free(g);
}

/* Each node of an attention once: its first MatMul's FLOPs counted once. */
static void an_attention_counts_each_node_once(void **state)
{
	gr_graph *g = qkv();
	double want = 0, scale = 0;
	counts c;
	(void)state;
	for (size_t i = 0; i < gr_graph_node_count(g); i++) {
		const gr_node *n = gr_graph_node(g, i);
		if (n->op == GR_OP_SOFTMAX || (n->op == GR_OP_MATMUL && gr_node_kernel_class(n) == GR_KC_MATMUL))
			want += n->cost.flops;
		if (n->op == GR_OP_DIV)
			scale = n->cost.flops;
	}
	c = partition(g, "hailo_dfc");
	assert_int_equal(c.attention_nodes, 3);
	assert_true(c.attention_flops == want);
	c = partition(g, "tensorrt");
	assert_int_equal(c.attention_nodes, 4); /* the scale too */
	assert_true(c.attention_flops == want + scale);
	gr_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(attention_compilers_run_sibling_matmuls_as_one_gemm),
		cmocka_unit_test(a_constant_scale_of_q_joins_the_attention),
		cmocka_unit_test(an_attention_counts_each_node_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
