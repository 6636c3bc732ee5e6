/* graphs compare: one model on several platforms, one row each, fastest first,
 * with a bar chart of latency in the terminal. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/estimate_common.h"
#include "cli/hwctx.h"

static const char compare_usage[] =
	"usage: graphs compare MODEL --hw ID[:MODE],ID,...|all [--precision P] [--runtime R]\n"
	"                      [--batch N] [--input-shape NAME=DIMS]... [--dim NAME=N]...\n"
	"                      [--format table|json|csv|markdown] [--format-in onnx|tflite|fx]\n"
	"                      [--no-calibration] [--no-transfer]\n\n"
	"Estimates MODEL on each platform and prints one row per platform, fastest first.\n"
	"Without --precision each platform uses its preferred precision; platforms that cannot\n"
	"run the requested precision are listed as skipped with the reason. Each platform's\n"
	"calibration profile is used when one is found (docs/calibrate.md); --no-calibration\n"
	"estimates from datasheet figures only.\n\n";
static const char compare_help_tail[] =
	"  --hw LIST        platforms from 'graphs hw list', comma-separated (each with an optional\n"
	"                   :MODE), or all\n"
	"  --precision P    fp32, tf32, fp16, bf16, fp8, int8, int4 (default: each platform's preferred)\n"
	"  --runtime R      a runtime of docs/estimate.md (pytorch, tensorflow, onnxruntime, tensorrt,\n"
	"                   tflite, qnn_dlc, rknn, openvino, hailo_dfc, compiler, ...; default: each\n"
	"                   platform's)\n"
	"  --format F       table (default), json, csv or markdown\n"
	"  --no-calibration datasheet roofline only (confidence theoretical)\n"
	"  --no-transfer    no profile borrowed from another platform (docs/transfer.md)\n\n"
	"When nodes are left out (unknown ops or shapes), latency and energy are lower bounds: marked\n"
	">= in the table, with the coverage column and a closing line saying why.\n"
	"Exit codes: 0 ok, 1 usage error (unknown platform), 2 bad model.\n";

typedef struct row {
	char spec[160];
	gr_estimate *est;
	gr_profile *prof; /* the estimate borrows its label */
	char why[1100];
} row;

static int cmp_row(const void *a, const void *b)
{
	const row *x = a, *y = b;
	if (!x->est || !y->est)
		return (x->est == NULL) - (y->est == NULL);
	return (x->est->latency_s > y->est->latency_s) - (x->est->latency_s < y->est->latency_s);
}

int cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_ESTIMATE_LONGOPTS, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	cli_estimate_args a;
	int c, rc;
	gr_graph *g = NULL;
	gr_hw_registry *reg = NULL;
	/* one partition per runtime: platforms of different classes default to different ones */
	gr_partition *parts[64] = {0}; /* one per runtime met (the runtime table has fewer) */
	const char *part_rt[64] = {0};
	size_t n_parts = 0;
	row *rows = NULL;
	size_t n = 0;
	int64_t batch = 1;
	cli_coverage cov;
	FILE *out;

	cli_estimate_args_init(&a);
	optind = 1;
	while ((c = getopt_long(argc, argv, CLI_ESTIMATE_SHORTOPTS "h", opts, NULL)) != -1) {
		if (c == 'h')
			return cli_model_help(compare_usage, compare_help_tail);
		if ((rc = cli_estimate_option(&a, "compare", c, optarg)) <= 0)
			return rc < 0 ? EXIT_USAGE : cli_usage("compare", "bad option");
	}
	if ((rc = cli_model_arg(&a.model, "compare", argc, argv)))
		return rc;
	if (!a.hw)
		return cli_usage("compare", "--hw ID,ID,... or --hw all is required");
	if (!(reg = cli_registry_load()))
		return EXIT_BAD_INPUT;
	/* resolve every platform before the (slower) model work, so typos fail fast */
	if (!strcmp(a.hw, "all")) {
		n = gr_hw_registry_count(reg);
		rows = calloc(n ? n : 1, sizeof(*rows));
		for (size_t i = 0; rows && i < n; i++)
			snprintf(rows[i].spec, sizeof(rows[i].spec), "%s", gr_hw_id(gr_hw_registry_at(reg, i)));
	} else {
		char *copy = strdup(a.hw), *save = NULL, *tok;
		rows = calloc(strlen(a.hw) / 2 + 2, sizeof(*rows));
		for (tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && rows; tok = strtok_r(NULL, ",", &save))
			snprintf(rows[n++].spec, sizeof(rows[0].spec), "%s", tok);
		free(copy);
	}
	if (!rows) {
		rc = cli_fail(EXIT_BAD_INPUT, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const gr_hw *hw;
		int mode;
		if ((rc = cli_resolve_hw(reg, rows[i].spec, &hw, &mode)))
			goto done;
	}
	if ((rc = cli_load_model(&a.model, &g, &batch)))
		goto done;
	cli_coverage_of(g, &cov);
	for (size_t i = 0; i < n; i++) {
		const gr_hw *hw;
		int mode;
		gr_error err = {0};
		const char *rt;
		gr_partition *part = NULL;
		gr_hw_registry_resolve(reg, rows[i].spec, &hw, &mode, &err);
		gr_estimate_opts eo = a.eo;
		rt = a.eo.runtime ? a.eo.runtime : cli_default_runtime(hw, mode, &a);
		eo.runtime = rt;
		for (size_t k = 0; k < n_parts && !part; k++)
			if (!strcmp(part_rt[k], rt))
				part = parts[k];
		if (!part) {
			if (n_parts == sizeof(parts) / sizeof(parts[0]) || (rc = cli_partition(g, rt, &part)))
				goto done;
			part_rt[n_parts] = rt;
			parts[n_parts++] = part;
		}
		cli_profile_for(hw, mode, rt, NULL, &a, &rows[i].prof);
		if (gr_estimate_run_profile(g, part, hw, mode, &eo, rows[i].prof, &rows[i].est, &err)) {
			snprintf(rows[i].why, sizeof(rows[i].why), "%s", err.msg);
		} else {
			cli_conditions_note(rows[i].est, hw, rows[i].prof);
			cli_estimate_note(rows[i].est, a.why_theoretical);
		}
	}
	qsort(rows, n, sizeof(*rows), cmp_row);
	out = cli_out_begin();
	if (a.fmt == GR_FMT_JSON) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++) {
			if (rows[i].est) {
				cJSON_AddItemToArray(arr, cli_estimate_json(cli_model_label(a.model.model), rows[i].spec,
									    batch, rows[i].est, &cov));
			} else {
				cJSON *o = cJSON_CreateObject();
				cJSON_AddStringToObject(o, "hardware", rows[i].spec);
				cJSON_AddStringToObject(o, "skipped", rows[i].why);
				cJSON_AddItemToArray(arr, o);
			}
		}
		cli_json_write(out, arr);
	} else {
		const char *hdr[] = {"platform", "precision", "latency ms", "per s", "per s bound", "energy mJ",
				     "memory", "confidence", "coverage", ""};
		gr_table *t = gr_table_new(10, hdr);
		double worst = 0;
		int any_lb = 0;
		for (size_t i = 0; i < n; i++)
			if (rows[i].est && rows[i].est->latency_s > worst)
				worst = rows[i].est->latency_s;
		for (int col = 2; t && col <= 6; col++)
			if (col != 4)
				gr_table_numeric(t, col);
		gr_table_numeric(t, 8);
		for (size_t i = 0; t && i < n; i++) {
			char lat[32], thr[32], en[32], mem[32], covs[16], bar[128] = "";
			const gr_estimate *e = rows[i].est;
			/* csv keeps bare numbers; the coverage column says what they leave out */
			int lb = e && cli_estimate_lower_bound(e, &cov);
			const char *ge = lb && a.fmt != GR_FMT_CSV ? ">= " : "", *le = lb && a.fmt != GR_FMT_CSV ? "<= " : "";
			if (!e) {
				const char *r2[] = {rows[i].spec, "-", "-", "-", "-", "-", "-", "skipped", "-", rows[i].why};
				gr_table_add_row(t, r2);
				continue;
			}
			any_lb |= lb;
			snprintf(lat, sizeof(lat), "%s%.3f", ge, e->latency_s * 1e3);
			snprintf(thr, sizeof(thr), "%s%.1f", le, gr_estimate_throughput_per_s(e, batch));
			snprintf(en, sizeof(en), "%s%.2f", ge, e->energy_j * 1e3);
			snprintf(covs, sizeof(covs), "%.1f%%", 100.0 * cov.share);
			gr_fmt_bytes(e->peak_memory_bytes, mem, sizeof(mem));
			if (a.fmt == GR_FMT_TABLE && worst > 0) {
				/* log scale: platforms differ by orders of magnitude */
				double f = log10(1 + 9 * e->latency_s / worst);
				int w = (int)lround(f * 30);
				for (int k = 0; k < w && k < 40; k++)
					strcat(bar, "#");
			}
			const char *r[] = {rows[i].spec, gr_precision_name(e->precision), lat, thr,
					   gr_throughput_bound_name(e->throughput_bound), en, mem,
					   gr_confidence_name(e->confidence), covs, bar};
			gr_table_add_row(t, r);
		}
		if (t)
			gr_table_write(t, a.fmt, out);
		gr_table_free(t);
		if (any_lb && a.fmt != GR_FMT_CSV)
			fprintf(out, "\n%slower bounds (>=): %zu of %zu nodes of %s are not costed (%zu unknown ops, "
				"%zu of unknown shape)%s\n", a.fmt == GR_FMT_MARKDOWN ? "**" : "", cov.nodes - cov.known,
				cov.nodes, cli_model_label(a.model.model), cov.unknown_ops, cov.unknown_shape_nodes,
				a.fmt == GR_FMT_MARKDOWN ? "**" : "");
	}
	cli_out_end(out, 1);
	rc = EXIT_OK;
done:
	for (size_t i = 0; rows && i < n; i++) {
		gr_estimate_free(rows[i].est);
		gr_profile_free(rows[i].prof);
	}
	free(rows);
	for (size_t k = 0; k < n_parts; k++)
		gr_partition_free(parts[k]);
	gr_graph_free(g);
	gr_hw_registry_free(reg);
	return rc;
}
