/* graphs: entry point. The commands are in libgraphs (src/cli/, gr_command_main); the program
 * links libgraphs.so, which loads libgraphs-bench.so for the commands that measure. */
#include "graphs/command.h"

int main(int argc, char **argv)
{
	return gr_command_main(argc, argv);
}
