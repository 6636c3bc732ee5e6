/* Parts of a module timed whole (tools/torch_runner.py: "module/OnnxOp/output elements/k"):
 * calibration gives each part row the one op it names, and the module's own row the rest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calibration/calib_impl.h"

/* swin_t's first attention module, as the runner names it and its parts (a real run's records) */
static const char *const nodes[] = {
	"features_1_0_attn|features_1_0_attn_qkv|features_1_0_attn_proj",
	"features_1_0_attn/MatMul/903168/0", /* qkv linear */
	"features_1_0_attn/MatMul/460992/0", /* q @ k^T */
	"features_1_0_attn/Softmax/460992/0",
	"features_1_0_attn/MatMul/301056/0", /* attn @ v */
	"features_1_0_attn/MatMul/301056/1", /* proj linear: same size, the next MatMul */
	"features_1_0_attn/MatMul/301056/2", /* a third such call: no op */
	"features_1_0_attn/Softmax/460991/0", /* another size: no op */
};
#define NR (sizeof(nodes) / sizeof(*nodes))

static void parts_take_their_op_and_the_module_the_rest(void **state)
{
	gr_calib_cache *c;
	calib_model *m;
	gr_error err = {0};
	gr_meas_row rows[NR];
	const gr_meas_row *rp[NR];
	int *node_row, hit[NR] = {0}, own[NR] = {0};
	const char *type[NR] = {0};
	int cls[NR];
	(void)state;
	assert_int_equal(gr_calib_cache_new(NULL, &c, &err), GR_OK);
	assert_int_equal(calib_cache_model(c, "swin_t", 1, "pytorch", &m, &err), GR_OK);
	memset(rows, 0, sizeof(rows));
	for (size_t r = 0; r < NR; r++) {
		rows[r].nodes = (char *)nodes[r];
		rows[r].subgraph = 2;
		rp[r] = &rows[r];
	}
	node_row = calloc(m->n_nodes + 1, sizeof(int));
	assert_non_null(node_row);
	calib_match(m, rp, NR, node_row);
	for (size_t i = 0; i < m->n_nodes; i++) {
		if (node_row[i] < 0)
			continue;
		hit[node_row[i]]++;
		type[node_row[i]] = gr_node_op_type(gr_graph_node(m->g, i));
		cls[node_row[i]] = m->nodes[i].cls;
		/* judged alone (validate), a part row finds the same op */
		for (size_t r = 1; r < NR; r++)
			own[r] += calib_node_in_row(m, i, &rows[r]) && node_row[i] == (int)r;
	}
	for (size_t r = 1; r <= 5; r++) {
		assert_int_equal(hit[r], 1);
		assert_int_equal(own[r], 1);
	}
	assert_string_equal(type[3], "Softmax");
	assert_int_equal(cls[1], GR_KC_GEMM); /* the qkv linear: weights, gemm */
	assert_int_equal(cls[2], GR_KC_MATMUL); /* two activations */
	assert_int_equal(cls[4], GR_KC_MATMUL);
	assert_int_equal(cls[5], GR_KC_GEMM);
	assert_int_equal(hit[6], 0);
	assert_int_equal(hit[7], 0);
	/* the module's own row keeps the rest: transposes, pads, the bias and mask adds */
	assert_true(hit[0] >= 10);
	free(node_row);
	gr_calib_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parts_take_their_op_and_the_module_the_rest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
