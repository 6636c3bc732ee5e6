/* Donor profiles for platforms without one (docs/transfer.md): every profile on the calibration
 * search path is a candidate; the nearest of the target's class (otm_transfer_distance) whose
 * fit holds the precision lends its efficiencies, scaled to the target (otm_transfer). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calibration/calib_impl.h"

typedef struct donor_search {
	const char *runtime;
	gr_precision prec;
	gr_profile *best;          /* loaded */
	const gr_hw *best_hw;
	int best_mode;
	double best_dist;
} donor_search;

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int name_ok(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

/* Considers dir/<id>/<mode>/<runtime>.json (calib_each_donor). */
static void consider(void *ctx, const char *dir, const char *id, const char *mname, const gr_hw *dhw, int dm,
		     double dist)
{
	donor_search *s = ctx;
	char path[4400], found[4400], spec[600];
	gr_profile *p = NULL;
	gr_error e = {0};

	/* a profile filed under "default" of a platform with power modes was measured in a mode
	 * its source did not state (published tables): its clocks are uncertain, so a donor
	 * whose mode is known wins at equal figures */
	if (dm < 0 && gr_hw_mode_count(dhw) > 0)
		dist += 0.5;
	if (s->best && dist >= s->best_dist)
		return;
	snprintf(path, sizeof(path), "%s/%s/%s/%s.json", dir, id, mname, s->runtime);
	/* a file shadowed by one earlier on the path is not the one estimates of it would use */
	snprintf(spec, sizeof(spec), "%s%s%s", id, dm >= 0 ? ":" : "", dm >= 0 ? mname : "");
	if (gr_profile_find(spec, s->runtime, found, sizeof(found), &e) || strcmp(found, path))
		return;
	if (gr_profile_load(path, &p, &e)) {
		gr_log_warn("%s (not used as a transfer donor)", e.msg);
		return;
	}
	if (!p->tm.prec[s->prec].present || strcmp(p->tm.runtime, s->runtime) || strcmp(p->tm.hw, id)) {
		gr_profile_free(p);
		return;
	}
	gr_profile_free(s->best);
	s->best = p;
	s->best_hw = dhw;
	s->best_mode = dm;
	s->best_dist = dist;
}

/* Every <id>/<mode>/<runtime>.json under dir, in name order (ties go to the first). */
static void scan_dir_each(const char *dir, const char *runtime, calib_profile_fn fn, void *ctx)
{
	struct dirent **ids = NULL, **modes = NULL;
	int ni = is_dir(dir) ? scandir(dir, &ids, name_ok, alphasort) : 0;

	for (int i = 0; i < ni; i++) {
		char sub[4400], file[5200];
		int nm;
		snprintf(sub, sizeof(sub), "%s/%s", dir, ids[i]->d_name);
		nm = is_dir(sub) ? scandir(sub, &modes, name_ok, alphasort) : 0;
		for (int j = 0; j < nm; j++) {
			struct stat st;
			snprintf(file, sizeof(file), "%s/%s/%s.json", sub, modes[j]->d_name, runtime);
			if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
				fn(ctx, dir, ids[i]->d_name, modes[j]->d_name);
			free(modes[j]);
		}
		free(modes);
		modes = NULL;
		free(ids[i]);
	}
	free(ids);
}

void calib_each_profile(const char *runtime, calib_profile_fn fn, void *ctx)
{
	const char *env = getenv("GRAPHS_CALIBRATION_PATH");
	char dir[4096];

	for (const char *p = env && *env ? env : ""; *p;) {
		const char *e = strchr(p, ':');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l && l < sizeof(dir)) {
			memcpy(dir, p, l);
			dir[l] = 0;
			scan_dir_each(dir, runtime, fn, ctx);
		}
		p = e ? e + 1 : p + l;
	}
	if (!gr_calibration_user_dir(dir, sizeof(dir)))
		scan_dir_each(dir, runtime, fn, ctx);
	scan_dir_each(gr_calibration_builtin_dir(), runtime, fn, ctx);
}

typedef struct each_donor {
	const gr_hw_registry *reg;
	const gr_hw *hw;
	int mode;
	gr_precision prec;
	calib_donor_fn fn;
	void *ctx;
} each_donor;

static void donor_of(void *ctx, const char *dir, const char *id, const char *mname)
{
	each_donor *s = ctx;
	const gr_hw *dhw = gr_hw_registry_find(s->reg, id);
	const char *tmode = s->mode >= 0 ? gr_hw_mode_name(s->hw, (size_t)s->mode) : NULL;
	int dm = -1;
	double dist;

	if (!dhw)
		return; /* a profile of a platform the registry does not know: nothing to scale by */
	if (strcmp(mname, "default") && (dm = gr_hw_mode_find(dhw, mname)) < 0)
		return;
	if (!strcmp(id, gr_hw_id(s->hw)) && !strcmp(mname, tmode ? tmode : "default"))
		return; /* the target's own profile is not a donor (it would have been used as is) */
	if ((dist = otm_transfer_distance(dhw, dm, s->hw, s->mode, s->prec)) >= 0)
		s->fn(s->ctx, dir, id, mname, dhw, dm, dist);
}

void calib_each_donor(const gr_hw_registry *reg, const gr_hw *hw, int mode, const char *runtime, gr_precision prec,
		      calib_donor_fn fn, void *ctx)
{
	each_donor s = {reg, hw, mode, prec, fn, ctx};
	calib_each_profile(runtime, donor_of, &s);
}

gr_status gr_profile_transfer_find(const gr_hw_registry *reg, const gr_hw *hw, int mode, const char *runtime,
				   int precision, gr_profile **out, gr_error *err)
{
	gr_hw_registry *own = NULL;
	donor_search s = {0};
	gr_status st;

	*out = NULL;
	if (!hw)
		return gr_error_set(err, GR_ERR_USAGE, "transfer needs a platform");
	if (!reg) {
		if ((st = calib_registry_load(&own, err)))
			return st;
		reg = own;
	}
	if (precision < 0)
		precision = gr_hw_preferred_precision(hw);
	s.runtime = runtime ? runtime : "pytorch";
	s.prec = precision >= 0 && precision < GR_PREC_COUNT ? (gr_precision)precision : GR_PREC_FP32;
	calib_each_donor(reg, hw, mode, s.runtime, s.prec, consider, &s);
	if (!s.best) {
		gr_hw_registry_free(own);
		return gr_error_set(err, GR_ERR_NOT_FOUND, "no calibrated %s platform with a %s %s fit (native or emulated alike) to borrow from",
				    gr_hw_class_name(gr_hw_get_class(hw)), s.runtime, gr_precision_name(s.prec));
	}
	{
		gr_op_time_model tm;
		int n = otm_transfer(&s.best->tm, s.best_hw, s.best_mode, hw, mode, &tm);
		gr_hw_registry_free(own);
		if (!n) {
			gr_profile_free(s.best);
			return gr_error_set(err, GR_ERR_NOT_FOUND, "no fit of the nearest donor applies to '%s'",
					    gr_hw_id(hw));
		}
		s.best->tm = tm;
	}
	*out = s.best;
	return GR_OK;
}

int gr_profile_transfer_threads(gr_profile *p, const gr_hw *hw, int mode, int threads)
{
	if (!p || !p->tm.borrowed_from[0])
		return 0;
	return otm_transfer_threads(&p->tm, hw, mode, threads);
}

const char *gr_profile_borrowed_from(const gr_profile *p)
{
	return p && p->tm.borrowed_from[0] ? p->tm.borrowed_from : NULL;
}
