/* The table of subcommands, shared by main() and gr_command_run (graphs/command.h). */
#ifndef GRAPHS_CLI_COMMANDS_H
#define GRAPHS_CLI_COMMANDS_H

#include <stdio.h>

typedef struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} cli_command;

/* The subcommand called name, or NULL. */
const cli_command *cli_command_find(const char *name);
/* Prints the top-level usage (the list of commands) to out. */
void cli_commands_usage(FILE *out);
/* Runs `graphs argv...` (argv[0] the program name): --help, --version or a subcommand.
 * Returns the exit code. */
int cli_dispatch(int argc, char **argv);

#endif
