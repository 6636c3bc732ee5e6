/* libFuzzer harness for the TFLite reader: any input must load or fail with a message,
 * never crash, hang or leak. Loaded graphs are also inferred (hostile graphs reach the core).
 * Build and run from the repository root (see docs/frontends.md):
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -D_DEFAULT_SOURCE -Iinclude -Isrc \
 *     $(find src/core src/frontends -name '*.c') tests/fuzz/fuzz_tflite.c -lcjson -lm \
 *     -o build/fuzz_tflite
 *   build/fuzz_tflite -max_total_time=600 -max_len=16384 tests/fuzz/corpus_tflite
 * The corpus is replayed by tests/unit/test_tflite_reader.c. */
#include <stddef.h>
#include <stdint.h>

#include "graphs/model.h"

static void quiet(int level, const char *msg, void *user)
{
	(void)level;
	(void)msg;
	(void)user;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gr_graph *g = NULL;
	gr_error err = {0};

	gr_log_set(quiet, NULL);
	if (gr_tflite_load_mem(data, size, "fuzz.tflite", &g, &err) == GR_OK) {
		gr_graph_infer(g, &err);
		gr_graph_free(g);
	}
	return 0;
}
