/* graphs hw: list, show, validate and detect registry platforms. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/hwctx.h"
#include "core/outfile.h"
#include "graphs/calibrate.h"

static const char hw_help[] =
	"usage: graphs hw list [--format table|json|csv|markdown]\n"
	"       graphs hw show ID[:MODE] [--format yaml|json]\n"
	"       graphs hw validate [PATH]\n"
	"       graphs hw detect [--save] [--format yaml|json]\n\n"
	"The hardware registry: one YAML file per platform under hardware/, plus the folders in\n"
	"$GRAPHS_HARDWARE_PATH (colon-separated) and ~/.config/graphs/hardware, which override\n"
	"built-in entries with the same id. See docs/hardware.md for the schema.\n\n"
	"  list      every platform with its peak throughput, memory and TDP\n"
	"  show      one platform in full; with :MODE, a closing comment gives the clock, units,\n"
	"            peaks, DRAM bandwidth and TDP of that power mode\n"
	"  validate  checks schema, units and consistency of PATH (a file or folder; default:\n"
	"            the whole registry, user folders included, with a warning for each user\n"
	"            entry that replaces another) and prints every problem with file, line and\n"
	"            key; exit 2 when any error is found\n"
	"  detect    describes this machine (hwloc, /proc/cpuinfo, cpufreq) as entry 'host';\n"
	"            --save writes it to ~/.config/graphs/hardware/host.yaml\n";

/* "hailo_dfc 12%, tflite 8%, pytorch@30w": the runtimes calibrated on a platform and their
 * leave-one-model-out error where the profile records one; "-" when none. */
static void calibrated_runtimes(const char *id, char *buf, size_t size)
{
	gr_profile_summary *s = NULL;
	size_t n = gr_profile_summaries(id, &s), len = 0;

	snprintf(buf, size, "-");
	for (size_t i = 0; i < n && len < size; i++) {
		char err[32] = "";
		if (isfinite(s[i].lomo_pct))
			snprintf(err, sizeof(err), " %.0f%%", s[i].lomo_pct);
		/* modes of one runtime: the first with its name, the others as @mode */
		if (i && !strcmp(s[i].runtime, s[i - 1].runtime))
			len += (size_t)snprintf(buf + len, size - len, "@%s%s", s[i].mode, err);
		else
			len += (size_t)snprintf(buf + len, size - len, "%s%s%s%s%s", len ? ", " : "", s[i].runtime,
						strcmp(s[i].mode, "default") ? "@" : "",
						strcmp(s[i].mode, "default") ? s[i].mode : "", err);
	}
	free(s);
}

static int hw_list(int fmt)
{
	gr_hw_registry *r = cli_registry_load();
	gr_error err = {0};
	FILE *out;

	if (!r)
		return EXIT_BAD_INPUT;
	out = cli_out_begin();
	if (fmt == GR_FMT_JSON) {
		if (gr_hw_registry_print_json(r, out, &err)) {
			cli_out_end(out, 0);
			gr_hw_registry_free(r);
			return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
		}
	} else {
		const char *hdr[] = {"id", "class", "name", "fp32 TFLOPS", "fp16 TFLOPS", "int8 TOPS", "memory", "TDP W", "modes",
				     "calibrated (LOMO error)"};
		gr_table *t = gr_table_new(10, hdr);
		for (int col = 3; t && col <= 7; col++)
			gr_table_numeric(t, col);
		for (size_t i = 0; t && i < gr_hw_registry_count(r); i++) {
			const gr_hw *hw = gr_hw_registry_at(r, i);
			char f32[32], f16[32], i8[32], mem[32], tdp[32], modes[128] = "";
			size_t len = 0;
			double p32 = gr_hw_peak_ops(hw, -1, GR_PREC_FP32), p16 = gr_hw_peak_ops(hw, -1, GR_PREC_FP16),
			       p8 = gr_hw_peak_ops(hw, -1, GR_PREC_INT8);
			snprintf(f32, sizeof(f32), p32 > 0 ? "%.2f" : "-", p32 / 1e12);
			snprintf(f16, sizeof(f16), p16 > 0 ? "%.2f" : "-", p16 / 1e12);
			snprintf(i8, sizeof(i8), p8 > 0 ? "%.1f" : "-", p8 / 1e12);
			if (gr_hw_memory_bytes(hw) > 0)
				gr_fmt_bytes((double)gr_hw_memory_bytes(hw), mem, sizeof(mem));
			else
				snprintf(mem, sizeof(mem), "-");
			snprintf(tdp, sizeof(tdp), "%.1f", gr_hw_tdp_w(hw, -1));
			for (size_t m = 0; m < gr_hw_mode_count(hw) && len < sizeof(modes); m++)
				len += (size_t)snprintf(modes + len, sizeof(modes) - len, "%s%s", m ? "," : "",
							gr_hw_mode_name(hw, m));
			char cal[512];
			calibrated_runtimes(gr_hw_id(hw), cal, sizeof(cal));
			const char *row[] = {gr_hw_id(hw), gr_hw_class_name(gr_hw_get_class(hw)), gr_hw_name(hw),
					     f32, f16, i8, mem, tdp, modes, cal};
			gr_table_add_row(t, row);
		}
		if (t)
			gr_table_write(t, fmt, out);
		if (fmt == GR_FMT_TABLE)
			fprintf(out, "%zu platforms\n", gr_hw_registry_count(r));
		gr_table_free(t);
	}
	cli_out_end(out, 1);
	gr_hw_registry_free(r);
	return EXIT_OK;
}

/* `hw show ID:MODE`: the figures estimates use in that mode (the file above lists the
 * platform's maximum), as YAML comments so the output stays the platform's document. */
static void print_mode_figures(FILE *out, const gr_hw *hw, int mode)
{
	const char *sep = "";

	fprintf(out, "# in mode %s: clock %.0f MHz, %lld units, peak_tops {", gr_hw_mode_name(hw, (size_t)mode),
		gr_hw_clock_mhz(hw, mode), (long long)gr_hw_units(hw, mode));
	for (int p = 0; p < GR_PREC_COUNT; p++) {
		double ops = gr_hw_peak_ops(hw, mode, (gr_precision)p);
		if (ops > 0) {
			fprintf(out, "%s%s: %.4g", sep, gr_precision_name((gr_precision)p), ops / 1e12);
			sep = ", ";
		}
	}
	fprintf(out, "}");
	if (gr_hw_dram_bandwidth(hw, mode) > 0)
		fprintf(out, ", dram %.4g GB/s", gr_hw_dram_bandwidth(hw, mode) / 1e9);
	if (gr_hw_tdp_w(hw, mode) > 0)
		fprintf(out, ", tdp %.4g W", gr_hw_tdp_w(hw, mode));
	fprintf(out, "\n");
}

static int hw_show(const char *id, int json)
{
	gr_hw_registry *r = cli_registry_load();
	const gr_hw *hw;
	int mode, rc = EXIT_OK;
	gr_error err = {0};
	gr_status st;
	FILE *out;

	if (!r)
		return EXIT_BAD_INPUT;
	if ((st = gr_hw_registry_resolve(r, id, &hw, &mode, &err))) {
		gr_hw_registry_free(r);
		return cli_fail(st == GR_ERR_FORMAT ? EXIT_BAD_INPUT : EXIT_USAGE, "%s", err.msg);
	}
	out = cli_out_begin();
	if (json ? gr_hw_show_json(hw, out, &err) : gr_hw_show_yaml(hw, out, &err))
		rc = cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	if (rc == EXIT_OK && !json && mode >= 0)
		print_mode_figures(out, hw, mode);
	if (rc == EXIT_OK && !json) {
		/* YAML comments: the platform file stays a valid document */
		gr_profile_summary *s = NULL;
		size_t n = gr_profile_summaries(gr_hw_id(hw), &s);
		fprintf(out, "# calibration profiles: %s\n", n ? "" : "none (estimates are theoretical)");
		for (size_t i = 0; i < n; i++) {
			fprintf(out, "#   %s mode %s, %s, %s", s[i].runtime, s[i].mode, s[i].precisions,
				s[i].published ? "fitted from published figures" : "fitted from measurements");
			if (isfinite(s[i].lomo_pct))
				fprintf(out, ", leave-one-model-out error %.1f%%", s[i].lomo_pct);
			fprintf(out, " (%s)\n", s[i].path);
		}
		free(s);
	}
	cli_out_end(out, rc == EXIT_OK);
	gr_hw_registry_free(r);
	return rc;
}

static void print_problem(const gr_hw_problem *p, void *user)
{
	int *errors = user;
	if (p->severity == GR_HW_ERROR)
		(*errors)++;
	printf("%s: %s\n", p->severity == GR_HW_ERROR ? "error" : "warning", p->msg);
}

/* Without a path: the whole registry as the other commands load it, user folders included. */
static int hw_validate(const char *path)
{
	int errors = 0, n;
	const char *target = path ? path : gr_hw_builtin_dir();

	if (path) {
		n = gr_hw_validate_path(target, print_problem, &errors);
	} else {
		cli_hw_path_setup();
		n = gr_hw_validate_registry_path(target, print_problem, &errors);
		if (getenv("GRAPHS_HARDWARE_PATH"))
			target = "registry (built-in and GRAPHS_HARDWARE_PATH folders)";
	}
	printf("%s: %d problem%s (%d error%s)\n", target, n, n == 1 ? "" : "s", errors, errors == 1 ? "" : "s");
	fflush(stdout);
	return errors ? EXIT_BAD_INPUT : EXIT_OK;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			if (mkdir(buf, 0755) && errno != EEXIST)
				return 0;
			*p = '/';
		}
	return !mkdir(buf, 0755) || errno == EEXIST;
}

static int hw_detect(int save, int json)
{
	gr_hw *hw = NULL;
	gr_error err = {0};
	FILE *out;
	int rc = EXIT_OK;

	if (gr_hw_detect_host(&hw, &err))
		return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	if (save) {
		char dir[4096], path[4200];
		gr_outfile of;
		if (!cli_user_hw_dir(dir, sizeof(dir)) || !make_dirs(dir)) {
			gr_hw_free(hw);
			return cli_fail(EXIT_BAD_INPUT, "cannot create the user registry folder '%s'", dir);
		}
		snprintf(path, sizeof(path), "%s/host.yaml", dir);
		/* through a temporary file: an interrupted save never leaves half a file, and a
		 * host.yaml that is a link, FIFO or read-only file is refused, not replaced */
		if (gr_outfile_open(&of, path, &err)) {
			gr_hw_free(hw);
			return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
		}
		if (gr_hw_write_yaml(hw, of.f, &err)) {
			int e = gr_outfile_error(&of);
			gr_outfile_abort(&of);
			gr_hw_free(hw);
			return cli_fail(EXIT_BAD_INPUT, "cannot write '%s': %s", path,
					e ? strerror(e) : err.msg);
		}
		if (gr_outfile_commit(&of, &err)) {
			gr_hw_free(hw);
			return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
		}
		fprintf(stderr, "saved %s\n", path);
	}
	out = cli_out_begin();
	if (json ? gr_hw_show_json(hw, out, &err) : gr_hw_write_yaml(hw, out, &err))
		rc = cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	cli_out_end(out, rc == EXIT_OK);
	gr_hw_free(hw);
	return rc;
}

int cmd_hw(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, 0, 'f'}, {"save", no_argument, 0, 's'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *format = NULL, *sub;
	int c, save = 0, fmt = GR_FMT_TABLE, json;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:sh", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(hw_help, stdout);
			return EXIT_OK;
		case 'f':
			format = optarg;
			break;
		case 's':
			save = 1;
			break;
		default:
			return cli_usage("hw", "bad option");
		}
	}
	if (optind >= argc)
		return cli_usage("hw", "which one: list, show, validate or detect?");
	sub = argv[optind];
	json = format && !strcmp(format, "json");
	if (format && !json && strcmp(format, "yaml") && strcmp(sub, "list"))
		return cli_usage("hw", "'hw %s' prints yaml or json, not '%s'", sub, format);
	if (!strcmp(sub, "list")) {
		if (optind + 1 != argc)
			return cli_usage("hw", "'hw list' takes no argument");
		if (format && (fmt = cli_parse_format("hw", format)) < 0)
			return EXIT_USAGE;
		return hw_list(fmt);
	}
	if (!strcmp(sub, "show")) {
		if (optind + 2 != argc)
			return cli_usage("hw", "'hw show' takes one platform id");
		return hw_show(argv[optind + 1], json);
	}
	if (!strcmp(sub, "validate")) {
		if (optind + 2 < argc)
			return cli_usage("hw", "'hw validate' takes at most one path");
		return hw_validate(optind + 1 < argc ? argv[optind + 1] : NULL);
	}
	if (!strcmp(sub, "detect")) {
		if (optind + 1 != argc)
			return cli_usage("hw", "'hw detect' takes no argument");
		return hw_detect(save, json);
	}
	return cli_usage("hw", "unknown hw command '%s' (list, show, validate, detect)", sub);
}
