/* What-if estimates for serve, split and advise: one model, loaded at a batch, estimated on
 * several platforms, precisions and runtimes, each with the calibration profile estimate uses. */
#ifndef GRAPHS_CLI_WHATIF_H
#define GRAPHS_CLI_WHATIF_H

#include "cli/estimate_common.h"

#define WHATIF_MAX_PARTS 32

typedef struct whatif {
	cli_estimate_args *a;     /* the command's options (model, --no-calibration, ...), borrowed */
	gr_graph *g;              /* the model at batch */
	int64_t batch;
	cli_coverage cov;
	gr_partition *parts[WHATIF_MAX_PARTS]; /* one per runtime */
	const char *part_rt[WHATIF_MAX_PARTS];
	size_t n_parts;
	gr_profile **profs;       /* profiles the estimates borrow labels from, freed last */
	size_t n_profs;
} whatif;

/* Loads a->model at batch (0: the model's own). Returns an exit code after printing the error. */
int whatif_load(whatif *w, cli_estimate_args *a, int64_t batch);
/* Estimates w's model on hw at mode with eo (runtime NULL: the platform's default), with the
 * profile estimate would use. On failure returns the exit code; the reason goes to why (when
 * not NULL: nothing printed) or to stderr. *out: gr_estimate_free; it borrows w's partition. */
int whatif_estimate(whatif *w, const gr_hw *hw, int mode, const gr_estimate_opts *eo, gr_estimate **out,
		    char *why, size_t why_size);
/* The partition of runtime rt (built on first use); NULL after printing an error (or, past
 * WHATIF_MAX_PARTS runtimes, without one). */
const gr_partition *whatif_partition(whatif *w, const char *rt);
void whatif_release(whatif *w);

#endif
