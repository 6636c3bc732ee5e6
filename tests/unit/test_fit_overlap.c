/* The compute/memory overlap of matrix ops (otm_prec.overlap, docs/calibrate.md): the estimator
 * charges max + (1 - overlap) x min of an op's compute and memory, the fit assigns each op to
 * its longer bound and picks the share that fits best, and profiles keep it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmpdir_fixture.h"
#include "calibration/calib_impl.h"

static int setup(void **state)
{
	(void)state;
	return fixture_tmpdir_make("graphs_test_overlap");
}

static int teardown(void **state)
{
	(void)state;
	return fixture_tmpdir_remove();
}

static void near(double got, double want)
{
	if (fabs(got - want) > 1e-9 * fabs(want))
		fail_msg("got %.12g, want %.12g", got, want);
}

/* One op's time: compute 2 ms, memory 3 ms, 10 us fixed; the sum, the roofline, in between. */
static void estimator_overlaps_a_matrix_op_by_the_profile_share(void **state)
{
	otm_prec cp;
	otm_node n;
	double parts[3];
	(void)state;
	memset(&cp, 0, sizeof(cp));
	memset(&n, 0, sizeof(n));
	cp.present = 1;
	cp.bytes_per_elem = 4;
	for (int k = GR_KC_GEMM; k <= GR_KC_ELEMENTWISE; k += GR_KC_ELEMENTWISE - GR_KC_GEMM) {
		cp.cls[k].fitted = 1;
		cp.cls[k].coef[CF_OP] = 10e-6;
		cp.cls[k].coef[CF_FLOPS] = 1e-12;      /* 2e9 FLOPs: 2 ms */
		cp.cls[k].coef[CF_BYTES] = 1.0 / 4e9; /* 12 MB: 3 ms */
	}
	n.cls = GR_KC_GEMM;
	n.flops = 2e9;
	n.ew = 3e6;
	assert_true(otm_class_roofline(GR_KC_GEMM) && otm_class_roofline(GR_KC_CONV));
	assert_false(otm_class_roofline(GR_KC_ELEMENTWISE));
	near(otm_node_time(&cp, &n, 1, parts), 5.01e-3); /* older profiles: the sum */
	cp.overlap = 1;
	near(otm_node_time(&cp, &n, 1, parts), 3.01e-3); /* the roofline */
	near(parts[0], 2e-3);
	near(parts[1], 1e-3); /* memory: only what it takes beyond compute */
	near(parts[2], 10e-6);
	cp.overlap = 0.5;
	near(otm_node_time(&cp, &n, 1, NULL), 4.01e-3);
	/* a vector op's compute and memory stay a sum whatever the share */
	n.cls = GR_KC_ELEMENTWISE;
	near(otm_node_time(&cp, &n, 1, NULL), 5.01e-3);
}

/* A profile of round coefficients on the i7: GEMMs at 300 GFLOP/s and 60 GB/s, so that the
 * classifiers of the models below are memory-bound at batch 1 and 4 (about b/2 FLOPs per byte)
 * and compute-bound at 16. */
static gr_profile *known_profile(double overlap)
{
	gr_profile *p = calloc(1, sizeof(*p));
	otm_prec *cp = &p->tm.prec[GR_PREC_FP32];
	p->version = 1;
	snprintf(p->tm.hw, sizeof(p->tm.hw), "intel_core_i7_12700k");
	snprintf(p->tm.runtime, sizeof(p->tm.runtime), "pytorch");
	cp->present = 1;
	cp->bytes_per_elem = 4;
	cp->llc_bytes = 25e6;
	cp->overlap = overlap;
	for (int k = 0; k < CC_COUNT; k++) {
		cp->cls[k].fitted = 1;
		cp->cls[k].coef[CF_OP] = 10e-6;
		cp->cls[k].coef[CF_BYTES] = 1.0 / 20e9;
	}
	cp->cls[GR_KC_CONV].coef[CF_FLOPS] = 1.0 / 400e9;
	cp->cls[GR_KC_DWCONV].coef[CF_FLOPS] = 1.0 / 40e9;
	cp->cls[GR_KC_GEMM].coef[CF_FLOPS] = 1.0 / 300e9;
	cp->cls[GR_KC_GEMM].coef[CF_BYTES] = 1.0 / 60e9;
	cp->glob[CG_KERNEL] = 5e-6;
	return p;
}

/* Rows made up by known: one per kernel of our partition (named by its ops' modules) and one per
 * model, at batches 1, 4 and 16. */
static gr_meas_set *synthesize(gr_calib_cache *c, const gr_profile *known)
{
	static const char *models[] = {"resnet18", "mobilenet_v2", "efficientnet_b0", "resnet50"};
	static const int64_t batches[] = {1, 4, 16};
	const otm_prec *cp = &known->tm.prec[GR_PREC_FP32];
	FILE *fm = fopen(tmp("m.csv"), "w"), *fs = fopen(tmp("s.csv"), "w");
	gr_meas_set *s;
	gr_error err = {0};
	assert_non_null(fm);
	assert_non_null(fs);
	fprintf(fm, "hardware,precision,model,batch,device,thermal,total_latency_ms,total_flops,total_bytes,"
		    "subgraphs,date,source\n");
	fprintf(fs, "hardware,precision,model,batch,subgraph,pattern,optype,flops,bytes,latency_ms,"
		    "latency_std_ms,nodes\n");
	for (size_t m = 0; m < sizeof(models) / sizeof(models[0]); m++)
		for (size_t b = 0; b < 3; b++) {
			calib_model *cm;
			double total = 0;
			assert_int_equal(calib_cache_model(c, models[m], batches[b], "pytorch", &cm, &err), GR_OK);
			for (size_t k = 0; k < gr_partition_count(cm->p); k++) {
				double t = cp->glob[CG_KERNEL];
				char nodes[2048] = "";
				size_t len = 0;
				for (size_t i = 0; i < cm->n_nodes; i++)
					if (cm->kernel_of[i] == (int)k || cm->view_kernel[i] == (int)k) {
						t += otm_node_time(cp, &cm->nodes[i], batches[b], NULL);
						if (len + strlen(cm->module[i]) + 2 < sizeof(nodes) && cm->module[i][0] &&
						    !strstr(nodes, cm->module[i]))
							len += (size_t)snprintf(nodes + len, sizeof(nodes) - len, "%s%s",
										len ? "|" : "", cm->module[i]);
					}
				total += t;
				fprintf(fs, "intel_core_i7_12700k,fp32,%s,%lld,%zu,P,op,0,0,%.9f,0,%s\n", models[m],
					(long long)batches[b], k, t * 1e3, nodes[0] ? nodes : "x");
			}
			fprintf(fm, "intel_core_i7_12700k,fp32,%s,%lld,cpu,,%.9f,0,0,1,,synthetic\n", models[m],
				(long long)batches[b], total * 1e3);
		}
	fclose(fm);
	fclose(fs);
	assert_int_equal(gr_meas_set_new(&s, &err), GR_OK);
	assert_int_equal(gr_meas_load(s, tmp("m.csv"), NULL, &err), GR_OK);
	assert_int_equal(gr_meas_load(s, tmp("s.csv"), NULL, &err), GR_OK);
	return s;
}

/* Fits rows made up by known, and checks that the fit predicts resnet50 as known does. */
static gr_profile *fit(gr_calib_cache *c, const gr_profile *known)
{
	gr_meas_set *s = synthesize(c, known);
	gr_profile *p = NULL;
	gr_error err = {0};
	gr_fit_opts o = {0};
	o.hw = "intel_core_i7_12700k";
	o.precision = GR_PREC_FP32;
	o.cache = c;
	assert_int_equal(gr_profile_fit(s, &o, &p, &err), GR_OK);
	for (int64_t b = 1; b <= 16; b *= 4) {
		gr_calib_prediction want, got;
		assert_int_equal(gr_calib_predict_model(c, known, "resnet50", b, GR_PREC_FP32, "intel_core_i7_12700k",
							&want, &err), GR_OK);
		assert_int_equal(gr_calib_predict_model(c, p, "resnet50", b, GR_PREC_FP32, "intel_core_i7_12700k",
							&got, &err), GR_OK);
		print_message("resnet50 b%lld: made %.3f ms, fitted %.3f ms\n", (long long)b, want.latency_s * 1e3,
			      got.latency_s * 1e3);
		assert_true(fabs(got.latency_s / want.latency_s - 1) < 0.05);
	}
	gr_meas_set_free(s);
	return p;
}

/* Regression (issue #12): memory-bound GEMVs (batch-1 classifiers) measured by a roofline do not
 * drag the GEMM FLOP rate that the compute-bound batch-16 ones set: the fit finds the roofline
 * and the rate. Rows a sum made keep the sum. */
static void fit_finds_the_overlap_and_a_gemv_does_not_drag_the_flop_rate(void **state)
{
	gr_profile *roof = known_profile(1), *sum = known_profile(0), *p;
	gr_calib_cache *c;
	gr_error err = {0};
	const otm_prec *fp;
	(void)state;
	assert_int_equal(gr_calib_cache_new(NULL, &c, &err), GR_OK);
	p = fit(c, roof);
	fp = &p->tm.prec[GR_PREC_FP32];
	print_message("roofline rows: overlap %.2f, gemm %.1f GFLOP/s\n", fp->overlap,
		      1e-9 / fp->cls[GR_KC_GEMM].coef[CF_FLOPS]);
	assert_true(fp->overlap == 1);
	assert_true(fabs(fp->cls[GR_KC_GEMM].coef[CF_FLOPS] * 300e9 - 1) < 0.05);
	gr_profile_free(p);
	p = fit(c, sum);
	fp = &p->tm.prec[GR_PREC_FP32];
	print_message("summed rows: overlap %.2f, gemm %.1f GFLOP/s\n", fp->overlap,
		      1e-9 / fp->cls[GR_KC_GEMM].coef[CF_FLOPS]);
	assert_true(fp->overlap == 0);
	assert_true(fabs(fp->cls[GR_KC_GEMM].coef[CF_FLOPS] * 300e9 - 1) < 0.05);
	gr_profile_free(p);
	gr_profile_free(roof);
	gr_profile_free(sum);
	gr_calib_cache_free(c);
}

/* Profiles keep the share; one out of [0, 1] is an error naming the file and the key. */
static void profile_keeps_the_overlap_and_rejects_one_out_of_range(void **state)
{
	gr_profile *p = known_profile(0.75), *q = NULL;
	gr_error err = {0};
	char *text;
	FILE *f;
	long n;
	(void)state;
	assert_int_equal(gr_profile_save(p, tmp("p.json"), &err), GR_OK);
	assert_int_equal(gr_profile_load(tmp("p.json"), &q, &err), GR_OK);
	assert_true(q->tm.prec[GR_PREC_FP32].overlap == 0.75);
	gr_profile_free(q);
	q = NULL;
	f = fopen(tmp("p.json"), "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc((size_t)n + 1, 1);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	assert_non_null(strstr(text, "0.75"));
	memcpy(strstr(text, "0.75"), "1.75", 4);
	f = fopen(tmp("bad.json"), "w");
	fputs(text, f);
	fclose(f);
	assert_int_not_equal(gr_profile_load(tmp("bad.json"), &q, &err), GR_OK);
	assert_null(q);
	print_message("%s\n", err.msg);
	assert_non_null(strstr(err.msg, "bad.json"));
	assert_non_null(strstr(err.msg, "overlap"));
	free(text);
	gr_profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(estimator_overlaps_a_matrix_op_by_the_profile_share),
		cmocka_unit_test(fit_finds_the_overlap_and_a_gemv_does_not_drag_the_flop_rate),
		cmocka_unit_test(profile_keeps_the_overlap_and_rejects_one_out_of_range),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
