/* libFuzzer harness for the hardware registry reader: the bounded YAML pre-scan, the schema
 * parser, the consistency checks and the writers. Build and run, e.g.:
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -D_DEFAULT_SOURCE -Iinclude -Isrc \
 *     tests/fuzz/fuzz_hw_yaml.c $(find src/core src/hardware -name '*.c') \
 *     -lyaml -lcjson -lhwloc -lm -o fuzz_hw_yaml
 *   mkdir -p /tmp/corpus && ./fuzz_hw_yaml -max_len=16384 /tmp/corpus hardware tests/fixtures/hw
 * (tests/e2e/fuzz_short.sh seeds it with the files under hardware/ and tests/fixtures/hw.)
 * Invariants: a NULL platform comes with an error naming the file; a file without parse
 * errors, written back by gr_hw_write_yaml, parses again without errors to the same peaks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hardware/hw_impl.h"
#include "hardware/hw_json.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void quiet(int level, const char *msg, void *user)
{
	(void)level;
	(void)msg;
	(void)user;
}

static int same(double a, double b)
{
	return a == b || fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

/* Every accessor at every mode: scaled peaks and bandwidths must stay finite. */
static void exercise(const gr_hw *hw)
{
	int m, p;
	size_t i;

	for (m = -1; m < (int)gr_hw_mode_count(hw); m++) {
		gr_hw_mem_info mi;
		for (p = 0; p < GR_PREC_COUNT; p++)
			if (!isfinite(gr_hw_peak_ops(hw, m, (gr_precision)p)) ||
			    !isfinite(gr_hw_effective_peak_ops(hw, m, (gr_precision)p)))
				abort();
		for (i = 0; i < gr_hw_mem_count(hw); i++)
			if (gr_hw_mem_at(hw, m, i, &mi) || !isfinite(mi.bandwidth_bytes_s))
				abort();
		if (!isfinite(gr_hw_dram_bandwidth(hw, m)) || !isfinite(gr_hw_tdp_w(hw, m)) ||
		    !isfinite(gr_hw_clock_mhz(hw, m)))
			abort();
		(void)gr_hw_units(hw, m);
	}
	(void)gr_hw_op_supported(hw, "Conv");
	(void)gr_hw_energy_pj_per_byte(hw, "dram");
}

static void round_trip(const gr_hw *hw)
{
	gr_hw_sink sink = {NULL, NULL, 0, 0, {0}};
	gr_error err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	gr_hw *back;
	cJSON *j;

	if (!f)
		return;
	memset(&err, 0, sizeof(err));
	if (gr_hw_write_yaml(hw, f, &err))
		abort();
	fclose(f);
	back = gr_hw_parse_buffer("fuzz_back.yaml", (const unsigned char *)buf, len, &sink, 0);
	if (!back) {
		fprintf(stderr, "written back, it does not parse: %s\n--\n%s\n", sink.first_error, buf);
		abort();
	}
	for (int p = 0; p < GR_PREC_COUNT; p++)
		if (!same(gr_hw_peak_ops(hw, -1, (gr_precision)p), gr_hw_peak_ops(back, -1, (gr_precision)p))) {
			fprintf(stderr, "peak %s changed on the way back\n", gr_precision_name((gr_precision)p));
			abort();
		}
	gr_hw_free(back);
	free(buf);
	j = gr_hw_to_json(hw);
	cJSON_Delete(j);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	gr_hw_sink sink = {NULL, NULL, 0, 0, {0}};
	gr_hw *hw;

	gr_log_set(quiet, NULL);
	/* keep_partial = 0: what the registry accepts */
	hw = gr_hw_parse_buffer("fuzz.yaml", data, size, &sink, 0);
	if (!hw) {
		if (!sink.errors || !strstr(sink.first_error, "fuzz.yaml"))
			abort();
		/* what the validator sees: the checks on whatever did parse */
		sink.errors = 0;
		hw = gr_hw_parse_buffer("fuzz.yaml", data, size, &sink, 1);
		if (hw)
			gr_hw_check(hw, &sink);
		gr_hw_free(hw);
		return 0;
	}
	gr_hw_check(hw, &sink);
	exercise(hw);
	round_trip(hw);
	gr_hw_free(hw);
	return 0;
}
