/* Physical bounds (docs/estimate.md): on every platform of the registry, at every mode and
 * native precision, under every runtime's fusion rules, with and without the shipped calibration
 * profiles, and with a profile whose rates are impossibly fast, a 4096^3 MatMul, a 3x3 Conv of
 * 1x256x56x56 into 256 channels and a 64M-element Add never run faster than the peak compute the
 * registry gives the precision, nor move their bytes faster than the fastest memory level whose
 * capacity holds them. The bounds here are computed from the registry directly (not with the
 * estimator's own helper) and are the loosest reading: any engine, any level up to the one that
 * holds the working set. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "graph_builders.h"
#include "graphs/calibrate.h"
#include "graphs/estimate.h"

#define N_GRAPHS 3

static const char *const runtimes[] = {"pytorch", "onnxruntime", "tensorrt", "compiler"};
#define N_RT (sizeof(runtimes) / sizeof(runtimes[0]))

typedef struct fixture {
	gr_hw_registry *reg;
	gr_graph *g[N_GRAPHS];
	gr_partition *part[N_GRAPHS][N_RT];
	double elems[N_GRAPHS]; /* elements read and written by the graph's one op */
	double flops[N_GRAPHS];
} fixture;

static fixture fx;

static gr_graph *matmul_4096(void)
{
	gr_graph *g = graph(17);
	input(g, "a", GR_DTYPE_FLOAT, 2, D(4096, 4096));
	input(g, "b", GR_DTYPE_FLOAT, 2, D(4096, 4096));
	node(g, "MatMul", L("a", "b"), L("y"), 0);
	return g;
}

static gr_graph *conv_3x3(void)
{
	gr_graph *g = graph(17);
	gr_node *n;
	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 256, 56, 56));
	weight(g, "w", 4, D(256, 256, 3, 3));
	n = node(g, "Conv", L("x", "w"), L("y"), 2);
	attr_ints(g, n, "pads", D(1, 1, 1, 1), 4);
	attr_ints(g, n, "kernel_shape", D(3, 3), 2);
	return g;
}

static gr_graph *add_64m(void)
{
	gr_graph *g = graph(17);
	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 64, 1024, 1024));
	input(g, "z", GR_DTYPE_FLOAT, 4, D(1, 64, 1024, 1024));
	node(g, "Add", L("x", "z"), L("y"), 0);
	return g;
}

static int setup(void **state)
{
	gr_error err = {0};
	gr_graph *(*build[N_GRAPHS])(void) = {matmul_4096, conv_3x3, add_64m};
	const double elems[N_GRAPHS] = {3.0 * 4096 * 4096, 2.0 * 256 * 56 * 56 + 256.0 * 256 * 9,
					3.0 * 64 * 1024 * 1024};
	(void)state;
	if (gr_hw_registry_load(GRAPHS_SOURCE_DIR "/hardware", &fx.reg, &err))
		return -1;
	for (int i = 0; i < N_GRAPHS; i++) {
		fx.g[i] = build[i]();
		if (gr_graph_add_output(fx.g[i], gr_graph_tensor_ref(fx.g[i], "y")) || run(fx.g[i], &err))
			return -1;
		fx.elems[i] = elems[i];
		fx.flops[i] = gr_node_cost(gr_graph_node(fx.g[i], 0))->flops;
		for (size_t r = 0; r < N_RT; r++)
			if (gr_partition_build(fx.g[i], gr_fusion_rules_find(runtimes[r]), &fx.part[i][r], &err))
				return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < N_GRAPHS; i++) {
		for (size_t r = 0; r < N_RT; r++)
			gr_partition_free(fx.part[i][r]);
		gr_graph_free(fx.g[i]);
	}
	gr_hw_registry_free(fx.reg);
	return 0;
}

/* The most ops/s any engine gives precision p: its own peak, the fp32 lanes it can be widened
 * to, and TF32 tensor cores for fp32. */
static double peak_bound(const gr_hw *hw, int mode, gr_precision p)
{
	double b = fmax(gr_hw_peak_ops(hw, mode, p), gr_hw_peak_ops(hw, mode, GR_PREC_FP32));
	if (p == GR_PREC_FP32)
		b = fmax(b, gr_hw_peak_ops(hw, mode, GR_PREC_TF32));
	return b;
}

/* The bandwidth of the first level whose capacity holds ws bytes (a level of unknown size may hold
 * anything; one without a figure is taken as fast as the fastest level inside it); 0 when none
 * gives a figure. */
static double bandwidth_bound(const gr_hw *hw, int mode, double ws)
{
	double inner = 0, bw = 0;
	for (size_t i = 0; i < gr_hw_mem_count(hw); i++) {
		gr_hw_mem_info mi;
		if (gr_hw_mem_at(hw, mode, i, &mi) || !strcmp(mi.level, "host"))
			continue;
		inner = fmax(inner, mi.bandwidth_bytes_s);
		bw = mi.bandwidth_bytes_s > 0 ? mi.bandwidth_bytes_s : inner;
		if (mi.size_bytes <= 0 || ws <= (double)mi.size_bytes * (double)(mi.instances > 0 ? mi.instances : 1))
			break;
	}
	return bw;
}

/* Checks every kernel of e; returns the number checked. */
static int check_estimate(const gr_estimate *e, const gr_hw *hw, int mode, int gi, const char *what)
{
	double peak = peak_bound(hw, mode, e->precision);
	double bytes = fx.elems[gi] * gr_estimate_elem_bytes(e->precision), bw = bandwidth_bound(hw, mode, bytes);
	double t = 0;
	int n = 0;

	for (size_t k = 0; k < e->n_kernels; k++) {
		const gr_kernel_estimate *ke = &e->kernels[k];
		if (ke->on_host)
			return 0; /* the host CPU's numbers, not this platform's */
		t += ke->latency_s;
		if (!(ke->efficiency <= 1 + 1e-9))
			fail_msg("%s: kernel %zu efficiency %.3f above 1", what, k, ke->efficiency);
		if (ke->compute_s < 0 || ke->memory_s < 0 || !isfinite(ke->latency_s))
			fail_msg("%s: kernel %zu has a negative or infinite part", what, k);
		n++;
	}
	if (peak > 0 && t < fx.flops[gi] / peak * (1 - 1e-9))
		fail_msg("%s: %.4g s for %.4g FLOPs beats the %.4g ops/s peak", what, t, fx.flops[gi], peak);
	if (bw > 0 && t < bytes / bw * (1 - 1e-9))
		fail_msg("%s: %.4g s for %.4g bytes beats %.4g bytes/s", what, t, bytes, bw);
	return n;
}

/* Runs the three graphs on hw at mode and precision p under every runtime; prof may be NULL. */
static int check_platform(const gr_hw *hw, int mode, gr_precision p, const gr_profile *prof, int only_pytorch)
{
	int n = 0;
	for (int gi = 0; gi < N_GRAPHS; gi++)
		for (size_t r = 0; r < (only_pytorch ? 1 : N_RT); r++) {
			gr_estimate *e = NULL;
			gr_estimate_opts eo = {.precision = (int)p, .runtime = runtimes[r], .amp = 0};
			gr_error err = {0};
			char what[256];
			const char *mn = mode >= 0 ? gr_hw_mode_name(hw, (size_t)mode) : "default";
			snprintf(what, sizeof(what), "%s:%s %s %s graph %d%s", gr_hw_id(hw), mn, gr_precision_name(p),
				 runtimes[r], gi, prof ? " with a profile" : "");
			if (gr_estimate_run_profile(fx.g[gi], fx.part[gi][r], hw, mode, &eo, prof, &e, &err))
				fail_msg("%s: %s", what, err.msg);
			n += check_estimate(e, hw, mode, gi, what);
			gr_estimate_free(e);
		}
	return n;
}

static void theoretical_estimates_never_beat_physics(void **state)
{
	int checked = 0, combos = 0;
	(void)state;
	for (size_t i = 0; i < gr_hw_registry_count(fx.reg); i++) {
		const gr_hw *hw = gr_hw_registry_at(fx.reg, i);
		for (int mode = -1; mode < (int)gr_hw_mode_count(hw); mode++)
			for (int p = 0; p < GR_PREC_COUNT; p++)
				if (gr_hw_precision_native(hw, (gr_precision)p)) {
					checked += check_platform(hw, mode, (gr_precision)p, NULL, 0);
					combos++;
				}
	}
	print_message("%d platform/mode/precision combinations, %d kernels checked\n", combos, checked);
	assert_true(combos > 200);
	assert_true(checked > combos * 6);
}

/* Every shipped profile, on the platform and mode it was fitted for. */
static void shipped_profiles_never_beat_physics(void **state)
{
	const char *root = GRAPHS_SOURCE_DIR "/calibration";
	DIR *d1 = opendir(root);
	struct dirent *a, *b;
	int profiles = 0;
	(void)state;
	assert_non_null(d1);
	while ((a = readdir(d1))) {
		char p1[1024];
		DIR *d2;
		if (a->d_name[0] == '.')
			continue;
		snprintf(p1, sizeof(p1), "%s/%s", root, a->d_name);
		if (!(d2 = opendir(p1)))
			continue;
		while ((b = readdir(d2))) {
			char file[1400], spec[256];
			gr_profile *prof = NULL;
			gr_error err = {0};
			const gr_hw *hw;
			int mode;
			if (b->d_name[0] == '.')
				continue;
			snprintf(file, sizeof(file), "%s/%s/pytorch.json", p1, b->d_name);
			if (access(file, R_OK))
				continue;
			assert_int_equal(gr_profile_load(file, &prof, &err), GR_OK);
			snprintf(spec, sizeof(spec), "%s%s%s", gr_profile_hw(prof), gr_profile_mode(prof) ? ":" : "",
				 gr_profile_mode(prof) ? gr_profile_mode(prof) : "");
			assert_int_equal(gr_hw_registry_resolve(fx.reg, spec, &hw, &mode, &err), GR_OK);
			for (int p = 0; p < GR_PREC_COUNT; p++)
				if (gr_profile_has_precision(prof, (gr_precision)p))
					assert_true(check_platform(hw, mode, (gr_precision)p, prof, 1) > 0);
			gr_profile_free(prof);
			profiles++;
		}
		closedir(d2);
	}
	closedir(d1);
	print_message("%d shipped profiles checked\n", profiles);
	assert_true(profiles >= 5);
}

/* A profile claiming every op is free (rates far beyond any hardware), as a hand-edited file or
 * one fitted before the bounds could be: the estimator raises its kernels to the floor and says so. */
static void impossible_profile_is_raised_to_the_floor(void **state)
{
	FILE *f = fopen(GRAPHS_SOURCE_DIR "/calibration/jetson_orin_agx_gpu/maxn/pytorch.json", "rb");
	char *text = calloc(1, 1 << 22), *out;
	size_t len;
	cJSON *doc, *prec, *cls;
	gr_profile *prof = NULL;
	gr_error err = {0};
	const gr_hw *hw;
	int mode, raised = 0;
	(void)state;
	assert_non_null(f);
	assert_non_null(text);
	len = fread(text, 1, (1 << 22) - 1, f);
	fclose(f);
	assert_non_null(doc = cJSON_ParseWithLength(text, len));
	cJSON_ArrayForEach(prec, cJSON_GetObjectItemCaseSensitive(doc, "precisions")) {
		cJSON *c;
		cJSON_ReplaceItemInObject(cJSON_GetObjectItemCaseSensitive(prec, "platform"), "spill_s_per_byte",
					  cJSON_CreateNumber(0));
		cls = cJSON_GetObjectItemCaseSensitive(prec, "classes");
		/* the matmul class too, so that the 4096^3 MatMul is a fitted kernel */
		cJSON_AddItemToObject(cls, "matmul", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(cls, "gemm"), 1));
		cJSON_ArrayForEach(c, cls) {
			cJSON *coef = cJSON_GetObjectItemCaseSensitive(c, "coef"), *k;
			cJSON_ArrayForEach(k, coef)
				cJSON_SetNumberValue(k, strcmp(k->string, "s_per_flop") ? 0 : 1e-18);
			cJSON_ReplaceItemInObject(c, "flops", cJSON_Parse("[0, 1e18]"));
			cJSON_ReplaceItemInObject(c, "bytes", cJSON_Parse("[0, 1e18]"));
		}
	}
	out = cJSON_PrintUnformatted(doc);
	if (gr_profile_load_mem(out, strlen(out), "impossible.json", &prof, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(gr_hw_registry_resolve(fx.reg, "jetson_orin_agx_gpu:maxn", &hw, &mode, &err), GR_OK);
	for (int p = 0; p < GR_PREC_COUNT; p++) {
		gr_fit_bound b[64];
		size_t n;
		if (!gr_profile_has_precision(prof, (gr_precision)p))
			continue;
		assert_true(check_platform(hw, mode, (gr_precision)p, prof, 1) > 0);
		/* the coefficients themselves are flagged */
		n = gr_profile_bounds(prof, hw, mode, (gr_precision)p, b, 64);
		assert_true(n > 0);
		for (size_t i = 0; i < n && i < 64; i++)
			assert_true(b[i].beyond && b[i].at_bound);
		for (int gi = 0; gi < N_GRAPHS; gi++) {
			gr_estimate *e = NULL;
			gr_estimate_opts eo = {.precision = p, .runtime = "pytorch", .amp = 0};
			assert_int_equal(gr_estimate_run_profile(fx.g[gi], fx.part[gi][0], hw, mode, &eo, prof, &e, &err),
					 GR_OK);
			assert_int_not_equal(e->kernels[0].confidence, GR_CONF_THEORETICAL);
			assert_true(e->kernels[0].at_bound);
			raised++;
			gr_estimate_free(e);
		}
	}
	assert_true(raised >= 9);
	gr_profile_free(prof);
	cJSON_free(out);
	cJSON_Delete(doc);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(theoretical_estimates_never_beat_physics),
		cmocka_unit_test(shipped_profiles_never_beat_physics),
		cmocka_unit_test(impossible_profile_is_raised_to_the_floor),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
