/* ONNX op type -> op id, from the names in ops/ops.def alone: the graph builder resolves a
 * node's op with it without depending on the op implementations (ops/ops.c holds those). */
#include <pthread.h>
#include <string.h>

#include "core/graph_impl.h"

static const char *const op_names[GR_OP_COUNT] = {
	[GR_OP_UNKNOWN] = "<unknown>",
#define OP(id, name, shape, cost, flops_per_elem, nonparam_mask) [GR_OP_##id] = name,
#include "ops/ops.def"
#undef OP
};

/* Op ids by name in an open-addressing table built on first use (names are static
 * strings): one hash and one strcmp per node, where a binary search took eight strcmp calls,
 * a few percent of loading a big graph. */
#define OP_SLOTS 1024
_Static_assert(OP_SLOTS >= 2 * GR_OP_COUNT, "op name table at most half full");
static unsigned short op_slot[OP_SLOTS]; /* op id, 0 for an empty slot */
static pthread_once_t op_index_once = PTHREAD_ONCE_INIT;

static unsigned op_hash(const char *s)
{
	unsigned h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h ^ (h >> 15);
}

static void build_index(void)
{
	for (int i = 1; i < GR_OP_COUNT; i++) {
		unsigned k = op_hash(op_names[i]) & (OP_SLOTS - 1);
		while (op_slot[k])
			k = (k + 1) & (OP_SLOTS - 1);
		op_slot[k] = (unsigned short)i;
	}
}

gr_op gr_op_lookup(const char *op_type, const char *domain)
{
	unsigned k;

	if (!op_type)
		return GR_OP_UNKNOWN;
	if (domain && *domain && strcmp(domain, "ai.onnx") != 0)
		return GR_OP_UNKNOWN;
	pthread_once(&op_index_once, build_index);
	for (k = op_hash(op_type) & (OP_SLOTS - 1); op_slot[k]; k = (k + 1) & (OP_SLOTS - 1))
		if (strcmp(op_type, op_names[op_slot[k]]) == 0)
			return (gr_op)op_slot[k];
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
