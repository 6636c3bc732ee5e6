/* The published-measurement CSV (the CSVs of data/published, docs/calibrate.md "Published
 * measurements"): one row per figure a public benchmark table prints. One strict line parser,
 * shared by calibration (gr_meas_load_csv) and the benchmark store (--import). */
#ifndef GRAPHS_CORE_PUBCSV_H
#define GRAPHS_CORE_PUBCSV_H

#include <stddef.h>
#include <stdint.h>

extern const char gr_pub_header[];

#define GR_PUB_FIELDS 14

typedef enum gr_pub_metric { GR_PUB_LATENCY_MS = 0, GR_PUB_THROUGHPUT_FPS, GR_PUB_METRIC_COUNT } gr_pub_metric;

/* "latency_ms", "throughput_fps"; "?" out of range. */
const char *gr_pub_metric_name(int m);

/* One parsed row; the strings point into the line given to gr_pub_parse. Empty fields are "". */
typedef struct gr_pub_row {
	const char *hardware, *registry_id, *mode, *runtime, *precision, *model, *zoo_model, *mapping;
	const char *input_shape, *source;
	int64_t batch;            /* -1 when the source does not state it (MLPerf Offline) */
	int metric;               /* gr_pub_metric */
	double value;             /* > 0, finite: milliseconds or inferences per second */
	double power_w;           /* NAN when not published */
} gr_pub_row;

/* Splits and checks one data line in place. Returns 0, or -1 with a reason in why ("field 9
 * 'batch': expected a whole number >= 1 or empty, got 'x'"). Checks: 14 fields, hardware,
 * runtime, model, metric and source present (precision may be empty: not stated), batch empty or a whole number >= 1,
 * metric latency_ms or throughput_fps, value a finite number > 0, power_w empty or a finite
 * number >= 0. What the row names (registry ids, runtimes, zoo models) is not checked here. */
int gr_pub_parse(char *line, gr_pub_row *out, char *why, size_t why_size);

/* The spatial/sequence dims of an input_shape ("8x3x224x224" -> "3x224x224", "1x384" -> "384"):
 * everything after the batch. "" when the shape is empty. Writes into buf, returns buf. */
const char *gr_pub_shape_tail(const char *shape, char *buf, size_t size);

#endif
