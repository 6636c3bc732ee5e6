/* Parameters by the type they are stored in (int8 weights of a quantized model, float32 of
 * a float one), from the flags count_params() (infer.c) leaves on the values it counted. */
#include <string.h>

#include "core/graph_impl.h"

static void add_stored_params(const gr_graph *g, int64_t *counts, int depth)
{
	for (size_t k = 0; k < g->n_inits; k++) {
		const gr_tensor *t = g->initializers[k];
		if (t->param_counted && (unsigned)t->dtype < GR_DTYPE_COUNT && gr_numel(t) > 0)
			counts[t->dtype] += gr_numel(t);
	}
	/* most graphs have neither counted Constants nor subgraphs: no walk over their nodes */
	for (size_t k = 0; (g->n_const_params || g->n_subgraphs) && k < g->n_nodes; k++) {
		const gr_node *n = g->nodes[k];
		const gr_tensor *y = gr_out(n, 0);
		if (n->op == GR_OP_CONSTANT && y && y->param_counted && (unsigned)y->dtype < GR_DTYPE_COUNT)
			counts[y->dtype] += gr_numel(y);
		/* subgraphs (If/Loop/Scan bodies) hold their own initializers and constants; of an
		 * If, only the branch costed, as in params (the other's flags may be stale) */
		const gr_graph *branch = n->op == GR_OP_IF ? gr_if_costed_branch(n) : NULL;
		if (branch && depth < 32) {
			add_stored_params(branch, counts, depth + 1);
			continue;
		}
		for (size_t a = 0; depth < 32 && a < n->n_attr; a++) {
			const gr_attr *at = &n->attrs[a];
			if (at->type == GR_ATTR_GRAPH && at->g)
				add_stored_params(at->g, counts, depth + 1);
			for (size_t i = 0; at->type == GR_ATTR_GRAPHS && i < at->n; i++)
				if (at->graphs[i])
					add_stored_params(at->graphs[i], counts, depth + 1);
		}
	}
}

void gr_graph_param_dtypes(const gr_graph *g, int64_t counts[GR_DTYPE_COUNT])
{
	memset(counts, 0, GR_DTYPE_COUNT * sizeof(*counts));
	if (g && g->inferred)
		add_stored_params(g, counts, 0);
}
