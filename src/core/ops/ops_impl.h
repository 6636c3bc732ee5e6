/* Declarations of every op's shape and cost function, generated from ops.def. */
#ifndef GRAPHS_OPS_IMPL_H
#define GRAPHS_OPS_IMPL_H

#include "core/graph_impl.h"

#define OP(id, name, shape, cost, flops_per_elem, nonparam_mask) \
	gr_status op_##shape##_shape(gr_infer *ctx, gr_node *n); \
	void op_##cost##_cost(const gr_node *n, gr_cost *c);
#include "ops.def"
#undef OP

#endif
