/* A what-if sweep: one model at several batch sizes on several platforms, each at its native
 * precisions, written as `graphs sweep MODEL --hw HW,... --batch B,... --format csv` writes it
 * (the same rows, bytes and grid id). The model is loaded and partitioned once per batch and
 * reused on every platform; the estimate cache keeps its analysis between platforms.
 * Build against an installed libgraphs:
 *   cc sweep.c $(pkg-config --cflags --libs graphs) -o sweep
 * Usage: sweep MODEL BATCH[,BATCH...] HW[:MODE]... */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <graphs/calibrate.h>
#include <graphs/estimate.h>
#include <graphs/hw.h>
#include <graphs/model.h>
#include <graphs/report.h>
#include <graphs/sweep.h>
#include <graphs/zoo.h>

#define MAX_ITEMS 64

/* The estimate of one point into row; on failure the row says why (err's message). */
static void estimate_point(gr_estimate_cache *cache, const gr_hw *hw, int mode, int prec, const char *rt,
			   const gr_profile *prof, int64_t batch, gr_sweep_row *row, gr_error *err)
{
	gr_estimate_opts eo = {.precision = prec, .runtime = rt};
	gr_estimate *e = NULL;
	gr_status st = gr_estimate_run_profile_cached(cache, hw, mode, &eo, prof, &e, err);

	if (st) {
		row->status = st == GR_ERR_UNSUPPORTED ? GR_SWEEP_UNSUPPORTED : GR_SWEEP_FAILED;
		row->reason = err->msg;
		return;
	}
	row->status = GR_SWEEP_OK;
	row->runtime = e->runtime;
	row->latency_ms = e->latency_s * 1e3;
	row->throughput_per_s = gr_estimate_throughput_per_s(e, batch);
	row->energy_mj = e->energy_j * 1e3;
	row->peak_memory_bytes = e->peak_memory_bytes;
	row->confidence = gr_confidence_name(e->confidence);
	row->lower_bound = e->unknown_ops > 0;
	row->reason = "";
	gr_estimate_free(e);
}

/* Every platform and native precision of one (model, batch) block, in the grid's order. */
static int sweep_block(gr_sweep_writer *w, const gr_sweep_grid *g, const char *path, size_t bi,
		       const int *modes, gr_profile **profs)
{
	int64_t batch = g->batches[bi];
	gr_graph *graph = NULL;
	gr_error err = {0};
	int rc = 0;

	if (gr_model_load(path, NULL, &graph, &err))
		return -1;
	gr_zoo_bind_defaults(graph, g->models[0]);
	if (gr_graph_bind_dim(graph, "batch", batch, &err) || gr_graph_infer(graph, &err)) {
		gr_graph_free(graph);
		return -1;
	}
	for (size_t h = 0; h < g->n_hw && !rc; h++) {
		const char *rt = gr_profile_default_runtime(g->hw[h], modes[h]);
		gr_partition *part = NULL;
		gr_estimate_cache *cache = NULL;

		if (gr_partition_build(graph, gr_fusion_rules_find(rt), &part, &err) ||
		    !(cache = gr_estimate_cache_new(graph, part))) {
			gr_partition_free(part);
			rc = -1;
			break;
		}
		for (size_t q = 0; q < g->hw_n_precs[h] && !rc; q++) {
			int prec = g->hw_precs[h * GR_PREC_COUNT + q];
			gr_sweep_row row = {bi * g->block + g->hw_first[h] + q, g->models[0], g->hw_specs[h],
					    gr_precision_name((gr_precision)prec), rt, batch,
					    GR_SWEEP_FAILED, NAN, NAN, NAN, NAN, NULL, 0, ""};
			estimate_point(cache, g->hw[h], modes[h], prec, rt, profs[h * GR_PREC_COUNT + q], batch,
				       &row, &err);
			rc = gr_sweep_writer_row(w, &row, &err) ? -1 : 0;
		}
		gr_estimate_cache_free(cache);
		gr_partition_free(part);
	}
	if (rc)
		fprintf(stderr, "sweep: %s\n", err.msg);
	gr_graph_free(graph);
	return rc;
}

int main(int argc, char **argv)
{
	gr_error err = {0};
	gr_hw_registry *reg = NULL;
	gr_sweep_grid g = {0};
	gr_sweep_writer *w;
	const gr_hw *hw[MAX_ITEMS];
	int modes[MAX_ITEMS];
	int64_t batches[MAX_ITEMS];
	gr_profile *profs[MAX_ITEMS * GR_PREC_COUNT] = {0};
	const char *model = argc > 1 ? argv[1] : "";
	char path[4096], *s = argc > 2 ? argv[2] : "";
	size_t nb = 0, nh = (size_t)(argc > 3 ? argc - 3 : 0);
	int rc = 2;

	while (*s && nb < MAX_ITEMS) { /* each batch a whole number >= 1, one comma between */
		char *end;
		long long v = strtoll(s, &end, 10);
		if (end == s || v < 1 || (*end && *end != ','))
			break;
		batches[nb++] = v;
		s = end + (*end == ',' && end[1]);
	}
	if (argc < 4 || nh > MAX_ITEMS || !nb || *s) {
		fprintf(stderr, "usage: sweep MODEL BATCH[,BATCH...] HW[:MODE]...\n");
		return 2;
	}
	if (gr_hw_registry_load(gr_hw_builtin_dir(), &reg, &err) || gr_zoo_resolve(model, path, sizeof(path), &err))
		goto out;
	for (size_t h = 0; h < nh; h++)
		if (gr_hw_registry_resolve(reg, argv[3 + h], &hw[h], &modes[h], &err))
			goto out;
	g = (gr_sweep_grid){.n_models = 1, .models = (const char *const *)&argv[1], .n_batches = nb,
			    .batches = batches, .n_hw = nh, .hw = hw, .hw_specs = (const char *const *)&argv[3],
			    .options = ""};
	if (gr_sweep_grid_init(&g, &err))
		goto out;
	/* each platform's profile at each of its precisions, looked up once: shipped, else borrowed */
	for (size_t h = 0; h < nh; h++)
		for (size_t q = 0; q < g.hw_n_precs[h]; q++) {
			const char *rt = gr_profile_default_runtime(hw[h], modes[h]);
			gr_profile **p = &profs[h * GR_PREC_COUNT + q];
			if (gr_profile_find_load(argv[3 + h], rt, p, &err) == GR_ERR_NOT_FOUND)
				gr_profile_transfer_find(reg, hw[h], modes[h], rt, g.hw_precs[h * GR_PREC_COUNT + q],
							 p, &err);
		}
	if (!(w = gr_sweep_writer_new(&g, GR_FMT_CSV, NULL, stdout)))
		goto out;
	rc = 0;
	for (size_t b = 0; b < nb && !rc; b++)
		rc = sweep_block(w, &g, path, b, modes, profs) ? 2 : 0;
	if (gr_sweep_writer_end(w, &err) && !rc)
		rc = 2;
out:
	if (rc && err.msg[0])
		fprintf(stderr, "sweep: %s\n", err.msg);
	for (size_t i = 0; i < sizeof(profs) / sizeof(profs[0]); i++)
		gr_profile_free(profs[i]);
	gr_sweep_grid_release(&g);
	gr_hw_registry_free(reg);
	return rc;
}
