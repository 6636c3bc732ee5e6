/* TFLite frontend: a hand-written, verifying reader of the TFLite flatbuffer (schema.fbs,
 * schema version 3) that maps the main subgraph onto the core's ONNX op table.
 * Why hand-written: Debian ships no C flatbuffers compiler, and a reader that verifies as it
 * reads (like flatbuffers' Verifier) lets a hostile file fail with a message, not a crash.
 *
 * Layout: TFLite is channels-last (NHWC activations, OHWI weights) while the core's Conv,
 * pooling and depth/space ops are channels-first. Those ops read and write "layout views":
 * Shape -> Gather(perm) -> Reshape chains named "tflite_layout/...", which relabel the dims
 * at zero cost in the cost model (Reshape and folded shape arithmetic are free). That is
 * the honest figure: a TFLite runtime runs these ops in NHWC natively, so no transpose
 * exists at run time. Constant weights are relabeled directly (a permuted initializer). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/graph_impl.h"
#include "frontends/tflite_impl.h"
#include "graphs/model.h"

/* ==========================================================================================
 * FlatBuffers: verified access
 * ========================================================================================== */

#define FB_MAX_DEPTH 32

typedef struct fb_src {
	const unsigned char *d;
	size_t n;
	const char *name;
	gr_error *err;
	uint64_t work, work_max; /* tables and vector elements visited, and the cap */
} fb_src;

typedef struct fb_table {
	size_t pos, vt;
	unsigned n_fields, size;
	int depth;
} fb_table;

typedef struct fb_vec {
	size_t at, data; /* length word, first element; both 0 when the vector is absent */
	uint32_t len;
} fb_vec;

static uint16_t ld16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static uint32_t ld32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t ld64(const unsigned char *p)
{
	return (uint64_t)ld32(p) | (uint64_t)ld32(p + 4) << 32;
}

static int32_t ld32s(const unsigned char *p)
{
	uint32_t u = ld32(p);
	int32_t v;
	memcpy(&v, &u, sizeof(v));
	return v;
}

static gr_status fb_error(const fb_src *s, size_t off, gr_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static gr_status fb_error(const fb_src *s, size_t off, gr_status st, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gr_error_set(s->err, st, "cannot read '%s': at byte %zu: %s", s->name, off, msg);
}

static gr_status fb_charge(fb_src *s, uint64_t n, size_t off)
{
	s->work += n;
	if (s->work > s->work_max)
		return fb_error(s, off, GR_ERR_LIMIT,
				"the file references more data than it holds (shared or overlapping "
				"offsets; gave up after %llu elements)",
				(unsigned long long)s->work_max);
	return GR_OK;
}

static gr_status fb_table_at(fb_src *s, size_t pos, int depth, const char *what, fb_table *t)
{
	int64_t vt;
	unsigned vsize, tsize;
	gr_status st;

	if (depth > FB_MAX_DEPTH)
		return fb_error(s, pos, GR_ERR_LIMIT, "%s: tables nested more than %d deep", what,
				FB_MAX_DEPTH);
	if (s->n < 4 || pos > s->n - 4)
		return fb_error(s, pos, GR_ERR_FORMAT, "%s: table lies outside the file", what);
	if (pos % 4)
		return fb_error(s, pos, GR_ERR_FORMAT, "%s: table is misaligned", what);
	if ((st = fb_charge(s, 1, pos)))
		return st;
	vt = (int64_t)pos - (int64_t)ld32s(s->d + pos);
	if (vt < 0 || vt % 2 || (uint64_t)vt > s->n - 4)
		return fb_error(s, pos, GR_ERR_FORMAT, "%s: vtable offset %d points outside the file",
				what, ld32s(s->d + pos));
	vsize = ld16(s->d + vt);
	tsize = ld16(s->d + vt + 2);
	if (vsize < 4 || vsize % 2 || vsize > s->n - (size_t)vt)
		return fb_error(s, (size_t)vt, GR_ERR_FORMAT, "%s: bad vtable (claims %u bytes)", what,
				vsize);
	if (tsize < 4 || tsize > s->n - pos)
		return fb_error(s, pos, GR_ERR_FORMAT, "%s: table claims %u bytes, %zu remain", what,
				tsize, s->n - pos);
	t->pos = pos;
	t->vt = (size_t)vt;
	t->n_fields = (vsize - 4) / 2;
	t->size = tsize;
	t->depth = depth;
	return GR_OK;
}

/* Position of field id (size bytes, naturally aligned), 0 when absent. */
static gr_status fb_field(fb_src *s, const fb_table *t, unsigned id, unsigned size, const char *what,
			  size_t *pos)
{
	unsigned o;

	*pos = 0;
	if (id >= t->n_fields)
		return GR_OK;
	o = ld16(s->d + t->vt + 4 + 2 * id);
	if (!o)
		return GR_OK;
	if (o < 4 || o + size > t->size)
		return fb_error(s, t->pos, GR_ERR_FORMAT, "%s: field %u lies outside its table", what, id);
	if ((t->pos + o) % size)
		return fb_error(s, t->pos + o, GR_ERR_FORMAT, "%s: field %u is misaligned", what, id);
	*pos = t->pos + o;
	return GR_OK;
}

static gr_status fb_int(fb_src *s, const fb_table *t, unsigned id, unsigned size, int is_signed,
			int64_t dflt, const char *what, int64_t *out)
{
	size_t p;
	gr_status st = fb_field(s, t, id, size, what, &p);

	*out = dflt;
	if (st || !p)
		return st;
	switch (size) {
	case 1: *out = is_signed ? (int64_t)(int8_t)s->d[p] : (int64_t)s->d[p]; break;
	case 2: *out = is_signed ? (int64_t)(int16_t)ld16(s->d + p) : (int64_t)ld16(s->d + p); break;
	case 4: *out = is_signed ? (int64_t)ld32s(s->d + p) : (int64_t)ld32(s->d + p); break;
	default: {
		uint64_t u = ld64(s->d + p);
		memcpy(out, &u, sizeof(*out));
	}
	}
	return GR_OK;
}

static gr_status fb_u64(fb_src *s, const fb_table *t, unsigned id, const char *what, uint64_t *out)
{
	size_t p;
	gr_status st = fb_field(s, t, id, 8, what, &p);

	*out = 0;
	if (st || !p)
		return st;
	*out = ld64(s->d + p);
	return GR_OK;
}

static gr_status fb_float(fb_src *s, const fb_table *t, unsigned id, float dflt, const char *what,
			  float *out)
{
	size_t p;
	gr_status st = fb_field(s, t, id, 4, what, &p);
	uint32_t u;

	*out = dflt;
	if (st || !p)
		return st;
	u = ld32(s->d + p);
	memcpy(out, &u, sizeof(*out));
	return GR_OK;
}

/* Follows a uoffset stored at p. Like flatbuffers' verifier, 0 and offsets that would be
 * negative as signed values are rejected. */
static gr_status fb_follow(fb_src *s, size_t p, const char *what, size_t *target)
{
	uint32_t u = ld32(s->d + p);

	if (u == 0 || u > INT32_MAX || u > s->n - p)
		return fb_error(s, p, GR_ERR_FORMAT, "%s: offset %u points outside the file", what, u);
	*target = p + u;
	return GR_OK;
}

static gr_status fb_ref(fb_src *s, const fb_table *t, unsigned id, const char *what, size_t *target)
{
	size_t p;
	gr_status st = fb_field(s, t, id, 4, what, &p);

	*target = 0;
	if (st || !p)
		return st;
	return fb_follow(s, p, what, target);
}

static gr_status fb_subtable(fb_src *s, const fb_table *t, unsigned id, const char *what,
			     fb_table *sub, int *found)
{
	size_t p;
	gr_status st = fb_ref(s, t, id, what, &p);

	*found = 0;
	if (st || !p)
		return st;
	*found = 1;
	return fb_table_at(s, p, t->depth + 1, what, sub);
}

/* Vector of elem-byte elements; byte vectors are not charged (they are never walked). */
static gr_status fb_vector(fb_src *s, const fb_table *t, unsigned id, unsigned elem,
			   const char *what, fb_vec *v)
{
	size_t p;
	gr_status st = fb_ref(s, t, id, what, &p);
	uint32_t len;

	memset(v, 0, sizeof(*v));
	if (st || !p)
		return st;
	if (p % 4 || p > s->n - 4)
		return fb_error(s, p, GR_ERR_FORMAT, "%s: vector %s", what,
				p % 4 ? "is misaligned" : "lies outside the file");
	len = ld32(s->d + p);
	if (len > (s->n - p - 4) / elem)
		return fb_error(s, p, GR_ERR_FORMAT,
				"%s: vector claims %u elements of %u bytes, only %zu bytes remain", what,
				len, elem, s->n - p - 4);
	if (elem > 1 && (st = fb_charge(s, len, p)))
		return st;
	v->at = p;
	v->data = p + 4;
	v->len = len;
	return GR_OK;
}

static gr_status fb_string(fb_src *s, const fb_table *t, unsigned id, const char *what,
			   const char **str, size_t *len)
{
	fb_vec v;
	gr_status st = fb_vector(s, t, id, 1, what, &v);

	*str = NULL;
	*len = 0;
	if (st || !v.at)
		return st;
	if (v.len >= s->n - v.data || s->d[v.data + v.len] != 0)
		return fb_error(s, v.at, GR_ERR_FORMAT, "%s: string is not NUL-terminated", what);
	*str = (const char *)s->d + v.data;
	*len = v.len;
	return GR_OK;
}

static gr_status fb_vec_table(fb_src *s, const fb_vec *v, uint32_t i, int depth, const char *what,
			      fb_table *t)
{
	size_t p = 0;
	gr_status st = fb_follow(s, v->data + 4 * (size_t)i, what, &p);

	if (st)
		return st;
	return fb_table_at(s, p, depth, what, t);
}

static int32_t vec_i32(const fb_src *s, const fb_vec *v, uint32_t i)
{
	return ld32s(s->d + v->data + 4 * (size_t)i);
}

/* ==========================================================================================
 * TFLite schema: builtin operators (BuiltinOperator enum, schema.fbs)
 * ========================================================================================== */

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

/* Names for messages and for the placeholders of unmapped operators. */
static const char *const tfl_builtin_names[] = {
	"ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE",
	"DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP",
	"L2_NORMALIZATION", "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC",
	"LSH_PROJECTION", "LSTM", "MAX_POOL_2D", "MUL", "RELU", "RELU_N1_TO_1", "RELU6", "RESHAPE",
	"RESIZE_BILINEAR", "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH", "CONCAT_EMBEDDINGS",
	"SKIP_GRAM", "CALL", "CUSTOM", "EMBEDDING_LOOKUP_SPARSE", "PAD",
	"UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER", "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND",
	"TRANSPOSE", "MEAN", "SUB", "DIV", "SQUEEZE", "UNIDIRECTIONAL_SEQUENCE_LSTM", "STRIDED_SLICE",
	"BIDIRECTIONAL_SEQUENCE_RNN", "EXP", "TOPK_V2", "SPLIT", "LOG_SOFTMAX", "DELEGATE",
	"BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU", "MAXIMUM", "ARG_MAX", "MINIMUM", "LESS",
	"NEG", "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL", "SELECT", "SLICE", "SIN",
	"TRANSPOSE_CONV", "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL", "NOT_EQUAL", "LOG",
	"SUM", "SQRT", "RSQRT", "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT", "REDUCE_PROD", "REDUCE_MAX",
	"PACK", "LOGICAL_OR", "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT", "UNPACK", "REDUCE_MIN",
	"FLOOR_DIV", "REDUCE_ANY", "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD", "RANGE",
	"RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU", "SQUARED_DIFFERENCE", "MIRROR_PAD", "ABS", "SPLIT_V",
	"UNIQUE", "CEIL", "REVERSE_V2", "ADD_N", "GATHER_ND", "COS", "WHERE", "RANK", "ELU",
	"REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE", "MATRIX_SET_DIAG", "ROUND", "HARD_SWISH", "IF",
	"WHILE", "NON_MAX_SUPPRESSION_V4", "NON_MAX_SUPPRESSION_V5", "SCATTER_ND", "SELECT_V2",
	"DENSIFY", "SEGMENT_SUM", "BATCH_MATMUL", "PLACEHOLDER_FOR_GREATER_OP_CODES", "CUMSUM",
	"CALL_ONCE", "BROADCAST_TO", "RFFT2D", "CONV_3D", "IMAG", "REAL", "COMPLEX_ABS", "HASHTABLE",
	"HASHTABLE_FIND", "HASHTABLE_IMPORT", "HASHTABLE_SIZE", "REDUCE_ALL", "CONV_3D_TRANSPOSE",
	"VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "BROADCAST_ARGS", "RANDOM_STANDARD_NORMAL",
	"BUCKETIZE", "RANDOM_UNIFORM", "MULTINOMIAL", "GELU", "DYNAMIC_UPDATE_SLICE", "RELU_0_TO_1",
	"UNSORTED_SEGMENT_PROD", "UNSORTED_SEGMENT_MAX", "UNSORTED_SEGMENT_SUM", "ATAN2",
	"UNSORTED_SEGMENT_MIN", "SIGN", "BITCAST", "BITWISE_XOR", "RIGHT_SHIFT",
};

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

/* TensorType (schema.fbs) -> IR dtype; -1 for values outside the enum. */
static int tfl_dtype(int64_t t)
{
	static const int map[] = {
		GR_DTYPE_FLOAT, GR_DTYPE_FLOAT16, GR_DTYPE_INT32, GR_DTYPE_UINT8, GR_DTYPE_INT64,
		GR_DTYPE_STRING, GR_DTYPE_BOOL, GR_DTYPE_INT16, GR_DTYPE_COMPLEX64, GR_DTYPE_INT8,
		GR_DTYPE_DOUBLE, GR_DTYPE_COMPLEX128, GR_DTYPE_UINT64,
		GR_DTYPE_UNDEFINED /* RESOURCE */, GR_DTYPE_UNDEFINED /* VARIANT */,
		GR_DTYPE_UINT32, GR_DTYPE_UINT16, GR_DTYPE_INT4,
	};
	if (t < 0 || t >= (int64_t)(sizeof(map) / sizeof(map[0])))
		return -1;
	return map[t];
}

/* ==========================================================================================
 * Reader state
 * ========================================================================================== */

/* Tensors may claim at most this many elements (2^50: a petabyte of int8). */
#define TFL_MAX_NUMEL ((int64_t)1 << 50)
/* Float constants are loaded up to this many elements (Clip bounds, scalars); larger ones
 * (weights) keep only their shape. Integer constants up to GR_FOLD_MAX (shape operands). */
#define TFL_SMALL_FLOAT 64
/* Unmapped operator kinds listed in the warning. */
#define TFL_MAX_UNMAPPED 16

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

typedef struct tfl_unmapped {
	const char *name;
	int custom;
	size_t count;
} tfl_unmapped;

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
	tfl_unmapped unmapped[TFL_MAX_UNMAPPED];
	size_t n_unmapped_kinds, n_unmapped;
	size_t n_sparse, n_quant, n_per_channel;
	const char *first_sparse;
	char called[256];     /* subgraphs referenced by control flow, for the warning */
} tfl_ctx;

#define TRY(expr)                          \
	do {                               \
		gr_status st_ = (expr);    \
		if (st_ != GR_OK)          \
			return st_;        \
	} while (0)

static gr_status oom(tfl_ctx *c)
{
	return gr_error_set(c->s.err, GR_ERR_NOMEM, "cannot read '%s': out of memory", c->s.name);
}

static gr_status op_error(tfl_ctx *c, const tfl_op *op, gr_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static gr_status op_error(tfl_ctx *c, const tfl_op *op, gr_status st, const char *fmt, ...)
{
	char msg[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fb_error(&c->s, op->pos, st, "%s: %s", op->what, msg);
}

/* A printable, NUL-free arena copy of a name from the file. */
static char *clean_name(tfl_ctx *c, const char *s, size_t len)
{
	size_t n = len > 400 ? 400 : len;
	char *r = gr_arena_alloc(c->a, n + 1);

	if (!r)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		r[i] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
	}
	r[n] = 0;
	return r;
}

/* ==========================================================================================
 * IR building helpers
 * ========================================================================================== */

/* A tensor named base+suffix, made unique with "#N" when taken. */
static gr_tensor *tmp(tfl_ctx *c, const char *base, const char *suffix)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%.400s%.64s", base, suffix);
	while (gr_graph_tensor(c->g, buf))
		snprintf(buf, sizeof(buf), "%.400s%.64s#%lu", base, suffix, ++c->uniq);
	return gr_graph_tensor_def(c->g, buf);
}

#define NODE_ATTRS 8

static gr_node *node(tfl_ctx *c, const char *type, const char *domain, const char *name,
		     size_t n_in, size_t n_out)
{
	return gr_graph_add_node(c->g, type, domain ? domain : "", name, n_in, n_out, NODE_ATTRS);
}

/* A constant int64 tensor (known values, not an initializer: never a parameter). */
static gr_tensor *cst_i64(tfl_ctx *c, const char *base, const int64_t *v, int64_t k, int scalar)
{
	gr_tensor *t = tmp(c, base, "");
	gr_dim d = {k, NULL};

	if (!t || gr_tensor_set_shape(c->g, t, GR_DTYPE_INT64, scalar ? 0 : 1, &d) ||
	    gr_tensor_set_i64(c->g, t, v, k))
		return NULL;
	return t;
}

/* A float scalar constant, shared by value (Clip bounds, dequantization scales). */
static gr_tensor *cst_f(tfl_ctx *c, double v)
{
	char name[64];
	gr_tensor *t;

	for (size_t i = 0; i < c->n_fconst; i++)
		if (c->fconst_v[i] == v)
			return c->fconst_t[i];
	snprintf(name, sizeof(name), "tflite_const/%g", v);
	t = tmp(c, name, "");
	if (!t || gr_tensor_set_shape(c->g, t, GR_DTYPE_FLOAT, 0, NULL) ||
	    gr_tensor_set_f64(c->g, t, &v, 1))
		return NULL;
	if (c->n_fconst < 8) {
		c->fconst_v[c->n_fconst] = v;
		c->fconst_t[c->n_fconst++] = t;
	}
	return t;
}

/* The Gather indices of a layout view for perm, shared by perm. */
static gr_tensor *perm_const(tfl_ctx *c, const int64_t *perm, int rank)
{
	char name[96];
	int len = 0;
	gr_tensor *t;

	for (size_t i = 0; i < c->n_perms; i++)
		if (c->perms[i].rank == rank && !memcmp(c->perms[i].perm, perm, (size_t)rank * sizeof(int64_t)))
			return c->perms[i].t;
	len = snprintf(name, sizeof(name), "tflite_layout/perm");
	for (int i = 0; i < rank && len < 80; i++)
		len += snprintf(name + len, sizeof(name) - (size_t)len, "_%lld", (long long)perm[i]);
	t = cst_i64(c, name, perm, rank, 0);
	if (t && c->n_perms < 16) {
		c->perms[c->n_perms].rank = rank;
		memcpy(c->perms[c->n_perms].perm, perm, (size_t)rank * sizeof(int64_t));
		c->perms[c->n_perms++].t = t;
	}
	return t;
}

/* y = x with its dims relabeled by perm: Shape -> Gather -> Reshape, all free in the cost
 * model (see the comment at the top). y is created when NULL. */
static gr_tensor *view(tfl_ctx *c, gr_tensor *x, const int64_t *perm, int rank, gr_tensor *y,
		       const char *base)
{
	gr_tensor *shp = tmp(c, base, "/shape"), *idx = perm_const(c, perm, rank), *tgt;
	gr_node *n;

	tgt = tmp(c, base, "/dims");
	if (!y)
		y = tmp(c, base, "");
	if (!shp || !idx || !tgt || !y)
		return NULL;
	if (!(n = node(c, "Shape", "", shp->name, 1, 1)))
		return NULL;
	n->in[0] = x;
	n->out[0] = shp;
	if (!(n = node(c, "Gather", "", tgt->name, 2, 1)))
		return NULL;
	n->in[0] = shp;
	n->in[1] = idx;
	n->out[0] = tgt;
	gr_node_set_int(n, "axis", 0);
	if (!(n = node(c, "Reshape", "", y->name, 2, 1)))
		return NULL;
	n->in[0] = x;
	n->in[1] = tgt;
	n->out[0] = y;
	return y;
}

static const int64_t P_CF4[] = {0, 3, 1, 2}, P_CL4[] = {0, 2, 3, 1};
static const int64_t P_CF5[] = {0, 4, 1, 2, 3}, P_CL5[] = {0, 2, 3, 4, 1};

static tfl_tensor *tin(tfl_ctx *c, const tfl_op *op, size_t i)
{
	return i < op->n_in && op->in[i] >= 0 ? &c->ts[op->in[i]] : NULL;
}

static gr_tensor *in_t(tfl_ctx *c, const tfl_op *op, size_t i)
{
	tfl_tensor *t = tin(c, op, i);
	return t ? t->t : NULL;
}

static gr_tensor *out_t(tfl_ctx *c, const tfl_op *op, size_t i)
{
	return i < op->n_out ? c->ts[op->out[i]].t : NULL;
}

/* Checks the operator has at least n_in present inputs and n_out outputs. */
static gr_status need(tfl_ctx *c, const tfl_op *op, size_t n_in, size_t n_out)
{
	if (op->n_in < n_in || op->n_out < n_out)
		return op_error(c, op, GR_ERR_FORMAT, "has %zu inputs and %zu outputs, needs %zu and %zu",
				op->n_in, op->n_out, n_in, n_out);
	for (size_t i = 0; i < n_in; i++)
		if (op->in[i] < 0)
			return op_error(c, op, GR_ERR_FORMAT, "required input %zu is omitted", i);
	return GR_OK;
}

/* The declared rank of input i, which must be `want` (layout-sensitive operands). */
static gr_status need_rank(tfl_ctx *c, const tfl_op *op, size_t i, int want, const char *role)
{
	tfl_tensor *t = tin(c, op, i);
	if (!t || t->rank != want)
		return op_error(c, op, GR_ERR_FORMAT, "%s '%s' has rank %d, expected %d", role,
				t ? t->t->name : "?", t ? t->rank : -1, want);
	return GR_OK;
}

/* The channels-first view of input i (rank 4 or 5), made once per tensor. */
static gr_tensor *cf_in(tfl_ctx *c, const tfl_op *op, size_t i)
{
	tfl_tensor *t = tin(c, op, i);
	char base[480];

	if (t->cf)
		return t->cf;
	snprintf(base, sizeof(base), "tflite_layout/%.400s/cf", t->t->name);
	t->cf = view(c, t->t, t->rank == 5 ? P_CF5 : P_CF4, t->rank, NULL, base);
	return t->cf;
}

/* A fresh channels-first tensor for output i of op. */
static gr_tensor *cf_out_tmp(tfl_ctx *c, const tfl_op *op, size_t i)
{
	char base[480];
	snprintf(base, sizeof(base), "tflite_layout/%.400s", out_t(c, op, i)->name);
	return tmp(c, base, "/cf");
}

/* Writes output i of op (declared channels-last) as the relabeling of ycf. */
static gr_status cf_to_out(tfl_ctx *c, const tfl_op *op, size_t i, gr_tensor *ycf, int rank)
{
	tfl_tensor *o = &c->ts[op->out[i]];
	char base[480];

	snprintf(base, sizeof(base), "tflite_layout/%.400s/cl", o->t->name);
	if (!view(c, ycf, rank == 5 ? P_CL5 : P_CL4, rank, o->t, base))
		return oom(c);
	o->cf = ycf;
	return GR_OK;
}

/* Weight operand i relabeled by perm (a permuted initializer for constants, a view
 * otherwise). kind distinguishes the perms a weight may be asked for. */
static gr_tensor *weight(tfl_ctx *c, const tfl_op *op, size_t i, const int64_t *perm, int rank,
			 int kind)
{
	tfl_tensor *w = tin(c, op, i);
	gr_dim d[GR_MAX_RANK];
	gr_tensor *t;
	char base[480];

	if (!w->t->is_initializer) {
		snprintf(base, sizeof(base), "tflite_layout/%.400s/w%d", w->t->name, kind);
		return view(c, w->t, perm, rank, NULL, base);
	}
	if (w->wview && w->wview_kind == kind)
		return w->wview;
	for (int k = 0; k < rank; k++)
		d[k] = w->t->dims[perm[k]];
	t = tmp(c, "tflite_layout/", w->t->name);
	if (!t || gr_tensor_set_shape(c->g, t, w->t->dtype, rank, d) || gr_graph_add_initializer(c->g, t))
		return NULL;
	w->wview = t;
	w->wview_kind = kind;
	return t;
}

/* --- options --------------------------------------------------------------------------- */

static int opt_ok(tfl_ctx *c, const tfl_op *op, int want)
{
	if (c->fst || !op->has_opt)
		return 0;
	if (op->opt_type != want) {
		c->fst = op_error(c, op, GR_ERR_FORMAT, "options are of union type %d, expected %d",
				  op->opt_type, want);
		return 0;
	}
	return 1;
}

/* Integer option field id of `size` bytes (signed), dflt when absent. */
static int64_t oi(tfl_ctx *c, const tfl_op *op, int want, unsigned id, unsigned size, int64_t dflt)
{
	int64_t v = dflt;
	char what[128];

	if (!opt_ok(c, op, want))
		return dflt;
	snprintf(what, sizeof(what), "options of %s", op->what);
	if ((c->fst = fb_int(&c->s, &op->opt, id, size, 1, dflt, what, &v)))
		return dflt;
	return v;
}

static double of(tfl_ctx *c, const tfl_op *op, int want, unsigned id, float dflt)
{
	float v = dflt;
	char what[128];

	if (!opt_ok(c, op, want))
		return dflt;
	snprintf(what, sizeof(what), "options of %s", op->what);
	if ((c->fst = fb_float(&c->s, &op->opt, id, dflt, what, &v)))
		return dflt;
	return v;
}

/* An [int] option (new_shape, squeeze_dims): up to max values; *found = 0 when absent. */
static void ovec(tfl_ctx *c, const tfl_op *op, int want, unsigned id, int64_t *out, size_t max,
		 size_t *n, int *found)
{
	fb_vec v;
	char what[128];

	*n = 0;
	*found = 0;
	if (!opt_ok(c, op, want))
		return;
	snprintf(what, sizeof(what), "options of %s", op->what);
	if ((c->fst = fb_vector(&c->s, &op->opt, id, 4, what, &v)) || !v.at)
		return;
	if (v.len > max) {
		c->fst = fb_error(&c->s, v.at, GR_ERR_LIMIT, "%s has %u entries (at most %zu)", what,
				  v.len, max);
		return;
	}
	for (uint32_t k = 0; k < v.len; k++)
		out[k] = vec_i32(&c->s, &v, k);
	*n = v.len;
	*found = 1;
}

/* Known integer values of input i (constants), or NULL. */
static const int64_t *cvals(tfl_ctx *c, const tfl_op *op, size_t i, int64_t *n)
{
	gr_tensor *t = in_t(c, op, i);

	*n = 0;
	if (!t || !t->has_value || !t->ival)
		return NULL;
	*n = t->nval;
	return t->ival;
}

/* ==========================================================================================
 * Operator mapping
 * ========================================================================================== */

/* A node name: the op's name plus a suffix, in the arena. */
static const char *nm(tfl_ctx *c, const tfl_op *op, const char *suffix)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%.400s%.64s", op->name, suffix);
	return gr_arena_strdup(c->a, buf);
}

/* Adds node type(in...) -> (out...); NULL inputs are omitted optional ones. */
static gr_node *emit(tfl_ctx *c, const char *type, const char *name, gr_tensor *const *in,
		     size_t n_in, gr_tensor *const *out, size_t n_out)
{
	return gr_graph_add_node_io(c->g, type, "", name, in, n_in, out, n_out, NODE_ATTRS);
}

#define T(...) ((gr_tensor *[]){__VA_ARGS__})
#define NT(...) (sizeof((gr_tensor *[]){__VA_ARGS__}) / sizeof(gr_tensor *))
/* EMIT(var, "Type", name, (inputs...), (outputs...)) */
#define EMIT(var, type, name, ins, outs)                                                    \
	do {                                                                                 \
		if (!((var) = emit(c, (type), (name), T ins, NT ins, T outs, NT outs)))      \
			return oom(c);                                                       \
	} while (0)

/* y = act(x) for a fused ActivationFunctionType. */
static gr_status fused(tfl_ctx *c, const tfl_op *op, int64_t a, gr_tensor *x, gr_tensor *y)
{
	gr_node *n;

	switch (a) {
	case 1: EMIT(n, "Relu", nm(c, op, "/relu"), (x), (y)); break;
	case 2: EMIT(n, "Clip", nm(c, op, "/relu_n1_to_1"), (x, cst_f(c, -1), cst_f(c, 1)), (y)); break;
	case 3: EMIT(n, "Clip", nm(c, op, "/relu6"), (x, cst_f(c, 0), cst_f(c, 6)), (y)); break;
	case 4: EMIT(n, "Tanh", nm(c, op, "/tanh"), (x), (y)); break;
	case 5: EMIT(n, "Sign", nm(c, op, "/sign_bit"), (x), (y)); break;
	default:
		return op_error(c, op, GR_ERR_FORMAT, "unknown fused activation %lld", (long long)a);
	}
	if ((a == 2 || a == 3) && (!n->in[1] || !n->in[2]))
		return oom(c);
	return GR_OK;
}

/* Where a node followed by fused activation a writes: y itself or a fresh tensor. */
static gr_tensor *pre(tfl_ctx *c, int64_t a, gr_tensor *y)
{
	return a ? tmp(c, y->name, "/pre_act") : y;
}

static const char *pad_mode(tfl_ctx *c, const tfl_op *op, int64_t p, int custom)
{
	/* schema Padding: SAME = 0, VALID = 1; TfLitePadding (custom ops): SAME = 1, VALID = 2 */
	if (custom)
		p -= 1;
	if (p == 0)
		return "SAME_UPPER";
	if (p == 1)
		return "VALID";
	if (!c->fst)
		c->fst = op_error(c, op, GR_ERR_FORMAT, "unknown padding %lld", (long long)(p + custom));
	return "VALID";
}

static gr_status positive(tfl_ctx *c, const tfl_op *op, const int64_t *v, size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] < 1 || v[i] > INT32_MAX)
			return op_error(c, op, GR_ERR_FORMAT, "%s must be positive (got %lld)", what,
					(long long)v[i]);
	return GR_OK;
}

/* --- elementwise ----------------------------------------------------------------------- */

/* y = type(inputs 0..n_in-1), then fused activation a. */
static gr_status m_simple(tfl_ctx *c, const tfl_op *op, const char *type, size_t n_in, int64_t a)
{
	gr_tensor *y, *t;
	gr_node *n;

	TRY(need(c, op, n_in, 1));
	if (c->fst)
		return c->fst;
	y = out_t(c, op, 0);
	if (!(t = pre(c, a, y)) || !(n = node(c, type, "", op->name, n_in, 1)))
		return oom(c);
	for (size_t i = 0; i < n_in; i++)
		n->in[i] = in_t(c, op, i);
	n->out[0] = t;
	return a ? fused(c, op, a, t, y) : GR_OK;
}

/* y = type2(type1(inputs), [same]) : RSQRT, NOT_EQUAL, FLOOR_DIV, SQUARED_DIFFERENCE. */
static gr_status m_chain(tfl_ctx *c, const tfl_op *op, const char *type1, size_t n_in,
			 const char *type2, int square)
{
	gr_tensor *y, *t;
	gr_node *n;

	TRY(need(c, op, n_in, 1));
	y = out_t(c, op, 0);
	t = tmp(c, y->name, "/0");
	if (!t || !(n = node(c, type1, "", nm(c, op, "/0"), n_in, 1)))
		return oom(c);
	for (size_t i = 0; i < n_in; i++)
		n->in[i] = in_t(c, op, i);
	n->out[0] = t;
	if (square)
		EMIT(n, type2, op->name, (t, t), (y));
	else
		EMIT(n, type2, op->name, (t), (y));
	return GR_OK;
}

static gr_status m_clip(tfl_ctx *c, const tfl_op *op, double lo, double hi)
{
	gr_node *n;

	TRY(need(c, op, 1, 1));
	EMIT(n, "Clip", op->name, (in_t(c, op, 0), cst_f(c, lo), cst_f(c, hi)), (out_t(c, op, 0)));
	return n->in[1] && n->in[2] ? GR_OK : oom(c);
}

/* Variadic ops over every present input (ADD_N, CONCATENATION). */
static gr_node *m_variadic(tfl_ctx *c, const tfl_op *op, const char *type, gr_tensor *y)
{
	size_t k = 0, m = 0;
	gr_node *n;

	for (size_t i = 0; i < op->n_in; i++)
		k += op->in[i] >= 0;
	if (!y || !(n = node(c, type, "", op->name, k, 1)))
		return NULL;
	for (size_t i = 0; i < op->n_in; i++)
		if (op->in[i] >= 0)
			n->in[m++] = in_t(c, op, i);
	n->out[0] = y;
	return n;
}

/* --- convolution and pooling (channels-first views) --------------------------------- */

static const int64_t P_W_CONV[] = {0, 3, 1, 2};   /* OHWI -> OIHW */
static const int64_t P_W_IOHW[] = {3, 0, 1, 2};   /* OHWI -> IOHW (transpose conv); 1HWC -> C1HW */
static const int64_t P_W_CONV3D[] = {4, 3, 0, 1, 2}; /* DHWIO -> OIDHW */
static const int64_t P_T2[] = {1, 0};

static gr_status m_conv(tfl_ctx *c, const tfl_op *op, int depthwise)
{
	int want = depthwise ? O_DEPTHWISE : O_CONV2D;
	int64_t pad, st[2], dil[2], act, group = 1;
	tfl_tensor *tx, *tw;
	gr_tensor *x, *w, *ycf, *pa;
	gr_node *n;

	TRY(need(c, op, 2, 1));
	TRY(need_rank(c, op, 0, 4, "input"));
	TRY(need_rank(c, op, 1, 4, "filter"));
	pad = oi(c, op, want, 0, 1, 0);
	st[1] = oi(c, op, want, 1, 4, 1);
	st[0] = oi(c, op, want, 2, 4, 1);
	act = oi(c, op, want, depthwise ? 4 : 3, 1, 0);
	dil[1] = oi(c, op, want, depthwise ? 5 : 4, 4, 1);
	dil[0] = oi(c, op, want, depthwise ? 6 : 5, 4, 1);
	if (c->fst)
		return c->fst;
	TRY(positive(c, op, st, 2, "strides"));
	TRY(positive(c, op, dil, 2, "dilations"));
	tx = tin(c, op, 0);
	tw = tin(c, op, 1);
	if (depthwise) {
		/* group = input channels; depth_multiplier is redundant (and 0 in newer files) */
		int64_t mult = oi(c, op, want, 3, 4, 1);
		group = tx->dims[3] > 0 ? tx->dims[3]
		      : (mult > 0 && tw->dims[3] > 0 && tw->dims[3] % mult == 0) ? tw->dims[3] / mult : 1;
	} else if (tx->dims[3] > 0 && tw->dims[3] > 0 && tx->dims[3] % tw->dims[3] == 0) {
		group = tx->dims[3] / tw->dims[3]; /* grouped CONV_2D: filter holds C / groups */
	}
	x = cf_in(c, op, 0);
	w = weight(c, op, 1, depthwise ? P_W_IOHW : P_W_CONV, 4, depthwise ? 1 : 0);
	ycf = cf_out_tmp(c, op, 0);
	if (!x || !w || !ycf || !(pa = pre(c, act, ycf)))
		return oom(c);
	EMIT(n, "Conv", op->name, (x, w, in_t(c, op, 2)), (pa));
	if (!gr_node_set_ints(n, "strides", st, 2) || !gr_node_set_ints(n, "dilations", dil, 2))
		return oom(c);
	gr_node_set_str(n, "auto_pad", pad_mode(c, op, pad, 0));
	gr_node_set_int(n, "group", group);
	if (act)
		TRY(fused(c, op, act, pa, ycf));
	return c->fst ? c->fst : cf_to_out(c, op, 0, ycf, 4);
}

static gr_status m_conv3d(tfl_ctx *c, const tfl_op *op)
{
	int64_t pad, st[3], dil[3], act, group = 1;
	tfl_tensor *tx, *tw;
	gr_tensor *x, *w, *ycf, *pa;
	gr_node *n;

	TRY(need(c, op, 2, 1));
	TRY(need_rank(c, op, 0, 5, "input"));
	TRY(need_rank(c, op, 1, 5, "filter"));
	pad = oi(c, op, O_CONV3D, 0, 1, 0);
	st[0] = oi(c, op, O_CONV3D, 1, 4, 1);
	st[2] = oi(c, op, O_CONV3D, 2, 4, 1);
	st[1] = oi(c, op, O_CONV3D, 3, 4, 1);
	act = oi(c, op, O_CONV3D, 4, 1, 0);
	dil[0] = oi(c, op, O_CONV3D, 5, 4, 1);
	dil[2] = oi(c, op, O_CONV3D, 6, 4, 1);
	dil[1] = oi(c, op, O_CONV3D, 7, 4, 1);
	if (c->fst)
		return c->fst;
	TRY(positive(c, op, st, 3, "strides"));
	TRY(positive(c, op, dil, 3, "dilations"));
	tx = tin(c, op, 0);
	tw = tin(c, op, 1);
	if (tx->dims[4] > 0 && tw->dims[3] > 0 && tx->dims[4] % tw->dims[3] == 0)
		group = tx->dims[4] / tw->dims[3];
	x = cf_in(c, op, 0);
	w = weight(c, op, 1, P_W_CONV3D, 5, 4);
	ycf = cf_out_tmp(c, op, 0);
	if (!x || !w || !ycf || !(pa = pre(c, act, ycf)))
		return oom(c);
	EMIT(n, "Conv", op->name, (x, w, in_t(c, op, 2)), (pa));
	if (!gr_node_set_ints(n, "strides", st, 3) || !gr_node_set_ints(n, "dilations", dil, 3))
		return oom(c);
	gr_node_set_str(n, "auto_pad", pad_mode(c, op, pad, 0));
	gr_node_set_int(n, "group", group);
	if (act)
		TRY(fused(c, op, act, pa, ycf));
	return c->fst ? c->fst : cf_to_out(c, op, 0, ycf, 5);
}

/* TRANSPOSE_CONV (output_shape, filter, input, bias?) and MediaPipe's custom
 * Convolution2DTransposeBias (input, filter, bias) with TfLiteTransposeConvParams. */
static gr_status m_transpose_conv(tfl_ctx *c, const tfl_op *op, int custom)
{
	int64_t pad, st[2], act = 0, nos = 0;
	const int64_t *os = NULL;
	size_t xi = custom ? 0 : 2, wi = custom ? 1 : 1, bi = custom ? 2 : 3;
	gr_tensor *x, *w, *ycf, *pa;
	gr_node *n;

	TRY(need(c, op, custom ? 2 : 3, 1));
	TRY(need_rank(c, op, xi, 4, "input"));
	TRY(need_rank(c, op, wi, 4, "filter"));
	if (custom) {
		const unsigned char *p = c->s.d + op->copt;
		if (op->copt_len < 12)
			return op_error(c, op, GR_ERR_FORMAT,
					"custom options hold %zu bytes, TfLiteTransposeConvParams needs 12",
					op->copt_len);
		pad = ld32s(p);
		st[1] = ld32s(p + 4);
		st[0] = ld32s(p + 8);
	} else {
		pad = oi(c, op, O_TRANSPOSE_CONV, 0, 1, 0);
		st[1] = oi(c, op, O_TRANSPOSE_CONV, 1, 4, 1);
		st[0] = oi(c, op, O_TRANSPOSE_CONV, 2, 4, 1);
		act = oi(c, op, O_TRANSPOSE_CONV, 3, 1, 0);
		os = cvals(c, op, 0, &nos);
	}
	if (c->fst)
		return c->fst;
	TRY(positive(c, op, st, 2, "strides"));
	x = cf_in(c, op, xi);
	w = weight(c, op, wi, P_W_IOHW, 4, 2);
	ycf = cf_out_tmp(c, op, 0);
	if (!x || !w || !ycf || !(pa = pre(c, act, ycf)))
		return oom(c);
	EMIT(n, "ConvTranspose", op->name, (x, w, in_t(c, op, bi)), (pa));
	if (!gr_node_set_ints(n, "strides", st, 2))
		return oom(c);
	if (os && nos == 4) {
		int64_t hw[2] = {os[1], os[2]};
		if (hw[0] < 0 || hw[1] < 0)
			return op_error(c, op, GR_ERR_FORMAT, "negative output_shape");
		if (!gr_node_set_ints(n, "output_shape", hw, 2))
			return oom(c);
	} else {
		gr_node_set_str(n, "auto_pad", pad_mode(c, op, pad, custom));
	}
	if (act)
		TRY(fused(c, op, act, pa, ycf));
	return c->fst ? c->fst : cf_to_out(c, op, 0, ycf, 4);
}

/* AVERAGE_POOL_2D, MAX_POOL_2D, L2_POOL_2D; MediaPipe's MaxPoolingWithArgmax2D (custom,
 * TfLitePoolParams; a second output with the argmax indices). */
static gr_status m_pool(tfl_ctx *c, const tfl_op *op, const char *type, int custom)
{
	int64_t pad, st[2], k[2], act = 0;
	gr_tensor *x, *ycf, *icf = NULL, *pa;
	gr_node *n;

	TRY(need(c, op, 1, custom ? 2 : 1));
	TRY(need_rank(c, op, 0, 4, "input"));
	if (custom) {
		const unsigned char *p = c->s.d + op->copt;
		if (op->copt_len < 20)
			return op_error(c, op, GR_ERR_FORMAT,
					"custom options hold %zu bytes, TfLitePoolParams needs 20",
					op->copt_len);
		pad = ld32s(p);
		st[1] = ld32s(p + 4);
		st[0] = ld32s(p + 8);
		k[1] = ld32s(p + 12);
		k[0] = ld32s(p + 16);
	} else {
		pad = oi(c, op, O_POOL2D, 0, 1, 0);
		st[1] = oi(c, op, O_POOL2D, 1, 4, 1);
		st[0] = oi(c, op, O_POOL2D, 2, 4, 1);
		k[1] = oi(c, op, O_POOL2D, 3, 4, 1);
		k[0] = oi(c, op, O_POOL2D, 4, 4, 1);
		act = oi(c, op, O_POOL2D, 5, 1, 0);
	}
	if (c->fst)
		return c->fst;
	TRY(positive(c, op, st, 2, "strides"));
	TRY(positive(c, op, k, 2, "filter size"));
	x = cf_in(c, op, 0);
	ycf = cf_out_tmp(c, op, 0);
	if (custom)
		icf = cf_out_tmp(c, op, 1);
	if (!x || !ycf || (custom && !icf) || !(pa = pre(c, act, ycf)))
		return oom(c);
	if (custom)
		EMIT(n, type, op->name, (x), (pa, icf));
	else
		EMIT(n, type, op->name, (x), (pa));
	if (!gr_node_set_ints(n, "kernel_shape", k, 2) || !gr_node_set_ints(n, "strides", st, 2))
		return oom(c);
	gr_node_set_str(n, "auto_pad", pad_mode(c, op, pad, custom));
	if (!strcmp(type, "LpPool"))
		gr_node_set_int(n, "p", 2);
	if (act)
		TRY(fused(c, op, act, pa, ycf));
	if (c->fst)
		return c->fst;
	TRY(cf_to_out(c, op, 0, ycf, 4));
	return custom ? cf_to_out(c, op, 1, icf, 4) : GR_OK;
}

/* MediaPipe's MaxUnpooling2D (values, indices): output = input x filter size. */
static gr_status m_max_unpool(tfl_ctx *c, const tfl_op *op)
{
	const unsigned char *p = c->s.d + op->copt;
	int64_t k[2];
	gr_tensor *x, *idx, *ycf;
	gr_node *n;

	TRY(need(c, op, 2, 1));
	TRY(need_rank(c, op, 0, 4, "input"));
	TRY(need_rank(c, op, 1, 4, "indices"));
	if (op->copt_len < 20)
		return op_error(c, op, GR_ERR_FORMAT,
				"custom options hold %zu bytes, TfLitePoolParams needs 20", op->copt_len);
	k[1] = ld32s(p + 12);
	k[0] = ld32s(p + 16);
	TRY(positive(c, op, k, 2, "filter size"));
	x = cf_in(c, op, 0);
	idx = cf_in(c, op, 1);
	ycf = cf_out_tmp(c, op, 0);
	if (!x || !idx || !ycf)
		return oom(c);
	EMIT(n, "MaxUnpool", op->name, (x, idx), (ycf));
	if (!gr_node_set_ints(n, "kernel_shape", k, 2) || !gr_node_set_ints(n, "strides", k, 2))
		return oom(c);
	return cf_to_out(c, op, 0, ycf, 4);
}

/* DEPTH_TO_SPACE, SPACE_TO_DEPTH (block_size; TF's order is ONNX's DCR). */
static gr_status m_depth_space(tfl_ctx *c, const tfl_op *op, const char *type, int want)
{
	int64_t b;
	gr_tensor *x, *ycf;
	gr_node *n;

	TRY(need(c, op, 1, 1));
	TRY(need_rank(c, op, 0, 4, "input"));
	b = oi(c, op, want, 0, 4, 0);
	if (c->fst)
		return c->fst;
	TRY(positive(c, op, &b, 1, "block_size"));
	x = cf_in(c, op, 0);
	ycf = cf_out_tmp(c, op, 0);
	if (!x || !ycf)
		return oom(c);
	EMIT(n, type, op->name, (x), (ycf));
	gr_node_set_int(n, "blocksize", b);
	if (!strcmp(type, "DepthToSpace"))
		gr_node_set_str(n, "mode", "DCR");
	return cf_to_out(c, op, 0, ycf, 4);
}

/* --- matrix products ---------------------------------------------------------------- */

static gr_status m_fully_connected(tfl_ctx *c, const tfl_op *op)
{
	int64_t act, keep, k;
	tfl_tensor *tx;
	gr_tensor *x, *y, *pa, *b;
	gr_node *n;

	TRY(need(c, op, 2, 1));
	TRY(need_rank(c, op, 1, 2, "weights"));
	act = oi(c, op, O_FULLY_CONNECTED, 0, 1, 0);
	keep = oi(c, op, O_FULLY_CONNECTED, 2, 1, 0);
	if (c->fst)
		return c->fst;
	tx = tin(c, op, 0);
	x = tx->t;
	b = in_t(c, op, 2);
	k = tin(c, op, 1)->dims[1];
	y = out_t(c, op, 0);
	if (!(pa = pre(c, act, y)))
		return oom(c);
	if (keep && tx->rank > 2) {
		/* [..., K] x [K, O]: batch dims kept */
		gr_tensor *wt = weight(c, op, 1, P_T2, 2, 3), *mm = b ? tmp(c, y->name, "/matmul") : pa;
		if (!wt || !mm)
			return oom(c);
		EMIT(n, "MatMul", b ? nm(c, op, "/matmul") : op->name, (x, wt), (mm));
		if (b)
			EMIT(n, "Add", op->name, (mm, b), (pa));
	} else {
		if (tx->rank != 2) {
			/* TFLite flattens the input to [numel / K, K] */
			int64_t shape[2] = {-1, k};
			gr_tensor *flat = tmp(c, y->name, "/flat");
			if (k <= 0)
				return op_error(c, op, GR_ERR_FORMAT, "weights '%s' have no input size",
						in_t(c, op, 1)->name);
			EMIT(n, "Reshape", nm(c, op, "/flat"), (x, cst_i64(c, nm(c, op, "/flat_shape"), shape, 2, 0)),
			     (flat));
			if (!n->in[1])
				return oom(c);
			x = flat;
		}
		EMIT(n, "Gemm", op->name, (x, in_t(c, op, 1), b), (pa));
		gr_node_set_int(n, "transB", 1);
	}
	return act ? fused(c, op, act, pa, y) : GR_OK;
}

static gr_status m_batch_matmul(tfl_ctx *c, const tfl_op *op)
{
	int64_t adj[2];
	gr_tensor *m[2];
	gr_node *n;

	TRY(need(c, op, 2, 1));
	adj[0] = oi(c, op, O_BATCH_MATMUL, 0, 1, 0);
	adj[1] = oi(c, op, O_BATCH_MATMUL, 1, 1, 0);
	if (c->fst)
		return c->fst;
	for (int i = 0; i < 2; i++) {
		tfl_tensor *t = tin(c, op, (size_t)i);
		m[i] = t->t;
		if (adj[i]) {
			int64_t perm[GR_MAX_RANK];
			char base[480];
			if (t->rank < 2)
				return op_error(c, op, GR_ERR_FORMAT, "adjoint of rank-%d '%s'", t->rank,
						t->t->name);
			for (int k = 0; k < t->rank; k++)
				perm[k] = k;
			perm[t->rank - 2] = t->rank - 1;
			perm[t->rank - 1] = t->rank - 2;
			snprintf(base, sizeof(base), "tflite_layout/%.400s/adj%d", op->name, i);
			if (!(m[i] = view(c, t->t, perm, t->rank, NULL, base)))
				return oom(c);
		}
	}
	EMIT(n, "MatMul", op->name, (m[0], m[1]), (out_t(c, op, 0)));
	return GR_OK;
}

/* --- shapes and data movement ------------------------------------------------------- */

static gr_status m_reshape(tfl_ctx *c, const tfl_op *op)
{
	gr_tensor *shape = in_t(c, op, 1);
	gr_node *n;

	TRY(need(c, op, 1, 1));
	if (!shape) {
		int64_t v[GR_MAX_RANK];
		size_t k;
		int found;
		ovec(c, op, O_RESHAPE, 0, v, GR_MAX_RANK, &k, &found);
		if (c->fst)
			return c->fst;
		if (!found)
			return op_error(c, op, GR_ERR_FORMAT, "has neither a shape input nor new_shape");
		if (!(shape = cst_i64(c, nm(c, op, "/new_shape"), v, (int64_t)k, 0)))
			return oom(c);
	}
	EMIT(n, "Reshape", op->name, (in_t(c, op, 0), shape), (out_t(c, op, 0)));
	gr_node_set_int(n, "allowzero", 1); /* a 0 in a TFLite shape means 0, not "copy" */
	return GR_OK;
}

/* ONNX-ordered int64 constant from values (axes, starts, ...). */
static gr_tensor *cst(tfl_ctx *c, const tfl_op *op, const char *suffix, const int64_t *v, int64_t k)
{
	return cst_i64(c, nm(c, op, suffix), v, k, 0);
}

static gr_status m_squeeze(tfl_ctx *c, const tfl_op *op)
{
	int64_t v[GR_MAX_RANK];
	size_t k;
	int found;
	gr_tensor *axes = NULL;
	gr_node *n;

	TRY(need(c, op, 1, 1));
	ovec(c, op, O_SQUEEZE, 0, v, GR_MAX_RANK, &k, &found);
	if (c->fst)
		return c->fst;
	if (k && !(axes = cst(c, op, "/axes", v, (int64_t)k)))
		return oom(c);
	EMIT(n, "Squeeze", op->name, (in_t(c, op, 0), axes), (out_t(c, op, 0)));
	return GR_OK;
}

/* PACK: Unsqueeze every input at axis, then Concat along it. */
static gr_status m_pack(tfl_ctx *c, const tfl_op *op)
{
	int64_t axis = 0;
	gr_tensor *ax, *y;
	gr_node *cat, *n;
	size_t k = 0;

	TRY(need(c, op, 1, 1));
	axis = oi(c, op, O_PACK, 1, 4, 0);
	if (c->fst)
		return c->fst;
	y = out_t(c, op, 0);
	if (!(ax = cst(c, op, "/axes", &axis, 1)) || !(cat = m_variadic(c, op, "Concat", y)))
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
static gr_status m_unpack(tfl_ctx *c, const tfl_op *op)
{
	int64_t axis = 0;
	gr_tensor *ax;
	gr_node *sp, *n;

	TRY(need(c, op, 1, 1));
	axis = oi(c, op, O_UNPACK, 1, 4, 0);
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
		return op_error(c, op, GR_ERR_UNSUPPORTED, "%s '%s' is not a one-element constant", what,
				in_t(c, op, i) ? in_t(c, op, i)->name : "?");
	*v = p[0];
	return GR_OK;
}

/* SPLIT (axis, x) and SPLIT_V (x, size_splits, axis). */
static gr_status m_split(tfl_ctx *c, const tfl_op *op, int v)
{
	int64_t axis = 0;
	gr_tensor *sizes = NULL;
	gr_node *n;

	TRY(need(c, op, v ? 3 : 2, 1));
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
					return op_error(c, op, GR_ERR_FORMAT, "cannot resolve size_splits -1");
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
static gr_status m_strided_slice(tfl_ctx *c, const tfl_op *op)
{
	int64_t bm, em, elm, nam, sam, off, nb, ne, ns;
	const int64_t *b, *e, *s;
	int64_t starts[GR_MAX_RANK], ends[GR_MAX_RANK], axes[GR_MAX_RANK], steps[GR_MAX_RANK];
	int64_t shrink[GR_MAX_RANK], newax[GR_MAX_RANK];
	int nsl = 0, nsh = 0, nnew = 0, dense = 0, outpos = 0, r;
	gr_tensor *x, *cur, *y;
	gr_node *n;

	TRY(need(c, op, 3, 1));
	bm = oi(c, op, O_STRIDED_SLICE, 0, 4, 0);
	em = oi(c, op, O_STRIDED_SLICE, 1, 4, 0);
	elm = oi(c, op, O_STRIDED_SLICE, 2, 4, 0);
	nam = oi(c, op, O_STRIDED_SLICE, 3, 4, 0);
	sam = oi(c, op, O_STRIDED_SLICE, 4, 4, 0);
	off = oi(c, op, O_STRIDED_SLICE, 5, 1, 0);
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
		return op_error(c, op, GR_ERR_FORMAT, "begin has more entries than '%s' has dims (%d)",
				x->name, r);
	if (!b || !e || (in_t(c, op, 3) && !s)) {
		if (bm || em || elm || nam || sam || off)
			return op_error(c, op, GR_ERR_UNSUPPORTED,
					"masks on begin/end/strides that are not constants");
		EMIT(n, "Slice", op->name, (x, in_t(c, op, 1), in_t(c, op, 2), NULL, in_t(c, op, 3)), (y));
		return GR_OK;
	}
	if (nb != ne || nb != ns || nb > GR_MAX_RANK || r < 0)
		return op_error(c, op, GR_ERR_FORMAT, "begin, end and strides have %lld, %lld and %lld "
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
			return op_error(c, op, GR_ERR_FORMAT, "more slice entries than dims (%d)", r);
		if (st == 0)
			return op_error(c, op, GR_ERR_FORMAT, "stride is 0");
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
	cur = x;
	if (nsl) {
		gr_tensor *t = (nsh || nnew) ? tmp(c, y->name, "/slice") : y;
		gr_tensor *ts = cst(c, op, "/starts", starts, nsl), *te = cst(c, op, "/ends", ends, nsl);
		gr_tensor *ta = cst(c, op, "/axes", axes, nsl), *tp = cst(c, op, "/steps", steps, nsl);
		if (!t || !ts || !te || !ta || !tp)
			return oom(c);
		EMIT(n, "Slice", (nsh || nnew) ? nm(c, op, "/slice") : op->name, (cur, ts, te, ta, tp), (t));
		cur = t;
	}
	if (nsh) {
		gr_tensor *t = nnew ? tmp(c, y->name, "/squeeze") : y, *ta = cst(c, op, "/shrink", shrink, nsh);
		if (!t || !ta)
			return oom(c);
		EMIT(n, "Squeeze", nnew ? nm(c, op, "/squeeze") : op->name, (cur, ta), (t));
		cur = t;
	}
	if (nnew) {
		gr_tensor *ta = cst(c, op, "/new_axes", newax, nnew);
		if (!ta)
			return oom(c);
		EMIT(n, "Unsqueeze", op->name, (cur, ta), (y));
		cur = y;
	}
	if (cur != y)
		EMIT(n, "Identity", op->name, (cur), (y));
	return GR_OK;
}

/* SLICE (x, begin, size): size -1 runs to the end. */
static gr_status m_slice(tfl_ctx *c, const tfl_op *op)
{
	int64_t nb, nsz, ends[GR_MAX_RANK];
	const int64_t *b, *sz;
	gr_tensor *te;
	gr_node *n;

	TRY(need(c, op, 3, 1));
	if (tin(c, op, 0)->rank == 0 || (tin(c, op, 0)->rank > 0 && tin(c, op, 1)->rank == 1 &&
					  tin(c, op, 1)->dims[0] > tin(c, op, 0)->rank))
		return op_error(c, op, GR_ERR_FORMAT, "begin has more entries than '%s' has dims (%d)",
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

static gr_status m_transpose(tfl_ctx *c, const tfl_op *op)
{
	int64_t k;
	const int64_t *p;
	gr_node *n;

	TRY(need(c, op, 2, 1));
	if (!(p = cvals(c, op, 1, &k)) || k > GR_MAX_RANK)
		return op_error(c, op, GR_ERR_UNSUPPORTED, "perm '%s' is not a constant",
				in_t(c, op, 1)->name);
	EMIT(n, "Transpose", op->name, (in_t(c, op, 0)), (out_t(c, op, 0)));
	return gr_node_set_ints(n, "perm", p, (size_t)k) ? GR_OK : oom(c);
}

/* PAD/PADV2/MIRROR_PAD: TFLite paddings are [rank, 2] (before, after per dim); ONNX pads
 * are all befores then all afters. Computed paddings get the same reordering as nodes. */
static gr_status m_pad(tfl_ctx *c, const tfl_op *op, const char *mode)
{
	int64_t k;
	const int64_t *p;
	gr_tensor *pads;
	gr_node *n;

	TRY(need(c, op, 2, 1));
	if ((p = cvals(c, op, 1, &k))) {
		int64_t v[2 * GR_MAX_RANK];
		if (k % 2 || k > 2 * GR_MAX_RANK)
			return op_error(c, op, GR_ERR_FORMAT, "paddings hold %lld values", (long long)k);
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
		if (!gr_node_set_ints(n, "perm", P_T2, 2))
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
static gr_status m_resize(tfl_ctx *c, const tfl_op *op, int linear)
{
	int want = linear ? O_RESIZE_BILINEAR : O_RESIZE_NEAREST;
	int64_t ac, hp, axes[2] = {1, 2};
	gr_node *n;

	TRY(need(c, op, 2, 1));
	TRY(need_rank(c, op, 0, 4, "input"));
	ac = oi(c, op, want, linear ? 2 : 0, 1, 0);
	hp = oi(c, op, want, linear ? 3 : 1, 1, 0);
	if (c->fst)
		return c->fst;
	EMIT(n, "Resize", op->name, (in_t(c, op, 0), NULL, NULL, in_t(c, op, 1)), (out_t(c, op, 0)));
	gr_node_set_str(n, "mode", linear ? "linear" : "nearest");
	gr_node_set_str(n, "coordinate_transformation_mode",
	      ac ? "align_corners" : hp ? (linear ? "half_pixel" : "tf_half_pixel_for_nn") : "asymmetric");
	return gr_node_set_ints(n, "axes", axes, 2) ? GR_OK : oom(c);
}

static gr_status m_reduce(tfl_ctx *c, const tfl_op *op, const char *type)
{
	int64_t keep;
	gr_node *n;

	TRY(need(c, op, 2, 1));
	keep = oi(c, op, O_REDUCER, 0, 1, 0);
	if (c->fst)
		return c->fst;
	EMIT(n, type, op->name, (in_t(c, op, 0), in_t(c, op, 1)), (out_t(c, op, 0)));
	gr_node_set_int(n, "keepdims", keep != 0);
	return GR_OK;
}

static gr_status m_argreduce(tfl_ctx *c, const tfl_op *op, const char *type)
{
	int64_t axis = 0;
	gr_node *n;

	TRY(need(c, op, 2, 1));
	TRY(const_scalar(c, op, 1, "axis", &axis));
	EMIT(n, type, op->name, (in_t(c, op, 0)), (out_t(c, op, 0)));
	gr_node_set_int(n, "axis", axis);
	gr_node_set_int(n, "keepdims", 0);
	return GR_OK;
}

static gr_status m_gather(tfl_ctx *c, const tfl_op *op)
{
	int64_t axis, bd;
	gr_node *n;

	TRY(need(c, op, 2, 1));
	axis = oi(c, op, O_GATHER, 0, 4, 0);
	bd = oi(c, op, O_GATHER, 1, 4, 0);
	if (c->fst)
		return c->fst;
	if (bd)
		return op_error(c, op, GR_ERR_UNSUPPORTED, "batch_dims %lld", (long long)bd);
	EMIT(n, "Gather", op->name, (in_t(c, op, 0), in_t(c, op, 1)), (out_t(c, op, 0)));
	gr_node_set_int(n, "axis", axis);
	return GR_OK;
}

/* REVERSE_V2 (x, axes): a reversing Slice (same shape, data copied). */
static gr_status m_reverse(tfl_ctx *c, const tfl_op *op)
{
	int64_t k, st[GR_MAX_RANK], en[GR_MAX_RANK], sp[GR_MAX_RANK];
	const int64_t *ax;
	gr_node *n;

	TRY(need(c, op, 2, 1));
	if (!(ax = cvals(c, op, 1, &k)) || k > GR_MAX_RANK)
		return op_error(c, op, GR_ERR_UNSUPPORTED, "axes are not a constant");
	if (tin(c, op, 0)->rank >= 0 && (tin(c, op, 0)->rank == 0 || k > tin(c, op, 0)->rank))
		return op_error(c, op, GR_ERR_FORMAT, "reverses %lld axes of a rank-%d tensor",
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

/* DEQUANTIZE: float16 -> float32 is a conversion (TFLite does it once for constant
 * weights); int8/uint8/int16 use DequantizeLinear. QUANTIZE: QuantizeLinear. */
static gr_status m_quant(tfl_ctx *c, const tfl_op *op, int dequant)
{
	gr_tensor *x, *y, *zp = NULL;
	gr_node *n;

	TRY(need(c, op, 1, 1));
	x = in_t(c, op, 0);
	y = out_t(c, op, 0);
	if (dequant && (x->dtype == GR_DTYPE_FLOAT16 || x->dtype == GR_DTYPE_FLOAT ||
			x->dtype == GR_DTYPE_BFLOAT16)) {
		EMIT(n, "Cast", op->name, (x), (y));
		gr_node_set_int(n, "to", GR_DTYPE_FLOAT);
		return GR_OK;
	}
	if (!dequant) {
		int64_t z = 0;
		gr_dim d = {1, NULL};
		gr_dtype odt = c->ts[op->out[0]].dtype;
		if (!(zp = tmp(c, y->name, "/zero_point")) ||
		    gr_tensor_set_shape(c->g, zp, odt ? odt : GR_DTYPE_INT8, 0, &d) ||
		    gr_tensor_set_i64(c->g, zp, &z, 1))
			return oom(c);
	}
	EMIT(n, dequant ? "DequantizeLinear" : "QuantizeLinear", op->name, (x, cst_f(c, 1), zp), (y));
	return n->in[1] ? GR_OK : oom(c);
}

/* --- placeholders ---------------------------------------------------------------------- */

static void note_unmapped(tfl_ctx *c, const char *name, int custom)
{
	c->n_unmapped++;
	for (size_t i = 0; i < c->n_unmapped_kinds; i++)
		if (c->unmapped[i].custom == custom && !strcmp(c->unmapped[i].name, name)) {
			c->unmapped[i].count++;
			return;
		}
	if (c->n_unmapped_kinds < TFL_MAX_UNMAPPED) {
		c->unmapped[c->n_unmapped_kinds].name = name;
		c->unmapped[c->n_unmapped_kinds].custom = custom;
		c->unmapped[c->n_unmapped_kinds++].count = 1;
	}
}

/* An operator the core cannot cost: a node of an unknown op type (domain "tflite" for
 * builtins, "tflite.custom" for custom codes) so that it is reported, never free. */
static gr_status m_placeholder(tfl_ctx *c, const tfl_op *op, int custom)
{
	gr_node *n = node(c, op->opname, custom ? "tflite.custom" : "tflite", op->name, op->n_in,
			  op->n_out);

	if (!n)
		return oom(c);
	for (size_t i = 0; i < op->n_in; i++)
		n->in[i] = in_t(c, op, i);
	for (size_t i = 0; i < op->n_out; i++)
		n->out[i] = out_t(c, op, i);
	note_unmapped(c, op->opname, custom);
	return GR_OK;
}

/* Control flow: the subgraphs it calls are checked and named in a warning, not costed. */
static gr_status m_control(tfl_ctx *c, const tfl_op *op, int want, int n_refs)
{
	for (int k = 0; k < n_refs; k++) {
		int64_t sg = oi(c, op, want, (unsigned)k, 4, 0);
		size_t len = strlen(c->called);
		if (c->fst)
			return c->fst;
		if (sg < 0 || sg >= c->n_subgraphs)
			return op_error(c, op, GR_ERR_FORMAT, "calls subgraph %lld, the model has %u",
					(long long)sg, c->n_subgraphs);
		if (len < sizeof(c->called) - 32)
			snprintf(c->called + len, sizeof(c->called) - len, "%s%lld (%s)", len ? ", " : "",
				 (long long)sg, op->opname);
	}
	return m_placeholder(c, op, 0);
}

/* Maps a failure to map one operator: unsupported operand forms become a placeholder
 * (with the reason in the warning); malformed operators stay errors. */
static gr_status map_custom(tfl_ctx *c, const tfl_op *op)
{
	if (!strcmp(op->custom, "Convolution2DTransposeBias"))
		return m_transpose_conv(c, op, 1);
	if (!strcmp(op->custom, "MaxPoolingWithArgmax2D"))
		return m_pool(c, op, "MaxPool", 1);
	if (!strcmp(op->custom, "MaxUnpooling2D"))
		return m_max_unpool(c, op);
	return m_placeholder(c, op, 1);
}

static gr_status map_builtin(tfl_ctx *c, const tfl_op *op)
{
	int64_t a;

	switch (op->code) {
	/* elementwise with a fused activation */
	case B_ADD: a = oi(c, op, O_ADD, 0, 1, 0); return m_simple(c, op, "Add", 2, a);
	case B_SUB: a = oi(c, op, O_SUB, 0, 1, 0); return m_simple(c, op, "Sub", 2, a);
	case B_MUL: a = oi(c, op, O_MUL, 0, 1, 0); return m_simple(c, op, "Mul", 2, a);
	case B_DIV: a = oi(c, op, O_DIV, 0, 1, 0); return m_simple(c, op, "Div", 2, a);
	/* binary */
	case B_POW: return m_simple(c, op, "Pow", 2, 0);
	case B_MAXIMUM: return m_simple(c, op, "Max", 2, 0);
	case B_MINIMUM: return m_simple(c, op, "Min", 2, 0);
	case B_FLOOR_MOD: return m_simple(c, op, "Mod", 2, 0);
	case B_LESS: return m_simple(c, op, "Less", 2, 0);
	case B_LESS_EQUAL: return m_simple(c, op, "LessOrEqual", 2, 0);
	case B_GREATER: return m_simple(c, op, "Greater", 2, 0);
	case B_GREATER_EQUAL: return m_simple(c, op, "GreaterOrEqual", 2, 0);
	case B_EQUAL: return m_simple(c, op, "Equal", 2, 0);
	case B_LOGICAL_AND: return m_simple(c, op, "And", 2, 0);
	case B_LOGICAL_OR: return m_simple(c, op, "Or", 2, 0);
	case B_BITWISE_XOR: return m_simple(c, op, "BitwiseXor", 2, 0);
	case B_PRELU: return m_simple(c, op, "PRelu", 2, 0);
	case B_SELECT: case B_SELECT_V2: return m_simple(c, op, "Where", 3, 0);
	case B_NOT_EQUAL: return m_chain(c, op, "Equal", 2, "Not", 0);
	case B_FLOOR_DIV: return m_chain(c, op, "Div", 2, "Floor", 0);
	case B_SQUARED_DIFFERENCE: return m_chain(c, op, "Sub", 2, "Mul", 1);
	case B_RIGHT_SHIFT: {
		gr_status st = m_simple(c, op, "BitShift", 2, 0);
		if (!st)
			gr_node_set_str(gr_graph_node(c->g, c->g->n_nodes - 1), "direction", "RIGHT");
		return st;
	}
	case B_ADD_N: return m_variadic(c, op, "Sum", out_t(c, op, 0)) ? GR_OK : oom(c);
	/* unary and activations */
	case B_ABS: return m_simple(c, op, "Abs", 1, 0);
	case B_NEG: return m_simple(c, op, "Neg", 1, 0);
	case B_EXP: return m_simple(c, op, "Exp", 1, 0);
	case B_LOG: return m_simple(c, op, "Log", 1, 0);
	case B_SQRT: return m_simple(c, op, "Sqrt", 1, 0);
	case B_RSQRT: return m_chain(c, op, "Sqrt", 1, "Reciprocal", 0);
	case B_SQUARE: {
		gr_node *n;
		TRY(need(c, op, 1, 1));
		EMIT(n, "Mul", op->name, (in_t(c, op, 0), in_t(c, op, 0)), (out_t(c, op, 0)));
		return GR_OK;
	}
	case B_SIN: return m_simple(c, op, "Sin", 1, 0);
	case B_COS: return m_simple(c, op, "Cos", 1, 0);
	case B_FLOOR: return m_simple(c, op, "Floor", 1, 0);
	case B_CEIL: return m_simple(c, op, "Ceil", 1, 0);
	case B_ROUND: return m_simple(c, op, "Round", 1, 0);
	case B_SIGN: return m_simple(c, op, "Sign", 1, 0);
	case B_LOGICAL_NOT: return m_simple(c, op, "Not", 1, 0);
	case B_RELU: return m_simple(c, op, "Relu", 1, 0);
	case B_RELU6: return m_clip(c, op, 0, 6);
	case B_RELU_N1_TO_1: return m_clip(c, op, -1, 1);
	case B_RELU_0_TO_1: return m_clip(c, op, 0, 1);
	case B_LOGISTIC: return m_simple(c, op, "Sigmoid", 1, 0);
	case B_TANH: return m_simple(c, op, "Tanh", 1, 0);
	case B_ELU: return m_simple(c, op, "Elu", 1, 0);
	case B_HARD_SWISH: return m_simple(c, op, "HardSwish", 1, 0);
	case B_GELU: {
		int64_t approx = oi(c, op, O_GELU, 0, 1, 0);
		gr_status st = m_simple(c, op, "Gelu", 1, 0);
		if (!st && approx)
			gr_node_set_str(gr_graph_node(c->g, c->g->n_nodes - 1), "approximate", "tanh");
		return st;
	}
	case B_LEAKY_RELU: {
		double alpha = of(c, op, O_LEAKY_RELU, 0, 0.2f);
		gr_status st = m_simple(c, op, "LeakyRelu", 1, 0);
		if (!st)
			gr_node_set_float(gr_graph_node(c->g, c->g->n_nodes - 1), "alpha", alpha);
		return st;
	}
	case B_CAST: {
		gr_status st = m_simple(c, op, "Cast", 1, 0);
		if (!st)
			gr_node_set_int(gr_graph_node(c->g, c->g->n_nodes - 1), "to",
			      c->ts[op->out[0]].dtype ? c->ts[op->out[0]].dtype : GR_DTYPE_FLOAT);
		return st;
	}
	case B_DEQUANTIZE: return m_quant(c, op, 1);
	case B_QUANTIZE: return m_quant(c, op, 0);
	case B_DENSIFY: return m_simple(c, op, "Identity", 1, 0);
	/* normalization and softmax */
	case B_SOFTMAX: case B_LOG_SOFTMAX: {
		gr_status st = m_simple(c, op, op->code == B_SOFTMAX ? "Softmax" : "LogSoftmax", 1, 0);
		if (!st)
			gr_node_set_int(gr_graph_node(c->g, c->g->n_nodes - 1), "axis", -1);
		return st;
	}
	case B_L2_NORMALIZATION: {
		gr_status st = m_simple(c, op, "LpNormalization", 1, 0);
		if (!st) {
			gr_node *n = gr_graph_node(c->g, c->g->n_nodes - 1);
			gr_node_set_int(n, "axis", -1);
			gr_node_set_int(n, "p", 2);
		}
		return st;
	}
	case B_LOCAL_RESPONSE_NORMALIZATION: {
		int64_t radius = oi(c, op, O_LRN, 0, 4, 0);
		double bias = of(c, op, O_LRN, 1, 1), alpha = of(c, op, O_LRN, 2, 1),
		       beta = of(c, op, O_LRN, 3, 0.5f);
		gr_status st = m_simple(c, op, "LRN", 1, 0);
		if (!st) {
			gr_node *n = gr_graph_node(c->g, c->g->n_nodes - 1);
			gr_node_set_int(n, "size", 2 * (radius < 0 ? 0 : radius > 1000000 ? 1000000 : radius) + 1);
			gr_node_set_float(n, "bias", bias);
			gr_node_set_float(n, "alpha", alpha);
			gr_node_set_float(n, "beta", beta);
		}
		return st;
	}
	/* convolution, pooling, layout */
	case B_CONV_2D: return m_conv(c, op, 0);
	case B_DEPTHWISE_CONV_2D: return m_conv(c, op, 1);
	case B_CONV_3D: return m_conv3d(c, op);
	case B_TRANSPOSE_CONV: return m_transpose_conv(c, op, 0);
	case B_AVERAGE_POOL_2D: return m_pool(c, op, "AveragePool", 0);
	case B_MAX_POOL_2D: return m_pool(c, op, "MaxPool", 0);
	case B_L2_POOL_2D: return m_pool(c, op, "LpPool", 0);
	case B_DEPTH_TO_SPACE: return m_depth_space(c, op, "DepthToSpace", O_DEPTH_TO_SPACE);
	case B_SPACE_TO_DEPTH: return m_depth_space(c, op, "SpaceToDepth", O_SPACE_TO_DEPTH);
	case B_RESIZE_BILINEAR: return m_resize(c, op, 1);
	case B_RESIZE_NEAREST_NEIGHBOR: return m_resize(c, op, 0);
	/* matrix products */
	case B_FULLY_CONNECTED: return m_fully_connected(c, op);
	case B_BATCH_MATMUL: return m_batch_matmul(c, op);
	/* reductions */
	case B_MEAN: return m_reduce(c, op, "ReduceMean");
	case B_SUM: return m_reduce(c, op, "ReduceSum");
	case B_REDUCE_MAX: case B_REDUCE_ANY: return m_reduce(c, op, "ReduceMax");
	case B_REDUCE_MIN: case B_REDUCE_ALL: return m_reduce(c, op, "ReduceMin");
	case B_REDUCE_PROD: return m_reduce(c, op, "ReduceProd");
	case B_ARG_MAX: return m_argreduce(c, op, "ArgMax");
	case B_ARG_MIN: return m_argreduce(c, op, "ArgMin");
	case B_TOPK_V2: {
		gr_node *n;
		TRY(need(c, op, 2, 2));
		EMIT(n, "TopK", op->name, (in_t(c, op, 0), in_t(c, op, 1)), (out_t(c, op, 0), out_t(c, op, 1)));
		return GR_OK;
	}
	case B_CUMSUM: {
		int64_t ex = oi(c, op, O_CUMSUM, 0, 1, 0), rev = oi(c, op, O_CUMSUM, 1, 1, 0);
		gr_status st = m_simple(c, op, "CumSum", 2, 0);
		if (!st) {
			gr_node *n = gr_graph_node(c->g, c->g->n_nodes - 1);
			gr_node_set_int(n, "exclusive", ex != 0);
			gr_node_set_int(n, "reverse", rev != 0);
		}
		return st;
	}
	/* shapes and data movement */
	case B_RESHAPE: return m_reshape(c, op);
	case B_SQUEEZE: return m_squeeze(c, op);
	case B_EXPAND_DIMS: return m_simple(c, op, "Unsqueeze", 2, 0);
	case B_PACK: return m_pack(c, op);
	case B_UNPACK: return m_unpack(c, op);
	case B_SPLIT: return m_split(c, op, 0);
	case B_SPLIT_V: return m_split(c, op, 1);
	case B_STRIDED_SLICE: return m_strided_slice(c, op);
	case B_SLICE: return m_slice(c, op);
	case B_TRANSPOSE: return m_transpose(c, op);
	case B_CONCATENATION: {
		int64_t axis = oi(c, op, O_CONCATENATION, 0, 4, 0);
		gr_tensor *y = out_t(c, op, 0), *t;
		gr_node *n;
		a = oi(c, op, O_CONCATENATION, 1, 1, 0);
		TRY(need(c, op, 1, 1));
		if (c->fst)
			return c->fst;
		if (!(t = pre(c, a, y)) || !(n = m_variadic(c, op, "Concat", t)))
			return oom(c);
		gr_node_set_int(n, "axis", axis);
		return a ? fused(c, op, a, t, y) : GR_OK;
	}
	case B_PAD: case B_PADV2: return m_pad(c, op, "constant");
	case B_MIRROR_PAD: return m_pad(c, op, "reflect");
	case B_TILE: return m_simple(c, op, "Tile", 2, 0);
	case B_BROADCAST_TO: return m_simple(c, op, "Expand", 2, 0);
	case B_GATHER: return m_gather(c, op);
	case B_GATHER_ND: return m_simple(c, op, "GatherND", 2, 0);
	case B_EMBEDDING_LOOKUP: {
		gr_node *n;
		TRY(need(c, op, 2, 1));
		EMIT(n, "Gather", op->name, (in_t(c, op, 1), in_t(c, op, 0)), (out_t(c, op, 0)));
		gr_node_set_int(n, "axis", 0);
		return GR_OK;
	}
	case B_REVERSE_V2: return m_reverse(c, op);
	case B_REVERSE_SEQUENCE: {
		int64_t seq = oi(c, op, O_REVERSE_SEQUENCE, 0, 4, 0);
		int64_t bat = oi(c, op, O_REVERSE_SEQUENCE, 1, 4, 0);
		gr_status st = m_simple(c, op, "ReverseSequence", 2, 0);
		if (!st) {
			gr_node *n = gr_graph_node(c->g, c->g->n_nodes - 1);
			gr_node_set_int(n, "time_axis", seq);
			gr_node_set_int(n, "batch_axis", bat);
		}
		return st;
	}
	case B_SHAPE: return m_simple(c, op, "Shape", 1, 0);
	case B_RANK: return m_chain(c, op, "Shape", 1, "Size", 0);
	case B_FILL: return m_simple(c, op, "ConstantOfShape", 1, 0);
	case B_ZEROS_LIKE: return m_chain(c, op, "Shape", 1, "ConstantOfShape", 0);
	case B_RANGE: return m_simple(c, op, "Range", 3, 0);
	case B_WHERE: {
		gr_node *n;
		gr_tensor *t;
		TRY(need(c, op, 1, 1));
		if (!(t = tmp(c, out_t(c, op, 0)->name, "/nonzero")))
			return oom(c);
		EMIT(n, "NonZero", nm(c, op, "/nonzero"), (in_t(c, op, 0)), (t));
		EMIT(n, "Transpose", op->name, (t), (out_t(c, op, 0)));
		return gr_node_set_ints(n, "perm", P_T2, 2) ? GR_OK : oom(c);
	}
	case B_SCATTER_ND: {
		gr_node *n;
		gr_tensor *t;
		TRY(need(c, op, 3, 1));
		if (!(t = tmp(c, out_t(c, op, 0)->name, "/zeros")))
			return oom(c);
		EMIT(n, "ConstantOfShape", nm(c, op, "/zeros"), (in_t(c, op, 2)), (t));
		EMIT(n, "ScatterND", op->name, (t, in_t(c, op, 0), in_t(c, op, 1)), (out_t(c, op, 0)));
		return GR_OK;
	}
	/* control flow: the called subgraphs are named, not costed */
	case B_IF: return m_control(c, op, O_IF, 2);
	case B_WHILE: return m_control(c, op, O_WHILE, 2);
	case B_CALL_ONCE: return m_control(c, op, O_CALL_ONCE, 1);
	case B_CALL: return m_control(c, op, O_CALL, 1);
	default:
		return m_placeholder(c, op, 0);
	}
}

/* The operators mapped by map_builtin (for docs and tests: keep in step). */
static const int tfl_mapped_codes[] = {
	B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAXIMUM, B_MINIMUM, B_FLOOR_MOD, B_LESS, B_LESS_EQUAL,
	B_GREATER, B_GREATER_EQUAL, B_EQUAL, B_LOGICAL_AND, B_LOGICAL_OR, B_BITWISE_XOR, B_PRELU,
	B_SELECT, B_SELECT_V2, B_NOT_EQUAL, B_FLOOR_DIV, B_SQUARED_DIFFERENCE, B_RIGHT_SHIFT, B_ADD_N,
	B_ABS, B_NEG, B_EXP, B_LOG, B_SQRT, B_RSQRT, B_SQUARE, B_SIN, B_COS, B_FLOOR, B_CEIL, B_ROUND,
	B_SIGN, B_LOGICAL_NOT, B_RELU, B_RELU6, B_RELU_N1_TO_1, B_RELU_0_TO_1, B_LOGISTIC, B_TANH,
	B_ELU, B_HARD_SWISH, B_GELU, B_LEAKY_RELU, B_CAST, B_DEQUANTIZE, B_QUANTIZE, B_DENSIFY,
	B_SOFTMAX, B_LOG_SOFTMAX, B_L2_NORMALIZATION, B_LOCAL_RESPONSE_NORMALIZATION, B_CONV_2D,
	B_DEPTHWISE_CONV_2D, B_CONV_3D, B_TRANSPOSE_CONV, B_AVERAGE_POOL_2D, B_MAX_POOL_2D,
	B_L2_POOL_2D, B_DEPTH_TO_SPACE, B_SPACE_TO_DEPTH, B_RESIZE_BILINEAR, B_RESIZE_NEAREST_NEIGHBOR,
	B_FULLY_CONNECTED, B_BATCH_MATMUL, B_MEAN, B_SUM, B_REDUCE_MAX, B_REDUCE_ANY, B_REDUCE_MIN,
	B_REDUCE_ALL, B_REDUCE_PROD, B_ARG_MAX, B_ARG_MIN, B_TOPK_V2, B_CUMSUM, B_RESHAPE, B_SQUEEZE,
	B_EXPAND_DIMS, B_PACK, B_UNPACK, B_SPLIT, B_SPLIT_V, B_STRIDED_SLICE, B_SLICE, B_TRANSPOSE,
	B_CONCATENATION, B_PAD, B_PADV2, B_MIRROR_PAD, B_TILE, B_BROADCAST_TO, B_GATHER, B_GATHER_ND,
	B_EMBEDDING_LOOKUP, B_REVERSE_V2, B_REVERSE_SEQUENCE, B_SHAPE, B_RANK, B_FILL, B_ZEROS_LIKE,
	B_RANGE, B_WHERE, B_SCATTER_ND,
};

const char *gr_tflite_builtin_name(int code)
{
	return code >= 0 && code < B_COUNT ? tfl_builtin_names[code] : NULL;
}

int gr_tflite_builtin_mapped(int code)
{
	for (size_t i = 0; i < sizeof(tfl_mapped_codes) / sizeof(tfl_mapped_codes[0]); i++)
		if (tfl_mapped_codes[i] == code)
			return 1;
	return 0;
}

size_t gr_tflite_mapped_count(void)
{
	return sizeof(tfl_mapped_codes) / sizeof(tfl_mapped_codes[0]);
}

/* ==========================================================================================
 * Model, buffers, tensors, operators
 * ========================================================================================== */

static gr_status read_codes(tfl_ctx *c, const fb_table *model)
{
	fb_vec v;

	TRY(fb_vector(&c->s, model, 1, 4, "model operator_codes", &v));
	c->nc = v.len;
	c->codes = gr_arena_calloc(c->a, v.len ? v.len : 1, sizeof(*c->codes));
	if (!c->codes)
		return oom(c);
	for (uint32_t k = 0; k < v.len; k++) {
		fb_table t;
		int64_t dep, code;
		const char *s;
		size_t len;
		char what[64];

		snprintf(what, sizeof(what), "operator code #%u", k);
		TRY(fb_vec_table(&c->s, &v, k, model->depth + 1, what, &t));
		TRY(fb_int(&c->s, &t, 0, 1, 1, 0, what, &dep));
		TRY(fb_string(&c->s, &t, 1, what, &s, &len));
		TRY(fb_int(&c->s, &t, 3, 4, 1, 0, what, &code));
		/* the extended builtin_code field wins unless it is older than the byte field */
		c->codes[k].code = (int32_t)(code > dep ? code : dep);
		if (c->codes[k].code < 0)
			return fb_error(&c->s, t.pos, GR_ERR_FORMAT, "%s: builtin code %d", what,
					c->codes[k].code);
		if (s && !(c->codes[k].custom = clean_name(c, s, len)))
			return oom(c);
	}
	return GR_OK;
}

static gr_status read_buffers(tfl_ctx *c, const fb_table *model)
{
	fb_vec v;

	TRY(fb_vector(&c->s, model, 4, 4, "model buffers", &v));
	c->nb = v.len;
	c->bufs = calloc(v.len ? v.len : 1, sizeof(*c->bufs));
	if (!c->bufs)
		return oom(c);
	for (uint32_t k = 0; k < v.len; k++) {
		fb_table t;
		fb_vec data;
		uint64_t off, size;
		char what[64];

		snprintf(what, sizeof(what), "buffer #%u", k);
		TRY(fb_vec_table(&c->s, &v, k, model->depth + 1, what, &t));
		TRY(fb_vector(&c->s, &t, 0, 1, what, &data));
		TRY(fb_u64(&c->s, &t, 1, what, &off));
		TRY(fb_u64(&c->s, &t, 2, what, &size));
		if (data.at) {
			c->bufs[k].off = data.data;
			c->bufs[k].len = data.len;
		} else if (off > 1) {
			/* models over 2 GB keep constants after the flatbuffer */
			if (off > c->s.n || size > c->s.n - off)
				return fb_error(&c->s, t.pos, GR_ERR_FORMAT,
						"%s: its data (%llu bytes at %llu) lies outside the file", what,
						(unsigned long long)size, (unsigned long long)off);
			c->bufs[k].off = (size_t)off;
			c->bufs[k].len = (size_t)size;
		}
	}
	return GR_OK;
}

/* Verifies a tensor's quantization parameters (scales, zero points, channel axis). */
static gr_status read_quant(tfl_ctx *c, const fb_table *q, const char *what, const tfl_tensor *tt)
{
	fb_vec mn, mx, sc, zp;
	int64_t dtype, qdim;
	fb_table det;
	int found;

	TRY(fb_vector(&c->s, q, 0, 4, what, &mn));
	TRY(fb_vector(&c->s, q, 1, 4, what, &mx));
	TRY(fb_vector(&c->s, q, 2, 4, what, &sc));
	TRY(fb_vector(&c->s, q, 3, 8, what, &zp));
	TRY(fb_int(&c->s, q, 4, 1, 0, 0, what, &dtype));
	TRY(fb_subtable(&c->s, q, 5, what, &det, &found));
	if (found) {
		fb_vec custom;
		TRY(fb_vector(&c->s, &det, 0, 1, what, &custom));
	}
	TRY(fb_int(&c->s, q, 6, 4, 1, 0, what, &qdim));
	if (sc.len > 1) {
		if (qdim < 0 || qdim >= tt->rank)
			return fb_error(&c->s, q->pos, GR_ERR_FORMAT,
					"%s: quantized_dimension %lld is outside rank %d", what,
					(long long)qdim, tt->rank);
		if (tt->dims[qdim] >= 0 && sc.len != tt->dims[qdim])
			return fb_error(&c->s, sc.at, GR_ERR_FORMAT,
					"%s: %u scales for dim %lld of size %lld", what, sc.len,
					(long long)qdim, (long long)tt->dims[qdim]);
		c->n_per_channel++;
	}
	if (zp.len > 1 && zp.len != sc.len)
		return fb_error(&c->s, zp.at, GR_ERR_FORMAT, "%s: %u zero points for %u scales", what,
				zp.len, sc.len);
	if (sc.len)
		c->n_quant++;
	return GR_OK;
}

/* Verifies sparsity parameters (TACO-style); the tensor keeps its dense shape. */
static gr_status read_sparsity(tfl_ctx *c, const fb_table *sp, const char *what)
{
	fb_vec trav, bmap, dm;

	TRY(fb_vector(&c->s, sp, 0, 4, what, &trav));
	TRY(fb_vector(&c->s, sp, 1, 4, what, &bmap));
	TRY(fb_vector(&c->s, sp, 2, 4, what, &dm));
	for (uint32_t k = 0; k < dm.len; k++) {
		fb_table t;
		int64_t type;
		TRY(fb_vec_table(&c->s, &dm, k, sp->depth + 1, what, &t));
		for (unsigned f = 2; f <= 4; f += 2) {
			fb_table iv;
			int found;
			fb_vec vals;
			unsigned elem;
			TRY(fb_int(&c->s, &t, f, 1, 0, 0, what, &type));
			TRY(fb_subtable(&c->s, &t, f + 1, what, &iv, &found));
			if (!found)
				continue;
			elem = type == 1 ? 4 : type == 2 ? 2 : type == 3 ? 1 : 0;
			if (!elem)
				return fb_error(&c->s, t.pos, GR_ERR_FORMAT, "%s: sparse index type %lld",
						what, (long long)type);
			TRY(fb_vector(&c->s, &iv, 0, elem, what, &vals));
		}
	}
	return GR_OK;
}

/* Loads a small constant's values: integers (shape operands) and small floats. */
static gr_status load_values(tfl_ctx *c, tfl_tensor *tt, const unsigned char *p, int64_t numel)
{
	int64_t *iv = NULL;
	double *fv = NULL;
	gr_status st = GR_OK;
	int bytes = gr_dtype_bits(tt->dtype) / 8;

	switch (tt->dtype) {
	case GR_DTYPE_INT32: case GR_DTYPE_INT64:
		if (numel > GR_FOLD_MAX)
			return GR_OK;
		break;
	case GR_DTYPE_INT8: case GR_DTYPE_UINT8: case GR_DTYPE_INT16: case GR_DTYPE_UINT16:
	case GR_DTYPE_BOOL: case GR_DTYPE_FLOAT: case GR_DTYPE_DOUBLE:
		if (numel > TFL_SMALL_FLOAT)
			return GR_OK;
		break;
	default:
		return GR_OK;
	}
	if (tt->dtype == GR_DTYPE_FLOAT || tt->dtype == GR_DTYPE_DOUBLE) {
		if (!(fv = malloc((size_t)(numel ? numel : 1) * sizeof(double))))
			return oom(c);
		for (int64_t i = 0; i < numel; i++) {
			if (tt->dtype == GR_DTYPE_FLOAT) {
				float f;
				uint32_t u = ld32(p + 4 * i);
				memcpy(&f, &u, sizeof(f));
				fv[i] = f;
			} else {
				uint64_t u = ld64(p + 8 * i);
				memcpy(&fv[i], &u, sizeof(double));
			}
		}
		st = gr_tensor_set_f64(c->g, tt->t, fv, numel);
	} else {
		if (!(iv = malloc((size_t)(numel ? numel : 1) * sizeof(int64_t))))
			return oom(c);
		for (int64_t i = 0; i < numel; i++) {
			const unsigned char *q = p + (size_t)i * (size_t)bytes;
			switch (tt->dtype) {
			case GR_DTYPE_INT32: iv[i] = ld32s(q); break;
			case GR_DTYPE_INT64: memcpy(&iv[i], &(uint64_t){ld64(q)}, sizeof(int64_t)); break;
			case GR_DTYPE_INT8: iv[i] = (int8_t)q[0]; break;
			case GR_DTYPE_INT16: iv[i] = (int16_t)ld16(q); break;
			case GR_DTYPE_UINT16: iv[i] = ld16(q); break;
			default: iv[i] = q[0]; break;
			}
		}
		st = gr_tensor_set_i64(c->g, tt->t, iv, numel);
	}
	free(iv);
	free(fv);
	return st ? oom(c) : GR_OK;
}

static gr_status read_tensor(tfl_ctx *c, const fb_vec *tv, uint32_t k, int depth)
{
	tfl_tensor *tt = &c->ts[k];
	fb_table t, sub;
	fb_vec shape, sig;
	int64_t type, buf, var, has_rank, numel = 1;
	const char *s;
	size_t len;
	char what[96], *name;
	gr_dim dims[GR_MAX_RANK];
	int found, dt, unknown = 0;

	snprintf(what, sizeof(what), "tensor #%u", k);
	TRY(fb_vec_table(&c->s, tv, k, depth, what, &t));
	tt->pos = t.pos;
	TRY(fb_vector(&c->s, &t, 0, 4, what, &shape));
	TRY(fb_int(&c->s, &t, 1, 1, 1, 0, what, &type));
	TRY(fb_int(&c->s, &t, 2, 4, 0, 0, what, &buf));
	TRY(fb_string(&c->s, &t, 3, what, &s, &len));
	TRY(fb_int(&c->s, &t, 5, 1, 0, 0, what, &var));
	TRY(fb_vector(&c->s, &t, 7, 4, what, &sig));
	TRY(fb_int(&c->s, &t, 8, 1, 0, 0, what, &has_rank));
	if (s && len) {
		char shown[41];
		size_t m = len < 40 ? len : 40;
		for (size_t i = 0; i < m; i++)
			shown[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
		shown[m] = 0;
		snprintf(what, sizeof(what), "tensor #%u ('%s%s')", k, shown, len > 40 ? "..." : "");
	}
	if ((dt = tfl_dtype(type)) < 0)
		return fb_error(&c->s, t.pos, GR_ERR_FORMAT, "%s: unknown type %lld", what, (long long)type);
	tt->dtype = (gr_dtype)dt;
	if (shape.len > GR_MAX_RANK)
		return fb_error(&c->s, shape.at, GR_ERR_LIMIT, "%s: rank %u (at most %d)", what,
				shape.len, GR_MAX_RANK);
	if (sig.at && sig.len != shape.len)
		return fb_error(&c->s, sig.at, GR_ERR_FORMAT, "%s: shape_signature has %u dims, shape %u",
				what, sig.len, shape.len);
	if (buf >= c->nb)
		return fb_error(&c->s, t.pos, GR_ERR_FORMAT, "%s: buffer #%lld (the model has %u)", what,
				(long long)buf, c->nb);
	tt->rank = (int)shape.len;
	tt->dims = gr_arena_calloc(c->a, shape.len ? shape.len : 1, sizeof(int64_t));
	if (!tt->dims)
		return oom(c);
	for (uint32_t i = 0; i < shape.len; i++) {
		int64_t d = vec_i32(&c->s, &shape, i);
		if (d < -1)
			return fb_error(&c->s, shape.at, GR_ERR_FORMAT, "%s: dim %u is %lld", what, i,
					(long long)d);
		tt->dims[i] = d;
		dims[i].value = d;
		dims[i].sym = NULL;
		if (sig.at && vec_i32(&c->s, &sig, i) == -1) {
			dims[i].sym = i == 0 ? "batch" : "dynamic";
		}
		if (d < 0)
			unknown = 1;
		else if (!gr_mul_i64(numel, d, &numel) || numel > TFL_MAX_NUMEL)
			return fb_error(&c->s, shape.at, GR_ERR_LIMIT, "%s: more than 2^50 elements", what);
	}
	TRY(fb_subtable(&c->s, &t, 4, what, &sub, &found));
	if (found)
		TRY(read_quant(c, &sub, what, tt));
	TRY(fb_subtable(&c->s, &t, 6, what, &sub, &found));
	if (found) {
		TRY(read_sparsity(c, &sub, what));
		tt->sparse = 1;
	}
	tt->variable = var != 0;
	/* unique, printable name */
	name = s && len ? clean_name(c, s, len) : NULL;
	if (s && len && !name)
		return oom(c);
	if (!name || gr_graph_tensor(c->g, name)) {
		char nb[480];
		snprintf(nb, sizeof(nb), "%.400s#%u", name ? name : "tensor", k);
		while (gr_graph_tensor(c->g, nb))
			snprintf(nb, sizeof(nb), "%.400s#%u.%lu", name ? name : "tensor", k, ++c->uniq);
		name = gr_arena_strdup(c->a, nb);
	}
	if (!name || !(tt->t = gr_graph_tensor_def(c->g, name)))
		return oom(c);
	tt->t->dtype = tt->dtype;
	/* the declared shape, for reference (never used by inference) */
	if (shape.len || has_rank || c->bufs[buf].len) {
		tt->t->decl_rank = (int)shape.len;
		if (shape.len && !(tt->t->decl_dims = gr_arena_calloc(c->a, shape.len, sizeof(gr_dim))))
			return oom(c);
		if (shape.len)
			memcpy(tt->t->decl_dims, dims, shape.len * sizeof(gr_dim));
	} else {
		tt->rank = -1;
	}
	if (tt->sparse) {
		c->n_sparse++;
		if (!c->first_sparse)
			c->first_sparse = name;
	}
	/* constants: a buffer with data */
	if (c->bufs[buf].len) {
		const tfl_buffer *b = &c->bufs[buf];
		int bits = gr_dtype_bits(tt->dtype);
		tt->is_const = 1;
		if (unknown)
			return fb_error(&c->s, t.pos, GR_ERR_FORMAT, "%s: constant with unknown dims", what);
		if (!tt->sparse && bits && tt->dtype != GR_DTYPE_STRING) {
			double need = ceil((double)numel * bits / 8.0);
			if ((double)b->len < need)
				return fb_error(&c->s, b->off, GR_ERR_FORMAT,
						"%s needs %.0f bytes, buffer #%lld holds %zu", what, need,
						(long long)buf, b->len);
			TRY(gr_tensor_set_shape(c->g, tt->t, tt->dtype, tt->rank < 0 ? 0 : tt->rank, dims)
				    ? oom(c) : GR_OK);
			TRY(load_values(c, tt, c->s.d + b->off, numel));
		} else {
			TRY(gr_tensor_set_shape(c->g, tt->t, tt->dtype, tt->rank < 0 ? 0 : tt->rank, dims)
				    ? oom(c) : GR_OK);
		}
		if (gr_graph_add_initializer(c->g, tt->t))
			return oom(c);
	}
	return GR_OK;
}

/* Reads operator k of the subgraph and maps it. */
static gr_status read_operator(tfl_ctx *c, const fb_vec *ov, uint32_t k, int depth)
{
	tfl_op op;
	fb_table t, sub;
	fb_vec in, out, v;
	int64_t idx, otype, o2type;
	uint64_t loff, lsize;
	char what[64];
	int found;
	gr_status st;

	memset(&op, 0, sizeof(op));
	snprintf(what, sizeof(what), "operator #%u", k);
	TRY(fb_vec_table(&c->s, ov, k, depth, what, &t));
	op.idx = k;
	op.pos = t.pos;
	TRY(fb_int(&c->s, &t, 0, 4, 0, 0, what, &idx));
	if (idx >= c->nc)
		return fb_error(&c->s, t.pos, GR_ERR_FORMAT, "%s: opcode_index %lld (the model has %u)",
				what, (long long)idx, c->nc);
	op.code = c->codes[idx].code;
	op.custom = c->codes[idx].custom;
	op.opname = op.code == B_CUSTOM && op.custom ? op.custom
		  : op.code < B_COUNT ? tfl_builtin_names[op.code] : NULL;
	if (!op.opname) {
		char nb[32];
		snprintf(nb, sizeof(nb), "BUILTIN_%d", op.code);
		op.opname = gr_arena_strdup(c->a, nb);
	}
	snprintf(op.what, sizeof(op.what), "operator #%u (%.60s)", k, op.opname ? op.opname : "?");
	TRY(fb_vector(&c->s, &t, 1, 4, op.what, &in));
	TRY(fb_vector(&c->s, &t, 2, 4, op.what, &out));
	TRY(fb_int(&c->s, &t, 3, 1, 0, 0, op.what, &otype));
	TRY(fb_subtable(&c->s, &t, 4, op.what, &op.opt, &op.has_opt));
	op.opt_type = (int)otype;
	TRY(fb_vector(&c->s, &t, 5, 1, op.what, &v));
	op.copt = v.data;
	op.copt_len = v.len;
	TRY(fb_vector(&c->s, &t, 7, 1, op.what, &v));
	TRY(fb_vector(&c->s, &t, 8, 4, op.what, &v));
	TRY(fb_u64(&c->s, &t, 9, op.what, &loff));
	TRY(fb_u64(&c->s, &t, 10, op.what, &lsize));
	if (!op.copt_len && loff > 1) {
		if (loff > c->s.n || lsize > c->s.n - loff)
			return fb_error(&c->s, t.pos, GR_ERR_FORMAT, "%s: custom options lie outside the file",
					op.what);
		op.copt = (size_t)loff;
		op.copt_len = (size_t)lsize;
	}
	TRY(fb_int(&c->s, &t, 11, 1, 0, 0, op.what, &o2type));
	TRY(fb_subtable(&c->s, &t, 12, op.what, &sub, &found));
	if (!out.len)
		return fb_error(&c->s, t.pos, GR_ERR_FORMAT, "%s has no outputs", op.what);
	op.n_in = in.len;
	op.n_out = out.len;
	op.in = malloc((in.len + out.len + 1) * sizeof(int32_t));
	if (!op.in)
		return oom(c);
	op.out = op.in + in.len;
	for (uint32_t i = 0; i < in.len + out.len; i++) {
		int is_in = i < in.len;
		int32_t x = is_in ? vec_i32(&c->s, &in, i) : vec_i32(&c->s, &out, i - in.len);
		if (x < (is_in ? -1 : 0) || x >= (int64_t)c->nt) {
			st = fb_error(&c->s, is_in ? in.at : out.at, GR_ERR_FORMAT,
				      "%s: %s %u is tensor %d (the subgraph has %u)", op.what,
				      is_in ? "input" : "output", is_in ? i : i - in.len, x, c->nt);
			free(op.in);
			return st;
		}
		op.in[i] = x;
		if (!is_in)
			c->ts[x].produced = 1;
	}
	op.name = c->ts[op.out[0]].t->name;
	c->fst = GR_OK;
	st = op.code == B_CUSTOM && op.custom ? map_custom(c, &op) : map_builtin(c, &op);
	if (!st && c->fst)
		st = c->fst;
	if (st == GR_ERR_UNSUPPORTED) {
		/* an operand form the mapping cannot express: keep the operator, uncosted */
		const char *m = c->s.err ? c->s.err->msg : "unsupported operator form";
		if (!strncmp(m, "cannot read ", 12))
			m += 12;
		gr_log_warn("%s; left uncosted", m);
		st = m_placeholder(c, &op, op.code == B_CUSTOM);
	}
	free(op.in);
	return st;
}

static gr_status read_subgraph(tfl_ctx *c, const fb_table *model)
{
	fb_vec sgs, tv, iv, outv, ov;
	fb_table sg;
	const char *s;
	size_t len;

	TRY(fb_vector(&c->s, model, 2, 4, "model subgraphs", &sgs));
	if (!sgs.len)
		return fb_error(&c->s, model->pos, GR_ERR_FORMAT, "the model has no subgraphs");
	c->n_subgraphs = sgs.len;
	TRY(fb_vec_table(&c->s, &sgs, 0, model->depth + 1, "subgraph 0", &sg));
	TRY(fb_vector(&c->s, &sg, 0, 4, "subgraph 0 tensors", &tv));
	TRY(fb_vector(&c->s, &sg, 1, 4, "subgraph 0 inputs", &iv));
	TRY(fb_vector(&c->s, &sg, 2, 4, "subgraph 0 outputs", &outv));
	TRY(fb_vector(&c->s, &sg, 3, 4, "subgraph 0 operators", &ov));
	TRY(fb_string(&c->s, &sg, 4, "subgraph 0 name", &s, &len));
	if (s && len && !(c->g->name = clean_name(c, s, len)))
		return oom(c);
	c->nt = tv.len;
	if (!(c->ts = calloc(tv.len ? tv.len : 1, sizeof(*c->ts))))
		return oom(c);
	for (uint32_t k = 0; k < tv.len; k++)
		TRY(read_tensor(c, &tv, k, sg.depth + 1));
	for (uint32_t k = 0; k < iv.len; k++) {
		int32_t x = vec_i32(&c->s, &iv, k);
		tfl_tensor *tt;
		gr_dim d[GR_MAX_RANK];
		if (x < 0 || (uint32_t)x >= c->nt)
			return fb_error(&c->s, iv.at, GR_ERR_FORMAT, "subgraph input %u is tensor %d (the "
					"subgraph has %u)", k, x, c->nt);
		tt = &c->ts[x];
		if (tt->is_const || tt->t->is_input)
			continue;
		if (tt->rank > 0)
			memcpy(d, tt->t->decl_dims, (size_t)tt->rank * sizeof(gr_dim));
		if (gr_tensor_set_shape(c->g, tt->t, tt->dtype, tt->rank, d) ||
		    gr_graph_add_input(c->g, tt->t))
			return oom(c);
	}
	for (uint32_t k = 0; k < ov.len; k++)
		TRY(read_operator(c, &ov, k, sg.depth + 1));
	for (uint32_t k = 0; k < outv.len; k++) {
		int32_t x = vec_i32(&c->s, &outv, k);
		if (x < 0 || (uint32_t)x >= c->nt)
			return fb_error(&c->s, outv.at, GR_ERR_FORMAT, "subgraph output %u is tensor %d (the "
					"subgraph has %u)", k, x, c->nt);
		if (!c->ts[x].t->is_output && gr_graph_add_output(c->g, c->ts[x].t))
			return oom(c);
	}
	/* variable tensors (state) read before anything writes them are inputs of the step */
	for (uint32_t k = 0; k < c->nt; k++) {
		tfl_tensor *tt = &c->ts[k];
		if (tt->variable && !tt->is_const && !tt->produced && !tt->t->is_input) {
			gr_dim d[GR_MAX_RANK];
			if (tt->rank > 0)
				memcpy(d, tt->t->decl_dims, (size_t)tt->rank * sizeof(gr_dim));
			if (gr_tensor_set_shape(c->g, tt->t, tt->dtype, tt->rank, d) ||
			    gr_graph_add_input(c->g, tt->t))
				return oom(c);
		}
	}
	return GR_OK;
}

static void warn_summary(tfl_ctx *c)
{
	if (c->n_unmapped) {
		char list[512];
		size_t len = 0;
		for (size_t i = 0; i < c->n_unmapped_kinds && len < sizeof(list) - 96; i++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s%.60s%s x%zu",
						i ? ", " : "", c->unmapped[i].custom ? "custom '" : "",
						c->unmapped[i].name, c->unmapped[i].custom ? "'" : "",
						c->unmapped[i].count);
		gr_log_warn("'%s': %zu operator%s not costed (not in the op table): %s%s", c->s.name,
			    c->n_unmapped, c->n_unmapped == 1 ? " is" : "s are", list,
			    c->n_unmapped_kinds == TFL_MAX_UNMAPPED ? ", ..." : "");
	}
	if (c->called[0])
		gr_log_warn("'%s': subgraphs called by control flow are not costed: %s", c->s.name,
			    c->called);
	if (c->n_sparse)
		gr_log_warn("'%s': %zu sparse tensor%s (e.g. '%.60s') counted with %s dense shape%s",
			    c->s.name, c->n_sparse, c->n_sparse == 1 ? "" : "s", c->first_sparse,
			    c->n_sparse == 1 ? "its" : "their", c->n_sparse == 1 ? "" : "s");
}

gr_status gr_tflite_load_mem(const unsigned char *data, size_t size, const char *name,
			     gr_graph **out, gr_error *err)
{
	tfl_ctx *c;
	fb_table model;
	size_t root = 0;
	int64_t version;
	gr_status st;

	if (!out)
		return gr_error_set(err, GR_ERR_USAGE, "gr_tflite_load_mem: no output pointer");
	*out = NULL;
	if (!(c = calloc(1, sizeof(*c))))
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	c->s.d = data;
	c->s.n = data ? size : 0;
	c->s.name = name ? name : "<memory>";
	c->s.err = err;
	/* a real model visits each element about once; 16 per byte leaves room, no more */
	c->s.work_max = 16 * (uint64_t)c->s.n + (1u << 20);
	if (c->s.n == 0) {
		st = gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': file is empty", c->s.name);
		goto done;
	}
	if (c->s.n < 8) {
		st = fb_error(&c->s, 0, GR_ERR_FORMAT, "%zu bytes is too short for a TFLite model",
			      c->s.n);
		goto done;
	}
	if (memcmp(c->s.d + 4, "TFL3", 4) != 0) {
		st = fb_error(&c->s, 4, GR_ERR_FORMAT,
			      "not a TFLite model (no 'TFL3' file identifier)");
		goto done;
	}
	if (!(c->g = gr_graph_new("tflite"))) {
		st = oom(c);
		goto done;
	}
	c->a = gr_graph_arena(c->g);
	c->g->opset = 18; /* the nodes follow ONNX opset 18 (Resize axes, Split num_outputs) */
	if ((st = fb_follow(&c->s, 0, "model root", &root)) ||
	    (st = fb_table_at(&c->s, root, 0, "model", &model)) ||
	    (st = fb_int(&c->s, &model, 0, 4, 0, 0, "model", &version)))
		goto done;
	if (version != 3) {
		st = fb_error(&c->s, model.pos, GR_ERR_UNSUPPORTED,
			      "schema version %lld is not supported (3 is)", (long long)version);
		goto done;
	}
	if ((st = read_codes(c, &model)) || (st = read_buffers(c, &model)) ||
	    (st = read_subgraph(c, &model)))
		goto done;
	if ((st = gr_graph_finalize(c->g, err))) {
		gr_error_prefix(err, "cannot read '%s'", c->s.name);
		goto done;
	}
	warn_summary(c);
	*out = c->g;
	c->g = NULL;
done:
	gr_graph_free(c->g);
	free(c->ts);
	free(c->bufs);
	free(c);
	return st;
}
