/* Energy per inference fitted from published power (MLPerf power runs, vendor FPS/W):
 * one scale on the estimate's energy per (platform, runtime, precision) group, bounded by
 * what the hardware can draw, with its leave-one-model-out error (docs/calibrate.md,
 * "Energy from published power"). */
#ifndef GRAPHS_ENERGY_FIT_H
#define GRAPHS_ENERGY_FIT_H

#include <stddef.h>
#include <stdint.h>

#include "graphs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One published figure with power, and the estimate for the same model, batch and platform.
 * The estimate's energy must be of the scope the source measures: system energy for wall
 * power (MLPerf), device energy for a device's own power (nvidia-smi, a module rail). */
typedef struct gr_energy_row {
	const char *model;       /* rows of one model are left out together */
	int64_t batch;           /* inferences per request (latency rows) */
	int is_throughput;       /* 1: value is inferences/s (steady state); 0: ms per request */
	double value;
	double power_w;          /* published average power during the run */
	double est_latency_s;    /* estimated latency of one request of batch */
	double est_throughput;   /* estimated inferences/s at that batch */
	double est_energy_j;     /* estimated energy of one request, of the source's scope */
	double floor_w, ceil_w;  /* average power the scope can draw: idle .. full budget (0: none) */
} gr_energy_row;

typedef struct gr_energy_fit {
	double scale;            /* fitted factor on the estimate's energy per inference */
	double scale_lo, scale_hi; /* the range the bounds allow (0, INFINITY without bounds) */
	int clamped;             /* the free fit lay outside the bounds */
	int bounds_conflict;     /* the rows' bounds do not overlap (scale_lo > scale_hi) */
	size_t rows, models;
	double mape_theory;      /* % error of energy per inference with the estimate as is */
	double mape_fit;         /* % error with the fitted scale (in-sample) */
	double mape_lomo;        /* leave-one-model-out %; NAN with fewer than 2 models */
	double mape_loro;        /* leave-one-row-out %; NAN with fewer than 2 rows */
} gr_energy_fit;

/* Measured energy per inference of a row in joules: power / throughput, or power x latency
 * / batch. NAN when the row lacks what it needs. */
double gr_energy_row_measured_j(const gr_energy_row *r);
/* The estimate's energy per inference: its average power over the request, divided by its
 * throughput (which is latency/batch when requests do not overlap). */
double gr_energy_row_estimated_j(const gr_energy_row *r);

/* Fits the scale (geometric mean of measured/estimated energy, which minimises the squared
 * log error), clamps it into the bounds every row allows, and reports the errors. Fails with
 * GR_ERR_USAGE on no usable row (zero or non-finite power, value or estimate). */
gr_status gr_energy_fit_rows(const gr_energy_row *rows, size_t n, gr_energy_fit *out, gr_error *err);

#ifdef __cplusplus
}
#endif
#endif
