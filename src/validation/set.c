/* The set of prediction/measurement pairs a validation run collects, and grouping it by
 * level, split, platform, precision, model, op class and batch into figures. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "graphs/arena.h"
#include "graphs/validate.h"

struct gr_val_set {
	gr_arena *arena;   /* the pairs' strings */
	gr_val_point *pts;
	size_t n, cap;
	char **notes;
	size_t n_notes, cap_notes;
};

const char *gr_val_split_name(gr_val_split s)
{
	static const char *const names[GR_VAL_SPLIT_COUNT] = {"in_distribution", "ood_model",
							      "ood_platform"};
	return (unsigned)s < GR_VAL_SPLIT_COUNT ? names[s] : "?";
}

const char *gr_val_level_name(gr_val_level l)
{
	static const char *const names[GR_VAL_LEVEL_COUNT] = {"model", "subgraph", "throughput"};
	return (unsigned)l < GR_VAL_LEVEL_COUNT ? names[l] : "?";
}

gr_val_set *gr_val_set_new(void)
{
	gr_val_set *s = calloc(1, sizeof(*s));

	if (s && !(s->arena = gr_arena_new())) {
		free(s);
		return NULL;
	}
	return s;
}

void gr_val_set_free(gr_val_set *s)
{
	if (!s)
		return;
	gr_arena_free(s->arena);
	free(s->pts);
	free(s->notes);
	free(s);
}

/* Copies a string into the set; the same text already seen by the previous pair is reused,
 * which covers the common case of long runs of rows from one platform and model. */
static const char *keep(gr_val_set *s, const char *str, const char *prev, int *oom)
{
	char *c;

	if (!str)
		return NULL;
	if (prev && !strcmp(prev, str))
		return prev;
	if (!(c = gr_arena_strdup(s->arena, str)))
		*oom = 1;
	return c;
}

gr_status gr_val_set_add(gr_val_set *s, const gr_val_point *p, gr_error *err)
{
	gr_val_point q, *last;
	int oom = 0;

	if (!s || !p)
		return gr_error_set(err, GR_ERR_USAGE, "validation set: nothing to add");
	if ((unsigned)p->level >= GR_VAL_LEVEL_COUNT || (unsigned)p->split >= GR_VAL_SPLIT_COUNT)
		return gr_error_set(err, GR_ERR_USAGE, "validation set: bad level or split");
	if (!gr_array_reserve(&s->pts, &s->cap, s->n, sizeof(*s->pts), 256))
		return gr_error_set(err, GR_ERR_NOMEM, "validation set: out of memory");
	last = s->n ? &s->pts[s->n - 1] : NULL;
	q = *p;
	q.platform = keep(s, p->platform, last ? last->platform : NULL, &oom);
	q.model = keep(s, p->model, last ? last->model : NULL, &oom);
	q.precision = keep(s, p->precision, last ? last->precision : NULL, &oom);
	q.op_class = keep(s, p->op_class, last ? last->op_class : NULL, &oom);
	q.confidence = keep(s, p->confidence, last ? last->confidence : NULL, &oom);
	if (oom)
		return gr_error_set(err, GR_ERR_NOMEM, "validation set: out of memory");
	s->pts[s->n++] = q;
	return GR_OK;
}

size_t gr_val_set_count(const gr_val_set *s)
{
	return s ? s->n : 0;
}

const gr_val_point *gr_val_set_at(const gr_val_set *s, size_t i)
{
	return s && i < s->n ? &s->pts[i] : NULL;
}

gr_status gr_val_set_note(gr_val_set *s, const char *fmt, ...)
{
	char buf[1024], *c;
	va_list ap;

	if (!s || !fmt)
		return GR_ERR_USAGE;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < s->n_notes; i++)
		if (!strcmp(s->notes[i], buf))
			return GR_OK;
	if (!gr_array_reserve(&s->notes, &s->cap_notes, s->n_notes, sizeof(*s->notes), 8))
		return GR_ERR_NOMEM;
	if (!(c = gr_arena_strdup(s->arena, buf)))
		return GR_ERR_NOMEM;
	s->notes[s->n_notes++] = c;
	return GR_OK;
}

size_t gr_val_set_note_count(const gr_val_set *s)
{
	return s ? s->n_notes : 0;
}

const char *gr_val_set_note_at(const gr_val_set *s, size_t i)
{
	return s && i < s->n_notes ? s->notes[i] : NULL;
}

/* --- grouping --------------------------------------------------------------------------- */

static int cmp_str(const char *a, const char *b)
{
	if (a == b)
		return 0;
	if (!a)
		return -1;
	if (!b)
		return 1;
	return strcmp(a, b);
}

static int cmp_key(const gr_val_point *a, const gr_val_point *b, unsigned keys)
{
	int c;

	if ((keys & GR_VAL_BY_LEVEL) && a->level != b->level)
		return a->level < b->level ? -1 : 1;
	if ((keys & GR_VAL_BY_SPLIT) && a->split != b->split)
		return a->split < b->split ? -1 : 1;
	if ((keys & GR_VAL_BY_PLATFORM) && (c = cmp_str(a->platform, b->platform)))
		return c;
	if ((keys & GR_VAL_BY_PRECISION) && (c = cmp_str(a->precision, b->precision)))
		return c;
	if ((keys & GR_VAL_BY_MODEL) && (c = cmp_str(a->model, b->model)))
		return c;
	if ((keys & GR_VAL_BY_OP_CLASS) && (c = cmp_str(a->op_class, b->op_class)))
		return c;
	if ((keys & GR_VAL_BY_BATCH) && a->batch != b->batch)
		return a->batch < b->batch ? -1 : 1;
	return 0;
}

/* qsort has no context argument in C11: the mask travels through a file-scope variable.
 * Grouping is not meant to run concurrently on one thread; keep it that way. */
static _Thread_local unsigned sort_keys;
static _Thread_local const gr_val_point *sort_pts;

static int cmp_index(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = cmp_key(&sort_pts[i], &sort_pts[j], sort_keys);
	if (c)
		return c;
	return i < j ? -1 : i > j; /* stable */
}

static int passes(const gr_val_point *p, const gr_val_filter *f, unsigned keys)
{
	if ((keys & GR_VAL_BY_OP_CLASS) && !p->op_class)
		return 0;
	if (!f)
		return 1;
	if (f->level >= 0 && (int)p->level != f->level)
		return 0;
	if (f->split >= 0 && (int)p->split != f->split)
		return 0;
	if (f->platform && cmp_str(p->platform, f->platform))
		return 0;
	if (f->precision && cmp_str(p->precision, f->precision))
		return 0;
	if (f->model && cmp_str(p->model, f->model))
		return 0;
	return 1;
}

static gr_val_point key_of(const gr_val_point *p, unsigned keys)
{
	gr_val_point k;

	memset(&k, 0, sizeof(k));
	k.batch = -1;
	k.subgraph = -1;
	if (keys & GR_VAL_BY_LEVEL)
		k.level = p->level;
	if (keys & GR_VAL_BY_SPLIT)
		k.split = p->split;
	if (keys & GR_VAL_BY_PLATFORM)
		k.platform = p->platform;
	if (keys & GR_VAL_BY_PRECISION)
		k.precision = p->precision;
	if (keys & GR_VAL_BY_MODEL)
		k.model = p->model;
	if (keys & GR_VAL_BY_OP_CLASS)
		k.op_class = p->op_class;
	if (keys & GR_VAL_BY_BATCH)
		k.batch = p->batch;
	k.measured_ms = k.predicted_ms = 0;
	return k;
}

gr_status gr_val_group_by(const gr_val_set *s, const gr_val_filter *f, unsigned keys,
			  gr_val_group **out, size_t *n, gr_error *err)
{
	size_t *idx = NULL, m = 0, ng = 0;
	double *pr = NULL, *me = NULL;
	gr_val_group *g = NULL;
	gr_status st = GR_OK;

	if (!out || !n)
		return gr_error_set(err, GR_ERR_USAGE, "group: no output given");
	*out = NULL;
	*n = 0;
	if (!s || !s->n)
		return GR_OK;
	idx = malloc(s->n * sizeof(*idx));
	pr = malloc(s->n * sizeof(*pr));
	me = malloc(s->n * sizeof(*me));
	if (!idx || !pr || !me)
		goto oom;
	for (size_t i = 0; i < s->n; i++)
		if (passes(&s->pts[i], f, keys))
			idx[m++] = i;
	if (!m)
		goto done;
	sort_keys = keys;
	sort_pts = s->pts;
	qsort(idx, m, sizeof(*idx), cmp_index);
	/* at most m groups */
	if (!(g = calloc(m, sizeof(*g))))
		goto oom;
	for (size_t a = 0; a < m;) {
		size_t b = a + 1, k = 0;
		while (b < m && !cmp_key(&s->pts[idx[a]], &s->pts[idx[b]], keys))
			b++;
		for (size_t j = a; j < b; j++) {
			pr[k] = s->pts[idx[j]].predicted_ms;
			me[k] = s->pts[idx[j]].measured_ms;
			k++;
		}
		g[ng].key = key_of(&s->pts[idx[a]], keys);
		if ((st = gr_val_metrics_compute(pr, me, k, &g[ng].m, err)))
			goto fail;
		ng++;
		a = b;
	}
done:
	free(idx);
	free(pr);
	free(me);
	*out = g;
	*n = ng;
	return GR_OK;
oom:
	st = gr_error_set(err, GR_ERR_NOMEM, "group: out of memory for %zu pairs", s->n);
fail:
	free(idx);
	free(pr);
	free(me);
	free(g);
	return st;
}
