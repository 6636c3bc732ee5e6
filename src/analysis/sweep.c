/* The sweep grid (its fixed order, point count and id), --shard parsing, and the rows' output.
 * csv and json put one point per line with its index, so that shards can be merged back into
 * the unsharded bytes (sweep_merge.c); html is drawn by sweep_html.c. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/sweep_impl.h"
#include "graphs/report.h"

#define MAX_POINTS ((size_t)1 << 40)

const char *gr_sweep_status_name(gr_sweep_status s)
{
	static const char *n[] = {"ok", "unsupported", "failed"};
	return (unsigned)s <= GR_SWEEP_FAILED ? n[s] : "failed";
}

/* FNV-1a, 64 bits: enough to tell two grids apart, stable across machines. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ull;
	}
	return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
	return fnv(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

gr_status gr_sweep_grid_init(gr_sweep_grid *g, gr_error *err)
{
	uint64_t h = 14695981039346656037ull;
	size_t nrt = gr_sweep_grid_n_runtimes(g);

	g->hw_first = calloc(g->n_hw + 1, sizeof(size_t));
	g->hw_n_precs = calloc(g->n_hw + 1, sizeof(size_t));
	g->hw_precs = calloc((g->n_hw + 1) * GR_PREC_COUNT, sizeof(int));
	if (!g->hw_first || !g->hw_n_precs || !g->hw_precs) {
		gr_sweep_grid_release(g);
		return gr_error_set(err, GR_ERR_NOMEM, "sweep: out of memory");
	}
	g->block = 0;
	for (size_t k = 0; k < g->n_hw; k++) {
		int *pr = g->hw_precs + k * GR_PREC_COUNT;
		size_t n = 0;
		if (g->n_precs) {
			for (size_t q = 0; q < g->n_precs && q < GR_PREC_COUNT; q++)
				pr[n++] = g->precs[q];
		} else {
			for (int q = 0; q < GR_PREC_COUNT; q++)
				if (gr_hw_precision_native(g->hw[k], (gr_precision)q))
					pr[n++] = q;
			/* a platform declaring no native precision still runs its preferred one */
			if (!n && gr_hw_preferred_precision(g->hw[k]) >= 0)
				pr[n++] = gr_hw_preferred_precision(g->hw[k]);
		}
		if (!n) {
			gr_error_set(err, GR_ERR_USAGE, "sweep: '%s' declares no native precision; name "
				     "the precisions with --precision", g->hw_specs[k]);
			gr_sweep_grid_release(g);
			return GR_ERR_USAGE;
		}
		g->hw_n_precs[k] = n;
		g->hw_first[k] = g->block;
		g->block += n * nrt;
	}
	g->hw_first[g->n_hw] = g->block;
	if (!g->n_models || !g->n_batches || !g->block) {
		gr_sweep_grid_release(g);
		return gr_error_set(err, GR_ERR_USAGE, "sweep: the grid is empty");
	}
	if (g->n_models > MAX_POINTS / g->n_batches / g->block) {
		gr_sweep_grid_release(g);
		return gr_error_set(err, GR_ERR_USAGE, "sweep: more than 2^40 points");
	}
	g->points = g->n_models * g->n_batches * g->block;
	/* the id covers what the rows depend on, in order: shards of another grid do not merge */
	h = fnv_str(h, "graphs-sweep-1");
	for (size_t i = 0; i < g->n_models; i++)
		h = fnv_str(h, g->models[i]);
	for (size_t i = 0; i < g->n_batches; i++)
		h = fnv(h, &g->batches[i], sizeof(int64_t));
	for (size_t k = 0; k < g->n_hw; k++) {
		h = fnv_str(h, g->hw_specs[k]);
		for (size_t q = 0; q < g->hw_n_precs[k]; q++)
			h = fnv_str(h, gr_precision_name((gr_precision)g->hw_precs[k * GR_PREC_COUNT + q]));
	}
	for (size_t r = 0; r < g->n_runtimes; r++)
		h = fnv_str(h, g->runtimes[r]);
	h = fnv_str(h, g->options);
	snprintf(g->id, sizeof(g->id), "%016" PRIx64, h);
	return GR_OK;
}

void gr_sweep_grid_release(gr_sweep_grid *g)
{
	if (!g)
		return;
	free(g->hw_first);
	free(g->hw_n_precs);
	free(g->hw_precs);
	g->hw_first = g->hw_n_precs = NULL;
	g->hw_precs = NULL;
}

size_t gr_sweep_grid_n_runtimes(const gr_sweep_grid *g)
{
	return g->n_runtimes ? g->n_runtimes : 1;
}

const char *gr_sweep_grid_runtime(const gr_sweep_grid *g, size_t r)
{
	return g->n_runtimes ? g->runtimes[r] : NULL;
}

gr_status gr_sweep_shard_parse(const char *s, size_t *i, size_t *n, gr_error *err)
{
	char *end;
	unsigned long long a, b;

	if (!s || *s < '0' || *s > '9')
		goto bad;
	errno = 0;
	a = strtoull(s, &end, 10);
	if (errno || *end != '/' || end[1] < '0' || end[1] > '9')
		goto bad;
	b = strtoull(end + 1, &end, 10);
	if (errno || *end || b == 0 || b > MAX_POINTS)
		goto bad;
	if (a >= b)
		return gr_error_set(err, GR_ERR_USAGE, "--shard %s: the shard index counts from 0 and must "
				    "be below the shard count %llu", s, b);
	*i = (size_t)a;
	*n = (size_t)b;
	return GR_OK;
bad:
	return gr_error_set(err, GR_ERR_USAGE, "--shard '%s': expected I/N with 0 <= I < N, e.g. 0/4",
			    s ? s : "");
}

/* --- output ---------------------------------------------------------------------------- */

void sweep_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&')
			fprintf(out, "\\u%04x", *p); /* < > & too: the JSON may be inlined in a page */
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void csv_str(FILE *out, const char *s)
{
	s = s ? s : "";
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
	}
	fputc('"', out);
}

/* Numbers with 6 significant digits: the same text for the same double, on every machine. */
void sweep_num(char *buf, size_t size, double v)
{
	if (!isfinite(v))
		buf[0] = 0;
	else
		snprintf(buf, size, "%.6g", v);
}

static const char csv_header[] = "point,points,grid,model,hardware,precision,batch,runtime,status,"
				 "latency_ms,throughput_per_s,energy_mj,peak_memory_bytes,confidence,"
				 "lower_bound,reason\n";

const char *sweep_csv_header(void)
{
	return csv_header;
}

static void write_csv_row(FILE *out, const gr_sweep_grid *g, const gr_sweep_row *r)
{
	char lat[32], thr[32], en[32], mem[32];
	int ok = r->status == GR_SWEEP_OK;

	sweep_num(lat, sizeof(lat), r->latency_ms);
	sweep_num(thr, sizeof(thr), r->throughput_per_s);
	sweep_num(en, sizeof(en), r->energy_mj);
	if (ok && isfinite(r->peak_memory_bytes))
		snprintf(mem, sizeof(mem), "%.0f", r->peak_memory_bytes);
	else
		mem[0] = 0;
	fprintf(out, "%zu,%zu,%s,", r->point, g->points, g->id);
	csv_str(out, r->model);
	fputc(',', out);
	csv_str(out, r->hw);
	fprintf(out, ",%s,%" PRId64 ",%s,%s,%s,%s,%s,%s,%s,%s,", r->precision, r->batch, r->runtime,
		gr_sweep_status_name(r->status), lat, thr, en, mem, ok ? r->confidence : "",
		ok ? (r->lower_bound ? "true" : "false") : "");
	csv_str(out, r->reason);
	fputc('\n', out);
}

static void json_num(FILE *out, const char *key, const char *num)
{
	fprintf(out, ", \"%s\": %s", key, num[0] ? num : "null");
}

void sweep_json_row(FILE *out, const gr_sweep_row *r)
{
	char v[32];
	int ok = r->status == GR_SWEEP_OK;

	fprintf(out, "{\"point\": %zu, \"model\": ", r->point);
	sweep_json_str(out, r->model);
	fputs(", \"hardware\": ", out);
	sweep_json_str(out, r->hw);
	fprintf(out, ", \"precision\": \"%s\", \"batch\": %" PRId64 ", \"runtime\": \"%s\", \"status\": \"%s\"",
		r->precision, r->batch, r->runtime, gr_sweep_status_name(r->status));
	sweep_num(v, sizeof(v), r->latency_ms);
	json_num(out, "latency_ms", v);
	sweep_num(v, sizeof(v), r->throughput_per_s);
	json_num(out, "throughput_per_s", v);
	sweep_num(v, sizeof(v), r->energy_mj);
	json_num(out, "energy_mj", v);
	if (ok && isfinite(r->peak_memory_bytes))
		snprintf(v, sizeof(v), "%.0f", r->peak_memory_bytes);
	else
		v[0] = 0;
	json_num(out, "peak_memory_bytes", v);
	if (ok)
		fprintf(out, ", \"confidence\": \"%s\", \"lower_bound\": %s", r->confidence,
			r->lower_bound ? "true" : "false");
	else
		fputs(", \"confidence\": null, \"lower_bound\": null", out);
	fputs(", \"reason\": ", out);
	sweep_json_str(out, r->reason);
	fputc('}', out);
}

struct gr_sweep_writer {
	const gr_sweep_grid *g;
	int fmt;
	const char *web_dir;
	FILE *out;
	size_t rows;
	gr_table *t;          /* table, markdown */
	sweep_rows keep;      /* html */
};

gr_sweep_writer *gr_sweep_writer_new(const gr_sweep_grid *g, int fmt, const char *web_dir, FILE *out)
{
	gr_sweep_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->g = g;
	w->fmt = fmt;
	w->web_dir = web_dir;
	w->out = out;
	if (fmt == GR_FMT_CSV) {
		fputs(csv_header, out);
	} else if (fmt == GR_FMT_JSON) {
		fprintf(out, "{\"grid\": \"%s\", \"points\": %zu, \"rows\": [\n", g->id, g->points);
	} else if (fmt == GR_FMT_TABLE || fmt == GR_FMT_MARKDOWN) {
		const char *hdr[] = {"point", "model", "hardware", "precision", "batch", "runtime", "status",
				     "latency ms", "per s", "energy mJ", "peak memory", "confidence", "reason"};
		if (!(w->t = gr_table_new(13, hdr))) {
			free(w);
			return NULL;
		}
		for (int c = 7; c <= 9; c++)
			gr_table_numeric(w->t, c);
		gr_table_numeric(w->t, 0);
		gr_table_numeric(w->t, 4);
	}
	return w;
}

gr_status gr_sweep_writer_row(gr_sweep_writer *w, const gr_sweep_row *r, gr_error *err)
{
	w->rows++;
	switch (w->fmt) {
	case GR_FMT_CSV:
		write_csv_row(w->out, w->g, r);
		return GR_OK;
	case GR_FMT_JSON:
		/* the separator goes before each row but the first: no row is held back */
		if (w->rows > 1)
			fputs(",\n", w->out);
		sweep_json_row(w->out, r);
		return GR_OK;
	case GR_SWEEP_FMT_HTML:
		return sweep_rows_add(&w->keep, r) ? gr_error_set(err, GR_ERR_NOMEM, "sweep: out of memory")
						   : GR_OK;
	default: {
		char pt[32], b[32], lat[32], thr[32], en[32], mem[32];
		int ok = r->status == GR_SWEEP_OK;
		snprintf(pt, sizeof(pt), "%zu", r->point);
		snprintf(b, sizeof(b), "%" PRId64, r->batch);
		sweep_num(lat, sizeof(lat), r->latency_ms);
		sweep_num(thr, sizeof(thr), r->throughput_per_s);
		sweep_num(en, sizeof(en), r->energy_mj);
		if (ok)
			gr_fmt_bytes(r->peak_memory_bytes, mem, sizeof(mem));
		const char *row[] = {pt, r->model, r->hw, r->precision, b, r->runtime, gr_sweep_status_name(r->status),
				     ok ? lat : "-", ok ? thr : "-", ok ? en : "-", ok ? mem : "-",
				     ok ? r->confidence : "-", r->reason};
		return !gr_table_add_row(w->t, row) ? gr_error_set(err, GR_ERR_NOMEM, "sweep: out of memory")
						   : GR_OK;
	}
	}
}

gr_status gr_sweep_writer_end(gr_sweep_writer *w, gr_error *err)
{
	gr_status st = GR_OK;

	if (!w)
		return GR_OK;
	switch (w->fmt) {
	case GR_FMT_CSV:
		break;
	case GR_FMT_JSON:
		fputs("\n]}\n", w->out);
		break;
	case GR_SWEEP_FMT_HTML:
		st = sweep_html_write(w->g, &w->keep, w->web_dir, w->out, err);
		sweep_rows_release(&w->keep);
		break;
	default:
		gr_table_write(w->t, w->fmt, w->out);
		gr_table_free(w->t);
		break;
	}
	free(w);
	return st;
}
