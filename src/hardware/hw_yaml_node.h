/* Typed reading of libyaml document nodes for the registry parsers (hw_yaml.c, and any
 * section parser beside it): every getter checks type, sign and range and reports a problem
 * as "FILE:LINE: key 'a.b': ..." through the context's sink, setting c->failed. Private to
 * src/hardware. */
#ifndef GRAPHS_HW_YAML_NODE_H
#define GRAPHS_HW_YAML_NODE_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "hardware/hw_impl.h"

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

/* the sign a number must have */
enum { POSITIVE, NONNEG };

yaml_node_t *hy_node_at(pctx *c, int idx);
int hy_line_of(const yaml_node_t *n);
void hy_perr(pctx *c, const yaml_node_t *n, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void hy_pwarn(pctx *c, const yaml_node_t *n, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void hy_nomem(pctx *c, const yaml_node_t *n, const char *key);
const char *hy_node_kind(const yaml_node_t *n);
const char *hy_scalar(const yaml_node_t *n);
int hy_is_null(const yaml_node_t *n);
void hy_path2(char *buf, size_t size, const char *parent, const char *key);
const char *hy_get_str(pctx *c, yaml_node_t *n, const char *key);
int hy_parse_number(const yaml_node_t *n, double *out, int integer);
int hy_get_num(pctx *c, yaml_node_t *n, const char *key, int sign, double max,
		   const char *unit, double *out);
int hy_get_int(pctx *c, yaml_node_t *n, const char *key, int sign, double max, int64_t *out);
int hy_get_bool(pctx *c, yaml_node_t *n, const char *key, int *out);
int hy_is_ident(const char *s, int allow_dot);
const char *hy_suggest(const char *key, const char *const *allowed);
int hy_map_fields(pctx *c, yaml_node_t *n, const char *path, const char *const *allowed,
		      yaml_node_t **vals);
int hy_seq_check(pctx *c, yaml_node_t *n, const char *path, size_t max);
size_t hy_seq_len(yaml_node_t *n);
yaml_node_t *hy_seq_item(pctx *c, yaml_node_t *n, size_t i);
void hy_require(pctx *c, yaml_node_t *parent, yaml_node_t *v, const char *path);
void hy_get_prec_map(pctx *c, yaml_node_t *n, const char *path, int sign, double max,
			 const char *unit, double *out, int *lines);
const char **hy_get_str_list(pctx *c, yaml_node_t *n, const char *path, size_t max,
				 size_t *count);

#endif
