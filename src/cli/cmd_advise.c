/* graphs advise: a ranked list of concrete changes to how a model runs on a platform (precision,
 * batch, runtime, power mode, another platform of the class, operator hot spots), each gain
 * computed by running the estimator on the changed configuration; budgets mark what breaks them. */
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
#include "graphs/advise.h"

static const char advise_usage[] =
	"usage: graphs advise MODEL --hw ID[:MODE] [--latency-ms X] [--power-w Y] [--precision P]\n"
	"                     [--runtime R] [--batch N] [--top N] [--format table|json|csv|markdown]\n"
	"                     [--no-calibration] [--no-transfer]\n\n"
	"Estimates MODEL on the platform as configured, then again with one thing changed at a time:\n"
	"each precision the platform runs natively, larger batches (that fit its memory), the other\n"
	"runtimes of its class, its other power modes, the other platforms of its class and category,\n"
	"and the slowest kernels at the precision that serves them best. Lists the changes that gain,\n"
	"best first; with a budget, those that break it come last, marked.\n\n";
static const char advise_help_tail[] =
	"  --hw ID[:MODE]   a platform from 'graphs hw list', with an optional power mode\n"
	"  --latency-ms X   latency budget of one request (its batch), in ms\n"
	"  --power-w Y      average device power budget while it runs, in W\n"
	"  --precision P    the starting precision (default: the platform's preferred)\n"
	"  --runtime R      the starting runtime (default: the platform's)\n"
	"  --top N          list at most N changes (default 15)\n"
	"  --format F       table (default), json, csv or markdown\n\n"
	"Each gain is a ratio against the starting configuration (x1.50: 1.5 times better) of what the\n"
	"change improves: latency, throughput (batch) or energy per inference (slower power modes).\n"
	"Exit codes: 0 ok; 1 usage error (unknown platform, precision it cannot run); 2 bad value\n"
	"(budget, top) or a model that cannot be read.\n";

enum { O_LAT = 1200, O_POW, O_TOP };

#define MAX_OPTS 256
#define HOTSPOTS 3
#define PLATFORMS 3

typedef struct advctx {
	gr_advice *opts;
	size_t n;
	gr_estimate *prec_est[GR_PREC_COUNT]; /* for the hot spots: same partition as the baseline */
} advctx;

static void fill(gr_advice *o, const gr_estimate *e, int64_t batch)
{
	o->latency_s = e->latency_s;
	o->throughput_per_s = gr_estimate_throughput_per_s(e, batch);
	o->energy_per_inf_j = e->energy_j / (double)batch;
	o->power_w = e->latency_s > 0 ? e->energy_j / e->latency_s : 0;
}

static gr_advice *add(advctx *c, const char *kind)
{
	gr_advice *o;
	if (c->n == MAX_OPTS)
		return NULL;
	o = &c->opts[c->n++];
	memset(o, 0, sizeof(*o));
	snprintf(o->kind, sizeof(o->kind), "%s", kind);
	return o;
}

static double parse_pos(const char *s)
{
	char *end;
	double v;
	errno = 0;
	v = strtod(s, &end);
	return *s && !*end && !errno && isfinite(v) && v > 0 ? v : NAN;
}

/* Runtimes worth trying by class (software, not hardware figures): the rest of the fusion table
 * are variants of these or need the vendor's stack. */
static const char *const gpu_runtimes[] = {"pytorch", "onnxruntime", "tensorrt", NULL};
static const char *const cpu_runtimes[] = {"pytorch", "onnxruntime", "openvino", NULL};

int cmd_advise(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_ESTIMATE_LONGOPTS,
		{"latency-ms", required_argument, 0, O_LAT},
		{"power-w", required_argument, 0, O_POW},
		{"top", required_argument, 0, O_TOP},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	cli_estimate_args a;
	gr_advise_budget budget = {NAN, NAN};
	int64_t top = 15;
	int c, rc, mode;
	gr_hw_registry *reg = NULL;
	const gr_hw *hw;
	whatif w = {0};
	gr_estimate *base_e = NULL;
	gr_advice base = {0};
	advctx cx = {0};
	size_t kept;
	char why[1024];
	FILE *out;

	cli_estimate_args_init(&a);
	optind = 1;
	while ((c = getopt_long(argc, argv, CLI_ESTIMATE_SHORTOPTS "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cli_model_help(advise_usage, advise_help_tail);
		case O_LAT:
			if (isnan(budget.latency_s = parse_pos(optarg) * 1e-3))
				return cli_fail(EXIT_BAD_INPUT, "advise: --latency-ms wants a positive number, got '%s'", optarg);
			break;
		case O_POW:
			if (isnan(budget.power_w = parse_pos(optarg)))
				return cli_fail(EXIT_BAD_INPUT, "advise: --power-w wants a positive number, got '%s'", optarg);
			break;
		case O_TOP:
			if (!cli_parse_i64(optarg, &top) || top > MAX_OPTS)
				return cli_fail(EXIT_BAD_INPUT, "advise: --top wants an integer in [1, %d], got '%s'", MAX_OPTS,
						optarg);
			break;
		default:
			if ((rc = cli_estimate_option(&a, "advise", c, optarg)) <= 0)
				return rc < 0 ? EXIT_USAGE : cli_usage("advise", "bad option");
		}
	}
	if ((rc = cli_estimate_target(&a, "advise", argc, argv)))
		return rc;
	if ((rc = cli_registry_hw(a.hw, &reg, &hw, &mode)))
		goto done;
	if (!(cx.opts = calloc(MAX_OPTS, sizeof(*cx.opts)))) {
		rc = cli_fail(EXIT_BAD_INPUT, "out of memory");
		goto done;
	}
	if ((rc = whatif_load(&w, &a, 0)) || (rc = whatif_estimate(&w, hw, mode, &a.eo, &base_e, NULL, 0)))
		goto done;
	fill(&base, base_e, w.batch);
	snprintf(base.kind, sizeof(base.kind), "baseline");
	snprintf(base.change, sizeof(base.change), "%s, batch %lld, runtime %s%s%s", gr_precision_name(base_e->precision),
		 (long long)w.batch, base_e->runtime, mode >= 0 ? ", mode " : "",
		 mode >= 0 ? gr_hw_mode_name(hw, (size_t)mode) : "");
	/* precision: every one the platform runs natively */
	for (int p = 0; p < GR_PREC_COUNT; p++) {
		gr_estimate_opts eo = a.eo;
		gr_estimate *e;
		gr_advice *o;
		if (p == (int)base_e->precision || !gr_hw_precision_native(hw, (gr_precision)p))
			continue;
		eo.precision = p;
		eo.amp = 0;
		eo.runtime = base_e->runtime;
		if (whatif_estimate(&w, hw, mode, &eo, &e, why, sizeof(why)))
			continue;
		if ((o = add(&cx, "precision"))) {
			fill(o, e, w.batch);
			o->metric = GR_ADVISE_LATENCY;
			snprintf(o->change, sizeof(o->change), "%s instead of %s", gr_precision_name((gr_precision)p),
				 gr_precision_name(base_e->precision));
		}
		cx.prec_est[p] = e;
	}
	/* hot spots: the slowest kernels, each at the precision that runs it fastest */
	{
		size_t idx[HOTSPOTS] = {0}, nh = 0;
		for (size_t i = 0; i < base_e->n_kernels; i++) {
			size_t k = nh < HOTSPOTS ? nh++ : HOTSPOTS - 1;
			if (k == HOTSPOTS - 1 && nh == HOTSPOTS && i >= HOTSPOTS &&
			    base_e->kernels[i].latency_s <= base_e->kernels[idx[k]].latency_s)
				continue;
			idx[k] = i;
			for (; k > 0 && base_e->kernels[idx[k]].latency_s > base_e->kernels[idx[k - 1]].latency_s; k--) {
				size_t t = idx[k];
				idx[k] = idx[k - 1];
				idx[k - 1] = t;
			}
		}
		for (size_t h = 0; h < nh; h++) {
			const gr_kernel_estimate *kb = &base_e->kernels[idx[h]];
			int bestp = -1;
			double bestt = kb->latency_s;
			gr_advice *o;
			for (int p = 0; p < GR_PREC_COUNT; p++)
				if (cx.prec_est[p] && cx.prec_est[p]->n_kernels == base_e->n_kernels &&
				    cx.prec_est[p]->kernels[idx[h]].latency_s < bestt) {
					bestt = cx.prec_est[p]->kernels[idx[h]].latency_s;
					bestp = p;
				}
			if (bestp < 0 || !(o = add(&cx, "hotspot")))
				continue;
			const gr_kernel_estimate *ka = &cx.prec_est[bestp]->kernels[idx[h]];
			double lat = base_e->latency_s - kb->latency_s + ka->latency_s;
			double en = base_e->energy_j - kb->energy_j + ka->energy_j;
			o->latency_s = lat;
			o->throughput_per_s = base.throughput_per_s * base_e->latency_s / lat;
			o->energy_per_inf_j = en / (double)w.batch;
			o->power_w = lat > 0 ? en / lat : 0;
			o->metric = GR_ADVISE_LATENCY;
			/* the name's tail tells layers apart; the table keeps about 60 characters */
			size_t nl = strlen(kb->kernel->name);
			snprintf(o->change, sizeof(o->change), "%s%s at %s: %.3f -> %.3f ms (kernel %zu, %s, %s-bound, %.0f%%)",
				 nl > 24 ? "..." : "", kb->kernel->name + (nl > 24 ? nl - 24 : 0),
				 gr_precision_name((gr_precision)bestp), kb->latency_s * 1e3, ka->latency_s * 1e3, idx[h],
				 gr_kernel_class_name(kb->kernel->cls), gr_bound_name(kb->bound),
				 100 * kb->latency_s / base_e->latency_s);
		}
	}
	/* batch: larger batches that fit the platform's memory */
	for (int64_t m = 2; m <= 64; m *= 2) {
		whatif wb;
		gr_estimate *e = NULL;
		gr_advice *o;
		int64_t nb = w.batch * m;
		gr_estimate_opts eo = a.eo;
		if (nb > 1024)
			break;
		eo.precision = (int)base_e->precision;
		eo.runtime = base_e->runtime;
		if (whatif_load(&wb, &a, nb) || whatif_estimate(&wb, hw, mode, &eo, &e, why, sizeof(why))) {
			whatif_release(&wb);
			break;
		}
		if (gr_hw_memory_bytes(hw) > 0 && e->peak_memory_bytes > (double)gr_hw_memory_bytes(hw)) {
			gr_estimate_free(e);
			whatif_release(&wb);
			break;
		}
		if ((o = add(&cx, "batch"))) {
			fill(o, e, nb);
			o->metric = GR_ADVISE_THROUGHPUT;
			snprintf(o->change, sizeof(o->change), "batch %lld instead of %lld (%.0f%% of memory)", (long long)nb,
				 (long long)w.batch,
				 gr_hw_memory_bytes(hw) > 0 ? 100 * e->peak_memory_bytes / (double)gr_hw_memory_bytes(hw) : 0);
		}
		gr_estimate_free(e);
		whatif_release(&wb);
	}
	/* runtime */
	{
		const char *const *rts = gr_hw_get_class(hw) == GR_HW_GPU ? gpu_runtimes
					 : gr_hw_get_class(hw) == GR_HW_CPU ? cpu_runtimes : NULL;
		for (size_t i = 0; rts && rts[i]; i++) {
			gr_estimate_opts eo = a.eo;
			gr_estimate *e;
			gr_advice *o;
			if (!gr_fusion_rules_find(rts[i]) || !strcmp(rts[i], base_e->runtime))
				continue;
			eo.precision = (int)base_e->precision;
			eo.runtime = gr_fusion_rules_find(rts[i])->name;
			if (whatif_estimate(&w, hw, mode, &eo, &e, why, sizeof(why)))
				continue;
			if ((o = add(&cx, "runtime"))) {
				fill(o, e, w.batch);
				o->metric = GR_ADVISE_LATENCY;
				snprintf(o->change, sizeof(o->change), "runtime %s instead of %s", eo.runtime, base_e->runtime);
			}
			gr_estimate_free(e);
		}
	}
	/* power modes */
	for (size_t m = 0; m < gr_hw_mode_count(hw); m++) {
		gr_estimate *e;
		gr_advice *o;
		gr_estimate_opts eo = a.eo;
		if ((int)m == mode)
			continue;
		eo.precision = (int)base_e->precision;
		eo.runtime = base_e->runtime;
		if (whatif_estimate(&w, hw, (int)m, &eo, &e, why, sizeof(why)))
			continue;
		if ((o = add(&cx, "mode"))) {
			fill(o, e, w.batch);
			o->metric = e->latency_s < base_e->latency_s ? GR_ADVISE_LATENCY : GR_ADVISE_ENERGY;
			snprintf(o->change, sizeof(o->change), "power mode %s instead of %s", gr_hw_mode_name(hw, m),
				 mode >= 0 ? gr_hw_mode_name(hw, (size_t)mode) : "the default");
		}
		gr_estimate_free(e);
	}
	/* other platforms of the class: the best few, ranked among themselves first */
	{
		gr_advice plat[64];
		size_t np = 0, start = cx.n;
		for (size_t i = 0; i < gr_hw_registry_count(reg) && np < 64; i++) {
			const gr_hw *h = gr_hw_registry_at(reg, i);
			gr_estimate_opts eo = a.eo;
			gr_estimate *e;
			const char *c0 = gr_hw_category(hw), *c1 = gr_hw_category(h);
			if (h == hw || gr_hw_get_class(h) != gr_hw_get_class(hw) || !strcmp(gr_hw_id(h), "host"))
				continue;
			/* same class and, where both files say, the same category (edge, datacenter, ...) */
			if (c0 && c1 && strcmp(c0, c1))
				continue;
			eo.runtime = a.eo.runtime; /* each platform's own unless one was asked for */
			if (whatif_estimate(&w, h, -1, &eo, &e, why, sizeof(why)))
				continue;
			memset(&plat[np], 0, sizeof(plat[np]));
			fill(&plat[np], e, w.batch);
			snprintf(plat[np].kind, sizeof(plat[np].kind), "platform");
			plat[np].metric = GR_ADVISE_LATENCY;
			snprintf(plat[np].change, sizeof(plat[np].change), "%s (%s, %s) instead of %s", gr_hw_id(h),
				 gr_precision_name(e->precision), e->runtime, gr_hw_id(hw));
			np++;
			gr_estimate_free(e);
		}
		np = gr_advise_rank(plat, np, &base, &budget, 1.005);
		for (size_t i = 0; i < np && cx.n < start + PLATFORMS && cx.n < MAX_OPTS; i++)
			cx.opts[cx.n++] = plat[i];
	}
	kept = gr_advise_rank(cx.opts, cx.n, &base, &budget, 1.005);
	if ((int64_t)kept > top)
		kept = (size_t)top;
	out = cli_out_begin();
	if (a.fmt == GR_FMT_JSON) {
		cJSON *j = cJSON_CreateObject(), *b = cJSON_AddObjectToObject(j, "baseline"), *arr, *bud;
		cJSON_AddStringToObject(j, "model", cli_model_label(a.model.model));
		cJSON_AddStringToObject(j, "hardware", a.hw);
		cJSON_AddStringToObject(b, "config", base.change);
		cJSON_AddStringToObject(b, "precision", gr_precision_name(base_e->precision));
		cJSON_AddNumberToObject(b, "batch", (double)w.batch);
		cJSON_AddStringToObject(b, "runtime", base_e->runtime);
		cJSON_AddNumberToObject(b, "latency_ms", base.latency_s * 1e3);
		cJSON_AddNumberToObject(b, "throughput_per_s", base.throughput_per_s);
		cJSON_AddNumberToObject(b, "energy_per_inference_mj", base.energy_per_inf_j * 1e3);
		cJSON_AddNumberToObject(b, "power_w", base.power_w);
		cJSON_AddBoolToObject(b, "meets_budget", base.meets);
		bud = cJSON_AddObjectToObject(j, "budget");
		if (budget.latency_s > 0)
			cJSON_AddNumberToObject(bud, "latency_ms", budget.latency_s * 1e3);
		else
			cJSON_AddNullToObject(bud, "latency_ms");
		if (budget.power_w > 0)
			cJSON_AddNumberToObject(bud, "power_w", budget.power_w);
		else
			cJSON_AddNullToObject(bud, "power_w");
		arr = cJSON_AddArrayToObject(j, "options");
		for (size_t i = 0; i < kept; i++) {
			const gr_advice *o = &cx.opts[i];
			cJSON *x = cJSON_CreateObject();
			cJSON_AddNumberToObject(x, "rank", (double)(i + 1));
			cJSON_AddStringToObject(x, "kind", o->kind);
			cJSON_AddStringToObject(x, "change", o->change);
			cJSON_AddStringToObject(x, "improves", gr_advise_metric_name(o->metric));
			cJSON_AddNumberToObject(x, "gain", o->gain);
			cJSON_AddNumberToObject(x, "latency_ms", o->latency_s * 1e3);
			cJSON_AddNumberToObject(x, "throughput_per_s", o->throughput_per_s);
			cJSON_AddNumberToObject(x, "energy_per_inference_mj", o->energy_per_inf_j * 1e3);
			cJSON_AddNumberToObject(x, "power_w", o->power_w);
			cJSON_AddBoolToObject(x, "meets_budget", o->meets);
			if (!o->meets)
				cJSON_AddStringToObject(x, "breaks", o->why);
			cJSON_AddItemToArray(arr, x);
		}
		cli_json_write(out, j);
	} else {
		const char *hdr[] = {"rank", "kind", "change", "gain", "improves", "latency ms", "per s", "power W",
				     "mJ/inf", "budget"};
		gr_table *t = gr_table_new(10, hdr);
		gr_table_numeric(t, 0);
		for (int col = 3; t && col < 9; col++)
			if (col != 4)
				gr_table_numeric(t, col);
		for (size_t i = 0; t && i < kept; i++) {
			const gr_advice *o = &cx.opts[i];
			char v[7][160], rk[24];
			snprintf(rk, sizeof(rk), "%zu", i + 1);
			snprintf(v[0], 160, a.fmt == GR_FMT_CSV ? "%.4f" : "x%.2f", o->gain);
			snprintf(v[1], 160, "%.3f", o->latency_s * 1e3);
			snprintf(v[2], 160, "%.1f", o->throughput_per_s);
			snprintf(v[3], 160, "%.2f", o->power_w);
			snprintf(v[4], 160, "%.3f", o->energy_per_inf_j * 1e3);
			snprintf(v[5], 160, "%s", o->meets ? "ok" : o->why);
			const char *row[] = {rk, o->kind, o->change, v[0], gr_advise_metric_name(o->metric), v[1], v[2], v[3],
					     v[4], v[5]};
			gr_table_add_row(t, row);
		}
		if (a.fmt != GR_FMT_CSV) {
			fprintf(out, "%s%s on %s: %s%s\n", a.fmt == GR_FMT_MARKDOWN ? "**" : "", cli_model_label(a.model.model),
				a.hw, base.change, a.fmt == GR_FMT_MARKDOWN ? "**\n" : "");
			fprintf(out, "  now: %.3f ms, %.1f/s, %.2f W, %.3f mJ per inference%s%s%s\n", base.latency_s * 1e3,
				base.throughput_per_s, base.power_w, base.energy_per_inf_j * 1e3,
				budget.latency_s > 0 || budget.power_w > 0 ? (base.meets ? "; within budget" : "; breaks the budget: ") : "",
				base.meets ? "" : base.why, a.fmt == GR_FMT_MARKDOWN ? "\n" : "");
			if (!kept)
				fprintf(out, "  no change the estimator knows gains 0.5%% or more\n");
		}
		if (t && kept)
			gr_table_write(t, a.fmt, out);
		gr_table_free(t);
	}
	cli_out_end(out, 1);
	rc = EXIT_OK;
done:
	for (int p = 0; p < GR_PREC_COUNT; p++)
		gr_estimate_free(cx.prec_est[p]);
	free(cx.opts);
	gr_estimate_free(base_e);
	whatif_release(&w);
	gr_hw_registry_free(reg);
	return rc;
}
