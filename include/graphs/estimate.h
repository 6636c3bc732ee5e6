/* The estimator: per-kernel latency (roofline with efficiency factors, memory level chosen
 * by working set, launch overheads), energy, peak memory and confidence of a partitioned
 * graph on one platform, through a mapper for the platform's class (cpu, gpu, tpu, npu). */
#ifndef GRAPHS_ESTIMATE_H
#define GRAPHS_ESTIMATE_H

#include "graphs/hw.h"
#include "graphs/transform.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gr_confidence {
	GR_CONF_CALIBRATED = 0,  /* fitted from measurements of this op class on this platform */
	GR_CONF_INTERPOLATED,    /* fitted data exists, this size lies between or beyond points */
	GR_CONF_TRANSFERRED,     /* fitted on another platform of the class, scaled to this one's
				  * datasheet peaks and bandwidths (docs/transfer.md) */
	GR_CONF_THEORETICAL,     /* datasheet numbers and class defaults only */
	GR_CONF_COUNT
} gr_confidence;

/* "calibrated", ...: static strings, as are the other *_name functions here. */
const char *gr_confidence_name(gr_confidence c);

typedef enum gr_bound { GR_BOUND_COMPUTE, GR_BOUND_MEMORY, GR_BOUND_OVERHEAD, GR_BOUND_FALLBACK } gr_bound;
const char *gr_bound_name(gr_bound b);

/* What sets the steady-state rate (docs/estimate.md, "Latency and throughput"). */
typedef enum gr_throughput_bound {
	GR_TPUT_LATENCY = 0,     /* one request after another: batch / latency */
	GR_TPUT_COMPUTE,         /* the device's compute, with transfers or the host hidden behind it */
	GR_TPUT_MEMORY,          /* the same, its memory traffic the larger part */
	GR_TPUT_PIPELINE_STAGE,  /* dataflow: the slowest stage of the layers placed across the chip */
	GR_TPUT_STREAMS,         /* concurrent requests, each taking the latency of one */
	GR_TPUT_TRANSFER,        /* the host link, its DMA overlapped with compute */
	GR_TPUT_HOST,            /* the host's share: dispatch and ops run on the host CPU */
	GR_TPUT_COUNT
} gr_throughput_bound;

/* "latency", "compute", "memory", "pipeline_stage", "streams", "transfer", "host". */
const char *gr_throughput_bound_name(gr_throughput_bound b);

typedef struct gr_kernel_estimate {
	const gr_kernel *kernel;   /* borrowed from the partition */
	double flops_time;         /* kernel->flops_time on the estimate's conv path (gr_conv_path) */
	int fast_tile;             /* kernel->fast_tile on that path: Winograd F(m, 3); 0: direct */
	double latency_s, compute_s, memory_s, overhead_s, transfer_s;
	double energy_j;
	double bytes;              /* external traffic at the estimate's precision */
	double efficiency;         /* compute efficiency applied (0..1); fitted kernels: the share of
				    * the physical peak they reach */
	const char *level;         /* memory level serving the working set ("l2", "dram", ...) */
	gr_bound bound;
	gr_confidence confidence;
	int on_host;               /* ran on the fallback host CPU (NPU restrictions) */
	int at_bound;              /* raised to the physical floor: peak compute of its engine, or the
				    * bandwidth of the fastest memory level holding its working set
				    * (docs/estimate.md, "Physical bounds") */
} gr_kernel_estimate;

typedef struct gr_estimate_opts {
	int precision;             /* gr_precision, or -1 for the platform's preferred one */
	const char *runtime;       /* fusion/overhead rules (gr_fusion_rules_find); NULL: the class
				    * default, "pytorch" on cpus and gpus, "compiler" elsewhere */
	int amp;                   /* automatic mixed precision as frameworks do it (precision must be
				    * fp16 or bf16): conv/matmul/gemm and elementwise ops at that
				    * precision, norms and reductions (softmax) in fp32 */
	int no_transfer;           /* 1: a profile without a fit of the precision gives a theoretical
				    * estimate instead of lending its nearest precision's fit */
} gr_estimate_opts;

typedef struct gr_estimate {
	gr_precision precision;
	const char *runtime;
	double latency_s, energy_j;           /* energy_j: the device's, for the whole call */
	double energy_fitted_j;               /* part of energy_j from fitted (measured) coefficients */
	double compute_s, memory_s, overhead_s;
	double io_transfer_s;                 /* model inputs/outputs over the host link (accelerators) */
	double flops, bytes;
	int64_t params;
	double weight_bytes, peak_activation_bytes, workspace_bytes, peak_memory_bytes;
	gr_confidence confidence;             /* the weakest of the kernels */
	double confidence_share[GR_CONF_COUNT]; /* share of latency at each level */
	size_t unknown_ops;                   /* nodes not costed: the result is a lower bound */
	size_t host_fallback_kernels;
	size_t n_kernels;
	gr_kernel_estimate *kernels;          /* owned by the estimate */
	char note[256];                       /* e.g. "fp16 is emulated on this CPU (x60)" */
	const char *profile;                  /* label of the calibration profile used (borrowed from
					       * the profile); NULL when none applied */
	const char *profile_path;             /* its file; NULL when none applied or not from a file */
	/* Steady state: requests follow one another as fast as the platform allows (pipeline.*
	 * of the registry: dataflow layers, concurrent streams, DMA overlapping transfers). */
	double period_s;                      /* time per request; latency_s when nothing overlaps */
	gr_throughput_bound throughput_bound; /* what sets period_s */
	double stage_device_s;                /* the device's share of a request at the steady state */
	double stage_transfer_s;              /* host link: inputs, outputs, fallback tensors, streamed weights */
	double stage_host_s;                  /* host CPU: dispatch and fallback ops */
	int64_t frames_in_flight;             /* requests in progress at once (1: none overlap) */
	int64_t contexts;                     /* dataflow: contexts the network is split into (0: one) */
	const gr_hw *hw;                      /* the platform estimated (borrowed) and its mode */
	int mode;
	const char *borrowed_from;            /* the profile applied was transferred: the label of the
					       * donor profile it was scaled from; NULL otherwise */
	int borrowed_classes;                 /* borrowed_from lent only op classes the platform's own
					       * profile never measured (calibrate --borrow) */
	int amp;                              /* estimated as automatic mixed precision */
	const char *energy_fit_scope;         /* "device" or "system": the energy a profile fitted to
					       * published power (the device's, or the box's at the
					       * wall: system energy); NULL when none applied */
	double energy_fit_scale;              /* the scale that fit applies to that energy */
	double energy_error_pct;              /* its expected error in percent (leave-one-model-out,
					       * else leave-one-row-out); NAN when unknown */
	double error_band_pct;                /* the error to expect, in percent: the profile's
					       * leave-one-model-out MAPE on published figures
					       * (gr_profile_error_band_pct); NAN when unknown */
} gr_estimate;

/* The runtime an estimate on hw uses when the caller names none. */
const char *gr_estimate_default_runtime(const gr_hw *hw);

/* Estimates an inferred graph on hw at mode (-1 = default). The partition must have been
 * built with the same runtime's fusion rules (gr_fusion_rules_find). On success *out owns the result (gr_estimate_free); it borrows
 * p for the kernels' descriptions. Fails with GR_ERR_UNSUPPORTED when the platform cannot
 * run the precision, naming the precisions it can. */
gr_status gr_estimate_run(const gr_graph *g, const gr_partition *p, const gr_hw *hw, int mode,
			  const gr_estimate_opts *opts, gr_estimate **out, gr_error *err);
/* With a calibration profile: gr_estimate_run_profile (graphs/calibrate.h). */
void gr_estimate_free(gr_estimate *e); /* accepts NULL */

/* The work of an estimate that depends only on the graph and its partition (per-op data, graph
 * totals, peak activations), kept for many estimates of them on other platforms and precisions
 * (sweeps): gr_estimate_run_profile_cached (graphs/calibrate.h) gives the same result, bit for
 * bit, as gr_estimate_run_profile. g and p are borrowed and must outlive the cache; the cache
 * is not thread-safe. NULL when out of memory. */
typedef struct gr_estimate_cache gr_estimate_cache;
gr_estimate_cache *gr_estimate_cache_new(const gr_graph *g, const gr_partition *p);
void gr_estimate_cache_free(gr_estimate_cache *c);

/* Steady-state inferences per second at this batch (batch = images per request, the batch the
 * estimate was made at): batch / period_s. batch / latency_s where nothing overlaps. */
/* Device and system energy of one estimate (src/estimation/energy.c, docs/estimate.md
 * "Device and system energy"). The device's energy is e->energy_j. Where the registry
 * describes the box around the device (gr_hw_system_of), the system's is what a wall-power
 * meter (MLPerf power) sees for the call: device + the other accelerators idling + the host,
 * over the latency, through the power supply. */
typedef struct gr_energy_split {
	double device_j;          /* = e->energy_j */
	double system_j;          /* NAN without a system description */
	double host_w;            /* host + idle peers counted, at the DC side; 0 without one */
	const char *scope;        /* "device" or "device+system" */
	const char *confidence;   /* "fitted" (measured or published power), "partly_fitted" or
				   * "theoretical" (datasheet TDP, idle and literature pJ) */
	const char *device_confidence; /* the same for device_j alone (a system fit leaves it as is) */
	const char *fit_scope;    /* which figure is fitted: "device" (device_j, and system_j from
				   * it) or "system" (system_j only: device_j stays the estimator's);
				   * NULL when theoretical */
	double error_pct;         /* the fit's expected error in percent; NAN when unknown */
} gr_energy_split;
void gr_estimate_energy_split(const gr_estimate *e, gr_energy_split *out);

/* Steady-state inferences per second at this batch (batch = images per request). Today
 * batch / latency: one request after another, nothing overlapped. */
double gr_estimate_throughput_per_s(const gr_estimate *e, int64_t batch);

/* Bytes per element of a float tensor held at precision p (fp4/int4: 0.5). */
double gr_estimate_elem_bytes(gr_precision p);
/* The estimator's tensor liveness along g's node order: live[k] = activation bytes live while
 * node k runs (graph inputs from the start, outputs to the end; weights and folded constants left
 * out; float tensors scaled by scale_float, the precision's bytes over 4). live holds
 * n_nodes + 2 entries, caller-owned. peak_activation_bytes is its maximum. */
void gr_estimate_live_bytes(const gr_graph *g, double scale_float, double *live);
/* The same with the bytes per element of each node's float outputs given: out_bpe[i] for node
 * i's, out_bpe[n_nodes] for the graph inputs' (NULL: 4 x scale_float for all). An estimate whose
 * runtime holds activations at other widths than the precision's (ncnn's int8 layers between
 * float activations) counts its peak so. */
void gr_estimate_live_bytes_at(const gr_graph *g, double scale_float, const double *out_bpe, double *live);
/* The bytes per element an estimate of g run as p at precision prec on hw holds each node's float
 * outputs in, where its runtime sets them apart from the precision's (ncnn int8: float between
 * layers but int8 between convs, docs/estimate.md "ncnn int8 activations"): fills out_bpe
 * (n_nodes + 1 entries, as gr_estimate_live_bytes_at takes it) and returns 1; 0 where every float
 * tensor is at the precision's bytes (out_bpe untouched) or out of memory. */
int gr_estimate_activation_bpe(const gr_graph *g, const gr_partition *p, const gr_hw *hw, gr_precision prec,
			       double *out_bpe);

/* Op classes of the fitted per-op time model that calibration profiles hold: the kernel
 * classes (gr_kernel_class, same numbers), then views (reshape, flatten: no kernel of their
 * own, but an op eager runtimes still dispatch) and global pooling (a streaming reduction,
 * unlike windowed pooling, whose cost goes with outputs x window). */
#define GR_OP_CLASS_VIEW GR_KC_COUNT
#define GR_OP_CLASS_GLOBAL_POOL (GR_KC_COUNT + 1)
#define GR_OP_CLASS_COUNT (GR_KC_COUNT + 2)
/* "conv", ..., "view", "global_pool"; "?" when out of range. */
const char *gr_op_class_name(int cls);
/* The class of one op, or -1 for ops that do not execute (folded shape arithmetic). */
int gr_op_class_of(const gr_node *n);

#ifdef __cplusplus
}
#endif
#endif
