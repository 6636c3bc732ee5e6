/* ONNX frontend: builds a gr_graph from a ModelProto read straight off the file's bytes
 * (pbwire.h): the model, graphs (subgraphs included), nodes, attributes and value infos.
 * Tensors are read by onnx_tensor.c. Field numbers follow onnx/onnx.proto. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "frontends/onnx_read.h"
#include "graphs/model.h"

/* Opsets of the default domain: the op table follows the rules up to ONNX_OPSET_KNOWN;
 * newer files load with a warning (most ops keep their shape rules across opsets), and
 * numbers beyond ONNX_OPSET_MAX are not real opsets. */
#define ONNX_OPSET_MIN 1
#define ONNX_OPSET_KNOWN 21
#define ONNX_OPSET_MAX 1000

/* Hostile files can make tiny messages cost much memory (a 2-byte empty subgraph, a
 * 3-byte tensor name). Real models take a few times their structure's size; past 64x the
 * file plus 64 MiB the file is refused. */
#define ONNX_MEM_FACTOR 64
#define ONNX_MEM_SLACK ((size_t)64 << 20)
/* Arena bytes a graph field (node, input, output, value_info) ends up taking with its
 * tensors and inference, a hint rounded up: swin_s, 13,873 fields, takes 9.2 MB (664 a
 * field; 703 before shared values and attribute names). */
#define ONNX_ARENA_PER_FIELD 704

static gr_status check_memory(onnx_ctx *c, gr_graph *g, size_t off)
{
	if (gr_arena_used(gr_graph_arena(g)) <= c->mem_limit)
		return GR_OK;
	return pb_error(&c->src, off, GR_ERR_LIMIT,
			"graph needs more than %zu MiB of memory for a %zu-byte file",
			c->mem_limit >> 20, c->src.size);
}

static char *field_str(onnx_ctx *c, gr_graph *g, const pb_field *f)
{
	char *s = gr_arena_strndup(gr_graph_arena(g), (const char *)c->src.data + f->off, f->len);
	return s;
}

/* field_str for an attribute's name: the copy made for the same bytes before when it is
 * among the last few names met. */
static const char *attr_name(onnx_ctx *c, gr_graph *g, const pb_field *f)
{
	const unsigned char *b = c->src.data + f->off;
	size_t k;
	char *s;

	for (k = 0; k < sizeof(c->names) / sizeof(*c->names); k++)
		if (c->names[k].s && c->names[k].len == f->len &&
		    memcmp(c->src.data + c->names[k].off, b, f->len) == 0)
			return c->names[k].s;
	if (!(s = field_str(c, g, f)))
		return NULL;
	k = c->n_names++ % (sizeof(c->names) / sizeof(*c->names));
	c->names[k].off = f->off;
	c->names[k].len = f->len;
	c->names[k].s = s;
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
	const char *s;

	FOR_FIELDS(&it, &f, r) {
		if (f.num != N_OUTPUT)
			continue;
		TRY(pb_expect(&it, &f, PB_LEN, "node output"));
		if (!f.len)
			continue;
		s = (const char *)c->src.data + f.off;
		if (!gr_graph_tensor_def_n(g, s, f.len))
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


/* The tensor of an attribute's value, named "<node>:<attr>" (or "<node>:<attr>[k]") for
 * messages and kept out of the name table: no node reads it by name. */
static gr_tensor *fresh_tensor(gr_graph *g, const char *node, const char *attr, size_t k,
			       int indexed)
{
	char base[448];
	size_t nl = strlen(node), al = strlen(attr);

	/* "%s:%s" by hand when it fits (a Constant node per few of a big graph: snprintf was a
	 * tenth of its loading); what snprintf would truncate to otherwise */
	if (!indexed && nl + al + 2 <= sizeof(base)) {
		memcpy(base, node, nl);
		base[nl] = ':';
		memcpy(base + nl + 1, attr, al + 1);
	} else if (indexed) {
		snprintf(base, sizeof(base), "%s:%s[%zu]", node, attr, k);
	} else {
		snprintf(base, sizeof(base), "%s:%s", node, attr);
	}
	return gr_graph_tensor_unlisted(g, base);
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
		TRY(onnx_sparse_read(c, &sub, &role, &ti));
	else
		TRY(onnx_tensor_header(c, &sub, &role, &ti));
	t = fresh_tensor(g, n->name, aname, k, indexed);
	if (!t)
		return oom(c);
	if (sparse)
		TRY(onnx_tensor_apply_shape(c, g, &ti, t));
	else
		TRY(onnx_tensor_read(c, g, &sub, &ti, t));
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
	pb_field t_field;           /* the tensor, when has_t is 1 */
	size_t n_floats = 0, n_ints = 0, n_strings = 0, n_tensors = 0, n_graphs = 0, n_sps = 0,
	       n_tps = 0, cnt, elem = 0;
	uint64_t type = 0;
	char nb[NAME_BUF], an[NAME_BUF];

	/* Pass 1: name, type, which fields are present, counts of repeated fields. */
	FOR_FIELDS(&it, &f, r) {
		switch (f.num) {
		case A_NAME:
			TRY(pb_expect(&it, &f, PB_LEN, "attribute name"));
			a->name = attr_name(c, g, &f);
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
			a->s_len = f.len < UINT32_MAX ? (uint32_t)f.len : UINT32_MAX;
			has_s = 1;
			break;
		case A_T: case A_G: case A_SPARSE: case A_TP:
			TRY(pb_expect(&it, &f, PB_LEN, "attribute field"));
			if (f.num == A_T) {
				t_field = f;
				has_t++;
			}
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
	/* Pass 2 has nothing to read for a scalar, and a Constant's one tensor is where pass 1
	 * saw it (most attributes of a big graph are one of the two). */
	if (a->type == GR_ATTR_FLOAT || a->type == GR_ATTR_INT || a->type == GR_ATTR_STRING ||
	    a->type == GR_ATTR_UNDEFINED)
		return GR_OK;
	if (a->type == GR_ATTR_TENSOR && has_t == 1) {
		it = *msg;
		return attr_tensor(c, g, &it, &t_field, n, a->name, 0, 0, 0, &a->t);
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
	size_t n_in = 0, n_out = 0, n_attr = 0, ki = 0, ko = 0, ka = 0, n_rec = 0;
	const char *name = NULL, *op = NULL, *domain = "";
	char genname[256], name_buf[512], op_buf[128], dom_buf[128], nb[NAME_BUF];
	gr_node *n;
	/* the inputs, outputs and attributes pass 1 met, so that pass 2 reads them without
	 * decoding the node's fields again (most nodes have a handful; more: walked again) */
	pb_field rec[16];
	/* the first inputs' and outputs' names looked up in two steps (graph_impl.h): pass 1
	 * hashes them and fetches their table slots, pass 2 finds those in cache. An input
	 * among the tensors last defined is found in pass 1 (in_t). */
	uint64_t out_hash[4], in_hash[8];
	size_t out_len[4], in_len[8];
	gr_tensor *in_t[8];

	FOR_FIELDS(&it, &f, r) {
		switch (f.num) {
		case N_INPUT: case N_OUTPUT: case N_ATTR: case N_NAME: case N_OP_TYPE: case N_DOMAIN:
		case N_DOC:
			TRY(pb_expect(&it, &f, PB_LEN, "node field"));
			break;
		default:
			continue;
		}
		if (f.num == N_INPUT || f.num == N_OUTPUT || f.num == N_ATTR) {
			if (n_rec < sizeof(rec) / sizeof(*rec))
				rec[n_rec] = f;
			n_rec++;
		}
		if (f.num == N_INPUT && n_in < 8 && f.len) {
			const char *s = (const char *)c->src.data + f.off;
			in_len[n_in] = f.len;
			if (!(in_t[n_in] = gr_graph_tensor_recent(g, s, f.len)))
				in_hash[n_in] = gr_graph_name_prefetch(g, s, &in_len[n_in]);
		}
		if (f.num == N_OUTPUT && n_out < 4 && f.len) {
			out_len[n_out] = f.len;
			out_hash[n_out] = gr_graph_name_prefetch(g, (const char *)c->src.data + f.off,
								 &out_len[n_out]);
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
	for (size_t k = 0;; k++) {
		gr_tensor *t = NULL;

		if (n_rec <= sizeof(rec) / sizeof(*rec)) {
			if (k == n_rec)
				break;
			f = rec[k];
		} else if ((r = pb_next(&it, &f)) <= 0) {
			break;
		}
		if (f.num == N_INPUT || f.num == N_OUTPUT) {
			if (f.len) {
				/* the name read in place, no copy to terminate it */
				const char *s = (const char *)c->src.data + f.off;
				if (f.num == N_INPUT && ki < 8)
					t = in_t[ki] ? in_t[ki]
						     : gr_graph_tensor_ref_h(g, s, in_len[ki], in_hash[ki]);
				else if (f.num == N_INPUT)
					t = gr_graph_tensor_ref_n(g, s, f.len);
				else if (ko < 4)
					t = gr_graph_tensor_def_h(g, s, out_len[ko], out_hash[ko]);
				else
					t = gr_graph_tensor_def_n(g, s, f.len);
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
	if (r < 0)
		return r;
	gr_graph_link_node(g, n);
	return GR_OK;
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
		TRY(onnx_sparse_read(c, &sub, &role, &ti));
	else
		TRY(onnx_tensor_header(c, &sub, &role, &ti));
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
		TRY(onnx_tensor_apply_shape(c, g, &ti, t));
	else
		TRY(onnx_tensor_read(c, g, &sub, &ti, t));
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
	if (onnx_count_elements(dims, vi->rank, &numel, &log2n))
		return GR_OK;
	snprintf(who, sizeof(who), "input '%s'", pname(vi->name, nb));
	return onnx_too_many(c, vi->off, who, log2n);
}

/* Where the graph's initializers, inputs, outputs and value_infos start, in file order:
 * found by the first pass, so the later ones read those fields alone instead of walking the
 * whole graph again (each walk touched every node of a big graph for a few of them). Each is
 * its tag's offset with the field's number in the low bits (GraphProto's recorded fields are
 * numbered below 32). Nodes are not listed: the pass that reads them walks the graph. */
#define FL_NUM_BITS 5
typedef struct field_list {
	size_t *off;            /* tag offset << FL_NUM_BITS | field number */
	size_t n, cap;
} field_list;

static unsigned fl_num(const field_list *fl, size_t k)
{
	return (unsigned)(fl->off[k] & ((1u << FL_NUM_BITS) - 1));
}

static size_t fl_off(const field_list *fl, size_t k)
{
	return fl->off[k] >> FL_NUM_BITS;
}

/* The field whose tag starts at off, in msg. */
static gr_status field_at(const pb_msg *msg, size_t off, pb_msg *it, pb_field *f)
{
	int r;

	*it = *msg;
	it->pos = off;
	r = pb_next(it, f);
	return r < 0 ? r : GR_OK;  /* pass 1 read it: r is 1 */
}

/* Pass 1: the graph's name, and where the other fields are, counted in *n (initializers,
 * inputs, nodes). */
static gr_status scan_graph_fields(onnx_ctx *c, gr_graph *g, const pb_msg *msg, field_list *fl,
				   size_t n[3])
{
	pb_msg it = *msg;
	pb_field f;
	int r;
	size_t ahead = it.pos;

	FOR_FIELDS(&it, &f, r) {
		/* this pass hops from field to field, each hop a cache miss the hardware does not
		 * predict; the 2 KiB ahead are read by the passes after (nodes), so fetch them
		 * now. Never what a field skipped (weights). */
		if (ahead < it.pos)
			ahead = it.pos;
		for (; ahead < it.end && ahead < it.pos + 2048; ahead += 64)
			__builtin_prefetch(c->src.data + ahead);
		switch (f.num) {
		case G_NAME:
			TRY(pb_expect(&it, &f, PB_LEN, "graph name"));
			if (!(g->name = field_str(c, g, &f)))
				return oom(c);
			break;
		case G_INITIALIZER: case G_SPARSE_INIT:
		case G_NODE: case G_DOC: case G_INPUT: case G_OUTPUT: case G_VALUE_INFO: case G_QUANT:
			if (f.num != G_INITIALIZER && f.num != G_SPARSE_INIT)
				TRY(pb_expect(&it, &f, PB_LEN, "graph field"));
			n[2] += f.num == G_NODE;
			/* nodes are read walking the graph again (pass 3): most of a big graph's
			 * fields, listed they took a list of 8 bytes each, faulted in page by page */
			if (f.num == G_DOC || f.num == G_QUANT || f.num == G_NODE)
				break;
			if (!gr_array_reserve(&fl->off, &fl->cap, fl->n, sizeof(*fl->off), 256))
				return oom(c);
			fl->off[fl->n++] = f.tag_off << FL_NUM_BITS | f.num;
			n[0] += f.num == G_INITIALIZER || f.num == G_SPARSE_INIT;
			n[1] += f.num == G_INPUT;
			break;
		}
	}
	return r < 0 ? r : GR_OK;
}

/* The initializers pass 1 met, in file order. */
static gr_status read_initializers(onnx_ctx *c, gr_graph *g, const pb_msg *msg,
				   const field_list *fl)
{
	pb_msg it;
	pb_field f;

	for (size_t k = 0, ki = 0; k < fl->n; k++) {
		unsigned num = fl_num(fl, k);

		if (num != G_INITIALIZER && num != G_SPARSE_INIT)
			continue;
		TRY(field_at(msg, fl_off(fl, k), &it, &f));
		if (num == G_INITIALIZER)
			TRY(check_memory(c, g, f.tag_off));
		TRY(read_initializer(c, g, &it, &f, ki++, num == G_SPARSE_INIT));
	}
	return GR_OK;
}

static gr_status read_graph_fields(onnx_ctx *c, gr_graph *g, const pb_msg *msg, field_list *fl)
{
	pb_msg it, sub;
	pb_field f;
	gr_status st;
	int r;
	size_t k_in = 0, k_node = 0, k_out = 0, n[3] = {0, 0, 0}, n_fields;
	graph_scope scope = {msg, 0};
	value_info vi;
	char nb[NAME_BUF];

	/* Initializers are read once pass 1 is done and the arena has its big chunk: read in
	 * pass 1 they took its first, small chunks (malloc'd, cleared page by page) and grew
	 * the name table by doubling. They still come before the inputs, so that inputs that
	 * repeat them are recognized; when pass 1 fails, an error in one before is the one
	 * reported, as when they were read as met. */
	if ((st = scan_graph_fields(c, g, msg, fl, n))) {
		gr_status ist = read_initializers(c, g, msg, fl);
		return ist ? ist : st;
	}
	n_fields = fl->n - n[0] + n[2]; /* the graph's fields but initializers */
	/* The arena's big chunk first, so that the name table and the node list below are
	 * carved from it: reserved before it, each took a block of its own (the node list a
	 * malloc'd one cleared page by page, 27 faults on swin_s; the table 128 pages). */
	gr_arena_expect(gr_graph_arena(g), n_fields * ONNX_ARENA_PER_FIELD);
	/* a node defines a tensor (a few two): the name table sized once instead of doubling */
	if (!gr_graph_reserve_names(g, n_fields + n_fields / 8 + n[0] + n[1]) ||
	    !gr_graph_reserve_nodes(g, n[2]))
		return oom(c);
	TRY(read_initializers(c, g, msg, fl));

	/* Pass 2: inputs. An input that is also an initializer is a parameter (old exporters
	 * list every weight as an input); its declared shape is kept for reference only. */
	for (size_t k = 0; k < fl->n; k++) {
		gr_tensor *t;

		if (fl_num(fl, k) != G_INPUT)
			continue;
		TRY(field_at(msg, fl_off(fl, k), &it, &f));
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

	/* Pass 3: nodes, walking the graph (pass 1 checked its fields; a weight is skipped by
	 * its length, never read). */
	it = *msg;
	while ((r = pb_next(&it, &f)) > 0) {
		if (f.num != G_NODE)
			continue;
		TRY(check_memory(c, g, f.tag_off));
		TRY(pb_sub(&it, &f, &sub));
		TRY(read_node(c, g, &scope, &sub, k_node++));
	}
	if (r < 0)
		return r;

	/* Pass 4: outputs and value_info (declared shapes, reference only). */
	for (size_t k = 0; k < fl->n; k++) {
		gr_tensor *t;

		if (fl_num(fl, k) != G_OUTPUT && fl_num(fl, k) != G_VALUE_INFO)
			continue;
		TRY(field_at(msg, fl_off(fl, k), &it, &f));
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
	return GR_OK;
}

static gr_status read_graph(onnx_ctx *c, gr_graph *g, const pb_msg *msg)
{
	field_list fl = {NULL, 0, 0};
	gr_status st = read_graph_fields(c, g, msg, &fl);

	free(fl.off);
	return st;
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

