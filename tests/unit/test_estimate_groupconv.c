/* Grouped convolutions (docs/estimate.md, "Grouped convolutions"): a grouped, not depthwise,
 * convolution (ResNeXt, RegNet) runs one small GEMM per group; a group narrower than the
 * output channels of a matrix-kernel tile (estimator.group_conv.tile_n) fills only part of it.
 * Such a conv costs more time per FLOP than a dense conv of equal FLOPs, never beats the peak,
 * keeps its FLOPs, and dense and depthwise convs are not touched. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_builders.h"
#include "graphs/calibrate.h"
#include "graphs/estimate.h"
#include "registry_fixture.h"

/* x [1, cin, hw, hw] -> Conv 3x3 pad 1 (group) -> y, inferred. */
static gr_graph *conv(int64_t cin, int64_t cout, int64_t hw, int64_t group)
{
	gr_graph *g = graph(17);
	gr_error err = {0};
	gr_node *n;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, cin, hw, hw));
	weight(g, "w", 4, D(cout, cin / group, 3, 3));
	n = node(g, "Conv", L("x", "w"), L("y"), 5);
	attr_ints(g, n, "pads", D(1, 1, 1, 1), 4);
	attr_ints(g, n, "kernel_shape", D(3, 3), 2);
	attr_int(n, "group", group);
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, "y")), GR_OK);
	assert_int_equal(run(g, &err), GR_OK);
	return g;
}

static void group_width_and_scale(void **state)
{
	gr_graph *gg = conv(512, 512, 28, 128), *gd = conv(64, 32, 28, 1), *gw = conv(256, 256, 28, 256),
		 *g64 = conv(512, 512, 28, 8);
	(void)state;
	assert_true(gr_node_group_width(gr_graph_node(gg, 0)) == 4);
	assert_true(gr_node_group_width(gr_graph_node(g64, 0)) == 64);
	assert_true(gr_node_group_width(gr_graph_node(gd, 0)) == 0); /* dense */
	assert_true(gr_node_group_width(gr_graph_node(gw, 0)) == 0); /* depthwise: its own class */
	assert_true(gr_group_conv_scale(4, 32) == 8);
	assert_true(gr_group_conv_scale(64, 32) == 1);
	assert_true(gr_group_conv_scale(0, 32) == 1 && gr_group_conv_scale(4, 0) == 1);
	gr_graph_free(gg);
	gr_graph_free(gd);
	gr_graph_free(gw);
	gr_graph_free(g64);
}

/* compute seconds per FLOP of g's only kernel on hw (onnxruntime: direct convolution) */
static double per_flop(const gr_graph *g, const gr_hw *hw, double *peak_s, double *width)
{
	gr_error err = {0};
	gr_partition *p = NULL;
	gr_estimate *e = NULL;
	gr_estimate_opts o = {.precision = -1, .runtime = "onnxruntime"};
	double r, flops = gr_node_cost(gr_graph_node(g, 0))->flops, peak;

	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find("onnxruntime"), &p, &err), GR_OK);
	if (gr_estimate_run(g, p, hw, -1, &o, &e, &err))
		fail_msg("%s: %s", gr_hw_id(hw), err.msg);
	assert_true(e->flops == flops); /* the definition's FLOPs, grouped or not */
	peak = gr_hw_effective_peak_ops(hw, -1, e->precision);
	r = e->kernels[0].compute_s / flops;
	*peak_s = peak > 0 ? 1 / peak : 0;
	*width = e->kernels[0].kernel->group_width;
	gr_estimate_free(e);
	gr_partition_free(p);
	return r;
}

/* width-4 groups (512 channels, 128 groups) against a dense conv of the same FLOPs */
static void narrow_groups_cost_more_per_flop(void **state)
{
	static const char *ids[] = {"nvidia_t4", "nvidia_a100_sxm4_40gb", "amd_ryzen_9_5950x", "intel_core_i7_13700k"};
	gr_graph *gg = conv(512, 512, 28, 128), *gd = conv(64, 32, 28, 1), *gw = conv(256, 256, 28, 256);
	(void)state;
	assert_true(gr_node_cost(gr_graph_node(gg, 0))->flops == gr_node_cost(gr_graph_node(gd, 0))->flops);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const gr_hw *hw = gr_hw_registry_find(reg, ids[i]);
		double pg, pd, pw, w, fg, fd, fw;
		if (!hw)
			fail_msg("%s not in the registry", ids[i]);
		fg = per_flop(gg, hw, &pg, &w);
		assert_true(w == 4);
		fd = per_flop(gd, hw, &pd, &w);
		assert_true(w == 0);
		fw = per_flop(gw, hw, &pw, &w);
		assert_true(w == 0);
		if (!(fg > 1.5 * fd))
			fail_msg("%s: grouped %.4g s/FLOP, dense %.4g s/FLOP", ids[i], fg, fd);
		if (fg < pg * (1 - 1e-9) || fd < pd * (1 - 1e-9) || fw < pw * (1 - 1e-9))
			fail_msg("%s: beats the peak", ids[i]);
	}
	gr_graph_free(gg);
	gr_graph_free(gd);
	gr_graph_free(gw);
}

/* Overhead of g's only kernel on hw under runtime rt, theoretical or with profile prof (NULL:
 * none); with undo, the kernel's dispatches are set back to 1 first (as without the split). */
static double overhead(const gr_graph *g, const gr_hw *hw, const char *rt, const gr_profile *prof, int undo,
		       double *dispatches)
{
	gr_error err = {0};
	gr_partition *p = NULL;
	gr_estimate *e = NULL;
	gr_estimate_opts o = {.precision = GR_PREC_FP32, .runtime = rt};
	double r;

	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find(rt), &p, &err), GR_OK);
	*dispatches = gr_partition_kernel(p, 0)->dispatches;
	if (undo)
		((gr_kernel *)gr_partition_kernel(p, 0))->dispatches = 1;
	if (prof ? gr_estimate_run_profile(g, p, hw, -1, &o, prof, &e, &err)
		 : gr_estimate_run(g, p, hw, -1, &o, &e, &err))
		fail_msg("%s: %s", gr_hw_id(hw), err.msg);
	r = e->kernels[0].overhead_s;
	gr_estimate_free(e);
	gr_partition_free(p);
	return r;
}

/* ncnn runs a grouped conv as one conv per group (gr_fusion_rules.group_split): each further
 * group pays the platform's launch cost (overheads.kernel_launch_us), theoretical or fitted;
 * dense and depthwise convs, and runtimes that do not split, launch once. */
static void ncnn_launches_each_group(void **state)
{
	const gr_hw *hw = gr_hw_registry_find(reg, "amd_ryzen_9_5950x");
	gr_graph *gg = conv(64, 64, 28, 8), *gd = conv(64, 64, 28, 1), *gw = conv(64, 64, 28, 64);
	gr_hw_estimator ep;
	gr_profile *prof = NULL;
	gr_error err = {0};
	double d, launch, split, once;
	(void)state;
	assert_non_null(hw);
	assert_int_equal(gr_hw_estimator_params(hw, &ep, NULL, 0), 0);
	launch = ep.kernel_launch_us * 1e-6;
	assert_true(launch > 0);
	assert_true(gr_fusion_rules_find("ncnn")->group_split && !gr_fusion_rules_find("mnn")->group_split &&
		    !gr_fusion_rules_find("onnxruntime")->group_split);
	/* theoretical: ncnn against MNN (the same rules but the split and the fast-conv choice,
	 * which leaves a grouped conv alone) */
	split = overhead(gg, hw, "ncnn", NULL, 0, &d);
	assert_true(d == 8);
	once = overhead(gg, hw, "mnn", NULL, 0, &d);
	assert_true(d == 1);
	assert_true(fabs(split - once - 7 * launch) < 1e-12);
	overhead(gd, hw, "ncnn", NULL, 0, &d);
	assert_true(d == 1);
	overhead(gw, hw, "ncnn", NULL, 0, &d);
	assert_true(d == 1);
	/* fitted (the shipped ncnn profile): the same seven launches on top of the fitted costs */
	assert_int_equal(gr_profile_load(GRAPHS_SOURCE_DIR "/calibration/amd_ryzen_9_5950x/default/ncnn.json", &prof, &err),
			 GR_OK);
	split = overhead(gg, hw, "ncnn", prof, 0, &d);
	once = overhead(gg, hw, "ncnn", prof, 1, &d);
	assert_true(fabs(split - once - 7 * launch) < 1e-12);
	gr_profile_free(prof);
	gr_graph_free(gg);
	gr_graph_free(gd);
	gr_graph_free(gw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(group_width_and_scale),
		cmocka_unit_test(narrow_groups_cost_more_per_flop),
		cmocka_unit_test(ncnn_launches_each_group),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
