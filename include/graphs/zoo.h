/* The model zoo: weightless model files shipped in models/, found by name. */
#ifndef GRAPHS_ZOO_H
#define GRAPHS_ZOO_H

#include "graphs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_zoo_entry {
	char name[64];
	char family[48];
	char task[32];
	char input_shape[48];
} gr_zoo_entry;

/* The zoo folder: $GRAPHS_MODELS_DIR, else models/ of the data folder (gr_data_dir(),
 * graphs/version.h). Writes it into buf (the caller's); returns 0 when none exists. */
int gr_zoo_dir(char *buf, size_t size);

/* Reads models/zoo.csv. On success *entries is a malloc'd array the caller frees with free(). */
gr_status gr_zoo_list(gr_zoo_entry **entries, size_t *count, gr_error *err);

/* Looks a zoo model up by name; fills *out and returns GR_OK, or GR_ERR_NOT_FOUND. */
gr_status gr_zoo_find(const char *name, gr_zoo_entry *out, gr_error *err);

/* Zoo models declare their usual input shape (models/zoo.csv, e.g. 1x128 for BERT): binds
 * the symbolic dims of g's first input, other than batch, that are still free to those
 * values. Does nothing for names outside the zoo. */
struct gr_graph;
void gr_zoo_bind_defaults(struct gr_graph *g, const char *name);

/* Resolves MODEL: an existing file path is used as is; otherwise a zoo name becomes
 * DIR/NAME.onnx. Fails with GR_ERR_NOT_FOUND and a hint when neither exists. */
gr_status gr_zoo_resolve(const char *model, char *path, size_t size, gr_error *err);

#ifdef __cplusplus
}
#endif
#endif
