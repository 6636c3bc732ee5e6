/* The analysis of a pipeline spec (graphs/pipeline.h): one frame scheduled through the stages
 * in dependency order on devices and links that serve one thing at a time, and the steady
 * state set by the busiest of them. */
#include <math.h>
#include <string.h>

#include "graphs/pipeline.h"

/* Stages in dependency order, ties in the order the spec lists them (the spec has no cycle). */
static size_t topo_order(const gr_pl_spec *s, int *order)
{
	unsigned char done[GR_PL_MAX_STAGES] = {0};
	size_t n = 0;

	while (n < s->n_stages) {
		size_t before = n;
		for (size_t i = 0; i < s->n_stages; i++) {
			int ready = !done[i];
			for (size_t k = 0; ready && k < s->stages[i].n_after; k++)
				ready = done[s->stages[i].after[k]];
			if (ready) {
				done[i] = 1;
				order[n++] = (int)i;
				break; /* restart: earlier stages that just became ready go first */
			}
		}
		if (n == before)
			break;
	}
	return n;
}

/* One transfer over link l of bytes. */
static double transfer_time(const gr_pl_link *l, double bytes)
{
	if (l->zero_copy || l->bandwidth_bytes_s <= 0)
		return l->latency_s;
	return l->latency_s + bytes / l->bandwidth_bytes_s;
}

gr_status gr_pipeline_analyze(const gr_pl_spec *s, const double *call_s, const double *period_s,
			      const double *in_bytes, gr_pl_result *r, gr_error *err)
{
	int order[GR_PL_MAX_STAGES];
	double dev_free[GR_PL_MAX_STAGES] = {0}, link_free[GR_PL_MAX_LINKS] = {0};
	double dev_first[GR_PL_MAX_STAGES], dev_last[GR_PL_MAX_STAGES], top[GR_PL_MAX_STAGES + GR_PL_MAX_LINKS];
	double dev_run[GR_PL_MAX_STAGES] = {0}; /* time each device runs in the one-frame schedule */
	double op_period;

	memset(r, 0, sizeof(*r));
	if (topo_order(s, order) != s->n_stages)
		return gr_error_set(err, GR_ERR_FORMAT, "%s: the stages' dependencies form a cycle", s->path);
	for (size_t d = 0; d < s->n_devices; d++) {
		dev_first[d] = INFINITY;
		dev_last[d] = 0;
		r->devices[d].top_stage = -1;
	}
	for (size_t l = 0; l < s->n_links; l++)
		r->links[l].top_stage = -1;
	memset(top, 0, sizeof(top));
	for (size_t q = 0; q < s->n_stages; q++) {
		int i = order[q];
		const gr_pl_stage *sg = &s->stages[i];
		gr_pl_stage_result *sr = &r->stages[i];
		int d = sg->device_index;
		double ready = 0, bytes;

		double per = period_s ? period_s[i] : call_s[i];
		if (!(call_s[i] >= 0) || !isfinite(call_s[i]) || !(per >= 0) || !isfinite(per))
			return gr_error_set(err, GR_ERR_USAGE, "stage '%s': no latency", sg->name);
		sr->call_s = call_s[i];
		sr->busy_s = per * (double)sg->runs_per_frame;
		for (size_t k = 0; k < sg->n_after; k++)
			if (r->stages[sg->after[k]].end_s > ready)
				ready = r->stages[sg->after[k]].end_s;
		if (sg->link >= 0) {
			/* its input crosses the link once its producers are done and the link is free */
			const gr_pl_link *l = &s->links[sg->link];
			bytes = sg->transfer_bytes >= 0 ? sg->transfer_bytes : in_bytes[i] * (double)sg->runs_per_frame;
			sr->transfer_s = transfer_time(l, bytes);
			ready = fmax(ready, link_free[sg->link]) + sr->transfer_s;
			link_free[sg->link] = ready;
			r->links[sg->link].busy_s += sr->transfer_s;
			if (sr->transfer_s > top[GR_PL_MAX_STAGES + sg->link] || r->links[sg->link].top_stage < 0) {
				top[GR_PL_MAX_STAGES + sg->link] = sr->transfer_s;
				r->links[sg->link].top_stage = i;
			}
		}
		sr->start_s = fmax(ready, dev_free[d]);
		sr->end_s = sr->start_s + sr->call_s * (double)sg->runs_per_frame;
		dev_run[d] += sr->end_s - sr->start_s;
		dev_free[d] = sr->end_s;
		dev_first[d] = fmin(dev_first[d], sr->start_s);
		dev_last[d] = fmax(dev_last[d], sr->end_s);
		r->devices[d].busy_s += sr->busy_s;
		if (sr->busy_s > top[d] || r->devices[d].top_stage < 0) {
			top[d] = sr->busy_s;
			r->devices[d].top_stage = i;
		}
		if (sr->end_s > r->latency_s)
			r->latency_s = sr->end_s;
	}
	/* the steady state: the busiest device or link sets the pace */
	r->bound = GR_PL_DEVICE;
	r->bottleneck = 0;
	for (size_t d = 0; d < s->n_devices; d++)
		if (r->devices[d].busy_s > r->period_s) {
			r->period_s = r->devices[d].busy_s;
			r->bottleneck = (int)d;
		}
	for (size_t l = 0; l < s->n_links; l++)
		if (r->links[l].busy_s > r->period_s) {
			r->period_s = r->links[l].busy_s;
			r->bound = GR_PL_LINK;
			r->bottleneck = (int)l;
		}
	r->bottleneck_stage = r->bound == GR_PL_DEVICE ? r->devices[r->bottleneck].top_stage
						       : r->links[r->bottleneck].top_stage;
	r->throughput_fps = r->period_s > 0 ? 1.0 / r->period_s : INFINITY;
	r->operating_fps = r->throughput_fps;
	r->meets_target = -1;
	if (s->target_fps > 0) {
		r->meets_target = r->throughput_fps >= s->target_fps;
		if (s->target_fps < r->operating_fps)
			r->operating_fps = s->target_fps;
	}
	op_period = r->operating_fps > 0 && isfinite(r->operating_fps) ? 1.0 / r->operating_fps : r->period_s;
	for (size_t d = 0; d < s->n_devices; d++) {
		gr_pl_resource *dv = &r->devices[d];
		dv->utilization = op_period > 0 ? dv->busy_s / op_period : 0;
		dv->idle_s = fmax(0, op_period - dv->busy_s);
		dv->bubble_s = dev_last[d] > dev_first[d] ? fmax(0, dev_last[d] - dev_first[d] - dev_run[d]) : 0;
	}
	for (size_t l = 0; l < s->n_links; l++) {
		r->links[l].utilization = op_period > 0 ? r->links[l].busy_s / op_period : 0;
		r->links[l].idle_s = fmax(0, op_period - r->links[l].busy_s);
	}
	return GR_OK;
}
