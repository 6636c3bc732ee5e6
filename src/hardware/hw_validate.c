/* Validation of registry files beyond their schema: peaks against units x ops/clk x clock,
 * bandwidth against the memory type and bus, power and mode limits, file naming, duplicates.
 * Every problem is reported (with file, line and key), not only the first. */
#include "core/array.h"
#include "hardware/hw_impl.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PEAK_TOLERANCE 0.05
#define BW_TOLERANCE 1.05

static const char *file_of(const gr_hw *hw)
{
	return hw->path ? hw->path : hw->id;
}

#define ERR(line, key, ...) gr_hw_sink_report(sink, GR_HW_ERROR, file_of(hw), line, key, __VA_ARGS__)
#define WARN(line, key, ...) \
	gr_hw_sink_report(sink, GR_HW_WARNING, file_of(hw), line, key, __VA_ARGS__)

static void check_naming(const gr_hw *hw, gr_hw_sink *sink)
{
	const char *base, *dot, *slash;
	char parent[64];
	size_t len;
	int k;

	if (!hw->path || !hw->id)
		return;
	slash = strrchr(hw->path, '/');
	base = slash ? slash + 1 : hw->path;
	dot = strrchr(base, '.');
	len = dot ? (size_t)(dot - base) : strlen(base);
	if (len != strlen(hw->id) || strncmp(base, hw->id, len))
		WARN(hw->line_id, "id", "id '%s' differs from the file name '%s'", hw->id, base);
	/* hardware/<class>/<id>.yaml: the folder should name the class */
	if (slash && slash > hw->path) {
		const char *p = slash;
		while (p > hw->path && p[-1] != '/')
			p--;
		len = (size_t)(slash - p);
		if (len < sizeof(parent)) {
			memcpy(parent, p, len);
			parent[len] = 0;
			for (k = 0; k < GR_HW_CLASS_COUNT; k++)
				if (!strcmp(parent, gr_hw_class_name((gr_hw_class)k)))
					break;
			if (k < GR_HW_CLASS_COUNT && k != (int)hw->cls)
				WARN(hw->line_class, "class", "class '%s' but the file lies in '%s/'",
				     gr_hw_class_name(hw->cls), parent);
		}
	}
}

/* An engine that lists its Arm SIMD features (compute.engines[].isa): its int8 and bf16 rates
 * within what the widest of those instructions does per 128 bits against fp32 FMLA's 4 MACs:
 * a widening SMLAL 8 int8 MACs (2x), SDOT 16 (4x), SMMLA 32 (8x); BFMMLA 16 bf16 MACs (4x).
 * Instruction-set facts, not hardware figures: no core issues its int8 work faster than its
 * FMLA pipes take 128-bit instructions, so a higher rate needs a feature the list lacks. */
static void check_isa_rates(const gr_hw *hw, const gr_hw_engine *e, gr_hw_sink *sink)
{
	double f32 = e->ops_per_clk[GR_PREC_FP32], i8 = e->ops_per_clk[GR_PREC_INT8];
	double b16 = e->ops_per_clk[GR_PREC_BF16];
	int lim = (e->isa & GR_HW_ISA_I8MM) ? 8 : (e->isa & GR_HW_ISA_DOTPROD) ? 4 : 2;
	const char *name = e->name ? e->name : "?";
	char key[128];

	snprintf(key, sizeof(key), "compute.engines.%s.precisions.int8", name);
	if (f32 > 0 && i8 > lim * f32 * (1 + 1e-9))
		ERR(e->line, key, "%g ops/clock is %gx the fp32 rate; %s allows at most %dx (%s)", i8,
		    i8 / f32, lim == 8 ? "i8mm (SMMLA)" : lim == 4 ? "dotprod (SDOT)" : "an isa without dotprod",
		    lim, lim == 8 ? "32 int8 MACs per 128 bits" : "list the feature that gives more");
	/* int16 x int16 into int32 (SMLAL/SMLAL2 on 16-bit lanes): 4 MACs per 128 bits, as FMLA */
	snprintf(key, sizeof(key), "compute.engines.%s.precisions.int16", name);
	if (f32 > 0 && e->ops_per_clk[GR_PREC_INT16] > f32 * (1 + 1e-9))
		ERR(e->line, key, "%g ops/clock is %gx the fp32 rate; widening SMLAL on 16-bit lanes allows "
			     "at most 1x (4 int16 MACs per 128 bits)", e->ops_per_clk[GR_PREC_INT16],
		    e->ops_per_clk[GR_PREC_INT16] / f32);
	snprintf(key, sizeof(key), "compute.engines.%s.precisions.bf16", name);
	if (b16 > 0 && !(e->isa & GR_HW_ISA_BF16))
		ERR(e->line, key, "a bf16 rate, but the engine's isa does not list bf16");
	else if (f32 > 0 && b16 > 4 * f32 * (1 + 1e-9))
		ERR(e->line, key, "%g ops/clock is %gx the fp32 rate; BFMMLA allows at most 4x", b16,
		    b16 / f32);
}

/* An engine's int16 rate (the lanes ncnn's int8 Winograd computes in, docs/estimate.md "Fast
 * convolution"): never above its int8 rate, and on a CPU never above 2x its fp32 rate (x86
 * pmaddwd/vpdpwssd: 2 int16 MACs per 32-bit lane where FMA does 1). */
static void check_int16_rate(const gr_hw *hw, const gr_hw_engine *e, gr_hw_sink *sink)
{
	double i16 = e->ops_per_clk[GR_PREC_INT16], i8 = e->ops_per_clk[GR_PREC_INT8];
	double f32 = e->ops_per_clk[GR_PREC_FP32];
	char key[128];

	if (i16 <= 0)
		return;
	snprintf(key, sizeof(key), "compute.engines.%s.precisions.int16", e->name ? e->name : "?");
	if (i8 > 0 && i16 > i8 * (1 + 1e-9))
		ERR(e->line, key, "%g ops/clock is above the int8 rate %g", i16, i8);
	else if (hw->cls == GR_HW_CPU && f32 > 0 && i16 > 2 * f32 * (1 + 1e-9))
		ERR(e->line, key, "%g ops/clock is %gx the fp32 rate; a CPU's int16 pairs (pmaddwd) allow "
			     "at most 2x", i16, i16 / f32);
}

static void check_compute(const gr_hw *hw, gr_hw_sink *sink)
{
	size_t i;
	int p;

	if (hw->isa_family && hw->cls != GR_HW_CPU)
		ERR(hw->line_isa_family, "isa_family", "isa_family is for CPUs; this is a %s",
		    gr_hw_class_name(hw->cls));
	if (hw->base_mhz > 0 && hw->boost_mhz > 0 && hw->base_mhz > hw->boost_mhz)
		ERR(hw->line_clock, "compute.clock_mhz.base", "base %g MHz is above boost %g MHz",
		    hw->base_mhz, hw->boost_mhz);
	if (hw->all_core_mhz > 0 && hw->all_core_mhz > hw->boost_mhz)
		ERR(hw->line_clock, "compute.clock_mhz.all_core", "all-core %g MHz is above boost %g MHz",
		    hw->all_core_mhz, hw->boost_mhz);
	for (p = 3; p < GR_HW_CLOCK_KINDS; p++) /* licence clocks: never above the all-core clock */
		if (gr_hw_clock_of(hw, p) > gr_hw_peak_clock(hw) && gr_hw_peak_clock(hw) > 0) {
			char key[64];
			snprintf(key, sizeof(key), "compute.clock_mhz.%s", gr_hw_clock_kinds[p]);
			ERR(hw->line_clock, key, "%s %g MHz is above the all-core clock %g MHz",
			    gr_hw_clock_kinds[p], gr_hw_clock_of(hw, p), gr_hw_peak_clock(hw));
		}
	if (hw->cls == GR_HW_CPU && hw->boost_mhz > 0 && hw->all_core_mhz <= 0 && hw->base_mhz > 0)
		WARN(hw->line_clock, "compute.clock_mhz.all_core", "no sustained all-core clock: peaks "
		     "use the %g MHz boost; give all_core (the base clock where none is published)",
		     hw->boost_mhz);
	for (i = 0; i < hw->n_engines; i++) {
		const gr_hw_engine *e = &hw->engines[i];
		char key[128];
		if (e->clock_kind) {
			int k = gr_hw_clock_kind_find(e->clock_kind);
			snprintf(key, sizeof(key), "compute.engines.%s.clock", e->name ? e->name : "?");
			if (k < 0)
				ERR(e->line, key, "unknown clock kind '%s' (expected base, boost, all_core, "
						  "avx512 or amx)", e->clock_kind);
			else if (gr_hw_clock_of(hw, k) <= 0)
				ERR(e->line, key, "clock '%s' is not given in compute.clock_mhz",
				    e->clock_kind);
			if (e->clock_mhz > 0)
				ERR(e->line, key, "give clock (a kind) or clock_mhz, not both");
			continue;
		}
		if (e->clock_mhz <= 0 && hw->boost_mhz <= 0) {
			snprintf(key, sizeof(key), "compute.engines.%s", e->name ? e->name : "?");
			ERR(e->line, key, "ops per clock need a clock: give compute.clock_mhz.boost or "
					  "the engine's clock_mhz");
		}
		snprintf(key, sizeof(key), "compute.engines.%s.clock_mhz", e->name ? e->name : "?");
		if (e->clock_mhz > 0 && hw->boost_mhz > 0 && e->clock_mhz > hw->boost_mhz)
			ERR(e->line, key, "%g MHz is above the boost clock %g MHz", e->clock_mhz,
			    hw->boost_mhz);
		for (p = 0; p < GR_PREC_COUNT; p++)
			if (e->ops_per_clk[p] > 0 && !(hw->native_mask & (1u << p))) {
				snprintf(key, sizeof(key), "compute.engines.%s.precisions.%s",
					 e->name ? e->name : "?", gr_precision_name((gr_precision)p));
				ERR(e->line, key, "'%s' is not in precisions.native",
				    gr_precision_name((gr_precision)p));
			}
		if (e->isa_given && hw->isa_family == GR_HW_ISA_FAMILY_X86_64) {
			snprintf(key, sizeof(key), "compute.engines.%s.isa", e->name ? e->name : "?");
			ERR(e->line, key, "an isa list names Arm features, but isa_family is x86_64");
		}
		check_int16_rate(hw, e, sink);
		if (e->isa_given)
			check_isa_rates(hw, e, sink);
	}
	for (p = 0; p < GR_PREC_COUNT; p++) {
		const char *pn = gr_precision_name((gr_precision)p);
		double decl = hw->peak_tops[p], der = gr_hw_derived_tops(hw, (gr_precision)p);
		char key[64];
		snprintf(key, sizeof(key), "peak_tops.%s", pn);
		if (decl > 0 && !(hw->native_mask & (1u << p)))
			ERR(hw->peak_line[p], key, "a peak is given but '%s' is not in precisions.native", pn);
		if ((hw->native_mask & (1u << p)) && decl <= 0 && der <= 0)
			ERR(0, "precisions.native", "'%s' is native but neither peak_tops.%s nor an engine "
						    "gives its rate", pn, pn);
		if (decl > 0 && der > 0 && fabs(decl - der) > PEAK_TOLERANCE * der)
			ERR(hw->peak_line[p], key,
			    "%g TOPS declared, but units x ops/clk x clock gives %g TOPS (%.1f%% apart; "
			    "at most %.0f%%)",
			    decl, der, 100.0 * fabs(decl - der) / der, 100 * PEAK_TOLERANCE);
	}
}

static int is_dram_like(const char *type)
{
	return gr_hw_memtype_find(type) != NULL;
}

static void check_memory(const gr_hw *hw, gr_hw_sink *sink)
{
	static const char *const onchip[] = {"sram", "cache", "edram", "scratchpad", "registers",
					     "unknown", NULL};
	size_t i, k;

	if (hw->n_mem && hw->mem[hw->n_mem - 1].bandwidth_gbps <= 0)
		ERR(hw->mem[hw->n_mem - 1].line, "memory",
		    "the outermost level ('%s') needs bandwidth_gbps",
		    hw->mem[hw->n_mem - 1].level ? hw->mem[hw->n_mem - 1].level : "?");
	for (i = 0; i < hw->n_mem; i++) {
		const gr_hw_mem *m = &hw->mem[i];
		const gr_hw_memtype *t = gr_hw_memtype_find(m->type);
		char key[128], base[96];
		double bus = 0, rate, cap;

		snprintf(base, sizeof(base), "memory.%s", m->level ? m->level : "?");
		if (m->type && !t) {
			for (k = 0; onchip[k]; k++)
				if (!strcmp(m->type, onchip[k]))
					break;
			if (!onchip[k]) {
				snprintf(key, sizeof(key), "%s.type", base);
				WARN(m->line, key, "unknown memory type '%s' (known: ddr3-5, lpddr4/4x/5/5x, "
						   "gddr5/5x/6/6x/7, hbm/2/2e/3/3e, sram)", m->type);
			}
		}
		if (!t)
			continue;
		if (m->bus_width_bits)
			bus = (double)m->bus_width_bits;
		else if (m->channels)
			bus = (double)m->channels * t->channel_bits;
		rate = m->data_rate_mtps > 0 ? m->data_rate_mtps : t->max_mtps;
		if (m->data_rate_mtps > t->max_mtps * BW_TOLERANCE) {
			snprintf(key, sizeof(key), "%s.data_rate_mtps", base);
			ERR(m->line, key, "%g MT/s is faster than any %s (at most %g MT/s)",
			    m->data_rate_mtps, t->name, t->max_mtps);
		}
		if (bus <= 0) {
			WARN(m->line, base, "give bus_width_bits or channels so that the %s bandwidth can "
					    "be checked", t->name);
			continue;
		}
		cap = bus / 8 * rate / 1000;  /* GB/s */
		if (m->bandwidth_gbps > cap * BW_TOLERANCE) {
			snprintf(key, sizeof(key), "%s.bandwidth_gbps", base);
			ERR(m->line_bw ? m->line_bw : m->line, key,
			    "%g GB/s is more than a %g-bit %s bus carries at %g MT/s (%.1f GB/s)",
			    m->bandwidth_gbps, bus, t->name, rate, cap);
		}
	}
	/* an outer level faster than an inner one is most likely a unit slip (MB/s vs GB/s) */
	for (i = 1; i < hw->n_mem; i++) {
		const gr_hw_mem *in = &hw->mem[i - 1], *out = &hw->mem[i];
		char key[128];
		if (in->bandwidth_gbps > 0 && out->bandwidth_gbps > in->bandwidth_gbps * BW_TOLERANCE &&
		    is_dram_like(out->type)) {
			snprintf(key, sizeof(key), "memory.%s.bandwidth_gbps", out->level ? out->level : "?");
			WARN(out->line_bw, key, "%g GB/s is more than the inner level '%s' (%g GB/s)",
			     out->bandwidth_gbps, in->level ? in->level : "?", in->bandwidth_gbps);
		}
	}
	for (i = 0; i < hw->n_pj_per_byte; i++)
		if (gr_hw_mem_find(hw, hw->pj_per_byte[i].level) < 0) {
			char key[128];
			snprintf(key, sizeof(key), "power.energy.pj_per_byte.%s", hw->pj_per_byte[i].level);
			WARN(hw->line_tdp, key, "no memory level is called '%s'", hw->pj_per_byte[i].level);
		}
}

static void check_power(const gr_hw *hw, gr_hw_sink *sink)
{
	double mem_clock = 0;
	size_t i;

	if (hw->idle_w > 0 && hw->tdp_w > 0 && hw->idle_w >= hw->tdp_w)
		ERR(hw->line_idle, "power.idle_w", "idle %g W is not below tdp %g W", hw->idle_w,
		    hw->tdp_w);
	for (i = 0; i < hw->n_mem; i++)
		if (hw->mem[i].clock_mhz > mem_clock)
			mem_clock = hw->mem[i].clock_mhz;
	for (i = 0; i < hw->n_modes; i++) {
		const gr_hw_mode *md = &hw->modes[i];
		const char *own = hw->cls == GR_HW_GPU ? "gpu_clock_mhz"
				  : hw->cls == GR_HW_CPU ? "cpu_clock_mhz" : "npu_clock_mhz";
		double own_clk = hw->cls == GR_HW_GPU ? md->gpu_clock_mhz
				 : hw->cls == GR_HW_CPU ? md->cpu_clock_mhz : md->npu_clock_mhz;
		char key[160];
		const char *mn = md->name ? md->name : "?";

		if (md->clock_mhz > 0) {
			own = "clock_mhz";
			own_clk = md->clock_mhz;
		}
		if (own_clk > 0 && hw->boost_mhz <= 0) {
			snprintf(key, sizeof(key), "power.modes.%s.%s", mn, own);
			ERR(md->line, key, "a mode clock needs compute.clock_mhz.boost to scale from");
		}
		if (own_clk > 0 && hw->boost_mhz > 0 && own_clk > hw->boost_mhz) {
			snprintf(key, sizeof(key), "power.modes.%s.%s", mn, own);
			ERR(md->line, key, "%g MHz is above the maximum %g MHz (compute.clock_mhz.boost)",
			    own_clk, hw->boost_mhz);
		}
		if (md->units > 0 && md->units > hw->units) {
			snprintf(key, sizeof(key), "power.modes.%s.units", mn);
			ERR(md->line, key, "%lld units online, but the platform has %lld",
			    (long long)md->units, (long long)hw->units);
		}
		if (md->memory_clock_mhz > 0) {
			snprintf(key, sizeof(key), "power.modes.%s.memory_clock_mhz", mn);
			if (mem_clock <= 0)
				ERR(md->line, key, "no memory level gives clock_mhz to scale from");
			else if (md->memory_clock_mhz > mem_clock)
				ERR(md->line, key, "%g MHz is above the memory's %g MHz",
				    md->memory_clock_mhz, mem_clock);
		}
		if (own_clk <= 0 && !md->units && md->memory_clock_mhz <= 0 && md->tdp_w <= 0 &&
		    !md->cpu_cores) {
			snprintf(key, sizeof(key), "power.modes.%s", mn);
			WARN(md->line, key, "the mode sets neither a clock, units, memory clock nor tdp");
		}
	}
}

static void check_precisions(const gr_hw *hw, gr_hw_sink *sink)
{
	int p;
	for (p = 0; p < GR_PREC_COUNT; p++) {
		const char *pn = gr_precision_name((gr_precision)p);
		char key[64];
		if (hw->emulated[p] <= 0)
			continue;
		snprintf(key, sizeof(key), "precisions.emulated.%s", pn);
		if (hw->native_mask & (1u << p))
			ERR(0, key, "'%s' is both native and emulated", pn);
		if (hw->emulated[p] < 1)
			ERR(0, key, "a slowdown factor below 1 (%g) would make emulation faster than fp32",
			    hw->emulated[p]);
	}
	if (hw->emulated[GR_PREC_FP32] > 0)
		ERR(0, "precisions.emulated.fp32", "fp32 is the reference for emulation factors");
	if (hw->preferred >= 0 && !(hw->native_mask & (1u << hw->preferred)) &&
	    hw->emulated[hw->preferred] <= 0)
		ERR(hw->line_preferred, "precisions.preferred", "'%s' is neither native nor emulated",
		    gr_precision_name((gr_precision)hw->preferred));
}

/* derived: keys naming figures this file gives (peak_tops.<prec>, compute.clock_mhz.<kind>,
 * memory.<level>.<bandwidth_gbps|size_bytes|latency_ns>, power.<tdp_w|idle_w>). */
static int derived_key_exists(const gr_hw *hw, const char *key)
{
	char level[64], field[64];
	const char *dot;
	size_t i, n;
	int p;

	if (!strncmp(key, "peak_tops.", 10))
		return (p = gr_precision_parse(key + 10)) >= 0 && hw->peak_tops[p] > 0;
	if (!strncmp(key, "compute.clock_mhz.", 18))
		return gr_hw_clock_of(hw, gr_hw_clock_kind_find(key + 18)) > 0;
	if (!strcmp(key, "power.tdp_w"))
		return hw->tdp_w > 0;
	if (!strcmp(key, "power.idle_w"))
		return hw->idle_w > 0;
	if (strncmp(key, "memory.", 7) || !(dot = strchr(key + 7, '.')))
		return 0;
	n = (size_t)(dot - (key + 7));
	if (n == 0 || n >= sizeof(level) || strlen(dot + 1) >= sizeof(field))
		return 0;
	memcpy(level, key + 7, n);
	level[n] = 0;
	snprintf(field, sizeof(field), "%s", dot + 1);
	for (i = 0; i < hw->n_mem; i++) {
		const gr_hw_mem *m = &hw->mem[i];
		if (!m->level || strcmp(m->level, level))
			continue;
		return (!strcmp(field, "bandwidth_gbps") && m->bandwidth_gbps > 0) ||
		       (!strcmp(field, "size_bytes") && m->size_bytes > 0) ||
		       (!strcmp(field, "latency_ns") && m->latency_ns > 0);
	}
	return 0;
}

static void check_derived(const gr_hw *hw, gr_hw_sink *sink)
{
	size_t i, j;
	for (i = 0; i < hw->n_derived; i++) {
		const char *k = hw->derived[i] ? hw->derived[i] : "";
		if (!derived_key_exists(hw, k))
			ERR(hw->line_derived, "derived", "'%s' names no figure of this file (expected "
			    "peak_tops.<precision>, compute.clock_mhz.<kind>, memory.<level>.<bandwidth_gbps|"
			    "size_bytes|latency_ns> or power.<tdp_w|idle_w>)", k);
		for (j = 0; j < i; j++)
			if (hw->derived[j] && !strcmp(hw->derived[j], k))
				ERR(hw->line_derived, "derived", "'%s' is listed twice", k);
	}
}

static void check_sources(const gr_hw *hw, gr_hw_sink *sink)
{
	size_t i, urls = 0;
	for (i = 0; i < hw->n_sources; i++)
		if (!strncmp(hw->sources[i], "https://", 8) || !strncmp(hw->sources[i], "http://", 7))
			urls++;
	if (!hw->n_sources)
		WARN(0, "sources", "no sources: cite the datasheet the figures come from");
	else if (!urls)
		WARN(hw->line_sources, "sources", "no source is a URL (https://...)");
}

void gr_hw_check(const gr_hw *hw, gr_hw_sink *sink)
{
	check_naming(hw, sink);
	check_compute(hw, sink);
	check_memory(hw, sink);
	check_power(hw, sink);
	check_precisions(hw, sink);
	check_sources(hw, sink);
	check_derived(hw, sink);
}

int gr_hw_validate(const gr_hw *hw, gr_hw_report_fn fn, void *user)
{
	gr_hw_sink sink = {fn, user, 0, 0, {0}};
	if (!hw)
		return 0;
	gr_hw_check(hw, &sink);
	return sink.errors + sink.warnings;
}

int gr_hw_validate_registry(const gr_hw_registry *r, gr_hw_report_fn fn, void *user)
{
	int n = 0;
	size_t i;
	for (i = 0; r && i < r->n; i++)
		n += gr_hw_validate(r->items[i], fn, user);
	return n;
}

/* --- files and folders ----------------------------------------------------------------- */

typedef struct seen_id {
	char *id, *path;
} seen_id;

/* A platform whose restrictions.fallback names another platform. */
typedef struct seen_fallback {
	char *path, *id;
	int line;
} seen_fallback;

typedef struct vstate {
	gr_hw_sink sink;
	seen_id *ids;
	size_t n, cap;
	int files;
	char *class_path[GR_HW_CLASS_COUNT]; /* the class files of the tree being validated */
	unsigned classes_used;               /* bit c: a platform of class c was seen */
	char *class_user[GR_HW_CLASS_COUNT]; /* one platform of each class, to name it */
	seen_fallback *fb;
	size_t n_fb, cap_fb;
} vstate;

static void validate_class_file(vstate *vs, const char *path)
{
	gr_hw *cls = gr_hw_parse_class_file(path, &vs->sink);
	vs->files++;
	if (!cls)
		return;
	if (vs->class_path[cls->cls])
		gr_hw_sink_report(&vs->sink, GR_HW_ERROR, path, cls->line_class, "class",
				  "a second file for class '%s' (also '%s')", gr_hw_class_name(cls->cls),
				  vs->class_path[cls->cls]);
	else
		vs->class_path[cls->cls] = strdup(path);
	check_sources(cls, &vs->sink);
	gr_hw_free(cls);
}

static void note_fallback(vstate *vs, const gr_hw *hw)
{
	seen_fallback *f;
	if (!hw->fallback || !strcmp(hw->fallback, "host_cpu"))
		return;
	if (vs->n_fb == vs->cap_fb) {
		size_t cap = vs->cap_fb ? vs->cap_fb * 2 : 16;
		seen_fallback *nv = realloc(vs->fb, cap * sizeof(*nv));
		if (!nv)
			return;
		vs->fb = nv;
		vs->cap_fb = cap;
	}
	f = &vs->fb[vs->n_fb];
	f->path = strdup(hw->path ? hw->path : "?");
	f->id = strdup(hw->fallback);
	f->line = hw->line_fallback;
	if (f->path && f->id)
		vs->n_fb++;
	else {
		free(f->path);
		free(f->id);
	}
}

static void validate_file(vstate *vs, const char *path)
{
	gr_hw *hw;
	size_t i;

	if (gr_hw_is_class_path(path)) {
		validate_class_file(vs, path);
		return;
	}
	hw = gr_hw_parse_file(path, &vs->sink, 1);
	vs->files++;
	if (!hw)
		return;
	gr_hw_check(hw, &vs->sink);
	if (!hw->id)
		goto done;
	if (!(vs->classes_used & (1u << hw->cls)))
		vs->class_user[hw->cls] = strdup(hw->id);
	vs->classes_used |= 1u << hw->cls;
	note_fallback(vs, hw);
	for (i = 0; i < vs->n; i++)
		if (!strcmp(vs->ids[i].id, hw->id)) {
			gr_hw_sink_report(&vs->sink, GR_HW_ERROR, path, hw->line_id, "id",
					  "duplicate id '%s' (also in '%s')", hw->id, vs->ids[i].path);
			break;
		}
	if (i == vs->n) {
		if (!gr_array_reserve(&vs->ids, &vs->cap, vs->n, sizeof(*vs->ids), 64))
			goto done;
		vs->ids[vs->n].id = strdup(hw->id);
		vs->ids[vs->n].path = strdup(path);
		if (vs->ids[vs->n].id && vs->ids[vs->n].path)
			vs->n++;
		else {
			free(vs->ids[vs->n].id);
			free(vs->ids[vs->n].path);
		}
	}
done:
	gr_hw_free(hw);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void validate_dir(vstate *vs, const char *dir, int depth)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	if (depth > 4)
		return;
	d = opendir(dir);
	if (!d) {
		gr_hw_sink_report(&vs->sink, GR_HW_ERROR, dir, 0, "", "cannot open folder: %s",
				  strerror(errno));
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (!gr_array_reserve(&names, &cap, n, sizeof(*names), 64) ||
		    !(names[n] = strdup(de->d_name)))
			break;
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		char path[4096];
		struct stat sb;
		size_t len = strlen(names[i]);
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) < (int)sizeof(path) &&
		    !stat(path, &sb)) {
			if (S_ISDIR(sb.st_mode))
				validate_dir(vs, path, depth + 1);
			else if (S_ISREG(sb.st_mode) &&
				 ((len > 5 && !strcmp(names[i] + len - 5, ".yaml")) ||
				  (len > 4 && !strcmp(names[i] + len - 4, ".yml"))))
				validate_file(vs, path);
		}
		free(names[i]);
	}
	free(names);
}

/* A registry folder (built-in, or any folder with a classes/ subfolder) gives the class
 * defaults of every class its platforms use. */
static void check_classes(vstate *vs, const char *dir, int required)
{
	char path[4096];
	struct stat sb;
	int c;

	snprintf(path, sizeof(path), "%s/classes", dir);
	if (!required && (stat(path, &sb) || !S_ISDIR(sb.st_mode)))
		return;
	for (c = 0; c < GR_HW_CLASS_COUNT; c++)
		if ((vs->classes_used & (1u << c)) && !vs->class_path[c])
			gr_hw_sink_report(&vs->sink, GR_HW_ERROR, dir, 0, "",
					  "no class defaults for class '%s' (used by '%s'): expected "
					  "%s/classes/%s.yaml", gr_hw_class_name((gr_hw_class)c),
					  vs->class_user[c] ? vs->class_user[c] : "?", dir,
					  gr_hw_class_name((gr_hw_class)c));
}

static void classes_reset(vstate *vs)
{
	int c;
	for (c = 0; c < GR_HW_CLASS_COUNT; c++) {
		free(vs->class_path[c]);
		free(vs->class_user[c]);
		vs->class_path[c] = vs->class_user[c] = NULL;
	}
	vs->classes_used = 0;
}

/* A file or folder tree. user: a $GRAPHS_HARDWARE_PATH entry, which the registry skips
 * with a warning when missing and which may well be empty. classes: 0 no check of the class
 * defaults, 1 when the folder has a classes/ subfolder, 2 always (the built-in folder). */
static void validate_target(vstate *vs, const char *path, int user, int classes)
{
	struct stat sb;

	if (stat(path, &sb))
		gr_hw_sink_report(&vs->sink, user ? GR_HW_WARNING : GR_HW_ERROR, path, 0, "",
				  "cannot open: %s", strerror(errno));
	else if (S_ISDIR(sb.st_mode)) {
		int before = vs->files;
		validate_dir(vs, path, 0);
		if (vs->files == before && !user)
			gr_hw_sink_report(&vs->sink, GR_HW_WARNING, path, 0, "", "no *.yaml files found");
		if (classes)
			check_classes(vs, path, classes == 2);
	} else
		validate_file(vs, path);
}

/* Fallback platforms that no folder provides. */
static void check_fallbacks(vstate *vs, const seen_id *ids, size_t n)
{
	size_t i, k;
	for (i = 0; i < vs->n_fb; i++) {
		for (k = 0; k < n && strcmp(ids[k].id, vs->fb[i].id); k++)
			;
		if (k == n)
			gr_hw_sink_report(&vs->sink, GR_HW_WARNING, vs->fb[i].path, vs->fb[i].line,
					  "restrictions.fallback", "no platform '%s' in the registry: the "
					  "estimator runs the other ops on estimator.fallback_host", vs->fb[i].id);
	}
}

static void fallbacks_free(vstate *vs)
{
	size_t i;
	for (i = 0; i < vs->n_fb; i++) {
		free(vs->fb[i].path);
		free(vs->fb[i].id);
	}
	free(vs->fb);
	vs->fb = NULL;
	vs->n_fb = vs->cap_fb = 0;
}

static void ids_free(vstate *vs)
{
	size_t i;
	for (i = 0; i < vs->n; i++) {
		free(vs->ids[i].id);
		free(vs->ids[i].path);
	}
	free(vs->ids);
	vs->ids = NULL;
	vs->n = vs->cap = 0;
}

int gr_hw_validate_path(const char *path, gr_hw_report_fn fn, void *user)
{
	vstate vs;

	memset(&vs, 0, sizeof(vs));
	vs.sink.fn = fn;
	vs.sink.user = user;
	validate_target(&vs, path ? path : gr_hw_builtin_dir(), 0, 1);
	check_fallbacks(&vs, vs.ids, vs.n);
	ids_free(&vs);
	classes_reset(&vs);
	fallbacks_free(&vs);
	return vs.sink.errors + vs.sink.warnings;
}

int gr_hw_validate_registry_path(const char *builtin_dir, gr_hw_report_fn fn, void *user)
{
	vstate vs, all;  /* all: every id seen so far, with the file that provides it */
	char **dirs = NULL;
	size_t n_dirs = 0, t, i, k;
	gr_error err = {0};

	memset(&vs, 0, sizeof(vs));
	memset(&all, 0, sizeof(all));
	vs.sink.fn = fn;
	vs.sink.user = user;
	if (gr_hw_user_paths(&dirs, &n_dirs, &err))
		gr_hw_sink_report(&vs.sink, GR_HW_ERROR, "GRAPHS_HARDWARE_PATH", 0, "", "%s", err.msg);
	/* tier 0: the built-in folder; then the user folders in loading order */
	for (t = 0; t <= n_dirs; t++) {
		const char *dir = t ? dirs[t - 1] : builtin_dir;
		if (!dir)
			continue;
		validate_target(&vs, dir, t > 0, t == 0 ? 2 : 0);
		classes_reset(&vs);
		for (i = 0; i < vs.n; i++) {
			for (k = 0; k < all.n && strcmp(all.ids[k].id, vs.ids[i].id); k++)
				;
			if (k < all.n) {
				gr_hw_sink_report(&vs.sink, GR_HW_WARNING, vs.ids[i].path, 0, "id",
						  "replaces platform '%s' of '%s'", vs.ids[i].id,
						  all.ids[k].path);
				free(all.ids[k].path);
				all.ids[k].path = vs.ids[i].path;
				free(vs.ids[i].id);
				continue;
			}
			if (!gr_array_reserve(&all.ids, &all.cap, all.n, sizeof(*all.ids), 64)) {
				free(vs.ids[i].id);
				free(vs.ids[i].path);
				continue;
			}
			all.ids[all.n++] = vs.ids[i];
		}
		/* the entries moved to all: the next folder starts with no ids of its own */
		free(vs.ids);
		vs.ids = NULL;
		vs.n = vs.cap = 0;
	}
	check_fallbacks(&vs, all.ids, all.n);
	ids_free(&all);
	fallbacks_free(&vs);
	gr_hw_user_paths_free(dirs, n_dirs);
	return vs.sink.errors + vs.sink.warnings;
}
