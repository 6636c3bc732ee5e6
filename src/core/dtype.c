/* Element type names and sizes. */
#include "graphs/graph.h"

static const struct {
	const char *name;
	int bits;
	int is_float;
} dtypes[GR_DTYPE_COUNT] = {
	[GR_DTYPE_UNDEFINED] = {"undefined", 0, 0},
	[GR_DTYPE_FLOAT] = {"float32", 32, 1},
	[GR_DTYPE_UINT8] = {"uint8", 8, 0},
	[GR_DTYPE_INT8] = {"int8", 8, 0},
	[GR_DTYPE_UINT16] = {"uint16", 16, 0},
	[GR_DTYPE_INT16] = {"int16", 16, 0},
	[GR_DTYPE_INT32] = {"int32", 32, 0},
	[GR_DTYPE_INT64] = {"int64", 64, 0},
	[GR_DTYPE_STRING] = {"string", 0, 0},
	[GR_DTYPE_BOOL] = {"bool", 8, 0},
	[GR_DTYPE_FLOAT16] = {"float16", 16, 1},
	[GR_DTYPE_DOUBLE] = {"float64", 64, 1},
	[GR_DTYPE_UINT32] = {"uint32", 32, 0},
	[GR_DTYPE_UINT64] = {"uint64", 64, 0},
	[GR_DTYPE_COMPLEX64] = {"complex64", 64, 1},
	[GR_DTYPE_COMPLEX128] = {"complex128", 128, 1},
	[GR_DTYPE_BFLOAT16] = {"bfloat16", 16, 1},
	[GR_DTYPE_FLOAT8E4M3FN] = {"float8e4m3fn", 8, 1},
	[GR_DTYPE_FLOAT8E4M3FNUZ] = {"float8e4m3fnuz", 8, 1},
	[GR_DTYPE_FLOAT8E5M2] = {"float8e5m2", 8, 1},
	[GR_DTYPE_FLOAT8E5M2FNUZ] = {"float8e5m2fnuz", 8, 1},
	[GR_DTYPE_UINT4] = {"uint4", 4, 0},
	[GR_DTYPE_INT4] = {"int4", 4, 0},
};

const char *gr_dtype_name(gr_dtype t)
{
	return (unsigned)t < GR_DTYPE_COUNT ? dtypes[t].name : "invalid";
}

int gr_dtype_bits(gr_dtype t)
{
	return (unsigned)t < GR_DTYPE_COUNT ? dtypes[t].bits : 0;
}

int gr_dtype_is_float(gr_dtype t)
{
	return (unsigned)t < GR_DTYPE_COUNT && dtypes[t].is_float;
}
