/* The graph IR shared by every frontend: tensors with (possibly symbolic) shapes,
 * nodes with attributes, and graphs that own all of it in one arena. */
#ifndef GRAPHS_GRAPH_H
#define GRAPHS_GRAPH_H

#include "graphs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_graph gr_graph;
typedef struct gr_node gr_node;
typedef struct gr_tensor gr_tensor;

/* Element types; values follow ONNX TensorProto.DataType so the ONNX reader maps 1:1. */
typedef enum gr_dtype {
	GR_DTYPE_UNDEFINED = 0,
	GR_DTYPE_FLOAT = 1,
	GR_DTYPE_UINT8 = 2,
	GR_DTYPE_INT8 = 3,
	GR_DTYPE_UINT16 = 4,
	GR_DTYPE_INT16 = 5,
	GR_DTYPE_INT32 = 6,
	GR_DTYPE_INT64 = 7,
	GR_DTYPE_STRING = 8,
	GR_DTYPE_BOOL = 9,
	GR_DTYPE_FLOAT16 = 10,
	GR_DTYPE_DOUBLE = 11,
	GR_DTYPE_UINT32 = 12,
	GR_DTYPE_UINT64 = 13,
	GR_DTYPE_COMPLEX64 = 14,
	GR_DTYPE_COMPLEX128 = 15,
	GR_DTYPE_BFLOAT16 = 16,
	GR_DTYPE_FLOAT8E4M3FN = 17,
	GR_DTYPE_FLOAT8E4M3FNUZ = 18,
	GR_DTYPE_FLOAT8E5M2 = 19,
	GR_DTYPE_FLOAT8E5M2FNUZ = 20,
	GR_DTYPE_UINT4 = 21,
	GR_DTYPE_INT4 = 22,
	GR_DTYPE_COUNT
} gr_dtype;

/* "float32", ...: a static string. */
const char *gr_dtype_name(gr_dtype t);
/* Size of one element in bits (4 for int4, 0 for undefined/string). */
int gr_dtype_bits(gr_dtype t);
int gr_dtype_is_float(gr_dtype t);

#define GR_MAX_RANK 16

/* One dimension: value >= 0 when known; -1 when unknown. sym names a symbolic
 * dimension ("batch") and may be set while value is still -1. */
typedef struct gr_dim {
	int64_t value;
	const char *sym;
} gr_dim;

/* Cost of one node. Conventions: FLOPs = 2 x MACs for conv/gemm/matmul; elementwise ops
 * count their per-element flops per output element; bytes = inputs + weights read and
 * outputs written at the node's precision. Doubles: no overflow on absurd models. */
typedef struct gr_cost {
	double flops;
	double macs;          /* multiply-accumulates (conv, gemm, matmul, attention) */
	double bytes_read;    /* activations + weights read */
	double bytes_written;
	int64_t params;       /* trainable parameters the node owns (initializers it reads) */
	int known;            /* 1 when the op's cost function ran on known shapes */
} gr_cost;

/* --- Graph ----------------------------------------------------------------- */
/* Ownership: a graph comes from gr_model_load* and is the caller's (gr_graph_free). Every
 * node, tensor, cost and string the functions below return is borrowed from the graph and
 * lives until gr_graph_free. */

/* Frees the graph, its arena and every tensor/node/string in it. Accepts NULL. */
void gr_graph_free(gr_graph *g);

const char *gr_graph_name(const gr_graph *g);
/* Producer format ("onnx", "tflite", "fx") and the opset of the default domain. */
const char *gr_graph_format(const gr_graph *g);
int gr_graph_opset(const gr_graph *g);

size_t gr_graph_node_count(const gr_graph *g);
/* Nodes in topological order (valid after gr_graph_finalize). Borrowed. */
gr_node *gr_graph_node(const gr_graph *g, size_t i);
size_t gr_graph_input_count(const gr_graph *g);   /* real inputs, not initializers */
gr_tensor *gr_graph_input(const gr_graph *g, size_t i);
size_t gr_graph_output_count(const gr_graph *g);
gr_tensor *gr_graph_output(const gr_graph *g, size_t i);
/* Looks a tensor up by name (also in enclosing graphs). Borrowed; NULL if absent. */
gr_tensor *gr_graph_tensor(const gr_graph *g, const char *name);

/* --- Tensor ---------------------------------------------------------------- */

const char *gr_tensor_name(const gr_tensor *t);
gr_dtype gr_tensor_dtype(const gr_tensor *t);
/* Rank, or -1 when unknown. */
int gr_tensor_rank(const gr_tensor *t);
gr_dim gr_tensor_dim(const gr_tensor *t, int i);
/* 1 when rank and every dim are known. */
int gr_tensor_shape_known(const gr_tensor *t);
/* Element count, or -1 when not known or overflowing. */
int64_t gr_tensor_numel(const gr_tensor *t);
int gr_tensor_is_initializer(const gr_tensor *t);
/* Writes "1x3x224x224" ("?" for unknown dims, the symbol for symbolic ones). */
void gr_tensor_shape_str(const gr_tensor *t, char *buf, size_t size);

/* --- Node ------------------------------------------------------------------ */

const char *gr_node_name(const gr_node *n);
const char *gr_node_op_type(const gr_node *n);  /* as written in the file, e.g. "Conv" */
const char *gr_node_domain(const gr_node *n);
size_t gr_node_input_count(const gr_node *n);
gr_tensor *gr_node_input(const gr_node *n, size_t i);  /* NULL for an omitted optional input */
size_t gr_node_output_count(const gr_node *n);
gr_tensor *gr_node_output(const gr_node *n, size_t i);
/* 1 when the op type is in the op table. */
int gr_node_op_known(const gr_node *n);
/* 1 when every output shape was inferred. */
int gr_node_shape_known(const gr_node *n);
/* The node's cost (valid after gr_graph_infer). Borrowed. */
const gr_cost *gr_node_cost(const gr_node *n);
/* A note left by inference ("If: took the larger branch"), or NULL. */
const char *gr_node_note(const gr_node *n);

/* --- Op table ---------------------------------------------------------------- */

/* Number of supported ONNX op types and the i-th one's name (static string). */
size_t gr_ops_count(void);
const char *gr_ops_name(size_t i);

/* --- Analysis -------------------------------------------------------------- */

/* Binds a symbolic dimension (e.g. "batch" = 8) on every graph input that carries it.
 * When sym is "batch", the leading free dim of every input is bound too, with its own
 * symbol wherever else that appears. Values must be positive. Call before gr_graph_infer. */
gr_status gr_graph_bind_dim(gr_graph *g, const char *sym, int64_t value, gr_error *err);
/* Parses dims written as "1x3x224x224" (',' separates too): digits only, each dim 1 to
 * max_dim, at most max_rank of them. Returns the rank, or 0 when text is empty or malformed
 * ("3x", "x3", "3xx3", "+3", "0"). The one parser of shapes given as text (--input-shape, the
 * zoo's and measurement files' input shapes). */
int gr_dims_parse(const char *text, int64_t *dims, int max_rank, int64_t max_dim);
/* Sets the shape of graph input `name` (e.g. from --input-shape NAME=1x3x224x224): the rank
 * must match the file's (when known) and every dim be positive. A dim that is symbolic in the
 * file binds its symbol on every input, as gr_graph_bind_dim does. */
gr_status gr_graph_set_input_shape(gr_graph *g, const char *name, const int64_t *dims,
				   int rank, gr_error *err);

/* Runs shape inference, constant folding of shape subgraphs and the cost model over
 * the graph in topological order. Unknown ops get unknown shapes and cost->known = 0,
 * never a silent zero. Fails only on inconsistent or absurd input. */
gr_status gr_graph_infer(gr_graph *g, gr_error *err);

typedef struct gr_graph_totals {
	double flops, macs, bytes_read, bytes_written;
	int64_t params;           /* floating-point trainable parameters */
	size_t nodes, nodes_known; /* nodes with known op, shapes and cost */
	size_t unknown_ops;       /* nodes whose op type is not in the op table */
} gr_graph_totals;

void gr_graph_totals_compute(const gr_graph *g, gr_graph_totals *out);

/* The parameters gr_graph_infer counted, by the dtype they are stored in: counts[dtype]
 * (e.g. counts[GR_DTYPE_INT8] for a quantized model's weights); subgraphs included. All
 * zero before inference. */
void gr_graph_param_dtypes(const gr_graph *g, int64_t counts[GR_DTYPE_COUNT]);

#ifdef __cplusplus
}
#endif
#endif
