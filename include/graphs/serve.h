/* Dynamic batching under Poisson arrivals (graphs serve, docs/serve.md): a server that runs
 * one batch at a time, batch b taking service_s[b-1], and a batcher that starts a batch when
 * max_batch requests wait or the oldest has waited timeout_s (the policy of Triton's dynamic
 * batcher and TorchServe's batch_delay). Two answers: a numerical one without random numbers
 * (gr_serve_analytic) and a seeded discrete-event simulation (gr_serve_simulate). */
#ifndef GRAPHS_SERVE_H
#define GRAPHS_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "graphs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GR_SERVE_MAX_BATCH 1024
/* Largest max_batch the analytic answer handles (its state space grows as max_batch^2). */
#define GR_SERVE_ANALYTIC_MAX_BATCH 128

typedef struct gr_serve_params {
	double rate;              /* Poisson arrivals, requests per second, > 0 */
	int max_batch;            /* 1..GR_SERVE_MAX_BATCH */
	double timeout_s;         /* >= 0; 0: start as soon as the server is free */
	const double *service_s;  /* service_s[b-1]: time to run a batch of b, b = 1..max_batch,
				   * borrowed; each > 0 and finite */
} gr_serve_params;

typedef struct gr_serve_result {
	double throughput_per_s;  /* requests served per second (= rate when stable) */
	double mean_s, p50_s, p99_s; /* latency: arrival to the end of its batch */
	double utilization;       /* share of time the server runs a batch */
	double mean_batch;        /* requests per batch */
	double full_share;        /* share of batches that are full (max_batch) */
	double capacity_per_s;    /* the most the server can serve: max over b of b / service_s[b-1] */
	double tail_mass;         /* analytic: probability mass cut off by its truncation (0 in a
				   * simulation); a figure above 1e-4 is noted by the CLI */
	double carry_share;       /* share of batches that leave requests waiting behind them */
	int exact;                /* analytic: 1 when the closed form applies (max_batch 1: M/D/1) */
	size_t requests;          /* simulation: requests measured (after the warm-up) */
	size_t iterations;        /* analytic: power iterations to the stationary distribution */
} gr_serve_result;

/* max over b of b / service_s[b-1]: arrivals at or above it make the queue grow without end. */
double gr_serve_capacity(const gr_serve_params *p);

/* Checks p: GR_ERR_USAGE with a message naming the bad field. */
gr_status gr_serve_check(const gr_serve_params *p, gr_error *err);

/* The numerical answer: the stationary law of a Markov chain embedded at batch completions, its
 * state the number of requests waiting and the age of the oldest (on a grid), with transition
 * probabilities in closed form from the Poisson law; then each request's latency from the batch
 * that takes it (order statistics of Poisson arrival times, Erlang fill times), integrated by
 * quadrature into a histogram. One assumption, documented in docs/serve.md: the requests behind
 * the oldest are uniform over its age. max_batch 1 is M/D/1, answered in closed form.
 * Fails with GR_ERR_LIMIT when rate >= capacity (the queue has no steady state) and
 * GR_ERR_UNSUPPORTED when max_batch > GR_SERVE_ANALYTIC_MAX_BATCH. */
gr_status gr_serve_analytic(const gr_serve_params *p, gr_serve_result *out, gr_error *err);

/* Discrete-event simulation of `requests` arrivals (the first tenth is warm-up, not
 * measured), from a xorshift64* generator seeded with seed: the same seed gives the same
 * figures on every machine. GR_ERR_LIMIT when rate >= capacity. */
gr_status gr_serve_simulate(const gr_serve_params *p, uint64_t seed, size_t requests, gr_serve_result *out,
			    gr_error *err);

#ifdef __cplusplus
}
#endif
#endif
