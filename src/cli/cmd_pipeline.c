/* graphs pipeline: several models in sequence and in parallel on shared or separate devices,
 * joined by links (docs/pipeline.md). Each stage is estimated as 'graphs estimate' would; the
 * analysis (src/analysis/pipeline.c) schedules one frame and finds the bottleneck. */
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/estimate_common.h"
#include "cli/hwctx.h"
#include "core/graph_impl.h"
#include "graphs/pipeline.h"
#include "graphs/version.h"
#include "graphs/zoo.h"

static const char pipeline_usage[] =
	"usage: graphs pipeline SPEC.yaml [--format table|json] [--links FILE] [--no-calibration]\n\n"
	"Estimates a system of models: stages in sequence, ensembles in parallel, each a model on a\n"
	"platform with its batch and precision, several stages sharing a device (they take turns)\n"
	"and links between devices. Reports the end-to-end latency of one frame, the throughput\n"
	"(frames/s, set by the busiest device or link), the bottleneck stage, and each device's\n"
	"utilization and idle time. docs/pipeline.md describes the spec.\n\n"
	"  SPEC.yaml        the pipeline: name, target_fps, links, stages (see docs/pipeline.md)\n"
	"  --format F       table (default) or json\n"
	"  --links FILE     the named link types (default: $GRAPHS_LINKS_FILE, else data/links.yaml\n"
	"                   of the installation)\n"
	"  --no-calibration datasheet roofline only for every stage (confidence theoretical)\n\n"
	"Exit codes: 0 ok, 1 usage error, 2 bad spec (the message names the file and line), an\n"
	"unknown model or platform, or a model that cannot be loaded or run there.\n";

/* One stage's estimate and what the report shows of it. */
typedef struct stage_est {
	double call_s, period_s, in_bytes;
	const char *precision, *runtime, *confidence;
	int64_t batch;
	int lower_bound;   /* the model has nodes not costed: its time is a lower bound */
} stage_est;

static int spec_fail(const gr_pl_spec *s, int line, const gr_pl_stage *sg, const char *fmt, const char *a,
		     const char *b)
{
	char msg[1200];
	snprintf(msg, sizeof(msg), fmt, a, b);
	return cli_fail(EXIT_BAD_INPUT, "%s:%d: stage '%s': %s", s->path, line, sg->name, msg);
}

/* A model path written in the spec is relative to the spec's folder when it exists there. */
static void model_path(const gr_pl_spec *s, const char *model, char *out, size_t size)
{
	char dir[1024];
	struct stat sb;

	snprintf(out, size, "%s", model);
	if (model[0] == '/' || !stat(model, &sb))
		return;
	snprintf(dir, sizeof(dir), "%s", s->path);
	snprintf(out, size, "%s/%s", dirname(dir), model);
	if (stat(out, &sb))
		snprintf(out, size, "%s", model);
}

/* Bytes of the model's inputs as the estimate holds them (float at its precision). */
static double input_bytes(const gr_graph *g, gr_precision p)
{
	double b = 0, scale = gr_estimate_elem_bytes(p) / 4.0;
	for (size_t i = 0; i < g->n_inputs; i++)
		if (g->inputs[i])
			b += gr_tensor_bytes(g->inputs[i]) * (gr_dtype_is_float(g->inputs[i]->dtype) ? scale : 1);
	return b;
}

static int estimate_stage(const gr_pl_spec *s, const gr_pl_stage *sg, const gr_hw_registry *reg, int no_calib,
			  stage_est *se)
{
	cli_estimate_args a;
	gr_error err = {0};
	const gr_hw *hw;
	int mode, rc = EXIT_OK;
	char path[4096];
	const char *rt;
	gr_graph *g = NULL;
	gr_partition *part = NULL;
	gr_profile *prof = NULL;
	gr_estimate *e = NULL;

	cli_estimate_args_init(&a);
	a.no_calib = no_calib;
	if (gr_hw_registry_resolve(reg, sg->hw, &hw, &mode, &err))
		return spec_fail(s, sg->hw_line, sg, "%s%s", err.msg,
				 strstr(err.msg, "graphs hw list") ? "" : " (see 'graphs hw list')");
	if (sg->precision[0]) {
		a.eo.amp = !strcmp(sg->precision, "amp");
		if ((a.eo.precision = a.eo.amp ? GR_PREC_FP16 : gr_precision_parse(sg->precision)) < 0)
			return spec_fail(s, sg->precision_line, sg, "unknown precision '%s'%s", sg->precision, "");
	}
	if (sg->runtime[0]) {
		const gr_fusion_rules *r = gr_fusion_rules_find(sg->runtime);
		char names[1024];
		if (!r)
			return spec_fail(s, sg->runtime_line, sg, "unknown runtime '%s' (accepted: %s)", sg->runtime,
					 gr_fusion_rules_names(names, sizeof(names)));
		a.eo.runtime = r->name;
	}
	model_path(s, sg->model, path, sizeof(path));
	{
		char resolved[4096];
		if (gr_zoo_resolve(path, resolved, sizeof(resolved), &err))
			return spec_fail(s, sg->model_line, sg, "%s%s", err.msg, "");
	}
	a.model.model = path;
	a.model.batch = sg->batch;
	if (cli_load_model(&a.model, &g, &se->batch)) {
		rc = spec_fail(s, sg->model_line, sg, "cannot load model '%s'%s", sg->model, "");
		goto done;
	}
	rt = a.eo.runtime ? a.eo.runtime : cli_default_runtime(hw, mode, &a);
	a.eo.runtime = rt;
	if ((rc = cli_partition(g, rt, &part)) || (rc = cli_profile_for(hw, mode, rt, NULL, &a, &prof))) {
		rc = EXIT_BAD_INPUT;
		goto done;
	}
	if (gr_estimate_run_profile(g, part, hw, mode, &a.eo, prof, &e, &err)) {
		/* mostly a precision the platform cannot run: point at it */
		rc = spec_fail(s, sg->precision_line ? sg->precision_line : sg->hw_line, sg, "%s%s", err.msg, "");
		goto done;
	}
	{
		cli_coverage cov;
		cli_coverage_of(g, &cov);
		se->lower_bound = cli_estimate_lower_bound(e, &cov);
	}
	se->call_s = e->latency_s;
	se->period_s = e->period_s > 0 ? e->period_s : e->latency_s;
	se->in_bytes = input_bytes(g, e->precision);
	se->precision = gr_precision_name(e->precision);
	se->runtime = e->runtime;
	se->confidence = gr_confidence_name(e->confidence);
done:
	gr_estimate_free(e);
	gr_profile_free(prof);
	gr_partition_free(part);
	gr_graph_free(g);
	return rc;
}

static const char *stage_name(const gr_pl_spec *s, int i)
{
	return i >= 0 ? s->stages[i].name : "-";
}

static int any_lower_bound(const gr_pl_spec *s, const stage_est *se)
{
	for (size_t i = 0; i < s->n_stages; i++)
		if (se[i].lower_bound)
			return 1;
	return 0;
}

static cJSON *json_report(const gr_pl_spec *s, const stage_est *se, const gr_pl_result *r)
{
	cJSON *j = cJSON_CreateObject(), *arr, *b;

	cJSON_AddStringToObject(j, "name", s->name[0] ? s->name : "pipeline");
	cJSON_AddStringToObject(j, "spec", s->path);
	cJSON_AddNumberToObject(j, "latency_ms", r->latency_s * 1e3);
	cJSON_AddNumberToObject(j, "period_ms", r->period_s * 1e3);
	cJSON_AddNumberToObject(j, "throughput_fps", r->throughput_fps);
	if (s->target_fps > 0) {
		cJSON_AddNumberToObject(j, "target_fps", s->target_fps);
		cJSON_AddBoolToObject(j, "meets_target", r->meets_target == 1);
	} else {
		cJSON_AddNullToObject(j, "target_fps");
		cJSON_AddNullToObject(j, "meets_target");
	}
	cJSON_AddNumberToObject(j, "operating_fps", r->operating_fps);
	cJSON_AddBoolToObject(j, "lower_bound", any_lower_bound(s, se));
	b = cJSON_AddObjectToObject(j, "bottleneck");
	cJSON_AddStringToObject(b, "kind", r->bound == GR_PL_LINK ? "link" : "device");
	cJSON_AddStringToObject(b, "name", r->bound == GR_PL_LINK ? s->links[r->bottleneck].name
								   : s->devices[r->bottleneck]);
	cJSON_AddStringToObject(b, "stage", stage_name(s, r->bottleneck_stage));
	arr = cJSON_AddArrayToObject(j, "stages");
	for (size_t i = 0; i < s->n_stages; i++) {
		const gr_pl_stage *sg = &s->stages[i];
		const gr_pl_stage_result *sr = &r->stages[i];
		cJSON *o = cJSON_CreateObject(), *af;
		cJSON_AddStringToObject(o, "name", sg->name);
		cJSON_AddStringToObject(o, "model", sg->model);
		cJSON_AddStringToObject(o, "hardware", sg->hw);
		cJSON_AddStringToObject(o, "device", sg->device);
		cJSON_AddNumberToObject(o, "batch", (double)se[i].batch);
		cJSON_AddStringToObject(o, "precision", se[i].precision);
		cJSON_AddStringToObject(o, "runtime", se[i].runtime);
		cJSON_AddStringToObject(o, "confidence", se[i].confidence);
		cJSON_AddBoolToObject(o, "lower_bound", se[i].lower_bound);
		cJSON_AddNumberToObject(o, "runs_per_frame", (double)sg->runs_per_frame);
		if (sg->group >= 0)
			cJSON_AddNumberToObject(o, "parallel_group", sg->group);
		else
			cJSON_AddNullToObject(o, "parallel_group");
		af = cJSON_AddArrayToObject(o, "after");
		for (size_t k = 0; k < sg->n_after; k++)
			cJSON_AddItemToArray(af, cJSON_CreateString(s->stages[sg->after[k]].name));
		cJSON_AddNumberToObject(o, "call_ms", sr->call_s * 1e3);
		cJSON_AddNumberToObject(o, "busy_ms", sr->busy_s * 1e3);
		if (sg->link >= 0)
			cJSON_AddStringToObject(o, "link", s->links[sg->link].name);
		else
			cJSON_AddNullToObject(o, "link");
		cJSON_AddNumberToObject(o, "transfer_ms", sr->transfer_s * 1e3);
		cJSON_AddNumberToObject(o, "start_ms", sr->start_s * 1e3);
		cJSON_AddNumberToObject(o, "end_ms", sr->end_s * 1e3);
		cJSON_AddItemToArray(arr, o);
	}
	arr = cJSON_AddArrayToObject(j, "devices");
	for (size_t d = 0; d < s->n_devices; d++) {
		const gr_pl_resource *dv = &r->devices[d];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", s->devices[d]);
		cJSON_AddStringToObject(o, "hardware", s->stages[s->device_stage[d]].hw);
		cJSON_AddNumberToObject(o, "busy_ms", dv->busy_s * 1e3);
		cJSON_AddNumberToObject(o, "utilization", dv->utilization);
		cJSON_AddNumberToObject(o, "idle_ms", dv->idle_s * 1e3);
		cJSON_AddNumberToObject(o, "bubble_ms", dv->bubble_s * 1e3);
		cJSON_AddStringToObject(o, "top_stage", stage_name(s, dv->top_stage));
		cJSON_AddItemToArray(arr, o);
	}
	arr = cJSON_AddArrayToObject(j, "links");
	for (size_t l = 0; l < s->n_links; l++) {
		const gr_pl_link *lk = &s->links[l];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", lk->name);
		cJSON_AddNumberToObject(o, "bandwidth_gbps", lk->bandwidth_bytes_s / 1e9);
		cJSON_AddNumberToObject(o, "latency_us", lk->latency_s * 1e6);
		cJSON_AddBoolToObject(o, "zero_copy", lk->zero_copy);
		cJSON_AddNumberToObject(o, "busy_ms", r->links[l].busy_s * 1e3);
		cJSON_AddNumberToObject(o, "utilization", r->links[l].utilization);
		cJSON_AddItemToArray(arr, o);
	}
	return j;
}

static void table_report(FILE *out, const gr_pl_spec *s, const stage_est *se, const gr_pl_result *r)
{
	static const char *sh[] = {"stage", "model", "hardware", "batch", "prec", "runs", "call_ms", "busy_ms",
				   "link", "xfer_ms", "start_ms", "end_ms"};
	static const char *dh[] = {"device", "hardware", "busy_ms", "util", "idle_ms", "bubble_ms", "top stage"};
	gr_table *t = gr_table_new(12, sh);
	char c[12][96];
	const char *cells[12];

	fprintf(out, "pipeline %s (%s)\n\n", s->name[0] ? s->name : "pipeline", s->path);
	for (int k = 3; k < 12; k++)
		if (k != 4 && k != 8)
			gr_table_numeric(t, k);
	for (size_t i = 0; i < s->n_stages; i++) {
		const gr_pl_stage *sg = &s->stages[i];
		const gr_pl_stage_result *sr = &r->stages[i];
		snprintf(c[0], 96, "%s%s", sg->group >= 0 ? "| " : "", sg->name);
		snprintf(c[3], 96, "%lld", (long long)se[i].batch);
		snprintf(c[4], 96, "%s", se[i].precision);
		snprintf(c[5], 96, "%lld", (long long)sg->runs_per_frame);
		snprintf(c[6], 96, "%s%.3f", se[i].lower_bound ? ">=" : "", sr->call_s * 1e3);
		snprintf(c[7], 96, "%.3f", sr->busy_s * 1e3);
		snprintf(c[8], 96, "%s", sg->link >= 0 ? s->links[sg->link].name : "-");
		snprintf(c[9], 96, "%.3f", sr->transfer_s * 1e3);
		snprintf(c[10], 96, "%.3f", sr->start_s * 1e3);
		snprintf(c[11], 96, "%.3f", sr->end_s * 1e3);
		for (int k = 0; k < 12; k++)
			cells[k] = c[k];
		cells[1] = sg->model; /* as long as they are */
		cells[2] = sg->hw;
		gr_table_add_row(t, cells);
	}
	gr_table_write(t, GR_FMT_TABLE, out);
	gr_table_free(t);
	fputc('\n', out);
	t = gr_table_new(7, dh);
	for (int k = 2; k < 6; k++)
		gr_table_numeric(t, k);
	for (size_t d = 0; d < s->n_devices; d++) {
		const gr_pl_resource *dv = &r->devices[d];
		snprintf(c[0], 96, "%s", s->devices[d]);
		snprintf(c[2], 96, "%.3f", dv->busy_s * 1e3);
		snprintf(c[3], 96, "%.0f%%", dv->utilization * 100);
		snprintf(c[4], 96, "%.3f", dv->idle_s * 1e3);
		snprintf(c[5], 96, "%.3f", dv->bubble_s * 1e3);
		snprintf(c[6], 96, "%s", stage_name(s, dv->top_stage));
		for (int k = 0; k < 7; k++)
			cells[k] = c[k];
		cells[1] = s->stages[s->device_stage[d]].hw;
		gr_table_add_row(t, cells);
	}
	for (size_t l = 0; l < s->n_links; l++) {
		snprintf(c[0], 96, "link %s", s->links[l].name);
		snprintf(c[1], 96, "%s", s->links[l].zero_copy ? "zero copy" : "");
		if (!s->links[l].zero_copy)
			snprintf(c[1], 96, "%.3g GB/s, %.0f us", s->links[l].bandwidth_bytes_s / 1e9,
				 s->links[l].latency_s * 1e6);
		snprintf(c[2], 96, "%.3f", r->links[l].busy_s * 1e3);
		snprintf(c[3], 96, "%.0f%%", r->links[l].utilization * 100);
		snprintf(c[4], 96, "%.3f", r->links[l].idle_s * 1e3);
		snprintf(c[5], 96, "-");
		snprintf(c[6], 96, "%s", stage_name(s, r->links[l].top_stage));
		for (int k = 0; k < 7; k++)
			cells[k] = c[k];
		gr_table_add_row(t, cells);
	}
	gr_table_write(t, GR_FMT_TABLE, out);
	gr_table_free(t);
	fprintf(out, "\nend-to-end latency  %.3f ms (one frame, nothing else queued)\n", r->latency_s * 1e3);
	fprintf(out, "throughput          %.1f frames/s (period %.3f ms)\n", r->throughput_fps, r->period_s * 1e3);
	fprintf(out, "bottleneck          %s %s, stage %s\n", r->bound == GR_PL_LINK ? "link" : "device",
		r->bound == GR_PL_LINK ? s->links[r->bottleneck].name : s->devices[r->bottleneck],
		stage_name(s, r->bottleneck_stage));
	if (any_lower_bound(s, se))
		fputs("                    (>=: a stage's model has nodes graphs cannot cost: its time, the latency\n"
		      "                    and the period are lower bounds, the frame rate an upper bound)\n", out);
	if (s->target_fps > 0)
		fprintf(out, "target              %g frames/s: %s (utilization and idle at %.1f frames/s)\n",
			s->target_fps, r->meets_target ? "met" : "NOT met", r->operating_fps);
}

int cmd_pipeline(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, 0, 'f'},
		{"links", required_argument, 0, 'l'},
		{"no-calibration", no_argument, 0, 'N'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	const char *links_file = NULL;
	char default_links[4096];
	int c, fmt = GR_FMT_TABLE, no_calib = 0, rc = EXIT_OK;
	gr_pl_link *types = NULL;
	size_t n_types = 0;
	gr_pl_spec *spec = NULL;
	gr_hw_registry *reg = NULL;
	stage_est *se = NULL;
	gr_pl_result *res = NULL;
	double call[GR_PL_MAX_STAGES], per[GR_PL_MAX_STAGES], inb[GR_PL_MAX_STAGES];
	gr_error err = {0};
	FILE *out;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(pipeline_usage, stdout);
			return EXIT_OK;
		case 'f':
			if ((fmt = cli_parse_format("pipeline", optarg)) < 0)
				return EXIT_USAGE;
			if (fmt != GR_FMT_TABLE && fmt != GR_FMT_JSON)
				return cli_usage("pipeline", "--format takes table or json");
			break;
		case 'l':
			links_file = optarg;
			break;
		case 'N':
			no_calib = 1;
			break;
		default:
			return cli_usage("pipeline", "bad option");
		}
	}
	if (optind != argc - 1)
		return cli_usage("pipeline", optind >= argc ? "SPEC.yaml is required" : "one SPEC.yaml only");
	if (!links_file) {
		const char *env = getenv("GRAPHS_LINKS_FILE");
		snprintf(default_links, sizeof(default_links), "%s/data/links.yaml", gr_data_dir());
		links_file = env && *env ? env : default_links;
	}
	if (gr_pipeline_links_load(links_file, &types, &n_types, &err) ||
	    gr_pipeline_spec_load(argv[optind], types, n_types, &spec, &err)) {
		rc = cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
		goto done;
	}
	se = calloc(spec->n_stages, sizeof(*se));
	res = calloc(1, sizeof(*res));
	if (!se || !res) {
		rc = cli_fail(EXIT_BAD_INPUT, "out of memory");
		goto done;
	}
	if (!(reg = cli_registry_load())) {
		rc = EXIT_BAD_INPUT;
		goto done;
	}
	for (size_t i = 0; i < spec->n_stages; i++) {
		if ((rc = estimate_stage(spec, &spec->stages[i], reg, no_calib, &se[i])))
			goto done;
		call[i] = se[i].call_s;
		per[i] = se[i].period_s;
		inb[i] = se[i].in_bytes;
	}
	if (gr_pipeline_analyze(spec, call, per, inb, res, &err)) {
		rc = cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
		goto done;
	}
	out = cli_out_begin();
	if (fmt == GR_FMT_JSON)
		cli_json_write(out, json_report(spec, se, res));
	else
		table_report(out, spec, se, res);
	cli_out_end(out, 1);
done:
	free(res);
	free(se);
	gr_hw_registry_free(reg);
	gr_pipeline_spec_free(spec);
	free(types);
	return rc;
}
