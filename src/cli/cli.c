/* Helpers shared by the subcommands (see cli.h). */
#include <errno.h>
#include <limits.h>
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

/* "NAME=1x3x224x224" -> name and dims. */
static int parse_shape(const char *spec, char *name, size_t nsize, int64_t *dims, int *rank)
{
	const char *eq = strrchr(spec, '=');
	const char *p;
	size_t len;

	if (!eq || eq == spec)
		return 0;
	len = (size_t)(eq - spec);
	if (len >= nsize)
		return 0;
	memcpy(name, spec, len);
	name[len] = 0;
	*rank = 0;
	for (p = eq + 1; *p;) {
		char *end;
		long long v;
		if (*rank >= GR_MAX_RANK)
			return 0;
		errno = 0;
		v = strtoll(p, &end, 10);
		if (end == p || errno || v < 0)
			return 0;
		dims[(*rank)++] = v;
		p = end;
		if (*p == 'x' || *p == ',')
			p++;
		else if (*p)
			return 0;
	}
	return *rank > 0;
}

/* Says which input dims are still free after binding: their shapes stay unknown. */
static void warn_unbound(const gr_graph *g)
{
	for (size_t k = 0; k < gr_graph_input_count(g); k++) {
		const gr_tensor *t = gr_graph_input(g, k);
		for (int i = 0; i < gr_tensor_rank(t); i++) {
			gr_dim d = gr_tensor_dim(t, i);
			if (d.value < 0)
				fprintf(stderr, "graphs: warning: input '%s' dim %d ('%s') is unbound; shapes that "
					"depend on it stay unknown (use --dim %s=N or --input-shape)\n",
					gr_tensor_name(t), i, d.sym ? d.sym : "?", d.sym ? d.sym : "NAME");
		}
	}
}

int cli_load_model(const cli_model_opts *o, gr_graph **out)
{
	char path[PATH_MAX];
	gr_error err = {0};
	gr_load_opts lo = {0};
	gr_graph *g = NULL;
	gr_status st;

	*out = NULL;
	if (o->format_in) {
		lo.format = gr_model_format_parse(o->format_in);
		if (lo.format == GR_FORMAT_UNKNOWN)
			return cli_fail(EXIT_USAGE, "unknown --format-in '%s' (use onnx, tflite or fx)",
					o->format_in);
	}
	if ((st = gr_zoo_resolve(o->model, path, sizeof(path), &err)))
		return cli_fail(st == GR_ERR_USAGE ? EXIT_USAGE : EXIT_BAD_INPUT, "%s", err.msg);
	if ((st = gr_model_load(path, &lo, &g, &err)))
		return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	for (int i = 0; i < o->n_shapes; i++) {
		char name[256];
		int64_t dims[GR_MAX_RANK];
		int rank;
		if (!parse_shape(o->shapes[i], name, sizeof(name), dims, &rank)) {
			gr_graph_free(g);
			return cli_fail(EXIT_USAGE, "bad --input-shape '%s' (expected NAME=1x3x224x224)",
					o->shapes[i]);
		}
		if ((st = gr_graph_set_input_shape(g, name, dims, rank, &err))) {
			gr_graph_free(g);
			return cli_fail(EXIT_USAGE, "%s", err.msg);
		}
	}
	for (int i = 0; i < o->n_dims; i++) {
		const char *eq = strchr(o->dims[i], '=');
		char sym[128];
		int64_t v;
		if (!eq || eq == o->dims[i] || (size_t)(eq - o->dims[i]) >= sizeof(sym) ||
		    !cli_parse_i64(eq + 1, &v)) {
			gr_graph_free(g);
			return cli_fail(EXIT_USAGE, "bad --dim '%s' (expected NAME=N, e.g. seq=512)", o->dims[i]);
		}
		memcpy(sym, o->dims[i], (size_t)(eq - o->dims[i]));
		sym[eq - o->dims[i]] = 0;
		if ((st = gr_graph_bind_dim(g, sym, v, &err))) {
			gr_graph_free(g);
			return cli_fail(EXIT_USAGE, "%s", err.msg);
		}
	}
	if (!strchr(o->model, '/') && !strchr(o->model, '.'))
		gr_zoo_bind_defaults(g, o->model);
	/* Symbolic batch dims default to 1 so a plain `profile` gives numbers. */
	if ((st = gr_graph_bind_dim(g, "batch", o->batch > 0 ? o->batch : 1, &err))) {
		gr_graph_free(g);
		return cli_fail(EXIT_USAGE, "%s", err.msg);
	}
	warn_unbound(g);
	if ((st = gr_graph_infer(g, &err))) {
		gr_graph_free(g);
		return cli_fail(EXIT_BAD_INPUT, "cannot analyze '%s': %s", o->model, err.msg);
	}
	*out = g;
	return EXIT_OK;
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
