/* TFLite frontend: reads a TFLite flatbuffer (schema.fbs, schema version 3) with the
 * verifying reader of tflite_flatbuf.c and maps the main subgraph onto the core's ONNX op
 * table (see tflite_read.h for the layout conventions). This file reads the model: operator
 * codes, buffers, tensors (with their quantization and sparsity), operators and the subgraph. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/tflite_read.h"
#include "graphs/model.h"

/* TensorType (schema.fbs) -> IR dtype; -1 for values outside the enum. */
static int tfl_dtype(int64_t t)
{
	static const int map[] = {
		GR_DTYPE_FLOAT, GR_DTYPE_FLOAT16, GR_DTYPE_INT32, GR_DTYPE_UINT8, GR_DTYPE_INT64,
		GR_DTYPE_STRING, GR_DTYPE_BOOL, GR_DTYPE_INT16, GR_DTYPE_COMPLEX64, GR_DTYPE_INT8,
		GR_DTYPE_DOUBLE, GR_DTYPE_COMPLEX128, GR_DTYPE_UINT64,
		GR_DTYPE_UNDEFINED /* RESOURCE */, GR_DTYPE_UNDEFINED /* VARIANT */,
		GR_DTYPE_UINT32, GR_DTYPE_UINT16, GR_DTYPE_INT4,
	};
	if (t < 0 || t >= (int64_t)(sizeof(map) / sizeof(map[0])))
		return -1;
	return map[t];
}

static gr_status read_codes(tfl_ctx *c, const fb_table *model)
{
	fb_vec v;

	TRY(fb_vector(&c->s, model, 1, 4, "model operator_codes", &v));
	c->nc = v.len;
	c->codes = gr_arena_calloc(c->a, v.len ? v.len : 1, sizeof(*c->codes));
	if (!c->codes)
		return oom(c);
	for (uint32_t k = 0; k < v.len; k++) {
		fb_table t;
		int64_t dep, code;
		const char *s;
		size_t len;
		char what[64];

		snprintf(what, sizeof(what), "operator code #%u", k);
		TRY(fb_vec_table(&c->s, &v, k, model->depth + 1, what, &t));
		TRY(fb_int(&c->s, &t, 0, 1, 1, 0, what, &dep));
		TRY(fb_string(&c->s, &t, 1, what, &s, &len));
		TRY(fb_int(&c->s, &t, 3, 4, 1, 0, what, &code));
		/* the extended builtin_code field wins unless it is older than the byte field */
		c->codes[k].code = (int32_t)(code > dep ? code : dep);
		if (c->codes[k].code < 0)
			return fb_error(&c->s, t.pos, GR_ERR_FORMAT, "%s: builtin code %d", what,
					c->codes[k].code);
		if (s && !(c->codes[k].custom = fe_clean_name(c->a, s, len)))
			return oom(c);
	}
	return GR_OK;
}

static gr_status read_buffers(tfl_ctx *c, const fb_table *model)
{
	fb_vec v;

	TRY(fb_vector(&c->s, model, 4, 4, "model buffers", &v));
	c->nb = v.len;
	c->bufs = calloc(v.len ? v.len : 1, sizeof(*c->bufs));
	if (!c->bufs)
		return oom(c);
	for (uint32_t k = 0; k < v.len; k++) {
		fb_table t;
		fb_vec data;
		uint64_t off, size;
		char what[64];

		snprintf(what, sizeof(what), "buffer #%u", k);
		TRY(fb_vec_table(&c->s, &v, k, model->depth + 1, what, &t));
		TRY(fb_vector(&c->s, &t, 0, 1, what, &data));
		TRY(fb_u64(&c->s, &t, 1, what, &off));
		TRY(fb_u64(&c->s, &t, 2, what, &size));
		if (data.at) {
			c->bufs[k].off = data.data;
			c->bufs[k].len = data.len;
		} else if (off > 1) {
			/* models over 2 GB keep constants after the flatbuffer */
			if (off > c->s.n || size > c->s.n - off)
				return fb_error(&c->s, t.pos, GR_ERR_FORMAT,
						"%s: its data (%llu bytes at %llu) lies outside the file", what,
						(unsigned long long)size, (unsigned long long)off);
			c->bufs[k].off = (size_t)off;
			c->bufs[k].len = (size_t)size;
		}
	}
	return GR_OK;
}

/* Verifies a tensor's quantization parameters (scales, zero points, channel axis). */
static gr_status read_quant(tfl_ctx *c, const fb_table *q, const char *what, const tfl_tensor *tt)
{
	fb_vec mn, mx, sc, zp;
	int64_t dtype, qdim;
	fb_table det;
	int found;

	TRY(fb_vector(&c->s, q, 0, 4, what, &mn));
	TRY(fb_vector(&c->s, q, 1, 4, what, &mx));
	TRY(fb_vector(&c->s, q, 2, 4, what, &sc));
	TRY(fb_vector(&c->s, q, 3, 8, what, &zp));
	TRY(fb_int(&c->s, q, 4, 1, 0, 0, what, &dtype));
	TRY(fb_subtable(&c->s, q, 5, what, &det, &found));
	if (found) {
		fb_vec custom;
		TRY(fb_vector(&c->s, &det, 0, 1, what, &custom));
	}
	TRY(fb_int(&c->s, q, 6, 4, 1, 0, what, &qdim));
	if (sc.len > 1) {
		if (qdim < 0 || qdim >= tt->rank)
			return fb_error(&c->s, q->pos, GR_ERR_FORMAT,
					"%s: quantized_dimension %lld is outside rank %d", what,
					(long long)qdim, tt->rank);
		if (tt->dims[qdim] >= 0 && sc.len != tt->dims[qdim])
			return fb_error(&c->s, sc.at, GR_ERR_FORMAT,
					"%s: %u scales for dim %lld of size %lld", what, sc.len,
					(long long)qdim, (long long)tt->dims[qdim]);
		c->n_per_channel++;
	}
	if (zp.len > 1 && zp.len != sc.len)
		return fb_error(&c->s, zp.at, GR_ERR_FORMAT, "%s: %u zero points for %u scales", what,
				zp.len, sc.len);
	if (sc.len)
		c->n_quant++;
	return GR_OK;
}

/* Verifies sparsity parameters (TACO-style); the tensor keeps its dense shape. */
static gr_status read_sparsity(tfl_ctx *c, const fb_table *sp, const char *what)
{
	fb_vec trav, bmap, dm;

	TRY(fb_vector(&c->s, sp, 0, 4, what, &trav));
	TRY(fb_vector(&c->s, sp, 1, 4, what, &bmap));
	TRY(fb_vector(&c->s, sp, 2, 4, what, &dm));
	for (uint32_t k = 0; k < dm.len; k++) {
		fb_table t;
		int64_t type;
		TRY(fb_vec_table(&c->s, &dm, k, sp->depth + 1, what, &t));
		for (unsigned f = 2; f <= 4; f += 2) {
			fb_table iv;
			int found;
			fb_vec vals;
			unsigned elem;
			TRY(fb_int(&c->s, &t, f, 1, 0, 0, what, &type));
			TRY(fb_subtable(&c->s, &t, f + 1, what, &iv, &found));
			if (!found)
				continue;
			elem = type == 1 ? 4 : type == 2 ? 2 : type == 3 ? 1 : 0;
			if (!elem)
				return fb_error(&c->s, t.pos, GR_ERR_FORMAT, "%s: sparse index type %lld",
						what, (long long)type);
			TRY(fb_vector(&c->s, &iv, 0, elem, what, &vals));
		}
	}
	return GR_OK;
}

/* Loads a small constant's values: integers (shape operands) and small floats. */
static gr_status load_values(tfl_ctx *c, tfl_tensor *tt, const unsigned char *p, int64_t numel)
{
	int64_t *iv = NULL;
	double *fv = NULL;
	gr_status st = GR_OK;
	int bytes = gr_dtype_bits(tt->dtype) / 8;

	switch (tt->dtype) {
	case GR_DTYPE_INT32: case GR_DTYPE_INT64:
		if (numel > GR_FOLD_MAX)
			return GR_OK;
		break;
	case GR_DTYPE_INT8: case GR_DTYPE_UINT8: case GR_DTYPE_INT16: case GR_DTYPE_UINT16:
	case GR_DTYPE_BOOL: case GR_DTYPE_FLOAT: case GR_DTYPE_DOUBLE:
		if (numel > TFL_SMALL_FLOAT)
			return GR_OK;
		break;
	default:
		return GR_OK;
	}
	if (tt->dtype == GR_DTYPE_FLOAT || tt->dtype == GR_DTYPE_DOUBLE) {
		if (!(fv = malloc((size_t)(numel ? numel : 1) * sizeof(double))))
			return oom(c);
		for (int64_t i = 0; i < numel; i++) {
			if (tt->dtype == GR_DTYPE_FLOAT) {
				float f;
				uint32_t u = ld32(p + 4 * i);
				memcpy(&f, &u, sizeof(f));
				fv[i] = f;
			} else {
				uint64_t u = ld64(p + 8 * i);
				memcpy(&fv[i], &u, sizeof(double));
			}
		}
		st = gr_tensor_set_f64(c->g, tt->t, fv, numel);
	} else {
		if (!(iv = malloc((size_t)(numel ? numel : 1) * sizeof(int64_t))))
			return oom(c);
		for (int64_t i = 0; i < numel; i++) {
			const unsigned char *q = p + (size_t)i * (size_t)bytes;
			switch (tt->dtype) {
			case GR_DTYPE_INT32: iv[i] = ld32s(q); break;
			case GR_DTYPE_INT64: memcpy(&iv[i], &(uint64_t){ld64(q)}, sizeof(int64_t)); break;
			case GR_DTYPE_INT8: iv[i] = (int8_t)q[0]; break;
			case GR_DTYPE_INT16: iv[i] = (int16_t)ld16(q); break;
			case GR_DTYPE_UINT16: iv[i] = ld16(q); break;
			default: iv[i] = q[0]; break;
			}
		}
		st = gr_tensor_set_i64(c->g, tt->t, iv, numel);
	}
	free(iv);
	free(fv);
	return st ? oom(c) : GR_OK;
}

static gr_status read_tensor(tfl_ctx *c, const fb_vec *tv, uint32_t k, int depth)
{
	tfl_tensor *tt = &c->ts[k];
	fb_table t, sub;
	fb_vec shape, sig;
	int64_t type, buf, var, has_rank, numel = 1;
	const char *s;
	size_t len;
	char what[96], *name;
	gr_dim dims[GR_MAX_RANK];
	int found, dt, unknown = 0, dynamic[GR_MAX_RANK] = {0};

	snprintf(what, sizeof(what), "tensor #%u", k);
	TRY(fb_vec_table(&c->s, tv, k, depth, what, &t));
	tt->pos = t.pos;
	TRY(fb_vector(&c->s, &t, 0, 4, what, &shape));
	TRY(fb_int(&c->s, &t, 1, 1, 1, 0, what, &type));
	TRY(fb_int(&c->s, &t, 2, 4, 0, 0, what, &buf));
	TRY(fb_string(&c->s, &t, 3, what, &s, &len));
	TRY(fb_int(&c->s, &t, 5, 1, 0, 0, what, &var));
	TRY(fb_vector(&c->s, &t, 7, 4, what, &sig));
	TRY(fb_int(&c->s, &t, 8, 1, 0, 0, what, &has_rank));
	if (s && len) {
		char shown[41];
		size_t m = len < 40 ? len : 40;
		for (size_t i = 0; i < m; i++)
			shown[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
		shown[m] = 0;
		snprintf(what, sizeof(what), "tensor #%u ('%s%s')", k, shown, len > 40 ? "..." : "");
	}
	if ((dt = tfl_dtype(type)) < 0)
		return fb_error(&c->s, t.pos, GR_ERR_FORMAT, "%s: unknown type %lld", what, (long long)type);
	tt->dtype = (gr_dtype)dt;
	if (shape.len > GR_MAX_RANK)
		return fb_error(&c->s, shape.at, GR_ERR_LIMIT, "%s: rank %u (at most %d)", what,
				shape.len, GR_MAX_RANK);
	if (sig.at && sig.len != shape.len)
		return fb_error(&c->s, sig.at, GR_ERR_FORMAT, "%s: shape_signature has %u dims, shape %u",
				what, sig.len, shape.len);
	if (buf >= c->nb)
		return fb_error(&c->s, t.pos, GR_ERR_FORMAT, "%s: buffer #%lld (the model has %u)", what,
				(long long)buf, c->nb);
	tt->rank = (int)shape.len;
	tt->dims = gr_arena_calloc(c->a, shape.len ? shape.len : 1, sizeof(int64_t));
	if (!tt->dims)
		return oom(c);
	for (uint32_t i = 0; i < shape.len; i++) {
		int64_t d = fb_vec_i32(&c->s, &shape, i);
		if (d < -1)
			return fb_error(&c->s, shape.at, GR_ERR_FORMAT, "%s: dim %u is %lld", what, i,
					(long long)d);
		tt->dims[i] = d;
		dims[i].value = d;
		dims[i].sym = NULL;
		if (sig.at && fb_vec_i32(&c->s, &sig, i) == -1) {
			if (i == 0)
				dims[i].sym = "batch";
			else
				dynamic[i] = 1; /* named after the tensor, below */
		}
		if (d < 0)
			unknown = 1;
		else if (!gr_mul_i64(numel, d, &numel) || numel > TFL_MAX_NUMEL)
			return fb_error(&c->s, shape.at, GR_ERR_LIMIT, "%s: more than 2^50 elements", what);
	}
	TRY(fb_subtable(&c->s, &t, 4, what, &sub, &found));
	if (found)
		TRY(read_quant(c, &sub, what, tt));
	TRY(fb_subtable(&c->s, &t, 6, what, &sub, &found));
	if (found) {
		TRY(read_sparsity(c, &sub, what));
		tt->sparse = 1;
	}
	tt->variable = var != 0;
	/* unique, printable name */
	name = s && len ? fe_clean_name(c->a, s, len) : NULL;
	if (s && len && !name)
		return oom(c);
	if (!name || gr_graph_tensor(c->g, name)) {
		char nb[480];
		snprintf(nb, sizeof(nb), "%.400s#%u", name ? name : "tensor", k);
		while (gr_graph_tensor(c->g, nb))
			snprintf(nb, sizeof(nb), "%.400s#%u.%lu", name ? name : "tensor", k, ++c->uniq);
		name = gr_arena_strdup(c->a, nb);
	}
	if (!name || !(tt->t = gr_graph_tensor_def(c->g, name)))
		return oom(c);
	/* each dynamic dim but the batch is its own symbol, NAME_dI: two inputs of different
	 * lengths must not be one symbol bound twice */
	for (uint32_t i = 1; i < shape.len; i++)
		if (dynamic[i]) {
			char sym[512];
			snprintf(sym, sizeof(sym), "%.480s_d%u", name, i);
			if (!(dims[i].sym = gr_arena_strdup(c->a, sym)))
				return oom(c);
		}
	tt->t->dtype = tt->dtype;
	/* the declared shape, for reference (never used by inference) */
	if (shape.len || has_rank || c->bufs[buf].len) {
		tt->t->decl_rank = (int)shape.len;
		if (shape.len && !(tt->t->decl_dims = gr_arena_calloc(c->a, shape.len, sizeof(gr_dim))))
			return oom(c);
		if (shape.len)
			memcpy(tt->t->decl_dims, dims, shape.len * sizeof(gr_dim));
	} else {
		tt->rank = -1;
	}
	if (tt->sparse) {
		c->n_sparse++;
		if (!c->first_sparse)
			c->first_sparse = name;
	}
	/* constants: a buffer with data */
	if (c->bufs[buf].len) {
		const tfl_buffer *b = &c->bufs[buf];
		int bits = gr_dtype_bits(tt->dtype);
		tt->is_const = 1;
		if (unknown)
			return fb_error(&c->s, t.pos, GR_ERR_FORMAT, "%s: constant with unknown dims", what);
		if (!tt->sparse && bits && tt->dtype != GR_DTYPE_STRING) {
			double need = ceil((double)numel * bits / 8.0);
			if ((double)b->len < need)
				return fb_error(&c->s, b->off, GR_ERR_FORMAT,
						"%s needs %.0f bytes, buffer #%lld holds %zu", what, need,
						(long long)buf, b->len);
			TRY(gr_tensor_set_shape(c->g, tt->t, tt->dtype, tt->rank < 0 ? 0 : tt->rank, dims)
				    ? oom(c) : GR_OK);
			TRY(load_values(c, tt, c->s.d + b->off, numel));
		} else {
			TRY(gr_tensor_set_shape(c->g, tt->t, tt->dtype, tt->rank < 0 ? 0 : tt->rank, dims)
				    ? oom(c) : GR_OK);
		}
		if (gr_graph_add_initializer(c->g, tt->t))
			return oom(c);
	}
	return GR_OK;
}

/* Reads operator k of the subgraph and maps it. */
static gr_status read_operator(tfl_ctx *c, const fb_vec *ov, uint32_t k, int depth)
{
	tfl_op op;
	fb_table t, sub;
	fb_vec in, out, v;
	int64_t idx, otype, o2type;
	uint64_t loff, lsize;
	char what[64];
	int found;
	gr_status st;

	memset(&op, 0, sizeof(op));
	snprintf(what, sizeof(what), "operator #%u", k);
	TRY(fb_vec_table(&c->s, ov, k, depth, what, &t));
	op.idx = k;
	op.pos = t.pos;
	TRY(fb_int(&c->s, &t, 0, 4, 0, 0, what, &idx));
	if (idx >= c->nc)
		return fb_error(&c->s, t.pos, GR_ERR_FORMAT, "%s: opcode_index %lld (the model has %u)",
				what, (long long)idx, c->nc);
	op.code = c->codes[idx].code;
	op.custom = c->codes[idx].custom;
	op.opname = op.code == B_CUSTOM && op.custom ? op.custom : gr_tflite_builtin_name(op.code);
	if (!op.opname) {
		char nb[32];
		snprintf(nb, sizeof(nb), "BUILTIN_%d", op.code);
		op.opname = gr_arena_strdup(c->a, nb);
	}
	snprintf(op.what, sizeof(op.what), "operator #%u (%.60s)", k, op.opname ? op.opname : "?");
	TRY(fb_vector(&c->s, &t, 1, 4, op.what, &in));
	TRY(fb_vector(&c->s, &t, 2, 4, op.what, &out));
	TRY(fb_int(&c->s, &t, 3, 1, 0, 0, op.what, &otype));
	TRY(fb_subtable(&c->s, &t, 4, op.what, &op.opt, &op.has_opt));
	op.opt_type = (int)otype;
	TRY(fb_vector(&c->s, &t, 5, 1, op.what, &v));
	op.copt = v.data;
	op.copt_len = v.len;
	TRY(fb_vector(&c->s, &t, 7, 1, op.what, &v));
	TRY(fb_vector(&c->s, &t, 8, 4, op.what, &v));
	TRY(fb_u64(&c->s, &t, 9, op.what, &loff));
	TRY(fb_u64(&c->s, &t, 10, op.what, &lsize));
	if (!op.copt_len && loff > 1) {
		if (loff > c->s.n || lsize > c->s.n - loff)
			return fb_error(&c->s, t.pos, GR_ERR_FORMAT, "%s: custom options lie outside the file",
					op.what);
		op.copt = (size_t)loff;
		op.copt_len = (size_t)lsize;
	}
	TRY(fb_int(&c->s, &t, 11, 1, 0, 0, op.what, &o2type));
	TRY(fb_subtable(&c->s, &t, 12, op.what, &sub, &found));
	if (!out.len)
		return fb_error(&c->s, t.pos, GR_ERR_FORMAT, "%s has no outputs", op.what);
	op.n_in = in.len;
	op.n_out = out.len;
	op.in = malloc((in.len + out.len + 1) * sizeof(int32_t));
	if (!op.in)
		return oom(c);
	op.out = op.in + in.len;
	for (uint32_t i = 0; i < in.len + out.len; i++) {
		int is_in = i < in.len;
		int32_t x = is_in ? fb_vec_i32(&c->s, &in, i) : fb_vec_i32(&c->s, &out, i - in.len);
		if (x < (is_in ? -1 : 0) || x >= (int64_t)c->nt) {
			st = fb_error(&c->s, is_in ? in.at : out.at, GR_ERR_FORMAT,
				      "%s: %s %u is tensor %d (the subgraph has %u)", op.what,
				      is_in ? "input" : "output", is_in ? i : i - in.len, x, c->nt);
			free(op.in);
			return st;
		}
		op.in[i] = x;
		if (!is_in)
			c->ts[x].produced = 1;
	}
	op.name = c->ts[op.out[0]].t->name;
	c->fst = GR_OK;
	st = tfl_map_operator(c, &op);
	if (!st && c->fst)
		st = c->fst;
	if (st == GR_ERR_UNSUPPORTED) {
		/* an operand form the mapping cannot express: keep the operator, uncosted */
		const char *m = c->s.err ? c->s.err->msg : "unsupported operator form";
		if (!strncmp(m, "cannot read ", 12))
			m += 12;
		gr_log_warn("%s; left uncosted", m);
		st = tfl_map_placeholder(c, &op, op.code == B_CUSTOM);
	}
	free(op.in);
	return st;
}

static gr_status read_subgraph(tfl_ctx *c, const fb_table *model)
{
	fb_vec sgs, tv, iv, outv, ov;
	fb_table sg;
	const char *s;
	size_t len;

	TRY(fb_vector(&c->s, model, 2, 4, "model subgraphs", &sgs));
	if (!sgs.len)
		return fb_error(&c->s, model->pos, GR_ERR_FORMAT, "the model has no subgraphs");
	c->n_subgraphs = sgs.len;
	TRY(fb_vec_table(&c->s, &sgs, 0, model->depth + 1, "subgraph 0", &sg));
	TRY(fb_vector(&c->s, &sg, 0, 4, "subgraph 0 tensors", &tv));
	TRY(fb_vector(&c->s, &sg, 1, 4, "subgraph 0 inputs", &iv));
	TRY(fb_vector(&c->s, &sg, 2, 4, "subgraph 0 outputs", &outv));
	TRY(fb_vector(&c->s, &sg, 3, 4, "subgraph 0 operators", &ov));
	TRY(fb_string(&c->s, &sg, 4, "subgraph 0 name", &s, &len));
	if (s && len && !(c->g->name = fe_clean_name(c->a, s, len)))
		return oom(c);
	c->nt = tv.len;
	if (!(c->ts = calloc(tv.len ? tv.len : 1, sizeof(*c->ts))))
		return oom(c);
	for (uint32_t k = 0; k < tv.len; k++)
		TRY(read_tensor(c, &tv, k, sg.depth + 1));
	for (uint32_t k = 0; k < iv.len; k++) {
		int32_t x = fb_vec_i32(&c->s, &iv, k);
		tfl_tensor *tt;
		gr_dim d[GR_MAX_RANK];
		if (x < 0 || (uint32_t)x >= c->nt)
			return fb_error(&c->s, iv.at, GR_ERR_FORMAT, "subgraph input %u is tensor %d (the "
					"subgraph has %u)", k, x, c->nt);
		tt = &c->ts[x];
		if (tt->is_const || tt->t->is_input)
			continue;
		if (tt->rank > 0)
			memcpy(d, tt->t->decl_dims, (size_t)tt->rank * sizeof(gr_dim));
		if (gr_tensor_set_shape(c->g, tt->t, tt->dtype, tt->rank, d) ||
		    gr_graph_add_input(c->g, tt->t))
			return oom(c);
	}
	for (uint32_t k = 0; k < ov.len; k++)
		TRY(read_operator(c, &ov, k, sg.depth + 1));
	for (uint32_t k = 0; k < outv.len; k++) {
		int32_t x = fb_vec_i32(&c->s, &outv, k);
		if (x < 0 || (uint32_t)x >= c->nt)
			return fb_error(&c->s, outv.at, GR_ERR_FORMAT, "subgraph output %u is tensor %d (the "
					"subgraph has %u)", k, x, c->nt);
		if (!c->ts[x].t->is_output && gr_graph_add_output(c->g, c->ts[x].t))
			return oom(c);
	}
	/* variable tensors (state) read before anything writes them are inputs of the step */
	for (uint32_t k = 0; k < c->nt; k++) {
		tfl_tensor *tt = &c->ts[k];
		if (tt->variable && !tt->is_const && !tt->produced && !tt->t->is_input) {
			gr_dim d[GR_MAX_RANK];
			if (tt->rank > 0)
				memcpy(d, tt->t->decl_dims, (size_t)tt->rank * sizeof(gr_dim));
			if (gr_tensor_set_shape(c->g, tt->t, tt->dtype, tt->rank, d) ||
			    gr_graph_add_input(c->g, tt->t))
				return oom(c);
		}
	}
	return GR_OK;
}

static void warn_summary(tfl_ctx *c)
{
	fe_unmapped_warn(&c->unmapped, c->s.name, "operator", "not in the op table");
	if (c->called[0])
		gr_log_warn("'%s': subgraphs called by control flow are not costed: %s", c->s.name,
			    c->called);
	if (c->n_sparse)
		gr_log_warn("'%s': %zu sparse tensor%s (e.g. '%.60s') counted with %s dense shape%s",
			    c->s.name, c->n_sparse, c->n_sparse == 1 ? "" : "s", c->first_sparse,
			    c->n_sparse == 1 ? "its" : "their", c->n_sparse == 1 ? "" : "s");
}

gr_status gr_tflite_load_mem(const unsigned char *data, size_t size, const char *name,
			     gr_graph **out, gr_error *err)
{
	tfl_ctx *c;
	fb_table model;
	size_t root = 0;
	int64_t version;
	gr_status st;

	if (!out)
		return gr_error_set(err, GR_ERR_USAGE, "gr_tflite_load_mem: no output pointer");
	*out = NULL;
	if (!(c = calloc(1, sizeof(*c))))
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	c->s.d = data;
	c->s.n = data ? size : 0;
	c->s.name = name ? name : "<memory>";
	c->s.err = err;
	/* a real model visits each element about once; 16 per byte leaves room, no more */
	c->s.work_max = 16 * (uint64_t)c->s.n + (1u << 20);
	if (c->s.n == 0) {
		st = gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': file is empty", c->s.name);
		goto done;
	}
	if (c->s.n < 8) {
		st = fb_error(&c->s, 0, GR_ERR_FORMAT, "%zu bytes is too short for a TFLite model",
			      c->s.n);
		goto done;
	}
	if (memcmp(c->s.d + 4, "TFL3", 4) != 0) {
		st = fb_error(&c->s, 4, GR_ERR_FORMAT,
			      "not a TFLite model (no 'TFL3' file identifier)");
		goto done;
	}
	if (!(c->g = gr_graph_new("tflite"))) {
		st = oom(c);
		goto done;
	}
	c->a = gr_graph_arena(c->g);
	c->g->opset = 18; /* the nodes follow ONNX opset 18 (Resize axes, Split num_outputs) */
	if ((st = fb_follow(&c->s, 0, "model root", &root)) ||
	    (st = fb_table_at(&c->s, root, 0, "model", &model)) ||
	    (st = fb_int(&c->s, &model, 0, 4, 0, 0, "model", &version)))
		goto done;
	if (version != 3) {
		st = fb_error(&c->s, model.pos, GR_ERR_UNSUPPORTED,
			      "schema version %lld is not supported (3 is)", (long long)version);
		goto done;
	}
	if ((st = read_codes(c, &model)) || (st = read_buffers(c, &model)) ||
	    (st = read_subgraph(c, &model)))
		goto done;
	if ((st = gr_graph_finalize(c->g, err))) {
		gr_error_prefix(err, "cannot read '%s'", c->s.name);
		goto done;
	}
	warn_summary(c);
	*out = c->g;
	c->g = NULL;
done:
	gr_graph_free(c->g);
	free(c->ts);
	free(c->bufs);
	free(c);
	return st;
}
