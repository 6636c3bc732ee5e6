/* gr_table's CSV and markdown output: cells that need quoting or escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graphs/report.h"

static char *table_text(gr_format fmt, const char *cell)
{
	const char *hdr[] = {"name", "value"};
	const char *row[] = {cell, "1"};
	gr_table *t = gr_table_new(2, hdr);
	/* static: GCC -O2 takes the address handed to open_memstream for a dangling local */
	static char *buf;
	static size_t len;
	FILE *f;

	buf = NULL;
	f = open_memstream(&buf, &len);

	assert_non_null(t);
	assert_non_null(f);
	assert_true(gr_table_add_row(t, row));
	gr_table_write(t, fmt, f);
	fclose(f);
	gr_table_free(t);
	return buf;
}

/* Regression: a carriage return (a node name from a model file, say) was written unquoted,
 * which a CSV reader takes for the end of the row. */
static void csv_quotes_commas_quotes_and_line_breaks(void **state)
{
	static const char *const cells[][2] = {
		{"plain", "plain,1\n"},
		{"a,b", "\"a,b\",1\n"},
		{"say \"hi\"", "\"say \"\"hi\"\"\",1\n"},
		{"two\nlines", "\"two\nlines\",1\n"},
		{"cr\rhere", "\"cr\rhere\",1\n"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
		char *text = table_text(GR_FMT_CSV, cells[i][0]);
		const char *row = strchr(text, '\n') + 1;
		assert_string_equal(row, cells[i][1]);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csv_quotes_commas_quotes_and_line_breaks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
