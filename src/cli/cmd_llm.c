/* graphs llm: serving estimate of a decoder LLM (built-in config or a Hugging Face config.json)
 * on one platform, or N of them under tensor parallelism (src/analysis/llm.c, docs/llm.md). */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "analysis/llm.h"
#include "cli/cli.h"
#include "cli/hwctx.h"

static const char llm_usage[] =
	"usage: graphs llm MODEL --hw ID[:MODE] --input-len N --output-len N [--precision P]\n"
	"                  [--batch N|max] [--tp N] [--kv-precision P] [--link GBPS]\n"
	"                  [--format table|json|csv]\n\n"
	"Estimates serving a decoder-only LLM: time to first token (prefill of the batch's prompts),\n"
	"time per output token, output tokens/s of the whole batch, KV-cache and weight bytes, and the\n"
	"largest batch that fits in device memory. A roofline per layer from the registry's peak\n"
	"compute, memory bandwidth, class efficiencies and peer link (docs/llm.md lists what is modeled).\n\n";
static const char llm_help[] =
	"  MODEL            a built-in config (%s)\n"
	"                   or the path of a Hugging Face config.json\n"
	"  --hw ID[:MODE]   a platform from 'graphs hw list'\n"
	"  --input-len N    prompt tokens per request\n"
	"  --output-len N   generated tokens per request (the first comes from the prefill)\n"
	"  --precision P    fp16, bf16, fp8, int8 (weights and activations), int4 (weights only, fp16\n"
	"                   activations), fp4, fp32 (default: the platform's preferred precision)\n"
	"  --batch N|max    concurrent requests (default 1); max: the largest batch whose weights, KV\n"
	"                   cache for input + output tokens and workspace fit, up to the scheduler's\n"
	"                   max_num_seqs (continuous batching at maximum load)\n"
	"  --tp N           tensor parallelism over N devices: weights and KV cache split, two\n"
	"                   all-reduces per layer over the registry's peer link (default 1)\n"
	"  --kv-precision P KV-cache precision (default: the activation precision)\n"
	"  --link GBPS      the link between devices in GB/s per direction, instead of the registry's\n"
	"  --format F       table (default), json or csv\n\n"
	"Serving assumptions (KV share of free memory, tokens per forward pass, largest batch,\n"
	"all-reduce efficiency)\n"
	"are read from %s/serving.json.\n"
	"Exit codes: 0 ok, 1 usage error (unknown option or platform), 2 bad model file, or a model\n"
	"that does not fit / a platform without the figures it needs.\n";

static int parse_prec(const char *s, int *out)
{
	int p = gr_precision_parse(s);
	if (p < 0 || p == GR_PREC_FP64 || p == GR_PREC_INT16)
		return cli_usage("llm", "unknown precision '%s' (use fp16, bf16, fp8, int8, int4, fp4 or fp32)", s);
	*out = p;
	return 0;
}

static void json_out(FILE *f, const char *model, const char *spec, const gr_llm_config *c,
		     const gr_llm_opts *o, const gr_llm_result *r, int batch_max)
{
	cJSON *j = cJSON_CreateObject(), *a, *d;
	cJSON_AddStringToObject(j, "model", model);
	cJSON_AddStringToObject(j, "hardware", spec);
	cJSON_AddStringToObject(j, "precision", gr_precision_name(o->precision));
	cJSON_AddStringToObject(j, "weight_precision", gr_precision_name(r->weight_prec));
	cJSON_AddStringToObject(j, "compute_precision", gr_precision_name(r->compute_prec));
	cJSON_AddStringToObject(j, "kv_precision", gr_precision_name(r->kv_prec));
	cJSON_AddNumberToObject(j, "input_len", (double)o->input_len);
	cJSON_AddNumberToObject(j, "output_len", (double)o->output_len);
	cJSON_AddNumberToObject(j, "batch", (double)r->batch);
	cJSON_AddBoolToObject(j, "batch_is_max", batch_max);
	cJSON_AddBoolToObject(j, "batch_capped", r->batch_capped);
	cJSON_AddNumberToObject(j, "tp", (double)o->tp);
	cJSON_AddNumberToObject(j, "ttft_ms", r->ttft_s * 1e3);
	cJSON_AddNumberToObject(j, "ttft_single_ms", r->ttft_single_s * 1e3);
	cJSON_AddNumberToObject(j, "tpot_ms", r->tpot_s * 1e3);
	cJSON_AddNumberToObject(j, "output_tokens_per_s", r->output_tokens_per_s);
	cJSON_AddNumberToObject(j, "decode_tokens_per_s", r->decode_tokens_per_s);
	cJSON_AddNumberToObject(j, "request_latency_ms", r->request_latency_s * 1e3);
	cli_json_count(j, "kv_cache_bytes", r->kv_cache_bytes);
	cli_json_count(j, "kv_cache_bytes_per_token", r->kv_bytes_per_token);
	cli_json_count(j, "weight_bytes", r->weight_bytes);
	cli_json_count(j, "weight_bytes_per_device", r->weight_bytes_per_device);
	cJSON_AddNumberToObject(j, "max_batch", (double)r->max_batch);
	cli_json_count(j, "memory_bytes_per_device", r->memory_bytes);
	cli_json_count(j, "memory_used_bytes_per_device", r->memory_used_bytes);
	cli_json_count(j, "params", r->params);
	cli_json_count(j, "active_params", r->active_params);
	if (c->experts)
		cJSON_AddNumberToObject(j, "experts_touched_per_layer", r->experts_touched);
	cJSON_AddStringToObject(j, "prefill_bound", r->prefill_bound);
	cJSON_AddStringToObject(j, "decode_bound", r->decode_bound);
	cJSON_AddItemToObject(j, "decode_step_ms", d = cJSON_CreateObject());
	cJSON_AddNumberToObject(d, "gemm", r->step_gemm_s * 1e3);
	cJSON_AddNumberToObject(d, "attention", r->step_attn_s * 1e3);
	cJSON_AddNumberToObject(d, "other", r->step_other_s * 1e3);
	cJSON_AddNumberToObject(d, "allreduce", r->step_comm_s * 1e3);
	cJSON_AddNumberToObject(d, "launch", r->step_overhead_s * 1e3);
	cJSON_AddNumberToObject(d, "compute_side", r->step_compute_s * 1e3);
	cJSON_AddNumberToObject(d, "memory_side", r->step_memory_s * 1e3);
	cJSON_AddItemToObject(j, "assumptions", a = cJSON_CreateObject());
	cJSON_AddNumberToObject(a, "peak_tops", r->peak_ops / 1e12);
	cJSON_AddNumberToObject(a, "peak_tops_attention", r->peak_ops_16 / 1e12);
	cJSON_AddNumberToObject(a, "dram_bandwidth_gbps", r->dram_bw / 1e9);
	cJSON_AddNumberToObject(a, "gemm_efficiency", r->eff_gemm);
	cJSON_AddNumberToObject(a, "attention_efficiency", r->eff_attn);
	cJSON_AddNumberToObject(a, "memory_efficiency", r->eff_mem);
	cJSON_AddNumberToObject(a, "kernel_launch_us", r->launch_us);
	cJSON_AddNumberToObject(a, "dispatch_us", r->dispatch_us);
	if (o->tp > 1) {
		cJSON_AddNumberToObject(a, "link_gbps", r->link_bytes_s / 1e9);
		cJSON_AddStringToObject(a, "link", r->link_name ? r->link_name : "?");
	}
	cJSON_AddStringToObject(j, "confidence", "theoretical");
	if (r->note[0])
		cJSON_AddStringToObject(j, "note", r->note);
	cli_json_write(f, j);
}

static void table_out(FILE *f, const char *model, const char *spec, const gr_llm_config *c,
		      const gr_llm_opts *o, const gr_llm_result *r, int batch_max)
{
	fprintf(f, "%s on %s", model, spec);
	if (o->tp > 1)
		fprintf(f, " x %lld (tensor parallel)", (long long)o->tp);
	fprintf(f, ": weights %s, compute %s, KV cache %s\n", gr_precision_name(r->weight_prec),
		gr_precision_name(r->compute_prec), gr_precision_name(r->kv_prec));
	fprintf(f, "params %.3g B (%.3g B active per token), %lld layers, %lld/%lld heads x %lld%s\n",
		r->params / 1e9, r->active_params / 1e9, (long long)c->layers, (long long)c->heads,
		(long long)c->kv_heads, (long long)c->head_dim, c->experts ? ", mixture of experts" : "");
	fprintf(f, "input %lld, output %lld tokens per request; batch %lld%s\n\n", (long long)o->input_len,
		(long long)o->output_len, (long long)r->batch,
		r->batch_capped ? " (max: the scheduler's max_num_seqs; more would fit)"
		: batch_max	? " (max: the largest that fits)" : "");
	fprintf(f, "  ttft_ms              %12.2f  prefill of the batch's prompts, %s-bound\n", r->ttft_s * 1e3,
		r->prefill_bound);
	if (r->batch > 1)
		fprintf(f, "  ttft_single_ms       %12.2f  one prompt prefilled alone\n", r->ttft_single_s * 1e3);
	fprintf(f, "  tpot_ms              %12.3f  one decode step of the batch, %s-bound\n", r->tpot_s * 1e3,
		r->decode_bound);
	fprintf(f, "  output_tokens_per_s  %12.1f  whole batch, prefill included\n", r->output_tokens_per_s);
	fprintf(f, "  decode_tokens_per_s  %12.1f  whole batch, decode steps only\n", r->decode_tokens_per_s);
	fprintf(f, "  weight_bytes         %12.4g  %.2f GB per device\n", r->weight_bytes,
		r->weight_bytes_per_device / 1e9);
	fprintf(f, "  kv_cache_bytes       %12.4g  batch x (input + output) x %.0f bytes per token\n",
		r->kv_cache_bytes, r->kv_bytes_per_token);
	fprintf(f, "  max_batch            %12lld  per %.1f GB device\n", (long long)r->max_batch,
		r->memory_bytes / 1e9);
	fprintf(f, "  memory_used_gb       %12.2f  per device (weights, workspace, KV cache, logits)\n",
		r->memory_used_bytes / 1e9);
	if (c->experts)
		fprintf(f, "  experts_touched      %12.1f  of %lld per MoE layer and decode step (union over the batch)\n",
			r->experts_touched, (long long)c->experts);
	fprintf(f, "\ndecode step (mean context): gemm %.3f ms, attention %.3f ms, other %.3f ms, all-reduce %.3f ms, "
		   "launch %.3f ms\n", r->step_gemm_s * 1e3, r->step_attn_s * 1e3, r->step_other_s * 1e3,
		r->step_comm_s * 1e3, r->step_overhead_s * 1e3);
	fprintf(f, "from the registry: %.4g TOPS %s x %.2f (gemm), attention %.4g TOPS x %.2f, %.4g GB/s x %.2f, "
		   "launch %.3g us, dispatch %.3g us", r->peak_ops / 1e12, gr_precision_name(r->compute_prec),
		r->eff_gemm, r->peak_ops_16 / 1e12, r->eff_attn, r->dram_bw / 1e9, r->eff_mem, r->launch_us,
		r->dispatch_us);
	if (o->tp > 1)
		fprintf(f, ", %s link %.4g GB/s", r->link_name ? r->link_name : "?", r->link_bytes_s / 1e9);
	fputs("\nconfidence: theoretical (datasheet peaks and class efficiencies)\n", f);
	if (r->note[0])
		fprintf(f, "note: %s\n", r->note);
}

static void csv_out(FILE *f, const char *model, const char *spec, const gr_llm_opts *o, const gr_llm_result *r)
{
	fputs("model,hardware,precision,kv_precision,input_len,output_len,batch,tp,ttft_ms,tpot_ms,"
	      "output_tokens_per_s,kv_cache_bytes,weight_bytes,max_batch\n", f);
	fprintf(f, "%s,%s,%s,%s,%lld,%lld,%lld,%lld,%.6g,%.6g,%.6g,%.0f,%.0f,%lld\n", model, spec,
		gr_precision_name(o->precision), gr_precision_name(r->kv_prec), (long long)o->input_len,
		(long long)o->output_len, (long long)r->batch, (long long)o->tp, r->ttft_s * 1e3, r->tpot_s * 1e3,
		r->output_tokens_per_s, r->kv_cache_bytes, r->weight_bytes, (long long)r->max_batch);
}

int cmd_llm(int argc, char **argv)
{
	enum { O_IN = 1000, O_OUT, O_TP, O_KV, O_LINK };
	static const struct option opts[] = {
		{"hw", required_argument, 0, 'w'}, {"precision", required_argument, 0, 'p'},
		{"batch", required_argument, 0, 'b'}, {"input-len", required_argument, 0, O_IN},
		{"output-len", required_argument, 0, O_OUT}, {"tp", required_argument, 0, O_TP},
		{"kv-precision", required_argument, 0, O_KV}, {"link", required_argument, 0, O_LINK},
		{"format", required_argument, 0, 'f'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *hw_spec = NULL, *model = NULL;
	int c, fmt = GR_FMT_TABLE, prec = -1, batch_max = 0;
	gr_llm_opts o = {.kv_precision = -1, .batch = 1, .tp = 1};
	gr_llm_config cfg;
	gr_llm_serving serving;
	gr_llm_result r;
	gr_hw_registry *reg = NULL;
	const gr_hw *hw;
	gr_error err = {0};
	char path[1100];
	int mode, rc;
	FILE *out;

	optind = 1;
	while ((c = getopt_long(argc, argv, "w:p:b:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': {
			char names[1024];
			gr_llm_builtin_names(names, sizeof(names));
			fputs(llm_usage, stdout);
			printf(llm_help, names[0] ? names : "none found", gr_llm_data_dir());
			return EXIT_OK;
		}
		case 'w': hw_spec = optarg; break;
		case 'p':
			if (parse_prec(optarg, &prec))
				return EXIT_USAGE;
			break;
		case O_KV:
			if (parse_prec(optarg, &o.kv_precision))
				return EXIT_USAGE;
			break;
		case 'b':
			if (!strcmp(optarg, "max"))
				batch_max = 1, o.batch = 0;
			else if (!cli_parse_i64(optarg, &o.batch) || o.batch > (1 << 24))
				return cli_usage("llm", "--batch expects a positive integer or max, not '%s'", optarg);
			break;
		case O_IN:
			if (!cli_parse_i64(optarg, &o.input_len) || o.input_len > (1 << 24))
				return cli_usage("llm", "--input-len expects a positive integer, not '%s'", optarg);
			break;
		case O_OUT:
			if (!cli_parse_i64(optarg, &o.output_len) || o.output_len > (1 << 24))
				return cli_usage("llm", "--output-len expects a positive integer, not '%s'", optarg);
			break;
		case O_TP:
			if (!cli_parse_i64(optarg, &o.tp) || o.tp > 1024)
				return cli_usage("llm", "--tp expects a positive integer, not '%s'", optarg);
			break;
		case O_LINK: {
			char *end;
			o.link_gbps = strtod(optarg, &end);
			if (end == optarg || *end || !(o.link_gbps > 0 && o.link_gbps < 1e6))
				return cli_usage("llm", "--link expects GB/s (a positive number), not '%s'", optarg);
			break;
		}
		case 'f':
			if ((fmt = cli_parse_format("llm", optarg)) < 0)
				return EXIT_USAGE;
			if (fmt == GR_FMT_MARKDOWN)
				return cli_usage("llm", "format markdown is not offered (use table, json or csv)");
			break;
		default:
			return cli_usage("llm", "bad option");
		}
	}
	if (optind != argc - 1)
		return cli_usage("llm", optind >= argc ? "MODEL is required" : "one MODEL only");
	model = argv[optind];
	if (!hw_spec)
		return cli_usage("llm", "--hw ID is required");
	if (!o.input_len || !o.output_len)
		return cli_usage("llm", "--input-len and --output-len are required");
	if (gr_llm_config_find(model, &cfg, &err))
		return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	snprintf(path, sizeof(path), "%s/serving.json", gr_llm_data_dir());
	if (gr_llm_serving_load(path, &serving, &err))
		return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	if (!(reg = cli_registry_load()))
		return EXIT_BAD_INPUT;
	if ((rc = cli_resolve_hw(reg, hw_spec, &hw, &mode)))
		goto done;
	if (prec < 0 && (prec = gr_hw_preferred_precision(hw)) < 0)
		prec = GR_PREC_FP16;
	o.precision = (gr_precision)prec;
	if (gr_llm_estimate(&cfg, hw, mode, &o, &serving, &r, &err)) {
		rc = cli_fail(err.status == GR_ERR_USAGE ? EXIT_USAGE : EXIT_BAD_INPUT, "%s", err.msg);
		goto done;
	}
	out = cli_out_begin();
	if (fmt == GR_FMT_JSON)
		json_out(out, cfg.name, hw_spec, &cfg, &o, &r, batch_max);
	else if (fmt == GR_FMT_CSV)
		csv_out(out, cfg.name, hw_spec, &o, &r);
	else
		table_out(out, cfg.name, hw_spec, &cfg, &o, &r, batch_max);
	cli_out_end(out, 1);
	rc = EXIT_OK;
done:
	gr_hw_registry_free(reg);
	return rc;
}
