/* Private pieces of the sweep module shared by sweep.c, sweep_html.c and sweep_merge.c. */
#ifndef GRAPHS_ANALYSIS_SWEEP_IMPL_H
#define GRAPHS_ANALYSIS_SWEEP_IMPL_H

#include <stdio.h>

#include "graphs/sweep.h"

/* Rows kept for the html page; reasons are copied, the other strings borrowed. */
typedef struct sweep_rows {
	gr_sweep_row *v;
	size_t n, cap;
} sweep_rows;
int sweep_rows_add(sweep_rows *s, const gr_sweep_row *r); /* 0 ok, -1 out of memory */
void sweep_rows_release(sweep_rows *s);

/* The page: rows as JSON into web_dir/sweep.html (gr_web_page_write). */
gr_status sweep_html_write(const gr_sweep_grid *g, const sweep_rows *rows, const char *web_dir, FILE *out,
			   gr_error *err);

/* Output helpers: a JSON string literal (< > & escaped), a number as the rows print it (""
 * for NaN), the csv header line, one json row (no separator or newline). */
void sweep_json_str(FILE *out, const char *s);
void sweep_num(char *buf, size_t size, double v);
const char *sweep_csv_header(void);
void sweep_json_row(FILE *out, const gr_sweep_row *r);

#endif
