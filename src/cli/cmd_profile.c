/* graphs profile: per-node shapes, parameters, FLOPs and bytes of a model, with totals
 * and a coverage figure (share of nodes whose shape and cost are known). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/estimate_common.h"

static const char profile_help[] =
	"usage: graphs profile MODEL [--batch N] [--input-shape NAME=1x3x224x224]...\n"
	"                      [--format table|json|csv|markdown] [--format-in onnx|tflite|fx]\n\n"
	"Counts parameters, FLOPs (2 x MACs for conv/gemm/matmul) and bytes moved per node and\n"
	"in total, with the output shapes inferred by graphs itself.\n\n"
	"  MODEL            a zoo name (see 'graphs zoo') or a model file (.onnx)\n"
	"  --batch N        binds the symbolic batch dimension (default 1)\n"
	"  --input-shape S  sets an input's shape, e.g. input=1x3x320x320 (repeatable)\n"
	"  --dim NAME=N     binds a symbolic dimension, e.g. seq=512 (repeatable; zoo models\n"
	"                   default to the shape in 'graphs zoo')\n"
	"  --format F       table (default), json, csv or markdown\n"
	"  --format-in F    skip format detection\n\n"
	"Ops graphs does not know are listed by name and never counted as free.\n"
	"Exit codes: 0 ok, 1 usage error, 2 bad model file.\n";

cJSON *cli_json_shape(const gr_tensor *t)
{
	cJSON *arr;

	if (gr_tensor_rank(t) < 0)
		return cJSON_CreateNull();
	arr = cJSON_CreateArray();
	for (int i = 0; i < gr_tensor_rank(t); i++) {
		gr_dim d = gr_tensor_dim(t, i);
		if (d.value >= 0)
			cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)d.value));
		else if (d.sym)
			cJSON_AddItemToArray(arr, cJSON_CreateString(d.sym));
		else
			cJSON_AddItemToArray(arr, cJSON_CreateNull());
	}
	return arr;
}

static cJSON *json_tensor(const gr_tensor *t)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", gr_tensor_name(t));
	cJSON_AddItemToObject(o, "shape", cli_json_shape(t));
	cJSON_AddStringToObject(o, "dtype", gr_dtype_name(gr_tensor_dtype(t)));
	return o;
}

/* Distinct unknown op types, in first-seen order, joined by ", ". */
static void unknown_ops(const gr_graph *g, char *buf, size_t size, cJSON *arr)
{
	size_t len = 0;

	buf[0] = 0;
	for (size_t i = 0; i < gr_graph_node_count(g); i++) {
		const gr_node *n = gr_graph_node(g, i);
		int seen = 0;
		if (gr_node_op_known(n))
			continue;
		for (size_t j = 0; j < i && !seen; j++) {
			const gr_node *m = gr_graph_node(g, j);
			seen = !gr_node_op_known(m) && !strcmp(gr_node_op_type(m), gr_node_op_type(n)) &&
			       !strcmp(gr_node_domain(m), gr_node_domain(n));
		}
		if (seen)
			continue;
		if (arr)
			cJSON_AddItemToArray(arr, cJSON_CreateString(gr_node_op_type(n)));
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s%s%s", len ? ", " : "",
						*gr_node_domain(n) ? gr_node_domain(n) : "",
						*gr_node_domain(n) ? "." : "", gr_node_op_type(n));
	}
}

static void print_json(FILE *out, const char *label, const gr_graph *g, int64_t batch,
		       const gr_graph_totals *tot)
{
	cJSON *root = cJSON_CreateObject(), *nodes, *outs, *ins, *unk;
	char ubuf[1024];
	char *s;

	cJSON_AddStringToObject(root, "model", label);
	cJSON_AddStringToObject(root, "format", gr_graph_format(g));
	cJSON_AddNumberToObject(root, "opset", gr_graph_opset(g));
	cJSON_AddNumberToObject(root, "batch", (double)batch);
	cJSON_AddNumberToObject(root, "params", (double)tot->params);
	cJSON_AddItemToObject(root, "weight_dtypes", cli_weight_dtypes_json(g));
	cJSON_AddNumberToObject(root, "flops", tot->flops);
	cJSON_AddNumberToObject(root, "macs", tot->macs);
	cJSON_AddNumberToObject(root, "bytes", tot->bytes_read + tot->bytes_written);
	cJSON_AddNumberToObject(root, "bytes_read", tot->bytes_read);
	cJSON_AddNumberToObject(root, "bytes_written", tot->bytes_written);
	cJSON_AddNumberToObject(root, "node_count", (double)tot->nodes);
	cJSON_AddNumberToObject(root, "coverage", tot->nodes ? (double)tot->nodes_known / tot->nodes : 1.0);
	unk = cJSON_AddArrayToObject(root, "unknown_ops");
	unknown_ops(g, ubuf, sizeof(ubuf), unk);
	ins = cJSON_AddArrayToObject(root, "inputs");
	for (size_t i = 0; i < gr_graph_input_count(g); i++)
		cJSON_AddItemToArray(ins, json_tensor(gr_graph_input(g, i)));
	outs = cJSON_AddArrayToObject(root, "outputs");
	for (size_t i = 0; i < gr_graph_output_count(g); i++)
		cJSON_AddItemToArray(outs, json_tensor(gr_graph_output(g, i)));
	nodes = cJSON_AddArrayToObject(root, "nodes");
	for (size_t i = 0; i < gr_graph_node_count(g); i++) {
		const gr_node *n = gr_graph_node(g, i);
		const gr_cost *c = gr_node_cost(n);
		cJSON *o = cJSON_CreateObject(), *no;
		cJSON_AddStringToObject(o, "name", gr_node_name(n));
		cJSON_AddStringToObject(o, "op", gr_node_op_type(n));
		if (*gr_node_domain(n))
			cJSON_AddStringToObject(o, "domain", gr_node_domain(n));
		no = cJSON_AddArrayToObject(o, "outputs");
		for (size_t k = 0; k < gr_node_output_count(n); k++)
			if (gr_node_output(n, k))
				cJSON_AddItemToArray(no, json_tensor(gr_node_output(n, k)));
		cJSON_AddNumberToObject(o, "params", (double)c->params);
		cJSON_AddNumberToObject(o, "flops", c->flops);
		cJSON_AddNumberToObject(o, "macs", c->macs);
		cJSON_AddNumberToObject(o, "bytes", c->bytes_read + c->bytes_written);
		cJSON_AddBoolToObject(o, "known", gr_node_op_known(n) && c->known);
		if (gr_node_note(n))
			cJSON_AddStringToObject(o, "note", gr_node_note(n));
		cJSON_AddItemToArray(nodes, o);
	}
	s = cJSON_Print(root);
	fprintf(out, "%s\n", s);
	cJSON_free(s);
	cJSON_Delete(root);
}

static void print_table(FILE *out, int fmt, const char *label, const gr_graph *g,
			const gr_graph_totals *tot)
{
	const char *hdr[] = {"node", "op", "output shape", "params", "FLOPs", "bytes", "note"};
	gr_table *t = gr_table_new(7, hdr);
	char a[32], b[32], c2[32], shape[128], ubuf[1024], wbuf[256];

	if (!t)
		return;
	for (int col = 3; col <= 5; col++)
		gr_table_numeric(t, col);
	for (size_t i = 0; i < gr_graph_node_count(g); i++) {
		const gr_node *n = gr_graph_node(g, i);
		const gr_cost *c = gr_node_cost(n);
		int known = gr_node_op_known(n) && c->known;
		const char *note = !gr_node_op_known(n) ? "unknown op: cost not counted"
				   : !c->known ? "shape unknown: cost not counted" : gr_node_note(n);
		gr_tensor_shape_str(gr_node_output(n, 0), shape, sizeof(shape));
		snprintf(a, sizeof(a), "%lld", (long long)c->params);
		const char *row[] = {gr_node_name(n), gr_node_op_type(n), shape, a,
				     known ? gr_fmt_si(c->flops, b, sizeof(b)) : "?",
				     known ? gr_fmt_si(c->bytes_read + c->bytes_written, c2, sizeof(c2)) : "?",
				     note ? note : ""};
		gr_table_add_row(t, row);
	}
	gr_table_write(t, fmt, out);
	gr_table_free(t);
	unknown_ops(g, ubuf, sizeof(ubuf), NULL);
	if (fmt == GR_FMT_CSV)
		return;
	fprintf(out, "\n%s%s: %zu nodes, %lld params, %s FLOPs (%s MACs), %s moved\n",
		fmt == GR_FMT_MARKDOWN ? "**" : "", label, tot->nodes, (long long)tot->params,
		gr_fmt_si(tot->flops, a, sizeof(a)), gr_fmt_si(tot->macs, b, sizeof(b)),
		gr_fmt_bytes(tot->bytes_read + tot->bytes_written, c2, sizeof(c2)));
	fprintf(out, "weights: %s\n", cli_weight_dtypes_str(g, wbuf, sizeof(wbuf)));
	fprintf(out, "coverage: %.1f%% of nodes with known shape and cost%s\n",
		tot->nodes ? 100.0 * tot->nodes_known / tot->nodes : 100.0,
		fmt == GR_FMT_MARKDOWN ? "**" : "");
	if (ubuf[0])
		fprintf(out, "unknown ops (not counted): %s\n", ubuf);
	for (size_t i = 0; i < gr_graph_output_count(g); i++) {
		gr_tensor_shape_str(gr_graph_output(g, i), shape, sizeof(shape));
		fprintf(out, "output %s: %s %s\n", gr_tensor_name(gr_graph_output(g, i)), shape,
			gr_dtype_name(gr_tensor_dtype(gr_graph_output(g, i))));
	}
}

int cmd_profile(int argc, char **argv)
{
	static const struct option opts[] = {
		{"batch", required_argument, 0, 'b'},
		{"input-shape", required_argument, 0, 's'},
		{"format", required_argument, 0, 'f'},
		{"format-in", required_argument, 0, 'i'},
		{"dim", required_argument, 0, 'd'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	cli_model_opts mo = {0};
	int fmt = GR_FMT_TABLE, c, rc;
	gr_graph *g;
	gr_graph_totals tot;
	FILE *out;

	optind = 1;
	while ((c = getopt_long(argc, argv, "b:s:f:i:hd:", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (mo.n_dims == CLI_MAX_SHAPES)
				return cli_usage("profile", "too many --dim options");
			mo.dims[mo.n_dims++] = optarg;
			break;
		case 'h':
			fputs(profile_help, stdout);
			return EXIT_OK;
		case 'b':
			if (!cli_parse_i64(optarg, &mo.batch) || mo.batch > (1 << 20))
				return cli_usage("profile", "--batch wants a positive integer, got '%s'", optarg);
			break;
		case 's':
			if (mo.n_shapes == CLI_MAX_SHAPES)
				return cli_usage("profile", "too many --input-shape options");
			mo.shapes[mo.n_shapes++] = optarg;
			break;
		case 'f':
			if ((fmt = cli_parse_format("profile", optarg)) < 0)
				return EXIT_USAGE;
			break;
		case 'i':
			mo.format_in = optarg;
			break;
		default:
			return cli_usage("profile", "bad option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage("profile", optind >= argc ? "no MODEL given" : "more than one MODEL given");
	mo.model = argv[optind];
	if ((rc = cli_load_model(&mo, &g)))
		return rc;
	gr_graph_totals_compute(g, &tot);
	out = cli_out_begin();
	if (fmt == GR_FMT_JSON)
		print_json(out, cli_model_label(mo.model), g, mo.batch ? mo.batch : 1, &tot);
	else
		print_table(out, fmt, cli_model_label(mo.model), g, &tot);
	cli_out_end(out, 1);
	gr_graph_free(g);
	return EXIT_OK;
}
