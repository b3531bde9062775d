/*
 * winevent.h — Windows events (EVTX, JSON exports, Sysmon for Linux) to one
 * set of native names and to canonical fields.
 *
 * Every Windows reader hands the values of one record to a struct winevent
 * under the names Sigma rules use: System fields as EventID, Channel,
 * Provider_Name, Computer, TimeCreated, Execution_ProcessID, Security_UserID
 * …; EventData <Data Name="X"> as X; unnamed <Data> elements as Data1, Data2 …
 * each and all of them, joined by newlines, as Data (Sigma rules test Data
 * with contains/re for text that may sit in any of them: classic PowerShell
 * 400/800, Application events);
 * UserData leaf elements by their element name. winevent_finish() then maps
 * the few names that matter (by Channel/Provider and EventID) to canonical
 * fields: Sysmon and Security process creation, network, DNS, file events,
 * log-ons (4624/4625/4648/4768/4771/4776/4740, RDP), hashes, host, time.
 *
 * Values are slices that must live as long as the event (the read buffer or
 * the batch arena). Native fields are added only when w->fields is set; the
 * canonical mapping needs only the handful of slots kept in w->v.
 */
#ifndef AS_READ_WINEVENT_H
#define AS_READ_WINEVENT_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/diag.h"
#include "core/slice.h"
#include "event/event.h"

/* The Windows names that feed canonical fields. */
#define WINEVENT_SLOT_LIST(X)                                                                      \
	X(EVENT_ID, "EventID")                                                                     \
	X(CHANNEL, "Channel")                                                                      \
	X(PROVIDER, "Provider_Name")                                                               \
	X(COMPUTER, "Computer")                                                                    \
	X(TIME, "TimeCreated")                                                                     \
	X(IMAGE, "Image")                                                                          \
	X(NEW_PROCESS_NAME, "NewProcessName")                                                      \
	X(COMMAND_LINE, "CommandLine")                                                             \
	X(PARENT_IMAGE, "ParentImage")                                                             \
	X(PARENT_PROCESS_NAME, "ParentProcessName")                                                \
	X(PARENT_COMMAND_LINE, "ParentCommandLine")                                                \
	X(USER, "User")                                                                            \
	X(SUBJECT_USER, "SubjectUserName")                                                         \
	X(TARGET_USER, "TargetUserName")                                                           \
	X(TARGET_DOMAIN, "TargetDomainName")                                                       \
	X(PROCESS_ID, "ProcessId")                                                                 \
	X(NEW_PROCESS_ID, "NewProcessId")                                                          \
	X(HASHES, "Hashes")                                                                        \
	X(HASH, "Hash")                                                                            \
	X(SOURCE_IP, "SourceIp")                                                                   \
	X(SOURCE_PORT, "SourcePort")                                                               \
	X(SOURCE_HOST, "SourceHostname")                                                           \
	X(DEST_IP, "DestinationIp")                                                                \
	X(DEST_PORT, "DestinationPort")                                                            \
	X(DEST_HOST, "DestinationHostname")                                                        \
	X(PROTOCOL, "Protocol")                                                                    \
	X(QUERY_NAME, "QueryName")                                                                 \
	X(TARGET_FILENAME, "TargetFilename")                                                       \
	X(IMAGE_LOADED, "ImageLoaded")                                                             \
	X(IP_ADDRESS, "IpAddress")                                                                 \
	X(IP_PORT, "IpPort")                                                                       \
	X(WORKSTATION_NAME, "WorkstationName")                                                     \
	X(WORKSTATION, "Workstation")                                                              \
	X(LOGON_TYPE, "LogonType")                                                                 \
	X(AUTH_PACKAGE, "AuthenticationPackageName")                                               \
	X(TARGET_SERVER, "TargetServerName")                                                       \
	X(STATUS, "Status")                                                                        \
	X(SUB_STATUS, "SubStatus")                                                                 \
	X(PARAM1, "Param1")                                                                        \
	X(PARAM3, "Param3")                                                                        \
	X(ADDRESS, "Address")

enum winevent_slot {
#define X(id, name) WV_##id,
	WINEVENT_SLOT_LIST(X)
#undef X
	    WV_COUNT
};

struct winevent {
	struct event *ev;
	struct arena *a;
	bool fields;      /* add native fields */
	bool hex_minimal; /* XML from libevtx: "0x00000018" → "0x18", see winevent.c */
	unsigned ndata;   /* unnamed <Data> elements so far */
	char *data_all;   /* their values joined by '\n' (arena), for Data */
	size_t data_len, data_cap;
	struct slice v[WV_COUNT]; /* first value of each slot; ptr NULL when absent */
	/* the time TimeCreated's text stands for, when the reader wrote that
	 * text from a time it had (EVTX FILETIME): not parsed back */
	bool time_known;
	int64_t time_us;
};

void winevent_begin(struct winevent *w, struct event *ev, struct arena *a, bool fields);

/* One field under its Windows name. The first value of a slot is kept.
 * 0, or AS_ENOMEM / AS_ETOOBIG (too many native fields). */
int winevent_add(struct winevent *w, struct slice name, enum field_type type, struct slice value);

/* winevent_add for a name whose slot (winevent_slot, -1 for none) and
 * interned id are known, no longer than AS_MAX_FIELD_NAME. Inline: the
 * EVTX plans call it for every field. */
static inline int winevent_add_id(struct winevent *w, int slot, uint32_t id, enum field_type type,
				  struct slice value)
{
	if (slot >= 0 && !w->v[slot].ptr)
		w->v[slot] = value.ptr ? value : slice_make("", 0);
	if (!w->fields)
		return 0;
	struct event *ev = w->ev;
	if (ev->nfields < ev->fields_cap && id != UINT32_MAX /* FIELDNAME_NONE */) {
		ev->fields[ev->nfields++] = (struct field){id, (uint32_t)type, value};
		return 0;
	}
	return event_field_add(ev, w->a, id, type, value);
}

/* One unnamed <Data> element: Data1, Data2 …, and part of Data (added by
 * winevent_finish). */
int winevent_add_data(struct winevent *w, struct slice value);

/* The Data field, then canonical fields from the slots: kind, time, host,
 * event_id, process, network, DNS, file, log-on fields. Odd values are
 * left out; 0, or AS_ENOMEM / AS_ETOOBIG when Data cannot be added. */
int winevent_finish(struct winevent *w);

/* The slot a Windows name feeds, or -1. */
int winevent_slot(struct slice name);

/*
 * One <Event> document as Windows renders it (libevtx, Sysmon for Linux):
 * System, EventData, UserData and other sections go into w as above;
 * RenderingInfo is left out (its Level/Task/Channel are display names that
 * would shadow the System values). Entities are decoded into w->a when a
 * value holds one. 0, or AS_EPARSE / AS_ETOOBIG with *why set.
 */
/* The UTF-8 bytes of code point c into d (room for 4); returns how many. */
size_t winevent_utf8_put(char *d, uint32_t c);
/* XML entity references of s decoded into arena a (the five predefined ones
 * and numeric ones; an unknown one is kept as written). 0 or AS_ENOMEM. */
int winevent_xml_unescape(struct arena *a, struct slice s, struct slice *out);

int winevent_xml_parse(struct winevent *w, struct slice xml, struct diag *why);

#endif
