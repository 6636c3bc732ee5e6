/* Energy per inference from published power: one scale on the estimate's energy per group.
 * Why one scale: the sources give one power figure per run, mostly one or two networks per
 * platform, so the dynamic/static split of the estimator cannot be told apart from them; a
 * scale keeps the estimator's shape (which networks cost more per inference) and moves its
 * level to what the meter saw. The bounds keep it physical: the scaled average power of every
 * row stays between what the scope draws idle and its full budget (TDP, or host + TDPs
 * through the power supply), so a fit cannot make a device run below idle or above TDP. */
#include <math.h>
#include <string.h>

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
