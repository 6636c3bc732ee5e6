/* Accuracy regression: leave-one-model-out on ../shared/groundtruth for every platform and
 * precision. Each model is predicted (whole model through the estimator, and each measured
 * subgraph) by a profile fitted without any of its rows; the whole-model MAPE and the median
 * subgraph error must stay within tests/data/accuracy_thresholds.csv, which also pins the issue's
 * targets. Prints every figure, and "new best" where a threshold could be lowered. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graphs/calibrate.h"

#include "groundtruth.h"

#define GT GT_DIR
#define THRESHOLDS GRAPHS_SOURCE_DIR "/tests/data/accuracy_thresholds.csv"

static gr_meas_set *set;
static gr_calib_cache *cache;

static int setup(void **state)
{
	gr_error err = {0};
	(void)state;
	if (gr_meas_set_new(&set, &err) || gr_calib_cache_new(NULL, &cache, &err))
		return -1;
	if (gr_meas_load(set, GT "/models.csv", NULL, &err) || gr_meas_load(set, GT "/subgraphs.csv", NULL, &err)) {
		print_message("ground truth not readable (%s): the accuracy test is skipped\n", err.msg);
		gr_meas_set_free(set);
		set = NULL;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gr_meas_set_free(set);
	gr_calib_cache_free(cache);
	return 0;
}

static double threshold(const char *hw, const char *prec, const char *metric)
{
	FILE *f = fopen(THRESHOLDS, "r");
	char line[256];
	double t = -1;
	while (f && fgets(line, sizeof(line), f)) {
		char h[64], p[16], m[32];
		double v;
		if (line[0] == '#' || sscanf(line, "%63[^,],%15[^,],%31[^,],%lf", h, p, m, &v) != 4)
			continue;
		if (!strcmp(h, hw) && !strcmp(p, prec) && !strcmp(m, metric))
			t = v;
	}
	if (f)
		fclose(f);
	return t;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The targets for whole-model MAPE. */
static double target(const char *hw, const char *prec)
{
	if (!strcmp(hw, "intel_core_i7_12700k"))
		return !strcmp(prec, "fp32") ? 10 : 15;
	return strstr(hw, ":maxn") ? 15 : 20;
}

static int check(const char *hw, gr_precision prec)
{
	const char *models[64];
	size_t nm = 0, nsub = 0, cap = 4096;
	double sum = 0, *sub = malloc(cap * sizeof(double));
	int n = 0, within = 0, fails = 0;
	const char *pn = gr_precision_name(prec);
	gr_error err = {0};

	assert_non_null(sub);
	for (size_t i = 0; i < gr_meas_count(set); i++) {
		const gr_meas_row *r = gr_meas_at(set, i);
		size_t j;
		if (strcmp(r->hw, hw) || r->precision != (int)prec)
			continue;
		for (j = 0; j < nm && strcmp(models[j], r->model); j++)
			;
		if (j == nm && nm < 64)
			models[nm++] = r->model;
	}
	for (size_t mi = 0; mi < nm; mi++) {
		gr_fit_opts o = {0};
		gr_profile *p = NULL;
		o.hw = hw;
		o.precision = (int)prec;
		o.exclude_model = models[mi];
		o.cache = cache;
		if (gr_profile_fit(set, &o, &p, &err)) {
			print_message("%s %s without %s: %s\n", hw, pn, models[mi], err.msg);
			fails++;
			continue;
		}
		for (size_t i = 0; i < gr_meas_count(set); i++) {
			const gr_meas_row *r = gr_meas_at(set, i);
			gr_calib_prediction pr;
			double e;
			if (strcmp(r->hw, hw) || r->precision != (int)prec || strcmp(r->model, models[mi]))
				continue;
			if (gr_calib_predict_row(cache, p, r, &pr, &err)) {
				print_message("%s: %s\n", r->model, err.msg);
				fails++;
				continue;
			}
			e = (pr.latency_s - r->latency_s) / r->latency_s;
			if (r->kind == GR_MEAS_MODEL) {
				sum += fabs(e);
				within += fabs(e) <= 0.10;
				n++;
				print_message("  %-24s %-4s %-20s b%-3lld measured %9.2f ms  predicted %9.2f ms  %+6.1f%%  %s\n",
					      hw, pn, r->model, (long long)r->batch, r->latency_s * 1e3,
					      pr.latency_s * 1e3, 100 * e, gr_confidence_name(pr.confidence));
			} else {
				if (nsub == cap) {
					double *ns = realloc(sub, 2 * cap * sizeof(double));
					assert_non_null(ns);
					sub = ns;
					cap *= 2;
				}
				sub[nsub++] = fabs(e);
			}
		}
		gr_profile_free(p);
	}
	/* nothing predicted is no pass: the median of no errors is NAN, and NAN exceeds no threshold */
	if (!n || !nsub) {
		print_message("FAIL: %s %s: %d model rows and %zu subgraph rows predicted: nothing to check\n", hw, pn, n,
			      nsub);
		fails++;
	} else {
		double mape = 100 * sum / n, med, t_mape = threshold(hw, pn, "model_mape"),
		       t_sub = threshold(hw, pn, "subgraph_median");
		qsort(sub, nsub, sizeof(double), cmp_d);
		med = 100 * sub[nsub / 2];
		print_message("%-24s %-4s LOMO: model MAPE %5.1f%% (threshold %.1f, target %.0f), %2d/%d within +-10%%, "
			      "subgraph median error %5.1f%% (threshold %.1f, %zu subgraphs)\n",
			      hw, pn, mape, t_mape, target(hw, pn), within, n, med, t_sub, nsub);
		if (t_mape < 0 || t_sub < 0) {
			print_message("FAIL: no threshold for %s %s in %s\n", hw, pn, THRESHOLDS);
			fails++;
		}
		if (!(mape <= t_mape && mape <= target(hw, pn))) {
			print_message("FAIL: %s %s model MAPE %.1f%% exceeds its threshold\n", hw, pn, mape);
			fails++;
		} else if (mape < t_mape - 1.0) {
			print_message("new best: %s %s model MAPE %.1f%%: you may lower its threshold\n", hw, pn, mape);
		}
		if (!(med <= t_sub)) {
			print_message("FAIL: %s %s subgraph median error %.1f%% exceeds its threshold\n", hw, pn, med);
			fails++;
		} else if (med < t_sub - 1.0) {
			print_message("new best: %s %s subgraph median %.1f%%: you may lower its threshold\n", hw, pn, med);
		}
	}
	free(sub);
	return fails;
}

static void run_platform(const char *hw)
{
	static const gr_precision precs[] = {GR_PREC_FP32, GR_PREC_FP16, GR_PREC_BF16};
	int fails = 0;
	if (!set)
		GT_REQUIRE("models.csv");
	assert_non_null(set);
	for (size_t i = 0; i < 3; i++)
		fails += check(hw, precs[i]);
	assert_int_equal(fails, 0);
}

/* A platform or precision without rows must fail the check, not pass it with no figures. */
static void no_rows_fail_the_check(void **s)
{
	gr_meas_set *full = set, *empty = NULL;
	gr_error err = {0};
	(void)s;
	assert_int_equal(gr_meas_set_new(&empty, &err), GR_OK);
	set = empty;
	print_message("(the FAIL lines of this test are expected)\n");
	assert_true(check("intel_core_i7_12700k", GR_PREC_FP32) > 0);
	set = full;
	if (set) /* rows of other platforms only */
		assert_true(check("nvidia_h100_sxm5", GR_PREC_FP32) > 0);
	gr_meas_set_free(empty);
}

static void i7_12700k_lomo_within_thresholds(void **s) { (void)s; run_platform("intel_core_i7_12700k"); }
static void orin_15w_lomo_within_thresholds(void **s) { (void)s; run_platform("jetson_orin_agx_gpu:15w"); }
static void orin_30w_lomo_within_thresholds(void **s) { (void)s; run_platform("jetson_orin_agx_gpu:30w"); }
static void orin_50w_lomo_within_thresholds(void **s) { (void)s; run_platform("jetson_orin_agx_gpu:50w"); }
static void orin_maxn_lomo_within_thresholds(void **s) { (void)s; run_platform("jetson_orin_agx_gpu:maxn"); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_rows_fail_the_check),
		cmocka_unit_test(i7_12700k_lomo_within_thresholds),
		cmocka_unit_test(orin_15w_lomo_within_thresholds),
		cmocka_unit_test(orin_30w_lomo_within_thresholds),
		cmocka_unit_test(orin_50w_lomo_within_thresholds),
		cmocka_unit_test(orin_maxn_lomo_within_thresholds),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
