/* The op table built from ops.def: each op's shape and cost functions. Looking an op up
 * by name is op_names.c's job, so the graph builder does not depend on this table. */
#include <assert.h>

#include "ops_impl.h"

const gr_op_info gr_op_table[GR_OP_COUNT] = {
	[GR_OP_UNKNOWN] = {"<unknown>", NULL, NULL, 0, 0},
#define OP(id, name, shape, cost, flops_per_elem, nonparam_mask) \
	[GR_OP_##id] = {name, op_##shape##_shape, op_##cost##_cost, flops_per_elem, nonparam_mask},
#include "ops.def"
#undef OP
};

/* Adding a row to ops.def changes this number: update it so the change is deliberate. */
static_assert(GR_OP_COUNT == 161, "ops.def changed: update GR_OP_COUNT here and docs/ops.md");
