/* graphs: entry point; dispatches to one function per subcommand (cmd_*.c, commands.c). */
#include "cli/commands.h"

int main(int argc, char **argv)
{
	return cli_dispatch(argc, argv);
}
