/* The streaming JSON writer (src/cli/json_stream.c) against cJSON_Print of the same tree:
 * keys that need escapes, keys around the in-place path's 64-byte limit, nesting past its
 * 16 levels, and enough members to cross the write buffer's boundary many times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "cli/json_stream.h"

/* cJSON_Print of tree, then the same tree through cli_jw_cjson: equal bytes (plus the
 * newline cli_jw_finish ends with). */
static void assert_same_as_cjson(const cJSON *tree)
{
	/* static: GCC -O2 takes the address handed to open_memstream for a dangling local */
	static char *buf;
	static size_t len;
	char *want = cJSON_Print(tree);
	cli_jw w;
	FILE *f;

	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_non_null(want);
	cli_jw_init(&w, f);
	cli_jw_cjson(&w, NULL, tree);
	cli_jw_finish(&w);
	fclose(f);
	assert_int_equal(len, strlen(want) + 1);
	assert_memory_equal(buf, want, strlen(want));
	assert_int_equal(buf[len - 1], '\n');
	free(buf);
	free(want);
}

static void keys_with_escapes_and_long_keys(void **state)
{
	static const char *const keys[] = {"", "a", "quote\"d", "back\\slash", "tab\tkey",
					   "line\nbreak", "\x01" "ctl", "utf8 \xc3\xa9"};
	cJSON *o = cJSON_CreateObject();
	char k[80];

	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		cJSON_AddNumberToObject(o, keys[i], (double)i);
	/* 63, 64 and 65 bytes: the last is past the in-place path */
	for (size_t n = 63; n <= 65; n++) {
		memset(k, 'k', n);
		k[n] = '\0';
		cJSON_AddStringToObject(o, k, "v");
	}
	memset(k, 'q', 64);
	k[60] = '"';
	k[64] = '\0';
	cJSON_AddTrueToObject(o, k);
	/* keys of 1 to 20 bytes with a byte to escape at each place (the in-place path reads
	 * them a word at a time: bytes, two 4-byte words, 8-byte words overlapping at the end),
	 * and bytes from 0x80 up, which need none */
	for (size_t n = 1; n <= 20; n++)
		for (size_t at = 0; at < n; at++)
			for (int e = 0; e < 4; e++) {
				static const char esc[] = {'"', '\\', '\x1f', '\xff'};
				memset(k, 'a' + (int)(n % 26), n);
				k[at] = esc[e];
				snprintf(k + n, sizeof(k) - n, "%zu", at); /* keys differ */
				cJSON_AddFalseToObject(o, k);
			}
	/* string values of 1 to 40 bytes the same way (scanned 16, then 8 bytes at a time) */
	for (size_t n = 1; n <= 40; n++)
		for (size_t at = 0; at < n; at++)
			for (int e = 0; e < 4; e++) {
				static const char esc[] = {'"', '\\', '\x1f', '\xff'};
				memset(k, 'a' + (int)(n % 26), n);
				k[at] = esc[e];
				k[n] = '\0';
				cJSON_AddStringToObject(o, "v", k);
			}
	assert_same_as_cjson(o);
	cJSON_Delete(o);
}

static void deep_nesting_and_buffer_boundaries(void **state)
{
	cJSON *root = cJSON_CreateObject(), *o = root;
	char k[32];

	(void)state;
	for (int d = 0; d < 24; d++) {
		cJSON *in = cJSON_CreateObject();
		snprintf(k, sizeof(k), "level%d", d);
		cJSON_AddNumberToObject(o, "x", d);
		cJSON_AddItemToObject(o, k, in);
		o = in;
	}
	cJSON_AddStringToObject(o, "deepest", "yes");
	/* about 400 KiB of members: the buffer (64 KiB) fills at many offsets of a key */
	o = cJSON_CreateObject();
	for (int i = 0; i < 20000; i++) {
		snprintf(k, sizeof(k), "member_%d%s", i, i % 7 ? "" : "\"q");
		cJSON_AddNumberToObject(o, k, i);
	}
	cJSON_AddItemToObject(root, "many", o);
	assert_same_as_cjson(root);
	cJSON_Delete(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys_with_escapes_and_long_keys),
		cmocka_unit_test(deep_nesting_and_buffer_boundaries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
