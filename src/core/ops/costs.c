/* Cost functions shared by many op families: the names in the cost column of ops.def that
 * no single family owns. Conventions: bytes = every input read at its own (un-broadcast)
 * size and dtype plus every output written; FLOPs from the op table's flops_per_elem, rough
 * instruction counts for activations (Sigmoid 4, Gelu 8, ...), not exact hardware ops. */
#include "ops_impl.h"

/* flops_per_elem per output element: unary math and activations, broadcasting binary ops
 * (the broadcast output's elements), Where, Cast (0: a conversion), Quantize/Dequantize,
 * Softmax, LayerNormalization, CumSum, Range. */
void op_elementwise_cost(const gr_node *n, gr_cost *c)
{
	gr_cost_elementwise(n, c, gr_op_table[n->op].flops_per_elem);
}

/* Every element of input 0 combined once, flops_per_elem each: reductions, ArgMax/ArgMin,
 * the global pools, the losses. */
void op_per_input_cost(const gr_node *n, gr_cost *c)
{
	gr_cost_per_elem_of(n, c, gr_in(n, 0), gr_op_table[n->op].flops_per_elem);
}

/* No arithmetic, the data moves: Transpose, Concat, Split, Expand, Tile, Pad, Compress, ... */
void op_data_move_cost(const gr_node *n, gr_cost *c)
{
	gr_cost_io_bytes(n, c);
}

/* Metadata only, no FLOPs and no bytes: the views (Reshape, Flatten, Squeeze, Unsqueeze,
 * Identity) and Constant, materialized once like an initializer. */
void op_view_cost(const gr_node *n, gr_cost *c)
{
	(void)n;
	(void)c;
}

/* Reads only metadata or attributes and writes its output: Shape, Size, ConstantOfShape,
 * EyeLike. */
void op_write_only_cost(const gr_node *n, gr_cost *c)
{
	for (size_t o = 0; o < n->n_out; o++)
		if (n->out[o])
			c->bytes_written += gr_tensor_bytes(n->out[o]);
}
