/* Loading the registry and resolving --hw for the subcommands that need hardware. */
#ifndef GRAPHS_CLI_HWCTX_H
#define GRAPHS_CLI_HWCTX_H

#include "graphs/hw.h"

/* Loads the built-in registry plus $GRAPHS_HARDWARE_PATH and the user's saved entries.
 * Prints the error and returns NULL on failure. */
gr_hw_registry *cli_registry_load(void);
/* Appends the user's registry folder (when it exists) to $GRAPHS_HARDWARE_PATH, once. */
void cli_hw_path_setup(void);
/* The user's registry folder ($XDG_CONFIG_HOME/graphs/hardware or ~/.config/graphs/hardware). */
int cli_user_hw_dir(char *buf, size_t size);
/* Resolves a --hw spec "ID[:MODE]"; prints the error and returns its exit code: 2 when the
 * platform's user file is broken, 1 for an unknown platform or mode. */
int cli_resolve_hw(const gr_hw_registry *reg, const char *spec, const gr_hw **hw, int *mode);
/* cli_registry_load into *reg, then cli_resolve_hw of spec: 0, or the exit code after the
 * message (2 when the registry does not load). *reg is the caller's to free either way. */
int cli_registry_hw(const char *spec, gr_hw_registry **reg, const gr_hw **hw, int *mode);

#endif
