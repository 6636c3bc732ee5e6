/* Rounds of the calibration suite: is each model's minimum confirmed by a second round, and was
 * it measured beside other work? A minimum that only one round reached, or that every agreeing
 * round reached on a slowed machine, may be an outlier or inflated, and calibrate fits it all the
 * same: the benchmark adds rounds for such models, and both commands say which remain. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/rounds.h"

int rounds_disturbed(const round_load *l, double probe_best)
{
	/* NaN compares false: an unknown figure is no evidence of disturbance */
	if (l->steal_share > 0.02 || l->delay_share > 0.10)
		return 1;
	if (isfinite(l->probe_ms))
		return l->probe_ms > probe_best * (1 + ROUNDS_PROBE_SLOW);
	return !isfinite(l->delay_share) && l->others_cpu > 0.25;
}

round_verdict rounds_verdict(const double *ms, const int *disturbed, int n, double tol,
			     double *spread)
{
	int best = -1, agree_quiet = 0, agree = 0;
	double second = INFINITY;
	for (int i = 0; i < n; i++)
		if (isfinite(ms[i]) && ms[i] > 0 && (best < 0 || ms[i] < ms[best]))
			best = i;
	*spread = NAN;
	if (best < 0)
		return MIN_UNCONFIRMED;
	for (int i = 0; i < n; i++) {
		if (i == best || !isfinite(ms[i]) || ms[i] <= 0)
			continue;
		second = fmin(second, ms[i]);
		if (ms[i] <= ms[best] * (1 + tol)) {
			agree = 1;
			agree_quiet |= !disturbed[i];
		}
	}
	if (isfinite(second))
		*spread = second / ms[best] - 1;
	if (!agree)
		return MIN_UNCONFIRMED;
	return !disturbed[best] || agree_quiet ? MIN_CONFIRMED : MIN_DISTURBED;
}

const char *rounds_verdict_name(round_verdict v)
{
	return v == MIN_CONFIRMED ? "confirmed" : v == MIN_DISTURBED ? "disturbed" : "unconfirmed";
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* the params' "disturb" object, the worse of what this round's records say */
static void add_load(round_load *l, const char *params)
{
	cJSON *p = params ? cJSON_Parse(params) : NULL;
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(p, "disturb");
	if (cJSON_IsObject(d)) {
		l->others_cpu = fmax(l->others_cpu, num(d, "others_cpu")); /* fmax skips a NaN */
		l->steal_share = fmax(l->steal_share, num(d, "steal_share"));
		l->delay_share = fmax(l->delay_share, num(d, "delay_share"));
		/* the quiet record's probe also covers the model record's: the lower holds */
		l->probe_ms = fmin(l->probe_ms, num(d, "probe_ms"));
	}
	cJSON_Delete(p);
}

static round_model *model_of(round_table *t, const char *name)
{
	round_model *m;
	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->m[i].name, name))
			return &t->m[i];
	if (t->n == t->cap) {
		int cap = t->cap ? 2 * t->cap : 8;
		round_model *nm = realloc(t->m, (size_t)cap * sizeof(*nm));
		if (!nm)
			return NULL;
		t->m = nm;
		t->cap = cap;
	}
	m = &t->m[t->n++];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->best_ms = m->median_ms = m->best_quiet_ms = INFINITY;
	return m;
}

static int collect(const gr_bench_record *r, void *user)
{
	round_table *t = user;
	round_model *m;
	int k;
	t->records++;
	if (strcmp(r->kind, "model") || !r->supported || !r->has_stats ||
	    (r->backend && strcmp(r->backend, "torch")))
		return 0;
	if (!(m = model_of(t, r->name)))
		return 1;
	if (!m->n || m->run[m->n - 1] != r->run_id) { /* a new round */
		if (m->n == ROUNDS_MAX)
			return 0;
		k = m->n++;
		m->run[k] = r->run_id;
		m->model_ms[k] = m->quiet_ms[k] = m->ms[k] = NAN;
		m->load[k] = (round_load){NAN, NAN, NAN, NAN};
	}
	k = m->n - 1;
	add_load(&m->load[k], r->params);
	if (r->note && !strncmp(r->note, "quiet:", 6)) { /* the per-layer pass's reconstruction */
		m->quiet_ms[k] = r->st.min * 1e3;
		m->best_quiet_ms = fmin(m->best_quiet_ms, m->quiet_ms[k]);
		return 0;
	}
	m->model_ms[k] = r->st.min * 1e3;
	m->layers = r->subgraph > 0 ? (int)r->subgraph : m->layers;
	m->best_ms = fmin(m->best_ms, r->st.min * 1e3);
	m->median_ms = fmin(m->median_ms, r->st.median * 1e3);
	return 0;
}

gr_status rounds_collect(const gr_benchlib *B, gr_bench_store *s, const int64_t *runs, int n_runs,
			 round_table *t, gr_error *err)
{
	for (int i = 0; i < (runs ? n_runs : 1); i++) {
		gr_status rc = B->gr_bench_store_each(s, runs ? runs[i] : 0, collect, t, err);
		if (rc)
			return rc;
	}
	return GR_OK;
}

void rounds_judge(round_table *t)
{
	double probe_best = NAN;
	for (int i = 0; i < t->n; i++)
		for (int k = 0; k < t->m[i].n; k++)
			probe_best = fmin(probe_best, t->m[i].load[k].probe_ms);
	for (int i = 0; i < t->n; i++) {
		round_model *m = &t->m[i];
		m->others_cpu = m->probe_slow = m->delay_share = NAN;
		m->timed = 0;
		for (int k = 0; k < m->n; k++) {
			/* the quiet figure is what calibrate's per-layer minima add up to */
			m->ms[k] = isfinite(m->quiet_ms[k]) ? m->quiet_ms[k] : m->model_ms[k];
			m->timed += isfinite(m->ms[k]);
			m->disturbed[k] = rounds_disturbed(&m->load[k], probe_best);
			m->others_cpu = fmax(m->others_cpu, m->load[k].others_cpu);
			m->delay_share = fmax(m->delay_share, m->load[k].delay_share);
			m->probe_slow = fmax(m->probe_slow, m->load[k].probe_ms / probe_best - 1);
		}
		m->verdict = rounds_verdict(m->ms, m->disturbed, m->n, ROUNDS_TOL, &m->spread);
	}
}

int rounds_to_repeat(const round_table *t, int cap, char *buf, size_t size)
{
	int n = 0;
	size_t len = 0;
	buf[0] = 0;
	for (int i = 0; i < t->n; i++) {
		const round_model *m = &t->m[i];
		if (m->verdict == MIN_CONFIRMED || m->n >= cap)
			continue;
		if (len + strlen(m->name) + 2 >= size)
			break;
		len += (size_t)snprintf(buf + len, size - len, "%s%s", n ? "," : "", m->name);
		n++;
	}
	return n;
}

int rounds_warn(const round_table *t, FILE *f, const char *who)
{
	int n = 0;
	for (int i = 0; i < t->n; i++) {
		const round_model *m = &t->m[i];
		char spread[32] = "one round", load[96] = "", probe[64] = "";
		if (m->verdict == MIN_CONFIRMED)
			continue;
		if (!n++)
			fprintf(f, "%s: warning: minima not confirmed by a second undisturbed round within "
				   "%.0f%% (calibrate fits them as they are):", who, ROUNDS_TOL * 100);
		if (isfinite(m->spread))
			snprintf(spread, sizeof(spread), "next round +%.1f%%", m->spread * 100);
		if (isfinite(m->delay_share) && isfinite(m->others_cpu))
			snprintf(load, sizeof(load), ", waited up to %.0f%%, other work up to %.2f CPUs",
				 m->delay_share * 100, m->others_cpu);
		else if (isfinite(m->others_cpu))
			snprintf(load, sizeof(load), ", other work up to %.2f CPUs", m->others_cpu);
		if (isfinite(m->probe_slow))
			snprintf(probe, sizeof(probe), ", probe up to +%.0f%%", m->probe_slow * 100);
		fprintf(f, " %s %s (%d rounds, %s%s%s);", m->name, rounds_verdict_name(m->verdict),
			m->timed, spread, load, probe);
	}
	if (n)
		fprintf(f, " more rounds on a quieter machine: graphs benchmark --models LIST "
			   "--rounds 2 (appends)\n");
	return n;
}

void rounds_free(round_table *t)
{
	free(t->m);
	memset(t, 0, sizeof(*t));
}

cJSON *rounds_check_db(const char *path, FILE *f, const char *who)
{
	const gr_benchlib *B;
	gr_bench_store *s = NULL;
	gr_error err = {0};
	round_table t = {0};
	char head[16] = {0};
	cJSON *arr = NULL;
	FILE *in = fopen(path, "rb");
	size_t got = in ? fread(head, 1, sizeof(head), in) : 0;
	if (in)
		fclose(in);
	if (got != 16 || memcmp(head, "SQLite format 3", 16) || !(B = gr_benchlib_get(who, &err)))
		return NULL;
	if (B->gr_bench_store_open_read(path, &s, &err))
		return NULL;
	if (rounds_collect(B, s, NULL, 0, &t, &err) == GR_OK) {
		rounds_judge(&t);
		if (rounds_warn(&t, f, who)) {
			arr = cJSON_CreateArray();
			for (int i = 0; i < t.n; i++) {
				const round_model *m = &t.m[i];
				cJSON *o;
				if (m->verdict == MIN_CONFIRMED)
					continue;
				o = cJSON_CreateObject();
				cJSON_AddStringToObject(o, "model", m->name);
				cJSON_AddStringToObject(o, "minimum", rounds_verdict_name(m->verdict));
				cJSON_AddNumberToObject(o, "rounds", m->timed);
				if (isfinite(m->spread))
					cJSON_AddNumberToObject(o, "next_round_pct", m->spread * 100);
				if (isfinite(m->others_cpu))
					cJSON_AddNumberToObject(o, "others_cpu_max", m->others_cpu);
				if (isfinite(m->delay_share))
					cJSON_AddNumberToObject(o, "wait_pct_max", m->delay_share * 100);
				if (isfinite(m->probe_slow))
					cJSON_AddNumberToObject(o, "probe_slow_pct", m->probe_slow * 100);
				cJSON_AddItemToArray(arr, o);
			}
		}
	}
	rounds_free(&t);
	B->gr_bench_store_close(s);
	return arr;
}
