/* Indexing ops: Gather*, Scatter*, Compress, and the data-dependent ones (NonZero, Unique,
 * NonMaxSuppression) whose output length depends on values: computed when the values are
 * known, otherwise left unknown (-1) with a note on the node. Gather and GatherElements
 * fold small known values (Shape -> Gather picks dims out of a shape). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops_impl.h"
#include "values.h"

/* --- Gather ---------------------------------------------------------------- */

gr_status op_gather_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *data = gr_in(n, 0), *ind = gr_in(n, 1);
	gr_tensor *y = gr_out(n, 0);
	gr_dim out[GR_MAX_RANK];
	int a, r = 0;
	gr_status st;
	vals dv, iv;

	if (!data || !ind)
		return gr_node_error(ctx, n, "missing input");
	if (data->rank < 0 || ind->rank < 0)
		return gr_set_unknown(ctx, y, data->dtype);
	if (data->rank == 0)
		return gr_node_error(ctx, n, "data must have rank >= 1");
	if ((a = gr_axis(ctx, n, gr_attr_int(n, "axis", 0), data->rank)) < 0)
		return GR_ERR_SHAPE;
	if (data->rank - 1 + ind->rank > GR_MAX_RANK)
		return gr_node_error(ctx, n, "output rank exceeds the limit %d", GR_MAX_RANK);
	for (int i = 0; i < a; i++)
		out[r++] = data->dims[i];
	for (int i = 0; i < ind->rank; i++)
		out[r++] = ind->dims[i];
	for (int i = a + 1; i < data->rank; i++)
		out[r++] = data->dims[i];
	if ((st = gr_set_dims(ctx, y, data->dtype, r, out)))
		return st;
	if (y && vals_get_shaped(data, &dv) && vals_get_shaped(ind, &iv) && gr_shape_known(y)) {
		int64_t m = gr_numel(y), K = iv.n, A = data->dims[a].value, inner, *idx;
		if ((st = gr_dims_prod(ctx, n, data, a + 1, data->rank, &inner)))
			return st;
		if (m > GR_FOLD_MAX)
			return GR_OK;
		idx = malloc((size_t)(m ? m : 1) * sizeof(*idx));
		if (!idx)
			return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
		for (int64_t k = 0; k < m; k++) {
			int64_t j = inner ? k % inner : 0, rest = inner ? k / inner : 0;
			int64_t q = K ? rest % K : 0, o = K ? rest / K : 0, iv_ = vals_i(&iv, q);
			if (iv_ < 0)
				iv_ += A;
			if (iv_ < 0 || iv_ >= A) {
				free(idx);
				return gr_node_error(ctx, n, "index %lld is out of range for dim %lld",
						     (long long)vals_i(&iv, q), (long long)A);
			}
			idx[k] = (o * A + iv_) * inner + j;
		}
		st = gr_fold_map(ctx, y, &dv, idx, m);
		free(idx);
	}
	return st;
}

/* Cost of Gather, GatherElements and GatherND: reads the gathered rows and the indices,
 * not the whole table (embeddings); writes the output. */
void op_gather_rows_cost(const gr_node *n, gr_cost *c)
{
	c->bytes_read += gr_tensor_bytes(gr_out(n, 0)) + gr_tensor_bytes(gr_in(n, 1));
	c->bytes_written += gr_tensor_bytes(gr_out(n, 0));
}

gr_status op_gather_elements_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *data = gr_in(n, 0), *ind = gr_in(n, 1);
	gr_tensor *y = gr_out(n, 0);
	gr_status st;
	int a;
	vals dv, iv;

	if (!data || !ind)
		return gr_node_error(ctx, n, "missing input");
	if ((st = gr_copy_shape(ctx, y, ind, data->dtype)))
		return st;
	if (data->rank < 0 || ind->rank < 0)
		return GR_OK;
	if (data->rank != ind->rank)
		return gr_node_error(ctx, n, "data rank %d differs from indices rank %d", data->rank,
				     ind->rank);
	if ((a = gr_axis(ctx, n, gr_attr_int(n, "axis", 0), data->rank)) < 0)
		return GR_ERR_SHAPE;
	if (y && vals_get_shaped(data, &dv) && vals_get_shaped(ind, &iv) && iv.n <= GR_FOLD_MAX) {
		int r = data->rank;
		int64_t *idx = malloc((size_t)(iv.n ? iv.n : 1) * sizeof(*idx));
		if (!idx)
			return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
		int64_t str[GR_MAX_RANK], c[GR_MAX_RANK];
		gr_strides(data, str);
		for (int64_t k = 0; k < iv.n; k++) {
			/* the index's own coordinates, with axis a replaced by its value */
			gr_unflatten(ind, k, c);
			c[a] = vals_i(&iv, k);
			if (c[a] < 0)
				c[a] += data->dims[a].value;
			if (c[a] < 0 || c[a] >= data->dims[a].value) {
				free(idx);
				return gr_node_error(ctx, n, "index out of range");
			}
			idx[k] = 0;
			for (int i = 0; i < r; i++)
				idx[k] += c[i] * str[i];
		}
		st = gr_fold_map(ctx, y, &dv, idx, iv.n);
		free(idx);
	}
	return st;
}

/* GatherND: out = indices.shape[:-1] + data.shape[batch_dims + k:], k = indices.shape[-1]. */
gr_status op_gather_nd_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *data = gr_in(n, 0), *ind = gr_in(n, 1);
	gr_tensor *y = gr_out(n, 0);
	int64_t b = gr_attr_int(n, "batch_dims", 0), k;
	gr_dim out[GR_MAX_RANK];
	int r = 0;

	if (!data || !ind)
		return gr_node_error(ctx, n, "missing input");
	if (data->rank < 0 || ind->rank < 0)
		return gr_set_unknown(ctx, y, data->dtype);
	if (ind->rank < 1 || b < 0 || b >= ind->rank || b >= data->rank)
		return gr_node_error(ctx, n, "batch_dims %lld does not fit ranks %d and %d",
				     (long long)b, data->rank, ind->rank);
	k = ind->dims[ind->rank - 1].value;
	if (k < 0)
		return gr_set_unknown(ctx, y, data->dtype);
	if (b + k > data->rank)
		return gr_node_error(ctx, n, "indices address %lld dims of a rank %d tensor",
				     (long long)(b + k), data->rank);
	if (ind->rank - 1 + data->rank - (b + k) > GR_MAX_RANK)
		return gr_node_error(ctx, n, "output rank exceeds the limit");
	for (int i = 0; i < ind->rank - 1; i++)
		out[r++] = i < b && ind->dims[i].value < 0 ? data->dims[i] : ind->dims[i];
	for (int64_t i = b + k; i < data->rank; i++)
		out[r++] = data->dims[i];
	return gr_set_dims(ctx, y, data->dtype, r, out);
}

/* Scatter, ScatterElements, ScatterND: the output is the data tensor with updates written. */
gr_status op_scatter_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *data = gr_in(n, 0);

	if (!data || !gr_in(n, 1) || !gr_in(n, 2))
		return gr_node_error(ctx, n, "missing input");
	return gr_copy_shape(ctx, gr_out(n, 0), data, GR_DTYPE_UNDEFINED);
}

void op_scatter_cost(const gr_node *n, gr_cost *c)
{
	const char *red = gr_attr_str(n, "reduction", "none");

	gr_cost_io_bytes(n, c);
	if (strcmp(red, "none") != 0 && gr_numel(gr_in(n, 2)) > 0)
		c->flops += (double)gr_numel(gr_in(n, 2)); /* one op per update element */
}

/* --- Compress --------------------------------------------------------------- */

gr_status op_compress_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0), *cond = gr_in(n, 1);
	gr_tensor *y = gr_out(n, 0);
	const gr_attr *ax = gr_attr_find(n, "axis");
	gr_dim out[GR_MAX_RANK];
	int64_t count = -1, limit;
	int a = -1, r;
	gr_status st;
	vals cv, xv;

	if (!x || !cond)
		return gr_node_error(ctx, n, "missing input");
	if (x->rank < 0) {
		out[0] = gr_dim_unknown();
		return ax ? gr_set_unknown(ctx, y, x->dtype) : gr_set_dims(ctx, y, x->dtype, 1, out);
	}
	if (ax && (a = gr_axis(ctx, n, ax->i, x->rank)) < 0)
		return GR_ERR_SHAPE;
	limit = ax ? x->dims[a].value : gr_numel(x);
	if (vals_get_shaped(cond, &cv)) {
		count = 0;
		for (int64_t k = 0; k < cv.n && (limit < 0 || k < limit); k++)
			count += vals_f(&cv, k) != 0;
	}
	if (ax) {
		r = x->rank;
		memcpy(out, x->dims, (size_t)r * sizeof(gr_dim));
		out[a] = count >= 0 ? gr_dim_known(count) : gr_dim_unknown();
	} else {
		r = 1;
		out[0] = count >= 0 ? gr_dim_known(count) : gr_dim_unknown();
	}
	if (count < 0)
		gr_node_set_note(ctx, n, "Compress: condition unknown, output length unknown");
	if ((st = gr_set_dims(ctx, y, x->dtype, r, out)))
		return st;
	/* Fold small known data. */
	if (y && count >= 0 && vals_get_shaped(x, &xv) && count <= GR_FOLD_MAX && gr_numel(y) <= GR_FOLD_MAX) {
		int64_t m = gr_numel(y), pos = 0, outer = 1, inner = 1, *idx;
		if (ax && ((st = gr_dims_prod(ctx, n, x, 0, a, &outer)) ||
			   (st = gr_dims_prod(ctx, n, x, a + 1, x->rank, &inner))))
			return st;
		idx = malloc((size_t)(m ? m : 1) * sizeof(int64_t));
		if (!idx)
			return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
		if (!ax) {
			for (int64_t k = 0; k < cv.n && k < xv.n && pos < m; k++)
				if (vals_f(&cv, k) != 0)
					idx[pos++] = k;
		} else {
			int64_t A = x->dims[a].value;
			for (int64_t o = 0; o < outer; o++)
				for (int64_t k = 0; k < cv.n && k < A; k++)
					if (vals_f(&cv, k) != 0)
						for (int64_t j = 0; j < inner && pos < m; j++)
							idx[pos++] = (o * A + k) * inner + j;
		}
		st = pos == m ? gr_fold_map(ctx, y, &xv, idx, m) : GR_OK;
		free(idx);
	}
	return st;
}

/* --- Unique ----------------------------------------------------------------- */

static int cmp_f64(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Number of distinct slices of x along axis a (a < 0: distinct elements), or -1; outer and
 * inner are the products of x's dims before and after a. */
static int64_t unique_count(const gr_tensor *x, int a, int64_t outer, int64_t inner,
			    const vals *v)
{
	int64_t u = 0;

	if (a < 0) {
		double *s = malloc((size_t)(v->n ? v->n : 1) * sizeof(double));
		if (!s)
			return -1;
		for (int64_t k = 0; k < v->n; k++)
			s[k] = vals_f(v, k);
		qsort(s, (size_t)v->n, sizeof(double), cmp_f64);
		for (int64_t k = 0; k < v->n; k++)
			if (k == 0 || s[k] != s[k - 1])
				u++;
		free(s);
		return u;
	}
	{
		int64_t A = x->dims[a].value;
		for (int64_t i = 0; i < A; i++) {
			int dup = 0;
			for (int64_t j = 0; j < i && !dup; j++) {
				int same = 1;
				for (int64_t o = 0; o < outer && same; o++)
					for (int64_t e = 0; e < inner && same; e++)
						same = vals_f(v, (o * A + i) * inner + e) ==
						       vals_f(v, (o * A + j) * inner + e);
				dup = same;
			}
			u += !dup;
		}
	}
	return u;
}

gr_status op_unique_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0);
	const gr_attr *ax = gr_attr_find(n, "axis");
	gr_dim out[GR_MAX_RANK], u = gr_dim_unknown(), inv;
	int a = -1;
	gr_status st;
	vals v;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'X'");
	if (x->rank >= 0 && ax && (a = gr_axis(ctx, n, ax->i, x->rank)) < 0)
		return GR_ERR_SHAPE;
	if (x->rank >= 0 && vals_get_shaped(x, &v) && v.n <= GR_FOLD_MAX) {
		int64_t outer = 1, inner = 1;
		if (a >= 0 && ((st = gr_dims_prod(ctx, n, x, 0, a, &outer)) ||
			       (st = gr_dims_prod(ctx, n, x, a + 1, x->rank, &inner))))
			return st;
		u = gr_dim_known(unique_count(x, a, outer, inner, &v));
	}
	if (u.value < 0)
		gr_node_set_note(ctx, n, "Unique: values unknown, output length unknown");
	if (x->rank < 0 && ax) {
		if ((st = gr_set_unknown(ctx, gr_out(n, 0), x->dtype)))
			return st;
		inv = gr_dim_unknown();
	} else if (ax) {
		memcpy(out, x->dims, (size_t)x->rank * sizeof(gr_dim));
		out[a] = u;
		if ((st = gr_set_dims(ctx, gr_out(n, 0), x->dtype, x->rank, out)))
			return st;
		inv = x->dims[a];
	} else {
		int64_t e = gr_numel(x);
		if ((st = gr_set_dims(ctx, gr_out(n, 0), x->dtype, 1, &u)))
			return st;
		inv = e >= 0 ? gr_dim_known(e) : gr_dim_unknown();
	}
	if ((st = gr_set_dims(ctx, gr_out(n, 1), GR_DTYPE_INT64, 1, &u)) ||
	    (st = gr_set_dims(ctx, gr_out(n, 2), GR_DTYPE_INT64, 1, &inv)) ||
	    (st = gr_set_dims(ctx, gr_out(n, 3), GR_DTYPE_INT64, 1, &u)))
		return st;
	return GR_OK;
}

void op_unique_cost(const gr_node *n, gr_cost *c)
{
	int64_t e = gr_numel(gr_in(n, 0));

	gr_cost_io_bytes(n, c);
	if (e > 1)
		c->flops += (double)e * log2((double)e); /* a sort */
}

/* --- NonZero ---------------------------------------------------------------- */

gr_status op_non_zero_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0);
	gr_tensor *y = gr_out(n, 0);
	gr_dim out[2];
	gr_status st;
	vals v;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'X'");
	out[0] = x->rank >= 0 ? gr_dim_known(x->rank) : gr_dim_unknown();
	out[1] = gr_dim_unknown();
	if (x->rank >= 0 && vals_get_shaped(x, &v)) {
		int64_t nnz = 0;
		for (int64_t k = 0; k < v.n; k++)
			nnz += vals_f(&v, k) != 0;
		out[1] = gr_dim_known(nnz);
		if ((st = gr_set_dims(ctx, y, GR_DTYPE_INT64, 2, out)))
			return st;
		if (y && nnz * (x->rank ? x->rank : 1) <= GR_FOLD_MAX) {
			int r = x->rank;
			int64_t m = r * nnz, pos = 0, *buf = malloc((size_t)(m ? m : 1) * sizeof(int64_t));
			if (!buf)
				return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
			for (int64_t k = 0; k < v.n; k++) {
				int64_t c[GR_MAX_RANK];
				if (vals_f(&v, k) == 0)
					continue;
				gr_unflatten(x, k, c);
				for (int i = 0; i < r; i++)
					buf[i * nnz + pos] = c[i];
				pos++;
			}
			st = gr_tensor_set_i64(y->owner, y, buf, m);
			free(buf);
			if (st)
				return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
		}
		return GR_OK;
	}
	gr_node_set_note(ctx, n, "NonZero: values unknown, output length unknown");
	return gr_set_dims(ctx, y, GR_DTYPE_INT64, 2, out);
}

void op_non_zero_cost(const gr_node *n, gr_cost *c)
{
	int64_t e = gr_numel(gr_in(n, 0));

	gr_cost_io_bytes(n, c);
	if (e > 0)
		c->flops += gr_op_table[n->op].flops_per_elem * (double)e; /* one test per element */
}

/* --- GridSample --------------------------------------------------------------- */

/* out = [N, C] + grid.shape[1:-1]: (N, C, H_out, W_out) for 4-D input. */
gr_status op_grid_sample_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0), *grid = gr_in(n, 1);
	gr_tensor *y = gr_out(n, 0);
	gr_dim out[GR_MAX_RANK];
	int r;

	if (!x || !grid)
		return gr_node_error(ctx, n, "missing input");
	r = x->rank >= 0 ? x->rank : grid->rank;
	if (r < 0)
		return gr_set_unknown(ctx, y, x->dtype);
	if (r < 3)
		return gr_node_error(ctx, n, "input must have rank >= 3");
	if (grid->rank >= 0 && grid->rank != r)
		return gr_node_error(ctx, n, "grid has rank %d, expected %d", grid->rank, r);
	for (int i = 0; i < r; i++)
		out[i] = gr_dim_unknown();
	if (x->rank >= 0) {
		out[0] = x->dims[0];
		out[1] = x->dims[1];
	}
	if (grid->rank >= 0) {
		if (out[0].value < 0 && grid->dims[0].value >= 0)
			out[0] = grid->dims[0];
		for (int i = 2; i < r; i++)
			out[i] = grid->dims[i - 1];
	}
	return gr_set_dims(ctx, y, x->dtype, r, out);
}

/* FLOPs per output element follow Resize's convention: 2 per tap, with 2^k taps for
 * (bi)linear, 4^k for (bi)cubic and none for nearest (k = spatial rank). */
void op_grid_sample_cost(const gr_node *n, gr_cost *c)
{
	const gr_tensor *y = gr_out(n, 0);
	const char *mode = gr_attr_str(n, "mode", "bilinear");
	int64_t e = gr_numel(y);
	double taps = 1, per = 0;

	c->bytes_read += gr_tensor_bytes(gr_in(n, 1)) + gr_tensor_bytes(y); /* taps hit cache */
	c->bytes_written += gr_tensor_bytes(y);
	if (strcmp(mode, "bilinear") == 0 || strcmp(mode, "linear") == 0)
		per = 2;
	else if (strcmp(mode, "bicubic") == 0 || strcmp(mode, "cubic") == 0)
		per = 4;
	if (!per || e <= 0)
		return;
	for (int i = 2; i < y->rank; i++)
		taps *= per;
	c->flops += 2.0 * taps * (double)e;
}

/* --- NonMaxSuppression --------------------------------------------------------- */

static double nms_iou(const double *a, const double *b, int center)
{
	double ay1, ax1, ay2, ax2, by1, bx1, by2, bx2, ih, iw, inter, ua;

	if (center) { /* [x_center, y_center, width, height] */
		ax1 = a[0] - a[2] / 2, ax2 = a[0] + a[2] / 2, ay1 = a[1] - a[3] / 2, ay2 = a[1] + a[3] / 2;
		bx1 = b[0] - b[2] / 2, bx2 = b[0] + b[2] / 2, by1 = b[1] - b[3] / 2, by2 = b[1] + b[3] / 2;
	} else { /* [y1, x1, y2, x2], any diagonal */
		ay1 = fmin(a[0], a[2]), ay2 = fmax(a[0], a[2]), ax1 = fmin(a[1], a[3]), ax2 = fmax(a[1], a[3]);
		by1 = fmin(b[0], b[2]), by2 = fmax(b[0], b[2]), bx1 = fmin(b[1], b[3]), bx2 = fmax(b[1], b[3]);
	}
	ih = fmin(ay2, by2) - fmax(ay1, by1);
	iw = fmin(ax2, bx2) - fmax(ax1, bx1);
	if (ih <= 0 || iw <= 0)
		return 0;
	inter = ih * iw;
	ua = (ay2 - ay1) * (ax2 - ax1) + (by2 - by1) * (bx2 - bx1) - inter;
	return ua > 0 ? inter / ua : 0;
}

typedef struct nms_cand {
	double score;
	int64_t box;
} nms_cand;

static int cmp_cand(const void *pa, const void *pb)
{
	const nms_cand *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score < b->score ? 1 : -1;
	return (a->box > b->box) - (a->box < b->box); /* stable: lower index first */
}

/* Runs NMS on known values; returns the selected count (and triples in sel when room). */
static int64_t nms_run(const double *boxes, const double *scores, int64_t B, int64_t C, int64_t S,
		       int64_t max_out, double iou_th, double score_th, int has_score_th, int center,
		       int64_t *sel, int64_t sel_cap)
{
	nms_cand *cand = malloc((size_t)(S ? S : 1) * sizeof(*cand));
	int64_t *kept = malloc((size_t)(S ? S : 1) * sizeof(*kept)), total = 0;

	if (!cand || !kept) {
		free(cand);
		free(kept);
		return -1;
	}
	for (int64_t b = 0; b < B; b++) {
		for (int64_t c = 0; c < C; c++) {
			int64_t nc = 0, nk = 0;
			for (int64_t s = 0; s < S; s++) {
				double sc = scores[(b * C + c) * S + s];
				if (has_score_th && !(sc > score_th))
					continue;
				cand[nc].score = sc;
				cand[nc++].box = s;
			}
			qsort(cand, (size_t)nc, sizeof(*cand), cmp_cand);
			for (int64_t k = 0; k < nc && nk < max_out; k++) {
				const double *bx = &boxes[(b * S + cand[k].box) * 4];
				int keep = 1;
				for (int64_t j = 0; j < nk && keep; j++)
					if (nms_iou(bx, &boxes[(b * S + kept[j]) * 4], center) > iou_th)
						keep = 0;
				if (!keep)
					continue;
				kept[nk++] = cand[k].box;
				if (sel && total < sel_cap) {
					sel[total * 3] = b;
					sel[total * 3 + 1] = c;
					sel[total * 3 + 2] = cand[k].box;
				}
				total++;
			}
		}
	}
	free(cand);
	free(kept);
	return total;
}

gr_status op_nms_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *boxes = gr_in(n, 0), *scores = gr_in(n, 1), *mo = gr_in(n, 2);
	const gr_tensor *iou = gr_in(n, 3), *sth = gr_in(n, 4);
	gr_tensor *y = gr_out(n, 0);
	gr_dim out[2] = {{-1, NULL}, {3, NULL}};
	int64_t max_out = 0, cnt, B = -1, C = -1, S = -1;
	int max_known = 1;
	const double *bv, *sv, *iv = NULL, *tv = NULL;
	gr_status st;

	if (!boxes || !scores)
		return gr_node_error(ctx, n, "missing input");
	if (mo) {
		const int64_t *v = gr_values_i64(ctx, mo, &cnt);
		if (v && cnt == 1)
			max_out = v[0];
		else if (mo->has_value && mo->nval == 0)
			max_out = 0;
		else
			max_known = 0;
	}
	if (scores->rank == 3) {
		B = scores->dims[0].value;
		C = scores->dims[1].value;
		S = scores->dims[2].value;
	}
	if (max_known && max_out <= 0) {
		out[0] = gr_dim_known(0); /* max_output_boxes_per_class defaults to 0: nothing selected */
		return gr_set_dims(ctx, y, GR_DTYPE_INT64, 2, out);
	}
	if (B > (1 << 20) || C > (1 << 20) || S > (1 << 20))
		B = C = S = -1; /* absurd: never multiplied below */
	bv = gr_values_f64(ctx, boxes, &cnt);
	if (bv && (B < 0 || S < 0 || cnt != B * S * 4))
		bv = NULL;
	sv = gr_values_f64(ctx, scores, &cnt);
	if (sv && (B < 0 || C < 0 || cnt != B * C * S))
		sv = NULL;
	if (iou)
		iv = gr_values_f64(ctx, iou, &cnt);
	if (sth)
		tv = gr_values_f64(ctx, sth, &cnt);
	if (max_known && bv && sv && (!iou || iv) && (!sth || tv)) {
		int64_t cap = GR_FOLD_MAX / 3, *sel = malloc((size_t)cap * 3 * sizeof(int64_t));
		int64_t num;
		if (!sel)
			return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
		num = nms_run(bv, sv, B, C, S, max_out, iv ? iv[0] : 0.0, tv ? tv[0] : 0.0, tv != NULL,
			      (int)gr_attr_int(n, "center_point_box", 0), sel, cap);
		if (num < 0) {
			free(sel);
			return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
		}
		out[0] = gr_dim_known(num);
		st = gr_set_dims(ctx, y, GR_DTYPE_INT64, 2, out);
		if (!st && y && num <= cap && gr_tensor_set_i64(y->owner, y, sel, num * 3))
			st = gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
		free(sel);
		return st;
	}
	if (max_known && B >= 0 && C >= 0 && S >= 0)
		gr_node_set_note(ctx, n,
				 "NonMaxSuppression: output count is data-dependent (at most %lld)",
				 (long long)(B * C * (max_out < S ? max_out : S)));
	else
		gr_node_set_note(ctx, n, "NonMaxSuppression: output count is data-dependent");
	return gr_set_dims(ctx, y, GR_DTYPE_INT64, 2, out);
}

void op_nms_cost(const gr_node *n, gr_cost *c)
{
	const gr_tensor *scores = gr_in(n, 1);

	gr_cost_io_bytes(n, c);
	/* Roughly: a sort of the scores per class plus IoU tests of the kept boxes. */
	if (scores && gr_numel(scores) > 1)
		c->flops += (double)gr_numel(scores) * log2((double)gr_numel(scores));
}
