/* Transfer of a fitted per-op time model to a platform without measurements (docs/transfer.md):
 * the donor's fit says what share of its peak compute and bandwidth each op class reached and
 * what each op cost in software; the target keeps those shares at its own datasheet figures.
 * Efficiencies move between platforms far better than absolute rates do, most of all within a
 * class and a microarchitecture family, hence the distance used to pick the donor. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "estimation/op_time_model.h"

double otm_llc_bytes(const gr_hw *hw)
{
	double best = 0;
	size_t n = gr_hw_mem_count(hw);

	for (size_t i = 0; i < n; i++) {
		gr_hw_mem_info mi;
		double cap;
		if (gr_hw_mem_at(hw, -1, i, &mi) || !strcmp(mi.level, "dram") || !strcmp(mi.level, "host") ||
		    !strncmp(mi.level, "hbm", 3))
			continue;
		cap = (double)mi.size_bytes * (double)(mi.instances > 0 ? mi.instances : 1);
		if (cap > best)
			best = cap;
	}
	return best;
}

/* Clock (MHz) of the CPU that runs the framework between ops: the platform's own on cpus, the
 * mode's cpu_clock_mhz on SoCs that give one, else the fallback platform's; 0 when unknown
 * (a discrete accelerator's host is not in the registry). */
static double host_clock(const gr_hw *hw, int mode)
{
	const gr_hw *fb;
	if (gr_hw_get_class(hw) == GR_HW_CPU)
		return gr_hw_clock_mhz(hw, mode);
	if (gr_hw_mode_cpu_clock_mhz(hw, mode) > 0)
		return gr_hw_mode_cpu_clock_mhz(hw, mode);
	fb = gr_hw_fallback_platform(hw);
	return fb && gr_hw_get_class(fb) == GR_HW_CPU ? gr_hw_clock_mhz(fb, -1) : 0;
}

/* Copies src into dst (size bytes), cut short when longer. */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t l = src ? strlen(src) : 0;
	if (l >= size)
		l = size - 1;
	memcpy(dst, src ? src : "", l);
	dst[l] = 0;
}

/* |ln(a/b)|, or 0 when either figure is missing (an unknown says nothing either way). */
static double log_gap(double a, double b)
{
	return a > 0 && b > 0 ? fabs(log(a / b)) : 0;
}

static int same_str(const char *a, const char *b)
{
	return a && b && *a && *b && !strcmp(a, b);
}

/* The precision can be lent: both run it, both natively or both emulated (an emulated fit's
 * shares are of the fp32 lanes, a native one's of the precision's own units). */
static int precision_compatible(const gr_hw *d, int dm, const gr_hw *t, int tm, gr_precision p)
{
	if (gr_hw_effective_peak_ops(d, dm, p) <= 0 || gr_hw_effective_peak_ops(t, tm, p) <= 0)
		return 0;
	return gr_hw_precision_native(d, p) == gr_hw_precision_native(t, p);
}

double otm_transfer_distance(const gr_hw *d, int dm, const gr_hw *t, int tm, gr_precision prec)
{
	double dist = 0;

	if (!d || !t || gr_hw_get_class(d) != gr_hw_get_class(t) || !precision_compatible(d, dm, t, tm, prec))
		return -1;
	/* family: another vendor, microarchitecture (tensor-core generation, NPU family) or vector
	 * width changes how well software reaches the peak, not only the peak */
	if (!same_str(gr_hw_vendor(d), gr_hw_vendor(t)))
		dist += 1.0;
	if (gr_hw_architecture(d) && gr_hw_architecture(t) && !same_str(gr_hw_architecture(d), gr_hw_architecture(t)))
		dist += 0.5;
	if (gr_hw_simd_width_bits(d) > 0 && gr_hw_simd_width_bits(t) > 0 &&
	    gr_hw_simd_width_bits(d) != gr_hw_simd_width_bits(t))
		dist += 0.5;
	/* size: the further the peaks, bandwidths and caches, the less the shares carry over */
	dist += log_gap(gr_hw_effective_peak_ops(d, dm, prec), gr_hw_effective_peak_ops(t, tm, prec));
	dist += log_gap(gr_hw_dram_bandwidth(d, dm), gr_hw_dram_bandwidth(t, tm));
	dist += 0.25 * log_gap(otm_llc_bytes(d), otm_llc_bytes(t));
	/* eager runtimes spend much of small models in the framework, on the host CPU */
	dist += 0.5 * log_gap(host_clock(d, dm), host_clock(t, tm));
	return dist;
}

/* Ratio donor/target of a figure (seconds per unit scale with it); 1 when either is unknown. */
static double ratio(double donor, double target)
{
	return donor > 0 && target > 0 ? donor / target : 1.0;
}

/* 1 when the donor sends to its host ops that the target runs on its own device (registry
 * restrictions.ops): the donor's fit then carries the round trips around those ops. */
static int donor_falls_back(const gr_hw *d, const gr_hw *t)
{
	size_t nd = gr_hw_restricted_op_count(d), nt = gr_hw_restricted_op_count(t);

	if (!nd)
		return 0;
	if (!nt)
		return 1;
	for (size_t i = 0; i < nt; i++)
		if (!gr_hw_op_supported(d, gr_hw_restricted_op(t, i)))
			return 1;
	return 0;
}

/* Where the donor falls back to its host and the target does not, the fit charges the round
 * trips (an attention's Softmax on the RK3568's CPUs between its two MatMuls) to the matrix
 * classes beside them: those are lent no slower than the donor's convolutions, the matrix
 * class whose ops never wait on the host. Before this the RK3562 took the RK3568's matmuls at
 * 0.3% of peak (240 times its convolutions) and yolo11n at 46.5 ms (29.4 ms published).
 * Between two CPUs too: convolutions and GEMMs are the same FMA loops on the same cores
 * (oneDNN's convolutions are blocked GEMMs), and a donor's GEMMs slower per FLOP say how its
 * shapes split over its threads, not what its cores reach: the i7-12700K's PyTorch gemm class,
 * fitted on classifier layers at batch 1 and 64 (M = 1..64 rows over 12 threads), is 1.74x its
 * convolutions' time per FLOP, and lent so it put a 2-vCPU VM's vit_b_16 (GEMMs of 197 rows) at
 * +156% (+54% now). The published CPU fits tie the two already. */
static void cap_matrix_at_conv(otm_prec *p, const gr_hw *t)
{
	const otm_class *conv = &p->cls[GR_KC_CONV];

	if (!conv->fitted || !(conv->coef[CF_FLOPS] > 0))
		return;
	for (int c = 0; c < CC_COUNT; c++)
		if (c != GR_KC_CONV && otm_class_on_matrix_engine(c, t) && p->cls[c].fitted &&
		    p->cls[c].coef[CF_FLOPS] > conv->coef[CF_FLOPS])
			p->cls[c].coef[CF_FLOPS] = conv->coef[CF_FLOPS];
}

/* An NPU block sharing its SoC's memory (interconnect host: unified_memory). It reaches DRAM
 * through its own ports and DMA engines, sized with the NPU design, while the bus is sized for
 * the CPUs and GPU beside it: what a class's bytes reached is the block's rate, not a share of
 * the bus, and goes over as it is (never beyond the target's bandwidth). Kept as a share of the
 * bus, the RK3576 (16.9 GB/s in the registry) took the RK3588's (33.8 GB/s) byte rates at half
 * and came out twice as slow as published (87.8% leave-one-platform-out, now 22.3%). */
static int soc_npu(const gr_hw *hw)
{
	const char *link = gr_hw_host_link(hw);
	return hw && gr_hw_get_class(hw) == GR_HW_NPU && link && !strcmp(link, "unified_memory");
}

/* Between two CPUs a class's fitted cost per byte keeps its share of DRAM bandwidth, not of a
 * cache level's: the i7-12700K's PyTorch fit has its convolutions at 26 GB/s and its depthwise
 * ones at 34 GB/s, 34-45% of its DRAM and 1% of its caches' figures, which are per-clock rules
 * of thumb summed over all cores (the level a working set lands in then depends on the core
 * count). As shares of those, a 2-core AVX-512 VM took the i7's byte rates 9-13x slower and
 * its memory terms at 10x the i7's, while its measured models are 1.7-4.4x slower in all
 * (host check, docs/transfer.md). DRAM's figure is the datasheet's channels x data rate. */
static int cpu_pair(const gr_hw *d, const gr_hw *t)
{
	return gr_hw_get_class(d) == GR_HW_CPU && gr_hw_get_class(t) == GR_HW_CPU;
}

/* A CPU donor's byte that goes to DRAM (its class's s/byte c plus the spill's s/byte) cost
 * more than 20 times what its DRAM needs (bw_d): that is no bandwidth but work of the cores on
 * each byte (a runtime's int8 weight packing, its copies), and it goes over with the peaks,
 * like the FLOPs, not with the DRAM ratio. The other fitted CPUs' spilled bytes reach 8% of
 * their DRAM and more (ncnn, PyTorch); the QCS6490's onnxruntime int8 fit pays one 3.4%
 * (1.7 GB/s of 51.2), and lent by the DRAM ratio it put the Snapdragon 7 Gen 4 (33.6 GB/s)
 * 2-4x slower than published, which has it 1.3-2.4x faster (132.5% leave-one-platform-out,
 * 79.2% with this rule, 28.6% once the 7 Gen 4's int8 peak counts SMMLA). A class's s/byte alone under 15% of DRAM as core work took the Orin Nano CPU's
 * (10%) too, and the Raspberry Pi 4 it lends to from 47.0% to 52.4%. */
static int core_bound_bytes(double c, double spill, double bw_d)
{
	double s = c + (spill > 0 ? spill : 0);
	return c > 0 && bw_d > 0 && 1 / (s * bw_d) < 0.05;
}

/* Scales one class's coefficients; ws is a typical working set of its ops (bytes); keep_rate:
 * byte rates go over as they are (soc_npu), not as shares of bandwidth; rbyte > 0: the ratio
 * byte rates go with instead of the levels' bandwidths (cpu_pair). */
static void transfer_class(otm_class *c, int cls, const otm_bounds *bd, const otm_bounds *bt, double oh,
			   int keep_rate, double rbyte)
{
	double pd = otm_bounds_peak(bd, cls), pt = otm_bounds_peak(bt, cls), rc = ratio(pd, pt);
	double ws = c->b_min > 0 && c->b_max > 0 ? sqrt(c->b_min * c->b_max) : 1048576.0;
	double bwd = otm_bounds_bandwidth(bd, ws, NULL), bwt = otm_bounds_bandwidth(bt, ws, NULL);
	double fastest = otm_bounds_bandwidth(bt, 0, NULL), rb = rbyte > 0 ? rbyte : ratio(bwd, bwt);

	if (keep_rate) { /* the donor's byte rate as it is, within the target's bandwidth */
		rb = 1;
		if (bwt > 0 && c->coef[CF_BYTES] > 0 && c->coef[CF_BYTES] < 1 / bwt)
			c->coef[CF_BYTES] = 1 / bwt;
	}

	c->coef[CF_OP] *= oh;
	/* a reduction row is a short serial chain (a max, a sum, a horizontal add) whose cost, like
	 * the per-op cost's, goes with the clock, not with vector width (peak) or bandwidth: its
	 * elements' FLOPs and bytes are the other terms' */
	c->coef[CF_ROWS] *= oh;
	c->coef[CF_FLOPS] *= rc;
	for (int k = CF_PAR4; k <= CF_PAR16; k++)
		c->coef[k] *= rc;
	c->coef[CF_BYTES] *= rb;
	c->coef[CF_WEIGHTS] *= rb;
	/* physics: a share of the donor's peak above 1 (fits outside physics) is not lent */
	if (pt > 0 && c->coef[CF_FLOPS] > 0 && c->coef[CF_FLOPS] < 1 / pt)
		c->coef[CF_FLOPS] = 1 / pt;
	if (fastest > 0 && c->coef[CF_BYTES] > 0 && c->coef[CF_BYTES] < 1 / fastest)
		c->coef[CF_BYTES] = 1 / fastest;
}

/* Spilled bytes go to DRAM: kept as the donor's rates (soc_npu), the spill terms still cost no
 * less than the target's DRAM does, as the fit's bounds have it (fit_bounds): a weight byte
 * 1/dram, an activation byte 1/dram less the fastest level's s/byte its class pays already. */
/* The per-byte costs of spilled activations, allocated outputs and spilled weights, times f. */
static void scale_spills(otm_prec *p, double f)
{
	p->glob[CG_SPILL] *= f;
	p->glob[CG_ALLOC] *= f;
	p->glob[CG_WSPILL] *= f;
}

static void cap_spill(otm_prec *p, const otm_bounds *bt, double dram_t)
{
	double fastest = otm_bounds_bandwidth(bt, 0, NULL), spill;

	if (!(dram_t > 0))
		return;
	spill = fastest > 0 ? fmax(0, 1 / dram_t - 1 / fastest) : 1 / dram_t;
	if (p->glob[CG_WSPILL] > 0 && p->glob[CG_WSPILL] < 1 / dram_t)
		p->glob[CG_WSPILL] = 1 / dram_t;
	if (p->glob[CG_SPILL] > 0 && p->glob[CG_SPILL] < spill)
		p->glob[CG_SPILL] = spill;
}

int otm_transfer(const gr_op_time_model *donor, const gr_hw *d, int dm, const gr_hw *t, int tm,
		 gr_op_time_model *out)
{
	const char *mname = tm >= 0 ? gr_hw_mode_name(t, (size_t)tm) : NULL;
	int keep_rate = soc_npu(d) && soc_npu(t);
	double dram_t = gr_hw_dram_bandwidth(t, tm);
	double dram = keep_rate ? 1 : ratio(gr_hw_dram_bandwidth(d, dm), dram_t);
	/* framework cost per op and kernel is host software: it goes with the host CPU's clock;
	 * where either host is unknown (a discrete card's server), the donor's host says nothing
	 * about the target's, and the target's datasheet launch costs apply instead, unless the
	 * runtime compiles the graph for the device (below) */
	double hd = host_clock(d, dm), ht = host_clock(t, tm), oh = ratio(hd, ht);
	const gr_fusion_rules *rules = gr_fusion_rules_find(donor ? donor->runtime : NULL);
	gr_hw_estimator ep;
	char why[256];
	double launch_s = -1;

	/* a compiled graph on an accelerator runs its kernels from the device's own queue or
	 * controller (a TensorRT engine, a QNN or TFLite delegate graph, an NPU's command list):
	 * the fitted cost per kernel is the device's, and goes with its clock, as far as the
	 * distance lets the donor stand for the target (same class, nearest family) */
	if ((hd <= 0 || ht <= 0) && rules && rules->fused_memory && gr_hw_get_class(t) != GR_HW_CPU)
		oh = ratio(gr_hw_clock_mhz(d, dm), gr_hw_clock_mhz(t, tm));
	else if ((hd <= 0 || ht <= 0) && rules && !gr_hw_estimator_params(t, &ep, why, sizeof(why)))
		launch_s = gr_op_launch_us(rules, &ep) * 1e-6;
	double llc = otm_llc_bytes(t);
	int n = 0, fallback = donor_falls_back(d, t);

	memset(out, 0, sizeof(*out));
	if (!donor || !d || !t)
		return 0;
	copy_str(out->hw, sizeof(out->hw), gr_hw_id(t));
	copy_str(out->mode, sizeof(out->mode), mname);
	copy_str(out->runtime, sizeof(out->runtime), donor->runtime);
	copy_str(out->borrowed_from, sizeof(out->borrowed_from), donor->label);
	copy_str(out->path, sizeof(out->path), donor->path);
	for (int p = 0; p < GR_PREC_COUNT; p++) {
		const otm_prec *dp = &donor->prec[p];
		otm_prec *tp = &out->prec[p];
		otm_bounds bd, bt;

		if (!dp->present || otm_transfer_distance(d, dm, t, tm, (gr_precision)p) < 0)
			continue;
		*tp = *dp;
		if (fallback || cpu_pair(d, t))
			cap_matrix_at_conv(tp, t);
		otm_bounds_init(&bd, d, dm, (gr_precision)p);
		otm_bounds_init(&bt, t, tm, (gr_precision)p);
		double spill_d = dp->glob[CG_SPILL], fast_byte = 0;
		for (int c = 0; c < CC_COUNT; c++)
			if (tp->cls[c].fitted) {
				double rbyte = cpu_pair(d, t) ? dram : 0, cb = tp->cls[c].coef[CF_BYTES];
				if (cb > 0 && (!(fast_byte > 0) || cb < fast_byte))
					fast_byte = cb;
				tp->cls[c].bytes_on_cores = rbyte > 0 && core_bound_bytes(cb, spill_d, bd.dram_bw);
				if (tp->cls[c].bytes_on_cores)
					rbyte = ratio(otm_bounds_peak(&bd, c), otm_bounds_peak(&bt, c));
				transfer_class(&tp->cls[c], c, &bd, &bt, oh, keep_rate, rbyte);
				if (launch_s >= 0)
					tp->cls[c].coef[CF_OP] = c == CC_VIEW ? 0 : launch_s;
			}
		tp->glob[CG_KERNEL] *= oh;
		tp->glob[CG_CALL] *= oh;
		tp->glob[CG_ROW] *= oh;
		tp->request_s *= oh;
		for (int k = 0; k < OTM_KG_COUNT; k++)
			tp->kernel_group_s[k] = launch_s >= 0 ? 0 : tp->kernel_group_s[k] * oh;
		if (launch_s >= 0)
			tp->glob[CG_KERNEL] = tp->glob[CG_CALL] = 0;
		/* spills too, where even the fastest class's spilled byte is core work, within the
		 * target's DRAM */
		{
			int core = cpu_pair(d, t) && core_bound_bytes(fast_byte, spill_d, bd.dram_bw);
			double rs = core ? ratio(otm_bounds_peak(&bd, GR_KC_CONV), otm_bounds_peak(&bt, GR_KC_CONV)) : dram;
			scale_spills(tp, rs);
			tp->spill_on_cores = core;
			if (keep_rate || core)
				cap_spill(tp, &bt, dram_t);
		}
		/* a dataflow chip's contexts and per-frame cost are its own compiler's and link's */
		tp->frame_s = tp->context_bytes = tp->context_s = tp->context_layers = tp->context_fill =
			tp->context_layer_s = tp->matrix_s = 0;
		if (llc > 0)
			tp->llc_bytes = llc;
		/* energy fits are the donor's power draw: the target's datasheet energy applies */
		tp->has_energy = 0;
		tp->pj_per_flop = tp->pj_per_byte = tp->static_w = 0;
		tp->energy_pub_scope = OTM_ENERGY_NONE;
		tp->energy_pub_scale = 0;
		n++;
	}
	{
		char lab[sizeof(out->label) + 200];
		snprintf(lab, sizeof(lab), "%s%s%s %s, transferred from %s%s%s", out->hw, out->mode[0] ? ":" : "",
			 out->mode, out->runtime, donor->hw, donor->mode[0] ? ":" : "", donor->mode);
		copy_str(out->label, sizeof(out->label), lab);
	}
	return n;
}

int otm_transfer_threads(gr_op_time_model *m, const gr_hw *t, int tm, int threads)
{
	int64_t units = t ? gr_hw_units(t, tm) : 0;
	double f;

	/* the runtime computes on as many cores as it runs threads (fit.c's bounds say the same of
	 * a CPU measured with fewer threads than cores) */
	if (!m || !t || gr_hw_get_class(t) != GR_HW_CPU || threads <= 0 || units <= threads)
		return 0;
	f = (double)units / (double)threads;
	for (int p = 0; p < GR_PREC_COUNT; p++) {
		otm_prec *q = &m->prec[p];
		for (int c = 0; q->present && c < CC_COUNT; c++) {
			otm_class *k = &q->cls[c];
			if (!k->fitted)
				continue;
			k->coef[CF_FLOPS] *= f;
			for (int j = CF_PAR4; j <= CF_PAR16; j++)
				k->coef[j] *= f;
			if (k->bytes_on_cores) { /* bytes lent as the cores' work go with them too */
				k->coef[CF_BYTES] *= f;
				k->coef[CF_WEIGHTS] *= f;
			}
		}
		if (q->present && q->spill_on_cores)
			scale_spills(q, f);
	}
	return 1;
}

int otm_transfer_precision(const gr_op_time_model *m, const gr_hw *hw, int mode, gr_precision prec,
			   otm_prec *out, gr_precision *from)
{
	double pt = gr_hw_effective_peak_ops(hw, mode, prec), best = -1;
	int q = -1;
	otm_bounds bd, bt;

	if (!m || !hw || pt <= 0 || (unsigned)prec >= GR_PREC_COUNT || m->prec[prec].present)
		return 0;
	for (int p = 0; p < GR_PREC_COUNT; p++) {
		double pd = gr_hw_effective_peak_ops(hw, mode, (gr_precision)p), d;
		if (!m->prec[p].present || pd <= 0 ||
		    gr_hw_precision_native(hw, (gr_precision)p) != gr_hw_precision_native(hw, prec))
			continue;
		/* the nearest in peak; at equal distance the wider format (its rates bound the narrower) */
		d = log_gap(pd, pt);
		if (q < 0 || d < best - 1e-12 || (d <= best + 1e-12 && gr_estimate_elem_bytes((gr_precision)p) >
						   gr_estimate_elem_bytes((gr_precision)q))) {
			q = p;
			best = d;
		}
	}
	if (q < 0)
		return 0;
	*out = m->prec[q];
	otm_bounds_init(&bd, hw, mode, (gr_precision)q);
	otm_bounds_init(&bt, hw, mode, prec);
	{
		/* the sizes a class saw were in q's element size: the same ops in prec's */
		double eb = gr_estimate_elem_bytes(prec) / out->bytes_per_elem;
		out->bytes_per_elem = gr_estimate_elem_bytes(prec);
		for (int c = 0; c < CC_COUNT; c++) {
			otm_class *k = &out->cls[c];
			if (!k->fitted)
				continue;
			/* one platform: bandwidths and the host are the same, only the peaks differ */
			transfer_class(k, c, &bd, &bt, 1.0, 0, 0);
			k->b_min *= eb;
			k->b_max *= eb;
		}
	}
	/* energy per op differs between formats: the datasheet's applies */
	out->has_energy = 0;
	out->pj_per_flop = out->pj_per_byte = out->static_w = 0;
	*from = (gr_precision)q;
	return 1;
}
