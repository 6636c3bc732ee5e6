/* Normalizations: BatchNormalization (inference and training outputs), Instance/Group/Lp/
 * MeanVariance normalization and LRN (shape-preserving), LayerNormalization with its
 * optional Mean and InvStdDev outputs. */
#include "ops_impl.h"

/* Output i of BatchNormalization beyond Y: a per-channel vector of C entries. */
static gr_status channel_vec(gr_infer *ctx, gr_tensor *t, gr_dim c, gr_dtype dt)
{
	if (!t)
		return GR_OK;
	return gr_set_dims(ctx, t, dt, 1, &c);
}

gr_status op_batchnorm_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *scale = gr_in(n, 1), *mean = gr_in(n, 3);
	gr_dim c = {-1, NULL};
	gr_dtype sdt;
	gr_status st;

	if (!x || !scale || !gr_in(n, 2) || !mean || !gr_in(n, 4))
		return gr_node_error(ctx, n, "needs inputs X, scale, B, mean and var");
	if (x->rank >= 2)
		c = x->dims[1];
	else if (scale->rank == 1)
		c = scale->dims[0];
	if (x->rank >= 2 && scale->rank == 1 && c.value >= 0 && scale->dims[0].value >= 0 &&
	    c.value != scale->dims[0].value)
		return gr_node_error(ctx, n, "input has %lld channels, scale has %lld",
				     (long long)c.value, (long long)scale->dims[0].value);
	if (c.value < 0 && scale->rank == 1 && scale->dims[0].value >= 0)
		c = scale->dims[0];
	/* running statistics: the mean's type (T2 from opset 15); saved ones (< 14): X's type */
	sdt = mean->dtype != GR_DTYPE_UNDEFINED ? mean->dtype : x->dtype;
	for (size_t i = 1; i < n->n_out; i++) {
		st = channel_vec(ctx, gr_out(n, i), c, i <= 2 ? sdt : x->dtype);
		if (st != GR_OK)
			return st;
	}
	if (!gr_out(n, 0))
		return GR_OK;
	if (x->rank < 0) {
		gr_out(n, 0)->dtype = x->dtype;
		return GR_OK;
	}
	return gr_copy_shape(ctx, gr_out(n, 0), x, GR_DTYPE_UNDEFINED);
}

/* Cost: at inference scale and shift fold into one multiply-add, 2 FLOPs per element (table);
 * training mode also computes batch mean and variance, +4 per element. Bytes = all io. */
void op_batchnorm_cost(const gr_node *n, gr_cost *c)
{
	double per = gr_op_table[n->op].flops_per_elem;

	if (gr_attr_int(n, "training_mode", 0) || n->n_out > 1)
		per += 4;
	gr_cost_per_elem_of(n, c, gr_out(n, 0), per);
}

/* Instance, Group, Lp and MeanVariance normalization and LRN keep X's shape and type. */
gr_status op_norm_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *y = gr_out(n, 0);

	if (!x)
		return gr_node_error(ctx, n, "missing input 'X'");
	if (gr_nothing_to_infer(x, y, x->dtype))
		return GR_OK;
	if (n->op == GR_OP_INSTANCE_NORMALIZATION || n->op == GR_OP_GROUP_NORMALIZATION ||
	    n->op == GR_OP_LRN) {
		if (x->rank < 2)
			return gr_node_error(ctx, n, "input has rank %d, needs N x C x ...", x->rank);
	}
	if (n->op == GR_OP_INSTANCE_NORMALIZATION) {
		gr_tensor *s = gr_in(n, 1);
		if (s && s->rank == 1 && s->dims[0].value >= 0 && x->dims[1].value >= 0 &&
		    s->dims[0].value != x->dims[1].value)
			return gr_node_error(ctx, n, "input has %lld channels, scale has %lld",
					     (long long)x->dims[1].value, (long long)s->dims[0].value);
	}
	if (n->op == GR_OP_GROUP_NORMALIZATION) {
		int64_t g = gr_attr_int(n, "num_groups", 0);
		if (g < 1)
			return gr_node_error(ctx, n, "attribute 'num_groups' must be positive");
		if (x->dims[1].value >= 0 && x->dims[1].value % g)
			return gr_node_error(ctx, n, "%lld channels not divisible into %lld groups",
					     (long long)x->dims[1].value, (long long)g);
	}
	return gr_copy_shape(ctx, y, x, GR_DTYPE_UNDEFINED);
}

/* Cost: mean, variance, normalize, scale and shift ~5 FLOPs per element (table); Lp norm 3;
 * LRN squares and sums `size` neighbours then scales: (2 x size + 3) per element. */
void op_norm_cost(const gr_node *n, gr_cost *c)
{
	double per = gr_op_table[n->op].flops_per_elem;

	if (n->op == GR_OP_LRN)
		per = 2.0 * (double)gr_attr_int(n, "size", 1) + 3.0;
	gr_cost_per_elem_of(n, c, gr_out(n, 0), per);
}

/* LayerNormalization: Y like X; Mean and InvStdDev keep X's dims before `axis` and are 1
 * from `axis` on, in stash_type (float by default). */
gr_status op_layernorm_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *y = gr_out(n, 0);
	int64_t stash = gr_attr_int(n, "stash_type", GR_DTYPE_FLOAT);
	gr_dtype sdt = (stash > 0 && stash < GR_DTYPE_COUNT) ? (gr_dtype)stash : GR_DTYPE_FLOAT;
	gr_dim dims[GR_MAX_RANK];
	gr_status st;
	int axis;

	if (!x || !gr_in(n, 1))
		return gr_node_error(ctx, n, "needs inputs X and Scale");
	if (x->rank < 0) {
		if (y)
			y->dtype = x->dtype;
		for (size_t i = 1; i < n->n_out && i < 3; i++)
			if (gr_out(n, i))
				gr_out(n, i)->dtype = sdt;
		return GR_OK;
	}
	axis = gr_axis(ctx, n, gr_attr_int(n, "axis", -1), x->rank);
	if (axis < 0)
		return GR_ERR_SHAPE;
	if (y && (st = gr_copy_shape(ctx, y, x, GR_DTYPE_UNDEFINED)) != GR_OK)
		return st;
	for (int i = 0; i < x->rank; i++) {
		if (i < axis) {
			dims[i] = x->dims[i];
		} else {
			dims[i].value = 1;
			dims[i].sym = NULL;
		}
	}
	for (size_t i = 1; i < n->n_out && i < 3; i++)
		if (gr_out(n, i) && (st = gr_set_dims(ctx, gr_out(n, i), sdt, x->rank, dims)) != GR_OK)
			return st;
	return GR_OK;
}
