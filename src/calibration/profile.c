/* Calibration profiles on disk: JSON documents (format in docs/calibrate.md), written
 * atomically, found in $GRAPHS_CALIBRATION_PATH, the user's folder and the shipped folder. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "calibration/calib_impl.h"
#include "core/infile.h"
#include "core/outfile.h"
#include "graphs/bench.h"
#include "graphs/version.h"
#include "calibration/profile_json.h"

void gr_profile_free(gr_profile *p) { free(p); }

const char *gr_profile_hw(const gr_profile *p) { return p ? p->tm.hw : NULL; }
const char *gr_profile_mode(const gr_profile *p) { return p && p->tm.mode[0] ? p->tm.mode : NULL; }
const char *gr_profile_runtime(const gr_profile *p) { return p ? p->tm.runtime : NULL; }
const char *gr_profile_path(const gr_profile *p) { return p && p->tm.path[0] ? p->tm.path : NULL; }
const char *gr_profile_label(const gr_profile *p) { return p ? p->tm.label : NULL; }
const gr_calib_conditions *gr_profile_conditions(const gr_profile *p) { return p ? &p->cond : NULL; }
const char *gr_profile_sources(const gr_profile *p) { return p ? p->sources : NULL; }
int gr_profile_total_rows(const gr_profile *p) { return p ? p->total_rows : 0; }

void calib_profile_set_label(gr_profile *p)
{
	snprintf(p->tm.label, sizeof(p->tm.label), "%s%s%s/%s v%d %s", p->tm.hw, p->tm.mode[0] ? ":" : "",
		 p->tm.mode, p->tm.runtime, p->version, p->created);
}

int gr_profile_has_precision(const gr_profile *p, gr_precision prec)
{
	return p && (unsigned)prec < GR_PREC_COUNT && p->tm.prec[prec].present;
}

/* The fit and the fit quality of precision prec; 0 when the profile has none. */
static int prec_fit(const gr_profile *p, gr_precision prec, const otm_prec **cp,
		    const calib_quality **cq)
{
	if (!gr_profile_has_precision(p, prec))
		return 0;
	*cp = &p->tm.prec[prec];
	*cq = &p->q[prec];
	return 1;
}

gr_status gr_profile_quality(const gr_profile *p, gr_precision prec, int cls, gr_fit_quality *out)
{
	const otm_prec *cp;
	const calib_quality *cq;

	memset(out, 0, sizeof(*out));
	if (!prec_fit(p, prec, &cp, &cq))
		return GR_ERR_NOT_FOUND;
	if (cls < 0) {
		double fmn = INFINITY, fmx = 0, bmn = INFINITY, bmx = 0;
		for (int k = 0; k < CC_COUNT; k++)
			if (cp->cls[k].fitted && cp->cls[k].points) {
				fmn = fmin(fmn, cp->cls[k].f_min);
				fmx = fmax(fmx, cp->cls[k].f_max);
				bmn = fmin(bmn, cp->cls[k].b_min);
				bmx = fmax(bmx, cp->cls[k].b_max);
			}
		out->rows = cq->rows;
		out->r2 = cq->r2;
		out->median_ape = cq->median_ape;
		out->p90_ape = cq->p90_ape;
		out->f_min = isfinite(fmn) ? fmn : 0;
		out->f_max = fmx;
		out->b_min = isfinite(bmn) ? bmn : 0;
		out->b_max = bmx;
		out->batch_min = cq->batch_min;
		out->batch_max = cq->batch_max;
		return GR_OK;
	}
	if (cls >= CC_COUNT || !cp->cls[cls].fitted)
		return GR_ERR_NOT_FOUND;
	out->rows = cq->cls[cls].rows;
	out->r2 = NAN;
	out->median_ape = cq->cls[cls].median_ape;
	out->p90_ape = cq->cls[cls].p90_ape;
	out->f_min = cp->cls[cls].f_min;
	out->f_max = cp->cls[cls].f_max;
	out->b_min = cp->cls[cls].b_min;
	out->b_max = cp->cls[cls].b_max;
	out->batch_min = cp->cls[cls].batch_min;
	out->batch_max = cp->cls[cls].batch_max;
	return GR_OK;
}

gr_status gr_profile_precision_info(const gr_profile *p, gr_precision prec, gr_fit_precision *out)
{
	const otm_prec *cp;
	const calib_quality *cq;

	memset(out, 0, sizeof(*out));
	if (!prec_fit(p, prec, &cp, &cq))
		return GR_ERR_NOT_FOUND;
	out->subgraph_rows = cq->rows_sub;
	out->model_rows = cq->rows_model;
	out->merged_rows = cq->rows_merged;
	out->merged_example = cq->merged_example;
	out->model_mape = cq->model_mape;
	out->models = cq->models;
	out->emulated = cp->emulated;
	out->llc_bytes = cp->llc_bytes;
	out->kernel_s = cp->glob[CG_KERNEL];
	out->spill_s_per_byte = cp->glob[CG_SPILL];
	out->has_energy = cp->has_energy;
	out->energy_rows = cq->energy_rows;
	out->pj_per_flop = cp->pj_per_flop;
	out->pj_per_byte = cp->pj_per_byte;
	out->static_w = cp->static_w;
	out->energy_pub_scope = otm_energy_scope_name(cp->energy_pub_scope);
	out->energy_pub_scale = cp->energy_pub_scale;
	out->energy_pub_clamped = cq->epub.clamped;
	out->energy_pub_rows = cq->epub.rows;
	out->energy_pub_models = cq->epub.models;
	out->energy_pub_mape_theory = cq->epub.mape_theory;
	out->energy_pub_mape_fit = cq->epub.mape_fit;
	out->energy_pub_lomo_mape = cq->epub.lomo_mape;
	out->energy_pub_loro_mape = cq->epub.loro_mape;
	return GR_OK;
}

gr_status gr_profile_class_info(const gr_profile *p, gr_precision prec, int cls, gr_fit_class *out)
{
	const otm_class *c;
	memset(out, 0, sizeof(*out));
	if (!gr_profile_has_precision(p, prec) || cls < 0 || cls >= CC_COUNT || !p->tm.prec[prec].cls[cls].fitted)
		return GR_ERR_NOT_FOUND;
	c = &p->tm.prec[prec].cls[cls];
	out->points = c->points;
	out->op_s = c->coef[CF_OP];
	out->s_per_flop = c->coef[CF_FLOPS];
	out->s_per_byte = c->coef[CF_BYTES];
	out->s_per_weight = c->coef[CF_WEIGHTS];
	out->s_per_row = c->coef[CF_ROWS];
	out->borrowed_from = c->borrowed_from[0] ? c->borrowed_from : NULL;
	out->borrowed_of = c->borrowed_from[0] ? c->borrowed_of : -1;
	out->flop_of = p->q[prec].cls[cls].flop_of - 1;
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
	cJSON_AddStringToObject(o, "hardware", p->tm.hw);
	if (p->tm.mode[0])
		cJSON_AddStringToObject(o, "mode", p->tm.mode);
	else
		cJSON_AddNullToObject(o, "mode");
	cJSON_AddStringToObject(o, "runtime", p->tm.runtime);
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
		const otm_prec *cp = &p->tm.prec[q];
		const calib_quality *cq = &p->q[q];
		cJSON *po, *qa, *cl, *gl;
		if (!cp->present)
			continue;
		po = cJSON_AddObjectToObject(precs, gr_precision_name((gr_precision)q));
		cJSON_AddNumberToObject(po, "bytes_per_element", cp->bytes_per_elem);
		cJSON_AddNumberToObject(po, "llc_bytes", cp->llc_bytes);
		cJSON_AddBoolToObject(po, "emulated", cp->emulated);
		if (cp->group_tile_n > 0)
			cJSON_AddNumberToObject(po, "group_tile_n", cp->group_tile_n);
		cJSON_AddStringToObject(po, "models", cq->models);
		if (cq->batch_max > 0) /* 0: not known (a profile read without it) */
			cJSON_AddItemToObject(po, "batch", range((double)cq->batch_min, (double)cq->batch_max));
		gl = cJSON_AddObjectToObject(po, "platform");
		for (int g = 0; g < CG_COUNT; g++)
			add_num(gl, calib_glob_names[g], cp->glob[g]);
		if (cp->frame_s > 0 || cp->context_bytes > 0 || cp->context_layers > 0) { /* dataflow fits only */
			add_num(gl, "frame_s", cp->frame_s);
			add_num(gl, "context_bytes", cp->context_bytes);
			add_num(gl, "context_s", cp->context_s);
			add_num(gl, "context_layers", cp->context_layers);
			add_num(gl, "context_layer_s", cp->context_layer_s);
			add_num(gl, "context_fill", cp->context_fill);
		}
		if (cp->matrix_s > 0)
			add_num(gl, "matrix_s", cp->matrix_s);
		if (cp->request_s > 0)
			add_num(gl, "request_s", cp->request_s);
		if (cp->has_offpath)
			add_num(gl, "offpath_kernel_factor", cp->offpath_factor);
		if (cp->has_kernel_groups) {
			cJSON *kg = cJSON_AddObjectToObject(gl, "kernel_groups");
			for (int k = 0; k < OTM_KG_COUNT; k++)
				add_num(kg, otm_kernel_group_names[k], cp->kernel_group_s[k]);
		}
		qa = cJSON_AddObjectToObject(po, "quality");
		cJSON_AddNumberToObject(qa, "rows", cq->rows);
		cJSON_AddNumberToObject(qa, "subgraph_rows", cq->rows_sub);
		cJSON_AddNumberToObject(qa, "model_rows", cq->rows_model);
		if (cq->rows_merged) {
			cJSON_AddNumberToObject(qa, "merged_rows", cq->rows_merged);
			cJSON_AddStringToObject(qa, "merged_example", cq->merged_example);
		}
		add_num(qa, "r2_log", cq->r2);
		add_num(qa, "median_ape", cq->median_ape);
		add_num(qa, "p90_ape", cq->p90_ape);
		add_num(qa, "model_mape_in_sample", cq->model_mape);
		add_num(qa, "model_median_ape_in_sample", cq->model_median_ape);
		if (cq->pub.present) {
			const calib_pub_quality *pq = &cq->pub;
			cJSON *pb = cJSON_AddObjectToObject(qa, "published");
			static const char *const mt[2] = {"latency", "throughput"};
			char key[48];
			cJSON_AddNumberToObject(pb, "models", pq->models);
			if (pq->precision_name[0])
				cJSON_AddStringToObject(pb, "precision", pq->precision_name);
			for (int m = 0; m < 2; m++) {
				snprintf(key, sizeof(key), "rows_%s", mt[m]);
				cJSON_AddNumberToObject(pb, key, pq->rows[m]);
				snprintf(key, sizeof(key), "lomo_rows_%s", mt[m]);
				cJSON_AddNumberToObject(pb, key, pq->lomo_rows[m]);
				snprintf(key, sizeof(key), "lomo_mape_%s", mt[m]);
				add_num(pb, key, pq->lomo_mape[m]);
				snprintf(key, sizeof(key), "mape_in_sample_%s", mt[m]);
				add_num(pb, key, pq->mape[m]);
			}
			add_num(pb, "compute_factor", pq->alpha);
			add_num(pb, "bandwidth_factor", pq->beta);
			add_num(pb, "kernel_s", pq->kernel_s);
			add_num(pb, "op_s", pq->op_s);
			cJSON_AddNumberToObject(pb, "skipped_mapping", pq->skip_mapping);
			cJSON_AddNumberToObject(pb, "skipped_shape", pq->skip_shape);
			cJSON_AddNumberToObject(pb, "skipped_model", pq->skip_model);
			if (pq->skip_placement)
				cJSON_AddNumberToObject(pb, "skipped_placement", pq->skip_placement);
			cJSON_AddStringToObject(pb, "sources", pq->sources);
			if (pq->n_harness) {
				cJSON *hs = cJSON_AddObjectToObject(pb, "harnesses");
				for (int h = 0; h < pq->n_harness; h++) {
					cJSON *ho = cJSON_AddObjectToObject(hs, pq->harness[h]);
					add_num(ho, "step_s", pq->harness_step_s[h]);
					add_num(ho, "op_s", pq->harness_op_s[h]);
				}
			}
		}
		if (cp->has_energy) {
			cJSON *en = cJSON_AddObjectToObject(po, "energy");
			add_num(en, "pj_per_flop", cp->pj_per_flop);
			add_num(en, "pj_per_byte", cp->pj_per_byte);
			add_num(en, "static_w", cp->static_w);
			cJSON_AddNumberToObject(en, "rows", cq->energy_rows);
		}
		if (cp->energy_pub_scope != OTM_ENERGY_NONE) {
			const calib_energy_quality *eq = &cq->epub;
			cJSON *en = cJSON_AddObjectToObject(po, "energy_published");
			cJSON_AddStringToObject(en, "scope", otm_energy_scope_name(cp->energy_pub_scope));
			add_num(en, "scale", cp->energy_pub_scale);
			cJSON_AddNumberToObject(en, "rows", eq->rows);
			cJSON_AddNumberToObject(en, "models", eq->models);
			cJSON_AddBoolToObject(en, "clamped", eq->clamped);
			add_num(en, "mape_as_estimated", eq->mape_theory);
			add_num(en, "mape_in_sample", eq->mape_fit);
			add_num(en, "lomo_mape", eq->lomo_mape);
			add_num(en, "loro_mape", eq->loro_mape);
			cJSON_AddStringToObject(en, "sources", eq->sources);
		}
		cl = cJSON_AddObjectToObject(po, "classes");
		for (int k = 0; k < CC_COUNT; k++) {
			const otm_class *c = &cp->cls[k];
			cJSON *co, *cf;
			if (!c->fitted)
				continue;
			co = cJSON_AddObjectToObject(cl, gr_op_class_name(k));
			cf = cJSON_AddObjectToObject(co, "coef");
			for (int f = 0; f < CF_COUNT; f++)
				if ((f < CF_PAR4 || cp->emulated) && (f != CF_ROWS || c->coef[f] > 0))
					add_num(cf, calib_coef_names[f], c->coef[f]);
			cJSON_AddNumberToObject(co, "points", c->points);
			cJSON_AddNumberToObject(co, "rows", cq->cls[k].rows);
			cJSON_AddItemToObject(co, "flops", range(c->f_min, c->f_max));
			cJSON_AddItemToObject(co, "bytes", range(c->b_min, c->b_max));
			if (c->batch_max > 0)
				cJSON_AddItemToObject(co, "batch", range((double)c->batch_min, (double)c->batch_max));
			add_num(co, "median_ape", cq->cls[k].median_ape);
			add_num(co, "p90_ape", cq->cls[k].p90_ape);
			if (c->borrowed_from[0] && c->borrowed_of >= 0 && c->borrowed_of < CC_COUNT) {
				cJSON *bo = cJSON_AddObjectToObject(co, "borrowed");
				cJSON_AddStringToObject(bo, "from", c->borrowed_from);
				cJSON_AddStringToObject(bo, "ratio_of", gr_op_class_name(c->borrowed_of));
			}
		}
	}
	return o;
}

gr_status gr_profile_load(const char *path, gr_profile **out, gr_error *err)
{
	FILE *f;
	char *buf = NULL;
	long size;
	gr_status rc;

	*out = NULL;
	if (!(f = gr_infile_open(path, err)))
		return GR_ERR_IO;
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || size > (64 << 20) || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': larger than 64 MiB", path);
	}
	if (!(buf = malloc((size_t)size + 1)) || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(buf);
		return gr_error_set(err, GR_ERR_IO, "cannot read '%s'", path);
	}
	fclose(f);
	if (!(rc = gr_profile_load_mem(buf, (size_t)size, path, out, err)))
		snprintf((*out)->tm.path, sizeof((*out)->tm.path), "%s", path);
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
	/* never save what the reader refuses: a fit of wildly noisy timings can leave the ranges
	 * the reader checks (a per-op cost over a second) */
	{
		gr_profile *back = NULL;
		gr_error e = {0};
		if (gr_profile_load_mem(s, strlen(s), path, &back, &e)) {
			rc = gr_error_set(err, GR_ERR_FORMAT, "not saving '%s': the profile would not load back (%s); "
					  "were the measurements taken on a busy machine?", path, e.msg);
			goto out;
		}
		gr_profile_free(back);
	}
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

static char builtin_dir[4200];
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void set_builtin_dir(void)
{
	snprintf(builtin_dir, sizeof(builtin_dir), "%s/calibration", gr_data_dir());
}

const char *gr_calibration_builtin_dir(void)
{
	const char *env = getenv("GRAPHS_CALIBRATION_DIR");
	if (env && *env)
		return env;
	pthread_once(&builtin_once, set_builtin_dir);
	return builtin_dir;
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

const char *gr_profile_default_runtime(const gr_hw *hw, int mode)
{
	const char *def = gr_estimate_default_runtime(hw), *best = NULL;
	const char *mname = mode >= 0 ? gr_hw_mode_name(hw, (size_t)mode) : NULL;
	double best_us = 0;
	char spec[200], path[4400];

	/* CPUs and GPUs keep eager PyTorch (transfer covers them); "compiler" is a stand-in for
	 * an accelerator's own toolchain, which a profile names */
	if (strcmp(def, "compiler"))
		return def;
	snprintf(spec, sizeof(spec), "%s%s%s", gr_hw_id(hw), mname ? ":" : "", mname ? mname : "");
	if (!gr_profile_find(spec, def, path, sizeof(path), NULL))
		return def;
	for (size_t i = 0; i < gr_fusion_rules_count(); i++) {
		const gr_fusion_rules *r = gr_fusion_rules_at(i);
		if ((!best || r->op_overhead_us < best_us) &&
		    !gr_profile_find(spec, r->name, path, sizeof(path), NULL)) {
			best = r->name;
			best_us = r->op_overhead_us;
		}
	}
	return best ? best : def;
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

gr_status gr_profile_accuracy_get(const gr_profile *p, gr_precision prec, gr_profile_accuracy *out)
{
	const calib_pub_quality *q;

	memset(out, 0, sizeof(*out));
	if (!p || (unsigned)prec >= GR_PREC_COUNT || !p->tm.prec[prec].present || !p->q[prec].pub.present)
		return GR_ERR_NOT_FOUND;
	q = &p->q[prec].pub;
	out->models = q->models;
	for (int m = 0; m < 2; m++) {
		out->rows[m] = q->rows[m];
		out->lomo_rows[m] = q->lomo_rows[m];
		out->lomo_mape[m] = q->lomo_mape[m];
		out->mape_in_sample[m] = q->mape[m];
	}
	out->compute_factor = q->alpha;
	out->bandwidth_factor = q->beta;
	out->kernel_s = q->kernel_s;
	out->op_s = q->op_s;
	out->frame_s = p->tm.prec[prec].frame_s;
	out->context_bytes = p->tm.prec[prec].context_bytes;
	out->context_s = p->tm.prec[prec].context_s;
	out->context_layers = p->tm.prec[prec].context_layers;
	out->context_fill = p->tm.prec[prec].context_fill;
	out->context_layer_s = p->tm.prec[prec].context_layer_s;
	out->matrix_s = p->tm.prec[prec].matrix_s;
	out->skipped_mapping = q->skip_mapping;
	out->skipped_shape = q->skip_shape;
	out->skipped_model = q->skip_model;
	out->skipped_placement = q->skip_placement;
	out->precision = q->precision_name;
	out->sources = q->sources;
	out->harnesses = q->n_harness;
	for (int h = 0; h < q->n_harness; h++) {
		out->harness_name[h] = q->harness[h];
		out->harness_step_s[h] = q->harness_step_s[h];
		out->harness_op_s[h] = q->harness_op_s[h];
	}
	return GR_OK;
}

double gr_profile_error_band_pct(const gr_profile *p, gr_precision prec, int metric)
{
	gr_profile_accuracy a;
	int m = metric == GR_METRIC_THROUGHPUT ? 1 : 0;

	if (gr_profile_accuracy_get(p, prec, &a))
		return NAN;
	if (isfinite(a.lomo_mape[m]))
		return 100 * a.lomo_mape[m];
	return isfinite(a.lomo_mape[1 - m]) ? 100 * a.lomo_mape[1 - m] : NAN;
}
