/* ONNX frontend: builds a gr_graph from a ModelProto read straight off the file's bytes
 * (pbwire.h). Weights are never copied: tensors keep their shape, and values only when
 * small (GR_FOLD_MAX elements) so shape arithmetic can be folded. Field numbers follow
 * onnx/onnx.proto. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/graph_impl.h"
#include "frontends/frontend.h"
#include "frontends/pbwire.h"
#include "graphs/model.h"

/* Tensors may claim at most this many elements (2^50: a petabyte of int8). */
#define ONNX_MAX_NUMEL ((int64_t)1 << 50)
/* Opsets of the default domain: the op table follows the rules up to ONNX_OPSET_KNOWN;
 * newer files load with a warning (most ops keep their shape rules across opsets), and
 * numbers beyond ONNX_OPSET_MAX are not real opsets. */
#define ONNX_OPSET_MIN 1
#define ONNX_OPSET_KNOWN 21
#define ONNX_OPSET_MAX 1000

typedef struct onnx_ctx {
	pb_src src;
	gr_graph *root;
	size_t mem_limit;     /* arena bytes the graph may take (see check_memory) */
	unsigned long uniq;   /* suffix for synthesized tensor names */
	int64_t *ival;        /* scratch: GR_FOLD_MAX values */
	double *fval;
} onnx_ctx;

/* Loops over the fields of a message; afterwards r < 0 is an error (already reported). */
#define FOR_FIELDS(it, f, r) while (((r) = pb_next((it), (f))) > 0)

static gr_status oom(onnx_ctx *c)
{
	return pb_error_at_file(&c->src, GR_ERR_NOMEM, "out of memory");
}

/* Hostile files can make tiny messages cost much memory (a 2-byte empty subgraph, a
 * 3-byte tensor name). Real models take a few times their structure's size; past 64x the
 * file plus 64 MiB the file is refused. */
#define ONNX_MEM_FACTOR 64
#define ONNX_MEM_SLACK ((size_t)64 << 20)

static gr_status check_memory(onnx_ctx *c, gr_graph *g, size_t off)
{
	if (gr_arena_used(gr_graph_arena(g)) <= c->mem_limit)
		return GR_OK;
	return pb_error(&c->src, off, GR_ERR_LIMIT,
			"graph needs more than %zu MiB of memory for a %zu-byte file",
			c->mem_limit >> 20, c->src.size);
}

/* A short printable form of a name for messages. */
#define NAME_BUF 80
static const char *pname(const char *s, char *buf)
{
	return pb_printable(s ? s : "", s ? strlen(s) : 0, buf, NAME_BUF);
}

static char *field_str(onnx_ctx *c, gr_graph *g, const pb_field *f)
{
	char *s = gr_arena_strndup(gr_graph_arena(g), (const char *)c->src.data + f->off, f->len);
	return s;
}

/* The string at [off, off + len) of the file, NUL-terminated: in buf when it fits (for
 * lookups that copy what they keep), else in the arena. NULL when out of memory. */
static const char *bytes_str(onnx_ctx *c, gr_graph *g, size_t off, size_t len, char *buf,
			     size_t size)
{
	if (len < size) {
		memcpy(buf, c->src.data + off, len);
		buf[len] = '\0';
		return buf;
	}
	return gr_arena_strndup(gr_graph_arena(g), (const char *)c->src.data + off, len);
}

/* ------------------------------------------------------------------------------------
 * TensorProto
 * ------------------------------------------------------------------------------------ */

enum {
	T_DIMS = 1, T_DATA_TYPE = 2, T_SEGMENT = 3, T_FLOAT_DATA = 4, T_INT32_DATA = 5,
	T_STRING_DATA = 6, T_INT64_DATA = 7, T_NAME = 8, T_RAW_DATA = 9, T_DOUBLE_DATA = 10,
	T_UINT64_DATA = 11, T_DOC = 12, T_EXTERNAL_DATA = 13, T_DATA_LOCATION = 14
};

typedef struct tensor_info {
	size_t off;               /* where the message starts, for errors */
	size_t name_off, name_len;  /* the name's bytes in the file */
	int has_name;
	uint64_t dtype_raw;
	int rank;                 /* number of dims fields seen */
	int64_t dims[GR_MAX_RANK];
	int64_t numel;
	int has_raw;
	size_t raw_off, raw_len;
	size_t typed[16];         /* elements per typed field number (4..11) */
	int external;
} tensor_info;

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

/* What a tensor is, to name it in messages when it has no name of its own. */
typedef struct tensor_role {
	int kind;                 /* ROLE_FILE, ROLE_INIT or ROLE_ATTR */
	size_t index;             /* ROLE_INIT: position among the initializers */
	const char *node, *attr;  /* ROLE_ATTR */
} tensor_role;
enum { ROLE_FILE, ROLE_INIT, ROLE_ATTR };

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
static int count_elements(const int64_t *dims, int rank, int64_t *numel, double *log2n)
{
	int64_t n = 1;
	int overflow = 0;

	*log2n = 0;
	for (int i = 0; i < rank; i++) {
		if (dims[i] == 0) {
			*numel = 0;
			return 1;
		}
		*log2n += log2((double)dims[i]);
		if (!overflow && !gr_mul_i64(n, dims[i], &n))
			overflow = 1;
	}
	*numel = n;
	return !overflow && n <= ONNX_MAX_NUMEL;
}

/* "tensor 'w' claims 2^70 elements (at most 2^50)" */
static gr_status too_many(onnx_ctx *c, size_t off, const char *who, double log2n)
{
	if (fabs(log2n - round(log2n)) < 0.05)
		return pb_error(&c->src, off, GR_ERR_LIMIT, "%s claims 2^%.0f elements (at most 2^50)",
				who, log2n);
	return pb_error(&c->src, off, GR_ERR_LIMIT, "%s claims 2^%.1f elements (at most 2^50)",
			who, log2n);
}

/* Reads a TensorProto's header: name, dtype, dims, where its payload is. Checks dims
 * (rank, sign, element count) and that the payload size matches. */
static gr_status tensor_header(onnx_ctx *c, const pb_msg *msg, const tensor_role *role,
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
	if (!count_elements(ti->dims, ti->rank, &ti->numel, &log2n))
		return too_many(c, ti->off, WHO, log2n);
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

static double f32_bits(uint32_t b)
{
	float x;
	memcpy(&x, &b, sizeof(x));
	return x;
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

static gr_status tensor_apply_shape(onnx_ctx *c, gr_graph *g, const tensor_info *ti, gr_tensor *t)
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
static gr_status tensor_read(onnx_ctx *c, gr_graph *g, const pb_msg *msg, const tensor_info *ti,
			     gr_tensor *t)
{
	TRY(tensor_apply_shape(c, g, ti, t));
	return tensor_values(c, g, msg, ti, t);
}

/* SparseTensorProto: values (1), indices (2), dims (3). The tensor gets the dense shape
 * and the values' dtype; no values. */
static gr_status sparse_read(onnx_ctx *c, const pb_msg *msg, const tensor_role *role,
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
				TRY(tensor_header(c, &sub, role, out));
				have_values = 1;
			} else {
				tensor_info idx;
				TRY(tensor_header(c, &sub, role, &idx));
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
	if (!count_elements(out->dims, out->rank, &out->numel, &log2n))
		return too_many(c, msg->pos, who, log2n);
	out->has_raw = 0;
	out->external = 1;  /* values are never attached to sparse tensors */
	return GR_OK;
}

/* ------------------------------------------------------------------------------------
 * ValueInfoProto / TypeProto
 * ------------------------------------------------------------------------------------ */

typedef struct value_info {
	const char *name;       /* name_buf, or the arena for long names */
	char name_buf[256];
	size_t off;
	int dtype;
	int rank;               /* -1: no shape */
	int too_deep;           /* rank above GR_MAX_RANK */
	gr_dim dims[GR_MAX_RANK];
} value_info;

/* TensorShapeProto.Dimension: dim_value (1), dim_param (2). */
static gr_status read_dim(onnx_ctx *c, gr_graph *g, const pb_msg *msg, gr_dim *d)
{
	pb_msg it = *msg;
	pb_field f;
	int r;

	d->value = -1;
	d->sym = NULL;
	FOR_FIELDS(&it, &f, r) {
		if (f.num == 1) {
			TRY(pb_expect(&it, &f, PB_VARINT, "dim_value"));
			/* -1 is how some converters write "dynamic"; other negatives are corrupt */
			if ((int64_t)f.v < -1)
				return pb_error(&c->src, f.tag_off, GR_ERR_FORMAT, "negative dimension %lld",
						(long long)(int64_t)f.v);
			d->value = (int64_t)f.v >= 0 ? (int64_t)f.v : -1;
			d->sym = NULL;
		} else if (f.num == 2) {
			TRY(pb_expect(&it, &f, PB_LEN, "dim_param"));
			d->value = -1;
			d->sym = NULL;
			if (f.len) {
				d->sym = field_str(c, g, &f);
				if (!d->sym)
					return oom(c);
			}
		}
	}
	return r < 0 ? r : GR_OK;
}

/* TypeProto.Tensor: elem_type (1), shape (2) -> TensorShapeProto { dim (1) }. */
static gr_status read_tensor_type(onnx_ctx *c, gr_graph *g, const pb_msg *msg, value_info *vi)
{
	pb_msg it = *msg, shape, dim;
	pb_field f, df;
	int r, r2;

	FOR_FIELDS(&it, &f, r) {
		if (f.num == 1) {
			TRY(pb_expect(&it, &f, PB_VARINT, "elem_type"));
			vi->dtype = f.v < GR_DTYPE_COUNT ? (int)f.v : GR_DTYPE_UNDEFINED;
		} else if (f.num == 2) {
			TRY(pb_sub(&it, &f, &shape));
			vi->rank = 0;
			vi->too_deep = 0;
			FOR_FIELDS(&shape, &df, r2) {
				if (df.num != 1)
					continue;
				TRY(pb_sub(&shape, &df, &dim));
				if (vi->rank >= GR_MAX_RANK) {
					vi->too_deep = 1;
					continue;
				}
				TRY(read_dim(c, g, &dim, &vi->dims[vi->rank]));
				vi->rank++;
			}
			if (r2 < 0)
				return r2;
		}
	}
	return r < 0 ? r : GR_OK;
}

/* ValueInfoProto: name (1), type (2) -> TypeProto { tensor_type (1), ... }. Only tensor
 * types carry a shape; sequences, maps and optionals stay unknown. */
static gr_status read_value_info(onnx_ctx *c, gr_graph *g, const pb_msg *msg, value_info *vi)
{
	pb_msg it = *msg, type, tt;
	pb_field f, tf;
	int r, r2;

	memset(vi, 0, sizeof(*vi));
	vi->rank = -1;
	vi->off = msg->pos;
	FOR_FIELDS(&it, &f, r) {
		if (f.num == 1) {
			TRY(pb_expect(&it, &f, PB_LEN, "value name"));
			vi->name = bytes_str(c, g, f.off, f.len, vi->name_buf, sizeof(vi->name_buf));
			if (!vi->name)
				return oom(c);
		} else if (f.num == 2) {
			TRY(pb_sub(&it, &f, &type));
			FOR_FIELDS(&type, &tf, r2) {
				if (tf.num != 1)
					continue;
				TRY(pb_sub(&type, &tf, &tt));
				TRY(read_tensor_type(c, g, &tt, vi));
			}
			if (r2 < 0)
				return r2;
		}
	}
	return r < 0 ? r : GR_OK;
}

/* Records the declared shape for reference (never used by inference). */
static gr_status set_decl(onnx_ctx *c, gr_graph *g, gr_tensor *t, const value_info *vi)
{
	if (vi->rank < 0 || vi->too_deep)
		return GR_OK;
	t->decl_rank = vi->rank;
	t->decl_dims = NULL;
	if (vi->rank > 0) {
		t->decl_dims = gr_arena_calloc(gr_graph_arena(g), (size_t)vi->rank, sizeof(gr_dim));
		if (!t->decl_dims)
			return oom(c);
		memcpy(t->decl_dims, vi->dims, (size_t)vi->rank * sizeof(gr_dim));
	}
	return GR_OK;
}

/* ------------------------------------------------------------------------------------
 * GraphProto, NodeProto, AttributeProto
 * ------------------------------------------------------------------------------------ */

enum {
	G_NODE = 1, G_NAME = 2, G_INITIALIZER = 5, G_DOC = 10, G_INPUT = 11, G_OUTPUT = 12,
	G_VALUE_INFO = 13, G_QUANT = 14, G_SPARSE_INIT = 15
};
enum { N_INPUT = 1, N_OUTPUT = 2, N_NAME = 3, N_OP_TYPE = 4, N_ATTR = 5, N_DOC = 6, N_DOMAIN = 7 };
enum {
	A_NAME = 1, A_F = 2, A_I = 3, A_S = 4, A_T = 5, A_G = 6, A_FLOATS = 7, A_INTS = 8,
	A_STRINGS = 9, A_TENSORS = 10, A_GRAPHS = 11, A_DOC = 13, A_TP = 14, A_TYPE_PROTOS = 15,
	A_TYPE = 20, A_REF = 21, A_SPARSE = 22, A_SPARSES = 23
};

static gr_status read_graph(onnx_ctx *c, gr_graph *g, const pb_msg *msg);

/* Pass over a NodeProto defining its outputs in g (so that subgraphs and out-of-order
 * nodes resolve names to this scope). */
static gr_status node_define_outputs(onnx_ctx *c, gr_graph *g, const pb_msg *msg)
{
	pb_msg it = *msg;
	pb_field f;
	int r;
	char buf[1024];
	const char *s;

	FOR_FIELDS(&it, &f, r) {
		if (f.num != N_OUTPUT)
			continue;
		TRY(pb_expect(&it, &f, PB_LEN, "node output"));
		if (!f.len)
			continue;
		s = bytes_str(c, g, f.off, f.len, buf, sizeof(buf));
		if (!s || !gr_graph_tensor_def(g, s))
			return oom(c);
	}
	return r < 0 ? r : GR_OK;
}

/* The GraphProto being read, for define_all_outputs. */
typedef struct graph_scope {
	const pb_msg *msg;
	int outputs_defined;
} graph_scope;

/* Defines every node output of the graph before a subgraph is read, so that the subgraph's
 * references to names the graph produces later (unsorted files) resolve to this scope.
 * Done once per graph, and only for graphs that have subgraphs. */
static gr_status define_all_outputs(onnx_ctx *c, gr_graph *g, graph_scope *scope)
{
	pb_msg it = *scope->msg, sub;
	pb_field f;
	int r;

	if (scope->outputs_defined)
		return GR_OK;
	scope->outputs_defined = 1;
	FOR_FIELDS(&it, &f, r) {
		if (f.num != G_NODE)
			continue;
		TRY(check_memory(c, g, f.tag_off));
		TRY(pb_sub(&it, &f, &sub));
		TRY(node_define_outputs(c, g, &sub));
	}
	return r < 0 ? r : GR_OK;
}


/* A tensor name nobody else uses: "<node>:<attr>", else with "#N" appended. */
static gr_tensor *fresh_tensor(onnx_ctx *c, gr_graph *g, const char *node, const char *attr,
			       size_t k, int indexed)
{
	char base[448], buf[480];

	if (indexed)
		snprintf(base, sizeof(base), "%s:%s[%zu]", node, attr, k);
	else
		snprintf(base, sizeof(base), "%s:%s", node, attr);
	if (!gr_graph_tensor(g, base))
		return gr_graph_tensor_def(g, base);
	for (int tries = 0; tries < 16; tries++) {
		snprintf(buf, sizeof(buf), "%s#%lu", base, ++c->uniq);
		if (!gr_graph_tensor(g, buf))
			return gr_graph_tensor_def(g, buf);
	}
	return NULL;
}

/* An attribute's floats (FIXED32 bits) or ints (varints), whichever array is set. */
struct list_acc {
	double *f;
	int64_t *i;
	size_t k, n;
};

static gr_status list_push(void *user, uint64_t v)
{
	struct list_acc *a = user;

	if (a->k < a->n) {
		if (a->f)
			a->f[a->k++] = f32_bits((uint32_t)v);
		else
			a->i[a->k++] = (int64_t)v;
	}
	return GR_OK;
}

static const char *attr_type_name(int t)
{
	static const char *names[] = {"undefined", "float", "int", "string", "tensor", "graph",
				      "floats", "ints", "strings", "tensors", "graphs",
				      "sparse_tensor", "sparse_tensors", "type_proto",
				      "type_protos"};
	return t >= 0 && t <= GR_ATTR_TYPE_PROTOS ? names[t] : "unknown";
}

/* Builds a tensor for an attribute's TensorProto (or SparseTensorProto). */
static gr_status attr_tensor(onnx_ctx *c, gr_graph *g, const pb_msg *it, const pb_field *f,
			     const gr_node *n, const char *aname, size_t k, int indexed, int sparse,
			     gr_tensor **out)
{
	pb_msg sub;
	tensor_info ti;
	tensor_role role = {ROLE_ATTR, 0, n->name, aname};
	gr_tensor *t;

	TRY(pb_sub(it, f, &sub));
	if (sparse)
		TRY(sparse_read(c, &sub, &role, &ti));
	else
		TRY(tensor_header(c, &sub, &role, &ti));
	t = fresh_tensor(c, g, n->name, aname, k, indexed);
	if (!t)
		return oom(c);
	if (sparse)
		TRY(tensor_apply_shape(c, g, &ti, t));
	else
		TRY(tensor_read(c, g, &sub, &ti, t));
	*out = t;
	return GR_OK;
}

static gr_status read_attr(onnx_ctx *c, gr_graph *g, graph_scope *scope, gr_node *n, size_t idx,
			   const pb_msg *msg)
{
	gr_attr *a = &n->attrs[idx];
	gr_arena *ar = gr_graph_arena(g);
	pb_msg it = *msg;
	pb_field f;
	int r, has_f = 0, has_i = 0, has_s = 0, has_t = 0, has_g = 0, has_sp = 0, has_tp = 0;
	size_t n_floats = 0, n_ints = 0, n_strings = 0, n_tensors = 0, n_graphs = 0, n_sps = 0,
	       n_tps = 0, cnt, elem = 0;
	uint64_t type = 0;
	char nb[NAME_BUF], an[NAME_BUF];

	/* Pass 1: name, type, which fields are present, counts of repeated fields. */
	FOR_FIELDS(&it, &f, r) {
		switch (f.num) {
		case A_NAME:
			TRY(pb_expect(&it, &f, PB_LEN, "attribute name"));
			a->name = field_str(c, g, &f);
			if (!a->name)
				return oom(c);
			break;
		case A_TYPE:
			TRY(pb_expect(&it, &f, PB_VARINT, "attribute type"));
			type = f.v;
			break;
		case A_F:
			TRY(pb_expect(&it, &f, PB_FIXED32, "attribute f"));
			a->f = f32_bits((uint32_t)f.v);
			has_f = 1;
			break;
		case A_I:
			TRY(pb_expect(&it, &f, PB_VARINT, "attribute i"));
			a->i = (int64_t)f.v;
			has_i = 1;
			break;
		case A_S:
			TRY(pb_expect(&it, &f, PB_LEN, "attribute s"));
			a->s = field_str(c, g, &f);
			if (!a->s)
				return oom(c);
			a->s_len = f.len;
			has_s = 1;
			break;
		case A_T: case A_G: case A_SPARSE: case A_TP:
			TRY(pb_expect(&it, &f, PB_LEN, "attribute field"));
			if (f.num == A_T)
				has_t = 1;
			else if (f.num == A_G)
				has_g = 1;
			else if (f.num == A_SPARSE)
				has_sp = 1;
			else
				has_tp = 1;
			break;
		case A_FLOATS:
			TRY(pb_repeated_count(&it, &f, PB_FIXED32, &cnt));
			n_floats += cnt;
			break;
		case A_INTS:
			TRY(pb_repeated_count(&it, &f, PB_VARINT, &cnt));
			n_ints += cnt;
			break;
		case A_STRINGS: case A_TENSORS: case A_GRAPHS: case A_SPARSES: case A_TYPE_PROTOS:
			TRY(pb_expect(&it, &f, PB_LEN, "attribute list element"));
			if (f.num == A_STRINGS)
				n_strings++;
			else if (f.num == A_TENSORS)
				n_tensors++;
			else if (f.num == A_GRAPHS)
				n_graphs++;
			else if (f.num == A_SPARSES)
				n_sps++;
			else
				n_tps++;
			break;
		default:
			break;
		}
	}
	if (r < 0)
		return r;
	if (!a->name || !a->name[0])
		return pb_error(&c->src, msg->pos, GR_ERR_FORMAT,
				"attribute #%zu of node '%s' has no name", idx,
				pname(n->name, nb));
	if (type == 0) {
		/* Old files leave the type out: take it from the field that is set. */
		type = has_f ? GR_ATTR_FLOAT : has_i ? GR_ATTR_INT : has_s ? GR_ATTR_STRING
		     : has_t ? GR_ATTR_TENSOR : has_g ? GR_ATTR_GRAPH : has_sp ? GR_ATTR_SPARSE_TENSOR
		     : has_tp ? GR_ATTR_TYPE_PROTO : n_floats ? GR_ATTR_FLOATS : n_ints ? GR_ATTR_INTS
		     : n_strings ? GR_ATTR_STRINGS : n_tensors ? GR_ATTR_TENSORS
		     : n_graphs ? GR_ATTR_GRAPHS : n_sps ? GR_ATTR_SPARSE_TENSORS
		     : n_tps ? GR_ATTR_TYPE_PROTOS : GR_ATTR_UNDEFINED;
	}
	if (type > GR_ATTR_TYPE_PROTOS)
		return pb_error(&c->src, msg->pos, GR_ERR_FORMAT,
				"attribute '%s' of node '%s' has unknown type %llu",
				pname(a->name, an), pname(n->name, nb), (unsigned long long)type);
	a->type = (gr_attr_type)type;
	if ((type == GR_ATTR_TENSOR && !has_t) || (type == GR_ATTR_GRAPH && !has_g) ||
	    (type == GR_ATTR_SPARSE_TENSOR && !has_sp))
		return pb_error(&c->src, msg->pos, GR_ERR_FORMAT,
				"attribute '%s' of node '%s' has type %s but no value",
				pname(a->name, an), pname(n->name, nb), attr_type_name((int)type));

	/* Pass 2: the values the type asks for, in arrays of a->n elements. */
	switch (a->type) {
	case GR_ATTR_FLOATS: a->n = n_floats; elem = sizeof(double); break;
	case GR_ATTR_INTS: a->n = n_ints; elem = sizeof(int64_t); break;
	case GR_ATTR_STRINGS: a->n = n_strings; elem = sizeof(char *); break;
	case GR_ATTR_GRAPHS: a->n = n_graphs; elem = sizeof(gr_graph *); break;
	case GR_ATTR_TENSORS: a->n = n_tensors; break;
	case GR_ATTR_SPARSE_TENSORS: a->n = n_sps; break;
	case GR_ATTR_TYPE_PROTOS: a->n = n_tps; break;
	default: break;
	}
	if (elem) {
		void *arr = gr_arena_calloc(ar, a->n ? a->n : 1, elem);
		if (!arr)
			return oom(c);
		if (a->type == GR_ATTR_FLOATS)
			a->floats = arr;
		else if (a->type == GR_ATTR_INTS)
			a->ints = arr;
		else if (a->type == GR_ATTR_STRINGS)
			a->strings = arr;
		else
			a->graphs = arr;
	}
	{
		struct list_acc fa = {a->floats, NULL, 0, a->n}, ia = {NULL, a->ints, 0, a->n};
		size_t ks = 0, kg = 0, kt = 0;
		pb_msg sub;

		it = *msg;
		FOR_FIELDS(&it, &f, r) {
			if (f.num == A_FLOATS && a->type == GR_ATTR_FLOATS) {
				TRY(pb_repeated_each(&it, &f, PB_FIXED32, list_push, &fa));
			} else if (f.num == A_INTS && a->type == GR_ATTR_INTS) {
				TRY(pb_repeated_each(&it, &f, PB_VARINT, list_push, &ia));
			} else if (f.num == A_STRINGS && a->type == GR_ATTR_STRINGS) {
				if (!(a->strings[ks++] = field_str(c, g, &f)))
					return oom(c);
			} else if (f.num == A_T && a->type == GR_ATTR_TENSOR) {
				TRY(attr_tensor(c, g, &it, &f, n, a->name, 0, 0, 0, &a->t));
			} else if (f.num == A_SPARSE && a->type == GR_ATTR_SPARSE_TENSOR) {
				TRY(attr_tensor(c, g, &it, &f, n, a->name, 0, 0, 1, &a->t));
			} else if (f.num == A_TENSORS && a->type == GR_ATTR_TENSORS) {
				/* gr_attr has no tensor list: keep the first as t, count in n. */
				gr_tensor *t;
				TRY(attr_tensor(c, g, &it, &f, n, a->name, kt, 1, 0, &t));
				if (!kt++)
					a->t = t;
			} else if ((f.num == A_G && a->type == GR_ATTR_GRAPH) ||
				   (f.num == A_GRAPHS && a->type == GR_ATTR_GRAPHS)) {
				gr_graph *sg;

				TRY(check_memory(c, g, f.tag_off));
				TRY(define_all_outputs(c, g, scope));
				if (!(sg = gr_graph_new_sub(g)))
					return oom(c);
				TRY(pb_sub(&it, &f, &sub));
				TRY(read_graph(c, sg, &sub));
				if (f.num == A_G)
					a->g = sg;  /* the last one wins, as in protobuf */
				else
					a->graphs[kg++] = sg;
			}
		}
		if (r < 0)
			return r;
	}
	return GR_OK;
}

static gr_status read_node(onnx_ctx *c, gr_graph *g, graph_scope *scope, const pb_msg *msg,
			   size_t index)
{
	pb_msg it = *msg, sub;
	pb_field f;
	int r;
	size_t n_in = 0, n_out = 0, n_attr = 0, ki = 0, ko = 0, ka = 0;
	const char *name = NULL, *op = NULL, *domain = "";
	char genname[256], name_buf[512], op_buf[128], dom_buf[128], buf[1024], nb[NAME_BUF];
	gr_node *n;

	FOR_FIELDS(&it, &f, r) {
		switch (f.num) {
		case N_INPUT: case N_OUTPUT: case N_ATTR: case N_NAME: case N_OP_TYPE: case N_DOMAIN:
		case N_DOC:
			TRY(pb_expect(&it, &f, PB_LEN, "node field"));
			break;
		default:
			continue;
		}
		if (f.num == N_INPUT)
			n_in++;
		else if (f.num == N_OUTPUT)
			n_out++;
		else if (f.num == N_ATTR)
			n_attr++;
		else if (f.num == N_NAME &&
			 !(name = bytes_str(c, g, f.off, f.len, name_buf, sizeof(name_buf))))
			return oom(c);
		else if (f.num == N_OP_TYPE &&
			 !(op = bytes_str(c, g, f.off, f.len, op_buf, sizeof(op_buf))))
			return oom(c);
		else if (f.num == N_DOMAIN &&
			 !(domain = bytes_str(c, g, f.off, f.len, dom_buf, sizeof(dom_buf))))
			return oom(c);
	}
	if (r < 0)
		return r;
	if (!op || !op[0])
		return pb_error(&c->src, msg->pos, GR_ERR_FORMAT, "node #%zu%s%s%s has no op_type",
				index, name && name[0] ? " '" : "",
				name && name[0] ? pname(name, nb) : "", name && name[0] ? "'" : "");
	if (!name || !name[0]) {
		char ob[NAME_BUF];
		snprintf(genname, sizeof(genname), "%s_%zu", pname(op, ob), index);
		name = genname;
	}
	n = gr_graph_add_node(g, op, domain, name, n_in, n_out, n_attr);
	if (!n)
		return oom(c);

	it = *msg;
	FOR_FIELDS(&it, &f, r) {
		gr_tensor *t = NULL;

		if (f.num == N_INPUT || f.num == N_OUTPUT) {
			if (f.len) {
				const char *s = bytes_str(c, g, f.off, f.len, buf, sizeof(buf));
				if (!s)
					return oom(c);
				t = f.num == N_INPUT ? gr_graph_tensor_ref(g, s)
						     : gr_graph_tensor_def(g, s);
				if (!t)
					return oom(c);
			}
			if (f.num == N_INPUT)
				n->in[ki++] = t;
			else
				n->out[ko++] = t;
		} else if (f.num == N_ATTR) {
			TRY(pb_sub(&it, &f, &sub));
			TRY(read_attr(c, g, scope, n, ka++, &sub));
		}
	}
	return r < 0 ? r : GR_OK;
}

/* Reads one initializer (TensorProto) of g. */
static gr_status read_initializer(onnx_ctx *c, gr_graph *g, const pb_msg *it, const pb_field *f,
				  size_t k, int sparse)
{
	pb_msg sub;
	tensor_info ti;
	gr_tensor *t;
	tensor_role role = {ROLE_INIT, k, NULL, NULL};
	char name_buf[1024], nb[NAME_BUF];
	const char *name;

	TRY(pb_sub(it, f, &sub));
	if (sparse)
		TRY(sparse_read(c, &sub, &role, &ti));
	else
		TRY(tensor_header(c, &sub, &role, &ti));
	if (!ti.has_name || !ti.name_len)
		return pb_error(&c->src, sub.pos, GR_ERR_FORMAT, "initializer #%zu has no name", k);
	name = bytes_str(c, g, ti.name_off, ti.name_len, name_buf, sizeof(name_buf));
	if (!name)
		return oom(c);
	t = gr_graph_tensor_def(g, name);
	if (!t)
		return oom(c);
	if (t->is_initializer)
		return pb_error(&c->src, sub.pos, GR_ERR_FORMAT, "initializer '%s' appears twice",
				pname(name, nb));
	if (sparse)
		TRY(tensor_apply_shape(c, g, &ti, t));
	else
		TRY(tensor_read(c, g, &sub, &ti, t));
	return gr_graph_add_initializer(g, t) ? oom(c) : GR_OK;
}

/* Element count of a declared shape when every dim is known, to reject absurd inputs. */
static gr_status check_input_shape(onnx_ctx *c, const value_info *vi)
{
	int64_t dims[GR_MAX_RANK], numel;
	char nb[NAME_BUF], who[NAME_BUF + 16];
	double log2n;

	for (int i = 0; i < vi->rank; i++) {
		if (vi->dims[i].value < 0)
			return GR_OK;  /* symbolic: bound later */
		dims[i] = vi->dims[i].value;
	}
	if (count_elements(dims, vi->rank, &numel, &log2n))
		return GR_OK;
	snprintf(who, sizeof(who), "input '%s'", pname(vi->name, nb));
	return too_many(c, vi->off, who, log2n);
}

static gr_status read_graph(onnx_ctx *c, gr_graph *g, const pb_msg *msg)
{
	pb_msg it, sub;
	pb_field f;
	int r;
	size_t k_init = 0, k_in = 0, k_node = 0, k_out = 0;
	graph_scope scope = {msg, 0};
	value_info vi;
	char nb[NAME_BUF];

	/* Pass 1: name and initializers (so inputs that repeat them are recognized). */
	it = *msg;
	FOR_FIELDS(&it, &f, r) {
		switch (f.num) {
		case G_NAME:
			TRY(pb_expect(&it, &f, PB_LEN, "graph name"));
			if (!(g->name = field_str(c, g, &f)))
				return oom(c);
			break;
		case G_INITIALIZER:
			TRY(check_memory(c, g, f.tag_off));
			TRY(read_initializer(c, g, &it, &f, k_init++, 0));
			break;
		case G_SPARSE_INIT:
			TRY(read_initializer(c, g, &it, &f, k_init++, 1));
			break;
		case G_NODE: case G_DOC: case G_INPUT: case G_OUTPUT: case G_VALUE_INFO: case G_QUANT:
			TRY(pb_expect(&it, &f, PB_LEN, "graph field"));
			break;
		}
	}
	if (r < 0)
		return r;

	/* Pass 2: inputs. An input that is also an initializer is a parameter (old exporters
	 * list every weight as an input); its declared shape is kept for reference only. */
	it = *msg;
	FOR_FIELDS(&it, &f, r) {
		gr_tensor *t;

		if (f.num != G_INPUT)
			continue;
		TRY(check_memory(c, g, f.tag_off));
		TRY(pb_sub(&it, &f, &sub));
		TRY(read_value_info(c, g, &sub, &vi));
		if (!vi.name || !vi.name[0])
			return pb_error(&c->src, sub.pos, GR_ERR_FORMAT, "graph input #%zu has no name",
					k_in);
		k_in++;
		if (!(t = gr_graph_tensor_def(g, vi.name)))
			return oom(c);
		if (t->is_initializer) {
			TRY(set_decl(c, g, t, &vi));
			continue;
		}
		if (t->is_input)
			return pb_error(&c->src, sub.pos, GR_ERR_FORMAT,
					"graph input '%s' is listed twice", pname(vi.name, nb));
		if (vi.too_deep)
			return pb_error(&c->src, sub.pos, GR_ERR_LIMIT,
					"input '%s' has rank above %d", pname(vi.name, nb),
					GR_MAX_RANK);
		TRY(check_input_shape(c, &vi));
		if (gr_tensor_set_shape(g, t, (gr_dtype)vi.dtype, vi.rank, vi.dims))
			return oom(c);
		TRY(set_decl(c, g, t, &vi));
		if (gr_graph_add_input(g, t))
			return oom(c);
	}
	if (r < 0)
		return r;

	/* Pass 3: nodes. */
	it = *msg;
	FOR_FIELDS(&it, &f, r) {
		if (f.num != G_NODE)
			continue;
		TRY(check_memory(c, g, f.tag_off));
		TRY(pb_sub(&it, &f, &sub));
		TRY(read_node(c, g, &scope, &sub, k_node++));
	}
	if (r < 0)
		return r;

	/* Pass 4: outputs and value_info (declared shapes, reference only). */
	it = *msg;
	FOR_FIELDS(&it, &f, r) {
		gr_tensor *t;

		if (f.num != G_OUTPUT && f.num != G_VALUE_INFO)
			continue;
		TRY(check_memory(c, g, f.tag_off));
		TRY(pb_sub(&it, &f, &sub));
		TRY(read_value_info(c, g, &sub, &vi));
		if (f.num == G_OUTPUT) {
			if (!vi.name || !vi.name[0])
				return pb_error(&c->src, sub.pos, GR_ERR_FORMAT,
						"graph output #%zu has no name", k_out);
			k_out++;
			if (!(t = gr_graph_tensor_ref(g, vi.name)))
				return oom(c);
			if (t->is_output && t->owner == g) {
				/* Listed twice: harmless, keep one. */
				continue;
			}
			if (t->owner == g)
				TRY(set_decl(c, g, t, &vi));
			if (gr_graph_add_output(g, t))
				return oom(c);
		} else if (vi.name && (t = gr_graph_tensor(g, vi.name)) && t->owner == g &&
			   !t->is_input) {
			TRY(set_decl(c, g, t, &vi));
		}
	}
	return r < 0 ? r : GR_OK;
}

/* ------------------------------------------------------------------------------------
 * ModelProto
 * ------------------------------------------------------------------------------------ */

enum { M_IR_VERSION = 1, M_GRAPH = 7, M_OPSET = 8, M_FUNCTIONS = 25 };

/* OperatorSetIdProto: domain (1), version (2). Sets *opset for the default domain. */
static gr_status read_opset(onnx_ctx *c, const pb_msg *msg, int64_t *opset)
{
	pb_msg it = *msg;
	pb_field f;
	int r, is_default = 1;
	int64_t version = -1;

	FOR_FIELDS(&it, &f, r) {
		if (f.num == 1) {
			TRY(pb_expect(&it, &f, PB_LEN, "opset domain"));
			is_default = f.len == 0 ||
				     (f.len == 7 && !memcmp(c->src.data + f.off, "ai.onnx", 7));
		} else if (f.num == 2) {
			TRY(pb_expect(&it, &f, PB_VARINT, "opset version"));
			version = (int64_t)f.v;
		}
	}
	if (r < 0)
		return r;
	if (is_default)
		*opset = version;
	return GR_OK;
}

static gr_status load(onnx_ctx *c, gr_graph **out)
{
	pb_msg root, it, sub;
	pb_field f, graph_field;
	int r, n_graphs = 0;
	int64_t opset = 0;  /* 0: no opset_import for the default domain */
	size_t opset_off = 0;
	gr_graph *g;
	gr_status st;

	memset(&graph_field, 0, sizeof(graph_field));
	pb_msg_root(&root, &c->src);
	it = root;
	FOR_FIELDS(&it, &f, r) {
		switch (f.num) {
		case M_IR_VERSION:
		case 5: /* model_version */
			TRY(pb_expect(&it, &f, PB_VARINT, "model field"));
			break;
		case 2: case 3: case 4: case 6: case 14: case 20: case M_FUNCTIONS:
			TRY(pb_expect(&it, &f, PB_LEN, "model field"));
			break;
		case M_GRAPH:
			TRY(pb_expect(&it, &f, PB_LEN, "model graph"));
			graph_field = f;
			n_graphs++;
			break;
		case M_OPSET: {
			int64_t v = 0;
			TRY(pb_sub(&it, &f, &sub));
			TRY(read_opset(c, &sub, &v));
			if (v) {
				opset = v;
				opset_off = f.tag_off;
			}
			break;
		}
		}
	}
	if (r < 0)
		return r;
	if (n_graphs == 0)
		return pb_error_at_file(&c->src, GR_ERR_FORMAT, "not an ONNX model (no graph)");
	if (n_graphs > 1)
		return pb_error(&c->src, graph_field.tag_off, GR_ERR_FORMAT,
				"model has %d graphs", n_graphs);
	if (opset == 0)
		opset = 1;  /* IR version 1-2 files predate opset_import */
	if (opset < ONNX_OPSET_MIN)
		return pb_error(&c->src, opset_off, GR_ERR_FORMAT, "invalid opset %lld",
				(long long)opset);
	if (opset > ONNX_OPSET_MAX)
		return pb_error(&c->src, opset_off, GR_ERR_FORMAT, "invalid opset %lld",
				(long long)opset);
	if (opset > ONNX_OPSET_KNOWN)
		gr_log_warn("'%s' uses opset %lld; graphs knows the rules up to opset %d and applies those",
			    c->src.name, (long long)opset, ONNX_OPSET_KNOWN);

	g = gr_graph_new("onnx");
	if (!g)
		return oom(c);
	c->root = g;
	g->opset = (int)opset;
	if ((st = pb_sub(&root, &graph_field, &sub)) || (st = read_graph(c, g, &sub)))
		goto fail;
	if ((st = gr_graph_finalize(g, c->src.err))) {
		gr_error_prefix(c->src.err, "cannot read '%s'", c->src.name);
		goto fail;
	}
	*out = g;
	return GR_OK;
fail:
	gr_graph_free(g);
	c->root = NULL;
	return st;
}

gr_status gr_onnx_load_mem(const unsigned char *data, size_t size, const char *name,
			   const char *dir, gr_graph **out, gr_error *err)
{
	onnx_ctx c;
	gr_status st;

	(void)dir;  /* external weights are never opened: their shapes are in the model */
	if (!out)
		return gr_error_set(err, GR_ERR_USAGE, "gr_onnx_load_mem: no output pointer");
	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.src.data = data;
	c.src.size = data ? size : 0;
	c.src.name = name ? name : "<memory>";
	c.src.err = err;
	if (c.src.size == 0)
		return pb_error_at_file(&c.src, GR_ERR_FORMAT, "file is empty");
	c.mem_limit = c.src.size > (SIZE_MAX - ONNX_MEM_SLACK) / ONNX_MEM_FACTOR
			      ? SIZE_MAX
			      : c.src.size * ONNX_MEM_FACTOR + ONNX_MEM_SLACK;
	c.ival = malloc(GR_FOLD_MAX * sizeof(*c.ival));
	c.fval = malloc(GR_FOLD_MAX * sizeof(*c.fval));
	if (!c.ival || !c.fval)
		st = oom(&c);
	else
		st = load(&c, out);
	free(c.ival);
	free(c.fval);
	return st;
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
	return tensor_header(c, &root, &role, ti);
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
		st = tensor_read(&c, g, &root, &ti, t);
	}
	free(c.ival);
	free(c.fval);
	pb_file_unmap(&file);
	return st;
}
