/* Timing statistics on fixed samples (median, mean, std, percentiles, CI of the median,
 * outliers) and the adaptive timing loop on a small spinning kernel. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graphs/bench.h"

static void stats_of_one_to_ten_match_numpy(void **state)
{
	/* numpy: median 5.5, std(ddof=1) 3.0276504, percentile 5 -> 1.45, 95 -> 9.55 */
	const double x[] = {7, 3, 10, 1, 5, 9, 2, 8, 4, 6};
	gr_bench_stats st;
	assert_int_equal(gr_bench_stats_compute(x, 10, &st, NULL), GR_OK);
	assert_int_equal(st.n, 10);
	assert_float_equal(st.median, 5.5, 1e-12);
	assert_float_equal(st.mean, 5.5, 1e-12);
	assert_float_equal(st.std, 3.0276503540974917, 1e-12);
	assert_float_equal(st.p5, 1.45, 1e-12);
	assert_float_equal(st.p95, 9.55, 1e-12);
	assert_float_equal(st.min, 1, 0);
	assert_float_equal(st.max, 10, 0);
	assert_float_equal(st.cv, 3.0276503540974917 / 5.5, 1e-12);
	/* Conover ranks for n = 10: 1 and 10 */
	assert_float_equal(st.ci_lo, 1, 0);
	assert_float_equal(st.ci_hi, 10, 0);
	assert_int_equal(st.outliers, 0);
	(void)state;
}

static void stats_leave_the_input_unsorted(void **state)
{
	double x[] = {3, 1, 2};
	gr_bench_stats st;
	assert_int_equal(gr_bench_stats_compute(x, 3, &st, NULL), GR_OK);
	assert_float_equal(x[0], 3, 0);
	assert_float_equal(x[1], 1, 0);
	assert_float_equal(st.median, 2, 0);
	(void)state;
}

static void stats_count_far_samples_as_outliers(void **state)
{
	const double x[] = {10, 10.1, 9.9, 10.2, 9.8, 10, 50, 10.05, 9.95, 0.5};
	gr_bench_stats st;
	assert_int_equal(gr_bench_stats_compute(x, 10, &st, NULL), GR_OK);
	assert_int_equal(st.outliers, 2);
	assert_float_equal(st.median, 10, 1e-12);
	(void)state;
}

static void stats_ci_of_the_median_narrows_with_more_samples(void **state)
{
	double x[1000];
	gr_bench_stats a, b;
	for (int i = 0; i < 1000; i++) /* deterministic spread: 1.0 +- 5% */
		x[i] = 1.0 + 0.05 * sin(i * 12.9898);
	assert_int_equal(gr_bench_stats_compute(x, 20, &a, NULL), GR_OK);
	assert_int_equal(gr_bench_stats_compute(x, 1000, &b, NULL), GR_OK);
	assert_true(a.ci_lo <= a.median && a.median <= a.ci_hi);
	assert_true(gr_bench_stats_rel_ci(&b) < gr_bench_stats_rel_ci(&a));
	assert_true(gr_bench_stats_rel_ci(&b) < 0.02);
	(void)state;
}

static void stats_of_identical_samples_have_zero_spread(void **state)
{
	double x[50];
	gr_bench_stats st;
	for (int i = 0; i < 50; i++)
		x[i] = 0.25;
	assert_int_equal(gr_bench_stats_compute(x, 50, &st, NULL), GR_OK);
	assert_float_equal(st.std, 0, 0);
	assert_float_equal(gr_bench_stats_rel_ci(&st), 0, 0);
	assert_int_equal(st.outliers, 0);
	(void)state;
}

static void stats_reject_no_samples(void **state)
{
	gr_bench_stats st;
	gr_error err = {0};
	assert_int_equal(gr_bench_stats_compute(NULL, 0, &st, &err), GR_ERR_USAGE);
	assert_string_equal(err.msg, "no samples to summarize");
	(void)state;
}

static volatile double sink;

static int spin(void *ctx)
{
	int *calls = ctx;
	double a = 0;
	for (int i = 0; i < 20000; i++)
		a += i * 0.5;
	sink = a;
	(*calls)++;
	return 0;
}

static void timing_loop_groups_calls_and_reports_the_region(void **state)
{
	gr_bench_timing t;
	gr_bench_result r;
	int calls = 0;
	gr_bench_timing_default(&t, 1);
	t.budget_s = 0.05;
	assert_int_equal(gr_bench_time(spin, &calls, &t, &r, NULL), GR_OK);
	assert_true(r.n_samples >= (size_t)t.min_samples);
	assert_true(r.inner >= 1);
	assert_int_equal(r.calls, (int64_t)r.n_samples * r.inner);
	assert_true(calls > r.calls); /* warm-up calls are not timed */
	assert_true(r.t_end > r.t_start);
	assert_true(r.st.min > 0 && r.st.median >= r.st.min);
	/* each sample lasts at least min_sample_s when grouped */
	assert_true(r.st.median * r.inner >= t.min_sample_s * 0.5);
	free(r.samples);
	(void)state;
}

static int failing(void *ctx)
{
	(void)ctx;
	return -1;
}

static void timing_loop_reports_a_failing_kernel(void **state)
{
	gr_bench_timing t;
	gr_bench_result r;
	gr_error err = {0};
	gr_bench_timing_default(&t, 1);
	assert_int_equal(gr_bench_time(failing, NULL, &t, &r, &err), GR_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "warm-up"));
	assert_null(r.samples);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stats_of_one_to_ten_match_numpy),
		cmocka_unit_test(stats_leave_the_input_unsorted),
		cmocka_unit_test(stats_count_far_samples_as_outliers),
		cmocka_unit_test(stats_ci_of_the_median_narrows_with_more_samples),
		cmocka_unit_test(stats_of_identical_samples_have_zero_spread),
		cmocka_unit_test(stats_reject_no_samples),
		cmocka_unit_test(timing_loop_groups_calls_and_reports_the_region),
		cmocka_unit_test(timing_loop_reports_a_failing_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
