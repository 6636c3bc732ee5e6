/* Declarations of every op's shape and cost function, generated from ops.def. */
#ifndef GRAPHS_OPS_IMPL_H
#define GRAPHS_OPS_IMPL_H

#include "core/graph_impl.h"

#define OP(id, name, fn, flops_per_elem, nonparam_mask) \
	gr_status op_##fn##_shape(gr_infer *ctx, gr_node *n); \
	void op_##fn##_cost(const gr_node *n, gr_cost *c);
#include "ops.def"
#undef OP

#endif
