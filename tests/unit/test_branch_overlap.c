/* estimator.branch_overlap (docs/hardware.md): a platform that runs independent branches of a
 * graph at once (the Qualcomm Hexagon NPUs) hides the kernels off the critical path. On two
 * parallel convs joined by a Concat, the theoretical latency drops by exactly the shorter
 * branch's kernel, which then adds nothing; a chain has nothing off its path and is unchanged;
 * platforms that do not say so keep every kernel in series; and a fit to published figures on
 * such a platform keeps off-path kernels near free (offpath_kernel_factor near 0). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "calibration/calib_impl.h"
#include "graph_builders.h"
#include "graphs/estimate.h"
#include "graphs/transform.h"
#include "hardware/hw_impl.h"
#include "registry_fixture.h"

#define HW_ID "qualcomm_qcs8550_npu"
#define RT "qnn_dlc"

static void conv(gr_graph *g, const char *in, const char *w, const char *out)
{
	gr_node *n = node(g, "Conv", L(in, w), L(out), 2);
	attr_ints(g, n, "pads", D(1, 1, 1, 1), 4);
	attr_ints(g, n, "kernel_shape", D(3, 3), 2);
}

/* branched: x -> Conv(64) and x -> Conv(16), joined by Concat; else x -> Conv -> Conv */
static gr_graph *build(int branched)
{
	gr_graph *g = graph(17);
	gr_error err = {0};

	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 64, 56, 56));
	weight(g, "w1", 4, D(64, 64, 3, 3));
	if (branched) {
		weight(g, "w2", 4, D(16, 64, 3, 3));
		conv(g, "x", "w1", "a");
		conv(g, "x", "w2", "b");
		attr_int(node(g, "Concat", L("a", "b"), L("y"), 1), "axis", 1);
	} else {
		weight(g, "w2", 4, D(64, 64, 3, 3));
		conv(g, "x", "w1", "a");
		conv(g, "a", "w2", "y");
	}
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, "y")), GR_OK);
	assert_int_equal(run(g, &err), GR_OK);
	return g;
}

/* The estimate's kernels point into *p: free it after the estimate. */
static gr_estimate *estimate(gr_graph *g, const gr_hw *hw, gr_partition **p)
{
	gr_estimate *e = NULL;
	gr_error err = {0};
	gr_estimate_opts o = {.precision = GR_PREC_INT8, .runtime = RT};

	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find(RT), p, &err), GR_OK);
	assert_int_equal(gr_estimate_run(g, *p, hw, -1, &o, &e, &err), GR_OK);
	return e;
}

static size_t key_index(const char *name)
{
	for (size_t i = 0; i < GR_HW_EST_KEY_COUNT; i++)
		if (!strcmp(gr_hw_est_keys[i].name, name))
			return i;
	fail_msg("no estimator key %s", name);
	return 0;
}

static void registry_says_which_platforms_overlap(void **state)
{
	gr_hw_estimator ep;
	assert_int_equal(gr_hw_estimator_params(gr_hw_registry_find(reg, HW_ID), &ep, NULL, 0), 0);
	assert_true(ep.branch_overlap == 1);
	assert_int_equal(gr_hw_estimator_params(gr_hw_registry_find(reg, "nvidia_t4"), &ep, NULL, 0), 0);
	assert_true(ep.branch_overlap == 0); /* absent: every kernel in series */
}

static void off_path_kernels_add_nothing(void **state)
{
	const gr_hw *hw = gr_hw_registry_find(reg, HW_ID);
	gr_hw serial = *hw; /* the same platform without the key */
	gr_graph *g = build(1), *chain = build(0);
	gr_estimate *over, *ser;
	gr_partition *po = NULL, *ps = NULL;
	double small = INFINITY;
	size_t zero = 0;

	serial.est_given[key_index("branch_overlap")] = 0;
	serial.est.branch_overlap = 0;
	over = estimate(g, hw, &po);
	ser = estimate(g, &serial, &ps);
	assert_int_equal(over->n_kernels, 3); /* two convs and the concat */
	for (size_t k = 0; k < ser->n_kernels; k++)
		if (ser->kernels[k].latency_s < small && ser->kernels[k].kernel->cls == GR_KC_CONV)
			small = ser->kernels[k].latency_s; /* the 16-channel conv: off the path */
	for (size_t k = 0; k < over->n_kernels; k++)
		zero += over->kernels[k].latency_s == 0;
	print_message("branched: %.4f ms in series, %.4f ms overlapped (off path %.4f ms)\n",
		      1e3 * ser->latency_s, 1e3 * over->latency_s, 1e3 * small);
	assert_int_equal(zero, 1);
	assert_true(small > 0);
	assert_true(fabs(ser->latency_s - over->latency_s - small) < 1e-12 + 1e-9 * ser->latency_s);
	gr_estimate_free(over);
	gr_estimate_free(ser);
	gr_partition_free(po);
	gr_partition_free(ps);

	over = estimate(chain, hw, &po);
	ser = estimate(chain, &serial, &ps);
	assert_true(over->latency_s == ser->latency_s); /* a chain: nothing off the path */
	gr_estimate_free(over);
	gr_estimate_free(ser);
	gr_partition_free(po);
	gr_partition_free(ps);
	gr_graph_free(g);
	gr_graph_free(chain);
}

/* A fit to published figures on the platform starts from the registry's overlap and is pulled
 * towards it: the QCS8550's QNN figures (googlenet's inception branches among them) leave
 * off-path kernels at a few % of their time at most. */
static void published_fit_keeps_branches_overlapped(void **state)
{
	gr_meas_set *s = NULL;
	gr_profile *p = NULL;
	gr_error err = {0};
	gr_fit_opts o = {.hw = HW_ID, .precision = GR_PREC_INT8, .runtime = RT, .lomo = 0, .min_models = 4};
	(void)state;
	setenv("GRAPHS_CALIBRATION_PATH", "/nonexistent", 1);
	setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
	assert_int_equal(gr_meas_set_new(&s, &err), GR_OK);
	assert_int_equal(gr_meas_load(s, GRAPHS_SOURCE_DIR "/data/published/qai_hub_models.csv", NULL, &err), GR_OK);
	assert_int_equal(gr_profile_fit(s, &o, &p, &err), GR_OK);
	assert_true(p->tm.prec[GR_PREC_INT8].has_offpath);
	print_message("fitted offpath_kernel_factor %.3g\n", p->tm.prec[GR_PREC_INT8].offpath_factor);
	assert_true(p->tm.prec[GR_PREC_INT8].offpath_factor < 0.05);
	gr_profile_free(p);
	gr_meas_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registry_says_which_platforms_overlap),
		cmocka_unit_test(off_path_kernels_add_nothing),
		cmocka_unit_test(published_fit_keeps_branches_overlapped),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
