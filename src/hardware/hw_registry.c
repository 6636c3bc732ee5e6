/* The registry: finds *.yaml files under the built-in folder and $GRAPHS_HARDWARE_PATH,
 * parses them, lets user entries override built-ins by id, and resolves "id:mode". */
#include "hardware/hw_impl.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DEPTH 4
#define MAX_FILES 10000

const char *gr_hw_builtin_dir(void)
{
#ifdef GRAPHS_DATA_DIR
	return GRAPHS_DATA_DIR "/hardware";
#else
	return "hardware";
#endif
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
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **nv = realloc(l->v, cap * sizeof(*nv));
		if (!nv)
			return -1;
		l->v = nv;
		l->cap = cap;
	}
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
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		gr_hw **nv = realloc(r->items, cap * sizeof(*nv));
		if (!nv) {
			gr_hw_free(hw);
			return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
		}
		r->items = nv;
		r->cap = cap;
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

/* Loads one folder tree into a fresh registry (duplicates inside it are errors). */
static gr_status load_tree(const char *dir, gr_hw_registry *tier, gr_error *err)
{
	strlist files = {0};
	gr_status st;
	size_t i;

	st = list_files(dir, &files, err);
	for (i = 0; st == GR_OK && i < files.n; i++) {
		gr_hw_sink sink = {warn_fn, NULL, 0, 0, {0}};
		gr_hw *hw = gr_hw_parse_file(files.v[i], &sink, 0);
		gr_hw **dup;
		if (!hw) {
			st = gr_error_set(err, GR_ERR_FORMAT, "%s",
					  sink.errors ? sink.first_error : "cannot parse file");
			break;
		}
		dup = reg_slot(tier, hw->id);
		if (dup) {
			st = gr_error_set(err, GR_ERR_FORMAT,
					  "%s:%d: key 'id': duplicate id '%s' (also in '%s')", hw->path,
					  hw->line_id, hw->id, (*dup)->path);
			gr_hw_free(hw);
			break;
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
}

/* Moves every platform of tier into r, replacing same ids. */
static gr_status merge(gr_hw_registry *r, gr_hw_registry *tier, gr_error *err)
{
	gr_status st = GR_OK;
	size_t i;
	for (i = 0; i < tier->n; i++) {
		if (st == GR_OK)
			st = reg_put(r, tier->items[i], err);
		else
			gr_hw_free(tier->items[i]);
	}
	free(tier->items);
	tier->items = NULL;
	tier->n = tier->cap = 0;
	return st;
}

gr_status gr_hw_registry_load(const char *builtin_dir, gr_hw_registry **out, gr_error *err)
{
	gr_hw_registry *r, tier = {0};
	const char *env = getenv("GRAPHS_HARDWARE_PATH");
	strlist dirs = {0};
	gr_status st = GR_OK;
	size_t i;

	if (!out)
		return gr_error_set(err, GR_ERR_USAGE, "gr_hw_registry_load: out is NULL");
	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	if (builtin_dir) {
		st = load_tree(builtin_dir, &tier, err);
		if (st == GR_OK)
			st = merge(r, &tier, err);
		if (st)
			goto fail;
	}
	if (env && *env) {
		char *copy = strdup(env), *tok, *save = NULL;
		if (!copy) {
			st = gr_error_set(err, GR_ERR_NOMEM, "out of memory");
			goto fail;
		}
		for (tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
			if (*tok && strlist_push(&dirs, tok)) {
				free(copy);
				st = gr_error_set(err, GR_ERR_NOMEM, "out of memory");
				goto fail;
			}
		free(copy);
		/* last listed first, so that the first listed overrides the others */
		for (i = dirs.n; i-- > 0;) {
			struct stat sb;
			if (stat(dirs.v[i], &sb)) {
				gr_log_warn("GRAPHS_HARDWARE_PATH: skipping '%s': %s", dirs.v[i],
					    strerror(errno));
				continue;
			}
			st = load_tree(dirs.v[i], &tier, err);
			if (st == GR_OK)
				st = merge(r, &tier, err);
			if (st) {
				gr_error_prefix(err, "GRAPHS_HARDWARE_PATH");
				goto fail;
			}
		}
	}
	if (r->n > 1)
		qsort(r->items, r->n, sizeof(*r->items), cmp_hw);
	strlist_free(&dirs);
	*out = r;
	return GR_OK;
fail:
	reg_clear(&tier);
	strlist_free(&dirs);
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
	st = reg_put(r, hw, err);
	if (st == GR_OK && r->n > 1)
		qsort(r->items, r->n, sizeof(*r->items), cmp_hw);
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
