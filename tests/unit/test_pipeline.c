/* Pipeline specs and their analysis: what a spec means (defaults, parallel groups, devices,
 * links), what it may not say (each refusal names the line), and the numbers of the schedule
 * worked out by hand. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "graphs/pipeline.h"

static gr_pl_link *types;
static size_t n_types;

static int setup(void **state)
{
	gr_error err = {0};
	(void)state;
	return gr_pipeline_links_load(GRAPHS_SOURCE_DIR "/data/links.yaml", &types, &n_types, &err) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	free(types);
	return 0;
}

/* Writes text to a temporary spec and loads it; returns the status, err filled. */
static gr_status load_text(const char *text, gr_pl_spec **s, gr_error *err, char *path, size_t size)
{
	int fd;
	FILE *f;
	snprintf(path, size, "/tmp/graphs_pl_test_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	gr_status st = gr_pipeline_spec_load(path, types, n_types, s, err);
	unlink(path);
	return st;
}

static void links_file_has_the_usual_links(void **state)
{
	int pcie = 0, um = 0;
	(void)state;
	assert_true(n_types >= 8);
	for (size_t i = 0; i < n_types; i++) {
		if (!strcmp(types[i].name, "pcie_gen4_x16")) {
			pcie = 1;
			assert_true(fabs(types[i].bandwidth_bytes_s - 31.5e9) < 1e6);
		}
		if (!strcmp(types[i].name, "unified_memory"))
			um = types[i].zero_copy;
	}
	assert_true(pcie && um);
}

static const char chain_spec[] =
	"name: t\n"
	"target_fps: 30\n"
	"links:\n"
	"  - {name: eth, bandwidth_gbps: 0.1, latency_us: 100}\n"
	"stages:\n"
	"  - {name: a, model: resnet18, hw: nvidia_t4}\n"
	"  - parallel:\n"
	"      - {name: b, model: resnet18, hw: nvidia_t4}\n"
	"      - {name: c, model: resnet18, hw: hailo8, link: pcie_gen3_x4}\n"
	"  - name: d\n"
	"    model: resnet18\n"
	"    hw: raspberry_pi_5\n"
	"    link: eth\n"
	"    transfer_bytes: 1000000\n";

static void spec_defaults_groups_devices_and_links(void **state)
{
	gr_pl_spec *s = NULL;
	gr_error err = {0};
	char path[64];
	(void)state;
	assert_int_equal(load_text(chain_spec, &s, &err, path, sizeof(path)), GR_OK);
	assert_int_equal(s->n_stages, 4);
	assert_int_equal(s->n_devices, 3);
	assert_true(s->target_fps == 30);
	/* a follows nothing, b and c follow a, d follows both */
	assert_int_equal(s->stages[0].n_after, 0);
	assert_int_equal(s->stages[1].n_after, 1);
	assert_int_equal(s->stages[2].n_after, 1);
	assert_int_equal(s->stages[3].n_after, 2);
	assert_int_equal(s->stages[1].group, 0);
	assert_int_equal(s->stages[2].group, 0);
	assert_int_equal(s->stages[3].group, -1);
	assert_int_equal(s->stages[0].device_index, s->stages[1].device_index);
	assert_int_equal(s->stages[0].batch, 1);
	/* the type used by name became a link of the spec */
	assert_int_equal(s->n_links, 2);
	assert_string_equal(s->links[s->stages[2].link].name, "pcie_gen3_x4");
	assert_string_equal(s->links[s->stages[3].link].name, "eth");
	assert_int_equal(s->stages[3].line, 10);
	assert_int_equal(s->stages[3].hw_line, 12);
	gr_pipeline_spec_free(s);
}

static void analysis_contends_on_a_device_and_overlaps_across(void **state)
{
	gr_pl_spec *s = NULL;
	gr_pl_result r;
	gr_error err = {0};
	char path[64];
	double call[4] = {0.010, 0.004, 0.006, 0.020}, in[4] = {0, 0, 3.94e6, 0};
	(void)state;
	assert_int_equal(load_text(chain_spec, &s, &err, path, sizeof(path)), GR_OK);
	assert_int_equal(gr_pipeline_analyze(s, call, NULL, in, &r, &err), GR_OK);
	/* b waits for a on the t4; c's input crosses pcie (10 us + 3.94 MB at 3.94 GB/s = 1.01 ms) */
	assert_true(fabs(r.stages[1].start_s - 0.010) < 1e-12);
	assert_true(fabs(r.stages[1].end_s - 0.014) < 1e-12);
	assert_true(fabs(r.stages[2].transfer_s - 0.00101) < 1e-9);
	assert_true(fabs(r.stages[2].start_s - 0.01101) < 1e-9);
	assert_true(fabs(r.stages[2].end_s - 0.01701) < 1e-9);
	/* d: after both, then 100 us + 1 MB at 0.1 GB/s = 10.1 ms over ethernet, then 20 ms */
	assert_true(fabs(r.stages[3].transfer_s - 0.0101) < 1e-9);
	assert_true(fabs(r.stages[3].start_s - (0.01701 + 0.0101)) < 1e-9);
	assert_true(fabs(r.latency_s - (0.01701 + 0.0101 + 0.020)) < 1e-9);
	/* the t4 holds a and b: 14 ms; the pi 20 ms: the bottleneck, 50 frames/s */
	assert_true(fabs(r.devices[s->stages[0].device_index].busy_s - 0.014) < 1e-12);
	assert_int_equal(r.bound, GR_PL_DEVICE);
	assert_int_equal(r.bottleneck, s->stages[3].device_index);
	assert_int_equal(r.bottleneck_stage, 3);
	assert_true(fabs(r.throughput_fps - 50) < 1e-9);
	assert_int_equal(r.meets_target, 1);
	/* at 30 frames/s the t4 is busy 14 of 33.3 ms */
	assert_true(fabs(r.devices[s->stages[0].device_index].utilization - 0.42) < 1e-9);
	assert_true(fabs(r.devices[s->stages[0].device_index].idle_s - (1.0 / 30 - 0.014)) < 1e-12);
	/* a slow link becomes the bottleneck */
	s->stages[3].transfer_bytes = 3e6; /* 30.1 ms */
	assert_int_equal(gr_pipeline_analyze(s, call, NULL, in, &r, &err), GR_OK);
	assert_int_equal(r.bound, GR_PL_LINK);
	assert_string_equal(s->links[r.bottleneck].name, "eth");
	assert_int_equal(r.bottleneck_stage, 3);
	assert_int_equal(r.meets_target, 1);
	s->stages[3].transfer_bytes = 4e6; /* 40.1 ms: under 30 frames/s */
	assert_int_equal(gr_pipeline_analyze(s, call, NULL, in, &r, &err), GR_OK);
	assert_int_equal(r.meets_target, 0);
	assert_true(fabs(r.operating_fps - 1 / 0.0401) < 1e-6);
	gr_pipeline_spec_free(s);
}

static void parallel_branches_on_one_device_take_turns(void **state)
{
	static const char text[] =
		"stages:\n"
		"  - parallel:\n"
		"      - {name: x, model: resnet18, hw: nvidia_t4, runs_per_frame: 2}\n"
		"      - {name: y, model: resnet18, hw: nvidia_t4}\n"
		"      - {name: z, model: resnet18, hw: nvidia_t4, device: second_t4}\n";
	gr_pl_spec *s = NULL;
	gr_pl_result r;
	gr_error err = {0};
	char path[64];
	double call[3] = {0.003, 0.005, 0.007}, per[3] = {0.002, 0.005, 0.007}, in[3] = {0};
	(void)state;
	assert_int_equal(load_text(text, &s, &err, path, sizeof(path)), GR_OK);
	assert_int_equal(s->n_devices, 2);
	assert_int_equal(gr_pipeline_analyze(s, call, per, in, &r, &err), GR_OK);
	/* x runs twice (6 ms), then y (5 ms) on the same t4; z alone on the second */
	assert_true(fabs(r.stages[1].start_s - 0.006) < 1e-12);
	assert_true(fabs(r.latency_s - 0.011) < 1e-12);
	/* the steady state counts x at its period: 2 x 2 + 5 = 9 ms */
	assert_true(fabs(r.period_s - 0.009) < 1e-12);
	assert_int_equal(r.meets_target, -1);
	gr_pipeline_spec_free(s);
}

/* Each bad spec fails with the file and the line of the fault. */
static void bad_specs_name_the_line(void **state)
{
	static const struct {
		const char *text, *words;
		int line;
	} bad[] = {
		{"stages:\n  - {name: a, model: m, hw: h, bogus: 1}\n", "unknown key 'bogus'", 2},
		{"stages:\n  - {name: a, hw: h}\n", "needs 'model'", 2},
		{"stages:\n  - {name: a, model: m}\n", "needs 'hw'", 2},
		{"stages:\n  - {model: m, hw: h}\n", "needs 'name'", 2},
		{"stages:\n  - {name: a, model: m, hw: h, batch: two}\n", "must be an integer", 2},
		{"stages:\n  - {name: a, model: m, hw: h, batch: 0}\n", "outside", 2},
		{"stages:\n  - {name: a, model: m, hw: h, batch: [1]}\n", "must be a scalar", 2},
		{"target_fps: fast\nstages:\n  - {name: a, model: m, hw: h}\n", "must be a number", 1},
		{"name: x\n", "no 'stages'", 1},
		{"stages: []\n", "is empty", 1},
		{"stages: {a: 1}\n", "must be a list", 1},
		{"- 1\n", "must be a mapping", 1},
		{"stages:\n  - {name: a, model: m, hw: h}\n  - {name: a, model: m, hw: h}\n", "declared twice", 3},
		{"stages:\n  - {name: a, model: m, hw: h, after: b}\n  - {name: b, model: m, hw: h}\n", "cycle", 2},
		{"stages:\n  - {name: a, model: m, hw: h, after: a}\n", "cycle", 2},
		{"stages:\n  - {name: a, model: m, hw: h}\n  - {name: b, model: m, hw: h, after: zz}\n",
		 "names no stage 'zz'", 3},
		{"stages:\n  - {name: a, model: m, hw: h}\n  - {name: b, model: m, hw: g}\n", "'link:'", 3},
		{"stages:\n  - {name: a, model: m, hw: h}\n  - {name: b, model: m, hw: g, link: warp}\n",
		 "unknown link 'warp'", 3},
		{"stages:\n  - {name: a, model: m, hw: h}\n  - {name: b, model: m, hw: h, link: usb3}\n",
		 "its own device", 3},
		{"stages:\n  - {name: a, model: m, hw: 'h:15w'}\n  - {name: b, model: m, hw: 'h:25w'}\n",
		 "one device, one platform", 3},
		{"links:\n  - {name: l, latency_us: 1}\nstages:\n  - {name: a, model: m, hw: h}\n", "bandwidth_gbps", 2},
		{"links:\n  - {name: l, type: warp9}\nstages:\n  - {name: a, model: m, hw: h}\n", "unknown link type", 2},
		{"stages:\n  - parallel: []\n", "'parallel' is empty", 2},
		{"stages:\n  - {name: 'a b', model: m, hw: h}\n", "only letters", 2},
		{"stages:\n  - {name: a, model: m, hw: h\n", "not YAML", 3},
		{"stages:\n  - {name: a, model: m, hw: h, model: n}\n", "given twice", 2},
		{"stages: [[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]\n", "nested deeper", 1},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		gr_pl_spec *s = NULL;
		gr_error err = {0};
		char path[64], where[96];
		gr_status st = load_text(bad[i].text, &s, &err, path, sizeof(path));
		if (st == GR_OK || !strstr(err.msg, bad[i].words))
			fail_msg("case %zu: status %d, message '%s', want '%s'", i, st, err.msg, bad[i].words);
		snprintf(where, sizeof(where), "%s:%d:", path, bad[i].line);
		if (!strstr(err.msg, where))
			fail_msg("case %zu: message '%s' does not name %s", i, err.msg, where);
		assert_null(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(links_file_has_the_usual_links),
		cmocka_unit_test(spec_defaults_groups_devices_and_links),
		cmocka_unit_test(analysis_contends_on_a_device_and_overlaps_across),
		cmocka_unit_test(parallel_branches_on_one_device_take_turns),
		cmocka_unit_test(bad_specs_name_the_line),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
