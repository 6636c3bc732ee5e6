/* A zoo model loaded, bound to its default input shape at a batch and inferred, for tests that
 * estimate whole networks. Static, so that each test executable takes what it uses. */
#ifndef GRAPHS_TEST_ZOO_FIXTURE_H
#define GRAPHS_TEST_ZOO_FIXTURE_H

#include "graphs/model.h"
#include "graphs/zoo.h"

/* Owned by the caller (gr_graph_free). */
static gr_graph *load_zoo(const char *name, int64_t batch)
{
	char path[4096];
	gr_graph *g = NULL;
	gr_error err = {0};

	assert_int_equal(gr_zoo_resolve(name, path, sizeof(path), &err), GR_OK);
	assert_int_equal(gr_model_load(path, NULL, &g, &err), GR_OK);
	gr_zoo_bind_defaults(g, name);
	assert_int_equal(gr_graph_bind_dim(g, "batch", batch, &err), GR_OK);
	assert_int_equal(gr_graph_infer(g, &err), GR_OK);
	return g;
}

#endif
