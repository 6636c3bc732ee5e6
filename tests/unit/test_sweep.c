/* The sweep's pieces: an estimate through a gr_estimate_cache kept across platforms and
 * precisions equals a fresh estimate bit for bit (calibrated, transferred-free and theoretical
 * platforms alike); the grid counts points in its fixed order and its id tells grids apart;
 * --shard parsing accepts I/N with 0 <= I < N only. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graphs/calibrate.h"
#include "graphs/estimate.h"
#include "graphs/model.h"
#include "graphs/sweep.h"
#include "graphs/zoo.h"
#include "zoo_fixture.h"

static void same_estimate(const gr_estimate *a, const gr_estimate *b)
{
	assert_true(a->latency_s == b->latency_s);
	assert_true(a->energy_j == b->energy_j);
	assert_true(a->period_s == b->period_s);
	assert_true(a->peak_memory_bytes == b->peak_memory_bytes);
	assert_true(a->peak_activation_bytes == b->peak_activation_bytes);
	assert_int_equal(a->params, b->params);
	assert_int_equal(a->unknown_ops, b->unknown_ops);
	assert_int_equal(a->confidence, b->confidence);
	assert_int_equal(a->n_kernels, b->n_kernels);
	for (size_t k = 0; k < a->n_kernels; k++) {
		assert_true(a->kernels[k].latency_s == b->kernels[k].latency_s);
		assert_true(a->kernels[k].energy_j == b->kernels[k].energy_j);
		assert_string_equal(a->kernels[k].level, b->kernels[k].level);
	}
	assert_string_equal(a->note, b->note);
}

static void cached_estimates_equal_fresh_ones(void **state)
{
	static const char *const models[] = {"resnet18", "bert_base_uncased"};
	gr_hw_registry *reg = NULL;
	gr_error err = {0};
	size_t compared = 0, calibrated = 0;

	(void)state;
	assert_int_equal(gr_hw_registry_load(gr_hw_builtin_dir(), &reg, &err), GR_OK);
	for (size_t m = 0; m < 2; m++) {
		gr_graph *g = load_zoo(models[m], 4);
		gr_partition *p = NULL;
		gr_estimate_cache *c;
		assert_int_equal(gr_partition_build(g, gr_fusion_rules_find("pytorch"), &p, &err), GR_OK);
		assert_non_null(c = gr_estimate_cache_new(g, p));
		/* every platform and native precision through one cache, each checked against a fresh run */
		for (size_t h = 0; h < gr_hw_registry_count(reg); h++) {
			const gr_hw *hw = gr_hw_registry_at(reg, h);
			gr_profile *prof = NULL;
			gr_profile_find_load(gr_hw_id(hw), "pytorch", &prof, &err);
			for (int q = 0; q < GR_PREC_COUNT; q++) {
				gr_estimate_opts eo = {.precision = q, .runtime = "pytorch", .amp = 0};
				gr_estimate *a = NULL, *b = NULL;
				gr_status sa, sb;
				if (!gr_hw_precision_native(hw, (gr_precision)q))
					continue;
				sa = gr_estimate_run_profile_cached(c, hw, -1, &eo, prof, &a, &err);
				sb = gr_estimate_run_profile(g, p, hw, -1, &eo, prof, &b, &err);
				assert_int_equal(sa, sb);
				if (sa == GR_OK) {
					same_estimate(a, b);
					compared++;
					calibrated += a->confidence == GR_CONF_CALIBRATED || a->confidence == GR_CONF_INTERPOLATED;
				}
				gr_estimate_free(a);
				gr_estimate_free(b);
			}
			gr_profile_free(prof);
		}
		gr_estimate_cache_free(c);
		gr_partition_free(p);
		gr_graph_free(g);
	}
	assert_true(compared > 300);
	assert_true(calibrated > 0); /* the fitted path (views charged to kernels) was compared too */
	gr_hw_registry_free(reg);
}

static void grid_counts_points_in_order_and_ids_differ(void **state)
{
	gr_hw_registry *reg = NULL;
	gr_error err = {0};
	const char *models[] = {"a", "b", "c"}, *specs[] = {"nvidia_t4", "hailo8"}, *rts[] = {"pytorch", "tensorrt"};
	const gr_hw *hw[2];
	int64_t batches[] = {1, 8};
	int precs[] = {GR_PREC_FP16, GR_PREC_INT8};
	gr_sweep_grid g, g2;
	char id[17];
	size_t t4 = 0;

	(void)state;
	assert_int_equal(gr_hw_registry_load(gr_hw_builtin_dir(), &reg, &err), GR_OK);
	assert_non_null(hw[0] = gr_hw_registry_find(reg, "nvidia_t4"));
	assert_non_null(hw[1] = gr_hw_registry_find(reg, "hailo8"));
	for (int q = 0; q < GR_PREC_COUNT; q++)
		t4 += (size_t)gr_hw_precision_native(hw[0], (gr_precision)q);
	/* native: each platform its own precisions; hailo8 runs int8 only */
	g = (gr_sweep_grid){3, models, 2, batches, 2, hw, specs, 0, NULL, 0, NULL, "", NULL, NULL, NULL, 0, 0, ""};
	assert_int_equal(gr_sweep_grid_init(&g, &err), GR_OK);
	assert_int_equal(g.hw_n_precs[1], 1);
	assert_int_equal(g.hw_precs[GR_PREC_COUNT], GR_PREC_INT8);
	assert_int_equal(g.block, t4 + 1);
	assert_int_equal(g.hw_first[1], t4);
	assert_int_equal(g.points, 3 * 2 * (t4 + 1));
	assert_int_equal(strlen(g.id), 16);
	memcpy(id, g.id, sizeof(id));
	gr_sweep_grid_release(&g);
	/* listed precisions x runtimes: the same count on every platform; another id */
	g2 = (gr_sweep_grid){3, models, 2, batches, 2, hw, specs, 2, precs, 2, rts, "", NULL, NULL, NULL, 0, 0, ""};
	assert_int_equal(gr_sweep_grid_init(&g2, &err), GR_OK);
	assert_int_equal(g2.block, 2 * 2 * 2);
	assert_int_equal(g2.points, 3 * 2 * 8);
	assert_string_not_equal(g2.id, id);
	memcpy(id, g2.id, sizeof(id));
	gr_sweep_grid_release(&g2);
	/* the same grid with another option (--no-calibration) is another sweep */
	g2 = (gr_sweep_grid){3, models, 2, batches, 2, hw, specs, 2, precs, 2, rts, "no-calibration;", NULL, NULL,
			     NULL, 0, 0, ""};
	assert_int_equal(gr_sweep_grid_init(&g2, &err), GR_OK);
	assert_string_not_equal(g2.id, id);
	gr_sweep_grid_release(&g2);
	/* an empty grid is refused */
	g2 = (gr_sweep_grid){0, models, 2, batches, 2, hw, specs, 0, NULL, 0, NULL, "", NULL, NULL, NULL, 0, 0, ""};
	assert_int_equal(gr_sweep_grid_init(&g2, &err), GR_ERR_USAGE);
	gr_hw_registry_free(reg);
}

static void shard_parse_takes_i_of_n_only(void **state)
{
	static const char *const bad[] = {"", "1", "1/", "/4", "4/4", "5/4", "1/0", "-1/4", "1/-4", "a/4", "1/4x",
					  "1 /4", "1/ 4", "0x1/4", "99999999999999999999/2"};
	gr_error err = {0};
	size_t i = 9, n = 9;

	(void)state;
	assert_int_equal(gr_sweep_shard_parse("0/1", &i, &n, &err), GR_OK);
	assert_true(i == 0 && n == 1);
	assert_int_equal(gr_sweep_shard_parse("3/8", &i, &n, &err), GR_OK);
	assert_true(i == 3 && n == 8);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		assert_int_equal(gr_sweep_shard_parse(bad[k], &i, &n, &err), GR_ERR_USAGE);
	assert_int_equal(gr_sweep_shard_parse(NULL, &i, &n, &err), GR_ERR_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cached_estimates_equal_fresh_ones),
		cmocka_unit_test(grid_counts_points_in_order_and_ids_differ),
		cmocka_unit_test(shard_parse_takes_i_of_n_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
