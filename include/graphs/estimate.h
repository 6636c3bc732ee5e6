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
	GR_CONF_THEORETICAL,     /* datasheet numbers and class defaults only */
	GR_CONF_COUNT
} gr_confidence;

const char *gr_confidence_name(gr_confidence c);

typedef enum gr_bound { GR_BOUND_COMPUTE, GR_BOUND_MEMORY, GR_BOUND_OVERHEAD, GR_BOUND_FALLBACK } gr_bound;
const char *gr_bound_name(gr_bound b);

typedef struct gr_kernel_estimate {
	const gr_kernel *kernel;   /* borrowed from the partition */
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
} gr_estimate_opts;

typedef struct gr_estimate {
	gr_precision precision;
	const char *runtime;
	double latency_s, energy_j;
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
	int amp;                              /* estimated as automatic mixed precision */
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
void gr_estimate_free(gr_estimate *e);

/* Steady-state inferences per second at this batch (batch = images per request). Today
 * batch / latency: one request after another, nothing overlapped. */
double gr_estimate_throughput_per_s(const gr_estimate *e, int64_t batch);

/* Bytes per element of a float tensor held at precision p (fp4/int4: 0.5). */
double gr_estimate_elem_bytes(gr_precision p);

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
