/* Chrome/Perfetto trace of one estimate (graphs/timeline.h): the estimator's serial sum laid
 * out in time, kernels on engine tracks, transfers on the link, memory as counters. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/graph_impl.h"
#include "analysis/timeline_trace.h"

#define MAX_TRACKS 16
#define PID 1

typedef struct tracks {
	const char *name[MAX_TRACKS];
	int n;
} tracks;

/* The thread id of track name, added when new (the last one takes the overflow). */
static int track_id(tracks *t, const char *name)
{
	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->name[i], name))
			return i + 1;
	if (t->n == MAX_TRACKS)
		return MAX_TRACKS;
	t->name[t->n++] = name;
	return t->n;
}

static int is_matrix_class(gr_kernel_class c)
{
	return c == GR_KC_CONV || c == GR_KC_GEMM || c == GR_KC_MATMUL || c == GR_KC_ATTENTION ||
	       c == GR_KC_RNN;
}

/* The engine that runs a kernel: matrix work on the engine with the most ops per clock at the
 * estimate's precision, the rest on the one with the most fp32 ops (CUDA cores, vector units);
 * engines whose peaks add up (hybrid CPU cores) share one track. */
static const char *engine_of(const gr_estimate *e, const gr_kernel_estimate *ke)
{
	size_t n = gr_hw_engine_count(e->hw);
	const char *best = NULL;
	double most = 0;
	gr_precision q = is_matrix_class(ke->kernel->cls) ? e->precision : GR_PREC_FP32;

	if (ke->on_host)
		return "host_cpu";
	if (!n || gr_hw_engines_combined(e->hw))
		return "compute";
	for (int pass = 0; pass < 2 && !best; pass++, q = e->precision)
		for (size_t i = 0; i < n; i++) {
			gr_hw_engine_info in;
			if (gr_hw_engine_at(e->hw, i, &in) || !in.name)
				continue;
			if (in.ops_per_clk[q] > most) {
				most = in.ops_per_clk[q];
				best = in.name;
			}
		}
	return best ? best : "compute";
}

static cJSON *event(cJSON *arr, const char *name, const char *cat, const char *ph, int tid, double ts_us)
{
	cJSON *ev = cJSON_CreateObject();
	if (!ev)
		return NULL;
	cJSON_AddStringToObject(ev, "name", name);
	if (cat)
		cJSON_AddStringToObject(ev, "cat", cat);
	cJSON_AddStringToObject(ev, "ph", ph);
	cJSON_AddNumberToObject(ev, "pid", PID);
	cJSON_AddNumberToObject(ev, "tid", tid);
	cJSON_AddNumberToObject(ev, "ts", ts_us);
	cJSON_AddItemToArray(arr, ev);
	return ev;
}

static cJSON *span(cJSON *arr, const char *name, const char *cat, int tid, double t0_s, double dur_s)
{
	cJSON *ev = event(arr, name, cat, "X", tid, t0_s * 1e6);
	if (ev)
		cJSON_AddNumberToObject(ev, "dur", dur_s * 1e6);
	return ev;
}

static void counter(cJSON *arr, const char *name, double t_s, double bytes, gr_timeline_summary *s)
{
	cJSON *ev = event(arr, name, "memory", "C", 0, t_s * 1e6), *args;
	if (!ev)
		return;
	args = cJSON_AddObjectToObject(ev, "args");
	cJSON_AddNumberToObject(args, "bytes", bytes);
	s->counter_events++;
	if (!strcmp(name, "memory") && bytes > s->counter_max_bytes)
		s->counter_max_bytes = bytes;
	if (!strcmp(name, "arena") && bytes > s->arena_max_bytes)
		s->arena_max_bytes = bytes;
}

/* Bytes of the graph's inputs (in) or outputs (!in) as the estimator moves them. */
static double io_bytes(const gr_graph *g, int in, double scale)
{
	gr_tensor **ts = in ? g->inputs : g->outputs;
	size_t n = in ? g->n_inputs : g->n_outputs;
	double b = 0;
	for (size_t i = 0; i < n; i++)
		if (ts[i])
			b += gr_tensor_bytes(ts[i]) * (gr_dtype_is_float(ts[i]->dtype) ? scale : 1);
	return b;
}

cJSON *timeline_trace_json(const gr_graph *g, const gr_partition *p, const gr_estimate *e,
			 const gr_memplan *m, const char *model, gr_timeline_summary *sum)
{
	gr_timeline_summary s;
	tracks tr = {{0}, 0};
	cJSON *root = cJSON_CreateObject(), *evs, *meta;
	double t = 0, kernels_s = 0, dispatch_s, in_s = 0, scale = gr_estimate_elem_bytes(e->precision) / 4.0;
	double inb = io_bytes(g, 1, scale), outb = io_bytes(g, 0, scale);
	int t_runtime, t_link;

	memset(&s, 0, sizeof(s));
	if (!root)
		return NULL;
	evs = cJSON_AddArrayToObject(root, "traceEvents");
	cJSON_AddStringToObject(root, "displayTimeUnit", "ms");
	meta = cJSON_AddObjectToObject(root, "metadata");
	cJSON_AddStringToObject(meta, "model", model ? model : "");
	cJSON_AddStringToObject(meta, "hardware", gr_hw_id(e->hw));
	cJSON_AddStringToObject(meta, "precision", gr_precision_name(e->precision));
	cJSON_AddStringToObject(meta, "runtime", e->runtime ? e->runtime : "");
	cJSON_AddNumberToObject(meta, "latency_ms", e->latency_s * 1e3);
	cJSON_AddNumberToObject(meta, "peak_memory_bytes", e->peak_memory_bytes);
	t_runtime = track_id(&tr, "runtime");
	t_link = track_id(&tr, "link");
	for (size_t i = 0; i < e->n_kernels; i++)
		kernels_s += e->kernels[i].latency_s;
	/* what the estimator adds per request beyond its kernels and the inputs/outputs: dispatch,
	 * or on a calibrated dataflow chip its per-frame link cost and context switches/reloads */
	dispatch_s = e->latency_s - kernels_s - e->io_transfer_s;
	if (dispatch_s > 1e-12) {
		span(evs, e->contexts > 1 ? "dispatch, context reloads" : "dispatch", "runtime", t_runtime, t,
		     dispatch_s);
		t += dispatch_s;
	}
	if (e->io_transfer_s > 0) {
		in_s = inb + outb > 0 ? e->io_transfer_s * inb / (inb + outb) : e->io_transfer_s / 2;
		span(evs, "inputs", "transfer", t_link, t, in_s);
		s.transfer_events++;
		t += in_s;
	}
	if (!e->n_kernels) {
		counter(evs, "memory", t, e->weight_bytes + m->peak_live_bytes, &s);
		counter(evs, "arena", t, e->weight_bytes + m->arena_bytes, &s);
	}
	for (size_t i = 0; i < e->n_kernels; i++) {
		const gr_kernel_estimate *ke = &e->kernels[i];
		const gr_kernel *k = ke->kernel;
		double run = ke->latency_s - ke->transfer_s;
		cJSON *ev, *args;
		if (i < m->n_steps) {
			counter(evs, "memory", t, e->weight_bytes + m->live_bytes[i], &s);
			counter(evs, "arena", t, e->weight_bytes + m->arena_used[i], &s);
		}
		if (ke->transfer_s > 0) {
			/* host fallback: its tensors cross the link, then the host runs it */
			span(evs, "to_host", "transfer", t_link, t, ke->transfer_s);
			s.transfer_events++;
		}
		ev = span(evs, k->name ? k->name : k->pattern, gr_kernel_class_name(k->cls),
			  track_id(&tr, engine_of(e, ke)), t + ke->transfer_s, run);
		s.kernel_events++;
		if (ev) {
			args = cJSON_AddObjectToObject(ev, "args");
			cJSON_AddStringToObject(args, "pattern", k->pattern);
			cJSON_AddNumberToObject(args, "flops", k->flops);
			cJSON_AddNumberToObject(args, "bytes", ke->bytes);
			cJSON_AddStringToObject(args, "bound", gr_bound_name(ke->bound));
			cJSON_AddStringToObject(args, "level", ke->level ? ke->level : "");
			cJSON_AddStringToObject(args, "confidence", gr_confidence_name(ke->confidence));
			cJSON_AddNumberToObject(args, "compute_us", ke->compute_s * 1e6);
			cJSON_AddNumberToObject(args, "memory_us", ke->memory_s * 1e6);
			cJSON_AddNumberToObject(args, "overhead_us", ke->overhead_s * 1e6);
		}
		t += ke->latency_s;
	}
	if (e->io_transfer_s > 0) {
		span(evs, "outputs", "transfer", t_link, t, e->io_transfer_s - in_s);
		s.transfer_events++;
		t += e->io_transfer_s - in_s;
	}
	/* track names, sorted as listed */
	for (int i = 0; i < tr.n; i++) {
		cJSON *ev = event(evs, "thread_name", NULL, "M", i + 1, 0), *args;
		if (!ev)
			continue;
		args = cJSON_AddObjectToObject(ev, "args");
		cJSON_AddStringToObject(args, "name", tr.name[i]);
		ev = event(evs, "thread_sort_index", NULL, "M", i + 1, 0);
		if (ev)
			cJSON_AddNumberToObject(cJSON_AddObjectToObject(ev, "args"), "sort_index", i);
	}
	{
		cJSON *ev = event(evs, "process_name", NULL, "M", 0, 0), *args;
		if (ev) {
			char label[256];
			const char *mode = e->mode >= 0 ? gr_hw_mode_name(e->hw, (size_t)e->mode) : NULL;
			snprintf(label, sizeof(label), "%s%s%s %s", gr_hw_id(e->hw), mode ? ":" : "",
				 mode ? mode : "", gr_precision_name(e->precision));
			args = cJSON_AddObjectToObject(ev, "args");
			cJSON_AddStringToObject(args, "name", label);
		}
	}
	s.span_s = t;
	s.tracks = (size_t)tr.n;
	if (sum)
		*sum = s;
	return root;
}

char *gr_timeline_trace(const gr_graph *g, const gr_partition *p, const gr_estimate *e,
			const gr_memplan *m, const char *model, gr_timeline_summary *sum)
{
	cJSON *j = timeline_trace_json(g, p, e, m, model, sum);
	char *text = j ? cJSON_PrintUnformatted(j) : NULL;

	cJSON_Delete(j);
	return text;
}
