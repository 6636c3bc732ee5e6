/* Text table, CSV and markdown rendering for gr_table. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena_fast.h"
#include "core/array.h"
#include "core/obuf.h"
#include "graphs/arena.h"
#include "graphs/report.h"
#include "report/table_arena.h"

/* Cells live in one arena (one allocation per cell made tables of 200k rows slow), and
 * each column's widest cell is kept as rows come. */
struct gr_table {
	int ncols;
	char **headers;
	char *numeric;
	size_t *width;
	size_t *len;           /* the lengths of the row being added */
	char **rows;           /* row blocks (below) */
	size_t nrows, cap;
	gr_arena *cells;
	int own_cells;         /* 0: cells live in an arena of the caller's (gr_table_new_in) */
	int rows_in_arena;     /* the row list is in cells' arena (gr_table_expect), not malloc'd */
	char *blk;             /* rows are packed into blocks of the arena: blk_left bytes left */
	size_t blk_left;
};

int gr_format_parse(const char *s)
{
	if (!s)
		return -1;
	if (!strcmp(s, "table") || !strcmp(s, "text"))
		return GR_FMT_TABLE;
	if (!strcmp(s, "json"))
		return GR_FMT_JSON;
	if (!strcmp(s, "csv"))
		return GR_FMT_CSV;
	if (!strcmp(s, "markdown") || !strcmp(s, "md"))
		return GR_FMT_MARKDOWN;
	return -1;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

gr_table *gr_table_new(int ncols, const char *const *headers)
{
	return gr_table_new_in(ncols, headers, NULL);
}

gr_table *gr_table_new_in(int ncols, const char *const *headers, gr_arena *cells)
{
	gr_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->ncols = ncols;
	t->own_cells = !cells;
	t->headers = calloc((size_t)ncols, sizeof(char *));
	t->numeric = calloc((size_t)ncols, 1);
	t->width = calloc((size_t)ncols, sizeof(size_t));
	t->len = calloc((size_t)ncols, sizeof(size_t));
	t->cells = cells ? cells : gr_arena_new();
	if (!t->headers || !t->numeric || !t->width || !t->len || !t->cells) {
		gr_table_free(t);
		return NULL;
	}
	for (int i = 0; i < ncols; i++)
		if (!(t->headers[i] = dup_or_empty(headers[i]))) {
			gr_table_free(t);
			return NULL;
		}
	return t;
}

void gr_table_numeric(gr_table *t, int col)
{
	if (t && col >= 0 && col < t->ncols)
		t->numeric[col] = 1;
}

void gr_table_expect(gr_table *t, size_t rows, size_t row_bytes)
{
	size_t per_row;

	if (!t || row_bytes > SIZE_MAX / 4)
		return;
	per_row = (size_t)t->ncols * sizeof(uint32_t) + row_bytes + 16; /* lengths, rounding */
	if (rows > SIZE_MAX / 2 / per_row)
		return;
	/* the row list sized once; the cells in one chunk, on huge pages from 2 MiB (a big
	 * graph's 1.4 MB of rows took 350 faults of 4 KiB in chunks doubling from 64 KiB) */
	if (!t->cap && rows) {
		/* in the caller's arena when its backed pages have room: malloc'd, a big graph's
		 * list (8 bytes a row) was fresh pages, a fault each */
		char **list = t->own_cells || rows > SIZE_MAX / 2 / sizeof(*list) ? NULL :
			      gr_arena_alloc_backed(t->cells, (rows + 1) * sizeof(*list));
		if (list) {
			t->rows = list;
			t->cap = rows + 1;
			t->rows_in_arena = 1;
		} else {
			(void)gr_array_reserve(&t->rows, &t->cap, 0, sizeof(*t->rows), rows + 1);
		}
	}
	if (t->own_cells)
		gr_arena_expect(t->cells, rows * per_row);
}

/* A row is the cells' lengths, then the cells one after the other, each with its NUL. The
 * lengths are kept so that the text writer need not measure every cell again (strlen per
 * cell, twice here and once there, was a fifth of a big graph's table); no pointer per cell,
 * as the writers walk the cells in order. Rows are packed back to back (2-byte aligned for
 * the lengths) in blocks of ROW_BLOCK: one arena block each, rounded to 16 bytes, and lengths
 * of 4 bytes made a big graph's rows a fifth larger, all of it memory the kernel clears. */
typedef uint16_t cell_len;
#define CELL_LEN_MAX UINT16_MAX  /* a longer cell is measured again when written */
#define ROW_BLOCK ((size_t)64 << 10)

/* The cells of row r; *lens gets their lengths. */
static const char *row_cells(const gr_table *t, size_t r, const cell_len **lens)
{
	*lens = (const cell_len *)t->rows[r];
	return t->rows[r] + (size_t)t->ncols * sizeof(cell_len);
}

static size_t cell_length(const char *c, cell_len l)
{
	return l < CELL_LEN_MAX ? l : strlen(c);
}

/* The n bytes at s to d, inline for the short cells most are (a memcpy call per cell was a
 * fifth of adding a row and of writing it): two overlapping words, reading and writing only
 * those n bytes. */
static inline void copy_cell(char *d, const char *s, size_t n)
{
	if (n >= 8 && n <= 16) {
		uint64_t a, b;
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4 && n < 8) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + n - 4, &b, 4);
	} else if (n < 4) {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else {
		memcpy(d, s, n);
	}
}

/* A row whose cells' lengths are len[]. */
static inline int add_row(gr_table *t, const char *const *cells, const size_t *len)
{
	size_t total = (size_t)t->ncols * sizeof(cell_len);
	char *row, *p;
	cell_len *lens;

	if (t->rows_in_arena && t->nrows == t->cap) {
		/* more rows than expected: the list moves to the heap, where it can grow */
		char **list = malloc(2 * t->cap * sizeof(*list));
		if (!list)
			return 0;
		memcpy(list, t->rows, t->nrows * sizeof(*list));
		t->rows = list;
		t->cap *= 2;
		t->rows_in_arena = 0;
	}
	if (!gr_array_reserve(&t->rows, &t->cap, t->nrows, sizeof(*t->rows), 32))
		return 0;
	for (int i = 0; i < t->ncols; i++)
		total += len[i] + 1;
	total = (total + 1) & ~(size_t)1;
	if (total > t->blk_left) {
		size_t size = total > ROW_BLOCK ? total : ROW_BLOCK;
		if (!(t->blk = gr_arena_alloc(t->cells, size)))
			return 0;
		t->blk_left = size;
	}
	row = t->blk;
	t->blk += total;
	t->blk_left -= total;
	lens = (cell_len *)row;
	p = row + (size_t)t->ncols * sizeof(cell_len);
	for (int i = 0; i < t->ncols; i++) {
		size_t l = len[i];
		lens[i] = l < CELL_LEN_MAX ? (cell_len)l : CELL_LEN_MAX;
		copy_cell(p, cells[i], l);
		p[l] = '\0';
		p += l + 1;
		if (l > t->width[i])
			t->width[i] = l;
	}
	t->rows[t->nrows++] = row;
	return 1;
}

int gr_table_add_row(gr_table *t, const char *const *cells)
{
	for (int i = 0; i < t->ncols; i++)
		t->len[i] = cells[i] ? strlen(cells[i]) : 0;
	return add_row(t, cells, t->len);
}

int gr_table_add_row_n(gr_table *t, const char *const *cells, const size_t *lens)
{
	return add_row(t, cells, lens);
}

void gr_table_free(gr_table *t)
{
	if (!t)
		return;
	for (int i = 0; t->headers && i < t->ncols; i++)
		free(t->headers[i]);
	free(t->headers);
	free(t->numeric);
	free(t->width);
	free(t->len);
	if (!t->rows_in_arena)
		free(t->rows);
	if (t->own_cells)
		gr_arena_free(t->cells);
	free(t);
}

static void write_md_cell(gr_obuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			gr_obuf_putc(b, '\\');
		gr_obuf_putc(b, *s == '\n' ? ' ' : *s);
	}
}

/* gr_csv_write_field's quoting, into the buffer. */
static void write_csv_cell(gr_obuf *b, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		gr_obuf_puts(b, s);
		return;
	}
	gr_obuf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			gr_obuf_putc(b, '"');
		gr_obuf_putc(b, *s);
	}
	gr_obuf_putc(b, '"');
}

static void write_csv(const gr_table *t, gr_obuf *b)
{
	for (int i = 0; i < t->ncols; i++) {
		if (i)
			gr_obuf_putc(b, ',');
		write_csv_cell(b, t->headers[i]);
	}
	gr_obuf_putc(b, '\n');
	for (size_t r = 0; r < t->nrows; r++) {
		const cell_len *lens;
		const char *c = row_cells(t, r, &lens);
		for (int i = 0; i < t->ncols; c += cell_length(c, lens[i++]) + 1) {
			if (i)
				gr_obuf_putc(b, ',');
			write_csv_cell(b, c);
		}
		gr_obuf_putc(b, '\n');
	}
}

static void write_markdown(const gr_table *t, gr_obuf *b)
{
	gr_obuf_putc(b, '|');
	for (int i = 0; i < t->ncols; i++) {
		gr_obuf_putc(b, ' ');
		write_md_cell(b, t->headers[i]);
		gr_obuf_puts(b, " |");
	}
	gr_obuf_puts(b, "\n|");
	for (int i = 0; i < t->ncols; i++)
		gr_obuf_puts(b, t->numeric[i] ? " ---: |" : " --- |");
	gr_obuf_putc(b, '\n');
	for (size_t r = 0; r < t->nrows; r++) {
		const cell_len *lens;
		const char *c = row_cells(t, r, &lens);
		gr_obuf_putc(b, '|');
		for (int i = 0; i < t->ncols; c += cell_length(c, lens[i++]) + 1) {
			gr_obuf_putc(b, ' ');
			write_md_cell(b, c);
			gr_obuf_puts(b, " |");
		}
		gr_obuf_putc(b, '\n');
	}
}

/* The row at c laid out in the buffer in place, as write_text's general path writes it: its
 * span set to spaces in one memset and each cell copied to its column. A fill call and a
 * separator per cell were half the instructions of writing a big graph's table. fixed: the
 * span of the columns before a last text column (of all when the last is numeric) when no
 * numeric cell can be wider than its column, so that the row need not be measured first;
 * SIZE_MAX otherwise. 0 when the row is longer than the buffer (the caller writes it piece
 * by piece). */
static int put_row_in_place(const gr_table *t, gr_obuf *b, const size_t *w, size_t fixed,
			    const char *c, const cell_len *lens)
{
	int last = t->ncols - 1, last_text = !t->numeric[last];
	size_t span = 1, at = 0; /* the newline */
	const char *p = c;
	char *dst;

	if (fixed != SIZE_MAX && lens[last] < CELL_LEN_MAX) {
		span += fixed + (last_text ? lens[last] : 0);
	} else {
		for (int i = 0; i <= last; i++) {
			size_t l = cell_length(p, lens[i]);
			p += l + 1;
			if (i == last && last_text)
				span += l;
			else
				span += (t->numeric[i] && l > w[i] ? l : w[i]) + (i < last ? 2 : 0);
		}
	}
	if (span > sizeof(b->buf))
		return 0;
	if (b->len + span > sizeof(b->buf))
		gr_obuf_flush(b);
	dst = b->buf + b->len;
	memset(dst, ' ', span);
	for (int i = 0; i <= last; i++) {
		size_t l = cell_length(c, lens[i]);
		if (i == last && last_text) {
			copy_cell(dst + at, c, l);
			at += l;
		} else if (t->numeric[i]) {
			at += l < w[i] ? w[i] - l : 0;
			copy_cell(dst + at, c, l);
			at += l + (i < last ? 2 : 0);
		} else {
			copy_cell(dst + at, c, l < w[i] ? l : w[i]);
			at += w[i] + (i < last ? 2 : 0);
		}
		c += l + 1;
	}
	dst[at] = '\n';
	b->len += at + 1;
	return 1;
}

/* Aligned text: what printf's "%-*s", "%*s" and "%-*.*s" gave, without printf per cell. */
static void write_text(const gr_table *t, gr_obuf *b, size_t *w)
{
	size_t fixed = 0;

	for (int i = 0; i < t->ncols; i++) {
		w[i] = strlen(t->headers[i]);
		if (t->width[i] > w[i])
			w[i] = t->width[i];
		if (w[i] > 60)
			w[i] = 60;
	}
	for (int i = 0; i < t->ncols && fixed != SIZE_MAX; i++) {
		if (t->numeric[i] && t->width[i] > w[i])
			fixed = SIZE_MAX; /* a numeric cell wider than its column: rows measured */
		else if (i + 1 < t->ncols || t->numeric[i])
			fixed += w[i] + (i + 1 < t->ncols ? 2 : 0);
	}
	for (int i = 0; i < t->ncols; i++) {
		size_t l = strlen(t->headers[i]);
		gr_obuf_put(b, t->headers[i], l);
		gr_obuf_fill(b, ' ', l < w[i] ? w[i] - l : 0);
		if (i + 1 < t->ncols)
			gr_obuf_put(b, "  ", 2);
	}
	gr_obuf_putc(b, '\n');
	for (int i = 0; i < t->ncols; i++) {
		gr_obuf_fill(b, '-', w[i]);
		if (i + 1 < t->ncols)
			gr_obuf_put(b, "  ", 2);
	}
	gr_obuf_putc(b, '\n');
	for (size_t r = 0; r < t->nrows; r++) {
		const cell_len *lens;
		const char *c = row_cells(t, r, &lens), *next;
		if (put_row_in_place(t, b, w, fixed, c, lens))
			continue;
		for (int i = 0; i < t->ncols; i++, c = next) {
			size_t l = cell_length(c, lens[i]);
			next = c + l + 1;
			if (i + 1 == t->ncols && !t->numeric[i]) {
				gr_obuf_put(b, c, l);
				break;
			}
			if (t->numeric[i]) {
				gr_obuf_fill(b, ' ', l < w[i] ? w[i] - l : 0);
				gr_obuf_put(b, c, l);
			} else {
				if (l > w[i])
					l = w[i];
				gr_obuf_put(b, c, l);
				gr_obuf_fill(b, ' ', w[i] - l);
			}
			if (i + 1 < t->ncols)
				gr_obuf_put(b, "  ", 2);
		}
		gr_obuf_putc(b, '\n');
	}
}

void gr_table_write(const gr_table *t, gr_format fmt, FILE *out)
{
	/* the buffer from the cells' arena when its backed pages have room (a big graph's
	 * profile: a malloc'd one was 16 fresh pages, a fault each), left there */
	gr_obuf *in_arena = gr_arena_alloc_backed(t->cells, sizeof(gr_obuf));
	gr_obuf *b = in_arena ? in_arena : malloc(sizeof(*b));
	size_t *w = calloc((size_t)t->ncols + 1, sizeof(size_t));

	if (!b || !w) {
		if (!in_arena)
			free(b);
		free(w);
		return;
	}
	gr_obuf_init(b, out);
	if (fmt == GR_FMT_CSV)
		write_csv(t, b);
	else if (fmt == GR_FMT_MARKDOWN)
		write_markdown(t, b);
	else
		write_text(t, b, w);
	gr_obuf_flush(b);
	free(w);
	if (!in_arena)
		free(b);
}

/* Writes the digits of v (what "%llu" prints) at buf; returns their count. */
static size_t put_digits(char *buf, unsigned long long v)
{
	char d[24];
	size_t i = sizeof(d), n;

	do
		d[--i] = (char)('0' + v % 10);
	while (v /= 10);
	n = sizeof(d) - i;
	memcpy(buf, d + i, n);
	return n;
}

/* What snprintf(buf, size, "%.0f", x) for a whole x, or "%.3g" for 1 <= |x| < 1000, then
 * suffix, print, without printf: a profile of a big graph formats two of these per node and
 * printf's float path was a tenth of its time. Returns 0 (buf untouched) where the result
 * could differ from printf's: x within a millionth of a rounding tie (printf rounds the
 * exact binary value, which a scaled double cannot tell), x rounding up to 1000 ("1e+03"),
 * -0, and everything outside those ranges. */
static int fmt_si_fast(double x, const char *suffix, int whole, char *buf, size_t size)
{
	char out[48];
	size_t n = 0;
	double a = fabs(x);

	if (x < 0)
		out[n++] = '-';
	if (whole) {
		if (a >= 9007199254740992.0 || (x == 0 && signbit(x)))
			return 0;
		n += put_digits(out + n, (unsigned long long)a);
	} else {
		int e = a >= 100 ? 2 : a >= 10 ? 1 : 0;
		double scaled, frac;
		unsigned m;
		char d[3];
		int last;

		if (!(a >= 1 && a < 1000))
			return 0;
		scaled = a * (e == 2 ? 1 : e == 1 ? 10 : 100);
		frac = scaled - floor(scaled);
		if (fabs(frac - 0.5) < 1e-6)
			return 0;
		m = (unsigned)(scaled + 0.5);
		if (m == 1000) {
			if (e == 2)
				return 0;
			e++;
			m = 100;
		}
		d[0] = (char)('0' + m / 100);
		d[1] = (char)('0' + m / 10 % 10);
		d[2] = (char)('0' + m % 10);
		last = 2;
		while (last > e && d[last] == '0')
			last--;
		for (int i = 0; i <= last; i++) {
			out[n++] = d[i];
			if (i == e && i < last)
				out[n++] = '.';
		}
	}
	for (; *suffix; suffix++)
		out[n++] = *suffix;
	if (n >= size)
		return 0;
	memcpy(buf, out, n);
	buf[n] = '\0';
	return 1;
}

char *gr_fmt_si(double x, char *buf, size_t size)
{
	static const char *suffix[] = {"", "K", "M", "G", "T", "P", "E"};
	int k = 0;
	double a = fabs(x);

	if (x == 0 && !signbit(x) && size >= 2) { /* most nodes of a big graph: no FLOPs */
		buf[0] = '0';
		buf[1] = '\0';
		return buf;
	}
	if (!isfinite(x)) {
		snprintf(buf, size, "?");
		return buf;
	}
	while (a >= 1000.0 && k < 6) {
		a /= 1000.0;
		x /= 1000.0;
		k++;
	}
	if (k == 0 && x == floor(x)) {
		if (!fmt_si_fast(x, "", 1, buf, size))
			snprintf(buf, size, "%.0f", x);
	} else if (!fmt_si_fast(x, suffix[k], 0, buf, size)) {
		snprintf(buf, size, "%.3g%s", x, suffix[k]);
	}
	return buf;
}

char *gr_fmt_bytes(double x, char *buf, size_t size)
{
	static const char *suffix[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	int k = 0;

	while (x >= 1024.0 && k < 5) {
		x /= 1024.0;
		k++;
	}
	if (k == 0)
		snprintf(buf, size, "%.0f B", x);
	else
		snprintf(buf, size, "%.1f %s", x, suffix[k]);
	return buf;
}
