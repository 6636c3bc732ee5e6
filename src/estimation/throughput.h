/* The steady-state model of an estimate: how fast requests can follow one another once the
 * platform overlaps what it can (docs/estimate.md, "Latency and throughput"). */
#ifndef GRAPHS_ESTIMATION_THROUGHPUT_H
#define GRAPHS_ESTIMATION_THROUGHPUT_H

#include "graphs/estimate.h"

typedef struct gr_throughput_in {
	double dispatch_s;      /* the per-request runtime cost counted in the latency */
	double streamed_s;      /* weights reloaded per request (they do not fit on chip) */
	int streamed_over_link; /* ... over the host link rather than from DRAM */
	double frame_s;         /* dataflow: the fitted per-frame link cost of the request's frames */
	double context_s;       /* dataflow: switching through the contexts and reloading their weights */
	int fitted;             /* the kernels are fitted: their compute factor holds the balance */
} gr_throughput_in;

/* The device's work per request (kernels on the device, compute and memory, launch and other
 * fixed costs left out): the slowest stage of a dataflow pipeline at full balance. */
double gr_throughput_device_work_s(const gr_estimate *e);

/* Fills e's period_s, throughput_bound, stage_*_s and frames_in_flight from its kernels (all
 * other fields set) and hw's pipeline.* parameters (ep). */
void gr_throughput_model(gr_estimate *e, const gr_hw *hw, int mode, const gr_hw_estimator *ep,
			 const gr_throughput_in *in);

#endif
