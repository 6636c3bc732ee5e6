/* The trace of graphs/timeline.h as a cJSON tree, for the CLI, which writes it with the other
 * JSON outputs. Private: cJSON stays out of the public headers. */
#ifndef GRAPHS_TIMELINE_TRACE_H
#define GRAPHS_TIMELINE_TRACE_H

#include <cjson/cJSON.h>

#include "graphs/timeline.h"

/* As gr_timeline_trace, as a new cJSON object the caller owns (cJSON_Delete); NULL when out of
 * memory. */
cJSON *timeline_trace_json(const gr_graph *g, const gr_partition *p, const gr_estimate *e,
			   const gr_memplan *m, const char *model, gr_timeline_summary *sum);

#endif
