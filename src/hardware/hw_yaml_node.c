/* The node getters of hw_yaml_node.h: scalars, numbers with sign and range, booleans,
 * identifiers, maps with known keys (unknown keys warn with a suggestion) and sequences. */
#include "hardware/hw_yaml_node.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

yaml_node_t *hy_node_at(pctx *c, int idx)
{
	return yaml_document_get_node(c->doc, idx);
}

int hy_line_of(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

void hy_perr(pctx *c, const yaml_node_t *n, const char *key, const char *fmt, ...)
{
	char buf[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gr_hw_sink_report(c->sink, GR_HW_ERROR, c->file, hy_line_of(n), key, "%s", buf);
	c->failed = 1;
}

void hy_pwarn(pctx *c, const yaml_node_t *n, const char *key, const char *fmt, ...)
{
	char buf[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gr_hw_sink_report(c->sink, GR_HW_WARNING, c->file, hy_line_of(n), key, "%s", buf);
}

void hy_nomem(pctx *c, const yaml_node_t *n, const char *key)
{
	hy_perr(c, n, key, "out of memory");
}

const char *hy_node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

const char *hy_scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* A scalar written without quotes that YAML would read as null. */
int hy_is_null(const yaml_node_t *n)
{
	const char *s;
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	s = hy_scalar(n);
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

void hy_path2(char *buf, size_t size, const char *parent, const char *key)
{
	if (parent && *parent)
		snprintf(buf, size, "%s.%s", parent, key);
	else
		snprintf(buf, size, "%s", key);
}

/* --- typed values ---------------------------------------------------------------------- */

const char *hy_get_str(pctx *c, yaml_node_t *n, const char *key)
{
	const char *s;
	char *out;
	size_t len;

	if (n->type != YAML_SCALAR_NODE || hy_is_null(n)) {
		hy_perr(c, n, key, "expected a string, found %s", hy_is_null(n) ? "nothing" : hy_node_kind(n));
		return NULL;
	}
	s = hy_scalar(n);
	len = n->data.scalar.length;
	if (len == 0) {
		hy_perr(c, n, key, "expected a non-empty string");
		return NULL;
	}
	if (len > MAX_STR || strlen(s) != len) {
		hy_perr(c, n, key, "string is too long or holds a NUL byte");
		return NULL;
	}
	out = gr_arena_strndup(c->hw->arena, s, len);
	if (!out)
		hy_nomem(c, n, key);
	return out;
}

/* Parses a plain (unquoted) scalar as a finite number. Returns 0 on success. */
int hy_parse_number(const yaml_node_t *n, double *out, int integer)
{
	const char *s;
	char *end;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return -1;
	s = hy_scalar(n);
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


/* A number within (0, max] or [0, max]. Returns 0 and sets *out on success. */
int hy_get_num(pctx *c, yaml_node_t *n, const char *key, int sign, double max,
		   const char *unit, double *out)
{
	double v;

	if (hy_parse_number(n, &v, 0)) {
		if (n->type == YAML_SCALAR_NODE)
			hy_perr(c, n, key, "expected %s number%s%s, found '%.40s'",
			     sign == POSITIVE ? "a positive" : "a non-negative", unit ? " in " : "",
			     unit ? unit : "", hy_scalar(n));
		else
			hy_perr(c, n, key, "expected %s number, found %s",
			     sign == POSITIVE ? "a positive" : "a non-negative", hy_node_kind(n));
		return -1;
	}
	if (v < 0 || (sign == POSITIVE && v == 0)) {
		hy_perr(c, n, key, "expected %s number%s%s, found %g",
		     sign == POSITIVE ? "a positive" : "a non-negative", unit ? " in " : "",
		     unit ? unit : "", v);
		return -1;
	}
	if (v > max) {
		hy_perr(c, n, key, "%g is absurd (at most %g%s%s)", v, max, unit ? " " : "", unit ? unit : "");
		return -1;
	}
	*out = v;
	return 0;
}

int hy_get_int(pctx *c, yaml_node_t *n, const char *key, int sign, double max, int64_t *out)
{
	double v;

	if (hy_parse_number(n, &v, 1)) {
		if (n->type == YAML_SCALAR_NODE)
			hy_perr(c, n, key, "expected %s integer, found '%.40s'",
			     sign == POSITIVE ? "a positive" : "a non-negative", hy_scalar(n));
		else
			hy_perr(c, n, key, "expected %s integer, found %s",
			     sign == POSITIVE ? "a positive" : "a non-negative", hy_node_kind(n));
		return -1;
	}
	if (v < 0 || (sign == POSITIVE && v == 0)) {
		hy_perr(c, n, key, "expected %s integer, found %.0f",
		     sign == POSITIVE ? "a positive" : "a non-negative", v);
		return -1;
	}
	if (v > max) {
		hy_perr(c, n, key, "%.0f is absurd (at most %.0f)", v, max);
		return -1;
	}
	*out = (int64_t)v;
	return 0;
}

int hy_get_bool(pctx *c, yaml_node_t *n, const char *key, int *out)
{
	const char *s;
	if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		s = hy_scalar(n);
		if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "yes")) {
			*out = 1;
			return 0;
		}
		if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "no")) {
			*out = 0;
			return 0;
		}
	}
	hy_perr(c, n, key, "expected true or false");
	return -1;
}

int hy_is_ident(const char *s, int allow_dot)
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
const char *hy_suggest(const char *key, const char *const *allowed)
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
int hy_map_fields(pctx *c, yaml_node_t *n, const char *path, const char *const *allowed,
		      yaml_node_t **vals)
{
	yaml_node_pair_t *p;
	size_t i;

	for (i = 0; allowed[i]; i++)
		vals[i] = NULL;
	if (n->type != YAML_MAPPING_NODE) {
		hy_perr(c, n, path, "expected a mapping, found %s", hy_is_null(n) ? "nothing" : hy_node_kind(n));
		return -1;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = hy_node_at(c, p->key), *v = hy_node_at(c, p->value);
		char kp[256];
		const char *ks, *sug;

		if (!k || !v)
			continue;
		if (k->type != YAML_SCALAR_NODE) {
			hy_perr(c, k, path, "keys must be plain strings, found %s", hy_node_kind(k));
			continue;
		}
		ks = hy_scalar(k);
		hy_path2(kp, sizeof(kp), path, ks);
		for (i = 0; allowed[i]; i++)
			if (!strcmp(allowed[i], ks))
				break;
		if (!allowed[i]) {
			sug = hy_suggest(ks, allowed);
			if (sug)
				hy_pwarn(c, k, kp, "unknown key (did you mean '%s'?)", sug);
			else
				hy_pwarn(c, k, kp, "unknown key");
			continue;
		}
		if (vals[i]) {
			hy_perr(c, k, kp, "appears twice (first at line %d)", hy_line_of(vals[i]));
			continue;
		}
		vals[i] = v;
	}
	return 0;
}

int hy_seq_check(pctx *c, yaml_node_t *n, const char *path, size_t max)
{
	size_t len;
	if (n->type != YAML_SEQUENCE_NODE) {
		hy_perr(c, n, path, "expected a list, found %s", hy_is_null(n) ? "nothing" : hy_node_kind(n));
		return -1;
	}
	len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (len > max) {
		hy_perr(c, n, path, "list of %zu entries is absurd (at most %zu)", len, max);
		return -1;
	}
	return 0;
}

size_t hy_seq_len(yaml_node_t *n)
{
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

yaml_node_t *hy_seq_item(pctx *c, yaml_node_t *n, size_t i)
{
	return hy_node_at(c, n->data.sequence.items.start[i]);
}

void hy_require(pctx *c, yaml_node_t *parent, yaml_node_t *v, const char *path)
{
	if (!v)
		hy_perr(c, parent, path, "required key is missing");
}

/* A mapping from precision names to numbers: peak_tops, engine precisions, emulated, energy. */
void hy_get_prec_map(pctx *c, yaml_node_t *n, const char *path, int sign, double max,
			 const char *unit, double *out, int *lines)
{
	yaml_node_pair_t *p;
	int seen[GR_PREC_COUNT] = {0};

	if (n->type != YAML_MAPPING_NODE) {
		hy_perr(c, n, path, "expected a mapping of precision to number, found %s", hy_node_kind(n));
		return;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = hy_node_at(c, p->key), *v = hy_node_at(c, p->value);
		char kp[256];
		int prec;
		double x;

		if (!k || !v)
			continue;
		if (k->type != YAML_SCALAR_NODE) {
			hy_perr(c, k, path, "keys must be precision names, found %s", hy_node_kind(k));
			continue;
		}
		hy_path2(kp, sizeof(kp), path, hy_scalar(k));
		prec = gr_precision_parse(hy_scalar(k));
		if (prec < 0) {
			hy_perr(c, k, kp, "unknown precision (known: fp64, fp32, tf32, fp16, bf16, fp8, "
				       "fp4, int16, int8, int4)");
			continue;
		}
		if (seen[prec]) {
			hy_perr(c, k, kp, "appears twice");
			continue;
		}
		seen[prec] = 1;
		if (hy_get_num(c, v, kp, sign, max, unit, &x) == 0) {
			out[prec] = x;
			if (lines)
				lines[prec] = hy_line_of(v);
		}
	}
}


const char **hy_get_str_list(pctx *c, yaml_node_t *n, const char *path, size_t max,
				 size_t *count)
{
	const char **out;
	size_t i, len;

	*count = 0;
	if (hy_seq_check(c, n, path, max))
		return NULL;
	len = hy_seq_len(n);
	out = gr_arena_calloc(c->hw->arena, len ? len : 1, sizeof(*out));
	if (!out) {
		hy_nomem(c, n, path);
		return NULL;
	}
	for (i = 0; i < len; i++) {
		yaml_node_t *e = hy_seq_item(c, n, i);
		char kp[64];
		const char *s;
		snprintf(kp, sizeof(kp), "%s[%zu]", path, i);
		if (!e)
			continue;
		s = hy_get_str(c, e, kp);
		if (s)
			out[(*count)++] = s;
	}
	return out;
}
