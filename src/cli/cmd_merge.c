/* graphs merge: joins the csv or json shards of one 'graphs sweep --shard I/N' into exactly
 * the bytes of the unsharded run (graphs/sweep.h, gr_sweep_merge). */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "core/outfile.h"
#include "graphs/sweep.h"

static const char merge_usage[] =
	"usage: graphs merge [--out FILE] FILES...\n\n"
	"Joins the shard files of one sweep ('graphs sweep ... --shard I/N --format csv|json') into\n"
	"the output of the same sweep run unsharded, byte for byte: rows in point order, the\n"
	"format of the shards (all csv or all json).\n\n"
	"  FILES            the shards, in any order\n"
	"  --out FILE       write there (through a temporary file) instead of stdout\n\n"
	"Refused (exit 2, the message names the file and line): files of different sweeps or\n"
	"formats, a point given twice (a shard repeated or shards overlapping), a point missing\n"
	"(a shard left out or cut short), a file that is not a sweep's csv or json.\n"
	"Exit codes: 0 ok, 2 bad arguments or shards.\n";

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{"out", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *outpath = NULL;
	gr_outfile of;
	gr_error err = {0};
	FILE *mem;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(merge_usage, stdout);
			return EXIT_OK;
		case 'o':
			outpath = optarg;
			break;
		default:
			fputs("graphs: error: merge: bad option (see 'graphs merge --help')\n", stderr);
			return EXIT_BAD_INPUT;
		}
	}
	if (optind >= argc)
		return cli_fail(EXIT_BAD_INPUT, "merge: no FILES given (see 'graphs merge --help')");
	if (outpath && strcmp(outpath, "-")) {
		if (gr_outfile_open(&of, outpath, &err))
			return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
		if (gr_sweep_merge((const char *const *)argv + optind, (size_t)(argc - optind), of.f, &err)) {
			gr_outfile_abort(&of);
			return cli_fail(EXIT_BAD_INPUT, "merge: %s", err.msg);
		}
		if (gr_outfile_commit(&of, &err))
			return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
		return EXIT_OK;
	}
	/* nothing reaches stdout unless every shard checks out */
	mem = cli_out_begin();
	if (gr_sweep_merge((const char *const *)argv + optind, (size_t)(argc - optind), mem, &err)) {
		cli_out_end(mem, 0);
		return cli_fail(EXIT_BAD_INPUT, "merge: %s", err.msg);
	}
	cli_out_end(mem, 1);
	return EXIT_OK;
}
