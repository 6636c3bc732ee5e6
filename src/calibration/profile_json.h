/* A calibration profile as a cJSON tree (private: cJSON stays out of the public headers;
 * callers outside the library use gr_profile_save). */
#ifndef GRAPHS_PROFILE_JSON_H
#define GRAPHS_PROFILE_JSON_H

#include <cjson/cJSON.h>

#include "graphs/calibrate.h"

/* The profile as a JSON document (what gr_profile_save writes); NULL when out of memory.
 * The caller owns the result: cJSON_Delete(). */
cJSON *gr_profile_to_json(const gr_profile *p);

#endif
