/* Loading models: format detection by content and the frontends (ONNX, TFLite, FX JSON). */
#ifndef GRAPHS_MODEL_H
#define GRAPHS_MODEL_H

#include "graphs/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gr_model_format {
	GR_FORMAT_UNKNOWN = 0,
	GR_FORMAT_ONNX,
	GR_FORMAT_TFLITE,
	GR_FORMAT_FX_JSON
} gr_model_format;

/* "onnx", "tflite", "fx": a static string. */
const char *gr_model_format_name(gr_model_format f);
/* Parses "onnx", "tflite", "fx"; GR_FORMAT_UNKNOWN otherwise. */
gr_model_format gr_model_format_parse(const char *s);

/* Guesses the format from the first bytes (size n) and, as a hint only, the path's extension. */
gr_model_format gr_model_detect(const unsigned char *head, size_t n, const char *path);

typedef struct gr_load_opts {
	gr_model_format format;  /* GR_FORMAT_UNKNOWN: detect */
	int keep_declared_shapes; /* reserved: value_info shapes are never trusted for inference */
} gr_load_opts;

/* Loads a model file into a new graph (not yet inferred). Weights are never read into
 * memory: only their shapes and, for small integer/float constants, their values.
 * On success *out owns the graph (free with gr_graph_free). On failure *out is NULL and
 * err says "cannot read 'PATH': ..." with the offset or key where the file is wrong. */
gr_status gr_model_load(const char *path, const gr_load_opts *opts, gr_graph **out, gr_error *err);

/* Same for a file already in memory (used by fuzzers and tests); data is not retained.
 * `name` is used in messages. *out: caller-owned, gr_graph_free() (also for the three
 * frontend entry points below). */
gr_status gr_model_load_mem(const unsigned char *data, size_t size, const char *name,
			    const gr_load_opts *opts, gr_graph **out, gr_error *err);

/* ONNX frontend entry points (src/frontends/onnx.c, onnx_tensor.c). */
gr_status gr_onnx_load_mem(const unsigned char *data, size_t size, const char *name,
			   const char *dir, gr_graph **out, gr_error *err);
/* TFLite frontend (src/frontends/tflite_*.c): a verified reader of the flatbuffer schema. */
gr_status gr_tflite_load_mem(const unsigned char *data, size_t size, const char *name,
			     gr_graph **out, gr_error *err);
/* PyTorch FX JSON frontend (src/frontends/fx_*.c), as written by tools/export_fx.py. */
gr_status gr_fx_load_mem(const unsigned char *data, size_t size, const char *name,
			 gr_graph **out, gr_error *err);

/* Reads a serialized TensorProto file (ONNX test data) and returns its dtype and dims. */
gr_status gr_onnx_tensor_file_shape(const char *path, gr_dtype *dtype, int64_t *dims, int *rank,
				    gr_error *err);

/* Reads a serialized TensorProto file into tensor t of g: dtype, shape and, for tensors of
 * at most GR_FOLD_MAX elements, their values (ONNX test inputs that are shape operands). */
gr_status gr_onnx_tensor_file_load(const char *path, gr_graph *g, gr_tensor *t, gr_error *err);

#ifdef __cplusplus
}
#endif
#endif
