/* graphs merge: shard files of one sweep (csv or json, one point per line with its index)
 * joined in point order into the bytes the unsharded run writes. Every row is checked: one
 * grid, one format, each point exactly once, all of them present. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "analysis/sweep_impl.h"
#include "graphs/report.h"

#define MAX_SHARD_FILE ((long)1 << 34)

typedef struct mrow {
	size_t point;
	const char *text; /* the row without separator or newline */
	size_t len;
	size_t file, line;
} mrow;

typedef struct merger {
	const char *const *files;
	char **bufs;
	mrow *rows;
	size_t n_rows, cap;
	int fmt;            /* GR_FMT_CSV or GR_FMT_JSON; -1 before the first file */
	char grid[17];
	size_t points;
	int have_grid;
} merger;

static gr_status slurp(const char *path, char **out, size_t *len, gr_error *err)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long sz;

	*out = NULL;
	if (!f)
		return gr_error_set(err, GR_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 || sz > MAX_SHARD_FILE || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return gr_error_set(err, GR_ERR_IO, "cannot read '%s': not a regular file of at most 16 GiB", path);
	}
	if (!(buf = malloc((size_t)sz + 1))) {
		fclose(f);
		return gr_error_set(err, GR_ERR_NOMEM, "cannot read '%s': out of memory", path);
	}
	if (fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
		free(buf);
		fclose(f);
		return gr_error_set(err, GR_ERR_IO, "cannot read '%s'", path);
	}
	fclose(f);
	buf[sz] = 0;
	if (strlen(buf) != (size_t)sz) {
		free(buf);
		return gr_error_set(err, GR_ERR_FORMAT, "'%s' is not a sweep shard: it holds NUL bytes", path);
	}
	*out = buf;
	*len = (size_t)sz;
	return GR_OK;
}

/* The grid and point count a file declares (json header) or a row carries (csv). */
static gr_status same_grid(merger *m, const char *grid, size_t points, size_t f, size_t line, gr_error *err)
{
	if (!m->have_grid) {
		snprintf(m->grid, sizeof(m->grid), "%s", grid);
		m->points = points;
		m->have_grid = 1;
		return GR_OK;
	}
	if (strcmp(m->grid, grid) || m->points != points)
		return gr_error_set(err, GR_ERR_FORMAT, "'%s' line %zu: grid %s of %zu points, but the files "
				    "before are of grid %s of %zu points (shards of different sweeps)",
				    m->files[f], line, grid, points, m->grid, m->points);
	return GR_OK;
}

static gr_status add_row(merger *m, size_t point, const char *text, size_t len, size_t f, size_t line,
			 gr_error *err)
{
	if (point >= m->points)
		return gr_error_set(err, GR_ERR_FORMAT, "'%s' line %zu: point %zu is outside the grid's %zu points",
				    m->files[f], line, point, m->points);
	if (m->n_rows == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 1024;
		mrow *v = realloc(m->rows, cap * sizeof(*v));
		if (!v)
			return gr_error_set(err, GR_ERR_NOMEM, "merge: out of memory");
		m->rows = v;
		m->cap = cap;
	}
	m->rows[m->n_rows++] = (mrow){point, text, len, f, line};
	return GR_OK;
}

/* "point,points,grid," at the start of a csv row. */
static int csv_lead(const char *s, size_t *point, size_t *points, char grid[17])
{
	char *end;
	unsigned long long a, b;

	if (*s < '0' || *s > '9')
		return 0;
	a = strtoull(s, &end, 10);
	if (*end != ',' || end[1] < '0' || end[1] > '9')
		return 0;
	b = strtoull(end + 1, &end, 10);
	if (*end != ',' || strspn(end + 1, "0123456789abcdef") != 16 || end[17] != ',')
		return 0;
	memcpy(grid, end + 1, 16);
	grid[16] = 0;
	*point = (size_t)a;
	*points = (size_t)b;
	return 1;
}

static gr_status read_csv(merger *m, size_t f, char *buf, gr_error *err)
{
	const char *hdr = sweep_csv_header();
	size_t hl = strlen(hdr), line = 1;
	char *p = buf + hl;
	gr_status st;

	if (strncmp(buf, hdr, hl))
		return gr_error_set(err, GR_ERR_FORMAT, "'%s' line 1: not the header of 'graphs sweep --format csv'",
				    m->files[f]);
	while (*p) {
		char *nl = strchr(p, '\n'), grid[17];
		size_t point, points;
		line++;
		if (!nl)
			return gr_error_set(err, GR_ERR_FORMAT, "'%s' line %zu: the file ends inside a row "
					    "(cut short?)", m->files[f], line);
		*nl = 0;
		if (!csv_lead(p, &point, &points, grid))
			return gr_error_set(err, GR_ERR_FORMAT, "'%s' line %zu: not a sweep row (expected "
					    "point,points,grid,...)", m->files[f], line);
		if ((st = same_grid(m, grid, points, f, line, err)) ||
		    (st = add_row(m, point, p, (size_t)(nl - p), f, line, err)))
			return st;
		p = nl + 1;
	}
	return GR_OK;
}

static gr_status read_json(merger *m, size_t f, char *buf, gr_error *err)
{
	char grid[17] = "", *p, *nl;
	size_t points = 0, line = 1;
	int used = 0, comma = 0;
	gr_status st;

	nl = strchr(buf, '\n');
	if (!nl || sscanf(buf, "{\"grid\": \"%16[0-9a-f]\", \"points\": %zu, \"rows\": [%n", grid, &points, &used) != 2 ||
	    buf + used != nl)
		return gr_error_set(err, GR_ERR_FORMAT, "'%s' line 1: not the start of 'graphs sweep --format json'",
				    m->files[f]);
	if ((st = same_grid(m, grid, points, f, 1, err)))
		return st;
	p = nl + 1;
	if (*p == '\n') { /* no rows: an empty line, then the end */
		p++;
		line++;
	}
	for (;;) {
		cJSON *o;
		size_t len;
		int last;
		const cJSON *pt;
		line++;
		if (!(nl = strchr(p, '\n')))
			return gr_error_set(err, GR_ERR_FORMAT, "'%s' line %zu: the file ends early (cut short?)",
					    m->files[f], line);
		*nl = 0;
		if (!strcmp(p, "]}")) {
			if (comma)
				return gr_error_set(err, GR_ERR_FORMAT, "'%s' line %zu: a comma after the last row",
						    m->files[f], line - 1);
			if (nl[1])
				return gr_error_set(err, GR_ERR_FORMAT, "'%s' line %zu: text after the end of the rows",
						    m->files[f], line + 1);
			return GR_OK;
		}
		len = (size_t)(nl - p);
		last = !(len && p[len - 1] == ',');
		comma = !last;
		if (!last)
			len--;
		if (strncmp(p, "{\"point\": ", 10) || !(o = cJSON_ParseWithLength(p, len)))
			return gr_error_set(err, GR_ERR_FORMAT, "'%s' line %zu: not a sweep row", m->files[f], line);
		pt = cJSON_GetObjectItemCaseSensitive(o, "point");
		if (!cJSON_IsNumber(pt) || pt->valuedouble < 0 || pt->valuedouble >= 1e15) {
			cJSON_Delete(o);
			return gr_error_set(err, GR_ERR_FORMAT, "'%s' line %zu: the row has no point index",
					    m->files[f], line);
		}
		st = add_row(m, (size_t)pt->valuedouble, p, len, f, line, err);
		cJSON_Delete(o);
		if (st)
			return st;
		p = nl + 1;
		/* the last row is followed by the end, every other by a comma */
		if (last && strcmp(p, "]}\n"))
			return gr_error_set(err, GR_ERR_FORMAT, "'%s' line %zu: a row without the comma that "
					    "separates it from the next", m->files[f], line);
	}
}

static int by_point(const void *a, const void *b)
{
	const mrow *x = a, *y = b;
	if (x->point != y->point)
		return x->point < y->point ? -1 : 1;
	return x->file != y->file ? (x->file < y->file ? -1 : 1) : (x->line > y->line) - (x->line < y->line);
}

gr_status gr_sweep_merge(const char *const *files, size_t n, FILE *out, gr_error *err)
{
	merger m = {files, calloc(n ? n : 1, sizeof(char *)), NULL, 0, 0, -1, "", 0, 0};
	gr_status st = GR_OK;

	if (!m.bufs)
		return gr_error_set(err, GR_ERR_NOMEM, "merge: out of memory");
	if (!n) {
		st = gr_error_set(err, GR_ERR_USAGE, "merge: no files given");
		goto done;
	}
	for (size_t f = 0; f < n; f++) {
		size_t len;
		int fmt;
		if ((st = slurp(files[f], &m.bufs[f], &len, err)))
			goto done;
		fmt = m.bufs[f][0] == '{' ? GR_FMT_JSON : GR_FMT_CSV;
		if (m.fmt >= 0 && fmt != m.fmt) {
			st = gr_error_set(err, GR_ERR_FORMAT, "'%s' is %s but '%s' is %s: shards must share one "
					  "format", files[f], fmt == GR_FMT_JSON ? "json" : "csv", files[0],
					  m.fmt == GR_FMT_JSON ? "json" : "csv");
			goto done;
		}
		m.fmt = fmt;
		if ((st = fmt == GR_FMT_JSON ? read_json(&m, f, m.bufs[f], err) : read_csv(&m, f, m.bufs[f], err)))
			goto done;
	}
	if (!m.have_grid) {
		st = gr_error_set(err, GR_ERR_FORMAT, "merge: the files hold no rows, so the sweep they come "
				  "from is unknown");
		goto done;
	}
	qsort(m.rows, m.n_rows, sizeof(*m.rows), by_point);
	for (size_t i = 0; i < m.n_rows; i++) {
		if (i && m.rows[i].point == m.rows[i - 1].point) {
			st = gr_error_set(err, GR_ERR_FORMAT, "point %zu appears twice: '%s' line %zu and '%s' line "
					  "%zu (a shard given twice, or overlapping shards)", m.rows[i].point,
					  files[m.rows[i - 1].file], m.rows[i - 1].line, files[m.rows[i].file],
					  m.rows[i].line);
			goto done;
		}
		if (m.rows[i].point != i) {
			st = gr_error_set(err, GR_ERR_FORMAT, "point %zu is missing (%zu of %zu points present): "
					  "a shard is missing or incomplete", i, m.n_rows, m.points);
			goto done;
		}
	}
	if (m.n_rows != m.points) {
		st = gr_error_set(err, GR_ERR_FORMAT, "point %zu is missing (%zu of %zu points present): a shard "
				  "is missing or incomplete", m.n_rows, m.n_rows, m.points);
		goto done;
	}
	if (m.fmt == GR_FMT_CSV)
		fputs(sweep_csv_header(), out);
	else
		fprintf(out, "{\"grid\": \"%s\", \"points\": %zu, \"rows\": [\n", m.grid, m.points);
	for (size_t i = 0; i < m.n_rows; i++) {
		if (m.fmt == GR_FMT_JSON && i)
			fputs(",\n", out);
		fwrite(m.rows[i].text, 1, m.rows[i].len, out);
		if (m.fmt == GR_FMT_CSV)
			fputc('\n', out);
	}
	if (m.fmt == GR_FMT_JSON)
		fputs("\n]}\n", out);
done:
	for (size_t f = 0; f < n; f++)
		free(m.bufs[f]);
	free(m.bufs);
	free(m.rows);
	return st;
}
