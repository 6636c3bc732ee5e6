/* Which runtimes are calibrated on a platform, and how well: the profiles under
 * <dir>/<hw id>/<mode or default>/<runtime>.json of the user's and the shipped calibration
 * folders (for `graphs hw list` and `hw show`). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calibration/calib_impl.h"

static int is_regular(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int cmp_summary(const void *a, const void *b)
{
	const gr_profile_summary *x = a, *y = b;
	int c = strcmp(x->runtime, y->runtime);
	return c ? c : strcmp(x->mode, y->mode);
}

/* Adds the profiles of one calibration folder; a runtime/mode already listed (from a folder
 * searched earlier) is not listed again, as estimates would not find it. */
static void scan_dir(const char *root, const char *hw_id, gr_profile_summary **out, size_t *n, size_t *cap)
{
	char hwdir[4096];
	DIR *d;
	struct dirent *me;

	if (snprintf(hwdir, sizeof(hwdir), "%s/%s", root, hw_id) >= (int)sizeof(hwdir) || !(d = opendir(hwdir)))
		return;
	while ((me = readdir(d))) {
		char mdir[4200];
		DIR *md;
		struct dirent *fe;
		if (me->d_name[0] == '.')
			continue;
		if (strlen(hwdir) + strlen(me->d_name) + 2 > sizeof(mdir))
			continue;
		memcpy(mdir, hwdir, strlen(hwdir));
		mdir[strlen(hwdir)] = '/';
		memcpy(mdir + strlen(hwdir) + 1, me->d_name, strlen(me->d_name) + 1);
		if (!(md = opendir(mdir)))
			continue;
		while ((fe = readdir(md))) {
			size_t l = strlen(fe->d_name);
			char path[4400];
			gr_profile *p = NULL;
			gr_error err = {0};
			gr_profile_summary *s;
			int dup = 0;
			if (l < 6 || strcmp(fe->d_name + l - 5, ".json") || fe->d_name[0] == '.')
				continue;
			if (strlen(mdir) + l + 2 > sizeof(path))
				continue;
			memcpy(path, mdir, strlen(mdir));
			path[strlen(mdir)] = '/';
			memcpy(path + strlen(mdir) + 1, fe->d_name, l + 1);
			if (!is_regular(path) || gr_profile_load(path, &p, &err))
				continue; /* a broken profile is reported where it would be used */
			for (size_t i = 0; i < *n && !dup; i++)
				dup = !strcmp((*out)[i].runtime, p->tm.runtime) &&
				      !strcmp((*out)[i].mode, p->tm.mode[0] ? p->tm.mode : "default");
			if (!dup && *n == *cap) {
				size_t nc = *cap ? 2 * *cap : 8;
				gr_profile_summary *ns = realloc(*out, nc * sizeof(*ns));
				if (!ns) {
					gr_profile_free(p);
					break;
				}
				*out = ns;
				*cap = nc;
			}
			if (dup) {
				gr_profile_free(p);
				continue;
			}
			s = &(*out)[(*n)++];
			memset(s, 0, sizeof(*s));
			snprintf(s->runtime, sizeof(s->runtime), "%s", p->tm.runtime);
			snprintf(s->mode, sizeof(s->mode), "%s", p->tm.mode[0] ? p->tm.mode : "default");
			snprintf(s->path, sizeof(s->path), "%s", path);
			s->lomo_pct = NAN;
			for (int q = 0; q < GR_PREC_COUNT; q++) {
				size_t pl = strlen(s->precisions);
				double band;
				if (!p->tm.prec[q].present)
					continue;
				if (pl + 8 < sizeof(s->precisions))
					snprintf(s->precisions + pl, sizeof(s->precisions) - pl, "%s%s", pl ? "," : "",
						 gr_precision_name((gr_precision)q));
				if (p->q[q].pub.present)
					s->published = 1;
				/* the worst precision's error: what a user of the profile should expect */
				band = gr_profile_error_band_pct(p, (gr_precision)q, GR_METRIC_LATENCY);
				if (isfinite(band) && (!isfinite(s->lomo_pct) || band > s->lomo_pct))
					s->lomo_pct = band;
			}
			gr_profile_free(p);
		}
		closedir(md);
	}
	closedir(d);
}

size_t gr_profile_summaries(const char *hw_id, gr_profile_summary **out)
{
	char user[4096];
	size_t n = 0, cap = 0;

	*out = NULL;
	if (!hw_id || !*hw_id || strchr(hw_id, '/') || strchr(hw_id, ':'))
		return 0;
	if (!gr_calibration_user_dir(user, sizeof(user)))
		scan_dir(user, hw_id, out, &n, &cap);
	scan_dir(gr_calibration_builtin_dir(), hw_id, out, &n, &cap);
	if (n > 1)
		qsort(*out, n, sizeof(**out), cmp_summary);
	return n;
}
