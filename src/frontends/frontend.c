/* Helpers the frontends share (see frontend.h). */
#include <stdio.h>
#include <string.h>

#include "frontends/frontend.h"

gr_tensor *fe_tmp(gr_graph *g, unsigned long *uniq, const char *base, const char *suffix)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%.400s%.64s", base, suffix);
	while (gr_graph_tensor(g, buf))
		snprintf(buf, sizeof(buf), "%.400s%.64s#%lu", base, suffix, ++*uniq);
	return gr_graph_tensor_def(g, buf);
}

const char *fe_name(gr_arena *a, const char *base, const char *suffix)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%.400s%.64s", base, suffix);
	return gr_arena_strdup(a, buf);
}

gr_node *fe_emit(gr_graph *g, const char *type, const char *name, gr_tensor *const *in,
		 size_t n_in, gr_tensor *const *out, size_t n_out)
{
	return gr_graph_add_node_io(g, type, "", name, in, n_in, out, n_out, FE_NODE_ATTRS);
}

gr_tensor *fe_cst_i64(gr_graph *g, unsigned long *uniq, const char *base, const int64_t *v,
		      int64_t k, int scalar)
{
	gr_tensor *t = fe_tmp(g, uniq, base, "");
	gr_dim d = {k, NULL};

	if (!t || gr_tensor_set_shape(g, t, GR_DTYPE_INT64, scalar ? 0 : 1, &d) ||
	    gr_tensor_set_i64(g, t, v, k))
		return NULL;
	return t;
}

gr_tensor *fe_cst_f64(gr_graph *g, unsigned long *uniq, const char *base, double v)
{
	gr_tensor *t = fe_tmp(g, uniq, base, "");

	if (!t || gr_tensor_set_shape(g, t, GR_DTYPE_FLOAT, 0, NULL) || gr_tensor_set_f64(g, t, &v, 1))
		return NULL;
	return t;
}

int fe_emit_index(gr_graph *g, unsigned long *uniq, const char *name, gr_tensor *x, gr_tensor *y,
		  gr_tensor *const *slice, gr_tensor *squeeze_axes, gr_tensor *new_axes)
{
	gr_arena *a = gr_graph_arena(g);
	gr_tensor *cur = x, *t;

	if (slice) {
		int last = !squeeze_axes && !new_axes;
		if (!(t = last ? y : fe_tmp(g, uniq, y->name, "/slice")) ||
		    !fe_emit(g, "Slice", last ? name : fe_name(a, name, "/slice"),
			     T(cur, slice[0], slice[1], slice[2], slice[3]), 5, T(t), 1))
			return 0;
		cur = t;
	}
	if (squeeze_axes) {
		if (!(t = new_axes ? fe_tmp(g, uniq, y->name, "/squeeze") : y) ||
		    !fe_emit(g, "Squeeze", new_axes ? fe_name(a, name, "/squeeze") : name,
			     T(cur, squeeze_axes), 2, T(t), 1))
			return 0;
		cur = t;
	}
	if (new_axes) {
		if (!fe_emit(g, "Unsqueeze", name, T(cur, new_axes), 2, T(y), 1))
			return 0;
		cur = y;
	}
	return cur == y || fe_emit(g, "Identity", name, T(cur), 1, T(y), 1);
}

char *fe_clean_name(gr_arena *a, const char *s, size_t len)
{
	size_t n = len > 400 ? 400 : len;
	char *r = gr_arena_alloc(a, n + 1);

	if (!r)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		r[i] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
	}
	r[n] = 0;
	return r;
}

void fe_unmapped_note(fe_unmapped *u, const char *name, int custom)
{
	u->total++;
	for (size_t i = 0; i < u->n_kinds; i++)
		if (u->kinds[i].custom == custom && !strcmp(u->kinds[i].name, name)) {
			u->kinds[i].count++;
			return;
		}
	if (u->n_kinds < FE_MAX_UNMAPPED) {
		u->kinds[u->n_kinds].name = name;
		u->kinds[u->n_kinds].custom = custom;
		u->kinds[u->n_kinds++].count = 1;
	}
}

void fe_unmapped_warn(const fe_unmapped *u, const char *file, const char *noun, const char *why)
{
	char list[512];
	size_t len = 0;

	if (!u->total)
		return;
	for (size_t i = 0; i < u->n_kinds && len < sizeof(list) - 96; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s%.60s%s x%zu",
					i ? ", " : "", u->kinds[i].custom ? "custom '" : "",
					u->kinds[i].name, u->kinds[i].custom ? "'" : "",
					u->kinds[i].count);
	gr_log_warn("'%s': %zu %s%s not costed (%s): %s%s", file, u->total, noun,
		    u->total == 1 ? " is" : "s are", why, list,
		    u->n_kinds == FE_MAX_UNMAPPED ? ", ..." : "");
}
