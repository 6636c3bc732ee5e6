/* TFLite frontend: mappers of shape and data-movement operators (reshape, squeeze, pack,
 * split, slices, transpose, pad, resize, reductions, gather, reverse); see tflite_read.h. */
#include <stdio.h>
#include <string.h>

#include "frontends/tflite_read.h"

gr_status tfl_map_reshape(tfl_ctx *c, const tfl_op *op)
{
	gr_tensor *shape = in_t(c, op, 1);
	gr_node *n;

	TRY(tfl_need(c, op, 1, 1));
	if (!shape) {
		int64_t v[GR_MAX_RANK];
		size_t k;
		int found;
		tfl_opt_ints(c, op, O_RESHAPE, 0, v, GR_MAX_RANK, &k, &found);
		if (c->fst)
			return c->fst;
		if (!found)
			return tfl_op_error(c, op, GR_ERR_FORMAT, "has neither a shape input nor new_shape");
		if (!(shape = cst_i64(c, nm(c, op, "/new_shape"), v, (int64_t)k, 0)))
			return oom(c);
	}
	EMIT(n, "Reshape", op->name, (in_t(c, op, 0), shape), (out_t(c, op, 0)));
	gr_node_set_int(n, "allowzero", 1); /* a 0 in a TFLite shape means 0, not "copy" */
	return GR_OK;
}

gr_status tfl_map_squeeze(tfl_ctx *c, const tfl_op *op)
{
	int64_t v[GR_MAX_RANK];
	size_t k;
	int found;
	gr_tensor *axes = NULL;
	gr_node *n;

	TRY(tfl_need(c, op, 1, 1));
	tfl_opt_ints(c, op, O_SQUEEZE, 0, v, GR_MAX_RANK, &k, &found);
	if (c->fst)
		return c->fst;
	if (k && !(axes = cst(c, op, "/axes", v, (int64_t)k)))
		return oom(c);
	EMIT(n, "Squeeze", op->name, (in_t(c, op, 0), axes), (out_t(c, op, 0)));
	return GR_OK;
}

/* PACK: Unsqueeze every input at axis, then Concat along it. */
gr_status tfl_map_pack(tfl_ctx *c, const tfl_op *op)
{
	int64_t axis = 0;
	gr_tensor *ax, *y;
	gr_node *cat, *n;
	size_t k = 0;

	TRY(tfl_need(c, op, 1, 1));
	axis = tfl_opt_int(c, op, O_PACK, 1, 4, 0);
	if (c->fst)
		return c->fst;
	y = out_t(c, op, 0);
	if (!(ax = cst(c, op, "/axes", &axis, 1)) || !(cat = tfl_map_variadic(c, op, "Concat", y)))
		return oom(c);
	gr_node_set_int(cat, "axis", axis);
	for (size_t i = 0; i < op->n_in; i++) {
		char suf[32];
		gr_tensor *u;
		if (op->in[i] < 0)
			continue;
		snprintf(suf, sizeof(suf), "/unsqueeze%zu", i);
		if (!(u = tmp(c, y->name, suf)))
			return oom(c);
		EMIT(n, "Unsqueeze", nm(c, op, suf), (in_t(c, op, i), ax), (u));
		cat->in[k++] = u;
	}
	return GR_OK;
}

/* UNPACK: Split along axis into num pieces, then Squeeze the axis from each. */
gr_status tfl_map_unpack(tfl_ctx *c, const tfl_op *op)
{
	int64_t axis = 0;
	gr_tensor *ax;
	gr_node *sp, *n;

	TRY(tfl_need(c, op, 1, 1));
	axis = tfl_opt_int(c, op, O_UNPACK, 1, 4, 0);
	if (c->fst)
		return c->fst;
	if (!(ax = cst(c, op, "/axes", &axis, 1)) || !(sp = node(c, "Split", "", op->name, 1, op->n_out)))
		return oom(c);
	sp->in[0] = in_t(c, op, 0);
	gr_node_set_int(sp, "axis", axis);
	gr_node_set_int(sp, "num_outputs", (int64_t)op->n_out);
	for (size_t i = 0; i < op->n_out; i++) {
		char suf[32];
		snprintf(suf, sizeof(suf), "/piece%zu", i);
		if (!(sp->out[i] = tmp(c, out_t(c, op, i)->name, suf)))
			return oom(c);
		snprintf(suf, sizeof(suf), "/squeeze%zu", i);
		EMIT(n, "Squeeze", nm(c, op, suf), (sp->out[i], ax), (out_t(c, op, i)));
	}
	return GR_OK;
}

/* A scalar constant operand (SPLIT's axis, ARG_MAX's axis), or an error. */
static gr_status const_scalar(tfl_ctx *c, const tfl_op *op, size_t i, const char *what, int64_t *v)
{
	int64_t k;
	const int64_t *p = cvals(c, op, i, &k);

	if (!p || k != 1)
		return tfl_op_error(c, op, GR_ERR_UNSUPPORTED, "%s '%s' is not a one-element constant", what,
				    in_t(c, op, i) ? in_t(c, op, i)->name : "?");
	*v = p[0];
	return GR_OK;
}

/* SPLIT (axis, x) and SPLIT_V (x, size_splits, axis). */
gr_status tfl_map_split(tfl_ctx *c, const tfl_op *op, int v)
{
	int64_t axis = 0;
	gr_tensor *sizes = NULL;
	gr_node *n;

	TRY(tfl_need(c, op, v ? 3 : 2, 1));
	TRY(const_scalar(c, op, v ? 2 : 0, "axis", &axis));
	if (v) {
		int64_t k, s[256], fill = -1, sum = 0;
		const int64_t *p = cvals(c, op, 1, &k);
		tfl_tensor *x = tin(c, op, 0);
		sizes = in_t(c, op, 1);
		if (p && k <= 256) {
			/* one -1 stands for the rest of the dim (ONNX has no such entry) */
			for (int64_t i = 0; i < k; i++) {
				s[i] = p[i];
				if (p[i] == -1 && fill < 0)
					fill = i;
				else if (p[i] >= 0)
					sum += p[i];
			}
			if (fill >= 0) {
				int64_t a = axis < 0 ? axis + x->rank : axis;
				if (a < 0 || a >= x->rank || x->dims[a] < sum)
					return tfl_op_error(c, op, GR_ERR_FORMAT, "cannot resolve size_splits -1");
				s[fill] = x->dims[a] - sum;
				if (!(sizes = cst(c, op, "/split", s, k)))
					return oom(c);
			}
		}
	}
	if (!(n = node(c, "Split", "", op->name, sizes ? 2 : 1, op->n_out)))
		return oom(c);
	n->in[0] = in_t(c, op, v ? 0 : 1);
	if (sizes)
		n->in[1] = sizes;
	for (size_t i = 0; i < op->n_out; i++)
		n->out[i] = out_t(c, op, i);
	gr_node_set_int(n, "axis", axis);
	if (!sizes)
		gr_node_set_int(n, "num_outputs", (int64_t)op->n_out);
	return GR_OK;
}

#define BIG INT64_MAX
#define SMALL INT64_MIN

/* STRIDED_SLICE (x, begin, end, strides) with its masks -> Slice [+ Squeeze] [+ Unsqueeze].
 * The masks need constant begin/end/strides; without them only the mask-free form maps. */
gr_status tfl_map_strided_slice(tfl_ctx *c, const tfl_op *op)
{
	int64_t bm, em, elm, nam, sam, off, nb = 0, ne = 0, ns = 0;
	const int64_t *b, *e, *s;
	int64_t starts[GR_MAX_RANK], ends[GR_MAX_RANK], axes[GR_MAX_RANK], steps[GR_MAX_RANK];
	int64_t shrink[GR_MAX_RANK], newax[GR_MAX_RANK];
	int nsl = 0, nsh = 0, nnew = 0, dense = 0, outpos = 0, r;
	gr_tensor *x, *y, *ts[4], *sq = NULL, *nw = NULL;
	gr_node *n;

	TRY(tfl_need(c, op, 3, 1));
	bm = tfl_opt_int(c, op, O_STRIDED_SLICE, 0, 4, 0);
	em = tfl_opt_int(c, op, O_STRIDED_SLICE, 1, 4, 0);
	elm = tfl_opt_int(c, op, O_STRIDED_SLICE, 2, 4, 0);
	nam = tfl_opt_int(c, op, O_STRIDED_SLICE, 3, 4, 0);
	sam = tfl_opt_int(c, op, O_STRIDED_SLICE, 4, 4, 0);
	off = tfl_opt_int(c, op, O_STRIDED_SLICE, 5, 1, 0);
	if (c->fst)
		return c->fst;
	x = in_t(c, op, 0);
	y = out_t(c, op, 0);
	b = cvals(c, op, 1, &nb);
	e = cvals(c, op, 2, &ne);
	s = in_t(c, op, 3) ? cvals(c, op, 3, &ns) : NULL;
	if (!in_t(c, op, 3))
		ns = nb;
	r = tin(c, op, 0)->rank;
	if (r == 0 || (r > 0 && tin(c, op, 1)->rank == 1 && tin(c, op, 1)->dims[0] > r))
		return tfl_op_error(c, op, GR_ERR_FORMAT, "begin has more entries than '%s' has dims (%d)",
				    x->name, r);
	if (!b || !e || (in_t(c, op, 3) && !s)) {
		if (bm || em || elm || nam || sam || off)
			return tfl_op_error(c, op, GR_ERR_UNSUPPORTED,
					    "masks on begin/end/strides that are not constants");
		EMIT(n, "Slice", op->name, (x, in_t(c, op, 1), in_t(c, op, 2), NULL, in_t(c, op, 3)), (y));
		return GR_OK;
	}
	if (nb != ne || nb != ns || nb > GR_MAX_RANK || r < 0)
		return tfl_op_error(c, op, GR_ERR_FORMAT, "begin, end and strides have %lld, %lld and %lld "
				    "entries for rank %d", (long long)nb, (long long)ne, (long long)ns, r);
	for (int64_t i = 0; i < nb; i++) {
		int64_t st = s ? s[i] : 1, bi = b[i], ei = off ? b[i] + e[i] : e[i];
		if (elm & ((int64_t)1 << i)) {
			/* the ellipsis covers the dims the other (non-new-axis) entries leave */
			int64_t rest = 0;
			for (int64_t j = i + 1; j < nb; j++)
				rest += !(nam & ((int64_t)1 << j));
			for (int64_t k = dense; k < r - rest; k++)
				outpos++;
			dense = (int)(r - rest);
			continue;
		}
		if (nam & ((int64_t)1 << i)) {
			newax[nnew++] = outpos++;
			continue;
		}
		if (dense >= r)
			return tfl_op_error(c, op, GR_ERR_FORMAT, "more slice entries than dims (%d)", r);
		if (st == 0)
			return tfl_op_error(c, op, GR_ERR_FORMAT, "stride is 0");
		if (sam & ((int64_t)1 << i)) {
			st = 1;
			ei = bi == -1 ? BIG : bi + 1;
			shrink[nsh++] = dense;
		} else {
			if (bm & ((int64_t)1 << i))
				bi = st > 0 ? 0 : BIG;
			if (em & ((int64_t)1 << i))
				ei = st > 0 ? BIG : SMALL;
			outpos++;
		}
		starts[nsl] = bi;
		ends[nsl] = ei;
		steps[nsl] = st;
		axes[nsl++] = dense++;
	}
	if (nsl) {
		ts[0] = cst(c, op, "/starts", starts, nsl);
		ts[1] = cst(c, op, "/ends", ends, nsl);
		ts[2] = cst(c, op, "/axes", axes, nsl);
		ts[3] = cst(c, op, "/steps", steps, nsl);
		if (!ts[0] || !ts[1] || !ts[2] || !ts[3])
			return oom(c);
	}
	if ((nsh && !(sq = cst(c, op, "/shrink", shrink, nsh))) ||
	    (nnew && !(nw = cst(c, op, "/new_axes", newax, nnew))) ||
	    !fe_emit_index(c->g, &c->uniq, op->name, x, y, nsl ? ts : NULL, sq, nw))
		return oom(c);
	return GR_OK;
}

/* SLICE (x, begin, size): size -1 runs to the end. */
gr_status tfl_map_slice(tfl_ctx *c, const tfl_op *op)
{
	int64_t nb, nsz, ends[GR_MAX_RANK];
	const int64_t *b, *sz;
	gr_tensor *te;
	gr_node *n;

	TRY(tfl_need(c, op, 3, 1));
	if (tin(c, op, 0)->rank == 0 || (tin(c, op, 0)->rank > 0 && tin(c, op, 1)->rank == 1 &&
					  tin(c, op, 1)->dims[0] > tin(c, op, 0)->rank))
		return tfl_op_error(c, op, GR_ERR_FORMAT, "begin has more entries than '%s' has dims (%d)",
				    in_t(c, op, 0)->name, tin(c, op, 0)->rank);
	b = cvals(c, op, 1, &nb);
	sz = cvals(c, op, 2, &nsz);
	if (b && sz && nb == nsz && nb <= GR_MAX_RANK) {
		for (int64_t i = 0; i < nb; i++)
			ends[i] = sz[i] < 0 ? BIG : b[i] + sz[i];
		if (!(te = cst(c, op, "/ends", ends, nb)))
			return oom(c);
	} else {
		/* computed operands: ends = begin + size (a -1 size is then not understood) */
		if (!(te = tmp(c, out_t(c, op, 0)->name, "/ends")))
			return oom(c);
		EMIT(n, "Add", nm(c, op, "/ends"), (in_t(c, op, 1), in_t(c, op, 2)), (te));
	}
	EMIT(n, "Slice", op->name, (in_t(c, op, 0), in_t(c, op, 1), te), (out_t(c, op, 0)));
	return GR_OK;
}

gr_status tfl_map_transpose(tfl_ctx *c, const tfl_op *op)
{
	int64_t k;
	const int64_t *p;
	gr_node *n;

	TRY(tfl_need(c, op, 2, 1));
	if (!(p = cvals(c, op, 1, &k)) || k > GR_MAX_RANK)
		return tfl_op_error(c, op, GR_ERR_UNSUPPORTED, "perm '%s' is not a constant",
				    in_t(c, op, 1)->name);
	EMIT(n, "Transpose", op->name, (in_t(c, op, 0)), (out_t(c, op, 0)));
	return gr_node_set_ints(n, "perm", p, (size_t)k) ? GR_OK : oom(c);
}

/* PAD/PADV2/MIRROR_PAD: TFLite paddings are [rank, 2] (before, after per dim); ONNX pads
 * are all befores then all afters. Computed paddings get the same reordering as nodes. */
gr_status tfl_map_pad(tfl_ctx *c, const tfl_op *op, const char *mode)
{
	int64_t k;
	const int64_t *p;
	gr_tensor *pads;
	gr_node *n;

	TRY(tfl_need(c, op, 2, 1));
	if ((p = cvals(c, op, 1, &k))) {
		int64_t v[2 * GR_MAX_RANK];
		if (k % 2 || k > 2 * GR_MAX_RANK)
			return tfl_op_error(c, op, GR_ERR_FORMAT, "paddings hold %lld values", (long long)k);
		for (int64_t i = 0; i < k / 2; i++) {
			v[i] = p[2 * i];
			v[k / 2 + i] = p[2 * i + 1];
		}
		if (!(pads = cst(c, op, "/pads", v, k)))
			return oom(c);
	} else {
		int64_t flat = -1;
		gr_tensor *t = tmp(c, out_t(c, op, 0)->name, "/pads_t");
		if (!t || !(pads = tmp(c, out_t(c, op, 0)->name, "/pads")))
			return oom(c);
		EMIT(n, "Transpose", nm(c, op, "/pads_t"), (in_t(c, op, 1)), (t));
		if (!gr_node_set_ints(n, "perm", TFL_P_T2, 2))
			return oom(c);
		EMIT(n, "Reshape", nm(c, op, "/pads"), (t, cst(c, op, "/pads_shape", &flat, 1)), (pads));
		if (!n->in[1])
			return oom(c);
	}
	EMIT(n, "Pad", op->name, (in_t(c, op, 0), pads, in_t(c, op, 2)), (out_t(c, op, 0)));
	gr_node_set_str(n, "mode", mode);
	return GR_OK;
}

/* RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR (x, size[2]) on the H, W axes of NHWC. */
gr_status tfl_map_resize(tfl_ctx *c, const tfl_op *op, int linear)
{
	int want = linear ? O_RESIZE_BILINEAR : O_RESIZE_NEAREST;
	int64_t ac, hp, axes[2] = {1, 2};
	gr_node *n;

	TRY(tfl_need(c, op, 2, 1));
	TRY(tfl_need_rank(c, op, 0, 4, "input"));
	ac = tfl_opt_int(c, op, want, linear ? 2 : 0, 1, 0);
	hp = tfl_opt_int(c, op, want, linear ? 3 : 1, 1, 0);
	if (c->fst)
		return c->fst;
	EMIT(n, "Resize", op->name, (in_t(c, op, 0), NULL, NULL, in_t(c, op, 1)), (out_t(c, op, 0)));
	gr_node_set_str(n, "mode", linear ? "linear" : "nearest");
	gr_node_set_str(n, "coordinate_transformation_mode",
	      ac ? "align_corners" : hp ? (linear ? "half_pixel" : "tf_half_pixel_for_nn") : "asymmetric");
	return gr_node_set_ints(n, "axes", axes, 2) ? GR_OK : oom(c);
}

gr_status tfl_map_reduce(tfl_ctx *c, const tfl_op *op, const char *type)
{
	int64_t keep;
	gr_node *n;

	TRY(tfl_need(c, op, 2, 1));
	keep = tfl_opt_int(c, op, O_REDUCER, 0, 1, 0);
	if (c->fst)
		return c->fst;
	EMIT(n, type, op->name, (in_t(c, op, 0), in_t(c, op, 1)), (out_t(c, op, 0)));
	gr_node_set_int(n, "keepdims", keep != 0);
	return GR_OK;
}

gr_status tfl_map_argreduce(tfl_ctx *c, const tfl_op *op, const char *type)
{
	int64_t axis = 0;
	gr_node *n;

	TRY(tfl_need(c, op, 2, 1));
	TRY(const_scalar(c, op, 1, "axis", &axis));
	EMIT(n, type, op->name, (in_t(c, op, 0)), (out_t(c, op, 0)));
	gr_node_set_int(n, "axis", axis);
	gr_node_set_int(n, "keepdims", 0);
	return GR_OK;
}

gr_status tfl_map_gather(tfl_ctx *c, const tfl_op *op)
{
	int64_t axis, bd;
	gr_node *n;

	TRY(tfl_need(c, op, 2, 1));
	axis = tfl_opt_int(c, op, O_GATHER, 0, 4, 0);
	bd = tfl_opt_int(c, op, O_GATHER, 1, 4, 0);
	if (c->fst)
		return c->fst;
	if (bd)
		return tfl_op_error(c, op, GR_ERR_UNSUPPORTED, "batch_dims %lld", (long long)bd);
	EMIT(n, "Gather", op->name, (in_t(c, op, 0), in_t(c, op, 1)), (out_t(c, op, 0)));
	gr_node_set_int(n, "axis", axis);
	return GR_OK;
}

/* REVERSE_V2 (x, axes): a reversing Slice (same shape, data copied). */
gr_status tfl_map_reverse(tfl_ctx *c, const tfl_op *op)
{
	int64_t k, st[GR_MAX_RANK], en[GR_MAX_RANK], sp[GR_MAX_RANK];
	const int64_t *ax;
	gr_node *n;

	TRY(tfl_need(c, op, 2, 1));
	if (!(ax = cvals(c, op, 1, &k)) || k > GR_MAX_RANK)
		return tfl_op_error(c, op, GR_ERR_UNSUPPORTED, "axes are not a constant");
	if (tin(c, op, 0)->rank >= 0 && (tin(c, op, 0)->rank == 0 || k > tin(c, op, 0)->rank))
		return tfl_op_error(c, op, GR_ERR_FORMAT, "reverses %lld axes of a rank-%d tensor",
				    (long long)k, tin(c, op, 0)->rank);
	for (int64_t i = 0; i < k; i++) {
		st[i] = -1;
		en[i] = SMALL;
		sp[i] = -1;
	}
	EMIT(n, "Slice", op->name, (in_t(c, op, 0), cst(c, op, "/starts", st, k), cst(c, op, "/ends", en, k),
				    cst(c, op, "/axes", ax, k), cst(c, op, "/steps", sp, k)),
	     (out_t(c, op, 0)));
	for (int i = 1; i < 5; i++)
		if (!n->in[i])
			return oom(c);
	return GR_OK;
}
