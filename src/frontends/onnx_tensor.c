/* ONNX frontend: TensorProto and SparseTensorProto (see onnx_read.h). Weights are never
 * copied: tensors keep their shape, and values only when small (GR_FOLD_MAX elements) so
 * that shape arithmetic can be folded. Also the entry points for tensor files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/onnx_read.h"
#include "graphs/model.h"

/* Tensors may claim at most this many elements (2^50: a petabyte of int8). */
#define ONNX_MAX_NUMEL ((int64_t)1 << 50)

enum {
	T_DIMS = 1, T_DATA_TYPE = 2, T_SEGMENT = 3, T_FLOAT_DATA = 4, T_INT32_DATA = 5,
	T_STRING_DATA = 6, T_INT64_DATA = 7, T_NAME = 8, T_RAW_DATA = 9, T_DOUBLE_DATA = 10,
	T_UINT64_DATA = 11, T_DOC = 12, T_EXTERNAL_DATA = 13, T_DATA_LOCATION = 14
};

static gr_status dims_push(void *user, uint64_t v)
{
	tensor_info *ti = user;

	if (ti->rank < GR_MAX_RANK)
		ti->dims[ti->rank] = (int64_t)v;
	if (ti->rank < INT32_MAX)
		ti->rank++;
	return GR_OK;
}

/* Which typed field carries values of dtype, and how many entries numel elements need. */
static int typed_field_for(int dtype, int64_t numel, int64_t *count)
{
	*count = numel;
	switch (dtype) {
	case GR_DTYPE_FLOAT: return T_FLOAT_DATA;
	case GR_DTYPE_COMPLEX64: *count = numel * 2; return T_FLOAT_DATA;
	case GR_DTYPE_INT32: case GR_DTYPE_INT16: case GR_DTYPE_INT8: case GR_DTYPE_UINT16:
	case GR_DTYPE_UINT8: case GR_DTYPE_BOOL: case GR_DTYPE_FLOAT16: case GR_DTYPE_BFLOAT16:
	case GR_DTYPE_FLOAT8E4M3FN: case GR_DTYPE_FLOAT8E4M3FNUZ: case GR_DTYPE_FLOAT8E5M2:
	case GR_DTYPE_FLOAT8E5M2FNUZ:
		return T_INT32_DATA;
	case GR_DTYPE_INT4: case GR_DTYPE_UINT4: *count = (numel + 1) / 2; return T_INT32_DATA;
	case GR_DTYPE_STRING: return T_STRING_DATA;
	case GR_DTYPE_INT64: return T_INT64_DATA;
	case GR_DTYPE_DOUBLE: return T_DOUBLE_DATA;
	case GR_DTYPE_COMPLEX128: *count = numel * 2; return T_DOUBLE_DATA;
	case GR_DTYPE_UINT32: case GR_DTYPE_UINT64: return T_UINT64_DATA;
	}
	return 0;
}

static const char *typed_field_name(int num)
{
	switch (num) {
	case T_FLOAT_DATA: return "float_data";
	case T_INT32_DATA: return "int32_data";
	case T_STRING_DATA: return "string_data";
	case T_INT64_DATA: return "int64_data";
	case T_DOUBLE_DATA: return "double_data";
	case T_UINT64_DATA: return "uint64_data";
	}
	return "?";
}

static int typed_elem_wire(int num)
{
	switch (num) {
	case T_FLOAT_DATA: return PB_FIXED32;
	case T_DOUBLE_DATA: return PB_FIXED64;
	default: return PB_VARINT;
	}
}


/* "tensor 'w'", "initializer #3", "tensor of attribute 'value' of node 'c'" (only built
 * when a message needs it). */
static const char *tensor_who(const onnx_ctx *c, const tensor_info *ti, const tensor_role *role,
			      char *buf, size_t size)
{
	char a[NAME_BUF], b[NAME_BUF];

	if (ti->has_name && ti->name_len)
		snprintf(buf, size, "tensor '%s'",
			 pb_printable((const char *)c->src.data + ti->name_off, ti->name_len, a,
				      sizeof(a)));
	else if (role->kind == ROLE_INIT)
		snprintf(buf, size, "initializer #%zu", role->index);
	else if (role->kind == ROLE_ATTR)
		snprintf(buf, size, "tensor of attribute '%s' of node '%s'", pname(role->attr, a),
			 pname(role->node, b));
	else
		snprintf(buf, size, "tensor");
	return buf;
}

/* Element count of dims (all >= 0) into *numel; 0 when it exceeds 2^50 or int64, with
 * *log2n set for the message. A zero dim makes any shape empty. */
int onnx_count_elements(const int64_t *dims, int rank, int64_t *numel, double *log2n)
{
	int64_t n = 1;
	int overflow = 0;

	*log2n = 0;
	for (int i = 0; i < rank; i++) {
		if (dims[i] == 0) {
			*numel = 0;
			return 1;
		}
		if (!overflow && !gr_mul_i64(n, dims[i], &n))
			overflow = 1;
	}
	*numel = n;
	if (!overflow && n <= ONNX_MAX_NUMEL)
		return 1;
	/* the size for the message, only when there is one (a libm call per dim of every
	 * tensor of a big graph otherwise) */
	for (int i = 0; i < rank; i++)
		*log2n += log2((double)dims[i]);
	return 0;
}

/* "tensor 'w' claims 2^70 elements (at most 2^50)" */
gr_status onnx_too_many(onnx_ctx *c, size_t off, const char *who, double log2n)
{
	if (fabs(log2n - round(log2n)) < 0.05)
		return pb_error(&c->src, off, GR_ERR_LIMIT, "%s claims 2^%.0f elements (at most 2^50)",
				who, log2n);
	return pb_error(&c->src, off, GR_ERR_LIMIT, "%s claims 2^%.1f elements (at most 2^50)",
			who, log2n);
}

/* Reads a TensorProto's header: name, dtype, dims, where its payload is. Checks dims
 * (rank, sign, element count) and that the payload size matches. */
gr_status onnx_tensor_header(onnx_ctx *c, const pb_msg *msg, const tensor_role *role,
			     tensor_info *ti)
{
	pb_msg it = *msg;
	pb_field f;
	char who[3 * NAME_BUF + 48];
	double log2n;
	int r;
	int64_t expect;
	int dt, want;

	memset(ti, 0, sizeof(*ti));
	ti->off = msg->pos;
	FOR_FIELDS(&it, &f, r) {
		size_t n;

		switch (f.num) {
		case T_DIMS:
			TRY(pb_repeated_each(&it, &f, PB_VARINT, dims_push, ti));
			break;
		case T_DATA_TYPE:
			TRY(pb_expect(&it, &f, PB_VARINT, "tensor data_type"));
			ti->dtype_raw = f.v;
			break;
		case T_NAME:
			TRY(pb_expect(&it, &f, PB_LEN, "tensor name"));
			ti->has_name = 1;
			ti->name_off = f.off;
			ti->name_len = f.len;
			break;
		case T_RAW_DATA:
			TRY(pb_expect(&it, &f, PB_LEN, "tensor raw_data"));
			ti->has_raw = 1;
			ti->raw_off = f.off;
			ti->raw_len = f.len;
			break;
		case T_FLOAT_DATA: case T_INT32_DATA: case T_INT64_DATA: case T_DOUBLE_DATA:
		case T_UINT64_DATA:
			TRY(pb_repeated_count(&it, &f, typed_elem_wire((int)f.num), &n));
			ti->typed[f.num] += n;
			break;
		case T_STRING_DATA:
			TRY(pb_expect(&it, &f, PB_LEN, "tensor string_data"));
			ti->typed[f.num]++;
			break;
		case T_EXTERNAL_DATA:
			TRY(pb_expect(&it, &f, PB_LEN, "tensor external_data"));
			ti->external = 1;
			break;
		case T_DATA_LOCATION:
			TRY(pb_expect(&it, &f, PB_VARINT, "tensor data_location"));
			if (f.v == 1)
				ti->external = 1;
			break;
		case T_SEGMENT: case T_DOC:
			TRY(pb_expect(&it, &f, PB_LEN, "tensor field"));
			break;
		default:
			break;  /* unknown: skipped */
		}
	}
	if (r < 0)
		return r;

#define WHO tensor_who(c, ti, role, who, sizeof(who))
	if (ti->rank > GR_MAX_RANK)
		return pb_error(&c->src, ti->off, GR_ERR_LIMIT, "%s has rank %d (at most %d)", WHO,
				ti->rank, GR_MAX_RANK);
	for (int i = 0; i < ti->rank; i++)
		if (ti->dims[i] < 0)
			return pb_error(&c->src, ti->off, GR_ERR_FORMAT,
					"%s has negative dimension %lld (dim %d)", WHO,
					(long long)ti->dims[i], i);
	if (!onnx_count_elements(ti->dims, ti->rank, &ti->numel, &log2n))
		return onnx_too_many(c, ti->off, WHO, log2n);
	if (ti->dtype_raw >= GR_DTYPE_COUNT)
		return pb_error(&c->src, ti->off, GR_ERR_UNSUPPORTED,
				"%s has unknown data type %lld", WHO,
				(long long)(int32_t)(uint32_t)ti->dtype_raw);
	dt = (int)ti->dtype_raw;

	if (ti->external)
		return GR_OK;  /* weights live in another file: the shape is all we need */
	want = typed_field_for(dt, ti->numel, &expect);
	for (int k = T_FLOAT_DATA; k <= T_UINT64_DATA; k++) {
		if (!ti->typed[k])
			continue;
		if (ti->has_raw)
			return pb_error(&c->src, ti->off, GR_ERR_FORMAT,
					"%s has both raw_data and %s", WHO, typed_field_name(k));
		if (k != want)
			return pb_error(&c->src, ti->off, GR_ERR_FORMAT,
					"%s of type %s carries %s", WHO,
					gr_dtype_name((gr_dtype)dt), typed_field_name(k));
		if ((int64_t)ti->typed[k] != expect)
			return pb_error(&c->src, ti->off, GR_ERR_FORMAT,
					"%s has %zu values in %s, expected %lld", WHO,
					ti->typed[k], typed_field_name(k), (long long)expect);
	}
	if (ti->has_raw) {
		int bits = gr_dtype_bits((gr_dtype)dt);
		uint64_t bytes;

		if (bits == 0)
			return pb_error(&c->src, ti->off, GR_ERR_FORMAT,
					"%s has raw_data but data type %s", WHO,
					gr_dtype_name((gr_dtype)dt));
		bytes = ((uint64_t)ti->numel * (uint64_t)bits + 7) / 8;
		if (bytes != ti->raw_len)
			return pb_error(&c->src, ti->raw_off, GR_ERR_FORMAT,
					"%s has %zu bytes of raw_data, expected %llu (%lld x %s)",
					WHO, ti->raw_len, (unsigned long long)bytes,
					(long long)ti->numel, gr_dtype_name((gr_dtype)dt));
	}
	return GR_OK;
}
#undef WHO

/* --- values of small tensors --------------------------------------------------------- */

static uint64_t le_bits(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static double f64_bits(uint64_t b)
{
	double x;
	memcpy(&x, &b, sizeof(x));
	return x;
}

static double f16_bits(uint16_t h)
{
	int e = (h >> 10) & 0x1f, m = h & 0x3ff;
	double v;

	if (e == 0)
		v = ldexp(m, -24);
	else if (e == 31)
		v = m ? NAN : INFINITY;
	else
		v = ldexp(m + 1024, e - 25);
	return (h & 0x8000) ? -v : v;
}

/* 1: integer values, 2: floating values, 0: values not kept (strings, complex, fp8, int4). */
static int value_kind(int dt)
{
	switch (dt) {
	case GR_DTYPE_INT8: case GR_DTYPE_INT16: case GR_DTYPE_INT32: case GR_DTYPE_INT64:
	case GR_DTYPE_UINT8: case GR_DTYPE_UINT16: case GR_DTYPE_UINT32: case GR_DTYPE_UINT64:
	case GR_DTYPE_BOOL:
		return 1;
	case GR_DTYPE_FLOAT: case GR_DTYPE_DOUBLE: case GR_DTYPE_FLOAT16: case GR_DTYPE_BFLOAT16:
		return 2;
	}
	return 0;
}

/* Converts one stored element (raw little-endian bits, or a typed-field value) to
 * int64 or double. */
static void convert(int dt, uint64_t v, int from_raw, int64_t *iv, double *fv)
{
	switch (dt) {
	case GR_DTYPE_INT8: *iv = from_raw ? (int8_t)v : (int32_t)(uint32_t)v; break;
	case GR_DTYPE_INT16: *iv = from_raw ? (int16_t)v : (int32_t)(uint32_t)v; break;
	case GR_DTYPE_INT32: *iv = (int32_t)(uint32_t)v; break;
	case GR_DTYPE_UINT8: case GR_DTYPE_UINT16: case GR_DTYPE_UINT32:
		*iv = from_raw ? (int64_t)v : (int64_t)(uint32_t)v;
		break;
	case GR_DTYPE_INT64: case GR_DTYPE_UINT64: *iv = (int64_t)v; break;
	case GR_DTYPE_BOOL: *iv = v != 0; break;
	case GR_DTYPE_FLOAT: *fv = f32_bits((uint32_t)v); break;
	case GR_DTYPE_DOUBLE: *fv = f64_bits(v); break;
	case GR_DTYPE_FLOAT16: *fv = f16_bits((uint16_t)v); break;
	case GR_DTYPE_BFLOAT16: *fv = f32_bits((uint32_t)(uint16_t)v << 16); break;
	}
}

struct value_acc {
	onnx_ctx *c;
	int dt;
	int64_t k, n;
};

static gr_status value_push(void *user, uint64_t v)
{
	struct value_acc *a = user;

	if (a->k >= a->n)  /* counts were checked; defensive */
		return GR_ERR_FORMAT;
	convert(a->dt, v, 0, &a->c->ival[a->k], &a->c->fval[a->k]);
	a->k++;
	return GR_OK;
}

/* Attaches values to t when the tensor is small and its payload is inline. */
static gr_status tensor_values(onnx_ctx *c, gr_graph *g, const pb_msg *msg, const tensor_info *ti,
			       gr_tensor *t)
{
	int dt = (int)ti->dtype_raw, kind = value_kind(dt), want;
	int64_t n = ti->numel, expect;

	if (!kind || ti->external || n > GR_FOLD_MAX)
		return GR_OK;
	want = typed_field_for(dt, n, &expect);
	if (ti->has_raw) {
		int bytes = gr_dtype_bits((gr_dtype)dt) / 8;
		const unsigned char *p = c->src.data + ti->raw_off;

		for (int64_t i = 0; i < n; i++)
			convert(dt, le_bits(p + i * bytes, bytes), 1, &c->ival[i], &c->fval[i]);
	} else if (n == 0 || ti->typed[want]) {
		struct value_acc acc = {c, dt, 0, n};
		pb_msg it = *msg;
		pb_field f;
		int r;

		FOR_FIELDS(&it, &f, r) {
			if ((int)f.num != want)
				continue;
			TRY(pb_repeated_each(&it, &f, typed_elem_wire(want), value_push, &acc));
		}
		if (r < 0)
			return r;
	} else {
		return GR_OK;  /* no payload (weightless model): shape only */
	}
	if (kind == 1)
		TRY(gr_tensor_set_i64(g, t, c->ival, n) ? oom(c) : GR_OK);
	else
		TRY(gr_tensor_set_f64(g, t, c->fval, n) ? oom(c) : GR_OK);
	return GR_OK;
}

gr_status onnx_tensor_apply_shape(onnx_ctx *c, gr_graph *g, const tensor_info *ti, gr_tensor *t)
{
	gr_dim dims[GR_MAX_RANK];

	for (int i = 0; i < ti->rank; i++) {
		dims[i].value = ti->dims[i];
		dims[i].sym = NULL;
	}
	if (gr_tensor_set_shape(g, t, (gr_dtype)ti->dtype_raw, ti->rank, dims))
		return oom(c);
	return GR_OK;
}

/* Reads a TensorProto into tensor t (shape, small values). */
gr_status onnx_tensor_read(onnx_ctx *c, gr_graph *g, const pb_msg *msg, const tensor_info *ti,
			   gr_tensor *t)
{
	TRY(onnx_tensor_apply_shape(c, g, ti, t));
	return tensor_values(c, g, msg, ti, t);
}

/* SparseTensorProto: values (1), indices (2), dims (3). The tensor gets the dense shape
 * and the values' dtype; no values. */
gr_status onnx_sparse_read(onnx_ctx *c, const pb_msg *msg, const tensor_role *role,
			   tensor_info *out)
{
	pb_msg it = *msg, sub;
	pb_field f;
	tensor_info dense;
	int r, have_values = 0;
	char nb[NAME_BUF], who[2 * NAME_BUF + 32];
	double log2n;

	memset(&dense, 0, sizeof(dense));
	memset(out, 0, sizeof(*out));
	FOR_FIELDS(&it, &f, r) {
		switch (f.num) {
		case 1:
		case 2:
			TRY(pb_sub(&it, &f, &sub));
			if (f.num == 1) {
				TRY(onnx_tensor_header(c, &sub, role, out));
				have_values = 1;
			} else {
				tensor_info idx;
				TRY(onnx_tensor_header(c, &sub, role, &idx));
			}
			break;
		case 3:
			TRY(pb_repeated_each(&it, &f, PB_VARINT, dims_push, &dense));
			break;
		}
	}
	if (r < 0)
		return r;
	if (!have_values) {
		memset(&dense, 0, sizeof(dense));  /* no name */
		return pb_error(&c->src, msg->pos, GR_ERR_FORMAT, "sparse %s has no values",
				tensor_who(c, &dense, role, who, sizeof(who)));
	}
	snprintf(who, sizeof(who), "sparse %s", tensor_who(c, out, role, nb, sizeof(nb)));
	if (dense.rank > GR_MAX_RANK)
		return pb_error(&c->src, msg->pos, GR_ERR_LIMIT, "%s has rank %d (at most %d)",
				who, dense.rank, GR_MAX_RANK);
	out->rank = dense.rank;
	for (int i = 0; i < dense.rank; i++) {
		if (dense.dims[i] < 0)
			return pb_error(&c->src, msg->pos, GR_ERR_FORMAT,
					"%s has negative dimension %lld", who,
					(long long)dense.dims[i]);
		out->dims[i] = dense.dims[i];
	}
	if (!onnx_count_elements(out->dims, out->rank, &out->numel, &log2n))
		return onnx_too_many(c, msg->pos, who, log2n);
	out->has_raw = 0;
	out->external = 1;  /* values are never attached to sparse tensors */
	return GR_OK;
}

/* Maps a file holding one TensorProto and reads its header into *ti (c->src covers the
 * file; the caller unmaps it). */
static gr_status tensor_file_open(const char *path, pb_file *file, onnx_ctx *c, tensor_info *ti,
				  gr_error *err)
{
	pb_msg root;
	tensor_role role = {ROLE_FILE, 0, NULL, NULL};

	memset(c, 0, sizeof(*c));
	TRY(pb_file_map(path, file, err));
	c->src.data = file->data;
	c->src.size = file->size;
	c->src.name = path;
	c->src.err = err;
	pb_msg_root(&root, &c->src);
	return onnx_tensor_header(c, &root, &role, ti);
}

gr_status gr_onnx_tensor_file_shape(const char *path, gr_dtype *dtype, int64_t *dims, int *rank,
				    gr_error *err)
{
	pb_file file = {0};
	onnx_ctx c;
	tensor_info ti;
	gr_status st;

	if (!path || !dtype || !dims || !rank)
		return gr_error_set(err, GR_ERR_USAGE, "gr_onnx_tensor_file_shape: missing argument");
	st = tensor_file_open(path, &file, &c, &ti, err);
	if (!st) {
		*dtype = (gr_dtype)ti.dtype_raw;
		*rank = ti.rank;
		memcpy(dims, ti.dims, (size_t)ti.rank * sizeof(*dims));
	}
	pb_file_unmap(&file);
	return st;
}

gr_status gr_onnx_tensor_file_load(const char *path, gr_graph *g, gr_tensor *t, gr_error *err)
{
	pb_file file = {0};
	onnx_ctx c;
	pb_msg root;
	tensor_info ti;
	gr_status st;

	if (!path || !g || !t)
		return gr_error_set(err, GR_ERR_USAGE, "gr_onnx_tensor_file_load: missing argument");
	st = tensor_file_open(path, &file, &c, &ti, err);
	c.ival = malloc(GR_FOLD_MAX * sizeof(*c.ival));
	c.fval = malloc(GR_FOLD_MAX * sizeof(*c.fval));
	if (!st && (!c.ival || !c.fval))
		st = gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	if (!st) {
		pb_msg_root(&root, &c.src);
		st = onnx_tensor_read(&c, g, &root, &ti, t);
	}
	free(c.ival);
	free(c.fval);
	pb_file_unmap(&file);
	return st;
}

