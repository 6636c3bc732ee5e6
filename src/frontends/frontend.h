/* Private helpers the frontends share (src/frontends/): status propagation, building IR nodes
 * and tensors with unique names, printable names from files, and the tally of operators a
 * frontend could not map (named in one warning after loading). */
#ifndef GRAPHS_FRONTEND_H
#define GRAPHS_FRONTEND_H

#include <stddef.h>
#include <stdint.h>

#include "core/graph_impl.h"

/* Returns from the calling function with expr's status when it is not GR_OK. */
#define TRY(expr)                          \
	do {                               \
		gr_status st_ = (expr);    \
		if (st_ != GR_OK)          \
			return st_;        \
	} while (0)

/* Attribute slots of the nodes frontends synthesize. */
#define FE_NODE_ATTRS 8

/* A new tensor named base+suffix, made unique with "#N" (N from *uniq) when taken. */
gr_tensor *fe_tmp(gr_graph *g, unsigned long *uniq, const char *base, const char *suffix);
/* base+suffix, copied into the arena (node names). */
const char *fe_name(gr_arena *a, const char *base, const char *suffix);
/* Adds node type(in...) -> (out...) with FE_NODE_ATTRS attribute slots; NULL inputs are
 * omitted optional ones. NULL when out of memory (or name or an output is NULL). */
gr_node *fe_emit(gr_graph *g, const char *type, const char *name, gr_tensor *const *in,
		 size_t n_in, gr_tensor *const *out, size_t n_out);
/* A constant int64 tensor named base (unique): k values as a 1-D tensor, or one value as a
 * scalar. Known values, not an initializer: never a parameter. NULL when out of memory. */
gr_tensor *fe_cst_i64(gr_graph *g, unsigned long *uniq, const char *base, const int64_t *v,
		      int64_t k, int scalar);
/* A float scalar constant named base (unique); never a parameter. */
gr_tensor *fe_cst_f64(gr_graph *g, unsigned long *uniq, const char *base, double v);
/* y = x indexed (Python's x[...], TFLite's STRIDED_SLICE): Slice(x, slice[0..3] = starts,
 * ends, axes, steps) when slice is given, then Squeeze(squeeze_axes) and Unsqueeze(new_axes)
 * when given; Identity when none is. The last node is named name, the others name + "/slice"
 * and name + "/squeeze" (outputs: y's name + the same). 0 when out of memory. */
int fe_emit_index(gr_graph *g, unsigned long *uniq, const char *name, gr_tensor *x, gr_tensor *y,
		  gr_tensor *const *slice, gr_tensor *squeeze_axes, gr_tensor *new_axes);
/* A printable, NUL-free arena copy of a name from a file: at most 400 bytes, control bytes
 * as '?'. NULL when out of memory. */
char *fe_clean_name(gr_arena *a, const char *s, size_t len);

/* Inside a function of a frontend whose context `c` has a graph c->g and an oom(c):
 * EMIT(var, "Type", name, (inputs...), (outputs...)) adds the node or returns oom(c). */
#define T(...) ((gr_tensor *[]){__VA_ARGS__})
#define NT(...) (sizeof((gr_tensor *[]){__VA_ARGS__}) / sizeof(gr_tensor *))
#define EMIT(var, type, name, ins, outs)                                                      \
	do {                                                                                   \
		if (!((var) = fe_emit(c->g, (type), (name), T ins, NT ins, T outs, NT outs)))  \
			return oom(c);                                                         \
	} while (0)

/* --- operators left unmapped: counted by kind for one warning ------------------------- */

#define FE_MAX_UNMAPPED 16

typedef struct fe_unmapped {
	struct {
		const char *name; /* borrowed: must outlive the tally */
		int custom;       /* TFLite custom code (listed as custom 'NAME') */
		size_t count;
	} kinds[FE_MAX_UNMAPPED];
	size_t n_kinds, total;
} fe_unmapped;

/* Counts one operator of kind (name, custom); kinds past FE_MAX_UNMAPPED are only counted. */
void fe_unmapped_note(fe_unmapped *u, const char *name, int custom);
/* Warns "'FILE': N operators are not costed (WHY): KIND xN, ..." when any was noted. */
void fe_unmapped_warn(const fe_unmapped *u, const char *file, const char *noun, const char *why);

#endif
