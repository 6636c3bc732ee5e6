/* A verifying reader of FlatBuffers, for the TFLite frontend. Why hand-written: Debian ships
 * no C flatbuffers compiler, and a reader that verifies as it reads (like flatbuffers'
 * Verifier) lets a hostile file fail with a message, not a crash. Every error reads
 * "cannot read 'NAME': at byte OFF: ..." and carries the gr_status given. */
#ifndef GRAPHS_TFLITE_FLATBUF_H
#define GRAPHS_TFLITE_FLATBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "graphs/common.h"

/* Deepest nesting of tables accepted. */
#define FB_MAX_DEPTH 32

/* The whole buffer, and the work budget that stops files whose offsets are shared or
 * overlap from making the reader visit more elements than the file holds. */
typedef struct fb_src {
	const unsigned char *d;
	size_t n;
	const char *name;
	gr_error *err;
	uint64_t work, work_max; /* tables and vector elements visited, and the cap */
} fb_src;

/* A verified table: its position, its vtable and how many fields the vtable lists. */
typedef struct fb_table {
	size_t pos, vt;
	unsigned n_fields, size;
	int depth;
} fb_table;

typedef struct fb_vec {
	size_t at, data; /* length word, first element; both 0 when the vector is absent */
	uint32_t len;
} fb_vec;

/* Little-endian loads (callers have checked the bounds). */
static inline uint16_t ld16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static inline uint32_t ld32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t ld64(const unsigned char *p)
{
	return (uint64_t)ld32(p) | (uint64_t)ld32(p + 4) << 32;
}

static inline int32_t ld32s(const unsigned char *p)
{
	uint32_t u = ld32(p);
	int32_t v;
	memcpy(&v, &u, sizeof(v));
	return v;
}

gr_status fb_error(const fb_src *s, size_t off, gr_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Charges n elements against the work budget. */
gr_status fb_charge(fb_src *s, uint64_t n, size_t off);
/* Verifies the table at pos (alignment, vtable bounds) at nesting depth. */
gr_status fb_table_at(fb_src *s, size_t pos, int depth, const char *what, fb_table *t);
/* Position of field id (size bytes, naturally aligned), 0 when absent. */
gr_status fb_field(fb_src *s, const fb_table *t, unsigned id, unsigned size, const char *what,
		   size_t *pos);
/* Scalar fields: dflt (0 for fb_u64) when absent. size is 1, 2, 4 or 8 bytes. */
gr_status fb_int(fb_src *s, const fb_table *t, unsigned id, unsigned size, int is_signed,
		 int64_t dflt, const char *what, int64_t *out);
gr_status fb_u64(fb_src *s, const fb_table *t, unsigned id, const char *what, uint64_t *out);
gr_status fb_float(fb_src *s, const fb_table *t, unsigned id, float dflt, const char *what,
		   float *out);
/* Follows a uoffset stored at p. Like flatbuffers' verifier, 0 and offsets that would be
 * negative as signed values are rejected. */
gr_status fb_follow(fb_src *s, size_t p, const char *what, size_t *target);
/* The target of offset field id, 0 when absent. */
gr_status fb_ref(fb_src *s, const fb_table *t, unsigned id, const char *what, size_t *target);
/* The table field id points to; *found = 0 when absent. */
gr_status fb_subtable(fb_src *s, const fb_table *t, unsigned id, const char *what,
		      fb_table *sub, int *found);
/* Vector of elem-byte elements (zeroed when absent); byte vectors are not charged (they
 * are never walked). */
gr_status fb_vector(fb_src *s, const fb_table *t, unsigned id, unsigned elem,
		    const char *what, fb_vec *v);
/* A NUL-terminated string field; *str NULL when absent. */
gr_status fb_string(fb_src *s, const fb_table *t, unsigned id, const char *what,
		    const char **str, size_t *len);
/* Table i of a vector of tables. */
gr_status fb_vec_table(fb_src *s, const fb_vec *v, uint32_t i, int depth, const char *what,
		       fb_table *t);
/* Element i of a verified vector of int32. */
int32_t fb_vec_i32(const fb_src *s, const fb_vec *v, uint32_t i);

#endif
