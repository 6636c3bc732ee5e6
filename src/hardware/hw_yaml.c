/* Registry file parser: one YAML file (libyaml document API) into one gr_hw, checking every
 * key's type, sign and range, and reporting each problem as "FILE:LINE: key 'a.b': ...".
 * Consistency between keys (peaks vs clocks, bandwidth vs bus) is hw_validate.c's job. */
#include "hardware/hw_impl.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_LIST 256
#define MAX_OPS 4096
#define MAX_STR 4096

typedef struct pctx {
	const char *file;
	yaml_document_t *doc;
	gr_hw_sink *sink;
	gr_hw *hw;
	int failed;  /* set on any error (out of memory included) */
} pctx;

static yaml_node_t *node_at(pctx *c, int idx)
{
	return yaml_document_get_node(c->doc, idx);
}

static int line_of(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

static void perr(pctx *c, const yaml_node_t *n, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void perr(pctx *c, const yaml_node_t *n, const char *key, const char *fmt, ...)
{
	char buf[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gr_hw_sink_report(c->sink, GR_HW_ERROR, c->file, line_of(n), key, "%s", buf);
	c->failed = 1;
}

static void pwarn(pctx *c, const yaml_node_t *n, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void pwarn(pctx *c, const yaml_node_t *n, const char *key, const char *fmt, ...)
{
	char buf[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gr_hw_sink_report(c->sink, GR_HW_WARNING, c->file, line_of(n), key, "%s", buf);
}

static void nomem(pctx *c, const yaml_node_t *n, const char *key)
{
	perr(c, n, key, "out of memory");
}

static const char *node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* A scalar written without quotes that YAML would read as null. */
static int is_null(const yaml_node_t *n)
{
	const char *s;
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	s = scalar(n);
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

static void path2(char *buf, size_t size, const char *parent, const char *key)
{
	if (parent && *parent)
		snprintf(buf, size, "%s.%s", parent, key);
	else
		snprintf(buf, size, "%s", key);
}

/* --- typed values ---------------------------------------------------------------------- */

static const char *get_str(pctx *c, yaml_node_t *n, const char *key)
{
	const char *s;
	char *out;
	size_t len;

	if (n->type != YAML_SCALAR_NODE || is_null(n)) {
		perr(c, n, key, "expected a string, found %s", is_null(n) ? "nothing" : node_kind(n));
		return NULL;
	}
	s = scalar(n);
	len = n->data.scalar.length;
	if (len == 0) {
		perr(c, n, key, "expected a non-empty string");
		return NULL;
	}
	if (len > MAX_STR || strlen(s) != len) {
		perr(c, n, key, "string is too long or holds a NUL byte");
		return NULL;
	}
	out = gr_arena_strndup(c->hw->arena, s, len);
	if (!out)
		nomem(c, n, key);
	return out;
}

/* Parses a plain (unquoted) scalar as a finite number. Returns 0 on success. */
static int parse_number(const yaml_node_t *n, double *out, int integer)
{
	const char *s;
	char *end;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return -1;
	s = scalar(n);
	if (!*s || strlen(s) != n->data.scalar.length)
		return -1;
	errno = 0;
	if (integer) {
		long long v;
		if (strpbrk(s, ".eE"))
			return -1;
		v = strtoll(s, &end, 10);
		if (errno || *end)
			return -1;
		*out = (double)v;
		return 0;
	}
	*out = strtod(s, &end);
	if (errno || *end || !isfinite(*out) || end == s)
		return -1;
	/* strtod takes hex floats and "infinity"; YAML numbers are decimal */
	if (strpbrk(s, "xXnNiI"))
		return -1;
	return 0;
}

enum { POSITIVE, NONNEG };

/* A number within (0, max] or [0, max]. Returns 0 and sets *out on success. */
static int get_num(pctx *c, yaml_node_t *n, const char *key, int sign, double max,
		   const char *unit, double *out)
{
	double v;

	if (parse_number(n, &v, 0)) {
		if (n->type == YAML_SCALAR_NODE)
			perr(c, n, key, "expected %s number%s%s, found '%.40s'",
			     sign == POSITIVE ? "a positive" : "a non-negative", unit ? " in " : "",
			     unit ? unit : "", scalar(n));
		else
			perr(c, n, key, "expected %s number, found %s",
			     sign == POSITIVE ? "a positive" : "a non-negative", node_kind(n));
		return -1;
	}
	if (v < 0 || (sign == POSITIVE && v == 0)) {
		perr(c, n, key, "expected %s number%s%s, found %g",
		     sign == POSITIVE ? "a positive" : "a non-negative", unit ? " in " : "",
		     unit ? unit : "", v);
		return -1;
	}
	if (v > max) {
		perr(c, n, key, "%g is absurd (at most %g%s%s)", v, max, unit ? " " : "", unit ? unit : "");
		return -1;
	}
	*out = v;
	return 0;
}

static int get_int(pctx *c, yaml_node_t *n, const char *key, int sign, double max, int64_t *out)
{
	double v;

	if (parse_number(n, &v, 1)) {
		if (n->type == YAML_SCALAR_NODE)
			perr(c, n, key, "expected %s integer, found '%.40s'",
			     sign == POSITIVE ? "a positive" : "a non-negative", scalar(n));
		else
			perr(c, n, key, "expected %s integer, found %s",
			     sign == POSITIVE ? "a positive" : "a non-negative", node_kind(n));
		return -1;
	}
	if (v < 0 || (sign == POSITIVE && v == 0)) {
		perr(c, n, key, "expected %s integer, found %.0f",
		     sign == POSITIVE ? "a positive" : "a non-negative", v);
		return -1;
	}
	if (v > max) {
		perr(c, n, key, "%.0f is absurd (at most %.0f)", v, max);
		return -1;
	}
	*out = (int64_t)v;
	return 0;
}

static int get_bool(pctx *c, yaml_node_t *n, const char *key, int *out)
{
	const char *s;
	if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		s = scalar(n);
		if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "yes")) {
			*out = 1;
			return 0;
		}
		if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "no")) {
			*out = 0;
			return 0;
		}
	}
	perr(c, n, key, "expected true or false");
	return -1;
}

static int is_ident(const char *s, int allow_dot)
{
	size_t i;
	if (!s || !*s || strlen(s) > 64)
		return 0;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return 0;
	for (i = 0; s[i]; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
		      (allow_dot && ch == '.')))
			return 0;
	}
	return 1;
}

/* --- mappings with a fixed set of keys ------------------------------------------------- */

/* Suggests a known key for an unknown one that shares its stem ("size_gb" -> "size_bytes"). */
static const char *suggest(const char *key, const char *const *allowed)
{
	const char *us = strrchr(key, '_');
	size_t stem = us ? (size_t)(us - key) : strlen(key);
	size_t i;
	for (i = 0; allowed[i]; i++) {
		const char *a = allowed[i];
		const char *aus = strrchr(a, '_');
		size_t astem = aus ? (size_t)(aus - a) : strlen(a);
		if (stem && stem == astem && !strncmp(key, a, stem))
			return a;
	}
	return NULL;
}

/* Collects the values of a mapping's keys into vals[] (index as in allowed[], NULL-terminated).
 * Unknown keys are warnings, repeated keys errors. Returns 0 when n is a mapping. */
static int map_fields(pctx *c, yaml_node_t *n, const char *path, const char *const *allowed,
		      yaml_node_t **vals)
{
	yaml_node_pair_t *p;
	size_t i;

	for (i = 0; allowed[i]; i++)
		vals[i] = NULL;
	if (n->type != YAML_MAPPING_NODE) {
		perr(c, n, path, "expected a mapping, found %s", is_null(n) ? "nothing" : node_kind(n));
		return -1;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node_at(c, p->key), *v = node_at(c, p->value);
		char kp[256];
		const char *ks, *sug;

		if (!k || !v)
			continue;
		if (k->type != YAML_SCALAR_NODE) {
			perr(c, k, path, "keys must be plain strings, found %s", node_kind(k));
			continue;
		}
		ks = scalar(k);
		path2(kp, sizeof(kp), path, ks);
		for (i = 0; allowed[i]; i++)
			if (!strcmp(allowed[i], ks))
				break;
		if (!allowed[i]) {
			sug = suggest(ks, allowed);
			if (sug)
				pwarn(c, k, kp, "unknown key (did you mean '%s'?)", sug);
			else
				pwarn(c, k, kp, "unknown key");
			continue;
		}
		if (vals[i]) {
			perr(c, k, kp, "appears twice (first at line %d)", line_of(vals[i]));
			continue;
		}
		vals[i] = v;
	}
	return 0;
}

static int seq_check(pctx *c, yaml_node_t *n, const char *path, size_t max)
{
	size_t len;
	if (n->type != YAML_SEQUENCE_NODE) {
		perr(c, n, path, "expected a list, found %s", is_null(n) ? "nothing" : node_kind(n));
		return -1;
	}
	len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (len > max) {
		perr(c, n, path, "list of %zu entries is absurd (at most %zu)", len, max);
		return -1;
	}
	return 0;
}

static size_t seq_len(yaml_node_t *n)
{
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static yaml_node_t *seq_item(pctx *c, yaml_node_t *n, size_t i)
{
	return node_at(c, n->data.sequence.items.start[i]);
}

static void require(pctx *c, yaml_node_t *parent, yaml_node_t *v, const char *path)
{
	if (!v)
		perr(c, parent, path, "required key is missing");
}

/* A mapping from precision names to numbers: peak_tops, engine precisions, emulated, energy. */
static void get_prec_map(pctx *c, yaml_node_t *n, const char *path, int sign, double max,
			 const char *unit, double *out, int *lines)
{
	yaml_node_pair_t *p;
	int seen[GR_PREC_COUNT] = {0};

	if (n->type != YAML_MAPPING_NODE) {
		perr(c, n, path, "expected a mapping of precision to number, found %s", node_kind(n));
		return;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node_at(c, p->key), *v = node_at(c, p->value);
		char kp[256];
		int prec;
		double x;

		if (!k || !v)
			continue;
		if (k->type != YAML_SCALAR_NODE) {
			perr(c, k, path, "keys must be precision names, found %s", node_kind(k));
			continue;
		}
		path2(kp, sizeof(kp), path, scalar(k));
		prec = gr_precision_parse(scalar(k));
		if (prec < 0) {
			perr(c, k, kp, "unknown precision (known: fp64, fp32, tf32, fp16, bf16, fp8, "
				       "fp4, int16, int8, int4)");
			continue;
		}
		if (seen[prec]) {
			perr(c, k, kp, "appears twice");
			continue;
		}
		seen[prec] = 1;
		if (get_num(c, v, kp, sign, max, unit, &x) == 0) {
			out[prec] = x;
			if (lines)
				lines[prec] = line_of(v);
		}
	}
}

/* --- sections -------------------------------------------------------------------------- */

static const char *const compute_keys[] = {"units", "unit_name", "clock_mhz", "engines", "combine",
	"simd_width_bits", "fma_units_per_core", "threads_per_core", NULL};
enum { CK_UNITS, CK_UNIT_NAME, CK_CLOCK, CK_ENGINES, CK_COMBINE, CK_SIMD, CK_FMA, CK_THREADS };

static const char *const engine_keys[] = {"name", "units", "clock_mhz", "precisions", "clock", NULL};

static void parse_engines(pctx *c, yaml_node_t *n)
{
	gr_hw *hw = c->hw;
	size_t i, len;

	if (seq_check(c, n, "compute.engines", 64))
		return;
	len = seq_len(n);
	hw->engines = gr_arena_calloc(hw->arena, len ? len : 1, sizeof(*hw->engines));
	if (!hw->engines) {
		nomem(c, n, "compute.engines");
		return;
	}
	for (i = 0; i < len; i++) {
		yaml_node_t *e = seq_item(c, n, i), *v[6];
		gr_hw_engine *eng = &hw->engines[hw->n_engines];
		char base[64], kp[128];
		double d;
		size_t j;

		snprintf(base, sizeof(base), "compute.engines[%zu]", i);
		if (!e || map_fields(c, e, base, engine_keys, v))
			continue;
		eng->line = line_of(e);
		path2(kp, sizeof(kp), base, "name");
		require(c, e, v[0], kp);
		if (v[0])
			eng->name = get_str(c, v[0], kp);
		if (v[1]) {
			path2(kp, sizeof(kp), base, "units");
			get_int(c, v[1], kp, POSITIVE, 1e7, &eng->units);
		}
		if (v[2]) {
			path2(kp, sizeof(kp), base, "clock_mhz");
			if (get_num(c, v[2], kp, POSITIVE, 20000, "MHz", &d) == 0)
				eng->clock_mhz = d;
		}
		if (v[4]) /* a kind of compute.clock_mhz; hw_validate.c checks it */
			eng->clock_kind = get_str(c, v[4], "compute.engines[].clock");
		path2(kp, sizeof(kp), base, "precisions");
		require(c, e, v[3], kp);
		if (v[3])
			get_prec_map(c, v[3], kp, POSITIVE, 1e7, "ops/clock", eng->ops_per_clk, NULL);
		for (j = 0; j < hw->n_engines; j++)
			if (eng->name && hw->engines[j].name && !strcmp(eng->name, hw->engines[j].name))
				perr(c, v[0], kp, "engine '%s' is listed twice", eng->name);
		hw->n_engines++;
	}
}

static void parse_compute(pctx *c, yaml_node_t *n)
{
	gr_hw *hw = c->hw;
	yaml_node_t *v[8], *cv[GR_HW_CLOCK_KINDS];
	int64_t x;

	if (map_fields(c, n, "compute", compute_keys, v))
		return;
	require(c, n, v[CK_UNITS], "compute.units");
	if (v[CK_UNITS]) {
		get_int(c, v[CK_UNITS], "compute.units", POSITIVE, 1e7, &hw->units);
		hw->line_units = line_of(v[CK_UNITS]);
	}
	if (v[CK_UNIT_NAME])
		hw->unit_name = get_str(c, v[CK_UNIT_NAME], "compute.unit_name");
	/* optional: some NPUs publish no clock, only peaks */
	if (v[CK_CLOCK] && map_fields(c, v[CK_CLOCK], "compute.clock_mhz", gr_hw_clock_kinds, cv) == 0) {
		double *dst[GR_HW_CLOCK_KINDS];
		char kp[64];
		hw->line_clock = line_of(v[CK_CLOCK]);
		require(c, v[CK_CLOCK], cv[1], "compute.clock_mhz.boost");
		for (x = 0; x < GR_HW_CLOCK_KINDS; x++)
			if (cv[x] && (dst[x] = gr_hw_clock_slot(hw, (int)x)) != NULL) {
				path2(kp, sizeof(kp), "compute.clock_mhz", gr_hw_clock_kinds[x]);
				get_num(c, cv[x], kp, POSITIVE, 20000, "MHz", dst[x]);
			}
	}
	if (v[CK_ENGINES])
		parse_engines(c, v[CK_ENGINES]);
	if (v[CK_COMBINE]) {
		const char *s = get_str(c, v[CK_COMBINE], "compute.combine");
		if (s && !strcmp(s, "sum"))
			hw->combine_sum = 1;
		else if (s && strcmp(s, "max"))
			perr(c, v[CK_COMBINE], "compute.combine", "expected 'max' or 'sum', found '%s'", s);
	}
	if (v[CK_SIMD] && get_int(c, v[CK_SIMD], "compute.simd_width_bits", POSITIVE, 4096, &x) == 0) {
		if (x % 32)
			perr(c, v[CK_SIMD], "compute.simd_width_bits", "expected a multiple of 32, found %lld",
			     (long long)x);
		hw->simd_width_bits = (int)x;
	}
	if (v[CK_FMA] && get_int(c, v[CK_FMA], "compute.fma_units_per_core", POSITIVE, 16, &x) == 0)
		hw->fma_units_per_core = (int)x;
	if (v[CK_THREADS] && get_int(c, v[CK_THREADS], "compute.threads_per_core", POSITIVE, 16, &x) == 0)
		hw->threads_per_core = (int)x;
}

static const char *const mem_keys[] = {"level", "type", "size_bytes", "bandwidth_gbps", "latency_ns",
	"scope", "instances", "bus_width_bits", "data_rate_mtps", "channels", "clock_mhz", "measured",
	NULL};
enum { MK_LEVEL, MK_TYPE, MK_SIZE, MK_BW, MK_LAT, MK_SCOPE, MK_INST, MK_BUS, MK_RATE, MK_CHAN,
       MK_CLOCK, MK_MEASURED };

static void parse_memory(pctx *c, yaml_node_t *n)
{
	gr_hw *hw = c->hw;
	size_t i, j, len;

	if (seq_check(c, n, "memory", 32))
		return;
	len = seq_len(n);
	if (len == 0) {
		perr(c, n, "memory", "expected at least one memory level");
		return;
	}
	hw->mem = gr_arena_calloc(hw->arena, len, sizeof(*hw->mem));
	if (!hw->mem) {
		nomem(c, n, "memory");
		return;
	}
	for (i = 0; i < len; i++) {
		yaml_node_t *e = seq_item(c, n, i), *v[13];
		gr_hw_mem *m = &hw->mem[hw->n_mem];
		char base[96], kp[160];
		double d;

		snprintf(base, sizeof(base), "memory[%zu]", i);
		if (!e || map_fields(c, e, base, mem_keys, v))
			continue;
		m->line = line_of(e);
		m->measured = -1;
		path2(kp, sizeof(kp), base, "level");
		require(c, e, v[MK_LEVEL], kp);
		if (v[MK_LEVEL]) {
			m->level = get_str(c, v[MK_LEVEL], kp);
			if (m->level && !is_ident(m->level, 0))
				perr(c, v[MK_LEVEL], kp, "'%s' is not a lowercase name like l1, l2, sram, dram",
				     m->level);
			/* name the entry by its level in later messages */
			if (m->level && is_ident(m->level, 0))
				snprintf(base, sizeof(base), "memory.%s", m->level);
		}
		if (v[MK_TYPE]) {
			path2(kp, sizeof(kp), base, "type");
			m->type = get_str(c, v[MK_TYPE], kp);
		}
		path2(kp, sizeof(kp), base, "size_bytes");
		if (v[MK_SIZE])
			get_int(c, v[MK_SIZE], kp, POSITIVE, 4503599627370496.0 /* 2^52: 4 PiB */,
				&m->size_bytes);
		if (v[MK_BW]) {
			path2(kp, sizeof(kp), base, "bandwidth_gbps");
			get_num(c, v[MK_BW], kp, POSITIVE, 1e8, "GB/s", &m->bandwidth_gbps);
			m->line_bw = line_of(v[MK_BW]);
		}
		if (v[MK_LAT]) {
			path2(kp, sizeof(kp), base, "latency_ns");
			get_num(c, v[MK_LAT], kp, POSITIVE, 1e7, "ns", &m->latency_ns);
		}
		m->scope = "shared";
		if (v[MK_SCOPE]) {
			const char *s;
			path2(kp, sizeof(kp), base, "scope");
			s = get_str(c, v[MK_SCOPE], kp);
			if (s && strcmp(s, "shared") && strcmp(s, "per_unit"))
				perr(c, v[MK_SCOPE], kp, "expected 'per_unit' or 'shared', found '%s'", s);
			else if (s)
				m->scope = s;
		}
		if (v[MK_INST]) {
			path2(kp, sizeof(kp), base, "instances");
			get_int(c, v[MK_INST], kp, POSITIVE, 1e7, &m->instances);
		}
		if (v[MK_BUS]) {
			path2(kp, sizeof(kp), base, "bus_width_bits");
			get_int(c, v[MK_BUS], kp, POSITIVE, 1 << 20, &m->bus_width_bits);
		}
		if (v[MK_RATE]) {
			path2(kp, sizeof(kp), base, "data_rate_mtps");
			get_num(c, v[MK_RATE], kp, POSITIVE, 1e6, "MT/s", &m->data_rate_mtps);
		}
		if (v[MK_CHAN]) {
			path2(kp, sizeof(kp), base, "channels");
			get_int(c, v[MK_CHAN], kp, POSITIVE, 4096, &m->channels);
		}
		if (v[MK_CLOCK]) {
			path2(kp, sizeof(kp), base, "clock_mhz");
			if (get_num(c, v[MK_CLOCK], kp, POSITIVE, 1e5, "MHz", &d) == 0)
				m->clock_mhz = d;
		}
		if (v[MK_MEASURED]) {
			path2(kp, sizeof(kp), base, "measured");
			get_bool(c, v[MK_MEASURED], kp, &m->measured);
		}
		for (j = 0; j < hw->n_mem; j++)
			if (m->level && hw->mem[j].level && !strcmp(m->level, hw->mem[j].level))
				perr(c, e, base, "level '%s' is listed twice (first at line %d)", m->level,
				     hw->mem[j].line);
		hw->n_mem++;
	}
}

static const char *const power_keys[] = {"tdp_w", "idle_w", "modes", "energy", NULL};
static const char *const mode_keys[] = {"name", "tdp_w", "clock_mhz", "gpu_clock_mhz", "cpu_clock_mhz",
	"npu_clock_mhz", "memory_clock_mhz", "units", "cpu_cores", NULL};
static const char *const energy_keys[] = {"pj_per_flop", "pj_per_byte", NULL};

static void parse_modes(pctx *c, yaml_node_t *n)
{
	gr_hw *hw = c->hw;
	size_t i, j, len;

	if (seq_check(c, n, "power.modes", 64))
		return;
	len = seq_len(n);
	hw->modes = gr_arena_calloc(hw->arena, len ? len : 1, sizeof(*hw->modes));
	if (!hw->modes) {
		nomem(c, n, "power.modes");
		return;
	}
	for (i = 0; i < len; i++) {
		yaml_node_t *e = seq_item(c, n, i), *v[10];
		gr_hw_mode *md = &hw->modes[hw->n_modes];
		char base[96], kp[160];

		snprintf(base, sizeof(base), "power.modes[%zu]", i);
		if (!e || map_fields(c, e, base, mode_keys, v))
			continue;
		md->line = line_of(e);
		path2(kp, sizeof(kp), base, "name");
		require(c, e, v[0], kp);
		if (v[0]) {
			md->name = get_str(c, v[0], kp);
			if (md->name && !is_ident(md->name, 1)) {
				perr(c, v[0], kp, "'%s' is not a lowercase name like 15w or maxn", md->name);
				md->name = NULL;
			}
			if (md->name)
				snprintf(base, sizeof(base), "power.modes.%s", md->name);
		}
#define MODE_NUM(idx, field, unit, max)                                              \
	if (v[idx]) {                                                                \
		path2(kp, sizeof(kp), base, mode_keys[idx]);                         \
		get_num(c, v[idx], kp, POSITIVE, max, unit, &md->field);             \
	}
		MODE_NUM(1, tdp_w, "W", 1e5)
		MODE_NUM(2, clock_mhz, "MHz", 20000)
		MODE_NUM(3, gpu_clock_mhz, "MHz", 20000)
		MODE_NUM(4, cpu_clock_mhz, "MHz", 20000)
		MODE_NUM(5, npu_clock_mhz, "MHz", 20000)
		MODE_NUM(6, memory_clock_mhz, "MHz", 1e5)
#undef MODE_NUM
		if (v[7]) {
			path2(kp, sizeof(kp), base, "units");
			get_int(c, v[7], kp, POSITIVE, 1e7, &md->units);
		}
		if (v[8]) {
			path2(kp, sizeof(kp), base, "cpu_cores");
			get_int(c, v[8], kp, POSITIVE, 1e5, &md->cpu_cores);
		}
		for (j = 0; j < hw->n_modes; j++)
			if (md->name && hw->modes[j].name && !strcmp(md->name, hw->modes[j].name))
				perr(c, v[0], kp, "mode '%s' is listed twice", md->name);
		hw->n_modes++;
	}
}

static void parse_pj_per_byte(pctx *c, yaml_node_t *n)
{
	gr_hw *hw = c->hw;
	yaml_node_pair_t *p;
	size_t len;

	if (n->type != YAML_MAPPING_NODE) {
		perr(c, n, "power.energy.pj_per_byte", "expected a mapping of memory level to pJ/byte");
		return;
	}
	len = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (len > 32) {
		perr(c, n, "power.energy.pj_per_byte", "too many levels");
		return;
	}
	hw->pj_per_byte = gr_arena_calloc(hw->arena, len ? len : 1, sizeof(*hw->pj_per_byte));
	if (!hw->pj_per_byte) {
		nomem(c, n, "power.energy.pj_per_byte");
		return;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node_at(c, p->key), *v = node_at(c, p->value);
		char kp[128];
		double x;
		if (!k || !v || k->type != YAML_SCALAR_NODE) {
			perr(c, n, "power.energy.pj_per_byte", "keys must be memory level names");
			continue;
		}
		path2(kp, sizeof(kp), "power.energy.pj_per_byte", scalar(k));
		if (get_num(c, v, kp, POSITIVE, 1e6, "pJ/byte", &x))
			continue;
		hw->pj_per_byte[hw->n_pj_per_byte].level = gr_arena_strdup(hw->arena, scalar(k));
		hw->pj_per_byte[hw->n_pj_per_byte].pj = x;
		hw->n_pj_per_byte++;
	}
}

static void parse_power(pctx *c, yaml_node_t *n)
{
	gr_hw *hw = c->hw;
	yaml_node_t *v[4], *ev[2];

	if (map_fields(c, n, "power", power_keys, v))
		return;
	require(c, n, v[0], "power.tdp_w");
	if (v[0]) {
		get_num(c, v[0], "power.tdp_w", POSITIVE, 1e5, "W", &hw->tdp_w);
		hw->line_tdp = line_of(v[0]);
	}
	if (v[1]) {
		get_num(c, v[1], "power.idle_w", NONNEG, 1e5, "W", &hw->idle_w);
		hw->line_idle = line_of(v[1]);
	}
	if (v[2])
		parse_modes(c, v[2]);
	if (v[3] && map_fields(c, v[3], "power.energy", energy_keys, ev) == 0) {
		if (ev[0])
			get_prec_map(c, ev[0], "power.energy.pj_per_flop", POSITIVE, 1e6, "pJ",
				     hw->pj_per_op, NULL);
		if (ev[1])
			parse_pj_per_byte(c, ev[1]);
	}
}

static const char *const interconnect_keys[] = {"host", "host_bandwidth_gbps", "peer",
	"peer_bandwidth_gbps", NULL};

static void parse_interconnect(pctx *c, yaml_node_t *n)
{
	gr_hw *hw = c->hw;
	yaml_node_t *v[4];

	if (map_fields(c, n, "interconnect", interconnect_keys, v))
		return;
	if (v[0])
		hw->host_link = get_str(c, v[0], "interconnect.host");
	if (v[1])
		get_num(c, v[1], "interconnect.host_bandwidth_gbps", POSITIVE, 1e6, "GB/s",
			&hw->host_bw_gbps);
	if (v[2])
		hw->peer_link = get_str(c, v[2], "interconnect.peer");
	if (v[3])
		get_num(c, v[3], "interconnect.peer_bandwidth_gbps", POSITIVE, 1e6, "GB/s",
			&hw->peer_bw_gbps);
}

static const char *const precisions_keys[] = {"native", "emulated", "preferred", NULL};

static void parse_precisions(pctx *c, yaml_node_t *n)
{
	gr_hw *hw = c->hw;
	yaml_node_t *v[3];
	size_t i;

	if (map_fields(c, n, "precisions", precisions_keys, v))
		return;
	require(c, n, v[0], "precisions.native");
	if (v[0] && seq_check(c, v[0], "precisions.native", 32) == 0) {
		if (seq_len(v[0]) == 0)
			perr(c, v[0], "precisions.native", "expected at least one precision");
		for (i = 0; i < seq_len(v[0]); i++) {
			yaml_node_t *e = seq_item(c, v[0], i);
			char kp[48];
			int prec;
			snprintf(kp, sizeof(kp), "precisions.native[%zu]", i);
			if (!e || e->type != YAML_SCALAR_NODE) {
				perr(c, e ? e : v[0], kp, "expected a precision name");
				continue;
			}
			prec = gr_precision_parse(scalar(e));
			if (prec < 0) {
				perr(c, e, kp, "unknown precision '%.32s'", scalar(e));
				continue;
			}
			if (hw->native_mask & (1u << prec))
				perr(c, e, kp, "'%s' is listed twice", scalar(e));
			hw->native_mask |= 1u << prec;
		}
	}
	if (v[1])
		get_prec_map(c, v[1], "precisions.emulated", POSITIVE, 1e6, "x slowdown", hw->emulated,
			     NULL);
	if (v[2]) {
		const char *s = get_str(c, v[2], "precisions.preferred");
		hw->line_preferred = line_of(v[2]);
		if (s) {
			hw->preferred = gr_precision_parse(s);
			if (hw->preferred < 0)
				perr(c, v[2], "precisions.preferred", "unknown precision '%s'", s);
		}
	}
}

static const char **get_str_list(pctx *c, yaml_node_t *n, const char *path, size_t max,
				 size_t *count)
{
	const char **out;
	size_t i, len;

	*count = 0;
	if (seq_check(c, n, path, max))
		return NULL;
	len = seq_len(n);
	out = gr_arena_calloc(c->hw->arena, len ? len : 1, sizeof(*out));
	if (!out) {
		nomem(c, n, path);
		return NULL;
	}
	for (i = 0; i < len; i++) {
		yaml_node_t *e = seq_item(c, n, i);
		char kp[64];
		const char *s;
		snprintf(kp, sizeof(kp), "%s[%zu]", path, i);
		if (!e)
			continue;
		s = get_str(c, e, kp);
		if (s)
			out[(*count)++] = s;
	}
	return out;
}

/* --- estimator parameters (keys: gr_hw_est_keys in hw_estimator.c) --------------------- */

/* Index of section.name among the keys, or -1; *group is set when name is a group of keys. */
static int est_find(const char *section, const char *name, int *group)
{
	size_t i, nl = strlen(name);
	*group = 0;
	for (i = 0; i < GR_HW_EST_KEY_COUNT; i++) {
		const gr_hw_est_key *k = &gr_hw_est_keys[i];
		if (strcmp(k->section, section))
			continue;
		if (!strcmp(k->name, name))
			return (int)i;
		if (!strncmp(k->name, name, nl) && k->name[nl] == '.')
			*group = 1;
	}
	return -1;
}

static void est_value(pctx *c, yaml_node_t *v, const char *kp, size_t i)
{
	const gr_hw_est_key *k = &gr_hw_est_keys[i];
	gr_hw *hw = c->hw;
	double x = 0;
	int64_t n;
	int b;

	if (hw->est_line[i]) {
		perr(c, v, kp, "appears twice (first at line %d)", hw->est_line[i]);
		return;
	}
	hw->est_line[i] = line_of(v);
	if (k->kind == GR_HW_EK_NUM) {
		if (get_num(c, v, kp, k->min_open ? POSITIVE : NONNEG, 1e300, k->unit, &x))
			return;
		if (x > k->max) {
			perr(c, v, kp, "%g is out of range (at most %g%s%s)", x, k->max, k->unit ? " " : "",
			     k->unit ? k->unit : "");
			return;
		}
	} else if (k->kind == GR_HW_EK_INT) {
		if (get_int(c, v, kp, POSITIVE, k->max, &n))
			return;
		x = (double)n;
	} else if (k->kind == GR_HW_EK_BOOL) {
		if (get_bool(c, v, kp, &b))
			return;
		x = b;
	} else {
		const char *s = get_str(c, v, kp);
		if (!s)
			return;
		if (strcmp(s, "matrix") && strcmp(s, "all")) {
			perr(c, v, kp, "expected 'matrix' or 'all', found '%.40s'", s);
			return;
		}
		x = !strcmp(s, "all");
	}
	gr_hw_est_set(&hw->est, k, x);
	hw->est_given[i] = 1;
}

/* A mapping of estimator keys, groups ("efficiency", "fill") nested as mappings. */
static void parse_est_map(pctx *c, yaml_node_t *n, const char *section, const char *prefix)
{
	yaml_node_pair_t *p;
	char where[128];

	path2(where, sizeof(where), section, prefix);
	if (n->type != YAML_MAPPING_NODE) {
		perr(c, n, where, "expected a mapping, found %s", is_null(n) ? "nothing" : node_kind(n));
		return;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node_at(c, p->key), *v = node_at(c, p->value);
		char name[96], kp[160];
		int idx, group;

		if (!k || !v)
			continue;
		if (k->type != YAML_SCALAR_NODE) {
			perr(c, k, where, "keys must be plain strings, found %s", node_kind(k));
			continue;
		}
		path2(name, sizeof(name), prefix, scalar(k));
		path2(kp, sizeof(kp), section, name);
		idx = est_find(section, name, &group);
		if (idx >= 0)
			est_value(c, v, kp, (size_t)idx);
		else if (group)
			parse_est_map(c, v, section, name);
		else
			pwarn(c, k, kp, "unknown key (docs/hardware.md lists the estimator keys)");
	}
}

/* class: one of the known class names. */
static void parse_class_key(pctx *c, yaml_node_t *v)
{
	const char *s = get_str(c, v, "class");
	int k;
	c->hw->line_class = line_of(v);
	for (k = 0; s && k < GR_HW_CLASS_COUNT; k++)
		if (!strcmp(s, gr_hw_class_name((gr_hw_class)k)))
			break;
	if (s && k == GR_HW_CLASS_COUNT)
		perr(c, v, "class", "expected cpu, gpu, tpu, npu, dsp or mcu, found '%s'", s);
	else if (s)
		c->hw->cls = (gr_hw_class)k;
}

static const char *const class_top_keys[] = {"class", "overheads", "estimator", "sources", "notes",
	NULL};

/* classes/<class>.yaml: every parameter the estimator needs for the class. */
static void parse_class_root(pctx *c, yaml_node_t *root)
{
	gr_hw *hw = c->hw;
	yaml_node_t *v[6];
	const char *base = strrchr(c->file, '/');
	size_t i;

	hw->is_class_file = 1;
	if (root->type != YAML_MAPPING_NODE) {
		perr(c, root, "", "expected a mapping of keys (class, overheads, estimator) at the top, "
				  "found %s", is_null(root) ? "nothing" : node_kind(root));
		return;
	}
	map_fields(c, root, "", class_top_keys, v);
	require(c, root, v[0], "class");
	if (!v[0])
		return;
	parse_class_key(c, v[0]);
	if (c->failed)
		return;
	base = base ? base + 1 : c->file;
	if (strncmp(base, gr_hw_class_name(hw->cls), strlen(gr_hw_class_name(hw->cls))) ||
	    base[strlen(gr_hw_class_name(hw->cls))] != '.')
		pwarn(c, v[0], "class", "class '%s' but the file is '%s' (expected %s.yaml)",
		      gr_hw_class_name(hw->cls), base, gr_hw_class_name(hw->cls));
	if (v[1])
		parse_est_map(c, v[1], "overheads", NULL);
	if (v[2])
		parse_est_map(c, v[2], "estimator", NULL);
	if (v[3])
		hw->sources = get_str_list(c, v[3], "sources", MAX_LIST, &hw->n_sources);
	if (v[4])
		hw->notes = get_str(c, v[4], "notes");
	for (i = 0; i < GR_HW_EST_KEY_COUNT; i++) {
		const gr_hw_est_key *k = &gr_hw_est_keys[i];
		char kp[128];
		if (hw->est_line[i] || !(k->required & (1u << hw->cls)))
			continue;
		snprintf(kp, sizeof(kp), "%s.%s", k->section, k->name);
		perr(c, root, kp, "required key is missing (a class file gives every parameter of "
				  "class %s)", gr_hw_class_name(hw->cls));
	}
}

static const char *const restrictions_keys[] = {"ops", "fallback", NULL};
static const char *const overheads_keys[] = {"kernel_launch_us", "dispatch_us", NULL};

static const char *const top_keys[] = {"id", "name", "vendor", "class", "architecture", "category",
	"compute", "peak_tops", "memory", "power", "interconnect", "precisions", "restrictions",
	"overheads", "sources", "notes", "estimator", "derived", NULL};
enum { TK_ID, TK_NAME, TK_VENDOR, TK_CLASS, TK_ARCH, TK_CATEGORY, TK_COMPUTE, TK_PEAK, TK_MEMORY,
       TK_POWER, TK_INTERCONNECT, TK_PRECISIONS, TK_RESTRICTIONS, TK_OVERHEADS, TK_SOURCES,
       TK_NOTES, TK_ESTIMATOR, TK_DERIVED, TK_COUNT };

static const char *const categories[] = {"datacenter", "desktop", "mobile", "edge", "embedded", NULL};

static void parse_root(pctx *c, yaml_node_t *root)
{
	gr_hw *hw = c->hw;
	yaml_node_t *v[TK_COUNT + 1];
	size_t i;

	if (root->type != YAML_MAPPING_NODE) {
		perr(c, root, "", "expected a mapping of keys (id, name, compute, ...) at the top, "
				  "found %s", is_null(root) ? "nothing" : node_kind(root));
		return;
	}
	map_fields(c, root, "", top_keys, v);

	require(c, root, v[TK_ID], "id");
	if (v[TK_ID]) {
		hw->id = get_str(c, v[TK_ID], "id");
		hw->line_id = line_of(v[TK_ID]);
		if (hw->id && !is_ident(hw->id, 0))
			perr(c, v[TK_ID], "id", "'%s' is not snake_case (a-z, 0-9, _; at most 64 chars)",
			     hw->id);
	}
	require(c, root, v[TK_NAME], "name");
	if (v[TK_NAME])
		hw->name = get_str(c, v[TK_NAME], "name");
	require(c, root, v[TK_VENDOR], "vendor");
	if (v[TK_VENDOR])
		hw->vendor = get_str(c, v[TK_VENDOR], "vendor");
	require(c, root, v[TK_CLASS], "class");
	if (v[TK_CLASS])
		parse_class_key(c, v[TK_CLASS]);
	if (v[TK_ARCH])
		hw->architecture = get_str(c, v[TK_ARCH], "architecture");
	if (v[TK_CATEGORY]) {
		const char *s = get_str(c, v[TK_CATEGORY], "category");
		for (i = 0; s && categories[i]; i++)
			if (!strcmp(s, categories[i]))
				break;
		if (s && !categories[i])
			perr(c, v[TK_CATEGORY], "category",
			     "expected datacenter, desktop, mobile, edge or embedded, found '%s'", s);
		hw->category = s;
	}
	require(c, root, v[TK_COMPUTE], "compute");
	if (v[TK_COMPUTE])
		parse_compute(c, v[TK_COMPUTE]);
	require(c, root, v[TK_PEAK], "peak_tops");
	if (v[TK_PEAK]) {
		get_prec_map(c, v[TK_PEAK], "peak_tops", POSITIVE, 1e6, "TOPS", hw->peak_tops,
			     hw->peak_line);
		if (v[TK_PEAK]->type == YAML_MAPPING_NODE &&
		    v[TK_PEAK]->data.mapping.pairs.top == v[TK_PEAK]->data.mapping.pairs.start)
			perr(c, v[TK_PEAK], "peak_tops", "expected at least one precision");
	}
	require(c, root, v[TK_MEMORY], "memory");
	if (v[TK_MEMORY])
		parse_memory(c, v[TK_MEMORY]);
	require(c, root, v[TK_POWER], "power");
	if (v[TK_POWER])
		parse_power(c, v[TK_POWER]);
	if (v[TK_INTERCONNECT])
		parse_interconnect(c, v[TK_INTERCONNECT]);
	require(c, root, v[TK_PRECISIONS], "precisions");
	if (v[TK_PRECISIONS])
		parse_precisions(c, v[TK_PRECISIONS]);
	if (v[TK_RESTRICTIONS]) {
		yaml_node_t *rv[2];
		if (map_fields(c, v[TK_RESTRICTIONS], "restrictions", restrictions_keys, rv) == 0) {
			if (rv[0])
				hw->ops = get_str_list(c, rv[0], "restrictions.ops", MAX_OPS, &hw->n_ops);
			if (rv[1]) {
				hw->fallback = get_str(c, rv[1], "restrictions.fallback");
				hw->line_fallback = line_of(rv[1]);
			}
		}
	}
	if (v[TK_OVERHEADS]) {
		yaml_node_t *ov[2];
		if (map_fields(c, v[TK_OVERHEADS], "overheads", overheads_keys, ov) == 0) {
			if (ov[0])
				get_num(c, ov[0], "overheads.kernel_launch_us", NONNEG, 1e6, "us",
					&hw->launch_us);
			if (ov[1])
				get_num(c, ov[1], "overheads.dispatch_us", NONNEG, 1e7, "us",
					&hw->dispatch_us);
		}
	}
	if (v[TK_SOURCES]) {
		hw->sources = get_str_list(c, v[TK_SOURCES], "sources", MAX_LIST, &hw->n_sources);
		hw->line_sources = line_of(v[TK_SOURCES]);
	}
	if (v[TK_NOTES])
		hw->notes = get_str(c, v[TK_NOTES], "notes");
	if (v[TK_ESTIMATOR])
		parse_est_map(c, v[TK_ESTIMATOR], "estimator", NULL);
	if (v[TK_DERIVED] && (hw->line_derived = line_of(v[TK_DERIVED])) > 0) /* keys: hw_validate.c */
		hw->derived = get_str_list(c, v[TK_DERIVED], "derived", MAX_LIST, &hw->n_derived);
}

/* A platform file, or a class defaults file (class_file). */
static gr_hw *parse_buffer_as(const char *path, const unsigned char *buf, size_t len,
			      gr_hw_sink *sink, int keep_partial, int class_file)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	gr_hw *hw = NULL;
	yaml_node_t *root;
	pctx c;
	int have_parser = 0, have_doc = 0;

	if (len > GR_HW_MAX_FILE_BYTES) {
		gr_hw_sink_report(sink, GR_HW_ERROR, path, 0, "", "file is larger than %d bytes",
				  GR_HW_MAX_FILE_BYTES);
		return NULL;
	}
	if (gr_hw_prescan(path, buf, len, sink))
		return NULL;
	if (!yaml_parser_initialize(&parser)) {
		gr_hw_sink_report(sink, GR_HW_ERROR, path, 0, "", "out of memory");
		goto fail;
	}
	have_parser = 1;
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		gr_hw_sink_report(sink, GR_HW_ERROR, path, (int)parser.problem_mark.line + 1, "",
				  "malformed YAML: %s%s%s", parser.problem ? parser.problem : "syntax error",
				  parser.context ? " " : "", parser.context ? parser.context : "");
		goto fail;
	}
	have_doc = 1;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		gr_hw_sink_report(sink, GR_HW_ERROR, path, 0, "", "the file is empty");
		goto fail;
	}
	hw = gr_hw_new();
	if (!hw) {
		gr_hw_sink_report(sink, GR_HW_ERROR, path, 0, "", "out of memory");
		goto fail;
	}
	hw->path = gr_arena_strdup(hw->arena, path);
	memset(&c, 0, sizeof(c));
	c.file = path;
	c.doc = &doc;
	c.sink = sink;
	c.hw = hw;
	if (class_file)
		parse_class_root(&c, root);
	else
		parse_root(&c, root);
	if (!hw->path || (c.failed && !keep_partial))
		goto fail;
	/* A second document in the file is most likely a mistake. */
	{
		yaml_document_t doc2;
		if (yaml_parser_load(&parser, &doc2)) {
			if (yaml_document_get_root_node(&doc2))
				gr_hw_sink_report(sink, GR_HW_WARNING, path, 0, "",
						  "only the first YAML document is read");
			yaml_document_delete(&doc2);
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return hw;
fail:
	gr_hw_free(hw);
	if (have_doc)
		yaml_document_delete(&doc);
	if (have_parser)
		yaml_parser_delete(&parser);
	return NULL;
}

gr_hw *gr_hw_parse_buffer(const char *path, const unsigned char *buf, size_t len,
			  gr_hw_sink *sink, int keep_partial)
{
	return parse_buffer_as(path, buf, len, sink, keep_partial, 0);
}

static gr_hw *parse_file_as(const char *path, gr_hw_sink *sink, int keep_partial, int class_file)
{
	size_t len = 0;
	unsigned char *buf = gr_hw_read_file(path, &len, sink);
	gr_hw *hw;

	if (!buf)
		return NULL;
	hw = parse_buffer_as(path, buf, len, sink, keep_partial, class_file);
	free(buf);
	return hw;
}

gr_hw *gr_hw_parse_file(const char *path, gr_hw_sink *sink, int keep_partial)
{
	return parse_file_as(path, sink, keep_partial, 0);
}

gr_hw *gr_hw_parse_class_file(const char *path, gr_hw_sink *sink)
{
	return parse_file_as(path, sink, 0, 1);
}
