/* Validation metrics against hand-computed values: MAPE, median/max APE, share within ±10%,
 * bias, RMSE, Pearson and Spearman (ties), and the undefined cases. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "graphs/validate.h"

/* pred {110, 90, 200, 50} vs meas {100, 100, 100, 50}:
 * APE {10, 10, 100, 0}: MAPE 30, median (10 + 10) / 2 = 10, max 100, within 10%: 3 of 4
 * (10% exactly counts), bias (10 - 10 + 100 + 0) / 4 = 25.
 * RMSE: sqrt((10^2 + 10^2 + 100^2 + 0) / 4) = sqrt(2550) = 50.4975...
 * Pearson: means 112.5 and 87.5; sxy = 3125, sxx = 12075, syy = 1875;
 *   r = 3125 / sqrt(12075 * 1875) = 0.656758...
 * Spearman: ranks {3, 2, 4, 1} and {3, 3, 3, 1} (three tied 100s share rank 3):
 *   sxy = 3, sxx = 5, syy = 3, rho = 3 / sqrt(15) = 0.774596... */
static void metrics_of_four_pairs_match_hand_computation(void **state)
{
	const double p[] = {110, 90, 200, 50}, m[] = {100, 100, 100, 50};
	gr_val_metrics x;

	assert_int_equal(gr_val_metrics_compute(p, m, 4, &x, NULL), GR_OK);
	assert_int_equal(x.n, 4);
	assert_int_equal(x.skipped, 0);
	assert_float_equal(x.mape, 30, 1e-12);
	assert_float_equal(x.median_ape, 10, 1e-12);
	assert_float_equal(x.max_ape, 100, 1e-12);
	assert_float_equal(x.within10, 75, 1e-12);
	assert_float_equal(x.bias, 25, 1e-12);
	assert_float_equal(x.rmse_ms, sqrt(2550.0), 1e-12);
	assert_float_equal(x.pearson, 3125 / sqrt(12075.0 * 1875.0), 1e-12);
	assert_float_equal(x.pearson, 0.6567586718659173, 1e-12);
	assert_float_equal(x.spearman, 3 / sqrt(15.0), 1e-12);
	(void)state;
}

static void median_of_odd_count_is_the_middle_value(void **state)
{
	/* APE {50, 20, 5}: sorted {5, 20, 50}, median 20, MAPE 25 */
	const double p[] = {150, 80, 105}, m[] = {100, 100, 100};
	gr_val_metrics x;

	assert_int_equal(gr_val_metrics_compute(p, m, 3, &x, NULL), GR_OK);
	assert_float_equal(x.median_ape, 20, 1e-12);
	assert_float_equal(x.mape, 25, 1e-12);
	assert_float_equal(x.within10, 100.0 / 3, 1e-12);
	assert_float_equal(x.bias, (50 - 20 + 5) / 3.0, 1e-12);
	(void)state;
}

static void ten_percent_off_in_decimal_counts_as_within(void **state)
{
	/* 1.1 / 1.0 - 1 computes as 0.10000000000000009 */
	const double p[] = {1.1, 0.9, 1.1000001}, m[] = {1.0, 1.0, 1.0};
	gr_val_metrics x;

	assert_int_equal(gr_val_metrics_compute(p, m, 3, &x, NULL), GR_OK);
	assert_float_equal(x.within10, 200.0 / 3, 1e-12);
	(void)state;
}

static void pairs_without_a_positive_measurement_are_skipped(void **state)
{
	const double p[] = {1, 2, NAN, 4, 5}, m[] = {0, -1, 3, INFINITY, 5};
	gr_val_metrics x;

	assert_int_equal(gr_val_metrics_compute(p, m, 5, &x, NULL), GR_OK);
	assert_int_equal(x.n, 1);
	assert_int_equal(x.skipped, 4);
	assert_float_equal(x.mape, 0, 0);
	assert_float_equal(x.within10, 100, 0);
	assert_true(isnan(x.pearson)); /* one pair: undefined */
	assert_true(isnan(x.spearman));
	(void)state;
}

static void no_pairs_give_nan_figures(void **state)
{
	gr_val_metrics x;

	assert_int_equal(gr_val_metrics_compute(NULL, NULL, 0, &x, NULL), GR_OK);
	assert_int_equal(x.n, 0);
	assert_true(isnan(x.mape));
	assert_true(isnan(x.median_ape));
	assert_true(isnan(x.within10));
	assert_true(isnan(x.rmse_ms));
	assert_int_equal(gr_val_metrics_compute(NULL, NULL, 3, &x, NULL), GR_ERR_USAGE);
	(void)state;
}

static void correlation_of_a_constant_series_is_undefined(void **state)
{
	const double x[] = {1, 2, 3}, c[] = {5, 5, 5};

	assert_true(isnan(gr_val_pearson(x, c, 3)));
	assert_true(isnan(gr_val_spearman(c, x, 3)));
	(void)state;
}

static void perfect_and_inverse_relations(void **state)
{
	const double x[] = {1, 2, 3, 4, 5};
	const double lin[] = {3, 5, 7, 9, 11};     /* 2x + 1 */
	const double cube[] = {1, 8, 27, 64, 125}; /* monotone, not linear */
	const double neg[] = {10, 8, 6, 4, 2};

	assert_float_equal(gr_val_pearson(x, lin, 5), 1, 1e-12);
	assert_float_equal(gr_val_pearson(x, neg, 5), -1, 1e-12);
	assert_float_equal(gr_val_spearman(x, cube, 5), 1, 1e-12);
	assert_true(gr_val_pearson(x, cube, 5) < 0.99);
	assert_float_equal(gr_val_spearman(x, neg, 5), -1, 1e-12);
	(void)state;
}

/* Pearson of x {1, 2, 3, 4, 5} and y {2, 4, 5, 4, 5}: means 3 and 4; sxy = 6, sxx = 10,
 * syy = 6; r = 6 / sqrt(60) = 0.774596... */
static void pearson_matches_hand_computation(void **state)
{
	const double x[] = {1, 2, 3, 4, 5}, y[] = {2, 4, 5, 4, 5};

	assert_float_equal(gr_val_pearson(x, y, 5), 6 / sqrt(60.0), 1e-12);
	(void)state;
}

static void tied_values_share_their_mean_rank(void **state)
{
	const double x[] = {20, 10, 30, 20}, y[] = {7, 7, 7, 1, 9};
	double r[5];

	assert_int_equal(gr_val_ranks(x, 4, r), GR_OK);
	assert_float_equal(r[0], 2.5, 0);
	assert_float_equal(r[1], 1, 0);
	assert_float_equal(r[2], 4, 0);
	assert_float_equal(r[3], 2.5, 0);
	/* 1 -> 1; three 7s share (2 + 3 + 4) / 3 = 3; 9 -> 5 */
	assert_int_equal(gr_val_ranks(y, 5, r), GR_OK);
	assert_float_equal(r[0], 3, 0);
	assert_float_equal(r[2], 3, 0);
	assert_float_equal(r[3], 1, 0);
	assert_float_equal(r[4], 5, 0);
	(void)state;
}

/* Spearman with ties in both series: x {1, 2, 2, 3} -> ranks {1, 2.5, 2.5, 4};
 * y {1, 1, 2, 2} -> {1.5, 1.5, 3.5, 3.5}. Means 2.5; dx {-1.5, 0, 0, 1.5}, dy {-1, -1, 1, 1}:
 * sxy = 1.5 + 1.5 = 3, sxx = 4.5, syy = 4, rho = 3 / sqrt(18) = 0.707106... */
static void spearman_with_ties_in_both_series(void **state)
{
	const double x[] = {1, 2, 2, 3}, y[] = {1, 1, 2, 2};

	assert_float_equal(gr_val_spearman(x, y, 4), 3 / sqrt(18.0), 1e-12);
	(void)state;
}

static void input_order_does_not_change_the_figures(void **state)
{
	const double p1[] = {110, 90, 200, 50}, m1[] = {100, 100, 100, 50};
	const double p2[] = {50, 200, 110, 90}, m2[] = {50, 100, 100, 100};
	gr_val_metrics a, b;

	assert_int_equal(gr_val_metrics_compute(p1, m1, 4, &a, NULL), GR_OK);
	assert_int_equal(gr_val_metrics_compute(p2, m2, 4, &b, NULL), GR_OK);
	assert_float_equal(a.mape, b.mape, 1e-12);
	assert_float_equal(a.median_ape, b.median_ape, 1e-12);
	assert_float_equal(a.pearson, b.pearson, 1e-12);
	assert_float_equal(a.spearman, b.spearman, 1e-12);
	assert_float_equal(a.rmse_ms, b.rmse_ms, 1e-12);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(metrics_of_four_pairs_match_hand_computation),
		cmocka_unit_test(median_of_odd_count_is_the_middle_value),
		cmocka_unit_test(ten_percent_off_in_decimal_counts_as_within),
		cmocka_unit_test(pairs_without_a_positive_measurement_are_skipped),
		cmocka_unit_test(no_pairs_give_nan_figures),
		cmocka_unit_test(correlation_of_a_constant_series_is_undefined),
		cmocka_unit_test(perfect_and_inverse_relations),
		cmocka_unit_test(pearson_matches_hand_computation),
		cmocka_unit_test(tied_values_share_their_mean_rank),
		cmocka_unit_test(spearman_with_ties_in_both_series),
		cmocka_unit_test(input_order_does_not_change_the_figures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
