/* A verifying reader of FlatBuffers (see tflite_flatbuf.h): every offset, vtable, vector and
 * string is checked against the buffer before it is read. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "frontends/tflite_flatbuf.h"

gr_status fb_error(const fb_src *s, size_t off, gr_status st, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gr_error_set(s->err, st, "cannot read '%s': at byte %zu: %s", s->name, off, msg);
}

gr_status fb_charge(fb_src *s, uint64_t n, size_t off)
{
	s->work += n;
	if (s->work > s->work_max)
		return fb_error(s, off, GR_ERR_LIMIT,
				"the file references more data than it holds (shared or overlapping "
				"offsets; gave up after %llu elements)",
				(unsigned long long)s->work_max);
	return GR_OK;
}

gr_status fb_table_at(fb_src *s, size_t pos, int depth, const char *what, fb_table *t)
{
	int64_t vt;
	unsigned vsize, tsize;
	gr_status st;

	if (depth > FB_MAX_DEPTH)
		return fb_error(s, pos, GR_ERR_LIMIT, "%s: tables nested more than %d deep", what,
				FB_MAX_DEPTH);
	if (s->n < 4 || pos > s->n - 4)
		return fb_error(s, pos, GR_ERR_FORMAT, "%s: table lies outside the file", what);
	if (pos % 4)
		return fb_error(s, pos, GR_ERR_FORMAT, "%s: table is misaligned", what);
	if ((st = fb_charge(s, 1, pos)))
		return st;
	vt = (int64_t)pos - (int64_t)ld32s(s->d + pos);
	if (vt < 0 || vt % 2 || (uint64_t)vt > s->n - 4)
		return fb_error(s, pos, GR_ERR_FORMAT, "%s: vtable offset %d points outside the file",
				what, ld32s(s->d + pos));
	vsize = ld16(s->d + vt);
	tsize = ld16(s->d + vt + 2);
	if (vsize < 4 || vsize % 2 || vsize > s->n - (size_t)vt)
		return fb_error(s, (size_t)vt, GR_ERR_FORMAT, "%s: bad vtable (claims %u bytes)", what,
				vsize);
	if (tsize < 4 || tsize > s->n - pos)
		return fb_error(s, pos, GR_ERR_FORMAT, "%s: table claims %u bytes, %zu remain", what,
				tsize, s->n - pos);
	t->pos = pos;
	t->vt = (size_t)vt;
	t->n_fields = (vsize - 4) / 2;
	t->size = tsize;
	t->depth = depth;
	return GR_OK;
}

/* Position of field id (size bytes, naturally aligned), 0 when absent. */
gr_status fb_field(fb_src *s, const fb_table *t, unsigned id, unsigned size, const char *what,
		   size_t *pos)
{
	unsigned o;

	*pos = 0;
	if (id >= t->n_fields)
		return GR_OK;
	o = ld16(s->d + t->vt + 4 + 2 * id);
	if (!o)
		return GR_OK;
	if (o < 4 || o + size > t->size)
		return fb_error(s, t->pos, GR_ERR_FORMAT, "%s: field %u lies outside its table", what, id);
	if ((t->pos + o) % size)
		return fb_error(s, t->pos + o, GR_ERR_FORMAT, "%s: field %u is misaligned", what, id);
	*pos = t->pos + o;
	return GR_OK;
}

gr_status fb_int(fb_src *s, const fb_table *t, unsigned id, unsigned size, int is_signed,
		 int64_t dflt, const char *what, int64_t *out)
{
	size_t p;
	gr_status st = fb_field(s, t, id, size, what, &p);

	*out = dflt;
	if (st || !p)
		return st;
	switch (size) {
	case 1: *out = is_signed ? (int64_t)(int8_t)s->d[p] : (int64_t)s->d[p]; break;
	case 2: *out = is_signed ? (int64_t)(int16_t)ld16(s->d + p) : (int64_t)ld16(s->d + p); break;
	case 4: *out = is_signed ? (int64_t)ld32s(s->d + p) : (int64_t)ld32(s->d + p); break;
	default: {
		uint64_t u = ld64(s->d + p);
		memcpy(out, &u, sizeof(*out));
	}
	}
	return GR_OK;
}

gr_status fb_u64(fb_src *s, const fb_table *t, unsigned id, const char *what, uint64_t *out)
{
	size_t p;
	gr_status st = fb_field(s, t, id, 8, what, &p);

	*out = 0;
	if (st || !p)
		return st;
	*out = ld64(s->d + p);
	return GR_OK;
}

gr_status fb_float(fb_src *s, const fb_table *t, unsigned id, float dflt, const char *what,
		   float *out)
{
	size_t p;
	gr_status st = fb_field(s, t, id, 4, what, &p);
	uint32_t u;

	*out = dflt;
	if (st || !p)
		return st;
	u = ld32(s->d + p);
	memcpy(out, &u, sizeof(*out));
	return GR_OK;
}

/* Follows a uoffset stored at p. Like flatbuffers' verifier, 0 and offsets that would be
 * negative as signed values are rejected. */
gr_status fb_follow(fb_src *s, size_t p, const char *what, size_t *target)
{
	uint32_t u = ld32(s->d + p);

	if (u == 0 || u > INT32_MAX || u > s->n - p)
		return fb_error(s, p, GR_ERR_FORMAT, "%s: offset %u points outside the file", what, u);
	*target = p + u;
	return GR_OK;
}

gr_status fb_ref(fb_src *s, const fb_table *t, unsigned id, const char *what, size_t *target)
{
	size_t p;
	gr_status st = fb_field(s, t, id, 4, what, &p);

	*target = 0;
	if (st || !p)
		return st;
	return fb_follow(s, p, what, target);
}

gr_status fb_subtable(fb_src *s, const fb_table *t, unsigned id, const char *what,
		      fb_table *sub, int *found)
{
	size_t p;
	gr_status st = fb_ref(s, t, id, what, &p);

	*found = 0;
	if (st || !p)
		return st;
	*found = 1;
	return fb_table_at(s, p, t->depth + 1, what, sub);
}

/* Vector of elem-byte elements; byte vectors are not charged (they are never walked). */
gr_status fb_vector(fb_src *s, const fb_table *t, unsigned id, unsigned elem,
		    const char *what, fb_vec *v)
{
	size_t p;
	gr_status st = fb_ref(s, t, id, what, &p);
	uint32_t len;

	memset(v, 0, sizeof(*v));
	if (st || !p)
		return st;
	if (p % 4 || p > s->n - 4)
		return fb_error(s, p, GR_ERR_FORMAT, "%s: vector %s", what,
				p % 4 ? "is misaligned" : "lies outside the file");
	len = ld32(s->d + p);
	if (len > (s->n - p - 4) / elem)
		return fb_error(s, p, GR_ERR_FORMAT,
				"%s: vector claims %u elements of %u bytes, only %zu bytes remain", what,
				len, elem, s->n - p - 4);
	if (elem > 1 && (st = fb_charge(s, len, p)))
		return st;
	v->at = p;
	v->data = p + 4;
	v->len = len;
	return GR_OK;
}

gr_status fb_string(fb_src *s, const fb_table *t, unsigned id, const char *what,
		    const char **str, size_t *len)
{
	fb_vec v;
	gr_status st = fb_vector(s, t, id, 1, what, &v);

	*str = NULL;
	*len = 0;
	if (st || !v.at)
		return st;
	if (v.len >= s->n - v.data || s->d[v.data + v.len] != 0)
		return fb_error(s, v.at, GR_ERR_FORMAT, "%s: string is not NUL-terminated", what);
	*str = (const char *)s->d + v.data;
	*len = v.len;
	return GR_OK;
}

gr_status fb_vec_table(fb_src *s, const fb_vec *v, uint32_t i, int depth, const char *what,
		       fb_table *t)
{
	size_t p = 0;
	gr_status st = fb_follow(s, v->data + 4 * (size_t)i, what, &p);

	if (st)
		return st;
	return fb_table_at(s, p, depth, what, t);
}

int32_t fb_vec_i32(const fb_src *s, const fb_vec *v, uint32_t i)
{
	return ld32s(s->d + v->data + 4 * (size_t)i);
}
