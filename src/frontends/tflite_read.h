/* Private state and helpers of the TFLite frontend, shared by its files:
 *   tflite_flatbuf.c    verified FlatBuffers access
 *   tflite_model.c      the model: buffers, tensors, operators, subgraph (gr_tflite_load_mem)
 *   tflite_build.c      IR building: layout views, weights, operands, options, activations
 *   tflite_ops_nn.c     elementwise, convolution, pooling, matrix products, quantization
 *   tflite_ops_shape.c  shapes and data movement
 *   tflite_ops_table.c  the builtin operator table: names, dispatch, placeholders
 *
 * Layout: TFLite is channels-last (NHWC activations, OHWI weights) while the core's Conv,
 * pooling and depth/space ops are channels-first. Those ops read and write "layout views":
 * Shape -> Gather(perm) -> Reshape chains named "tflite_layout/...", which relabel the dims
 * at zero cost in the cost model (Reshape and folded shape arithmetic are free). That is
 * the honest figure: a TFLite runtime runs these ops in NHWC natively, so no transpose
 * exists at run time. Constant weights are relabeled directly (a permuted initializer). */
#ifndef GRAPHS_TFLITE_READ_H
#define GRAPHS_TFLITE_READ_H

#include <stdint.h>

#include "core/graph_impl.h"
#include "frontends/frontend.h"
#include "frontends/tflite_flatbuf.h"
#include "frontends/tflite_impl.h"

/* --- the schema: builtin operators (BuiltinOperator enum, schema.fbs) ------------------ */

enum tfl_builtin {
	B_ADD = 0, B_AVERAGE_POOL_2D = 1, B_CONCATENATION = 2, B_CONV_2D = 3, B_DEPTHWISE_CONV_2D = 4,
	B_DEPTH_TO_SPACE = 5, B_DEQUANTIZE = 6, B_EMBEDDING_LOOKUP = 7, B_FLOOR = 8,
	B_FULLY_CONNECTED = 9, B_HASHTABLE_LOOKUP = 10, B_L2_NORMALIZATION = 11, B_L2_POOL_2D = 12,
	B_LOCAL_RESPONSE_NORMALIZATION = 13, B_LOGISTIC = 14, B_LSH_PROJECTION = 15, B_LSTM = 16,
	B_MAX_POOL_2D = 17, B_MUL = 18, B_RELU = 19, B_RELU_N1_TO_1 = 20, B_RELU6 = 21,
	B_RESHAPE = 22, B_RESIZE_BILINEAR = 23, B_RNN = 24, B_SOFTMAX = 25, B_SPACE_TO_DEPTH = 26,
	B_SVDF = 27, B_TANH = 28, B_CONCAT_EMBEDDINGS = 29, B_SKIP_GRAM = 30, B_CALL = 31,
	B_CUSTOM = 32, B_EMBEDDING_LOOKUP_SPARSE = 33, B_PAD = 34, B_UNIDIRECTIONAL_SEQUENCE_RNN = 35,
	B_GATHER = 36, B_BATCH_TO_SPACE_ND = 37, B_SPACE_TO_BATCH_ND = 38, B_TRANSPOSE = 39,
	B_MEAN = 40, B_SUB = 41, B_DIV = 42, B_SQUEEZE = 43, B_UNIDIRECTIONAL_SEQUENCE_LSTM = 44,
	B_STRIDED_SLICE = 45, B_BIDIRECTIONAL_SEQUENCE_RNN = 46, B_EXP = 47, B_TOPK_V2 = 48,
	B_SPLIT = 49, B_LOG_SOFTMAX = 50, B_DELEGATE = 51, B_BIDIRECTIONAL_SEQUENCE_LSTM = 52,
	B_CAST = 53, B_PRELU = 54, B_MAXIMUM = 55, B_ARG_MAX = 56, B_MINIMUM = 57, B_LESS = 58,
	B_NEG = 59, B_PADV2 = 60, B_GREATER = 61, B_GREATER_EQUAL = 62, B_LESS_EQUAL = 63,
	B_SELECT = 64, B_SLICE = 65, B_SIN = 66, B_TRANSPOSE_CONV = 67, B_SPARSE_TO_DENSE = 68,
	B_TILE = 69, B_EXPAND_DIMS = 70, B_EQUAL = 71, B_NOT_EQUAL = 72, B_LOG = 73, B_SUM = 74,
	B_SQRT = 75, B_RSQRT = 76, B_SHAPE = 77, B_POW = 78, B_ARG_MIN = 79, B_FAKE_QUANT = 80,
	B_REDUCE_PROD = 81, B_REDUCE_MAX = 82, B_PACK = 83, B_LOGICAL_OR = 84, B_ONE_HOT = 85,
	B_LOGICAL_AND = 86, B_LOGICAL_NOT = 87, B_UNPACK = 88, B_REDUCE_MIN = 89, B_FLOOR_DIV = 90,
	B_REDUCE_ANY = 91, B_SQUARE = 92, B_ZEROS_LIKE = 93, B_FILL = 94, B_FLOOR_MOD = 95,
	B_RANGE = 96, B_RESIZE_NEAREST_NEIGHBOR = 97, B_LEAKY_RELU = 98, B_SQUARED_DIFFERENCE = 99,
	B_MIRROR_PAD = 100, B_ABS = 101, B_SPLIT_V = 102, B_UNIQUE = 103, B_CEIL = 104,
	B_REVERSE_V2 = 105, B_ADD_N = 106, B_GATHER_ND = 107, B_COS = 108, B_WHERE = 109,
	B_RANK = 110, B_ELU = 111, B_REVERSE_SEQUENCE = 112, B_MATRIX_DIAG = 113, B_QUANTIZE = 114,
	B_MATRIX_SET_DIAG = 115, B_ROUND = 116, B_HARD_SWISH = 117, B_IF = 118, B_WHILE = 119,
	B_NON_MAX_SUPPRESSION_V4 = 120, B_NON_MAX_SUPPRESSION_V5 = 121, B_SCATTER_ND = 122,
	B_SELECT_V2 = 123, B_DENSIFY = 124, B_SEGMENT_SUM = 125, B_BATCH_MATMUL = 126,
	B_PLACEHOLDER_FOR_GREATER_OP_CODES = 127, B_CUMSUM = 128, B_CALL_ONCE = 129,
	B_BROADCAST_TO = 130, B_RFFT2D = 131, B_CONV_3D = 132, B_IMAG = 133, B_REAL = 134,
	B_COMPLEX_ABS = 135, B_HASHTABLE = 136, B_HASHTABLE_FIND = 137, B_HASHTABLE_IMPORT = 138,
	B_HASHTABLE_SIZE = 139, B_REDUCE_ALL = 140, B_CONV_3D_TRANSPOSE = 141, B_VAR_HANDLE = 142,
	B_READ_VARIABLE = 143, B_ASSIGN_VARIABLE = 144, B_BROADCAST_ARGS = 145,
	B_RANDOM_STANDARD_NORMAL = 146, B_BUCKETIZE = 147, B_RANDOM_UNIFORM = 148,
	B_MULTINOMIAL = 149, B_GELU = 150, B_DYNAMIC_UPDATE_SLICE = 151, B_RELU_0_TO_1 = 152,
	B_UNSORTED_SEGMENT_PROD = 153, B_UNSORTED_SEGMENT_MAX = 154, B_UNSORTED_SEGMENT_SUM = 155,
	B_ATAN2 = 156, B_UNSORTED_SEGMENT_MIN = 157, B_SIGN = 158, B_BITCAST = 159,
	B_BITWISE_XOR = 160, B_RIGHT_SHIFT = 161,
	B_COUNT
};

/* Union indices of BuiltinOptions (schema.fbs) for the options this reader looks into. */
/* Union indices of BuiltinOptions (schema.fbs) for the options this reader looks into. */
enum {
	O_CONV2D = 1, O_DEPTHWISE = 2, O_POOL2D = 5, O_FULLY_CONNECTED = 8, O_SOFTMAX = 9,
	O_CONCATENATION = 10, O_ADD = 11, O_L2NORM = 12, O_LRN = 13, O_RESIZE_BILINEAR = 15,
	O_CALL = 16, O_RESHAPE = 17, O_SPACE_TO_DEPTH = 19, O_MUL = 21, O_GATHER = 23,
	O_REDUCER = 27, O_SUB = 28, O_DIV = 29, O_SQUEEZE = 30, O_STRIDED_SLICE = 32, O_SPLIT = 35,
	O_ARG_MAX = 40, O_TRANSPOSE_CONV = 49, O_ARG_MIN = 57, O_PACK = 59, O_UNPACK = 64,
	O_RESIZE_NEAREST = 74, O_LEAKY_RELU = 75, O_MIRROR_PAD = 77, O_SPLIT_V = 79,
	O_REVERSE_SEQUENCE = 87, O_IF = 92, O_WHILE = 93, O_DEPTH_TO_SPACE = 94,
	O_BATCH_MATMUL = 101, O_CUMSUM = 102, O_CALL_ONCE = 103, O_CONV3D = 106, O_GELU = 116
};

/* --- reader state ---------------------------------------------------------------------- */

/* Tensors may claim at most this many elements (2^50: a petabyte of int8). */
#define TFL_MAX_NUMEL ((int64_t)1 << 50)
/* Float constants are loaded up to this many elements (Clip bounds, scalars); larger ones
 * (weights) keep only their shape. Integer constants up to GR_FOLD_MAX (shape operands). */
#define TFL_SMALL_FLOAT 64

typedef struct tfl_tensor {
	gr_tensor *t;
	gr_tensor *cf;        /* channels-first view, once made */
	gr_tensor *wview;     /* relabeled weight (permuted initializer), once made */
	int wview_kind;
	size_t pos;           /* its table, for messages */
	int rank;             /* declared rank; -1 when unknown */
	int64_t *dims;        /* declared dims (the `shape` field) */
	gr_dtype dtype;
	unsigned is_const : 1, sparse : 1, variable : 1, produced : 1;
} tfl_tensor;

typedef struct tfl_buffer {
	size_t off, len;      /* payload inside the file (len 0: no data) */
} tfl_buffer;

typedef struct tfl_code {
	int32_t code;
	const char *custom;   /* arena copy of custom_code, NULL for builtins */
} tfl_code;

typedef struct tfl_op {
	size_t idx, pos;
	int32_t code;
	const char *custom;
	const char *opname;   /* builtin name or custom code, for messages */
	const char *name;     /* node name: its first output's name */
	char what[96];        /* "operator #12 (CONV_2D)" */
	int32_t *in, *out;
	size_t n_in, n_out;
	int opt_type, has_opt;
	fb_table opt;
	size_t copt, copt_len; /* custom options bytes */
} tfl_op;

typedef struct tfl_perm_const {
	int rank;
	int64_t perm[GR_MAX_RANK];
	gr_tensor *t;
} tfl_perm_const;

typedef struct tfl_ctx {
	fb_src s;
	gr_graph *g;
	gr_arena *a;
	tfl_tensor *ts;
	uint32_t nt;
	tfl_buffer *bufs;
	uint32_t nb;
	tfl_code *codes;
	uint32_t nc;
	uint32_t n_subgraphs;
	unsigned long uniq;
	gr_status fst;        /* first error met while reading options (sticky) */
	tfl_perm_const perms[16];
	size_t n_perms;
	double fconst_v[8];
	gr_tensor *fconst_t[8];
	size_t n_fconst;
	fe_unmapped unmapped;
	size_t n_sparse, n_quant, n_per_channel;
	const char *first_sparse;
	char called[256];     /* subgraphs referenced by control flow, for the warning */
} tfl_ctx;

/* Permutations of layout views and weights. */
extern const int64_t TFL_P_CF4[4], TFL_P_CL4[4], TFL_P_CF5[5], TFL_P_CL5[5];
extern const int64_t TFL_P_T2[2];

/* --- errors and IR building (tflite_build.c) ------------------------------------------ */

static inline gr_status oom(tfl_ctx *c)
{
	return gr_error_set(c->s.err, GR_ERR_NOMEM, "cannot read '%s': out of memory", c->s.name);
}

/* "cannot read 'NAME': at byte OFF: operator #12 (CONV_2D): message" */
gr_status tfl_op_error(tfl_ctx *c, const tfl_op *op, gr_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A tensor named base+suffix, made unique with "#N" when taken. */
static inline gr_tensor *tmp(tfl_ctx *c, const char *base, const char *suffix)
{
	return fe_tmp(c->g, &c->uniq, base, suffix);
}

static inline gr_node *node(tfl_ctx *c, const char *type, const char *domain, const char *name,
			    size_t n_in, size_t n_out)
{
	return gr_graph_add_node(c->g, type, domain ? domain : "", name, n_in, n_out, FE_NODE_ATTRS);
}

/* A node name: the op's name plus a suffix, in the arena. */
static inline const char *nm(tfl_ctx *c, const tfl_op *op, const char *suffix)
{
	return fe_name(c->a, op->name, suffix);
}

/* A constant int64 tensor (known values, not an initializer: never a parameter). */
static inline gr_tensor *cst_i64(tfl_ctx *c, const char *base, const int64_t *v, int64_t k,
				 int scalar)
{
	return fe_cst_i64(c->g, &c->uniq, base, v, k, scalar);
}

/* ONNX-ordered int64 constant named after the op (axes, starts, ...). */
static inline gr_tensor *cst(tfl_ctx *c, const tfl_op *op, const char *suffix, const int64_t *v,
			     int64_t k)
{
	return cst_i64(c, nm(c, op, suffix), v, k, 0);
}

/* A float scalar constant, shared by value (Clip bounds, dequantization scales). */
gr_tensor *tfl_cst_f(tfl_ctx *c, double v);
/* y = x with its dims relabeled by perm (a free layout view); y is created when NULL. */
gr_tensor *tfl_view(tfl_ctx *c, gr_tensor *x, const int64_t *perm, int rank, gr_tensor *y,
		    const char *base);

/* Operands: input i's reader tensor and IR tensor (NULL when omitted), output i. */
static inline tfl_tensor *tin(tfl_ctx *c, const tfl_op *op, size_t i)
{
	return i < op->n_in && op->in[i] >= 0 ? &c->ts[op->in[i]] : NULL;
}

static inline gr_tensor *in_t(tfl_ctx *c, const tfl_op *op, size_t i)
{
	tfl_tensor *t = tin(c, op, i);
	return t ? t->t : NULL;
}

static inline gr_tensor *out_t(tfl_ctx *c, const tfl_op *op, size_t i)
{
	return i < op->n_out ? c->ts[op->out[i]].t : NULL;
}

/* Known integer values of input i (constants), or NULL. */
static inline const int64_t *cvals(tfl_ctx *c, const tfl_op *op, size_t i, int64_t *n)
{
	gr_tensor *t = in_t(c, op, i);

	*n = 0;
	if (!t || !t->has_value || !t->ival)
		return NULL;
	*n = t->nval;
	return t->ival;
}

/* Checks the operator has at least n_in present inputs and n_out outputs. */
gr_status tfl_need(tfl_ctx *c, const tfl_op *op, size_t n_in, size_t n_out);
/* The declared rank of input i, which must be `want` (layout-sensitive operands). */
gr_status tfl_need_rank(tfl_ctx *c, const tfl_op *op, size_t i, int want, const char *role);
/* Checks every v[i] lies in 1..INT32_MAX. */
gr_status tfl_positive(tfl_ctx *c, const tfl_op *op, const int64_t *v, size_t n, const char *what);
/* The channels-first view of input i (rank 4 or 5), made once per tensor. */
gr_tensor *tfl_cf_in(tfl_ctx *c, const tfl_op *op, size_t i);
/* A fresh channels-first tensor for output i of op. */
gr_tensor *tfl_cf_out_tmp(tfl_ctx *c, const tfl_op *op, size_t i);
/* Writes output i of op (declared channels-last) as the relabeling of ycf. */
gr_status tfl_cf_to_out(tfl_ctx *c, const tfl_op *op, size_t i, gr_tensor *ycf, int rank);
/* Weight operand i relabeled by perm (a permuted initializer for constants, a view
 * otherwise). kind distinguishes the perms a weight may be asked for. */
gr_tensor *tfl_weight(tfl_ctx *c, const tfl_op *op, size_t i, const int64_t *perm, int rank,
		      int kind);

/* Options of union type `want`: field id (integer of `size` bytes, float, [int]), dflt when
 * absent. A mismatch or a malformed field sets c->fst (checked by the mappers). */
int64_t tfl_opt_int(tfl_ctx *c, const tfl_op *op, int want, unsigned id, unsigned size,
		    int64_t dflt);
double tfl_opt_float(tfl_ctx *c, const tfl_op *op, int want, unsigned id, float dflt);
/* An [int] option (new_shape, squeeze_dims): up to max values; *found = 0 when absent. */
void tfl_opt_ints(tfl_ctx *c, const tfl_op *op, int want, unsigned id, int64_t *out, size_t max,
		  size_t *n, int *found);
/* The auto_pad of a Padding value (custom: TfLitePadding numbering). */
const char *tfl_pad_mode(tfl_ctx *c, const tfl_op *op, int64_t p, int custom);

/* y = act(x) for a fused ActivationFunctionType a. */
gr_status tfl_fused(tfl_ctx *c, const tfl_op *op, int64_t a, gr_tensor *x, gr_tensor *y);
/* Where a node followed by fused activation a writes: y itself or a fresh tensor. */
gr_tensor *tfl_pre_act(tfl_ctx *c, int64_t a, gr_tensor *y);

/* --- operator mappers (tflite_ops_*.c), each adding the nodes of one operator ----------- */

gr_status tfl_map_simple(tfl_ctx *c, const tfl_op *op, const char *type, size_t n_in, int64_t a);
gr_status tfl_map_chain(tfl_ctx *c, const tfl_op *op, const char *type1, size_t n_in,
			const char *type2, int square);
gr_status tfl_map_clip(tfl_ctx *c, const tfl_op *op, double lo, double hi);
gr_node *tfl_map_variadic(tfl_ctx *c, const tfl_op *op, const char *type, gr_tensor *y);
gr_status tfl_map_conv(tfl_ctx *c, const tfl_op *op, int depthwise);
gr_status tfl_map_conv3d(tfl_ctx *c, const tfl_op *op);
gr_status tfl_map_transpose_conv(tfl_ctx *c, const tfl_op *op, int custom);
gr_status tfl_map_pool(tfl_ctx *c, const tfl_op *op, const char *type, int custom);
gr_status tfl_map_max_unpool(tfl_ctx *c, const tfl_op *op);
gr_status tfl_map_depth_space(tfl_ctx *c, const tfl_op *op, const char *type, int want);
gr_status tfl_map_fully_connected(tfl_ctx *c, const tfl_op *op);
gr_status tfl_map_batch_matmul(tfl_ctx *c, const tfl_op *op);
gr_status tfl_map_quant(tfl_ctx *c, const tfl_op *op, int dequant);
gr_status tfl_map_reshape(tfl_ctx *c, const tfl_op *op);
gr_status tfl_map_squeeze(tfl_ctx *c, const tfl_op *op);
gr_status tfl_map_pack(tfl_ctx *c, const tfl_op *op);
gr_status tfl_map_unpack(tfl_ctx *c, const tfl_op *op);
gr_status tfl_map_split(tfl_ctx *c, const tfl_op *op, int v);
gr_status tfl_map_strided_slice(tfl_ctx *c, const tfl_op *op);
gr_status tfl_map_slice(tfl_ctx *c, const tfl_op *op);
gr_status tfl_map_transpose(tfl_ctx *c, const tfl_op *op);
gr_status tfl_map_pad(tfl_ctx *c, const tfl_op *op, const char *mode);
gr_status tfl_map_resize(tfl_ctx *c, const tfl_op *op, int linear);
gr_status tfl_map_reduce(tfl_ctx *c, const tfl_op *op, const char *type);
gr_status tfl_map_argreduce(tfl_ctx *c, const tfl_op *op, const char *type);
gr_status tfl_map_gather(tfl_ctx *c, const tfl_op *op);
gr_status tfl_map_reverse(tfl_ctx *c, const tfl_op *op);

/* --- dispatch (tflite_ops_table.c) ------------------------------------------------------ */

/* Maps operator op (builtin or custom) onto nodes. */
gr_status tfl_map_operator(tfl_ctx *c, const tfl_op *op);
/* An operator the core cannot cost: a node of an unknown op type, reported, never free. */
gr_status tfl_map_placeholder(tfl_ctx *c, const tfl_op *op, int custom);

#endif
