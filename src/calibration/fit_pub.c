/* Fitting from published whole-model figures (data/published): per platform, mode, runtime and
 * precision a table gives 4-25 models, each at a batch or two, as latency or as steady-state
 * throughput. That is too little for the per-class fit of fit.c, so the time model is held to
 * the platform's physics and only a few numbers are fitted (docs/published.md):
 *   s/FLOP of class c  = alpha / peak of c's engine       (alpha >= 1: compute efficiency 1/alpha)
 *   s/byte of class c  = beta / bandwidth of the level holding c's working sets (beta >= 1)
 *   per kernel launched = kappa, per op dispatched = omega (eager runtimes only)
 *   dataflow devices (estimator.pipeline.dataflow): per frame on the host link = phi, and
 *   contexts: one holds 1/rho bytes of weights and buffered activations (rho = 0: any network
 *   fits) and 1/lambda layers (lambda = 0: no limit); a network in several contexts pays per
 *   request sigma per switch, mu per layer configured, gamma frames of work to fill the
 *   pipelines and its weights at the link's or DRAM's bandwidth (estimate.c, dataflow_costs);
 *   depthwise convolutions at 1/alpha_dw of peak (alpha_dw >= 1, the grouped model's factor
 *   too: one input channel per output leaves the MAC array's input-channel lanes idle), nu per
 *   matrix of a product of two activations (attention's heads and windows); bytes (activations
 *   only: weights stay beside their layers) are at 1/beta of the on-chip rate
 *   the estimator assumes for them (estimator.on_chip_ops_per_byte), as the chip keeps its
 *   activations between layers on chip
 * A linear NNLS on the rows gives the start (throughput rows enter it as batch/FPS); the
 * result is then refined on the real objective, each row predicted through the estimator with
 * its own metric (latency, or gr_estimate_throughput_per_s), so that pipelining, host links and
 * physical floors the estimator applies are what the fit sees. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibration/calib_impl.h"
#include "core/graph_impl.h"

enum { P_ALPHA, P_BETA, P_KERNEL, P_OP, NL, P_FRAME = NL, P_RHO, P_SWITCH,
       /* dataflow (Hailo): layers one context places, pipeline fill, per-layer configuration,
	* per matrix of a product of two activations */
       P_LAYERS, P_FILL, P_LSWITCH, P_MATRIX,
       /* depthwise convs' compute factor (grouped and dataflow models: one input channel per
	* output leaves a MAC array's input-channel lanes idle); then the grouped model's (every
	* platform but dataflow ones): compute factors of vector ops and of matmuls of two
	* activations, a DRAM factor apart from the on-chip one, a cost per request, the share of
	* off-critical-path kernels and a per-kernel cost per kernel group */
       P_ALPHA_DW, P_ALPHA_VEC, P_BETA_DRAM, P_REQ, P_OFF, P_ALPHA_MM, P_KG0,
       /* per harness (pub_harness): host time per step and per graph op that its timed step
	* holds besides the network (not part of estimates) */
       P_H0 = P_KG0 + OTM_KG_COUNT, NP = P_H0 + 2 * GR_HARNESS_MAX };

/* Weight of the pull of each fitted number towards its anchor (penalty()), per unit of
 * |log(fitted / anchor)|, against the sum of absolute log errors of the rows. Chosen by the
 * median of the worst leave-one-model-out error over the 39 non-Hailo published pairs, never on
 * one pair: 0: 36.5%, 0.1: 31.3%, 0.3: 25.3%, 0.5: 26.6%, 1: 26.3% (32.0% before groups).
 * The pull of the refinements towards what they refine at 0.1x, 0.33x, 1x, 3x, 30x this weight:
 * 37.6%, 34.5%, 25.3%, 25.5%, 26.1%. Without the overlap 25.9%, without the per-request cost
 * 29.7%, with on-chip bytes free where no bandwidth is known 26.9%, with the request cost's
 * reference capped at half the fastest published figure 27.0%. */
#define PUB_SHRINK 0.3

typedef struct pub_row {
	const gr_meas_row *r;
	calib_model *m;
	double y;                 /* the figure: seconds (latency) or inferences/s (throughput) */
	double x[NL];             /* linear features at alpha = beta = 1 */
	double wbytes;            /* the model's weight bytes */
	double held;              /* ... with its activations, as a dataflow chip holds them (contexts) */
	double x0;                /* the fixed part: weights streamed from DRAM */
	int harness;              /* 1 + index into pub_ctx.harness; 0: the network's own time */
	double ops;               /* the graph's ops (a harness's cost per op) */
} pub_row;

typedef struct pub_ctx {
	const gr_hw *hw;
	int mode;
	gr_precision prec;
	const char *runtime;
	int eager;
	int dataflow;             /* fits phi, rho, lambda, sigma, mu, gamma, delta too */
	int amp;                  /* the rows were published as amp (mixed precision) */
	otm_bounds ob;
	double peak[CC_COUNT], byte_lb[CC_COUNT]; /* per class: ops/s at peak, s/byte at its level */
	double wspill;
	double onchip_bw;         /* bytes/s the estimator assumes on a chip without bandwidths */
	int scratchpad;           /* estimator.on_chip_residency: the compiler fills the on-chip memory */
	int beta_assumed;         /* some class's bytes are bounded only by that assumed rate, in a
				   * scratchpad (caches without figures keep the pull: CPUs' got worse) */
	double frame_min;         /* the shortest per-frame time of the rows (phi's scale) */
	gr_op_time_model tm;      /* the model being fitted (its prec[prec] entry) */
	unsigned gen;             /* bumped whenever tm changes */
	const calib_model *last_m;
	unsigned last_gen;
	double last_lat, last_thr;
	pub_row *rows;
	size_t n;
	int grouped;              /* the grouped model (P_ALPHA_DW ... P_KG*) */
	int active[NP];           /* parameters the search moves */
	double ref[NP];           /* as-estimated values (0: no pull) */
	double shrink;
	double tfloor;            /* times below this count as this in the pull (a fitted 0) */
	gr_estimate_cache **ec;   /* per row: the estimator's graph-level work, shared by a model's rows */
	char harness[GR_HARNESS_MAX][96];
	int n_harness;
	double th_h[2 * GR_HARNESS_MAX]; /* the harnesses' costs in use (set_params) */
} pub_ctx;

/* The estimator's own values, which the fitted numbers are pulled towards (PUB_SHRINK). */
static void set_refs(pub_ctx *c, const gr_hw_estimator *ep, const gr_fusion_rules *rules)
{
	double launch = gr_op_launch_us(rules, ep) * 1e-6;
	memset(c->ref, 0, sizeof(c->ref));
	c->ref[P_ALPHA] = ep->efficiency[GR_KC_CONV] > 0 ? fmax(1, 1 / ep->efficiency[GR_KC_CONV]) : 0;
	c->ref[P_ALPHA_DW] = ep->efficiency[GR_KC_DWCONV] > 0 ? fmax(1, 1 / ep->efficiency[GR_KC_DWCONV]) : 0;
	c->ref[P_ALPHA_VEC] = ep->efficiency[GR_KC_ELEMENTWISE] > 0 ? fmax(1, 1 / ep->efficiency[GR_KC_ELEMENTWISE])
								   : 0;
	c->ref[P_BETA_DRAM] = ep->mem_eff_dram > 0 ? fmax(1, 1 / ep->mem_eff_dram) : 0;
	c->ref[P_BETA] = c->eager ? c->ref[P_BETA_DRAM] : ep->mem_eff_cache > 0 ? fmax(1, 1 / ep->mem_eff_cache) : 0;
	/* eager runtimes launch per op (op_s); the per-kernel costs have no reference: each group's
	 * is pulled towards the common one, which is free (pulling it towards the launch cost made
	 * no difference on any pair: the groups' pulls hold it) */
	c->ref[P_OP] = c->eager ? launch : 0;
	c->ref[P_REQ] = ep->dispatch_us * 1e-6;
	/* kernels off the critical path: in series unless the registry says branches overlap */
	c->ref[P_OFF] = 1 - ep->branch_overlap;
}

static void free_caches(pub_ctx *c)
{
	for (size_t i = 0; c->ec && i < c->n; i++)
		if (!i || c->ec[i] != c->ec[i - 1])
			gr_estimate_cache_free(c->ec[i]);
	free(c->ec);
	c->ec = NULL;
}

/* The harness a row's source names ("...; harness NAME", up to the next ';'), as 1 + its index
 * in c->harness (added when new); 0 for none, -1 when one fit would hold more than
 * GR_HARNESS_MAX. */
static int pub_harness(pub_ctx *c, const char *citation)
{
	const char *p = citation ? strstr(citation, "; harness ") : NULL;
	char name[sizeof(c->harness[0])];
	size_t l;
	if (!p)
		return 0;
	p += strlen("; harness ");
	l = strcspn(p, ";");
	while (l && p[l - 1] == ' ')
		l--;
	if (!l)
		return 0;
	snprintf(name, sizeof(name), "%.*s", (int)l, p);
	for (int h = 0; h < c->n_harness; h++)
		if (!strcmp(c->harness[h], name))
			return h + 1;
	if (c->n_harness == GR_HARNESS_MAX)
		return -1;
	snprintf(c->harness[c->n_harness++], sizeof(c->harness[0]), "%s", name);
	return c->n_harness;
}

static int row_excluded(const gr_meas_row *r, const gr_fit_opts *o, gr_precision prec, const char *runtime,
			const char *skip_model)
{
	return !r->published || r->precision != (int)prec || strcmp(r->hw, o->hw) ||
	       strcmp(r->runtime ? r->runtime : "", runtime) ||
	       (o->exclude_model && !strcmp(r->model, o->exclude_model)) ||
	       (skip_model && !strcmp(r->model, skip_model));
}

/* The class bounds from the coverage of the rows (fit.c's fit_bounds, per class). */
static void class_bounds(pub_ctx *c, const otm_prec *cp)
{
	for (int k = 0; k < CC_COUNT; k++) {
		double bw = cp->cls[k].points ? otm_bounds_bandwidth(&c->ob, cp->cls[k].b_min, NULL) : 0;
		c->peak[k] = otm_bounds_peak(&c->ob, k);
		if (bw <= 0 && (c->dataflow || c->grouped) && cp->cls[k].points && c->onchip_bw > 0) {
			bw = c->onchip_bw;
			c->beta_assumed = c->scratchpad;
		}
		c->byte_lb[k] = bw > 0 ? 1.0 / bw : 0;
	}
}

static void row_features(pub_ctx *c, pub_row *pr, const otm_prec *cp)
{
	calib_model *m = pr->m;
	memset(pr->x, 0, sizeof(pr->x));
	pr->x0 = 0;
	for (size_t i = 0; i < m->n_nodes; i++) {
		const otm_node *n = &m->nodes[i];
		double f[CF_COUNT], g[CG_COUNT];
		if (n->cls < 0 || (n->cls == CC_VIEW && !c->eager))
			continue;
		otm_node_features(n, cp->bytes_per_elem, pr->r->batch, cp->llc_bytes, 0, cp->group_tile_n, f, g);
		if (n->cls != CC_VIEW) {
			pr->x[P_ALPHA] += c->peak[n->cls] > 0 ? f[CF_FLOPS] / c->peak[n->cls] : 0;
			pr->x[P_BETA] += f[CF_BYTES] * c->byte_lb[n->cls];
		}
		pr->x[P_OP] += c->eager ? 1 : 0;
		/* a graph compiler's bytes from DRAM (activations beyond on-chip memory, streamed
		 * weights) at the same share of DRAM's bandwidth as its other bytes (beta) */
		if (c->eager)
			pr->x0 += g[CG_WSPILL] * c->wspill;
		else
			pr->x[P_BETA] += (g[CG_WSPILL] + g[CG_SPILL]) * c->wspill;
	}
	pr->x[P_KERNEL] = (double)gr_partition_count(m->p);
	pr->ops = 0;
	for (size_t i = 0; i < m->n_nodes; i++)
		pr->ops += m->nodes[i].cls >= 0 && m->nodes[i].cls != CC_VIEW;
	pr->wbytes = 0;
	for (size_t i = 0; i < m->n_nodes; i++)
		if (m->nodes[i].cls >= 0)
			pr->wbytes += m->nodes[i].ew * cp->bytes_per_elem;
	pr->held = otm_dataflow_memory(m->p, pr->r->batch, pr->wbytes, cp->bytes_per_elem);
}

/* Activation x activation products (attention scores and their weighting): both operands are
 * produced at run time, so an engine built around stationary weights may run them at another
 * share of its peak than convolutions; they get their own factor, pulled towards the matrix one. */
static int is_act_matmul(int k)
{
	return k == GR_KC_MATMUL || k == GR_KC_ATTENTION;
}

/* A model with activation x activation products. */
static int has_act_matmul(const pub_row *pr)
{
	for (size_t k = 0; k < pr->m->n_nodes; k++)
		if (is_act_matmul(pr->m->nodes[k].cls))
			return 1;
	return 0;
}

/* A model that runs more products of activations per frame than layers (a transformer). */
static int is_transformer(const pub_row *pr)
{
	double mats = 0;
	for (size_t k = 0; k < pr->m->n_nodes; k++)
		mats += pr->m->nodes[k].matrices;
	return mats / (double)pr->r->batch > pr->x[P_KERNEL];
}

/* How many of the (sorted) rows' models, skip left out, have what has() looks for (asked of
 * each model's first row). */
static int models_with(const pub_ctx *c, const char *skip, int (*has)(const pub_row *))
{
	int n = 0;
	for (size_t i = 0; i < c->n; i++) {
		if ((i && !strcmp(c->rows[i - 1].r->model, c->rows[i].r->model)) ||
		    (skip && !strcmp(c->rows[i].r->model, skip)))
			continue; /* the same model at another batch or metric, or the one left out */
		n += has(&c->rows[i]) != 0;
	}
	return n;
}

/* Writes the parameters into the fitted precision. */
static void set_params(pub_ctx *c, const double *th)
{
	otm_prec *cp = &c->tm.prec[c->prec];
	for (int k = 0; k < CC_COUNT; k++) {
		otm_class *cl = &cp->cls[k];
		memset(cl->coef, 0, sizeof(cl->coef));
		cl->fitted = cl->points > 0 && (k != CC_VIEW || c->eager);
		if (!cl->fitted)
			continue;
		cl->coef[CF_OP] = th[P_OP];
		if (k != CC_VIEW) {
			double a = k == GR_KC_DWCONV && (c->grouped || c->dataflow) ? th[P_ALPHA_DW]
				   : !c->grouped ? th[P_ALPHA] : is_act_matmul(k) ? th[P_ALPHA_MM]
				   : otm_class_is_matrix(k) ? th[P_ALPHA] : th[P_ALPHA_VEC];
			cl->coef[CF_FLOPS] = c->peak[k] > 0 ? a / c->peak[k] : 0;
			cl->coef[CF_BYTES] = th[P_BETA] * c->byte_lb[k];
		}
	}
	memset(cp->glob, 0, sizeof(cp->glob));
	cp->glob[CG_KERNEL] = th[P_KERNEL];
	cp->has_kernel_groups = cp->has_offpath = c->grouped;
	cp->request_s = c->grouped ? th[P_REQ] : 0;
	cp->offpath_factor = c->grouped ? th[P_OFF] : 1;
	for (int g = 0; g < OTM_KG_COUNT; g++)
		cp->kernel_group_s[g] = c->grouped ? th[P_KG0 + g] : 0;
	if (c->grouped) /* what older readers of the profile see: the matrix kernels' cost */
		cp->glob[CG_KERNEL] = th[P_KG0 + OTM_KG_MATRIX];
	memcpy(c->th_h, th + P_H0, sizeof(c->th_h));
	cp->frame_s = c->dataflow ? th[P_FRAME] : 0;
	cp->context_bytes = c->dataflow && th[P_RHO] > 0 ? 1.0 / th[P_RHO] : 0;
	cp->context_layers = c->dataflow && th[P_LAYERS] > 0 ? 1.0 / th[P_LAYERS] : 0;
	cp->context_s = cp->context_bytes > 0 || cp->context_layers > 0 ? th[P_SWITCH] : 0;
	cp->context_fill = cp->context_bytes > 0 || cp->context_layers > 0 ? th[P_FILL] : 0;
	cp->context_layer_s = cp->context_bytes > 0 || cp->context_layers > 0 ? th[P_LSWITCH] : 0;
	cp->matrix_s = c->dataflow ? th[P_MATRIX] : 0;
	{
		double bd = c->grouped ? th[P_BETA_DRAM] : th[P_BETA];
		cp->glob[CG_WSPILL] = c->eager ? c->wspill : bd * c->wspill;
		cp->glob[CG_SPILL] = c->eager ? 0 : bd * c->wspill;
	}
	c->gen++;
}

/* The row's figure as the estimator predicts it with the current parameters; NAN on failure.
 * Rows of one model and batch (latency and throughput, several tables) share one estimate:
 * the last one is kept until the parameters change (c->gen). */
static double predict(pub_ctx *c, const pub_row *pr)
{
	gr_estimate_opts eo = {.precision = (int)c->prec, .runtime = c->runtime, .amp = c->amp};
	gr_error err = {0};

	if (c->last_m != pr->m || c->last_gen != c->gen) {
		gr_estimate *e = NULL;
		c->last_m = pr->m;
		c->last_gen = c->gen;
		c->last_lat = c->last_thr = NAN;
		gr_estimate_cache *ec = c->ec ? c->ec[pr - c->rows] : NULL;
		if (!(ec ? gr_estimate_run_cached(ec, c->hw, c->mode, &eo, &c->tm, &e, &err)
			 : gr_estimate_run_fitted(pr->m->g, pr->m->p, c->hw, c->mode, &eo, &c->tm, &e, &err))) {
			c->last_lat = e->latency_s;
			c->last_thr = gr_estimate_throughput_per_s(e, pr->r->batch);
		}
		gr_estimate_free(e);
	}
	if (pr->harness) { /* the harness's host time per step and per op, in series with the network */
		const double *h = c->th_h + 2 * (pr->harness - 1);
		double b = (double)pr->r->batch, add = h[0] + h[1] * pr->ops;
		return pr->r->metric == GR_METRIC_THROUGHPUT ? b / (b / c->last_thr + add) : c->last_lat + add;
	}
	return pr->r->metric == GR_METRIC_THROUGHPUT ? c->last_thr : c->last_lat;
}

static int cmp_rows(const void *a, const void *b)
{
	const pub_row *x = a, *y = b;
	int k = strcmp(x->r->model, y->r->model);
	if (k)
		return k;
	if (x->r->batch != y->r->batch)
		return x->r->batch < y->r->batch ? -1 : 1;
	return (x->r > y->r) - (x->r < y->r); /* file order: deterministic */
}

/* shrink x |log(a / b)|, times under tfloor counting as tfloor (a fitted 0), shares (is_time
 * 2: the overlap) under 1% as 1%, so that a share of 0 can be an anchor */
static double pull(const pub_ctx *c, double a, double b, int is_time)
{
	if (is_time == 1) {
		a = fmax(a, c->tfloor);
		b = fmax(b, c->tfloor);
	} else if (is_time == 2) {
		a = fmax(a, 0.01);
		b = fmax(b, 0.01);
	}
	return a > 0 && b > 0 ? c->shrink * fabs(log(a / b)) : 0;
}

/* The pull of the grouped model towards what it refines (docs/published.md): the shared
 * numbers (compute and on-chip factors, a common per-kernel cost, the per-op and per-request
 * costs, the overlap) towards the estimator's own values, and each refinement towards the number
 * it refines: a kernel group's cost towards the common cost, depthwise and vector compute
 * towards the matrix factor, DRAM towards on-chip. A group or class few rows see then stays
 * near the shared fit instead of explaining one model's outlier. */
/* The activation x activation factor's pull, relative to the others': at 1, two YOLO11 rows of a
 * leave-one-model-out fit cannot move it to where the RKNPU1 tables put it (docs/published.md). */
#define PUB_MM_PULL (1.0 / 3)

static double mm_pull(void)
{
	const char *v = getenv("GRAPHS_PUB_MM_PULL"); /* for choosing the weight over all pairs */
	return v ? atof(v) : PUB_MM_PULL;
}

static double penalty(const pub_ctx *c, const double *th)
{
	double s = 0;
	if (!c->grouped || c->shrink <= 0)
		return 0;
	for (int j = 0; j < NP; j++) {
		if (!c->active[j])
			continue;
		if (j >= P_H0)
			continue; /* a harness's costs have no reference: none is the network's */
		if (j >= P_KG0)
			s += pull(c, th[j], th[P_KERNEL], 1);
		else if (j == P_ALPHA_DW || j == P_ALPHA_VEC)
			s += pull(c, th[j], th[P_ALPHA], 0);
		else if (j == P_ALPHA_MM)
			s += mm_pull() * pull(c, th[j], th[P_ALPHA], 0);
		else if (j == P_BETA_DRAM)
			/* beta scales an assumed on-chip rate (no bandwidth figure): nothing to pull it
			 * towards, and DRAM's factor keeps its own anchor */
			s += pull(c, th[j], c->beta_assumed ? c->ref[P_BETA_DRAM] : th[P_BETA], 0);
		else if (j == P_BETA && c->beta_assumed)
			continue;
		else if (j == P_OFF)
			s += pull(c, th[j], c->ref[j], 2);
		else if (c->ref[j] > 0)
			s += pull(c, th[j], c->ref[j], j == P_KERNEL || j == P_OP || j == P_REQ);
	}
	return s;
}

/* The host work a harness adds to a step cannot be longer than the step as published. */
static int harness_exceeds(const pub_ctx *c, const pub_row *pr)
{
	const double *h;
	if (!pr->harness)
		return 0;
	h = c->th_h + 2 * (pr->harness - 1);
	return h[0] + h[1] * pr->ops > (pr->r->metric == GR_METRIC_THROUGHPUT ? (double)pr->r->batch / pr->y : pr->y);
}

/* Sum of absolute log errors over the rows in use (skip: a model left out). Absolute, not
 * squared: a figure the model cannot explain (a network partly falling back to the CPU) should
 * not drag every other prediction towards it; it stays in the data and in the reported error. */
static double objective(pub_ctx *c, const double *th, const char *skip)
{
	double j = 0;
	set_params(c, th);
	for (size_t i = 0; i < c->n; i++) {
		double p;
		if (skip && !strcmp(c->rows[i].r->model, skip))
			continue;
		p = predict(c, &c->rows[i]);
		if (!(p > 0) || harness_exceeds(c, &c->rows[i]))
			return INFINITY;
		j += fabs(log(p / c->rows[i].y));
	}
	return j + penalty(c, th);
}

/* Linear start: NNLS on the features, rows weighted by 1/y (relative error). */
static void linear_start(pub_ctx *c, const char *skip, double *th)
{
	double G[NL * NL] = {0}, h[NL] = {0}, lb[NL] = {1, 1, 0, 0};
	for (size_t i = 0; i < c->n; i++) {
		const pub_row *pr = &c->rows[i];
		double y = pr->r->metric == GR_METRIC_THROUGHPUT ? (double)pr->r->batch / pr->y : pr->y, w2;
		if (skip && !strcmp(pr->r->model, skip))
			continue;
		w2 = 1.0 / (y * y);
		for (int a = 0; a < NL; a++) {
			h[a] += w2 * pr->x[a] * (y - pr->x0);
			for (int b = 0; b < NL; b++)
				G[a * NL + b] += w2 * pr->x[a] * pr->x[b];
		}
	}
	if (calib_nnls_gram(G, h, lb, NL, th)) {
		th[P_ALPHA] = th[P_BETA] = 1;
		th[P_KERNEL] = th[P_OP] = 0;
	}
	/* the link's per-frame cost starts at half the fastest frame; no contexts */
	th[P_FRAME] = c->dataflow ? 0.5 * c->frame_min : 0;
	th[P_RHO] = th[P_SWITCH] = th[P_LAYERS] = th[P_FILL] = th[P_LSWITCH] = 0;
	th[P_MATRIX] = 0;
	/* depthwise convs and the grouped model start from the common fit: every group at the
	 * common cost, no overlap beyond the registry's, and the as-estimated cost per request */
	th[P_ALPHA_DW] = th[P_ALPHA_VEC] = th[P_ALPHA_MM] = th[P_ALPHA];
	th[P_BETA_DRAM] = th[P_BETA];
	th[P_REQ] = c->ref[P_REQ];
	th[P_OFF] = c->ref[P_OFF];
	for (int g = 0; g < OTM_KG_COUNT; g++)
		th[P_KG0 + g] = th[P_KERNEL];
	for (int j = P_H0; j < NP; j++)
		th[j] = 0;
}

/* Rows of harness h (1-based) in use with model skip left out. */
static size_t harness_rows(const pub_ctx *c, int h, const char *skip)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++)
		n += c->rows[i].harness == h && !(skip && !strcmp(c->rows[i].r->model, skip));
	return n;
}

/* Tries th[j] = k * ref for k = from, from * ratio, ... below to, keeping whatever lowers the
 * objective (*best follows): for numbers that span decades, which a pattern search moving one
 * by small factors from its start would not cross. */
static void scan_log_grid(pub_ctx *c, const char *skip, double *th, int j, double ref, double from, double to,
			  double ratio, double *best)
{
	double cand[NP];
	memcpy(cand, th, sizeof(cand));
	for (double k = from; k < to; k *= ratio) {
		double f;
		cand[j] = k * ref;
		f = objective(c, cand, skip);
		if (f < *best * (1 - 1e-9)) {
			*best = f;
			th[j] = cand[j];
		}
	}
}

/* rho and lambda move in steps (a model crosses into two contexts): before refining, try a
 * context just large enough for each model's weights and activations, and none, the others
 * held; then the same for each model's layers (kernels) */
static void scan_contexts(pub_ctx *c, const char *skip, double *th)
{
	double best, cand[NP];

	if (!c->dataflow)
		return;
	best = objective(c, th, skip);
	for (int j = P_RHO; j <= P_LAYERS; j += P_LAYERS - P_RHO) {
		memcpy(cand, th, sizeof(cand));
		for (size_t i = 0; i <= c->n; i++) {
			double f, size = 0;
			if (i < c->n) {
				size = j == P_RHO ? c->rows[i].held * 1.001 : c->rows[i].x[P_KERNEL];
				if (size <= 0 || (skip && !strcmp(c->rows[i].r->model, skip)) ||
				    (i > 0 && !strcmp(c->rows[i - 1].r->model, c->rows[i].r->model)))
					continue;
			}
			cand[j] = size > 0 ? 1.0 / size : 0;
			f = objective(c, cand, skip);
			if (f < best * (1 - 1e-9)) {
				best = f;
				th[j] = cand[j];
			}
		}
	}
	/* the cost per matrix of a product of activations spans decades too (0: none) */
	if (c->active[P_MATRIX])
		scan_log_grid(c, skip, th, P_MATRIX, c->frame_min, 1e-4, 1, 3, &best);
	/* the costs of a switch and of each layer configured span decades (a pattern search moves
	 * one at a time from zero): try each on a log grid of the shortest frame */
	for (int j = P_SWITCH; j <= P_LSWITCH && (th[P_RHO] > 0 || th[P_LAYERS] > 0); j++)
		if (j != P_LAYERS && j != P_FILL)
			scan_log_grid(c, skip, th, j, c->frame_min, 0.01, 50, 3, &best);
	set_params(c, th);
}

/* The activation x activation factor may sit decades from the matrix one (a pattern search
 * moving it by factors of 2 against its pull never gets there): try it on a log grid first. */
static void scan_act_matmul(pub_ctx *c, const char *skip, double *th)
{
	double best;
	if (!c->active[P_ALPHA_MM])
		return;
	best = objective(c, th, skip);
	scan_log_grid(c, skip, th, P_ALPHA_MM, th[P_ALPHA], 2, 5000, 2, &best);
	set_params(c, th);
}

/* Pattern search on the estimator's own predictions, each parameter moved by a factor on its
 * excess over its bound (a parameter at its bound tries a small step up). */
static void refine(pub_ctx *c, const char *skip, double *th, double step)
{
	static const double lb[NP] = {[P_ALPHA] = 1, [P_BETA] = 1, [P_ALPHA_DW] = 1,
				      [P_ALPHA_VEC] = 1, [P_BETA_DRAM] = 1, [P_ALPHA_MM] = 1};
	double best = objective(c, th, skip), scale[NP], ub[NP];
	double ysum = 0;
	size_t ny = 0;

	for (size_t i = 0; i < c->n; i++)
		if (c->rows[i].r->metric == GR_METRIC_LATENCY) {
			ysum += c->rows[i].y;
			ny++;
		} else {
			ysum += (double)c->rows[i].r->batch / c->rows[i].y;
			ny++;
		}
	/* a kernel or op cost starts at 1% of a typical row shared over its kernels */
	scale[P_ALPHA] = scale[P_BETA] = 0.25;
	scale[P_KERNEL] = scale[P_OP] = ny ? 0.01 * ysum / (double)ny / 100 : 1e-6;
	scale[P_FRAME] = scale[P_SWITCH] = scale[P_LSWITCH] = 0.1 * c->frame_min;
	scale[P_RHO] = scale[P_LAYERS] = 0; /* set by scan_contexts: a rho or lambda of 0 stays */
	scale[P_FILL] = 0.5;
	scale[P_MATRIX] = 0.01 * c->frame_min;
	scale[P_ALPHA_DW] = scale[P_ALPHA_VEC] = scale[P_ALPHA_MM] = scale[P_BETA_DRAM] = 0.25;
	scale[P_REQ] = ny ? 0.01 * ysum / (double)ny : 1e-6;
	scale[P_OFF] = 0.1;
	for (int g = 0; g < OTM_KG_COUNT; g++)
		scale[P_KG0 + g] = scale[P_KERNEL];
	for (int h = 0; h < GR_HARNESS_MAX; h++) {
		scale[P_H0 + 2 * h] = scale[P_REQ];
		scale[P_H0 + 2 * h + 1] = scale[P_KERNEL];
	}
	/* a harness none of whose rows is in use has no costs: a left-out model's harness is
	 * not known from its own rows */
	for (int h = 1; h <= c->n_harness; h++)
		if (!harness_rows(c, h, skip))
			th[P_H0 + 2 * (h - 1)] = th[P_H0 + 2 * (h - 1) + 1] = 0;
	best = objective(c, th, skip);
	for (int j = 0; j < NP; j++)
		ub[j] = j == P_OFF ? 1 : INFINITY;
	for (int round = 0; round < 24 && step > 1.03; round++) {
		int moved = 0;
		for (int j = 0; j < NP; j++) {
			if (j >= P_H0 && !harness_rows(c, (j - P_H0) / 2 + 1, skip))
				continue;
			if (!c->active[j] || (j == P_RHO && th[P_RHO] <= 0) || (j == P_LAYERS && th[P_LAYERS] <= 0) ||
			    ((j == P_SWITCH || j == P_FILL || j == P_LSWITCH) && th[P_RHO] <= 0 && th[P_LAYERS] <= 0))
				continue;
			for (int dir = 0; dir < 2; dir++) {
				double cand[NP], f, ex = th[j] - lb[j];
				memcpy(cand, th, sizeof(cand));
				if (ex <= scale[j] * 1e-3)
					cand[j] = dir ? lb[j] : lb[j] + scale[j];
				else
					cand[j] = lb[j] + (dir ? ex / step : ex * step);
				cand[j] = fmin(cand[j], ub[j]);
				if (cand[j] == th[j])
					continue;
				f = objective(c, cand, skip);
				if (f < best * (1 - 1e-9)) {
					best = f;
					memcpy(th, cand, sizeof(cand));
					moved = 1;
					break;
				}
			}
		}
		if (!moved)
			step = sqrt(step);
	}
	set_params(c, th);
}

static double mean_ape(pub_ctx *c, const char *only, int metric, int *n)
{
	double s = 0;
	*n = 0;
	for (size_t i = 0; i < c->n; i++) {
		double p;
		if ((only && strcmp(c->rows[i].r->model, only)) || c->rows[i].r->metric != metric)
			continue;
		p = predict(c, &c->rows[i]);
		s += isfinite(p) ? fabs(p - c->rows[i].y) / c->rows[i].y : 1.0;
		(*n)++;
	}
	return s;
}

gr_status calib_fit_published(const gr_meas_set *set, const gr_fit_opts *o, const gr_hw *hw, int mode,
			      gr_precision prec, const char *runtime, gr_calib_cache *cache, double llc,
			      int lomo, otm_prec *cp_out, calib_quality *cq, gr_error *err)
{
	pub_ctx c;
	const gr_fusion_rules *rules = gr_fusion_rules_find(runtime);
	calib_pub_quality *q = &cq->pub;
	double th[NP], full[NP], dram = gr_hw_dram_bandwidth(hw, mode);
	int with_matrix;
	char models[64][64];
	size_t n_models = 0;
	const char *mname = mode >= 0 ? gr_hw_mode_name(hw, (size_t)mode) : "";
	otm_prec *cp;

	memset(&c, 0, sizeof(c));
	memset(q, 0, sizeof(*q));
	/* a precision the platform cannot run has no estimate to fit (the registry lacks its peak) */
	if (gr_hw_effective_peak_ops(hw, mode, prec) <= 0)
		return GR_OK;
	c.hw = hw;
	c.mode = mode;
	c.prec = prec;
	c.runtime = rules ? rules->name : runtime;
	c.eager = rules && !strcmp(rules->behaviour, "eager");
	c.wspill = dram > 0 ? 1.0 / dram : gr_onchip_spill_s_per_byte(hw, mode); /* no DRAM: the host link */
	{
		gr_hw_estimator ep;
		if (!gr_hw_estimator_params(hw, &ep, NULL, 0)) {
			c.dataflow = ep.pipeline_dataflow;
			c.scratchpad = ep.on_chip_residency;
			c.onchip_bw = ep.on_chip_ops_per_byte > 0 ?
				gr_hw_effective_peak_ops(hw, mode, prec) / ep.on_chip_ops_per_byte : 0;
			/* GRAPHS_PUB_MODEL=shared: one compute, byte and per-kernel factor for every
			 * kernel, as fits were before kernel groups (for comparing the two) */
			c.grouped = !c.dataflow && !(getenv("GRAPHS_PUB_MODEL") &&
						      !strcmp(getenv("GRAPHS_PUB_MODEL"), "shared"));
			set_refs(&c, &ep, rules);
		}
	}
	c.active[P_ALPHA] = c.active[P_BETA] = 1;
	c.active[P_KERNEL] = 1; /* grouped: the common cost the groups are pulled towards */
	c.active[P_OP] = c.eager;
	c.active[P_FRAME] = c.active[P_RHO] = c.active[P_SWITCH] = c.dataflow;
	c.active[P_LAYERS] = c.active[P_FILL] = c.active[P_LSWITCH] = c.dataflow;
	c.shrink = PUB_SHRINK;
	if (getenv("GRAPHS_PUB_SHRINK")) /* for choosing the weight over all pairs (docs/published.md) */
		c.shrink = atof(getenv("GRAPHS_PUB_SHRINK"));
	/* fit only what qualifies: count the models before any is loaded */
	if (o->min_models > 1) {
		const char *seen[64];
		int ns = 0;
		for (size_t i = 0; i < gr_meas_count(set) && ns < o->min_models; i++) {
			const gr_meas_row *r = gr_meas_at(set, i);
			int j = 0;
			if (row_excluded(r, o, prec, c.runtime, NULL) || r->layers_elsewhere ||
			    (r->mapping && strcmp(r->mapping, "torchvision_exact") && strcmp(r->mapping, "same_arch")))
				continue;
			while (j < ns && strcmp(seen[j], r->model))
				j++;
			if (j == ns && ns < 64)
				seen[ns++] = r->model;
		}
		if (ns < o->min_models)
			return GR_OK;
	}
	otm_bounds_init(&c.ob, hw, mode, prec);
	snprintf(c.tm.hw, sizeof(c.tm.hw), "%s", gr_hw_id(hw));
	snprintf(c.tm.mode, sizeof(c.tm.mode), "%s", mname ? mname : "");
	snprintf(c.tm.runtime, sizeof(c.tm.runtime), "%s", c.runtime);
	cp = &c.tm.prec[prec];
	cp->bytes_per_elem = gr_estimate_elem_bytes(prec);
	cp->llc_bytes = llc;
	{
		gr_hw_estimator ep;
		if (!gr_hw_estimator_params(hw, &ep, NULL, 0))
			cp->group_tile_n = gr_hw_group_tile_n(hw, &ep);
	}
	for (size_t i = 0; i < gr_meas_count(set); i++) {
		const gr_meas_row *r = gr_meas_at(set, i);
		calib_model *m = NULL;
		gr_error e2 = {0};
		gr_status st;
		pub_row *nr;
		if (row_excluded(r, o, prec, c.runtime, NULL))
			continue;
		if (r->mapping && strcmp(r->mapping, "torchvision_exact") && strcmp(r->mapping, "same_arch")) {
			q->skip_mapping++; /* a relative with another graph: a loose comparison, not a fit */
			continue;
		}
		if (r->layers_elsewhere) {
			q->skip_placement++; /* partly run on the CPU: times the fallback, not the unit */
			continue;
		}
		if ((st = calib_row_model(cache, r, c.runtime, &m, &e2))) {
			char shape[64];
			/* a graph that cannot take the published resolution or sequence length (a shape
			 * error at the zoo's own shape is the model's) */
			if (st == GR_ERR_SHAPE && calib_row_shape(r, shape, sizeof(shape)))
				q->skip_shape++;
			else
				q->skip_model++;
			continue;
		}
		if (!(nr = realloc(c.rows, (c.n + 1) * sizeof(*c.rows)))) {
			free(c.rows);
			return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
		}
		c.rows = nr;
		nr = &c.rows[c.n++];
		memset(nr, 0, sizeof(*nr));
		nr->r = r;
		nr->m = m;
		nr->y = r->metric == GR_METRIC_THROUGHPUT ? r->throughput_per_s : r->latency_s;
		if (c.grouped && (nr->harness = pub_harness(&c, r->citation)) < 0) {
			free(c.rows);
			return gr_error_set(err, GR_ERR_FORMAT, "%s: more than %d harnesses in the fit of %s %s %s",
					    r->source ? r->source : "published rows", GR_HARNESS_MAX, o->hw, runtime,
					    gr_precision_name(prec));
		}
		if (r->precision_name && strcmp(r->precision_name, gr_precision_name(prec)))
			snprintf(q->precision_name, sizeof(q->precision_name), "%s", r->precision_name);
		c.amp |= r->precision_name && !strcmp(r->precision_name, "amp");
		{
			size_t j = 0;
			while (j < n_models && strcmp(models[j], r->model))
				j++;
			if (j == n_models && n_models < 64)
				snprintf(models[n_models++], sizeof(models[0]), "%s", r->model);
		}
		if (!strstr(q->sources, r->source ? r->source : "") &&
		    strlen(q->sources) + strlen(r->source ? r->source : "") + 3 < sizeof(q->sources))
			snprintf(q->sources + strlen(q->sources), sizeof(q->sources) - strlen(q->sources), "%s%s",
				 q->sources[0] ? ", " : "", r->source ? r->source : "");
		q->rows[r->metric]++;
		if (cq->batch_min == 0 || r->batch < cq->batch_min)
			cq->batch_min = r->batch;
		if (r->batch > cq->batch_max)
			cq->batch_max = r->batch;
		for (size_t k = 0; k < m->n_nodes; k++)
			calib_note_coverage(cp, &m->nodes[k], r->batch);
	}
	if (!c.n || (int)n_models < o->min_models) {
		free(c.rows);
		memset(q, 0, sizeof(*q));
		memset(cq, 0, sizeof(*cq));
		return GR_OK; /* nothing (or too little) for this precision: not an error */
	}
	qsort(c.rows, c.n, sizeof(*c.rows), cmp_rows);
	for (size_t i = 0; i < c.n; i++) {
		double t = c.rows[i].r->metric == GR_METRIC_THROUGHPUT ? 1.0 / c.rows[i].y
								       : c.rows[i].y / (double)c.rows[i].r->batch;
		if (c.frame_min <= 0 || t < c.frame_min)
			c.frame_min = t;
	}
	class_bounds(&c, cp);
	cp->present = 1; /* the estimator applies only a present fit */
	for (size_t i = 0; i < c.n; i++)
		row_features(&c, &c.rows[i], cp);
	c.active[P_ALPHA_DW] = (c.grouped || c.dataflow) && cp->cls[GR_KC_DWCONV].points > 0;
	/* the cost per matrix only where two models or more run more products of activations per
	 * frame than layers (transformers): fitted to one, it would be that model's own number, and
	 * a table of CNNs with a few attention heads (YOLO11's) cannot tell it from their residuals */
	c.active[P_MATRIX] = c.dataflow && models_with(&c, NULL, is_transformer) >= 2;
	if (c.grouped) {
		/* groups and classes no row has stay where they start (and out of the pull) */
		int seen[OTM_KG_COUNT] = {0}, offpath = 0;
		for (size_t i = 0; i < c.n; i++) {
			const calib_model *m = c.rows[i].m;
			for (size_t k = 0; k < gr_partition_count(m->p); k++)
				seen[otm_kernel_group(m->p, k)] = 1;
			offpath |= gr_partition_count(m->p) > 1;
		}
		for (int g = 0; g < OTM_KG_COUNT; g++)
			c.active[P_KG0 + g] = seen[g];
		c.active[P_ALPHA_VEC] = 1;
		/* alpha_mm only where two models or more have such products: one model's alone would
		 * just absorb its error, and a leave-one-model-out fit without it could not check it */
		c.active[P_ALPHA_MM] = models_with(&c, NULL, has_act_matmul) >= 2;
		c.active[P_BETA_DRAM] = !c.eager;
		c.active[P_REQ] = 1;
		c.active[P_OFF] = offpath;
		for (int j = P_H0; j < P_H0 + 2 * c.n_harness; j++)
			c.active[j] = 1;
	}
	/* one estimator cache per model and batch (rows are sorted: a model's rows are adjacent) */
	if ((c.ec = calloc(c.n + 1, sizeof(*c.ec))))
		for (size_t i = 0; i < c.n; i++)
			c.ec[i] = i && c.rows[i - 1].m == c.rows[i].m ? c.ec[i - 1]
								 : gr_estimate_cache_new(c.rows[i].m->g, c.rows[i].m->p);
	q->models = (int)n_models;
	for (size_t j = 0; j < n_models; j++) {
		size_t l = strlen(cq->models);
		if (l + strlen(models[j]) + 2 < sizeof(cq->models))
			snprintf(cq->models + l, sizeof(cq->models) - l, "%s%s", l ? "," : "", models[j]);
	}
	{
		double ys = 0;
		for (size_t i = 0; i < c.n; i++)
			ys += c.rows[i].r->metric == GR_METRIC_THROUGHPUT ? (double)c.rows[i].r->batch / c.rows[i].y
									  : c.rows[i].y;
		c.tfloor = 1e-7 * ys / (double)c.n; /* 1/1000 of the search's first step of a cost */
	}
	/* the cost per matrix refines a converged fit (a few models have such products: moved from
	 * the start, it led the search elsewhere, to a worse fit of the rest) */
	with_matrix = c.active[P_MATRIX];
	c.active[P_MATRIX] = 0;
	linear_start(&c, NULL, full);
	scan_contexts(&c, NULL, full);
	scan_act_matmul(&c, NULL, full);
	refine(&c, NULL, full, 2.0);
	if (c.n_harness) /* the harnesses' costs start at zero: search again from where they got to */
		refine(&c, NULL, full, 1.5);
	if (c.dataflow) { /* the contexts found with the switch and fill costs refined */
		scan_contexts(&c, NULL, full);
		refine(&c, NULL, full, 1.5);
	}
	if (with_matrix) {
		c.active[P_MATRIX] = 1;
		scan_contexts(&c, NULL, full);
		refine(&c, NULL, full, 1.5);
	}
	/* leave-one-model-out: each model predicted by a fit of the others (started from the fit of
	 * all, which only sets where the search begins) */
	for (int mt = 0; mt < 2; mt++)
		q->lomo_mape[mt] = NAN;
	if (lomo && n_models >= 2) {
		int mm_active = c.active[P_ALPHA_MM];
		double s[2] = {0, 0};
		int cnt[2] = {0, 0};
		for (size_t j = 0; j < n_models; j++) {
			if (o->progress)
				o->progress(o->progress_user, (int)j, (int)n_models, models[j]);
			memcpy(th, full, sizeof(th));
			/* the cost per matrix as in the full fit, but from the other models only */
			if (with_matrix) {
				c.active[P_MATRIX] = models_with(&c, models[j], is_transformer) >= 2;
				if (!c.active[P_MATRIX])
					th[P_MATRIX] = 0;
			}
			scan_contexts(&c, models[j], th);
			/* the activation-matmul factor has a second basin decades away: restart it at the
			 * matrix factor, or the fit of all (which saw the left-out model) would pick it */
			th[P_ALPHA_MM] = th[P_ALPHA];
			/* ... and holds it there when the others leave fewer than two models to fit it */
			c.active[P_ALPHA_MM] = mm_active && models_with(&c, models[j], has_act_matmul) >= 2;
			scan_act_matmul(&c, models[j], th);
			refine(&c, models[j], th, 1.5);
			c.active[P_ALPHA_MM] = mm_active;
			for (int mt = 0; mt < 2; mt++) {
				int k;
				double a = mean_ape(&c, models[j], mt, &k);
				s[mt] += a;
				cnt[mt] += k;
				if (k && getenv("GRAPHS_PUB_DEBUG")) /* signed: which models a fit gets wrong, which way */
					for (size_t i = 0; i < c.n; i++)
						if (!strcmp(c.rows[i].r->model, models[j]) && (int)c.rows[i].r->metric == mt)
							fprintf(stderr, "lomo_row %s b%lld: predicted/published %.3f\n", models[j],
								(long long)c.rows[i].r->batch, predict(&c, &c.rows[i]) / c.rows[i].y);
				if (k && getenv("GRAPHS_PUB_DEBUG"))
					fprintf(stderr, "lomo %s: %.1f%% (alpha %.3g beta %.3g kernel %.3g op %.3g "
						"frame %.3g context %.3g MB %.0f layers switch %.3g fill %.3g layer %.3g dw %.3g "
						"matrix %.3g)\n",
						models[j], 100 * a / k, th[0], th[1], th[2], th[3], th[P_FRAME],
						th[P_RHO] > 0 ? 1e-6 / th[P_RHO] : 0,
						th[P_LAYERS] > 0 ? 1 / th[P_LAYERS] : 0, th[P_SWITCH], th[P_FILL], th[P_LSWITCH], th[P_ALPHA_DW],
						th[P_MATRIX]);
				for (size_t i = 0; k && getenv("GRAPHS_PUB_DEBUG") && i < c.n; i++)
					if (!strcmp(c.rows[i].r->model, models[j]) && (int)c.rows[i].r->metric == mt)
						fprintf(stderr, "lomorow %s b%lld %s: published %.4g, predicted %.4g\n",
							models[j], (long long)c.rows[i].r->batch, mt ? "fps" : "s",
							c.rows[i].y, predict(&c, &c.rows[i]));
				if (k && getenv("GRAPHS_PUB_DEBUG") && c.grouped)
					fprintf(stderr, "  mm %.3g dw %.3g vec %.3g dram %.3g request %.3g offpath %.3g kernels "
						"%.3g %.3g %.3g %.3g %.3g %.3g\n", th[P_ALPHA_MM], th[P_ALPHA_DW], th[P_ALPHA_VEC],
						th[P_BETA_DRAM], th[P_REQ], th[P_OFF], th[P_KG0], th[P_KG0 + 1],
						th[P_KG0 + 2], th[P_KG0 + 3], th[P_KG0 + 4], th[P_KG0 + 5]);
			}
		}
		for (int mt = 0; mt < 2; mt++) {
			q->lomo_mape[mt] = cnt[mt] ? s[mt] / cnt[mt] : NAN;
			q->lomo_rows[mt] = cnt[mt];
		}
	}
	memcpy(th, full, sizeof(th));
	set_params(&c, th);
	for (int mt = 0; mt < 2; mt++) {
		int k;
		double s = mean_ape(&c, NULL, mt, &k);
		q->mape[mt] = k ? s / k : NAN;
	}
	if (getenv("GRAPHS_PUB_DEBUG")) /* per-row predictions, for looking at a fit by hand */
		for (size_t i = 0; i < c.n; i++)
			fprintf(stderr, "pub %s %s b%lld %s: published %.4g, predicted %.4g (x %.3g %.3g %.3g %.3g, %.0f ops)\n",
				gr_precision_name(prec), c.rows[i].r->model, (long long)c.rows[i].r->batch,
				c.rows[i].r->metric ? "fps" : "s", c.rows[i].y, predict(&c, &c.rows[i]),
				c.rows[i].x[0], c.rows[i].x[1], c.rows[i].x[2], c.rows[i].x[3], c.rows[i].ops);
	for (int h = 0; getenv("GRAPHS_PUB_DEBUG") && h < c.n_harness; h++)
		fprintf(stderr, "harness %s: %.3g ms per step, %.3g us per op\n", c.harness[h],
			1e3 * th[P_H0 + 2 * h], 1e6 * th[P_H0 + 2 * h + 1]);
	if (getenv("GRAPHS_PUB_DEBUG") && c.grouped)
		fprintf(stderr, "pub %s: alpha %.3g mm %.3g dw %.3g vec %.3g beta %.3g dram %.3g request %.3g offpath %.3g "
			"kernels %.3g %.3g %.3g %.3g %.3g %.3g\n",
			gr_precision_name(prec), th[P_ALPHA], th[P_ALPHA_MM], th[P_ALPHA_DW], th[P_ALPHA_VEC], th[P_BETA],
			th[P_BETA_DRAM], th[P_REQ], th[P_OFF], th[P_KG0], th[P_KG0 + 1], th[P_KG0 + 2], th[P_KG0 + 3],
			th[P_KG0 + 4], th[P_KG0 + 5]);
	q->n_harness = c.n_harness;
	for (int h = 0; h < c.n_harness; h++) {
		snprintf(q->harness[h], sizeof(q->harness[h]), "%s", c.harness[h]);
		q->harness_step_s[h] = th[P_H0 + 2 * h];
		q->harness_op_s[h] = th[P_H0 + 2 * h + 1];
	}
	q->present = 1;
	q->alpha = th[P_ALPHA];
	q->beta = th[P_BETA];
	q->kernel_s = cp->glob[CG_KERNEL];
	q->op_s = th[P_OP];
	cp->present = 1;
	*cp_out = *cp;
	cq->rows = (int)c.n;
	cq->rows_model = (int)c.n;
	cq->model_mape = q->mape[GR_METRIC_LATENCY];
	if (!isfinite(cq->model_mape))
		cq->model_mape = q->mape[GR_METRIC_THROUGHPUT];
	cq->median_ape = cq->p90_ape = cq->r2 = cq->model_median_ape = NAN;
	for (int k = 0; k < CC_COUNT; k++)
		cq->cls[k].median_ape = cq->cls[k].p90_ape = NAN;
	free_caches(&c);
	free(c.rows);
	return GR_OK;
}

int calib_set_has_published(const gr_meas_set *set, const char *hw, const char *runtime)
{
	for (size_t i = 0; i < gr_meas_count(set); i++) {
		const gr_meas_row *r = gr_meas_at(set, i);
		if (r->published && !strcmp(r->hw, hw) && r->runtime && !strcmp(r->runtime, runtime))
			return 1;
	}
	return 0;
}
