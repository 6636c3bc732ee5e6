/* graphs benchmark: runs the calibration suite (default: the models calibrate needs, per layer,
 * in alternating rounds), the micro suite (C kernels on OpenBLAS/oneDNN/native loops) and the
 * model suite (PyTorch runner) into a SQLite store; also imports/exports ground-truth CSV.
 * Ctrl-C stops after the current measurement; every finished record is already committed. */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/rounds.h"
#include "core/benchlib.h"
#include "graphs/report.h"

static const char bench_help[] =
	"usage: graphs benchmark [--suite calibration|micro|models|all] [--quick] [--hw ID|host]\n"
	"                        [--backend native|torch|onnxruntime] [--device cpu|cuda]\n"
	"                        [--threads N] [--cpus LIST] [--db FILE] [--format table|json]\n"
	"                        [--filter GLOBS] [--models LIST] [--batch LIST] [--precision LIST]\n"
	"                        [--per-layer] [--rounds N]\n"
	"                        [--power auto|none|rapl|nvidia-smi|tegrastats]\n"
	"       graphs benchmark --list [--suite ...] [--quick] [--filter GLOBS]\n"
	"       graphs benchmark --db FILE --show [--format table|json]\n"
	"       graphs benchmark --db FILE --import CSV\n"
	"       graphs benchmark --db FILE --export models|subgraphs [--hw ID]\n\n"
	"Measures this machine and stores every result, with the platform fingerprint (CPU,\n"
	"clocks, governor, turbo, kernel, OpenBLAS/oneDNN/torch versions, threads, affinity), in a\n"
	"SQLite database (default graphs-bench.db). Each finished measurement is committed at once,\n"
	"so Ctrl-C (stops after the current measurement, exit 130) or a crash keeps what was done.\n\n"
	"  --suite S        calibration (default): what 'graphs calibrate' needs, seven small\n"
	"                   torchvision models chosen to cover the op classes (six CNNs and\n"
	"                   vit_b_32), timed per layer through PyTorch in 3 alternating rounds\n"
	"                   (6-14 minutes on 2 cores);\n"
	"                   micro: GEMM, conv2d, attention, elementwise, reduction, memory\n"
	"                   bandwidth and latency kernels; models: torchvision models through\n"
	"                   PyTorch; all: micro and models (default with --backend native: micro,\n"
	"                   with --backend torch: models)\n"
	"  --quick          short sweeps and time budgets (micro: under a minute on 2 cores;\n"
	"                   calibration: 3 models, 2 rounds)\n"
	"  --hw ID          registry id to file the results under (default host)\n"
	"  --backend B      native: the C micro suite; torch: tools/torch_runner.py;\n"
	"                   onnxruntime: not available in this build\n"
	"  --device D       cpu (default) or cuda (models suite only)\n"
	"  --threads N      threads for OpenBLAS, oneDNN, native kernels and torch (default: all\n"
	"                   online CPUs; torch: its own default, as a user's PyTorch runs)\n"
	"  --cpus LIST      pin to these CPUs, e.g. 0 or 0-3 or 0,2 (sched_setaffinity)\n"
	"  --filter GLOBS   only cases (or models) matching one of these comma-separated globs\n"
	"  --models LIST    models suite: torchvision names (default resnet18,mobilenet_v2 with\n"
	"                   --quick)\n"
	"  --batch LIST     models suite: batch sizes (default 1)\n"
	"  --precision LIST models suite: fp32,bf16,fp16 (default fp32)\n"
	"  --per-layer      models suite: also time every layer (forward hooks; on in calibration)\n"
	"  --rounds N       models: time the model list N times over, each round its own run, so\n"
	"                   that the minimum ('graphs calibrate' fits it) sees the machine's quiet\n"
	"                   moments (default 3 for calibration, 2 with --quick; else 1); with 2 or\n"
	"                   more, a model whose minimum no second undisturbed round confirmed\n"
	"                   within 3% gets extra rounds, up to twice N (the table's 'minimum'\n"
	"                   column and a warning say which stayed unconfirmed)\n"
	"  --power SRC      energy source (default auto: RAPL for cpu, nvidia-smi or tegrastats\n"
	"                   for cuda); without a sensor the records say power_source 'none'\n"
	"  --list           print the selected micro cases and exit\n"
	"  --show           print every stored measurement and exit\n"
	"  --import CSV     import a ground-truth models.csv or subgraphs.csv\n"
	"  --export WHICH   write stored model or subgraph/layer records in that CSV format\n\n"
	"Progress and ETA go to stderr when it is a terminal. See docs/benchmark.md.\n";

static volatile sig_atomic_t stop_flag;
static const gr_benchlib *B; /* libgraphs-bench, loaded once the options are good */

static void on_signal(int sig)
{
	if (stop_flag) { /* second Ctrl-C: give up at once (records so far are committed) */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	stop_flag = 1;
}

typedef struct progress_state {
	int tty;
	const char *suite;
	int round, rounds;  /* rounds of the model list (0-based round); more may be added */
	int done_prev;      /* model runs of the rounds before this one */
	int planned;        /* model runs of every round planned so far (0: not known yet) */
	int round_total;    /* model runs of this round */
	double started;     /* gr_bench_now() when the first round began */
} progress_state;

/* done/total are the suite's (this round's); with rounds, the bar and the ETA cover them all,
 * extra rounds (a subset of the models) included once they are planned. */
static void progress(void *user, int done, int total, const char *name, double eta)
{
	progress_state *p = user;
	char bar[31], what[40] = "";
	int fill;
	if (total <= 0)
		return;
	p->round_total = total;
	if (!p->planned)
		p->planned = total * p->rounds;
	if (!p->tty)
		return;
	if (p->rounds > 1) {
		double el = B->gr_bench_now() - p->started;
		snprintf(what, sizeof(what), " round %d/%d", p->round + 1, p->rounds);
		done += p->done_prev;
		total = p->planned;
		eta = done > 0 && done < total ? el / done * (total - done) : -1;
	}
	if (done >= total) {
		fputs("\r\033[K", stderr);
		return;
	}
	fill = (int)(30.0 * done / total);
	for (int i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = 0;
	fprintf(stderr, "\r\033[K%s%s [%s] %d/%d %-28.28s", p->suite, what, bar, done, total, name);
	if (eta >= 0)
		fprintf(stderr, " ETA %d:%02d", (int)eta / 60, (int)eta % 60);
	fflush(stderr);
}

typedef struct print_ctx {
	gr_table *t;
	cJSON *arr;
	int64_t n;
} print_ctx;

static void fmt_num(char *buf, size_t n, double x, const char *f)
{
	if (isfinite(x))
		snprintf(buf, n, f, x);
	else
		snprintf(buf, n, "-");
}

static int print_record(const gr_bench_record *r, void *user)
{
	print_ctx *c = user;
	c->n++;
	if (c->arr) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "run", (double)r->run_id);
		cJSON_AddStringToObject(o, "kind", r->kind);
		cJSON_AddStringToObject(o, "name", r->name);
#define S(k, v)                                                                                \
	do {                                                                                   \
		if (v)                                                                         \
			cJSON_AddStringToObject(o, k, v);                                      \
		else                                                                           \
			cJSON_AddNullToObject(o, k);                                           \
	} while (0)
#define D(k, v)                                                                                \
	do {                                                                                   \
		if (isfinite(v))                                                               \
			cJSON_AddNumberToObject(o, k, v);                                      \
		else                                                                           \
			cJSON_AddNullToObject(o, k);                                           \
	} while (0)
		S("backend", r->backend);
		S("device", r->device);
		S("hardware", r->hardware);
		S("precision", r->precision);
		D("batch", r->batch >= 0 ? (double)r->batch : NAN);
		S("dims", r->dims);
		cJSON_AddBoolToObject(o, "supported", r->supported);
		S("note", r->note);
		D("flops", r->flops);
		D("bytes", r->bytes);
		D("n", r->st.n > 0 ? (double)r->st.n : NAN);
		D("median_ms", r->st.median * 1e3);
		D("mean_ms", r->st.mean * 1e3);
		D("std_ms", r->st.std * 1e3);
		D("p5_ms", r->st.p5 * 1e3);
		D("p95_ms", r->st.p95 * 1e3);
		D("min_ms", r->st.min * 1e3);
		D("cv", r->st.cv);
		D("outliers", r->st.outliers >= 0 ? (double)r->st.outliers : NAN);
		D("threads", r->threads >= 0 ? (double)r->threads : NAN);
		D("rate", r->rate);
		S("rate_unit", r->rate_unit);
		S("power_source", r->power_source);
		D("energy_mj", r->energy_mj);
		D("avg_power_w", r->avg_power_w);
		D("idle_power_w", r->idle_power_w);
		D("peak_rss_bytes", r->peak_rss_bytes >= 0 ? (double)r->peak_rss_bytes : NAN);
		D("cuda_max_alloc_bytes",
		  r->cuda_max_alloc_bytes >= 0 ? (double)r->cuda_max_alloc_bytes : NAN);
		if (r->params) {
			cJSON *pj = cJSON_Parse(r->params);
			if (pj)
				cJSON_AddItemToObject(o, "params", pj);
		}
#undef S
#undef D
		cJSON_AddItemToArray(c->arr, o);
	} else if (c->t) {
		char med[32], cv[32], rate[48], energy[32], batch[16];
		fmt_num(med, sizeof(med), r->st.median * 1e3, "%.4g");
		if (!isfinite(r->st.median))
			fmt_num(med, sizeof(med), r->st.mean * 1e3, "%.4g");
		fmt_num(cv, sizeof(cv), r->st.cv * 100, "%.1f%%");
		if (isfinite(r->rate))
			snprintf(rate, sizeof(rate), "%.4g %s", r->rate, r->rate_unit ? r->rate_unit : "");
		else
			snprintf(rate, sizeof(rate), "-");
		fmt_num(energy, sizeof(energy), r->energy_mj, "%.4g");
		snprintf(batch, sizeof(batch), "%lld", (long long)r->batch);
		const char *row[] = {r->name, r->precision ? r->precision : "-",
				     r->batch >= 0 ? batch : "-", r->supported ? med : "unsupported",
				     cv, rate, energy, r->note ? r->note : ""};
		gr_table_add_row(c->t, row);
	}
	return 0;
}

static int print_records(gr_bench_store *s, const int64_t *runs, int n_runs, int fmt, const char *db,
			 FILE *out, const char *status, const gr_bench_platform *pl)
{
	print_ctx c = {0};
	gr_error err = {0};
	int64_t n = 0, run_id = n_runs ? runs[0] : 0;
	if (fmt == GR_FMT_JSON) {
		cJSON *root = cJSON_CreateObject();
		c.arr = cJSON_CreateArray();
		cJSON_AddStringToObject(root, "db", db);
		if (run_id) {
			cJSON_AddNumberToObject(root, "run", (double)run_id);
			if (n_runs > 1) {
				cJSON *ra = cJSON_AddArrayToObject(root, "runs");
				for (int i = 0; i < n_runs; i++)
					cJSON_AddItemToArray(ra, cJSON_CreateNumber((double)runs[i]));
			}
			cJSON_AddStringToObject(root, "status", status);
		}
		if (pl) {
			cJSON *p = cJSON_AddObjectToObject(root, "platform");
			cJSON_AddStringToObject(p, "cpu_model", pl->cpu_model);
			cJSON_AddNumberToObject(p, "cores", pl->cores);
			cJSON_AddNumberToObject(p, "threads", pl->threads);
			cJSON_AddStringToObject(p, "affinity", pl->affinity);
			cJSON_AddStringToObject(p, "governor", pl->governor);
			cJSON_AddStringToObject(p, "turbo", pl->turbo);
			cJSON_AddStringToObject(p, "kernel", pl->kernel);
			cJSON_AddStringToObject(p, "openblas", pl->openblas);
			cJSON_AddStringToObject(p, "onednn", pl->onednn);
			cJSON_AddStringToObject(p, "date", pl->date);
		}
		for (int i = 0; i < (n_runs ? n_runs : 1); i++)
			if (B->gr_bench_store_each(s, n_runs ? runs[i] : 0, print_record, &c, &err)) {
				cJSON_Delete(c.arr);
				cJSON_Delete(root);
				return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
			}
		cJSON_AddItemToObject(root, "measurements", c.arr);
		if (n_runs > 1) { /* rounds: each model's verdict, and the warning as in a table */
			round_table rt = {0};
			if (rounds_collect(B, s, runs, n_runs, &rt, &err) == GR_OK) {
				cJSON *mins = cJSON_AddArrayToObject(root, "minima");
				rounds_judge(&rt);
				for (int i = 0; i < rt.n; i++) {
					cJSON *o = cJSON_CreateObject();
					cJSON_AddStringToObject(o, "model", rt.m[i].name);
					cJSON_AddNumberToObject(o, "rounds", rt.m[i].timed);
					cJSON_AddStringToObject(o, "minimum",
								rounds_verdict_name(rt.m[i].verdict));
					cJSON_AddItemToArray(mins, o);
				}
				rounds_warn(&rt, stderr, "graphs benchmark");
			}
			rounds_free(&rt);
		}
		cli_json_write(out, root);
		return EXIT_OK;
	}
	if (n_runs > 1) { /* rounds: one line per model, the best of the rounds */
		round_table rt = {0};
		const char *hdr[] = {"model", "rounds", "layers", "best_ms", "best_median_ms", "quiet_ms",
				     "minimum"};
		gr_table *t = gr_table_new(7, hdr);
		for (int i = 1; i <= 5; i++)
			gr_table_numeric(t, i);
		if (rounds_collect(B, s, runs, n_runs, &rt, &err)) {
			rounds_free(&rt);
			gr_table_free(t);
			return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
		}
		rounds_judge(&rt);
		for (int i = 0; i < rt.n; i++) {
			const round_model *m = &rt.m[i];
			char r[16], l[16], b[32], md[32], q[32] = "-";
			snprintf(r, sizeof(r), "%d", m->timed);
			snprintf(l, sizeof(l), "%d", m->layers);
			snprintf(b, sizeof(b), "%.4g", m->best_ms);
			snprintf(md, sizeof(md), "%.4g", m->median_ms);
			if (isfinite(m->best_quiet_ms))
				snprintf(q, sizeof(q), "%.4g", m->best_quiet_ms);
			const char *row[] = {m->name, r, l, b, md, q, rounds_verdict_name(m->verdict)};
			gr_table_add_row(t, row);
		}
		gr_table_write(t, GR_FMT_TABLE, out);
		gr_table_free(t);
		fprintf(out, "runs %lld-%lld (%s): %lld measurements in '%s'\n", (long long)runs[0],
			(long long)runs[n_runs - 1], status, (long long)rt.records, db);
		rounds_warn(&rt, stderr, "graphs benchmark");
		rounds_free(&rt);
		return EXIT_OK;
	}
	{
		const char *hdr[] = {"name", "prec", "batch", "median_ms", "cv", "rate", "energy_mj",
				     "note"};
		c.t = gr_table_new(8, hdr);
		for (int i = 2; i <= 6; i++)
			gr_table_numeric(c.t, i);
	}
	if (B->gr_bench_store_each(s, run_id, print_record, &c, &err)) {
		gr_table_free(c.t);
		return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	}
	gr_table_write(c.t, GR_FMT_TABLE, out);
	gr_table_free(c.t);
	B->gr_bench_store_count(s, run_id, &n, NULL);
	if (run_id)
		fprintf(out, "run %lld (%s): %lld measurements in '%s'\n", (long long)run_id, status,
			(long long)n, db);
	else
		fprintf(out, "%lld measurements in '%s'\n", (long long)n, db);
	return EXIT_OK;
}

static void print_name(const char *name, void *u)
{
	fprintf((FILE *)u, "%s\n", name);
}

static int one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

int cmd_benchmark(int argc, char **argv)
{
	enum { O_LIST = 256, O_SHOW, O_IMPORT, O_EXPORT, O_PERLAYER, O_CPUS, O_POWER, O_MODELS,
	       O_PREC, O_ROUNDS };
	static const struct option opts[] = {
		{"suite", required_argument, 0, 's'},  {"quick", no_argument, 0, 'q'},
		{"hw", required_argument, 0, 'H'},     {"backend", required_argument, 0, 'b'},
		{"device", required_argument, 0, 'd'}, {"threads", required_argument, 0, 't'},
		{"db", required_argument, 0, 'D'},     {"format", required_argument, 0, 'f'},
		{"filter", required_argument, 0, 'F'}, {"batch", required_argument, 0, 'B'},
		{"models", required_argument, 0, O_MODELS},
		{"precision", required_argument, 0, O_PREC},
		{"rounds", required_argument, 0, O_ROUNDS},
		{"per-layer", no_argument, 0, O_PERLAYER}, {"cpus", required_argument, 0, O_CPUS},
		{"power", required_argument, 0, O_POWER}, {"list", no_argument, 0, O_LIST},
		{"show", no_argument, 0, O_SHOW},      {"import", required_argument, 0, O_IMPORT},
		{"export", required_argument, 0, O_EXPORT}, {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	static const char *const suites[] = {"calibration", "micro", "models", "all", NULL};
	static const char *const backends[] = {"native", "torch", "onnxruntime", NULL};
	static const char *const devices[] = {"cpu", "cuda", NULL};
	static const char *const powers[] = {"auto", "none", "rapl", "nvidia-smi", "tegrastats", NULL};
	const char *suite = NULL, *backend = NULL, *hw = "host", *db = "graphs-bench.db";
	const char *cpus = NULL, *power = "auto", *import = NULL, *export = NULL;
	int fmt = GR_FMT_TABLE, list = 0, show = 0, c, code = EXIT_OK, interrupted = 0;
	int64_t threads = 0, run_id = 0, rounds = 0, runs[2 * 64];
	gr_bench_opts o = {0};
	gr_bench_store *store = NULL;
	gr_bench_platform pl;
	gr_bench_run_info ri = {0};
	gr_error err = {0};
	progress_state ps = {0};
	struct sigaction sa, old_int, old_term;
	char command[512] = "graphs";
	int do_micro, do_models, calib, n_micro = 0, n_models = 0, n_runs = 0;
	gr_status rc = GR_OK;
	FILE *out;

	o.device = "cpu";
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:qH:b:d:t:D:f:F:B:h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(bench_help, stdout); return EXIT_OK;
		case 's': suite = optarg; break;
		case 'q': o.quick = 1; break;
		case 'H': hw = optarg; break;
		case 'b': backend = optarg; break;
		case 'd': o.device = optarg; break;
		case 't':
			if (!cli_parse_i64(optarg, &threads) || threads > 4096)
				return cli_usage("benchmark", "--threads wants a positive count, not '%s'",
						 optarg);
			break;
		case 'D': db = optarg; break;
		case 'f':
			if ((fmt = cli_parse_format("benchmark", optarg)) < 0)
				return EXIT_USAGE;
			if (fmt != GR_FMT_TABLE && fmt != GR_FMT_JSON)
				return cli_usage("benchmark", "--format: use table or json");
			break;
		case 'F': o.filter = optarg; break;
		case 'B': o.batches = optarg; break;
		case O_MODELS: o.models = optarg; break;
		case O_PREC: o.precisions = optarg; break;
		case O_PERLAYER: o.per_layer = 1; break;
		case O_ROUNDS:
			if (!cli_parse_i64(optarg, &rounds) || rounds > 64)
				return cli_usage("benchmark", "--rounds wants a count from 1 to 64, not '%s'",
						 optarg);
			break;
		case O_CPUS: cpus = optarg; break;
		case O_POWER: power = optarg; break;
		case O_LIST: list = 1; break;
		case O_SHOW: show = 1; break;
		case O_IMPORT: import = optarg; break;
		case O_EXPORT: export = optarg; break;
		default: return cli_usage("benchmark", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage("benchmark", "unexpected argument '%s'", argv[optind]);
	if (suite && !one_of(suite, suites))
		return cli_usage("benchmark", "unknown suite '%s' (use calibration, micro, models or all)",
				 suite);
	if (backend && !one_of(backend, backends))
		return cli_usage("benchmark", "unknown backend '%s' (use native, torch or onnxruntime)",
				 backend);
	if (!one_of(o.device, devices))
		return cli_usage("benchmark", "unknown device '%s' (use cpu or cuda)", o.device);
	if (!one_of(power, powers))
		return cli_usage("benchmark",
				 "unknown power source '%s' (use auto, none, rapl, nvidia-smi or "
				 "tegrastats)", power);
	if (export && strcmp(export, "models") && strcmp(export, "subgraphs"))
		return cli_usage("benchmark", "--export: use models or subgraphs, not '%s'", export);
	if (backend && !strcmp(backend, "onnxruntime"))
		return cli_fail(EXIT_USAGE, "backend 'onnxruntime' is not available in this build "
					    "(no onnxruntime library found); use native or torch");
	if (!(B = gr_benchlib_get("graphs benchmark", &err)))
		return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	if (!suite)
		suite = !backend ? "calibration" : !strcmp(backend, "torch") ? "models" : "micro";
	calib = !strcmp(suite, "calibration");
	do_micro = !strcmp(suite, "micro") || !strcmp(suite, "all");
	do_models = !do_micro || !strcmp(suite, "all");
	if (backend && !strcmp(backend, "native") && (!strcmp(suite, "models") || calib))
		return cli_usage("benchmark", "the %s suite runs on the torch backend", suite);
	if (calib) { /* what calibrate fits: per-layer rows of a model set covering the op classes */
		o.per_layer = 1;
		if (!o.models)
			o.models = B->gr_bench_calibration_models(o.quick);
	}
	if (!rounds)
		rounds = calib ? (o.quick ? 2 : 3) : 1;
	if (rounds > 1 && !do_models)
		return cli_usage("benchmark", "--rounds repeats the model list: use it with a models suite");
	if (backend && !strcmp(backend, "torch") && !strcmp(suite, "micro"))
		return cli_usage("benchmark", "the micro suite runs on the native backend");
	if (!strcmp(o.device, "cuda") && do_micro)
		return cli_usage("benchmark", "the micro suite runs on the cpu; use --suite models "
					      "--device cuda for the GPU");
	o.hw_id = hw;
	o.threads = (int)threads;
	o.idle_power_w = NAN;

	if (list) {
		out = cli_out_begin();
		if (do_micro)
			B->gr_bench_micro_names(&o, print_name, out);
		if (do_models)
			fprintf(out, "models%s: %s\n", calib ? " (per layer)" : "", o.models ? o.models :
				(o.quick ? "resnet18,mobilenet_v2" : "(default list, see docs/benchmark.md)"));
		cli_out_end(out, 1);
		return EXIT_OK;
	}

	/* --show and --export only read: a missing file is an error, not a new database */
	if ((show || export) && !import ? B->gr_bench_store_open_read(db, &store, &err)
					: B->gr_bench_store_open(db, &store, &err))
		return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	if (show || import || export) {
		out = cli_out_begin();
		if (import) {
			int64_t n;
			if (B->gr_bench_store_import_csv(store, import, &n, &err))
				code = cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
			else
				fprintf(out, "imported %lld rows from '%s' into '%s'\n", (long long)n,
					import, db);
		} else if (export) {
			if (B->gr_bench_store_export_csv(store, export, strcmp(hw, "host") ? hw : NULL, out,
						      &err))
				code = cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
		} else
			code = print_records(store, NULL, 0, fmt, db, out, "", NULL);
		cli_out_end(out, code == EXIT_OK);
		B->gr_bench_store_close(store);
		return code;
	}

	B->gr_bench_set_threads(o.threads);
	if (B->gr_bench_pin(cpus, &err)) {
		B->gr_bench_store_close(store);
		return cli_fail(EXIT_USAGE, "%s", err.msg);
	}
	B->gr_bench_platform_detect(&pl);
	if (B->gr_power_open(power, o.device, &o.power, &err)) {
		B->gr_bench_store_close(store);
		return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	}
	if (o.power && B->gr_power_idle(o.power, o.quick ? 0.3 : 1.0, &o.idle_power_w, &err))
		o.idle_power_w = NAN; /* sensor present but no idle reading: subtract nothing */
	for (int i = 0, len = 0; i < argc && len < (int)sizeof(command) - 2; i++)
		len += snprintf(command + len, sizeof(command) - (size_t)len, " %s", argv[i]);
	ri.platform = &pl;
	ri.hw_id = hw;
	ri.suite = suite;
	ri.backend = do_micro && do_models ? "native+torch" : do_micro ? "native" : "torch";
	ri.device = o.device;
	ri.command = command;
	ri.source = "graphs benchmark";
	ri.idle_power_w = o.idle_power_w;
	ri.power_source = B->gr_power_source(o.power);

	/* SA_RESTART: reads from the torch runner are not cut; the flag is polled between
	 * measurements. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	stop_flag = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	o.stop = &stop_flag;
	ps.tty = isatty(STDERR_FILENO);
	ps.rounds = (int)rounds;
	ps.started = B->gr_bench_now();
	o.progress = progress;
	o.progress_user = &ps;

	/* Each round is a run of its own: rounds alternate over the model list so that every model
	 * sees several spells of a shared machine, and calibrate's minimum merges them. With two
	 * rounds or more, a model whose minimum no second round confirmed (src/cli/rounds.h) gets
	 * extra rounds of its own, up to twice the rounds asked for. */
	for (int r = 0; r < 2 * rounds && !rc && !stop_flag; r++) {
		int nm = 0, nd = 0;
		char again[1024];
		if (r >= rounds) { /* an extra round: only the models left unconfirmed */
			round_table rt = {0};
			int k = 0;
			if (do_models && rounds >= 2 &&
			    rounds_collect(B, store, runs, n_runs, &rt, &err) == GR_OK) {
				rounds_judge(&rt);
				k = rounds_to_repeat(&rt, (int)(2 * rounds), again, sizeof(again));
			}
			rounds_free(&rt);
			if (!k)
				break;
			o.models = again;
			ps.rounds = r + 1;
			ps.planned = ps.done_prev + k;
			if (ps.tty)
				fprintf(stderr, "\r\033[Kextra round %d: %s (minimum not confirmed)\n",
					r + 1, again);
		}
		ps.round = r;
		if (B->gr_bench_store_begin_run(store, &ri, &run_id, &err)) {
			rc = err.status ? err.status : GR_ERR_IO;
			break;
		}
		runs[n_runs++] = run_id;
		if (do_micro && r < rounds) {
			ps.suite = "micro";
			rc = B->gr_bench_run_micro(store, run_id, &o, &nm, &err);
		}
		if (!rc && do_models && !stop_flag) {
			ps.suite = calib ? "calibration" : "models";
			rc = B->gr_bench_run_torch(store, run_id, &o, &nd, &err);
		}
		n_micro += nm;
		n_models += nd;
		B->gr_bench_store_end_run(store, run_id,
				       rc ? "failed" : stop_flag ? "interrupted" : "complete", NULL);
		ps.done_prev += ps.round_total;
		ps.round_total = 0;
	}
	ps.round = ps.rounds - 1;
	progress(&ps, 1, 1, "", 0);
	interrupted = stop_flag != 0;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	B->gr_power_close(o.power);
	if (!n_runs) {
		B->gr_bench_store_close(store);
		return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	}

	/* A failed run that stored nothing prints only the error. */
	if (!rc || n_micro + n_models > 0) {
		out = cli_out_begin();
		code = print_records(store, runs, n_runs, fmt, db, out,
				     rc ? "failed" : interrupted ? "interrupted" : "complete", &pl);
		if (calib && fmt == GR_FMT_TABLE && !rc && !interrupted)
			fprintf(out, "next: graphs calibrate --hw %s%s%s\n", hw,
				strcmp(db, "graphs-bench.db") ? " --from " : "",
				strcmp(db, "graphs-bench.db") ? db : "");
		cli_out_end(out, code == EXIT_OK);
	}
	B->gr_bench_store_close(store);
	if (rc)
		return cli_fail(EXIT_BAD_INPUT, "%s%s", err.msg,
				calib ? " (the calibration suite times models with PyTorch; without it, "
					"'--suite micro' measures the C kernels)" : "");
	if (interrupted) {
		fprintf(stderr, "graphs: interrupted: kept %d measurements of runs %lld-%lld in '%s'\n",
			n_micro + n_models, (long long)runs[0], (long long)runs[n_runs - 1], db);
		return 130;
	}
	return code;
}
