/* The mappers: peaks per class, and one efficiency model whose numbers all come from the
 * platform's estimator parameters (hardware/classes/<class>.yaml, overridable per platform).
 * Numbers are starting points for uncalibrated ("theoretical") estimates; calibration replaces
 * them with fitted curves. Why these shapes: small kernels cannot fill all cores/SMs (fill
 * factor), depthwise convs do too little work per byte to use FMA pipes, and matrix engines
 * lose tiles to padding (wave quantization on GPUs, array padding on systolic arrays). */
#include <math.h>
#include <string.h>

#include "estimation/mapper.h"
#include "estimation/op_time_model.h"

/* the efficiency table of the registry follows graphs/transform.h's kernel classes */
_Static_assert(GR_HW_KERNEL_CLASS_COUNT == GR_KC_COUNT, "kernel classes of hw.h and transform.h differ");

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

	if (is_matrix(k) || (k->cls == GR_KC_DWCONV && otm_class_on_matrix_engine(k->cls, m->hw)))
		return p;
	/* depthwise convs on CPUs and GPUs: the vector lanes, narrow types packed (op_time_model.c) */
	if (k->cls == GR_KC_DWCONV) {
		v = otm_vector_peak(m->hw, m->mode, m->prec);
		return v > 0 && (p <= 0 || v < p) ? v : p;
	}
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

/* Share of the array used when x is padded to a multiple of dim. */
static double pad_util(double x, double dim)
{
	return x > 0 ? x / (ceil(x / dim) * dim) : 1.0;
}

/* Output tiles of an M x N kernel; 0 when the kernel has no tile shape. */
static double tile_count(const gr_map_ctx *m, const gr_kernel *k)
{
	if (k->m <= 0 || k->n <= 0 || m->ep->tile_m <= 0 || m->ep->tile_n <= 0)
		return 0;
	return ceil(k->m / (double)m->ep->tile_m) * ceil(k->n / (double)m->ep->tile_n);
}

/* Share of SM slots doing useful work when the tiles run in waves. */
static double wave_util(const gr_map_ctx *m, double tiles)
{
	double waves, sms = (double)(m->units > 0 ? m->units : 1);
	if (tiles <= 0)
		return 1.0;
	waves = ceil(tiles / sms);
	return tiles / (waves * sms);
}

/* fill.half_flops is a ramp-up time written as FLOPs at the precision's peak, the rate the class
 * files set it against for the matrix classes (otm_class_is_matrix). A kernel of such a class
 * that runs at a lower peak (a depthwise conv on a GPU's CUDA cores: otm_class_on_matrix_engine)
 * ramps up in the same time, so in proportionally fewer FLOPs: the ramp scales by the peak it
 * runs at over the precision's (else an int8 depthwise conv on a tensor-core GPU pays its ramp
 * at the CUDA cores' rate: 8x the time). The vector classes keep the ramp as set (scaling theirs
 * too was measured and not kept: docs/estimate.md, "Physical bounds"). */
static double fill_peak_scale(const gr_map_ctx *m, const gr_kernel *k)
{
	double p, r;

	/* a vector class, or a matrix class on the matrix engine (at the precision's peak) */
	if (!otm_class_is_matrix(k->cls) || otm_class_on_matrix_engine(k->cls, m->hw))
		return 1.0;
	p = gr_hw_effective_peak_ops(m->hw, m->mode, m->prec);
	r = peak_matrix_or_vector(m, k);
	return p > 0 && r > 0 && r < p ? r / p : 1.0;
}

/* The class's share of peak at full size, times the losses that apply: array padding
 * (weight-stationary: K rows and N columns are filled, M streams), the fill factor, and
 * wave quantization. */
static double efficiency(const gr_map_ctx *m, const gr_kernel *k)
{
	const gr_hw_estimator *ep = m->ep;
	double e = ep->efficiency[k->cls], half = ep->fill_half_flops;
	int matrix = is_matrix(k);

	if (matrix && ep->array_rows > 0 && ep->array_cols > 0)
		e = e * pad_util(k->k, (double)ep->array_rows) * pad_util(k->n, (double)ep->array_cols);
	double units = (double)(m->units > 0 ? m->units : 1), tiles = matrix ? tile_count(m, k) : 0;

	/* the ramp-up is per unit at work: a kernel of fewer tiles than units keeps the rest idle
	 * (wave_util) and pays the ramp on its own units only, so more units never slow it down */
	if (ep->fill_per_unit)
		half *= tiles > 0 ? fmin(units, tiles) : units;
	if (!otm_class_is_matrix(k->cls) && ep->fill_all_kernels && ep->fill_vector_us > 0) {
		/* a vector kernel's ramp-up as a time (fill.vector_us): its FLOPs say little about how
		 * long a short one takes, its bytes' first round trip and one wave of blocks do; as a
		 * FLOP count at the fp32 lanes' rate it was 50-60 us on a GPU, the host-side cost of
		 * an eager framework's op (now estimator.eager_op_us), not the device's. Compute time
		 * becomes flops / (peak x e) + vector_us */
		double r = peak_matrix_or_vector(m, k);
		e *= gr_map_fill(k->flops, ep->fill_vector_us * 1e-6 * r * e);
	} else if (matrix || ep->fill_all_kernels) {
		e *= gr_map_fill(k->flops, half * fill_peak_scale(m, k));
	}
	if (tiles > 0)
		e *= wave_util(m, tiles);
	/* a grouped conv's narrow groups fill only part of each tile (gr_group_conv_scale) */
	if (k->cls == GR_KC_CONV)
		e /= gr_group_conv_scale(k->group_width, gr_hw_group_tile_n(m->hw, ep));
	return e;
}

static const gr_mapper cpu_mapper = {"cpu", cpu_peak, efficiency};
static const gr_mapper gpu_mapper = {"gpu", peak_matrix_or_vector, efficiency};
static const gr_mapper tpu_mapper = {"tpu", peak_matrix_or_vector, efficiency};
static const gr_mapper npu_mapper = {"npu", peak_matrix_or_vector, efficiency};

const gr_mapper *gr_mapper_for(gr_hw_class c)
{
	switch (c) {
	case GR_HW_CPU: return &cpu_mapper;
	case GR_HW_GPU: return &gpu_mapper;
	case GR_HW_TPU: return &tpu_mapper;
	default: return &npu_mapper;
	}
}
