/* Private state and helpers of the PyTorch FX frontend, shared by its files:
 *   fx_json.c       the document: header, inputs, nodes, outputs (gr_fx_load_mem)
 *   fx_values.c     JSON arguments as values, values as tensors, node results, placeholders
 *   fx_ops_math.c   elementwise functions, activations, reductions, matrix products
 *   fx_ops_shape.c  shapes, indexing, cat and split
 *   fx_ops_nn.c     pooling, resizing, padding, modules with parameters
 *   fx_ops_table.c  the dispatch tables (targets, methods, module classes -> handlers)
 *
 * The JSON graph is written by tools/export_fx.py; its call_module / call_function /
 * call_method nodes map onto the core's ONNX op table. Only the graph inputs' shapes are
 * taken from the file; every other shape is inferred by the core (the shapes FX recorded are
 * kept as declared shapes, for comparison). Module parameters become initializers of the
 * recorded shapes, so parameter counts come out of the core like for ONNX. Targets the
 * mapping does not know become nodes of an unknown op type named after the target (domain
 * "fx"): reported, never free. */
#ifndef GRAPHS_FX_READ_H
#define GRAPHS_FX_READ_H

#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/graph_impl.h"
#include "frontends/frontend.h"

#define FX_VERSION 1
#define FX_MAX_NODES (1 << 20)
#define FX_MAX_LIST 4096       /* elements of one argument list */
#define FX_MAX_DEPTH 16        /* nesting of argument lists */
#define FX_MAX_DIM ((int64_t)1 << 40)

/* --- values: what an FX node or argument stands for ------------------------------------ */

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
	fe_unmapped unmapped;
} fx_ctx;

/* A handler: maps node n (type: the op type or variant its table entry names). */
typedef gr_status (*fx_fn)(fx_ctx *c, fx_node *n, const char *type);

/* --- errors, names, IR building --------------------------------------------------------- */

/* "cannot read 'FILE': message" */
gr_status fx_error(fx_ctx *c, gr_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline gr_status oom(fx_ctx *c)
{
	return fx_error(c, GR_ERR_NOMEM, "out of memory");
}

/* A printable arena copy of a string from the file (names, targets). */
static inline char *clean(fx_ctx *c, const char *s)
{
	return fe_clean_name(c->a, s, strlen(s));
}

static inline gr_tensor *tmp(fx_ctx *c, const char *base, const char *suffix)
{
	return fe_tmp(c->g, &c->uniq, base, suffix);
}

/* A node name: node n's name plus a suffix, in the arena. */
static inline const char *nm(fx_ctx *c, const fx_node *n, const char *suffix)
{
	return fe_name(c->a, n->name, suffix);
}

/* Constants carry values and are not initializers: never parameters. */
static inline gr_tensor *cst_i64(fx_ctx *c, const char *base, const int64_t *v, int64_t k,
				 int scalar)
{
	return fe_cst_i64(c->g, &c->uniq, base, v, k, scalar);
}

static inline gr_tensor *cst_f(fx_ctx *c, const char *base, double v)
{
	return fe_cst_f64(c->g, &c->uniq, base, v);
}

/* Index + 1 of a node named name (graph inputs: -(k + 1)), 0 when absent (fx_json.c). */
long fx_lookup(const fx_ctx *c, const char *name);

/* --- JSON access and values (fx_values.c) ------------------------------------------------ */

static inline const char *get_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static inline int n_args(const fx_node *n)
{
	return cJSON_GetArraySize(n->args);
}

/* The dtype a torch dtype name stands for; GR_DTYPE_UNDEFINED when unknown or NULL. */
gr_dtype fx_dtype_of(const char *s);
/* An initializer (a parameter or buffer) of the given shape, shared by name. */
gr_tensor *fx_param(fx_ctx *c, const char *name, const int64_t *dims, int rank, gr_dtype dt);
/* Reads a shape array ([ints], each 0..2^40, at most GR_MAX_RANK). */
gr_status fx_read_shape(fx_ctx *c, const cJSON *a, const char *what, int64_t *dims, int *rank);
/* Converts a JSON argument into a value (node references resolved). */
gr_status fx_to_val(fx_ctx *c, const fx_node *n, const cJSON *j, int depth, fx_val *v);
/* Argument at position pos or keyword key (NULL key: positional only). *v is V_NONE and
 * *present 0 when absent. */
gr_status fx_arg(fx_ctx *c, const fx_node *n, int pos, const char *key, fx_val *v, int *present);
/* The first tensor argument (positional 0 or the usual keywords); *rank as recorded. */
gr_status fx_input0(fx_ctx *c, fx_node *n, gr_tensor **t, int *rank);
/* A tensor for value v: tensors as they are, numbers as scalar constants; NULL otherwise. */
gr_tensor *fx_tensor_of(fx_ctx *c, const fx_node *n, const fx_val *v);
/* A 1-D int64 tensor from a shape-like value (numbers, scalar tensors, a size vector);
 * fill_neg1: what -1 entries become (-1 keeps them). NULL when not shape-like. */
gr_tensor *fx_shape_tensor(fx_ctx *c, const fx_node *n, const fx_val *items, size_t k,
			   int64_t fill_neg1);
/* Integer list from a value (an int or a list of ints); returns the count, -1 if not. */
int fx_ints_of(const fx_val *v, int64_t *out, int max);
/* A JSON number as int64, clamped (no undefined conversions of huge or NaN values). */
int64_t fx_to_i64(double v);
/* An int or list attribute expanded to k entries (PyTorch's _pair/_triple); 0 if malformed. */
int fx_spread(const cJSON *attrs, const char *key, int k, int64_t dflt, int64_t *out);
double fx_num_attr(const cJSON *attrs, const char *key, double dflt);
int64_t fx_num_attr_i(const cJSON *attrs, const char *key, int64_t dflt);
/* Normalizes a (possibly negative) dim against rank; -1 when it cannot. */
int64_t fx_norm_dim(int64_t d, int rank);

/* The output tensor of a tensor-valued node, with the FX-recorded shape as declared shape. */
gr_tensor *fx_result(fx_ctx *c, fx_node *n);
/* The k_out outputs of a node with several ("outputs": [...]). */
gr_status fx_results(fx_ctx *c, fx_node *n, size_t k_out, gr_tensor **outs);
/* Collects the tensors among a value's items into out[k..max); returns the new count. */
size_t fx_collect_tensors(const fx_val *v, gr_tensor **out, size_t max, size_t k);
/* A node the mapping does not know: an unknown op named type, fed by its tensor arguments. */
gr_status fx_placeholder(fx_ctx *c, fx_node *n, const char *type);

/* --- handlers (fx_ops_*.c) --------------------------------------------------------------- */

/* Clip with bounds lo/hi (numbers or tensors; NULL: none). */
gr_status fx_clip(fx_ctx *c, fx_node *n, gr_tensor *x, const fx_val *lo, const fx_val *hi);

/* fx_ops_math.c */
gr_status fx_map_unary(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_identity(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_none(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_binary(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_clamp(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_relu6(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_silu(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_hardsigmoid(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_gelu(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_softmax(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_leaky_relu(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_reduce(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_matmul(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_masked_fill(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_where(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_cast(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_linear_fn(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_layer_norm_fn(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_einsum(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_stochastic_depth(fx_ctx *c, fx_node *n, const char *type);

/* fx_ops_shape.c */
gr_status fx_map_reshape(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_expand(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_permute(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_transpose(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_flatten(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_unsqueeze(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_size(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_getattr(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_dim(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_getitem(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_cat(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_split(fx_ctx *c, fx_node *n, const char *type);

/* fx_ops_nn.c */
gr_status fx_map_pool(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_adaptive(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_resize(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_pad(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_conv(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_linear(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_batchnorm(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_norm(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_prelu(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_embedding(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_module_act(fx_ctx *c, fx_node *n, const char *type);
gr_status fx_map_mha(fx_ctx *c, fx_node *n, const char *type);

/* Maps a call_function, call_method or call_module node through the tables. */
gr_status fx_map_node(fx_ctx *c, fx_node *n);

#endif
