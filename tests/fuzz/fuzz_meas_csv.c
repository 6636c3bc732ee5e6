/* libFuzzer harness for the ground-truth / published-measurement CSV readers: the line
 * splitter (src/core/csv.c), the calibration reader (gr_meas_load_csv in
 * src/calibration/meas.c) and the benchmark store's import (gr_bench_store_import_csv, into an
 * in-memory database). Build and run, e.g.:
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -D_DEFAULT_SOURCE -Iinclude -Isrc \
 *     tests/fuzz/fuzz_meas_csv.c $(find src/core src/hardware src/transform -name '*.c') \
 *     src/calibration/meas.c src/benchmarks/store.c -lyaml -lcjson -lhwloc -lsqlite3 -lm \
 *     -o fuzz_meas_csv
 *   mkdir -p /tmp/corpus && ./fuzz_meas_csv -max_len=16384 /tmp/corpus tests/fuzz/corpus_meas_csv
 * Invariants: an error names the file and leaves nothing loaded (all or nothing); loaded rows
 * have a positive, finite latency (published throughput rows: a positive, finite throughput) and
 * a batch of at least 1. The corpus seeds all three formats (models, subgraphs, published). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/csv.h"
#include "graphs/bench.h"
#include "graphs/calibrate.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static char path[64];

static void split_lines(const unsigned char *data, size_t size)
{
	char *copy = malloc(size + 1), *line, *save = NULL, *f[16];
	if (!copy)
		return;
	memcpy(copy, data, size);
	copy[size] = 0;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int n = gr_csv_split(line, f, 16);
		if (n < -1 || n > 16)
			abort();
		for (int i = 0; i < n; i++)
			if (!f[i])
				abort();
	}
	free(copy);
}

static void load_meas(void)
{
	gr_meas_set *s = NULL;
	gr_error err;
	size_t n = 0;

	memset(&err, 0, sizeof(err));
	if (gr_meas_set_new(&s, &err))
		return;
	if (gr_meas_load_csv(s, path, &n, &err)) {
		if (!strstr(err.msg, path) || gr_meas_count(s) != 0)
			abort();
	} else {
		if (n != gr_meas_count(s))
			abort();
		for (size_t i = 0; i < n; i++) {
			const gr_meas_row *r = gr_meas_at(s, i);
			double v = r && r->published && r->metric == GR_METRIC_THROUGHPUT ? r->throughput_per_s
											     : r ? r->latency_s : NAN;
			if (!r || !(v > 0) || !isfinite(v) || r->batch < 1 || !r->hw || !r->model)
				abort();
		}
	}
	gr_meas_set_free(s);
}

/* One in-memory store for many inputs (opening one costs more than an import); reopened now
 * and then so that the rows imported do not pile up. */
static void import_store(void)
{
	static gr_bench_store *st;
	static int uses;
	gr_error err;
	int64_t n = -1, before = -1, after = -1;

	memset(&err, 0, sizeof(err));
	if (st && ++uses % 512 == 0) {
		gr_bench_store_close(st);
		st = NULL;
	}
	if (!st && gr_bench_store_open(":memory:", &st, &err))
		abort();
	if (gr_bench_store_count(st, 0, &before, NULL))
		abort();
	if (gr_bench_store_import_csv(st, path, &n, &err)) {
		/* all or nothing */
		if (!strstr(err.msg, path) || gr_bench_store_count(st, 0, &after, NULL) || after != before)
			abort();
	} else if (gr_bench_store_count(st, 0, &after, NULL) || after != before + n) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	FILE *f;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_meas_%ld.csv", (long)getpid());
	split_lines(data, size);
	f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	load_meas();
	import_store();
	unlink(path);
	return 0;
}
