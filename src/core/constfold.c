/* Constant folding: which nodes a compiler computes once at load rather than per inference.
 * A node is folded when every output is a known value (shape arithmetic), or when every input
 * is a constant: an initializer, a known value, or the output of a folded node of the same
 * graph. The last makes whole constant subgraphs fold, however deep (Swin's attention masks:
 * ConstantOfShape, nine ScatterNDs, Reshape, Transpose, Sub, Equal, Where on constants only),
 * as the vendors' compilers do; inference marks each node in topological order, so a node's
 * inputs are decided before it and no recursion is needed. In core, beside inference which
 * calls it: the transforms only read the mark (gr_node_is_folded). */
#include "core/graph_impl.h"
#include "graphs/transform.h"

static int tensor_const(const gr_tensor *t)
{
	if (t->is_initializer || t->has_value)
		return 1;
	return t->producer && t->producer->owner == t->owner && !t->is_input && t->producer->folded;
}

void gr_node_mark_folded(gr_node *n)
{
	size_t used = 0;
	int all_values = 1;

	n->folded = 0;
	if (!n->n_out || n->op == GR_OP_UNKNOWN)
		return;
	for (size_t o = 0; o < n->n_out; o++)
		if (n->out[o] && !n->out[o]->has_value)
			all_values = 0;
	if (all_values) {
		n->folded = 1;
		return;
	}
	for (size_t i = 0; i < n->n_in; i++) {
		if (!n->in[i])
			continue;
		if (!tensor_const(n->in[i]))
			return;
		used++;
	}
	n->folded = used > 0;
}

int gr_node_is_folded(const gr_node *n)
{
	return n->folded;
}

int gr_tensor_is_weight(const gr_tensor *t)
{
	return t && (t->is_initializer || (!t->has_value && tensor_const(t)));
}
