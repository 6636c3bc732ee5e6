/* On-chip memory of graph compilers (docs/estimate.md, "On-chip memory"): a conv+relu chain run
 * by a graph compiler moves only its fused groups' boundary tensors, and on an NPU that declares
 * on-chip memory (the Snapdragon 8 Elite's HTP VTCM) activations that fit are charged there and
 * the excess at DRAM; nothing is ever kept on chip beyond its capacity, and the floor of what
 * spills is DRAM's bandwidth. The same holds on a GPU's L2 under TensorRT. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "estimation/op_time_model.h"
#include "graph_builders.h"
#include "graphs/estimate.h"
#include "graphs/transform.h"
#include "registry_fixture.h"

#define HW_ID "qualcomm_snapdragon_8_elite_npu"

/* x -> Conv -> Relu -> Conv -> Relu -> y, c channels of side x side */
static gr_graph *chain(int64_t c, int64_t side)
{
	gr_graph *g = graph(17);
	gr_error err = {0};
	gr_node *n;

	input(g, "x", GR_DTYPE_FLOAT, 4, D(1, c, side, side));
	weight(g, "w1", 4, D(c, c, 3, 3));
	weight(g, "w2", 4, D(c, c, 3, 3));
	n = node(g, "Conv", L("x", "w1"), L("a"), 2);
	attr_ints(g, n, "pads", D(1, 1, 1, 1), 4);
	attr_ints(g, n, "kernel_shape", D(3, 3), 2);
	node(g, "Relu", L("a"), L("b"), 0);
	n = node(g, "Conv", L("b", "w2"), L("c"), 2);
	attr_ints(g, n, "pads", D(1, 1, 1, 1), 4);
	attr_ints(g, n, "kernel_shape", D(3, 3), 2);
	node(g, "Relu", L("c"), L("y"), 0);
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor_ref(g, "y")), GR_OK);
	assert_int_equal(run(g, &err), GR_OK);
	return g;
}

typedef struct traffic {
	double eager, fused;   /* bytes every op moves: op by op, and fused (boundary tensors only) */
	double on, off;        /* fused bytes on chip and from DRAM */
	double act_on_max;     /* largest activation bytes one op keeps on chip */
	double floor_mem;      /* the fused ops' memory floors, summed */
	double weights;
} traffic;

static void measure(int64_t c, int64_t side, const gr_hw *hw, const char *runtime, gr_precision prec,
		    traffic *t)
{
	gr_graph *g = chain(c, side);
	gr_partition *p = NULL;
	gr_error err = {0};
	size_t n = gr_graph_node_count(g);
	otm_node *eager = calloc(n + 1, sizeof(*eager)), *fused = calloc(n + 1, sizeof(*fused));
	const double bpe = gr_estimate_elem_bytes(prec);
	double cap = otm_llc_bytes(hw);
	otm_bounds b;

	assert_non_null(eager);
	assert_non_null(fused);
	memset(t, 0, sizeof(*t));
	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find(runtime), &p, &err), GR_OK);
	assert_int_equal(gr_partition_count(p), 2); /* conv+relu, twice */
	otm_bounds_init(&b, hw, -1, prec);
	for (size_t i = 0; i < n; i++) {
		otm_node_from(gr_graph_node(g, i), &eager[i]);
		fused[i] = eager[i];
	}
	assert_int_equal(otm_nodes_fuse(g, p, fused), 0);
	for (size_t i = 0; i < n; i++) {
		double on, off, fl[2];
		t->eager += (eager[i].ein + eager[i].ew + eager[i].eo) * bpe;
		t->fused += (fused[i].ein + fused[i].ew + fused[i].eo) * bpe;
		t->weights += fused[i].ew * bpe;
		otm_node_split(&fused[i], bpe, cap, &on, &off);
		t->on += on;
		t->off += off;
		/* resident weights are counted in on: the activations alone must fit */
		if (fused[i].foot * bpe > cap)
			t->act_on_max = fmax(t->act_on_max, on);
		else
			t->act_on_max = fmax(t->act_on_max, on - fused[i].ew * bpe);
		otm_node_floor(&b, &fused[i], fl);
		t->floor_mem += fl[1];
	}
	free(eager);
	free(fused);
	gr_partition_free(p);
	gr_graph_free(g);
}

static void fused_chain_that_fits_stays_on_chip(void **state)
{
	const gr_hw *hw = gr_hw_registry_find(reg, HW_ID);
	traffic t;

	assert_non_null(hw);
	assert_true(otm_llc_bytes(hw) >= 1e6); /* the registry declares the VTCM */
	measure(32, 56, hw, "qnn_dlc", GR_PREC_INT8, &t); /* 100 KB activations, 18 KB weights: all fit */
	assert_true(t.fused < t.eager * 0.7); /* the relus' reads and the convs' writes stay inside */
	assert_true(fabs(t.on + t.off - t.fused) <= 1e-9 * t.fused);
	assert_true(t.off == 0);
	assert_true(t.floor_mem == 0); /* no VTCM bandwidth is published: no bound is invented */
}

static void fused_chain_beyond_capacity_spills_to_dram(void **state)
{
	const gr_hw *hw = gr_hw_registry_find(reg, HW_ID);
	double cap = otm_llc_bytes(hw), dram = gr_hw_dram_bandwidth(hw, -1);
	traffic t;

	measure(64, 512, hw, "qnn_dlc", GR_PREC_INT8, &t); /* 16.8 MB per activation: twice the VTCM */
	assert_true(t.fused < t.eager);
	assert_true(fabs(t.on + t.off - t.fused) <= 1e-9 * t.fused);
	assert_true(t.off > t.weights);          /* activations beyond the VTCM come from DRAM */
	assert_true(t.act_on_max <= cap * (1 + 1e-9)); /* never more on chip than fits */
	assert_true(dram > 0);
	assert_true(t.floor_mem >= t.off / dram * (1 - 1e-9)); /* and never faster than DRAM */
}

/* The same mechanism on a GPU's L2 under TensorRT: not an NPU special case. The L2 gives a
 * bandwidth, so bytes kept there have a floor of their own. */
static void gpu_l2_under_a_graph_compiler(void **state)
{
	const gr_hw *hw = gr_hw_registry_find(reg, "nvidia_a100_sxm4_40gb");
	double cap, dram;
	traffic small, big;

	assert_non_null(hw);
	cap = otm_llc_bytes(hw);
	dram = gr_hw_dram_bandwidth(hw, -1);
	assert_true(cap >= 40e6);
	measure(32, 56, hw, "tensorrt", GR_PREC_FP16, &small);
	assert_true(small.off == 0 && small.floor_mem > 0);
	assert_true(small.floor_mem < small.fused / dram); /* faster than DRAM, and bounded */
	measure(64, 512, hw, "tensorrt", GR_PREC_FP16, &big); /* 33.6 MB per activation: live set > L2 */
	assert_true(big.off > big.weights);
	assert_true(big.act_on_max <= cap * (1 + 1e-9));
	assert_true(big.floor_mem >= big.off / dram * (1 - 1e-9));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fused_chain_that_fits_stays_on_chip),
		cmocka_unit_test(fused_chain_beyond_capacity_spills_to_dram),
		cmocka_unit_test(gpu_l2_under_a_graph_compiler),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
