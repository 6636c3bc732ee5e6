/* Tensor names in the graph builder (src/core/graph.c): a read finds the tensor of its name
 * whether it was defined just before (the last few definitions are looked at first) or long
 * before (the name table), the bytes before a NUL are the name, names that differ in one
 * byte or in length are different tensors, and a subgraph reads its parent's tensors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/graph_impl.h"

static void reads_find_recent_and_old_names(void **state)
{
	gr_graph *g = gr_graph_new("test");
	gr_tensor *first, *t[40];
	char name[32];
	(void)state;

	assert_non_null(g);
	first = gr_graph_tensor_def_n(g, "layer/out_0", 11);
	assert_non_null(first);
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "layer/out_%d", i + 10); /* equal lengths */
		t[i] = gr_graph_tensor_def_n(g, name, strlen(name));
		assert_non_null(t[i]);
		/* the one just defined, and ones 5, 9 and 30 definitions back */
		assert_ptr_equal(gr_graph_tensor_ref_n(g, name, strlen(name)), t[i]);
		for (int back = 5; back <= 30 && back <= i; back += back < 9 ? 4 : 21) {
			snprintf(name, sizeof(name), "layer/out_%d", i - back + 10);
			assert_ptr_equal(gr_graph_tensor_ref_n(g, name, strlen(name)), t[i - back]);
		}
	}
	/* the bytes before a NUL: for the tensor defined last and the first one */
	assert_ptr_equal(gr_graph_tensor_ref_n(g, "layer/out_49\0xyz", 16), t[39]);
	assert_ptr_equal(gr_graph_tensor_ref_n(g, "layer/out_0\0", 12), first);
	/* a prefix of a recent name, and one byte more, are new tensors */
	assert_true(gr_graph_tensor_ref_n(g, "layer/out_4", 11) != t[39]);
	assert_true(gr_graph_tensor_ref_n(g, "layer/out_490", 13) != t[39]);
	assert_string_equal(gr_graph_tensor_ref_n(g, "layer/out_490", 13)->name, "layer/out_490");
	gr_graph_free(g);
}

static void subgraph_reads_parent_names(void **state)
{
	gr_graph *g = gr_graph_new("test"), *sub;
	gr_tensor *x, *y;
	(void)state;

	x = gr_graph_tensor_def_n(g, "x", 1);
	sub = gr_graph_new_sub(g);
	assert_non_null(sub);
	assert_ptr_equal(gr_graph_tensor_ref_n(sub, "x", 1), x);
	y = gr_graph_tensor_def_n(sub, "y", 1);
	assert_ptr_equal(gr_graph_tensor_ref_n(sub, "y", 1), y);
	assert_ptr_equal(y->owner, sub);
	/* the parent does not see the subgraph's name: a read there makes its own */
	assert_true(gr_graph_tensor_ref_n(g, "y", 1) != y);
	gr_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_find_recent_and_old_names),
		cmocka_unit_test(subgraph_reads_parent_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
