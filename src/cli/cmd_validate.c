/* graphs validate: estimates against measurements. Reads measurement files, predicts each
 * measured row with the platform's calibration profile (or, with --cv model, profiles refitted
 * without the scored model) and reports the error figures by group, as text, JSON, markdown,
 * CSV or a self-contained HTML dashboard. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/hwctx.h"
#include "core/outfile.h"
#include "graphs/calibrate.h"
#include "graphs/validate.h"

static const char validate_help[] =
	"usage: graphs validate --hw ID[:MODE][,...] --measurements FILE... [--cv model|none]\n"
	"                       [--precision P] [--runtime R] [--no-subgraphs]\n"
	"                       [--format table|json|markdown|csv|html] [--out FILE]\n\n"
	"Compares estimates with measurements: MAPE, median and max absolute percentage error,\n"
	"the share within +-10%, bias, Pearson and Spearman correlation and RMSE, by platform,\n"
	"precision, model, op class and batch, with in-distribution and out-of-distribution\n"
	"figures kept apart.\n\n"
	"  --hw ID[:MODE]      platforms to score, comma-separated; an id without a mode takes\n"
	"                      every mode measured; 'all' takes every platform in the files\n"
	"  --measurements F    ground-truth CSV (models.csv or subgraphs.csv format) or benchmark\n"
	"                      database; repeat it, or list more files after it\n"
	"  --cv model          leave-one-model-out: for each model, refit the platform's profile\n"
	"                      without its rows and score it (out-of-distribution), beside the\n"
	"                      in-sample figures of a fit on every model (in-distribution)\n"
	"  --cv none           (default) score with the platform's calibration profile: models it\n"
	"                      was fitted on are in-distribution, the rest unseen models; platforms\n"
	"                      without a profile are estimated theoretically (unseen platforms)\n"
	"  --precision P       only rows of this precision (fp32, fp16, bf16, ...)\n"
	"  --runtime R         rows and profiles of this runtime (default pytorch)\n"
	"  --no-subgraphs      score whole-model rows only\n"
	"  --format F          table (default), json, markdown, csv (one line per pair) or html\n"
	"                      (one self-contained page with charts; needs no network)\n"
	"  --out FILE          write the report to FILE instead of standard output\n\n"
	"Exit codes: 0 it ran (whatever the errors), 1 usage error, 2 bad measurement file\n"
	"(the message names the file and line) or no rows for the platform. See docs/validate.md.\n";

enum { FMT_HTML = 100 };
enum { MAX_FILES = 64, MAX_HW = 32 };

static void progress_cb(void *user, int done, int total, const char *what)
{
	(void)user;
	fprintf(stderr, "\r\033[Kvalidate: [%d/%d] %s", done + 1, total, what);
	fflush(stderr);
}

/* Writes the whole report to path through a temporary file (core/outfile.h), so that a
 * failure leaves no half-written report behind and never replaces anything but a regular file. */
static int write_report(const char *path, const gr_val_set *set, const gr_val_meta *meta, int fmt)
{
	gr_error err = {0};
	gr_status st = GR_OK;
	gr_outfile of;
	FILE *out;
	int to_file = path && strcmp(path, "-");

	if (to_file) {
		if (gr_outfile_open(&of, path, &err))
			return cli_fail(err.status == GR_ERR_USAGE ? EXIT_USAGE : EXIT_BAD_INPUT, "%s", err.msg);
		out = of.f;
	} else {
		out = cli_out_begin();
	}
	if (fmt == FMT_HTML) {
		st = gr_val_dashboard_write(set, meta, NULL, out, &err);
	} else if (fmt == GR_FMT_JSON) {
		char *s = NULL;
		if (!(st = gr_val_report_json(set, meta, &s, &err)))
			fprintf(out, "%s\n", s);
		free(s);
	} else if (fmt == GR_FMT_CSV) {
		fputs("level,split,platform,model,precision,batch,subgraph,op_class,measured_ms,"
		      "predicted_ms,ape,confidence,rows\n", out);
		for (size_t i = 0; i < gr_val_set_count(set); i++) {
			const gr_val_point *p = gr_val_set_at(set, i);
			fprintf(out, "%s,%s,%s,%s,%s,%lld,", gr_val_level_name(p->level),
				gr_val_split_name(p->split), p->platform, p->model, p->precision,
				(long long)p->batch);
			if (p->subgraph >= 0)
				fprintf(out, "%d", p->subgraph);
			fprintf(out, ",%s,%.6g,%.6g,%.4g,%s,%d\n", p->op_class ? p->op_class : "",
				p->measured_ms, p->predicted_ms,
				p->measured_ms > 0 ? 100 * fabs(p->predicted_ms - p->measured_ms) / p->measured_ms
						   : NAN,
				p->confidence ? p->confidence : "", p->rows > 1 ? p->rows : 1);
		}
	} else {
		st = gr_val_report_write(set, meta, fmt, out, &err);
	}
	if (!to_file) {
		cli_out_end(out, st == GR_OK);
	} else if (st) {
		/* a write that failed (EFBIG past `ulimit -f`, ENOSPC) is the file's problem */
		int e = gr_outfile_error(&of);
		gr_outfile_abort(&of);
		if (e)
			return cli_fail(EXIT_BAD_INPUT, "cannot write '%s': %s", path, strerror(e));
	} else if (gr_outfile_commit(&of, &err)) {
		return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	}
	if (st)
		return cli_fail(st == GR_ERR_NOMEM || st == GR_ERR_USAGE ? EXIT_USAGE : EXIT_BAD_INPUT,
				"%s", err.msg);
	return EXIT_OK;
}

int cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {
		{"hw", required_argument, 0, 'w'},
		{"measurements", required_argument, 0, 'm'},
		{"cv", required_argument, 0, 'c'},
		{"precision", required_argument, 0, 'p'},
		{"runtime", required_argument, 0, 'r'},
		{"no-subgraphs", no_argument, 0, 'S'},
		{"format", required_argument, 0, 'f'},
		{"out", required_argument, 0, 'o'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	const char *files[MAX_FILES], *hw[MAX_HW];
	char hwbuf[1024] = "", stamp[32] = "";
	size_t nf = 0, nh = 0;
	const char *hwspec = NULL, *outpath = NULL;
	gr_val_opts vo;
	int fmt = GR_FMT_TABLE, c, rc = EXIT_OK, cv = 0, all = 0;
	gr_hw_registry *reg = NULL;
	gr_meas_set *ms = NULL;
	gr_val_set *set = NULL;
	gr_error err = {0};
	gr_status st;

	memset(&vo, 0, sizeof(vo));
	vo.precision = -1;
	vo.subgraphs = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "w:m:c:p:r:Sf:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(validate_help, stdout);
			return EXIT_OK;
		case 'w':
			hwspec = optarg;
			break;
		case 'm':
			if (nf == MAX_FILES)
				return cli_usage("validate", "too many measurement files (at most %d)", MAX_FILES);
			files[nf++] = optarg;
			break;
		case 'c':
			if (!strcmp(optarg, "model"))
				cv = 1;
			else if (!strcmp(optarg, "none"))
				cv = 0;
			else
				return cli_usage("validate", "unknown --cv '%s' (use model or none)", optarg);
			break;
		case 'p':
			if ((vo.precision = gr_precision_parse(optarg)) < 0)
				return cli_usage("validate", "unknown precision '%s'", optarg);
			break;
		case 'r':
			if (!(vo.runtime = cli_runtime_parse("validate", optarg)))
				return EXIT_USAGE;
			break;
		case 'S':
			vo.subgraphs = 0;
			break;
		case 'f':
			if (!strcmp(optarg, "html"))
				fmt = FMT_HTML;
			else if ((fmt = gr_format_parse(optarg)) < 0)
				return cli_usage("validate", "unknown format '%s' (use table, json, markdown, "
						 "csv or html)", optarg);
			break;
		case 'o':
			outpath = optarg;
			break;
		default:
			return cli_usage("validate", "bad option");
		}
	}
	/* files listed after --measurements A */
	for (int i = optind; i < argc; i++) {
		if (!nf)
			return cli_usage("validate", "unexpected argument '%s' (measurement files follow "
					 "--measurements)", argv[i]);
		if (nf == MAX_FILES)
			return cli_usage("validate", "too many measurement files (at most %d)", MAX_FILES);
		files[nf++] = argv[i];
	}
	if (!hwspec)
		return cli_usage("validate", "--hw ID is required (a platform, a list, or 'all')");
	if (!nf)
		return cli_usage("validate", "--measurements FILE is required");
	/* before the work: a target that will be refused is refused now */
	if (outpath && strcmp(outpath, "-") && gr_outfile_check(outpath, &err))
		return cli_fail(err.status == GR_ERR_USAGE ? EXIT_USAGE : EXIT_BAD_INPUT, "%s", err.msg);
	if (!(reg = cli_registry_load()))
		return EXIT_BAD_INPUT;
	if (strcmp(hwspec, "all")) {
		if (strlen(hwspec) >= sizeof(hwbuf)) {
			rc = cli_usage("validate", "--hw list too long");
			goto done;
		}
		strcpy(hwbuf, hwspec);
		for (char *save = NULL, *t = strtok_r(hwbuf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			const gr_hw *h;
			int mode;
			if (nh == MAX_HW) {
				rc = cli_usage("validate", "too many platforms in --hw (at most %d)", MAX_HW);
				goto done;
			}
			if ((rc = cli_resolve_hw(reg, t, &h, &mode)))
				goto done;
			hw[nh++] = t;
		}
		if (!nh) {
			rc = cli_usage("validate", "--hw names no platform");
			goto done;
		}
	} else {
		all = 1;
	}
	if ((st = gr_meas_set_new(&ms, &err))) {
		rc = cli_fail(EXIT_USAGE, "%s", err.msg);
		goto done;
	}
	for (size_t i = 0; i < nf; i++)
		if ((st = gr_meas_load(ms, files[i], NULL, &err))) {
			rc = cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
			goto done;
		}
	if (!(set = gr_val_set_new())) {
		rc = cli_fail(EXIT_USAGE, "out of memory");
		goto done;
	}
	vo.hw = all ? NULL : hw;
	vo.n_hw = all ? 0 : nh;
	vo.cv_model = cv;
	vo.reg = reg;
	if (isatty(STDERR_FILENO))
		vo.progress = progress_cb;
	st = gr_val_run(ms, &vo, set, &err);
	if (vo.progress)
		fputs("\r\033[K", stderr);
	if (st) {
		rc = cli_fail(st == GR_ERR_NOMEM || st == GR_ERR_USAGE ? EXIT_USAGE : EXIT_BAD_INPUT,
			      "%s", err.msg);
		goto done;
	}
	{
		time_t now = time(NULL);
		struct tm tm;
		if (gmtime_r(&now, &tm))
			strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	{
		gr_val_meta meta = {hwspec, cv ? "model" : "none",
				    vo.precision >= 0 ? gr_precision_name((gr_precision)vo.precision) : NULL,
				    files, nf, NULL, 0, stamp[0] ? stamp : NULL};
		rc = write_report(outpath, set, &meta, fmt);
	}
done:
	gr_val_set_free(set);
	gr_meas_set_free(ms);
	gr_hw_registry_free(reg);
	return rc;
}
