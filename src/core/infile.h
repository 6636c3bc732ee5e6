/* Opening a file the user named for reading (measurements, calibration profiles, CSV imports,
 * registry YAML): only a regular file is opened. A FIFO would block without a writer or stream
 * without end, a device never end, a folder fail late with a confusing message; the open itself
 * never blocks. */
#ifndef GRAPHS_CORE_INFILE_H
#define GRAPHS_CORE_INFILE_H

#include <stdio.h>
#include <sys/stat.h>

#include "graphs/common.h"

/* What a file of mode m is when it is not a regular file ("a FIFO", "a folder", ...); NULL for
 * a regular file. */
const char *gr_file_kind(mode_t m);

/* Opens path read-only (blocking reads, close-on-exec) when it is a regular file and returns
 * the descriptor, with its stat in *sb when sb is not NULL. Returns -1 with err saying
 * "cannot read 'PATH': CAUSE" (GR_ERR_IO) otherwise. */
int gr_infile_fd(const char *path, struct stat *sb, gr_error *err);

/* gr_infile_fd as a stdio stream ("rb"); NULL with err set on failure. */
FILE *gr_infile_open(const char *path, gr_error *err);

#endif
