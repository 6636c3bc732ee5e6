/* Profile a model: parameters, FLOPs and bytes of one inference, as `graphs profile` counts
 * them. Build against an installed libgraphs:
 *   cc profile_model.c $(pkg-config --cflags --libs graphs) -o profile_model
 * Usage: profile_model MODEL [BATCH]   (MODEL: a zoo name such as resnet50, or a file)
 * Prints one JSON object with the keys of `graphs profile MODEL --format json`. */
#include <stdio.h>
#include <stdlib.h>

#include <graphs/graph.h>
#include <graphs/model.h>
#include <graphs/zoo.h>

int main(int argc, char **argv)
{
	const char *model = argc > 1 ? argv[1] : "resnet50";
	long long batch = argc > 2 ? atoll(argv[2]) : 1;
	gr_error err = {0};
	gr_graph *g = NULL;
	gr_graph_totals t;
	char path[4096];

	/* a zoo name becomes the shipped file; its usual input shape binds the free dims */
	if (gr_zoo_resolve(model, path, sizeof(path), &err) ||
	    gr_model_load(path, NULL, &g, &err))
		goto fail;
	gr_zoo_bind_defaults(g, model);
	if (gr_graph_bind_dim(g, "batch", batch, &err) || gr_graph_infer(g, &err))
		goto fail;
	gr_graph_totals_compute(g, &t);
	printf("{\"model\": \"%s\", \"batch\": %lld, \"params\": %lld, \"flops\": %.17g, "
	       "\"macs\": %.17g, \"bytes_read\": %.17g, \"bytes_written\": %.17g, \"node_count\": %zu}\n",
	       model, batch, (long long)t.params, t.flops, t.macs, t.bytes_read, t.bytes_written, t.nodes);
	gr_graph_free(g);
	return 0;
fail:
	fprintf(stderr, "profile_model: %s\n", err.msg);
	gr_graph_free(g);
	return 2;
}
