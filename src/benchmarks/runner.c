/* Model runner: spawns tools/torch_runner.py (Debian's /usr/bin/python3) once per model, reads
 * its JSON lines, computes statistics with stats.c and stores one record per model and layer.
 * On a stop request it waits for the record being measured, then ends the child. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "benchmarks/bench_impl.h"
#include "graphs/version.h"

extern char **environ;

static const char *default_models(int quick)
{
	return quick ? "resnet18,mobilenet_v2" : "resnet18,resnet50,mobilenet_v2,efficientnet_b0,vgg16,"
						 "densenet121,vit_b_16,convnext_tiny";
}

/* What `graphs calibrate` needs to fit every op class of CNNs: dense 3x3/7x7 and 1x1 convs,
 * residual adds, batch norm, max and global pooling and a classifier (resnet18); depthwise convs
 * and relu6 (mobilenet_v2); fire modules, concat and a conv classifier (squeezenet1_1); channel
 * split, shuffle (transpose) and small convs (shufflenet_v2_x0_5); squeeze-excitation (sigmoid,
 * SiLU, mul, global pooling) with 5x5 depthwise (efficientnet_b0); inception branches, 5x5 conv,
 * many concats and max pools (googlenet); and of transformers: attention's activation matmuls,
 * softmax and head transposes (each attention module timed whole), layer norm, GELU and linear
 * layers on tokens (vit_b_32, the cheapest transformer of the zoo: 50 tokens). Three rounds of
 * all seven per layer take 6-14 minutes on 2 shared cores (docs/benchmark.md). */
const char *gr_bench_calibration_models(int quick)
{
	return quick ? "resnet18,mobilenet_v2,squeezenet1_1"
		     : "resnet18,mobilenet_v2,squeezenet1_1,shufflenet_v2_x0_5,efficientnet_b0,googlenet,"
		       "vit_b_32";
}

static double json_num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const char *json_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

typedef struct runner_ctx {
	gr_bench_store *s;
	int64_t run_id;
	const gr_bench_opts *o;
	int *done;
	int records; /* model/layer records of the current child */
} runner_ctx;

/* One JSON line. Returns 1 when a measurement record was stored. */
static gr_status handle_line(runner_ctx *x, const char *line, int *stored, gr_error *err)
{
	cJSON *j = cJSON_Parse(line);
	const char *type;
	gr_status rc = GR_OK;
	*stored = 0;
	if (!j) /* not ours (a library printing to stdout): ignore */
		return GR_OK;
	type = json_str(j, "type");
	if (!type)
		goto out;
	if (!strcmp(type, "meta")) {
		rc = gr_bench_store_update_run(x->s, x->run_id, json_str(j, "torch"),
					       json_str(j, "gpu"), err);
	} else if (!strcmp(type, "model") || !strcmp(type, "layer") || !strcmp(type, "error")) {
		int is_model = !strcmp(type, "model"), is_layer = !strcmp(type, "layer");
		const cJSON *smp = cJSON_GetObjectItemCaseSensitive(j, "samples_ms"), *e;
		gr_bench_record r;
		char name[256], note[300] = "", *params = NULL;
		const char *model = json_str(j, "model");
		double *v = NULL;
		size_t n = 0;
		cJSON *pj = cJSON_CreateObject();

		gr_bench_record_init(&r);
		r.kind = is_layer ? "layer" : "model";
		r.backend = "torch";
		r.device = json_str(j, "device") ? json_str(j, "device") : x->o->device;
		r.model = model;
		r.precision = json_str(j, "precision");
		if (isfinite(json_num(j, "batch")))
			r.batch = (int64_t)json_num(j, "batch");
		if (is_layer) {
			snprintf(name, sizeof(name), "%s:%s", model ? model : "?",
				 json_str(j, "name") ? json_str(j, "name") : "?");
			r.subgraph = (int64_t)json_num(j, "index");
			r.pattern = json_str(j, "optype");
			r.optype = json_str(j, "optype");
			/* a module timed whole (attention) names its submodules too */
			r.nodes = json_str(j, "nodes") ? json_str(j, "nodes") : json_str(j, "name");
		} else
			snprintf(name, sizeof(name), "%s", model ? model : "runner");
		r.name = name;
		r.flops = json_num(j, "flops") > 0 ? json_num(j, "flops") : NAN;
		r.bytes = json_num(j, "bytes") > 0 ? json_num(j, "bytes") : NAN;
		if (is_model && isfinite(json_num(j, "layers")))
			r.subgraph = (int64_t)json_num(j, "layers"); /* model rows: layer count */
		if (isfinite(json_num(j, "threads")))
			r.threads = (int)json_num(j, "threads");
		if (isfinite(json_num(j, "peak_rss_bytes")))
			r.peak_rss_bytes = (int64_t)json_num(j, "peak_rss_bytes");
		if (isfinite(json_num(j, "cuda_max_alloc_bytes")))
			r.cuda_max_alloc_bytes = (int64_t)json_num(j, "cuda_max_alloc_bytes");
		r.power_source = gr_power_source(x->o->power);
		r.idle_power_w = x->o->idle_power_w;
		if (cJSON_GetObjectItemCaseSensitive(j, "input"))
			cJSON_AddItemToObject(pj, "input",
					      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(j, "input"), 1));
		cJSON_AddStringToObject(pj, "runner", "tools/torch_runner.py");
		/* how much other work ran beside it: judged per round by src/cli/rounds.c */
		if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "disturb")))
			cJSON_AddItemToObject(pj, "disturb",
					      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(j, "disturb"), 1));
		params = cJSON_PrintUnformatted(pj);
		r.params = params;
		if (!strcmp(type, "error")) {
			r.supported = 0;
			r.note = json_str(j, "message");
			if (!model) { /* the runner itself failed (no torch, no cuda) */
				rc = gr_error_set(err, GR_ERR_UNSUPPORTED, "torch runner: %s",
						  r.note ? r.note : "failed");
				goto rec_out;
			}
		} else if (cJSON_IsArray(smp) && (n = (size_t)cJSON_GetArraySize(smp)) > 0 &&
			   (v = malloc(n * sizeof(double)))) {
			size_t i = 0;
			cJSON_ArrayForEach(e, smp)
				v[i++] = cJSON_IsNumber(e) ? e->valuedouble * 1e-3 : NAN;
			if (gr_bench_stats_compute(v, n, &r.st, NULL) == GR_OK) {
				r.has_stats = 1;
				r.inner = 1;
				if (isfinite(r.flops)) {
					r.rate = r.flops / r.st.median * 1e-9;
					r.rate_unit = "GFLOP/s";
				}
			}
			if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "quiet"))) {
				/* the per-layer pass's pieces, each at its best: what calibrate's minimum
				 * should see of a model on a machine busy with other work */
				snprintf(note, sizeof(note), "quiet: per-layer pass, sum of each layer's and "
					 "gap's minimum over %d iterations, less %.2f us of hooks per call",
					 (int)json_num(j, "iters"), json_num(j, "hook_us"));
				r.note = note;
			} else if (is_model) {
				bench_fill_power(x->o, &r, json_num(j, "t_start"), json_num(j, "t_end"),
						 (double)n, note, sizeof(note));
			}
			if (is_model && gr_bench_stats_rel_ci(&r.st) > 0.02 && !r.note)
				r.note = "time budget ended before the median's 95% ci reached 2%";
		}
		rc = gr_bench_store_add(x->s, x->run_id, &r, NULL, err);
		if (!rc) {
			(*x->done)++;
			x->records++;
			*stored = 1;
		}
rec_out:
		free(v);
		cJSON_free(params);
		cJSON_Delete(pj);
	}
out:
	cJSON_Delete(j);
	return rc;
}

static gr_status run_child(runner_ctx *x, const char *model, gr_error *err)
{
	const gr_bench_opts *o = x->o;
	char threads[16], *argv[32], runner[1024];
	const char *py = o->python ? o->python : getenv("GRAPHS_PYTHON");
	int argc = 0, fds[2], status = 0, stopping = 0;
	pid_t pid;
	posix_spawn_file_actions_t fa;
	FILE *in;
	char *line = NULL;
	size_t cap = 0;
	gr_status rc = GR_OK;

	if (!py || !*py)
		py = "/usr/bin/python3";
	if (o->runner)
		snprintf(runner, sizeof(runner), "%s", o->runner);
	else if (getenv("GRAPHS_TORCH_RUNNER"))
		snprintf(runner, sizeof(runner), "%s", getenv("GRAPHS_TORCH_RUNNER"));
	else
		snprintf(runner, sizeof(runner), "%s/tools/torch_runner.py", gr_data_dir());
	if (access(runner, R_OK))
		return gr_error_set(err, GR_ERR_NOT_FOUND, "cannot read the torch runner '%s'", runner);
	snprintf(threads, sizeof(threads), "%d", o->threads > 0 ? o->threads : 0);
	argv[argc++] = (char *)py;
	argv[argc++] = runner;
	argv[argc++] = "--models";
	argv[argc++] = (char *)model;
	argv[argc++] = "--batch";
	argv[argc++] = (char *)(o->batches ? o->batches : "1");
	argv[argc++] = "--precision";
	argv[argc++] = (char *)(o->precisions ? o->precisions : "fp32");
	argv[argc++] = "--device";
	argv[argc++] = (char *)(o->device ? o->device : "cpu");
	/* 0: torch's own default thread count, which is what a user's PyTorch runs with (it can be
	 * below the online CPUs: Debian's torch picks 1 on a 2-vCPU VM) */
	argv[argc++] = "--threads";
	argv[argc++] = threads;
	if (o->quick) {
		argv[argc++] = "--budget-s";
		argv[argc++] = "1.5";
		argv[argc++] = "--min-iters";
		argv[argc++] = "5";
	}
	if (o->per_layer)
		argv[argc++] = "--per-layer";
	argv[argc] = NULL;

	if (pipe2(fds, O_CLOEXEC))
		return gr_error_set(err, GR_ERR_IO, "cannot start the torch runner: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	rc = (gr_status)posix_spawn(&pid, py, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc) {
		close(fds[0]);
		return gr_error_set(err, GR_ERR_IO, "cannot run '%s': %s", py, strerror((int)rc));
	}
	in = fdopen(fds[0], "r");
	x->records = 0;
	for (;;) {
		int stored;
		ssize_t len;
		errno = 0;
		len = in ? getline(&line, &cap, in) : -1;
		if (len < 0) /* EOF (the CLI's SIGINT handler uses SA_RESTART: no EINTR here) */
			break;
		if ((rc = handle_line(x, line, &stored, err)))
			break;
		if (o->stop && *o->stop)
			stopping = 1;
		if (stopping && stored)
			break;
	}
	free(line);
	kill(pid, SIGTERM); /* finished children have exited already; the rest stop here */
	if (in)
		fclose(in);
	else
		close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!rc && !stopping && (!WIFEXITED(status) || WEXITSTATUS(status)) && x->records == 0)
		rc = gr_error_set(err, GR_ERR_UNSUPPORTED, "torch runner for '%s' failed (exit %d)",
				  model, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return rc;
}

gr_status gr_bench_run_torch(gr_bench_store *s, int64_t run_id, const gr_bench_opts *o, int *done,
			     gr_error *err)
{
	const char *list = o->models ? o->models : default_models(o->quick);
	runner_ctx x = {s, run_id, o, done, 0};
	char model[128];
	int total = 0, i = 0;
	gr_status rc = GR_OK;
	double started = gr_bench_now();

	*done = 0;
	for (const char *p = list; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ','))
		total++;
	/* One child per model: peak RSS is then the model's own, and a stop lands between. */
	for (const char *p = list; *p && !rc; i++) {
		size_t n = strcspn(p, ",");
		snprintf(model, sizeof(model), "%.*s", (int)(n < sizeof(model) ? n : sizeof(model) - 1),
			 p);
		p += n + (p[n] == ',');
		if (!model[0])
			continue;
		if (o->stop && *o->stop)
			break;
		if (o->filter && !bench_selected(o->filter, model))
			continue;
		if (o->progress) {
			double el = gr_bench_now() - started;
			o->progress(o->progress_user, i, total, model, i ? el / i * (total - i) : -1);
		}
		rc = run_child(&x, model, err);
	}
	if (o->progress && !rc)
		o->progress(o->progress_user, total, total, "", 0);
	return rc;
}
