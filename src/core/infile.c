/* Opening user-named input files: regular files only (see infile.h). */
#include "core/infile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

const char *gr_file_kind(mode_t m)
{
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISDIR(m))
		return "a folder";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return S_ISREG(m) ? NULL : "not a regular file";
}

int gr_infile_fd(const char *path, struct stat *sb, gr_error *err)
{
	struct stat own;
	const char *kind;
	int fd, fl;

	if (!sb)
		sb = &own;
	/* O_NONBLOCK: opening a FIFO without a writer would otherwise wait for one */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		gr_error_set(err, GR_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, sb)) {
		gr_error_set(err, GR_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
		goto fail;
	}
	if ((kind = gr_file_kind(sb->st_mode))) {
		gr_error_set(err, GR_ERR_IO, "cannot read '%s': it is %s, not a regular file", path,
			     kind);
		goto fail;
	}
	if ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		gr_error_set(err, GR_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

FILE *gr_infile_open(const char *path, gr_error *err)
{
	int fd = gr_infile_fd(path, NULL, err);
	FILE *f;

	if (fd < 0)
		return NULL;
	if (!(f = fdopen(fd, "rb"))) {
		gr_error_set(err, GR_ERR_NOMEM, "cannot read '%s': %s", path, strerror(errno));
		close(fd);
	}
	return f;
}
