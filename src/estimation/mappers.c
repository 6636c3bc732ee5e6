/* Class defaults for each mapper. Numbers are starting points for uncalibrated
 * ("theoretical") estimates; calibration replaces them with fitted curves.
 * Why these shapes: small kernels cannot fill all cores/SMs (fill factor), depthwise
 * convs do too little work per byte to use FMA pipes, and matrix engines lose tiles
 * to padding (wave quantization on GPUs, array padding on systolic arrays). */
#include <math.h>
#include <string.h>

#include "estimation/mapper.h"

double gr_map_fill(double w, double half)
{
	if (w <= 0)
		return 1.0;
	return w / (w + half);
}

static int is_matrix(const gr_kernel *k)
{
	return k->cls == GR_KC_CONV || k->cls == GR_KC_GEMM || k->cls == GR_KC_MATMUL ||
	       k->cls == GR_KC_ATTENTION || k->cls == GR_KC_RNN;
}

static double peak_matrix_or_vector(const gr_map_ctx *m, const gr_kernel *k)
{
	double p = gr_hw_effective_peak_ops(m->hw, m->mode, m->prec);
	double v;

	if (is_matrix(k) || k->cls == GR_KC_DWCONV)
		return p;
	/* Vector work runs on the general-purpose lanes: fp32 rate, or the emulated rate. */
	v = gr_hw_peak_ops(m->hw, m->mode, GR_PREC_FP32);
	if (v <= 0 || gr_hw_emulation_factor(m->hw, m->prec) > 0)
		v = p;
	return v > 0 ? v : p;
}

/* --- CPU --------------------------------------------------------------------- */

/* Hybrid CPUs (P- and E-cores): runtimes split an op's work into equal static chunks, one
 * per thread, so every core finishes at the pace of the slowest. The usable share of the
 * summed peak is units x slowest per-unit rate / summed rate. 1 for homogeneous CPUs. */
static double cpu_balanced_share(const gr_hw *hw, gr_precision p)
{
	double sum = 0, slowest = 0, units = 0;
	gr_precision q = gr_hw_precision_native(hw, p) ? p : GR_PREC_FP32;

	if (!gr_hw_engines_combined(hw) || gr_hw_engine_count(hw) < 2)
		return 1.0;
	for (size_t i = 0; i < gr_hw_engine_count(hw); i++) {
		gr_hw_engine_info e;
		double u, rate;
		if (gr_hw_engine_at(hw, i, &e))
			continue;
		u = (double)e.units;
		rate = e.ops_per_clk[q] * e.clock_mhz;
		if (rate <= 0)
			continue;
		sum += u * rate;
		units += u;
		if (slowest == 0 || rate < slowest)
			slowest = rate;
	}
	return sum > 0 ? units * slowest / sum : 1.0;
}

static double cpu_peak(const gr_map_ctx *m, const gr_kernel *k)
{
	return peak_matrix_or_vector(m, k) * cpu_balanced_share(m->hw, m->prec);
}

static double cpu_eff(const gr_map_ctx *m, const gr_kernel *k)
{
	static const double base[GR_KC_COUNT] = {
		[GR_KC_CONV] = 0.70, [GR_KC_DWCONV] = 0.06, [GR_KC_GEMM] = 0.70,
		[GR_KC_MATMUL] = 0.55, [GR_KC_ATTENTION] = 0.40, [GR_KC_POOL] = 0.10,
		[GR_KC_NORM] = 0.10, [GR_KC_ELEMENTWISE] = 0.10, [GR_KC_REDUCE] = 0.10,
		[GR_KC_MOVE] = 0.10, [GR_KC_RNN] = 0.25, [GR_KC_OTHER] = 0.10,
	};
	/* Matrix kernels split into blocks across cores: about 1 MFLOP per core is where
	 * blocking and start-up stop dominating. Low-efficiency classes are already limited
	 * by their inner loops; their fixed costs are the per-op overheads. */
	if (is_matrix(k))
		return base[k->cls] * gr_map_fill(k->flops, 1e6 * (double)(m->units > 0 ? m->units : 1));
	return base[k->cls];
}

static const gr_mapper cpu_mapper = {"cpu", cpu_peak, cpu_eff, 0.65, 0.5, 10.0, NULL};

/* --- GPU --------------------------------------------------------------------- */

/* Share of SM slots doing useful work when M x N output tiles run in waves. */
static double gpu_wave_util(const gr_map_ctx *m, const gr_kernel *k)
{
	double tiles, waves, sms = (double)(m->units > 0 ? m->units : 1);
	if (k->m <= 0 || k->n <= 0)
		return 1.0;
	tiles = ceil(k->m / 128.0) * ceil(k->n / 64.0);
	waves = ceil(tiles / sms);
	return tiles / (waves * sms);
}

static double gpu_eff(const gr_map_ctx *m, const gr_kernel *k)
{
	static const double base[GR_KC_COUNT] = {
		[GR_KC_CONV] = 0.60, [GR_KC_DWCONV] = 0.10, [GR_KC_GEMM] = 0.70,
		[GR_KC_MATMUL] = 0.60, [GR_KC_ATTENTION] = 0.45, [GR_KC_POOL] = 0.20,
		[GR_KC_NORM] = 0.20, [GR_KC_ELEMENTWISE] = 0.25, [GR_KC_REDUCE] = 0.20,
		[GR_KC_MOVE] = 0.20, [GR_KC_RNN] = 0.30, [GR_KC_OTHER] = 0.20,
	};
	double e = base[k->cls] * gr_map_fill(k->flops, 2e6 * (double)(m->units > 0 ? m->units : 1));
	if (is_matrix(k))
		e *= gpu_wave_util(m, k);
	return e;
}

static const gr_mapper gpu_mapper = {"gpu", peak_matrix_or_vector, gpu_eff, 0.75, 0.6, 5.0, NULL};

/* --- systolic arrays (TPU) ------------------------------------------------------ */

#define SYSTOLIC_DIM 128.0

static double pad_util(double x)
{
	return x > 0 ? x / (ceil(x / SYSTOLIC_DIM) * SYSTOLIC_DIM) : 1.0;
}

static double tpu_eff(const gr_map_ctx *m, const gr_kernel *k)
{
	if (is_matrix(k))
		/* weight-stationary: K rows and N columns of the array are filled, M streams */
		return 0.85 * pad_util(k->k) * pad_util(k->n) * gr_map_fill(k->flops, 5e7);
	/* vector and depthwise work leaves the matrix unit idle */
	return 0.02;
}

static const gr_mapper tpu_mapper = {"tpu", peak_matrix_or_vector, tpu_eff, 0.75, 0.6, 2.0, NULL};

/* --- NPU / DSP / MCU ------------------------------------------------------------ */

static double npu_eff(const gr_map_ctx *m, const gr_kernel *k)
{
	static const double base[GR_KC_COUNT] = {
		[GR_KC_CONV] = 0.55, [GR_KC_DWCONV] = 0.25, [GR_KC_GEMM] = 0.45,
		[GR_KC_MATMUL] = 0.30, [GR_KC_ATTENTION] = 0.20, [GR_KC_POOL] = 0.20,
		[GR_KC_NORM] = 0.10, [GR_KC_ELEMENTWISE] = 0.15, [GR_KC_REDUCE] = 0.10,
		[GR_KC_MOVE] = 0.10, [GR_KC_RNN] = 0.10, [GR_KC_OTHER] = 0.10,
	};
	return base[k->cls] * gr_map_fill(k->flops, 1e6);
}

static int npu_needs_host(const gr_map_ctx *m, const gr_kernel *k, const gr_partition *p)
{
	if (!gr_hw_restricted_op_count(m->hw))
		return 0;
	for (size_t j = 0; j < k->count; j++) {
		const gr_node *n = gr_partition_node(p, k, j);
		if (!gr_hw_op_supported(m->hw, gr_node_op_type(n)))
			return 1;
	}
	return 0;
}

static const gr_mapper npu_mapper = {"npu", peak_matrix_or_vector, npu_eff, 0.7, 0.6, 10.0, npu_needs_host};

const gr_mapper *gr_mapper_for(gr_hw_class c)
{
	switch (c) {
	case GR_HW_CPU: return &cpu_mapper;
	case GR_HW_GPU: return &gpu_mapper;
	case GR_HW_TPU: return &tpu_mapper;
	default: return &npu_mapper;
	}
}
