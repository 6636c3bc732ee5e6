/* Kernel groups and the critical path of a partition: what fits to published figures use to
 * give each kind of kernel its own fixed cost and to let parallel branches overlap
 * (op_time_model.h; docs/published.md). */
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

void otm_kernel_of(const gr_partition *p, size_t n_nodes, int *kof)
{
	size_t nk = gr_partition_count(p);

	for (size_t i = 0; i < n_nodes; i++)
		kof[i] = -1;
	for (size_t k = 0; k < nk; k++) {
		const gr_kernel *kr = gr_partition_kernel(p, k);
		for (size_t j = 0; j < kr->count; j++)
			kof[gr_partition_node(p, kr, j)->index] = (int)k;
	}
}

void otm_view_kernels(const otm_node *nodes, const int *kof, size_t n_nodes, size_t nk, int *view_kernel)
{
	int next = -1;

	for (size_t i = n_nodes; i-- > 0;) {
		view_kernel[i] = -1;
		if (kof[i] >= 0)
			next = kof[i];
		else if (nodes[i].cls == CC_VIEW && nk)
			view_kernel[i] = next >= 0 ? next : (int)nk - 1;
	}
}

int otm_kernel_dag_build(const gr_graph *g, const gr_partition *p, otm_kernel_dag *d)
{
	size_t n = g->n_nodes, nk = gr_partition_count(p), ne = 0, cap = 2 * nk + 8;
	int *kof = malloc((n + 1) * sizeof(int));

	memset(d, 0, sizeof(*d));
	d->nk = nk;
	d->first = malloc((nk + 1) * sizeof(size_t));
	d->pred = malloc(cap * sizeof(int));
	if (!kof || !d->first || !d->pred) {
		free(kof);
		otm_kernel_dag_free(d);
		return -1;
	}
	otm_kernel_of(p, n, kof);
	/* kernels follow graph order: an edge from a later kernel (none in practice) is left out,
	 * which keeps the longest path well defined */
	for (size_t k = 0; k < nk; k++) {
		const gr_kernel *kr = gr_partition_kernel(p, k);
		d->first[k] = ne;
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
				if (ne == cap) {
					int *np = realloc(d->pred, 2 * cap * sizeof(int));
					if (!np) {
						free(kof);
						otm_kernel_dag_free(d);
						return -1;
					}
					d->pred = np;
					cap *= 2;
				}
				d->pred[ne++] = pk;
			}
		}
	}
	d->first[nk] = ne;
	free(kof);
	return 0;
}

void otm_kernel_dag_free(otm_kernel_dag *d)
{
	free(d->first);
	free(d->pred);
	memset(d, 0, sizeof(*d));
}

int otm_critical_path_dag(const otm_kernel_dag *d, const double *lat, unsigned char *on)
{
	size_t nk = d->nk;
	int *from = malloc((nk + 1) * sizeof(int)), end = -1;
	double *dist = malloc((nk + 1) * sizeof(double)), best = -1;

	if (!from || !dist) {
		memset(on, 1, nk);
		free(from);
		free(dist);
		return -1;
	}
	for (size_t k = 0; k < nk; k++) {
		double dk = 0;
		from[k] = -1;
		for (size_t e = d->first[k]; e < d->first[k + 1]; e++)
			if (dist[d->pred[e]] > dk) {
				dk = dist[d->pred[e]];
				from[k] = d->pred[e];
			}
		dist[k] = dk + lat[k];
		if (dist[k] > best) {
			best = dist[k];
			end = (int)k;
		}
	}
	memset(on, 0, nk);
	for (int k = end; k >= 0; k = from[k])
		on[k] = 1;
	free(from);
	free(dist);
	return 0;
}

int otm_critical_path(const gr_graph *g, const gr_partition *p, const double *lat, unsigned char *on)
{
	otm_kernel_dag d;
	int rc;

	if (otm_kernel_dag_build(g, p, &d)) {
		memset(on, 1, gr_partition_count(p));
		return -1;
	}
	rc = otm_critical_path_dag(&d, lat, on);
	otm_kernel_dag_free(&d);
	return rc;
}
