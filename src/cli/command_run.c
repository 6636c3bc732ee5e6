/* gr_command_run (graphs/command.h): a subcommand run in-process with its output captured, so
 * that bindings give byte for byte what the CLI prints, through the same code.
 * Why swap the stdout/stderr variables rather than pass a stream down: every command prints
 * through them (reports, errors, warnings of gr_log's default sink); glibc documents them as
 * assignable variables. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "graphs/command.h"

#if !defined(__GLIBC__)
#error "gr_command_run swaps the stdout/stderr variables, which glibc allows"
#endif

enum { RUN_OOM = 2 };

/* getopt keeps a position inside the last argv it parsed (a command that stopped at a bad
 * option leaves it mid-cluster): optind 0 makes glibc start over on the next call. */
static void getopt_reset(void)
{
	char prog[] = "graphs";
	char *argv[] = {prog, NULL};

	optind = 0;
	(void)getopt(1, argv, "");
}

int gr_command_run(int argc, const char *const *argv, char **out, char **err)
{
	char *obuf = NULL, *ebuf = NULL;
	size_t olen = 0, elen = 0;
	FILE *o, *e, *saved_out = stdout, *saved_err = stderr;
	char **v;
	int rc, oerr = 0;

	if (out)
		*out = NULL;
	if (err)
		*err = NULL;
	if (argc < 0 || (argc > 0 && !argv))
		return RUN_OOM;
	/* getopt permutes the array (never the strings): give it a copy, led by the program name */
	if (!(v = calloc((size_t)argc + 2, sizeof(*v))))
		return RUN_OOM;
	v[0] = (char *)"graphs";
	for (int i = 0; i < argc; i++)
		v[i + 1] = (char *)argv[i];
	o = open_memstream(&obuf, &olen);
	e = open_memstream(&ebuf, &elen);
	if (!o || !e) {
		if (o)
			fclose(o);
		if (e)
			fclose(e);
		free(obuf);
		free(ebuf);
		free(v);
		return RUN_OOM;
	}
	fflush(stdout);
	fflush(stderr);
	stdout = o;
	stderr = e;
	getopt_reset();
	rc = cli_dispatch(argc + 1, v);
	getopt_reset();
	stdout = saved_out;
	stderr = saved_err;
	oerr = fclose(o) | fclose(e);
	free(v);
	if (oerr || !obuf || !ebuf) {
		free(obuf);
		free(ebuf);
		return RUN_OOM;
	}
	if (out)
		*out = obuf;
	else
		free(obuf);
	if (err)
		*err = ebuf;
	else
		free(ebuf);
	return rc;
}

int gr_command_main(int argc, char **argv)
{
	return cli_dispatch(argc, argv);
}
