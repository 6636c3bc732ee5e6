/* Pieces shared by estimate and compare: resolving --hw, partitioning, running the
 * estimator, and printing one estimate as JSON or a table. */
#ifndef GRAPHS_CLI_ESTIMATE_COMMON_H
#define GRAPHS_CLI_ESTIMATE_COMMON_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "graphs/estimate.h"

/* Each returns an exit code after printing any error. */
int cli_resolve_hw(const gr_hw_registry *reg, const char *spec, const gr_hw **hw, int *mode);
int cli_partition(const gr_graph *g, const char *runtime, gr_partition **out);
int cli_estimate(const gr_graph *g, const gr_partition *p, const gr_hw *hw, int mode,
		 const gr_estimate_opts *eo, gr_estimate **out);

/* The contract's JSON object for one estimate; kernels included when with_kernels.
 * The caller owns the result (cJSON_Delete). */
cJSON *cli_estimate_json(const char *model, const char *hwspec, int64_t batch, const gr_estimate *e,
			 int with_kernels);
void cli_estimate_print(FILE *out, int fmt, const char *model, const char *hwspec, int64_t batch,
			const gr_estimate *e);

#endif
