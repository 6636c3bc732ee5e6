/* Where the tests find ../shared/groundtruth (beside the checkout), and what happens when it
 * is not there: a developer's clone without shared/ skips those tests with a message; under
 * CI (CI set in the environment), where shared/ is always laid beside the checkout, a missing
 * ground truth fails instead of silently skipping. Include after <cmocka.h>. */
#ifndef GRAPHS_TEST_GROUNDTRUTH_H
#define GRAPHS_TEST_GROUNDTRUTH_H

#include <stdlib.h>
#include <unistd.h>

#define GT_DIR GRAPHS_SOURCE_DIR "/../shared/groundtruth"

/* Call first in a test that reads GT_DIR/file. */
#define GT_REQUIRE(file)                                                                       \
	do {                                                                                   \
		if (access(GT_DIR "/" file, R_OK) != 0) {                                      \
			print_message("ground truth %s is missing\n", GT_DIR "/" file);        \
			if (getenv("CI"))                                                      \
				fail_msg("CI must have ../shared/groundtruth beside the checkout"); \
			skip();                                                                \
		}                                                                              \
	} while (0)

#endif
