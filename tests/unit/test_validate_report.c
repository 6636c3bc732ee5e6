/* Validation pairs, grouping and reports: groups sorted and keyed as asked, ID and OOD kept
 * apart, JSON sections, text tables, and the dashboard's inlining and escaping. */
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
#include <cjson/cJSON.h>

#include "graphs/report.h"
#include "graphs/validate.h"

static void add(gr_val_set *s, gr_val_level level, gr_val_split split, const char *platform,
		const char *model, const char *prec, const char *op, int64_t batch, double meas,
		double pred)
{
	gr_val_point p = {level, platform, model, prec, op, "calibrated", batch,
			  level == GR_VAL_LEVEL_SUBGRAPH ? 0 : -1, meas, pred, split, 1};
	assert_int_equal(gr_val_set_add(s, &p, NULL), GR_OK);
}

/* Two platforms; on "cpu" resnet18 is in-distribution and vgg16 unseen; "npu" has no profile. */
static gr_val_set *sample(void)
{
	gr_val_set *s = gr_val_set_new();
	assert_non_null(s);
	add(s, GR_VAL_LEVEL_MODEL, GR_VAL_ID, "cpu", "resnet18", "fp32", NULL, 16, 100, 110);
	add(s, GR_VAL_LEVEL_MODEL, GR_VAL_ID, "cpu", "resnet18", "fp32", NULL, 2, 10, 9);
	add(s, GR_VAL_LEVEL_MODEL, GR_VAL_OOD_MODEL, "cpu", "vgg16", "fp32", NULL, 1, 50, 100);
	add(s, GR_VAL_LEVEL_MODEL, GR_VAL_OOD_PLATFORM, "npu", "resnet18", "fp32", NULL, 1, 4, 2);
	add(s, GR_VAL_LEVEL_SUBGRAPH, GR_VAL_ID, "cpu", "resnet18", "fp32", "conv2d", 2, 1, 1.05);
	add(s, GR_VAL_LEVEL_SUBGRAPH, GR_VAL_ID, "cpu", "resnet18", "fp32", "conv2d", 2, 2, 3);
	add(s, GR_VAL_LEVEL_SUBGRAPH, GR_VAL_ID, "cpu", "resnet18", "fp32", "matmul", 2, 1, 1);
	return s;
}

static void set_copies_the_strings_of_a_pair(void **state)
{
	gr_val_set *s = gr_val_set_new();
	char name[16] = "resnet18";
	gr_val_point p = {GR_VAL_LEVEL_MODEL, "cpu", name, "fp32", NULL, NULL, 1, -1, 1, 1, GR_VAL_ID, 1};

	assert_int_equal(gr_val_set_add(s, &p, NULL), GR_OK);
	strcpy(name, "changed");
	assert_string_equal(gr_val_set_at(s, 0)->model, "resnet18");
	assert_null(gr_val_set_at(s, 0)->op_class);
	assert_null(gr_val_set_at(s, 1));
	p.split = GR_VAL_SPLIT_COUNT;
	assert_int_equal(gr_val_set_add(s, &p, NULL), GR_ERR_USAGE);
	assert_int_equal(gr_val_set_count(s), 1);
	gr_val_set_free(s);
	gr_val_set_free(NULL);
	(void)state;
}

static void groups_keep_in_and_out_of_distribution_apart(void **state)
{
	gr_val_set *s = sample();
	gr_val_filter f = GR_VAL_FILTER_ALL;
	gr_val_group *g;
	size_t n;

	f.level = GR_VAL_LEVEL_MODEL;
	assert_int_equal(gr_val_group_by(s, &f, GR_VAL_BY_SPLIT | GR_VAL_BY_PLATFORM, &g, &n, NULL), GR_OK);
	assert_int_equal(n, 3);
	assert_int_equal(g[0].key.split, GR_VAL_ID);
	assert_string_equal(g[0].key.platform, "cpu");
	assert_int_equal(g[0].m.n, 2);
	assert_float_equal(g[0].m.mape, 10, 1e-12); /* 10% and 10% */
	assert_float_equal(g[0].m.within10, 100, 1e-12);
	assert_int_equal(g[1].key.split, GR_VAL_OOD_MODEL);
	assert_float_equal(g[1].m.mape, 100, 1e-12);
	assert_int_equal(g[2].key.split, GR_VAL_OOD_PLATFORM);
	assert_string_equal(g[2].key.platform, "npu");
	assert_float_equal(g[2].m.mape, 50, 1e-12);
	assert_null(g[0].key.model); /* not grouped by model */
	free(g);
	gr_val_set_free(s);
	(void)state;
}

static void batches_sort_numerically(void **state)
{
	gr_val_set *s = sample();
	gr_val_filter f = GR_VAL_FILTER_ALL;
	gr_val_group *g;
	size_t n;

	f.platform = "cpu";
	f.level = GR_VAL_LEVEL_MODEL;
	assert_int_equal(gr_val_group_by(s, &f, GR_VAL_BY_BATCH, &g, &n, NULL), GR_OK);
	assert_int_equal(n, 3);
	assert_int_equal(g[0].key.batch, 1);
	assert_int_equal(g[1].key.batch, 2);
	assert_int_equal(g[2].key.batch, 16);
	free(g);
	gr_val_set_free(s);
	(void)state;
}

static void grouping_by_op_class_leaves_out_whole_models(void **state)
{
	gr_val_set *s = sample();
	gr_val_group *g;
	size_t n;

	assert_int_equal(gr_val_group_by(s, NULL, GR_VAL_BY_OP_CLASS, &g, &n, NULL), GR_OK);
	assert_int_equal(n, 2);
	assert_string_equal(g[0].key.op_class, "conv2d");
	assert_int_equal(g[0].m.n, 2);
	assert_float_equal(g[0].m.mape, (5 + 50) / 2.0, 1e-9);
	assert_string_equal(g[1].key.op_class, "matmul");
	free(g);
	/* no keys: one group of everything */
	assert_int_equal(gr_val_group_by(s, NULL, 0, &g, &n, NULL), GR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(g[0].m.n, 7);
	free(g);
	gr_val_set_free(s);
	(void)state;
}

static void an_empty_set_gives_no_groups(void **state)
{
	gr_val_set *s = gr_val_set_new();
	gr_val_group *g = (gr_val_group *)1;
	size_t n = 9;

	assert_int_equal(gr_val_group_by(s, NULL, GR_VAL_BY_PLATFORM, &g, &n, NULL), GR_OK);
	assert_int_equal(n, 0);
	assert_null(g);
	gr_val_set_free(s);
	(void)state;
}

static cJSON *find_row(cJSON *arr, const char *k1, const char *v1, const char *k2, const char *v2)
{
	cJSON *r;
	cJSON_ArrayForEach(r, arr) {
		cJSON *a = cJSON_GetObjectItem(r, k1), *b = k2 ? cJSON_GetObjectItem(r, k2) : NULL;
		if (cJSON_IsString(a) && !strcmp(a->valuestring, v1) &&
		    (!k2 || (cJSON_IsString(b) && !strcmp(b->valuestring, v2))))
			return r;
	}
	return NULL;
}

static void json_report_has_every_section_and_nulls_for_undefined(void **state)
{
	gr_val_set *s = sample();
	const char *src[] = {"models.csv"};
	gr_val_meta meta = {"cpu,npu", "model", NULL, src, 1, NULL, 0, NULL};
	char *text;
	cJSON *j, *arr, *row;

	assert_int_equal(gr_val_report_json(s, &meta, &text, NULL), GR_OK);
	assert_non_null(j = cJSON_Parse(text));
	assert_string_equal(cJSON_GetObjectItem(j, "cv")->valuestring, "model");
	assert_int_equal(cJSON_GetObjectItem(j, "model_pairs")->valueint, 4);
	assert_int_equal(cJSON_GetObjectItem(j, "subgraph_pairs")->valueint, 3);
	const char *sections[] = {"overall", "summary", "by_platform", "by_op_class", "by_model",
				  "by_precision", "by_batch", "points"};
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		assert_true(cJSON_IsArray(cJSON_GetObjectItem(j, sections[i])));
	arr = cJSON_GetObjectItem(j, "summary");
	row = find_row(arr, "split", "ood_platform", "platform", "npu");
	assert_non_null(row);
	assert_float_equal(cJSON_GetObjectItem(row, "mape")->valuedouble, 50, 1e-9);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(row, "pearson"))); /* one pair */
	arr = cJSON_GetObjectItem(j, "by_op_class");
	assert_int_equal(cJSON_GetArraySize(arr), 2);
	assert_non_null(find_row(arr, "op_class", "matmul", "level", "subgraph"));
	arr = cJSON_GetObjectItem(j, "points");
	assert_int_equal(cJSON_GetArraySize(arr), 7);
	row = cJSON_GetArrayItem(arr, 0);
	assert_float_equal(cJSON_GetObjectItem(row, "ape")->valuedouble, 10, 1e-9);
	assert_string_equal(cJSON_GetObjectItem(row, "split")->valuestring, "in_distribution");
	cJSON_Delete(j);
	free(text);
	gr_val_set_free(s);
	(void)state;
}

static void text_report_names_the_splits(void **state)
{
	gr_val_set *s = sample();
	gr_val_meta meta = {"cpu", "none", NULL, NULL, 0, NULL, 0, NULL};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(gr_val_report_write(s, &meta, GR_FMT_TABLE, f, NULL), GR_OK);
	fclose(f);
	assert_non_null(strstr(buf, "in_distribution"));
	assert_non_null(strstr(buf, "ood_model"));
	assert_non_null(strstr(buf, "ood_platform"));
	assert_non_null(strstr(buf, "conv2d"));
	assert_non_null(strstr(buf, "MAPE"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(gr_val_report_write(s, &meta, GR_FMT_MARKDOWN, f, NULL), GR_OK);
	fclose(f);
	assert_non_null(strstr(buf, "| split"));
	free(buf);
	gr_val_set_free(s);
	(void)state;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void dashboard_inlines_the_library_and_escapes_script_ends(void **state)
{
	gr_val_set *s = sample();
	gr_val_point p = {GR_VAL_LEVEL_MODEL, "cpu", "</script><script>alert(1)</script><!--",
			  "fp32", NULL, NULL, 1, -1, 1, 1, GR_VAL_ID, 1};
	gr_val_meta meta = {"cpu", "none", NULL, NULL, 0, NULL, 0, NULL};
	gr_error err = {0};
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(gr_val_set_add(s, &p, NULL), GR_OK);
	f = open_memstream(&buf, &len);
	assert_int_equal(gr_val_dashboard_write(s, &meta, GRAPHS_SOURCE_DIR "/web", f, &err), GR_OK);
	fclose(f);
	/* the template's five script elements and no other */
	assert_int_equal(count(buf, "</script>"), 5);
	assert_int_equal(count(buf, "<script"), 5);
	assert_null(strstr(buf, "@GRAPHS_"));
	assert_non_null(strstr(buf, "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"));
	assert_non_null(strstr(buf, "vegaEmbed"));
	assert_null(strstr(buf, "src=\"http")); /* nothing fetched */
	free(buf);
	gr_val_set_free(s);
	(void)state;
}

static void dashboard_names_a_missing_library_file(void **state)
{
	gr_val_set *s = sample();
	gr_error err = {0};
	FILE *f = fopen("/dev/null", "w");

	assert_int_equal(gr_val_dashboard_write(s, NULL, "/nonexistent/web", f, &err), GR_ERR_IO);
	assert_non_null(strstr(err.msg, "/nonexistent/web/dashboard.html"));
	fclose(f);
	gr_val_set_free(s);
	(void)state;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void dashboard_refuses_a_library_that_would_end_its_script(void **state)
{
	char dir[] = "/tmp/graphs_web_XXXXXX", path[256];
	gr_val_set *s = sample();
	gr_error err = {0};
	FILE *f = fopen("/dev/null", "w");

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vendor", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/dashboard.html", dir);
	write_file(path, "<script>/*@GRAPHS_VEGA@*/</script><script>/*@GRAPHS_VEGA_LITE@*/</script>"
			 "<script>/*@GRAPHS_VEGA_EMBED@*/</script><script>/*@GRAPHS_DATA@*/</script>");
	snprintf(path, sizeof(path), "%s/vendor/vega.min.js", dir);
	write_file(path, "var a = 1;");
	snprintf(path, sizeof(path), "%s/vendor/vega-lite.min.js", dir);
	write_file(path, "var s = '</SCRIPT>';");
	snprintf(path, sizeof(path), "%s/vendor/vega-embed.min.js", dir);
	write_file(path, "var b = 2;");
	assert_int_equal(gr_val_dashboard_write(s, NULL, dir, f, &err), GR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "vega-lite.min.js"));
	/* a clean library inlines */
	write_file(path, "var b = 3;");
	snprintf(path, sizeof(path), "%s/vendor/vega-lite.min.js", dir);
	write_file(path, "var s = 4;");
	assert_int_equal(gr_val_dashboard_write(s, NULL, dir, f, &err), GR_OK);
	fclose(f);
	const char *names[] = {"vendor/vega.min.js", "vendor/vega-lite.min.js",
			       "vendor/vega-embed.min.js", "dashboard.html", "vendor", ""};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		remove(path);
	}
	gr_val_set_free(s);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(set_copies_the_strings_of_a_pair),
		cmocka_unit_test(groups_keep_in_and_out_of_distribution_apart),
		cmocka_unit_test(batches_sort_numerically),
		cmocka_unit_test(grouping_by_op_class_leaves_out_whole_models),
		cmocka_unit_test(an_empty_set_gives_no_groups),
		cmocka_unit_test(json_report_has_every_section_and_nulls_for_undefined),
		cmocka_unit_test(text_report_names_the_splits),
		cmocka_unit_test(dashboard_inlines_the_library_and_escapes_script_ends),
		cmocka_unit_test(dashboard_names_a_missing_library_file),
		cmocka_unit_test(dashboard_refuses_a_library_that_would_end_its_script),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
