/* Whether a benchmark's rounds confirm each model's minimum (the figure `graphs calibrate`
 * fits): another round within a few % of it, in quiet enough conditions. Used by
 * `graphs benchmark` (extra rounds, its end table) and `graphs calibrate` (a warning). */
#ifndef GRAPHS_CLI_ROUNDS_H
#define GRAPHS_CLI_ROUNDS_H

#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "core/benchlib.h"

#define ROUNDS_TOL 0.03 /* a second round within 3% of the best confirms it */
#define ROUNDS_MAX 128  /* rounds of one model that a table keeps */

typedef enum { MIN_CONFIRMED, MIN_UNCONFIRMED, MIN_DISTURBED } round_verdict;

/* What other work did beside a round (torch_runner.py's "disturb"; NaN: not known). */
typedef struct round_load {
	double others_cpu;  /* CPUs other processes kept busy, on average */
	double steal_share; /* share of each CPU the hypervisor took */
	double delay_share; /* share of the time the runner's timing thread waited to run */
	double probe_ms;    /* the speed probe's best during the round */
} round_load;

#define ROUNDS_PROBE_SLOW 0.10 /* a probe this much above the benchmark's best: slowed */

/* 1 when a round ran on a disturbed machine: the runner's timing thread waited for a CPU more
 * than 10% of the time (on this project's VM the rounds' quiet figures followed that share most
 * closely: mean rank correlation 0.40-0.84 in three runs of 7 models x 6 rounds), the hypervisor
 * stole more than 2%, or the speed probe took more than ROUNDS_PROBE_SLOW longer than probe_best
 * (the best of every round compared): for a host slowed under a quiet guest, which no guest
 * counter shows (unproven: it hardly followed the figures under guest load, -0.32 to 0.25).
 * Records of an older runner (no wait share) fall back on other processes keeping more than a
 * quarter of a CPU busy. Unknown figures count as quiet. */
int rounds_disturbed(const round_load *l, double probe_best);

/* n rounds' figures (ms; NaN: none) and whether each was disturbed: confirmed when another
 * round is within tol of the best and one of the two was quiet; disturbed when such rounds
 * agree but all were disturbed; else unconfirmed (one round, or none within tol). *spread: how
 * far the second best is above the best (NaN with fewer than two). */
round_verdict rounds_verdict(const double *ms, const int *disturbed, int n, double tol,
			     double *spread);

/* One model of a benchmark database over its rounds (one round per run). */
typedef struct round_model {
	char name[128];
	int n;                   /* rounds seen (runs with a model record of it) */
	int timed;               /* of those, rounds with a figure (an interrupted one may have none) */
	int64_t run[ROUNDS_MAX];
	double ms[ROUNDS_MAX];   /* per round: the quiet figure, else the best sample */
	double model_ms[ROUNDS_MAX], quiet_ms[ROUNDS_MAX];
	round_load load[ROUNDS_MAX];
	int disturbed[ROUNDS_MAX];
	int layers;
	double best_ms, median_ms, best_quiet_ms;
	round_verdict verdict;
	double spread, others_cpu; /* others_cpu: the most over its rounds */
	double probe_slow;         /* its slowest round's probe over the best, less 1 */
	double delay_share;        /* the most its runner waited for a CPU, as a share */
} round_model;

typedef struct round_table {
	round_model *m;
	int n, cap;
	int64_t records; /* every record read */
} round_table;

/* Adds runs (or every run: runs NULL, n_runs 0) of the store to t: torch model records only. */
gr_status rounds_collect(const gr_benchlib *B, gr_bench_store *s, const int64_t *runs, int n_runs,
			 round_table *t, gr_error *err);
/* Fills each model's timed rounds, verdict, spread, others_cpu, delay_share and probe_slow; the probe's best is taken
 * over every model and round of t. */
void rounds_judge(round_table *t);
/* The models of t whose minimum is not confirmed and that have fewer than cap rounds, as a
 * comma-separated list in buf (empty: none). Returns how many. */
int rounds_to_repeat(const round_table *t, int cap, char *buf, size_t size);
/* One warning line on f naming unconfirmed and disturbed minima (none: prints nothing).
 * Returns how many models it named. */
int rounds_warn(const round_table *t, FILE *f, const char *who);
const char *rounds_verdict_name(round_verdict v);
/* When path is a benchmark database: judges all its torch model records as rounds, warns on f
 * (rounds_warn) and returns the unconfirmed models as a JSON array (NULL: none, or not a
 * database, or unreadable: calibrate's own loading reports those). */
cJSON *rounds_check_db(const char *path, FILE *f, const char *who);
void rounds_free(round_table *t);

#endif
