/* Bounds-checked protobuf wire reader (see pbwire.h).
 * Why hand-written instead of protobuf-c: a 100 MB ONNX model is mostly weights, and we
 * only need their shapes. protobuf-c would copy every raw_data payload; this reader walks
 * the mmap'ed file and skips payloads by length, so loading costs milliseconds, not the
 * ~0.5 s of Python's onnx.load. Every length and offset is checked before use. */
#include "frontends/pbwire.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static gr_status pb_verror(const pb_src *src, int with_off, size_t off, gr_status status,
			   const char *fmt, va_list ap)
{
	char msg[768];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_off)
		return gr_error_set(src->err, status, "cannot read '%s': at byte %zu: %s",
				    src->name, off, msg);
	return gr_error_set(src->err, status, "cannot read '%s': %s", src->name, msg);
}

gr_status pb_error(const pb_src *src, size_t off, gr_status status, const char *fmt, ...)
{
	va_list ap;
	gr_status st;

	va_start(ap, fmt);
	st = pb_verror(src, 1, off, status, fmt, ap);
	va_end(ap);
	return st;
}

gr_status pb_error_at_file(const pb_src *src, gr_status status, const char *fmt, ...)
{
	va_list ap;
	gr_status st;

	va_start(ap, fmt);
	st = pb_verror(src, 0, 0, status, fmt, ap);
	va_end(ap);
	return st;
}

void pb_msg_root(pb_msg *m, const pb_src *src)
{
	m->src = src;
	m->pos = 0;
	m->end = src->size;
	m->depth = 0;
}

gr_status pb_varint(const pb_src *src, size_t *pos, size_t end, uint64_t *v)
{
	size_t p = *pos;
	uint64_t x = 0;
	int i;

	if (p < end && src->data[p] < 0x80) {  /* most tags and lengths: one byte */
		*v = src->data[p];
		*pos = p + 1;
		return GR_OK;
	}
	for (i = 0; i < 10; i++) {
		unsigned char b;

		if (p >= end)
			return pb_error(src, *pos, GR_ERR_FORMAT, "truncated varint");
		b = src->data[p++];
		if (i == 9 && (b & 0x80))
			break;
		if (i == 9 && b > 1)
			return pb_error(src, *pos, GR_ERR_FORMAT, "varint overflows 64 bits");
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*pos = p;
			*v = x;
			return GR_OK;
		}
	}
	return pb_error(src, *pos, GR_ERR_FORMAT, "varint longer than 10 bytes");
}

static const char *wire_name(int wire)
{
	switch (wire) {
	case PB_VARINT: return "varint";
	case PB_FIXED64: return "fixed64";
	case PB_LEN: return "length-delimited";
	case PB_FIXED32: return "fixed32";
	case 3:
	case 4: return "group";
	}
	return "invalid";
}

int pb_next_field(pb_msg *m, pb_field *f)
{
	const pb_src *s = m->src;
	uint64_t tag, len;
	size_t left;
	gr_status st;

	if (m->pos >= m->end)
		return 0;
	f->tag_off = m->pos;
	st = pb_varint(s, &m->pos, m->end, &tag);
	if (st)
		return st;
	if (tag > UINT32_MAX)
		return pb_error(s, f->tag_off, GR_ERR_FORMAT, "field tag %llu out of range",
				(unsigned long long)tag);
	f->num = (uint32_t)(tag >> 3);
	f->wire = (int)(tag & 7);
	f->v = 0;
	f->off = f->len = 0;
	if (f->num == 0)
		return pb_error(s, f->tag_off, GR_ERR_FORMAT, "field number 0 is invalid");
	left = m->end - m->pos;
	switch (f->wire) {
	case PB_VARINT:
		return (st = pb_varint(s, &m->pos, m->end, &f->v)) ? st : 1;
	case PB_FIXED64:
		if (left < 8)
			return pb_error(s, m->pos, GR_ERR_FORMAT, "truncated fixed64 (field %u)",
					f->num);
		for (int i = 7; i >= 0; i--)
			f->v = (f->v << 8) | s->data[m->pos + (size_t)i];
		m->pos += 8;
		return 1;
	case PB_FIXED32:
		if (left < 4)
			return pb_error(s, m->pos, GR_ERR_FORMAT, "truncated fixed32 (field %u)",
					f->num);
		for (int i = 3; i >= 0; i--)
			f->v = (f->v << 8) | s->data[m->pos + (size_t)i];
		m->pos += 4;
		return 1;
	case PB_LEN:
		st = pb_varint(s, &m->pos, m->end, &len);
		if (st)
			return st;
		left = m->end - m->pos;
		if (len > left)
			return pb_error(s, f->tag_off, GR_ERR_FORMAT,
					"field %u claims %llu bytes but only %zu are left", f->num,
					(unsigned long long)len, left);
		f->off = m->pos;
		f->len = (size_t)len;
		m->pos += (size_t)len;
		return 1;
	case 3:
	case 4:
		return pb_error(s, f->tag_off, GR_ERR_FORMAT,
				"field %u uses protobuf groups, which ONNX never does", f->num);
	default:
		return pb_error(s, f->tag_off, GR_ERR_FORMAT, "invalid wire type %d (field %u)",
				f->wire, f->num);
	}
}

gr_status pb_expect_error(const pb_msg *m, const pb_field *f, int wire, const char *what)
{
	return pb_error(m->src, f->tag_off, GR_ERR_FORMAT, "%s (field %u) is %s, expected %s",
			what, f->num, wire_name(f->wire), wire_name(wire));
}

gr_status pb_sub_error(const pb_msg *m, const pb_field *f)
{
	if (f->wire != PB_LEN)
		return pb_error(m->src, f->tag_off, GR_ERR_FORMAT,
				"field %u is %s, expected a nested message", f->num,
				wire_name(f->wire));
	return pb_error(m->src, f->tag_off, GR_ERR_LIMIT,
			"messages nested deeper than %d levels", PB_MAX_DEPTH);
}

static int elem_size(int elem_wire)
{
	return elem_wire == PB_FIXED32 ? 4 : elem_wire == PB_FIXED64 ? 8 : 0;
}

gr_status pb_repeated_count(const pb_msg *m, const pb_field *f, int elem_wire, size_t *count)
{
	const unsigned char *p;
	size_t n = 0;
	int sz = elem_size(elem_wire);

	*count = 0;
	if (f->wire == elem_wire) {
		*count = 1;
		return GR_OK;
	}
	if (f->wire != PB_LEN)
		return pb_error(m->src, f->tag_off, GR_ERR_FORMAT,
				"field %u is %s, expected %s or packed", f->num,
				wire_name(f->wire), wire_name(elem_wire));
	if (sz) {
		if (f->len % (size_t)sz)
			return pb_error(m->src, f->off, GR_ERR_FORMAT,
					"packed field %u has %zu bytes, not a multiple of %d",
					f->num, f->len, sz);
		*count = f->len / (size_t)sz;
		return GR_OK;
	}
	p = m->src->data + f->off;
	for (size_t i = 0; i < f->len; i++)
		n += !(p[i] & 0x80);
	if (f->len && (p[f->len - 1] & 0x80))
		return pb_error(m->src, f->off + f->len - 1, GR_ERR_FORMAT,
				"truncated varint in packed field %u", f->num);
	*count = n;
	return GR_OK;
}

gr_status pb_repeated_each(const pb_msg *m, const pb_field *f, int elem_wire, pb_scalar_fn fn,
			   void *user)
{
	const pb_src *s = m->src;
	size_t count, pos, end;
	gr_status st;
	int sz = elem_size(elem_wire);

	st = pb_repeated_count(m, f, elem_wire, &count);
	if (st)
		return st;
	if (f->wire == elem_wire)
		return fn(user, f->v);
	pos = f->off;
	end = f->off + f->len;
	while (pos < end) {
		uint64_t v = 0;

		if (sz) {
			for (int i = sz - 1; i >= 0; i--)
				v = (v << 8) | s->data[pos + (size_t)i];
			pos += (size_t)sz;
		} else if ((st = pb_varint(s, &pos, end, &v))) {
			return st;
		}
		if ((st = fn(user, v)))
			return st;
	}
	return GR_OK;
}

/* --- Files -------------------------------------------------------------------------- */

/* Files from this size on are mapped for random access, those up to PB_POPULATE_MAX mapped
 * whole at once (see pb_file_map). */
#define PB_RANDOM_ACCESS_MIN ((size_t)16 << 20)
#define PB_POPULATE_MAX ((size_t)4 << 20)
/* Non-regular files (pipes, character devices) are read whole, up to this size. */
#define PB_READ_MAX ((size_t)1 << 32)

static gr_status read_all(int fd, const char *path, pb_file *f, gr_error *err)
{
	unsigned char *buf = NULL, *nb;
	size_t cap = 0, n = 0;

	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (cap >= PB_READ_MAX) {
				free(buf);
				return gr_error_set(err, GR_ERR_LIMIT,
						    "cannot read '%s': larger than %zu bytes",
						    path, PB_READ_MAX);
			}
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return gr_error_set(err, GR_ERR_NOMEM,
						    "cannot read '%s': out of memory", path);
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return gr_error_set(err, GR_ERR_IO, "cannot read '%s': %s", path,
					    strerror(errno));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	f->data = buf;
	f->size = n;
	f->mapped = 0;
	return GR_OK;
}

gr_status pb_file_map(const char *path, pb_file *f, gr_error *err)
{
	struct stat st;
	gr_status rc = GR_OK;
	int fd;

	memset(f, 0, sizeof(*f));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gr_error_set(err, GR_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		rc = gr_error_set(err, GR_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = gr_error_set(err, GR_ERR_IO, "cannot read '%s': %s", path, strerror(EISDIR));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = read_all(fd, path, f, err);
	} else if (st.st_size > 0) {
		void *p;

		if ((unsigned long long)st.st_size > SIZE_MAX) {
			rc = gr_error_set(err, GR_ERR_LIMIT, "cannot read '%s': file too large",
					  path);
			goto out;
		}
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			rc = gr_error_set(err, GR_ERR_IO, "cannot read '%s': mmap: %s", path,
					  strerror(errno));
			goto out;
		}
		f->data = p;
		f->size = (size_t)st.st_size;
		f->mapped = 1;
		/* Big files are mostly weights the reader skips: without readahead only the
		 * pages holding structure are read (a cold 100 MB ResNet-50: ~5 ms, not ~100). */
		if (f->size >= PB_RANDOM_ACCESS_MIN)
			(void)madvise(p, f->size, MADV_RANDOM);
#ifdef MADV_POPULATE_READ
		/* A small one (a weightless graph is structure throughout) gets its pages mapped
		 * in one call, not a fault per 64 KiB (each mapping 16 pages around it): on
		 * swin_s (2.8 MB) 46 faults fewer, a tenth of the kernel's share of profiling it. */
		else if (f->size <= PB_POPULATE_MAX)
			(void)madvise(p, f->size, MADV_POPULATE_READ);
#endif
	}
	if (!rc && f->size == 0) {
		pb_file_unmap(f);
		rc = gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': file is empty", path);
	}
out:
	close(fd);
	return rc;
}

void pb_file_unmap(pb_file *f)
{
	if (!f)
		return;
	if (f->mapped && f->data)
		munmap((void *)f->data, f->size);
	else
		free((void *)f->data);
	memset(f, 0, sizeof(*f));
}

const char *pb_printable(const char *s, size_t n, char *buf, size_t size)
{
	size_t i, o = 0, cap;

	if (!size)
		return "";
	cap = size - 1 < 64 ? size - 1 : 64;
	for (i = 0; i < n && o < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[o++] = (c >= 0x20 && c < 0x7f && c != '\'') ? (char)c : '?';
	}
	if (i < n && size >= 4) {
		o = o > size - 4 ? size - 4 : o;
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}
