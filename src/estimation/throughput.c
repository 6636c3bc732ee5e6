/* Latency and throughput are different answers. The latency is one request through the whole
 * graph; the steady state is set by the busiest resource once requests overlap where the
 * platform lets them (registry: estimator.pipeline.*):
 *   - dataflow devices place every layer on its own part of the chip and frames flow through
 *     them: the compiler gives each layer a share of the units in proportion to its work, so
 *     every stage takes the same time and the slowest stage, the period, is the sum of the
 *     layers' work on the whole chip (not their latencies with launch costs), divided by how
 *     evenly the stages are balanced (a fitted compute factor holds that already); a network
 *     split into contexts runs them one after another, each request paying the switches and
 *     weight reloads in series with the chip's work, and every frame pays its per-frame
 *     cost on the host link (the link stage: the frame-rate ceiling of small networks);
 *   - platforms with several streams (independent engines, contexts) run that many requests
 *     at once, each taking its latency, all sharing the device's work rate;
 *   - DMA moves the next inputs and last outputs over the host link while the device computes;
 *   - the host's dispatch and fallback ops pipeline with the device once requests overlap.
 * Where nothing overlaps, period = latency exactly. The period never falls below the peak
 * compute the work needs (the work itself holds every kernel's compute and memory floors,
 * estimate.c), and never rises above the latency (overlap never slows a request stream down:
 * running them one at a time stays possible). */
#include <math.h>

#include "estimation/throughput.h"

const char *gr_throughput_bound_name(gr_throughput_bound b)
{
	static const char *n[] = {"latency", "compute", "memory", "pipeline_stage", "streams", "transfer",
				  "host"};
	return (unsigned)b < GR_TPUT_COUNT ? n[b] : "latency";
}

/* The device's work per request: what its compute and memory are busy with, launch and other
 * fixed costs left out. Fitted kernels add their parts; roofline kernels overlap them. */
static void device_work(const gr_estimate *e, double *c, double *m, double *lat, double *flops, size_t *n)
{
	*c = *m = *lat = *flops = 0;
	*n = 0;
	for (size_t i = 0; i < e->n_kernels; i++) {
		const gr_kernel_estimate *ke = &e->kernels[i];
		if (ke->on_host)
			continue;
		*lat += ke->latency_s;
		*flops += ke->kernel ? ke->flops_time : 0; /* as run (fast convolutions) */
		(*n)++;
		if (ke->confidence != GR_CONF_THEORETICAL) {
			*c += ke->compute_s;
			*m += ke->memory_s;
		} else if (ke->compute_s >= ke->memory_s) {
			*c += ke->compute_s;
		} else {
			*m += ke->memory_s;
		}
	}
}

double gr_throughput_device_work_s(const gr_estimate *e)
{
	double c, m, lat, flops;
	size_t n;

	device_work(e, &c, &m, &lat, &flops, &n);
	return c + m;
}

void gr_throughput_model(gr_estimate *e, const gr_hw *hw, int mode, const gr_hw_estimator *ep,
			 const gr_throughput_in *in)
{
	double wc, wm, device, dev_flops, work, serial, host = in->dispatch_s, transfer = e->io_transfer_s;
	double balance = ep->pipeline_balance > 0 ? fmin(ep->pipeline_balance, 1) : 1, peak, floor_s;
	int64_t in_flight = ep->pipeline_streams > 1 ? ep->pipeline_streams : 1;
	int overlap = ep->pipeline_overlap_transfers;
	gr_throughput_bound bound;
	size_t n_dev;

	device_work(e, &wc, &wm, &device, &dev_flops, &n_dev);
	for (size_t i = 0; i < e->n_kernels; i++)
		if (e->kernels[i].on_host) {
			host += e->kernels[i].compute_s + e->kernels[i].overhead_s;
			transfer += e->kernels[i].transfer_s;
		}
	if (ep->pipeline_dataflow && in->fitted)
		balance = 1;
	/* a dataflow chip holds one frame per layer stage */
	if (ep->pipeline_dataflow && (int64_t)n_dev > in_flight)
		in_flight = (int64_t)n_dev;
	e->frames_in_flight = in_flight;
	e->period_s = e->latency_s;
	e->throughput_bound = GR_TPUT_LATENCY;
	e->stage_device_s = device;
	e->stage_host_s = host;
	e->stage_transfer_s = transfer;
	if (e->latency_s <= 0 || (in_flight <= 1 && !overlap))
		return;

	/* what stays in series with the device's work */
	serial = device + in->context_s;
	if (in_flight <= 1)
		serial += host; /* one request at a time: the host waits for it */
	if (!overlap)
		serial += transfer;
	else if (in->streamed_over_link)
		transfer += in->streamed_s; /* context reloads share the link */
	work = (wc + wm) / balance;
	if (ep->pipeline_dataflow)
		work += in->streamed_s + in->context_s; /* a context's weights load before its frames run */
	if (in_flight > 1 && serial / (double)in_flight > work) {
		e->stage_device_s = serial / (double)in_flight;
		bound = GR_TPUT_STREAMS;
	} else if (in_flight > 1) {
		e->stage_device_s = work;
		bound = ep->pipeline_dataflow ? GR_TPUT_PIPELINE_STAGE : wc >= wm ? GR_TPUT_COMPUTE : GR_TPUT_MEMORY;
	} else {
		e->stage_device_s = serial;
		bound = wc >= wm ? GR_TPUT_COMPUTE : GR_TPUT_MEMORY;
	}
	e->stage_transfer_s = overlap ? transfer : 0;
	if (ep->pipeline_dataflow)
		e->stage_transfer_s += in->frame_s; /* frames in flight: the link handles one at a time */
	e->stage_host_s = in_flight > 1 ? host : 0;
	e->period_s = e->stage_device_s;
	if (e->stage_transfer_s > e->period_s) {
		e->period_s = e->stage_transfer_s;
		bound = GR_TPUT_TRANSFER;
	}
	if (e->stage_host_s > e->period_s) {
		e->period_s = e->stage_host_s;
		bound = GR_TPUT_HOST;
	}
	/* physics: the work cannot go faster than the peak of the whole device */
	peak = gr_hw_effective_peak_ops(hw, mode, e->precision);
	floor_s = peak > 0 ? dev_flops / peak : 0;
	if (e->period_s < floor_s) {
		e->period_s = floor_s;
		bound = GR_TPUT_COMPUTE;
	}
	if (e->period_s >= e->latency_s) {
		e->period_s = e->latency_s;
		bound = GR_TPUT_LATENCY;
	}
	e->throughput_bound = bound;
}
