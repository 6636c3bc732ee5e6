/* libFuzzer harness for the calibration profile reader (JSON, schema checks). Built and run by
 * tests/e2e/fuzz_short.sh; by hand, e.g.:
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -D_DEFAULT_SOURCE -Iinclude -Isrc \
 *     tests/fuzz/fuzz_profile.c src/calibration/profile.c src/calibration/profile_read.c \
 *     src/hardware/hw_common.c src/hardware/hw_estimator.c $(find src/core src/transform src/estimation -name '*.c') \
 *     -lcjson -lm -o build/fuzz_profile
 * (docs/calibrate.md has the run.)
 * Any input must give either a profile or one "fuzz.json: ..." message; a profile that loads
 * must survive a write and a read back, and give the same document. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "graphs/calibrate.h"
#include "calibration/profile_json.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	gr_profile *p = NULL, *q = NULL;
	gr_error err;
	cJSON *a, *b;
	char *sa, *sb;

	memset(&err, 0, sizeof(err));
	if (gr_profile_load_mem(data, size, "fuzz.json", &p, &err) != GR_OK) {
		if (p || strncmp(err.msg, "fuzz.json: ", 11) != 0 || strchr(err.msg, '\n'))
			abort();
		return 0;
	}
	/* what loads is written back the same way and reads back to the same document */
	a = gr_profile_to_json(p);
	sa = a ? cJSON_PrintUnformatted(a) : NULL;
	if (!sa)
		abort();
	if (gr_profile_load_mem(sa, strlen(sa), "again.json", &q, &err) != GR_OK)
		abort();
	b = gr_profile_to_json(q);
	sb = b ? cJSON_PrintUnformatted(b) : NULL;
	if (!sb || strcmp(sa, sb))
		abort();
	cJSON_free(sa);
	cJSON_free(sb);
	cJSON_Delete(a);
	cJSON_Delete(b);
	gr_profile_free(p);
	gr_profile_free(q);
	return 0;
}
