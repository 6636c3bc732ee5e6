/* The table libgraphs calls libgraphs-bench through (core/benchlib.h). */
#include "core/benchlib.h"

#define GR_BENCHLIB_INIT(f) f,
static const gr_benchlib table = {GR_BENCHLIB_ABI, sizeof(gr_benchlib),
				  GR_BENCHLIB_FUNCS(GR_BENCHLIB_INIT)};

const gr_benchlib *gr_benchlib_entry(void) { return &table; }
