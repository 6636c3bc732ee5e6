/* Validation reports: the grouped figures of a gr_val_set as JSON (also the dashboard's data),
 * as aligned text tables or as markdown. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "graphs/report.h"
#include "graphs/validate.h"
#include "validation/validate_impl.h"

const val_section val_sections[] = {
	{"overall", "All platforms together", -1,
	 GR_VAL_BY_LEVEL | GR_VAL_BY_SPLIT},
	{"summary", "By platform and precision", -1,
	 GR_VAL_BY_LEVEL | GR_VAL_BY_SPLIT | GR_VAL_BY_PLATFORM | GR_VAL_BY_PRECISION},
	{"by_platform", "By platform", -1,
	 GR_VAL_BY_LEVEL | GR_VAL_BY_SPLIT | GR_VAL_BY_PLATFORM},
	{"by_op_class", "Subgraphs by op class", GR_VAL_LEVEL_SUBGRAPH,
	 GR_VAL_BY_LEVEL | GR_VAL_BY_SPLIT | GR_VAL_BY_PLATFORM | GR_VAL_BY_OP_CLASS},
	{"by_model", "Whole models by model", GR_VAL_LEVEL_MODEL,
	 GR_VAL_BY_LEVEL | GR_VAL_BY_SPLIT | GR_VAL_BY_PLATFORM | GR_VAL_BY_MODEL},
	{"by_model_throughput", "Whole models by model", GR_VAL_LEVEL_THROUGHPUT,
	 GR_VAL_BY_LEVEL | GR_VAL_BY_SPLIT | GR_VAL_BY_PLATFORM | GR_VAL_BY_MODEL},
	{"by_precision", "By precision", -1,
	 GR_VAL_BY_LEVEL | GR_VAL_BY_SPLIT | GR_VAL_BY_PRECISION},
	{"by_batch", "By batch", -1,
	 GR_VAL_BY_LEVEL | GR_VAL_BY_SPLIT | GR_VAL_BY_PLATFORM | GR_VAL_BY_BATCH},
};
const size_t val_n_sections = sizeof(val_sections) / sizeof(val_sections[0]);

static cJSON *num_or_null(double x)
{
	return isfinite(x) ? cJSON_CreateNumber(x) : cJSON_CreateNull();
}

/* Rounds to 6 significant digits so that the JSON stays short and diffs stay quiet. */
static double tidy(double x)
{
	char buf[32];
	if (!isfinite(x))
		return x;
	snprintf(buf, sizeof(buf), "%.6g", x);
	return strtod(buf, NULL);
}

static int add_metrics(cJSON *o, const gr_val_metrics *m)
{
	return cJSON_AddItemToObject(o, "n", cJSON_CreateNumber((double)m->n)) &&
	       cJSON_AddItemToObject(o, "mape", num_or_null(tidy(m->mape))) &&
	       cJSON_AddItemToObject(o, "median_ape", num_or_null(tidy(m->median_ape))) &&
	       cJSON_AddItemToObject(o, "max_ape", num_or_null(tidy(m->max_ape))) &&
	       cJSON_AddItemToObject(o, "within10", num_or_null(tidy(m->within10))) &&
	       cJSON_AddItemToObject(o, "bias", num_or_null(tidy(m->bias))) &&
	       cJSON_AddItemToObject(o, "pearson", num_or_null(tidy(m->pearson))) &&
	       cJSON_AddItemToObject(o, "spearman", num_or_null(tidy(m->spearman))) &&
	       cJSON_AddItemToObject(o, "rmse_ms", num_or_null(tidy(m->rmse_ms)));
}

static int add_str(cJSON *o, const char *k, const char *v)
{
	return cJSON_AddItemToObject(o, k, v ? cJSON_CreateString(v) : cJSON_CreateNull()) != 0;
}

static cJSON *group_json(const gr_val_group *g, unsigned keys)
{
	cJSON *o = cJSON_CreateObject();
	int ok = o != NULL;

	if (ok && (keys & GR_VAL_BY_LEVEL))
		ok = add_str(o, "level", gr_val_level_name(g->key.level));
	if (ok && (keys & GR_VAL_BY_SPLIT))
		ok = add_str(o, "split", gr_val_split_name(g->key.split));
	if (ok && (keys & GR_VAL_BY_PLATFORM))
		ok = add_str(o, "platform", g->key.platform);
	if (ok && (keys & GR_VAL_BY_PRECISION))
		ok = add_str(o, "precision", g->key.precision);
	if (ok && (keys & GR_VAL_BY_MODEL))
		ok = add_str(o, "model", g->key.model);
	if (ok && (keys & GR_VAL_BY_OP_CLASS))
		ok = add_str(o, "op_class", g->key.op_class);
	if (ok && (keys & GR_VAL_BY_BATCH))
		ok = cJSON_AddNumberToObject(o, "batch", (double)g->key.batch) != NULL;
	if (ok)
		ok = add_metrics(o, &g->m);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *point_json(const gr_val_point *p)
{
	cJSON *o = cJSON_CreateObject();
	double ape = p->measured_ms > 0 ? fabs(p->predicted_ms - p->measured_ms) / p->measured_ms * 100
					: NAN;
	int ok = o && add_str(o, "level", gr_val_level_name(p->level)) &&
		 add_str(o, "split", gr_val_split_name(p->split)) &&
		 add_str(o, "platform", p->platform) && add_str(o, "model", p->model) &&
		 add_str(o, "precision", p->precision) &&
		 cJSON_AddNumberToObject(o, "batch", (double)p->batch);
	if (ok && p->level == GR_VAL_LEVEL_SUBGRAPH)
		ok = cJSON_AddNumberToObject(o, "subgraph", p->subgraph) &&
		     add_str(o, "op_class", p->op_class);
	if (ok)
		ok = cJSON_AddItemToObject(o, "measured_ms", num_or_null(tidy(p->measured_ms))) &&
		     cJSON_AddItemToObject(o, "predicted_ms", num_or_null(tidy(p->predicted_ms))) &&
		     cJSON_AddItemToObject(o, "ape", num_or_null(tidy(ape))) &&
		     add_str(o, "confidence", p->confidence) &&
		     cJSON_AddNumberToObject(o, "rows", p->rows > 1 ? p->rows : 1);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Rows scored inside another row's pair (a group of rows naming one module), and those pairs. */
static size_t merged_rows(const gr_val_set *s, size_t *pairs)
{
	size_t merged = 0;

	*pairs = 0;
	for (size_t i = 0; i < gr_val_set_count(s); i++) {
		int r = gr_val_set_at(s, i)->rows;
		if (r > 1) {
			merged += (size_t)r - 1;
			(*pairs)++;
		}
	}
	return merged;
}

gr_status val_report_build(const gr_val_set *s, const gr_val_meta *meta, cJSON **out, gr_error *err)
{
	cJSON *root = cJSON_CreateObject(), *arr;
	gr_val_group *g = NULL;
	size_t ng = 0, counts[GR_VAL_LEVEL_COUNT] = {0}, merged_pairs;
	gr_status st;

	*out = NULL;
	if (!root)
		goto oom;
	if (!add_str(root, "hardware", meta ? meta->hardware : NULL) ||
	    !add_str(root, "cv", meta && meta->cv ? meta->cv : "none") ||
	    !add_str(root, "precision", meta ? meta->precision : NULL) ||
	    !add_str(root, "generated", meta ? meta->generated : NULL))
		goto oom;
	if (!(arr = cJSON_AddArrayToObject(root, "sources")))
		goto oom;
	for (size_t i = 0; meta && i < meta->n_sources; i++)
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(meta->sources[i])))
			goto oom;
	if (!(arr = cJSON_AddArrayToObject(root, "notes")))
		goto oom;
	for (size_t i = 0; meta && i < meta->n_notes; i++)
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(meta->notes[i])))
			goto oom;
	for (size_t i = 0; i < gr_val_set_note_count(s); i++)
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(gr_val_set_note_at(s, i))))
			goto oom;
	for (size_t i = 0; i < gr_val_set_count(s); i++)
		counts[gr_val_set_at(s, i)->level]++;
	if (!cJSON_AddNumberToObject(root, "model_pairs", (double)counts[GR_VAL_LEVEL_MODEL]) ||
	    !cJSON_AddNumberToObject(root, "subgraph_pairs", (double)counts[GR_VAL_LEVEL_SUBGRAPH]) ||
	    !cJSON_AddNumberToObject(root, "throughput_pairs", (double)counts[GR_VAL_LEVEL_THROUGHPUT]) ||
	    !cJSON_AddNumberToObject(root, "merged_rows", (double)merged_rows(s, &merged_pairs)))
		goto oom;
	for (size_t k = 0; k < val_n_sections; k++) {
		const val_section *sec = &val_sections[k];
		gr_val_filter f = GR_VAL_FILTER_ALL;
		f.level = sec->level;
		if ((st = gr_val_group_by(s, &f, sec->keys, &g, &ng, err)))
			goto fail;
		if (!(arr = cJSON_AddArrayToObject(root, sec->name)))
			goto oom;
		for (size_t i = 0; i < ng; i++) {
			cJSON *o = group_json(&g[i], sec->keys);
			if (!o || !cJSON_AddItemToArray(arr, o)) {
				cJSON_Delete(o);
				goto oom;
			}
		}
		free(g);
		g = NULL;
	}
	if (!(arr = cJSON_AddArrayToObject(root, "points")))
		goto oom;
	for (size_t i = 0; i < gr_val_set_count(s); i++) {
		cJSON *o = point_json(gr_val_set_at(s, i));
		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			goto oom;
		}
	}
	*out = root;
	return GR_OK;
oom:
	st = gr_error_set(err, GR_ERR_NOMEM, "validation report: out of memory");
fail:
	free(g);
	cJSON_Delete(root);
	return st;
}

gr_status gr_val_report_json(const gr_val_set *s, const gr_val_meta *meta, char **out, gr_error *err)
{
	cJSON *root;
	gr_status st;

	if (!out)
		return gr_error_set(err, GR_ERR_USAGE, "validation report: no output given");
	*out = NULL;
	if ((st = val_report_build(s, meta, &root, err)))
		return st;
	*out = cJSON_Print(root);
	cJSON_Delete(root);
	if (!*out)
		return gr_error_set(err, GR_ERR_NOMEM, "validation report: out of memory");
	return GR_OK;
}

/* --- text tables -------------------------------------------------------------------------- */

static void fmt_pct(char *buf, size_t n, double x)
{
	if (fabs(x) < 0.05)
		x = 0; /* no "-0.0" */
	if (isfinite(x))
		snprintf(buf, n, "%.1f", x);
	else
		snprintf(buf, n, "-");
}

static void fmt_r(char *buf, size_t n, double x)
{
	if (isfinite(x))
		snprintf(buf, n, "%.3f", x);
	else
		snprintf(buf, n, "-");
}

static void fmt_g(char *buf, size_t n, double x)
{
	if (isfinite(x) && fabs(x) >= 100)
		snprintf(buf, n, "%.0f", x);
	else if (isfinite(x))
		snprintf(buf, n, "%.3g", x);
	else
		snprintf(buf, n, "-");
}

enum { MAX_COLS = 20 };

static gr_status write_section(const gr_val_set *s, const val_section *sec, int fmt, FILE *out,
			       gr_error *err)
{
	static const struct {
		unsigned key;
		const char *head;
	} key_cols[] = {
		{GR_VAL_BY_SPLIT, "split"},         {GR_VAL_BY_PLATFORM, "platform"},
		{GR_VAL_BY_PRECISION, "precision"}, {GR_VAL_BY_MODEL, "model"},
		{GR_VAL_BY_OP_CLASS, "op class"},   {GR_VAL_BY_BATCH, "batch"},
	};
	static const char *const metric_heads[] = {"n",    "MAPE %",  "median %", "max %",
						   "within10 %", "bias %", "pearson",  "spearman",
						   "RMSE ms"};
	static const char *const level_title[GR_VAL_LEVEL_COUNT] = {
		"Whole-model latency", "Subgraph latency",
		"Whole-model throughput (as ms per batch: 1000 * batch / FPS)"};
	gr_val_filter f = GR_VAL_FILTER_ALL;
	gr_val_group *g = NULL;
	size_t ng = 0;
	gr_status st;

	for (int level = 0; level < GR_VAL_LEVEL_COUNT; level++) {
		const char *heads[MAX_COLS];
		int nk = 0, nc = 0;
		gr_table *t;

		if (sec->level >= 0 && sec->level != level)
			continue;
		f.level = level;
		if ((st = gr_val_group_by(s, &f, sec->keys, &g, &ng, err)))
			return st;
		if (!ng)
			continue;
		for (size_t k = 0; k < sizeof(key_cols) / sizeof(key_cols[0]); k++)
			if (sec->keys & key_cols[k].key)
				heads[nc++] = key_cols[k].head;
		nk = nc;
		for (size_t k = 0; k < sizeof(metric_heads) / sizeof(metric_heads[0]); k++)
			heads[nc++] = metric_heads[k];
		if (!(t = gr_table_new(nc, heads))) {
			free(g);
			return gr_error_set(err, GR_ERR_NOMEM, "validation report: out of memory");
		}
		for (int c = nk; c < nc; c++)
			gr_table_numeric(t, c);
		if (sec->keys & GR_VAL_BY_BATCH)
			gr_table_numeric(t, nk - 1);
		for (size_t i = 0; i < ng; i++) {
			char cells[MAX_COLS][64];
			const char *row[MAX_COLS];
			const gr_val_group *x = &g[i];
			int c = 0;
			if (sec->keys & GR_VAL_BY_SPLIT)
				snprintf(cells[c++], 64, "%s", gr_val_split_name(x->key.split));
			if (sec->keys & GR_VAL_BY_PLATFORM)
				snprintf(cells[c++], 64, "%s", x->key.platform ? x->key.platform : "");
			if (sec->keys & GR_VAL_BY_PRECISION)
				snprintf(cells[c++], 64, "%s", x->key.precision ? x->key.precision : "");
			if (sec->keys & GR_VAL_BY_MODEL)
				snprintf(cells[c++], 64, "%s", x->key.model ? x->key.model : "");
			if (sec->keys & GR_VAL_BY_OP_CLASS)
				snprintf(cells[c++], 64, "%s", x->key.op_class ? x->key.op_class : "");
			if (sec->keys & GR_VAL_BY_BATCH)
				snprintf(cells[c++], 64, "%lld", (long long)x->key.batch);
			snprintf(cells[c++], 64, "%zu", x->m.n);
			fmt_pct(cells[c++], 64, x->m.mape);
			fmt_pct(cells[c++], 64, x->m.median_ape);
			fmt_pct(cells[c++], 64, x->m.max_ape);
			fmt_pct(cells[c++], 64, x->m.within10);
			fmt_pct(cells[c++], 64, x->m.bias);
			fmt_r(cells[c++], 64, x->m.pearson);
			fmt_r(cells[c++], 64, x->m.spearman);
			fmt_g(cells[c++], 64, x->m.rmse_ms);
			for (int k = 0; k < c; k++)
				row[k] = cells[k];
			if (!gr_table_add_row(t, row)) {
				gr_table_free(t);
				free(g);
				return gr_error_set(err, GR_ERR_NOMEM, "validation report: out of memory");
			}
		}
		fprintf(out, fmt == GR_FMT_MARKDOWN ? "\n### %s: %s\n\n" : "\n%s: %s\n", level_title[level],
			sec->title);
		gr_table_write(t, fmt, out);
		gr_table_free(t);
		free(g);
		g = NULL;
	}
	return GR_OK;
}

gr_status gr_val_report_write(const gr_val_set *s, const gr_val_meta *meta, int fmt, FILE *out,
			      gr_error *err)
{
	/* sections in the text report; by_platform and by_precision repeat the summary there */
	static const char *const shown[] = {"overall", "summary", "by_op_class", "by_model",
					    "by_model_throughput", "by_batch"};
	size_t counts[GR_VAL_LEVEL_COUNT] = {0}, platforms = 0, merged, merged_pairs;
	gr_val_group *g = NULL;
	gr_status st;

	if (fmt != GR_FMT_TABLE && fmt != GR_FMT_MARKDOWN)
		return gr_error_set(err, GR_ERR_USAGE, "validation report: table or markdown only");
	for (size_t i = 0; i < gr_val_set_count(s); i++)
		counts[gr_val_set_at(s, i)->level]++;
	if ((st = gr_val_group_by(s, NULL, GR_VAL_BY_PLATFORM, &g, &platforms, err)))
		return st;
	free(g);
	if (fmt == GR_FMT_MARKDOWN)
		fprintf(out, "## Validation: %s\n\n", meta && meta->hardware ? meta->hardware : "");
	else
		fprintf(out, "validation: %s\n", meta && meta->hardware ? meta->hardware : "");
	fprintf(out, "%scross-validation: %s; %zu whole-model and %zu subgraph pairs", fmt == GR_FMT_MARKDOWN ? "- " : "",
		meta && meta->cv && strcmp(meta->cv, "none") ? "leave one model out" : "none", counts[0],
		counts[1]);
	if (counts[GR_VAL_LEVEL_THROUGHPUT])
		fprintf(out, ", %zu throughput pairs", counts[GR_VAL_LEVEL_THROUGHPUT]);
	if ((merged = merged_rows(s, &merged_pairs)))
		fprintf(out, " (%zu subgraph pairs of rows naming one module hold %zu more rows)", merged_pairs,
			merged);
	fprintf(out, " on %zu platform%s\n", platforms, platforms == 1 ? "" : "s");
	for (size_t i = 0; meta && i < meta->n_sources; i++)
		fprintf(out, "%smeasurements: %s\n", fmt == GR_FMT_MARKDOWN ? "- " : "", meta->sources[i]);
	for (size_t i = 0; meta && i < meta->n_notes; i++)
		fprintf(out, "%snote: %s\n", fmt == GR_FMT_MARKDOWN ? "- " : "", meta->notes[i]);
	for (size_t i = 0; i < gr_val_set_note_count(s); i++)
		fprintf(out, "%snote: %s\n", fmt == GR_FMT_MARKDOWN ? "- " : "", gr_val_set_note_at(s, i));
	for (size_t k = 0; k < sizeof(shown) / sizeof(shown[0]); k++)
		for (size_t j = 0; j < val_n_sections; j++) {
			if (strcmp(val_sections[j].name, shown[k]))
				continue;
			/* with one platform the overall table repeats the per-platform one */
			if (!strcmp(shown[k], "overall") && platforms < 2)
				continue;
			if ((st = write_section(s, &val_sections[j], fmt, out, err)))
				return st;
		}
	fprintf(out, "\n%sAPE = |predicted - measured| / measured. ID = models seen in calibration;"
		" OOD = unseen models (ood_model) or uncalibrated platforms (ood_platform).\n",
		fmt == GR_FMT_MARKDOWN ? "" : "");
	return GR_OK;
}
