/* graphs llm's library part (src/analysis/llm*.c): config parsing of hostile files, and the
 * shape of the physics: decode time grows with batch and context, throughput with batch,
 * tensor parallelism splits memory, refusals carry the figures. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analysis/llm.h"

#define DATA GRAPHS_SOURCE_DIR "/data/llm"

static gr_hw_registry *reg;
static gr_llm_serving serving;

static int setup(void **state)
{
	gr_error err = {0};
	(void)state;
	setenv("GRAPHS_LLM_DIR", DATA, 1);
	if (gr_hw_registry_load(GRAPHS_SOURCE_DIR "/hardware", &reg, &err))
		return -1;
	return gr_llm_serving_load(DATA "/serving.json", &serving, &err) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	gr_hw_registry_free(reg);
	return 0;
}

/* Writes text to a temporary file and loads it as a config; returns the status. */
static gr_status load_text(const char *text, gr_llm_config *c, gr_error *err)
{
	char path[] = "/tmp/graphs_llm_XXXXXX";
	int fd = mkstemp(path);
	gr_status st;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	st = gr_llm_config_load(path, c, err);
	unlink(path);
	return st;
}

static void hostile_configs_are_refused_with_the_key(void **state)
{
	static const struct {
		const char *text, *key;
	} cases[] = {
		{"[]", "JSON object"},
		{"{\"hidden_size\": -1}", "hidden_size"},
		{"{\"hidden_size\": 1e300, \"num_hidden_layers\": 2}", "hidden_size"},
		{"{\"hidden_size\": 64.5}", "hidden_size"},
		{"{\"hidden_size\": 64, \"num_hidden_layers\": 0}", "num_hidden_layers"},
		{"{\"hidden_size\": 64, \"num_hidden_layers\": 2, \"num_attention_heads\": 5, \"vocab_size\": 10, "
		 "\"intermediate_size\": 8}", "num_attention_heads"},
		{"{\"hidden_size\": 64, \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"vocab_size\": 10}",
		 "intermediate_size"},
		{"{\"hidden_size\": 64, \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"vocab_size\": 10, "
		 "\"num_experts\": 8, \"intermediate_size\": 8}", "num_experts_per_tok"},
		{"{\"hidden_size\": 64, \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"vocab_size\": 10, "
		 "\"num_experts\": 8, \"num_experts_per_tok\": 9, \"intermediate_size\": 8}", "num_experts_per_tok"},
		{"{\"hidden_size\": 64, \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"vocab_size\": 10, "
		 "\"intermediate_size\": 8, \"tie_word_embeddings\": 1}", "tie_word_embeddings"},
		{"{\"hidden_size\": 64, \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"vocab_size\": 10, "
		 "\"num_experts\": 4, \"num_experts_per_tok\": 2, \"moe_intermediate_size\": 8, "
		 "\"mlp_only_layers\": 3}", "mlp_only_layers"},
		{"{\"hidden_size\": 64,", "JSON"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gr_llm_config c;
		gr_error err = {0};
		assert_int_not_equal(load_text(cases[i].text, &c, &err), GR_OK);
		if (!strstr(err.msg, cases[i].key) || !strstr(err.msg, "/tmp/graphs_llm_"))
			fail_msg("case %zu: '%s' does not name '%s' and the file", i, err.msg, cases[i].key);
	}
}

static void mixtral_style_config_counts_experts(void **state)
{
	/* Mixtral spells the experts num_local_experts and their width intermediate_size */
	const char *text = "{\"model_type\": \"mixtral\", \"hidden_size\": 4096, \"num_hidden_layers\": 32, "
			   "\"num_attention_heads\": 32, \"num_key_value_heads\": 8, \"intermediate_size\": 14336, "
			   "\"num_local_experts\": 8, \"num_experts_per_tok\": 2, \"vocab_size\": 32000}";
	gr_llm_config c;
	gr_error err = {0};
	(void)state;
	assert_int_equal(load_text(text, &c, &err), GR_OK);
	assert_int_equal(c.experts, 8);
	assert_int_equal(c.moe_layers, 32);
	/* Mixtral-8x7B: 46.7 B parameters, 12.9 B active (model card) */
	assert_true(fabs(gr_llm_params(&c) - 46.7e9) < 0.1e9);
	assert_true(fabs(gr_llm_active_params(&c) - 12.9e9) < 0.1e9);
}

static gr_llm_result est(const char *model, const char *hw_id, gr_precision p, int64_t in, int64_t out,
			 int64_t batch, int64_t tp)
{
	gr_llm_config c;
	gr_error err = {0};
	gr_llm_result r;
	gr_llm_opts o = {.precision = p, .kv_precision = -1, .input_len = in, .output_len = out, .batch = batch,
			 .tp = tp};
	const gr_hw *hw = gr_hw_registry_find(reg, hw_id);
	assert_non_null(hw);
	assert_int_equal(gr_llm_config_find(model, &c, &err), GR_OK);
	if (gr_llm_estimate(&c, hw, -1, &o, &serving, &r, &err))
		fail_msg("%s", err.msg);
	return r;
}

static void decode_grows_with_batch_and_context(void **state)
{
	double prev_tpot = 0, prev_tps = 0;
	(void)state;
	for (int64_t b = 1; b <= 256; b *= 4) {
		gr_llm_result r = est("llama-3.1-8b", "nvidia_a100_sxm4_80gb", GR_PREC_FP16, 512, 128, b, 1);
		assert_true(r.tpot_s > prev_tpot);
		assert_true(r.output_tokens_per_s > prev_tps);
		prev_tpot = r.tpot_s, prev_tps = r.output_tokens_per_s;
	}
	{
		gr_llm_result a = est("llama-3.1-8b", "nvidia_a100_sxm4_80gb", GR_PREC_FP16, 512, 128, 32, 1);
		gr_llm_result b = est("llama-3.1-8b", "nvidia_a100_sxm4_80gb", GR_PREC_FP16, 8192, 128, 32, 1);
		assert_true(b.tpot_s > a.tpot_s * 1.5); /* KV read dominates at long context */
		assert_true(b.ttft_s > a.ttft_s * 16);  /* prompt FLOPs, and attention's quadratic term */
	}
}

static void tensor_parallel_splits_memory_and_adds_allreduce(void **state)
{
	gr_llm_result a = est("llama-3.3-70b", "nvidia_h100_sxm5", GR_PREC_FP8, 128, 128, 8, 1);
	gr_llm_result b = est("llama-3.3-70b", "nvidia_h100_sxm5", GR_PREC_FP8, 128, 128, 8, 4);
	(void)state;
	assert_true(fabs(b.weight_bytes_per_device - a.weight_bytes / 4) < 1);
	assert_true(b.step_comm_s > 0 && a.step_comm_s == 0);
	assert_true(b.tpot_s < a.tpot_s && b.tpot_s > a.tpot_s / 4);
	assert_string_equal(b.link_name, "peer");
}

static void refusals_name_the_figures(void **state)
{
	gr_llm_config c;
	gr_error err = {0};
	gr_llm_result r;
	gr_llm_opts o = {.precision = GR_PREC_FP16, .kv_precision = -1, .input_len = 128, .output_len = 128,
			 .batch = 1, .tp = 1};
	(void)state;
	assert_int_equal(gr_llm_config_find("llama-3.3-70b", &c, &err), GR_OK);
	assert_int_equal(gr_llm_estimate(&c, gr_hw_registry_find(reg, "nvidia_l4"), -1, &o, &serving, &r, &err),
			 GR_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "does not fit"));
	assert_non_null(strstr(err.msg, "nvidia_l4"));
	o.tp = 3;
	assert_int_equal(gr_llm_estimate(&c, gr_hw_registry_find(reg, "nvidia_h100_sxm5"), -1, &o, &serving, &r, &err),
			 GR_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "divide"));
	assert_int_equal(gr_llm_config_find("no-such-model", &c, &err), GR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "llama-3.1-8b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hostile_configs_are_refused_with_the_key),
		cmocka_unit_test(mixtral_style_config_counts_experts),
		cmocka_unit_test(decode_grows_with_batch_and_context),
		cmocka_unit_test(tensor_parallel_splits_memory_and_adds_allreduce),
		cmocka_unit_test(refusals_name_the_figures),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
