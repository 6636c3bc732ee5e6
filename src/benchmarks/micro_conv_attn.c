/* Conv2d through oneDNN (standard, depthwise, pointwise, strided) and attention
 * (softmax(Q K^T / sqrt(d)) V per head with cblas_sgemm and a softmax loop).
 * Conv sizes: p[0] = C in, p[1] = H = W, p[2] = K out, p[3] = R (kernel), p[4] = stride,
 * p[5] = groups; batch is N. Attention: p[0] = batch x heads, p[1] = L, p[2] = d. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <dnnl.h>

#include "benchmarks/bench_impl.h"

static gr_status conv_init(const bench_case *c, void **out, gr_error *err)
{
	int64_t n = c->batch, ci = c->p[0], h = c->p[1], k = c->p[2], r = c->p[3], s = c->p[4],
		g = c->p[5] > 0 ? c->p[5] : 1, pad = r / 2, oh = (h + 2 * pad - r) / s + 1;
	dnnl_memory_desc_t src, wei, dst;
	dnnl_convolution_desc_t cd;
	dnnl_dims_t ds = {n, ci, h, h}, dd = {n, k, oh, oh}, st = {s, s}, pl = {pad, pad};
	dnnl_data_type_t t = strcmp(c->precision, "bf16") ? dnnl_f32 : dnnl_bf16;
	int bad;

	if (ci % g || k % g)
		return gr_error_set(err, GR_ERR_USAGE, "conv '%s': groups must divide channels",
				    c->name);
	if (g > 1) {
		dnnl_dims_t dw = {g, k / g, ci / g, r, r};
		bad = dnnl_memory_desc_init_by_tag(&wei, 5, dw, t, dnnl_format_tag_any);
	} else {
		dnnl_dims_t dw = {k, ci, r, r};
		bad = dnnl_memory_desc_init_by_tag(&wei, 4, dw, t, dnnl_format_tag_any);
	}
	if (bad || dnnl_memory_desc_init_by_tag(&src, 4, ds, t, dnnl_format_tag_any) ||
	    dnnl_memory_desc_init_by_tag(&dst, 4, dd, t, dnnl_format_tag_any) ||
	    dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_auto,
					       &src, &wei, NULL, &dst, st, pl, pl))
		return gr_error_set(err, GR_ERR_UNSUPPORTED, "onednn rejects conv '%s'", c->name);
	return bench_dnnl_make(&cd, c->name, out, err);
}

const bench_kernel bench_conv_onednn = {"conv2d", "onednn", bench_onednn_supported, conv_init,
					bench_dnnl_exec, bench_dnnl_release};

/* ------------------------------------------------------------------ attention */

typedef struct {
	int bh, l, d;
	float *q, *k, *v, *s, *o;
	int head; /* for the softmax task */
} attn_state;

static void attn_release(void *st)
{
	attn_state *s = st;
	if (!s)
		return;
	free(s->q);
	free(s->k);
	free(s->v);
	free(s->s);
	free(s->o);
	free(s);
}

static int attn_supported(const bench_case *c, char *why, size_t size)
{
	if (strcmp(c->precision, "fp32")) {
		snprintf(why, size, "attention with openblas: fp32 only");
		return 0;
	}
	return 1;
}

static gr_status attn_init(const bench_case *c, void **out, gr_error *err)
{
	attn_state *s = calloc(1, sizeof(*s));
	size_t qkv;
	if (!s)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	s->bh = (int)c->p[0];
	s->l = (int)c->p[1];
	s->d = (int)c->p[2];
	qkv = (size_t)s->bh * (size_t)s->l * (size_t)s->d;
	s->q = bench_alloc_floats(qkv, 0.01f);
	s->k = bench_alloc_floats(qkv, 0.02f);
	s->v = bench_alloc_floats(qkv, 0.03f);
	s->o = bench_alloc_floats(qkv, 0.0f);
	s->s = bench_alloc_floats((size_t)s->l * (size_t)s->l, 0.0f); /* one head's scores */
	if (!s->q || !s->k || !s->v || !s->o || !s->s) {
		attn_release(s);
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory for attention '%s'", c->name);
	}
	*out = s;
	return GR_OK;
}

static void softmax_rows(void *ctx, int i, int n)
{
	attn_state *s = ctx;
	int per = (s->l + n - 1) / n, lo = per * i, hi = lo + per > s->l ? s->l : lo + per;
	for (int r = lo; r < hi; r++) {
		float *x = s->s + (size_t)r * (size_t)s->l, mx = x[0], sum = 0;
		for (int j = 1; j < s->l; j++)
			mx = x[j] > mx ? x[j] : mx;
		for (int j = 0; j < s->l; j++) {
			x[j] = expf(x[j] - mx);
			sum += x[j];
		}
		for (int j = 0; j < s->l; j++)
			x[j] /= sum;
	}
}

static int attn_run(void *st)
{
	attn_state *s = st;
	float scale = 1.0f / sqrtf((float)s->d);
	size_t hd = (size_t)s->l * (size_t)s->d;
	for (int h = 0; h < s->bh; h++) {
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, s->l, s->l, s->d, scale,
			    s->q + h * hd, s->d, s->k + h * hd, s->d, 0.0f, s->s, s->l);
		bench_pool_run(softmax_rows, s);
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s->l, s->d, s->l, 1.0f, s->s,
			    s->l, s->v + h * hd, s->d, 0.0f, s->o + h * hd, s->d);
	}
	return 0;
}

const bench_kernel bench_attention_openblas = {"attention", "openblas", attn_supported, attn_init,
					       attn_run, attn_release};
