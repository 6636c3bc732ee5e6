/* ncnn's int8 layers between float activations (docs/estimate.md, "ncnn int8 activations";
 * gr_fusion_rules.int8_float_io): on x -> Conv 3x3 -> Relu -> Conv 1x1 -> MaxPool -> depthwise
 * Conv -> y, the first conv quantizes its float input and gives int8 (its consumer is a conv:
 * ncnn2int8 fuses the requantize), the second reads int8 and gives float (a pool reads it), the
 * pool works on float and the depthwise conv quantizes its float input and gives float (a graph
 * output); dense convs also write and read an int32 blob. Weights keep their bytes. Only ncnn
 * says so, and an ncnn int8 estimate, theoretical or lent from a float fit, moves more bytes
 * than one without the rule, float ones of the platform's fb (otm_int8_float_bytes); the float
 * estimates do not move, nor other runtimes' int8 ones. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "estimation/op_time_model.h"
#include "graph_builders.h"
#include "graphs/calibrate.h"
#include "graphs/estimate.h"
#include "graphs/memplan.h"
#include "graphs/transform.h"
#include "registry_fixture.h"

static void conv(gr_graph *g, const char *in, const char *w, const char *out, int64_t k, int64_t group)
{
	gr_node *n = node(g, "Conv", L(in, w), L(out), 3);
	int64_t pad = (k - 1) / 2;
	attr_ints(g, n, "pads", D(pad, pad, pad, pad), 4);
	attr_ints(g, n, "kernel_shape", D(k, k), 2);
	attr_int(n, "group", group);
}

static gr_graph *build(void)
{
	gr_graph *g = graph(17);
	gr_error err = {0};
	gr_node *n;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 32, 28, 28));
	weight(g, "w1", 4, D(32, 32, 3, 3));
	weight(g, "w2", 4, D(64, 32, 1, 1));
	weight(g, "w3", 4, D(64, 1, 3, 3));
	conv(g, "x", "w1", "a", 3, 1);
	node(g, "Relu", L("a"), L("ar"), 0);
	conv(g, "ar", "w2", "b", 1, 1);
	n = node(g, "MaxPool", L("b"), L("c"), 3);
	attr_ints(g, n, "kernel_shape", D(2, 2), 2);
	attr_ints(g, n, "strides", D(2, 2), 2);
	attr_ints(g, n, "pads", D(0, 0, 0, 0), 4);
	conv(g, "c", "w3", "y", 3, 64);
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, "y")), GR_OK);
	assert_int_equal(run(g, &err), GR_OK);
	return g;
}

static void only_ncnn_says_so(void **state)
{
	(void)state;
	assert_int_equal(gr_fusion_rules_find("ncnn")->int8_float_io, 1);
	assert_int_equal(gr_fusion_rules_find("MNN")->int8_float_io, 0);
	assert_int_equal(gr_fusion_rules_find("tflite")->int8_float_io, 0);
	assert_int_equal(gr_fusion_rules_find("onnxruntime")->int8_float_io, 0);
}

/* the bytes per element each node's activations are charged, fb for float */
static void bytes_follow_ncnn(void **state)
{
	gr_graph *g = build();
	gr_partition *p = NULL;
	gr_error err = {0};
	size_t n = gr_graph_node_count(g);
	otm_node *was = calloc(n + 1, sizeof(*was)), *now = calloc(n + 1, sizeof(*now));
	const double fb = 2, bpe = 1;
	/* per node (Conv, Relu, Conv, MaxPool, Conv): the factors on ein and on eo, those of the
	 * node's kernel (the Relu is the first conv's epilogue and carries its output) */
	const double fin[] = {fb + 2, fb + 2, 1, fb, fb + 2}, fout[] = {1 + 8, 1 + 8, fb + 8, fb, fb};
	(void)state;
	assert_non_null(was);
	assert_non_null(now);
	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find("ncnn"), &p, &err), GR_OK);
	assert_int_equal(gr_partition_count(p), 4); /* conv+relu, conv, pool, dwconv */
	for (size_t i = 0; i < n; i++)
		otm_node_from(gr_graph_node(g, i), &was[i]);
	assert_int_equal(otm_nodes_fuse(g, p, was), 0);
	memcpy(now, was, (n + 1) * sizeof(*now));
	assert_int_equal(otm_nodes_int8_float_io(g, p, now, bpe, fb, NULL), 0);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++) {
		print_message("node %zu: ein %g -> %g, eo %g -> %g, ew %g\n", i, was[i].ein, now[i].ein,
			      was[i].eo, now[i].eo, now[i].ew);
		assert_true(now[i].ew == was[i].ew);
		assert_true(fabs(now[i].ein - was[i].ein * fin[i]) <= 1e-9 * now[i].ein);
		assert_true(fabs(now[i].eo - was[i].eo * fout[i]) <= 1e-9 * now[i].eo);
		assert_true(now[i].flops == was[i].flops);
	}
	/* the element size it is given: the same bytes at bpe 4 */
	memcpy(now, was, (n + 1) * sizeof(*now));
	assert_int_equal(otm_nodes_int8_float_io(g, p, now, 4, fb, NULL), 0);
	assert_true(fabs(now[0].ein - was[0].ein * fin[0] / 4) <= 1e-9 * now[0].ein);
	free(was);
	free(now);
	gr_partition_free(p);
	gr_graph_free(g);
}

/* The layers ncnn runs besides each int8 layer (int8_io.c: src/mat.cpp's quantize_to_int8,
 * requantize_from_int32_to_int8 and dequantize_from_int32 each create, set up, run and delete a
 * layer): the first conv quantizes its float input and requantizes (2), the 1x1 conv reads int8
 * and dequantizes (1), the pool none, the depthwise conv quantizes (1; it dequantizes in its
 * kernel). A lent int8 estimate charges each at the fit's per-kernel cost (the Ryzen 9 5950X's
 * ncnn fp32 fit: 30 us), a theoretical one at the platform's launch cost; fp32 does not move. */
static void int8_passes_are_layer_dispatches(void **state)
{
	gr_graph *g = build();
	gr_partition *p = NULL, *pb = NULL;
	gr_error err = {0};
	size_t n = gr_graph_node_count(g);
	otm_node *now = calloc(n + 1, sizeof(*now));
	double passes[5] = {-1, -1, -1, -1, -1}, c = 0;
	const double want[] = {2, 1, 0, 1};
	const gr_hw *hw = gr_hw_registry_find(reg, "amd_ryzen_9_5950x");
	gr_fusion_rules off = *gr_fusion_rules_find("ncnn");
	gr_profile *prof = NULL;
	(void)state;
	off.int8_float_io = 0;
	assert_non_null(now);
	assert_non_null(hw);
	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find("ncnn"), &p, &err), GR_OK);
	assert_int_equal(gr_partition_build(g, &off, &pb, &err), GR_OK);
	for (size_t i = 0; i < n; i++)
		otm_node_from(gr_graph_node(g, i), &now[i]);
	assert_int_equal(otm_nodes_int8_float_io(g, p, now, 1, 4, passes), 0);
	for (size_t k = 0; k < 4; k++)
		assert_true(passes[k] == want[k]);
	if (gr_profile_load(GRAPHS_SOURCE_DIR "/calibration/amd_ryzen_9_5950x/default/ncnn.json", &prof, &err))
		fail_msg("%s", err.msg);
	for (int pi = 0; pi < 2; pi++)
		for (int prec = 0; prec < 2; prec++) {
			gr_estimate_opts o = {.precision = prec ? GR_PREC_FP32 : GR_PREC_INT8, .runtime = "ncnn"};
			gr_estimate *a = NULL, *b = NULL;
			assert_int_equal(gr_estimate_run_profile(g, p, hw, -1, &o, pi ? prof : NULL, &a, &err), GR_OK);
			assert_int_equal(gr_estimate_run_profile(g, pb, hw, -1, &o, pi ? prof : NULL, &b, &err), GR_OK);
			assert_int_equal(a->n_kernels, 4);
			c = a->kernels[1].overhead_s - b->kernels[1].overhead_s;
			print_message("profile %d %s: one pass %.3g us\n", pi, prec ? "fp32" : "int8", 1e6 * c);
			for (size_t k = 0; k < 4; k++) {
				double d = a->kernels[k].overhead_s - b->kernels[k].overhead_s;
				if (prec)
					assert_true(d == 0);
				else
					assert_true(c > 0 && fabs(d - want[k] * c) <= 1e-9 * c);
			}
			if (!prec && pi)
				assert_true(fabs(c - 30.08e-6) < 0.01e-6); /* the fit's kernel_s */
			gr_estimate_free(a);
			gr_estimate_free(b);
		}
	gr_profile_free(prof);
	free(now);
	gr_partition_free(p);
	gr_partition_free(pb);
	gr_graph_free(g);
}

/* the Pi 4's ncnn profile fits fp32 only: its int8 estimate is lent, and moves float bytes on
 * ncnn; the fp32 estimate is the fit's own and does not change with the rule */
static void lent_int8_moves_float_bytes(void **state)
{
	gr_graph *g = build();
	gr_profile *prof = NULL;
	gr_error err = {0};
	const gr_hw *hw = gr_hw_registry_find(reg, "raspberry_pi_4");
	gr_fusion_rules off = *gr_fusion_rules_find("ncnn");
	(void)state;
	off.int8_float_io = 0;
	assert_non_null(hw);
	if (gr_profile_load(GRAPHS_SOURCE_DIR "/calibration/raspberry_pi_4/default/ncnn.json", &prof, &err))
		fail_msg("%s", err.msg);
	for (int prec = 0; prec < 2; prec++) {
		gr_estimate_opts o = {.precision = prec ? GR_PREC_FP32 : GR_PREC_INT8, .runtime = "ncnn"};
		gr_estimate *a = NULL, *b = NULL;
		gr_partition *pa = NULL, *pb = NULL;
		assert_int_equal(gr_partition_build(g, gr_fusion_rules_find("ncnn"), &pa, &err), GR_OK);
		assert_int_equal(gr_partition_build(g, &off, &pb, &err), GR_OK);
		assert_int_equal(gr_estimate_run_profile(g, pa, hw, -1, &o, prof, &a, &err), GR_OK);
		assert_int_equal(gr_estimate_run_profile(g, pb, hw, -1, &o, prof, &b, &err), GR_OK);
		print_message("%s: %.4f ms with the rule, %.4f ms without\n", prec ? "fp32" : "int8",
			      1e3 * a->latency_s, 1e3 * b->latency_s);
		assert_true(a->confidence != GR_CONF_THEORETICAL);
		if (prec)
			assert_true(a->latency_s == b->latency_s);
		else
			assert_true(a->latency_s > b->latency_s);
		gr_estimate_free(a);
		gr_estimate_free(b);
		gr_partition_free(pa);
		gr_partition_free(pb);
	}
	gr_profile_free(prof);
	gr_graph_free(g);
}

/* fb by one rule from the registry: 2 (ncnn's fp16 storage) on an Arm CPU with native fp16, 4
 * on x86 (fp16 native or not) and on Arm cores without FEAT_FP16 */
static void float_bytes_follow_the_platform(void **state)
{
	static const struct {
		const char *id;
		double fb;
	} want[] = {{"raspberry_pi_4", 4}, {"raspberry_pi_5", 2}, {"apple_m3", 2}, {"jetson_orin_nano_cpu", 2},
		    {"mediatek_dimensity_9300", 2}, {"amd_ryzen_9_5950x", 4}, {"intel_core_i7_13700k", 4},
		    {"intel_xeon_platinum_8480", 4}};
	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const gr_hw *hw = gr_hw_registry_find(reg, want[i].id);
		assert_non_null(hw);
		print_message("%s: fb %g\n", want[i].id, otm_int8_float_bytes(hw));
		assert_true(otm_int8_float_bytes(hw) == want[i].fb);
	}
}

/* theoretical estimates (no profile): ncnn's int8 one moves float bytes of the platform's fb,
 * more at fp32 than at fp16 storage; its fp32 and fp16 ones, and other runtimes' int8 ones, do
 * not move */
static void theoretical_int8_moves_float_bytes(void **state)
{
	gr_graph *g = build();
	gr_error err = {0};
	gr_fusion_rules off = *gr_fusion_rules_find("ncnn");
	const char *ids[] = {"raspberry_pi_4", "raspberry_pi_5"}, *others[] = {"pytorch", "onnxruntime", "tflite"};
	double extra[2] = {0, 0};
	(void)state;
	off.int8_float_io = 0;
	for (int h = 0; h < 2; h++) {
		const gr_hw *hw = gr_hw_registry_find(reg, ids[h]);
		assert_non_null(hw);
		for (int prec = 0; prec < 3; prec++) {
			gr_precision pr = prec == 0 ? GR_PREC_INT8 : prec == 1 ? GR_PREC_FP32 : GR_PREC_FP16;
			gr_estimate_opts o = {.precision = pr, .runtime = "ncnn"};
			gr_estimate *a = NULL, *b = NULL;
			gr_partition *pa = NULL, *pb = NULL;
			if (pr == GR_PREC_FP16 && !gr_hw_precision_native(hw, pr))
				continue;
			assert_int_equal(gr_partition_build(g, gr_fusion_rules_find("ncnn"), &pa, &err), GR_OK);
			assert_int_equal(gr_partition_build(g, &off, &pb, &err), GR_OK);
			assert_int_equal(gr_estimate_run(g, pa, hw, -1, &o, &a, &err), GR_OK);
			assert_int_equal(gr_estimate_run(g, pb, hw, -1, &o, &b, &err), GR_OK);
			print_message("%s %s: %.4f ms, %.0f B with the rule; %.4f ms, %.0f B without (%s)\n", ids[h],
				      gr_precision_name(pr), 1e3 * a->latency_s, a->bytes, 1e3 * b->latency_s, b->bytes,
				      a->note);
			assert_true(a->confidence == GR_CONF_THEORETICAL);
			if (pr == GR_PREC_INT8) {
				assert_true(a->bytes > b->bytes);
				assert_true(a->latency_s >= b->latency_s);
				assert_non_null(strstr(a->note, h ? "between fp16 activations" : "between fp32 activations"));
				extra[h] = a->bytes - b->bytes;
			} else {
				assert_true(a->latency_s == b->latency_s && a->bytes == b->bytes);
				assert_null(strstr(a->note, "int8 layers"));
			}
			gr_estimate_free(a);
			gr_estimate_free(b);
			gr_partition_free(pa);
			gr_partition_free(pb);
		}
	}
	/* the same graph: only fb differs, and each float element costs fb (2 more at fp32) */
	assert_true(extra[0] > extra[1] && extra[1] > 0);
	for (int r = 0; r < 3; r++) {
		const gr_hw *hw = gr_hw_registry_find(reg, "raspberry_pi_5");
		gr_estimate_opts o = {.precision = GR_PREC_INT8, .runtime = others[r]};
		gr_estimate *e = NULL;
		gr_partition *p = NULL;
		double want = 0;
		assert_int_equal(gr_partition_build(g, gr_fusion_rules_find(others[r]), &p, &err), GR_OK);
		assert_int_equal(gr_estimate_run(g, p, hw, -1, &o, &e, &err), GR_OK);
		for (size_t k = 0; k < gr_partition_count(p); k++) {
			const gr_kernel *kk = gr_partition_kernel(p, k);
			want += gr_fusion_rules_find(others[r])->fused_memory
					? kk->elems_in + kk->elems_weights + kk->elems_out
					: kk->elems_nodes;
		}
		print_message("%s int8: %.0f B (int8 elements %.0f)\n", others[r], e->bytes, want);
		assert_null(strstr(e->note, "int8 layers"));
		assert_true(fabs(e->bytes - want) <= 1e-9 * want);
		gr_estimate_free(e);
		gr_partition_free(p);
	}
	gr_graph_free(g);
}

/* x -> Conv 3x3 -> Relu -> MaxPool -> y: the conv's output feeds a pool, so ncnn dequantizes it */
static gr_graph *build_pool(void)
{
	gr_graph *g = graph(17);
	gr_error err = {0};
	gr_node *n;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, 32, 28, 28));
	weight(g, "w1", 4, D(32, 32, 3, 3));
	conv(g, "x", "w1", "a", 3, 1);
	node(g, "Relu", L("a"), L("ar"), 0);
	n = node(g, "MaxPool", L("ar"), L("y"), 3);
	attr_ints(g, n, "kernel_shape", D(2, 2), 2);
	attr_ints(g, n, "strides", D(2, 2), 2);
	attr_ints(g, n, "pads", D(0, 0, 0, 0), 4);
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, "y")), GR_OK);
	assert_int_equal(run(g, &err), GR_OK);
	return g;
}

/* peak_activation_bytes holds what the rule moves (int8_io.c, otm_int8_float_io_bytes): an ncnn
 * int8 estimate keeps float activations of fb bytes between layers and int8 only where a conv
 * feeds convs (requantized); tflite's int8 ones stay int8; the arena plan (gr_memplan_build_at)
 * counts the same peak. conv -> relu -> pool: x and a (or a and ar) live at once, 2 x 25088
 * elements, all float. The graph of the tests above: the first conv gives int8 (its reader is a
 * conv), the 1x1 conv float (a pool reads it): the peak is while the 1x1 conv or the pool runs. */
static void peak_activations_follow_the_rule(void **state)
{
	static const char *ids[] = {"raspberry_pi_5", "amd_ryzen_9_5950x"};
	gr_error err = {0};
	(void)state;
	for (int gi = 0; gi < 2; gi++) {
		gr_graph *g = gi ? build() : build_pool();
		for (int h = 0; h < 2; h++) {
			const gr_hw *hw = gr_hw_registry_find(reg, ids[h]);
			double fb = otm_int8_float_bytes(hw), want;
			for (int r = 0; r < 2; r++) {
				const char *rt = r ? "tflite" : "ncnn";
				gr_estimate_opts o = {.precision = GR_PREC_INT8, .runtime = rt};
				gr_partition *p = NULL;
				gr_estimate *e = NULL;
				gr_memplan m;
				double *bpe = calloc(gr_graph_node_count(g) + 1, sizeof(double));
				int at;
				assert_non_null(bpe);
				assert_int_equal(gr_partition_build(g, gr_fusion_rules_find(rt), &p, &err), GR_OK);
				assert_int_equal(gr_estimate_run(g, p, hw, -1, &o, &e, &err), GR_OK);
				at = gr_estimate_activation_bpe(g, p, hw, GR_PREC_INT8, bpe);
				assert_int_equal(at, !r);
				if (r) /* int8 everywhere */
					want = gi ? 25088 + 50176 : 2.0 * 25088;
				else if (!gi)
					want = 2.0 * 25088 * fb;
				else /* int8 ar and float b (1x1 conv), or float b and c (pool) */
					want = fmax(25088 + 50176 * fb, (50176 + 12544) * fb);
				print_message("%s %s graph %d: peak %.0f B, want %.0f (fb %g)\n", ids[h], rt, gi,
					      e->peak_activation_bytes, want, fb);
				assert_true(fabs(e->peak_activation_bytes - want) <= 1e-9 * want);
				assert_int_equal(gr_memplan_build_at(g, p, gr_fusion_rules_find(rt)->fused_memory, 0.25,
								     at ? bpe : NULL, &m, &err), GR_OK);
				assert_true(fabs(m.peak_live_bytes - want) <= 1e-9 * want);
				gr_memplan_release(&m);
				/* fp32 is at 4 bytes an element whatever the runtime */
				o.precision = GR_PREC_FP32;
				gr_estimate_free(e);
				assert_int_equal(gr_estimate_run(g, p, hw, -1, &o, &e, &err), GR_OK);
				assert_int_equal(gr_estimate_activation_bpe(g, p, hw, GR_PREC_FP32, bpe), 0);
				assert_true(e->peak_activation_bytes == 4 * (gi ? 25088 + 50176 : 2 * 25088));
				gr_estimate_free(e);
				free(bpe);
				gr_partition_free(p);
			}
		}
		gr_graph_free(g);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_ncnn_says_so),
		cmocka_unit_test(bytes_follow_ncnn),
		cmocka_unit_test(lent_int8_moves_float_bytes),
		cmocka_unit_test(int8_passes_are_layer_dispatches),
		cmocka_unit_test(float_bytes_follow_the_platform),
		cmocka_unit_test(theoretical_int8_moves_float_bytes),
		cmocka_unit_test(peak_activations_follow_the_rule),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
