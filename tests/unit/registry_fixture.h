/* The shipped hardware registry, loaded once per test executable by the cmocka group setup
 * into reg (and *state) and freed by the group teardown. Static, so that each test
 * executable takes what it uses. */
#ifndef GRAPHS_TEST_REGISTRY_FIXTURE_H
#define GRAPHS_TEST_REGISTRY_FIXTURE_H

#include "graphs/hw.h"

static gr_hw_registry *reg;

static int registry_setup(void **state)
{
	gr_error err = {0};
	if (gr_hw_registry_load(GRAPHS_SOURCE_DIR "/hardware", &reg, &err)) {
		print_message("registry: %s\n", err.msg);
		return -1;
	}
	*state = reg;
	return 0;
}

static int registry_teardown(void **state)
{
	(void)state;
	gr_hw_registry_free(reg);
	reg = NULL;
	return 0;
}

#endif
