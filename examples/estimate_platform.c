/* Estimate a model on one platform of the registry: latency, energy and peak memory, with the
 * platform's calibration profile when one is shipped (else one transferred from the nearest
 * calibrated relative), as `graphs estimate` does. Build against an installed libgraphs:
 *   cc estimate_platform.c $(pkg-config --cflags --libs graphs) -o estimate_platform
 * Usage: estimate_platform MODEL HW[:MODE] [PRECISION] [BATCH]
 * Prints one JSON object with keys of `graphs estimate MODEL --hw HW --format json`. */
#include <stdio.h>
#include <stdlib.h>

#include <graphs/calibrate.h>
#include <graphs/estimate.h>
#include <graphs/hw.h>
#include <graphs/model.h>
#include <graphs/zoo.h>

int main(int argc, char **argv)
{
	const char *model = argc > 1 ? argv[1] : "resnet50";
	const char *spec = argc > 2 ? argv[2] : "nvidia_t4";
	long long batch = argc > 4 ? atoll(argv[4]) : 1;
	gr_estimate_opts eo = {.precision = -1}; /* -1: the platform's preferred precision */
	gr_error err = {0};
	gr_hw_registry *reg = NULL; /* owned: gr_hw_registry_free */
	const gr_hw *hw;            /* borrowed from reg */
	gr_graph *g = NULL;         /* owned: gr_graph_free */
	gr_partition *part = NULL;  /* owned: gr_partition_free; borrows g */
	gr_profile *prof = NULL;    /* owned: gr_profile_free; the estimate borrows its label */
	gr_estimate *est = NULL;    /* owned: gr_estimate_free */
	const char *rt;
	char path[4096];
	int mode, rc = 2;

	if (argc > 3 && (eo.precision = gr_precision_parse(argv[3])) < 0) {
		fprintf(stderr, "estimate_platform: unknown precision '%s'\n", argv[3]);
		return 2;
	}
	/* the registry shipped with the library (its data folder), plus $GRAPHS_HARDWARE_PATH */
	if (gr_hw_registry_load(gr_hw_builtin_dir(), &reg, &err) ||
	    gr_hw_registry_resolve(reg, spec, &hw, &mode, &err))
		goto out;
	if (gr_zoo_resolve(model, path, sizeof(path), &err) || gr_model_load(path, NULL, &g, &err))
		goto out;
	gr_zoo_bind_defaults(g, model);
	if (gr_graph_bind_dim(g, "batch", batch, &err) || gr_graph_infer(g, &err))
		goto out;
	/* kernels as the runtime `graphs estimate` picks fuses them (an accelerator calibrated for
	 * its vendor's toolchain runs under it) */
	rt = gr_profile_default_runtime(hw, mode);
	eo.runtime = rt;
	if (gr_partition_build(g, gr_fusion_rules_find(rt), &part, &err))
		goto out;
	/* a profile of this platform when shipped, else one transferred; none: theoretical */
	if (gr_profile_find_load(spec, rt, &prof, &err) == GR_ERR_NOT_FOUND)
		gr_profile_transfer_find(NULL, hw, mode, rt, eo.precision, &prof, &err);
	if (gr_estimate_run_profile(g, part, hw, mode, &eo, prof, &est, &err))
		goto out;
	printf("{\"model\": \"%s\", \"hardware\": \"%s\", \"precision\": \"%s\", \"batch\": %lld, "
	       "\"runtime\": \"%s\", \"latency_ms\": %.17g, \"energy_mj\": %.17g, "
	       "\"peak_memory_bytes\": %.17g, \"params\": %lld, \"confidence\": \"%s\"}\n",
	       model, spec, gr_precision_name(est->precision), batch, est->runtime, est->latency_s * 1e3,
	       est->energy_j * 1e3, est->peak_memory_bytes, (long long)est->params,
	       gr_confidence_name(est->confidence));
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "estimate_platform: %s\n", err.msg);
	gr_estimate_free(est);
	gr_profile_free(prof);
	gr_partition_free(part);
	gr_graph_free(g);
	gr_hw_registry_free(reg);
	return rc;
}
