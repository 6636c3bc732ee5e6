/* Depthwise convolution's peak follows the engine that runs it (op_time_model.c,
 * otm_class_on_matrix_engine): the vector lanes on CPUs and GPUs (no channel reduction to feed
 * SDOT/SMMLA or tensor cores), the MAC array on NPUs. Checked on the physical bounds (fits and
 * the estimator's floor) and on the theoretical mapper's peak alike. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "estimation/mapper.h"
#include "estimation/op_time_model.h"
#include "registry_fixture.h"

static double mapper_peak(const gr_hw *hw, int mode, gr_precision p, int cls)
{
	static gr_hw_estimator ep;
	char why[256];
	gr_map_ctx m = {.hw = hw, .mode = mode, .prec = p, .units = gr_hw_units(hw, mode), .ep = &ep};
	gr_kernel k;
	memset(&k, 0, sizeof(k));
	k.cls = cls;
	assert_int_equal(gr_hw_estimator_params(hw, &ep, why, sizeof(why)), 0);
	return gr_mapper_for(gr_hw_get_class(hw))->peak(&m, &k);
}

/* an int8 CPU with i8mm: the array (SMMLA) peak is 8x fp32, the vector lanes 4x (int8 packed) */
static void cpu_int8_dwconv_runs_on_the_vector_lanes(void **state)
{
	(void)state;
	const char *ids[] = {"mediatek_dimensity_9300", "qualcomm_snapdragon_7_gen_4"};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		int mode = 0;
		const gr_hw *hw = registry_resolve(ids[i], &mode);
		double fp32 = gr_hw_peak_ops(hw, mode, GR_PREC_FP32);
		otm_bounds b;
		otm_bounds_init(&b, hw, mode, GR_PREC_INT8);
		assert_true(fp32 > 0 && b.peak_matrix > b.peak_vector);
		assert_true(fabs(b.peak_vector - 4 * fp32) <= 1e-9 * fp32);
		assert_true(otm_bounds_peak(&b, GR_KC_DWCONV) == b.peak_vector);
		assert_true(otm_bounds_peak(&b, GR_KC_CONV) == b.peak_matrix);
		assert_false(otm_class_on_matrix_engine(GR_KC_DWCONV, hw));
		assert_true(otm_class_on_matrix_engine(GR_KC_CONV, hw));
		/* the theoretical mapper: the same ratio of dwconv to conv */
		double dw = mapper_peak(hw, mode, GR_PREC_INT8, GR_KC_DWCONV);
		double cv = mapper_peak(hw, mode, GR_PREC_INT8, GR_KC_CONV);
		assert_true(dw > 0 && cv > 0);
		assert_true(fabs(dw / cv - b.peak_vector / b.peak_matrix) <= 1e-9);
	}
}

/* fp16 on a tensor-core GPU: dwconv on the CUDA cores (two fp16 per fp32 lane) */
static void gpu_fp16_dwconv_runs_on_cuda_cores(void **state)
{
	(void)state;
	int mode = 0;
	const gr_hw *hw = registry_resolve("nvidia_t4", &mode);
	otm_bounds b;
	otm_bounds_init(&b, hw, mode, GR_PREC_FP16);
	assert_true(b.peak_matrix > b.peak_vector);
	assert_true(otm_bounds_peak(&b, GR_KC_DWCONV) == b.peak_vector);
	assert_true(otm_bounds_peak(&b, GR_KC_GEMM) == b.peak_matrix);
	assert_true(mapper_peak(hw, mode, GR_PREC_FP16, GR_KC_DWCONV) <
		    mapper_peak(hw, mode, GR_PREC_FP16, GR_KC_CONV));
}

/* fill.half_flops is a ramp-up time written as FLOPs at the precision's peak (mappers.c,
 * fill_peak_scale): an int8 depthwise conv on an A100's CUDA cores pays the ramp-up time it paid
 * on the tensor-core peak, not 8x that in FLOPs at the vector rate */
static void gpu_int8_dwconv_fill_time_follows_its_peak(void **state)
{
	(void)state;
	int mode = 0;
	const gr_hw *hw = registry_resolve("nvidia_a100_sxm4_80gb", &mode);
	gr_hw_estimator ep;
	char why[256];
	assert_int_equal(gr_hw_estimator_params(hw, &ep, why, sizeof(why)), 0);
	gr_map_ctx m = {.hw = hw, .mode = mode, .prec = GR_PREC_INT8, .units = gr_hw_units(hw, mode), .ep = &ep};
	const gr_mapper *mp = gr_mapper_for(gr_hw_get_class(hw));
	gr_kernel k;
	memset(&k, 0, sizeof(k));
	k.cls = GR_KC_DWCONV;
	k.flops = 4e6;
	double p = gr_hw_effective_peak_ops(hw, mode, GR_PREC_INT8), v = mp->peak(&m, &k);
	double e0 = ep.efficiency[GR_KC_DWCONV], e = mp->efficiency(&m, &k);
	assert_true(ep.fill_all_kernels && ep.fill_per_unit && v > 0 && v < p / 4 && e > 0 && e < e0);
	/* time = (w + half') / (peak x e0): the ramp-up is half' / (v x e0), on the tensor-core
	 * peak it was half x units / (p x e0) */
	double ramp = k.flops / (v * e) - k.flops / (v * e0);
	double ramp_matrix = ep.fill_half_flops * (double)m.units / (p * e0);
	assert_true(fabs(ramp - ramp_matrix) <= 0.01 * ramp_matrix);
	/* a tensor-core conv keeps the ramp in FLOPs at the precision's peak */
	k.cls = GR_KC_CONV;
	assert_true(mp->peak(&m, &k) == p);
	/* the vector classes ramp up in fill.vector_us, whatever their peak: compute time is
	 * flops / (peak x e0) + vector_us */
	k.cls = GR_KC_ELEMENTWISE;
	double pv = mp->peak(&m, &k), e0v = ep.efficiency[GR_KC_ELEMENTWISE];
	assert_true(ep.fill_vector_us > 0);
	double rampv = k.flops / (pv * mp->efficiency(&m, &k)) - k.flops / (pv * e0v);
	assert_true(fabs(rampv - ep.fill_vector_us * 1e-6) <= 1e-9 * ep.fill_vector_us);
}

/* an NPU feeds depthwise convs to its MAC array: the array peak stays */
static void npu_dwconv_keeps_the_array_peak(void **state)
{
	(void)state;
	int mode = 0;
	const gr_hw *hw = registry_resolve("rockchip_rk3588_npu", &mode);
	otm_bounds b;
	otm_bounds_init(&b, hw, mode, GR_PREC_INT8);
	assert_true(b.peak_matrix > 0);
	assert_true(otm_bounds_peak(&b, GR_KC_DWCONV) == b.peak_matrix);
	assert_true(otm_class_on_matrix_engine(GR_KC_DWCONV, hw));
	assert_true(mapper_peak(hw, mode, GR_PREC_INT8, GR_KC_DWCONV) ==
		    mapper_peak(hw, mode, GR_PREC_INT8, GR_KC_CONV));
	/* no platform: the class alone decides, as before */
	assert_true(otm_class_on_matrix_engine(GR_KC_DWCONV, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cpu_int8_dwconv_runs_on_the_vector_lanes),
		cmocka_unit_test(gpu_fp16_dwconv_runs_on_cuda_cores),
		cmocka_unit_test(gpu_int8_dwconv_fill_time_follows_its_peak),
		cmocka_unit_test(npu_dwconv_keeps_the_array_peak),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
