/* Private state of the ONNX frontend, shared by its files:
 *   onnx.c         ModelProto, GraphProto, NodeProto, AttributeProto, ValueInfoProto
 *   onnx_tensor.c  TensorProto and SparseTensorProto: header checks, small values, tensor files
 * Both read the file's bytes in place through pbwire.h; field numbers follow onnx/onnx.proto. */
#ifndef GRAPHS_ONNX_READ_H
#define GRAPHS_ONNX_READ_H

#include <stdint.h>
#include <string.h>

#include "core/graph_impl.h"
#include "frontends/frontend.h"
#include "frontends/pbwire.h"

typedef struct onnx_ctx {
	pb_src src;
	gr_graph *root;
	size_t mem_limit;     /* arena bytes the graph may take (see check_memory) */
	int64_t *ival;        /* scratch: GR_FOLD_MAX values */
	double *fval;
	/* attribute names met last, by their bytes in the file: a big graph repeats a handful
	 * ("value", "axes", ...) thousands of times, each kept once */
	struct { size_t off, len; const char *s; } names[8];
	unsigned n_names;
} onnx_ctx;

/* Loops over the fields of a message; afterwards r < 0 is an error (already reported). */
#define FOR_FIELDS(it, f, r) while (((r) = pb_next((it), (f))) > 0)

static inline gr_status oom(onnx_ctx *c)
{
	return pb_error_at_file(&c->src, GR_ERR_NOMEM, "out of memory");
}

/* A short printable form of a name for messages. */
#define NAME_BUF 80
static inline const char *pname(const char *s, char *buf)
{
	return pb_printable(s ? s : "", s ? strlen(s) : 0, buf, NAME_BUF);
}

static inline double f32_bits(uint32_t b)
{
	float x;
	memcpy(&x, &b, sizeof(x));
	return x;
}

/* --- TensorProto (onnx_tensor.c) ---------------------------------------------------- */

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

/* What a tensor is, to name it in messages when it has no name of its own. */
typedef struct tensor_role {
	int kind;                 /* ROLE_FILE, ROLE_INIT or ROLE_ATTR */
	size_t index;             /* ROLE_INIT: position among the initializers */
	const char *node, *attr;  /* ROLE_ATTR */
} tensor_role;
enum { ROLE_FILE, ROLE_INIT, ROLE_ATTR };

/* Reads a TensorProto's header: name, dtype, dims, where its payload is. Checks dims
 * (rank, sign, element count) and that the payload size matches. */
gr_status onnx_tensor_header(onnx_ctx *c, const pb_msg *msg, const tensor_role *role,
			     tensor_info *ti);
/* Gives t the tensor's dtype and shape. */
gr_status onnx_tensor_apply_shape(onnx_ctx *c, gr_graph *g, const tensor_info *ti, gr_tensor *t);
/* Reads a TensorProto into tensor t (shape, and values when small and inline). */
gr_status onnx_tensor_read(onnx_ctx *c, gr_graph *g, const pb_msg *msg, const tensor_info *ti,
			   gr_tensor *t);
/* SparseTensorProto: the dense shape and the values' dtype; no values. */
gr_status onnx_sparse_read(onnx_ctx *c, const pb_msg *msg, const tensor_role *role,
			   tensor_info *out);
/* Element count of dims (all >= 0) into *numel; 0 when it exceeds 2^50 or int64, with
 * *log2n set for the message (onnx_too_many). A zero dim makes any shape empty. */
int onnx_count_elements(const int64_t *dims, int rank, int64_t *numel, double *log2n);
/* "WHO claims 2^70 elements (at most 2^50)" */
gr_status onnx_too_many(onnx_ctx *c, size_t off, const char *who, double log2n);

#endif
