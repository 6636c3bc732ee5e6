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

/* The platform of spec ("id" or "id:mode"), its mode index in *mode; fails the test when the
 * registry has no such platform. Inline: tests that never call it get no unused-function warning. */
static inline const gr_hw *registry_resolve(const char *spec, int *mode)
{
	const gr_hw *hw = NULL;
	gr_error err = {0};
	assert_int_equal(gr_hw_registry_resolve(reg, spec, &hw, mode, &err), GR_OK);
	return hw;
}

#endif
