/* Ground-truth CSV headers, the line splitter shared by the store and calibration, and the
 * field writer. */
#include "core/csv.h"

#include <string.h>

const char gr_gt_models_header[] = "hardware,precision,model,batch,device,thermal,"
				   "total_latency_ms,total_flops,total_bytes,subgraphs,date,source";
const char gr_gt_subgraphs_header[] = "hardware,precision,model,batch,subgraph,pattern,optype,"
				      "flops,bytes,latency_ms,latency_std_ms,nodes";

int gr_csv_split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		char *w;
		if (n == max)
			return -1;
		f[n++] = w = p;
		if (*p == '"') {
			p++;
			for (;;) {
				if (!*p)
					return -1;
				if (*p == '"' && p[1] == '"') {
					*w++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else
					*w++ = *p++;
			}
			if (*p && *p != ',')
				return -1;
		} else {
			while (*p && *p != ',')
				*w++ = *p++;
		}
		if (!*p) {
			*w = 0;
			return n;
		}
		*w = 0;
		p++;
	}
}

void gr_csv_write_field(FILE *out, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}
