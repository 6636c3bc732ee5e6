/* Where a kernel's work lives: ops outside a platform's restrictions run on its fallback
 * (another platform of the registry, or the estimator's fallback host) with their tensors
 * crossing the host link both ways. For every class alike. */
#include <math.h>

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
static double platform_time(const gr_hw *fb, int mode, gr_precision prec, const gr_kernel *k, double bytes)
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
	t = k->flops / (peak * eff);
	return fmax(t, bytes / (bw * ep.mem_eff_dram));
}

double gr_place_fallback_time(const gr_hw *hw, int mode, const gr_hw_estimator *ep, gr_precision prec,
			      const gr_kernel *k, double bytes, double *xfer)
{
	const gr_hw *fb = gr_hw_fallback_platform(hw);
	double link = gr_hw_host_bandwidth_gbps(hw), t = -1;

	if (link <= 0)
		link = ep->host_link_gbps;
	/* the host runs the op in fp32: its tensors cross as fp32 */
	*xfer = (k->elems_in + k->elems_out) * gr_estimate_elem_bytes(GR_PREC_FP32) / (link * 1e9);
	if (fb) {
		const char *mname = mode >= 0 ? gr_hw_mode_name(hw, (size_t)mode) : NULL;
		t = platform_time(fb, mname ? gr_hw_mode_find(fb, mname) : -1, prec, k, bytes);
	}
	if (t >= 0)
		return t;
	return fmax(k->flops / (ep->host_gflops * 1e9), bytes / (ep->host_bandwidth_gbps * 1e9));
}
