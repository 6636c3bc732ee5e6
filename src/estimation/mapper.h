/* Mappers: how one class of hardware (cpu, gpu, tpu, npu) turns a kernel's work into
 * compute efficiency and overhead. One table of function pointers per class (ggml-backend
 * style); the roofline itself lives in estimate.c and is shared by all classes. */
#ifndef GRAPHS_MAPPER_H
#define GRAPHS_MAPPER_H

#include "graphs/estimate.h"

typedef struct gr_map_ctx {
	const gr_hw *hw;
	int mode;
	gr_precision prec;
	int64_t units;          /* cores / SMs / arrays online */
} gr_map_ctx;

typedef struct gr_mapper {
	const char *name;
	/* Peak ops/s this kernel can use (matrix engines only for matrix classes). */
	double (*peak)(const gr_map_ctx *m, const gr_kernel *k);
	/* Fraction of that peak a kernel of this class and size reaches (0..1]. */
	double (*efficiency)(const gr_map_ctx *m, const gr_kernel *k);
	double mem_eff_dram;      /* achieved / datasheet DRAM bandwidth */
	double mem_eff_cache;     /* achieved / datasheet cache bandwidth */
	double default_launch_us; /* when the registry gives no kernel_launch_us */
	/* 1: the op is not available on the device and runs on the host (NPU restrictions). */
	int (*needs_host)(const gr_map_ctx *m, const gr_kernel *k, const gr_partition *p);
} gr_mapper;

const gr_mapper *gr_mapper_for(gr_hw_class c);

/* Shared helper: saturating size factor w / (w + half), the share of peak a kernel of w
 * FLOPs reaches when `half` FLOPs is the work at which it fills half the machine. */
double gr_map_fill(double w, double half);

#endif
