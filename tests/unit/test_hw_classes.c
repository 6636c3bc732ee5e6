/* Class defaults of the estimator (hardware/classes/<class>.yaml): every shipped platform gets
 * every parameter, a platform's own keys win and are told apart in `hw show`, user folders may
 * replace a class file, and bad class files or estimator sections are reported with file and
 * key. */
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
#include <sys/stat.h>
#include <unistd.h>

#include "graphs/hw.h"
#include "hardware/hw_json.h"

#define HW_DIR GRAPHS_SOURCE_DIR "/hardware"
#define FIX_DIR GRAPHS_SOURCE_DIR "/tests/fixtures/hw"

typedef struct problems {
	int errors, warnings;
	char text[16384];
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

static gr_hw_registry *load(const char *builtin, const char *user_path)
{
	gr_hw_registry *r = NULL;
	gr_error err = {0};
	if (user_path)
		assert_int_equal(setenv("GRAPHS_HARDWARE_PATH", user_path, 1), 0);
	else
		unsetenv("GRAPHS_HARDWARE_PATH");
	if (gr_hw_registry_load(builtin, &r, &err))
		print_error("%s\n", err.msg);
	unsetenv("GRAPHS_HARDWARE_PATH");
	assert_non_null(r);
	return r;
}

/* A fresh folder under /tmp with the file name (may hold a subfolder) written from text. */
static void write_file(const char *dir, const char *name, const char *text)
{
	char path[1200];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* hw as registry YAML, with extra appended (an estimator section). */
static void write_platform(const char *dir, const gr_hw *hw, const char *extra)
{
	char path[512];
	gr_error err = {0};
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s.yaml", dir, gr_hw_id(hw));
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(gr_hw_write_yaml(hw, f, &err), GR_OK);
	if (extra)
		fputs(extra, f);
	fclose(f);
}

static void remove_tree(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void every_shipped_platform_gets_every_parameter(void **state)
{
	gr_hw_registry *r = load(HW_DIR, NULL);
	gr_hw_estimator ep;
	char why[512];
	(void)state;

	for (size_t i = 0; i < gr_hw_registry_count(r); i++) {
		const gr_hw *hw = gr_hw_registry_at(r, i);
		gr_hw_class c = gr_hw_get_class(hw);
		if (gr_hw_estimator_params(hw, &ep, why, sizeof(why)))
			fail_msg("%s: %s", gr_hw_id(hw), why);
		for (int k = 0; k < GR_HW_KERNEL_CLASS_COUNT; k++)
			assert_true(ep.efficiency[k] > 0 && ep.efficiency[k] <= 1);
		assert_true(ep.mem_eff_dram > 0 && ep.mem_eff_cache > 0);
		assert_true(ep.kernel_launch_us >= 0 && ep.dispatch_us > 0);
		assert_true(ep.host_gflops > 0 && ep.host_bandwidth_gbps > 0 && ep.host_link_gbps > 0);
		assert_true(ep.on_chip_ops_per_byte > 0 && ep.pj_per_byte_dram > 0);
		assert_true(c != GR_HW_GPU || (ep.tile_m > 0 && ep.tile_n > 0));
		assert_true(c != GR_HW_TPU || (ep.array_rows > 0 && ep.array_cols > 0));
	}
	/* the defaults that were C constants before */
	assert_int_equal(gr_hw_estimator_params(gr_hw_registry_find(r, "nvidia_t4"), &ep, NULL, 0), 0);
	assert_int_equal(ep.tile_m, 128);
	assert_int_equal(ep.tile_n, 64);
	assert_true(ep.fill_per_unit && ep.fill_all_kernels);
	assert_int_equal(gr_hw_estimator_params(gr_hw_registry_find(r, "google_tpu_v4"), &ep, NULL, 0), 0);
	assert_int_equal(ep.array_rows, 128);
	assert_true(ep.efficiency[0] == 0.85 && !ep.fill_all_kernels);
	gr_hw_registry_free(r);
}

static void own_keys_win_and_show_marks_the_class_ones(void **state)
{
	gr_hw_registry *base = load(HW_DIR, NULL), *r;
	char dir[] = "/tmp/graphs_classesXXXXXX", *buf = NULL;
	const gr_hw *hw;
	gr_hw_estimator ep;
	gr_error err = {0};
	size_t len = 0;
	cJSON *o, *keys, *x;
	FILE *f;
	int conv_listed = 0;
	(void)state;

	assert_non_null(mkdtemp(dir));
	write_platform(dir, gr_hw_registry_find(base, "mediatek_apu"),
		       "estimator:\n  efficiency: {conv: 0.9}\n  fallback_host: {peak_gflops: 200}\n");
	r = load(HW_DIR, dir);
	hw = gr_hw_registry_find(r, "mediatek_apu");
	assert_int_equal(gr_hw_estimator_params(hw, &ep, NULL, 0), 0);
	assert_true(ep.efficiency[0] == 0.9 && ep.host_gflops == 200);
	assert_true(ep.efficiency[1] == 0.25); /* dwconv: still the npu default */
	assert_int_equal(gr_hw_estimator_from_class(hw, "estimator.efficiency.conv"), 0);
	assert_int_equal(gr_hw_estimator_from_class(hw, "estimator.efficiency.dwconv"), 1);
	assert_int_equal(gr_hw_estimator_from_class(hw, "overheads.dispatch_us"), 0);
	assert_int_equal(gr_hw_estimator_from_class(hw, "estimator.no_such_key"), -1);

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(gr_hw_show_yaml(hw, f, &err), GR_OK);
	fclose(f);
	assert_non_null(strstr(buf, "classes/npu.yaml"));
	assert_non_null(strstr(buf, "    conv: 0.9\n"));
	assert_non_null(strstr(buf, "    dwconv: 0.25  # class\n"));
	free(buf);

	o = gr_hw_to_json(hw);
	assert_non_null(o);
	keys = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "class_defaults"), "keys");
	assert_true(cJSON_IsArray(keys) && cJSON_GetArraySize(keys) > 20);
	cJSON_ArrayForEach(x, keys)
		if (!strcmp(cJSON_GetStringValue(x), "estimator.efficiency.conv"))
			conv_listed = 1;
	assert_false(conv_listed);
	x = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "estimator"), "efficiency"), "conv");
	assert_true(cJSON_IsNumber(x) && x->valuedouble == 0.9);
	cJSON_Delete(o);

	/* the file a platform is saved to keeps only its own keys: it follows its class */
	f = open_memstream(&buf, &len);
	assert_int_equal(gr_hw_write_yaml(hw, f, &err), GR_OK);
	fclose(f);
	assert_non_null(strstr(buf, "conv: 0.9"));
	assert_null(strstr(buf, "dwconv"));
	free(buf);
	gr_hw_registry_free(r);
	gr_hw_registry_free(base);
	remove_tree(dir);
}

static void a_user_class_file_replaces_the_builtin_one(void **state)
{
	char dir[] = "/tmp/graphs_classesXXXXXX", sub[600], *text;
	gr_hw_registry *r;
	gr_hw_estimator ep;
	FILE *f;
	long n;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/classes", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	/* the built-in npu defaults with another fallback host */
	f = fopen(HW_DIR "/classes/npu.yaml", "r");
	assert_non_null(f);
	text = calloc(1, 65536);
	n = (long)fread(text, 1, 65535, f);
	fclose(f);
	assert_true(n > 0);
	assert_non_null(strstr(text, "peak_gflops: 50"));
	memcpy(strstr(text, "peak_gflops: 50"), "peak_gflops: 75", 15);
	write_file(sub, "npu.yaml", text);
	free(text);

	r = load(HW_DIR, dir);
	assert_int_equal(gr_hw_estimator_params(gr_hw_registry_find(r, "hailo8"), &ep, NULL, 0), 0);
	assert_true(ep.host_gflops == 75);
	assert_int_equal(gr_hw_estimator_params(gr_hw_registry_find(r, "nvidia_t4"), &ep, NULL, 0), 0);
	assert_true(ep.host_gflops == 50);
	gr_hw_registry_free(r);

	/* a broken user class file is left out: the built-in defaults stay in force */
	r = load(HW_DIR, FIX_DIR "/classes_broken");
	assert_int_equal(gr_hw_estimator_params(gr_hw_registry_find(r, "google_coral_edge_tpu"), &ep, NULL, 0), 0);
	assert_true(ep.fill_half_flops == 5e7);
	gr_hw_registry_free(r);
	remove_tree(dir);
}

static void a_builtin_folder_without_class_defaults_does_not_load(void **state)
{
	gr_hw_registry *base = load(HW_DIR, NULL), *r = NULL;
	char dir[] = "/tmp/graphs_classesXXXXXX", path[600];
	gr_error err = {0};
	gr_hw_estimator ep;
	gr_hw *hw = NULL;
	problems ps;
	(void)state;

	assert_non_null(mkdtemp(dir));
	write_platform(dir, gr_hw_registry_find(base, "hailo8"), NULL);
	unsetenv("GRAPHS_HARDWARE_PATH");
	assert_int_equal(gr_hw_registry_load(dir, &r, &err), GR_ERR_FORMAT);
	assert_null(r);
	assert_non_null(strstr(err.msg, "classes/npu.yaml"));
	memset(&ps, 0, sizeof(ps));
	gr_hw_validate_registry_path(dir, collect, &ps);
	assert_true(ps.errors >= 1);
	assert_non_null(strstr(ps.text, "no class defaults for class 'npu'"));

	/* a platform loaded on its own has no class: the estimator is told which file is missing */
	snprintf(path, sizeof(path), "%s/hailo8.yaml", dir);
	assert_int_equal(gr_hw_load_file(path, &hw, &err), GR_OK);
	assert_int_equal(gr_hw_estimator_params(hw, &ep, path, sizeof(path)), -1);
	assert_non_null(strstr(path, "hardware/classes/npu.yaml"));
	gr_hw_free(hw);
	gr_hw_registry_free(base);
	remove_tree(dir);
}

static void bad_class_files_and_sections_name_file_and_key(void **state)
{
	problems ps;
	(void)state;

	memset(&ps, 0, sizeof(ps));
	gr_hw_validate_path(FIX_DIR "/classes_broken", collect, &ps);
	assert_true(ps.errors >= 3);
	assert_non_null(strstr(ps.text, "classes/npu.yaml:2: key 'estimator.fill.half_flops': required key is missing"));
	assert_non_null(strstr(ps.text, "classes/tpu.yaml:3: key 'overheads.kernel_launch_us': expected a non-negative number"));
	assert_non_null(strstr(ps.text, "classes/tpu.yaml:7: key 'estimator.fill.per_unit': expected true or false"));
	/* a bad key is reported once, not also as missing */
	assert_null(strstr(ps.text, "tpu.yaml:2: key 'estimator.fill.per_unit'"));

	memset(&ps, 0, sizeof(ps));
	gr_hw_validate_path(FIX_DIR "/broken/bad_estimator.yaml", collect, &ps);
	assert_int_equal(ps.errors, 3);
	assert_non_null(strstr(ps.text, "bad_estimator.yaml:15: key 'estimator.efficiency.conv': 1.5 is out of range (at most 1)"));
	assert_non_null(strstr(ps.text, "key 'estimator.tile.m': expected a positive integer, found 0"));
	assert_non_null(strstr(ps.text, "key 'estimator.fill.kernels': expected 'matrix' or 'all'"));
	assert_non_null(strstr(ps.text, "key 'estimator.fill.half_flop': unknown key"));

	/* the shipped class files are clean */
	memset(&ps, 0, sizeof(ps));
	gr_hw_validate_path(HW_DIR "/classes", collect, &ps);
	if (ps.errors + ps.warnings)
		print_error("%s", ps.text);
	assert_int_equal(ps.errors + ps.warnings, 0);
}

static void a_fallback_platform_is_resolved_in_the_registry(void **state)
{
	gr_hw_registry *r = load(HW_DIR, NULL);
	const gr_hw *dla = gr_hw_registry_find(r, "nvidia_dla_orin");
	(void)state;

	assert_string_equal(gr_hw_fallback(dla), "jetson_orin_agx_gpu");
	assert_ptr_equal(gr_hw_fallback_platform(dla), gr_hw_registry_find(r, "jetson_orin_agx_gpu"));
	assert_null(gr_hw_fallback_platform(gr_hw_registry_find(r, "hailo8"))); /* host_cpu */
	gr_hw_registry_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_shipped_platform_gets_every_parameter),
		cmocka_unit_test(own_keys_win_and_show_marks_the_class_ones),
		cmocka_unit_test(a_user_class_file_replaces_the_builtin_one),
		cmocka_unit_test(a_builtin_folder_without_class_defaults_does_not_load),
		cmocka_unit_test(bad_class_files_and_sections_name_file_and_key),
		cmocka_unit_test(a_fallback_platform_is_resolved_in_the_registry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
