/* libgraphs-bench: the measuring half of graphs (src/benchmarks: OpenBLAS, oneDNN, OpenMP,
 * SQLite, hwloc), a second shared library that libgraphs loads with dlopen only when a command
 * measures, reads a benchmark database or detects the host (docs/architecture.md). Estimating
 * and profiling never load it, so they start without BLAS and its thread pool.
 * The bench library hands out one table of its functions (gr_benchlib_entry); libgraphs code
 * calls them through it: B->gr_bench_store_open(...). */
#ifndef GRAPHS_CORE_BENCHLIB_H
#define GRAPHS_CORE_BENCHLIB_H

#include <stdint.h>

#include "graphs/bench.h"
#include "graphs/calibrate.h"

/* Changes whenever the table below changes: a stale libgraphs-bench.so is refused. */
#define GR_BENCHLIB_ABI 1

/* One run of a benchmark database (its `runs` table). */
typedef struct gr_bench_run_row {
	int64_t id;
	int imported;             /* a ground-truth CSV imported with `benchmark --import` */
	char hw[96], backend[32];
	gr_calib_conditions cond;
} gr_bench_run_row;

/* The runs of the database at path, in id order; *out is malloc'ed (free it). */
gr_status gr_bench_runs_read(const char *path, gr_bench_run_row **out, size_t *n, gr_error *err);

/* What hwloc says about this machine, for gr_hw_detect_host (src/hardware/hw_detect.c). */
typedef struct gr_bench_topology {
	int cores, pus;            /* physical cores and hardware threads; 0 when unknown */
	int kinds;                 /* CPU core kinds (hybrid CPUs have more than one); 0 unknown */
	int cache_count[4];        /* [1..3]: L1..L3 caches in the machine */
	int64_t cache_bytes[4];    /* [1..3]: the size of one; 0 when absent */
	int64_t mem_bytes;         /* total memory */
} gr_bench_topology;

gr_status gr_bench_host_topology(gr_bench_topology *t, gr_error *err);

/* The functions libgraphs calls, by name: the table has a member of each name and type. */
#define GR_BENCHLIB_FUNCS(X)                                                                      \
	X(gr_bench_calibration_models) X(gr_bench_micro_names) X(gr_bench_now) X(gr_bench_pin)        \
	X(gr_bench_platform_detect) X(gr_bench_run_micro) X(gr_bench_run_torch)                      \
	X(gr_bench_set_threads) X(gr_bench_store_begin_run) X(gr_bench_store_close)                  \
	X(gr_bench_store_count) X(gr_bench_store_each) X(gr_bench_store_end_run)                     \
	X(gr_bench_store_export_csv) X(gr_bench_store_import_csv) X(gr_bench_store_open)             \
	X(gr_bench_store_open_read) X(gr_power_close) X(gr_power_idle) X(gr_power_open)              \
	X(gr_power_source) X(gr_bench_runs_read) X(gr_bench_host_topology)

#define GR_BENCHLIB_MEMBER(f) __typeof__(f) *f;
typedef struct gr_benchlib {
	int abi;      /* GR_BENCHLIB_ABI */
	size_t size;  /* sizeof(gr_benchlib) */
	GR_BENCHLIB_FUNCS(GR_BENCHLIB_MEMBER)
} gr_benchlib;

/* In libgraphs-bench: its table. */
const gr_benchlib *gr_benchlib_entry(void);

/* In libgraphs: loads libgraphs-bench once (thread-safe) and returns its table, or NULL with
 * err (GR_ERR_IO) saying what could not be loaded and that `what` needs it.
 * Where: $GRAPHS_BENCH_LIB (a path) when set, else beside the object this code is in
 * (libgraphs.so or the program libgraphs.a is linked into), else the dynamic loader's search. */
const gr_benchlib *gr_benchlib_get(const char *what, gr_error *err);

#endif
