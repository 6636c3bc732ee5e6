/* PyTorch FX frontend: reads the JSON graph written by tools/export_fx.py and maps its
 * call_module / call_function / call_method nodes onto the core's ONNX op table.
 * Only the graph inputs' shapes are taken from the file; every other shape is inferred by
 * the core (the shapes FX recorded are kept as declared shapes, for comparison). Module
 * parameters become initializers of the recorded shapes, so parameter counts come out of
 * the core like for ONNX. Targets the mapping does not know become nodes of an unknown op
 * type named after the target (domain "fx"): reported, never free. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/graph_impl.h"
#include "graphs/model.h"

#define FX_VERSION 1
#define FX_MAX_NODES (1 << 20)
#define FX_MAX_LIST 4096       /* elements of one argument list */
#define FX_MAX_DEPTH 16        /* nesting of argument lists */
#define FX_MAX_DIM ((int64_t)1 << 40)
#define FX_MAX_UNMAPPED 16

/* ==========================================================================================
 * Values: what an FX node or argument stands for
 * ========================================================================================== */

typedef enum fx_kind {
	V_NONE = 0, /* None, or a value the mapping does not use */
	V_TENSOR,
	V_NUM,      /* a Python int, float or bool */
	V_LIST,     /* a tuple or list (also a torch.Size known as numbers) */
	V_STR,
	V_SLICE,    /* items[0..2] = start, stop, step */
	V_ELLIPSIS,
	V_DTYPE,
	V_OTHER
} fx_kind;

typedef struct fx_val {
	fx_kind kind;
	gr_tensor *t;
	int rank;            /* V_TENSOR: the rank FX recorded, -1 when unknown */
	int is_int;          /* V_NUM: an integer (or bool) */
	double num;
	int64_t i;
	const char *s;       /* V_STR, V_DTYPE */
	const cJSON *shape;  /* V_TENSOR: the shape FX recorded, if any */
	struct fx_val *items;
	size_t n;
} fx_val;

typedef struct fx_node {
	const cJSON *j;
	const char *name;    /* arena copy */
	const char *op;      /* "call_module", ... */
	const char *target;
	const cJSON *args, *kwargs;
	char what[160];      /* "nodes[12] ('conv1')" for messages */
	size_t idx;          /* position: references must point to earlier nodes */
	fx_val val;          /* the result */
} fx_node;

typedef struct fx_unmapped {
	const char *name;
	size_t count;
} fx_unmapped;

typedef struct fx_ctx {
	const char *file;
	gr_error *err;
	gr_graph *g;
	gr_arena *a;
	fx_node *nodes;
	size_t n_nodes;
	/* name -> node index + 1 (0 = empty), open addressing; inputs use negative indices */
	const char **keys;
	long *idx;
	size_t cap;
	fx_val *inputs;
	size_t n_inputs;
	unsigned long uniq;
	fx_unmapped unmapped[FX_MAX_UNMAPPED];
	size_t n_unmapped_kinds, n_unmapped;
} fx_ctx;

#define TRY(expr)                          \
	do {                               \
		gr_status st_ = (expr);    \
		if (st_ != GR_OK)          \
			return st_;        \
	} while (0)

static gr_status fx_error(fx_ctx *c, gr_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static gr_status fx_error(fx_ctx *c, gr_status st, const char *fmt, ...)
{
	char msg[800];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gr_error_set(c->err, st, "cannot read '%s': %s", c->file, msg);
}

static gr_status oom(fx_ctx *c)
{
	return fx_error(c, GR_ERR_NOMEM, "out of memory");
}

/* A printable arena copy of a string from the file (names, targets). */
static char *clean(fx_ctx *c, const char *s)
{
	size_t n = strlen(s);
	char *r;

	if (n > 400)
		n = 400;
	if (!(r = gr_arena_alloc(c->a, n + 1)))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		r[i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	r[n] = 0;
	return r;
}

/* --- name table ----------------------------------------------------------------------- */

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* Index + 1 of name (inputs: -(k + 1)), 0 when absent. */
static long lookup(const fx_ctx *c, const char *name)
{
	for (size_t i = hash(name) & (c->cap - 1); c->keys[i]; i = (i + 1) & (c->cap - 1))
		if (!strcmp(c->keys[i], name))
			return c->idx[i];
	return 0;
}

static void insert(fx_ctx *c, const char *name, long v)
{
	size_t i = hash(name) & (c->cap - 1);
	while (c->keys[i])
		i = (i + 1) & (c->cap - 1);
	c->keys[i] = name;
	c->idx[i] = v;
}

/* ==========================================================================================
 * IR helpers
 * ========================================================================================== */

static gr_tensor *tmp(fx_ctx *c, const char *base, const char *suffix)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%.400s%.64s", base, suffix);
	while (gr_graph_tensor(c->g, buf))
		snprintf(buf, sizeof(buf), "%.400s%.64s#%lu", base, suffix, ++c->uniq);
	return gr_graph_tensor_def(c->g, buf);
}

static const char *nm(fx_ctx *c, const fx_node *n, const char *suffix)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%.400s%.64s", n->name, suffix);
	return gr_arena_strdup(c->a, buf);
}

#define NODE_ATTRS 8

static gr_node *emit(fx_ctx *c, const char *type, const char *name, gr_tensor *const *in,
		     size_t n_in, gr_tensor *const *out, size_t n_out)
{
	return gr_graph_add_node_io(c->g, type, "", name, in, n_in, out, n_out, NODE_ATTRS);
}

#define T(...) ((gr_tensor *[]){__VA_ARGS__})
#define NT(...) (sizeof((gr_tensor *[]){__VA_ARGS__}) / sizeof(gr_tensor *))
#define EMIT(var, type, name, ins, outs)                                                    \
	do {                                                                                 \
		if (!((var) = emit(c, (type), (name), T ins, NT ins, T outs, NT outs)))      \
			return oom(c);                                                       \
	} while (0)

/* Constants carry values and are not initializers: never parameters. */
static gr_tensor *cst_i64(fx_ctx *c, const char *base, const int64_t *v, int64_t k, int scalar)
{
	gr_tensor *t = tmp(c, base, "");
	gr_dim d = {k, NULL};

	if (!t || gr_tensor_set_shape(c->g, t, GR_DTYPE_INT64, scalar ? 0 : 1, &d) ||
	    gr_tensor_set_i64(c->g, t, v, k))
		return NULL;
	return t;
}

static gr_tensor *cst_f(fx_ctx *c, const char *base, double v)
{
	gr_tensor *t = tmp(c, base, "");

	if (!t || gr_tensor_set_shape(c->g, t, GR_DTYPE_FLOAT, 0, NULL) ||
	    gr_tensor_set_f64(c->g, t, &v, 1))
		return NULL;
	return t;
}

/* An initializer (a parameter or buffer) of the given shape, shared by name. */
static gr_tensor *param(fx_ctx *c, const char *name, const int64_t *dims, int rank, gr_dtype dt)
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

static gr_dtype dtype_of(const char *s)
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
static gr_status read_shape(fx_ctx *c, const cJSON *a, const char *what, int64_t *dims, int *rank)
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

static const char *get_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Converts a JSON argument into a value (node references resolved). */
static gr_status to_val(fx_ctx *c, const fx_node *n, const cJSON *j, int depth, fx_val *v)
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
			TRY(to_val(c, n, e, depth + 1, &v->items[i++]));
		return GR_OK;
	}
	if (cJSON_IsObject(j)) {
		const cJSON *r;
		if ((r = cJSON_GetObjectItemCaseSensitive(j, "node"))) {
			long k;
			if (!cJSON_IsString(r))
				return fx_error(c, GR_ERR_FORMAT, "%s: a node reference must be a string",
						n->what);
			k = lookup(c, r->valuestring);
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
			TRY(to_val(c, n, r, depth + 1, v));
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
static gr_status arg(fx_ctx *c, const fx_node *n, int pos, const char *key, fx_val *v, int *present)
{
	const cJSON *j = NULL;

	if (pos >= 0 && pos < cJSON_GetArraySize(n->args))
		j = cJSON_GetArrayItem(n->args, pos);
	else if (key && n->kwargs)
		j = cJSON_GetObjectItemCaseSensitive(n->kwargs, key);
	if (present)
		*present = j != NULL;
	return to_val(c, n, j, 0, v);
}

static int n_args(const fx_node *n)
{
	return cJSON_GetArraySize(n->args);
}

/* ==========================================================================================
 * Values as tensors
 * ========================================================================================== */

/* A tensor for value v: tensors as they are, numbers as scalar constants (float_like: the
 * dtype of a number that is not an integer). NULL for values that are not numeric. */
static gr_tensor *tensor_of(fx_ctx *c, const fx_node *n, const fx_val *v)
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
static gr_tensor *shape_tensor(fx_ctx *c, const fx_node *n, const fx_val *items, size_t k,
			       int64_t fill_neg1)
{
	int64_t v[GR_MAX_RANK];
	int all_num = 1;
	gr_node *cat;
	gr_tensor *out;

	if (k == 1 && items[0].kind == V_TENSOR && items[0].rank == 1)
		return items[0].t;
	if (k == 1 && items[0].kind == V_LIST)
		return shape_tensor(c, n, items[0].items, items[0].n, fill_neg1);
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
	if (!out || !(cat = gr_graph_add_node(c->g, "Concat", "", nm(c, n, "/shape"), k, 1, NODE_ATTRS)))
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
			un = emit(c, "Unsqueeze", nm(c, n, suf), T(items[i].t, cst_i64(c, nm(c, n, "/axes0"),
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
static int ints_of(const fx_val *v, int64_t *out, int max)
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
static int64_t to_i64(double v)
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
static int spread(const cJSON *attrs, const char *key, int k, int64_t dflt, int64_t *out)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(attrs, key);
	int i = 0;

	for (int j = 0; j < k; j++)
		out[j] = dflt;
	if (!a || cJSON_IsNull(a))
		return 1;
	if (cJSON_IsNumber(a)) {
		for (int j = 0; j < k; j++)
			out[j] = to_i64(a->valuedouble);
		return 1;
	}
	if (cJSON_IsArray(a)) {
		const cJSON *e;
		if (cJSON_GetArraySize(a) == 1) {
			for (int j = 0; j < k; j++)
				out[j] = cJSON_IsNumber(a->child) ? to_i64(a->child->valuedouble) : dflt;
			return 1;
		}
		if (cJSON_GetArraySize(a) != k)
			return 0;
		cJSON_ArrayForEach(e, a) {
			if (!cJSON_IsNumber(e))
				return 0;
			out[i++] = to_i64(e->valuedouble);
		}
		return 1;
	}
	return 0;
}

static double num_attr(const cJSON *attrs, const char *key, double dflt)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(attrs, key);
	if (cJSON_IsBool(a))
		return cJSON_IsTrue(a);
	return cJSON_IsNumber(a) ? a->valuedouble : dflt;
}

static int64_t num_attr_i(const cJSON *attrs, const char *key, int64_t dflt)
{
	return to_i64(num_attr(attrs, key, (double)dflt));
}

/* ==========================================================================================
 * The node's result
 * ========================================================================================== */

/* The output tensor of a tensor-valued node, named after it, with the FX-recorded shape
 * kept as its declared shape. */
static gr_tensor *result(fx_ctx *c, fx_node *n)
{
	const cJSON *shape = cJSON_GetObjectItemCaseSensitive(n->j, "shape");
	gr_tensor *t = tmp(c, n->name, "");
	int64_t dims[GR_MAX_RANK];
	int rank;

	if (!t)
		return NULL;
	n->val.kind = V_TENSOR;
	n->val.t = t;
	n->val.rank = -1;
	n->val.shape = shape;
	if (shape && read_shape(c, shape, n->what, dims, &rank) == GR_OK) {
		n->val.rank = rank;
		t->decl_rank = rank;
		if (rank && !(t->decl_dims = gr_arena_calloc(c->a, (size_t)rank, sizeof(gr_dim))))
			return NULL;
		for (int i = 0; i < rank; i++)
			t->decl_dims[i].value = dims[i];
	}
	return t;
}

/* Output k of a node with several ("outputs": [...]); NULL entries are None. */
static gr_status results(fx_ctx *c, fx_node *n, size_t k_out, gr_tensor **outs)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(n->j, "outputs");

	n->val.kind = V_LIST;
	n->val.n = k_out;
	if (!(n->val.items = gr_arena_calloc(c->a, k_out ? k_out : 1, sizeof(fx_val))))
		return oom(c);
	for (size_t i = 0; i < k_out; i++) {
		const cJSON *m = cJSON_IsArray(list) ? cJSON_GetArrayItem(list, (int)i) : NULL;
		const cJSON *shape = m ? cJSON_GetObjectItemCaseSensitive(m, "shape") : NULL;
		char suf[32];
		int64_t dims[GR_MAX_RANK];
		int rank;
		gr_tensor *t;

		snprintf(suf, sizeof(suf), "#%zu", i);
		if (!(t = outs[i] = tmp(c, n->name, suf)))
			return oom(c);
		n->val.items[i].kind = V_TENSOR;
		n->val.items[i].t = t;
		n->val.items[i].rank = -1;
		n->val.items[i].shape = shape;
		if (shape && read_shape(c, shape, n->what, dims, &rank) == GR_OK) {
			n->val.items[i].rank = rank;
			t->decl_rank = rank;
			if (rank && !(t->decl_dims = gr_arena_calloc(c->a, (size_t)rank, sizeof(gr_dim))))
				return oom(c);
			for (int d = 0; d < rank; d++)
				t->decl_dims[d].value = dims[d];
		}
	}
	return GR_OK;
}

static void note_unmapped(fx_ctx *c, const char *name)
{
	c->n_unmapped++;
	for (size_t i = 0; i < c->n_unmapped_kinds; i++)
		if (!strcmp(c->unmapped[i].name, name)) {
			c->unmapped[i].count++;
			return;
		}
	if (c->n_unmapped_kinds < FX_MAX_UNMAPPED) {
		c->unmapped[c->n_unmapped_kinds].name = name;
		c->unmapped[c->n_unmapped_kinds++].count = 1;
	}
}

/* Collects the tensors among a value's items (for placeholders). */
static size_t collect_tensors(const fx_val *v, gr_tensor **out, size_t max, size_t k)
{
	if (v->kind == V_TENSOR && k < max)
		out[k++] = v->t;
	else if (v->kind == V_LIST || v->kind == V_SLICE)
		for (size_t i = 0; i < v->n; i++)
			k = collect_tensors(&v->items[i], out, max, k);
	return k;
}

/* A node the mapping does not know: an unknown op named after the target (the module
 * class for call_module), fed by every tensor among its arguments. */
static gr_status unmapped(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *ins[64];
	size_t k = 0;
	const cJSON *e;
	const cJSON *outs = cJSON_GetObjectItemCaseSensitive(n->j, "outputs");
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(n->j, "value");
	gr_node *g;

	if (value && !cJSON_GetObjectItemCaseSensitive(n->j, "shape")) {
		/* a plain Python value (math on sizes, say): keep the recorded one */
		return to_val(c, n, value, 0, &n->val);
	}
	cJSON_ArrayForEach(e, n->args) {
		fx_val v;
		TRY(to_val(c, n, e, 0, &v));
		k = collect_tensors(&v, ins, 64, k);
	}
	if (n->kwargs)
		cJSON_ArrayForEach(e, n->kwargs) {
			fx_val v;
			TRY(to_val(c, n, e, 0, &v));
			k = collect_tensors(&v, ins, 64, k);
		}
	if (cJSON_IsArray(outs)) {
		size_t m = (size_t)cJSON_GetArraySize(outs);
		gr_tensor **o;
		if (m > 64)
			m = 64;
		if (!(o = gr_arena_calloc(c->a, m ? m : 1, sizeof(*o))))
			return oom(c);
		TRY(results(c, n, m, o));
		if (!(g = gr_graph_add_node(c->g, type, "fx", n->name, k, m, 0)))
			return oom(c);
		memcpy(g->out, o, m * sizeof(*o));
	} else {
		gr_tensor *t = result(c, n);
		if (!t || !(g = gr_graph_add_node(c->g, type, "fx", n->name, k, 1, 0)))
			return oom(c);
		g->out[0] = t;
	}
	memcpy(g->in, ins, k * sizeof(*ins));
	note_unmapped(c, type);
	return GR_OK;
}

/* ==========================================================================================
 * Handlers
 * ========================================================================================== */

typedef gr_status (*fx_fn)(fx_ctx *c, fx_node *n, const char *type);

#define BIG INT64_MAX

/* The first tensor argument (positional 0 or the usual keywords). */
static gr_status input0(fx_ctx *c, fx_node *n, gr_tensor **t, int *rank)
{
	fx_val v;
	int present;

	TRY(arg(c, n, 0, "input", &v, &present));
	if (!present)
		TRY(arg(c, n, -1, "x", &v, &present));
	if (!present)
		TRY(arg(c, n, -1, "self", &v, &present));
	*t = tensor_of(c, n, &v);
	if (rank)
		*rank = v.kind == V_TENSOR ? v.rank : 0;
	if (!*t)
		return fx_error(c, GR_ERR_FORMAT, "%s (%s): needs a tensor input", n->what, n->target);
	return GR_OK;
}

/* y = type(x) */
static gr_status h_unary(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y;
	gr_node *g;

	TRY(input0(c, n, &x, NULL));
	y = result(c, n);
	EMIT(g, type, n->name, (x), (y));
	return GR_OK;
}

static gr_status h_identity(fx_ctx *c, fx_node *n, const char *type)
{
	(void)type;
	return h_unary(c, n, "Identity");
}

/* Nodes whose value nothing uses (torch._assert). */
static gr_status h_none(fx_ctx *c, fx_node *n, const char *type)
{
	(void)c;
	(void)type;
	n->val.kind = V_NONE;
	return GR_OK;
}

/* Python arithmetic on plain numbers (sizes FX recorded as numbers). */
static int py_arith(const char *op, const fx_val *a, const fx_val *b, fx_val *r)
{
	double x = a->num, y = b->num, z;
	int ints = a->is_int && b->is_int, cmp = 0;

	if (!strcmp(op, "Add")) z = x + y;
	else if (!strcmp(op, "Sub")) z = x - y;
	else if (!strcmp(op, "Mul")) z = x * y;
	else if (!strcmp(op, "Div")) { z = y != 0 ? x / y : NAN; ints = 0; }
	else if (!strcmp(op, "FloorDiv")) z = y != 0 ? floor(x / y) : NAN;
	else if (!strcmp(op, "Mod")) z = y != 0 ? x - floor(x / y) * y : NAN;
	else if (!strcmp(op, "Pow")) z = pow(x, y);
	else if (!strcmp(op, "Equal")) { z = x == y; cmp = 1; }
	else if (!strcmp(op, "NotEqual")) { z = x != y; cmp = 1; }
	else if (!strcmp(op, "Less")) { z = x < y; cmp = 1; }
	else if (!strcmp(op, "LessOrEqual")) { z = x <= y; cmp = 1; }
	else if (!strcmp(op, "Greater")) { z = x > y; cmp = 1; }
	else if (!strcmp(op, "GreaterOrEqual")) { z = x >= y; cmp = 1; }
	else return 0;
	memset(r, 0, sizeof(*r));
	r->kind = V_NUM;
	r->num = z;
	r->is_int = (ints || cmp) && isfinite(z) && fabs(z) < 9e15;
	r->i = r->is_int ? (int64_t)z : 0;
	return 1;
}

/* y = a OP b with broadcasting; FloorDiv and NotEqual take two nodes. */
static gr_status h_binary(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val a, b;
	gr_tensor *ta, *tb, *y;
	gr_node *g;
	int pa, pb;

	TRY(arg(c, n, 0, "input", &a, &pa));
	TRY(arg(c, n, 1, "other", &b, &pb));
	if (!pb && !strcmp(type, "Pow"))
		TRY(arg(c, n, 1, "exponent", &b, &pb));
	if (a.kind == V_NUM && b.kind == V_NUM && py_arith(type, &a, &b, &n->val))
		return GR_OK;
	ta = tensor_of(c, n, &a);
	tb = tensor_of(c, n, &b);
	if (!ta || !tb)
		return fx_error(c, GR_ERR_FORMAT, "%s (%s): needs two tensors or numbers", n->what,
				n->target);
	y = result(c, n);
	if (!strcmp(type, "FloorDiv") || !strcmp(type, "NotEqual")) {
		gr_tensor *t = tmp(c, n->name, "/0");
		EMIT(g, !strcmp(type, "FloorDiv") ? "Div" : "Equal", nm(c, n, "/0"), (ta, tb), (t));
		EMIT(g, !strcmp(type, "FloorDiv") ? "Floor" : "Not", n->name, (t), (y));
		return GR_OK;
	}
	EMIT(g, type, n->name, (ta, tb), (y));
	return GR_OK;
}

/* Clip with constant bounds: relu6, hardtanh, clamp. */
static gr_status clip(fx_ctx *c, fx_node *n, gr_tensor *x, const fx_val *lo, const fx_val *hi)
{
	gr_tensor *y = result(c, n), *tl = NULL, *th = NULL;
	gr_node *g;

	if (lo && lo->kind == V_NUM && !(tl = cst_f(c, nm(c, n, "/min"), lo->num)))
		return oom(c);
	if (lo && lo->kind == V_TENSOR)
		tl = lo->t;
	if (hi && hi->kind == V_NUM && !(th = cst_f(c, nm(c, n, "/max"), hi->num)))
		return oom(c);
	if (hi && hi->kind == V_TENSOR)
		th = hi->t;
	EMIT(g, "Clip", n->name, (x, tl, th), (y));
	return GR_OK;
}

static gr_status h_clamp(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x;
	fx_val lo, hi;
	(void)type;
	TRY(input0(c, n, &x, NULL));
	TRY(arg(c, n, 1, "min", &lo, NULL));
	TRY(arg(c, n, 2, "max", &hi, NULL));
	return clip(c, n, x, &lo, &hi);
}

static gr_status h_relu6(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x;
	fx_val lo = {.kind = V_NUM, .num = 0}, hi = {.kind = V_NUM, .num = 6};
	(void)type;
	TRY(input0(c, n, &x, NULL));
	return clip(c, n, x, &lo, &hi);
}

/* SiLU = x * sigmoid(x) (as ONNX exports it). */
static gr_status silu(fx_ctx *c, fx_node *n, gr_tensor *x)
{
	gr_tensor *s = tmp(c, n->name, "/sigmoid"), *y = result(c, n);
	gr_node *g;
	EMIT(g, "Sigmoid", nm(c, n, "/sigmoid"), (x), (s));
	EMIT(g, "Mul", n->name, (x, s), (y));
	return GR_OK;
}

static gr_status h_silu(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x;
	(void)type;
	TRY(input0(c, n, &x, NULL));
	return silu(c, n, x);
}

static gr_status h_hardsigmoid(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y;
	gr_node *g;
	(void)type;
	TRY(input0(c, n, &x, NULL));
	y = result(c, n);
	EMIT(g, "HardSigmoid", n->name, (x), (y));
	gr_node_set_float(g, "alpha", 1.0 / 6.0);
	gr_node_set_float(g, "beta", 0.5);
	return GR_OK;
}

static gr_status h_gelu(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y;
	gr_node *g;
	fx_val ap;
	const char *mod = get_str(cJSON_GetObjectItemCaseSensitive(n->j, "attrs"), "approximate");
	(void)type;
	TRY(input0(c, n, &x, NULL));
	TRY(arg(c, n, -1, "approximate", &ap, NULL));
	y = result(c, n);
	EMIT(g, "Gelu", n->name, (x), (y));
	if ((ap.kind == V_STR && !strcmp(ap.s, "tanh")) || (mod && !strcmp(mod, "tanh")))
		gr_node_set_str(g, "approximate", "tanh");
	return GR_OK;
}

/* Normalizes a (possibly negative) dim against rank; -1 when it cannot. */
static int64_t norm_dim(int64_t d, int rank)
{
	if (rank < 0)
		return d < 0 ? -1 : d;
	if (d < 0)
		d += rank;
	return d >= 0 && d < rank ? d : -1;
}

/* softmax(x, dim) and log_softmax. */
static gr_status h_softmax(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y;
	gr_node *g;
	fx_val d;
	int present;
	int64_t dim = -1;

	TRY(input0(c, n, &x, NULL));
	TRY(arg(c, n, 1, "dim", &d, &present));
	if (d.kind == V_NUM)
		dim = d.i;
	else if (!strcmp(n->op, "call_module"))
		dim = num_attr_i(cJSON_GetObjectItemCaseSensitive(n->j, "attrs"), "dim", -1);
	y = result(c, n);
	EMIT(g, type, n->name, (x), (y));
	gr_node_set_int(g, "axis", dim);
	return GR_OK;
}

static gr_status h_leaky_relu(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y;
	gr_node *g;
	fx_val s;
	double slope = num_attr(cJSON_GetObjectItemCaseSensitive(n->j, "attrs"), "negative_slope",
				0.01);
	TRY(input0(c, n, &x, NULL));
	TRY(arg(c, n, 1, "negative_slope", &s, NULL));
	if (s.kind == V_NUM)
		slope = s.num;
	y = result(c, n);
	EMIT(g, type, n->name, (x), (y));
	gr_node_set_float(g, "alpha", slope);
	return GR_OK;
}

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
		TRY(arg(c, n, -1, key, one, NULL));
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
		TRY(arg(c, n, i, NULL, &v[i - 1], NULL));
	*items = v;
	*k = (size_t)argc - 1;
	if (*k == 1 && v[0].kind == V_LIST) {
		*items = v[0].items;
		*k = v[0].n;
	}
	return GR_OK;
}

static gr_status h_reshape(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *shape, *y;
	fx_val *items;
	size_t k;
	gr_node *g;

	TRY(input0(c, n, &x, NULL));
	TRY(size_args(c, n, "shape", &items, &k));
	if (!(shape = shape_tensor(c, n, items, k, -1)))
		return unmapped(c, n, n->target);
	y = result(c, n);
	EMIT(g, "Reshape", n->name, (x, shape), (y));
	gr_node_set_int(g, "allowzero", 1); /* a 0 in a PyTorch shape means 0 */
	(void)type;
	return GR_OK;
}

/* expand(*sizes): -1 keeps the dim, which ONNX Expand's broadcasting does with 1. */
static gr_status h_expand(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *shape, *y;
	fx_val *items;
	size_t k;
	gr_node *g;

	TRY(input0(c, n, &x, NULL));
	if (!strcmp(type, "expand_as")) {
		fx_val o;
		TRY(arg(c, n, 1, "other", &o, NULL));
		if (o.kind != V_TENSOR)
			return unmapped(c, n, n->target);
		if (!(shape = tmp(c, n->name, "/shape")))
			return oom(c);
		EMIT(g, "Shape", nm(c, n, "/shape"), (o.t), (shape));
	} else {
		TRY(size_args(c, n, "size", &items, &k));
		if (!(shape = shape_tensor(c, n, items, k, 1)))
			return unmapped(c, n, n->target);
	}
	y = result(c, n);
	EMIT(g, strcmp(type, "repeat") ? "Expand" : "Tile", n->name, (x, shape), (y));
	return GR_OK;
}

static gr_status h_permute(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y;
	fx_val *items;
	size_t k;
	int64_t perm[GR_MAX_RANK];
	int rank;
	gr_node *g;

	(void)type;
	TRY(input0(c, n, &x, &rank));
	TRY(size_args(c, n, "dims", &items, &k));
	if (k > GR_MAX_RANK)
		return unmapped(c, n, n->target);
	for (size_t i = 0; i < k; i++) {
		if (items[i].kind != V_NUM || !items[i].is_int)
			return unmapped(c, n, n->target);
		perm[i] = norm_dim(items[i].i, (int)k);
	}
	y = result(c, n);
	EMIT(g, "Transpose", n->name, (x), (y));
	return gr_node_set_ints(g, "perm", perm, k) ? GR_OK : oom(c);
}

static gr_status h_transpose(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y;
	fx_val a, b;
	int64_t perm[GR_MAX_RANK], d0, d1;
	int rank;
	gr_node *g;

	TRY(input0(c, n, &x, &rank));
	if (!strcmp(type, "t")) {
		a.kind = b.kind = V_NUM;
		a.is_int = b.is_int = 1;
		a.i = 0;
		b.i = 1;
		if (rank < 2)
			return h_identity(c, n, type);
	} else {
		TRY(arg(c, n, 1, "dim0", &a, NULL));
		TRY(arg(c, n, 2, "dim1", &b, NULL));
	}
	if (a.kind != V_NUM || b.kind != V_NUM || rank < 0 ||
	    (d0 = norm_dim(a.i, rank)) < 0 || (d1 = norm_dim(b.i, rank)) < 0)
		return unmapped(c, n, n->target);
	for (int i = 0; i < rank; i++)
		perm[i] = i;
	perm[d0] = d1;
	perm[d1] = d0;
	y = result(c, n);
	EMIT(g, "Transpose", n->name, (x), (y));
	return gr_node_set_ints(g, "perm", perm, (size_t)rank) ? GR_OK : oom(c);
}

/* flatten(x, start_dim, end_dim): torch.flatten defaults to (0, -1), nn.Flatten to (1, -1). */
static gr_status h_flatten(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y, *shape;
	fx_val s, e;
	int rank, module = !strcmp(n->op, "call_module");
	int64_t start, end, v[GR_MAX_RANK];
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(n->j, "attrs");
	gr_node *g;

	(void)type;
	TRY(input0(c, n, &x, &rank));
	TRY(arg(c, n, 1, "start_dim", &s, NULL));
	TRY(arg(c, n, 2, "end_dim", &e, NULL));
	start = module ? num_attr_i(attrs, "start_dim", 1) : s.kind == V_NUM ? s.i : 0;
	end = module ? num_attr_i(attrs, "end_dim", -1) : e.kind == V_NUM ? e.i : -1;
	if (rank < 0 || (start = norm_dim(start, rank)) < 0 || (end = norm_dim(end, rank)) < 0 ||
	    end < start) {
		if (rank == 0)
			start = end = 0;
		else
			return unmapped(c, n, n->target);
	}
	y = result(c, n);
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

static gr_status h_unsqueeze(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y;
	fx_val d;
	int present;
	gr_node *g;

	TRY(input0(c, n, &x, NULL));
	TRY(arg(c, n, 1, "dim", &d, &present));
	if (!strcmp(type, "Squeeze") && !present) {
		y = result(c, n);
		EMIT(g, "Squeeze", n->name, (x), (y));
		return GR_OK;
	}
	if (d.kind != V_NUM && d.kind != V_LIST)
		return unmapped(c, n, n->target);
	{
		int64_t ax[GR_MAX_RANK];
		int k = ints_of(&d, ax, GR_MAX_RANK);
		gr_tensor *axes;
		if (k < 0)
			return unmapped(c, n, n->target);
		if (!(axes = cst_i64(c, nm(c, n, "/axes"), ax, k, 0)))
			return oom(c);
		y = result(c, n);
		EMIT(g, type, n->name, (x, axes), (y));
	}
	return GR_OK;
}

/* x.size() / x.shape -> Shape; x.size(d) -> Shape, Gather. */
static gr_status h_size(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *sh;
	fx_val d;
	int present, rank;
	gr_node *g;

	(void)type;
	TRY(input0(c, n, &x, &rank));
	TRY(arg(c, n, 1, "dim", &d, &present));
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
		return unmapped(c, n, n->target);
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
static gr_status h_getattr(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val x, a;

	TRY(arg(c, n, 0, NULL, &x, NULL));
	TRY(arg(c, n, 1, NULL, &a, NULL));
	if (x.kind == V_TENSOR && a.kind == V_STR && !strcmp(a.s, "shape"))
		return h_size(c, n, type);
	if (x.kind == V_TENSOR && a.kind == V_STR && !strcmp(a.s, "T"))
		return h_transpose(c, n, "t");
	n->val.kind = V_OTHER;
	return GR_OK;
}

static gr_status h_dim(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x;
	int rank;

	(void)type;
	TRY(input0(c, n, &x, &rank));
	if (rank < 0)
		return unmapped(c, n, n->target);
	n->val.kind = V_NUM;
	n->val.is_int = 1;
	n->val.i = rank;
	n->val.num = rank;
	return GR_OK;
}

/* One index entry of x[...] applied to axis d (see h_getitem). */
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
	gr_tensor *cur = x, *y;
	gr_node *g;

	memset(&p, 0, sizeof(p));
	for (size_t i = 0; i < k; i++)
		real += e[i].kind == V_NUM || e[i].kind == V_SLICE || e[i].kind == V_TENSOR;
	if (rank < 0 || real > (size_t)rank || k > GR_MAX_RANK)
		return unmapped(c, n, "getitem");
	if (k == 1 && e[0].kind == V_TENSOR && e[0].rank != 0) {
		/* an index tensor: a gather along dim 0 */
		y = result(c, n);
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
				return unmapped(c, n, "getitem");
			p.starts[p.ns] = e[i];
			if (e[i].kind == V_NUM)
				num_val(&p.ends[p.ns], e[i].i == -1 ? BIG : e[i].i + 1);
			else
				return unmapped(c, n, "getitem"); /* x[t] with t a scalar tensor */
			p.axes[p.ns] = d;
			p.steps[p.ns++] = 1;
			p.squeeze[p.nsq++] = d++;
			break;
		case V_SLICE: {
			const fx_val *s = e[i].items;
			int64_t step = s[2].kind == V_NUM ? s[2].i : 1;
			if (s[2].kind != V_NONE && (s[2].kind != V_NUM || !s[2].is_int || !step))
				return unmapped(c, n, "getitem");
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
			return unmapped(c, n, "getitem");
		}
	}
	y = result(c, n);
	if (p.ns) {
		gr_tensor *t = (p.nsq || p.nnew) ? tmp(c, n->name, "/slice") : y;
		gr_tensor *ts = shape_tensor(c, n, p.starts, (size_t)p.ns, -1);
		gr_tensor *te = shape_tensor(c, n, p.ends, (size_t)p.ns, -1);
		gr_tensor *ta = cst_i64(c, nm(c, n, "/axes"), p.axes, p.ns, 0);
		gr_tensor *tp = cst_i64(c, nm(c, n, "/steps"), p.steps, p.ns, 0);
		if (!t || !ts || !te || !ta || !tp)
			return oom(c);
		EMIT(g, "Slice", (p.nsq || p.nnew) ? nm(c, n, "/slice") : n->name, (cur, ts, te, ta, tp), (t));
		cur = t;
	}
	if (p.nsq) {
		gr_tensor *t = p.nnew ? tmp(c, n->name, "/squeeze") : y;
		gr_tensor *ta = cst_i64(c, nm(c, n, "/squeeze_axes"), p.squeeze, p.nsq, 0);
		if (!t || !ta)
			return oom(c);
		EMIT(g, "Squeeze", p.nnew ? nm(c, n, "/squeeze") : n->name, (cur, ta), (t));
		cur = t;
	}
	if (p.nnew) {
		gr_tensor *ta = cst_i64(c, nm(c, n, "/new_axes"), p.newax, p.nnew, 0);
		if (!ta)
			return oom(c);
		EMIT(g, "Unsqueeze", n->name, (cur, ta), (y));
		cur = y;
	}
	if (cur != y)
		EMIT(g, "Identity", n->name, (cur), (y));
	return GR_OK;
}

static gr_status h_getitem(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val x, idx;
	gr_node *g;

	(void)type;
	TRY(arg(c, n, 0, NULL, &x, NULL));
	TRY(arg(c, n, 1, NULL, &idx, NULL));
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
		return unmapped(c, n, "getitem");
	}
	if (x.kind != V_TENSOR)
		return unmapped(c, n, "getitem");
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
static gr_status h_cat(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val list, d;
	int64_t dim = 0;
	gr_tensor *y;
	gr_node *g;
	int stack = !strcmp(type, "stack");

	TRY(arg(c, n, 0, "tensors", &list, NULL));
	TRY(arg(c, n, 1, "dim", &d, NULL));
	if (d.kind == V_NUM)
		dim = d.i;
	if (list.kind != V_LIST || !list.n)
		return unmapped(c, n, n->target);
	y = result(c, n);
	if (!y || !(g = gr_graph_add_node(c->g, "Concat", "", n->name, list.n, 1, NODE_ATTRS)))
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
static gr_status h_split(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, **outs, *sizes = NULL;
	fx_val s, d;
	const cJSON *recorded = cJSON_GetObjectItemCaseSensitive(n->j, "outputs");
	int64_t dim = 0, sz[256];
	int rank, k;
	gr_node *g;

	TRY(input0(c, n, &x, &rank));
	TRY(arg(c, n, 1, !strcmp(type, "chunk") ? "chunks" : "split_size_or_sections", &s, NULL));
	TRY(arg(c, n, 2, "dim", &d, NULL));
	if (d.kind == V_NUM)
		dim = d.i;
	if (!cJSON_IsArray(recorded) || (k = cJSON_GetArraySize(recorded)) < 1 || k > 256)
		return unmapped(c, n, n->target);
	if (!(outs = gr_arena_calloc(c->a, (size_t)k, sizeof(*outs))))
		return oom(c);
	TRY(results(c, n, (size_t)k, outs));
	if (!strcmp(type, "split")) {
		/* sizes along dim: explicit, or split_size chunks with a smaller last one */
		int m = ints_of(&s, sz, 256);
		if (m == 1 && s.kind == V_NUM) {
			int64_t a = norm_dim(dim, rank), total = -1;
			const cJSON *shape = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetArrayItem(recorded, k - 1), "shape");
			if (a >= 0 && cJSON_IsArray(shape) && cJSON_GetArraySize(shape) > a)
				total = (int64_t)(k - 1) * s.i +
					to_i64(cJSON_GetArrayItem(shape, (int)a)->valuedouble);
			if (total < 0)
				return unmapped(c, n, n->target);
			for (int i = 0; i < k; i++)
				sz[i] = i < k - 1 ? s.i : total - (int64_t)(k - 1) * s.i;
			m = k;
		}
		if (m != k || !(sizes = cst_i64(c, nm(c, n, "/split"), sz, k, 0)))
			return unmapped(c, n, n->target);
	}
	if (!(g = gr_graph_add_node(c->g, "Split", "", n->name, sizes ? 2 : 1, (size_t)k, NODE_ATTRS)))
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

/* mean/sum/amax(x, dim, keepdim) */
static gr_status h_reduce(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y, *axes = NULL;
	fx_val d, kd;
	int64_t ax[GR_MAX_RANK];
	int k = 0;
	gr_node *g;

	TRY(input0(c, n, &x, NULL));
	TRY(arg(c, n, 1, "dim", &d, NULL));
	TRY(arg(c, n, 2, "keepdim", &kd, NULL));
	if (d.kind != V_NONE && (k = ints_of(&d, ax, GR_MAX_RANK)) < 0)
		return unmapped(c, n, n->target);
	if (k && !(axes = cst_i64(c, nm(c, n, "/axes"), ax, k, 0)))
		return oom(c);
	y = result(c, n);
	EMIT(g, type, n->name, (x, axes), (y));
	gr_node_set_int(g, "keepdims", kd.kind == V_NUM && kd.i);
	return GR_OK;
}

static gr_status h_matmul(fx_ctx *c, fx_node *n, const char *type)
{
	(void)type;
	return h_binary(c, n, "MatMul");
}

/* masked_fill(x, mask, value) -> Where(mask, value, x) */
static gr_status h_masked_fill(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val m, v;
	gr_tensor *x, *y, *tv;
	gr_node *g;

	(void)type;
	TRY(input0(c, n, &x, NULL));
	TRY(arg(c, n, 1, "mask", &m, NULL));
	TRY(arg(c, n, 2, "value", &v, NULL));
	if (m.kind != V_TENSOR || !(tv = tensor_of(c, n, &v)))
		return unmapped(c, n, n->target);
	y = result(c, n);
	EMIT(g, "Where", n->name, (m.t, tv, x), (y));
	return GR_OK;
}

static gr_status h_where(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val a, b, d;
	gr_tensor *y, *ta, *tb;
	gr_node *g;

	(void)type;
	TRY(arg(c, n, 0, "condition", &a, NULL));
	TRY(arg(c, n, 1, "input", &b, NULL));
	TRY(arg(c, n, 2, "other", &d, NULL));
	if (a.kind != V_TENSOR || !(ta = tensor_of(c, n, &b)) || !(tb = tensor_of(c, n, &d)))
		return unmapped(c, n, n->target);
	y = result(c, n);
	EMIT(g, "Where", n->name, (a.t, ta, tb), (y));
	return GR_OK;
}

/* to(dtype) / float() / half() ...: a Cast when the type changes, else the identity. */
static gr_status h_cast(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y;
	gr_dtype dt = dtype_of(get_str(n->j, "dtype"));
	gr_node *g;

	TRY(input0(c, n, &x, NULL));
	y = result(c, n);
	(void)type;
	if (dt == GR_DTYPE_UNDEFINED || dt == x->dtype) {
		EMIT(g, "Identity", n->name, (x), (y));
		return GR_OK;
	}
	EMIT(g, "Cast", n->name, (x), (y));
	gr_node_set_int(g, "to", dt);
	return GR_OK;
}

/* torch.nn.functional.linear(x, weight, bias) with weight a tensor. */
static gr_status h_linear_fn(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val w, b;
	gr_tensor *x, *wt, *y, *mm;
	int64_t perm[2] = {1, 0};
	gr_node *g;

	(void)type;
	TRY(input0(c, n, &x, NULL));
	TRY(arg(c, n, 1, "weight", &w, NULL));
	TRY(arg(c, n, 2, "bias", &b, NULL));
	if (w.kind != V_TENSOR)
		return unmapped(c, n, n->target);
	y = result(c, n);
	wt = tmp(c, n->name, "/weight_t");
	mm = b.kind == V_TENSOR ? tmp(c, n->name, "/matmul") : y;
	EMIT(g, "Transpose", nm(c, n, "/weight_t"), (w.t), (wt));
	if (!gr_node_set_ints(g, "perm", perm, 2))
		return oom(c);
	EMIT(g, "MatMul", b.kind == V_TENSOR ? nm(c, n, "/matmul") : n->name, (x, wt), (mm));
	if (b.kind == V_TENSOR)
		EMIT(g, "Add", n->name, (mm, b.t), (y));
	return GR_OK;
}

/* F.layer_norm(x, normalized_shape, weight, bias, eps) */
static gr_status h_layer_norm_fn(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val ns, w, b, eps;
	gr_tensor *x, *y;
	int64_t dims[GR_MAX_RANK];
	int k;
	gr_node *g;

	(void)type;
	TRY(input0(c, n, &x, NULL));
	TRY(arg(c, n, 1, "normalized_shape", &ns, NULL));
	TRY(arg(c, n, 2, "weight", &w, NULL));
	TRY(arg(c, n, 3, "bias", &b, NULL));
	TRY(arg(c, n, 4, "eps", &eps, NULL));
	if ((k = ints_of(&ns, dims, GR_MAX_RANK)) < 1 || w.kind != V_TENSOR)
		return unmapped(c, n, n->target);
	y = result(c, n);
	EMIT(g, "LayerNormalization", n->name, (x, w.t, b.kind == V_TENSOR ? b.t : NULL), (y));
	gr_node_set_int(g, "axis", -k);
	gr_node_set_float(g, "epsilon", eps.kind == V_NUM ? eps.num : 1e-5);
	return GR_OK;
}

/* --- pooling -------------------------------------------------------------------------- */

/* Spatial rank from a class or function name ending in 1d/2d/3d (2 otherwise). */
static int spatial_rank(const char *name)
{
	size_t l = strlen(name);
	if (l >= 2 && name[l - 1] == 'd' && name[l - 2] >= '1' && name[l - 2] <= '3')
		return name[l - 2] - '0';
	return 2;
}

/* Pool parameters from module attributes or function arguments. */
static gr_status pool_params(fx_ctx *c, fx_node *n, int nsp, int64_t *k, int64_t *s, int64_t *p,
			     int64_t *d, int *ceil_mode)
{
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(n->j, "attrs");
	static const char *keys[] = {"kernel_size", "stride", "padding", "dilation", "ceil_mode"};
	int64_t *outs[] = {k, s, p, d};
	int64_t dflt[] = {1, -1, 0, 1};

	*ceil_mode = 0;
	if (!strcmp(n->op, "call_module")) {
		for (int i = 0; i < 4; i++)
			if (!spread(attrs, keys[i], nsp, dflt[i], outs[i]))
				return fx_error(c, GR_ERR_FORMAT, "%s: bad attribute '%s'", n->what, keys[i]);
		*ceil_mode = num_attr_i(attrs, "ceil_mode", 0) != 0;
	} else {
		for (int i = 0; i < 5; i++) {
			fx_val v;
			int64_t tmpv[GR_MAX_RANK];
			int m;
			TRY(arg(c, n, i + 1, keys[i], &v, NULL));
			if (i == 4) {
				*ceil_mode = v.kind == V_NUM && v.i;
				break;
			}
			if (v.kind == V_NONE || (v.kind == V_LIST && !v.n)) {
				for (int j = 0; j < nsp; j++)
					outs[i][j] = dflt[i];
				continue;
			}
			if ((m = ints_of(&v, tmpv, GR_MAX_RANK)) < 1 || (m != 1 && m != nsp))
				return fx_error(c, GR_ERR_FORMAT, "%s: bad argument '%s'", n->what, keys[i]);
			for (int j = 0; j < nsp; j++)
				outs[i][j] = tmpv[m == 1 ? 0 : j];
		}
	}
	for (int j = 0; j < nsp; j++) {
		if (s[j] < 0)
			s[j] = k[j]; /* stride defaults to the kernel size */
		if (k[j] < 1 || s[j] < 1 || d[j] < 1 || p[j] < 0)
			return fx_error(c, GR_ERR_FORMAT, "%s: kernel, stride and dilation must be "
					"positive", n->what);
	}
	return GR_OK;
}

/* MaxPool / AvgPool modules and functions. */
static gr_status h_pool(fx_ctx *c, fx_node *n, const char *type)
{
	int nsp = spatial_rank(strcmp(n->op, "call_module") ? n->target : get_str(n->j, "module"));
	int64_t k[3], s[3], p[3], d[3], pads[6];
	int ceil_mode;
	gr_tensor *x, *y;
	gr_node *g;

	TRY(input0(c, n, &x, NULL));
	TRY(pool_params(c, n, nsp, k, s, p, d, &ceil_mode));
	for (int i = 0; i < nsp; i++)
		pads[i] = pads[nsp + i] = p[i];
	y = result(c, n);
	EMIT(g, type, n->name, (x), (y));
	if (!gr_node_set_ints(g, "kernel_shape", k, (size_t)nsp) || !gr_node_set_ints(g, "strides", s, (size_t)nsp) ||
	    !gr_node_set_ints(g, "pads", pads, 2 * (size_t)nsp))
		return oom(c);
	if (!strcmp(type, "MaxPool") && !gr_node_set_ints(g, "dilations", d, (size_t)nsp))
		return oom(c);
	gr_node_set_int(g, "ceil_mode", ceil_mode);
	return GR_OK;
}

/* Adaptive pooling: output 1 -> the global pool; otherwise a fixed pool whose stride and
 * kernel give the requested size from the input size FX recorded. */
static gr_status h_adaptive(fx_ctx *c, fx_node *n, const char *type)
{
	int module = !strcmp(n->op, "call_module");
	int nsp = spatial_rank(module ? get_str(n->j, "module") : n->target);
	int64_t os[3], in[GR_MAX_RANK], k[3], s[3];
	int rank, all_one = 1, max = strstr(type, "Max") != NULL;
	fx_val xv, ov;
	gr_tensor *y;
	gr_node *g;
	const cJSON *in_shape = NULL;

	TRY(arg(c, n, 0, "input", &xv, NULL));
	if (xv.kind != V_TENSOR)
		return fx_error(c, GR_ERR_FORMAT, "%s: needs a tensor input", n->what);
	if (module) {
		if (!spread(cJSON_GetObjectItemCaseSensitive(n->j, "attrs"), "output_size", nsp, -1, os))
			return unmapped(c, n, get_str(n->j, "module"));
	} else {
		TRY(arg(c, n, 1, "output_size", &ov, NULL));
		if (ints_of(&ov, os, 3) == 1)
			for (int i = 1; i < nsp; i++)
				os[i] = os[0];
		else if (ints_of(&ov, os, 3) != nsp)
			return unmapped(c, n, n->target);
	}
	for (int i = 0; i < nsp; i++)
		all_one &= os[i] == 1;
	y = result(c, n);
	if (all_one) {
		EMIT(g, max ? "GlobalMaxPool" : "GlobalAveragePool", n->name, (xv.t), (y));
		return GR_OK;
	}
	/* the input's spatial size, from the producer's recorded shape */
	in_shape = xv.shape;
	if (!in_shape || read_shape(c, in_shape, n->what, in, &rank) || rank != nsp + 2)
		return unmapped(c, n, module ? get_str(n->j, "module") : n->target);
	for (int i = 0; i < nsp; i++) {
		int64_t o = os[i] < 0 ? in[2 + i] : os[i];
		if (o < 1 || o > in[2 + i])
			return unmapped(c, n, module ? get_str(n->j, "module") : n->target);
		s[i] = in[2 + i] / o;
		k[i] = in[2 + i] - (o - 1) * s[i];
	}
	EMIT(g, max ? "MaxPool" : "AveragePool", n->name, (xv.t), (y));
	if (!gr_node_set_ints(g, "kernel_shape", k, (size_t)nsp) || !gr_node_set_ints(g, "strides", s, (size_t)nsp))
		return oom(c);
	return GR_OK;
}

/* F.interpolate / nn.Upsample: Resize with sizes or scales on the spatial axes. */
static gr_status h_resize(fx_ctx *c, fx_node *n, const char *type)
{
	int module = !strcmp(n->op, "call_module");
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(n->j, "attrs");
	fx_val size, scale, mode;
	int64_t sz[3], axes[3];
	double sc[3];
	int rank, nsp, ks;
	gr_tensor *x, *y, *sizes = NULL, *scales = NULL;
	const char *m = "nearest";
	gr_node *g;

	(void)type;
	TRY(input0(c, n, &x, &rank));
	if (module) {
		TRY(to_val(c, n, cJSON_GetObjectItemCaseSensitive(attrs, "size"), 0, &size));
		TRY(to_val(c, n, cJSON_GetObjectItemCaseSensitive(attrs, "scale_factor"), 0, &scale));
		TRY(to_val(c, n, cJSON_GetObjectItemCaseSensitive(attrs, "mode"), 0, &mode));
	} else {
		TRY(arg(c, n, 1, "size", &size, NULL));
		TRY(arg(c, n, 2, "scale_factor", &scale, NULL));
		TRY(arg(c, n, 3, "mode", &mode, NULL));
	}
	nsp = rank - 2;
	if (nsp < 1 || nsp > 3)
		return unmapped(c, n, n->target);
	for (int i = 0; i < nsp; i++)
		axes[i] = 2 + i;
	if (mode.kind == V_STR)
		m = !strcmp(mode.s, "nearest") || !strcmp(mode.s, "nearest-exact") ? "nearest"
		  : !strcmp(mode.s, "bicubic") ? "cubic" : "linear";
	if ((ks = ints_of(&size, sz, 3)) > 0) {
		for (int i = ks; i < nsp; i++)
			sz[i] = sz[0];
		if (!(sizes = cst_i64(c, nm(c, n, "/sizes"), sz, nsp, 0)))
			return oom(c);
	} else if (scale.kind == V_NUM || scale.kind == V_LIST) {
		for (int i = 0; i < nsp; i++) {
			const fx_val *e = scale.kind == V_NUM ? &scale : i < (int)scale.n ? &scale.items[i]
							   : &scale.items[0];
			if (e->kind != V_NUM)
				return unmapped(c, n, n->target);
			sc[i] = e->num;
		}
		if (!(scales = tmp(c, n->name, "/scales")) ||
		    gr_tensor_set_shape(c->g, scales, GR_DTYPE_FLOAT, 1, &(gr_dim){nsp, NULL}) ||
		    gr_tensor_set_f64(c->g, scales, sc, nsp))
			return oom(c);
	} else {
		return unmapped(c, n, n->target);
	}
	y = result(c, n);
	EMIT(g, "Resize", n->name, (x, NULL, scales, sizes), (y));
	gr_node_set_str(g, "mode", m);
	return gr_node_set_ints(g, "axes", axes, (size_t)nsp) ? GR_OK : oom(c);
}

/* F.pad(x, pad, mode, value): pairs from the last dim backwards. */
static gr_status h_pad(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val p, mode;
	int64_t v[2 * GR_MAX_RANK], pads[2 * GR_MAX_RANK];
	int rank, k;
	gr_tensor *x, *y, *tp;
	gr_node *g;

	(void)type;
	TRY(input0(c, n, &x, &rank));
	TRY(arg(c, n, 1, "pad", &p, NULL));
	TRY(arg(c, n, 2, "mode", &mode, NULL));
	if ((k = ints_of(&p, v, 2 * GR_MAX_RANK)) < 0 || k % 2 || rank < k / 2)
		return unmapped(c, n, n->target);
	for (int i = 0; i < 2 * rank; i++)
		pads[i] = 0;
	for (int i = 0; i < k / 2; i++) {
		pads[rank - 1 - i] = v[2 * i];
		pads[2 * rank - 1 - i] = v[2 * i + 1];
	}
	if (!(tp = cst_i64(c, nm(c, n, "/pads"), pads, 2 * rank, 0)))
		return oom(c);
	y = result(c, n);
	EMIT(g, "Pad", n->name, (x, tp), (y));
	gr_node_set_str(g, "mode", mode.kind == V_STR && !strcmp(mode.s, "reflect") ? "reflect"
		       : mode.kind == V_STR && !strcmp(mode.s, "replicate") ? "edge" : "constant");
	return GR_OK;
}

/* --- modules with parameters ---------------------------------------------------------- */

/* Shape of parameter `key` of the module (from "params", or "buffers"); rank -1 if absent. */
static int pshape(fx_ctx *c, const fx_node *n, const char *key, int64_t *dims)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(n->j, "params"), *s;
	int rank;
	gr_error keep;

	s = cJSON_GetObjectItemCaseSensitive(p, key);
	if (!s)
		s = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(n->j, "buffers"), key);
	if (!s)
		return -1;
	if (c->err)
		keep = *c->err;
	if (read_shape(c, s, n->what, dims, &rank)) {
		if (c->err)
			*c->err = keep;
		return -2;
	}
	return rank;
}

/* The initializer for the module's parameter `key` ("<target>.<key>"), or NULL when the
 * module has no such parameter; *bad is set when it is malformed. */
static gr_tensor *mparam(fx_ctx *c, const fx_node *n, const char *key, int *bad)
{
	int64_t dims[GR_MAX_RANK];
	int rank = pshape(c, n, key, dims);
	char name[512];
	gr_tensor *t;

	if (rank == -2)
		*bad = 1;
	if (rank < 0)
		return NULL;
	snprintf(name, sizeof(name), "%.400s.%.64s", n->target, key);
	if (!(t = param(c, name, dims, rank, GR_DTYPE_FLOAT)))
		*bad = 2;
	return t;
}

static gr_status bad_params(fx_ctx *c, const fx_node *n, int bad)
{
	return bad == 2 ? oom(c)
			: fx_error(c, GR_ERR_FORMAT, "%s: malformed parameter shapes", n->what);
}

/* Conv1d/2d/3d and ConvTranspose: ONNX Conv/ConvTranspose on the module's weight. */
static gr_status h_conv(fx_ctx *c, fx_node *n, const char *type)
{
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(n->j, "attrs");
	int nsp = spatial_rank(get_str(n->j, "module")), bad = 0, transposed = !strcmp(type, "ConvTranspose");
	int64_t k[3], s[3], p[6], d[3], op[3], groups = num_attr_i(attrs, "groups", 1);
	const char *pad_str = get_str(attrs, "padding");
	gr_tensor *x, *w, *b, *y;
	gr_node *g;

	TRY(input0(c, n, &x, NULL));
	w = mparam(c, n, "weight", &bad);
	b = mparam(c, n, "bias", &bad);
	if (bad)
		return bad_params(c, n, bad);
	if (!w || w->rank != nsp + 2)
		return fx_error(c, GR_ERR_FORMAT, "%s: %s needs a weight of rank %d", n->what,
				get_str(n->j, "module"), nsp + 2);
	if (!spread(attrs, "kernel_size", nsp, 1, k) || !spread(attrs, "stride", nsp, 1, s) ||
	    !spread(attrs, "dilation", nsp, 1, d) || !spread(attrs, "output_padding", nsp, 0, op) ||
	    (!pad_str && !spread(attrs, "padding", nsp, 0, p)))
		return fx_error(c, GR_ERR_FORMAT, "%s: bad convolution attributes", n->what);
	for (int i = 0; i < nsp; i++) {
		p[nsp + i] = p[i];
		if (k[i] < 1 || s[i] < 1 || d[i] < 1 || (!pad_str && p[i] < 0))
			return fx_error(c, GR_ERR_FORMAT, "%s: kernel, stride and dilation must be "
					"positive", n->what);
	}
	if (groups < 1)
		return fx_error(c, GR_ERR_FORMAT, "%s: groups must be positive", n->what);
	y = result(c, n);
	EMIT(g, type, n->name, (x, w, b), (y));
	if (!gr_node_set_ints(g, "kernel_shape", k, (size_t)nsp) || !gr_node_set_ints(g, "strides", s, (size_t)nsp) ||
	    !gr_node_set_ints(g, "dilations", d, (size_t)nsp))
		return oom(c);
	if (pad_str)
		gr_node_set_str(g, "auto_pad", !strcmp(pad_str, "same") ? "SAME_UPPER" : "VALID");
	else if (!gr_node_set_ints(g, "pads", p, 2 * (size_t)nsp))
		return oom(c);
	if (transposed && !gr_node_set_ints(g, "output_padding", op, (size_t)nsp))
		return oom(c);
	gr_node_set_int(g, "group", groups);
	return GR_OK;
}

/* Linear: Gemm for 2-D inputs, MatMul (+ Add) with the transposed weight otherwise. */
static gr_status h_linear(fx_ctx *c, fx_node *n, const char *type)
{
	int bad = 0, rank;
	int64_t dims[GR_MAX_RANK];
	gr_tensor *x, *w, *b, *y;
	gr_node *g;

	(void)type;
	TRY(input0(c, n, &x, &rank));
	b = mparam(c, n, "bias", &bad);
	if (bad || pshape(c, n, "weight", dims) != 2)
		return bad ? bad_params(c, n, bad)
			   : fx_error(c, GR_ERR_FORMAT, "%s: Linear needs a 2-D weight", n->what);
	y = result(c, n);
	if (rank == 2) {
		if (!(w = mparam(c, n, "weight", &bad)))
			return bad_params(c, n, bad ? bad : 2);
		EMIT(g, "Gemm", n->name, (x, w, b), (y));
		gr_node_set_int(g, "transB", 1);
		return GR_OK;
	} else {
		char name[512];
		int64_t t[2] = {dims[1], dims[0]};
		gr_tensor *mm = b ? tmp(c, n->name, "/matmul") : y;
		snprintf(name, sizeof(name), "%.400s.weight^T", n->target);
		if (!(w = param(c, name, t, 2, GR_DTYPE_FLOAT)))
			return oom(c);
		EMIT(g, "MatMul", b ? nm(c, n, "/matmul") : n->name, (x, w), (mm));
		if (b)
			EMIT(g, "Add", n->name, (mm, b), (y));
	}
	return GR_OK;
}

/* A [C] tensor of ones/zeros for normalizations without affine parameters (produced by a
 * node, so never a parameter). */
static gr_tensor *filler(fx_ctx *c, fx_node *n, const char *suffix, int64_t ch)
{
	gr_tensor *t = tmp(c, n->name, suffix);
	gr_node *g = t ? emit(c, "ConstantOfShape", nm(c, n, suffix),
			      T(cst_i64(c, nm(c, n, "/channels"), &ch, 1, 0)), 1, T(t), 1) : NULL;
	return g && g->in[0] ? t : NULL;
}

static gr_status h_batchnorm(fx_ctx *c, fx_node *n, const char *type)
{
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(n->j, "attrs");
	int64_t ch = num_attr_i(attrs, "num_features", -1);
	int bad = 0;
	gr_tensor *x, *y, *in[5];
	const char *keys[] = {NULL, "weight", "bias", "running_mean", "running_var"};
	gr_node *g;

	TRY(input0(c, n, &x, NULL));
	for (int i = 1; i < 5; i++) {
		in[i] = mparam(c, n, keys[i], &bad);
		if (!in[i] && !bad) {
			if (ch < 1 || ch > FX_MAX_DIM)
				return fx_error(c, GR_ERR_FORMAT, "%s: bad num_features", n->what);
			if (!(in[i] = filler(c, n, i == 1 || i == 4 ? "/ones" : "/zeros", ch)))
				return oom(c);
		}
	}
	if (bad)
		return bad_params(c, n, bad);
	y = result(c, n);
	EMIT(g, type, n->name, (x, in[1], in[2], in[3], in[4]), (y));
	gr_node_set_float(g, "epsilon", num_attr(attrs, "eps", 1e-5));
	return GR_OK;
}

/* LayerNorm, GroupNorm, InstanceNorm. */
static gr_status h_norm(fx_ctx *c, fx_node *n, const char *type)
{
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(n->j, "attrs");
	int bad = 0;
	gr_tensor *x, *y, *w, *b;
	gr_node *g;

	TRY(input0(c, n, &x, NULL));
	w = mparam(c, n, "weight", &bad);
	b = mparam(c, n, "bias", &bad);
	if (bad)
		return bad_params(c, n, bad);
	if (!w) {
		int64_t ch = num_attr_i(attrs, !strcmp(type, "GroupNormalization") ? "num_channels"
						   : "num_features", 1);
		const cJSON *ns = cJSON_GetObjectItemCaseSensitive(attrs, "normalized_shape");
		if (cJSON_IsArray(ns) && cJSON_GetArraySize(ns) > 0)
			ch = to_i64(cJSON_GetArrayItem(ns, cJSON_GetArraySize(ns) - 1)->valuedouble);
		if (ch < 1 || ch > FX_MAX_DIM || !(w = filler(c, n, "/ones", ch)))
			return ch < 1 || ch > FX_MAX_DIM ? fx_error(c, GR_ERR_FORMAT, "%s: bad channels",
								   n->what) : oom(c);
	}
	y = result(c, n);
	EMIT(g, type, n->name, (x, w, b), (y));
	gr_node_set_float(g, "epsilon", num_attr(attrs, "eps", 1e-5));
	if (!strcmp(type, "LayerNormalization")) {
		const cJSON *ns = cJSON_GetObjectItemCaseSensitive(attrs, "normalized_shape");
		gr_node_set_int(g, "axis", -(int64_t)(cJSON_IsArray(ns) && cJSON_GetArraySize(ns) ? cJSON_GetArraySize(ns) : 1));
	} else if (!strcmp(type, "GroupNormalization")) {
		gr_node_set_int(g, "num_groups", num_attr_i(attrs, "num_groups", 1));
	}
	return GR_OK;
}

static gr_status h_prelu(fx_ctx *c, fx_node *n, const char *type)
{
	int bad = 0;
	gr_tensor *x, *w, *y;
	gr_node *g;

	int rank;
	int64_t dims[GR_MAX_RANK];
	char name[512];

	(void)type;
	TRY(input0(c, n, &x, &rank));
	if (pshape(c, n, "weight", dims) != 1)
		return fx_error(c, GR_ERR_FORMAT, "%s: PReLU needs a 1-D weight", n->what);
	/* one slope per channel (dim 1): [C, 1, ...] so that it broadcasts from the right */
	for (int i = 1; dims[0] > 1 && i < rank - 1; i++)
		dims[i] = 1;
	snprintf(name, sizeof(name), "%.400s.weight", n->target);
	if (!(w = param(c, name, dims, dims[0] > 1 && rank > 2 ? rank - 1 : 1, GR_DTYPE_FLOAT)))
		return oom(c);
	(void)bad;
	y = result(c, n);
	EMIT(g, "PRelu", n->name, (x, w), (y));
	return GR_OK;
}

static gr_status h_embedding(fx_ctx *c, fx_node *n, const char *type)
{
	int bad = 0;
	gr_tensor *x, *w, *y;
	gr_node *g;

	(void)type;
	TRY(input0(c, n, &x, NULL));
	if (!(w = mparam(c, n, "weight", &bad)))
		return bad ? bad_params(c, n, bad) : fx_error(c, GR_ERR_FORMAT, "%s: no weight", n->what);
	y = result(c, n);
	EMIT(g, "Gather", n->name, (w, x), (y));
	gr_node_set_int(g, "axis", 0);
	return GR_OK;
}

static gr_status h_module_act(fx_ctx *c, fx_node *n, const char *type)
{
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(n->j, "attrs");

	if (!strcmp(type, "Hardtanh")) {
		gr_tensor *x;
		fx_val lo = {.kind = V_NUM, .num = num_attr(attrs, "min_val", -1)};
		fx_val hi = {.kind = V_NUM, .num = num_attr(attrs, "max_val", 1)};
		TRY(input0(c, n, &x, NULL));
		return clip(c, n, x, &lo, &hi);
	}
	if (!strcmp(type, "Elu") || !strcmp(type, "Celu")) {
		gr_status st = h_unary(c, n, type);
		if (!st)
			gr_node_set_float(gr_graph_node(c->g, c->g->n_nodes - 1), "alpha", num_attr(attrs, "alpha", 1));
		return st;
	}
	return h_unary(c, n, type);
}

/* MultiheadAttention: projections, per-head scaled dot products, softmax, output
 * projection, as ONNX exports it. Outputs (attn_output, attn_weights or None). */
static gr_status h_mha(fx_ctx *c, fx_node *n, const char *type)
{
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(n->j, "attrs");
	int64_t e = num_attr_i(attrs, "embed_dim", -1), h = num_attr_i(attrs, "num_heads", -1);
	int batch_first = num_attr_i(attrs, "batch_first", 0) != 0, bad = 0;
	fx_val q, k, v;
	gr_tensor *proj[3], *heads[3], *outs[2], *w, *bias;
	const cJSON *recorded = cJSON_GetObjectItemCaseSensitive(n->j, "outputs");
	int64_t hd, split4[4], back3[3] = {0, 0, 0}, dims[GR_MAX_RANK];
	static const int64_t P_BF[] = {0, 2, 1, 3}, P_SF[] = {1, 2, 0, 3}, P_SF_BACK[] = {2, 0, 1, 3};
	static const int64_t P_KT[] = {0, 1, 3, 2};
	static const char *names[] = {"q", "k", "v"};
	gr_node *g;

	(void)type;
	TRY(arg(c, n, 0, "query", &q, NULL));
	TRY(arg(c, n, 1, "key", &k, NULL));
	TRY(arg(c, n, 2, "value", &v, NULL));
	if (q.kind != V_TENSOR || k.kind != V_TENSOR || v.kind != V_TENSOR || e < 1 || h < 1 ||
	    e % h || e > FX_MAX_DIM || !cJSON_IsArray(recorded) || cJSON_GetArraySize(recorded) != 2)
		return unmapped(c, n, "MultiheadAttention");
	hd = e / h;
	TRY(results(c, n, 2, outs));
	/* input projections: one fused MatMul when q, k and v are one tensor */
	if (q.t == k.t && k.t == v.t && pshape(c, n, "in_proj_weight", dims) == 2) {
		char name[512];
		int64_t wt[2] = {dims[1], dims[0]};
		gr_tensor *qkv = tmp(c, n->name, "/qkv"), *b = mparam(c, n, "in_proj_bias", &bad);
		snprintf(name, sizeof(name), "%.400s.in_proj_weight^T", n->target);
		if (bad || !(w = param(c, name, wt, 2, GR_DTYPE_FLOAT)))
			return bad_params(c, n, bad ? bad : 2);
		EMIT(g, "MatMul", nm(c, n, "/in_proj"), (q.t, w), (qkv));
		if (b) {
			gr_tensor *qb = tmp(c, n->name, "/qkv_bias");
			EMIT(g, "Add", nm(c, n, "/in_proj_bias"), (qkv, b), (qb));
			qkv = qb;
		}
		if (!(g = gr_graph_add_node(c->g, "Split", "", nm(c, n, "/split"), 1, 3, NODE_ATTRS)))
			return oom(c);
		g->in[0] = qkv;
		gr_node_set_int(g, "axis", -1);
		gr_node_set_int(g, "num_outputs", 3);
		for (int i = 0; i < 3; i++)
			if (!(g->out[i] = proj[i] = tmp(c, n->name, i == 0 ? "/q" : i == 1 ? "/k" : "/v")))
				return oom(c);
	} else {
		const fx_val *src[3] = {&q, &k, &v};
		int packed = pshape(c, n, "in_proj_weight", dims) == 2;
		for (int i = 0; i < 3; i++) {
			char name[512], key[32];
			int64_t wt[2], rows;
			gr_tensor *p = tmp(c, n->name, i == 0 ? "/q" : i == 1 ? "/k" : "/v");
			if (packed) {
				wt[0] = dims[1];
				wt[1] = dims[0] / 3;
				snprintf(name, sizeof(name), "%.400s.in_proj_weight[%s]^T", n->target, names[i]);
			} else {
				snprintf(key, sizeof(key), "%s_proj_weight", names[i]);
				if (pshape(c, n, key, dims) != 2)
					return fx_error(c, GR_ERR_FORMAT, "%s: no %s", n->what, key);
				wt[0] = dims[1];
				wt[1] = dims[0];
				snprintf(name, sizeof(name), "%.400s.%s^T", n->target, key);
			}
			if (!p || !(w = param(c, name, wt, 2, GR_DTYPE_FLOAT)))
				return oom(c);
			snprintf(key, sizeof(key), "/%s_proj", names[i]);
			EMIT(g, "MatMul", nm(c, n, key), (src[i]->t, w), (p));
			rows = e;
			snprintf(name, sizeof(name), "%.400s.in_proj_bias[%s]", n->target, names[i]);
			if (pshape(c, n, "in_proj_bias", dims) == 1) {
				gr_tensor *pb = tmp(c, n->name, i == 0 ? "/q_bias" : i == 1 ? "/k_bias" : "/v_bias");
				if (!(bias = param(c, name, &rows, 1, GR_DTYPE_FLOAT)))
					return oom(c);
				snprintf(key, sizeof(key), "/%s_bias", names[i]);
				EMIT(g, "Add", nm(c, n, key), (p, bias), (pb));
				p = pb;
			}
			proj[i] = p;
		}
	}
	/* heads: [.., .., E] -> [B, H, S, D] */
	split4[0] = 0;
	split4[1] = 0;
	split4[2] = h;
	split4[3] = hd;
	for (int i = 0; i < 3; i++) {
		char suf[32];
		gr_tensor *r = tmp(c, proj[i]->name, "/heads"), *tt = tmp(c, proj[i]->name, "/bhsd");
		snprintf(suf, sizeof(suf), "/%s_heads", names[i]);
		EMIT(g, "Reshape", nm(c, n, suf), (proj[i], cst_i64(c, nm(c, n, "/heads_shape"), split4, 4, 0)),
		     (r));
		if (!g->in[1])
			return oom(c);
		snprintf(suf, sizeof(suf), "/%s_bhsd", names[i]);
		EMIT(g, "Transpose", nm(c, n, suf), (r), (tt));
		if (!gr_node_set_ints(g, "perm", batch_first ? P_BF : P_SF, 4))
			return oom(c);
		heads[i] = tt;
	}
	{
		gr_tensor *qs = tmp(c, n->name, "/q_scaled"), *kt = tmp(c, n->name, "/k_t");
		gr_tensor *scores = tmp(c, n->name, "/scores"), *attn = tmp(c, n->name, "/attn");
		gr_tensor *ctx = tmp(c, n->name, "/context"), *ctx_t = tmp(c, n->name, "/context_t");
		gr_tensor *ctx_r = tmp(c, n->name, "/context_r"), *mm = tmp(c, n->name, "/out_proj");
		gr_tensor *wo, *bo;
		int64_t wod[GR_MAX_RANK];
		char name[512];

		EMIT(g, "Div", nm(c, n, "/scale"), (heads[0], cst_f(c, nm(c, n, "/sqrt_d"), sqrt((double)hd))),
		     (qs));
		EMIT(g, "Transpose", nm(c, n, "/k_t"), (heads[1]), (kt));
		if (!g->in[0] || !gr_node_set_ints(g, "perm", P_KT, 4))
			return oom(c);
		EMIT(g, "MatMul", nm(c, n, "/scores"), (qs, kt), (scores));
		EMIT(g, "Softmax", nm(c, n, "/softmax"), (scores), (attn));
		gr_node_set_int(g, "axis", -1);
		EMIT(g, "MatMul", nm(c, n, "/context"), (attn, heads[2]), (ctx));
		EMIT(g, "Transpose", nm(c, n, "/context_t"), (ctx), (ctx_t));
		if (!gr_node_set_ints(g, "perm", batch_first ? P_BF : P_SF_BACK, 4))
			return oom(c);
		back3[2] = e;
		EMIT(g, "Reshape", nm(c, n, "/context_r"), (ctx_t, cst_i64(c, nm(c, n, "/merge_shape"), back3, 3, 0)),
		     (ctx_r));
		if (!g->in[1] || pshape(c, n, "out_proj.weight", wod) != 2)
			return g->in[1] ? fx_error(c, GR_ERR_FORMAT, "%s: no out_proj.weight", n->what) : oom(c);
		snprintf(name, sizeof(name), "%.400s.out_proj.weight^T", n->target);
		if (!(wo = param(c, name, (int64_t[]){wod[1], wod[0]}, 2, GR_DTYPE_FLOAT)))
			return oom(c);
		bo = mparam(c, n, "out_proj.bias", &bad);
		if (bad)
			return bad_params(c, n, bad);
		EMIT(g, "MatMul", nm(c, n, "/out_proj"), (ctx_r, wo), (bo ? mm : outs[0]));
		if (bo)
			EMIT(g, "Add", n->name, (mm, bo), (outs[0]));
		if (cJSON_IsNull(cJSON_GetArrayItem(recorded, 1))) {
			n->val.items[1].kind = V_NONE;
		} else {
			int64_t one = 1;
			EMIT(g, "ReduceMean", nm(c, n, "/weights"),
			     (attn, cst_i64(c, nm(c, n, "/heads_axis"), &one, 1, 0)), (outs[1]));
			gr_node_set_int(g, "keepdims", 0);
			if (!g->in[1])
				return oom(c);
		}
	}
	return GR_OK;
}

/* einsum(equation, *operands) or einsum(equation, [operands]) */
static gr_status h_einsum(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val eq, ops;
	gr_tensor *ts[16], *y;
	size_t k = 0;
	gr_node *g;
	char *e;

	(void)type;
	TRY(arg(c, n, 0, "equation", &eq, NULL));
	if (eq.kind != V_STR || !(e = clean(c, eq.s)))
		return unmapped(c, n, n->target);
	for (int i = 1; i < n_args(n); i++) {
		TRY(arg(c, n, i, NULL, &ops, NULL));
		k = collect_tensors(&ops, ts, 16, k);
	}
	if (!k)
		return unmapped(c, n, n->target);
	y = result(c, n);
	if (!y || !(g = gr_graph_add_node(c->g, "Einsum", "", n->name, k, 1, NODE_ATTRS)))
		return oom(c);
	memcpy(g->in, ts, k * sizeof(*ts));
	g->out[0] = y;
	gr_node_set_str(g, "equation", e);
	return GR_OK;
}

/* torchvision's stochastic_depth(input, p, mode, training): the identity at inference. */
static gr_status h_stochastic_depth(fx_ctx *c, fx_node *n, const char *type)
{
	(void)type;
	return h_unary(c, n, "Identity");
}

/* ==========================================================================================
 * Dispatch tables
 * ========================================================================================== */

typedef struct fx_map {
	const char *name;
	fx_fn fn;
	const char *type;
} fx_map;

/* call_function targets (torch.fx qualified names). */
static const fx_map FUNCS[] = {
	{"_operator.add", h_binary, "Add"}, {"_operator.iadd", h_binary, "Add"},
	{"torch.add", h_binary, "Add"}, {"_operator.sub", h_binary, "Sub"},
	{"_operator.isub", h_binary, "Sub"}, {"torch.sub", h_binary, "Sub"},
	{"_operator.mul", h_binary, "Mul"}, {"_operator.imul", h_binary, "Mul"},
	{"torch.mul", h_binary, "Mul"}, {"_operator.truediv", h_binary, "Div"},
	{"_operator.itruediv", h_binary, "Div"}, {"torch.div", h_binary, "Div"},
	{"torch.true_divide", h_binary, "Div"}, {"_operator.floordiv", h_binary, "FloorDiv"},
	{"torch.floor_divide", h_binary, "FloorDiv"}, {"_operator.mod", h_binary, "Mod"},
	{"_operator.pow", h_binary, "Pow"}, {"torch.pow", h_binary, "Pow"},
	{"_operator.eq", h_binary, "Equal"}, {"torch.eq", h_binary, "Equal"},
	{"_operator.ne", h_binary, "NotEqual"}, {"_operator.lt", h_binary, "Less"},
	{"torch.lt", h_binary, "Less"}, {"_operator.le", h_binary, "LessOrEqual"},
	{"_operator.gt", h_binary, "Greater"}, {"torch.gt", h_binary, "Greater"},
	{"_operator.ge", h_binary, "GreaterOrEqual"}, {"_operator.and_", h_binary, "And"},
	{"_operator.or_", h_binary, "Or"}, {"torch.maximum", h_binary, "Max"},
	{"torch.minimum", h_binary, "Min"},
	{"_operator.matmul", h_matmul, NULL}, {"torch.matmul", h_matmul, NULL},
	{"torch.bmm", h_matmul, NULL}, {"torch.mm", h_matmul, NULL},
	{"_operator.neg", h_unary, "Neg"}, {"torch.neg", h_unary, "Neg"},
	{"_operator.getitem", h_getitem, NULL}, {"getattr", h_getattr, NULL},
	{"torch._assert", h_none, NULL},
	{"torch.cat", h_cat, "cat"}, {"torch.concat", h_cat, "cat"}, {"torch.stack", h_cat, "stack"},
	{"torch.flatten", h_flatten, NULL}, {"torch.reshape", h_reshape, NULL},
	{"torch.permute", h_permute, NULL}, {"torch.transpose", h_transpose, "transpose"},
	{"torch.squeeze", h_unsqueeze, "Squeeze"}, {"torch.unsqueeze", h_unsqueeze, "Unsqueeze"},
	{"torch.chunk", h_split, "chunk"}, {"torch.split", h_split, "split"},
	{"torch.relu", h_unary, "Relu"}, {"torch.relu_", h_unary, "Relu"},
	{"torch.nn.functional.relu", h_unary, "Relu"}, {"torch.nn.functional.relu6", h_relu6, NULL},
	{"torch.nn.functional.gelu", h_gelu, NULL}, {"torch.nn.functional.silu", h_silu, NULL},
	{"torch.nn.functional.hardswish", h_unary, "HardSwish"},
	{"torch.nn.functional.hardsigmoid", h_hardsigmoid, NULL},
	{"torch.sigmoid", h_unary, "Sigmoid"}, {"torch.nn.functional.sigmoid", h_unary, "Sigmoid"},
	{"torch.tanh", h_unary, "Tanh"}, {"torch.nn.functional.tanh", h_unary, "Tanh"},
	{"torch.nn.functional.leaky_relu", h_leaky_relu, "LeakyRelu"},
	{"torch.nn.functional.elu", h_unary, "Elu"}, {"torch.nn.functional.softplus", h_unary, "Softplus"},
	{"torch.nn.functional.mish", h_unary, "Mish"},
	{"torch.exp", h_unary, "Exp"}, {"torch.log", h_unary, "Log"}, {"torch.sqrt", h_unary, "Sqrt"},
	{"torch.abs", h_unary, "Abs"}, {"torch.sin", h_unary, "Sin"}, {"torch.cos", h_unary, "Cos"},
	{"torch.erf", h_unary, "Erf"}, {"torch.floor", h_unary, "Floor"}, {"torch.ceil", h_unary, "Ceil"},
	{"torch.round", h_unary, "Round"}, {"torch.reciprocal", h_unary, "Reciprocal"},
	{"torch.clamp", h_clamp, NULL}, {"torch.clip", h_clamp, NULL},
	{"torch.softmax", h_softmax, "Softmax"}, {"torch.nn.functional.softmax", h_softmax, "Softmax"},
	{"torch.log_softmax", h_softmax, "LogSoftmax"},
	{"torch.nn.functional.log_softmax", h_softmax, "LogSoftmax"},
	{"torch.nn.functional.layer_norm", h_layer_norm_fn, NULL},
	{"torch.nn.functional.dropout", h_identity, NULL}, {"torch.dropout", h_identity, NULL},
	{"torch.nn.functional.adaptive_avg_pool2d", h_adaptive, "Average"},
	{"torch.nn.functional.adaptive_avg_pool1d", h_adaptive, "Average"},
	{"torch.nn.functional.adaptive_max_pool2d", h_adaptive, "Max"},
	{"torch.nn.functional.max_pool2d", h_pool, "MaxPool"},
	{"torch.nn.functional.max_pool1d", h_pool, "MaxPool"},
	{"torch.nn.functional.avg_pool2d", h_pool, "AveragePool"},
	{"torch.nn.functional.interpolate", h_resize, NULL}, {"torch.nn.functional.pad", h_pad, NULL},
	{"torch.nn.functional.linear", h_linear_fn, NULL},
	{"torch.mean", h_reduce, "ReduceMean"}, {"torch.sum", h_reduce, "ReduceSum"},
	{"torch.amax", h_reduce, "ReduceMax"}, {"torch.amin", h_reduce, "ReduceMin"},
	{"torch.where", h_where, NULL},
	/* names under which some functionals trace */
	{"torch._C._nn.linear", h_linear_fn, NULL}, {"torch._C._nn.gelu", h_gelu, NULL},
	{"torch.functional.split", h_split, "split"}, {"torch._C._nn.silu", h_silu, NULL},
	{"torch._C._nn.hardswish", h_unary, "HardSwish"},
	{"torch._C._nn.hardsigmoid", h_hardsigmoid, NULL}, {"torch._C._nn.elu", h_unary, "Elu"},
	{"torch._C._nn.softplus", h_unary, "Softplus"}, {"torch._C._nn.mish", h_unary, "Mish"},
	{"torch._C._nn.leaky_relu", h_leaky_relu, "LeakyRelu"},
	{"torch._C._nn.adaptive_avg_pool2d", h_adaptive, "Average"},
	{"torch._C._nn.avg_pool2d", h_pool, "AveragePool"}, {"torch._C._nn.pad", h_pad, NULL},
	{"torch.max_pool2d", h_pool, "MaxPool"}, {"torch.adaptive_avg_pool1d", h_adaptive, "Average"},
	{"torch.einsum", h_einsum, NULL}, {"torch.functional.einsum", h_einsum, NULL},
	{"torch.swapaxes", h_transpose, "transpose"}, {"torch.swapdims", h_transpose, "transpose"},
	{"torchvision.ops.stochastic_depth.stochastic_depth", h_stochastic_depth, NULL},
};

/* call_method names. */
static const fx_map METHODS[] = {
	{"view", h_reshape, NULL}, {"reshape", h_reshape, NULL}, {"permute", h_permute, NULL},
	{"transpose", h_transpose, "transpose"}, {"t", h_transpose, "t"}, {"flatten", h_flatten, NULL},
	{"contiguous", h_identity, NULL}, {"clone", h_identity, NULL}, {"detach", h_identity, NULL},
	{"cpu", h_identity, NULL}, {"cuda", h_identity, NULL}, {"to", h_cast, NULL},
	{"type", h_cast, NULL}, {"float", h_cast, NULL}, {"half", h_cast, NULL}, {"double", h_cast, NULL},
	{"int", h_cast, NULL}, {"long", h_cast, NULL}, {"bool", h_cast, NULL},
	{"size", h_size, NULL}, {"dim", h_dim, NULL}, {"expand", h_expand, "expand"},
	{"expand_as", h_expand, "expand_as"}, {"repeat", h_expand, "repeat"},
	{"unsqueeze", h_unsqueeze, "Unsqueeze"}, {"squeeze", h_unsqueeze, "Squeeze"},
	{"chunk", h_split, "chunk"}, {"split", h_split, "split"},
	{"mean", h_reduce, "ReduceMean"}, {"sum", h_reduce, "ReduceSum"}, {"amax", h_reduce, "ReduceMax"},
	{"softmax", h_softmax, "Softmax"}, {"log_softmax", h_softmax, "LogSoftmax"},
	{"relu", h_unary, "Relu"}, {"relu_", h_unary, "Relu"}, {"sigmoid", h_unary, "Sigmoid"},
	{"tanh", h_unary, "Tanh"}, {"exp", h_unary, "Exp"}, {"sqrt", h_unary, "Sqrt"},
	{"abs", h_unary, "Abs"}, {"neg", h_unary, "Neg"}, {"log", h_unary, "Log"},
	{"add", h_binary, "Add"}, {"add_", h_binary, "Add"}, {"sub", h_binary, "Sub"},
	{"mul", h_binary, "Mul"}, {"mul_", h_binary, "Mul"}, {"div", h_binary, "Div"},
	{"pow", h_binary, "Pow"}, {"matmul", h_matmul, NULL}, {"bmm", h_matmul, NULL},
	{"masked_fill", h_masked_fill, NULL}, {"clamp", h_clamp, NULL}, {"clip", h_clamp, NULL},
	{"swapaxes", h_transpose, "transpose"}, {"swapdims", h_transpose, "transpose"},
};

/* call_module classes. */
static const fx_map MODULES[] = {
	{"Conv1d", h_conv, "Conv"}, {"Conv2d", h_conv, "Conv"}, {"Conv3d", h_conv, "Conv"},
	{"ConvTranspose1d", h_conv, "ConvTranspose"}, {"ConvTranspose2d", h_conv, "ConvTranspose"},
	{"ConvTranspose3d", h_conv, "ConvTranspose"},
	{"Linear", h_linear, NULL}, {"NonDynamicallyQuantizableLinear", h_linear, NULL},
	{"BatchNorm1d", h_batchnorm, "BatchNormalization"},
	{"BatchNorm2d", h_batchnorm, "BatchNormalization"},
	{"BatchNorm3d", h_batchnorm, "BatchNormalization"},
	{"SyncBatchNorm", h_batchnorm, "BatchNormalization"},
	{"LayerNorm", h_norm, "LayerNormalization"}, {"GroupNorm", h_norm, "GroupNormalization"},
	{"InstanceNorm1d", h_norm, "InstanceNormalization"},
	{"InstanceNorm2d", h_norm, "InstanceNormalization"},
	{"InstanceNorm3d", h_norm, "InstanceNormalization"},
	{"ReLU", h_unary, "Relu"}, {"ReLU6", h_relu6, NULL}, {"GELU", h_gelu, NULL},
	{"SiLU", h_silu, NULL}, {"Sigmoid", h_unary, "Sigmoid"}, {"Tanh", h_unary, "Tanh"},
	{"Hardswish", h_unary, "HardSwish"}, {"Hardsigmoid", h_hardsigmoid, NULL},
	{"LeakyReLU", h_leaky_relu, "LeakyRelu"}, {"ELU", h_module_act, "Elu"},
	{"CELU", h_module_act, "Celu"}, {"SELU", h_unary, "Selu"}, {"Softplus", h_unary, "Softplus"},
	{"Mish", h_unary, "Mish"}, {"Hardtanh", h_module_act, "Hardtanh"}, {"PReLU", h_prelu, NULL},
	{"Softmax", h_softmax, "Softmax"}, {"LogSoftmax", h_softmax, "LogSoftmax"},
	{"Identity", h_identity, NULL}, {"Dropout", h_identity, NULL}, {"Dropout1d", h_identity, NULL},
	{"Dropout2d", h_identity, NULL}, {"Dropout3d", h_identity, NULL},
	{"AlphaDropout", h_identity, NULL}, {"Flatten", h_flatten, NULL},
	{"MaxPool1d", h_pool, "MaxPool"}, {"MaxPool2d", h_pool, "MaxPool"},
	{"MaxPool3d", h_pool, "MaxPool"}, {"AvgPool1d", h_pool, "AveragePool"},
	{"AvgPool2d", h_pool, "AveragePool"}, {"AvgPool3d", h_pool, "AveragePool"},
	{"AdaptiveAvgPool1d", h_adaptive, "Average"}, {"AdaptiveAvgPool2d", h_adaptive, "Average"},
	{"AdaptiveAvgPool3d", h_adaptive, "Average"}, {"AdaptiveMaxPool1d", h_adaptive, "Max"},
	{"AdaptiveMaxPool2d", h_adaptive, "Max"}, {"AdaptiveMaxPool3d", h_adaptive, "Max"},
	{"Upsample", h_resize, NULL}, {"Embedding", h_embedding, NULL},
	{"MultiheadAttention", h_mha, NULL},
};

static const fx_map *find_map(const fx_map *m, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (!strcmp(m[i].name, name))
			return &m[i];
	return NULL;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

size_t gr_fx_mapped_count(void);
size_t gr_fx_mapped_count(void)
{
	return COUNT(FUNCS) + COUNT(METHODS) + COUNT(MODULES);
}

/* ==========================================================================================
 * The document
 * ========================================================================================== */

static gr_status read_inputs(fx_ctx *c, const cJSON *inputs)
{
	const cJSON *e;
	size_t k = 0;

	if (!cJSON_IsArray(inputs))
		return fx_error(c, GR_ERR_FORMAT, "key 'inputs' must be an array");
	c->n_inputs = (size_t)cJSON_GetArraySize(inputs);
	if (c->n_inputs > 1024)
		return fx_error(c, GR_ERR_LIMIT, "%zu inputs (at most 1024)", c->n_inputs);
	if (!(c->inputs = gr_arena_calloc(c->a, c->n_inputs + 1, sizeof(fx_val))))
		return oom(c);
	cJSON_ArrayForEach(e, inputs) {
		const char *name = get_str(e, "name");
		const cJSON *shape = cJSON_GetObjectItemCaseSensitive(e, "shape");
		char what[96];
		int64_t dims[GR_MAX_RANK];
		gr_dim d[GR_MAX_RANK];
		int rank;
		gr_dtype dt = dtype_of(get_str(e, "dtype"));
		gr_tensor *t;
		char *cn;

		snprintf(what, sizeof(what), "inputs[%zu]", k);
		if (!name || !*name)
			return fx_error(c, GR_ERR_FORMAT, "%s has no name", what);
		TRY(read_shape(c, shape, what, dims, &rank));
		if (!(cn = clean(c, name)))
			return oom(c);
		if (lookup(c, cn))
			return fx_error(c, GR_ERR_FORMAT, "%s: name '%s' is used twice", what, cn);
		if (!(t = gr_graph_tensor_def(c->g, cn)))
			return oom(c);
		for (int i = 0; i < rank; i++) {
			d[i].value = dims[i];
			d[i].sym = i == 0 ? "batch" : NULL;
		}
		if (gr_tensor_set_shape(c->g, t, dt ? dt : GR_DTYPE_FLOAT, rank, d) ||
		    gr_graph_add_input(c->g, t))
			return oom(c);
		c->inputs[k].kind = V_TENSOR;
		c->inputs[k].t = t;
		c->inputs[k].rank = rank;
		c->inputs[k].shape = shape;
		insert(c, cn, -(long)(k + 1));
		k++;
	}
	return GR_OK;
}

/* get_attr: a parameter or buffer of the recorded shape. */
static gr_status read_get_attr(fx_ctx *c, fx_node *n)
{
	const cJSON *shape = cJSON_GetObjectItemCaseSensitive(n->j, "shape");
	int64_t dims[GR_MAX_RANK];
	int rank;
	gr_tensor *t;

	if (!shape) {
		n->val.kind = V_OTHER; /* not a tensor (a submodule, a constant of another kind) */
		return GR_OK;
	}
	TRY(read_shape(c, shape, n->what, dims, &rank));
	if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(n->j, "param"))) {
		/* a buffer: a produced constant of its shape, never a parameter */
		gr_node *g;
		if (!(t = tmp(c, n->target, "")))
			return oom(c);
		EMIT(g, "ConstantOfShape", n->name, (cst_i64(c, nm(c, n, "/shape"), dims, rank, 0)), (t));
		if (!g->in[0])
			return oom(c);
	} else if (!(t = param(c, n->target, dims, rank, dtype_of(get_str(n->j, "dtype")) ?
			       dtype_of(get_str(n->j, "dtype")) : GR_DTYPE_FLOAT))) {
		return oom(c);
	}
	t->decl_rank = -1;
	n->val.kind = V_TENSOR;
	n->val.t = t;
	n->val.rank = rank;
	n->val.shape = shape;
	return GR_OK;
}

static gr_status map_node(fx_ctx *c, fx_node *n)
{
	const fx_map *m = NULL;
	const char *module = NULL;

	if (!strcmp(n->op, "get_attr"))
		return read_get_attr(c, n);
	if (!strcmp(n->op, "call_function"))
		m = find_map(FUNCS, COUNT(FUNCS), n->target);
	else if (!strcmp(n->op, "call_method"))
		m = find_map(METHODS, COUNT(METHODS), n->target);
	else if (!strcmp(n->op, "call_module")) {
		module = get_str(n->j, "module");
		if (!module)
			return fx_error(c, GR_ERR_FORMAT, "%s: call_module without 'module'", n->what);
		m = find_map(MODULES, COUNT(MODULES), module);
	} else
		return fx_error(c, GR_ERR_FORMAT, "%s: unknown op '%s'", n->what, n->op);
	if (!m)
		return unmapped(c, n, module ? clean(c, module) : n->target);
	return m->fn(c, n, m->type);
}

static gr_status read_outputs(fx_ctx *c, const cJSON *outputs)
{
	fx_node fake;
	fx_val v;
	gr_tensor *ts[256];
	size_t k;

	memset(&fake, 0, sizeof(fake));
	snprintf(fake.what, sizeof(fake.what), "outputs");
	fake.name = "output";
	fake.idx = c->n_nodes;
	if (!cJSON_IsArray(outputs))
		return fx_error(c, GR_ERR_FORMAT, "key 'outputs' must be an array");
	TRY(to_val(c, &fake, outputs, 0, &v));
	k = collect_tensors(&v, ts, 256, 0);
	if (!k)
		return fx_error(c, GR_ERR_FORMAT, "the graph has no tensor outputs");
	for (size_t i = 0; i < k; i++)
		if (!ts[i]->is_output && gr_graph_add_output(c->g, ts[i]))
			return oom(c);
	return GR_OK;
}

static void warn_summary(fx_ctx *c)
{
	char list[512];
	size_t len = 0;

	if (!c->n_unmapped)
		return;
	for (size_t i = 0; i < c->n_unmapped_kinds && len < sizeof(list) - 96; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%.60s x%zu", i ? ", " : "",
					c->unmapped[i].name, c->unmapped[i].count);
	gr_log_warn("'%s': %zu node%s not costed (not mapped onto the op table): %s%s", c->file,
		    c->n_unmapped, c->n_unmapped == 1 ? " is" : "s are", list,
		    c->n_unmapped_kinds == FX_MAX_UNMAPPED ? ", ..." : "");
}

static gr_status load(fx_ctx *c, const cJSON *root)
{
	const cJSON *hdr, *ver, *nodes, *e;
	size_t k = 0;

	if (!cJSON_IsObject(root))
		return fx_error(c, GR_ERR_FORMAT, "not an FX graph (the document is not an object)");
	hdr = cJSON_GetObjectItemCaseSensitive(root, "fx_graph");
	if (!cJSON_IsObject(hdr))
		return fx_error(c, GR_ERR_FORMAT, "not an FX graph (no \"fx_graph\" header object)");
	ver = cJSON_GetObjectItemCaseSensitive(hdr, "version");
	if (!cJSON_IsNumber(ver))
		return fx_error(c, GR_ERR_FORMAT, "fx_graph.version must be a number");
	if (ver->valuedouble != FX_VERSION)
		return fx_error(c, GR_ERR_UNSUPPORTED, "fx_graph.version %g is not supported (%d is)",
				ver->valuedouble, FX_VERSION);
	if (get_str(hdr, "model") && !(c->g->name = clean(c, get_str(hdr, "model"))))
		return oom(c);
	nodes = cJSON_GetObjectItemCaseSensitive(root, "nodes");
	if (!cJSON_IsArray(nodes))
		return fx_error(c, GR_ERR_FORMAT, "key 'nodes' must be an array");
	c->n_nodes = (size_t)cJSON_GetArraySize(nodes);
	if (c->n_nodes > FX_MAX_NODES)
		return fx_error(c, GR_ERR_LIMIT, "%zu nodes (at most %d)", c->n_nodes, FX_MAX_NODES);
	/* name table: inputs + nodes, at most half full */
	for (c->cap = 64; c->cap < 2 * (c->n_nodes + 1025); c->cap *= 2)
		;
	if (!(c->keys = calloc(c->cap, sizeof(*c->keys))) || !(c->idx = calloc(c->cap, sizeof(*c->idx))) ||
	    !(c->nodes = calloc(c->n_nodes + 1, sizeof(*c->nodes))))
		return oom(c);
	TRY(read_inputs(c, cJSON_GetObjectItemCaseSensitive(root, "inputs")));
	/* names first, so that a forward reference is told apart from an unknown one */
	cJSON_ArrayForEach(e, nodes) {
		fx_node *n = &c->nodes[k];
		const char *name = get_str(e, "name"), *op = get_str(e, "op"), *target = get_str(e, "target");
		const cJSON *args = cJSON_GetObjectItemCaseSensitive(e, "args");
		const cJSON *kwargs = cJSON_GetObjectItemCaseSensitive(e, "kwargs");

		snprintf(n->what, sizeof(n->what), "nodes[%zu]", k);
		if (!cJSON_IsObject(e))
			return fx_error(c, GR_ERR_FORMAT, "%s must be an object", n->what);
		if (!name || !*name || !op || !target)
			return fx_error(c, GR_ERR_FORMAT, "%s needs string keys 'name', 'op' and 'target'",
					n->what);
		if (args && !cJSON_IsArray(args))
			return fx_error(c, GR_ERR_FORMAT, "%s: key 'args' must be an array", n->what);
		if (kwargs && !cJSON_IsObject(kwargs))
			return fx_error(c, GR_ERR_FORMAT, "%s: key 'kwargs' must be an object", n->what);
		if (!(n->name = clean(c, name)) || !(n->op = clean(c, op)) || !(n->target = clean(c, target)))
			return oom(c);
		snprintf(n->what, sizeof(n->what), "nodes[%zu] ('%.80s')", k, n->name);
		if (lookup(c, n->name))
			return fx_error(c, GR_ERR_FORMAT, "%s: name is used twice", n->what);
		n->j = e;
		n->idx = k;
		n->args = args;
		n->kwargs = kwargs;
		insert(c, n->name, (long)(k + 1));
		k++;
	}
	for (k = 0; k < c->n_nodes; k++)
		TRY(map_node(c, &c->nodes[k]));
	return read_outputs(c, cJSON_GetObjectItemCaseSensitive(root, "outputs"));
}

gr_status gr_fx_load_mem(const unsigned char *data, size_t size, const char *name, gr_graph **out,
			 gr_error *err)
{
	fx_ctx c;
	cJSON *root = NULL;
	const char *end = NULL;
	gr_status st;

	if (!out)
		return gr_error_set(err, GR_ERR_USAGE, "gr_fx_load_mem: no output pointer");
	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.file = name ? name : "<memory>";
	c.err = err;
	if (!data || !size)
		return fx_error(&c, GR_ERR_FORMAT, "file is empty");
	root = cJSON_ParseWithLengthOpts((const char *)data, size, &end, 0);
	if (!root) {
		size_t off = end && end >= (const char *)data ? (size_t)(end - (const char *)data) : 0;
		return fx_error(&c, GR_ERR_FORMAT, "at byte %zu: %s", off,
				off >= size ? "truncated JSON" : "invalid JSON (or nested too deep)");
	}
	if (!(c.g = gr_graph_new("fx"))) {
		cJSON_Delete(root);
		return oom(&c);
	}
	c.a = gr_graph_arena(c.g);
	c.g->opset = 18;
	st = load(&c, root);
	if (!st && (st = gr_graph_finalize(c.g, err)))
		gr_error_prefix(err, "cannot read '%s'", c.file);
	if (!st) {
		warn_summary(&c);
		*out = c.g;
		c.g = NULL;
	}
	gr_graph_free(c.g);
	free(c.keys);
	free(c.idx);
	free(c.nodes);
	cJSON_Delete(root);
	return st;
}
