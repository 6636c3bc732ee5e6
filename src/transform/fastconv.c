/* Fast convolution algorithms that runtimes pick on their own (docs/estimate.md, "Fast
 * convolution"). A runtime that runs a 3x3 convolution with Winograd F(m, 3) multiplies
 * (m+2)^2 values per tile and channel pair where the definition multiplies 9 m^2: charging the
 * definition's FLOPs makes such a runtime look faster than the chip's peak. Only the time model
 * uses these counts; a model's FLOPs are always the definition's. */
#include <math.h>

#include "core/graph_impl.h"
#include "graphs/hw.h"
#include "graphs/transform.h"

/* 1 when every entry of the ints attribute name is 1 (absent: the ONNX default, 1). */
static int attr_all_one(const gr_node *n, const char *name)
{
	size_t c = 0;
	const int64_t *v = gr_attr_ints(n, name, &c);

	for (size_t i = 0; v && i < c; i++)
		if (v[i] != 1)
			return 0;
	return 1;
}

/* FLOPs of Winograd F(m x m, k x k) over an oh x ow output, per image: per tile of a = m+k-1
 * squared inputs, the input transform (2 a^3 per input channel), the elementwise products
 * summed over input channels (2 a^2 cin per output channel, a batched GEMM) and the output
 * transform (2 a (a+m) m per output channel). The transform counts are MNN's own cost model
 * (alibaba/MNN source/backend/cpu/compute/ConvolutionPackWinograd.cpp, bestWinogradUnit,
 * @4d40bdbd7efb73a58383bb5da867a6f41eb1776e); partial tiles at the edges cost whole tiles. */
static double winograd_flops(int m, int k, double cin, double cout, double oh, double ow)
{
	double a = m + k - 1, tiles = ceil(oh / m) * ceil(ow / m);

	return tiles * (2 * a * a * a * cin + 2 * a * a * cin * cout + 2 * a * (a + m) * m * cout);
}

/* ncnn's choice for a 3x3 stride-1 dilation-1 Convolution layer (grouped convolutions are
 * ConvolutionDepthWise layers there, without Winograd), Tencent/ncnn @a4d2ea1d4422c9e849f1
 * src/layer/arm/convolution_arm.cpp, Convolution_arm::create_pipeline: Winograd when
 * num_input >= 8 || num_output >= 8 (Option's use_winograd23/43/63_convolution default true);
 * F(6,3) when both <= 128, else F(4,3) when both >= 8, else F(2,3); forward() runs the one whose
 * weights were transformed. The fp16 path (convolution_arm_asimdhp.cpp) is the same with 16 for
 * 8; x86 (src/layer/x86/convolution_x86.cpp) picks F(6,3) only for narrow layers (<= 32
 * channels without shape hints, by measured tables with them) and F(4,3) or, on small maps of
 * wide layers, F(2,3) otherwise. One rule for all: the Arm one, where most ncnn figures are. */
static int ncnn_tile(int k, double cin, double cout)
{
	if (k != 3 || !(cin >= 8 || cout >= 8))
		return 0;
	if (cin <= 128 && cout <= 128)
		return 6;
	return cin >= 8 && cout >= 8 ? 4 : 2;
}

/* ncnn's int8 Convolution (the same at Tencent/ncnn @80b3b9c6f, PR #5087, which introduced it,
 * @09f15e698, PR #5284, and @a4d2ea1d; src/layer/arm/convolution_arm.cpp,
 * Convolution_arm::create_pipeline_int8_arm and forward_int8_arm): prefer_winograd when
 * num_input >= 8 && num_output >= 8 for 3x3 s1 d1, then set false when
 * cpu_support_arm_asimddp() (NCNN_ARM82DOT builds, on by default on aarch64): with SDOT every
 * int8 conv runs im2col GEMM (convolution_im2col_gemm_int8, SMMLA kernels with i8mm). Without
 * dotprod it runs conv3x3s1_winograd43_int8, F(4,3) (use_winograd43_convolution defaults true).
 * x86 (src/layer/x86/convolution_x86.cpp, create_pipeline_int8_x86) has no such switch: F(4,3)
 * when num_input > 8 || num_output > 8; the Arm condition is taken for both. */
static int ncnn_tile_int8(int path, int k, double cin, double cout)
{
	if (k != 3)
		return 0;
	if (path == GR_CONV_PATH_INT8_X86) /* create_pipeline_int8_x86, as at 84aaedbe9 */
		return cin > 8 || cout > 8 ? 4 : 0;
	return path == GR_CONV_PATH_INT8 && cin >= 8 && cout >= 8 ? 4 : 0;
}

int gr_conv_path_of(const gr_fusion_rules *r, int prec, int features)
{
	if (!r || r->fast_conv != GR_FASTCONV_NCNN || prec != GR_PREC_INT8)
		return GR_CONV_PATH_FLOAT;
	if (features & GR_CONV_FEAT_X86)
		return GR_CONV_PATH_INT8_X86;
	return features & GR_CONV_FEAT_DOTPROD ? GR_CONV_PATH_INT8_DOT : GR_CONV_PATH_INT8;
}

/* MNN's choice (alibaba/MNN @4d40bdbd source/backend/cpu/compute/ConvolutionFloatFactory.cpp,
 * ConvolutionWinogradImpl::canUseWinograd, ConvolutionPackWinograd::bestWinogradUnit): square
 * kernels k > 1, stride 1, dilation 1; the unit u in [2, 8] with an input tile u+k-1 of 4, 6 or
 * 8 (fp32 kernels) and u no more than sqrt of the output pixels per thread (one thread taken
 * here) that saves the most by the cost model above; direct when none saves anything. */
static int mnn_tile(int k, double cin, double cout, double oh, double ow)
{
	int best = 0, max_u = (int)sqrt(oh * ow);
	double rate = 1.0, direct = 2.0 * oh * ow * cin * cout * k * k;

	if (max_u > 8)
		max_u = 8;
	if (max_u < 2)
		max_u = 2;
	for (int u = 2; u <= max_u; u++) {
		int a = u + k - 1;
		double r;
		if (a != 4 && a != 6 && a != 8)
			continue;
		r = direct / winograd_flops(u, k, cin, cout, oh, ow);
		if (r > rate) {
			rate = r;
			best = u;
		}
	}
	return best;
}

double gr_node_time_flops(const gr_fusion_rules *r, const gr_node *n, int path, int *tile)
{
	const gr_tensor *x, *w, *y;
	double cin, cout, oh, ow, batch, direct;
	int k, m = 0;

	if (tile)
		*tile = 0;
	if (!r || r->fast_conv == GR_FASTCONV_NONE || n->op != GR_OP_CONV || !n->cost.known ||
	    n->cost.macs <= 0)
		return n->cost.flops;
	x = gr_in(n, 0);
	w = gr_in(n, 1);
	y = gr_out(n, 0);
	if (!x || !w || !y || x->rank != 4 || w->rank != 4 || y->rank != 4 || !gr_shape_known(w) ||
	    !gr_shape_known(y) || gr_attr_int(n, "group", 1) != 1 || !attr_all_one(n, "strides") ||
	    !attr_all_one(n, "dilations"))
		return n->cost.flops;
	k = (int)w->dims[2].value;
	if (k != w->dims[3].value)
		return n->cost.flops;
	batch = (double)y->dims[0].value;
	cout = (double)y->dims[1].value;
	oh = (double)y->dims[2].value;
	ow = (double)y->dims[3].value;
	cin = (double)w->dims[1].value;
	if (r->fast_conv == GR_FASTCONV_NCNN)
		m = path == GR_CONV_PATH_FLOAT ? ncnn_tile(k, cin, cout) : ncnn_tile_int8(path, k, cin, cout);
	else if (r->fast_conv == GR_FASTCONV_MNN && k > 1)
		m = mnn_tile(k, cin, cout, oh, ow);
	if (!m || oh < 1 || ow < 1)
		return n->cost.flops;
	if (tile)
		*tile = m;
	/* the definition's multiply-adds give way to Winograd's; the bias add stays */
	direct = 2.0 * n->cost.macs;
	return n->cost.flops - direct + batch * winograd_flops(m, k, cin, cout, oh, ow);
}

/* ncnn's int8 Winograd (Tencent/ncnn @a4d2ea1d, src/layer/arm/convolution_3x3_winograd_int8.h
 * and src/layer/x86/convolution_3x3_winograd_int8.h; the same at 84aaedbe9, the x86 benchmark
 * rows, and in conv3x3s1_winograd43_int8_neon at 97b43944e, the Raspberry Pi 4 rows): the input
 * and kernel transforms write short tiles, and the batched GEMM multiplies int16 by int16 into
 * int32 (Arm: SMLAL/SMLAL2 on .4h lanes, 4 MACs per 128-bit instruction; x86: pmaddwd, or
 * vpdpwssd with AVX-VNNI/AVX512-VNNI, 2 MACs per 32-bit lane), never int8 dot products. */
int gr_conv_path_arith(int path)
{
	return path == GR_CONV_PATH_INT8 || path == GR_CONV_PATH_INT8_X86 ? GR_PREC_INT16 : -1;
}

/* ncnn's x86 int8 layers at Tencent/ncnn@84aaedbe9 (2023-10-20, the commit that added the Ryzen 9
 * 5950X and i7-13700K benchmark rows): src/layer/x86/ has no vpdpbusd at all. Convolution_x86::
 * forward_int8_x86 runs Winograd (convolution_3x3_winograd_int8.h), im2col GEMM
 * (convolution_im2col_gemm_int8.h: its 8x8 AVX2 tile sign-extends int8 with
 * _mm256_cvtepi8_epi16 and multiplies with _mm256_dpwssd_epi32 under AVX-VNNI, else
 * _mm256_madd_epi16 + add) or packed kernels (convolution_packed_int8.h, the same): int16 pairs,
 * 2 MACs per 32-bit lane; ConvolutionDepthWise_x86 and InnerProduct_x86 use SSE2
 * _mm_mullo_epi16/_mm_mulhi_epi16 on 16-bit lanes. Later ncnn moved the im2col GEMM to
 * vpdpbusd (23890900c, PR #5874, 2025-02-08); the published x86 rows predate it. */
int gr_conv_path_widens(int path, int cls, int tile)
{
	if (path == GR_CONV_PATH_INT8_X86)
		return cls == GR_KC_CONV || cls == GR_KC_DWCONV || cls == GR_KC_GEMM;
	return path == GR_CONV_PATH_INT8 && tile;
}

double gr_node_rate_flops(const gr_fusion_rules *r, const gr_node *n, int path, double widen)
{
	int tile = 0;
	double f = gr_node_time_flops(r, n, path, &tile);

	if (widen > 1 && gr_conv_path_widens(path, tile ? GR_KC_CONV : (int)gr_node_kernel_class(n), tile))
		return f * widen;
	return f;
}

int gr_node_conv_algorithm(const gr_fusion_rules *r, const gr_node *n, int path)
{
	const gr_tensor *w;
	int tile = 0;

	if (!r || r->fast_conv == GR_FASTCONV_NONE || n->op != GR_OP_CONV || gr_attr_int(n, "group", 1) != 1)
		return GR_CONV_ALGO_OTHER;
	gr_node_time_flops(r, n, path, &tile);
	if (tile)
		return GR_CONV_ALGO_WINOGRAD;
	w = gr_in(n, 1);
	if (w && w->rank == 4 && gr_shape_known(w) && w->dims[2].value == 1 && w->dims[3].value == 1)
		return GR_CONV_ALGO_POINTWISE;
	return GR_CONV_ALGO_IM2COL;
}

const char *gr_conv_algo_name(int algo)
{
	static const char *const names[GR_CONV_ALGO_COUNT] = {"other", "winograd", "pointwise", "im2col"};
	return algo >= 0 && algo < GR_CONV_ALGO_COUNT ? names[algo] : NULL;
}

double gr_node_group_width(const gr_node *n)
{
	const gr_tensor *y = gr_out(n, 0);
	int64_t group = gr_attr_int(n, "group", 1);

	if ((n->op != GR_OP_CONV && n->op != GR_OP_CONV_INTEGER && n->op != GR_OP_QLINEAR_CONV) ||
	    group <= 1 || gr_node_kernel_class(n) != GR_KC_CONV || !y || y->rank < 2 || y->dims[1].value <= 0)
		return 0;
	return (double)y->dims[1].value / (double)group;
}

double gr_group_conv_scale(double group_width, double tile_n)
{
	return group_width > 0 && tile_n > group_width ? tile_n / group_width : 1.0;
}
