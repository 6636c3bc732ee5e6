/* The zoo against PyTorch: parameter counts must equal torchvision's exactly, and the MACs of
 * conv/linear layers must agree within 2% with forward-hook counts taken in torch
 * (tests/data/zoo_reference.csv, written by tools/zoo_reference.py with Debian's torch). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/graph_impl.h"
#include "graphs/model.h"
#include "graphs/zoo.h"

#define REF GRAPHS_SOURCE_DIR "/tests/data/zoo_reference.csv"

/* MACs of nodes that hold weights: Conv, ConvTranspose, Gemm, and MatMul with a constant operand. */
static double weight_macs(const gr_graph *g)
{
	double m = 0;
	for (size_t i = 0; i < g->n_nodes; i++) {
		const gr_node *n = g->nodes[i];
		const gr_tensor *b = gr_in(n, 1);
		/* exporters feed Linear weights through Transpose(initializer) */
		if (b && b->producer && b->producer->op == GR_OP_TRANSPOSE && gr_in(b->producer, 0))
			b = gr_in(b->producer, 0);
		if (n->op == GR_OP_CONV || n->op == GR_OP_CONV_TRANSPOSE || n->op == GR_OP_GEMM ||
		    (n->op == GR_OP_MATMUL && b && b->is_initializer))
			m += n->cost.macs;
	}
	return m;
}

static int find_col(char *hdr, const char *name)
{
	int i = 0;
	for (char *tok = strtok(hdr, ",\r\n"); tok; tok = strtok(NULL, ",\r\n"), i++)
		if (!strcmp(tok, name))
			return i;
	return -1;
}

static const char *field(char *line, int col, char *buf, size_t size)
{
	const char *p = line;
	size_t len;
	for (int i = 0; i < col && p; i++) {
		p = strchr(p, ',');
		if (p)
			p++;
	}
	if (!p)
		return "";
	len = strcspn(p, ",\r\n");
	if (len >= size)
		len = size - 1;
	memcpy(buf, p, len);
	buf[len] = 0;
	return buf;
}

static void zoo_params_and_macs_match_torch(void **state)
{
	FILE *f = fopen(REF, "r");
	char line[4096], hdr[4096];
	int c_name, c_params, c_macs, n = 0, bad_params = 0, bad_macs = 0, bad_cover = 0;
	(void)state;

	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	strcpy(hdr, line);
	c_name = find_col(hdr, "name");
	strcpy(hdr, line);
	c_params = find_col(hdr, "params");
	strcpy(hdr, line);
	c_macs = find_col(hdr, "conv_linear_macs");
	assert_true(c_name >= 0 && c_params >= 0 && c_macs >= 0);
	while (fgets(line, sizeof(line), f)) {
		char name[128], b1[64], b2[64], path[1024];
		gr_graph *g = NULL;
		gr_graph_totals tot;
		gr_error err = {0};
		long long params;
		double macs, ours, dev;

		field(line, c_name, name, sizeof(name));
		params = atoll(field(line, c_params, b1, sizeof(b1)));
		macs = atof(field(line, c_macs, b2, sizeof(b2)));
		if (!name[0])
			continue;
		if (gr_zoo_resolve(name, path, sizeof(path), &err) || gr_model_load(path, NULL, &g, &err) ||
		    (gr_zoo_bind_defaults(g, name), gr_graph_bind_dim(g, "batch", 1, &err)) || gr_graph_infer(g, &err)) {
			print_message("FAIL %s: %s\n", name, err.msg);
			bad_params++;
			gr_graph_free(g);
			continue;
		}
		gr_graph_totals_compute(g, &tot);
		ours = weight_macs(g);
		dev = macs > 0 ? (ours - macs) / macs : 0;
		print_message("%-28s params %11lld (torch %11lld)  conv+linear MACs %.4g (torch %.4g, %+.2f%%)  "
			      "FLOPs %.4g, coverage %.1f%%\n",
			      name, (long long)tot.params, params, ours, macs, 100 * dev, tot.flops,
			      100.0 * tot.nodes_known / (tot.nodes ? tot.nodes : 1));
		if (tot.params != params)
			bad_params++;
		/* every zoo model must be fully understood: no unknown op, no unknown shape */
		if (tot.unknown_ops || tot.nodes_known != tot.nodes) {
			print_message("FAIL %s: %zu unknown ops, %zu of %zu nodes known\n", name,
				      tot.unknown_ops, tot.nodes_known, tot.nodes);
			bad_cover++;
		}
		if (macs > 0 && fabs(dev) > 0.02)
			bad_macs++;
		/* FLOPs = 2 x MACs plus a small elementwise share */
		if (macs > 0 && (tot.flops < 2 * ours || tot.flops > 2 * ours * 1.25 + 1e6))
			bad_macs++;
		n++;
		gr_graph_free(g);
	}
	fclose(f);
	print_message("%d zoo models checked: %d parameter mismatches, %d MAC/FLOP mismatches, "
		      "%d not fully covered\n", n, bad_params, bad_macs, bad_cover);
	assert_true(n >= 50);
	assert_int_equal(bad_params, 0);
	assert_int_equal(bad_macs, 0);
	assert_int_equal(bad_cover, 0);
}

/* Every model listed in models/zoo.csv has a torch reference row, so none escapes the check above. */
static void every_zoo_model_has_a_reference(void **state)
{
	FILE *z = fopen(GRAPHS_SOURCE_DIR "/models/zoo.csv", "r");
	FILE *r = fopen(REF, "r");
	static char ref[1 << 16];
	char line[4096];
	size_t len;
	int n = 0, missing = 0;
	(void)state;

	assert_non_null(z);
	assert_non_null(r);
	len = fread(ref + 1, 1, sizeof(ref) - 2, r);
	ref[0] = '\n';   /* each name is then found as "\n<name>," */
	ref[len + 1] = 0;
	fclose(r);
	assert_true(len < sizeof(ref) - 2);
	assert_non_null(fgets(line, sizeof(line), z));   /* header */
	while (fgets(line, sizeof(line), z)) {
		char key[160];
		size_t nl = strcspn(line, ",\r\n");
		if (!nl || nl > 128)
			continue;
		snprintf(key, sizeof(key), "\n%.*s,", (int)nl, line);
		if (!strstr(ref, key)) {
			print_message("zoo model %.*s has no row in %s\n", (int)nl, line, REF);
			missing++;
		}
		n++;
	}
	fclose(z);
	print_message("%d zoo models listed, %d without a torch reference\n", n, missing);
	assert_true(n >= 50);
	assert_int_equal(missing, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zoo_params_and_macs_match_torch),
		cmocka_unit_test(every_zoo_model_has_a_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
