/* graphs timeline: one estimate laid out in time as a Chrome/Perfetto trace, with its memory
 * with and without tensor reuse (docs/timeline.md). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/estimate_common.h"
#include "cli/hwctx.h"
#include "core/outfile.h"
#include "graphs/memplan.h"
#include "analysis/timeline_trace.h"

static const char timeline_usage[] =
	"usage: graphs timeline MODEL --hw ID[:MODE] [--trace FILE] [--precision P] [--runtime R]\n"
	"                       [--batch N] [--input-shape NAME=DIMS]... [--dim NAME=N]...\n"
	"                       [--format table|json] [--format-in onnx|tflite|fx]\n"
	"                       [--no-calibration | --no-transfer]\n\n"
	"Lays the estimate of MODEL on a platform out in time and writes it as a Chrome/Perfetto\n"
	"trace (open it in ui.perfetto.dev or chrome://tracing): one event per kernel on its\n"
	"engine's track, transfers on the link track, and memory counters. Reports peak memory\n"
	"three ways: the estimate's (live tensors), an arena plan with reuse as runtimes make one,\n"
	"and without reuse.\n\n";
static const char timeline_help_tail[] =
	"  --hw ID[:MODE]   a platform from 'graphs hw list', with an optional power mode\n"
	"  --trace FILE     write the trace (traceEvents JSON) here; replaces only a regular file\n"
	"  --precision P    as for 'graphs estimate' (default: the platform's preferred)\n"
	"  --runtime R      as for 'graphs estimate'\n"
	"  --format F       table (default) or json: the summary printed on stdout\n"
	"  --no-calibration datasheet roofline only; --no-transfer: no borrowed profile\n\n"
	"The trace spans the estimate's latency and its \"memory\" counter peaks at the estimate's\n"
	"peak_memory_bytes; the \"arena\" counter shows the arena plan.\n"
	"Exit codes: 0 ok, 1 usage error, 2 bad model or a trace file that cannot be written.\n";

/* Writes j to path through the safe-output helper; returns an exit code. */
static int write_trace(const char *path, const cJSON *j)
{
	gr_error err = {0};
	gr_outfile of;
	char *text = cJSON_PrintUnformatted(j);

	if (!text)
		return cli_fail(EXIT_BAD_INPUT, "out of memory writing '%s'", path);
	if (gr_outfile_open(&of, path, &err)) {
		free(text);
		return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	}
	fputs(text, of.f);
	fputc('\n', of.f);
	free(text);
	if (gr_outfile_error(&of)) {
		int e = gr_outfile_error(&of);
		gr_outfile_abort(&of);
		return cli_fail(EXIT_BAD_INPUT, "cannot write '%s': %s", path, strerror(e));
	}
	if (gr_outfile_commit(&of, &err))
		return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	return EXIT_OK;
}

static void print_summary(FILE *out, int fmt, const char *model, const char *hwspec, int64_t batch,
			  const gr_estimate *e, const gr_memplan *m, const gr_timeline_summary *s,
			  const char *trace, int lower_bound)
{
	char a[32], b[32], c[32];
	double w = e->weight_bytes;

	if (fmt == GR_FMT_JSON) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "model", model);
		cJSON_AddStringToObject(j, "hardware", hwspec);
		cJSON_AddStringToObject(j, "precision", gr_precision_name(e->precision));
		cJSON_AddNumberToObject(j, "batch", (double)batch);
		cJSON_AddStringToObject(j, "runtime", e->runtime);
		cJSON_AddNumberToObject(j, "latency_ms", e->latency_s * 1e3);
		cJSON_AddNumberToObject(j, "trace_span_ms", s->span_s * 1e3);
		cli_json_count(j, "peak_memory_bytes", e->peak_memory_bytes);
		cli_json_count(j, "weight_bytes", w);
		cli_json_count(j, "activation_bytes_live", m->peak_live_bytes);
		cli_json_count(j, "activation_bytes_arena", m->arena_bytes);
		cli_json_count(j, "activation_bytes_no_reuse", m->no_reuse_bytes);
		cli_json_count(j, "peak_memory_arena_bytes", w + m->arena_bytes);
		cli_json_count(j, "peak_memory_no_reuse_bytes", w + m->no_reuse_bytes);
		cli_json_count(j, "counter_max_bytes", s->counter_max_bytes);
		cli_json_count(j, "arena_buffers", (double)m->n_buffers);
		cli_json_count(j, "kernel_events", (double)s->kernel_events);
		cli_json_count(j, "transfer_events", (double)s->transfer_events);
		cli_json_count(j, "tracks", (double)s->tracks);
		cJSON_AddBoolToObject(j, "lower_bound", lower_bound);
		if (trace)
			cJSON_AddStringToObject(j, "trace", trace);
		else
			cJSON_AddNullToObject(j, "trace");
		cli_json_write(out, j);
		return;
	}
	fprintf(out, "%s on %s, %s, batch %lld, runtime %s\n", model, hwspec, gr_precision_name(e->precision),
		(long long)batch, e->runtime);
	fprintf(out, "  latency            %.3f ms (trace span %.3f ms)\n", e->latency_s * 1e3, s->span_s * 1e3);
	fprintf(out, "  events             %zu kernels, %zu transfers, %zu counter samples on %zu tracks\n",
		s->kernel_events, s->transfer_events, s->counter_events, s->tracks);
	fprintf(out, "  peak memory        %s (weights %s + live activations %s): the estimate's\n",
		gr_fmt_bytes(e->peak_memory_bytes, a, sizeof(a)), gr_fmt_bytes(w, b, sizeof(b)),
		gr_fmt_bytes(m->peak_live_bytes, c, sizeof(c)));
	fprintf(out, "  with arena reuse   %s (arena %s, %zu buffers, best fit)\n",
		gr_fmt_bytes(w + m->arena_bytes, a, sizeof(a)), gr_fmt_bytes(m->arena_bytes, b, sizeof(b)),
		m->n_buffers);
	fprintf(out, "  without reuse      %s (activations %s)\n", gr_fmt_bytes(w + m->no_reuse_bytes, a, sizeof(a)),
		gr_fmt_bytes(m->no_reuse_bytes, b, sizeof(b)));
	if (trace)
		fprintf(out, "  trace              %s\n", trace);
	if (lower_bound)
		fputs("  (the model has nodes graphs cannot cost: the latency is a lower bound)\n", out);
}

int cmd_timeline(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_ESTIMATE_LONGOPTS,
		{"trace", required_argument, 0, 'o'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	cli_estimate_args a;
	const char *trace = NULL, *label;
	int c, rc, mode;
	gr_profile *prof = NULL;
	gr_graph *g = NULL;
	gr_hw_registry *reg = NULL;
	gr_partition *part = NULL;
	gr_estimate *est = NULL;
	gr_memplan mp = {0};
	gr_timeline_summary sum;
	gr_error err = {0};
	cJSON *tj = NULL;
	const gr_hw *hw;
	int64_t batch;
	FILE *out;

	cli_estimate_args_init(&a);
	optind = 1;
	while ((c = getopt_long(argc, argv, CLI_ESTIMATE_SHORTOPTS "h", opts, NULL)) != -1) {
		if (c == 'h')
			return cli_model_help(timeline_usage, timeline_help_tail);
		if (c == 'o')
			trace = optarg;
		else if ((rc = cli_estimate_option(&a, "timeline", c, optarg)) <= 0)
			return rc < 0 ? EXIT_USAGE : cli_usage("timeline", "bad option");
	}
	if ((rc = cli_estimate_target(&a, "timeline", argc, argv)))
		return rc;
	if (a.fmt != GR_FMT_TABLE && a.fmt != GR_FMT_JSON)
		return cli_usage("timeline", "--format takes table or json");
	/* refuse a target that cannot be written before the work, not after */
	if (trace && gr_outfile_check(trace, &err))
		return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	if ((rc = cli_registry_hw(a.hw, &reg, &hw, &mode)))
		goto done;
	if ((rc = cli_load_model(&a.model, &g, &batch)))
		goto done;
	if ((rc = cli_estimate_model(g, hw, mode, NULL, &a, &part, &prof, &est)))
		goto done;
	{
		/* the activations as the estimate holds them (ncnn int8: float between layers) */
		double *bpe = malloc((gr_graph_node_count(g) + 1) * sizeof(double));
		int at = bpe && gr_estimate_activation_bpe(g, part, hw, est->precision, bpe);
		gr_status ms = gr_memplan_build_at(g, part, gr_fusion_rules_find(est->runtime)->fused_memory,
						   gr_estimate_elem_bytes(est->precision) / 4.0, at ? bpe : NULL,
						   &mp, &err);
		free(bpe);
		if (ms) {
			rc = cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
			goto done;
		}
	}
	label = cli_model_label(a.model.model);
	if (!(tj = timeline_trace_json(g, part, est, &mp, label, &sum))) {
		rc = cli_fail(EXIT_BAD_INPUT, "out of memory building the trace");
		goto done;
	}
	if (trace && (rc = write_trace(trace, tj)))
		goto done;
	out = cli_out_begin();
	{
		cli_coverage cov;
		cli_coverage_of(g, &cov);
		print_summary(out, a.fmt, label, a.hw, batch, est, &mp, &sum, trace, cli_estimate_lower_bound(est, &cov));
	}
	cli_out_end(out, 1);
	rc = EXIT_OK;
done:
	cJSON_Delete(tj);
	gr_memplan_release(&mp);
	gr_estimate_free(est);
	gr_profile_free(prof);
	gr_partition_free(part);
	gr_graph_free(g);
	gr_hw_registry_free(reg);
	return rc;
}
