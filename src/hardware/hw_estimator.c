/* Estimator parameters of a platform: the keys (one table drives parsing, validation, merging
 * and output), class defaults from hardware/classes/<class>.yaml merged over the registry's
 * folders, and their resolution for one platform (its own value, else its class's). */
#include "hardware/hw_impl.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define ALL ((1u << GR_HW_CLASS_COUNT) - 1)
#define OFF(field) offsetof(gr_hw_estimator, field)
#define EFF(name, idx) \
	{"estimator", "efficiency." name, GR_HW_EK_NUM, 0, 1, 1, NULL, OFF(efficiency[idx]), ALL}
#define PJ(name, field) {"estimator", "pj_per_byte." name, GR_HW_EK_NUM, 0, 1e4, 1, "pJ", OFF(field), ALL}

/* Kernel classes in graphs/transform.h's order (src/estimation checks the count; a unit test
 * checks the names). */
static const char *const kernel_keys[GR_HW_KERNEL_CLASS_COUNT] = {
	"conv", "dwconv", "gemm", "matmul", "attention", "pool", "norm", "elementwise", "reduce",
	"move", "rnn", "other",
};

const char *gr_hw_kernel_class_key(int k)
{
	return k >= 0 && k < GR_HW_KERNEL_CLASS_COUNT ? kernel_keys[k] : NULL;
}

const gr_hw_est_key gr_hw_est_keys[GR_HW_EST_KEY_COUNT] = {
	{"overheads", "kernel_launch_us", GR_HW_EK_NUM, 0, 1e6, 0, "us", OFF(kernel_launch_us), ALL},
	{"overheads", "dispatch_us", GR_HW_EK_NUM, 0, 1e7, 0, "us", OFF(dispatch_us), ALL},
	EFF("conv", 0), EFF("dwconv", 1), EFF("gemm", 2), EFF("matmul", 3), EFF("attention", 4),
	EFF("pool", 5), EFF("norm", 6), EFF("elementwise", 7), EFF("reduce", 8), EFF("move", 9),
	EFF("rnn", 10), EFF("other", 11),
	{"estimator", "fill.half_flops", GR_HW_EK_NUM, 0, 1e18, 0, "FLOPs", OFF(fill_half_flops), ALL},
	{"estimator", "fill.per_unit", GR_HW_EK_BOOL, 0, 1, 0, NULL, OFF(fill_per_unit), ALL},
	{"estimator", "fill.kernels", GR_HW_EK_KERNELS, 0, 1, 0, NULL, OFF(fill_all_kernels), ALL},
	/* optional: without them, vector kernels ramp up as fill.half_flops says, and eager
	 * runtimes pay the launch and their own op_overhead_us per op only */
	{"estimator", "fill.vector_us", GR_HW_EK_NUM, 0, 1e6, 0, "us", OFF(fill_vector_us), 0},
	{"estimator", "eager_op_us", GR_HW_EK_NUM, 0, 1e6, 0, "us", OFF(eager_op_us), 0},
	{"estimator", "memory_efficiency.dram", GR_HW_EK_NUM, 0, 1, 1, NULL, OFF(mem_eff_dram), ALL},
	{"estimator", "memory_efficiency.cache", GR_HW_EK_NUM, 0, 1, 1, NULL, OFF(mem_eff_cache), ALL},
	{"estimator", "tile.m", GR_HW_EK_INT, 1, 65536, 0, NULL, OFF(tile_m), 1u << GR_HW_GPU},
	{"estimator", "tile.n", GR_HW_EK_INT, 1, 65536, 0, NULL, OFF(tile_n), 1u << GR_HW_GPU},
	{"estimator", "group_conv.tile_n", GR_HW_EK_INT, 1, 65536, 0, NULL, OFF(group_tile_n), 0},
	{"estimator", "group_conv.simd_vectors", GR_HW_EK_INT, 1, 1024, 0, NULL, OFF(group_simd_vectors), 0},
	{"estimator", "systolic_array.rows", GR_HW_EK_INT, 1, 65536, 0, NULL, OFF(array_rows), 1u << GR_HW_TPU},
	{"estimator", "systolic_array.cols", GR_HW_EK_INT, 1, 65536, 0, NULL, OFF(array_cols), 1u << GR_HW_TPU},
	{"estimator", "on_chip_residency", GR_HW_EK_BOOL, 0, 1, 0, NULL, OFF(on_chip_residency), ALL},
	{"estimator", "on_chip_ops_per_byte", GR_HW_EK_NUM, 0, 1e6, 1, "ops/byte", OFF(on_chip_ops_per_byte), ALL},
	{"estimator", "idle_share_of_tdp", GR_HW_EK_NUM, 0, 1, 0, NULL, OFF(idle_share_of_tdp), ALL},
	PJ("on_chip", pj_per_byte_on_chip), PJ("hbm", pj_per_byte_hbm), PJ("lpddr", pj_per_byte_lpddr),
	PJ("dram", pj_per_byte_dram),
	{"estimator", "fallback_host.peak_gflops", GR_HW_EK_NUM, 0, 1e7, 1, "GFLOP/s", OFF(host_gflops), ALL},
	{"estimator", "fallback_host.bandwidth_gbps", GR_HW_EK_NUM, 0, 1e6, 1, "GB/s", OFF(host_bandwidth_gbps), ALL},
	{"estimator", "fallback_host.link_gbps", GR_HW_EK_NUM, 0, 1e6, 1, "GB/s", OFF(host_link_gbps), ALL},
	/* optional: without them, requests follow one another and nothing overlaps */
	{"estimator", "pipeline.dataflow", GR_HW_EK_BOOL, 0, 1, 0, NULL, OFF(pipeline_dataflow), 0},
	{"estimator", "pipeline.streams", GR_HW_EK_INT, 1, 4096, 0, NULL, OFF(pipeline_streams), 0},
	{"estimator", "pipeline.balance", GR_HW_EK_NUM, 0, 1, 1, NULL, OFF(pipeline_balance), 0},
	{"estimator", "pipeline.overlap_transfers", GR_HW_EK_BOOL, 0, 1, 0, NULL, OFF(pipeline_overlap_transfers), 0},
	{"estimator", "branch_overlap", GR_HW_EK_NUM, 0, 1, 0, NULL, OFF(branch_overlap), 0},
};

double gr_hw_est_get(const gr_hw_estimator *e, const gr_hw_est_key *k)
{
	const char *p = (const char *)e + k->offset;
	switch (k->kind) {
	case GR_HW_EK_NUM: return *(const double *)(const void *)p;
	case GR_HW_EK_INT: return (double)*(const int64_t *)(const void *)p;
	default: return (double)*(const int *)(const void *)p;
	}
}

void gr_hw_est_set(gr_hw_estimator *e, const gr_hw_est_key *k, double v)
{
	char *p = (char *)e + k->offset;
	switch (k->kind) {
	case GR_HW_EK_NUM: *(double *)(void *)p = v; break;
	case GR_HW_EK_INT: *(int64_t *)(void *)p = (int64_t)v; break;
	default: *(int *)(void *)p = v != 0; break;
	}
}

/* A platform's own overheads (the first two keys) live in hw->launch_us / dispatch_us,
 * 0 meaning not given; a class file keeps them with the other keys. */
static int own_value(const gr_hw *hw, size_t i, double *v)
{
	if (!hw->is_class_file && i < 2) {
		*v = i == 0 ? hw->launch_us : hw->dispatch_us;
		return *v > 0;
	}
	*v = gr_hw_est_get(&hw->est, &gr_hw_est_keys[i]);
	return hw->est_given[i];
}

int gr_hw_is_class_path(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL, *p;
	if (!slash)
		return 0;
	for (p = slash; p > path && p[-1] != '/'; p--)
		;
	return (size_t)(slash - p) == 7 && !strncmp(p, "classes", 7);
}

int gr_hw_attach_class(gr_hw *hw, const gr_hw *cls)
{
	memset(&hw->est_class, 0, sizeof(hw->est_class));
	memset(hw->est_class_given, 0, sizeof(hw->est_class_given));
	hw->est_class_path = NULL;
	if (!cls)
		return 0;
	hw->est_class = cls->est;
	memcpy(hw->est_class_given, cls->est_given, sizeof(hw->est_class_given));
	if (cls->path && !(hw->est_class_path = gr_arena_strdup(hw->arena, cls->path)))
		return -1;
	return 0;
}

int gr_hw_estimator_params(const gr_hw *hw, gr_hw_estimator *out, char *why, size_t why_size)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!hw)
		return -1;
	for (i = 0; i < GR_HW_EST_KEY_COUNT; i++) {
		const gr_hw_est_key *k = &gr_hw_est_keys[i];
		double v;
		if (own_value(hw, i, &v))
			gr_hw_est_set(out, k, v);
		else if (hw->est_class_given[i])
			gr_hw_est_set(out, k, gr_hw_est_get(&hw->est_class, k));
		else if (k->required & (1u << hw->cls)) {
			if (why && why_size)
				snprintf(why, why_size, "'%s' has no value for %s.%s: its class defaults "
					 "(hardware/classes/%s.yaml) were not loaded or do not give it",
					 hw->id ? hw->id : "?", k->section, k->name, gr_hw_class_name(hw->cls));
			return -1;
		}
	}
	return 0;
}

int gr_hw_estimator_from_class(const gr_hw *hw, const char *key)
{
	size_t i, sl;
	double v;
	if (!hw || !key)
		return -1;
	for (i = 0; i < GR_HW_EST_KEY_COUNT; i++) {
		const gr_hw_est_key *k = &gr_hw_est_keys[i];
		sl = strlen(k->section);
		if (strncmp(key, k->section, sl) || key[sl] != '.' || strcmp(key + sl + 1, k->name))
			continue;
		if (own_value(hw, i, &v))
			return 0;
		return hw->est_class_given[i] ? 1 : -1;
	}
	return -1;
}

const gr_hw *gr_hw_fallback_platform(const gr_hw *hw)
{
	return hw ? hw->fallback_hw : NULL;
}

/* --- output ----------------------------------------------------------------------------- */

static void value_text(const gr_hw_est_key *k, double v, char *buf, size_t size)
{
	if (k->kind == GR_HW_EK_BOOL)
		snprintf(buf, size, "%s", v != 0 ? "true" : "false");
	else if (k->kind == GR_HW_EK_KERNELS)
		snprintf(buf, size, "%s", v != 0 ? "all" : "matrix");
	else if (k->kind == GR_HW_EK_INT)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.10g", v);
}

/* The value of key i for output: 1 own, 2 class, 0 none. */
static int shown_value(const gr_hw *hw, size_t i, int show, double *v)
{
	if (own_value(hw, i, v))
		return 1;
	if (show && hw->est_class_given[i]) {
		*v = gr_hw_est_get(&hw->est_class, &gr_hw_est_keys[i]);
		return 2;
	}
	return 0;
}

/* Block-style YAML of one section: groups ("efficiency") become nested mappings. Class values
 * carry a comment so that `graphs hw show` tells them apart. Returns the number written. */
static int write_section(const gr_hw *hw, FILE *f, const char *section, int show)
{
	char group[64] = "", val[64];
	size_t i;
	int n = 0;

	for (i = 0; i < GR_HW_EST_KEY_COUNT; i++) {
		const gr_hw_est_key *k = &gr_hw_est_keys[i];
		const char *dot = strchr(k->name, '.');
		double v = 0;
		int how;
		if (strcmp(k->section, section) || !(how = shown_value(hw, i, show, &v)))
			continue;
		if (!n++)
			fprintf(f, "%s:\n", section);
		value_text(k, v, val, sizeof(val));
		if (dot) {
			size_t gl = (size_t)(dot - k->name);
			if (strlen(group) != gl || strncmp(group, k->name, gl)) {
				snprintf(group, sizeof(group), "%.*s", (int)gl, k->name);
				fprintf(f, "  %s:\n", group);
			}
			fprintf(f, "    %s: %s", dot + 1, val);
		} else {
			group[0] = 0;
			fprintf(f, "  %s: %s", k->name, val);
		}
		if (how == 2)
			fputs("  # class", f);
		fputc('\n', f);
	}
	return n;
}

void gr_hw_write_est_yaml(const gr_hw *hw, FILE *f, int show)
{
	double v;
	size_t i;
	for (i = 0; show && i < GR_HW_EST_KEY_COUNT; i++)
		if (shown_value(hw, i, 1, &v) == 2) {
			fprintf(f, "# values marked '# class' are the class defaults of %s\n",
				hw->est_class_path ? hw->est_class_path : "?");
			break;
		}
	write_section(hw, f, "overheads", show);
	write_section(hw, f, "estimator", show);
}

/* Sets o[a][b]... for the dotted name to x (groups become nested objects). */
static int json_put(cJSON *o, const char *name, cJSON *x)
{
	const char *dot = strchr(name, '.');
	char group[64];
	cJSON *g;
	if (!x)
		return 0;
	if (!dot) {
		cJSON_AddItemToObject(o, name, x);
		return 1;
	}
	snprintf(group, sizeof(group), "%.*s", (int)(dot - name), name);
	g = cJSON_GetObjectItemCaseSensitive(o, group);
	if (!g && !(g = cJSON_AddObjectToObject(o, group))) {
		cJSON_Delete(x);
		return 0;
	}
	return json_put(g, dot + 1, x);
}

int gr_hw_est_add_json(const gr_hw *hw, cJSON *o)
{
	cJSON *sec[2], *cd, *from = NULL, *x;
	size_t i;
	int ok;

	sec[0] = cJSON_AddObjectToObject(o, "overheads");
	sec[1] = cJSON_AddObjectToObject(o, "estimator");
	cd = cJSON_AddObjectToObject(o, "class_defaults");
	ok = sec[0] && sec[1] && cd;
	if (ok) {
		const char *src = hw->is_class_file ? NULL : hw->est_class_path;
		ok = (src ? cJSON_AddStringToObject(cd, "file", src) : cJSON_AddNullToObject(cd, "file")) &&
		     (from = cJSON_AddArrayToObject(cd, "keys"));
	}
	for (i = 0; ok && i < GR_HW_EST_KEY_COUNT; i++) {
		const gr_hw_est_key *k = &gr_hw_est_keys[i];
		char full[128];
		double v = 0;
		int how = shown_value(hw, i, 1, &v);
		if (!how)
			continue;
		if (k->kind == GR_HW_EK_BOOL)
			x = cJSON_CreateBool(v != 0);
		else if (k->kind == GR_HW_EK_KERNELS)
			x = cJSON_CreateString(v != 0 ? "all" : "matrix");
		else
			x = cJSON_CreateNumber(v);
		ok = json_put(sec[strcmp(k->section, "overheads") != 0], k->name, x);
		if (ok && how == 2) {
			snprintf(full, sizeof(full), "%s.%s", k->section, k->name);
			ok = (x = cJSON_CreateString(full)) != NULL;
			if (ok)
				cJSON_AddItemToArray(from, x);
		}
	}
	return ok ? 0 : -1;
}

double gr_hw_group_tile_n(const gr_hw *hw, const gr_hw_estimator *ep)
{
	int bits = gr_hw_simd_width_bits(hw);

	if (ep->group_simd_vectors > 0 && bits > 0)
		return (double)ep->group_simd_vectors * bits / 32.0; /* fp32 lanes per vector */
	return (double)ep->group_tile_n;
}
