/* Unit tests of the TFLite frontend (src/frontends/tflite_*.c). Fixtures: tests/fixtures/tflite/
 * (real MediaPipe models; ops/ and bad/ written by make_fixtures.py) and the fuzz corpus
 * tests/fuzz/corpus_tflite/, replayed here so that the ASan build runs it too. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/graph_impl.h"
#include "frontends/tflite_impl.h"
#include "graphs/model.h"
#include "reader_test.h"

#ifndef GRAPHS_SOURCE_DIR
#define GRAPHS_SOURCE_DIR "."
#endif
#define FIXTURES GRAPHS_SOURCE_DIR "/tests/fixtures/tflite"
#define CORPUS GRAPHS_SOURCE_DIR "/tests/fuzz/corpus_tflite"

static const char *const MEDIAPIPE[] = {
	"face_detection_short_range.tflite", "face_detection_full_range.tflite",
	"face_detection_full_range_sparse.tflite", "hand_landmark_lite.tflite",
	"selfie_segmentation.tflite", "selfie_segmentation_landscape.tflite",
};

/* --- helpers ---------------------------------------------------------------------- */

static gr_graph *load_ok(const char *path)
{
	return rt_load_ok(gr_tflite_load_mem, path);
}

static gr_node *find_op(const gr_graph *g, const char *op_type)
{
	for (size_t k = 0; k < g->n_nodes; k++)
		if (!strcmp(g->nodes[k]->op_type, op_type))
			return g->nodes[k];
	fail_msg("no %s node", op_type);
	return NULL;
}

/* --- real models ---------------------------------------------------------------------- */

static void tflite_reader_infers_mediapipe_shapes_as_declared(void **state)
{
	(void)state;
	for (size_t m = 0; m < sizeof(MEDIAPIPE) / sizeof(MEDIAPIPE[0]); m++) {
		char path[1024];
		size_t checked, bad;
		gr_graph_totals tot;
		gr_graph *g;

		snprintf(path, sizeof(path), "%s/%s", FIXTURES, MEDIAPIPE[m]);
		g = load_ok(path);
		gr_graph_totals_compute(g, &tot);
		bad = rt_compare_declared(g, MEDIAPIPE[m], &checked);
		print_message("%-40s %4zu operator outputs, %zu shape mismatches, %zu unknown ops, "
			      "%.1f MFLOPs, %lld params\n",
			      MEDIAPIPE[m], checked, bad, tot.unknown_ops, tot.flops / 1e6,
			      (long long)tot.params);
		assert_int_equal(bad, 0);
		assert_true(checked > 100);
		assert_int_equal(tot.unknown_ops, 0);
		assert_int_equal(tot.nodes_known, tot.nodes);
		assert_true(tot.flops > 0);
		assert_true(tot.params > 0);
		gr_graph_free(g);
	}
}

static void tflite_reader_maps_mediapipe_custom_transpose_conv(void **state)
{
	gr_graph *g = load_ok(FIXTURES "/selfie_segmentation.tflite");
	gr_node *n = find_op(g, "ConvTranspose");
	const gr_tensor *seg = gr_graph_tensor(g, "segment");

	(void)state;
	assert_int_equal(n->op, GR_OP_CONV_TRANSPOSE);
	assert_true(n->cost.known);
	assert_true(n->cost.macs > 0);
	/* the declared NHWC output comes out of the layout view, 1x256x256x1 */
	assert_non_null(seg);
	assert_int_equal(seg->rank, 4);
	assert_int_equal(seg->dims[1].value, 256);
	assert_int_equal(seg->dims[3].value, 1);
	gr_graph_free(g);
}

static void tflite_reader_reports_sparse_tensors(void **state)
{
	(void)state;
	rt_warnings = 0;
	gr_log_set(rt_count_warnings, NULL);
	gr_graph_free(load_ok(FIXTURES "/face_detection_full_range_sparse.tflite"));
	gr_log_set(NULL, NULL);
	assert_int_equal(rt_warnings, 1);
}

/* Layout views are free: FLOPs come from the compute ops, and the Shape/Gather/Reshape
 * chains add no FLOPs and no bytes beyond the tiny shape vectors. */
static void tflite_reader_layout_views_cost_nothing(void **state)
{
	gr_graph *g = load_ok(FIXTURES "/face_detection_short_range.tflite");
	double view_bytes = 0, total = 0;

	(void)state;
	for (size_t k = 0; k < g->n_nodes; k++) {
		const gr_node *n = g->nodes[k];
		total += n->cost.bytes_read + n->cost.bytes_written;
		if (!strncmp(n->name, "tflite_layout/", 14)) {
			assert_true(n->cost.flops == 0);
			view_bytes += n->cost.bytes_read + n->cost.bytes_written;
		}
	}
	assert_true(view_bytes < 0.001 * total);
	gr_graph_free(g);
}

/* --- one operator per file --------------------------------------------------------------- */

static void tflite_reader_infers_single_op_shapes_as_declared(void **state)
{
	DIR *d = opendir(FIXTURES "/ops");
	struct dirent *e;
	size_t files = 0, mismatched = 0, tensors = 0;

	(void)state;
	assert_non_null(d);
	gr_log_set(rt_count_warnings, NULL);
	while ((e = readdir(d))) {
		char path[1024];
		size_t checked, bad;
		gr_graph_totals tot;
		gr_graph *g;

		if (!rt_has_suffix(e->d_name, ".tflite"))
			continue;
		snprintf(path, sizeof(path), "%s/ops/%s", FIXTURES, e->d_name);
		g = load_ok(path);
		gr_graph_totals_compute(g, &tot);
		if (!strcmp(e->d_name, "custom_unknown.tflite")) {
			assert_int_equal(tot.unknown_ops, 1);
			assert_string_equal(find_op(g, "MyFancyOp")->domain, "tflite.custom");
			gr_graph_free(g);
			continue;
		}
		bad = rt_compare_declared(g, e->d_name, &checked);
		if (bad || tot.unknown_ops || !checked)
			print_message("%s: %zu mismatches, %zu unknown ops, %zu outputs checked\n",
				      e->d_name, bad, tot.unknown_ops, checked);
		mismatched += bad || tot.unknown_ops || !checked;
		tensors += checked;
		files++;
		gr_graph_free(g);
	}
	closedir(d);
	gr_log_set(NULL, NULL);
	print_message("single-op fixtures: %zu files, %zu outputs, %zu with mismatches; "
		      "%zu builtins mapped\n", files, tensors, mismatched, gr_tflite_mapped_count());
	assert_true(files >= 100);
	assert_int_equal(mismatched, 0);
}

static void tflite_reader_maps_at_least_60_builtins(void **state)
{
	size_t n = 0;

	(void)state;
	for (int code = 0; gr_tflite_builtin_name(code); code++)
		n += gr_tflite_builtin_mapped(code);
	assert_int_equal(n, gr_tflite_mapped_count());
	assert_true(n >= 60);
	assert_string_equal(gr_tflite_builtin_name(3), "CONV_2D");
	assert_null(gr_tflite_builtin_name(-1));
	assert_false(gr_tflite_builtin_mapped(32)); /* CUSTOM: by custom code */
}

static void tflite_reader_counts_conv_params_and_macs(void **state)
{
	gr_graph *g = load_ok(FIXTURES "/ops/conv_same_s2.tflite");
	gr_node *conv = find_op(g, "Conv");
	gr_graph_totals tot;

	(void)state;
	gr_graph_totals_compute(g, &tot);
	/* 8 filters of 3x3x3 + 8 biases; output 1x8x9x8, 27 MACs each */
	assert_int_equal(tot.params, 8 * 27 + 8);
	assert_true(conv->cost.macs == 8.0 * 9 * 8 * 27);
	assert_int_equal(gr_attr_int(conv, "group", 0), 1);
	assert_non_null(find_op(g, "Clip")); /* fused RELU6 */
	gr_graph_free(g);
}

static void tflite_reader_maps_depthwise_to_grouped_conv(void **state)
{
	gr_graph *g = load_ok(FIXTURES "/ops/depthwise_multiplier.tflite");
	gr_node *conv = find_op(g, "Conv");

	(void)state;
	assert_int_equal(gr_attr_int(conv, "group", 0), 8);
	assert_true(conv->cost.macs == 12.0 * 12 * 16 * 25);
	gr_graph_free(g);
}

static void tflite_reader_keeps_dynamic_batch_symbolic(void **state)
{
	gr_graph *g = load_ok(FIXTURES "/ops/dynamic_batch.tflite");
	gr_error err = {0};
	gr_tensor *x = gr_graph_input(g, 0), *y = gr_graph_tensor(g, "y");

	(void)state;
	assert_string_equal(x->dims[0].sym, "batch");
	assert_int_equal(x->dims[0].value, 1);
	assert_int_equal(gr_graph_bind_dim(g, "batch", 8, &err), GR_OK);
	assert_int_equal(gr_graph_infer(g, &err), GR_OK);
	assert_int_equal(y->dims[0].value, 8);
	assert_int_equal(y->dims[3].value, 4);
	gr_graph_free(g);
}

/* Regression: every dynamic non-batch dim was the one symbol 'dynamic', so two inputs of
 * different lengths could not be bound (a "symbol conflict"). Each is NAME_dI now. */
static void tflite_reader_names_each_dynamic_dim_after_its_tensor(void **state)
{
	gr_graph *g = load_ok(FIXTURES "/ops/dynamic_dims.tflite");
	gr_error err = {0};
	gr_tensor *x = gr_graph_input(g, 0), *z = gr_graph_input(g, 1), *y = gr_graph_tensor(g, "y");

	(void)state;
	assert_string_equal(x->dims[0].sym, "batch");
	assert_string_equal(x->dims[1].sym, "x_d1");
	assert_string_equal(z->dims[1].sym, "z_d1");
	assert_null(x->dims[2].sym);
	assert_int_equal(gr_graph_bind_dim(g, "x_d1", 3, &err), GR_OK);
	assert_int_equal(gr_graph_bind_dim(g, "z_d1", 5, &err), GR_OK);
	assert_int_equal(gr_graph_infer(g, &err), GR_OK);
	assert_int_equal(y->dims[1].value, 8);
	gr_graph_free(g);
}

static void tflite_reader_reads_quantized_tensors(void **state)
{
	gr_graph *g = load_ok(FIXTURES "/ops/quantized_conv.tflite");
	gr_graph_totals tot;

	(void)state;
	gr_graph_totals_compute(g, &tot);
	assert_int_equal(gr_graph_tensor(g, "w")->dtype, GR_DTYPE_INT8);
	assert_int_equal(gr_graph_tensor(g, "y")->dtype, GR_DTYPE_INT8);
	assert_int_equal(tot.params, 108); /* int8 weights; the int32 bias is bookkeeping */
	gr_graph_free(g);
}

static void tflite_reader_loads_small_shape_constants(void **state)
{
	gr_graph *g = load_ok(FIXTURES "/ops/reshape_input.tflite");
	gr_tensor *shape = gr_graph_tensor(g, "in1");

	(void)state;
	assert_true(shape->has_value);
	assert_int_equal(shape->nval, 3);
	assert_int_equal(shape->ival[1], -1);
	assert_true(gr_tensor_is_initializer(shape));
	gr_graph_free(g);
}

/* --- hostile files ------------------------------------------------------------------------ */

/* Every structural error names the byte; graph-level ones (cycles) the tensor. */
static void names_a_place(const char *file, const char *msg)
{
	if (!strstr(msg, "at byte ") && !strstr(msg, "cycle") && !strstr(msg, "produced by both"))
		fail_msg("%s: message names no place: %s", file, msg);
}

static void tflite_reader_rejects_hostile_files(void **state)
{
	(void)state;
	assert_true(rt_expect_dir_refused(gr_tflite_load_mem, FIXTURES "/bad", ".tflite",
					  names_a_place) >= 20);
}

static void tflite_reader_rejects_every_truncation(void **state)
{
	(void)state;
	rt_expect_cuts_refused(gr_tflite_load_mem, FIXTURES "/ops/tiny_conv.tflite", 1, 1);
}

static void tflite_reader_replays_fuzz_corpus(void **state)
{
	(void)state;
	rt_replay_corpus(gr_tflite_load_mem, CORPUS);
}

/* --- through gr_model_load ------------------------------------------------------------------ */

/* Detection dispatches to the TFLite reader: a failure here is a failure, not a skip. */
static void tflite_reader_loads_through_model_load(void **state)
{
	(void)state;
	rt_expect_model_load_dispatches(FIXTURES "/face_detection_short_range.tflite", "tflite",
					FIXTURES "/bad/huge_vector.tflite");
}

static void tflite_reader_handles_null_and_empty_input(void **state)
{
	gr_graph *g = (gr_graph *)1;
	gr_error err = {0};

	(void)state;
	assert_int_equal(gr_tflite_load_mem(NULL, 0, "empty.tflite", &g, &err), GR_ERR_FORMAT);
	assert_null(g);
	assert_non_null(strstr(err.msg, "empty.tflite"));
	assert_int_equal(gr_tflite_load_mem((const unsigned char *)"x", 1, NULL, NULL, &err),
			 GR_ERR_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tflite_reader_infers_mediapipe_shapes_as_declared),
		cmocka_unit_test(tflite_reader_maps_mediapipe_custom_transpose_conv),
		cmocka_unit_test(tflite_reader_reports_sparse_tensors),
		cmocka_unit_test(tflite_reader_layout_views_cost_nothing),
		cmocka_unit_test(tflite_reader_infers_single_op_shapes_as_declared),
		cmocka_unit_test(tflite_reader_maps_at_least_60_builtins),
		cmocka_unit_test(tflite_reader_counts_conv_params_and_macs),
		cmocka_unit_test(tflite_reader_maps_depthwise_to_grouped_conv),
		cmocka_unit_test(tflite_reader_keeps_dynamic_batch_symbolic),
		cmocka_unit_test(tflite_reader_names_each_dynamic_dim_after_its_tensor),
		cmocka_unit_test(tflite_reader_reads_quantized_tensors),
		cmocka_unit_test(tflite_reader_loads_small_shape_constants),
		cmocka_unit_test(tflite_reader_rejects_hostile_files),
		cmocka_unit_test(tflite_reader_rejects_every_truncation),
		cmocka_unit_test(tflite_reader_replays_fuzz_corpus),
		cmocka_unit_test(tflite_reader_loads_through_model_load),
		cmocka_unit_test(tflite_reader_handles_null_and_empty_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
