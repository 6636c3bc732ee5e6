/* GEMM microbenchmarks: OpenBLAS cblas_sgemm and oneDNN matmul (fp32, bf16 where the CPU
 * has native bf16). Case sizes: p[0] = M, p[1] = N, p[2] = K; C = A (MxK) * B (KxN). */
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <dnnl.h>

#include "benchmarks/bench_impl.h"
#include "graphs/bench.h"

/* ------------------------------------------------------------------ OpenBLAS */

typedef struct {
	int m, n, k;
	float *a, *b, *c;
} sgemm_state;

static void sgemm_release(void *st)
{
	sgemm_state *s = st;
	if (!s)
		return;
	free(s->a);
	free(s->b);
	free(s->c);
	free(s);
}

static int openblas_supported(const bench_case *c, char *why, size_t size)
{
	if (strcmp(c->precision, "fp32")) {
		/* Debian's OpenBLAS is built without sbgemm/shgemm. */
		snprintf(why, size, "openblas here has no %s gemm", c->precision);
		return 0;
	}
	return 1;
}

static gr_status sgemm_init(const bench_case *c, void **out, gr_error *err)
{
	sgemm_state *s = calloc(1, sizeof(*s));
	if (!s)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	s->m = (int)c->p[0];
	s->n = (int)c->p[1];
	s->k = (int)c->p[2];
	s->a = bench_alloc_floats((size_t)s->m * (size_t)s->k, 0.5f);
	s->b = bench_alloc_floats((size_t)s->k * (size_t)s->n, 0.25f);
	s->c = bench_alloc_floats((size_t)s->m * (size_t)s->n, 0.0f);
	if (!s->a || !s->b || !s->c) {
		gr_error_set(err, GR_ERR_NOMEM, "out of memory for gemm %dx%dx%d", s->m, s->n, s->k);
		sgemm_release(s);
		return GR_ERR_NOMEM;
	}
	*out = s;
	return GR_OK;
}

static int sgemm_run(void *st)
{
	sgemm_state *s = st;
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s->m, s->n, s->k, 1.0f, s->a, s->k,
		    s->b, s->n, 0.0f, s->c, s->n);
	return 0;
}

const bench_kernel bench_gemm_openblas = {"gemm", "openblas", openblas_supported, sgemm_init,
					  sgemm_run, sgemm_release};

/* ------------------------------------------------------------------ oneDNN */

static dnnl_engine_t engine;
static dnnl_stream_t stream;

struct dnnl_engine *bench_dnnl_engine(gr_error *err)
{
	if (!engine && dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) {
		engine = NULL;
		gr_error_set(err, GR_ERR_UNSUPPORTED, "onednn has no cpu engine");
	}
	return engine;
}

struct dnnl_stream *bench_dnnl_stream(gr_error *err)
{
	if (!stream && bench_dnnl_engine(err) &&
	    dnnl_stream_create(&stream, engine, dnnl_stream_default_flags) != dnnl_success) {
		stream = NULL;
		gr_error_set(err, GR_ERR_UNSUPPORTED, "onednn cannot create a cpu stream");
	}
	return stream;
}

int bench_bf16_supported(char *why, size_t size)
{
	if (gr_bench_cpu_has("avx512_bf16") || gr_bench_cpu_has("amx_bf16"))
		return 1;
	snprintf(why, size, "no native bf16 on this cpu (needs avx512_bf16 or amx_bf16)");
	return 0;
}

static int onednn_supported(const bench_case *c, char *why, size_t size)
{
	if (!strcmp(c->precision, "fp32"))
		return 1;
	if (!strcmp(c->precision, "bf16"))
		return bench_bf16_supported(why, size);
	snprintf(why, size, "onednn on cpu: %s not benchmarked", c->precision);
	return 0;
}

typedef struct {
	dnnl_primitive_t prim;
	dnnl_memory_t mem[3];
	int args[3];
} dnnl_state;

static void dnnl_release(void *st)
{
	dnnl_state *s = st;
	if (!s)
		return;
	for (int i = 0; i < 3; i++)
		if (s->mem[i])
			dnnl_memory_destroy(s->mem[i]);
	if (s->prim)
		dnnl_primitive_destroy(s->prim);
	free(s);
}

/* Creates the primitive from op_desc and memories in the layouts it chose (format any), so
 * the timed region is the kernel alone, with no reorders. Operands get harmless values. */
static gr_status dnnl_make(const void *op_desc, const char *what, void **out, gr_error *err)
{
	dnnl_primitive_desc_t pd = NULL;
	dnnl_state *s = calloc(1, sizeof(*s));
	static const dnnl_query_t q[3] = {dnnl_query_src_md, dnnl_query_weights_md,
					  dnnl_query_dst_md};
	static const int args[3] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST};

	if (!s)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	if (!bench_dnnl_engine(err))
		goto fail;
	if (dnnl_primitive_desc_create(&pd, op_desc, NULL, engine, NULL) != dnnl_success) {
		gr_error_set(err, GR_ERR_UNSUPPORTED, "onednn has no implementation for %s", what);
		goto fail;
	}
	if (dnnl_primitive_create(&s->prim, pd) != dnnl_success) {
		gr_error_set(err, GR_ERR_UNSUPPORTED, "onednn cannot create %s", what);
		goto fail;
	}
	for (int i = 0; i < 3; i++) {
		const dnnl_memory_desc_t *md = dnnl_primitive_desc_query_md(pd, q[i], 0);
		void *h = NULL;
		if (!md || dnnl_memory_create(&s->mem[i], md, engine, DNNL_MEMORY_ALLOCATE) ||
		    dnnl_memory_get_data_handle(s->mem[i], &h) || !h) {
			gr_error_set(err, GR_ERR_NOMEM, "onednn cannot allocate operands of %s", what);
			goto fail;
		}
		memset(h, 0x3c, dnnl_memory_desc_get_size(md)); /* 0.0115 in fp32 and bf16 */
		s->args[i] = args[i];
	}
	dnnl_primitive_desc_destroy(pd);
	*out = s;
	return GR_OK;
fail:
	if (pd)
		dnnl_primitive_desc_destroy(pd);
	dnnl_release(s);
	return err ? err->status : GR_ERR_UNSUPPORTED;
}

int bench_dnnl_exec(void *st)
{
	dnnl_state *s = st;
	dnnl_exec_arg_t a[3];
	for (int i = 0; i < 3; i++) {
		a[i].arg = s->args[i];
		a[i].memory = s->mem[i];
	}
	if (dnnl_primitive_execute(s->prim, stream, 3, a) != dnnl_success)
		return -1;
	return dnnl_stream_wait(stream) == dnnl_success ? 0 : -1;
}

gr_status bench_dnnl_make(const void *op_desc, const char *what, void **out, gr_error *err)
{
	if (!bench_dnnl_stream(err))
		return err ? err->status : GR_ERR_UNSUPPORTED;
	return dnnl_make(op_desc, what, out, err);
}

void bench_dnnl_release(void *st)
{
	dnnl_release(st);
}

static gr_status matmul_init(const bench_case *c, void **out, gr_error *err)
{
	dnnl_memory_desc_t a, b, d;
	dnnl_matmul_desc_t md;
	dnnl_dims_t da = {c->p[0], c->p[2]}, db = {c->p[2], c->p[1]}, dd = {c->p[0], c->p[1]};
	dnnl_data_type_t t = strcmp(c->precision, "bf16") ? dnnl_f32 : dnnl_bf16;

	if (dnnl_memory_desc_init_by_tag(&a, 2, da, t, dnnl_ab) ||
	    dnnl_memory_desc_init_by_tag(&b, 2, db, t, dnnl_format_tag_any) ||
	    dnnl_memory_desc_init_by_tag(&d, 2, dd, dnnl_f32, dnnl_ab) ||
	    dnnl_matmul_desc_init(&md, &a, &b, NULL, &d))
		return gr_error_set(err, GR_ERR_UNSUPPORTED, "onednn rejects matmul '%s'", c->name);
	return bench_dnnl_make(&md, c->name, out, err);
}

const bench_kernel bench_gemm_onednn = {"gemm", "onednn", onednn_supported, matmul_init,
					bench_dnnl_exec, dnnl_release};

/* Shared with micro_conv.c. */
int bench_onednn_supported(const bench_case *c, char *why, size_t size)
{
	return onednn_supported(c, why, size);
}
