/* The registry: finds *.yaml files under the built-in folder and $GRAPHS_HARDWARE_PATH,
 * parses them, lets user entries override built-ins by id, and resolves "id:mode". */
#include "core/array.h"
#include "hardware/hw_impl.h"

#include "graphs/version.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DEPTH 4
#define MAX_FILES 10000

static char registry_dir[4200];
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void set_builtin_dir(void)
{
	snprintf(registry_dir, sizeof(registry_dir), "%s/hardware", gr_data_dir());
}

const char *gr_hw_builtin_dir(void)
{
	pthread_once(&builtin_once, set_builtin_dir);
	return registry_dir;
}

/* --- file lists ------------------------------------------------------------------------ */

typedef struct strlist {
	char **v;
	size_t n, cap;
} strlist;

static void strlist_free(strlist *l)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static int strlist_push(strlist *l, const char *s)
{
	char *d;
	if (!gr_array_reserve(&l->v, &l->cap, l->n, sizeof(*l->v), 64))
		return -1;
	d = strdup(s);
	if (!d)
		return -1;
	l->v[l->n++] = d;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_yaml_name(const char *name)
{
	size_t n = strlen(name);
	return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml"));
}

static gr_status collect(const char *dir, int depth, strlist *out, gr_error *err)
{
	DIR *d;
	struct dirent *de;
	gr_status st = GR_OK;

	if (depth > MAX_DEPTH)
		return GR_OK;
	d = opendir(dir);
	if (!d)
		return gr_error_set(err, GR_ERR_IO, "cannot open hardware folder '%s': %s", dir,
				    strerror(errno));
	while ((de = readdir(d))) {
		char path[4096];
		struct stat sb;
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (stat(path, &sb))
			continue;
		if (S_ISDIR(sb.st_mode)) {
			st = collect(path, depth + 1, out, err);
			if (st)
				break;
		} else if (S_ISREG(sb.st_mode) && is_yaml_name(de->d_name)) {
			if (out->n >= MAX_FILES) {
				st = gr_error_set(err, GR_ERR_LIMIT, "more than %d files under '%s'",
						  MAX_FILES, dir);
				break;
			}
			if (strlist_push(out, path)) {
				st = gr_error_set(err, GR_ERR_NOMEM, "out of memory");
				break;
			}
		}
	}
	closedir(d);
	return st;
}

/* Every registry file under path (a folder, searched recursively, or one file), sorted. */
static gr_status list_files(const char *path, strlist *out, gr_error *err)
{
	struct stat sb;
	gr_status st;

	if (stat(path, &sb))
		return gr_error_set(err, GR_ERR_IO, "cannot open hardware folder '%s': %s", path,
				    strerror(errno));
	if (S_ISREG(sb.st_mode))
		return strlist_push(out, path) ? gr_error_set(err, GR_ERR_NOMEM, "out of memory") : GR_OK;
	st = collect(path, 0, out, err);
	if (st == GR_OK && out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	return st;
}

/* --- registry -------------------------------------------------------------------------- */

static int cmp_hw(const void *a, const void *b)
{
	return strcmp((*(gr_hw *const *)a)->id, (*(gr_hw *const *)b)->id);
}

static gr_hw **reg_slot(gr_hw_registry *r, const char *id)
{
	size_t i;
	for (i = 0; i < r->n; i++)
		if (!strcmp(r->items[i]->id, id))
			return &r->items[i];
	return NULL;
}

/* Adds or replaces by id (no sorting). Takes ownership of hw. */
static gr_status reg_put(gr_hw_registry *r, gr_hw *hw, gr_error *err)
{
	gr_hw **slot = reg_slot(r, hw->id);
	if (slot) {
		gr_hw_free(*slot);
		*slot = hw;
		return GR_OK;
	}
	if (!gr_array_reserve(&r->items, &r->cap, r->n, sizeof(*r->items), 64)) {
		gr_hw_free(hw);
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	}
	r->items[r->n++] = hw;
	return GR_OK;
}

static void warn_fn(const gr_hw_problem *p, void *user)
{
	(void)user;
	if (p->severity == GR_HW_WARNING)
		gr_log_warn("%s", p->msg);
}

/* --- unusable user entries ------------------------------------------------------------- */

static gr_hw_unusable *bad_slot(const gr_hw_registry *r, const char *id)
{
	size_t i;
	for (i = 0; i < r->n_bad; i++)
		if (!strcmp(r->bad[i].id, id))
			return &r->bad[i];
	return NULL;
}

static void bad_free(gr_hw_unusable *b)
{
	free(b->id);
	free(b->path);
	free(b->why);
}

static void bad_drop(gr_hw_registry *r, const char *id)
{
	gr_hw_unusable *b = bad_slot(r, id);
	if (!b)
		return;
	bad_free(b);
	*b = r->bad[--r->n_bad];
}

/* Records (or replaces) the unusable entry id. */
static gr_status bad_put(gr_hw_registry *r, const char *id, const char *path, const char *why,
			 gr_error *err)
{
	gr_hw_unusable b = {strdup(id), strdup(path), strdup(why)};
	if (!b.id || !b.path || !b.why)
		goto nomem;
	bad_drop(r, id);
	if (!gr_array_reserve(&r->bad, &r->cap_bad, r->n_bad, sizeof(*r->bad), 8))
		goto nomem;
	r->bad[r->n_bad++] = b;
	return GR_OK;
nomem:
	bad_free(&b);
	return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
}

static void reg_remove(gr_hw_registry *r, const char *id)
{
	gr_hw **slot = reg_slot(r, id);
	if (!slot)
		return;
	gr_hw_free(*slot);
	*slot = r->items[--r->n];
}

/* The id a file that did not parse would have given: its name without .yaml / .yml. */
static void stem_of(const char *path, char *buf, size_t size)
{
	const char *base = strrchr(path, '/'), *dot;
	size_t len;
	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	len = dot && dot > base ? (size_t)(dot - base) : strlen(base);
	if (len >= size)
		len = size - 1;
	memcpy(buf, base, len);
	buf[len] = 0;
}

/* --- loading ----------------------------------------------------------------------------- */

/* Loads classes/<class>.yaml into the tier. A bad built-in class file, or two for one class,
 * stop the load; in a user folder they are left out with a warning (the earlier folders'
 * class defaults stay in force). */
static gr_status load_class_file(const char *path, gr_hw_registry *tier, int user, gr_error *err)
{
	gr_hw_sink sink = {warn_fn, NULL, 0, 0, {0}};
	gr_hw *cls = gr_hw_parse_class_file(path, &sink);
	char why[1400];

	if (cls && tier->classes[cls->cls])
		snprintf(why, sizeof(why), "%s:%d: key 'class': a second file for class '%s' (also '%s')",
			 path, cls->line_class, gr_hw_class_name(cls->cls), tier->classes[cls->cls]->path);
	else if (!cls)
		snprintf(why, sizeof(why), "%s", sink.errors ? sink.first_error : "cannot parse file");
	else {
		tier->classes[cls->cls] = cls;
		return GR_OK;
	}
	gr_hw_free(cls);
	if (!user)
		return gr_error_set(err, GR_ERR_FORMAT, "%s", why);
	gr_log_warn("class defaults '%s' are left out: %s", path, why);
	return GR_OK;
}

/* Loads one folder tree into a fresh tier. In the built-in tree any bad file or duplicate id
 * is an error. In a user tree (user = 1) entries are also checked for consistency, and a bad
 * file or a duplicate id only makes that id unusable, with a warning naming the file, so that
 * one broken entry does not stop the commands that never use it. */
static gr_status load_tree(const char *dir, gr_hw_registry *tier, int user, gr_error *err)
{
	strlist files = {0};
	gr_status st;
	size_t i;

	st = list_files(dir, &files, err);
	for (i = 0; st == GR_OK && i < files.n; i++) {
		gr_hw_sink sink = {warn_fn, NULL, 0, 0, {0}};
		gr_hw *hw;
		gr_hw **dup;
		char id[256];

		if (gr_hw_is_class_path(files.v[i])) {
			st = load_class_file(files.v[i], tier, user, err);
			continue;
		}
		hw = gr_hw_parse_file(files.v[i], &sink, user);

		if (user && hw && !sink.errors) {
			/* warnings of the checks are left to `graphs hw validate` */
			gr_hw_sink check = {NULL, NULL, 0, 0, {0}};
			gr_hw_check(hw, &check);
			if (check.errors) {
				sink.errors += check.errors;
				memcpy(sink.first_error, check.first_error, sizeof(sink.first_error));
			}
		}
		if (!hw || sink.errors) {
			const char *why = sink.errors ? sink.first_error : "cannot parse file";
			if (!user) {
				gr_hw_free(hw);
				st = gr_error_set(err, GR_ERR_FORMAT, "%s", why);
				break;
			}
			if (hw && hw->id)
				snprintf(id, sizeof(id), "%s", hw->id);
			else
				stem_of(files.v[i], id, sizeof(id));
			gr_hw_free(hw);
			reg_remove(tier, id);
			st = bad_put(tier, id, files.v[i], why, err);
			continue;
		}
		dup = reg_slot(tier, hw->id);
		if (dup || (user && bad_slot(tier, hw->id))) {
			char why[1200];
			const char *other = dup ? (*dup)->path : bad_slot(tier, hw->id)->path;
			snprintf(why, sizeof(why), "%s:%d: key 'id': duplicate id '%s' (also in '%s')",
				 hw->path, hw->line_id, hw->id, other);
			if (!user) {
				st = gr_error_set(err, GR_ERR_FORMAT, "%s", why);
				gr_hw_free(hw);
				break;
			}
			snprintf(id, sizeof(id), "%s", hw->id);
			reg_remove(tier, id);
			gr_hw_free(hw);
			st = bad_put(tier, id, files.v[i], why, err);
			continue;
		}
		st = reg_put(tier, hw, err);
	}
	strlist_free(&files);
	return st;
}

static void reg_clear(gr_hw_registry *r)
{
	size_t i;
	for (i = 0; i < r->n; i++)
		gr_hw_free(r->items[i]);
	free(r->items);
	r->items = NULL;
	r->n = r->cap = 0;
	for (i = 0; i < r->n_bad; i++)
		bad_free(&r->bad[i]);
	free(r->bad);
	r->bad = NULL;
	r->n_bad = r->cap_bad = 0;
	for (i = 0; i < GR_HW_CLASS_COUNT; i++) {
		gr_hw_free(r->classes[i]);
		r->classes[i] = NULL;
	}
}

/* " (fp32 peak 8100 vs 8.1 TOPS)" when a shadowing entry's peak for some precision is more
 * than twice or less than half the shadowed one's, else "". */
static void peak_change(const gr_hw *now, const gr_hw *old, char *buf, size_t size)
{
	double worst = 2;
	int p;
	*buf = 0;
	for (p = 0; p < GR_PREC_COUNT; p++) {
		double a = gr_hw_peak_ops(now, -1, (gr_precision)p),
		       b = gr_hw_peak_ops(old, -1, (gr_precision)p), ratio;
		if (!(a > 0 && b > 0))
			continue;
		ratio = a > b ? a / b : b / a;
		if (ratio > worst) {
			worst = ratio;
			snprintf(buf, size, " (%s peak %.4g vs %.4g TOPS)",
				 gr_precision_name((gr_precision)p), a / 1e12, b / 1e12);
		}
	}
}

/* Moves every platform of tier into r: same ids replace what r holds, announced on stderr
 * because a user file silently replacing a shipped platform changes every estimate. */
static gr_status merge(gr_hw_registry *r, gr_hw_registry *tier, gr_error *err)
{
	gr_status st = GR_OK;
	size_t i;
	for (i = 0; i < GR_HW_CLASS_COUNT; i++) {
		if (!tier->classes[i])
			continue;
		if (r->classes[i])
			gr_log_warn("'%s' replaces the %s class defaults of '%s'", tier->classes[i]->path,
				    gr_hw_class_name((gr_hw_class)i), r->classes[i]->path);
		gr_hw_free(r->classes[i]);
		r->classes[i] = tier->classes[i];
		tier->classes[i] = NULL;
	}
	for (i = 0; i < tier->n; i++) {
		gr_hw *hw = tier->items[i];
		gr_hw **old = st == GR_OK ? reg_slot(r, hw->id) : NULL;
		if (old) {
			char change[128];
			peak_change(hw, *old, change, sizeof(change));
			gr_log_warn("'%s' replaces platform '%s' of '%s'%s", hw->path, hw->id,
				    (*old)->path ? (*old)->path : "(detected)", change);
		}
		if (st == GR_OK) {
			bad_drop(r, hw->id);
			st = reg_put(r, hw, err);
		} else
			gr_hw_free(hw);
	}
	for (i = 0; i < tier->n_bad; i++) {
		gr_hw_unusable *b = &tier->bad[i];
		gr_hw **old = st == GR_OK ? reg_slot(r, b->id) : NULL;
		gr_log_warn("platform '%s' is unusable until '%s' is fixed%s%s%s: %s", b->id, b->path,
			    old ? " (it replaces '" : "", old && (*old)->path ? (*old)->path : "",
			    old ? "')" : "", b->why);
		if (st == GR_OK) {
			reg_remove(r, b->id);
			st = bad_put(r, b->id, b->path, b->why, err);
		}
	}
	free(tier->items);
	tier->items = NULL;
	tier->n = tier->cap = 0;
	for (i = 0; i < tier->n_bad; i++)
		bad_free(&tier->bad[i]);
	free(tier->bad);
	tier->bad = NULL;
	tier->n_bad = tier->cap_bad = 0;
	return st;
}

/* Gives every platform its class defaults and its fallback platform. Called whenever the set
 * of platforms changes: a replaced platform leaves no pointer behind. */
static gr_status link_platforms(gr_hw_registry *r, gr_error *err)
{
	size_t i;
	for (i = 0; i < r->n; i++) {
		gr_hw *hw = r->items[i];
		const char *fb = hw->fallback;
		if (gr_hw_attach_class(hw, r->classes[hw->cls]))
			return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
		hw->fallback_hw = NULL;
		if (fb && strcmp(fb, "host_cpu") && strcmp(fb, hw->id))
			hw->fallback_hw = gr_hw_registry_find(r, fb);
	}
	return GR_OK;
}

/* The built-in folder must give the class defaults of every class its platforms use. */
static gr_status check_builtin_classes(const gr_hw_registry *r, const char *builtin_dir, gr_error *err)
{
	size_t i;
	for (i = 0; i < r->n; i++)
		if (!r->classes[r->items[i]->cls])
			return gr_error_set(err, GR_ERR_FORMAT,
					    "no class defaults for class '%s' (used by '%s'): expected %s/classes/%s.yaml",
					    gr_hw_class_name(r->items[i]->cls), r->items[i]->id, builtin_dir,
					    gr_hw_class_name(r->items[i]->cls));
	return GR_OK;
}

/* The folders of $GRAPHS_HARDWARE_PATH, in the order they are loaded: last listed first, so
 * that the first listed overrides the others, as in $PATH. */
gr_status gr_hw_user_paths(char ***out, size_t *n, gr_error *err)
{
	const char *env = getenv("GRAPHS_HARDWARE_PATH");
	strlist dirs = {0};
	char *copy, *tok, *save = NULL;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!env || !*env)
		return GR_OK;
	if (!(copy = strdup(env)))
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	for (tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
		if (*tok && strlist_push(&dirs, tok)) {
			free(copy);
			strlist_free(&dirs);
			return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
		}
	free(copy);
	for (i = 0; i < dirs.n / 2; i++) {
		char *t = dirs.v[i];
		dirs.v[i] = dirs.v[dirs.n - 1 - i];
		dirs.v[dirs.n - 1 - i] = t;
	}
	*out = dirs.v;
	*n = dirs.n;
	return GR_OK;
}

void gr_hw_user_paths_free(char **v, size_t n)
{
	strlist l = {v, n, n};
	strlist_free(&l);
}

gr_status gr_hw_registry_load(const char *builtin_dir, gr_hw_registry **out, gr_error *err)
{
	gr_hw_registry *r, tier = {0};
	char **dirs = NULL;
	size_t n_dirs = 0, i;
	gr_status st = GR_OK;

	if (!out)
		return gr_error_set(err, GR_ERR_USAGE, "gr_hw_registry_load: out is NULL");
	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	if (builtin_dir) {
		st = load_tree(builtin_dir, &tier, 0, err);
		if (st == GR_OK)
			st = merge(r, &tier, err);
		if (st == GR_OK)
			st = check_builtin_classes(r, builtin_dir, err);
		if (st)
			goto fail;
	}
	if ((st = gr_hw_user_paths(&dirs, &n_dirs, err)))
		goto fail;
	for (i = 0; i < n_dirs; i++) {
		gr_error terr = {0};
		struct stat sb;
		if (stat(dirs[i], &sb)) {
			gr_log_warn("GRAPHS_HARDWARE_PATH: skipping '%s': %s", dirs[i], strerror(errno));
			continue;
		}
		st = load_tree(dirs[i], &tier, 1, &terr);
		if (st == GR_ERR_NOMEM) {
			gr_error_set(err, st, "%s", terr.msg);
			goto fail;
		}
		if (st) {
			/* an unreadable folder or too many files: the folder is left out */
			gr_log_warn("GRAPHS_HARDWARE_PATH: skipping '%s': %s", dirs[i], terr.msg);
			reg_clear(&tier);
			st = GR_OK;
			continue;
		}
		if ((st = merge(r, &tier, err)))
			goto fail;
	}
	if (r->n > 1)
		qsort(r->items, r->n, sizeof(*r->items), cmp_hw);
	if ((st = link_platforms(r, err)))
		goto fail;
	gr_hw_user_paths_free(dirs, n_dirs);
	*out = r;
	return GR_OK;
fail:
	reg_clear(&tier);
	gr_hw_user_paths_free(dirs, n_dirs);
	gr_hw_registry_free(r);
	return st;
}

void gr_hw_registry_free(gr_hw_registry *r)
{
	if (!r)
		return;
	reg_clear(r);
	free(r);
}

size_t gr_hw_registry_count(const gr_hw_registry *r)
{
	return r ? r->n : 0;
}

const gr_hw *gr_hw_registry_at(const gr_hw_registry *r, size_t i)
{
	return r && i < r->n ? r->items[i] : NULL;
}

const gr_hw *gr_hw_registry_find(const gr_hw_registry *r, const char *id)
{
	size_t lo = 0, hi;
	if (!r || !id)
		return NULL;
	hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->items[mid]->id, id);
		if (!c)
			return r->items[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

gr_status gr_hw_registry_add(gr_hw_registry *r, gr_hw *hw, gr_error *err)
{
	gr_status st;
	if (!r || !hw || !hw->id) {
		gr_hw_free(hw);
		return gr_error_set(err, GR_ERR_USAGE, "gr_hw_registry_add: no registry or no platform id");
	}
	bad_drop(r, hw->id);
	st = reg_put(r, hw, err);
	if (st == GR_OK && r->n > 1)
		qsort(r->items, r->n, sizeof(*r->items), cmp_hw);
	if (st == GR_OK)
		st = link_platforms(r, err);
	return st;
}

/* Appends "a, b, c" to buf. */
static void append_list(char *buf, size_t size, const char *item, int *first)
{
	size_t len = strlen(buf);
	if (len + 1 >= size)
		return;
	snprintf(buf + len, size - len, "%s%s", *first ? "" : ", ", item);
	*first = 0;
}

gr_status gr_hw_registry_resolve(const gr_hw_registry *r, const char *spec, const gr_hw **hw,
				 int *mode, gr_error *err)
{
	char id[256], list[768] = "";
	const char *colon, *mname = NULL;
	const gr_hw *h;
	size_t len, i;
	int m, first = 1;

	if (!r || !spec || !hw || !mode)
		return gr_error_set(err, GR_ERR_USAGE, "gr_hw_registry_resolve: NULL argument");
	*hw = NULL;
	*mode = -1;
	colon = strchr(spec, ':');
	len = colon ? (size_t)(colon - spec) : strlen(spec);
	if (len == 0 || len >= sizeof(id))
		return gr_error_set(err, GR_ERR_USAGE, "'%s' is not a hardware id (ID or ID:MODE)", spec);
	memcpy(id, spec, len);
	id[len] = 0;
	if (colon) {
		mname = colon + 1;
		if (!*mname)
			return gr_error_set(err, GR_ERR_USAGE, "'%s': empty mode after ':'", spec);
	}
	h = gr_hw_registry_find(r, id);
	if (!h && bad_slot(r, id))
		return gr_error_set(err, GR_ERR_FORMAT, "hardware '%s' cannot be used: %s", id,
				    bad_slot(r, id)->why);
	if (!h) {
		for (i = 0; i < r->n; i++)
			if (strstr(r->items[i]->id, id))
				append_list(list, sizeof(list), r->items[i]->id, &first);
		if (*list)
			return gr_error_set(err, GR_ERR_NOT_FOUND,
					    "unknown hardware '%s' (did you mean: %s?)", id, list);
		return gr_error_set(err, GR_ERR_NOT_FOUND,
				    "unknown hardware '%s' (see 'graphs hw list')", id);
	}
	if (mname) {
		m = gr_hw_mode_find(h, mname);
		if (m < 0) {
			if (!h->n_modes)
				return gr_error_set(err, GR_ERR_NOT_FOUND,
						    "unknown mode '%s': '%s' has no power modes", mname, id);
			for (i = 0; i < h->n_modes; i++)
				append_list(list, sizeof(list), h->modes[i].name, &first);
			return gr_error_set(err, GR_ERR_NOT_FOUND,
					    "unknown mode '%s' for '%s' (valid modes: %s)", mname, id, list);
		}
		*mode = m;
	}
	*hw = h;
	return GR_OK;
}

gr_status gr_hw_load_file(const char *path, gr_hw **out, gr_error *err)
{
	gr_hw_sink sink = {warn_fn, NULL, 0, 0, {0}};
	gr_hw *hw;

	if (!path || !out)
		return gr_error_set(err, GR_ERR_USAGE, "gr_hw_load_file: NULL argument");
	*out = NULL;
	hw = gr_hw_parse_file(path, &sink, 0);
	if (!hw) {
		/* cannot open -> IO; anything else is a format problem */
		struct stat sb;
		return gr_error_set(err, stat(path, &sb) ? GR_ERR_IO : GR_ERR_FORMAT, "%s",
				    sink.errors ? sink.first_error : "cannot parse file");
	}
	*out = hw;
	return GR_OK;
}
