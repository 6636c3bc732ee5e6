/* Shared estimate plumbing and output (see estimate_common.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/estimate_common.h"
#include "core/benchlib.h"

void cli_estimate_args_init(cli_estimate_args *a)
{
	memset(a, 0, sizeof(*a));
	a->eo.precision = -1;
	a->fmt = GR_FMT_TABLE;
}

int cli_estimate_target(cli_estimate_args *a, const char *cmd, int argc, char **argv)
{
	int rc = cli_model_arg(&a->model, cmd, argc, argv);

	if (rc)
		return rc;
	if (!a->hw)
		return cli_usage(cmd, "--hw ID is required (see 'graphs hw list')");
	return 0;
}

int cli_estimate_option(cli_estimate_args *a, const char *cmd, int c, const char *arg)
{
	switch (c) {
	case 'w':
		a->hw = arg;
		return 1;
	case 'p':
		/* amp: mixed precision as frameworks do it, fp16 where autocast puts it */
		a->eo.amp = !strcmp(arg, "amp");
		if ((a->eo.precision = a->eo.amp ? GR_PREC_FP16 : gr_precision_parse(arg)) < 0) {
			cli_usage(cmd, "unknown precision '%s'", arg);
			return -1;
		}
		return 1;
	case 'r':
		if (!(a->eo.runtime = cli_runtime_parse(cmd, arg)))
			return -1;
		return 1;
	case 'f':
		return (a->fmt = cli_parse_format(cmd, arg)) < 0 ? -1 : 1;
	case 'N':
		a->no_calib = 1;
		return 1;
	case 'T':
		a->no_transfer = a->eo.no_transfer = 1;
		return 1;
	default:
		return cli_model_option(&a->model, cmd, c, arg);
	}
}

const char *cli_runtime_parse(const char *cmd, const char *arg)
{
	const gr_fusion_rules *r = gr_fusion_rules_find(arg);
	char names[1024];

	if (!r) {
		cli_usage(cmd, "unknown runtime '%s' (accepted: %s)", arg,
			  gr_fusion_rules_names(names, sizeof(names)));
		return NULL;
	}
	return r->name; /* the canonical spelling: profiles and estimates compare it */
}

int cli_partition(const gr_graph *g, const char *runtime, gr_partition **out)
{
	gr_error err = {0};
	if (gr_partition_build(g, gr_fusion_rules_find(runtime), out, &err))
		return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
	return EXIT_OK;
}

int cli_estimate(const gr_graph *g, const gr_partition *p, const gr_hw *hw, int mode,
		 const gr_estimate_opts *eo, gr_estimate **out)
{
	gr_error err = {0};
	gr_status st = gr_estimate_run(g, p, hw, mode, eo, out, &err);
	if (st)
		return cli_fail(st == GR_ERR_UNSUPPORTED || st == GR_ERR_USAGE ? EXIT_USAGE : EXIT_BAD_INPUT,
				"%s", err.msg);
	return EXIT_OK;
}

const char *cli_default_runtime(const gr_hw *hw, int mode, const cli_estimate_args *a)
{
	return a->no_calib ? gr_estimate_default_runtime(hw) : gr_profile_default_runtime(hw, mode);
}

int cli_estimate_model(const gr_graph *g, const gr_hw *hw, int mode, const char *file, cli_estimate_args *a,
		       gr_partition **part, gr_profile **prof, gr_estimate **est)
{
	int rc;

	if (!a->eo.runtime)
		a->eo.runtime = cli_default_runtime(hw, mode, a);
	if ((rc = cli_partition(g, a->eo.runtime, part)) ||
	    (rc = cli_profile_for(hw, mode, a->eo.runtime, file, a, prof)))
		return rc;
	return cli_estimate_profile(g, *part, hw, mode, &a->eo, *prof, est);
}

int cli_profile_for(const gr_hw *hw, int mode, const char *runtime, const char *file, cli_estimate_args *a,
		    gr_profile **out)
{
	gr_error err = {0};
	char spec[200];
	const char *mname = mode >= 0 ? gr_hw_mode_name(hw, (size_t)mode) : NULL;
	gr_status st;

	*out = NULL;
	a->why_theoretical[0] = 0;
	if (a->no_calib)
		return EXIT_OK;
	if (file) {
		if (gr_profile_load(file, out, &err))
			return cli_fail(EXIT_BAD_INPUT, "%s", err.msg);
		return EXIT_OK;
	}
	snprintf(spec, sizeof(spec), "%s%s%s", gr_hw_id(hw), mname ? ":" : "", mname ? mname : "");
	st = gr_profile_find_load(spec, runtime, out, &err);
	if (st && st != GR_ERR_NOT_FOUND)
		/* a broken profile must not stop estimates: say so and go on theoretical */
		fprintf(stderr, "graphs: warning: %s (estimating without calibration)\n", err.msg);
	if (st != GR_ERR_NOT_FOUND || a->no_transfer)
		return EXIT_OK;
	/* nothing measured here: borrow the efficiencies of the nearest calibrated relative */
	st = gr_profile_transfer_find(a->reg, hw, mode, runtime, a->eo.precision, out, &err);
	/* the borrowed shares are of the cores the runtime will compute on: on this machine, the
	 * user's thread count when set (PyTorch, oneDNN and OpenBLAS read OMP_NUM_THREADS); it says
	 * nothing of another platform (containers often set 1) */
	if (!st && !strcmp(gr_hw_id(hw), "host") && getenv("OMP_NUM_THREADS"))
		gr_profile_transfer_threads(*out, hw, mode, atoi(getenv("OMP_NUM_THREADS")));
	if (st == GR_ERR_NOT_FOUND) {
		size_t l = strnlen(err.msg, sizeof(a->why_theoretical) - 16);
		memcpy(a->why_theoretical, err.msg, l);
		memcpy(a->why_theoretical + l, ": theoretical", 14);
	}
	else if (st)
		fprintf(stderr, "graphs: warning: %s (estimating without calibration)\n", err.msg);
	return EXIT_OK;
}

void cli_estimate_note(gr_estimate *e, const char *note)
{
	size_t l;
	if (!e || !note || !*note)
		return;
	l = strlen(e->note);
	snprintf(e->note + l, sizeof(e->note) - l, "%s%s", l ? "; " : "", note);
}

void cli_conditions_note(gr_estimate *e, const gr_hw *hw, const gr_profile *prof)
{
	const gr_benchlib *B;
	gr_bench_platform now;
	char note[512];
	size_t l;

	if (!e || !prof || !e->profile || strcmp(gr_hw_id(hw), "host"))
		return;
	/* the library versions are part of the conditions: only the bench library knows them */
	if (!(B = gr_benchlib_get("comparing the host's conditions", NULL)))
		return;
	B->gr_bench_platform_detect(&now);
	/* the thread count an estimate will meet is the user's: known only when they set it */
	now.threads = getenv("OMP_NUM_THREADS") ? atoi(getenv("OMP_NUM_THREADS")) : 0;
	if (gr_profile_conditions(prof)->threads > now.cores && now.cores > 0)
		now.threads = now.cores; /* more threads than CPUs online now: certainly different */
	if (!gr_profile_conditions_note(prof, &now, note, sizeof(note)))
		return;
	l = strlen(e->note);
	snprintf(e->note + l, sizeof(e->note) - l, "%s%s", l ? "; " : "", note);
}

int cli_estimate_profile(const gr_graph *g, const gr_partition *p, const gr_hw *hw, int mode,
			 const gr_estimate_opts *eo, const gr_profile *prof, gr_estimate **out)
{
	gr_error err = {0};
	gr_status st = gr_estimate_run_profile(g, p, hw, mode, eo, prof, out, &err);
	if (st)
		return cli_fail(st == GR_ERR_UNSUPPORTED || st == GR_ERR_USAGE ? EXIT_USAGE : EXIT_BAD_INPUT,
				"%s", err.msg);
	cli_conditions_note(*out, hw, prof);
	return EXIT_OK;
}

cJSON *cli_weight_dtypes_json(const gr_graph *g)
{
	int64_t n[GR_DTYPE_COUNT];
	cJSON *o = cJSON_CreateObject();

	gr_graph_param_dtypes(g, n);
	for (int t = 0; t < GR_DTYPE_COUNT; t++)
		if (n[t])
			cJSON_AddNumberToObject(o, gr_dtype_name((gr_dtype)t), (double)n[t]);
	return o;
}

const char *cli_weight_dtypes_str(const gr_graph *g, char *buf, size_t size)
{
	int64_t n[GR_DTYPE_COUNT];
	size_t len = 0;

	gr_graph_param_dtypes(g, n);
	snprintf(buf, size, "none");
	for (int t = 0; t < GR_DTYPE_COUNT && len < size; t++)
		if (n[t])
			len += (size_t)snprintf(buf + len, size - len, "%s%lld %s", len ? " + " : "",
						(long long)n[t], gr_dtype_name((gr_dtype)t));
	return buf;
}

int cli_estimate_lower_bound(const gr_estimate *e, const cli_coverage *cov)
{
	return cov->lower_bound || e->unknown_ops > 0;
}

/* Which energy a figure is: the device's always, the whole box's (wall power, as MLPerf
 * measures it) only where the registry describes the system; and whether it is fitted. */
static void cli_energy_json(cJSON *o, const gr_estimate *e)
{
	gr_energy_split es;
	gr_estimate_energy_split(e, &es);
	if (!isnan(es.system_j))
		cJSON_AddNumberToObject(o, "system_energy_mj", es.system_j * 1e3);
	cJSON_AddStringToObject(o, "energy_scope", es.scope);
	cJSON_AddStringToObject(o, "energy_confidence", es.confidence);
	/* a fit to published power names the figure it fitted and its expected error */
	if (es.fit_scope) {
		cJSON_AddStringToObject(o, "energy_fit_scope", es.fit_scope);
		if (!isnan(es.error_pct))
			cJSON_AddNumberToObject(o, "energy_error_pct", es.error_pct);
	}
}

cJSON *cli_estimate_json(const char *model, const char *hwspec, int64_t batch, const gr_estimate *e,
			 const cli_coverage *cov)
{
	cJSON *o = cJSON_CreateObject(), *shares;
	cli_coverage cv = *cov;

	cJSON_AddStringToObject(o, "model", model);
	cJSON_AddStringToObject(o, "hardware", hwspec);
	cJSON_AddStringToObject(o, "precision", gr_precision_name(e->precision));
	cJSON_AddNumberToObject(o, "batch", (double)batch);
	cJSON_AddStringToObject(o, "runtime", e->runtime);
	cJSON_AddNumberToObject(o, "latency_ms", e->latency_s * 1e3);
	cJSON_AddNumberToObject(o, "throughput_per_s", gr_estimate_throughput_per_s(e, batch));
	cJSON_AddStringToObject(o, "throughput_bound", gr_throughput_bound_name(e->throughput_bound));
	cJSON_AddNumberToObject(o, "period_ms", e->period_s * 1e3);
	cJSON_AddNumberToObject(o, "frames_in_flight", (double)e->frames_in_flight);
	if (e->contexts > 1) /* dataflow network split into contexts (docs/estimate.md) */
		cJSON_AddNumberToObject(o, "contexts", (double)e->contexts);
	{
		cJSON *st = cJSON_AddObjectToObject(o, "stages_ms");
		cJSON_AddNumberToObject(st, "device", e->stage_device_s * 1e3);
		cJSON_AddNumberToObject(st, "transfer", e->stage_transfer_s * 1e3);
		cJSON_AddNumberToObject(st, "host", e->stage_host_s * 1e3);
	}
	cJSON_AddNumberToObject(o, "energy_mj", e->energy_j * 1e3);
	cli_energy_json(o, e);
	cli_json_count(o, "peak_memory_bytes", e->peak_memory_bytes);
	cli_json_count(o, "weight_bytes", e->weight_bytes);
	cli_json_count(o, "activation_bytes", e->peak_activation_bytes);
	cli_json_count(o, "flops", e->flops);
	cli_json_count(o, "bytes", e->bytes);
	cli_json_count(o, "params", (double)e->params);
	cJSON_AddStringToObject(o, "confidence", gr_confidence_name(e->confidence));
	/* the expected error: the profile's leave-one-model-out MAPE (null: not measured) */
	if (isfinite(e->error_band_pct))
		cJSON_AddNumberToObject(o, "error_band_pct", e->error_band_pct);
	else
		cJSON_AddNullToObject(o, "error_band_pct");
	shares = cJSON_AddObjectToObject(o, "confidence_share");
	for (int c = 0; c < GR_CONF_COUNT; c++)
		cJSON_AddNumberToObject(shares, gr_confidence_name((gr_confidence)c), e->confidence_share[c]);
	cJSON_AddNumberToObject(o, "compute_ms", e->compute_s * 1e3);
	cJSON_AddNumberToObject(o, "memory_ms", e->memory_s * 1e3);
	cJSON_AddNumberToObject(o, "overhead_ms", e->overhead_s * 1e3);
	cJSON_AddNumberToObject(o, "io_transfer_ms", e->io_transfer_s * 1e3);
	cJSON_AddNumberToObject(o, "unknown_ops", (double)e->unknown_ops);
	cv.lower_bound = cli_estimate_lower_bound(e, cov);
	cli_coverage_json(o, &cv);
	cJSON_AddNumberToObject(o, "host_fallback_kernels", (double)e->host_fallback_kernels);
	if (e->note[0])
		cJSON_AddStringToObject(o, "note", e->note);
	if (e->profile) {
		cJSON *pr = cJSON_AddObjectToObject(o, "profile");
		cJSON_AddStringToObject(pr, "label", e->profile);
		if (e->profile_path)
			cJSON_AddStringToObject(pr, "path", e->profile_path);
		else
			cJSON_AddNullToObject(pr, "path");
		cJSON_AddNumberToObject(pr, "format_version", GR_PROFILE_FORMAT_VERSION);
	} else {
		cJSON_AddNullToObject(o, "profile");
	}
	if (e->borrowed_from)
		cJSON_AddStringToObject(o, "borrowed_from", e->borrowed_from);
	else
		cJSON_AddNullToObject(o, "borrowed_from");
	return o;
}

void cli_estimate_kernels_jw(cli_jw *w, const gr_estimate *e)
{
	cli_jw_array(w, "kernels");
	for (size_t i = 0; i < e->n_kernels; i++) {
		const gr_kernel_estimate *ke = &e->kernels[i];
		cli_jw_object(w, NULL);
		cli_jw_string(w, "name", ke->kernel->name);
		cli_jw_string(w, "pattern", ke->kernel->pattern);
		cli_jw_string(w, "class", gr_kernel_class_name(ke->kernel->cls));
		cli_jw_count(w, "flops", ke->kernel->flops);
		cli_jw_count(w, "bytes", ke->bytes);
		cli_jw_number(w, "latency_ms", ke->latency_s * 1e3);
		cli_jw_number(w, "compute_ms", ke->compute_s * 1e3);
		cli_jw_number(w, "memory_ms", ke->memory_s * 1e3);
		cli_jw_number(w, "overhead_ms", ke->overhead_s * 1e3);
		cli_jw_number(w, "energy_mj", ke->energy_j * 1e3);
		cli_jw_number(w, "efficiency", ke->efficiency);
		cli_jw_string(w, "memory_level", ke->level);
		cli_jw_string(w, "bound", gr_bound_name(ke->bound));
		cli_jw_string(w, "confidence", gr_confidence_name(ke->confidence));
		cli_jw_bool(w, "at_bound", ke->at_bound);
		if (ke->on_host)
			cli_jw_bool(w, "on_host", 1);
		if (ke->fast_tile) { /* the runtime's Winograd F(m, 3) (docs/estimate.md) */
			char algo[32];
			snprintf(algo, sizeof(algo), "winograd_f%d", ke->fast_tile);
			cli_jw_string(w, "conv_algorithm", algo);
			cli_jw_count(w, "flops_run", ke->flops_time);
		}
		if (ke->kernel->unknown_ops || !ke->kernel->known) /* a node not costed */
			cli_jw_bool(w, CLI_KEY_NOT_COSTED, 1);
		cli_jw_end(w);
	}
	cli_jw_end(w);
}

/* The steady state in one line: the rate, and what sets it. */
static void cli_throughput_line(FILE *out, const gr_estimate *e, int64_t batch, int lb)
{
	double thr = gr_estimate_throughput_per_s(e, batch);
	char why[160];

	switch (e->throughput_bound) {
	case GR_TPUT_LATENCY:
		snprintf(why, sizeof(why), "one request after another");
		break;
	case GR_TPUT_PIPELINE_STAGE:
		snprintf(why, sizeof(why), "dataflow pipeline: slowest stage, %lld frames in flight",
			 (long long)e->frames_in_flight);
		break;
	case GR_TPUT_STREAMS:
		snprintf(why, sizeof(why), "%lld requests at once, each taking the latency",
			 (long long)e->frames_in_flight);
		break;
	case GR_TPUT_TRANSFER:
		snprintf(why, sizeof(why), "host link, %.3f ms a request, overlapped with compute",
			 e->stage_transfer_s * 1e3);
		break;
	case GR_TPUT_HOST:
		snprintf(why, sizeof(why), "host CPU (dispatch, fallback ops), %.3f ms a request",
			 e->stage_host_s * 1e3);
		break;
	default:
		snprintf(why, sizeof(why), "device %s, transfers and host overlapped",
			 gr_throughput_bound_name(e->throughput_bound));
		break;
	}
	fprintf(out, "  throughput   %s%10.1f /s   (steady state: %s)\n", lb ? "<= " : "", thr, why);
}

void cli_estimate_print(FILE *out, int fmt, const char *model, const char *hwspec, int64_t batch,
			const gr_estimate *e, const cli_coverage *cov)
{
	int lb = cli_estimate_lower_bound(e, cov);
	const char *ge = lb ? ">= " : "";
	const char *hdr[] = {"kernel", "pattern", "class", "FLOPs", "bytes", "level", "bound", "ms", "share"};
	gr_table *t = gr_table_new(9, hdr);
	char a[32], b[32], c[32], d[32];

	for (int col = 3; t && col <= 8; col++)
		if (col != 5 && col != 6)
			gr_table_numeric(t, col);
	/* the text table shows the ten slowest kernels; csv and markdown list all of them */
	size_t *order = calloc(e->n_kernels ? e->n_kernels : 1, sizeof(size_t));
	size_t shown = fmt == GR_FMT_TABLE && e->n_kernels > 10 ? 10 : e->n_kernels;
	for (size_t i = 0; order && i < e->n_kernels; i++)
		order[i] = i;
	if (order && fmt == GR_FMT_TABLE)
		for (size_t i = 0; i < shown; i++) /* partial selection sort: n is small */
			for (size_t j = i + 1; j < e->n_kernels; j++)
				if (e->kernels[order[j]].latency_s > e->kernels[order[i]].latency_s) {
					size_t tmp = order[i];
					order[i] = order[j];
					order[j] = tmp;
				}
	for (size_t i = 0; t && order && i < shown; i++) {
		const gr_kernel_estimate *ke = &e->kernels[order[i]];
		snprintf(c, sizeof(c), "%.4f", ke->latency_s * 1e3);
		snprintf(d, sizeof(d), "%.1f%%", e->latency_s > 0 ? 100 * ke->latency_s / e->latency_s : 0);
		const char *row[] = {ke->kernel->name, ke->kernel->pattern, gr_kernel_class_name(ke->kernel->cls),
				     gr_fmt_si(ke->kernel->flops, a, sizeof(a)), gr_fmt_si(ke->bytes, b, sizeof(b)),
				     ke->level, gr_bound_name(ke->bound), c, d};
		gr_table_add_row(t, row);
	}
	free(order);
	if (t && fmt != GR_FMT_TABLE)
		gr_table_write(t, fmt, out);
	if (fmt == GR_FMT_CSV) {
		gr_table_free(t);
		return;
	}
	fprintf(out, "%s%s on %s, %s, batch %lld, runtime %s%s\n", fmt == GR_FMT_MARKDOWN ? "\n**" : "",
		model, hwspec, gr_precision_name(e->precision), (long long)batch, e->runtime,
		fmt == GR_FMT_MARKDOWN ? "**\n" : "");
	/* with nodes left out, every total is a lower bound: mark each one, and say why below */
	char lat[48], en[48], mem[48], work[48];
	gr_energy_split es;
	gr_estimate_energy_split(e, &es);
	snprintf(lat, sizeof(lat), "%s%.3f", ge, e->latency_s * 1e3);
	snprintf(en, sizeof(en), "%s%.3f", ge, e->energy_j * 1e3);
	snprintf(mem, sizeof(mem), "%s%s", ge, gr_fmt_bytes(e->peak_memory_bytes, a, sizeof(a)));
	snprintf(work, sizeof(work), "%s%s", ge, gr_fmt_si(e->flops, a, sizeof(a)));
	fprintf(out, "  latency      %10s ms   (one request of batch %lld)\n", lat, (long long)batch);
	cli_throughput_line(out, e, batch, lb);
	fprintf(out, "  energy       %10s mJ   (%.2f W average; device, %s)\n", en,
		e->latency_s > 0 ? e->energy_j / e->latency_s : 0, es.device_confidence);
	if (!isnan(es.system_j)) {
		char fit[64] = "";
		if (es.fit_scope && !strcmp(es.fit_scope, "system"))
			snprintf(fit, sizeof(fit), isnan(es.error_pct) ? "; fitted to published power" :
				 "; fitted to published power, error %.0f%%", es.error_pct);
		fprintf(out, "  system       %s%9.3f mJ   (%.2f W average at the wall: %s%s)\n", ge, es.system_j * 1e3,
			e->latency_s > 0 ? es.system_j / e->latency_s : 0, gr_hw_system_of(e->hw)->name, fit);
	}
	fprintf(out, "  peak memory  %10s      (weights %s, activations %s)\n", mem,
		gr_fmt_bytes(e->weight_bytes, b, sizeof(b)), gr_fmt_bytes(e->peak_activation_bytes, c, sizeof(c)));
	fprintf(out, "  work         %10s FLOPs, %s moved, %lld params, %zu kernels\n", work,
		gr_fmt_si(e->bytes, b, sizeof(b)), (long long)e->params, e->n_kernels);
	fprintf(out, "  time split   compute %.3f ms, memory %.3f ms, overhead %.3f ms (sums of kernel terms)%s\n",
		e->compute_s * 1e3, e->memory_s * 1e3, e->overhead_s * 1e3, e->io_transfer_s > 0 ? "," : "");
	if (e->io_transfer_s > 0)
		fprintf(out, "               host link %.3f ms for the model's inputs and outputs\n", e->io_transfer_s * 1e3);
	if (e->confidence_share[GR_CONF_TRANSFERRED] > 0)
		fprintf(out, "  confidence   %s (transferred %.0f%%, theoretical %.0f%% of latency)",
			gr_confidence_name(e->confidence), 100 * e->confidence_share[GR_CONF_TRANSFERRED],
			100 * e->confidence_share[GR_CONF_THEORETICAL]);
	else
		fprintf(out, "  confidence   %s (calibrated %.0f%%, interpolated %.0f%%, theoretical %.0f%% of latency)",
			gr_confidence_name(e->confidence), 100 * e->confidence_share[GR_CONF_CALIBRATED],
			100 * e->confidence_share[GR_CONF_INTERPOLATED], 100 * e->confidence_share[GR_CONF_THEORETICAL]);
	if (isfinite(e->error_band_pct))
		fprintf(out, ", expected error +-%.0f%% (leave-one-model-out on published figures)", e->error_band_pct);
	fputc('\n', out);
	fprintf(out, "  coverage     %.1f%% of nodes with known shape and cost\n", 100.0 * cov->share);
	if (lb)
		fprintf(out, "  WARNING      lower bound: %zu nodes are not costed (%zu unknown ops, %zu of unknown "
			"shape); totals marked >= leave them out\n", cov->nodes - cov->known, e->unknown_ops,
			cov->unknown_shape_nodes);
	if (e->host_fallback_kernels)
		fprintf(out, "  fallback     %zu kernels run on the host CPU (ops the device does not support)\n",
			e->host_fallback_kernels);
	if (e->profile)
		fprintf(out, "  calibration  %s%s%s%s\n", e->profile, e->profile_path ? " (" : "",
			e->profile_path ? e->profile_path : "", e->profile_path ? ")" : "");
	if (e->borrowed_from && e->borrowed_classes)
		fprintf(out, "  borrowed     op classes never measured here: their ratio to a measured class "
			"from %s\n", e->borrowed_from);
	else if (e->borrowed_from)
		fprintf(out, "  borrowed     efficiencies of %s, scaled by datasheet peaks and bandwidths "
			"(--no-transfer: theoretical)\n", e->borrowed_from);
	if (e->note[0])
		fprintf(out, "  note         %s\n", e->note);
	if (t && fmt == GR_FMT_TABLE) {
		fprintf(out, "\nslowest kernels (%zu of %zu; --format csv lists all):\n", shown, e->n_kernels);
		gr_table_write(t, fmt, out);
	}
	gr_table_free(t);
}
