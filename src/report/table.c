/* Text table, CSV and markdown rendering for gr_table. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/csv.h"
#include "graphs/report.h"

struct gr_table {
	int ncols;
	char **headers;
	char *numeric;
	char ***rows;
	size_t nrows, cap;
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
	if (!t->headers || !t->numeric) {
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
	row = calloc((size_t)t->ncols, sizeof(char *));
	if (!row)
		return 0;
	for (int i = 0; i < t->ncols; i++)
		if (!(row[i] = dup_or_empty(cells[i]))) {
			while (i--)
				free(row[i]);
			free(row);
			return 0;
		}
	t->rows[t->nrows++] = row;
	return 1;
}

void gr_table_free(gr_table *t)
{
	if (!t)
		return;
	for (size_t r = 0; r < t->nrows; r++) {
		for (int i = 0; i < t->ncols; i++)
			free(t->rows[r][i]);
		free(t->rows[r]);
	}
	for (int i = 0; t->headers && i < t->ncols; i++)
		free(t->headers[i]);
	free(t->headers);
	free(t->numeric);
	free(t->rows);
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
	/* aligned text */
	size_t *w = calloc((size_t)t->ncols, sizeof(size_t));
	if (!w)
		return;
	for (int i = 0; i < t->ncols; i++) {
		w[i] = strlen(t->headers[i]);
		for (size_t r = 0; r < t->nrows; r++) {
			size_t l = strlen(t->rows[r][i]);
			if (l > w[i])
				w[i] = l;
		}
		if (w[i] > 60)
			w[i] = 60;
	}
	for (int i = 0; i < t->ncols; i++)
		fprintf(out, i + 1 < t->ncols ? "%-*s  " : "%-*s", (int)w[i], t->headers[i]);
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
			const char *sep = i + 1 < t->ncols ? "  " : "";
			if (t->numeric[i])
				fprintf(out, "%*s%s", (int)w[i], c, sep);
			else if (i + 1 < t->ncols)
				fprintf(out, "%-*.*s%s", (int)w[i], (int)w[i], c, sep);
			else
				fputs(c, out);
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
