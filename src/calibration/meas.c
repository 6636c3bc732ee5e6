/* Measurement sets: rows read from ground-truth CSVs (models.csv / subgraphs.csv) and from
 * benchmark databases (`graphs benchmark`), with hardware names mapped to registry specs. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/pubcsv.h"
#include "core/infile.h"
#include "calibration/calib_impl.h"
#include "core/benchlib.h"

struct gr_meas_set {
	gr_meas_row *rows;
	size_t n, cap;
	char **strs;          /* every string the rows point to */
	size_t n_strs, cap_strs;
	gr_calib_conditions cond;
	char sources[2048];
	int stat; /* 0 median, 1 min, 2 p5, 3 mean */
	/* published rows read but not kept (gr_meas_skipped) */
	size_t skip_ids, skip_prec, skip_runtime, skip_batch;
	char skip_prec_names[160], skip_runtime_names[160], skipped[640];
};

gr_status gr_meas_set_statistic(gr_meas_set *s, const char *stat, gr_error *err)
{
	static const char *const names[] = {"median", "min", "p5", "mean"};
	for (int i = 0; i < 4; i++)
		if (stat && !strcmp(stat, names[i])) {
			s->stat = i;
			return GR_OK;
		}
	return gr_error_set(err, GR_ERR_USAGE, "unknown statistic '%s' (use median, min, p5 or mean)",
			    stat ? stat : "");
}

gr_status gr_meas_set_new(gr_meas_set **out, gr_error *err)
{
	gr_meas_set *s = calloc(1, sizeof(*s));
	if (!s)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	s->cond.threads = -1;
	*out = s;
	return GR_OK;
}

void gr_meas_set_free(gr_meas_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_strs; i++)
		free(s->strs[i]);
	free(s->strs);
	free(s->rows);
	free(s);
}

size_t gr_meas_count(const gr_meas_set *s) { return s ? s->n : 0; }
const gr_meas_row *gr_meas_at(const gr_meas_set *s, size_t i) { return s && i < s->n ? &s->rows[i] : NULL; }
const gr_calib_conditions *gr_meas_conditions(const gr_meas_set *s) { return s ? &s->cond : NULL; }
const char *gr_meas_sources(const gr_meas_set *s) { return s ? s->sources : ""; }

size_t gr_meas_skipped_count(const gr_meas_set *s)
{
	return s ? s->skip_ids + s->skip_prec + s->skip_runtime + s->skip_batch : 0;
}

const char *gr_meas_skipped(const gr_meas_set *s)
{
	gr_meas_set *w = (gr_meas_set *)s; /* the text is a cache of the counters */
	size_t l = 0;

	if (!s)
		return "";
	w->skipped[0] = 0;
#define SKIP_NOTE(n, ...) \
	if (n && l < sizeof(w->skipped)) \
		l += (size_t)snprintf(w->skipped + l, sizeof(w->skipped) - l, __VA_ARGS__)
	SKIP_NOTE(s->skip_ids, "%s%zu without a registry_id or zoo_model", l ? "; " : "", s->skip_ids);
	SKIP_NOTE(s->skip_prec, "%s%zu of precisions the estimator has no type for (%s)", l ? "; " : "",
		  s->skip_prec, s->skip_prec_names);
	SKIP_NOTE(s->skip_runtime, "%s%zu of runtimes without a rule set (%s)", l ? "; " : "", s->skip_runtime,
		  s->skip_runtime_names);
	SKIP_NOTE(s->skip_batch, "%s%zu without a batch (the submitter's harness chose it)", l ? "; " : "",
		  s->skip_batch);
#undef SKIP_NOTE
	return w->skipped;
}

/* Adds name to a short comma list of distinct names (kept within size). */
static void note_name(char *list, size_t size, const char *name)
{
	size_t l = strlen(list), nl = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ' ') && (p[nl] == ',' || !p[nl]))
			return;
		p += nl;
	}
	if (l + nl + 8 < size)
		snprintf(list + l, size - l, "%s%s", l ? ", " : "", name);
	else if (l + 5 < size && strcmp(list + (l >= 3 ? l - 3 : 0), "..."))
		snprintf(list + l, size - l, ", ...");
}

/* A copy of str owned by the set (NULL and "" give NULL); interned so repeated names share. */
static const char *keep(gr_meas_set *s, const char *str)
{
	char *c;
	if (!str || !*str)
		return NULL;
	/* the last few strings repeat most (hardware, precision, model): look there first */
	for (size_t i = s->n_strs, k = 0; i-- > 0 && k < 16; k++)
		if (!strcmp(s->strs[i], str))
			return s->strs[i];
	if (s->n_strs == s->cap_strs) {
		size_t cap = s->cap_strs ? 2 * s->cap_strs : 256;
		char **n = realloc(s->strs, cap * sizeof(*n));
		if (!n)
			return NULL;
		s->strs = n;
		s->cap_strs = cap;
	}
	if (!(c = strdup(str)))
		return NULL;
	s->strs[s->n_strs++] = c;
	return c;
}

static gr_meas_row *add_row(gr_meas_set *s)
{
	gr_meas_row *r;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		gr_meas_row *n = realloc(s->rows, cap * sizeof(*n));
		if (!n)
			return NULL;
		s->rows = n;
		s->cap = cap;
	}
	r = &s->rows[s->n++];
	memset(r, 0, sizeof(*r));
	r->precision = GR_PREC_FP32;
	r->subgraph = -1;
	r->batch = 1;
	r->flops = r->bytes = r->latency_s = r->latency_std_s = r->energy_j = r->avg_power_w = NAN;
	r->threads = -1;
	return r;
}

static void add_source(gr_meas_set *s, const char *path)
{
	size_t l = strlen(s->sources);
	if (l + strlen(path) + 3 < sizeof(s->sources))
		snprintf(s->sources + l, sizeof(s->sources) - l, "%s%s", l ? ", " : "", path);
}

const char *gr_calib_hw_spec(const char *name, char *buf, size_t size)
{
	static const char *const modes[] = {"15w", "30w", "50w", "maxn"};
	if (!name) {
		snprintf(buf, size, "?");
		return buf;
	}
	/* the ground truth's Jetson names: jetson_orin_<mode> */
	if (!strncmp(name, "jetson_orin_", 12))
		for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
			if (!strcmp(name + 12, modes[i])) {
				snprintf(buf, size, "jetson_orin_agx_gpu:%s", modes[i]);
				return buf;
			}
	snprintf(buf, size, "%s", name);
	return buf;
}

/* --- CSV ----------------------------------------------------------------------------------- */

static int num(const char *s, double *out)
{
	char *e;
	if (!*s) {
		*out = NAN;
		return 1;
	}
	errno = 0;
	*out = strtod(s, &e);
	return !errno && !*e && isfinite(*out);
}

static int inum(const char *s, int64_t *out)
{
	char *e;
	long long v;
	errno = 0;
	v = strtoll(s, &e, 10);
	if (errno || !*s || *e)
		return 0;
	*out = v;
	return 1;
}

/* The rows of a published-measurement CSV (core/pubcsv.h) after its header line: whole-model
 * figures. Rows that name no registry platform or zoo model, or whose precision or runtime the
 * estimator cannot represent, are counted (gr_meas_skipped), not errors; a malformed row is. */
/* Layers a published row places on another unit than its own: the source column may carry
 * the placement as published ("layer_counts total 1302, npu 1230, cpu 72;", from ai-hub-models'
 * perf.yaml), and the hardware column ends with the unit that ran the row ("... NPU"). A row
 * whose network partly fell back to the CPU times that fallback, not the unit. */
static int layers_elsewhere(const char *hardware, const char *source)
{
	const char *p = source ? strstr(source, "layer_counts ") : NULL, *u;
	char unit[16] = "";
	size_t ul = 0;
	int other = 0;
	/* a source whose own figures show the step running mostly on its host (data/published/
	 * README.md says why for each) */
	if (source && strstr(source, "; placement partly on the host"))
		return 1;
	if (!p || !hardware)
		return 0;
	u = strrchr(hardware, ' ');
	u = u ? u + 1 : hardware;
	while (u[ul] && ul + 1 < sizeof(unit)) {
		unit[ul] = (char)tolower((unsigned char)u[ul]);
		ul++;
	}
	unit[ul] = 0;
	p += strlen("layer_counts ");
	while (*p && *p != ';' && *p != ')') {
		char key[16];
		size_t kl = 0;
		long n;
		char *end;
		while (*p == ' ' || *p == ',')
			p++;
		while (isalpha((unsigned char)*p) && kl + 1 < sizeof(key))
			key[kl++] = *p++;
		key[kl] = 0;
		n = strtol(p, &end, 10);
		if (end == p || !kl)
			break;
		p = end;
		if (strcmp(key, "total") && strcmp(key, unit) && n > 0)
			other += (int)n;
	}
	return other;
}

static gr_status load_published(gr_meas_set *s, FILE *f, const char *path, char **line, size_t *cap,
				size_t *added, gr_error *err)
{
	const char *src = keep(s, path);
	char spec[192], why[160];
	int lineno = 1;

	while (getline(line, cap, f) > 0) {
		gr_pub_row pr;
		gr_meas_row *r;
		const gr_fusion_rules *rules;
		int prec;

		lineno++;
		(*line)[strcspn(*line, "\r\n")] = 0;
		if (!**line)
			continue;
		if (gr_pub_parse(*line, &pr, why, sizeof(why)))
			return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': line %d: %s", path, lineno, why);
		if (!*pr.registry_id || !*pr.zoo_model) {
			s->skip_ids++;
			continue;
		}
		prec = !strcmp(pr.precision, "amp") ? GR_PREC_FP16 : gr_precision_parse(pr.precision);
		if (prec < 0) {
			s->skip_prec++;
			note_name(s->skip_prec_names, sizeof(s->skip_prec_names), *pr.precision ? pr.precision : "not stated");
			continue;
		}
		if (!(rules = gr_fusion_rules_find(pr.runtime))) {
			s->skip_runtime++;
			note_name(s->skip_runtime_names, sizeof(s->skip_runtime_names), pr.runtime);
			continue;
		}
		if (pr.batch < 1) {
			s->skip_batch++;
			continue;
		}
		if (strlen(pr.registry_id) + strlen(pr.mode) + 2 > sizeof(spec))
			return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': line %d: registry_id and mode "
					    "longer than %zu characters", path, lineno, sizeof(spec) - 2);
		{
			size_t il = strlen(pr.registry_id);
			memcpy(spec, pr.registry_id, il);
			spec[il] = 0;
			if (*pr.mode) {
				spec[il] = ':';
				memcpy(spec + il + 1, pr.mode, strlen(pr.mode) + 1);
			}
		}
		if (!(r = add_row(s)))
			return gr_error_set(err, GR_ERR_NOMEM, "out of memory reading '%s'", path);
		r->kind = GR_MEAS_MODEL;
		r->published = 1;
		r->hw_raw = keep(s, pr.hardware);
		r->hw = keep(s, spec);
		r->precision = prec;
		r->precision_name = keep(s, pr.precision);
		r->runtime = rules->name;
		r->model = keep(s, pr.zoo_model);
		r->published_model = keep(s, pr.model);
		r->mapping = keep(s, pr.mapping);
		r->input_shape = keep(s, pr.input_shape);
		r->batch = pr.batch;
		r->metric = pr.metric == GR_PUB_THROUGHPUT_FPS ? GR_METRIC_THROUGHPUT : GR_METRIC_LATENCY;
		r->throughput_per_s = NAN;
		if (r->metric == GR_METRIC_THROUGHPUT)
			r->throughput_per_s = pr.value;
		else
			r->latency_s = pr.value * 1e-3;
		if (isfinite(pr.power_w))
			r->avg_power_w = pr.power_w;
		r->source = src;
		r->citation = keep(s, pr.source);
		r->layers_elsewhere = layers_elsewhere(pr.hardware, pr.source);
		if (!r->hw || !r->model || !r->precision_name || !r->published_model || !r->hw_raw ||
		    !r->citation)
			return gr_error_set(err, GR_ERR_NOMEM, "out of memory reading '%s'", path);
		(*added)++;
	}
	return GR_OK;
}

gr_status gr_meas_load_csv(gr_meas_set *s, const char *path, size_t *n, gr_error *err)
{
	FILE *f = gr_infile_open(path, err);
	char *line = NULL, *fld[16], spec[128];
	size_t cap = 0, added = 0, first = s->n;
	int is_models, lineno = 1;
	gr_status rc = GR_OK;
	const char *src;

	if (n)
		*n = 0;
	if (!f)
		return GR_ERR_IO;
	if (getline(&line, &cap, f) <= 0) {
		rc = gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': empty file", path);
		goto out;
	}
	line[strcspn(line, "\r\n")] = 0;
	if (!strcmp(line, gr_gt_models_header)) {
		is_models = 1;
	} else if (!strcmp(line, gr_gt_subgraphs_header)) {
		is_models = 0;
	} else if (!strcmp(line, gr_pub_header)) {
		size_t before[4] = {s->skip_ids, s->skip_prec, s->skip_runtime, s->skip_batch};
		if ((rc = load_published(s, f, path, &line, &cap, &added, err)) == GR_OK) {
			add_source(s, path);
		} else { /* all or nothing, the counts too */
			s->skip_ids = before[0];
			s->skip_prec = before[1];
			s->skip_runtime = before[2];
			s->skip_batch = before[3];
		}
		goto out;
	} else {
		rc = gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': line 1: header is neither the "
				  "models.csv, the subgraphs.csv nor the published-measurement format", path);
		goto out;
	}
	src = keep(s, path);
	while (getline(&line, &cap, f) > 0) {
		gr_meas_row *r;
		int nf, prec;
		int64_t batch, sub;
		double d[4];
		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		if (!*line)
			continue;
		if ((nf = gr_csv_split(line, fld, 16)) != 12) {
			rc = gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': line %d: expected 12 fields, found %d",
					  path, lineno, nf);
			goto out;
		}
		if ((prec = gr_precision_parse(fld[1])) < 0) {
			rc = gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': line %d: unknown precision '%s'",
					  path, lineno, fld[1]);
			goto out;
		}
		if (!inum(fld[3], &batch) || batch < 1)
			goto bad;
		if (!(r = add_row(s)))
			goto nomem;
		r->hw_raw = keep(s, fld[0]);
		r->hw = keep(s, gr_calib_hw_spec(fld[0], spec, sizeof(spec)));
		r->precision = prec;
		r->runtime = "pytorch"; /* the ground truth: PyTorch eager */
		r->model = keep(s, fld[2]);
		r->batch = batch;
		r->source = src;
		if (is_models) {
			if (!num(fld[6], &d[0]) || !num(fld[7], &d[1]) || !num(fld[8], &d[2]) || !(d[0] > 0))
				goto bad;
			r->kind = GR_MEAS_MODEL;
			r->device = keep(s, fld[4]);
			r->latency_s = d[0] * 1e-3;
			r->flops = d[1];
			r->bytes = d[2];
			r->date = keep(s, fld[10]);
		} else {
			if (!inum(fld[4], &sub) || !num(fld[7], &d[0]) || !num(fld[8], &d[1]) ||
			    !num(fld[9], &d[2]) || !num(fld[10], &d[3]) || !(d[2] > 0))
				goto bad;
			r->kind = GR_MEAS_SUBGRAPH;
			r->standalone = 1;
			r->subgraph = (int)sub;
			r->pattern = keep(s, fld[5]);
			r->optype = keep(s, fld[6]);
			r->flops = d[0];
			r->bytes = d[1];
			r->latency_s = d[2] * 1e-3;
			r->latency_std_s = d[3] * 1e-3;
			r->nodes = keep(s, fld[11]);
		}
		if (!r->hw || !r->model)
			goto nomem;
		added++;
		continue;
bad:
		rc = gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': line %d: bad number or missing latency",
				  path, lineno);
		goto out;
	}
	add_source(s, path);
	goto out;
nomem:
	rc = gr_error_set(err, GR_ERR_NOMEM, "out of memory reading '%s'", path);
out:
	if (rc)
		s->n = first; /* all or nothing */
	else if (n)
		*n = added;
	free(line);
	fclose(f);
	return rc;
}

/* --- benchmark databases ------------------------------------------------------------------ */

typedef gr_bench_run_row run_info;

typedef struct db_ctx {
	gr_meas_set *s;
	size_t first;             /* the set's first row from this database */
	run_info *runs;
	size_t n_runs;
	const char *src;
	size_t added;
	int nomem;
} db_ctx;

static int db_record(const gr_bench_record *rec, void *user)
{
	db_ctx *c = user;
	gr_meas_set *s = c->s;
	const run_info *run = NULL;
	gr_meas_row *r;
	char spec[128];
	const char *hw;
	double t;
	int prec, is_model = rec->kind && !strcmp(rec->kind, "model"),
		  is_layer = rec->kind && !strcmp(rec->kind, "layer"),
		  is_sub = rec->kind && !strcmp(rec->kind, "subgraph");

	if (!(is_model || is_layer || is_sub) || !rec->supported || !rec->has_stats || !rec->model)
		return 0;
	/* the median is robust to the odd preempted sample; imports carry only means */
	t = s->stat == 1 ? rec->st.min : s->stat == 2 ? rec->st.p5 : s->stat == 3 ? rec->st.mean : rec->st.median;
	if (!(isfinite(t) && t > 0))
		t = rec->st.mean;
	if (!(t > 0) || (prec = gr_precision_parse(rec->precision ? rec->precision : "fp32")) < 0)
		return 0;
	for (size_t i = 0; i < c->n_runs; i++)
		if (c->runs[i].id == rec->run_id)
			run = &c->runs[i];
	hw = rec->hardware ? rec->hardware : run && run->hw[0] ? run->hw : NULL;
	if (!hw)
		return 0;
	/* "min": the best of every run of the same measurement (rounds spread over time see the
	 * machine's quiet moments); rows of this database only */
	if (s->stat == 1)
		for (size_t i = c->first; i < s->n; i++) {
			gr_meas_row *o = &s->rows[i];
			gr_meas_kind kind = is_model ? GR_MEAS_MODEL : GR_MEAS_SUBGRAPH;
			const char *nodes = rec->nodes ? rec->nodes : is_layer ? rec->name : NULL;
			if (o->kind == kind && o->batch == (rec->batch > 0 ? rec->batch : 1) && o->precision == prec &&
			    o->subgraph == (is_model ? -1 : (int)rec->subgraph) && !strcmp(o->model, rec->model) &&
			    !strcmp(o->hw_raw, hw) && (!o->nodes) == (!nodes) && (!nodes || !strcmp(o->nodes, nodes))) {
				if (t < o->latency_s)
					o->latency_s = t;
				return 0;
			}
		}
	if (!(r = add_row(s))) {
		c->nomem = 1;
		return 1;
	}
	r->kind = is_model ? GR_MEAS_MODEL : GR_MEAS_SUBGRAPH;
	r->standalone = is_sub;
	r->hw_raw = keep(s, hw);
	r->hw = keep(s, gr_calib_hw_spec(hw, spec, sizeof(spec)));
	r->precision = prec;
	r->runtime = "pytorch"; /* torch runs and ground-truth imports are PyTorch eager */
	r->device = keep(s, rec->device);
	r->model = keep(s, rec->model);
	r->batch = rec->batch > 0 ? rec->batch : 1;
	r->subgraph = is_model ? -1 : (int)rec->subgraph;
	r->pattern = keep(s, rec->pattern);
	r->optype = keep(s, rec->optype);
	r->nodes = keep(s, rec->nodes ? rec->nodes : is_layer ? rec->name : NULL);
	r->flops = rec->flops;
	r->bytes = rec->bytes;
	r->latency_s = t;
	r->latency_std_s = rec->st.std;
	r->energy_j = isfinite(rec->energy_mj) ? rec->energy_mj * 1e-3 : NAN;
	r->avg_power_w = rec->avg_power_w;
	r->threads = rec->threads > 0 ? rec->threads : run ? run->cond.threads : -1;
	r->source = c->src;
	r->date = keep(s, rec->date);
	/* imported models.csv and subgraphs.csv are two runs of one measurement campaign */
	r->run = run && run->imported ? 0 : rec->run_id;
	if (!r->hw || !r->model) {
		c->nomem = 1;
		return 1;
	}
	if (run && !strcmp(run->backend, "torch")) {
		s->cond = run->cond;
		if (rec->threads > 0)
			s->cond.threads = rec->threads;
	}
	c->added++;
	return 0;
}

gr_status gr_meas_load_db(gr_meas_set *s, const char *path, size_t *n, gr_error *err)
{
	const gr_benchlib *B = gr_benchlib_get("reading a benchmark database", err);
	gr_bench_store *store = NULL;
	db_ctx c = {s, s->n, NULL, 0, NULL, 0, 0};
	size_t first = s->n;
	gr_status rc;
	char src[4200];
	FILE *f = gr_infile_open(path, err);

	if (n)
		*n = 0;
	if (!f)
		return GR_ERR_IO;
	fclose(f);
	if (!B)
		return GR_ERR_IO;
	if ((rc = B->gr_bench_runs_read(path, &c.runs, &c.n_runs, err)))
		return rc;
	if ((rc = B->gr_bench_store_open(path, &store, err)))
		goto out;
	snprintf(src, sizeof(src), "db:%s", path);
	c.src = keep(s, src);
	rc = B->gr_bench_store_each(store, 0, db_record, &c, err);
	if (!rc && c.nomem)
		rc = gr_error_set(err, GR_ERR_NOMEM, "out of memory reading '%s'", path);
out:
	B->gr_bench_store_close(store);
	free(c.runs);
	if (rc) {
		s->n = first;
		return rc;
	}
	add_source(s, path);
	if (n)
		*n = c.added;
	return GR_OK;
}

gr_status gr_meas_load(gr_meas_set *s, const char *path, size_t *n, gr_error *err)
{
	FILE *f = gr_infile_open(path, err);
	char head[16] = {0};
	size_t got;

	if (!f)
		return GR_ERR_IO;
	got = fread(head, 1, sizeof(head), f);
	fclose(f);
	if (got == 16 && !memcmp(head, "SQLite format 3", 16))
		return gr_meas_load_db(s, path, n, err);
	return gr_meas_load_csv(s, path, n, err);
}
