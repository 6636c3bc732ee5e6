/* graphs estimate: latency, energy and memory of one model on one platform. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/estimate_common.h"
#include "cli/hwctx.h"

static const char estimate_usage[] =
	"usage: graphs estimate MODEL --hw ID[:MODE] [--precision P] [--runtime R]\n"
	"                       [--batch N] [--input-shape NAME=DIMS]... [--dim NAME=N]...\n"
	"                       [--format table|json|csv|markdown] [--format-in onnx|tflite|fx]\n"
	"                       [--profile FILE | --no-calibration]\n\n"
	"Estimates latency, energy and peak memory of MODEL on a registry platform, kernel by\n"
	"kernel (roofline with efficiency factors, memory level chosen by working set, launch\n"
	"overheads), with a confidence level: calibrated, interpolated or theoretical.\n\n";
static const char estimate_help_tail[] =
	"  --hw ID[:MODE]   a platform from 'graphs hw list', with an optional power mode\n"
	"                   (e.g. jetson_orin_agx_gpu:30w)\n"
	"  --precision P    fp32, tf32, fp16, bf16, fp8, int8, int4 (default: the platform's preferred)\n"
	"  --runtime R      fusion and launch rules: pytorch (eager, one launch per op; the default\n"
	"                   on cpus and gpus), onnxruntime, tensorrt, compiler (default elsewhere)\n"
	"  --format F       table (default), json, csv or markdown\n"
	"  --profile FILE   use this calibration profile (default: the one found for the platform,\n"
	"                   mode and runtime in $GRAPHS_CALIBRATION_PATH, ~/.config/graphs/calibration\n"
	"                   or the shipped calibration/ folder; see docs/calibrate.md)\n"
	"  --no-calibration datasheet roofline only (confidence theoretical)\n\n"
	"Totals that leave nodes out (unknown ops or shapes) are marked as lower bounds.\n"
	"Exit codes: 0 ok, 1 usage error (unknown platform, precision it cannot run), 2 bad model.\n";

int cmd_estimate(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_MODEL_LONGOPTS,
		{"hw", required_argument, 0, 'w'},
		{"precision", required_argument, 0, 'p'},
		{"runtime", required_argument, 0, 'r'},
		{"format", required_argument, 0, 'f'},
		{"profile", required_argument, 0, 'P'},
		{"no-calibration", no_argument, 0, 'N'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	cli_model_opts mo = {0};
	gr_estimate_opts eo = {-1, NULL};
	const char *hwspec = NULL, *profile_file = NULL;
	int fmt = GR_FMT_TABLE, c, rc, no_calib = 0;
	gr_profile *prof = NULL;
	gr_graph *g = NULL;
	gr_hw_registry *reg = NULL;
	gr_partition *part = NULL;
	gr_estimate *est = NULL;
	const gr_hw *hw;
	int mode;
	int64_t batch;
	cli_coverage cov;
	FILE *out;

	optind = 1;
	while ((c = getopt_long(argc, argv, CLI_MODEL_SHORTOPTS "w:p:r:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(estimate_usage, stdout);
			fputs(cli_model_help, stdout);
			fputs(estimate_help_tail, stdout);
			return EXIT_OK;
		case 'w':
			hwspec = optarg;
			break;
		case 'p':
			if ((eo.precision = gr_precision_parse(optarg)) < 0)
				return cli_usage("estimate", "unknown precision '%s'", optarg);
			break;
		case 'r':
			if (!gr_fusion_rules_find(optarg))
				return cli_usage("estimate", "unknown runtime '%s'", optarg);
			eo.runtime = optarg;
			break;
		case 'f':
			if ((fmt = cli_parse_format("estimate", optarg)) < 0)
				return EXIT_USAGE;
			break;
		case 'P':
			profile_file = optarg;
			break;
		case 'N':
			no_calib = 1;
			break;
		default:
			if ((rc = cli_model_option(&mo, "estimate", c, optarg)) < 0)
				return EXIT_USAGE;
			if (rc == 0)
				return cli_usage("estimate", "bad option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage("estimate", optind >= argc ? "no MODEL given" : "more than one MODEL given");
	if (!hwspec)
		return cli_usage("estimate", "--hw ID is required (see 'graphs hw list')");
	mo.model = argv[optind];
	if (!(reg = cli_registry_load()))
		return EXIT_BAD_INPUT;
	if ((rc = cli_resolve_hw(reg, hwspec, &hw, &mode)))
		goto done;
	if ((rc = cli_load_model(&mo, &g, &batch)))
		goto done;
	cli_coverage_of(g, &cov);
	if ((rc = cli_partition(g, eo.runtime ? eo.runtime : gr_estimate_default_runtime(hw), &part)))
		goto done;
	if ((rc = cli_profile_for(hw, mode, eo.runtime ? eo.runtime : gr_estimate_default_runtime(hw), profile_file,
				  no_calib, &prof)))
		goto done;
	if ((rc = cli_estimate_profile(g, part, hw, mode, &eo, prof, &est)))
		goto done;
	out = cli_out_begin();
	if (fmt == GR_FMT_JSON) {
		cJSON *j = cli_estimate_json(cli_model_label(mo.model), hwspec, batch, est, &cov, 1);
		cJSON_AddItemToObject(j, "weight_dtypes", cli_weight_dtypes_json(g));
		char *s = cJSON_Print(j);
		fprintf(out, "%s\n", s);
		cJSON_free(s);
		cJSON_Delete(j);
	} else {
		cli_estimate_print(out, fmt, cli_model_label(mo.model), hwspec, batch, est, &cov);
	}
	cli_out_end(out, 1);
	rc = EXIT_OK;
done:
	gr_estimate_free(est);
	gr_profile_free(prof);
	gr_partition_free(part);
	gr_graph_free(g);
	gr_hw_registry_free(reg);
	return rc;
}
