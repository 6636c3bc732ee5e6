/* The model options shared by profile, estimate and compare, and loading a model with them:
 * --input-shape and --dim bind what they name (symbols graph-wide, conflicts are errors),
 * --batch binds the batch that is left, and the batch reported is the one analysed. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "graphs/model.h"
#include "graphs/zoo.h"

#define MAX_BATCH ((int64_t)1 << 20)

static const char model_help[] =
	"  MODEL            a zoo name (see 'graphs zoo') or a model file (.onnx, .tflite, FX JSON)\n"
	"  --batch N        the batch to analyse (default: the file's, 1 where it is symbolic):\n"
	"                   binds the symbolic batch dim; on a file exported with a fixed batch,\n"
	"                   sets the leading dim of the inputs that carry it (said on stderr;\n"
	"                   refused when ambiguous or when the graph fixes the batch inside)\n"
	"  --input-shape S  an input's full shape, e.g. image=4x3x256x256 (repeatable); binds every\n"
	"                   dim it names, a symbolic one on every input, and wins over the default\n"
	"                   batch (an explicit --batch that disagrees is an error)\n"
	"  --dim NAME=N     binds a symbolic dim on every input, e.g. seq=512 (repeatable; zoo\n"
	"                   models default to the shape in 'graphs zoo')\n"
	"  --format-in F    onnx, tflite or fx: skip format detection\n";

/* "NAME=1x3x224x224" -> name and dims (each positive). */
static int parse_shape(const char *spec, char *name, size_t nsize, int64_t *dims, int *rank)
{
	const char *eq = strrchr(spec, '=');
	size_t len;

	if (!eq || eq == spec)
		return 0;
	len = (size_t)(eq - spec);
	if (len >= nsize)
		return 0;
	memcpy(name, spec, len);
	name[len] = 0;
	*rank = gr_dims_parse(eq + 1, dims, GR_MAX_RANK, MAX_BATCH * 1024);
	return *rank > 0;
}

/* "seq=512" -> symbol and a positive value. */
static int parse_dim(const char *spec, char *sym, size_t size, int64_t *v)
{
	const char *eq = strchr(spec, '=');

	if (!eq || eq == spec || (size_t)(eq - spec) >= size || !cli_parse_i64(eq + 1, v) ||
	    *v > MAX_BATCH * 1024)
		return 0;
	memcpy(sym, spec, (size_t)(eq - spec));
	sym[eq - spec] = 0;
	return 1;
}

int cli_model_help(const char *usage, const char *tail)
{
	fputs(usage, stdout);
	fputs(model_help, stdout);
	fputs(tail, stdout);
	return EXIT_OK;
}

int cli_model_arg(cli_model_opts *o, const char *cmd, int argc, char **argv)
{
	if (optind + 1 != argc)
		return cli_usage(cmd, optind >= argc ? "no MODEL given" : "more than one MODEL given");
	o->model = argv[optind];
	return 0;
}

int cli_model_option(cli_model_opts *o, const char *cmd, int c, const char *arg)
{
	char name[256];
	int64_t dims[GR_MAX_RANK], v;
	int rank;

	switch (c) {
	case 'b':
		if (!cli_parse_i64(arg, &o->batch) || o->batch > MAX_BATCH) {
			cli_usage(cmd, "--batch wants a positive integer up to %lld, got '%s'",
				  (long long)MAX_BATCH, arg);
			return -1;
		}
		return 1;
	case 's':
		if (o->n_shapes == CLI_MAX_SHAPES) {
			cli_usage(cmd, "too many --input-shape options");
			return -1;
		}
		if (!parse_shape(arg, name, sizeof(name), dims, &rank)) {
			cli_usage(cmd, "bad --input-shape '%s' (expected NAME=1x3x224x224, every dim a "
				  "positive integer)", arg);
			return -1;
		}
		o->shapes[o->n_shapes++] = arg;
		return 1;
	case 'd':
		if (o->n_dims == CLI_MAX_SHAPES) {
			cli_usage(cmd, "too many --dim options");
			return -1;
		}
		if (!parse_dim(arg, name, sizeof(name), &v)) {
			cli_usage(cmd, "bad --dim '%s' (expected NAME=N with N a positive integer, e.g. "
				  "seq=512)", arg);
			return -1;
		}
		o->dims[o->n_dims++] = arg;
		return 1;
	case 'i':
		if (gr_model_format_parse(arg) == GR_FORMAT_UNKNOWN) {
			cli_usage(cmd, "unknown --format-in '%s' (use onnx, tflite or fx)", arg);
			return -1;
		}
		o->format_in = arg;
		return 1;
	default:
		return 0;
	}
}

/* --- binding ----------------------------------------------------------------- */

typedef struct binding {
	const char *sym;
	int64_t value;
	const char *opt, *origin; /* the option that bound it, for messages */
} binding;

/* What the file itself says about each input's leading dim, before any binding. */
typedef struct lead {
	int rank;
	int64_t value; /* < 0: free */
	const char *sym;
	int64_t user;        /* the value the user's options gave it; 0: none */
	const char *opt, *origin;
	int named_by_dim;    /* its symbol was bound by --dim (so the user said what it is) */
} lead;

typedef struct loader {
	const cli_model_opts *o;
	gr_graph *g;
	const char *label;
	binding binds[2 * CLI_MAX_SHAPES * GR_MAX_RANK];
	size_t n_binds;
	lead *leads;
	size_t n_in;
} loader;

static const binding *find_binding(const loader *L, const char *sym)
{
	for (size_t i = 0; i < L->n_binds; i++)
		if (!strcmp(L->binds[i].sym, sym))
			return &L->binds[i];
	return NULL;
}

/* Records sym = value; a symbol bound twice to different sizes is a usage error. */
static int record_binding(loader *L, const char *sym, int64_t value, const char *opt,
			  const char *origin)
{
	const binding *b = find_binding(L, sym);

	if (b && b->value != value)
		return cli_fail(EXIT_USAGE, "%s %s binds '%s' to %lld, but %s %s binds it to %lld", opt, origin,
				sym, (long long)value, b->opt, b->origin, (long long)b->value);
	if (!b && L->n_binds < sizeof(L->binds) / sizeof(L->binds[0]))
		L->binds[L->n_binds++] = (binding){sym, value, opt, origin};
	return EXIT_OK;
}

static int input_index(const gr_graph *g, const char *name)
{
	for (size_t k = 0; k < gr_graph_input_count(g); k++)
		if (!strcmp(gr_tensor_name(gr_graph_input(g, k)), name))
			return (int)k;
	return -1;
}

static int no_such_input(const loader *L, const char *name)
{
	char names[512];
	size_t len = 0;

	names[0] = 0;
	for (size_t k = 0; k < L->n_in && len < sizeof(names); k++)
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", k ? ", " : "",
					gr_tensor_name(gr_graph_input(L->g, k)));
	return cli_fail(EXIT_USAGE, "'%s' has no input named '%s' (its inputs: %s)", L->label, name,
			L->n_in ? names : "none");
}

static int apply_input_shapes(loader *L)
{
	gr_error err = {0};

	for (int s = 0; s < L->o->n_shapes; s++) {
		const char *spec = L->o->shapes[s];
		char name[256];
		int64_t dims[GR_MAX_RANK];
		int rank, k, rc;
		const gr_tensor *t;
		parse_shape(spec, name, sizeof(name), dims, &rank); /* checked when parsed */
		if ((k = input_index(L->g, name)) < 0)
			return no_such_input(L, name);
		t = gr_graph_input(L->g, (size_t)k);
		for (int i = 0; i < rank && i < gr_tensor_rank(t); i++) {
			gr_dim d = gr_tensor_dim(t, i);
			if (d.sym && (rc = record_binding(L, d.sym, dims[i], "--input-shape", spec)))
				return rc;
		}
		if (L->leads[k].user && L->leads[k].user != dims[0])
			return cli_fail(EXIT_USAGE, "--input-shape %s gives input '%s' leading dim %lld, but %s %s "
					"gives %lld", spec, name, (long long)dims[0], L->leads[k].opt,
					L->leads[k].origin, (long long)L->leads[k].user);
		L->leads[k].user = dims[0];
		L->leads[k].opt = "--input-shape";
		L->leads[k].origin = spec;
		if (gr_graph_set_input_shape(L->g, name, dims, rank, &err))
			return cli_fail(EXIT_USAGE, "--input-shape %s: %s", spec, err.msg);
	}
	return EXIT_OK;
}

static int apply_dims(loader *L)
{
	gr_error err = {0};

	for (int i = 0; i < L->o->n_dims; i++) {
		const char *spec = L->o->dims[i];
		char sym[128];
		int64_t v;
		const char *found = NULL; /* the graph's copy of the name: sym is gone after this loop */
		int rc;
		parse_dim(spec, sym, sizeof(sym), &v);
		for (size_t k = 0; k < L->n_in && !found; k++) {
			const gr_tensor *t = gr_graph_input(L->g, k);
			for (int j = 0; j < gr_tensor_rank(t) && !found; j++) {
				gr_dim d = gr_tensor_dim(t, j);
				if (d.sym && !strcmp(d.sym, sym))
					found = d.sym;
			}
		}
		if (!found)
			return cli_fail(EXIT_USAGE, "--dim %s: no input of '%s' has a dim named '%s'", spec,
					L->label, sym);
		if ((rc = record_binding(L, found, v, "--dim", spec)))
			return rc;
		for (size_t k = 0; k < L->n_in; k++)
			if (L->leads[k].sym && !strcmp(L->leads[k].sym, sym))
				L->leads[k].named_by_dim = 1;
		if (gr_graph_bind_dim(L->g, sym, v, &err))
			return cli_fail(EXIT_USAGE, "--dim %s: %s", spec, err.msg);
	}
	/* an input whose leading symbol another option bound carries that value too */
	for (size_t k = 0; k < L->n_in; k++) {
		const binding *b = L->leads[k].sym ? find_binding(L, L->leads[k].sym) : NULL;
		if (b && !L->leads[k].user) {
			L->leads[k].user = b->value;
			L->leads[k].opt = b->opt;
			L->leads[k].origin = b->origin;
		}
	}
	return EXIT_OK;
}

/* Inputs whose leading dim the file leaves symbolic and that stand for the batch: those named
 * 'batch' when any is, else every free leading dim the user did not name with --dim. */
static int symbolic_batch_input(const loader *L, size_t k, int any_named_batch)
{
	const lead *l = &L->leads[k];

	if (l->rank < 1 || (l->value >= 0 && !l->sym))
		return 0;
	if (any_named_batch)
		return l->sym && !strcmp(l->sym, "batch");
	return !l->named_by_dim;
}

static int bind_symbolic_batch(loader *L, int any_named_batch, int64_t *batch)
{
	gr_error err = {0};
	const lead *user = NULL;
	int64_t file_default = 0;

	for (size_t k = 0; k < L->n_in; k++) {
		if (!symbolic_batch_input(L, k, any_named_batch))
			continue;
		if (!user && L->leads[k].user)
			user = &L->leads[k];
		/* a traced (FX) or TFLite batch is symbolic with the size it was traced at */
		if (!file_default && L->leads[k].value > 0)
			file_default = L->leads[k].value;
	}
	if (user && L->o->batch && user->user != L->o->batch)
		return cli_fail(EXIT_USAGE, "--batch %lld contradicts %s %s, which sets the batch to %lld",
				(long long)L->o->batch, user->opt, user->origin, (long long)user->user);
	*batch = user ? user->user : L->o->batch ? L->o->batch : file_default ? file_default : 1;
	if (gr_graph_bind_dim(L->g, "batch", *batch, &err))
		return cli_fail(EXIT_USAGE, "%s", err.msg);
	return EXIT_OK;
}

/* Marks the graph outputs whose leading dim is the file's batch, inferring at that batch. */
static int outputs_at_batch(const loader *L, int64_t file_batch, unsigned char *carries)
{
	gr_error err = {0};

	if (gr_graph_infer(L->g, &err))
		return cli_fail(EXIT_BAD_INPUT, "cannot analyze '%s': %s", L->o->model, err.msg);
	for (size_t i = 0; i < gr_graph_output_count(L->g); i++) {
		const gr_tensor *t = gr_graph_output(L->g, i);
		carries[i] = gr_tensor_rank(t) >= 1 && gr_tensor_dim(t, 0).value == file_batch;
	}
	return EXIT_OK;
}

/* The file fixes the batch (torch.onnx.export's default). Without --batch the batch is the
 * file's; with one, the leading dim of the inputs that carry the file's batch is set to it.
 * *rebound says so: the caller then checks that the graph carried it to the outputs. */
static int bind_fixed_batch(loader *L, int64_t *batch, unsigned char *carries, int *rebound)
{
	gr_error err = {0};
	int min_rank = 1, first = -1, rc;
	int64_t want = L->o->batch;
	char names[512] = "";
	size_t len = 0;
	int64_t file_batch;

	*rebound = 0;
	for (size_t k = 0; k < L->n_in; k++)
		if (L->leads[k].rank >= 2)
			min_rank = 2; /* rank-1 inputs are more often parameters than batches */
	for (size_t k = 0; k < L->n_in && first < 0; k++)
		if (L->leads[k].rank >= min_rank && L->leads[k].value >= 0 && !L->leads[k].sym)
			first = (int)k;
	if (first < 0) {
		if (want && want != 1)
			return cli_fail(EXIT_USAGE, "--batch %lld: no input of '%s' has a batch dim to bind",
					(long long)want, L->label);
		*batch = want ? want : 1;
		return EXIT_OK;
	}
	file_batch = L->leads[first].value;
	if (!want) {
		*batch = L->leads[first].user ? L->leads[first].user : file_batch;
		return EXIT_OK;
	}
	*batch = want;
	for (size_t k = 0; k < L->n_in; k++) {
		const lead *l = &L->leads[k];
		if (l->rank < min_rank || l->sym || l->value < 0)
			continue;
		if (l->value != file_batch)
			return cli_fail(EXIT_USAGE, "--batch %lld: '%s' fixes its inputs' leading dims and they "
					"differ ('%s' %lld, '%s' %lld), so which one is the batch is ambiguous; give "
					"each input's shape with --input-shape", (long long)want, L->label,
					gr_tensor_name(gr_graph_input(L->g, (size_t)first)), (long long)file_batch,
					gr_tensor_name(gr_graph_input(L->g, k)), (long long)l->value);
		if (l->user && l->user != want)
			return cli_fail(EXIT_USAGE, "--batch %lld contradicts %s %s, which sets the batch to %lld",
					(long long)want, l->opt, l->origin, (long long)l->user);
	}
	if (want == file_batch)
		return EXIT_OK;
	if ((rc = outputs_at_batch(L, file_batch, carries)))
		return rc;
	for (size_t k = 0; k < L->n_in; k++) {
		const gr_tensor *t = gr_graph_input(L->g, k);
		int64_t dims[GR_MAX_RANK];
		int rank = gr_tensor_rank(t);
		if (L->leads[k].rank < min_rank || L->leads[k].sym || L->leads[k].user)
			continue;
		for (int i = 0; i < rank; i++)
			dims[i] = gr_tensor_dim(t, i).value;
		dims[0] = want;
		if (gr_graph_set_input_shape(L->g, gr_tensor_name(t), dims, rank, &err))
			return cli_fail(EXIT_USAGE, "--batch %lld: %s", (long long)want, err.msg);
		if (len < sizeof(names))
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s'%s'", len ? ", " : "",
						gr_tensor_name(t));
		*rebound = 1;
	}
	if (*rebound)
		fprintf(stderr, "graphs: note: '%s' was exported with a fixed batch of %lld; --batch %lld sets "
			"the leading dim of input %s to %lld\n", L->label, (long long)file_batch,
			(long long)want, names, (long long)want);
	return EXIT_OK;
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
					"depend on it stay unknown and totals are lower bounds (use --dim %s=N or "
					"--input-shape)\n",
					gr_tensor_name(t), i, d.sym ? d.sym : "?", d.sym ? d.sym : "NAME");
		}
	}
}

/* After a fixed batch was rebound: every output that carried the file's batch must carry the new
 * one, else the graph fixes the batch inside (a Reshape to [1, -1]) and the numbers would be
 * those of neither batch. */
static int check_rebound(const loader *L, const unsigned char *carries, int64_t batch)
{
	for (size_t i = 0; i < gr_graph_output_count(L->g); i++) {
		const gr_tensor *t = gr_graph_output(L->g, i);
		char shape[128];
		if (!carries[i] || (gr_tensor_rank(t) >= 1 && gr_tensor_dim(t, 0).value == batch))
			continue;
		gr_tensor_shape_str(t, shape, sizeof(shape));
		return cli_fail(EXIT_USAGE, "--batch %lld: '%s' fixes its batch inside the graph (output '%s' "
				"is %s, not batch %lld); export it with a dynamic batch axis", (long long)batch,
				L->label, gr_tensor_name(t), shape, (long long)batch);
	}
	return EXIT_OK;
}

static int bind_and_infer(loader *L, int64_t *batch)
{
	gr_error err = {0};
	int any_named_batch = 0, any_symbolic = 0, rebound = 0, rc;
	unsigned char *carries = NULL;

	if ((rc = apply_input_shapes(L)) || (rc = apply_dims(L)))
		return rc;
	if (!strchr(L->o->model, '/') && !strchr(L->o->model, '.'))
		gr_zoo_bind_defaults(L->g, L->o->model);
	for (size_t k = 0; k < L->n_in; k++)
		any_named_batch |= L->leads[k].rank >= 1 && L->leads[k].sym && !strcmp(L->leads[k].sym, "batch");
	for (size_t k = 0; k < L->n_in; k++)
		any_symbolic |= symbolic_batch_input(L, k, any_named_batch);
	if (any_symbolic) {
		if ((rc = bind_symbolic_batch(L, any_named_batch, batch)))
			return rc;
	} else {
		carries = calloc(gr_graph_output_count(L->g) + 1, 1);
		if (!carries)
			return cli_fail(EXIT_BAD_INPUT, "out of memory");
		if ((rc = bind_fixed_batch(L, batch, carries, &rebound))) {
			free(carries);
			return rc;
		}
	}
	warn_unbound(L->g);
	if (gr_graph_infer(L->g, &err)) {
		free(carries);
		if (rebound)
			return cli_fail(EXIT_USAGE, "--batch %lld: '%s' cannot be analysed at that batch (%s); the "
					"file fixes its batch inside the graph: export it with a dynamic batch axis",
					(long long)*batch, L->label, err.msg);
		return cli_fail(EXIT_BAD_INPUT, "cannot analyze '%s': %s", L->o->model, err.msg);
	}
	rc = rebound ? check_rebound(L, carries, *batch) : EXIT_OK;
	free(carries);
	return rc;
}

int cli_load_model(const cli_model_opts *o, gr_graph **out, int64_t *batch)
{
	char path[PATH_MAX];
	gr_error err = {0};
	gr_load_opts lo = {0};
	loader L = {0};
	gr_status st;
	int rc;

	*out = NULL;
	*batch = 1;
	if (o->format_in)
		lo.format = gr_model_format_parse(o->format_in);
	if ((st = gr_zoo_resolve(o->model, path, sizeof(path), &err)))
		return cli_fail(st == GR_ERR_USAGE ? EXIT_USAGE : EXIT_BAD_INPUT, "%s", err.msg);
	if ((st = gr_model_load(path, &lo, &L.g, &err)))
		return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	L.o = o;
	L.label = cli_model_label(o->model);
	L.n_in = gr_graph_input_count(L.g);
	L.leads = calloc(L.n_in + 1, sizeof(*L.leads));
	if (!L.leads) {
		gr_graph_free(L.g);
		return cli_fail(EXIT_BAD_INPUT, "out of memory");
	}
	for (size_t k = 0; k < L.n_in; k++) {
		const gr_tensor *t = gr_graph_input(L.g, k);
		L.leads[k].rank = gr_tensor_rank(t);
		L.leads[k].value = -1;
		if (L.leads[k].rank >= 1) {
			L.leads[k].value = gr_tensor_dim(t, 0).value;
			L.leads[k].sym = gr_tensor_dim(t, 0).sym;
		}
	}
	rc = bind_and_infer(&L, batch);
	free(L.leads);
	if (rc) {
		gr_graph_free(L.g);
		return rc;
	}
	*out = L.g;
	return EXIT_OK;
}
