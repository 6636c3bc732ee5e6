/* Loading libgraphs-bench on first use (benchlib.h). */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/benchlib.h"

/* cmake/bench.cmake passes the SONAME; builds outside CMake (the fuzz harnesses) use major 0 */
#ifndef GRAPHS_BENCH_SONAME
#define GRAPHS_BENCH_SONAME "libgraphs-bench.so.0"
#endif

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const gr_benchlib *table;
static char why[PATH_MAX + 512];

static void *open_at(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	const char *e;
	if (!h && !why[0] && (e = dlerror()))
		snprintf(why, sizeof(why), "%s", e);
	return h;
}

static void load(void)
{
	const char *env = getenv("GRAPHS_BENCH_LIB");
	void *h = NULL;
	const gr_benchlib *(*entry)(void);
	const gr_benchlib *t;
	Dl_info info;
	char path[PATH_MAX + 64], *slash;

	if (env && *env) {
		h = open_at(env); /* told where: no search */
	} else {
		if (dladdr((void *)&gr_benchlib_get, &info) && info.dli_fname &&
		    realpath(info.dli_fname, path) && (slash = strrchr(path, '/'))) {
			snprintf(slash + 1, sizeof(path) - (size_t)(slash + 1 - path), "%s",
				 GRAPHS_BENCH_SONAME);
			h = open_at(path);
		}
		if (!h && (h = open_at(GRAPHS_BENCH_SONAME)))
			why[0] = 0;
	}
	if (!h)
		return;
	*(void **)&entry = dlsym(h, "gr_benchlib_entry");
	t = entry ? entry() : NULL;
	if (!t || t->abi != GR_BENCHLIB_ABI || t->size != sizeof(*t)) {
		snprintf(why, sizeof(why), "%s is not this version's bench library (no matching "
			 "gr_benchlib_entry)", env && *env ? env : GRAPHS_BENCH_SONAME);
		dlclose(h);
		return;
	}
	why[0] = 0;
	table = t; /* never closed: its threads (OpenBLAS, OpenMP) live until exit */
}

const gr_benchlib *gr_benchlib_get(const char *what, gr_error *err)
{
	pthread_once(&once, load);
	if (!table)
		gr_error_set(err, GR_ERR_IO,
			     "%s needs the measuring library %s (OpenBLAS, oneDNN, SQLite, hwloc), which "
			     "cannot be loaded: %s (install it beside libgraphs, or set GRAPHS_BENCH_LIB)",
			     what, GRAPHS_BENCH_SONAME, why[0] ? why : "not found");
	return table;
}
