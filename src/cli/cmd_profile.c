/* graphs profile: per-node shapes, parameters, FLOPs and bytes of a model, with totals
 * and a coverage figure (share of nodes whose shape and cost are known). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/estimate_common.h"
#include "cli/json_stream.h"
#include "core/arena_fast.h"
#include "core/graph_impl.h"
#include "report/table_arena.h"

static const char profile_usage[] =
	"usage: graphs profile MODEL [--batch N] [--input-shape NAME=DIMS]... [--dim NAME=N]...\n"
	"                      [--format table|json|csv|markdown] [--format-in onnx|tflite|fx]\n\n"
	"Counts parameters, FLOPs (2 x MACs for conv/gemm/matmul) and bytes moved per node and\n"
	"in total, with the output shapes inferred by graphs itself.\n\n";
static const char profile_help_tail[] =
	"  --format F       table (default), json, csv or markdown\n\n"
	"Ops graphs does not know, and nodes whose shape stays unknown (an unbound dim), are listed\n"
	"and never counted as free: the totals are then marked as lower bounds with the coverage.\n"
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

static void json_tensor(cli_jw *w, const gr_tensor *t)
{
	cli_jw_object(w, NULL);
	cli_jw_string(w, "name", gr_tensor_name(t));
	cli_jw_shape(w, "shape", t);
	cli_jw_string(w, "dtype", gr_dtype_name(gr_tensor_dtype(t)));
	cli_jw_end(w);
}

static int same_op(const gr_node *a, const gr_node *b)
{
	return !strcmp(gr_node_op_type(a), gr_node_op_type(b)) &&
	       !strcmp(gr_node_domain(a), gr_node_domain(b));
}

static size_t op_hash(const gr_node *n)
{
	size_t h = 14695981039346656037ull;
	for (const char *p = gr_node_domain(n); *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull;
	for (const char *p = gr_node_op_type(n); *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h;
}

/* Distinct unknown op types, in first-seen order, joined by ", ", of the count nodes of
 * unknown op (the totals have it: no walk over the nodes when it is 0). A hash set of the
 * types seen keeps it linear in nodes however many distinct types a file has (without
 * memory for the set, each node is compared with the nodes before it). */
static void unknown_ops(const gr_graph *g, size_t count, char *buf, size_t size, cli_jw *w)
{
	const gr_node **set = NULL;
	size_t len = 0, cap = 16;

	buf[0] = 0;
	if (!count)
		return;
	while (cap < 2 * count)
		cap *= 2;
	set = calloc(cap, sizeof(*set));
	for (size_t i = 0; i < gr_graph_node_count(g); i++) {
		const gr_node *n = gr_graph_node(g, i);
		int dup = 0;
		if (gr_node_op_known(n))
			continue;
		if (set) {
			size_t k = op_hash(n) & (cap - 1);
			for (; set[k] && !dup; k = (k + 1) & (cap - 1))
				dup = same_op(set[k], n);
			if (!dup)
				set[k] = n;
		} else {
			for (size_t j = 0; j < i && !dup; j++)
				dup = !gr_node_op_known(gr_graph_node(g, j)) && same_op(gr_graph_node(g, j), n);
		}
		if (dup)
			continue;
		if (w)
			cli_jw_string(w, NULL, gr_node_op_type(n));
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s%s%s", len ? ", " : "",
						*gr_node_domain(n) ? gr_node_domain(n) : "",
						*gr_node_domain(n) ? "." : "", gr_node_op_type(n));
	}
	free(set);
}

/* Written as it goes (the nodes of a big graph would make a big cJSON tree), with the bytes
 * cJSON_Print gave when it was built as a tree. */
static void print_json(FILE *out, const char *label, const gr_graph *g, int64_t batch,
		       const gr_graph_totals *tot, const cli_coverage *cov, gr_arena *scratch)
{
	/* the writer and its 64 KiB buffer in the graph's arena when its backed pages have room:
	 * on the stack they were 16 fresh pages, a fault each */
	cli_jw jw, *w = gr_arena_alloc_backed(scratch, sizeof(jw));
	cJSON *wd = cli_weight_dtypes_json(g);
	char ubuf[1024];

	if (!w)
		w = &jw;
	cli_jw_init(w, out);
	cli_jw_object(w, NULL);
	cli_jw_string(w, "model", label);
	cli_jw_string(w, "format", gr_graph_format(g));
	cli_jw_number(w, "opset", gr_graph_opset(g));
	cli_jw_number(w, "batch", (double)batch);
	cli_jw_count(w, "params", (double)tot->params);
	cli_jw_cjson(w, "weight_dtypes", wd);
	cJSON_Delete(wd);
	cli_jw_count(w, "flops", tot->flops);
	cli_jw_count(w, "macs", tot->macs);
	cli_jw_count(w, "bytes", tot->bytes_read + tot->bytes_written);
	cli_jw_count(w, "bytes_read", tot->bytes_read);
	cli_jw_count(w, "bytes_written", tot->bytes_written);
	cli_jw_number(w, "node_count", (double)tot->nodes);
	/* the members cli_coverage_json adds */
	cli_jw_number(w, "coverage", cov->share);
	cli_jw_number(w, "unknown_shape_nodes", (double)cov->unknown_shape_nodes);
	cli_jw_bool(w, CLI_KEY_NOT_COSTED, cov->lower_bound);
	cli_jw_bool(w, "lower_bound", cov->lower_bound);
	cli_jw_array(w, "unknown_ops");
	unknown_ops(g, tot->unknown_ops, ubuf, sizeof(ubuf), w);
	cli_jw_end(w);
	cli_jw_array(w, "inputs");
	for (size_t i = 0; i < gr_graph_input_count(g); i++)
		json_tensor(w, gr_graph_input(g, i));
	cli_jw_end(w);
	cli_jw_array(w, "outputs");
	for (size_t i = 0; i < gr_graph_output_count(g); i++)
		json_tensor(w, gr_graph_output(g, i));
	cli_jw_end(w);
	cli_jw_array(w, "nodes");
	for (size_t i = 0; i < gr_graph_node_count(g); i++) {
		const gr_node *n = gr_graph_node(g, i);
		const gr_cost *c = gr_node_cost(n);
		cli_jw_object(w, NULL);
		cli_jw_string(w, "name", gr_node_name(n));
		cli_jw_string(w, "op", gr_node_op_type(n));
		if (*gr_node_domain(n))
			cli_jw_string(w, "domain", gr_node_domain(n));
		cli_jw_array(w, "outputs");
		for (size_t k = 0; k < gr_node_output_count(n); k++)
			if (gr_node_output(n, k))
				json_tensor(w, gr_node_output(n, k));
		cli_jw_end(w);
		cli_jw_count(w, "params", (double)c->params);
		cli_jw_count(w, "flops", c->flops);
		cli_jw_count(w, "macs", c->macs);
		cli_jw_count(w, "bytes", c->bytes_read + c->bytes_written);
		cli_jw_bool(w, "known", gr_node_op_known(n) && c->known);
		if (gr_node_note(n))
			cli_jw_string(w, "note", gr_node_note(n));
		cli_jw_end(w);
	}
	cli_jw_finish(w);
}

/* Input dims no option bound, which leave the shapes after them unknown. */
static void unbound_dims(FILE *out, const gr_graph *g)
{
	for (size_t k = 0; k < gr_graph_input_count(g); k++) {
		const gr_tensor *t = gr_graph_input(g, k);
		for (int i = 0; i < gr_tensor_rank(t); i++) {
			gr_dim d = gr_tensor_dim(t, i);
			if (d.value < 0)
				fprintf(out, "unbound: input '%s' dim %d ('%s'); bind it with --dim or --input-shape\n",
					gr_tensor_name(t), i, d.sym ? d.sym : "?");
		}
	}
}

/* "%lld" of v into buf (24 bytes or more), without printf: one per node of a big graph.
 * *len gets its length. */
static const char *fmt_ll(long long v, char *buf, size_t *len)
{
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
	char d[24];
	size_t k = sizeof(d);

	do
		d[--k] = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		d[--k] = '-';
	memcpy(buf, d + k, sizeof(d) - k);
	buf[sizeof(d) - k] = '\0';
	*len = sizeof(d) - k;
	return buf;
}

/* strlen of a short string (a number gr_fmt_si wrote: a few bytes), without a call. */
static inline size_t short_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* The rows go to the graph's arena, freed with it: its last pages are backed already. */
static void print_table(FILE *out, int fmt, const char *label, const gr_graph *g,
			gr_arena *cells, const gr_graph_totals *tot, const cli_coverage *cov)
{
	const char *hdr[] = {"node", "op", "output shape", "params", "FLOPs", "bytes", "note"};
	gr_table *t = gr_table_new_in(7, hdr, cells);
	char a[32], b[32], c2[32], shape[128], ubuf[1024], wbuf[256];
	/* the op names' lengths, +1 (0: not measured yet) */
	size_t op_len[GR_OP_COUNT] = {0};

	if (!t)
		return;
	for (int col = 3; col <= 5; col++)
		gr_table_numeric(t, col);
	/* a row's text: the node's name, op, shape and numbers; swin_s's take 67 bytes */
	gr_table_expect(t, gr_graph_node_count(g), 80);
	for (size_t i = 0; i < gr_graph_node_count(g); i++) {
		const gr_node *n = gr_graph_node(g, i);
		const gr_cost *c = gr_node_cost(n);
		int known = gr_node_op_known(n) && c->known;
		const char *note = !gr_node_op_known(n) ? "unknown op: cost not counted"
				   : !c->known ? "shape unknown: cost not counted" : gr_node_note(n);
		/* every cell's length known as it is made: the table need not measure them */
		size_t len[7];
		len[2] = gr_tensor_shape_str_len(gr_node_output(n, 0), shape, sizeof(shape));
		const char *row[] = {gr_node_name(n), gr_node_op_type(n), shape,
				     fmt_ll((long long)c->params, a, &len[3]),
				     known ? gr_fmt_si(c->flops, b, sizeof(b)) : "?",
				     known ? gr_fmt_si(c->bytes_read + c->bytes_written, c2, sizeof(c2)) : "?",
				     note ? note : ""};
		size_t ol = op_len[n->op];
		if (!ol || n->op == GR_OP_UNKNOWN) /* an unknown op's name is the node's own */
			ol = op_len[n->op] = strlen(row[1]) + 1;
		len[0] = strlen(row[0]);
		len[1] = ol - 1;
		len[4] = short_len(row[4]);
		len[5] = short_len(row[5]);
		len[6] = *row[6] ? strlen(row[6]) : 0;
		gr_table_add_row_n(t, row, len);
	}
	gr_table_write(t, fmt, out);
	gr_table_free(t);
	unknown_ops(g, tot->unknown_ops, ubuf, sizeof(ubuf), NULL);
	if (fmt == GR_FMT_CSV)
		return;
	/* totals that leave nodes out say so where they are printed, not only on stderr */
	const char *md = fmt == GR_FMT_MARKDOWN ? "**" : "";
	char lb[64] = "";
	if (cov->lower_bound)
		snprintf(lb, sizeof(lb), " (lower bound: %.1f%% coverage)", 100.0 * cov->share);
	if (cov->lower_bound)
		fprintf(out, "\n%s%s: %zu nodes, %lld params, >= %s FLOPs%s, >= %s MACs, >= %s moved%s\n", md,
			label, tot->nodes, (long long)tot->params, gr_fmt_si(tot->flops, a, sizeof(a)), lb,
			gr_fmt_si(tot->macs, b, sizeof(b)),
			gr_fmt_bytes(tot->bytes_read + tot->bytes_written, c2, sizeof(c2)), md);
	else
		fprintf(out, "\n%s%s: %zu nodes, %lld params, %s FLOPs (%s MACs), %s moved%s\n", md, label,
			tot->nodes, (long long)tot->params, gr_fmt_si(tot->flops, a, sizeof(a)),
			gr_fmt_si(tot->macs, b, sizeof(b)),
			gr_fmt_bytes(tot->bytes_read + tot->bytes_written, c2, sizeof(c2)), md);
	fprintf(out, "weights: %s\n", cli_weight_dtypes_str(g, wbuf, sizeof(wbuf)));
	fprintf(out, "coverage: %.1f%% of nodes with known shape and cost", 100.0 * cov->share);
	if (cov->lower_bound)
		fprintf(out, " (not costed: %zu unknown ops, %zu nodes of unknown shape)", cov->unknown_ops,
			cov->unknown_shape_nodes);
	fputc('\n', out);
	unbound_dims(out, g);
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
		CLI_MODEL_LONGOPTS,
		{"format", required_argument, 0, 'f'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	cli_model_opts mo = {0};
	int fmt = GR_FMT_TABLE, c, rc;
	int64_t batch;
	gr_graph *g;
	gr_graph_totals tot;
	cli_coverage cov;
	FILE *out;

	optind = 1;
	while ((c = getopt_long(argc, argv, CLI_MODEL_SHORTOPTS "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cli_model_help(profile_usage, profile_help_tail);
		case 'f':
			if ((fmt = cli_parse_format("profile", optarg)) < 0)
				return EXIT_USAGE;
			break;
		default:
			if ((rc = cli_model_option(&mo, "profile", c, optarg)) < 0)
				return EXIT_USAGE;
			if (rc == 0)
				return cli_usage("profile", "bad option");
		}
	}
	if ((rc = cli_model_arg(&mo, "profile", argc, argv)) || (rc = cli_load_model(&mo, &g, &batch)))
		return rc;
	gr_graph_totals_compute(g, &tot);
	cli_coverage_from(&tot, &cov);
	/* Nothing can fail once the model is loaded, so the report goes straight to stdout
	 * (no copy in memory first: for a big graph that copy was a third of the time). */
	out = stdout;
	if (fmt == GR_FMT_JSON)
		print_json(out, cli_model_label(mo.model), g, batch, &tot, &cov, gr_graph_arena(g));
	else
		print_table(out, fmt, cli_model_label(mo.model), g, gr_graph_arena(g), &tot, &cov);
	fflush(out);
	gr_graph_free(g);
	return EXIT_OK;
}
