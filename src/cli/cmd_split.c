/* graphs split: the best cut points of a model across two devices: each kernel's time on both
 * from the estimator, the tensors live across each cut over a link, and an exact search
 * (dynamic programming over the topological order) for latency or pipelined throughput. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/estimate_common.h"
#include "cli/hwctx.h"
#include "cli/whatif.h"
#include "graphs/split.h"

static const char split_usage[] =
	"usage: graphs split MODEL --hw A,B [--link NAME|GBPS] [--objective latency|throughput]\n"
	"                    [--max-cuts K] [--precision P] [--runtime R] [--batch N]\n"
	"                    [--format table|json|csv|markdown] [--no-calibration] [--no-transfer]\n\n"
	"Cuts MODEL's kernels, in topological order, into segments that alternate between devices A\n"
	"and B (with one cut: A runs a prefix, B the rest, or the other way round), moving the\n"
	"tensors live across each cut over the link. Each kernel's time on each device comes from\n"
	"the estimator; the search is exact (dynamic programming over the order). Prints the cut\n"
	"positions, each device's time, the transfer time and the latency or pipelined throughput,\n"
	"against running everything on A and everything on B.\n\n";
static const char split_help_tail[] =
	"  --hw A,B         two platforms from 'graphs hw list' (each with an optional :MODE)\n"
	"  --link L         a named link of data/links.yaml (pcie_gen3_x4, pcie_gen4_x16, nvlink4, usb3, ...;\n"
	"                   default pcie_gen4_x16) or a bandwidth in GB/s (then no fixed cost per transfer)\n"
	"  --objective O    latency (default): one request, devices and link one after another;\n"
	"                   throughput: requests pipelined, the busiest of A, B and the link sets the rate\n"
	"  --max-cuts K     at most K cuts, 0..8 (throughput: 0..4; default 1)\n"
	"  --precision P    both devices at P (default: each platform's preferred)\n"
	"  --runtime R      the fusion rules of both (default: A's runtime), so kernels match\n"
	"  --format F       table (default), json, csv or markdown\n\n"
	"Exit codes: 0 ok; 1 usage error (unknown platform, precision a device cannot run); 2 bad\n"
	"value (link, objective, cuts) or a model that cannot be read.\n";

enum { O_LINK = 1100, O_OBJ, O_CUTS };

typedef struct ctx {
	const char *spec[2];
	const gr_split_problem *p;
	const gr_partition *part;
	const double *bytes[2];   /* bytes moved at each boundary, by the sending device */
	int64_t batch;
} ctx;

static cJSON *plan_json(const ctx *c, const gr_split_plan *pl)
{
	cJSON *o = cJSON_CreateObject(), *cuts = cJSON_AddArrayToObject(o, "cuts"), *segs, *dev;
	int d = pl->start;
	size_t first = 0;

	cJSON_AddStringToObject(o, "starts_on", c->spec[pl->start]);
	segs = cJSON_AddArrayToObject(o, "segments");
	for (int k = 0; k <= pl->n_cuts; k++) {
		size_t end = k < pl->n_cuts ? pl->cuts[k] : c->p->n;
		double ms = 0;
		cJSON *s = cJSON_CreateObject();
		for (size_t i = first; i < end; i++)
			ms += c->p->time_s[d][i] * 1e3;
		cJSON_AddStringToObject(s, "hardware", c->spec[d]);
		cJSON_AddNumberToObject(s, "first_kernel", (double)first);
		cJSON_AddNumberToObject(s, "last_kernel", (double)(end - 1));
		cJSON_AddNumberToObject(s, "ms", ms);
		cJSON_AddItemToArray(segs, s);
		if (k < pl->n_cuts) {
			cJSON *x = cJSON_CreateObject();
			size_t i = pl->cuts[k];
			cJSON_AddNumberToObject(x, "before_kernel", (double)i);
			cJSON_AddStringToObject(x, "after", gr_partition_kernel(c->part, i - 1)->name);
			cJSON_AddStringToObject(x, "from", c->spec[d]);
			cli_json_count(x, "bytes", c->bytes[d][i]);
			cJSON_AddNumberToObject(x, "transfer_ms", c->p->xfer_s[d][i] * 1e3);
			cJSON_AddItemToArray(cuts, x);
		}
		d = 1 - d;
		first = end;
	}
	dev = cJSON_AddObjectToObject(o, "device_ms");
	cJSON_AddNumberToObject(dev, c->spec[0], pl->device_s[0] * 1e3);
	if (strcmp(c->spec[0], c->spec[1]))
		cJSON_AddNumberToObject(dev, c->spec[1], pl->device_s[1] * 1e3);
	cJSON_AddNumberToObject(o, "transfer_ms", pl->transfer_s * 1e3);
	cJSON_AddNumberToObject(o, "latency_ms", pl->latency_s * 1e3);
	cJSON_AddNumberToObject(o, "period_ms", pl->period_s * 1e3);
	cJSON_AddNumberToObject(o, "throughput_per_s", pl->period_s > 0 ? (double)c->batch / pl->period_s : 0);
	return o;
}

/* "A[0..57] | B[58..70]" */
static void plan_str(const ctx *c, const gr_split_plan *pl, char *buf, size_t size)
{
	size_t len = 0, first = 0;
	int d = pl->start;
	buf[0] = 0;
	for (int k = 0; k <= pl->n_cuts && len < size; k++) {
		size_t end = k < pl->n_cuts ? pl->cuts[k] : c->p->n;
		len += (size_t)snprintf(buf + len, size - len, "%s%s[%zu..%zu]", k ? " | " : "", d ? "B" : "A", first,
					end - 1);
		d = 1 - d;
		first = end;
	}
}

int cmd_split(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_ESTIMATE_LONGOPTS,
		{"link", required_argument, 0, O_LINK},
		{"objective", required_argument, 0, O_OBJ},
		{"max-cuts", required_argument, 0, O_CUTS},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	cli_estimate_args a;
	const char *link_arg = "pcie_gen4_x16";
	gr_link link;
	int c, rc, max_cuts = 1;
	gr_split_objective obj = GR_SPLIT_LATENCY;
	gr_hw_registry *reg = NULL;
	const gr_hw *hw[2];
	int mode[2];
	char specs[2][160];
	whatif w = {0};
	gr_estimate *e[2] = {0};
	double *buf = NULL;
	gr_error err = {0};
	FILE *out;

	cli_estimate_args_init(&a);
	optind = 1;
	while ((c = getopt_long(argc, argv, CLI_ESTIMATE_SHORTOPTS "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cli_model_help(split_usage, split_help_tail);
		case O_LINK:
			link_arg = optarg;
			break;
		case O_OBJ:
			if (!strcmp(optarg, "latency"))
				obj = GR_SPLIT_LATENCY;
			else if (!strcmp(optarg, "throughput"))
				obj = GR_SPLIT_THROUGHPUT;
			else
				return cli_fail(EXIT_BAD_INPUT, "split: --objective is latency or throughput, not '%s'", optarg);
			break;
		case O_CUTS: {
			char *end;
			long v;
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (!*optarg || *end || errno || v < 0 || v > GR_SPLIT_MAX_CUTS)
				return cli_fail(EXIT_BAD_INPUT, "split: --max-cuts wants an integer in [0, %d], got '%s'",
						GR_SPLIT_MAX_CUTS, optarg);
			max_cuts = (int)v;
			break;
		}
		default:
			if ((rc = cli_estimate_option(&a, "split", c, optarg)) <= 0)
				return rc < 0 ? EXIT_USAGE : cli_usage("split", "bad option");
		}
	}
	if ((rc = cli_model_arg(&a.model, "split", argc, argv)))
		return rc;
	if (obj == GR_SPLIT_THROUGHPUT && max_cuts > GR_SPLIT_MAX_CUTS_THROUGHPUT)
		return cli_fail(EXIT_BAD_INPUT, "split: --objective throughput takes --max-cuts up to %d, got %d",
				GR_SPLIT_MAX_CUTS_THROUGHPUT, max_cuts);
	if (!a.hw)
		return cli_usage("split", "--hw A,B is required (two platforms, see 'graphs hw list')");
	{
		const char *comma = strchr(a.hw, ',');
		if (!comma || strchr(comma + 1, ',') || comma == a.hw || !comma[1] ||
		    (size_t)(comma - a.hw) >= sizeof(specs[0]) || strlen(comma + 1) >= sizeof(specs[1]))
			return cli_usage("split", "--hw wants exactly two platforms, A,B; got '%s'", a.hw);
		snprintf(specs[0], sizeof(specs[0]), "%.*s", (int)(comma - a.hw), a.hw);
		snprintf(specs[1], sizeof(specs[1]), "%s", comma + 1);
	}
	/* the link: a number is GB/s; a name is looked up in the links file */
	{
		char *end;
		double gbps = strtod(link_arg, &end);
		if (end != link_arg && !*end) {
			if (!(gbps > 0) || !isfinite(gbps) || gbps > 1e6)
				return cli_fail(EXIT_BAD_INPUT, "split: --link bandwidth must be a positive number of GB/s, got '%s'",
						link_arg);
			snprintf(link.name, sizeof(link.name), "custom");
			link.bandwidth_bytes_s = gbps * 1e9;
			link.latency_s = 0;
		} else {
			gr_status st = gr_link_find(link_arg, &link, &err);
			if (st)
				return cli_fail(EXIT_BAD_INPUT, "split: %s", err.msg);
		}
	}
	if (!(reg = cli_registry_load()))
		return EXIT_BAD_INPUT;
	for (int d = 0; d < 2; d++)
		if ((rc = cli_resolve_hw(reg, specs[d], &hw[d], &mode[d])))
			goto done;
	if ((rc = whatif_load(&w, &a, 0)))
		goto done;
	{
		gr_estimate_opts eo = a.eo;
		const gr_partition *part;
		size_t n;
		double *lf, *lo, *t[2], *x[2], *by[2];
		if (!eo.runtime)
			eo.runtime = cli_default_runtime(hw[0], mode[0], &a);
		if (!(part = whatif_partition(&w, eo.runtime))) {
			rc = EXIT_BAD_INPUT;
			goto done;
		}
		for (int d = 0; d < 2; d++)
			if ((rc = whatif_estimate(&w, hw[d], mode[d], &eo, &e[d], NULL, 0)))
				goto done;
		n = gr_partition_count(part);
		if (n == 0 || e[0]->n_kernels != n || e[1]->n_kernels != n) {
			rc = cli_fail(EXIT_BAD_INPUT, "split: %s has no kernels to place", cli_model_label(a.model.model));
			goto done;
		}
		if (!(buf = calloc(8 * n, sizeof(*buf)))) {
			rc = cli_fail(EXIT_BAD_INPUT, "out of memory");
			goto done;
		}
		lf = buf;
		lo = buf + n;
		t[0] = buf + 2 * n, t[1] = buf + 3 * n, x[0] = buf + 4 * n, x[1] = buf + 5 * n;
		by[0] = buf + 6 * n, by[1] = buf + 7 * n;
		if (gr_split_live(part, lf, lo, &err)) {
			rc = cli_fail(EXIT_BAD_INPUT, "split: %s", err.msg);
			goto done;
		}
		for (int d = 0; d < 2; d++)
			for (size_t i = 0; i < n; i++) {
				t[d][i] = e[d]->kernels[i].latency_s;
				/* the sender holds activations at its precision */
				by[d][i] = i ? lf[i] * gr_estimate_elem_bytes(e[d]->precision) + lo[i] : 0;
				x[d][i] = by[d][i] > 0 ? by[d][i] / link.bandwidth_bytes_s + link.latency_s : 0;
			}
		gr_split_problem p = {n, {t[0], t[1]}, {x[0], x[1]}, max_cuts, obj};
		gr_split_plan best, onA = {0}, onB = {0};
		if (gr_split_best(&p, &best, &err)) {
			rc = cli_fail(EXIT_BAD_INPUT, "split: %s", err.msg);
			goto done;
		}
		onB.start = 1;
		gr_split_evaluate(&p, &onA);
		gr_split_evaluate(&p, &onB);
		ctx cx = {{specs[0], specs[1]}, &p, part, {by[0], by[1]}, w.batch};
		const gr_split_plan *plans[3] = {&best, &onA, &onB};
		const char *names[3] = {"best", "all on A", "all on B"};
		out = cli_out_begin();
		if (a.fmt == GR_FMT_JSON) {
			cJSON *j = cJSON_CreateObject(), *hwj = cJSON_AddArrayToObject(j, "hardware"), *l;
			cJSON_AddStringToObject(j, "model", cli_model_label(a.model.model));
			for (int d = 0; d < 2; d++) {
				cJSON *h = cJSON_CreateObject();
				cJSON_AddStringToObject(h, "id", specs[d]);
				cJSON_AddStringToObject(h, "precision", gr_precision_name(e[d]->precision));
				cJSON_AddNumberToObject(h, "estimate_latency_ms", e[d]->latency_s * 1e3);
				cJSON_AddItemToArray(hwj, h);
			}
			cJSON_AddStringToObject(j, "runtime", eo.runtime);
			cJSON_AddNumberToObject(j, "batch", (double)w.batch);
			l = cJSON_AddObjectToObject(j, "link");
			cJSON_AddStringToObject(l, "name", link.name);
			cJSON_AddNumberToObject(l, "bandwidth_gbps", link.bandwidth_bytes_s / 1e9);
			cJSON_AddNumberToObject(l, "latency_us", link.latency_s * 1e6);
			cJSON_AddStringToObject(j, "objective", obj == GR_SPLIT_LATENCY ? "latency" : "throughput");
			cJSON_AddNumberToObject(j, "max_cuts", max_cuts);
			cJSON_AddNumberToObject(j, "kernels", (double)n);
			cJSON_AddItemToObject(j, "best", plan_json(&cx, &best));
			cJSON_AddItemToObject(j, "all_on_a", plan_json(&cx, &onA));
			cJSON_AddItemToObject(j, "all_on_b", plan_json(&cx, &onB));
			cli_json_write(out, j);
		} else {
			const char *hdr[] = {"plan", "segments (kernel ranges)", "A ms", "B ms", "transfer ms", "latency ms",
					     "throughput/s", "vs all on A", "vs all on B"};
			gr_table *tb = gr_table_new(9, hdr);
			for (int col = 2; tb && col < 9; col++)
				gr_table_numeric(tb, col);
			for (int k = 0; tb && k < 3; k++) {
				const gr_split_plan *pl = plans[k];
				char seg[256], v[7][32];
				plan_str(&cx, pl, seg, sizeof(seg));
				snprintf(v[0], 32, "%.3f", pl->device_s[0] * 1e3);
				snprintf(v[1], 32, "%.3f", pl->device_s[1] * 1e3);
				snprintf(v[2], 32, "%.3f", pl->transfer_s * 1e3);
				snprintf(v[3], 32, "%.3f", pl->latency_s * 1e3);
				snprintf(v[4], 32, "%.1f", pl->period_s > 0 ? (double)w.batch / pl->period_s : 0);
				snprintf(v[5], 32, "%s%.3f", a.fmt == GR_FMT_CSV ? "" : "x", onA.value / pl->value);
				snprintf(v[6], 32, "%s%.3f", a.fmt == GR_FMT_CSV ? "" : "x", onB.value / pl->value);
				const char *row[] = {names[k], seg, v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
				gr_table_add_row(tb, row);
			}
			if (a.fmt != GR_FMT_CSV)
				fprintf(out, "%s%s split across A = %s (%s) and B = %s (%s), runtime %s, batch %lld, link %s "
					"(%.3g GB/s, %.3g us a transfer), objective %s, at most %d cut%s%s\n",
					a.fmt == GR_FMT_MARKDOWN ? "**" : "", cli_model_label(a.model.model), specs[0],
					gr_precision_name(e[0]->precision), specs[1], gr_precision_name(e[1]->precision),
					eo.runtime, (long long)w.batch, link.name, link.bandwidth_bytes_s / 1e9,
					link.latency_s * 1e6, obj == GR_SPLIT_LATENCY ? "latency" : "pipelined throughput",
					max_cuts, max_cuts == 1 ? "" : "s", a.fmt == GR_FMT_MARKDOWN ? "**\n" : "");
			if (tb)
				gr_table_write(tb, a.fmt, out);
			gr_table_free(tb);
			if (a.fmt != GR_FMT_CSV) {
				int d = best.start;
				fputc('\n', out);
				if (!best.n_cuts)
					fprintf(out, "no cut pays: everything on %s\n", d ? "B" : "A");
				for (int k = 0; k < best.n_cuts; k++, d = 1 - d) {
					size_t i = best.cuts[k];
					char bb[32];
					fprintf(out, "cut %d: after kernel %zu '%s', %s -> %s, %s moved in %.3f ms\n", k + 1, i - 1,
						gr_partition_kernel(part, i - 1)->name, d ? "B" : "A", d ? "A" : "B",
						gr_fmt_bytes(by[d][i], bb, sizeof(bb)), x[d][i] * 1e3);
				}
			}
		}
		cli_out_end(out, 1);
	}
	rc = EXIT_OK;
done:
	free(buf);
	gr_estimate_free(e[0]);
	gr_estimate_free(e[1]);
	whatif_release(&w);
	gr_hw_registry_free(reg);
	return rc;
}
