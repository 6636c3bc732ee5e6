/* Fast convolution (docs/estimate.md, "Fast convolution"): a runtime that runs 3x3 stride-1
 * convolutions with Winograd (ncnn, MNN) is charged the multiplies it does, not the definition's,
 * while other convolutions and other runtimes keep the definition's count, the model's FLOPs stay
 * the definition's, and no kernel beats the peak on the FLOPs the runtime actually runs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "graph_builders.h"
#include "graphs/calibrate.h"
#include "graphs/estimate.h"
#include "registry_fixture.h"

/* x [1, cin, hw, hw] -> Conv k x k (stride, dilation, group) -> y, inferred. */
static gr_graph *conv(int64_t cin, int64_t cout, int64_t hw, int64_t k, int64_t stride, int64_t dil, int64_t group)
{
	gr_graph *g = graph(17);
	gr_error err = {0};
	gr_node *n;
	int64_t pad = dil * (k - 1) / 2;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, cin, hw, hw));
	weight(g, "w", 4, D(cout, cin / group, k, k));
	n = node(g, "Conv", L("x", "w"), L("y"), 5);
	attr_ints(g, n, "pads", D(pad, pad, pad, pad), 4);
	attr_ints(g, n, "kernel_shape", D(k, k), 2);
	attr_ints(g, n, "strides", D(stride, stride), 2);
	attr_ints(g, n, "dilations", D(dil, dil), 2);
	attr_int(n, "group", group);
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, "y")), GR_OK);
	assert_int_equal(run(g, &err), GR_OK);
	return g;
}

/* Winograd F(m, 3) FLOPs written out: tiles x (input transform 2a^3 cin + products 2a^2 cin
 * cout + output transform 2a(a+m)m cout), a = m + 2. */
static double f3(int m, double cin, double cout, double oh)
{
	double a = m + 2, t = ceil(oh / m) * ceil(oh / m);
	return t * (2 * a * a * a * cin + 2 * a * a * cin * cout + 2 * a * (a + m) * m * cout);
}

static void rule_table_says_which_runtimes(void **state)
{
	(void)state;
	assert_int_equal(gr_fusion_rules_find("ncnn")->fast_conv, GR_FASTCONV_NCNN);
	assert_int_equal(gr_fusion_rules_find("MNN")->fast_conv, GR_FASTCONV_MNN);
	/* documented direct/GEMM by default: never charged less */
	assert_int_equal(gr_fusion_rules_find("pytorch")->fast_conv, GR_FASTCONV_NONE);
	assert_int_equal(gr_fusion_rules_find("onnxruntime")->fast_conv, GR_FASTCONV_NONE);
	assert_int_equal(gr_fusion_rules_find("tflite")->fast_conv, GR_FASTCONV_NONE);
	assert_int_equal(gr_fusion_rules_find("tensorrt")->fast_conv, GR_FASTCONV_NONE);
}

static void ncnn_tiles_follow_its_source(void **state)
{
	const gr_fusion_rules *nc = gr_fusion_rules_find("ncnn"), *ort = gr_fusion_rules_find("onnxruntime");
	struct {
		int64_t cin, cout, hw, k, s, d, grp;
		int tile;
	} c[] = {
		{64, 64, 56, 3, 1, 1, 1, 6},     /* both <= 128: F(6,3) */
		{256, 256, 56, 3, 1, 1, 1, 4},   /* wider: F(4,3) */
		{3, 64, 224, 3, 1, 1, 1, 6},     /* one side >= 8 is enough; both <= 128 */
		{3, 256, 56, 3, 1, 1, 1, 2},     /* cout > 128, cin < 8: F(2,3) */
		{4, 4, 56, 3, 1, 1, 1, 0},       /* both < 8: direct */
		{256, 256, 56, 1, 1, 1, 1, 0},   /* 1x1 */
		{256, 256, 56, 3, 2, 1, 1, 0},   /* strided */
		{256, 256, 56, 3, 1, 2, 1, 0},   /* dilated */
		{256, 256, 56, 3, 1, 1, 256, 0}, /* depthwise */
		{256, 256, 56, 3, 1, 1, 4, 0},   /* grouped */
		{256, 256, 56, 5, 1, 1, 1, 0},   /* 5x5: ncnn has no Winograd for it */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		gr_graph *g = conv(c[i].cin, c[i].cout, c[i].hw, c[i].k, c[i].s, c[i].d, c[i].grp);
		const gr_node *n = gr_graph_node(g, 0);
		double direct = gr_node_cost(n)->flops, t;
		int tile = -1;
		t = gr_node_time_flops(nc, n, GR_CONV_PATH_FLOAT, &tile);
		if (tile != c[i].tile)
			fail_msg("case %zu: tile %d, want %d", i, tile, c[i].tile);
		if (c[i].tile) {
			double oh = (double)gr_graph_tensor_ref(g, "y")->dims[2].value;
			assert_true(fabs(t - f3(c[i].tile, (double)c[i].cin, (double)c[i].cout, oh)) <= 1e-9 * t);
			assert_true(t < direct);
		} else {
			assert_true(t == direct);
		}
		/* onnxruntime (MLAS: im2col + GEMM) always pays the definition */
		assert_true(gr_node_time_flops(ort, n, GR_CONV_PATH_FLOAT, &tile) == direct && tile == 0);
		gr_graph_free(g);
	}
}

static void mnn_picks_by_its_cost_model(void **state)
{
	const gr_fusion_rules *mnn = gr_fusion_rules_find("mnn");
	gr_graph *g = conv(256, 256, 56, 3, 1, 1, 1), *g5 = conv(64, 64, 56, 5, 1, 1, 1), *g1 = conv(64, 64, 56, 1, 1, 1, 1);
	int tile = -1;
	(void)state;
	/* 256 channels at 56x56: F(6,3) saves the most by MNN's formula */
	assert_true(gr_node_time_flops(mnn, gr_graph_node(g, 0), GR_CONV_PATH_FLOAT, &tile) < gr_node_cost(gr_graph_node(g, 0))->flops);
	assert_int_equal(tile, 6);
	/* MNN also runs larger square kernels with Winograd (F(4,5): an 8x8 input tile) */
	assert_true(gr_node_time_flops(mnn, gr_graph_node(g5, 0), GR_CONV_PATH_FLOAT, &tile) < gr_node_cost(gr_graph_node(g5, 0))->flops);
	assert_int_equal(tile, 4);
	assert_true(gr_node_time_flops(mnn, gr_graph_node(g1, 0), GR_CONV_PATH_FLOAT, &tile) == gr_node_cost(gr_graph_node(g1, 0))->flops);
	assert_int_equal(tile, 0);
	gr_graph_free(g);
	gr_graph_free(g5);
	gr_graph_free(g1);
}

/* Estimates of g under ncnn and onnxruntime on hw at its preferred precision. An estimate's
 * kernels point into its partition: release_both() frees the estimates, then the partitions. */
static gr_partition *pf, *ps;

static void both(const gr_graph *g, const gr_hw *hw, const gr_profile *prof, const char *rt_fast,
		 gr_estimate **fast, gr_estimate **slow)
{
	gr_error err = {0};
	gr_estimate_opts ef = {.precision = -1, .runtime = rt_fast}, es = {.precision = -1, .runtime = "onnxruntime"};

	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find(rt_fast), &pf, &err), GR_OK);
	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find("onnxruntime"), &ps, &err), GR_OK);
	if (gr_estimate_run_profile(g, pf, hw, -1, &ef, prof, fast, &err) ||
	    gr_estimate_run(g, ps, hw, -1, &es, slow, &err))
		fail_msg("%s: %s", gr_hw_id(hw), err.msg);
}

static void release_both(gr_estimate *fast, gr_estimate *slow)
{
	gr_estimate_free(fast);
	gr_estimate_free(slow);
	gr_partition_free(pf);
	gr_partition_free(ps);
	pf = ps = NULL;
}

/* On every CPU of the registry: a 3x3 s1 conv costs less compute under ncnn than under
 * onnxruntime; 1x1, strided and depthwise ones the same; the model's FLOPs the same; and the
 * compute never beats the peak on the FLOPs ncnn runs. */
static void ncnn_is_cheaper_only_where_it_runs_winograd(void **state)
{
	gr_graph *g3 = conv(256, 256, 56, 3, 1, 1, 1), *g1 = conv(256, 256, 56, 1, 1, 1, 1),
		 *gs = conv(256, 256, 56, 3, 2, 1, 1), *gd = conv(256, 256, 56, 3, 1, 1, 256);
	const gr_graph *same[] = {g1, gs, gd};
	int cpus = 0;
	(void)state;
	for (size_t i = 0; i < gr_hw_registry_count(reg); i++) {
		const gr_hw *hw = gr_hw_registry_at(reg, i);
		gr_estimate *f = NULL, *s = NULL;
		double peak;
		if (gr_hw_get_class(hw) != GR_HW_CPU)
			continue;
		both(g3, hw, NULL, "ncnn", &f, &s);
		peak = fmax(gr_hw_peak_ops(hw, -1, f->precision), gr_hw_peak_ops(hw, -1, GR_PREC_FP32));
		if (!f->kernels[0].fast_tile) { /* int8 on dotprod cores: no Winograd (fastconv.c) */
			assert_int_equal(f->precision, GR_PREC_INT8);
			assert_true(f->kernels[0].compute_s == s->kernels[0].compute_s);
			release_both(f, s);
			continue;
		}
		if (!(f->kernels[0].compute_s < s->kernels[0].compute_s))
			fail_msg("%s: ncnn 3x3 compute %.4g s, onnxruntime %.4g s", gr_hw_id(hw), f->kernels[0].compute_s,
				 s->kernels[0].compute_s);
		assert_true(f->flops == s->flops && f->flops == gr_node_cost(gr_graph_node(g3, 0))->flops);
		if (peak > 0 && f->kernels[0].compute_s < f->kernels[0].flops_time / peak * (1 - 1e-9))
			fail_msg("%s: beats the peak on the FLOPs ncnn runs", gr_hw_id(hw));
		release_both(f, s);
		for (size_t j = 0; j < 3; j++) {
			both(same[j], hw, NULL, "ncnn", &f, &s);
			if (f->kernels[0].compute_s != s->kernels[0].compute_s)
				fail_msg("%s: graph %zu differs: %.6g vs %.6g s", gr_hw_id(hw), j, f->kernels[0].compute_s,
					 s->kernels[0].compute_s);
			release_both(f, s);
		}
		cpus++;
	}
	print_message("%d CPUs checked\n", cpus);
	assert_true(cpus >= 5);
	gr_graph_free(g3);
	gr_graph_free(g1);
	gr_graph_free(gs);
	gr_graph_free(gd);
}

/* A fitted ncnn profile whose rates are impossibly fast is held to the peak on the FLOPs ncnn
 * runs: below the definition's FLOPs at peak (Winograd does fewer), never below its own. */
static void fitted_kernels_floor_on_effective_flops(void **state)
{
	FILE *f = fopen(GRAPHS_SOURCE_DIR "/calibration/jetson_orin_agx_gpu/maxn/pytorch.json", "rb");
	char *text = calloc(1, 1 << 22), *out;
	size_t len;
	cJSON *doc, *prec;
	gr_profile *prof = NULL;
	gr_error err = {0};
	gr_graph *g3 = conv(256, 256, 56, 3, 1, 1, 1);
	gr_partition *p = NULL;
	gr_estimate *e = NULL;
	gr_estimate_opts eo = {.precision = GR_PREC_FP32, .runtime = "ncnn"};
	const gr_hw *hw;
	int mode;
	double peak, t;
	(void)state;
	assert_non_null(f);
	assert_non_null(text);
	len = fread(text, 1, (1 << 22) - 1, f);
	fclose(f);
	assert_non_null(doc = cJSON_ParseWithLength(text, len));
	cJSON_ReplaceItemInObject(doc, "runtime", cJSON_CreateString("ncnn"));
	cJSON_ArrayForEach(prec, cJSON_GetObjectItemCaseSensitive(doc, "precisions")) {
		cJSON *c, *k;
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(prec, "classes")) {
			cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(c, "coef"))
				cJSON_SetNumberValue(k, strcmp(k->string, "s_per_flop") ? 0 : 1e-18);
			cJSON_ReplaceItemInObject(c, "flops", cJSON_Parse("[0, 1e18]"));
			cJSON_ReplaceItemInObject(c, "bytes", cJSON_Parse("[0, 1e18]"));
		}
	}
	out = cJSON_PrintUnformatted(doc);
	if (gr_profile_load_mem(out, strlen(out), "impossible_ncnn.json", &prof, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(gr_hw_registry_resolve(reg, "jetson_orin_agx_gpu:maxn", &hw, &mode, &err), GR_OK);
	assert_int_equal(gr_partition_build(g3, gr_fusion_rules_find("ncnn"), &p, &err), GR_OK);
	if (gr_estimate_run_profile(g3, p, hw, mode, &eo, prof, &e, &err))
		fail_msg("%s", err.msg);
	assert_int_not_equal(e->kernels[0].confidence, GR_CONF_THEORETICAL);
	assert_true(e->kernels[0].at_bound);
	peak = fmax(gr_hw_peak_ops(hw, mode, GR_PREC_FP32), gr_hw_peak_ops(hw, mode, GR_PREC_TF32));
	t = e->kernels[0].compute_s;
	assert_true(peak > 0);
	assert_true(t >= e->kernels[0].flops_time / peak * (1 - 1e-9));
	assert_true(e->kernels[0].flops_time == gr_partition_kernel(p, 0)->flops_time[GR_CONV_PATH_FLOAT]);
	assert_true(t < gr_partition_kernel(p, 0)->flops / peak);
	assert_true(e->flops == gr_node_cost(gr_graph_node(g3, 0))->flops);
	gr_estimate_free(e);
	gr_partition_free(p);
	gr_graph_free(g3);
	gr_profile_free(prof);
	cJSON_free(out);
	cJSON_Delete(doc);
	free(text);
}

/* ncnn's int8 convolutions (Tencent/ncnn @80b3b9c6f and later, create_pipeline_int8_arm): no
 * Winograd on dotprod cores, F(4,3) for both channel counts >= 8 without dotprod; the float
 * paths keep their tiles, and other runtimes have one path. */
static void ncnn_int8_follows_dotprod(void **state)
{
	const gr_fusion_rules *nc = gr_fusion_rules_find("ncnn"), *ort = gr_fusion_rules_find("onnxruntime");
	gr_graph *g = conv(64, 64, 56, 3, 1, 1, 1), *g3 = conv(3, 64, 224, 3, 1, 1, 1);
	const gr_node *n = gr_graph_node(g, 0), *n3 = gr_graph_node(g3, 0);
	double direct = gr_node_cost(n)->flops, oh = (double)gr_graph_tensor_ref(g, "y")->dims[2].value;
	int tile = -1;
	(void)state;
	assert_int_equal(gr_conv_path_of(nc, GR_PREC_FP32, 1), GR_CONV_PATH_FLOAT);
	assert_int_equal(gr_conv_path_of(nc, GR_PREC_FP16, 1), GR_CONV_PATH_FLOAT);
	assert_int_equal(gr_conv_path_of(nc, GR_PREC_INT8, 0), GR_CONV_PATH_INT8);
	assert_int_equal(gr_conv_path_of(nc, GR_PREC_INT8, 1), GR_CONV_PATH_INT8_DOT);
	assert_int_equal(gr_conv_path_of(ort, GR_PREC_INT8, 1), GR_CONV_PATH_FLOAT);
	assert_int_equal(gr_conv_path_of(gr_fusion_rules_find("mnn"), GR_PREC_INT8, 0), GR_CONV_PATH_FLOAT);
	/* fp32/fp16: F(6,3) for 64 -> 64 */
	assert_true(fabs(gr_node_time_flops(nc, n, GR_CONV_PATH_FLOAT, &tile) - f3(6, 64, 64, oh)) <= 1e-9 * direct);
	assert_int_equal(tile, 6);
	assert_int_equal(gr_node_conv_algorithm(nc, n, GR_CONV_PATH_FLOAT), GR_CONV_ALGO_WINOGRAD);
	/* int8 with dotprod: the definition's FLOPs (im2col GEMM) */
	assert_true(gr_node_time_flops(nc, n, GR_CONV_PATH_INT8_DOT, &tile) == direct);
	assert_int_equal(tile, 0);
	assert_int_equal(gr_node_conv_algorithm(nc, n, GR_CONV_PATH_INT8_DOT), GR_CONV_ALGO_IM2COL);
	/* int8 without dotprod: conv3x3s1_winograd43_int8, F(4,3) */
	assert_true(fabs(gr_node_time_flops(nc, n, GR_CONV_PATH_INT8, &tile) - f3(4, 64, 64, oh)) <= 1e-9 * direct);
	assert_int_equal(tile, 4);
	/* ... only when both channel counts are >= 8 (the float path takes one side) */
	assert_true(gr_node_time_flops(nc, n3, GR_CONV_PATH_INT8, &tile) == gr_node_cost(n3)->flops);
	assert_int_equal(tile, 0);
	gr_node_time_flops(nc, n3, GR_CONV_PATH_FLOAT, &tile);
	assert_int_equal(tile, 6);
	gr_graph_free(g);
	gr_graph_free(g3);
}

/* The dotprod fact comes from the registry (compute.engines[].isa), and one estimate cache that
 * serves fp16 then int8 then fp16 with the platform's own ncnn profile gives what fresh
 * estimates give: each precision charged its own algorithm, in the fitted per-op view too. */
static void ncnn_int8_estimates_by_registry_isa(void **state)
{
	gr_graph *g = conv(64, 64, 56, 3, 1, 1, 1);
	gr_partition *p = NULL;
	gr_estimate_cache *c;
	gr_profile *prof = NULL;
	gr_error err = {0};
	const gr_hw *d9300 = gr_hw_registry_find(reg, "mediatek_dimensity_9300"),
		    *pi4 = gr_hw_registry_find(reg, "raspberry_pi_4");
	gr_estimate_opts o[3] = {{.precision = GR_PREC_FP16, .runtime = "ncnn"},
				 {.precision = GR_PREC_INT8, .runtime = "ncnn"},
				 {.precision = GR_PREC_FP16, .runtime = "ncnn"}};
	gr_estimate *e[3] = {0}, *fresh = NULL, *pi = NULL;
	(void)state;
	assert_non_null(d9300);
	assert_non_null(pi4);
	assert_true(gr_hw_isa_all(d9300, GR_HW_ISA_DOTPROD));
	assert_false(gr_hw_isa_all(pi4, GR_HW_ISA_DOTPROD));
	if (gr_profile_load(GRAPHS_SOURCE_DIR "/calibration/mediatek_dimensity_9300/default/ncnn.json", &prof, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find("ncnn"), &p, &err), GR_OK);
	assert_non_null(c = gr_estimate_cache_new(g, p));
	for (int i = 0; i < 3; i++) {
		assert_int_equal(gr_estimate_run_profile_cached(c, d9300, -1, &o[i], prof, &e[i], &err), GR_OK);
		assert_int_equal(gr_estimate_run_profile(g, p, d9300, -1, &o[i], prof, &fresh, &err), GR_OK);
		if (e[i]->latency_s != fresh->latency_s)
			fail_msg("estimate %d: cached %.9g s, fresh %.9g s", i, e[i]->latency_s, fresh->latency_s);
		gr_estimate_free(fresh);
		fresh = NULL;
	}
	/* the borrowed fit charges the FLOPs int8 runs: never faster than the peak on them */
	assert_int_not_equal(e[1]->kernels[0].confidence, GR_CONF_THEORETICAL);
	assert_true(e[1]->kernels[0].compute_s >=
		    e[1]->kernels[0].flops_time / gr_hw_peak_ops(d9300, -1, GR_PREC_INT8) * (1 - 1e-9));
	assert_int_equal(e[0]->kernels[0].fast_tile, 6);
	assert_int_equal(e[1]->kernels[0].fast_tile, 0);
	assert_true(e[1]->kernels[0].flops_time == gr_node_cost(gr_graph_node(g, 0))->flops);
	assert_int_equal(e[2]->kernels[0].fast_tile, 6);
	assert_int_equal(gr_estimate_run_profile_cached(c, pi4, -1, &o[1], NULL, &pi, &err), GR_OK);
	assert_int_equal(pi->kernels[0].fast_tile, 4);
	assert_true(pi->kernels[0].flops_time < e[1]->kernels[0].flops_time);
	for (int i = 0; i < 3; i++)
		gr_estimate_free(e[i]);
	gr_estimate_free(pi);
	gr_estimate_cache_free(c);
	gr_profile_free(prof);
	gr_partition_free(p);
	gr_graph_free(g);
}

/* Deletes every occurrence of cut from s (in place). */
static void cut_all(char *s, const char *cut)
{
	size_t l = strlen(cut);
	char *at;

	while ((at = strstr(s, cut)))
		memmove(at, at + l, strlen(at + l) + 1);
}

/* The registry with hardware/cpu/<id>.yaml replaced by a copy from which every string of cuts is
 * deleted, written to dir (a mkdtemp template; the file's path in path, both for the caller to
 * remove). keep must be in the file; none of gone may be left after the cuts. */
static gr_hw_registry *registry_with_cut(const char *id, const char *const *cuts, const char *keep,
					 const char *gone, char *dir, char *path, size_t size)
{
	char *text = calloc(1, 1 << 16);
	gr_hw_registry *mine = NULL;
	gr_error err = {0};
	FILE *f;

	snprintf(path, size, GRAPHS_SOURCE_DIR "/hardware/cpu/%s.yaml", id);
	assert_non_null(f = fopen(path, "rb"));
	assert_non_null(text);
	assert_true(fread(text, 1, (1 << 16) - 1, f) > 0);
	fclose(f);
	assert_non_null(strstr(text, keep));
	for (; *cuts; cuts++)
		cut_all(text, *cuts);
	assert_true(!gone || !strstr(text, gone));
	assert_non_null(mkdtemp(dir));
	snprintf(path, size, "%s/%s.yaml", dir, id);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	free(text);
	assert_int_equal(setenv("GRAPHS_HARDWARE_PATH", dir, 1), 0);
	assert_int_equal(gr_hw_registry_load(GRAPHS_SOURCE_DIR "/hardware", &mine, &err), GR_OK);
	unsetenv("GRAPHS_HARDWARE_PATH");
	return mine;
}

/* ncnn's int8 Winograd multiplies int16 tiles (fastconv.c, gr_conv_path_arith): without dotprod
 * it runs at the registry's int16 rate, not the int8 peak. The Raspberry Pi 4 declares int16 at
 * half its int8 rate; the same file without int16 charges the int8 peak, as before. Winograd
 * convs take twice the compute, theoretical and lent from the ncnn fp32 fit alike, and never
 * less than their FLOPs at the int16 peak; the FLOPs reported, direct convs and fp32 do not move. */
static void ncnn_int8_winograd_at_int16_rate(void **state)
{
	char dir[] = "/tmp/graphs_wino16_XXXXXX", path[512];
	gr_graph *g3 = conv(64, 64, 56, 3, 1, 1, 1), *g1 = conv(64, 64, 56, 1, 1, 1, 1);
	gr_hw_registry *mine = NULL;
	gr_profile *prof = NULL;
	gr_error err = {0};
	const gr_hw *with, *without;
	const gr_profile *profs[2] = {NULL, NULL};
	double i16;
	(void)state;
	mine = registry_with_cut("raspberry_pi_4",
				 (const char *const[]){"int16: 8, ", "  int16: 0.0576\n", "peak_tops.int16, ", "int16, ", NULL},
				 "int16: 8, ", "int16:", dir, path, sizeof(path));
	with = gr_hw_registry_find(reg, "raspberry_pi_4");
	without = gr_hw_registry_find(mine, "raspberry_pi_4");
	assert_non_null(with);
	assert_non_null(without);
	i16 = gr_hw_peak_ops(with, -1, GR_PREC_INT16);
	assert_true(i16 > 0 && fabs(gr_hw_peak_ops(with, -1, GR_PREC_INT8) / i16 - 2) < 1e-9);
	assert_true(gr_hw_peak_ops(without, -1, GR_PREC_INT16) == 0);
	if (gr_profile_load(GRAPHS_SOURCE_DIR "/calibration/raspberry_pi_4/default/ncnn.json", &prof, &err))
		fail_msg("%s", err.msg);
	profs[1] = prof;
	for (int pi = 0; pi < 2; pi++) {
		gr_estimate *a = NULL, *b = NULL;
		gr_estimate_opts o8 = {.precision = GR_PREC_INT8, .runtime = "ncnn"};
		gr_estimate_opts o32 = {.precision = GR_PREC_FP32, .runtime = "ncnn"};
		gr_partition *p = NULL;
		assert_int_equal(gr_partition_build(g3, gr_fusion_rules_find("ncnn"), &p, &err), GR_OK);
		assert_int_equal(gr_estimate_run_profile(g3, p, with, -1, &o8, profs[pi], &a, &err), GR_OK);
		assert_int_equal(gr_estimate_run_profile(g3, p, without, -1, &o8, profs[pi], &b, &err), GR_OK);
		assert_int_equal(a->kernels[0].fast_tile, 4);
		assert_true(a->kernels[0].flops_time == b->kernels[0].flops_time);
		assert_int_equal(a->kernels[0].confidence == GR_CONF_THEORETICAL, pi == 0);
		if (fabs(a->kernels[0].compute_s / b->kernels[0].compute_s - 2) > 1e-9)
			fail_msg("profile %d: int16 %.6g s, int8 %.6g s", pi, a->kernels[0].compute_s,
				 b->kernels[0].compute_s);
		assert_true(a->kernels[0].compute_s >= a->kernels[0].flops_time / i16 * (1 - 1e-9));
		gr_estimate_free(a);
		gr_estimate_free(b);
		a = b = NULL;
		/* fp32 runs F(6,3) on fp32 lanes: no int16 in it */
		assert_int_equal(gr_estimate_run_profile(g3, p, with, -1, &o32, profs[pi], &a, &err), GR_OK);
		assert_int_equal(gr_estimate_run_profile(g3, p, without, -1, &o32, profs[pi], &b, &err), GR_OK);
		assert_true(a->latency_s == b->latency_s);
		gr_estimate_free(a);
		gr_estimate_free(b);
		a = b = NULL;
		gr_partition_free(p);
		/* a 1x1 conv is a direct int8 GEMM */
		assert_int_equal(gr_partition_build(g1, gr_fusion_rules_find("ncnn"), &p, &err), GR_OK);
		assert_int_equal(gr_estimate_run_profile(g1, p, with, -1, &o8, profs[pi], &a, &err), GR_OK);
		assert_int_equal(gr_estimate_run_profile(g1, p, without, -1, &o8, profs[pi], &b, &err), GR_OK);
		assert_true(a->latency_s == b->latency_s);
		gr_estimate_free(a);
		gr_estimate_free(b);
		gr_partition_free(p);
	}
	unlink(path);
	rmdir(dir);
	gr_profile_free(prof);
	gr_hw_registry_free(mine);
	gr_graph_free(g3);
	gr_graph_free(g1);
}

/* ncnn's x86 int8 layers multiply int16 pairs everywhere (Tencent/ncnn@84aaedbe9, the commit of
 * the i7-13700K and Ryzen 9 5950X benchmark rows: src/layer/x86/convolution_im2col_gemm_int8.h
 * and convolution_packed_int8.h use _mm256_dpwssd_epi32 or _mm256_madd_epi16 on sign-extended
 * int8, convolution_3x3_winograd_int8.h the same on short tiles, convolutiondepthwise_x86.cpp and
 * innerproduct_x86.cpp SSE2 _mm_mullo_epi16/_mm_mulhi_epi16; no vpdpbusd in src/layer/x86/):
 * on the i7-13700K (isa_family x86_64, AVX-VNNI int8 128 ops/clk, int16 64 on P-cores) a 1x1 conv
 * and a depthwise conv take twice the int8-peak compute, theoretical and lent from its ncnn fp32
 * fit alike; the same file without isa_family takes the Arm no-dotprod path, where only Winograd
 * convs run on int16. x86 runs F(4,3) on a 3 -> 64 conv (C_in > 8 or C_out > 8), Arm does not. */
static void ncnn_x86_int8_layers_at_int16_rate(void **state)
{
	char dir[] = "/tmp/graphs_x86i8_XXXXXX", path[512];
	gr_graph *gs[3] = {conv(64, 64, 56, 1, 1, 1, 1), conv(64, 64, 56, 3, 1, 1, 64), conv(64, 64, 56, 3, 1, 1, 1)};
	gr_graph *g_in3 = conv(3, 64, 56, 3, 1, 1, 1);
	const gr_fusion_rules *nc = gr_fusion_rules_find("ncnn");
	gr_hw_registry *mine = NULL;
	gr_profile *prof = NULL;
	gr_error err = {0};
	const gr_hw *x86, *plain;
	const gr_profile *profs[2] = {NULL, NULL};
	double i16;
	int tile = -1;
	(void)state;
	assert_int_equal(gr_conv_path_of(nc, GR_PREC_INT8, GR_CONV_FEAT_X86), GR_CONV_PATH_INT8_X86);
	assert_int_equal(gr_conv_path_of(nc, GR_PREC_INT8, GR_CONV_FEAT_X86 | GR_CONV_FEAT_DOTPROD), GR_CONV_PATH_INT8_X86);
	assert_int_equal(gr_conv_path_of(nc, GR_PREC_FP32, GR_CONV_FEAT_X86), GR_CONV_PATH_FLOAT);
	assert_int_equal(gr_conv_path_arith(GR_CONV_PATH_INT8_X86), GR_PREC_INT16);
	assert_true(gr_conv_path_widens(GR_CONV_PATH_INT8_X86, GR_KC_CONV, 0));
	assert_true(gr_conv_path_widens(GR_CONV_PATH_INT8_X86, GR_KC_DWCONV, 0));
	assert_true(gr_conv_path_widens(GR_CONV_PATH_INT8_X86, GR_KC_GEMM, 0));
	assert_false(gr_conv_path_widens(GR_CONV_PATH_INT8_X86, GR_KC_POOL, 0));
	assert_false(gr_conv_path_widens(GR_CONV_PATH_INT8, GR_KC_CONV, 0));
	assert_true(gr_conv_path_widens(GR_CONV_PATH_INT8, GR_KC_CONV, 4));
	gr_node_time_flops(nc, gr_graph_node(g_in3, 0), GR_CONV_PATH_INT8_X86, &tile);
	assert_int_equal(tile, 4);
	gr_node_time_flops(nc, gr_graph_node(g_in3, 0), GR_CONV_PATH_INT8, &tile);
	assert_int_equal(tile, 0);
	mine = registry_with_cut("intel_core_i7_13700k", (const char *const[]){"isa_family: x86_64\n", NULL},
				 "\nisa_family: x86_64\n", NULL, dir, path, sizeof(path));
	x86 = gr_hw_registry_find(reg, "intel_core_i7_13700k");
	plain = gr_hw_registry_find(mine, "intel_core_i7_13700k");
	assert_non_null(x86);
	assert_non_null(plain);
	assert_int_equal(gr_hw_get_isa_family(plain), GR_HW_ISA_FAMILY_NONE);
	i16 = gr_hw_peak_ops(x86, -1, GR_PREC_INT16);
	assert_true(i16 > 0 && fabs(gr_hw_peak_ops(x86, -1, GR_PREC_INT8) / i16 - 2) < 1e-9);
	if (gr_profile_load(GRAPHS_SOURCE_DIR "/calibration/intel_core_i7_13700k/default/ncnn.json", &prof, &err))
		fail_msg("%s", err.msg);
	profs[1] = prof;
	for (int pi = 0; pi < 2; pi++)
		for (int gi = 0; gi < 3; gi++) {
			gr_estimate *a = NULL, *b = NULL;
			gr_estimate_opts o8 = {.precision = GR_PREC_INT8, .runtime = "ncnn"};
			gr_estimate_opts o32 = {.precision = GR_PREC_FP32, .runtime = "ncnn"};
			gr_partition *p = NULL;
			double want = gi < 2 ? 2 : 1; /* the 3x3 dense conv is Winograd on int16 on both */
			assert_int_equal(gr_partition_build(gs[gi], nc, &p, &err), GR_OK);
			assert_int_equal(gr_estimate_run_profile(gs[gi], p, x86, -1, &o8, profs[pi], &a, &err), GR_OK);
			assert_int_equal(gr_estimate_run_profile(gs[gi], p, plain, -1, &o8, profs[pi], &b, &err), GR_OK);
			assert_true(a->kernels[0].flops_time == b->kernels[0].flops_time);
			assert_int_equal(a->kernels[0].confidence == GR_CONF_THEORETICAL, pi == 0);
			if (fabs(a->kernels[0].compute_s / b->kernels[0].compute_s - want) > 1e-9)
				fail_msg("profile %d graph %d: x86 %.6g s, plain %.6g s", pi, gi,
					 a->kernels[0].compute_s, b->kernels[0].compute_s);
			assert_true(a->kernels[0].compute_s >= a->kernels[0].flops_time / i16 * (1 - 1e-9));
			gr_estimate_free(a);
			gr_estimate_free(b);
			a = b = NULL;
			/* fp32 does not hang on the family */
			assert_int_equal(gr_estimate_run_profile(gs[gi], p, x86, -1, &o32, profs[pi], &a, &err), GR_OK);
			assert_int_equal(gr_estimate_run_profile(gs[gi], p, plain, -1, &o32, profs[pi], &b, &err), GR_OK);
			assert_true(a->latency_s == b->latency_s);
			gr_estimate_free(a);
			gr_estimate_free(b);
			gr_partition_free(p);
		}
	unlink(path);
	rmdir(dir);
	gr_profile_free(prof);
	gr_hw_registry_free(mine);
	for (int gi = 0; gi < 3; gi++)
		gr_graph_free(gs[gi]);
	gr_graph_free(g_in3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rule_table_says_which_runtimes),
		cmocka_unit_test(ncnn_tiles_follow_its_source),
		cmocka_unit_test(mnn_picks_by_its_cost_model),
		cmocka_unit_test(ncnn_is_cheaper_only_where_it_runs_winograd),
		cmocka_unit_test(fitted_kernels_floor_on_effective_flops),
		cmocka_unit_test(ncnn_int8_follows_dotprod),
		cmocka_unit_test(ncnn_int8_estimates_by_registry_isa),
		cmocka_unit_test(ncnn_int8_winograd_at_int16_rate),
		cmocka_unit_test(ncnn_x86_int8_layers_at_int16_rate),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
