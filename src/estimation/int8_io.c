/* The activation bytes of an int8 model on a runtime whose int8 layers sit between float
 * activations (gr_fusion_rules.int8_float_io: ncnn). Read in Tencent/ncnn@a4d2ea1d
 * (docs/estimate.md, "ncnn int8 activations"): an int8 Convolution, ConvolutionDepthWise or
 * InnerProduct quantizes a float input on entry (a pass of its own); a Convolution computes
 * into an int32 blob and a second pass turns it into its output; that output is int8 only
 * where ncnn2int8 fused a requantize (the layer's output feeds only Convolution or
 * ConvolutionDepthWise layers, directly or through a Split), else float, and every other
 * layer (pooling, concat, eltwise, softmax) works on float. */
#include <stdlib.h>
#include <string.h>

#include "core/graph_impl.h"
#include "estimation/op_time_model.h"
#include "graphs/hw.h"

/* ncnn stores float activations in fp16 where Option::use_fp16_storage (on by default) meets a
 * layer whose support_fp16_storage is cpu_support_arm_asimdhp(), Arm's FEAT_FP16 (Tencent/ncnn@
 * a4d2ea1d src/option.cpp, src/net.cpp convert_layout, the Arm layers' constructors);
 * x86 builds cast no input to fp16. In the registry: an Arm CPU (isa_family arm64/arm32;
 * gr_hw_is_arm_cpu) with fp16 in precisions.native. */
double otm_int8_float_bytes(const gr_hw *hw)
{
	return gr_hw_is_arm_cpu(hw) && gr_hw_precision_native(hw, GR_PREC_FP16) ? 2 : 4;
}

static int int8_conv(const gr_partition *p, size_t k)
{
	gr_kernel_class c = gr_partition_kernel(p, k)->cls;
	return c == GR_KC_CONV || c == GR_KC_DWCONV;
}

/* The one decision both the bytes moved and the bytes held follow: out8[k] (nk + 1 entries) 1
 * while every later kernel reading kernel k's output is an int8 conv (ncnn2int8 fused a
 * requantize: k's output is int8 when k is a conv), -1 once one is not; 0: none reads it (a graph
 * output: float). */
static void int8_readers(const gr_partition *p, const otm_kernel_dag *d, signed char *out8)
{
	size_t nk = gr_partition_count(p);

	memset(out8, 0, nk + 1);
	for (size_t k = 0; k < nk; k++)
		for (size_t e = d->first[k]; e < d->first[k + 1]; e++) {
			int pk = d->pred[e];
			out8[pk] = int8_conv(p, k) && out8[pk] >= 0 ? 1 : -1;
		}
}

/* Whether kernel k reads int8 only: it has inputs, and each comes from a conv whose output is
 * int8 (out8, int8_readers). */
static int int8_input(const gr_partition *p, const otm_kernel_dag *d, const signed char *out8, size_t k)
{
	if (d->first[k + 1] == d->first[k])
		return 0;
	for (size_t e = d->first[k]; e < d->first[k + 1]; e++)
		if (!int8_conv(p, (size_t)d->pred[e]) || out8[d->pred[e]] <= 0)
			return 0;
	return 1;
}

/* What both rules below read: each node's kernel (kof), the kernels' dependency DAG and
 * int8_readers' verdicts. */
typedef struct int8_plan {
	otm_kernel_dag d;
	int *kof;
	signed char *out8;
} int8_plan;

static int int8_plan_init(int8_plan *pl, const gr_graph *g, const gr_partition *p)
{
	size_t n = g->n_nodes;

	pl->kof = malloc((n + 1) * sizeof(int));
	pl->out8 = malloc(gr_partition_count(p) + 1);
	if (!pl->kof || !pl->out8 || otm_kernel_dag_build(g, p, &pl->d)) {
		free(pl->kof);
		free(pl->out8);
		return -1;
	}
	otm_kernel_of(p, n, pl->kof);
	int8_readers(p, &pl->d, pl->out8);
	return 0;
}

static void int8_plan_release(int8_plan *pl)
{
	otm_kernel_dag_free(&pl->d);
	free(pl->kof);
	free(pl->out8);
}

int otm_int8_float_io_bytes(const gr_graph *g, const gr_partition *p, double fb, double *out_bpe)
{
	size_t n = g->n_nodes;
	int8_plan pl;

	if (fb <= 0 || int8_plan_init(&pl, g, p))
		return -1;
	out_bpe[n] = fb; /* the graph's inputs: float */
	for (size_t i = 0; i < n; i++) {
		const gr_node *nd = g->nodes[i];
		int k = pl.kof[i];
		if (k >= 0) {
			out_bpe[i] = int8_conv(p, (size_t)k) && pl.out8[k] > 0 ? 1 : fb;
			continue;
		}
		/* a view (or folded op) holds what its input holds: nodes run in order, so the
		 * producer's figure is set */
		out_bpe[i] = fb;
		for (size_t j = 0; j < nd->n_in; j++)
			if (nd->in[j] && nd->in[j]->producer) {
				out_bpe[i] = out_bpe[nd->in[j]->producer->index];
				break;
			}
	}
	int8_plan_release(&pl);
	return 0;
}

int otm_nodes_int8_float_io(const gr_graph *g, const gr_partition *p, otm_node *nodes, double bpe, double fb,
			    double *passes)
{
	size_t n = g->n_nodes, nk = gr_partition_count(p);
	int8_plan pl;

	if (bpe <= 0 || fb <= 0 || int8_plan_init(&pl, g, p))
		return -1;
	/* The layers each int8 layer runs besides its own (Tencent/ncnn@84aaedbe9 and @a4d2ea1d,
	 * Convolution_x86::forward_int8_x86, Convolution_arm::forward_int8_arm, and the depthwise
	 * and InnerProduct ones): quantize_to_int8 of a float input and, for a dense conv,
	 * requantize_from_int32_to_int8 or dequantize_from_int32 of its int32 blob. src/mat.cpp runs
	 * each through a Quantize, Requantize or Dequantize layer it creates, sets up, runs (an
	 * OpenMP region over the threads) and deletes on every call: a layer dispatch of its own.
	 * A dequantized output's activation->forward_inplace (a layer already set up, one region) is
	 * not counted. */
	for (size_t k = 0; passes && k < nk; k++) {
		gr_kernel_class c = gr_partition_kernel(p, k)->cls;
		if (c != GR_KC_CONV && c != GR_KC_DWCONV && c != GR_KC_GEMM) {
			passes[k] = 0;
			continue;
		}
		passes[k] = !int8_input(p, &pl.d, pl.out8, k);
		if (c == GR_KC_CONV)
			passes[k] += 1;
	}
	for (size_t i = 0; i < n; i++) {
		int k = pl.kof[i], in8, out_int8;
		double fin, fout;
		gr_kernel_class c;

		if (k < 0)
			continue; /* views and folded ops move nothing of their own */
		c = gr_partition_kernel(p, (size_t)k)->cls;
		/* requantize is fused into convs only (not InnerProduct) */
		out_int8 = int8_conv(p, (size_t)k) && pl.out8[k] > 0;
		in8 = int8_input(p, &pl.d, pl.out8, (size_t)k);
		if (c == GR_KC_CONV || c == GR_KC_DWCONV || c == GR_KC_GEMM) {
			/* a float input: the quantize pass reads it and writes int8, the layer reads that */
			fin = in8 ? 1 : fb + 2;
			fout = out_int8 ? 1 : fb;
			if (c == GR_KC_CONV)
				fout += 8; /* the int32 blob, written by the conv and read back */
		} else {
			fin = fout = fb;
		}
		nodes[i].ein *= fin / bpe;
		nodes[i].eo *= fout / bpe;
	}
	int8_plan_release(&pl);
	return 0;
}
