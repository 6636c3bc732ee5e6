/* Predictions with a profile: whole models through the estimator with the profile's fitted
 * time model (gr_estimate_run_profile), single subgraphs/layers as the sum of the ops matched
 * to them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calibration/calib_impl.h"
#include "core/graph_impl.h"

/* The profile's leave-one-model-out error measures its own fits: it says how far to trust an
 * estimate made mostly of them, not one borrowed from it (another platform or precision) or one
 * whose weakest sizeable share is theoretical. */
static void set_error_band(gr_estimate *e, const gr_profile *p)
{
	if (!p || !e->profile || e->borrowed_from || e->confidence == GR_CONF_THEORETICAL)
		return;
	e->error_band_pct = gr_profile_error_band_pct(p, e->precision, GR_METRIC_LATENCY);
}

gr_status gr_estimate_run_profile(const gr_graph *g, const gr_partition *part, const gr_hw *hw, int mode,
				  const gr_estimate_opts *opts, const gr_profile *p, gr_estimate **out,
				  gr_error *err)
{
	gr_status rc = gr_estimate_run_fitted(g, part, hw, mode, opts, p ? &p->tm : NULL, out, err);
	if (rc == GR_OK)
		set_error_band(*out, p);
	return rc;
}

gr_status gr_estimate_run_profile_cached(gr_estimate_cache *c, const gr_hw *hw, int mode,
					 const gr_estimate_opts *opts, const gr_profile *p, gr_estimate **out,
					 gr_error *err)
{
	gr_status rc = gr_estimate_run_cached(c, hw, mode, opts, p ? &p->tm : NULL, out, err);
	if (rc == GR_OK)
		set_error_band(*out, p);
	return rc;
}

/* A whole model under runtime (the profile's runtime wins: its fit belongs to it). */
static gr_status predict_model_rt(gr_calib_cache *c, const gr_profile *p, const char *model,
				  int64_t batch, gr_precision prec, const char *spec, const char *runtime,
				  int amp, const gr_meas_row *row, gr_calib_prediction *out, gr_error *err)
{
	calib_model *m;
	const gr_hw *hw;
	int mode;
	gr_estimate *e = NULL;
	gr_estimate_opts eo = {.precision = (int)prec, .runtime = p ? p->tm.runtime : runtime ? runtime : "pytorch", .amp = amp};
	gr_status rc;

	memset(out, 0, sizeof(*out));
	if (!c)
		return gr_error_set(err, GR_ERR_USAGE, "prediction needs a gr_calib_cache");
	if ((rc = gr_hw_registry_resolve(c->reg, spec, &hw, &mode, err)) ||
	    (rc = row ? calib_row_model(c, row, eo.runtime, &m, err) /* at the shape it ran */
		      : calib_cache_model_conv(c, model, batch, eo.runtime, calib_conv_hw(hw, eo.runtime, (int)prec),
					  &m, err)) ||
	    (rc = gr_estimate_run_profile(m->g, m->p, hw, mode, &eo, p, &e, err)))
		return rc;
	out->latency_s = e->latency_s;
	out->throughput_per_s = gr_estimate_throughput_per_s(e, batch);
	out->energy_j = e->energy_j;
	out->confidence = e->confidence;
	memcpy(out->confidence_share, e->confidence_share, sizeof(out->confidence_share));
	out->matched = 1;
	out->n_kernels = (int)e->n_kernels;
	gr_estimate_free(e);
	return GR_OK;
}

gr_status gr_calib_predict_model(gr_calib_cache *c, const gr_profile *p, const char *model, int64_t batch,
				 gr_precision prec, const char *spec, gr_calib_prediction *out, gr_error *err)
{
	return predict_model_rt(c, p, model, batch, prec, spec, NULL, 0, NULL, out, err);
}

gr_status gr_calib_predict_row(gr_calib_cache *c, const gr_profile *p, const gr_meas_row *r,
			       gr_calib_prediction *out, gr_error *err)
{
	return gr_calib_predict_run_row(c, p, r, NULL, 0, out, err);
}

/* A subgraph row is matched on its own: ops of the modules it names, and the functional ops
 * it names by torch.fx's numbering ("add_3" is the fourth functional add), less the ops the part
 * rows of its run take (calib_node_in_run_row). */
gr_status gr_calib_predict_run_row(gr_calib_cache *c, const gr_profile *p, const gr_meas_row *r,
				   const gr_meas_row *const *run, size_t n_run, gr_calib_prediction *out,
				   gr_error *err)
{
	return gr_calib_predict_run_rows(c, p, &r, 1, run, n_run, out, err);
}

/* The fallback of rows whose ops are not known (not in the zoo, or nothing matched): each row's
 * own work, from the profile's class or a plain roofline on the datasheet. */
static void predict_fallback(const otm_prec *cp, const gr_hw *hw, int mode, const gr_meas_row *r,
			     gr_calib_prediction *out)
{
	otm_node fb;
	int nops;
	gr_confidence conf;

	calib_row_fallback(r, &fb, &nops);
	if (cp && cp->cls[fb.cls].fitted) {
		out->latency_s += otm_node_time(cp, &fb, r->batch, NULL) + cp->cls[fb.cls].coef[CF_OP] * (nops - 1) +
				  (r->standalone ? cp->glob[CG_KERNEL] : cp->glob[CG_ROW]);
		conf = GR_CONF_INTERPOLATED;
	} else {
		double peak = gr_hw_effective_peak_ops(hw, mode, (gr_precision)r->precision);
		double bw = gr_hw_dram_bandwidth(hw, mode);
		double tb = bw > 0 ? fb.ein * gr_estimate_elem_bytes((gr_precision)r->precision) / bw : 0;
		out->latency_s += fmax(peak > 0 ? fb.flops / peak : 0, tb) + 1e-5 * nops;
		conf = GR_CONF_THEORETICAL;
	}
	if (conf > out->confidence)
		out->confidence = conf;
	out->n_kernels++;
}

gr_status gr_calib_predict_run_rows(gr_calib_cache *c, const gr_profile *p, const gr_meas_row *const *rows,
				    size_t n_rows, const gr_meas_row *const *run, size_t n_run,
				    gr_calib_prediction *out, gr_error *err)
{
	const gr_meas_row *r = n_rows ? rows[0] : NULL; /* the group's model run */
	calib_model *m = NULL;
	const gr_hw *hw;
	int mode;
	const otm_prec *cp = NULL;
	gr_error e2 = {0};
	gr_status rc;
	int *node_row = NULL;
	const char *runtime;

	memset(out, 0, sizeof(*out));
	if (!r)
		return gr_error_set(err, GR_ERR_USAGE, "prediction needs a measured row");
	runtime = p ? p->tm.runtime : r->runtime ? r->runtime : "pytorch";
	if (r->kind == GR_MEAS_MODEL)
		return predict_model_rt(c, p, r->model, r->batch, (gr_precision)r->precision, r->hw,
					r->runtime, r->precision_name && !strcmp(r->precision_name, "amp"),
					r, out, err);
	out->throughput_per_s = NAN;
	if (!c)
		return gr_error_set(err, GR_ERR_USAGE, "prediction needs a gr_calib_cache");
	if ((rc = gr_hw_registry_resolve(c->reg, r->hw, &hw, &mode, err)))
		return rc;
	cp = otm_applicable(p ? &p->tm : NULL, hw, mode, (gr_precision)r->precision, runtime);
	if (calib_cache_model_conv(c, r->model, r->batch, runtime,
			      calib_conv_hw(hw, runtime, r->precision), &m, &e2) == GR_OK) {
		size_t matched = 0;
		if (!(node_row = calloc(m->n_nodes + 1, sizeof(int))))
			return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
		for (size_t i = 0; i < m->n_nodes; i++) {
			node_row[i] = -1;
			for (size_t k = 0; k < n_rows && node_row[i] < 0; k++)
				node_row[i] = calib_node_in_run_row(m, i, rows[k], run, n_run) ? 0 : -1;
			matched += node_row[i] == 0;
		}
		out->matched = matched > 0;
	}
	if (out->matched && cp) {
		gr_confidence conf = GR_CONF_CALIBRATED;
		double t = 0, fixed = 0;
		int n = 0, n_call = 0, hooked = 0;
		otm_bounds ob;
		otm_bounds_init(&ob, hw, mode, (gr_precision)r->precision);
		for (size_t i = 0; i < m->n_nodes; i++)
			if (node_row[i] == 0) {
				gr_confidence cf = otm_node_confidence(cp, &m->nodes[i], r->batch);
				double parts[3], floor[2];
				if (cf > conf)
					conf = cf;
				/* each op held to its physical floor, as the estimator does */
				otm_node_time(cp, &m->nodes[i], r->batch, parts);
				otm_node_floor(&ob, &m->nodes[i], floor);
				otm_raise_to_floor(floor, parts);
				t += parts[0] + parts[1] + parts[2];
				n++;
				n_call += cp->cls[m->nodes[i].cls].fitted; /* its time holds a call */
			}
		/* a subgraph timed on its own pays its launch/sync; a hooked layer its hooks, but not
		 * the call path around them; a part's hooks are its module's (fit.c); a group pays
		 * each of its rows' */
		for (size_t k = 0; k < n_rows; k++) {
			fixed += rows[k]->standalone ? cp->glob[CG_KERNEL]
						     : (calib_row_is_part(rows[k]) ? 0 : cp->glob[CG_ROW]);
			hooked |= !rows[k]->standalone;
		}
		if (hooked)
			fixed -= n_call * cp->glob[CG_CALL];
		t += fixed;
		out->latency_s = t;
		out->confidence = conf;
		out->n_kernels = n;
	} else if (out->matched) {
		/* theoretical: the estimator's kernels, each split evenly over its ops */
		gr_estimate *e = NULL;
		gr_estimate_opts eo = {.precision = r->precision, .runtime = runtime, .amp = r->precision_name && !strcmp(r->precision_name, "amp")};
		if ((rc = gr_estimate_run(m->g, m->p, hw, mode, &eo, &e, err))) {
			free(node_row);
			return rc;
		}
		for (size_t k = 0; k < e->n_kernels; k++) {
			const gr_kernel *kr = e->kernels[k].kernel;
			for (size_t j = 0; j < kr->count; j++)
				if (node_row[gr_partition_node(m->p, kr, j)->index] == 0) {
					out->latency_s += e->kernels[k].latency_s / (double)kr->count;
					out->energy_j += e->kernels[k].energy_j / (double)kr->count;
					out->n_kernels++;
				}
		}
		out->confidence = GR_CONF_THEORETICAL;
		gr_estimate_free(e);
	} else {
		/* not in the zoo, or nothing matched: the rows' own work */
		for (size_t k = 0; k < n_rows; k++)
			predict_fallback(cp, hw, mode, rows[k], out);
	}
	out->confidence_share[out->confidence] = 1;
	if (cp && cp->has_energy && out->energy_j == 0)
		out->energy_j = cp->static_w * out->latency_s;
	free(node_row);
	return GR_OK;
}
