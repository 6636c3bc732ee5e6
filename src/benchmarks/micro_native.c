/* Native C microbenchmarks: elementwise/activation, reduction/normalization, STREAM-style
 * copy/scale/add/triad bandwidth and pointer-chase latency over working-set sizes, plus the
 * small thread pool they share (so --threads applies to them as to OpenBLAS and oneDNN). */
/* The loops must be vectorized as a tuned library would be, whatever -O level the project
 * builds with (RelWithDebInfo's -O2 uses GCC's very-cheap vectorizer cost model). */
#pragma GCC optimize("O3")

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "benchmarks/bench_impl.h"

/* ------------------------------------------------------------------ pool */

#define POOL_MAX 256

static struct {
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	int n, started;
	unsigned long gen;
	int pending;
	bench_task_fn fn;
	void *ctx;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0,
	    NULL, NULL};

static void *pool_worker(void *arg)
{
	int i = (int)(intptr_t)arg;
	unsigned long seen = 0;
	for (;;) {
		bench_task_fn fn;
		void *ctx;
		int n;
		pthread_mutex_lock(&pool.mu);
		while (pool.gen == seen)
			pthread_cond_wait(&pool.go, &pool.mu);
		seen = pool.gen;
		fn = pool.fn;
		ctx = pool.ctx;
		n = pool.n;
		pthread_mutex_unlock(&pool.mu);
		if (i < n)
			fn(ctx, i, n);
		pthread_mutex_lock(&pool.mu);
		if (--pool.pending == 0)
			pthread_cond_signal(&pool.done);
		pthread_mutex_unlock(&pool.mu);
	}
	return NULL;
}

int bench_pool_size(void)
{
	int n = bench_thread_count();
	return n > POOL_MAX ? POOL_MAX : n;
}

void bench_pool_run(bench_task_fn fn, void *ctx)
{
	int n = bench_pool_size();
	if (n <= 1) {
		fn(ctx, 0, 1);
		return;
	}
	pthread_mutex_lock(&pool.mu);
	while (pool.started < n - 1) { /* workers 1..n-1; grows when --threads grows */
		pthread_t t;
		pthread_attr_t a;
		pthread_attr_init(&a);
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &a, pool_worker, (void *)(intptr_t)(pool.started + 1))) {
			pthread_attr_destroy(&a);
			break;
		}
		pthread_attr_destroy(&a);
		pool.started++;
	}
	if (n > pool.started + 1)
		n = pool.started + 1;
	pool.fn = fn;
	pool.ctx = ctx;
	pool.n = n;
	pool.pending = pool.started;
	pool.gen++;
	pthread_cond_broadcast(&pool.go);
	pthread_mutex_unlock(&pool.mu);
	fn(ctx, 0, n);
	pthread_mutex_lock(&pool.mu);
	while (pool.pending > 0)
		pthread_cond_wait(&pool.done, &pool.mu);
	pthread_mutex_unlock(&pool.mu);
}

float *bench_alloc_floats(size_t n, float value)
{
	float *p = NULL;
	if (posix_memalign((void **)&p, 64, (n ? n : 1) * sizeof(float)))
		return NULL;
	for (size_t i = 0; i < n; i++)
		p[i] = value;
	return p;
}

static void chunk(size_t total, int i, int n, size_t *lo, size_t *hi)
{
	size_t per = (total + (size_t)n - 1) / (size_t)n;
	*lo = per * (size_t)i;
	*hi = *lo + per;
	if (*lo > total)
		*lo = total;
	if (*hi > total)
		*hi = total;
}

/* ------------------------------------------------------------------ elementwise */
/* p[0] = elements; variant relu gelu sigmoid add. */

typedef struct {
	const bench_case *c;
	size_t n;
	float *a, *b, *y;
} vec_state;

static void vec_free(void *st)
{
	vec_state *s = st;
	if (!s)
		return;
	free(s->a);
	free(s->b);
	free(s->y);
	free(s);
}

static gr_status vec_init(const bench_case *c, void **out, gr_error *err)
{
	vec_state *s = calloc(1, sizeof(*s));
	size_t n = (size_t)c->p[0] * (c->p[1] > 0 ? (size_t)c->p[1] : 1);
	if (!s)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	s->c = c;
	s->n = n;
	s->a = bench_alloc_floats(n, 0.5f);
	s->b = bench_alloc_floats(n, 0.25f);
	s->y = bench_alloc_floats(n, 0.0f);
	if (!s->a || !s->b || !s->y) {
		vec_free(s);
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory for %zu floats", n);
	}
	for (size_t i = 0; i < n; i++)
		s->a[i] = (float)((int)(i % 17) - 8) * 0.125f;
	*out = s;
	return GR_OK;
}

static void eltwise_task(void *ctx, int i, int n)
{
	vec_state *s = ctx;
	size_t lo, hi;
	const float *a = s->a, *b = s->b;
	float *y = s->y;
	const char *v = s->c->variant;
	chunk(s->n, i, n, &lo, &hi);
	if (!strcmp(v, "relu"))
		for (size_t j = lo; j < hi; j++)
			y[j] = a[j] > 0 ? a[j] : 0;
	else if (!strcmp(v, "gelu"))
		for (size_t j = lo; j < hi; j++) {
			float x = a[j];
			y[j] = 0.5f * x * (1.0f + tanhf(0.7978845608f * (x + 0.044715f * x * x * x)));
		}
	else if (!strcmp(v, "sigmoid"))
		for (size_t j = lo; j < hi; j++)
			y[j] = 1.0f / (1.0f + expf(-a[j]));
	else
		for (size_t j = lo; j < hi; j++)
			y[j] = a[j] + b[j];
}

static int eltwise_run(void *st)
{
	bench_pool_run(eltwise_task, st);
	return 0;
}

const bench_kernel bench_eltwise_native = {"elementwise", "native", NULL, vec_init, eltwise_run,
					   vec_free};

/* ------------------------------------------------------------------ reduction */
/* variant sum: p[0] = elements. softmax, layernorm: p[0] rows, p[1] cols. */

static volatile float reduce_sink;
static float partial_sums[POOL_MAX];

static void reduce_task(void *ctx, int i, int n)
{
	vec_state *s = ctx;
	const char *v = s->c->variant;
	size_t lo, hi;
	if (!strcmp(v, "sum")) {
		float acc[8] = {0};
		chunk(s->n, i, n, &lo, &hi);
		size_t j = lo;
		for (; j + 8 <= hi; j += 8)
			for (int k = 0; k < 8; k++)
				acc[k] += s->a[j + k];
		for (; j < hi; j++)
			acc[0] += s->a[j];
		partial_sums[i] = acc[0] + acc[1] + acc[2] + acc[3] + acc[4] + acc[5] + acc[6] + acc[7];
		return;
	}
	size_t cols = (size_t)s->c->p[1];
	chunk((size_t)s->c->p[0], i, n, &lo, &hi);
	for (size_t r = lo; r < hi; r++) {
		const float *x = s->a + r * cols;
		float *y = s->y + r * cols;
		if (!strcmp(v, "softmax")) {
			float mx = x[0], sum = 0;
			for (size_t j = 1; j < cols; j++)
				mx = x[j] > mx ? x[j] : mx;
			for (size_t j = 0; j < cols; j++) {
				y[j] = expf(x[j] - mx);
				sum += y[j];
			}
			for (size_t j = 0; j < cols; j++)
				y[j] /= sum;
		} else { /* layernorm with affine weights */
			float mean = 0, var = 0, inv;
			for (size_t j = 0; j < cols; j++)
				mean += x[j];
			mean /= (float)cols;
			for (size_t j = 0; j < cols; j++)
				var += (x[j] - mean) * (x[j] - mean);
			inv = 1.0f / sqrtf(var / (float)cols + 1e-5f);
			for (size_t j = 0; j < cols; j++)
				y[j] = (x[j] - mean) * inv * s->b[j] + s->b[cols - 1 - j];
		}
	}
}

static int reduce_run(void *st)
{
	bench_pool_run(reduce_task, st);
	reduce_sink = partial_sums[0];
	return 0;
}

const bench_kernel bench_reduce_native = {"reduction", "native", NULL, vec_init, reduce_run,
					  vec_free};

/* ------------------------------------------------------------------ STREAM */
/* p[0] = working set in bytes (all arrays together); variant copy scale add triad.
 * Each call repeats the sweep p[1] times so one call moves enough bytes to time. */

typedef struct {
	const bench_case *c;
	size_t n;
	int reps;
	float *a, *b, *cc;
} stream_state;

static void stream_free(void *st)
{
	stream_state *s = st;
	if (!s)
		return;
	free(s->a);
	free(s->b);
	free(s->cc);
	free(s);
}

static int stream_arrays(const char *v)
{
	return !strcmp(v, "add") || !strcmp(v, "triad") ? 3 : 2;
}

static gr_status stream_init(const bench_case *c, void **out, gr_error *err)
{
	stream_state *s = calloc(1, sizeof(*s));
	if (!s)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	s->c = c;
	s->n = (size_t)c->p[0] / (sizeof(float) * (size_t)stream_arrays(c->variant));
	s->reps = c->p[1] > 0 ? (int)c->p[1] : 1;
	s->a = bench_alloc_floats(s->n, 1.0f);
	s->b = bench_alloc_floats(s->n, 2.0f);
	s->cc = bench_alloc_floats(s->n, 0.0f);
	if (!s->a || !s->b || !s->cc) {
		gr_error_set(err, GR_ERR_NOMEM, "out of memory for %zu floats", s->n);
		stream_free(s);
		return GR_ERR_NOMEM;
	}
	*out = s;
	return GR_OK;
}

static void stream_task(void *ctx, int i, int n)
{
	stream_state *s = ctx;
	size_t lo, hi;
	float *a = s->a, *b = s->b, *c = s->cc;
	const float q = 3.0f;
	const char *v = s->c->variant;
	chunk(s->n, i, n, &lo, &hi);
	for (int r = 0; r < s->reps; r++) {
		if (v[0] == 'c')
			memcpy(c + lo, a + lo, (hi - lo) * sizeof(float));
		else if (v[0] == 's')
			for (size_t j = lo; j < hi; j++)
				b[j] = q * c[j];
		else if (v[0] == 'a')
			for (size_t j = lo; j < hi; j++)
				c[j] = a[j] + b[j];
		else
			for (size_t j = lo; j < hi; j++)
				a[j] = b[j] + q * c[j];
		__asm__ __volatile__("" ::: "memory"); /* keep every repetition */
	}
}

static int stream_run(void *st)
{
	bench_pool_run(stream_task, st);
	return 0;
}

const bench_kernel bench_stream_native = {"memory", "native", NULL, stream_init, stream_run,
					  stream_free};

/* ------------------------------------------------------------------ pointer chase */
/* p[0] = working set in bytes, p[1] = dependent loads per call. One pointer per 64-byte
 * line in a random cycle (Sattolo), so prefetchers cannot guess the next line. */

typedef struct {
	void **lines;
	size_t nlines;
	int64_t steps;
	void **pos;
} chase_state;

static volatile void *chase_sink;

static void chase_free(void *st)
{
	chase_state *s = st;
	if (!s)
		return;
	free(s->lines);
	free(s);
}

static gr_status chase_init(const bench_case *c, void **out, gr_error *err)
{
	chase_state *s = calloc(1, sizeof(*s));
	size_t *perm;
	const size_t stride = 64 / sizeof(void *);
	uint64_t rng = 0x9E3779B97F4A7C15ull;
	if (!s)
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory");
	s->nlines = (size_t)c->p[0] / 64;
	if (s->nlines < 2)
		s->nlines = 2;
	s->steps = c->p[1];
	perm = malloc(s->nlines * sizeof(*perm));
	if (posix_memalign((void **)&s->lines, 64, s->nlines * 64) || !perm) {
		free(perm);
		chase_free(s);
		return gr_error_set(err, GR_ERR_NOMEM, "out of memory for the chase buffer");
	}
	for (size_t i = 0; i < s->nlines; i++)
		perm[i] = i;
	for (size_t i = s->nlines - 1; i > 0; i--) { /* Sattolo: one cycle through all lines */
		size_t j;
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		j = (size_t)(rng % i);
		size_t t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (size_t i = 0; i < s->nlines; i++)
		s->lines[i * stride] = &s->lines[perm[i] * stride];
	s->pos = &s->lines[0];
	free(perm);
	*out = s;
	return GR_OK;
}

static int chase_run(void *st)
{
	chase_state *s = st;
	void **p = s->pos;
	for (int64_t i = 0; i < s->steps; i += 4) {
		p = (void **)*p;
		p = (void **)*p;
		p = (void **)*p;
		p = (void **)*p;
	}
	s->pos = p;
	chase_sink = p;
	return 0;
}

const bench_kernel bench_chase_native = {"latency", "native", NULL, chase_init, chase_run,
					 chase_free};
