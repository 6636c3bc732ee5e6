/* The fitted per-op time model: op classes, an op's features, and its predicted time and
 * confidence under a fit (see op_time_model.h for the formula and docs/calibrate.md for why). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/graph_impl.h"
#include "estimation/op_time_model.h"

/* Fewer ops of a class than this in the fitted rows: predictions are only "interpolated". */
#define SPARSE_POINTS 5

/* Workers of PyTorch's batch-split fallback kernels that the CF_PAR* terms stand for. */
static const double par_workers[3] = {4, 8, 16};

const char *gr_op_class_name(int cls)
{
	if (cls == GR_OP_CLASS_VIEW)
		return "view";
	if (cls == GR_OP_CLASS_GLOBAL_POOL)
		return "global_pool";
	if (cls < 0 || cls >= GR_KC_COUNT)
		return "?";
	return gr_kernel_class_name((gr_kernel_class)cls);
}

/* The partitioner's classes (src/transform/fusion.c) for single ops, with views and global
 * pooling kept apart because their costs differ from the class they would join. */
int gr_op_class_of(const gr_node *n)
{
	if (n->op == GR_OP_SHAPE || n->op == GR_OP_SIZE || n->op == GR_OP_CONSTANT ||
	    n->op == GR_OP_CONSTANT_OF_SHAPE || gr_node_is_folded(n))
		return -1;
	if (gr_node_is_view(n))
		return CC_VIEW;
	if (n->op == GR_OP_GLOBAL_AVERAGE_POOL || n->op == GR_OP_GLOBAL_MAX_POOL ||
	    n->op == GR_OP_GLOBAL_LP_POOL)
		return CC_GPOOL;
	return gr_node_kernel_class(n);
}

/* The independent reductions of a softmax, layer norm or Reduce* op: its input's elements over
 * the extent it reduces (softmax: its axis; layer norm: the dims from its axis on; Reduce*: its
 * output's elements); 0 for every other op or an unknown shape. */
static double reduction_rows(const gr_node *n)
{
	const gr_tensor *x = n->n_in ? n->in[0] : NULL, *y = n->n_out ? n->out[0] : NULL;
	int64_t axis, red = 1;

	if (!x || gr_numel(x) <= 0 || !x->rank)
		return 0;
	switch (n->op) {
	case GR_OP_SOFTMAX: case GR_OP_LOG_SOFTMAX: case GR_OP_LAYER_NORMALIZATION:
		axis = gr_attr_int(n, "axis", -1);
		if (axis < 0)
			axis += x->rank;
		if (axis < 0 || axis >= x->rank)
			return 0;
		for (int64_t d = axis; d < (n->op == GR_OP_LAYER_NORMALIZATION ? x->rank : axis + 1); d++)
			red *= x->dims[d].value > 0 ? x->dims[d].value : 1;
		return (double)gr_numel(x) / (double)red;
	case GR_OP_REDUCE_SUM: case GR_OP_REDUCE_MEAN: case GR_OP_REDUCE_MAX: case GR_OP_REDUCE_MIN:
	case GR_OP_REDUCE_PROD: case GR_OP_REDUCE_L1: case GR_OP_REDUCE_L2: case GR_OP_REDUCE_LOG_SUM:
	case GR_OP_REDUCE_LOG_SUM_EXP: case GR_OP_REDUCE_SUM_SQUARE:
		return y && gr_numel(y) > 0 && gr_numel(y) < gr_numel(x) ? (double)gr_numel(y) : 0;
	default:
		return 0;
	}
}

void otm_node_from(const gr_node *n, otm_node *out)
{
	memset(out, 0, sizeof(*out));
	out->cls = gr_op_class_of(n);
	out->flops = n->cost.flops > 0 ? n->cost.flops : 0;
	out->group_width = gr_node_group_width(n);
	for (size_t i = 0; i < n->n_in; i++) {
		const gr_tensor *t = n->in[i];
		double e;
		if (!t)
			continue;
		e = gr_numel(t) > 0 ? (double)gr_numel(t) : 0;
		if (gr_tensor_is_weight(t))
			out->ew += e;
		else if (!(t->has_value && !t->producer))
			out->ein += e;
	}
	for (size_t o = 0; o < n->n_out; o++)
		if (n->out[o])
			out->eo += gr_numel(n->out[o]) > 0 ? (double)gr_numel(n->out[o]) : 0;
	if (out->cls == CC_VIEW) /* views move no data: only their dispatch counts */
		out->flops = out->ein = out->ew = out->eo = 0;
	else if (n->op == GR_OP_SLICE && out->ein > out->eo)
		out->ein = out->eo; /* a slice reads only the elements it copies, not its whole input */
	out->rows = reduction_rows(n);
	/* a product of two activations: the matrices of its batch dims (heads, windows, frames) */
	if (out->cls == GR_KC_MATMUL && n->n_out && n->out[0] && n->out[0]->rank >= 2 && gr_numel(n->out[0]) > 0) {
		const gr_tensor *y = n->out[0];
		double mn = (double)y->dims[y->rank - 1].value * (double)y->dims[y->rank - 2].value;
		out->matrices = mn > 0 ? (double)gr_numel(y) / mn : 0;
	}
}

int otm_nodes_fuse(const gr_graph *g, const gr_partition *p, otm_node *nodes)
{
	size_t n = g->n_nodes, nk = gr_partition_count(p);
	double *live = malloc((n + 2) * sizeof(double)), peak = 0, weights = 0;
	int *kof = malloc((n + 1) * sizeof(int));

	if (!live || !kof) {
		free(live);
		free(kof);
		return -1;
	}
	/* live bytes with float tensors at one byte each: elements, as the nodes count them */
	gr_estimate_live_bytes(g, 0.25, live);
	for (size_t i = 0; i < n; i++) {
		kof[i] = -1;
		peak = fmax(peak, live[i]);
		if (nodes[i].cls >= 0)
			weights += nodes[i].ew;
	}
	for (size_t k = 0; k < nk; k++) {
		const gr_kernel *kr = gr_partition_kernel(p, k);
		for (size_t j = 0; j < kr->count; j++)
			kof[gr_partition_node(p, kr, j)->index] = (int)k;
	}
	for (size_t i = 0; i < n; i++) {
		nodes[i].fused = 1;
		nodes[i].foot = weights + peak;
		nodes[i].ws = live[i];
	}
	for (size_t k = 0; k < nk; k++) {
		const gr_kernel *kr = gr_partition_kernel(p, k);
		double ws = 0;
		for (size_t j = 0; j < kr->count; j++)
			ws = fmax(ws, live[gr_partition_node(p, kr, j)->index]);
		for (size_t j = 0; j < kr->count; j++) {
			const gr_node *nd = gr_partition_node(p, kr, j);
			otm_node *o = &nodes[nd->index];
			o->ws = ws;
			if (o->cls == CC_VIEW)
				continue;
			o->ein = o->eo = 0;
			for (size_t a = 0; a < nd->n_in; a++) {
				const gr_tensor *t = nd->in[a];
				if (!t || t->is_initializer || (t->has_value && !t->producer))
					continue;
				if (t->producer && t->producer->owner == g && kof[t->producer->index] == (int)k)
					continue; /* made inside the group: never leaves the chip */
				o->ein += gr_numel(t) > 0 ? (double)gr_numel(t) : 0;
			}
			if (nd->op == GR_OP_SLICE) { /* as otm_node_from: only what it copies */
				double eo = 0;
				for (size_t a = 0; a < nd->n_out; a++)
					eo += nd->out[a] && gr_numel(nd->out[a]) > 0 ? (double)gr_numel(nd->out[a]) : 0;
				o->ein = fmin(o->ein, eo);
			}
			for (size_t a = 0; a < nd->n_out; a++) {
				const gr_tensor *t = nd->out[a];
				int outside = !t ? 0 : t->is_output || !t->n_consumers;
				for (size_t c = 0; t && c < t->n_consumers && !outside; c++)
					outside = kof[t->consumers[c]->index] != (int)k;
				if (outside)
					o->eo += gr_numel(t) > 0 ? (double)gr_numel(t) : 0;
			}
		}
	}
	free(live);
	free(kof);
	return 0;
}

void otm_node_split(const otm_node *n, double bpe, double cap, double *on, double *off)
{
	double a = (n->ein + n->eo) * bpe, w = n->ew * bpe, ws = n->ws * bpe, share;
	int resident;

	if (!n->fused || cap <= 0) {
		*on = a + w;
		*off = 0;
		return;
	}
	/* live activations that do not fit all come from DRAM and go back: the level holding the
	 * whole working set, as every memory bound (docs/estimate.md, "Physical bounds") */
	share = ws > cap ? 1 : 0;
	/* weights stay on chip between inferences only when all of them fit beside the activations */
	resident = n->foot * bpe <= cap;
	*on = a * (1 - share) + (resident ? w : 0);
	*off = a * share + (resident ? 0 : w);
}

void otm_node_features(const otm_node *n, double bpe, int64_t batch, double llc, int emulated,
		       double group_tile_n, double f[CF_COUNT], double g[CG_COUNT])
{
	double b = (n->ein + n->ew + n->eo) * bpe, per_image, b3, l3, share;
	double flops = n->flops * gr_group_conv_scale(n->group_width, group_tile_n);

	if (batch < 1)
		batch = 1;
	per_image = flops / (double)batch;
	f[CF_OP] = 1.0;
	f[CF_FLOPS] = flops;
	f[CF_BYTES] = b;
	f[CF_WEIGHTS] = n->ew;
	f[CF_ROWS] = n->rows;
	for (int i = 0; i < 3; i++)
		f[CF_PAR4 + i] = emulated ? per_image * fmax(1.0, (double)batch / par_workers[i]) : 0;
	/* activations: the share of the op's traffic beyond the last-level cache (a smooth step,
	 * so that sizes near the cache are in between); weights: a tensor larger than the cache
	 * streams from DRAM on every call */
	b3 = b * b * b;
	l3 = llc * llc * llc;
	share = llc > 0 && b > 0 ? b3 / (b3 + l3) : 0;
	memset(g, 0, CG_COUNT * sizeof(double));
	g[CG_SPILL] = (n->ein + n->eo) * bpe * share;
	g[CG_WSPILL] = llc > 0 && n->ew * bpe > llc ? n->ew * bpe - llc : 0;
	g[CG_ALLOC] = n->eo * bpe;
	g[CG_CALL] = 1.0;
	if (n->fused && llc > 0) {
		/* a graph compiler's op: bytes on chip at its class's rate, the rest from DRAM */
		double on, off, w = n->ew * bpe;
		otm_node_split(n, bpe, llc, &on, &off);
		f[CF_BYTES] = on;
		g[CG_WSPILL] = n->foot * bpe <= llc ? 0 : w;
		g[CG_SPILL] = fmax(0, off - g[CG_WSPILL]);
	}
}

double otm_node_time(const otm_prec *cp, const otm_node *n, int64_t batch, double parts[3])
{
	double f[CF_COUNT], g[CG_COUNT], t[3] = {0, 0, 0};
	const otm_class *c;

	if (n->cls < 0 || !cp->cls[n->cls].fitted) {
		if (parts)
			parts[0] = parts[1] = parts[2] = 0;
		return 0;
	}
	c = &cp->cls[n->cls];
	otm_node_features(n, cp->bytes_per_elem, batch, cp->llc_bytes, cp->emulated, cp->group_tile_n, f, g);
	if (cp->weights_resident)
		f[CF_BYTES] = fmax(0, f[CF_BYTES] - n->ew * cp->bytes_per_elem);
	t[2] = c->coef[CF_OP] * f[CF_OP] + c->coef[CF_ROWS] * f[CF_ROWS] + cp->glob[CG_CALL] * g[CG_CALL];
	t[0] = c->coef[CF_FLOPS] * f[CF_FLOPS] + cp->matrix_s * n->matrices;
	for (int i = CF_PAR4; i <= CF_PAR16; i++)
		t[0] += c->coef[i] * f[i];
	t[1] = c->coef[CF_BYTES] * f[CF_BYTES] + c->coef[CF_WEIGHTS] * f[CF_WEIGHTS] +
	       cp->glob[CG_SPILL] * g[CG_SPILL] + cp->glob[CG_WSPILL] * g[CG_WSPILL] + cp->glob[CG_ALLOC] * g[CG_ALLOC];
	if (parts)
		memcpy(parts, t, sizeof(t));
	return t[0] + t[1] + t[2];
}

gr_confidence otm_node_confidence(const otm_prec *cp, const otm_node *n, int64_t batch)
{
	const otm_class *c;
	double b;

	if (n->cls < 0)
		return GR_CONF_CALIBRATED; /* not executed: nothing to be unsure about */
	c = &cp->cls[n->cls];
	if (!c->fitted)
		return GR_CONF_THEORETICAL;
	if (c->borrowed_from[0])
		return GR_CONF_TRANSFERRED;
	if (c->points < SPARSE_POINTS)
		return GR_CONF_INTERPOLATED;
	b = (n->ein + n->ew + n->eo) * cp->bytes_per_elem;
	/* 1% slack: the same layer at another batch must not fall out for rounding */
	if (n->flops < c->f_min * 0.99 || n->flops > c->f_max * 1.01 || b < c->b_min * 0.99 ||
	    b > c->b_max * 1.01 || batch < c->batch_min || batch > c->batch_max)
		return GR_CONF_INTERPOLATED;
	return GR_CONF_CALIBRATED;
}

int otm_same_target(const gr_op_time_model *m, const gr_hw *hw, int mode, const char *runtime)
{
	const char *mname = mode >= 0 ? gr_hw_mode_name(hw, (size_t)mode) : "";

	if (!m || strcmp(m->hw, gr_hw_id(hw)) || strcmp(m->mode, mname ? mname : ""))
		return 0;
	return !runtime || !strcmp(runtime, m->runtime);
}

const otm_prec *otm_applicable(const gr_op_time_model *m, const gr_hw *hw, int mode, gr_precision prec,
			       const char *runtime)
{
	if (!m || (unsigned)prec >= GR_PREC_COUNT || !m->prec[prec].present)
		return NULL;
	return otm_same_target(m, hw, mode, runtime) ? &m->prec[prec] : NULL;
}

/* --- physical bounds ----------------------------------------------------------------------- */

static double precision_bits(gr_precision p)
{
	static const double bits[] = {
#define GR_PREC_BITS_(e, s, b) b,
		GR_PRECISION_LIST(GR_PREC_BITS_)
#undef GR_PREC_BITS_
	};
	/* tf32 values live in 32-bit lanes: only the multipliers are narrower */
	return p == GR_PREC_TF32 ? 32 : (unsigned)p < GR_PREC_COUNT ? bits[p] : 32;
}

int otm_class_is_matrix(int cls)
{
	return cls == GR_KC_CONV || cls == GR_KC_DWCONV || cls == GR_KC_GEMM || cls == GR_KC_MATMUL ||
	       cls == GR_KC_ATTENTION || cls == GR_KC_RNN;
}

int otm_conv_path(const gr_fusion_rules *r, int prec, const gr_hw *hw)
{
	int f = gr_hw_isa_all(hw, GR_HW_ISA_DOTPROD) ? GR_CONV_FEAT_DOTPROD : 0;

	if (gr_hw_get_class(hw) == GR_HW_CPU && gr_hw_get_isa_family(hw) == GR_HW_ISA_FAMILY_X86_64)
		f |= GR_CONV_FEAT_X86;
	return gr_conv_path_of(r, prec, f);
}

double otm_conv_widen(const gr_fusion_rules *r, int prec, const gr_hw *hw)
{
	int a = gr_conv_path_arith(otm_conv_path(r, prec, hw));
	/* peaks at the default mode: a mode scales every precision alike */
	double p = gr_hw_peak_ops(hw, -1, (gr_precision)prec), w = a >= 0 ? gr_hw_peak_ops(hw, -1, a) : 0;

	return p > 0 && w > 0 && w < p ? p / w : 1.0;
}

/* A depthwise convolution has no reduction over input channels: nothing to feed a dot-product
 * or tile instruction. CPU kernels run it with per-lane multiply-accumulates on the vector lanes
 * (XNNPACK's qs8-dwconv: widening vmull_s8/vmlal_s8, not SDOT/SMMLA; fp: FMLA), GPUs on their
 * CUDA cores (CUTLASS's depthwise conv is SIMT only; PyTorch's cuDNN depthwise kernels use no
 * tensor cores). NPUs, TPUs, DSPs and MCUs with MAC arrays feed it to the array (at low use). */
int otm_class_on_matrix_engine(int cls, const gr_hw *hw)
{
	if (cls == GR_KC_DWCONV && hw) {
		gr_hw_class c = gr_hw_get_class(hw);
		if (c == GR_HW_CPU || c == GR_HW_GPU)
			return 0;
	}
	return otm_class_is_matrix(cls);
}

int otm_related_class(int c)
{
	switch (c) {
	case GR_KC_DWCONV: return GR_KC_CONV;
	case GR_KC_GEMM: return GR_KC_CONV;
	case GR_KC_MATMUL: case GR_KC_ATTENTION: case GR_KC_RNN: return GR_KC_GEMM;
	case GR_KC_POOL: case GR_KC_NORM: case GR_KC_REDUCE: case GR_KC_MOVE: case CC_GPOOL:
		return GR_KC_ELEMENTWISE;
	default: return -1;
	}
}

static void levels_read(otm_bounds *b);

/* The peaks at prec of the vector lanes and of the matrix engine (0: the platform cannot run it). */
static void precision_peaks(const gr_hw *hw, int mode, gr_precision prec, double *vec, double *mat)
{
	double fp32 = gr_hw_peak_ops(hw, mode, GR_PREC_FP32), tf32 = gr_hw_peak_ops(hw, mode, GR_PREC_TF32);
	double p = gr_hw_peak_ops(hw, mode, prec), bits = precision_bits(prec);
	int wide = prec == GR_PREC_FP32;

	*vec = *mat = 0;
	if (!gr_hw_precision_native(hw, prec)) {
		if (gr_hw_emulation_factor(hw, prec) <= 0)
			return; /* the platform cannot run it: no bound to give */
		/* emulated: values are widened and computed on the fp32 lanes, never faster than fp32
		 * (the emulation factor is a typical slowdown, not a bound) */
		p = fp32;
		bits = 32;
		wide = 1;
	}
	/* Vector work runs on the general-purpose lanes: the fp32 rate, with narrower types packed
	 * (two fp16 or four int8 per 32-bit lane) but never beyond the precision's own peak, and
	 * never below fp32 (narrow values can always be widened). Wider types: their own peak. */
	if (fp32 <= 0 || bits > 32)
		*vec = p;
	else
		*vec = fmax(fp32, fmin(fp32 * 32.0 / bits, p > 0 ? p : fp32));
	/* Matrix work gets the precision's peak; fp32 may run as TF32 where the platform has it
	 * (PyTorch convolutions, TensorRT and ONNX Runtime on tensor cores do by default). */
	*mat = fmax(p, *vec);
	if (wide && tf32 > *mat)
		*mat = tf32;
}

double otm_vector_peak(const gr_hw *hw, int mode, gr_precision prec)
{
	double vec, mat;
	precision_peaks(hw, mode, prec, &vec, &mat);
	return vec;
}

void otm_bounds_init(otm_bounds *b, const gr_hw *hw, int mode, gr_precision prec)
{
	int64_t all = gr_hw_units(hw, -1), on = gr_hw_units(hw, mode);

	memset(b, 0, sizeof(*b));
	b->hw = hw;
	b->mode = mode;
	b->onchip_cap = hw ? otm_llc_bytes(hw) : 0;
	b->dram_bw = hw ? gr_hw_dram_bandwidth(hw, mode) : 0;
	b->bytes_per_elem = gr_estimate_elem_bytes(prec);
	b->unit_share = all > 0 && on > 0 && on < all ? (double)on / (double)all : 1.0;
	levels_read(b);
	precision_peaks(hw, mode, prec, &b->peak_vector, &b->peak_matrix);
}

double otm_bounds_peak(const otm_bounds *b, int cls)
{
	if (cls < 0)
		return 0;
	return otm_class_on_matrix_engine(cls, b->hw) ? b->peak_matrix : b->peak_vector;
}

/* The levels as otm_bounds_bandwidth sees them: capacity (per-unit caches of units switched off
 * hold nothing), bandwidth (a level without a figure is no faster than the level inside it). */
static void levels_read(otm_bounds *b)
{
	size_t n = b->hw ? gr_hw_mem_count(b->hw) : 0;
	double inner = 0;

	b->n_lv = n <= sizeof(b->lv) / sizeof(b->lv[0]) ? 0 : -1;
	for (size_t i = 0; b->n_lv >= 0 && i < n; i++) {
		gr_hw_mem_info mi;
		struct otm_level *l = &b->lv[b->n_lv];
		if (gr_hw_mem_at(b->hw, b->mode, i, &mi) || !strcmp(mi.level, "host"))
			continue;
		l->cap = (double)mi.size_bytes * (double)(mi.instances > 0 ? mi.instances : 1);
		if (mi.scope && !strcmp(mi.scope, "per_unit"))
			l->cap *= b->unit_share;
		l->bw = mi.bandwidth_bytes_s > 0 ? mi.bandwidth_bytes_s : inner;
		if (mi.bandwidth_bytes_s > 0)
			inner = mi.bandwidth_bytes_s;
		l->name = mi.level;
		l->size_unknown = mi.size_bytes <= 0;
		b->n_lv++;
	}
}

double otm_bounds_bandwidth(const otm_bounds *b, double ws, const char **level)
{
	if (b->n_lv >= 0 && b->hw) {
		/* the scan below over the levels read at init */
		for (int i = 0; i < b->n_lv; i++)
			if (b->lv[i].size_unknown || ws <= b->lv[i].cap) {
				if (level)
					*level = b->lv[i].name;
				return b->lv[i].bw;
			}
		if (level)
			*level = b->n_lv ? b->lv[b->n_lv - 1].name : NULL;
		return b->n_lv ? b->lv[b->n_lv - 1].bw : 0;
	}
	size_t n = b->hw ? gr_hw_mem_count(b->hw) : 0;
	double inner = 0, last = 0;
	const char *last_name = NULL;

	if (level)
		*level = NULL;
	for (size_t i = 0; i < n; i++) {
		gr_hw_mem_info mi;
		double cap, bw;
		if (gr_hw_mem_at(b->hw, b->mode, i, &mi) || !strcmp(mi.level, "host"))
			continue;
		cap = (double)mi.size_bytes * (double)(mi.instances > 0 ? mi.instances : 1);
		if (mi.scope && !strcmp(mi.scope, "per_unit"))
			cap *= b->unit_share; /* caches of units switched off in the mode hold nothing */
		/* a level without a figure is no faster than the level inside it */
		bw = mi.bandwidth_bytes_s > 0 ? mi.bandwidth_bytes_s : inner;
		if (mi.bandwidth_bytes_s > 0)
			inner = mi.bandwidth_bytes_s;
		last = bw;
		last_name = mi.level;
		/* a level of unknown size might hold anything: the bound must not be tighter */
		if (mi.size_bytes <= 0 || ws <= cap) {
			if (level)
				*level = mi.level;
			return bw;
		}
	}
	if (level)
		*level = last_name;
	return last;
}

void otm_node_floor(const otm_bounds *b, const otm_node *n, double floor[2])
{
	double bytes = (n->ein + n->ew + n->eo) * b->bytes_per_elem, peak, bw, on, off;

	floor[0] = floor[1] = 0;
	if (n->cls < 0)
		return;
	peak = otm_bounds_peak(b, n->cls);
	if (peak > 0)
		floor[0] = n->flops / peak;
	if (n->fused && b->onchip_cap > 0) {
		/* on-chip bytes at the level holding the group's live set, the rest at DRAM */
		otm_node_split(n, b->bytes_per_elem, b->onchip_cap, &on, &off);
		bw = on > 0 ? otm_bounds_bandwidth(b, fmin(n->ws * b->bytes_per_elem, b->onchip_cap), NULL) : 0;
		if (bw > 0)
			floor[1] = on / bw;
		if (off > 0 && b->dram_bw > 0)
			floor[1] += off / b->dram_bw;
		return;
	}
	bw = bytes > 0 ? otm_bounds_bandwidth(b, bytes, NULL) : 0;
	if (bw > 0)
		floor[1] = bytes / bw;
}

int otm_raise_to_floor(const double floor[2], double parts[3])
{
	/* a relative slack keeps coefficients fitted exactly at their bound from counting as raised */
	const double slack = 1 - 1e-6;
	int raised = 0;
	double total;

	if (parts[0] < floor[0] * slack) {
		parts[0] = floor[0];
		raised = 1;
	}
	total = parts[0] + parts[1] + parts[2];
	if (total < floor[1] * slack) {
		parts[1] += floor[1] - total;
		raised = 1;
	}
	return raised;
}

double otm_dataflow_memory(const gr_partition *p, int64_t batch, double weight_bytes, double elem_bytes)
{
	double act = 0;

	for (size_t i = 0; i < gr_partition_count(p); i++)
		act += gr_partition_kernel(p, i)->elems_out;
	return weight_bytes + act * elem_bytes / (double)(batch > 0 ? batch : 1);
}
