/* Reading pipeline specs and link types (graphs/pipeline.h) with libyaml's document API: every
 * key is known, every value has the right type, and each error names the file and line. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "graphs/pipeline.h"

#define MAX_SPEC_BYTES (1 << 20)
#define MAX_NODES 200000
#define MAX_DEPTH 16

typedef struct rd {
	const char *path;
	yaml_document_t doc;
	gr_error *err;
} rd;

static int line_of(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

static gr_status fail(rd *r, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static gr_status fail(rd *r, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gr_error_set(r->err, GR_ERR_FORMAT, "%s:%d: %s", r->path, line_of(n), msg);
}

static const char *kind_name(const yaml_node_t *n)
{
	return n->type == YAML_MAPPING_NODE ? "a mapping" : n->type == YAML_SEQUENCE_NODE ? "a list" : "a scalar";
}

static yaml_node_t *node(rd *r, int id)
{
	return yaml_document_get_node(&r->doc, id);
}

/* The scalar text of n, or an error saying what key wanted. */
static gr_status scalar(rd *r, const yaml_node_t *n, const char *key, const char **out)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return fail(r, n, "'%s' must be a scalar, not %s", key, n ? kind_name(n) : "nothing");
	*out = (const char *)n->data.scalar.value;
	return GR_OK;
}

static gr_status str_into(rd *r, const yaml_node_t *n, const char *key, char *dst, size_t size)
{
	const char *s = "";
	gr_status st = scalar(r, n, key, &s);
	if (st)
		return st;
	if (!*s)
		return fail(r, n, "'%s' is empty", key);
	if (strlen(s) >= size)
		return fail(r, n, "'%s' is longer than %zu characters", key, size - 1);
	memcpy(dst, s, strlen(s) + 1);
	return GR_OK;
}

/* A name: letters, digits, '_', '-', '.', as the registry and the zoo spell them. */
static gr_status name_into(rd *r, const yaml_node_t *n, const char *key, char *dst, size_t size)
{
	gr_status st = str_into(r, n, key, dst, size);
	if (st)
		return st;
	for (const char *c = dst; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      *c == '_' || *c == '-' || *c == '.'))
			return fail(r, n, "'%s' value '%s' may hold only letters, digits, '_', '-' and '.'", key, dst);
	return GR_OK;
}

static gr_status number(rd *r, const yaml_node_t *n, const char *key, double lo, double hi, double *out)
{
	const char *s = "";
	char *end;
	gr_status st = scalar(r, n, key, &s);
	if (st)
		return st;
	errno = 0;
	*out = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(*out))
		return fail(r, n, "'%s' must be a number, not '%s'", key, s);
	if (*out < lo || *out > hi)
		return fail(r, n, "'%s' is %g, outside [%g, %g]", key, *out, lo, hi);
	return GR_OK;
}

static gr_status integer(rd *r, const yaml_node_t *n, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
	const char *s = "";
	char *end;
	long long v;
	gr_status st = scalar(r, n, key, &s);
	if (st)
		return st;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || errno)
		return fail(r, n, "'%s' must be an integer, not '%s'", key, s);
	if (v < lo || v > hi)
		return fail(r, n, "'%s' is %lld, outside [%lld, %lld]", key, v, (long long)lo, (long long)hi);
	*out = v;
	return GR_OK;
}

static gr_status boolean(rd *r, const yaml_node_t *n, const char *key, int *out)
{
	const char *s = "";
	gr_status st = scalar(r, n, key, &s);
	if (st)
		return st;
	if (!strcmp(s, "true") || !strcmp(s, "yes"))
		*out = 1;
	else if (!strcmp(s, "false") || !strcmp(s, "no"))
		*out = 0;
	else
		return fail(r, n, "'%s' must be true or false, not '%s'", key, s);
	return GR_OK;
}

/* Walks the events first, stopping at the first level too deep or node too many: libyaml's
 * loader would otherwise take minutes (and its stack) on a file of nested brackets. */
static gr_status prescan(const char *path, const unsigned char *buf, size_t len, gr_error *err)
{
	yaml_parser_t ps;
	yaml_event_t ev;
	int depth = 0, nodes = 0;
	gr_status st = GR_OK;

	if (!yaml_parser_initialize(&ps))
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory reading '%s'", path);
	yaml_parser_set_input_string(&ps, buf, len);
	for (int done = 0; !done && !st;) {
		if (!yaml_parser_parse(&ps, &ev)) {
			st = gr_error_set(err, GR_ERR_FORMAT, "%s:%d: not YAML: %s", path, (int)ps.problem_mark.line + 1,
					  ps.problem ? ps.problem : "unknown error");
			break;
		}
		if ((ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) && ++depth > MAX_DEPTH)
			st = gr_error_set(err, GR_ERR_LIMIT, "%s:%d: lists and mappings nested deeper than %d levels",
					  path, (int)ev.start_mark.line + 1, MAX_DEPTH);
		else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT)
			depth--;
		if (!st && ++nodes > MAX_NODES)
			st = gr_error_set(err, GR_ERR_LIMIT, "%s:%d: more than %d YAML nodes", path,
					  (int)ev.start_mark.line + 1, MAX_NODES);
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&ps);
	return st;
}

/* Loads path into r->doc; the caller deletes the document when this returns GR_OK. */
static gr_status load(rd *r, const char *path, gr_error *err)
{
	FILE *f = fopen(path, "rb");
	yaml_parser_t ps;
	unsigned char *buf;
	size_t len;
	gr_status st = GR_OK;

	r->path = path;
	r->err = err;
	if (!f)
		return gr_error_set(err, GR_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
	buf = malloc(MAX_SPEC_BYTES + 1);
	len = buf ? fread(buf, 1, MAX_SPEC_BYTES + 1, f) : 0;
	if (buf && ferror(f)) {
		int e = errno;
		fclose(f);
		free(buf);
		return gr_error_set(err, GR_ERR_IO, "cannot read '%s': %s", path, strerror(e));
	}
	fclose(f);
	if (!buf)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory reading '%s'", path);
	if (len > MAX_SPEC_BYTES) {
		free(buf);
		return gr_error_set(err, GR_ERR_LIMIT, "'%s' is larger than %d bytes", path, MAX_SPEC_BYTES);
	}
	if ((st = prescan(path, buf, len, err))) {
		free(buf);
		return st;
	}
	if (!yaml_parser_initialize(&ps)) {
		free(buf);
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory reading '%s'", path);
	}
	yaml_parser_set_input_string(&ps, buf, len);
	if (!yaml_parser_load(&ps, &r->doc)) {
		st = gr_error_set(err, GR_ERR_FORMAT, "%s:%d: not YAML: %s", path, (int)ps.problem_mark.line + 1,
				  ps.problem ? ps.problem : "unknown error");
	} else if (!yaml_document_get_root_node(&r->doc)) {
		yaml_document_delete(&r->doc);
		st = gr_error_set(err, GR_ERR_FORMAT, "%s:1: empty file", path);
	} else if (r->doc.nodes.top - r->doc.nodes.start > MAX_NODES) {
		yaml_document_delete(&r->doc);
		st = gr_error_set(err, GR_ERR_LIMIT, "%s: more than %d YAML nodes", path, MAX_NODES);
	}
	yaml_parser_delete(&ps);
	free(buf);
	return st;
}

#define EACH_PAIR(m, p) for (yaml_node_pair_t *p = (m)->data.mapping.pairs.start; p < (m)->data.mapping.pairs.top; p++)
#define EACH_ITEM(s, i) for (yaml_node_item_t *i = (s)->data.sequence.items.start; i < (s)->data.sequence.items.top; i++)

static gr_status want_map(rd *r, const yaml_node_t *n, const char *what)
{
	return n && n->type == YAML_MAPPING_NODE ? GR_OK :
	       fail(r, n, "%s must be a mapping, not %s", what, n ? kind_name(n) : "nothing");
}

static gr_status want_list(rd *r, const yaml_node_t *n, const char *what)
{
	return n && n->type == YAML_SEQUENCE_NODE ? GR_OK :
	       fail(r, n, "%s must be a list, not %s", what, n ? kind_name(n) : "nothing");
}

/* The key of pair p as text (keys must be scalars, each once in its mapping). */
static gr_status key_of(rd *r, const yaml_node_t *m, const yaml_node_pair_t *p, const char **k)
{
	yaml_node_t *kn = node(r, p->key);
	if (!kn || kn->type != YAML_SCALAR_NODE)
		return fail(r, kn, "keys must be scalars");
	*k = (const char *)kn->data.scalar.value;
	for (const yaml_node_pair_t *q = m->data.mapping.pairs.start; q < p; q++) {
		yaml_node_t *qn = node(r, q->key);
		if (qn && qn->type == YAML_SCALAR_NODE && !strcmp((const char *)qn->data.scalar.value, *k))
			return fail(r, kn, "'%s' is given twice (first at line %d)", *k, line_of(qn));
	}
	return GR_OK;
}

/* One link: {name, bandwidth_gbps, latency_us, zero_copy, type, notes, source}. type names a
 * link of types whose figures it takes (then only name may be given besides). */
static gr_status read_link(rd *r, const yaml_node_t *m, const gr_pl_link *types, size_t n_types, gr_pl_link *l)
{
	int has_bw = 0, has_lat = 0, has_type = 0;
	double v;
	gr_status st;

	if ((st = want_map(r, m, "a link")))
		return st;
	memset(l, 0, sizeof(*l));
	l->line = line_of(m);
	EACH_PAIR(m, p) {
		const char *k = "";
		yaml_node_t *vn = node(r, p->value);
		if ((st = key_of(r, m, p, &k)))
			return st;
		if (!strcmp(k, "name"))
			st = name_into(r, vn, k, l->name, sizeof(l->name));
		else if (!strcmp(k, "bandwidth_gbps")) {
			st = number(r, vn, k, 1e-6, 1e6, &v);
			l->bandwidth_bytes_s = v * 1e9;
			has_bw = 1;
		} else if (!strcmp(k, "latency_us")) {
			st = number(r, vn, k, 0, 1e9, &v);
			l->latency_s = v * 1e-6;
			has_lat = 1;
		} else if (!strcmp(k, "zero_copy"))
			st = boolean(r, vn, k, &l->zero_copy);
		else if (!strcmp(k, "type") && types) {
			char tn[GR_PL_NAME];
			size_t i;
			if ((st = name_into(r, vn, k, tn, sizeof(tn))))
				return st;
			for (i = 0; i < n_types && strcmp(types[i].name, tn); i++)
				;
			if (i == n_types)
				return fail(r, vn, "unknown link type '%s' (see data/links.yaml)", tn);
			l->bandwidth_bytes_s = types[i].bandwidth_bytes_s;
			l->latency_s = types[i].latency_s;
			l->zero_copy = types[i].zero_copy;
			has_type = 1;
		} else if (!strcmp(k, "notes") || !strcmp(k, "source"))
			st = scalar(r, vn, k, &(const char *){0});
		else
			return fail(r, node(r, p->key), "unknown key '%s' in a link (accepted: name, %sbandwidth_gbps, "
				    "latency_us, zero_copy, notes, source)", k, types ? "type, " : "");
		if (st)
			return st;
	}
	if (!l->name[0])
		return fail(r, m, "a link needs 'name'");
	if (has_type && (has_bw || has_lat || l->zero_copy))
		return fail(r, m, "link '%s': give 'type' or its figures, not both", l->name);
	if (!has_type) {
		if (!has_lat)
			return fail(r, m, "link '%s' needs 'latency_us'", l->name);
		if (!has_bw && !l->zero_copy)
			return fail(r, m, "link '%s' needs 'bandwidth_gbps' (GB/s) or 'zero_copy: true'", l->name);
		if (has_bw && l->zero_copy)
			return fail(r, m, "link '%s': a zero-copy link has no bandwidth", l->name);
	}
	return GR_OK;
}

/* A `links:` list into out (at most cap); names unique. */
static gr_status read_links(rd *r, const yaml_node_t *s, const gr_pl_link *types, size_t n_types,
			    gr_pl_link *out, size_t cap, size_t *n)
{
	gr_status st;
	if ((st = want_list(r, s, "'links'")))
		return st;
	EACH_ITEM(s, it) {
		yaml_node_t *m = node(r, *it);
		if (*n == cap)
			return fail(r, m, "more than %zu links", cap);
		if ((st = read_link(r, m, types, n_types, &out[*n])))
			return st;
		for (size_t i = 0; i < *n; i++)
			if (!strcmp(out[i].name, out[*n].name))
				return fail(r, m, "link '%s' is declared twice (first at line %d)", out[i].name, out[i].line);
		(*n)++;
	}
	return GR_OK;
}

gr_status gr_pipeline_links_load(const char *path, gr_pl_link **types, size_t *n, gr_error *err)
{
	rd r;
	yaml_node_t *root;
	gr_pl_link *out;
	gr_status st = GR_OK;
	int seen = 0;

	*types = NULL;
	*n = 0;
	if ((st = load(&r, path, err)))
		return st;
	root = yaml_document_get_root_node(&r.doc);
	out = calloc(GR_PL_MAX_LINKS, sizeof(*out));
	if (!out)
		st = gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	else if (!(st = want_map(&r, root, "the file")))
		EACH_PAIR(root, p) {
			const char *k = "";
			if ((st = key_of(&r, root, p, &k)))
				break;
			if (!strcmp(k, "notes") || !strcmp(k, "source")) {
				if ((st = scalar(&r, node(&r, p->value), k, &(const char *){0})))
					break;
				continue;
			}
			if (strcmp(k, "links")) {
				st = fail(&r, node(&r, p->key), "unknown key '%s' (accepted: links, notes, source)", k);
				break;
			}
			seen = 1;
			if ((st = read_links(&r, node(&r, p->value), NULL, 0, out, GR_PL_MAX_LINKS, n)))
				break;
		}
	if (!st && !seen)
		st = fail(&r, root, "no 'links' list");
	yaml_document_delete(&r.doc);
	if (st) {
		free(out);
		*n = 0;
		return st;
	}
	*types = out;
	return GR_OK;
}

static int stage_index(const gr_pl_spec *s, const char *name)
{
	for (size_t i = 0; i < s->n_stages; i++)
		if (!strcmp(s->stages[i].name, name))
			return (int)i;
	return -1;
}

/* Names in `after:` are resolved once every stage is read; kept here meanwhile. */
typedef struct pending {
	char names[GR_PL_MAX_AFTER][GR_PL_NAME];
	int lines[GR_PL_MAX_AFTER];
	size_t n;
	int given;                 /* after: present (else: the previous item) */
	char link[GR_PL_NAME];
	int link_line;
} pending;

static gr_status read_stage(rd *r, const yaml_node_t *m, gr_pl_spec *s, pending *pd, int group)
{
	gr_pl_stage *st_ = &s->stages[s->n_stages];
	pending *pe = &pd[s->n_stages];
	int has_model = 0, has_hw = 0;
	gr_status st;
	double v;

	if ((st = want_map(r, m, "a stage")))
		return st;
	if (s->n_stages == GR_PL_MAX_STAGES)
		return fail(r, m, "more than %d stages", GR_PL_MAX_STAGES);
	memset(st_, 0, sizeof(*st_));
	memset(pe, 0, sizeof(*pe));
	st_->batch = st_->runs_per_frame = 1;
	st_->transfer_bytes = -1;
	st_->link = -1;
	st_->group = group;
	st_->line = line_of(m);
	EACH_PAIR(m, p) {
		const char *k = "";
		yaml_node_t *vn = node(r, p->value);
		if ((st = key_of(r, m, p, &k)))
			return st;
		if (!strcmp(k, "name"))
			st = name_into(r, vn, k, st_->name, sizeof(st_->name));
		else if (!strcmp(k, "model")) {
			st = str_into(r, vn, k, st_->model, sizeof(st_->model));
			st_->model_line = line_of(vn);
			has_model = 1;
		} else if (!strcmp(k, "hw")) {
			st = str_into(r, vn, k, st_->hw, sizeof(st_->hw));
			st_->hw_line = line_of(vn);
			has_hw = 1;
		} else if (!strcmp(k, "device"))
			st = name_into(r, vn, k, st_->device, sizeof(st_->device));
		else if (!strcmp(k, "precision")) {
			st = name_into(r, vn, k, st_->precision, sizeof(st_->precision));
			st_->precision_line = line_of(vn);
		} else if (!strcmp(k, "runtime")) {
			st = str_into(r, vn, k, st_->runtime, sizeof(st_->runtime));
			st_->runtime_line = line_of(vn);
		} else if (!strcmp(k, "batch"))
			st = integer(r, vn, k, 1, 1 << 20, &st_->batch);
		else if (!strcmp(k, "runs_per_frame"))
			st = integer(r, vn, k, 1, 1 << 16, &st_->runs_per_frame);
		else if (!strcmp(k, "transfer_bytes")) {
			st = number(r, vn, k, 0, 1e15, &v);
			st_->transfer_bytes = v;
		} else if (!strcmp(k, "link")) {
			st = name_into(r, vn, k, pe->link, sizeof(pe->link));
			pe->link_line = line_of(vn);
		} else if (!strcmp(k, "after")) {
			pe->given = 1;
			if (vn && vn->type == YAML_SEQUENCE_NODE) {
				EACH_ITEM(vn, it) {
					yaml_node_t *a = node(r, *it);
					if (pe->n == GR_PL_MAX_AFTER)
						return fail(r, a, "more than %d stages in 'after'", GR_PL_MAX_AFTER);
					if ((st = name_into(r, a, k, pe->names[pe->n], GR_PL_NAME)))
						return st;
					pe->lines[pe->n++] = line_of(a);
				}
			} else {
				st = name_into(r, vn, k, pe->names[0], GR_PL_NAME);
				pe->lines[0] = line_of(vn);
				pe->n = 1;
			}
		} else
			return fail(r, node(r, p->key), "unknown key '%s' in a stage (accepted: name, model, hw, "
				    "device, batch, precision, runtime, runs_per_frame, after, link, "
				    "transfer_bytes)", k);
		if (st)
			return st;
	}
	if (!st_->name[0])
		return fail(r, m, "a stage needs 'name'");
	if (!has_model)
		return fail(r, m, "stage '%s' needs 'model' (a zoo name or a model file)", st_->name);
	if (!has_hw)
		return fail(r, m, "stage '%s' needs 'hw' (a platform from 'graphs hw list')", st_->name);
	if (stage_index(s, st_->name) >= 0)
		return fail(r, m, "stage '%s' is declared twice (first at line %d)", st_->name,
			    s->stages[stage_index(s, st_->name)].line);
	if (!st_->device[0]) {
		/* the platform's id names its device unless the stage says otherwise */
		size_t l = strcspn(st_->hw, ":");
		if (l >= sizeof(st_->device))
			return fail(r, m, "stage '%s': platform id too long", st_->name);
		memcpy(st_->device, st_->hw, l);
		st_->device[l] = 0;
	}
	s->n_stages++;
	return GR_OK;
}

/* Default dependencies: the stages of the item before (a stage, or every stage of a group). */
static void default_after(gr_pl_spec *s, size_t first, size_t end, size_t prev_first, size_t prev_end,
			  pending *pd)
{
	for (size_t i = first; i < end; i++) {
		if (pd[i].given)
			continue;
		for (size_t j = prev_first; j < prev_end && s->stages[i].n_after < GR_PL_MAX_AFTER; j++)
			s->stages[i].after[s->stages[i].n_after++] = (int)j;
	}
}

/* Depth-first search for a cycle through the dependencies; returns a stage on one, or -1. */
static int find_cycle(const gr_pl_spec *s, int v, unsigned char *mark)
{
	mark[v] = 1;
	for (size_t k = 0; k < s->stages[v].n_after; k++) {
		int u = s->stages[v].after[k], c;
		if (mark[u] == 1)
			return u;
		if (!mark[u] && (c = find_cycle(s, u, mark)) >= 0)
			return c;
	}
	mark[v] = 2;
	return -1;
}

static gr_status read_spec(rd *r, const yaml_node_t *root, const gr_pl_link *types, size_t n_types, gr_pl_spec *s)
{
	pending *pd = calloc(GR_PL_MAX_STAGES, sizeof(*pd));
	const yaml_node_t *stages = NULL;
	size_t prev_first = 0, prev_end = 0;
	gr_status st = GR_OK;
	unsigned char mark[GR_PL_MAX_STAGES];
	int group = 0;
	double v;

	if (!pd)
		return gr_error_set(r->err, GR_ERR_NOMEM, "out of memory");
	if ((st = want_map(r, root, "a pipeline spec")))
		goto done;
	EACH_PAIR(root, p) {
		const char *k = "";
		yaml_node_t *vn = node(r, p->value);
		if ((st = key_of(r, root, p, &k)))
			goto done;
		if (!strcmp(k, "name"))
			st = name_into(r, vn, k, s->name, sizeof(s->name));
		else if (!strcmp(k, "target_fps")) {
			st = number(r, vn, k, 1e-6, 1e9, &v);
			s->target_fps = v;
		} else if (!strcmp(k, "links"))
			st = read_links(r, vn, types, n_types, s->links, GR_PL_MAX_LINKS, &s->n_links);
		else if (!strcmp(k, "stages"))
			stages = vn;
		else if (!strcmp(k, "notes"))
			st = scalar(r, vn, k, &(const char *){0});
		else
			st = fail(r, node(r, p->key), "unknown key '%s' (accepted: name, target_fps, links, stages, notes)", k);
		if (st)
			goto done;
	}
	if (!stages) {
		st = fail(r, root, "no 'stages' list");
		goto done;
	}
	if ((st = want_list(r, stages, "'stages'")))
		goto done;
	if (stages->data.sequence.items.top == stages->data.sequence.items.start) {
		st = fail(r, stages, "'stages' is empty");
		goto done;
	}
	EACH_ITEM(stages, it) {
		yaml_node_t *m = node(r, *it);
		size_t first = s->n_stages;
		yaml_node_t *par = NULL;
		if (m && m->type == YAML_MAPPING_NODE) {
			EACH_PAIR(m, p) {
				const char *k = "";
				if (!key_of(r, m, p, &k) && !strcmp(k, "parallel"))
					par = node(r, p->value);
			}
		}
		if (par) {
			/* a parallel group: its branches take the same input and run side by side */
			if (m->data.mapping.pairs.top - m->data.mapping.pairs.start != 1) {
				st = fail(r, m, "a 'parallel' item holds only the list of its stages");
				goto done;
			}
			if ((st = want_list(r, par, "'parallel'")))
				goto done;
			EACH_ITEM(par, pi)
				if ((st = read_stage(r, node(r, *pi), s, pd, group)))
					goto done;
			if (s->n_stages == first) {
				st = fail(r, par, "'parallel' is empty");
				goto done;
			}
			group++;
		} else if ((st = read_stage(r, m, s, pd, -1))) {
			goto done;
		}
		default_after(s, first, s->n_stages, prev_first, prev_end, pd);
		prev_first = first;
		prev_end = s->n_stages;
	}
	/* names: after and link */
	for (size_t i = 0; i < s->n_stages; i++) {
		gr_pl_stage *sg = &s->stages[i];
		for (size_t k = 0; k < pd[i].n; k++) {
			int j = stage_index(s, pd[i].names[k]);
			if (j < 0) {
				st = gr_error_set(r->err, GR_ERR_FORMAT, "%s:%d: stage '%s': 'after' names no stage '%s'",
						  r->path, pd[i].lines[k], sg->name, pd[i].names[k]);
				goto done;
			}
			sg->after[sg->n_after++] = j;
		}
		if (pd[i].link[0]) {
			size_t l;
			for (l = 0; l < s->n_links && strcmp(s->links[l].name, pd[i].link); l++)
				;
			if (l == s->n_links) {
				/* a link type used by name stands for one link of that type */
				size_t t;
				for (t = 0; t < n_types && strcmp(types[t].name, pd[i].link); t++)
					;
				if (t == n_types || s->n_links == GR_PL_MAX_LINKS) {
					st = gr_error_set(r->err, GR_ERR_FORMAT, "%s:%d: stage '%s': unknown link '%s' "
							  "(declare it under 'links:' or use a type from data/links.yaml)",
							  r->path, pd[i].link_line, sg->name, pd[i].link);
					goto done;
				}
				s->links[l] = types[t];
				s->links[l].line = pd[i].link_line;
				s->n_links++;
			}
			sg->link = (int)l;
		}
	}
	memset(mark, 0, sizeof(mark));
	for (size_t i = 0; i < s->n_stages; i++) {
		int c = mark[i] ? -1 : find_cycle(s, (int)i, mark);
		if (c >= 0) {
			st = gr_error_set(r->err, GR_ERR_FORMAT, "%s:%d: stage '%s' depends on itself through 'after' "
					  "(a cycle)", r->path, s->stages[c].line, s->stages[c].name);
			goto done;
		}
	}
	/* devices: each runs one platform; inputs from another device need a link */
	for (size_t i = 0; i < s->n_stages; i++) {
		gr_pl_stage *sg = &s->stages[i];
		size_t d;
		int crosses = 0;
		for (d = 0; d < s->n_devices && strcmp(s->devices[d], sg->device); d++)
			;
		if (d == s->n_devices) {
			memcpy(s->devices[d], sg->device, sizeof(s->devices[d]));
			s->device_stage[d] = (int)i;
			s->n_devices++;
		} else if (strcmp(s->stages[s->device_stage[d]].hw, sg->hw)) {
			const gr_pl_stage *o = &s->stages[s->device_stage[d]];
			st = gr_error_set(r->err, GR_ERR_FORMAT, "%s:%d: stage '%s' runs on device '%s' as '%s', but "
					  "stage '%s' (line %d) has it as '%s': one device, one platform and mode "
					  "(name another with 'device:')", r->path, sg->hw_line, sg->name, sg->device,
					  sg->hw, o->name, o->line, o->hw);
			goto done;
		}
		sg->device_index = (int)d;
		for (size_t k = 0; k < sg->n_after; k++)
			if (strcmp(s->stages[sg->after[k]].device, sg->device))
				crosses = 1;
		if (crosses && sg->link < 0) {
			st = gr_error_set(r->err, GR_ERR_FORMAT, "%s:%d: stage '%s' takes its input from another device: "
					  "name the link it crosses with 'link:'", r->path, sg->line, sg->name);
			goto done;
		}
		if (!crosses && sg->n_after && sg->link >= 0) {
			st = gr_error_set(r->err, GR_ERR_FORMAT, "%s:%d: stage '%s' names link '%s', but its inputs come "
					  "from its own device '%s'", r->path, pd[i].link_line, sg->name,
					  s->links[sg->link].name, sg->device);
			goto done;
		}
	}
done:
	free(pd);
	return st;
}

gr_status gr_pipeline_spec_load(const char *path, const gr_pl_link *types, size_t n_types,
				gr_pl_spec **spec, gr_error *err)
{
	rd r;
	gr_pl_spec *s;
	gr_status st;

	*spec = NULL;
	if (strlen(path) >= sizeof(s->path))
		return gr_error_set(err, GR_ERR_USAGE, "spec path too long");
	if ((st = load(&r, path, err)))
		return st;
	s = calloc(1, sizeof(*s));
	if (!s)
		st = gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	else {
		memcpy(s->path, path, strlen(path) + 1);
		st = read_spec(&r, yaml_document_get_root_node(&r.doc), types, n_types, s);
	}
	yaml_document_delete(&r.doc);
	if (st) {
		free(s);
		return st;
	}
	*spec = s;
	return GR_OK;
}

void gr_pipeline_spec_free(gr_pl_spec *spec)
{
	free(spec);
}
