/* Platforms as cJSON trees (private: cJSON stays out of the public headers; callers outside
 * the library use gr_hw_show_json / gr_hw_registry_print_json). */
#ifndef GRAPHS_HW_JSON_H
#define GRAPHS_HW_JSON_H

#include <cjson/cJSON.h>

#include "graphs/hw.h"

/* The documents gr_hw_show_json and gr_hw_registry_print_json write; NULL when out of memory.
 * The caller owns the result and frees it with cJSON_Delete(). */
cJSON *gr_hw_to_json(const gr_hw *hw);
cJSON *gr_hw_registry_to_json(const gr_hw_registry *r);

#endif
