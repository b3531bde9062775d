/*
 * killchain.c — ATT&CK tactics in kill-chain order, the stages of a technique
 * and the severity of an incident.
 *
 * The knowledge base knows every technique's tactics; without one (or for a
 * technique it lacks) a built-in table of the techniques aptscope's own rules
 * and behaviours raise answers, by parent technique. Severity follows the
 * furthest stage reached; the alerts' own levels may raise it by one step at
 * most, so one loud rule on an attempt does not make a breach.
 */
#include <stdlib.h>
#include <string.h>

#include "correlate/correlate_int.h"

static const char *const stage_names[] = {
#define X(id, name) name,
    KILLCHAIN_LIST(X)
#undef X
};

const char *killchain_name(enum killchain_stage s)
{
	return (unsigned)s < KC_COUNT ? stage_names[s] : "unknown";
}

int killchain_parse(const char *name)
{
	if (!name)
		return -1;
	if (!strncmp(name, "attack.", 7))
		name += 7;
	for (int i = 0; i < KC_COUNT; i++) {
		/* Sigma writes tactics with dashes or underscores */
		const char *a = stage_names[i], *b = name;
		while (*a && *b && (*a == *b || (*a == '-' && *b == '_')))
			a++, b++;
		if (!*a && !*b)
			return i;
	}
	return -1;
}

#define B(s) (1u << KC_##s)

static const struct {
	const char *id;
	uint32_t stages;
} builtin[] = {
    {"T1001", B(COMMAND_AND_CONTROL)},
    {"T1003", B(CREDENTIAL_ACCESS)},
    {"T1005", B(COLLECTION)},
    {"T1008", B(COMMAND_AND_CONTROL)},
    {"T1016", B(DISCOVERY)},
    {"T1018", B(DISCOVERY)},
    {"T1020", B(EXFILTRATION)},
    {"T1021", B(LATERAL_MOVEMENT)},
    {"T1027", B(DEFENSE_EVASION)},
    {"T1036", B(DEFENSE_EVASION)},
    {"T1041", B(EXFILTRATION)},
    {"T1046", B(DISCOVERY)},
    {"T1047", B(EXECUTION)},
    {"T1048", B(EXFILTRATION)},
    {"T1053", B(EXECUTION) | B(PERSISTENCE) | B(PRIVILEGE_ESCALATION)},
    {"T1055", B(DEFENSE_EVASION) | B(PRIVILEGE_ESCALATION)},
    {"T1057", B(DISCOVERY)},
    {"T1059", B(EXECUTION)},
    {"T1068", B(PRIVILEGE_ESCALATION)},
    {"T1070", B(DEFENSE_EVASION)},
    {"T1071", B(COMMAND_AND_CONTROL)},
    {"T1074", B(COLLECTION)},
    {"T1078", B(INITIAL_ACCESS) | B(PERSISTENCE) | B(PRIVILEGE_ESCALATION) | B(DEFENSE_EVASION)},
    {"T1082", B(DISCOVERY)},
    {"T1083", B(DISCOVERY)},
    {"T1087", B(DISCOVERY)},
    {"T1090", B(COMMAND_AND_CONTROL)},
    {"T1095", B(COMMAND_AND_CONTROL)},
    {"T1098", B(PERSISTENCE)},
    {"T1105", B(COMMAND_AND_CONTROL)},
    {"T1110", B(CREDENTIAL_ACCESS)},
    {"T1112", B(DEFENSE_EVASION)},
    {"T1114", B(COLLECTION)},
    {"T1119", B(COLLECTION)},
    {"T1132", B(COMMAND_AND_CONTROL)},
    {"T1133", B(INITIAL_ACCESS) | B(PERSISTENCE)},
    {"T1136", B(PERSISTENCE)},
    {"T1140", B(DEFENSE_EVASION)},
    {"T1189", B(INITIAL_ACCESS)},
    {"T1190", B(INITIAL_ACCESS)},
    {"T1195", B(INITIAL_ACCESS)},
    {"T1199", B(INITIAL_ACCESS)},
    {"T1203", B(EXECUTION)},
    {"T1204", B(EXECUTION)},
    {"T1218", B(DEFENSE_EVASION)},
    {"T1219", B(COMMAND_AND_CONTROL)},
    {"T1485", B(IMPACT)},
    {"T1486", B(IMPACT)},
    {"T1489", B(IMPACT)},
    {"T1490", B(IMPACT)},
    {"T1491", B(IMPACT)},
    {"T1498", B(IMPACT)},
    {"T1499", B(IMPACT)},
    {"T1505", B(PERSISTENCE)},
    {"T1543", B(PERSISTENCE) | B(PRIVILEGE_ESCALATION)},
    {"T1547", B(PERSISTENCE) | B(PRIVILEGE_ESCALATION)},
    {"T1550", B(DEFENSE_EVASION) | B(LATERAL_MOVEMENT)},
    {"T1552", B(CREDENTIAL_ACCESS)},
    {"T1555", B(CREDENTIAL_ACCESS)},
    {"T1557", B(CREDENTIAL_ACCESS) | B(COLLECTION)},
    {"T1558", B(CREDENTIAL_ACCESS)},
    {"T1560", B(COLLECTION)},
    {"T1562", B(DEFENSE_EVASION)},
    {"T1565", B(IMPACT)},
    {"T1566", B(INITIAL_ACCESS)},
    {"T1567", B(EXFILTRATION)},
    {"T1568", B(COMMAND_AND_CONTROL)},
    {"T1569", B(EXECUTION)},
    {"T1570", B(LATERAL_MOVEMENT)},
    {"T1572", B(COMMAND_AND_CONTROL)},
    {"T1573", B(COMMAND_AND_CONTROL)},
    {"T1589", B(RECONNAISSANCE)},
    {"T1590", B(RECONNAISSANCE)},
    {"T1592", B(RECONNAISSANCE)},
    {"T1595", B(RECONNAISSANCE)},
};

static int builtin_cmp(const void *key, const void *elem)
{
	const char *k = key;
	const char *id = *(const char *const *)elem;
	return strncmp(k, id, 5);
}

uint32_t killchain_of_technique(const struct kb *kb, const char *technique)
{
	if (!technique || strlen(technique) < 5)
		return 0;
	uint32_t s = kbview_tactics(kb, technique);
	if (s)
		return s;
	const void *hit = bsearch(technique, builtin, sizeof builtin / sizeof builtin[0],
				  sizeof builtin[0], builtin_cmp);
	if (!hit)
		return 0;
	/* a sub-technique inherits its parent's stages */
	const char *tail = technique + 5;
	if (*tail && *tail != '.')
		return 0;
	return ((const __typeof__(builtin[0]) *)hit)->stages;
}

enum alert_level killchain_severity(uint32_t stages, enum alert_level max_level)
{
	enum alert_level sev = AL_LOW;
	if (stages & (B(EXFILTRATION) | B(IMPACT)))
		sev = AL_CRITICAL;
	else if (stages & ~(B(RECONNAISSANCE) | B(RESOURCE_DEVELOPMENT) | B(INITIAL_ACCESS)))
		sev = AL_HIGH;
	else if (stages & B(INITIAL_ACCESS))
		sev = AL_MEDIUM;
	if (max_level > sev)
		sev = sev + 1 < AL_COUNT ? sev + 1 : sev;
	return sev;
}
