/*
 * format_list.h — every reader, one line each (X-macro). Order matters only
 * when two probes tie: the earlier wins.
 */
FORMAT(eve)
FORMAT(jsonl)
