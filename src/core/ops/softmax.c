/* Softmax family (Softmax, LogSoftmax, Hardmax: shape-preserving along an axis that
 * defaults to 1 before opset 13 and -1 from 13) and the loss ops with their reduction. */
#include <string.h>

#include "ops_impl.h"

gr_status op_softmax_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *y = gr_out(n, 0);
	int64_t dflt = n->owner && n->owner->opset > 0 && n->owner->opset < 13 ? 1 : -1;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'input'");
	if (gr_nothing_to_infer(x, y, x->dtype))
		return GR_OK;
	/* before 13 the input is coerced to 2-D around axis; the output shape is the same.
	 * Only an explicit axis is checked (the old default 1 is meaningless on 1-D inputs). */
	if (x->rank > 0 && gr_attr_find(n, "axis") &&
	    gr_axis(ctx, n, gr_attr_int(n, "axis", dflt), x->rank) < 0)
		return GR_ERR_SHAPE;
	return gr_copy_shape(ctx, y, x, GR_DTYPE_UNDEFINED);
}

/* SoftmaxCrossEntropyLoss (scores, labels, weights) -> output, optional log_prob;
 * NegativeLogLikelihoodLoss (input, target, weight) -> loss.
 * reduction "none" keeps the label shape (N, d1, ...); "mean"/"sum" give a scalar. */
gr_status op_loss_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *lab = gr_in(n, 1), *y = gr_out(n, 0), *lp = gr_out(n, 1);
	const char *red = gr_attr_str(n, "reduction", "mean");
	gr_status st;

	if (!x || !lab)
		return gr_node_error(ctx, n, "needs scores/input and labels/target");
	if (strcmp(red, "none") && strcmp(red, "mean") && strcmp(red, "sum"))
		return gr_node_error(ctx, n, "unknown reduction '%s'", red);
	if (x->rank >= 0 && x->rank < 2)
		return gr_node_error(ctx, n, "input has rank %d, needs N x C x ...", x->rank);
	if (x->rank >= 0 && lab->rank >= 0) {
		if (lab->rank != x->rank - 1)
			return gr_node_error(ctx, n, "labels have rank %d for input of rank %d", lab->rank,
					     x->rank);
		for (int i = 0; i < lab->rank; i++) {
			int64_t a = x->dims[i ? i + 1 : 0].value, b = lab->dims[i].value;
			if (a >= 0 && b >= 0 && a != b)
				return gr_node_error(ctx, n, "labels dim %d is %lld, input has %lld", i,
						     (long long)b, (long long)a);
		}
	}
	if (lp && n->op == GR_OP_SOFTMAX_CROSS_ENTROPY_LOSS) {
		if (x->rank < 0)
			lp->dtype = x->dtype;
		else if ((st = gr_copy_shape(ctx, lp, x, GR_DTYPE_UNDEFINED)) != GR_OK)
			return st;
	}
	if (!y)
		return GR_OK;
	if (strcmp(red, "none") != 0)
		return gr_set_shape(ctx, y, x->dtype, 0, NULL);
	if (lab->rank >= 0)
		return gr_copy_shape(ctx, y, lab, x->dtype);
	if (x->rank >= 0) {
		gr_dim dims[GR_MAX_RANK];
		dims[0] = x->dims[0];
		for (int i = 2; i < x->rank; i++)
			dims[i - 1] = x->dims[i];
		return gr_set_dims(ctx, y, x->dtype, x->rank - 1, dims);
	}
	y->dtype = x->dtype;
	return GR_OK;
}
