/* Output of platforms: registry YAML (readable back by the parser) and JSON via cJSON
 * (`graphs hw show ID`, `graphs hw list --format json`). */
#include "hardware/hw_impl.h"
#include "hardware/hw_json.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* --- YAML ------------------------------------------------------------------------------ */

static void yq(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\t')
			fputs("\\t", f);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void prec_map(FILE *f, const double *v)
{
	int p, first = 1;
	fputc('{', f);
	for (p = 0; p < GR_PREC_COUNT; p++)
		if (v[p] > 0) {
			fprintf(f, "%s%s: %.10g", first ? "" : ", ", gr_precision_name((gr_precision)p), v[p]);
			first = 0;
		}
	fputc('}', f);
}

static int any(const double *v)
{
	int p;
	for (p = 0; p < GR_PREC_COUNT; p++)
		if (v[p] > 0)
			return 1;
	return 0;
}

/* hw show: after a line's value, "# derived: a, b" naming the fields of prefix+name that the
 * file's derived list holds (figures computed from others, not published). */
static void derived_mark(const gr_hw *hw, FILE *f, int show, const char *prefix,
			 const char *const *names, int n)
{
	char key[160];
	int i, first = 1;
	for (i = 0; show && i < n; i++) {
		snprintf(key, sizeof(key), "%s%s", prefix, names[i]);
		if (gr_hw_is_derived(hw, key)) {
			fprintf(f, "%s%s", first ? "   # derived: " : ", ", names[i]);
			first = 0;
		}
	}
}

/* show: every estimator parameter, those from the class defaults marked (hw show);
 * otherwise only the platform's own (a file that keeps following its class). */
static gr_status write_yaml(const gr_hw *hw, FILE *f, int show, gr_error *err)
{
	size_t i;
	int p, first;

	if (!hw || !f)
		return gr_error_set(err, GR_ERR_USAGE, "gr_hw_write_yaml: NULL argument");
	fprintf(f, "id: %s\nname: ", hw->id);
	yq(f, hw->name);
	fputs("\nvendor: ", f);
	yq(f, hw->vendor);
	fprintf(f, "\nclass: %s\n", gr_hw_class_name(hw->cls));
	if (hw->architecture) {
		fputs("architecture: ", f);
		yq(f, hw->architecture);
		fputc('\n', f);
	}
	if (hw->category)
		fprintf(f, "category: %s\n", hw->category);
	if (gr_hw_isa_family_name(hw->isa_family))
		fprintf(f, "isa_family: %s\n", gr_hw_isa_family_name(hw->isa_family));

	fprintf(f, "compute:\n  units: %lld\n", (long long)hw->units);
	if (hw->unit_name) {
		fputs("  unit_name: ", f);
		yq(f, hw->unit_name);
		fputc('\n', f);
	}
	if (hw->boost_mhz > 0) {
		fputs("  clock_mhz: {", f);
		for (p = 0, first = 1; p < GR_HW_CLOCK_KINDS; p++)
			if (gr_hw_clock_of(hw, p) > 0) {
				fprintf(f, "%s%s: %.10g", first ? "" : ", ", gr_hw_clock_kinds[p],
					gr_hw_clock_of(hw, p));
				first = 0;
			}
		fputc('}', f);
		derived_mark(hw, f, show, "compute.clock_mhz.", gr_hw_clock_kinds, GR_HW_CLOCK_KINDS);
		fputc('\n', f);
	}
	if (hw->combine_sum)
		fputs("  combine: sum\n", f);
	if (hw->n_engines) {
		fputs("  engines:\n", f);
		for (i = 0; i < hw->n_engines; i++) {
			const gr_hw_engine *e = &hw->engines[i];
			fputs("    - name: ", f);
			yq(f, e->name);
			fputc('\n', f);
			if (e->units)
				fprintf(f, "      units: %lld\n", (long long)e->units);
			if (e->clock_kind)
				fprintf(f, "      clock: %s\n", e->clock_kind);
			else if (e->clock_mhz > 0)
				fprintf(f, "      clock_mhz: %.10g\n", e->clock_mhz);
			fputs("      precisions: ", f);
			prec_map(f, e->ops_per_clk);
			fputc('\n', f);
			if (e->isa_given) {
				const char *sep = "";
				unsigned b;
				fputs("      isa: [", f);
				for (b = 0; b < GR_HW_ISA_COUNT; b++)
					if (e->isa & (1u << b)) {
						fprintf(f, "%s%s", sep, gr_hw_isa_name(1u << b));
						sep = ", ";
					}
				fputs("]\n", f);
			}
		}
	}
	if (hw->simd_width_bits)
		fprintf(f, "  simd_width_bits: %d\n", hw->simd_width_bits);
	if (hw->fma_units_per_core)
		fprintf(f, "  fma_units_per_core: %d\n", hw->fma_units_per_core);
	if (hw->threads_per_core)
		fprintf(f, "  threads_per_core: %d\n", hw->threads_per_core);

	fputs("peak_tops: ", f);
	prec_map(f, hw->peak_tops);
	{
		const char *pn[GR_PREC_COUNT];
		for (p = 0; p < GR_PREC_COUNT; p++)
			pn[p] = gr_precision_name((gr_precision)p);
		derived_mark(hw, f, show, "peak_tops.", pn, GR_PREC_COUNT);
	}
	fputs("\nmemory:\n", f);
	for (i = 0; i < hw->n_mem; i++) {
		const gr_hw_mem *m = &hw->mem[i];
		fprintf(f, "  - {level: %s", m->level);
		if (m->type)
			fprintf(f, ", type: %s", m->type);
		if (m->size_bytes)
			fprintf(f, ", size_bytes: %lld", (long long)m->size_bytes);
		if (m->bandwidth_gbps > 0)
			fprintf(f, ", bandwidth_gbps: %.10g", m->bandwidth_gbps);
		if (m->latency_ns > 0)
			fprintf(f, ", latency_ns: %.10g", m->latency_ns);
		if (m->scope && strcmp(m->scope, "shared"))
			fprintf(f, ", scope: %s", m->scope);
		if (m->instances)
			fprintf(f, ", instances: %lld", (long long)m->instances);
		if (m->bus_width_bits)
			fprintf(f, ", bus_width_bits: %lld", (long long)m->bus_width_bits);
		if (m->data_rate_mtps > 0)
			fprintf(f, ", data_rate_mtps: %.10g", m->data_rate_mtps);
		if (m->channels)
			fprintf(f, ", channels: %lld", (long long)m->channels);
		if (m->clock_mhz > 0)
			fprintf(f, ", clock_mhz: %.10g", m->clock_mhz);
		if (m->measured >= 0)
			fprintf(f, ", measured: %s", m->measured ? "true" : "false");
		fputc('}', f);
		if (m->level) {
			static const char *const mf[] = {"bandwidth_gbps", "size_bytes", "latency_ns"};
			char pre[96];
			snprintf(pre, sizeof(pre), "memory.%s.", m->level);
			derived_mark(hw, f, show, pre, mf, 3);
		}
		fputc('\n', f);
	}

	fprintf(f, "power:\n  tdp_w: %.10g%s\n", hw->tdp_w,
		show && gr_hw_is_derived(hw, "power.tdp_w") ? "   # derived" : "");
	if (hw->idle_w > 0)
		fprintf(f, "  idle_w: %.10g\n", hw->idle_w);
	if (hw->n_modes) {
		fputs("  modes:\n", f);
		for (i = 0; i < hw->n_modes; i++) {
			const gr_hw_mode *md = &hw->modes[i];
			fprintf(f, "    - {name: %s", md->name);
#define MF(field, key)                                           \
	if (md->field > 0)                                       \
		fprintf(f, ", " key ": %.10g", (double)md->field);
			MF(tdp_w, "tdp_w")
			MF(clock_mhz, "clock_mhz")
			MF(gpu_clock_mhz, "gpu_clock_mhz")
			MF(cpu_clock_mhz, "cpu_clock_mhz")
			MF(npu_clock_mhz, "npu_clock_mhz")
			MF(memory_clock_mhz, "memory_clock_mhz")
			MF(units, "units")
			MF(cpu_cores, "cpu_cores")
#undef MF
			fputs("}\n", f);
		}
	}
	if (any(hw->pj_per_op) || hw->n_pj_per_byte) {
		fputs("  energy:\n", f);
		if (any(hw->pj_per_op)) {
			fputs("    pj_per_flop: ", f);
			prec_map(f, hw->pj_per_op);
			fputc('\n', f);
		}
		if (hw->n_pj_per_byte) {
			fputs("    pj_per_byte: {", f);
			for (i = 0; i < hw->n_pj_per_byte; i++)
				fprintf(f, "%s%s: %.10g", i ? ", " : "", hw->pj_per_byte[i].level,
					hw->pj_per_byte[i].pj);
			fputs("}\n", f);
		}
	}
	if (hw->host_link || hw->peer_link || hw->host_bw_gbps > 0 || hw->peer_bw_gbps > 0) {
		fputs("interconnect:\n", f);
		if (hw->host_link) {
			fputs("  host: ", f);
			yq(f, hw->host_link);
			fputc('\n', f);
		}
		if (hw->host_bw_gbps > 0)
			fprintf(f, "  host_bandwidth_gbps: %.10g\n", hw->host_bw_gbps);
		if (hw->peer_link) {
			fputs("  peer: ", f);
			yq(f, hw->peer_link);
			fputc('\n', f);
		}
		if (hw->peer_bw_gbps > 0)
			fprintf(f, "  peer_bandwidth_gbps: %.10g\n", hw->peer_bw_gbps);
	}
	fputs("precisions:\n  native: [", f);
	for (p = 0, first = 1; p < GR_PREC_COUNT; p++)
		if (hw->native_mask & (1u << p)) {
			fprintf(f, "%s%s", first ? "" : ", ", gr_precision_name((gr_precision)p));
			first = 0;
		}
	fputs("]\n", f);
	if (any(hw->emulated)) {
		fputs("  emulated: ", f);
		prec_map(f, hw->emulated);
		fputc('\n', f);
	}
	if (hw->preferred >= 0)
		fprintf(f, "  preferred: %s\n", gr_precision_name((gr_precision)hw->preferred));
	if (hw->n_ops || hw->fallback) {
		fputs("restrictions:\n", f);
		if (hw->n_ops) {
			fputs("  ops: [", f);
			for (i = 0; i < hw->n_ops; i++) {
				if (i)
					fputs(", ", f);
				yq(f, hw->ops[i]);
			}
			fputs("]\n", f);
		}
		if (hw->fallback) {
			fputs("  fallback: ", f);
			yq(f, hw->fallback);
			fputc('\n', f);
		}
	}
	gr_hw_write_est_yaml(hw, f, show);
	if (hw->n_sources) {
		fputs("sources:\n", f);
		for (i = 0; i < hw->n_sources; i++) {
			fputs("  - ", f);
			yq(f, hw->sources[i]);
			fputc('\n', f);
		}
	}
	if (hw->n_derived) {
		fputs("derived: [", f);
		for (i = 0; i < hw->n_derived; i++) {
			fputs(i ? ", " : "", f);
			yq(f, hw->derived[i]);
		}
		fputs("]\n", f);
	}
	if (hw->notes) {
		fputs("notes: ", f);
		yq(f, hw->notes);
		fputc('\n', f);
	}
	if (hw->system) {
		const gr_hw_system *sy = hw->system;
		fputs("system:\n  name: ", f);
		yq(f, sy->name);
		fprintf(f, "\n  accelerators: %lld\n  host_idle_w: %.17g\n  host_active_w: %.17g\n"
			   "  psu_efficiency: %.17g\n  sources:\n", (long long)sy->accelerators,
			sy->host_idle_w, sy->host_active_w, sy->psu_efficiency);
		for (i = 0; i < sy->n_sources; i++) {
			fputs("    - ", f);
			yq(f, sy->sources[i]);
			fputc('\n', f);
		}
		if (sy->notes) {
			fputs("  notes: ", f);
			yq(f, sy->notes);
			fputc('\n', f);
		}
	}
	if (ferror(f))
		return gr_error_set(err, GR_ERR_IO, "cannot write the YAML output");
	return GR_OK;
}

gr_status gr_hw_write_yaml(const gr_hw *hw, FILE *f, gr_error *err)
{
	return write_yaml(hw, f, 0, err);
}

gr_status gr_hw_show_yaml(const gr_hw *hw, FILE *f, gr_error *err)
{
	return write_yaml(hw, f, 1, err);
}

/* --- JSON ------------------------------------------------------------------------------ */

/* 6 significant digits: enough for estimates, short enough to read. */
static double round6(double v)
{
	double mag;
	if (v == 0 || !isfinite(v))
		return 0;
	mag = pow(10, 5 - floor(log10(fabs(v))));
	return round(v * mag) / mag;
}

static int add_num(cJSON *o, const char *k, double v)
{
	return cJSON_AddNumberToObject(o, k, round6(v)) != NULL;
}

/* Integers (sizes, counts) exactly; doubles hold them exactly up to 2^53. */
static int add_int(cJSON *o, const char *k, int64_t v)
{
	return cJSON_AddNumberToObject(o, k, (double)v) != NULL;
}

static int add_str(cJSON *o, const char *k, const char *v)
{
	if (!v)
		return 1;
	return cJSON_AddStringToObject(o, k, v) != NULL;
}

static cJSON *prec_obj(const double *v, double scale)
{
	cJSON *o = cJSON_CreateObject();
	int p;
	if (!o)
		return NULL;
	for (p = 0; p < GR_PREC_COUNT; p++)
		if (v[p] > 0 && !add_num(o, gr_precision_name((gr_precision)p), v[p] * scale)) {
			cJSON_Delete(o);
			return NULL;
		}
	return o;
}

static cJSON *peaks_obj(const gr_hw *hw, int mode)
{
	double v[GR_PREC_COUNT];
	int p;
	for (p = 0; p < GR_PREC_COUNT; p++)
		v[p] = gr_hw_peak_ops(hw, mode, (gr_precision)p) / 1e12;
	return prec_obj(v, 1);
}

static int add_obj(cJSON *o, const char *k, cJSON *child)
{
	if (!child)
		return 0;
	cJSON_AddItemToObject(o, k, child);
	return 1;
}

cJSON *gr_hw_to_json(const gr_hw *hw)
{
	cJSON *o, *c, *a, *e, *x;
	size_t i;
	int p, ok = 1;

	if (!hw || !(o = cJSON_CreateObject()))
		return NULL;
	ok &= add_str(o, "id", hw->id) && add_str(o, "name", hw->name) &&
	      add_str(o, "vendor", hw->vendor) && add_str(o, "class", gr_hw_class_name(hw->cls)) &&
	      add_str(o, "architecture", hw->architecture) && add_str(o, "category", hw->category) &&
	      add_str(o, "isa_family", gr_hw_isa_family_name(hw->isa_family)) && add_str(o, "path", hw->path);

	ok &= add_obj(o, "compute", c = cJSON_CreateObject());
	if (c) {
		ok &= add_int(c, "units", hw->units) && add_str(c, "unit_name", hw->unit_name);
		if (hw->boost_mhz > 0)
			ok &= add_obj(c, "clock_mhz", x = cJSON_CreateObject());
		else
			x = NULL;
		for (p = 0; x && p < GR_HW_CLOCK_KINDS; p++)
			if (gr_hw_clock_of(hw, p) > 0)
				ok &= add_num(x, gr_hw_clock_kinds[p], gr_hw_clock_of(hw, p));
		ok &= add_str(c, "combine", hw->combine_sum ? "sum" : "max");
		ok &= add_obj(c, "engines", a = cJSON_CreateArray());
		for (i = 0; a && i < hw->n_engines; i++) {
			const gr_hw_engine *en = &hw->engines[i];
			if (!(e = cJSON_CreateObject())) {
				ok = 0;
				break;
			}
			cJSON_AddItemToArray(a, e);
			ok &= add_str(e, "name", en->name);
			if (en->units)
				ok &= add_int(e, "units", en->units);
			ok &= add_str(e, "clock", en->clock_kind);
			if (en->clock_mhz > 0 || en->clock_kind)
				ok &= add_num(e, "clock_mhz", gr_hw_engine_clock(hw, en));
			ok &= add_obj(e, "ops_per_clock", prec_obj(en->ops_per_clk, 1));
			if (en->isa_given) {
				cJSON *l = cJSON_CreateArray();
				unsigned b;
				for (b = 0; l && b < GR_HW_ISA_COUNT; b++)
					if (en->isa & (1u << b))
						cJSON_AddItemToArray(l, cJSON_CreateString(gr_hw_isa_name(1u << b)));
				ok &= add_obj(e, "isa", l);
			}
		}
		if (hw->simd_width_bits)
			ok &= add_int(c, "simd_width_bits", hw->simd_width_bits);
		if (hw->fma_units_per_core)
			ok &= add_int(c, "fma_units_per_core", hw->fma_units_per_core);
		if (hw->threads_per_core)
			ok &= add_int(c, "threads_per_core", hw->threads_per_core);
	}
	ok &= add_obj(o, "peak_tops", peaks_obj(hw, -1));

	ok &= add_obj(o, "memory", a = cJSON_CreateArray());
	for (i = 0; a && i < hw->n_mem; i++) {
		gr_hw_mem_info mi;
		const gr_hw_mem *m = &hw->mem[i];
		if (gr_hw_mem_at(hw, -1, i, &mi) || !(e = cJSON_CreateObject())) {
			ok = 0;
			break;
		}
		cJSON_AddItemToArray(a, e);
		ok &= add_str(e, "level", mi.level) && add_str(e, "type", mi.type) &&
		      add_str(e, "scope", mi.scope) && add_int(e, "size_bytes", mi.size_bytes) &&
		      add_int(e, "instances", mi.instances);
		if (m->bandwidth_gbps > 0)
			ok &= add_num(e, "bandwidth_gbps", m->bandwidth_gbps);
		if (m->latency_ns > 0)
			ok &= add_num(e, "latency_ns", m->latency_ns);
		if (m->bus_width_bits)
			ok &= add_int(e, "bus_width_bits", m->bus_width_bits);
		if (m->measured >= 0)
			ok &= cJSON_AddBoolToObject(e, "measured", m->measured) != NULL;
	}

	ok &= add_obj(o, "power", c = cJSON_CreateObject());
	if (c) {
		ok &= add_num(c, "tdp_w", hw->tdp_w);
		if (hw->idle_w > 0)
			ok &= add_num(c, "idle_w", hw->idle_w);
		if (any(hw->pj_per_op))
			ok &= add_obj(c, "pj_per_flop", prec_obj(hw->pj_per_op, 1));
		if (hw->n_pj_per_byte) {
			ok &= add_obj(c, "pj_per_byte", x = cJSON_CreateObject());
			for (i = 0; x && i < hw->n_pj_per_byte; i++)
				ok &= add_num(x, hw->pj_per_byte[i].level, hw->pj_per_byte[i].pj);
		}
	}
	ok &= add_obj(o, "modes", a = cJSON_CreateArray());
	for (i = 0; a && i < hw->n_modes; i++) {
		const gr_hw_mode *md = &hw->modes[i];
		if (!(e = cJSON_CreateObject())) {
			ok = 0;
			break;
		}
		cJSON_AddItemToArray(a, e);
		ok &= add_str(e, "name", md->name) && add_num(e, "tdp_w", gr_hw_tdp_w(hw, (int)i)) &&
		      add_num(e, "clock_mhz", gr_hw_clock_mhz(hw, (int)i)) &&
		      add_int(e, "units", gr_hw_units(hw, (int)i)) &&
		      add_num(e, "dram_bandwidth_gbps", gr_hw_dram_bandwidth(hw, (int)i) / 1e9);
		if (md->memory_clock_mhz > 0)
			ok &= add_num(e, "memory_clock_mhz", md->memory_clock_mhz);
		if (md->cpu_clock_mhz > 0)
			ok &= add_num(e, "cpu_clock_mhz", md->cpu_clock_mhz);
		if (md->cpu_cores)
			ok &= add_int(e, "cpu_cores", md->cpu_cores);
		ok &= add_obj(e, "peak_tops", peaks_obj(hw, (int)i));
	}
	if (hw->host_link || hw->peer_link) {
		ok &= add_obj(o, "interconnect", c = cJSON_CreateObject());
		if (c) {
			ok &= add_str(c, "host", hw->host_link) && add_str(c, "peer", hw->peer_link);
			if (hw->host_bw_gbps > 0)
				ok &= add_num(c, "host_bandwidth_gbps", hw->host_bw_gbps);
			if (hw->peer_bw_gbps > 0)
				ok &= add_num(c, "peer_bandwidth_gbps", hw->peer_bw_gbps);
		}
	}
	ok &= add_obj(o, "precisions", c = cJSON_CreateObject());
	if (c) {
		ok &= add_obj(c, "native", a = cJSON_CreateArray());
		for (p = 0; a && p < GR_PREC_COUNT; p++)
			if (hw->native_mask & (1u << p)) {
				x = cJSON_CreateString(gr_precision_name((gr_precision)p));
				if (!x) {
					ok = 0;
					break;
				}
				cJSON_AddItemToArray(a, x);
			}
		ok &= add_obj(c, "emulated", prec_obj(hw->emulated, 1));
		if (hw->preferred >= 0)
			ok &= add_str(c, "preferred", gr_precision_name((gr_precision)hw->preferred));
	}
	if (hw->n_ops || hw->fallback) {
		ok &= add_obj(o, "restrictions", c = cJSON_CreateObject());
		if (c) {
			ok &= add_obj(c, "ops", a = cJSON_CreateArray());
			for (i = 0; a && i < hw->n_ops; i++) {
				if (!(x = cJSON_CreateString(hw->ops[i]))) {
					ok = 0;
					break;
				}
				cJSON_AddItemToArray(a, x);
			}
			ok &= add_str(c, "fallback", hw->fallback);
		}
	}
	ok &= gr_hw_est_add_json(hw, o) == 0;
	if (hw->system) {
		cJSON *sy = cJSON_CreateObject();
		ok &= add_obj(o, "system", sy);
		if (sy) {
			ok &= add_str(sy, "name", hw->system->name);
			ok &= cJSON_AddNumberToObject(sy, "accelerators", (double)hw->system->accelerators) != NULL;
			ok &= cJSON_AddNumberToObject(sy, "host_idle_w", hw->system->host_idle_w) != NULL;
			ok &= cJSON_AddNumberToObject(sy, "host_active_w", hw->system->host_active_w) != NULL;
			ok &= cJSON_AddNumberToObject(sy, "psu_efficiency", hw->system->psu_efficiency) != NULL;
		}
	}
	ok &= add_obj(o, "sources", a = cJSON_CreateArray());
	for (i = 0; a && i < hw->n_sources; i++) {
		if (!(x = cJSON_CreateString(hw->sources[i]))) {
			ok = 0;
			break;
		}
		cJSON_AddItemToArray(a, x);
	}
	ok &= add_obj(o, "derived", a = cJSON_CreateArray());
	for (i = 0; a && i < hw->n_derived; i++) {
		if (!(x = cJSON_CreateString(hw->derived[i]))) {
			ok = 0;
			break;
		}
		cJSON_AddItemToArray(a, x);
	}
	ok &= add_str(o, "notes", hw->notes);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *summary(const gr_hw *hw)
{
	cJSON *o = cJSON_CreateObject(), *a;
	size_t i;
	int ok = 1;

	if (!o)
		return NULL;
	ok &= add_str(o, "id", hw->id) && add_str(o, "name", hw->name) &&
	      add_str(o, "vendor", hw->vendor) && add_str(o, "class", gr_hw_class_name(hw->cls)) &&
	      add_str(o, "category", hw->category);
	ok &= add_obj(o, "peak_tops", peaks_obj(hw, -1));
	ok &= add_num(o, "memory_gb", (double)gr_hw_memory_bytes(hw) / (1024.0 * 1024 * 1024));
	ok &= add_num(o, "dram_bandwidth_gbps", gr_hw_dram_bandwidth(hw, -1) / 1e9);
	ok &= add_num(o, "tdp_w", hw->tdp_w);
	ok &= add_obj(o, "modes", a = cJSON_CreateArray());
	for (i = 0; a && i < hw->n_modes; i++) {
		cJSON *s = cJSON_CreateString(hw->modes[i].name);
		if (!s) {
			ok = 0;
			break;
		}
		cJSON_AddItemToArray(a, s);
	}
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *gr_hw_registry_to_json(const gr_hw_registry *r)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;
	if (!a || !r)
		return a;
	for (i = 0; i < r->n; i++) {
		cJSON *o = summary(r->items[i]);
		if (!o) {
			cJSON_Delete(a);
			return NULL;
		}
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static gr_status print_json(cJSON *doc, FILE *f, gr_error *err)
{
	char *s;
	if (!doc)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	s = cJSON_Print(doc);
	cJSON_Delete(doc);
	if (!s)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	fputs(s, f);
	fputc('\n', f);
	cJSON_free(s);
	return ferror(f) ? gr_error_set(err, GR_ERR_IO, "cannot write the JSON output") : GR_OK;
}

gr_status gr_hw_show_json(const gr_hw *hw, FILE *f, gr_error *err)
{
	if (!hw || !f)
		return gr_error_set(err, GR_ERR_USAGE, "gr_hw_show_json: NULL argument");
	return print_json(gr_hw_to_json(hw), f, err);
}

gr_status gr_hw_registry_print_json(const gr_hw_registry *r, FILE *f, gr_error *err)
{
	if (!r || !f)
		return gr_error_set(err, GR_ERR_USAGE, "gr_hw_registry_print_json: NULL argument");
	return print_json(gr_hw_registry_to_json(r), f, err);
}
