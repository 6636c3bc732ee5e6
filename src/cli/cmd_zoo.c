/* graphs zoo: lists the built-in (weightless) models. */
#include <getopt.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "graphs/zoo.h"

static const char zoo_help[] =
	"usage: graphs zoo [--format table|json|csv|markdown]\n\n"
	"Lists the models shipped in models/ (weightless ONNX files). Use a name wherever\n"
	"a MODEL is expected, e.g. 'graphs profile resnet50'. Names follow torchvision.\n";

int cmd_zoo(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, 0, 'f'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	int fmt = GR_FMT_TABLE, c;
	gr_zoo_entry *e;
	size_t n;
	gr_error err = {0};
	FILE *out;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(zoo_help, stdout);
			return EXIT_OK;
		}
		if (c == 'f' && (fmt = cli_parse_format("zoo", optarg)) < 0)
			return EXIT_USAGE;
		if (c == '?')
			return cli_usage("zoo", "bad option");
	}
	if (optind < argc)
		return cli_usage("zoo", "unexpected argument '%s'", argv[optind]);
	if (gr_zoo_list(&e, &n, &err))
		return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	out = cli_out_begin();
	if (fmt == GR_FMT_JSON) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "name", e[i].name);
			cJSON_AddStringToObject(o, "family", e[i].family);
			cJSON_AddStringToObject(o, "task", e[i].task);
			cJSON_AddStringToObject(o, "input_shape", e[i].input_shape);
			cJSON_AddItemToArray(arr, o);
		}
		cli_json_write(out, arr);
	} else {
		const char *hdr[] = {"name", "family", "task", "input"};
		gr_table *t = gr_table_new(4, hdr);
		for (size_t i = 0; t && i < n; i++) {
			const char *row[] = {e[i].name, e[i].family, e[i].task, e[i].input_shape};
			gr_table_add_row(t, row);
		}
		if (t)
			gr_table_write(t, fmt, out);
		if (fmt == GR_FMT_TABLE)
			fprintf(out, "%zu models\n", n);
		gr_table_free(t);
	}
	cli_out_end(out, 1);
	free(e);
	return EXIT_OK;
}
