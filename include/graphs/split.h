/* Heterogeneous split (graphs split, docs/split.md): a model's kernels, in topological order,
 * cut into contiguous segments that alternate between two devices, with the tensors live
 * across each cut moved over a link. Exact search by dynamic programming over the order. */
#ifndef GRAPHS_SPLIT_H
#define GRAPHS_SPLIT_H

#include <stddef.h>

#include "graphs/common.h"
#include "graphs/transform.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GR_SPLIT_MAX_CUTS 8
/* The throughput search's fronts grow about 3.5 times a cut (efficientnet_b0: 0.3 s at 4 cuts,
 * 4 s at 6, a minute at 8): it stops at 4. */
#define GR_SPLIT_MAX_CUTS_THROUGHPUT 4

typedef enum gr_split_objective {
	GR_SPLIT_LATENCY = 0,    /* one request: device times + transfers, one after another */
	GR_SPLIT_THROUGHPUT      /* pipelined requests: the busiest of device 0, device 1 and the link */
} gr_split_objective;

typedef struct gr_split_problem {
	size_t n;                /* kernels */
	const double *time_s[2]; /* time_s[d][i]: kernel i on device d */
	/* xfer_s[d][i], i = 1..n-1: moving the tensors live across the boundary before kernel i from
	 * device d to the other (bytes / bandwidth + link latency); [0] is not read */
	const double *xfer_s[2];
	int max_cuts;            /* 0..GR_SPLIT_MAX_CUTS */
	gr_split_objective objective;
} gr_split_problem;

typedef struct gr_split_plan {
	int start;               /* device of kernel 0 */
	int n_cuts;
	size_t cuts[GR_SPLIT_MAX_CUTS]; /* kernel index each new segment starts at, increasing */
	double device_s[2];      /* time each device works per request */
	double transfer_s;       /* link time per request */
	double latency_s;        /* device_s[0] + device_s[1] + transfer_s */
	double period_s;         /* max(device_s[0], device_s[1], transfer_s): pipelined */
	double value;            /* the objective: latency_s or period_s */
} gr_split_plan;

/* The best plan with at most max_cuts cuts, either device first (so all-on-one-device plans
 * compete too); ties go to fewer cuts, then device 0 first. GR_ERR_USAGE for a bad problem,
 * GR_ERR_NOMEM. */
gr_status gr_split_best(const gr_split_problem *p, gr_split_plan *out, gr_error *err);
/* The same answer by trying every assignment (2^n; n <= 20), for tests. */
gr_status gr_split_brute_force(const gr_split_problem *p, gr_split_plan *out, gr_error *err);
/* Fills out's times from its start and cuts (p's objective picks value). */
void gr_split_evaluate(const gr_split_problem *p, gr_split_plan *out);

/* Elements live across each kernel boundary of a partition: live_float[i] (i = 1..n-1) counts
 * float elements of tensors made by kernels before i and read by kernel i or later (held at the
 * estimate's precision), live_other_bytes[i] the bytes of the rest (integer tensors at their
 * dtype). Arrays of n doubles the caller owns; [0] = 0. Returns GR_OK or GR_ERR_NOMEM. */
gr_status gr_split_live(const gr_partition *part, double *live_float, double *live_other_bytes, gr_error *err);

/* A named link of data/links.yaml (or $GRAPHS_LINKS_FILE): bandwidth (bytes/s, each way) and the
 * fixed cost of one transfer. */
typedef struct gr_link {
	char name[64];
	double bandwidth_bytes_s, latency_s;
} gr_link;
/* The file's path (static or environment string). */
const char *gr_links_path(void);
/* Looks name up in the links file: GR_ERR_NOT_FOUND listing the names, GR_ERR_IO / GR_ERR_FORMAT
 * naming the file and line. */
gr_status gr_link_find(const char *name, gr_link *out, gr_error *err);

#ifdef __cplusplus
}
#endif
#endif
