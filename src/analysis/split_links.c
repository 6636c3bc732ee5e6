/* graphs split --link NAME: named links (bandwidth, fixed cost per transfer) read from
 * data/links.yaml, so that no link figure lives in C. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "graphs/split.h"

#ifndef GRAPHS_DATA_DIR
#define GRAPHS_DATA_DIR "."
#endif

const char *gr_links_path(void)
{
	const char *e = getenv("GRAPHS_LINKS_FILE");
	return e && *e ? e : GRAPHS_DATA_DIR "/data/links.yaml";
}

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		if (k && k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

/* A positive number from a scalar node; -1 when it is not one. */
static double num(yaml_node_t *n)
{
	char *end;
	double v;
	if (!n || n->type != YAML_SCALAR_NODE)
		return -1;
	v = strtod((const char *)n->data.scalar.value, &end);
	return end != (char *)n->data.scalar.value && !*end && v >= 0 && v < 1e9 ? v : -1;
}

gr_status gr_link_find(const char *name, gr_link *out, gr_error *err)
{
	const char *path = gr_links_path();
	FILE *f;
	struct stat st;
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *links, *e;
	gr_status s = GR_OK;
	char names[512] = "";

	if (stat(path, &st) || !S_ISREG(st.st_mode) || st.st_size > (1 << 20) || !(f = fopen(path, "rb")))
		return gr_error_set(err, GR_ERR_IO, "cannot read links file '%s' (a regular file under 1 MiB)", path);
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		s = gr_error_set(err, GR_ERR_FORMAT, "%s:%zu: %s", path, parser.problem_mark.line + 1,
				 parser.problem ? parser.problem : "bad YAML");
		yaml_parser_delete(&parser);
		fclose(f);
		return s;
	}
	links = map_get(&doc, yaml_document_get_root_node(&doc), "links");
	if (!links || links->type != YAML_MAPPING_NODE) {
		s = gr_error_set(err, GR_ERR_FORMAT, "%s: no 'links' mapping", path);
		goto done;
	}
	if (!(e = map_get(&doc, links, name))) {
		size_t len = 0;
		for (yaml_node_pair_t *p = links->data.mapping.pairs.start; p < links->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(&doc, p->key);
			if (k && k->type == YAML_SCALAR_NODE && len < sizeof(names))
				len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", len ? ", " : "",
							(const char *)k->data.scalar.value);
		}
		s = gr_error_set(err, GR_ERR_NOT_FOUND, "unknown link '%s' (%s has: %s; or give GB/s as a number)", name,
				 path, names);
		goto done;
	}
	{
		double bw = num(map_get(&doc, e, "bandwidth_gbps")), lat = num(map_get(&doc, e, "latency_us"));
		if (!(bw > 0) || lat < 0) {
			s = gr_error_set(err, GR_ERR_FORMAT, "%s:%zu: link '%s' needs bandwidth_gbps > 0 and latency_us >= 0",
					 path, e->start_mark.line + 1, name);
			goto done;
		}
		snprintf(out->name, sizeof(out->name), "%s", name);
		out->bandwidth_bytes_s = bw * 1e9;
		out->latency_s = lat * 1e-6;
	}
done:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return s;
}
