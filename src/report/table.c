/* Text table, CSV and markdown rendering for gr_table. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/csv.h"
#include "graphs/arena.h"
#include "graphs/report.h"

/* Cells live in one arena (one allocation per cell made tables of 200k rows slow), and
 * each column's widest cell is kept as rows come. */
struct gr_table {
	int ncols;
	char **headers;
	char *numeric;
	size_t *width;
	char ***rows;
	size_t nrows, cap;
	gr_arena *cells;
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
	gr_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->ncols = ncols;
	t->headers = calloc((size_t)ncols, sizeof(char *));
	t->numeric = calloc((size_t)ncols, 1);
	t->width = calloc((size_t)ncols, sizeof(size_t));
	t->cells = gr_arena_new();
	if (!t->headers || !t->numeric || !t->width || !t->cells) {
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

int gr_table_add_row(gr_table *t, const char *const *cells)
{
	char **row;

	if (!gr_array_reserve(&t->rows, &t->cap, t->nrows, sizeof(*t->rows), 32))
		return 0;
	row = gr_arena_calloc(t->cells, (size_t)t->ncols, sizeof(char *));
	if (!row)
		return 0;
	for (int i = 0; i < t->ncols; i++) {
		size_t l = cells[i] ? strlen(cells[i]) : 0;
		if (!(row[i] = gr_arena_strndup(t->cells, cells[i], l)))
			return 0;
		if (l > t->width[i])
			t->width[i] = l;
	}
	t->rows[t->nrows++] = row;
	return 1;
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
	free(t->rows);
	gr_arena_free(t->cells);
	free(t);
}

static void write_md_cell(const char *s, FILE *out)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', out);
		fputc(*s == '\n' ? ' ' : *s, out);
	}
}

static void pad(FILE *out, size_t k)
{
	static const char spaces[] = "                                                                ";

	while (k) {
		size_t m = k < sizeof(spaces) - 1 ? k : sizeof(spaces) - 1;
		fwrite(spaces, 1, m, out);
		k -= m;
	}
}

void gr_table_write(const gr_table *t, gr_format fmt, FILE *out)
{
	if (fmt == GR_FMT_CSV) {
		for (int i = 0; i < t->ncols; i++) {
			if (i)
				fputc(',', out);
			gr_csv_write_field(out, t->headers[i]);
		}
		fputc('\n', out);
		for (size_t r = 0; r < t->nrows; r++) {
			for (int i = 0; i < t->ncols; i++) {
				if (i)
					fputc(',', out);
				gr_csv_write_field(out, t->rows[r][i]);
			}
			fputc('\n', out);
		}
		return;
	}
	if (fmt == GR_FMT_MARKDOWN) {
		fputc('|', out);
		for (int i = 0; i < t->ncols; i++) {
			fputc(' ', out);
			write_md_cell(t->headers[i], out);
			fputs(" |", out);
		}
		fputs("\n|", out);
		for (int i = 0; i < t->ncols; i++)
			fputs(t->numeric[i] ? " ---: |" : " --- |", out);
		fputc('\n', out);
		for (size_t r = 0; r < t->nrows; r++) {
			fputc('|', out);
			for (int i = 0; i < t->ncols; i++) {
				fputc(' ', out);
				write_md_cell(t->rows[r][i], out);
				fputs(" |", out);
			}
			fputc('\n', out);
		}
		return;
	}
	/* aligned text: what printf's "%-*s", "%*s" and "%-*.*s" gave, without printf per cell */
	size_t *w = calloc((size_t)t->ncols, sizeof(size_t));
	if (!w)
		return;
	for (int i = 0; i < t->ncols; i++) {
		w[i] = strlen(t->headers[i]);
		if (t->width[i] > w[i])
			w[i] = t->width[i];
		if (w[i] > 60)
			w[i] = 60;
	}
	for (int i = 0; i < t->ncols; i++) {
		size_t l = strlen(t->headers[i]);
		fputs(t->headers[i], out);
		pad(out, l < w[i] ? w[i] - l : 0);
		if (i + 1 < t->ncols)
			fputs("  ", out);
	}
	fputc('\n', out);
	for (int i = 0; i < t->ncols; i++) {
		for (size_t k = 0; k < w[i]; k++)
			fputc('-', out);
		if (i + 1 < t->ncols)
			fputs("  ", out);
	}
	fputc('\n', out);
	for (size_t r = 0; r < t->nrows; r++) {
		for (int i = 0; i < t->ncols; i++) {
			const char *c = t->rows[r][i];
			size_t l = strlen(c);
			if (i + 1 == t->ncols && !t->numeric[i]) {
				fputs(c, out);
				break;
			}
			if (t->numeric[i]) {
				pad(out, l < w[i] ? w[i] - l : 0);
				fwrite(c, 1, l, out);
			} else {
				if (l > w[i])
					l = w[i];
				fwrite(c, 1, l, out);
				pad(out, w[i] - l);
			}
			if (i + 1 < t->ncols)
				fputs("  ", out);
		}
		fputc('\n', out);
	}
	free(w);
}

char *gr_fmt_si(double x, char *buf, size_t size)
{
	static const char *suffix[] = {"", "K", "M", "G", "T", "P", "E"};
	int k = 0;
	double a = fabs(x);

	if (!isfinite(x)) {
		snprintf(buf, size, "?");
		return buf;
	}
	while (a >= 1000.0 && k < 6) {
		a /= 1000.0;
		x /= 1000.0;
		k++;
	}
	if (k == 0 && x == floor(x))
		snprintf(buf, size, "%.0f", x);
	else
		snprintf(buf, size, "%.3g%s", x, suffix[k]);
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
