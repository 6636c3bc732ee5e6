/* Where a kernel's work and data live: ops outside a platform's restrictions run on its
 * fallback (another platform of the registry, or the estimator's fallback host) with their
 * tensors crossing the host link both ways; and weights and activations that do not fit in
 * on-chip memory stream from DRAM, or over the host link on devices without DRAM, on every
 * inference. For every class alike. */
#include <math.h>
#include <string.h>

#include "core/graph_impl.h"
#include "estimation/mapper.h"

int gr_place_needs_host(const gr_hw *hw, const gr_kernel *k, const gr_partition *p,
			const gr_fusion_rules *rules)
{
	if (!gr_hw_restricted_op_count(hw))
		return 0;
	for (size_t j = 0; j < k->count; j++) {
		const gr_node *n = gr_partition_node(p, k, j);
		/* the partitioner only takes a BN after a conv/gemm when the runtime folds it into
		 * the weights (conv_bn): it never reaches the device */
		if (j > 0 && n->op == GR_OP_BATCH_NORMALIZATION && rules && rules->conv_bn)
			continue;
		if (!gr_hw_op_supported(hw, gr_node_op_type(n)))
			return 1;
	}
	return 0;
}

/* The roofline of the fallback platform fb: its mapper's peak and efficiency, and its DRAM. */
static double platform_time(const gr_hw *fb, int mode, gr_precision prec, const gr_kernel *k, double flops,
			    double bytes)
{
	gr_hw_estimator ep;
	gr_map_ctx m = {fb, mode, prec, gr_hw_units(fb, mode), &ep};
	const gr_mapper *mp = gr_mapper_for(gr_hw_get_class(fb));
	double peak, eff, bw = gr_hw_dram_bandwidth(fb, mode), t = 0;

	if (gr_hw_estimator_params(fb, &ep, NULL, 0))
		return -1;
	if (gr_hw_effective_peak_ops(fb, mode, prec) <= 0)
		m.prec = GR_PREC_FP32; /* the fallback runs what it can */
	peak = mp->peak(&m, k);
	eff = mp->efficiency(&m, k);
	if (peak <= 0 || eff <= 0 || bw <= 0)
		return -1;
	t = flops / (peak * eff); /* as the runtime runs it (fast convolutions) */
	return fmax(t, bytes / (bw * ep.mem_eff_dram));
}

double gr_place_fallback_time(const gr_hw *hw, int mode, const gr_hw_estimator *ep, gr_precision prec,
			      const gr_kernel *k, double flops, double bytes, double *xfer)
{
	const gr_hw *fb = gr_hw_fallback_platform(hw);
	double link = gr_hw_host_bandwidth_gbps(hw), t = -1;

	if (link <= 0)
		link = ep->host_link_gbps;
	/* the host runs the op in fp32: its tensors cross as fp32 */
	*xfer = (k->elems_in + k->elems_out) * gr_estimate_elem_bytes(GR_PREC_FP32) / (link * 1e9);
	if (fb) {
		const char *mname = mode >= 0 ? gr_hw_mode_name(hw, (size_t)mode) : NULL;
		t = platform_time(fb, mname ? gr_hw_mode_find(fb, mname) : -1, prec, k, flops, bytes);
	}
	if (t >= 0)
		return t;
	return fmax(flops / (ep->host_gflops * 1e9), bytes / (ep->host_bandwidth_gbps * 1e9));
}

/* --- on-chip memory ------------------------------------------------------------------- */

static int is_off_chip(const gr_hw_mem_info *mi)
{
	static const char *const families[] = {"ddr", "lpddr", "gddr", "hbm", NULL};
	const char *t = mi->type ? mi->type : "";
	if (!strcmp(mi->level, "dram") || !strncmp(mi->level, "hbm", 3))
		return 1;
	for (int i = 0; families[i]; i++)
		if (!strncmp(t, families[i], strlen(families[i])))
			return 1;
	return 0;
}

static double off_chip_pj(const gr_hw *hw, const gr_hw_mem_info *mi, const gr_hw_estimator *ep)
{
	double pj = gr_hw_energy_pj_per_byte(hw, mi->level);
	const char *t = mi->type ? mi->type : "";
	if (pj > 0)
		return pj;
	if (!strncmp(t, "hbm", 3) || !strncmp(mi->level, "hbm", 3))
		return ep->pj_per_byte_hbm;
	return !strncmp(t, "lpddr", 5) ? ep->pj_per_byte_lpddr : ep->pj_per_byte_dram;
}

void gr_onchip_init(gr_onchip *oc, const gr_hw *hw, int mode, const gr_hw_estimator *ep,
		    double activation_bytes)
{
	size_t n = gr_hw_mem_count(hw);

	memset(oc, 0, sizeof(*oc));
	oc->residency = ep->on_chip_residency;
	for (size_t i = 0; i < n; i++) {
		gr_hw_mem_info mi;
		if (gr_hw_mem_at(hw, mode, i, &mi))
			continue;
		if (!strcmp(mi.level, "host")) {
			if (!oc->off_name && mi.bandwidth_bytes_s > 0) {
				oc->off_name = mi.level;
				oc->off_bw = mi.bandwidth_bytes_s;
				oc->off_pj = off_chip_pj(hw, &mi, ep);
				oc->off_is_link = 1;
			}
		} else if (is_off_chip(&mi)) {
			if ((!oc->off_name || oc->off_is_link) && mi.bandwidth_bytes_s > 0) {
				oc->off_name = mi.level;
				oc->off_bw = mi.bandwidth_bytes_s * ep->mem_eff_dram;
				oc->off_pj = off_chip_pj(hw, &mi, ep);
				oc->off_is_link = 0;
			}
		} else if (mi.size_bytes <= 0) {
			oc->capacity = -1;
		} else if (oc->capacity >= 0) {
			oc->capacity += (double)mi.size_bytes * (double)(mi.instances > 0 ? mi.instances : 1);
		}
	}
	if (!oc->off_name && gr_hw_host_bandwidth_gbps(hw) > 0) {
		oc->off_name = "host";
		oc->off_bw = gr_hw_host_bandwidth_gbps(hw) * 1e9;
		oc->off_pj = ep->pj_per_byte_dram;
		oc->off_is_link = 1;
	}
	if (oc->capacity >= 0)
		oc->weights_left = fmax(0, oc->capacity - activation_bytes);
}

double gr_onchip_stream(gr_onchip *oc, double weight_bytes, double activation_bytes)
{
	double kept, s;

	if (oc->capacity < 0 || !oc->residency)
		return 0;
	kept = fmin(weight_bytes, oc->weights_left);
	oc->weights_left -= kept;
	s = weight_bytes - kept + fmax(0, activation_bytes - oc->capacity);
	oc->streamed += s;
	return s;
}

double gr_onchip_spill_s_per_byte(const gr_hw *hw, int mode)
{
	double dram = gr_hw_dram_bandwidth(hw, mode);
	gr_hw_estimator ep;
	gr_onchip oc;

	if (dram > 0)
		return 1.0 / dram;
	if (gr_hw_estimator_params(hw, &ep, NULL, 0) || ep.pipeline_dataflow)
		return 0;
	gr_onchip_init(&oc, hw, mode, &ep, 0);
	return oc.off_bw > 0 ? 1.0 / oc.off_bw : 0;
}
