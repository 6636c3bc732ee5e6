/* Model zoo lookup: turns names such as "resnet50" into shipped model files. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/infile.h"
#include "graphs/graph.h"
#include "graphs/version.h"
#include "graphs/zoo.h"


static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int gr_zoo_dir(char *buf, size_t size)
{
	const char *env = getenv("GRAPHS_MODELS_DIR");

	if (env && *env && is_dir(env)) {
		snprintf(buf, size, "%s", env);
		return 1;
	}
	snprintf(buf, size, "%s/models", gr_data_dir());
	if (is_dir(buf))
		return 1;
	buf[0] = 0;
	return 0;
}

/* Copies CSV field i (no quoting in zoo.csv) of line into out. */
static void csv_field(const char *line, int i, char *out, size_t size)
{
	const char *p = line, *end;
	size_t len;

	while (i-- > 0 && p) {
		p = strchr(p, ',');
		if (p)
			p++;
	}
	if (!p) {
		out[0] = 0;
		return;
	}
	end = p + strcspn(p, ",\r\n");
	len = (size_t)(end - p) < size - 1 ? (size_t)(end - p) : size - 1;
	memcpy(out, p, len);
	out[len] = 0;
}

gr_status gr_zoo_list(gr_zoo_entry **entries, size_t *count, gr_error *err)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], line[1024];
	gr_zoo_entry *list = NULL;
	size_t n = 0, cap = 0;
	FILE *f;

	*entries = NULL;
	*count = 0;
	if (!gr_zoo_dir(dir, sizeof(dir)))
		return gr_error_set(err, GR_ERR_NOT_FOUND,
				    "no model zoo found (set GRAPHS_MODELS_DIR to the models/ folder)");
	snprintf(path, sizeof(path), "%s/zoo.csv", dir);
	f = fopen(path, "r");
	if (!f)
		return gr_error_set(err, GR_ERR_IO, "cannot open '%s'", path);
	if (!fgets(line, sizeof(line), f)) { /* header */
		fclose(f);
		return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': empty file", path);
	}
	while (fgets(line, sizeof(line), f)) {
		gr_zoo_entry *e;
		if (line[0] == '\n' || line[0] == '#')
			continue;
		if (n == cap) {
			gr_zoo_entry *nl = realloc(list, (cap = cap ? cap * 2 : 64) * sizeof(*list));
			if (!nl) {
				free(list);
				fclose(f);
				return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
			}
			list = nl;
		}
		e = &list[n];
		csv_field(line, 0, e->name, sizeof(e->name));
		csv_field(line, 1, e->family, sizeof(e->family));
		csv_field(line, 2, e->task, sizeof(e->task));
		csv_field(line, 3, e->input_shape, sizeof(e->input_shape));
		if (e->name[0])
			n++;
	}
	fclose(f);
	*entries = list;
	*count = n;
	return GR_OK;
}

gr_status gr_zoo_resolve(const char *model, char *path, size_t size, gr_error *err)
{
	char dir[PATH_MAX];
	struct stat st;

	if (!model || !*model)
		return gr_error_set(err, GR_ERR_USAGE, "no model given");
	if (is_file(model)) {
		snprintf(path, size, "%s", model);
		return GR_OK;
	}
	/* a FIFO or device would block or never end; a folder is no model either */
	if (stat(model, &st) == 0)
		return gr_error_set(err, GR_ERR_IO, "cannot read '%s': it is %s, not a regular file",
				    model, gr_file_kind(st.st_mode));
	if (!strchr(model, '/') && gr_zoo_dir(dir, sizeof(dir))) {
		snprintf(path, size, "%s/%s.onnx", dir, model);
		if (is_file(path))
			return GR_OK;
	}
	if (strchr(model, '/') || strchr(model, '.'))
		return gr_error_set(err, GR_ERR_IO, "cannot read '%s': no such file", model);
	return gr_error_set(err, GR_ERR_NOT_FOUND,
			    "'%s' is neither a file nor a zoo model (see 'graphs zoo')", model);
}

gr_status gr_zoo_find(const char *name, gr_zoo_entry *out, gr_error *err)
{
	gr_zoo_entry *list;
	size_t n;
	gr_status st = gr_zoo_list(&list, &n, err);

	if (st)
		return st;
	st = gr_error_set(err, GR_ERR_NOT_FOUND, "'%s' is not a zoo model", name);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i].name, name)) {
			*out = list[i];
			st = GR_OK;
			break;
		}
	free(list);
	return st;
}

void gr_zoo_bind_defaults(gr_graph *g, const char *name)
{
	gr_zoo_entry e;
	int64_t dims[GR_MAX_RANK];
	int rank;
	gr_tensor *t;

	if (!g || gr_graph_input_count(g) == 0 || gr_zoo_find(name, &e, NULL) ||
	    !(rank = gr_dims_parse(e.input_shape, dims, GR_MAX_RANK, INT32_MAX)))
		return;
	t = gr_graph_input(g, 0);
	for (int i = 0; i < gr_tensor_rank(t) && i < rank; i++) {
		gr_dim d = gr_tensor_dim(t, i);
		if (d.value < 0 && d.sym && strcmp(d.sym, "batch") != 0)
			gr_graph_bind_dim(g, d.sym, dims[i], NULL);
	}
}
