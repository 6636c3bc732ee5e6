/* The core clock, measured: a chain of dependent register adds retires one add per cycle on
 * every x86-64 and AArch64 core (one-cycle ALU latency; register-register adds are not folded
 * by the renamers that fold small immediates), so adds per second is the clock this core runs
 * at under load. Used where no cpufreq is readable (virtual machines): /proc/cpuinfo's "cpu MHz"
 * is then the nominal clock the hypervisor reports, often well below the turbo clock that the
 * cores actually run at, and a peak derived from it is too low for fits bounded by it. */
#include "hardware/hw_impl.h"

#include <time.h>

#define CHAIN_ADDS 2000000L /* ~1 ms at 2 GHz: short enough to fit between time slices */
#define ROUNDS 40

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Seconds for CHAIN_ADDS dependent adds, or 0 where no chain is written for this ISA. The loop
 * is inside the asm: a C loop around it is compiled as the build says, and an instrumented one
 * (--coverage -fprofile-update=atomic: a locked counter update per iteration) or an -O0 one
 * (the counter and x through memory) takes longer than the 8 adds: a coverage build measured
 * this 3.5 GHz VM below its nominal 2.8 GHz. The count runs beside the chain (sub/jnz,
 * subs/b.ne), not on it. */
static double chain(void)
{
#if defined(__x86_64__) || defined(__aarch64__)
	unsigned long x = 1, y = 3, n = CHAIN_ADDS;
	double t = now_s();
#if defined(__x86_64__)
	__asm__ volatile("1:\n\t"
			 "add %2,%0\n\tadd %2,%0\n\tadd %2,%0\n\tadd %2,%0\n\t"
			 "add %2,%0\n\tadd %2,%0\n\tadd %2,%0\n\tadd %2,%0\n\t"
			 "sub $8,%1\n\tjnz 1b"
			 : "+r"(x), "+r"(n)
			 : "r"(y)
			 : "cc");
#else
	__asm__ volatile("1:\n\t"
			 "add %0,%0,%2\n\tadd %0,%0,%2\n\tadd %0,%0,%2\n\tadd %0,%0,%2\n\t"
			 "add %0,%0,%2\n\tadd %0,%0,%2\n\tadd %0,%0,%2\n\tadd %0,%0,%2\n\t"
			 "subs %1,%1,#8\n\tb.ne 1b"
			 : "+r"(x), "+r"(n)
			 : "r"(y)
			 : "cc");
#endif
	return now_s() - t;
#else
	return 0;
#endif
}

double gr_hw_measure_mhz(void)
{
	double best = 0;
	/* the first rounds ramp the clock up; the fastest round is the one no other process
	 * interrupted (the shortest time, the highest clock) */
	for (int r = 0; r < ROUNDS; r++) {
		double t = chain();
		if (t <= 0)
			return 0;
		if (best == 0 || t < best)
			best = t;
	}
	return (double)CHAIN_ADDS / best / 1e6;
}
