/* The micro suite: the sweep of cases (quick or full), and the loop that times each case,
 * reads energy off the power curve and stores one record per finished case. */
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "benchmarks/bench_impl.h"

#define MAX_CASES 512

typedef struct case_list {
	bench_case c[MAX_CASES];
	int n;
} case_list;

static bench_case *add(case_list *l, const bench_kernel *k, const char *prec, const char *variant)
{
	bench_case *c;
	if (l->n >= MAX_CASES)
		return NULL;
	c = &l->c[l->n++];
	memset(c, 0, sizeof(*c));
	c->k = k;
	c->batch = 1;
	snprintf(c->precision, sizeof(c->precision), "%s", prec);
	snprintf(c->variant, sizeof(c->variant), "%s", variant ? variant : "");
	return c;
}

static const char *size_str(int64_t bytes, char *buf, size_t n)
{
	if (bytes >= (1 << 20) && bytes % (1 << 20) == 0)
		snprintf(buf, n, "%lldM", (long long)(bytes >> 20));
	else if (bytes >= 1024 && bytes % 1024 == 0)
		snprintf(buf, n, "%lldK", (long long)(bytes >> 10));
	else
		snprintf(buf, n, "%lld", (long long)bytes);
	return buf;
}

static void gemm(case_list *l, const bench_kernel *k, const char *prec, int64_t m, int64_t n,
		 int64_t kk)
{
	bench_case *c = add(l, k, prec, NULL);
	double es = strcmp(prec, "fp32") ? 2 : 4;
	if (!c)
		return;
	c->p[0] = m, c->p[1] = n, c->p[2] = kk;
	c->flops = 2.0 * (double)m * (double)n * (double)kk;
	c->bytes = es * (double)(m * kk + kk * n) + 4.0 * (double)(m * n);
	if (m == n && n == kk)
		snprintf(c->name, sizeof(c->name), "gemm_%s_%s_%lld", k->backend, prec, (long long)m);
	else
		snprintf(c->name, sizeof(c->name), "gemm_%s_%s_%lldx%lldx%lld", k->backend, prec,
			 (long long)m, (long long)n, (long long)kk);
	snprintf(c->dims, sizeof(c->dims), "m=%lld n=%lld k=%lld", (long long)m, (long long)n,
		 (long long)kk);
}

static void conv(case_list *l, const char *prec, const char *variant, int64_t n, int64_t ci,
		 int64_t h, int64_t ko, int64_t r, int64_t s, int64_t g)
{
	bench_case *c = add(l, &bench_conv_onednn, prec, variant);
	int64_t oh = (h + 2 * (r / 2) - r) / s + 1;
	double es = strcmp(prec, "fp32") ? 2 : 4;
	if (!c)
		return;
	c->batch = n;
	c->p[0] = ci, c->p[1] = h, c->p[2] = ko, c->p[3] = r, c->p[4] = s, c->p[5] = g;
	c->flops = 2.0 * (double)(n * ko * oh * oh) * (double)(ci / g * r * r);
	c->bytes = es * (double)(n * ci * h * h + ko * (ci / g) * r * r + n * ko * oh * oh);
	snprintf(c->name, sizeof(c->name), "conv2d_onednn_%s_%s_n%lld_c%lld_h%lld_k%lld_r%lld_s%lld",
		 prec, variant, (long long)n, (long long)ci, (long long)h, (long long)ko,
		 (long long)r, (long long)s);
	snprintf(c->dims, sizeof(c->dims), "n=%lld c=%lld h=w=%lld k=%lld r=%lld stride=%lld groups=%lld",
		 (long long)n, (long long)ci, (long long)h, (long long)ko, (long long)r, (long long)s,
		 (long long)g);
}

static void attention(case_list *l, int64_t bh, int64_t len, int64_t d)
{
	bench_case *c = add(l, &bench_attention_openblas, "fp32", NULL);
	if (!c)
		return;
	c->p[0] = bh, c->p[1] = len, c->p[2] = d;
	c->flops = (double)bh * (4.0 * (double)(len * len * d) + 5.0 * (double)(len * len));
	c->bytes = 4.0 * (double)bh * (double)(4 * len * d + len * len);
	snprintf(c->name, sizeof(c->name), "attention_openblas_fp32_bh%lld_l%lld_d%lld",
		 (long long)bh, (long long)len, (long long)d);
	snprintf(c->dims, sizeof(c->dims), "batch*heads=%lld seq=%lld head_dim=%lld", (long long)bh,
		 (long long)len, (long long)d);
}

static void eltwise(case_list *l, const char *op, int64_t n)
{
	bench_case *c = add(l, &bench_eltwise_native, "fp32", op);
	char b[32];
	int arrays = !strcmp(op, "add") ? 3 : 2;
	if (!c)
		return;
	c->p[0] = n;
	c->flops = (double)n * (!strcmp(op, "gelu") ? 8 : !strcmp(op, "sigmoid") ? 4 : 1);
	c->bytes = 4.0 * (double)n * arrays;
	c->rate_unit = "GB/s";
	snprintf(c->name, sizeof(c->name), "elementwise_native_fp32_%s_%s", op,
		 size_str(n, b, sizeof(b)));
	snprintf(c->dims, sizeof(c->dims), "elements=%lld", (long long)n);
}

static void reduce(case_list *l, const char *op, int64_t rows, int64_t cols)
{
	bench_case *c = add(l, &bench_reduce_native, "fp32", op);
	if (!c)
		return;
	c->p[0] = rows, c->p[1] = cols;
	c->flops = (double)(rows * cols) * (!strcmp(op, "sum") ? 1 : 5);
	c->bytes = 4.0 * (double)(rows * cols) * (!strcmp(op, "sum") ? 1 : 2);
	c->rate_unit = "GB/s";
	if (!strcmp(op, "sum"))
		snprintf(c->name, sizeof(c->name), "reduction_native_fp32_sum_%lld",
			 (long long)(rows * cols));
	else
		snprintf(c->name, sizeof(c->name), "reduction_native_fp32_%s_%lldx%lld", op,
			 (long long)rows, (long long)cols);
	snprintf(c->dims, sizeof(c->dims), "rows=%lld cols=%lld", (long long)rows, (long long)cols);
}

static void stream(case_list *l, const char *op, int64_t ws)
{
	bench_case *c = add(l, &bench_stream_native, "fp32", op);
	char b[32];
	int64_t reps = ws >= (8 << 20) ? 1 : (8 << 20) / ws; /* >= 8 MiB moved per call */
	if (!c)
		return;
	c->p[0] = ws;
	c->p[1] = reps;
	c->bytes = (double)ws * (double)reps; /* STREAM counting: each array once per sweep */
	c->flops = 0;
	c->rate_unit = "GB/s";
	snprintf(c->name, sizeof(c->name), "memory_native_%s_%s", op, size_str(ws, b, sizeof(b)));
	snprintf(c->dims, sizeof(c->dims), "working_set=%lld sweeps=%lld", (long long)ws,
		 (long long)reps);
}

static void chase(case_list *l, int64_t ws, int64_t steps)
{
	bench_case *c = add(l, &bench_chase_native, "fp32", "chase");
	char b[32];
	if (!c)
		return;
	c->p[0] = ws;
	c->p[1] = steps;
	c->bytes = 64.0 * (double)steps;
	c->rate_unit = "ns";
	c->rate_scale = (double)steps;
	snprintf(c->name, sizeof(c->name), "latency_native_chase_%s", size_str(ws, b, sizeof(b)));
	snprintf(c->dims, sizeof(c->dims), "working_set=%lld loads=%lld", (long long)ws,
		 (long long)steps);
}

int bench_selected(const char *filter, const char *name)
{
	char pat[256];
	const char *p = filter;
	if (!filter || !*filter)
		return 1;
	while (*p) { /* comma-separated globs */
		size_t n = strcspn(p, ",");
		snprintf(pat, sizeof(pat), "%.*s", (int)n, p);
		if (!fnmatch(pat, name, 0))
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

static void build(const gr_bench_opts *o, case_list *l)
{
	const int q = o->quick;
	static const int64_t gq[] = {256, 512, 1024, 2048}, gf[] = {64, 128, 256, 512, 768, 1024,
								   1536, 2048, 3072, 4096};
	static const char *const precs[] = {"fp32", "bf16"};
	const int64_t *g = q ? gq : gf;
	size_t ng = q ? 4 : 10;
	case_list all;

	all.n = 0;
	for (size_t i = 0; i < ng; i++)
		gemm(&all, &bench_gemm_openblas, "fp32", g[i], g[i], g[i]);
	if (!q) {
		gemm(&all, &bench_gemm_openblas, "fp32", 1, 4096, 4096);
		gemm(&all, &bench_gemm_openblas, "fp32", 128, 4096, 1024);
		gemm(&all, &bench_gemm_openblas, "fp32", 3136, 64, 576);
	}
	for (int p = 0; p < 2; p++)
		for (size_t i = 0; i < ng; i++)
			if (!q || g[i] == 512 || g[i] == 1024)
				gemm(&all, &bench_gemm_onednn, precs[p], g[i], g[i], g[i]);
	gemm(&all, &bench_gemm_openblas, "bf16", 1024, 1024, 1024); /* recorded as unsupported */
	for (int p = 0; p < 2; p++) {
		int64_t b = 1;
		conv(&all, precs[p], "standard", b, 64, 56, 64, 3, 1, 1);
		if (p == 1 && q)
			continue;
		conv(&all, precs[p], "strided", b, 64, 56, 128, 3, 2, 1);
		conv(&all, precs[p], "pointwise", b, 256, 14, 256, 1, 1, 1);
		conv(&all, precs[p], "depthwise", b, 256, 28, 256, 3, 1, 256);
		if (q)
			continue;
		conv(&all, precs[p], "standard", b, 3, 224, 64, 7, 2, 1);
		conv(&all, precs[p], "standard", b, 128, 28, 128, 3, 1, 1);
		conv(&all, precs[p], "standard", b, 512, 7, 512, 3, 1, 1);
		conv(&all, precs[p], "standard", 8, 64, 56, 64, 3, 1, 1);
		conv(&all, precs[p], "pointwise", b, 64, 56, 256, 1, 1, 1);
		conv(&all, precs[p], "pointwise", 8, 256, 14, 256, 1, 1, 1);
		conv(&all, precs[p], "depthwise", b, 32, 112, 32, 3, 1, 32);
		conv(&all, precs[p], "depthwise", b, 960, 7, 960, 3, 1, 960);
		conv(&all, precs[p], "strided", b, 256, 28, 512, 1, 2, 1);
	}
	attention(&all, 8, 128, 64);
	attention(&all, 12, 256, 64);
	if (!q) {
		attention(&all, 12, 512, 64);
		attention(&all, 16, 1024, 64);
		attention(&all, 32, 197, 64);
	}
	{
		static const char *const ops[] = {"relu", "gelu", "sigmoid", "add"};
		static const int64_t nq[] = {1 << 20, 8 << 20}, nf[] = {1 << 14, 1 << 17, 1 << 20,
									 1 << 22, 1 << 24};
		for (int i = 0; i < 4; i++)
			for (size_t j = 0; j < (q ? 2u : 5u); j++)
				if (!q || i != 2)
					eltwise(&all, ops[i], q ? nq[j] : nf[j]);
	}
	reduce(&all, "sum", 1, 4 << 20);
	reduce(&all, "softmax", 1024, 1024);
	reduce(&all, "layernorm", 2048, 768);
	if (!q) {
		reduce(&all, "sum", 1, 1 << 16);
		reduce(&all, "sum", 1, 32 << 20);
		reduce(&all, "softmax", 8192, 512);
		reduce(&all, "layernorm", 16384, 1024);
	}
	{
		static const char *const ops[] = {"copy", "scale", "add", "triad"};
		static const int64_t wq[] = {32 << 10, 1 << 20, 64 << 20};
		for (int i = 0; i < 4; i++) {
			if (q)
				for (int j = 0; j < 3; j++)
					stream(&all, ops[i], wq[j]);
			else
				for (int64_t ws = 16 << 10; ws <= (256 << 20); ws *= 4)
					stream(&all, ops[i], ws);
		}
	}
	if (q) {
		static const int64_t wq[] = {16 << 10, 256 << 10, 1 << 20, 8 << 20, 64 << 20};
		for (int j = 0; j < 5; j++)
			chase(&all, wq[j], 100000);
	} else
		for (int64_t ws = 4 << 10; ws <= (256 << 20); ws *= 2)
			chase(&all, ws, 400000);

	l->n = 0;
	for (int i = 0; i < all.n; i++)
		if (bench_selected(o->filter, all.c[i].name))
			l->c[l->n++] = all.c[i];
}

int gr_bench_micro_count(const gr_bench_opts *o)
{
	case_list *l = malloc(sizeof(*l));
	int n;
	if (!l)
		return 0;
	build(o, l);
	n = l->n;
	free(l);
	return n;
}

void gr_bench_micro_names(const gr_bench_opts *o, void (*cb)(const char *name, void *u), void *u)
{
	case_list *l = malloc(sizeof(*l));
	if (!l)
		return;
	build(o, l);
	for (int i = 0; i < l->n; i++)
		cb(l->c[i].name, u);
	free(l);
}

static char *params_json(const bench_case *c, int threads)
{
	cJSON *o = cJSON_CreateObject();
	char *s;
	cJSON_AddStringToObject(o, "kernel", c->k->kind);
	cJSON_AddStringToObject(o, "backend", c->k->backend);
	if (c->variant[0])
		cJSON_AddStringToObject(o, "variant", c->variant);
	if (!strcmp(c->k->kind, "gemm")) {
		cJSON_AddNumberToObject(o, "m", (double)c->p[0]);
		cJSON_AddNumberToObject(o, "n", (double)c->p[1]);
		cJSON_AddNumberToObject(o, "k", (double)c->p[2]);
	} else if (!strcmp(c->k->kind, "conv2d")) {
		cJSON_AddNumberToObject(o, "in_channels", (double)c->p[0]);
		cJSON_AddNumberToObject(o, "height", (double)c->p[1]);
		cJSON_AddNumberToObject(o, "width", (double)c->p[1]);
		cJSON_AddNumberToObject(o, "out_channels", (double)c->p[2]);
		cJSON_AddNumberToObject(o, "kernel", (double)c->p[3]);
		cJSON_AddNumberToObject(o, "stride", (double)c->p[4]);
		cJSON_AddNumberToObject(o, "groups", (double)c->p[5]);
	} else if (!strcmp(c->k->kind, "attention")) {
		cJSON_AddNumberToObject(o, "batch_heads", (double)c->p[0]);
		cJSON_AddNumberToObject(o, "seq_len", (double)c->p[1]);
		cJSON_AddNumberToObject(o, "head_dim", (double)c->p[2]);
	} else if (!strcmp(c->k->kind, "memory") || !strcmp(c->k->kind, "latency")) {
		cJSON_AddNumberToObject(o, "working_set_bytes", (double)c->p[0]);
		cJSON_AddNumberToObject(o, !strcmp(c->k->kind, "memory") ? "sweeps" : "loads",
					(double)c->p[1]);
	} else {
		cJSON_AddNumberToObject(o, "rows", (double)(c->p[1] > 0 ? c->p[0] : 1));
		cJSON_AddNumberToObject(o, "cols", (double)(c->p[1] > 0 ? c->p[1] : c->p[0]));
	}
	cJSON_AddNumberToObject(o, "threads", threads);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* Fills the power fields of r for a region of calls. Never invents: without a sensor or
 * coverage the energy stays NULL and the note says why. */
void bench_fill_power(const gr_bench_opts *o, gr_bench_record *r, double t0, double t1,
		      double calls, char *note, size_t note_size)
{
	double j;
	int ns = 0;
	gr_error err = {0};
	r->power_source = gr_power_source(o->power);
	r->idle_power_w = o->idle_power_w;
	if (!o->power || calls <= 0 || t1 <= t0)
		return;
	if (gr_power_energy(o->power, t0, t1, &j, &ns, &err) != GR_OK) {
		snprintf(note, note_size, "no energy: %s", err.msg);
		r->note = note;
		return;
	}
	r->power_samples = ns;
	r->avg_power_w = j / (t1 - t0);
	r->energy_total_mj = j / calls * 1e3;
	if (isfinite(o->idle_power_w))
		r->energy_mj = (j - o->idle_power_w * (t1 - t0)) / calls * 1e3;
}

gr_status gr_bench_run_micro(gr_bench_store *s, int64_t run_id, const gr_bench_opts *o, int *done,
			     gr_error *err)
{
	case_list *l = malloc(sizeof(*l));
	double started = gr_bench_now();
	gr_bench_timing tm;
	gr_status rc = GR_OK;

	*done = 0;
	if (!l)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	build(o, l);
	gr_bench_timing_default(&tm, o->quick);
	for (int i = 0; i < l->n; i++) {
		bench_case *c = &l->c[i];
		gr_bench_record r;
		gr_bench_result res = {0};
		char why[256] = "", note[300] = "";
		char *params;
		void *state = NULL;
		int threads = !strcmp(c->k->kind, "latency") ? 1 : bench_thread_count();
		gr_error kerr = {0};

		if (o->stop && *o->stop)
			break;
		if (o->progress) {
			double el = gr_bench_now() - started;
			double eta = i ? el / i * (l->n - i) : (tm.budget_s * 1.6 + 0.05) * l->n;
			o->progress(o->progress_user, i, l->n, c->name, eta);
		}
		gr_bench_record_init(&r);
		r.kind = c->k->kind;
		r.name = c->name;
		r.backend = c->k->backend;
		r.device = "cpu";
		r.precision = c->precision;
		r.batch = c->batch;
		r.dims = c->dims;
		r.flops = c->flops > 0 ? c->flops : NAN;
		r.bytes = c->bytes > 0 ? c->bytes : NAN;
		r.threads = threads;
		r.power_source = gr_power_source(o->power);
		params = params_json(c, threads);
		r.params = params;
		if (c->k->supported && !c->k->supported(c, why, sizeof(why))) {
			r.supported = 0;
			r.note = why;
		} else if (c->k->init(c, &state, &kerr) != GR_OK) {
			r.supported = 0;
			r.note = kerr.msg;
		} else {
			gr_power_mark(o->power);
			if (gr_bench_time(c->k->run, state, &tm, &res, &kerr) != GR_OK) {
				r.supported = 0;
				r.note = kerr.msg;
			} else {
				gr_power_mark(o->power);
				r.has_stats = 1;
				r.st = res.st;
				r.inner = res.inner;
				if (c->rate_unit && !strcmp(c->rate_unit, "ns"))
					r.rate = res.st.median / c->rate_scale * 1e9;
				else if (c->rate_unit || !(c->flops > 0))
					r.rate = c->bytes / res.st.median * 1e-9;
				else
					r.rate = c->flops / res.st.median * 1e-9;
				r.rate_unit = c->rate_unit ? c->rate_unit : c->flops > 0 ? "GFLOP/s" : "GB/s";
				bench_fill_power(o, &r, res.t_start, res.t_end, (double)res.calls, note,
						 sizeof(note));
				if (!res.converged && !r.note)
					r.note = "time budget ended before the median's 95% ci reached 2%";
			}
			c->k->release(state);
		}
		rc = gr_bench_store_add(s, run_id, &r, NULL, err);
		free(res.samples);
		cJSON_free(params);
		if (rc)
			break;
		(*done)++;
	}
	if (o->progress && !rc)
		o->progress(o->progress_user, *done, l->n, "", 0);
	free(l);
	return rc;
}
