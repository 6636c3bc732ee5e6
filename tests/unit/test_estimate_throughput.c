/* Latency and throughput are different answers: the steady state of an estimate (period_s,
 * throughput_bound) against test platforms that differ only in their pipeline.* keys
 * (tests/fixtures/hw/throughput) and against every shipped platform. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graphs/estimate.h"
#include "graphs/model.h"
#include "zoo_fixture.h"

#define FIX_DIR GRAPHS_SOURCE_DIR "/tests/fixtures/hw"

static gr_hw_registry *reg;
static gr_graph *resnet18;

typedef struct run {
	gr_partition *p;
	gr_estimate *e;
	const gr_hw *hw;
	int mode;
} run;

/* Estimates g on hwspec at its preferred precision and default runtime; NULL e when the
 * platform refuses the model (want_ok 0) or fails the test (want_ok 1). */
static run estimate(const gr_graph *g, const char *hwspec, int want_ok)
{
	run r = {NULL, NULL, NULL, -1};
	gr_error err = {0};
	gr_estimate_opts eo = {.precision = -1};

	assert_int_equal(gr_hw_registry_resolve(reg, hwspec, &r.hw, &r.mode, &err), GR_OK);
	assert_int_equal(gr_partition_build(g, gr_fusion_rules_find(gr_estimate_default_runtime(r.hw)), &r.p, &err),
			 GR_OK);
	if (gr_estimate_run(g, r.p, r.hw, r.mode, &eo, &r.e, &err) && want_ok)
		fail_msg("%s: %s", hwspec, err.msg);
	return r;
}

static void release(run *r)
{
	gr_estimate_free(r->e);
	gr_partition_free(r->p);
}

/* FLOPs of the kernels the device runs (not the host's fallback ones). */
static double device_flops(const gr_estimate *e)
{
	double f = 0;
	for (size_t i = 0; i < e->n_kernels; i++)
		if (!e->kernels[i].on_host)
			f += e->kernels[i].kernel->flops;
	return f;
}

/* Where nothing overlaps (every shipped CPU and GPU, and an accelerator without pipeline
 * keys), throughput is batch / latency exactly, as before the steady-state model. */
static void where_nothing_overlaps_throughput_is_batch_over_latency(void **state)
{
	int checked = 0;
	run r;
	(void)state;

	for (size_t i = 0; i < gr_hw_registry_count(reg); i++) {
		const gr_hw *hw = gr_hw_registry_at(reg, i);
		gr_hw_class c = gr_hw_get_class(hw);
		if (c != GR_HW_CPU && c != GR_HW_GPU)
			continue;
		r = estimate(resnet18, gr_hw_id(hw), 0);
		if (r.e) {
			assert_int_equal(r.e->throughput_bound, GR_TPUT_LATENCY);
			assert_true(r.e->period_s == r.e->latency_s);
			assert_true(gr_estimate_throughput_per_s(r.e, 1) == 1.0 / r.e->latency_s);
			assert_int_equal(r.e->frames_in_flight, 1);
			/* the stages are the parts of the latency */
			assert_true(fabs(r.e->stage_device_s + r.e->stage_transfer_s + r.e->stage_host_s -
					 r.e->latency_s) < 1e-9 * r.e->latency_s);
			checked++;
		}
		release(&r);
	}
	print_message("%d cpu and gpu platforms: throughput = batch / latency\n", checked);
	assert_true(checked >= 20);
	r = estimate(resnet18, "tp_serial", 1);
	assert_int_equal(r.e->throughput_bound, GR_TPUT_LATENCY);
	assert_true(gr_estimate_throughput_per_s(r.e, 1) == 1.0 / r.e->latency_s);
	release(&r);
}

/* A dataflow chip holds one frame per layer: the rate is the layers' summed work over the
 * stage balance (0.8, the npu class default), not the latency with its launch costs. The
 * latency of one request is the same as on the serial twin. */
static void a_dataflow_chip_pipelines_frames(void **state)
{
	run d = estimate(resnet18, "tp_dataflow", 1), s = estimate(resnet18, "tp_serial", 1);
	double work = 0, thr = gr_estimate_throughput_per_s(d.e, 1);
	size_t n = 0;
	(void)state;

	for (size_t i = 0; i < d.e->n_kernels; i++) {
		const gr_kernel_estimate *ke = &d.e->kernels[i];
		work += fmax(ke->compute_s, ke->memory_s);
		n += !ke->on_host;
	}
	print_message("resnet18 on tp_dataflow: latency %.3f ms, %.0f/s (batch / latency: %.0f/s)\n",
		      d.e->latency_s * 1e3, thr, 1 / d.e->latency_s);
	assert_true(d.e->latency_s == s.e->latency_s);
	assert_int_equal(d.e->throughput_bound, GR_TPUT_PIPELINE_STAGE);
	assert_true(thr > 1.05 / d.e->latency_s);
	assert_true(fabs(d.e->period_s - work / 0.8) < 1e-9 * work);
	assert_int_equal(d.e->frames_in_flight, (int64_t)n);
	release(&d);
	release(&s);
}

/* Weights that do not fit on a dataflow chip reload every request (contexts): the rate drops
 * below that of the same chip with room for them, and never below batch / latency. */
static void weights_that_do_not_fit_slow_the_pipeline(void **state)
{
	run small = estimate(resnet18, "tp_dataflow_small", 1), big = estimate(resnet18, "tp_dataflow_big", 1);
	double ts = gr_estimate_throughput_per_s(small.e, 1), tb = gr_estimate_throughput_per_s(big.e, 1);
	(void)state;

	print_message("resnet18 (11.7 MB int8): %.0f/s with 2 MiB on chip, %.0f/s with 64 MiB\n", ts, tb);
	assert_non_null(strstr(small.e->note, "do not fit"));
	assert_true(ts < 0.5 * tb);
	assert_true(ts >= 1 / small.e->latency_s);
	assert_int_equal(big.e->throughput_bound, GR_TPUT_PIPELINE_STAGE);
	release(&small);
	release(&big);
}

/* With DMA, inputs and outputs cross the link while the device computes: the period is the
 * longer of the two, not their sum. On a 0.05 GB/s link the transfer is the longer. */
static void overlapped_transfers_take_the_longer_not_the_sum(void **state)
{
	run o = estimate(resnet18, "tp_overlap", 1), s = estimate(resnet18, "tp_serial_slow", 1);
	double io = s.e->io_transfer_s, rest = s.e->latency_s - io;
	(void)state;

	print_message("resnet18 on a slow link: transfer %.3f ms, the rest %.3f ms, period %.3f ms "
		      "(serial %.3f ms)\n", io * 1e3, rest * 1e3, o.e->period_s * 1e3, s.e->period_s * 1e3);
	assert_true(io > rest); /* the test means the transfer-bound case */
	assert_true(o.e->latency_s == s.e->latency_s);
	assert_int_equal(s.e->throughput_bound, GR_TPUT_LATENCY);
	assert_int_equal(o.e->throughput_bound, GR_TPUT_TRANSFER);
	assert_true(fabs(o.e->period_s - fmax(io, rest)) < 1e-9 * io);
	assert_true(fabs(gr_estimate_throughput_per_s(o.e, 1) - 1 / io) < 1e-6 / io);
	release(&o);
	release(&s);
}

/* Three streams run three requests at once: between batch / latency and three times that. */
static void streams_overlap_requests_within_the_device_rate(void **state)
{
	run r = estimate(resnet18, "tp_streams", 1);
	double thr = gr_estimate_throughput_per_s(r.e, 1);
	(void)state;

	assert_int_equal(r.e->frames_in_flight, 3);
	assert_true(thr > 1 / r.e->latency_s && thr <= 3 / r.e->latency_s * (1 + 1e-12));
	release(&r);
}

/* Physics, on every shipped platform and mode and the test platforms: the steady state never
 * runs the device's work faster than its peak, never moves the link's bytes faster than the
 * link, and is never slower than one request after another. */
static void throughput_never_exceeds_peak_compute_or_the_link(void **state)
{
	int checked = 0, overlapped = 0;
	(void)state;

	for (size_t i = 0; i < gr_hw_registry_count(reg); i++) {
		const gr_hw *hw = gr_hw_registry_at(reg, i);
		for (int mode = -1; mode < (int)gr_hw_mode_count(hw); mode++) {
			char spec[256];
			double thr, peak;
			run r;
			snprintf(spec, sizeof(spec), "%s%s%s", gr_hw_id(hw), mode >= 0 ? ":" : "",
				 mode >= 0 ? gr_hw_mode_name(hw, (size_t)mode) : "");
			r = estimate(resnet18, spec, 0);
			if (!r.e) {
				release(&r);
				continue;
			}
			thr = gr_estimate_throughput_per_s(r.e, 1);
			peak = gr_hw_effective_peak_ops(r.hw, r.mode, r.e->precision);
			if (thr * device_flops(r.e) > peak * (1 + 1e-9))
				fail_msg("%s: %g/s x %g FLOPs > peak %g", spec, thr, device_flops(r.e), peak);
			if (thr * r.e->latency_s < 1 - 1e-12)
				fail_msg("%s: %g/s is below batch / latency", spec, thr);
			if (r.e->stage_transfer_s > 0 && r.e->period_s < r.e->stage_transfer_s * (1 - 1e-12))
				fail_msg("%s: period below the link's time", spec);
			overlapped += r.e->throughput_bound != GR_TPUT_LATENCY;
			checked++;
			release(&r);
		}
	}
	print_message("%d platform modes, %d overlapping\n", checked, overlapped);
	assert_true(checked > 60 && overlapped >= 5);
}

/* pipeline.* values are checked like every estimator key. */
static void bad_pipeline_values_are_refused(void **state)
{
	char dir[] = "/tmp/graphs_pipelineXXXXXX", path[64], cmd[1400];
	FILE *f;
	int n;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bad.yaml", dir);
	snprintf(cmd, sizeof(cmd), "sed -e 's/^id: tp_streams/id: tp_bad/' -e 's/streams: 3/streams: 0, balance: 1.5, "
		 "dataflow: maybe/' '%s/throughput/tp_streams.yaml' > '%s'", FIX_DIR, path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	fclose(f);
	n = gr_hw_validate_path(path, NULL, NULL);
	assert_true(n >= 3);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	gr_error err = {0};
	(void)state;
	setenv("GRAPHS_HARDWARE_PATH", FIX_DIR "/throughput", 1);
	if (gr_hw_registry_load(GRAPHS_SOURCE_DIR "/hardware", &reg, &err))
		return -1;
	unsetenv("GRAPHS_HARDWARE_PATH");
	resnet18 = load_zoo("resnet18", 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gr_graph_free(resnet18);
	gr_hw_registry_free(reg);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(where_nothing_overlaps_throughput_is_batch_over_latency),
		cmocka_unit_test(a_dataflow_chip_pipelines_frames),
		cmocka_unit_test(weights_that_do_not_fit_slow_the_pipeline),
		cmocka_unit_test(overlapped_transfers_take_the_longer_not_the_sum),
		cmocka_unit_test(streams_overlap_requests_within_the_device_rate),
		cmocka_unit_test(throughput_never_exceeds_peak_compute_or_the_link),
		cmocka_unit_test(bad_pipeline_values_are_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
