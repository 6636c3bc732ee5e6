/* libFuzzer harness for the PyTorch FX JSON reader: any input must load or fail with a
 * "cannot read 'fuzz.fx.json': ..." message, never crash, hang or leak. Loaded graphs are
 * also inferred (hostile graphs reach the core). Build and run from the repository root:
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -D_DEFAULT_SOURCE -Iinclude -Isrc \
 *     $(find src/core src/frontends -name '*.c') tests/fuzz/fuzz_fx.c -lcjson -lm -o fuzz_fx
 *   mkdir -p /tmp/corpus && ./fuzz_fx -max_len=16384 -dict=tests/fuzz/fx.dict \
 *     /tmp/corpus tests/fuzz/corpus_fx
 * The corpus (tests/fuzz/make_corpus_fx.py) is replayed by tests/unit/test_fx_reader.c. */
#include <stdlib.h>
#include <string.h>

#include "graphs/model.h"

static void quiet(int level, const char *msg, void *user)
{
	(void)level;
	(void)msg;
	(void)user;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	gr_graph *g = NULL;
	gr_error err;

	memset(&err, 0, sizeof(err));
	gr_log_set(quiet, NULL);
	if (gr_fx_load_mem(data, size, "fuzz.fx.json", &g, &err) != GR_OK) {
		if (g || strncmp(err.msg, "cannot read 'fuzz.fx.json'", 26) != 0)
			abort();
		return 0;
	}
	gr_graph_infer(g, &err);
	gr_graph_free(g);
	return 0;
}
