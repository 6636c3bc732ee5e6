/* The subcommand table and the top-level dispatch (see commands.h). */
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "graphs/version.h"

static const cli_command commands[] = {
	{"profile", cmd_profile, "params, FLOPs, bytes and shapes per op of a model"},
	{"estimate", cmd_estimate, "latency, energy and memory of a model on a platform"},
	{"compare", cmd_compare, "one model on several platforms, one row each"},
	{"hw", cmd_hw, "the hardware registry: list, show, validate, detect"},
	{"benchmark", cmd_benchmark, "measure this machine: micro kernels and model runs into a database"},
	{"calibrate", cmd_calibrate, "fit a platform's calibration profile from measurements"},
	{"validate", cmd_validate, "compare estimates with measurements: error figures and a dashboard"},
	{"zoo", cmd_zoo, "the built-in models"},
	{"ops", cmd_ops, "the supported ONNX op types"},
	{"llm", cmd_llm, "LLM serving: time to first token, per output token, throughput, KV cache"},
	{"pipeline", cmd_pipeline, "models in sequence and in parallel on devices and links: latency, FPS, bottleneck"},
	{"timeline", cmd_timeline, "one estimate as a Chrome/Perfetto trace, memory with and without reuse"},
	{"sweep", cmd_sweep, "a grid of models x platforms x batches x precisions, shardable"},
	{"merge", cmd_merge, "join the shards of a sweep into the unsharded output"},
	{"serve", cmd_serve, "dynamic batching under Poisson arrivals: throughput, p50/p99 latency"},
	{"split", cmd_split, "the best cut points of a model across two devices"},
	{"advise", cmd_advise, "ranked changes (precision, batch, runtime, mode, platform) with gains"},
};

const cli_command *cli_command_find(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

void cli_commands_usage(FILE *out)
{
	fputs("usage: graphs <command> [options]\n\n"
	      "Estimates how fast a neural network runs, how much energy and memory it needs,\n"
	      "on hardware you may not own.\n\ncommands:\n", out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nrun 'graphs <command> --help' for a command's options; docs/ has a page for each.\n",
	      out);
}

int cli_dispatch(int argc, char **argv)
{
	const cli_command *c;

	if (argc < 2) {
		cli_commands_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		cli_commands_usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("graphs %s\n", gr_version());
		return EXIT_OK;
	}
	if ((c = cli_command_find(argv[1])))
		return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "graphs: '%s' is not a graphs command\n", argv[1]);
	cli_commands_usage(stderr);
	return EXIT_USAGE;
}
