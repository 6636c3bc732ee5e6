/* Unit tests of the ONNX frontend (src/frontends/onnx.c, onnx_tensor.c), the protobuf wire
 * reader and format detection (src/frontends/detect.c). Fixtures: tests/fixtures/onnx/ (make_good.py,
 * make_bad.py, make_quant.py) and the ONNX node tests in /usr/share/libonnx-testdata (a test
 * dependency: missing, the tests fail). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/graph_impl.h"
#include "graphs/model.h"

#ifndef GRAPHS_SOURCE_DIR
#define GRAPHS_SOURCE_DIR "."
#endif
#define FIXTURES GRAPHS_SOURCE_DIR "/tests/fixtures/onnx"
#define NODE_TESTS "/usr/share/libonnx-testdata/data/node"
#define CONV_MODEL NODE_TESTS "/test_conv_with_strides_padding/model.onnx"

/* --- helpers ---------------------------------------------------------------------- */

static gr_graph *load_ok(const char *path)
{
	gr_graph *g = NULL;
	gr_error err = {0};
	gr_status st = gr_model_load(path, NULL, &g, &err);

	if (st != GR_OK)
		fail_msg("loading %s failed: %s", path, err.msg);
	assert_non_null(g);
	return g;
}

static gr_node *find_node(const gr_graph *g, const char *name)
{
	for (size_t i = 0; i < gr_graph_node_count(g); i++)
		if (!strcmp(gr_node_name(gr_graph_node(g, i)), name))
			return gr_graph_node(g, i);
	fail_msg("no node '%s'", name);
	return NULL;
}

static const gr_attr *find_attr(const gr_node *n, const char *name)
{
	const gr_attr *a = gr_attr_find(n, name);

	if (!a)
		fail_msg("node '%s' has no attribute '%s'", n->name, name);
	return a;
}

static void assert_dims(const gr_tensor *t, int rank, const int64_t *dims)
{
	assert_non_null(t);
	assert_int_equal(t->rank, rank);
	for (int i = 0; i < rank; i++)
		assert_int_equal(t->dims[i].value, dims[i]);
}

static gr_graph *features(void)
{
	return load_ok(FIXTURES "/features.onnx");
}

/* Loads a bad fixture and checks the status, that *out stays NULL, and that the message
 * names the file and contains `needle`. */
static void expect_reject(const char *file, gr_status want, const char *needle)
{
	char path[1024];
	gr_graph *g = (gr_graph *)1;
	gr_error err = {0};
	gr_status st;

	snprintf(path, sizeof(path), "%s/bad/%s", FIXTURES, file);
	st = gr_model_load(path, NULL, &g, &err);
	if (st != want)
		fail_msg("%s: status %d (%s), expected %d; message: %s", file, st,
			 gr_status_str(st), want, err.msg);
	assert_null(g);
	if (!strstr(err.msg, path))
		fail_msg("%s: message does not name the file: %s", file, err.msg);
	if (strncmp(err.msg, "cannot read '", 13) != 0)
		fail_msg("%s: message does not start with \"cannot read '\": %s", file, err.msg);
	if (needle && !strstr(err.msg, needle))
		fail_msg("%s: message lacks \"%s\": %s", file, needle, err.msg);
}

static unsigned char *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/* --- a real file -------------------------------------------------------------------- */

static void onnx_reader_loads_conv_with_strides_padding(void **state)
{
	static const int64_t x_dims[] = {1, 1, 7, 5}, w_dims[] = {1, 1, 3, 3},
			     y_dims[] = {1, 1, 4, 3};
	gr_graph *g;
	gr_node *n;
	gr_tensor *y;
	size_t cnt;
	const int64_t *v;

	(void)state;
	if (access(CONV_MODEL, R_OK))
		fail_msg("%s is missing: install libonnx-testdata (tools/setup.sh)", CONV_MODEL);
	g = load_ok(CONV_MODEL);
	assert_string_equal(gr_graph_format(g), "onnx");
	assert_string_equal(gr_graph_name(g), "test_conv_with_strides_padding");
	assert_int_equal(gr_graph_opset(g), 11);
	assert_int_equal(gr_graph_node_count(g), 1);
	n = gr_graph_node(g, 0);
	assert_string_equal(gr_node_op_type(n), "Conv");
	assert_string_equal(gr_node_domain(n), "");
	assert_int_equal(gr_node_input_count(n), 2);
	assert_int_equal(gr_node_output_count(n), 1);
	/* The weight is a graph input in this file (no initializer), declared 1x1x3x3. */
	assert_int_equal(gr_graph_input_count(g), 2);
	assert_string_equal(gr_tensor_name(gr_graph_input(g, 0)), "x");
	assert_dims(gr_graph_input(g, 0), 4, x_dims);
	assert_int_equal(gr_tensor_dtype(gr_graph_input(g, 0)), GR_DTYPE_FLOAT);
	assert_ptr_equal(gr_node_input(n, 1), gr_graph_input(g, 1));
	assert_dims(gr_graph_input(g, 1), 4, w_dims);
	assert_false(gr_tensor_is_initializer(gr_graph_input(g, 1)));
	v = gr_attr_ints(n, "strides", &cnt);
	assert_int_equal(cnt, 2);
	assert_int_equal(v[0], 2);
	assert_int_equal(v[1], 2);
	v = gr_attr_ints(n, "pads", &cnt);
	assert_int_equal(cnt, 4);
	v = gr_attr_ints(n, "kernel_shape", &cnt);
	assert_int_equal(cnt, 2);
	assert_int_equal(v[0], 3);
	/* The output's declared shape is kept for reference; the real one is inferred. */
	assert_int_equal(gr_graph_output_count(g), 1);
	y = gr_graph_output(g, 0);
	assert_ptr_equal(y, gr_node_output(n, 0));
	assert_int_equal(y->rank, -1);
	assert_int_equal(y->decl_rank, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(y->decl_dims[i].value, y_dims[i]);
	gr_graph_free(g);
}

/* Every model of the ONNX node tests loads (each failure is listed). */
static void onnx_reader_loads_every_onnx_node_test(void **state)
{
	DIR *d;
	struct dirent *e;
	int loaded = 0, failed = 0;

	(void)state;
	d = opendir(NODE_TESTS);
	if (!d)
		fail_msg("%s is missing: install libonnx-testdata (tools/setup.sh)", NODE_TESTS);
	while ((e = readdir(d))) {
		char path[1024];
		gr_graph *g = NULL;
		gr_error err = {0};

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/model.onnx", NODE_TESTS, e->d_name);
		if (access(path, R_OK))
			continue;
		if (gr_model_load(path, NULL, &g, &err)) {
			print_message("%s\n", err.msg);
			failed++;
		} else {
			loaded++;
		}
		gr_graph_free(g);
	}
	closedir(d);
	assert_int_equal(failed, 0);
	assert_true(loaded > 100);
}

/* --- features.onnx -------------------------------------------------------------------- */

static void onnx_reader_keeps_initializers_listed_as_inputs_out_of_inputs(void **state)
{
	static const int64_t w_dims[] = {4, 3, 3, 3};
	gr_graph *g = features();
	gr_tensor *w = gr_graph_tensor(g, "W");

	(void)state;
	assert_int_equal(gr_graph_input_count(g), 2);
	assert_string_equal(gr_tensor_name(gr_graph_input(g, 0)), "x");
	assert_string_equal(gr_tensor_name(gr_graph_input(g, 1)), "cond");
	assert_true(gr_tensor_is_initializer(w));
	assert_false(w->is_input);
	assert_dims(w, 4, w_dims);
	assert_int_equal(gr_tensor_numel(w), 108);
	assert_true(w->has_value);  /* 108 elements: small enough to keep */
	assert_int_equal(w->nval, 108);
	assert_true(w->fval[1] == 0.25 && w->fval[107] == 26.75);
	gr_graph_free(g);
}

static void onnx_reader_reads_symbolic_and_missing_dims_of_inputs(void **state)
{
	gr_graph *g = features();
	gr_tensor *x = gr_graph_input(g, 0), *cond = gr_graph_input(g, 1);

	(void)state;
	assert_int_equal(gr_tensor_rank(x), 4);
	assert_int_equal(x->dims[0].value, -1);
	assert_string_equal(x->dims[0].sym, "batch");
	assert_int_equal(x->dims[1].value, 3);
	assert_null(x->dims[1].sym);
	assert_int_equal(x->dims[2].value, -1);  /* dimension with neither value nor name */
	assert_null(x->dims[2].sym);
	assert_int_equal(x->dims[3].value, 8);
	assert_int_equal(gr_tensor_rank(cond), 0);
	assert_int_equal(gr_tensor_dtype(cond), GR_DTYPE_BOOL);
	gr_graph_free(g);
}

static void onnx_reader_decodes_small_tensor_values_of_every_encoding(void **state)
{
	gr_graph *g = features();
	gr_tensor *t;

	(void)state;
	t = gr_graph_tensor(g, "shape64");  /* int64_data, unpacked, with a negative value */
	assert_int_equal(t->nval, 4);
	assert_non_null(t->ival);
	assert_int_equal(t->ival[0], 1);
	assert_int_equal(t->ival[1], -1);
	assert_int_equal(t->ival[3], 4);
	t = gr_graph_tensor(g, "i8");  /* int8 in packed int32_data */
	assert_int_equal(t->dtype, GR_DTYPE_INT8);
	assert_int_equal(t->ival[0], -1);
	assert_int_equal(t->ival[2], 127);
	t = gr_graph_tensor(g, "h16");  /* float16 raw_data */
	assert_non_null(t->fval);
	assert_true(t->fval[0] == 1.0 && t->fval[1] == -2.0);
	t = gr_graph_tensor(g, "bf16");
	assert_true(t->fval[0] == 1.0);
	t = gr_graph_tensor(g, "dd");  /* double_data, packed */
	assert_true(t->fval[0] == 0.5 && t->fval[1] == 1e300);
	t = gr_graph_tensor(g, "u64");
	assert_int_equal(t->ival[0], (int64_t)1 << 40);
	t = gr_graph_tensor(g, "bb");
	assert_int_equal(t->ival[0], 0);
	assert_int_equal(t->ival[1], 1);
	t = gr_graph_tensor(g, "scalar");  /* rank 0, one element */
	assert_int_equal(t->rank, 0);
	assert_int_equal(t->nval, 1);
	assert_int_equal(t->ival[0], 42);
	gr_graph_free(g);
}

static void onnx_reader_keeps_only_shapes_of_large_weightless_and_external_tensors(void **state)
{
	static const int64_t big[] = {4097}, wl[] = {64, 3}, ext[] = {10, 10};
	gr_graph *g = features();

	(void)state;
	assert_dims(gr_graph_tensor(g, "big"), 1, big);
	assert_false(gr_graph_tensor(g, "big")->has_value);
	assert_dims(gr_graph_tensor(g, "weightless"), 2, wl);
	assert_false(gr_graph_tensor(g, "weightless")->has_value);
	assert_dims(gr_graph_tensor(g, "ext"), 2, ext);
	assert_false(gr_graph_tensor(g, "ext")->has_value);
	assert_true(gr_tensor_is_initializer(gr_graph_tensor(g, "ext")));
	gr_graph_free(g);
}

static void onnx_reader_turns_attribute_tensors_into_named_constants(void **state)
{
	gr_graph *g = features();
	const gr_attr *a;

	(void)state;
	a = find_attr(find_node(g, "const"), "value");
	assert_int_equal(a->type, GR_ATTR_TENSOR);
	assert_non_null(a->t);
	assert_string_equal(gr_tensor_name(a->t), "const:value");
	/* an attribute's value is no graph tensor: no lookup by name finds it */
	assert_null(gr_graph_tensor(g, "const:value"));
	assert_int_equal(a->t->dtype, GR_DTYPE_INT64);
	assert_int_equal(a->t->rank, 1);
	assert_int_equal(a->t->ival[0], 7);
	assert_int_equal(a->t->ival[1], 8);
	a = find_attr(find_node(g, "cos"), "value");
	assert_string_equal(gr_tensor_name(a->t), "cos:value");
	assert_int_equal(a->t->dtype, GR_DTYPE_FLOAT);
	assert_true(a->t->fval[0] == 0.5);
	gr_graph_free(g);
}

static void onnx_reader_infers_attribute_types_old_files_leave_out(void **state)
{
	gr_graph *g = features();
	gr_node *conv = find_node(g, "conv");
	const gr_attr *pads = find_attr(conv, "pads");

	(void)state;
	assert_int_equal(pads->type, GR_ATTR_INTS);  /* unpacked ints, no type field */
	assert_int_equal(pads->n, 4);
	assert_int_equal(find_attr(conv, "group")->type, GR_ATTR_INT);
	assert_int_equal(gr_attr_int(conv, "group", 0), 1);
	assert_string_equal(gr_attr_str(conv, "auto_pad", ""), "NOTSET");
	gr_graph_free(g);
}

static void onnx_reader_reads_float_and_string_lists(void **state)
{
	gr_graph *g = features();
	gr_node *n = find_node(g, "custom");
	const gr_attr *a = find_attr(n, "alphas");
	const gr_attr *s = find_attr(n, "tags");

	(void)state;
	assert_int_equal(a->type, GR_ATTR_FLOATS);
	assert_int_equal(a->n, 2);
	assert_true(a->floats[0] == 0.5 && a->floats[1] == 0.25);
	assert_int_equal(s->type, GR_ATTR_STRINGS);
	assert_int_equal(s->n, 2);
	assert_string_equal(s->strings[1], "bc");
	gr_graph_free(g);
}

static void onnx_reader_maps_omitted_inputs_and_outputs_to_null(void **state)
{
	gr_graph *g = features();
	gr_node *conv = find_node(g, "conv"), *split = find_node(g, "split");

	(void)state;
	assert_int_equal(gr_node_input_count(conv), 3);
	assert_null(gr_node_input(conv, 2));
	assert_int_equal(gr_node_output_count(split), 3);
	assert_non_null(gr_node_output(split, 0));
	assert_null(gr_node_output(split, 1));
	assert_string_equal(gr_tensor_name(gr_node_output(split, 2)), "s2");
	gr_graph_free(g);
}

static void onnx_reader_names_unnamed_nodes_by_op_type_and_index(void **state)
{
	gr_graph *g = features();

	(void)state;
	assert_string_equal(gr_node_op_type(find_node(g, "Relu_1")), "Relu");
	gr_graph_free(g);
}

static void onnx_reader_resolves_outer_names_in_subgraphs(void **state)
{
	gr_graph *g = features();
	gr_node *n = find_node(g, "if");
	const gr_attr *then_b = find_attr(n, "then_branch"), *else_b = find_attr(n, "else_branch");
	gr_node *id;

	(void)state;
	assert_int_equal(then_b->type, GR_ATTR_GRAPH);
	assert_non_null(then_b->g);
	assert_ptr_equal(then_b->g->parent, g);
	assert_int_equal(gr_graph_opset(then_b->g), 13);
	assert_int_equal(gr_graph_node_count(then_b->g), 1);
	id = gr_graph_node(then_b->g, 0);
	assert_ptr_equal(gr_node_input(id, 0), gr_graph_tensor(g, "r"));
	assert_ptr_equal(gr_graph_output(then_b->g, 0), gr_node_output(id, 0));
	assert_ptr_equal(gr_node_input(gr_graph_node(else_b->g, 0), 0), gr_graph_input(g, 0));
	/* An unsorted file: the branch reads a name a later outer node produces. */
	then_b = find_attr(find_node(g, "if_early"), "then_branch");
	id = gr_graph_node(then_b->g, 0);
	assert_ptr_equal(gr_node_input(id, 0), gr_graph_tensor(g, "late"));
	assert_ptr_equal(gr_node_input(id, 0)->owner, g);
	assert_ptr_equal(gr_node_input(id, 0)->producer, find_node(g, "late_id"));
	gr_graph_free(g);
}

static void onnx_reader_records_declared_shapes_without_trusting_them(void **state)
{
	gr_graph *g = features();
	gr_tensor *r = gr_graph_tensor(g, "r"), *out = gr_graph_tensor(g, "out_if");

	(void)state;
	assert_int_equal(r->rank, -1);  /* value_info: reference only */
	assert_int_equal(r->decl_rank, 4);
	assert_string_equal(r->decl_dims[2].sym, "h");
	assert_int_equal(out->rank, -1);
	assert_int_equal(out->decl_rank, 2);
	assert_string_equal(out->decl_dims[0].sym, "batch");
	assert_int_equal(out->decl_dims[1].value, 4);
	assert_int_equal(gr_graph_tensor(g, "m")->decl_rank, -1);  /* type without shape */
	gr_graph_free(g);
}

static void onnx_reader_takes_opset_of_default_domain_and_keeps_custom_ops(void **state)
{
	gr_graph *g = features();
	gr_node *n = find_node(g, "custom");

	(void)state;
	assert_int_equal(gr_graph_opset(g), 13);  /* "ai.onnx", not com.example's 1 */
	assert_string_equal(gr_node_domain(n), "com.example");
	assert_false(gr_node_op_known(n));
	assert_int_equal(gr_graph_node_count(g), 9);
	gr_graph_free(g);
}

/* --- hostile input ---------------------------------------------------------------- */

static void onnx_reader_rejects_empty_file(void **state)
{
	(void)state;
	expect_reject("empty.onnx", GR_ERR_FORMAT, "file is empty");
}

static void onnx_reader_rejects_truncated_varint(void **state)
{
	(void)state;
	expect_reject("truncated_varint.onnx", GR_ERR_FORMAT, "at byte 1: truncated varint");
}

static void onnx_reader_rejects_overlong_varint(void **state)
{
	(void)state;
	expect_reject("overlong_varint.onnx", GR_ERR_FORMAT, "varint longer than 10 bytes");
	expect_reject("varint_overflow.onnx", GR_ERR_FORMAT, "varint overflows 64 bits");
}

static void onnx_reader_rejects_length_beyond_end(void **state)
{
	(void)state;
	expect_reject("length_beyond_end.onnx", GR_ERR_FORMAT,
		      "at byte 2: field 7 claims 1000 bytes but only 2 are left");
	expect_reject("truncated_graph.onnx", GR_ERR_FORMAT, "bytes but only");
}

static void onnx_reader_rejects_protobuf_groups(void **state)
{
	(void)state;
	expect_reject("group_wire_type.onnx", GR_ERR_FORMAT, "groups");
}

static void onnx_reader_rejects_absurd_dims(void **state)
{
	(void)state;
	expect_reject("absurd_dims.onnx", GR_ERR_LIMIT, "tensor 'w' claims 2^70 elements");
	expect_reject("huge_dims.onnx", GR_ERR_LIMIT, "tensor 'w' claims 2^52 elements");
}

static void onnx_reader_rejects_negative_dims(void **state)
{
	(void)state;
	expect_reject("negative_dims.onnx", GR_ERR_FORMAT, "tensor 'w' has negative dimension -3");
}

static void onnx_reader_rejects_dims_product_overflowing_int64(void **state)
{
	(void)state;
	expect_reject("dims_overflow.onnx", GR_ERR_LIMIT, "tensor 'w' claims 2^65 elements");
}

static void onnx_reader_rejects_rank_above_limit(void **state)
{
	(void)state;
	expect_reject("rank_17.onnx", GR_ERR_LIMIT, "rank 17");
}

static void onnx_reader_rejects_deep_nesting(void **state)
{
	(void)state;
	expect_reject("deep_nesting.onnx", GR_ERR_LIMIT, "nested deeper than");
}

static void onnx_reader_rejects_payload_size_mismatch(void **state)
{
	(void)state;
	expect_reject("raw_data_size_mismatch.onnx", GR_ERR_FORMAT,
		      "tensor 'w' has 20 bytes of raw_data, expected 24");
	expect_reject("typed_count_mismatch.onnx", GR_ERR_FORMAT,
		      "tensor 'w' has 2 values in int64_data, expected 3");
	expect_reject("packed_float_bad_length.onnx", GR_ERR_FORMAT, "not a multiple of 4");
}

static void onnx_reader_rejects_random_bytes(void **state)
{
	(void)state;
	expect_reject("random_bytes.onnx", GR_ERR_FORMAT, NULL);
}

static void onnx_reader_rejects_broken_graphs(void **state)
{
	(void)state;
	expect_reject("no_graph.onnx", GR_ERR_FORMAT, "no graph");
	expect_reject("undefined_input.onnx", GR_ERR_FORMAT, "'ghost'");
	expect_reject("cycle.onnx", GR_ERR_FORMAT, "cycle");
	expect_reject("node_without_op_type.onnx", GR_ERR_FORMAT, "has no op_type");
	expect_reject("tensor_attr_without_value.onnx", GR_ERR_FORMAT, "but no value");
}

/* Newer opsets load with a warning (shape rules rarely change); absurd numbers are refused. */
static void onnx_reader_rejects_absurd_opset(void **state)
{
	(void)state;
	expect_reject("opset_too_new.onnx", GR_ERR_FORMAT, "invalid opset 5000");
}

/* Every file in bad/ fails cleanly: a known status and a message naming the file. */
static void onnx_reader_rejects_every_bad_fixture(void **state)
{
	DIR *d = opendir(FIXTURES "/bad");
	struct dirent *e;
	int n = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[1024];
		gr_graph *g = NULL;
		gr_error err = {0};
		gr_status st;

		if (!strstr(e->d_name, ".onnx"))
			continue;
		snprintf(path, sizeof(path), "%s/bad/%s", FIXTURES, e->d_name);
		st = gr_model_load(path, NULL, &g, &err);
		if (st != GR_ERR_FORMAT && st != GR_ERR_LIMIT && st != GR_ERR_UNSUPPORTED)
			fail_msg("%s: status %d: %s", e->d_name, st, err.msg);
		assert_null(g);
		if (!strstr(err.msg, e->d_name))
			fail_msg("%s: message does not name the file: %s", e->d_name, err.msg);
		n++;
	}
	closedir(d);
	assert_true(n >= 20);
}

/* Every prefix of a good model, and the model with any one byte corrupted, loads or fails
 * with a message; never crashes (run the suite under ASan/UBSan to make that mean more). */
static void onnx_reader_survives_truncation_and_corruption_of_a_good_model(void **state)
{
	size_t size;
	unsigned char *buf = slurp(FIXTURES "/features.onnx", &size);
	static const unsigned char flips[] = {0xff, 0x80, 0x01, 0x7f};

	(void)state;
	for (size_t cut = 0; cut < size; cut++) {
		gr_graph *g = NULL;
		gr_error err = {0};
		gr_status st = gr_model_load_mem(buf, cut, "cut.onnx", NULL, &g, &err);

		/* The graph ends 55 bytes before the end (opset_import, unknown fields follow);
		 * a cut after it can be a well-formed model. */
		if (st == GR_OK && cut + 55 < size)
			fail_msg("prefix of %zu bytes loaded", cut);
		if (st != GR_OK) {
			assert_null(g);
			assert_non_null(strstr(err.msg, "cut.onnx"));
		}
		gr_graph_free(g);
	}
	for (size_t i = 0; i < size; i++) {
		for (size_t k = 0; k < sizeof(flips); k++) {
			gr_graph *g = NULL;
			gr_error err = {0};
			unsigned char old = buf[i];
			gr_status st;

			buf[i] ^= flips[k];
			st = gr_model_load_mem(buf, size, "flip.onnx", NULL, &g, &err);
			buf[i] = old;
			if (st != GR_OK) {
				assert_null(g);
				assert_non_null(strstr(err.msg, "flip.onnx"));
			}
			gr_graph_free(g);
		}
	}
	free(buf);
}

/* --- TensorProto files ------------------------------------------------------------- */

static void onnx_reader_reads_tensor_file_dims(void **state)
{
	gr_dtype dt = GR_DTYPE_UNDEFINED;
	int64_t dims[GR_MAX_RANK];
	int rank = -1;
	gr_error err = {0};

	(void)state;
	assert_int_equal(gr_onnx_tensor_file_shape(FIXTURES "/tensor_2x3.pb", &dt, dims, &rank,
						   &err), GR_OK);
	assert_int_equal(dt, GR_DTYPE_FLOAT);
	assert_int_equal(rank, 2);
	assert_int_equal(dims[0], 2);
	assert_int_equal(dims[1], 3);
	if (access(NODE_TESTS "/test_conv_with_strides_padding/test_data_set_0/output_0.pb", R_OK))
		return;
	assert_int_equal(gr_onnx_tensor_file_shape(
				 NODE_TESTS "/test_conv_with_strides_padding/test_data_set_0/output_0.pb",
				 &dt, dims, &rank, &err), GR_OK);
	assert_int_equal(rank, 4);
	assert_int_equal(dims[2], 4);
	assert_int_equal(dims[3], 3);
}

static void onnx_reader_rejects_bad_tensor_files(void **state)
{
	gr_dtype dt;
	int64_t dims[GR_MAX_RANK];
	int rank;
	gr_error err = {0};

	(void)state;
	assert_int_equal(gr_onnx_tensor_file_shape(FIXTURES "/bad/truncated_varint.onnx", &dt,
						   dims, &rank, &err), GR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "truncated_varint.onnx"));
	assert_int_equal(gr_onnx_tensor_file_shape(FIXTURES "/no/such/file.pb", &dt, dims, &rank,
						   &err), GR_ERR_IO);
	assert_non_null(strstr(err.msg, "No such file"));
}

/* --- quantized weights ------------------------------------------------------------- */

/* Infers path and checks its parameter count and the split by stored type (int8, int32,
 * float32), twice: the count must not depend on a previous inference. */
static void expect_params(const char *path, int64_t total, int64_t i8, int64_t i32, int64_t f32)
{
	gr_graph *g = load_ok(path);
	gr_error err = {0};
	gr_graph_totals tot;
	int64_t by[GR_DTYPE_COUNT];

	for (int pass = 0; pass < 2; pass++) {
		assert_int_equal(gr_graph_infer(g, &err), GR_OK);
		gr_graph_totals_compute(g, &tot);
		gr_graph_param_dtypes(g, by);
		if (tot.params != total || by[GR_DTYPE_INT8] != i8 || by[GR_DTYPE_INT32] != i32 ||
		    by[GR_DTYPE_FLOAT] != f32)
			fail_msg("%s (pass %d): %lld params (%lld int8, %lld int32, %lld float32), expected "
				 "%lld (%lld, %lld, %lld)", path, pass, (long long)tot.params,
				 (long long)by[GR_DTYPE_INT8], (long long)by[GR_DTYPE_INT32],
				 (long long)by[GR_DTYPE_FLOAT], (long long)total, (long long)i8,
				 (long long)i32, (long long)f32);
	}
	gr_graph_free(g);
}

/* PyTorch's post-training-quantized export keeps int8 weights and int32 biases in Constant
 * nodes feeding DequantizeLinear: conv 3x8x3x3 + 8, linear 8x4 + 4, 260 like the float net
 * (the reader counted 0 before). Scales and zero points are no parameters. */
static void onnx_reader_counts_quantized_weights_in_constant_nodes(void **state)
{
	(void)state;
	expect_params(FIXTURES "/quant_ptq_constants.onnx", 260, 248, 12, 0);
}

/* The same graph with the constants as initializers (the int32 biases were missed). */
static void onnx_reader_counts_quantized_weights_in_initializers(void **state)
{
	(void)state;
	expect_params(FIXTURES "/quant_ptq_initializers.onnx", 260, 248, 12, 0);
}

/* QDQ chains: the stored integers of DequantizeLinear's input are the parameters (int8
 * weight 8x4, int32 bias 4), and a float weight through QuantizeLinear -> DequantizeLinear
 * counts once, as the float it is stored in (2x3x3x3). */
static void onnx_reader_counts_qdq_chains_once(void **state)
{
	(void)state;
	expect_params(FIXTURES "/quant_qdq_chain.onnx", 32 + 4 + 54, 32, 4, 54);
}

/* An If on a graph input: both branches are inferred, the larger (then, a 4-element int8
 * Constant) is costed. The else branch's 6-element Constant and the outer initializer only
 * it reads are not counted by type either (14 int8 against 4 params before). */
static void onnx_reader_counts_weights_of_the_costed_if_branch(void **state)
{
	(void)state;
	expect_params(FIXTURES "/quant_if_branches.onnx", 4, 4, 0, 0);
}

/* --- detection and loading ---------------------------------------------------------- */

static void model_detect_recognizes_formats_by_content(void **state)
{
	static const unsigned char tfl[] = {0x1c, 0, 0, 0, 'T', 'F', 'L', '3', 0, 0};
	static const char fx[] = "  {\n  \"fx_graph\": {\"nodes\": []}}";
	static const char json[] = "{\"something\": 1}";
	static const char text[] = "hello, world";
	size_t size;
	unsigned char *onnx = slurp(FIXTURES "/features.onnx", &size);

	(void)state;
	assert_int_equal(gr_model_detect(onnx, size, "model.bin"), GR_FORMAT_ONNX);
	assert_int_equal(gr_model_detect(onnx, 16, NULL), GR_FORMAT_ONNX);  /* a head only */
	assert_int_equal(gr_model_detect(tfl, sizeof(tfl), "m.onnx"), GR_FORMAT_TFLITE);
	assert_int_equal(gr_model_detect((const unsigned char *)fx, strlen(fx), "m.bin"),
			 GR_FORMAT_FX_JSON);
	assert_int_equal(gr_model_detect((const unsigned char *)json, strlen(json), "m.bin"),
			 GR_FORMAT_UNKNOWN);
	assert_int_equal(gr_model_detect((const unsigned char *)json, strlen(json), "m.json"),
			 GR_FORMAT_FX_JSON);
	assert_int_equal(gr_model_detect((const unsigned char *)text, strlen(text), "m.txt"),
			 GR_FORMAT_UNKNOWN);
	/* Content that is no known format: the extension decides. */
	assert_int_equal(gr_model_detect((const unsigned char *)text, strlen(text), "m.onnx"),
			 GR_FORMAT_ONNX);
	assert_int_equal(gr_model_detect(NULL, 0, "m.onnx"), GR_FORMAT_UNKNOWN);
	free(onnx);
}

static void model_format_names_round_trip(void **state)
{
	(void)state;
	for (int f = GR_FORMAT_ONNX; f <= GR_FORMAT_FX_JSON; f++)
		assert_int_equal(gr_model_format_parse(gr_model_format_name((gr_model_format)f)), f);
	assert_int_equal(gr_model_format_parse("ONNX"), GR_FORMAT_ONNX);
	assert_int_equal(gr_model_format_parse("pickle"), GR_FORMAT_UNKNOWN);
	assert_int_equal(gr_model_format_parse(NULL), GR_FORMAT_UNKNOWN);
}

static void model_load_dispatches_tflite_and_reports_unknown_formats(void **state)
{
	static const unsigned char tfl[] = {0x1c, 0, 0, 0, 'T', 'F', 'L', '3', 0, 0};
	static const char text[] = "hello, world";
	gr_graph *g = NULL;
	gr_error err = {0};
	gr_load_opts opts = {GR_FORMAT_ONNX, 0};

	(void)state;
	/* detected as TFLite by its identifier, then refused by the TFLite reader */
	assert_int_equal(gr_model_load_mem(tfl, sizeof(tfl), "m.tflite", NULL, &g, &err),
			 GR_ERR_FORMAT);
	assert_string_equal(err.msg, "cannot read 'm.tflite': at byte 0: model root: offset 28 points outside the file");
	assert_int_equal(gr_model_load_mem((const unsigned char *)text, strlen(text), "x.txt",
					   NULL, &g, &err), GR_ERR_FORMAT);
	assert_string_equal(err.msg, "cannot read 'x.txt': unknown model format "
				     "(expected ONNX, TFLite or FX JSON)");
	/* A forced format skips detection. */
	assert_int_equal(gr_model_load_mem((const unsigned char *)text, strlen(text), "x.txt",
					   &opts, &g, &err), GR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "cannot read 'x.txt': at byte"));
	assert_null(g);
}

static void model_load_reports_missing_files_and_directories(void **state)
{
	gr_graph *g = NULL;
	gr_error err = {0};

	(void)state;
	assert_int_equal(gr_model_load(FIXTURES "/missing.onnx", NULL, &g, &err), GR_ERR_IO);
	assert_non_null(strstr(err.msg, "missing.onnx': No such file or directory"));
	assert_int_equal(gr_model_load(FIXTURES, NULL, &g, &err), GR_ERR_IO);
	assert_non_null(strstr(err.msg, "Is a directory"));
	assert_null(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(onnx_reader_loads_conv_with_strides_padding),
		cmocka_unit_test(onnx_reader_loads_every_onnx_node_test),
		cmocka_unit_test(onnx_reader_keeps_initializers_listed_as_inputs_out_of_inputs),
		cmocka_unit_test(onnx_reader_reads_symbolic_and_missing_dims_of_inputs),
		cmocka_unit_test(onnx_reader_decodes_small_tensor_values_of_every_encoding),
		cmocka_unit_test(onnx_reader_keeps_only_shapes_of_large_weightless_and_external_tensors),
		cmocka_unit_test(onnx_reader_turns_attribute_tensors_into_named_constants),
		cmocka_unit_test(onnx_reader_infers_attribute_types_old_files_leave_out),
		cmocka_unit_test(onnx_reader_reads_float_and_string_lists),
		cmocka_unit_test(onnx_reader_maps_omitted_inputs_and_outputs_to_null),
		cmocka_unit_test(onnx_reader_names_unnamed_nodes_by_op_type_and_index),
		cmocka_unit_test(onnx_reader_resolves_outer_names_in_subgraphs),
		cmocka_unit_test(onnx_reader_records_declared_shapes_without_trusting_them),
		cmocka_unit_test(onnx_reader_takes_opset_of_default_domain_and_keeps_custom_ops),
		cmocka_unit_test(onnx_reader_rejects_empty_file),
		cmocka_unit_test(onnx_reader_rejects_truncated_varint),
		cmocka_unit_test(onnx_reader_rejects_overlong_varint),
		cmocka_unit_test(onnx_reader_rejects_length_beyond_end),
		cmocka_unit_test(onnx_reader_rejects_protobuf_groups),
		cmocka_unit_test(onnx_reader_rejects_absurd_dims),
		cmocka_unit_test(onnx_reader_rejects_negative_dims),
		cmocka_unit_test(onnx_reader_rejects_dims_product_overflowing_int64),
		cmocka_unit_test(onnx_reader_rejects_rank_above_limit),
		cmocka_unit_test(onnx_reader_rejects_deep_nesting),
		cmocka_unit_test(onnx_reader_rejects_payload_size_mismatch),
		cmocka_unit_test(onnx_reader_rejects_random_bytes),
		cmocka_unit_test(onnx_reader_rejects_broken_graphs),
		cmocka_unit_test(onnx_reader_rejects_absurd_opset),
		cmocka_unit_test(onnx_reader_rejects_every_bad_fixture),
		cmocka_unit_test(onnx_reader_survives_truncation_and_corruption_of_a_good_model),
		cmocka_unit_test(onnx_reader_reads_tensor_file_dims),
		cmocka_unit_test(onnx_reader_rejects_bad_tensor_files),
		cmocka_unit_test(onnx_reader_counts_quantized_weights_in_constant_nodes),
		cmocka_unit_test(onnx_reader_counts_quantized_weights_in_initializers),
		cmocka_unit_test(onnx_reader_counts_qdq_chains_once),
		cmocka_unit_test(onnx_reader_counts_weights_of_the_costed_if_branch),
		cmocka_unit_test(model_detect_recognizes_formats_by_content),
		cmocka_unit_test(model_format_names_round_trip),
		cmocka_unit_test(model_load_dispatches_tflite_and_reports_unknown_formats),
		cmocka_unit_test(model_load_reports_missing_files_and_directories),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
