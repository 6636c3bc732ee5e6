/* The validation dashboard: web/dashboard.html with the vendored Vega, Vega-Lite and
 * vega-embed builds and the report's JSON inlined, giving one HTML file that renders its
 * charts without network access. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "graphs/validate.h"
#include "graphs/version.h"
#include "validation/validate_impl.h"


enum { MAX_WEB_FILE = 16 << 20 };

const char *gr_val_web_dir(void)
{
	const char *e = getenv("GRAPHS_WEB_DIR");
	static char dir[4200];
	if (e && *e)
		return e;
	snprintf(dir, sizeof(dir), "%s/web", gr_data_dir());
	return dir;
}

/* Reads dir/name whole; *out is malloc'ed and NUL-terminated. */
static gr_status slurp(const char *dir, const char *name, char **out, size_t *len, gr_error *err)
{
	char path[4096];
	FILE *f;
	char *buf = NULL;
	long sz;

	*out = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return gr_error_set(err, GR_ERR_USAGE, "dashboard: path too long: '%s/%s'", dir, name);
	if (!(f = fopen(path, "rb")))
		return gr_error_set(err, GR_ERR_IO, "cannot read '%s' (the dashboard template and chart "
				    "library; set GRAPHS_WEB_DIR to the project's web/ folder)", path);
	if (fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 || sz > MAX_WEB_FILE || fseek(f, 0, SEEK_SET))
		goto bad;
	if (!(buf = malloc((size_t)sz + 1))) {
		fclose(f);
		return gr_error_set(err, GR_ERR_NOMEM, "cannot read '%s': out of memory", path);
	}
	if (fread(buf, 1, (size_t)sz, f) != (size_t)sz)
		goto bad;
	fclose(f);
	buf[sz] = 0;
	if (strlen(buf) != (size_t)sz) {
		free(buf);
		return gr_error_set(err, GR_ERR_FORMAT, "cannot use '%s': it holds NUL bytes", path);
	}
	*out = buf;
	*len = (size_t)sz;
	return GR_OK;
bad:
	free(buf);
	fclose(f);
	return gr_error_set(err, GR_ERR_IO, "cannot read '%s' (unreadable or over %d MiB)", path,
			    MAX_WEB_FILE >> 20);
}

/* A script body may hold anything except "</script" (any case): that ends the element. */
static const char *find_script_end(const char *s)
{
	for (const char *p = strchr(s, '<'); p; p = strchr(p + 1, '<'))
		if (!strncasecmp(p, "</script", 8))
			return p;
	return NULL;
}

/* Writes JSON with '<', '>' and '&' as \u escapes: they only occur inside strings, where the
 * escape means the same, and no "</script" or "<!--" can end or confuse the element. */
static void write_json_for_script(const char *json, FILE *out)
{
	for (const char *p = json; *p; p++) {
		switch (*p) {
		case '<':
			fputs("\\u003c", out);
			break;
		case '>':
			fputs("\\u003e", out);
			break;
		case '&':
			fputs("\\u0026", out);
			break;
		default:
			fputc(*p, out);
		}
	}
}

gr_status gr_web_page_write(const char *web_dir, const char *page, const char *json, FILE *out,
			    gr_error *err)
{
	static const struct {
		const char *marker, *file;
	} libs[] = {
		{"/*@GRAPHS_VEGA@*/", "vendor/vega.min.js"},
		{"/*@GRAPHS_VEGA_LITE@*/", "vendor/vega-lite.min.js"},
		{"/*@GRAPHS_VEGA_EMBED@*/", "vendor/vega-embed.min.js"},
	};
	enum { NLIBS = sizeof(libs) / sizeof(libs[0]) };
	static const char data_marker[] = "/*@GRAPHS_DATA@*/";
	char *tpl = NULL, *lib[NLIBS] = {0};
	size_t len;
	gr_status st;
	const char *p;

	if (!out)
		return gr_error_set(err, GR_ERR_USAGE, "dashboard: no output given");
	if (!web_dir)
		web_dir = gr_val_web_dir();
	if ((st = slurp(web_dir, page, &tpl, &len, err)))
		goto fail;
	for (int i = 0; i < NLIBS; i++) {
		if ((st = slurp(web_dir, libs[i].file, &lib[i], &len, err)))
			goto fail;
		if (find_script_end(lib[i])) {
			st = gr_error_set(err, GR_ERR_FORMAT, "cannot inline '%s/%s': it contains "
					  "'</script'", web_dir, libs[i].file);
			goto fail;
		}
		if (!strstr(tpl, libs[i].marker)) {
			st = gr_error_set(err, GR_ERR_FORMAT, "'%s/%s' lacks the marker '%s'",
					  web_dir, page, libs[i].marker);
			goto fail;
		}
	}
	if (!strstr(tpl, data_marker)) {
		st = gr_error_set(err, GR_ERR_FORMAT, "'%s/%s' lacks the marker '%s'",
				  web_dir, page, data_marker);
		goto fail;
	}
	/* copy the template, replacing each marker where it occurs */
	for (p = tpl; *p;) {
		const char *next = NULL;
		int which = -1; /* NLIBS means the data */
		size_t mlen = 0;
		for (int i = 0; i <= NLIBS; i++) {
			const char *m = i < NLIBS ? libs[i].marker : data_marker;
			const char *q = strstr(p, m);
			if (q && (!next || q < next)) {
				next = q;
				which = i;
				mlen = strlen(m);
			}
		}
		if (!next) {
			fputs(p, out);
			break;
		}
		fwrite(p, 1, (size_t)(next - p), out);
		if (which < NLIBS)
			fputs(lib[which], out);
		else
			write_json_for_script(json, out);
		p = next + mlen;
	}
	if (ferror(out)) {
		st = gr_error_set(err, GR_ERR_IO, "dashboard: write failed");
		goto fail;
	}
	st = GR_OK;
fail:
	free(tpl);
	for (int i = 0; i < NLIBS; i++)
		free(lib[i]);
	return st;
}

gr_status gr_val_dashboard_write(const gr_val_set *s, const gr_val_meta *meta, const char *web_dir,
				 FILE *out, gr_error *err)
{
	char *json = NULL;
	cJSON *root = NULL;
	gr_status st;

	if (!out)
		return gr_error_set(err, GR_ERR_USAGE, "dashboard: no output given");
	if ((st = val_report_build(s, meta, &root, err)))
		return st;
	if (!(json = cJSON_PrintUnformatted(root)))
		st = gr_error_set(err, GR_ERR_NOMEM, "dashboard: out of memory");
	else
		st = gr_web_page_write(web_dir, "dashboard.html", json, out, err);
	cJSON_free(json);
	cJSON_Delete(root);
	return st;
}
