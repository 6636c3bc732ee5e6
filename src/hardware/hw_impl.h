/* Private layout of gr_hw and gr_hw_registry, shared by the registry loader, the validator,
 * host detection and (later) the estimator's mappers. Every pointer inside a gr_hw lives in
 * hw->arena and is freed with the platform. Numbers equal to 0 mean "not given". */
#ifndef GRAPHS_HW_IMPL_H
#define GRAPHS_HW_IMPL_H

#include <yaml.h>

#include "graphs/arena.h"
#include "graphs/hw.h"

/* Estimator parameters: one key of a class file or a platform's estimator/overheads section. */
#define GR_HW_EST_KEY_COUNT 42

typedef enum gr_hw_est_kind {
	GR_HW_EK_NUM,     /* double */
	GR_HW_EK_INT,     /* int64_t */
	GR_HW_EK_BOOL,    /* int: true/false */
	GR_HW_EK_KERNELS  /* int: 'matrix' (0) or 'all' (1) */
} gr_hw_est_kind;

typedef struct gr_hw_est_key {
	const char *section;  /* "overheads" or "estimator" */
	const char *name;     /* below the section: "efficiency.conv" */
	gr_hw_est_kind kind;
	double min, max;      /* inclusive, unless min_open (then min itself is refused) */
	int min_open;
	const char *unit;     /* for messages; NULL when none */
	size_t offset;        /* into gr_hw_estimator */
	unsigned required;    /* bit c: the file of class c must give it */
} gr_hw_est_key;

extern const gr_hw_est_key gr_hw_est_keys[GR_HW_EST_KEY_COUNT];

/* One compute engine (tensor cores, CUDA cores, AVX-512 FMA units, AMX, an MXU, ...). */
typedef struct gr_hw_engine {
	const char *name;
	int64_t units;                     /* 0: the platform's compute.units */
	double clock_mhz;                  /* 0: the platform's peak clock */
	const char *clock_kind;            /* or a kind of compute.clock_mhz ("avx512", ...) */
	double ops_per_clk[GR_PREC_COUNT]; /* dense ops per clock per unit (1 FMA = 2 ops); 0 = none */
	unsigned isa;                      /* GR_HW_ISA_* bits of compute.engines[].isa */
	int isa_given;                     /* the file gives an isa list */
	int line;
} gr_hw_engine;

typedef struct gr_hw_mem {
	const char *level;     /* l1, l2, l3, slc, sram, dram, ... */
	const char *type;      /* ddr4, hbm3, sram, ... or NULL */
	const char *scope;     /* "per_unit" | "shared" (never NULL after parsing) */
	int64_t size_bytes;    /* one instance */
	int64_t instances;     /* 0: 1 when shared, compute.units when per_unit */
	double bandwidth_gbps; /* aggregate GB/s (1e9 B/s) */
	double latency_ns;
	int64_t bus_width_bits;
	double data_rate_mtps; /* transfers per second per pin, in MT/s */
	int64_t channels;
	double clock_mhz;      /* memory controller clock as power modes quote it (EMC) */
	int measured;          /* -1 not said (datasheet), 0 estimate, 1 measured */
	int line;
	int line_bw;
} gr_hw_mem;

typedef struct gr_hw_mode {
	const char *name;
	double tdp_w;
	double clock_mhz;        /* this platform's compute clock in the mode (generic key) */
	double gpu_clock_mhz;
	double cpu_clock_mhz;
	double npu_clock_mhz;
	double memory_clock_mhz; /* scales levels that give clock_mhz */
	int64_t units;           /* compute units online; 0 = all */
	int64_t cpu_cores;       /* CPU cores online (informational on non-CPU platforms) */
	int line;
} gr_hw_mode;

typedef struct gr_hw_pj_level {
	const char *level;
	double pj;
} gr_hw_pj_level;

struct gr_hw {
	gr_arena *arena;
	const char *path;
	const char *id, *name, *vendor, *architecture, *category, *notes;
	gr_hw_class cls;
	int isa_family;   /* gr_hw_isa_family; 0: not given */
	int line_isa_family;

	/* compute */
	int64_t units;
	const char *unit_name;
	double base_mhz, boost_mhz, all_core_mhz;
	double avx512_mhz, amx_mhz;       /* all-core licence clocks of heavy AVX-512 / AMX code */
	int combine_sum;  /* 1: engines run side by side (P+E cores) and their peaks add up */
	gr_hw_engine *engines;
	size_t n_engines;
	int simd_width_bits, fma_units_per_core, threads_per_core;

	double peak_tops[GR_PREC_COUNT];  /* declared, dense, TOPS at the peak clock; 0 = not given */
	int peak_line[GR_PREC_COUNT];

	gr_hw_mem *mem;
	size_t n_mem;

	double tdp_w, idle_w;
	gr_hw_mode *modes;
	size_t n_modes;
	double pj_per_op[GR_PREC_COUNT];
	gr_hw_pj_level *pj_per_byte;
	size_t n_pj_per_byte;

	const char *host_link, *peer_link;
	double host_bw_gbps, peer_bw_gbps;

	unsigned native_mask;             /* bit p set: precision p is native */
	double emulated[GR_PREC_COUNT];   /* slowdown factor vs fp32; 0 = not emulated */
	int preferred;                    /* gr_precision or -1 */

	const char **ops;                 /* restrictions.ops */
	size_t n_ops;
	const char *fallback;

	double launch_us, dispatch_us;    /* 0: the class default */

	/* estimator parameters (hw_estimator.c): own values, and the class defaults that the
	 * registry copies in (gr_hw_attach_class) */
	gr_hw_estimator est;
	unsigned char est_given[GR_HW_EST_KEY_COUNT];
	int est_line[GR_HW_EST_KEY_COUNT];
	gr_hw_estimator est_class;
	unsigned char est_class_given[GR_HW_EST_KEY_COUNT];
	const char *est_class_path;       /* the class file they come from */
	int is_class_file;                /* parsed from classes/<class>.yaml: no platform */
	const gr_hw *fallback_hw;         /* restrictions.fallback resolved in the registry */

	const char **sources;
	size_t n_sources;
	gr_hw_system *system;             /* NULL: no system block */
	const char **derived;             /* keys of figures derived, not published ("peak_tops.fp32") */
	size_t n_derived;

	/* line numbers of keys the validator names */
	int line_id, line_class, line_units, line_clock, line_tdp, line_idle, line_preferred,
	    line_sources, line_fallback, line_derived;
};

/* A platform whose user file does not load or validate: resolving its id fails with why,
 * instead of silently falling back to a shipped entry of the same id. */
typedef struct gr_hw_unusable {
	char *id, *path, *why;
} gr_hw_unusable;

struct gr_hw_registry {
	gr_hw **items;  /* sorted by id */
	size_t n, cap;
	gr_hw_unusable *bad;
	size_t n_bad, cap_bad;
	gr_hw *classes[GR_HW_CLASS_COUNT]; /* class defaults (the last folder's file wins); may be NULL */
};

/* --- helpers shared by the files of src/hardware -------------------------------- */

/* Problem sink: counts and forwards problems to a gr_hw_report_fn. */
typedef struct gr_hw_sink {
	gr_hw_report_fn fn;
	void *user;
	int errors, warnings;
	char first_error[1200];  /* the first error's message, for gr_error */
} gr_hw_sink;

void gr_hw_sink_report(gr_hw_sink *s, gr_hw_severity sev, const char *file, int line,
		       const char *key, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Parses a platform's `system:` block (hw_system.c) into hw->system; 0 when it is valid. */
int gr_hw_system_parse(yaml_document_t *doc, yaml_node_t *n, const char *file, gr_hw_sink *sink,
		       gr_hw *hw);

/* Bounds on one registry file, checked before libyaml builds a document tree. */
#define GR_HW_MAX_FILE_BYTES (256 * 1024)
#define GR_HW_MAX_DEPTH 32
#define GR_HW_MAX_NODES 20000

/* Reads a whole registry file (regular files only, at most GR_HW_MAX_FILE_BYTES) into a
 * NUL-terminated buffer the caller frees; NULL after reporting why. */
unsigned char *gr_hw_read_file(const char *path, size_t *len, gr_hw_sink *sink);
/* Streams the YAML events of buf once, bounding depth, node count and aliases. Returns 0 when
 * the document may be loaded. */
int gr_hw_prescan(const char *path, const unsigned char *buf, size_t len, gr_hw_sink *sink);

/* Parses one file into a new platform, reporting every problem to sink. Returns NULL when
 * the file cannot be read or is not YAML; when it has errors, NULL unless keep_partial (the
 * validator then checks what did parse). The caller frees the result with gr_hw_free(). */
gr_hw *gr_hw_parse_file(const char *path, gr_hw_sink *sink, int keep_partial);
/* The same for len bytes already in memory; path only names them in messages. */
gr_hw *gr_hw_parse_buffer(const char *path, const unsigned char *buf, size_t len,
			  gr_hw_sink *sink, int keep_partial);
/* Parses one class defaults file (classes/<class>.yaml: class, overheads, estimator, sources,
 * notes), reporting every problem, a missing required key included; NULL on errors. */
gr_hw *gr_hw_parse_class_file(const char *path, gr_hw_sink *sink);
/* 1 when path lies in a folder named classes (a class defaults file, not a platform). */
int gr_hw_is_class_path(const char *path);
/* Copies the class defaults cls (NULL: none) into hw. Returns 0, or -1 when out of memory. */
int gr_hw_attach_class(gr_hw *hw, const gr_hw *cls);
/* Reads a value of the estimator struct through a key's offset and kind. */
double gr_hw_est_get(const gr_hw_estimator *e, const gr_hw_est_key *k);
void gr_hw_est_set(gr_hw_estimator *e, const gr_hw_est_key *k, double v);
/* Writes the estimator and overheads values of hw as YAML: own ones only (show = 0), or
 * every resolved value, those from the class marked with a comment (show = 1). */
void gr_hw_write_est_yaml(const gr_hw *hw, FILE *f, int show);
/* Adds the resolved values to a platform's JSON object: overheads (replacing the platform's
 * own), estimator, and class_defaults {file, keys: those from the class}. 0, or -1 when out
 * of memory. */
struct cJSON; /* <cjson/cJSON.h> */
int gr_hw_est_add_json(const gr_hw *hw, struct cJSON *o);

/* Consistency checks (see gr_hw_validate). */
void gr_hw_check(const gr_hw *hw, gr_hw_sink *sink);

/* The folders of $GRAPHS_HARDWARE_PATH in loading order (the last listed first: later ones
 * override earlier ones). Free with gr_hw_user_paths_free(). */
gr_status gr_hw_user_paths(char ***out, size_t *n, gr_error *err);
void gr_hw_user_paths_free(char **v, size_t n);

/* Allocates an empty platform with its own arena; NULL when out of memory. */
gr_hw *gr_hw_new(void);

/* The clock this core runs at under load, in MHz, from timing dependent adds (hw_clock.c);
 * 0 where the ISA has no such chain. */
double gr_hw_measure_mhz(void);
/* Peak (TOPS at the peak clock, default settings) derived from the engines; 0 if none applies. */
double gr_hw_derived_tops(const gr_hw *hw, gr_precision p);
/* The clock the peaks refer to: all_core_mhz when given, else boost_mhz. */
double gr_hw_peak_clock(const gr_hw *hw);
/* Kinds of compute.clock_mhz, in this order: base, boost, all_core, avx512, amx (NULL-ended). */
#define GR_HW_CLOCK_KINDS 5
extern const char *const gr_hw_clock_kinds[GR_HW_CLOCK_KINDS + 1];
/* The kind's index, or -1 when s names none. */
int gr_hw_clock_kind_find(const char *s);
/* Where the kind's MHz is stored in hw (NULL for a bad index). */
double *gr_hw_clock_slot(gr_hw *hw, int kind);
/* The kind's MHz; 0 when not given or kind is bad. */
double gr_hw_clock_of(const gr_hw *hw, int kind);
/* The clock an engine runs at: its clock kind, its clock_mhz, else the peak clock. */
double gr_hw_engine_clock(const gr_hw *hw, const gr_hw_engine *e);
/* 1 when the file marks this figure key ("peak_tops.fp32", "memory.l1.bandwidth_gbps") derived. */
int gr_hw_is_derived(const gr_hw *hw, const char *key);
/* Ratio a mode applies to compute peaks (clock ratio x share of units online); 1 for mode -1. */
double gr_hw_mode_compute_scale(const gr_hw *hw, int mode);

/* Memory types the validator knows: bits per channel and the fastest standard rate (MT/s). */
typedef struct gr_hw_memtype {
	const char *name;
	int channel_bits;
	double max_mtps;
} gr_hw_memtype;
const gr_hw_memtype *gr_hw_memtype_find(const char *name);

#endif
