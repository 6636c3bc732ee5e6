/* A precision the platform's own profile lacks borrows the profile's nearest fitted precision
 * (otm_transfer_precision): "transferred", within physics, off with no_transfer, never across
 * native and emulated formats, and close to the fit it stands in for. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calibration/calib_impl.h"
#include "graphs/model.h"
#include "zoo_fixture.h"

#define CAL GRAPHS_SOURCE_DIR "/calibration"

static gr_hw_registry *reg;
static gr_graph *g;
static gr_partition *part;

static int setup(void **state)
{
	gr_error err = {0};
	(void)state;
	if (gr_hw_registry_load(GRAPHS_SOURCE_DIR "/hardware", &reg, &err))
		return -1;
	g = load_zoo("resnet18", 1);
	if (gr_partition_build(g, gr_fusion_rules_find("pytorch"), &part, &err))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gr_partition_free(part);
	gr_graph_free(g);
	gr_hw_registry_free(reg);
	return 0;
}

static gr_estimate *run(const gr_hw *hw, int mode, gr_precision prec, int no_transfer, const gr_op_time_model *m)
{
	gr_error err = {0};
	gr_estimate *e = NULL;
	gr_estimate_opts eo = {.precision = (int)prec, .runtime = "pytorch", .no_transfer = no_transfer};
	assert_int_equal(gr_estimate_run_fitted(g, part, hw, mode, &eo, m, &e, &err), GR_OK);
	return e;
}

static void missing_precision_borrows_the_nearest_fitted_one(void **state)
{
	gr_error err = {0};
	gr_profile *p = NULL;
	const gr_hw *orin = gr_hw_registry_find(reg, "jetson_orin_agx_gpu");
	int mode = gr_hw_mode_find(orin, "30w");
	gr_estimate *own, *lent, *off;
	(void)state;
	assert_int_equal(gr_profile_load(CAL "/jetson_orin_agx_gpu/30w/pytorch.json", &p, &err), GR_OK);
	assert_true(p->tm.prec[GR_PREC_FP16].present);
	own = run(orin, mode, GR_PREC_FP16, 0, &p->tm);
	assert_null(own->borrowed_from);
	assert_int_not_equal(own->confidence, GR_CONF_TRANSFERRED);

	p->tm.prec[GR_PREC_FP16].present = 0; /* as if fp16 had never been measured */
	lent = run(orin, mode, GR_PREC_FP16, 0, &p->tm);
	assert_int_equal(lent->confidence, GR_CONF_TRANSFERRED);
	assert_true(lent->confidence_share[GR_CONF_TRANSFERRED] > 0.99);
	assert_non_null(lent->borrowed_from);
	assert_string_equal(lent->borrowed_from, p->tm.label);
	assert_non_null(strstr(lent->note, "no fp16 fit"));
	for (size_t k = 0; k < lent->n_kernels; k++)
		assert_true(lent->kernels[k].efficiency <= 1 + 1e-6);
	/* the same software and silicon: the lent fit lands near the real one (tools/precision_lopo.py
	 * measures 8-17% per mode over 20 models) */
	assert_true(fabs(lent->latency_s / own->latency_s - 1) < 0.35);

	off = run(orin, mode, GR_PREC_FP16, 1, &p->tm);
	assert_int_equal(off->confidence, GR_CONF_THEORETICAL);
	assert_null(off->borrowed_from);
	gr_estimate_free(own);
	gr_estimate_free(lent);
	gr_estimate_free(off);
	gr_profile_free(p);
}

static void native_and_emulated_formats_do_not_lend(void **state)
{
	gr_error err = {0};
	gr_profile *p = NULL;
	const gr_hw *i7 = gr_hw_registry_find(reg, "intel_core_i7_12700k");
	gr_estimate *e;
	otm_prec out;
	gr_precision from;
	(void)state;
	assert_int_equal(gr_profile_load(CAL "/intel_core_i7_12700k/default/pytorch.json", &p, &err), GR_OK);
	/* the i7 runs fp16 and bf16 emulated: its native fp32 fit says nothing of them */
	assert_int_equal(gr_hw_precision_native(i7, GR_PREC_FP16), 0);
	p->tm.prec[GR_PREC_FP16].present = p->tm.prec[GR_PREC_BF16].present = 0;
	assert_int_equal(otm_transfer_precision(&p->tm, i7, -1, GR_PREC_FP16, &out, &from), 0);
	e = run(i7, -1, GR_PREC_FP16, 0, &p->tm);
	assert_int_equal(e->confidence, GR_CONF_THEORETICAL);
	gr_estimate_free(e);
	/* a fit of the precision itself is never replaced */
	assert_int_equal(otm_transfer_precision(&p->tm, i7, -1, GR_PREC_FP32, &out, &from), 0);
	gr_profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(missing_precision_borrows_the_nearest_fitted_one),
		cmocka_unit_test(native_and_emulated_formats_do_not_lend),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
