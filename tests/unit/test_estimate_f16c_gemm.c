/* ncnn's x86 InnerProduct keeps float weights in fp16 (docs/estimate.md, "ncnn's x86 InnerProduct
 * weights"; gr_fusion_rules.f16c_gemm_weights). Read in Tencent/ncnn@84aaedbe9 (the x86 rows'
 * commit) src/layer/x86/innerproduct_x86.cpp: create_pipeline and forward take the fp16s path
 * (innerproduct_transform_kernel_fp16s_sse, unsigned short weights) when
 * cpu_support_x86_f16c() && opt.use_fp16_storage, which benchncnn sets; no other x86 layer there
 * asks for F16C. So an ncnn fp32 estimate on an x86_64 CPU whose engines list f16c charges a
 * gemm's weights at 2 bytes, theoretical or fitted; int8, Arm CPUs and other runtimes do not
 * move. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "estimation/op_time_model.h"
#include "graph_builders.h"
#include "graphs/estimate.h"
#include "graphs/transform.h"
#include "registry_fixture.h"

static gr_graph *build(void)
{
	gr_graph *g = graph(17);
	gr_error err = {0};
	gr_node *n;

	input(g, "x", GR_DTYPE_FLOAT, 2, D(1, 4096));
	weight(g, "w", 2, D(1000, 4096));
	weight(g, "b", 1, D(1000));
	n = node(g, "Gemm", L("x", "w", "b"), L("y"), 1);
	attr_int(n, "transB", 1);
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, "y")), GR_OK);
	assert_int_equal(run(g, &err), GR_OK);
	return g;
}

static void the_rule(void **state)
{
	const gr_fusion_rules *ncnn = gr_fusion_rules_find("ncnn");
	const gr_hw *r9 = gr_hw_registry_find(reg, "amd_ryzen_9_5950x");
	const gr_hw *i7 = gr_hw_registry_find(reg, "intel_core_i7_13700k");
	const gr_hw *pi4 = gr_hw_registry_find(reg, "raspberry_pi_4");
	(void)state;
	assert_non_null(r9);
	assert_non_null(i7);
	assert_non_null(pi4);
	assert_int_equal(ncnn->f16c_gemm_weights, 1);
	assert_int_equal(gr_fusion_rules_find("mnn")->f16c_gemm_weights, 0);
	assert_int_equal(gr_fusion_rules_find("onnxruntime")->f16c_gemm_weights, 0);
	/* the registry says which CPUs have F16C: every engine of both x86 pairs */
	assert_true(gr_hw_isa_all(r9, GR_HW_ISA_F16C) && gr_hw_isa_all(i7, GR_HW_ISA_F16C));
	assert_false(gr_hw_isa_all(pi4, GR_HW_ISA_F16C));
	assert_true(otm_gemm_weight_scale(ncnn, GR_PREC_FP32, r9) == 0.5);
	assert_true(otm_gemm_weight_scale(ncnn, GR_PREC_FP32, i7) == 0.5);
	assert_true(otm_gemm_weight_scale(ncnn, GR_PREC_INT8, r9) == 1);
	assert_true(otm_gemm_weight_scale(ncnn, GR_PREC_FP32, pi4) == 1);
	assert_true(otm_gemm_weight_scale(gr_fusion_rules_find("onnxruntime"), GR_PREC_FP32, r9) == 1);
	assert_true(otm_gemm_weight_scale(ncnn, GR_PREC_FP32, NULL) == 1);
}

/* theoretical: the ncnn fp32 estimate moves the weights' bytes at 2, the rest as without */
static void theoretical_bytes(void **state)
{
	gr_graph *g = build();
	gr_error err = {0};
	gr_fusion_rules off = *gr_fusion_rules_find("ncnn");
	const gr_hw *r9 = gr_hw_registry_find(reg, "amd_ryzen_9_5950x");
	const gr_hw *pi4 = gr_hw_registry_find(reg, "raspberry_pi_4");
	(void)state;
	off.f16c_gemm_weights = 0;
	for (int h = 0; h < 2; h++)
		for (int prec = 0; prec < 2; prec++) {
			gr_estimate_opts o = {.precision = prec ? GR_PREC_INT8 : GR_PREC_FP32, .runtime = "ncnn"};
			gr_partition *pa = NULL, *pb = NULL;
			gr_estimate *a = NULL, *b = NULL;
			double saved;
			assert_int_equal(gr_partition_build(g, gr_fusion_rules_find("ncnn"), &pa, &err), GR_OK);
			assert_int_equal(gr_partition_build(g, &off, &pb, &err), GR_OK);
			assert_int_equal(gr_estimate_run(g, pa, h ? pi4 : r9, -1, &o, &a, &err), GR_OK);
			assert_int_equal(gr_estimate_run(g, pb, h ? pi4 : r9, -1, &o, &b, &err), GR_OK);
			saved = b->bytes - a->bytes;
			print_message("%s %s: %.0f B with the rule, %.0f without\n", h ? "pi4" : "5950x",
				      prec ? "int8" : "fp32", a->bytes, b->bytes);
			if (!h && !prec) {
				assert_true(fabs(saved - (1000.0 * 4096 + 1000) * 2) <= 1e-9 * b->bytes);
				assert_true(a->latency_s < b->latency_s);
			} else {
				assert_true(saved == 0 && a->latency_s == b->latency_s);
			}
			gr_estimate_free(a);
			gr_estimate_free(b);
			gr_partition_free(pa);
			gr_partition_free(pb);
		}
	gr_graph_free(g);
}

/* the per-op view fits and fitted estimates charge: the gemm's weight elements at half */
static void view_weights(void **state)
{
	gr_graph *g = build();
	size_t n = gr_graph_node_count(g);
	otm_node *v = calloc(n + 1, sizeof(*v));
	(void)state;
	assert_non_null(v);
	for (size_t i = 0; i < n; i++)
		otm_node_from(gr_graph_node(g, i), &v[i]);
	otm_nodes_gemm_weights(g, v, 0.5);
	assert_true(v[0].cls == GR_KC_GEMM);
	assert_true(fabs(v[0].ew - 0.5 * (1000.0 * 4096 + 1000)) < 1e-6);
	otm_nodes_gemm_weights(g, v, 1); /* from the graph again, not from the scaled view */
	assert_true(fabs(v[0].ew - (1000.0 * 4096 + 1000)) < 1e-6);
	free(v);
	gr_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_rule),
		cmocka_unit_test(theoretical_bytes),
		cmocka_unit_test(view_weights),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
