/* Registry file parser: one YAML file (libyaml document API) into one gr_hw, checking every
 * key's type, sign and range, and reporting each problem as "FILE:LINE: key 'a.b': ...".
 * Consistency between keys (peaks vs clocks, bandwidth vs bus) is hw_validate.c's job. */
#include "hardware/hw_impl.h"
#include "hardware/hw_yaml_node.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>


/* --- sections -------------------------------------------------------------------------- */

static const char *const compute_keys[] = {"units", "unit_name", "clock_mhz", "engines", "combine",
	"simd_width_bits", "fma_units_per_core", "threads_per_core", NULL};
enum { CK_UNITS, CK_UNIT_NAME, CK_CLOCK, CK_ENGINES, CK_COMBINE, CK_SIMD, CK_FMA, CK_THREADS };

static const char *const engine_keys[] = {"name", "units", "clock_mhz", "precisions", "clock", "isa",
	NULL};

/* compute.engines[].isa: a list of feature names (gr_hw_isa_name), each once */
static void parse_isa(pctx *c, yaml_node_t *n, const char *base, gr_hw_engine *eng)
{
	char kp[128];
	size_t i;

	hy_path2(kp, sizeof(kp), base, "isa");
	if (hy_seq_check(c, n, kp, 16))
		return;
	eng->isa_given = 1;
	for (i = 0; i < hy_seq_len(n); i++) {
		yaml_node_t *e = hy_seq_item(c, n, i);
		unsigned b, bit = 0;
		if (!e || e->type != YAML_SCALAR_NODE) {
			hy_perr(c, e ? e : n, kp, "expected a feature name");
			continue;
		}
		for (b = 0; b < GR_HW_ISA_COUNT; b++)
			if (!strcmp(hy_scalar(e), gr_hw_isa_name(1u << b)))
				bit = 1u << b;
		if (!bit)
			hy_perr(c, e, kp, "unknown feature '%.32s' (expected dotprod, i8mm or bf16)",
				hy_scalar(e));
		else if (eng->isa & bit)
			hy_perr(c, e, kp, "'%s' is listed twice", hy_scalar(e));
		eng->isa |= bit;
	}
}

static void parse_engines(pctx *c, yaml_node_t *n)
{
	gr_hw *hw = c->hw;
	size_t i, len;

	if (hy_seq_check(c, n, "compute.engines", 64))
		return;
	len = hy_seq_len(n);
	hw->engines = gr_arena_calloc(hw->arena, len ? len : 1, sizeof(*hw->engines));
	if (!hw->engines) {
		hy_nomem(c, n, "compute.engines");
		return;
	}
	for (i = 0; i < len; i++) {
		yaml_node_t *e = hy_seq_item(c, n, i), *v[7];
		gr_hw_engine *eng = &hw->engines[hw->n_engines];
		char base[64], kp[128];
		double d;
		size_t j;

		snprintf(base, sizeof(base), "compute.engines[%zu]", i);
		if (!e || hy_map_fields(c, e, base, engine_keys, v))
			continue;
		eng->line = hy_line_of(e);
		hy_path2(kp, sizeof(kp), base, "name");
		hy_require(c, e, v[0], kp);
		if (v[0])
			eng->name = hy_get_str(c, v[0], kp);
		if (v[1]) {
			hy_path2(kp, sizeof(kp), base, "units");
			hy_get_int(c, v[1], kp, POSITIVE, 1e7, &eng->units);
		}
		if (v[2]) {
			hy_path2(kp, sizeof(kp), base, "clock_mhz");
			if (hy_get_num(c, v[2], kp, POSITIVE, 20000, "MHz", &d) == 0)
				eng->clock_mhz = d;
		}
		if (v[4]) /* a kind of compute.clock_mhz; hw_validate.c checks it */
			eng->clock_kind = hy_get_str(c, v[4], "compute.engines[].clock");
		if (v[5])
			parse_isa(c, v[5], base, eng);
		hy_path2(kp, sizeof(kp), base, "precisions");
		hy_require(c, e, v[3], kp);
		if (v[3])
			hy_get_prec_map(c, v[3], kp, POSITIVE, 1e7, "ops/clock", eng->ops_per_clk, NULL);
		for (j = 0; j < hw->n_engines; j++)
			if (eng->name && hw->engines[j].name && !strcmp(eng->name, hw->engines[j].name))
				hy_perr(c, v[0], kp, "engine '%s' is listed twice", eng->name);
		hw->n_engines++;
	}
}

static void parse_compute(pctx *c, yaml_node_t *n)
{
	gr_hw *hw = c->hw;
	yaml_node_t *v[8], *cv[GR_HW_CLOCK_KINDS];
	int64_t x;

	if (hy_map_fields(c, n, "compute", compute_keys, v))
		return;
	hy_require(c, n, v[CK_UNITS], "compute.units");
	if (v[CK_UNITS]) {
		hy_get_int(c, v[CK_UNITS], "compute.units", POSITIVE, 1e7, &hw->units);
		hw->line_units = hy_line_of(v[CK_UNITS]);
	}
	if (v[CK_UNIT_NAME])
		hw->unit_name = hy_get_str(c, v[CK_UNIT_NAME], "compute.unit_name");
	/* optional: some NPUs publish no clock, only peaks */
	if (v[CK_CLOCK] && hy_map_fields(c, v[CK_CLOCK], "compute.clock_mhz", gr_hw_clock_kinds, cv) == 0) {
		double *dst[GR_HW_CLOCK_KINDS];
		char kp[64];
		hw->line_clock = hy_line_of(v[CK_CLOCK]);
		hy_require(c, v[CK_CLOCK], cv[1], "compute.clock_mhz.boost");
		for (x = 0; x < GR_HW_CLOCK_KINDS; x++)
			if (cv[x] && (dst[x] = gr_hw_clock_slot(hw, (int)x)) != NULL) {
				hy_path2(kp, sizeof(kp), "compute.clock_mhz", gr_hw_clock_kinds[x]);
				hy_get_num(c, cv[x], kp, POSITIVE, 20000, "MHz", dst[x]);
			}
	}
	if (v[CK_ENGINES])
		parse_engines(c, v[CK_ENGINES]);
	if (v[CK_COMBINE]) {
		const char *s = hy_get_str(c, v[CK_COMBINE], "compute.combine");
		if (s && !strcmp(s, "sum"))
			hw->combine_sum = 1;
		else if (s && strcmp(s, "max"))
			hy_perr(c, v[CK_COMBINE], "compute.combine", "expected 'max' or 'sum', found '%s'", s);
	}
	if (v[CK_SIMD] && hy_get_int(c, v[CK_SIMD], "compute.simd_width_bits", POSITIVE, 4096, &x) == 0) {
		if (x % 32)
			hy_perr(c, v[CK_SIMD], "compute.simd_width_bits", "expected a multiple of 32, found %lld",
			     (long long)x);
		hw->simd_width_bits = (int)x;
	}
	if (v[CK_FMA] && hy_get_int(c, v[CK_FMA], "compute.fma_units_per_core", POSITIVE, 16, &x) == 0)
		hw->fma_units_per_core = (int)x;
	if (v[CK_THREADS] && hy_get_int(c, v[CK_THREADS], "compute.threads_per_core", POSITIVE, 16, &x) == 0)
		hw->threads_per_core = (int)x;
}

static const char *const mem_keys[] = {"level", "type", "size_bytes", "bandwidth_gbps", "latency_ns",
	"scope", "instances", "bus_width_bits", "data_rate_mtps", "channels", "clock_mhz", "measured",
	NULL};
enum { MK_LEVEL, MK_TYPE, MK_SIZE, MK_BW, MK_LAT, MK_SCOPE, MK_INST, MK_BUS, MK_RATE, MK_CHAN,
       MK_CLOCK, MK_MEASURED };

static void parse_memory(pctx *c, yaml_node_t *n)
{
	gr_hw *hw = c->hw;
	size_t i, j, len;

	if (hy_seq_check(c, n, "memory", 32))
		return;
	len = hy_seq_len(n);
	if (len == 0) {
		hy_perr(c, n, "memory", "expected at least one memory level");
		return;
	}
	hw->mem = gr_arena_calloc(hw->arena, len, sizeof(*hw->mem));
	if (!hw->mem) {
		hy_nomem(c, n, "memory");
		return;
	}
	for (i = 0; i < len; i++) {
		yaml_node_t *e = hy_seq_item(c, n, i), *v[13];
		gr_hw_mem *m = &hw->mem[hw->n_mem];
		char base[96], kp[160];
		double d;

		snprintf(base, sizeof(base), "memory[%zu]", i);
		if (!e || hy_map_fields(c, e, base, mem_keys, v))
			continue;
		m->line = hy_line_of(e);
		m->measured = -1;
		hy_path2(kp, sizeof(kp), base, "level");
		hy_require(c, e, v[MK_LEVEL], kp);
		if (v[MK_LEVEL]) {
			m->level = hy_get_str(c, v[MK_LEVEL], kp);
			if (m->level && !hy_is_ident(m->level, 0))
				hy_perr(c, v[MK_LEVEL], kp, "'%s' is not a lowercase name like l1, l2, sram, dram",
				     m->level);
			/* name the entry by its level in later messages */
			if (m->level && hy_is_ident(m->level, 0))
				snprintf(base, sizeof(base), "memory.%s", m->level);
		}
		if (v[MK_TYPE]) {
			hy_path2(kp, sizeof(kp), base, "type");
			m->type = hy_get_str(c, v[MK_TYPE], kp);
		}
		hy_path2(kp, sizeof(kp), base, "size_bytes");
		if (v[MK_SIZE])
			hy_get_int(c, v[MK_SIZE], kp, POSITIVE, 4503599627370496.0 /* 2^52: 4 PiB */,
				&m->size_bytes);
		if (v[MK_BW]) {
			hy_path2(kp, sizeof(kp), base, "bandwidth_gbps");
			hy_get_num(c, v[MK_BW], kp, POSITIVE, 1e8, "GB/s", &m->bandwidth_gbps);
			m->line_bw = hy_line_of(v[MK_BW]);
		}
		if (v[MK_LAT]) {
			hy_path2(kp, sizeof(kp), base, "latency_ns");
			hy_get_num(c, v[MK_LAT], kp, POSITIVE, 1e7, "ns", &m->latency_ns);
		}
		m->scope = "shared";
		if (v[MK_SCOPE]) {
			const char *s;
			hy_path2(kp, sizeof(kp), base, "scope");
			s = hy_get_str(c, v[MK_SCOPE], kp);
			if (s && strcmp(s, "shared") && strcmp(s, "per_unit"))
				hy_perr(c, v[MK_SCOPE], kp, "expected 'per_unit' or 'shared', found '%s'", s);
			else if (s)
				m->scope = s;
		}
		if (v[MK_INST]) {
			hy_path2(kp, sizeof(kp), base, "instances");
			hy_get_int(c, v[MK_INST], kp, POSITIVE, 1e7, &m->instances);
		}
		if (v[MK_BUS]) {
			hy_path2(kp, sizeof(kp), base, "bus_width_bits");
			hy_get_int(c, v[MK_BUS], kp, POSITIVE, 1 << 20, &m->bus_width_bits);
		}
		if (v[MK_RATE]) {
			hy_path2(kp, sizeof(kp), base, "data_rate_mtps");
			hy_get_num(c, v[MK_RATE], kp, POSITIVE, 1e6, "MT/s", &m->data_rate_mtps);
		}
		if (v[MK_CHAN]) {
			hy_path2(kp, sizeof(kp), base, "channels");
			hy_get_int(c, v[MK_CHAN], kp, POSITIVE, 4096, &m->channels);
		}
		if (v[MK_CLOCK]) {
			hy_path2(kp, sizeof(kp), base, "clock_mhz");
			if (hy_get_num(c, v[MK_CLOCK], kp, POSITIVE, 1e5, "MHz", &d) == 0)
				m->clock_mhz = d;
		}
		if (v[MK_MEASURED]) {
			hy_path2(kp, sizeof(kp), base, "measured");
			hy_get_bool(c, v[MK_MEASURED], kp, &m->measured);
		}
		for (j = 0; j < hw->n_mem; j++)
			if (m->level && hw->mem[j].level && !strcmp(m->level, hw->mem[j].level))
				hy_perr(c, e, base, "level '%s' is listed twice (first at line %d)", m->level,
				     hw->mem[j].line);
		hw->n_mem++;
	}
}

static const char *const power_keys[] = {"tdp_w", "idle_w", "modes", "energy", NULL};
static const char *const mode_keys[] = {"name", "tdp_w", "clock_mhz", "gpu_clock_mhz", "cpu_clock_mhz",
	"npu_clock_mhz", "memory_clock_mhz", "units", "cpu_cores", NULL};
static const char *const energy_keys[] = {"pj_per_flop", "pj_per_byte", NULL};

static void parse_modes(pctx *c, yaml_node_t *n)
{
	gr_hw *hw = c->hw;
	size_t i, j, len;

	if (hy_seq_check(c, n, "power.modes", 64))
		return;
	len = hy_seq_len(n);
	hw->modes = gr_arena_calloc(hw->arena, len ? len : 1, sizeof(*hw->modes));
	if (!hw->modes) {
		hy_nomem(c, n, "power.modes");
		return;
	}
	for (i = 0; i < len; i++) {
		yaml_node_t *e = hy_seq_item(c, n, i), *v[10];
		gr_hw_mode *md = &hw->modes[hw->n_modes];
		char base[96], kp[160];

		snprintf(base, sizeof(base), "power.modes[%zu]", i);
		if (!e || hy_map_fields(c, e, base, mode_keys, v))
			continue;
		md->line = hy_line_of(e);
		hy_path2(kp, sizeof(kp), base, "name");
		hy_require(c, e, v[0], kp);
		if (v[0]) {
			md->name = hy_get_str(c, v[0], kp);
			if (md->name && !hy_is_ident(md->name, 1)) {
				hy_perr(c, v[0], kp, "'%s' is not a lowercase name like 15w or maxn", md->name);
				md->name = NULL;
			}
			if (md->name)
				snprintf(base, sizeof(base), "power.modes.%s", md->name);
		}
#define MODE_NUM(idx, field, unit, max)                                              \
	if (v[idx]) {                                                                \
		hy_path2(kp, sizeof(kp), base, mode_keys[idx]);                         \
		hy_get_num(c, v[idx], kp, POSITIVE, max, unit, &md->field);             \
	}
		MODE_NUM(1, tdp_w, "W", 1e5)
		MODE_NUM(2, clock_mhz, "MHz", 20000)
		MODE_NUM(3, gpu_clock_mhz, "MHz", 20000)
		MODE_NUM(4, cpu_clock_mhz, "MHz", 20000)
		MODE_NUM(5, npu_clock_mhz, "MHz", 20000)
		MODE_NUM(6, memory_clock_mhz, "MHz", 1e5)
#undef MODE_NUM
		if (v[7]) {
			hy_path2(kp, sizeof(kp), base, "units");
			hy_get_int(c, v[7], kp, POSITIVE, 1e7, &md->units);
		}
		if (v[8]) {
			hy_path2(kp, sizeof(kp), base, "cpu_cores");
			hy_get_int(c, v[8], kp, POSITIVE, 1e5, &md->cpu_cores);
		}
		for (j = 0; j < hw->n_modes; j++)
			if (md->name && hw->modes[j].name && !strcmp(md->name, hw->modes[j].name))
				hy_perr(c, v[0], kp, "mode '%s' is listed twice", md->name);
		hw->n_modes++;
	}
}

static void parse_pj_per_byte(pctx *c, yaml_node_t *n)
{
	gr_hw *hw = c->hw;
	yaml_node_pair_t *p;
	size_t len;

	if (n->type != YAML_MAPPING_NODE) {
		hy_perr(c, n, "power.energy.pj_per_byte", "expected a mapping of memory level to pJ/byte");
		return;
	}
	len = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (len > 32) {
		hy_perr(c, n, "power.energy.pj_per_byte", "too many levels");
		return;
	}
	hw->pj_per_byte = gr_arena_calloc(hw->arena, len ? len : 1, sizeof(*hw->pj_per_byte));
	if (!hw->pj_per_byte) {
		hy_nomem(c, n, "power.energy.pj_per_byte");
		return;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = hy_node_at(c, p->key), *v = hy_node_at(c, p->value);
		char kp[128];
		double x;
		if (!k || !v || k->type != YAML_SCALAR_NODE) {
			hy_perr(c, n, "power.energy.pj_per_byte", "keys must be memory level names");
			continue;
		}
		hy_path2(kp, sizeof(kp), "power.energy.pj_per_byte", hy_scalar(k));
		if (hy_get_num(c, v, kp, POSITIVE, 1e6, "pJ/byte", &x))
			continue;
		hw->pj_per_byte[hw->n_pj_per_byte].level = gr_arena_strdup(hw->arena, hy_scalar(k));
		hw->pj_per_byte[hw->n_pj_per_byte].pj = x;
		hw->n_pj_per_byte++;
	}
}

static void parse_power(pctx *c, yaml_node_t *n)
{
	gr_hw *hw = c->hw;
	yaml_node_t *v[4], *ev[2];

	if (hy_map_fields(c, n, "power", power_keys, v))
		return;
	hy_require(c, n, v[0], "power.tdp_w");
	if (v[0]) {
		hy_get_num(c, v[0], "power.tdp_w", POSITIVE, 1e5, "W", &hw->tdp_w);
		hw->line_tdp = hy_line_of(v[0]);
	}
	if (v[1]) {
		hy_get_num(c, v[1], "power.idle_w", NONNEG, 1e5, "W", &hw->idle_w);
		hw->line_idle = hy_line_of(v[1]);
	}
	if (v[2])
		parse_modes(c, v[2]);
	if (v[3] && hy_map_fields(c, v[3], "power.energy", energy_keys, ev) == 0) {
		if (ev[0])
			hy_get_prec_map(c, ev[0], "power.energy.pj_per_flop", POSITIVE, 1e6, "pJ",
				     hw->pj_per_op, NULL);
		if (ev[1])
			parse_pj_per_byte(c, ev[1]);
	}
}

static const char *const interconnect_keys[] = {"host", "host_bandwidth_gbps", "peer",
	"peer_bandwidth_gbps", NULL};

static void parse_interconnect(pctx *c, yaml_node_t *n)
{
	gr_hw *hw = c->hw;
	yaml_node_t *v[4];

	if (hy_map_fields(c, n, "interconnect", interconnect_keys, v))
		return;
	if (v[0])
		hw->host_link = hy_get_str(c, v[0], "interconnect.host");
	if (v[1])
		hy_get_num(c, v[1], "interconnect.host_bandwidth_gbps", POSITIVE, 1e6, "GB/s",
			&hw->host_bw_gbps);
	if (v[2])
		hw->peer_link = hy_get_str(c, v[2], "interconnect.peer");
	if (v[3])
		hy_get_num(c, v[3], "interconnect.peer_bandwidth_gbps", POSITIVE, 1e6, "GB/s",
			&hw->peer_bw_gbps);
}

static const char *const precisions_keys[] = {"native", "emulated", "preferred", NULL};

static void parse_precisions(pctx *c, yaml_node_t *n)
{
	gr_hw *hw = c->hw;
	yaml_node_t *v[3];
	size_t i;

	if (hy_map_fields(c, n, "precisions", precisions_keys, v))
		return;
	hy_require(c, n, v[0], "precisions.native");
	if (v[0] && hy_seq_check(c, v[0], "precisions.native", 32) == 0) {
		if (hy_seq_len(v[0]) == 0)
			hy_perr(c, v[0], "precisions.native", "expected at least one precision");
		for (i = 0; i < hy_seq_len(v[0]); i++) {
			yaml_node_t *e = hy_seq_item(c, v[0], i);
			char kp[48];
			int prec;
			snprintf(kp, sizeof(kp), "precisions.native[%zu]", i);
			if (!e || e->type != YAML_SCALAR_NODE) {
				hy_perr(c, e ? e : v[0], kp, "expected a precision name");
				continue;
			}
			prec = gr_precision_parse(hy_scalar(e));
			if (prec < 0) {
				hy_perr(c, e, kp, "unknown precision '%.32s'", hy_scalar(e));
				continue;
			}
			if (hw->native_mask & (1u << prec))
				hy_perr(c, e, kp, "'%s' is listed twice", hy_scalar(e));
			hw->native_mask |= 1u << prec;
		}
	}
	if (v[1])
		hy_get_prec_map(c, v[1], "precisions.emulated", POSITIVE, 1e6, "x slowdown", hw->emulated,
			     NULL);
	if (v[2]) {
		const char *s = hy_get_str(c, v[2], "precisions.preferred");
		hw->line_preferred = hy_line_of(v[2]);
		if (s) {
			hw->preferred = gr_precision_parse(s);
			if (hw->preferred < 0)
				hy_perr(c, v[2], "precisions.preferred", "unknown precision '%s'", s);
		}
	}
}


/* --- estimator parameters (keys: gr_hw_est_keys in hw_estimator.c) --------------------- */

/* Index of section.name among the keys, or -1; *group is set when name is a group of keys. */
static int est_find(const char *section, const char *name, int *group)
{
	size_t i, nl = strlen(name);
	*group = 0;
	for (i = 0; i < GR_HW_EST_KEY_COUNT; i++) {
		const gr_hw_est_key *k = &gr_hw_est_keys[i];
		if (strcmp(k->section, section))
			continue;
		if (!strcmp(k->name, name))
			return (int)i;
		if (!strncmp(k->name, name, nl) && k->name[nl] == '.')
			*group = 1;
	}
	return -1;
}

static void est_value(pctx *c, yaml_node_t *v, const char *kp, size_t i)
{
	const gr_hw_est_key *k = &gr_hw_est_keys[i];
	gr_hw *hw = c->hw;
	double x = 0;
	int64_t n;
	int b;

	if (hw->est_line[i]) {
		hy_perr(c, v, kp, "appears twice (first at line %d)", hw->est_line[i]);
		return;
	}
	hw->est_line[i] = hy_line_of(v);
	if (k->kind == GR_HW_EK_NUM) {
		if (hy_get_num(c, v, kp, k->min_open ? POSITIVE : NONNEG, 1e300, k->unit, &x))
			return;
		if (x > k->max) {
			hy_perr(c, v, kp, "%g is out of range (at most %g%s%s)", x, k->max, k->unit ? " " : "",
			     k->unit ? k->unit : "");
			return;
		}
	} else if (k->kind == GR_HW_EK_INT) {
		if (hy_get_int(c, v, kp, POSITIVE, k->max, &n))
			return;
		x = (double)n;
	} else if (k->kind == GR_HW_EK_BOOL) {
		if (hy_get_bool(c, v, kp, &b))
			return;
		x = b;
	} else {
		const char *s = hy_get_str(c, v, kp);
		if (!s)
			return;
		if (strcmp(s, "matrix") && strcmp(s, "all")) {
			hy_perr(c, v, kp, "expected 'matrix' or 'all', found '%.40s'", s);
			return;
		}
		x = !strcmp(s, "all");
	}
	gr_hw_est_set(&hw->est, k, x);
	hw->est_given[i] = 1;
}

/* A mapping of estimator keys, groups ("efficiency", "fill") nested as mappings. */
static void parse_est_map(pctx *c, yaml_node_t *n, const char *section, const char *prefix)
{
	yaml_node_pair_t *p;
	char where[128];

	hy_path2(where, sizeof(where), section, prefix);
	if (n->type != YAML_MAPPING_NODE) {
		hy_perr(c, n, where, "expected a mapping, found %s", hy_is_null(n) ? "nothing" : hy_node_kind(n));
		return;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = hy_node_at(c, p->key), *v = hy_node_at(c, p->value);
		char name[96], kp[160];
		int idx, group;

		if (!k || !v)
			continue;
		if (k->type != YAML_SCALAR_NODE) {
			hy_perr(c, k, where, "keys must be plain strings, found %s", hy_node_kind(k));
			continue;
		}
		hy_path2(name, sizeof(name), prefix, hy_scalar(k));
		hy_path2(kp, sizeof(kp), section, name);
		idx = est_find(section, name, &group);
		if (idx >= 0)
			est_value(c, v, kp, (size_t)idx);
		else if (group)
			parse_est_map(c, v, section, name);
		else
			hy_pwarn(c, k, kp, "unknown key (docs/hardware.md lists the estimator keys)");
	}
}

/* class: one of the known class names. */
static void parse_class_key(pctx *c, yaml_node_t *v)
{
	const char *s = hy_get_str(c, v, "class");
	int k;
	c->hw->line_class = hy_line_of(v);
	for (k = 0; s && k < GR_HW_CLASS_COUNT; k++)
		if (!strcmp(s, gr_hw_class_name((gr_hw_class)k)))
			break;
	if (s && k == GR_HW_CLASS_COUNT)
		hy_perr(c, v, "class", "expected cpu, gpu, tpu, npu, dsp or mcu, found '%s'", s);
	else if (s)
		c->hw->cls = (gr_hw_class)k;
}

static const char *const class_top_keys[] = {"class", "overheads", "estimator", "sources", "notes",
	NULL};

/* classes/<class>.yaml: every parameter the estimator needs for the class. */
static void parse_class_root(pctx *c, yaml_node_t *root)
{
	gr_hw *hw = c->hw;
	yaml_node_t *v[6];
	const char *base = strrchr(c->file, '/');
	size_t i;

	hw->is_class_file = 1;
	if (root->type != YAML_MAPPING_NODE) {
		hy_perr(c, root, "", "expected a mapping of keys (class, overheads, estimator) at the top, "
				  "found %s", hy_is_null(root) ? "nothing" : hy_node_kind(root));
		return;
	}
	hy_map_fields(c, root, "", class_top_keys, v);
	hy_require(c, root, v[0], "class");
	if (!v[0])
		return;
	parse_class_key(c, v[0]);
	if (c->failed)
		return;
	base = base ? base + 1 : c->file;
	if (strncmp(base, gr_hw_class_name(hw->cls), strlen(gr_hw_class_name(hw->cls))) ||
	    base[strlen(gr_hw_class_name(hw->cls))] != '.')
		hy_pwarn(c, v[0], "class", "class '%s' but the file is '%s' (expected %s.yaml)",
		      gr_hw_class_name(hw->cls), base, gr_hw_class_name(hw->cls));
	if (v[1])
		parse_est_map(c, v[1], "overheads", NULL);
	if (v[2])
		parse_est_map(c, v[2], "estimator", NULL);
	if (v[3])
		hw->sources = hy_get_str_list(c, v[3], "sources", MAX_LIST, &hw->n_sources);
	if (v[4])
		hw->notes = hy_get_str(c, v[4], "notes");
	for (i = 0; i < GR_HW_EST_KEY_COUNT; i++) {
		const gr_hw_est_key *k = &gr_hw_est_keys[i];
		char kp[128];
		if (hw->est_line[i] || !(k->required & (1u << hw->cls)))
			continue;
		snprintf(kp, sizeof(kp), "%s.%s", k->section, k->name);
		hy_perr(c, root, kp, "required key is missing (a class file gives every parameter of "
				  "class %s)", gr_hw_class_name(hw->cls));
	}
}

static const char *const restrictions_keys[] = {"ops", "fallback", NULL};
static const char *const overheads_keys[] = {"kernel_launch_us", "dispatch_us", NULL};

static const char *const top_keys[] = {"id", "name", "vendor", "class", "architecture", "category",
	"compute", "peak_tops", "memory", "power", "interconnect", "precisions", "restrictions",
	"overheads", "sources", "notes", "estimator", "system", "derived", "isa_family", NULL};
enum { TK_ID, TK_NAME, TK_VENDOR, TK_CLASS, TK_ARCH, TK_CATEGORY, TK_COMPUTE, TK_PEAK, TK_MEMORY,
       TK_POWER, TK_INTERCONNECT, TK_PRECISIONS, TK_RESTRICTIONS, TK_OVERHEADS, TK_SOURCES,
       TK_NOTES, TK_ESTIMATOR, TK_SYSTEM, TK_DERIVED, TK_ISA_FAMILY, TK_COUNT };

static const char *const categories[] = {"datacenter", "desktop", "mobile", "edge", "embedded", NULL};

static void parse_root(pctx *c, yaml_node_t *root)
{
	gr_hw *hw = c->hw;
	yaml_node_t *v[TK_COUNT + 1];
	size_t i;

	if (root->type != YAML_MAPPING_NODE) {
		hy_perr(c, root, "", "expected a mapping of keys (id, name, compute, ...) at the top, "
				  "found %s", hy_is_null(root) ? "nothing" : hy_node_kind(root));
		return;
	}
	hy_map_fields(c, root, "", top_keys, v);

	hy_require(c, root, v[TK_ID], "id");
	if (v[TK_ID]) {
		hw->id = hy_get_str(c, v[TK_ID], "id");
		hw->line_id = hy_line_of(v[TK_ID]);
		if (hw->id && !hy_is_ident(hw->id, 0))
			hy_perr(c, v[TK_ID], "id", "'%s' is not snake_case (a-z, 0-9, _; at most 64 chars)",
			     hw->id);
	}
	hy_require(c, root, v[TK_NAME], "name");
	if (v[TK_NAME])
		hw->name = hy_get_str(c, v[TK_NAME], "name");
	hy_require(c, root, v[TK_VENDOR], "vendor");
	if (v[TK_VENDOR])
		hw->vendor = hy_get_str(c, v[TK_VENDOR], "vendor");
	hy_require(c, root, v[TK_CLASS], "class");
	if (v[TK_CLASS])
		parse_class_key(c, v[TK_CLASS]);
	if (v[TK_ARCH])
		hw->architecture = hy_get_str(c, v[TK_ARCH], "architecture");
	if (v[TK_CATEGORY]) {
		const char *s = hy_get_str(c, v[TK_CATEGORY], "category");
		for (i = 0; s && categories[i]; i++)
			if (!strcmp(s, categories[i]))
				break;
		if (s && !categories[i])
			hy_perr(c, v[TK_CATEGORY], "category",
			     "expected datacenter, desktop, mobile, edge or embedded, found '%s'", s);
		hw->category = s;
	}
	if (v[TK_ISA_FAMILY]) {
		const char *s = hy_get_str(c, v[TK_ISA_FAMILY], "isa_family");
		for (i = GR_HW_ISA_FAMILY_NONE + 1; s && i < GR_HW_ISA_FAMILY_COUNT; i++)
			if (!strcmp(s, gr_hw_isa_family_name((int)i)))
				break;
		if (s && i >= GR_HW_ISA_FAMILY_COUNT)
			hy_perr(c, v[TK_ISA_FAMILY], "isa_family", "expected arm64, arm32 or x86_64, found '%s'", s);
		else if (s)
			hw->isa_family = (int)i;
		hw->line_isa_family = hy_line_of(v[TK_ISA_FAMILY]);
	}
	hy_require(c, root, v[TK_COMPUTE], "compute");
	if (v[TK_COMPUTE])
		parse_compute(c, v[TK_COMPUTE]);
	hy_require(c, root, v[TK_PEAK], "peak_tops");
	if (v[TK_PEAK]) {
		hy_get_prec_map(c, v[TK_PEAK], "peak_tops", POSITIVE, 1e6, "TOPS", hw->peak_tops,
			     hw->peak_line);
		if (v[TK_PEAK]->type == YAML_MAPPING_NODE &&
		    v[TK_PEAK]->data.mapping.pairs.top == v[TK_PEAK]->data.mapping.pairs.start)
			hy_perr(c, v[TK_PEAK], "peak_tops", "expected at least one precision");
	}
	hy_require(c, root, v[TK_MEMORY], "memory");
	if (v[TK_MEMORY])
		parse_memory(c, v[TK_MEMORY]);
	hy_require(c, root, v[TK_POWER], "power");
	if (v[TK_POWER])
		parse_power(c, v[TK_POWER]);
	if (v[TK_INTERCONNECT])
		parse_interconnect(c, v[TK_INTERCONNECT]);
	if (v[TK_SYSTEM] && gr_hw_system_parse(c->doc, v[TK_SYSTEM], c->file, c->sink, hw))
		c->failed = 1;
	hy_require(c, root, v[TK_PRECISIONS], "precisions");
	if (v[TK_PRECISIONS])
		parse_precisions(c, v[TK_PRECISIONS]);
	if (v[TK_RESTRICTIONS]) {
		yaml_node_t *rv[2];
		if (hy_map_fields(c, v[TK_RESTRICTIONS], "restrictions", restrictions_keys, rv) == 0) {
			if (rv[0])
				hw->ops = hy_get_str_list(c, rv[0], "restrictions.ops", MAX_OPS, &hw->n_ops);
			if (rv[1]) {
				hw->fallback = hy_get_str(c, rv[1], "restrictions.fallback");
				hw->line_fallback = hy_line_of(rv[1]);
			}
		}
	}
	if (v[TK_OVERHEADS]) {
		yaml_node_t *ov[2];
		if (hy_map_fields(c, v[TK_OVERHEADS], "overheads", overheads_keys, ov) == 0) {
			if (ov[0])
				hy_get_num(c, ov[0], "overheads.kernel_launch_us", NONNEG, 1e6, "us",
					&hw->launch_us);
			if (ov[1])
				hy_get_num(c, ov[1], "overheads.dispatch_us", NONNEG, 1e7, "us",
					&hw->dispatch_us);
		}
	}
	if (v[TK_SOURCES]) {
		hw->sources = hy_get_str_list(c, v[TK_SOURCES], "sources", MAX_LIST, &hw->n_sources);
		hw->line_sources = hy_line_of(v[TK_SOURCES]);
	}
	if (v[TK_NOTES])
		hw->notes = hy_get_str(c, v[TK_NOTES], "notes");
	if (v[TK_ESTIMATOR])
		parse_est_map(c, v[TK_ESTIMATOR], "estimator", NULL);
	if (v[TK_DERIVED] && (hw->line_derived = hy_line_of(v[TK_DERIVED])) > 0) /* keys: hw_validate.c */
		hw->derived = hy_get_str_list(c, v[TK_DERIVED], "derived", MAX_LIST, &hw->n_derived);
}

/* A platform file, or a class defaults file (class_file). */
static gr_hw *parse_buffer_as(const char *path, const unsigned char *buf, size_t len,
			      gr_hw_sink *sink, int keep_partial, int class_file)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	gr_hw *hw = NULL;
	yaml_node_t *root;
	pctx c;
	int have_parser = 0, have_doc = 0;

	if (len > GR_HW_MAX_FILE_BYTES) {
		gr_hw_sink_report(sink, GR_HW_ERROR, path, 0, "", "file is larger than %d bytes",
				  GR_HW_MAX_FILE_BYTES);
		return NULL;
	}
	if (gr_hw_prescan(path, buf, len, sink))
		return NULL;
	if (!yaml_parser_initialize(&parser)) {
		gr_hw_sink_report(sink, GR_HW_ERROR, path, 0, "", "out of memory");
		goto fail;
	}
	have_parser = 1;
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		gr_hw_sink_report(sink, GR_HW_ERROR, path, (int)parser.problem_mark.line + 1, "",
				  "malformed YAML: %s%s%s", parser.problem ? parser.problem : "syntax error",
				  parser.context ? " " : "", parser.context ? parser.context : "");
		goto fail;
	}
	have_doc = 1;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		gr_hw_sink_report(sink, GR_HW_ERROR, path, 0, "", "the file is empty");
		goto fail;
	}
	hw = gr_hw_new();
	if (!hw) {
		gr_hw_sink_report(sink, GR_HW_ERROR, path, 0, "", "out of memory");
		goto fail;
	}
	hw->path = gr_arena_strdup(hw->arena, path);
	memset(&c, 0, sizeof(c));
	c.file = path;
	c.doc = &doc;
	c.sink = sink;
	c.hw = hw;
	if (class_file)
		parse_class_root(&c, root);
	else
		parse_root(&c, root);
	if (!hw->path || (c.failed && !keep_partial))
		goto fail;
	/* A second document in the file is most likely a mistake. */
	{
		yaml_document_t doc2;
		if (yaml_parser_load(&parser, &doc2)) {
			if (yaml_document_get_root_node(&doc2))
				gr_hw_sink_report(sink, GR_HW_WARNING, path, 0, "",
						  "only the first YAML document is read");
			yaml_document_delete(&doc2);
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return hw;
fail:
	gr_hw_free(hw);
	if (have_doc)
		yaml_document_delete(&doc);
	if (have_parser)
		yaml_parser_delete(&parser);
	return NULL;
}

gr_hw *gr_hw_parse_buffer(const char *path, const unsigned char *buf, size_t len,
			  gr_hw_sink *sink, int keep_partial)
{
	return parse_buffer_as(path, buf, len, sink, keep_partial, 0);
}

static gr_hw *parse_file_as(const char *path, gr_hw_sink *sink, int keep_partial, int class_file)
{
	size_t len = 0;
	unsigned char *buf = gr_hw_read_file(path, &len, sink);
	gr_hw *hw;

	if (!buf)
		return NULL;
	hw = parse_buffer_as(path, buf, len, sink, keep_partial, class_file);
	free(buf);
	return hw;
}

gr_hw *gr_hw_parse_file(const char *path, gr_hw_sink *sink, int keep_partial)
{
	return parse_file_as(path, sink, keep_partial, 0);
}

gr_hw *gr_hw_parse_class_file(const char *path, gr_hw_sink *sink)
{
	return parse_file_as(path, sink, 0, 1);
}
