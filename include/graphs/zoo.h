/* The model zoo: weightless model files shipped in models/, found by name. */
#ifndef GRAPHS_ZOO_H
#define GRAPHS_ZOO_H

#include "graphs/common.h"

typedef struct gr_zoo_entry {
	char name[64];
	char family[48];
	char task[32];
	char input_shape[48];
} gr_zoo_entry;

/* The zoo folder: $GRAPHS_MODELS_DIR, else the build's data dir, else ../models next to
 * the executable. Writes it into buf; returns 0 when none exists. */
int gr_zoo_dir(char *buf, size_t size);

/* Reads models/zoo.csv. On success *entries is a malloc'd array the caller frees with free(). */
gr_status gr_zoo_list(gr_zoo_entry **entries, size_t *count, gr_error *err);

/* Resolves MODEL: an existing file path is used as is; otherwise a zoo name becomes
 * DIR/NAME.onnx. Fails with GR_ERR_NOT_FOUND and a hint when neither exists. */
gr_status gr_zoo_resolve(const char *model, char *path, size_t size, gr_error *err);

#endif
