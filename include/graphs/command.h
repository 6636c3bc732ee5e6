/* The CLI's subcommands called in-process, for bindings (the Python package) that must give
 * exactly what `graphs ...` prints: the same code builds the same report. */
#ifndef GRAPHS_COMMAND_H
#define GRAPHS_COMMAND_H

#ifdef __cplusplus
extern "C" {
#endif

/* Runs `graphs argv[0] argv[1] ...` (argv[0] is the subcommand, e.g. "estimate") in this
 * process and returns its exit code (0 ok, 1 usage error, 2 bad input; see docs/). What the
 * command would print on stdout goes to *out and what it would print on stderr to *err: both
 * malloc'd, NUL-terminated, owned by the caller (free()); pass NULL for a stream not wanted.
 * On out of memory returns 2 with *out and *err NULL.
 * Not thread-safe, nor reentrant: while it runs, the process's stdout and stderr (the C
 * streams, not file descriptors 1 and 2) point at memory buffers; call it from one thread. */
int gr_command_run(int argc, const char *const *argv, char **out, char **err);

/* The `graphs` program itself: argv[0] is the program name, argv[1] the subcommand; prints to
 * stdout and stderr and returns the exit code. The CLI's main() is this one call. */
int gr_command_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
