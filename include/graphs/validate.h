/* Validation: how far estimates are from measurements. Error metrics (MAPE, median and max
 * absolute percentage error, share within ±10%, Pearson, Spearman, RMSE), a set of
 * prediction/measurement pairs grouped by platform, model, op class, precision and batch with
 * in-distribution and out-of-distribution pairs kept apart, and the reports written from it
 * (table, JSON, markdown, a self-contained HTML dashboard). docs/validate.md defines each figure. */
#ifndef GRAPHS_VALIDATE_H
#define GRAPHS_VALIDATE_H

#include <stdint.h>
#include <stdio.h>

#include "graphs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- Metrics ------------------------------------------------------------------------------ */

/* Figures of one group of pairs. Percentages are in percent (12.5 means 12.5%). A pair is
 * scored only when both values are finite and the measurement is positive; the rest are
 * counted in skipped. Correlations are NaN when undefined (fewer than two pairs, or a series
 * that does not vary); the other figures are NaN when n is 0. */
typedef struct gr_val_metrics {
	size_t n, skipped;
	double mape;        /* mean of |p - m| / m, percent */
	double median_ape;  /* median of the same (mean of the middle two for even n) */
	double max_ape;
	double within10;    /* share of pairs with |p - m| / m <= 10%, percent */
	double bias;        /* mean of (p - m) / m, percent: positive when over-predicting */
	double pearson;     /* linear correlation of predicted and measured values */
	double spearman;    /* Pearson correlation of their ranks, ties given their mean rank */
	double rmse_ms;     /* root mean square of p - m, in the pairs' unit (ms) */
} gr_val_metrics;

/* Computes the figures of n pairs (pred[i], meas[i]). Fails only on OOM or NULL arrays with
 * n > 0. */
gr_status gr_val_metrics_compute(const double *pred, const double *meas, size_t n,
				 gr_val_metrics *out, gr_error *err);
/* Pearson's r of x and y (NaN when undefined). */
double gr_val_pearson(const double *x, const double *y, size_t n);
/* Spearman's rho (Pearson of average ranks); NaN when undefined or out of memory. */
double gr_val_spearman(const double *x, const double *y, size_t n);
/* Writes the 1-based ranks of x into ranks; tied values share the mean of their ranks
 * ({10, 20, 20, 30} -> {1, 2.5, 2.5, 4}). Fails only on OOM. */
gr_status gr_val_ranks(const double *x, size_t n, double *ranks);

/* --- Pairs -------------------------------------------------------------------------------- */

/* Where a pair stands relative to the calibration that predicted it. */
typedef enum gr_val_split {
	GR_VAL_ID = 0,           /* the model's rows on this platform were in the fit */
	GR_VAL_OOD_MODEL,        /* the platform was calibrated, this model was not (or left out) */
	GR_VAL_OOD_PLATFORM,     /* no calibration profile for the platform: theoretical */
	GR_VAL_SPLIT_COUNT
} gr_val_split;

/* "in_distribution", "ood_model", "ood_platform": static strings. */
const char *gr_val_split_name(gr_val_split s);

/* Whole-model latency, subgraph latency, and whole-model steady-state throughput. Throughput
 * pairs hold the period per batch (1000 * batch / inferences per second) in measured_ms and
 * predicted_ms, so every metric reads as time. */
typedef enum gr_val_level {
	GR_VAL_LEVEL_MODEL = 0,
	GR_VAL_LEVEL_SUBGRAPH,
	GR_VAL_LEVEL_THROUGHPUT,
	GR_VAL_LEVEL_COUNT
} gr_val_level;
/* "model", "subgraph", "throughput": static strings. */
const char *gr_val_level_name(gr_val_level l);

/* One measured quantity and its prediction. Strings are copied by gr_val_set_add. */
typedef struct gr_val_point {
	gr_val_level level;
	const char *platform;    /* registry spec, "jetson_orin_agx_gpu:30w" */
	const char *model;
	const char *precision;   /* "fp32", ... */
	const char *op_class;    /* subgraphs: the op class ("conv2d_batchnorm"); NULL for models */
	const char *confidence;  /* the estimate's confidence ("calibrated", ...); may be NULL */
	int64_t batch;
	int subgraph;            /* subgraph index; -1 for whole-model pairs */
	double measured_ms, predicted_ms;
	gr_val_split split;
	int rows;                /* measured rows in the pair: more than 1 for subgraph rows naming
				  * one module, scored as one group (measured_ms their sum); 0
				  * reads as 1 */
} gr_val_point;

typedef struct gr_val_set gr_val_set;

/* An empty set; NULL on OOM. Free with gr_val_set_free (accepts NULL). */
gr_val_set *gr_val_set_new(void);
void gr_val_set_free(gr_val_set *s);
/* Appends a copy of p (its strings too). */
gr_status gr_val_set_add(gr_val_set *s, const gr_val_point *p, gr_error *err);
size_t gr_val_set_count(const gr_val_set *s);
/* The i-th pair, borrowed: valid until the set is freed or grows. */
const gr_val_point *gr_val_set_at(const gr_val_set *s, size_t i);
/* Notes the run leaves for the reader (profiles used, rows that could not be predicted, ...):
 * one line each, copied; a line already present is not added twice. */
gr_status gr_val_set_note(gr_val_set *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t gr_val_set_note_count(const gr_val_set *s);
const char *gr_val_set_note_at(const gr_val_set *s, size_t i); /* borrowed from s */

/* --- Grouping ----------------------------------------------------------------------------- */

/* Keys to group by, combined as a bit mask. */
enum {
	GR_VAL_BY_LEVEL = 1 << 0,
	GR_VAL_BY_SPLIT = 1 << 1,
	GR_VAL_BY_PLATFORM = 1 << 2,
	GR_VAL_BY_PRECISION = 1 << 3,
	GR_VAL_BY_MODEL = 1 << 4,
	GR_VAL_BY_OP_CLASS = 1 << 5,
	GR_VAL_BY_BATCH = 1 << 6
};

/* Restricts the pairs that are grouped; -1 or NULL fields match everything. */
typedef struct gr_val_filter {
	int level;               /* gr_val_level or -1 */
	int split;               /* gr_val_split or -1 */
	const char *platform, *precision, *model;
} gr_val_filter;

/* A filter matching everything. */
#define GR_VAL_FILTER_ALL ((gr_val_filter){-1, -1, NULL, NULL, NULL})

/* One group: the key fields that were grouped by are set in key (the others are NULL, -1, or
 * level/split 0 with the matching GR_VAL_BY_ bit clear), with the group's figures. */
typedef struct gr_val_group {
	gr_val_point key;
	gr_val_metrics m;
} gr_val_group;

/* Groups the pairs that pass f by the keys in the mask (0: one group of everything) and
 * computes each group's figures. Groups come sorted by level, split, platform, precision,
 * model, op class, then batch (numerically). Pairs whose op class is NULL are left out when
 * grouping by op class. *out (possibly NULL when *n is 0) is the caller's to free(); its key
 * strings are borrowed from the set. */
gr_status gr_val_group_by(const gr_val_set *s, const gr_val_filter *f, unsigned keys,
			  gr_val_group **out, size_t *n, gr_error *err);

/* --- Running a validation (measurements and profiles from calibrate.h) ------------------ */

struct gr_meas_set;
struct gr_hw_registry;

typedef void (*gr_val_progress_fn)(void *user, int done, int total, const char *what);

typedef struct gr_val_opts {
	const char *const *hw;     /* platform specs to score: "id" (every mode measured) or
				    * "id:mode"; n_hw 0 means every platform in the measurements */
	size_t n_hw;
	int precision;             /* gr_precision, or -1 for all */
	const char *runtime;       /* rows and profiles of this runtime; NULL: "pytorch" */
	int cv_model;              /* 1: leave-one-model-out (refit without each model, score it) */
	int subgraphs;             /* 1: score subgraph rows too (whole-model rows always) */
	const struct gr_hw_registry *reg; /* NULL: the built-in registry */
	gr_val_progress_fn progress;      /* may be NULL */
	void *progress_user;
} gr_val_opts;

/* Predicts every measured row that passes the options and adds the pairs to out.
 * Without cv_model, each platform's calibration profile (gr_profile_find_load) predicts its
 * rows: models the profile was fitted on are in-distribution, other models out-of-distribution
 * (unseen model), and platforms without a profile are estimated theoretically and counted as
 * out-of-distribution (unseen platform). With cv_model, for each platform and model M a profile
 * is fitted from the platform's rows without M and predicts M's rows (ood_model); a profile
 * fitted on all the rows gives the in-sample (in_distribution) figures beside them.
 * Rows that cannot be predicted (model not in the zoo, ...) are skipped and counted in a note.
 * GR_ERR_NOT_FOUND when no row matches the options (the message lists the platforms measured). */
gr_status gr_val_run(const struct gr_meas_set *m, const gr_val_opts *o, gr_val_set *out,
		     gr_error *err);

/* --- Reports ------------------------------------------------------------------------------ */

/* What the report says about how the pairs were made. Strings are borrowed. */
typedef struct gr_val_meta {
	const char *hardware;          /* the --hw argument */
	const char *cv;                /* "model" (leave-one-model-out) or "none" */
	const char *precision;         /* the --precision filter, or NULL */
	const char *const *sources;    /* measurement files */
	size_t n_sources;
	const char *const *notes;      /* one line each: profiles used, skipped rows, ... */
	size_t n_notes;
	const char *generated;         /* a timestamp, or NULL */
} gr_val_meta;

/* The report as a JSON document: meta, "summary" (by level, split, platform and precision,
 * plus "all" rows per level and split), "by_model", "by_op_class", "by_precision", "by_batch"
 * and every pair under "points". The caller frees the string with free(). */
gr_status gr_val_report_json(const gr_val_set *s, const gr_val_meta *meta, char **out,
			     gr_error *err);

/* Text formats of the same tables: fmt is GR_FMT_TABLE or GR_FMT_MARKDOWN (report.h). */
gr_status gr_val_report_write(const gr_val_set *s, const gr_val_meta *meta, int fmt, FILE *out,
			      gr_error *err);

/* The folder holding the dashboard template and vendored chart library: $GRAPHS_WEB_DIR, else
 * GRAPHS_DATA_DIR/web from the build. Static or environment string. */
const char *gr_val_web_dir(void);

/* Writes one self-contained HTML page (no network: the Vega, Vega-Lite and vega-embed builds
 * under web_dir/vendor are inlined) with the report's JSON embedded, charts drawn by
 * Vega-Lite: predicted vs measured (log-log) with the ±10% band, error by op class, error by
 * model, and the summary table. web_dir NULL means gr_val_web_dir(). Fails with GR_ERR_IO
 * naming the file when a template or library file cannot be read. */
gr_status gr_val_dashboard_write(const gr_val_set *s, const gr_val_meta *meta,
				 const char *web_dir, FILE *out, gr_error *err);
/* The page machinery under the dashboard, for other pages (the sweep's): web_dir/page with its
 * Vega markers replaced by the vendored builds and the data marker by json (escaped for a
 * script element). web_dir NULL means gr_val_web_dir(). */
gr_status gr_web_page_write(const char *web_dir, const char *page, const char *json, FILE *out,
			    gr_error *err);

#ifdef __cplusplus
}
#endif
#endif
