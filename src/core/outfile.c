/* Safe replacement of user-named output files (see outfile.h). */
#define _GNU_SOURCE /* fopencookie: the stream records the errno of a failed write */
#include "core/outfile.h"
#include "core/infile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_OPEN = 8, N_SIGS = 3 };

/* Signals whose default action ends the process: the handler removes every temporary file
 * still open, then lets the signal do what it would have done. */
static const int fatal_sigs[N_SIGS] = {SIGINT, SIGTERM, SIGHUP};

static char pending[MAX_OPEN][4096];
static volatile sig_atomic_t pending_used[MAX_OPEN];
static int n_open;
static int installed[N_SIGS];
static struct sigaction old_act[N_SIGS], old_xfsz;

static void on_signal(int sig, siginfo_t *info, void *ctx)
{
	int saved = errno, k, i;

	for (k = 0; k < N_SIGS && fatal_sigs[k] != sig; k++)
		;
	if (k == N_SIGS)
		return;
	/* the program's own handler decides (it may stop cleanly and abort the file itself) */
	if (old_act[k].sa_flags & SA_SIGINFO) {
		old_act[k].sa_sigaction(sig, info, ctx);
	} else if (old_act[k].sa_handler != SIG_DFL && old_act[k].sa_handler != SIG_IGN) {
		old_act[k].sa_handler(sig);
	} else {
		for (i = 0; i < MAX_OPEN; i++)
			if (pending_used[i])
				unlink(pending[i]);
		/* the signal is blocked while this runs: it is delivered again, with the default
		 * action, as soon as the handler returns */
		sigaction(sig, &old_act[k], NULL);
		raise(sig);
	}
	errno = saved;
}

static void block_signals(sigset_t *old)
{
	sigset_t set;
	int k;
	sigemptyset(&set);
	for (k = 0; k < N_SIGS; k++)
		sigaddset(&set, fatal_sigs[k]);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void install_handlers(void)
{
	struct sigaction sa, ign;
	int k;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (k = 0; k < N_SIGS; k++)
		sigaddset(&sa.sa_mask, fatal_sigs[k]);
	for (k = 0; k < N_SIGS; k++) {
		installed[k] = 0;
		if (sigaction(fatal_sigs[k], NULL, &old_act[k]))
			continue;
		if (!(old_act[k].sa_flags & SA_SIGINFO) && old_act[k].sa_handler == SIG_IGN)
			continue;
		installed[k] = !sigaction(fatal_sigs[k], &sa, NULL);
	}
	/* past `ulimit -f`, write() then fails with EFBIG instead of the process being killed */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGXFSZ, &ign, &old_xfsz);
}

static void restore_handlers(void)
{
	struct sigaction cur;
	int k;

	for (k = 0; k < N_SIGS; k++) {
		/* leave alone a handler the program set since */
		if (installed[k] && !sigaction(fatal_sigs[k], NULL, &cur) &&
		    (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_signal)
			sigaction(fatal_sigs[k], &old_act[k], NULL);
		installed[k] = 0;
	}
	sigaction(SIGXFSZ, &old_xfsz, NULL);
}

static void release(gr_outfile *o, int remove_tmp)
{
	sigset_t old;

	if (o->slot < 0)
		return;
	block_signals(&old);
	if (remove_tmp)
		unlink(o->tmp);
	pending_used[o->slot] = 0;
	o->slot = -1;
	if (--n_open == 0)
		restore_handlers();
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* The folder part of path ("." when there is none). */
static void dir_of(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t len;

	if (!slash) {
		snprintf(buf, size, ".");
		return;
	}
	len = slash == path ? 1 : (size_t)(slash - path);
	if (len >= size)
		len = size - 1;
	memcpy(buf, path, len);
	buf[len] = 0;
}

gr_status gr_outfile_check(const char *path, gr_error *err)
{
	struct stat sb;
	char dir[4096];
	const char *kind;

	if (!path || !*path)
		return gr_error_set(err, GR_ERR_USAGE, "no output file name");
	if (strlen(path) >= sizeof(((gr_outfile *)0)->path) - 32)
		return gr_error_set(err, GR_ERR_USAGE, "output file name too long: '%.80s...'", path);
	if (lstat(path, &sb)) {
		if (errno != ENOENT)
			return gr_error_set(err, GR_ERR_IO, "cannot write '%s': %s", path,
					    strerror(errno));
		dir_of(path, dir, sizeof(dir));
		if (stat(dir, &sb) || !S_ISDIR(sb.st_mode))
			return gr_error_set(err, GR_ERR_IO, "cannot write '%s': folder '%s' does not exist",
					    path, dir);
		return GR_OK;
	}
	if ((kind = gr_file_kind(sb.st_mode)))
		return gr_error_set(err, GR_ERR_IO,
				    "cannot write '%s': it is %s, not a regular file; not replacing it "
				    "(name a new file, or write to standard output)",
				    path, kind);
	/* the mode bits too: root may write anywhere, but a file marked read-only is meant to stay */
	if (!(sb.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) || access(path, W_OK))
		return gr_error_set(err, GR_ERR_IO, "cannot write '%s': the file is read-only; not "
				    "replacing it", path);
	return GR_OK;
}

/* The stream's writes: the first failure's errno is kept for the message (stdio's own
 * error flag does not say why). */
static ssize_t cookie_write(void *cookie, const char *buf, size_t n)
{
	gr_outfile *o = cookie;
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(o->fd, buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (!o->werr)
				o->werr = w < 0 ? errno : EIO;
			return -1;
		}
		done += (size_t)w;
	}
	return (ssize_t)n;
}

static int cookie_close(void *cookie)
{
	gr_outfile *o = cookie;
	int rc = close(o->fd);
	o->fd = -1;
	return rc;
}

gr_status gr_outfile_open(gr_outfile *o, const char *path, gr_error *err)
{
	static const cookie_io_functions_t io = {NULL, cookie_write, NULL, cookie_close};
	char dir[4096];
	const char *base;
	struct stat sb;
	sigset_t old;
	mode_t mode;
	int fd, slot, e;
	gr_status st;

	memset(o, 0, sizeof(*o));
	o->slot = -1;
	o->fd = -1;
	if ((st = gr_outfile_check(path, err)))
		return st;
	snprintf(o->path, sizeof(o->path), "%s", path);
	dir_of(path, dir, sizeof(dir));
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if ((size_t)snprintf(o->tmp, sizeof(o->tmp), "%s/.%s.XXXXXX", dir, base) >= sizeof(o->tmp))
		return gr_error_set(err, GR_ERR_USAGE, "output file name too long: '%.80s...'", path);
	/* an existing file keeps its permissions; a new one gets what fopen would give it */
	if (!stat(path, &sb)) {
		mode = sb.st_mode & 07777;
	} else {
		mode_t um = umask(0);
		umask(um);
		mode = 0666 & ~um;
	}

	block_signals(&old);
	for (slot = 0; slot < MAX_OPEN && pending_used[slot]; slot++)
		;
	if (slot == MAX_OPEN) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return gr_error_set(err, GR_ERR_LIMIT, "cannot write '%s': too many files open at once",
				    path);
	}
	if (n_open++ == 0)
		install_handlers();
	fd = mkstemp(o->tmp);
	e = errno;
	if (fd >= 0) {
		memcpy(pending[slot], o->tmp, sizeof(pending[slot]));
		pending_used[slot] = 1;
		o->slot = slot;
	} else if (--n_open == 0) {
		restore_handlers();
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (fd < 0)
		return gr_error_set(err, GR_ERR_IO, "cannot write '%s': cannot create a temporary "
				    "file in '%s': %s", path, dir, strerror(e));
	o->fd = fd;
	if (fchmod(fd, mode) || !(o->f = fopencookie(o, "w", io))) {
		e = errno;
		close(fd);
		o->fd = -1;
		release(o, 1);
		return gr_error_set(err, GR_ERR_IO, "cannot write '%s': %s", path, strerror(e));
	}
	return GR_OK;
}

/* After the rename, so that the new name survives a power cut; best effort. */
static void sync_dir(const char *path)
{
	char dir[4096];
	int fd;

	dir_of(path, dir, sizeof(dir));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int gr_outfile_error(gr_outfile *o)
{
	if (!o->f)
		return EBADF;
	if (o->werr)
		return o->werr;
	return ferror(o->f) ? EIO : 0;
}

gr_status gr_outfile_commit(gr_outfile *o, gr_error *err)
{
	gr_status st;
	int e = 0;

	if (!o->f || o->slot < 0)
		return gr_error_set(err, GR_ERR_USAGE, "gr_outfile_commit: the file is not open");
	errno = 0;
	if (ferror(o->f))
		e = gr_outfile_error(o);
	else if (fflush(o->f))
		e = o->werr ? o->werr : errno ? errno : EIO;
	else if (fsync(o->fd))
		e = errno;
	if (fclose(o->f) && !e)
		e = errno ? errno : EIO;
	o->f = NULL;
	if (e) {
		release(o, 1);
		return gr_error_set(err, GR_ERR_IO, "cannot write '%s': %s", o->path, strerror(e));
	}
	/* the target may have changed since it was checked */
	if ((st = gr_outfile_check(o->path, err))) {
		release(o, 1);
		return st;
	}
	if (rename(o->tmp, o->path)) {
		e = errno;
		release(o, 1);
		return gr_error_set(err, GR_ERR_IO, "cannot write '%s': %s", o->path, strerror(e));
	}
	release(o, 0);
	sync_dir(o->path);
	return GR_OK;
}

void gr_outfile_abort(gr_outfile *o)
{
	if (o->f) {
		fclose(o->f);
		o->f = NULL;
	}
	release(o, 1);
}
