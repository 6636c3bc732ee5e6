/* Model loading: maps the file, recognizes its format from the content (the extension is
 * only a hint for ambiguous content) and hands the bytes to the matching frontend. */
#include <string.h>
#include <strings.h>

#include "frontends/pbwire.h"
#include "graphs/model.h"

/* How far into the file format detection looks. */
#define DETECT_WINDOW 4096

const char *gr_model_format_name(gr_model_format f)
{
	switch (f) {
	case GR_FORMAT_ONNX: return "onnx";
	case GR_FORMAT_TFLITE: return "tflite";
	case GR_FORMAT_FX_JSON: return "fx";
	case GR_FORMAT_UNKNOWN: break;
	}
	return "unknown";
}

gr_model_format gr_model_format_parse(const char *s)
{
	if (!s)
		return GR_FORMAT_UNKNOWN;
	if (!strcasecmp(s, "onnx"))
		return GR_FORMAT_ONNX;
	if (!strcasecmp(s, "tflite"))
		return GR_FORMAT_TFLITE;
	if (!strcasecmp(s, "fx") || !strcasecmp(s, "fx_json") || !strcasecmp(s, "fx-json"))
		return GR_FORMAT_FX_JSON;
	return GR_FORMAT_UNKNOWN;
}

static const char *extension(const char *path)
{
	const char *slash, *dot;

	if (!path)
		return "";
	slash = strrchr(path, '/');
	dot = strrchr(slash ? slash : path, '.');
	return dot ? dot + 1 : "";
}

/* FX JSON: a JSON object whose first DETECT_WINDOW bytes name the key "fx_graph". The FX
 * frontend defines the full header; this is the only place that recognizes it. */
static int looks_like_fx_json(const unsigned char *p, size_t n, int *is_json)
{
	static const char key[] = "\"fx_graph\"";
	size_t i = 0, k = sizeof(key) - 1;

	*is_json = 0;
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;  /* UTF-8 byte order mark */
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
		i++;
	if (i >= n || p[i] != '{')
		return 0;
	*is_json = 1;
	for (; i + k <= n; i++)
		if (p[i] == '"' && !memcmp(p + i, key, k))
			return 1;
	return 0;
}

/* ONNX: a protobuf ModelProto. The leading fields must all be ModelProto fields with the
 * right wire types, and length-delimited ones must fit in the file (when the window
 * covers it). Real files start with ir_version (tag 0x08). */
static int looks_like_onnx(const unsigned char *p, size_t n, size_t window)
{
	size_t pos = 0;
	int fields = 0;

	while (pos < window && fields < 8) {
		uint64_t tag = 0, v = 0;
		int shift = 0, wire;
		unsigned num;

		/* tag */
		do {
			if (pos >= n || shift > 28)
				return fields > 0 && pos >= n;
			tag |= (uint64_t)(p[pos] & 0x7f) << shift;
			shift += 7;
		} while (p[pos++] & 0x80);
		num = (unsigned)(tag >> 3);
		wire = (int)(tag & 7);
		switch (num) {
		case 1: case 5:
			if (wire != PB_VARINT)
				return 0;
			break;
		case 2: case 3: case 4: case 6: case 7: case 8: case 14: case 20: case 25:
			if (wire != PB_LEN)
				return 0;
			break;
		default:
			return 0;
		}
		/* value or length */
		shift = 0;
		do {
			if (pos >= n)
				return 1;  /* cut by the window: the tag was plausible */
			if (shift > 63)
				return 0;
			v |= (uint64_t)(p[pos] & 0x7f) << shift;
			shift += 7;
		} while (p[pos++] & 0x80);
		if (wire == PB_LEN) {
			if (v > n - pos)
				return 1;  /* beyond what we were shown; the reader will check */
			pos += (size_t)v;
		}
		fields++;
	}
	return fields > 0;
}

gr_model_format gr_model_detect(const unsigned char *head, size_t n, const char *path)
{
	const char *ext = extension(path);
	size_t window = n < DETECT_WINDOW ? n : DETECT_WINDOW;
	int is_json;

	if (!head || n == 0)
		return GR_FORMAT_UNKNOWN;
	if (n >= 8 && !memcmp(head + 4, "TFL3", 4))
		return GR_FORMAT_TFLITE;
	if (looks_like_fx_json(head, window, &is_json))
		return GR_FORMAT_FX_JSON;
	if (is_json)  /* '{' can't start a ModelProto (it would be a group) */
		return !strcasecmp(ext, "json") ? GR_FORMAT_FX_JSON : GR_FORMAT_UNKNOWN;
	if (looks_like_onnx(head, n, window))
		return GR_FORMAT_ONNX;
	/* Ambiguous content: trust the extension and let the frontend say what is wrong. */
	if (!strcasecmp(ext, "onnx"))
		return GR_FORMAT_ONNX;
	if (!strcasecmp(ext, "tflite"))
		return GR_FORMAT_TFLITE;
	return GR_FORMAT_UNKNOWN;
}

static gr_status load_bytes(const unsigned char *data, size_t size, const char *name,
			    const char *dir, const gr_load_opts *opts, gr_graph **out, gr_error *err)
{
	gr_model_format fmt = opts ? opts->format : GR_FORMAT_UNKNOWN;

	if (size == 0)
		return gr_error_set(err, GR_ERR_FORMAT, "cannot read '%s': file is empty", name);
	if (fmt == GR_FORMAT_UNKNOWN)
		fmt = gr_model_detect(data, size, name);
	switch (fmt) {
	case GR_FORMAT_ONNX:
		return gr_onnx_load_mem(data, size, name, dir, out, err);
	case GR_FORMAT_TFLITE:
		return gr_tflite_load_mem(data, size, name, out, err);
	case GR_FORMAT_FX_JSON:
		return gr_fx_load_mem(data, size, name, out, err);
	case GR_FORMAT_UNKNOWN:
		break;
	}
	return gr_error_set(err, GR_ERR_FORMAT,
			    "cannot read '%s': unknown model format (expected ONNX, TFLite or FX JSON)",
			    name);
}

gr_status gr_model_load_mem(const unsigned char *data, size_t size, const char *name,
			    const gr_load_opts *opts, gr_graph **out, gr_error *err)
{
	if (!out)
		return gr_error_set(err, GR_ERR_USAGE, "gr_model_load_mem: no output pointer");
	*out = NULL;
	return load_bytes(data, data ? size : 0, name ? name : "<memory>", NULL, opts, out, err);
}

gr_status gr_model_load(const char *path, const gr_load_opts *opts, gr_graph **out, gr_error *err)
{
	pb_file file;
	char dir[4096];
	const char *slash;
	gr_status st;

	if (!out || !path)
		return gr_error_set(err, GR_ERR_USAGE, "gr_model_load: missing path or output pointer");
	*out = NULL;
	if ((st = pb_file_map(path, &file, err)))
		return st;
	/* The model's folder, where ONNX external data would live. */
	slash = strrchr(path, '/');
	if (slash == path) {
		strcpy(dir, "/");
	} else if (slash && (size_t)(slash - path) < sizeof(dir)) {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	} else {
		strcpy(dir, ".");
	}
	st = load_bytes(file.data, file.size, path, dir, opts, out, err);
	pb_file_unmap(&file);
	return st;
}
