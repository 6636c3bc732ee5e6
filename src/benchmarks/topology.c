/* The machine's topology from hwloc, for host detection (gr_hw_detect_host). */
#include <hwloc.h>
#include <string.h>

#include "core/benchlib.h"

gr_status gr_bench_host_topology(gr_bench_topology *t, gr_error *err)
{
	static const hwloc_obj_type_t caches[4] = {HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L1CACHE,
						   HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE};
	hwloc_topology_t topo;

	memset(t, 0, sizeof(*t));
	if (hwloc_topology_init(&topo))
		return gr_error_set(err, GR_ERR_NOMEM, "cannot initialise hwloc");
	if (hwloc_topology_load(topo)) {
		hwloc_topology_destroy(topo);
		return gr_error_set(err, GR_ERR_IO, "hwloc cannot read this machine's topology");
	}
	t->cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	t->pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
#if HWLOC_API_VERSION >= 0x00020400
	t->kinds = hwloc_cpukinds_get_nr(topo, 0);
#endif
	for (int level = 1; level <= 3; level++) {
		hwloc_obj_t obj = hwloc_get_obj_by_type(topo, caches[level], 0);
		t->cache_count[level] = hwloc_get_nbobjs_by_type(topo, caches[level]);
		if (obj && obj->attr)
			t->cache_bytes[level] = (int64_t)obj->attr->cache.size;
	}
	t->mem_bytes = (int64_t)hwloc_get_root_obj(topo)->total_memory;
	hwloc_topology_destroy(topo);
	return GR_OK;
}
