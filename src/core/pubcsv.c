/* Strict parser of one published-measurement CSV line (core/pubcsv.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/pubcsv.h"

const char gr_pub_header[] = "hardware,registry_id,mode,runtime,precision,model,zoo_model,mapping,"
			     "batch,input_shape,metric,value,power_w,source";

static const char *const metric_names[GR_PUB_METRIC_COUNT] = {"latency_ms", "throughput_fps"};

const char *gr_pub_metric_name(int m)
{
	return m >= 0 && m < GR_PUB_METRIC_COUNT ? metric_names[m] : "?";
}

static int parse_double(const char *s, double *out)
{
	char *e;
	if (!*s)
		return 0;
	errno = 0;
	*out = strtod(s, &e);
	return !errno && !*e && isfinite(*out);
}

int gr_pub_parse(char *line, gr_pub_row *r, char *why, size_t why_size)
{
	static const char *const names[GR_PUB_FIELDS] = {
		"hardware", "registry_id", "mode", "runtime", "precision", "model", "zoo_model", "mapping",
		"batch", "input_shape", "metric", "value", "power_w", "source"};
	static const int required[] = {0, 3, 5, 10, 11, 13}; /* precision may be unstated */
	char *f[GR_PUB_FIELDS + 1];
	int n = gr_csv_split(line, f, GR_PUB_FIELDS + 1);

	memset(r, 0, sizeof(*r));
	if (n != GR_PUB_FIELDS) {
		snprintf(why, why_size, n < 0 ? "unterminated quote or more than %d fields" :
			 "expected %d fields, found %d", GR_PUB_FIELDS, n);
		return -1;
	}
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!*f[required[i]]) {
			snprintf(why, why_size, "field %d '%s' is empty", required[i] + 1, names[required[i]]);
			return -1;
		}
	r->hardware = f[0];
	r->registry_id = f[1];
	r->mode = f[2];
	r->runtime = f[3];
	r->precision = f[4];
	r->model = f[5];
	r->zoo_model = f[6];
	r->mapping = f[7];
	r->input_shape = f[9];
	r->source = f[13];
	r->batch = -1;
	if (*f[8]) {
		char *e;
		long long b;
		errno = 0;
		b = strtoll(f[8], &e, 10);
		if (errno || *e || b < 1 || b > 1000000000LL) {
			snprintf(why, why_size, "field 9 'batch': expected a whole number >= 1 or empty, got '%.40s'",
				 f[8]);
			return -1;
		}
		r->batch = b;
	}
	r->metric = -1;
	for (int m = 0; m < GR_PUB_METRIC_COUNT; m++)
		if (!strcmp(f[10], metric_names[m]))
			r->metric = m;
	if (r->metric < 0) {
		snprintf(why, why_size, "field 11 'metric': expected latency_ms or throughput_fps, got '%.40s'",
			 f[10]);
		return -1;
	}
	if (!parse_double(f[11], &r->value) || !(r->value > 0)) {
		snprintf(why, why_size, "field 12 'value': expected a finite number > 0, got '%.40s'", f[11]);
		return -1;
	}
	r->power_w = NAN;
	if (*f[12] && (!parse_double(f[12], &r->power_w) || r->power_w < 0)) {
		snprintf(why, why_size, "field 13 'power_w': expected a number >= 0 or empty, got '%.40s'",
			 f[12]);
		return -1;
	}
	return 0;
}

const char *gr_pub_shape_tail(const char *shape, char *buf, size_t size)
{
	const char *x = shape ? strchr(shape, 'x') : NULL;
	snprintf(buf, size, "%s", x ? x + 1 : "");
	return buf;
}
