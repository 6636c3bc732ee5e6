/* graphs serve: the analytic answer against the seeded simulation (p99 within 5% at
 * utilizations up to 0.7 and on the points above it tried here, docs/serve.md), the closed form of
 * max_batch 1, determinism of the simulation, and the refusals (unstable rate, bad input). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "graphs/serve.h"

/* service time of batch b: fixed + per-request cost, as the estimator's curves look */
static void curve(double *s, int B, double fixed_ms, double per_ms)
{
	for (int b = 1; b <= B; b++)
		s[b - 1] = (fixed_ms + per_ms * b) * 1e-3;
}

typedef struct point {
	double rate;
	int B;
	double timeout_ms, fixed_ms, per_ms;
} point;

static double compare(const point *pt, int print, double *util)
{
	double s[64];
	gr_serve_params p;
	gr_serve_result a, m;
	gr_error err = {0};

	curve(s, pt->B, pt->fixed_ms, pt->per_ms);
	p = (gr_serve_params){pt->rate, pt->B, pt->timeout_ms * 1e-3, s};
	assert_int_equal(gr_serve_analytic(&p, &a, &err), GR_OK);
	assert_int_equal(gr_serve_simulate(&p, 7, 400000, &m, &err), GR_OK);
	/* the two agree on what needs no tail: utilization and mean batch */
	assert_true(fabs(a.utilization - m.utilization) < 0.01);
	assert_true(fabs(a.mean_batch / m.mean_batch - 1) < 0.01);
	*util = m.utilization;
	if (print)
		printf("  rate %6.0f/s B %2d T %4.1f ms S(b) = %.1f + %.2f b ms: util %.3f  p99 analytic %7.3f ms "
		       "simulated %7.3f ms (%+.2f%%)  mean %.3f / %.3f ms  carry-over %.3f\n",
		       pt->rate, pt->B, pt->timeout_ms, pt->fixed_ms, pt->per_ms, m.utilization, a.p99_s * 1e3,
		       m.p99_s * 1e3, 100 * (a.p99_s / m.p99_s - 1), a.mean_s * 1e3, m.mean_s * 1e3, m.carry_share);
	return a.p99_s / m.p99_s - 1;
}

/* Points across the regimes: timeout-bound batches, full batches, greedy batching (T = 0), small
 * batches that leave requests behind (B 2), the M/D/1 case, the server near 0.7 busy and beyond;
 * every one must agree within 5% (the acceptance asks it up to utilization 0.7; the points above
 * are checked too, and printed). */
static void serve_analytic_p99_within_5pct_of_simulation(void **state)
{
	static const point pts[] = {
		{100, 8, 5, 2, 0.5},   {500, 8, 5, 2, 0.5},    {800, 8, 10, 2, 0.5},  {100, 4, 2, 5, 1},
		{300, 16, 0, 2, 0.25}, {700, 32, 4, 3, 0.2},   {50, 1, 0, 5, 1},      {100, 1, 0, 5, 1},
		{400, 8, 1, 1, 1},     {200, 8, 0, 2, 0.5},    {100, 2, 5, 5, 2},     {60, 2, 0, 5, 2},
		{700, 16, 2, 2, 0.25}, {150, 2, 5, 5, 2},      {1000, 8, 2, 2, 0.5},  {1500, 32, 1, 3, 0.2},
	};
	int low = 0;
	double worst = 0;
	printf("serve: analytic vs simulated p99 (seed 7, 400000 requests)\n");
	for (size_t i = 0; i < sizeof(pts) / sizeof(pts[0]); i++) {
		double util, e = compare(&pts[i], 1, &util);
		low += util <= 0.7;
		if (fabs(e) > worst)
			worst = fabs(e);
		if (fabs(e) > 0.05)
			fail_msg("point %zu (utilization %.3f): p99 off by %.2f%%", i, util, 100 * e);
	}
	printf("  %d points at utilization <= 0.7, %zu above; largest p99 difference %.2f%%\n", low,
	       sizeof(pts) / sizeof(pts[0]) - (size_t)low, 100 * worst);
	assert_true(low >= 12);
}

static void serve_md1_closed_form(void **state)
{
	double s = 5e-3;
	gr_serve_params p = {100, 1, 0, &s};
	gr_serve_result a;
	gr_error err = {0};
	assert_int_equal(gr_serve_analytic(&p, &a, &err), GR_OK);
	assert_true(a.exact);
	/* M/D/1 at rho 0.5: mean wait rho D / (2 (1 - rho)) = 2.5 ms; P(W = 0) = 0.5 so p50 = D */
	assert_true(fabs(a.mean_s - 7.5e-3) < 1e-9);
	assert_true(fabs(a.p50_s - 5e-3) < 1e-9);
	assert_true(a.p99_s > 15e-3 && a.p99_s < 30e-3);
}

static void serve_simulation_is_deterministic(void **state)
{
	double s[8];
	gr_serve_params p = {400, 8, 2e-3, s};
	gr_serve_result a, b, c;
	gr_error err = {0};
	curve(s, 8, 2, 0.5);
	assert_int_equal(gr_serve_simulate(&p, 42, 20000, &a, &err), GR_OK);
	assert_int_equal(gr_serve_simulate(&p, 42, 20000, &b, &err), GR_OK);
	assert_int_equal(gr_serve_simulate(&p, 43, 20000, &c, &err), GR_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_true(a.p99_s != c.p99_s || a.mean_s != c.mean_s);
}

static void serve_refuses_unstable_and_bad_input(void **state)
{
	double s[4];
	gr_serve_params p = {0, 4, 1e-3, s};
	gr_serve_result r;
	gr_error err = {0};
	curve(s, 4, 2, 1); /* capacity 4 / 6 ms = 666.7 req/s */
	p.rate = 700;
	assert_int_equal(gr_serve_analytic(&p, &r, &err), GR_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "capacity"));
	assert_int_equal(gr_serve_simulate(&p, 1, 10000, &r, &err), GR_ERR_LIMIT);
	p.rate = -1;
	assert_int_equal(gr_serve_analytic(&p, &r, &err), GR_ERR_USAGE);
	p.rate = 100;
	p.timeout_s = NAN;
	assert_int_equal(gr_serve_analytic(&p, &r, &err), GR_ERR_USAGE);
	p.timeout_s = 0;
	s[2] = 0;
	assert_int_equal(gr_serve_simulate(&p, 1, 10000, &r, &err), GR_ERR_USAGE);
	assert_true(fabs(gr_serve_capacity(&(gr_serve_params){1, 1, 0, (double[]){0.01}}) - 100) < 1e-9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(serve_analytic_p99_within_5pct_of_simulation),
		cmocka_unit_test(serve_md1_closed_form),
		cmocka_unit_test(serve_simulation_is_deterministic),
		cmocka_unit_test(serve_refuses_unstable_and_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
