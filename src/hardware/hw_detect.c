/* Host detection: describes the CPU we run on as a registry entry with id "host".
 * hwloc (through libgraphs-bench: core/benchlib.h) gives cores, threads, caches and memory;
 * /proc/cpuinfo the model, SIMD and FMA flags; cpufreq (or cpuinfo) the clock; DMI, when
 * readable, the DRAM speed. What software cannot know (DRAM bandwidth, cache bandwidth, TDP)
 * is estimated and marked `measured: false`. */
#include "hardware/hw_impl.h"
#include "core/benchlib.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

/* Conservative DRAM default: two DDR4-2400 channels. `graphs benchmark` measures the real one. */
#define DEFAULT_DRAM_GBPS 38.4

typedef struct cpuinfo {
	char model[256];
	char vendor[64];
	char flags[8192];
	double mhz;
	int family;
} cpuinfo;

static void trim(char *s)
{
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
}

static void copy_value(char *dst, size_t size, const char *line)
{
	const char *colon = strchr(line, ':');
	if (!colon)
		return;
	colon++;
	while (*colon == ' ' || *colon == '\t')
		colon++;
	snprintf(dst, size, "%s", colon);
	trim(dst);
}

static int starts(const char *line, const char *key)
{
	size_t n = strlen(key);
	return !strncmp(line, key, n) && (line[n] == ' ' || line[n] == '\t' || line[n] == ':');
}

static void read_cpuinfo(cpuinfo *ci)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[8192];

	memset(ci, 0, sizeof(*ci));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!ci->model[0] && (starts(line, "model name") || starts(line, "Model")))
			copy_value(ci->model, sizeof(ci->model), line);
		else if (!ci->vendor[0] && (starts(line, "vendor_id") || starts(line, "CPU implementer")))
			copy_value(ci->vendor, sizeof(ci->vendor), line);
		else if (!ci->flags[0] && (starts(line, "flags") || starts(line, "Features")))
			copy_value(ci->flags, sizeof(ci->flags), line);
		else if (!ci->family && starts(line, "cpu family")) {
			char v[32] = "";
			copy_value(v, sizeof(v), line);
			ci->family = atoi(v);
		} else if (ci->mhz <= 0 && starts(line, "cpu MHz")) {
			char v[64] = "";
			copy_value(v, sizeof(v), line);
			ci->mhz = strtod(v, NULL);
		}
	}
	fclose(f);
}

static int has_flag(const cpuinfo *ci, const char *flag)
{
	const char *p = ci->flags;
	size_t n = strlen(flag);
	while ((p = strstr(p, flag))) {
		if ((p == ci->flags || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
			return 1;
		p += n;
	}
	return 0;
}

static double read_khz(const char *path)
{
	FILE *f = fopen(path, "r");
	double v = 0;
	if (!f)
		return 0;
	if (fscanf(f, "%lf", &v) != 1)
		v = 0;
	fclose(f);
	return v > 0 && v < 1e8 ? v : 0;
}

/* "Intel(R) Core(TM) i7-12700K CPU @ 3.60GHz" -> 3600 */
static double mhz_from_model(const char *model)
{
	const char *at = strstr(model, "@ ");
	double ghz;
	if (!at)
		return 0;
	ghz = strtod(at + 2, NULL);
	return ghz > 0.1 && ghz < 10 ? ghz * 1000 : 0;
}

static const char *vendor_name(const char *v)
{
	if (!strcmp(v, "GenuineIntel"))
		return "Intel";
	if (!strcmp(v, "AuthenticAMD"))
		return "AMD";
	if (!strcmp(v, "0x41"))
		return "Arm";
	if (!strcmp(v, "0x61"))
		return "Apple";
	if (!strcmp(v, "0x51"))
		return "Qualcomm";
	if (!strcmp(v, "0xc0"))
		return "Ampere";
	if (!strcmp(v, "0x48"))
		return "HiSilicon";
	return *v ? v : "unknown";
}

/* Sums the configured speed x width of populated SMBIOS type-17 memory devices (needs a
 * readable /sys/firmware/dmi/tables/DMI, usually root only). 0 when unknown. */
static double dmi_dram_gbps(int *modules, double *mtps_out)
{
	FILE *f = fopen("/sys/firmware/dmi/tables/DMI", "rb");
	unsigned char *buf;
	size_t n, off = 0;
	double total = 0;

	*modules = 0;
	*mtps_out = 0;
	if (!f)
		return 0;
	buf = malloc(1 << 20);
	if (!buf) {
		fclose(f);
		return 0;
	}
	n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	while (off + 4 <= n) {
		unsigned type = buf[off], len = buf[off + 1];
		size_t next;
		if (len < 4 || off + len > n)
			break;
		if (type == 17 && len >= 0x17) {
			unsigned size = buf[off + 0x0C] | (unsigned)buf[off + 0x0D] << 8;
			unsigned width = buf[off + 0x0A] | (unsigned)buf[off + 0x0B] << 8;
			unsigned speed = buf[off + 0x15] | (unsigned)buf[off + 0x16] << 8;
			if (len >= 0x22) {
				unsigned conf = buf[off + 0x20] | (unsigned)buf[off + 0x21] << 8;
				if (conf && conf != 0xFFFF)
					speed = conf;
			}
			if (size && size != 0xFFFF && width && width != 0xFFFF && width <= 128 && speed &&
			    speed != 0xFFFF) {
				total += width / 8.0 * speed / 1000.0;
				(*modules)++;
				*mtps_out = speed;
			}
		}
		if (type == 127)
			break;
		/* skip the formatted area, then the string set ending in two NULs */
		next = off + len;
		while (next + 1 < n && (buf[next] || buf[next + 1]))
			next++;
		off = next + 2;
	}
	free(buf);
	return total;
}

/* Package power limit from RAPL (Intel and recent AMD), in W; 0 when unreadable. */
static double rapl_limit_w(void)
{
	double uw = read_khz("/sys/class/powercap/intel-rapl:0/constraint_0_power_limit_uw");
	return uw > 0 ? uw / 1e6 : 0;
}

gr_status gr_hw_detect_host(gr_hw **out, gr_error *err)
{
	const gr_benchlib *B = gr_benchlib_get("host detection (hwloc)", err);
	gr_bench_topology topo;
	cpuinfo ci;
	gr_hw *hw = NULL;
	gr_hw_engine *eng;
	struct utsname un;
	char notes[2048] = "", name[320];
	int cores, pus, level, x86, arm, kinds = 0, dmi_modules = 0;
	double max_mhz, base_mhz, fp32_per_clk, dram_gbps, dmi_mtps = 0, tdp;
	int64_t mem_bytes = 0;
	size_t nm = 0;
	int p;

	if (!out)
		return gr_error_set(err, GR_ERR_USAGE, "gr_hw_detect_host: out is NULL");
	*out = NULL;
	if (!B)
		return GR_ERR_IO;
	if ((p = B->gr_bench_host_topology(&topo, err)))
		return p;
	read_cpuinfo(&ci);
	hw = gr_hw_new();
	if (!hw)
		goto nomem;

	cores = topo.cores;
	pus = topo.pus;
	if (cores <= 0)
		cores = pus > 0 ? pus : 1;
	if (pus <= 0)
		pus = cores;
	kinds = topo.kinds;

	if (uname(&un))
		snprintf(un.machine, sizeof(un.machine), "unknown");
	x86 = !strcmp(un.machine, "x86_64") || !strcmp(un.machine, "i686");
	arm = !strncmp(un.machine, "aarch64", 7) || !strncmp(un.machine, "arm", 3);

	/* clock: cpufreq max, else the model string, else the current MHz */
	max_mhz = read_khz("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq") / 1000;
	base_mhz = read_khz("/sys/devices/system/cpu/cpu0/cpufreq/base_frequency") / 1000;
	if (max_mhz <= 0) {
		/* no cpufreq (a VM): the nominal clock, or the one the hypervisor reports, can be
		 * well below the turbo clock the cores run at, so the clock is measured */
		double nominal = mhz_from_model(ci.model), meas = gr_hw_measure_mhz();
		if (nominal <= 0)
			nominal = ci.mhz;
		if (meas > 100 && meas < 10000 && meas > nominal) {
			max_mhz = round(meas / 10) * 10;
			snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes),
				 "No cpufreq: the clock (%.0f MHz) is measured (dependent adds on one core "
				 "under load); /proc/cpuinfo says %.0f MHz. ", max_mhz, nominal);
		} else {
			max_mhz = nominal;
			snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes),
				 "No cpufreq: the clock (%.0f MHz) comes from /proc/cpuinfo and may be "
				 "below the turbo clock. ", max_mhz);
		}
	}
	if (max_mhz <= 0) {
		max_mhz = 1000;
		snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes),
			 "Clock unknown: assumed 1000 MHz. ");
	}

	hw->id = "host";
	snprintf(name, sizeof(name), "%s (this machine)", ci.model[0] ? ci.model : un.machine);
	hw->name = gr_arena_strdup(hw->arena, name);
	hw->vendor = gr_arena_strdup(hw->arena, vendor_name(ci.vendor));
	hw->architecture = gr_arena_strdup(hw->arena, un.machine);
	hw->cls = GR_HW_CPU;
	/* uname's machine names the instruction set this build runs */
	if (!strcmp(un.machine, "x86_64") || !strcmp(un.machine, "amd64"))
		hw->isa_family = GR_HW_ISA_FAMILY_X86_64;
	else if (!strcmp(un.machine, "aarch64") || !strcmp(un.machine, "arm64"))
		hw->isa_family = GR_HW_ISA_FAMILY_ARM64;
	else if (!strncmp(un.machine, "armv7", 5))
		hw->isa_family = GR_HW_ISA_FAMILY_ARM32;
	hw->units = cores;
	hw->unit_name = "core";
	hw->boost_mhz = max_mhz;
	hw->base_mhz = base_mhz > 0 && base_mhz <= max_mhz ? base_mhz : 0;
	hw->threads_per_core = pus >= cores ? (pus + cores - 1) / cores : 1;

	/* SIMD width and FMA pipes. Assumption (documented in docs/hardware.md): recent big x86
	 * cores with AVX2+FMA or AVX-512 have two FMA pipes (Haswell..Golden Cove, Zen 2..5);
	 * Arm Neoverse/Cortex-A7x cores two 128-bit ones. */
	if (x86) {
		hw->simd_width_bits = has_flag(&ci, "avx512f") ? 512
				      : has_flag(&ci, "avx2") || has_flag(&ci, "avx") ? 256 : 128;
		hw->fma_units_per_core = has_flag(&ci, "fma") ? 2 : 1;
		/* Zen 4 (family 0x19) executes AVX-512 on 256-bit FMA pipes */
		if (!strcmp(ci.vendor, "AuthenticAMD") && ci.family == 0x19 && hw->simd_width_bits > 256) {
			hw->simd_width_bits = 256;
			snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes),
				 "AVX-512 runs on 256-bit FMA pipes on this AMD family 19h core. ");
		}
	} else {
		hw->simd_width_bits = has_flag(&ci, "asimd") || has_flag(&ci, "neon") ? 128 : 64;
		hw->fma_units_per_core = arm ? 2 : 1;
	}
	fp32_per_clk = hw->simd_width_bits / 32.0 * 2 * hw->fma_units_per_core;

	hw->engines = gr_arena_calloc(hw->arena, 2, sizeof(*hw->engines));
	if (!hw->engines || !hw->name || !hw->vendor || !hw->architecture)
		goto nomem;
	eng = &hw->engines[hw->n_engines++];
	eng->name = "simd";
	eng->ops_per_clk[GR_PREC_FP32] = fp32_per_clk;
	eng->ops_per_clk[GR_PREC_FP64] = fp32_per_clk / 2;
	hw->native_mask = 1u << GR_PREC_FP32 | 1u << GR_PREC_FP64;
	if (has_flag(&ci, "avx512_bf16") || has_flag(&ci, "bf16")) {
		eng->ops_per_clk[GR_PREC_BF16] = fp32_per_clk * 2;
		hw->native_mask |= 1u << GR_PREC_BF16;
	}
	if (has_flag(&ci, "avx512_fp16") || has_flag(&ci, "asimdhp")) {
		eng->ops_per_clk[GR_PREC_FP16] = fp32_per_clk * 2;
		hw->native_mask |= 1u << GR_PREC_FP16;
	}
	if (has_flag(&ci, "avx512_vnni") || has_flag(&ci, "avx_vnni") || has_flag(&ci, "asimddp")) {
		eng->ops_per_clk[GR_PREC_INT8] = fp32_per_clk * 4;
		hw->native_mask |= 1u << GR_PREC_INT8;
	}
	if (has_flag(&ci, "amx_tile") && (has_flag(&ci, "amx_bf16") || has_flag(&ci, "amx_int8"))) {
		gr_hw_engine *amx = &hw->engines[hw->n_engines++];
		amx->name = "amx";
		if (has_flag(&ci, "amx_bf16")) {
			amx->ops_per_clk[GR_PREC_BF16] = 1024;
			hw->native_mask |= 1u << GR_PREC_BF16;
		}
		if (has_flag(&ci, "amx_int8")) {
			amx->ops_per_clk[GR_PREC_INT8] = 2048;
			hw->native_mask |= 1u << GR_PREC_INT8;
		}
	}
	for (p = 0; p < GR_PREC_COUNT; p++)
		if (hw->native_mask & (1u << p))
			hw->peak_tops[p] = gr_hw_derived_tops(hw, (gr_precision)p);
	/* Without native support PyTorch eager runs fp16/bf16 convolutions 17x / 14x slower than
	 * fp32 (median over compute-heavy subgraphs in shared/groundtruth, i7-12700K). */
	if (!(hw->native_mask & (1u << GR_PREC_FP16)))
		hw->emulated[GR_PREC_FP16] = 17;
	if (!(hw->native_mask & (1u << GR_PREC_BF16)))
		hw->emulated[GR_PREC_BF16] = 14;
	hw->preferred = GR_PREC_FP32;

	/* memory hierarchy: caches from hwloc, bandwidths from per-clock rules of thumb */
	hw->mem = gr_arena_calloc(hw->arena, 4, sizeof(*hw->mem));
	if (!hw->mem)
		goto nomem;
	for (level = 1; level <= 3; level++) {
		int count = topo.cache_count[level];
		gr_hw_mem *m;
		/* bytes per clock per core: 2 loads of one vector (L1), 64 B (L2), 32 B (L3) */
		double bpc = level == 1 ? 2.0 * hw->simd_width_bits / 8 : level == 2 ? 64 : 32;
		if (count <= 0 || topo.cache_bytes[level] <= 0)
			continue;
		m = &hw->mem[nm++];
		m->level = level == 1 ? "l1" : level == 2 ? "l2" : "l3";
		m->type = "sram";
		m->size_bytes = topo.cache_bytes[level];
		if (count >= cores) {
			m->scope = "per_unit";
			if (count != cores)
				m->instances = count;
		} else {
			m->scope = "shared";
			if (count > 1)
				m->instances = count;
		}
		m->bandwidth_gbps = round(bpc * cores * max_mhz / 100) / 10;
		m->latency_ns = round((level == 1 ? 5 : level == 2 ? 14 : 45) * 10000 / max_mhz) / 10;
		m->measured = 0;
	}
	mem_bytes = topo.mem_bytes;
	{
		gr_hw_mem *m = &hw->mem[nm++];
		m->level = "dram";
		m->scope = "shared";
		m->size_bytes = mem_bytes > 0 ? mem_bytes : (int64_t)1 << 30;
		m->latency_ns = 90;
		m->measured = 0;
		dram_gbps = dmi_dram_gbps(&dmi_modules, &dmi_mtps);
		if (dram_gbps > 0) {
			m->bandwidth_gbps = dram_gbps;
			snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes),
				 "DRAM bandwidth from DMI: %d modules at %.0f MT/s, assuming one module "
				 "per channel. ", dmi_modules, dmi_mtps);
		} else {
			m->bandwidth_gbps = DEFAULT_DRAM_GBPS;
			snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes),
				 "DRAM bandwidth unknown to software: %.1f GB/s is a conservative default "
				 "(two DDR4-2400 channels); `graphs benchmark` measures it. ",
				 DEFAULT_DRAM_GBPS);
		}
	}
	hw->n_mem = nm;

	tdp = rapl_limit_w();
	if (tdp > 0) {
		hw->tdp_w = tdp;
	} else {
		hw->tdp_w = 10.0 * cores;
		snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes),
			 "TDP unknown (no RAPL): 10 W per core assumed. ");
	}
	if (kinds > 1)
		snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes),
			 "Hybrid CPU with %d core kinds: all cores are treated like core 0. ", kinds);
	snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes),
		 "Peak fp32 = cores x (simd/32) x 2 (FMA) x FMA units x clock; %d FMA unit(s) per "
		 "core assumed. Cache bandwidths are per-clock rules of thumb.",
		 hw->fma_units_per_core);
	hw->notes = gr_arena_strdup(hw->arena, notes);
	hw->launch_us = 0;
	hw->dispatch_us = 5;
	hw->sources = gr_arena_calloc(hw->arena, 2, sizeof(*hw->sources));
	if (!hw->notes || !hw->sources)
		goto nomem;
	hw->sources[0] = "https://www.open-mpi.org/projects/hwloc/";
	hw->sources[1] = "file:///proc/cpuinfo";
	hw->n_sources = 2;
	*out = hw;
	return GR_OK;
nomem:
	gr_hw_free(hw);
	return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
}
