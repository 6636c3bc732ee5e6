/* The CSV formats of ../shared/groundtruth (read by calibration, written and read by the
 * benchmark store), a small in-place line splitter for them, and the field writer of every
 * CSV graphs writes. */
#ifndef GRAPHS_CORE_CSV_H
#define GRAPHS_CORE_CSV_H

#include <stdio.h>

extern const char gr_gt_models_header[];
extern const char gr_gt_subgraphs_header[];

/* Splits one CSV line in place (RFC 4180 quoting within the line) into at most max fields.
 * Returns the field count, or -1 when there are more than max fields or a quote is
 * unterminated. */
int gr_csv_split(char *line, char **f, int max);

/* Writes one field (NULL: empty), in double quotes (doubled inside) when it holds a comma, a
 * quote or a line break (RFC 4180). */
void gr_csv_write_field(FILE *out, const char *s);

#endif
