/* Shape inference against the ONNX project's own node tests (Debian's libonnx-testdata):
 * every test whose ops are all in the op table must produce the expected output shapes.
 * Prints the coverage figures; fails below 90% exact matches or under 100 supported ops. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "core/graph_impl.h"
#include "graphs/model.h"

#define NODE_DIR "/usr/share/libonnx-testdata/data/node"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1 when every node (and subgraph node) has a known op. */
static int all_ops_supported(const gr_graph *g)
{
	for (size_t i = 0; i < g->n_nodes; i++) {
		const gr_node *n = g->nodes[i];
		if (n->op == GR_OP_UNKNOWN)
			return 0;
		for (size_t a = 0; a < n->n_attr; a++)
			if (n->attrs[a].g && !all_ops_supported(n->attrs[a].g))
				return 0;
	}
	return 1;
}

static void mark_ops(const gr_graph *g, char *seen)
{
	for (size_t i = 0; i < g->n_nodes; i++) {
		const gr_node *n = g->nodes[i];
		seen[n->op] = 1;
		for (size_t a = 0; a < n->n_attr; a++)
			if (n->attrs[a].g)
				mark_ops(n->attrs[a].g, seen);
	}
}

/* 0 = mismatch, 1 = match, -1 = expected output not a plain tensor (sequence/optional). */
static int outputs_match(const gr_graph *g, const char *dir, char *why, size_t wsize)
{
	for (size_t k = 0; k < g->n_outputs; k++) {
		char path[1024];
		int64_t dims[GR_MAX_RANK * 4];
		int rank = 0;
		gr_dtype dt;
		gr_error err = {0};
		const gr_tensor *t = g->outputs[k];

		snprintf(path, sizeof(path), "%s/test_data_set_0/output_%zu.pb", dir, k);
		if (gr_onnx_tensor_file_shape(path, &dt, dims, &rank, &err))
			return -1;
		if (t->rank != rank) {
			snprintf(why, wsize, "output %zu: rank %d, expected %d", k, t->rank, rank);
			return 0;
		}
		for (int i = 0; i < rank; i++)
			if (t->dims[i].value != dims[i]) {
				snprintf(why, wsize, "output %zu dim %d: %lld, expected %lld", k, i,
					 (long long)t->dims[i].value, (long long)dims[i]);
				return 0;
			}
	}
	return 1;
}

static void node_tests_match_expected_shapes(void **state)
{
	DIR *d = opendir(NODE_DIR);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	size_t applicable = 0, passed = 0, unsupported = 0, not_tensor = 0, load_fail = 0;
	char seen[GR_OP_COUNT] = {0};
	int ops_seen = 0;
	(void)state;

	if (!d) {
		print_message("libonnx-testdata is not installed (%s)\n", NODE_DIR);
		skip();
	}
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "test_", 5))
			continue;
		if (n == cap)
			names = realloc(names, (cap = cap ? cap * 2 : 1024) * sizeof(*names));
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char dir[512], path[600], why[256] = "";
		gr_graph *g = NULL;
		gr_error err = {0};
		int m;

		snprintf(dir, sizeof(dir), "%s/%s", NODE_DIR, names[i]);
		snprintf(path, sizeof(path), "%s/model.onnx", dir);
		if (gr_model_load(path, NULL, &g, &err)) {
			load_fail++;
			print_message("load failed %s: %s\n", names[i], err.msg);
			continue;
		}
		/* Shape operands (axes, K, scales, target shapes) and the data of data-dependent ops
		 * (NonZero, Compress, NMS) arrive as graph inputs whose values are in input_N.pb:
		 * attach the small ones (at most GR_FOLD_MAX elements), as a runtime sees them. */
		for (size_t k = 0; k < g->n_inputs; k++) {
			char in_path[700];
			gr_tensor *t = g->inputs[k];
			gr_error ierr = {0};
			snprintf(in_path, sizeof(in_path), "%s/test_data_set_0/input_%zu.pb", dir, k);
			gr_onnx_tensor_file_load(in_path, g, t, &ierr);
		}
		if (!all_ops_supported(g)) {
			unsupported++;
			gr_graph_free(g);
			continue;
		}
		mark_ops(g, seen);
		if (gr_graph_infer(g, &err)) {
			applicable++;
			print_message("MISMATCH %s: inference failed: %s\n", names[i], err.msg);
			gr_graph_free(g);
			continue;
		}
		m = outputs_match(g, dir, why, sizeof(why));
		if (m < 0) {
			not_tensor++;
		} else {
			applicable++;
			if (m)
				passed++;
			else
				print_message("MISMATCH %s: %s\n", names[i], why);
		}
		gr_graph_free(g);
	}
	for (int k = 1; k < GR_OP_COUNT; k++)
		ops_seen += seen[k];
	print_message("onnx node tests: %zu total, %zu with all ops supported and tensor outputs, "
		      "%zu exact shape matches (%.1f%%); %zu with unsupported ops, %zu sequence/optional "
		      "outputs, %zu failed to load\n",
		      n, applicable, passed, applicable ? 100.0 * passed / applicable : 0.0, unsupported,
		      not_tensor, load_fail);
	print_message("op types: %d in the op table, %d exercised by these node tests\n",
		      GR_OP_COUNT - 1, ops_seen);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	assert_true(GR_OP_COUNT - 1 >= 100);
	assert_true(ops_seen >= 100);
	assert_true(applicable >= 500);
	assert_true(passed * 100 >= applicable * 90);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(node_tests_match_expected_shapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
