/*
 * format_list.h — every reader, one line each (X-macro). Order matters only
 * when two probes tie: the earlier wins.
 */
FORMAT(zeek)
FORMAT(zeek_json)
FORMAT(eve)
FORMAT(access)
FORMAT(w3c)
FORMAT(weberror)
FORMAT(evtx)
FORMAT(winjson)
FORMAT(journal)
FORMAT(syslog)
FORMAT(jsonl)
