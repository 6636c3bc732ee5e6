/* Device and system energy of an estimate. The estimator's energy is the device's own
 * (dynamic pJ/op and pJ/byte plus its static power over the latency). Published power such
 * as MLPerf's is the wall power of a whole box: host CPUs, memory, fans, every accelerator
 * and the power supply's losses. Comparing one with the other is off by the host (an A10
 * server draws ~300 W at the wall where the card draws ~70 W), so the system figure is given
 * separately, and only where the registry describes the box (gr_hw_system_of). */
#include <math.h>
#include <string.h>

#include "estimation/op_time_model.h"
#include "graphs/estimate.h"

const char *otm_energy_scope_name(int scope)
{
	return scope == OTM_ENERGY_DEVICE ? "device" : scope == OTM_ENERGY_SYSTEM ? "system" : NULL;
}

/* A published-power fit is one scale on the energy of the scope the source metered. Device
 * power scales the device energy, which is then fitted as a whole. Wall power cannot be split
 * into device and host, so a system fit scales only the system figure. */
void otm_apply_energy_fit(gr_estimate *e, const otm_prec *cp)
{
	const char *scope = otm_energy_scope_name(cp->energy_pub_scope);

	/* power metered on one platform, runtime and precision says nothing of a time model lent to
	 * another platform or precision (e->borrowed_from): that energy stays theoretical */
	if (!scope || !(cp->energy_pub_scale > 0) || !isfinite(cp->energy_pub_scale) || e->borrowed_from)
		return;
	e->energy_fit_scope = scope;
	e->energy_fit_scale = cp->energy_pub_scale;
	e->energy_error_pct = isfinite(cp->energy_pub_error) ? 100.0 * cp->energy_pub_error : NAN;
	if (cp->energy_pub_scope != OTM_ENERGY_DEVICE)
		return;
	for (size_t k = 0; k < e->n_kernels; k++)
		e->kernels[k].energy_j *= cp->energy_pub_scale;
	e->energy_j *= cp->energy_pub_scale;
	e->energy_fitted_j = e->energy_j;
}

static const char *energy_confidence(const gr_estimate *e)
{
	if (e->energy_j > 0 && e->energy_fitted_j >= 0.99 * e->energy_j)
		return "fitted";
	if (e->energy_fitted_j > 0)
		return "partly_fitted";
	return "theoretical";
}

/* Static draw of one idle peer device: its idle figure, or the class's share of TDP, as the
 * estimator itself assumes. */
static double peer_idle_w(const gr_hw *hw, int mode)
{
	gr_hw_estimator ep;
	char why[128];
	double idle = gr_hw_idle_w(hw), tdp = gr_hw_tdp_w(hw, mode);

	if (idle > 0 || tdp <= 0)
		return idle;
	if (gr_hw_estimator_params(hw, &ep, why, sizeof(why)))
		return 0;
	return ep.idle_share_of_tdp * tdp;
}

void gr_estimate_energy_split(const gr_estimate *e, gr_energy_split *out)
{
	const gr_hw_system *sys = gr_hw_system_of(e->hw);

	out->device_j = e->energy_j;
	out->system_j = NAN;
	out->host_w = 0;
	out->scope = "device";
	out->confidence = out->device_confidence = energy_confidence(e);
	out->fit_scope = NULL;
	out->error_pct = NAN;
	if (e->energy_fit_scope && !strcmp(e->energy_fit_scope, "device")) {
		out->fit_scope = "device";
		out->error_pct = e->energy_error_pct;
	}
	if (!sys || sys->psu_efficiency <= 0)
		return;
	/* one request keeps one accelerator busy; the host pays its idle draw plus what feeding one
	 * accelerator costs, and the others idle at their static power */
	out->host_w = sys->host_idle_w + sys->host_active_w +
		      (double)(sys->accelerators > 1 ? sys->accelerators - 1 : 0) * peer_idle_w(e->hw, e->mode);
	out->system_j = (e->energy_j + out->host_w * e->latency_s) / sys->psu_efficiency;
	out->scope = "device+system";
	if (e->energy_fit_scope && !strcmp(e->energy_fit_scope, "system")) {
		out->system_j *= e->energy_fit_scale;
		out->confidence = "fitted";
		out->fit_scope = "system";
		out->error_pct = e->energy_error_pct;
	}
}
