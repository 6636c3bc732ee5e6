/* Registry loading and --hw resolving shared by the subcommands that need hardware. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/hwctx.h"

int cli_user_hw_dir(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		snprintf(buf, size, "%s/graphs/hardware", xdg);
	else if (home && *home)
		snprintf(buf, size, "%s/.config/graphs/hardware", home);
	else
		return 0;
	return 1;
}

void cli_hw_path_setup(void)
{
	static int done;
	char user[4096];
	struct stat st;
	const char *old = getenv("GRAPHS_HARDWARE_PATH");

	if (done)
		return;
	done = 1;
	/* Saved entries (`graphs hw detect --save`) come after the user's own path. */
	if (cli_user_hw_dir(user, sizeof(user)) && stat(user, &st) == 0 && S_ISDIR(st.st_mode)) {
		size_t n = strlen(user) + (old ? strlen(old) + 1 : 0) + 1;
		char *path = malloc(n);
		if (path) {
			snprintf(path, n, "%s%s%s", old && *old ? old : "", old && *old ? ":" : "", user);
			setenv("GRAPHS_HARDWARE_PATH", path, 1);
			free(path);
		}
	}
}

gr_hw_registry *cli_registry_load(void)
{
	gr_hw_registry *r = NULL;
	gr_error err = {0};

	cli_hw_path_setup();
	if (gr_hw_registry_load(gr_hw_builtin_dir(), &r, &err)) {
		cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
		return NULL;
	}
	return r;
}

int cli_registry_hw(const char *spec, gr_hw_registry **reg, const gr_hw **hw, int *mode)
{
	if (!(*reg = cli_registry_load()))
		return EXIT_BAD_INPUT;
	return cli_resolve_hw(*reg, spec, hw, mode);
}

int cli_resolve_hw(const gr_hw_registry *reg, const char *spec, const gr_hw **hw, int *mode)
{
	gr_error err = {0};
	gr_status st = gr_hw_registry_resolve(reg, spec, hw, mode, &err);

	if (!st)
		return EXIT_OK;
	/* GR_ERR_FORMAT: the platform's user file is broken (bad input, not a typo) */
	if (st == GR_ERR_FORMAT)
		return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	return cli_fail(EXIT_USAGE, "%s%s", err.msg,
			st == GR_ERR_NOT_FOUND && !strcmp(spec, "host")
				? " (run 'graphs hw detect --save' first)" : "");
}
