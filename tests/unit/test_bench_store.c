/* The measurement store: schema version and migrations, WAL, record round trip with NULLs,
 * records surviving a writer that dies without closing, and ground-truth CSV import/export. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "groundtruth.h"
#include <sqlite3.h>

#include "graphs/bench.h"
#include "tmpdir_fixture.h"

static int setup(void **state)
{
	(void)state;
	return fixture_tmpdir_make("graphs_test_store");
}

static int teardown(void **state)
{
	(void)state;
	return fixture_tmpdir_remove();
}

static void sql(const char *db, const char *q)
{
	sqlite3 *h;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, q, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

static char *sql_text(const char *db, const char *q)
{
	static char out[256];
	sqlite3 *h;
	sqlite3_stmt *st;
	out[0] = 0;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, q, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, sizeof(out), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	return out;
}

static void store_creates_a_wal_database_at_the_current_schema(void **state)
{
	gr_bench_store *s;
	const char *db = tmp("new.db");
	assert_int_equal(gr_bench_store_open(db, &s, NULL), GR_OK);
	assert_int_equal(gr_bench_store_version(s), GR_BENCH_SCHEMA_VERSION);
	gr_bench_store_close(s);
	assert_string_equal(sql_text(db, "PRAGMA journal_mode"), "wal");
	assert_string_equal(sql_text(db, "SELECT count(*) FROM sqlite_master WHERE name IN "
					 "('runs','measurements','measurements_run')"), "3");
	(void)state;
}

static void store_migrates_an_older_schema(void **state)
{
	gr_bench_store *s;
	const char *db = tmp("old.db");
	assert_int_equal(gr_bench_store_open(db, &s, NULL), GR_OK);
	gr_bench_store_close(s);
	/* Make it a version-1 database: no indexes yet. */
	sql(db, "DROP INDEX measurements_run; DROP INDEX measurements_what; PRAGMA user_version=1;");
	assert_int_equal(gr_bench_store_open(db, &s, NULL), GR_OK);
	assert_int_equal(gr_bench_store_version(s), GR_BENCH_SCHEMA_VERSION);
	gr_bench_store_close(s);
	assert_string_equal(sql_text(db, "SELECT count(*) FROM sqlite_master WHERE type='index' AND "
					 "name LIKE 'measurements_%'"), "2");
	(void)state;
}

static void store_refuses_a_newer_schema(void **state)
{
	gr_bench_store *s;
	gr_error err = {0};
	const char *db = tmp("future.db");
	sql(db, "PRAGMA user_version=99;");
	assert_int_equal(gr_bench_store_open(db, &s, &err), GR_ERR_UNSUPPORTED);
	assert_null(s);
	assert_non_null(strstr(err.msg, "future.db"));
	assert_non_null(strstr(err.msg, "schema version 99"));
	(void)state;
}

static void store_refuses_a_file_that_is_not_a_database(void **state)
{
	gr_bench_store *s;
	gr_error err = {0};
	const char *db = tmp("text.db");
	FILE *f = fopen(db, "w");
	assert_non_null(f);
	fputs("this is not sqlite, just a long enough line of text to look like a header\n", f);
	fclose(f);
	assert_int_not_equal(gr_bench_store_open(db, &s, &err), GR_OK);
	assert_non_null(strstr(err.msg, "text.db"));
	(void)state;
}

typedef struct seen {
	int n;
	double median, energy;
	char power[32], name[64], params[128];
	int supported;
} seen;

static int collect(const gr_bench_record *r, void *user)
{
	seen *s = user;
	s->n++;
	s->median = r->st.median;
	s->energy = r->energy_mj;
	s->supported = r->supported;
	snprintf(s->power, sizeof(s->power), "%s", r->power_source);
	snprintf(s->name, sizeof(s->name), "%s", r->name);
	snprintf(s->params, sizeof(s->params), "%s", r->params ? r->params : "");
	return 0;
}

static void store_round_trips_a_record_keeping_unknowns_null(void **state)
{
	gr_bench_store *s;
	gr_bench_platform pl;
	gr_bench_run_info ri = {0};
	gr_bench_record r;
	int64_t run, n;
	seen got = {0};
	const char *db = tmp("rt.db");

	gr_bench_platform_detect(&pl);
	assert_true(pl.cores >= 1);
	assert_true(pl.openblas[0] && pl.onednn[0] && pl.kernel[0]);
	assert_int_equal(gr_bench_store_open(db, &s, NULL), GR_OK);
	ri.platform = &pl;
	ri.hw_id = "host";
	ri.idle_power_w = NAN;
	assert_int_equal(gr_bench_store_begin_run(s, &ri, &run, NULL), GR_OK);
	gr_bench_record_init(&r);
	r.kind = "gemm";
	r.name = "gemm_openblas_fp32_64";
	r.params = "{\"m\":64}";
	r.has_stats = 1;
	r.st.n = 3;
	r.st.median = 0.002;
	assert_int_equal(gr_bench_store_add(s, run, &r, NULL, NULL), GR_OK);
	assert_int_equal(gr_bench_store_end_run(s, run, "complete", NULL), GR_OK);
	assert_int_equal(gr_bench_store_count(s, run, &n, NULL), GR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(gr_bench_store_each(s, run, collect, &got, NULL), GR_OK);
	gr_bench_store_close(s);
	assert_int_equal(got.n, 1);
	assert_string_equal(got.name, "gemm_openblas_fp32_64");
	assert_string_equal(got.params, "{\"m\":64}");
	assert_float_equal(got.median, 0.002, 1e-15);
	assert_true(isnan(got.energy));        /* never an invented number */
	assert_string_equal(got.power, "none"); /* and the record says why */
	assert_int_equal(got.supported, 1);
	assert_string_equal(sql_text(db, "SELECT count(*) FROM measurements WHERE energy_mj IS NULL"
					 " AND mean_ms IS NULL AND median_ms = 2"), "1");
	assert_string_equal(sql_text(db, "SELECT status FROM runs"), "complete");
	assert_string_equal(sql_text(db, "SELECT count(*) FROM runs WHERE openblas <> '' AND "
					 "onednn <> '' AND cores >= 1 AND turbo <> ''"), "1");
	(void)state;
}

static void store_keeps_committed_records_when_the_writer_dies(void **state)
{
	const char *db = tmp("killed.db");
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		gr_bench_store *s;
		gr_bench_run_info ri = {0};
		gr_bench_record r;
		int64_t run;
		ri.idle_power_w = NAN;
		if (gr_bench_store_open(db, &s, NULL) || gr_bench_store_begin_run(s, &ri, &run, NULL))
			_exit(1);
		gr_bench_record_init(&r);
		r.kind = "gemm";
		r.name = "x";
		for (int i = 0; i < 3; i++)
			if (gr_bench_store_add(s, run, &r, NULL, NULL))
				_exit(1);
		abort(); /* no close, no checkpoint: dies with the WAL as it is */
	}
	int status;
	waitpid(pid, &status, 0);
	assert_true(WIFSIGNALED(status));
	{
		gr_bench_store *s;
		int64_t n;
		assert_int_equal(gr_bench_store_open(db, &s, NULL), GR_OK);
		assert_int_equal(gr_bench_store_count(s, 0, &n, NULL), GR_OK);
		assert_int_equal(n, 3);
		gr_bench_store_close(s);
		assert_string_equal(sql_text(db, "PRAGMA integrity_check"), "ok");
		assert_string_equal(sql_text(db, "SELECT status FROM runs"), "running");
	}
	(void)state;
}

static void write_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *read_all(const char *p)
{
	FILE *f = fopen(p, "rb");
	long n;
	char *b;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = 0;
	fclose(f);
	return b;
}

/* Imports src, exports it back and expects the same bytes. */
static void round_trip(const char *src, const char *which)
{
	gr_bench_store *s;
	int64_t n;
	const char *db = tmp("csv.db"), *out = tmp("out.csv");
	FILE *f;
	char *a, *b;
	remove(db);
	assert_int_equal(gr_bench_store_open(db, &s, NULL), GR_OK);
	assert_int_equal(gr_bench_store_import_csv(s, src, &n, NULL), GR_OK);
	assert_true(n > 0);
	f = fopen(out, "w");
	assert_non_null(f);
	assert_int_equal(gr_bench_store_export_csv(s, which, NULL, f, NULL), GR_OK);
	fclose(f);
	gr_bench_store_close(s);
	a = read_all(src);
	b = read_all(out);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void store_round_trips_the_models_csv_format(void **state)
{
	const char *p = tmp("models.csv");
	write_file(p,
		   "hardware,precision,model,batch,device,thermal,total_latency_ms,total_flops,"
		   "total_bytes,subgraphs,date,source\r\n"
		   "intel_core_i7_12700k,bf16,efficientnet_b0,1,cpu,,217.4032,774146144,66689768,71,"
		   "2026-02-07T00:10:01.341497,calibration_data/x/bf16/efficientnet_b0_b1.json\r\n"
		   "jetson_orin_30w,fp16,resnet50,8,cuda,30W,12.5000,32712179712,316782592,53,"
		   "2026-02-07T00:11:00,\"a,b \"\"quoted\"\"\"\r\n");
	round_trip(p, "models");
	(void)state;
}

static void store_round_trips_the_subgraphs_csv_format(void **state)
{
	const char *p = tmp("subgraphs.csv");
	write_file(p,
		   "hardware,precision,model,batch,subgraph,pattern,optype,flops,bytes,latency_ms,"
		   "latency_std_ms,nodes\r\n"
		   "intel_core_i7_12700k,bf16,efficientnet_b0,1,0,Conv2d_BatchNorm2d_SiLU_+3more,"
		   "conv2d_batchnorm,28901376,2210304,7.433734,0.059212,features_0_0|features_0_1\r\n"
		   "intel_core_i7_12700k,fp32,resnet18,1,1,Linear,linear,1025000,4110000,0.137780,"
		   "0.000010,fc\r\n");
	round_trip(p, "subgraphs");
	(void)state;
}

static void store_round_trips_the_shared_ground_truth(void **state)
{
	/* The real files, when the checkout has shared/ beside it. */
	const char *m = GT_DIR "/models.csv";
	const char *sg = GT_DIR "/subgraphs.csv";
	GT_REQUIRE("models.csv");
	GT_REQUIRE("subgraphs.csv");
	round_trip(m, "models");
	round_trip(sg, "subgraphs");
	(void)state;
}

static void store_import_names_the_file_and_line_of_a_bad_row(void **state)
{
	gr_bench_store *s;
	gr_error err = {0};
	int64_t n, total;
	const char *p = tmp("bad.csv"), *db = tmp("bad.db");
	write_file(p, "hardware,precision,model,batch,subgraph,pattern,optype,flops,bytes,latency_ms,"
		      "latency_std_ms,nodes\n"
		      "h,fp32,m,1,0,p,o,1,2,3,4,n\n"
		      "h,fp32,m,one,0,p,o,1,2,3,4,n\n");
	assert_int_equal(gr_bench_store_open(db, &s, NULL), GR_OK);
	assert_int_equal(gr_bench_store_import_csv(s, p, &n, &err), GR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "bad.csv"));
	assert_non_null(strstr(err.msg, "line 3"));
	/* all or nothing */
	assert_int_equal(gr_bench_store_count(s, 0, &total, NULL), GR_OK);
	assert_int_equal(total, 0);
	write_file(p, "a,b,c\n1,2,3\n");
	assert_int_equal(gr_bench_store_import_csv(s, p, &n, &err), GR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "header"));
	gr_bench_store_close(s);
	(void)state;
}

/* A store with a run and 3000 measurements, then pages 4..11 overwritten: a damaged file
 * whose header still reads fine. */
static const char *damaged_db(void)
{
	const char *db = tmp("damaged.db");
	gr_bench_store *s;
	unsigned char junk[4096];
	FILE *f;

	assert_int_equal(gr_bench_store_open(db, &s, NULL), GR_OK);
	gr_bench_store_close(s);
	sql(db, "INSERT INTO runs (id, started) VALUES (1, 'then');"
		"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000)"
		" INSERT INTO measurements (run_id, created, kind, name, median_ms)"
		" SELECT 1, 'then', 'micro', 'row' || x, x FROM c;");
	memset(junk, 0xA5, sizeof(junk));
	f = fopen(db, "r+b");
	assert_non_null(f);
	for (int page = 4; page < 12; page++) {
		assert_int_equal(fseek(f, (long)page * 4096, SEEK_SET), 0);
		assert_int_equal(fwrite(junk, 1, sizeof(junk), f), sizeof(junk));
	}
	assert_int_equal(fclose(f), 0);
	return db;
}

/* Issue #15: `benchmark --db` appended to such a file and called the run complete. */
static void store_refuses_to_append_to_a_damaged_database(void **state)
{
	gr_bench_store *s = NULL;
	gr_error err = {0};
	const char *db = damaged_db();

	assert_int_equal(gr_bench_store_open(db, &s, &err), GR_ERR_FORMAT);
	assert_null(s);
	assert_non_null(strstr(err.msg, "damaged.db"));
	assert_non_null(strstr(err.msg, "quick_check"));
	memset(&err, 0, sizeof(err));
	assert_int_equal(gr_bench_store_open_read(db, &s, &err), GR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "damaged.db"));
	(void)state;
}

/* `benchmark --show FILE` created (and initialized) the file it was asked to show. */
static void store_open_read_never_creates_or_initializes_a_file(void **state)
{
	gr_bench_store *s = NULL;
	gr_error err = {0};
	const char *missing = tmp("missing.db"), *empty = tmp("empty.db");
	FILE *f;
	long size;

	assert_int_equal(gr_bench_store_open_read(missing, &s, &err), GR_ERR_IO);
	assert_non_null(strstr(err.msg, "missing.db"));
	assert_int_not_equal(access(missing, F_OK), 0);

	f = fopen(empty, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(gr_bench_store_open_read(empty, &s, &err), GR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "empty.db"));
	f = fopen(empty, "rb");
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	assert_int_equal(size, 0);

	/* a directory is no database, for reading or appending */
	assert_int_equal(gr_bench_store_open_read(fixture_dir, &s, &err), GR_ERR_IO);
	assert_int_equal(gr_bench_store_open(fixture_dir, &s, &err), GR_ERR_IO);
	assert_non_null(strstr(err.msg, "not a regular file"));
	(void)state;
}

/* Reading an older schema leaves it as it is. */
static void store_open_read_does_not_migrate(void **state)
{
	gr_bench_store *s = NULL;
	int64_t n = -1;
	const char *db = tmp("v1.db");

	assert_int_equal(gr_bench_store_open(db, &s, NULL), GR_OK);
	gr_bench_store_close(s);
	sql(db, "DROP INDEX measurements_run; DROP INDEX measurements_what; PRAGMA user_version=1;");
	assert_int_equal(gr_bench_store_open_read(db, &s, NULL), GR_OK);
	assert_int_equal(gr_bench_store_version(s), 1);
	assert_int_equal(gr_bench_store_count(s, 0, &n, NULL), GR_OK);
	assert_int_equal(n, 0);
	gr_bench_store_close(s);
	assert_string_equal(sql_text(db, "PRAGMA user_version"), "1");
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(store_creates_a_wal_database_at_the_current_schema),
		cmocka_unit_test(store_migrates_an_older_schema),
		cmocka_unit_test(store_refuses_a_newer_schema),
		cmocka_unit_test(store_refuses_a_file_that_is_not_a_database),
		cmocka_unit_test(store_round_trips_a_record_keeping_unknowns_null),
		cmocka_unit_test(store_keeps_committed_records_when_the_writer_dies),
		cmocka_unit_test(store_round_trips_the_models_csv_format),
		cmocka_unit_test(store_round_trips_the_subgraphs_csv_format),
		cmocka_unit_test(store_round_trips_the_shared_ground_truth),
		cmocka_unit_test(store_import_names_the_file_and_line_of_a_bad_row),
		cmocka_unit_test(store_refuses_to_append_to_a_damaged_database),
		cmocka_unit_test(store_open_read_never_creates_or_initializes_a_file),
		cmocka_unit_test(store_open_read_does_not_migrate),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
