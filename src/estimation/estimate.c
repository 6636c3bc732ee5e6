/* Per-kernel roofline: time = max(compute / (peak x eff), bytes / (bw x eff_mem)) + overhead,
 * energy = dynamic (pJ/op, pJ/byte per level) + static power x time, and peak memory from
 * tensor liveness. Mappers (mappers.c) supply the class-specific efficiencies. Every kernel,
 * theoretical or fitted, is then held to its physical floor (op_time_model.h, otm_bounds). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/graph_impl.h"
#include "estimation/mapper.h"
#include "estimation/op_time_model.h"
#include "estimation/throughput.h"

const char *gr_confidence_name(gr_confidence c)
{
	static const char *n[] = {"calibrated", "interpolated", "transferred", "theoretical"};
	return (unsigned)c < GR_CONF_COUNT ? n[c] : "theoretical";
}

const char *gr_bound_name(gr_bound b)
{
	static const char *n[] = {"compute", "memory", "overhead", "fallback"};
	return (unsigned)b <= GR_BOUND_FALLBACK ? n[b] : "compute";
}

double gr_estimate_elem_bytes(gr_precision p)
{
	switch (p) {
	case GR_PREC_FP64: return 8;
	case GR_PREC_FP32: case GR_PREC_TF32: return 4;
	case GR_PREC_FP16: case GR_PREC_BF16: case GR_PREC_INT16: return 2;
	case GR_PREC_FP8: case GR_PREC_INT8: return 1;
	default: return 0.5;
	}
}

/* Energy per byte when the platform gives none: the estimator's literature defaults by
 * memory family (estimator.pj_per_byte of the class). */
static double default_pj_per_byte(const gr_hw_mem_info *mi, const gr_hw_estimator *ep)
{
	const char *t = mi->type ? mi->type : "";
	if (strcmp(mi->level, "dram") != 0 && strncmp(mi->level, "hbm", 3) != 0)
		return ep->pj_per_byte_on_chip;
	if (!strncmp(t, "hbm", 3))
		return ep->pj_per_byte_hbm;
	if (!strncmp(t, "lpddr", 5))
		return ep->pj_per_byte_lpddr;
	return ep->pj_per_byte_dram;
}

typedef struct level_pick {
	const char *name;
	double bw;      /* bytes/s */
	double pj;      /* per byte */
	int is_dram;
} level_pick;

/* The smallest level whose total capacity holds the working set twice over. The host link
 * is not a level of the device's hierarchy. A device whose levels give no bandwidth at all
 * (dataflow NPUs keeping everything on chip) is assumed fed at 1 byte per
 * estimator.on_chip_ops_per_byte ops of peak. */
static level_pick pick_level(const gr_hw *hw, int mode, double ws, double peak_ops, const gr_hw_estimator *ep)
{
	level_pick best = {"dram", 0, ep->pj_per_byte_dram, 1};
	size_t n = gr_hw_mem_count(hw);

	for (size_t i = 0; i < n; i++) {
		gr_hw_mem_info mi;
		double cap;
		if (gr_hw_mem_at(hw, mode, i, &mi) || mi.bandwidth_bytes_s <= 0 || !strcmp(mi.level, "host"))
			continue;
		cap = (double)mi.size_bytes * (double)(mi.instances > 0 ? mi.instances : 1);
		best.name = mi.level;
		best.bw = mi.bandwidth_bytes_s;
		best.pj = gr_hw_energy_pj_per_byte(hw, mi.level);
		if (best.pj <= 0)
			best.pj = default_pj_per_byte(&mi, ep);
		best.is_dram = !strcmp(mi.level, "dram") || i + 1 == n;
		if (cap > 0 && ws * 2 <= cap)
			return best;
	}
	if (best.bw <= 0)
		best.bw = gr_hw_dram_bandwidth(hw, mode);
	if (best.bw <= 0) {
		best.name = "on_chip";
		best.bw = peak_ops / ep->on_chip_ops_per_byte;
		best.pj = ep->pj_per_byte_on_chip;
		best.is_dram = 0;
	}
	return best;
}

/* pick_level's candidates, read once per estimate instead of once per kernel: the same scan
 * over plain numbers, hence the same pick. */
#define LEVELS_MAX 16
typedef struct level_table {
	size_t n;
	int ok;                 /* 0: more levels than LEVELS_MAX, use pick_level */
	level_pick lv[LEVELS_MAX];
	double cap[LEVELS_MAX];
	level_pick none;        /* the pick when no level holds the working set */
} level_table;

static void levels_init(level_table *t, const gr_hw *hw, int mode, double peak_ops, const gr_hw_estimator *ep)
{
	size_t n = gr_hw_mem_count(hw);

	t->n = 0;
	t->ok = n <= LEVELS_MAX;
	if (!t->ok)
		return;
	t->none = (level_pick){"dram", 0, ep->pj_per_byte_dram, 1};
	for (size_t i = 0; i < n; i++) {
		gr_hw_mem_info mi;
		level_pick *b = &t->lv[t->n];
		if (gr_hw_mem_at(hw, mode, i, &mi) || mi.bandwidth_bytes_s <= 0 || !strcmp(mi.level, "host"))
			continue;
		t->cap[t->n] = (double)mi.size_bytes * (double)(mi.instances > 0 ? mi.instances : 1);
		b->name = mi.level;
		b->bw = mi.bandwidth_bytes_s;
		b->pj = gr_hw_energy_pj_per_byte(hw, mi.level);
		if (b->pj <= 0)
			b->pj = default_pj_per_byte(&mi, ep);
		b->is_dram = !strcmp(mi.level, "dram") || i + 1 == n;
		t->none = *b;
		t->n++;
	}
	if (t->none.bw <= 0)
		t->none.bw = gr_hw_dram_bandwidth(hw, mode);
	if (t->none.bw <= 0) {
		t->none.name = "on_chip";
		t->none.bw = peak_ops / ep->on_chip_ops_per_byte;
		t->none.pj = ep->pj_per_byte_on_chip;
		t->none.is_dram = 0;
	}
}

static level_pick levels_pick(const level_table *t, const gr_hw *hw, int mode, double ws, double peak_ops,
			      const gr_hw_estimator *ep)
{
	if (!t->ok)
		return pick_level(hw, mode, ws, peak_ops, ep);
	for (size_t i = 0; i < t->n; i++)
		if (t->cap[i] > 0 && ws * 2 <= t->cap[i])
			return t->lv[i];
	return t->none;
}

void gr_estimate_live_bytes(const gr_graph *g, double scale_float, double *live)
{
	gr_estimate_live_bytes_at(g, scale_float, NULL, live);
}

void gr_estimate_live_bytes_at(const gr_graph *g, double scale_float, const double *out_bpe, double *live)
{
	size_t n = g->n_nodes;
	double cur = 0;

	memset(live, 0, (n + 2) * sizeof(*live));
	for (size_t k = 0; k <= n; k++) {
		/* k == n: graph inputs (live from the start) */
		gr_tensor **ts = k < n ? g->nodes[k]->out : g->inputs;
		size_t cnt = k < n ? g->nodes[k]->n_out : g->n_inputs;
		for (size_t o = 0; o < cnt; o++) {
			const gr_tensor *t = ts[o];
			size_t start = k < n ? k : 0, end = start;
			double b;
			if (!t || t->is_initializer || (t->has_value && t->nval <= GR_FOLD_MAX && !t->is_input))
				continue;
			b = gr_tensor_bytes(t);
			if (gr_dtype_is_float(t->dtype))
				b = out_bpe && gr_numel(t) > 0 ? (double)gr_numel(t) * out_bpe[k] : b * scale_float;
			for (uint32_t c = 0; c < t->n_consumers; c++)
				if ((size_t)t->consumers[c]->index > end)
					end = (size_t)t->consumers[c]->index;
			if (t->is_output)
				end = n - 1 < end ? end : (n ? n - 1 : 0);
			live[start] += b;
			live[end + 1] -= b;
		}
	}
	for (size_t k = 0; k <= n; k++) {
		cur += live[k];
		live[k] = cur;
	}
}

int gr_estimate_activation_bpe(const gr_graph *g, const gr_partition *p, const gr_hw *hw, gr_precision prec,
			       double *out_bpe)
{
	if (prec != GR_PREC_INT8 || !gr_partition_rules(p) || !gr_partition_rules(p)->int8_float_io)
		return 0;
	return !otm_int8_float_io_bytes(g, p, otm_int8_float_bytes(hw), out_bpe);
}

/* Peak live activation bytes along the topological order (tensor liveness); out_bpe as
 * gr_estimate_live_bytes_at. */
static double peak_activations(const gr_graph *g, double scale_float, const double *out_bpe)
{
	double *live = malloc((g->n_nodes + 2) * sizeof(double)), peak = 0;

	if (!live)
		return 0;
	gr_estimate_live_bytes_at(g, scale_float, out_bpe, live);
	for (size_t k = 0; k <= g->n_nodes; k++)
		if (live[k] > peak)
			peak = live[k];
	free(live);
	return peak;
}

#define MIB (1024.0 * 1024.0)

/* The refusal when a model does not fit on a device that has nowhere to stream from. */
static void does_not_fit(const gr_graph_totals *tot, const gr_hw *hw, const gr_onchip *oc, const gr_map_ctx *m,
			 gr_error *err)
{
	gr_error_set(err, GR_ERR_UNSUPPORTED, "the model does not fit on '%s': %.1f MiB of %s weights and "
		     "their activations exceed its %.1f MiB on chip, and it has no DRAM or host link to "
		     "stream the rest from", gr_hw_id(hw),
		     (double)tot->params * gr_estimate_elem_bytes(m->prec) / MIB, gr_precision_name(m->prec),
		     oc->capacity / MIB);
}

const char *gr_estimate_default_runtime(const gr_hw *hw)
{
	gr_hw_class c = gr_hw_get_class(hw);
	return c == GR_HW_CPU || c == GR_HW_GPU ? "pytorch" : "compiler";
}

/* Accelerators behind a link (PCIe, USB) receive inputs and return outputs each inference. */
static double io_transfer(const gr_graph *g, const gr_hw *hw, double scale_float)
{
	double link = gr_hw_host_bandwidth_gbps(hw) * 1e9, bytes = 0;
	gr_hw_class c = gr_hw_get_class(hw);

	if (link <= 0 || c == GR_HW_CPU || c == GR_HW_GPU)
		return 0;
	for (size_t i = 0; i < g->n_inputs; i++)
		bytes += gr_tensor_bytes(g->inputs[i]) * (gr_dtype_is_float(g->inputs[i]->dtype) ? scale_float : 1);
	for (size_t i = 0; i < g->n_outputs; i++)
		bytes += gr_tensor_bytes(g->outputs[i]) * (gr_dtype_is_float(g->outputs[i]->dtype) ? scale_float : 1);
	return bytes / link;
}

/* The batch of a graph: the leading dim of its first input (1 when unknown). */
static int64_t graph_batch(const gr_graph *g)
{
	if (g->n_inputs && g->inputs[0] && g->inputs[0]->rank >= 1 && g->inputs[0]->dims[0].value > 0)
		return g->inputs[0]->dims[0].value;
	return 1;
}

/* Per-op data for calibrated kernels: each node's work, and the views (no kernel of their own,
 * but dispatched by eager runtimes) charged to the kernel that runs next. */
typedef struct fitted_view {
	otm_node *nodes;
	int *view_kernel;
} fitted_view;

/* Each node's FLOPs as the time model charges them on path (gr_conv_path, fastconv.c), at the
 * precision's peak rate (widen: otm_conv_widen). */
static void fitted_view_flops(const gr_graph *g, const gr_partition *p, int path, double widen, fitted_view *v)
{
	for (size_t i = 0; i < g->n_nodes; i++)
		if (v->nodes[i].flops > 0)
			v->nodes[i].flops = gr_node_rate_flops(gr_partition_rules(p), g->nodes[i], path, widen);
}

static int fitted_view_build(const gr_graph *g, const gr_partition *p, fitted_view *v)
{
	size_t n = g->n_nodes, nk = gr_partition_count(p);
	int *kof = malloc((n + 1) * sizeof(int));

	v->nodes = calloc(n + 1, sizeof(*v->nodes));
	v->view_kernel = malloc((n + 1) * sizeof(int));
	if (!kof || !v->nodes || !v->view_kernel) {
		free(kof);
		free(v->nodes);
		free(v->view_kernel);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		otm_node_from(g->nodes[i], &v->nodes[i]);
	/* a fast convolution algorithm's FLOPs (fastconv.c): what the time model charges */
	fitted_view_flops(g, p, GR_CONV_PATH_FLOAT, 1.0, v);
	otm_kernel_of(p, n, kof);
	otm_view_kernels(v->nodes, kof, n, nk, v->view_kernel);
	free(kof);
	return 0;
}

/* Graph-level work an estimate repeats on every platform (gr_estimate_cache in estimate.h):
 * the per-op view, the views charged to each kernel (in node order, as the sum needs), the
 * graph totals and the peak activations at each float scale met so far. */
struct gr_estimate_cache {
	const gr_graph *g;
	const gr_partition *p;
	fitted_view cv;
	int cv_path;          /* gr_conv_path cv's FLOPs are at (and cvf's, when made) */
	double cv_widen;      /* and the widen they are counted with (otm_conv_widen) */
	otm_node *fused_nodes; /* cv.nodes as a graph compiler runs them (otm_nodes_fuse), made once
				* per conv path */
	fitted_view cvf;
	size_t *view_first;   /* views of kernel k: view_idx[view_first[k] .. view_first[k+1]) */
	size_t *view_idx;
	int have_totals;
	gr_graph_totals tot;
	int n_act;
	double act_scale[GR_PREC_COUNT], act_peak[GR_PREC_COUNT];
	signed char *kgroup;  /* kernel -> OTM_KG_*, made when a fit first needs it */
	int have_dag;         /* 1: dag made, -1: could not be */
	otm_kernel_dag dag;   /* for critical paths (fits with overlap) */
};

gr_estimate_cache *gr_estimate_cache_new(const gr_graph *g, const gr_partition *p)
{
	gr_estimate_cache *c = calloc(1, sizeof(*c));
	size_t n = g->n_nodes, nk = gr_partition_count(p);

	if (!c)
		return NULL;
	c->g = g;
	c->p = p;
	c->cv_widen = 1.0;
	if (fitted_view_build(g, p, &c->cv) || !(c->view_first = calloc(nk + 2, sizeof(size_t))) ||
	    !(c->view_idx = malloc((n + 1) * sizeof(size_t)))) {
		gr_estimate_cache_free(c);
		return NULL;
	}
	/* counting sort by kernel keeps each kernel's views in node order */
	for (size_t i = 0; i < n; i++)
		if (c->cv.view_kernel[i] >= 0)
			c->view_first[c->cv.view_kernel[i] + 1]++;
	for (size_t k = 0; k < nk; k++)
		c->view_first[k + 1] += c->view_first[k];
	{
		size_t *fill = calloc(nk + 1, sizeof(size_t));
		if (!fill) {
			gr_estimate_cache_free(c);
			return NULL;
		}
		for (size_t i = 0; i < n; i++) {
			int k = c->cv.view_kernel[i];
			if (k >= 0)
				c->view_idx[c->view_first[k] + fill[k]++] = i;
		}
		free(fill);
	}
	return c;
}

void gr_estimate_cache_free(gr_estimate_cache *c)
{
	if (!c)
		return;
	free(c->cv.nodes);
	free(c->cv.view_kernel);
	free(c->fused_nodes);
	free(c->view_first);
	free(c->view_idx);
	free(c->kgroup);
	otm_kernel_dag_free(&c->dag);
	free(c);
}

/* The kernel group of kernel ki (the per-kernel cost it pays); OTM_KG_COPY when out of memory. */
static int cache_kernel_group(gr_estimate_cache *c, size_t ki)
{
	size_t nk = gr_partition_count(c->p);

	if (!c->kgroup) {
		if (!(c->kgroup = malloc(nk + 1)))
			return otm_kernel_group(c->p, ki);
		for (size_t k = 0; k < nk; k++)
			c->kgroup[k] = (signed char)otm_kernel_group(c->p, k);
	}
	return c->kgroup[ki];
}

/* The per-op view with its convolutions' FLOPs on path: an estimate at another precision or on
 * another engine may run another algorithm (the fused view is made again from it). */
static void cache_view_path(gr_estimate_cache *c, int path, double widen)
{
	if (c->cv_path == path && c->cv_widen == widen)
		return;
	fitted_view_flops(c->g, c->p, path, widen, &c->cv);
	free(c->fused_nodes);
	c->fused_nodes = NULL;
	c->cvf.nodes = NULL;
	c->cv_path = path;
	c->cv_widen = widen;
}

/* The per-op view of a graph-compiler runtime; the eager view when out of memory. */
static const fitted_view *cache_fused_view(gr_estimate_cache *c)
{
	size_t n = c->g->n_nodes;

	if (!c->fused_nodes) {
		otm_node *f = malloc((n + 1) * sizeof(*f));
		if (!f)
			return &c->cv;
		memcpy(f, c->cv.nodes, (n + 1) * sizeof(*f));
		if (otm_nodes_fuse(c->g, c->p, f)) {
			free(f);
			return &c->cv;
		}
		c->fused_nodes = f;
		c->cvf.nodes = f;
		c->cvf.view_kernel = c->cv.view_kernel;
	}
	return &c->cvf;
}

static const gr_graph_totals *cache_totals(gr_estimate_cache *c)
{
	if (!c->have_totals) {
		gr_graph_totals_compute(c->g, &c->tot);
		c->have_totals = 1;
	}
	return &c->tot;
}

static double cache_peak_activations(gr_estimate_cache *c, double scale)
{
	for (int i = 0; i < c->n_act; i++)
		if (c->act_scale[i] == scale)
			return c->act_peak[i];
	double v = peak_activations(c->g, scale, NULL);
	if (c->n_act < GR_PREC_COUNT) {
		c->act_scale[c->n_act] = scale;
		c->act_peak[c->n_act++] = v;
	}
	return v;
}

/* The physical floor of kernel ki (docs/estimate.md, "Physical bounds"): fl[0] its FLOPs at the
 * peak of each op's engine, fl[1] its bytes at the bandwidth of the fastest level holding them.
 * Eager runtimes run the ops one after another, each from its own working set; a fused kernel
 * moves its external traffic once and may keep matrix and vector engines busy side by side. */
static void kernel_floor(const otm_bounds *b, const gr_partition *p, const fitted_view *v, size_t ki,
			 int fused, double bytes, double fl[2])
{
	const gr_kernel *k = gr_partition_kernel(p, ki);
	double c_mat = 0, c_vec = 0, mem = 0, f[2], bw;

	for (size_t j = 0; j < k->count; j++) {
		const otm_node *n = &v->nodes[gr_partition_node(p, k, j)->index];
		otm_node_floor(b, n, f);
		if (otm_class_on_matrix_engine(n->cls, b->hw))
			c_mat += f[0];
		else
			c_vec += f[0];
		mem += f[1];
	}
	if (fused) {
		bw = bytes > 0 ? otm_bounds_bandwidth(b, bytes, NULL) : 0;
		fl[0] = fmax(c_mat, c_vec);
		fl[1] = bw > 0 ? bytes / bw : 0;
		/* on-chip memory declared: each op's share of the group's traffic, split by where it
		 * lives (op_time_model.h, otm_node_split) */
		if (b->onchip_cap > 0 && k->count && v->nodes[gr_partition_node(p, k, 0)->index].fused)
			fl[1] = mem;
	} else {
		fl[0] = c_mat + c_vec;
		fl[1] = mem;
	}
}

/* The bytes ncnn's int8 layers add to kernel ki's activations (view v against base, elements
 * of bpe bytes; int8_io.c): what the kernel's bytes and working set are charged with too. */
static double int8_io_extra(const gr_partition *p, const fitted_view *base, const fitted_view *v, size_t ki,
			    double bpe)
{
	const gr_kernel *k = gr_partition_kernel(p, ki);
	double d = 0;

	for (size_t j = 0; j < k->count; j++) {
		size_t i = gr_partition_node(p, k, j)->index;
		d += v->nodes[i].ein + v->nodes[i].eo - base->nodes[i].ein - base->nodes[i].eo;
	}
	return d * bpe;
}

/* Fitted latency of kernel ki: the sum of its ops (and views charged to it), each raised to its
 * physical floor, plus the per-kernel cost. Returns the kernel's confidence; GR_CONF_THEORETICAL
 * (nothing written) when one of its op classes has no fit. */
/* The donor named by a class of kernel ki that its platform borrowed (NULL: none). */
static const char *kernel_borrowed_class(const otm_prec *cp, const gr_estimate_cache *ec, size_t ki)
{
	const gr_kernel *k = gr_partition_kernel(ec->p, ki);

	for (size_t j = 0; j < k->count; j++) {
		const otm_node *n = &ec->cv.nodes[gr_partition_node(ec->p, k, j)->index];
		if (n->cls >= 0 && cp->cls[n->cls].fitted && cp->cls[n->cls].borrowed_from[0])
			return cp->cls[n->cls].borrowed_from;
	}
	return NULL;
}

/* The fitted cost of launching kernel ki: its kernel group's where the profile fits groups (the
 * group is looked up only then), else the one per-kernel cost. */
static double fitted_kernel_launch_s(const otm_prec *cp, gr_estimate_cache *ec, size_t ki)
{
	return cp->has_kernel_groups ? otm_kernel_cost(cp, cache_kernel_group(ec, ki)) : cp->glob[CG_KERNEL];
}

/* The launches a runtime that splits a grouped conv (gr_fusion_rules.group_split: ncnn) makes
 * for each further group, at the platform's launch cost, in seconds; in both paths, fitted too:
 * the fitted per-kernel cost covers the layer once (no published table constrains a per-group
 * one when RegNet, the only grouped network, is left out). */
static double group_launch_s(const gr_kernel *k, double launch_us)
{
	return k->dispatches > 1 ? (k->dispatches - 1) * launch_us * 1e-6 : 0;
}

static gr_confidence fitted_kernel(const otm_prec *cp, const otm_bounds *ob, gr_estimate_cache *ec,
				  const fitted_view *v, size_t ki, int64_t batch, double launch_us,
				  gr_kernel_estimate *ke)
{
	const gr_partition *p = ec->p;
	const gr_kernel *k = gr_partition_kernel(p, ki);
	double parts[3], sum[3] = {0, 0, 0}, floor[2];
	gr_confidence conf = GR_CONF_CALIBRATED;
	int raised = 0;

	for (size_t j = 0; j < k->count; j++) {
		const otm_node *n = &v->nodes[gr_partition_node(p, k, j)->index];
		gr_confidence c = otm_node_confidence(cp, n, batch);
		if (c > conf)
			conf = c;
		if (conf == GR_CONF_THEORETICAL)
			return conf;
		otm_node_time(cp, n, batch, parts);
		otm_node_floor(ob, n, floor);
		raised |= otm_raise_to_floor(floor, parts);
		for (int q = 0; q < 3; q++)
			sum[q] += parts[q];
	}
	for (size_t j = ec->view_first[ki]; j < ec->view_first[ki + 1]; j++) {
		size_t i = ec->view_idx[j];
		if (otm_node_confidence(cp, &v->nodes[i], batch) == GR_CONF_THEORETICAL)
			continue; /* views are cheap: an unfitted one is left out, not a reason to fall back */
		otm_node_time(cp, &v->nodes[i], batch, parts);
		for (int q = 0; q < 3; q++)
			sum[q] += parts[q];
	}
	ke->compute_s = sum[0];
	ke->memory_s = sum[1];
	ke->overhead_s = sum[2] + fitted_kernel_launch_s(cp, ec, ki);
	ke->overhead_s += group_launch_s(k, launch_us);
	ke->transfer_s = 0;
	ke->latency_s = ke->compute_s + ke->memory_s + ke->overhead_s;
	ke->at_bound = raised;
	return conf;
}

/* The launch costs of kernel ki of an eager runtime that no class of cp fits (theoretical): its
 * roofline stays, but what the runtime pays to launch it is the profile's, measured on this
 * platform and runtime, not the registry's default: the per-kernel cost (launch and
 * synchronisation of a standalone group, whatever runs in it; the Orin ground truth times a
 * standalone flatten, a view with no device work, at 71 us and the registry says 18) and per op
 * the dispatch cost of its class or, where unfitted, of its related class (the framework's
 * dispatch, the same for both), else the registry's launch (op_us). Graph compilers launch
 * fused groups, not ops: their unfitted kernels keep the registry's launch. */
static double theoretical_overhead(const otm_prec *cp, gr_estimate_cache *ec, const fitted_view *v, size_t ki,
				   double launch_us, double op_us)
{
	const gr_kernel *k = gr_partition_kernel(ec->p, ki);
	double s = fitted_kernel_launch_s(cp, ec, ki) + group_launch_s(k, launch_us);

	for (size_t j = 0; j < k->count; j++) {
		int c = v->nodes[gr_partition_node(ec->p, k, j)->index].cls;
		if (c < 0)
			continue; /* not executed */
		while (c >= 0 && !cp->cls[c].fitted)
			c = otm_related_class(c);
		s += c >= 0 ? cp->cls[c].coef[CF_OP] : op_us * 1e-6;
	}
	return s;
}

/* The kind of time that dominates a kernel. */
static gr_bound kernel_bound(const gr_kernel_estimate *ke)
{
	if (ke->overhead_s > fmax(ke->compute_s, ke->memory_s))
		return GR_BOUND_OVERHEAD;
	return ke->compute_s >= ke->memory_s ? GR_BOUND_COMPUTE : GR_BOUND_MEMORY;
}

/* Holds kernel ke to its floor fl. A fitted kernel's parts add up (otm_raise_to_floor); a
 * roofline kernel takes the longer of compute and memory, so each is raised on its own. */
static void raise_kernel(gr_kernel_estimate *ke, const double fl[2])
{
	const double slack = 1 - 1e-6;

	if (ke->confidence != GR_CONF_THEORETICAL) {
		double parts[3] = {ke->compute_s, ke->memory_s, ke->overhead_s};
		if (otm_raise_to_floor(fl, parts)) {
			ke->compute_s = parts[0];
			ke->memory_s = parts[1];
			ke->at_bound = 1;
		}
		ke->latency_s = ke->compute_s + ke->memory_s + ke->overhead_s;
	} else {
		if (ke->compute_s < fl[0] * slack) {
			ke->compute_s = fl[0];
			ke->at_bound = 1;
		}
		if (ke->memory_s < fl[1] * slack) {
			ke->memory_s = fl[1];
			ke->at_bound = 1;
		}
		ke->latency_s = fmax(ke->compute_s, ke->memory_s) + ke->transfer_s + ke->overhead_s;
	}
	ke->bound = kernel_bound(ke);
}

/* Kernels off the critical path (parallel branches: a ResNet shortcut, inception branches)
 * overlap with it on the device: each adds only share f of its time. Fitted kernels only, or
 * every device kernel of a theoretical estimate (theo: the registry's estimator.branch_overlap). */
static void offpath_overlap(gr_estimate *e, gr_estimate_cache *ec, double f, int theo)
{
	size_t nk = e->n_kernels;
	double *lat = malloc((nk + 1) * sizeof(double));
	unsigned char *on = malloc(nk + 1);

	if (lat && on) {
		for (size_t k = 0; k < nk; k++)
			lat[k] = e->kernels[k].latency_s;
		if (!ec->have_dag)
			ec->have_dag = otm_kernel_dag_build(ec->g, ec->p, &ec->dag) ? -1 : 1;
		if (ec->have_dag > 0 && !otm_critical_path_dag(&ec->dag, lat, on))
			for (size_t k = 0; k < nk; k++) {
				gr_kernel_estimate *ke = &e->kernels[k];
				double cut;
				if (on[k] || ke->on_host || (!theo && ke->confidence == GR_CONF_THEORETICAL))
					continue;
				cut = (1 - f) * ke->latency_s;
				e->latency_s -= cut;
				e->compute_s -= (1 - f) * ke->compute_s;
				e->memory_s -= (1 - f) * ke->memory_s;
				e->overhead_s -= (1 - f) * ke->overhead_s;
				e->confidence_share[ke->confidence] -= cut;
				ke->compute_s *= f;
				ke->memory_s *= f;
				ke->overhead_s *= f;
				ke->latency_s *= f;
			}
	}
	free(lat);
	free(on);
}

/* A calibrated dataflow device (docs/estimate.md, "Latency and throughput"): every frame pays
 * the fitted per-frame cost on the host link. A network needing more than one context holds
 * (fitted, Hailo publishes neither: the bytes of weights and buffered activations, never above
 * the registry's on-chip size, and the layers one context places) is split into contexts; each request switches through all
 * of them, reloads their weights from DRAM, or over the host link on devices without DRAM,
 * configures each layer again (context_layer_s) and fills and drains the pipeline of each
 * context (context_fill frames of the chip's work). All of it is
 * part of one request's latency; the throughput model (throughput.c) puts the per-frame cost
 * on the link stage and the rest in series with the chip's work. */
static void dataflow_costs(gr_estimate *e, const otm_prec *cp, const gr_onchip *oc, const gr_hw *hw,
			   int64_t frames, double weight_bytes, double held_bytes, gr_throughput_in *tin)
{
	double cap = cp->context_bytes, bw = oc->off_bw > 0 ? oc->off_bw : gr_hw_host_bandwidth_gbps(hw) * 1e9;
	double add, layers = 0, by_w = 1, by_l = 1;

	if (oc->capacity > 0 && cap > oc->capacity)
		cap = oc->capacity;
	tin->frame_s = cp->frame_s * (double)frames;
	for (size_t i = 0; i < e->n_kernels; i++)
		layers += !e->kernels[i].on_host;
	if (cap > 0 && bw > 0)
		by_w = ceil(held_bytes / cap);
	if (cp->context_layers > 0)
		by_l = ceil(layers / cp->context_layers);
	if ((by_w > 1 || by_l > 1) && bw > 0) {
		size_t l = strlen(e->note);
		char holds[64];
		double fill = cp->context_fill * gr_throughput_device_work_s(e) / (double)(frames > 0 ? frames : 1);
		e->contexts = (int64_t)fmax(by_w, by_l);
		tin->context_s = (double)e->contexts * cp->context_s + layers * cp->context_layer_s +
				 weight_bytes / bw + fill;
		if (by_w >= by_l)
			snprintf(holds, sizeof(holds), "%.1f MiB of weights and activations", cap / MIB);
		else
			snprintf(holds, sizeof(holds), "%.0f layers", cp->context_layers);
		snprintf(e->note + l, sizeof(e->note) - l, "%s%.1f MiB of weights (%.1f MiB with activations) "
			 "in %.0f layers need %lld contexts (one holds %s): their weights are reloaded from %s on "
			 "every request, their layers configured and pipelines filled (%.3g ms)", l ? "; " : "",
			 weight_bytes / MIB, held_bytes / MIB, layers, (long long)e->contexts, holds,
			 oc->off_name ? oc->off_name : "host", tin->context_s * 1e3);
	}
	add = tin->frame_s + tin->context_s;
	e->latency_s += add;
	e->overhead_s += add;
	e->confidence_share[GR_CONF_CALIBRATED] += add;
}

gr_status gr_estimate_run(const gr_graph *g, const gr_partition *p, const gr_hw *hw, int mode,
			  const gr_estimate_opts *opts, gr_estimate **out, gr_error *err)
{
	return gr_estimate_run_fitted(g, p, hw, mode, opts, NULL, out, err);
}

gr_status gr_estimate_run_fitted(const gr_graph *g, const gr_partition *p, const gr_hw *hw, int mode,
				 const gr_estimate_opts *opts, const gr_op_time_model *fit, gr_estimate **out,
				 gr_error *err)
{
	gr_estimate_cache *c = gr_estimate_cache_new(g, p);
	gr_status st;

	*out = NULL;
	if (!c)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	st = gr_estimate_run_cached(c, hw, mode, opts, fit, out, err);
	gr_estimate_cache_free(c);
	return st;
}

gr_status gr_estimate_run_cached(gr_estimate_cache *ec, const gr_hw *hw, int mode, const gr_estimate_opts *opts,
				 const gr_op_time_model *fit, gr_estimate **out, gr_error *err)
{
	const gr_graph *g = ec->g;
	const gr_partition *p = ec->p;
	const gr_mapper *mp = gr_mapper_for(gr_hw_get_class(hw));
	const gr_fusion_rules *rules;
	gr_hw_estimator ep;
	gr_map_ctx m = {hw, mode, GR_PREC_FP32, gr_hw_units(hw, mode), &ep};
	gr_onchip oc;
	char why[512];
	gr_estimate *e;
	double tdp = gr_hw_tdp_w(hw, mode), idle = gr_hw_idle_w(hw), launch_us, op_launch_us, pj_op, scale;
	int prec = opts ? opts->precision : -1;
	size_t nk = gr_partition_count(p), n_calibrated = 0;
	const otm_prec *cp = NULL;
	otm_prec own_borrow; /* a precision the platform's own profile lacks (otm_transfer_precision) */
	otm_prec resident;   /* a dataflow chip's fit, its weights held beside their layers */
	const fitted_view *cv;
	fitted_view int8v = {NULL, NULL}; /* an int8 fit lent from a float one on ncnn (int8_io.c) */
	double *int8_passes = NULL;        /* and the layer dispatches its kernels add (int8_io.c) */
	double int8_fb = 0, int8_bpe = 0;  /* ... the bytes of the float activations it keeps, of its int8 */
	const fitted_view *cv_base;
	otm_bounds ob;
	level_table levels;
	level_pick onchip;
	double eff_peak;
	int64_t batch = 1;
	int conv_path;
	double widen, act_peak;
	gr_throughput_in tin = {0};

	*out = NULL;
	if (gr_hw_estimator_params(hw, &ep, why, sizeof(why)))
		return gr_error_set(err, GR_ERR_FORMAT, "%s", why);
	if (prec < 0)
		prec = gr_hw_preferred_precision(hw);
	if (prec < 0)
		prec = GR_PREC_FP32;
	m.prec = (gr_precision)prec;
	if (gr_hw_effective_peak_ops(hw, mode, m.prec) <= 0) {
		char list[256] = "";
		size_t len = 0;
		for (int q = 0; q < GR_PREC_COUNT && len < sizeof(list); q++)
			if (gr_hw_effective_peak_ops(hw, mode, (gr_precision)q) > 0)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", len ? ", " : "",
							gr_precision_name((gr_precision)q));
		return gr_error_set(err, GR_ERR_UNSUPPORTED, "'%s' cannot run %s (it runs: %s)",
				    gr_hw_id(hw), gr_precision_name(m.prec), list[0] ? list : "nothing listed");
	}
	rules = gr_fusion_rules_find(opts && opts->runtime ? opts->runtime : gr_estimate_default_runtime(hw));
	if (!rules) {
		char names[1024];
		return gr_error_set(err, GR_ERR_USAGE, "unknown runtime '%s' (accepted: %s)", opts->runtime,
				    gr_fusion_rules_names(names, sizeof(names)));
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->kernels = calloc(nk ? nk : 1, sizeof(*e->kernels)))) {
		free(e);
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	}
	e->precision = m.prec;
	e->hw = hw;
	e->mode = mode;
	e->error_band_pct = NAN;
	e->runtime = rules->name;
	e->amp = opts && opts->amp && (m.prec == GR_PREC_FP16 || m.prec == GR_PREC_BF16);
	if (e->amp)
		snprintf(e->note, sizeof(e->note), "amp: matrix and elementwise ops at %s, norms and "
			 "reductions in fp32", gr_precision_name(m.prec));
	e->n_kernels = nk;
	e->confidence = GR_CONF_THEORETICAL;
	scale = gr_estimate_elem_bytes(m.prec) / 4.0; /* model files hold fp32 tensors */
	launch_us = ep.kernel_launch_us;
	op_launch_us = gr_op_launch_us(rules, &ep); /* per op launched: the launch and what drives it */
	if (idle <= 0 && tdp > 0)
		idle = ep.idle_share_of_tdp * tdp; /* no figure: idle-but-clocked silicon */
	pj_op = gr_hw_energy_pj_per_op(hw, m.prec);
	if (pj_op <= 0 && tdp > idle)
		/* full-peak compute at exactly TDP: an upper bound from the power budget */
		pj_op = (tdp - idle) / gr_hw_effective_peak_ops(hw, mode, m.prec) * 1e12;
	if (gr_hw_emulation_factor(hw, m.prec) > 0)
		snprintf(e->note, sizeof(e->note), "%s is emulated on %s (about %.0fx slower than fp32)",
			 gr_precision_name(m.prec), gr_hw_id(hw), gr_hw_emulation_factor(hw, m.prec));
	otm_bounds_init(&ob, hw, mode, m.prec);
	eff_peak = gr_hw_effective_peak_ops(hw, mode, m.prec);
	levels_init(&levels, hw, mode, eff_peak, &ep);
	if (fit) {
		gr_precision from;
		cp = otm_applicable(fit, hw, mode, m.prec, rules->name);
		/* a borrowed model lends no further: a precision its donor lacks is the donor search's
		 * question (gr_profile_transfer_find), not a second guess here */
		if (!cp && !(opts && opts->no_transfer) && !fit->borrowed_from[0] &&
		    otm_same_target(fit, hw, mode, rules->name) &&
		    otm_transfer_precision(fit, hw, mode, m.prec, &own_borrow, &from)) {
			size_t l = strlen(e->note);
			cp = &own_borrow;
			snprintf(e->note + l, sizeof(e->note) - l, "%sthe profile has no %s fit: its %s fit, "
				 "scaled by the two precisions' peaks", l ? "; " : "", gr_precision_name(m.prec),
				 gr_precision_name(from));
		}
		if (cp == &own_borrow && ep.pipeline_dataflow) {
			own_borrow.weights_resident = 1;
		} else if (cp && ep.pipeline_dataflow) {
			resident = *cp;
			resident.weights_resident = 1;
			cp = &resident;
		}
		if (cp) {
			e->profile = fit->label;
			e->profile_path = fit->path[0] ? fit->path : NULL;
			e->borrowed_from = fit->borrowed_from[0] ? fit->borrowed_from : cp == &own_borrow ? fit->label : NULL;
			batch = graph_batch(g);
		} else {
			size_t l = strlen(e->note);
			const char *mname = mode >= 0 ? gr_hw_mode_name(hw, (size_t)mode) : NULL;
			if (strcmp(fit->hw, gr_hw_id(hw)) || strcmp(fit->mode, mname ? mname : ""))
				snprintf(e->note + l, sizeof(e->note) - l, "%sprofile %s is for another platform or mode: "
					 "theoretical", l ? "; " : "", fit->label);
			else if (strcmp(fit->runtime, rules->name))
				snprintf(e->note + l, sizeof(e->note) - l, "%sprofile %s is for runtime %s, not %s: "
					 "theoretical", l ? "; " : "", fit->label, fit->runtime, rules->name);
			else
				snprintf(e->note + l, sizeof(e->note) - l, "%sprofile %s has no %s fit: theoretical",
					 l ? "; " : "", fit->label, gr_precision_name(m.prec));
		}
	}

	/* the rate of bytes kept on chip: the largest on-chip level that gives a bandwidth, else
	 * estimator.on_chip_ops_per_byte of peak (as pick_level) */
	onchip = (level_pick){"on_chip", eff_peak / ep.on_chip_ops_per_byte, ep.pj_per_byte_on_chip, 0};
	for (size_t l = 0; levels.ok && l < levels.n; l++)
		if (!levels.lv[l].is_dram)
			onchip = levels.lv[l];
	/* the algorithm the runtime runs its convolutions with at this precision on these cores */
	conv_path = otm_conv_path(gr_partition_rules(p), m.prec, hw);
	widen = otm_conv_widen(gr_partition_rules(p), m.prec, hw);
	cache_view_path(ec, conv_path, widen);
	/* graph compilers keep fused intermediates on chip: the per-op view says so */
	cv = rules->fused_memory ? cache_fused_view(ec) : &ec->cv;
	/* ncnn's int8 layers sit between float activations, whatever prices them: theoretical, a
	 * fit lent from the platform's float one or one transferred from another platform */
	if (m.prec == GR_PREC_INT8 && gr_partition_rules(p)->int8_float_io)
		int8_fb = otm_int8_float_bytes(hw);
	cv_base = cv;
	int8_bpe = cp ? cp->bytes_per_elem : ob.bytes_per_elem;
	if (int8_fb > 0 && (int8v.nodes = malloc((ec->g->n_nodes + 1) * sizeof(otm_node))) &&
	    (int8_passes = calloc(nk + 1, sizeof(double)))) {
		memcpy(int8v.nodes, cv->nodes, (ec->g->n_nodes + 1) * sizeof(otm_node));
		int8v.view_kernel = cv->view_kernel;
		if (otm_nodes_int8_float_io(ec->g, p, int8v.nodes, int8_bpe, int8_fb, int8_passes)) {
			free(int8v.nodes);
			free(int8_passes);
			int8v.nodes = NULL;
			int8_passes = NULL;
		} else {
			size_t l = strlen(e->note);
			cv = &int8v;
			snprintf(e->note + l, sizeof(e->note) - l, "%sint8 layers between %s activations, as %s "
				 "runs them", l ? "; " : "", int8_fb >= 4 ? "fp32" : "fp16", rules->name);
		}
	}
	/* activations held between layers: at the precision's bytes, or where ncnn's int8 rule
	 * gives them fb or int8, at what the same rule says (int8_io.c) */
	act_peak = cache_peak_activations(ec, scale);
	if (cv == &int8v) {
		double *obpe = malloc((ec->g->n_nodes + 1) * sizeof(double));
		if (obpe && gr_estimate_activation_bpe(ec->g, p, hw, m.prec, obpe))
			act_peak = peak_activations(ec->g, scale, obpe);
		free(obpe);
	}
	gr_onchip_init(&oc, hw, mode, &ep, act_peak);
	for (size_t i = 0; i < nk; i++) {
		const gr_kernel *k = gr_partition_kernel(p, i);
		gr_kernel_estimate *ke = &e->kernels[i];
		double streamed = 0, wbytes = k->elems_weights * gr_estimate_elem_bytes(m.prec);
		int unfit;
		double elems = rules->fused_memory ? k->elems_in + k->elems_weights + k->elems_out : k->elems_nodes;
		/* autocast keeps norms and softmax-like reductions in fp32 */
		int fp32_here = e->amp && (k->cls == GR_KC_NORM || k->cls == GR_KC_REDUCE);
		double bytes = elems * gr_estimate_elem_bytes(fp32_here ? GR_PREC_FP32 : m.prec);
		double peak = mp->peak(&m, k), eff = mp->efficiency(&m, k), edyn;
		/* eager ops run one after another: each one's own working set picks the level */
		double ws = rules->fused_memory ? bytes : k->elems_node_max * gr_estimate_elem_bytes(m.prec);
		if (cv == &int8v && bytes > 0) {
			double extra = int8_io_extra(p, cv_base, cv, i, int8_bpe);
			ws *= (bytes + extra) / bytes;
			bytes += extra;
		}
		level_pick lv = levels_pick(&levels, hw, mode, ws, eff_peak, &ep);
		/* Eager runtimes launch every op of a group separately; fused ones launch once. */
		double launches = rules->fused_memory ? 1.0 : (double)k->count;

		ke->kernel = k;
		ke->flops_time = k->flops_time[conv_path];
		ke->fast_tile = k->fast_tile[conv_path];
		ke->bytes = bytes;
		ke->efficiency = eff;
		ke->level = lv.name;
		ke->confidence = GR_CONF_THEORETICAL;
		ke->overhead_s = (launches + (int8_passes ? int8_passes[i] : 0)) * op_launch_us * 1e-6 +
				 group_launch_s(k, launch_us);
		if (gr_place_needs_host(hw, k, p, rules)) {
			ke->on_host = 1;
			ke->compute_s = gr_place_fallback_time(hw, mode, &ep, m.prec, k, ke->flops_time, bytes,
							       &ke->transfer_s);
			ke->bound = GR_BOUND_FALLBACK;
			e->host_fallback_kernels++;
			/* without DRAM or a link, the host is on the same chip and keeps its weights there */
			unfit = !oc.off_name && gr_onchip_stream(&oc, wbytes, 0) > 0;
		} else {
			double onchip_s;
			/* a kernel computing in a wider precision runs at its rate (otm_conv_widen) */
			ke->compute_s = peak > 0 && eff > 0 ? ke->flops_time *
				(gr_conv_path_widens(conv_path, k->cls, ke->fast_tile) ? widen : 1) / (peak * eff) : 0;
			ke->memory_s = bytes / (lv.bw * (lv.is_dram ? ep.mem_eff_dram : ep.mem_eff_cache));
			/* what does not fit on chip comes from DRAM or over the host link, every time */
			streamed = fmin(bytes, gr_onchip_stream(&oc, wbytes, fmax(0, bytes - wbytes)));
			unfit = streamed > 0 && !oc.off_name;
			if (streamed > 0 && oc.off_name && strcmp(lv.name, oc.off_name)) {
				onchip_s = (bytes - streamed) / (lv.bw * (lv.is_dram ? ep.mem_eff_dram : ep.mem_eff_cache));
				ke->memory_s = onchip_s + streamed / oc.off_bw;
				if (streamed / oc.off_bw > onchip_s)
					ke->level = oc.off_name;
			} else if (oc.residency && oc.capacity > 0 && oc.off_name && !strcmp(lv.name, oc.off_name) &&
				   bytes - wbytes <= oc.capacity) {
				/* activations that fit on chip, where the on-chip level gives no bandwidth or
				 * the weights made DRAM the pick: on chip at the on-chip rate, streamed weights
				 * at DRAM's (activations that do not fit all come from DRAM, as picked) */
				onchip_s = (bytes - streamed) / (onchip.bw * ep.mem_eff_cache);
				ke->memory_s = onchip_s + streamed / oc.off_bw;
				ke->level = streamed / oc.off_bw > onchip_s ? oc.off_name : onchip.name;
				lv.pj = onchip.pj;
			} else {
				streamed = 0; /* the level picked is where it streams from: counted already */
			}
			ke->bound = ke->compute_s >= ke->memory_s ? GR_BOUND_COMPUTE : GR_BOUND_MEMORY;
		}
		if (unfit) {
			does_not_fit(cache_totals(ec), hw, &oc, &m, err);
			free(int8v.nodes);
			free(int8_passes);
			gr_estimate_free(e);
			return GR_ERR_UNSUPPORTED;
		}
		ke->latency_s = fmax(ke->compute_s, ke->memory_s) + ke->transfer_s + ke->overhead_s;
		if (ke->overhead_s > fmax(ke->compute_s, ke->memory_s) && !ke->on_host)
			ke->bound = GR_BOUND_OVERHEAD;
		if (cp && !ke->on_host) {
			ke->confidence = fitted_kernel(cp, &ob, ec, cv, i, batch, launch_us, ke);
			/* its latency and bound follow in raise_kernel */
			if (ke->confidence == GR_CONF_THEORETICAL && !rules->fused_memory)
				ke->overhead_s = theoretical_overhead(cp, ec, cv, i, launch_us, op_launch_us) +
						 (int8_passes ? int8_passes[i] : 0) * op_launch_us * 1e-6;
			/* ncnn's int8 passes are layer dispatches: each at the fitted cost of one */
			if (ke->confidence != GR_CONF_THEORETICAL && int8_passes && int8_passes[i] > 0) {
				double x = int8_passes[i] * fitted_kernel_launch_s(cp, ec, i);
				ke->overhead_s += x;
				ke->latency_s += x;
			}
			if (ke->confidence != GR_CONF_THEORETICAL)
				n_calibrated++;
			/* a borrowed fit is never better than "transferred", in range or not */
			if (ke->confidence != GR_CONF_THEORETICAL && (fit->borrowed_from[0] || cp == &own_borrow))
				ke->confidence = GR_CONF_TRANSFERRED;
			/* a class of its own profile borrowed from a related one: name the donor */
			if (ke->confidence == GR_CONF_TRANSFERRED && !e->borrowed_from)
				e->borrowed_classes = (e->borrowed_from = kernel_borrowed_class(cp, ec, i)) != NULL;
		}
		if (!ke->on_host) {
			double fl[2];
			kernel_floor(&ob, p, cv, i, rules->fused_memory, bytes, fl);
			raise_kernel(ke, fl);
			/* fitted kernels: the share of the physical compute floor they reach (at most 1) */
			if (ke->confidence != GR_CONF_THEORETICAL)
				ke->efficiency = ke->compute_s > 0 ? fl[0] / ke->compute_s : 0;
		}
		edyn = (pj_op * k->flops + lv.pj * bytes) * 1e-12;
		if (streamed > 0)
			edyn = (pj_op * k->flops + lv.pj * (bytes - streamed) + oc.off_pj * streamed) * 1e-12;
		if (tdp > idle && edyn > (tdp - idle) * ke->latency_s)
			edyn = (tdp - idle) * ke->latency_s; /* cannot draw more than the power budget */
		ke->energy_j = edyn + idle * ke->latency_s;
		if (cp && cp->has_energy && ke->confidence != GR_CONF_THEORETICAL) {
			ke->energy_j = (cp->pj_per_flop * k->flops + cp->pj_per_byte * bytes) * 1e-12 +
				       cp->static_w * ke->latency_s;
			e->energy_fitted_j += ke->energy_j;
		}

		e->latency_s += ke->latency_s;
		e->compute_s += ke->compute_s;
		e->memory_s += ke->memory_s;
		e->overhead_s += ke->overhead_s;
		e->energy_j += ke->energy_j;
		e->flops += k->flops;
		e->bytes += bytes;
		e->params += k->params;
		e->unknown_ops += (size_t)k->unknown_ops;
		e->confidence_share[ke->confidence] += ke->latency_s;
	}
	/* per-request cost of the runtime/driver (submitting the graph, syncing); a profile's
	 * per-kernel and per-op costs already hold what the measurements saw of it */
	if (!n_calibrated) {
		if (ep.branch_overlap > 0)
			offpath_overlap(e, ec, 1 - ep.branch_overlap, 1);
		tin.dispatch_s = ep.dispatch_us * 1e-6;
		e->overhead_s += ep.dispatch_us * 1e-6;
		e->latency_s += ep.dispatch_us * 1e-6;
		e->confidence_share[GR_CONF_THEORETICAL] += ep.dispatch_us * 1e-6;
	} else {
		if (cp->has_offpath && cp->offpath_factor < 1)
			offpath_overlap(e, ec, cp->offpath_factor, 0);
		/* a fitted per-request cost (fits to published figures) */
		tin.dispatch_s = cp->request_s;
		e->overhead_s += cp->request_s;
		e->latency_s += cp->request_s;
		e->confidence_share[GR_CONF_CALIBRATED] += cp->request_s;
	}
	if (cp && ep.pipeline_dataflow) {
		double wb = (double)cache_totals(ec)->params * gr_estimate_elem_bytes(m.prec);
		dataflow_costs(e, cp, &oc, hw, batch, wb,
			       otm_dataflow_memory(p, batch, wb, gr_estimate_elem_bytes(m.prec)), &tin);
	}
	if (oc.streamed > 0 && oc.off_is_link) {
		size_t l = strlen(e->note);
		snprintf(e->note + l, sizeof(e->note) - l, "%s%.1f MiB of weights and activations do not fit "
			 "in the %.1f MiB on chip and cross the host link on every inference", l ? "; " : "",
			 oc.streamed / MIB, oc.capacity / MIB);
	}
	e->io_transfer_s = io_transfer(g, hw, scale);
	e->latency_s += e->io_transfer_s;
	e->energy_j += idle * e->io_transfer_s;
	e->confidence_share[GR_CONF_THEORETICAL] += e->io_transfer_s;
	for (int c = 0; c < GR_CONF_COUNT; c++)
		e->confidence_share[c] = e->latency_s > 0 ? e->confidence_share[c] / e->latency_s : 0;
	/* a whole model carries the weakest confidence of its parts that hold 5% of its latency or
	 * more: a host-link copy or a few unfitted ops cannot move the total past that */
	if (e->latency_s > 0)
		e->confidence = GR_CONF_CALIBRATED;
	for (int c = GR_CONF_COUNT - 1; c >= 0; c--)
		if (e->confidence_share[c] >= 0.05) {
			e->confidence = (gr_confidence)c;
			break;
		}
	/* views and folded shape arithmetic hold no parameters, but count them all the same */
	e->params = cache_totals(ec)->params;
	e->unknown_ops = cache_totals(ec)->unknown_ops;
	e->weight_bytes = (double)e->params * gr_estimate_elem_bytes(m.prec);
	e->peak_activation_bytes = act_peak;
	e->workspace_bytes = 0; /* im2col and cuDNN workspaces are runtime choices: not modeled yet */
	e->peak_memory_bytes = e->weight_bytes + e->peak_activation_bytes + e->workspace_bytes;
	if (oc.streamed > 0 && oc.off_bw > 0) {
		tin.streamed_s = oc.streamed / oc.off_bw;
		tin.streamed_over_link = oc.off_is_link;
	}
	free(int8v.nodes);
	free(int8_passes);
	tin.fitted = n_calibrated > 0;
	gr_throughput_model(e, hw, mode, &ep, &tin);
	if (cp)
		otm_apply_energy_fit(e, cp);
	*out = e;
	return GR_OK;
}

double gr_estimate_throughput_per_s(const gr_estimate *e, int64_t batch)
{
	double t;

	if (!e || batch <= 0)
		return 0;
	/* an estimate not made by gr_estimate_run (no steady state): one request after another */
	t = e->period_s > 0 ? e->period_s : e->latency_s;
	return t > 0 ? (double)batch / t : 0;
}

void gr_estimate_free(gr_estimate *e)
{
	if (!e)
		return;
	free(e->kernels);
	free(e);
}
