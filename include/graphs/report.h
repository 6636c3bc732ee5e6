/* Output formats shared by every subcommand: aligned text tables, CSV and markdown
 * from one row/column model, plus number formatting (JSON: each module's gr_*_json writer). */
#ifndef GRAPHS_REPORT_H
#define GRAPHS_REPORT_H

#include <stdio.h>

#include "graphs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gr_format {
	GR_FMT_TABLE = 0,
	GR_FMT_JSON,
	GR_FMT_CSV,
	GR_FMT_MARKDOWN
} gr_format;

/* Parses "table", "json", "csv", "markdown" (or "md"); returns -1 for anything else. */
int gr_format_parse(const char *s);

typedef struct gr_table gr_table;

/* A table with ncols columns; headers are copied. Free with gr_table_free(). NULL on OOM. */
gr_table *gr_table_new(int ncols, const char *const *headers);
/* Marks column col as numeric (right-aligned in text tables). */
void gr_table_numeric(gr_table *t, int col);
/* Says that about rows rows of about row_bytes bytes of text each are coming, so that the
 * table takes its memory at once (a hint: rows are added the same without it). */
void gr_table_expect(gr_table *t, size_t rows, size_t row_bytes);
/* Appends a row; cells are copied (NULL means empty). Returns 0 on OOM. */
int gr_table_add_row(gr_table *t, const char *const *cells);
/* Writes the table in fmt (table, csv or markdown; json is not handled here). */
void gr_table_write(const gr_table *t, gr_format fmt, FILE *out);
void gr_table_free(gr_table *t);

/* Formats x with an SI suffix and 3 significant digits ("4.11G"); returns buf. */
char *gr_fmt_si(double x, char *buf, size_t size);
/* Formats bytes as "97.8 MiB"; returns buf. */
char *gr_fmt_bytes(double x, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
