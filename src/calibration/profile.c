/* Calibration profiles on disk: JSON documents (format in docs/calibrate.md), written
 * atomically, found in $GRAPHS_CALIBRATION_PATH, the user's folder and the shipped folder. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "calibration/calib_impl.h"
#include "core/outfile.h"
#include "graphs/bench.h"

#define PROFILE_KIND "graphs-calibration-profile"

void gr_profile_free(gr_profile *p) { free(p); }

const char *gr_profile_hw(const gr_profile *p) { return p ? p->hw : NULL; }
const char *gr_profile_mode(const gr_profile *p) { return p && p->mode[0] ? p->mode : NULL; }
const char *gr_profile_runtime(const gr_profile *p) { return p ? p->runtime : NULL; }
const char *gr_profile_path(const gr_profile *p) { return p && p->path[0] ? p->path : NULL; }
const char *gr_profile_label(const gr_profile *p) { return p ? p->label : NULL; }
const gr_calib_conditions *gr_profile_conditions(const gr_profile *p) { return p ? &p->cond : NULL; }

int gr_profile_has_precision(const gr_profile *p, gr_precision prec)
{
	return p && (unsigned)prec < GR_PREC_COUNT && p->prec[prec].present;
}

gr_status gr_profile_quality(const gr_profile *p, gr_precision prec, int cls, gr_fit_quality *out)
{
	const calib_prec *cp;
	memset(out, 0, sizeof(*out));
	if (!gr_profile_has_precision(p, prec))
		return GR_ERR_NOT_FOUND;
	cp = &p->prec[prec];
	if (cls < 0) {
		double fmn = INFINITY, fmx = 0, bmn = INFINITY, bmx = 0;
		for (int k = 0; k < CC_COUNT; k++)
			if (cp->cls[k].fitted && cp->cls[k].points) {
				fmn = fmin(fmn, cp->cls[k].f_min);
				fmx = fmax(fmx, cp->cls[k].f_max);
				bmn = fmin(bmn, cp->cls[k].b_min);
				bmx = fmax(bmx, cp->cls[k].b_max);
			}
		out->rows = cp->rows;
		out->r2 = cp->r2;
		out->median_ape = cp->median_ape;
		out->p90_ape = cp->p90_ape;
		out->f_min = isfinite(fmn) ? fmn : 0;
		out->f_max = fmx;
		out->b_min = isfinite(bmn) ? bmn : 0;
		out->b_max = bmx;
		out->batch_min = cp->batch_min;
		out->batch_max = cp->batch_max;
		return GR_OK;
	}
	if (cls >= CC_COUNT || !cp->cls[cls].fitted)
		return GR_ERR_NOT_FOUND;
	out->rows = cp->cls[cls].rows;
	out->r2 = NAN;
	out->median_ape = cp->cls[cls].median_ape;
	out->p90_ape = cp->cls[cls].p90_ape;
	out->f_min = cp->cls[cls].f_min;
	out->f_max = cp->cls[cls].f_max;
	out->b_min = cp->cls[cls].b_min;
	out->b_max = cp->cls[cls].b_max;
	out->batch_min = cp->cls[cls].batch_min;
	out->batch_max = cp->cls[cls].batch_max;
	return GR_OK;
}

/* --- JSON ---------------------------------------------------------------------------------- */

static void add_num(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v && *v)
		cJSON_AddStringToObject(o, k, v);
}

static cJSON *range(double a, double b)
{
	double v[2] = {a, b};
	return cJSON_CreateDoubleArray(v, 2);
}

struct cJSON *gr_profile_to_json(const gr_profile *p)
{
	cJSON *o = cJSON_CreateObject(), *prov, *cond, *precs, *model;

	if (!o || !p)
		return o;
	cJSON_AddStringToObject(o, "format", PROFILE_KIND);
	cJSON_AddNumberToObject(o, "version", p->version);
	cJSON_AddStringToObject(o, "hardware", p->hw);
	if (p->mode[0])
		cJSON_AddStringToObject(o, "mode", p->mode);
	else
		cJSON_AddNullToObject(o, "mode");
	cJSON_AddStringToObject(o, "runtime", p->runtime);
	cJSON_AddStringToObject(o, "created", p->created);
	cJSON_AddStringToObject(o, "tool", p->tool);
	model = cJSON_AddObjectToObject(o, "model");
	cJSON_AddStringToObject(model, "form", "t_op = op_s + s_per_flop*F + s_per_byte*B + s_per_weight*W"
				" + parP_s_per_flop*(F/b)*max(1,b/P) + spill_s_per_byte*B*B^3/(B^3+LLC^3);"
				" t_kernel = sum(t_op) + kernel_s");
	cJSON_AddStringToObject(model, "units", "seconds; F FLOPs, B bytes at the precision, W weight elements, b batch");
	prov = cJSON_AddObjectToObject(o, "provenance");
	cJSON_AddStringToObject(prov, "sources", p->sources);
	cJSON_AddNumberToObject(prov, "rows", p->total_rows);
	if (p->excluded[0])
		cJSON_AddStringToObject(prov, "excluded_model", p->excluded);
	cond = cJSON_AddObjectToObject(prov, "conditions");
	if (p->cond.threads > 0)
		cJSON_AddNumberToObject(cond, "threads", p->cond.threads);
	add_str(cond, "affinity", p->cond.affinity);
	add_str(cond, "governor", p->cond.governor);
	add_str(cond, "turbo", p->cond.turbo);
	add_str(cond, "cpu_model", p->cond.cpu_model);
	add_str(cond, "hostname", p->cond.hostname);
	add_str(cond, "torch", p->cond.torch);
	add_str(cond, "openblas", p->cond.openblas);
	add_str(cond, "onednn", p->cond.onednn);
	add_str(cond, "gpu", p->cond.gpu);
	precs = cJSON_AddObjectToObject(o, "precisions");
	for (int q = 0; q < GR_PREC_COUNT; q++) {
		const calib_prec *cp = &p->prec[q];
		cJSON *po, *qa, *cl, *gl;
		if (!cp->present)
			continue;
		po = cJSON_AddObjectToObject(precs, gr_precision_name((gr_precision)q));
		cJSON_AddNumberToObject(po, "bytes_per_element", cp->bytes_per_elem);
		cJSON_AddNumberToObject(po, "llc_bytes", cp->llc_bytes);
		cJSON_AddBoolToObject(po, "emulated", cp->emulated);
		cJSON_AddStringToObject(po, "models", cp->models);
		cJSON_AddItemToObject(po, "batch", range((double)cp->batch_min, (double)cp->batch_max));
		gl = cJSON_AddObjectToObject(po, "platform");
		for (int g = 0; g < CG_COUNT; g++)
			add_num(gl, calib_cg_names[g], cp->glob[g]);
		qa = cJSON_AddObjectToObject(po, "quality");
		cJSON_AddNumberToObject(qa, "rows", cp->rows);
		cJSON_AddNumberToObject(qa, "subgraph_rows", cp->rows_sub);
		cJSON_AddNumberToObject(qa, "model_rows", cp->rows_model);
		add_num(qa, "r2_log", cp->r2);
		add_num(qa, "median_ape", cp->median_ape);
		add_num(qa, "p90_ape", cp->p90_ape);
		add_num(qa, "model_mape_in_sample", cp->model_mape);
		add_num(qa, "model_median_ape_in_sample", cp->model_median_ape);
		if (cp->has_energy) {
			cJSON *en = cJSON_AddObjectToObject(po, "energy");
			add_num(en, "pj_per_flop", cp->pj_per_flop);
			add_num(en, "pj_per_byte", cp->pj_per_byte);
			add_num(en, "static_w", cp->static_w);
			cJSON_AddNumberToObject(en, "rows", cp->energy_rows);
		}
		cl = cJSON_AddObjectToObject(po, "classes");
		for (int k = 0; k < CC_COUNT; k++) {
			const calib_class *c = &cp->cls[k];
			cJSON *co, *cf;
			if (!c->fitted)
				continue;
			co = cJSON_AddObjectToObject(cl, calib_class_name(k));
			cf = cJSON_AddObjectToObject(co, "coef");
			for (int f = 0; f < CF_COUNT; f++)
				if (f < CF_PAR4 || cp->emulated)
					add_num(cf, calib_cf_names[f], c->coef[f]);
			cJSON_AddNumberToObject(co, "points", c->points);
			cJSON_AddNumberToObject(co, "rows", c->rows);
			cJSON_AddItemToObject(co, "flops", range(c->f_min, c->f_max));
			cJSON_AddItemToObject(co, "bytes", range(c->b_min, c->b_max));
			cJSON_AddItemToObject(co, "batch", range((double)c->batch_min, (double)c->batch_max));
			add_num(co, "median_ape", c->median_ape);
			add_num(co, "p90_ape", c->p90_ape);
		}
	}
	return o;
}

static double jnum(const cJSON *o, const char *k, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static void jstr(const cJSON *o, const char *k, char *buf, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	snprintf(buf, size, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

static int jrange(const cJSON *o, const char *k, double *a, double *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2 || !cJSON_IsNumber(cJSON_GetArrayItem(v, 0)) ||
	    !cJSON_IsNumber(cJSON_GetArrayItem(v, 1)))
		return 0;
	*a = cJSON_GetArrayItem(v, 0)->valuedouble;
	*b = cJSON_GetArrayItem(v, 1)->valuedouble;
	return 1;
}

static gr_status from_json(const cJSON *o, const char *path, gr_profile *p, gr_error *err)
{
	const cJSON *precs, *pv, *prov, *cond;

	if (!cJSON_IsObject(o) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "format")) ||
	    strcmp(cJSON_GetObjectItemCaseSensitive(o, "format")->valuestring, PROFILE_KIND))
		return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': key 'format': not a calibration profile", path);
	p->version = (int)jnum(o, "version", 0);
	if (p->version < 1 || p->version > GR_PROFILE_FORMAT_VERSION)
		return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': key 'version': %d is not supported (this "
				    "build reads 1..%d)", path, p->version, GR_PROFILE_FORMAT_VERSION);
	jstr(o, "hardware", p->hw, sizeof(p->hw));
	jstr(o, "mode", p->mode, sizeof(p->mode));
	jstr(o, "runtime", p->runtime, sizeof(p->runtime));
	jstr(o, "created", p->created, sizeof(p->created));
	jstr(o, "tool", p->tool, sizeof(p->tool));
	if (!p->hw[0] || !p->runtime[0])
		return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': key '%s': missing", path,
				    p->hw[0] ? "runtime" : "hardware");
	prov = cJSON_GetObjectItemCaseSensitive(o, "provenance");
	jstr(prov, "sources", p->sources, sizeof(p->sources));
	jstr(prov, "excluded_model", p->excluded, sizeof(p->excluded));
	p->total_rows = (int)jnum(prov, "rows", 0);
	cond = cJSON_GetObjectItemCaseSensitive(prov, "conditions");
	p->cond.threads = (int)jnum(cond, "threads", -1);
	jstr(cond, "affinity", p->cond.affinity, sizeof(p->cond.affinity));
	jstr(cond, "governor", p->cond.governor, sizeof(p->cond.governor));
	jstr(cond, "turbo", p->cond.turbo, sizeof(p->cond.turbo));
	jstr(cond, "cpu_model", p->cond.cpu_model, sizeof(p->cond.cpu_model));
	jstr(cond, "hostname", p->cond.hostname, sizeof(p->cond.hostname));
	jstr(cond, "torch", p->cond.torch, sizeof(p->cond.torch));
	jstr(cond, "openblas", p->cond.openblas, sizeof(p->cond.openblas));
	jstr(cond, "onednn", p->cond.onednn, sizeof(p->cond.onednn));
	jstr(cond, "gpu", p->cond.gpu, sizeof(p->cond.gpu));
	precs = cJSON_GetObjectItemCaseSensitive(o, "precisions");
	if (!cJSON_IsObject(precs))
		return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': key 'precisions': expected an object", path);
	cJSON_ArrayForEach(pv, precs) {
		int q = gr_precision_parse(pv->string);
		calib_prec *cp;
		const cJSON *cl, *cv, *gl, *qa, *en;
		double a, b;
		if (q < 0)
			return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': key 'precisions.%s': unknown precision",
					    path, pv->string);
		cp = &p->prec[q];
		cp->present = 1;
		cp->bytes_per_elem = jnum(pv, "bytes_per_element", calib_prec_bytes((gr_precision)q));
		cp->llc_bytes = jnum(pv, "llc_bytes", 0);
		cp->emulated = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pv, "emulated"));
		jstr(pv, "models", cp->models, sizeof(cp->models));
		if (jrange(pv, "batch", &a, &b)) {
			cp->batch_min = (int64_t)a;
			cp->batch_max = (int64_t)b;
		}
		gl = cJSON_GetObjectItemCaseSensitive(pv, "platform");
		for (int g = 0; g < CG_COUNT; g++) {
			cp->glob[g] = jnum(gl, calib_cg_names[g], 0);
			if (cp->glob[g] < 0 || !isfinite(cp->glob[g]))
				return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': key 'precisions.%s.platform.%s': "
						    "expected a number >= 0", path, pv->string, calib_cg_names[g]);
		}
		qa = cJSON_GetObjectItemCaseSensitive(pv, "quality");
		cp->rows = (int)jnum(qa, "rows", 0);
		cp->rows_sub = (int)jnum(qa, "subgraph_rows", 0);
		cp->rows_model = (int)jnum(qa, "model_rows", 0);
		cp->r2 = jnum(qa, "r2_log", NAN);
		cp->median_ape = jnum(qa, "median_ape", NAN);
		cp->p90_ape = jnum(qa, "p90_ape", NAN);
		cp->model_mape = jnum(qa, "model_mape_in_sample", NAN);
		cp->model_median_ape = jnum(qa, "model_median_ape_in_sample", NAN);
		if ((en = cJSON_GetObjectItemCaseSensitive(pv, "energy"))) {
			cp->has_energy = 1;
			cp->pj_per_flop = jnum(en, "pj_per_flop", 0);
			cp->pj_per_byte = jnum(en, "pj_per_byte", 0);
			cp->static_w = jnum(en, "static_w", 0);
			cp->energy_rows = (int)jnum(en, "rows", 0);
		}
		cl = cJSON_GetObjectItemCaseSensitive(pv, "classes");
		if (!cJSON_IsObject(cl))
			return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': key 'precisions.%s.classes': expected "
					    "an object", path, pv->string);
		cJSON_ArrayForEach(cv, cl) {
			int k = calib_class_parse(cv->string);
			calib_class *c;
			const cJSON *cf = cJSON_GetObjectItemCaseSensitive(cv, "coef");
			if (k < 0)
				return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': key 'precisions.%s.classes.%s': "
						    "unknown op class", path, pv->string, cv->string);
			c = &cp->cls[k];
			c->fitted = 1;
			for (int f = 0; f < CF_COUNT; f++) {
				c->coef[f] = jnum(cf, calib_cf_names[f], 0);
				if (c->coef[f] < 0 || !isfinite(c->coef[f]))
					return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': key "
							    "'precisions.%s.classes.%s.coef.%s': expected a number >= 0",
							    path, pv->string, cv->string, calib_cf_names[f]);
			}
			c->points = (int)jnum(cv, "points", 0);
			c->rows = (int)jnum(cv, "rows", 0);
			jrange(cv, "flops", &c->f_min, &c->f_max);
			jrange(cv, "bytes", &c->b_min, &c->b_max);
			if (jrange(cv, "batch", &a, &b)) {
				c->batch_min = (int64_t)a;
				c->batch_max = (int64_t)b;
			}
			c->median_ape = jnum(cv, "median_ape", NAN);
			c->p90_ape = jnum(cv, "p90_ape", NAN);
		}
	}
	snprintf(p->label, sizeof(p->label), "%s%s%s/%s v%d %s", p->hw, p->mode[0] ? ":" : "", p->mode,
		 p->runtime, p->version, p->created);
	return GR_OK;
}

gr_status gr_profile_load(const char *path, gr_profile **out, gr_error *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;
	cJSON *o = NULL;
	gr_profile *p = NULL;
	gr_status rc;

	*out = NULL;
	if (!f)
		return gr_error_set(err, GR_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || size > (64 << 20) || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': not a regular file of at most 64 MiB", path);
	}
	if (!(buf = malloc((size_t)size + 1)) || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(buf);
		return gr_error_set(err, GR_ERR_IO, "cannot read '%s'", path);
	}
	fclose(f);
	buf[size] = 0;
	if (!(o = cJSON_ParseWithLength(buf, (size_t)size))) {
		const char *at = cJSON_GetErrorPtr();
		rc = gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': invalid JSON at byte %ld", path,
				  at && at >= buf && at <= buf + size ? (long)(at - buf) : 0L);
		goto out;
	}
	if (!(p = calloc(1, sizeof(*p)))) {
		rc = gr_error_set(err, GR_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = from_json(o, path, p, err)))
		goto out;
	snprintf(p->path, sizeof(p->path), "%s", path);
	*out = p;
	p = NULL;
out:
	free(p);
	cJSON_Delete(o);
	free(buf);
	return rc;
}

static int mkdirs(const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *s = tmp + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			if (mkdir(tmp, 0755) && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return 0;
}

gr_status gr_profile_save(const gr_profile *p, const char *path, gr_error *err)
{
	cJSON *o = gr_profile_to_json(p);
	char *s = o ? cJSON_Print(o) : NULL;
	gr_outfile of;
	gr_status rc = GR_OK;

	cJSON_Delete(o);
	if (!s)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	if (mkdirs(path)) {
		rc = gr_error_set(err, GR_ERR_IO, "cannot create the folder of '%s': %s", path, strerror(errno));
		goto out;
	}
	/* a temporary file renamed over the target: never half a profile, never through a link */
	if ((rc = gr_outfile_open(&of, path, err)))
		goto out;
	if (fputs(s, of.f) < 0 || fputc('\n', of.f) < 0) {
		int e = errno;
		gr_outfile_abort(&of);
		rc = gr_error_set(err, GR_ERR_IO, "cannot write '%s': %s", path, strerror(e));
	} else {
		rc = gr_outfile_commit(&of, err);
	}
out:
	free(s);
	return rc;
}

/* --- finding profiles --------------------------------------------------------------------- */

const char *gr_calibration_builtin_dir(void)
{
	const char *env = getenv("GRAPHS_CALIBRATION_DIR");
	if (env && *env)
		return env;
#ifdef GRAPHS_DATA_DIR
	return GRAPHS_DATA_DIR "/calibration";
#else
	return "calibration";
#endif
}

int gr_calibration_user_dir(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (xdg && *xdg)
		snprintf(buf, size, "%s/graphs/calibration", xdg);
	else if (home && *home)
		snprintf(buf, size, "%s/.config/graphs/calibration", home);
	else
		return -1;
	return 0;
}

void gr_profile_default_path(const char *dir, const char *spec, const char *runtime, char *buf, size_t size)
{
	char id[128];
	const char *colon = spec ? strchr(spec, ':') : NULL;
	size_t l = colon ? (size_t)(colon - spec) : strlen(spec ? spec : "");
	if (l >= sizeof(id))
		l = sizeof(id) - 1;
	memcpy(id, spec ? spec : "", l);
	id[l] = 0;
	snprintf(buf, size, "%s/%s/%s/%s.json", dir, id, colon && colon[1] ? colon + 1 : "default",
		 runtime ? runtime : "pytorch");
}

static int is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

gr_status gr_profile_find(const char *spec, const char *runtime, char *path, size_t size, gr_error *err)
{
	const char *env = getenv("GRAPHS_CALIBRATION_PATH");
	char dir[4096];

	if (env && *env) {
		const char *s = env;
		while (*s) {
			const char *e = strchr(s, ':');
			size_t l = e ? (size_t)(e - s) : strlen(s);
			if (l && l < sizeof(dir)) {
				memcpy(dir, s, l);
				dir[l] = 0;
				gr_profile_default_path(dir, spec, runtime, path, size);
				if (is_file(path))
					return GR_OK;
			}
			s = e ? e + 1 : s + l;
		}
	}
	if (!gr_calibration_user_dir(dir, sizeof(dir))) {
		gr_profile_default_path(dir, spec, runtime, path, size);
		if (is_file(path))
			return GR_OK;
	}
	gr_profile_default_path(gr_calibration_builtin_dir(), spec, runtime, path, size);
	if (is_file(path))
		return GR_OK;
	path[0] = 0;
	return gr_error_set(err, GR_ERR_NOT_FOUND, "no calibration profile for '%s' (runtime %s)", spec,
			    runtime ? runtime : "pytorch");
}

gr_status gr_profile_find_load(const char *spec, const char *runtime, gr_profile **out, gr_error *err)
{
	char path[4400];
	gr_status rc;
	*out = NULL;
	if ((rc = gr_profile_find(spec, runtime, path, sizeof(path), err)))
		return rc;
	return gr_profile_load(path, out, err);
}

int gr_profile_conditions_note(const gr_profile *p, const struct gr_bench_platform *now, char *buf, size_t size)
{
	size_t len = 0;
	int diffs = 0;
	const gr_calib_conditions *c;

	if (size)
		buf[0] = 0;
	if (!p || !now)
		return 0;
	c = &p->cond;
#define NOTE(...)                                                                              \
	do {                                                                                   \
		if (len < size) {                                                              \
			int n_ = snprintf(buf + len, size - len, "%s", diffs ? "; " : "profile measured "); \
			len += n_ > 0 ? (size_t)n_ : 0;                                       \
		}                                                                              \
		if (len < size) {                                                              \
			int n_ = snprintf(buf + len, size - len, __VA_ARGS__);                 \
			len += n_ > 0 ? (size_t)n_ : 0;                                       \
		}                                                                              \
		diffs++;                                                                       \
	} while (0)
	if (c->threads > 0 && now->threads > 0 && c->threads != now->threads)
		NOTE("with %d threads, now %d", c->threads, now->threads);
	if (c->governor[0] && now->governor[0] && strcmp(c->governor, now->governor))
		NOTE("under governor %s, now %s", c->governor, now->governor);
	if (c->turbo[0] && now->turbo[0] && strcmp(c->turbo, now->turbo) && strcmp(now->turbo, "unknown"))
		NOTE("with turbo %s, now %s", c->turbo, now->turbo);
	if (c->affinity[0] && now->affinity[0] && strcmp(c->affinity, now->affinity))
		NOTE("pinned to CPUs %s, now %s", c->affinity, now->affinity);
	if (c->cpu_model[0] && now->cpu_model[0] && strcmp(c->cpu_model, now->cpu_model))
		NOTE("on '%s', now '%s'", c->cpu_model, now->cpu_model);
	if (c->onednn[0] && now->onednn[0] && strcmp(c->onednn, now->onednn))
		NOTE("with oneDNN %s, now %s", c->onednn, now->onednn);
#undef NOTE
	return diffs;
}
