/* graphs calibrate: fits a platform's calibration profile from measurements (benchmark
 * databases, ground-truth CSVs), saves it, and reports fit quality and coverage gaps. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/hwctx.h"
#include "cli/rounds.h"
#include "graphs/calibrate.h"
#include "graphs/model.h"
#include "graphs/zoo.h"
#include "calibration/profile_json.h"

static const char calibrate_help[] =
	"usage: graphs calibrate --hw ID[:MODE] [--from DB|CSV]... [--runtime pytorch]\n"
	"                        [--precision P] [--exclude-model M] [--out FILE | --no-save]\n"
	"                        [--stat median|min|p5|mean] [--report] [--format table|json]\n"
	"                        [--borrow]\n\n"
	"Fits how fast each class of op runs on a platform (per-op dispatch cost, achieved compute\n"
	"and bandwidth, cache spills, per-weight and per-batch behaviour of emulated precisions,\n"
	"energy coefficients when power was measured) from measured model and subgraph/layer\n"
	"latencies, and saves the result as a calibration profile that 'graphs estimate' then uses.\n\n"
	"  --hw ID[:MODE]     the platform the measurements come from ('host' after\n"
	"                     'graphs hw detect --save')\n"
	"  --from FILE        a 'graphs benchmark' database, a ground-truth CSV (models.csv /\n"
	"                     subgraphs.csv format) or a published-measurement CSV\n"
	"                     (data/published); repeat for several (default: graphs-bench.db).\n"
	"                     Published rows with power_w (MLPerf wall power) also fit a scale\n"
	"                     on the system energy, stored with its errors (two rows or more)\n"
	"  --runtime R        the software stack measured (default pytorch: eager PyTorch)\n"
	"  --precision P      fit only this precision (default: every precision measured)\n"
	"  --exclude-model M  leave model M out of the fit (cross-validation)\n"
	"  --out FILE         where to write the profile (default: the user's calibration folder,\n"
	"                     $XDG_CONFIG_HOME/graphs/calibration/ID/MODE/RUNTIME.json)\n"
	"  --no-save          fit and report only\n"
	"  --stat S           which statistic of database records to fit: min (default: the best\n"
	"                     of every sample and round, the figure that repeats on a machine\n"
	"                     shared with other work), median, p5 or mean\n"
	"  --report           per op class: coefficients, residuals, ranges covered, gaps, the\n"
	"                     coefficients held at a physical bound (peak compute of the class's\n"
	"                     engine, bandwidth of the memory level holding its working sets), and\n"
	"                     the zoo models that would still be estimated 'theoretical'; JSON:\n"
	"                     'unconfirmed_minima', the benchmark rounds' unconfirmed models\n"
	"                     (always warned on stderr)\n"
	"  --format F         table (default) or json (the profile, plus 'report' with --report)\n"
	"  --min-models N     published figures: fit only precisions with N or more zoo models\n"
	"  --no-lomo          skip the leave-one-model-out fits (by default each model is left\n"
	"                     out once and refitted without; the model errors are printed, and\n"
	"                     for published figures recorded in the profile)\n"
	"  --borrow           op classes without measurements borrow their ratio to a related\n"
	"                     measured class (matmul to gemm, softmax/transposes to elementwise,\n"
	"                     ...) from the nearest profile of the same runtime that measured\n"
	"                     both; their estimates are 'transferred' (default: unfitted)\n\n"
	"Progress goes to stderr when it is a terminal. Format and fit: docs/calibrate.md.\n"
	"Exit codes: 0 ok, 1 usage error, 2 bad or missing measurements or a broken platform file.\n";

static void progress(void *user, int done, int total, const char *what)
{
	(void)user;
	fprintf(stderr, "\rcalibrate: fitting %-40.40s %3d/%d", what, done + 1, total);
	fflush(stderr);
}

/* Zoo models whose ops include a class without a fit at precision q (they stay theoretical). */
static cJSON *theoretical_models(const gr_profile *p, int q, int tty)
{
	cJSON *arr = cJSON_CreateArray();
	gr_zoo_entry *zoo = NULL;
	size_t nz = 0;
	gr_error err = {0};

	if (gr_zoo_list(&zoo, &nz, &err))
		return arr;
	for (size_t i = 0; i < nz; i++) {
		char path[4096], missing[256] = "";
		gr_graph *g = NULL;
		size_t len = 0;
		int seen[GR_OP_CLASS_COUNT] = {0};
		if (tty) {
			fprintf(stderr, "\rcalibrate: checking zoo coverage %-24.24s %3zu/%zu", zoo[i].name, i + 1, nz);
			fflush(stderr);
		}
		if (gr_zoo_resolve(zoo[i].name, path, sizeof(path), &err) || gr_model_load(path, NULL, &g, &err)) {
			gr_graph_free(g);
			continue;
		}
		gr_zoo_bind_defaults(g, zoo[i].name);
		if (gr_graph_bind_dim(g, "batch", 1, &err) || gr_graph_infer(g, &err)) {
			gr_graph_free(g);
			continue;
		}
		for (size_t j = 0; j < gr_graph_node_count(g); j++) {
			int cls = gr_op_class_of(gr_graph_node(g, j));
			gr_fit_class fc;
			if (cls >= 0 && cls != GR_OP_CLASS_VIEW && !seen[cls] &&
			    gr_profile_class_info(p, (gr_precision)q, cls, &fc) == GR_ERR_NOT_FOUND) {
				seen[cls] = 1;
				len += (size_t)snprintf(missing + len, sizeof(missing) - len, "%s%s", len ? "," : "",
							gr_op_class_name(cls));
				if (len >= sizeof(missing))
					len = sizeof(missing) - 1;
			}
		}
		if (missing[0]) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "model", zoo[i].name);
			cJSON_AddStringToObject(o, "unfitted_classes", missing);
			cJSON_AddItemToArray(arr, o);
		}
		gr_graph_free(g);
	}
	if (tty)
		fprintf(stderr, "\r%70s\r", "");
	free(zoo);
	return arr;
}

/* The coefficients of precision q that sit on (or beyond) a physical bound: the fit wanted a
 * rate the platform's peak compute or memory bandwidth does not allow. */
static cJSON *bounds_json(const gr_profile *p, const gr_hw *hw, int mode, int q)
{
	cJSON *arr = cJSON_CreateArray();
	gr_fit_bound b[2 * GR_OP_CLASS_COUNT + 1];
	size_t n = gr_profile_bounds(p, hw, mode, (gr_precision)q, b, sizeof(b) / sizeof(b[0]));

	for (size_t i = 0; i < n && i < sizeof(b) / sizeof(b[0]); i++) {
		cJSON *o;
		if (!b[i].at_bound && !b[i].beyond)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "class", b[i].cls < 0 ? "platform" : gr_op_class_name(b[i].cls));
		cJSON_AddStringToObject(o, "coefficient", b[i].coef);
		cJSON_AddNumberToObject(o, "value", b[i].value);
		cJSON_AddNumberToObject(o, "bound", b[i].bound);
		cJSON_AddBoolToObject(o, "beyond", b[i].beyond);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *report_json(const gr_profile *p, const gr_hw *hw, int mode, int tty)
{
	cJSON *r = cJSON_CreateObject();
	for (int q = 0; q < GR_PREC_COUNT; q++) {
		gr_fit_quality fq;
		cJSON *o, *gaps;
		if (gr_profile_quality(p, (gr_precision)q, -1, &fq))
			continue;
		o = cJSON_AddObjectToObject(r, gr_precision_name((gr_precision)q));
		cJSON_AddItemToObject(o, "at_bound", bounds_json(p, hw, mode, q));
		gaps = cJSON_AddArrayToObject(o, "gaps");
		for (int k = 0; k < GR_OP_CLASS_COUNT; k++) {
			char msg[200];
			gr_fit_class fc;
			int fitted = gr_profile_class_info(p, (gr_precision)q, k, &fc) == GR_OK;
			if (!fitted && k != GR_KC_RNN && k != GR_OP_CLASS_VIEW)
				snprintf(msg, sizeof(msg), "%s: no measurements (estimates stay theoretical)", gr_op_class_name(k));
			else if (fitted && fc.points < 5)
				snprintf(msg, sizeof(msg), "%s: only %d ops measured (estimates are interpolated)",
					 gr_op_class_name(k), fc.points);
			else
				continue;
			cJSON_AddItemToArray(gaps, cJSON_CreateString(msg));
		}
		if (fq.batch_min == fq.batch_max) {
			char msg[120];
			snprintf(msg, sizeof(msg), "one batch size only (%lld): other batches are interpolated",
				 (long long)fq.batch_min);
			cJSON_AddItemToArray(gaps, cJSON_CreateString(msg));
		}
		cJSON_AddItemToObject(o, "theoretical_zoo_models", theoretical_models(p, q, tty));
	}
	return r;
}

/* Fit quality of measured (not published) fits, model by model, through the estimator that
 * 'graphs estimate' uses: in sample (the profile as fitted) and leave-one-model-out (the
 * profile refitted without the model's rows, then asked for it, as for a model never run). */
typedef struct model_fit {
	char model[64];
	int64_t batch;
	int prec;
	double measured_s, in_sample_s, lomo_s;
} model_fit;

static int cmp_model_fit(const void *a, const void *b)
{
	const model_fit *x = a, *y = b;
	int c = x->prec - y->prec;
	if (!c)
		c = strcmp(x->model, y->model);
	return c ? c : (x->batch > y->batch) - (x->batch < y->batch);
}

static int model_fits(const gr_meas_set *set, const gr_fit_opts *fo, const gr_profile *prof,
		      gr_calib_cache *cache, int lomo, int borrow, int tty, model_fit **out)
{
	model_fit *mf = NULL;
	gr_profile *lp = NULL; /* the current leave-one-model-out fit */
	int n = 0, cap = 0;

	for (size_t i = 0; i < gr_meas_count(set); i++) {
		const gr_meas_row *r = gr_meas_at(set, i);
		gr_profile_accuracy pa;
		model_fit *m = NULL;
		if (r->kind != GR_MEAS_MODEL || r->published || strcmp(r->hw, fo->hw) ||
		    !(r->latency_s > 0) || (fo->precision >= 0 && r->precision != fo->precision) ||
		    strcmp(r->runtime ? r->runtime : "pytorch", gr_profile_runtime(prof)) ||
		    (fo->exclude_model && !strcmp(r->model, fo->exclude_model)) ||
		    gr_profile_accuracy_get(prof, (gr_precision)r->precision, &pa) == GR_OK)
			continue;
		for (int j = 0; j < n && !m; j++)
			if (mf[j].batch == r->batch && mf[j].prec == r->precision && !strcmp(mf[j].model, r->model))
				m = &mf[j];
		if (m) { /* several runs of one model (median/mean statistic): the best repeats */
			m->measured_s = fmin(m->measured_s, r->latency_s);
			continue;
		}
		if (n == cap) {
			model_fit *nm = realloc(mf, (size_t)(cap = cap ? 2 * cap : 16) * sizeof(*nm));
			if (!nm)
				break;
			mf = nm;
		}
		m = &mf[n++];
		snprintf(m->model, sizeof(m->model), "%s", r->model);
		m->batch = r->batch;
		m->prec = r->precision;
		m->measured_s = r->latency_s;
		m->in_sample_s = m->lomo_s = NAN;
	}
	if (n > 1)
		qsort(mf, (size_t)n, sizeof(*mf), cmp_model_fit);
	for (int j = 0; j < n; j++) {
		gr_calib_prediction pr;
		gr_error err = {0};
		gr_fit_opts lo = *fo;
		if (tty) {
			fprintf(stderr, "\rcalibrate: leave-one-model-out %-24.24s %3d/%d", mf[j].model, j + 1, n);
			fflush(stderr);
		}
		if (!gr_calib_predict_model(cache, prof, mf[j].model, mf[j].batch, (gr_precision)mf[j].prec,
					    fo->hw, &pr, &err))
			mf[j].in_sample_s = pr.latency_s;
		if (!lomo)
			continue;
		lo.exclude_model = mf[j].model;
		lo.precision = mf[j].prec;
		lo.progress = NULL;
		lo.lomo = 0;
		/* one refit per model and precision serves all its batches (sorted together) */
		if (!j || mf[j].prec != mf[j - 1].prec || strcmp(mf[j].model, mf[j - 1].model)) {
			gr_profile_free(lp);
			lp = NULL;
			if (gr_profile_fit(set, &lo, &lp, &err))
				lp = NULL;
			/* the left-out model's classes the others lack borrow as the profile does */
			else if (borrow)
				gr_profile_borrow_classes(lp, fo->reg, &err);
		}
		if (lp && !gr_calib_predict_model(cache, lp, mf[j].model, mf[j].batch,
						  (gr_precision)mf[j].prec, fo->hw, &pr, &err))
			mf[j].lomo_s = pr.latency_s;
	}
	gr_profile_free(lp);
	if (tty && n)
		fprintf(stderr, "\r%70s\r", "");
	*out = mf;
	return n;
}

static double mape_of(const model_fit *mf, int n, int prec, int lomo, int *count)
{
	double s = 0;
	*count = 0;
	for (int j = 0; j < n; j++) {
		double p = lomo ? mf[j].lomo_s : mf[j].in_sample_s;
		if (mf[j].prec != prec || !isfinite(p))
			continue;
		s += fabs(p - mf[j].measured_s) / mf[j].measured_s;
		(*count)++;
	}
	return *count ? 100 * s / *count : NAN;
}

static cJSON *model_fits_json(const model_fit *mf, int n)
{
	cJSON *r = cJSON_CreateObject();
	for (int q = 0; q < GR_PREC_COUNT; q++) {
		cJSON *o = NULL, *arr = NULL;
		int c1, c2;
		double in = mape_of(mf, n, q, 0, &c1), lo = mape_of(mf, n, q, 1, &c2);
		for (int j = 0; j < n; j++) {
			cJSON *m;
			if (mf[j].prec != q)
				continue;
			if (!o) {
				o = cJSON_AddObjectToObject(r, gr_precision_name((gr_precision)q));
				if (c1)
					cJSON_AddNumberToObject(o, "in_sample_mape_pct", in);
				if (c2)
					cJSON_AddNumberToObject(o, "lomo_mape_pct", lo);
				arr = cJSON_AddArrayToObject(o, "models");
			}
			m = cJSON_CreateObject();
			cJSON_AddStringToObject(m, "model", mf[j].model);
			cJSON_AddNumberToObject(m, "batch", (double)mf[j].batch);
			cJSON_AddNumberToObject(m, "measured_ms", mf[j].measured_s * 1e3);
			if (isfinite(mf[j].in_sample_s))
				cJSON_AddNumberToObject(m, "in_sample_ms", mf[j].in_sample_s * 1e3);
			if (isfinite(mf[j].lomo_s))
				cJSON_AddNumberToObject(m, "lomo_ms", mf[j].lomo_s * 1e3);
			cJSON_AddItemToArray(arr, m);
		}
	}
	return r;
}

static void model_fits_print(FILE *out, const model_fit *mf, int n, int prec)
{
	int c1, c2, any = 0;
	double in = mape_of(mf, n, prec, 0, &c1), lo = mape_of(mf, n, prec, 1, &c2);
	for (int j = 0; j < n; j++) {
		char a[32] = "-", b[32] = "-", ta[32] = "-", tb[32] = "-", name[96];
		if (mf[j].prec != prec)
			continue;
		snprintf(name, sizeof(name), "%s", mf[j].model);
		if (mf[j].batch != 1)
			snprintf(name, sizeof(name), "%s b%lld", mf[j].model, (long long)mf[j].batch);
		if (!any++)
			fprintf(out, "  models       %-22s %10s %10s %8s %10s %8s\n", "(estimate, as 'graphs "
				"estimate')", "measured", "in sample", "error", "left out", "error");
		/* a fit with nothing left to leave out (one model) has no left-out figure: "-", not nan */
		if (isfinite(mf[j].in_sample_s)) {
			snprintf(a, sizeof(a), "%+.1f%%", 100 * (mf[j].in_sample_s / mf[j].measured_s - 1));
			snprintf(ta, sizeof(ta), "%.3f ms", mf[j].in_sample_s * 1e3);
		}
		if (isfinite(mf[j].lomo_s)) {
			snprintf(b, sizeof(b), "%+.1f%%", 100 * (mf[j].lomo_s / mf[j].measured_s - 1));
			snprintf(tb, sizeof(tb), "%.3f ms", mf[j].lomo_s * 1e3);
		}
		fprintf(out, "               %-22s %8.3f ms %10s %8s %10s %8s\n", name,
			mf[j].measured_s * 1e3, ta, a, tb, b);
	}
	if (any) {
		char l[32] = "-";
		if (c2)
			snprintf(l, sizeof(l), "%.1f%%", lo);
		fprintf(out, "  model error  in sample %.1f%% (%d model rows), leave-one-model-out %s (%d rows)\n",
			in, c1, l, c2);
	}
}

static void fmt_rate(double s_per_unit, double scale, char *buf, size_t size)
{
	if (s_per_unit > 0)
		snprintf(buf, size, "%.3g", 1.0 / s_per_unit / scale);
	else
		snprintf(buf, size, "-");
}

/* Rows that named a module another row of the same run named: fitted as one row (fit.c), which
 * a harness timing a module's kernels apart needs, and worth knowing for one that did not mean to. */
static void warn_merged(const gr_profile *p)
{
	for (int q = 0; q < GR_PREC_COUNT; q++) {
		gr_fit_precision fp;
		if (!gr_profile_precision_info(p, (gr_precision)q, &fp) && fp.merged_rows)
			fprintf(stderr, "warning: %s: %d measured rows name a module that another row of the same "
				"run names (first: %s); each such set is fitted as one row, its times summed\n",
				gr_precision_name((gr_precision)q), fp.merged_rows, fp.merged_example);
	}
}

static void print_table(FILE *out, const gr_profile *p, const char *saved, cJSON *rep, const model_fit *mf,
			int n_mf)
{
	char a[64], b[64];
	const gr_calib_conditions *cond = gr_profile_conditions(p);
	fprintf(out, "calibration profile %s\n", gr_profile_label(p));
	fprintf(out, "  from         %s (%d rows)\n", gr_profile_sources(p), gr_profile_total_rows(p));
	if (cond->threads > 0 || cond->torch[0])
		fprintf(out, "  conditions   threads %d%s%s%s%s\n", cond->threads, cond->torch[0] ? ", torch " : "",
			cond->torch, cond->governor[0] ? ", governor " : "", cond->governor);
	if (saved)
		fprintf(out, "  saved        %s\n", saved);
	for (int q = 0; q < GR_PREC_COUNT; q++) {
		gr_fit_quality fq;
		gr_fit_precision fp;
		const char *hdr[] = {"class", "ops", "op us", "GFLOP/s", "GB/s", "ns/weight", "FLOPs covered",
				     "median err", "p90 err"};
		gr_table *t;
		if (gr_profile_quality(p, (gr_precision)q, -1, &fq) || gr_profile_precision_info(p, (gr_precision)q, &fp))
			continue;
		fprintf(out, "\n%s: %d rows (%d subgraph/layer, %d model), batch %lld-%lld, models %s\n",
			gr_precision_name((gr_precision)q), fq.rows, fp.subgraph_rows, fp.model_rows,
			(long long)fq.batch_min, (long long)fq.batch_max, fp.models);
		fprintf(out, "  fit          R2(log) %.3f, subgraph error median %.1f%% p90 %.1f%%, "
			"in-sample model error mean %.1f%%\n", fq.r2, 100 * fq.median_ape, 100 * fq.p90_ape,
			100 * fp.model_mape);
		if (fp.merged_rows)
			fprintf(out, "  merged       %d rows named a module another row of their run named (first: %s): "
				"fitted with it as one row\n", fp.merged_rows, fp.merged_example);
		{
			gr_profile_accuracy pa;
			if (!gr_profile_accuracy_get(p, (gr_precision)q, &pa)) {
				fprintf(out, "  published    %d models%s%s; compute at 1/%.2f of peak, bytes at 1/%.2f of "
					"bandwidth, %.2f us per kernel, %.2f us per op\n", pa.models,
					pa.precision[0] ? ", published as " : "", pa.precision, pa.compute_factor,
					pa.bandwidth_factor, pa.kernel_s * 1e6, pa.op_s * 1e6);
				if (pa.frame_s > 0 || pa.context_bytes > 0 || pa.context_layers > 0)
					fprintf(out, "  dataflow     %.1f us per frame on the link; %s\n", pa.frame_s * 1e6,
						pa.context_bytes > 0 || pa.context_layers > 0 ? "contexts below"
											       : "one context for every network");
				if (pa.context_bytes > 0 || pa.context_layers > 0)
					fprintf(out, "  contexts     %.1f MB of weights and activations or %.0f layers per context (0: no "
						"limit), %.3f ms per switch, %.1f us per layer configured, pipeline fill %.2f "
						"frames\n", pa.context_bytes / 1e6, pa.context_layers, pa.context_s * 1e3,
						pa.context_layer_s * 1e6, pa.context_fill);
				if (pa.matrix_s > 0)
					fprintf(out, "  matmuls      %.2f us per matrix of a product of two activations\n",
						pa.matrix_s * 1e6);
				for (int m = 0; m < 2; m++)
					if (pa.rows[m])
						fprintf(out, "  %-12s %d rows, error in sample %.1f%%, leave-one-model-out "
							"%.1f%% (%d rows)\n", m ? "throughput" : "latency", pa.rows[m],
							100 * pa.mape_in_sample[m], 100 * pa.lomo_mape[m], pa.lomo_rows[m]);
				if (pa.skipped_mapping + pa.skipped_shape + pa.skipped_model)
					fprintf(out, "  left out     %d rows of a relative network (mapping), %d of another "
						"input shape than the zoo model's, %d of a model the zoo lacks\n",
						pa.skipped_mapping, pa.skipped_shape, pa.skipped_model);
				if (pa.skipped_placement)
					fprintf(out, "  left out     %d rows with layers on another unit than the row's "
						"(published layer placement: CPU fallback)\n", pa.skipped_placement);
				for (int h = 0; h < pa.harnesses; h++)
					fprintf(out, "  harness      %s: %.3f ms per step, %.2f us per op (host work of its "
						"tables' steps; not in estimates)\n", pa.harness_name[h],
						pa.harness_step_s[h] * 1e3, pa.harness_op_s[h] * 1e6);
			}
		}
		{
			/* graph compilers' spilled bytes replace their class's rate (docs/estimate.md) */
			const gr_fusion_rules *fr = gr_fusion_rules_find(gr_profile_runtime(p));
			int fused = fr && fr->fused_memory && fp.llc_bytes > 0;
			fprintf(out, "  platform     per kernel %.2f us, spilled bytes %s GB/s %s (beyond the %s, %s)%s\n",
				fp.kernel_s * 1e6,
				fp.spill_s_per_byte > 0 ? (fmt_rate(fp.spill_s_per_byte, 1e9, a, sizeof(a)), a) : "-",
				fused ? "instead of their class's" : "on top of their class's",
				fused ? "on-chip memory" : "last-level cache", gr_fmt_si(fp.llc_bytes, b, sizeof(b)),
				fp.emulated ? ", precision emulated: batch-parallel terms" : "");
		}
		model_fits_print(out, mf, n_mf, q);
		if (fp.has_energy)
			fprintf(out, "  energy       %.3g pJ/FLOP, %.3g pJ/byte, static %.2f W (%d rows)\n", fp.pj_per_flop,
				fp.pj_per_byte, fp.static_w, fp.energy_rows);
		if (fp.energy_pub_rows && !fp.energy_pub_scope)
			fprintf(out, "  energy       theoretical: %d row with published power, too few to fit (error as "
				"estimated %.1f%%)\n", fp.energy_pub_rows, 100 * fp.energy_pub_mape_theory);
		if (fp.energy_pub_scope) {
			char lomo[32] = "n/a (one model)", loro[32] = "n/a (one row)";
			if (!isnan(fp.energy_pub_lomo_mape))
				snprintf(lomo, sizeof(lomo), "%.1f%%", 100 * fp.energy_pub_lomo_mape);
			if (!isnan(fp.energy_pub_loro_mape))
				snprintf(loro, sizeof(loro), "%.1f%%", 100 * fp.energy_pub_loro_mape);
			fprintf(out, "  energy       x %.3f on the %s energy from published power (%d rows, %d models); "
				"error as estimated %.1f%%, fitted %.1f%%, leave-one-model-out %s, leave-one-row-out %s%s\n",
				fp.energy_pub_scale, fp.energy_pub_scope, fp.energy_pub_rows, fp.energy_pub_models,
				100 * fp.energy_pub_mape_theory, 100 * fp.energy_pub_mape_fit, lomo, loro,
				fp.energy_pub_clamped ? " (scale held at the idle..budget bound)" : "");
		}
		t = gr_table_new(9, hdr);
		for (int col = 1; t && col <= 8; col++)
			if (col != 6)
				gr_table_numeric(t, col);
		for (int k = 0; t && k < GR_OP_CLASS_COUNT; k++) {
			gr_fit_class c;
			gr_fit_quality cq;
			char ops[16], op[32], gf[32], gb[32], nw[32], cov[64], me[16], p9[16], f1[24], f2[24];
			if (gr_profile_class_info(p, (gr_precision)q, k, &c) || gr_profile_quality(p, (gr_precision)q, k, &cq))
				continue;
			snprintf(ops, sizeof(ops), "%d", c.points);
			snprintf(op, sizeof(op), "%.2f", c.op_s * 1e6);
			fmt_rate(c.s_per_flop, 1e9, gf, sizeof(gf));
			fmt_rate(c.s_per_byte, 1e9, gb, sizeof(gb));
			snprintf(nw, sizeof(nw), "%.3g", c.s_per_weight * 1e9);
			snprintf(cov, sizeof(cov), "%s-%s", gr_fmt_si(cq.f_min, f1, sizeof(f1)), gr_fmt_si(cq.f_max, f2, sizeof(f2)));
			snprintf(me, sizeof(me), isfinite(cq.median_ape) ? "%.1f%%" : "-", 100 * cq.median_ape);
			snprintf(p9, sizeof(p9), isfinite(cq.p90_ape) ? "%.1f%%" : "-", 100 * cq.p90_ape);
			const char *row[] = {gr_op_class_name(k), ops, op, gf, gb, nw, cov, me, p9};
			gr_table_add_row(t, row);
		}
		if (t)
			gr_table_write(t, GR_FMT_TABLE, out);
		gr_table_free(t);
		for (int k = 0; k < GR_OP_CLASS_COUNT; k++) {
			gr_fit_class c;
			if (gr_profile_class_info(p, (gr_precision)q, k, &c))
				continue;
			if (c.s_per_row > 0)
				fprintf(out, "  per row      %s: %.3g ns per reduction row (softmax, layer norm, Reduce*)\n",
					gr_op_class_name(k), c.s_per_row * 1e9);
			if (c.borrowed_from)
				fprintf(out, "  borrowed     %s: never measured here; its ratio to %s from %s\n",
					gr_op_class_name(k), gr_op_class_name(c.borrowed_of), c.borrowed_from);
			else if (c.flop_of >= 0)
				fprintf(out, "  FLOP rate    %s: that of %s (its ops span too few sizes or FLOPs per byte "
					"to tell compute from memory time)\n", gr_op_class_name(k), gr_op_class_name(c.flop_of));
		}
		if (rep) {
			cJSON *o = cJSON_GetObjectItemCaseSensitive(rep, gr_precision_name((gr_precision)q)), *it;
			cJSON *gaps = cJSON_GetObjectItemCaseSensitive(o, "gaps");
			cJSON *th = cJSON_GetObjectItemCaseSensitive(o, "theoretical_zoo_models");
			cJSON *ab = cJSON_GetObjectItemCaseSensitive(o, "at_bound");
			fprintf(out, "  at a physical bound (the data asked for more than the hardware's peak):\n");
			if (!cJSON_GetArraySize(ab))
				fprintf(out, "    none\n");
			cJSON_ArrayForEach(it, ab) {
				const char *coef = cJSON_GetObjectItemCaseSensitive(it, "coefficient")->valuestring;
				int flop = !strcmp(coef, "s_per_flop");
				double v = cJSON_GetObjectItemCaseSensitive(it, "value")->valuedouble;
				double bd = cJSON_GetObjectItemCaseSensitive(it, "bound")->valuedouble;
				fprintf(out, "    %-12s %-17s %s %s, bound %s %s%s\n",
					cJSON_GetObjectItemCaseSensitive(it, "class")->valuestring, coef,
					(fmt_rate(v, 1e9, a, sizeof(a)), a), flop ? "GFLOP/s" : "GB/s",
					(fmt_rate(bd, 1e9, b, sizeof(b)), b), flop ? "GFLOP/s" : "GB/s",
					cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "beyond")) ? " (beyond it)" : "");
			}
			fprintf(out, "  gaps:\n");
			if (!cJSON_GetArraySize(gaps))
				fprintf(out, "    none\n");
			cJSON_ArrayForEach(it, gaps)
				fprintf(out, "    %s\n", it->valuestring);
			fprintf(out, "  zoo models still estimated 'theoretical' (%d):\n", cJSON_GetArraySize(th));
			cJSON_ArrayForEach(it, th)
				fprintf(out, "    %-28s unfitted: %s\n",
					cJSON_GetObjectItemCaseSensitive(it, "model")->valuestring,
					cJSON_GetObjectItemCaseSensitive(it, "unfitted_classes")->valuestring);
		}
	}
}

int cmd_calibrate(int argc, char **argv)
{
	static const struct option opts[] = {
		{"hw", required_argument, 0, 'w'}, {"from", required_argument, 0, 'F'},
		{"runtime", required_argument, 0, 'r'}, {"precision", required_argument, 0, 'p'},
		{"no-lomo", no_argument, 0, 'L'}, {"min-models", required_argument, 0, 'M'},
		{"borrow", no_argument, 0, 'B'},
		{"exclude-model", required_argument, 0, 'x'}, {"out", required_argument, 0, 'o'},
		{"no-save", no_argument, 0, 'n'}, {"report", no_argument, 0, 'R'},
		{"format", required_argument, 0, 'f'}, {"stat", required_argument, 0, 's'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *from[64], *outpath = NULL, *statistic = "min";
	int n_from = 0, fmt = GR_FMT_TABLE, c, rc = EXIT_OK, no_save = 0, report = 0;
	int tty = isatty(2), no_lomo = 0, n_mf = 0, borrow = 0;
	model_fit *mf = NULL;
	gr_fit_opts fo = {0};
	gr_meas_set *set = NULL;
	gr_profile *prof = NULL;
	gr_hw_registry *reg = NULL;
	gr_calib_cache *cache = NULL;
	gr_error err = {0};
	char path[4400], dir[4096];
	cJSON *rep = NULL, *minima = NULL;
	const gr_hw *hw = NULL;
	int mode = -1;
	FILE *out;

	fo.precision = -1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "w:F:r:p:x:o:nRf:s:hLM:B", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(calibrate_help, stdout);
			return EXIT_OK;
		case 'w':
			fo.hw = optarg;
			break;
		case 'F':
			if (n_from == 64)
				return cli_usage("calibrate", "too many --from files");
			from[n_from++] = optarg;
			break;
		case 'r':
			if (!(fo.runtime = cli_runtime_parse("calibrate", optarg)))
				return EXIT_USAGE;
			break;
		case 'p':
			if ((fo.precision = gr_precision_parse(optarg)) < 0)
				return cli_usage("calibrate", "unknown precision '%s'", optarg);
			break;
		case 'L':
			no_lomo = 1;
			break;
		case 'B':
			borrow = 1;
			break;
		case 'M': {
			char *e;
			long v = strtol(optarg, &e, 10);
			if (*e || !*optarg || v < 0 || v > 100000)
				return cli_usage("calibrate", "--min-models is a whole number, not '%s'", optarg);
			fo.min_models = (int)v;
			break;
		}
		case 'x':
			fo.exclude_model = optarg;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'n':
			no_save = 1;
			break;
		case 's':
			if (strcmp(optarg, "median") && strcmp(optarg, "min") && strcmp(optarg, "p5") && strcmp(optarg, "mean"))
				return cli_usage("calibrate", "--stat is median, min, p5 or mean, not '%s'", optarg);
			statistic = optarg;
			break;
		case 'R':
			report = 1;
			break;
		case 'f':
			if ((fmt = cli_parse_format("calibrate", optarg)) < 0)
				return EXIT_USAGE;
			if (fmt != GR_FMT_TABLE && fmt != GR_FMT_JSON)
				return cli_usage("calibrate", "--format is table or json");
			break;
		default:
			return cli_usage("calibrate", "bad option");
		}
	}
	if (optind != argc)
		return cli_usage("calibrate", "unexpected argument '%s'", argv[optind]);
	if (!fo.hw)
		return cli_usage("calibrate", "--hw ID is required (see 'graphs hw list')");
	if (!n_from) {
		struct stat st;
		if (stat("graphs-bench.db", &st))
			return cli_usage("calibrate", "no measurements: give --from DB|CSV (no graphs-bench.db here)");
		from[n_from++] = "graphs-bench.db";
	}
	if (!(reg = cli_registry_load()))
		return EXIT_BAD_INPUT;
	if ((rc = cli_resolve_hw(reg, fo.hw, &hw, &mode)))
		goto done;
	if (gr_meas_set_new(&set, &err) || gr_meas_set_statistic(set, statistic, &err) ||
	    gr_calib_cache_new(reg, &cache, &err)) {
		rc = cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
		goto done;
	}
	for (int i = 0; i < n_from; i++) {
		size_t n = 0;
		if (gr_meas_load(set, from[i], &n, &err)) {
			rc = cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
			goto done;
		}
		if (tty)
			fprintf(stderr, "calibrate: %zu rows from %s\n", n, from[i]);
	}
	/* a benchmark database's minima that no second quiet round confirmed: fitted all the same */
	for (int i = 0; i < n_from; i++) {
		cJSON *m = rounds_check_db(from[i], stderr, "graphs calibrate");
		if (!minima)
			minima = m;
		else if (m) {
			cJSON *it;
			while ((it = cJSON_DetachItemFromArray(m, 0)))
				cJSON_AddItemToArray(minima, it);
			cJSON_Delete(m);
		}
	}
	if (gr_meas_skipped_count(set))
		fprintf(stderr, "calibrate: published rows left out: %s\n", gr_meas_skipped(set));
	fo.reg = reg;
	fo.cache = cache;
	/* published figures: record leave-one-model-out accuracy, unless this fit is itself one */
	fo.lomo = !fo.exclude_model && !no_lomo;
	if (tty) {
		fo.progress = progress;
		fo.progress_user = NULL;
	}
	if (gr_profile_fit(set, &fo, &prof, &err)) {
		if (tty)
			fputc('\n', stderr);
		rc = cli_fail(err.status == GR_ERR_USAGE ? EXIT_USAGE : EXIT_BAD_INPUT, "%s", err.msg);
		goto done;
	}
	if (tty)
		fprintf(stderr, "\r%78s\r", "");
	warn_merged(prof);
	if (borrow && gr_profile_borrow_classes(prof, reg, &err) < 0) {
		rc = cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
		goto done;
	}
	if (!no_save) {
		if (!outpath) {
			if (gr_calibration_user_dir(dir, sizeof(dir))) {
				rc = cli_fail(EXIT_BAD_INPUT, "no HOME or XDG_CONFIG_HOME to save the profile in: use --out FILE");
				goto done;
			}
			gr_profile_default_path(dir, fo.hw, gr_profile_runtime(prof), path, sizeof(path));
			outpath = path;
		}
		if (gr_profile_save(prof, outpath, &err)) {
			rc = cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
			goto done;
		}
		fprintf(stderr, "saved %s\n", outpath);
	}
	n_mf = model_fits(set, &fo, prof, cache, !no_lomo && !fo.exclude_model, borrow, tty, &mf);
	if (report)
		rep = report_json(prof, hw, mode, tty);
	out = cli_out_begin();
	if (fmt == GR_FMT_JSON) {
		cJSON *j = gr_profile_to_json(prof);
		if (!no_save)
			cJSON_AddStringToObject(j, "saved", outpath);
		if (n_mf)
			cJSON_AddItemToObject(j, "fit_quality", model_fits_json(mf, n_mf));
		if (rep) {
			cJSON_AddItemToObject(j, "report", rep);
			rep = NULL;
			if (minima) {
				cJSON_AddItemToObject(j, "unconfirmed_minima", minima);
				minima = NULL;
			}
		}
		cli_json_write(out, j);
	} else {
		print_table(out, prof, no_save ? NULL : outpath, rep, mf, n_mf);
	}
	cli_out_end(out, 1);
done:
	free(mf);
	cJSON_Delete(rep);
	cJSON_Delete(minima);
	gr_profile_free(prof);
	gr_calib_cache_free(cache);
	gr_meas_set_free(set);
	gr_hw_registry_free(reg);
	return rc;
}
