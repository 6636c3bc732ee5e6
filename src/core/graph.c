/* Graph IR: construction (used by frontends), name lookup, validation and topological
 * ordering, queries on shapes and attributes, and the public accessors of
 * include/graphs/graph.h. The storage layer: it calls nothing of inference (infer.c) or of
 * the op implementations (ops/); those are built on it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena_fast.h"
#include "core/graph_impl.h"

/* --- growable arrays inside the arena ------------------------------------- */

/* Doubles an arena array; the old block stays in the arena (graphs are built once). */
static int grow(gr_arena *a, void *arrp, size_t *cap, size_t used, size_t elem)
{
	void **arr = arrp;
	size_t ncap;
	void *n;

	if (used < *cap)
		return 1;
	ncap = *cap ? *cap * 2 : 16;
	n = gr_arena_calloc(a, ncap, elem);
	if (!n)
		return 0;
	if (used)
		memcpy(n, *arr, used * elem);
	*arr = n;
	*cap = ncap;
	return 1;
}

/* --- construction --------------------------------------------------------- */

gr_graph *gr_graph_new(const char *format)
{
	gr_arena *a = gr_arena_new();
	gr_graph *g;

	if (!a)
		return NULL;
	g = gr_arena_alloc(a, sizeof(*g));
	if (!g) {
		gr_arena_free(a);
		return NULL;
	}
	g->arena = a;
	g->format = gr_arena_strdup(a, format ? format : "");
	g->name = "";
	return g;
}

gr_graph *gr_graph_new_sub(gr_graph *parent)
{
	gr_graph *g;

	if (!parent)
		return NULL;
	g = gr_arena_alloc(parent->arena, sizeof(*g));
	if (!g)
		return NULL;
	g->arena = parent->arena;
	g->parent = parent;
	parent->n_subgraphs++;
	g->format = parent->format;
	g->opset = parent->opset;
	g->name = "";
	return g;
}

void gr_graph_free(gr_graph *g)
{
	if (g && !g->parent)
		gr_arena_free(g->arena);
}

gr_arena *gr_graph_arena(gr_graph *g)
{
	return g ? g->arena : NULL;
}

/* Eight bytes a step, then a final mix for the low bits the table indexes by: FNV-1a's
 * multiply per byte was most of a name lookup, and exported graphs name tensors with paths
 * of 50 to 100 bytes. The order of the table never shows in any output. */
static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xff51afd7ed558ccdull;
	h ^= h >> 32;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

static uint64_t hash_name(const char *s)
{
	return hash_bytes(s, strlen(s));
}

/* Looks the n bytes at name (no NUL among them; hash_bytes h) up in g's own table. Slots
 * hold the hash beside the tensor, so probing past other names reads no tensor (each a
 * cache miss on big graphs). */
static gr_tensor *table_find_n(const gr_graph *g, const char *name, size_t n, uint64_t h)
{
	size_t mask, i;

	if (!g->table_cap)
		return NULL;
	mask = g->table_cap - 1;
	for (i = h & mask; g->table[i].t; i = (i + 1) & mask)
		if (g->table[i].hash == h && memcmp(g->table[i].t->name, name, n) == 0 &&
		    g->table[i].t->name[n] == '\0')
			return g->table[i].t;
	return NULL;
}

static gr_tensor *table_find(const gr_graph *g, const char *name, uint64_t h)
{
	return table_find_n(g, name, strlen(name), h);
}

/* Makes g's table hold cap slots (a power of two), moving what it holds. */
static int table_resize(gr_graph *g, size_t ncap)
{
	gr_name_slot *nt = gr_arena_calloc(g->arena, ncap, sizeof(*nt));

	if (!nt)
		return 0;
	for (size_t k = 0; k < g->table_cap; k++) {
		size_t i;
		if (!g->table[k].t)
			continue;
		for (i = g->table[k].hash & (ncap - 1); nt[i].t; i = (i + 1) & (ncap - 1))
			;
		nt[i] = g->table[k];
	}
	g->table = nt;
	g->table_cap = ncap;
	return 1;
}

int gr_graph_reserve_nodes(gr_graph *g, size_t n)
{
	gr_node **list;

	if (n <= g->cap_nodes)
		return 1;
	if (!(list = gr_arena_calloc(g->arena, n, sizeof(*list))))
		return 0;
	if (g->n_nodes)
		memcpy(list, g->nodes, g->n_nodes * sizeof(*list));
	g->nodes = list;
	g->cap_nodes = n;
	return 1;
}

int gr_graph_reserve_names(gr_graph *g, size_t n)
{
	size_t cap = 64;

	while (cap < 2 * n && cap < ((size_t)1 << 40))
		cap *= 2;
	return cap <= g->table_cap || table_resize(g, cap);
}

/* Adds t, whose name hashes to h, to g's table (the hash is kept in the slot alone: a
 * tensor is 8 bytes smaller, and a big graph has tens of thousands). */
static int table_insert(gr_graph *g, gr_tensor *t, uint64_t h)
{
	size_t mask, i;

	if ((g->table_used + 1) * 2 > g->table_cap &&
	    !table_resize(g, g->table_cap ? g->table_cap * 2 : 64))
		return 0;
	mask = g->table_cap - 1;
	for (i = h & mask; g->table[i].t; i = (i + 1) & mask)
		;
	g->table[i].hash = h;
	g->table[i].t = t;
	g->table_used++;
	return 1;
}

/* A new tensor of g named by the n bytes at name, in no table. */
static gr_tensor *tensor_alloc(gr_graph *g, const char *name, size_t n)
{
	/* the name right behind the tensor: a lookup that finds the tensor compares the name
	 * in the same cache line, and one allocation instead of two */
	gr_tensor *t = n < ((size_t)1 << 30) ? gr_arena_alloc_inline(g->arena, sizeof(*t) + n + 1) : NULL;
	char *copy;

	if (!t)
		return NULL;
	copy = (char *)(t + 1);
	memcpy(copy, name, n);
	copy[n] = '\0';
	t->name = copy;
	t->name_len = (uint32_t)n;
	t->rank = -1;
	t->decl_rank = -1;
	t->owner = g;
	return t;
}

/* A new tensor named by the n bytes at name (hash h, not in g's table) in g. */
static gr_tensor *tensor_create_h(gr_graph *g, const char *name, size_t n, uint64_t h)
{
	gr_tensor *t = tensor_alloc(g, name, n);

	if (!t || !table_insert(g, t, h))
		return NULL;
	g->recent[g->n_recent++ % 8] = t;
	return t;
}

gr_tensor *gr_graph_tensor_unlisted(gr_graph *g, const char *name)
{
	return g && name ? tensor_alloc(g, name, strlen(name)) : NULL;
}

static gr_tensor *tensor_def_h(gr_graph *g, const char *name, size_t n, uint64_t h)
{
	gr_tensor *t = table_find_n(g, name, n, h);

	return t ? t : tensor_create_h(g, name, n, h);
}

gr_tensor *gr_graph_tensor_new(gr_graph *g, const char *name)
{
	uint64_t h;

	if (!g || !name)
		return NULL;
	h = hash_name(name);
	for (gr_graph *s = g; s; s = s->parent)
		if (table_find(s, name, h))
			return NULL;
	return tensor_create_h(g, name, strlen(name), h);
}

uint64_t gr_graph_name_prefetch(const gr_graph *g, const char *name, size_t *n)
{
	uint64_t h;

	*n = strnlen(name, *n);
	h = hash_bytes(name, *n);
	if (g->table_cap)
		__builtin_prefetch(&g->table[h & (g->table_cap - 1)]);
	return h;
}

gr_tensor *gr_graph_tensor_def_h(gr_graph *g, const char *name, size_t n, uint64_t h)
{
	return tensor_def_h(g, name, n, h);
}

/* Names are C strings: of the n bytes given, those before a NUL. */
gr_tensor *gr_graph_tensor_def_n(gr_graph *g, const char *name, size_t n)
{
	if (!g || !name)
		return NULL;
	n = strnlen(name, n);
	return tensor_def_h(g, name, n, hash_bytes(name, n));
}

/* n bytes equal to a name of g just defined (names hold no NUL) are that name */
gr_tensor *gr_graph_tensor_recent(const gr_graph *g, const char *name, size_t n)
{
	for (int k = 0; k < 8; k++) {
		gr_tensor *t = g->recent[k];
		if (t && t->name_len == n && memcmp(t->name, name, n) == 0)
			return t;
	}
	return NULL;
}

gr_tensor *gr_graph_tensor_ref_n(gr_graph *g, const char *name, size_t n)
{
	gr_tensor *t;

	if (!g || !name)
		return NULL;
	if ((t = gr_graph_tensor_recent(g, name, n)))
		return t;
	n = strnlen(name, n);
	return gr_graph_tensor_ref_h(g, name, n, hash_bytes(name, n));
}

gr_tensor *gr_graph_tensor_ref_h(gr_graph *g, const char *name, size_t n, uint64_t h)
{
	for (gr_graph *s = g; s; s = s->parent) {
		gr_tensor *t = table_find_n(s, name, n, h);
		if (t)
			return t;
	}
	return tensor_def_h(g, name, n, h);
}

gr_tensor *gr_graph_tensor_def(gr_graph *g, const char *name)
{
	return gr_graph_tensor_def_n(g, name, name ? strlen(name) : 0);
}

gr_tensor *gr_graph_tensor_ref(gr_graph *g, const char *name)
{
	return gr_graph_tensor_ref_n(g, name, name ? strlen(name) : 0);
}

gr_node *gr_graph_add_node(gr_graph *g, const char *op_type, const char *domain,
			   const char *name, size_t n_in, size_t n_out, size_t n_attr)
{
	gr_node *n;
	size_t io, nl;
	char *copy;

	if (!g || !grow(g->arena, &g->nodes, &g->cap_nodes, g->n_nodes, sizeof(gr_node *)))
		return NULL;
	if (!name)
		return NULL;
	/* The node, its inputs and outputs, its attributes (most nodes have none) and its name
	 * in one block: one allocation, and the passes over nodes (finalize, inference) find
	 * what they read together instead of in four places of the arena. */
	io = (n_in ? n_in : 1) + (n_out ? n_out : 1);
	nl = strlen(name);
	if (io > ((size_t)1 << 26) || n_attr > ((size_t)1 << 22) || nl > ((size_t)1 << 30))
		return NULL;
	n = gr_arena_alloc_inline(g->arena, sizeof(*n) + io * sizeof(gr_tensor *) + n_attr * sizeof(gr_attr) +
				       nl + 1);
	if (!n)
		return NULL;
	n->in = (gr_tensor **)(n + 1);
	n->out = n->in + (n_in ? n_in : 1);
	n->attrs = n_attr ? (gr_attr *)(n->in + io) : NULL;
	copy = (char *)(n->in + io) + n_attr * sizeof(gr_attr);
	memcpy(copy, name, nl + 1);
	n->name = copy;
	/* a known op's name is the op table's static string: no copy per node */
	n->op = gr_op_lookup(op_type, domain);
	n->op_type = n->op != GR_OP_UNKNOWN ? gr_op_name(n->op) : gr_arena_strdup(g->arena, op_type);
	n->domain = domain && *domain ? gr_arena_strdup(g->arena, domain) : "";
	if (!n->op_type || !n->domain)
		return NULL;
	n->n_in = n_in;
	n->n_out = n_out;
	n->n_attr = n_attr;
	n->owner = g;
	g->nodes[g->n_nodes++] = n;
	return n;
}

gr_node *gr_graph_add_node_io(gr_graph *g, const char *op_type, const char *domain,
			      const char *name, gr_tensor *const *in, size_t n_in,
			      gr_tensor *const *out, size_t n_out, size_t n_attr)
{
	gr_node *n;

	if (!name)
		return NULL;
	for (size_t i = 0; i < n_out; i++)
		if (!out[i])
			return NULL;
	if (!(n = gr_graph_add_node(g, op_type, domain, name, n_in, n_out, n_attr)))
		return NULL;
	for (size_t i = 0; i < n_in; i++)
		n->in[i] = in[i];
	for (size_t i = 0; i < n_out; i++)
		n->out[i] = out[i];
	return n;
}

static gr_attr *attr_slot(gr_node *n, const char *name)
{
	for (size_t i = 0; i < n->n_attr; i++)
		if (!n->attrs[i].name) {
			n->attrs[i].name = name;
			return &n->attrs[i];
		}
	return NULL;
}

int gr_node_set_int(gr_node *n, const char *name, int64_t v)
{
	gr_attr *a = attr_slot(n, name);
	if (!a)
		return 0;
	a->type = GR_ATTR_INT;
	a->i = v;
	return 1;
}

int gr_node_set_float(gr_node *n, const char *name, double v)
{
	gr_attr *a = attr_slot(n, name);
	if (!a)
		return 0;
	a->type = GR_ATTR_FLOAT;
	a->f = v;
	return 1;
}

int gr_node_set_str(gr_node *n, const char *name, const char *v)
{
	gr_attr *a = attr_slot(n, name);
	size_t len;
	if (!a || !(a->s = gr_arena_strdup(n->owner->arena, v)))
		return 0;
	a->type = GR_ATTR_STRING;
	len = strlen(v);
	a->s_len = len < UINT32_MAX ? (uint32_t)len : UINT32_MAX;
	return 1;
}

int gr_node_set_ints(gr_node *n, const char *name, const int64_t *v, size_t k)
{
	gr_attr *a = attr_slot(n, name);
	if (!a || !(a->ints = gr_arena_calloc(n->owner->arena, k ? k : 1, sizeof(int64_t))))
		return 0;
	a->type = GR_ATTR_INTS;
	if (k)
		memcpy(a->ints, v, k * sizeof(int64_t));
	a->n = k;
	return 1;
}

gr_status gr_graph_add_input(gr_graph *g, gr_tensor *t)
{
	if (!grow(g->arena, &g->inputs, &g->cap_inputs, g->n_inputs, sizeof(gr_tensor *)))
		return GR_ERR_NOMEM;
	t->is_input = 1;
	g->inputs[g->n_inputs++] = t;
	return GR_OK;
}

gr_status gr_graph_add_output(gr_graph *g, gr_tensor *t)
{
	if (!grow(g->arena, &g->outputs, &g->cap_outputs, g->n_outputs, sizeof(gr_tensor *)))
		return GR_ERR_NOMEM;
	t->is_output = 1;
	g->outputs[g->n_outputs++] = t;
	return GR_OK;
}

gr_status gr_graph_add_initializer(gr_graph *g, gr_tensor *t)
{
	if (!grow(g->arena, &g->initializers, &g->cap_inits, g->n_inits, sizeof(gr_tensor *)))
		return GR_ERR_NOMEM;
	t->is_initializer = 1;
	g->initializers[g->n_inits++] = t;
	return GR_OK;
}

gr_status gr_tensor_set_shape(gr_graph *g, gr_tensor *t, gr_dtype dtype, int rank,
			      const gr_dim *dims)
{
	if (rank > GR_MAX_RANK)
		return GR_ERR_LIMIT;
	t->dtype = dtype;
	t->rank = rank < 0 ? -1 : rank;
	t->dims = NULL;
	if (rank > 0) {
		t->dims = gr_arena_calloc_inline(g->arena, (size_t)rank, sizeof(gr_dim));
		if (!t->dims)
			return GR_ERR_NOMEM;
		memcpy(t->dims, dims, (size_t)rank * sizeof(gr_dim));
	}
	return GR_OK;
}

gr_status gr_tensor_set_i64(gr_graph *g, gr_tensor *t, const int64_t *v, int64_t n)
{
	if (n < 0 || n > GR_FOLD_MAX)
		return GR_ERR_LIMIT;
	t->ival = gr_arena_calloc_inline(g->arena, n ? (size_t)n : 1, sizeof(int64_t));
	if (!t->ival)
		return GR_ERR_NOMEM;
	if (n)
		memcpy(t->ival, v, (size_t)n * sizeof(int64_t));
	t->fval = NULL;
	t->nval = n;
	t->has_value = 1;
	return GR_OK;
}

void gr_tensor_share_i64(gr_tensor *t, const int64_t *v, int64_t n)
{
	t->ival = (int64_t *)(uintptr_t)v; /* never written through: values are set once */
	t->fval = NULL;
	t->nval = n;
	t->has_value = 1;
}

void gr_tensor_share_f64(gr_tensor *t, const double *v, int64_t n)
{
	t->fval = (double *)(uintptr_t)v;
	t->ival = NULL;
	t->nval = n;
	t->has_value = 1;
}

int64_t *gr_tensor_new_i64(gr_graph *g, gr_tensor *t, int64_t n)
{
	int64_t *v;

	if (n < 0 || n > GR_FOLD_MAX)
		return NULL;
	if (!(v = gr_arena_calloc_inline(g->arena, n ? (size_t)n : 1, sizeof(*v))))
		return NULL;
	gr_tensor_share_i64(t, v, n);
	return v;
}

double *gr_tensor_new_f64(gr_graph *g, gr_tensor *t, int64_t n)
{
	double *v;

	if (n < 0 || n > GR_FOLD_MAX)
		return NULL;
	if (!(v = gr_arena_calloc_inline(g->arena, n ? (size_t)n : 1, sizeof(*v))))
		return NULL;
	gr_tensor_share_f64(t, v, n);
	return v;
}

gr_status gr_tensor_set_f64(gr_graph *g, gr_tensor *t, const double *v, int64_t n)
{
	if (n < 0 || n > GR_FOLD_MAX)
		return GR_ERR_LIMIT;
	t->fval = gr_arena_calloc_inline(g->arena, n ? (size_t)n : 1, sizeof(double));
	if (!t->fval)
		return GR_ERR_NOMEM;
	if (n)
		memcpy(t->fval, v, (size_t)n * sizeof(double));
	t->ival = NULL;
	t->nval = n;
	t->has_value = 1;
	return GR_OK;
}

/* --- finalize: producers, missing inputs, topological order ---------------- */

static int is_defined_outside(const gr_graph *g, const gr_tensor *t)
{
	return t->is_initializer || t->is_input || t->has_value || t->owner != g;
}

gr_node_extra *gr_node_extra_of(gr_node *n)
{
	if (!n->extra)
		n->extra = gr_arena_calloc(n->owner->arena, 1, sizeof(*n->extra));
	return n->extra;
}

/* Appends to n's implicit_in the tensors of `outer` that subgraph sub (and its own
 * subgraphs) read, so a control-flow node is ordered after their producers. */
static gr_status collect_implicit(gr_graph *outer, gr_node *n, const gr_graph *sub, int depth)
{
	if (depth > 32)
		return GR_ERR_LIMIT;
	for (size_t k = 0; k < sub->n_nodes; k++) {
		const gr_node *m = sub->nodes[k];
		for (size_t i = 0; i < m->n_in; i++) {
			gr_tensor *t = m->in[i];
			if (!t || t->owner != outer || !t->producer)
				continue;
			gr_node_extra *x = gr_node_extra_of(n);
			if (!x || !grow(outer->arena, &x->implicit_in, &x->cap_implicit, x->n_implicit,
					sizeof(gr_tensor *)))
				return GR_ERR_NOMEM;
			x->implicit_in[x->n_implicit++] = t;
		}
		for (size_t a = 0; a < m->n_attr; a++) {
			gr_status st;
			if (m->attrs[a].g && (st = collect_implicit(outer, n, m->attrs[a].g, depth + 1)))
				return st;
			for (size_t j = 0; m->attrs[a].graphs && j < m->attrs[a].n; j++)
				if (m->attrs[a].graphs[j] &&
				    (st = collect_implicit(outer, n, m->attrs[a].graphs[j], depth + 1)))
					return st;
		}
	}
	return GR_OK;
}

/* Iterative DFS (no recursion: hostile graphs can be deep). */
static gr_status topo_sort_in(gr_graph *g, gr_node **order, gr_node **stack, size_t *pos,
			      gr_error *err)
{
	size_t n_order = 0, sp = 0;

	/* visited was cleared by finalize's first pass over the nodes */
	for (size_t k = 0; k < g->n_nodes; k++) {
		if (g->nodes[k]->visited)
			continue;
		stack[sp] = g->nodes[k];
		pos[sp++] = 0;
		g->nodes[k]->visited = 1;
		while (sp) {
			gr_node *n = stack[sp - 1];
			if (pos[sp - 1] < n->n_in + (n->extra ? n->extra->n_implicit : 0)) {
				size_t at = pos[sp - 1]++;
				gr_tensor *t = at < n->n_in ? n->in[at] : n->extra->implicit_in[at - n->n_in];
				gr_node *p = t ? t->producer : NULL;
				if (!p || p->owner != g)
					continue;
				if (p->visited == 1)
					return gr_error_set(err, GR_ERR_FORMAT,
							    "graph has a cycle through node '%s' (tensor '%s')",
							    p->name, t->name);
				if (p->visited == 0) {
					p->visited = 1;
					stack[sp] = p;
					pos[sp++] = 0;
				}
				continue;
			}
			n->visited = 2;
			n->index = (int32_t)n_order;  /* its place in the order, set as it is taken */
			order[n_order++] = n;
			sp--;
		}
	}
	if (n_order)
		memcpy(g->nodes, order, n_order * sizeof(*order));
	return GR_OK;
}

/* The work arrays are the sort's alone: malloc'd and freed, not kept in the graph's arena. */
static gr_status topo_sort(gr_graph *g, gr_error *err)
{
	size_t n = g->n_nodes + 1;
	gr_node **order = malloc(n * sizeof(*order)), **stack = malloc(n * sizeof(*stack));
	size_t *pos = malloc(n * sizeof(*pos));
	gr_status st = order && stack && pos
			       ? topo_sort_in(g, order, stack, pos, err)
			       : gr_error_set(err, GR_ERR_NOMEM, "out of memory sorting %zu nodes", g->n_nodes);
	free(order);
	free(stack);
	free(pos);
	return st;
}

static gr_status finalize_rec(gr_graph *g, gr_error *err, int depth);

/* Whether node n reads tensor t of g's own for the first time at input i (a node reading a
 * tensor twice is one consumer). */
static int first_own_read(const gr_graph *g, const gr_node *n, size_t i)
{
	const gr_tensor *t = n->in[i];

	if (!t || t->owner != g)
		return 0;
	for (size_t j = 0; j < i; j++)
		if (n->in[j] == t)
			return 0;
	return 1;
}

/* Checks that what each node reads is defined (every producer is known by now), places it
 * in the consumer lists of the tensors it reads, whose n_consumers hold their counts (a list
 * is allocated when its tensor is first met, and its count restarts there as the fill
 * position), and finalizes its subgraphs, node by node: the errors come in the order of one
 * walk over the nodes. */
static gr_status link_consumers(gr_graph *g, gr_error *err, int depth)
{
	gr_status st;

	for (size_t k = 0; k < g->n_nodes; k++) {
		gr_node *n = g->nodes[k];
		for (size_t i = 0; i < n->n_in; i++) {
			gr_tensor *t = n->in[i];
			if (t && !t->producer && !is_defined_outside(g, t))
				return gr_error_set(err, GR_ERR_FORMAT,
						    "node '%s' (%s) reads '%s', which nothing defines",
						    n->name, n->op_type, t->name);
			if (!first_own_read(g, n, i))
				continue;
			if (!t->consumers) {
				t->consumers = gr_arena_calloc_inline(g->arena, t->n_consumers, sizeof(gr_node *));
				if (!t->consumers)
					return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
				t->n_consumers = 0;
			}
			t->consumers[t->n_consumers++] = n;
		}
		for (size_t a = 0; g->n_subgraphs && a < n->n_attr; a++) {
			gr_attr *at = &n->attrs[a];
			if (at->g && (st = finalize_rec(at->g, err, depth + 1)))
				return st;
			for (size_t j = 0; at->graphs && j < at->n; j++)
				if (at->graphs[j] && (st = finalize_rec(at->graphs[j], err, depth + 1)))
					return st;
		}
	}
	return GR_OK;
}

/* Makes n the producer of what it writes: a tensor another node writes too, a graph input or
 * an initializer is an error. */
static gr_status set_producers(gr_node *n, gr_error *err)
{
	for (size_t o = 0; o < n->n_out; o++) {
		gr_tensor *t = n->out[o];
		if (!t)
			continue;
		if (t->producer && t->producer != n)
			return gr_error_set(err, GR_ERR_FORMAT,
					    "tensor '%s' is produced by both '%s' and '%s'", t->name,
					    t->producer->name, n->name);
		if (t->is_initializer || t->is_input)
			return gr_error_set(err, GR_ERR_FORMAT, "node '%s' overwrites %s '%s'", n->name,
					    t->is_input ? "graph input" : "initializer", t->name);
		t->producer = n;
	}
	return GR_OK;
}

/* Appends n to t's consumers when their number is not known ahead: the list starts with two
 * slots and doubles when full (its count is then 2, 4, 8, ...). 0 when out of memory. */
static int push_consumer(gr_graph *g, gr_tensor *t, gr_node *n)
{
	uint32_t c = t->n_consumers;

	if (c == 0 || (c >= 2 && (c & (c - 1)) == 0)) {
		gr_node **list = gr_arena_alloc_inline(g->arena, (c ? 2 * (size_t)c : 2) * sizeof(*list));
		if (!list)
			return 0;
		if (c)
			memcpy(list, t->consumers, c * sizeof(*list));
		t->consumers = list;
	}
	t->consumers[t->n_consumers++] = n;
	return 1;
}

/* A graph whose nodes come in topological order, as ONNX files must, in one walk: producers
 * set, consumers placed, nodes numbered as they stand (what the sort would give). Each walk
 * over a big graph's nodes and the tensors they touch waits on memory, and the general path
 * takes three: finalize was 6-8% of profiling swin_s. *in_order 0 (nothing reported) at
 * the first node that reads a tensor with no producer yet that is no graph input or
 * initializer, or its own output: the general path then starts over. Its errors are the
 * general path's first walk's, met in the same order. */
static gr_status finalize_in_order(gr_graph *g, gr_error *err, int *in_order)
{
	gr_status st;

	*in_order = 0;
	for (size_t k = 0; k < g->n_nodes; k++) {
		gr_node *n = g->nodes[k];
		n->visited = 0;
		n->index = (int32_t)k;
		if ((st = set_producers(n, err)))
			return st;
		for (size_t i = 0; i < n->n_in; i++) {
			gr_tensor *t = n->in[i];
			if (!t)
				continue;
			if (t->producer ? t->producer == n : !t->is_initializer && !t->is_input)
				return GR_OK;
			if (first_own_read(g, n, i) && !push_consumer(g, t, n))
				return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
		}
	}
	*in_order = 1;
	return GR_OK;
}

void gr_graph_link_node(gr_graph *g, gr_node *n)
{
	if (g->link_failed || g->n_linked + 1 != g->n_nodes || g->nodes[g->n_linked] != n) {
		g->link_failed = 1;
		return;
	}
	/* finalize_in_order's steps for n, a failure where it would stop or report */
	n->visited = 0;
	n->index = (int32_t)g->n_linked;
	for (size_t o = 0; o < n->n_out; o++) {
		gr_tensor *t = n->out[o];
		if (!t)
			continue;
		if ((t->producer && t->producer != n) || t->is_initializer || t->is_input) {
			g->link_failed = 1;
			return;
		}
		t->producer = n;
	}
	for (size_t i = 0; i < n->n_in; i++) {
		gr_tensor *t = n->in[i];
		if (!t)
			continue;
		if ((t->producer ? t->producer == n : !t->is_initializer && !t->is_input) ||
		    (first_own_read(g, n, i) && !push_consumer(g, t, n))) {
			g->link_failed = 1;
			return;
		}
	}
	g->n_linked++;
}

/* Graph outputs must be produced (or defined outside the graph). */
static gr_status check_outputs(gr_graph *g, gr_error *err)
{
	for (size_t k = 0; k < g->n_outputs; k++) {
		gr_tensor *t = g->outputs[k];
		if (!t->producer && !is_defined_outside(g, t))
			return gr_error_set(err, GR_ERR_FORMAT, "graph output '%s' is never produced",
					    t->name);
	}
	return GR_OK;
}

/* The general path: passes over the nodes, each reading every node of a big graph from
 * memory: producers and consumer counts in one, definitions, consumer lists and subgraphs
 * in the next, then the sort's (which numbers the nodes as it takes them). A first attempt
 * on a graph without subgraphs tries finalize_in_order's one walk before. */
static gr_status finalize_rec(gr_graph *g, gr_error *err, int depth)
{
	gr_status st;
	int in_order;

	if (depth > 32)
		return gr_error_set(err, GR_ERR_LIMIT, "subgraphs nested more than 32 deep");
	if (g->finalized)
		return GR_OK;
	if (!g->finalize_tried && !g->n_subgraphs && !g->link_failed && g->n_linked &&
	    g->n_linked == g->n_nodes) {
		g->finalize_tried = 1;
		if ((st = check_outputs(g, err)))
			return st;
		g->finalized = 1;
		return GR_OK;
	}
	if (g->n_linked || g->link_failed)
		g->finalize_tried = 1; /* consumers placed part of the way: start over below */
	if (!g->finalize_tried && !g->n_subgraphs) {
		g->finalize_tried = 1;
		if ((st = finalize_in_order(g, err, &in_order)))
			return st;
		if (in_order) {
			if ((st = check_outputs(g, err)))
				return st;
			g->finalized = 1;
			return GR_OK;
		}
	}
	/* a failed or given-up attempt may have counted or placed consumers part of the way:
	 * start over */
	for (size_t k = 0; g->finalize_tried && k < g->n_nodes; k++)
		for (size_t i = 0; i < g->nodes[k]->n_in; i++)
			if (first_own_read(g, g->nodes[k], i)) {
				g->nodes[k]->in[i]->consumers = NULL;
				g->nodes[k]->in[i]->n_consumers = 0;
			}
	g->finalize_tried = 1;
	for (size_t k = 0; k < g->n_nodes; k++) {
		gr_node *n = g->nodes[k];
		n->visited = 0;  /* for topo_sort */
		if ((st = set_producers(n, err)))
			return st;
		/* counted here, placed by link_consumers */
		for (size_t i = 0; i < n->n_in; i++)
			if (first_own_read(g, n, i))
				n->in[i]->n_consumers++;
	}
	if ((st = link_consumers(g, err, depth)))
		return st;
	if ((st = check_outputs(g, err)))
		return st;
	for (size_t k = 0; g->n_subgraphs && k < g->n_nodes; k++) {
		gr_node *n = g->nodes[k];
		for (size_t a = 0; a < n->n_attr; a++) {
			if (n->attrs[a].g && (st = collect_implicit(g, n, n->attrs[a].g, 0)))
				return gr_error_set(err, st, "node '%s': cannot order its subgraphs", n->name);
			for (size_t j = 0; n->attrs[a].graphs && j < n->attrs[a].n; j++)
				if (n->attrs[a].graphs[j] && (st = collect_implicit(g, n, n->attrs[a].graphs[j], 0)))
					return gr_error_set(err, st, "node '%s': cannot order its subgraphs", n->name);
		}
	}
	if ((st = topo_sort(g, err)))
		return st;
	g->finalized = 1;
	return GR_OK;
}

gr_status gr_graph_finalize(gr_graph *g, gr_error *err)
{
	if (!g)
		return gr_error_set(err, GR_ERR_USAGE, "no graph");
	return finalize_rec(g, err, 0);
}

/* --- shape queries ---------------------------------------------------------- */

/* Multiplies the known nonzero values of d (or v) into *p; 0 when that overflows int64.
 * Sets *unknown and *zero when a value is unknown (negative) or zero. Inlined into each
 * caller, the d-or-v choice folds away and the product stays in a register: 68k calls on
 * swin_s's profile were 5% of its instructions through an out-of-line multiply. */
static inline __attribute__((always_inline)) int prod_nonzero(const gr_dim *d, const int64_t *v,
							       int n, int64_t *p, int *unknown,
							       int *zero)
{
	int64_t prod = 1;
	int unk = 0, z = 0;

	for (int i = 0; i < n; i++) {
		int64_t x = d ? d[i].value : v[i];
		if (x > 0) {
			if (__builtin_mul_overflow(prod, x, &prod))
				return 0;
		} else if (x < 0) {
			unk = 1;
		} else {
			z = 1;
		}
	}
	*p = prod;
	*unknown = unk;
	*zero = z;
	return 1;
}

static int64_t numel_of(const gr_dim *d, const int64_t *v, int n)
{
	int64_t p;
	int unknown, zero;

	if (!prod_nonzero(d, v, n, &p, &unknown, &zero) || unknown)
		return -1;
	return zero ? 0 : p;
}

int64_t gr_dims_numel(const gr_dim *d, int n)
{
	return numel_of(d, NULL, n);
}

int64_t gr_ints_numel(const int64_t *v, int n)
{
	return numel_of(NULL, v, n);
}

int gr_dims_overflow(const gr_dim *d, int n)
{
	int64_t p;
	int unknown, zero;

	return n > 0 && !prod_nonzero(d, NULL, n, &p, &unknown, &zero);
}

int gr_shape_known(const gr_tensor *t)
{
	if (!t || t->rank < 0)
		return 0;
	for (int i = 0; i < t->rank; i++)
		if (t->dims[i].value < 0)
			return 0;
	return 1;
}

int64_t gr_numel(const gr_tensor *t)
{
	if (!t || t->rank < 0)
		return -1;
	return t->rank ? gr_dims_numel(t->dims, t->rank) : 1;
}

double gr_tensor_bytes(const gr_tensor *t)
{
	int64_t n = gr_numel(t);
	int bits = t ? gr_dtype_bits(t->dtype) : 0;

	if (n <= 0)
		return 0;
	if (!bits)
		bits = 32; /* undefined dtype: assume 4 bytes rather than free */
	return ceil((double)n * bits / 8.0);
}

/* --- node attributes and opset --------------------------------------------- */

const gr_attr *gr_attr_find(const gr_node *n, const char *name)
{
	for (size_t i = 0; n && i < n->n_attr; i++)
		if (n->attrs[i].name && strcmp(n->attrs[i].name, name) == 0)
			return &n->attrs[i];
	return NULL;
}

int64_t gr_attr_int(const gr_node *n, const char *name, int64_t dflt)
{
	const gr_attr *a = gr_attr_find(n, name);
	if (!a)
		return dflt;
	if (a->type == GR_ATTR_FLOAT)
		return (int64_t)a->f;
	return a->i;
}

double gr_attr_float(const gr_node *n, const char *name, double dflt)
{
	const gr_attr *a = gr_attr_find(n, name);
	if (!a)
		return dflt;
	if (a->type == GR_ATTR_INT)
		return (double)a->i;
	return a->f;
}

const char *gr_attr_str(const gr_node *n, const char *name, const char *dflt)
{
	const gr_attr *a = gr_attr_find(n, name);
	return a && a->s ? a->s : dflt;
}

const int64_t *gr_attr_ints(const gr_node *n, const char *name, size_t *count)
{
	const gr_attr *a = gr_attr_find(n, name);
	if (!a || !a->ints) {
		*count = 0;
		return NULL;
	}
	*count = a->n;
	return a->ints;
}

const double *gr_attr_floats(const gr_node *n, const char *name, size_t *count)
{
	const gr_attr *a = gr_attr_find(n, name);
	if (!a || !a->floats) {
		*count = 0;
		return NULL;
	}
	*count = a->n;
	return a->floats;
}

int gr_node_opset(const gr_node *n)
{
	for (const gr_graph *g = n->owner; g; g = g->parent)
		if (g->opset > 0)
			return g->opset;
	return 18;
}

/* --- public accessors ------------------------------------------------------ */

const char *gr_graph_name(const gr_graph *g) { return g ? g->name : ""; }
const char *gr_graph_format(const gr_graph *g) { return g ? g->format : ""; }
int gr_graph_opset(const gr_graph *g) { return g ? g->opset : 0; }
size_t gr_graph_node_count(const gr_graph *g) { return g ? g->n_nodes : 0; }
gr_node *gr_graph_node(const gr_graph *g, size_t i) { return g && i < g->n_nodes ? g->nodes[i] : NULL; }
size_t gr_graph_input_count(const gr_graph *g) { return g ? g->n_inputs : 0; }
gr_tensor *gr_graph_input(const gr_graph *g, size_t i) { return g && i < g->n_inputs ? g->inputs[i] : NULL; }
size_t gr_graph_output_count(const gr_graph *g) { return g ? g->n_outputs : 0; }
gr_tensor *gr_graph_output(const gr_graph *g, size_t i) { return g && i < g->n_outputs ? g->outputs[i] : NULL; }

gr_tensor *gr_graph_tensor(const gr_graph *g, const char *name)
{
	uint64_t h = name ? hash_name(name) : 0;

	for (const gr_graph *s = g; s && name; s = s->parent) {
		gr_tensor *t = table_find(s, name, h);
		if (t)
			return t;
	}
	return NULL;
}

const char *gr_tensor_name(const gr_tensor *t) { return t ? t->name : ""; }
gr_dtype gr_tensor_dtype(const gr_tensor *t) { return t ? t->dtype : GR_DTYPE_UNDEFINED; }
int gr_tensor_rank(const gr_tensor *t) { return t ? t->rank : -1; }
int gr_tensor_is_initializer(const gr_tensor *t) { return t && t->is_initializer; }
int gr_tensor_shape_known(const gr_tensor *t) { return gr_shape_known(t); }
int64_t gr_tensor_numel(const gr_tensor *t) { return gr_numel(t); }

gr_dim gr_tensor_dim(const gr_tensor *t, int i)
{
	gr_dim unknown = {-1, NULL};
	return t && i >= 0 && i < t->rank ? t->dims[i] : unknown;
}

/* Appends n bytes of s to buf as snprintf would at buf + *len: what fits before the NUL. */
static void shape_put(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
	if (*len + 1 < size) {
		size_t room = size - 1 - *len;
		memcpy(buf + *len, s, n < room ? n : room);
	}
	*len += n;
}

/* Dims are written without snprintf (one call per dim was most of the time a table of a
 * big graph spent on shapes); what fits is what snprintf left. */
/* gr_tensor_shape_str of a shape whose dims are all known, when the buffer holds any such
 * (20 digits and an 'x' a dim): the digits written in place, no call per piece (the table
 * of a big graph formats one shape a node). 0 when it does not apply. */
static size_t shape_str_known(const gr_tensor *t, char *buf, size_t size)
{
	size_t len = 0;

	if (!t || t->rank <= 0 || size < (size_t)t->rank * 21 + 1)
		return 0;
	for (int i = 0; i < t->rank; i++)
		if (t->dims[i].value < 0)
			return 0;
	for (int i = 0; i < t->rank; i++) {
		unsigned long long v = (unsigned long long)t->dims[i].value, u = v;
		size_t n = 1;
		if (i)
			buf[len++] = 'x';
		while (u >= 10)
			u /= 10, n++;
		len += n;
		for (size_t k = 1; k <= n; k++, v /= 10)
			buf[len - k] = (char)('0' + v % 10);
	}
	buf[len] = '\0';
	return len; /* a dim has a digit at least: never 0 */
}

void gr_tensor_shape_str(const gr_tensor *t, char *buf, size_t size)
{
	(void)gr_tensor_shape_str_len(t, buf, size);
}

size_t gr_tensor_shape_str_len(const gr_tensor *t, char *buf, size_t size)
{
	size_t len = 0;

	if (!size)
		return 0;
	if ((len = shape_str_known(t, buf, size)))
		return len;
	buf[0] = 0;
	if (!t || t->rank < 0 || t->rank == 0) {
		const char *word = !t || t->rank < 0 ? "?" : "scalar";
		shape_put(buf, size, &len, word, strlen(word));
	}
	for (int i = 0; t && i < t->rank && len < size; i++) {
		const gr_dim *d = &t->dims[i];
		if (i)
			shape_put(buf, size, &len, "x", 1);
		if (d->value >= 0) {
			char dig[24];
			size_t k = sizeof(dig);
			unsigned long long v = (unsigned long long)d->value;
			do
				dig[--k] = (char)('0' + v % 10);
			while (v /= 10);
			shape_put(buf, size, &len, dig + k, sizeof(dig) - k);
		} else {
			const char *sym = d->sym ? d->sym : "?";
			shape_put(buf, size, &len, sym, strlen(sym));
		}
	}
	len = len < size ? len : size - 1;
	buf[len] = '\0';
	return len;
}

const char *gr_node_name(const gr_node *n) { return n ? n->name : ""; }
const char *gr_node_op_type(const gr_node *n) { return n ? n->op_type : ""; }
const char *gr_node_domain(const gr_node *n) { return n ? n->domain : ""; }
size_t gr_node_input_count(const gr_node *n) { return n ? n->n_in : 0; }
gr_tensor *gr_node_input(const gr_node *n, size_t i) { return n && i < n->n_in ? n->in[i] : NULL; }
size_t gr_node_output_count(const gr_node *n) { return n ? n->n_out : 0; }
gr_tensor *gr_node_output(const gr_node *n, size_t i) { return n && i < n->n_out ? n->out[i] : NULL; }
int gr_node_op_known(const gr_node *n) { return n && n->op != GR_OP_UNKNOWN; }
int gr_node_shape_known(const gr_node *n) { return n && n->shape_known; }
const gr_cost *gr_node_cost(const gr_node *n) { return n ? &n->cost : NULL; }
const char *gr_node_note(const gr_node *n) { return n && n->extra ? n->extra->note : NULL; }
