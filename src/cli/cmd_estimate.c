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
	"                       [--profile FILE | --no-calibration | --no-transfer]\n\n"
	"Estimates latency, energy and peak memory of MODEL on a registry platform, kernel by\n"
	"kernel (roofline with efficiency factors, memory level chosen by working set, launch\n"
	"overheads), with a confidence level: calibrated, interpolated, transferred (efficiencies\n"
	"borrowed from the nearest calibrated platform of the class, docs/transfer.md) or theoretical.\n\n";
static const char estimate_help_tail[] =
	"  --hw ID[:MODE]   a platform from 'graphs hw list', with an optional power mode\n"
	"                   (e.g. jetson_orin_agx_gpu:30w)\n"
	"  --precision P    fp32, tf32, fp16, bf16, fp8, int8, int4, or amp (mixed precision as\n"
	"                   autocast runs it) (default: the platform's preferred)\n"
	"  --runtime R      the software that runs the model, with its fusion and launch rules:\n"
	"                   eager (pytorch: the default on cpus and gpus, tensorflow, mxnet, ...),\n"
	"                   graph compilers (onnxruntime, tensorrt, tflite, qnn_dlc, rknn, openvino,\n"
	"                   compiler: the default elsewhere, ...) or dataflow (hailo_dfc); an\n"
	"                   accelerator calibrated only for its vendor's runtime defaults to that one;\n"
	"                   an unknown name lists them all (docs/estimate.md, \"Runtimes\")\n"
	"  --format F       table (default), json, csv or markdown\n"
	"  --profile FILE   use this calibration profile (default: the one found for the platform,\n"
	"                   mode and runtime in $GRAPHS_CALIBRATION_PATH, ~/.config/graphs/calibration\n"
	"                   or the shipped calibration/ folder; see docs/calibrate.md)\n"
	"  --no-calibration datasheet roofline only (confidence theoretical)\n"
	"  --no-transfer    use only a profile of this platform, never one borrowed from another,\n"
	"                   nor one of its precisions standing in for a missing one\n\n"
	"Totals that leave nodes out (unknown ops or shapes) are marked as lower bounds.\n"
	"Exit codes: 0 ok, 1 usage error (unknown platform, precision it cannot run), 2 bad model.\n";

int cmd_estimate(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_ESTIMATE_LONGOPTS,
		{"profile", required_argument, 0, 'P'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	cli_estimate_args a;
	const char *profile_file = NULL;
	int c, rc;
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

	cli_estimate_args_init(&a);
	optind = 1;
	while ((c = getopt_long(argc, argv, CLI_ESTIMATE_SHORTOPTS "h", opts, NULL)) != -1) {
		if (c == 'h')
			return cli_model_help(estimate_usage, estimate_help_tail);
		if (c == 'P')
			profile_file = optarg;
		else if ((rc = cli_estimate_option(&a, "estimate", c, optarg)) <= 0)
			return rc < 0 ? EXIT_USAGE : cli_usage("estimate", "bad option");
	}
	if ((rc = cli_estimate_target(&a, "estimate", argc, argv)))
		return rc;
	if ((rc = cli_registry_hw(a.hw, &reg, &hw, &mode)))
		goto done;
	if ((rc = cli_load_model(&a.model, &g, &batch)))
		goto done;
	cli_coverage_of(g, &cov);
	if ((rc = cli_estimate_model(g, hw, mode, profile_file, &a, &part, &prof, &est)))
		goto done;
	cli_estimate_note(est, a.why_theoretical);
	out = cli_out_begin();
	if (a.fmt == GR_FMT_JSON) {
		/* the summary as a tree, the kernels (one per fused node group) as a stream */
		cJSON *j = cli_estimate_json(cli_model_label(a.model.model), a.hw, batch, est, &cov);
		cJSON *wd = cli_weight_dtypes_json(g);
		cli_jw w;
		cli_jw_init(&w, out);
		cli_jw_object(&w, NULL);
		for (const cJSON *m = j ? j->child : NULL; m; m = m->next)
			cli_jw_cjson(&w, m->string, m);
		cli_estimate_kernels_jw(&w, est);
		cli_jw_cjson(&w, "weight_dtypes", wd);
		cli_jw_finish(&w);
		cJSON_Delete(j);
		cJSON_Delete(wd);
	} else {
		cli_estimate_print(out, a.fmt, cli_model_label(a.model.model), a.hw, batch, est, &cov);
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
