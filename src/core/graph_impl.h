/* Private layout of the graph IR, the builder used by frontends, and the helpers
 * op implementations (src/core/ops/) use for shape inference and cost. */
#ifndef GRAPHS_GRAPH_IMPL_H
#define GRAPHS_GRAPH_IMPL_H

#include "graphs/arena.h"
#include "graphs/graph.h"

/* Attribute types follow ONNX AttributeProto.AttributeType. */
typedef enum gr_attr_type {
	GR_ATTR_UNDEFINED = 0,
	GR_ATTR_FLOAT = 1,
	GR_ATTR_INT = 2,
	GR_ATTR_STRING = 3,
	GR_ATTR_TENSOR = 4,
	GR_ATTR_GRAPH = 5,
	GR_ATTR_FLOATS = 6,
	GR_ATTR_INTS = 7,
	GR_ATTR_STRINGS = 8,
	GR_ATTR_TENSORS = 9,
	GR_ATTR_GRAPHS = 10,
	GR_ATTR_SPARSE_TENSOR = 11,
	GR_ATTR_SPARSE_TENSORS = 12,
	GR_ATTR_TYPE_PROTO = 13,
	GR_ATTR_TYPE_PROTOS = 14
} gr_attr_type;

typedef struct gr_attr {
	const char *name;
	gr_attr_type type;
	/* s's length, excluding the NUL (UINT32_MAX for 4 GiB or more): 32 bits in type's padding
	 * keep an attribute 8 bytes smaller (a big graph has thousands) */
	uint32_t s_len;
	int64_t i;
	double f;
	const char *s;        /* NUL-terminated */
	size_t n;             /* element count of ints/floats/strings/graphs */
	int64_t *ints;
	double *floats;
	const char **strings;
	gr_tensor *t;         /* TENSOR: a constant (values set when small) */
	gr_graph *g;          /* GRAPH */
	gr_graph **graphs;    /* GRAPHS */
} gr_attr;

/* Op ids from the op table (src/core/ops/ops.def). */
typedef enum gr_op {
	GR_OP_UNKNOWN = 0,
#define OP(id, name, shape, cost, flops_per_elem, nonparam_mask) GR_OP_##id,
#include "ops/ops.def"
#undef OP
	GR_OP_COUNT
} gr_op;

struct gr_tensor {
	const char *name;
	gr_dtype dtype;
	int rank;              /* -1 when unknown */
	gr_dim *dims;          /* rank entries, arena-owned */
	gr_node *producer;     /* NULL for inputs, initializers, constants from attributes */
	gr_graph *owner;
	unsigned is_initializer : 1;
	unsigned is_input : 1;
	unsigned is_output : 1;
	unsigned param_counted : 1; /* counted once even when shared by several nodes */
	/* Known values (constants and folded shape arithmetic). has_value with nval
	 * elements; integer tensors fill ival, floating ones fval (never both needed). */
	unsigned has_value : 1;
	uint32_t n_consumers;  /* nodes of the owner graph reading it; set by finalize */
	gr_node **consumers;   /* those nodes (a node reading it twice appears once) */
	int64_t nval;
	int64_t *ival;
	double *fval;
	/* Shape the file declared (graph inputs/outputs, value_info), kept for reference only. */
	int decl_rank;
	uint32_t name_len;     /* strlen(name) (the padding before decl_dims held nothing) */
	gr_dim *decl_dims;
};

/* What few nodes have (a note, a control-flow node's implicit inputs), kept out of gr_node:
 * a big graph's nodes were 24 bytes bigger each for them, memory the kernel clears. */
typedef struct gr_node_extra {
	const char *note;      /* set by inference to explain an approximation */
	gr_tensor **implicit_in; /* outer tensors its subgraphs read (ordering only) */
	size_t n_implicit, cap_implicit;
} gr_node_extra;

struct gr_node {
	const char *name;
	const char *op_type;
	const char *domain;    /* "" for the default ONNX domain */
	gr_op op;
	uint32_t n_in, n_out, n_attr; /* bounded by gr_graph_add_node; 32 bits keep a node small */
	gr_tensor **in;        /* NULL entries for omitted optional inputs */
	gr_tensor **out;
	gr_attr *attrs;
	gr_graph *owner;
	gr_cost cost;
	unsigned shape_known : 1;
	unsigned visited : 2;  /* topological sort */
	unsigned folded : 1;   /* computed once at load (src/core/constfold.c) */
	int32_t index;         /* position in the owner's topological order */
	gr_node_extra *extra;  /* NULL until one is needed (gr_node_extra_of) */
};

/* n's extra record, made (zeroed, in the graph's arena) when it has none; NULL when out of
 * memory. */
gr_node_extra *gr_node_extra_of(gr_node *n);

typedef struct gr_name_slot {
	uint64_t hash;
	gr_tensor *t;          /* NULL: empty */
} gr_name_slot;

struct gr_graph {
	gr_arena *arena;       /* owned by the root graph only */
	gr_graph *parent;      /* enclosing graph for If/Loop/Scan bodies */
	const char *name;
	const char *format;
	int opset;
	gr_node **nodes;       /* topological order after finalize */
	size_t n_nodes, cap_nodes;
	gr_tensor **inputs, **outputs, **initializers;
	size_t n_inputs, n_outputs, n_inits, cap_inputs, cap_outputs, cap_inits;
	/* name -> tensor, open addressing */
	gr_name_slot *table;
	size_t table_cap, table_used;
	/* the tensors last added to the table: a node mostly reads what the nodes just before
	 * it wrote (7 reads in 10 of a big graph's hit the last eight), found here without
	 * hashing the name nor probing the table */
	gr_tensor *recent[8];
	unsigned n_recent;
	int finalized;
	int finalize_tried;    /* an attempt began (consumer counts may be partial) */
	/* nodes gr_graph_link_node linked as they came, the first n_linked of nodes; link_failed
	 * when one could not be (finalize then starts over) */
	size_t n_linked;
	int link_failed;
	int inferred;
	/* Zero lets whole-graph passes skip the attribute lists of nodes: subgraphs made with
	 * this graph as parent, and Constant nodes whose value inference counted as parameters. */
	size_t n_subgraphs, n_const_params;
	/* gr_graph_totals_compute's sums, added up by the last inference as each node came (no
	 * walk over every node again for them); totals_known when that inference completed */
	gr_graph_totals totals;
	int totals_known;
};

/* --- Builder (frontends) ---------------------------------------------------- */

/* A new empty root graph with its own arena. Free with gr_graph_free(). */
gr_graph *gr_graph_new(const char *format);
/* A subgraph (If/Loop/Scan body) sharing the parent's arena; freed with the parent. */
gr_graph *gr_graph_new_sub(gr_graph *parent);
gr_arena *gr_graph_arena(gr_graph *g);
/* Finds `name` in g or an enclosing graph; creates it in g when absent. NULL on OOM. */
gr_tensor *gr_graph_tensor_ref(gr_graph *g, const char *name);
/* Sizes g's name table for n names, so that a frontend that knows how many tensors a graph
 * has spares the table its doublings. 0 when out of memory. */
int gr_graph_reserve_names(gr_graph *g, size_t n);
/* Sizes g's node list for n nodes (the doublings a big graph's list took were as big as
 * the list, left in the arena). 0 when out of memory. */
int gr_graph_reserve_nodes(gr_graph *g, size_t n);
/* Creates `name` in g when neither g nor an enclosing graph has it; NULL when one has (or
 * out of memory). */
gr_tensor *gr_graph_tensor_new(gr_graph *g, const char *name);
/* A tensor of g named `name` (copied) that no name lookup finds: an attribute's value,
 * which no node reads by name (its name, "<node>:<attr>", is for messages), so it does not
 * grow the name table nor take a name a node output may use. NULL on OOM. */
gr_tensor *gr_graph_tensor_unlisted(gr_graph *g, const char *name);
/* Finds or creates `name` in g itself (definitions: outputs, inputs, initializers). */
gr_tensor *gr_graph_tensor_def(gr_graph *g, const char *name);
/* gr_graph_tensor_ref and _def for a name given as n bytes (up to a NUL among them), read
 * in place from a file: no copy to terminate it first. */
gr_tensor *gr_graph_tensor_ref_n(gr_graph *g, const char *name, size_t n);
gr_tensor *gr_graph_tensor_def_n(gr_graph *g, const char *name, size_t n);
/* gr_graph_tensor_def_n and _ref_n in steps, so that a frontend can look a name up while it
 * reads on (a cache miss per name of a big graph): gr_graph_name_prefetch sets *n to the
 * name's length (up to a NUL), returns its hash and fetches its slot of g's table; _def_h
 * and _ref_h take them. _ref_n is _recent (g's tensors last defined: most names a node
 * reads), then _ref_h. */
uint64_t gr_graph_name_prefetch(const gr_graph *g, const char *name, size_t *n);
gr_tensor *gr_graph_tensor_def_h(gr_graph *g, const char *name, size_t n, uint64_t h);
gr_tensor *gr_graph_tensor_recent(const gr_graph *g, const char *name, size_t n);
gr_tensor *gr_graph_tensor_ref_h(gr_graph *g, const char *name, size_t n, uint64_t h);
/* A node with room for n_in inputs, n_out outputs and n_attr attributes; arena-owned. */
gr_node *gr_graph_add_node(gr_graph *g, const char *op_type, const char *domain,
			   const char *name, size_t n_in, size_t n_out, size_t n_attr);
/* gr_graph_add_node, wired: the node reads in[0..n_in) (NULL entries = omitted inputs) and
 * writes out[0..n_out). NULL when name or an output is NULL, or out of memory. */
gr_node *gr_graph_add_node_io(gr_graph *g, const char *op_type, const char *domain,
			      const char *name, gr_tensor *const *in, size_t n_in,
			      gr_tensor *const *out, size_t n_out, size_t n_attr);
/* Attribute setters for frontends that synthesize nodes: each fills the node's first unnamed
 * attribute slot (of the n_attr given to gr_graph_add_node). name must outlive the graph
 * (a literal); str and ints are copied into the arena. Return 0 when no slot is left or
 * out of memory. */
int gr_node_set_int(gr_node *n, const char *name, int64_t v);
int gr_node_set_float(gr_node *n, const char *name, double v);
int gr_node_set_str(gr_node *n, const char *name, const char *v);
int gr_node_set_ints(gr_node *n, const char *name, const int64_t *v, size_t k);
gr_status gr_graph_add_input(gr_graph *g, gr_tensor *t);
gr_status gr_graph_add_output(gr_graph *g, gr_tensor *t);
gr_status gr_graph_add_initializer(gr_graph *g, gr_tensor *t);
/* Sets dtype and shape (dims copied into the arena); rank -1 means unknown. */
gr_status gr_tensor_set_shape(gr_graph *g, gr_tensor *t, gr_dtype dtype, int rank,
			      const gr_dim *dims);
/* Attaches known values (copied) to a tensor. */
gr_status gr_tensor_set_i64(gr_graph *g, gr_tensor *t, const int64_t *v, int64_t n);
gr_status gr_tensor_set_f64(gr_graph *g, gr_tensor *t, const double *v, int64_t n);
/* Attaches another tensor's known values (n <= GR_FOLD_MAX) without copying them: values
 * are never written once set, and constants and folded shapes pass theirs on unchanged. */
void gr_tensor_share_i64(gr_tensor *t, const int64_t *v, int64_t n);
void gr_tensor_share_f64(gr_tensor *t, const double *v, int64_t n);
/* An array of n values for t to fill (its known values from then on); NULL when out of
 * memory or beyond GR_FOLD_MAX. Spares a copy from a buffer of the caller's. */
int64_t *gr_tensor_new_i64(gr_graph *g, gr_tensor *t, int64_t n);
double *gr_tensor_new_f64(gr_graph *g, gr_tensor *t, int64_t n);
/* Checks references (missing inputs, duplicate producers), sorts nodes topologically
 * and reports cycles. Recurses into subgraphs. */
gr_status gr_graph_finalize(gr_graph *g, gr_error *err);
/* What finalize does for node n in a graph whose nodes come in topological order, done as
 * n, the node just added, is read (its tensors still in cache): its producers and consumers
 * set and its position numbered. Never an error: what finalize would report or stop at
 * leaves the graph to finalize's general path, which reports it in its own order. A graph
 * whose every node was linked so is finalized without a walk over its nodes. */
void gr_graph_link_node(gr_graph *g, gr_node *n);

/* --- Queries on the stored graph (graph.c) ------------------------------------- */

/* Op id for an ONNX op type in the default domain ("" or "ai.onnx"), GR_OP_UNKNOWN if none
 * (op_names.c: the names of ops.def, nothing of the op implementations). */
gr_op gr_op_lookup(const char *op_type, const char *domain);
/* The op table's name of a known op (a static string); NULL for GR_OP_UNKNOWN. */
const char *gr_op_name(gr_op op);

/* Input i or NULL (absent or omitted). */
static inline gr_tensor *gr_in(const gr_node *n, size_t i) { return i < n->n_in ? n->in[i] : NULL; }
static inline gr_tensor *gr_out(const gr_node *n, size_t i) { return i < n->n_out ? n->out[i] : NULL; }
/* 1 when t has a known rank and all dims known. */
int gr_shape_known(const gr_tensor *t);
/* Number of elements, or -1 if unknown/overflowing (gr_dims_numel of its dims). */
int64_t gr_numel(const gr_tensor *t);
/* The one overflow-checked product of dims in the core. A shape overflows when the product
 * of its nonzero known dims exceeds int64: then no partial product of a shape that does not
 * overflow can either, and an empty tensor with absurd dims still counts as absurd.
 * gr_dims_numel: the element count of d[0..n), or -1 when a dim is unknown or it overflows. */
int64_t gr_dims_numel(const gr_dim *d, int n);
/* The same over plain values (kernel_shape, ...); a negative value counts as unknown. */
int64_t gr_ints_numel(const int64_t *v, int n);
/* 1 when the known dims d[0..n) overflow in the sense above. */
int gr_dims_overflow(const gr_dim *d, int n);
/* Bytes of t at its dtype (numel * bits / 8, rounded up); 0 when unknown. */
double gr_tensor_bytes(const gr_tensor *t);
/* gr_tensor_shape_str, returning the length of what it wrote (a table of a big graph has one
 * shape a node, measured again otherwise). */
size_t gr_tensor_shape_str_len(const gr_tensor *t, char *buf, size_t size);

/* Attribute lookups with defaults. */
const gr_attr *gr_attr_find(const gr_node *n, const char *name);
int64_t gr_attr_int(const gr_node *n, const char *name, int64_t dflt);
double gr_attr_float(const gr_node *n, const char *name, double dflt);
const char *gr_attr_str(const gr_node *n, const char *name, const char *dflt);
/* INTS attribute: returns its array and sets *count, or NULL with *count = 0. */
const int64_t *gr_attr_ints(const gr_node *n, const char *name, size_t *count);
const double *gr_attr_floats(const gr_node *n, const char *name, size_t *count);
/* Opset of the default domain for n, looking through enclosing graphs; 18 when unset. */
int gr_node_opset(const gr_node *n);

static inline gr_dim gr_dim_known(int64_t v) { return (gr_dim){v, NULL}; }
static inline gr_dim gr_dim_unknown(void) { return (gr_dim){-1, NULL}; }

/* Folding limit: ops fold values only for tensors up to this many elements. */
#define GR_FOLD_MAX 4096

/* --- Inference (infer.c) and the op table (ops/) -------------------------------- */

typedef struct gr_infer {
	gr_graph *g;
	gr_error *err;
	int depth;             /* subgraph nesting, bounded */
} gr_infer;

/* Inference of one node: the core zeroes n->cost, calls shape(), then, when every output
 * shape is known, sets cost.known = 1 and calls cost() on &n->cost. Cost functions set
 * flops/macs/bytes; control-flow ops may already have accumulated their bodies' cost into
 * n->cost during shape() and their cost() must add to it, not overwrite it. Parameters are
 * added by the core afterwards (initializer inputs not in nonparam_mask, each counted once). */
typedef gr_status (*gr_shape_fn)(gr_infer *ctx, gr_node *n);
typedef void (*gr_cost_fn)(const gr_node *n, gr_cost *c);

typedef struct gr_op_info {
	const char *name;
	gr_shape_fn shape;
	gr_cost_fn cost;
	double flops_per_elem;   /* for elementwise-style ops: FLOPs per output element */
	uint32_t nonparam_mask;  /* bit i set: input i is state, not a parameter (BN mean/var) */
} gr_op_info;

extern const gr_op_info gr_op_table[GR_OP_COUNT];


/* Sets output t's dtype and shape from plain int64 dims (all known). */
gr_status gr_set_shape(gr_infer *ctx, gr_tensor *t, gr_dtype dtype, int rank, const int64_t *dims);
/* Sets output t's dtype and shape from gr_dim (symbolic/unknown dims allowed). */
gr_status gr_set_dims(gr_infer *ctx, gr_tensor *t, gr_dtype dtype, int rank, const gr_dim *dims);
/* For shape functions: 1 when nothing more can be inferred, because there is no output y
 * or x's rank is unknown (then y gets only dtype). */
static inline int gr_nothing_to_infer(const gr_tensor *x, gr_tensor *y, gr_dtype dtype)
{
	if (!y)
		return 1;
	if (x->rank < 0) {
		y->dtype = dtype;
		return 1;
	}
	return 0;
}
/* ceil(a / b) for a >= 0, b >= 1, without the overflow of (a + b - 1) / b. */
static inline int64_t gr_ceil_div_i64(int64_t a, int64_t b)
{
	return a / b + (a % b != 0);
}
/* Output t gets dtype and an unknown rank. */
gr_status gr_set_unknown(gr_infer *ctx, gr_tensor *t, gr_dtype dtype);
/* Output t gets dtype and rank r with every dim unknown (an unknown rank when r is out of
 * range). */
gr_status gr_set_rank_only(gr_infer *ctx, gr_tensor *t, gr_dtype dtype, int64_t r);
/* Output gets the same shape as src (and dtype, unless dtype != UNDEFINED). */
gr_status gr_copy_shape(gr_infer *ctx, gr_tensor *dst, const gr_tensor *src, gr_dtype dtype);
/* Numpy-style multidirectional broadcast of the node's inputs [first, last] into out dims.
 * Returns GR_ERR_SHAPE (with message) when incompatible. */
gr_status gr_broadcast(gr_infer *ctx, const gr_node *n, size_t first, size_t last,
		       int *rank, gr_dim *dims);
/* Normalizes a possibly negative axis against rank; -1 (and an error) when out of range. */
int gr_axis(gr_infer *ctx, const gr_node *n, int64_t axis, int rank);
/* Known integer values of t (converting float values), or NULL. */
const int64_t *gr_values_i64(gr_infer *ctx, const gr_tensor *t, int64_t *count);
/* Known float values of t (converting integer values), or NULL. */
const double *gr_values_f64(gr_infer *ctx, const gr_tensor *t, int64_t *count);
/* Product of dims [a, b) of t (all known) for node n into *out; when it is unknown or
 * overflows, a shape error naming the node, its op and the tensor. */
gr_status gr_dims_prod(gr_infer *ctx, const gr_node *n, const gr_tensor *t, int a, int b,
		       int64_t *out);
/* An INTS attribute of exactly `want` entries into out (`dflt` each when absent); a shape
 * error when present with another length (strides, dilations, pads). */
gr_status gr_attr_ints_n(gr_infer *ctx, const gr_node *n, const char *name, int want,
			 int64_t dflt, int64_t *out);
/* Shape error on node n: "node 'NAME' (OP): message". */
gr_status gr_node_error(gr_infer *ctx, const gr_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Leaves a short note on the node (shown by profile). fmt is copied. */
void gr_node_set_note(gr_infer *ctx, gr_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Runs inference on a subgraph (If/Loop/Scan bodies) whose inputs are already shaped.
 * Returns the summed cost of its nodes in *total (params included). */
gr_status gr_infer_subgraph(gr_infer *ctx, gr_graph *sub, gr_cost *total);
/* The branch an inferred If node is costed as (src/core/ops/control.c); NULL without both. */
const gr_graph *gr_if_costed_branch(const gr_node *n);

/* Standard cost helpers for op files. */
/* dst += src (flops, macs, bytes and params; not `known`). */
static inline void gr_cost_add(gr_cost *dst, const gr_cost *src)
{
	dst->flops += src->flops;
	dst->macs += src->macs;
	dst->bytes_read += src->bytes_read;
	dst->bytes_written += src->bytes_written;
	dst->params += src->params;
}
/* bytes_read = all inputs, bytes_written = all outputs; flops = per_elem * numel(out0). */
void gr_cost_elementwise(const gr_node *n, gr_cost *c, double per_elem);
/* Fills only bytes_read/bytes_written from the node's tensors. */
void gr_cost_io_bytes(const gr_node *n, gr_cost *c);
/* bytes as gr_cost_io_bytes, flops = per x elements of t; the cost is unknown (known = 0)
 * when t's element count is (an omitted output, say). */
void gr_cost_per_elem_of(const gr_node *n, gr_cost *c, const gr_tensor *t, double per);

/* Marks n folded or not during inference (core/constfold.c); its inputs' producers must be
 * marked already (topological order). */
void gr_node_mark_folded(gr_node *n);

#endif
