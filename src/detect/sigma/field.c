/*
 * field.c — a rule's field name to the event field names that may carry it.
 *
 * Windows readers name fields as Sysmon and the Security log write them, so
 * a Sigma field is first looked up under its own name. When the event lacks
 * it, alternatives are tried in order: the Security 4688 names that the
 * Sigma tooling maps process_creation onto (NewProcessName for Image, …), the
 * ECS names of Elastic-shaped JSON, and the nested Windows-JSON spellings
 * (winlog.event_data.X, EventData.X). Since an event carries either the Sysmon
 * or the other spelling, trying them in turn maps per log source without
 * having to know which one the event is.
 */
#include <string.h>

#include "detect/sigma/sigma_int.h"
#include "event/fieldname.h"

static const struct {
	const char *sigma;
	const char *alts[3];
} aliases[] = {
    {"Image", {"NewProcessName", "process.executable", NULL}},
    {"ParentImage", {"ParentProcessName", "process.parent.executable", NULL}},
    {"User", {"SubjectUserName", "user.name", NULL}},
    {"CommandLine", {"process.command_line", NULL, NULL}},
    {"ParentCommandLine", {"process.parent.command_line", NULL, NULL}},
    {"OriginalFileName", {"process.pe.original_file_name", NULL, NULL}},
    {"TargetFilename", {"file.path", NULL, NULL}},
    {"ImageLoaded", {"dll.path", "file.path", NULL}},
    {"QueryName", {"dns.question.name", NULL, NULL}},
    {"DestinationIp", {"destination.ip", NULL, NULL}},
    {"DestinationPort", {"destination.port", NULL, NULL}},
    {"DestinationHostname", {"destination.domain", NULL, NULL}},
    {"SourceIp", {"source.ip", NULL, NULL}},
    {"SourcePort", {"source.port", NULL, NULL}},
    {"TargetObject", {"registry.path", NULL, NULL}},
    {"Details", {"registry.data.strings", NULL, NULL}},
    {"Hashes", {"process.hash.sha256", NULL, NULL}},
    {"ScriptBlockText", {"powershell.file.script_block_text", NULL, NULL}},
};

static void push(struct sigma_field *f, const char *name, size_t len)
{
	if (f->nids >= SIGMA_FIELD_ALTS)
		return;
	uint32_t id = fieldname_intern(slice_make(name, len));
	if (id == FIELDNAME_NONE)
		return;
	for (unsigned i = 0; i < f->nids; i++)
		if (f->ids[i] == id)
			return;
	f->ids[f->nids++] = id;
}

/* prefix + name into buf (room for both: name is at most 200 bytes). A
 * rule set resolves some 20,000 field names; snprintf was most of it. */
static size_t join(char *buf, const char *prefix, size_t plen, const char *name, size_t nlen)
{
	memcpy(buf, prefix, plen);
	memcpy(buf + plen, name, nlen);
	buf[plen + nlen] = 0;
	return plen + nlen;
}

void sigma_field_resolve(struct sigma_field *f, const char *name)
{
	memset(f, 0, sizeof *f);
	f->name = name;
	size_t len = strlen(name);
	push(f, name, len);
	for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++) {
		if (aliases[i].sigma[0] != name[0] || strcmp(aliases[i].sigma, name))
			continue;
		for (int k = 0; k < 3 && aliases[i].alts[k]; k++)
			push(f, aliases[i].alts[k], strlen(aliases[i].alts[k]));
	}
	if (strchr(name, '.') || len > 200)
		return;
	static const char wl[] = "winlog.event_data.", ed[] = "EventData.";
	char buf[256];
	push(f, buf, join(buf, wl, sizeof wl - 1, name, len));
	push(f, buf, join(buf, ed, sizeof ed - 1, name, len));
}
