/* gr_table's output: CSV and markdown cells that need quoting or escaping, text rows aligned
 * as printf aligns them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graphs/arena.h"
#include "graphs/report.h"
#include "report/table_arena.h"

/* Table t written in fmt, then freed: the text, the caller's to free. */
static char *written(gr_table *t, gr_format fmt)
{
	/* static: GCC -O2 takes the address handed to open_memstream for a dangling local */
	static char *buf;
	static size_t len;
	FILE *f;

	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	gr_table_write(t, fmt, f);
	fclose(f);
	gr_table_free(t);
	return buf;
}

static char *table_text(gr_format fmt, const char *cell)
{
	const char *hdr[] = {"name", "value"};
	const char *row[] = {cell, "1"};
	gr_table *t = gr_table_new(2, hdr);

	assert_non_null(t);
	assert_true(gr_table_add_row(t, row));
	return written(t, fmt);
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

/* The text writer lays a row out in its buffer in place; each row must stay what printf's
 * "%-*.*s" (text, cut at the column's width of at most 60), "%*s" (numeric, never cut) and
 * "%s" (a last text column, unpadded) give, also for rows longer than the buffer, with a
 * numeric column cut at 60 or not. */
static void text_rows_align_as_printf(void **state)
{
	static char long_text[70], long_num[70], huge[70001];
	const char *rows[][4] = {
		{"a", "1", "x", "note"},
		{long_text, long_num, "", ""},
		{"", "", "yy", huge},
		{"bb", "22", "zzz", "n"},
	};
	const char *hdr[] = {"name", "count", "kind", "note"};
	size_t nrows = sizeof(rows) / sizeof(rows[0]), w[4];
	(void)state;

	memset(long_text, 't', sizeof(long_text) - 1);
	memset(long_num, '9', sizeof(long_num) - 1);
	memset(huge, 'h', sizeof(huge) - 1);
	for (int variant = 0; variant < 4; variant++) {
		int last_numeric = variant & 1;
		gr_table *t = gr_table_new(4, hdr);
		char *buf;
		const char *at;

		/* variants 2 and 3: no numeric cell wider than its column (rows not measured) */
		rows[1][1] = variant < 2 ? long_num : "7";

		assert_non_null(t);
		gr_table_numeric(t, 1);
		if (last_numeric)
			gr_table_numeric(t, 3);
		for (size_t r = 0; r < nrows; r++)
			assert_true(gr_table_add_row(t, rows[r]));
		for (int i = 0; i < 4; i++) {
			w[i] = strlen(hdr[i]);
			for (size_t r = 0; r < nrows; r++)
				if (strlen(rows[r][i]) > w[i])
					w[i] = strlen(rows[r][i]);
			if (w[i] > 60)
				w[i] = 60;
		}
		buf = written(t, GR_FMT_TABLE);
		at = strchr(strchr(buf, '\n') + 1, '\n') + 1; /* past the header and the rule */
		for (size_t r = 0; r < nrows; r++) {
			char *want = malloc(sizeof(huge) + 512);
			int n = snprintf(want, 512, "%-*.*s  %*s  %-*.*s  ", (int)w[0], (int)w[0],
					 rows[r][0], (int)w[1], rows[r][1], (int)w[2], (int)w[2],
					 rows[r][2]);
			if (last_numeric)
				sprintf(want + n, "%*s\n", (int)w[3], rows[r][3]);
			else
				sprintf(want + n, "%s\n", rows[r][3]);
			assert_memory_equal(at, want, strlen(want));
			at += strlen(want);
			free(want);
		}
		assert_int_equal(*at, '\0');
		free(buf);
	}
}

/* The text of a table of nrows rows ("node<r>", r, r * 7), told to expect `expect` rows of
 * row_bytes (none when expect is 0), its cells in arena cells (NULL: its own). */
static char *numbered_table_in(size_t nrows, size_t expect, size_t row_bytes, gr_format fmt,
			       gr_arena *cells)
{
	const char *hdr[] = {"node", "n", "m"};
	gr_table *t = gr_table_new_in(3, hdr, cells);

	assert_non_null(t);
	gr_table_numeric(t, 1);
	if (expect)
		gr_table_expect(t, expect, row_bytes);
	for (size_t r = 0; r < nrows; r++) {
		char a[32], b[32], c[32];
		const char *row[] = {a, b, c};
		snprintf(a, sizeof(a), "node%zu", r);
		snprintf(b, sizeof(b), "%zu", r);
		snprintf(c, sizeof(c), "%zu", r * 7);
		assert_true(gr_table_add_row(t, row));
	}
	return written(t, fmt);
}

static char *numbered_table(size_t nrows, size_t expect, size_t row_bytes, gr_format fmt)
{
	return numbered_table_in(nrows, expect, row_bytes, fmt, NULL);
}

/* gr_table_expect is a hint on memory only: the same bytes whether the rows then added are
 * as many as expected, fewer or more, and for a guess of many rows (one big chunk). */
static void expect_changes_no_output(void **state)
{
	static const size_t cases[][3] = {
		{30000, 30000, 16}, {100, 30000, 16}, {30000, 10, 4}, {5, 5, 1000},
	};
	(void)state;

	gr_table_expect(NULL, 10, 10); /* no table: nothing happens */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (int fmt = GR_FMT_TABLE; fmt <= GR_FMT_MARKDOWN; fmt++) {
			if (fmt == GR_FMT_JSON)
				continue;
			char *plain = numbered_table(cases[i][0], 0, 0, (gr_format)fmt);
			char *told = numbered_table(cases[i][0], cases[i][1], cases[i][2],
						    (gr_format)fmt);
			assert_string_equal(plain, told);
			free(told);
			/* cells in a caller's arena whose pages are backed ahead (a big chunk, as a
			 * profile's graph arena): the row list and the output buffer are taken
			 * from those pages, the list moved to the heap when more rows come */
			gr_arena *a = gr_arena_new();
			assert_non_null(a);
			gr_arena_expect(a, (size_t)4 << 20);
			assert_non_null(gr_arena_alloc(a, 16));
			told = numbered_table_in(cases[i][0], cases[i][1], cases[i][2], (gr_format)fmt,
						 a);
			assert_string_equal(plain, told);
			gr_arena_free(a);
			free(plain);
			free(told);
		}
}

/* gr_fmt_si writes most values without printf; every value gives printf's bytes: whole
 * numbers, three significant digits with each suffix, rounding ties and carries (9.995,
 * 999.5 -> "1e+03"), negatives, -0 and tiny fractions. */
static void fmt_si_matches_printf(void **state)
{
	static const char *suffix[] = {"", "K", "M", "G", "T", "P", "E"};
	static const double fixed[] = {0, -0.0, 1, 7, 999, 1000, 1001, 1234, 9995, 9996, 99950,
				       999500, 999499, 1.125e3, 2.675e3, 1.005e3, 0.5, 0.001, -3,
				       -1234.5, 1e18, 1e21, 1e300, 4.11e9, 1.5, 12.5, 100.5,
				       9007199254740993.0, 123456789012.0};
	char got[64], want[64];
	unsigned long long r = 88172645463325252ull;
	(void)state;

	for (size_t i = 0; i < 2000000 + sizeof(fixed) / sizeof(fixed[0]); i++) {
		double x, a;
		int k = 0;
		if (i < sizeof(fixed) / sizeof(fixed[0])) {
			x = fixed[i];
		} else {
			r ^= r << 13, r ^= r >> 7, r ^= r << 17;
			/* spread over 1e-3 .. 1e19; every fourth a whole number; some near ties */
			x = (double)(r >> 11) / 9007199254740992.0 * pow(10, (double)(r % 23) - 3);
			if (i % 4 == 0)
				x = floor(x);
			else if (i % 4 == 1)
				x = (floor(x * 1000) + 0.5) / 1000;
			if (i % 7 == 0)
				x = -x;
		}
		a = fabs(x);
		double y = x;
		while (a >= 1000.0 && k < 6) {
			a /= 1000.0;
			y /= 1000.0;
			k++;
		}
		if (k == 0 && y == floor(y))
			snprintf(want, sizeof(want), "%.0f", y);
		else
			snprintf(want, sizeof(want), "%.3g%s", y, suffix[k]);
		gr_fmt_si(x, got, sizeof(got));
		if (strcmp(got, want)) {
			fprintf(stderr, "x=%.17g: got '%s', printf '%s'\n", x, got, want);
			fail();
		}
	}
	/* a buffer too small keeps snprintf's truncation */
	assert_string_equal(gr_fmt_si(123456, got, 4), "123");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csv_quotes_commas_quotes_and_line_breaks),
		cmocka_unit_test(text_rows_align_as_printf),
		cmocka_unit_test(fmt_si_matches_printf),
		cmocka_unit_test(expect_changes_no_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
