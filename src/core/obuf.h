/* A write buffer in front of a FILE: reports of big graphs are hundreds of thousands of short
 * pieces (cells, padding, separators), and one stdio call per piece (each taking the stream's
 * lock and walking its layers) cost more than formatting them. Pieces are copied here and
 * handed to fwrite in blocks; the FILE's own error state still reports failed writes. */
#ifndef GRAPHS_CORE_OBUF_H
#define GRAPHS_CORE_OBUF_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct gr_obuf {
	FILE *f;
	size_t len;
	/* a flush costs stdio two write calls (its own 4 KiB, then the rest): 64 KiB makes a
	 * big graph's JSON 130 calls, 16 KiB made it 520 */
	char buf[65536];
} gr_obuf;

static inline void gr_obuf_init(gr_obuf *b, FILE *f)
{
	b->f = f;
	b->len = 0;
}

static inline void gr_obuf_flush(gr_obuf *b)
{
	if (b->len)
		fwrite(b->buf, 1, b->len, b->f);
	b->len = 0;
}

static inline void gr_obuf_put(gr_obuf *b, const void *s, size_t n)
{
	if (b->len + n > sizeof(b->buf)) {
		gr_obuf_flush(b);
		if (n > sizeof(b->buf)) {
			fwrite(s, 1, n, b->f);
			return;
		}
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
}

static inline void gr_obuf_puts(gr_obuf *b, const char *s)
{
	gr_obuf_put(b, s, strlen(s));
}

static inline void gr_obuf_putc(gr_obuf *b, char c)
{
	if (b->len == sizeof(b->buf))
		gr_obuf_flush(b);
	b->buf[b->len++] = c;
}

/* n copies of c (padding, rules). */
static inline void gr_obuf_fill(gr_obuf *b, char c, size_t n)
{
	while (n) {
		size_t room, m;
		if (b->len == sizeof(b->buf))
			gr_obuf_flush(b);
		room = sizeof(b->buf) - b->len;
		m = n < room ? n : room;
		memset(b->buf + b->len, c, m);
		b->len += m;
		n -= m;
	}
}

#endif
