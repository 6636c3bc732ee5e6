/* gr_graph_link_node (src/core/graph.c): nodes linked as they are read give the graph
 * finalize would give (producers, consumer lists, positions), for sorted graphs, unsorted
 * ones (linking gives up and finalize starts over) and graphs with errors, which finalize
 * reports with the same message as without linking. */
#include "graph_builders.h"

/* Builds x -> a -> b -> y with a read twice by one node and b by two; order[] gives the
 * order the nodes are added in. */
static gr_graph *chain(const int *order, int link)
{
	gr_graph *g = graph(17);
	const char *const *ins[] = {L("x"), L("a", "a"), L("b", "a"), L("b")};
	const char *const *outs[] = {L("a"), L("b"), L("c"), L("y")};

	input(g, "x", GR_DTYPE_FLOAT, 1, D(4));
	for (int k = 0; k < 4; k++) {
		gr_node *n = node(g, "Relu", ins[order[k]], outs[order[k]], 0);
		if (link)
			gr_graph_link_node(g, n);
	}
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor(g, "y")), GR_OK);
	assert_int_equal(gr_graph_add_output(g, gr_graph_tensor(g, "c")), GR_OK);
	return g;
}

/* The same producers, consumer sets and positions in both graphs. */
static void same_links(gr_graph *a, gr_graph *b)
{
	static const char *const names[] = {"x", "a", "b", "c", "y"};

	assert_int_equal(a->n_nodes, b->n_nodes);
	for (size_t k = 0; k < a->n_nodes; k++) {
		assert_int_equal(a->nodes[k]->index, b->nodes[k]->index);
		assert_int_equal(a->nodes[k]->n_in, b->nodes[k]->n_in);
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		gr_tensor *s = gr_graph_tensor(a, names[i]), *t = gr_graph_tensor(b, names[i]);
		assert_int_equal(s->producer ? s->producer->index : -1,
				 t->producer ? t->producer->index : -1);
		assert_int_equal(s->n_consumers, t->n_consumers);
		for (uint32_t c = 0; c < s->n_consumers; c++) {
			int found = 0;
			for (uint32_t d = 0; d < t->n_consumers; d++)
				found |= s->consumers[c]->index == t->consumers[d]->index;
			assert_true(found);
		}
	}
}

static void linked_graphs_finalize_the_same(void **state)
{
	static const int sorted[] = {0, 1, 2, 3}, unsorted[] = {1, 0, 3, 2};
	gr_error err = {0};
	(void)state;

	for (int o = 0; o < 2; o++) {
		const int *order = o ? unsorted : sorted;
		gr_graph *a = chain(order, 0), *b = chain(order, 1);
		assert_int_equal(gr_graph_finalize(a, &err), GR_OK);
		assert_int_equal(gr_graph_finalize(b, &err), GR_OK);
		/* sorted: every node linked, no walk at finalize; unsorted: linking gave up */
		assert_int_equal(b->n_linked == b->n_nodes && !b->link_failed, !o);
		same_links(a, b);
		assert_int_equal(gr_graph_tensor(b, "a")->n_consumers, 2);
		assert_int_equal(gr_graph_tensor(b, "b")->n_consumers, 2);
		gr_graph_free(a);
		gr_graph_free(b);
	}
}

/* A tensor two nodes write, and a node writing a graph input: the same error either way. */
static void errors_the_same(void **state)
{
	gr_error ea = {0}, eb = {0};
	(void)state;

	for (int c = 0; c < 2; c++) {
		gr_graph *g[2];
		for (int link = 0; link < 2; link++) {
			gr_graph *x = graph(17);
			gr_node *n;
			input(x, "x", GR_DTYPE_FLOAT, 1, D(4));
			n = node(x, "Relu", L("x"), L("a"), 0);
			if (link)
				gr_graph_link_node(x, n);
			n = c ? node(x, "Relu", L("a"), L("x"), 0) : node(x, "Relu", L("x"), L("a"), 0);
			if (link)
				gr_graph_link_node(x, n);
			g[link] = x;
		}
		assert_int_equal(gr_graph_finalize(g[0], &ea), GR_ERR_FORMAT);
		assert_int_equal(gr_graph_finalize(g[1], &eb), GR_ERR_FORMAT);
		assert_string_equal(ea.msg, eb.msg);
		assert_true(g[1]->link_failed);
		gr_graph_free(g[0]);
		gr_graph_free(g[1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(linked_graphs_finalize_the_same),
		cmocka_unit_test(errors_the_same),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
