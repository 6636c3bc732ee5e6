/* TFLite frontend: the builtin operator table. Names every builtin, dispatches each
 * operator to its mapper, and turns what the core cannot cost into placeholders. */
#include <stdio.h>
#include <string.h>

#include "frontends/tflite_read.h"

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

/* An operator the core cannot cost: a node of an unknown op type (domain "tflite" for
 * builtins, "tflite.custom" for custom codes) so that it is reported, never free. */
gr_status tfl_map_placeholder(tfl_ctx *c, const tfl_op *op, int custom)
{
	gr_node *n = node(c, op->opname, custom ? "tflite.custom" : "tflite", op->name, op->n_in,
			  op->n_out);

	if (!n)
		return oom(c);
	for (size_t i = 0; i < op->n_in; i++)
		n->in[i] = in_t(c, op, i);
	for (size_t i = 0; i < op->n_out; i++)
		n->out[i] = out_t(c, op, i);
	fe_unmapped_note(&c->unmapped, op->opname, custom);
	return GR_OK;
}

/* Control flow: the subgraphs it calls are checked and named in a warning, not costed. */
static gr_status map_control(tfl_ctx *c, const tfl_op *op, int want, int n_refs)
{
	for (int k = 0; k < n_refs; k++) {
		int64_t sg = tfl_opt_int(c, op, want, (unsigned)k, 4, 0);
		size_t len = strlen(c->called);
		if (c->fst)
			return c->fst;
		if (sg < 0 || sg >= c->n_subgraphs)
			return tfl_op_error(c, op, GR_ERR_FORMAT, "calls subgraph %lld, the model has %u",
					    (long long)sg, c->n_subgraphs);
		if (len < sizeof(c->called) - 32)
			snprintf(c->called + len, sizeof(c->called) - len, "%s%lld (%s)", len ? ", " : "",
				 (long long)sg, op->opname);
	}
	return tfl_map_placeholder(c, op, 0);
}

/* MediaPipe's custom operators; other custom codes become placeholders. */
static gr_status map_custom(tfl_ctx *c, const tfl_op *op)
{
	if (!strcmp(op->custom, "Convolution2DTransposeBias"))
		return tfl_map_transpose_conv(c, op, 1);
	if (!strcmp(op->custom, "MaxPoolingWithArgmax2D"))
		return tfl_map_pool(c, op, "MaxPool", 1);
	if (!strcmp(op->custom, "MaxUnpooling2D"))
		return tfl_map_max_unpool(c, op);
	return tfl_map_placeholder(c, op, 1);
}

static gr_status map_builtin(tfl_ctx *c, const tfl_op *op)
{
	int64_t a;

	switch (op->code) {
	/* elementwise with a fused activation */
	case B_ADD: a = tfl_opt_int(c, op, O_ADD, 0, 1, 0); return tfl_map_simple(c, op, "Add", 2, a);
	case B_SUB: a = tfl_opt_int(c, op, O_SUB, 0, 1, 0); return tfl_map_simple(c, op, "Sub", 2, a);
	case B_MUL: a = tfl_opt_int(c, op, O_MUL, 0, 1, 0); return tfl_map_simple(c, op, "Mul", 2, a);
	case B_DIV: a = tfl_opt_int(c, op, O_DIV, 0, 1, 0); return tfl_map_simple(c, op, "Div", 2, a);
	/* binary */
	case B_POW: return tfl_map_simple(c, op, "Pow", 2, 0);
	case B_MAXIMUM: return tfl_map_simple(c, op, "Max", 2, 0);
	case B_MINIMUM: return tfl_map_simple(c, op, "Min", 2, 0);
	case B_FLOOR_MOD: return tfl_map_simple(c, op, "Mod", 2, 0);
	case B_LESS: return tfl_map_simple(c, op, "Less", 2, 0);
	case B_LESS_EQUAL: return tfl_map_simple(c, op, "LessOrEqual", 2, 0);
	case B_GREATER: return tfl_map_simple(c, op, "Greater", 2, 0);
	case B_GREATER_EQUAL: return tfl_map_simple(c, op, "GreaterOrEqual", 2, 0);
	case B_EQUAL: return tfl_map_simple(c, op, "Equal", 2, 0);
	case B_LOGICAL_AND: return tfl_map_simple(c, op, "And", 2, 0);
	case B_LOGICAL_OR: return tfl_map_simple(c, op, "Or", 2, 0);
	case B_BITWISE_XOR: return tfl_map_simple(c, op, "BitwiseXor", 2, 0);
	case B_PRELU: return tfl_map_simple(c, op, "PRelu", 2, 0);
	case B_SELECT: case B_SELECT_V2: return tfl_map_simple(c, op, "Where", 3, 0);
	case B_NOT_EQUAL: return tfl_map_chain(c, op, "Equal", 2, "Not", 0);
	case B_FLOOR_DIV: return tfl_map_chain(c, op, "Div", 2, "Floor", 0);
	case B_SQUARED_DIFFERENCE: return tfl_map_chain(c, op, "Sub", 2, "Mul", 1);
	case B_RIGHT_SHIFT: {
		gr_status st = tfl_map_simple(c, op, "BitShift", 2, 0);
		if (!st)
			gr_node_set_str(gr_graph_node(c->g, c->g->n_nodes - 1), "direction", "RIGHT");
		return st;
	}
	case B_ADD_N: return tfl_map_variadic(c, op, "Sum", out_t(c, op, 0)) ? GR_OK : oom(c);
	/* unary and activations */
	case B_ABS: return tfl_map_simple(c, op, "Abs", 1, 0);
	case B_NEG: return tfl_map_simple(c, op, "Neg", 1, 0);
	case B_EXP: return tfl_map_simple(c, op, "Exp", 1, 0);
	case B_LOG: return tfl_map_simple(c, op, "Log", 1, 0);
	case B_SQRT: return tfl_map_simple(c, op, "Sqrt", 1, 0);
	case B_RSQRT: return tfl_map_chain(c, op, "Sqrt", 1, "Reciprocal", 0);
	case B_SQUARE: {
		gr_node *n;
		TRY(tfl_need(c, op, 1, 1));
		EMIT(n, "Mul", op->name, (in_t(c, op, 0), in_t(c, op, 0)), (out_t(c, op, 0)));
		return GR_OK;
	}
	case B_SIN: return tfl_map_simple(c, op, "Sin", 1, 0);
	case B_COS: return tfl_map_simple(c, op, "Cos", 1, 0);
	case B_FLOOR: return tfl_map_simple(c, op, "Floor", 1, 0);
	case B_CEIL: return tfl_map_simple(c, op, "Ceil", 1, 0);
	case B_ROUND: return tfl_map_simple(c, op, "Round", 1, 0);
	case B_SIGN: return tfl_map_simple(c, op, "Sign", 1, 0);
	case B_LOGICAL_NOT: return tfl_map_simple(c, op, "Not", 1, 0);
	case B_RELU: return tfl_map_simple(c, op, "Relu", 1, 0);
	case B_RELU6: return tfl_map_clip(c, op, 0, 6);
	case B_RELU_N1_TO_1: return tfl_map_clip(c, op, -1, 1);
	case B_RELU_0_TO_1: return tfl_map_clip(c, op, 0, 1);
	case B_LOGISTIC: return tfl_map_simple(c, op, "Sigmoid", 1, 0);
	case B_TANH: return tfl_map_simple(c, op, "Tanh", 1, 0);
	case B_ELU: return tfl_map_simple(c, op, "Elu", 1, 0);
	case B_HARD_SWISH: return tfl_map_simple(c, op, "HardSwish", 1, 0);
	case B_GELU: {
		int64_t approx = tfl_opt_int(c, op, O_GELU, 0, 1, 0);
		gr_status st = tfl_map_simple(c, op, "Gelu", 1, 0);
		if (!st && approx)
			gr_node_set_str(gr_graph_node(c->g, c->g->n_nodes - 1), "approximate", "tanh");
		return st;
	}
	case B_LEAKY_RELU: {
		double alpha = tfl_opt_float(c, op, O_LEAKY_RELU, 0, 0.2f);
		gr_status st = tfl_map_simple(c, op, "LeakyRelu", 1, 0);
		if (!st)
			gr_node_set_float(gr_graph_node(c->g, c->g->n_nodes - 1), "alpha", alpha);
		return st;
	}
	case B_CAST: {
		gr_status st = tfl_map_simple(c, op, "Cast", 1, 0);
		if (!st)
			gr_node_set_int(gr_graph_node(c->g, c->g->n_nodes - 1), "to",
			      c->ts[op->out[0]].dtype ? c->ts[op->out[0]].dtype : GR_DTYPE_FLOAT);
		return st;
	}
	case B_DEQUANTIZE: return tfl_map_quant(c, op, 1);
	case B_QUANTIZE: return tfl_map_quant(c, op, 0);
	case B_DENSIFY: return tfl_map_simple(c, op, "Identity", 1, 0);
	/* normalization and softmax */
	case B_SOFTMAX: case B_LOG_SOFTMAX: {
		gr_status st = tfl_map_simple(c, op, op->code == B_SOFTMAX ? "Softmax" : "LogSoftmax", 1, 0);
		if (!st)
			gr_node_set_int(gr_graph_node(c->g, c->g->n_nodes - 1), "axis", -1);
		return st;
	}
	case B_L2_NORMALIZATION: {
		gr_status st = tfl_map_simple(c, op, "LpNormalization", 1, 0);
		if (!st) {
			gr_node *n = gr_graph_node(c->g, c->g->n_nodes - 1);
			gr_node_set_int(n, "axis", -1);
			gr_node_set_int(n, "p", 2);
		}
		return st;
	}
	case B_LOCAL_RESPONSE_NORMALIZATION: {
		int64_t radius = tfl_opt_int(c, op, O_LRN, 0, 4, 0);
		double bias = tfl_opt_float(c, op, O_LRN, 1, 1), alpha = tfl_opt_float(c, op, O_LRN, 2, 1),
		       beta = tfl_opt_float(c, op, O_LRN, 3, 0.5f);
		gr_status st = tfl_map_simple(c, op, "LRN", 1, 0);
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
	case B_CONV_2D: return tfl_map_conv(c, op, 0);
	case B_DEPTHWISE_CONV_2D: return tfl_map_conv(c, op, 1);
	case B_CONV_3D: return tfl_map_conv3d(c, op);
	case B_TRANSPOSE_CONV: return tfl_map_transpose_conv(c, op, 0);
	case B_AVERAGE_POOL_2D: return tfl_map_pool(c, op, "AveragePool", 0);
	case B_MAX_POOL_2D: return tfl_map_pool(c, op, "MaxPool", 0);
	case B_L2_POOL_2D: return tfl_map_pool(c, op, "LpPool", 0);
	case B_DEPTH_TO_SPACE: return tfl_map_depth_space(c, op, "DepthToSpace", O_DEPTH_TO_SPACE);
	case B_SPACE_TO_DEPTH: return tfl_map_depth_space(c, op, "SpaceToDepth", O_SPACE_TO_DEPTH);
	case B_RESIZE_BILINEAR: return tfl_map_resize(c, op, 1);
	case B_RESIZE_NEAREST_NEIGHBOR: return tfl_map_resize(c, op, 0);
	/* matrix products */
	case B_FULLY_CONNECTED: return tfl_map_fully_connected(c, op);
	case B_BATCH_MATMUL: return tfl_map_batch_matmul(c, op);
	/* reductions */
	case B_MEAN: return tfl_map_reduce(c, op, "ReduceMean");
	case B_SUM: return tfl_map_reduce(c, op, "ReduceSum");
	case B_REDUCE_MAX: case B_REDUCE_ANY: return tfl_map_reduce(c, op, "ReduceMax");
	case B_REDUCE_MIN: case B_REDUCE_ALL: return tfl_map_reduce(c, op, "ReduceMin");
	case B_REDUCE_PROD: return tfl_map_reduce(c, op, "ReduceProd");
	case B_ARG_MAX: return tfl_map_argreduce(c, op, "ArgMax");
	case B_ARG_MIN: return tfl_map_argreduce(c, op, "ArgMin");
	case B_TOPK_V2: {
		gr_node *n;
		TRY(tfl_need(c, op, 2, 2));
		EMIT(n, "TopK", op->name, (in_t(c, op, 0), in_t(c, op, 1)), (out_t(c, op, 0), out_t(c, op, 1)));
		return GR_OK;
	}
	case B_CUMSUM: {
		int64_t ex = tfl_opt_int(c, op, O_CUMSUM, 0, 1, 0), rev = tfl_opt_int(c, op, O_CUMSUM, 1, 1, 0);
		gr_status st = tfl_map_simple(c, op, "CumSum", 2, 0);
		if (!st) {
			gr_node *n = gr_graph_node(c->g, c->g->n_nodes - 1);
			gr_node_set_int(n, "exclusive", ex != 0);
			gr_node_set_int(n, "reverse", rev != 0);
		}
		return st;
	}
	/* shapes and data movement */
	case B_RESHAPE: return tfl_map_reshape(c, op);
	case B_SQUEEZE: return tfl_map_squeeze(c, op);
	case B_EXPAND_DIMS: return tfl_map_simple(c, op, "Unsqueeze", 2, 0);
	case B_PACK: return tfl_map_pack(c, op);
	case B_UNPACK: return tfl_map_unpack(c, op);
	case B_SPLIT: return tfl_map_split(c, op, 0);
	case B_SPLIT_V: return tfl_map_split(c, op, 1);
	case B_STRIDED_SLICE: return tfl_map_strided_slice(c, op);
	case B_SLICE: return tfl_map_slice(c, op);
	case B_TRANSPOSE: return tfl_map_transpose(c, op);
	case B_CONCATENATION: {
		int64_t axis = tfl_opt_int(c, op, O_CONCATENATION, 0, 4, 0);
		gr_tensor *y = out_t(c, op, 0), *t;
		gr_node *n;
		a = tfl_opt_int(c, op, O_CONCATENATION, 1, 1, 0);
		TRY(tfl_need(c, op, 1, 1));
		if (c->fst)
			return c->fst;
		if (!(t = tfl_pre_act(c, a, y)) || !(n = tfl_map_variadic(c, op, "Concat", t)))
			return oom(c);
		gr_node_set_int(n, "axis", axis);
		return a ? tfl_fused(c, op, a, t, y) : GR_OK;
	}
	case B_PAD: case B_PADV2: return tfl_map_pad(c, op, "constant");
	case B_MIRROR_PAD: return tfl_map_pad(c, op, "reflect");
	case B_TILE: return tfl_map_simple(c, op, "Tile", 2, 0);
	case B_BROADCAST_TO: return tfl_map_simple(c, op, "Expand", 2, 0);
	case B_GATHER: return tfl_map_gather(c, op);
	case B_GATHER_ND: return tfl_map_simple(c, op, "GatherND", 2, 0);
	case B_EMBEDDING_LOOKUP: {
		gr_node *n;
		TRY(tfl_need(c, op, 2, 1));
		EMIT(n, "Gather", op->name, (in_t(c, op, 1), in_t(c, op, 0)), (out_t(c, op, 0)));
		gr_node_set_int(n, "axis", 0);
		return GR_OK;
	}
	case B_REVERSE_V2: return tfl_map_reverse(c, op);
	case B_REVERSE_SEQUENCE: {
		int64_t seq = tfl_opt_int(c, op, O_REVERSE_SEQUENCE, 0, 4, 0);
		int64_t bat = tfl_opt_int(c, op, O_REVERSE_SEQUENCE, 1, 4, 0);
		gr_status st = tfl_map_simple(c, op, "ReverseSequence", 2, 0);
		if (!st) {
			gr_node *n = gr_graph_node(c->g, c->g->n_nodes - 1);
			gr_node_set_int(n, "time_axis", seq);
			gr_node_set_int(n, "batch_axis", bat);
		}
		return st;
	}
	case B_SHAPE: return tfl_map_simple(c, op, "Shape", 1, 0);
	case B_RANK: return tfl_map_chain(c, op, "Shape", 1, "Size", 0);
	case B_FILL: return tfl_map_simple(c, op, "ConstantOfShape", 1, 0);
	case B_ZEROS_LIKE: return tfl_map_chain(c, op, "Shape", 1, "ConstantOfShape", 0);
	case B_RANGE: return tfl_map_simple(c, op, "Range", 3, 0);
	case B_WHERE: {
		gr_node *n;
		gr_tensor *t;
		TRY(tfl_need(c, op, 1, 1));
		if (!(t = tmp(c, out_t(c, op, 0)->name, "/nonzero")))
			return oom(c);
		EMIT(n, "NonZero", nm(c, op, "/nonzero"), (in_t(c, op, 0)), (t));
		EMIT(n, "Transpose", op->name, (t), (out_t(c, op, 0)));
		return gr_node_set_ints(n, "perm", TFL_P_T2, 2) ? GR_OK : oom(c);
	}
	case B_SCATTER_ND: {
		gr_node *n;
		gr_tensor *t;
		TRY(tfl_need(c, op, 3, 1));
		if (!(t = tmp(c, out_t(c, op, 0)->name, "/zeros")))
			return oom(c);
		EMIT(n, "ConstantOfShape", nm(c, op, "/zeros"), (in_t(c, op, 2)), (t));
		EMIT(n, "ScatterND", op->name, (t, in_t(c, op, 0), in_t(c, op, 1)), (out_t(c, op, 0)));
		return GR_OK;
	}
	/* control flow: the called subgraphs are named, not costed */
	case B_IF: return map_control(c, op, O_IF, 2);
	case B_WHILE: return map_control(c, op, O_WHILE, 2);
	case B_CALL_ONCE: return map_control(c, op, O_CALL_ONCE, 1);
	case B_CALL: return map_control(c, op, O_CALL, 1);
	default:
		return tfl_map_placeholder(c, op, 0);
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

gr_status tfl_map_operator(tfl_ctx *c, const tfl_op *op)
{
	return op->code == B_CUSTOM && op->custom ? map_custom(c, op) : map_builtin(c, op);
}

size_t gr_tflite_mapped_count(void)
{
	return sizeof(tfl_mapped_codes) / sizeof(tfl_mapped_codes[0]);
}
