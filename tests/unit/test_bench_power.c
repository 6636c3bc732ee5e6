/* Power collectors on fake sensors (tests/fixtures/power): RAPL powercap trees including
 * counter wrap-around, nvidia-smi and tegrastats output parsing, the sampler threads on a
 * replayed recording, integration, and "no sensor" being reported rather than invented. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "graphs/bench.h"

#define FIX GRAPHS_SOURCE_DIR "/tests/fixtures/power"

static char root[256];

static int setup(void **state)
{
	char cmd[600];
	snprintf(root, sizeof(root), "/tmp/graphs_test_power_XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(cmd, sizeof(cmd), "cp -r '%s/rapl/.' '%s/'", FIX, root);
	(void)state;
	return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	unsetenv("GRAPHS_POWERCAP_ROOT");
	(void)state;
	return system(cmd) == 0 ? 0 : -1;
}

/* Replaces a counter atomically, as the kernel's sysfs read would see it. */
static void set_uj(const char *zone, uint64_t v)
{
	char p[512], tmp[520];
	FILE *f;
	snprintf(p, sizeof(p), "%s/%s/energy_uj", root, zone);
	snprintf(tmp, sizeof(tmp), "%s.new", p);
	f = fopen(tmp, "w");
	assert_non_null(f);
	fprintf(f, "%llu\n", (unsigned long long)v);
	fclose(f);
	assert_int_equal(rename(tmp, p), 0);
}

static void rapl_delta_handles_one_wrap(void **state)
{
	const uint64_t max = 262143328850ull;
	assert_int_equal(gr_rapl_delta(1000, 5000, max), 4000);
	assert_int_equal(gr_rapl_delta(max - 1000, 500, max), 1500);
	assert_int_equal(gr_rapl_delta(7, 7, max), 0);
	assert_int_equal(gr_rapl_delta(9000, 300, 0), 300); /* range unknown: a lower bound */
	(void)state;
}

static void rapl_sums_packages_skips_subzones_and_unwraps(void **state)
{
	gr_power *p;
	double t0, t1, j;
	int ns;
	setenv("GRAPHS_POWERCAP_ROOT", root, 1);
	assert_int_equal(gr_power_open("rapl", "cpu", &p, NULL), GR_OK);
	assert_non_null(p);
	assert_string_equal(gr_power_source(p), "rapl");

	/* package-0 is 2 J short of its wrap; package-1 counts normally. */
	set_uj("intel-rapl:0", 262143328850ull - 2000000);
	set_uj("intel-rapl:1", 10000000);
	t0 = gr_power_mark(p);
	set_uj("intel-rapl:0", 3000000);        /* wrapped: 2 J + 3 J */
	set_uj("intel-rapl:1", 11500000);       /* 1.5 J */
	set_uj("intel-rapl:0:0", 99000000);     /* core subzone: part of package-0, ignored */
	set_uj("intel-rapl:2", 999000000);      /* psys: ignored when packages exist */
	t1 = gr_power_mark(p);
	assert_int_equal(gr_power_energy(p, t0, t1, &j, &ns, NULL), GR_OK);
	assert_float_equal(j, 6.5, 1e-9);
	assert_true(ns >= 2);
	gr_power_close(p);
	(void)state;
}

static void rapl_uses_psys_when_there_is_no_package(void **state)
{
	gr_power *p;
	double t0, t1, j;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/intel-rapl:0' '%s/intel-rapl:1'", root, root);
	assert_int_equal(system(cmd), 0);
	setenv("GRAPHS_POWERCAP_ROOT", root, 1);
	assert_int_equal(gr_power_open("rapl", "cpu", &p, NULL), GR_OK);
	set_uj("intel-rapl:2", 1000000);
	t0 = gr_power_mark(p);
	set_uj("intel-rapl:2", 1250000);
	t1 = gr_power_mark(p);
	assert_int_equal(gr_power_energy(p, t0, t1, &j, NULL, NULL), GR_OK);
	assert_float_equal(j, 0.25, 1e-9);
	gr_power_close(p);
	(void)state;
}

static void no_sensor_is_reported_not_invented(void **state)
{
	gr_power *p = (gr_power *)1;
	gr_error err = {0};
	double j;
	setenv("GRAPHS_POWERCAP_ROOT", "/nonexistent/powercap", 1);
	assert_int_equal(gr_power_open("auto", "cpu", &p, NULL), GR_OK);
	assert_null(p);
	assert_string_equal(gr_power_source(p), "none");
	assert_int_equal(gr_power_energy(p, 0, 1, &j, NULL, &err), GR_ERR_UNSUPPORTED);
	assert_int_equal(gr_power_open("rapl", "cpu", &p, &err), GR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "/nonexistent/powercap"));
	assert_int_equal(gr_power_open("none", "cpu", &p, NULL), GR_OK);
	assert_null(p);
	assert_int_equal(gr_power_open("bogus", "cpu", &p, &err), GR_ERR_USAGE);
	(void)state;
}

static void nvsmi_lines_parse_to_watts(void **state)
{
	double w = -1;
	assert_int_equal(gr_nvsmi_parse("52.31", &w), 1);
	assert_float_equal(w, 52.31, 1e-12);
	assert_int_equal(gr_nvsmi_parse(" 187.92 W\r\n", &w), 1);
	assert_float_equal(w, 187.92, 1e-12);
	assert_int_equal(gr_nvsmi_parse("[N/A]", &w), 0);
	assert_int_equal(gr_nvsmi_parse("power.draw [W]", &w), 0);
	assert_int_equal(gr_nvsmi_parse("", &w), 0);
	assert_int_equal(gr_nvsmi_parse("12.5, 13.0", &w), 0);
	(void)state;
}

static char *first_line(const char *name, char *buf, size_t n)
{
	char p[512];
	FILE *f;
	snprintf(p, sizeof(p), "%s/%s", FIX, name);
	f = fopen(p, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, (int)n, f));
	fclose(f);
	return buf;
}

static void tegrastats_orin_uses_the_board_input_rail(void **state)
{
	char line[4096];
	gr_power_rail r[16];
	double total;
	int n = gr_tegrastats_parse(first_line("tegrastats-orin.txt", line, sizeof(line)), r, 16,
				    &total);
	assert_int_equal(n, 4); /* GPU_SOC, CPU_CV, VIN_SYS_5V0, VDDQ_VDD2_1V8AO; NC skipped */
	assert_string_equal(r[0].name, "VDD_GPU_SOC");
	assert_float_equal(r[0].watts, 2.388, 1e-12);
	assert_string_equal(r[2].name, "VIN_SYS_5V0");
	assert_float_equal(total, 3.524, 1e-12);
	(void)state;
}

static void tegrastats_without_input_rail_sums_the_rails(void **state)
{
	char line[4096];
	gr_power_rail r[16];
	double total;
	int n = gr_tegrastats_parse(first_line("tegrastats-xavier.txt", line, sizeof(line)), r, 16,
				    &total);
	assert_int_equal(n, 6);
	assert_string_equal(r[1].name, "CPU");
	assert_float_equal(total, (0 + 155 + 1242 + 0 + 155 + 1523) / 1000.0, 1e-12);
	n = gr_tegrastats_parse(first_line("tegrastats-nano.txt", line, sizeof(line)), r, 16, &total);
	assert_int_equal(n, 3);
	assert_string_equal(r[0].name, "POM_5V_IN");
	assert_float_equal(total, 2.253, 1e-12);
	assert_int_equal(gr_tegrastats_parse("RAM 1/2MB SWAP 0/1MB", r, 16, &total), 0);
	(void)state;
}

static void integration_is_trapezoidal_and_holds_the_ends(void **state)
{
	const double t[] = {1, 2, 3}, w[] = {10, 20, 20};
	assert_float_equal(gr_power_integrate(t, w, 3, 1, 3), 15 + 20, 1e-12);
	assert_float_equal(gr_power_integrate(t, w, 3, 1.5, 2), 0.5 * (15 + 20) * 0.5, 1e-12);
	assert_float_equal(gr_power_integrate(t, w, 3, 0, 1), 10, 1e-12);  /* before: hold */
	assert_float_equal(gr_power_integrate(t, w, 3, 3, 5), 40, 1e-12);  /* after: hold */
	assert_float_equal(gr_power_integrate(t, w, 3, 2, 2), 0, 0);
	(void)state;
}

static void sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	nanosleep(&ts, NULL);
}

/* A sampler fed a constant power must integrate to power x time. */
static void sampler_on_constant(const char *source, const char *env, const char *file,
				double watts)
{
	gr_power *p;
	gr_error err = {0};
	double t0, t1, j, idle;
	int ns;
	char data[512];
	snprintf(data, sizeof(data), "%s/%s", root, "const.txt");
	FILE *f = fopen(data, "w");
	assert_non_null(f);
	fputs(file, f);
	fclose(f);
	setenv("FAKE_SAMPLER_FILE", data, 1);
	setenv(env, FIX "/fake-sampler.sh", 1);
	assert_int_equal(gr_power_open(source, "cuda", &p, &err), GR_OK);
	assert_string_equal(gr_power_source(p), source);
	assert_int_equal(gr_power_idle(p, 0.2, &idle, &err), GR_OK);
	assert_float_equal(idle, watts, watts * 1e-9);
	t0 = gr_power_mark(p);
	sleep_s(0.3);
	t1 = gr_power_mark(p);
	assert_int_equal(gr_power_energy(p, t0, t1, &j, &ns, &err), GR_OK);
	assert_float_equal(j, watts * (t1 - t0), watts * 1e-9);
	assert_true(ns >= 3); /* >= 10 Hz */
	gr_power_close(p);
	unsetenv(env);
}

static void nvidia_smi_sampler_integrates_a_replayed_recording(void **state)
{
	sampler_on_constant("nvidia-smi", "GRAPHS_NVIDIA_SMI", "75.5\n[N/A]\n75.5\n", 75.5);
	(void)state;
}

static void tegrastats_sampler_integrates_the_input_rail(void **state)
{
	sampler_on_constant("tegrastats", "GRAPHS_TEGRASTATS",
			    "RAM 1/2MB VDD_GPU_SOC 9000mW/9000mW VIN_SYS_5V0 12000mW/12000mW\n", 12.0);
	(void)state;
}

static void nvidia_smi_sampler_follows_a_changing_load(void **state)
{
	gr_power *p;
	double t0, t1, j;
	char data[512];
	snprintf(data, sizeof(data), "%s/nvidia-smi.txt", FIX);
	setenv("FAKE_SAMPLER_FILE", data, 1);
	setenv("GRAPHS_NVIDIA_SMI", FIX "/fake-sampler.sh", 1);
	assert_int_equal(gr_power_open("nvidia-smi", "cuda", &p, NULL), GR_OK);
	sleep_s(0.1);
	t0 = gr_power_mark(p);
	sleep_s(0.4);
	t1 = gr_power_mark(p);
	assert_int_equal(gr_power_energy(p, t0, t1, &j, NULL, NULL), GR_OK);
	/* the recording swings between ~52 W and ~188 W */
	assert_true(j / (t1 - t0) > 52.0 && j / (t1 - t0) < 188.1);
	gr_power_close(p);
	unsetenv("GRAPHS_NVIDIA_SMI");
	(void)state;
}

static void missing_sampler_command_is_an_error(void **state)
{
	gr_power *p;
	gr_error err = {0};
	setenv("GRAPHS_NVIDIA_SMI", "/nonexistent/nvidia-smi", 1);
	assert_int_equal(gr_power_open("nvidia-smi", "cuda", &p, &err), GR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "/nonexistent/nvidia-smi"));
	unsetenv("GRAPHS_NVIDIA_SMI");
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rapl_delta_handles_one_wrap),
		cmocka_unit_test_setup_teardown(rapl_sums_packages_skips_subzones_and_unwraps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(rapl_uses_psys_when_there_is_no_package, setup,
						teardown),
		cmocka_unit_test(no_sensor_is_reported_not_invented),
		cmocka_unit_test(nvsmi_lines_parse_to_watts),
		cmocka_unit_test(tegrastats_orin_uses_the_board_input_rail),
		cmocka_unit_test(tegrastats_without_input_rail_sums_the_rails),
		cmocka_unit_test(integration_is_trapezoidal_and_holds_the_ends),
		cmocka_unit_test_setup_teardown(nvidia_smi_sampler_integrates_a_replayed_recording,
						setup, teardown),
		cmocka_unit_test_setup_teardown(tegrastats_sampler_integrates_the_input_rail, setup,
						teardown),
		cmocka_unit_test(nvidia_smi_sampler_follows_a_changing_load),
		cmocka_unit_test(missing_sampler_command_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
