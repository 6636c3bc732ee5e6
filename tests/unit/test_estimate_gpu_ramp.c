/* A small vector kernel on a GPU costs what the device spends on it, a few microseconds (its
 * launch, the runtime's cost per kernel, one ramp-up: estimator.fill.vector_us), not the 55-62 us
 * the FLOP ramp at the fp32 lanes' rate gave it; what an eager framework pays per op for driving
 * the GPU is estimator.eager_op_us, which compiled runtimes do not pay (docs/estimate.md,
 * "Physical bounds"). Theoretical estimates: no calibration profile is looked up. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph_builders.h"
#include "graphs/estimate.h"
#include "graphs/transform.h"
#include "registry_fixture.h"

/* out = type(ins...), no attributes (LayerNormalization: axis -1) */
static gr_graph *one_op(const char *type, const char *const *ins, const int *init)
{
	gr_graph *g = graph(17);
	gr_error err = {0};

	for (size_t ni = 0; ins[ni]; ni++) {
		if (init[ni])
			weight(g, ins[ni], 1, D(1024));
		else
			input(g, ins[ni], GR_DTYPE_FLOAT, 3, D(1, 128, 1024));
	}
	node(g, type, ins, L("y"), 0);
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, "y")), GR_OK);
	assert_int_equal(run(g, &err), GR_OK);
	return g;
}

/* The one kernel of g on hwspec at prec under runtime: its latency and launch costs (s). */
static void kernel_of(const gr_graph *g, const char *hwspec, gr_precision prec, const char *runtime,
		      double *latency, double *overhead, double *compute)
{
	const gr_hw *hw;
	int mode;
	gr_partition *p;
	gr_estimate *e = NULL;
	gr_error err = {0};
	gr_estimate_opts eo = {.precision = (int)prec, .runtime = runtime, .amp = 0};

	assert_int_equal(gr_hw_registry_resolve(reg, hwspec, &hw, &mode, &err), GR_OK);
	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find(runtime), &p, &err), GR_OK);
	if (gr_estimate_run(g, p, hw, mode, &eo, &e, &err) != GR_OK)
		fail_msg("%s %s: %s", hwspec, runtime, err.msg);
	assert_int_equal(e->n_kernels, 1);
	assert_int_equal(e->kernels[0].confidence, GR_CONF_THEORETICAL);
	*latency = e->kernels[0].latency_s;
	*overhead = e->kernels[0].overhead_s;
	*compute = e->kernels[0].compute_s;
	e->kernels[0].kernel = NULL; /* the partition goes now */
	gr_estimate_free(e);
	gr_partition_free(p);
}

static void check(gr_graph *g)
{
	double lat, ov, comp, lat_pt, ov_pt, comp_pt;

	/* BERT-large's LayerNorm / residual Add at sequence 128 (1x128x1024) on an A100 under
	 * TensorRT int8: launch 5 us + TensorRT's 1 us + the 2 us ramp + its bytes; it was 61.6 us */
	kernel_of(g, "nvidia_a100_pcie_40gb", GR_PREC_INT8, "tensorrt", &lat, &ov, &comp);
	assert_true(lat > 0 && lat < 10e-6);
	assert_true(comp < 5e-6);
	/* eager PyTorch pays the framework's cost per op on the GPU on top: more per kernel, the
	 * device's part (its compute) the same */
	kernel_of(g, "nvidia_a100_pcie_40gb", GR_PREC_INT8, "pytorch", &lat_pt, &ov_pt, &comp_pt);
	assert_true(ov_pt > ov + 10e-6);
	assert_true(lat_pt > lat);
	assert_true(fabs(comp_pt - comp) <= 1e-9);
	gr_graph_free(g);
}

static void a_tiny_layernorm_costs_a_few_us_under_tensorrt(void **state)
{
	(void)state;
	check(one_op("LayerNormalization", (const char *[]){"x", "s", "b", NULL}, (const int[]){0, 1, 1}));
}

static void a_tiny_add_costs_a_few_us_under_tensorrt(void **state)
{
	(void)state;
	check(one_op("Add", (const char *[]){"x", "r", NULL}, (const int[]){0, 0}));
}

/* CPUs charge no vector ramp and no eager device cost: the class file gives neither */
static void cpu_classes_give_no_vector_ramp_or_eager_cost(void **state)
{
	(void)state;
	int mode = 0;
	const gr_hw *hw = registry_resolve("intel_core_i7_12700k", &mode);
	gr_hw_estimator ep;
	char why[256];
	assert_int_equal(gr_hw_estimator_params(hw, &ep, why, sizeof(why)), 0);
	assert_true(ep.fill_vector_us == 0 && ep.eager_op_us == 0);
	assert_true(gr_op_launch_us(gr_fusion_rules_find("pytorch"), &ep) ==
		    ep.kernel_launch_us + gr_fusion_rules_find("pytorch")->op_overhead_us);
}

int main(void)
{
	/* theoretical estimates only: no shipped or user profile is found */
	setenv("GRAPHS_CALIBRATION_PATH", "/nonexistent", 1);
	setenv("GRAPHS_CALIBRATION_DIR", "/nonexistent", 1);
	setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_tiny_layernorm_costs_a_few_us_under_tensorrt),
		cmocka_unit_test(a_tiny_add_costs_a_few_us_under_tensorrt),
		cmocka_unit_test(cpu_classes_give_no_vector_ramp_or_eager_cost),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
