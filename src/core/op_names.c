/* ONNX op type -> op id, from the names in ops/ops.def alone: the graph builder resolves a
 * node's op with it without depending on the op implementations (ops/ops.c holds those). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/graph_impl.h"

static const char *const op_names[GR_OP_COUNT] = {
	[GR_OP_UNKNOWN] = "<unknown>",
#define OP(id, name, shape, cost, flops_per_elem, nonparam_mask) [GR_OP_##id] = name,
#include "ops/ops.def"
#undef OP
};

/* Sorted index for bsearch, built on first use (names are static strings). */
static int op_index[GR_OP_COUNT - 1];
static pthread_once_t op_index_once = PTHREAD_ONCE_INIT;

static int cmp_op(const void *a, const void *b)
{
	return strcmp(op_names[*(const int *)a], op_names[*(const int *)b]);
}

static void build_index(void)
{
	for (int i = 1; i < GR_OP_COUNT; i++)
		op_index[i - 1] = i;
	qsort(op_index, GR_OP_COUNT - 1, sizeof(int), cmp_op);
}

gr_op gr_op_lookup(const char *op_type, const char *domain)
{
	int lo = 0, hi = GR_OP_COUNT - 2;

	if (!op_type)
		return GR_OP_UNKNOWN;
	if (domain && *domain && strcmp(domain, "ai.onnx") != 0)
		return GR_OP_UNKNOWN;
	pthread_once(&op_index_once, build_index);
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		int c = strcmp(op_type, op_names[op_index[mid]]);
		if (c == 0)
			return (gr_op)op_index[mid];
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return GR_OP_UNKNOWN;
}

const char *gr_op_name(gr_op op)
{
	return op > GR_OP_UNKNOWN && op < GR_OP_COUNT ? op_names[op] : NULL;
}

size_t gr_ops_count(void)
{
	return GR_OP_COUNT - 1;
}

const char *gr_ops_name(size_t i)
{
	return i + 1 < GR_OP_COUNT ? op_names[i + 1] : NULL;
}
