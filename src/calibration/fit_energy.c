/* Energy per inference from published power: one scale on the estimate's energy per group.
 * Why one scale: the sources give one power figure per run, mostly one or two networks per
 * platform, so the dynamic/static split of the estimator cannot be told apart from them; a
 * scale keeps the estimator's shape (which networks cost more per inference) and moves its
 * level to what the meter saw. The bounds keep it physical: the scaled average power of every
 * row stays between what the scope draws idle and its full budget (TDP, or host + TDPs
 * through the power supply), so a fit cannot make a device run below idle or above TDP. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calibration/calib_impl.h"
#include "graphs/energy_fit.h"

double gr_energy_row_measured_j(const gr_energy_row *r)
{
	if (!(r->power_w > 0) || !(r->value > 0) || !isfinite(r->power_w) || !isfinite(r->value))
		return NAN;
	if (r->is_throughput)
		return r->power_w / r->value;
	return r->batch > 0 ? r->power_w * r->value * 1e-3 / (double)r->batch : NAN;
}

double gr_energy_row_estimated_j(const gr_energy_row *r)
{
	if (!(r->est_energy_j > 0) || !(r->est_latency_s > 0) || !(r->est_throughput > 0) ||
	    !isfinite(r->est_energy_j) || !isfinite(r->est_latency_s) || !isfinite(r->est_throughput))
		return NAN;
	return r->est_energy_j / r->est_latency_s / r->est_throughput;
}

static int row_usable(const gr_energy_row *r)
{
	return isfinite(gr_energy_row_measured_j(r)) && isfinite(gr_energy_row_estimated_j(r));
}

/* Range of scales every usable row allows: floor <= scale x estimated power <= ceil. */
static void scale_bounds(const gr_energy_row *rows, size_t n, double *lo, double *hi)
{
	*lo = 0;
	*hi = INFINITY;
	for (size_t i = 0; i < n; i++) {
		const gr_energy_row *r = &rows[i];
		double p;
		if (!row_usable(r))
			continue;
		p = r->est_energy_j / r->est_latency_s;
		if (r->floor_w > 0 && r->floor_w / p > *lo)
			*lo = r->floor_w / p;
		if (r->ceil_w > 0 && r->ceil_w / p < *hi)
			*hi = r->ceil_w / p;
	}
}

/* Geometric-mean scale over the usable rows whose model is not skip_model and whose index is
 * not skip_row, clamped into [lo, hi]. Returns 0 when no row is left. */
static int fit_scale(const gr_energy_row *rows, size_t n, const char *skip_model, size_t skip_row,
		     double lo, double hi, double *scale, int *clamped)
{
	double s = 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!row_usable(&rows[i]) || i == skip_row ||
		    (skip_model && rows[i].model && !strcmp(rows[i].model, skip_model)))
			continue;
		s += log(gr_energy_row_measured_j(&rows[i]) / gr_energy_row_estimated_j(&rows[i]));
		k++;
	}
	if (!k)
		return 0;
	*scale = exp(s / (double)k);
	*clamped = 0;
	/* conflicting bounds (the registry's idle and budget figures disagree with each other
	 * across rows): keep the scale between the two, the caller sees bounds_conflict */
	if (lo > hi) {
		double t = lo;
		lo = hi;
		hi = t;
	}
	if (*scale < lo) {
		*scale = lo;
		*clamped = 1;
	} else if (*scale > hi) {
		*scale = hi;
		*clamped = 1;
	}
	return 1;
}

static double ape(const gr_energy_row *r, double scale)
{
	double m = gr_energy_row_measured_j(r);
	return fabs(scale * gr_energy_row_estimated_j(r) - m) / m * 100.0;
}

gr_status gr_energy_fit_rows(const gr_energy_row *rows, size_t n, gr_energy_fit *out, gr_error *err)
{
	double sum_t = 0, sum_f = 0, sum_lomo = 0, sum_loro = 0;
	size_t used = 0, lomo_n = 0, loro_n = 0;
	int c;

	if (!out || (!rows && n))
		return gr_error_set(err, GR_ERR_USAGE, "gr_energy_fit_rows: NULL argument");
	memset(out, 0, sizeof(*out));
	out->mape_lomo = out->mape_loro = NAN;
	scale_bounds(rows, n, &out->scale_lo, &out->scale_hi);
	out->bounds_conflict = out->scale_lo > out->scale_hi;
	if (!fit_scale(rows, n, NULL, (size_t)-1, out->scale_lo, out->scale_hi, &out->scale, &out->clamped))
		return gr_error_set(err, GR_ERR_USAGE, "energy fit: none of the %zu rows has a positive "
				    "power, value and estimate", n);
	for (size_t i = 0; i < n; i++) {
		double s;
		size_t j;
		if (!row_usable(&rows[i]))
			continue;
		used++;
		sum_t += ape(&rows[i], 1.0);
		sum_f += ape(&rows[i], out->scale);
		/* a model counts once: the first of its rows */
		for (j = 0; j < i; j++)
			if (row_usable(&rows[j]) && rows[j].model && rows[i].model &&
			    !strcmp(rows[j].model, rows[i].model))
				break;
		if (j == i)
			out->models++;
		if (rows[i].model && fit_scale(rows, n, rows[i].model, (size_t)-1, out->scale_lo,
					       out->scale_hi, &s, &c)) {
			sum_lomo += ape(&rows[i], s);
			lomo_n++;
		}
		if (fit_scale(rows, n, NULL, i, out->scale_lo, out->scale_hi, &s, &c)) {
			sum_loro += ape(&rows[i], s);
			loro_n++;
		}
	}
	out->rows = used;
	out->mape_theory = sum_t / (double)used;
	out->mape_fit = sum_f / (double)used;
	if (out->models >= 2 && lomo_n)
		out->mape_lomo = sum_lomo / (double)lomo_n;
	if (used >= 2 && loro_n)
		out->mape_loro = sum_loro / (double)loro_n;
	return GR_OK;
}

/* ---- calibrate --from: the published rows with power of one precision --------------------- */

/* The box idles at host + every device idle and tops out at host + their TDPs, all through the
 * supply (gr_estimate_energy_split's model); idle from the registry, else the class's share. */
static void system_bounds(const gr_hw *hw, int mode, const gr_hw_system *sys, double *floor_w, double *ceil_w)
{
	double idle = gr_hw_idle_w(hw), tdp = gr_hw_tdp_w(hw, mode);
	gr_hw_estimator ep;
	char why[128];

	if (idle <= 0 && gr_hw_estimator_params(hw, &ep, why, sizeof(why)) == 0)
		idle = ep.idle_share_of_tdp * tdp;
	*floor_w = (sys->host_idle_w + idle * (double)sys->accelerators) / sys->psu_efficiency;
	*ceil_w = (sys->host_idle_w + sys->host_active_w + tdp * (double)sys->accelerators) /
		  sys->psu_efficiency;
}

static void add_source(char *buf, size_t size, const char *src)
{
	size_t l = strlen(buf);
	if (!src || strstr(buf, src) || l + strlen(src) + 3 >= size)
		return;
	snprintf(buf + l, size - l, "%s%s", l ? ", " : "", src);
}

/* Published power is what the source metered. The only source with power (MLPerf, see
 * data/published/README.md "Power") meters the wall of the whole system under test, so it is
 * compared with the system energy, and a platform without a system description is left out. */
gr_status calib_fit_published_energy(const gr_meas_set *set, const gr_fit_opts *o, const gr_hw *hw, int mode,
				     gr_precision prec, const char *runtime, gr_calib_cache *cache,
				     otm_prec *cp, calib_quality *cq, gr_error *err)
{
	const gr_hw_system *sys = gr_hw_system_of(hw);
	calib_energy_quality *q = &cq->epub;
	gr_op_time_model tm;
	gr_energy_row *rows = NULL;
	gr_energy_fit fit;
	size_t n = 0;
	const char *mname = mode >= 0 ? gr_hw_mode_name(hw, (size_t)mode) : "";
	gr_status rc = GR_OK;

	memset(q, 0, sizeof(*q));
	memset(&tm, 0, sizeof(tm));
	snprintf(tm.hw, sizeof(tm.hw), "%s", gr_hw_id(hw));
	snprintf(tm.mode, sizeof(tm.mode), "%s", mname ? mname : "");
	snprintf(tm.runtime, sizeof(tm.runtime), "%s", runtime);
	tm.prec[prec] = *cp;
	tm.prec[prec].energy_pub_scope = OTM_ENERGY_NONE;
	for (size_t i = 0; i < gr_meas_count(set); i++) {
		const gr_meas_row *r = gr_meas_at(set, i);
		calib_model *m = NULL;
		gr_estimate *e = NULL;
		gr_energy_split es;
		gr_error e2 = {0};
		int amp = r->precision_name && !strcmp(r->precision_name, "amp");
		gr_estimate_opts eo = {.precision = (int)prec, .runtime = runtime, .amp = amp};
		gr_energy_row *nr;

		if (!r->published || !(r->avg_power_w > 0) || r->precision != (int)prec || strcmp(r->hw, o->hw) ||
		    strcmp(r->runtime ? r->runtime : "", runtime) ||
		    (o->exclude_model && !strcmp(r->model, o->exclude_model)))
			continue;
		if (!sys || sys->psu_efficiency <= 0) {
			q->skip_no_system++;
			continue;
		}
		/* the same rows the time fit keeps: the zoo graph, at the published input shape */
		if ((r->mapping && strcmp(r->mapping, "torchvision_exact") && strcmp(r->mapping, "same_arch")) ||
		    calib_row_model(cache, r, runtime, &m, &e2))
			continue;
		if (gr_estimate_run_fitted(m->g, m->p, hw, mode, &eo, &tm, &e, &e2))
			continue;
		gr_estimate_energy_split(e, &es);
		if (!(nr = realloc(rows, (n + 1) * sizeof(*rows)))) {
			gr_estimate_free(e);
			rc = gr_error_set(err, GR_ERR_NOMEM, "out of memory");
			goto out;
		}
		rows = nr;
		nr = &rows[n++];
		memset(nr, 0, sizeof(*nr));
		nr->model = r->model;
		nr->batch = r->batch;
		nr->is_throughput = r->metric == GR_METRIC_THROUGHPUT;
		nr->value = nr->is_throughput ? r->throughput_per_s : r->latency_s * 1e3;
		nr->power_w = r->avg_power_w;
		nr->est_latency_s = e->latency_s;
		nr->est_throughput = gr_estimate_throughput_per_s(e, r->batch);
		nr->est_energy_j = es.system_j;
		system_bounds(hw, mode, sys, &nr->floor_w, &nr->ceil_w);
		add_source(q->sources, sizeof(q->sources), r->source);
		gr_estimate_free(e);
	}
	/* nothing to fit is not an error: the precision's energy stays theoretical */
	if (!n || gr_energy_fit_rows(rows, n, &fit, err) != GR_OK) {
		int skipped = q->skip_no_system;
		memset(q, 0, sizeof(*q));
		q->skip_no_system = skipped;
		goto out;
	}
	q->rows = (int)fit.rows;
	q->models = (int)fit.models;
	q->clamped = fit.clamped;
	q->mape_theory = fit.mape_theory / 100.0;
	q->mape_fit = fit.mape_fit / 100.0;
	q->lomo_mape = fit.mape_lomo / 100.0;
	q->loro_mape = fit.mape_loro / 100.0;
	/* one row is one number: a scale fitted to it has no error to report, so the energy stays
	 * theoretical (the quality still says how far the estimate was) */
	if (!isfinite(q->lomo_mape) && !isfinite(q->loro_mape))
		goto out;
	cp->energy_pub_scope = OTM_ENERGY_SYSTEM;
	cp->energy_pub_scale = fit.scale;
	cp->energy_pub_error = isfinite(q->lomo_mape) ? q->lomo_mape : q->loro_mape;
out:
	free(rows);
	return rc;
}
