/* Shared pieces of the subcommands: exit codes, option helpers, model loading,
 * and buffered output (a report is printed whole or not at all). */
#ifndef GRAPHS_CLI_H
#define GRAPHS_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "graphs/graph.h"
#include "graphs/report.h"

#include <cjson/cJSON.h>

enum { EXIT_OK = 0, EXIT_USAGE = 1, EXIT_BAD_INPUT = 2 };

#define CLI_MAX_SHAPES 16

/* The options every command that takes a model shares (profile, estimate, compare), parsed by
 * cli_model_option so they mean the same everywhere. */
typedef struct cli_model_opts {
	const char *model;      /* zoo name or path */
	int64_t batch;          /* --batch; 0: not given */
	const char *format_in;  /* NULL: detect */
	int n_shapes;
	const char *shapes[CLI_MAX_SHAPES]; /* NAME=1x3x224x224 */
	int n_dims;
	const char *dims[CLI_MAX_SHAPES];   /* SYMBOL=N, e.g. seq=512 */
} cli_model_opts;

/* Entries for a command's getopt_long table and optstring. */
#define CLI_MODEL_LONGOPTS \
	{"batch", required_argument, 0, 'b'}, {"input-shape", required_argument, 0, 's'}, \
	{"dim", required_argument, 0, 'd'}, {"format-in", required_argument, 0, 'i'}
#define CLI_MODEL_SHORTOPTS "b:s:d:i:"
/* Prints --help of a command that takes a model: usage, the lines that describe the model
 * options (and MODEL), then tail (the command's own options). Returns EXIT_OK. */
int cli_model_help(const char *usage, const char *tail);

/* Handles option c (with argument arg) when it is a model option: returns 1 when handled,
 * 0 when c is not one, -1 after printing a usage error. */
int cli_model_option(cli_model_opts *o, const char *cmd, int c, const char *arg);

/* Takes the one MODEL argument left after the options (argv[optind]) into o->model. Returns 0,
 * or EXIT_USAGE after saying what is wrong (no MODEL, or more than one). */
int cli_model_arg(cli_model_opts *o, const char *cmd, int argc, char **argv);

/* What the analysis covered: nodes whose shape and cost are known, and what was left out. */
typedef struct cli_coverage {
	size_t nodes, known;
	size_t unknown_ops;         /* nodes whose op graphs does not know */
	size_t unknown_shape_nodes; /* known ops whose shape (hence cost) stayed unknown */
	double share;               /* known / nodes (1 for an empty graph) */
	int lower_bound;            /* something was not costed: totals are lower bounds */
} cli_coverage;
/* cli_coverage_of from the graph's totals, when the caller has them (no second walk). */
void cli_coverage_from(const gr_graph_totals *tot, cli_coverage *c);
void cli_coverage_of(const gr_graph *g, cli_coverage *c);
/* The JSON key that is true when some node is not costed: an unknown op or a known op whose
 * shape stayed unknown (what lower_bound says too). Named before unknown shapes were counted;
 * kept for readers of the JSON. */
#define CLI_KEY_NOT_COSTED "contains_unknown_ops"
/* Adds coverage, unknown_shape_nodes, CLI_KEY_NOT_COSTED and lower_bound to a JSON object. */
void cli_coverage_json(cJSON *o, const cli_coverage *c);

/* Prints j (indented) and a newline to out, then frees j. */
void cli_json_write(FILE *out, cJSON *j);

/* A count (FLOPs, bytes, params) as a JSON integer, never a fraction or an exponent. */
void cli_json_count(cJSON *o, const char *key, double v);

/* Prints "graphs: error: MSG" to stderr and returns code. */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Usage error: prints the message and a hint to run --help; returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The canonical name of runtime arg (static), or NULL after a usage message listing the
 * accepted runtimes. */
const char *cli_runtime_parse(const char *cmd, const char *arg);


/* Parses a positive integer option value; returns 0 on error. */
int cli_parse_i64(const char *s, int64_t *out);
/* Parses --format; prints a usage error and returns -1 when bad. */
int cli_parse_format(const char *cmd, const char *s);

/* Loads the model, binds its dims as the options say and infers it. *batch is the batch
 * actually analysed (reported, and used for throughput). Returns EXIT_OK or an exit code after
 * printing the error. The caller frees *out with gr_graph_free(). */
int cli_load_model(const cli_model_opts *o, gr_graph **out, int64_t *batch);
/* The name to show for a model argument: the zoo name or the file's base name. */
const char *cli_model_label(const char *model);

/* Output goes to a memory buffer first so that an error never leaves half a report. */
FILE *cli_out_begin(void);
/* Prints the buffer to stdout (or discards it when ok is 0) and frees it. */
void cli_out_end(FILE *f, int ok);

/* A tensor shape as a JSON array: numbers, symbol strings for symbolic dims, null if unknown. */
cJSON *cli_json_shape(const gr_tensor *t);

/* Subcommands: each returns the process exit code. */
int cmd_profile(int argc, char **argv);
int cmd_zoo(int argc, char **argv);
int cmd_ops(int argc, char **argv);
int cmd_estimate(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_hw(int argc, char **argv);
int cmd_benchmark(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_llm(int argc, char **argv);
int cmd_timeline(int argc, char **argv);
int cmd_pipeline(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_split(int argc, char **argv);
int cmd_advise(int argc, char **argv);

#endif
