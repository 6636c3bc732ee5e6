/* graphs split --link NAME: the named links of data/links.yaml, the same file and reader as
 * graphs pipeline (gr_pipeline_links_load), so that no link figure lives in C. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphs/pipeline.h"
#include "graphs/split.h"
#include "graphs/version.h"

const char *gr_links_path(void)
{
	static char path[4200];
	const char *e = getenv("GRAPHS_LINKS_FILE");

	if (e && *e)
		return e;
	snprintf(path, sizeof(path), "%s/data/links.yaml", gr_data_dir());
	return path;
}

gr_status gr_link_find(const char *name, gr_link *out, gr_error *err)
{
	const char *path = gr_links_path();
	gr_pl_link *types = NULL;
	size_t n = 0, len = 0;
	char names[512] = "";
	gr_status s;

	if ((s = gr_pipeline_links_load(path, &types, &n, err)))
		return s;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(types[i].name, name)) {
			if (len < sizeof(names) && !types[i].zero_copy)
				len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", len ? ", " : "",
							types[i].name);
			continue;
		}
		if (types[i].zero_copy) {
			s = gr_error_set(err, GR_ERR_NOT_FOUND, "%s:%d: link '%s' shares memory (zero copy): split "
					 "needs a link that copies", path, types[i].line, name);
		} else {
			snprintf(out->name, sizeof(out->name), "%s", name);
			out->bandwidth_bytes_s = types[i].bandwidth_bytes_s;
			out->latency_s = types[i].latency_s;
		}
		free(types);
		return s;
	}
	free(types);
	return gr_error_set(err, GR_ERR_NOT_FOUND, "unknown link '%s' (%s has: %s; or give GB/s as a number)",
			    name, path, names);
}
