/* Fusion and partitioning: groups graph nodes into the kernels a runtime would launch
 * (conv+bn+activation, matmul+bias+activation, elementwise chains, attention blocks). */
#ifndef GRAPHS_TRANSFORM_H
#define GRAPHS_TRANSFORM_H

#include "graphs/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a kernel mostly does; the estimator's efficiency curves are per class. */
typedef enum gr_kernel_class {
	GR_KC_CONV = 0,      /* dense/grouped conv, conv transpose */
	GR_KC_DWCONV,        /* depthwise conv (group == channels): memory-bound in practice */
	GR_KC_GEMM,          /* gemm / matmul with a weight operand */
	GR_KC_MATMUL,        /* activation x activation matmul */
	GR_KC_ATTENTION,     /* QK^T, softmax, AV fused */
	GR_KC_POOL,
	GR_KC_NORM,
	GR_KC_ELEMENTWISE,
	GR_KC_REDUCE,
	GR_KC_MOVE,          /* data movement that copies: transpose, concat, gather, pad, resize */
	GR_KC_RNN,
	GR_KC_OTHER,
	GR_KC_COUNT
} gr_kernel_class;

/* "conv", ...: a static string. */
const char *gr_kernel_class_name(gr_kernel_class k);

/* The fast convolution algorithm a runtime runs by default where it applies (docs/estimate.md,
 * "Fast convolution"): Winograd F(m x m, r x r) computes an m x m output tile from an
 * (m+r-1)^2 input tile with (m+r-1)^2 multiplies per channel pair instead of m^2 r^2. */
typedef enum gr_fast_conv {
	GR_FASTCONV_NONE = 0,  /* direct / im2col+GEMM: every multiply of the definition */
	GR_FASTCONV_NCNN,      /* ncnn: 3x3 s1 d1 group 1, tile by channel counts (fastconv.c) */
	GR_FASTCONV_MNN,       /* MNN CPU: k x k (k > 1) s1 d1 group 1, tile by MNN's cost model */
} gr_fast_conv;

/* Which fusions a runtime performs. */
typedef struct gr_fusion_rules {
	const char *name;
	int conv_bn;           /* fold BatchNormalization into the preceding conv/gemm */
	int epilogue;          /* activation / bias / residual add after conv/gemm */
	int elementwise_chain; /* consecutive elementwise ops become one kernel */
	int attention;         /* MatMul-(scale)-(mask)-Softmax-MatMul becomes one kernel */
	int views_free;        /* Reshape/Flatten/Squeeze/... cost no kernel */
	int fused_memory;      /* 0: eager, every op of a group still reads and writes memory */
	double op_overhead_us; /* framework cost per op launched (dispatch, allocation) */
	const char *behaviour; /* "eager" (per-op dispatch), "graph_compiler" (fuses, picks kernels),
				* "dataflow" (whole network on chip, frames pipelined) */
	int fast_conv;         /* gr_fast_conv: software behaviour, not a hardware figure */
	int fused_act_only;    /* the epilogue holds only a fused activation (ReLU, ReLU6, Clip), as
				* TFLite's fused_activation_function: residual Add, Sigmoid*Mul and
				* other elementwise ops stay ops of their own, with no chains */
	int group_split;       /* a grouped (not depthwise) conv runs as one conv per group, each
				* dispatched on its own (ncnn): gr_kernel.dispatches */
	int int8_float_io;     /* int8 conv/gemm layers quantize a float input and give a float
				* output unless the next layers are all int8 convs; dense int8 convs
				* write and read an int32 output in between (ncnn: docs/estimate.md,
				* "ncnn int8 activations"); software behaviour, not a hardware figure */
} gr_fusion_rules;

/* Built-in rule sets, one table (src/transform/fusion.c): "pytorch" (eager: conv+bn+act grouped
 * as measured subgraphs, but every op still launched and its tensors still moved), the other
 * eager runtimes (tensorflow, mxnet, paddle, ...), graph compilers ("onnxruntime", "tensorrt",
 * "tflite", "qnn_dlc", "rknn", "openvino", ...), "compiler" (ahead-of-time compilers of
 * TPUs/NPUs), the dataflow compiler "hailo_dfc", and "none". The name is compared after
 * gr_runtime_canonical, so "tensorrt (deepstream)" finds tensorrt_deepstream. NULL when unknown. */
const gr_fusion_rules *gr_fusion_rules_find(const char *runtime);
struct gr_hw_estimator;
/* Microseconds one op launched costs outside its work on a device of estimator parameters ep:
 * the device's kernel launch, the runtime's op_overhead_us (r may be NULL: none), and for eager
 * runtimes the device's estimator.eager_op_us (docs/estimate.md, "Physical bounds"). */
double gr_op_launch_us(const gr_fusion_rules *r, const struct gr_hw_estimator *ep);
/* The canonical spelling of a runtime name: lower case, every run of other characters than
 * letters and digits one '_', none at either end ("TFLite_EdgeTPU (libedgetpu1-max)" ->
 * "tflite_edgetpu_libedgetpu1_max"). Writes into buf and returns it. */
const char *gr_runtime_canonical(const char *name, char *buf, size_t size);
/* The table's rows, for listings ("accepted: pytorch, onnxruntime, ..."). Static: never free
 * them (nor gr_fusion_rules_find's). */
size_t gr_fusion_rules_count(void);
const gr_fusion_rules *gr_fusion_rules_at(size_t i);
/* Every accepted name, comma-separated, into buf; returns buf. */
const char *gr_fusion_rules_names(char *buf, size_t size);

/* The code path a fast-convolution runtime takes, where its choice of algorithm hangs on the
 * precision an estimate runs at, on the engine's Arm features (compute.engines[].isa) and on the
 * CPU's instruction-set family (isa_family): ncnn's int8 path runs no Winograd on Arm cores with
 * dotprod, and its x86 int8 layers are other code (fastconv.c). */
typedef enum gr_conv_path {
	GR_CONV_PATH_FLOAT = 0, /* fp32/fp16/bf16, and every precision of rules without such a rule */
	GR_CONV_PATH_INT8,      /* int8 on an engine without dotprod */
	GR_CONV_PATH_INT8_DOT,  /* int8 on an engine with dotprod (SDOT) */
	GR_CONV_PATH_INT8_X86,  /* int8 on x86-64 cores */
	GR_CONV_PATH_COUNT
} gr_conv_path;
/* What the path can hang on besides the precision (gr_conv_path_of's features, OR-ed). */
enum { GR_CONV_FEAT_DOTPROD = 1, /* every engine has Arm's dot-product instructions */
       GR_CONV_FEAT_X86 = 2 };   /* an x86-64 CPU (isa_family) */
/* The path runtime r takes at precision prec (gr_precision) on cores with the features
 * (GR_CONV_FEAT_*; x86 wins over dotprod). GR_CONV_PATH_FLOAT wherever r's choice does not
 * depend on them, so equal paths charge equal FLOPs: caches key on the path, never on the
 * precision. */
int gr_conv_path_of(const gr_fusion_rules *r, int prec, int features);

/* The FLOPs the time model charges for node n under runtime r on path (gr_conv_path): its own
 * FLOPs (n->cost.flops, the definition's count, which model totals always report), or, for a
 * convolution r runs with a fast algorithm on that path, the multiplies that algorithm does plus
 * its input and output transforms. *tile (may be NULL) gets the output tile m of Winograd
 * F(m, r), 0 when none applies. */
double gr_node_time_flops(const gr_fusion_rules *r, const gr_node *n, int path, int *tile);
/* The precision whose lanes a fast convolution on path computes in when it is not the path's
 * own: GR_PREC_INT16 on GR_CONV_PATH_INT8 (ncnn's int8 Winograd widens the transformed tiles to
 * int16 and multiplies them into int32) and on GR_CONV_PATH_INT8_X86 (ncnn's x86 int8 layers
 * multiply int16 pairs), -1 elsewhere. A software fact; the rate is the
 * registry's (the estimator's otm_conv_widen). */
int gr_conv_path_arith(int path);
/* 1 when a kernel or node of class cls (gr_kernel_class) with Winograd tile `tile` (0: direct)
 * computes in gr_conv_path_arith(path)'s lanes: the Winograd convs of GR_CONV_PATH_INT8, every
 * int8 layer of GR_CONV_PATH_INT8_X86 (conv, dwconv and gemm classes). */
int gr_conv_path_widens(int path, int cls, int tile);
/* gr_node_time_flops counted at the estimate precision's peak rate: a node computing in a wider
 * precision on path (gr_conv_path_widens) counts widen times its FLOPs (widen: the precision's
 * peak over the wider one's, 1 when the same). Every fitted and floor view charges these. */
double gr_node_rate_flops(const gr_fusion_rules *r, const gr_node *n, int path, double widen);
/* How a runtime with a fast-convolution rule (fast_conv) runs a dense convolution: its own code
 * paths reach their own share of peak (Winograd tiles: transforms and small batched GEMMs; 1x1:
 * one plain GEMM; other group-1 convs: im2col or direct). GR_CONV_ALGO_OTHER for every node
 * under a runtime without such a rule and for every node that is not a group-1 convolution. */
typedef enum gr_conv_algo {
	GR_CONV_ALGO_OTHER = 0,
	GR_CONV_ALGO_WINOGRAD,
	GR_CONV_ALGO_POINTWISE,
	GR_CONV_ALGO_IM2COL,
	GR_CONV_ALGO_COUNT
} gr_conv_algo;
int gr_node_conv_algorithm(const gr_fusion_rules *r, const gr_node *n, int path);
/* "other", "winograd", "pointwise", "im2col"; NULL out of range. */
const char *gr_conv_algo_name(int algo);
/* Output channels per group of a grouped, not depthwise, convolution (1 < group < channels;
 * ResNeXt, RegNet); 0 for every other node. */
double gr_node_group_width(const gr_node *n);
/* How many times longer than its FLOPs at the class's rate a grouped convolution of group_width
 * output channels per group runs on matrix kernels whose tile spans tile_n output channels:
 * each group is its own small GEMM that fills group_width / tile_n of the tile. 1 when
 * group_width >= tile_n, or either is 0 (docs/estimate.md, "Grouped convolutions"). */
double gr_group_conv_scale(double group_width, double tile_n);

typedef struct gr_kernel {
	const char *name;          /* first node's name */
	char pattern[96];          /* op types joined by '_' (truncated with "+N") */
	gr_kernel_class cls;
	size_t first, count;       /* nodes nodes[first..first+count) in kernel order */
	double flops, macs;
	double flops_time[GR_CONV_PATH_COUNT]; /* FLOPs the time model charges on each path
				    * (gr_node_time_flops): flops, less what a fast convolution saves */
	int fast_tile[GR_CONV_PATH_COUNT]; /* Winograd output tile m of the anchor conv; 0: direct */
	double group_width;        /* the anchor conv's gr_node_group_width; 0: not a grouped conv */
	double dispatches;         /* launches the runtime makes for the kernel: 1, or the anchor's
				    * groups where the runtime splits a grouped conv (group_split) */
	double bytes_in, bytes_weights, bytes_out; /* external traffic only, at the file's dtypes */
	double elems_in, elems_weights, elems_out; /* the same in elements (rescaled per precision) */
	double elems_nodes;        /* sum over member nodes of their inputs + outputs (eager traffic) */
	double elems_node_max;     /* the largest single node's inputs + outputs (eager working set) */
	int64_t params;
	int known;                 /* every node's cost known */
	int unknown_ops;           /* nodes with op types outside the op table */
	int has_weights;
	/* dims of the dominant op, for mappers (gemm-like: M, N, K; 0 when not applicable) */
	double m, n, k;
} gr_kernel;

/* The class of one node as the partitioner sees it. */
gr_kernel_class gr_node_kernel_class(const gr_node *n);
/* 1 for ops that only relabel memory (Reshape, Flatten, Squeeze, Identity, Dropout, ...)
 * or produce shape metadata (Shape, Size, Constant*): no kernel in the runtimes modeled. */
int gr_node_is_view(const gr_node *n);
/* 1 when n is computed once at load time, not per inference: every output is a known value
 * (shape arithmetic), or every input is a constant (an initializer, or the output of such a
 * node: the Transpose or Cast of a weight that exporters leave unfolded, a mask built from
 * shapes). Set by inference (src/core/constfold.c). */
int gr_node_is_folded(const gr_node *n);
/* 1 for a weight: an initializer, or a tensor computed from constants only (the transposed
 * weight of a MatMul), that is not a small known value (shape arithmetic). */
int gr_tensor_is_weight(const gr_tensor *t);

typedef struct gr_partition gr_partition;

/* Partitions an inferred graph. On success *out owns the partition (free with
 * gr_partition_free); it borrows g, which must outlive it. */
gr_status gr_partition_build(const gr_graph *g, const gr_fusion_rules *rules, gr_partition **out,
			     gr_error *err);
void gr_partition_free(gr_partition *p); /* accepts NULL */
/* The rules p was built with (static; the default rules when built with NULL). */
const gr_fusion_rules *gr_partition_rules(const gr_partition *p);
size_t gr_partition_count(const gr_partition *p);
/* Kernel i, borrowed from p (valid until gr_partition_free). */
const gr_kernel *gr_partition_kernel(const gr_partition *p, size_t i);
/* Node j of kernel i, borrowed from the graph p was built from. */
const gr_node *gr_partition_node(const gr_partition *p, const gr_kernel *k, size_t j);

#ifdef __cplusplus
}
#endif
#endif
