/* Status strings, error formatting, logging and overflow-checked arithmetic. */
#include "graphs/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *gr_status_str(gr_status s)
{
	switch (s) {
	case GR_OK: return "ok";
	case GR_ERR_USAGE: return "usage error";
	case GR_ERR_IO: return "cannot read file";
	case GR_ERR_FORMAT: return "bad input format";
	case GR_ERR_SHAPE: return "inconsistent shapes";
	case GR_ERR_LIMIT: return "size limit exceeded";
	case GR_ERR_NOMEM: return "out of memory";
	case GR_ERR_UNSUPPORTED: return "unsupported";
	case GR_ERR_NOT_FOUND: return "not found";
	}
	return "unknown status";
}

gr_status gr_error_set(gr_error *err, gr_status status, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
		err->status = status;
	}
	return status;
}

void gr_error_prefix(gr_error *err, const char *fmt, ...)
{
	char head[512], old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	old[sizeof(old) - 1] = 0;
	/* Truncation is fine for a message; build it by hand so the compiler sees the bound. */
	size_t hl = strnlen(head, sizeof(err->msg) - 3);
	memcpy(err->msg, head, hl);
	memcpy(err->msg + hl, ": ", 2);
	size_t room = sizeof(err->msg) - hl - 3;
	size_t ol = strnlen(old, room);
	memcpy(err->msg + hl + 2, old, ol);
	err->msg[hl + 2 + ol] = 0;
}

static void default_log(int level, const char *msg, void *user)
{
	(void)user;
	fprintf(stderr, "%s: %s\n", level == 0 ? "warning" : "info", msg);
}

static gr_log_fn log_fn = default_log;
static void *log_user;

void gr_log_set(gr_log_fn fn, void *user)
{
	log_fn = fn ? fn : default_log;
	log_user = user;
}

void gr_log_warn(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_fn(0, buf, log_user);
}

int gr_mul_i64(int64_t a, int64_t b, int64_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

int gr_add_i64(int64_t a, int64_t b, int64_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

int gr_sub_i64(int64_t a, int64_t b, int64_t *out)
{
	return !__builtin_sub_overflow(a, b, out);
}
