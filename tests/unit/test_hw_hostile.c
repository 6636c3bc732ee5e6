/* Hostile registry input (issue #15): YAML that would make libyaml's document loader take
 * minutes (deep nesting), aliases, FIFOs named *.yaml, and user folders whose entries shadow
 * shipped platforms or do not load. Files are generated in a temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graphs/hw.h"

#ifndef GRAPHS_SOURCE_DIR
#define GRAPHS_SOURCE_DIR "."
#endif
#define HW_DIR GRAPHS_SOURCE_DIR "/hardware"

/* --- helpers ---------------------------------------------------------------------------- */

static char tmpdir[256];
static char logged[16384]; /* warnings from gr_log_warn, one per line */

static void capture_log(int level, const char *msg, void *user)
{
	size_t len = strlen(logged);
	(void)level;
	(void)user;
	if (len + strlen(msg) + 2 < sizeof(logged))
		snprintf(logged + len, sizeof(logged) - len, "%s\n", msg);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/graphs_hw_hostile.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	logged[0] = 0;
	gr_log_set(capture_log, NULL);
	unsetenv("GRAPHS_HARDWARE_PATH");
	return 0;
}

static int teardown(void **state)
{
	char cmd[512];
	(void)state;
	gr_log_set(NULL, NULL);
	unsetenv("GRAPHS_HARDWARE_PATH");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Writes text (n bytes; n = 0: strlen) to tmpdir/name and returns the path in a static slot. */
static const char *put(const char *name, const char *text, size_t n)
{
	static char paths[8][512];
	static int next;
	char *path = paths[next++ % 8];
	FILE *f;

	snprintf(path, 512, "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n ? n : strlen(text), f), n ? n : strlen(text));
	assert_int_equal(fclose(f), 0);
	return path;
}

/* n copies of open, then n copies of close (close may be 0). */
static char *nesting(size_t n, char open, char close)
{
	char *s = malloc(2 * n + 1);
	assert_non_null(s);
	memset(s, open, n);
	memset(s + n, close ? close : ' ', n);
	s[2 * n] = 0;
	if (!close)
		s[n] = 0;
	return s;
}

typedef struct problems {
	int errors, warnings;
	char text[8192];
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

/* Loads one file and expects an error holding every one of the words (NULL-terminated). */
static void expect_load_error(const char *path, ...)
{
	gr_hw *hw = NULL;
	gr_error err;
	va_list ap;
	const char *w;

	memset(&err, 0, sizeof(err));
	assert_int_equal(gr_hw_load_file(path, &hw, &err), GR_ERR_FORMAT);
	assert_null(hw);
	va_start(ap, path);
	while ((w = va_arg(ap, const char *)))
		if (!strstr(err.msg, w)) {
			print_error("expected '%s' in: %s\n", w, err.msg);
			fail();
		}
	va_end(ap);
}

/* A valid T4 entry whose fp32 peak is given as fp32 (with or without its engines). */
static const char *t4_file(const char *dir, const char *fp32, int engines)
{
	char text[2048], name[300];
	snprintf(text, sizeof(text),
		 "id: nvidia_t4\n"
		 "name: NVIDIA T4 (edited copy)\n"
		 "vendor: NVIDIA\n"
		 "class: gpu\n"
		 "compute:\n"
		 "  units: 40\n"
		 "  clock_mhz: {boost: 1590}\n"
		 "%s"
		 "peak_tops: {fp32: %s, fp16: 65, int8: 130}\n"
		 "memory:\n"
		 "  - {level: dram, type: gddr6, size_bytes: 17179869184, bandwidth_gbps: 320, "
		 "bus_width_bits: 256}\n"
		 "power: {tdp_w: 70}\n"
		 "precisions: {native: [fp32, fp16, int8]}\n"
		 "sources: [https://example.org/t4]\n",
		 engines ? "  engines:\n"
			   "    - {name: tensor_core, precisions: {fp16: 1024, int8: 2048}}\n"
			   "    - {name: cuda_core, precisions: {fp32: 128}}\n"
			 : "",
		 fp32);
	snprintf(name, sizeof(name), "%s/nvidia_t4.yaml", dir);
	return put(name, text, 0);
}

static void make_dir(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void set_path(const char *dirs)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s/%s", tmpdir, dirs);
	assert_int_equal(setenv("GRAPHS_HARDWARE_PATH", buf, 1), 0);
}

/* --- YAML bounded before it is parsed ---------------------------------------------------- */

/* 1,000,000 '[' did not finish in 400 s: libyaml's loader is quadratic in the depth. */
static void a_1mb_nesting_file_is_rejected_before_parsing(void **state)
{
	char *s = nesting(1000000, '[', 0);
	const char *path = put("deep_1mb.yaml", s, 1000000);
	(void)state;
	free(s);
	expect_load_error(path, "deep_1mb.yaml", "larger than", NULL);
}

/* 100k '[' then 100k ']' (200 KB, 24 s of CPU before): refused at the 33rd level. */
static void deep_flow_nesting_is_rejected_at_the_limit_with_its_line(void **state)
{
	char *s = nesting(100000, '[', ']');
	const char *path = put("deep_flow.yaml", s, 200000);
	(void)state;
	free(s);
	expect_load_error(path, "deep_flow.yaml:1:", "nested deeper than 32 levels", NULL);
}

static void deep_block_nesting_is_rejected_naming_the_line(void **state)
{
	char text[65536];
	size_t len = 0;
	const char *path;
	int i;
	(void)state;

	len += (size_t)snprintf(text, sizeof(text), "id: deep\n");
	for (i = 0; i < 100; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%*sk%d:\n", 2 * i, "", i);
	path = put("deep_block.yaml", text, len);
	/* the root mapping is level 1; k31's value, which starts at k32 (line 34), is level 33 */
	expect_load_error(path, "deep_block.yaml:34:", "nested deeper than 32 levels", NULL);
}

static void many_nodes_are_rejected(void **state)
{
	static char text[200000];
	size_t len = 0;
	const char *path;
	(void)state;

	len += (size_t)snprintf(text, sizeof(text), "id: many\nsources: [");
	while (len < sizeof(text) - 8)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "a,");
	text[len++] = ']';
	path = put("many.yaml", text, len);
	expect_load_error(path, "many.yaml:2:", "more than 20000 YAML nodes", NULL);
}

static void aliases_are_rejected(void **state)
{
	const char *path = put("alias.yaml", "id: &a x\nname: *a\nvendor: v\n", 0);
	(void)state;
	expect_load_error(path, "alias.yaml:2:", "aliases", NULL);
}

/* A FIFO named *.yaml would block the reader for ever. */
static void a_fifo_is_not_read(void **state)
{
	char path[512];
	problems ps;
	(void)state;

	snprintf(path, sizeof(path), "%s/fifo.yaml", tmpdir);
	assert_int_equal(mkfifo(path, 0644), 0);
	memset(&ps, 0, sizeof(ps));
	assert_true(gr_hw_validate_path(path, collect, &ps) >= 1);
	assert_int_equal(ps.errors, 1);
	assert_non_null(strstr(ps.text, "fifo.yaml: not a regular file"));
}

/* --- user folders ------------------------------------------------------------------------ */

/* An edited copy of a shipped entry with 1000x its fp32 peak used to replace the shipped
 * platform silently. Now it is checked like any entry: inconsistent, so nvidia_t4 cannot be
 * used (not even the shipped one it hides), the warning names both files, and every other
 * platform still resolves. */
static void a_user_copy_with_an_absurd_peak_makes_its_id_unusable(void **state)
{
	gr_hw_registry *r = NULL;
	const gr_hw *hw = NULL;
	int mode;
	gr_error err;
	(void)state;

	make_dir("u");
	t4_file("u", "8100", 1);
	set_path("u");
	memset(&err, 0, sizeof(err));
	assert_int_equal(gr_hw_registry_load(HW_DIR, &r, &err), GR_OK);
	assert_null(gr_hw_registry_find(r, "nvidia_t4"));
	assert_int_equal(gr_hw_registry_resolve(r, "nvidia_t4", &hw, &mode, &err), GR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "u/nvidia_t4.yaml"));
	assert_non_null(strstr(err.msg, "peak_tops.fp32"));
	assert_non_null(strstr(logged, "u/nvidia_t4.yaml"));
	assert_non_null(strstr(logged, "hardware/gpu/nvidia_t4.yaml"));
	assert_int_equal(gr_hw_registry_resolve(r, "nvidia_l4", &hw, &mode, &err), GR_OK);
	gr_hw_registry_free(r);
}

/* Without engines the peak cannot be checked: the entry is used, but the shadowing is
 * announced naming both files and the peak that changed. */
static void a_user_entry_shadowing_a_shipped_one_is_announced(void **state)
{
	gr_hw_registry *r = NULL;
	const gr_hw *hw;
	gr_error err;
	(void)state;

	make_dir("u");
	t4_file("u", "8100", 0);
	set_path("u");
	assert_int_equal(gr_hw_registry_load(HW_DIR, &r, &err), GR_OK);
	hw = gr_hw_registry_find(r, "nvidia_t4");
	assert_non_null(hw);
	assert_non_null(strstr(gr_hw_path(hw), "u/nvidia_t4.yaml"));
	assert_non_null(strstr(logged, "u/nvidia_t4.yaml' replaces platform 'nvidia_t4' of '"));
	assert_non_null(strstr(logged, "hardware/gpu/nvidia_t4.yaml"));
	assert_non_null(strstr(logged, "fp32 peak 8100 vs 8.1"));
	gr_hw_registry_free(r);
}

/* A file that is not even YAML: its id is taken from the file name. */
static void a_broken_user_file_affects_only_its_platform(void **state)
{
	gr_hw_registry *r = NULL;
	const gr_hw *hw = NULL;
	int mode;
	gr_error err;
	char *deep = nesting(100000, '[', ']');
	(void)state;

	make_dir("u");
	put("u/my_npu.yaml", deep, 200000);
	free(deep);
	put("u/other.yaml", "id: [unclosed\n", 0);
	set_path("u");
	assert_int_equal(gr_hw_registry_load(HW_DIR, &r, &err), GR_OK);
	assert_non_null(strstr(logged, "u/my_npu.yaml"));
	assert_non_null(strstr(logged, "u/other.yaml"));
	assert_int_equal(gr_hw_registry_resolve(r, "my_npu", &hw, &mode, &err), GR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "my_npu.yaml:1: lists and mappings nested deeper"));
	assert_int_equal(gr_hw_registry_resolve(r, "nvidia_t4", &hw, &mode, &err), GR_OK);
	assert_non_null(strstr(gr_hw_path(hw), "hardware/gpu/nvidia_t4.yaml"));
	gr_hw_registry_free(r);
}

/* Two user files with one id: neither is picked at random; the id is unusable. */
static void a_duplicate_id_in_a_user_folder_makes_it_unusable(void **state)
{
	gr_hw_registry *r = NULL;
	const gr_hw *hw = NULL;
	int mode;
	gr_error err;
	(void)state;

	make_dir("u");
	make_dir("u/a");
	make_dir("u/b");
	t4_file("u/a", "8.1", 1);
	t4_file("u/b", "8.1", 1);
	set_path("u");
	assert_int_equal(gr_hw_registry_load(HW_DIR, &r, &err), GR_OK);
	assert_int_equal(gr_hw_registry_resolve(r, "nvidia_t4", &hw, &mode, &err), GR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "duplicate id 'nvidia_t4'"));
	assert_non_null(strstr(logged, "u/b/nvidia_t4.yaml"));
	gr_hw_registry_free(r);
}

/* A good entry in a folder listed first overrides a broken one listed later. */
static void an_earlier_folder_overrides_a_broken_entry(void **state)
{
	gr_hw_registry *r = NULL;
	const gr_hw *hw = NULL;
	int mode;
	gr_error err;
	char buf[1024];
	(void)state;

	make_dir("good");
	make_dir("bad");
	t4_file("good", "8.1", 1);
	t4_file("bad", "8100", 1);
	snprintf(buf, sizeof(buf), "%s/good:%s/bad", tmpdir, tmpdir);
	assert_int_equal(setenv("GRAPHS_HARDWARE_PATH", buf, 1), 0);
	assert_int_equal(gr_hw_registry_load(HW_DIR, &r, &err), GR_OK);
	assert_int_equal(gr_hw_registry_resolve(r, "nvidia_t4", &hw, &mode, &err), GR_OK);
	assert_non_null(strstr(gr_hw_path(hw), "good/nvidia_t4.yaml"));
	gr_hw_registry_free(r);
}

/* `graphs hw validate` with no path: the user folders are checked too, and shadowing is
 * reported naming both files. */
static void validating_the_registry_checks_user_folders(void **state)
{
	problems ps;
	(void)state;

	make_dir("u");
	make_dir("v");
	t4_file("u", "8100", 1);
	put("v/nvidia_l4.yaml", "id: nvidia_l4\n", 0);
	{
		char buf[1024];
		snprintf(buf, sizeof(buf), "%s/u:%s/v:%s/missing", tmpdir, tmpdir, tmpdir);
		assert_int_equal(setenv("GRAPHS_HARDWARE_PATH", buf, 1), 0);
	}
	memset(&ps, 0, sizeof(ps));
	assert_true(gr_hw_validate_registry_path(HW_DIR, collect, &ps) >= 4);
	assert_true(ps.errors >= 2);
	assert_non_null(strstr(ps.text, "u/nvidia_t4.yaml:"));
	assert_non_null(strstr(ps.text, "key 'peak_tops.fp32'"));
	assert_non_null(strstr(ps.text, "v/nvidia_l4.yaml"));
	assert_non_null(strstr(ps.text, "replaces platform 'nvidia_t4' of '" HW_DIR "/gpu/nvidia_t4.yaml'"));
	assert_non_null(strstr(ps.text, "missing: cannot open"));

	/* the shipped folder alone still validates clean */
	unsetenv("GRAPHS_HARDWARE_PATH");
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(gr_hw_validate_registry_path(HW_DIR, collect, &ps), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_1mb_nesting_file_is_rejected_before_parsing, setup, teardown),
		cmocka_unit_test_setup_teardown(deep_flow_nesting_is_rejected_at_the_limit_with_its_line, setup, teardown),
		cmocka_unit_test_setup_teardown(deep_block_nesting_is_rejected_naming_the_line, setup, teardown),
		cmocka_unit_test_setup_teardown(many_nodes_are_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(aliases_are_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(a_fifo_is_not_read, setup, teardown),
		cmocka_unit_test_setup_teardown(a_user_copy_with_an_absurd_peak_makes_its_id_unusable, setup, teardown),
		cmocka_unit_test_setup_teardown(a_user_entry_shadowing_a_shipped_one_is_announced, setup, teardown),
		cmocka_unit_test_setup_teardown(a_broken_user_file_affects_only_its_platform, setup, teardown),
		cmocka_unit_test_setup_teardown(a_duplicate_id_in_a_user_folder_makes_it_unusable, setup, teardown),
		cmocka_unit_test_setup_teardown(an_earlier_folder_overrides_a_broken_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(validating_the_registry_checks_user_folders, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
