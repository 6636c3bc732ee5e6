/* Helpers shared by the subcommands (see cli.h). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "graphs/model.h"
#include "graphs/zoo.h"

int cli_fail(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("graphs: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("graphs: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nrun 'graphs %s --help' for usage\n", cmd);
	return EXIT_USAGE;
}

int cli_parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v <= 0)
		return 0;
	*out = v;
	return 1;
}

int cli_parse_format(const char *cmd, const char *s)
{
	int f = gr_format_parse(s);
	if (f < 0)
		cli_usage(cmd, "unknown format '%s' (use table, json, csv or markdown)", s);
	return f;
}

const char *cli_model_label(const char *model)
{
	const char *slash = strrchr(model, '/');
	return slash ? slash + 1 : model;
}

void cli_coverage_from(const gr_graph_totals *tot, cli_coverage *c)
{
	c->nodes = tot->nodes;
	c->known = tot->nodes_known;
	c->unknown_ops = tot->unknown_ops;
	c->unknown_shape_nodes = tot->nodes - tot->nodes_known - tot->unknown_ops;
	c->share = tot->nodes ? (double)tot->nodes_known / (double)tot->nodes : 1.0;
	c->lower_bound = tot->nodes_known < tot->nodes;
}

void cli_coverage_of(const gr_graph *g, cli_coverage *c)
{
	gr_graph_totals tot;

	gr_graph_totals_compute(g, &tot);
	cli_coverage_from(&tot, c);
}

void cli_coverage_json(cJSON *o, const cli_coverage *c)
{
	cJSON_AddNumberToObject(o, "coverage", c->share);
	cJSON_AddNumberToObject(o, "unknown_shape_nodes", (double)c->unknown_shape_nodes);
	cJSON_AddBoolToObject(o, CLI_KEY_NOT_COSTED, c->lower_bound);
	cJSON_AddBoolToObject(o, "lower_bound", c->lower_bound);
}

void cli_json_count(cJSON *o, const char *key, double v)
{
	char buf[48];

	/* cJSON prints doubles as fractions (and exponents past 1e15): counts are whole numbers */
	if (!isfinite(v) || v < 0)
		v = 0;
	snprintf(buf, sizeof(buf), "%.0f", floor(v + 0.5));
	cJSON_AddRawToObject(o, key, buf);
}

void cli_json_write(FILE *out, cJSON *j)
{
	char *s = j ? cJSON_Print(j) : NULL;

	if (s)
		fprintf(out, "%s\n", s);
	cJSON_free(s);
	cJSON_Delete(j);
}

static char *out_buf;
static size_t out_len;

FILE *cli_out_begin(void)
{
	FILE *f = open_memstream(&out_buf, &out_len);
	return f ? f : stdout;
}

void cli_out_end(FILE *f, int ok)
{
	if (f == stdout) {
		fflush(stdout);
		return;
	}
	fclose(f);
	if (ok && out_buf)
		fwrite(out_buf, 1, out_len, stdout);
	fflush(stdout);
	free(out_buf);
	out_buf = NULL;
	out_len = 0;
}
