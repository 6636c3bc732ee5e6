/* Calibration: measurement sets (ground-truth CSVs, benchmark databases), the fit of a
 * platform's latency/energy model per kernel class, profiles on disk, and predictions of
 * measured rows through the estimator with a profile.
 *
 * THIS HEADER IS THE CONTRACT WITH `graphs validate` (src/validation/, src/cli/cmd_validate.c).
 * Keep it stable: add fields and functions at the end; never change the meaning of existing ones.
 * Typical use by validate:
 *   gr_meas_set_new(&set); gr_meas_load(set, "models.csv"); gr_meas_load(set, "subgraphs.csv");
 *   in-distribution:  gr_profile_find_load("intel_core_i7_12700k", "pytorch", &prof)
 *                     gr_calib_predict_row(cache, prof, row, &pred)  for every row
 *   --cv model:       for each model M in the rows: opts.exclude_model = M;
 *                     gr_profile_fit(set, &opts, &prof_M); predict M's rows with prof_M.
 * Profile format and fit: docs/calibrate.md. */
#ifndef GRAPHS_CALIBRATE_H
#define GRAPHS_CALIBRATE_H

#include <stdint.h>
#include <stdio.h>

#include "graphs/common.h"
#include "graphs/estimate.h"
#include "graphs/hw.h"

#ifdef __cplusplus
extern "C" {
#endif

struct gr_bench_platform;

/* ------------------------------------------------------------------ measurement sets */

typedef enum gr_meas_kind {
	GR_MEAS_MODEL = 0,  /* a whole model: latency of one inference (the sum of its subgraphs) */
	GR_MEAS_SUBGRAPH,   /* one fused subgraph / layer of a model, timed on its own */
	GR_MEAS_KIND_COUNT
} gr_meas_kind;

/* One measured row. Strings are owned by the set. Unknown numbers are NAN, unknown ints -1. */
typedef struct gr_meas_row {
	gr_meas_kind kind;
	const char *hw;          /* registry spec: "intel_core_i7_12700k", "jetson_orin_agx_gpu:30w", "host" */
	const char *hw_raw;      /* as written in the source ("jetson_orin_30w") */
	int precision;           /* gr_precision */
	const char *runtime;     /* "pytorch" for torch eager runs and the ground truth */
	const char *device;      /* "cpu", "cuda"; may be NULL */
	const char *model;       /* zoo name */
	int64_t batch;
	int subgraph;            /* index within the model; -1 for model rows */
	const char *pattern;     /* "Conv2d_BatchNorm2d_ReLU"; NULL for model rows */
	const char *optype;      /* "conv2d_batchnorm"; NULL for model rows */
	const char *nodes;       /* PyTorch module names joined by '|'; NULL for model rows */
	double flops, bytes;     /* the source's counts (NAN when absent) */
	double latency_s;        /* mean per call */
	double latency_std_s;    /* NAN when absent */
	double energy_j;         /* per call, idle subtracted; NAN without a power sensor */
	double avg_power_w;      /* NAN when absent */
	int threads;             /* -1 when unknown */
	const char *source;      /* file (and line) or "db:PATH#run" */
	const char *date;        /* may be NULL */
	int standalone;          /* subgraph rows: 1 when timed on its own so that the model's latency is
				  * the sum of its subgraphs (ground truth); 0 when timed by hooks inside a
				  * whole-model run (`benchmark --per-layer` layer records) */
	int64_t run;             /* database run the row came from; 0 for CSV rows. Rows of one model
				  * run (same hw, precision, model, batch and run) belong together */
	/* Published figures (data/published format; kind GR_MEAS_MODEL, model = the zoo model): */
	int published;           /* 1 for a row of a published-measurement CSV */
	int metric;              /* GR_METRIC_LATENCY (latency_s holds it) or GR_METRIC_THROUGHPUT
				  * (throughput_per_s holds it; latency_s is then NAN) */
	double throughput_per_s; /* inferences per second at batch, steady state; NAN otherwise */
	const char *precision_name; /* as published ("amp" rows carry GR_PREC_FP16); NULL: the enum's */
	const char *published_model; /* the network as the source names it */
	const char *mapping;     /* how close the zoo model is: torchvision_exact, same_arch, ... */
	const char *input_shape; /* as published ("1x3x224x224"); NULL when not stated */
	const char *citation;    /* the source column: repository path@commit and table */
	int layers_elsewhere;    /* layers the source places on another unit than the row's (its
				  * "layer_counts" against the hardware column's unit: CPU fallback);
				  * 0 when none or not published. Fits leave such rows out */
} gr_meas_row;

enum { GR_METRIC_LATENCY = 0, GR_METRIC_THROUGHPUT = 1 };

typedef struct gr_meas_set gr_meas_set;

/* Measurement conditions found in a source (benchmark runs carry them; CSVs mostly do not).
 * Empty strings / -1 when unknown. */
typedef struct gr_calib_conditions {
	int threads;
	char affinity[128];
	char governor[32];
	char turbo[32];
	char cpu_model[128];
	char hostname[64];
	char torch[64];
	char openblas[192];
	char onednn[64];
	char gpu[128];
} gr_calib_conditions;

/* An empty set. Free with gr_meas_set_free (accepts NULL). */
gr_status gr_meas_set_new(gr_meas_set **out, gr_error *err);
void gr_meas_set_free(gr_meas_set *s);

/* Appends the rows of a file: a ground-truth CSV (models.csv or subgraphs.csv format, told
 * apart by the header) or a benchmark SQLite database (told by its magic bytes), whatever
 * its extension. Hardware names are mapped to registry specs (gr_calib_hw_spec).
 * Database records of kind model, subgraph and layer with statistics are loaded; micro
 * kernels are skipped. Errors name the file and line. *n (may be NULL): rows added. */
gr_status gr_meas_load(gr_meas_set *s, const char *path, size_t *n, gr_error *err);
/* The same, forcing the format. */
gr_status gr_meas_load_csv(gr_meas_set *s, const char *path, size_t *n, gr_error *err);
gr_status gr_meas_load_db(gr_meas_set *s, const char *path, size_t *n, gr_error *err);

/* Rows of published-measurement CSVs read but not kept, with the reason ("412 without a
 * registry_id or zoo_model; 96 of precisions the estimator has no type for (w8a16)"); ""
 * when none. Borrowed. */
const char *gr_meas_skipped(const gr_meas_set *s);
/* How many published rows were left out so far, all reasons together. */
size_t gr_meas_skipped_count(const gr_meas_set *s);

/* Which statistic of a benchmark database record becomes a row's latency: "median" (the
 * default), "min", "p5" or "mean"; on a machine shared with other work the low ones are the
 * stable ones. With "min", repeated runs of the same measurement in one database become one row
 * holding the minimum over all of them. Ground-truth CSVs carry means only. Applies to loads
 * that follow. */
gr_status gr_meas_set_statistic(gr_meas_set *s, const char *stat, gr_error *err);

size_t gr_meas_count(const gr_meas_set *s);
/* Row i, borrowed until the set is freed or loaded into again; NULL when out of range. */
const gr_meas_row *gr_meas_at(const gr_meas_set *s, size_t i);
/* Conditions of the sources read so far (the last run that gave them). Borrowed. */
const gr_calib_conditions *gr_meas_conditions(const gr_meas_set *s);
/* Files read, joined by ", ". Borrowed. */
const char *gr_meas_sources(const gr_meas_set *s);

/* Maps a source's hardware name to a registry spec: "jetson_orin_30w" -> "jetson_orin_agx_gpu:30w",
 * "jetson_orin_maxn" -> "jetson_orin_agx_gpu:maxn"; registry ids and "host" pass unchanged.
 * Writes into buf and returns buf. */
const char *gr_calib_hw_spec(const char *name, char *buf, size_t size);

/* ------------------------------------------------------------------ profiles */

typedef struct gr_profile gr_profile;

#define GR_PROFILE_FORMAT_VERSION 1

/* Reads a profile file (JSON). *out: free with gr_profile_free (accepts NULL). Errors name
 * the file and the key that is wrong. */
gr_status gr_profile_load(const char *path, gr_profile **out, gr_error *err);
/* Writes the profile atomically (PATH.tmp.PID then rename), creating missing folders. */
gr_status gr_profile_save(const gr_profile *p, const char *path, gr_error *err);
/* Frees a profile from any gr_profile_* loader or fit. Accepts NULL. */
void gr_profile_free(gr_profile *p);

/* Strings below are borrowed from p: valid until gr_profile_free(p). */
const char *gr_profile_hw(const gr_profile *p);      /* registry id, "intel_core_i7_12700k" */
const char *gr_profile_mode(const gr_profile *p);    /* "30w", or NULL for default settings */
const char *gr_profile_runtime(const gr_profile *p); /* "pytorch" */
const char *gr_profile_path(const gr_profile *p);    /* file it was loaded from / saved to; NULL if none */
/* "intel_core_i7_12700k/pytorch v1 2026-...": one line saying which profile this is. Borrowed. */
const char *gr_profile_label(const gr_profile *p);
/* 1 when the profile has a fit for precision prec. */
int gr_profile_has_precision(const gr_profile *p, gr_precision prec);
/* Borrowed from p. */
const gr_calib_conditions *gr_profile_conditions(const gr_profile *p);

/* Fit quality of one precision (and kernel class, or -1 for the whole precision). */
typedef struct gr_fit_quality {
	int rows;                 /* measured rows used */
	double r2;                /* of log latency */
	double median_ape, p90_ape; /* absolute % error of the fitted rows (in-sample) */
	double f_min, f_max;      /* FLOPs per kernel covered */
	double b_min, b_max;      /* bytes per kernel covered */
	int64_t batch_min, batch_max;
} gr_fit_quality;
/* GR_ERR_NOT_FOUND when the precision (or class) has no fit. */
gr_status gr_profile_quality(const gr_profile *p, gr_precision prec, int cls, gr_fit_quality *out);

/* Folders searched for profiles, in order: $GRAPHS_CALIBRATION_PATH (colon-separated),
 * the user's folder ($XDG_CONFIG_HOME or ~/.config)/graphs/calibration, then the shipped one
 * (GRAPHS_DATA_DIR/calibration, overridable with $GRAPHS_CALIBRATION_DIR). Inside each:
 * <hw_id>/<mode or "default">/<runtime>.json. The first file found wins.
 * The shipped folder; a static string (or $GRAPHS_CALIBRATION_DIR's value): never free it. */
const char *gr_calibration_builtin_dir(void);
/* The user's folder (created by gr_profile_save, not here). Writes into buf; 0 on success. */
int gr_calibration_user_dir(char *buf, size_t size);
/* Where a profile for spec ("id" or "id:mode") and runtime would be saved under dir. */
void gr_profile_default_path(const char *dir, const char *spec, const char *runtime, char *buf,
			     size_t size);
/* Finds the profile file for spec + runtime (NULL: "pytorch"). GR_ERR_NOT_FOUND when none. */
gr_status gr_profile_find(const char *spec, const char *runtime, char *path, size_t size,
			  gr_error *err);
/* The runtime an estimate on hw (mode) uses when none is named: the class default
 * (gr_estimate_default_runtime: pytorch on CPUs and GPUs, "compiler" on accelerators); an
 * accelerator without a "compiler" profile but with profiles of named runtimes takes the one that
 * dispatches cheapest (its vendor's toolchain: hailo_dfc, qnn_dlc, rknn before tflite or
 * onnxruntime), table order breaking ties. A static string. */
const char *gr_profile_default_runtime(const gr_hw *hw, int mode);
/* gr_profile_find + gr_profile_load. *out is NULL and GR_ERR_NOT_FOUND returned when none. */
gr_status gr_profile_find_load(const char *spec, const char *runtime, gr_profile **out,
			       gr_error *err);

/* Transfer (docs/transfer.md): for a platform without a profile of its own, the profile of the
 * nearest calibrated platform of its class (same runtime, a fit of precision; -1: the platform's
 * preferred) found on the search path above, its efficiencies scaled to hw at mode by datasheet
 * peaks, bandwidths and cache sizes. Estimates with it say "transferred" and name the donor.
 * reg NULL: the built-in registry + the user's saved platforms. GR_ERR_NOT_FOUND when no
 * platform of the class can lend. *out: gr_profile_free. */
gr_status gr_profile_transfer_find(const gr_hw_registry *reg, const gr_hw *hw, int mode, const char *runtime,
				   int precision, gr_profile **out, gr_error *err);
/* A transferred profile p on a CPU hw whose runtime will run threads threads (OMP_NUM_THREADS),
 * fewer than its cores: the borrowed shares of peak become shares of those cores' peak. No
 * effect on a profile fitted on its own platform (its measurements ran some count already), on
 * other classes, or with threads <= 0. Returns 1 when it changed p. */
int gr_profile_transfer_threads(gr_profile *p, const gr_hw *hw, int mode, int threads);
/* The label of the profile p was transferred from; NULL for a profile fitted on its platform. */
const char *gr_profile_borrowed_from(const gr_profile *p);
/* Borrowed classes (docs/calibrate.md): each op class p has no fit for, whose related class
 * (matmul: gemm; softmax/reduce, layer norm, transposes/move, pools: elementwise; dwconv,
 * gemm: conv) p did measure, takes the ratio of its coefficients to the related class's from
 * the nearest profile of another platform or mode with the same runtime that measured both
 * (on the search path; fits to published figures, whose classes share one set of
 * coefficients, measure no ratio), applied to p's own related class and held to p's platform's
 * physical bounds. Such ops are estimated "transferred", naming the donor. reg NULL: the
 * built-in registry + the user's platforms. Returns the number of classes borrowed, -1 on
 * error. */
int gr_profile_borrow_classes(gr_profile *p, const gr_hw_registry *reg, gr_error *err);

/* Compares the profile's conditions with now (threads, governor, torch, ...). Returns the number
 * of differences and writes a one-line note ("profile measured with 8 threads, now 2") into buf. */
int gr_profile_conditions_note(const gr_profile *p, const struct gr_bench_platform *now, char *buf,
			       size_t size);

/* ------------------------------------------------------------------ fitting */

typedef void (*gr_calib_progress_fn)(void *user, int done, int total, const char *what);

typedef struct gr_fit_opts {
	const char *hw;            /* spec "id" or "id:mode": rows of this platform are used (required) */
	int precision;             /* gr_precision, or -1 for every precision present */
	const char *runtime;       /* NULL: "pytorch" */
	const char *exclude_model; /* rows of this model are left out (leave-one-model-out); NULL: none */
	const gr_hw_registry *reg; /* NULL: the built-in registry + $GRAPHS_HARDWARE_PATH */
	struct gr_calib_cache *cache; /* NULL: a private one (slower when fitting repeatedly) */
	gr_calib_progress_fn progress; /* may be NULL */
	void *progress_user;
	int lomo;                  /* published rows: also fit once without each model and record its
				    * leave-one-model-out error in the profile (N+1 fits) */
	int min_models;            /* published rows: a precision with fewer distinct zoo models is
				    * not fitted (0: any) */
} gr_fit_opts;

/* Fits a profile from the set's rows of opts->hw (subgraph rows where present, matched to our
 * kernels; model rows otherwise). *out: gr_profile_free. GR_ERR_NOT_FOUND when no row fits
 * the options. Deterministic: the same rows give the same profile. */
gr_status gr_profile_fit(const gr_meas_set *set, const gr_fit_opts *opts, gr_profile **out,
			 gr_error *err);

/* ------------------------------------------------------------------ predictions */

/* Zoo models loaded, inferred and partitioned once per (model, batch, runtime), with the
 * mapping of their kernels to measured subgraphs. Not thread-safe; one per thread. */
typedef struct gr_calib_cache gr_calib_cache;
/* *out is owned by the caller (gr_calib_cache_free); it borrows reg, which must outlive it. */
gr_status gr_calib_cache_new(const gr_hw_registry *reg, gr_calib_cache **out, gr_error *err);
void gr_calib_cache_free(gr_calib_cache *c); /* accepts NULL */

typedef struct gr_calib_prediction {
	double latency_s;
	double throughput_per_s; /* model rows: steady-state inferences/s at the row's batch
				  * (gr_estimate_throughput_per_s); NAN for subgraph rows */
	double energy_j;
	gr_confidence confidence;
	double confidence_share[GR_CONF_COUNT];
	int matched;          /* subgraph rows: our kernels found for the row's nodes (0: the row's own
			       * flops/bytes/optype were used) */
	int n_kernels;        /* kernels summed */
} gr_calib_prediction;

/* Whole-model prediction: zoo model at batch and precision on spec, through gr_estimate_run
 * with profile p (NULL: theoretical). */
gr_status gr_calib_predict_model(gr_calib_cache *c, const gr_profile *p, const char *model,
				 int64_t batch, gr_precision prec, const char *spec,
				 gr_calib_prediction *out, gr_error *err);
/* Prediction of one measured row: model rows as above; subgraph rows sum our kernels that
 * belong to the row's modules (or, without a match, use the row's own flops/bytes/optype). */
gr_status gr_calib_predict_row(gr_calib_cache *c, const gr_profile *p, const gr_meas_row *row,
			       gr_calib_prediction *out, gr_error *err);
/* ... judged among the rows of its model run (same hw, precision, model, batch and run; row may
 * be among them): a module timed less its parts ("module/OnnxOp/elements/k" rows, docs/benchmark.md)
 * is predicted less the ops those rows take, as calibration matches them. */
gr_status gr_calib_predict_run_row(gr_calib_cache *c, const gr_profile *p, const gr_meas_row *row,
				   const gr_meas_row *const *run, size_t n_run, gr_calib_prediction *out,
				   gr_error *err);
/* Rows of one model run that name a module another of them names too (a harness that times a
 * module's kernels one by one) are one group, as the fit sums them into one equation:
 * group[r] (n_rows entries) gets the index of the first row of r's group. The grouping
 * calibration's matching uses (calib_match). Fails only when out of memory. */
gr_status gr_calib_row_groups(const gr_meas_row *const *rows, size_t n_rows, int *group, gr_error *err);
/* Writes group g of those rows as the reports name it ("vit_b_32 b1: subgraphs 3, 4, 5": the
 * model and batch of row g, the subgraph ids of the rows whose group is g) into buf. */
void gr_calib_group_example(char *buf, size_t size, const gr_meas_row *const *rows, size_t n_rows,
			    const int *group, int g);
/* ... and the prediction of such a group, against the sum of its rows' times: the ops any of
 * its rows names, plus a launch (standalone rows) or harness cost (hooked layers) per row, as
 * the fit models it. n_rows 1 is gr_calib_predict_run_row. */
gr_status gr_calib_predict_run_rows(gr_calib_cache *c, const gr_profile *p, const gr_meas_row *const *rows,
				    size_t n_rows, const gr_meas_row *const *run, size_t n_run,
				    gr_calib_prediction *out, gr_error *err);

/* ------------------------------------------------------------------ estimates with a profile */

/* gr_estimate_run (graphs/estimate.h) with a calibration profile of this platform, mode and
 * runtime: kernels whose op classes the profile fits get the fitted latency (confidence
 * calibrated, or interpolated outside the fitted range or with sparse data); others keep the
 * theoretical roofline. profile NULL, or one for another platform/mode/runtime/precision, gives
 * exactly gr_estimate_run. The estimate borrows the profile's label: keep the profile alive. */
gr_status gr_estimate_run_profile(const gr_graph *g, const gr_partition *p, const gr_hw *hw, int mode,
				  const gr_estimate_opts *opts, const gr_profile *profile,
				  gr_estimate **out, gr_error *err);
/* gr_estimate_run_profile on the graph and partition of c (gr_estimate_cache_new), reusing the
 * work that does not depend on the platform: the same result, faster for many platforms. */
gr_status gr_estimate_run_profile_cached(gr_estimate_cache *c, const gr_hw *hw, int mode,
					 const gr_estimate_opts *opts, const gr_profile *profile,
					 gr_estimate **out, gr_error *err);

/* ------------------------------------------------------------------ what a profile holds */

/* gr_profile_load from memory (size bytes of JSON, no terminating NUL needed); name stands for
 * the file in messages, and the profile has no path. *out: caller-owned, gr_profile_free(). */
gr_status gr_profile_load_mem(const void *data, size_t size, const char *name, gr_profile **out,
			      gr_error *err);

/* Files the profile was fitted from (joined by ", "; borrowed) and the rows fitted. */
const char *gr_profile_sources(const gr_profile *p);
int gr_profile_total_rows(const gr_profile *p);

/* The fit of one precision beyond gr_fit_quality. */
typedef struct gr_fit_precision {
	int subgraph_rows, model_rows;
	/* subgraph/layer rows that named a module another row of the same run named: each such set
	 * was fitted as one row, its times summed; merged_example names the first (borrowed, "") */
	int merged_rows;
	const char *merged_example;
	double model_mape;        /* in-sample mean absolute % error of whole-model rows; NAN without */
	const char *models;       /* comma list of the models fitted (borrowed) */
	int emulated;             /* batch-parallel terms in use */
	double llc_bytes;         /* last-level cache of the spill term */
	double kernel_s;          /* cost per kernel (launch/sync) */
	double spill_s_per_byte;  /* cost of activation bytes beyond the last-level cache */
	int has_energy, energy_rows;
	double pj_per_flop, pj_per_byte, static_w;
	/* energy fitted to published power (docs/calibrate.md, "Energy from published power"):
	 * the scope it scales ("device" or "system"; NULL when none applies: no row, or one row,
	 * whose fit has no out-of-sample error), the scale, and the errors of energy per inference
	 * as fractions (NAN when not measurable) */
	const char *energy_pub_scope;
	double energy_pub_scale;
	int energy_pub_rows, energy_pub_models, energy_pub_clamped;
	double energy_pub_mape_theory, energy_pub_mape_fit, energy_pub_lomo_mape, energy_pub_loro_mape;
} gr_fit_precision;
/* GR_ERR_NOT_FOUND when the precision has no fit. */
gr_status gr_profile_precision_info(const gr_profile *p, gr_precision prec, gr_fit_precision *out);

/* The coefficients of one op class (GR_OP_CLASS_*, graphs/estimate.h) at one precision. */
typedef struct gr_fit_class {
	int points;               /* ops of this class in the fitted rows */
	double op_s;              /* per op */
	double s_per_flop, s_per_byte, s_per_weight;
	double s_per_row;         /* per reduction row of a softmax, layer norm or Reduce* op; 0: none */
	const char *borrowed_from; /* NULL when measured here; else the donor's label (borrowed) */
	int borrowed_of;           /* and the related class whose ratio it took */
	int flop_of;               /* the class whose s/FLOP the fit gave it (its own ops could not
				    * tell compute from memory time); -1: its own (also when read
				    * from a file, which does not record it) */
} gr_fit_class;
/* GR_ERR_NOT_FOUND when the class (or the precision) has no fit. */
gr_status gr_profile_class_info(const gr_profile *p, gr_precision prec, int cls, gr_fit_class *out);

/* ------------------------------------------------------------------ physical bounds */

/* One coefficient of a fit against physics (docs/calibrate.md, "Physical bounds"): the s/FLOP
 * of a class against the peak of its engine, its s/byte against the fastest memory level that
 * holds its working sets (DRAM, with the spill term, for classes whose working sets spill), and
 * the spill term against DRAM. */
typedef struct gr_fit_bound {
	int cls;                  /* op class (GR_OP_CLASS_*); -1 for the platform's spill term */
	const char *coef;         /* "s_per_flop", "s_per_byte" or "spill_s_per_byte" (static) */
	double value;             /* the fitted coefficient, seconds per unit */
	double bound;             /* the smallest physics allows (> 0) */
	int at_bound;             /* value within 0.1% of bound: the fit wanted a faster rate */
	int beyond;               /* value below bound: a rate the hardware cannot reach (profiles
				   * fitted before the bounds, or edited by hand) */
} gr_fit_bound;

/* The bounded coefficients of precision prec of p, for the platform hw at mode that p was fitted
 * for: s/FLOP and s/byte of each fitted class (in class order), then the spill term; only those
 * with a bound. Writes up to max of them into out and returns how many there are. */
size_t gr_profile_bounds(const gr_profile *p, const gr_hw *hw, int mode, gr_precision prec,
			 gr_fit_bound *out, size_t max);

/* ------------------------------------------------------------------ published figures */

/* How well a profile fitted from published whole-model figures predicts them (docs/calibrate.md,
 * "Published measurements"). Metrics are indexed GR_METRIC_LATENCY, GR_METRIC_THROUGHPUT;
 * errors are fractions (0.12 = 12%), NAN where there are no rows of that metric or no
 * leave-one-model-out fit was run. */
#define GR_HARNESS_MAX 4 /* harnesses in one fit (a row's source names its own: "; harness NAME") */
typedef struct gr_profile_accuracy {
	int models;
	int rows[2], lomo_rows[2];
	double lomo_mape[2], mape_in_sample[2];
	double compute_factor, bandwidth_factor; /* >= 1: the peak and bandwidth share reached is 1/x */
	double frame_s, context_bytes, context_s; /* dataflow: per-frame link cost, weight bytes of one
						     * context (0: any network fits), per switch */
	double context_layers, context_fill;     /* layers one context places (0: no limit); pipeline
						     * fill per request in contexts, in frames of work */
	double context_layer_s;                  /* per layer configured on each request in contexts */
	double matrix_s;                         /* per matrix of a MatMul of two activations */
	double kernel_s, op_s;    /* fitted cost per kernel launched and per op dispatched */
	int skipped_mapping, skipped_shape, skipped_model;
	int skipped_placement;    /* rows with layers on another unit (gr_meas_row.layers_elsewhere) */
	const char *precision;    /* as published ("amp"); "" when the same as the fit's */
	const char *sources;      /* the CSVs */
	/* harnesses named by the rows' sources ("; harness NAME"): the host time per step and per
	 * graph op their timed steps hold besides the network, fitted beside it; estimates leave
	 * them out (docs/calibrate.md, "Harnesses") */
	int harnesses;
	const char *harness_name[GR_HARNESS_MAX];
	double harness_step_s[GR_HARNESS_MAX], harness_op_s[GR_HARNESS_MAX];
} gr_profile_accuracy;

/* GR_ERR_NOT_FOUND when precision prec of p was not fitted from published figures. */
gr_status gr_profile_accuracy_get(const gr_profile *p, gr_precision prec, gr_profile_accuracy *out);
/* The error an estimate with p at prec should expect, in percent: the leave-one-model-out MAPE
 * of the metric (GR_METRIC_LATENCY or GR_METRIC_THROUGHPUT; the other metric when that one has
 * none). NAN when the profile records none. */
double gr_profile_error_band_pct(const gr_profile *p, gr_precision prec, int metric);

/* One calibration profile found for a platform (gr_profile_summaries). */
typedef struct gr_profile_summary {
	char runtime[32];
	char mode[32];            /* "default" without one */
	char precisions[64];      /* "fp16,int8" */
	char path[4400];
	int published;            /* fitted from published figures */
	double lomo_pct;          /* the largest leave-one-model-out MAPE of its precisions; NAN: none */
} gr_profile_summary;

/* The profiles of platform hw_id in the user's and the shipped calibration folders (the first
 * found per runtime and mode, as estimates find them), sorted by runtime and mode. Profiles that
 * do not load are left out. *out: free(); NULL when none. */
size_t gr_profile_summaries(const char *hw_id, gr_profile_summary **out);

#ifdef __cplusplus
}
#endif
#endif
