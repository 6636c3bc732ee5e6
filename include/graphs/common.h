/* Status codes, error reports and small shared types of libgraphs.
 * Every fallible function returns gr_status and fills a caller-owned gr_error. */
#ifndef GRAPHS_COMMON_H
#define GRAPHS_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gr_status {
	GR_OK = 0,
	GR_ERR_USAGE = -1,   /* caller passed something meaningless */
	GR_ERR_IO = -2,      /* file cannot be opened or read */
	GR_ERR_FORMAT = -3,  /* input is malformed (bad protobuf, bad YAML, ...) */
	GR_ERR_SHAPE = -4,   /* shapes or attributes are inconsistent */
	GR_ERR_LIMIT = -5,   /* absurd sizes, overflow, too deep */
	GR_ERR_NOMEM = -6,
	GR_ERR_UNSUPPORTED = -7,
	GR_ERR_NOT_FOUND = -8
} gr_status;

/* A static string naming the status ("bad input format", ...). */
const char *gr_status_str(gr_status s);

/* Error details. The caller owns it (usually on the stack); functions that fail
 * write a one-line, lowercase, git-style message, e.g.
 * "cannot read 'm.onnx': at byte 120: truncated varint". */
typedef struct gr_error {
	gr_status status;
	char msg[1024];
} gr_error;

/* Sets err (if not NULL) and returns status, so callers can `return gr_error_set(...)`. */
gr_status gr_error_set(gr_error *err, gr_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes the existing message: "PREFIX: old message". */
void gr_error_prefix(gr_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Log callback (ggml_log_set style). Level 0 = warning, 1 = info. Default prints to stderr. */
typedef void (*gr_log_fn)(int level, const char *msg, void *user);
void gr_log_set(gr_log_fn fn, void *user);
void gr_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Overflow-checked arithmetic on sizes; return 0 on overflow. */
int gr_mul_i64(int64_t a, int64_t b, int64_t *out);
int gr_add_i64(int64_t a, int64_t b, int64_t *out);
int gr_sub_i64(int64_t a, int64_t b, int64_t *out);

#ifdef __cplusplus
}
#endif
#endif
