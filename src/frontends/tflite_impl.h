/* What the TFLite frontend tells tests about its operator table (tflite_ops_table.c). */
#ifndef GRAPHS_TFLITE_IMPL_H
#define GRAPHS_TFLITE_IMPL_H

#include <stddef.h>

/* The schema's name of builtin operator `code` (static string), NULL when out of range. */
const char *gr_tflite_builtin_name(int code);
/* 1 when builtin `code` maps onto core ops (not a placeholder). */
int gr_tflite_builtin_mapped(int code);
/* How many builtin operators map onto core ops. */
size_t gr_tflite_mapped_count(void);

#endif
