/* Resize and Upsample: output sizes from scales or sizes (with the opset 18 aspect-ratio
 * policies and axes), and the interpolation cost per output element. */
#include <math.h>
#include <string.h>

#include "values.h"

/* --- Resize, Upsample ----------------------------------------------------------- */

/* A present input that is not a known-empty tensor (opset 11-12 pass "" or an empty
 * tensor for the unused one of scales/sizes). */
static int input_given(const gr_tensor *t)
{
	if (!t)
		return 0;
	if (gr_shape_known(t) && gr_numel(t) == 0)
		return 0;
	if (t->has_value && t->nval == 0)
		return 0;
	return 1;
}

gr_status op_resize_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0), *scales = NULL, *sizes = NULL;
	gr_tensor *y = gr_out(n, 0);
	const int64_t *axes_attr;
	size_t naa;
	int r, nax, ax[GR_MAX_RANK];
	gr_dim out[GR_MAX_RANK];
	int64_t cnt;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'X'");
	if (n->op == GR_OP_UPSAMPLE || gr_node_opset(n) < 11) {
		scales = gr_in(n, 1); /* Upsample-9, Resize-10: (X, scales) */
	} else {
		scales = gr_in(n, 2);
		sizes = gr_in(n, 3);
	}
	if (x->rank < 0)
		return gr_set_unknown(ctx, y, x->dtype);
	r = x->rank;
	if (r > 0) /* a scalar has no dims array */
		memcpy(out, x->dims, (size_t)r * sizeof(gr_dim));
	axes_attr = gr_attr_ints(n, "axes", &naa);
	nax = axes_attr ? (int)naa : r;
	if (nax > r)
		return gr_node_error(ctx, n, "%d axes for rank %d", nax, r);
	for (int k = 0; k < nax; k++) {
		ax[k] = axes_attr ? gr_axis(ctx, n, axes_attr[k], r) : k;
		if (ax[k] < 0)
			return GR_ERR_SHAPE;
	}
	if (input_given(sizes)) {
		int ok;
		const int64_t *sv = gr_ints_input(ctx, sizes, &cnt, &ok);
		const char *policy = gr_attr_str(n, "keep_aspect_ratio_policy", "stretch");
		if (!ok) {
			for (int k = 0; k < nax; k++)
				out[ax[k]] = gr_dim_unknown();
			return gr_set_dims(ctx, y, x->dtype, r, out);
		}
		if (cnt != nax)
			return gr_node_error(ctx, n, "sizes has %lld entries for %d axes", (long long)cnt,
					     nax);
		if (strcmp(policy, "stretch") != 0) {
			/* Opset 18: one scale for all axes, the smallest (not_larger) or largest. */
			int larger = strcmp(policy, "not_smaller") == 0;
			double scale = larger ? 0 : INFINITY;
			for (int k = 0; k < nax; k++) {
				double s;
				if (x->dims[ax[k]].value <= 0) {
					for (int j = 0; j < nax; j++)
						out[ax[j]] = gr_dim_unknown();
					return gr_set_dims(ctx, y, x->dtype, r, out);
				}
				s = (double)sv[k] / (double)x->dims[ax[k]].value;
				scale = larger ? fmax(scale, s) : fmin(scale, s);
			}
			for (int k = 0; k < nax; k++) {
				double v = floor(scale * (double)x->dims[ax[k]].value + 0.5);
				if (!(v < 1.1e15))
					return gr_node_error(ctx, n, "sizes are too large");
				out[ax[k]] = gr_dim_known((int64_t)v);
			}
			return gr_set_dims(ctx, y, x->dtype, r, out);
		}
		for (int k = 0; k < nax; k++) {
			if (sv[k] < 0)
				return gr_node_error(ctx, n, "negative size");
			out[ax[k]] = gr_dim_known(sv[k]);
		}
		return gr_set_dims(ctx, y, x->dtype, r, out);
	}
	{
		const double *scv = NULL;
		size_t ns = 0;
		if (input_given(scales)) {
			scv = gr_values_f64(ctx, scales, &cnt);
			ns = (size_t)cnt;
		} else if (gr_attr_find(n, "scales")) { /* Upsample-7 */
			scv = gr_attr_floats(n, "scales", &ns);
		} else {
			return gr_node_error(ctx, n, "neither scales nor sizes given");
		}
		if (!scv) {
			for (int k = 0; k < nax; k++)
				out[ax[k]] = gr_dim_unknown();
			return gr_set_dims(ctx, y, x->dtype, r, out);
		}
		if ((int)ns != nax)
			return gr_node_error(ctx, n, "scales has %zu entries for %d axes", ns, nax);
		for (int k = 0; k < nax; k++) {
			gr_dim d = x->dims[ax[k]];
			if (scv[k] <= 0)
				return gr_node_error(ctx, n, "scale %g is not positive", scv[k]);
			if (scv[k] == 1.0)
				continue;
			/* floor(dim * scale), computed in float like the reference implementation. */
			if (d.value < 0) {
				out[ax[k]] = gr_dim_unknown();
			} else {
				float v = floorf((float)d.value * (float)scv[k]);
				if (!(v < 1.1e15f))
					return gr_node_error(ctx, n, "scale %g makes axis %d too large", scv[k],
							     ax[k]);
				out[ax[k]] = gr_dim_known((int64_t)v);
			}
		}
	}
	return gr_set_dims(ctx, y, x->dtype, r, out);
}

/* Resize FLOPs per output element. Convention: an interpolating mode reads `taps` input
 * elements and spends one multiply and one add on each (2 FLOPs per tap); nearest reads one
 * and computes nothing. With k = the number of axes whose size changes, taps = 2^k for
 * linear (bilinear: 4 taps, 8 FLOPs) and 4^k for cubic (bicubic: 16 taps, 32 FLOPs).
 * Coordinate transformation arithmetic is not counted. */
void op_resize_cost(const gr_node *n, gr_cost *c)
{
	const gr_tensor *x = gr_in(n, 0), *y = gr_out(n, 0);
	const char *mode = gr_attr_str(n, "mode", "nearest");
	int k = 0, per_axis = 0;
	double taps = 1;

	gr_cost_io_bytes(n, c);
	if (!x || !y || x->rank != y->rank)
		return;
	if (strcmp(mode, "linear") == 0 || strcmp(mode, "bilinear") == 0 || strcmp(mode, "trilinear") == 0)
		per_axis = 2;
	else if (strcmp(mode, "cubic") == 0 || strcmp(mode, "bicubic") == 0)
		per_axis = 4;
	if (!per_axis)
		return;
	for (int i = 0; i < x->rank; i++)
		if (x->dims[i].value != y->dims[i].value)
			k++;
	for (int i = 0; i < k; i++)
		taps *= per_axis;
	if (k && gr_numel(y) > 0)
		c->flops += 2.0 * taps * (double)gr_numel(y);
}
