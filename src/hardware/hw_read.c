/* Reading a registry file safely: bounded size, regular files only, and a streaming pre-scan
 * that bounds nesting, node count and aliases before libyaml builds a document tree. */
#include "hardware/hw_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

/* Reads the whole file (bounded) so libyaml never sees an unbounded stream. Only regular
 * files: a FIFO or a device named *.yaml would block or never end. */
unsigned char *gr_hw_read_file(const char *path, size_t *len, gr_hw_sink *sink)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	unsigned char *buf = NULL;
	struct stat sb;
	size_t n = 0, size;

	if (fd < 0) {
		gr_hw_sink_report(sink, GR_HW_ERROR, path, 0, "", "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		gr_hw_sink_report(sink, GR_HW_ERROR, path, 0, "", "not a regular file");
		goto fail;
	}
	if (sb.st_size > GR_HW_MAX_FILE_BYTES) {
		gr_hw_sink_report(sink, GR_HW_ERROR, path, 0, "", "file is larger than %d bytes",
				  GR_HW_MAX_FILE_BYTES);
		goto fail;
	}
	/* one byte more than the limit tells a file that grew since fstat */
	size = (size_t)GR_HW_MAX_FILE_BYTES + 1;
	if (!(buf = malloc(size + 1))) {
		gr_hw_sink_report(sink, GR_HW_ERROR, path, 0, "", "out of memory");
		goto fail;
	}
	while (n < size) {
		ssize_t got = read(fd, buf + n, size - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			gr_hw_sink_report(sink, GR_HW_ERROR, path, 0, "", "read error: %s", strerror(errno));
			goto fail;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > GR_HW_MAX_FILE_BYTES) {
		gr_hw_sink_report(sink, GR_HW_ERROR, path, 0, "", "file is larger than %d bytes",
				  GR_HW_MAX_FILE_BYTES);
		goto fail;
	}
	close(fd);
	buf[n] = 0;
	*len = n;
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

/* Streams the events once before any document tree is built: libyaml's document loader takes
 * time quadratic in the nesting depth, so depth, node count and aliases are bounded here, where
 * the work stops at the first offending event. Returns 0 when the stream may be loaded. */
int gr_hw_prescan(const char *path, const unsigned char *buf, size_t len, gr_hw_sink *sink)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, nodes = 0, rc = 1;

	if (!yaml_parser_initialize(&parser)) {
		gr_hw_sink_report(sink, GR_HW_ERROR, path, 0, "", "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, buf, len);
	while (rc > 0) {
		int line;
		if (!yaml_parser_parse(&parser, &ev)) {
			gr_hw_sink_report(sink, GR_HW_ERROR, path, (int)parser.problem_mark.line + 1, "",
					  "malformed YAML: %s%s%s",
					  parser.problem ? parser.problem : "syntax error",
					  parser.context ? " " : "", parser.context ? parser.context : "");
			rc = -1;
			break;
		}
		line = (int)ev.start_mark.line + 1;
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > GR_HW_MAX_DEPTH) {
				gr_hw_sink_report(sink, GR_HW_ERROR, path, line, "",
						  "lists and mappings nested deeper than %d levels",
						  GR_HW_MAX_DEPTH);
				rc = -1;
			}
			/* fall through */
		case YAML_SCALAR_EVENT:
			if (rc > 0 && ++nodes > GR_HW_MAX_NODES) {
				gr_hw_sink_report(sink, GR_HW_ERROR, path, line, "",
						  "more than %d YAML nodes", GR_HW_MAX_NODES);
				rc = -1;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_ALIAS_EVENT:
			/* registry files have no use for them, and they make the tree a graph */
			gr_hw_sink_report(sink, GR_HW_ERROR, path, line, "",
					  "aliases (*name) are not supported in registry files");
			rc = -1;
			break;
		case YAML_STREAM_END_EVENT:
			rc = 0;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}
