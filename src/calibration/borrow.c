/* Classes a calibrated platform never measured (docs/calibrate.md, "Borrowed classes"): such a
 * class borrows, from the nearest other platform of the same runtime that measured both it and a
 * related class, the ratio of its coefficients to the related class's, and applies it to this
 * platform's own fit of the related class. The ratio is taken after scaling the donor to this
 * platform (otm_transfer), so classes on other engines or memory levels scale by their own peaks;
 * the result is held to this platform's physical bounds, and its ops are "transferred". */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "calibration/calib_impl.h"

/* A class measured on the platform itself, with enough ops to carry a ratio. */
static int measured(const otm_class *c)
{
	return c->fitted && !c->borrowed_from[0] && c->points >= 5;
}

/* 1 when the donor's fit tells c and r apart: fits to published whole-model figures give every
 * class the same coefficients, which measures no ratio. */
static int informative(const otm_class *c, const otm_class *r)
{
	for (int k = 0; k < CF_COUNT; k++)
		if (fabs(c->coef[k] - r->coef[k]) > 1e-6 * fmax(c->coef[k], r->coef[k]))
			return 1;
	return 0;
}

typedef struct borrow_search {
	const char *runtime;
	const gr_profile *target;
	gr_precision prec;
	int cls, rel;
	gr_profile *best;
	const gr_hw *best_hw;
	int best_mode;
	double best_dist;
} borrow_search;

/* Considers dir/<id>/<mode>/<runtime>.json (calib_each_donor: not the platform's own profile,
 * the one being completed). */
static void consider(void *ctx, const char *dir, const char *id, const char *mname, const gr_hw *dhw, int dm,
		     double dist)
{
	borrow_search *s = ctx;
	char path[4400];
	gr_profile *p = NULL;
	gr_error e = {0};
	const otm_prec *cp;

	if (s->best && dist >= s->best_dist)
		return;
	snprintf(path, sizeof(path), "%s/%s/%s/%s.json", dir, id, mname, s->runtime);
	if (gr_profile_load(path, &p, &e))
		return;
	cp = &p->tm.prec[s->prec];
	if (!cp->present || strcmp(p->tm.runtime, s->runtime) || strcmp(p->tm.hw, id) ||
	    !measured(&cp->cls[s->cls]) || !measured(&cp->cls[s->rel]) ||
	    !informative(&cp->cls[s->cls], &cp->cls[s->rel])) {
		gr_profile_free(p);
		return;
	}
	gr_profile_free(s->best);
	s->best = p;
	s->best_hw = dhw;
	s->best_mode = dm;
	s->best_dist = dist;
}

/* Seconds class k's FLOP and byte terms take for op n (the work; the per-op cost is the
 * framework's dispatch, which hooked layers of one op cannot tell from the harness's). */
static double class_time(const otm_class *k, const otm_node *n, double bpe)
{
	return k->coef[CF_FLOPS] * n->flops + k->coef[CF_BYTES] * (n->ein + n->eo) * bpe;
}

/* How much slower class c works than class r on the donor (t, already scaled to the target),
 * for c's typical op there (the geometric middle of the sizes it measured): one number, which
 * does not depend on how the donor's fit split the work between FLOP and byte terms (with few
 * distinct sizes that split is poorly determined, the sum is not). 0 when undefined. */
static double ratio_of(const otm_prec *t, int c, int r)
{
	const otm_class *tc = &t->cls[c];
	otm_node n = {0};
	double bpe = t->bytes_per_elem > 0 ? t->bytes_per_elem : 4, tr;

	n.cls = c;
	n.flops = sqrt(fmax(tc->f_min, 0) * fmax(tc->f_max, 0));
	n.ein = sqrt(fmax(tc->b_min, 0) * fmax(tc->b_max, 0)) / bpe;
	tr = class_time(&t->cls[r], &n, bpe);
	return tr > 0 ? class_time(tc, &n, bpe) / tr : 0;
}

/* Class c of precision q as the target's own fit of the related class r times the donor's
 * ratio of c to r, held to the target's bounds. */
static void apply(otm_prec *tp, const otm_prec *t, int c, int r, double ratio, const otm_bounds *ob,
		  const char *label)
{
	otm_class *dst = &tp->cls[c];
	const otm_class *own = &tp->cls[r];
	double peak = otm_bounds_peak(ob, c), bw = otm_bounds_bandwidth(ob, 0, NULL);

	*dst = t->cls[c]; /* the sizes it covers there */
	/* the work terms: the related class's times the ratio; the per-op cost: the related class's
	 * (dispatch); the per-row cost: the donor's, already at the target's clock (otm_transfer),
	 * since a related class without reductions (elementwise) has none to lend */
	for (int k = 0; k < CF_COUNT; k++)
		if (k != CF_ROWS)
			dst->coef[k] = k == CF_OP ? own->coef[k] : own->coef[k] * ratio;
	if (peak > 0 && dst->coef[CF_FLOPS] < 1 / peak)
		dst->coef[CF_FLOPS] = 1 / peak;
	if (bw > 0 && dst->coef[CF_BYTES] < 1 / bw)
		dst->coef[CF_BYTES] = 1 / bw;
	for (int k = 0; k < CF_COUNT; k++)
		dst->coef[k] = fmin(dst->coef[k], 1.0); /* the profile format's range */
	dst->fitted = 1;
	dst->borrowed_of = r;
	snprintf(dst->borrowed_from, sizeof(dst->borrowed_from), "%s", label);
}

int gr_profile_borrow_classes(gr_profile *p, const gr_hw_registry *reg, gr_error *err)
{
	gr_hw_registry *own = NULL;
	const gr_hw *hw;
	int mode = -1, n = 0;

	if (!p)
		return 0;
	if (!reg) {
		if (calib_registry_load(&own, err))
			return -1;
		reg = own;
	}
	if (!(hw = gr_hw_registry_find(reg, p->tm.hw)) ||
	    (p->tm.mode[0] && (mode = gr_hw_mode_find(hw, p->tm.mode)) < 0)) {
		gr_hw_registry_free(own);
		return 0; /* nothing to scale by */
	}
	for (int q = 0; q < GR_PREC_COUNT; q++) {
		otm_prec *tp = &p->tm.prec[q];
		otm_bounds ob;
		if (!tp->present)
			continue;
		otm_bounds_init(&ob, hw, mode, (gr_precision)q);
		for (int c = 0; c < CC_COUNT; c++) {
			borrow_search s = {0};
			int r = otm_related_class(c);
			gr_op_time_model t;
			if (tp->cls[c].fitted || r < 0 || !measured(&tp->cls[r]))
				continue;
			s.runtime = p->tm.runtime;
			s.target = p;
			s.prec = (gr_precision)q;
			s.cls = c;
			s.rel = r;
			calib_each_donor(reg, hw, mode, s.runtime, s.prec, consider, &s);
			if (!s.best)
				continue;
			if (otm_transfer(&s.best->tm, s.best_hw, s.best_mode, hw, mode, &t) &&
			    t.prec[q].present && ratio_of(&t.prec[q], c, r) > 0) {
				apply(tp, &t.prec[q], c, r, ratio_of(&t.prec[q], c, r), &ob, s.best->tm.label);
				n++;
			}
			gr_profile_free(s.best);
		}
	}
	gr_hw_registry_free(own);
	return n;
}
