/* Transfer (docs/transfer.md): donor choice, scaling within physics, the platform's own profile
 * never lent to itself, and a class with no calibrated platform left theoretical. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "calibration/calib_impl.h"
#include "graphs/model.h"
#include "graphs/zoo.h"
#include "registry_fixture.h"
#include "zoo_fixture.h"

#define CAL GRAPHS_SOURCE_DIR "/calibration"

static char root[256];

/* A calibration folder under root holding the shipped profiles named id/mode. */
static void make_cal_dir(const char *name, const char *const *keys, size_t n, char *out, size_t size)
{
	char cmd[2048];
	snprintf(out, size, "%s/%s", root, name);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s", out);
	assert_int_equal(system(cmd), 0);
	for (size_t i = 0; i < n; i++) {
		snprintf(cmd, sizeof(cmd), "mkdir -p %s/%s && cp %s/%s/pytorch.json %s/%s/", out, keys[i], CAL, keys[i],
			 out, keys[i]);
		assert_int_equal(system(cmd), 0);
	}
}

/* Only dir is searched: no user folder, no shipped folder. */
static void search_only(const char *dir)
{
	char empty[300];
	snprintf(empty, sizeof(empty), "%s/empty", root);
	mkdir(empty, 0755);
	setenv("GRAPHS_CALIBRATION_PATH", dir, 1);
	setenv("GRAPHS_CALIBRATION_DIR", empty, 1);
	setenv("XDG_CONFIG_HOME", empty, 1);
}

static int setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/graphs-test-transfer-%d", (int)getpid());
	mkdir(root, 0755);
	return registry_setup(state);
}

static int teardown(void **state)
{
	char cmd[512];
	registry_teardown(state);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void distance_orders_relatives(void **state)
{
	int m15, m30, mmax, mi7;
	const gr_hw *o15 = registry_resolve("jetson_orin_agx_gpu:15w", &m15), *o30 = registry_resolve("jetson_orin_agx_gpu:30w", &m30);
	const gr_hw *omax = registry_resolve("jetson_orin_agx_gpu:maxn", &mmax), *i7 = registry_resolve("intel_core_i7_12700k", &mi7);
	(void)state;
	assert_true(otm_transfer_distance(o15, m15, o15, m15, GR_PREC_FP32) == 0);
	/* 15W is much closer to 30W than to MAXN (peaks, bandwidth, CPU clock) */
	assert_true(otm_transfer_distance(o30, m30, o15, m15, GR_PREC_FP32) <
		    otm_transfer_distance(omax, mmax, o15, m15, GR_PREC_FP32));
	/* another class never lends */
	assert_true(otm_transfer_distance(i7, mi7, o15, m15, GR_PREC_FP32) < 0);
	assert_true(otm_transfer_distance(o15, m15, i7, mi7, GR_PREC_FP32) < 0);
}

static void nearest_donor_is_chosen_and_said(void **state)
{
	const char *keys[] = {"jetson_orin_agx_gpu/30w", "jetson_orin_agx_gpu/maxn"};
	char dir[512];
	gr_profile *p = NULL;
	gr_error err = {0};
	int m15;
	const gr_hw *o15 = registry_resolve("jetson_orin_agx_gpu:15w", &m15);
	(void)state;
	make_cal_dir("gpu", keys, 2, dir, sizeof(dir));
	search_only(dir);
	assert_int_equal(gr_profile_transfer_find(reg, o15, m15, "pytorch", GR_PREC_FP32, &p, &err), GR_OK);
	assert_non_null(gr_profile_borrowed_from(p));
	assert_non_null(strstr(gr_profile_borrowed_from(p), "jetson_orin_agx_gpu:30w"));
	assert_string_equal(p->tm.hw, "jetson_orin_agx_gpu");
	assert_string_equal(p->tm.mode, "15w");
	assert_non_null(strstr(gr_profile_label(p), "transferred from jetson_orin_agx_gpu:30w"));
	gr_profile_free(p);
	/* another runtime: nothing to borrow */
	assert_int_equal(gr_profile_transfer_find(reg, o15, m15, "onnxruntime", GR_PREC_FP32, &p, &err),
			 GR_ERR_NOT_FOUND);
	assert_null(p);
}

static void own_profile_is_no_donor_and_empty_class_stays_theoretical(void **state)
{
	const char *keys[] = {"intel_core_i7_12700k/default", "jetson_orin_agx_gpu/30w"};
	char dir[512];
	gr_profile *p = NULL;
	gr_error err = {0};
	int mi7, m30, mnpu;
	const gr_hw *i7 = registry_resolve("intel_core_i7_12700k", &mi7), *o30 = registry_resolve("jetson_orin_agx_gpu:30w", &m30);
	const gr_hw *ryzen = registry_resolve("amd_ryzen_9_8945hs", &mnpu);
	(void)state;
	make_cal_dir("own", keys, 2, dir, sizeof(dir));
	search_only(dir);
	/* the i7's and the 30W's own profiles are theirs to use as they are, not to transfer */
	assert_int_equal(gr_profile_transfer_find(reg, i7, mi7, "pytorch", GR_PREC_FP32, &p, &err), GR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "no calibrated cpu platform"));
	assert_int_equal(gr_profile_transfer_find(reg, o30, m30, "pytorch", GR_PREC_FP32, &p, &err), GR_ERR_NOT_FOUND);
	/* an uncalibrated cpu borrows the i7's */
	assert_int_equal(gr_profile_transfer_find(reg, ryzen, mnpu, "pytorch", GR_PREC_FP32, &p, &err), GR_OK);
	assert_non_null(strstr(gr_profile_borrowed_from(p), "intel_core_i7_12700k"));
	gr_profile_free(p);
	/* only the gpu left: cpus have nothing to borrow */
	{
		const char *gpu_only[] = {"jetson_orin_agx_gpu/30w"};
		make_cal_dir("gpuonly", gpu_only, 1, dir, sizeof(dir));
		search_only(dir);
		assert_int_equal(gr_profile_transfer_find(reg, ryzen, mnpu, "pytorch", GR_PREC_FP32, &p, &err),
				 GR_ERR_NOT_FOUND);
		assert_null(p);
	}
}

/* The i7 profile holds fits beyond its own peak (issue 12): none of that is lent. */
static void transferred_rates_stay_within_the_target_physics(void **state)
{
	gr_profile *p = NULL;
	gr_op_time_model tm;
	gr_error err = {0};
	int mi7, mr;
	const gr_hw *i7 = registry_resolve("intel_core_i7_12700k", &mi7), *ryzen = registry_resolve("amd_ryzen_9_8945hs", &mr);
	otm_bounds bt;
	(void)state;
	assert_int_equal(gr_profile_load(CAL "/intel_core_i7_12700k/default/pytorch.json", &p, &err), GR_OK);
	assert_true(otm_transfer(&p->tm, i7, mi7, ryzen, mr, &tm) > 0);
	assert_true(tm.prec[GR_PREC_FP32].present);
	assert_false(tm.prec[GR_PREC_FP32].has_energy);
	otm_bounds_init(&bt, ryzen, mr, GR_PREC_FP32);
	for (int c = 0; c < CC_COUNT; c++) {
		const otm_class *k = &tm.prec[GR_PREC_FP32].cls[c];
		double peak = otm_bounds_peak(&bt, c), fastest = otm_bounds_bandwidth(&bt, 0, NULL);
		if (!k->fitted)
			continue;
		if (k->coef[CF_FLOPS] > 0 && peak > 0)
			assert_true(k->coef[CF_FLOPS] * peak >= 1 - 1e-9);
		if (k->coef[CF_BYTES] > 0 && fastest > 0)
			assert_true(k->coef[CF_BYTES] * fastest >= 1 - 1e-9);
	}
	/* shares of peak carry over: a class within physics on the i7 keeps its efficiency */
	{
		otm_bounds bd;
		const otm_class *d = &p->tm.prec[GR_PREC_FP32].cls[GR_KC_CONV], *t = &tm.prec[GR_PREC_FP32].cls[GR_KC_CONV];
		otm_bounds_init(&bd, i7, mi7, GR_PREC_FP32);
		if (d->coef[CF_FLOPS] * otm_bounds_peak(&bd, GR_KC_CONV) >= 1)
			assert_true(fabs(d->coef[CF_FLOPS] * otm_bounds_peak(&bd, GR_KC_CONV) -
					 t->coef[CF_FLOPS] * otm_bounds_peak(&bt, GR_KC_CONV)) < 1e-9);
	}
	/* an estimate with it: transferred, naming the donor, no kernel beyond peak */
	{
		gr_graph *g = load_zoo("resnet18", 1);
		gr_partition *part = NULL;
		gr_estimate *e = NULL;
		gr_estimate_opts eo = {.precision = GR_PREC_FP32, .runtime = "pytorch"};
		assert_int_equal(gr_partition_build(g, gr_fusion_rules_find("pytorch"), &part, &err), GR_OK);
		assert_int_equal(gr_estimate_run_fitted(g, part, ryzen, mr, &eo, &tm, &e, &err), GR_OK);
		assert_int_equal(e->confidence, GR_CONF_TRANSFERRED);
		assert_true(e->confidence_share[GR_CONF_TRANSFERRED] > 0.99);
		assert_non_null(e->borrowed_from);
		assert_non_null(strstr(e->borrowed_from, "intel_core_i7_12700k"));
		for (size_t k = 0; k < e->n_kernels; k++)
			assert_true(e->kernels[k].efficiency <= 1 + 1e-6);
		assert_string_equal(gr_confidence_name(GR_CONF_TRANSFERRED), "transferred");
		gr_estimate_free(e);
		gr_partition_free(part);
		gr_graph_free(g);
	}
	gr_profile_free(p);
}

/* Between two CPUs a class's cost per byte keeps its share of DRAM bandwidth, whatever levels
 * the two platforms' caches put the class's working set in (within the target's fastest
 * bandwidth); the cost per op goes with the host clock. As shares of the cache levels, a
 * 2-core VM took the i7's byte rates 9-13x slower and mobilenet_v2 at 1.7x its measured time. */
static void cpu_byte_rates_keep_their_share_of_dram(void **state)
{
	gr_profile *p = NULL;
	gr_op_time_model tm;
	gr_error err = {0};
	int mi7, mr, checked = 0;
	const gr_hw *i7 = registry_resolve("intel_core_i7_12700k", &mi7), *ryzen = registry_resolve("amd_ryzen_9_8945hs", &mr);
	double oh = gr_hw_clock_mhz(i7, mi7) / gr_hw_clock_mhz(ryzen, mr);
	double rd = gr_hw_dram_bandwidth(i7, mi7) / gr_hw_dram_bandwidth(ryzen, mr);
	otm_bounds bt;
	(void)state;
	assert_true(oh > 0 && rd > 0 && fabs(rd - 1) > 0.01);
	assert_int_equal(gr_profile_load(CAL "/intel_core_i7_12700k/default/pytorch.json", &p, &err), GR_OK);
	assert_true(otm_transfer(&p->tm, i7, mi7, ryzen, mr, &tm) > 0);
	otm_bounds_init(&bt, ryzen, mr, GR_PREC_FP32);
	for (int c = 0; c < CC_COUNT; c++) {
		const otm_class *d = &p->tm.prec[GR_PREC_FP32].cls[c], *t = &tm.prec[GR_PREC_FP32].cls[c];
		double want = d->coef[CF_BYTES] * rd;
		if (!d->fitted || !(want > 0) || want * otm_bounds_bandwidth(&bt, 0, NULL) < 1)
			continue;
		assert_true(fabs(t->coef[CF_BYTES] / want - 1) < 1e-9);
		assert_true(fabs(t->coef[CF_OP] / (d->coef[CF_OP] * oh) - 1) < 1e-9);
		checked++;
	}
	assert_true(checked >= 3);
	gr_profile_free(p);
}

/* Between two CPUs the matrix classes are lent no slower per FLOP than the donor's convolutions
 * (the same FMA loops): the i7's gemm class, fitted on classifier layers at 1.74x its
 * convolutions' time per FLOP, put vit_b_16 on a 2-vCPU VM at +156%. */
static void cpu_gemm_lent_no_slower_than_conv(void **state)
{
	gr_profile *p = NULL;
	gr_op_time_model tm;
	gr_error err = {0};
	int mi7, mr;
	const gr_hw *i7 = registry_resolve("intel_core_i7_12700k", &mi7), *ryzen = registry_resolve("amd_ryzen_9_8945hs", &mr);
	const otm_prec *d, *t;
	(void)state;
	assert_int_equal(gr_profile_load(CAL "/intel_core_i7_12700k/default/pytorch.json", &p, &err), GR_OK);
	d = &p->tm.prec[GR_PREC_FP32];
	assert_true(d->cls[GR_KC_GEMM].fitted && d->cls[GR_KC_GEMM].coef[CF_FLOPS] > 1.5 * d->cls[GR_KC_CONV].coef[CF_FLOPS]);
	assert_true(otm_transfer(&p->tm, i7, mi7, ryzen, mr, &tm) > 0);
	t = &tm.prec[GR_PREC_FP32];
	assert_true(t->cls[GR_KC_GEMM].coef[CF_FLOPS] <= t->cls[GR_KC_CONV].coef[CF_FLOPS] * (1 + 1e-12));
	/* the other classes keep their own rates */
	assert_true(t->cls[GR_KC_DWCONV].coef[CF_FLOPS] != t->cls[GR_KC_CONV].coef[CF_FLOPS]);
	gr_profile_free(p);
}

/* A transferred fit on a CPU whose runtime runs fewer threads than its cores computes on those
 * cores only (torch's default is 1 thread on a 2-vCPU VM): s/FLOP times cores/threads, bytes
 * and ops as they were, and nothing changes at the core count or for the platform's own fit. */
static void transferred_fit_computes_on_the_runtime_threads(void **state)
{
	gr_profile *p = NULL, *own = NULL;
	gr_op_time_model tm, one;
	gr_error err = {0};
	int mi7, mr;
	const gr_hw *i7 = registry_resolve("intel_core_i7_12700k", &mi7), *ryzen = registry_resolve("amd_ryzen_9_8945hs", &mr);
	int64_t units = gr_hw_units(ryzen, mr);
	(void)state;
	assert_true(units == 8);
	assert_int_equal(gr_profile_load(CAL "/intel_core_i7_12700k/default/pytorch.json", &p, &err), GR_OK);
	assert_true(otm_transfer(&p->tm, i7, mi7, ryzen, mr, &tm) > 0);
	one = tm;
	assert_int_equal(otm_transfer_threads(&one, ryzen, mr, (int)units), 0);
	assert_int_equal(otm_transfer_threads(&one, ryzen, mr, 0), 0);
	assert_int_equal(otm_transfer_threads(&one, ryzen, mr, 1), 1);
	for (int c = 0; c < CC_COUNT; c++) {
		const otm_class *a = &tm.prec[GR_PREC_FP32].cls[c], *b = &one.prec[GR_PREC_FP32].cls[c];
		if (!a->fitted)
			continue;
		assert_true(fabs(b->coef[CF_FLOPS] - 8 * a->coef[CF_FLOPS]) <= 1e-9 * b->coef[CF_FLOPS]);
		assert_true(b->coef[CF_BYTES] == a->coef[CF_BYTES] && b->coef[CF_OP] == a->coef[CF_OP]);
	}
	/* resnet18 on one core: slower, by less than 8x (its bytes and ops did not change) */
	{
		double all = 0, single = 0;
		for (int k = 0; k < 2; k++) {
			gr_graph *g = load_zoo("resnet18", 1);
			gr_partition *part = NULL;
			gr_estimate *e = NULL;
			gr_estimate_opts eo = {.precision = GR_PREC_FP32, .runtime = "pytorch"};
			assert_int_equal(gr_partition_build(g, gr_fusion_rules_find("pytorch"), &part, &err), GR_OK);
			assert_int_equal(gr_estimate_run_fitted(g, part, ryzen, mr, &eo, k ? &one : &tm, &e, &err), GR_OK);
			*(k ? &single : &all) = e->latency_s;
			gr_estimate_free(e);
			gr_partition_free(part);
			gr_graph_free(g);
		}
		assert_true(single > 1.5 * all && single < 8 * all);
	}
	/* the public call leaves a profile fitted on its own platform alone */
	assert_int_equal(gr_profile_load(CAL "/intel_core_i7_12700k/default/pytorch.json", &own, &err), GR_OK);
	assert_int_equal(gr_profile_transfer_threads(own, i7, mi7, 1), 0);
	gr_profile_free(own);
	gr_profile_free(p);
}

/* Estimate of model under runtime on hw with time model tm (NULL: theoretical). */
static double latency_with(const char *model, const char *runtime, const gr_hw *hw, int mode,
			   const gr_op_time_model *tm)
{
	gr_graph *g = load_zoo(model, 1);
	gr_partition *part = NULL;
	gr_estimate *e = NULL;
	gr_error err = {0};
	gr_estimate_opts eo = {.precision = GR_PREC_INT8, .runtime = runtime};
	double t;
	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find(runtime), &part, &err), GR_OK);
	assert_int_equal(tm ? gr_estimate_run_fitted(g, part, hw, mode, &eo, tm, &e, &err)
			    : gr_estimate_run(g, part, hw, mode, &eo, &e, &err), GR_OK);
	t = e->latency_s;
	gr_estimate_free(e);
	gr_partition_free(part);
	gr_graph_free(g);
	return t;
}

/* A CPU donor whose byte that goes to DRAM (class s/byte plus spill) costs more than 20 times
 * its DRAM's time lends it with the peaks, like its FLOPs; a byte at 30% of DRAM keeps the DRAM
 * ratio. The QCS6490's onnxruntime int8 fit (3.4% of its DRAM) put the Snapdragon 7 Gen 4, by
 * the DRAM ratio, at 1.35x its own resnet50 (48.7 ms against 36.0), though the 7 Gen 4's
 * vector peak is 1.1x (its int8 matrix peak, SMMLA, 2.2x) and published figures have it 1.3-2.4x
 * faster. Each class's bytes go with its own peak: matrix classes the int8 matrix peak, vector
 * ones (pool) the vector peak (four int8 per 32-bit lane). */
static void cpu_core_bound_bytes_go_with_the_peaks(void **state)
{
	gr_profile *p = NULL;
	gr_op_time_model tm;
	gr_error err = {0};
	int md, mt;
	const gr_hw *d = registry_resolve("qualcomm_qcs6490", &md), *t = registry_resolve("qualcomm_snapdragon_7_gen_4", &mt);
	otm_bounds bd, bt;
	otm_prec *dp;
	double rc, rp, rd, slow, fast, spill, lent, own;
	(void)state;
	assert_int_equal(gr_profile_load(CAL "/qualcomm_qcs6490/default/onnxruntime.json", &p, &err), GR_OK);
	dp = &p->tm.prec[GR_PREC_INT8];
	assert_true(dp->present && dp->cls[GR_KC_CONV].fitted && dp->cls[GR_KC_POOL].fitted);
	otm_bounds_init(&bd, d, md, GR_PREC_INT8);
	otm_bounds_init(&bt, t, mt, GR_PREC_INT8);
	rc = otm_bounds_peak(&bd, GR_KC_CONV) / otm_bounds_peak(&bt, GR_KC_CONV);
	rp = otm_bounds_peak(&bd, GR_KC_POOL) / otm_bounds_peak(&bt, GR_KC_POOL);
	rd = bd.dram_bw / bt.dram_bw;
	assert_true(rc > 0 && rd > 1.2 && fabs(rc / rd - 1) > 0.2);
	/* the shipped fit is core-bound: a spilled conv byte under 5% of the QCS6490's DRAM */
	assert_true(1 / ((dp->cls[GR_KC_CONV].coef[CF_BYTES] + dp->glob[CG_SPILL]) * bd.dram_bw) < 0.05);
	assert_true(otm_transfer(&p->tm, d, md, t, mt, &tm) > 0);
	lent = latency_with("resnet50", "onnxruntime", t, mt, &tm);
	own = latency_with("resnet50", "onnxruntime", d, md, &p->tm);
	assert_true(lent < 1.1 * own);
	/* synthetic: conv at 2% of DRAM (core work), pool at 30% (bandwidth), then a spill at 20% */
	slow = 1 / (0.02 * bd.dram_bw);
	fast = 1 / (0.30 * bd.dram_bw);
	spill = 1 / (0.20 * bd.dram_bw);
	for (int c = 0; c < CC_COUNT; c++)
		dp->cls[c].coef[CF_BYTES] = dp->cls[c].fitted ? slow : 0;
	dp->cls[GR_KC_POOL].coef[CF_BYTES] = fast;
	dp->glob[CG_SPILL] = 0;
	assert_true(otm_transfer(&p->tm, d, md, t, mt, &tm) > 0);
	assert_true(fabs(tm.prec[GR_PREC_INT8].cls[GR_KC_CONV].coef[CF_BYTES] / (slow * rc) - 1) < 1e-9);
	assert_true(fabs(tm.prec[GR_PREC_INT8].cls[GR_KC_POOL].coef[CF_BYTES] / (fast * rd) - 1) < 1e-9);
	/* the spill goes with the peaks only where even the fastest class's spilled byte is core work */
	dp->glob[CG_SPILL] = spill;
	assert_true(otm_transfer(&p->tm, d, md, t, mt, &tm) > 0);
	assert_true(fabs(tm.prec[GR_PREC_INT8].glob[CG_SPILL] / (spill * rd) - 1) < 1e-9);
	dp->cls[GR_KC_POOL].coef[CF_BYTES] = slow;
	assert_true(otm_transfer(&p->tm, d, md, t, mt, &tm) > 0);
	assert_true(fabs(tm.prec[GR_PREC_INT8].glob[CG_SPILL] / (spill * rc) - 1) < 1e-9);
	assert_true(fabs(tm.prec[GR_PREC_INT8].cls[GR_KC_POOL].coef[CF_BYTES] / (slow * rp) - 1) < 1e-9);
	/* never beyond the target's DRAM: a spilled byte at least 1/dram_t */
	assert_true(tm.prec[GR_PREC_INT8].glob[CG_SPILL] + tm.prec[GR_PREC_INT8].cls[GR_KC_CONV].coef[CF_BYTES] >=
		    (1 - 1e-9) / bt.dram_bw);
	/* the cores' bytes go with the runtime's threads like its FLOPs: 2 threads on 8 cores, 4x */
	{
		gr_op_time_model two = tm;
		assert_true(gr_hw_units(t, mt) == 8);
		assert_int_equal(otm_transfer_threads(&two, t, mt, 2), 1);
		assert_true(fabs(two.prec[GR_PREC_INT8].cls[GR_KC_CONV].coef[CF_BYTES] /
				 tm.prec[GR_PREC_INT8].cls[GR_KC_CONV].coef[CF_BYTES] - 4) < 1e-9);
		assert_true(fabs(two.prec[GR_PREC_INT8].glob[CG_SPILL] / tm.prec[GR_PREC_INT8].glob[CG_SPILL] - 4) < 1e-9);
	}
	gr_profile_free(p);
}

/* A compiled graph on an NPU (TFLite delegate on a Hexagon) runs its kernels from the device's
 * own queue: the donor's fitted cost per kernel goes over with the device, not the datasheet's
 * launch guess (which put the 8 Elite Gen 5 at 3.2 ms for mobilenet_v2 from the 8 Elite's fit,
 * against 0.18 ms published and 0.15 ms from its own fit). */
static void compiled_graph_keeps_the_donor_per_kernel_cost(void **state)
{
	gr_profile *p = NULL, *own = NULL;
	gr_op_time_model tm;
	gr_error err = {0};
	int md, mt;
	const gr_hw *d = registry_resolve("qualcomm_snapdragon_8_elite_npu", &md);
	const gr_hw *t = registry_resolve("qualcomm_snapdragon_8_elite_gen5_npu", &mt);
	double lent, mine;
	(void)state;
	assert_int_equal(gr_profile_load(CAL "/qualcomm_snapdragon_8_elite_npu/default/tflite.json", &p, &err), GR_OK);
	assert_int_equal(gr_profile_load(CAL "/qualcomm_snapdragon_8_elite_gen5_npu/default/tflite.json", &own, &err),
			 GR_OK);
	assert_true(otm_transfer(&p->tm, d, md, t, mt, &tm) > 0);
	for (int k = 0; k < OTM_KG_COUNT; k++)
		assert_true(fabs(tm.prec[GR_PREC_INT8].kernel_group_s[k] - p->tm.prec[GR_PREC_INT8].kernel_group_s[k]) <=
			    1e-12 + 1e-9 * p->tm.prec[GR_PREC_INT8].kernel_group_s[k]);
	lent = latency_with("mobilenet_v2", "tflite", t, mt, &tm);
	mine = latency_with("mobilenet_v2", "tflite", t, mt, &own->tm);
	/* within 30% of the platform's own fit, and faster than the datasheet-only estimate */
	assert_true(fabs(lent / mine - 1) < 0.3);
	assert_true(lent < latency_with("mobilenet_v2", "tflite", t, mt, NULL));
	gr_profile_free(own);
	gr_profile_free(p);
}

/* A cost per reduction row (s_per_row) goes to another CPU with the clock, like the per-op cost
 * (docs/transfer.md): 90 ns a row on the i7 is 90 ns x its clock over the Ryzen's there; a class
 * without one gets none; a profile holding one writes and reads it back. */
static void per_row_cost_goes_with_the_clock(void **state)
{
	gr_profile *p = NULL, *q = NULL;
	gr_op_time_model tm;
	gr_error err = {0};
	int mi7, mr;
	const gr_hw *i7 = registry_resolve("intel_core_i7_12700k", &mi7), *ryzen = registry_resolve("amd_ryzen_9_8945hs", &mr);
	double ci7 = gr_hw_clock_mhz(i7, mi7), cr = gr_hw_clock_mhz(ryzen, mr);
	char path[400];
	(void)state;
	assert_true(ci7 > 0 && cr > 0 && ci7 != cr);
	assert_int_equal(gr_profile_load(CAL "/intel_core_i7_12700k/default/pytorch.json", &p, &err), GR_OK);
	assert_true(p->tm.prec[GR_PREC_FP32].cls[GR_KC_NORM].fitted);
	p->tm.prec[GR_PREC_FP32].cls[GR_KC_NORM].coef[CF_ROWS] = 90e-9;
	assert_true(otm_transfer(&p->tm, i7, mi7, ryzen, mr, &tm) > 0);
	assert_true(fabs(tm.prec[GR_PREC_FP32].cls[GR_KC_NORM].coef[CF_ROWS] / (90e-9 * ci7 / cr) - 1) < 1e-9);
	assert_true(tm.prec[GR_PREC_FP32].cls[GR_KC_ELEMENTWISE].coef[CF_ROWS] == 0);
	snprintf(path, sizeof(path), "%s/rows.json", root);
	assert_int_equal(gr_profile_save(p, path, &err), GR_OK);
	assert_int_equal(gr_profile_load(path, &q, &err), GR_OK);
	assert_true(fabs(q->tm.prec[GR_PREC_FP32].cls[GR_KC_NORM].coef[CF_ROWS] / 90e-9 - 1) < 1e-6);
	assert_true(q->tm.prec[GR_PREC_FP32].cls[GR_KC_ELEMENTWISE].coef[CF_ROWS] == 0);
	gr_profile_free(p);
	gr_profile_free(q);
}

/* The Orin NX GPU's registry file with estimator.eager_op_us set to us, from a copy in dir (a
 * mkdtemp template; the caller removes dir and path). */
static gr_hw_registry *orin_nx_with_eager(double us, char *dir, char *path, size_t size)
{
	char line[1200];
	gr_hw_registry *mine = NULL;
	gr_error err = {0};
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, size, "%s/jetson_orin_nx_gpu.yaml", dir);
	snprintf(line, sizeof(line), "cp %s/hardware/gpu/jetson_orin_nx_gpu.yaml %s", GRAPHS_SOURCE_DIR, path);
	assert_int_equal(system(line), 0);
	assert_non_null(f = fopen(path, "a"));
	fprintf(f, "estimator: {eager_op_us: %g}\n", us);
	fclose(f);
	assert_int_equal(setenv("GRAPHS_HARDWARE_PATH", dir, 1), 0);
	assert_int_equal(gr_hw_registry_load(GRAPHS_SOURCE_DIR "/hardware", &mine, &err), GR_OK);
	unsetenv("GRAPHS_HARDWARE_PATH");
	return mine;
}

/* mobilenet_v2 fp32 under PyTorch on spec of r, from the Orin AGX 50W PyTorch fit lent to it
 * (NULL: no profile, theoretical); the estimate is the caller's, its partition in *part. */
static gr_estimate *lent_estimate(const gr_hw_registry *r, const char *spec, const gr_profile *donor,
				  const gr_graph *g, gr_partition **part)
{
	const gr_hw *d, *t;
	int md, mt;
	gr_op_time_model tm;
	gr_estimate *e = NULL;
	gr_error err = {0};
	gr_estimate_opts eo = {.precision = GR_PREC_FP32, .runtime = "pytorch"};

	assert_int_equal(gr_hw_registry_resolve(r, "jetson_orin_agx_gpu:50w", &d, &md, &err), GR_OK);
	assert_int_equal(gr_hw_registry_resolve(r, spec, &t, &mt, &err), GR_OK);
	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find("pytorch"), part, &err), GR_OK);
	if (donor)
		assert_true(otm_transfer(&donor->tm, d, md, t, mt, &tm) > 0);
	assert_int_equal(donor ? gr_estimate_run_fitted(g, *part, t, mt, &eo, &tm, &e, &err)
			       : gr_estimate_run(g, *part, t, mt, &eo, &e, &err), GR_OK);
	return e;
}

/* A lent eager fit holds the donor's per-op costs: its kernels must not pay the GPU's
 * eager_op_us on top (docs/estimate.md, "Physical bounds", F). With both host clocks known (a
 * named Orin NX mode) every kernel costs the same at eager_op_us 0 and 15; the theoretical
 * estimate does move. Where the target's host clock is unknown (no mode), the donor's per-op
 * cost is dropped for the target's registry price (transfer.c), so each op pays it once: a
 * transferred kernel differs by exactly 15 us per op. */
static void lent_eager_fit_pays_no_eager_op_cost_twice(void **state)
{
	char d0[] = "/tmp/graphs_eager0_XXXXXX", p0[512], cmd[1200];
	gr_hw_registry *zero = orin_nx_with_eager(0, d0, p0, sizeof(p0));
	gr_profile *donor = NULL;
	gr_error err = {0};
	gr_graph *g = load_zoo("mobilenet_v2", 1);
	const char *specs[] = {"jetson_orin_nx_gpu:maxn_super", "jetson_orin_nx_gpu"};
	(void)state;
	assert_int_equal(gr_profile_load(CAL "/jetson_orin_agx_gpu/50w/pytorch.json", &donor, &err), GR_OK);
	for (int s = 0; s < 2; s++) {
		gr_partition *pa, *pb;
		gr_estimate *a = lent_estimate(reg, specs[s], donor, g, &pa);
		gr_estimate *b = lent_estimate(zero, specs[s], donor, g, &pb);
		size_t lent = 0;
		assert_int_equal(a->n_kernels, b->n_kernels);
		for (size_t i = 0; i < a->n_kernels; i++) {
			const gr_kernel_estimate *ka = &a->kernels[i], *kb = &b->kernels[i];
			assert_int_equal(ka->confidence, kb->confidence);
			if (ka->confidence != GR_CONF_TRANSFERRED)
				continue;
			lent++;
			double want = s == 0 ? 0 : 15e-6 * (double)ka->kernel->count;
			if (fabs(ka->latency_s - kb->latency_s - want) > 1e-9)
				fail_msg("%s kernel %zu (%zu ops): %g s at eager_op_us 15, %g at 0", specs[s], i,
					 ka->kernel->count, ka->latency_s, kb->latency_s);
		}
		assert_true(lent > 10);
		gr_estimate_free(a);
		gr_estimate_free(b);
		gr_partition_free(pa);
		gr_partition_free(pb);
	}
	{
		gr_partition *pa, *pb;
		gr_estimate *a = lent_estimate(reg, specs[0], NULL, g, &pa);
		gr_estimate *b = lent_estimate(zero, specs[0], NULL, g, &pb);
		assert_true(a->latency_s > b->latency_s + 1e-3); /* the edit took */
		gr_estimate_free(a);
		gr_estimate_free(b);
		gr_partition_free(pa);
		gr_partition_free(pb);
	}
	gr_graph_free(g);
	gr_profile_free(donor);
	gr_hw_registry_free(zero);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", d0);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(distance_orders_relatives),
		cmocka_unit_test(nearest_donor_is_chosen_and_said),
		cmocka_unit_test(own_profile_is_no_donor_and_empty_class_stays_theoretical),
		cmocka_unit_test(transferred_rates_stay_within_the_target_physics),
		cmocka_unit_test(compiled_graph_keeps_the_donor_per_kernel_cost),
		cmocka_unit_test(cpu_byte_rates_keep_their_share_of_dram),
		cmocka_unit_test(transferred_fit_computes_on_the_runtime_threads),
		cmocka_unit_test(cpu_gemm_lent_no_slower_than_conv),
		cmocka_unit_test(per_row_cost_goes_with_the_clock),
		cmocka_unit_test(cpu_core_bound_bytes_go_with_the_peaks),
		cmocka_unit_test(lent_eager_fit_pays_no_eager_op_cost_twice),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
