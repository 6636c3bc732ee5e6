/* Zoo models for calibration (loaded, inferred and partitioned once), and the mapping of our
 * ONNX nodes to measured subgraphs/layers, which name PyTorch modules ("layer1_0_conv1"). */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calibration/calib_impl.h"
#include "core/graph_impl.h"
#include "core/pubcsv.h"
#include "graphs/model.h"
#include "graphs/zoo.h"

void calib_module_of(const char *name, char *buf, size_t size)
{
	/* scopes of "/features/features.1/features.1.0/block/block.0/Conv" are the parts but the
	 * last; a scope that extends the previous one ("features.1" after "features") replaces it */
	char parts[32][128];
	size_t np = 0, len = 0;
	const char *p = name, *last = NULL;

	buf[0] = 0;
	if (!name)
		return;
	while (*p) {
		const char *q;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		q = strchr(p, '/');
		if (!q) { /* the op itself */
			last = p;
			break;
		}
		if (np < 32) {
			size_t l = (size_t)(q - p), prev;
			if (l >= sizeof(parts[0]))
				l = sizeof(parts[0]) - 1;
			if (np && (prev = strlen(parts[np - 1])) < l && !strncmp(p, parts[np - 1], prev) &&
			    p[prev] == '.') {
				memcpy(parts[np - 1], p, l);
				parts[np - 1][l] = 0;
			} else {
				memcpy(parts[np], p, l);
				parts[np++][l] = 0;
			}
		}
		p = q;
	}
	(void)last;
	for (size_t i = 0; i < np && len + 1 < size; i++) {
		int n = snprintf(buf + len, size - len, "%s%s", i ? "_" : "", parts[i]);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
	for (char *c = buf; *c; c++)
		if (*c == '.')
			*c = '_';
}

gr_status calib_registry_load(gr_hw_registry **out, gr_error *err)
{
	char dir[4096];
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	DIR *d;
	struct dirent *de;
	gr_status st = gr_hw_registry_load(gr_hw_builtin_dir(), out, err);

	if (st)
		return st;
	if (xdg && *xdg)
		snprintf(dir, sizeof(dir), "%s/graphs/hardware", xdg);
	else if (home && *home)
		snprintf(dir, sizeof(dir), "%s/.config/graphs/hardware", home);
	else
		return GR_OK;
	if (!(d = opendir(dir)))
		return GR_OK;
	/* saved platforms (`graphs hw detect --save`): added unless the registry has them already */
	while ((de = readdir(d))) {
		char path[4352];
		size_t l = strlen(de->d_name);
		gr_hw *hw = NULL;
		gr_error e2 = {0};
		if (l < 6 || (strcmp(de->d_name + l - 5, ".yaml") && strcmp(de->d_name + l - 4, ".yml")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (gr_hw_load_file(path, &hw, &e2)) {
			gr_log_warn("%s", e2.msg);
			continue;
		}
		if (gr_hw_registry_find(*out, gr_hw_id(hw)))
			gr_hw_free(hw);
		else
			gr_hw_registry_add(*out, hw, &e2);
	}
	closedir(d);
	return GR_OK;
}

gr_status gr_calib_cache_new(const gr_hw_registry *reg, gr_calib_cache **out, gr_error *err)
{
	gr_calib_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	if (reg) {
		c->reg = (gr_hw_registry *)reg;
	} else {
		gr_status st = calib_registry_load(&c->reg, err);
		if (st) {
			free(c);
			return st;
		}
		c->own_reg = 1;
	}
	*out = c;
	return GR_OK;
}

static void model_free(calib_model *m)
{
	if (!m)
		return;
	if (m->module)
		for (size_t i = 0; i < m->n_nodes; i++)
			free(m->module[i]);
	free(m->module);
	free(m->fx);
	free(m->fx_ord);
	free(m->nodes);
	free(m->kernel_of);
	free(m->view_kernel);
	gr_partition_free(m->p);
	gr_graph_free(m->g);
	free(m);
}

void gr_calib_cache_free(gr_calib_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		model_free(c->m[i]);
	free(c->m);
	if (c->own_reg)
		gr_hw_registry_free(c->reg);
	free(c);
}

static const char *fx_name(const char *op_type);

/* The first input as batch x m->shape; every failure, the graph's inference included, is
 * GR_ERR_SHAPE: the model cannot be run at that shape, which says nothing of the file. */
static gr_status set_shape(calib_model *m, gr_error *err)
{
	int64_t dims[GR_MAX_RANK];
	int rank;
	gr_error e = {0};

	dims[0] = m->batch;
	if (!(rank = gr_dims_parse(m->shape, dims + 1, GR_MAX_RANK - 1, INT32_MAX)))
		return gr_error_set(err, GR_ERR_SHAPE, "%s: bad input shape '%s'", m->name, m->shape);
	rank++;
	if (!gr_graph_input_count(m->g))
		return gr_error_set(err, GR_ERR_SHAPE, "%s has no input to shape", m->name);
	if (gr_graph_set_input_shape(m->g, gr_tensor_name(gr_graph_input(m->g, 0)), dims, rank, &e))
		return gr_error_set(err, GR_ERR_SHAPE, "%s cannot take input shape %lldx%s: %s", m->name,
				    (long long)m->batch, m->shape, e.msg);
	return GR_OK;
}

static gr_status model_load(calib_model *m, gr_error *err)
{
	char path[4096];
	gr_status st;
	const gr_fusion_rules *rules = gr_fusion_rules_find(m->runtime);
	size_t nk;

	if (!rules)
		return gr_error_set(err, GR_ERR_USAGE, "unknown runtime '%s'", m->runtime);
	if ((st = gr_zoo_resolve(m->name, path, sizeof(path), err)) ||
	    (st = gr_model_load(path, NULL, &m->g, err)))
		return st;
	if (m->shape[0] && (st = set_shape(m, err)))
		return st;
	gr_zoo_bind_defaults(m->g, m->name); /* binds only what the shape left open */
	if ((st = gr_graph_bind_dim(m->g, "batch", m->batch, err)))
		return st;
	if ((st = gr_graph_infer(m->g, err))) {
		if (!m->shape[0])
			return st;
		char why[sizeof(err->msg)];
		snprintf(why, sizeof(why), "%s", err ? err->msg : "");
		return gr_error_set(err, GR_ERR_SHAPE, "%s cannot take input shape %lldx%s: %s", m->name,
				    (long long)m->batch, m->shape, why);
	}
	if ((st = gr_partition_build(m->g, rules, &m->p, err)))
		return st;
	m->n_nodes = gr_graph_node_count(m->g);
	m->nodes = calloc(m->n_nodes + 1, sizeof(*m->nodes));
	m->kernel_of = calloc(m->n_nodes + 1, sizeof(int));
	m->view_kernel = calloc(m->n_nodes + 1, sizeof(int));
	m->module = calloc(m->n_nodes + 1, sizeof(char *));
	if (!m->nodes || !m->kernel_of || !m->view_kernel || !m->module)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < m->n_nodes; i++) {
		const gr_node *n = gr_graph_node(m->g, i);
		char mod[512];
		otm_node_from(n, &m->nodes[i]);
		if (m->nodes[i].flops > 0) /* as the runtime runs it on its path (fastconv.c) */
			m->nodes[i].flops = gr_node_rate_flops(rules, n, m->conv.path, m->conv.widen);
		calib_module_of(gr_node_name(n), mod, sizeof(mod));
		if (!(m->module[i] = strdup(mod)))
			return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	}
	/* functional ops: their scope is a container of other ops' scopes (or the root) */
	m->fx = calloc(m->n_nodes + 1, sizeof(*m->fx));
	m->fx_ord = calloc(m->n_nodes + 1, sizeof(int));
	if (!m->fx || !m->fx_ord)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < m->n_nodes; i++) {
		const char *fx = fx_name(gr_node_op_type(gr_graph_node(m->g, i)));
		const char *ni = gr_node_name(gr_graph_node(m->g, i)), *slash = ni ? strrchr(ni, '/') : NULL;
		size_t l = slash ? (size_t)(slash - ni) : 0; /* the scope "/layer1/layer1.0" */
		int container = l == 0;
		m->fx_ord[i] = -1;
		if (!fx || m->nodes[i].cls < 0)
			continue;
		/* a scope is a container when another op's scope lies inside it ("relu" and "relu_1"
		 * are siblings: calls of one module, not children) */
		for (size_t j = 0; j < m->n_nodes && !container; j++) {
			const char *nj = gr_node_name(gr_graph_node(m->g, j)), *sj = nj ? strrchr(nj, '/') : NULL;
			container = j != i && sj && (size_t)(sj - nj) > l && !strncmp(nj, ni, l) && nj[l] == '/';
		}
		if (!container)
			continue;
		m->fx[i] = fx;
		for (size_t j = 0; j < i; j++)
			m->fx_ord[i] += m->fx[j] && !strcmp(m->fx[j], fx);
		m->fx_ord[i]++;
	}
	/* a view is charged to the kernel that runs next (or the last one) */
	nk = gr_partition_count(m->p);
	otm_kernel_of(m->p, m->n_nodes, m->kernel_of);
	otm_view_kernels(m->nodes, m->kernel_of, m->n_nodes, nk, m->view_kernel);
	/* graph compilers: fused intermediates stay on chip (the estimator's own view of the ops) */
	if (rules->fused_memory && otm_nodes_fuse(m->g, m->p, m->nodes))
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	return GR_OK;
}

gr_status calib_cache_model(gr_calib_cache *c, const char *model, int64_t batch, const char *runtime,
			    int conv_path, calib_model **out, gr_error *err)
{
	calib_conv conv = {conv_path, 1.0};

	return calib_cache_model_shaped(c, model, batch, NULL, runtime, conv, out, err);
}

gr_status calib_cache_model_conv(gr_calib_cache *c, const char *model, int64_t batch, const char *runtime,
				 calib_conv conv, calib_model **out, gr_error *err)
{
	return calib_cache_model_shaped(c, model, batch, NULL, runtime, conv, out, err);
}

gr_status calib_cache_model_shaped(gr_calib_cache *c, const char *model, int64_t batch, const char *shape,
				   const char *runtime, calib_conv conv, calib_model **out, gr_error *err)
{
	calib_model *m;
	gr_status st;

	if (!runtime)
		runtime = "pytorch";
	if (!shape)
		shape = "";
	for (size_t i = 0; i < c->n; i++) {
		m = c->m[i];
		if (m->batch == batch && m->conv.path == conv.path && m->conv.widen == conv.widen &&
		    !strcmp(m->name, model) &&
		    !strcmp(m->runtime, runtime) && !strcmp(m->shape, shape)) {
			if (m->failed)
				return gr_error_set(err, (gr_status)m->failed, "%s", m->err);
			*out = m;
			return GR_OK;
		}
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 32;
		calib_model **nm = realloc(c->m, cap * sizeof(*nm));
		if (!nm)
			return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
		c->m = nm;
		c->cap = cap;
	}
	if (!(m = calloc(1, sizeof(*m))))
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	snprintf(m->name, sizeof(m->name), "%s", model);
	snprintf(m->runtime, sizeof(m->runtime), "%s", runtime);
	snprintf(m->shape, sizeof(m->shape), "%s", shape);
	m->batch = batch;
	m->conv = conv;
	c->m[c->n++] = m;
	if ((st = model_load(m, err))) {
		/* keep the failure so that the next row of this model fails fast, with the message */
		snprintf(m->err, sizeof(m->err), "%s", err ? err->msg : "cannot load model");
		m->failed = (int)st;
		gr_partition_free(m->p);
		gr_graph_free(m->g);
		m->p = NULL;
		m->g = NULL;
		m->n_nodes = 0;
		return st;
	}
	*out = m;
	return GR_OK;
}

int calib_row_shape(const gr_meas_row *r, char *shape, size_t size)
{
	char zoo[64] = "";
	gr_zoo_entry e;

	/* the dims after the batch ("3x224x224") of the zoo's input shape, which every zoo graph
	 * is bound to by default (gr_zoo_bind_defaults) */
	if (!gr_zoo_find(r->model, &e, NULL))
		gr_pub_shape_tail(e.input_shape, zoo, sizeof(zoo));
	gr_pub_shape_tail(r->input_shape, shape, size);
	if (!shape[0] || !strcmp(shape, zoo)) {
		shape[0] = 0;
		return 0;
	}
	return 1;
}

calib_conv calib_conv_hw(const gr_hw *hw, const char *runtime, int prec)
{
	const gr_fusion_rules *r = gr_fusion_rules_find(runtime ? runtime : "pytorch");
	calib_conv cc = {otm_conv_path(r, prec, hw), otm_conv_widen(r, prec, hw)};

	return cc;
}

/* The platform of registry spec (NULL when it names none). */
static const gr_hw *spec_hw(const gr_calib_cache *c, const char *spec)
{
	const gr_hw *hw = NULL;
	int mode;
	gr_error e = {0};

	return spec && !gr_hw_registry_resolve(c->reg, spec, &hw, &mode, &e) ? hw : NULL;
}

int calib_conv_path(const gr_calib_cache *c, const char *spec, const char *runtime, int prec)
{
	return calib_conv_hw(spec_hw(c, spec), runtime, prec).path;
}

gr_status calib_row_model(gr_calib_cache *c, const gr_meas_row *r, const char *runtime, calib_model **out,
			  gr_error *err)
{
	char pub[64];

	return calib_cache_model_shaped(c, r->model, r->batch, calib_row_shape(r, pub, sizeof(pub)) ? pub : NULL,
					runtime, calib_conv_hw(spec_hw(c, r->hw), runtime, r->precision), out, err);
}

/* --- matching -------------------------------------------------------------------------- */

/* The name torch.fx gives a functional op of this ONNX type ("add", "add_1", ...). */
static const char *fx_name(const char *op_type)
{
	static const struct { const char *onnx, *fx; } map[] = {
		{"Add", "add"}, {"Mul", "mul"}, {"Sub", "sub"}, {"Div", "truediv"}, {"Flatten", "flatten"},
		{"Reshape", "view"}, {"Concat", "cat"}, {"GlobalAveragePool", "adaptive_avg_pool2d"},
		{"AveragePool", "avg_pool2d"}, {"MaxPool", "max_pool2d"}, {"Relu", "relu"},
		{"Sigmoid", "sigmoid"}, {"HardSigmoid", "hardsigmoid"}, {"HardSwish", "hardswish"},
		{"Transpose", "transpose"}, {"Split", "chunk"}, {"ReduceMean", "mean"}, {"MatMul", "matmul"},
		{"Softmax", "softmax"}, {"Clip", "hardtanh"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].onnx, op_type))
			return map[i].fx;
	return NULL;
}

/* "add_12" -> "add"; "add" -> "add". Writes into buf. */
static void fx_base(const char *s, char *buf, size_t size)
{
	size_t l = strlen(s), e = l;
	while (e > 0 && isdigit((unsigned char)s[e - 1]))
		e--;
	if (e < l && e > 0 && s[e - 1] == '_')
		l = e - 1;
	if (l >= size)
		l = size - 1;
	memcpy(buf, s, l);
	buf[l] = 0;
}

/* 1 when module name mod is m or lies under it ("attn_to_qkv" under "attn"). */
static int under(const char *mod, const char *m, size_t ml)
{
	return !strncmp(mod, m, ml) && (mod[ml] == 0 || mod[ml] == '_');
}

/* A part of a module timed whole ("features_1_0_attn/Softmax/460992/0", tools/torch_runner.py):
 * node i is the k-th op (graph order) of that type with that many output elements under that
 * module, its submodules included (maxvit's to_qkv Linear runs inside its attention). */
static int part_matches(const calib_model *m, size_t i, const char *s, size_t l)
{
	const char *a = memchr(s, '/', l), *b, *c;
	const char *type = gr_node_op_type(gr_graph_node(m->g, i));
	char num[48];
	long long numel, k, ord = 0;
	size_t ml;

	if (!a || !(b = memchr(a + 1, '/', l - (size_t)(a + 1 - s))) ||
	    !(c = memchr(b + 1, '/', l - (size_t)(b + 1 - s))))
		return 0;
	ml = (size_t)(a - s);
	if (!under(m->module[i], s, ml) || strlen(type) != (size_t)(b - a - 1) ||
	    strncmp(type, a + 1, (size_t)(b - a - 1)) || (size_t)(c - b - 1) >= sizeof(num))
		return 0;
	memcpy(num, b + 1, (size_t)(c - b - 1));
	num[c - b - 1] = 0;
	numel = strtoll(num, NULL, 10);
	k = strtoll(c + 1, NULL, 10);
	if (numel <= 0 || (long long)m->nodes[i].eo != numel)
		return 0;
	for (size_t j = 0; j < i; j++)
		ord += m->nodes[j].cls >= 0 && (long long)m->nodes[j].eo == numel && under(m->module[j], s, ml) &&
		       !strcmp(gr_node_op_type(gr_graph_node(m->g, j)), type);
	return ord == k;
}

int calib_row_is_part(const gr_meas_row *r)
{
	return r->nodes && strchr(r->nodes, '/') != NULL;
}

/* 1 when a part the row names ("module/OnnxOp/elements/k") takes node i. */
static int row_part_takes(const calib_model *m, size_t i, const char *s)
{
	while (s && *s) {
		const char *e = strchr(s, '|');
		size_t l = e ? (size_t)(e - s) : strlen(s);
		if (memchr(s, '/', l) && part_matches(m, i, s, l))
			return 1;
		s = e ? e + 1 : NULL;
	}
	return 0;
}

typedef struct member {
	const char *name; /* into the row's nodes string copy */
	size_t len;
	int row;
	int used;
} member;

static int cmp_member_name(const void *a, const void *b)
{
	const member *x = *(const member *const *)a, *y = *(const member *const *)b;
	size_t l = x->len < y->len ? x->len : y->len;
	int c = strncmp(x->name, y->name, l);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int group_root(int *g, int r)
{
	while (g[r] != r)
		r = g[r] = g[g[r]];
	return r;
}

/* Rows that name the same module (a harness that times a module's kernels one by one) join
 * the group of the first of them: the matching gives the module's ops to one row, so only the
 * group's summed time pairs with them. group comes in as each row its own group, leaves with
 * group[r] = the group's first row. */
static int group_rows(member *mem, size_t nmem, size_t n_rows, int *group)
{
	member **by = malloc((nmem ? nmem : 1) * sizeof(*by));

	if (!by)
		return -1;
	for (size_t k = 0; k < nmem; k++)
		by[k] = &mem[k];
	qsort(by, nmem, sizeof(*by), cmp_member_name);
	for (size_t k = 1; k < nmem; k++)
		if (!cmp_member_name(&by[k - 1], &by[k]) && by[k]->row != by[k - 1]->row) {
			int a = group_root(group, by[k - 1]->row), b = group_root(group, by[k]->row);
			if (a != b)
				group[a > b ? a : b] = a < b ? a : b;
		}
	for (size_t r = 0; r < n_rows; r++)
		group[r] = group_root(group, (int)r);
	free(by);
	return 0;
}

/* The module names the rows give ('|'-separated), each with its row: *out (malloc'ed, possibly
 * NULL when *n is 0). -1 when out of memory. */
static int collect_members(const gr_meas_row *const *rows, size_t n_rows, member **out, size_t *n)
{
	member *mem = NULL;
	size_t nmem = 0, cap = 0;

	for (size_t r = 0; r < n_rows; r++) {
		const char *s = rows[r]->nodes;
		while (s && *s) {
			const char *e = strchr(s, '|');
			size_t l = e ? (size_t)(e - s) : strlen(s);
			if (nmem == cap) {
				size_t nc = cap ? 2 * cap : 64;
				member *nm = realloc(mem, nc * sizeof(*nm));
				if (!nm) {
					free(mem);
					return -1;
				}
				mem = nm;
				cap = nc;
			}
			mem[nmem++] = (member){s, l, (int)r, 0};
			s = e ? e + 1 : NULL;
		}
	}
	*out = mem;
	*n = nmem;
	return 0;
}

void gr_calib_group_example(char *buf, size_t size, const gr_meas_row *const *rows, size_t n_rows,
			    const int *group, int g)
{
	size_t len;

	if (!size)
		return;
	len = (size_t)snprintf(buf, size, "%s b%lld: subgraphs", rows[g]->model, (long long)rows[g]->batch);
	for (size_t t = 0; t < n_rows && len < size; t++)
		if (group[t] == g)
			len += (size_t)snprintf(buf + len, size - len, "%s %d", t == (size_t)g ? "" : ",",
						rows[t]->subgraph);
}

gr_status gr_calib_row_groups(const gr_meas_row *const *rows, size_t n_rows, int *group, gr_error *err)
{
	member *mem = NULL;
	size_t nmem = 0;
	int rc;

	for (size_t r = 0; r < n_rows; r++)
		group[r] = (int)r;
	rc = collect_members(rows, n_rows, &mem, &nmem) || group_rows(mem, nmem, n_rows, group);
	free(mem);
	return rc ? gr_error_set(err, GR_ERR_NOMEM, "out of memory") : GR_OK;
}

size_t calib_match(const calib_model *m, const gr_meas_row *const *rows, size_t n_rows, int *node_row,
		   int *group)
{
	member *mem = NULL;
	size_t nmem = 0, matched = 0;
	int last = -1;

	for (size_t i = 0; i < m->n_nodes; i++)
		node_row[i] = -1;
	for (size_t r = 0; group && r < n_rows; r++)
		group[r] = (int)r;
	if (collect_members(rows, n_rows, &mem, &nmem))
		return 0;
	if (group && group_rows(mem, nmem, n_rows, group))
		goto out;
	for (size_t i = 0; i < m->n_nodes; i++) {
		const char *mod = m->module[i];
		size_t ml = strlen(mod);
		int row = -1;
		if (m->nodes[i].cls < 0)
			continue;
		/* a part of a module timed whole, then an op inside a leaf module: the row naming it */
		for (size_t r = 0; r < n_rows && row < 0; r++)
			if (row_part_takes(m, i, rows[r]->nodes))
				row = (int)r;
		for (size_t k = 0; k < nmem && row < 0; k++)
			if (ml && mem[k].len == ml && !strncmp(mem[k].name, mod, ml))
				row = mem[k].row;
		/* layers timed by hooks inside a model run: only leaf modules have rows; functional ops
		 * and repeated calls of a shared module ("relu_1") count in the model's row only */
		if (row < 0 && n_rows && !rows[0]->standalone)
			continue;
		/* a functional op (add, flatten, mul): the first unused row entry of the same kind */
		if (row < 0) {
			const char *fx = fx_name(gr_node_op_type(gr_graph_node(m->g, i)));
			for (size_t k = 0; fx && k < nmem && row < 0; k++) {
				char base[64], nm[64];
				size_t l = mem[k].len < sizeof(nm) ? mem[k].len : sizeof(nm) - 1;
				if (mem[k].used)
					continue;
				memcpy(nm, mem[k].name, l);
				nm[l] = 0;
				fx_base(nm, base, sizeof(base));
				if (!strcmp(base, fx)) {
					mem[k].used = 1;
					row = mem[k].row;
				}
			}
		}
		/* otherwise the op runs where its predecessor's row runs */
		if (row < 0)
			row = last;
		if (row >= 0 && group)
			row = group[row];
		node_row[i] = row;
		if (row >= 0) {
			matched++;
			last = row;
		}
	}
out:
	free(mem);
	return matched;
}

void calib_row_fallback(const gr_meas_row *r, otm_node *out, int *n_ops)
{
	const char *o = r->optype ? r->optype : "", *pat = r->pattern ? r->pattern : "";
	int n = 1;

	memset(out, 0, sizeof(*out));
	if (r->nodes)
		for (const char *s = r->nodes; *s; s++)
			n += *s == '|';
	*n_ops = n;
	if (strstr(o, "conv") || strstr(pat, "Conv"))
		out->cls = GR_KC_CONV;
	else if (strstr(o, "matmul") || strstr(o, "linear") || strstr(pat, "Linear"))
		out->cls = GR_KC_GEMM;
	else if (strstr(o, "norm") || strstr(pat, "Norm"))
		out->cls = GR_KC_NORM;
	else if (strstr(o, "pool") || strstr(pat, "Pool"))
		out->cls = GR_KC_POOL;
	else if (strstr(o, "activation") || strstr(o, "add") || strstr(o, "relu"))
		out->cls = GR_KC_ELEMENTWISE;
	else
		out->cls = GR_KC_OTHER;
	out->flops = r->flops > 0 ? r->flops : 0;
	/* the source's bytes are at the measured precision; features rescale elements */
	out->ein = r->bytes > 0 ? r->bytes / gr_estimate_elem_bytes((gr_precision)r->precision) : 0;
}

int calib_node_in_row(const calib_model *m, size_t i, const gr_meas_row *r)
{
	const char *s = r->nodes;
	size_t ml = strlen(m->module[i]);
	char want[80] = "";

	if (m->nodes[i].cls < 0 || !s)
		return 0;
	if (m->fx[i]) {
		if (m->fx_ord[i] > 0)
			snprintf(want, sizeof(want), "%s_%d", m->fx[i], m->fx_ord[i]);
		else
			snprintf(want, sizeof(want), "%s", m->fx[i]);
	}
	while (*s) {
		const char *e = strchr(s, '|');
		size_t l = e ? (size_t)(e - s) : strlen(s);
		if ((ml && l == ml && !strncmp(s, m->module[i], l)) ||
		    (want[0] && l == strlen(want) && !strncmp(s, want, l)))
			return 1;
		if (!e)
			break;
		s = e + 1;
	}
	return row_part_takes(m, i, r->nodes);
}

int calib_node_in_run_row(const calib_model *m, size_t i, const gr_meas_row *r, const gr_meas_row *const *run,
			  size_t n_run)
{
	if (!calib_node_in_row(m, i, r))
		return 0;
	if (row_part_takes(m, i, r->nodes))
		return 1;
	/* calib_match gives a part its op before any module row: the module's row keeps the rest */
	for (size_t k = 0; k < n_run; k++)
		if (run[k] != r && row_part_takes(m, i, run[k]->nodes))
			return 0;
	return 1;
}
