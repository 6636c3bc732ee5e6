/* Running a validation: measured rows (calibrate.h's measurement sets) are predicted with each
 * platform's calibration profile, or, with leave-one-model-out cross-validation, with profiles
 * refitted without the scored model; the pairs go into a gr_val_set marked in- or
 * out-of-distribution. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "graphs/calibrate.h"
#include "graphs/validate.h"
#include "calibration/profile_json.h"

typedef struct run_ctx {
	const gr_meas_set *m;
	const gr_val_opts *o;
	const char *runtime;
	gr_val_set *out;
	gr_calib_cache *cache;
	const gr_meas_row **rows; /* the selected rows */
	size_t n_rows;
	const gr_meas_row **by_run; /* the subgraph rows sorted by model run */
	size_t *run_at, *run_n;     /* row i's run: by_run[run_at[i]], run_n[i] rows */
	size_t *run_pos;            /* row i is by_run[run_pos[i]] */
	int *group;                 /* by_run[j] is scored in the pair of by_run[run start + group[j]],
				     * the first row of its group in its run (gr_calib_row_groups) */
	const gr_meas_row **grp;    /* room for a group's rows */
	int done, total;
} run_ctx;

typedef struct keyed {
	const gr_meas_row *r;
	size_t i;
} keyed;

/* Calibration's key of a model run: hw, precision, model, batch and run. */
static int cmp_key(const gr_meas_row *x, const gr_meas_row *y)
{
	int d = strcmp(x->hw, y->hw);
	if (!d)
		d = (x->precision > y->precision) - (x->precision < y->precision);
	if (!d)
		d = strcmp(x->model, y->model);
	if (!d)
		d = (x->batch > y->batch) - (x->batch < y->batch);
	if (!d)
		d = (x->run > y->run) - (x->run < y->run);
	return d;
}

/* ... then the rows' order (qsort is not stable) */
static int cmp_run(const void *a, const void *b)
{
	const keyed *x = a, *y = b;
	int d = cmp_key(x->r, y->r);
	return d ? d : (x->i > y->i) - (x->i < y->i);
}

/* Groups the subgraph rows by model run: a row is predicted among its run's rows, so that a
 * module timed less its parts is predicted less the ops they take, as calibration matches them;
 * rows of a run that name one module are scored as one pair, as calibration fits them. */
static int group_runs(run_ctx *c)
{
	keyed *k = malloc((c->n_rows ? c->n_rows : 1) * sizeof(*k));
	size_t n = 0;
	gr_error e = {0};

	c->by_run = malloc((c->n_rows ? c->n_rows : 1) * sizeof(*c->by_run));
	c->run_at = calloc(c->n_rows ? c->n_rows : 1, sizeof(*c->run_at));
	c->run_n = calloc(c->n_rows ? c->n_rows : 1, sizeof(*c->run_n));
	c->run_pos = calloc(c->n_rows ? c->n_rows : 1, sizeof(*c->run_pos));
	c->group = calloc(c->n_rows ? c->n_rows : 1, sizeof(*c->group));
	c->grp = malloc((c->n_rows ? c->n_rows : 1) * sizeof(*c->grp));
	if (!k || !c->by_run || !c->run_at || !c->run_n || !c->run_pos || !c->group || !c->grp) {
		free(k);
		return -1;
	}
	for (size_t i = 0; i < c->n_rows; i++)
		if (c->rows[i]->kind == GR_MEAS_SUBGRAPH)
			k[n++] = (keyed){c->rows[i], i};
	qsort(k, n, sizeof(*k), cmp_run);
	for (size_t lo = 0, hi; lo < n; lo = hi) {
		for (hi = lo + 1; hi < n && !cmp_key(k[lo].r, k[hi].r); hi++)
			;
		for (size_t j = lo; j < hi; j++) {
			c->by_run[j] = k[j].r;
			c->run_at[k[j].i] = lo;
			c->run_n[k[j].i] = hi - lo;
			c->run_pos[k[j].i] = j;
		}
		if (gr_calib_row_groups(c->by_run + lo, hi - lo, c->group + lo, &e)) {
			free(k);
			return -1;
		}
	}
	free(k);
	return 0;
}

/* Notes how many of the platform's rows were scored in another row's pair, with the first case
 * ("vit_b_32 b1: subgraphs 3, 4, 5"), as `graphs calibrate` reports the rows it merged. */
static void note_merged(run_ctx *c, const char *platform)
{
	size_t merged = 0;
	char ex[256];

	for (size_t i = 0; i < c->n_rows; i++) {
		size_t j = c->run_pos[i], lo = c->run_at[i];
		if (c->rows[i]->kind != GR_MEAS_SUBGRAPH || strcmp(c->rows[i]->hw, platform) ||
		    (size_t)c->group[j] == j - lo)
			continue;
		if (!merged++)
			gr_calib_group_example(ex, sizeof(ex), c->by_run + lo, c->run_n[i], c->group + lo,
					       c->group[j]);
	}
	if (!merged)
		return;
	gr_val_set_note(c->out, "%s: %zu subgraph rows name a module that another row of their model run "
			"names too (a module's kernels timed one by one) and are scored in one pair with it, "
			"their times summed, as calibration fits them; the first: %s",
			platform, merged, ex);
}

/* "id" selects every mode of the platform; "id:mode" that mode only. */
static int hw_selected(const gr_val_opts *o, const char *spec)
{
	if (!spec)
		return 0;
	if (!o->n_hw)
		return 1;
	for (size_t i = 0; i < o->n_hw; i++) {
		const char *want = o->hw[i];
		size_t n = strlen(want);
		if (!strcmp(want, spec))
			return 1;
		if (!strchr(want, ':') && !strncmp(want, spec, n) && spec[n] == ':')
			return 1;
	}
	return 0;
}

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Distinct strings of a list, sorted. *out is malloc'ed (strings borrowed). */
static size_t distinct(const char **v, size_t n, const char ***out)
{
	const char **d = malloc((n ? n : 1) * sizeof(*d));
	size_t k = 0;

	*out = d;
	if (!d)
		return 0;
	memcpy(d, v, n * sizeof(*d));
	qsort(d, n, sizeof(*d), cmp_str_ptr);
	for (size_t i = 0; i < n; i++)
		if (!k || strcmp(d[k - 1], d[i]))
			d[k++] = d[i];
	return k;
}

/* Whether a model is in a "models" entry: a comma-separated string or an array of names. */
static int names_model(const cJSON *v, const char *model)
{
	const cJSON *c;
	size_t n = strlen(model);

	if (cJSON_IsString(v)) {
		for (const char *p = v->valuestring; p && *p;) {
			const char *e = strchr(p, ',');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			while (len && *p == ' ')
				p++, len--;
			while (len && p[len - 1] == ' ')
				len--;
			if (len == n && !strncmp(p, model, n))
				return 1;
			p = e ? e + 1 : NULL;
		}
		return 0;
	}
	cJSON_ArrayForEach(c, v) {
		if (cJSON_IsString(c) && !strcmp(c->valuestring, model))
			return 1;
	}
	return 0;
}

/* The "models" entry of a profile's JSON for one precision: the fit of each precision lists
 * the models it was fitted on (precisions.<p>.models); a list for the whole profile (top level
 * or provenance.models) is taken when the precision has none. NULL when the profile does not
 * say. calibrate.h has no accessor for this yet, hence the JSON. */
static const cJSON *profile_models(const cJSON *doc, const char *prec)
{
	const cJSON *v, *pv;

	if (!doc)
		return NULL;
	pv = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "precisions"), prec);
	if ((v = cJSON_GetObjectItemCaseSensitive(pv, "models")) && (cJSON_IsString(v) || cJSON_IsArray(v)))
		return v;
	if ((v = cJSON_GetObjectItemCaseSensitive(doc, "models")) && (cJSON_IsString(v) || cJSON_IsArray(v)))
		return v;
	pv = cJSON_GetObjectItemCaseSensitive(doc, "provenance");
	if ((v = cJSON_GetObjectItemCaseSensitive(pv, "models")) && (cJSON_IsString(v) || cJSON_IsArray(v)))
		return v;
	return NULL;
}

static void progress(run_ctx *c, const char *what)
{
	if (c->o->progress)
		c->o->progress(c->o->progress_user, c->done, c->total, what);
}

/* Predicts the platform's rows (of one model when model is not NULL) with p (NULL:
 * theoretical). split_of gives each row's split. Rows that fail are counted. */
typedef gr_val_split (*split_fn)(const gr_meas_row *r, void *user);

static gr_status predict_rows(run_ctx *c, const char *platform, const char *model,
			      const gr_profile *p, split_fn split_of, void *user, size_t *failed,
			      char *first_fail, size_t ff_size, gr_error *err)
{
	gr_status st;

	for (size_t i = 0; i < c->n_rows; i++) {
		const gr_meas_row *r = c->rows[i], *const *run = c->by_run + c->run_at[i], *one[1] = {r};
		const gr_meas_row *const *grp = one;
		size_t n_grp = 1;
		gr_calib_prediction pred;
		gr_error e = {0};
		gr_val_point pt;
		double measured_s = r->latency_s;

		if (strcmp(r->hw, platform) || (model && strcmp(r->model, model)))
			continue;
		if (r->kind == GR_MEAS_SUBGRAPH) {
			/* a row of a group is scored in its first row's pair (gr_calib_row_groups) */
			size_t j = c->run_pos[i], lo = c->run_at[i], hi = lo + c->run_n[i];
			if ((size_t)c->group[j] != j - lo)
				continue;
			n_grp = 0;
			measured_s = 0;
			for (size_t t = j; t < hi; t++)
				if ((size_t)c->group[t] == j - lo) {
					c->grp[n_grp++] = c->by_run[t];
					measured_s += c->by_run[t]->latency_s;
				}
			grp = c->grp;
		}
		if (!gr_calib_predict_run_rows(c->cache, p, grp, n_grp, run, c->run_n[i], &pred, &e) &&
		    r->metric == GR_METRIC_THROUGHPUT &&
		    !(pred.throughput_per_s > 0 && isfinite(pred.throughput_per_s)))
			gr_error_set(&e, GR_ERR_UNSUPPORTED, "%s on %s: no steady-state throughput estimated",
				     r->model, r->hw);
		if (e.status) {
			if (!*failed && first_fail)
				snprintf(first_fail, ff_size, "%.*s", (int)(ff_size ? ff_size - 1 : 0), e.msg);
			*failed += n_grp;
			continue;
		}
		memset(&pt, 0, sizeof(pt));
		pt.level = r->kind == GR_MEAS_SUBGRAPH ? GR_VAL_LEVEL_SUBGRAPH : GR_VAL_LEVEL_MODEL;
		if (r->metric == GR_METRIC_THROUGHPUT) {
			/* steady state: compared as the period of one batch, like latencies in ms */
			pt.level = GR_VAL_LEVEL_THROUGHPUT;
			pt.measured_ms = 1e3 * (double)r->batch / r->throughput_per_s;
			pt.predicted_ms = 1e3 * (double)r->batch / pred.throughput_per_s;
		} else {
			pt.measured_ms = measured_s * 1e3;
			pt.predicted_ms = pred.latency_s * 1e3;
		}
		pt.platform = r->hw;
		pt.model = r->model;
		pt.precision = gr_precision_name((gr_precision)r->precision);
		pt.op_class = r->kind == GR_MEAS_SUBGRAPH ? (r->optype ? r->optype : "unknown") : NULL;
		pt.confidence = gr_confidence_name(pred.confidence);
		pt.batch = r->batch;
		pt.subgraph = r->kind == GR_MEAS_SUBGRAPH ? r->subgraph : -1;
		pt.rows = (int)n_grp;
		pt.split = split_of(r, user);
		if ((st = gr_val_set_add(c->out, &pt, err)))
			return st;
	}
	return GR_OK;
}

typedef struct shipped_split {
	const gr_profile *p;
	const cJSON *doc;    /* the profile as JSON, for the models it was fitted on */
	int unlisted;        /* a precision whose models are not listed was met */
} shipped_split;

static gr_val_split split_shipped(const gr_meas_row *r, void *user)
{
	shipped_split *s = user;
	const cJSON *models;

	if (!s->p || !gr_profile_has_precision(s->p, (gr_precision)r->precision))
		return GR_VAL_OOD_PLATFORM;
	models = profile_models(s->doc, gr_precision_name((gr_precision)r->precision));
	if (!models) {
		/* the profile does not say: count the model as seen, and say so */
		s->unlisted = 1;
		return GR_VAL_ID;
	}
	return names_model(models, r->model) ? GR_VAL_ID : GR_VAL_OOD_MODEL;
}

static gr_val_split split_const(const gr_meas_row *r, void *user)
{
	(void)r;
	return *(const gr_val_split *)user;
}

/* The platform's rows with its shipped profile (or theoretically without one). */
static gr_status run_shipped(run_ctx *c, const char *platform, size_t *failed, char *ff,
			     size_t ffs, gr_error *err)
{
	gr_profile *p = NULL;
	gr_error e = {0};
	shipped_split sp = {NULL, NULL, 0};
	gr_status st;

	progress(c, platform);
	st = gr_profile_find_load(platform, c->runtime, &p, &e);
	if (st == GR_ERR_NOT_FOUND) {
		gr_val_set_note(c->out, "%s: no calibration profile for runtime '%s'; theoretical "
				"estimates, counted as out-of-distribution (unseen platform)",
				platform, c->runtime);
	} else if (st) {
		return gr_error_set(err, st, "%s", e.msg);
	} else {
		sp.p = p;
		sp.doc = gr_profile_to_json(p);
		gr_val_set_note(c->out, "%s: profile %s", platform, gr_profile_label(p));
	}
	st = predict_rows(c, platform, NULL, p, split_shipped, &sp, failed, ff, ffs, err);
	if (sp.unlisted)
		gr_val_set_note(c->out, "%s: the profile does not list the models it was fitted on for "
				"every precision; those models are counted as in-distribution", platform);
	c->done++;
	cJSON_Delete((cJSON *)sp.doc);
	gr_profile_free(p);
	return st;
}

/* Leave-one-model-out: one fit on every row (in-sample figures), then one fit per model
 * without it, scoring that model. */
static gr_status run_cv(run_ctx *c, const char *platform, const char **models, size_t n_models,
			size_t *failed, char *ff, size_t ffs, gr_error *err)
{
	gr_fit_opts fo;
	gr_status st = GR_OK;
	char what[256];

	memset(&fo, 0, sizeof(fo));
	fo.hw = platform;
	fo.precision = c->o->precision;
	fo.runtime = c->runtime;
	fo.reg = c->o->reg;
	fo.cache = c->cache;
	for (size_t k = 0; k <= n_models && !st; k++) {
		gr_profile *p = NULL;
		gr_error e = {0};
		gr_val_split split = k ? GR_VAL_OOD_MODEL : GR_VAL_ID;
		const char *model = k ? models[k - 1] : NULL;

		fo.exclude_model = model;
		if (model)
			snprintf(what, sizeof(what), "%s: fitting without %s", platform, model);
		else
			snprintf(what, sizeof(what), "%s: fitting on every model", platform);
		progress(c, what);
		st = gr_profile_fit(c->m, &fo, &p, &e);
		if (st == GR_ERR_NOT_FOUND) {
			/* nothing left to fit on (a single measured model): theoretical */
			gr_val_set_note(c->out, "%s: no rows left to fit %s%s (%s); theoretical estimates, "
					"counted as out-of-distribution (unseen platform)", platform,
					model ? "without " : "", model ? model : "", e.msg);
			split = GR_VAL_OOD_PLATFORM;
			st = GR_OK;
		} else if (st) {
			return gr_error_set(err, st, "%s", e.msg);
		}
		st = predict_rows(c, platform, model, p, split_const, &split, failed, ff, ffs, err);
		gr_profile_free(p);
		c->done++;
	}
	return st;
}

/* The distinct models measured on platform among the selected rows, sorted, into *models
 * (freed first; NULL when out of memory). names: room for c->n_rows names. */
static size_t platform_models(const run_ctx *c, const char *platform, const char **names,
			      const char ***models)
{
	size_t nm = 0;

	for (size_t i = 0; i < c->n_rows; i++)
		if (!strcmp(c->rows[i]->hw, platform))
			names[nm++] = c->rows[i]->model;
	free(*models);
	return distinct(names, nm, models);
}

gr_status gr_val_run(const gr_meas_set *m, const gr_val_opts *o, gr_val_set *out, gr_error *err)
{
	run_ctx c;
	const char **plat = NULL, **names = NULL, **uplat = NULL, **models = NULL;
	size_t n = gr_meas_count(m), np = 0, nu = 0, other_runtime = 0, throughput_rows = 0;
	gr_status st = GR_OK;

	if (!m || !o || !out)
		return gr_error_set(err, GR_ERR_USAGE, "validate: nothing to run");
	memset(&c, 0, sizeof(c));
	c.m = m;
	c.o = o;
	c.out = out;
	c.runtime = o->runtime ? o->runtime : "pytorch";
	c.rows = malloc((n ? n : 1) * sizeof(*c.rows));
	plat = malloc((n ? n : 1) * sizeof(*plat));
	names = malloc((n ? n : 1) * sizeof(*names));
	if (!c.rows || !plat || !names)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		const gr_meas_row *r = gr_meas_at(m, i);
		if (!r->hw || !r->model || !hw_selected(o, r->hw))
			continue;
		if (r->kind == GR_MEAS_SUBGRAPH && !o->subgraphs)
			continue;
		if (o->precision >= 0 && r->precision != o->precision)
			continue;
		if (r->runtime && strcmp(r->runtime, c.runtime)) {
			other_runtime++;
			continue;
		}
		if (r->metric == GR_METRIC_THROUGHPUT)
			throughput_rows++;
		c.rows[c.n_rows++] = r;
		plat[np++] = r->hw;
	}
	if (!c.n_rows) {
		char list[512] = "";
		size_t len = 0;
		for (size_t i = 0; i < n; i++)
			names[i] = gr_meas_at(m, i)->hw ? gr_meas_at(m, i)->hw : "?";
		nu = distinct(names, n, &uplat);
		for (size_t i = 0; i < nu && len < sizeof(list) - 1; i++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
						uplat[i]);
		st = gr_error_set(err, GR_ERR_NOT_FOUND, "no measured rows match%s%s%s%s (%s measured: %s)",
				  o->n_hw ? " the platform " : "", o->n_hw ? o->hw[0] : "",
				  o->precision >= 0 ? " at " : "",
				  o->precision >= 0 ? gr_precision_name((gr_precision)o->precision) : "",
				  other_runtime ? "other runtimes; platforms" : "platforms",
				  nu ? list : "none");
		goto done;
	}
	if (other_runtime)
		gr_val_set_note(out, "%zu rows of other runtimes than '%s' left out", other_runtime,
				c.runtime);
	if (throughput_rows)
		gr_val_set_note(out, "%zu published throughput rows compared as the period of one batch "
				"(1000 * batch / FPS ms) against the estimate's steady state", throughput_rows);
	free(uplat);
	uplat = NULL;
	if (!(nu = distinct(plat, np, &uplat)) && np)
		goto oom;
	if (group_runs(&c))
		goto oom;
	if ((st = gr_calib_cache_new(o->reg, &c.cache, err)))
		goto done;
	/* the number of steps, for progress */
	for (size_t k = 0; k < nu; k++) {
		size_t nm = platform_models(&c, uplat[k], names, &models);
		c.total += o->cv_model ? (int)nm + 1 : 1;
	}
	for (size_t k = 0; k < nu && !st; k++) {
		size_t nm = platform_models(&c, uplat[k], names, &models), failed = 0;
		char first_fail[512] = "";
		if (!models)
			goto oom;
		if (o->cv_model)
			st = run_cv(&c, uplat[k], models, nm, &failed, first_fail, sizeof(first_fail), err);
		else
			st = run_shipped(&c, uplat[k], &failed, first_fail, sizeof(first_fail), err);
		note_merged(&c, uplat[k]);
		if (failed)
			gr_val_set_note(out, "%s: %zu rows not predicted and left out; the first: %s",
					uplat[k], failed, first_fail);
	}
	goto done;
oom:
	st = gr_error_set(err, GR_ERR_NOMEM, "validate: out of memory");
done:
	gr_calib_cache_free(c.cache);
	free(c.rows);
	free(c.by_run);
	free(c.run_at);
	free(c.run_n);
	free(c.run_pos);
	free(c.group);
	free(c.grp);
	free(plat);
	free(names);
	free(uplat);
	free(models);
	return st;
}
