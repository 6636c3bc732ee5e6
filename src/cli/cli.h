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

typedef struct cli_model_opts {
	const char *model;      /* zoo name or path */
	int64_t batch;          /* 0: keep the file's (1 for symbolic batch) */
	const char *format_in;  /* NULL: detect */
	int n_shapes;
	const char *shapes[CLI_MAX_SHAPES]; /* NAME=1x3x224x224 */
	int n_dims;
	const char *dims[CLI_MAX_SHAPES];   /* SYMBOL=N, e.g. seq=512 */
} cli_model_opts;

/* Prints "graphs: error: MSG" to stderr and returns code. */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Usage error: prints the message and a hint to run --help; returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses a positive integer option value; returns 0 on error. */
int cli_parse_i64(const char *s, int64_t *out);
/* Parses --format; prints a usage error and returns -1 when bad. */
int cli_parse_format(const char *cmd, const char *s);

/* Loads, binds dims and infers the model. Returns EXIT_OK or an exit code after
 * printing the error. The caller frees *out with gr_graph_free(). */
int cli_load_model(const cli_model_opts *o, gr_graph **out);
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

#endif
