/* Streaming JSON writer (json_stream.h). The layout rules are cJSON 1.7's formatted
 * printer's: an object opens with "{\n", members sit on their own lines indented by one tab
 * per open container and end with ",\n" but the last; an empty object is "{\n" then the
 * closing indent; arrays stay on one line. Numbers that are not small whole numbers are
 * printed by cJSON itself so that the digits match. */
#include "cli/json_stream.h"

#include <limits.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

void cli_jw_init(cli_jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	gr_obuf_init(&w->out, f);
}

/* One stdio call per token was a third of the time on big graphs: tokens go through the
 * buffer (core/obuf.h). */
static void flush(cli_jw *w) { gr_obuf_flush(&w->out); }
static void put(cli_jw *w, const void *s, size_t n) { gr_obuf_put(&w->out, s, n); }
static void puts_(cli_jw *w, const char *s) { gr_obuf_puts(&w->out, s); }
static void putch(cli_jw *w, char c) { gr_obuf_putc(&w->out, c); }

/* Room for need bytes at the end of the buffer, written out first when they do not fit: the
 * hot tokens (keys, counts, names) are written in place behind one check each, where a put
 * per piece (a check and a memcpy call each) was most of writing a big graph's JSON. */
static __attribute__((noinline, cold)) void flush_full(cli_jw *w) { flush(w); }

static inline char *room(cli_jw *w, size_t need)
{
	if (__builtin_expect(w->out.len + need > sizeof(w->out.buf), 0))
		flush_full(w); /* out of line: the hot writers save no registers for it */
	return w->out.buf + w->out.len;
}

static void tabs(cli_jw *w, int k)
{
	static const char t[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";

	for (; k > 16; k -= 16)
		put(w, t, 16);
	if (k > 0)
		put(w, t, (size_t)k);
}

/* Decimal digits of v (what "%llu" prints), written backwards in place. */
static inline void put_u64(cli_jw *w, unsigned long long v)
{
	char *b = room(w, 20);
	size_t n = 1;

	for (unsigned long long t = v; t >= 10; t /= 10)
		n++;
	w->out.len += n;
	b += n;
	do
		*--b = (char)('0' + v % 10);
	while (v /= 10);
}

static void put_int(cli_jw *w, int v)
{
	if (v < 0) {
		putch(w, '-');
		put_u64(w, (unsigned long long)-(long long)v);
	} else {
		put_u64(w, (unsigned long long)v);
	}
}

/* Bytes of s from p on that need no escape, eight at a time (names of big graphs are long,
 * and a byte-by-byte test was a tenth of writing their JSON): a word has a byte to escape
 * when one of its bytes is below 32, '"' or '\\' (the classic "has zero byte" test on the
 * word, on it xor '"' and on it xor '\\'). */
static const unsigned char escaped[256] = {[0 ... 31] = 1, ['"'] = 1, ['\\'] = 1};

static size_t plain_run(const unsigned char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	size_t i = 0;

#ifdef __SSE2__
	/* sixteen at a time where the target has SSE2 (all of x86-64): a byte needs an escape
	 * when min(byte, 31) is the byte itself (below 32, unsigned) or it is '"' or '\\' */
	const __m128i lo = _mm_set1_epi8(31), quote = _mm_set1_epi8('"'),
		      bslash = _mm_set1_epi8('\\');
	for (; i + 16 <= n; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i e = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, lo), x),
					 _mm_or_si128(_mm_cmpeq_epi8(x, quote),
						      _mm_cmpeq_epi8(x, bslash)));
		int m = _mm_movemask_epi8(e);
		if (m)
			return i + (size_t)__builtin_ctz((unsigned)m);
	}
	/* the rest as the last sixteen bytes, those before i tested again (and plain) */
	if (i < n && n >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + n - 16));
		__m128i e = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, lo), x),
					 _mm_or_si128(_mm_cmpeq_epi8(x, quote),
						      _mm_cmpeq_epi8(x, bslash)));
		int m = _mm_movemask_epi8(e);
		return m ? n - 16 + (size_t)__builtin_ctz((unsigned)m) : n;
	}
#endif
	for (; i + 8 <= n; i += 8) {
		uint64_t x, q, b;
		memcpy(&x, p + i, 8);
		q = x ^ (ones * '"');
		b = x ^ (ones * '\\');
		if (((x - ones * 32) | (q - ones) | (b - ones)) & ~x & ~q & ~b & highs)
			break;
	}
	for (; i < n; i++)
		if (escaped[p[i]])
			break;
	return i;
}

/* Copies the n bytes at s to dst when none of them needs an escape (0 otherwise, dst then
 * partly written): a word at a time, the last one overlapping the one before, so that no
 * byte past s[n) is read. Keys are mostly 2 to 7 bytes: two 4-byte words. */
static int copy_plain(char *dst, const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t x, q, b;
	uint32_t y, z, yq, yb, zq, zb;

	if (n >= 8) {
		for (size_t i = 0;; i += 8) {
			if (i + 8 > n)
				i = n - 8;
			memcpy(&x, s + i, 8);
			q = x ^ (ones * '"');
			b = x ^ (ones * '\\');
			if (((x - ones * 32) | (q - ones) | (b - ones)) & ~x & ~q & ~b & highs)
				return 0;
			memcpy(dst + i, &x, 8);
			if (i + 8 == n)
				return 1;
		}
	}
	if (n >= 4) {
		const uint32_t o = 0x01010101u, h = 0x80808080u;
		memcpy(&y, s, 4);
		memcpy(&z, s + n - 4, 4);
		yq = y ^ (o * '"'), yb = y ^ (o * '\\'), zq = z ^ (o * '"'), zb = z ^ (o * '\\');
		if ((((y - o * 32) | (yq - o) | (yb - o)) & ~y & ~yq & ~yb & h) ||
		    (((z - o * 32) | (zq - o) | (zb - o)) & ~z & ~zq & ~zb & h))
			return 0;
		memcpy(dst, &y, 4);
		memcpy(dst + n - 4, &z, 4);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (escaped[(unsigned char)s[i]])
			return 0;
		dst[i] = s[i];
	}
	return 1;
}

/* The n bytes at p to dst when none needs an escape (0 otherwise, dst then partly
 * written): sixteen at a time where the target has SSE2, the last block overlapping the one
 * before; shorter strings a word at a time. */
static int copy_if_plain(char *dst, const unsigned char *p, size_t n)
{
#ifdef __SSE2__
	if (n >= 16) {
		const __m128i lo = _mm_set1_epi8(31), quote = _mm_set1_epi8('"'),
			      bslash = _mm_set1_epi8('\\');
		for (size_t i = 0;; i += 16) {
			__m128i x, e;
			if (i + 16 > n)
				i = n - 16;
			x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			e = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, lo), x),
					 _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)));
			if (_mm_movemask_epi8(e))
				return 0;
			_mm_storeu_si128((__m128i *)(void *)(dst + i), x);
			if (i + 16 == n)
				return 1;
		}
	}
#endif
	return copy_plain(dst, (const char *)p, n);
}

/* cJSON's string escapes: the two-character ones, \u00XX for other control bytes, every
 * other byte (UTF-8 included) as it is. */
static void str(cli_jw *w, const char *s)
{
	char u[8];
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);

	/* the common case in place: a string with nothing to escape, as most names are,
	 * tested and copied in one pass */
	if (n <= sizeof(w->out.buf) / 4) {
		char *b = room(w, n + 2);
		if (copy_if_plain(b + 1, p, n)) {
			b[0] = '"';
			b[n + 1] = '"';
			w->out.len += n + 2;
			return;
		}
	}
	putch(w, '"');
	while (n) {
		size_t k = plain_run(p, n);
		put(w, p, k);
		p += k;
		n -= k;
		if (!n)
			break;
		switch (*p) {
		case '"': puts_(w, "\\\""); break;
		case '\\': puts_(w, "\\\\"); break;
		case '\b': puts_(w, "\\b"); break;
		case '\f': puts_(w, "\\f"); break;
		case '\n': puts_(w, "\\n"); break;
		case '\r': puts_(w, "\\r"); break;
		case '\t': puts_(w, "\\t"); break;
		default:
			snprintf(u, sizeof(u), "\\u%04x", *p);
			puts_(w, u);
			break;
		}
		p++;
		n--;
	}
	putch(w, '"');
}

/* What comes before a value: the separator, and inside an object the indent and the key
 * (n bytes: its strlen, which the header's wrappers take at compile time for literals). */
void cli_jw_key_n(cli_jw *w, const char *k, size_t n)
{
	static const char tab16[16] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
	int d = w->depth;

	if (d == 0)
		return;
	if (!w->is_obj[d - 1]) {
		if (w->n[d - 1]++)
			put(w, ", ", 2);
		return;
	}
	if (!k)
		k = "", n = 0;
	/* the common case written in place: a key of up to 64 bytes with nothing to escape
	 * (keys are a dozen per node of a big graph); anything else leaves the buffer as it
	 * was and takes the general path below, which writes the same bytes */
	if (d <= 16 && n <= 64) {
		char *b = room(w, 2 + 16 + 1 + 64 + 3), *start = b;
		if (w->n[d - 1]) {
			*b++ = ',';
			*b++ = '\n';
		}
		memcpy(b, tab16, 16); /* d of them kept */
		b += d;
		*b++ = '"';
		if (copy_plain(b, k, n)) {
			memcpy(b + n, "\":\t", 3);
			w->out.len += (size_t)(b + n + 3 - start);
			w->n[d - 1]++;
			return;
		}
	}
	if (w->n[d - 1])
		put(w, ",\n", 2);
	tabs(w, d);
	str(w, k);
	put(w, ":\t", 2);
	w->n[d - 1]++;
}

static void key(cli_jw *w, const char *k, size_t n) { cli_jw_key_n(w, k, n); }

void cli_jw_open_slow(cli_jw *w, int obj)
{
	char *b = room(w, 2);

	b[0] = obj ? '{' : '[';
	b[1] = '\n';
	w->out.len += obj ? 2 : 1;
	if (w->depth < CLI_JW_DEPTH) {
		w->n[w->depth] = 0;
		w->is_obj[w->depth] = (char)obj;
	}
	w->depth++;
}

static void jw_open(cli_jw *w, const char *k, size_t kn, int obj)
{
	key(w, k, kn);
	cli_jw_open_v(w, obj);
}

void cli_jw_object_n(cli_jw *w, const char *k, size_t kn) { jw_open(w, k, kn, 1); }
void cli_jw_array_n(cli_jw *w, const char *k, size_t kn) { jw_open(w, k, kn, 0); }

void cli_jw_end_slow(cli_jw *w)
{
	int d = w->depth;

	if (d <= 0)
		return;
	if (w->is_obj[d - 1]) {
		if (w->n[d - 1])
			putch(w, '\n');
		tabs(w, d - 1);
		putch(w, '}');
	} else {
		putch(w, ']');
	}
	w->depth--;
}

void cli_jw_string_v(cli_jw *w, const char *s) { str(w, s); }

void cli_jw_string_n(cli_jw *w, const char *k, size_t kn, const char *s)
{
	key(w, k, kn);
	str(w, s);
}

void cli_jw_raw_v(cli_jw *w, const char *raw) { puts_(w, raw ? raw : ""); }

void cli_jw_bool_v(cli_jw *w, int v)
{
	memcpy(room(w, 5), v ? "true" : "false", 5); /* "true" copies its NUL, not counted */
	w->out.len += v ? 4 : 5;
}

void cli_jw_raw_n(cli_jw *w, const char *k, size_t kn, const char *raw)
{
	key(w, k, kn);
	cli_jw_raw_v(w, raw);
}

void cli_jw_bool_n(cli_jw *w, const char *k, size_t kn, int v)
{
	cli_jw_raw_n(w, k, kn, v ? "true" : "false");
}

void cli_jw_null_n(cli_jw *w, const char *k, size_t kn) { cli_jw_raw_n(w, k, kn, "null"); }

/* item's number as cJSON prints it: valueint when it equals the double ("%d"), else
 * cJSON's own digits (it tries %1.15g, then %1.17g when that does not read back). */
static void number(cli_jw *w, const cJSON *item)
{
	char buf[64];

	if (!isnan(item->valuedouble) && !isinf(item->valuedouble) &&
	    item->valuedouble == (double)item->valueint) {
		put_int(w, item->valueint);
		return;
	}
	if (!cJSON_PrintPreallocated((cJSON *)item, buf, (int)sizeof(buf), 0))
		snprintf(buf, sizeof(buf), "null");
	puts_(w, buf);
}

void cli_jw_number_v(cli_jw *w, double v)
{
	cJSON item;

	/* what number() prints for a whole number in int's range, without building the item
	 * (dims of shapes: several per node) */
	if (v > INT_MIN && v < INT_MAX && v == (double)(int)v) {
		put_int(w, (int)v);
		return;
	}
	memset(&item, 0, sizeof(item));
	item.type = cJSON_Number;
	cJSON_SetNumberHelper(&item, v); /* valueint saturated as cJSON_CreateNumber does */
	number(w, &item);
}

void cli_jw_number_n(cli_jw *w, const char *k, size_t kn, double v)
{
	key(w, k, kn);
	cli_jw_number_v(w, v);
}

void cli_jw_count_v(cli_jw *w, double v)
{
	char buf[48];

	if (!isfinite(v) || v < 0)
		v = 0;
	/* floor(v + 0.5) below 2^53 prints as its digits; the conversion truncates, which for
	 * v + 0.5 >= 0 is that floor (without libm's, a tenth of the writer's time) */
	if (v + 0.5 < 9007199254740992.0) {
		put_u64(w, (unsigned long long)(v + 0.5));
		return;
	}
	snprintf(buf, sizeof(buf), "%.0f", floor(v + 0.5));
	puts_(w, buf);
}

void cli_jw_count_n(cli_jw *w, const char *k, size_t kn, double v)
{
	key(w, k, kn);
	cli_jw_count_v(w, v);
}

void cli_jw_cjson(cli_jw *w, const char *k, const cJSON *item)
{
	const cJSON *c;

	if (!item)
		return;
	switch (item->type & 0xff) {
	case cJSON_False: cli_jw_bool(w, k, 0); break;
	case cJSON_True: cli_jw_bool(w, k, 1); break;
	case cJSON_NULL: cli_jw_null(w, k); break;
	case cJSON_Number:
		key(w, k, cli_jw_klen(k));
		number(w, item);
		break;
	case cJSON_String: cli_jw_string(w, k, item->valuestring); break;
	case cJSON_Raw: cli_jw_raw(w, k, item->valuestring); break;
	case cJSON_Array:
	case cJSON_Object:
		jw_open(w, k, cli_jw_klen(k), (item->type & 0xff) == cJSON_Object);
		for (c = item->child; c; c = c->next)
			cli_jw_cjson(w, c->string, c);
		cli_jw_end(w);
		break;
	default: break;
	}
}

void cli_jw_shape_v(cli_jw *w, const gr_tensor *t)
{
	if (gr_tensor_rank(t) < 0) {
		cli_jw_raw_v(w, "null");
		return;
	}
	cli_jw_open_v(w, 0);
	for (int i = 0; i < gr_tensor_rank(t); i++) {
		gr_dim d = gr_tensor_dim(t, i);
		if (d.value >= 0)
			cli_jw_number(w, NULL, (double)d.value);
		else if (d.sym)
			cli_jw_string(w, NULL, d.sym);
		else
			cli_jw_null(w, NULL);
	}
	cli_jw_end(w);
}

void cli_jw_shape_n(cli_jw *w, const char *k, size_t kn, const gr_tensor *t)
{
	key(w, k, kn);
	cli_jw_shape_v(w, t);
}

void cli_jw_finish(cli_jw *w)
{
	while (w->depth > 0)
		cli_jw_end(w);
	putch(w, '\n');
	flush(w);
}
