/* Decoder configs for graphs llm: Hugging Face config.json files (the built-in ones under
 * data/llm/, or a user's), the serving assumptions file, and parameter counts. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "analysis/llm.h"
#include "graphs/version.h"

#define MAX_CONFIG_BYTES (16 << 20)

const char *gr_llm_data_dir(void)
{
	static char dir[4200];
	const char *e = getenv("GRAPHS_LLM_DIR");

	if (e && *e)
		return e;
	snprintf(dir, sizeof(dir), "%s/data/llm", gr_data_dir());
	return dir;
}

/* The whole file as a NUL-terminated string (caller frees), or NULL after setting err. */
static char *slurp(const char *path, gr_error *err)
{
	struct stat st;
	FILE *f;
	char *buf = NULL;
	long n;
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		gr_error_set(err, GR_ERR_IO, "cannot read '%s': not a regular file", path);
		return NULL;
	}
	if (!(f = fopen(path, "rb"))) {
		gr_error_set(err, GR_ERR_IO, "cannot read '%s': no such file or not readable", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		gr_error_set(err, GR_ERR_IO, "cannot read '%s': not a regular file", path);
		goto out;
	}
	if (n > MAX_CONFIG_BYTES) {
		gr_error_set(err, GR_ERR_LIMIT, "cannot read '%s': %ld bytes is too large for a config", path, n);
		goto out;
	}
	if (!(buf = malloc((size_t)n + 1))) {
		gr_error_set(err, GR_ERR_NOMEM, "out of memory reading '%s'", path);
		goto out;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		gr_error_set(err, GR_ERR_IO, "cannot read '%s': short read", path);
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[n] = '\0';
out:
	fclose(f);
	return buf;
}

/* Integer key: 1 found (in *v), 0 absent or null, -1 wrong type or out of [lo, hi] (err set). */
static int get_int(const cJSON *o, const char *key, int64_t lo, int64_t hi, int64_t *v,
		   const char *path, gr_error *err)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!x || cJSON_IsNull(x))
		return 0;
	if (!cJSON_IsNumber(x) || x->valuedouble != floor(x->valuedouble) || x->valuedouble < (double)lo ||
	    x->valuedouble > (double)hi) {
		gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': key '%s': expected an integer in [%lld, %lld]",
			     path, key, (long long)lo, (long long)hi);
		return -1;
	}
	*v = (int64_t)x->valuedouble;
	return 1;
}

static int need_int(const cJSON *o, const char *key, int64_t lo, int64_t hi, int64_t *v, const char *path,
		    gr_error *err)
{
	int r = get_int(o, key, lo, hi, v, path, err);
	if (r == 0)
		gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': key '%s' is missing", path, key);
	return r == 1 ? 0 : -1;
}

/* Model types whose MLP is up + down (no gate). */
static int plain_mlp(const char *type)
{
	static const char *const two[] = {"gpt2", "gpt_neox", "gptj", "opt", "falcon", "bloom", "phi",
					  "starcoder2", "gpt_bigcode", NULL};
	for (int i = 0; type && two[i]; i++)
		if (!strcmp(type, two[i]))
			return 1;
	return 0;
}

static void base_name(const char *path, char *buf, size_t size)
{
	const char *b = strrchr(path, '/');
	size_t n;
	snprintf(buf, size, "%s", b ? b + 1 : path);
	n = strlen(buf);
	if (n > 5 && !strcmp(buf + n - 5, ".json"))
		buf[n - 5] = '\0';
}

static gr_status parse(const cJSON *o, const char *path, gr_llm_config *c, gr_error *err)
{
	const int64_t BIG = 1LL << 40;
	const cJSON *x;
	int64_t sparse_step = 1, first_dense = 0, shared_n = 0;
	int r;

	if (!cJSON_IsObject(o))
		return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': expected a JSON object (a config.json)", path);
	if (need_int(o, "hidden_size", 1, 1 << 20, &c->hidden, path, err) ||
	    need_int(o, "num_hidden_layers", 1, 10000, &c->layers, path, err) ||
	    need_int(o, "num_attention_heads", 1, 1 << 16, &c->heads, path, err) ||
	    need_int(o, "vocab_size", 1, 1 << 27, &c->vocab, path, err))
		return err->status;
	c->kv_heads = c->heads;
	if (get_int(o, "num_key_value_heads", 1, 1 << 16, &c->kv_heads, path, err) < 0)
		return err->status;
	if (c->heads % c->kv_heads)
		return gr_error_set(err, GR_ERR_FORMAT,
				    "cannot read '%s': key 'num_key_value_heads': %lld does not divide "
				    "num_attention_heads %lld", path, (long long)c->kv_heads, (long long)c->heads);
	c->head_dim = 0;
	if (get_int(o, "head_dim", 1, 1 << 16, &c->head_dim, path, err) < 0)
		return err->status;
	if (!c->head_dim) {
		if (c->hidden % c->heads)
			return gr_error_set(err, GR_ERR_FORMAT,
					    "cannot read '%s': key 'num_attention_heads': %lld does not divide "
					    "hidden_size %lld (give head_dim)", path, (long long)c->heads,
					    (long long)c->hidden);
		c->head_dim = c->hidden / c->heads;
	}
	x = cJSON_GetObjectItemCaseSensitive(o, "model_type");
	if (x && !cJSON_IsString(x))
		return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': key 'model_type': expected a string", path);
	c->mlp_matrices = plain_mlp(x ? x->valuestring : NULL) ? 2 : 3;
	x = cJSON_GetObjectItemCaseSensitive(o, "tie_word_embeddings");
	if (x && !cJSON_IsBool(x))
		return gr_error_set(err, GR_ERR_FORMAT,
				    "cannot read '%s': key 'tie_word_embeddings': expected true or false", path);
	c->tied_embeddings = x && cJSON_IsTrue(x);
	if (get_int(o, "max_position_embeddings", 1, BIG, &c->max_position, path, err) < 0)
		return err->status;

	/* experts: Qwen-MoE / OLMoE spell it num_experts, Mixtral num_local_experts, DeepSeek n_routed_experts */
	c->experts = 0;
	if ((r = get_int(o, "num_experts", 0, 1 << 20, &c->experts, path, err)) < 0 ||
	    (!r && (r = get_int(o, "num_local_experts", 0, 1 << 20, &c->experts, path, err)) < 0) ||
	    (!r && get_int(o, "n_routed_experts", 0, 1 << 20, &c->experts, path, err) < 0))
		return err->status;
	c->intermediate = 0;
	if (get_int(o, "intermediate_size", 1, BIG, &c->intermediate, path, err) < 0)
		return err->status;
	if (c->experts > 1) {
		if (need_int(o, "num_experts_per_tok", 1, c->experts, &c->experts_per_tok, path, err))
			return err->status;
		c->moe_intermediate = c->intermediate;
		if (get_int(o, "moe_intermediate_size", 1, BIG, &c->moe_intermediate, path, err) < 0)
			return err->status;
		if (!c->moe_intermediate)
			return gr_error_set(err, GR_ERR_FORMAT,
					    "cannot read '%s': key 'moe_intermediate_size' is missing (nor is "
					    "intermediate_size given)", path);
		if (get_int(o, "shared_expert_intermediate_size", 1, BIG, &c->shared_intermediate, path, err) < 0 ||
		    get_int(o, "n_shared_experts", 0, 1 << 10, &shared_n, path, err) < 0 ||
		    get_int(o, "decoder_sparse_step", 1, 10000, &sparse_step, path, err) < 0 ||
		    get_int(o, "first_k_dense_replace", 0, c->layers, &first_dense, path, err) < 0)
			return err->status;
		if (!c->shared_intermediate && shared_n)
			c->shared_intermediate = shared_n * c->moe_intermediate;
		/* Qwen-MoE: layer i is sparse when (i + 1) % decoder_sparse_step == 0 and not in mlp_only_layers */
		c->moe_layers = 0;
		for (int64_t i = first_dense; i < c->layers; i++) {
			int dense = 0;
			const cJSON *it, *only = cJSON_GetObjectItemCaseSensitive(o, "mlp_only_layers");
			if (only && !cJSON_IsArray(only))
				return gr_error_set(err, GR_ERR_FORMAT,
						    "cannot read '%s': key 'mlp_only_layers': expected an array", path);
			cJSON_ArrayForEach(it, only)
			{
				if (!cJSON_IsNumber(it))
					return gr_error_set(err, GR_ERR_FORMAT,
							    "cannot read '%s': key 'mlp_only_layers': expected integers", path);
				if ((int64_t)it->valuedouble == i)
					dense = 1;
			}
			if (!dense && (i + 1) % sparse_step == 0)
				c->moe_layers++;
		}
		if (c->moe_layers < c->layers && !c->intermediate)
			return gr_error_set(err, GR_ERR_FORMAT,
					    "cannot read '%s': key 'intermediate_size' is missing (the dense layers need it)",
					    path);
	} else {
		c->experts = 0;
		if (!c->intermediate)
			return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': key 'intermediate_size' is missing", path);
	}
	return GR_OK;
}

gr_status gr_llm_config_load(const char *path, gr_llm_config *out, gr_error *err)
{
	char *text;
	cJSON *o;
	gr_status st;
	memset(out, 0, sizeof(*out));
	if (!(text = slurp(path, err)))
		return err->status;
	o = cJSON_Parse(text);
	if (!o) {
		const char *at = cJSON_GetErrorPtr();
		long off = at && at >= text && at <= text + strlen(text) ? (long)(at - text) : -1;
		free(text);
		return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': not valid JSON (at byte %ld)", path, off);
	}
	free(text);
	st = parse(o, path, out, err);
	cJSON_Delete(o);
	if (st)
		return st;
	base_name(path, out->name, sizeof(out->name));
	snprintf(out->path, sizeof(out->path), "%s", path);
	return GR_OK;
}

static int is_builtin_name(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' || *s == '_'))
			return 0;
	return 1;
}

gr_status gr_llm_config_find(const char *spec, gr_llm_config *out, gr_error *err)
{
	struct stat st;
	char path[1024], names[1024];
	if (!spec || !*spec)
		return gr_error_set(err, GR_ERR_USAGE, "no model given");
	if (!stat(spec, &st) || strchr(spec, '/'))
		return gr_llm_config_load(spec, out, err);
	if (is_builtin_name(spec) && strcmp(spec, "serving")) {
		int n = snprintf(path, sizeof(path), "%s/%s.json", gr_llm_data_dir(), spec);
		if (n > 0 && (size_t)n < sizeof(path) && !stat(path, &st))
			return gr_llm_config_load(path, out, err);
	}
	gr_llm_builtin_names(names, sizeof(names));
	return gr_error_set(err, GR_ERR_NOT_FOUND,
			    "unknown model '%s': not a file, nor a built-in config (%s)", spec, names);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void gr_llm_builtin_names(char *buf, size_t size)
{
	DIR *d = opendir(gr_llm_data_dir());
	struct dirent *e;
	char *names[256];
	size_t n = 0, used = 0;
	buf[0] = '\0';
	if (!d)
		return;
	while ((e = readdir(d)) && n < 256) {
		size_t len = strlen(e->d_name);
		if (len > 5 && !strcmp(e->d_name + len - 5, ".json") && strcmp(e->d_name, "serving.json") &&
		    (names[n] = strdup(e->d_name)))
			names[n++][len - 5] = '\0';
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);
		if (w > 0 && (size_t)w < size - used)
			used += (size_t)w;
		free(names[i]);
	}
}

/* Per layer: attention projections (q, k, v, o). */
static double attn_params(const gr_llm_config *c)
{
	double q = (double)c->heads * c->head_dim, kv = (double)c->kv_heads * c->head_dim;
	return (double)c->hidden * (q + 2 * kv) + q * c->hidden;
}

static double embed_params(const gr_llm_config *c)
{
	return (double)c->vocab * c->hidden * (c->tied_embeddings ? 1 : 2);
}

double gr_llm_params(const gr_llm_config *c)
{
	double dense = (double)c->mlp_matrices * c->hidden * c->intermediate;
	double moe = 0;
	if (c->experts) {
		moe = (double)c->experts * c->mlp_matrices * c->hidden * c->moe_intermediate +
		      (double)c->hidden * c->experts +
		      (double)c->mlp_matrices * c->hidden * c->shared_intermediate;
	}
	return c->layers * attn_params(c) + (double)(c->layers - c->moe_layers) * dense + c->moe_layers * moe +
	       embed_params(c);
}

double gr_llm_active_params(const gr_llm_config *c)
{
	double dense = (double)c->mlp_matrices * c->hidden * c->intermediate;
	double moe = 0;
	if (c->experts)
		moe = (double)c->experts_per_tok * c->mlp_matrices * c->hidden * c->moe_intermediate +
		      (double)c->hidden * c->experts + (double)c->mlp_matrices * c->hidden * c->shared_intermediate;
	return c->layers * attn_params(c) + (double)(c->layers - c->moe_layers) * dense + c->moe_layers * moe +
	       embed_params(c);
}

static int get_num(const cJSON *o, const char *key, double lo, double hi, double *v, const char *path,
		   gr_error *err)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!x || !cJSON_IsNumber(x) || !(x->valuedouble >= lo && x->valuedouble <= hi)) {
		gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': key '%s': expected a number in [%g, %g]", path,
			     key, lo, hi);
		return -1;
	}
	*v = x->valuedouble;
	return 0;
}

gr_status gr_llm_serving_load(const char *path, gr_llm_serving *out, gr_error *err)
{
	char *text = slurp(path, err);
	cJSON *o;
	double tok = 0, seqs = 0;
	int bad;
	if (!text)
		return err->status;
	o = cJSON_Parse(text);
	free(text);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': expected a JSON object", path);
	}
	bad = get_num(o, "kv_memory_fraction", 0.01, 1, &out->kv_memory_fraction, path, err) ||
	      get_num(o, "max_num_tokens", 1, 1 << 24, &tok, path, err) ||
	      get_num(o, "max_num_seqs", 1, 1 << 24, &seqs, path, err) ||
	      get_num(o, "launch_gaps_per_layer", 0, 1000, &out->launch_gaps_per_layer, path, err) ||
	      get_num(o, "allreduce_efficiency", 0.01, 1, &out->allreduce_efficiency, path, err) ||
	      get_num(o, "allreduce_hop_us", 0, 1e6, &out->allreduce_hop_us, path, err);
	out->max_num_tokens = (int64_t)tok;
	out->max_num_seqs = (int64_t)seqs;
	cJSON_Delete(o);
	return bad ? err->status : GR_OK;
}
