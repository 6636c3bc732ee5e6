/* graphs llm: a roofline per layer of a decoder-only transformer serving requests, prefill
 * (time to first token) and decode (time per output token), with the weights and KV cache
 * read from device memory, the compute at the platform's peak for the precision, and the
 * all-reduces of tensor parallelism over its peer link. Every hardware figure comes from the
 * registry (hardware/<class>/<id>.yaml and its class defaults); docs/llm.md lists what is modeled. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "analysis/llm.h"
#include "hardware/hw_json.h"
#include "graphs/estimate.h"

/* Everything one pass needs, fixed for a run. */
typedef struct ctx {
	const gr_llm_config *c;
	const gr_llm_serving *s;
	double tp;
	double wb, eb, ab, kvb;           /* bytes per weight, embedding/lm_head weight, activation, KV elem */
	double peak, peak16, bw;          /* ops/s at the compute precision, at 16 bits; bytes/s */
	double eff_gemm, eff_attn, eff_mem;
	double fill_half;                 /* FLOPs of a kernel that reaches half its efficiency */
	double link_bps;                  /* bytes/s per direction; 0 without tp */
	double pass_overhead_s;
	double kv_heads_dev;              /* KV heads each device holds (replicated below tp) */
} ctx;

typedef struct pass {
	double compute_s, memory_s;       /* sums of the two sides over the kernels */
	double gemm_s, attn_s, other_s, comm_s, overhead_s;
	double experts_touched;
} pass;

/* A kernel group run m times (once per layer): its time is the larger side; both sides are
 * summed for the report. */
static double roof(pass *p, double m, double flops, double peak, double eff, double bytes, const ctx *x)
{
	double tc = peak > 0 ? flops / (peak * eff) : 0, tm = bytes / (x->bw * x->eff_mem);
	p->compute_s += m * tc;
	p->memory_s += m * tm;
	return m * (tc > tm ? tc : tm);
}

/* A group of n equal matrix kernels: the registry's fill model (estimator.fill: a kernel of w
 * FLOPs reaches w / (w + half) of its efficiency) lowers the efficiency of small ones, such as
 * the per-expert GEMMs of a mixture of experts at a small batch. */
static double gemm(pass *p, double m, double n, double flops, double peak, double bytes, const ctx *x)
{
	double w = n > 0 ? flops / n : flops, eff = x->eff_gemm;
	if (x->fill_half > 0 && w > 0)
		eff *= w / (w + x->fill_half);
	return roof(p, m, flops, peak, eff, bytes, x);
}

/* A ring all-reduce of n bytes over tp devices. */
static double allreduce_s(const ctx *x, double n)
{
	double k = x->tp;
	if (k <= 1)
		return 0;
	return 2 * (k - 1) / k * n / (x->link_bps * x->s->allreduce_efficiency) +
	       2 * (k - 1) * x->s->allreduce_hop_us * 1e-6;
}

/* One forward pass: nseq sequences each adding q tokens, their context reaching ctx_end. */
static void forward(const ctx *x, double nseq, double q, double ctx_end, int logits_all, pass *p)
{
	const gr_llm_config *c = x->c;
	double T = nseq * q, tp = x->tp, d = (double)c->hidden;
	double qd = (double)c->heads * c->head_dim, kvd = (double)c->kv_heads * c->head_dim;
	double kvd_dev = x->kv_heads_dev * c->head_dim;
	double mats = c->mlp_matrices;
	double attn_w = d * (qd + 2 * kvd) + qd * d, L = (double)c->layers, Lm = (double)c->moe_layers;
	double logit_rows = logits_all ? T : nseq;

	memset(p, 0, sizeof(*p));
	/* attention projections q, k, v, o */
	p->gemm_s += gemm(p, L, 4, 2 * attn_w * T / tp, x->peak,
			  (attn_w * x->wb + T * (2 * d + 2 * qd + 2 * kvd) * x->ab) / tp, x);
	/* attention core: QK^T and PV over the context (causal within the pass), KV read once,
	 * the new K and V written */
	p->attn_s += roof(p, L, 4 * qd * T * (ctx_end - q / 2 + 0.5) / tp, x->peak16, x->eff_attn,
			  nseq * (ctx_end * 2 * kvd_dev * x->kvb) + T * 2 * qd * x->ab / tp, x);
	/* norms, residual adds, activation function: memory only */
	p->other_s += roof(p, L, 0, 0, 1, T * d * x->ab * 8, x);
	/* dense MLP */
	if (L > Lm) {
		double w = mats * d * c->intermediate;
		p->gemm_s += gemm(p, L - Lm, mats, 2 * w * T / tp, x->peak,
				  (w * x->wb + T * (2 * d + mats * c->intermediate) * x->ab) / tp, x);
	}
	/* experts: the union of those the T tokens route to (uniform routing), each read once */
	if (c->moe_layers) {
		double E = (double)c->experts, k = (double)c->experts_per_tok;
		double u = E * (1 - pow(1 - k / E, T)), we = mats * d * c->moe_intermediate;
		double ws = mats * d * c->shared_intermediate;
		p->experts_touched = u;
		p->gemm_s += gemm(p, Lm, mats * (u + (ws > 0)), 2 * (k * we + ws + d * E) * T / tp, x->peak,
				  ((u * we + ws) * x->wb / tp + d * E * x->wb +
				   T * (2 * d + (k * c->moe_intermediate + c->shared_intermediate) * mats) * x->ab / tp),
				  x);
	}
	/* tensor parallelism: an all-reduce after attention and one after the MLP, 16-bit activations */
	p->comm_s = 2 * L * allreduce_s(x, T * d * 2);
	/* lm_head over the rows that need logits (fp32 logits written); the embedding lookup reads T rows */
	p->gemm_s += gemm(p, 1, 1, 2 * (double)c->vocab * d * logit_rows / tp, x->peak16,
			  ((double)c->vocab * d * x->eb + logit_rows * c->vocab * 4) / tp + T * d * x->eb, x);
	p->overhead_s = x->pass_overhead_s;
}

static double pass_total(const pass *p)
{
	return p->gemm_s + p->attn_s + p->other_s + p->comm_s + p->overhead_s;
}

/* Prefill of nseq prompts of n tokens, in passes of at most max_num_tokens tokens. */
static double prefill_s(const ctx *x, double nseq, double n, pass *sum)
{
	double maxtok = (double)x->s->max_num_tokens, total = 0;
	pass p;
	memset(sum, 0, sizeof(*sum));
	if (n <= maxtok) {
		double per = floor(maxtok / n), full = floor(nseq / per), rest = nseq - full * per;
		if (per > nseq)
			per = nseq, full = 1, rest = 0;
		if (full > 0) {
			forward(x, per, n, n, 0, &p);
			total += full * pass_total(&p);
			sum->compute_s += full * p.compute_s, sum->memory_s += full * p.memory_s;
			sum->comm_s += full * p.comm_s;
		}
		if (rest > 0) {
			forward(x, rest, n, n, 0, &p);
			total += pass_total(&p);
			sum->compute_s += p.compute_s, sum->memory_s += p.memory_s, sum->comm_s += p.comm_s;
		}
		return total;
	}
	/* long prompts: each sequence in chunks, one after another, the context growing */
	for (double done = 0; done < n; done += maxtok) {
		double q = fmin(maxtok, n - done);
		forward(x, 1, q, done + q, 0, &p);
		total += nseq * pass_total(&p);
		sum->compute_s += nseq * p.compute_s, sum->memory_s += nseq * p.memory_s;
		sum->comm_s += nseq * p.comm_s;
	}
	return total;
}

/* Precision conventions (docs/llm.md, "Precisions"). */
static int weight_only(gr_precision p)
{
	return p == GR_PREC_INT4;
}

static double best_peak(const gr_hw *hw, int mode, const gr_precision *list, size_t n, gr_precision *got)
{
	for (size_t i = 0; i < n; i++) {
		double v = gr_hw_effective_peak_ops(hw, mode, list[i]);
		if (v > 0) {
			*got = list[i];
			return v;
		}
	}
	return 0;
}

/* The peer link (NVLink, ICI, ...) from the registry's interconnect section; else the host link. */
static double link_of(const gr_hw *hw, const char **name)
{
	cJSON *j = gr_hw_to_json(hw), *ic = j ? cJSON_GetObjectItemCaseSensitive(j, "interconnect") : NULL;
	cJSON *bw = ic ? cJSON_GetObjectItemCaseSensitive(ic, "peer_bandwidth_gbps") : NULL;
	double v = 0;
	*name = NULL;
	if (cJSON_IsNumber(bw) && bw->valuedouble > 0) {
		v = bw->valuedouble * 1e9;
		*name = "peer";
	}
	cJSON_Delete(j);
	if (v > 0)
		return v;
	if (gr_hw_host_bandwidth_gbps(hw) > 0) {
		*name = "host";
		return gr_hw_host_bandwidth_gbps(hw) * 1e9;
	}
	return 0;
}

static int kclass(const char *key)
{
	for (int k = 0; k < GR_HW_KERNEL_CLASS_COUNT; k++)
		if (gr_hw_kernel_class_key(k) && !strcmp(gr_hw_kernel_class_key(k), key))
			return k;
	return -1;
}

static void note_add(gr_llm_result *r, const char *s)
{
	size_t n = strlen(r->note);
	snprintf(r->note + n, sizeof(r->note) - n, "%s%s", n ? "; " : "", s);
}

gr_status gr_llm_estimate(const gr_llm_config *c, const gr_hw *hw, int mode, const gr_llm_opts *o,
			  const gr_llm_serving *s, gr_llm_result *r, gr_error *err)
{
	static const gr_precision p16[] = {GR_PREC_FP16, GR_PREC_BF16, GR_PREC_FP32};
	const char *id = gr_hw_id(hw);
	gr_hw_estimator ep;
	char why[512], buf[256];
	ctx x;
	gr_precision want, comp, nominal;
	double in = (double)o->input_len, out = (double)o->output_len, seq = in + out;
	double kv_seq_dev, budget, logits_seq, ffn;
	pass p, mid;
	int kg = kclass("gemm"), ka = kclass("attention");

	memset(r, 0, sizeof(*r));
	memset(&x, 0, sizeof(x));
	if (o->tp < 1 || o->input_len < 1 || o->output_len < 1)
		return gr_error_set(err, GR_ERR_USAGE, "input and output lengths and --tp must be positive");
	if (c->heads % o->tp)
		return gr_error_set(err, GR_ERR_UNSUPPORTED,
				    "--tp %lld does not divide the %lld attention heads of '%s'", (long long)o->tp,
				    (long long)c->heads, c->name);
	x.c = c, x.s = s, x.tp = (double)o->tp;
	r->memory_bytes = (double)gr_hw_memory_bytes(hw);
	x.bw = gr_hw_dram_bandwidth(hw, mode);
	if (r->memory_bytes <= 0 || x.bw <= 0)
		return gr_error_set(err, GR_ERR_UNSUPPORTED,
				    "'%s' has no main-memory %s figure in the registry (%s): cannot place a model",
				    id, r->memory_bytes <= 0 ? "size" : "bandwidth",
				    gr_hw_path(hw) ? gr_hw_path(hw) : "detected");
	if (gr_hw_estimator_params(hw, &ep, why, sizeof(why)) || kg < 0 || ka < 0)
		return gr_error_set(err, GR_ERR_UNSUPPORTED, "'%s': no estimator parameters: %s", id, why);

	/* precisions: weights, the GEMMs' compute, the KV cache */
	want = o->precision;
	switch (want) {
	case GR_PREC_FP32: case GR_PREC_TF32: case GR_PREC_FP16: case GR_PREC_BF16:
	case GR_PREC_FP8: case GR_PREC_INT8: case GR_PREC_INT4: case GR_PREC_FP4:
		break;
	default:
		return gr_error_set(err, GR_ERR_USAGE, "precision %s is not one of fp32, fp16, bf16, fp8, int8, int4, fp4",
				    gr_precision_name(want));
	}
	r->weight_prec = want == GR_PREC_TF32 ? GR_PREC_FP32 : want;
	/* the activations the precision names: int4 is weight-only (W4A16) */
	nominal = weight_only(want) ? GR_PREC_FP16 : want;
	{
		/* arithmetic: the nominal width where the platform runs it natively, else the first
		 * native of fp16, bf16, fp32, int8 (weights dequantized on the fly, as CPUs and GPUs
		 * without fp8 units do), else an emulated one */
		gr_precision list[5] = {nominal, GR_PREC_FP16, GR_PREC_BF16, GR_PREC_FP32, GR_PREC_INT8};
		comp = nominal;
		x.peak = 0;
		/* the fastest native float (a GeForce's 1/64-rate fp16 loses to its fp32), int8 last */
		for (int i = 0; i < 5; i++) {
			double v = gr_hw_precision_native(hw, list[i]) ? gr_hw_peak_ops(hw, mode, list[i]) : 0;
			if ((i < 4 || x.peak <= 0) && v > x.peak * 1.0000001)
				x.peak = v, comp = list[i];
		}
		if (x.peak <= 0)
			x.peak = best_peak(hw, mode, list, 5, &comp);
	}
	if (x.peak <= 0)
		return gr_error_set(err, GR_ERR_UNSUPPORTED,
				    "'%s' runs neither %s nor fp16, bf16, fp32 or int8 arithmetic (see 'graphs hw show %s')",
				    id, gr_precision_name(nominal), id);
	if (comp != nominal) {
		snprintf(buf, sizeof(buf), "%s has no native %s arithmetic: %s weights, computed in %s", id,
			 gr_precision_name(nominal), gr_precision_name(r->weight_prec), gr_precision_name(comp));
		note_add(r, buf);
	}
	r->compute_prec = comp;
	/* attention and lm_head at 16 bits or wider where the GEMMs run narrower (or at the GEMMs'
	 * width when nothing wider runs natively) */
	x.peak16 = x.peak;
	if (gr_estimate_elem_bytes(comp) < 2) {
		for (int i = 0; i < 3; i++)
			if (gr_hw_precision_native(hw, p16[i]) && gr_hw_peak_ops(hw, mode, p16[i]) > 0) {
				x.peak16 = gr_hw_peak_ops(hw, mode, p16[i]);
				break;
			}
	}
	x.wb = gr_estimate_elem_bytes(r->weight_prec);
	x.eb = x.wb < 2 ? 2 : x.wb;
	x.ab = gr_estimate_elem_bytes(comp);
	/* KV cache: the nominal activation precision (fp4 models keep an fp8 cache) */
	if (o->kv_precision >= 0)
		r->kv_prec = (gr_precision)o->kv_precision;
	else
		r->kv_prec = nominal == GR_PREC_FP4 ? GR_PREC_FP8 : nominal == GR_PREC_TF32 ? GR_PREC_FP32 : nominal;
	x.kvb = gr_estimate_elem_bytes(r->kv_prec);
	x.eff_gemm = ep.efficiency[kg];
	x.eff_attn = ep.efficiency[ka];
	x.eff_mem = ep.mem_eff_dram;
	x.fill_half = ep.fill_half_flops * (ep.fill_per_unit ? (double)gr_hw_units(hw, mode) : 1);
	x.pass_overhead_s = (ep.dispatch_us + c->layers * s->launch_gaps_per_layer * ep.kernel_launch_us) * 1e-6;
	x.kv_heads_dev = ceil((double)c->kv_heads / x.tp);
	if (o->tp > 1) {
		x.link_bps = o->link_gbps > 0 ? o->link_gbps * 1e9 : link_of(hw, &r->link_name);
		if (o->link_gbps > 0)
			r->link_name = "--link";
		if (x.link_bps <= 0)
			return gr_error_set(err, GR_ERR_UNSUPPORTED,
					    "'%s' gives no peer or host link bandwidth in the registry: cannot run --tp %lld "
					    "(give --link GBPS)", id, (long long)o->tp);
		if ((double)c->kv_heads < x.tp)
			note_add(r, "fewer KV heads than devices: each device holds a replica of one KV head");
	}
	r->weight_elem_bytes = x.wb, r->kv_elem_bytes = x.kvb, r->act_elem_bytes = x.ab;
	r->peak_ops = x.peak, r->peak_ops_16 = x.peak16, r->dram_bw = x.bw;
	r->eff_gemm = x.eff_gemm, r->eff_attn = x.eff_attn, r->eff_mem = x.eff_mem;
	r->launch_us = ep.kernel_launch_us, r->dispatch_us = ep.dispatch_us, r->link_bytes_s = x.link_bps;

	/* memory: weights split over the devices; KV cache per sequence at input + output tokens */
	r->params = gr_llm_params(c);
	r->active_params = gr_llm_active_params(c);
	{
		double emb = (double)c->vocab * c->hidden * (c->tied_embeddings ? 1 : 2);
		r->weight_bytes = (r->params - emb) * x.wb + emb * x.eb;
	}
	r->weight_bytes_per_device = r->weight_bytes / x.tp;
	r->kv_bytes_per_token = 2.0 * c->layers * c->kv_heads * c->head_dim * x.kvb;
	kv_seq_dev = seq * 2.0 * c->layers * x.kv_heads_dev * c->head_dim * x.kvb;
	ffn = c->layers > c->moe_layers ? (double)c->intermediate : 0;
	if (c->moe_layers)
		ffn = fmax(ffn, (double)c->experts_per_tok * c->moe_intermediate + c->shared_intermediate);
	r->workspace_bytes = (double)s->max_num_tokens *
			     (4.0 * c->hidden + (double)c->heads * c->head_dim + c->mlp_matrices * ffn) * 2 / x.tp;
	logits_seq = (double)c->vocab * 4 / x.tp;
	budget = (r->memory_bytes - r->weight_bytes_per_device - r->workspace_bytes) * s->kv_memory_fraction;
	r->max_batch = budget > 0 ? (int64_t)floor(budget / (kv_seq_dev + logits_seq)) : 0;
	if (r->max_batch < 1)
		return gr_error_set(err, GR_ERR_UNSUPPORTED,
				    "'%s' does not fit on %s%s even at batch 1: %.2f GB of weights per device + %.2f GB "
				    "workspace + %.3f GB KV cache for %lld tokens, in %.2f GB (%.0f%% of what remains "
				    "after weights goes to the KV cache)", c->name, o->tp > 1 ? "each device of " : "", id,
				    r->weight_bytes_per_device / 1e9, r->workspace_bytes / 1e9, kv_seq_dev / 1e9,
				    (long long)(o->input_len + o->output_len), r->memory_bytes / 1e9,
				    100 * s->kv_memory_fraction);
	r->batch = o->batch > 0 ? o->batch : r->max_batch;
	if (o->batch <= 0 && r->batch > s->max_num_seqs) {
		r->batch = s->max_num_seqs;
		r->batch_capped = 1;
	}
	if (r->batch > r->max_batch)
		return gr_error_set(err, GR_ERR_UNSUPPORTED,
				    "batch %lld of '%s' does not fit on %s: the KV cache for %lld tokens takes %.3f GB per "
				    "sequence per device; at most %lld sequences fit (--batch max)", (long long)r->batch,
				    c->name, id, (long long)(o->input_len + o->output_len), kv_seq_dev / 1e9,
				    (long long)r->max_batch);
	r->kv_cache_bytes = (double)r->batch * seq * r->kv_bytes_per_token;
	r->memory_used_bytes = r->weight_bytes_per_device + r->workspace_bytes +
			       (double)r->batch * (kv_seq_dev + logits_seq);
	if (c->max_position && o->input_len + o->output_len > c->max_position) {
		snprintf(buf, sizeof(buf), "input + output (%lld) exceeds the model's max_position_embeddings (%lld)",
			 (long long)(o->input_len + o->output_len), (long long)c->max_position);
		note_add(r, buf);
	}

	/* prefill: every prompt of the batch, chunked; the first output token comes out of it */
	{
		pass ps;
		double B = (double)r->batch;
		r->ttft_single_s = prefill_s(&x, 1, in, &ps);
		r->ttft_s = prefill_s(&x, B, in, &ps);
		r->prefill_compute_s = ps.compute_s, r->prefill_memory_s = ps.memory_s, r->prefill_comm_s = ps.comm_s;
		r->prefill_bound = ps.comm_s > fmax(ps.compute_s, ps.memory_s) ? "communication"
				   : ps.compute_s >= ps.memory_s ? "compute" : "memory";
	}
	/* decode: out - 1 steps of the batch, each attending over a context one longer; averaged over
	 * up to 64 evenly spaced steps (time is linear in the context inside each kernel's side) */
	{
		double steps = out - 1, n = steps < 1 ? 1 : fmin(steps, 64), sum = 0, B = (double)r->batch;
		for (double i = 0; i < n; i++) {
			double ctxe = steps < 1 ? in + 1 : in + 1 + (i + 0.5) * steps / n;
			forward(&x, B, 1, ctxe, 0, &p);
			sum += pass_total(&p);
		}
		r->tpot_s = sum / n;
		forward(&x, B, 1, in + 1 + steps / 2, 0, &mid);
		r->step_compute_s = mid.compute_s, r->step_memory_s = mid.memory_s;
		r->step_gemm_s = mid.gemm_s, r->step_attn_s = mid.attn_s, r->step_other_s = mid.other_s;
		r->step_comm_s = mid.comm_s, r->step_overhead_s = mid.overhead_s;
		r->experts_touched = mid.experts_touched;
		r->decode_bound = mid.comm_s > fmax(r->step_compute_s, r->step_memory_s) ? "communication"
				  : r->step_compute_s >= r->step_memory_s ? "compute" : "memory";
		r->request_latency_s = r->ttft_s + steps * r->tpot_s;
		r->output_tokens_per_s = B * out / r->request_latency_s;
		r->decode_tokens_per_s = B / r->tpot_s;
	}
	return GR_OK;
}
