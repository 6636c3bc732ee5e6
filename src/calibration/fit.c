/* gr_profile_fit: from measured rows to a profile. Each measured subgraph/layer row becomes one
 * linear equation in the per-class coefficients (the sum of its ops' features), each whole-model
 * row one more (all ops plus one cost per kernel); rows are weighted by 1/latency so that the
 * fit minimises relative error, and whole-model rows carry extra weight because the promise is
 * about models. Coefficients are non-negative and physical (fit_bounds): no class computes faster
 * than the peak of its engine at the precision, nor moves bytes faster than the fastest memory
 * level that holds its working sets, and spilled bytes come no faster than DRAM. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calibration/calib_impl.h"
#include "graphs/version.h"

#define NCOL (CC_COUNT * CF_COUNT + CG_COUNT)
#define COL(c, f) ((c) * CF_COUNT + (f))
#define GCOL(g) (CC_COUNT * CF_COUNT + (g))
/* Weight of a whole-model row relative to one subgraph row (squared): at least 30, and enough
 * that all model rows together weigh as much as all subgraph rows (a model has ~20-300). */
#define MODEL_ROW_WEIGHT2 30.0

typedef struct fit_key {
	const char *model;
	int64_t batch, run;
	const gr_meas_row **subs;
	size_t n_subs, cap_subs;
	const gr_meas_row *model_row;
} fit_key;

typedef struct fit_row {
	double x[NCOL];
	double y, w;
	int is_model;
	double share[CC_COUNT]; /* filled after the fit: predicted time per class */
} fit_row;

typedef struct fit_ctx {
	const gr_hw *hw;
	int mode;
	gr_precision prec;
	const char *runtime;
	int threads; /* threads the measurements ran with (-1/0: unknown) */
	gr_calib_cache *cache;
	otm_prec *cp;
	calib_quality *cq;
	fit_row *rows;
	size_t n_rows, cap_rows;
	double *G, *h;
	/* per-row op lists (for the per-class shares in the quality report) */
	otm_node **row_nodes;
	size_t *row_n_nodes;
	int64_t *row_batch;
} fit_ctx;

static int cmp_sub(const void *a, const void *b)
{
	const gr_meas_row *x = *(const gr_meas_row *const *)a, *y = *(const gr_meas_row *const *)b;
	return (x->subgraph > y->subgraph) - (x->subgraph < y->subgraph);
}

static fit_row *new_row(fit_ctx *c, otm_node **nodes_out, size_t n_nodes)
{
	fit_row *r;
	if (c->n_rows == c->cap_rows) {
		size_t cap = c->cap_rows ? 2 * c->cap_rows : 512;
		fit_row *nr = realloc(c->rows, cap * sizeof(*nr));
		otm_node **nn = realloc(c->row_nodes, cap * sizeof(*nn));
		size_t *nc = realloc(c->row_n_nodes, cap * sizeof(*nc));
		int64_t *nb = realloc(c->row_batch, cap * sizeof(*nb));
		if (nr)
			c->rows = nr;
		if (nn)
			c->row_nodes = nn;
		if (nc)
			c->row_n_nodes = nc;
		if (nb)
			c->row_batch = nb;
		if (!nr || !nn || !nc || !nb)
			return NULL;
		c->cap_rows = cap;
	}
	r = &c->rows[c->n_rows];
	memset(r, 0, sizeof(*r));
	c->row_nodes[c->n_rows] = n_nodes ? calloc(n_nodes, sizeof(otm_node)) : NULL;
	c->row_n_nodes[c->n_rows] = 0;
	if (n_nodes && !c->row_nodes[c->n_rows])
		return NULL;
	*nodes_out = c->row_nodes[c->n_rows];
	c->n_rows++;
	return r;
}

static void add_node(fit_ctx *c, fit_row *r, const otm_node *n, int64_t batch)
{
	double f[CF_COUNT], g[CG_COUNT];
	size_t ri = (size_t)(r - c->rows);

	if (n->cls < 0)
		return;
	otm_node_features(n, c->cp->bytes_per_elem, batch, c->cp->llc_bytes, c->cp->emulated, c->cp->group_tile_n, f, g);
	for (int k = 0; k < CF_COUNT; k++)
		r->x[COL(n->cls, k)] += f[k];
	for (int k = 0; k < CG_COUNT; k++)
		r->x[GCOL(k)] += g[k];
	if (c->row_nodes[ri])
		c->row_nodes[ri][c->row_n_nodes[ri]++] = *n;
}

void calib_note_coverage(otm_prec *cp, const otm_node *n, int64_t batch)
{
	otm_class *k;
	double b;
	if (n->cls < 0)
		return;
	k = &cp->cls[n->cls];
	b = (n->ein + n->ew + n->eo) * cp->bytes_per_elem;
	if (!k->points) {
		k->f_min = k->f_max = n->flops;
		k->b_min = k->b_max = b;
		k->batch_min = k->batch_max = batch;
		k->i_min = k->i_max = 0;
	}
	if (n->flops > 0 && b > 0) {
		double in = n->flops / b;
		k->i_min = k->i_min > 0 ? fmin(k->i_min, in) : in;
		k->i_max = fmax(k->i_max, in);
	}
	if (n->rows > 0) {
		k->r_min = k->r_points ? fmin(k->r_min, n->rows) : n->rows;
		k->r_max = fmax(k->r_max, n->rows);
		k->r_points++;
	}
	if (n->ew > 0) {
		k->w_min = k->w_points ? fmin(k->w_min, n->ew) : n->ew;
		k->w_max = fmax(k->w_max, n->ew);
		k->w_points++;
	}
	k->points++;
	k->f_min = fmin(k->f_min, n->flops);
	k->f_max = fmax(k->f_max, n->flops);
	k->b_min = fmin(k->b_min, b);
	k->b_max = fmax(k->b_max, b);
	if (batch < k->batch_min)
		k->batch_min = batch;
	if (batch > k->batch_max)
		k->batch_max = batch;
}

/* Counts the rows of key k that calib_match put in another row's group and keeps the first
 * case as an example ("vit_b_32 b1: subgraphs 3, 4, 5"), for the report. */
static void note_merged(calib_quality *cq, const fit_key *k, const int *group)
{
	for (size_t s = 0; s < k->n_subs; s++) {
		if (group[s] == (int)s)
			continue;
		if (!cq->rows_merged++)
			gr_calib_group_example(cq->merged_example, sizeof(cq->merged_example),
					       (const gr_meas_row *const *)k->subs, k->n_subs, group, group[s]);
	}
}

static gr_status add_key(fit_ctx *c, fit_key *k, gr_error *err)
{
	calib_model *m = NULL;
	gr_error e2 = {0};
	int have_model = calib_cache_model_conv(c->cache, k->model, k->batch, c->runtime,
					   calib_conv_hw(c->hw, c->runtime, (int)c->prec), &m, &e2) == GR_OK;
	int *node_row = NULL, *group = NULL;
	double sum_sub = 0;
	int all_standalone = k->n_subs > 0;

	if (k->n_subs) /* a key with whole-model rows only has no subgraph array */
		qsort(k->subs, k->n_subs, sizeof(*k->subs), cmp_sub);
	if (have_model) {
		if (!(node_row = calloc(m->n_nodes + 1, sizeof(int))) ||
		    !(group = calloc(k->n_subs + 1, sizeof(int)))) {
			free(node_row);
			return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
		}
		calib_match(m, k->subs, k->n_subs, node_row, group);
		for (size_t i = 0; i < m->n_nodes; i++)
			calib_note_coverage(c->cp, &m->nodes[i], k->batch);
		note_merged(c->cq, k, group);
	}
	/* one equation per measured subgraph / layer, or per group of rows sharing a module */
	for (size_t s = 0; s < k->n_subs; s++) {
		const gr_meas_row *mr = k->subs[s];
		otm_node *store;
		fit_row *r;
		size_t cnt = 0;
		if (group && group[s] != (int)s)
			continue; /* in the equation of its group's first row */
		if (have_model)
			for (size_t i = 0; i < m->n_nodes; i++)
				cnt += node_row[i] == (int)s;
		if (!(r = new_row(c, &store, have_model ? cnt : 1))) {
			free(node_row);
			free(group);
			return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
		}
		(void)store;
		c->row_batch[c->n_rows - 1] = k->batch;
		if (have_model) {
			for (size_t i = 0; i < m->n_nodes; i++)
				if (node_row[i] == (int)s)
					add_node(c, r, &m->nodes[i], k->batch);
		} else {
			otm_node fb;
			int nops;
			calib_row_fallback(mr, &fb, &nops);
			add_node(c, r, &fb, k->batch);
			calib_note_coverage(c->cp, &fb, k->batch);
			r->x[COL(fb.cls, CF_OP)] = nops;
		}
		/* standalone groups pay a launch/sync each, part of the model's latency; layers timed
		 * by hooks pay the hooks, which no model run does, and not the call path around them;
		 * a part's record has no hooks of its own (its module's record holds them) */
		r->y = 0;
		for (size_t t = s; t < k->n_subs; t++) {
			const gr_meas_row *tr = k->subs[t];
			if (t != s && (!group || group[t] != (int)s))
				continue;
			r->x[GCOL(tr->standalone ? CG_KERNEL : CG_ROW)] += tr->standalone || !calib_row_is_part(tr);
			if (!tr->standalone)
				r->x[GCOL(CG_CALL)] = 0;
			r->y += tr->latency_s;
			sum_sub += tr->latency_s;
			all_standalone &= tr->standalone;
			c->cq->rows_sub++;
			if (!group)
				break;
		}
		r->w = 1.0 / r->y;
	}
	/* the whole model: every op plus one cost per kernel */
	if (have_model && (k->model_row || all_standalone)) {
		otm_node *store;
		fit_row *r = new_row(c, &store, m->n_nodes);
		double T = k->model_row ? k->model_row->latency_s : sum_sub;
		if (!r) {
			free(node_row);
			return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
		}
		c->row_batch[c->n_rows - 1] = k->batch;
		for (size_t i = 0; i < m->n_nodes; i++)
			add_node(c, r, &m->nodes[i], k->batch);
		r->x[GCOL(CG_KERNEL)] += (double)gr_partition_count(m->p);
		r->y = T;
		r->w = (k->n_subs ? sqrt(MODEL_ROW_WEIGHT2) : 1.0) / T;
		r->is_model = 1;
		c->cq->rows_model++;
	}
	free(node_row);
	free(group);
	if (c->cq->batch_min == 0 || k->batch < c->cq->batch_min)
		c->cq->batch_min = k->batch;
	if (k->batch > c->cq->batch_max)
		c->cq->batch_max = k->batch;
	return GR_OK;
}

/* ISO 8601 UTC now; SOURCE_DATE_EPOCH pins the date written into profiles (reproducible builds). */
static void now_iso(char *buf, size_t size)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The smallest coefficients physics allows one precision's fit (0: no bound known):
 * s/FLOP of each class at the peak of its engine (otm_bounds), s/byte of each class at the
 * bandwidth of the fastest level holding the class's smallest working set (no op of the class
 * can be faster), and the spill term such that spilled activation bytes of every class take at
 * least their time at DRAM bandwidth (the class's own s/byte pays part of it). */
typedef struct fit_lb {
	double flop[CC_COUNT], byte[CC_COUNT];
	double spill, dram;
	double peak_matrix, peak_vector;
} fit_lb;

static void fit_bounds(const gr_hw *hw, int mode, gr_precision prec, const otm_prec *cp, int threads,
		       fit_lb *lb)
{
	otm_bounds ob;
	double fastest = 0; /* the largest s/byte bound among classes: the class on the fastest level */
	int64_t units = gr_hw_units(hw, mode);

	memset(lb, 0, sizeof(*lb));
	otm_bounds_init(&ob, hw, mode, prec);
	/* a CPU measured with fewer threads than cores computes on that many cores only (torch's
	 * default can be 1 thread on a 2-core VM): the peak the fit may reach is theirs */
	if (gr_hw_get_class(hw) == GR_HW_CPU && threads > 0 && units > threads) {
		ob.peak_matrix *= (double)threads / (double)units;
		ob.peak_vector *= (double)threads / (double)units;
	}
	lb->peak_matrix = ob.peak_matrix;
	lb->peak_vector = ob.peak_vector;
	lb->dram = gr_hw_dram_bandwidth(hw, mode);
	fastest = lb->dram > 0 ? 1.0 / lb->dram : 0;
	for (int k = 0; k < CC_COUNT; k++) {
		double peak = otm_bounds_peak(&ob, k), bw;
		if (!cp->cls[k].points)
			continue;
		bw = otm_bounds_bandwidth(&ob, cp->cls[k].b_min, NULL);
		lb->flop[k] = peak > 0 ? 1.0 / peak : 0;
		lb->byte[k] = bw > 0 ? 1.0 / bw : 0;
		if (lb->byte[k] < fastest)
			fastest = lb->byte[k];
	}
	lb->spill = lb->dram > 0 ? fmax(0, 1.0 / lb->dram - fastest) : 0;
}

/* 1 when some op of class k has a working set beyond the on-chip caches (its bytes then pay the
 * spill term besides the class's s/byte). */
static int class_spills(const otm_prec *cp, int k)
{
	return cp->cls[k].points > 0 && cp->cls[k].b_max > cp->llc_bytes;
}

/* 1 when some measured op's working set comes near the last-level cache (half of it or more:
 * the spill feature's smooth step is then a tenth of the bytes or more). Otherwise no row
 * exercises the spill term: its feature is a cubic's far tail (1e-4 of the bytes for a working
 * set 5% of a VM's 260 MiB L3), a free coefficient on it soaks up other misfit at absurd rates
 * (1.6 MB/s was fitted) and multiplies up on larger zoo models (VGG's 25 MB activations), so it
 * stays at its physical floor, as the weight spill does. */
static int spill_measured(const otm_prec *cp)
{
	for (int k = 0; k < CC_COUNT; k++)
		if (cp->cls[k].points > 0 && cp->llc_bytes > 0 && cp->cls[k].b_max >= 0.5 * cp->llc_bytes)
			return 1;
	return 0;
}

/* Matrix classes whose measured ops cannot tell compute time from memory time: their FLOPs per
 * op, or their FLOPs per byte, span less than a factor TIE_SPREAD (batch-1 classifier GEMMs all
 * do 2 FLOPs per weight; vit's attention products are one size). Their s/FLOP is then any split
 * of what the rows measured, and a matrix op's intensity grows with its dimensions, so other ops
 * (a GEMM on 50 tokens) multiply that split up: the host's gemm fitted from classifiers alone
 * learnt 16 GFLOP/s and put vit_b_32 at 6.6x its time. Such a class takes the s/FLOP of its
 * related class on the same engine (otm_related_class, following the chain past classes
 * measured too little or not at all) whose ops do span both, and fits the rest. Vector classes
 * keep theirs: an elementwise op, a norm or a pool does the same FLOPs per byte at every size,
 * so their split does not extrapolate. Sets tie[k] to that class, or -1. */
#define TIE_SPREAD 2.0
static int flops_identified(const otm_class *k)
{
	return k->points >= 5 && k->f_min > 0 && k->f_max >= TIE_SPREAD * k->f_min && k->i_min > 0 &&
	       k->i_max >= TIE_SPREAD * k->i_min;
}

static void tie_flops(const otm_prec *cp, const fit_lb *flb, int *tie)
{
	for (int k = 0; k < CC_COUNT; k++) {
		int r = otm_related_class(k);
		tie[k] = -1;
		if (!otm_class_is_matrix(k) || !cp->cls[k].points || flops_identified(&cp->cls[k]))
			continue;
		/* an unmeasured class tells no rate either: skip it */
		while (r >= 0 && !flops_identified(&cp->cls[r]))
			r = otm_related_class(r);
		if (r >= 0 && flb->flop[r] > 0 && flb->flop[r] == flb->flop[k])
			tie[k] = r;
	}
}

/* A class's s/weight is fitted only where its ops with weights are several and their weight
 * counts span a factor TIE_SPREAD; otherwise the column is any split of what those few ops
 * measured and multiplies up on a larger table: vit_b_32's one class-token concat (768 weights)
 * taught the host's move class 3 us per weight, which put bert's word-embedding gather (23M
 * weights, of which it reads 128 rows) at 72 s. The class keeps its byte rate. */
static int weights_identified(const otm_class *k)
{
	return k->w_points >= 5 && k->w_min > 0 && k->w_max >= TIE_SPREAD * k->w_min;
}

/* ... and its cost per reduction row, under the same rule: rows of one size are a constant
 * that the per-op cost already is (vit's softmaxes all have 50 tokens) */
static int rows_identified(const otm_class *k)
{
	return k->r_points >= 5 && k->r_min > 0 && k->r_max >= TIE_SPREAD * k->r_min;
}

/* The weighted squared residual of th, less its constant part: th'G th - 2 h'th. */
static double fit_objective(const fit_ctx *c, const double *th)
{
	double f = 0;
	for (int a = 0; a < NCOL; a++) {
		double gx = 0;
		if (th[a] == 0)
			continue;
		for (int b = 0; b < NCOL; b++)
			gx += c->G[a * NCOL + b] * th[b];
		f += th[a] * (gx - 2 * c->h[a]);
	}
	return f;
}

/* NNLS under the physical bounds lb (fit_bounds). Activation bytes that spill beyond the on-chip
 * caches pay the spill term and their class's s/byte, which together must reach DRAM time: the
 * spill term's floor leaves only the fastest class's share to s/byte. Other splits are as
 * physical (a higher floor on the s/byte of the classes whose working sets spill, a lower one on
 * the spill term); the one that fits the rows best wins. Returns 0, or -1 when out of memory. */
static int solve_physical(fit_ctx *c, const double *lb0, const fit_lb *flb, double *th)
{
	static const double share[] = {-1, 0.75, 0.5, 0.25, 0};
	double lb[NCOL], x[NCOL], best = INFINITY, d = flb->dram > 0 ? 1.0 / flb->dram : 0;

	for (size_t i = 0; i < sizeof(share) / sizeof(share[0]); i++) {
		double s0 = share[i] < 0 ? lb0[GCOL(CG_SPILL)] : share[i] * d, f;
		if (i && s0 >= lb0[GCOL(CG_SPILL)])
			continue;
		memcpy(lb, lb0, sizeof(lb));
		lb[GCOL(CG_SPILL)] = s0;
		for (int k = 0; k < CC_COUNT; k++)
			if (class_spills(c->cp, k) && c->G[COL(k, CF_BYTES) * NCOL + COL(k, CF_BYTES)] > 0)
				lb[COL(k, CF_BYTES)] = fmax(lb[COL(k, CF_BYTES)], d - s0);
		if (calib_nnls_gram(c->G, c->h, lb, NCOL, x))
			return -1;
		f = fit_objective(c, x);
		if (f < best) {
			best = f;
			memcpy(th, x, sizeof(x));
		}
	}
	return 0;
}

static void row_predict(const fit_ctx *c, size_t i, const double *th, double *pred)
{
	const fit_row *r = &c->rows[i];
	double t = 0;
	for (int j = 0; j < NCOL; j++)
		t += r->x[j] * th[j];
	*pred = t;
}

static void quality(fit_ctx *c, const double *th)
{
	const otm_prec *cp = c->cp;
	calib_quality *cq = c->cq;
	double *ape_sub = calloc(c->n_rows + 1, sizeof(double)), *ape_mod = calloc(c->n_rows + 1, sizeof(double));
	double *cls_ape = calloc(c->n_rows + 1, sizeof(double));
	int *dom = calloc(c->n_rows + 1, sizeof(int));
	size_t ns = 0, nm = 0;
	double sly = 0, sly2 = 0, sres = 0, msum = 0;

	if (!ape_sub || !ape_mod || !cls_ape || !dom)
		goto out;
	for (size_t i = 0; i < c->n_rows; i++) {
		double p, ly = log(c->rows[i].y);
		double best = -1;
		row_predict(c, i, th, &p);
		if (c->rows[i].is_model) {
			ape_mod[nm++] = fabs(p - c->rows[i].y) / c->rows[i].y;
			msum += fabs(p - c->rows[i].y) / c->rows[i].y;
		} else {
			ape_sub[ns++] = fabs(p - c->rows[i].y) / c->rows[i].y;
		}
		sly += ly;
		sly2 += ly * ly;
		sres += (ly - log(fmax(p, 1e-12))) * (ly - log(fmax(p, 1e-12)));
		/* the class carrying most of the row's predicted time */
		dom[i] = -1;
		for (size_t j = 0; j < c->row_n_nodes[i]; j++) {
			const otm_node *n = &c->row_nodes[i][j];
			double t = otm_node_time(cp, n, c->row_batch[i], NULL);
			if (n->cls >= 0 && t > best) {
				best = t;
				dom[i] = n->cls;
			}
		}
	}
	{
		double nrows = (double)c->n_rows, var = sly2 / nrows - (sly / nrows) * (sly / nrows);
		cq->r2 = var > 0 ? 1 - (sres / nrows) / var : NAN;
	}
	calib_quantiles(ape_sub, ns, &cq->median_ape, &cq->p90_ape);
	{
		double p90;
		calib_quantiles(ape_mod, nm, &cq->model_median_ape, &p90);
	}
	cq->model_mape = nm ? msum / (double)nm : NAN;
	for (int k = 0; k < CC_COUNT; k++) {
		size_t n = 0;
		for (size_t i = 0; i < c->n_rows; i++)
			if (!c->rows[i].is_model && dom[i] == k) {
				double p;
				row_predict(c, i, th, &p);
				cls_ape[n++] = fabs(p - c->rows[i].y) / c->rows[i].y;
			}
		cq->cls[k].rows = (int)n;
		calib_quantiles(cls_ape, n, &cq->cls[k].median_ape, &cq->cls[k].p90_ape);
	}
out:
	free(ape_sub);
	free(ape_mod);
	free(cls_ape);
	free(dom);
}

/* Energy coefficients from rows with energy: E = pJ/FLOP F + pJ/byte B + static W x t. */
static void fit_energy(fit_ctx *c, fit_key *keys, size_t n_keys)
{
	double G[9] = {0}, h[3] = {0}, x[3];
	int n = 0;
	for (size_t i = 0; i < n_keys; i++) {
		const gr_meas_row *r = keys[i].model_row;
		calib_model *m;
		double f[3] = {0, 0, 0}, w;
		gr_error e2 = {0};
		if (!r || !isfinite(r->energy_j) || r->energy_j <= 0 ||
		    calib_cache_model_conv(c->cache, keys[i].model, keys[i].batch, c->runtime,
				      calib_conv_hw(c->hw, c->runtime, (int)c->prec), &m, &e2))
			continue;
		for (size_t j = 0; j < m->n_nodes; j++) {
			f[0] += m->nodes[j].flops;
			f[1] += (m->nodes[j].ein + m->nodes[j].ew + m->nodes[j].eo) * c->cp->bytes_per_elem;
		}
		f[2] = r->latency_s;
		w = 1.0 / r->energy_j;
		for (int a = 0; a < 3; a++) {
			h[a] += w * w * f[a] * r->energy_j;
			for (int b = 0; b < 3; b++)
				G[a * 3 + b] += w * w * f[a] * f[b];
		}
		n++;
	}
	if (n < 3 || calib_nnls_gram(G, h, NULL, 3, x))
		return;
	c->cp->has_energy = 1;
	c->cq->energy_rows = n;
	c->cp->pj_per_flop = x[0] * 1e12;
	c->cp->pj_per_byte = x[1] * 1e12;
	c->cp->static_w = x[2];
}

static gr_status fit_precision(fit_ctx *c, const gr_meas_set *set, const gr_fit_opts *o,
			       gr_error *err)
{
	fit_key *keys = NULL;
	size_t n_keys = 0, cap_keys = 0, used = 0;
	otm_prec *cp = c->cp;
	calib_quality *cq = c->cq;
	double lb[NCOL] = {0}, th[NCOL], wspill, spill_fixed;
	int tie[CC_COUNT];
	unsigned char off[NCOL] = {0};
	gr_status rc = GR_OK;
	double dram = gr_hw_dram_bandwidth(c->hw, c->mode);
	fit_lb flb;

	memset(cp, 0, sizeof(*cp));
	memset(cq, 0, sizeof(*cq));
	cp->bytes_per_elem = gr_estimate_elem_bytes(c->prec);
	cp->llc_bytes = otm_llc_bytes(c->hw);
	cp->emulated = gr_hw_emulation_factor(c->hw, c->prec) > 0;
	{
		gr_hw_estimator ep;
		if (!gr_hw_estimator_params(c->hw, &ep, NULL, 0))
			cp->group_tile_n = gr_hw_group_tile_n(c->hw, &ep);
	}
	for (size_t i = 0; i < gr_meas_count(set); i++) {
		const gr_meas_row *r = gr_meas_at(set, i);
		fit_key *k = NULL;
		if (r->precision != (int)c->prec || strcmp(r->hw, o->hw) ||
		    strcmp(r->runtime ? r->runtime : "pytorch", c->runtime) ||
		    (o->exclude_model && !strcmp(r->model, o->exclude_model)))
			continue;
		for (size_t j = 0; j < n_keys && !k; j++)
			if (keys[j].batch == r->batch && keys[j].run == r->run && !strcmp(keys[j].model, r->model))
				k = &keys[j];
		if (!k) {
			if (n_keys == cap_keys) {
				size_t cap = cap_keys ? 2 * cap_keys : 32;
				fit_key *nk = realloc(keys, cap * sizeof(*nk));
				if (!nk) {
					rc = gr_error_set(err, GR_ERR_NOMEM, "out of memory");
					goto out;
				}
				keys = nk;
				cap_keys = cap;
			}
			k = &keys[n_keys++];
			memset(k, 0, sizeof(*k));
			k->model = r->model;
			k->batch = r->batch;
			k->run = r->run;
		}
		if (r->kind == GR_MEAS_MODEL) {
			k->model_row = r;
		} else {
			if (k->n_subs == k->cap_subs) {
				size_t cap = k->cap_subs ? 2 * k->cap_subs : 64;
				const gr_meas_row **ns = realloc(k->subs, cap * sizeof(*ns));
				if (!ns) {
					rc = gr_error_set(err, GR_ERR_NOMEM, "out of memory");
					goto out;
				}
				k->subs = ns;
				k->cap_subs = cap;
			}
			k->subs[k->n_subs++] = r;
		}
		used++;
	}
	if (!used)
		goto out; /* nothing for this precision: not an error */
	for (size_t i = 0; i < n_keys; i++) {
		size_t l = strlen(cq->models);
		if (!strstr(cq->models, keys[i].model) && l + strlen(keys[i].model) + 2 < sizeof(cq->models))
			snprintf(cq->models + l, sizeof(cq->models) - l, "%s%s", l ? "," : "", keys[i].model);
		if (o->progress) {
			char what[128];
			snprintf(what, sizeof(what), "%s %s b%lld", gr_precision_name(c->prec), keys[i].model,
				 (long long)keys[i].batch);
			o->progress(o->progress_user, (int)i, (int)n_keys, what);
		}
		if ((rc = add_key(c, &keys[i], err)))
			goto out;
	}
	if (!c->n_rows)
		goto out;
	if (cq->rows_model && cq->rows_sub) {
		double lam = fmax(MODEL_ROW_WEIGHT2, (double)cq->rows_sub / cq->rows_model);
		for (size_t i = 0; i < c->n_rows; i++)
			if (c->rows[i].is_model && c->rows[i].w != 1.0 / c->rows[i].y)
				c->rows[i].w = sqrt(lam) / c->rows[i].y;
	}
	/* Weights larger than the cache stream from DRAM on every call: that term is the datasheet
	 * bandwidth, not fitted (few measured ops are that large, and a free coefficient on a
	 * handful of them extrapolates wildly to VGG-sized classifiers). */
	wspill = dram > 0 ? 1.0 / dram : 0;
	fit_bounds(c->hw, c->mode, c->prec, cp, c->threads, &flb);
	spill_fixed = spill_measured(cp) ? -1 : flb.spill;
	tie_flops(cp, &flb, tie);
	for (int k = 0; k < CC_COUNT; k++) {
		off[COL(k, CF_WEIGHTS)] = !weights_identified(&cp->cls[k]);
		off[COL(k, CF_ROWS)] = !rows_identified(&cp->cls[k]);
	}
	/* normal equations of the weighted rows (a tied class's FLOPs in its related class's column,
	 * the columns its ops cannot identify left out) */
	memset(c->G, 0, NCOL * NCOL * sizeof(double));
	memset(c->h, 0, NCOL * sizeof(double));
	for (size_t i = 0; i < c->n_rows; i++) {
		const fit_row *r = &c->rows[i];
		double w2 = r->w * r->w, y = r->y - wspill * r->x[GCOL(CG_WSPILL)], x[NCOL];
		int nz[NCOL], nnz = 0;
		if (spill_fixed >= 0)
			y -= spill_fixed * r->x[GCOL(CG_SPILL)];
		memcpy(x, r->x, sizeof(x));
		for (int k = 0; k < CC_COUNT; k++)
			if (tie[k] >= 0) {
				x[COL(tie[k], CF_FLOPS)] += x[COL(k, CF_FLOPS)];
				x[COL(k, CF_FLOPS)] = 0;
			}
		for (int j = 0; j < NCOL; j++)
			if (!off[j] && x[j] != 0 && j != GCOL(CG_WSPILL) && !(spill_fixed >= 0 && j == GCOL(CG_SPILL)))
				nz[nnz++] = j;
		for (int a = 0; a < nnz; a++) {
			c->h[nz[a]] += w2 * x[nz[a]] * y;
			for (int b = 0; b < nnz; b++)
				c->G[nz[a] * NCOL + nz[b]] += w2 * x[nz[a]] * x[nz[b]];
		}
	}
	for (int k = 0; k < CC_COUNT; k++) {
		lb[COL(k, CF_FLOPS)] = flb.flop[k];
		lb[COL(k, CF_BYTES)] = flb.byte[k];
	}
	lb[GCOL(CG_SPILL)] = spill_fixed >= 0 ? spill_fixed : flb.spill;
	lb[GCOL(CG_WSPILL)] = wspill;
	/* per-class bounds on classes without data would only mislead the report; the platform's
	 * spill terms keep theirs as the datasheet floor when no measurement reached that size */
	for (int j = 0; j < CC_COUNT * CF_COUNT; j++)
		if (c->G[j * NCOL + j] <= 0)
			lb[j] = 0;
	if (solve_physical(c, lb, &flb, th)) {
		rc = gr_error_set(err, GR_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (spill_fixed >= 0)
		th[GCOL(CG_SPILL)] = spill_fixed;
	cp->present = 1;
	for (int k = 0; k < CC_COUNT; k++) {
		if (tie[k] >= 0) {
			th[COL(k, CF_FLOPS)] = th[COL(tie[k], CF_FLOPS)];
			cq->cls[k].flop_of = 1 + tie[k];
		}
		for (int f = 0; f < CF_COUNT; f++) {
			cp->cls[k].coef[f] = th[COL(k, f)];
			if (c->G[COL(k, f) * NCOL + COL(k, f)] > 0)
				cp->cls[k].fitted = 1;
		}
		if (!cp->cls[k].fitted)
			cp->cls[k].points = 0;
	}
	for (int g = 0; g < CG_COUNT; g++)
		cp->glob[g] = th[GCOL(g)];
	cq->rows = (int)c->n_rows;
	quality(c, th);
	fit_energy(c, keys, n_keys);
out:
	for (size_t i = 0; i < n_keys; i++)
		free(keys[i].subs);
	free(keys);
	return rc;
}

static void bound_add(gr_fit_bound *out, size_t max, size_t *n, int cls, const char *coef, double value,
		      double bound)
{
	if (bound <= 0)
		return;
	if (*n < max) {
		gr_fit_bound *b = &out[*n];
		b->cls = cls;
		b->coef = coef;
		b->value = value;
		b->bound = bound;
		b->at_bound = value <= bound * (1 + 1e-3);
		b->beyond = value < bound * (1 - 1e-6);
	}
	(*n)++;
}

/* The bounds the fit obeyed, judged from the fitted values: which split of the DRAM floor between
 * the spill term and the classes' s/byte the fit chose (solve_physical) shows in the values. */
size_t gr_profile_bounds(const gr_profile *p, const gr_hw *hw, int mode, gr_precision prec,
			 gr_fit_bound *out, size_t max)
{
	const otm_prec *cp;
	fit_lb lb;
	size_t n = 0;
	double d, spill, min_spilling = INFINITY;

	if (!p || !hw || (unsigned)prec >= GR_PREC_COUNT || !p->tm.prec[prec].present)
		return 0;
	cp = &p->tm.prec[prec];
	fit_bounds(hw, mode, prec, cp, p->cond.threads, &lb);
	d = lb.dram > 0 ? 1.0 / lb.dram : 0;
	spill = cp->glob[CG_SPILL];
	for (int k = 0; k < CC_COUNT; k++) {
		const otm_class *c = &cp->cls[k];
		double byte = lb.byte[k];
		if (!c->fitted || k == CC_VIEW)
			continue;
		if (c->f_max > 0)
			bound_add(out, max, &n, k, "s_per_flop", c->coef[CF_FLOPS], lb.flop[k]);
		if (c->b_max <= 0)
			continue;
		if (class_spills(cp, k)) {
			byte = fmax(byte, d - spill);
			min_spilling = fmin(min_spilling, c->coef[CF_BYTES]);
		}
		bound_add(out, max, &n, k, "s_per_byte", c->coef[CF_BYTES], byte);
	}
	if (isfinite(min_spilling))
		bound_add(out, max, &n, -1, "spill_s_per_byte", spill, d - min_spilling);
	return n;
}

static void fit_ctx_reset(fit_ctx *c)
{
	for (size_t i = 0; i < c->n_rows; i++)
		free(c->row_nodes[i]);
	c->n_rows = 0;
}

gr_status gr_profile_fit(const gr_meas_set *set, const gr_fit_opts *o, gr_profile **out, gr_error *err)
{
	gr_profile *p = NULL;
	gr_calib_cache *own = NULL;
	fit_ctx c = {0};
	gr_status rc;
	const char *mname;
	int any = 0, published;

	*out = NULL;
	if (!set || !o || !o->hw || !*o->hw)
		return gr_error_set(err, GR_ERR_USAGE, "calibration needs a platform (--hw ID[:MODE])");
	c.runtime = o->runtime ? o->runtime : "pytorch";
	if (!gr_fusion_rules_find(c.runtime))
		return gr_error_set(err, GR_ERR_USAGE, "unknown runtime '%s'", c.runtime);
	c.runtime = gr_fusion_rules_find(c.runtime)->name;
	/* published whole-model figures get the few-parameter fit (fit_pub.c) */
	published = calib_set_has_published(set, o->hw, c.runtime);
	c.cache = o->cache;
	if (!c.cache) {
		if ((rc = gr_calib_cache_new(o->reg, &own, err)))
			return rc;
		c.cache = own;
	}
	if ((rc = gr_hw_registry_resolve(c.cache->reg, o->hw, &c.hw, &c.mode, err))) {
		if (!strcmp(o->hw, "host"))
			gr_error_set(err, rc, "no platform 'host' in the registry: run 'graphs hw detect --save' first");
		goto out;
	}
	p = calloc(1, sizeof(*p));
	c.G = calloc(NCOL * NCOL, sizeof(double));
	c.h = calloc(NCOL, sizeof(double));
	if (!p || !c.G || !c.h) {
		rc = gr_error_set(err, GR_ERR_NOMEM, "out of memory");
		goto out;
	}
	p->version = GR_PROFILE_FORMAT_VERSION;
	snprintf(p->tm.hw, sizeof(p->tm.hw), "%s", gr_hw_id(c.hw));
	mname = c.mode >= 0 ? gr_hw_mode_name(c.hw, (size_t)c.mode) : "";
	snprintf(p->tm.mode, sizeof(p->tm.mode), "%s", mname ? mname : "");
	snprintf(p->tm.runtime, sizeof(p->tm.runtime), "%s", c.runtime);
	snprintf(p->tool, sizeof(p->tool), "graphs %s", gr_version());
	snprintf(p->sources, sizeof(p->sources), "%s", gr_meas_sources(set));
	if (o->exclude_model)
		snprintf(p->excluded, sizeof(p->excluded), "%s", o->exclude_model);
	now_iso(p->created, sizeof(p->created));
	p->cond = *gr_meas_conditions(set);
	c.threads = p->cond.threads;
	for (int q = 0; q < GR_PREC_COUNT; q++) {
		if (o->precision >= 0 && o->precision != q)
			continue;
		c.prec = (gr_precision)q;
		c.cp = &p->tm.prec[q];
		c.cq = &p->q[q];
		fit_ctx_reset(&c);
		if (published) {
			memset(c.cp, 0, sizeof(*c.cp));
			memset(c.cq, 0, sizeof(*c.cq));
			rc = calib_fit_published(set, o, c.hw, c.mode, c.prec, c.runtime, c.cache,
						 otm_llc_bytes(c.hw), o->lomo, c.cp, c.cq, err);
			if (!rc && c.cp->present)
				rc = calib_fit_published_energy(set, o, c.hw, c.mode, c.prec, c.runtime,
								c.cache, c.cp, c.cq, err);
		} else {
			rc = fit_precision(&c, set, o, err);
		}
		if (rc)
			goto out;
		any |= p->tm.prec[q].present;
		p->total_rows += p->q[q].rows;
	}
	if (!any) {
		rc = gr_error_set(err, GR_ERR_NOT_FOUND, "no measurements of '%s'%s%s%s%s to fit", o->hw,
				  o->precision >= 0 ? " at " : "",
				  o->precision >= 0 ? gr_precision_name((gr_precision)o->precision) : "",
				  o->exclude_model ? " without " : "", o->exclude_model ? o->exclude_model : "");
		goto out;
	}
	calib_profile_set_label(p);
	*out = p;
	p = NULL;
out:
	fit_ctx_reset(&c);
	free(c.rows);
	free(c.row_nodes);
	free(c.row_n_nodes);
	free(c.row_batch);
	free(c.G);
	free(c.h);
	gr_profile_free(p);
	gr_calib_cache_free(own);
	return rc;
}
