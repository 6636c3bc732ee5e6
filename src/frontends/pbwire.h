/* A tiny, bounds-checked reader of the protobuf wire format over a buffer that stays
 * in memory (usually an mmap'ed model file). Used by the ONNX frontend; no schema, no
 * copies: length-delimited fields are returned as (offset, length) into the buffer. */
#ifndef GRAPHS_PBWIRE_H
#define GRAPHS_PBWIRE_H

#include <stddef.h>
#include <stdint.h>

#include "graphs/common.h"

/* Deepest nesting of messages accepted (subgraphs recurse through it). */
#define PB_MAX_DEPTH 64

enum pb_wire {
	PB_VARINT = 0,
	PB_FIXED64 = 1,
	PB_LEN = 2,
	PB_FIXED32 = 5
};

/* The whole input: messages report errors as
 * "cannot read 'NAME': at byte OFF: message" into err. */
typedef struct pb_src {
	const unsigned char *data;
	size_t size;
	const char *name;
	gr_error *err;
} pb_src;

/* One message being read: the byte range [pos, end) of src. */
typedef struct pb_msg {
	const pb_src *src;
	size_t pos, end;
	int depth;
} pb_msg;

/* One field. For PB_VARINT/PB_FIXED32/PB_FIXED64, v holds the value (fixed32 zero-extended).
 * For PB_LEN, [off, off + len) is the payload, already checked to lie inside the message. */
typedef struct pb_field {
	uint32_t num;
	int wire;
	uint64_t v;
	size_t off, len;
	size_t tag_off;  /* where the field's tag starts, for messages */
} pb_field;

/* The top-level message covering the whole buffer. */
void pb_msg_root(pb_msg *m, const pb_src *src);

/* Reads the next field of m. Returns 1 with *f filled, 0 at the end of the message, or a
 * negative gr_status (GR_ERR_FORMAT) after writing the error. Groups are rejected. */
int pb_next_field(pb_msg *m, pb_field *f);

/* pb_next_field, with the fields most of an ONNX graph is made of read inline: a one-byte
 * tag, then a one-byte varint or a length of one or two bytes that fits the message. A big
 * graph has a few hundred thousand fields, read twice or more, and the call with its general
 * checks was a fifth of loading one; anything else (and every error) takes the full path. */
static inline int pb_next(pb_msg *m, pb_field *f)
{
	const unsigned char *d = m->src->data + m->pos;
	size_t left = m->end - m->pos;

	if (left >= 3 && d[0] < 0x80 && d[0] >> 3) {
		int wire = d[0] & 7;
		if (wire == PB_LEN) {
			size_t len = d[1], hdr = 2;
			if (len >= 0x80) {
				if (d[2] >= 0x80)
					return pb_next_field(m, f);
				len = (len & 0x7f) | (size_t)d[2] << 7;
				hdr = 3;
			}
			if (len <= left - hdr) {
				f->tag_off = m->pos;
				f->num = d[0] >> 3;
				f->wire = PB_LEN;
				f->v = 0;
				f->off = m->pos + hdr;
				f->len = len;
				m->pos += hdr + len;
				return 1;
			}
		} else if (wire == PB_VARINT && d[1] < 0x80) {
			f->tag_off = m->pos;
			f->num = d[0] >> 3;
			f->wire = PB_VARINT;
			f->v = d[1];
			f->off = f->len = 0;
			m->pos += 2;
			return 1;
		}
	}
	return pb_next_field(m, f);
}

/* pb_sub's and pb_expect's errors (pbwire.c), out of line: the checks themselves are
 * inline below, as a big graph's reading makes a few hundred thousand of them. */
gr_status pb_sub_error(const pb_msg *m, const pb_field *f);
gr_status pb_expect_error(const pb_msg *m, const pb_field *f, int wire, const char *what);

/* Opens the payload of LEN field f as a nested message. Fails (GR_ERR_FORMAT) when f is
 * not length-delimited and (GR_ERR_LIMIT) beyond PB_MAX_DEPTH. */
static inline gr_status pb_sub(const pb_msg *m, const pb_field *f, pb_msg *child)
{
	if (f->wire != PB_LEN || m->depth + 1 > PB_MAX_DEPTH)
		return pb_sub_error(m, f);
	child->src = m->src;
	child->pos = f->off;
	child->end = f->off + f->len;
	child->depth = m->depth + 1;
	return GR_OK;
}

/* Writes "cannot read 'NAME': at byte OFF: <fmt>" into src->err; returns status. */
gr_status pb_error(const pb_src *src, size_t off, gr_status status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Same without an offset: "cannot read 'NAME': <fmt>". */
gr_status pb_error_at_file(const pb_src *src, gr_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Checks that f has wire type `wire`; otherwise an error naming `what`. */
static inline gr_status pb_expect(const pb_msg *m, const pb_field *f, int wire, const char *what)
{
	return f->wire == wire ? GR_OK : pb_expect_error(m, f, wire, what);
}

/* Reads one varint at *pos (< end) of src, advancing *pos. At most 10 bytes; a 10th byte
 * above 1 (more than 64 bits) and a varint cut by `end` are errors. */
gr_status pb_varint(const pb_src *src, size_t *pos, size_t end, uint64_t *v);

/* --- Repeated scalars: packed (one LEN field) or not (one field per element) ---------- */

/* Number of elements field f contributes to a repeated scalar field whose elements use
 * `elem_wire` (PB_VARINT, PB_FIXED32 or PB_FIXED64). Packed varints are counted by their
 * final bytes, so the count never exceeds the bytes present. Errors: a packed fixed-size
 * payload whose length is not a multiple of the element size, or a mismatched wire type. */
gr_status pb_repeated_count(const pb_msg *m, const pb_field *f, int elem_wire, size_t *count);

/* Calls fn(user, value) for every element of f (as pb_repeated_count describes).
 * Stops with fn's non-zero status. fixed32 values arrive zero-extended in 64 bits. */
typedef gr_status (*pb_scalar_fn)(void *user, uint64_t v);
gr_status pb_repeated_each(const pb_msg *m, const pb_field *f, int elem_wire, pb_scalar_fn fn,
			   void *user);

/* --- Files ------------------------------------------------------------------------ */

/* A read-only view of a whole file: mmap'ed when it is a regular file, read into memory
 * otherwise (pipes). Errors are "cannot read 'PATH': ..." (GR_ERR_IO, or GR_ERR_FORMAT for
 * an empty file). Release with pb_file_unmap (accepts a zeroed struct). */
typedef struct pb_file {
	const unsigned char *data;
	size_t size;
	int mapped;      /* 1: munmap, 0: free */
} pb_file;

gr_status pb_file_map(const char *path, pb_file *f, gr_error *err);
void pb_file_unmap(pb_file *f);

/* Copies s (n bytes) into buf as a short, printable excerpt for messages: at most 64
 * characters, non-printable bytes as '?', "..." when cut. */
const char *pb_printable(const char *s, size_t n, char *buf, size_t size);

#endif
