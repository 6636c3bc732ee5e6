/* PyTorch FX frontend: reads the JSON graph written by tools/export_fx.py (see fx_read.h):
 * the header, the graph inputs, every node in order (handed to the dispatch tables), and the
 * outputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/fx_read.h"
#include "graphs/model.h"

/* --- name table ----------------------------------------------------------------------- */

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

long fx_lookup(const fx_ctx *c, const char *name)
{
	for (size_t i = hash(name) & (c->cap - 1); c->keys[i]; i = (i + 1) & (c->cap - 1))
		if (!strcmp(c->keys[i], name))
			return c->idx[i];
	return 0;
}

static void insert(fx_ctx *c, const char *name, long v)
{
	size_t i = hash(name) & (c->cap - 1);
	while (c->keys[i])
		i = (i + 1) & (c->cap - 1);
	c->keys[i] = name;
	c->idx[i] = v;
}

static gr_status read_inputs(fx_ctx *c, const cJSON *inputs)
{
	const cJSON *e;
	size_t k = 0;

	if (!cJSON_IsArray(inputs))
		return fx_error(c, GR_ERR_FORMAT, "key 'inputs' must be an array");
	c->n_inputs = (size_t)cJSON_GetArraySize(inputs);
	if (c->n_inputs > 1024)
		return fx_error(c, GR_ERR_LIMIT, "%zu inputs (at most 1024)", c->n_inputs);
	if (!(c->inputs = gr_arena_calloc(c->a, c->n_inputs + 1, sizeof(fx_val))))
		return oom(c);
	cJSON_ArrayForEach(e, inputs) {
		const char *name = get_str(e, "name");
		const cJSON *shape = cJSON_GetObjectItemCaseSensitive(e, "shape");
		char what[96];
		int64_t dims[GR_MAX_RANK];
		gr_dim d[GR_MAX_RANK];
		int rank;
		gr_dtype dt = fx_dtype_of(get_str(e, "dtype"));
		gr_tensor *t;
		char *cn;

		snprintf(what, sizeof(what), "inputs[%zu]", k);
		if (!name || !*name)
			return fx_error(c, GR_ERR_FORMAT, "%s has no name", what);
		TRY(fx_read_shape(c, shape, what, dims, &rank));
		if (!(cn = clean(c, name)))
			return oom(c);
		if (fx_lookup(c, cn))
			return fx_error(c, GR_ERR_FORMAT, "%s: name '%s' is used twice", what, cn);
		if (!(t = gr_graph_tensor_def(c->g, cn)))
			return oom(c);
		for (int i = 0; i < rank; i++) {
			d[i].value = dims[i];
			d[i].sym = i == 0 ? "batch" : NULL;
		}
		if (gr_tensor_set_shape(c->g, t, dt ? dt : GR_DTYPE_FLOAT, rank, d) ||
		    gr_graph_add_input(c->g, t))
			return oom(c);
		c->inputs[k].kind = V_TENSOR;
		c->inputs[k].t = t;
		c->inputs[k].rank = rank;
		c->inputs[k].shape = shape;
		insert(c, cn, -(long)(k + 1));
		k++;
	}
	return GR_OK;
}

/* get_attr: a parameter or buffer of the recorded shape. */
static gr_status read_get_attr(fx_ctx *c, fx_node *n)
{
	const cJSON *shape = cJSON_GetObjectItemCaseSensitive(n->j, "shape");
	int64_t dims[GR_MAX_RANK];
	int rank;
	gr_tensor *t;

	if (!shape) {
		n->val.kind = V_OTHER; /* not a tensor (a submodule, a constant of another kind) */
		return GR_OK;
	}
	TRY(fx_read_shape(c, shape, n->what, dims, &rank));
	if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(n->j, "param"))) {
		/* a buffer: a produced constant of its shape, never a parameter */
		gr_node *g;
		if (!(t = tmp(c, n->target, "")))
			return oom(c);
		EMIT(g, "ConstantOfShape", n->name, (cst_i64(c, nm(c, n, "/shape"), dims, rank, 0)), (t));
		if (!g->in[0])
			return oom(c);
	} else if (!(t = fx_param(c, n->target, dims, rank, fx_dtype_of(get_str(n->j, "dtype")) ?
				  fx_dtype_of(get_str(n->j, "dtype")) : GR_DTYPE_FLOAT))) {
		return oom(c);
	}
	t->decl_rank = -1;
	n->val.kind = V_TENSOR;
	n->val.t = t;
	n->val.rank = rank;
	n->val.shape = shape;
	return GR_OK;
}



static gr_status read_outputs(fx_ctx *c, const cJSON *outputs)
{
	fx_node fake;
	fx_val v;
	gr_tensor *ts[256];
	size_t k;

	memset(&fake, 0, sizeof(fake));
	snprintf(fake.what, sizeof(fake.what), "outputs");
	fake.name = "output";
	fake.idx = c->n_nodes;
	if (!cJSON_IsArray(outputs))
		return fx_error(c, GR_ERR_FORMAT, "key 'outputs' must be an array");
	TRY(fx_to_val(c, &fake, outputs, 0, &v));
	k = fx_collect_tensors(&v, ts, 256, 0);
	if (!k)
		return fx_error(c, GR_ERR_FORMAT, "the graph has no tensor outputs");
	for (size_t i = 0; i < k; i++)
		if (!ts[i]->is_output && gr_graph_add_output(c->g, ts[i]))
			return oom(c);
	return GR_OK;
}

static void warn_summary(fx_ctx *c)
{
	fe_unmapped_warn(&c->unmapped, c->file, "node", "not mapped onto the op table");
}

static gr_status load(fx_ctx *c, const cJSON *root)
{
	const cJSON *hdr, *ver, *nodes, *e;
	size_t k = 0;

	if (!cJSON_IsObject(root))
		return fx_error(c, GR_ERR_FORMAT, "not an FX graph (the document is not an object)");
	hdr = cJSON_GetObjectItemCaseSensitive(root, "fx_graph");
	if (!cJSON_IsObject(hdr))
		return fx_error(c, GR_ERR_FORMAT, "not an FX graph (no \"fx_graph\" header object)");
	ver = cJSON_GetObjectItemCaseSensitive(hdr, "version");
	if (!cJSON_IsNumber(ver))
		return fx_error(c, GR_ERR_FORMAT, "fx_graph.version must be a number");
	if (ver->valuedouble != FX_VERSION)
		return fx_error(c, GR_ERR_UNSUPPORTED, "fx_graph.version %g is not supported (%d is)",
				ver->valuedouble, FX_VERSION);
	if (get_str(hdr, "model") && !(c->g->name = clean(c, get_str(hdr, "model"))))
		return oom(c);
	nodes = cJSON_GetObjectItemCaseSensitive(root, "nodes");
	if (!cJSON_IsArray(nodes))
		return fx_error(c, GR_ERR_FORMAT, "key 'nodes' must be an array");
	c->n_nodes = (size_t)cJSON_GetArraySize(nodes);
	if (c->n_nodes > FX_MAX_NODES)
		return fx_error(c, GR_ERR_LIMIT, "%zu nodes (at most %d)", c->n_nodes, FX_MAX_NODES);
	/* name table: inputs + nodes, at most half full */
	for (c->cap = 64; c->cap < 2 * (c->n_nodes + 1025); c->cap *= 2)
		;
	if (!(c->keys = calloc(c->cap, sizeof(*c->keys))) || !(c->idx = calloc(c->cap, sizeof(*c->idx))) ||
	    !(c->nodes = calloc(c->n_nodes + 1, sizeof(*c->nodes))))
		return oom(c);
	TRY(read_inputs(c, cJSON_GetObjectItemCaseSensitive(root, "inputs")));
	/* names first, so that a forward reference is told apart from an unknown one */
	cJSON_ArrayForEach(e, nodes) {
		fx_node *n = &c->nodes[k];
		const char *name = get_str(e, "name"), *op = get_str(e, "op"), *target = get_str(e, "target");
		const cJSON *args = cJSON_GetObjectItemCaseSensitive(e, "args");
		const cJSON *kwargs = cJSON_GetObjectItemCaseSensitive(e, "kwargs");

		snprintf(n->what, sizeof(n->what), "nodes[%zu]", k);
		if (!cJSON_IsObject(e))
			return fx_error(c, GR_ERR_FORMAT, "%s must be an object", n->what);
		if (!name || !*name || !op || !target)
			return fx_error(c, GR_ERR_FORMAT, "%s needs string keys 'name', 'op' and 'target'",
					n->what);
		if (args && !cJSON_IsArray(args))
			return fx_error(c, GR_ERR_FORMAT, "%s: key 'args' must be an array", n->what);
		if (kwargs && !cJSON_IsObject(kwargs))
			return fx_error(c, GR_ERR_FORMAT, "%s: key 'kwargs' must be an object", n->what);
		if (!(n->name = clean(c, name)) || !(n->op = clean(c, op)) || !(n->target = clean(c, target)))
			return oom(c);
		snprintf(n->what, sizeof(n->what), "nodes[%zu] ('%.80s')", k, n->name);
		if (fx_lookup(c, n->name))
			return fx_error(c, GR_ERR_FORMAT, "%s: name is used twice", n->what);
		n->j = e;
		n->idx = k;
		n->args = args;
		n->kwargs = kwargs;
		insert(c, n->name, (long)(k + 1));
		k++;
	}
	for (k = 0; k < c->n_nodes; k++)
		TRY(!strcmp(c->nodes[k].op, "get_attr") ? read_get_attr(c, &c->nodes[k])
							 : fx_map_node(c, &c->nodes[k]));
	return read_outputs(c, cJSON_GetObjectItemCaseSensitive(root, "outputs"));
}

gr_status gr_fx_load_mem(const unsigned char *data, size_t size, const char *name, gr_graph **out,
			 gr_error *err)
{
	fx_ctx c;
	cJSON *root = NULL;
	const char *end = NULL;
	gr_status st;

	if (!out)
		return gr_error_set(err, GR_ERR_USAGE, "gr_fx_load_mem: no output pointer");
	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.file = name ? name : "<memory>";
	c.err = err;
	if (!data || !size)
		return fx_error(&c, GR_ERR_FORMAT, "file is empty");
	root = cJSON_ParseWithLengthOpts((const char *)data, size, &end, 0);
	if (!root) {
		size_t off = end && end >= (const char *)data ? (size_t)(end - (const char *)data) : 0;
		return fx_error(&c, GR_ERR_FORMAT, "at byte %zu: %s", off,
				off >= size ? "truncated JSON" : "invalid JSON (or nested too deep)");
	}
	if (!(c.g = gr_graph_new("fx"))) {
		cJSON_Delete(root);
		return oom(&c);
	}
	c.a = gr_graph_arena(c.g);
	c.g->opset = 18;
	st = load(&c, root);
	if (!st && (st = gr_graph_finalize(c.g, err)))
		gr_error_prefix(err, "cannot read '%s'", c.file);
	if (!st) {
		warn_summary(&c);
		*out = c.g;
		c.g = NULL;
	}
	gr_graph_free(c.g);
	free(c.keys);
	free(c.idx);
	free(c.nodes);
	cJSON_Delete(root);
	return st;
}
