/* Transfer (docs/transfer.md): several near donors blended, each blended coefficient between
 * the donors' own scaled ones and within the target's physics; a donor's matrix classes slowed
 * by ops it sends to its host (and the target runs on its device) are not lent. */
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
	snprintf(root, sizeof(root), "/tmp/graphs-test-transfer-blend-%d", (int)getpid());
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

/* A calibration folder under root with the shipped <id>/default/<runtime>.json of ids, searched
 * alone (no user folder, no shipped folder). */
static void search_only(const char *name, const char *runtime, const char *const *ids, size_t n)
{
	char dir[512], empty[300], cmd[2048];
	snprintf(dir, sizeof(dir), "%s/%s", root, name);
	for (size_t i = 0; i < n; i++) {
		snprintf(cmd, sizeof(cmd), "mkdir -p %s/%s/default && cp %s/%s/default/%s.json %s/%s/default/", dir,
			 ids[i], CAL, ids[i], runtime, dir, ids[i]);
		assert_int_equal(system(cmd), 0);
	}
	snprintf(empty, sizeof(empty), "%s/empty", root);
	mkdir(empty, 0755);
	setenv("GRAPHS_CALIBRATION_PATH", dir, 1);
	setenv("GRAPHS_CALIBRATION_DIR", empty, 1);
	setenv("XDG_CONFIG_HOME", empty, 1);
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

/* The 8 Gen 3 has three Hexagon relatives near one another: the nearest lends, the others are
 * blended in and named; every blended figure lies between the donors' scaled ones. */
static void near_donors_are_blended_within_their_range(void **state)
{
	const char *ids[] = {"qualcomm_qcs9075_npu", "qualcomm_sa8775p_npu", "qualcomm_snapdragon_8_elite_npu",
			     "qualcomm_snapdragon_8_elite_gen5_npu"};
	gr_op_time_model one[4];
	gr_profile *p = NULL;
	gr_error err = {0};
	int mt;
	const gr_hw *t = resolve("qualcomm_snapdragon_8_gen_3_npu", &mt);
	otm_bounds bt;
	int checked = 0;
	(void)state;
	search_only("hexagon", "tflite", ids, 4);
	assert_int_equal(gr_profile_transfer_find(reg, t, mt, "tflite", GR_PREC_INT8, &p, &err), GR_OK);
	assert_true(p->tm.n_blend >= 1);
	assert_non_null(strstr(gr_profile_label(p), " blended with "));
	for (int i = 0; i < 4; i++)
		transfer_one(ids[i], "tflite", t, mt, &one[i]);
	otm_bounds_init(&bt, t, mt, GR_PREC_INT8);
	for (int c = 0; c < CC_COUNT; c++) {
		const otm_class *k = &p->tm.prec[GR_PREC_INT8].cls[c];
		if (!k->fitted)
			continue;
		for (int f = 0; f < CF_COUNT; f++) {
			double lo = INFINITY, hi = -INFINITY;
			for (int i = 0; i < 4; i++) {
				const otm_class *q = &one[i].prec[GR_PREC_INT8].cls[c];
				int donor = strstr(p->tm.borrowed_from, ids[i]) != NULL;
				for (int j = 0; j < p->tm.n_blend; j++)
					donor |= strstr(p->tm.blend_from[j], ids[i]) != NULL;
				if (!donor || !q->fitted)
					continue;
				lo = fmin(lo, q->coef[f]);
				hi = fmax(hi, q->coef[f]);
			}
			assert_true(k->coef[f] >= lo * (1 - 1e-9) && k->coef[f] <= hi * (1 + 1e-9));
			checked++;
		}
		/* never beyond the target's peak */
		if (k->coef[CF_FLOPS] > 0 && otm_bounds_peak(&bt, c) > 0)
			assert_true(k->coef[CF_FLOPS] * otm_bounds_peak(&bt, c) >= 1 - 1e-9);
	}
	assert_true(checked > 0);
	/* the nearest alone when it is the only donor: nothing blended */
	gr_profile_free(p);
	search_only("hexagon1", "tflite", ids, 1);
	assert_int_equal(gr_profile_transfer_find(reg, t, mt, "tflite", GR_PREC_INT8, &p, &err), GR_OK);
	assert_int_equal(p->tm.n_blend, 0);
	assert_null(strstr(gr_profile_label(p), "blended"));
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
	/* the memory side and the convolutions are lent as before */
	assert_true(fabs(a->cls[GR_KC_CONV].coef[CF_FLOPS] - b->cls[GR_KC_CONV].coef[CF_FLOPS]) <=
		    1e-9 * b->cls[GR_KC_CONV].coef[CF_FLOPS]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(near_donors_are_blended_within_their_range),
		cmocka_unit_test(fallback_round_trips_are_not_lent),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
