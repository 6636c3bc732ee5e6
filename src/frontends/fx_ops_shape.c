/* PyTorch FX frontend: handlers of shape functions and methods (view, expand, permute,
 * flatten, size, indexing, cat, split); see fx_read.h. */
#include <stdio.h>
#include <string.h>

#include "frontends/fx_read.h"

#define BIG INT64_MAX

/* --- shapes ---------------------------------------------------------------------------- */

/* The shape arguments of view/reshape/expand/repeat: (x, *sizes) or (x, sizes). */
static gr_status size_args(fx_ctx *c, fx_node *n, const char *key, fx_val **items, size_t *k)
{
	int argc = n_args(n);
	fx_val *v;

	if (argc <= 1) {
		fx_val *one = gr_arena_calloc(c->a, 1, sizeof(fx_val));
		if (!one)
			return oom(c);
		TRY(fx_arg(c, n, -1, key, one, NULL));
		if (one->kind == V_LIST) {
			*items = one->items;
			*k = one->n;
		} else {
			*items = one;
			*k = one->kind == V_NONE ? 0 : 1;
		}
		return GR_OK;
	}
	if (!(v = gr_arena_calloc(c->a, (size_t)argc, sizeof(fx_val))))
		return oom(c);
	for (int i = 1; i < argc; i++)
		TRY(fx_arg(c, n, i, NULL, &v[i - 1], NULL));
	*items = v;
	*k = (size_t)argc - 1;
	if (*k == 1 && v[0].kind == V_LIST) {
		*items = v[0].items;
		*k = v[0].n;
	}
	return GR_OK;
}

/* The target shape of view/reshape/expand/repeat from its size arguments (see size_args);
 * *shape NULL when they are not shape-like. */
static gr_status size_shape(fx_ctx *c, fx_node *n, const char *key, int64_t fill_neg1,
			    gr_tensor **shape)
{
	fx_val *items;
	size_t k;

	TRY(size_args(c, n, key, &items, &k));
	*shape = fx_shape_tensor(c, n, items, k, fill_neg1);
	return GR_OK;
}

gr_status fx_map_reshape(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *shape, *y;
	gr_node *g;

	(void)type;
	TRY(fx_input0(c, n, &x, NULL));
	TRY(size_shape(c, n, "shape", -1, &shape));
	if (!shape)
		return fx_placeholder(c, n, n->target);
	y = fx_result(c, n);
	EMIT(g, "Reshape", n->name, (x, shape), (y));
	gr_node_set_int(g, "allowzero", 1); /* a 0 in a PyTorch shape means 0 */
	return GR_OK;
}

/* expand(*sizes): -1 keeps the dim, which ONNX Expand's broadcasting does with 1. */
gr_status fx_map_expand(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *shape, *y;
	gr_node *g;

	TRY(fx_input0(c, n, &x, NULL));
	if (!strcmp(type, "expand_as")) {
		fx_val o;
		TRY(fx_arg(c, n, 1, "other", &o, NULL));
		if (o.kind != V_TENSOR)
			return fx_placeholder(c, n, n->target);
		if (!(shape = tmp(c, n->name, "/shape")))
			return oom(c);
		EMIT(g, "Shape", nm(c, n, "/shape"), (o.t), (shape));
	} else {
		TRY(size_shape(c, n, "size", 1, &shape));
		if (!shape)
			return fx_placeholder(c, n, n->target);
	}
	y = fx_result(c, n);
	EMIT(g, strcmp(type, "repeat") ? "Expand" : "Tile", n->name, (x, shape), (y));
	return GR_OK;
}

gr_status fx_map_permute(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y;
	fx_val *items;
	size_t k;
	int64_t perm[GR_MAX_RANK];
	int rank;
	gr_node *g;

	(void)type;
	TRY(fx_input0(c, n, &x, &rank));
	TRY(size_args(c, n, "dims", &items, &k));
	if (k > GR_MAX_RANK)
		return fx_placeholder(c, n, n->target);
	for (size_t i = 0; i < k; i++) {
		if (items[i].kind != V_NUM || !items[i].is_int)
			return fx_placeholder(c, n, n->target);
		perm[i] = fx_norm_dim(items[i].i, (int)k);
	}
	y = fx_result(c, n);
	EMIT(g, "Transpose", n->name, (x), (y));
	return gr_node_set_ints(g, "perm", perm, k) ? GR_OK : oom(c);
}

gr_status fx_map_transpose(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y;
	fx_val a, b;
	int64_t perm[GR_MAX_RANK], d0, d1;
	int rank;
	gr_node *g;

	TRY(fx_input0(c, n, &x, &rank));
	if (!strcmp(type, "t")) {
		a.kind = b.kind = V_NUM;
		a.is_int = b.is_int = 1;
		a.i = 0;
		b.i = 1;
		if (rank < 2)
			return fx_map_identity(c, n, type);
	} else {
		TRY(fx_arg(c, n, 1, "dim0", &a, NULL));
		TRY(fx_arg(c, n, 2, "dim1", &b, NULL));
	}
	if (a.kind != V_NUM || b.kind != V_NUM || rank < 0 ||
	    (d0 = fx_norm_dim(a.i, rank)) < 0 || (d1 = fx_norm_dim(b.i, rank)) < 0)
		return fx_placeholder(c, n, n->target);
	for (int i = 0; i < rank; i++)
		perm[i] = i;
	perm[d0] = d1;
	perm[d1] = d0;
	y = fx_result(c, n);
	EMIT(g, "Transpose", n->name, (x), (y));
	return gr_node_set_ints(g, "perm", perm, (size_t)rank) ? GR_OK : oom(c);
}

/* flatten(x, start_dim, end_dim): torch.flatten defaults to (0, -1), nn.Flatten to (1, -1). */
gr_status fx_map_flatten(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y, *shape;
	fx_val s, e;
	int rank, module = !strcmp(n->op, "call_module");
	int64_t start, end, v[GR_MAX_RANK];
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(n->j, "attrs");
	gr_node *g;

	(void)type;
	TRY(fx_input0(c, n, &x, &rank));
	TRY(fx_arg(c, n, 1, "start_dim", &s, NULL));
	TRY(fx_arg(c, n, 2, "end_dim", &e, NULL));
	start = module ? fx_num_attr_i(attrs, "start_dim", 1) : s.kind == V_NUM ? s.i : 0;
	end = module ? fx_num_attr_i(attrs, "end_dim", -1) : e.kind == V_NUM ? e.i : -1;
	if (rank < 0 || (start = fx_norm_dim(start, rank)) < 0 || (end = fx_norm_dim(end, rank)) < 0 ||
	    end < start) {
		if (rank == 0)
			start = end = 0;
		else
			return fx_placeholder(c, n, n->target);
	}
	y = fx_result(c, n);
	if (start == 1 && end == rank - 1) {
		EMIT(g, "Flatten", n->name, (x), (y));
		gr_node_set_int(g, "axis", 1);
		return GR_OK;
	}
	if (end != rank - 1) {
		/* trailing dims move: take them from the input's shape */
		int64_t st = end + 1, en = rank, zero = 0;
		gr_tensor *sh = tmp(c, n->name, "/shape"), *tail = tmp(c, n->name, "/tail");
		gr_node *cat;
		for (int64_t i = 0; i < start; i++)
			v[i] = 0;
		v[start] = -1;
		EMIT(g, "Shape", nm(c, n, "/shape"), (x), (sh));
		EMIT(g, "Slice", nm(c, n, "/tail"), (sh, cst_i64(c, nm(c, n, "/st"), &st, 1, 0),
						       cst_i64(c, nm(c, n, "/en"), &en, 1, 0),
						       cst_i64(c, nm(c, n, "/ax"), &zero, 1, 0)), (tail));
		shape = tmp(c, n->name, "/target");
		EMIT(cat, "Concat", nm(c, n, "/target"), (cst_i64(c, nm(c, n, "/head"), v, start + 1, 0), tail),
		     (shape));
		gr_node_set_int(cat, "axis", 0);
		if (!g->in[1] || !g->in[2] || !g->in[3] || !cat->in[0])
			return oom(c);
	} else {
		for (int64_t i = 0; i < start; i++)
			v[i] = 0;
		v[start] = -1;
		if (!(shape = cst_i64(c, nm(c, n, "/target"), v, start + 1, 0)))
			return oom(c);
	}
	EMIT(g, "Reshape", n->name, (x, shape), (y));
	return GR_OK;
}

gr_status fx_map_unsqueeze(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y;
	fx_val d;
	int present;
	gr_node *g;

	TRY(fx_input0(c, n, &x, NULL));
	TRY(fx_arg(c, n, 1, "dim", &d, &present));
	if (!strcmp(type, "Squeeze") && !present) {
		y = fx_result(c, n);
		EMIT(g, "Squeeze", n->name, (x), (y));
		return GR_OK;
	}
	if (d.kind != V_NUM && d.kind != V_LIST)
		return fx_placeholder(c, n, n->target);
	{
		int64_t ax[GR_MAX_RANK];
		int k = fx_ints_of(&d, ax, GR_MAX_RANK);
		gr_tensor *axes;
		if (k < 0)
			return fx_placeholder(c, n, n->target);
		if (!(axes = cst_i64(c, nm(c, n, "/axes"), ax, k, 0)))
			return oom(c);
		y = fx_result(c, n);
		EMIT(g, type, n->name, (x, axes), (y));
	}
	return GR_OK;
}

/* x.size() / x.shape -> Shape; x.size(d) -> Shape, Gather. */
gr_status fx_map_size(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *sh;
	fx_val d;
	int present, rank;
	gr_node *g;

	(void)type;
	TRY(fx_input0(c, n, &x, &rank));
	TRY(fx_arg(c, n, 1, "dim", &d, &present));
	if (!(sh = tmp(c, n->name, present ? "/shape" : "")))
		return oom(c);
	EMIT(g, "Shape", present ? nm(c, n, "/shape") : n->name, (x), (sh));
	if (!present) {
		n->val.kind = V_TENSOR;
		n->val.t = sh;
		n->val.rank = 1;
		return GR_OK;
	}
	if (d.kind != V_NUM)
		return fx_placeholder(c, n, n->target);
	{
		gr_tensor *idx = cst_i64(c, nm(c, n, "/index"), &d.i, 1, 1), *y = tmp(c, n->name, "");
		EMIT(g, "Gather", n->name, (sh, idx), (y));
		gr_node_set_int(g, "axis", 0);
		n->val.kind = V_TENSOR;
		n->val.t = y;
		n->val.rank = 0;
	}
	return GR_OK;
}

/* getattr(x, "shape"), getattr(x, "dtype"), ... */
gr_status fx_map_getattr(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val x, a;

	TRY(fx_arg(c, n, 0, NULL, &x, NULL));
	TRY(fx_arg(c, n, 1, NULL, &a, NULL));
	if (x.kind == V_TENSOR && a.kind == V_STR && !strcmp(a.s, "shape"))
		return fx_map_size(c, n, type);
	if (x.kind == V_TENSOR && a.kind == V_STR && !strcmp(a.s, "T"))
		return fx_map_transpose(c, n, "t");
	n->val.kind = V_OTHER;
	return GR_OK;
}

gr_status fx_map_dim(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x;
	int rank;

	(void)type;
	TRY(fx_input0(c, n, &x, &rank));
	if (rank < 0)
		return fx_placeholder(c, n, n->target);
	n->val.kind = V_NUM;
	n->val.is_int = 1;
	n->val.i = rank;
	n->val.num = rank;
	return GR_OK;
}

/* One index entry of x[...] applied to axis d (see fx_map_getitem). */
typedef struct idx_plan {
	fx_val starts[GR_MAX_RANK], ends[GR_MAX_RANK];
	int64_t axes[GR_MAX_RANK], steps[GR_MAX_RANK], squeeze[GR_MAX_RANK], newax[GR_MAX_RANK];
	int ns, nsq, nnew;
} idx_plan;

static void num_val(fx_val *v, int64_t i)
{
	memset(v, 0, sizeof(*v));
	v->kind = V_NUM;
	v->is_int = 1;
	v->i = i;
	v->num = (double)i;
}

/* x[idx] for tensors: ints, slices, None and Ellipsis -> Slice, Squeeze, Unsqueeze. */
static gr_status getitem_tensor(fx_ctx *c, fx_node *n, gr_tensor *x, int rank, const fx_val *idx)
{
	const fx_val *e = idx->kind == V_LIST ? idx->items : idx;
	size_t k = idx->kind == V_LIST ? idx->n : 1, real = 0;
	idx_plan p;
	int d = 0, outpos = 0;
	gr_tensor *y, *ts[4], *sq = NULL, *nw = NULL;
	gr_node *g;

	memset(&p, 0, sizeof(p));
	for (size_t i = 0; i < k; i++)
		real += e[i].kind == V_NUM || e[i].kind == V_SLICE || e[i].kind == V_TENSOR;
	if (rank < 0 || real > (size_t)rank || k > GR_MAX_RANK)
		return fx_placeholder(c, n, "getitem");
	if (k == 1 && e[0].kind == V_TENSOR && e[0].rank != 0) {
		/* an index tensor: a gather along dim 0 */
		y = fx_result(c, n);
		EMIT(g, "Gather", n->name, (x, e[0].t), (y));
		gr_node_set_int(g, "axis", 0);
		return GR_OK;
	}
	for (size_t i = 0; i < k; i++) {
		switch (e[i].kind) {
		case V_ELLIPSIS:
			d += (int)(rank - (int)real);
			outpos += (int)(rank - (int)real);
			break;
		case V_NONE:
			p.newax[p.nnew++] = outpos++;
			break;
		case V_NUM:
		case V_TENSOR:
			if (e[i].kind == V_NUM && !e[i].is_int)
				return fx_placeholder(c, n, "getitem");
			p.starts[p.ns] = e[i];
			if (e[i].kind == V_NUM)
				num_val(&p.ends[p.ns], e[i].i == -1 ? BIG : e[i].i + 1);
			else
				return fx_placeholder(c, n, "getitem"); /* x[t] with t a scalar tensor */
			p.axes[p.ns] = d;
			p.steps[p.ns++] = 1;
			p.squeeze[p.nsq++] = d++;
			break;
		case V_SLICE: {
			const fx_val *s = e[i].items;
			int64_t step = s[2].kind == V_NUM ? s[2].i : 1;
			if (s[2].kind != V_NONE && (s[2].kind != V_NUM || !s[2].is_int || !step))
				return fx_placeholder(c, n, "getitem");
			if (s[0].kind == V_NONE && s[1].kind == V_NONE && step == 1) {
				d++;
				outpos++;
				break;
			}
			if (s[0].kind == V_NONE)
				num_val(&p.starts[p.ns], step > 0 ? 0 : BIG);
			else
				p.starts[p.ns] = s[0];
			if (s[1].kind == V_NONE)
				num_val(&p.ends[p.ns], step > 0 ? BIG : INT64_MIN);
			else
				p.ends[p.ns] = s[1];
			p.axes[p.ns] = d++;
			p.steps[p.ns++] = step;
			outpos++;
			break;
		}
		default:
			return fx_placeholder(c, n, "getitem");
		}
	}
	y = fx_result(c, n);
	if (p.ns) {
		ts[0] = fx_shape_tensor(c, n, p.starts, (size_t)p.ns, -1);
		ts[1] = fx_shape_tensor(c, n, p.ends, (size_t)p.ns, -1);
		ts[2] = cst_i64(c, nm(c, n, "/axes"), p.axes, p.ns, 0);
		ts[3] = cst_i64(c, nm(c, n, "/steps"), p.steps, p.ns, 0);
		if (!ts[0] || !ts[1] || !ts[2] || !ts[3])
			return oom(c);
	}
	if ((p.nsq && !(sq = cst_i64(c, nm(c, n, "/squeeze_axes"), p.squeeze, p.nsq, 0))) ||
	    (p.nnew && !(nw = cst_i64(c, nm(c, n, "/new_axes"), p.newax, p.nnew, 0))) ||
	    !fe_emit_index(c->g, &c->uniq, n->name, x, y, p.ns ? ts : NULL, sq, nw))
		return oom(c);
	return GR_OK;
}

gr_status fx_map_getitem(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val x, idx;
	gr_node *g;

	(void)type;
	TRY(fx_arg(c, n, 0, NULL, &x, NULL));
	TRY(fx_arg(c, n, 1, NULL, &idx, NULL));
	if (x.kind == V_LIST) {
		/* a tuple: an element or a sub-tuple */
		if (idx.kind == V_NUM && idx.is_int) {
			int64_t i = idx.i < 0 ? idx.i + (int64_t)x.n : idx.i;
			if (i < 0 || i >= (int64_t)x.n)
				return fx_error(c, GR_ERR_FORMAT, "%s: index %lld out of range (%zu items)",
						n->what, (long long)idx.i, x.n);
			n->val = x.items[i];
			return GR_OK;
		}
		if (idx.kind == V_SLICE) {
			int64_t st = idx.items[0].kind == V_NUM ? idx.items[0].i : 0;
			int64_t en = idx.items[1].kind == V_NUM ? idx.items[1].i : (int64_t)x.n;
			if (st < 0)
				st += (int64_t)x.n;
			if (en < 0)
				en += (int64_t)x.n;
			st = st < 0 ? 0 : st > (int64_t)x.n ? (int64_t)x.n : st;
			en = en < st ? st : en > (int64_t)x.n ? (int64_t)x.n : en;
			n->val.kind = V_LIST;
			n->val.items = x.items + st;
			n->val.n = (size_t)(en - st);
			return GR_OK;
		}
		return fx_placeholder(c, n, "getitem");
	}
	if (x.kind != V_TENSOR)
		return fx_placeholder(c, n, "getitem");
	if (x.rank == 1 && idx.kind == V_NUM && !cJSON_GetObjectItemCaseSensitive(n->j, "shape")) {
		/* an element of a size vector: a scalar */
		gr_tensor *t = tmp(c, n->name, ""), *i = cst_i64(c, nm(c, n, "/index"), &idx.i, 1, 1);
		EMIT(g, "Gather", n->name, (x.t, i), (t));
		gr_node_set_int(g, "axis", 0);
		n->val.kind = V_TENSOR;
		n->val.t = t;
		n->val.rank = 0;
		return GR_OK;
	}
	if (x.rank == 1 && idx.kind == V_SLICE && !cJSON_GetObjectItemCaseSensitive(n->j, "shape")) {
		TRY(getitem_tensor(c, n, x.t, 1, &idx));
		n->val.rank = 1;
		return GR_OK;
	}
	return getitem_tensor(c, n, x.t, x.rank, &idx);
}

/* torch.cat / torch.stack (stack: each input gets the new axis first). */
gr_status fx_map_cat(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val list, d;
	int64_t dim = 0;
	gr_tensor *y;
	gr_node *g;
	int stack = !strcmp(type, "stack");

	TRY(fx_arg(c, n, 0, "tensors", &list, NULL));
	TRY(fx_arg(c, n, 1, "dim", &d, NULL));
	if (d.kind == V_NUM)
		dim = d.i;
	if (list.kind != V_LIST || !list.n)
		return fx_placeholder(c, n, n->target);
	y = fx_result(c, n);
	if (!y || !(g = gr_graph_add_node(c->g, "Concat", "", n->name, list.n, 1, FE_NODE_ATTRS)))
		return oom(c);
	g->out[0] = y;
	gr_node_set_int(g, "axis", dim);
	for (size_t i = 0; i < list.n; i++) {
		gr_tensor *t = list.items[i].kind == V_TENSOR ? list.items[i].t : NULL;
		if (!t)
			return fx_error(c, GR_ERR_FORMAT, "%s: item %zu is not a tensor", n->what, i);
		if (stack) {
			char suf[32];
			gr_tensor *u;
			gr_node *un;
			snprintf(suf, sizeof(suf), "/unsqueeze%zu", i);
			u = tmp(c, n->name, suf);
			EMIT(un, "Unsqueeze", nm(c, n, suf), (t, cst_i64(c, nm(c, n, "/axes"), &dim, 1, 0)), (u));
			if (!un->in[1])
				return oom(c);
			t = u;
		}
		g->in[i] = t;
	}
	return GR_OK;
}

/* chunk(x, chunks, dim) / split(x, size_or_sizes, dim): outputs as recorded by FX. */
gr_status fx_map_split(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, **outs, *sizes = NULL;
	fx_val s, d;
	const cJSON *recorded = cJSON_GetObjectItemCaseSensitive(n->j, "outputs");
	int64_t dim = 0, sz[256];
	int rank, k;
	gr_node *g;

	TRY(fx_input0(c, n, &x, &rank));
	TRY(fx_arg(c, n, 1, !strcmp(type, "chunk") ? "chunks" : "split_size_or_sections", &s, NULL));
	TRY(fx_arg(c, n, 2, "dim", &d, NULL));
	if (d.kind == V_NUM)
		dim = d.i;
	if (!cJSON_IsArray(recorded) || (k = cJSON_GetArraySize(recorded)) < 1 || k > 256)
		return fx_placeholder(c, n, n->target);
	if (!(outs = gr_arena_calloc(c->a, (size_t)k, sizeof(*outs))))
		return oom(c);
	TRY(fx_results(c, n, (size_t)k, outs));
	if (!strcmp(type, "split")) {
		/* sizes along dim: explicit, or split_size chunks with a smaller last one */
		int m = fx_ints_of(&s, sz, 256);
		if (m == 1 && s.kind == V_NUM) {
			int64_t a = fx_norm_dim(dim, rank), total = -1;
			const cJSON *shape = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetArrayItem(recorded, k - 1), "shape");
			if (a >= 0 && cJSON_IsArray(shape) && cJSON_GetArraySize(shape) > a)
				total = (int64_t)(k - 1) * s.i +
					fx_to_i64(cJSON_GetArrayItem(shape, (int)a)->valuedouble);
			if (total < 0)
				return fx_placeholder(c, n, n->target);
			for (int i = 0; i < k; i++)
				sz[i] = i < k - 1 ? s.i : total - (int64_t)(k - 1) * s.i;
			m = k;
		}
		if (m != k || !(sizes = cst_i64(c, nm(c, n, "/split"), sz, k, 0)))
			return fx_placeholder(c, n, n->target);
	}
	if (!(g = gr_graph_add_node(c->g, "Split", "", n->name, sizes ? 2 : 1, (size_t)k, FE_NODE_ATTRS)))
		return oom(c);
	g->in[0] = x;
	if (sizes)
		g->in[1] = sizes;
	memcpy(g->out, outs, (size_t)k * sizeof(*outs));
	gr_node_set_int(g, "axis", dim);
	if (!sizes)
		gr_node_set_int(g, "num_outputs", k);
	return GR_OK;
}

