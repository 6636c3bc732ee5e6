/* What-if sweeps (docs/sweep.md): the grid of points model x batch x platform x precision x
 * runtime in its fixed order, sharding by point index, the rows' output (table, csv, json,
 * html) and merging shards back into exactly the bytes of the unsharded run. The estimates
 * themselves come from the estimator (graphs/estimate.h); this module only orders and prints. */
#ifndef GRAPHS_SWEEP_H
#define GRAPHS_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "graphs/common.h"
#include "graphs/hw.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gr_sweep_status {
	GR_SWEEP_OK = 0,
	GR_SWEEP_UNSUPPORTED, /* the platform cannot run the point (precision, model too large) */
	GR_SWEEP_FAILED,      /* the model did not load or infer at this batch, or the estimate failed */
} gr_sweep_status;
/* "ok", "unsupported", "failed". */
const char *gr_sweep_status_name(gr_sweep_status s);

/* The grid. Points run in this order, the last varying fastest: model (as listed), batch (as
 * listed), platform (as listed), precision (as listed, or the platform's native ones in the
 * registry's precision order), runtime (as listed, or the platform's default). The point index
 * counts every point, possible or not. Arrays are borrowed until gr_sweep_grid_release. */
typedef struct gr_sweep_grid {
	size_t n_models;
	const char *const *models;    /* labels as printed */
	size_t n_batches;
	const int64_t *batches;
	size_t n_hw;
	const gr_hw *const *hw;
	const char *const *hw_specs;  /* "id[:mode]" as printed */
	size_t n_precs;               /* 0: each platform's native precisions */
	const int *precs;
	size_t n_runtimes;            /* 0: each platform's default runtime */
	const char *const *runtimes;
	const char *options;          /* other settings that change results (hashed into id) */
	/* set by gr_sweep_grid_init */
	size_t *hw_first;             /* first offset of platform h inside a (model, batch) block */
	int *hw_precs;                /* n_hw x GR_PREC_COUNT: the precisions of each platform */
	size_t *hw_n_precs;
	size_t block;                 /* points per (model, batch) */
	size_t points;                /* all points */
	char id[17];                  /* hash of everything above: shards of one grid share it */
} gr_sweep_grid;

/* Derives the per-platform precisions, the block size, the point count and the id. Fails
 * (GR_ERR_USAGE) when a platform has no precision at all or the grid is empty or too large. */
gr_status gr_sweep_grid_init(gr_sweep_grid *g, gr_error *err);
void gr_sweep_grid_release(gr_sweep_grid *g);
/* The runtime of point r of platform h: the listed one, or NULL for the platform's default. */
const char *gr_sweep_grid_runtime(const gr_sweep_grid *g, size_t r);
/* Runtimes per precision of a platform (1 when the platform's default is used). */
size_t gr_sweep_grid_n_runtimes(const gr_sweep_grid *g);

/* "--shard I/N": every N-th point from I (0-based). GR_ERR_USAGE when malformed or I >= N. */
gr_status gr_sweep_shard_parse(const char *s, size_t *i, size_t *n, gr_error *err);

/* One point's result. Values are NaN when status is not ok. */
typedef struct gr_sweep_row {
	size_t point;
	const char *model, *hw, *precision, *runtime;
	int64_t batch;
	gr_sweep_status status;
	double latency_ms, throughput_per_s, energy_mj, peak_memory_bytes;
	const char *confidence;   /* NULL when not ok */
	int lower_bound;          /* some nodes were not costed: the figures are bounds */
	const char *reason;       /* why not ok; "" when ok */
} gr_sweep_row;

/* Streams rows in the format fmt (GR_FMT_* of graphs/report.h, or GR_SWEEP_FMT_HTML) to out.
 * csv and json are written as the rows come (millions of points need no memory); table,
 * markdown and html are written by gr_sweep_writer_end. */
#define GR_SWEEP_FMT_HTML 100
typedef struct gr_sweep_writer gr_sweep_writer;
/* web_dir: for html, the folder of sweep.html and the vendored Vega (NULL: gr_val_web_dir()). */
gr_sweep_writer *gr_sweep_writer_new(const gr_sweep_grid *g, int fmt, const char *web_dir, FILE *out);
gr_status gr_sweep_writer_row(gr_sweep_writer *w, const gr_sweep_row *r, gr_error *err);
/* Finishes the output and frees w (also on failure). */
gr_status gr_sweep_writer_end(gr_sweep_writer *w, gr_error *err);

/* Joins shard files (csv or json written by the writer) into out: the bytes the unsharded run
 * writes. GR_ERR_FORMAT naming the file and line when the files mix grids or formats, repeat
 * a point, or leave one out. */
gr_status gr_sweep_merge(const char *const *files, size_t n, FILE *out, gr_error *err);

#ifdef __cplusplus
}
#endif
#endif
