/* Private pieces of the calibration module: the per-op latency model a profile holds, node
 * features, the zoo-model cache with the module-name mapping, and the NNLS solver.
 * The model (docs/calibrate.md): in eager runtimes every op is launched on its own, so a kernel's
 * time is the sum over its ops of
 *   t_op = op_c + flops_c * F + bytes_c * B + weights_c * W [+ par_c,P * F/b * max(1, b/P)]
 *          + spill * B * B^3 / (B^3 + LLC^3)
 * plus a per-kernel cost, where c is the op's class, F its FLOPs, B its bytes at the precision,
 * W its weight elements and b the batch. Every coefficient is >= 0 (NNLS). */
#ifndef GRAPHS_CALIB_IMPL_H
#define GRAPHS_CALIB_IMPL_H

#include "graphs/calibrate.h"
#include "graphs/transform.h"

/* Op classes: the kernel classes plus "view" (reshape/flatten: no kernel in our partitions,
 * but an op eager runtimes still dispatch) and "global_pool" (global average/max pooling: a
 * streaming reduction, unlike windowed pooling, whose cost goes with outputs x window). */
#define CC_VIEW GR_KC_COUNT
#define CC_GPOOL (GR_KC_COUNT + 1)
#define CC_COUNT (GR_KC_COUNT + 2)

/* Per-class coefficients (seconds per unit). The batch-parallel terms only exist for precisions
 * the platform emulates: PyTorch's fallback kernels split work over the batch, so a batch
 * smaller than the worker count leaves cores idle. */
enum { CF_OP, CF_FLOPS, CF_BYTES, CF_WEIGHTS, CF_PAR4, CF_PAR8, CF_PAR16, CF_COUNT };
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

extern const char *const calib_cf_names[CF_COUNT];
extern const char *const calib_cg_names[CG_COUNT];
extern const double calib_par_workers[3];

const char *calib_class_name(int cc);
int calib_class_parse(const char *s);

typedef struct calib_class {
	int fitted;               /* the class occurred in the fitted rows */
	double coef[CF_COUNT];
	int points;               /* ops of this class seen in the rows */
	int rows;                 /* rows whose time is mostly this class */
	double f_min, f_max, b_min, b_max; /* per op */
	int64_t batch_min, batch_max;
	double median_ape, p90_ape; /* over the rows mostly of this class; NAN without */
} calib_class;

/* The fit of one precision. */
typedef struct calib_prec {
	int present;
	int emulated;             /* batch-parallel terms in use */
	calib_class cls[CC_COUNT];
	double glob[CG_COUNT];
	double llc_bytes;         /* the spill term's cache size */
	double bytes_per_elem;
	int rows, rows_model, rows_sub;
	double r2;                /* of log latency over every fitted row */
	double median_ape, p90_ape;      /* subgraph/layer rows */
	double model_mape, model_median_ape; /* whole-model rows (in-sample) */
	int64_t batch_min, batch_max;
	char models[1024];        /* comma list of the models fitted */
	int has_energy, energy_rows;
	double pj_per_flop, pj_per_byte, static_w;
} calib_prec;

struct gr_profile {
	int version;
	char hw[96];
	char mode[32];            /* "" for default settings */
	char runtime[32];
	char path[4096];
	char label[320];
	char created[32];
	char tool[32];
	char sources[2048];
	char excluded[64];        /* model left out of the fit (cross-validation) */
	int total_rows;
	gr_calib_conditions cond;
	calib_prec prec[GR_PREC_COUNT];
};

/* One op's work. */
typedef struct calib_node {
	int cls;                  /* 0..CC_COUNT-1, or -1: not executed (folded shape arithmetic) */
	double flops, ein, ew, eo; /* elements: activations in, weights, out */
} calib_node;

/* Classifies an op like the partitioner does; CC_VIEW for views, -1 for folded nodes. */
int calib_node_class(const gr_node *n);
void calib_node_from(const gr_node *n, calib_node *out);

/* Feature vector of one op: per-class features in f[CF_COUNT], platform-wide ones in g[CG_COUNT]
 * (spills and output bytes; the per-kernel and per-row entries are 0). */
void calib_node_features(const calib_node *n, double bytes_per_elem, int64_t batch, double llc,
			 int emulated, double f[CF_COUNT], double g[CG_COUNT]);
/* Predicted seconds of one op, split into compute / memory / overhead. */
double calib_node_time(const calib_prec *cp, const calib_node *n, int64_t batch, double parts[3]);
/* Confidence of one op under cp. */
gr_confidence calib_node_confidence(const calib_prec *cp, const calib_node *n, int64_t batch);

/* The fit of precision prec in p when p applies to hw/mode/runtime; NULL otherwise. */
const calib_prec *calib_profile_prec(const gr_profile *p, const gr_hw *hw, int mode,
				     gr_precision prec, const char *runtime);

/* Bytes per element of floats at precision p. */
double calib_prec_bytes(gr_precision p);
/* Capacity of the largest on-chip cache level of hw (bytes); 0 when none is known. */
double calib_llc_bytes(const gr_hw *hw);

/* --- zoo models --------------------------------------------------------------------------- */

typedef struct calib_model {
	char name[64];
	int64_t batch;
	char runtime[32];
	gr_graph *g;
	gr_partition *p;
	size_t n_nodes;
	calib_node *nodes;        /* graph order */
	int *kernel_of;           /* node -> kernel, -1 when in none */
	int *view_kernel;         /* view nodes: the kernel they are charged to; -1 otherwise */
	char **module;            /* PyTorch module path of each node ("layer1_0_conv1") */
	const char **fx;          /* functional ops (not inside a leaf module): torch.fx's name for
				   * the op kind ("add"), NULL otherwise */
	int *fx_ord;              /* and its ordinal among functional ops of that kind (add_3: 3) */
	int failed;
	char err[1024];
} calib_model;

struct gr_calib_cache {
	gr_hw_registry *reg;
	int own_reg;
	calib_model **m;
	size_t n, cap;
};

/* The loaded, inferred, partitioned model (cached). GR_ERR_NOT_FOUND when not in the zoo. */
gr_status calib_cache_model(gr_calib_cache *c, const char *model, int64_t batch, const char *runtime,
			    calib_model **out, gr_error *err);
/* Registry with the user's saved platforms (~/.config/graphs/hardware) added. */
gr_status calib_registry_load(gr_hw_registry **out, gr_error *err);

/* Module path of an ONNX scope name: "/layer1/layer1.0/conv1/Conv" -> "layer1_0_conv1". */
void calib_module_of(const char *onnx_name, char *buf, size_t size);

/* Assigns each node of m to one of the measured rows (subgraphs/layers of one model run, in
 * their order): node_row[i] = row index, or -1. Standalone subgraphs (the ground truth) cover
 * every op, so an op that matches no module name joins its functional row or its predecessor's;
 * hooked layers only cover leaf modules, so such ops stay -1. Returns the number matched. */
size_t calib_match(const calib_model *m, const gr_meas_row *const *rows, size_t n_rows, int *node_row);

/* 1 when node i of m belongs to the measured row r judged on that row alone: its module is
 * one the row names, or it is the functional op the row names ("add_3"). */
int calib_node_in_row(const calib_model *m, size_t i, const gr_meas_row *r);

/* Fallback features of a row whose model is not in the zoo: its own flops/bytes/optype. */
void calib_row_fallback(const gr_meas_row *r, calib_node *out, int *n_ops);

/* --- NNLS ----------------------------------------------------------------------------------- */

/* Minimises |A x - b|^2 subject to x >= lb, given G = A'A (n x n, row-major) and h = A'b.
 * Columns with G[j][j] == 0 get x = lb. Lawson-Hanson active set on the normal equations,
 * with columns scaled to unit diagonal. Returns 0, or -1 when out of memory. */
int calib_nnls_gram(const double *G, const double *h, const double *lb, size_t n, double *x);

/* Median and 90th percentile of v (n values; v is reordered). */
void calib_quantiles(double *v, size_t n, double *median, double *p90);

/* ISO 8601 UTC now. */
void calib_now_iso(char *buf, size_t size);

#endif
