/* The library's version and where its data (hardware registry, calibration profiles, model
 * zoo, published figures) lives. One version number: CMake's project(VERSION ...). */
#ifndef GRAPHS_VERSION_H
#define GRAPHS_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

/* "MAJOR.MINOR.PATCH" of the library actually loaded. Static string: never free it. */
const char *gr_version(void);
/* The parts of gr_version(), for checks such as `gr_version_major() == 0`. */
int gr_version_major(void);
int gr_version_minor(void);
int gr_version_patch(void);

/* The folder holding hardware/, calibration/, models/, data/published and web/, found once
 * per process, first match wins:
 *   1. $GRAPHS_DATA_DIR when set and not empty;
 *   2. an installed tree beside the library (or the program it is linked into):
 *      DIR/../share/graphs or DIR/../../share/graphs, where DIR holds libgraphs.so / the program;
 *   3. the source tree the library was built from (a build tree works without installing);
 *   4. PREFIX/share/graphs of the prefix it was configured for;
 *   5. "." when none of these has a hardware/ folder.
 * Static string, valid for the life of the process: never free it. The finer overrides
 * ($GRAPHS_MODELS_DIR, $GRAPHS_CALIBRATION_DIR, $GRAPHS_WEB_DIR, $GRAPHS_HARDWARE_PATH) still
 * apply on top of it. */
const char *gr_data_dir(void);

#ifdef __cplusplus
}
#endif
#endif
