/* Registry truth (issue 12 item 6): clocks say which clock they are (engines may run at a named
 * kind such as the AVX-512 licence clock), derived figures are listed in `derived` and `hw show`
 * marks them; the validator rejects bad kinds and derived keys naming no figure. Also the
 * corrected figures of shipped entries, each as its datasheet or derivation gives it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphs/hw.h"
#include "hardware/hw_json.h"

#ifndef GRAPHS_SOURCE_DIR
#define GRAPHS_SOURCE_DIR "."
#endif

#define HW_DIR GRAPHS_SOURCE_DIR "/hardware"
#define FIX_DIR GRAPHS_SOURCE_DIR "/tests/fixtures/hw/truth"

typedef struct problems {
	int errors;
	char text[8192];
} problems;

static void collect(const gr_hw_problem *p, void *user)
{
	problems *ps = user;
	size_t len = strlen(ps->text);
	if (p->severity == GR_HW_ERROR)
		ps->errors++;
	if (len + strlen(p->msg) + 2 < sizeof(ps->text))
		snprintf(ps->text + len, sizeof(ps->text) - len, "%s\n", p->msg);
}

static int near(double a, double b, double rel)
{
	return fabs(a - b) <= rel * fabs(b);
}

static gr_hw *load_fixture(const char *name)
{
	char path[1024];
	gr_hw *hw = NULL;
	gr_error err;
	snprintf(path, sizeof(path), FIX_DIR "/%s", name);
	if (gr_hw_load_file(path, &hw, &err) != GR_OK)
		print_error("%s: %s\n", path, err.msg);
	return hw;
}

static void expect_error(const char *fixture, const char *key, const char *words)
{
	char path[1024];
	problems ps;
	memset(&ps, 0, sizeof(ps));
	snprintf(path, sizeof(path), FIX_DIR "/%s", fixture);
	gr_hw_validate_path(path, collect, &ps);
	if (ps.errors < 1 || !strstr(ps.text, key) || !strstr(ps.text, words))
		print_error("%s: expected %s / %s in:\n%s\n", fixture, key, words, ps.text);
	assert_true(ps.errors >= 1);
	assert_non_null(strstr(ps.text, fixture));
	assert_non_null(strstr(ps.text, key));
	assert_non_null(strstr(ps.text, words));
}

static char *show_yaml(const gr_hw *hw)
{
	char *buf = NULL;
	size_t len = 0;
	gr_error err;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(gr_hw_show_yaml(hw, f, &err), GR_OK);
	fclose(f);
	return buf;
}

/* hw written by gr_hw_write_yaml (the text into *yaml, the caller's to free), saved as path
 * and loaded back: what a user's edited copy of a shipped entry reads as. */
static gr_hw *yaml_round_trip(const gr_hw *hw, const char *path, char **yaml)
{
	gr_hw *back = NULL;
	size_t len = 0;
	gr_error err;
	FILE *f = open_memstream(yaml, &len);
	assert_non_null(f);
	assert_int_equal(gr_hw_write_yaml(hw, f, &err), GR_OK);
	fclose(f);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(*yaml, f);
	fclose(f);
	assert_int_equal(gr_hw_load_file(path, &back, &err), GR_OK);
	remove(path);
	return back;
}

/* The line of text that holds needle, copied out (for checks on one line only). */
static void line_with(const char *text, const char *needle, char *out, size_t size)
{
	const char *p = strstr(text, needle), *b, *e;
	out[0] = 0;
	if (!p)
		return;
	for (b = p; b > text && b[-1] != '\n'; b--)
		;
	e = strchr(p, '\n');
	if (!e)
		e = p + strlen(p);
	snprintf(out, size, "%.*s", (int)(e - b), b);
}

static void engine_runs_at_its_named_licence_clock(void **state)
{
	gr_hw *hw = load_fixture("licence_clock.yaml");
	gr_hw_engine_info e;
	problems ps;
	(void)state;

	memset(&ps, 0, sizeof(ps));
	assert_int_equal(gr_hw_validate_path(FIX_DIR "/licence_clock.yaml", collect, &ps), 0);
	assert_non_null(hw);
	assert_int_equal(gr_hw_engine_at(hw, 0, &e), 0);
	/* the avx512 licence clock, not the 3000 MHz all-core or the 3800 MHz boost */
	assert_true(near(e.clock_mhz, 2000, 1e-9));
	assert_true(near(gr_hw_peak_ops(hw, -1, GR_PREC_FP32), 7.168e12, 1e-6));
	gr_hw_free(hw);
}

static void hw_show_marks_the_derived_figures_and_only_those(void **state)
{
	gr_hw *hw = load_fixture("licence_clock.yaml");
	char *y, line[512];
	cJSON *o, *d;
	(void)state;

	assert_non_null(hw);
	y = show_yaml(hw);
	line_with(y, "clock_mhz: {", line, sizeof(line));
	assert_non_null(strstr(line, "avx512: 2000"));
	assert_non_null(strstr(line, "# derived: avx512"));
	assert_null(strstr(line, "all_core,"));  /* published clocks are not marked */
	line_with(y, "peak_tops:", line, sizeof(line));
	assert_non_null(strstr(line, "# derived: fp32"));
	line_with(y, "level: l1", line, sizeof(line));
	assert_non_null(strstr(line, "# derived: bandwidth_gbps"));
	line_with(y, "level: dram", line, sizeof(line));
	assert_null(strstr(line, "derived"));
	line_with(y, "tdp_w:", line, sizeof(line));
	assert_null(strstr(line, "derived"));
	free(y);

	o = gr_hw_to_json(hw);
	assert_non_null(o);
	d = cJSON_GetObjectItem(o, "derived");
	assert_int_equal(cJSON_GetArraySize(d), 3);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(d, 1)), "peak_tops.fp32");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
		cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "compute"), "engines"), 0),
		"clock")), "avx512");
	cJSON_Delete(o);
	gr_hw_free(hw);
}

static void derived_list_round_trips_through_the_writer(void **state)
{
	gr_hw *hw = load_fixture("licence_clock.yaml"), *back;
	char *buf = NULL;
	(void)state;

	assert_non_null(hw);
	back = yaml_round_trip(hw, "hw_truth_roundtrip.yaml", &buf);
	assert_non_null(strstr(buf, "clock: avx512"));
	assert_non_null(strstr(buf, "derived: [\"compute.clock_mhz.avx512\", \"peak_tops.fp32\""));
	assert_true(near(gr_hw_peak_ops(back, -1, GR_PREC_FP32), 7.168e12, 1e-6));
	gr_hw_free(back);
	free(buf);
	gr_hw_free(hw);
}

static void validate_rejects_an_unknown_clock_kind(void **state)
{
	(void)state;
	expect_error("bad_clock_kind.yaml", "'compute.engines.avx512.clock'", "unknown clock kind 'turbo'");
}

static void validate_rejects_a_clock_kind_the_file_does_not_give(void **state)
{
	(void)state;
	expect_error("undeclared_clock_kind.yaml", "'compute.engines.avx512.clock'",
		     "clock 'amx' is not given");
}

static void validate_rejects_a_licence_clock_above_the_all_core_clock(void **state)
{
	(void)state;
	expect_error("licence_above_all_core.yaml", "'compute.clock_mhz.avx512'",
		     "above the all-core clock");
}

static void validate_rejects_a_derived_key_naming_no_figure(void **state)
{
	(void)state;
	expect_error("derived_unknown_key.yaml", "'derived'", "'peak_tops.int8' names no figure");
}

/* --- shipped figures that issue 12 found wrong, as corrected (sources in each file) ------- */

static gr_hw_registry *load_shipped(void)
{
	gr_hw_registry *r = NULL;
	gr_error err;
	setenv("GRAPHS_HARDWARE_PATH", "", 1);
	if (gr_hw_registry_load(HW_DIR, &r, &err) != GR_OK)
		print_error("%s\n", err.msg);
	assert_non_null(r);
	return r;
}

static const gr_hw *find(gr_hw_registry *r, const char *id)
{
	const gr_hw *h = gr_hw_registry_find(r, id);
	if (!h)
		print_error("no platform %s\n", id);
	assert_non_null(h);
	return h;
}

static void shipped_corrected_figures_hold(void **state)
{
	gr_hw_registry *r = load_shipped();
	const gr_hw *h;
	gr_hw_engine_info e;
	cJSON *o;
	(void)state;

	/* Ryzen 9 8945HS: 8 cores x 32 FP32 ops/clk x 4.0 GHz base (no all-core clock published) */
	h = find(r, "amd_ryzen_9_8945hs");
	assert_true(near(gr_hw_peak_ops(h, -1, GR_PREC_FP32), 1.024e12, 1e-3));
	assert_true(near(gr_hw_clock_mhz(h, -1), 4000, 1e-9));
	/* Xeon 8480+: the AVX-512 and AMX engines run at their (base-clock) licence kinds */
	h = find(r, "intel_xeon_platinum_8480");
	assert_int_equal(gr_hw_engine_at(h, 0, &e), 0);
	assert_true(near(e.clock_mhz, 2000, 1e-9));
	assert_true(near(gr_hw_peak_ops(h, -1, GR_PREC_BF16), 114.7e12, 1e-3));
	o = gr_hw_to_json(h);
	assert_non_null(o);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(
		cJSON_GetObjectItem(cJSON_GetObjectItem(o, "compute"), "engines"), 1), "clock")), "amx");
	cJSON_Delete(o);
	/* RK3588 NPU: 3 cores x 512 FP16 MACs/clk x 2 ops x 1 GHz = 3 TFLOPS (was 1.5) */
	h = find(r, "rockchip_rk3588_npu");
	assert_true(near(gr_hw_peak_ops(h, -1, GR_PREC_FP16), 3e12, 1e-3));
	/* H100 SXM5: FP64 is the 33.5 TFLOPS vector rate, not the 67 tensor-core rate */
	h = find(r, "nvidia_h100_sxm5");
	assert_true(near(gr_hw_peak_ops(h, -1, GR_PREC_FP64), 33.5e12, 1e-3));
	h = find(r, "nvidia_a100_sxm4_80gb");
	assert_true(near(gr_hw_peak_ops(h, -1, GR_PREC_FP64), 9.7e12, 1e-3));
	gr_hw_registry_free(r);
}

static void shipped_derived_figures_are_marked(void **state)
{
	static const struct { const char *id, *key; } marked[] = {
		{"google_tpu_v3", "peak_tops.fp32"}, {"google_tpu_v4", "peak_tops.fp32"},
		{"google_tpu_v5e", "peak_tops.fp32"}, {"google_tpu_v5p", "peak_tops.fp32"},
		{"nvidia_dla_orin", "peak_tops.fp16"}, {"rockchip_rk3588_npu", "peak_tops.fp16"},
		{"amd_ryzen_9_8945hs", "compute.clock_mhz.all_core"},
		{"amd_ryzen_7_8845hs", "peak_tops.fp32"}, {"amd_ryzen_7_2700x", "peak_tops.fp32"},
		{"apple_m3", "peak_tops.fp32"}, {"apple_m4", "peak_tops.fp32"},
		{"intel_xeon_platinum_8480", "compute.clock_mhz.amx"},
		{"nvidia_a10", "peak_tops.fp64"},
		/* bandwidths from an assumed bus (QCS8275) or a third-party table (SA8295P) */
		{"qualcomm_qcs8275_npu", "memory.dram.bandwidth_gbps"},
		{"qualcomm_sa8295p_npu", "memory.dram.bandwidth_gbps"},
		/* Snapdragon 7 Gen 4: bus width from a third-party table, peaks from boost clocks */
		{"qualcomm_snapdragon_7_gen_4", "memory.dram.bandwidth_gbps"},
		{"qualcomm_snapdragon_7_gen_4", "peak_tops.fp32"},
	};
	gr_hw_registry *r = load_shipped();
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(marked) / sizeof(marked[0]); i++) {
		cJSON *o = gr_hw_to_json(find(r, marked[i].id)), *d, *x;
		int found = 0;
		assert_non_null(o);
		d = cJSON_GetObjectItem(o, "derived");
		cJSON_ArrayForEach(x, d)
			found |= !strcmp(cJSON_GetStringValue(x), marked[i].key);
		if (!found)
			print_error("%s: %s is not in derived\n", marked[i].id, marked[i].key);
		assert_true(found);
		cJSON_Delete(o);
	}
	gr_hw_registry_free(r);
}

/* Arm SIMD features (compute.engines[].isa) bound an engine's int8 and bf16 rates against its
 * fp32 rate: SDOT 4x, SMMLA (i8mm) 8x, BFMMLA (bf16) 4x; the list round-trips through the
 * writer and JSON. */
static void isa_list_bounds_int8_and_bf16_rates(void **state)
{
	gr_hw *hw = load_fixture("isa_i8mm.yaml"), *back;
	gr_hw_engine_info e;
	char *buf = NULL;
	cJSON *o;
	(void)state;

	assert_non_null(hw);
	assert_int_equal(gr_hw_engine_at(hw, 0, &e), 0);
	assert_true(e.isa_given);
	assert_int_equal(e.isa, GR_HW_ISA_DOTPROD | GR_HW_ISA_I8MM | GR_HW_ISA_BF16);
	o = gr_hw_to_json(hw);
	assert_non_null(o);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItem(
		cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "compute"), "engines"), 0),
		"isa"), 1)), "i8mm");
	cJSON_Delete(o);
	back = yaml_round_trip(hw, "hw_truth_isa.yaml", &buf);
	assert_non_null(strstr(buf, "isa: [dotprod, i8mm, bf16]"));
	assert_int_equal(gr_hw_engine_at(back, 0, &e), 0);
	assert_int_equal(e.isa, GR_HW_ISA_DOTPROD | GR_HW_ISA_I8MM | GR_HW_ISA_BF16);
	gr_hw_free(back);
	free(buf);
	gr_hw_free(hw);
	expect_error("isa_int8_above_dotprod.yaml", "'compute.engines.neon.precisions.int8'",
		     "dotprod (SDOT) allows at most 4x");
	expect_error("isa_bf16_not_listed.yaml", "'compute.engines.neon.precisions.bf16'",
		     "does not list bf16");
	expect_error("isa_unknown_feature.yaml", "'compute.engines[0].isa'", "unknown feature 'sme9'");
}

/* Arm CPU int8 peaks count SMMLA where the cores have FEAT_I8MM and issue it at the SDOT rate
 * (LLVM's scheduling models from Arm's optimization guides), SDOT where they have only
 * FEAT_DotProd; each shipped Arm CPU engine declares its features. */
/* isa_family (arm64, arm32, x86_64) names a CPU's instruction set; it round-trips through the
 * writer and JSON, every shipped CPU gives it (AMD and Intel x86_64, the rest Arm), and validation
 * rejects an unknown family, one on another class and an Arm isa list under x86_64. */
static void isa_family_names_the_instruction_set(void **state)
{
	gr_hw_registry *r = load_shipped();
	gr_hw *hw = load_fixture("isa_i8mm.yaml"), *back;
	char *buf = NULL;
	cJSON *o;
	(void)state;

	assert_non_null(hw);
	assert_int_equal(gr_hw_get_isa_family(hw), GR_HW_ISA_FAMILY_NONE);
	assert_true(gr_hw_is_arm_cpu(hw)); /* no family: its Arm isa list says so */
	gr_hw_free(hw);
	for (size_t i = 0; i < gr_hw_registry_count(r); i++) {
		const gr_hw *h = gr_hw_registry_at(r, i);
		const char *v = gr_hw_vendor(h);
		int x86 = !strcmp(v, "AMD") || !strcmp(v, "Intel");
		if (gr_hw_get_class(h) != GR_HW_CPU)
			continue;
		if (x86 != (gr_hw_get_isa_family(h) == GR_HW_ISA_FAMILY_X86_64) || gr_hw_is_arm_cpu(h) == x86)
			print_error("%s: vendor %s, isa_family %s\n", gr_hw_id(h), v,
				    gr_hw_isa_family_name(gr_hw_get_isa_family(h)) ? gr_hw_isa_family_name(gr_hw_get_isa_family(h)) : "none");
		assert_int_equal(x86, gr_hw_get_isa_family(h) == GR_HW_ISA_FAMILY_X86_64);
		assert_int_equal(!x86, gr_hw_is_arm_cpu(h));
	}
	o = gr_hw_to_json(find(r, "intel_core_i7_13700k"));
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "isa_family")), "x86_64");
	cJSON_Delete(o);
	back = yaml_round_trip(find(r, "rockchip_rv1126_cpu"), "hw_truth_isa_family.yaml", &buf);
	assert_non_null(strstr(buf, "\nisa_family: arm32\n"));
	assert_int_equal(gr_hw_get_isa_family(back), GR_HW_ISA_FAMILY_ARM32);
	gr_hw_free(back);
	free(buf);
	gr_hw_registry_free(r);
	expect_error("isa_family_unknown.yaml", "'isa_family'", "expected arm64, arm32 or x86_64, found 'riscv64'");
	expect_error("isa_family_on_gpu.yaml", "'isa_family'", "isa_family is for CPUs");
	expect_error("isa_family_x86_with_arm_isa.yaml", "'compute.engines.neon.isa'", "isa_family is x86_64");
}

static void shipped_arm_int8_rates_follow_their_isa(void **state)
{
	static const struct {
		const char *id, *engine;
		unsigned isa;
		double int8_per_fp32, int8_tops;
	} facts[] = {
		/* A720 + A520 (Armv9.2): SMMLA; 1 x 128 x 2.8 + 4 x 128 x 2.4 + 3 x 64 x 1.84 GOPS */
		{"qualcomm_snapdragon_7_gen_4", "a720", 7, 8, 1.94048},
		{"qualcomm_snapdragon_7_gen_4", "a520", 7, 8, 1.94048},
		/* X4 + A720: 1 x 256 x 3.25 + 3 x 256 x 2.85 + 4 x 128 x 2.0 GOPS */
		{"mediatek_dimensity_9300", "x4", 7, 8, 4.0448},
		/* Neoverse V1: SMMLA on four 128-bit pipes, 64 cores at 2.6 GHz */
		{"aws_graviton3", "sve", 7, 8, 42.6},
		/* A78 + A55 (Armv8.2): SDOT only */
		{"qualcomm_qcs6490", "gold_a78", 1, 4, 0.8768},
		{"jetson_orin_agx_cpu", "neon", 1, 4, 1.691},
		/* AmpereOne: I8MM, but SMMLA takes both FP pipes (LLVM Ampere1 model): the SDOT rate */
		{"ampere_ampereone_a192_32x", "neon", 7, 4, 39.32},
		/* Cortex-A72 (Armv8.0): no SDOT, widening multiply-accumulate */
		{"raspberry_pi_4", "neon", 0, 2, 0.1152},
	};
	gr_hw_registry *r = load_shipped();
	size_t i, j;
	(void)state;

	for (i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		const gr_hw *h = find(r, facts[i].id);
		gr_hw_engine_info e;
		int found = 0;
		for (j = 0; j < gr_hw_engine_count(h); j++) {
			assert_int_equal(gr_hw_engine_at(h, j, &e), 0);
			if (strcmp(e.name, facts[i].engine))
				continue;
			found = 1;
			if (!e.isa_given || e.isa != facts[i].isa ||
			    !near(e.ops_per_clk[GR_PREC_INT8], facts[i].int8_per_fp32 * e.ops_per_clk[GR_PREC_FP32], 1e-9))
				print_error("%s/%s: isa %u, int8 %g, fp32 %g\n", facts[i].id, facts[i].engine,
					    e.isa, e.ops_per_clk[GR_PREC_INT8], e.ops_per_clk[GR_PREC_FP32]);
			assert_true(e.isa_given);
			assert_int_equal(e.isa, facts[i].isa);
			assert_true(near(e.ops_per_clk[GR_PREC_INT8],
					 facts[i].int8_per_fp32 * e.ops_per_clk[GR_PREC_FP32], 1e-9));
		}
		assert_true(found);
		assert_true(near(gr_hw_peak_ops(h, -1, GR_PREC_INT8), facts[i].int8_tops * 1e12, 1e-3));
	}
	/* BFMMLA: 4x fp32 where listed as a precision */
	assert_true(near(gr_hw_peak_ops(find(r, "aws_graviton3"), -1, GR_PREC_BF16), 21.3e12, 1e-3));
	assert_true(near(gr_hw_peak_ops(find(r, "mediatek_dimensity_9300"), -1, GR_PREC_BF16),
			 2.0224e12, 1e-3));
	gr_hw_registry_free(r);
}

/* Entries added for the published measurements (issue 11): each declared figure as its source
 * gives it (or as derived and listed in `derived`). A changed figure must change here too. */
static void published_data_platforms_declare_their_figures(void **state)
{
	static const struct {
		const char *id;
		gr_precision p;
		double tops, dram_gbps;
		int peak_derived;
	} facts[] = {
		{"qualcomm_qcs8550_npu", GR_PREC_INT8, 48, 67.2, 0},
		{"qualcomm_qcs9075_npu", GR_PREC_INT8, 100, 76.8, 0},
		{"qualcomm_sa8775p_npu", GR_PREC_INT8, 100, 76.8, 1},
		{"qualcomm_sa8295p_npu", GR_PREC_INT8, 30, 66.9, 1},
		{"qualcomm_qcs8275_npu", GR_PREC_INT8, 40, 51.2, 0},
		/* 1 x 16 x 2.8 + 4 x 16 x 2.4 + 3 x 8 x 1.84 GFLOPS */
		{"qualcomm_snapdragon_7_gen_4", GR_PREC_FP32, 0.24256, 33.6, 1},
		{"qualcomm_snapdragon_8_gen_3_npu", GR_PREC_INT8, 95, 76.8, 1},
		{"qualcomm_snapdragon_8_elite_npu", GR_PREC_INT8, 138, 84.8, 1},
		{"qualcomm_snapdragon_8_elite_gen5_npu", GR_PREC_INT8, 189, 84.8, 1},
		{"rockchip_rk1808_npu", GR_PREC_INT8, 3, 8.5, 0},
		{"rockchip_rv1126_npu", GR_PREC_INT8, 2, 8.5, 0},
		{"rockchip_rv1109_npu", GR_PREC_INT8, 1.2, 8.5, 0},
		{"nvidia_a100_pcie_80gb", GR_PREC_FP16, 312, 1935, 0},
		{"intel_core_ultra_7_155h", GR_PREC_FP32, 0.8448, 119.5, 1},
		{"intel_core_ultra_7_155h_gpu", GR_PREC_INT8, 18.43, 119.5, 0},
		{"intel_core_ultra_7_155h_npu", GR_PREC_INT8, 11, 119.5, 0},
		{"intel_core_i7_13700h", GR_PREC_FP32, 0.6912, 83.2, 1},
	};
	gr_hw_registry *r = load_shipped();
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		const gr_hw *h = find(r, facts[i].id);
		cJSON *o = gr_hw_to_json(h), *x;
		char key[64];
		int marked = 0;
		snprintf(key, sizeof(key), "peak_tops.%s", gr_precision_name(facts[i].p));
		assert_non_null(o);
		cJSON_ArrayForEach(x, cJSON_GetObjectItem(o, "derived"))
			marked |= !strcmp(cJSON_GetStringValue(x), key);
		if (!near(gr_hw_peak_ops(h, -1, facts[i].p), facts[i].tops * 1e12, 1e-3) ||
		    !near(gr_hw_dram_bandwidth(h, -1), facts[i].dram_gbps * 1e9, 1e-3) ||
		    marked != facts[i].peak_derived)
			print_error("%s: %s %g (derived %d), DRAM %g GB/s\n", facts[i].id, key,
				    gr_hw_peak_ops(h, -1, facts[i].p) / 1e12, marked,
				    gr_hw_dram_bandwidth(h, -1) / 1e9);
		assert_true(near(gr_hw_peak_ops(h, -1, facts[i].p), facts[i].tops * 1e12, 1e-3));
		assert_true(near(gr_hw_dram_bandwidth(h, -1), facts[i].dram_gbps * 1e9, 1e-3));
		assert_int_equal(marked, facts[i].peak_derived);
		cJSON_Delete(o);
	}
	gr_hw_registry_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(engine_runs_at_its_named_licence_clock),
		cmocka_unit_test(hw_show_marks_the_derived_figures_and_only_those),
		cmocka_unit_test(derived_list_round_trips_through_the_writer),
		cmocka_unit_test(validate_rejects_an_unknown_clock_kind),
		cmocka_unit_test(validate_rejects_a_clock_kind_the_file_does_not_give),
		cmocka_unit_test(validate_rejects_a_licence_clock_above_the_all_core_clock),
		cmocka_unit_test(validate_rejects_a_derived_key_naming_no_figure),
		cmocka_unit_test(shipped_corrected_figures_hold),
		cmocka_unit_test(shipped_derived_figures_are_marked),
		cmocka_unit_test(published_data_platforms_declare_their_figures),
		cmocka_unit_test(isa_list_bounds_int8_and_bf16_rates),
		cmocka_unit_test(shipped_arm_int8_rates_follow_their_isa),
		cmocka_unit_test(isa_family_names_the_instruction_set),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
