/* Names, the problem sink, mode scaling and the read-only accessors of gr_hw. */
#include "hardware/hw_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const prec_names[GR_PREC_COUNT] = {
#define GR_PREC_NAME_(e, s, b) s,
	GR_PRECISION_LIST(GR_PREC_NAME_)
#undef GR_PREC_NAME_
};

const char *gr_precision_name(gr_precision p)
{
	return (unsigned)p < GR_PREC_COUNT ? prec_names[p] : "?";
}

int gr_precision_parse(const char *s)
{
	int i;
	if (!s)
		return -1;
	for (i = 0; i < GR_PREC_COUNT; i++)
		if (!strcmp(s, prec_names[i]))
			return i;
	return -1;
}

const char *gr_hw_class_name(gr_hw_class c)
{
	static const char *const names[GR_HW_CLASS_COUNT] = {"cpu", "gpu", "tpu", "npu", "dsp", "mcu"};
	return (unsigned)c < GR_HW_CLASS_COUNT ? names[c] : "?";
}

void gr_hw_sink_report(gr_hw_sink *s, gr_hw_severity sev, const char *file, int line,
		       const char *key, const char *fmt, ...)
{
	char body[768], where[320], msg[1100];
	gr_hw_problem p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (!key)
		key = "";
	if (line > 0)
		snprintf(where, sizeof(where), "%s:%d", file ? file : "<memory>", line);
	else
		snprintf(where, sizeof(where), "%s", file ? file : "<memory>");
	if (*key)
		snprintf(msg, sizeof(msg), "%s: key '%s': %s", where, key, body);
	else
		snprintf(msg, sizeof(msg), "%s: %s", where, body);
	if (!s)
		return;
	if (sev == GR_HW_ERROR) {
		if (!s->errors)
			snprintf(s->first_error, sizeof(s->first_error), "%s", msg);
		s->errors++;
	} else {
		s->warnings++;
	}
	if (s->fn) {
		p.severity = sev;
		p.file = file;
		p.line = line;
		p.key = key;
		p.msg = msg;
		s->fn(&p, s->user);
	}
}

gr_hw *gr_hw_new(void)
{
	gr_arena *a = gr_arena_new();
	gr_hw *hw;
	if (!a)
		return NULL;
	hw = gr_arena_alloc(a, sizeof(*hw));
	if (!hw) {
		gr_arena_free(a);
		return NULL;
	}
	hw->arena = a;
	hw->preferred = -1;
	return hw;
}

void gr_hw_free(gr_hw *hw)
{
	if (hw)
		gr_arena_free(hw->arena);
}

/* --- memory types ---------------------------------------------------------------------- */

/* Channel widths and the fastest JEDEC (or shipping) data rate per pin. */
static const gr_hw_memtype memtypes[] = {
	{"ddr3", 64, 2133},    {"ddr4", 64, 3200},     {"ddr5", 64, 8800},
	{"lpddr4", 16, 4266},  {"lpddr4x", 16, 4266},  {"lpddr5", 16, 6400},
	{"lpddr5x", 16, 10700}, {"gddr5", 32, 9000},   {"gddr5x", 32, 12000},
	{"gddr6", 32, 24000},  {"gddr6x", 32, 24000},  {"gddr7", 32, 36000},
	{"hbm", 1024, 1000},   {"hbm2", 1024, 2400},   {"hbm2e", 1024, 3600},
	{"hbm3", 1024, 6400},  {"hbm3e", 1024, 9800},  {NULL, 0, 0},
};

const gr_hw_memtype *gr_hw_memtype_find(const char *name)
{
	size_t i;
	if (!name)
		return NULL;
	for (i = 0; memtypes[i].name; i++)
		if (!strcmp(memtypes[i].name, name))
			return &memtypes[i];
	return NULL;
}

/* --- peaks and modes ------------------------------------------------------------------- */

double gr_hw_peak_clock(const gr_hw *hw)
{
	return hw->all_core_mhz > 0 ? hw->all_core_mhz : hw->boost_mhz;
}

const char *const gr_hw_clock_kinds[GR_HW_CLOCK_KINDS + 1] = {"base", "boost", "all_core",
	"avx512", "amx", NULL};

int gr_hw_clock_kind_find(const char *s)
{
	int k;
	for (k = 0; s && k < GR_HW_CLOCK_KINDS; k++)
		if (!strcmp(s, gr_hw_clock_kinds[k]))
			return k;
	return -1;
}

double *gr_hw_clock_slot(gr_hw *hw, int kind)
{
	switch (kind) {
	case 0: return &hw->base_mhz;
	case 1: return &hw->boost_mhz;
	case 2: return &hw->all_core_mhz;
	case 3: return &hw->avx512_mhz;
	case 4: return &hw->amx_mhz;
	default: return NULL;
	}
}

double gr_hw_clock_of(const gr_hw *hw, int kind)
{
	const double v[GR_HW_CLOCK_KINDS] = {hw->base_mhz, hw->boost_mhz, hw->all_core_mhz,
					     hw->avx512_mhz, hw->amx_mhz};
	return kind >= 0 && kind < GR_HW_CLOCK_KINDS ? v[kind] : 0;
}

double gr_hw_engine_clock(const gr_hw *hw, const gr_hw_engine *e)
{
	double mhz = e->clock_kind ? gr_hw_clock_of(hw, gr_hw_clock_kind_find(e->clock_kind)) : 0;
	if (mhz > 0)
		return mhz;
	return e->clock_mhz > 0 ? e->clock_mhz : gr_hw_peak_clock(hw);
}

int gr_hw_is_derived(const gr_hw *hw, const char *key)
{
	size_t i;
	for (i = 0; hw && key && i < hw->n_derived; i++)
		if (hw->derived[i] && !strcmp(hw->derived[i], key))
			return 1;
	return 0;
}

double gr_hw_derived_tops(const gr_hw *hw, gr_precision p)
{
	double best = 0, sum = 0;
	size_t i;

	if ((unsigned)p >= GR_PREC_COUNT)
		return 0;
	for (i = 0; i < hw->n_engines; i++) {
		const gr_hw_engine *e = &hw->engines[i];
		double units = (double)(e->units ? e->units : hw->units);
		double clk = gr_hw_engine_clock(hw, e);
		double tops = units * e->ops_per_clk[p] * clk * 1e6 / 1e12;
		sum += tops;
		if (tops > best)
			best = tops;
	}
	return hw->combine_sum ? sum : best;
}

static const gr_hw_mode *mode_at(const gr_hw *hw, int mode)
{
	return mode >= 0 && (size_t)mode < hw->n_modes ? &hw->modes[mode] : NULL;
}

/* The mode's clock for this platform's own compute, or 0 when the mode does not set it. */
static double mode_clock(const gr_hw *hw, const gr_hw_mode *md)
{
	if (md->clock_mhz > 0)
		return md->clock_mhz;
	switch (hw->cls) {
	case GR_HW_GPU: return md->gpu_clock_mhz;
	case GR_HW_CPU: return md->cpu_clock_mhz;
	default: return md->npu_clock_mhz;
	}
}

static double mode_units_ratio(const gr_hw *hw, const gr_hw_mode *md)
{
	int64_t u = md->units;
	if (!u && hw->cls == GR_HW_CPU)
		u = md->cpu_cores;
	if (!u || !hw->units || u >= hw->units)
		return 1;
	return (double)u / (double)hw->units;
}

/* The share of the summed peak that the mode's cores online reach on a CPU of several core
 * types (P + E): the fastest cores first, as the scheduler puts a lone thread on a performance
 * core. Rated at fp32 (the engines keep one ratio across precisions). 0: not such a case. */
static double mode_engine_share(const gr_hw *hw, const gr_hw_mode *md)
{
	double total = 0, taken = 0, rate[8];
	int64_t left = md->units ? md->units : md->cpu_cores, units[8];
	size_t n = hw->n_engines, done[8] = {0};

	if (hw->cls != GR_HW_CPU || !hw->combine_sum || n < 2 || n > 8 || left <= 0 || left >= hw->units)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const gr_hw_engine *e = &hw->engines[i];
		units[i] = e->units ? e->units : hw->units;
		rate[i] = e->ops_per_clk[GR_PREC_FP32] * gr_hw_engine_clock(hw, e);
		total += (double)units[i] * rate[i];
	}
	for (size_t k = 0; k < n && left > 0; k++) {
		size_t best = n;
		for (size_t i = 0; i < n; i++)
			if (!done[i] && (best == n || rate[i] > rate[best]))
				best = i;
		done[best] = 1;
		taken += (double)(units[best] < left ? units[best] : left) * rate[best];
		left -= units[best];
	}
	return total > 0 ? taken / total : 0;
}

double gr_hw_mode_compute_scale(const gr_hw *hw, int mode)
{
	const gr_hw_mode *md = mode_at(hw, mode);
	double clk, peak, s = 1;

	if (!md)
		return 1;
	clk = mode_clock(hw, md);
	peak = gr_hw_peak_clock(hw);
	if (clk > 0 && peak > 0 && clk < peak)
		s = clk / peak;
	if (mode_engine_share(hw, md) > 0)
		return s * mode_engine_share(hw, md);
	return s * mode_units_ratio(hw, md);
}

double gr_hw_peak_ops(const gr_hw *hw, int mode, gr_precision p)
{
	double tops;
	if (!hw || (unsigned)p >= GR_PREC_COUNT || !(hw->native_mask & (1u << p)))
		return 0;
	tops = hw->peak_tops[p] > 0 ? hw->peak_tops[p] : gr_hw_derived_tops(hw, p);
	return tops * 1e12 * gr_hw_mode_compute_scale(hw, mode);
}

double gr_hw_effective_peak_ops(const gr_hw *hw, int mode, gr_precision p)
{
	if (!hw || (unsigned)p >= GR_PREC_COUNT)
		return 0;
	if (hw->native_mask & (1u << p))
		return gr_hw_peak_ops(hw, mode, p);
	if (hw->emulated[p] > 0)
		return gr_hw_peak_ops(hw, mode, GR_PREC_FP32) / hw->emulated[p];
	return 0;
}

int gr_hw_precision_native(const gr_hw *hw, gr_precision p)
{
	return hw && (unsigned)p < GR_PREC_COUNT && (hw->native_mask & (1u << p));
}

double gr_hw_emulation_factor(const gr_hw *hw, gr_precision p)
{
	return hw && (unsigned)p < GR_PREC_COUNT ? hw->emulated[p] : 0;
}

int gr_hw_preferred_precision(const gr_hw *hw)
{
	return hw ? hw->preferred : -1;
}

/* --- identity -------------------------------------------------------------------------- */

const char *gr_hw_id(const gr_hw *hw) { return hw ? hw->id : NULL; }
const char *gr_hw_name(const gr_hw *hw) { return hw ? hw->name : NULL; }
const char *gr_hw_vendor(const gr_hw *hw) { return hw ? hw->vendor : NULL; }
const char *gr_hw_architecture(const gr_hw *hw) { return hw ? hw->architecture : NULL; }
const char *gr_hw_category(const gr_hw *hw) { return hw ? hw->category : NULL; }
const char *gr_hw_path(const gr_hw *hw) { return hw ? hw->path : NULL; }
const char *gr_hw_notes(const gr_hw *hw) { return hw ? hw->notes : NULL; }
gr_hw_class gr_hw_get_class(const gr_hw *hw) { return hw ? hw->cls : GR_HW_CPU; }
const char *gr_hw_unit_name(const gr_hw *hw) { return hw ? hw->unit_name : NULL; }

int64_t gr_hw_units(const gr_hw *hw, int mode)
{
	const gr_hw_mode *md;
	if (!hw)
		return 0;
	md = mode_at(hw, mode);
	return (int64_t)((double)hw->units * (md ? mode_units_ratio(hw, md) : 1) + 0.5);
}

double gr_hw_clock_mhz(const gr_hw *hw, int mode)
{
	const gr_hw_mode *md;
	double clk;
	if (!hw)
		return 0;
	md = mode_at(hw, mode);
	clk = md ? mode_clock(hw, md) : 0;
	return clk > 0 ? clk : gr_hw_peak_clock(hw);
}

size_t gr_hw_engine_count(const gr_hw *hw) { return hw ? hw->n_engines : 0; }

int gr_hw_engine_at(const gr_hw *hw, size_t i, gr_hw_engine_info *out)
{
	const gr_hw_engine *e;
	if (!hw || !out || i >= hw->n_engines)
		return -1;
	e = &hw->engines[i];
	out->name = e->name;
	out->units = e->units ? e->units : hw->units;
	out->clock_mhz = gr_hw_engine_clock(hw, e);
	memcpy(out->ops_per_clk, e->ops_per_clk, sizeof(out->ops_per_clk));
	out->isa = e->isa;
	out->isa_given = e->isa_given;
	return 0;
}

const char *gr_hw_isa_name(unsigned bit)
{
	switch (bit) {
	case GR_HW_ISA_DOTPROD: return "dotprod";
	case GR_HW_ISA_I8MM: return "i8mm";
	case GR_HW_ISA_BF16: return "bf16";
	default: return NULL;
	}
}

int gr_hw_isa_all(const gr_hw *hw, unsigned bits)
{
	if (!hw || !hw->n_engines)
		return 0;
	for (size_t i = 0; i < hw->n_engines; i++)
		if (!hw->engines[i].isa_given || (hw->engines[i].isa & bits) != bits)
			return 0;
	return 1;
}

gr_hw_isa_family gr_hw_get_isa_family(const gr_hw *hw)
{
	return hw ? (gr_hw_isa_family)hw->isa_family : GR_HW_ISA_FAMILY_NONE;
}

const char *gr_hw_isa_family_name(int family)
{
	switch (family) {
	case GR_HW_ISA_FAMILY_ARM64: return "arm64";
	case GR_HW_ISA_FAMILY_ARM32: return "arm32";
	case GR_HW_ISA_FAMILY_X86_64: return "x86_64";
	default: return NULL;
	}
}

int gr_hw_is_arm_cpu(const gr_hw *hw)
{
	if (!hw || gr_hw_get_class(hw) != GR_HW_CPU)
		return 0;
	if (hw->isa_family)
		return hw->isa_family == GR_HW_ISA_FAMILY_ARM64 || hw->isa_family == GR_HW_ISA_FAMILY_ARM32;
	return gr_hw_isa_all(hw, 0);
}

int gr_hw_engines_combined(const gr_hw *hw) { return hw ? hw->combine_sum : 0; }

size_t gr_hw_mode_count(const gr_hw *hw) { return hw ? hw->n_modes : 0; }

const char *gr_hw_mode_name(const gr_hw *hw, size_t i)
{
	return hw && i < hw->n_modes ? hw->modes[i].name : NULL;
}

int gr_hw_mode_find(const gr_hw *hw, const char *name)
{
	size_t i;
	if (!hw || !name)
		return -1;
	for (i = 0; i < hw->n_modes; i++)
		if (hw->modes[i].name && !strcmp(hw->modes[i].name, name))
			return (int)i;
	return -1;
}

/* --- memory ---------------------------------------------------------------------------- */

size_t gr_hw_mem_count(const gr_hw *hw) { return hw ? hw->n_mem : 0; }

int gr_hw_mem_at(const gr_hw *hw, int mode, size_t i, gr_hw_mem_info *out)
{
	const gr_hw_mem *m;
	const gr_hw_mode *md;
	double bw;

	if (!hw || !out || i >= hw->n_mem)
		return -1;
	m = &hw->mem[i];
	md = mode_at(hw, mode);
	out->level = m->level;
	out->type = m->type;
	out->scope = m->scope;
	out->size_bytes = m->size_bytes;
	out->instances = m->instances ? m->instances
				      : (m->scope && !strcmp(m->scope, "per_unit") ? hw->units : 1);
	out->latency_ns = m->latency_ns;
	out->measured = m->measured;
	bw = m->bandwidth_gbps * 1e9;
	if (md) {
		if (m->clock_mhz > 0 && md->memory_clock_mhz > 0 && md->memory_clock_mhz < m->clock_mhz)
			bw *= md->memory_clock_mhz / m->clock_mhz;
		else if (!gr_hw_memtype_find(m->type) && m->clock_mhz <= 0)
			/* on-chip caches and SRAM run at the core clock on the units online */
			bw *= gr_hw_mode_compute_scale(hw, mode);
	}
	out->bandwidth_bytes_s = bw;
	return 0;
}

int gr_hw_mem_find(const gr_hw *hw, const char *level)
{
	size_t i;
	if (!hw || !level)
		return -1;
	for (i = 0; i < hw->n_mem; i++)
		if (hw->mem[i].level && !strcmp(hw->mem[i].level, level))
			return (int)i;
	return -1;
}

int64_t gr_hw_memory_bytes(const gr_hw *hw)
{
	int i = gr_hw_mem_find(hw, "dram");
	return i >= 0 ? hw->mem[i].size_bytes : 0;
}

double gr_hw_dram_bandwidth(const gr_hw *hw, int mode)
{
	gr_hw_mem_info info;
	int i = gr_hw_mem_find(hw, "dram");
	if (i < 0 || gr_hw_mem_at(hw, mode, (size_t)i, &info))
		return 0;
	return info.bandwidth_bytes_s;
}

/* --- power, energy, overheads, links, restrictions, sources ---------------------------- */

int gr_hw_simd_width_bits(const gr_hw *hw)
{
	return hw ? hw->simd_width_bits : 0;
}

double gr_hw_mode_cpu_clock_mhz(const gr_hw *hw, int mode)
{
	const gr_hw_mode *md = hw ? mode_at(hw, mode) : NULL;
	return md ? md->cpu_clock_mhz : 0;
}

double gr_hw_tdp_w(const gr_hw *hw, int mode)
{
	const gr_hw_mode *md;
	if (!hw)
		return 0;
	md = mode_at(hw, mode);
	return md && md->tdp_w > 0 ? md->tdp_w : hw->tdp_w;
}

double gr_hw_idle_w(const gr_hw *hw) { return hw ? hw->idle_w : 0; }

double gr_hw_energy_pj_per_op(const gr_hw *hw, gr_precision p)
{
	return hw && (unsigned)p < GR_PREC_COUNT ? hw->pj_per_op[p] : 0;
}

double gr_hw_energy_pj_per_byte(const gr_hw *hw, const char *level)
{
	size_t i;
	if (!hw || !level)
		return 0;
	for (i = 0; i < hw->n_pj_per_byte; i++)
		if (!strcmp(hw->pj_per_byte[i].level, level))
			return hw->pj_per_byte[i].pj;
	return 0;
}

double gr_hw_launch_overhead_us(const gr_hw *hw) { return hw ? hw->launch_us : 0; }
double gr_hw_dispatch_overhead_us(const gr_hw *hw) { return hw ? hw->dispatch_us : 0; }
const char *gr_hw_host_link(const gr_hw *hw) { return hw ? hw->host_link : NULL; }
double gr_hw_host_bandwidth_gbps(const gr_hw *hw) { return hw ? hw->host_bw_gbps : 0; }

int gr_hw_op_supported(const gr_hw *hw, const char *op_type)
{
	size_t i;
	if (!hw || !op_type)
		return 0;
	if (!hw->n_ops)
		return 1;
	for (i = 0; i < hw->n_ops; i++)
		if (!strcmp(hw->ops[i], op_type))
			return 1;
	return 0;
}

size_t gr_hw_restricted_op_count(const gr_hw *hw) { return hw ? hw->n_ops : 0; }

const char *gr_hw_restricted_op(const gr_hw *hw, size_t i)
{
	return hw && i < hw->n_ops ? hw->ops[i] : NULL;
}

const char *gr_hw_fallback(const gr_hw *hw) { return hw ? hw->fallback : NULL; }
size_t gr_hw_source_count(const gr_hw *hw) { return hw ? hw->n_sources : 0; }

const char *gr_hw_source(const gr_hw *hw, size_t i)
{
	return hw && i < hw->n_sources ? hw->sources[i] : NULL;
}
