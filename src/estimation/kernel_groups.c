/* Kernel groups and the critical path of a partition: what fits to published figures use to
 * give each kind of kernel its own fixed cost and to let parallel branches overlap
 * (op_time_model.h; docs/calibrate.md, "Published measurements"). */
#include <stdlib.h>
#include <string.h>

#include "core/graph_impl.h"
#include "estimation/op_time_model.h"

const char *const otm_kernel_group_names[OTM_KG_COUNT] = {"matrix", "dwconv", "vector", "concat", "layout",
							   "copy"};

int otm_kernel_group(const gr_partition *p, size_t ki)
{
	const gr_kernel *k = gr_partition_kernel(p, ki);
	int views = 1, layout = 0;

	switch (k->cls) {
	case GR_KC_CONV: case GR_KC_GEMM: case GR_KC_MATMUL: case GR_KC_ATTENTION: case GR_KC_RNN:
		return OTM_KG_MATRIX;
	case GR_KC_DWCONV:
		return OTM_KG_DWCONV;
	case GR_KC_POOL: case GR_KC_NORM: case GR_KC_ELEMENTWISE: case GR_KC_REDUCE:
		return OTM_KG_VECTOR;
	default:
		break;
	}
	for (size_t j = 0; j < k->count; j++) {
		const gr_node *n = gr_partition_node(p, k, j);
		if (n->op == GR_OP_CONCAT)
			return OTM_KG_CONCAT;
		if (n->op == GR_OP_TRANSPOSE || n->op == GR_OP_DEPTH_TO_SPACE || n->op == GR_OP_SPACE_TO_DEPTH)
			layout = 1;
		if (!gr_node_is_view(n))
			views = 0;
	}
	return layout || (views && k->count) ? OTM_KG_LAYOUT : OTM_KG_COPY;
}

double otm_kernel_cost(const otm_prec *cp, int kg)
{
	if (cp->has_kernel_groups && kg >= 0 && kg < OTM_KG_COUNT)
		return cp->kernel_group_s[kg];
	return cp->glob[CG_KERNEL];
}

int otm_critical_path(const gr_graph *g, const gr_partition *p, const double *lat, unsigned char *on)
{
	size_t n = g->n_nodes, nk = gr_partition_count(p);
	int *kof = malloc((n + 1) * sizeof(int)), *from = malloc((nk + 1) * sizeof(int));
	double *dist = malloc((nk + 1) * sizeof(double)), best = -1;
	int end = -1;

	memset(on, 1, nk);
	if (!kof || !from || !dist) {
		free(kof);
		free(from);
		free(dist);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		kof[i] = -1;
	for (size_t k = 0; k < nk; k++) {
		const gr_kernel *kr = gr_partition_kernel(p, k);
		for (size_t j = 0; j < kr->count; j++)
			kof[gr_partition_node(p, kr, j)->index] = (int)k;
	}
	/* kernels follow graph order: an edge from a later kernel (none in practice) is ignored,
	 * which keeps the longest path well defined */
	for (size_t k = 0; k < nk; k++) {
		const gr_kernel *kr = gr_partition_kernel(p, k);
		double d = 0;
		from[k] = -1;
		for (size_t j = 0; j < kr->count; j++) {
			const gr_node *nd = gr_partition_node(p, kr, j);
			for (size_t a = 0; a < nd->n_in; a++) {
				const gr_tensor *t = nd->in[a];
				int pk;
				if (!t || !t->producer || t->producer->owner != g)
					continue;
				pk = kof[t->producer->index];
				/* a view between two kernels: follow it to the kernel that made its input */
				for (const gr_node *v = t->producer; pk < 0 && v && v->n_in && v->in[0] &&
				     v->in[0]->producer && v->in[0]->producer->owner == g; v = v->in[0]->producer)
					pk = kof[v->in[0]->producer->index];
				if (pk < 0 || pk >= (int)k)
					continue;
				if (dist[pk] > d) {
					d = dist[pk];
					from[k] = pk;
				}
			}
		}
		dist[k] = d + lat[k];
		if (dist[k] > best) {
			best = dist[k];
			end = (int)k;
		}
	}
	memset(on, 0, nk);
	for (int k = end; k >= 0; k = from[k])
		on[k] = 1;
	free(kof);
	free(from);
	free(dist);
	return 0;
}
