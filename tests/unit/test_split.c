/* graphs split: the dynamic programme equals brute force on 20 random small problems (seeded),
 * for latency and for pipelined throughput, at 1 to 3 cuts; named links come from data/links.yaml. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graphs/split.h"

static uint64_t rs = 20261206;
static double urand(void) /* xorshift64*, in [0, 1) */
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return (double)((rs * 0x2545f4914f6cdd1dULL) >> 11) * 0x1.0p-53;
}

static void split_dp_equals_brute_force_on_20_random_graphs(void **state)
{
	int worst_plans = 0;
	for (int g = 0; g < 20; g++) {
		size_t n = 4 + (size_t)(urand() * 11); /* 4..14 kernels */
		double t0[16], t1[16], x0[16], x1[16];
		/* device 1 faster on some kernels, slower on others: cuts pay off sometimes */
		for (size_t i = 0; i < n; i++) {
			t0[i] = 0.1 + urand();
			t1[i] = t0[i] * (0.2 + 2 * urand());
			x0[i] = x1[i] = urand() * (g % 3 ? 0.3 : 1.5);
			x1[i] *= 0.5 + urand();
		}
		for (int obj = 0; obj < 2; obj++)
			for (int K = 0; K <= 3; K++) {
				gr_split_problem p = {n, {t0, t1}, {x0, x1}, K, (gr_split_objective)obj};
				gr_split_plan a, b, c;
				gr_error err = {0};
				assert_int_equal(gr_split_best(&p, &a, &err), GR_OK);
				assert_int_equal(gr_split_brute_force(&p, &b, &err), GR_OK);
				if (fabs(a.value - b.value) > 1e-12 * (1 + b.value))
					fail_msg("graph %d (n %zu) objective %d cuts %d: dp %.15g, brute force %.15g", g, n, obj,
						 K, a.value, b.value);
				/* the plan reported gives the value reported */
				c = a;
				gr_split_evaluate(&p, &c);
				assert_true(fabs(c.value - a.value) < 1e-12 * (1 + a.value));
				assert_true(a.n_cuts <= K);
				for (int k = 1; k < a.n_cuts; k++)
					assert_true(a.cuts[k] > a.cuts[k - 1]);
				worst_plans += a.n_cuts > 0;
			}
		if (g < 3)
			printf("  graph %d: %zu kernels, dp == brute force at 0..3 cuts for latency and throughput\n", g, n);
	}
	printf("split: dp == brute force on 20 random graphs x 2 objectives x 4 cut limits; %d plans cut\n",
	       worst_plans);
	assert_true(worst_plans > 20); /* the problems are not all trivially one-device */
}

static void split_dp_handles_large_graphs(void **state)
{
	size_t n = 300;
	double *t0 = malloc(n * sizeof(double)), *t1 = malloc(n * sizeof(double)), *x = malloc(n * sizeof(double));
	for (size_t i = 0; i < n; i++) {
		t0[i] = 0.1 + urand();
		t1[i] = 0.1 + urand();
		x[i] = urand() * 0.5;
	}
	for (int obj = 0; obj < 2; obj++) {
		gr_split_problem p = {n, {t0, t1}, {x, x}, 2, (gr_split_objective)obj};
		gr_split_plan a;
		gr_error err = {0};
		assert_int_equal(gr_split_best(&p, &a, &err), GR_OK);
		assert_true(a.value > 0);
	}
	free(t0);
	free(t1);
	free(x);
}

static void split_links_come_from_yaml(void **state)
{
	gr_link l;
	gr_error err = {0};
	setenv("GRAPHS_LINKS_FILE", GRAPHS_SOURCE_DIR "/data/links.yaml", 1);
	assert_int_equal(gr_link_find("pcie_gen4_x16", &l, &err), GR_OK);
	assert_true(fabs(l.bandwidth_bytes_s - 31.5e9) < 1);
	assert_true(l.latency_s > 0);
	assert_int_equal(gr_link_find("warp_drive", &l, &err), GR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "pcie_gen4_x16"));
	setenv("GRAPHS_LINKS_FILE", GRAPHS_SOURCE_DIR "/tests/fixtures/bad/missing_links.yaml", 1);
	assert_int_equal(gr_link_find("pcie_gen4_x16", &l, &err), GR_ERR_IO);
	unsetenv("GRAPHS_LINKS_FILE");
}

static void split_rejects_bad_problems(void **state)
{
	double t[2] = {1, NAN}, x[2] = {0, 0};
	gr_split_problem p = {2, {t, t}, {x, x}, 1, GR_SPLIT_LATENCY};
	gr_split_plan a;
	gr_error err = {0};
	assert_int_equal(gr_split_best(&p, &a, &err), GR_ERR_USAGE);
	t[1] = 1;
	p.max_cuts = 99;
	assert_int_equal(gr_split_best(&p, &a, &err), GR_ERR_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_dp_equals_brute_force_on_20_random_graphs),
		cmocka_unit_test(split_dp_handles_large_graphs),
		cmocka_unit_test(split_links_come_from_yaml),
		cmocka_unit_test(split_rejects_bad_problems),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
