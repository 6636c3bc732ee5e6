/* Pieces shared by estimate and compare: partitioning, running the
 * estimator, and printing one estimate as JSON or a table. */
#ifndef GRAPHS_CLI_ESTIMATE_COMMON_H
#define GRAPHS_CLI_ESTIMATE_COMMON_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "graphs/calibrate.h"
#include "graphs/estimate.h"
#include "cli/cli.h"
#include "cli/json_stream.h"

/* The options estimate and compare share: the model options, --hw, --precision, --runtime,
 * --format, --no-calibration and --no-transfer (long only), for their getopt_long tables and optstrings. */
#define CLI_ESTIMATE_LONGOPTS \
	CLI_MODEL_LONGOPTS, {"hw", required_argument, 0, 'w'}, \
	{"precision", required_argument, 0, 'p'}, {"runtime", required_argument, 0, 'r'}, \
	{"format", required_argument, 0, 'f'}, {"no-calibration", no_argument, 0, 'N'}, \
	{"no-transfer", no_argument, 0, 'T'}
#define CLI_ESTIMATE_SHORTOPTS CLI_MODEL_SHORTOPTS "w:p:r:f:"

typedef struct cli_estimate_args {
	cli_model_opts model;
	gr_estimate_opts eo; /* --precision (-1: the platform's preferred), --runtime */
	const char *hw;      /* --hw as given */
	int fmt;             /* --format, GR_FMT_TABLE by default */
	int no_calib;        /* --no-calibration */
	int no_transfer;     /* --no-transfer: no profile borrowed from another platform */
	char why_theoretical[256]; /* set by cli_profile_for: why nothing could be borrowed */
	const gr_hw_registry *reg; /* where transfer looks for donors; NULL: loaded at each lookup
				    * (the same platforms as cli_registry_load's) */
} cli_estimate_args;

void cli_estimate_args_init(cli_estimate_args *a);
/* Handles option c (argument arg) when it is one of the shared options: returns 1 when
 * handled, 0 when c is not one, -1 after printing a usage error. */
int cli_estimate_option(cli_estimate_args *a, const char *cmd, int c, const char *arg);
/* The MODEL argument and --hw of a command that estimates on one platform, both required: 0, or
 * the exit code after the message. */
int cli_estimate_target(cli_estimate_args *a, const char *cmd, int argc, char **argv);

/* Each returns an exit code after printing any error. */
int cli_partition(const gr_graph *g, const char *runtime, gr_partition **out);
int cli_estimate(const gr_graph *g, const gr_partition *p, const gr_hw *hw, int mode,
		 const gr_estimate_opts *eo, gr_estimate **out);

/* The calibration profile an estimate on hw (spec "id[:mode]") with runtime uses: the file given
 * with --profile, else the first found by gr_profile_find, else one transferred from the nearest
 * calibrated platform of the class (gr_profile_transfer_find, unless --no-transfer); *out is NULL
 * when none exists or disabled (--no-calibration), and a->why_theoretical then says why when
 * transfer found no donor. Returns an exit code after printing any error (a bad file). */
int cli_profile_for(const gr_hw *hw, int mode, const char *runtime, const char *file, cli_estimate_args *a,
		    gr_profile **out);
/* The runtime an estimate uses when --runtime is not given: gr_profile_default_runtime, or the
 * class default with --no-calibration. */
const char *cli_default_runtime(const gr_hw *hw, int mode, const cli_estimate_args *a);
/* The estimate `graphs estimate` makes of g on hw at mode: a->eo.runtime, or the default runtime
 * (set into a->eo.runtime), its partition, the profile cli_profile_for finds (file: --profile),
 * then cli_estimate_profile. The caller frees *part, *prof and *est, also on failure (each may
 * be NULL). Returns an exit code after printing any error. */
int cli_estimate_model(const gr_graph *g, const gr_hw *hw, int mode, const char *file, cli_estimate_args *a,
		       gr_partition **part, gr_profile **prof, gr_estimate **est);
/* Appends note to e's note ("; " between notes). */
void cli_estimate_note(gr_estimate *e, const char *note);
/* cli_estimate with a profile (NULL: theoretical). On the host, a note says when the profile was
 * measured under other conditions (threads, governor, CPU). */
int cli_estimate_profile(const gr_graph *g, const gr_partition *p, const gr_hw *hw, int mode,
			 const gr_estimate_opts *eo, const gr_profile *prof, gr_estimate **out);
/* Appends the host-conditions note to e when hw is the detected host. */
void cli_conditions_note(gr_estimate *e, const gr_hw *hw, const gr_profile *prof);

/* Whether an estimate leaves something out (an op or a shape graphs does not know): its latency,
 * energy and work are then lower bounds. */
int cli_estimate_lower_bound(const gr_estimate *e, const cli_coverage *cov);

/* The contract's JSON object for one estimate of a model analysed at batch with coverage cov,
 * kernels left out. The caller owns the result (cJSON_Delete). */
cJSON *cli_estimate_json(const char *model, const char *hwspec, int64_t batch, const gr_estimate *e,
			 const cli_coverage *cov);
/* The per-kernel list ("kernels": [...]) of an estimate, written as it goes (one object per
 * kernel would make a big tree for a big graph). */
void cli_estimate_kernels_jw(cli_jw *w, const gr_estimate *e);

/* The parameters by the type they are stored in, as JSON ({"int8": 248, "int32": 12}) and
 * as text ("248 int8 + 12 int32"; "none" without parameters), for profile and estimate. */
cJSON *cli_weight_dtypes_json(const gr_graph *g);
const char *cli_weight_dtypes_str(const gr_graph *g, char *buf, size_t size);
void cli_estimate_print(FILE *out, int fmt, const char *model, const char *hwspec, int64_t batch,
			const gr_estimate *e, const cli_coverage *cov);

#endif
