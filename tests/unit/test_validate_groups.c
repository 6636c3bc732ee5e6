/* graphs validate on rows that name one module: a harness that times a module's kernels one by
 * one (vit's attention module runs in 15 kernels) writes several rows naming it. Calibration
 * fits such rows as one group (test_calibrate.c: fit_merges_rows_that_name_one_module), and
 * validate must score them the same way: one pair, measured the group's summed time, predicted
 * its ops plus a launch per row. Judged row by row, every row of the group took the whole
 * module's ops and read many times too slow. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tmpdir_fixture.h"
#include <cjson/cJSON.h>

#include "calibration/calib_impl.h"
#include "graphs/validate.h"

#include "synth_fixture.h"

static int setup(void **state)
{
	(void)state;
	return fixture_tmpdir_make("graphs_test_valgroups");
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("GRAPHS_CALIBRATION_PATH");
	return fixture_tmpdir_remove();
}

/* The JSON report's "points" of a level, and the whole document in *doc (cJSON_Delete). */
static const cJSON *report_points(const gr_val_set *vs, cJSON **doc)
{
	gr_val_meta meta = {"intel_core_i7_12700k", "none", NULL, NULL, 0, NULL, 0, NULL};
	gr_error err = {0};
	char *json = NULL;

	assert_int_equal(gr_val_report_json(vs, &meta, &json, &err), GR_OK);
	assert_non_null(*doc = cJSON_Parse(json));
	free(json);
	return cJSON_GetObjectItem(*doc, "points");
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* 1 when subgraph sg of the set is one of vit_b_32's rows naming the attention module of its
 * first encoder layer alone. */
static int attention_row(const gr_meas_set *s, int sg)
{
	for (size_t i = 0; i < gr_meas_count(s); i++) {
		const gr_meas_row *r = gr_meas_at(s, i);
		if (r->kind == GR_MEAS_SUBGRAPH && r->subgraph == sg && r->nodes)
			return !strcmp(r->nodes, "encoder_layers_encoder_layer_0_self_attention");
	}
	return 0;
}

/* vit_b_32 at batch 1 on the i7, a row per kernel, made up by a known profile that is then the
 * platform's calibration profile: the attention module's 15 rows are one pair, predicted as
 * measured (row by row, each took the module's every op: 15 times its time in all). */
static void rows_naming_one_module_are_scored_as_one_pair(void **state)
{
	gr_profile *known = known_profile();
	gr_calib_cache *c;
	gr_meas_set *s;
	gr_val_set *vs = gr_val_set_new();
	gr_val_group *g = NULL;
	size_t ng = 0;
	gr_val_filter f = GR_VAL_FILTER_ALL;
	gr_error err = {0};
	const char *hw[] = {"intel_core_i7_12700k"};
	gr_val_opts o = {hw, 1, -1, NULL, 0, 1, NULL, NULL, NULL};
	char path[1024];
	size_t sub_rows = 0, pairs = 0, rows_in_pairs = 0, merged_pairs = 0, attn = 0;
	double max_ape = 0, merged, attn_meas = 0, attn_pred = 0;
	const cJSON *pts, *pt;
	cJSON *doc = NULL;
	(void)state;

	assert_non_null(vs);
	assert_int_equal(gr_calib_cache_new(NULL, &c, &err), GR_OK);
	synth_also = "vit_b_32";
	synth_row_per_kernel = 1;
	synth_batches = 1;
	s = synthesize(c, known, 0);
	synth_also = NULL;
	synth_row_per_kernel = 0;
	synth_batches = 3;
	for (int k = 0; k < CC_COUNT; k++) /* within the profile reader's ranges */
		known->tm.prec[GR_PREC_FP32].cls[k].f_max = known->tm.prec[GR_PREC_FP32].cls[k].b_max = 1e17;
	gr_profile_default_path(tmp("cal"), "intel_core_i7_12700k", "pytorch", path, sizeof(path));
	assert_int_equal(gr_profile_save(known, path, &err), GR_OK);
	setenv("GRAPHS_CALIBRATION_PATH", tmp("cal"), 1);
	for (size_t i = 0; i < gr_meas_count(s); i++) {
		const gr_meas_row *r = gr_meas_at(s, i);
		sub_rows += r->kind == GR_MEAS_SUBGRAPH;
		attn += r->kind == GR_MEAS_SUBGRAPH && attention_row(s, r->subgraph);
	}
	assert_true(attn > 1); /* the data has what the test is about */
	assert_int_equal(gr_val_run(s, &o, vs, &err), GR_OK);
	pts = report_points(vs, &doc);
	merged = num(doc, "merged_rows");
	cJSON_ArrayForEach(pt, pts) {
		const cJSON *lv = cJSON_GetObjectItem(pt, "level");
		double rows = num(pt, "rows"), ape = num(pt, "ape");
		if (!cJSON_IsString(lv) || strcmp(lv->valuestring, "subgraph"))
			continue;
		pairs++;
		rows_in_pairs += isfinite(rows) ? (size_t)rows : 1;
		merged_pairs += rows > 1;
		if (attention_row(s, (int)num(pt, "subgraph"))) {
			attn_meas += num(pt, "measured_ms");
			attn_pred += num(pt, "predicted_ms");
		}
		if (rows > 1 && ape > max_ape)
			max_ape = ape;
	}
	f.level = GR_VAL_LEVEL_SUBGRAPH;
	assert_int_equal(gr_val_group_by(vs, &f, 0, &g, &ng, &err), GR_OK);
	assert_int_equal(ng, 1);
	print_message("%zu subgraph rows in %zu pairs (%zu of several rows, merged_rows %.0f): MAPE %.3g%%, median "
		      "%.3g%%, max %.3g%% (of merged pairs %.3g%%); layer 0 attention (%zu rows): measured %.4g ms, "
		      "predicted %.4g ms\n", sub_rows, pairs, merged_pairs, merged, g[0].m.mape, g[0].m.median_ape,
		      g[0].m.max_ape, max_ape, attn, attn_meas, attn_pred);
	for (size_t i = 0; i < gr_val_set_note_count(vs); i++)
		print_message("note: %s\n", gr_val_set_note_at(vs, i));
	/* not exact: the prediction holds each op to its physical floor, and the made-up profile
	 * beats the floors of the two attention products and three other ops by 5.6 us in all
	 * (0.25% of the module) */
	assert_true(fabs(attn_pred / attn_meas - 1) < 0.005);
	assert_true(merged_pairs > 0);
	assert_true(max_ape < 0.5);
	assert_int_equal(rows_in_pairs, sub_rows);
	assert_true(merged == (double)(sub_rows - pairs));
	free(g);
	cJSON_Delete(doc);
	gr_val_set_free(vs);
	gr_meas_set_free(s);
	gr_profile_free(known);
	gr_calib_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows_naming_one_module_are_scored_as_one_pair),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
