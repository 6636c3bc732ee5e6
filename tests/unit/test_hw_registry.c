/* Unit tests of the hardware registry: the shipped YAML files, the validator on broken
 * fixtures, power-mode resolution, GRAPHS_HARDWARE_PATH overrides, host detection and output. */
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
#include <unistd.h>

#include "graphs/hw.h"
#include "hardware/hw_impl.h"
#include "hardware/hw_json.h"

#ifndef GRAPHS_SOURCE_DIR
#define GRAPHS_SOURCE_DIR "."
#endif

#define HW_DIR GRAPHS_SOURCE_DIR "/hardware"
#define FIX_DIR GRAPHS_SOURCE_DIR "/tests/fixtures/hw"

/* --- helpers ---------------------------------------------------------------------------- */

typedef struct problems {
	int errors, warnings;
	char text[32768];  /* every message, one per line */
} problems;

static void collect(const gr_hw_problem *p, void *user)
{
	problems *ps = user;
	size_t len = strlen(ps->text);
	if (p->severity == GR_HW_ERROR)
		ps->errors++;
	else
		ps->warnings++;
	if (len + strlen(p->msg) + 2 < sizeof(ps->text))
		snprintf(ps->text + len, sizeof(ps->text) - len, "%s\n", p->msg);
}

/* Validates one fixture and checks that some error names its file and the key. */
static void expect_problem(const char *fixture, const char *key_quoted, const char *words)
{
	char path[1024];
	problems ps;
	int n;

	memset(&ps, 0, sizeof(ps));
	snprintf(path, sizeof(path), FIX_DIR "/broken/%s", fixture);
	n = gr_hw_validate_path(path, collect, &ps);
	if (n < 1 || !strstr(ps.text, fixture) || (key_quoted && !strstr(ps.text, key_quoted)) ||
	    (words && !strstr(ps.text, words)))
		print_error("fixture %s: expected %s / %s in:\n%s\n", fixture,
			    key_quoted ? key_quoted : "-", words ? words : "-", ps.text);
	assert_true(n >= 1);
	assert_true(ps.errors + ps.warnings == n);
	assert_non_null(strstr(ps.text, fixture));
	if (key_quoted)
		assert_non_null(strstr(ps.text, key_quoted));
	if (words)
		assert_non_null(strstr(ps.text, words));
}

static int reset_env(void **state)
{
	(void)state;
	unsetenv("GRAPHS_HARDWARE_PATH");
	return 0;
}

static gr_hw_registry *load_shipped(void)
{
	gr_hw_registry *r = NULL;
	gr_error err;
	gr_status st;

	memset(&err, 0, sizeof(err));
	st = gr_hw_registry_load(HW_DIR, &r, &err);
	if (st != GR_OK)
		print_error("%s\n", err.msg);
	assert_int_equal(st, GR_OK);
	assert_non_null(r);
	return r;
}

static int near(double a, double b, double rel)
{
	return fabs(a - b) <= rel * fabs(b);
}

/* --- the shipped registry -------------------------------------------------------------- */

static void shipped_registry_loads_at_least_40_platforms(void **state)
{
	gr_hw_registry *r;
	size_t i;
	(void)state;

	r = load_shipped();
	assert_true(gr_hw_registry_count(r) >= 40);
	for (i = 0; i < gr_hw_registry_count(r); i++) {
		const gr_hw *hw = gr_hw_registry_at(r, i);
		int p, any = 0;
		assert_non_null(gr_hw_id(hw));
		assert_non_null(gr_hw_name(hw));
		assert_true(gr_hw_source_count(hw) >= 1);
		assert_true(gr_hw_tdp_w(hw, -1) > 0);
		assert_true(gr_hw_mem_count(hw) >= 1);
		for (p = 0; p < GR_PREC_COUNT; p++)
			if (gr_hw_peak_ops(hw, -1, (gr_precision)p) > 0)
				any = 1;
		assert_true(any);
		if (i > 0)  /* sorted by id */
			assert_true(strcmp(gr_hw_id(gr_hw_registry_at(r, i - 1)), gr_hw_id(hw)) < 0);
	}
	/* the platforms the project's ground truth and CLI contract name */
	assert_non_null(gr_hw_registry_find(r, "intel_core_i7_12700k"));
	assert_non_null(gr_hw_registry_find(r, "jetson_orin_agx_gpu"));
	assert_non_null(gr_hw_registry_find(r, "nvidia_h100_sxm5"));
	assert_null(gr_hw_registry_find(r, "no_such_platform"));
	gr_hw_registry_free(r);
}

static void shipped_registry_validates_without_problems(void **state)
{
	problems ps;
	gr_hw_registry *r;
	int n;
	(void)state;

	memset(&ps, 0, sizeof(ps));
	n = gr_hw_validate_path(HW_DIR, collect, &ps);
	if (n)
		print_error("%s", ps.text);
	assert_int_equal(n, 0);

	r = load_shipped();
	assert_int_equal(gr_hw_validate_registry(r, collect, &ps), 0);
	gr_hw_registry_free(r);
}

static void shipped_h100_peaks_match_datasheet(void **state)
{
	gr_hw_registry *r = load_shipped();
	const gr_hw *h = gr_hw_registry_find(r, "nvidia_h100_sxm5");
	(void)state;

	assert_non_null(h);
	assert_true(near(gr_hw_peak_ops(h, -1, GR_PREC_FP16), 989.4e12, 0.001));
	assert_true(near(gr_hw_peak_ops(h, -1, GR_PREC_FP32), 66.9e12, 0.001));
	assert_true(near(gr_hw_dram_bandwidth(h, -1), 3350e9, 0.001));
	assert_int_equal(gr_hw_get_class(h), GR_HW_GPU);
	assert_int_equal(gr_hw_preferred_precision(h), GR_PREC_FP16);
	gr_hw_registry_free(r);
}

static void i7_12700k_emulates_fp16_and_bf16(void **state)
{
	gr_hw_registry *r = load_shipped();
	const gr_hw *h = gr_hw_registry_find(r, "intel_core_i7_12700k");
	double fp32;
	(void)state;

	assert_non_null(h);
	assert_false(gr_hw_precision_native(h, GR_PREC_FP16));
	assert_false(gr_hw_precision_native(h, GR_PREC_BF16));
	assert_true(gr_hw_emulation_factor(h, GR_PREC_FP16) > 1);
	assert_true(gr_hw_emulation_factor(h, GR_PREC_BF16) > 1);
	assert_true(gr_hw_peak_ops(h, -1, GR_PREC_FP16) == 0);
	fp32 = gr_hw_peak_ops(h, -1, GR_PREC_FP32);
	assert_true(fp32 > 1e12 && fp32 < 2e12);  /* 8P + 4E cores, AVX2 */
	assert_true(near(gr_hw_effective_peak_ops(h, -1, GR_PREC_FP16),
			 fp32 / gr_hw_emulation_factor(h, GR_PREC_FP16), 1e-9));
	gr_hw_registry_free(r);
}

/* --- broken fixtures ------------------------------------------------------------------- */

static void validate_reports_missing_required_key(void **state)
{
	(void)state;
	expect_problem("missing_required_key.yaml", "key 'compute.units'", "required");
}

static void validate_reports_wrong_type(void **state)
{
	(void)state;
	expect_problem("wrong_type.yaml", "key 'memory.dram.bandwidth_gbps'", "expected a positive number");
}

static void validate_reports_wrong_unit_key_and_suggests_the_right_one(void **state)
{
	(void)state;
	expect_problem("wrong_unit.yaml", "key 'power.tdp_kw'", "did you mean 'tdp_w'");
	expect_problem("wrong_unit.yaml", "key 'power.tdp_w'", "required");
}

static void validate_reports_negative_size(void **state)
{
	(void)state;
	expect_problem("negative_size.yaml", "key 'memory.sram.size_bytes'", "positive integer");
}

static void validate_reports_inconsistent_peak(void **state)
{
	(void)state;
	expect_problem("inconsistent_peak.yaml", "key 'peak_tops.fp16'", "units x ops/clk x clock");
}

static void validate_reports_mode_clock_above_max(void **state)
{
	(void)state;
	expect_problem("mode_clock_above_max.yaml", "key 'power.modes.turbo.gpu_clock_mhz'",
		       "above the maximum");
}

static void validate_reports_implausible_bandwidth_and_idle_above_tdp(void **state)
{
	(void)state;
	expect_problem("implausible_bandwidth.yaml", "key 'memory.dram.bandwidth_gbps'", "ddr4");
	expect_problem("implausible_bandwidth.yaml", "key 'power.idle_w'", "not below tdp");
}

static void validate_reports_malformed_yaml_with_line(void **state)
{
	(void)state;
	expect_problem("malformed.yaml", "malformed.yaml:5:", "malformed YAML");
}

static void validate_reports_top_level_that_is_not_a_mapping(void **state)
{
	(void)state;
	expect_problem("not_a_mapping.yaml", NULL, "expected a mapping");
}

static void validate_reports_every_problem_not_just_the_first(void **state)
{
	problems ps;
	(void)state;

	memset(&ps, 0, sizeof(ps));
	gr_hw_validate_path(FIX_DIR "/broken/many_problems.yaml", collect, &ps);
	assert_true(ps.errors >= 6);
	assert_non_null(strstr(ps.text, "key 'id'"));
	assert_non_null(strstr(ps.text, "key 'class'"));
	assert_non_null(strstr(ps.text, "key 'compute.units'"));
	assert_non_null(strstr(ps.text, "key 'peak_tops.fp99'"));
	assert_non_null(strstr(ps.text, "key 'compute.clock_mhz.base'"));
	assert_non_null(strstr(ps.text, "key 'precisions.preferred'"));
}

static void validate_reports_duplicate_id_in_a_folder(void **state)
{
	problems ps;
	(void)state;

	memset(&ps, 0, sizeof(ps));
	assert_true(gr_hw_validate_path(FIX_DIR "/duplicate_id", collect, &ps) >= 1);
	assert_int_equal(ps.errors, 1);
	assert_non_null(strstr(ps.text, "b.yaml"));
	assert_non_null(strstr(ps.text, "duplicate id 'duplicate_platform'"));
	assert_non_null(strstr(ps.text, "a.yaml"));
}

static void registry_load_fails_on_a_broken_file_naming_file_and_key(void **state)
{
	gr_hw_registry *r = NULL;
	gr_error err;
	gr_status st;
	(void)state;

	memset(&err, 0, sizeof(err));
	st = gr_hw_registry_load(FIX_DIR "/broken/negative_size.yaml", &r, &err);
	assert_int_equal(st, GR_ERR_FORMAT);
	assert_null(r);
	assert_non_null(strstr(err.msg, "negative_size.yaml:8: key 'memory.sram.size_bytes'"));

	st = gr_hw_registry_load(FIX_DIR "/duplicate_id", &r, &err);
	assert_int_equal(st, GR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "duplicate id 'duplicate_platform'"));

	st = gr_hw_registry_load(FIX_DIR "/no/such/folder", &r, &err);
	assert_int_equal(st, GR_ERR_IO);
	assert_non_null(strstr(err.msg, "no/such/folder"));
}

static void load_file_rejects_missing_and_reads_valid_files(void **state)
{
	gr_hw *hw = NULL;
	gr_error err;
	(void)state;

	assert_int_equal(gr_hw_load_file(FIX_DIR "/missing.yaml", &hw, &err), GR_ERR_IO);
	assert_null(hw);
	assert_int_equal(gr_hw_load_file(FIX_DIR "/broken/malformed.yaml", &hw, &err), GR_ERR_FORMAT);
	assert_int_equal(gr_hw_load_file(FIX_DIR "/user/test_user_npu.yaml", &hw, &err), GR_OK);
	assert_string_equal(gr_hw_id(hw), "test_user_npu");
	assert_int_equal(gr_hw_get_class(hw), GR_HW_NPU);
	assert_true(gr_hw_op_supported(hw, "Conv"));
	assert_false(gr_hw_op_supported(hw, "LSTM"));
	assert_string_equal(gr_hw_fallback(hw), "host_cpu");
	assert_true(near(gr_hw_peak_ops(hw, -1, GR_PREC_INT8), 4.096e12, 1e-9));
	gr_hw_free(hw);
	gr_hw_free(NULL);
}

/* --- modes ----------------------------------------------------------------------------- */

static void resolve_orin_30w_scales_gpu_peak_by_clock_ratio_and_units(void **state)
{
	gr_hw_registry *r = load_shipped();
	const gr_hw *hw = NULL;
	int mode = -2, maxn;
	gr_error err;
	double full, at30;
	(void)state;

	assert_int_equal(gr_hw_registry_resolve(r, "jetson_orin_agx_gpu:30w", &hw, &mode, &err), GR_OK);
	assert_non_null(hw);
	assert_string_equal(gr_hw_id(hw), "jetson_orin_agx_gpu");
	assert_true(mode >= 0);
	assert_string_equal(gr_hw_mode_name(hw, (size_t)mode), "30w");
	assert_int_equal(gr_hw_mode_count(hw), 4);

	full = gr_hw_peak_ops(hw, -1, GR_PREC_FP16);
	at30 = gr_hw_peak_ops(hw, mode, GR_PREC_FP16);
	/* 30W: 612 of 1300.5 MHz, 8 of 16 SMs (4 TPCs) */
	assert_true(near(at30, full * (612.0 / 1300.5) * (8.0 / 16.0), 1e-9));
	assert_true(near(gr_hw_clock_mhz(hw, mode), 612, 1e-9));
	assert_int_equal(gr_hw_units(hw, mode), 8);
	assert_true(near(gr_hw_tdp_w(hw, mode), 30, 1e-9));
	/* EMC uncapped at 30W */
	assert_true(near(gr_hw_dram_bandwidth(hw, mode), 204.8e9, 1e-9));

	maxn = gr_hw_mode_find(hw, "maxn");
	assert_true(maxn >= 0);
	assert_true(near(gr_hw_peak_ops(hw, maxn, GR_PREC_FP16), full, 1e-9));
	assert_true(gr_hw_peak_ops(hw, gr_hw_mode_find(hw, "15w"), GR_PREC_FP16) < at30);
	gr_hw_registry_free(r);
}

static void resolve_orin_15w_scales_dram_bandwidth_by_memory_clock(void **state)
{
	gr_hw_registry *r = load_shipped();
	const gr_hw *hw;
	int mode;
	gr_error err;
	(void)state;

	assert_int_equal(gr_hw_registry_resolve(r, "jetson_orin_agx_gpu:15w", &hw, &mode, &err), GR_OK);
	assert_true(near(gr_hw_dram_bandwidth(hw, mode), 204.8e9 * 2133.0 / 3199.0, 1e-9));
	assert_true(near(gr_hw_peak_ops(hw, mode, GR_PREC_FP32),
			 gr_hw_peak_ops(hw, -1, GR_PREC_FP32) * (408.0 / 1300.5) * (6.0 / 16.0), 1e-9));
	gr_hw_registry_free(r);
}

/* A CPU of P- and E-cores with one core online runs it on a P-core: apple_m3:1_thread is one
 * P-core's peak (32 fp32 ops/clk x 4.05 GHz), not an eighth of the summed P + E peak. */
static void resolve_single_core_mode_of_a_hybrid_cpu_takes_a_p_core(void **state)
{
	gr_hw_registry *r = load_shipped();
	const gr_hw *hw;
	int mode;
	gr_error err;
	gr_hw_engine_info p;
	(void)state;

	assert_int_equal(gr_hw_registry_resolve(r, "apple_m3:1_thread", &hw, &mode, &err), GR_OK);
	assert_true(mode >= 0);
	assert_int_equal(gr_hw_units(hw, mode), 1);
	assert_int_equal(gr_hw_engine_at(hw, 0, &p), 0);
	assert_string_equal(p.name, "p_core");
	assert_true(near(gr_hw_peak_ops(hw, mode, GR_PREC_FP32), p.ops_per_clk[GR_PREC_FP32] * p.clock_mhz * 1e6,
			 1e-9));
	assert_true(gr_hw_peak_ops(hw, mode, GR_PREC_FP32) > gr_hw_peak_ops(hw, -1, GR_PREC_FP32) / 8 * 1.4);
	/* a CPU of one core type keeps scaling by cores online */
	assert_int_equal(gr_hw_registry_resolve(r, "jetson_orin_agx_cpu:15w", &hw, &mode, &err), GR_OK);
	assert_true(near(gr_hw_peak_ops(hw, mode, GR_PREC_FP32),
			 gr_hw_peak_ops(hw, -1, GR_PREC_FP32) * (1113.6 / 2201.6) * (4.0 / 12.0), 1e-9));
	gr_hw_registry_free(r);
}

static void resolve_without_mode_gives_default_settings(void **state)
{
	gr_hw_registry *r = load_shipped();
	const gr_hw *hw = NULL;
	int mode = 7;
	gr_error err;
	(void)state;

	assert_int_equal(gr_hw_registry_resolve(r, "nvidia_l4", &hw, &mode, &err), GR_OK);
	assert_int_equal(mode, -1);
	assert_string_equal(gr_hw_id(hw), "nvidia_l4");
	gr_hw_registry_free(r);
}

static void resolve_unknown_mode_lists_the_valid_modes(void **state)
{
	gr_hw_registry *r = load_shipped();
	const gr_hw *hw = NULL;
	int mode = 0;
	gr_error err;
	(void)state;

	memset(&err, 0, sizeof(err));
	assert_int_equal(gr_hw_registry_resolve(r, "jetson_orin_agx_gpu:99w", &hw, &mode, &err),
			 GR_ERR_NOT_FOUND);
	assert_null(hw);
	assert_non_null(strstr(err.msg, "unknown mode '99w'"));
	assert_non_null(strstr(err.msg, "15w, 30w, 50w, maxn"));

	assert_int_equal(gr_hw_registry_resolve(r, "nvidia_h100_sxm5:turbo", &hw, &mode, &err),
			 GR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "has no power modes"));
	assert_int_equal(gr_hw_registry_resolve(r, "jetson_orin_agx_gpu:", &hw, &mode, &err),
			 GR_ERR_USAGE);
	gr_hw_registry_free(r);
}

static void resolve_unknown_id_suggests_similar_ids(void **state)
{
	gr_hw_registry *r = load_shipped();
	const gr_hw *hw = NULL;
	int mode;
	gr_error err;
	(void)state;

	assert_int_equal(gr_hw_registry_resolve(r, "h100", &hw, &mode, &err), GR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "unknown hardware 'h100'"));
	assert_non_null(strstr(err.msg, "nvidia_h100_sxm5"));
	assert_int_equal(gr_hw_registry_resolve(r, "zzz_nothing", &hw, &mode, &err), GR_ERR_NOT_FOUND);
	gr_hw_registry_free(r);
}

/* --- GRAPHS_HARDWARE_PATH -------------------------------------------------------------- */

static void hardware_path_adds_and_overrides_entries(void **state)
{
	gr_hw_registry *base = load_shipped(), *r = NULL;
	const gr_hw *t4;
	gr_error err;
	(void)state;

	assert_null(gr_hw_registry_find(base, "test_user_npu"));
	assert_int_equal(setenv("GRAPHS_HARDWARE_PATH", "/no/such/dir:" FIX_DIR "/user", 1), 0);
	assert_int_equal(gr_hw_registry_load(HW_DIR, &r, &err), GR_OK);
	unsetenv("GRAPHS_HARDWARE_PATH");

	assert_int_equal(gr_hw_registry_count(r), gr_hw_registry_count(base) + 1);
	assert_non_null(gr_hw_registry_find(r, "test_user_npu"));
	t4 = gr_hw_registry_find(r, "nvidia_t4");
	assert_non_null(t4);
	assert_string_equal(gr_hw_name(t4), "NVIDIA T4 (site override, 60 W cap)");
	assert_true(near(gr_hw_tdp_w(t4, -1), 60, 1e-9));
	assert_non_null(strstr(gr_hw_path(t4), "fixtures/hw/user"));
	assert_string_not_equal(gr_hw_name(gr_hw_registry_find(base, "nvidia_t4")), gr_hw_name(t4));

	/* the user folder alone, no built-in folder */
	gr_hw_registry_free(r);
	assert_int_equal(setenv("GRAPHS_HARDWARE_PATH", FIX_DIR "/user", 1), 0);
	assert_int_equal(gr_hw_registry_load(NULL, &r, &err), GR_OK);
	unsetenv("GRAPHS_HARDWARE_PATH");
	assert_int_equal(gr_hw_registry_count(r), 2);
	gr_hw_registry_free(r);
	gr_hw_registry_free(base);
}

/* A broken user file makes only its own platform unusable: the registry still loads, and
 * resolving that id fails naming the file and the key. */
static void hardware_path_with_a_broken_file_makes_only_its_platform_unusable(void **state)
{
	gr_hw_registry *r = NULL;
	const gr_hw *hw = NULL;
	int mode;
	gr_error err;
	(void)state;

	memset(&err, 0, sizeof(err));
	assert_int_equal(setenv("GRAPHS_HARDWARE_PATH", FIX_DIR "/broken/wrong_type.yaml", 1), 0);
	assert_int_equal(gr_hw_registry_load(HW_DIR, &r, &err), GR_OK);
	unsetenv("GRAPHS_HARDWARE_PATH");
	assert_null(gr_hw_registry_find(r, "wrong_type"));
	assert_int_equal(gr_hw_registry_resolve(r, "wrong_type", &hw, &mode, &err), GR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "wrong_type.yaml:11: key 'memory.dram.bandwidth_gbps'"));
	assert_int_equal(gr_hw_registry_resolve(r, "nvidia_t4", &hw, &mode, &err), GR_OK);
	gr_hw_registry_free(r);
}

/* --- host detection -------------------------------------------------------------------- */

static void host_detection_gives_cores_clock_and_fp32_peak(void **state)
{
	gr_hw *hw = NULL;
	gr_error err;
	problems ps;
	(void)state;

	memset(&ps, 0, sizeof(ps));
	assert_int_equal(gr_hw_detect_host(&hw, &err), GR_OK);
	assert_non_null(hw);
	assert_string_equal(gr_hw_id(hw), "host");
	assert_int_equal(gr_hw_get_class(hw), GR_HW_CPU);
	assert_true(gr_hw_units(hw, -1) > 0);
	assert_true(gr_hw_clock_mhz(hw, -1) > 0);
	assert_true(gr_hw_peak_ops(hw, -1, GR_PREC_FP32) > 0);
	assert_true(gr_hw_memory_bytes(hw) > 0);
	assert_true(gr_hw_dram_bandwidth(hw, -1) > 0);
	assert_int_equal(gr_hw_validate(hw, collect, &ps), 0);
	gr_hw_free(hw);
}

/* The measured clock (used where cpufreq is absent) is a plausible core clock, repeats, and
 * does not exceed cpufreq's maximum where that is readable. */
static void measured_clock_is_plausible_and_repeats(void **state)
{
	double a, b, maxk = 0;
	FILE *f;
	(void)state;

	a = gr_hw_measure_mhz();
#if defined(__x86_64__) || defined(__aarch64__)
	b = gr_hw_measure_mhz();
	assert_true(a > 200 && a < 7000);
	assert_true(fabs(a - b) < 0.15 * fmax(a, b));
	f = fopen("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "r");
	if (f) {
		if (fscanf(f, "%lf", &maxk) != 1)
			maxk = 0;
		fclose(f);
	}
	if (maxk > 0)
		assert_true(a < maxk / 1000 * 1.05);
#else
	(void)b;
	(void)f;
	(void)maxk;
	assert_true(a == 0);
#endif
}

static void host_yaml_round_trips_through_the_parser(void **state)
{
	gr_hw *hw = NULL, *back = NULL;
	gr_error err;
	char path[] = "/tmp/graphs_hw_hostXXXXXX";
	int fd;
	FILE *f;
	problems ps;
	(void)state;

	memset(&ps, 0, sizeof(ps));
	assert_int_equal(gr_hw_detect_host(&hw, &err), GR_OK);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(gr_hw_write_yaml(hw, f, &err), GR_OK);
	fclose(f);
	if (gr_hw_load_file(path, &back, &err) != GR_OK)
		print_error("%s\n", err.msg);
	assert_non_null(back);
	assert_true(near(gr_hw_peak_ops(back, -1, GR_PREC_FP32), gr_hw_peak_ops(hw, -1, GR_PREC_FP32),
			 1e-6));
	assert_int_equal(gr_hw_mem_count(back), gr_hw_mem_count(hw));
	assert_int_equal(gr_hw_memory_bytes(back), gr_hw_memory_bytes(hw));
	/* the file is named after mkstemp, not "host": only that naming warning is allowed */
	gr_hw_validate_path(path, collect, &ps);
	assert_int_equal(ps.errors, 0);
	unlink(path);
	gr_hw_free(back);
	gr_hw_free(hw);
}

/* --- output ---------------------------------------------------------------------------- */

static void registry_json_lists_every_platform_with_the_contract_fields(void **state)
{
	gr_hw_registry *r = load_shipped();
	cJSON *a = gr_hw_registry_to_json(r), *e;
	(void)state;

	assert_non_null(a);
	assert_true(cJSON_IsArray(a));
	assert_int_equal((size_t)cJSON_GetArraySize(a), gr_hw_registry_count(r));
	cJSON_ArrayForEach(e, a) {
		assert_true(cJSON_IsString(cJSON_GetObjectItem(e, "id")));
		assert_true(cJSON_IsString(cJSON_GetObjectItem(e, "name")));
		assert_true(cJSON_IsString(cJSON_GetObjectItem(e, "vendor")));
		assert_true(cJSON_IsString(cJSON_GetObjectItem(e, "class")));
		assert_true(cJSON_IsObject(cJSON_GetObjectItem(e, "peak_tops")));
		assert_true(cJSON_IsNumber(cJSON_GetObjectItem(e, "memory_gb")));
		assert_true(cJSON_IsNumber(cJSON_GetObjectItem(e, "tdp_w")));
	}
	cJSON_Delete(a);
	gr_hw_registry_free(r);
}

static void show_json_and_yaml_describe_one_platform(void **state)
{
	gr_hw_registry *r = load_shipped();
	const gr_hw *hw = gr_hw_registry_find(r, "jetson_orin_agx_gpu");
	cJSON *o = gr_hw_to_json(hw), *modes, *m;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	gr_error err;
	(void)state;

	assert_non_null(o);
	modes = cJSON_GetObjectItem(o, "modes");
	assert_int_equal(cJSON_GetArraySize(modes), 4);
	m = cJSON_GetArrayItem(modes, 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(m, "name")), "30w");
	assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "peak_tops"), "fp16")->valuedouble <
		    cJSON_GetObjectItem(cJSON_GetObjectItem(o, "peak_tops"), "fp16")->valuedouble);
	cJSON_Delete(o);

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(gr_hw_show_yaml(hw, f, &err), GR_OK);
	assert_int_equal(gr_hw_show_json(hw, f, &err), GR_OK);
	fclose(f);
	assert_non_null(strstr(buf, "id: jetson_orin_agx_gpu"));
	assert_non_null(strstr(buf, "\"id\":"));
	free(buf);
	gr_hw_registry_free(r);
}

static void names_of_precisions_and_classes_round_trip(void **state)
{
	int p;
	(void)state;
	for (p = 0; p < GR_PREC_COUNT; p++)
		assert_int_equal(gr_precision_parse(gr_precision_name((gr_precision)p)), p);
	assert_int_equal(gr_precision_parse("fp12"), -1);
	assert_string_equal(gr_hw_class_name(GR_HW_TPU), "tpu");
	assert_string_equal(gr_precision_name((gr_precision)99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(shipped_registry_loads_at_least_40_platforms, reset_env),
		cmocka_unit_test_setup(shipped_registry_validates_without_problems, reset_env),
		cmocka_unit_test_setup(shipped_h100_peaks_match_datasheet, reset_env),
		cmocka_unit_test_setup(i7_12700k_emulates_fp16_and_bf16, reset_env),
		cmocka_unit_test(validate_reports_missing_required_key),
		cmocka_unit_test(validate_reports_wrong_type),
		cmocka_unit_test(validate_reports_wrong_unit_key_and_suggests_the_right_one),
		cmocka_unit_test(validate_reports_negative_size),
		cmocka_unit_test(validate_reports_inconsistent_peak),
		cmocka_unit_test(validate_reports_mode_clock_above_max),
		cmocka_unit_test(validate_reports_implausible_bandwidth_and_idle_above_tdp),
		cmocka_unit_test(validate_reports_malformed_yaml_with_line),
		cmocka_unit_test(validate_reports_top_level_that_is_not_a_mapping),
		cmocka_unit_test(validate_reports_every_problem_not_just_the_first),
		cmocka_unit_test(validate_reports_duplicate_id_in_a_folder),
		cmocka_unit_test_setup(registry_load_fails_on_a_broken_file_naming_file_and_key, reset_env),
		cmocka_unit_test(load_file_rejects_missing_and_reads_valid_files),
		cmocka_unit_test_setup(resolve_orin_30w_scales_gpu_peak_by_clock_ratio_and_units, reset_env),
		cmocka_unit_test_setup(resolve_orin_15w_scales_dram_bandwidth_by_memory_clock, reset_env),
		cmocka_unit_test_setup(resolve_single_core_mode_of_a_hybrid_cpu_takes_a_p_core, reset_env),
		cmocka_unit_test_setup(resolve_without_mode_gives_default_settings, reset_env),
		cmocka_unit_test_setup(resolve_unknown_mode_lists_the_valid_modes, reset_env),
		cmocka_unit_test_setup(resolve_unknown_id_suggests_similar_ids, reset_env),
		cmocka_unit_test_setup(hardware_path_adds_and_overrides_entries, reset_env),
		cmocka_unit_test_setup(hardware_path_with_a_broken_file_makes_only_its_platform_unusable, reset_env),
		cmocka_unit_test(host_detection_gives_cores_clock_and_fp32_peak),
		cmocka_unit_test(measured_clock_is_plausible_and_repeats),
		cmocka_unit_test(host_yaml_round_trips_through_the_parser),
		cmocka_unit_test_setup(registry_json_lists_every_platform_with_the_contract_fields, reset_env),
		cmocka_unit_test_setup(show_json_and_yaml_describe_one_platform, reset_env),
		cmocka_unit_test(names_of_precisions_and_classes_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
