/* The runs table of a benchmark database, for reading measurements (calibration/meas.c). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/benchlib.h"

static void col(sqlite3_stmt *st, int i, char *buf, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(buf, size, "%s", t ? (const char *)t : "");
}

gr_status gr_bench_runs_read(const char *path, gr_bench_run_row **out, size_t *n, gr_error *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	gr_bench_run_row *runs = NULL;
	size_t cnt = 0, cap = 0;

	*out = NULL;
	*n = 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT id, hw_id, backend, threads, affinity, governor, turbo, cpu_model,"
			       " hostname, torch, openblas, onednn, gpu, source FROM runs ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		gr_status rc = gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': %s", path,
					    db ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return rc;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		gr_bench_run_row *r;
		if (cnt == cap) {
			size_t nc = cap ? 2 * cap : 16;
			gr_bench_run_row *nr = realloc(runs, nc * sizeof(*nr));
			if (!nr)
				break;
			runs = nr;
			cap = nc;
		}
		r = &runs[cnt++];
		memset(r, 0, sizeof(*r));
		r->id = sqlite3_column_int64(st, 0);
		col(st, 1, r->hw, sizeof(r->hw));
		col(st, 2, r->backend, sizeof(r->backend));
		r->cond.threads = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 3);
		col(st, 4, r->cond.affinity, sizeof(r->cond.affinity));
		col(st, 5, r->cond.governor, sizeof(r->cond.governor));
		col(st, 6, r->cond.turbo, sizeof(r->cond.turbo));
		col(st, 7, r->cond.cpu_model, sizeof(r->cond.cpu_model));
		col(st, 8, r->cond.hostname, sizeof(r->cond.hostname));
		col(st, 9, r->cond.torch, sizeof(r->cond.torch));
		col(st, 10, r->cond.openblas, sizeof(r->cond.openblas));
		col(st, 11, r->cond.onednn, sizeof(r->cond.onednn));
		col(st, 12, r->cond.gpu, sizeof(r->cond.gpu));
		{
			char src[64];
			col(st, 13, src, sizeof(src));
			r->imported = !strncmp(src, "import:", 7);
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	*out = runs;
	*n = cnt;
	return GR_OK;
}
