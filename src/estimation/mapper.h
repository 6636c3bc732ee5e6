/* Mappers: how one class of hardware (cpu, gpu, tpu, npu) turns a kernel's work into
 * compute efficiency (ggml-backend style table of function pointers per class); the roofline
 * itself lives in estimate.c and is shared by all classes. Every number a mapper uses is an
 * estimator parameter of the registry (class defaults in hardware/classes/<class>.yaml,
 * overridable per platform). Placement (placement.c): which kernels run on the fallback host
 * and which bytes do not fit on chip. */
#ifndef GRAPHS_MAPPER_H
#define GRAPHS_MAPPER_H

#include "graphs/estimate.h"

typedef struct gr_map_ctx {
	const gr_hw *hw;
	int mode;
	gr_precision prec;
	int64_t units;              /* cores / SMs / arrays online */
	const gr_hw_estimator *ep;  /* the platform's estimator parameters */
} gr_map_ctx;

typedef struct gr_mapper {
	const char *name;
	/* Peak ops/s this kernel can use (matrix engines only for matrix classes). */
	double (*peak)(const gr_map_ctx *m, const gr_kernel *k);
	/* Fraction of that peak a kernel of this class and size reaches (0..1]. */
	double (*efficiency)(const gr_map_ctx *m, const gr_kernel *k);
} gr_mapper;

const gr_mapper *gr_mapper_for(gr_hw_class c);

/* Shared helper: saturating size factor w / (w + half), the share of peak a kernel of w
 * FLOPs reaches when `half` FLOPs is the work at which it fills half the machine. */
double gr_map_fill(double w, double half);

/* --- placement (placement.c) --------------------------------------------------------- */

/* 1 when kernel k holds an op outside hw's restrictions.ops: the whole kernel runs on the
 * fallback. A BatchNormalization that the runtime folds into the conv/gemm before it is no op
 * of the device. */
int gr_place_needs_host(const gr_hw *hw, const gr_kernel *k, const gr_partition *p,
			const gr_fusion_rules *rules);
/* Seconds kernel k (flops as the runtime runs it, bytes at the precision) takes on hw's fallback:
 * the platform that restrictions.fallback names (its roofline at the same mode name when it has
 * one), else the estimator's fallback_host. *xfer: its inputs and outputs crossing the host link,
 * both ways. */
double gr_place_fallback_time(const gr_hw *hw, int mode, const gr_hw_estimator *ep, gr_precision prec,
			      const gr_kernel *k, double flops, double bytes, double *xfer);

/* On-chip memory over one inference: the bytes that stay on chip (activations first, then
 * weights in kernel order, as compilers pin them) and where the rest streams from on every
 * inference: the first DRAM level, else the host link. */
typedef struct gr_onchip {
	int residency;         /* estimator.on_chip_residency: 0 leaves every kernel to its level */
	double capacity;       /* bytes on chip; -1: some on-chip level gives no size (not modeled) */
	double weights_left;   /* on-chip bytes still free for weights */
	const char *off_name;  /* "dram", "hbm", "host", ...; NULL: nowhere to stream from */
	double off_bw;         /* bytes/s, efficiency applied */
	double off_pj;         /* energy per byte streamed */
	int off_is_link;       /* the host link (no DRAM) */
	double streamed;       /* bytes streamed by the kernels so far */
} gr_onchip;

void gr_onchip_init(gr_onchip *oc, const gr_hw *hw, int mode, const gr_hw_estimator *ep,
		    double activation_bytes);
/* Bytes of a kernel that do not fit on chip: its weights beyond what is still free, and its
 * activations beyond the whole capacity. */
double gr_onchip_stream(gr_onchip *oc, double weight_bytes, double activation_bytes);
/* Seconds per byte of what a graph compiler's kernels move beyond on-chip memory: DRAM's rate,
 * or, on a device without DRAM that is no dataflow device (an Edge TPU), the host link's, as
 * gr_onchip_init streams it; 0 when neither (dataflow devices: contexts, not streaming). */
double gr_onchip_spill_s_per_byte(const gr_hw *hw, int mode);

#endif
