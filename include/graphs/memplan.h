/* Activation memory of one inference, two ways: the estimator's figure (every live tensor
 * counted along the topological order, as if an allocator reused memory perfectly) and an
 * arena plan as runtimes make one (TFLite's greedy-by-size, ONNX Runtime's memory pattern):
 * buffers with lifetimes over the kernel order get offsets in one block, best-fit, largest
 * first; views alias their input. Also the figure without reuse (every buffer its own). */
#ifndef GRAPHS_MEMPLAN_H
#define GRAPHS_MEMPLAN_H

#include "graphs/transform.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One buffer to place: live from step first to step last (inclusive). */
typedef struct gr_arena_buf {
	int64_t bytes;
	size_t first, last;
	int64_t offset;   /* set by gr_arena_plan */
} gr_arena_buf;

/* Places bufs in one block: largest first, each at the smallest gap among the buffers already
 * placed whose lifetimes overlap its own (best fit), else above them. No two buffers live at
 * the same step overlap. Writes each offset and *arena_bytes (the block's size). Fails with
 * GR_ERR_NOMEM or GR_ERR_LIMIT (sizes that overflow). */
gr_status gr_arena_plan(gr_arena_buf *bufs, size_t n, int64_t *arena_bytes, gr_error *err);

/* The arena's alignment of each buffer, as runtimes align tensors (bytes). */
#define GR_ARENA_ALIGN 64

typedef struct gr_memplan {
	size_t n_steps;         /* kernels of the partition, in their order */
	double *live_bytes;     /* per kernel: the estimator's live activation bytes, the most over
				 * the ops it runs (max over steps = peak_live_bytes exactly) */
	double *arena_used;     /* per kernel: the arena's high-water mark of the buffers live
				 * during it (max over steps = arena_bytes) */
	double peak_live_bytes; /* = gr_estimate.peak_activation_bytes */
	double arena_bytes;     /* the planned block: with reuse, as a runtime allocates it */
	double no_reuse_bytes;  /* every buffer its own allocation */
	size_t n_buffers;       /* buffers placed (views share their input's) */
} gr_memplan;

/* Plans the activations of inferred graph g run as partition p. Float tensors take
 * scale_float x their file size (the estimate's precision over fp32, as the estimator does);
 * fused runtimes (fused_memory) keep a kernel's inner tensors out of memory. On success m owns
 * its arrays (gr_memplan_release). */
gr_status gr_memplan_build(const gr_graph *g, const gr_partition *p, int fused_memory,
			   double scale_float, gr_memplan *m, gr_error *err);
/* The same with each node's float outputs at out_bpe bytes per element (the graph inputs at
 * out_bpe[n_nodes]; gr_estimate_activation_bpe gives the estimate's), NULL: scale_float. */
gr_status gr_memplan_build_at(const gr_graph *g, const gr_partition *p, int fused_memory,
			      double scale_float, const double *out_bpe, gr_memplan *m, gr_error *err);
void gr_memplan_release(gr_memplan *m);

#ifdef __cplusplus
}
#endif
#endif
