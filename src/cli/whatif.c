/* What-if estimates shared by serve, split and advise (see whatif.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/whatif.h"

int whatif_load(whatif *w, cli_estimate_args *a, int64_t batch)
{
	cli_model_opts mo = a->model;
	int rc;

	memset(w, 0, sizeof(*w));
	w->a = a;
	if (batch > 0)
		mo.batch = batch;
	if ((rc = cli_load_model(&mo, &w->g, &w->batch)))
		return rc;
	cli_coverage_of(w->g, &w->cov);
	return EXIT_OK;
}

const gr_partition *whatif_partition(whatif *w, const char *rt)
{
	gr_partition *p = NULL;
	for (size_t k = 0; k < w->n_parts; k++)
		if (!strcmp(w->part_rt[k], rt))
			return w->parts[k];
	if (w->n_parts == WHATIF_MAX_PARTS || cli_partition(w->g, rt, &p))
		return NULL;
	w->part_rt[w->n_parts] = rt;
	w->parts[w->n_parts++] = p;
	return p;
}

static void whatif_keep_profile(whatif *w, gr_profile *prof)
{
	gr_profile **np;
	if (!prof)
		return;
	if (!(np = realloc(w->profs, (w->n_profs + 1) * sizeof(*np)))) {
		/* cannot keep it: it must outlive the estimate, so leak it rather than free it */
		return;
	}
	w->profs = np;
	w->profs[w->n_profs++] = prof;
}

int whatif_estimate(whatif *w, const gr_hw *hw, int mode, const gr_estimate_opts *eo, gr_estimate **out,
		    char *why, size_t why_size)
{
	gr_estimate_opts o = *eo;
	const char *rt = o.runtime ? o.runtime : cli_default_runtime(hw, mode, w->a);
	const gr_partition *p;
	gr_profile *prof = NULL;
	gr_error err = {0};
	gr_status st;

	*out = NULL;
	o.runtime = rt;
	if (!(p = whatif_partition(w, rt))) {
		if (why)
			snprintf(why, why_size, "cannot partition the model for runtime %s", rt);
		return EXIT_BAD_INPUT;
	}
	cli_profile_for(hw, mode, rt, NULL, w->a, &prof);
	st = gr_estimate_run_profile(w->g, p, hw, mode, &o, prof, out, &err);
	if (!st) {
		cli_conditions_note(*out, hw, prof);
		cli_estimate_note(*out, w->a->why_theoretical);
	}
	/* the estimate keeps the profile's label: keep the profile while it lives */
	if (st) {
		gr_profile_free(prof);
		if (why)
			snprintf(why, why_size, "%s", err.msg);
		else
			cli_fail(st == GR_ERR_UNSUPPORTED || st == GR_ERR_USAGE ? EXIT_USAGE : EXIT_BAD_INPUT, "%s",
				 err.msg);
		return st == GR_ERR_UNSUPPORTED || st == GR_ERR_USAGE ? EXIT_USAGE : EXIT_BAD_INPUT;
	}
	whatif_keep_profile(w, prof);
	return EXIT_OK;
}

void whatif_release(whatif *w)
{
	for (size_t k = 0; k < w->n_parts; k++)
		gr_partition_free(w->parts[k]);
	for (size_t k = 0; k < w->n_profs; k++)
		gr_profile_free(w->profs[k]);
	free(w->profs);
	gr_graph_free(w->g);
	memset(w, 0, sizeof(*w));
}
