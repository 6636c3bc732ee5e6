/* Reading calibration profiles against their schema (docs/calibrate.md): every key's type,
 * range and finiteness is checked, so that a hand-edited or damaged file fails naming the file
 * and the key instead of giving wrong estimates (a string read as 0 and reported "calibrated",
 * a negative energy, a coefficient whose products overflow to inf, an inverted range). */
#include <limits.h>
#include <stddef.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "calibration/calib_impl.h"

const char *const calib_coef_names[CF_COUNT] = {"op_s", "s_per_flop", "s_per_byte", "s_per_weight",
						"s_per_row", "par4_s_per_flop", "par8_s_per_flop", "par16_s_per_flop"};
const char *const calib_glob_names[CG_COUNT] = {"spill_s_per_byte", "kernel_s", "row_s",
						"weight_spill_s_per_byte", "output_s_per_byte", "call_s"};

/* Limits of the schema. A second per op, FLOP, byte or weight is no measurement of any machine,
 * and the bound keeps every product with a model's FLOPs or bytes finite; likewise a microjoule
 * per FLOP or byte and a megawatt of static power. */
#define MAX_S_PER_UNIT 1.0
#define MAX_PJ 1e6
#define MAX_WATTS 1e6
#define MAX_LLC_BYTES 1e12
#define MIN_ELEM_BYTES 0.125
#define MAX_ELEM_BYTES 16.0
#define MAX_OP_SIZE 1e18   /* FLOPs or bytes of one op */
#define MAX_BATCH 1e9
#define MAX_APE 1e9        /* relative errors (0.1 = 10%) */
#define MAX_R2_SPREAD 1e9  /* R2 can be very negative for a useless fit, never above 1 */

enum { OPTIONAL = 0, REQUIRED = 1, NULL_OK = 2 };

typedef struct reader {
	const char *file;
	gr_error *err;
	char at[192];        /* dotted path of the object being read: "precisions.fp32.classes.conv" */
} reader;

static const char *type_of(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsArray(v))
		return "an array";
	return cJSON_IsObject(v) ? "an object" : "something else";
}

/* A key taken from the file, fit to print on one line. */
static const char *shown(const char *s, char *buf, size_t size)
{
	size_t i = 0;
	for (; s && s[i] && i + 1 < size; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = 0;
	return buf;
}

static int bad(reader *r, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(reader *r, const char *key, const char *fmt, ...)
{
	char msg[320];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gr_error_set(r->err, GR_ERR_FORMAT, "%s: key '%s%s%s': %s", r->file, r->at, r->at[0] && key[0] ? "." : "",
		     key, msg);
	return -1;
}

/* Every key of o is one of names (n of them) or one that more() accepts. The keys that set an
 * estimate's terms are a closed set: one this reader does not know (a term of another
 * version of graphs, or a typo) would otherwise be dropped and the estimate silently differ. */
static int only_known(reader *r, const cJSON *o, const char *const *names, int n,
		      int (*more)(const char *key))
{
	const cJSON *v;
	char buf[48];

	cJSON_ArrayForEach(v, o) {
		int ok = 0;
		for (int i = 0; i < n && !ok; i++)
			ok = !strcmp(v->string, names[i]);
		if (!ok && more)
			ok = more(v->string);
		if (!ok)
			return bad(r, shown(v->string, buf, sizeof(buf)),
				   "unknown key (written by another version of graphs? it would be ignored "
				   "and the estimates differ)");
	}
	return 0;
}

/* A number in [lo, hi]; absent: dflt (an error when REQUIRED); null: NAN when NULL_OK. */
static int number(reader *r, const cJSON *o, const char *key, double lo, double hi, int flags, double dflt,
		  double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v) {
		if (flags & REQUIRED)
			return bad(r, key, "missing");
		*out = dflt;
		return 0;
	}
	if (cJSON_IsNull(v) && (flags & NULL_OK)) {
		*out = NAN;
		return 0;
	}
	if (!cJSON_IsNumber(v))
		return bad(r, key, "expected a number, got %s", type_of(v));
	if (!isfinite(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi)
		return bad(r, key, "expected a number in [%.10g, %.10g], got %.10g", lo, hi, v->valuedouble);
	*out = v->valuedouble;
	return 0;
}

/* A whole number in [lo, hi] (hi at most INT_MAX); absent: dflt (an error when REQUIRED). */
static int whole(reader *r, const cJSON *o, const char *key, double lo, double hi, int flags, int dflt, int *out)
{
	double d;
	if (number(r, o, key, lo, hi, flags & REQUIRED, NAN, &d))
		return -1;
	if (isnan(d)) {
		*out = dflt;
		return 0;
	}
	if (d != floor(d))
		return bad(r, key, "expected a whole number, got %.10g", d);
	*out = (int)d;
	return 0;
}

/* A string that fits buf; absent (or null when NULL_OK): "" (an error when REQUIRED, as is ""). */
static int string(reader *r, const cJSON *o, const char *key, int flags, char *buf, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	buf[0] = 0;
	if (!v || (cJSON_IsNull(v) && (flags & NULL_OK))) {
		if (flags & REQUIRED)
			return bad(r, key, "missing");
		return 0;
	}
	if (!cJSON_IsString(v))
		return bad(r, key, "expected a string, got %s", type_of(v));
	if (strlen(v->valuestring) >= size)
		return bad(r, key, "longer than %zu characters", size - 1);
	if ((flags & REQUIRED) && !v->valuestring[0])
		return bad(r, key, "empty");
	memcpy(buf, v->valuestring, strlen(v->valuestring) + 1);
	return 0;
}

/* The object at key; *out NULL when absent (an error when REQUIRED). */
static int object(reader *r, const cJSON *o, const char *key, int flags, const cJSON **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	*out = NULL;
	if (!v) {
		if (flags & REQUIRED)
			return bad(r, key, "missing");
		return 0;
	}
	if (!cJSON_IsObject(v))
		return bad(r, key, "expected an object, got %s", type_of(v));
	*out = v;
	return 0;
}

/* [low, high] with lo <= low <= high <= hi (whole numbers when whole_only); absent: a and b
 * are left as they are. */
static int range(reader *r, const cJSON *o, const char *key, double lo, double hi, int whole_only, double *a,
		 double *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key), *x, *y;
	if (!v)
		return 0;
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2)
		return bad(r, key, "expected [low, high], got %s", type_of(v));
	x = cJSON_GetArrayItem(v, 0);
	y = cJSON_GetArrayItem(v, 1);
	if (!cJSON_IsNumber(x) || !cJSON_IsNumber(y))
		return bad(r, key, "expected [low, high] of numbers, got %s and %s", type_of(x), type_of(y));
	if (!isfinite(x->valuedouble) || !isfinite(y->valuedouble) || x->valuedouble < lo || y->valuedouble > hi ||
	    y->valuedouble < lo || x->valuedouble > hi)
		return bad(r, key, "expected [low, high] within [%.10g, %.10g], got [%.10g, %.10g]", lo, hi,
			   x->valuedouble, y->valuedouble);
	if (whole_only && (x->valuedouble != floor(x->valuedouble) || y->valuedouble != floor(y->valuedouble)))
		return bad(r, key, "expected whole numbers, got [%.10g, %.10g]", x->valuedouble, y->valuedouble);
	if (x->valuedouble > y->valuedouble)
		return bad(r, key, "low %.10g is above high %.10g", x->valuedouble, y->valuedouble);
	*a = x->valuedouble;
	*b = y->valuedouble;
	return 0;
}

static int batch_range(reader *r, const cJSON *o, int64_t *lo, int64_t *hi)
{
	double a = NAN, b = NAN;
	if (range(r, o, "batch", 1, MAX_BATCH, 1, &a, &b))
		return -1;
	if (!isnan(a)) {
		*lo = (int64_t)a;
		*hi = (int64_t)b;
	}
	return 0;
}

/* Sets the place being read to the n names given, joined by dots. */
static void enter(reader *r, int n, ...)
{
	size_t len = 0;
	va_list ap;
	va_start(ap, n);
	r->at[0] = 0;
	for (int i = 0; i < n && len < sizeof(r->at); i++) {
		int w = snprintf(r->at + len, sizeof(r->at) - len, "%s%s", i ? "." : "", va_arg(ap, const char *));
		len += w > 0 ? (size_t)w : 0;
	}
	va_end(ap);
}

static int read_provenance(reader *r, const cJSON *o, gr_profile *p)
{
	const cJSON *prov, *cond;
	gr_calib_conditions *c = &p->cond;

	c->threads = -1;
	if (object(r, o, "provenance", OPTIONAL, &prov))
		return -1;
	if (!prov)
		return 0;
	enter(r, 1, "provenance");
	if (string(r, prov, "sources", OPTIONAL, p->sources, sizeof(p->sources)) ||
	    string(r, prov, "excluded_model", OPTIONAL, p->excluded, sizeof(p->excluded)) ||
	    whole(r, prov, "rows", 0, INT_MAX, OPTIONAL, 0, &p->total_rows) ||
	    object(r, prov, "conditions", OPTIONAL, &cond))
		return -1;
	if (!cond)
		return 0;
	enter(r, 2, "provenance", "conditions");
	return whole(r, cond, "threads", 1, 1 << 20, OPTIONAL, -1, &c->threads) ||
	       string(r, cond, "affinity", OPTIONAL, c->affinity, sizeof(c->affinity)) ||
	       string(r, cond, "governor", OPTIONAL, c->governor, sizeof(c->governor)) ||
	       string(r, cond, "turbo", OPTIONAL, c->turbo, sizeof(c->turbo)) ||
	       string(r, cond, "cpu_model", OPTIONAL, c->cpu_model, sizeof(c->cpu_model)) ||
	       string(r, cond, "hostname", OPTIONAL, c->hostname, sizeof(c->hostname)) ||
	       string(r, cond, "torch", OPTIONAL, c->torch, sizeof(c->torch)) ||
	       string(r, cond, "openblas", OPTIONAL, c->openblas, sizeof(c->openblas)) ||
	       string(r, cond, "onednn", OPTIONAL, c->onednn, sizeof(c->onednn)) ||
	       string(r, cond, "gpu", OPTIONAL, c->gpu, sizeof(c->gpu)) ? -1 : 0;
}

/* quality.published.harnesses: {"NAME": {"step_s": s, "op_s": s}, ...} (optional). */
static int read_harnesses(reader *r, const cJSON *pb, const char *pn, calib_pub_quality *pq)
{
	const cJSON *hs, *h;
	if (object(r, pb, "harnesses", OPTIONAL, &hs))
		return -1;
	pq->n_harness = 0;
	cJSON_ArrayForEach(h, hs)
	{
		const cJSON *ho;
		if (pq->n_harness == GR_HARNESS_MAX)
			return bad(r, "harnesses", "more than %d harnesses", GR_HARNESS_MAX);
		if (!h->string || !h->string[0] || strlen(h->string) >= sizeof(pq->harness[0]))
			return bad(r, "harnesses", "a harness name empty or longer than %zu characters",
				   sizeof(pq->harness[0]) - 1);
		if (object(r, hs, h->string, REQUIRED, &ho))
			return -1;
		enter(r, 6, "precisions", pn, "quality", "published", "harnesses", h->string);
		if (number(r, ho, "step_s", 0, 1, REQUIRED, 0, &pq->harness_step_s[pq->n_harness]) ||
		    number(r, ho, "op_s", 0, 1, REQUIRED, 0, &pq->harness_op_s[pq->n_harness]))
			return -1;
		snprintf(pq->harness[pq->n_harness++], sizeof(pq->harness[0]), "%s", h->string);
	}
	return 0;
}

/* quality.published: accuracy of a fit to published figures (fit_pub.c). */
static int read_published(reader *r, const cJSON *qa, const char *pn, calib_pub_quality *pq)
{
	static const char *const mt[2] = {"latency", "throughput"};
	const cJSON *pb;
	char key[48];

	pq->lomo_mape[0] = pq->lomo_mape[1] = pq->mape[0] = pq->mape[1] = NAN;
	if (object(r, qa, "published", OPTIONAL, &pb))
		return -1;
	if (!pb)
		return 0;
	enter(r, 4, "precisions", pn, "quality", "published");
	pq->present = 1;
	if (whole(r, pb, "models", 0, INT_MAX, REQUIRED, 0, &pq->models) ||
	    string(r, pb, "precision", OPTIONAL, pq->precision_name, sizeof(pq->precision_name)) ||
	    string(r, pb, "sources", OPTIONAL, pq->sources, sizeof(pq->sources)) ||
	    number(r, pb, "compute_factor", 0, 1e12, NULL_OK, NAN, &pq->alpha) ||
	    number(r, pb, "bandwidth_factor", 0, 1e12, NULL_OK, NAN, &pq->beta) ||
	    number(r, pb, "kernel_s", 0, 1, NULL_OK, NAN, &pq->kernel_s) ||
	    number(r, pb, "op_s", 0, 1, NULL_OK, NAN, &pq->op_s) ||
	    whole(r, pb, "skipped_mapping", 0, INT_MAX, OPTIONAL, 0, &pq->skip_mapping) ||
	    whole(r, pb, "skipped_shape", 0, INT_MAX, OPTIONAL, 0, &pq->skip_shape) ||
	    whole(r, pb, "skipped_placement", 0, INT_MAX, OPTIONAL, 0, &pq->skip_placement) ||
	    whole(r, pb, "skipped_model", 0, INT_MAX, OPTIONAL, 0, &pq->skip_model))
		return -1;
	for (int m = 0; m < 2; m++) {
		snprintf(key, sizeof(key), "rows_%s", mt[m]);
		if (whole(r, pb, key, 0, INT_MAX, REQUIRED, 0, &pq->rows[m]))
			return -1;
		snprintf(key, sizeof(key), "lomo_rows_%s", mt[m]);
		if (whole(r, pb, key, 0, INT_MAX, OPTIONAL, 0, &pq->lomo_rows[m]))
			return -1;
		/* every figure knows its accuracy: the keys are required, null when not measured */
		snprintf(key, sizeof(key), "lomo_mape_%s", mt[m]);
		if (number(r, pb, key, 0, MAX_APE, REQUIRED | NULL_OK, NAN, &pq->lomo_mape[m]))
			return -1;
		snprintf(key, sizeof(key), "mape_in_sample_%s", mt[m]);
		if (number(r, pb, key, 0, MAX_APE, NULL_OK, NAN, &pq->mape[m]))
			return -1;
	}
	return read_harnesses(r, pb, pn, pq);
}

static int read_quality(reader *r, const cJSON *pv, const char *pn, calib_quality *cq)
{
	const cJSON *qa;
	cq->r2 = cq->median_ape = cq->p90_ape = cq->model_mape = cq->model_median_ape = NAN;
	if (object(r, pv, "quality", OPTIONAL, &qa))
		return -1;
	if (!qa)
		return 0;
	enter(r, 3, "precisions", pn, "quality");
	return whole(r, qa, "rows", 0, INT_MAX, OPTIONAL, 0, &cq->rows) ||
	       whole(r, qa, "subgraph_rows", 0, INT_MAX, OPTIONAL, 0, &cq->rows_sub) ||
	       whole(r, qa, "model_rows", 0, INT_MAX, OPTIONAL, 0, &cq->rows_model) ||
	       whole(r, qa, "merged_rows", 0, INT_MAX, OPTIONAL, 0, &cq->rows_merged) ||
	       string(r, qa, "merged_example", OPTIONAL, cq->merged_example, sizeof(cq->merged_example)) ||
	       number(r, qa, "r2_log", -MAX_R2_SPREAD, 1, NULL_OK, NAN, &cq->r2) ||
	       number(r, qa, "median_ape", 0, MAX_APE, NULL_OK, NAN, &cq->median_ape) ||
	       number(r, qa, "p90_ape", 0, MAX_APE, NULL_OK, NAN, &cq->p90_ape) ||
	       number(r, qa, "model_mape_in_sample", 0, MAX_APE, NULL_OK, NAN, &cq->model_mape) ||
	       number(r, qa, "model_median_ape_in_sample", 0, MAX_APE, NULL_OK, NAN, &cq->model_median_ape) ||
	       read_published(r, qa, pn, &cq->pub) ? -1 : 0;
}

static int read_energy(reader *r, const cJSON *pv, const char *pn, otm_prec *cp, calib_quality *cq)
{
	const cJSON *en;
	if (object(r, pv, "energy", OPTIONAL, &en))
		return -1;
	if (!en)
		return 0;
	cp->has_energy = 1;
	enter(r, 3, "precisions", pn, "energy");
	return number(r, en, "pj_per_flop", 0, MAX_PJ, REQUIRED, 0, &cp->pj_per_flop) ||
	       number(r, en, "pj_per_byte", 0, MAX_PJ, REQUIRED, 0, &cp->pj_per_byte) ||
	       number(r, en, "static_w", 0, MAX_WATTS, REQUIRED, 0, &cp->static_w) ||
	       whole(r, en, "rows", 0, INT_MAX, OPTIONAL, 0, &cq->energy_rows) ? -1 : 0;
}

/* The scale fitted to published power and its errors; the scope names the energy it scales. */
static int read_energy_published(reader *r, const cJSON *pv, const char *pn, otm_prec *cp, calib_quality *cq)
{
	const cJSON *en;
	calib_energy_quality *q = &cq->epub;
	char scope[16];
	int clamped = 0;

	q->mape_theory = q->mape_fit = q->lomo_mape = q->loro_mape = NAN;
	cp->energy_pub_error = NAN;
	if (object(r, pv, "energy_published", OPTIONAL, &en))
		return -1;
	if (!en)
		return 0;
	enter(r, 3, "precisions", pn, "energy_published");
	if (string(r, en, "scope", REQUIRED, scope, sizeof(scope)))
		return -1;
	if (!strcmp(scope, "device"))
		cp->energy_pub_scope = OTM_ENERGY_DEVICE;
	else if (!strcmp(scope, "system"))
		cp->energy_pub_scope = OTM_ENERGY_SYSTEM;
	else
		return bad(r, "scope", "expected \"device\" or \"system\", got '%s'", scope);
	if (cJSON_GetObjectItemCaseSensitive(en, "clamped") &&
	    !cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(en, "clamped")))
		return bad(r, "clamped", "expected true or false, got %s",
			   type_of(cJSON_GetObjectItemCaseSensitive(en, "clamped")));
	clamped = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(en, "clamped"));
	q->clamped = clamped;
	/* a scale is a ratio of energies: positive, and no meter is off by a factor of a thousand */
	if (number(r, en, "scale", 1e-3, 1e3, REQUIRED, 0, &cp->energy_pub_scale) ||
	    whole(r, en, "rows", 1, INT_MAX, REQUIRED, 0, &q->rows) ||
	    whole(r, en, "models", 1, INT_MAX, REQUIRED, 0, &q->models) ||
	    number(r, en, "mape_as_estimated", 0, MAX_APE, REQUIRED | NULL_OK, NAN, &q->mape_theory) ||
	    number(r, en, "mape_in_sample", 0, MAX_APE, REQUIRED | NULL_OK, NAN, &q->mape_fit) ||
	    number(r, en, "lomo_mape", 0, MAX_APE, REQUIRED | NULL_OK, NAN, &q->lomo_mape) ||
	    number(r, en, "loro_mape", 0, MAX_APE, REQUIRED | NULL_OK, NAN, &q->loro_mape) ||
	    string(r, en, "sources", OPTIONAL, q->sources, sizeof(q->sources)))
		return -1;
	cp->energy_pub_error = isfinite(q->lomo_mape) ? q->lomo_mape : q->loro_mape;
	return 0;
}

/* "borrowed": {"from": donor label, "ratio_of": related class} of a class never measured here. */
static int read_borrowed(reader *r, const cJSON *cv, const char *pn, otm_class *c)
{
	const cJSON *bo;
	char of[32];

	c->borrowed_of = -1;
	if (object(r, cv, "borrowed", OPTIONAL, &bo))
		return -1;
	if (!bo)
		return 0;
	enter(r, 5, "precisions", pn, "classes", cv->string, "borrowed");
	if (string(r, bo, "from", REQUIRED, c->borrowed_from, sizeof(c->borrowed_from)) ||
	    string(r, bo, "ratio_of", REQUIRED, of, sizeof(of)))
		return -1;
	for (int k = 0; k < CC_COUNT && c->borrowed_of < 0; k++)
		if (!strcmp(of, gr_op_class_name(k)))
			c->borrowed_of = k;
	if (c->borrowed_of < 0)
		return bad(r, "ratio_of", "unknown op class");
	return 0;
}

/* One op class: its coefficients (the batch-parallel ones only when the precision is emulated)
 * and the sizes it covers. */
static int read_class(reader *r, const cJSON *cv, const char *pn, int emulated, otm_class *c,
		      calib_class_quality *cq)
{
	const char *cn = cv->string;
	const cJSON *cf;

	c->fitted = 1;
	cq->median_ape = cq->p90_ape = NAN;
	enter(r, 4, "precisions", pn, "classes", cn);
	if (!cJSON_IsObject(cv))
		return bad(r, "", "expected an object, got %s", type_of(cv));
	if (object(r, cv, "coef", REQUIRED, &cf) ||
	    whole(r, cv, "points", 0, INT_MAX, REQUIRED, 0, &c->points) ||
	    whole(r, cv, "rows", 0, INT_MAX, OPTIONAL, 0, &cq->rows) ||
	    range(r, cv, "flops", 0, MAX_OP_SIZE, 0, &c->f_min, &c->f_max) ||
	    range(r, cv, "bytes", 0, MAX_OP_SIZE, 0, &c->b_min, &c->b_max) ||
	    batch_range(r, cv, &c->batch_min, &c->batch_max) ||
	    number(r, cv, "median_ape", 0, MAX_APE, NULL_OK, NAN, &cq->median_ape) ||
	    number(r, cv, "p90_ape", 0, MAX_APE, NULL_OK, NAN, &cq->p90_ape))
		return -1;
	enter(r, 5, "precisions", pn, "classes", cn, "coef");
	if (only_known(r, cf, calib_coef_names, CF_COUNT, NULL))
		return -1;
	for (int f = 0; f < CF_COUNT; f++)
		if (number(r, cf, calib_coef_names[f], 0, MAX_S_PER_UNIT,
			   f != CF_ROWS && (f < CF_PAR4 || emulated) ? REQUIRED : OPTIONAL,
			   0, &c->coef[f]))
			return -1;
	return read_borrowed(r, cv, pn, c);
}

/* A precision's optional "platform" numbers besides calib_glob_names: one table for reading
 * them and for knowing them (only_known). */
static const struct platform_number {
	const char *key;
	double hi;
	size_t off; /* in otm_prec */
} platform_numbers[] = {
	{"frame_s", MAX_S_PER_UNIT, offsetof(otm_prec, frame_s)},
	{"context_bytes", MAX_LLC_BYTES, offsetof(otm_prec, context_bytes)},
	{"context_s", MAX_S_PER_UNIT, offsetof(otm_prec, context_s)},
	{"request_s", MAX_S_PER_UNIT, offsetof(otm_prec, request_s)},
	{"context_layers", 1e9, offsetof(otm_prec, context_layers)},
	{"context_layer_s", MAX_S_PER_UNIT, offsetof(otm_prec, context_layer_s)},
	{"context_fill", 1e6, offsetof(otm_prec, context_fill)},
	{"matrix_s", MAX_S_PER_UNIT, offsetof(otm_prec, matrix_s)},
};

static int platform_key(const char *key)
{
	for (size_t i = 0; i < sizeof(platform_numbers) / sizeof(platform_numbers[0]); i++)
		if (!strcmp(key, platform_numbers[i].key))
			return 1;
	return !strcmp(key, "offpath_kernel_factor") || !strcmp(key, "kernel_groups");
}

static int read_precision(reader *r, const cJSON *pv, gr_profile *p, unsigned *seen)
{
	char buf[48];
	const char *pn = pv->string;
	int q = gr_precision_parse(pn);
	otm_prec *cp;
	calib_quality *cq;
	const cJSON *gl, *cl, *cv, *em;
	unsigned seen_cls[(CC_COUNT + 31) / 32] = {0};

	enter(r, 1, "precisions");
	if (q < 0)
		return bad(r, shown(pn, buf, sizeof(buf)), "unknown precision");
	if (*seen & (1u << q))
		return bad(r, pn, "given twice");
	*seen |= 1u << q;
	if (!cJSON_IsObject(pv))
		return bad(r, pn, "expected an object, got %s", type_of(pv));
	cp = &p->tm.prec[q];
	cq = &p->q[q];
	cp->present = 1;
	enter(r, 2, "precisions", pn);
	em = cJSON_GetObjectItemCaseSensitive(pv, "emulated");
	if (em && !cJSON_IsBool(em))
		return bad(r, "emulated", "expected true or false, got %s", type_of(em));
	cp->emulated = cJSON_IsTrue(em);
	if (number(r, pv, "bytes_per_element", MIN_ELEM_BYTES, MAX_ELEM_BYTES, OPTIONAL,
		   gr_estimate_elem_bytes((gr_precision)q), &cp->bytes_per_elem) ||
	    number(r, pv, "llc_bytes", 0, MAX_LLC_BYTES, OPTIONAL, 0, &cp->llc_bytes) ||
	    number(r, pv, "group_tile_n", 0, 65536, OPTIONAL, 0, &cp->group_tile_n) ||
	    string(r, pv, "models", OPTIONAL, cq->models, sizeof(cq->models)) ||
	    batch_range(r, pv, &cq->batch_min, &cq->batch_max) ||
	    object(r, pv, "platform", REQUIRED, &gl) || object(r, pv, "classes", REQUIRED, &cl))
		return -1;
	enter(r, 3, "precisions", pn, "platform");
	if (only_known(r, gl, calib_glob_names, CG_COUNT, platform_key))
		return -1;
	for (int g = 0; g < CG_COUNT; g++)
		if (number(r, gl, calib_glob_names[g], 0, MAX_S_PER_UNIT, REQUIRED, 0, &cp->glob[g]))
			return -1;
	for (size_t i = 0; i < sizeof(platform_numbers) / sizeof(platform_numbers[0]); i++) {
		const struct platform_number *pk = &platform_numbers[i];
		if (number(r, gl, pk->key, 0, pk->hi, OPTIONAL, 0, (double *)((char *)cp + pk->off)))
			return -1;
	}
	/* fits to published figures: absent in older profiles, which estimate as before */
	if (cJSON_GetObjectItemCaseSensitive(gl, "offpath_kernel_factor")) {
		if (number(r, gl, "offpath_kernel_factor", 0, 1, REQUIRED, 1, &cp->offpath_factor))
			return -1;
		cp->has_offpath = 1;
	}
	{
		const cJSON *kg = NULL;
		if (object(r, gl, "kernel_groups", OPTIONAL, &kg))
			return -1;
		if (kg) {
			enter(r, 4, "precisions", pn, "platform", "kernel_groups");
			if (only_known(r, kg, otm_kernel_group_names, OTM_KG_COUNT, NULL))
				return -1;
			for (int k = 0; k < OTM_KG_COUNT; k++)
				if (number(r, kg, otm_kernel_group_names[k], 0, MAX_S_PER_UNIT, REQUIRED, 0,
					   &cp->kernel_group_s[k]))
					return -1;
			cp->has_kernel_groups = 1;
			enter(r, 3, "precisions", pn, "platform");
		}
	}
	if (read_quality(r, pv, pn, cq) || read_energy(r, pv, pn, cp, cq) ||
	    read_energy_published(r, pv, pn, cp, cq))
		return -1;
	cJSON_ArrayForEach(cv, cl) {
		int k = -1;
		for (int c = 0; c < CC_COUNT && k < 0; c++)
			if (!strcmp(cv->string, gr_op_class_name(c)))
				k = c;
		enter(r, 3, "precisions", pn, "classes");
		if (k < 0)
			return bad(r, shown(cv->string, buf, sizeof(buf)), "unknown op class");
		if (seen_cls[k / 32] & (1u << (k % 32)))
			return bad(r, cv->string, "given twice");
		seen_cls[k / 32] |= 1u << (k % 32);
		if (read_class(r, cv, pn, cp->emulated, &cp->cls[k], &cq->cls[k]))
			return -1;
	}
	return 0;
}

gr_status calib_profile_from_json(const cJSON *o, const char *file, gr_profile *p, gr_error *err)
{
	reader r = {file, err, ""};
	const cJSON *fmt = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, "format") : NULL, *precs, *pv;
	unsigned seen = 0;
	int version;

	if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, PROFILE_KIND)) {
		bad(&r, "format", "not a calibration profile (expected \"%s\")", PROFILE_KIND);
		return GR_ERR_FORMAT;
	}
	if (whole(&r, o, "version", INT_MIN, INT_MAX, REQUIRED, 0, &version))
		return GR_ERR_FORMAT;
	if (version < 1 || version > GR_PROFILE_FORMAT_VERSION) {
		bad(&r, "version", "%d is not supported (this build reads 1..%d)", version, GR_PROFILE_FORMAT_VERSION);
		return GR_ERR_FORMAT;
	}
	p->version = version;
	if (string(&r, o, "hardware", REQUIRED, p->tm.hw, sizeof(p->tm.hw)) ||
	    string(&r, o, "mode", NULL_OK, p->tm.mode, sizeof(p->tm.mode)) ||
	    string(&r, o, "runtime", REQUIRED, p->tm.runtime, sizeof(p->tm.runtime)) ||
	    string(&r, o, "created", OPTIONAL, p->created, sizeof(p->created)) ||
	    string(&r, o, "tool", OPTIONAL, p->tool, sizeof(p->tool)) || read_provenance(&r, o, p))
		return GR_ERR_FORMAT;
	r.at[0] = 0;
	if (object(&r, o, "precisions", REQUIRED, &precs))
		return GR_ERR_FORMAT;
	cJSON_ArrayForEach(pv, precs)
		if (read_precision(&r, pv, p, &seen))
			return GR_ERR_FORMAT;
	calib_profile_set_label(p);
	return GR_OK;
}

gr_status gr_profile_load_mem(const void *data, size_t size, const char *name, gr_profile **out, gr_error *err)
{
	cJSON *o;
	gr_profile *p;
	gr_status rc;

	*out = NULL;
	if (!(o = cJSON_ParseWithLength(data, size))) {
		const char *at = cJSON_GetErrorPtr(), *d = data;
		return gr_error_set(err, GR_ERR_FORMAT, "%s: invalid JSON at byte %ld", name,
				    at && at >= d && at <= d + size ? (long)(at - d) : 0L);
	}
	if (!(p = calloc(1, sizeof(*p)))) {
		cJSON_Delete(o);
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	}
	rc = calib_profile_from_json(o, name, p, err);
	cJSON_Delete(o);
	if (rc) {
		free(p);
		return rc;
	}
	*out = p;
	return GR_OK;
}
