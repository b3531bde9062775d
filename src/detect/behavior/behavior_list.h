/*
 * behavior_list.h — the behaviour modules, one line each (X-macro). Adding a
 * detector touches this list and one new file.
 */
BEH_MODULE(bruteforce)
BEH_MODULE(ddos)
BEH_MODULE(beacon)
BEH_MODULE(dnstunnel)
BEH_MODULE(exfil)
