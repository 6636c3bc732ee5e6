/* The timeline of one estimate as a Chrome/Perfetto trace (the traceEvents JSON that
 * ui.perfetto.dev and chrome://tracing open): one complete event per kernel on its engine's
 * track, transfers on the link track, the runtime's dispatch on its own, and memory counters.
 * The events follow one another as the estimator adds them up, so the trace spans exactly the
 * estimate's latency and the "memory" counter peaks at its peak_memory_bytes. */
#ifndef GRAPHS_TIMELINE_H
#define GRAPHS_TIMELINE_H

#include "graphs/estimate.h"
#include "graphs/memplan.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_timeline_summary {
	double span_s;             /* last event's end minus the first's start */
	double counter_max_bytes;  /* the "memory" counter's largest value */
	double arena_max_bytes;    /* the "arena" counter's largest value */
	size_t kernel_events, transfer_events, counter_events, tracks;
} gr_timeline_summary;

/* The trace of estimate e, made of graph g partitioned as p, with memory plan m (built for the
 * same partition and precision). model names the model in the trace's metadata. Fills *sum when
 * not NULL. Returns the trace as JSON text ({"traceEvents": [...], "displayTimeUnit": "ms", ...}),
 * malloc'ed: the caller frees it with free(); NULL when out of memory. */
char *gr_timeline_trace(const gr_graph *g, const gr_partition *p, const gr_estimate *e,
			const gr_memplan *m, const char *model, gr_timeline_summary *sum);

#ifdef __cplusplus
}
#endif
#endif
