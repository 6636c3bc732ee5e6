/* Writing a file the user named (--out, --save, a calibration profile) without harming what is
 * there: only a regular, writable file (or a new one) is replaced; the bytes go to a unique
 * temporary file in the same folder that is flushed, fsynced and renamed over the target, and
 * removed on every failure, including a write past `ulimit -f` (SIGXFSZ is ignored meanwhile,
 * so write() fails with EFBIG and is reported) and SIGINT/SIGTERM/SIGHUP arriving while it is
 * open. Usage:
 *
 *     gr_outfile o;
 *     if (gr_outfile_open(&o, path, err)) return ...;
 *     fprintf(o.f, ...);
 *     if (failed) gr_outfile_abort(&o); else if (gr_outfile_commit(&o, err)) return ...;
 */
#ifndef GRAPHS_CORE_OUTFILE_H
#define GRAPHS_CORE_OUTFILE_H

#include <stdio.h>
#include <sys/types.h>

#include "graphs/common.h"

typedef struct gr_outfile {
	FILE *f;        /* write the contents here */
	char path[4096];
	char tmp[4096];
	int slot;       /* entry in the table the signal handler cleans up; -1 when closed */
	int fd;         /* the temporary file's descriptor under f */
	int werr;       /* errno of the first write that failed, 0 if none */
} gr_outfile;

/* GR_OK when path may be written: it does not exist (and its folder does), or it is a
 * regular file with write permission. A symbolic link, folder, FIFO, device, socket or
 * read-only file is refused with GR_ERR_IO and a message naming the path and what it is. */
gr_status gr_outfile_check(const char *path, gr_error *err);

/* Checks path, then creates the temporary file beside it. On failure nothing is left. */
gr_status gr_outfile_open(gr_outfile *o, const char *path, gr_error *err);

/* Flushes, fsyncs and closes the temporary file, checks the target again and renames the
 * temporary file over it. On failure (a write error such as EFBIG or ENOSPC included) the
 * temporary file is removed, the target is untouched, and err names the path and the cause. */
gr_status gr_outfile_commit(gr_outfile *o, gr_error *err);

/* 0 when nothing written to o->f failed so far, else the cause (an errno value, EIO when it
 * cannot be told). Call it before gr_outfile_abort() to report why a writer failed. */
int gr_outfile_error(gr_outfile *o);

/* Closes and removes the temporary file; the target is untouched. Safe after commit. */
void gr_outfile_abort(gr_outfile *o);

#endif
