/* Compare several platforms on one model: the model is loaded and analysed once, then
 * estimated on each platform (with its calibration profile, shipped or transferred), as
 * `graphs compare` does. Build against an installed libgraphs:
 *   cc compare_platforms.c $(pkg-config --cflags --libs graphs) -o compare_platforms
 * Usage: compare_platforms MODEL HW[:MODE]...
 * Prints one JSON object per platform, keys of `graphs compare --format json`'s rows. */
#include <stdio.h>

#include <graphs/calibrate.h>
#include <graphs/estimate.h>
#include <graphs/hw.h>
#include <graphs/model.h>
#include <graphs/zoo.h>

/* One platform: its runtime's partition of g, its profile, the estimate. 0 or 2. */
static int estimate_on(const gr_graph *g, const gr_hw_registry *reg, const char *model, const char *spec)
{
	gr_estimate_opts eo = {.precision = -1};
	gr_error err = {0};
	const gr_hw *hw;
	gr_partition *part = NULL;
	gr_profile *prof = NULL;
	gr_estimate *est = NULL;
	const char *rt;
	int mode, rc = 2;

	if (gr_hw_registry_resolve(reg, spec, &hw, &mode, &err))
		goto out;
	rt = gr_estimate_default_runtime(hw);
	if (gr_partition_build(g, gr_fusion_rules_find(rt), &part, &err))
		goto out;
	if (gr_profile_find_load(spec, rt, &prof, &err) == GR_ERR_NOT_FOUND)
		gr_profile_transfer_find(reg, hw, mode, rt, eo.precision, &prof, &err);
	if (gr_estimate_run_profile(g, part, hw, mode, &eo, prof, &est, &err))
		goto out;
	printf("{\"model\": \"%s\", \"hardware\": \"%s\", \"precision\": \"%s\", \"latency_ms\": %.17g, "
	       "\"energy_mj\": %.17g, \"peak_memory_bytes\": %.17g, \"confidence\": \"%s\"}\n",
	       model, spec, gr_precision_name(est->precision), est->latency_s * 1e3, est->energy_j * 1e3,
	       est->peak_memory_bytes, gr_confidence_name(est->confidence));
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "compare_platforms: %s: %s\n", spec, err.msg);
	gr_estimate_free(est);
	gr_profile_free(prof);
	gr_partition_free(part);
	return rc;
}

int main(int argc, char **argv)
{
	gr_error err = {0};
	gr_hw_registry *reg = NULL;
	gr_graph *g = NULL;
	char path[4096];
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: compare_platforms MODEL HW[:MODE]...\n");
		return 2;
	}
	if (gr_hw_registry_load(gr_hw_builtin_dir(), &reg, &err) ||
	    gr_zoo_resolve(argv[1], path, sizeof(path), &err) || gr_model_load(path, NULL, &g, &err))
		goto fail;
	gr_zoo_bind_defaults(g, argv[1]);
	if (gr_graph_bind_dim(g, "batch", 1, &err) || gr_graph_infer(g, &err))
		goto fail;
	for (int i = 2; i < argc; i++)
		rc |= estimate_on(g, reg, argv[1], argv[i]);
	gr_graph_free(g);
	gr_hw_registry_free(reg);
	return rc;
fail:
	fprintf(stderr, "compare_platforms: %s\n", err.msg);
	gr_graph_free(g);
	gr_hw_registry_free(reg);
	return 2;
}
