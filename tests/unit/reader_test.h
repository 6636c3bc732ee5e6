/* Helpers the reader tests share (test_tflite_reader.c, test_fx_reader.c): loading a file
 * through a frontend's load_mem entry point, comparing inferred shapes with the ones the file
 * declares, and checking that hostile or cut files fail with a message naming the file.
 * Include after <cmocka.h>. A missing fixture or corpus fails the test: it never skips. */
#ifndef GRAPHS_READER_TEST_H
#define GRAPHS_READER_TEST_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/graph_impl.h"
#include "graphs/model.h"

/* A frontend's entry point (gr_tflite_load_mem, gr_fx_load_mem). */
typedef gr_status (*rt_reader)(const unsigned char *data, size_t size, const char *name,
			       gr_graph **out, gr_error *err);

/* Warnings logged since the test reset it (install rt_count_warnings with gr_log_set). */
static int rt_warnings;

static inline void rt_count_warnings(int level, const char *msg, void *user)
{
	(void)msg;
	(void)user;
	rt_warnings += level == 0;
}

static inline int rt_has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

/* The whole file, NUL-terminated (the NUL is not counted in *size). */
static inline unsigned char *rt_slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n > 0 ? (size_t)n + 1 : 1);
	assert_non_null(buf);
	if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)
		fail_msg("cannot read %s", path);
	fclose(f);
	buf[n > 0 ? n : 0] = 0;
	*size = (size_t)n;
	return buf;
}

/* Loads and infers a file through the reader; any failure fails the test. */
static inline gr_graph *rt_load_ok(rt_reader read, const char *path)
{
	size_t n;
	unsigned char *data = rt_slurp(path, &n);
	gr_graph *g = NULL;
	gr_error err = {0};

	if (read(data, n, path, &g, &err) != GR_OK)
		fail_msg("loading %s failed: %s", path, err.msg);
	free(data);
	if (gr_graph_infer(g, &err) != GR_OK)
		fail_msg("inferring %s failed: %s", path, err.msg);
	return g;
}

/* Compares every node output that carries a declared shape with the inferred one. Returns
 * the number of mismatches (printed) and counts the tensors compared. A dim the file
 * declares dynamic (a symbol) may stay unknown. */
static inline size_t rt_compare_declared(const gr_graph *g, const char *file, size_t *checked)
{
	size_t bad = 0;

	*checked = 0;
	for (size_t k = 0; k < g->n_nodes; k++) {
		const gr_node *n = g->nodes[k];
		for (size_t o = 0; o < n->n_out; o++) {
			const gr_tensor *t = n->out[o];
			int same;
			if (!t || t->decl_rank < 0)
				continue;
			(*checked)++;
			same = t->rank == t->decl_rank;
			for (int i = 0; same && i < t->rank; i++)
				same = t->dims[i].value == t->decl_dims[i].value ||
				       (t->decl_dims[i].sym && t->dims[i].value < 0);
			if (!same) {
				char got[128];
				gr_tensor_shape_str(t, got, sizeof(got));
				print_message("%s: tensor '%s' (%s): inferred %s, declared rank %d\n", file,
					      t->name, n->op_type, got, t->decl_rank);
				bad++;
			}
		}
	}
	return bad;
}

/* Fails the test unless data (named name) is refused with *out left NULL and a message
 * "cannot read '...name...': ...". Returns the message. */
static inline const char *rt_expect_refused(rt_reader read, const unsigned char *data,
					    size_t size, const char *name, gr_error *err)
{
	gr_graph *g = (gr_graph *)1;

	if (read(data, size, name, &g, err) == GR_OK)
		fail_msg("%s loaded", name);
	assert_null(g);
	if (strncmp(err->msg, "cannot read '", 13) || !strstr(err->msg, name))
		fail_msg("%s: message does not name the file: %s", name, err->msg);
	return err->msg;
}

/* Every file of dir ending in suffix is refused (rt_expect_refused); check, when given,
 * looks at each message. Returns the number of files. */
static inline size_t rt_expect_dir_refused(rt_reader read, const char *dir, const char *suffix,
					   void (*check)(const char *file, const char *msg))
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		fail_msg("cannot open %s", dir);
	while ((e = readdir(d))) {
		char path[1024];
		size_t size;
		unsigned char *data;
		gr_error err = {0};

		if (!rt_has_suffix(e->d_name, suffix))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		data = rt_slurp(path, &size);
		rt_expect_refused(read, data, size, e->d_name, &err);
		free(data);
		if (check)
			check(e->d_name, err.msg);
		n++;
	}
	closedir(d);
	return n;
}

/* Every prefix of the file (every step bytes) fails with a message naming "cut" (or, when
 * may_load, loads: trailing padding may go). Runs under ASan in the sanitizer build. */
static inline void rt_expect_cuts_refused(rt_reader read, const char *path, size_t step,
					  int may_load)
{
	size_t size;
	unsigned char *data = rt_slurp(path, &size);

	for (size_t cut = 0; cut + 1 < size + (may_load ? 1 : 0); cut += step) {
		unsigned char *copy = malloc(cut ? cut : 1);
		gr_graph *g = NULL;
		gr_error err = {0};

		memcpy(copy, data, cut);
		if (read(copy, cut, "cut", &g, &err) == GR_OK) {
			if (!may_load)
				fail_msg("a prefix of %zu bytes of %s loaded", cut, path);
			gr_graph_free(g);
		} else if (!strstr(err.msg, "'cut'")) {
			fail_msg("prefix of %zu bytes: message does not name the file: %s", cut, err.msg);
		}
		free(copy);
	}
	free(data);
}

/* Replays a fuzz corpus: every file loads (and infers) or fails with a message naming it.
 * Returns the number of files (the corpus must exist and hold some). */
static inline size_t rt_replay_corpus(rt_reader read, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0, ok = 0;

	if (!d)
		fail_msg("cannot open the fuzz corpus %s", dir);
	gr_log_set(rt_count_warnings, NULL);
	while ((e = readdir(d))) {
		char path[1024];
		size_t size;
		unsigned char *data;
		gr_graph *g = NULL;
		gr_error err = {0};

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		data = rt_slurp(path, &size);
		if (read(data, size, e->d_name, &g, &err) == GR_OK) {
			gr_graph_infer(g, &err);
			gr_graph_free(g);
			ok++;
		} else if (!strstr(err.msg, e->d_name)) {
			fail_msg("%s: message does not name the file: %s", e->d_name, err.msg);
		}
		free(data);
		n++;
	}
	closedir(d);
	gr_log_set(NULL, NULL);
	print_message("fuzz corpus %s: %zu files replayed, %zu load\n", dir, n, ok);
	assert_true(n > 0);
	return n;
}

/* gr_model_load detects the format of good (which must load as `format`) and dispatches bad
 * to the same reader, which refuses it naming the file. */
static inline void rt_expect_model_load_dispatches(const char *good, const char *format,
						   const char *bad)
{
	gr_graph *g = NULL;
	gr_error err = {0};

	if (gr_model_load(good, NULL, &g, &err) != GR_OK)
		fail_msg("%s", err.msg);
	assert_string_equal(gr_graph_format(g), format);
	gr_graph_free(g);
	g = NULL;
	assert_int_not_equal(gr_model_load(bad, NULL, &g, &err), GR_OK);
	assert_null(g);
	assert_non_null(strstr(err.msg, strrchr(bad, '/') ? strrchr(bad, '/') + 1 : bad));
}

#endif
