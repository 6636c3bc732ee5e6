/* Speed of the estimator: every zoo model on every registry platform in one process.
 * Loading and inference happen once per model; each platform then gets a partition-reusing
 * estimate, which is what `graphs compare --hw all` and sweeps do.
 * Prints estimates per second and the ratio to the 1 s budget of the issue. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "graphs/estimate.h"
#include "graphs/model.h"
#include "graphs/zoo.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(void)
{
	gr_zoo_entry *zoo;
	size_t nz, estimates = 0, failures = 0;
	gr_hw_registry *reg;
	gr_error err = {0};
	double t0, t_load = 0, t_est = 0;

	if (gr_zoo_list(&zoo, &nz, &err) || gr_hw_registry_load(gr_hw_builtin_dir(), &reg, &err)) {
		fprintf(stderr, "bench: %s\n", err.msg);
		return 2;
	}
	t0 = now();
	for (size_t i = 0; i < nz; i++) {
		char path[1024];
		gr_graph *g = NULL;
		gr_partition *p = NULL;
		double t1 = now();
		if (gr_zoo_resolve(zoo[i].name, path, sizeof(path), &err) || gr_model_load(path, NULL, &g, &err) ||
		    (gr_zoo_bind_defaults(g, zoo[i].name), gr_graph_bind_dim(g, "batch", 1, &err)) || gr_graph_infer(g, &err) ||
		    gr_partition_build(g, gr_fusion_rules_find("pytorch"), &p, &err)) {
			fprintf(stderr, "bench: %s: %s\n", zoo[i].name, err.msg);
			gr_graph_free(g);
			failures++;
			continue;
		}
		double t2 = now();
		t_load += t2 - t1;
		for (size_t h = 0; h < gr_hw_registry_count(reg); h++) {
			gr_estimate *e = NULL;
			gr_estimate_opts eo = {.precision = -1, .runtime = NULL, .amp = 0};
			if (gr_estimate_run(g, p, gr_hw_registry_at(reg, h), -1, &eo, &e, &err) == GR_OK)
				estimates++;
			gr_estimate_free(e);
		}
		t_est += now() - t2;
		gr_partition_free(p);
		gr_graph_free(g);
	}
	double total = now() - t0;
	printf("models %zu, platforms %zu, estimates %zu (%zu models failed)\n", nz,
	       gr_hw_registry_count(reg), estimates, failures);
	printf("load+infer+partition %.3f s, estimation %.3f s, total %.3f s\n", t_load, t_est, total);
	printf("estimates per second (whole run): %.0f; (estimation only): %.0f\n", estimates / total,
	       t_est > 0 ? estimates / t_est : 0);
	printf("ratio to the 1 s budget: %.3f (%s)\n", total / 1.0, total < 1.0 ? "ok" : "over budget");
	free(zoo);
	gr_hw_registry_free(reg);
	return total < 1.0 && !failures ? 0 : 1;
}
