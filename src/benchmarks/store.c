/* The measurement store: SQLite in WAL mode with a versioned schema (PRAGMA user_version,
 * migrations applied in order), one transaction per finished measurement, and import/export
 * of the ground-truth CSV formats (shared/groundtruth/models.csv and subgraphs.csv). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "core/csv.h"
#include "core/infile.h"
#include "core/pubcsv.h"
#include "graphs/bench.h"

struct gr_bench_store {
	sqlite3 *db;
	char path[512];
};

/* migrations[i] takes the schema from version i to i + 1. Append, never edit. */
static const char *const migrations[] = {
	/* 1: runs and measurements */
	"CREATE TABLE runs ("
	" id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT,"
	" status TEXT NOT NULL DEFAULT 'running',"
	" hw_id TEXT, suite TEXT, backend TEXT, device TEXT, command TEXT, source TEXT,"
	" hostname TEXT, cpu_model TEXT, cpu_isa TEXT, cores INTEGER, threads INTEGER,"
	" affinity TEXT, cur_mhz REAL, max_mhz REAL, governor TEXT, turbo TEXT, kernel TEXT,"
	" openblas TEXT, onednn TEXT, torch TEXT, gpu TEXT,"
	" power_source TEXT NOT NULL DEFAULT 'none', idle_power_w REAL);"
	"CREATE TABLE measurements ("
	" id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), created TEXT NOT NULL,"
	" kind TEXT NOT NULL, name TEXT NOT NULL, backend TEXT, device TEXT, hardware TEXT,"
	" params TEXT, precision TEXT, batch INTEGER, dims TEXT,"
	" model TEXT, subgraph INTEGER, pattern TEXT, optype TEXT, nodes TEXT,"
	" supported INTEGER NOT NULL DEFAULT 1, note TEXT, flops REAL, bytes REAL,"
	" n INTEGER, inner INTEGER, median_ms REAL, mean_ms REAL, std_ms REAL, p5_ms REAL,"
	" p95_ms REAL, min_ms REAL, max_ms REAL, ci_lo_ms REAL, ci_hi_ms REAL, cv REAL,"
	" outliers INTEGER, threads INTEGER, rate REAL, rate_unit TEXT,"
	" power_source TEXT NOT NULL DEFAULT 'none', energy_mj REAL, energy_total_mj REAL,"
	" avg_power_w REAL, idle_power_w REAL, power_samples INTEGER,"
	" peak_rss_bytes INTEGER, cuda_max_alloc_bytes INTEGER,"
	" date TEXT, source TEXT, thermal TEXT);",
	/* 2: lookups by run and by what was measured */
	"CREATE INDEX measurements_run ON measurements(run_id);"
	"CREATE INDEX measurements_what ON measurements(kind, name, precision, batch);",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == GR_BENCH_SCHEMA_VERSION,
	       "one migration per schema version");

static gr_status db_fail(gr_bench_store *s, gr_error *err, const char *what)
{
	return gr_error_set(err, GR_ERR_IO, "database '%s': %s: %s", s->path, what,
			    sqlite3_errmsg(s->db));
}

static int user_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	return v;
}

int gr_bench_store_version(gr_bench_store *s)
{
	return s ? user_version(s->db) : -1;
}

/* PRAGMA quick_check: damaged pages or indexes. A store that fails it is neither appended to
 * (new rows would sit beside unreadable ones and the run would still say "complete") nor
 * read (rows would silently go missing). */
static gr_status check_pages(gr_bench_store *s, gr_error *err)
{
	sqlite3_stmt *st = NULL;
	char first[256] = "";
	int rc, ok = 0;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		snprintf(first, sizeof(first), "%s", t ? (const char *)t : "");
		ok = !strcmp(first, "ok");
	}
	if (!first[0])
		snprintf(first, sizeof(first), "%s", sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	if (ok)
		return GR_OK;
	return gr_error_set(err, GR_ERR_FORMAT,
			    "database '%s' is damaged (PRAGMA quick_check: %s); restore it from a "
			    "copy or start a new file",
			    s->path, first);
}

/* The path names a regular file, or nothing yet when may_create. */
static gr_status check_target(const char *path, int may_create, gr_error *err)
{
	struct stat sb;

	if (stat(path, &sb)) {
		if (errno == ENOENT && may_create)
			return GR_OK;
		return gr_error_set(err, GR_ERR_IO, "cannot open database '%s': %s", path,
				    strerror(errno));
	}
	if (!S_ISREG(sb.st_mode))
		return gr_error_set(err, GR_ERR_IO, "cannot open database '%s': not a regular file",
				    path);
	return GR_OK;
}

void gr_bench_store_close(gr_bench_store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s);
}

/* Opens path as a graphs database: writable (created when missing, WAL journal) or read-only
 * (then it must have a schema). Checks the schema version is one this graphs knows and the
 * pages are sound; *version gets it. */
static gr_status store_open(const char *path, int writable, gr_bench_store **out, int *version,
			    gr_error *err)
{
	gr_bench_store *s;
	int v;

	*out = NULL;
	if (!path || !*path)
		return gr_error_set(err, GR_ERR_USAGE, "no database path");
	if (check_target(path, writable, err))
		return err ? err->status : GR_ERR_IO;
	if (!(s = calloc(1, sizeof(*s))))
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	snprintf(s->path, sizeof(s->path), "%s", path);
	if (sqlite3_open_v2(path, &s->db,
			    writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY,
			    NULL) != SQLITE_OK) {
		gr_error_set(err, GR_ERR_IO, "cannot open database '%s': %s", path,
			     s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 10000);
	/* WAL: readers never block the writer, and a killed writer loses at most the open
	 * transaction. synchronous=NORMAL is durable against process death (not power loss). */
	if (writable && sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
					    "PRAGMA foreign_keys=ON;", NULL, NULL, NULL) != SQLITE_OK) {
		gr_error_set(err, GR_ERR_IO, "cannot use '%s' as a database: %s", path,
			     sqlite3_errmsg(s->db));
		goto fail;
	}
	v = user_version(s->db);
	if (v < 0) {
		gr_error_set(err, GR_ERR_FORMAT, "'%s' is not a graphs database: %s", path,
			     sqlite3_errmsg(s->db));
		goto fail;
	}
	if (v == 0 && !writable) {
		gr_error_set(err, GR_ERR_FORMAT, "'%s' is not a graphs database (no schema)", path);
		goto fail;
	}
	if (v > GR_BENCH_SCHEMA_VERSION) {
		gr_error_set(err, GR_ERR_UNSUPPORTED,
			     "database '%s' has schema version %d, newer than this graphs knows (%d)",
			     path, v, GR_BENCH_SCHEMA_VERSION);
		goto fail;
	}
	if (check_pages(s, err))
		goto fail;
	*out = s;
	*version = v;
	return GR_OK;
fail:
	gr_bench_store_close(s);
	return err ? err->status : GR_ERR_IO;
}

gr_status gr_bench_store_open(const char *path, gr_bench_store **out, gr_error *err)
{
	gr_bench_store *s;
	int v;
	char sql[64];
	gr_status st;

	*out = NULL;
	if ((st = store_open(path, 1, &s, &v, err)))
		return st;
	for (; v < GR_BENCH_SCHEMA_VERSION; v++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d;", v + 1);
		if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(s->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			st = gr_error_set(err, GR_ERR_FORMAT,
					  "database '%s': migration to schema %d failed: %s", path, v + 1,
					  sqlite3_errmsg(s->db));
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			gr_bench_store_close(s);
			return st;
		}
		if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			st = db_fail(s, err, "commit of a migration");
			gr_bench_store_close(s);
			return st;
		}
	}
	*out = s;
	return GR_OK;
}

gr_status gr_bench_store_open_read(const char *path, gr_bench_store **out, gr_error *err)
{
	int v;

	return store_open(path, 0, out, &v, err);
}

static void now_iso(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bind_dbl(sqlite3_stmt *st, int i, double x)
{
	if (isfinite(x))
		sqlite3_bind_double(st, i, x);
	else
		sqlite3_bind_null(st, i);
}

static void bind_i64(sqlite3_stmt *st, int i, int64_t x)
{
	if (x >= 0)
		sqlite3_bind_int64(st, i, x);
	else
		sqlite3_bind_null(st, i);
}

/* Runs one prepared statement to completion in its own transaction. */
static gr_status exec_one(gr_bench_store *s, sqlite3_stmt *st, const char *what, gr_error *err)
{
	int rc;
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return db_fail(s, err, what);
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		gr_status r = db_fail(s, err, what);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return r;
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		gr_status r = db_fail(s, err, what);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return r;
	}
	return GR_OK;
}

gr_status gr_bench_store_begin_run(gr_bench_store *s, const gr_bench_run_info *ri, int64_t *run_id,
				   gr_error *err)
{
	static const char sql[] =
		"INSERT INTO runs (started, hw_id, suite, backend, device, command, source, hostname,"
		" cpu_model, cpu_isa, cores, threads, affinity, cur_mhz, max_mhz, governor, turbo,"
		" kernel, openblas, onednn, torch, gpu, power_source, idle_power_w)"
		" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
	const gr_bench_platform *p = ri->platform;
	sqlite3_stmt *st;
	char now[32];
	gr_status r;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, err, "cannot record the run");
	now_iso(now, sizeof(now));
	bind_text(st, 1, p && p->date[0] ? p->date : now);
	bind_text(st, 2, ri->hw_id);
	bind_text(st, 3, ri->suite);
	bind_text(st, 4, ri->backend);
	bind_text(st, 5, ri->device);
	bind_text(st, 6, ri->command);
	bind_text(st, 7, ri->source);
	if (p) {
		bind_text(st, 8, p->hostname);
		bind_text(st, 9, p->cpu_model);
		bind_text(st, 10, p->cpu_flags_isa);
		bind_i64(st, 11, p->cores);
		bind_i64(st, 12, p->threads);
		bind_text(st, 13, p->affinity);
		bind_dbl(st, 14, p->cur_mhz > 0 ? p->cur_mhz : NAN);
		bind_dbl(st, 15, p->max_mhz > 0 ? p->max_mhz : NAN);
		bind_text(st, 16, p->governor[0] ? p->governor : NULL);
		bind_text(st, 17, p->turbo);
		bind_text(st, 18, p->kernel);
		bind_text(st, 19, p->openblas);
		bind_text(st, 20, p->onednn);
	}
	bind_text(st, 21, ri->torch);
	bind_text(st, 22, ri->gpu);
	bind_text(st, 23, ri->power_source ? ri->power_source : "none");
	bind_dbl(st, 24, ri->idle_power_w);
	if ((r = exec_one(s, st, "cannot record the run", err)))
		return r;
	*run_id = sqlite3_last_insert_rowid(s->db);
	return GR_OK;
}

gr_status gr_bench_store_end_run(gr_bench_store *s, int64_t run_id, const char *status,
				 gr_error *err)
{
	sqlite3_stmt *st;
	char now[32];
	if (sqlite3_prepare_v2(s->db, "UPDATE runs SET finished=?, status=? WHERE id=?", -1, &st,
			       NULL) != SQLITE_OK)
		return db_fail(s, err, "cannot close the run");
	now_iso(now, sizeof(now));
	bind_text(st, 1, now);
	bind_text(st, 2, status);
	sqlite3_bind_int64(st, 3, run_id);
	return exec_one(s, st, "cannot close the run", err);
}

gr_status gr_bench_store_update_run(gr_bench_store *s, int64_t run_id, const char *torch,
				    const char *gpu, gr_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
			       "UPDATE runs SET torch=coalesce(?,torch), gpu=coalesce(?,gpu) WHERE id=?",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, err, "cannot update the run");
	bind_text(st, 1, torch);
	bind_text(st, 2, gpu);
	sqlite3_bind_int64(st, 3, run_id);
	return exec_one(s, st, "cannot update the run", err);
}

void gr_bench_record_init(gr_bench_record *r)
{
	memset(r, 0, sizeof(*r));
	r->batch = r->subgraph = r->peak_rss_bytes = r->cuda_max_alloc_bytes = -1;
	r->supported = 1;
	r->flops = r->bytes = r->rate = NAN;
	r->energy_mj = r->energy_total_mj = r->avg_power_w = r->idle_power_w = NAN;
	r->st.median = r->st.mean = r->st.std = r->st.p5 = r->st.p95 = NAN;
	r->st.min = r->st.max = r->st.cv = r->st.ci_lo = r->st.ci_hi = NAN;
	r->power_samples = r->inner = r->threads = -1;
	r->st.n = r->st.outliers = -1;
}

#define MEAS_COLS                                                                               \
	"kind, name, backend, device, hardware, params, precision, batch, dims, model, subgraph,"   \
	" pattern, optype, nodes, supported, note, flops, bytes, n, inner, median_ms, mean_ms,"     \
	" std_ms, p5_ms, p95_ms, min_ms, max_ms, ci_lo_ms, ci_hi_ms, cv, outliers, threads, rate,"  \
	" rate_unit, power_source, energy_mj, energy_total_mj, avg_power_w, idle_power_w,"          \
	" power_samples, peak_rss_bytes, cuda_max_alloc_bytes, date, source, thermal"
enum { MEAS_NCOLS = 45 };

static double ms(double sec, int has)
{
	return has && isfinite(sec) ? sec * 1e3 : NAN;
}

static gr_status add_stmt(gr_bench_store *s, int64_t run_id, const gr_bench_record *r,
			  sqlite3_stmt **out, gr_error *err)
{
	static const char sql[] = "INSERT INTO measurements (run_id, created, " MEAS_COLS
				  ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
				  "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
	sqlite3_stmt *st;
	char now[32];
	int i = 1, h = r->has_stats;

	if (!r->kind || !r->name)
		return gr_error_set(err, GR_ERR_USAGE, "a measurement needs a kind and a name");
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, err, "cannot store a measurement");
	now_iso(now, sizeof(now));
	sqlite3_bind_int64(st, i++, run_id);
	bind_text(st, i++, now);
	bind_text(st, i++, r->kind);
	bind_text(st, i++, r->name);
	bind_text(st, i++, r->backend);
	bind_text(st, i++, r->device);
	bind_text(st, i++, r->hardware);
	bind_text(st, i++, r->params);
	bind_text(st, i++, r->precision);
	bind_i64(st, i++, r->batch);
	bind_text(st, i++, r->dims);
	bind_text(st, i++, r->model);
	bind_i64(st, i++, r->subgraph);
	bind_text(st, i++, r->pattern);
	bind_text(st, i++, r->optype);
	bind_text(st, i++, r->nodes);
	sqlite3_bind_int(st, i++, r->supported ? 1 : 0);
	bind_text(st, i++, r->note);
	bind_dbl(st, i++, r->flops);
	bind_dbl(st, i++, r->bytes);
	bind_i64(st, i++, h && r->st.n > 0 ? r->st.n : -1);
	bind_i64(st, i++, r->inner);
	bind_dbl(st, i++, ms(r->st.median, h));
	bind_dbl(st, i++, ms(r->st.mean, h));
	bind_dbl(st, i++, ms(r->st.std, h));
	bind_dbl(st, i++, ms(r->st.p5, h));
	bind_dbl(st, i++, ms(r->st.p95, h));
	bind_dbl(st, i++, ms(r->st.min, h));
	bind_dbl(st, i++, ms(r->st.max, h));
	bind_dbl(st, i++, ms(r->st.ci_lo, h));
	bind_dbl(st, i++, ms(r->st.ci_hi, h));
	bind_dbl(st, i++, h ? r->st.cv : NAN);
	bind_i64(st, i++, h ? r->st.outliers : -1);
	bind_i64(st, i++, r->threads);
	bind_dbl(st, i++, r->rate);
	bind_text(st, i++, isfinite(r->rate) ? r->rate_unit : NULL);
	bind_text(st, i++, r->power_source ? r->power_source : "none");
	bind_dbl(st, i++, r->energy_mj);
	bind_dbl(st, i++, r->energy_total_mj);
	bind_dbl(st, i++, r->avg_power_w);
	bind_dbl(st, i++, r->idle_power_w);
	bind_i64(st, i++, r->power_samples);
	bind_i64(st, i++, r->peak_rss_bytes);
	bind_i64(st, i++, r->cuda_max_alloc_bytes);
	bind_text(st, i++, r->date);
	bind_text(st, i++, r->source);
	bind_text(st, i++, r->thermal);
	*out = st;
	return GR_OK;
}

gr_status gr_bench_store_add(gr_bench_store *s, int64_t run_id, const gr_bench_record *r,
			     int64_t *id, gr_error *err)
{
	sqlite3_stmt *st;
	gr_status rc;
	if ((rc = add_stmt(s, run_id, r, &st, err)))
		return rc;
	if ((rc = exec_one(s, st, "cannot store a measurement", err)))
		return rc;
	if (id)
		*id = sqlite3_last_insert_rowid(s->db);
	return GR_OK;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static double col_dbl(sqlite3_stmt *st, int i, double scale)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i) * scale;
}

static int64_t col_i64(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, i);
}

static void read_record(sqlite3_stmt *st, gr_bench_record *r)
{
	int i = 0;
	gr_bench_record_init(r);
	r->kind = col_text(st, i++);
	r->name = col_text(st, i++);
	r->backend = col_text(st, i++);
	r->device = col_text(st, i++);
	r->hardware = col_text(st, i++);
	r->params = col_text(st, i++);
	r->precision = col_text(st, i++);
	r->batch = col_i64(st, i++);
	r->dims = col_text(st, i++);
	r->model = col_text(st, i++);
	r->subgraph = col_i64(st, i++);
	r->pattern = col_text(st, i++);
	r->optype = col_text(st, i++);
	r->nodes = col_text(st, i++);
	r->supported = (int)col_i64(st, i++);
	r->note = col_text(st, i++);
	r->flops = col_dbl(st, i++, 1);
	r->bytes = col_dbl(st, i++, 1);
	r->st.n = (int)col_i64(st, i++);
	r->inner = (int)col_i64(st, i++);
	r->st.median = col_dbl(st, i++, 1e-3);
	r->st.mean = col_dbl(st, i++, 1e-3);
	r->st.std = col_dbl(st, i++, 1e-3);
	r->st.p5 = col_dbl(st, i++, 1e-3);
	r->st.p95 = col_dbl(st, i++, 1e-3);
	r->st.min = col_dbl(st, i++, 1e-3);
	r->st.max = col_dbl(st, i++, 1e-3);
	r->st.ci_lo = col_dbl(st, i++, 1e-3);
	r->st.ci_hi = col_dbl(st, i++, 1e-3);
	r->st.cv = col_dbl(st, i++, 1);
	r->st.outliers = (int)col_i64(st, i++);
	r->has_stats = isfinite(r->st.median) || isfinite(r->st.mean);
	r->threads = (int)col_i64(st, i++);
	r->rate = col_dbl(st, i++, 1);
	r->rate_unit = col_text(st, i++);
	r->power_source = col_text(st, i++);
	r->energy_mj = col_dbl(st, i++, 1);
	r->energy_total_mj = col_dbl(st, i++, 1);
	r->avg_power_w = col_dbl(st, i++, 1);
	r->idle_power_w = col_dbl(st, i++, 1);
	r->power_samples = (int)col_i64(st, i++);
	r->peak_rss_bytes = col_i64(st, i++);
	r->cuda_max_alloc_bytes = col_i64(st, i++);
	r->date = col_text(st, i++);
	r->source = col_text(st, i++);
	r->thermal = col_text(st, i++);
	r->run_id = col_i64(st, i++);
}

gr_status gr_bench_store_each(gr_bench_store *s, int64_t run_id, gr_bench_record_cb cb, void *user,
			      gr_error *err)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT " MEAS_COLS ", run_id FROM measurements"
			       " WHERE ?1 = 0 OR run_id = ?1 ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, err, "cannot read measurements");
	sqlite3_bind_int64(st, 1, run_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gr_bench_record r;
		read_record(st, &r);
		if (cb(&r, user))
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(s, err, "cannot read measurements");
	return GR_OK;
}

gr_status gr_bench_store_count(gr_bench_store *s, int64_t run_id, int64_t *n, gr_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM measurements WHERE ?1 = 0 OR run_id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, err, "cannot count measurements");
	sqlite3_bind_int64(st, 1, run_id);
	*n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return GR_OK;
}

/* ------------------------------------------------------------------ CSV */

static int parse_num(const char *s, double *out)
{
	char *end;
	if (!*s) {
		*out = NAN;
		return 1;
	}
	*out = strtod(s, &end);
	return *end == 0;
}

static int parse_int(const char *s, int64_t *out)
{
	char *end;
	long long v;
	if (!*s) {
		*out = -1;
		return 1;
	}
	v = strtoll(s, &end, 10);
	*out = v;
	return *end == 0 && v >= 0;
}

static const char *empty_null(const char *s)
{
	return *s ? s : NULL;
}

gr_status gr_bench_store_import_csv(gr_bench_store *s, const char *path, int64_t *n, gr_error *err)
{
	FILE *f = gr_infile_open(path, err);
	char *line = NULL, *fld[16], src[600];
	char hwspec[256]; /* a published row's registry_id:mode, read by the insert after the block */
	size_t cap = 0;
	ssize_t len;
	int is_models, lineno = 1;
	int64_t run_id, count = 0;
	gr_bench_run_info ri = {0};
	gr_status rc = GR_OK;
	sqlite3_stmt *st;

	*n = 0;
	if (!f)
		return GR_ERR_IO;
	if ((len = getline(&line, &cap, f)) <= 0) {
		rc = gr_error_set(err, GR_ERR_FORMAT, "cannot import '%s': empty file", path);
		goto out;
	}
	line[strcspn(line, "\r\n")] = 0;
	if (!strcmp(line, gr_gt_models_header))
		is_models = 1;
	else if (!strcmp(line, gr_gt_subgraphs_header))
		is_models = 0;
	else if (!strcmp(line, gr_pub_header))
		is_models = 2;
	else {
		rc = gr_error_set(err, GR_ERR_FORMAT,
				  "cannot import '%s': line 1: header is neither the models.csv, "
				  "the subgraphs.csv nor the published-measurement format", path);
		goto out;
	}
	snprintf(src, sizeof(src), "import:%s", path);
	ri.source = src;
	ri.suite = is_models == 2 ? "published" : is_models ? "models" : "subgraphs";
	ri.idle_power_w = NAN;
	if ((rc = gr_bench_store_begin_run(s, &ri, &run_id, err)))
		goto out;
	/* One transaction for the whole file: an import is all or nothing. */
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		rc = db_fail(s, err, "cannot import");
		goto out;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		gr_bench_record r;
		int nf;
		double d[4];
		int64_t batch, sub;
		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		if (!*line)
			continue;
		if (is_models == 2) {
			/* a published figure: kind "published", latency as statistics, throughput as a rate */
			gr_pub_row pr;
			char why[160];
			if (gr_pub_parse(line, &pr, why, sizeof(why))) {
				rc = gr_error_set(err, GR_ERR_FORMAT, "cannot import '%s': line %d: %s", path, lineno, why);
				goto rollback;
			}
			gr_bench_record_init(&r);
			r.kind = "published";
			r.name = pr.model;
			r.model = empty_null(pr.zoo_model);
			if (*pr.registry_id && strlen(pr.registry_id) + strlen(pr.mode) + 2 <= sizeof(hwspec)) {
				size_t il = strlen(pr.registry_id);
				memcpy(hwspec, pr.registry_id, il + 1);
				if (*pr.mode) {
					hwspec[il] = ':';
					memcpy(hwspec + il + 1, pr.mode, strlen(pr.mode) + 1);
				}
				r.hardware = hwspec;
			} else {
				r.hardware = pr.hardware;
			}
			r.backend = pr.runtime;
			r.precision = empty_null(pr.precision);
			r.batch = pr.batch > 0 ? pr.batch : 0;
			r.note = empty_null(pr.mapping);
			r.source = pr.source;
			if (pr.metric == GR_PUB_LATENCY_MS) {
				r.has_stats = 1;
				r.st.mean = r.st.median = pr.value * 1e-3;
			} else {
				r.rate = pr.value;
				r.rate_unit = "inferences/s";
			}
			if (isfinite(pr.power_w))
				r.avg_power_w = pr.power_w;
			goto insert;
		}
		nf = gr_csv_split(line, fld, 16);
		if (nf != 12) {
			rc = gr_error_set(err, GR_ERR_FORMAT,
					  "cannot import '%s': line %d: expected 12 fields, found %d",
					  path, lineno, nf);
			goto rollback;
		}
		gr_bench_record_init(&r);
		r.hardware = empty_null(fld[0]);
		r.precision = empty_null(fld[1]);
		r.model = empty_null(fld[2]);
		r.has_stats = 1;
		if (!parse_int(fld[3], &batch))
			goto badnum;
		r.batch = batch;
		if (is_models) {
			if (!parse_num(fld[6], &d[0]) || !parse_num(fld[7], &d[1]) ||
			    !parse_num(fld[8], &d[2]) || !parse_int(fld[9], &sub))
				goto badnum;
			r.kind = "model";
			r.name = fld[2];
			r.device = empty_null(fld[4]);
			r.thermal = empty_null(fld[5]);
			r.st.mean = d[0] * 1e-3;
			r.flops = d[1];
			r.bytes = d[2];
			r.subgraph = sub; /* model rows: number of subgraphs */
			r.date = empty_null(fld[10]);
			r.source = empty_null(fld[11]);
		} else {
			if (!parse_int(fld[4], &sub) || !parse_num(fld[7], &d[0]) ||
			    !parse_num(fld[8], &d[1]) || !parse_num(fld[9], &d[2]) ||
			    !parse_num(fld[10], &d[3]))
				goto badnum;
			r.kind = "subgraph";
			r.name = fld[5];
			r.subgraph = sub;
			r.pattern = empty_null(fld[5]);
			r.optype = empty_null(fld[6]);
			r.flops = d[0];
			r.bytes = d[1];
			r.st.mean = d[2] * 1e-3;
			r.st.std = d[3] * 1e-3;
			r.nodes = fld[11];
		}
insert:
		if ((rc = add_stmt(s, run_id, &r, &st, err)))
			goto rollback;
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			rc = db_fail(s, err, "cannot import");
			goto rollback;
		}
		sqlite3_finalize(st);
		count++;
		continue;
badnum:
		rc = gr_error_set(err, GR_ERR_FORMAT, "cannot import '%s': line %d: bad number", path,
				  lineno);
		goto rollback;
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = db_fail(s, err, "cannot import");
		goto rollback;
	}
	gr_bench_store_end_run(s, run_id, "complete", NULL);
	*n = count;
	goto out;
rollback:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	gr_bench_store_end_run(s, run_id, "failed", NULL);
out:
	free(line);
	fclose(f);
	return rc;
}

/* Writes a CSV field, quoting when needed; rows end in CRLF as Python's csv module writes
 * them (the ground-truth files do). */
static void csv_field(FILE *out, const char *s, int last)
{
	gr_csv_write_field(out, s);
	fputs(last ? "\r\n" : ",", out);
}

/* fmt: 'i' integer counts, '4'/'6' fixed decimals (the ground truth's latency columns). */
static void csv_num(FILE *out, sqlite3_stmt *st, int i, char fmt, int last)
{
	char buf[64] = "";
	double v = sqlite3_column_double(st, i);
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		;
	else if (fmt == '4')
		snprintf(buf, sizeof(buf), "%.4f", v);
	else if (fmt == '6')
		snprintf(buf, sizeof(buf), "%.6f", v);
	else if (sqlite3_column_type(st, i) == SQLITE_INTEGER)
		snprintf(buf, sizeof(buf), "%lld", (long long)sqlite3_column_int64(st, i));
	else
		snprintf(buf, sizeof(buf), "%.15g", v);
	csv_field(out, buf, last);
}

gr_status gr_bench_store_export_csv(gr_bench_store *s, const char *which, const char *hardware,
				    FILE *out, gr_error *err)
{
	/* Latency columns are means (that is what the ground truth holds); rows without a
	 * time (unsupported cases) are left out. Our own runs name their source by run id. */
	static const char models_sql[] =
		"SELECT coalesce(m.hardware, r.hw_id), m.precision, coalesce(m.model, m.name),"
		" m.batch, m.device, m.thermal, m.mean_ms, m.flops, m.bytes, m.subgraph,"
		" coalesce(m.date, r.started), coalesce(m.source, 'graphs benchmark run ' || r.id)"
		" FROM measurements m JOIN runs r ON r.id = m.run_id"
		" WHERE m.kind = 'model' AND m.mean_ms IS NOT NULL"
		" AND (?1 IS NULL OR coalesce(m.hardware, r.hw_id) = ?1) ORDER BY m.id";
	static const char subgraphs_sql[] =
		"SELECT coalesce(m.hardware, r.hw_id), m.precision, m.model, m.batch, m.subgraph,"
		" m.pattern, m.optype, m.flops, m.bytes, m.mean_ms, m.std_ms, m.nodes"
		" FROM measurements m JOIN runs r ON r.id = m.run_id"
		" WHERE m.kind IN ('subgraph', 'layer') AND m.mean_ms IS NOT NULL"
		" AND (?1 IS NULL OR coalesce(m.hardware, r.hw_id) = ?1) ORDER BY m.id";
	/* per column: 0 text, 'i' number, '4'/'6' fixed decimals */
	static const char models_num[12] = {0, 0, 0, 'i', 0, 0, '4', 'i', 'i', 'i', 0, 0};
	static const char subgraphs_num[12] = {0, 0, 0, 'i', 'i', 0, 0, 'i', 'i', '6', '6', 0};
	int is_models;
	const char *num;
	sqlite3_stmt *st;
	int rc;

	if (!strcmp(which, "models"))
		is_models = 1;
	else if (!strcmp(which, "subgraphs"))
		is_models = 0;
	else
		return gr_error_set(err, GR_ERR_USAGE, "unknown export '%s' (use models or subgraphs)",
				    which);
	num = is_models ? models_num : subgraphs_num;
	if (sqlite3_prepare_v2(s->db, is_models ? models_sql : subgraphs_sql, -1, &st, NULL) !=
	    SQLITE_OK)
		return db_fail(s, err, "cannot export");
	bind_text(st, 1, hardware);
	fprintf(out, "%s\r\n", is_models ? gr_gt_models_header : gr_gt_subgraphs_header);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (int i = 0; i < 12; i++) {
			if (num[i])
				csv_num(out, st, i, num[i], i == 11);
			else
				csv_field(out, col_text(st, i), i == 11);
		}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(s, err, "cannot export");
	return GR_OK;
}
