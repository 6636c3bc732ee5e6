/* Power and energy collectors. Every source becomes one curve of cumulative energy over
 * CLOCK_MONOTONIC time, sampled in a thread: RAPL counters through powercap (wrap-around
 * handled), nvidia-smi power.draw at 10 Hz, Jetson tegrastats rails. Energy over a region is
 * read off that curve; where no sensor exists callers store power_source "none". */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "graphs/bench.h"

extern char **environ;

/* ------------------------------------------------------------------ pure helpers */

uint64_t gr_rapl_delta(uint64_t before, uint64_t after, uint64_t max_range)
{
	if (after >= before)
		return after - before;
	/* The counter wrapped once past max_energy_range_uj back to 0. */
	if (max_range >= before)
		return (max_range - before) + after;
	return after; /* range unknown: at least what was counted since the wrap */
}

int gr_nvsmi_parse(const char *line, double *watts)
{
	char *end;
	double w;
	while (*line == ' ' || *line == '\t')
		line++;
	if (!isdigit((unsigned char)*line))
		return 0;
	w = strtod(line, &end);
	while (*end == ' ' || *end == 'W' || *end == '\r' || *end == '\n')
		end++;
	if (*end || !isfinite(w) || w < 0)
		return 0;
	*watts = w;
	return 1;
}

/* "1234mW/1200mW" or "1234/1200": current and average in milliwatts. */
static int rail_value(const char *tok, double *cur, double *avg)
{
	char *end;
	double a = strtod(tok, &end), b;
	if (end == tok || !isdigit((unsigned char)*tok))
		return 0;
	if (!strncmp(end, "mW", 2))
		end += 2;
	if (*end != '/')
		return 0;
	tok = end + 1;
	b = strtod(tok, &end);
	if (end == tok || !isdigit((unsigned char)*tok))
		return 0;
	if (!strncmp(end, "mW", 2))
		end += 2;
	if (*end)
		return 0;
	*cur = a;
	*avg = b;
	return 1;
}

static int rail_name(const char *tok)
{
	int letter = 0;
	if (!*tok)
		return 0;
	for (const char *p = tok; *p; p++) {
		if (isupper((unsigned char)*p))
			letter = 1;
		else if (!isdigit((unsigned char)*p) && *p != '_')
			return 0;
	}
	return letter;
}

int gr_tegrastats_parse(const char *line, gr_power_rail *rails, int max, double *total_w)
{
	char buf[4096], *save = NULL, *tok, *prev = NULL;
	int n = 0, input = -1;
	double sum = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
		double cur, avg;
		if (prev && rail_name(prev) && strcmp(prev, "NC") && rail_value(tok, &cur, &avg) &&
		    n < max) {
			snprintf(rails[n].name, sizeof(rails[n].name), "%s", prev);
			rails[n].watts = cur / 1000.0;
			rails[n].avg_watts = avg / 1000.0;
			if (!strncmp(prev, "VIN", 3) || !strcmp(prev, "POM_5V_IN"))
				input = n;
			sum += rails[n].watts;
			n++;
		}
		prev = tok;
	}
	if (total_w)
		*total_w = input >= 0 ? rails[input].watts : sum;
	return n;
}

double gr_power_integrate(const double *t, const double *w, size_t n, double t0, double t1)
{
	double e = 0;
	if (n == 0 || t1 <= t0)
		return 0;
	/* Piecewise linear power through the samples, constant beyond the ends. */
	for (size_t i = 0; i + 1 < n; i++) {
		double a = t[i] > t0 ? t[i] : t0, b = t[i + 1] < t1 ? t[i + 1] : t1;
		double dt = t[i + 1] - t[i];
		if (b <= a || dt <= 0)
			continue;
		double wa = w[i] + (w[i + 1] - w[i]) * (a - t[i]) / dt;
		double wb = w[i] + (w[i + 1] - w[i]) * (b - t[i]) / dt;
		e += 0.5 * (wa + wb) * (b - a);
	}
	if (t0 < t[0])
		e += w[0] * ((t1 < t[0] ? t1 : t[0]) - t0);
	if (t1 > t[n - 1])
		e += w[n - 1] * (t1 - (t0 > t[n - 1] ? t0 : t[n - 1]));
	return e;
}

/* ------------------------------------------------------------------ sampler */

enum { SRC_RAPL, SRC_NVSMI, SRC_TEGRA };
#define MAX_ZONES 16

struct gr_power {
	int kind;
	const char *name;
	pthread_t thread;
	int thread_started;
	pthread_mutex_t mu;
	pthread_cond_t grew;
	volatile int stop;
	/* the curve: cumulative joules at time t */
	double *t, *e;
	size_t n, cap;
	double last_w; /* streaming sources: last power, for the trapezoid */
	/* RAPL */
	int nzones;
	char zone[MAX_ZONES][512];
	uint64_t last_uj[MAX_ZONES], max_uj[MAX_ZONES];
	/* command sources */
	pid_t pid;
	int fd;
};

static void push(gr_power *p, double t, double e)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 1024;
		double *nt = realloc(p->t, cap * sizeof(double)), *ne;
		if (!nt)
			return;
		p->t = nt;
		if (!(ne = realloc(p->e, cap * sizeof(double))))
			return;
		p->e = ne;
		p->cap = cap;
	}
	p->t[p->n] = t;
	p->e[p->n] = e;
	p->n++;
	pthread_cond_broadcast(&p->grew);
}

static int read_u64(const char *path, uint64_t *v)
{
	char buf[64];
	int fd = open(path, O_RDONLY);
	ssize_t k;
	if (fd < 0)
		return 0;
	k = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (k <= 0)
		return 0;
	buf[k] = 0;
	if (!isdigit((unsigned char)buf[0]))
		return 0;
	*v = strtoull(buf, NULL, 10);
	return 1;
}

/* Caller holds mu. */
static void rapl_sample(gr_power *p)
{
	double now = gr_bench_now(), add = 0;
	for (int i = 0; i < p->nzones; i++) {
		char path[600];
		uint64_t v;
		snprintf(path, sizeof(path), "%s/energy_uj", p->zone[i]);
		if (!read_u64(path, &v))
			continue;
		add += (double)gr_rapl_delta(p->last_uj[i], v, p->max_uj[i]) * 1e-6;
		p->last_uj[i] = v;
	}
	push(p, now, (p->n ? p->e[p->n - 1] : 0) + add);
}

static void *rapl_thread(void *arg)
{
	gr_power *p = arg;
	/* 20 Hz: also catches more than one wrap on fast-wrapping counters. */
	struct timespec ts = {0, 50 * 1000 * 1000};
	while (!p->stop) {
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&p->mu);
		rapl_sample(p);
		pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

static void *line_thread(void *arg)
{
	gr_power *p = arg;
	char buf[8192];
	size_t have = 0;
	for (;;) {
		ssize_t k = read(p->fd, buf + have, sizeof(buf) - 1 - have);
		char *nl, *start;
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		have += (size_t)k;
		buf[have] = 0;
		start = buf;
		while ((nl = strchr(start, '\n'))) {
			double w, now = gr_bench_now();
			int ok;
			*nl = 0;
			if (p->kind == SRC_NVSMI)
				ok = gr_nvsmi_parse(start, &w);
			else {
				gr_power_rail rails[32];
				ok = gr_tegrastats_parse(start, rails, 32, &w) > 0;
			}
			if (ok) {
				pthread_mutex_lock(&p->mu);
				if (p->n == 0)
					push(p, now, 0);
				else
					push(p, now, p->e[p->n - 1] +
						     0.5 * (w + p->last_w) * (now - p->t[p->n - 1]));
				p->last_w = w;
				pthread_mutex_unlock(&p->mu);
			}
			start = nl + 1;
		}
		have = strlen(start);
		memmove(buf, start, have);
		if (have >= sizeof(buf) - 1) /* a line longer than the buffer: drop it */
			have = 0;
	}
	return NULL;
}

static gr_status rapl_open(gr_power *p, gr_error *err)
{
	const char *root = getenv("GRAPHS_POWERCAP_ROOT");
	DIR *d;
	struct dirent *de;
	int packages = 0;
	char psys[512] = "";

	if (!root || !*root)
		root = "/sys/class/powercap";
	if (!(d = opendir(root)))
		return gr_error_set(err, GR_ERR_NOT_FOUND, "no rapl: cannot read '%s'", root);
	/* Top-level zones "intel-rapl:N" (AMD's RAPL registers under the same name); their
	 * subzones (core, uncore, dram) are parts of the package and would double count. */
	while ((de = readdir(d)) && p->nzones < MAX_ZONES) {
		char path[600], name[64] = "";
		const char *c = strchr(de->d_name, ':');
		uint64_t v;
		FILE *f;
		if (!c || strchr(c + 1, ':'))
			continue;
		snprintf(path, sizeof(path), "%s/%s/energy_uj", root, de->d_name);
		if (!read_u64(path, &v))
			continue;
		snprintf(path, sizeof(path), "%s/%s/name", root, de->d_name);
		if ((f = fopen(path, "r"))) {
			if (fgets(name, sizeof(name), f))
				name[strcspn(name, "\n")] = 0;
			fclose(f);
		}
		if (!strcmp(name, "psys")) { /* whole platform: use only when no package zone */
			snprintf(psys, sizeof(psys), "%s/%s", root, de->d_name);
			continue;
		}
		snprintf(p->zone[p->nzones], sizeof(p->zone[0]), "%s/%s", root, de->d_name);
		p->nzones++;
		packages++;
	}
	closedir(d);
	if (!packages && psys[0])
		snprintf(p->zone[p->nzones++], sizeof(p->zone[0]), "%s", psys);
	if (!p->nzones)
		return gr_error_set(err, GR_ERR_NOT_FOUND, "no readable rapl zone under '%s'", root);
	for (int i = 0; i < p->nzones; i++) {
		char path[600];
		snprintf(path, sizeof(path), "%s/max_energy_range_uj", p->zone[i]);
		if (!read_u64(path, &p->max_uj[i]))
			p->max_uj[i] = 0;
		snprintf(path, sizeof(path), "%s/energy_uj", p->zone[i]);
		read_u64(path, &p->last_uj[i]);
	}
	push(p, gr_bench_now(), 0);
	return GR_OK;
}

static int on_path(const char *cmd)
{
	const char *path = getenv("PATH");
	char buf[1024];
	if (strchr(cmd, '/'))
		return access(cmd, X_OK) == 0;
	while (path && *path) {
		size_t l = strcspn(path, ":");
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)l, path, cmd);
		if (access(buf, X_OK) == 0)
			return 1;
		path += l + (path[l] == ':');
	}
	return 0;
}

static gr_status cmd_open(gr_power *p, gr_error *err)
{
	const char *cmd;
	char *argv[8];
	int fds[2];
	posix_spawn_file_actions_t fa;
	int rc;

	if (p->kind == SRC_NVSMI) {
		cmd = getenv("GRAPHS_NVIDIA_SMI");
		if (!cmd || !*cmd)
			cmd = "nvidia-smi";
		argv[0] = (char *)cmd;
		argv[1] = "--query-gpu=power.draw";
		argv[2] = "--format=csv,noheader,nounits";
		argv[3] = "--id=0";
		argv[4] = "-lms";
		argv[5] = "100";
		argv[6] = NULL;
	} else {
		cmd = getenv("GRAPHS_TEGRASTATS");
		if (!cmd || !*cmd)
			cmd = "tegrastats";
		argv[0] = (char *)cmd;
		argv[1] = "--interval";
		argv[2] = "100";
		argv[3] = NULL;
	}
	if (!on_path(cmd))
		return gr_error_set(err, GR_ERR_NOT_FOUND, "no %s: '%s' not found", p->name, cmd);
	if (pipe2(fds, O_CLOEXEC))
		return gr_error_set(err, GR_ERR_IO, "cannot start '%s': %s", cmd, strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&p->pid, cmd, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc) {
		close(fds[0]);
		return gr_error_set(err, GR_ERR_IO, "cannot start '%s': %s", cmd, strerror(rc));
	}
	p->fd = fds[0];
	return GR_OK;
}

gr_status gr_power_open(const char *source, const char *device, gr_power **out, gr_error *err)
{
	gr_power *p;
	gr_status rc;
	int autopick = !source || !strcmp(source, "auto");

	*out = NULL;
	if (source && !strcmp(source, "none"))
		return GR_OK;
	if (autopick) {
		const char *order_cpu[] = {"rapl", NULL};
		const char *order_gpu[] = {"nvidia-smi", "tegrastats", NULL};
		const char **o = device && !strcmp(device, "cuda") ? order_gpu : order_cpu;
		for (; *o; o++)
			if (gr_power_open(*o, device, out, NULL) == GR_OK)
				return GR_OK;
		return GR_OK; /* no sensor: the records say power_source "none" */
	}
	if (!(p = calloc(1, sizeof(*p))))
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->grew, NULL);
	p->fd = -1;
	if (!strcmp(source, "rapl")) {
		p->kind = SRC_RAPL;
		p->name = "rapl";
		rc = rapl_open(p, err);
	} else if (!strcmp(source, "nvidia-smi")) {
		p->kind = SRC_NVSMI;
		p->name = "nvidia-smi";
		rc = cmd_open(p, err);
	} else if (!strcmp(source, "tegrastats")) {
		p->kind = SRC_TEGRA;
		p->name = "tegrastats";
		rc = cmd_open(p, err);
	} else
		rc = gr_error_set(err, GR_ERR_USAGE,
				  "unknown power source '%s' (use auto, none, rapl, nvidia-smi or "
				  "tegrastats)", source);
	if (!rc && pthread_create(&p->thread, NULL, p->kind == SRC_RAPL ? rapl_thread : line_thread,
				  p))
		rc = gr_error_set(err, GR_ERR_NOMEM, "cannot start the power sampler thread");
	else if (!rc)
		p->thread_started = 1;
	if (rc) {
		gr_power_close(p);
		return rc;
	}
	*out = p;
	return GR_OK;
}

const char *gr_power_source(const gr_power *p)
{
	return p ? p->name : "none";
}

double gr_power_mark(gr_power *p)
{
	double now;
	if (p && p->kind == SRC_RAPL) {
		pthread_mutex_lock(&p->mu);
		rapl_sample(p);
		now = p->t[p->n - 1];
		pthread_mutex_unlock(&p->mu);
		return now;
	}
	return gr_bench_now();
}

/* Cumulative energy at time t, linear between samples. Caller holds mu; needs n >= 1. */
static double energy_at(const gr_power *p, double t)
{
	size_t lo = 0, hi = p->n - 1;
	if (t <= p->t[0])
		return p->e[0];
	if (t >= p->t[hi])
		return p->e[hi];
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (p->t[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	if (p->t[hi] <= p->t[lo])
		return p->e[lo];
	return p->e[lo] + (p->e[hi] - p->e[lo]) * (t - p->t[lo]) / (p->t[hi] - p->t[lo]);
}

gr_status gr_power_energy(gr_power *p, double t0, double t1, double *joules, int *n_samples,
			  gr_error *err)
{
	struct timespec deadline;
	int cnt = 0;
	if (!p)
		return gr_error_set(err, GR_ERR_UNSUPPORTED, "no power sensor");
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 2;
	pthread_mutex_lock(&p->mu);
	/* Streaming sources report late: wait (bounded) for a sample past the region. */
	while ((!p->n || p->t[p->n - 1] < t1) && p->kind != SRC_RAPL)
		if (pthread_cond_timedwait(&p->grew, &p->mu, &deadline) == ETIMEDOUT)
			break;
	if (!p->n || p->t[0] > t0 || p->t[p->n - 1] < t1) {
		pthread_mutex_unlock(&p->mu);
		return gr_error_set(err, GR_ERR_UNSUPPORTED, "%s samples do not cover the region",
				    p->name);
	}
	*joules = energy_at(p, t1) - energy_at(p, t0);
	for (size_t i = 0; i < p->n; i++)
		cnt += p->t[i] >= t0 && p->t[i] <= t1;
	pthread_mutex_unlock(&p->mu);
	if (n_samples)
		*n_samples = cnt;
	return GR_OK;
}

gr_status gr_power_idle(gr_power *p, double seconds, double *watts, gr_error *err)
{
	double t0, t1, j;
	struct timespec ts;
	gr_status rc;
	if (!p)
		return gr_error_set(err, GR_ERR_UNSUPPORTED, "no power sensor");
	/* Streaming sources need a sample before the window starts. */
	if (p->kind != SRC_RAPL) {
		double until = gr_bench_now() + 2;
		for (;;) {
			pthread_mutex_lock(&p->mu);
			size_t n = p->n;
			pthread_mutex_unlock(&p->mu);
			if (n || gr_bench_now() > until)
				break;
			ts.tv_sec = 0;
			ts.tv_nsec = 20 * 1000 * 1000;
			nanosleep(&ts, NULL);
		}
	}
	t0 = gr_power_mark(p);
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
	t1 = gr_power_mark(p);
	if ((rc = gr_power_energy(p, t0, t1, &j, NULL, err)))
		return rc;
	*watts = j / (t1 - t0);
	return GR_OK;
}

void gr_power_close(gr_power *p)
{
	if (!p)
		return;
	p->stop = 1;
	if (p->pid > 0)
		kill(p->pid, SIGTERM);
	if (p->thread_started)
		pthread_join(p->thread, NULL);
	if (p->pid > 0)
		waitpid(p->pid, NULL, 0);
	if (p->fd >= 0)
		close(p->fd);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->grew);
	free(p->t);
	free(p->e);
	free(p);
}
