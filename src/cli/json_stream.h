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
void cli_jw_end(cli_jw *w);             /* closes the innermost object or array */
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

static inline size_t cli_jw_klen(const char *key) { return key ? strlen(key) : 0; }
static inline void cli_jw_object(cli_jw *w, const char *key)
{
	cli_jw_object_n(w, key, cli_jw_klen(key));
}
static inline void cli_jw_array(cli_jw *w, const char *key)
{
	cli_jw_array_n(w, key, cli_jw_klen(key));
}
static inline void cli_jw_string(cli_jw *w, const char *key, const char *s)
{
	cli_jw_string_n(w, key, cli_jw_klen(key), s);
}
static inline void cli_jw_number(cli_jw *w, const char *key, double v)
{
	cli_jw_number_n(w, key, cli_jw_klen(key), v);
}
static inline void cli_jw_raw(cli_jw *w, const char *key, const char *raw)
{
	cli_jw_raw_n(w, key, cli_jw_klen(key), raw);
}
static inline void cli_jw_bool(cli_jw *w, const char *key, int v)
{
	cli_jw_bool_n(w, key, cli_jw_klen(key), v);
}
static inline void cli_jw_null(cli_jw *w, const char *key)
{
	cli_jw_null_n(w, key, cli_jw_klen(key));
}
static inline void cli_jw_count(cli_jw *w, const char *key, double v)
{
	cli_jw_count_n(w, key, cli_jw_klen(key), v);
}
static inline void cli_jw_shape(cli_jw *w, const char *key, const gr_tensor *t)
{
	cli_jw_shape_n(w, key, cli_jw_klen(key), t);
}
/* Ends the document with the newline cli_json_write adds and writes out what is buffered. */
void cli_jw_finish(cli_jw *w);

#endif
