/* Hardware registry: platforms described by YAML files (hardware/<class>/<id>.yaml), their
 * peak compute per precision, memory hierarchy, power modes and overheads; validation of
 * those files; detection of the machine we run on. Schema: docs/hardware.md. */
#ifndef GRAPHS_HW_H
#define GRAPHS_HW_H

#include <stdint.h>
#include <stdio.h>

#include "graphs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_hw gr_hw;                   /* one platform */
typedef struct gr_hw_registry gr_hw_registry; /* every platform found */

/* --- Precisions and classes ----------------------------------------------------------- */

/* X(ENUM, "name", bits): one row per precision the registry knows. */
#define GR_PRECISION_LIST(X) \
	X(FP64, "fp64", 64)  \
	X(FP32, "fp32", 32)  \
	X(TF32, "tf32", 19)  \
	X(FP16, "fp16", 16)  \
	X(BF16, "bf16", 16)  \
	X(FP8, "fp8", 8)     \
	X(FP4, "fp4", 4)     \
	X(INT16, "int16", 16) \
	X(INT8, "int8", 8)   \
	X(INT4, "int4", 4)

typedef enum gr_precision {
#define GR_PREC_ENUM_(e, s, b) GR_PREC_##e,
	GR_PRECISION_LIST(GR_PREC_ENUM_)
#undef GR_PREC_ENUM_
	GR_PREC_COUNT
} gr_precision;

/* "fp16" for GR_PREC_FP16; "?" when out of range. Static string. */
const char *gr_precision_name(gr_precision p);
/* The precision named s ("fp32", "bf16", ...), or -1 when unknown. */
int gr_precision_parse(const char *s);

typedef enum gr_hw_class {
	GR_HW_CPU, GR_HW_GPU, GR_HW_TPU, GR_HW_NPU, GR_HW_DSP, GR_HW_MCU, GR_HW_CLASS_COUNT
} gr_hw_class;

/* "cpu", "gpu", "tpu", "npu", "dsp", "mcu". Static string. */
const char *gr_hw_class_name(gr_hw_class c);

/* --- Registry ------------------------------------------------------------------------- */

/* The built-in registry folder this library was built with (GRAPHS_DATA_DIR/hardware),
 * or "hardware" when none was configured. Static string. */
const char *gr_hw_builtin_dir(void);

/* Loads every *.yaml / *.yml under builtin_dir (recursively; NULL to skip) and then every
 * folder listed in $GRAPHS_HARDWARE_PATH (colon-separated). An entry from the path replaces a
 * built-in one with the same id; among path folders the first listed wins, as in $PATH.
 * Two files with one id in the same folder tree are an error. A file that does not parse
 * is an error naming FILE:LINE and the key. Unknown keys are warnings (gr_log_warn).
 * On success *out is a registry the caller frees with gr_hw_registry_free(). */
gr_status gr_hw_registry_load(const char *builtin_dir, gr_hw_registry **out, gr_error *err);
/* Frees the registry and every platform in it. Accepts NULL. */
void gr_hw_registry_free(gr_hw_registry *r);

/* Platforms sorted by id. Borrowed: valid until the registry is freed. */
size_t gr_hw_registry_count(const gr_hw_registry *r);
const gr_hw *gr_hw_registry_at(const gr_hw_registry *r, size_t i);
/* The platform with this id (no ":mode"), or NULL. Borrowed. */
const gr_hw *gr_hw_registry_find(const gr_hw_registry *r, const char *id);
/* Resolves "id" or "id:mode". *hw is borrowed; *mode is the mode index, or -1 for the
 * platform's default (maximum) settings. Errors name the unknown id, or list the valid modes:
 * "unknown mode 'foo' for 'jetson_orin_agx_gpu' (valid modes: 15w, 30w, 50w, maxn)". */
gr_status gr_hw_registry_resolve(const gr_hw_registry *r, const char *spec, const gr_hw **hw,
				 int *mode, gr_error *err);
/* Adds hw (e.g. from gr_hw_detect_host), replacing any platform with the same id.
 * Takes ownership of hw, also on failure. */
gr_status gr_hw_registry_add(gr_hw_registry *r, gr_hw *hw, gr_error *err);

/* --- One platform --------------------------------------------------------------------- */

/* Parses one YAML file. On success *out is owned by the caller: gr_hw_free(). */
gr_status gr_hw_load_file(const char *path, gr_hw **out, gr_error *err);
/* Frees a platform from gr_hw_load_file / gr_hw_detect_host. Accepts NULL.
 * Never call it on a platform borrowed from a registry. */
void gr_hw_free(gr_hw *hw);

/* Strings are borrowed from hw (valid while hw is); optional ones may be NULL. The same holds
 * for every const char * and struct a gr_hw_* accessor below returns. */
const char *gr_hw_id(const gr_hw *hw);
const char *gr_hw_name(const gr_hw *hw);
const char *gr_hw_vendor(const gr_hw *hw);
const char *gr_hw_architecture(const gr_hw *hw);  /* optional */
const char *gr_hw_category(const gr_hw *hw);      /* optional: datacenter|desktop|mobile|edge|embedded */
const char *gr_hw_path(const gr_hw *hw);          /* file it came from; NULL when detected */
const char *gr_hw_notes(const gr_hw *hw);         /* optional */
gr_hw_class gr_hw_get_class(const gr_hw *hw);
int64_t gr_hw_units(const gr_hw *hw, int mode);   /* compute units online in the mode */
const char *gr_hw_unit_name(const gr_hw *hw);     /* optional: "SM", "core", ... */
/* The clock the peaks are quoted at (all-core clock if given, else boost), scaled to the mode. */
double gr_hw_clock_mhz(const gr_hw *hw, int mode);

/* Modes ("15w", "maxn", ...). Index -1 always means default/maximum settings. */
/* Vector width of a CPU's SIMD units (bits); 0 when not given. */
int gr_hw_simd_width_bits(const gr_hw *hw);
/* The CPU clock a SoC's power mode sets (cpu_clock_mhz of the mode); 0 when not given. */
double gr_hw_mode_cpu_clock_mhz(const gr_hw *hw, int mode);
size_t gr_hw_mode_count(const gr_hw *hw);
const char *gr_hw_mode_name(const gr_hw *hw, size_t i);
/* Index of the mode called name, or -1. */
int gr_hw_mode_find(const gr_hw *hw, const char *name);

/* Dense peak of the hardware in ops/s (FLOP/s or OP/s) for precision p at the mode, or 0 when
 * the hardware has no native support for p. The declared peak_tops when given, else the
 * engines' units x ops/clk x clock; in a mode, scaled by the mode's clock ratio and the share
 * of units online. */
double gr_hw_peak_ops(const gr_hw *hw, int mode, gr_precision p);
/* Like gr_hw_peak_ops, but a precision that is only emulated gets the fp32 peak divided by
 * the emulation factor. 0 when p is neither native nor emulated. */
double gr_hw_effective_peak_ops(const gr_hw *hw, int mode, gr_precision p);
int gr_hw_precision_native(const gr_hw *hw, gr_precision p);
/* Slowdown factor versus fp32 when p is emulated (e.g. 60), else 0. */
double gr_hw_emulation_factor(const gr_hw *hw, gr_precision p);
/* The precision the vendor recommends for inference, or -1 when not given. */
int gr_hw_preferred_precision(const gr_hw *hw);

/* One compute engine (tensor cores, P-cores, E-cores, an MXU, ...) at default settings. */
typedef struct gr_hw_engine_info {
	const char *name;
	int64_t units;                     /* the platform's compute units when the file gives none */
	double clock_mhz;                  /* the platform's peak clock when the file gives none */
	double ops_per_clk[GR_PREC_COUNT]; /* dense ops per clock per unit (1 FMA = 2 ops); 0 = none */
	unsigned isa;                      /* GR_HW_ISA_* bits the engine declares (compute.engines[].isa) */
	int isa_given;                     /* 1 when the file gives an isa list (then it is complete) */
} gr_hw_engine_info;

/* Arm SIMD features an engine declares in compute.engines[].isa. They bound its int8 and bf16
 * rates against its fp32 FMLA rate (docs/hardware.md, "Validation"). */
enum {
	GR_HW_ISA_DOTPROD = 1u << 0, /* FEAT_DotProd: SDOT/UDOT, 16 int8 MACs per 128 bits */
	GR_HW_ISA_I8MM = 1u << 1,    /* FEAT_I8MM: SMMLA/UMMLA, 32 int8 MACs per 128 bits */
	GR_HW_ISA_BF16 = 1u << 2,    /* FEAT_BF16: BFDOT/BFMMLA (16 bf16 MACs per 128 bits) */
	GR_HW_ISA_COUNT = 3
};
/* "dotprod", "i8mm", "bf16" for one bit; NULL for anything else. */
const char *gr_hw_isa_name(unsigned bit);
/* 1 when every engine of hw declares all of the GR_HW_ISA_* bits (as a runtime's detection of
 * the whole system's features sees them); 0 otherwise, and for engines without an isa list. */
int gr_hw_isa_all(const gr_hw *hw, unsigned bits);

/* The instruction-set family of a CPU platform (top-level isa_family in the registry): runtimes
 * ship other kernels per family (ncnn's x86 int8 layers multiply int16 pairs, its Arm ones
 * int8: docs/estimate.md, "Fast convolution"). NONE where the file gives none. */
typedef enum gr_hw_isa_family {
	GR_HW_ISA_FAMILY_NONE = 0,
	GR_HW_ISA_FAMILY_ARM64,  /* AArch64 */
	GR_HW_ISA_FAMILY_ARM32,  /* AArch32 (ARMv7-A cores: Cortex-A7) */
	GR_HW_ISA_FAMILY_X86_64, /* x86-64 */
	GR_HW_ISA_FAMILY_COUNT
} gr_hw_isa_family;
gr_hw_isa_family gr_hw_get_isa_family(const gr_hw *hw);
/* "arm64", "arm32", "x86_64"; NULL for NONE and anything else. */
const char *gr_hw_isa_family_name(int family);
/* 1 for an Arm CPU: isa_family arm64 or arm32, or, where no family is given, an engine with an
 * Arm isa list (the registry's older sign of one). */
int gr_hw_is_arm_cpu(const gr_hw *hw);

size_t gr_hw_engine_count(const gr_hw *hw);
/* Fills *out for engine i; returns 0, or -1 when i is out of range. Borrowed strings. */
int gr_hw_engine_at(const gr_hw *hw, size_t i, gr_hw_engine_info *out);
/* 1 when the engines run side by side (hybrid P- and E-cores) and their peaks add up;
 * 0 when one of them serves each kind of work (the peak is the best engine's). */
int gr_hw_engines_combined(const gr_hw *hw);

/* One level of the memory hierarchy, outermost last (l1, l2, ..., dram). */
typedef struct gr_hw_mem_info {
	const char *level;        /* "l1", "l2", "l3", "sram", "dram", ... */
	const char *type;         /* "hbm3", "ddr5", "lpddr5", "sram", ...; may be NULL */
	const char *scope;        /* "per_unit" or "shared" */
	int64_t size_bytes;       /* of one instance; 0 when the vendor does not say */
	int64_t instances;        /* 1 when shared; units when per_unit (unless given) */
	double bandwidth_bytes_s; /* aggregate over all instances, at the mode; 0 when unknown */
	double latency_ns;        /* 0 when unknown */
	int measured;             /* 1 measured, 0 an estimate/default, -1 datasheet figure */
} gr_hw_mem_info;

size_t gr_hw_mem_count(const gr_hw *hw);
/* Fills *out for level i at the mode; returns 0, or -1 when i is out of range. Borrowed strings. */
int gr_hw_mem_at(const gr_hw *hw, int mode, size_t i, gr_hw_mem_info *out);
/* Index of the level named level ("dram"), or -1. */
int gr_hw_mem_find(const gr_hw *hw, const char *level);
/* Main memory: capacity and bandwidth (bytes/s) at the mode; 0 when the platform has none. */
int64_t gr_hw_memory_bytes(const gr_hw *hw);
double gr_hw_dram_bandwidth(const gr_hw *hw, int mode);

/* The system a platform is usually measured in (an optional `system:` block: a server, a
 * developer kit), for the wall-power energy of a whole box (docs/hardware.md, "System").
 * Whole-box figures such as MLPerf power include the host, fans and power-supply losses. */
typedef struct gr_hw_system {
	const char *name;
	int64_t accelerators;      /* devices of this platform in the box */
	double host_idle_w;        /* host (CPUs, memory, fans, disks) idle, at the DC side */
	double host_active_w;      /* host's extra draw per busy accelerator (feeding, pre/post) */
	double psu_efficiency;     /* DC out / AC in, (0, 1] */
	const char **sources;
	size_t n_sources;
	const char *notes;
	int line;
} gr_hw_system;
/* The described system, NULL when the registry entry has none. */
const gr_hw_system *gr_hw_system_of(const gr_hw *hw);
double gr_hw_tdp_w(const gr_hw *hw, int mode);   /* the mode's budget when given */
double gr_hw_idle_w(const gr_hw *hw);            /* 0 when unknown */
/* Dynamic energy coefficients from the literature; 0 when the file gives none. */
double gr_hw_energy_pj_per_op(const gr_hw *hw, gr_precision p);
double gr_hw_energy_pj_per_byte(const gr_hw *hw, const char *level);

double gr_hw_launch_overhead_us(const gr_hw *hw);   /* per kernel; 0 when unknown */
double gr_hw_dispatch_overhead_us(const gr_hw *hw); /* per graph/request; 0 when unknown */

/* Host and peer links; NULL / 0 when not given. */
const char *gr_hw_host_link(const gr_hw *hw);
double gr_hw_host_bandwidth_gbps(const gr_hw *hw);

/* Operator restrictions (NPUs, DSPs). With no list every op runs on the device. */
int gr_hw_op_supported(const gr_hw *hw, const char *op_type);
size_t gr_hw_restricted_op_count(const gr_hw *hw);
const char *gr_hw_restricted_op(const gr_hw *hw, size_t i);
const char *gr_hw_fallback(const gr_hw *hw);  /* "host_cpu", ... or NULL */

size_t gr_hw_source_count(const gr_hw *hw);
const char *gr_hw_source(const gr_hw *hw, size_t i);

/* The platform restrictions.fallback names, resolved when the registry loads; NULL for
 * host_cpu, for an id the registry does not hold, and for a platform outside a registry. */
const gr_hw *gr_hw_fallback_platform(const gr_hw *hw);

/* --- Estimator parameters ------------------------------------------------------------- */

/* The kernel classes of the efficiency table, in the order of graphs/transform.h's
 * gr_kernel_class (the estimator checks that the two agree). */
#define GR_HW_KERNEL_CLASS_COUNT 12
/* "conv", "dwconv", ..., "other"; NULL when out of range. */
const char *gr_hw_kernel_class_key(int k);

/* What the estimator assumes of a platform where nothing was measured. Every value is a key
 * of the class defaults (hardware/classes/<class>.yaml) that a platform file overrides key by
 * key (its `estimator` and `overheads` sections). Schema and meaning: docs/hardware.md. */
typedef struct gr_hw_estimator {
	double kernel_launch_us, dispatch_us;          /* overheads.* */
	double efficiency[GR_HW_KERNEL_CLASS_COUNT];   /* share of peak at full size, (0, 1] */
	double fill_half_flops;   /* a kernel of w FLOPs reaches w / (w + half) of its efficiency */
	int fill_per_unit;        /* half is per compute unit online */
	int fill_all_kernels;     /* 1: every kernel class; 0: matrix kernels only */
	double fill_vector_us;    /* > 0: a vector-class kernel's ramp-up is this time, not half */
	double eager_op_us;       /* per op an eager runtime launches here, on top of the launch
				   * and the runtime's op_overhead_us (host-side device bookkeeping) */
	double mem_eff_dram, mem_eff_cache;            /* achieved / datasheet bandwidth */
	int64_t tile_m, tile_n;   /* output tile of a GPU's matrix kernels (wave quantization); 0: none */
	int64_t group_tile_n;     /* output channels one matrix-kernel tile spans: a grouped conv with
				   * fewer per group fills group width / this of it; 0: no such loss */
	int64_t group_simd_vectors; /* CPUs: the tile is this many SIMD vectors of fp32 lanes */
	int64_t array_rows, array_cols; /* systolic array (K rows, N columns padded); 0: none */
	double on_chip_ops_per_byte; /* feed of a device whose memory levels give no bandwidth */
	int on_chip_residency;    /* weights stay on chip across inferences up to its capacity; the
				   * rest streams from DRAM or the host link on every inference */
	double idle_share_of_tdp;    /* idle power when power.idle_w is not given */
	double pj_per_byte_on_chip, pj_per_byte_hbm, pj_per_byte_lpddr, pj_per_byte_dram;
	double host_gflops, host_bandwidth_gbps; /* the host CPU that runs fallback ops */
	double host_link_gbps;    /* the link to it when interconnect gives no bandwidth */
	/* steady state (docs/estimate.md, "Latency and throughput"); 0 where not given: one
	 * request after another, nothing overlapped */
	int pipeline_dataflow;    /* layers placed across the chip, frames flow through them */
	int64_t pipeline_streams; /* requests the platform runs at once (engines, contexts) */
	double pipeline_balance;  /* share of the device's work rate the steady state keeps busy */
	int pipeline_overlap_transfers; /* host link DMA overlaps compute */
	/* share of the time of a kernel off the critical path that the kernels beside it hide
	 * (the device runs independent branches at once); 0 where not given: all in series */
	double branch_overlap;
} gr_hw_estimator;

/* Fills *out with hw's parameters: its own values, else its class's. Returns 0, or -1 when
 * one has no value (hw was loaded outside a registry, or its class file is missing); then
 * why (may be NULL) names the key and the class file. */
int gr_hw_estimator_params(const gr_hw *hw, gr_hw_estimator *out, char *why, size_t why_size);
/* Output channels a matrix-kernel tile spans for grouped convolutions on hw: group_conv.simd_vectors
 * x the fp32 lanes of its simd_width_bits where both are given, else group_conv.tile_n; 0: none. */
double gr_hw_group_tile_n(const gr_hw *hw, const gr_hw_estimator *ep);
/* 1 when the parameter key ("estimator.fill.half_flops", "overheads.kernel_launch_us")
 * comes from hw's class defaults, 0 when hw gives it, -1 when the key is unknown or unset. */
int gr_hw_estimator_from_class(const gr_hw *hw, const char *key);

/* --- Validation ----------------------------------------------------------------------- */

typedef enum gr_hw_severity { GR_HW_ERROR = 0, GR_HW_WARNING = 1 } gr_hw_severity;

/* One problem found by validation. All strings live only during the callback. */
typedef struct gr_hw_problem {
	gr_hw_severity severity;
	const char *file;  /* may be NULL */
	int line;          /* 1-based; 0 when unknown */
	const char *key;   /* dotted path, e.g. "compute.units", "memory[2].bandwidth_gbps"; "" for the file */
	const char *msg;   /* the whole line: "FILE:LINE: key 'compute.units': expected a positive integer" */
} gr_hw_problem;

typedef void (*gr_hw_report_fn)(const gr_hw_problem *p, void *user);

/* Validates a file or a folder tree of *.yaml files: syntax, schema, types, units, and
 * consistency (declared peak vs units x ops/clk x clock within 5%, bandwidth plausible for the
 * memory type and bus, idle < tdp, mode clocks within the maximum, duplicate ids, ...).
 * Every problem goes to fn (may be NULL), not just the first. Returns the number of problems
 * (errors and warnings; see the severity to tell them apart). */
int gr_hw_validate_path(const char *path, gr_hw_report_fn fn, void *user);
/* Validates builtin_dir (NULL: none) and every folder of $GRAPHS_HARDWARE_PATH, each as
 * gr_hw_validate_path does, plus a warning naming both files for each id that a user folder
 * replaces. Returns the number of problems. */
int gr_hw_validate_registry_path(const char *builtin_dir, gr_hw_report_fn fn, void *user);
/* Consistency checks of one loaded platform. Returns the number of problems. */
int gr_hw_validate(const gr_hw *hw, gr_hw_report_fn fn, void *user);
/* gr_hw_validate over every platform of the registry. */
int gr_hw_validate_registry(const gr_hw_registry *r, gr_hw_report_fn fn, void *user);

/* --- Host detection and output -------------------------------------------------------- */

/* Describes this machine's CPU (id "host"): cores, threads and caches from hwloc, SIMD width
 * and FMA from /proc/cpuinfo, clock from cpufreq, memory size from hwloc. DRAM bandwidth is
 * estimated from DMI when readable, else a conservative default marked measured: false.
 * On success *out is owned by the caller: gr_hw_free(). */
gr_status gr_hw_detect_host(gr_hw **out, gr_error *err);

/* Writes hw as a registry YAML file that gr_hw_load_file reads back. */
gr_status gr_hw_write_yaml(const gr_hw *hw, FILE *f, gr_error *err);
/* Same as gr_hw_write_yaml (for `graphs hw show ID`). */
gr_status gr_hw_show_yaml(const gr_hw *hw, FILE *f, gr_error *err);
/* Writes hw as one JSON object (everything the YAML holds, peaks in TOPS at every mode). */
gr_status gr_hw_show_json(const gr_hw *hw, FILE *f, gr_error *err);
/* Writes the registry as a JSON array of {id, name, vendor, class, category, peak_tops{...},
 * memory_gb, tdp_w, modes[]} (for `graphs hw list --format json`). */
gr_status gr_hw_registry_print_json(const gr_hw_registry *r, FILE *f, gr_error *err);

#ifdef __cplusplus
}
#endif
#endif
