/* PyTorch FX frontend: JSON arguments as values (node references resolved), values as
 * tensors, attributes, parameters, and the tensors a node's result becomes (see fx_read.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "frontends/fx_read.h"

gr_status fx_error(fx_ctx *c, gr_status st, const char *fmt, ...)
{
	char msg[800];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gr_error_set(c->err, st, "cannot read '%s': %s", c->file, msg);
}

/* An initializer (a parameter or buffer) of the given shape, shared by name. */
gr_tensor *fx_param(fx_ctx *c, const char *name, const int64_t *dims, int rank, gr_dtype dt)
{
	gr_tensor *t = gr_graph_tensor(c->g, name);
	gr_dim d[GR_MAX_RANK];

	if (t && t->is_initializer && t->rank == rank)
		return t;
	if (!(t = t ? tmp(c, name, "") : gr_graph_tensor_def(c->g, name)))
		return NULL;
	for (int i = 0; i < rank; i++) {
		d[i].value = dims[i];
		d[i].sym = NULL;
	}
	if (gr_tensor_set_shape(c->g, t, dt, rank, d) || gr_graph_add_initializer(c->g, t))
		return NULL;
	return t;
}

gr_dtype fx_dtype_of(const char *s)
{
	static const struct {
		const char *name;
		gr_dtype dt;
	} map[] = {
		{"float32", GR_DTYPE_FLOAT}, {"float", GR_DTYPE_FLOAT}, {"float16", GR_DTYPE_FLOAT16},
		{"half", GR_DTYPE_FLOAT16}, {"bfloat16", GR_DTYPE_BFLOAT16}, {"float64", GR_DTYPE_DOUBLE},
		{"double", GR_DTYPE_DOUBLE}, {"int64", GR_DTYPE_INT64}, {"long", GR_DTYPE_INT64},
		{"int32", GR_DTYPE_INT32}, {"int", GR_DTYPE_INT32}, {"int16", GR_DTYPE_INT16},
		{"int8", GR_DTYPE_INT8}, {"uint8", GR_DTYPE_UINT8}, {"bool", GR_DTYPE_BOOL},
		{"complex64", GR_DTYPE_COMPLEX64}, {"complex128", GR_DTYPE_COMPLEX128},
	};
	for (size_t i = 0; s && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(s, map[i].name))
			return map[i].dt;
	return GR_DTYPE_UNDEFINED;
}

/* ==========================================================================================
 * JSON access with checks
 * ========================================================================================== */

/* Reads a shape array ([ints], each 0..2^40, at most GR_MAX_RANK). */
gr_status fx_read_shape(fx_ctx *c, const cJSON *a, const char *what, int64_t *dims, int *rank)
{
	int k = 0;
	const cJSON *e;

	if (!cJSON_IsArray(a))
		return fx_error(c, GR_ERR_FORMAT, "%s: shape must be an array of integers", what);
	if (cJSON_GetArraySize(a) > GR_MAX_RANK)
		return fx_error(c, GR_ERR_LIMIT, "%s: shape has %d dims (at most %d)", what,
				cJSON_GetArraySize(a), GR_MAX_RANK);
	cJSON_ArrayForEach(e, a) {
		if (!cJSON_IsNumber(e) || e->valuedouble != floor(e->valuedouble) ||
		    e->valuedouble < 0 || e->valuedouble > (double)FX_MAX_DIM)
			return fx_error(c, GR_ERR_FORMAT, "%s: shape entry %d is not a dimension", what,
					k);
		dims[k++] = (int64_t)e->valuedouble;
	}
	*rank = k;
	return GR_OK;
}

/* Converts a JSON argument into a value (node references resolved). */
gr_status fx_to_val(fx_ctx *c, const fx_node *n, const cJSON *j, int depth, fx_val *v)
{
	memset(v, 0, sizeof(*v));
	if (depth > FX_MAX_DEPTH)
		return fx_error(c, GR_ERR_LIMIT, "%s: arguments nested more than %d deep", n->what,
				FX_MAX_DEPTH);
	if (!j || cJSON_IsNull(j))
		return GR_OK;
	if (cJSON_IsBool(j)) {
		v->kind = V_NUM;
		v->is_int = 1;
		v->i = cJSON_IsTrue(j);
		v->num = (double)v->i;
		return GR_OK;
	}
	if (cJSON_IsNumber(j)) {
		v->kind = V_NUM;
		v->num = j->valuedouble;
		v->is_int = j->valuedouble == floor(j->valuedouble) && fabs(j->valuedouble) < 9e15;
		v->i = v->is_int ? (int64_t)j->valuedouble : 0;
		return GR_OK;
	}
	if (cJSON_IsString(j)) {
		v->kind = V_STR;
		v->s = j->valuestring;
		return GR_OK;
	}
	if (cJSON_IsArray(j)) {
		int k = cJSON_GetArraySize(j), i = 0;
		const cJSON *e;
		if (k > FX_MAX_LIST)
			return fx_error(c, GR_ERR_LIMIT, "%s: an argument list has %d items (at most %d)",
					n->what, k, FX_MAX_LIST);
		v->kind = V_LIST;
		v->n = (size_t)k;
		if (!(v->items = gr_arena_calloc(c->a, k ? (size_t)k : 1, sizeof(fx_val))))
			return oom(c);
		cJSON_ArrayForEach(e, j)
			TRY(fx_to_val(c, n, e, depth + 1, &v->items[i++]));
		return GR_OK;
	}
	if (cJSON_IsObject(j)) {
		const cJSON *r;
		if ((r = cJSON_GetObjectItemCaseSensitive(j, "node"))) {
			long k;
			if (!cJSON_IsString(r))
				return fx_error(c, GR_ERR_FORMAT, "%s: a node reference must be a string",
						n->what);
			k = fx_lookup(c, r->valuestring);
			if (k == 0) {
				char nb[80];
				snprintf(nb, sizeof(nb), "%.60s", r->valuestring);
				return fx_error(c, GR_ERR_FORMAT, "%s: refers to unknown node '%s'",
						n->what, clean(c, nb) ? clean(c, nb) : "?");
			}
			if (k > 0 && (size_t)k - 1 >= n->idx)
				return fx_error(c, GR_ERR_FORMAT,
						"%s: refers to node '%s', which is not computed before it (a cycle?)",
						n->what, c->nodes[k - 1].name);
			*v = k > 0 ? c->nodes[k - 1].val : c->inputs[-k - 1];
			return GR_OK;
		}
		if ((r = cJSON_GetObjectItemCaseSensitive(j, "slice"))) {
			if (!cJSON_IsArray(r) || cJSON_GetArraySize(r) != 3)
				return fx_error(c, GR_ERR_FORMAT, "%s: a slice needs [start, stop, step]",
						n->what);
			TRY(fx_to_val(c, n, r, depth + 1, v));
			v->kind = V_SLICE;
			return GR_OK;
		}
		if ((r = cJSON_GetObjectItemCaseSensitive(j, "dtype")) && cJSON_IsString(r)) {
			v->kind = V_DTYPE;
			v->s = r->valuestring;
			return GR_OK;
		}
		if (cJSON_GetObjectItemCaseSensitive(j, "ellipsis")) {
			v->kind = V_ELLIPSIS;
			return GR_OK;
		}
		if ((r = cJSON_GetObjectItemCaseSensitive(j, "float")) && cJSON_IsString(r)) {
			v->kind = V_NUM;
			v->num = !strcmp(r->valuestring, "-inf") ? -INFINITY
			       : !strcmp(r->valuestring, "inf") ? INFINITY : NAN;
			return GR_OK;
		}
		v->kind = V_OTHER;
		return GR_OK;
	}
	return fx_error(c, GR_ERR_FORMAT, "%s: unexpected argument", n->what);
}

/* Argument at position pos or keyword key (NULL key: positional only). *v is V_NONE and
 * *present 0 when absent. */
gr_status fx_arg(fx_ctx *c, const fx_node *n, int pos, const char *key, fx_val *v, int *present)
{
	const cJSON *j = NULL;

	if (pos >= 0 && pos < cJSON_GetArraySize(n->args))
		j = cJSON_GetArrayItem(n->args, pos);
	else if (key && n->kwargs)
		j = cJSON_GetObjectItemCaseSensitive(n->kwargs, key);
	if (present)
		*present = j != NULL;
	return fx_to_val(c, n, j, 0, v);
}

/* ==========================================================================================
 * Values as tensors
 * ========================================================================================== */

/* A tensor for value v: tensors as they are, numbers as scalar constants (float_like: the
 * dtype of a number that is not an integer). NULL for values that are not numeric. */
gr_tensor *fx_tensor_of(fx_ctx *c, const fx_node *n, const fx_val *v)
{
	if (v->kind == V_TENSOR)
		return v->t;
	if (v->kind == V_NUM) {
		if (v->is_int)
			return cst_i64(c, nm(c, n, "/const"), &v->i, 1, 1);
		return cst_f(c, nm(c, n, "/const"), v->num);
	}
	return NULL;
}

/* A 1-D int64 tensor from a shape-like value: a list of numbers and scalar tensors, or a
 * tensor (a size vector). fill_neg1: value to write for -1 entries (Expand keeps dims
 * with 1), or -1 to keep them. */
gr_tensor *fx_shape_tensor(fx_ctx *c, const fx_node *n, const fx_val *items, size_t k,
			   int64_t fill_neg1)
{
	int64_t v[GR_MAX_RANK];
	int all_num = 1;
	gr_node *cat;
	gr_tensor *out;

	if (k == 1 && items[0].kind == V_TENSOR && items[0].rank == 1)
		return items[0].t;
	if (k == 1 && items[0].kind == V_LIST)
		return fx_shape_tensor(c, n, items[0].items, items[0].n, fill_neg1);
	if (k > GR_MAX_RANK)
		return NULL;
	for (size_t i = 0; i < k; i++) {
		if (items[i].kind == V_NUM && items[i].is_int)
			v[i] = items[i].i == -1 ? fill_neg1 : items[i].i;
		else if (items[i].kind == V_TENSOR)
			all_num = 0;
		else
			return NULL;
	}
	if (all_num)
		return cst_i64(c, nm(c, n, "/shape"), v, (int64_t)k, 0);
	out = tmp(c, n->name, "/shape");
	if (!out || !(cat = gr_graph_add_node(c->g, "Concat", "", nm(c, n, "/shape"), k, 1, FE_NODE_ATTRS)))
		return NULL;
	cat->out[0] = out;
	gr_node_set_int(cat, "axis", 0);
	for (size_t i = 0; i < k; i++) {
		char suf[32];
		if (items[i].kind == V_NUM) {
			snprintf(suf, sizeof(suf), "/shape%zu", i);
			cat->in[i] = cst_i64(c, nm(c, n, suf), &v[i], 1, 0);
		} else if (items[i].rank == 1) {
			cat->in[i] = items[i].t;
		} else {
			int64_t zero = 0;
			gr_tensor *u;
			gr_node *un;
			snprintf(suf, sizeof(suf), "/shape%zu", i);
			u = tmp(c, n->name, suf);
			un = fe_emit(c->g, "Unsqueeze", nm(c, n, suf), T(items[i].t, cst_i64(c, nm(c, n, "/axes0"),
									   &zero, 1, 0)), 2, T(u), 1);
			if (!un || !un->in[1])
				return NULL;
			cat->in[i] = u;
		}
		if (!cat->in[i])
			return NULL;
	}
	return out;
}

/* Integer list from a value (an int or a list of ints); returns the count, -1 if not. */
int fx_ints_of(const fx_val *v, int64_t *out, int max)
{
	if (v->kind == V_NUM && v->is_int) {
		out[0] = v->i;
		return 1;
	}
	if (v->kind != V_LIST || v->n > (size_t)max)
		return -1;
	for (size_t i = 0; i < v->n; i++) {
		if (v->items[i].kind != V_NUM || !v->items[i].is_int)
			return -1;
		out[i] = v->items[i].i;
	}
	return (int)v->n;
}

/* A JSON number as int64, clamped (no undefined conversions of huge or NaN values). */
int64_t fx_to_i64(double v)
{
	if (v != v)
		return 0;
	if (v > 4e18)
		return INT64_C(4000000000000000000);
	if (v < -4e18)
		return -INT64_C(4000000000000000000);
	return (int64_t)v;
}

/* An int or list attribute expanded to k entries (PyTorch's _pair/_triple). */
int fx_spread(const cJSON *attrs, const char *key, int k, int64_t dflt, int64_t *out)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(attrs, key);
	int i = 0;

	for (int j = 0; j < k; j++)
		out[j] = dflt;
	if (!a || cJSON_IsNull(a))
		return 1;
	if (cJSON_IsNumber(a)) {
		for (int j = 0; j < k; j++)
			out[j] = fx_to_i64(a->valuedouble);
		return 1;
	}
	if (cJSON_IsArray(a)) {
		const cJSON *e;
		if (cJSON_GetArraySize(a) == 1) {
			for (int j = 0; j < k; j++)
				out[j] = cJSON_IsNumber(a->child) ? fx_to_i64(a->child->valuedouble) : dflt;
			return 1;
		}
		if (cJSON_GetArraySize(a) != k)
			return 0;
		cJSON_ArrayForEach(e, a) {
			if (!cJSON_IsNumber(e))
				return 0;
			out[i++] = fx_to_i64(e->valuedouble);
		}
		return 1;
	}
	return 0;
}

double fx_num_attr(const cJSON *attrs, const char *key, double dflt)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(attrs, key);
	if (cJSON_IsBool(a))
		return cJSON_IsTrue(a);
	return cJSON_IsNumber(a) ? a->valuedouble : dflt;
}

int64_t fx_num_attr_i(const cJSON *attrs, const char *key, int64_t dflt)
{
	return fx_to_i64(fx_num_attr(attrs, key, (double)dflt));
}

/* ==========================================================================================
 * The node's result
 * ========================================================================================== */

/* Makes v tensor t, with the shape FX recorded (JSON `shape`, may be NULL) kept as t's
 * declared shape. 0 when out of memory. */
static int recorded_tensor(fx_ctx *c, const fx_node *n, fx_val *v, gr_tensor *t,
			   const cJSON *shape)
{
	int64_t dims[GR_MAX_RANK];
	int rank;

	v->kind = V_TENSOR;
	v->t = t;
	v->rank = -1;
	v->shape = shape;
	if (!shape || fx_read_shape(c, shape, n->what, dims, &rank) != GR_OK)
		return 1;
	v->rank = rank;
	t->decl_rank = rank;
	if (rank && !(t->decl_dims = gr_arena_calloc(c->a, (size_t)rank, sizeof(gr_dim))))
		return 0;
	for (int i = 0; i < rank; i++)
		t->decl_dims[i].value = dims[i];
	return 1;
}

/* The output tensor of a tensor-valued node, named after it, with the FX-recorded shape
 * kept as its declared shape. */
gr_tensor *fx_result(fx_ctx *c, fx_node *n)
{
	gr_tensor *t = tmp(c, n->name, "");

	if (!t || !recorded_tensor(c, n, &n->val, t, cJSON_GetObjectItemCaseSensitive(n->j, "shape")))
		return NULL;
	return t;
}

/* Output k of a node with several ("outputs": [...]); NULL entries are None. */
gr_status fx_results(fx_ctx *c, fx_node *n, size_t k_out, gr_tensor **outs)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(n->j, "outputs");

	n->val.kind = V_LIST;
	n->val.n = k_out;
	if (!(n->val.items = gr_arena_calloc(c->a, k_out ? k_out : 1, sizeof(fx_val))))
		return oom(c);
	for (size_t i = 0; i < k_out; i++) {
		const cJSON *m = cJSON_IsArray(list) ? cJSON_GetArrayItem(list, (int)i) : NULL;
		char suf[32];

		snprintf(suf, sizeof(suf), "#%zu", i);
		if (!(outs[i] = tmp(c, n->name, suf)) ||
		    !recorded_tensor(c, n, &n->val.items[i], outs[i],
				     m ? cJSON_GetObjectItemCaseSensitive(m, "shape") : NULL))
			return oom(c);
	}
	return GR_OK;
}

/* Collects the tensors among a value's items (for placeholders). */
size_t fx_collect_tensors(const fx_val *v, gr_tensor **out, size_t max, size_t k)
{
	if (v->kind == V_TENSOR && k < max)
		out[k++] = v->t;
	else if (v->kind == V_LIST || v->kind == V_SLICE)
		for (size_t i = 0; i < v->n; i++)
			k = fx_collect_tensors(&v->items[i], out, max, k);
	return k;
}

/* A node the mapping does not know: an unknown op named after the target (the module
 * class for call_module), fed by every tensor among its arguments. */
gr_status fx_placeholder(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *ins[64];
	size_t k = 0;
	const cJSON *e;
	const cJSON *outs = cJSON_GetObjectItemCaseSensitive(n->j, "outputs");
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(n->j, "value");
	gr_node *g;

	if (value && !cJSON_GetObjectItemCaseSensitive(n->j, "shape")) {
		/* a plain Python value (math on sizes, say): keep the recorded one */
		return fx_to_val(c, n, value, 0, &n->val);
	}
	cJSON_ArrayForEach(e, n->args) {
		fx_val v;
		TRY(fx_to_val(c, n, e, 0, &v));
		k = fx_collect_tensors(&v, ins, 64, k);
	}
	if (n->kwargs)
		cJSON_ArrayForEach(e, n->kwargs) {
			fx_val v;
			TRY(fx_to_val(c, n, e, 0, &v));
			k = fx_collect_tensors(&v, ins, 64, k);
		}
	if (cJSON_IsArray(outs)) {
		size_t m = (size_t)cJSON_GetArraySize(outs);
		gr_tensor **o;
		if (m > 64)
			m = 64;
		if (!(o = gr_arena_calloc(c->a, m ? m : 1, sizeof(*o))))
			return oom(c);
		TRY(fx_results(c, n, m, o));
		if (!(g = gr_graph_add_node(c->g, type, "fx", n->name, k, m, 0)))
			return oom(c);
		memcpy(g->out, o, m * sizeof(*o));
	} else {
		gr_tensor *t = fx_result(c, n);
		if (!t || !(g = gr_graph_add_node(c->g, type, "fx", n->name, k, 1, 0)))
			return oom(c);
		g->out[0] = t;
	}
	memcpy(g->in, ins, k * sizeof(*ins));
	fe_unmapped_note(&c->unmapped, type, 0);
	return GR_OK;
}

/* The first tensor argument (positional 0 or the usual keywords). */
gr_status fx_input0(fx_ctx *c, fx_node *n, gr_tensor **t, int *rank)
{
	fx_val v;
	int present;

	TRY(fx_arg(c, n, 0, "input", &v, &present));
	if (!present)
		TRY(fx_arg(c, n, -1, "x", &v, &present));
	if (!present)
		TRY(fx_arg(c, n, -1, "self", &v, &present));
	*t = fx_tensor_of(c, n, &v);
	if (rank)
		*rank = v.kind == V_TENSOR ? v.rank : 0;
	if (!*t)
		return fx_error(c, GR_ERR_FORMAT, "%s (%s): needs a tensor input", n->what, n->target);
	return GR_OK;
}

/* Normalizes a (possibly negative) dim against rank; -1 when it cannot. */
int64_t fx_norm_dim(int64_t d, int rank)
{
	if (rank < 0)
		return d < 0 ? -1 : d;
	if (d < 0)
		d += rank;
	return d >= 0 && d < rank ? d : -1;
}
