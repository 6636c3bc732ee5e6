/* Calibration profiles are read against their schema: each bad value (wrong type, out of range,
 * not finite, inverted range, a count that is no whole number) fails the load with
 * "FILE: key 'KEY': ..." and GR_ERR_FORMAT, where it used to load and give wrong estimates
 * (negative energies, "inf ms", a string coefficient read as 0 and reported calibrated). Every
 * case starts from the shipped i7 profile and changes one key. The shipped profiles load. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "graphs/calibrate.h"
#include "calibration/profile_json.h"

#define CALIB_DIR GRAPHS_SOURCE_DIR "/calibration"
#define I7_PROFILE CALIB_DIR "/intel_core_i7_12700k/default/pytorch.json"

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/graphs_test_profile_XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static cJSON *read_json(const char *path)
{
	FILE *f = fopen(path, "rb");
	char buf[1 << 16];
	size_t n;
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return cJSON_Parse(buf);
}

/* The object holding the last part of dotted key, creating missing objects on the way. */
static cJSON *parent_of(cJSON *root, const char *key, char *last, size_t size)
{
	char buf[256], *s = buf, *dot;
	cJSON *o = root;
	snprintf(buf, sizeof(buf), "%s", key);
	while ((dot = strchr(s, '.'))) {
		cJSON *next;
		*dot = 0;
		next = cJSON_GetObjectItemCaseSensitive(o, s);
		if (!next)
			next = cJSON_AddObjectToObject(o, s);
		o = next;
		s = dot + 1;
	}
	/* keys are short; a longer last part is cut (and the test then fails on it) */
	size_t n = strlen(s) < size - 1 ? strlen(s) : size - 1;
	memcpy(last, s, n);
	last[n] = 0;
	return o;
}

/* The shipped i7 profile with key set to json (NULL: removed), written to a new file. */
static const char *mutated(const char *name, const char *key, const char *json)
{
	static char path[512];
	cJSON *root = read_json(I7_PROFILE), *o;
	char last[64], *text;
	FILE *f;

	assert_non_null(root);
	o = parent_of(root, key, last, sizeof(last));
	assert_non_null(o);
	if (json) {
		cJSON *v = cJSON_Parse(json);
		assert_non_null(v);
		if (cJSON_GetObjectItemCaseSensitive(o, last))
			cJSON_ReplaceItemInObjectCaseSensitive(o, last, v);
		else
			cJSON_AddItemToObject(o, last, v);
	} else {
		cJSON_DeleteItemFromObjectCaseSensitive(o, last);
	}
	text = cJSON_Print(root);
	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	cJSON_free(text);
	cJSON_Delete(root);
	return path;
}

/* Loading path must fail with "PATH: key 'KEY': ..." (and, when want is given, that text). */
static void expect_rejected_at(const char *path, const char *key, const char *want)
{
	gr_profile *p = NULL;
	gr_error err = {0};
	char prefix[700];

	snprintf(prefix, sizeof(prefix), "%s: key '%s': ", path, key);
	if (gr_profile_load(path, &p, &err) == GR_OK) {
		gr_profile_free(p);
		fail_msg("%s loaded; expected an error at key '%s'", path, key);
	}
	assert_null(p);
	assert_int_equal(err.status, GR_ERR_FORMAT);
	if (strncmp(err.msg, prefix, strlen(prefix)))
		fail_msg("got \"%s\", want it to start with \"%s\"", err.msg, prefix);
	if (want && !strstr(err.msg, want))
		fail_msg("got \"%s\", want it to say \"%s\"", err.msg, want);
}

static void expect_rejected(const char *name, const char *key, const char *json, const char *want)
{
	expect_rejected_at(mutated(name, key, json), key, want);
}

#define FP32 "precisions.fp32."
#define CONV FP32 "classes.conv."

static void negative_energy_coefficients_are_rejected(void **state)
{
	(void)state;
	/* used to give an energy of -3.6e6 mJ */
	expect_rejected_at(mutated("neg_pj", FP32 "energy", "{\"pj_per_flop\": -5, \"pj_per_byte\": 1, \"static_w\": 1}"),
			   FP32 "energy.pj_per_flop", "expected a number in [0, ");
	expect_rejected_at(mutated("neg_w", FP32 "energy", "{\"pj_per_flop\": 1, \"pj_per_byte\": 1, \"static_w\": -40}"),
			   FP32 "energy.static_w", NULL);
	expect_rejected_at(mutated("str_pj", FP32 "energy", "{\"pj_per_flop\": 1, \"pj_per_byte\": \"1\", \"static_w\": 1}"),
			   FP32 "energy.pj_per_byte", "expected a number, got a string");
}

static void huge_coefficients_are_rejected(void **state)
{
	(void)state;
	/* 1e300 s/FLOP used to give "inf ms" */
	expect_rejected("huge_flop", CONV "coef.s_per_flop", "1e300", "got 1e+300");
	expect_rejected("huge_kernel", FP32 "platform.kernel_s", "1e300", NULL);
	expect_rejected("neg_context", FP32 "platform.context_bytes", "-1", NULL);
	expect_rejected("neg_layers", FP32 "platform.context_layers", "-1", NULL);
	expect_rejected("huge_layer_s", FP32 "platform.context_layer_s", "1e300", NULL);
	expect_rejected("neg_fill", FP32 "platform.context_fill", "-1", NULL);
	expect_rejected("huge_frame", FP32 "platform.frame_s", "1e300", NULL);
	expect_rejected_at(mutated("huge_pj", FP32 "energy", "{\"pj_per_flop\": 1e300, \"pj_per_byte\": 1, \"static_w\": 1}"),
			   FP32 "energy.pj_per_flop", NULL);
	/* numbers beyond a double parse as inf */
	expect_rejected("inf_op", CONV "coef.op_s", "1e999", NULL);
}

static void string_and_missing_coefficients_are_rejected(void **state)
{
	(void)state;
	/* a string used to read as 0 and report "calibrated 100%" */
	expect_rejected("str_coef", CONV "coef.s_per_flop", "\"fast\"", "expected a number, got a string");
	expect_rejected("null_coef", CONV "coef.op_s", "null", "got null");
	expect_rejected("missing_coef", CONV "coef.s_per_byte", NULL, "missing");
	expect_rejected("str_platform", FP32 "platform.call_s", "\"2e-6\"", "got a string");
	expect_rejected("missing_platform", FP32 "platform.spill_s_per_byte", NULL, "missing");
	expect_rejected("obj_class", CONV "coef", "[1, 2]", "expected an object, got an array");
	expect_rejected("missing_par", "precisions.fp16.classes.conv.coef.par8_s_per_flop", NULL, "missing");
	expect_rejected("str_emulated", FP32 "emulated", "\"yes\"", "expected true or false");
}

static void bad_bytes_per_element_is_rejected(void **state)
{
	(void)state;
	expect_rejected("bpe_neg", FP32 "bytes_per_element", "-4", NULL);
	expect_rejected("bpe_zero", FP32 "bytes_per_element", "0", NULL);
	expect_rejected("bpe_str", FP32 "bytes_per_element", "\"4\"", NULL);
}

static void negative_llc_bytes_are_rejected(void **state)
{
	(void)state;
	expect_rejected("llc_neg", FP32 "llc_bytes", "-26214400", NULL);
	expect_rejected("llc_huge", FP32 "llc_bytes", "1e200", NULL);
}

static void inverted_ranges_are_rejected(void **state)
{
	(void)state;
	expect_rejected("batch_inv", CONV "batch", "[64, 1]", "low 64 is above high 1");
	expect_rejected("pbatch_inv", FP32 "batch", "[64, 1]", "low 64 is above high 1");
	expect_rejected("flops_inv", CONV "flops", "[1e9, 10]", "above");
	expect_rejected("bytes_neg", CONV "bytes", "[-5, 10]", NULL);
	expect_rejected("batch_frac", CONV "batch", "[1, 2.5]", "whole numbers");
	expect_rejected("batch_zero", CONV "batch", "[0, 4]", NULL);
	expect_rejected("batch_three", CONV "batch", "[1, 2, 3]", "expected [low, high]");
}

static void counts_that_do_not_fit_an_int_are_rejected(void **state)
{
	(void)state;
	/* (int)5.4e10 was undefined behaviour */
	expect_rejected("points_huge", CONV "points", "5.4e10", NULL);
	expect_rejected("points_frac", CONV "points", "5.5", "whole number");
	expect_rejected("points_neg", CONV "points", "-1", NULL);
	expect_rejected("rows_huge", CONV "rows", "1e300", NULL);
	expect_rejected("qrows_huge", FP32 "quality.rows", "1e20", NULL);
	expect_rejected("prov_rows", "provenance.rows", "1e20", NULL);
	expect_rejected("threads", "provenance.conditions.threads", "1e20", NULL);
	expect_rejected("version_huge", "version", "1e300", NULL);
	expect_rejected("version_two", "version", "2", "not supported");
}

static void bad_keys_and_strings_are_rejected(void **state)
{
	char name[300];
	(void)state;
	expect_rejected("unknown_prec", "precisions.fp33", "{}", "unknown precision");
	expect_rejected("unknown_class", FP32 "classes.convolution", "{}", "unknown op class");
	/* a term this reader does not know would be dropped and the estimate differ: refused */
	expect_rejected("unknown_coef", CONV "coef.s_per_photon", "1e-12", "unknown key");
	expect_rejected("unknown_glob", FP32 "platform.conv_algorithm_scale", "{\"im2col\": 2.3}",
			"unknown key");
	expect_rejected_at(mutated("unknown_kg", FP32 "platform.kernel_groups",
				   "{\"matrix\": 1e-6, \"dwconv\": 1e-6, \"vector\": 1e-6, \"concat\": 1e-6, "
				   "\"layout\": 1e-6, \"copy\": 1e-6, \"warp\": 1e-6}"),
			   FP32 "platform.kernel_groups.warp", "unknown key");
	expect_rejected("hw_num", "hardware", "5", "expected a string, got a number");
	expect_rejected("hw_empty", "hardware", "\"\"", "empty");
	expect_rejected("runtime_missing", "runtime", NULL, "missing");
	memset(name, 'x', sizeof(name));
	name[0] = name[sizeof(name) - 1] = '"';
	name[sizeof(name) - 2] = 0;
	name[sizeof(name) - 3] = '"';
	expect_rejected("hw_long", "hardware", name, "longer than");
	expect_rejected("classes_missing", FP32 "classes", NULL, "missing");
	expect_rejected("r2_big", FP32 "quality.r2_log", "3", NULL);
	expect_rejected("ape_neg", CONV "median_ape", "-0.5", NULL);
	expect_rejected("mode_num", "mode", "30", NULL);
}

/* Duplicate keys cannot be made with the mutation helper: written by hand. */
static void duplicate_precisions_are_rejected(void **state)
{
	static const char plat[] = "\"platform\": {\"spill_s_per_byte\": 0, \"kernel_s\": 0, \"row_s\": 0, "
				   "\"weight_spill_s_per_byte\": 0, \"output_s_per_byte\": 0, \"call_s\": 0}, \"classes\": {}";
	char path[512], text[1024];
	FILE *f;
	(void)state;
	snprintf(path, sizeof(path), "%s/dup.json", dir);
	snprintf(text, sizeof(text), "{\"format\": \"graphs-calibration-profile\", \"version\": 1, \"hardware\": \"x\", "
		 "\"runtime\": \"pytorch\", \"precisions\": {\"fp32\": {%s}, \"fp32\": {%s}}}", plat, plat);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	expect_rejected_at(path, "precisions.fp32", "given twice");
}

/* Every shipped profile loads, and what it says survives a save and a load. */
static void shipped_profiles_load_and_round_trip(void **state)
{
	static const char *const files[] = {
		"intel_core_i7_12700k/default/pytorch", "jetson_orin_agx_gpu/15w/pytorch",
		"jetson_orin_agx_gpu/30w/pytorch", "jetson_orin_agx_gpu/50w/pytorch",
		"jetson_orin_agx_gpu/maxn/pytorch",
		"hailo8/default/hailo_dfc"}; /* dataflow: frame_s, context_bytes, context_s */
	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[600], copy[600];
		gr_profile *p = NULL, *q = NULL;
		gr_error err = {0};
		cJSON *a, *b;
		char *sa, *sb;
		snprintf(path, sizeof(path), "%s/%s.json", CALIB_DIR, files[i]);
		snprintf(copy, sizeof(copy), "%s/copy%zu.json", dir, i);
		if (gr_profile_load(path, &p, &err))
			fail_msg("%s", err.msg);
		assert_int_equal(gr_profile_save(p, copy, &err), GR_OK);
		assert_int_equal(gr_profile_load(copy, &q, &err), GR_OK);
		a = gr_profile_to_json(p);
		b = gr_profile_to_json(q);
		sa = cJSON_PrintUnformatted(a);
		sb = cJSON_PrintUnformatted(b);
		assert_string_equal(sa, sb);
		cJSON_free(sa);
		cJSON_free(sb);
		cJSON_Delete(a);
		cJSON_Delete(b);
		gr_profile_free(p);
		gr_profile_free(q);
	}
}

/* Found by fuzzing: a profile without batch ranges loaded, but was written back with [0, 0],
 * which its own reader rejects. What loads must write back to something that loads. */
static void profiles_without_batch_ranges_round_trip(void **state)
{
	const char *path;
	gr_profile *p = NULL, *q = NULL;
	gr_error err = {0};
	cJSON *a;
	char *sa;
	cJSON *root;
	(void)state;
	/* the class range first, then the precision's, removed from the same file */
	path = mutated("nobatch", CONV "batch", NULL);
	root = read_json(path);
	cJSON_DeleteItemFromObjectCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "precisions"), "fp32"), "batch");
	sa = cJSON_Print(root);
	{
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(sa, f);
		fclose(f);
	}
	cJSON_free(sa);
	cJSON_Delete(root);
	if (gr_profile_load(path, &p, &err))
		fail_msg("%s", err.msg);
	a = gr_profile_to_json(p);
	sa = cJSON_PrintUnformatted(a);
	if (gr_profile_load_mem(sa, strlen(sa), "again.json", &q, &err))
		fail_msg("written back, it does not load: %s", err.msg);
	cJSON_free(sa);
	cJSON_Delete(a);
	gr_profile_free(p);
	gr_profile_free(q);
}

/* What cmd_calibrate shows comes through the accessors. */
static void accessors_give_the_fit(void **state)
{
	gr_profile *p = NULL;
	gr_error err = {0};
	gr_fit_precision fp;
	gr_fit_class fc;
	(void)state;
	assert_int_equal(gr_profile_load(I7_PROFILE, &p, &err), GR_OK);
	assert_int_equal(gr_profile_precision_info(p, GR_PREC_FP32, &fp), GR_OK);
	assert_true(fp.subgraph_rows > 1000 && fp.model_rows > 10 && !fp.emulated && fp.llc_bytes > 1e6);
	assert_true(fp.kernel_s > 0 && strstr(fp.models, "resnet50"));
	assert_int_equal(gr_profile_precision_info(p, GR_PREC_FP16, &fp), GR_OK);
	assert_true(fp.emulated);
	assert_int_equal(gr_profile_precision_info(p, GR_PREC_INT8, &fp), GR_ERR_NOT_FOUND);
	assert_int_equal(gr_profile_class_info(p, GR_PREC_FP32, GR_KC_CONV, &fc), GR_OK);
	assert_true(fc.points > 100 && fc.op_s > 0 && fc.s_per_flop > 0);
	assert_int_equal(gr_profile_class_info(p, GR_PREC_FP32, GR_OP_CLASS_VIEW, &fc), GR_OK);
	assert_int_equal(gr_profile_class_info(p, GR_PREC_FP32, GR_KC_ATTENTION, &fc), GR_ERR_NOT_FOUND);
	assert_int_equal(gr_profile_class_info(p, GR_PREC_FP32, GR_OP_CLASS_COUNT, &fc), GR_ERR_NOT_FOUND);
	assert_true(gr_profile_total_rows(p) > 1000);
	assert_non_null(strstr(gr_profile_sources(p), "models.csv"));
	assert_string_equal(gr_op_class_name(GR_OP_CLASS_GLOBAL_POOL), "global_pool");
	assert_string_equal(gr_op_class_name(GR_KC_CONV), "conv");
	assert_string_equal(gr_op_class_name(GR_OP_CLASS_COUNT), "?");
	gr_profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(negative_energy_coefficients_are_rejected),
		cmocka_unit_test(huge_coefficients_are_rejected),
		cmocka_unit_test(string_and_missing_coefficients_are_rejected),
		cmocka_unit_test(bad_bytes_per_element_is_rejected),
		cmocka_unit_test(negative_llc_bytes_are_rejected),
		cmocka_unit_test(inverted_ranges_are_rejected),
		cmocka_unit_test(counts_that_do_not_fit_an_int_are_rejected),
		cmocka_unit_test(bad_keys_and_strings_are_rejected),
		cmocka_unit_test(duplicate_precisions_are_rejected),
		cmocka_unit_test(shipped_profiles_load_and_round_trip),
		cmocka_unit_test(profiles_without_batch_ranges_round_trip),
		cmocka_unit_test(accessors_give_the_fit),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
