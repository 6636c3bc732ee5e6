/* Transfer between NPUs (docs/transfer.md): a donor's matrix classes slowed by ops it sends to
 * its host, which the target runs on its device, are not lent; an SoC NPU's byte rates go over
 * as they are, not as shares of the bus, and never beyond the target's bandwidth. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calibration/calib_impl.h"
#include "registry_fixture.h"

#define CAL GRAPHS_SOURCE_DIR "/calibration"

/* The shipped profile of id transferred alone to t. */
static void transfer_one(const char *id, const char *runtime, const gr_hw *t, int mt, gr_op_time_model *out)
{
	char path[600];
	gr_profile *p = NULL;
	gr_error err = {0};
	int md;
	const gr_hw *d = registry_resolve(id, &md);
	snprintf(path, sizeof(path), "%s/%s/default/%s.json", CAL, id, runtime);
	assert_int_equal(gr_profile_load(path, &p, &err), GR_OK);
	assert_true(otm_transfer(&p->tm, d, md, t, mt, out) > 0);
	gr_profile_free(p);
}

/* The RK3568 runs Softmax on its CPUs (its registry op list lacks it), and its fit charges the
 * round trips to the attention MatMuls beside it: 240 times its convolutions' time per FLOP.
 * The RK3562 runs Softmax on its NPU: its matmuls are lent at the convolutions' share. A target
 * that also falls back keeps the donor's figure. */
static void fallback_round_trips_are_not_lent(void **state)
{
	gr_op_time_model to62, to68;
	int m62, m68;
	const gr_hw *rk3562 = registry_resolve("rockchip_rk3562_npu", &m62), *rk3568 = registry_resolve("rockchip_rk3568_npu", &m68);
	const otm_prec *a, *b;
	(void)state;
	transfer_one("rockchip_rk3568_npu", "rknn", rk3562, m62, &to62);
	transfer_one("rockchip_rk3568_npu", "rknn", rk3568, m68, &to68);
	a = &to62.prec[GR_PREC_INT8];
	b = &to68.prec[GR_PREC_INT8];
	assert_true(a->cls[GR_KC_MATMUL].fitted && a->cls[GR_KC_CONV].fitted);
	/* the donor's own matmuls are far slower than its convolutions (the round trips) */
	assert_true(b->cls[GR_KC_MATMUL].coef[CF_FLOPS] > 10 * b->cls[GR_KC_CONV].coef[CF_FLOPS]);
	assert_true(a->cls[GR_KC_MATMUL].coef[CF_FLOPS] <= a->cls[GR_KC_CONV].coef[CF_FLOPS] * (1 + 1e-9));
	/* within the target's peak */
	{
		otm_bounds bt;
		otm_bounds_init(&bt, rk3562, m62, GR_PREC_INT8);
		assert_true(a->cls[GR_KC_MATMUL].coef[CF_FLOPS] * otm_bounds_peak(&bt, GR_KC_MATMUL) >= 1 - 1e-9);
	}
	/* the convolutions are lent as before */
	assert_true(fabs(a->cls[GR_KC_CONV].coef[CF_FLOPS] - b->cls[GR_KC_CONV].coef[CF_FLOPS]) <=
		    1e-9 * b->cls[GR_KC_CONV].coef[CF_FLOPS]);
}

/* The RK3588 (33.8 GB/s) lends to the RK3576 (16.9 GB/s): its byte rates as they are, not
 * halved; from the RK3576 to a target with less bandwidth than the rate, the target's bandwidth
 * caps it. A GPU keeps shares of its bandwidth (the Orin at 15W from MAXN). */
static void soc_npu_byte_rates_go_over_as_they_are(void **state)
{
	gr_op_time_model to76, to62, o15;
	gr_profile *p = NULL;
	gr_error err = {0};
	int m76, m88, m62, m15, mmax;
	const gr_hw *rk3576 = registry_resolve("rockchip_rk3576_npu", &m76), *rk3588 = registry_resolve("rockchip_rk3588_npu", &m88);
	const gr_hw *rk3562 = registry_resolve("rockchip_rk3562_npu", &m62);
	const gr_hw *o15h = registry_resolve("jetson_orin_agx_gpu:15w", &m15), *omax = registry_resolve("jetson_orin_agx_gpu:maxn", &mmax);
	int checked = 0;
	(void)state;
	assert_int_equal(gr_profile_load(CAL "/rockchip_rk3588_npu/default/rknn.json", &p, &err), GR_OK);
	assert_true(otm_transfer(&p->tm, rk3588, m88, rk3576, m76, &to76) > 0);
	for (int c = 0; c < CC_COUNT; c++) {
		const otm_class *d = &p->tm.prec[GR_PREC_INT8].cls[c], *t = &to76.prec[GR_PREC_INT8].cls[c];
		if (!d->fitted || !(d->coef[CF_BYTES] > 0))
			continue;
		/* 1/s_per_byte stays the donor's rate or the target's DRAM bandwidth, whichever is less */
		double want = fmax(d->coef[CF_BYTES], 1 / gr_hw_dram_bandwidth(rk3576, m76));
		assert_true(fabs(t->coef[CF_BYTES] - want) <= 1e-9 * want);
		checked++;
	}
	assert_true(checked > 0);
	assert_true(fabs(to76.prec[GR_PREC_INT8].glob[CG_SPILL] - p->tm.prec[GR_PREC_INT8].glob[CG_SPILL]) <=
		    1e-9 * p->tm.prec[GR_PREC_INT8].glob[CG_SPILL]);
	gr_profile_free(p);
	/* the cap: no class beyond the target's 12.8 GB/s */
	assert_int_equal(gr_profile_load(CAL "/rockchip_rk3576_npu/default/rknn.json", &p, &err), GR_OK);
	assert_true(otm_transfer(&p->tm, rk3576, m76, rk3562, m62, &to62) > 0);
	for (int c = 0; c < CC_COUNT; c++)
		if (to62.prec[GR_PREC_INT8].cls[c].fitted && to62.prec[GR_PREC_INT8].cls[c].coef[CF_BYTES] > 0)
			assert_true(to62.prec[GR_PREC_INT8].cls[c].coef[CF_BYTES] * gr_hw_dram_bandwidth(rk3562, m62) >=
				    1 - 1e-9);
	gr_profile_free(p);
	/* a GPU: shares of bandwidth, as before */
	assert_int_equal(gr_profile_load(CAL "/jetson_orin_agx_gpu/maxn/pytorch.json", &p, &err), GR_OK);
	assert_true(otm_transfer(&p->tm, omax, mmax, o15h, m15, &o15) > 0);
	assert_true(fabs(o15.prec[GR_PREC_FP32].glob[CG_SPILL] -
			 p->tm.prec[GR_PREC_FP32].glob[CG_SPILL] * gr_hw_dram_bandwidth(omax, mmax) /
				 gr_hw_dram_bandwidth(o15h, m15)) <= 1e-9 * o15.prec[GR_PREC_FP32].glob[CG_SPILL] + 1e-30);
	gr_profile_free(p);
}

/* The spill terms are DRAM traffic: a donor whose fit put them at its own DRAM's rate (what a fit
 * to measured rows does: the weight spill is fixed at 1/bandwidth) lends them at most at the
 * target's DRAM rate. The RK3588 (33.8 GB/s) lending to the RK3576 (16.9 GB/s). */
static void soc_npu_spill_stays_within_target_dram(void **state)
{
	gr_op_time_model to76;
	gr_profile *p = NULL;
	gr_error err = {0};
	int m76, m88;
	const gr_hw *rk3576 = registry_resolve("rockchip_rk3576_npu", &m76), *rk3588 = registry_resolve("rockchip_rk3588_npu", &m88);
	double bw88 = gr_hw_dram_bandwidth(rk3588, m88), bw76 = gr_hw_dram_bandwidth(rk3576, m76);
	otm_prec *dp, *tp;
	otm_bounds bt;
	(void)state;
	assert_true(bw88 > bw76 && bw76 > 0);
	assert_int_equal(gr_profile_load(CAL "/rockchip_rk3588_npu/default/rknn.json", &p, &err), GR_OK);
	dp = &p->tm.prec[GR_PREC_INT8];
	/* the donor's spill at its own DRAM's rate: physical for the donor */
	dp->glob[CG_WSPILL] = 1 / bw88;
	dp->glob[CG_SPILL] = 1 / bw88;
	assert_true(otm_transfer(&p->tm, rk3588, m88, rk3576, m76, &to76) > 0);
	tp = &to76.prec[GR_PREC_INT8];
	otm_bounds_init(&bt, rk3576, m76, GR_PREC_INT8);
	assert_true(tp->glob[CG_WSPILL] * bw76 >= 1 - 1e-9);
	/* a spilled activation byte pays its class's s/byte (the fastest level at least) and the
	 * spill term: together no faster than the target's DRAM */
	assert_true((tp->glob[CG_SPILL] + 1 / otm_bounds_bandwidth(&bt, 0, NULL)) * bw76 >= 1 - 1e-9);
	gr_profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fallback_round_trips_are_not_lent),
		cmocka_unit_test(soc_npu_byte_rates_go_over_as_they_are),
		cmocka_unit_test(soc_npu_spill_stays_within_target_dram),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
