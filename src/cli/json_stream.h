/* JSON written as it goes, byte for byte as cJSON_Print would print the same tree (tabs,
 * "key":<tab>value, arrays inline with ", "), for reports too big to build as a tree first. */
#ifndef GRAPHS_CLI_JSON_STREAM_H
#define GRAPHS_CLI_JSON_STREAM_H

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/obuf.h"
#include "graphs/graph.h"

#define CLI_JW_DEPTH 64

typedef struct cli_jw {
	gr_obuf out;                   /* everything goes through it, written out in blocks */
	int depth;                     /* containers open */
	int n[CLI_JW_DEPTH];           /* items written in each */
	char is_obj[CLI_JW_DEPTH];
} cli_jw;

/* key is the member name inside an object and ignored elsewhere (array items, the top).
 * The _n functions take its length (0 for NULL); the wrappers below give it, measured at
 * compile time for a literal key. */
void cli_jw_init(cli_jw *w, FILE *f);
void cli_jw_object_n(cli_jw *w, const char *key, size_t kn);
void cli_jw_array_n(cli_jw *w, const char *key, size_t kn);
static inline void cli_jw_end(cli_jw *w); /* closes the innermost object or array */
void cli_jw_string_n(cli_jw *w, const char *key, size_t kn, const char *s);
void cli_jw_number_n(cli_jw *w, const char *key, size_t kn, double v);
void cli_jw_raw_n(cli_jw *w, const char *key, size_t kn, const char *raw);
void cli_jw_bool_n(cli_jw *w, const char *key, size_t kn, int v);
void cli_jw_null_n(cli_jw *w, const char *key, size_t kn);
/* A whole number as cli_json_count prints it (no fraction, negatives and NaN as 0). */
void cli_jw_count_n(cli_jw *w, const char *key, size_t kn, double v);
/* A tree built with cJSON, printed in place. */
void cli_jw_cjson(cli_jw *w, const char *key, const cJSON *item);
/* A tensor shape as cli_json_shape prints it. */
void cli_jw_shape_n(cli_jw *w, const char *key, size_t kn, const gr_tensor *t);

/* What goes before a value: the separator, and inside an object the indent and the key. */
void cli_jw_key_n(cli_jw *w, const char *key, size_t kn);
/* cli_jw_open_v's and cli_jw_end's every case (below, inline: the common ones). */
void cli_jw_open_slow(cli_jw *w, int obj);
void cli_jw_end_slow(cli_jw *w);
/* The values alone, for the wrappers below (a key or separator written before each). */
void cli_jw_string_v(cli_jw *w, const char *s);
void cli_jw_number_v(cli_jw *w, double v);
void cli_jw_raw_v(cli_jw *w, const char *raw);
void cli_jw_bool_v(cli_jw *w, int v);
void cli_jw_count_v(cli_jw *w, double v);
void cli_jw_shape_v(cli_jw *w, const gr_tensor *t);

static inline size_t cli_jw_klen(const char *key) { return key ? strlen(key) : 0; }

/* Opening and closing a container, the common cases inline (_slow: every case): a node of
 * a big graph opens and closes three. */
static inline void cli_jw_open_v(cli_jw *w, int obj)
{
	if (w->out.len + 2 <= sizeof(w->out.buf) && w->depth >= 0 && w->depth < CLI_JW_DEPTH) {
		char *b = w->out.buf + w->out.len;
		b[0] = obj ? '{' : '[';
		b[1] = '\n';
		w->out.len += obj ? 2 : 1;
		w->n[w->depth] = 0;
		w->is_obj[w->depth] = (char)obj;
		w->depth++;
		return;
	}
	cli_jw_open_slow(w, obj);
}

static inline void cli_jw_end(cli_jw *w)
{
	int d = w->depth;

	if (d >= 1 && d <= 17 && w->out.len + 18 <= sizeof(w->out.buf)) {
		char *b = w->out.buf + w->out.len;
		if (w->is_obj[d - 1]) {
			/* a newline (not after an empty object), d - 1 tabs and the brace */
			size_t nl = w->n[d - 1] != 0;
			b[0] = '\n';
			memset(b + nl, '\t', 16);
			b[nl + (size_t)d - 1] = '}';
			w->out.len += nl + (size_t)d;
		} else {
			b[0] = ']';
			w->out.len++;
		}
		w->depth = d - 1;
		return;
	}
	cli_jw_end_slow(w);
}

/* 1 when key needs no escape: for a literal key, decided at compile time. */
static inline int cli_jw_plain_key(const char *k, size_t n)
{
#pragma GCC unroll 16
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)k[i] < 32 || k[i] == '"' || k[i] == '\\')
			return 0;
	return 1;
}

/* cli_jw_key_n with its common cases inline (an array item; a member of an object nested at
 * most 16 deep whose key needs no escape), so that for a literal key its length, escape test
 * and copy fold at compile time: a big graph's JSON has a dozen keys per node, and the call
 * with its general tests was a sixth of writing it. */
static inline void cli_jw_key(cli_jw *w, const char *k, size_t n)
{
	int d = w->depth;
	char *b = w->out.buf + w->out.len;

	if (d >= 1 && d <= 16 && n <= 64 && w->out.len + 96 <= sizeof(w->out.buf)) {
		if (!w->is_obj[d - 1]) {
			if (w->n[d - 1]++) {
				b[0] = ',';
				b[1] = ' ';
				w->out.len += 2;
			}
			return;
		}
		if (k && cli_jw_plain_key(k, n)) {
			if (w->n[d - 1]++) {
				*b++ = ',';
				*b++ = '\n';
			}
			memcpy(b, "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t", 16); /* d of them kept */
			b += d;
			*b++ = '"';
			memcpy(b, k, n);
			memcpy(b + n, "\":\t", 3);
			w->out.len = (size_t)(b + n + 3 - w->out.buf);
			return;
		}
	}
	cli_jw_key_n(w, k, n);
}

static inline void cli_jw_object(cli_jw *w, const char *key)
{
	cli_jw_key(w, key, cli_jw_klen(key));
	cli_jw_open_v(w, 1);
}
static inline void cli_jw_array(cli_jw *w, const char *key)
{
	cli_jw_key(w, key, cli_jw_klen(key));
	cli_jw_open_v(w, 0);
}
static inline void cli_jw_string(cli_jw *w, const char *key, const char *s)
{
	cli_jw_key(w, key, cli_jw_klen(key));
	cli_jw_string_v(w, s);
}
static inline void cli_jw_number(cli_jw *w, const char *key, double v)
{
	cli_jw_key(w, key, cli_jw_klen(key));
	cli_jw_number_v(w, v);
}
static inline void cli_jw_raw(cli_jw *w, const char *key, const char *raw)
{
	cli_jw_key(w, key, cli_jw_klen(key));
	cli_jw_raw_v(w, raw);
}
static inline void cli_jw_bool(cli_jw *w, const char *key, int v)
{
	cli_jw_key(w, key, cli_jw_klen(key));
	cli_jw_bool_v(w, v);
}
static inline void cli_jw_null(cli_jw *w, const char *key)
{
	cli_jw_raw(w, key, "null");
}
static inline void cli_jw_count(cli_jw *w, const char *key, double v)
{
	cli_jw_key(w, key, cli_jw_klen(key));
	if (v == 0 && w->out.len < sizeof(w->out.buf)) /* most counts of most nodes */
		w->out.buf[w->out.len++] = '0';
	else
		cli_jw_count_v(w, v);
}
static inline void cli_jw_shape(cli_jw *w, const char *key, const gr_tensor *t)
{
	cli_jw_key(w, key, cli_jw_klen(key));
	cli_jw_shape_v(w, t);
}
/* Ends the document with the newline cli_json_write adds and writes out what is buffered. */
void cli_jw_finish(cli_jw *w);

#endif
