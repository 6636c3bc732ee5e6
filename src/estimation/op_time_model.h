/* The fitted per-op time model: what estimation needs of a calibration profile, and the time
 * it predicts for one op. Calibration (src/calibration/) fits it, reads and writes it; this
 * module only applies it, and never calls into calibration: data flows one way.
 * The model (docs/calibrate.md): in eager runtimes every op is launched on its own, so a kernel's
 * time is the sum over its ops of
 *   t_op = op_c + flops_c * F + bytes_c * B + weights_c * W [+ par_c,P * F/b * max(1, b/P)]
 *          + spill * B * B^3 / (B^3 + LLC^3)
 * plus a per-kernel cost, where c is the op's class, F its FLOPs, B its bytes at the precision,
 * W its weight elements and b the batch. Every coefficient is >= 0 (NNLS). */
#ifndef GRAPHS_OP_TIME_MODEL_H
#define GRAPHS_OP_TIME_MODEL_H

#include <stdint.h>

#include "graphs/estimate.h"

/* Op classes (graphs/estimate.h): the kernel classes, then views and global pooling. */
#define CC_VIEW GR_OP_CLASS_VIEW
#define CC_GPOOL GR_OP_CLASS_GLOBAL_POOL
#define CC_COUNT GR_OP_CLASS_COUNT

/* Per-class coefficients (seconds per unit). The batch-parallel terms only exist for precisions
 * the platform emulates: PyTorch's fallback kernels split work over the batch, so a batch
 * smaller than the worker count leaves cores idle. */
/* CF_ROWS: per independent reduction of a softmax, layer norm or Reduce* op (otm_node.rows): a
 * CPU's softmax costs about as much per row as per hundred elements, which FLOPs and bytes,
 * proportional to elements, cannot express. */
enum { CF_OP, CF_FLOPS, CF_BYTES, CF_WEIGHTS, CF_ROWS, CF_PAR4, CF_PAR8, CF_PAR16, CF_COUNT };
/* Platform-wide coefficients: activation bytes of ops whose working set spills beyond the
 * last-level cache (DRAM traffic, and first-touch page faults of large fresh outputs), a cost
 * per kernel (fused group launch/sync), a cost per measured row that only the measurement
 * harness pays (hooks around each layer; never part of a prediction), weight bytes that
 * spill (streamed from DRAM on every call: the datasheet bandwidth, not fitted), and output
 * bytes (eager runtimes allocate every output afresh: large ones are new pages, and first
 * touches fault, which virtual machines make expensive), and a cost per op paid outside the
 * op itself (the framework's call path between ops: measured in whole-model runs and standalone
 * subgraphs, invisible to per-layer hooks, which time inside it). */
enum { CG_SPILL, CG_KERNEL, CG_ROW, CG_WSPILL, CG_ALLOC, CG_CALL, CG_COUNT };

/* Kernel groups of the per-kernel cost: matrix (conv, gemm, matmul, attention, rnn), depthwise
 * conv, vector (elementwise, norms, activations, pooling, reductions), concat, layout
 * (transposes, depth/space shuffles, kernels of views only) and other copies. */
enum { OTM_KG_MATRIX, OTM_KG_DWCONV, OTM_KG_VECTOR, OTM_KG_CONCAT, OTM_KG_LAYOUT, OTM_KG_COPY, OTM_KG_COUNT };

/* One class's fit and the sizes it saw (an op outside them is only "interpolated"). */
typedef struct otm_class {
	int fitted;               /* the class occurred in the fitted rows */
	double coef[CF_COUNT];
	int points;               /* ops of this class seen in the rows */
	double f_min, f_max, b_min, b_max; /* per op */
	double i_min, i_max;      /* FLOPs per byte of its ops with both (the fit's, not stored) */
	int w_points;             /* its ops with weights, and their weight counts (the fit's) */
	double w_min, w_max;
	int r_points;             /* its ops with reduction rows, and their row counts (the fit's) */
	double r_min, r_max;
	int64_t batch_min, batch_max;
	/* a class this platform never measured, borrowed from a related fitted class of its own
	 * (gr_profile_borrow_classes): its ops are "transferred", never better */
	int borrowed_of;          /* the related class (0..CC_COUNT-1); -1 or 0 with borrowed_from "" */
	char borrowed_from[320];  /* "" when fitted here; else the donor profile that measured the ratio */
	int bytes_on_cores;       /* transferred: its s/byte is the cores' work (otm_transfer), not DRAM's */
} otm_class;

/* The fit of one precision. */
typedef struct otm_prec {
	int present;
	int emulated;             /* batch-parallel terms in use */
	otm_class cls[CC_COUNT];
	double glob[CG_COUNT];
	int spill_on_cores;       /* transferred: the spill terms are the cores' work (otm_transfer) */
	/* dataflow devices (estimator.pipeline.dataflow): a cost per frame on the host link (DMA
	 * descriptors, interrupts, the runtime's per-frame work: it sets the frame-rate ceiling of
	 * small networks), and the weight bytes one context holds on chip with the cost of switching
	 * to a context; a network over that capacity is split into contexts whose weights are
	 * reloaded on every request (estimate.c, throughput.c). 0: not fitted, not modelled. */
	double frame_s, context_bytes, context_s;
	/* ... and the other resource a context runs out of: the layers it can place (Hailo: memory,
	 * control and compute; 0: no limit); paid once per request of a network in several contexts:
	 * configuring each of its layers (context_layer_s) and the pipeline's fill and drain in each
	 * context (context_fill, in frames of the chip's work) */
	double context_layers, context_layer_s, context_fill;
	/* per matrix product of a MatMul of two activations (otm_node.matrices): a dataflow chip
	 * runs a batched product of activations (attention's heads and windows) one matrix after
	 * another, each with its own set-up, unlike a convolution's weights held in place
	 * (docs/estimate.md; 0: not fitted, not modelled) */
	double matrix_s;
	/* context_bytes holds the network's weights and the activations its layers buffer between
	 * them (otm_dataflow_memory) */
	/* set by the estimator, not stored: weights stay in the memory beside their layer (a
	 * dataflow chip), so the kernels' bytes are their activations only */
	int weights_resident;
	double llc_bytes;         /* the spill term's cache size */
	double bytes_per_elem;
	/* the platform's estimator.group_conv.tile_n when fitted: grouped convs' FLOPs count
	 * gr_group_conv_scale times (0: older profiles, no such scaling) */
	double group_tile_n;
	/* fits to published figures (fit_pub.c); absent in older profiles, which then estimate as
	 * before: a fixed cost per request (host and runtime around the graph; 0: none), a cost per
	 * kernel by its group (OTM_KG_*) in place of glob[CG_KERNEL], and the share of their time
	 * that kernels off the critical path add (parallel branches overlap on the device) */
	double request_s;
	int has_kernel_groups;
	double kernel_group_s[OTM_KG_COUNT];
	int has_offpath;
	double offpath_factor;    /* [0, 1]; with has_offpath 0: 1 (every kernel in series) */
	int has_energy;
	double pj_per_flop, pj_per_byte, static_w;
	/* published power (src/calibration/fit_energy.c): one scale on the estimate's energy of the
	 * scope the source measured, the device's or the whole box's at the wall */
	int energy_pub_scope;     /* OTM_ENERGY_NONE, _DEVICE or _SYSTEM */
	double energy_pub_scale;
	double energy_pub_error;  /* expected error (fraction): LOMO, else LORO MAPE; NAN unknown */
} otm_prec;

enum { OTM_ENERGY_NONE, OTM_ENERGY_DEVICE, OTM_ENERGY_SYSTEM };
/* "device", "system"; NULL for OTM_ENERGY_NONE or out of range. */
const char *otm_energy_scope_name(int scope);
/* Applies cp's published-power scale to e (src/estimation/energy.c): a device fit scales the
 * device energy (which then counts as fitted); a system fit is kept for gr_estimate_energy_split. */
void otm_apply_energy_fit(gr_estimate *e, const otm_prec *cp);

/* A fitted model and what it applies to (a calibration profile holds one). */
typedef struct gr_op_time_model {
	char hw[96];
	char mode[32];            /* "" for default settings */
	char runtime[32];
	char label[320];          /* one line naming the profile */
	char path[4096];          /* its file; "" when none */
	char borrowed_from[320];  /* "" for a fit of this platform; the donor's label when the model
				   * was transferred (otm_transfer): its kernels are "transferred" */
	otm_prec prec[GR_PREC_COUNT];
} gr_op_time_model;

extern const char *const otm_kernel_group_names[OTM_KG_COUNT];
int otm_kernel_group(const gr_partition *p, size_t ki);
/* The per-kernel cost of a kernel of group kg under cp. */
double otm_kernel_cost(const otm_prec *cp, int kg);

/* Kernels on the longest path through the kernel graph (edges: tensors from one kernel to a
 * later one), each weighted by lat[k]: on[k] = 1 on it, 0 off it. Returns -1 when out of
 * memory (on[] all 1). */
int otm_critical_path(const gr_graph *g, const gr_partition *p, const double *lat, unsigned char *on);
/* The kernel graph itself, for repeated critical paths of one partition: pred[first[k] ..
 * first[k + 1]) are the earlier kernels whose tensors kernel k reads. */
typedef struct otm_kernel_dag {
	size_t nk;
	size_t *first;
	int *pred;
} otm_kernel_dag;
int otm_kernel_dag_build(const gr_graph *g, const gr_partition *p, otm_kernel_dag *d);
void otm_kernel_dag_free(otm_kernel_dag *d);
int otm_critical_path_dag(const otm_kernel_dag *d, const double *lat, unsigned char *on);

/* One op's work. */
typedef struct otm_node {
	int cls;                  /* 0..CC_COUNT-1, or -1: not executed (folded shape arithmetic) */
	double flops, ein, ew, eo; /* elements: activations in, weights, out */
	double group_width;       /* a grouped conv's output channels per group (gr_node_group_width) */
	/* set by otm_nodes_fuse (graph-compiler runtimes), 0 otherwise: ein/eo then count only
	 * tensors crossing the op's fused group; ws: activation elements live while its group runs
	 * (what on-chip memory must hold); foot: the whole graph's weights plus its peak live
	 * activations (what must fit for weights to stay on chip between inferences) */
	int fused;
	double ws, foot;
	/* a MatMul of two activations (class matmul): the matrix products it runs, the product of
	 * its output's dims but the last two (frames x heads x windows); 0 for every other op */
	double matrices;
	/* a softmax, layer norm or Reduce* op: the reductions it runs (elements / reduced extent) */
	double rows;
} otm_node;

void otm_node_from(const gr_node *n, otm_node *out);
/* kof[i]: the kernel of p that runs node i, -1 for none (views, folded ops); kof has a slot
 * per node of p's graph (n_nodes). */
void otm_kernel_of(const gr_partition *p, size_t n_nodes, int *kof);
/* view_kernel[i]: the kernel a view node (nodes[i].cls CC_VIEW, in no kernel) is charged to,
 * the one that runs next, or the last; -1 for every other node. */
void otm_view_kernels(const otm_node *nodes, const int *kof, size_t n_nodes, size_t nk, int *view_kernel);
/* Graph compilers keep a fused group's intermediates on chip: rewrites nodes[] (graph order,
 * from otm_node_from) so that each op's activations count only the tensors that enter or leave
 * its kernel of p, and records the on-chip working sets above (docs/estimate.md, "On-chip
 * memory"). Returns -1 when out of memory (nodes unchanged). */
int otm_nodes_fuse(const gr_graph *g, const gr_partition *p, otm_node *nodes);
/* An int8 model on a runtime with gr_fusion_rules.int8_float_io (ncnn): rescales nodes[] (graph
 * order, bytes per element bpe) so that each op's activations count the bytes that runtime
 * moves: float ones of fb bytes, int8 ones between int8 convs, the quantize pass of a float
 * input and a dense conv's int32 output (int8_io.c). Weights stay. passes (NULL, or one per
 * kernel of p) gets the layer dispatches each kernel runs besides its own (quantize, requantize
 * or dequantize, a dequantized output's activation). Returns -1 when out of memory (nodes
 * unchanged). */
int otm_nodes_int8_float_io(const gr_graph *g, const gr_partition *p, otm_node *nodes, double bpe, double fb,
			    double *passes);
/* The bytes of an element of the float activations ncnn keeps between its int8 layers on hw:
 * 2 (fp16 storage) on an Arm CPU with native fp16, else 4 (int8_io.c). */
double otm_int8_float_bytes(const gr_hw *hw);
/* What the same rule holds between layers (peak_activation_bytes): out_bpe[i] the bytes per
 * element of node i's outputs, 1 where its kernel gives int8 (a conv whose readers are all int8
 * convs), else fb; a view's those of its input; out_bpe[n_nodes] the graph inputs' (fb). out_bpe
 * has n_nodes + 1 entries. Returns -1 when out of memory. */
int otm_int8_float_io_bytes(const gr_graph *g, const gr_partition *p, double fb, double *out_bpe);
/* Bytes of a fused op (otm_nodes_fuse) by where they move, given on-chip capacity cap (0: none
 * declared): on[0] activations and resident weights on chip, off[0] activations beyond cap and
 * weights streamed from DRAM. Unfused ops: all bytes on[0], nothing off. */
void otm_node_split(const otm_node *n, double bytes_per_elem, double cap, double *on, double *off);

/* Feature vector of one op: per-class features in f[CF_COUNT], platform-wide ones in g[CG_COUNT]
 * (spills and output bytes; the per-kernel and per-row entries are 0). */
void otm_node_features(const otm_node *n, double bytes_per_elem, int64_t batch, double llc,
		       int emulated, double group_tile_n, double f[CF_COUNT], double g[CG_COUNT]);
/* Predicted seconds of one op, split into compute / memory / overhead (parts may be NULL). */
double otm_node_time(const otm_prec *cp, const otm_node *n, int64_t batch, double parts[3]);
/* Confidence of one op under cp. */
gr_confidence otm_node_confidence(const otm_prec *cp, const otm_node *n, int64_t batch);

/* m was fitted on hw at mode under runtime (NULL: any runtime). */
int otm_same_target(const gr_op_time_model *m, const gr_hw *hw, int mode, const char *runtime);

/* The fit of precision prec in m when m applies to hw/mode/runtime (runtime NULL: any);
 * NULL otherwise. */
const otm_prec *otm_applicable(const gr_op_time_model *m, const gr_hw *hw, int mode,
			       gr_precision prec, const char *runtime);

/* Physical bounds of a platform at a mode and precision (docs/estimate.md, "Physical bounds"):
 * no kernel computes faster than the peak of the engine its class runs on, nor moves bytes
 * faster than the fastest memory level that can hold its working set. Estimation raises
 * kernels to this floor; calibration bounds its coefficients with it. */
typedef struct otm_bounds {
	const gr_hw *hw;
	int mode;
	double peak_matrix;       /* ops/s of matrix-engine classes (conv, gemm, ...); 0: unknown */
	double peak_vector;       /* ops/s of the other classes (the general-purpose lanes) */
	double bytes_per_elem;
	double unit_share;        /* units online in the mode / all units (per-unit cache capacity) */
	/* the memory levels otm_bounds_bandwidth scans, read once (n_lv < 0: too many, scan hw) */
	int n_lv;
	struct otm_level {
		const char *name;
		double cap, bw;
		int size_unknown;
	} lv[16];
	double onchip_cap;        /* largest on-chip level (bytes, otm_llc_bytes); 0: none */
	double dram_bw;           /* bytes/s of DRAM; 0: unknown */
} otm_bounds;

void otm_bounds_init(otm_bounds *b, const gr_hw *hw, int mode, gr_precision prec);
/* 1 for the op classes that run on matrix engines (tensor cores, MXUs, AMX, FMA blocks). */
int otm_class_is_matrix(int cls);
/* The convolution path (gr_conv_path) runtime r takes at precision prec on hw (NULL: none
 * known): with dot-product instructions when every engine of hw declares them, as a runtime's
 * detection of the whole system's features sees them; x86 code on a CPU whose isa_family is
 * x86_64. Estimates and fits charge its FLOPs. */
int otm_conv_path(const gr_fusion_rules *r, int prec, const gr_hw *hw);
/* How many times slower than prec's peak the kernels of that path that compute in a wider
 * precision (gr_conv_path_widens) run: prec's peak over the peak of the precision they compute in
 * (gr_conv_path_arith: ncnn's int8 Winograd on int16 lanes, every x86 int8 layer), both from the registry; 1 where that precision is the same, is not native
 * (no rate declared: charged at prec's) or is no slower. gr_node_rate_flops takes it. */
double otm_conv_widen(const gr_fusion_rules *r, int prec, const gr_hw *hw);
/* 1 when class cls runs on hw's matrix engine (otm_class_is_matrix, except depthwise
 * convolution on CPUs and GPUs: their vector lanes); hw NULL: otm_class_is_matrix. */
int otm_class_on_matrix_engine(int cls, const gr_hw *hw);
/* The vector-lane peak of hw at mode and precision (otm_bounds' peak_vector; 0: unknown). */
double otm_vector_peak(const gr_hw *hw, int mode, gr_precision prec);
/* The related class of class c (the same engine, a similar access pattern: matmul -> gemm ->
 * conv, softmax/norm/transposes -> elementwise); -1: none. calibrate --borrow takes its ratio to
 * it, the fit its FLOP rate where c's rows cannot tell it, estimates its per-op cost where c is
 * unfitted. */
int otm_related_class(int c);
/* Peak ops/s for an op of class cls (0: no bound known). */
double otm_bounds_peak(const otm_bounds *b, int cls);
/* Bandwidth (bytes/s) of the fastest level whose capacity holds ws bytes (a level without a
 * figure of its own borrows the nearest faster level's); 0 when none is known. *level (may be
 * NULL) gets its name. */
double otm_bounds_bandwidth(const otm_bounds *b, double ws, const char **level);
/* The floor of one op: floor[0] its FLOPs at peak, floor[1] its bytes (working set: all of
 * them) at the bandwidth that holds them; 0 where no bound is known. */
void otm_node_floor(const otm_bounds *b, const otm_node *n, double floor[2]);
/* Raises an op's fitted parts (compute, memory, overhead) to its floor: compute to the compute
 * floor, and memory so that the whole op takes at least the memory floor (the fitted per-op
 * cost overlaps data movement, so only the total is held to it). Returns 1 when raised. */
int otm_raise_to_floor(const double floor[2], double parts[3]);

/* --- transfer (transfer.c, docs/transfer.md) ------------------------------------------------ */

/* Capacity of the platform's largest on-chip cache level (bytes, all instances); 0 when none
 * is known. The spill threshold of a fit and of a transfer. */
double otm_llc_bytes(const gr_hw *hw);

/* How far donor platform d at mode dm is from target t at mode tm for borrowing a fit of
 * precision prec: 0 for the same platform and mode, larger for less alike; -1 when d cannot
 * lend to t (another class, or prec missing or native on one and emulated on the other). */
double otm_transfer_distance(const gr_hw *d, int dm, const gr_hw *t, int tm, gr_precision prec);
/* Scales the fits of donor (fitted on d at mode dm) to t at mode tm: each class keeps the share
 * of peak compute and bandwidth it reached on d, per-op overheads scale with the CPU clock on
 * cpus and stay as fitted elsewhere, no rate exceeds t's peak or bandwidth, and the cache of the
 * spill term becomes t's. *out gets t's id and mode and borrowed_from = donor's label.
 * Returns the number of precisions transferred (0: nothing applies). */
int otm_transfer(const gr_op_time_model *donor, const gr_hw *d, int dm, const gr_hw *t, int tm,
		 gr_op_time_model *out);

/* A transferred fit on a CPU whose runtime runs threads threads, fewer than the platform's
 * cores: each class's share of peak is of those cores only (s/FLOP and the batch-parallel terms
 * times cores/threads); bytes, ops and launches as they are. Returns 1 when it changed m. */
int otm_transfer_threads(gr_op_time_model *m, const gr_hw *t, int tm, int threads);

/* A precision the platform's own model m lacks, borrowed from its nearest fitted precision on
 * the same platform and mode (both native or both emulated): framework, launch and memory costs
 * are the same software and silicon, the compute shares are kept and scaled by the two
 * precisions' peaks, never above the target precision's peak. Fills *out and *from and returns
 * 1; 0 when no precision of m can lend (m's own fit of prec, if any, is used as it is). */
int otm_transfer_precision(const gr_op_time_model *m, const gr_hw *hw, int mode, gr_precision prec,
			   otm_prec *out, gr_precision *from);

/* gr_estimate_run with a fitted model (NULL: exactly gr_estimate_run). Kernels whose op classes
 * the model fits get the fitted latency; the estimate borrows m's label and path. */
gr_status gr_estimate_run_fitted(const gr_graph *g, const gr_partition *p, const gr_hw *hw, int mode,
				 const gr_estimate_opts *opts, const gr_op_time_model *m,
				 gr_estimate **out, gr_error *err);
/* The same with the graph-level work kept in c (gr_estimate_cache_new). */
gr_status gr_estimate_run_cached(gr_estimate_cache *c, const gr_hw *hw, int mode, const gr_estimate_opts *opts,
				 const gr_op_time_model *m, gr_estimate **out, gr_error *err);

/* What a dataflow chip holds on chip for one frame of a network: its weights and each
 * kernel's output (the activations buffered between layers), in bytes of elem_bytes. */
double otm_dataflow_memory(const gr_partition *p, int64_t batch, double weight_bytes, double elem_bytes);

#endif
