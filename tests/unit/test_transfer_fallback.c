/* Transfer (docs/transfer.md): a donor's matrix classes slowed by ops it sends to its host,
 * which the target runs on its device, are not lent; the transfer still never beats the target's
 * peak. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "calibration/calib_impl.h"

#define CAL GRAPHS_SOURCE_DIR "/calibration"

static gr_hw_registry *reg;
static char root[256];

static int setup(void **state)
{
	gr_error err = {0};
	(void)state;
	snprintf(root, sizeof(root), "/tmp/graphs-test-transfer-fallback-%d", (int)getpid());
	mkdir(root, 0755);
	return gr_hw_registry_load(GRAPHS_SOURCE_DIR "/hardware", &reg, &err) ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[512];
	(void)state;
	gr_hw_registry_free(reg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd) == 0 ? 0 : -1;
}

static const gr_hw *resolve(const char *spec, int *mode)
{
	const gr_hw *hw = NULL;
	gr_error err = {0};
	assert_int_equal(gr_hw_registry_resolve(reg, spec, &hw, mode, &err), GR_OK);
	return hw;
}

/* The shipped profile of id transferred alone to t. */
static void transfer_one(const char *id, const char *runtime, const gr_hw *t, int mt, gr_op_time_model *out)
{
	char path[600];
	gr_profile *p = NULL;
	gr_error err = {0};
	int md;
	const gr_hw *d = resolve(id, &md);
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
	const gr_hw *rk3562 = resolve("rockchip_rk3562_npu", &m62), *rk3568 = resolve("rockchip_rk3568_npu", &m68);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fallback_round_trips_are_not_lent),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
