/* Placement in the estimator, for every class: ops outside a platform's restrictions run on its
 * fallback (the estimator's host, or the platform restrictions.fallback names) with their
 * tensors crossing the host link both ways, a BatchNormalization folded into a conv is no op of
 * the device, and weights and activations that do not fit on chip stream from DRAM or over the
 * host link on every inference. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/graph_impl.h"
#include "graphs/estimate.h"
#include "graphs/model.h"
#include "graphs/zoo.h"

static gr_hw_registry *reg;

static void input(gr_graph *g, const char *name, int rank, const int64_t *dims, int init)
{
	gr_tensor *t = gr_graph_tensor_def(g, name);
	gr_dim d[GR_MAX_RANK];
	for (int i = 0; i < rank; i++) {
		d[i].value = dims[i];
		d[i].sym = NULL;
	}
	assert_int_equal(gr_tensor_set_shape(g, t, GR_DTYPE_FLOAT, rank, d), GR_OK);
	assert_int_equal(init ? gr_graph_add_initializer(g, t) : gr_graph_add_input(g, t), GR_OK);
}

/* A node of op reading the NULL-terminated inputs and writing out. */
static void op(gr_graph *g, const char *type, const char *out, const char *const *ins)
{
	size_t ni = 0;
	gr_node *n;
	while (ins[ni])
		ni++;
	n = gr_graph_add_node(g, type, "", out, ni, 1, 0);
	assert_non_null(n);
	for (size_t i = 0; i < ni; i++)
		n->in[i] = gr_graph_tensor_ref(g, ins[i]);
	n->out[0] = gr_graph_tensor_def(g, out);
	n->n_attr = 0;
}

static void finish(gr_graph *g, const char *out)
{
	gr_error err = {0};
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, out)), GR_OK);
	assert_int_equal(gr_graph_finalize(g, &err), GR_OK);
	assert_int_equal(gr_graph_infer(g, &err), GR_OK);
}

/* x -> Erf -> y: an op no accelerator list names. */
static gr_graph *erf_graph(void)
{
	gr_graph *g = gr_graph_new("erf");
	const int64_t x[] = {1, 256, 32, 32};
	input(g, "x", 4, x, 0);
	op(g, "Erf", "y", (const char *[]){"x", NULL});
	finish(g, "y");
	return g;
}

/* x -> Conv -> BatchNormalization -> Relu -> y */
static gr_graph *conv_bn_relu(void)
{
	gr_graph *g = gr_graph_new("cbr");
	const int64_t x[] = {1, 64, 28, 28}, w[] = {64, 64, 1, 1}, c[] = {64};
	input(g, "x", 4, x, 0);
	input(g, "w", 4, w, 1);
	input(g, "s", 1, c, 1);
	input(g, "b", 1, c, 1);
	input(g, "m", 1, c, 1);
	input(g, "v", 1, c, 1);
	op(g, "Conv", "c", (const char *[]){"x", "w", NULL});
	op(g, "BatchNormalization", "n", (const char *[]){"c", "s", "b", "m", "v", NULL});
	op(g, "Relu", "y", (const char *[]){"n", NULL});
	finish(g, "y");
	return g;
}

/* Estimates g on hwspec at its preferred precision with the platform's default runtime. */
static gr_estimate *estimate(const gr_graph *g, const char *hwspec, gr_status want)
{
	const gr_hw *hw;
	int mode;
	gr_partition *p;
	gr_estimate *e = NULL;
	gr_error err = {0};
	gr_estimate_opts eo = {-1, NULL};

	assert_int_equal(gr_hw_registry_resolve(reg, hwspec, &hw, &mode, &err), GR_OK);
	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find(gr_estimate_default_runtime(hw)), &p, &err), GR_OK);
	if (gr_estimate_run(g, p, hw, mode, &eo, &e, &err) != want)
		fail_msg("%s: expected status %d: %s", hwspec, want, err.msg);
	if (e)
		for (size_t i = 0; i < e->n_kernels; i++)
			e->kernels[i].kernel = NULL; /* the partition goes now */
	gr_partition_free(p);
	return e;
}

/* A tpu-class platform with restrictions (Coral) sends an op outside its list to the host:
 * the input and output cross the 0.5 GB/s link, as fp32, and the op runs at the fallback
 * host's rate. Before, tpu mappers ignored restrictions. */
static void an_unsupported_op_runs_on_the_host_with_both_transfers(void **state)
{
	gr_graph *g = erf_graph();
	gr_estimate *e = estimate(g, "google_coral_edge_tpu", GR_OK);
	double elems = 2.0 * 256 * 32 * 32, link = 0.5e9;
	(void)state;

	assert_int_equal(e->host_fallback_kernels, 1);
	assert_int_equal(e->kernels[0].bound, GR_BOUND_FALLBACK);
	assert_true(e->kernels[0].on_host);
	assert_true(fabs(e->kernels[0].transfer_s - elems * 4 / link) < 1e-12);
	assert_true(e->kernels[0].latency_s >= e->kernels[0].transfer_s + e->kernels[0].compute_s);
	/* int8 bytes at the fallback host's 10 GB/s */
	assert_true(fabs(e->kernels[0].compute_s - elems / 10e9) < 1e-12);
	gr_estimate_free(e);
	gr_graph_free(g);
}

/* Coral's and XDNA's lists name no BatchNormalization: the compiler folds it into the conv's
 * weights, so conv+bn+relu stays on the device. Before, every such kernel went to the host. */
static void a_batchnorm_folded_into_a_conv_stays_on_the_device(void **state)
{
	gr_graph *g = conv_bn_relu();
	gr_estimate *e;
	(void)state;

	e = estimate(g, "amd_xdna_npu", GR_OK);
	assert_int_equal(e->n_kernels, 1);
	assert_int_equal(e->host_fallback_kernels, 0);
	gr_estimate_free(e);
	e = estimate(g, "google_coral_edge_tpu", GR_OK);
	assert_int_equal(e->host_fallback_kernels, 0);
	gr_estimate_free(e);
	gr_graph_free(g);

	/* a BatchNormalization of its own is an op of the device: XDNA cannot run it */
	g = gr_graph_new("bn");
	const int64_t x[] = {1, 64, 28, 28}, c[] = {64};
	input(g, "x", 4, x, 0);
	input(g, "s", 1, c, 1);
	input(g, "b", 1, c, 1);
	input(g, "m", 1, c, 1);
	input(g, "v", 1, c, 1);
	op(g, "BatchNormalization", "y", (const char *[]){"x", "s", "b", "m", "v", NULL});
	finish(g, "y");
	e = estimate(g, "amd_xdna_npu", GR_OK);
	assert_int_equal(e->host_fallback_kernels, 1);
	gr_estimate_free(e);
	gr_graph_free(g);
}

/* The Orin DLA falls back to the Orin GPU (restrictions.fallback), in the same power mode:
 * not the generic host's fmax(FLOPs / 50 GFLOP/s, bytes / 10 GB/s), and slower at 15 W (fewer
 * SMs at a lower clock) than at maxn. */
static void a_fallback_platform_runs_the_op_at_its_own_roofline(void **state)
{
	gr_graph *g = erf_graph();
	gr_estimate *maxn = estimate(g, "nvidia_dla_orin", GR_OK), *w15 = estimate(g, "nvidia_dla_orin:15w", GR_OK);
	double host = fmax(maxn->flops / 50e9, maxn->bytes / 10e9);
	(void)state;

	assert_int_equal(maxn->host_fallback_kernels, 1);
	assert_true(maxn->kernels[0].compute_s > 0);
	assert_true(fabs(maxn->kernels[0].compute_s - host) > 0.1 * host);
	assert_true(w15->kernels[0].compute_s > 1.5 * maxn->kernels[0].compute_s);
	assert_true(maxn->kernels[0].transfer_s > 0);
	gr_estimate_free(maxn);
	gr_estimate_free(w15);
	gr_graph_free(g);
}

static int setup(void **state)
{
	gr_error err = {0};
	(void)state;
	return gr_hw_registry_load(GRAPHS_SOURCE_DIR "/hardware", &reg, &err) == GR_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	gr_hw_registry_free(reg);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_unsupported_op_runs_on_the_host_with_both_transfers),
		cmocka_unit_test(a_batchnorm_folded_into_a_conv_stays_on_the_device),
		cmocka_unit_test(a_fallback_platform_runs_the_op_at_its_own_roofline),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
