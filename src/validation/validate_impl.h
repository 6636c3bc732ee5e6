/* Private pieces shared by the validation sources: the report's sections (which keys each
 * table groups by) and the report as a cJSON tree, which the dashboard embeds. */
#ifndef GRAPHS_VALIDATE_IMPL_H
#define GRAPHS_VALIDATE_IMPL_H

#include <cjson/cJSON.h>

#include "graphs/validate.h"

typedef struct val_section {
	const char *name;   /* JSON key: "summary", "by_model", ... */
	const char *title;  /* heading in text reports */
	int level;          /* gr_val_level the section is restricted to, or -1 */
	unsigned keys;      /* GR_VAL_BY_* mask */
} val_section;

extern const val_section val_sections[];
extern const size_t val_n_sections;

/* The report's JSON tree (see gr_val_report_json); the caller frees *out with cJSON_Delete. */
gr_status val_report_build(const gr_val_set *s, const gr_val_meta *meta, cJSON **out, gr_error *err);

#endif
