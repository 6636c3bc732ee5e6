/* The benchmark rounds' guard (src/cli/rounds.c) as pure functions of round figures: when a
 * round counts as disturbed, when a model's minimum is confirmed, unconfirmed or disturbed,
 * and which models get another round. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli/rounds.h"

static void disturbed_is_waiting_steal_or_a_slow_probe(void **state)
{
	/* other processes' CPUs alone do not count while the runner hardly waited and the probe
	 * stayed fast (their work ran beside it, on the other CPU) */
	round_load beside = {1.5, 0.005, 0.03, 0.105}, waited = {0.5, 0, 0.3, 0.1},
		   slow = {0.0, 0, 0, 0.12}, stolen = {0, 0.05, 0, 0.1},
		   unknown = {NAN, NAN, NAN, NAN}, old_busy = {1.2, 0, NAN, NAN},
		   old_quiet = {0.1, 0, NAN, NAN};
	(void)state;
	assert_false(rounds_disturbed(&beside, 0.1)); /* probe +5%: within its margin */
	assert_true(rounds_disturbed(&waited, 0.1));
	assert_true(rounds_disturbed(&slow, 0.1));    /* probe +20% */
	assert_true(rounds_disturbed(&stolen, 0.1));
	assert_false(rounds_disturbed(&unknown, 0.1)); /* no figures: no evidence */
	/* an older runner's records, without wait share or probe: other processes' CPUs decide */
	assert_true(rounds_disturbed(&old_busy, NAN));
	assert_false(rounds_disturbed(&old_quiet, NAN));
}

static void a_second_quiet_round_within_tol_confirms(void **state)
{
	double ms[] = {10.0, 12.0, 10.2};
	int d[] = {0, 0, 0};
	double spread;
	(void)state;
	assert_int_equal(rounds_verdict(ms, d, 3, 0.03, &spread), MIN_CONFIRMED);
	assert_true(fabs(spread - 0.02) < 1e-9);
	/* the confirming round may be the disturbed one when the best was quiet, and the
	 * other way round */
	d[2] = 1;
	assert_int_equal(rounds_verdict(ms, d, 3, 0.03, &spread), MIN_CONFIRMED);
	d[0] = 1;
	d[2] = 0;
	assert_int_equal(rounds_verdict(ms, d, 3, 0.03, &spread), MIN_CONFIRMED);
}

static void rounds_that_disagree_leave_it_unconfirmed(void **state)
{
	double ms[] = {10.0, 11.0, 12.0}, one[] = {10.0}, none[] = {NAN, NAN};
	int d[] = {0, 0, 0};
	double spread;
	(void)state;
	assert_int_equal(rounds_verdict(ms, d, 3, 0.03, &spread), MIN_UNCONFIRMED);
	assert_true(fabs(spread - 0.10) < 1e-9);
	assert_int_equal(rounds_verdict(one, d, 1, 0.03, &spread), MIN_UNCONFIRMED);
	assert_true(isnan(spread));
	assert_int_equal(rounds_verdict(none, d, 2, 0.03, &spread), MIN_UNCONFIRMED);
	/* a wider tolerance accepts the same rounds */
	assert_int_equal(rounds_verdict(ms, d, 3, 0.15, &spread), MIN_CONFIRMED);
}

static void agreement_of_disturbed_rounds_only_is_disturbed(void **state)
{
	/* every round slowed alike by other work agrees with itself: not evidence of the quiet
	 * machine's time (issue #12: all three rounds 7-27% slow) */
	double ms[] = {11.0, 11.1, 11.2, 10.0};
	int d[] = {1, 1, 1, 0};
	double spread;
	(void)state;
	assert_int_equal(rounds_verdict(ms, d, 3, 0.03, &spread), MIN_DISTURBED);
	/* a quiet round far below: the disturbed ones no longer confirm it */
	assert_int_equal(rounds_verdict(ms, d, 4, 0.03, &spread), MIN_UNCONFIRMED);
}

static void to_repeat_lists_unconfirmed_models_under_the_cap(void **state)
{
	round_table t = {0};
	round_model m[3];
	char buf[64];
	(void)state;
	memset(m, 0, sizeof(m));
	strcpy(m[0].name, "a");
	m[0].n = 3;
	m[0].verdict = MIN_CONFIRMED;
	strcpy(m[1].name, "b");
	m[1].n = 3;
	m[1].verdict = MIN_UNCONFIRMED;
	strcpy(m[2].name, "c");
	m[2].n = 6;
	m[2].verdict = MIN_DISTURBED;
	t.m = m;
	t.n = t.cap = 3;
	assert_int_equal(rounds_to_repeat(&t, 6, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "b");
	assert_int_equal(rounds_to_repeat(&t, 7, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "b,c");
	assert_int_equal(rounds_to_repeat(&t, 3, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void an_interrupted_round_is_not_counted_as_timed(void **state)
{
	/* the JSON's minima[].rounds and the table's rounds column both read 'timed': a round
	 * stopped before its model record (no figure) was counted by one and not the other */
	round_table t = {0};
	round_model m;
	(void)state;
	memset(&m, 0, sizeof(m));
	strcpy(m.name, "a");
	m.n = 3;
	for (int k = 0; k < 3; k++) {
		m.load[k] = (round_load){NAN, NAN, NAN, NAN};
		m.quiet_ms[k] = NAN;
		m.model_ms[k] = k == 2 ? NAN : 10.0 + k * 0.1;
	}
	t.m = &m;
	t.n = t.cap = 1;
	rounds_judge(&t);
	assert_int_equal(m.timed, 2);
	assert_int_equal(m.verdict, MIN_CONFIRMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(disturbed_is_waiting_steal_or_a_slow_probe),
		cmocka_unit_test(a_second_quiet_round_within_tol_confirms),
		cmocka_unit_test(rounds_that_disagree_leave_it_unconfirmed),
		cmocka_unit_test(agreement_of_disturbed_rounds_only_is_disturbed),
		cmocka_unit_test(to_repeat_lists_unconfirmed_models_under_the_cap),
		cmocka_unit_test(an_interrupted_round_is_not_counted_as_timed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
