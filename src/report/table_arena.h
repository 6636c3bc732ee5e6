/* gr_table with its cells in an arena of the caller's (the library's own users only). */
#ifndef GRAPHS_REPORT_TABLE_ARENA_H
#define GRAPHS_REPORT_TABLE_ARENA_H

#include "graphs/arena.h"
#include "graphs/report.h"

/* gr_table_new, the cells allocated from cells (NULL: an arena of the table's own) and left
 * there by gr_table_free. A profile puts a big graph's rows in the graph's arena, whose last
 * pages are backed already: a table's own arena took and cleared fresh pages for them. */
gr_table *gr_table_new_in(int ncols, const char *const *headers, gr_arena *cells);

/* gr_table_add_row with the cells' lengths given, lens[i] == strlen(cells[i]) (0 for NULL):
 * a caller that formatted them knows them (measured again, they were a tenth of adding a
 * big graph's rows). */
int gr_table_add_row_n(gr_table *t, const char *const *cells, const size_t *lens);

#endif
