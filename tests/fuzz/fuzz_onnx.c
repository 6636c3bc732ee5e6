/* libFuzzer harness for the model loader (detection + ONNX reader). Build and run, e.g.:
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -D_DEFAULT_SOURCE -Iinclude -Isrc \
 *     tests/fuzz/fuzz_onnx.c $(find src/core src/frontends -name '*.c') -lm -o fuzz_onnx
 *   mkdir -p /tmp/corpus && ./fuzz_onnx -max_len=16384 /tmp/corpus tests/fuzz/corpus_onnx
 * Any input must give either a graph or a "cannot read 'fuzz.onnx': ..." message. */
#include <stdlib.h>
#include <string.h>

#include "graphs/model.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	gr_graph *g = NULL;
	gr_error err;
	gr_load_opts opts = {GR_FORMAT_ONNX, 0};

	memset(&err, 0, sizeof(err));
	(void)gr_model_detect(data, size, "fuzz.onnx");
	/* Force ONNX so that detection never turns inputs away before the reader sees them. */
	if (gr_model_load_mem(data, size, "fuzz.onnx", &opts, &g, &err) != GR_OK) {
		if (g || strncmp(err.msg, "cannot read 'fuzz.onnx'", 23) != 0)
			abort();
	}
	gr_graph_free(g);
	return 0;
}
