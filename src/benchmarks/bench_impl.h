/* Private pieces of src/benchmarks: the microbenchmark backend table, the case list,
 * a small thread pool for the native kernels, and helpers shared by the kernel files. */
#ifndef GRAPHS_BENCH_IMPL_H
#define GRAPHS_BENCH_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "graphs/bench.h"

struct bench_case;

/* A microbenchmark backend: one kind of kernel on one library (ggml-style table).
 * supported and describe are optional (NULL: always supported; generic description). */
typedef struct bench_kernel {
	const char *kind;    /* gemm conv2d attention elementwise reduction memory latency */
	const char *backend; /* openblas onednn native */
	/* 0 when the case cannot run on this host; why gets a short reason. */
	int (*supported)(const struct bench_case *c, char *why, size_t size);
	/* Allocates and fills the operands; *state is passed to run and release. */
	gr_status (*init)(const struct bench_case *c, void **state, gr_error *err);
	/* One call of the kernel; 0 on success. */
	int (*run)(void *state);
	void (*release)(void *state);
} bench_kernel;

/* One point of a sweep. p[] holds kind-specific sizes (documented per kernel file). */
typedef struct bench_case {
	const bench_kernel *k;
	char name[96];
	char precision[8];
	char variant[24];  /* "standard", "depthwise", "relu", "triad", ... */
	int64_t p[8];
	int64_t batch;
	double flops, bytes;  /* per call */
	char dims[96];
	const char *rate_unit; /* NULL: GFLOP/s if flops, else GB/s */
	double rate_scale;     /* for "ns": accesses per call */
} bench_case;

/* Kernel tables (one per file). */
extern const bench_kernel bench_gemm_openblas, bench_gemm_onednn, bench_conv_onednn,
	bench_attention_openblas, bench_eltwise_native, bench_reduce_native, bench_stream_native,
	bench_chase_native;

/* Threads the native kernels use (gr_bench_set_threads; default: online CPUs). */
int bench_thread_count(void);
void bench_onednn_version(char *out, size_t size);

/* A persistent pool: bench_pool_run calls fn(ctx, i, n) on n threads (i = 0 on the caller)
 * and returns when all are done. Created lazily with bench_thread_count() threads. */
typedef void (*bench_task_fn)(void *ctx, int i, int n);
void bench_pool_run(bench_task_fn fn, void *ctx);
int bench_pool_size(void);

/* oneDNN's CPU engine and stream, created once; NULL (and err set) when unavailable. */
struct dnnl_engine;
struct dnnl_stream;
struct dnnl_engine *bench_dnnl_engine(gr_error *err);
struct dnnl_stream *bench_dnnl_stream(gr_error *err);

/* A oneDNN primitive with its src, weights and dst memories (micro_gemm.c). */
gr_status bench_dnnl_make(const void *op_desc, const char *what, void **state, gr_error *err);
int bench_dnnl_exec(void *state);
void bench_dnnl_release(void *state);
int bench_onednn_supported(const struct bench_case *c, char *why, size_t size);

/* Fills r's power fields for a region of calls (suite.c); note receives a reason when the
 * sensor cannot cover it. */
void bench_fill_power(const gr_bench_opts *o, gr_bench_record *r, double t0, double t1,
		      double calls, char *note, size_t note_size);

/* 1 when name matches one of the comma-separated fnmatch globs in filter (NULL: all). */
int bench_selected(const char *filter, const char *name);

/* 64-byte aligned allocation filled with small values; free with free(). NULL on OOM. */
float *bench_alloc_floats(size_t n, float value);
/* 1 when oneDNN can run bf16 here (avx512_bf16 or AMX), else 0 and why. */
int bench_bf16_supported(char *why, size_t size);

#endif
