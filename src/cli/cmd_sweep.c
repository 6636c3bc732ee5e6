/* graphs sweep: estimates a grid of models x batches x platforms x precisions x runtimes, one
 * row per point in a fixed order (graphs/sweep.h), shardable by point index. Each model is
 * loaded, inferred and partitioned once per batch (and runtime) and reused across platforms;
 * each platform's calibration profile is looked up once per precision and runtime. */
#include <getopt.h>
#include <pthread.h>
#include <unistd.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/estimate_common.h"
#include "cli/hwctx.h"
#include "core/outfile.h"
#include "graphs/sweep.h"
#include "graphs/zoo.h"

static const char sweep_usage[] =
	"usage: graphs sweep MODELS --hw LIST|all [--batch LIST] [--precision LIST|native]\n"
	"                    [--runtime LIST] [--shard I/N] [--format table|json|csv|markdown|html]\n"
	"                    [--out FILE] [--no-calibration] [--no-transfer] [--stats] [--jobs N]\n\n"
	"Estimates every point of the grid MODELS x batches x platforms x precisions x runtimes and\n"
	"prints one row per point: model, hardware, precision, batch, runtime, status, latency_ms,\n"
	"throughput_per_s, energy_mj, peak_memory_bytes, confidence, lower_bound, reason.\n\n"
	"  MODELS           comma-separated zoo names or model files, or all (every zoo model)\n"
	"  --hw LIST        platforms from 'graphs hw list', comma-separated (each with an optional\n"
	"                   :MODE), or all (every platform at its default settings)\n"
	"  --batch LIST     batch sizes, comma-separated (default 1)\n"
	"  --precision P    precisions, comma-separated, or native (default): each platform's native\n"
	"                   precisions in the order fp64, fp32, tf32, fp16, bf16, fp8, fp4, int16,\n"
	"                   int8, int4 (its preferred one when it declares none)\n"
	"  --runtime LIST   runtimes of docs/estimate.md, comma-separated (default: each platform's)\n"
	"  --shard I/N      compute only the points whose index is I modulo N (0 <= I < N); join the\n"
	"                   shards' csv or json files with 'graphs merge'\n"
	"  --format F       table (default), csv, json, markdown or html (a page with charts)\n"
	"  --out FILE       write there (through a temporary file) instead of stdout\n"
	"  --no-calibration datasheet roofline only (confidence theoretical)\n"
	"  --no-transfer    no profile borrowed from another platform (docs/transfer.md)\n"
	"  --stats          print the points computed and points per second on stderr\n"
	"  --jobs N         threads, each estimating whole (model, batch) blocks (default: the CPUs\n"
	"                   online); the output is the same for every N\n\n"
	"Order: model, then batch, then platform, then precision, then runtime, as listed (the last\n"
	"varies fastest); the point index counts every point. A point the platform cannot run has\n"
	"status unsupported, a model that does not load at a batch gives status failed, both with\n"
	"the reason and empty figures. docs/sweep.md has examples (Slurm, GNU parallel).\n"
	"Exit codes: 0 ok (whatever the points' status), 2 bad arguments (unknown model, platform,\n"
	"precision or runtime, a malformed list or shard).\n";

#define MAX_RT 16

typedef struct prof_slot {
	int done;
	gr_profile *prof;
} prof_slot;

typedef struct sweep_run {
	gr_sweep_grid g;
	const char **paths;        /* resolved model arguments */
	int *modes;
	const char **rt_names;     /* runtime of each platform when --runtime is not given */
	prof_slot *profs;          /* [hw][prec slot][runtime] */
	cli_estimate_args a;
	size_t shard_i, shard_n;
	size_t n_ok, n_unsup, n_failed;
	pthread_mutex_t lock;      /* profile lookups and the block queue */
	pthread_cond_t finished;
	struct block_rows *blocks; /* one per (model, batch), in point order */
	size_t n_blocks, next;
} sweep_run;

/* The rows of one (model, batch) block, computed by a worker and written in order by the main
 * thread; reasons are copies. */
typedef struct block_rows {
	gr_sweep_row *v;
	size_t n, cap;
	int done, rc, wanted;
} block_rows;

static int rows_push(block_rows *b, const gr_sweep_row *r)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		gr_sweep_row *v = realloc(b->v, cap * sizeof(*v));
		if (!v)
			return -1;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n] = *r;
	if (!(b->v[b->n].reason = strdup(r->reason ? r->reason : "")))
		return -1;
	b->n++;
	return 0;
}

static void rows_release(block_rows *b)
{
	for (size_t i = 0; i < b->n; i++)
		free((char *)b->v[i].reason);
	free(b->v);
	b->v = NULL;
	b->n = b->cap = 0;
}

static int bad_arg(const char *fmt, const char *arg)
{
	fprintf(stderr, "graphs: error: sweep: ");
	fprintf(stderr, fmt, arg);
	fputs(" (see 'graphs sweep --help')\n", stderr);
	return EXIT_BAD_INPUT;
}

/* Splits a comma list into strdup'ed parts (*out, count *n); empty items are refused. */
static int split_list(const char *opt, const char *s, char ***out, size_t *n)
{
	char *copy = strdup(s), *save = NULL, *tok;
	size_t cap = strlen(s) / 2 + 2;

	*n = 0;
	*out = calloc(cap, sizeof(char *));
	if (!copy || !*out) {
		free(copy);
		return cli_fail(EXIT_BAD_INPUT, "out of memory");
	}
	if (!*s || s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,")) {
		free(copy);
		fprintf(stderr, "graphs: error: sweep: %s '%s' has an empty item\n", opt, s);
		return EXIT_BAD_INPUT;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		(*out)[(*n)++] = strdup(tok);
	free(copy);
	for (size_t i = 0; i < *n; i++) {
		if (!(*out)[i])
			return cli_fail(EXIT_BAD_INPUT, "out of memory");
		for (size_t j = 0; j < i; j++)
			if (!strcmp((*out)[i], (*out)[j])) {
				fprintf(stderr, "graphs: error: sweep: %s lists '%s' twice\n", opt, (*out)[i]);
				return EXIT_BAD_INPUT;
			}
	}
	return EXIT_OK;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* Whether block b (points b*block ... +block-1) holds a point of the shard. */
static int block_in_shard(const sweep_run *s, size_t b)
{
	size_t first = b * s->g.block, n = s->shard_n;
	return s->g.block >= n || (s->shard_i + n - first % n) % n < s->g.block;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The profile of platform h at precision slot q and runtime slot r, looked up once. */
static const gr_profile *profile_of(sweep_run *s, size_t h, size_t q, size_t r, const char *rt)
{
	size_t nrt = gr_sweep_grid_n_runtimes(&s->g);
	prof_slot *p = &s->profs[(h * GR_PREC_COUNT + q) * nrt + r];
	const gr_profile *prof;

	pthread_mutex_lock(&s->lock); /* cli_profile_for writes s->a: one lookup at a time */
	if (!p->done) {
		s->a.eo.precision = s->g.hw_precs[h * GR_PREC_COUNT + q];
		cli_profile_for(s->g.hw[h], s->modes[h], rt, NULL, &s->a, &p->prof);
		p->done = 1;
	}
	prof = p->prof;
	pthread_mutex_unlock(&s->lock);
	return prof;
}

/* Every point of block (model m, batch bi) in this shard, in order, into out. */
static int run_block(sweep_run *s, size_t m, size_t bi, block_rows *out)
{
	cli_model_opts mo = {0};
	gr_graph *graph = NULL;
	gr_partition *parts[MAX_RT] = {0};
	gr_estimate_cache *caches[MAX_RT] = {0};
	const char *part_rt[MAX_RT] = {0};
	size_t n_parts = 0, nrt = gr_sweep_grid_n_runtimes(&s->g);
	size_t base = (m * s->g.n_batches + bi) * s->g.block;
	int64_t batch = s->g.batches[bi], analysed = batch;
	cli_coverage cov = {0};
	char why[1100] = "";
	gr_error err = {0};
	int rc = EXIT_OK, loaded;

	mo.model = s->paths[m];
	mo.batch = batch;
	loaded = cli_load_model(&mo, &graph, &analysed) == EXIT_OK;
	if (loaded)
		cli_coverage_of(graph, &cov);
	else
		snprintf(why, sizeof(why), "the model did not load or infer at batch %lld (message on stderr)",
			 (long long)batch);
	for (size_t h = 0; h < s->g.n_hw; h++) {
		const gr_hw *hw = s->g.hw[h];
		for (size_t q = 0; q < s->g.hw_n_precs[h]; q++) {
			int prec = s->g.hw_precs[h * GR_PREC_COUNT + q];
			for (size_t r = 0; r < nrt; r++) {
				size_t point = base + s->g.hw_first[h] + q * nrt + r;
				const char *rt = gr_sweep_grid_runtime(&s->g, r);
				gr_partition *part = NULL;
				gr_estimate_cache *cache = NULL;
				gr_estimate *e = NULL;
				gr_estimate_opts eo = {.precision = prec, .runtime = NULL, .amp = 0};
				gr_sweep_row row = {point, s->g.models[m], s->g.hw_specs[h],
						    gr_precision_name((gr_precision)prec), NULL, batch,
						    GR_SWEEP_FAILED, NAN, NAN, NAN, NAN, NULL, 0, why};
				if (point % s->shard_n != s->shard_i)
					continue;
				rt = rt ? rt : s->rt_names[h];
				row.runtime = rt;
				eo.runtime = rt;
				for (size_t k = 0; k < n_parts && !part; k++)
					if (!strcmp(part_rt[k], rt)) {
						part = parts[k];
						cache = caches[k];
					}
				if (loaded && !part && n_parts < MAX_RT) {
					if (gr_partition_build(graph, gr_fusion_rules_find(rt), &part, &err)) {
						snprintf(why, sizeof(why), "%s", err.msg);
					} else if (!(cache = gr_estimate_cache_new(graph, part))) {
						gr_partition_free(part);
						part = NULL;
						snprintf(why, sizeof(why), "out of memory");
					} else {
						part_rt[n_parts] = rt;
						caches[n_parts] = cache;
						parts[n_parts++] = part;
					}
				}
				if (part) {
					const gr_profile *prof = profile_of(s, h, q, r, rt);
					gr_status st = gr_estimate_run_profile_cached(cache, hw, s->modes[h], &eo, prof, &e, &err);
					if (st == GR_OK) {
						row.status = GR_SWEEP_OK;
						row.runtime = e->runtime;
						row.latency_ms = e->latency_s * 1e3;
						row.throughput_per_s = gr_estimate_throughput_per_s(e, analysed);
						row.energy_mj = e->energy_j * 1e3;
						row.peak_memory_bytes = e->peak_memory_bytes;
						row.confidence = gr_confidence_name(e->confidence);
						row.lower_bound = cli_estimate_lower_bound(e, &cov);
						row.reason = "";
					} else {
						row.status = st == GR_ERR_UNSUPPORTED ? GR_SWEEP_UNSUPPORTED : GR_SWEEP_FAILED;
						row.reason = err.msg;
					}
				}
				if (rows_push(out, &row))
					rc = cli_fail(EXIT_BAD_INPUT, "out of memory");
				gr_estimate_free(e);
				if (rc)
					goto done;
			}
		}
	}
done:
	for (size_t k = 0; k < n_parts; k++) {
		gr_estimate_cache_free(caches[k]);
		gr_partition_free(parts[k]);
	}
	gr_graph_free(graph);
	return rc;
}

/* Workers take the next wanted block; blocks are independent (each loads its own graph), and
 * the rows are the same whichever thread computes them. */
static void *worker(void *arg)
{
	sweep_run *s = arg;

	for (;;) {
		size_t i;
		block_rows *b;
		pthread_mutex_lock(&s->lock);
		while (s->next < s->n_blocks && !s->blocks[s->next].wanted)
			s->next++;
		i = s->next++;
		pthread_mutex_unlock(&s->lock);
		if (i >= s->n_blocks)
			return NULL;
		b = &s->blocks[i];
		b->rc = run_block(s, i / s->g.n_batches, i % s->g.n_batches, b);
		pthread_mutex_lock(&s->lock);
		b->done = 1;
		pthread_cond_broadcast(&s->finished);
		pthread_mutex_unlock(&s->lock);
	}
}

/* Runs the wanted blocks on jobs threads and writes their rows in point order. */
static int run_all(sweep_run *s, int jobs, gr_sweep_writer *w)
{
	pthread_t th[64];
	int started = 0, rc = EXIT_OK;
	gr_error err = {0};

	for (size_t i = 0; i < s->n_blocks; i++)
		s->blocks[i].wanted = block_in_shard(s, i);
	for (; started < jobs; started++)
		if (pthread_create(&th[started], NULL, worker, s))
			break;
	if (!started)
		worker(s); /* no thread could start: do it here */
	for (size_t i = 0; i < s->n_blocks; i++) {
		block_rows *b = &s->blocks[i];
		if (!b->wanted)
			continue;
		pthread_mutex_lock(&s->lock);
		while (!b->done)
			pthread_cond_wait(&s->finished, &s->lock);
		pthread_mutex_unlock(&s->lock);
		if (b->rc && !rc)
			rc = b->rc;
		for (size_t k = 0; k < b->n && !rc; k++) {
			s->n_ok += b->v[k].status == GR_SWEEP_OK;
			s->n_unsup += b->v[k].status == GR_SWEEP_UNSUPPORTED;
			s->n_failed += b->v[k].status == GR_SWEEP_FAILED;
			if (gr_sweep_writer_row(w, &b->v[k], &err))
				rc = cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
		}
		rows_release(b);
	}
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	return rc;
}

int cmd_sweep(int argc, char **argv)
{
	static const struct option opts[] = {
		{"hw", required_argument, 0, 'w'}, {"batch", required_argument, 0, 'b'},
		{"precision", required_argument, 0, 'p'}, {"runtime", required_argument, 0, 'r'},
		{"shard", required_argument, 0, 'S'}, {"format", required_argument, 0, 'f'},
		{"out", required_argument, 0, 'o'}, {"no-calibration", no_argument, 0, 'N'},
		{"no-transfer", no_argument, 0, 'T'}, {"stats", no_argument, 0, 's'},
		{"jobs", required_argument, 0, 'j'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *hw_arg = NULL, *batch_arg = "1", *prec_arg = "native", *rt_arg = NULL, *shard_arg = NULL;
	const char *fmt_arg = "table", *outpath = NULL;
	int c, rc = EXIT_OK, fmt, stats = 0, jobs;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int64_t jobs_arg;
	char **models = NULL, **hws = NULL, **batches_s = NULL, **precs_s = NULL, **rts = NULL;
	size_t n_models = 0, n_hw = 0, n_b = 0, n_p = 0, n_rt = 0;
	const char **labels = NULL, **specs = NULL;
	const gr_hw **hwv = NULL;
	int64_t *batches = NULL;
	int precs[GR_PREC_COUNT];
	gr_hw_registry *reg = NULL;
	gr_zoo_entry *zoo = NULL;
	size_t nz = 0;
	sweep_run s;
	gr_sweep_writer *w = NULL;
	gr_outfile of = {0};
	FILE *out = stdout;
	gr_error err = {0};
	char options[64];
	double t0;

	memset(&s, 0, sizeof(s));
	cli_estimate_args_init(&s.a);
	jobs = cpus > 0 ? (int)(cpus < 64 ? cpus : 64) : 1;
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.finished, NULL);
	optind = 1;
	while ((c = getopt_long(argc, argv, "w:b:p:r:S:f:o:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(sweep_usage, stdout);
			return EXIT_OK;
		case 'w': hw_arg = optarg; break;
		case 'b': batch_arg = optarg; break;
		case 'p': prec_arg = optarg; break;
		case 'r': rt_arg = optarg; break;
		case 'S': shard_arg = optarg; break;
		case 'f': fmt_arg = optarg; break;
		case 'o': outpath = optarg; break;
		case 'N': s.a.no_calib = 1; break;
		case 'T': s.a.no_transfer = s.a.eo.no_transfer = 1; break;
		case 's': stats = 1; break;
		case 'j':
			if (!cli_parse_i64(optarg, &jobs_arg) || jobs_arg > 64)
				return bad_arg("--jobs wants an integer from 1 to 64, got '%s'", optarg);
			jobs = (int)jobs_arg;
			break;
		default:
			fputs("graphs: error: sweep: bad option (see 'graphs sweep --help')\n", stderr);
			return EXIT_BAD_INPUT;
		}
	}
	if (optind + 1 != argc)
		return bad_arg("%s (MODELS is one comma-separated argument)",
			       optind >= argc ? "no MODELS given" : "more than one MODELS argument");
	if (!hw_arg)
		return bad_arg("%s", "--hw LIST or --hw all is required");
	fmt = !strcmp(fmt_arg, "html") ? GR_SWEEP_FMT_HTML : gr_format_parse(fmt_arg);
	if (fmt < 0)
		return bad_arg("unknown format '%s' (use table, csv, json, markdown or html)", fmt_arg);
	s.shard_n = 1;
	if (shard_arg && gr_sweep_shard_parse(shard_arg, &s.shard_i, &s.shard_n, &err))
		return bad_arg("%s", err.msg);
	if (outpath && strcmp(outpath, "-") && gr_outfile_check(outpath, &err))
		return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	/* models */
	if (!strcmp(argv[optind], "all")) {
		if (gr_zoo_list(&zoo, &nz, &err))
			return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
		models = calloc(nz + 1, sizeof(char *));
		for (size_t i = 0; models && i < nz; i++)
			models[n_models++] = strdup(zoo[i].name);
	} else if ((rc = split_list("MODELS", argv[optind], &models, &n_models))) {
		goto done;
	}
	labels = calloc(n_models + 1, sizeof(char *));
	s.paths = calloc(n_models + 1, sizeof(char *));
	if (!models || !labels || !s.paths) {
		rc = cli_fail(EXIT_BAD_INPUT, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n_models; i++) {
		char path[4096];
		if (!models[i] || gr_zoo_resolve(models[i], path, sizeof(path), &err)) {
			rc = cli_fail(EXIT_BAD_INPUT, "sweep: %s", models[i] ? err.msg : "out of memory");
			goto done;
		}
		labels[i] = cli_model_label(models[i]);
		s.paths[i] = models[i];
	}
	/* batches */
	if ((rc = split_list("--batch", batch_arg, &batches_s, &n_b)))
		goto done;
	batches = calloc(n_b + 1, sizeof(int64_t));
	for (size_t i = 0; batches && i < n_b; i++)
		if (!cli_parse_i64(batches_s[i], &batches[i]) || batches[i] > ((int64_t)1 << 20)) {
			rc = bad_arg("--batch wants positive integers up to 1048576, got '%s'", batches_s[i]);
			goto done;
		}
	/* precisions */
	if (strcmp(prec_arg, "native")) {
		if ((rc = split_list("--precision", prec_arg, &precs_s, &n_p)))
			goto done;
		for (size_t i = 0; i < n_p; i++)
			if (i >= GR_PREC_COUNT || (precs[i] = gr_precision_parse(precs_s[i])) < 0) {
				rc = bad_arg("unknown precision '%s' (fp64, fp32, tf32, fp16, bf16, fp8, fp4, int16, "
					     "int8, int4, or native alone)", precs_s[i]);
				goto done;
			}
	}
	/* runtimes */
	if (rt_arg) {
		if ((rc = split_list("--runtime", rt_arg, &rts, &n_rt)))
			goto done;
		if (n_rt > MAX_RT) {
			rc = bad_arg("%s", "--runtime lists more than 16 runtimes");
			goto done;
		}
		for (size_t i = 0; i < n_rt; i++) {
			const char *canon = cli_runtime_parse("sweep", rts[i]);
			if (!canon) {
				rc = EXIT_BAD_INPUT;
				goto done;
			}
			free(rts[i]);
			rts[i] = strdup(canon);
		}
	}
	/* platforms */
	if (!(reg = cli_registry_load())) {
		rc = EXIT_BAD_INPUT;
		goto done;
	}
	s.a.reg = reg; /* donors for transfer: loaded once, not at each lookup */
	if (!strcmp(hw_arg, "all")) {
		n_hw = gr_hw_registry_count(reg);
		hws = calloc(n_hw + 1, sizeof(char *));
		for (size_t i = 0; hws && i < n_hw; i++)
			hws[i] = strdup(gr_hw_id(gr_hw_registry_at(reg, i)));
	} else if ((rc = split_list("--hw", hw_arg, &hws, &n_hw))) {
		goto done;
	}
	hwv = calloc(n_hw + 1, sizeof(*hwv));
	specs = calloc(n_hw + 1, sizeof(char *));
	s.modes = calloc(n_hw + 1, sizeof(int));
	s.rt_names = calloc(n_hw + 1, sizeof(char *));
	if (!hws || !hwv || !specs || !s.modes || !s.rt_names) {
		rc = cli_fail(EXIT_BAD_INPUT, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n_hw; i++) {
		if (!hws[i] || cli_resolve_hw(reg, hws[i], &hwv[i], &s.modes[i])) {
			rc = EXIT_BAD_INPUT;
			goto done;
		}
		specs[i] = hws[i];
		s.rt_names[i] = cli_default_runtime(hwv[i], s.modes[i], &s.a);
	}
	snprintf(options, sizeof(options), "%s%s", s.a.no_calib ? "no-calibration;" : "",
		 s.a.no_transfer ? "no-transfer;" : "");
	s.g = (gr_sweep_grid){n_models, labels, n_b, batches, n_hw, hwv, specs, n_p, precs, n_rt,
			      (const char *const *)rts, options, NULL, NULL, NULL, 0, 0, ""};
	if (gr_sweep_grid_init(&s.g, &err)) {
		rc = bad_arg("%s", err.msg);
		goto done;
	}
	s.profs = calloc(n_hw * GR_PREC_COUNT * gr_sweep_grid_n_runtimes(&s.g) + 1, sizeof(prof_slot));
	if (outpath && strcmp(outpath, "-")) {
		if (gr_outfile_open(&of, outpath, &err)) {
			rc = cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
			goto done;
		}
		out = of.f;
	}
	if (!s.profs || !(w = gr_sweep_writer_new(&s.g, fmt, NULL, out))) {
		rc = cli_fail(EXIT_BAD_INPUT, "out of memory");
		goto done;
	}
	t0 = now_s();
	s.n_blocks = n_models * n_b;
	if (!(s.blocks = calloc(s.n_blocks, sizeof(*s.blocks)))) {
		rc = cli_fail(EXIT_BAD_INPUT, "out of memory");
		goto done;
	}
	rc = run_all(&s, jobs, w);
	if (gr_sweep_writer_end(w, &err) && !rc)
		rc = cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	w = NULL;
	if (stats) {
		double t = now_s() - t0;
		size_t n = s.n_ok + s.n_unsup + s.n_failed;
		fprintf(stderr, "sweep: %zu of %zu points (%zu ok, %zu unsupported, %zu failed) in %.3f s: "
			"%.0f points/s\n", n, s.g.points, s.n_ok, s.n_unsup, s.n_failed, t, t > 0 ? n / t : 0);
	}
	if (out != stdout) {
		if (rc)
			gr_outfile_abort(&of);
		else if (gr_outfile_commit(&of, &err))
			rc = cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
		out = stdout;
	} else {
		fflush(stdout);
	}
done:
	if (w)
		gr_sweep_writer_end(w, &err);
	if (out != stdout && rc)
		gr_outfile_abort(&of);
	for (size_t i = 0; s.profs && i < n_hw * GR_PREC_COUNT * gr_sweep_grid_n_runtimes(&s.g); i++)
		gr_profile_free(s.profs[i].prof);
	free(s.profs);
	for (size_t i = 0; s.blocks && i < s.n_blocks; i++)
		rows_release(&s.blocks[i]);
	free(s.blocks);
	gr_sweep_grid_release(&s.g);
	free_list(models, n_models);
	free_list(hws, n_hw);
	free_list(batches_s, n_b);
	free_list(precs_s, n_p);
	free_list(rts, n_rt);
	free(labels);
	free(specs);
	free(hwv);
	free(batches);
	free(s.paths);
	free(s.modes);
	free(s.rt_names);
	free(zoo);
	gr_hw_registry_free(reg);
	pthread_cond_destroy(&s.finished);
	pthread_mutex_destroy(&s.lock);
	return rc;
}
