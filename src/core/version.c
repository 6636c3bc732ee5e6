/* The version number (from CMake's project(VERSION), passed as GRAPHS_VERSION_*) and the
 * search for the data folder, so an installed tree works wherever its prefix is moved. */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graphs/version.h"

/* CMakeLists.txt passes project(VERSION); builds outside CMake (the fuzz harnesses) say 0.0.0 */
#ifndef GRAPHS_VERSION_MAJOR
#define GRAPHS_VERSION_MAJOR 0
#define GRAPHS_VERSION_MINOR 0
#define GRAPHS_VERSION_PATCH 0
#endif
#define STR_(x) #x
#define STR(x) STR_(x)

const char *gr_version(void)
{
	return STR(GRAPHS_VERSION_MAJOR) "." STR(GRAPHS_VERSION_MINOR) "." STR(GRAPHS_VERSION_PATCH);
}

int gr_version_major(void) { return GRAPHS_VERSION_MAJOR; }
int gr_version_minor(void) { return GRAPHS_VERSION_MINOR; }
int gr_version_patch(void) { return GRAPHS_VERSION_PATCH; }

static char data_dir[PATH_MAX];
static pthread_once_t data_once = PTHREAD_ONCE_INIT;

/* A data folder is one with a hardware/ registry in it. */
static int has_data(const char *dir)
{
	char p[2 * PATH_MAX];
	struct stat st;
	snprintf(p, sizeof(p), "%s/hardware", dir);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Tries FILE's folder + ../share/graphs and ../../share/graphs (lib/<multiarch>/). */
static int beside(const char *file)
{
	static const char *const rel[] = {"/../share/graphs", "/../../share/graphs"};
	char dir[PATH_MAX], cand[PATH_MAX + 32], *slash;
	if (!file || !realpath(file, dir))
		return 0;
	if (!(slash = strrchr(dir, '/')))
		return 0;
	*slash = 0;
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(cand, sizeof(cand), "%s%s", dir, rel[i]);
		if (has_data(cand) && realpath(cand, data_dir))
			return 1;
	}
	return 0;
}

static void find_data_dir(void)
{
	const char *env = getenv("GRAPHS_DATA_DIR");
	Dl_info info;
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(data_dir, sizeof(data_dir), "%s", env);
		return;
	}
	/* the object this code lives in: libgraphs.so, or the program libgraphs.a is linked into */
	if (dladdr((void *)&gr_data_dir, &info) && info.dli_fname && beside(info.dli_fname))
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		if (beside(exe))
			return;
	}
#ifdef GRAPHS_SOURCE_DATA_DIR
	if (has_data(GRAPHS_SOURCE_DATA_DIR)) {
		snprintf(data_dir, sizeof(data_dir), "%s", GRAPHS_SOURCE_DATA_DIR);
		return;
	}
#endif
#ifdef GRAPHS_INSTALL_DATA_DIR
	if (has_data(GRAPHS_INSTALL_DATA_DIR)) {
		snprintf(data_dir, sizeof(data_dir), "%s", GRAPHS_INSTALL_DATA_DIR);
		return;
	}
#endif
	snprintf(data_dir, sizeof(data_dir), ".");
}

const char *gr_data_dir(void)
{
	pthread_once(&data_once, find_data_dir);
	return data_dir;
}
