/* LLM serving estimate (graphs llm): a decoder-only transformer described by a Hugging Face
 * config.json, on one platform of the registry (or N of them under tensor parallelism):
 * prefill time, time per output token, throughput, KV-cache and weight bytes, largest batch.
 * The model is an analytic roofline per layer (docs/llm.md says which effects it covers). */
#ifndef GRAPHS_ANALYSIS_LLM_H
#define GRAPHS_ANALYSIS_LLM_H

#include <stdint.h>

#include "graphs/common.h"
#include "graphs/hw.h"

/* A decoder's shape: the config.json fields the estimate needs. */
typedef struct gr_llm_config {
	char name[128];
	char path[512];             /* the file it came from */
	int64_t hidden, layers, heads, kv_heads, head_dim, intermediate, vocab;
	int tied_embeddings;
	int mlp_matrices;           /* 3: gated (SwiGLU), 2: up + down */
	/* mixture of experts: experts 0 for a dense model */
	int64_t experts, experts_per_tok, moe_intermediate, shared_intermediate;
	int64_t moe_layers;         /* layers whose MLP is the experts (the rest dense) */
	int64_t max_position;       /* 0 when not given */
} gr_llm_config;

/* Parses a Hugging Face config.json (text_config of a multimodal one is not followed). A missing
 * or mistyped key is GR_ERR_FORMAT naming the file and the key. */
gr_status gr_llm_config_load(const char *path, gr_llm_config *out, gr_error *err);
/* The folder of built-in configs and serving assumptions: $GRAPHS_LLM_DIR, else
 * data/llm of the data folder (gr_data_dir()). Static string or the environment's. */
const char *gr_llm_data_dir(void);
/* Loads a built-in name ("llama-3.1-8b") or, when spec names an existing file, that file. */
gr_status gr_llm_config_find(const char *spec, gr_llm_config *out, gr_error *err);
/* Comma-separated built-in names into buf (for messages and --help). */
void gr_llm_builtin_names(char *buf, size_t size);

/* Parameters of the whole model, and those one token uses (MoE: its k experts). */
double gr_llm_params(const gr_llm_config *c);
double gr_llm_active_params(const gr_llm_config *c);

/* Serving runtime assumptions (data/llm/serving.json): software, not hardware, figures. */
typedef struct gr_llm_serving {
	double kv_memory_fraction;   /* share of the memory left after weights and workspace */
	int64_t max_num_tokens;      /* tokens of one forward pass (prefill chunk) */
	int64_t max_num_seqs;        /* the scheduler's largest batch (--batch max stops there) */
	double launch_gaps_per_layer;/* kernel launches per layer not hidden by CUDA graphs etc. */
	double allreduce_efficiency; /* achieved share of the link's bandwidth */
	double allreduce_hop_us;     /* fixed cost of each ring step */
} gr_llm_serving;
gr_status gr_llm_serving_load(const char *path, gr_llm_serving *out, gr_error *err);

typedef struct gr_llm_opts {
	gr_precision precision;      /* fp32 fp16 bf16 fp8 int8 int4 fp4 */
	int kv_precision;            /* gr_precision, -1: the activation precision */
	int64_t input_len, output_len;
	int64_t batch;               /* 0: the largest that fits */
	int64_t tp;                  /* devices (tensor parallel), >= 1 */
	double link_gbps;            /* > 0: overrides the registry's peer link (GB/s per direction) */
} gr_llm_opts;

typedef struct gr_llm_result {
	/* precisions actually used */
	gr_precision weight_prec, compute_prec, kv_prec;
	double weight_elem_bytes, kv_elem_bytes, act_elem_bytes;
	int64_t batch, max_batch;       /* max_batch: what memory allows */
	int batch_capped;               /* --batch max stopped at the scheduler's max_num_seqs */
	double ttft_s, tpot_s, output_tokens_per_s, decode_tokens_per_s, request_latency_s;
	double ttft_single_s;           /* one prompt prefilled alone (an idle server's TTFT) */
	double weight_bytes, weight_bytes_per_device;
	double kv_bytes_per_token, kv_cache_bytes;   /* whole model, all devices; batch at in+out */
	double workspace_bytes, memory_bytes, memory_used_bytes; /* per device */
	double params, active_params;
	/* decode step at the mean context, split (seconds, per step) */
	double step_gemm_s, step_attn_s, step_comm_s, step_overhead_s, step_other_s;
	double step_compute_s, step_memory_s; /* the two roofline sides summed over kernels */
	double prefill_compute_s, prefill_memory_s, prefill_comm_s;
	double experts_touched;      /* per MoE layer and decode step (0 for dense) */
	/* inputs taken from the registry */
	double peak_ops, peak_ops_16, dram_bw, eff_gemm, eff_attn, eff_mem;
	double launch_us, dispatch_us, link_bytes_s;
	const char *link_name;       /* borrowed; NULL when tp is 1 */
	const char *decode_bound, *prefill_bound; /* "compute", "memory", "communication" */
	char note[512];
} gr_llm_result;

/* Runs the estimate. Bad combinations (the model does not fit, no memory figure, heads not
 * divisible by tp, no link for tp > 1, a precision the platform cannot run) are GR_ERR_UNSUPPORTED
 * or GR_ERR_USAGE with a message naming the platform and the figures. */
gr_status gr_llm_estimate(const gr_llm_config *c, const gr_hw *hw, int mode, const gr_llm_opts *o,
			  const gr_llm_serving *s, gr_llm_result *out, gr_error *err);

#endif
