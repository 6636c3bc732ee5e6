/* gr_tensor_shape_str (src/core/graph.c): unknown rank, scalars, known dims (written in
 * place when the buffer holds any such shape), symbolic and unknown dims, and buffers too
 * small, which truncate the same way whichever path writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/graph_impl.h"

static const char *shape(gr_graph *g, int rank, const gr_dim *dims, char *buf, size_t size)
{
	gr_tensor *t = gr_graph_tensor_def(g, "t");

	assert_int_equal(gr_tensor_set_shape(g, t, GR_DTYPE_FLOAT, rank, dims), GR_OK);
	gr_tensor_shape_str(t, buf, size);
	return buf;
}

static void shapes_as_text(void **state)
{
	gr_graph *g = gr_graph_new("test");
	gr_dim d4[] = {{1, NULL}, {56, NULL}, {56, NULL}, {96, NULL}};
	gr_dim big[] = {{INT64_MAX, NULL}, {0, NULL}, {1234567890123, NULL}};
	gr_dim sym[] = {{-1, "batch"}, {3, NULL}, {-1, NULL}};
	char buf[128], want[128];
	(void)state;

	assert_string_equal(shape(g, -1, NULL, buf, sizeof(buf)), "?");
	assert_string_equal(shape(g, 0, NULL, buf, sizeof(buf)), "scalar");
	assert_string_equal(shape(g, 4, d4, buf, sizeof(buf)), "1x56x56x96");
	assert_string_equal(shape(g, 3, big, buf, sizeof(buf)),
			    "9223372036854775807x0x1234567890123");
	assert_string_equal(shape(g, 3, sym, buf, sizeof(buf)), "batchx3x?");
	gr_tensor_shape_str(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "?");
	/* every buffer size from 1 to past the in-place path's threshold (4 * 21 + 1): the
	 * text is the full one cut to size - 1 bytes */
	snprintf(want, sizeof(want), "1x56x56x96");
	for (size_t size = 1; size <= 90; size++) {
		shape(g, 4, d4, buf, size);
		assert_int_equal(strlen(buf), strlen(want) < size ? strlen(want) : size - 1);
		assert_memory_equal(buf, want, strlen(buf));
	}
	gr_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shapes_as_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
