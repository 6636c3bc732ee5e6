/* Where a kernel's work lives: ops outside a platform's restrictions run on the estimator's
 * fallback host, with their tensors crossing the host link both ways. */
#include <math.h>

#include "core/graph_impl.h"
#include "estimation/mapper.h"

int gr_place_needs_host(const gr_hw *hw, const gr_kernel *k, const gr_partition *p)
{
	if (!gr_hw_restricted_op_count(hw))
		return 0;
	for (size_t j = 0; j < k->count; j++) {
		const gr_node *n = gr_partition_node(p, k, j);
		if (!gr_hw_op_supported(hw, gr_node_op_type(n)))
			return 1;
	}
	return 0;
}

double gr_place_fallback_time(const gr_hw *hw, int mode, const gr_hw_estimator *ep, gr_precision prec,
			      const gr_kernel *k, double bytes, double *xfer)
{
	double link = gr_hw_host_bandwidth_gbps(hw);

	if (link <= 0)
		link = ep->host_link_gbps;
	/* the host runs the op in fp32: its tensors cross as fp32 */
	*xfer = (k->elems_in + k->elems_out) * gr_estimate_elem_bytes(GR_PREC_FP32) / (link * 1e9);
	(void)mode;
	(void)prec;
	return fmax(k->flops / (ep->host_gflops * 1e9), bytes / (ep->host_bandwidth_gbps * 1e9));
}
