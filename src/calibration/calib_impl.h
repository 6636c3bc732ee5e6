/* Private pieces of the calibration module: the profile (a fitted per-op time model from
 * src/estimation/op_time_model.h with its provenance and fit quality), the zoo-model cache
 * with the module-name mapping, and the NNLS solver. Calibration fits and serializes the time
 * model; estimation applies it and never calls back here. */
#ifndef GRAPHS_CALIB_IMPL_H
#define GRAPHS_CALIB_IMPL_H

#include "estimation/mapper.h"
#include "estimation/op_time_model.h"
#include "graphs/calibrate.h"
#include "graphs/transform.h"

struct cJSON; /* <cjson/cJSON.h> */

#define PROFILE_KIND "graphs-calibration-profile"

/* How well one class fits: over the rows whose time is mostly this class. */
typedef struct calib_class_quality {
	int rows;
	double median_ape, p90_ape; /* NAN without rows */
	int flop_of;              /* 1 + the class whose s/FLOP this one was given (fit.c, tie_flops);
				   * 0: its own */
} calib_class_quality;

/* Accuracy of a fit to published whole-model figures (fit_pub.c), per metric
 * (GR_METRIC_LATENCY, GR_METRIC_THROUGHPUT): leave-one-model-out and in-sample mean absolute
 * percentage error as fractions (NAN without rows of that metric). */
typedef struct calib_pub_quality {
	int present;
	int rows[2], lomo_rows[2], models;
	double lomo_mape[2], mape[2];
	double alpha, beta, kernel_s, op_s; /* compute and bandwidth factors (>= 1), per-kernel and
					     * per-op seconds */
	int skip_mapping, skip_shape, skip_model, skip_placement;
	char precision_name[16];  /* as published ("amp") */
	char sources[512];
	/* the harnesses the rows name (fit_pub.c): host time per step and per graph op of their
	 * timed steps besides the network; fitted, not part of estimates */
	int n_harness;
	char harness[GR_HARNESS_MAX][96];
	double harness_step_s[GR_HARNESS_MAX], harness_op_s[GR_HARNESS_MAX];
} calib_pub_quality;

/* A fit of energy per inference to published power (fit_energy.c): errors as fractions,
 * of energy per inference, as estimated, fitted in sample, leave-one-model-out (NAN with one
 * model) and leave-one-row-out (NAN with one row). */
typedef struct calib_energy_quality {
	int rows, models, clamped;
	int skip_no_system;       /* wall-power rows of a platform without a system description */
	double mape_theory, mape_fit, lomo_mape, loro_mape;
	char sources[512];
} calib_energy_quality;

/* Fit quality and coverage of one precision (what estimates do not need). */
typedef struct calib_quality {
	int rows, rows_model, rows_sub;
	int rows_merged;          /* rows fitted inside another row's group (calib_match) */
	char merged_example[160]; /* the first such: model, batch and the rows' subgraph ids */
	double r2;                /* of log latency over every fitted row */
	double median_ape, p90_ape;      /* subgraph/layer rows */
	double model_mape, model_median_ape; /* whole-model rows (in-sample) */
	int64_t batch_min, batch_max;
	char models[1024];        /* comma list of the models fitted */
	int energy_rows;
	calib_class_quality cls[CC_COUNT];
	calib_pub_quality pub;    /* fits to published figures only */
	calib_energy_quality epub; /* fits to published power only (cp->energy_pub_scope set) */
} calib_quality;

struct gr_profile {
	gr_op_time_model tm;      /* what estimates use: platform, mode, runtime, label, path, fits */
	int version;
	char created[32];
	char tool[32];
	char sources[2048];
	char excluded[64];        /* model left out of the fit (cross-validation) */
	int total_rows;
	gr_calib_conditions cond;
	calib_quality q[GR_PREC_COUNT];
};

/* Keys of the coefficients in profile files (the CF_* and CG_* order). */
extern const char *const calib_coef_names[CF_COUNT];
extern const char *const calib_glob_names[CG_COUNT];

/* Reads a profile document into p (zeroed by the caller), checking every key's type and range
 * (docs/calibrate.md). Errors: GR_ERR_FORMAT, "FILE: key 'precisions.fp32.llc_bytes': ...". */
gr_status calib_profile_from_json(const struct cJSON *o, const char *file, gr_profile *p, gr_error *err);
/* Sets p->tm.label from the platform, mode, runtime, version and date. */
void calib_profile_set_label(gr_profile *p);

/* --- zoo models --------------------------------------------------------------------------- */

/* The convolution path of a model's rows (gr_conv_path) and the widen of its fast convolutions
 * (otm_conv_widen): its nodes' FLOPs are those the time model charges there. */
typedef struct calib_conv {
	int path;
	double widen;
} calib_conv;

typedef struct calib_model {
	char name[64];
	int64_t batch;
	char shape[64];           /* published input dims after the batch ("3x380x380"); "" = zoo's */
	char runtime[32];
	calib_conv conv;          /* the conv path its nodes' FLOPs are at (rows at another precision
				   * or on other cores may run other convolution algorithms) */
	gr_graph *g;
	gr_partition *p;
	size_t n_nodes;
	otm_node *nodes;          /* graph order */
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
gr_status calib_cache_model_conv(gr_calib_cache *c, const char *model, int64_t batch, const char *runtime,
				 calib_conv conv, calib_model **out, gr_error *err);
/* The same on conv_path with its fast convolutions at the precision's own rate (widen 1). */
gr_status calib_cache_model(gr_calib_cache *c, const char *model, int64_t batch, const char *runtime,
			    int conv_path, calib_model **out, gr_error *err);
/* The convolution path (gr_conv_path) runtime takes at precision prec on hw (NULL: none known)
 * with the widen its fast convolutions are counted with there (otm_conv_widen): the models
 * above are cached per path and widen. calib_conv_path: the path on the platform of registry
 * spec. */
calib_conv calib_conv_hw(const gr_hw *hw, const char *runtime, int prec);
int calib_conv_path(const gr_calib_cache *c, const char *spec, const char *runtime, int prec);
/* The same with the first input's dims after the batch set to shape ("3x380x380", "384"; NULL
 * or "" = the zoo's), as a published row states them. GR_ERR_SHAPE when the graph cannot take
 * that shape (a ViT's position table fixes its resolution). */
gr_status calib_cache_model_shaped(gr_calib_cache *c, const char *model, int64_t batch, const char *shape,
				   const char *runtime, calib_conv conv, calib_model **out, gr_error *err);
/* The model a measured row ran: the zoo graph at the row's batch and, where the row states an
 * input shape (published rows), at that shape. GR_ERR_SHAPE when the graph cannot take it. */
gr_status calib_row_model(gr_calib_cache *c, const gr_meas_row *r, const char *runtime, calib_model **out,
			  gr_error *err);
/* 1 when row r states an input shape other than the zoo's (then in shape, "3x380x380"), else 0
 * (shape ""). */
int calib_row_shape(const gr_meas_row *r, char *shape, size_t size);
/* Registry with the user's saved platforms (~/.config/graphs/hardware) added. */
gr_status calib_registry_load(gr_hw_registry **out, gr_error *err);

/* Module path of an ONNX scope name: "/layer1/layer1.0/conv1/Conv" -> "layer1_0_conv1". */
void calib_module_of(const char *onnx_name, char *buf, size_t size);

/* Assigns each node of m to one of the measured rows (subgraphs/layers of one model run, in
 * their order): node_row[i] = row index, or -1. Standalone subgraphs (the ground truth) cover
 * every op, so an op that matches no module name joins its functional row or its predecessor's;
 * hooked layers only cover leaf modules, so such ops stay -1. Rows naming a module another row
 * names too are one group: group (n_rows entries, or NULL) gets each row's group, the index of
 * its first row, and node_row holds group indices. Returns the number matched. */
size_t calib_match(const calib_model *m, const gr_meas_row *const *rows, size_t n_rows, int *node_row,
		   int *group);

/* 1 when node i of m belongs to the measured row r judged on that row alone: its module is
 * one the row names, or it is the functional op the row names ("add_3"). */
int calib_node_in_row(const calib_model *m, size_t i, const gr_meas_row *r);
/* 1 when r is a part of a module timed whole ("module/OnnxOp/elements/k", tools/torch_runner.py):
 * timed apart from its module's hooks, which its module's record pays. */
int calib_row_is_part(const gr_meas_row *r);
/* ... and judged among the other rows of its model run (same hw, precision, model, batch and
 * run), as calib_match has it: not when a part row among them ("module/OnnxOp/elements/k") takes
 * it, so a module's row timed less its parts is predicted less them. */
int calib_node_in_run_row(const calib_model *m, size_t i, const gr_meas_row *r, const gr_meas_row *const *run,
			  size_t n_run);

/* Fallback features of a row whose model is not in the zoo: its own flops/bytes/optype. */
void calib_row_fallback(const gr_meas_row *r, otm_node *out, int *n_ops);

/* --- fits ----------------------------------------------------------------------------------- */

/* Widens the coverage of op n's class in cp (sizes and batches seen). */
void calib_note_coverage(otm_prec *cp, const otm_node *n, int64_t batch);
/* Capacity of the largest on-chip cache level of hw (bytes); 0 when none is known. */
/* 1 when the set holds published rows of platform spec hw and runtime (canonical name). */
int calib_set_has_published(const gr_meas_set *set, const char *hw, const char *runtime);
/* Fits precision prec of runtime on hw from the set's published rows (fit_pub.c) into *cp and
 * its quality into cq (both zeroed by the caller); lomo: also leave each model out once.
 * Leaves cp->present 0 when no row applies. */
gr_status calib_fit_published(const gr_meas_set *set, const gr_fit_opts *o, const gr_hw *hw, int mode,
			      gr_precision prec, const char *runtime, gr_calib_cache *cache, double llc,
			      int lomo, otm_prec *cp, calib_quality *cq, gr_error *err);

/* Fits the energy scale of precision prec from the published rows with power (fit_energy.c),
 * each estimated with the fitted time model *cp (present), into cp->energy_pub_* and cq->epub.
 * Leaves both unset when no row applies. */
gr_status calib_fit_published_energy(const gr_meas_set *set, const gr_fit_opts *o, const gr_hw *hw, int mode,
				     gr_precision prec, const char *runtime, gr_calib_cache *cache,
				     otm_prec *cp, calib_quality *cq, gr_error *err);
/* --- profiles on the search path (transfer_find.c) -------------------------------------------- */

/* Called with dir, platform id and mode folder name ("default" or a mode) of every
 * DIR/ID/MODE/RUNTIME.json on the search path ($GRAPHS_CALIBRATION_PATH, the user's folder, the
 * shipped folder), in that order and name order within a folder. */
typedef void (*calib_profile_fn)(void *ctx, const char *dir, const char *id, const char *mode);
void calib_each_profile(const char *runtime, calib_profile_fn fn, void *ctx);
/* The same for the profiles that may lend to platform hw in mode (-1: none) at prec: those of a
 * platform the registry knows (dhw, in mode dm; -1: the "default" folder) of hw's class
 * (otm_transfer_distance dist >= 0), not hw's own in its mode. */
typedef void (*calib_donor_fn)(void *ctx, const char *dir, const char *id, const char *mode, const gr_hw *dhw,
			       int dm, double dist);
void calib_each_donor(const gr_hw_registry *reg, const gr_hw *hw, int mode, const char *runtime, gr_precision prec,
		      calib_donor_fn fn, void *ctx);

/* --- NNLS ----------------------------------------------------------------------------------- */

/* Minimises |A x - b|^2 subject to x >= lb, given G = A'A (n x n, row-major) and h = A'b.
 * Columns with G[j][j] == 0 get x = lb. Lawson-Hanson active set on the normal equations,
 * with columns scaled to unit diagonal. Returns 0, or -1 when out of memory. */
int calib_nnls_gram(const double *G, const double *h, const double *lb, size_t n, double *x);

/* Median and 90th percentile of v (n values; v is reordered). */
void calib_quantiles(double *v, size_t n, double *median, double *p90);

#endif
