/* The sweep's page: the ok points as JSON inlined into web/sweep.html, whose Vega-Lite charts
 * draw latency, throughput and energy against batch per platform, and each model's Pareto
 * front of latency against energy per inference (marked here, so the page only draws it). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "analysis/sweep_impl.h"
#include "graphs/validate.h"

int sweep_rows_add(sweep_rows *s, const gr_sweep_row *r)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		gr_sweep_row *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n] = *r;
	if (!(s->v[s->n].reason = strdup(r->reason ? r->reason : "")))
		return -1;
	s->n++;
	return 0;
}

void sweep_rows_release(sweep_rows *s)
{
	for (size_t i = 0; i < s->n; i++)
		free((char *)s->v[i].reason);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static const sweep_rows *sort_rows; /* qsort has no context argument in C11 */

/* Within a model, by latency then energy per inference then point (a total order). */
static int by_latency(const void *a, const void *b)
{
	const gr_sweep_row *x = &sort_rows->v[*(const size_t *)a], *y = &sort_rows->v[*(const size_t *)b];
	double ex = x->energy_mj / (double)x->batch, ey = y->energy_mj / (double)y->batch;
	int c = strcmp(x->model, y->model);
	if (c)
		return c;
	if (x->latency_ms != y->latency_ms)
		return x->latency_ms < y->latency_ms ? -1 : 1;
	if (ex != ey)
		return ex < ey ? -1 : 1;
	return x->point < y->point ? -1 : x->point > y->point;
}

/* pareto[i] = 1 when no other ok point of the model is at least as fast and as frugal and
 * better in one: a scan by rising latency keeps the points that lower the energy so far. */
static int mark_pareto(const sweep_rows *rows, char *pareto)
{
	size_t *idx = malloc((rows->n ? rows->n : 1) * sizeof(size_t)), n = 0;
	const char *model = NULL;
	double best = INFINITY;

	if (!idx)
		return -1;
	for (size_t i = 0; i < rows->n; i++)
		if (rows->v[i].status == GR_SWEEP_OK)
			idx[n++] = i;
	sort_rows = rows;
	qsort(idx, n, sizeof(size_t), by_latency);
	for (size_t k = 0; k < n; k++) {
		const gr_sweep_row *r = &rows->v[idx[k]];
		double e = r->energy_mj / (double)r->batch;
		if (!model || strcmp(model, r->model)) {
			model = r->model;
			best = INFINITY;
		}
		if (e < best) {
			pareto[idx[k]] = 1;
			best = e;
		}
	}
	free(idx);
	return 0;
}

gr_status sweep_html_write(const gr_sweep_grid *g, const sweep_rows *rows, const char *web_dir, FILE *out,
			   gr_error *err)
{
	cJSON *root = cJSON_CreateObject(), *arr, *models;
	char *pareto = calloc(rows->n + 1, 1), *json = NULL;
	size_t skipped = 0;
	gr_status st;

	if (!root || !pareto || mark_pareto(rows, pareto)) {
		st = gr_error_set(err, GR_ERR_NOMEM, "sweep: out of memory");
		goto done;
	}
	cJSON_AddStringToObject(root, "grid", g->id);
	cJSON_AddNumberToObject(root, "points", (double)g->points);
	models = cJSON_AddArrayToObject(root, "models");
	for (size_t i = 0; i < g->n_models; i++)
		cJSON_AddItemToArray(models, cJSON_CreateString(g->models[i]));
	arr = cJSON_AddArrayToObject(root, "rows");
	for (size_t i = 0; i < rows->n; i++) {
		const gr_sweep_row *r = &rows->v[i];
		cJSON *o;
		if (r->status != GR_SWEEP_OK) {
			skipped++;
			continue;
		}
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "point", (double)r->point);
		cJSON_AddStringToObject(o, "model", r->model);
		cJSON_AddStringToObject(o, "hardware", r->hw);
		cJSON_AddStringToObject(o, "precision", r->precision);
		cJSON_AddNumberToObject(o, "batch", (double)r->batch);
		cJSON_AddStringToObject(o, "runtime", r->runtime);
		cJSON_AddNumberToObject(o, "latency_ms", r->latency_ms);
		cJSON_AddNumberToObject(o, "throughput_per_s", r->throughput_per_s);
		cJSON_AddNumberToObject(o, "energy_mj", r->energy_mj);
		cJSON_AddNumberToObject(o, "energy_per_inference_mj", r->energy_mj / (double)r->batch);
		cJSON_AddNumberToObject(o, "peak_memory_bytes", r->peak_memory_bytes);
		cJSON_AddStringToObject(o, "confidence", r->confidence);
		cJSON_AddBoolToObject(o, "pareto", pareto[i]);
		cJSON_AddItemToArray(arr, o);
	}
	cJSON_AddNumberToObject(root, "shown", (double)(rows->n - skipped));
	cJSON_AddNumberToObject(root, "not_ok", (double)skipped);
	if (!(json = cJSON_PrintUnformatted(root))) {
		st = gr_error_set(err, GR_ERR_NOMEM, "sweep: out of memory");
		goto done;
	}
	st = gr_web_page_write(web_dir, "sweep.html", json, out, err);
done:
	cJSON_free(json);
	cJSON_Delete(root);
	free(pareto);
	return st;
}
