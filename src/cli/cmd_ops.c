/* graphs ops: lists the ONNX op types the op table supports. */
#include <getopt.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"

static const char ops_help[] =
	"usage: graphs ops [--format table|json|csv|markdown]\n\n"
	"Lists the ONNX op types (default domain) whose shapes and costs graphs computes.\n"
	"Any other op is reported by name as unknown, never counted as free.\n";

int cmd_ops(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, 0, 'f'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	int fmt = GR_FMT_TABLE, c;
	FILE *out;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(ops_help, stdout);
			return EXIT_OK;
		}
		if (c == 'f' && (fmt = cli_parse_format("ops", optarg)) < 0)
			return EXIT_USAGE;
		if (c == '?')
			return cli_usage("ops", "bad option");
	}
	if (optind < argc)
		return cli_usage("ops", "unexpected argument '%s'", argv[optind]);
	out = cli_out_begin();
	if (fmt == GR_FMT_JSON) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < gr_ops_count(); i++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(gr_ops_name(i)));
		cli_json_write(out, arr);
	} else {
		const char *hdr[] = {"op"};
		gr_table *t = gr_table_new(1, hdr);
		for (size_t i = 0; t && i < gr_ops_count(); i++) {
			const char *row[] = {gr_ops_name(i)};
			gr_table_add_row(t, row);
		}
		if (t)
			gr_table_write(t, fmt, out);
		if (fmt == GR_FMT_TABLE)
			fprintf(out, "%zu op types\n", gr_ops_count());
		gr_table_free(t);
	}
	cli_out_end(out, 1);
	return EXIT_OK;
}
