/* core/outfile: what may be replaced, the temporary file beside the target, permissions, a
 * write past RLIMIT_FSIZE reported as EFBIG, and no temporary file left by SIGTERM / SIGINT
 * arriving while the file is open (children are forked so the test process survives). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/outfile.h"

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/graphs_test_outfile.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[700];
	(void)state;
	snprintf(cmd, sizeof(cmd), "chmod -R u+w '%s'; rm -rf '%s'", dir, dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *at(const char *name)
{
	static char p[4][400];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static const char *read_text(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;
	buf[0] = 0;
	if (!f)
		return "(missing)";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* The names in dir, sorted, space-separated. */
static const char *listing(void)
{
	static char buf[1024];
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	buf[0] = 0;
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", *buf ? " " : "",
				 names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return buf;
}

static void expect_refused(const char *path, const char *words)
{
	gr_outfile o;
	gr_error err;
	memset(&err, 0, sizeof(err));
	assert_int_equal(gr_outfile_open(&o, path, &err), GR_ERR_IO);
	assert_null(o.f);
	if (!strstr(err.msg, words) || !strstr(err.msg, path)) {
		print_error("expected '%s' and the path in: %s\n", words, err.msg);
		fail();
	}
}

static void writes_a_new_file_and_replaces_a_regular_one_keeping_its_mode(void **state)
{
	gr_outfile o;
	gr_error err;
	struct stat sb;
	mode_t um = umask(022);
	(void)state;

	assert_int_equal(gr_outfile_open(&o, at("new.txt"), &err), GR_OK);
	fputs("first", o.f);
	fflush(o.f);
	assert_non_null(strstr(listing(), ".new.txt."));
	assert_int_not_equal(access(at("new.txt"), F_OK), 0);
	assert_int_equal(gr_outfile_commit(&o, &err), GR_OK);
	assert_string_equal(read_text(at("new.txt")), "first");
	assert_int_equal(stat(at("new.txt"), &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);

	assert_int_equal(chmod(at("new.txt"), 0600), 0);
	assert_int_equal(gr_outfile_open(&o, at("new.txt"), &err), GR_OK);
	fputs("second", o.f);
	assert_int_equal(gr_outfile_commit(&o, &err), GR_OK);
	assert_string_equal(read_text(at("new.txt")), "second");
	assert_int_equal(stat(at("new.txt"), &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_string_equal(listing(), "new.txt");
	umask(um);
}

static void the_temporary_file_lies_beside_the_target_until_commit(void **state)
{
	gr_outfile o;
	gr_error err;
	(void)state;

	write_text(at("t.txt"), "old");
	assert_int_equal(gr_outfile_open(&o, at("t.txt"), &err), GR_OK);
	fputs("new", o.f);
	fflush(o.f);
	assert_non_null(strstr(listing(), ".t.txt."));
	assert_string_equal(read_text(at("t.txt")), "old");
	gr_outfile_abort(&o);
	assert_string_equal(listing(), "t.txt");
	assert_string_equal(read_text(at("t.txt")), "old");
}

static void refuses_links_fifos_devices_folders_and_read_only_files(void **state)
{
	gr_error err;
	(void)state;

	write_text(at("target"), "keep");
	assert_int_equal(symlink("target", at("link")), 0);
	assert_int_equal(mkfifo(at("fifo"), 0644), 0);
	assert_int_equal(mkdir(at("folder"), 0755), 0);
	write_text(at("ro"), "keep");
	assert_int_equal(chmod(at("ro"), 0444), 0);
	expect_refused(at("link"), "symbolic link");
	expect_refused(at("fifo"), "a FIFO");
	expect_refused(at("folder"), "a folder");
	expect_refused(at("ro"), "read-only");
	expect_refused(at("no/such/folder/x"), "does not exist");
	/* the check never creates anything, so /dev/null itself is safe to name */
	assert_int_equal(gr_outfile_check("/dev/null", &err), GR_ERR_IO);
	assert_non_null(strstr(err.msg, "character device"));
	assert_string_equal(read_text(at("target")), "keep");
	assert_string_equal(read_text(at("ro")), "keep");
	assert_string_equal(listing(), "fifo folder link ro target");
}

/* In a child: writes 64 KiB under a 4 KiB RLIMIT_FSIZE; exits 0 when commit failed with
 * EFBIG's message, SIGXFSZ did not kill it, and its disposition was restored. */
static int child_past_fsize_limit(const char *path)
{
	struct rlimit rl = {4096, 4096};
	struct sigaction sa;
	gr_outfile o;
	gr_error err;
	char block[1024];

	memset(block, 'x', sizeof(block));
	if (setrlimit(RLIMIT_FSIZE, &rl) || gr_outfile_open(&o, path, &err))
		return 10;
	for (int i = 0; i < 64; i++)
		fwrite(block, 1, sizeof(block), o.f);
	if (gr_outfile_commit(&o, &err) != GR_ERR_IO || !strstr(err.msg, strerror(EFBIG)))
		return 11;
	if (sigaction(SIGXFSZ, NULL, &sa) || sa.sa_handler != SIG_DFL)
		return 12;
	return 0;
}

static void a_write_past_ulimit_f_fails_with_efbig_and_leaves_nothing(void **state)
{
	int status;
	pid_t pid;
	(void)state;

	write_text(at("big.txt"), "old");
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_past_fsize_limit(at("big.txt")));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(read_text(at("big.txt")), "old");
	assert_string_equal(listing(), "big.txt");
}

/* A child that opens the file, writes, and gets sig before it commits. */
static void expect_signal_cleans_up(int sig)
{
	int status;
	pid_t pid;

	write_text(at("s.txt"), "old");
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		gr_outfile o;
		gr_error err;
		if (gr_outfile_open(&o, at("s.txt"), &err))
			_exit(10);
		fputs("half a report", o.f);
		fflush(o.f);
		raise(sig);
		_exit(11); /* not reached: the signal ends the process */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), sig);
	assert_string_equal(read_text(at("s.txt")), "old");
	assert_string_equal(listing(), "s.txt");
}

static void sigterm_while_writing_leaves_no_temporary_file(void **state)
{
	(void)state;
	expect_signal_cleans_up(SIGTERM);
}

static void sigint_while_writing_leaves_no_temporary_file(void **state)
{
	(void)state;
	expect_signal_cleans_up(SIGINT);
}

static volatile sig_atomic_t got;
static void note_signal(int sig)
{
	got = sig;
}

/* A program with its own SIGINT handler keeps it: the handler runs, the process goes on, and
 * the handler is in place again after the file is closed. */
static void a_programs_own_handler_is_called_and_restored(void **state)
{
	struct sigaction sa, cur;
	gr_outfile o;
	gr_error err;
	(void)state;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = note_signal;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGINT, &sa, NULL), 0);
	got = 0;
	assert_int_equal(gr_outfile_open(&o, at("h.txt"), &err), GR_OK);
	raise(SIGINT);
	assert_int_equal(got, SIGINT);
	fputs("whole", o.f);
	assert_int_equal(gr_outfile_commit(&o, &err), GR_OK);
	assert_string_equal(read_text(at("h.txt")), "whole");
	assert_int_equal(sigaction(SIGINT, NULL, &cur), 0);
	assert_true(cur.sa_handler == note_signal);
	signal(SIGINT, SIG_DFL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(writes_a_new_file_and_replaces_a_regular_one_keeping_its_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(the_temporary_file_lies_beside_the_target_until_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_links_fifos_devices_folders_and_read_only_files, setup, teardown),
		cmocka_unit_test_setup_teardown(a_write_past_ulimit_f_fails_with_efbig_and_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(sigterm_while_writing_leaves_no_temporary_file, setup, teardown),
		cmocka_unit_test_setup_teardown(sigint_while_writing_leaves_no_temporary_file, setup, teardown),
		cmocka_unit_test_setup_teardown(a_programs_own_handler_is_called_and_restored, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
