/* The platform fingerprint stored with every run (CPU, clocks, governor, turbo, kernel,
 * library versions, threads, affinity), and the thread-count and CPU-pinning controls. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <cblas.h>
#include <dnnl.h>

#include "benchmarks/bench_impl.h"
#include "graphs/bench.h"


static int read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;
	if (!f)
		return 0;
	if (!fgets(buf, (int)size, f)) {
		fclose(f);
		return 0;
	}
	fclose(f);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 1;
}

/* Value of the first "key : value" line of /proc/cpuinfo. */
static int cpuinfo_value(const char *key, char *out, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[8192];
	size_t kl = strlen(key);
	int found = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *c;
		if (strncmp(line, key, kl) || !(c = strchr(line, ':')))
			continue;
		c++;
		while (*c == ' ' || *c == '\t')
			c++;
		snprintf(out, size, "%s", c);
		out[strcspn(out, "\n")] = 0;
		found = 1;
		break;
	}
	fclose(f);
	return found;
}

int gr_bench_cpu_has(const char *flag)
{
	static char flags[8192];
	static int loaded;
	size_t fl = strlen(flag);
	if (!loaded) {
		if (!cpuinfo_value("flags", flags, sizeof(flags)))
			flags[0] = 0;
		loaded = 1;
	}
	for (const char *p = flags; (p = strstr(p, flag)); p += fl)
		if ((p == flags || p[-1] == ' ') && (p[fl] == ' ' || p[fl] == 0))
			return 1;
	return 0;
}

static int bench_threads = 0;

int bench_thread_count(void)
{
	if (bench_threads > 0)
		return bench_threads;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

void gr_bench_set_threads(int n)
{
	if (n <= 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		n = c > 0 ? (int)c : 1;
	}
	bench_threads = n;
	openblas_set_num_threads(n);
	/* oneDNN's threads are OpenMP's (Debian builds it on libgomp, loaded with it): found at
	 * run time so the project needs no OpenMP flags or link of its own. */
	{
		void (*omp_set)(int);
		*(void **)&omp_set = dlsym(RTLD_DEFAULT, "omp_set_num_threads");
		if (omp_set)
			omp_set(n);
	}
}

static gr_status parse_cpulist(const char *s, cpu_set_t *set, gr_error *err)
{
	const char *p = s;
	CPU_ZERO(set);
	while (*p) {
		char *end;
		long a = strtol(p, &end, 10), b;
		if (end == p || a < 0 || a >= CPU_SETSIZE)
			goto bad;
		b = a;
		p = end;
		if (*p == '-') {
			b = strtol(p + 1, &end, 10);
			if (end == p + 1 || b < a || b >= CPU_SETSIZE)
				goto bad;
			p = end;
		}
		for (long i = a; i <= b; i++)
			CPU_SET((int)i, set);
		if (*p == ',')
			p++;
		else if (*p)
			goto bad;
	}
	if (CPU_COUNT(set) == 0)
		goto bad;
	return GR_OK;
bad:
	return gr_error_set(err, GR_ERR_USAGE, "bad cpu list '%s' (use e.g. 0, 0-3 or 0,2)", s);
}

gr_status gr_bench_pin(const char *cpus, gr_error *err)
{
	cpu_set_t set;
	DIR *d;
	struct dirent *e;
	gr_status st;

	if (!cpus)
		return GR_OK;
	if ((st = parse_cpulist(cpus, &set, err)))
		return st;
	/* Library thread pools started before this call keep their own masks: pin each task. */
	if (sched_setaffinity(0, sizeof(set), &set))
		return gr_error_set(err, GR_ERR_USAGE, "cannot pin to cpus '%s': not available here",
				    cpus);
	if ((d = opendir("/proc/self/task"))) {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				sched_setaffinity(atoi(e->d_name), sizeof(set), &set);
		closedir(d);
	}
	return GR_OK;
}

static void affinity_string(char *out, size_t size)
{
	cpu_set_t set;
	size_t len = 0;
	out[0] = 0;
	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (int i = 0; i < CPU_SETSIZE && len + 16 < size; i++) {
		int j = i;
		if (!CPU_ISSET(i, &set))
			continue;
		while (j + 1 < CPU_SETSIZE && CPU_ISSET(j + 1, &set))
			j++;
		len += (size_t)snprintf(out + len, size - len, len ? ",%d" : "%d", i);
		if (j > i)
			len += (size_t)snprintf(out + len, size - len, "-%d", j);
		i = j;
	}
}

void bench_onednn_version(char *out, size_t size)
{
	const dnnl_version_t *v = dnnl_version();
	const char *isa;
	switch (dnnl_get_effective_cpu_isa()) {
	case dnnl_cpu_isa_avx512_core_amx: isa = "avx512_core_amx"; break;
	case dnnl_cpu_isa_avx512_core_bf16: isa = "avx512_core_bf16"; break;
	case dnnl_cpu_isa_avx512_core_vnni: isa = "avx512_core_vnni"; break;
	case dnnl_cpu_isa_avx512_core: isa = "avx512_core"; break;
	case dnnl_cpu_isa_avx2: isa = "avx2"; break;
	default: isa = "other"; break;
	}
	snprintf(out, size, "%d.%d.%d (%s, isa %s)", v->major, v->minor, v->patch,
		 v->cpu_runtime == DNNL_RUNTIME_OMP ? "omp" : "other runtime", isa);
}

void gr_bench_platform_detect(gr_bench_platform *p)
{
	char buf[256];
	struct utsname u;
	time_t now = time(NULL);
	struct tm tm;
	static const char *isa[] = {"avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16",
				    "amx_bf16", "amx_tile", "neon", "asimd"};

	memset(p, 0, sizeof(*p));
	gethostname(p->hostname, sizeof(p->hostname) - 1);
	if (!cpuinfo_value("model name", p->cpu_model, sizeof(p->cpu_model)))
		cpuinfo_value("Model", p->cpu_model, sizeof(p->cpu_model));
	for (size_t i = 0; i < sizeof(isa) / sizeof(isa[0]); i++)
		if (gr_bench_cpu_has(isa[i])) {
			size_t l = strlen(p->cpu_flags_isa);
			snprintf(p->cpu_flags_isa + l, sizeof(p->cpu_flags_isa) - l, "%s%s", l ? " " : "",
				 isa[i]);
		}
	p->cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", buf, sizeof(buf)))
		p->cur_mhz = atof(buf) / 1000.0;
	else if (cpuinfo_value("cpu MHz", buf, sizeof(buf)))
		p->cur_mhz = atof(buf);
	if (read_line("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", buf, sizeof(buf)))
		p->max_mhz = atof(buf) / 1000.0;
	read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", p->governor,
		  sizeof(p->governor));
	if (read_line("/sys/devices/system/cpu/intel_pstate/no_turbo", buf, sizeof(buf)))
		snprintf(p->turbo, sizeof(p->turbo), "%s", atoi(buf) ? "off" : "on");
	else if (read_line("/sys/devices/system/cpu/cpufreq/boost", buf, sizeof(buf)))
		snprintf(p->turbo, sizeof(p->turbo), "%s", atoi(buf) ? "on" : "off");
	else
		snprintf(p->turbo, sizeof(p->turbo), "unknown");
	if (!uname(&u))
		snprintf(p->kernel, sizeof(p->kernel), "%.20s %.64s %.20s", u.sysname, u.release,
			 u.machine);
	snprintf(p->openblas, sizeof(p->openblas), "%s", openblas_get_config());
	bench_onednn_version(p->onednn, sizeof(p->onednn));
	p->threads = bench_thread_count();
	affinity_string(p->affinity, sizeof(p->affinity));
	gmtime_r(&now, &tm);
	strftime(p->date, sizeof(p->date), "%Y-%m-%dT%H:%M:%SZ", &tm);
}
