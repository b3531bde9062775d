/* cmd_formats.c — `aptscope formats`: the reader table. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "read/format.h"

int cmd_formats(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf(
		    "usage: aptscope formats\n\nLists the log formats aptscope reads. Formats are "
		    "detected from content;\n--format NAME forces one in hunt and events.\n");
		return EXIT_OK;
	}
	for (size_t i = 0; i < format_count; i++)
		printf("%-10s %s\n", format_table[i]->name, format_table[i]->summary);
	return EXIT_OK;
}
