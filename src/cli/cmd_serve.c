/* graphs serve: dynamic batching of one model on one platform under Poisson arrivals: the
 * latency-vs-batch curve from the estimator, then throughput, mean, p50 and p99 latency and
 * utilization, analytically and (--simulate) by a seeded discrete-event simulation. */
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
#include "graphs/serve.h"

static const char serve_usage[] =
	"usage: graphs serve MODEL --hw ID[:MODE] --rate R --max-batch B --timeout-ms T\n"
	"                    [--precision P] [--runtime R] [--simulate [--seed S] [--requests N]]\n"
	"                    [--format table|json|csv|markdown] [--no-calibration] [--no-transfer]\n\n"
	"Serves MODEL with dynamic batching: requests arrive as a Poisson stream of R per second, a\n"
	"batch starts when B requests wait or the oldest has waited T ms (whichever comes first), and\n"
	"the server runs one batch at a time, a batch of b taking the estimated latency at batch b.\n"
	"Prints throughput, mean, p50 and p99 latency (arrival to result) and utilization, computed\n"
	"numerically (docs/serve.md says how and where it is exact); --simulate adds a discrete-event\n"
	"simulation beside it.\n\n";
static const char serve_help_tail[] =
	"  --hw ID[:MODE]   a platform from 'graphs hw list', with an optional power mode\n"
	"  --rate R         arrivals per second (Poisson), > 0\n"
	"  --max-batch B    the largest batch, 1..1024 (the analytic answer handles up to 128)\n"
	"  --timeout-ms T   how long the oldest request may wait for a batch to fill, >= 0\n"
	"  --precision P    as for estimate (default: the platform's preferred)\n"
	"  --runtime R      as for estimate (default: the platform's)\n"
	"  --simulate       also simulate (seeded xorshift64*; the same seed, the same figures)\n"
	"  --seed S         the simulation's seed (default 1)\n"
	"  --requests N     simulated arrivals, 1000..2^30 (default 1000000; the first tenth warms up)\n"
	"  --format F       table (default), json, csv or markdown\n"
	"  --no-calibration datasheet roofline only; --no-transfer: no borrowed profile\n\n"
	"Exit codes: 0 ok; 1 usage error (missing option, unknown platform or precision); 2 bad\n"
	"value (rate, batch, timeout, seed, requests), a model that cannot be read, or a rate at or\n"
	"above what the server can sustain (the message gives its capacity).\n";

enum { O_RATE = 1000, O_MAXB, O_TIMEOUT, O_SIM, O_SEED, O_REQ };

/* A finite number >= min from s, or NAN. */
static double parse_num(const char *s, double min)
{
	char *end;
	double v;
	errno = 0;
	v = strtod(s, &end);
	return !*s || *end || errno || !isfinite(v) || v < min ? NAN : v;
}

static cJSON *result_json(const gr_serve_result *r, const char *method)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "method", method);
	cJSON_AddNumberToObject(o, "throughput_per_s", r->throughput_per_s);
	cJSON_AddNumberToObject(o, "mean_ms", r->mean_s * 1e3);
	cJSON_AddNumberToObject(o, "p50_ms", r->p50_s * 1e3);
	cJSON_AddNumberToObject(o, "p99_ms", r->p99_s * 1e3);
	cJSON_AddNumberToObject(o, "utilization", r->utilization);
	cJSON_AddNumberToObject(o, "mean_batch", r->mean_batch);
	cJSON_AddNumberToObject(o, "full_batch_share", r->full_share);
	if (r->exact) /* the closed form does not give it */
		cJSON_AddNullToObject(o, "carry_over_share");
	else
		cJSON_AddNumberToObject(o, "carry_over_share", r->carry_share);
	return o;
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_ESTIMATE_LONGOPTS,
		{"rate", required_argument, 0, O_RATE},
		{"max-batch", required_argument, 0, O_MAXB},
		{"timeout-ms", required_argument, 0, O_TIMEOUT},
		{"simulate", no_argument, 0, O_SIM},
		{"seed", required_argument, 0, O_SEED},
		{"requests", required_argument, 0, O_REQ},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	cli_estimate_args a;
	double rate = NAN, timeout_ms = NAN, *svc = NULL;
	int64_t max_batch = 0, requests = 1000000, seed = 1;
	int c, rc, simulate = 0, have_a = 0, have_s = 0, seed_given = 0, req_given = 0;
	gr_hw_registry *reg = NULL;
	const gr_hw *hw;
	int mode;
	gr_precision prec = GR_PREC_FP32;
	const char *runtime = NULL, *method = "analytic";
	gr_serve_result ra, rs;
	gr_error err = {0};
	FILE *out;

	cli_estimate_args_init(&a);
	optind = 1;
	while ((c = getopt_long(argc, argv, CLI_ESTIMATE_SHORTOPTS "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cli_model_help(serve_usage, serve_help_tail);
		case O_RATE:
			if (isnan(rate = parse_num(optarg, 0)) || rate <= 0)
				return cli_fail(EXIT_BAD_INPUT, "serve: --rate wants a positive number of requests per "
						"second, got '%s'", optarg);
			break;
		case O_MAXB:
			if (!cli_parse_i64(optarg, &max_batch) || max_batch > GR_SERVE_MAX_BATCH)
				return cli_fail(EXIT_BAD_INPUT, "serve: --max-batch wants an integer in [1, %d], got '%s'",
						GR_SERVE_MAX_BATCH, optarg);
			break;
		case O_TIMEOUT:
			if (isnan(timeout_ms = parse_num(optarg, 0)) || timeout_ms > 3.6e6)
				return cli_fail(EXIT_BAD_INPUT, "serve: --timeout-ms wants a number of milliseconds in "
						"[0, 3600000], got '%s'", optarg);
			break;
		case O_SIM:
			simulate = 1;
			break;
		case O_SEED: {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (!*optarg || *end || errno || optarg[0] == '-' || v > INT64_MAX)
				return cli_fail(EXIT_BAD_INPUT, "serve: --seed wants a non-negative integer, got '%s'", optarg);
			seed = (int64_t)v;
			seed_given = 1;
			break;
		}
		case O_REQ:
			if (!cli_parse_i64(optarg, &requests) || requests < 1000 || requests > (int64_t)1 << 30)
				return cli_fail(EXIT_BAD_INPUT, "serve: --requests wants an integer in [1000, 2^30], got '%s'",
						optarg);
			req_given = 1;
			break;
		case 'b':
			return cli_usage("serve", "serve runs every batch from 1 to --max-batch: --batch does not apply");
		default:
			if ((rc = cli_estimate_option(&a, "serve", c, optarg)) <= 0)
				return rc < 0 ? EXIT_USAGE : cli_usage("serve", "bad option");
		}
	}
	if ((rc = cli_estimate_target(&a, "serve", argc, argv)))
		return rc;
	if (isnan(rate) || !max_batch || isnan(timeout_ms))
		return cli_usage("serve", "--rate, --max-batch and --timeout-ms are required");
	if ((seed_given || req_given) && !simulate)
		return cli_usage("serve", "--seed and --requests go with --simulate");
	if ((rc = cli_registry_hw(a.hw, &reg, &hw, &mode)))
		goto done;
	if (!(svc = calloc((size_t)max_batch, sizeof(*svc)))) {
		rc = cli_fail(EXIT_BAD_INPUT, "out of memory");
		goto done;
	}
	/* the service curve: the estimator at every batch from 1 to B */
	for (int64_t b = 1; b <= max_batch; b++) {
		whatif w;
		gr_estimate *e = NULL;
		if ((rc = whatif_load(&w, &a, b)) || (rc = whatif_estimate(&w, hw, mode, &a.eo, &e, NULL, 0))) {
			whatif_release(&w);
			goto done;
		}
		svc[b - 1] = e->latency_s;
		prec = e->precision;
		runtime = e->runtime; /* a static name from the fusion table */
		gr_estimate_free(e);
		whatif_release(&w);
	}
	{
		gr_serve_params p = {rate, (int)max_batch, timeout_ms * 1e-3, svc};
		gr_status st = gr_serve_analytic(&p, &ra, &err);
		if (st == GR_ERR_LIMIT || (st && st != GR_ERR_UNSUPPORTED) || (st && !simulate)) {
			rc = cli_fail(EXIT_BAD_INPUT, "serve: %s on %s: %s", cli_model_label(a.model.model), a.hw, err.msg);
			goto done;
		}
		have_a = !st;
		if (simulate) {
			if ((st = gr_serve_simulate(&p, (uint64_t)seed, (size_t)requests, &rs, &err))) {
				rc = cli_fail(EXIT_BAD_INPUT, "serve: %s", err.msg);
				goto done;
			}
			have_s = 1;
		}
		if (have_a && ra.exact)
			method = "closed form (M/D/1)";
	}
	out = cli_out_begin();
	if (a.fmt == GR_FMT_JSON) {
		cJSON *j = cJSON_CreateObject(), *curve = cJSON_CreateArray();
		cJSON_AddStringToObject(j, "model", cli_model_label(a.model.model));
		cJSON_AddStringToObject(j, "hardware", a.hw);
		cJSON_AddStringToObject(j, "precision", gr_precision_name(prec));
		cJSON_AddStringToObject(j, "runtime", runtime ? runtime : "");
		cJSON_AddNumberToObject(j, "rate_per_s", rate);
		cJSON_AddNumberToObject(j, "max_batch", (double)max_batch);
		cJSON_AddNumberToObject(j, "timeout_ms", timeout_ms);
		cJSON_AddNumberToObject(j, "capacity_per_s", have_a ? ra.capacity_per_s : rs.capacity_per_s);
		for (int64_t b = 1; b <= max_batch; b++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "batch", (double)b);
			cJSON_AddNumberToObject(o, "latency_ms", svc[b - 1] * 1e3);
			cJSON_AddNumberToObject(o, "throughput_per_s", (double)b / svc[b - 1]);
			cJSON_AddItemToArray(curve, o);
		}
		cJSON_AddItemToObject(j, "service_curve", curve);
		if (have_a)
			cJSON_AddItemToObject(j, "analytic", result_json(&ra, method));
		else
			cJSON_AddNullToObject(j, "analytic");
		if (have_s) {
			cJSON *s = result_json(&rs, "simulation");
			cJSON_AddNumberToObject(s, "seed", (double)seed);
			cJSON_AddNumberToObject(s, "requests", (double)rs.requests);
			cJSON_AddItemToObject(j, "simulated", s);
		} else {
			cJSON_AddNullToObject(j, "simulated");
		}
		cli_json_write(out, j);
	} else {
		const char *hdr[] = {"method", "throughput/s", "mean ms", "p50 ms", "p99 ms", "utilization",
				     "mean batch", "full batches", "carried over"};
		const char *hcsv[] = {"method", "throughput_per_s", "mean_ms", "p50_ms", "p99_ms", "utilization",
				      "mean_batch", "full_batch_share", "carry_over_share"};
		int csv = a.fmt == GR_FMT_CSV;
		gr_table *t = gr_table_new(9, csv ? hcsv : hdr);
		for (int col = 1; t && col < 9; col++)
			gr_table_numeric(t, col);
		for (int k = 0; t && k < 2; k++) {
			const gr_serve_result *r = k ? &rs : &ra;
			char v[8][32];
			if (!(k ? have_s : have_a))
				continue;
			snprintf(v[0], 32, "%.1f", r->throughput_per_s);
			snprintf(v[1], 32, "%.3f", r->mean_s * 1e3);
			snprintf(v[2], 32, "%.3f", r->p50_s * 1e3);
			snprintf(v[3], 32, "%.3f", r->p99_s * 1e3);
			snprintf(v[4], 32, "%.3f", r->utilization);
			snprintf(v[5], 32, "%.2f", r->mean_batch);
			snprintf(v[6], 32, csv ? "%.4f" : "%.1f%%", csv ? r->full_share : 100 * r->full_share);
			snprintf(v[7], 32, csv ? "%.4f" : "%.2f%%", csv ? r->carry_share : 100 * r->carry_share);
			if (r->exact)
				snprintf(v[7], 32, "-");
			const char *row[] = {k ? "simulation" : method, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
			gr_table_add_row(t, row);
		}
		if (a.fmt != GR_FMT_CSV)
			fprintf(out, "%s%s on %s, %s, runtime %s: Poisson arrivals at %g/s, max batch %lld, timeout %g ms%s\n",
				a.fmt == GR_FMT_MARKDOWN ? "**" : "", cli_model_label(a.model.model), a.hw,
				gr_precision_name(prec), runtime ? runtime : "?", rate, (long long)max_batch, timeout_ms,
				a.fmt == GR_FMT_MARKDOWN ? "**\n" : "");
		if (t)
			gr_table_write(t, a.fmt, out);
		gr_table_free(t);
		if (a.fmt != GR_FMT_CSV) {
			double cap = have_a ? ra.capacity_per_s : rs.capacity_per_s;
			fprintf(out, "\nservice curve (estimator): ");
			for (int64_t b = 1; b <= max_batch; b++)
				if (b <= 4 || b == max_batch || (b & (b - 1)) == 0)
					fprintf(out, "%sb%lld %.3f ms", b > 1 ? ", " : "", (long long)b, svc[b - 1] * 1e3);
			fprintf(out, "\ncapacity %.1f/s; arrivals use %.0f%% of it\n", cap, 100 * rate / cap);
			if (have_s && have_a)
				fprintf(out, "analytic vs simulated: p99 %+.2f%%, mean %+.2f%% (seed %lld, %zu requests measured)\n",
					100 * (ra.p99_s / rs.p99_s - 1), 100 * (ra.mean_s / rs.mean_s - 1), (long long)seed,
					rs.requests);
			if (have_a && ra.tail_mass > 1e-4)
				fprintf(out, "note: %.2g of the probability lies past the analytic answer's grid (a queue "
					"near saturation): its p99 may be low; --simulate gives the figure\n", ra.tail_mass);
			if (!have_a)
				fprintf(out, "note: no analytic answer above max batch %d: simulation only\n",
					GR_SERVE_ANALYTIC_MAX_BATCH);
		}
	}
	cli_out_end(out, 1);
	rc = EXIT_OK;
done:
	free(svc);
	gr_hw_registry_free(reg);
	return rc;
}
