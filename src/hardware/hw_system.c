/* The optional `system:` block of a platform: the box a device is usually measured in (a
 * server, a developer kit), so that estimates can give the energy a wall-power meter sees
 * (MLPerf power) beside the device's own. Kept apart from hw_yaml.c, whose helpers are
 * private; the rules (unknown keys warn, bad values name file:line and key) are the same. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hw_impl.h"

#define SYS_MAX_STR 4096
#define SYS_MAX_SOURCES 64

typedef struct sctx {
	yaml_document_t *doc;
	const char *file;
	gr_hw_sink *sink;
	gr_hw *hw;
	int failed;
} sctx;

static int sys_line(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

static void sys_err(sctx *c, const yaml_node_t *n, const char *key, const char *msg, const char *what)
{
	gr_hw_sink_report(c->sink, GR_HW_ERROR, c->file, sys_line(n), key, "%s%s%.40s%s", msg,
			  what ? " '" : "", what ? what : "", what ? "'" : "");
	c->failed = 1;
}

static const char *sys_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A plain decimal number in [lo, hi] (lo itself refused when lo_open). */
static int sys_num(sctx *c, yaml_node_t *n, const char *key, double lo, int lo_open, double hi,
		   const char *range, double *out)
{
	const char *s = sys_scalar(n);
	char *end;
	double v;

	if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || !*s || strpbrk(s, "xXnNiI")) {
		sys_err(c, n, key, s ? "expected a number, found" : "expected a number, found a mapping or list",
			s);
		return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v)) {
		sys_err(c, n, key, "expected a number, found", s);
		return -1;
	}
	if (v < lo || (lo_open && v == lo) || v > hi) {
		char msg[160];
		snprintf(msg, sizeof(msg), "%g is out of range (expected %s)", v, range);
		sys_err(c, n, key, msg, NULL);
		return -1;
	}
	*out = v;
	return 0;
}

static const char *sys_str(sctx *c, yaml_node_t *n, const char *key)
{
	const char *s = sys_scalar(n);
	if (!s || !*s || n->data.scalar.length > SYS_MAX_STR || strlen(s) != n->data.scalar.length) {
		sys_err(c, n, key, "expected a non-empty string (at most 4096 bytes)", NULL);
		return NULL;
	}
	return gr_arena_strndup(c->hw->arena, s, n->data.scalar.length);
}

static void sys_sources(sctx *c, yaml_node_t *n, gr_hw_system *sys)
{
	yaml_node_item_t *it;
	size_t len, i = 0;

	if (n->type != YAML_SEQUENCE_NODE) {
		sys_err(c, n, "system.sources", "expected a list of strings", NULL);
		return;
	}
	len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (len == 0 || len > SYS_MAX_SOURCES) {
		sys_err(c, n, "system.sources", "expected 1 to 64 sources (datasheets, submission files)", NULL);
		return;
	}
	sys->sources = gr_arena_alloc(c->hw->arena, len * sizeof(*sys->sources));
	if (!sys->sources) {
		sys_err(c, n, "system.sources", "out of memory", NULL);
		return;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		const char *s = sys_str(c, yaml_document_get_node(c->doc, *it), "system.sources");
		if (s)
			sys->sources[i++] = s;
	}
	sys->n_sources = i;
}

static const char *const sys_keys[] = {"name", "accelerators", "host_idle_w", "host_active_w",
	"psu_efficiency", "sources", "notes", NULL};
enum { SK_NAME, SK_ACCEL, SK_IDLE, SK_ACTIVE, SK_PSU, SK_SOURCES, SK_NOTES, SK_COUNT };

int gr_hw_system_parse(yaml_document_t *doc, yaml_node_t *n, const char *file, gr_hw_sink *sink,
		       gr_hw *hw)
{
	sctx c = {doc, file, sink, hw, 0};
	yaml_node_t *v[SK_COUNT] = {0};
	yaml_node_pair_t *p;
	gr_hw_system *sys;
	double accel = 0;

	if (n->type != YAML_MAPPING_NODE) {
		sys_err(&c, n, "system", "expected a mapping (name, accelerators, host_idle_w, "
			"host_active_w, psu_efficiency, sources)", NULL);
		return 1;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key), *val = yaml_document_get_node(doc, p->value);
		const char *ks = sys_scalar(k);
		char kp[128];
		int i;

		if (!ks || !val) {
			sys_err(&c, k, "system", "keys must be plain strings", NULL);
			continue;
		}
		for (i = 0; sys_keys[i] && strcmp(sys_keys[i], ks); i++)
			;
		snprintf(kp, sizeof(kp), "system.%.64s", ks);
		if (!sys_keys[i])
			gr_hw_sink_report(sink, GR_HW_WARNING, file, sys_line(k), kp, "unknown key");
		else if (v[i])
			sys_err(&c, k, kp, "appears twice", NULL);
		else
			v[i] = val;
	}
	sys = gr_arena_alloc(hw->arena, sizeof(*sys));
	if (!sys) {
		sys_err(&c, n, "system", "out of memory", NULL);
		return 1;
	}
	memset(sys, 0, sizeof(*sys));
	sys->line = sys_line(n);
	/* every figure is required: a half-described box would give a wall energy that looks
	 * measured but silently leaves the host out */
	static const char *const req[] = {"system.name", "system.accelerators", "system.host_idle_w",
		"system.host_active_w", "system.psu_efficiency", "system.sources"};
	for (int i = 0; i < SK_NOTES; i++)
		if (!v[i])
			sys_err(&c, n, req[i], "required key is missing", NULL);
	if (v[SK_NAME])
		sys->name = sys_str(&c, v[SK_NAME], "system.name");
	if (v[SK_ACCEL] && sys_num(&c, v[SK_ACCEL], "system.accelerators", 1, 0, 1024, "an integer 1..1024",
				   &accel) == 0) {
		if (accel != floor(accel))
			sys_err(&c, v[SK_ACCEL], "system.accelerators", "expected an integer, found",
				sys_scalar(v[SK_ACCEL]));
		sys->accelerators = (int64_t)accel;
	}
	if (v[SK_IDLE])
		sys_num(&c, v[SK_IDLE], "system.host_idle_w", 0, 0, 1e5, "0..100000 W", &sys->host_idle_w);
	if (v[SK_ACTIVE])
		sys_num(&c, v[SK_ACTIVE], "system.host_active_w", 0, 0, 1e5, "0..100000 W",
			&sys->host_active_w);
	if (v[SK_PSU])
		sys_num(&c, v[SK_PSU], "system.psu_efficiency", 0, 1, 1, "a share in (0, 1]",
			&sys->psu_efficiency);
	if (v[SK_PSU] && sys->psu_efficiency > 0 && sys->psu_efficiency < 0.5)
		sys_err(&c, v[SK_PSU], "system.psu_efficiency",
			"below 0.5 is no working power supply (80 PLUS starts at 0.8)", NULL);
	if (v[SK_SOURCES])
		sys_sources(&c, v[SK_SOURCES], sys);
	if (v[SK_NOTES])
		sys->notes = sys_str(&c, v[SK_NOTES], "system.notes");
	if (!c.failed)
		hw->system = sys;
	return c.failed;
}

const gr_hw_system *gr_hw_system_of(const gr_hw *hw)
{
	return hw ? hw->system : NULL;
}
