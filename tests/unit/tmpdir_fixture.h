/* One temporary folder per test executable, made by the group setup and removed with its
 * contents by the group teardown, and paths in it. Static, so that each
 * test executable takes what it uses. */
#ifndef GRAPHS_TEST_TMPDIR_FIXTURE_H
#define GRAPHS_TEST_TMPDIR_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

static char fixture_dir[256];

/* mkdtemp of /tmp/PREFIX_XXXXXX; 0 or -1, as a cmocka setup returns. */
static int fixture_tmpdir_make(const char *prefix)
{
	snprintf(fixture_dir, sizeof(fixture_dir), "/tmp/%s_XXXXXX", prefix);
	return mkdtemp(fixture_dir) ? 0 : -1;
}

static int fixture_tmpdir_remove(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fixture_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* FOLDER/name; the last four results stay valid. */
static const char *tmp(const char *name)
{
	static char p[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", fixture_dir, name);
	return p[i];
}

#endif
