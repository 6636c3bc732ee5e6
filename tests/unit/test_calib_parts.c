/* Parts of a module timed whole (tools/torch_runner.py: "module/OnnxOp/output elements/k"):
 * calibration gives each part row the one op it names, and the module's own row the rest. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmpdir_fixture.h"
#include "calibration/calib_impl.h"
#include "graphs/bench.h"
#include "graphs/validate.h"
#include "cli/cli.h"

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
	assert_int_equal(calib_cache_model(c, "swin_t", 1, "pytorch", GR_CONV_PATH_FLOAT, &m, &err), GR_OK);
	memset(rows, 0, sizeof(rows));
	for (size_t r = 0; r < NR; r++) {
		rows[r].nodes = (char *)nodes[r];
		rows[r].subgraph = 2;
		rp[r] = &rows[r];
	}
	node_row = calloc(m->n_nodes + 1, sizeof(int));
	assert_non_null(node_row);
	calib_match(m, rp, NR, node_row, NULL);
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

/* vit_b_32's nn.MultiheadAttention, whose parts the runner times on their own at its shapes:
 * the packed in-projection, q k^T, softmax, attention x v and the 2-D out-projection (Gemm). */
static void multihead_attention_parts_match_the_export(void **state)
{
	static const char *const vit[] = {
		"encoder_layers_encoder_layer_0_self_attention|encoder_layers_encoder_layer_0_self_attention_out_proj",
		"encoder_layers_encoder_layer_0_self_attention/MatMul/115200/0",
		"encoder_layers_encoder_layer_0_self_attention/MatMul/30000/0",
		"encoder_layers_encoder_layer_0_self_attention/Softmax/30000/0",
		"encoder_layers_encoder_layer_0_self_attention/MatMul/38400/0",
		"encoder_layers_encoder_layer_0_self_attention/Gemm/38400/0",
	};
	static const int cls[] = {-1, GR_KC_GEMM, GR_KC_MATMUL, GR_KC_REDUCE, GR_KC_MATMUL, GR_KC_GEMM};
	gr_calib_cache *c;
	calib_model *m;
	gr_error err = {0};
	gr_meas_row rows[6];
	const gr_meas_row *rp[6];
	int *node_row, hit[6] = {0};
	(void)state;
	assert_int_equal(gr_calib_cache_new(NULL, &c, &err), GR_OK);
	assert_int_equal(calib_cache_model(c, "vit_b_32", 1, "pytorch", GR_CONV_PATH_FLOAT, &m, &err), GR_OK);
	memset(rows, 0, sizeof(rows));
	for (size_t r = 0; r < 6; r++) {
		rows[r].nodes = (char *)vit[r];
		rp[r] = &rows[r];
	}
	node_row = calloc(m->n_nodes + 1, sizeof(int));
	assert_non_null(node_row);
	calib_match(m, rp, 6, node_row, NULL);
	for (size_t i = 0; i < m->n_nodes; i++)
		if (node_row[i] > 0) {
			hit[node_row[i]]++;
			assert_int_equal(m->nodes[i].cls, cls[node_row[i]]);
		}
	for (size_t r = 1; r < 6; r++)
		assert_int_equal(hit[r], 1);
	free(node_row);
	/* maxvit_t: its q/k/v Linear is a submodule of the attention module timed whole */
	{
		static const char *const mx[] = {
			"blocks_0_layers_0_layers_window_attention_attn_layer_1/MatMul/602112/0",
			"blocks_0_layers_0_layers_window_attention_attn_layer_1/Einsum/307328/0",
			"blocks_0_layers_0_layers_window_attention_attn_layer_1/Softmax/307328/0",
			"blocks_0_layers_0_layers_window_attention_attn_layer_1/Einsum/200704/0",
			"blocks_0_layers_0_layers_window_attention_attn_layer_1/MatMul/200704/0",
		};
		int mh[5] = {0};
		assert_int_equal(calib_cache_model(c, "maxvit_t", 1, "pytorch", GR_CONV_PATH_FLOAT, &m, &err), GR_OK);
		memset(rows, 0, sizeof(rows));
		for (size_t r = 0; r < 5; r++) {
			rows[r].nodes = (char *)mx[r];
			rp[r] = &rows[r];
		}
		assert_non_null(node_row = calloc(m->n_nodes + 1, sizeof(int)));
		calib_match(m, rp, 5, node_row, NULL);
		for (size_t i = 0; i < m->n_nodes; i++)
			if (node_row[i] >= 0)
				mh[node_row[i]]++;
		for (size_t r = 0; r < 5; r++)
			assert_int_equal(mh[r], 1);
		free(node_row);
	}
	gr_calib_cache_free(c);
}

/* A softmax costing 90 ns per row plus 0.8 ns per element (what this project's VM showed):
 * swin_t's windowed softmaxes (1176-9408 rows of 49) and vit_b_32's (600 rows of 50), timed as
 * parts, give the reduce class a cost per row; its FLOP and byte terms alone cannot fit both. */
#define ROW_S 90e-9
#define ELEM_S 0.8e-9
static void softmax_rows_fit_a_cost_per_row(void **state)
{
	static const char *models[] = {"swin_t", "vit_b_32"};
	gr_calib_cache *c;
	gr_bench_store *st;
	gr_bench_run_info ri = {0};
	gr_meas_set *s;
	gr_profile *p = NULL;
	gr_fit_opts o = {0};
	gr_error err = {0};
	int64_t run, id;
	int n = 0;
	(void)state;
	assert_int_equal(gr_calib_cache_new(NULL, &c, &err), GR_OK);
	assert_int_equal(gr_bench_store_open(tmp("rows.db"), &st, &err), GR_OK);
	ri.hw_id = "intel_core_i7_12700k";
	ri.suite = "calibration";
	ri.backend = "torch";
	ri.idle_power_w = NAN;
	assert_int_equal(gr_bench_store_begin_run(st, &ri, &run, &err), GR_OK);
	for (size_t k = 0; k < 2; k++) {
		calib_model *m;
		assert_int_equal(calib_cache_model(c, models[k], 1, "pytorch", GR_CONV_PATH_FLOAT, &m, &err), GR_OK);
		for (size_t i = 0; i < m->n_nodes; i++) {
			char tag[256], name[300];
			gr_bench_record rec;
			const otm_node *x = &m->nodes[i];
			if (strcmp(gr_node_op_type(gr_graph_node(m->g, i)), "Softmax"))
				continue;
			if (!n)
				assert_int_equal((int)x->rows, 9408); /* 64 windows x 3 heads x 49 tokens */
			if (k == 1)
				assert_int_equal((int)x->rows, 600); /* 12 heads x 50 tokens */
			snprintf(tag, sizeof(tag), "%s/Softmax/%.0f/0", m->module[i], x->eo);
			snprintf(name, sizeof(name), "%s:%s", models[k], tag);
			gr_bench_record_init(&rec);
			rec.kind = "layer";
			rec.name = name;
			rec.model = models[k];
			rec.nodes = tag;
			rec.subgraph = n++;
			rec.precision = "fp32";
			rec.batch = 1;
			rec.has_stats = 1;
			rec.st.median = rec.st.mean = rec.st.min = (2e-6 + ROW_S * x->rows + ELEM_S * x->eo) * 1e3;
			assert_int_equal(gr_bench_store_add(st, run, &rec, &id, &err), GR_OK);
		}
	}
	assert_int_equal(n, 24);
	gr_bench_store_end_run(st, run, "complete", &err);
	gr_bench_store_close(st);
	assert_int_equal(gr_meas_set_new(&s, &err), GR_OK);
	assert_int_equal(gr_meas_load(s, tmp("rows.db"), NULL, &err), GR_OK);
	o.hw = "intel_core_i7_12700k";
	o.precision = -1;
	o.cache = c;
	assert_int_equal(gr_profile_fit(s, &o, &p, &err), GR_OK);
	{
		const otm_class *r = &p->tm.prec[GR_PREC_FP32].cls[GR_KC_REDUCE];
		print_message("reduce: %.3g s/row, %.3g s/byte, %.3g s/FLOP\n", r->coef[CF_ROWS], r->coef[CF_BYTES],
			      r->coef[CF_FLOPS]);
		assert_true(r->fitted && r->points == 24);
		/* the records' times are in ms, read as seconds (as in test_calibrate's transformer test) */
		assert_true(fabs(r->coef[CF_ROWS] / (ROW_S * 1e3) - 1) < 0.1);
	}
	{ /* calibrate --report prints it (docs/calibrate.md) */
		char db[300], line[512], *argv[] = {"calibrate", "--hw", "intel_core_i7_12700k", "--from", db, "--report",
						     "--no-save", NULL};
		int fd = dup(1), found = 0;
		FILE *f;
		snprintf(db, sizeof(db), "%s", tmp("rows.db"));
		fflush(stdout);
		assert_non_null(freopen(tmp("report.txt"), "w", stdout));
		assert_int_equal(cmd_calibrate(7, argv), 0);
		fflush(stdout);
		dup2(fd, 1);
		close(fd);
		assert_non_null(f = fopen(tmp("report.txt"), "r"));
		while (fgets(line, sizeof(line), f))
			found += !strncmp(line, "  per row      reduce: ", 23) && strstr(line, " ns per reduction row");
		fclose(f);
		assert_int_equal(found, 1);
	}
	gr_profile_free(p);
	gr_meas_set_free(s);
	gr_calib_cache_free(c);
}

/* validate (gr_val_run) on a database of swin_t's first attention module: one run has its parts
 * and its rest (the module's record less them), another the module timed whole. The rest row is
 * predicted less the ops its parts take, as calibration matches them, so a part row's and the
 * rest row's predictions sum to the module's: no row is predicted with another's ops. */
static void validate_predicts_the_rest_less_its_parts(void **state)
{
	gr_bench_store *st;
	gr_bench_run_info ri = {0};
	gr_meas_set *s;
	gr_val_set *vs = gr_val_set_new();
	gr_val_opts o = {0};
	gr_error err = {0};
	const char *hw = "intel_core_i7_12700k";
	double pred[NR + 1] = {0};
	int seen[NR + 1] = {0};
	const char *conf[NR + 1] = {0};
	int64_t run, id;
	(void)state;
	assert_non_null(vs);
	assert_int_equal(gr_bench_store_open(tmp("val.db"), &st, &err), GR_OK);
	ri.hw_id = hw;
	ri.suite = "calibration";
	ri.backend = "torch";
	ri.idle_power_w = NAN;
	/* run 1: the rest (row 0) and its five parts (rows 1-5); run 2: the module whole (row NR) */
	for (int pass = 0; pass < 2; pass++) {
		assert_int_equal(gr_bench_store_begin_run(st, &ri, &run, &err), GR_OK);
		for (size_t r = 0; r <= (pass ? 0u : 5u); r++) {
			gr_bench_record rec;
			char name[128];
			snprintf(name, sizeof(name), "swin_t:%zu", r);
			gr_bench_record_init(&rec);
			rec.kind = "layer";
			rec.name = name;
			rec.model = "swin_t";
			rec.nodes = nodes[r];
			rec.subgraph = pass ? (int)NR : (int)r;
			rec.precision = "fp32";
			rec.batch = 1;
			rec.has_stats = 1;
			rec.st.median = rec.st.mean = rec.st.min = 0.1;
			assert_int_equal(gr_bench_store_add(st, run, &rec, &id, &err), GR_OK);
		}
		gr_bench_store_end_run(st, run, "complete", &err);
	}
	gr_bench_store_close(st);
	assert_int_equal(gr_meas_set_new(&s, &err), GR_OK);
	assert_int_equal(gr_meas_load(s, tmp("val.db"), NULL, &err), GR_OK);
	o.hw = &hw;
	o.n_hw = 1;
	o.precision = -1;
	o.subgraphs = 1;
	assert_int_equal(gr_val_run(s, &o, vs, &err), GR_OK);
	for (size_t i = 0; i < gr_val_set_count(vs); i++) {
		const gr_val_point *pt = gr_val_set_at(vs, i);
		if (pt->level != GR_VAL_LEVEL_SUBGRAPH || pt->subgraph < 0 || pt->subgraph > (int)NR)
			continue;
		pred[pt->subgraph] = pt->predicted_ms;
		seen[pt->subgraph]++;
		conf[pt->subgraph] = pt->confidence;
	}
	print_message("module %.4f ms = rest %.4f + parts %.4f %.4f %.4f %.4f %.4f\n", pred[NR], pred[0], pred[1],
		      pred[2], pred[3], pred[4], pred[5]);
	for (size_t r = 0; r <= 5; r++) {
		assert_int_equal(seen[r], 1);
		assert_true(pred[r] > 0);
	}
	assert_int_equal(seen[NR], 1);
	/* the linears are gemm, which the i7 fitted (its matmul and reduce it did not) */
	assert_string_equal(conf[1], "calibrated");
	assert_string_equal(conf[5], "calibrated");
	assert_true(pred[0] < pred[NR]);
	assert_true(fabs(pred[0] + pred[1] + pred[2] + pred[3] + pred[4] + pred[5] - pred[NR]) < 1e-9 * pred[NR]);
	gr_val_set_free(vs);
	gr_meas_set_free(s);
}

static int setup(void **state)
{
	(void)state;
	return fixture_tmpdir_make("graphs_test_calib_parts");
}

static int teardown(void **state)
{
	(void)state;
	return fixture_tmpdir_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parts_take_their_op_and_the_module_the_rest),
		cmocka_unit_test(multihead_attention_parts_match_the_export),
		cmocka_unit_test(softmax_rows_fit_a_cost_per_row),
		cmocka_unit_test(validate_predicts_the_rest_less_its_parts),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
