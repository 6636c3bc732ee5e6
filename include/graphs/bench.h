/* Measuring side of libgraphs: timing statistics, the platform fingerprint, power and
 * energy collectors, the SQLite measurement store, and the benchmark suites that fill it.
 * `graphs benchmark` (src/cli/cmd_benchmark.c) is a thin shell over these functions. */
#ifndef GRAPHS_BENCH_H
#define GRAPHS_BENCH_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "graphs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ statistics */

/* Summary of repeated timings. Times are in seconds; NAN where not computable. */
typedef struct gr_bench_stats {
	int n;             /* samples */
	int outliers;      /* samples further than 3 scaled MADs from the median */
	double median, mean, std, p5, p95, min, max;
	double cv;         /* std / mean */
	double ci_lo, ci_hi; /* distribution-free 95% confidence interval of the median */
} gr_bench_stats;

/* Computes every field of st from n samples (any order; not modified). Pure.
 * Fails with GR_ERR_USAGE when n == 0. Percentiles interpolate linearly (NumPy's default). */
gr_status gr_bench_stats_compute(const double *x, size_t n, gr_bench_stats *st, gr_error *err);

/* Half-width of the median's 95% CI relative to the median: max(med-lo, hi-med)/med. */
double gr_bench_stats_rel_ci(const gr_bench_stats *st);

/* How to time one kernel. */
typedef struct gr_bench_timing {
	int warmup;          /* untimed calls first (at least 1) */
	int min_samples;     /* never stop before this many samples */
	int max_samples;     /* hard cap */
	double rel_ci;       /* stop when the median's 95% CI half-width is within this share (0.02) */
	double budget_s;     /* or when this much timed wall time has passed */
	double min_sample_s; /* calls are grouped so one sample lasts at least this long */
} gr_bench_timing;

/* Defaults: quick (short budget) or full. */
void gr_bench_timing_default(gr_bench_timing *t, int quick);

/* One call of the kernel under test; returns 0 on success. */
typedef int (*gr_bench_fn)(void *ctx);

typedef struct gr_bench_result {
	gr_bench_stats st;   /* per call, seconds */
	double *samples;     /* per-call seconds of each sample; owned, free() it */
	size_t n_samples;
	int inner;           /* calls per sample */
	int64_t calls;       /* timed calls in total */
	double t_start, t_end; /* CLOCK_MONOTONIC seconds bounding the timed calls */
	int converged;       /* 1 when the CI target was met, 0 when the budget ended first */
} gr_bench_result;

/* Warms up, then times fn (CLOCK_MONOTONIC) until the CI target or the budget.
 * On success the caller frees r->samples. */
gr_status gr_bench_time(gr_bench_fn fn, void *ctx, const gr_bench_timing *t,
			gr_bench_result *r, gr_error *err);

/* CLOCK_MONOTONIC in seconds (the same clock as Python's time.monotonic()). */
double gr_bench_now(void);

/* ------------------------------------------------------------------ platform */

typedef struct gr_bench_platform {
	char hostname[64];
	char cpu_model[128];
	char cpu_flags_isa[64];  /* "avx2 avx512f avx512_bf16 amx" subset present */
	int cores;               /* online logical CPUs */
	double cur_mhz, max_mhz; /* 0 when unknown */
	char governor[32];       /* "" when no cpufreq */
	char turbo[32];          /* "on", "off" or "unknown" */
	char kernel[128];
	char openblas[192];      /* openblas_get_config() */
	char onednn[64];         /* "2.6.3 (cpu runtime omp, isa avx512_core_bf16)" */
	int threads;             /* threads the run uses */
	char affinity[128];      /* CPU list the process is pinned to, "0-1" */
	char date[32];           /* ISO 8601 UTC */
} gr_bench_platform;

/* Fills p from /proc, /sys and the libraries; never fails (unknown fields stay empty/0). */
void gr_bench_platform_detect(gr_bench_platform *p);

/* 1 when /proc/cpuinfo lists the flag (e.g. "avx512_bf16", "amx_bf16"). */
int gr_bench_cpu_has(const char *flag);

/* Sets the thread count of OpenBLAS, oneDNN (OpenMP) and the native kernels. */
void gr_bench_set_threads(int n);
/* Pins every thread of the process to the CPUs in list ("0", "0-1", "0,2"); NULL = leave. */
gr_status gr_bench_pin(const char *cpus, gr_error *err);

/* ------------------------------------------------------------------ power */

/* A running power/energy collector. Sources: "rapl" (powercap, root from
 * GRAPHS_POWERCAP_ROOT or /sys/class/powercap), "nvidia-smi" (command from GRAPHS_NVIDIA_SMI),
 * "tegrastats" (command from GRAPHS_TEGRASTATS). Every source becomes one curve of
 * cumulative energy over CLOCK_MONOTONIC time, sampled at >= 10 Hz in a thread. */
typedef struct gr_power gr_power;

/* Opens source ("auto", "none", "rapl", "nvidia-smi", "tegrastats"). "auto" picks RAPL for
 * device "cpu", nvidia-smi then tegrastats for "cuda". *out is NULL (and GR_OK returned) when
 * no sensor is available under "auto"/"none"; naming a missing source is an error.
 * Close with gr_power_close(). */
gr_status gr_power_open(const char *source, const char *device, gr_power **out, gr_error *err);
/* "rapl", ...; "none" for NULL. */
const char *gr_power_source(const gr_power *p);
/* Takes a sample now where the source allows (counters); returns gr_bench_now(). NULL-safe. */
double gr_power_mark(gr_power *p);
/* Energy in joules between t0 and t1, interpolated on the cumulative curve. *n_samples
 * counts samples inside [t0, t1]. GR_ERR_UNSUPPORTED when the curve does not cover it. */
gr_status gr_power_energy(gr_power *p, double t0, double t1, double *joules, int *n_samples,
			  gr_error *err);
/* Sleeps seconds and returns the mean power meanwhile. */
gr_status gr_power_idle(gr_power *p, double seconds, double *watts, gr_error *err);
void gr_power_close(gr_power *p);

/* Pure helpers, exposed for tests. */
/* Counter delta with one wrap-around: max_range is max_energy_range_uj (0: no wrap known). */
uint64_t gr_rapl_delta(uint64_t before, uint64_t after, uint64_t max_range);
/* One line of `nvidia-smi --query-gpu=power.draw --format=csv,noheader,nounits`: watts.
 * Returns 0 for lines without a number ("[N/A]", headers). */
int gr_nvsmi_parse(const char *line, double *watts);

typedef struct gr_power_rail {
	char name[32];
	double watts;     /* instantaneous */
	double avg_watts; /* tegrastats' running average */
} gr_power_rail;
/* One tegrastats line: rails "NAME 1234mW/1200mW" (Orin) or "NAME 1234/1200" (older).
 * Returns the rail count (<= max) and *total_w: the board input rail (VIN_*, POM_5V_IN)
 * when present, otherwise the sum of the rails. */
int gr_tegrastats_parse(const char *line, gr_power_rail *rails, int max, double *total_w);
/* Trapezoidal integral of power samples (t seconds, w watts) over [t0, t1], holding the
 * first/last value beyond the samples. Returns joules. */
double gr_power_integrate(const double *t, const double *w, size_t n, double t0, double t1);

/* ------------------------------------------------------------------ store */

typedef struct gr_bench_store gr_bench_store;

/* Current schema version (PRAGMA user_version). */
#define GR_BENCH_SCHEMA_VERSION 2

/* Opens or creates the database (WAL, migrations applied) for appending. On success *out is
 * owned by the caller: close it with gr_bench_store_close(). A path that is not a regular file, or a database that fails
 * PRAGMA quick_check (damaged pages), is refused with GR_ERR_IO / GR_ERR_FORMAT. */
gr_status gr_bench_store_open(const char *path, gr_bench_store **out, gr_error *err);
/* Opens an existing database read-only: never creates, initializes or migrates the file.
 * A missing file is GR_ERR_IO; an empty or foreign one, or one that fails quick_check,
 * GR_ERR_FORMAT. *out: caller-owned, gr_bench_store_close(). */
gr_status gr_bench_store_open_read(const char *path, gr_bench_store **out, gr_error *err);
/* Closes and frees the store. Accepts NULL. */
void gr_bench_store_close(gr_bench_store *s);
int gr_bench_store_version(gr_bench_store *s);

typedef struct gr_bench_run_info {
	const gr_bench_platform *platform; /* may be NULL (imports) */
	const char *hw_id;   /* registry id or "host" */
	const char *suite, *backend, *device, *command, *source;
	const char *gpu;     /* GPU model/driver where known */
	const char *torch;   /* torch version for model runs */
	double idle_power_w; /* NAN when not measured */
	const char *power_source;
} gr_bench_run_info;

gr_status gr_bench_store_begin_run(gr_bench_store *s, const gr_bench_run_info *ri, int64_t *run_id,
				   gr_error *err);
/* status: "complete", "interrupted", "failed". A run killed outright stays "running". */
gr_status gr_bench_store_end_run(gr_bench_store *s, int64_t run_id, const char *status,
				 gr_error *err);
/* Records torch/gpu details learnt after the run began (NULL leaves a field). */
gr_status gr_bench_store_update_run(gr_bench_store *s, int64_t run_id, const char *torch,
				    const char *gpu, gr_error *err);

/* One measurement. NULL strings, NAN doubles and -1 integers are stored as SQL NULL. */
typedef struct gr_bench_record {
	const char *kind;      /* gemm conv2d attention elementwise reduction memory latency model layer subgraph */
	const char *name;      /* unique within a run's case list, e.g. "gemm_openblas_fp32_1024" */
	const char *backend;   /* openblas onednn native torch */
	const char *device;    /* cpu cuda */
	const char *hardware;  /* NULL: the run's hw_id */
	const char *params;    /* JSON object text */
	const char *precision; /* fp32 bf16 fp16 */
	int64_t batch;
	const char *dims;      /* "m=1024 n=1024 k=1024" */
	const char *model;
	int64_t subgraph;
	const char *pattern, *optype, *nodes;
	int supported;         /* 0: the case cannot run here; note says why, no stats */
	const char *note;
	double flops, bytes;   /* per call */
	int has_stats;
	gr_bench_stats st;     /* seconds per call */
	int inner;
	int threads;
	double rate;           /* GFLOP/s, GB/s or ns per access (rate_unit) */
	const char *rate_unit;
	const char *power_source; /* "none" when no sensor */
	double energy_mj;      /* per call, idle power subtracted */
	double energy_total_mj;/* per call, as measured */
	double avg_power_w, idle_power_w;
	int power_samples;
	int64_t peak_rss_bytes, cuda_max_alloc_bytes;
	const char *date, *source, *thermal;
	int64_t run_id;        /* filled when read back */
} gr_bench_record;

/* A record with everything unknown: NAN doubles, -1 integers, NULL strings, supported = 1. */
void gr_bench_record_init(gr_bench_record *r);

/* Inserts r in its own transaction (an interrupted run keeps every finished record). */
gr_status gr_bench_store_add(gr_bench_store *s, int64_t run_id, const gr_bench_record *r,
			     int64_t *id, gr_error *err);
/* Measurements of run_id (0: all), in insertion order. cb returns non-zero to stop.
 * Strings in the record are valid only during the callback. */
typedef int (*gr_bench_record_cb)(const gr_bench_record *r, void *user);
gr_status gr_bench_store_each(gr_bench_store *s, int64_t run_id, gr_bench_record_cb cb, void *user,
			      gr_error *err);
gr_status gr_bench_store_count(gr_bench_store *s, int64_t run_id, int64_t *n, gr_error *err);

/* Imports a ground-truth CSV (models.csv or subgraphs.csv format, told apart by the header)
 * as one run with source "import:<file>". *n: rows imported. */
gr_status gr_bench_store_import_csv(gr_bench_store *s, const char *path, int64_t *n,
				    gr_error *err);
/* Writes kind "models" (model records) or "subgraphs" (subgraph and layer records) in the
 * ground-truth CSV format; hardware filters when not NULL. Latency columns are means in ms. */
gr_status gr_bench_store_export_csv(gr_bench_store *s, const char *which, const char *hardware,
				    FILE *out, gr_error *err);

/* ------------------------------------------------------------------ suites */

typedef void (*gr_bench_progress_fn)(void *user, int done, int total, const char *name,
				     double eta_s);

typedef struct gr_bench_opts {
	int quick;
	int threads;            /* 0: all online CPUs (torch runs: torch's own default) */
	const char *filter;     /* fnmatch glob on case names; NULL: all */
	const char *device;     /* cpu cuda */
	const char *hw_id;
	/* model runs */
	const char *models;     /* comma list; NULL: suite default */
	const char *batches;    /* "1,8" */
	const char *precisions; /* "fp32,bf16" */
	int per_layer;
	const char *python;     /* interpreter (default /usr/bin/python3, env GRAPHS_PYTHON) */
	const char *runner;     /* tools/torch_runner.py path (default from GRAPHS_DATA_DIR) */
	/* shared */
	gr_power *power;        /* may be NULL */
	double idle_power_w;    /* NAN when not measured */
	volatile sig_atomic_t *stop; /* set asynchronously to stop after the current measurement */
	gr_bench_progress_fn progress;
	void *progress_user;
} gr_bench_opts;

/* Number of micro cases the options select (for progress and --list-cases). */
int gr_bench_micro_count(const gr_bench_opts *o);
/* Names of the selected micro cases, one per call of cb. */
void gr_bench_micro_names(const gr_bench_opts *o, void (*cb)(const char *name, void *u), void *u);
/* Runs the micro suite into run_id. *done: records stored. Returns GR_OK when stopped early. */
gr_status gr_bench_run_micro(gr_bench_store *s, int64_t run_id, const gr_bench_opts *o, int *done,
			     gr_error *err);
/* The models `graphs benchmark`'s default suite (calibration) times per layer: a small set
 * covering the op classes of CNNs (src/benchmarks/runner.c says which model brings which). */
const char *gr_bench_calibration_models(int quick);
/* Runs the PyTorch runner as a child process and stores its records. */
gr_status gr_bench_run_torch(gr_bench_store *s, int64_t run_id, const gr_bench_opts *o, int *done,
			     gr_error *err);

#ifdef __cplusplus
}
#endif
#endif
