/* Matrix products: Gemm (transA/transB, broadcast C), MatMul with numpy semantics (1-D
 * operands, batch broadcasting; also MatMulInteger and QLinearMatMul) and Einsum. */
#include <string.h>

#include "ops_impl.h"

/* Broadcasts two dims (numpy rules). Symbols survive against 1; a known size wins over an
 * unknown one. Returns 0 on a genuine mismatch. */
static int bcast_dim(gr_dim a, gr_dim b, gr_dim *out)
{
	if (a.value == 1) {
		*out = b;
		return 1;
	}
	if (b.value == 1) {
		*out = a;
		return 1;
	}
	if (a.value >= 0 && b.value >= 0) {
		*out = a;
		return a.value == b.value;
	}
	if (a.value >= 0) {
		*out = a;
		return 1;
	}
	if (b.value >= 0) {
		*out = b;
		return 1;
	}
	out->value = -1;
	out->sym = (a.sym && b.sym && !strcmp(a.sym, b.sym)) ? a.sym : NULL;
	return 1;
}

/* Two dims that must be equal (contraction): 0 only when both known and different. */
static int same_dim(gr_dim a, gr_dim b)
{
	return a.value < 0 || b.value < 0 || a.value == b.value;
}

static double dim_or(gr_dim d, double dflt) { return d.value >= 0 ? (double)d.value : dflt; }

/* --- Gemm ----------------------------------------------------------------------- */

gr_status op_gemm_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *a = gr_in(n, 0), *b = gr_in(n, 1), *cc = gr_in(n, 2), *y = gr_out(n, 0);
	int ta = gr_attr_int(n, "transA", 0) != 0, tb = gr_attr_int(n, "transB", 0) != 0;
	gr_dim dims[2], ka, kb;

	if (!a || !b)
		return gr_node_error(ctx, n, "missing input 'A' or 'B'");
	if (!y)
		return GR_OK;
	if (a->rank < 0 || b->rank < 0) {
		y->dtype = a->dtype;
		return GR_OK;
	}
	if (a->rank != 2 || b->rank != 2)
		return gr_node_error(ctx, n, "A and B must be 2-D (got rank %d and %d)", a->rank, b->rank);
	dims[0] = a->dims[ta ? 1 : 0];
	ka = a->dims[ta ? 0 : 1];
	kb = b->dims[tb ? 1 : 0];
	dims[1] = b->dims[tb ? 0 : 1];
	if (!same_dim(ka, kb))
		return gr_node_error(ctx, n, "inner dims differ: %lld vs %lld", (long long)ka.value,
				     (long long)kb.value);
	/* C broadcasts unidirectionally to (M, N) */
	if (cc && cc->rank > 2)
		return gr_node_error(ctx, n, "C has rank %d", cc->rank);
	if (cc && cc->rank > 0) {
		for (int i = 0; i < cc->rank; i++) {
			gr_dim cd = cc->dims[i], od = dims[2 - cc->rank + i];
			if (cd.value >= 0 && cd.value != 1 && od.value >= 0 && cd.value != od.value)
				return gr_node_error(ctx, n, "C does not broadcast to %lld x %lld",
						     (long long)dims[0].value, (long long)dims[1].value);
		}
	}
	return gr_set_dims(ctx, y, a->dtype, 2, dims);
}

/* Cost: MACs = M x N x K, FLOPs = 2 x MACs, plus M x N adds for the bias C (elementwise).
 * Bytes = A, B, C read + Y written. */
void op_gemm_cost(const gr_node *n, gr_cost *c)
{
	gr_tensor *a = gr_in(n, 0), *y = gr_out(n, 0);
	int ta = gr_attr_int(n, "transA", 0) != 0;
	int64_t oe = y ? gr_numel(y) : -1;

	gr_cost_io_bytes(n, c);
	if (!a || a->rank != 2 || oe < 0 || a->dims[ta ? 0 : 1].value < 0) {
		c->known = 0;
		return;
	}
	c->macs = (double)oe * (double)a->dims[ta ? 0 : 1].value;
	c->flops = 2.0 * c->macs + (gr_in(n, 2) ? (double)oe : 0.0);
	c->known = 1;
}

/* --- MatMul, MatMulInteger, QLinearMatMul ------------------------------------------ */

static void matmul_operands(const gr_node *n, gr_tensor **a, gr_tensor **b)
{
	if (n->op == GR_OP_QLINEAR_MATMUL) {
		*a = gr_in(n, 0);
		*b = gr_in(n, 3);
	} else {
		*a = gr_in(n, 0);
		*b = gr_in(n, 1);
	}
}

gr_status op_matmul_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *a, *b, *y = gr_out(n, 0);
	gr_dim dims[GR_MAX_RANK + 2];
	gr_dtype dt;
	int ra, rb, rbatch, rank = 0;

	matmul_operands(n, &a, &b);
	if (!a || !b)
		return gr_node_error(ctx, n, "missing input 'A' or 'B'");
	if (n->op == GR_OP_MATMUL_INTEGER)
		dt = GR_DTYPE_INT32;
	else if (n->op == GR_OP_QLINEAR_MATMUL)
		dt = gr_in(n, 7) ? gr_in(n, 7)->dtype : a->dtype;
	else
		dt = a->dtype;
	if (!y)
		return GR_OK;
	if (a->rank < 0 || b->rank < 0) {
		y->dtype = dt;
		return GR_OK;
	}
	if (a->rank == 0 || b->rank == 0)
		return gr_node_error(ctx, n, "operands must have rank >= 1");
	ra = a->rank;
	rb = b->rank;
	/* a 1-D A is a row (1 x K), a 1-D B a column (K x 1); those 1s are dropped again */
	{
		gr_dim ka = a->dims[ra - 1], kb = b->dims[rb == 1 ? 0 : rb - 2];
		if (!same_dim(ka, kb))
			return gr_node_error(ctx, n, "inner dims differ: %lld vs %lld",
					     (long long)ka.value, (long long)kb.value);
	}
	rbatch = 0;
	{
		int ba = ra > 2 ? ra - 2 : 0, bb = rb > 2 ? rb - 2 : 0;
		rbatch = ba > bb ? ba : bb;
		if (rbatch + 2 > GR_MAX_RANK)
			return gr_node_error(ctx, n, "rank too large");
		for (int i = 0; i < rbatch; i++) {
			int ia = i - (rbatch - ba), ib = i - (rbatch - bb);
			gr_dim one = {1, NULL};
			gr_dim da = ia >= 0 ? a->dims[ia] : one, db = ib >= 0 ? b->dims[ib] : one;
			if (!bcast_dim(da, db, &dims[rank]))
				return gr_node_error(ctx, n, "batch dims do not broadcast: %lld vs %lld",
						     (long long)da.value, (long long)db.value);
			rank++;
		}
	}
	if (ra >= 2)
		dims[rank++] = a->dims[ra - 2];
	if (rb >= 2)
		dims[rank++] = b->dims[rb - 1];
	return gr_set_dims(ctx, y, dt, rank, dims);
}

/* Cost: MACs = batch x M x N x K = output elements x K, FLOPs = 2 x MACs.
 * Bytes = both operands (and quantization params) read + output written. */
void op_matmul_cost(const gr_node *n, gr_cost *c)
{
	gr_tensor *a, *b, *y = gr_out(n, 0);
	int64_t oe = y ? gr_numel(y) : -1;

	matmul_operands(n, &a, &b);
	gr_cost_io_bytes(n, c);
	if (!a || !b || a->rank < 1 || oe < 0 || a->dims[a->rank - 1].value < 0) {
		c->known = 0;
		return;
	}
	c->macs = (double)oe * (double)a->dims[a->rank - 1].value;
	c->flops = 2.0 * c->macs;
	c->known = 1;
}

/* --- Einsum ----------------------------------------------------------------------- */

#define EIN_MAX_IN 16
#define EIN_LABELS 128

typedef struct ein_term {
	char labels[GR_MAX_RANK + 1]; /* letters in order; '.' marks where '...' sits */
	int n;                        /* entries in labels (the ellipsis counts as one) */
	int ell;                      /* index of the ellipsis in labels, -1 if none */
} ein_term;

/* Parses one term (letters and at most one "..."); returns 0 on a malformed term. */
static int ein_term_parse(const char *s, const char *end, ein_term *t)
{
	t->n = 0;
	t->ell = -1;
	while (s < end) {
		if (*s == ' ') {
			s++;
		} else if (*s == '.') {
			if (end - s < 3 || s[1] != '.' || s[2] != '.' || t->ell >= 0 || t->n >= GR_MAX_RANK)
				return 0;
			t->ell = t->n;
			t->labels[t->n++] = '.';
			s += 3;
		} else if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')) {
			if (t->n >= GR_MAX_RANK)
				return 0;
			t->labels[t->n++] = *s++;
		} else {
			return 0;
		}
	}
	return 1;
}

gr_status op_einsum_shape(gr_infer *ctx, gr_node *n)
{
	const char *eq = gr_attr_str(n, "equation", NULL);
	const char *arrow, *lhs_end, *p;
	ein_term terms[EIN_MAX_IN], out_t;
	gr_dim lab[EIN_LABELS], ell[GR_MAX_RANK], dims[GR_MAX_RANK];
	int seen[EIN_LABELS] = {0}, count[EIN_LABELS] = {0};
	int ell_rank = 0, any_ell = 0, nterm = 0, rank = 0;
	gr_tensor *y = gr_out(n, 0);

	if (!eq)
		return gr_node_error(ctx, n, "missing attribute 'equation'");
	if (n->n_in == 0 || n->n_in > EIN_MAX_IN)
		return gr_node_error(ctx, n, "needs 1 to %d inputs", EIN_MAX_IN);
	arrow = strstr(eq, "->");
	lhs_end = arrow ? arrow : eq + strlen(eq);
	for (p = eq;;) {
		const char *comma = memchr(p, ',', (size_t)(lhs_end - p));
		const char *te = comma ? comma : lhs_end;
		if (nterm >= EIN_MAX_IN || !ein_term_parse(p, te, &terms[nterm]))
			return gr_node_error(ctx, n, "malformed equation '%s'", eq);
		nterm++;
		if (!comma)
			break;
		p = comma + 1;
	}
	if ((size_t)nterm != n->n_in)
		return gr_node_error(ctx, n, "equation '%s' has %d terms for %zu inputs", eq, nterm,
				     (size_t)n->n_in);
	for (size_t i = 0; i < n->n_in; i++) {
		if (!gr_in(n, i))
			return gr_node_error(ctx, n, "missing input %zu", i);
		if (gr_in(n, i)->rank < 0) {
			if (y)
				y->dtype = gr_in(n, 0)->dtype;
			return GR_OK;
		}
	}
	/* bind labels to dims; ellipsis dims broadcast right-aligned across inputs */
	for (int i = 0; i < nterm; i++) {
		const gr_tensor *t = gr_in(n, (size_t)i);
		int letters = terms[i].n - (terms[i].ell >= 0), er = 0, d = 0;

		if (terms[i].ell >= 0 ? t->rank < letters : t->rank != letters)
			return gr_node_error(ctx, n, "term %d has %d labels for an input of rank %d", i,
					     letters, t->rank);
		if (terms[i].ell >= 0) {
			er = t->rank - letters;
			any_ell = 1;
			if (er > ell_rank) {
				for (int k = ell_rank - 1; k >= 0; k--)
					ell[k + er - ell_rank] = ell[k];
				for (int k = 0; k < er - ell_rank; k++) {
					ell[k].value = 1;
					ell[k].sym = NULL;
				}
				ell_rank = er;
			}
		}
		for (int j = 0; j < terms[i].n; j++) {
			unsigned char c = (unsigned char)terms[i].labels[j];
			if (c == '.') {
				for (int k = 0; k < er; k++) {
					gr_dim *e = &ell[ell_rank - er + k];
					if (!bcast_dim(*e, t->dims[d + k], e))
						return gr_node_error(ctx, n, "'...' dims do not broadcast");
				}
				d += er;
				continue;
			}
			if (!seen[c]) {
				lab[c] = t->dims[d];
				seen[c] = 1;
			} else if (!bcast_dim(lab[c], t->dims[d], &lab[c])) {
				return gr_node_error(ctx, n, "label '%c' has sizes %lld and %lld", c,
						     (long long)lab[c].value, (long long)t->dims[d].value);
			}
			count[c]++;
			d++;
		}
	}
	if (!y)
		return GR_OK;
	if (arrow) {
		if (!ein_term_parse(arrow + 2, eq + strlen(eq), &out_t))
			return gr_node_error(ctx, n, "malformed equation '%s'", eq);
		for (int j = 0; j < out_t.n; j++) {
			unsigned char c = (unsigned char)out_t.labels[j];
			if (c == '.') {
				if (rank + ell_rank > GR_MAX_RANK)
					return gr_node_error(ctx, n, "output rank too large");
				for (int k = 0; k < ell_rank; k++)
					dims[rank++] = ell[k];
			} else {
				if (!seen[c])
					return gr_node_error(ctx, n, "output label '%c' not in any input", c);
				if (rank >= GR_MAX_RANK)
					return gr_node_error(ctx, n, "output rank too large");
				dims[rank++] = lab[c];
			}
		}
	} else {
		/* implicit output: broadcast '...' dims, then labels seen once, in ASCII order */
		if (any_ell)
			for (int k = 0; k < ell_rank; k++)
				dims[rank++] = ell[k];
		for (int c = 0; c < EIN_LABELS; c++) {
			if (count[c] == 1) {
				if (rank >= GR_MAX_RANK)
					return gr_node_error(ctx, n, "output rank too large");
				dims[rank++] = lab[c];
			}
		}
	}
	return gr_set_dims(ctx, y, gr_in(n, 0)->dtype, rank, dims);
}

/* Cost: evaluated naively, every combination of all labels (and '...' dims) is visited:
 * MACs = (inputs - 1) x that product, FLOPs = 2 x MACs; one input: an add per input element. */
void op_einsum_cost(const gr_node *n, gr_cost *c)
{
	const char *eq = gr_attr_str(n, "equation", "");
	const char *arrow = strstr(eq, "->");
	double prod = 1.0;
	int seen[EIN_LABELS] = {0};
	int in_out[EIN_LABELS] = {0};
	gr_tensor *y = gr_out(n, 0);
	double ell_prod = 1.0;
	int contracted = 0;

	gr_cost_io_bytes(n, c);
	if (!y || gr_numel(y) < 0) {
		c->known = 0;
		return;
	}
	if (arrow)
		for (const char *p = arrow + 2; *p; p++)
			in_out[(unsigned char)*p & 0x7f] = 1;
	/* product of each label's size, taken at its first appearance */
	for (size_t i = 0; i < n->n_in; i++) {
		const gr_tensor *t = gr_in(n, i);
		const char *p = eq;
		int d = 0, commas = 0;
		if (!t || t->rank < 0) {
			c->known = 0;
			return;
		}
		for (; *p && p != arrow; p++) {
			if (*p == ',') {
				commas++;
				continue;
			}
			if (commas != (int)i)
				continue;
			if (*p == '.') {
				int letters = 0;
				for (const char *q = p + 3; *q && *q != ',' && q != arrow; q++)
					letters += (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z');
				double ep = 1.0;
				for (int k = 0; k < t->rank - d - letters; k++)
					ep *= dim_or(t->dims[d + k], 1.0);
				d += t->rank - d - letters;
				if (ep > ell_prod)
					ell_prod = ep;
				p += 2;
				continue;
			}
			if (*p == ' ' || d >= t->rank)
				continue;
			unsigned char ch = (unsigned char)*p & 0x7f;
			if (!seen[ch]) {
				seen[ch] = 1;
				prod *= dim_or(t->dims[d], 1.0);
				if (arrow && !in_out[ch])
					contracted = 1;
			}
			d++;
		}
	}
	prod *= ell_prod;
	if (n->n_in > 1) {
		c->macs = (double)(n->n_in - 1) * prod;
		c->flops = 2.0 * c->macs;
	} else {
		c->flops = (contracted || !arrow) ? prod : 0.0;
	}
	c->known = 1;
}
