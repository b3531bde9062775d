/*
 * cmd.h — the aptscope subcommands: one file each, one row in main.c.
 * Each returns the process exit status: 0 ok, 1 error, 2 usage.
 */
#ifndef AS_APP_CMD_H
#define AS_APP_CMD_H

#define CMD_LIST(X)                                                                                \
	X(hunt, "hunt threats in logs: read, detect, store, print alerts")                         \
	X(events, "print the normalised events of logs as JSON lines")                             \
	X(formats, "list the log formats aptscope reads")                                          \
	X(intel, "the threat-intel knowledge base: import, show, search, conflicts")               \
	X(incidents, "list the incidents found by earlier hunts, each with its story")             \
	X(incident, "show one incident: its story, why each alert belongs, its timeline")          \
	X(attribute, "rank the groups behind a set of observations (JSON, MISP event, STIX)")      \
	X(report, "the threat-landscape report of a period: HTML, Markdown, JSON or STIX 2.1")     \
	X(rules, "check Sigma rules: list each rule that cannot load, and why")                    \
	X(scan,                                                                                    \
	  "scan files and archives with YARA rules, hash indicators and the supply manifest")      \
	X(simulate,                                                                                \
	  "write a simulated year of APT activity across many organisations, with its truth")

#define X(name, doc) int cmd_##name(int argc, char **argv);
CMD_LIST(X)
#undef X

enum { EXIT_OK = 0, EXIT_ERR = 1, EXIT_USAGE = 2 };

#endif
