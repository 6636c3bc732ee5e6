/* Theoretical (uncalibrated) estimates against real PyTorch measurements on an Intel
 * i7-12700K (../shared/groundtruth/models.csv): fp32 whole-model MAPE must stay within 35%,
 * and fp16/bf16 must reproduce the large emulation slowdown. Prints every model's error. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graphs/estimate.h"
#include "graphs/model.h"
#include "graphs/zoo.h"

#include "groundtruth.h"
#include "registry_fixture.h"

#define GT_MODELS GT_DIR "/models.csv"

/* Estimated latency in ms of a zoo model, or -1. */
static double estimate_ms(const char *model, int64_t batch, const char *hwid, gr_precision prec)
{
	char path[1024];
	gr_error err = {0};
	gr_graph *g = NULL;
	gr_partition *p = NULL;
	gr_estimate *e = NULL;
	gr_estimate_opts eo = {.precision = (int)prec, .runtime = "pytorch", .amp = 0};
	const gr_hw *hw;
	int mode;
	double ms = -1;

	if (gr_zoo_resolve(model, path, sizeof(path), &err) || gr_model_load(path, NULL, &g, &err) ||
	    (gr_zoo_bind_defaults(g, model), gr_graph_bind_dim(g, "batch", batch, &err)) || gr_graph_infer(g, &err) ||
	    gr_partition_build(g, gr_fusion_rules_find("pytorch"), &p, &err) ||
	    gr_hw_registry_resolve(reg, hwid, &hw, &mode, &err) ||
	    gr_estimate_run(g, p, hw, mode, &eo, &e, &err))
		print_message("%s: %s\n", model, err.msg);
	else
		ms = e->latency_s * 1e3;
	gr_estimate_free(e);
	gr_partition_free(p);
	gr_graph_free(g);
	return ms;
}

/* Measured fp32 latency of (model, batch) on the i7, or -1. */
static double measured_fp32(const char *model, long batch)
{
	FILE *f = fopen(GT_MODELS, "r");
	char line[2048], hw[64], pr[16], m[64];
	long b;
	double ms, found = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63[^,],%15[^,],%63[^,],%ld,%*[^,],,%lf", hw, pr, m, &b, &ms) == 5 &&
		    !strcmp(hw, "intel_core_i7_12700k") && !strcmp(pr, "fp32") && !strcmp(m, model) && b == batch)
			found = ms;
	if (f)
		fclose(f);
	return found;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Prints per-model errors; returns MAPE, and for emulated precisions the median ratio of
 * estimated (P / fp32) and of measured (P / fp32) latencies. */
static void check_precision(const char *prec_name, double *mape_out, double *est_ratio, double *meas_ratio)
{
	FILE *f = fopen(GT_MODELS, "r");
	char line[2048];
	double sum = 0, er[64], mr[64];
	int n = 0, nr = 0;
	int prec = gr_precision_parse(prec_name);

	if (!f)
		GT_REQUIRE("models.csv");
	assert_non_null(f);
	assert_true(fgets(line, sizeof(line), f) != NULL);
	while (fgets(line, sizeof(line), f)) {
		char hw[64], pr[16], model[64];
		long batch;
		double measured, est, err;
		/* hardware,precision,model,batch,device,thermal,total_latency_ms,... */
		if (sscanf(line, "%63[^,],%15[^,],%63[^,],%ld,%*[^,],,%lf", hw, pr, model, &batch, &measured) != 5)
			continue;
		if (strcmp(hw, "intel_core_i7_12700k") || strcmp(pr, prec_name))
			continue;
		est = estimate_ms(model, batch, "intel_core_i7_12700k", (gr_precision)prec);
		assert_true(est > 0);
		err = fabs(est - measured) / measured;
		sum += err;
		n++;
		print_message("%-6s %-20s b%-3ld measured %9.2f ms  estimated %9.2f ms  error %+6.1f%%\n", prec_name,
			      model, batch, measured, est, 100 * (est - measured) / measured);
		if (prec != GR_PREC_FP32 && nr < 64) {
			double m32 = measured_fp32(model, batch);
			double e32 = estimate_ms(model, batch, "intel_core_i7_12700k", GR_PREC_FP32);
			if (m32 > 0 && e32 > 0) {
				mr[nr] = measured / m32;
				er[nr++] = est / e32;
			}
		}
	}
	fclose(f);
	assert_true(n > 0);
	*mape_out = 100 * sum / n;
	print_message("%s: %d rows, MAPE %.1f%%\n", prec_name, n, *mape_out);
	if (nr) {
		qsort(er, (size_t)nr, sizeof(double), cmp_double);
		qsort(mr, (size_t)nr, sizeof(double), cmp_double);
		*est_ratio = er[nr / 2];
		*meas_ratio = mr[nr / 2];
		print_message("%s/fp32 slowdown: measured median %.1fx (%.1f-%.1fx), estimated median %.1fx (%.1f-%.1fx)\n",
			      prec_name, mr[nr / 2], mr[0], mr[nr - 1], er[nr / 2], er[0], er[nr - 1]);
	}
}

static void i7_fp32_theoretical_mape_within_35_percent(void **state)
{
	double mape, r1, r2;
	(void)state;
	check_precision("fp32", &mape, &r1, &r2);
	assert_true(mape <= 35.0);
}

static void i7_fp16_and_bf16_reproduce_emulation_slowdown(void **state)
{
	double mape16, mapebf, e16, m16, ebf, mbf;
	(void)state;
	check_precision("fp16", &mape16, &e16, &m16);
	check_precision("bf16", &mapebf, &ebf, &mbf);
	/* the typical slowdown is reproduced within a factor of two */
	assert_true(e16 >= m16 / 2 && e16 <= m16 * 2);
	assert_true(ebf >= mbf / 2 && ebf <= mbf * 2);
	assert_true(mape16 <= 60.0);
	assert_true(mapebf <= 60.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(i7_fp32_theoretical_mape_within_35_percent),
		cmocka_unit_test(i7_fp16_and_bf16_reproduce_emulation_slowdown),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
