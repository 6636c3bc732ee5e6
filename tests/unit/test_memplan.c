/* The arena planner (greedy by size, best fit) and the memory plan of real models: no two
 * buffers live at once share bytes, reuse happens where lifetimes allow, and the plan's
 * live-tensor figure is the estimator's peak to the byte. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graphs/estimate.h"
#include "graphs/memplan.h"
#include "graphs/model.h"
#include "zoo_fixture.h"

/* No two buffers that share a step share a byte; every buffer lies inside the arena. */
static void assert_valid_plan(const gr_arena_buf *b, size_t n, int64_t arena)
{
	for (size_t i = 0; i < n; i++) {
		assert_true(b[i].offset >= 0);
		assert_true(b[i].offset + b[i].bytes <= arena);
		for (size_t j = i + 1; j < n; j++) {
			int time = !(b[i].last < b[j].first || b[j].last < b[i].first);
			int space = b[i].offset < b[j].offset + b[j].bytes && b[j].offset < b[i].offset + b[i].bytes;
			if (b[i].bytes && b[j].bytes)
				assert_false(time && space);
		}
	}
}

static void arena_reuses_memory_of_dead_buffers(void **state)
{
	/* a chain: each buffer dies when the next but one is made, as in a plain CNN */
	gr_arena_buf b[] = {{100, 0, 1, 0}, {200, 1, 2, 0}, {100, 2, 3, 0}, {50, 3, 4, 0}};
	int64_t arena = 0;
	gr_error err = {0};
	(void)state;
	assert_int_equal(gr_arena_plan(b, 4, &arena, &err), GR_OK);
	assert_valid_plan(b, 4, arena);
	/* the most live at one step is 300 (steps 1 and 2): best fit reaches it */
	assert_int_equal(arena, 300);
}

static void arena_without_overlap_in_time_is_the_largest_buffer(void **state)
{
	gr_arena_buf b[] = {{64, 0, 0, 0}, {640, 1, 1, 0}, {128, 2, 2, 0}, {320, 3, 3, 0}};
	int64_t arena = 0;
	gr_error err = {0};
	(void)state;
	assert_int_equal(gr_arena_plan(b, 4, &arena, &err), GR_OK);
	assert_int_equal(arena, 640);
	for (int i = 0; i < 4; i++)
		assert_int_equal(b[i].offset, 0);
}

static void arena_all_alive_is_the_sum(void **state)
{
	gr_arena_buf b[] = {{64, 0, 9, 0}, {640, 0, 9, 0}, {128, 0, 9, 0}};
	int64_t arena = 0;
	gr_error err = {0};
	(void)state;
	assert_int_equal(gr_arena_plan(b, 3, &arena, &err), GR_OK);
	assert_valid_plan(b, 3, arena);
	assert_int_equal(arena, 832);
}

static void arena_best_fit_picks_the_smallest_gap(void **state)
{
	/* by size: 1000@0, 500@1000, 300@1500 (dies at 1), 250@1800, 120@2050 (dies at 1),
	 * 110@2170; at steps 2..3 gaps of 300 and 120 open between live buffers: the 100-byte
	 * buffer takes the 120 one */
	gr_arena_buf b[] = {
		{1000, 0, 4, 0}, {500, 0, 4, 0}, {300, 0, 1, 0}, {250, 0, 4, 0},
		{120, 0, 1, 0}, {110, 0, 4, 0}, {100, 2, 3, 0},
	};
	int64_t arena = 0;
	gr_error err = {0};
	(void)state;
	assert_int_equal(gr_arena_plan(b, 7, &arena, &err), GR_OK);
	assert_valid_plan(b, 7, arena);
	assert_int_equal(b[4].offset, 2050);
	assert_int_equal(b[6].offset, 2050);
	assert_int_equal(arena, 2280);
}

static void arena_random_plans_are_valid_and_near_the_bound(void **state)
{
	gr_arena_buf b[60];
	gr_error err = {0};
	double worst = 1;
	(void)state;
	srand(7);
	for (int trial = 0; trial < 300; trial++) {
		size_t n = 1 + (size_t)(rand() % 60), steps = 1 + (size_t)(rand() % 30);
		int64_t arena = 0, most = 0;
		for (size_t i = 0; i < n; i++) {
			size_t a = (size_t)rand() % steps, c = a + (size_t)rand() % 4;
			b[i].bytes = 64 * (1 + rand() % 100);
			b[i].first = a;
			b[i].last = c;
		}
		assert_int_equal(gr_arena_plan(b, n, &arena, &err), GR_OK);
		assert_valid_plan(b, n, arena);
		/* no plan beats the most bytes live at one step */
		for (size_t s = 0; s < steps + 4; s++) {
			int64_t live = 0;
			for (size_t i = 0; i < n; i++)
				if (b[i].first <= s && s <= b[i].last)
					live += b[i].bytes;
			if (live > most)
				most = live;
		}
		assert_true(arena >= most);
		if ((double)arena / (double)most > worst)
			worst = (double)arena / (double)most;
	}
	printf("arena / live bound, worst of 300 random plans: %.3f\n", worst);
	assert_true(worst < 2.0);
}

static void arena_refuses_bad_buffers(void **state)
{
	gr_arena_buf b[] = {{64, 3, 1, 0}};
	int64_t arena = 0;
	gr_error err = {0};
	(void)state;
	assert_int_not_equal(gr_arena_plan(b, 1, &arena, &err), GR_OK);
	assert_int_equal(gr_arena_plan(NULL, 0, &arena, &err), GR_OK);
	assert_int_equal(arena, 0);
}

/* For zoo models at several precisions and runtimes: the plan's live figure is the estimator's
 * peak_activation_bytes, the arena is at least that under eager runtimes, and no reuse is the most. */
static void memplan_live_peak_equals_the_estimator(void **state)
{
	static const char *models[] = {"resnet18", "mobilenet_v2", "bert_base_uncased", "yolov8n"};
	static const char *runtimes[] = {"pytorch", "tensorrt"};
	static const gr_precision precs[] = {GR_PREC_FP32, GR_PREC_FP16, GR_PREC_INT8};
	gr_hw_registry *reg = NULL;
	gr_error err = {0};
	const gr_hw *hw;
	int mode;
	(void)state;
	assert_int_equal(gr_hw_registry_load(GRAPHS_SOURCE_DIR "/hardware", &reg, &err), GR_OK);
	assert_int_equal(gr_hw_registry_resolve(reg, "nvidia_t4", &hw, &mode, &err), GR_OK);
	for (size_t mi = 0; mi < sizeof(models) / sizeof(*models); mi++) {
		gr_graph *g = load_zoo(models[mi], 2);
		for (size_t ri = 0; ri < 2; ri++) {
			const gr_fusion_rules *rules = gr_fusion_rules_find(runtimes[ri]);
			gr_partition *part = NULL;
			assert_int_equal(gr_partition_build(g, rules, &part, &err), GR_OK);
			for (size_t pi = 0; pi < 3; pi++) {
				gr_estimate_opts eo = {.precision = (int)precs[pi], .runtime = runtimes[ri]};
				gr_estimate *e = NULL;
				gr_memplan m;
				double scale = gr_estimate_elem_bytes(precs[pi]) / 4.0, mx = 0;
				assert_int_equal(gr_estimate_run(g, part, hw, mode, &eo, &e, &err), GR_OK);
				assert_int_equal(gr_memplan_build(g, part, rules->fused_memory, scale, &m, &err), GR_OK);
				assert_true(fabs(m.peak_live_bytes - e->peak_activation_bytes) <= 1e-9 * e->peak_activation_bytes);
				for (size_t k = 0; k < m.n_steps; k++)
					mx = fmax(mx, m.live_bytes[k]);
				assert_true(fabs(mx - e->peak_activation_bytes) <= 1e-9 * e->peak_activation_bytes);
				assert_true(m.no_reuse_bytes >= m.arena_bytes);
				if (!rules->fused_memory)
					assert_true(m.arena_bytes >= m.peak_live_bytes * 0.98);
				if (pi == 0)
					printf("%-18s %-9s fp32: live %.2f MiB, arena %.2f MiB, no reuse %.2f MiB\n",
					       models[mi], runtimes[ri], m.peak_live_bytes / 1048576.0,
					       m.arena_bytes / 1048576.0, m.no_reuse_bytes / 1048576.0);
				gr_memplan_release(&m);
				gr_estimate_free(e);
			}
			gr_partition_free(part);
		}
		gr_graph_free(g);
	}
	gr_hw_registry_free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arena_reuses_memory_of_dead_buffers),
		cmocka_unit_test(arena_without_overlap_in_time_is_the_largest_buffer),
		cmocka_unit_test(arena_all_alive_is_the_sum),
		cmocka_unit_test(arena_best_fit_picks_the_smallest_gap),
		cmocka_unit_test(arena_random_plans_are_valid_and_near_the_bound),
		cmocka_unit_test(arena_refuses_bad_buffers),
		cmocka_unit_test(memplan_live_peak_equals_the_estimator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
