/* Fusion/partitioning and the estimator on small hand-built graphs: which nodes become one
 * kernel, what traffic crosses kernel boundaries, compute- vs memory-bound kernels, precision
 * emulation, NPU restrictions and host fallback, and liveness-based peak memory. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/graph_impl.h"
#include "graphs/estimate.h"
#include "registry_fixture.h"

static gr_tensor *tensor(gr_graph *g, const char *name, int rank, const int64_t *dims, int init)
{
	gr_tensor *t = gr_graph_tensor_def(g, name);
	gr_dim d[GR_MAX_RANK];
	for (int i = 0; i < rank; i++) {
		d[i].value = dims[i];
		d[i].sym = NULL;
	}
	assert_int_equal(gr_tensor_set_shape(g, t, GR_DTYPE_FLOAT, rank, d), GR_OK);
	assert_int_equal(init ? gr_graph_add_initializer(g, t) : gr_graph_add_input(g, t), GR_OK);
	return t;
}

/* A node reading `ins` and writing one output `out` (NULL-terminated input names). */
static gr_node *node(gr_graph *g, const char *op, const char *out, const char *const *ins, size_t n_attr)
{
	size_t ni = 0;
	gr_node *n;
	while (ins[ni])
		ni++;
	n = gr_graph_add_node(g, op, "", out, ni, 1, n_attr);
	assert_non_null(n);
	for (size_t i = 0; i < ni; i++)
		n->in[i] = gr_graph_tensor_ref(g, ins[i]);
	n->out[0] = gr_graph_tensor_def(g, out);
	n->n_attr = 0;
	return n;
}

static void attr_int(gr_node *n, const char *name, int64_t v)
{
	gr_attr *a = &n->attrs[n->n_attr++];
	a->name = name;
	a->type = GR_ATTR_INT;
	a->i = v;
}

static void finish(gr_graph *g, const char *out)
{
	gr_error err = {0};
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, out)), GR_OK);
	assert_int_equal(gr_graph_finalize(g, &err), GR_OK);
	assert_int_equal(gr_graph_infer(g, &err), GR_OK);
}

/* x[1,64,56,56] -> Conv(64->64, 3x3, pad 1) -> BN -> Relu -> y */
static gr_graph *conv_bn_relu(void)
{
	gr_graph *g = gr_graph_new("test");
	const int64_t x[] = {1, 64, 56, 56}, w[] = {64, 64, 3, 3}, c[] = {64};
	tensor(g, "x", 4, x, 0);
	tensor(g, "w", 4, w, 1);
	tensor(g, "s", 1, c, 1);
	tensor(g, "b", 1, c, 1);
	tensor(g, "m", 1, c, 1);
	tensor(g, "v", 1, c, 1);
	gr_node *conv = node(g, "Conv", "c", (const char *[]){"x", "w", NULL}, 1);
	int64_t *pads = gr_arena_calloc(gr_graph_arena(g), 4, sizeof(int64_t));
	pads[0] = pads[1] = pads[2] = pads[3] = 1;
	conv->attrs[0] = (gr_attr){.name = "pads", .type = GR_ATTR_INTS, .n = 4, .ints = pads};
	conv->n_attr = 1;
	node(g, "BatchNormalization", "n", (const char *[]){"c", "s", "b", "m", "v", NULL}, 0);
	node(g, "Relu", "y", (const char *[]){"n", NULL}, 0);
	finish(g, "y");
	return g;
}

static void conv_bn_relu_is_one_kernel_and_only_its_output_leaves(void **state)
{
	gr_graph *g = conv_bn_relu();
	gr_partition *p;
	gr_error err = {0};
	(void)state;

	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find("onnxruntime"), &p, &err), GR_OK);
	assert_int_equal(gr_partition_count(p), 1);
	const gr_kernel *k = gr_partition_kernel(p, 0);
	assert_string_equal(k->pattern, "Conv_BatchNormalization_Relu");
	assert_int_equal(k->cls, GR_KC_CONV);
	assert_true(k->elems_in == 64 * 56 * 56);
	assert_true(k->elems_out == 64 * 56 * 56);          /* c and n stay inside */
	assert_true(k->elems_weights == 64 * 64 * 9 + 4 * 64);
	/* eager execution still writes and re-reads c and n */
	assert_true(k->elems_nodes > k->elems_in + k->elems_out + k->elems_weights + 3 * 64 * 56 * 56);
	assert_true(fabs(k->m - 56 * 56) < 1 && k->n == 64 && k->k == 64 * 9);
	gr_partition_free(p);
	gr_graph_free(g);
}

/* Conv -> Sigmoid, Mul(conv, sigmoid): x * sigmoid(x) joins the conv's kernel */
static void silu_tail_fuses_into_conv(void **state)
{
	gr_graph *g = gr_graph_new("test");
	const int64_t x[] = {1, 8, 16, 16}, w[] = {8, 8, 1, 1};
	gr_partition *p;
	gr_error err = {0};
	(void)state;
	tensor(g, "x", 4, x, 0);
	tensor(g, "w", 4, w, 1);
	node(g, "Conv", "c", (const char *[]){"x", "w", NULL}, 0);
	node(g, "Sigmoid", "s", (const char *[]){"c", NULL}, 0);
	node(g, "Mul", "y", (const char *[]){"c", "s", NULL}, 0);
	finish(g, "y");
	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find("pytorch"), &p, &err), GR_OK);
	assert_int_equal(gr_partition_count(p), 1);
	assert_string_equal(gr_partition_kernel(p, 0)->pattern, "Conv_Sigmoid_Mul");
	gr_partition_free(p);
	gr_graph_free(g);
}

/* TFLite and QNN (also under ONNX Runtime's QNN execution provider) fuse one activation per op: conv+BN+ReLU stays one kernel, Add takes its
 * ReLU, but Sigmoid and Mul of a SiLU and a chain of elementwise ops are ops of their own */
static void fused_activation_only_under_tflite_and_qnn(void **state)
{
	static const char *const rts[] = {"tflite", "qnn_dlc", "qnn_context_binary", "qnn", "onnxruntime_qnn",
					  "onnxruntime_qnn_precompiled"};
	gr_graph *g = gr_graph_new("test"), *c = conv_bn_relu();
	const int64_t x[] = {1, 8, 16, 16}, w[] = {8, 8, 1, 1};
	gr_partition *p;
	gr_error err = {0};
	(void)state;
	tensor(g, "x", 4, x, 0);
	tensor(g, "w", 4, w, 1);
	node(g, "Conv", "c", (const char *[]){"x", "w", NULL}, 0);
	node(g, "Sigmoid", "s", (const char *[]){"c", NULL}, 0);
	node(g, "Mul", "m", (const char *[]){"c", "s", NULL}, 0);
	node(g, "Add", "a", (const char *[]){"m", "x", NULL}, 0);
	node(g, "Relu", "r", (const char *[]){"a", NULL}, 0);
	node(g, "Sigmoid", "y", (const char *[]){"r", NULL}, 0);
	finish(g, "y");
	for (size_t i = 0; i < sizeof(rts) / sizeof(rts[0]); i++) {
		const gr_fusion_rules *r = gr_fusion_rules_find(rts[i]);
		assert_non_null(r);
		assert_true(r->fused_act_only);
		assert_int_equal(gr_partition_build(g, r, &p, &err), GR_OK);
		assert_int_equal(gr_partition_count(p), 5);
		assert_string_equal(gr_partition_kernel(p, 0)->pattern, "Conv");
		assert_string_equal(gr_partition_kernel(p, 1)->pattern, "Sigmoid");
		assert_string_equal(gr_partition_kernel(p, 2)->pattern, "Mul");
		assert_string_equal(gr_partition_kernel(p, 3)->pattern, "Add_Relu");
		assert_string_equal(gr_partition_kernel(p, 4)->pattern, "Sigmoid");
		gr_partition_free(p);
		assert_int_equal(gr_partition_build(c, r, &p, &err), GR_OK);
		assert_int_equal(gr_partition_count(p), 1);
		assert_string_equal(gr_partition_kernel(p, 0)->pattern, "Conv_BatchNormalization_Relu");
		gr_partition_free(p);
	}
	/* ONNX Runtime fuses the SiLU into the conv and chains the rest */
	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find("onnxruntime"), &p, &err), GR_OK);
	assert_int_equal(gr_partition_count(p), 1);
	gr_partition_free(p);
	gr_graph_free(g);
	gr_graph_free(c);
}

/* q[1,12,128,64] x kT[1,12,64,128] -> Div -> Softmax -> MatMul v */
static void attention_fuses_only_under_tensorrt(void **state)
{
	gr_graph *g = gr_graph_new("test");
	const int64_t q[] = {1, 12, 128, 64}, kt[] = {1, 12, 64, 128}, sc[] = {1};
	gr_partition *p;
	gr_error err = {0};
	(void)state;
	tensor(g, "q", 4, q, 0);
	tensor(g, "kt", 4, kt, 0);
	tensor(g, "v", 4, q, 0);
	tensor(g, "scale", 1, sc, 1);
	node(g, "MatMul", "s", (const char *[]){"q", "kt", NULL}, 0);
	node(g, "Div", "d", (const char *[]){"s", "scale", NULL}, 0);
	gr_node *sm = node(g, "Softmax", "a", (const char *[]){"d", NULL}, 1);
	attr_int(sm, "axis", -1);
	node(g, "MatMul", "y", (const char *[]){"a", "v", NULL}, 0);
	finish(g, "y");
	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find("tensorrt"), &p, &err), GR_OK);
	assert_int_equal(gr_partition_count(p), 1);
	assert_int_equal(gr_partition_kernel(p, 0)->cls, GR_KC_ATTENTION);
	/* the 12x128x128 score matrix never leaves the kernel */
	assert_true(gr_partition_kernel(p, 0)->elems_out == 12 * 128 * 64);
	gr_partition_free(p);
	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find("pytorch"), &p, &err), GR_OK);
	assert_true(gr_partition_count(p) >= 3);
	gr_partition_free(p);
	gr_graph_free(g);
}

static gr_estimate *run(gr_graph *g, const char *hwspec, int prec, const char *runtime, gr_status want)
{
	const gr_hw *hw;
	int mode;
	gr_partition *p;
	gr_estimate *e = NULL;
	gr_error err = {0};
	gr_estimate_opts eo = {.precision = prec, .runtime = runtime, .amp = 0};

	assert_int_equal(gr_hw_registry_resolve(reg, hwspec, &hw, &mode, &err), GR_OK);
	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find(runtime ? runtime : gr_estimate_default_runtime(hw)),
					    &p, &err), GR_OK);
	assert_int_equal(gr_estimate_run(g, p, hw, mode, &eo, &e, &err), want);
	if (want != GR_OK)
		print_message("expected failure: %s\n", err.msg);
	if (want == GR_ERR_UNSUPPORTED)
		assert_non_null(strstr(err.msg, "int8"));
	/* the kernels borrow the partition, which is freed here: clear those pointers */
	if (e)
		for (size_t i = 0; i < e->n_kernels; i++)
			e->kernels[i].kernel = NULL;
	gr_partition_free(p);
	return e;
}

static void big_gemm_is_compute_bound_big_add_memory_bound(void **state)
{
	gr_graph *g = gr_graph_new("test");
	const int64_t a[] = {4096, 4096};
	gr_estimate *e;
	(void)state;
	tensor(g, "a", 2, a, 0);
	tensor(g, "w", 2, a, 1);
	node(g, "MatMul", "m", (const char *[]){"a", "w", NULL}, 0);
	node(g, "Add", "y", (const char *[]){"m", "a", NULL}, 0);
	finish(g, "y");
	e = run(g, "nvidia_h100_sxm5", GR_PREC_FP16, "pytorch", GR_OK);
	assert_int_equal(e->n_kernels, 1); /* Add is the gemm's epilogue */
	assert_int_equal(e->kernels[0].bound, GR_BOUND_COMPUTE);
	/* 137 GFLOP on ~1 PFLOP/s of tensor cores: well under a millisecond, above 0.1 ms */
	assert_true(e->latency_s > 1e-4 && e->latency_s < 1e-3);
	gr_estimate_free(e);
	gr_graph_free(g);

	g = gr_graph_new("test");
	const int64_t big[] = {64, 1024, 1024};
	tensor(g, "x", 3, big, 0);
	tensor(g, "z", 3, big, 0);
	node(g, "Add", "y", (const char *[]){"x", "z", NULL}, 0);
	finish(g, "y");
	e = run(g, "intel_core_i7_12700k", GR_PREC_FP32, "pytorch", GR_OK);
	assert_int_equal(e->kernels[0].bound, GR_BOUND_MEMORY);
	/* 768 MiB through ~77 GB/s DDR5 at 65% efficiency: about 16 ms */
	assert_true(e->latency_s > 0.010 && e->latency_s < 0.025);
	gr_estimate_free(e);
	gr_graph_free(g);
}

static void emulated_fp16_is_much_slower_on_a_cpu_without_it(void **state)
{
	gr_graph *g = conv_bn_relu();
	gr_estimate *f32, *f16;
	(void)state;
	f32 = run(g, "intel_core_i7_12700k", GR_PREC_FP32, NULL, GR_OK);
	f16 = run(g, "intel_core_i7_12700k", GR_PREC_FP16, NULL, GR_OK);
	print_message("fp32 %.3f ms, fp16 %.3f ms (%.1fx)\n", f32->latency_s * 1e3, f16->latency_s * 1e3,
		      f16->latency_s / f32->latency_s);
	assert_true(f16->latency_s > 8 * f32->latency_s);
	assert_true(f16->note[0] != 0);
	gr_estimate_free(f32);
	gr_estimate_free(f16);
	gr_graph_free(g);
}

static void int8_npu_refuses_fp32_and_runs_int8(void **state)
{
	gr_graph *g = conv_bn_relu();
	gr_estimate *e;
	(void)state;
	assert_null(run(g, "hailo8", GR_PREC_FP32, NULL, GR_ERR_UNSUPPORTED));
	e = run(g, "hailo8", -1, NULL, GR_OK);
	assert_int_equal(e->precision, GR_PREC_INT8);
	assert_int_equal(e->host_fallback_kernels, 0);
	gr_estimate_free(e);
	gr_graph_free(g);
}

static void op_outside_npu_list_falls_back_to_host(void **state)
{
	gr_graph *g = gr_graph_new("test");
	const int64_t x[] = {1, 256, 32, 32};
	gr_estimate *e;
	(void)state;
	tensor(g, "x", 4, x, 0);
	node(g, "Sin", "y", (const char *[]){"x", NULL}, 0);
	finish(g, "y");
	e = run(g, "hailo8", -1, NULL, GR_OK);
	assert_int_equal(e->host_fallback_kernels, 1);
	assert_int_equal(e->kernels[0].bound, GR_BOUND_FALLBACK);
	assert_true(e->kernels[0].transfer_s > 0);
	gr_estimate_free(e);
	gr_graph_free(g);
}

static void peak_memory_follows_tensor_liveness(void **state)
{
	gr_graph *g = gr_graph_new("test");
	const int64_t x[] = {1000, 1000};
	gr_estimate *e;
	(void)state;
	tensor(g, "x", 2, x, 0);
	node(g, "Relu", "a", (const char *[]){"x", NULL}, 0);
	node(g, "Relu", "b", (const char *[]){"a", NULL}, 0);
	node(g, "Relu", "c", (const char *[]){"b", NULL}, 0);
	finish(g, "c");
	e = run(g, "intel_core_i7_12700k", GR_PREC_FP32, NULL, GR_OK);
	/* at most an op's input and output are alive at once: 2 x 4 MB, never all four */
	assert_true(fabs(e->peak_activation_bytes - 8e6) < 1);
	assert_true(e->weight_bytes == 0);
	gr_estimate_free(e);
	gr_graph_free(g);
}

/* The efficiency table of the registry is keyed by the partitioner's kernel classes. */
static void registry_kernel_class_keys_are_the_partitioners(void **state)
{
	(void)state;
	for (int k = 0; k < GR_KC_COUNT; k++)
		assert_string_equal(gr_hw_kernel_class_key(k), gr_kernel_class_name((gr_kernel_class)k));
	assert_null(gr_hw_kernel_class_key(GR_KC_COUNT));
}

/* The mapper's numbers come from the registry: a platform that halves its gemm efficiency
 * takes twice as long on a compute-bound gemm. */
static void a_platform_estimator_override_changes_the_estimate(void **state)
{
	gr_graph *g = gr_graph_new("test");
	const int64_t a[] = {4096, 4096};
	char dir[] = "/tmp/graphs_estXXXXXX", path[600], cmd[700];
	gr_hw_registry *mine = NULL;
	gr_partition *p;
	gr_estimate *e1, *e2;
	gr_error err = {0};
	const gr_hw *hw;
	FILE *f;
	(void)state;

	tensor(g, "a", 2, a, 0);
	tensor(g, "w", 2, a, 1);
	node(g, "MatMul", "y", (const char *[]){"a", "w", NULL}, 0);
	finish(g, "y");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/nvidia_t4.yaml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(gr_hw_write_yaml(gr_hw_registry_find(reg, "nvidia_t4"), f, &err), GR_OK);
	fputs("estimator:\n  efficiency: {gemm: 0.35}\n", f);
	fclose(f);
	assert_int_equal(setenv("GRAPHS_HARDWARE_PATH", dir, 1), 0);
	assert_int_equal(gr_hw_registry_load(GRAPHS_SOURCE_DIR "/hardware", &mine, &err), GR_OK);
	unsetenv("GRAPHS_HARDWARE_PATH");
	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find("tensorrt"), &p, &err), GR_OK);
	gr_estimate_opts o = {.precision = GR_PREC_FP16, .runtime = "tensorrt"};
	assert_int_equal(gr_estimate_run(g, p, gr_hw_registry_find(reg, "nvidia_t4"), -1, &o, &e1, &err), GR_OK);
	hw = gr_hw_registry_find(mine, "nvidia_t4");
	assert_int_equal(gr_estimate_run(g, p, hw, -1, &o, &e2, &err), GR_OK);
	assert_int_equal(e1->kernels[0].bound, GR_BOUND_COMPUTE);
	assert_true(fabs(e2->kernels[0].compute_s / e1->kernels[0].compute_s - 2) < 1e-9);
	gr_estimate_free(e1);
	gr_estimate_free(e2);
	gr_partition_free(p);
	gr_hw_registry_free(mine);
	gr_graph_free(g);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(conv_bn_relu_is_one_kernel_and_only_its_output_leaves),
		cmocka_unit_test(fused_activation_only_under_tflite_and_qnn),
		cmocka_unit_test(silu_tail_fuses_into_conv),
		cmocka_unit_test(attention_fuses_only_under_tensorrt),
		cmocka_unit_test(big_gemm_is_compute_bound_big_add_memory_bound),
		cmocka_unit_test(emulated_fp16_is_much_slower_on_a_cpu_without_it),
		cmocka_unit_test(int8_npu_refuses_fp32_and_runs_int8),
		cmocka_unit_test(op_outside_npu_list_falls_back_to_host),
		cmocka_unit_test(peak_memory_follows_tensor_liveness),
		cmocka_unit_test(registry_kernel_class_keys_are_the_partitioners),
		cmocka_unit_test(a_platform_estimator_override_changes_the_estimate),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
