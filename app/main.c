/* main.c — the aptscope command: dispatch to a subcommand (app/cmd_*.c). */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "core/hash.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *doc;
} commands[] = {
#define X(name, doc) {#name, cmd_##name, doc},
    CMD_LIST(X)
#undef X
};

static void usage(FILE *out)
{
	fprintf(out, "usage: aptscope COMMAND [OPTIONS] …\n\n"
		     "aptscope hunts advanced persistent threats in logs, attributes them and\n"
		     "writes the threat-landscape report.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].doc);
	fprintf(out, "\n'aptscope COMMAND --help' tells more.\n");
}

int main(int argc, char **argv)
{
	hash_seed_init();
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("aptscope %s\n", APTSCOPE_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "aptscope: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
