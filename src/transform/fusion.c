/* Partitions an inferred graph into kernels following a runtime's fusion rules.
 * Kernel traffic counts only tensors that cross the kernel boundary: fused
 * intermediates stay in registers or cache, which is why fusion matters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/graph_impl.h"
#include "graphs/hw.h"
#include "graphs/transform.h"

static const char *class_names[GR_KC_COUNT] = {
	"conv", "dwconv", "gemm", "matmul", "attention", "pool", "norm",
	"elementwise", "reduce", "move", "rnn", "other",
};

const char *gr_kernel_class_name(gr_kernel_class k)
{
	return (unsigned)k < GR_KC_COUNT ? class_names[k] : "other";
}

/* One table, every runtime the estimator knows: name -> what it does to the graph.
 * Eager runtimes dispatch op by op (PyTorch, TensorFlow's graph executor, MXNet, Paddle): every op
 * is launched and moves its tensors. Graph compilers (TensorRT, ONNX Runtime, TFLite, QNN, RKNN,
 * OpenVINO, XLA, ...) fuse conv+bn+act, elementwise chains and pick kernels ahead of time.
 * Dataflow compilers (Hailo's DFC) place the whole network on chip and stream frames through it.
 * Names are compared after gr_runtime_canonical ("tensorrt (deepstream)" -> tensorrt_deepstream).
 * The first rows keep their positions: "pytorch" is the default. */
#define EAGER(n, ov) {n, 1, 1, 0, 0, 1, 0, ov, "eager", GR_FASTCONV_NONE, 0, 0, 0}
#define GRAPHC(n, ov) {n, 1, 1, 1, 0, 1, 1, ov, "graph_compiler", GR_FASTCONV_NONE, 0, 0, 0}
#define GRAPHC_ATT(n, ov) {n, 1, 1, 1, 1, 1, 1, ov, "graph_compiler", GR_FASTCONV_NONE, 0, 0, 0}
#define DATAFLOW(n) {n, 1, 1, 1, 1, 1, 1, 0.0, "dataflow", GR_FASTCONV_NONE, 0, 0, 0}
/* a graph compiler that runs some convolutions with a fast algorithm by default (fastconv.c),
 * grouped convolutions as one convolution per group when gs, and int8 layers between float
 * activations when f8 (gr_fusion_rules.int8_float_io) */
#define GRAPHC_FC(n, ov, fc, gs, f8) {n, 1, 1, 1, 0, 1, 1, ov, "graph_compiler", fc, 0, gs, f8}
/* a graph compiler whose ops fuse one activation each and no elementwise chains (fused_act_only) */
#define GRAPHC_OPS(n, ov, att) {n, 1, 1, 0, att, 1, 1, ov, "graph_compiler", GR_FASTCONV_NONE, 1, 0, 0}
static const gr_fusion_rules rule_sets[] = {
	/* PyTorch eager launches one kernel per module, but conv+bn+act run back to back on
	 * the same tile and the measurements group them so; views cost nothing. */
	EAGER("pytorch", 8.0),
	GRAPHC("onnxruntime", 3.0),
	GRAPHC_ATT("tensorrt", 1.0),
	/* ahead-of-time graph compilers of TPUs and NPUs (XLA, vendor SDKs): whole-graph fusion */
	GRAPHC_ATT("compiler", 0.0),
	{"none", 0, 0, 0, 0, 0, 0, 8.0, "eager", GR_FASTCONV_NONE, 0, 0, 0},
	/* eager and per-op graph executors */
	EAGER("torchscript", 6.0),
	EAGER("tensorflow", 8.0),
	EAGER("tensorflow_savedmodel", 8.0),
	EAGER("tensorflow_graphdef", 8.0),
	EAGER("mxnet", 8.0),
	EAGER("paddle", 8.0),
	/* graph compilers: fuse, pick kernels, launch once per fused group. TensorFlow with XLA
	 * runs its clusters from TensorFlow's executor, a software cost per kernel: the shipped
	 * fits of NVIDIA's DLE rows (A100 SXM4 40/80GB, V100 SXM2/SXM3, T4) give 11-51 us per
	 * kernel with the launch, median 30; 12 + 5 us is what the theoretical rows bear (at 25 the
	 * fp32 rows, over already, went further over; docs/estimate.md, "Physical bounds") */
	GRAPHC("tensorflow_xla", 12.0),
	/* ONNX Runtime's QNN execution provider hands the graph to QNN, which fuses as qnn does */
	GRAPHC_OPS("onnxruntime_qnn", 1.0, 1),
	GRAPHC_OPS("onnxruntime_qnn_precompiled", 1.0, 1),
	GRAPHC_ATT("tensorrt_deepstream", 1.0),
	GRAPHC_ATT("paddle_tensorrt", 1.0),
	GRAPHC_ATT("triton_tensorrt", 1.0),
	GRAPHC_ATT("triton_onnxruntime_tensorrt", 1.0),
	GRAPHC_ATT("triton_tf_trt", 1.0),
	GRAPHC("triton_openvino", 1.0),
	/* TFLite's ops fuse one activation each (fused_activation_function); the NPU delegates run
	 * those ops. The layer counts ai-hub-models publishes for TFLite and QNN on the Hexagon
	 * NPU (data/published/README.md) follow that granularity, not whole elementwise chains:
	 * with chains fused, the models with Sigmoid*Mul (YOLO) came out 2x too fast */
	GRAPHC_OPS("tflite", 1.0, 0),
	GRAPHC("tflite_edgetpu_libedgetpu1_std", 0.0),
	GRAPHC("tflite_edgetpu_libedgetpu1_max", 0.0),
	GRAPHC_OPS("qnn", 0.0, 1),
	GRAPHC_OPS("qnn_dlc", 0.0, 1),
	GRAPHC_OPS("qnn_context_binary", 0.0, 1),
	GRAPHC("rknn", 0.0),
	GRAPHC("rknn_rknpu1", 0.0),
	GRAPHC("openvino", 1.0),
	/* Winograd by default: MNN's CPU backend (ConvolutionFloatFactory.cpp) and ncnn
	 * (Option::use_winograd_convolution = true); fastconv.c cites the conditions */
	GRAPHC_FC("mnn", 1.0, GR_FASTCONV_MNN, 0, 0),
	/* ncnn runs a grouped conv (its ConvolutionDepthWise layer with group < channels) as one
	 * Convolution layer per group, called one after another (create_group_ops) */
	GRAPHC_FC("ncnn", 1.0, GR_FASTCONV_NCNN, 1, 1),
	GRAPHC("armnn", 1.0),
	GRAPHC("tvm", 1.0),
	GRAPHC("qaic", 0.0),
	GRAPHC("furiosa_sdk", 0.0),
	GRAPHC("edgecortix_mera", 0.0),
	GRAPHC("imx500", 0.0),
	/* dataflow compilers: the whole network on chip, frames pipelined through it */
	DATAFLOW("hailo_dfc"),
};
#undef EAGER
#undef GRAPHC
#undef GRAPHC_ATT
#undef GRAPHC_FC
#undef GRAPHC_OPS
#undef DATAFLOW

#define N_RULE_SETS (sizeof(rule_sets) / sizeof(rule_sets[0]))

/* The runtime's op_overhead_us is its own software cost per op (dispatch, allocation), the
 * same on any device; what an eager framework pays per op on top of it for driving a device
 * (a GPU's stream, caching allocator and launch path) is the device class's, in the registry. */
double gr_op_launch_us(const gr_fusion_rules *r, const gr_hw_estimator *ep)
{
	double us = ep ? ep->kernel_launch_us : 0;
	if (r)
		us += r->op_overhead_us + (!r->fused_memory && ep ? ep->eager_op_us : 0);
	return us;
}

const char *gr_runtime_canonical(const char *name, char *buf, size_t size)
{
	size_t o = 0;
	int gap = 0;

	if (!size)
		return buf;
	for (const char *c = name ? name : ""; *c && o + 1 < size; c++) {
		char ch = *c;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
			if (gap && o && o + 2 < size)
				buf[o++] = '_';
			buf[o++] = ch;
			gap = 0;
		} else {
			gap = 1; /* runs of spaces, brackets, '-' and '_' become one '_' */
		}
	}
	buf[o] = 0;
	return buf;
}

const gr_fusion_rules *gr_fusion_rules_find(const char *runtime)
{
	char canon[96];

	if (!runtime)
		return &rule_sets[0];
	if (strlen(runtime) >= sizeof(canon))
		return NULL;
	gr_runtime_canonical(runtime, canon, sizeof(canon));
	for (size_t i = 0; i < N_RULE_SETS; i++)
		if (!strcmp(rule_sets[i].name, canon))
			return &rule_sets[i];
	return NULL;
}

size_t gr_fusion_rules_count(void)
{
	return N_RULE_SETS;
}

const gr_fusion_rules *gr_fusion_rules_at(size_t i)
{
	return i < N_RULE_SETS ? &rule_sets[i] : NULL;
}

const char *gr_fusion_rules_names(char *buf, size_t size)
{
	size_t len = 0;

	if (size)
		buf[0] = 0;
	for (size_t i = 0; i < N_RULE_SETS && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", rule_sets[i].name);
	return buf;
}

struct gr_partition {
	const gr_graph *g;
	const gr_fusion_rules *r;
	gr_kernel *kernels;
	size_t n;
	const gr_node **order; /* nodes grouped by kernel */
	size_t n_order;
};

/* --- op classification ------------------------------------------------------ */

static int is_view(gr_op op)
{
	switch (op) {
	case GR_OP_RESHAPE: case GR_OP_FLATTEN: case GR_OP_SQUEEZE: case GR_OP_UNSQUEEZE:
	case GR_OP_IDENTITY: case GR_OP_DROPOUT: case GR_OP_SHAPE: case GR_OP_SIZE:
	case GR_OP_CONSTANT: case GR_OP_CONSTANT_OF_SHAPE:
		return 1;
	default:
		return 0;
	}
}

int gr_node_is_view(const gr_node *n)
{
	return is_view(n->op);
}

static int is_anchor(gr_op op)
{
	switch (op) {
	case GR_OP_CONV: case GR_OP_CONV_TRANSPOSE: case GR_OP_CONV_INTEGER: case GR_OP_QLINEAR_CONV:
	case GR_OP_GEMM: case GR_OP_MATMUL: case GR_OP_MATMUL_INTEGER: case GR_OP_QLINEAR_MATMUL:
	case GR_OP_EINSUM:
		return 1;
	default:
		return 0;
	}
}

static int is_elementwise(gr_op op)
{
	if (op == GR_OP_UNKNOWN)
		return 0;
	if (op >= GR_OP_ABS && op <= GR_OP_WHERE)
		return 1;
	return op == GR_OP_CAST || op == GR_OP_QUANTIZE_LINEAR || op == GR_OP_DEQUANTIZE_LINEAR;
}

static int is_move(gr_op op)
{
	switch (op) {
	case GR_OP_TRANSPOSE: case GR_OP_CONCAT: case GR_OP_SPLIT: case GR_OP_SLICE:
	case GR_OP_EXPAND: case GR_OP_TILE: case GR_OP_PAD: case GR_OP_RESIZE: case GR_OP_UPSAMPLE:
	case GR_OP_DEPTH_TO_SPACE: case GR_OP_SPACE_TO_DEPTH: case GR_OP_GATHER:
	case GR_OP_GATHER_ELEMENTS: case GR_OP_GATHER_ND: case GR_OP_SCATTER:
	case GR_OP_SCATTER_ELEMENTS: case GR_OP_SCATTER_ND: case GR_OP_TRILU: case GR_OP_CAST_LIKE:
	case GR_OP_ONE_HOT: case GR_OP_COMPRESS: case GR_OP_REVERSE_SEQUENCE: case GR_OP_CENTER_CROP_PAD:
	case GR_OP_RANGE: case GR_OP_EYE_LIKE:
		return 1;
	default:
		return 0;
	}
}

gr_kernel_class gr_node_kernel_class(const gr_node *n)
{
	switch (n->op) {
	case GR_OP_CONV: case GR_OP_CONV_INTEGER: case GR_OP_QLINEAR_CONV: {
		const gr_tensor *x = gr_in(n, n->op == GR_OP_QLINEAR_CONV ? 0 : 0);
		int64_t group = gr_attr_int(n, "group", 1);
		if (group > 1 && x && x->rank >= 2 && x->dims[1].value == group)
			return GR_KC_DWCONV;
		return GR_KC_CONV;
	}
	case GR_OP_CONV_TRANSPOSE: case GR_OP_DEFORM_CONV:
		return GR_KC_CONV;
	case GR_OP_GEMM: case GR_OP_MATMUL: case GR_OP_MATMUL_INTEGER: case GR_OP_QLINEAR_MATMUL:
	case GR_OP_EINSUM: {
		size_t b = n->op == GR_OP_QLINEAR_MATMUL ? 3 : 1;
		const gr_tensor *w = gr_in(n, b);
		return w && (w->has_value || gr_tensor_is_weight(w)) ? GR_KC_GEMM : GR_KC_MATMUL;
	}
	case GR_OP_MAX_POOL: case GR_OP_AVERAGE_POOL: case GR_OP_LP_POOL: case GR_OP_GLOBAL_AVERAGE_POOL:
	case GR_OP_GLOBAL_MAX_POOL: case GR_OP_GLOBAL_LP_POOL: case GR_OP_MAX_ROI_POOL:
	case GR_OP_ROI_ALIGN: case GR_OP_MAX_UNPOOL:
		return GR_KC_POOL;
	case GR_OP_BATCH_NORMALIZATION: case GR_OP_INSTANCE_NORMALIZATION:
	case GR_OP_LAYER_NORMALIZATION: case GR_OP_GROUP_NORMALIZATION: case GR_OP_LP_NORMALIZATION:
	case GR_OP_LRN: case GR_OP_MEAN_VARIANCE_NORMALIZATION:
		return GR_KC_NORM;
	case GR_OP_SOFTMAX: case GR_OP_LOG_SOFTMAX: case GR_OP_HARDMAX: case GR_OP_REDUCE_SUM:
	case GR_OP_REDUCE_MEAN: case GR_OP_REDUCE_MAX: case GR_OP_REDUCE_MIN: case GR_OP_REDUCE_PROD:
	case GR_OP_REDUCE_L1: case GR_OP_REDUCE_L2: case GR_OP_REDUCE_LOG_SUM:
	case GR_OP_REDUCE_LOG_SUM_EXP: case GR_OP_REDUCE_SUM_SQUARE: case GR_OP_ARG_MAX:
	case GR_OP_ARG_MIN: case GR_OP_TOPK: case GR_OP_CUMSUM:
		return GR_KC_REDUCE;
	case GR_OP_LSTM: case GR_OP_GRU: case GR_OP_RNN:
		return GR_KC_RNN;
	default:
		if (is_elementwise(n->op))
			return GR_KC_ELEMENTWISE;
		if (is_move(n->op))
			return GR_KC_MOVE;
		return GR_KC_OTHER;
	}
}

/* The single node consuming t, when it is still unassigned; NULL otherwise. */
static gr_node *sole_consumer(const gr_graph *g, const gr_tensor *t, const int32_t *kid)
{
	if (!t || t->n_consumers != 1 || t->is_output || t->owner != g)
		return NULL;
	return kid[t->consumers[0]->index] < 0 ? t->consumers[0] : NULL;
}

static int only_const_inputs_besides(const gr_node *c, const gr_tensor *t)
{
	for (size_t i = 0; i < c->n_in; i++) {
		const gr_tensor *x = c->in[i];
		if (x && x != t && !x->has_value && !gr_tensor_is_weight(x))
			return 0;
	}
	return 1;
}

/* --- building --------------------------------------------------------------- */

typedef struct builder {
	const gr_graph *g;
	const gr_fusion_rules *r;
	int32_t *kid;          /* node index -> kernel index, -1 unassigned */
	gr_partition *p;
} builder;

static void take(builder *b, gr_node *n, size_t kernel)
{
	b->kid[n->index] = (int32_t)kernel;
	b->p->order[b->p->n_order++] = n;
}

/* Graph compilers run the slices of one tensor as one split kernel (ONNX exports torch.chunk as
 * a Slice per piece; ncnn's converters make one Slice layer with an output per piece, TFLite one
 * SPLIT op): one pass over the tensor, one launch. Slices whose bounds are not constants stay
 * apart. */
static void take_sibling_slices(builder *b, gr_node *n, size_t kernel)
{
	const gr_tensor *t = n->n_in ? n->in[0] : NULL;

	if (!t || !only_const_inputs_besides(n, t))
		return;
	for (size_t c = 0; c < t->n_consumers; c++) {
		gr_node *s = t->consumers[c];
		if (s != n && s->op == GR_OP_SLICE && s->owner == b->g && b->kid[s->index] < 0 && s->n_in &&
		    s->in[0] == t && only_const_inputs_besides(s, t))
			take(b, s, kernel);
	}
}

/* Follows epilogue ops after an anchor: bias/BN/activation/residual chains. */
static void extend_epilogue(builder *b, gr_node *tail, size_t kernel)
{
	for (int steps = 0; steps < 8; steps++) {
		gr_tensor *t = gr_out(tail, 0);
		gr_node *c, *cs[2];

		if (!t)
			return;
		c = sole_consumer(b->g, t, b->kid);
		if (c && c->op == GR_OP_BATCH_NORMALIZATION && b->r->conv_bn) {
			take(b, c, kernel);
			tail = c;
			continue;
		}
		if (c && b->r->epilogue && b->r->fused_act_only) {
			if (c->op != GR_OP_RELU && c->op != GR_OP_CLIP)
				return;
			take(b, c, kernel);
			return; /* one fused activation per op */
		}
		if (c && b->r->epilogue && is_elementwise(c->op) &&
		    (only_const_inputs_besides(c, t) || c->op == GR_OP_ADD)) {
			take(b, c, kernel);
			tail = c;
			continue;
		}
		/* x * sigmoid(x) (SiLU/Swish) reads the tail twice */
		if (b->r->epilogue && !b->r->fused_act_only && t->n_consumers == 2 && !t->is_output) {
			cs[0] = t->consumers[0];
			cs[1] = t->consumers[1];
			gr_node *sig = cs[0]->op == GR_OP_SIGMOID ? cs[0] : cs[1]->op == GR_OP_SIGMOID ? cs[1] : NULL;
			gr_node *mul = sig == cs[0] ? cs[1] : cs[0];
			if (sig && mul->op == GR_OP_MUL && b->kid[sig->index] < 0 && b->kid[mul->index] < 0 &&
			    sole_consumer(b->g, gr_out(sig, 0), b->kid) == mul) {
				take(b, sig, kernel);
				take(b, mul, kernel);
				tail = mul;
				continue;
			}
		}
		return;
	}
}

/* MatMul -> [Mul|Div] -> [Add] -> Softmax -> MatMul, each link single-consumer: fills chain (mm
 * first) and returns its length, 0 when mm starts none. Takes nothing. */
static size_t attention_chain(const builder *b, gr_node *mm, gr_node **chain)
{
	size_t n = 0;
	gr_node *c = mm;

	chain[n++] = mm;
	for (int step = 0; step < 4; step++) {
		c = sole_consumer(b->g, gr_out(c, 0), b->kid);
		if (!c)
			return 0;
		if (c->op == GR_OP_SOFTMAX) {
			gr_node *av = sole_consumer(b->g, gr_out(c, 0), b->kid);
			if (!av || av->op != GR_OP_MATMUL)
				return 0;
			chain[n++] = c;
			chain[n++] = av;
			return n;
		}
		if (c->op != GR_OP_MUL && c->op != GR_OP_DIV && c->op != GR_OP_ADD && c->op != GR_OP_WHERE)
			return 0;
		chain[n++] = c;
	}
	return 0;
}

/* The chain after mm, which the caller has taken already (taking mm again would count its work
 * twice). */
static int try_attention(builder *b, gr_node *mm, size_t kernel)
{
	gr_node *chain[8];
	size_t n = attention_chain(b, mm, chain);

	for (size_t i = 1; i < n; i++)
		take(b, chain[i], kernel);
	return n > 0;
}

/* Graph compilers that fuse attention (TensorRT, XLA, QNN) also fuse across siblings: they are
 * the runtimes whose partitions take the two rules below. Not eager runtimes, which launch what
 * the graph says, nor dataflow chips, where every layer is a stage of the pipeline. */
static int fuses_siblings(const gr_fusion_rules *r)
{
	return r->attention && !strcmp(r->behaviour, "graph_compiler");
}

/* A Mul or Div of t by constants only, the one input that is not constant first. */
static int is_const_scale(const gr_node *n)
{
	if ((n->op != GR_OP_MUL && n->op != GR_OP_DIV) || n->n_in != 2 || !n->in[0] || n->in[0]->has_value ||
	    gr_tensor_is_weight(n->in[0]))
		return 0;
	return only_const_inputs_besides(n, n->in[0]);
}

/* A constant scale (q / sqrt(d), as ViT and other exports write it) whose result only the first
 * MatMul of an attention reads runs inside the attention kernel: the runtimes that fuse attention
 * fold it into the QK^T product. The partitioner defers it (DEFERRED) until that MatMul, so the
 * kernel keeps the MatMul's place after everything the attention reads. */
#define DEFERRED (-3)

static int scale_joins_attention(const builder *b, const gr_node *s)
{
	gr_node *mm, *chain[8];

	if (!is_const_scale(s))
		return 0;
	mm = sole_consumer(b->g, gr_out(s, 0), b->kid);
	return mm && mm->op == GR_OP_MATMUL && gr_node_kernel_class(mm) == GR_KC_MATMUL &&
	       attention_chain(b, mm, chain) > 0;
}

/* The deferred scales among n's inputs, at most two (q and k scaled alike); their count. */
static size_t waiting_scales(const builder *b, const gr_node *n, gr_node **out)
{
	size_t k = 0;

	for (size_t i = 0; i < n->n_in && i < 2; i++) {
		const gr_tensor *t = n->in[i];
		if (t && t->producer && t->producer->owner == b->g && b->kid[t->producer->index] == DEFERRED &&
		    (k == 0 || out[0] != t->producer))
			out[k++] = t->producer;
	}
	return k;
}

/* Sibling matrix ops: TensorRT merges MatMuls and Gemms that read the same activation with
 * constant weights into one GEMM whose N is the sum of theirs (horizontal fusion; the q, k and v
 * projections of BERT exports, which NVIDIA's own BERT packs into one QKV GEMM), and XLA fuses
 * siblings likewise: one launch, the shared input read once. A sibling brings its epilogue ops
 * that read constants only (bias, scale, activation): one reading another tensor could make the
 * kernel wait for a later one. */
static int matrix_op_on(const builder *b, const gr_node *n, const gr_tensor *x)
{
	const gr_tensor *w = gr_in(n, 1);

	if ((n->op != GR_OP_MATMUL && n->op != GR_OP_GEMM) || n->owner != b->g || !x || n->n_in < 2 ||
	    n->in[0] != x || gr_node_kernel_class(n) != GR_KC_GEMM || !only_const_inputs_besides(n, x) ||
	    !w || w->rank != 2)
		return 0;
	/* the same K: every one reads x along its last dim */
	return n->op == GR_OP_MATMUL || !gr_attr_int(n, "transA", 0);
}

static void take_sibling_matrix_ops(builder *b, gr_node *a, size_t kernel)
{
	gr_tensor *x = gr_in(a, 0);

	if (!matrix_op_on(b, a, x))
		return;
	for (size_t c = 0; c < x->n_consumers; c++) {
		gr_node *s = x->consumers[c], *tail;
		if (s == a || b->kid[s->index] >= 0 || !matrix_op_on(b, s, x))
			continue;
		take(b, s, kernel);
		for (tail = s; b->r->epilogue;) {
			gr_tensor *t = gr_out(tail, 0);
			gr_node *e = sole_consumer(b->g, t, b->kid);
			if (!e || !is_elementwise(e->op) || !only_const_inputs_besides(e, t) ||
			    (b->r->fused_act_only && e->op != GR_OP_RELU && e->op != GR_OP_CLIP))
				break;
			take(b, e, kernel);
			tail = e;
			if (b->r->fused_act_only)
				break; /* one fused activation per op */
		}
	}
}

/* Graph compilers that fuse attention also choose the layouts around matrix ops: a Transpose
 * whose result feeds only MatMul/Gemm, directly or through views, is read in place by them (a
 * transposed operand or a strided batch: TensorRT, XLA and QNN fold these into the matmul), so it
 * launches nothing and moves nothing of its own. Not on dataflow chips, where a transpose is a
 * layer of the pipeline (Hailo's fits got worse with it: docs/estimate.md, "Layouts"). */
static int read_in_place_by_matmuls(const builder *b, const gr_tensor *t, int depth)
{
	if (!t || t->is_output || t->owner != b->g || t->n_consumers == 0 || depth > 4)
		return 0;
	for (size_t c = 0; c < t->n_consumers; c++) {
		const gr_node *n = t->consumers[c];
		/* a Shape or Size reads only the tensor's dims; a scale deferred to its attention
		 * (scale_joins_attention) is applied as the attention's MatMul reads the operand */
		if (n->op == GR_OP_MATMUL || n->op == GR_OP_GEMM || n->op == GR_OP_SHAPE || n->op == GR_OP_SIZE ||
		    b->kid[n->index] == DEFERRED)
			continue;
		if (!is_view(n->op) || n->n_out != 1 || !read_in_place_by_matmuls(b, n->out[0], depth + 1))
			return 0;
	}
	return 1;
}

static void kernel_dims(const builder *b, gr_kernel *k, const gr_node *a)
{
	const gr_tensor *y = gr_out(a, 0), *x = gr_in(a, 0), *w = gr_in(a, 1);
	double outer = 1;

	if (!gr_shape_known(y) || y->rank < 1)
		return;
	if (k->cls == GR_KC_CONV || k->cls == GR_KC_DWCONV) {
		if (y->rank < 3 || !gr_shape_known(w) || w->rank < 3)
			return;
		for (int i = 0; i < y->rank; i++)
			if (i != 1)
				outer *= (double)y->dims[i].value;
		k->m = outer;
		k->n = (double)y->dims[1].value;
		k->k = 1;
		for (int i = 1; i < w->rank; i++)
			k->k *= (double)w->dims[i].value;
		k->group_width = gr_node_group_width(a);
		if (b->r->group_split && k->group_width > 0)
			k->dispatches = (double)gr_attr_int(a, "group", 1);
		return;
	}
	if (k->cls == GR_KC_GEMM || k->cls == GR_KC_MATMUL || k->cls == GR_KC_ATTENTION) {
		for (int i = 0; i < y->rank - 1; i++)
			outer *= (double)y->dims[i].value;
		k->m = outer;
		k->n = (double)y->dims[y->rank - 1].value;
		/* sibling matrix ops on the same input: one GEMM, N the sum of theirs */
		for (size_t j = 1; k->cls == GR_KC_GEMM && j < k->count; j++) {
			const gr_node *s = b->p->order[k->first + j];
			const gr_tensor *ys = gr_out(s, 0);
			if (is_anchor(s->op) && gr_in(s, 0) == x && gr_shape_known(ys) && ys->rank >= 1)
				k->n += (double)ys->dims[ys->rank - 1].value;
		}
		if (gr_shape_known(x) && x->rank >= 1)
			k->k = (double)x->dims[a->op == GR_OP_GEMM && gr_attr_int(a, "transA", 0) ? 0 : x->rank - 1].value;
	}
}

static void kernel_traffic(builder *b, gr_kernel *k)
{
	const gr_node **nodes = b->p->order + k->first;
	size_t kernel = (size_t)(k - b->p->kernels);
	/* the paths whose FLOPs can differ: all of them only where the runtime's algorithm hangs on
	 * the path (gr_conv_path_of), else the float one, copied to the rest below */
	int paths = gr_conv_path_of(b->r, GR_PREC_INT8, 1) == GR_CONV_PATH_FLOAT ? 1 : GR_CONV_PATH_COUNT;

	for (size_t j = 0; j < k->count; j++) {
		const gr_node *n = nodes[j];
		k->flops += n->cost.flops;
		for (int path = 0; path < paths; path++) {
			int tile = 0;
			k->flops_time[path] += gr_node_time_flops(b->r, n, path, &tile);
			if (tile && !k->fast_tile[path])
				k->fast_tile[path] = tile;
		}
		k->macs += n->cost.macs;
		k->params += n->cost.params;
		if (n->op == GR_OP_UNKNOWN)
			k->unknown_ops++;
		if (!n->cost.known || n->op == GR_OP_UNKNOWN)
			k->known = 0;
		double node_elems = 0;
		for (size_t i = 0; i < n->n_in; i++)
			if (n->in[i] && !(n->in[i]->has_value && !n->in[i]->producer && !n->in[i]->is_initializer))
				node_elems += (double)(gr_numel(n->in[i]) > 0 ? gr_numel(n->in[i]) : 0);
		for (size_t o = 0; o < n->n_out; o++)
			if (n->out[o])
				node_elems += (double)(gr_numel(n->out[o]) > 0 ? gr_numel(n->out[o]) : 0);
		k->elems_nodes += node_elems;
		if (node_elems > k->elems_node_max)
			k->elems_node_max = node_elems;
		for (size_t i = 0; i < n->n_in; i++) {
			const gr_tensor *t = n->in[i];
			int dup = 0;
			double e;
			if (!t || (t->producer && t->producer->owner == b->g &&
				   b->kid[t->producer->index] == (int32_t)kernel))
				continue;
			/* a tensor read twice inside the kernel is loaded once */
			for (size_t jj = 0; jj <= j && !dup; jj++)
				for (size_t ii = 0; ii < (jj == j ? i : nodes[jj]->n_in); ii++)
					if (nodes[jj]->in[ii] == t) {
						dup = 1;
						break;
					}
			if (dup)
				continue;
			e = (double)(gr_numel(t) > 0 ? gr_numel(t) : 0);
			if (gr_tensor_is_weight(t)) {
				k->bytes_weights += gr_tensor_bytes(t);
				k->elems_weights += e;
				k->has_weights = 1;
			} else if (!(t->has_value && !t->producer)) {
				k->bytes_in += gr_tensor_bytes(t);
				k->elems_in += e;
			}
		}
		for (size_t o = 0; o < n->n_out; o++) {
			const gr_tensor *t = n->out[o];
			size_t inside = 0;
			if (!t)
				continue;
			for (size_t c = 0; c < t->n_consumers; c++)
				if (b->kid[t->consumers[c]->index] == (int32_t)kernel)
					inside++;
			if (t->is_output || inside < t->n_consumers || t->n_consumers == 0) {
				k->bytes_out += gr_tensor_bytes(t);
				k->elems_out += (double)(gr_numel(t) > 0 ? gr_numel(t) : 0);
			}
		}
	}
	for (int path = paths; path < GR_CONV_PATH_COUNT; path++) {
		k->flops_time[path] = k->flops_time[GR_CONV_PATH_FLOAT];
		k->fast_tile[path] = k->fast_tile[GR_CONV_PATH_FLOAT];
	}
}

static void kernel_pattern(builder *b, gr_kernel *k)
{
	size_t len = 0;

	k->pattern[0] = 0;
	for (size_t j = 0; j < k->count; j++) {
		const char *op = b->p->order[k->first + j]->op_type;
		size_t l = strlen(op);
		if (len + l + 8 >= sizeof(k->pattern)) {
			snprintf(k->pattern + len, sizeof(k->pattern) - len, "_+%zu", k->count - j);
			return;
		}
		if (j)
			k->pattern[len++] = '_';
		memcpy(k->pattern + len, op, l + 1);
		len += l;
	}
}

static gr_kernel *open_kernel(builder *b, gr_node *n)
{
	gr_kernel *k = &b->p->kernels[b->p->n];

	k->first = b->p->n_order;
	k->known = 1;
	k->name = n->name;
	k->cls = gr_node_kernel_class(n);
	take(b, n, b->p->n++);
	return k;
}

/* anchor: the node whose dims the kernel's are */
static void close_kernel(builder *b, gr_kernel *k, const gr_node *anchor)
{
	k->count = b->p->n_order - k->first;
	k->dispatches = 1;
	kernel_dims(b, k, anchor);
	kernel_traffic(b, k);
	kernel_pattern(b, k);
}

/* The kernel that starts at n, with what the runtime fuses into it. */
static void build_kernel(builder *b, gr_node *n)
{
	gr_kernel *k = open_kernel(b, n);
	size_t kernel = (size_t)(k - b->p->kernels);

	if (is_anchor(n->op)) {
		if (!(b->r->attention && n->op == GR_OP_MATMUL && k->cls == GR_KC_MATMUL &&
		      try_attention(b, n, kernel))) {
			extend_epilogue(b, n, kernel);
			if (fuses_siblings(b->r))
				take_sibling_matrix_ops(b, n, kernel);
		} else {
			k->cls = GR_KC_ATTENTION;
		}
	} else if (b->r->elementwise_chain && is_elementwise(n->op)) {
		gr_node *c = n;
		while ((c = sole_consumer(b->g, gr_out(c, 0), b->kid)) && is_elementwise(c->op))
			take(b, c, kernel);
	} else if (b->r->fused_act_only && is_elementwise(n->op) && n->op != GR_OP_RELU &&
		   n->op != GR_OP_CLIP) {
		extend_epilogue(b, n, kernel); /* Add, Mul, ... with their fused activation */
	} else if (k->cls == GR_KC_NORM && b->r->epilogue) {
		extend_epilogue(b, n, kernel);
	} else if (n->op == GR_OP_SLICE && b->r->fused_memory) {
		take_sibling_slices(b, n, kernel);
	}
	close_kernel(b, k, n);
}

gr_status gr_partition_build(const gr_graph *g, const gr_fusion_rules *rules, gr_partition **out,
			     gr_error *err)
{
	builder b = {g, rules ? rules : &rule_sets[0], NULL, NULL};
	gr_partition *p;

	*out = NULL;
	if (!g || !g->inferred)
		return gr_error_set(err, GR_ERR_USAGE, "partition needs an inferred graph");
	p = calloc(1, sizeof(*p));
	b.kid = malloc((g->n_nodes + 1) * sizeof(*b.kid));
	if (p) {
		p->kernels = calloc(g->n_nodes + 1, sizeof(*p->kernels));
		p->order = calloc(g->n_nodes + 1, sizeof(*p->order));
	}
	if (!p || !b.kid || !p->kernels || !p->order) {
		free(b.kid);
		gr_partition_free(p);
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory partitioning %zu nodes", g->n_nodes);
	}
	p->g = g;
	p->r = b.r;
	b.p = p;
	for (size_t i = 0; i < g->n_nodes; i++)
		b.kid[i] = -1;
	if (fuses_siblings(b.r))
		for (size_t i = 0; i < g->n_nodes; i++)
			if (scale_joins_attention(&b, g->nodes[i]))
				b.kid[i] = DEFERRED;
	for (size_t i = 0; i < g->n_nodes; i++) {
		gr_node *n = g->nodes[i], *sc[2], *chain[8];
		size_t ns;

		if (b.kid[i] == DEFERRED)
			continue;
		if ((ns = waiting_scales(&b, n, sc)) > 0) {
			size_t len = b.kid[i] < 0 ? attention_chain(&b, n, chain) : 0;
			if (len) {
				gr_kernel *k = open_kernel(&b, sc[0]);
				size_t kernel = (size_t)(k - p->kernels);
				for (size_t j = 1; j < ns; j++)
					take(&b, sc[j], kernel);
				for (size_t j = 0; j < len; j++)
					take(&b, chain[j], kernel);
				k->cls = GR_KC_ATTENTION;
				k->name = n->name; /* the attention's name, as without the scale */
				close_kernel(&b, k, n);
				continue;
			}
			for (size_t j = 0; j < ns; j++) {
				b.kid[sc[j]->index] = -1;
				build_kernel(&b, sc[j]);
			}
		}
		if (b.kid[i] >= 0)
			continue;
		/* shape arithmetic folded to constants runs at export time, not on the device */
		if ((b.r->views_free && is_view(n->op)) || gr_node_is_folded(n) ||
		    (n->op == GR_OP_TRANSPOSE && fuses_siblings(b.r) && read_in_place_by_matmuls(&b, gr_out(n, 0), 0))) {
			b.kid[i] = -2;
			continue;
		}
		build_kernel(&b, n);
	}
	free(b.kid);
	*out = p;
	return GR_OK;
}

void gr_partition_free(gr_partition *p)
{
	if (!p)
		return;
	free(p->kernels);
	free(p->order);
	free(p);
}

size_t gr_partition_count(const gr_partition *p) { return p ? p->n : 0; }
const gr_fusion_rules *gr_partition_rules(const gr_partition *p) { return p ? p->r : &rule_sets[0]; }
const gr_kernel *gr_partition_kernel(const gr_partition *p, size_t i) { return p && i < p->n ? &p->kernels[i] : NULL; }

const gr_node *gr_partition_node(const gr_partition *p, const gr_kernel *k, size_t j)
{
	return p && k && j < k->count ? p->order[k->first + j] : NULL;
}
