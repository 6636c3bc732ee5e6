/* A kernel whose class the profile never fitted (a transformer's transposes and activation x
 * activation MatMuls under a profile fitted from CNNs) keeps the datasheet roofline for its work,
 * but pays the launch costs the profile measured on that platform and runtime: the per-kernel
 * cost, and per op the dispatch cost of its related class (move -> elementwise, matmul -> gemm),
 * not the registry's launch default, on eager runtimes (docs/calibrate.md, "Unfitted classes").
 * The profile is the shipped Orin MAXN one with its launch costs set to known values. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "graph_builders.h"
#include "graphs/calibrate.h"
#include "graphs/estimate.h"

#define KERNEL_S 50e-6
#define ELEM_OP_S 30e-6
#define GEMM_OP_S 150e-6

static gr_hw_registry *reg;
static gr_profile *prof;

/* the shipped Orin MAXN profile, kernel_s and the op_s of elementwise and gemm set to the
 * figures above, and (drop_elementwise) without its elementwise class */
static gr_profile *edited_profile(int drop_elementwise, const char *runtime)
{
	FILE *f = fopen(GRAPHS_SOURCE_DIR "/calibration/jetson_orin_agx_gpu/maxn/pytorch.json", "rb");
	char *text = calloc(1, 1 << 22), *out;
	size_t len;
	cJSON *doc, *prec;
	gr_profile *p = NULL;
	gr_error err = {0};

	assert_non_null(f);
	assert_non_null(text);
	len = fread(text, 1, (1 << 22) - 1, f);
	fclose(f);
	assert_non_null(doc = cJSON_ParseWithLength(text, len));
	cJSON_ReplaceItemInObject(doc, "runtime", cJSON_CreateString(runtime));
	cJSON_ArrayForEach(prec, cJSON_GetObjectItemCaseSensitive(doc, "precisions")) {
		cJSON *cls = cJSON_GetObjectItemCaseSensitive(prec, "classes");
		cJSON *ew = cJSON_GetObjectItemCaseSensitive(cls, "elementwise");
		cJSON *gemm = cJSON_GetObjectItemCaseSensitive(cls, "gemm");
		assert_null(cJSON_GetObjectItemCaseSensitive(cls, "move"));
		assert_null(cJSON_GetObjectItemCaseSensitive(cls, "matmul"));
		cJSON_ReplaceItemInObject(cJSON_GetObjectItemCaseSensitive(prec, "platform"), "kernel_s",
					  cJSON_CreateNumber(KERNEL_S));
		cJSON_ReplaceItemInObject(cJSON_GetObjectItemCaseSensitive(ew, "coef"), "op_s", cJSON_CreateNumber(ELEM_OP_S));
		cJSON_ReplaceItemInObject(cJSON_GetObjectItemCaseSensitive(gemm, "coef"), "op_s",
					  cJSON_CreateNumber(GEMM_OP_S));
		if (drop_elementwise)
			cJSON_DeleteItemFromObject(cls, "elementwise");
	}
	out = cJSON_PrintUnformatted(doc);
	if (gr_profile_load_mem(out, strlen(out), "edited.json", &p, &err))
		fail_msg("%s", err.msg);
	cJSON_free(out);
	cJSON_Delete(doc);
	free(text);
	return p;
}

static int setup(void **state)
{
	gr_error err = {0};
	(void)state;
	return gr_hw_registry_load(GRAPHS_SOURCE_DIR "/hardware", &reg, &err) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	gr_hw_registry_free(reg);
	return 0;
}

/* vit's attention: a head transpose (move) or a QK^T product of two activations (matmul) */
static gr_graph *one_op(int matmul)
{
	gr_graph *g = graph(17);
	if (matmul) {
		input(g, "q", GR_DTYPE_FLOAT, 4, D(1, 12, 50, 64));
		input(g, "k", GR_DTYPE_FLOAT, 4, D(1, 12, 64, 50));
		node(g, "MatMul", L("q", "k"), L("y"), 0);
	} else {
		gr_node *n;
		input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 50, 12, 64));
		n = node(g, "Transpose", L("x"), L("y"), 1);
		attr_ints(g, n, "perm", D(0, 2, 1, 3), 4);
	}
	return g;
}

/* The one kernel of g on Orin MAXN under pytorch, with profile p (NULL: none); its overhead
 * and its work (roofline) in *over and *work. Returns its confidence. */
static gr_confidence kernel_of(gr_graph *g, const gr_profile *p, const char *runtime, double *over,
			       double *work)
{
	const gr_hw *hw;
	int mode;
	gr_error err = {0};
	gr_partition *part = NULL;
	gr_estimate *e = NULL;
	gr_estimate_opts eo = {.precision = GR_PREC_FP32, .runtime = runtime};
	gr_confidence c;

	assert_int_equal(gr_hw_registry_resolve(reg, "jetson_orin_agx_gpu:maxn", &hw, &mode, &err), GR_OK);
	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find(runtime), &part, &err), GR_OK);
	assert_int_equal(gr_estimate_run_profile(g, part, hw, mode, &eo, p, &e, &err), GR_OK);
	assert_int_equal(e->n_kernels, 1);
	*over = e->kernels[0].overhead_s;
	*work = fmax(e->kernels[0].compute_s, e->kernels[0].memory_s);
	assert_true(fabs(e->kernels[0].latency_s - (*over + *work)) < 1e-12);
	c = e->kernels[0].confidence;
	gr_estimate_free(e);
	gr_partition_free(part);
	return c;
}

static void unfitted_kernels_pay_the_profiles_launch_costs(void **state)
{
	(void)state;
	prof = edited_profile(0, "pytorch");
	for (int mm = 0; mm < 2; mm++) {
		gr_graph *g = one_op(mm);
		double over, work, over0, work0;
		gr_error err = {0};
		assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, "y")), GR_OK);
		assert_int_equal(run(g, &err), GR_OK);
		assert_int_equal(kernel_of(g, prof, "pytorch", &over, &work), GR_CONF_THEORETICAL);
		assert_int_equal(kernel_of(g, NULL, "pytorch", &over0, &work0), GR_CONF_THEORETICAL);
		/* the same roofline for the work, the profile's costs for the launch */
		assert_true(fabs(work - work0) <= 1e-9 * work0);
		assert_true(fabs(over - (KERNEL_S + (mm ? GEMM_OP_S : ELEM_OP_S))) < 1e-12);
		/* the registry's default (launch, PyTorch's op cost, the GPU's eager_op_us) is below
		 * what the Orin measured */
		assert_true(over > over0);
		gr_graph_free(g);
	}
	gr_profile_free(prof);
}

/* With no fitted related class either, the op keeps the registry's launch, beside the profile's
 * per-kernel cost. */
static void without_related_class_the_registry_launch_stays(void **state)
{
	gr_graph *g = one_op(0);
	double over, work, over0, work0;
	gr_error err = {0};
	(void)state;
	prof = edited_profile(1, "pytorch");
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, "y")), GR_OK);
	assert_int_equal(run(g, &err), GR_OK);
	assert_int_equal(kernel_of(g, prof, "pytorch", &over, &work), GR_CONF_THEORETICAL);
	assert_int_equal(kernel_of(g, NULL, "pytorch", &over0, &work0), GR_CONF_THEORETICAL);
	assert_true(fabs(over - (KERNEL_S + over0)) < 1e-12);
	gr_graph_free(g);
	gr_profile_free(prof);
}

/* A graph compiler launches fused groups, not ops: its unfitted kernels keep the registry's
 * launch, profile or not. */
static void graph_compilers_keep_the_registry_launch(void **state)
{
	gr_graph *g = one_op(1);
	double over, work, over0, work0;
	gr_error err = {0};
	(void)state;
	prof = edited_profile(0, "onnxruntime");
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, "y")), GR_OK);
	assert_int_equal(run(g, &err), GR_OK);
	assert_int_equal(kernel_of(g, prof, "onnxruntime", &over, &work), GR_CONF_THEORETICAL);
	assert_int_equal(kernel_of(g, NULL, "onnxruntime", &over0, &work0), GR_CONF_THEORETICAL);
	assert_true(fabs(over - over0) < 1e-12);
	gr_graph_free(g);
	gr_profile_free(prof);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unfitted_kernels_pay_the_profiles_launch_costs),
		cmocka_unit_test(without_related_class_the_registry_launch_stays),
		cmocka_unit_test(graph_compilers_keep_the_registry_launch),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
