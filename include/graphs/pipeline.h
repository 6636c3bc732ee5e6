/* Multi-model pipelines and ensembles (docs/pipeline.md): a YAML spec of stages, each a model
 * on a device, joined in sequence, in parallel groups or by explicit dependencies, with links
 * between devices; and the steady-state analysis of one frame flowing through it: end-to-end
 * latency, throughput set by the busiest device or link, utilization and idle time of each. */
#ifndef GRAPHS_PIPELINE_H
#define GRAPHS_PIPELINE_H

#include "graphs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GR_PL_NAME 64
#define GR_PL_MAX_AFTER 16
#define GR_PL_MAX_STAGES 256
#define GR_PL_MAX_LINKS 64

/* A link between devices: named in the links data file (data/links.yaml) or in the spec. */
typedef struct gr_pl_link {
	char name[GR_PL_NAME];
	double bandwidth_bytes_s;  /* 0 with zero_copy */
	double latency_s;          /* per transfer */
	int zero_copy;             /* shared memory: a transfer costs its latency only */
	int line;                  /* where it was declared */
} gr_pl_link;

typedef struct gr_pl_stage {
	char name[GR_PL_NAME];
	char model[512];           /* zoo name or file (relative to the spec's folder when it exists there) */
	char hw[128];              /* ID[:MODE] */
	char device[GR_PL_NAME];   /* the physical device: 'device:' or the platform id */
	char precision[16];        /* "" : the platform's preferred */
	char runtime[64];          /* "" : the class default */
	int64_t batch;             /* per call (default 1) */
	int64_t runs_per_frame;    /* calls per frame, e.g. one per tracked object (default 1) */
	double transfer_bytes;     /* bytes its input brings over a link; -1: the model's inputs */
	int link;                  /* index into the spec's links for its input, -1 when none */
	size_t n_after;
	int after[GR_PL_MAX_AFTER]; /* stages whose results it takes */
	int group;                 /* parallel group it belongs to, -1 when none */
	int device_index;          /* into the result's devices (set by gr_pipeline_spec_load) */
	int line, model_line, hw_line, precision_line, runtime_line; /* 1-based lines in the spec */
} gr_pl_stage;

typedef struct gr_pl_spec {
	char path[1024];
	char name[GR_PL_NAME];
	double target_fps;         /* 0 when not given */
	size_t n_links, n_stages, n_devices;
	gr_pl_link links[GR_PL_MAX_LINKS];
	gr_pl_stage stages[GR_PL_MAX_STAGES];
	char devices[GR_PL_MAX_STAGES][GR_PL_NAME];
	int device_stage[GR_PL_MAX_STAGES]; /* first stage on each device (its hw names the platform) */
} gr_pl_spec;

/* Reads named link types from a YAML file holding `links:` (a list of {name, bandwidth_gbps,
 * latency_us} or {name, zero_copy: true, latency_us}); bandwidth in GB/s as in the registry.
 * On success *types is malloc'd (free()) with *n entries. Errors name the file and line. */
gr_status gr_pipeline_links_load(const char *path, gr_pl_link **types, size_t *n, gr_error *err);

/* Reads and checks a pipeline spec: unknown keys, missing fields, wrong types, unknown link
 * names, dependency cycles and devices used with two platforms are GR_ERR_FORMAT with
 * "FILE:LINE: ..." in err. types (n_types) are the named links a spec may use by name.
 * The caller owns *spec (heap: gr_pipeline_spec_free). Models and platforms are checked by the
 * caller, which can report them with the stage's lines. */
gr_status gr_pipeline_spec_load(const char *path, const gr_pl_link *types, size_t n_types,
				gr_pl_spec **spec, gr_error *err);
void gr_pipeline_spec_free(gr_pl_spec *spec);

typedef struct gr_pl_stage_result {
	double call_s;             /* one call of the model (the estimate's latency) */
	double busy_s;             /* device time per frame at the steady state: the estimate's
				    * period (its latency unless calls overlap on the device, as in
				    * dataflow NPUs or several streams) x runs_per_frame */
	double transfer_s;         /* its inputs over its link per frame (0 without one) */
	double start_s, end_s;     /* in the schedule of one frame */
} gr_pl_stage_result;

typedef struct gr_pl_resource {
	double busy_s;             /* per frame */
	double utilization;        /* busy / the operating period */
	double idle_s;             /* per frame at the operating rate: period - busy */
	double bubble_s;           /* in one frame's schedule: idle gaps between its first start
				    * and last end, waiting for other devices (devices only) */
	int top_stage;             /* the stage with the most of busy_s, -1 when unused */
} gr_pl_resource;

typedef enum gr_pl_bound { GR_PL_DEVICE = 0, GR_PL_LINK } gr_pl_bound;

typedef struct gr_pl_result {
	gr_pl_stage_result stages[GR_PL_MAX_STAGES];
	gr_pl_resource devices[GR_PL_MAX_STAGES];
	gr_pl_resource links[GR_PL_MAX_LINKS];
	double latency_s;          /* one frame through the whole graph, nothing else queued */
	double period_s;           /* the busiest resource's time per frame */
	double throughput_fps;     /* 1 / period_s */
	double operating_fps;      /* min(target, throughput) with a target, else throughput */
	int meets_target;          /* -1 without a target */
	gr_pl_bound bound;         /* what sets the period */
	int bottleneck;            /* its index (device or link) */
	int bottleneck_stage;      /* the stage with the most time on it */
} gr_pl_result;

/* Analyses spec given each stage's call latency (call_s), steady-state time per call
 * (period_s; NULL: the latency) and input bytes (in_bytes, used where the stage sets no
 * transfer_bytes). One frame is scheduled in dependency order, each device and link serving
 * one thing at a time (stages on one device contend); the steady state runs at the busiest
 * resource's rate. */
gr_status gr_pipeline_analyze(const gr_pl_spec *spec, const double *call_s, const double *period_s,
			      const double *in_bytes, gr_pl_result *r, gr_error *err);

#ifdef __cplusplus
}
#endif
#endif
