/* gr_array_reserve: growth keeps the contents; an impossible size leaves the array as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/array.h"

static void reserve_doubles_and_keeps_the_contents(void **state)
{
	int *v = NULL;
	size_t n = 0, cap = 0;
	(void)state;

	for (int i = 0; i < 1000; i++) {
		assert_true(gr_array_reserve(&v, &cap, n, sizeof(*v), 4));
		v[n++] = i;
	}
	assert_int_equal(cap, 1024); /* 4, 8, ..., 1024 */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(v[i], i);
	free(v);
}

static void reserve_refuses_a_size_past_size_max(void **state)
{
	char *v = malloc(8);
	char *was = v;
	size_t cap = SIZE_MAX / 2 + 1, n = cap;
	(void)state;

	assert_non_null(v);
	assert_false(gr_array_reserve(&v, &cap, n, 1, 8));
	assert_ptr_equal(v, was);
	assert_int_equal(cap, SIZE_MAX / 2 + 1);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reserve_doubles_and_keeps_the_contents),
		cmocka_unit_test(reserve_refuses_a_size_past_size_max),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
