/* cmd_hunt.c — `aptscope hunt` (being built). */
#include <stdio.h>

#include "cmd.h"

int cmd_hunt(int argc, char **argv)
{
	fprintf(stderr, "aptscope hunt: not built yet\n");
	return EXIT_ERR;
}
