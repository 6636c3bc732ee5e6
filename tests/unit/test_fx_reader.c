/* Unit tests of the PyTorch FX JSON frontend (src/frontends/fx_*.c) and of tools/export_fx.py.
 * Fixtures: tests/fixtures/fx/ (make_fixtures.sh, make_bad.py) and the fuzz corpus
 * tests/fuzz/corpus_fx/ (make_corpus_fx.py), replayed here so that the ASan build runs it too. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/graph_impl.h"
#include "graphs/model.h"
#include "reader_test.h"

#ifndef GRAPHS_SOURCE_DIR
#define GRAPHS_SOURCE_DIR "."
#endif
#ifndef GRAPHS_BINARY_DIR
#define GRAPHS_BINARY_DIR "."
#endif
#define FIXTURES GRAPHS_SOURCE_DIR "/tests/fixtures/fx"
#define MODELS GRAPHS_SOURCE_DIR "/models"
#define CORPUS GRAPHS_SOURCE_DIR "/tests/fuzz/corpus_fx"

/* --- helpers ---------------------------------------------------------------------- */

static gr_graph *load_fx(const char *path)
{
	return rt_load_ok(gr_fx_load_mem, path);
}

/* The header's param_count (what torch counts). */
static double header_params(const char *path)
{
	size_t n;
	unsigned char *data = rt_slurp(path, &n);
	cJSON *root = cJSON_ParseWithLength((const char *)data, n);
	const cJSON *p;
	double v;

	assert_non_null(root);
	p = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "fx_graph"), "param_count");
	assert_true(cJSON_IsNumber(p));
	v = p->valuedouble;
	cJSON_Delete(root);
	free(data);
	return v;
}

/* --- acceptance: FX vs the zoo's ONNX ---------------------------------------------------- */

static void fx_reader_matches_zoo_onnx_params_and_flops(void **state)
{
	static const char *const models[] = {"resnet50", "mobilenet_v3_large", "vit_b_16"};

	(void)state;
	for (size_t m = 0; m < sizeof(models) / sizeof(models[0]); m++) {
		char fx_path[1024], onnx_path[1024];
		gr_graph *fx, *onnx = NULL;
		gr_graph_totals a, b;
		gr_error err = {0};
		double dflops, dparams;

		snprintf(fx_path, sizeof(fx_path), "%s/%s.fx.json", FIXTURES, models[m]);
		snprintf(onnx_path, sizeof(onnx_path), "%s/%s.onnx", MODELS, models[m]);
		fx = load_fx(fx_path);
		/* the zoo's files leave the batch symbolic: bind it like `graphs profile` does */
		if (gr_model_load(onnx_path, NULL, &onnx, &err) != GR_OK ||
		    gr_graph_bind_dim(onnx, "batch", 1, &err) != GR_OK ||
		    gr_graph_infer(onnx, &err) != GR_OK)
			fail_msg("%s: %s", onnx_path, err.msg);
		gr_graph_totals_compute(fx, &a);
		gr_graph_totals_compute(onnx, &b);
		dflops = fabs(a.flops - b.flops) / b.flops;
		dparams = fabs((double)a.params - (double)b.params) / (double)b.params;
		print_message("%-20s FX %lld params %.4g FLOPs | ONNX %lld params %.4g FLOPs | "
			      "diff %.3f%% / %.3f%%\n", models[m], (long long)a.params, a.flops,
			      (long long)b.params, b.flops, 100 * dparams, 100 * dflops);
		assert_int_equal(a.unknown_ops, 0);
		assert_int_equal(a.nodes_known, a.nodes);
		assert_true(dparams < 0.01);
		assert_true(dflops < 0.01);
		gr_graph_free(fx);
		gr_graph_free(onnx);
	}
}

/* --- shapes and parameters -------------------------------------------------------------- */

static void fx_reader_infers_the_shapes_fx_recorded(void **state)
{
	DIR *d = opendir(FIXTURES);
	struct dirent *e;
	size_t files = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[1024];
		size_t checked, bad;
		gr_graph_totals tot;
		gr_graph *g;

		if (!rt_has_suffix(e->d_name, ".fx.json") || !strcmp(e->d_name, "unknown_net.fx.json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", FIXTURES, e->d_name);
		g = load_fx(path);
		gr_graph_totals_compute(g, &tot);
		bad = rt_compare_declared(g, e->d_name, &checked);
		print_message("%-28s %4zu tensors compared, %zu mismatches, %lld params\n", e->d_name,
			      checked, bad, (long long)tot.params);
		assert_int_equal(bad, 0);
		assert_int_equal(tot.unknown_ops, 0);
		assert_true(checked > 0);
		/* parameters: what torch counts, buffers excluded */
		assert_true((double)tot.params == header_params(path));
		gr_graph_free(g);
		files++;
	}
	closedir(d);
	assert_true(files >= 6);
}

static void fx_reader_maps_multihead_attention_to_matmuls(void **state)
{
	gr_graph *g = load_fx(FIXTURES "/attention_net.fx.json");
	size_t matmuls = 0, softmax = 0;
	gr_tensor *w = gr_graph_tensor(g, "self_attn#1");

	(void)state;
	for (size_t k = 0; k < g->n_nodes; k++) {
		matmuls += g->nodes[k]->op == GR_OP_MATMUL;
		softmax += g->nodes[k]->op == GR_OP_SOFTMAX;
	}
	/* per attention: q/k/v projections (1 fused or 3), scores, context, output */
	assert_int_equal(softmax, 2);
	assert_int_equal(matmuls, 4 + 6);
	/* need_weights: head-averaged weights, batch x target x source */
	assert_non_null(w);
	assert_int_equal(w->rank, 3);
	assert_int_equal(w->dims[0].value, 2);
	assert_int_equal(w->dims[2].value, 5);
	gr_graph_free(g);
}

static void fx_reader_binds_the_batch(void **state)
{
	gr_graph *g = load_fx(FIXTURES "/resnet50.fx.json");
	gr_graph_totals one, four;
	gr_error err = {0};

	(void)state;
	gr_graph_totals_compute(g, &one);
	assert_string_equal(gr_graph_input(g, 0)->dims[0].sym, "batch");
	assert_int_equal(gr_graph_bind_dim(g, "batch", 4, &err), GR_OK);
	assert_int_equal(gr_graph_infer(g, &err), GR_OK);
	gr_graph_totals_compute(g, &four);
	assert_int_equal(gr_graph_output(g, 0)->dims[0].value, 4);
	assert_true(fabs(four.flops - 4 * one.flops) < 1e-6 * four.flops);
	assert_int_equal(four.params, one.params);
	gr_graph_free(g);
}

static void fx_reader_reports_unknown_targets(void **state)
{
	gr_graph *g;
	gr_graph_totals tot;
	const gr_node *roll = NULL;

	(void)state;
	rt_warnings = 0;
	gr_log_set(rt_count_warnings, NULL);
	g = load_fx(FIXTURES "/unknown_net.fx.json");
	gr_log_set(NULL, NULL);
	gr_graph_totals_compute(g, &tot);
	for (size_t k = 0; k < g->n_nodes; k++)
		if (!strcmp(g->nodes[k]->op_type, "torch.roll"))
			roll = g->nodes[k];
	assert_non_null(roll);
	assert_string_equal(roll->domain, "fx");
	assert_false(roll->cost.known);
	assert_int_equal(tot.unknown_ops, 1);
	assert_int_equal(rt_warnings, 1);
	gr_graph_free(g);
}

/* --- hostile files -------------------------------------------------------------------- */

static void fx_reader_rejects_bad_files(void **state)
{
	(void)state;
	assert_true(rt_expect_dir_refused(gr_fx_load_mem, FIXTURES "/bad", ".json", NULL) >= 25);
}

static void fx_reader_rejects_every_truncation(void **state)
{
	(void)state;
	rt_expect_cuts_refused(gr_fx_load_mem, FIXTURES "/attention_net.fx.json", 7, 0);
}

static void fx_reader_replays_fuzz_corpus(void **state)
{
	(void)state;
	assert_true(rt_replay_corpus(gr_fx_load_mem, CORPUS) >= 30);
}

/* --- through gr_model_load and the export tool ---------------------------------------------- */

/* Detection dispatches to the FX reader: a failure here is a failure, not a skip. */
static void fx_reader_loads_through_model_load(void **state)
{
	(void)state;
	rt_expect_model_load_dispatches(FIXTURES "/resnet50.fx.json", "fx", FIXTURES "/bad/cycle.json");
}

static void export_fx_writes_a_loadable_graph(void **state)
{
	char out[1024], cmd[4096];
	gr_graph *g;
	int rc;

	(void)state;
	/* Debian's torch is a test dependency (tools/setup.sh installs it): missing, the test fails */
	if (access("/usr/bin/python3", X_OK) != 0 ||
	    system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0)
		fail_msg("/usr/bin/python3 with torch is needed (tools/setup.sh installs python3-torch)");
	snprintf(out, sizeof(out), "%s/export_fx_test.%d.fx.json", GRAPHS_BINARY_DIR, (int)getpid());
	snprintf(cmd, sizeof(cmd), "cd %s && /usr/bin/python3 %s/tools/export_fx.py "
		 "tiny_models:attention_net --input-shape 5x2x32 -o %s 2>/dev/null",
		 FIXTURES, GRAPHS_SOURCE_DIR, out);
	rc = system(cmd);
	assert_int_equal(rc, 0);
	g = load_fx(out);
	assert_int_equal(gr_graph_output_count(g), 2);
	gr_graph_free(g);
	unlink(out);
	/* a model the tool cannot build fails with a message and a non-zero status */
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s/tools/export_fx.py no_such_module:f "
		 "-o /dev/null 2>/dev/null", GRAPHS_SOURCE_DIR);
	assert_int_not_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fx_reader_matches_zoo_onnx_params_and_flops),
		cmocka_unit_test(fx_reader_infers_the_shapes_fx_recorded),
		cmocka_unit_test(fx_reader_maps_multihead_attention_to_matmuls),
		cmocka_unit_test(fx_reader_binds_the_batch),
		cmocka_unit_test(fx_reader_reports_unknown_targets),
		cmocka_unit_test(fx_reader_rejects_bad_files),
		cmocka_unit_test(fx_reader_rejects_every_truncation),
		cmocka_unit_test(fx_reader_replays_fuzz_corpus),
		cmocka_unit_test(fx_reader_loads_through_model_load),
		cmocka_unit_test(export_fx_writes_a_loadable_graph),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
