/* Recurrent ops (RNN, GRU, LSTM): output shapes per the ONNX spec (layout 0 and 1), and
 * FLOPs over ALL time steps and directions (tools that count one step undercount a
 * sequence model by a factor of seq_len). The per-step formulas are written out below. */
#include <string.h>

#include "ops_impl.h"

/* Gates per op: RNN 1, GRU 3 (z, r, h), LSTM 4 (i, o, f, c). */
static int gates_of(const gr_node *n)
{
	return n->op == GR_OP_LSTM ? 4 : n->op == GR_OP_GRU ? 3 : 1;
}

static int num_directions(const gr_node *n)
{
	return strcmp(gr_attr_str(n, "direction", "forward"), "bidirectional") == 0 ? 2 : 1;
}

/* Hidden size: the attribute, else R's last dim, else W's rows / gates. */
static gr_dim hidden_of(const gr_node *n)
{
	const gr_tensor *w = gr_in(n, 1), *r = gr_in(n, 2);
	gr_dim d = {-1, NULL};

	if (gr_attr_find(n, "hidden_size"))
		d.value = gr_attr_int(n, "hidden_size", -1);
	else if (r && r->rank == 3 && r->dims[2].value >= 0)
		d.value = r->dims[2].value;
	else if (w && w->rank == 3 && w->dims[1].value >= 0)
		d.value = w->dims[1].value / gates_of(n);
	return d;
}

gr_status op_rnn_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0);
	int layout = (int)gr_attr_int(n, "layout", 0);
	gr_dim seq = {-1, NULL}, batch = {-1, NULL}, dirs = {num_directions(n), NULL};
	gr_dim hid = hidden_of(n), y[4], yh[3];
	gr_status st;

	if (!x || !gr_in(n, 1) || !gr_in(n, 2))
		return gr_node_error(ctx, n, "missing input X, W or R");
	if (x->rank >= 0 && x->rank != 3)
		return gr_node_error(ctx, n, "X must have rank 3, has %d", x->rank);
	if (hid.value == 0 || hid.value < -1)
		return gr_node_error(ctx, n, "hidden_size must be positive");
	if (x->rank == 3) {
		seq = x->dims[layout ? 1 : 0];
		batch = x->dims[layout ? 0 : 1];
	}
	if (layout) { /* [batch, seq, num_dir, hidden], [batch, num_dir, hidden] */
		y[0] = batch, y[1] = seq, y[2] = dirs, y[3] = hid;
		yh[0] = batch, yh[1] = dirs, yh[2] = hid;
	} else { /* [seq, num_dir, batch, hidden], [num_dir, batch, hidden] */
		y[0] = seq, y[1] = dirs, y[2] = batch, y[3] = hid;
		yh[0] = dirs, yh[1] = batch, yh[2] = hid;
	}
	if ((st = gr_set_dims(ctx, gr_out(n, 0), x->dtype, 4, y)) ||
	    (st = gr_set_dims(ctx, gr_out(n, 1), x->dtype, 3, yh)))
		return st;
	if (n->op == GR_OP_LSTM)
		return gr_set_dims(ctx, gr_out(n, 2), x->dtype, 3, yh);
	return GR_OK;
}

/* FLOPs of one activation per element: the op table's figure for ONNX ops (Sigmoid 4,
 * Tanh 4, Relu 1, ...), 2 for Affine, 6 for ScaledTanh, 4 when unrecognized. */
static double act_flops(const gr_node *n, int index, const char *dflt)
{
	size_t cnt = 0;
	const gr_attr *a = gr_attr_find(n, "activations");
	const char *name = dflt;
	gr_op op;

	if (a && a->strings)
		cnt = a->n;
	if ((size_t)index < cnt && a->strings[index])
		name = a->strings[index];
	if (strcmp(name, "Affine") == 0)
		return 2;
	if (strcmp(name, "ScaledTanh") == 0)
		return 6;
	op = gr_op_lookup(name, "");
	if (op != GR_OP_UNKNOWN && gr_op_table[op].flops_per_elem > 0)
		return gr_op_table[op].flops_per_elem;
	return 4;
}

/* Cost of all steps: FLOPs = per_step * seq_len * num_directions * batch, where per_step
 * (one time step, one direction, one batch row; I = input size, H = hidden size,
 * f/g/h = FLOPs of the activations, Sigmoid/Tanh = 4 each by default) is
 *
 *   RNN:  2*H*I + 2*H*H             Wi*x and Ri*h (FLOPs = 2 x MACs)
 *         + H                       adding the two products
 *         + 2H            [if B]    Wbi + Rbi
 *         + H*f                     h = f(...)
 *
 *   GRU:  2*3H*I + 2*3H*H           W[zrh]*x and R[zrh]*h
 *         + 3H                      adding x and h products for z, r, h~
 *         + H                       r (.) h  (or r (.) (Rh*h + Rbh) with linear_before_reset)
 *         + 6H            [if B]    Wb[zrh] + Rb[zrh]
 *         + 2H*f + H*g              z, r = f(...); h~ = g(...)
 *         + 4H                      h = (1 - z) (.) h~ + z (.) h_prev: 1 sub, 2 mul, 1 add
 *
 *   LSTM: 2*4H*I + 2*4H*H           W[iofc]*x and R[iofc]*h
 *         + 4H                      adding x and h products
 *         + 8H            [if B]    Wb[iofc] + Rb[iofc]
 *         + 6H            [if P]    peepholes: P (.) c and the add, for i, o, f
 *         + 3H*f + H*g + H*h        i, o, f = f(...); c~ = g(...); h = o (.) h(c)
 *         + 4H                      c = f (.) c_prev + i (.) c~ (3), h = o (.) h(c) (1)
 *
 * MACs = gates * H * (I + H) per step. Bytes: inputs, weights and states read once,
 * outputs written once (the weights stay in cache across steps). */
void op_rnn_cost(const gr_node *n, gr_cost *c)
{
	const gr_tensor *x = gr_in(n, 0), *w = gr_in(n, 1);
	int layout = (int)gr_attr_int(n, "layout", 0), has_b = gr_in(n, 3) != NULL;
	int has_p = n->op == GR_OP_LSTM && gr_in(n, 7) != NULL;
	double H = (double)hidden_of(n).value, I, seq, batch, dirs = num_directions(n);
	double per_step, macs;

	gr_cost_io_bytes(n, c);
	if (!x || x->rank != 3 || !w || w->rank != 3 || H < 0)
		return;
	seq = (double)x->dims[layout ? 1 : 0].value;
	batch = (double)x->dims[layout ? 0 : 1].value;
	I = (double)(x->dims[2].value >= 0 ? x->dims[2].value : w->dims[2].value);
	if (seq < 0 || batch < 0 || I < 0)
		return;
	macs = gates_of(n) * H * (I + H);
	switch (n->op) {
	case GR_OP_LSTM:
		per_step = 2 * macs + 4 * H + (has_b ? 8 * H : 0) + (has_p ? 6 * H : 0) +
			   3 * H * act_flops(n, 0, "Sigmoid") + H * act_flops(n, 1, "Tanh") +
			   H * act_flops(n, 2, "Tanh") + 4 * H;
		break;
	case GR_OP_GRU:
		per_step = 2 * macs + 3 * H + H + (has_b ? 6 * H : 0) +
			   2 * H * act_flops(n, 0, "Sigmoid") + H * act_flops(n, 1, "Tanh") + 4 * H;
		break;
	default:
		per_step = 2 * macs + H + (has_b ? 2 * H : 0) + H * act_flops(n, 0, "Tanh");
		break;
	}
	c->flops += per_step * seq * dirs * batch;
	c->macs += macs * seq * dirs * batch;
}
