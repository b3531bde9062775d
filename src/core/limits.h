/*
 * limits.h — every hard limit of aptscope in one place.
 *
 * Inputs are hostile: a line may be gigabytes long, a JSON object nested a
 * million deep, a feed may hold a billion indicators. Every growable buffer
 * and every table checks one of these maxima and reports AS_ETOOBIG (or
 * counts and sheds) instead of growing without bound.
 */
#ifndef AS_CORE_LIMITS_H
#define AS_CORE_LIMITS_H

/* Reading */
#define AS_READ_CHUNK          (1u << 20)    /* bytes read per batch from a file */
#define AS_MAX_LINE            (4u << 20)    /* longest line or record accepted */
#define AS_MAX_BATCH_EVENTS    256           /* events per batch */
#define AS_MAX_FIELDS          512           /* native fields kept per event */
#define AS_MAX_JSON_DEPTH      64            /* nesting depth of JSON records */
#define AS_MAX_FIELD_NAME      256           /* longest dotted field name */
#define AS_MAX_WALK_DEPTH      64            /* directory recursion depth */
#define AS_MAX_FILES           (1u << 22)    /* files taken from one walk */
#define AS_MAX_DECOMPRESSED    (64ull << 30) /* bytes produced by one .gz/.zst */
#define AS_PROBE_BYTES         8192          /* bytes looked at to detect a format */
#define AS_MAX_ZEEK_COLUMNS    256           /* columns in a Zeek #fields header */
#define AS_MAX_W3C_COLUMNS     128           /* columns in an IIS #Fields header */
#define AS_MAX_XML_DEPTH       32            /* nesting of one Windows event's XML */
#define AS_MAX_EVTX_XML        (1u << 20)    /* bytes of one EVTX record rendered as XML */
#define AS_MAX_EVTX_INFLATED   (1ull << 30)  /* bytes of a .evtx.gz/.zst inflated into memory */
#define AS_EVTX_MAX_NESTING    16            /* templates and BinXML values nested in one record */
#define AS_EVTX_MAX_VALUES     1024          /* substitution values of one template instance */
#define AS_EVTX_MAX_VALUES_ALL 8192          /* substitution values of one record, all levels */
/* BinXML tokens walked for one record (templates expanded) */
#define AS_EVTX_MAX_TOKENS   (1u << 18)
#define AS_EVTX_MAX_NAMES    (256u << 10)  /* bytes of element names cached for one chunk */
#define AS_EVTX_MAX_FILE     (16ull << 30) /* bytes of one .evtx mapped by the native reader */
#define AS_EVTX_MAP_KEEP     (8u << 20)    /* bytes of a mapped .evtx kept behind the chunk read */
#define AS_EVTX_MAX_PLAN     (4u << 20)    /* bytes of recorded template plans for one chunk */
#define AS_EVTX_MAX_PLAN_LIB (16u << 20)   /* bytes of plans kept across chunks, per thread */

/* Arenas and buffers */
#define AS_ARENA_BLOCK (64u << 10)  /* default arena block */
#define AS_MAX_ARENA   (256u << 20) /* one arena (one batch) at most */
#define AS_MAX_BUF     (1u << 30)   /* one dynamic buffer at most */

/* Diagnostics */
#define AS_MAX_DIAG_PER_FILE 20  /* bad-record messages printed per file */
#define AS_MAX_DIAG_MSG      240 /* length of one diagnostic message */

/* Indicators */
#define AS_MAX_INDICATORS    (64u << 20)  /* indicators in one set */
#define AS_MAX_INDICATOR_LEN 4096         /* longest indicator value */
#define AS_MAX_IOC_META      (1u << 20)   /* distinct (source,label,groups) tuples */
#define AS_MAX_IOC_FILE      (4ull << 30) /* bytes of one indicator feed file */
#define AS_MAX_IOC_CSV_COLS  64           /* columns of an indicator CSV */

/* Alerts */
#define AS_HUNT_MAX_PENDING     16384 /* alerts of files ahead of the output order held in memory */
#define AS_MAX_ALERT_INDICATORS 16    /* indicator hits listed on one alert */
#define AS_MAX_ALERT_TECHNIQUES 16    /* techniques listed on one alert */

/* Sigma */
#define AS_SIGMA_MAX_RULES       (1u << 18)   /* rules in one rule set */
#define AS_SIGMA_MAX_FILE        (4u << 20)   /* bytes of one rule file */
#define AS_SIGMA_MAX_YAML_DEPTH  32           /* nesting of a rule's YAML */
#define AS_SIGMA_MAX_YAML_ITEMS  65536        /* entries of one YAML list or map */
#define AS_SIGMA_MAX_VARIANTS    4096         /* values one rule value expands to (windash, …) */
#define AS_SIGMA_MAX_COND_DEPTH  64           /* nesting of a condition */
#define AS_SIGMA_RE_MATCH_LIMIT  100000       /* PCRE2 match limit per regex test */
#define AS_SIGMA_RE_DEPTH_LIMIT  1000         /* PCRE2 depth limit per regex test */
#define AS_SIGMA_MAX_LSCACHE     4096         /* logsource keys cached per worker */
#define AS_SIGMA_MAX_SUBDB       64           /* class sets with prefilter pairs of their own */
#define AS_SIGMA_MAX_HSDB        (256u << 20) /* bytes of one cached prefilter database file */
#define AS_SIGMA_MAX_HSCACHE     (512ull << 20) /* bytes of all cached database files */
#define AS_SIGMA_HSCACHE_TOUCH   3600           /* seconds a cache file's time may lag its use */
#define AS_SIGMA_MAX_TREECACHE   (64u << 20)    /* bytes of one cached bundle of rule trees */
#define AS_SIGMA_MAX_CORR_KEYS   (1u << 16)     /* group-by keys held per correlation per worker */
#define AS_SIGMA_MAX_CORR_EVENTS 4096           /* values/times held per group-by key */
#define AS_SIGMA_MAX_CORR_ALL    (1u << 21)     /* window entries of all correlations (64 MiB) */

/* Store */
#define AS_STORE_TX_ROWS 5000 /* rows per write transaction */

/* Threat-intel knowledge base */
#define AS_MAX_KB_FILE      (256u << 20) /* bytes of one intel file (STIX bundle, galaxy, feed) */
#define AS_MAX_KB_LIST      4096 /* entries in one list of a group (aliases, techniques, …) */
#define AS_MAX_KB_OBJECTS   (1u << 22) /* groups, software, techniques, CVEs, … in one kb */
#define AS_MAX_KB_CONFLICTS (1u << 18) /* disagreements kept */
#define AS_MAX_KB_STRING    8192       /* longest name, alias or reference kept */
#define AS_MAX_ASSETS       (1u << 20) /* rows of an assets file */

/* File scanning (files/, detect/yara/, detect/supply/) */
#define AS_MAX_SCAN_FILE       (256ull << 20) /* bytes of one file or archive member scanned */
#define AS_MAX_ARCHIVE_DEPTH   4              /* archives nested inside archives */
#define AS_MAX_ARCHIVE_MEMBERS 65536          /* members read from one archive */
#define AS_MAX_ARCHIVE_TOTAL   (2ull << 30)   /* bytes unpacked from one file on disk */
#define AS_MAX_ARCHIVE_RATIO   250            /* unpacked:packed beyond which it is a bomb */
#define AS_MAX_SCAN_PATH       4096           /* longest path (with archive members) */
#define AS_YARA_TIMEOUT_S      60             /* seconds of scanning one file */
#define AS_YARA_MAX_RULE_FILE  (16u << 20)    /* bytes of one rule file */
#define AS_YARA_MAX_RULE_FILES (1u << 16)     /* rule files loaded in one set */
#define AS_YARA_MAX_HITS       64             /* rules reported matching one file */
#define AS_YARA_MAX_STRINGS    16             /* string matches listed per rule hit */
#define AS_YARA_MAX_NAMES      16             /* malware or group names per rule */
#define AS_SUPPLY_MAX_FILE     (64u << 20)    /* bytes of one manifest or hash list */
#define AS_SUPPLY_MAX_ROWS     (1u << 20)     /* entries of one manifest */

/* Behavioural detectors */
#define AS_BEH_MAX_KEYS      (1u << 22)  /* keys one behaviour window may hold (config lowers it) */
#define AS_BEH_MAX_CONF      (1u << 20)  /* bytes of a behavior.conf */
#define AS_BEH_MAX_SAMPLES   4096        /* connection times kept per beacon pair */
#define AS_BEH_SAMPLE_BUDGET (16u << 20) /* connection times kept by all beacon pairs together */
#define AS_BEH_TOP           5           /* top values (users, sources) listed on one alert */
#define AS_BEH_MAX_BLOCKLIST (1u << 20)  /* addresses kept for the blocklist */
#define AS_BEH_MAX_NAME      40          /* bytes of a user or domain name kept in a window */

/* Correlation (correlate/) */
#define AS_CORR_MAX_INCIDENTS  (1u << 16) /* incidents held; beyond it the oldest goes out */
#define AS_CORR_MAX_SET        64   /* hosts, users, indicators, … kept per incident, each */
#define AS_CORR_MAX_RULES      64   /* rules listed per incident; the rest are counted */
#define AS_CORR_RULE_IDS       5    /* first and last alert ids kept per rule of an incident */
#define AS_CORR_MAX_CVES       32   /* CVEs per incident */
#define AS_CORR_MAX_CANDIDATES 32   /* incidents scored for one alert */
#define AS_CORR_MAX_RESUME     4096 /* open incidents taken up again from the store */
#define AS_CORR_MAX_EVIDENCE   (64u << 10) /* bytes of one alert's evidence read */
#define AS_CORR_MAX_KEY        512         /* bytes of one victim or evidence key */

/* Attribution */
#define AS_MAX_ATTR_OBS        4096        /* values of one kind in one set of observations */
#define AS_MAX_ATTR_INDICATORS 65536       /* indicators in one set of observations */
#define AS_MAX_ATTR_VALUE      1024        /* longest observed value kept */
#define AS_MAX_ATTR_FILE       (64u << 20) /* bytes of one observations document */
#define AS_ATTR_DEFAULT_TOP    5           /* candidates returned unless asked */
#define AS_ATTR_MAX_TOP        64          /* candidates returned at most */
#define AS_MAX_ATTR_EVIDENCE   24          /* evidence items listed per candidate */
#define AS_MAX_ATTR_INCIDENTS  (1u << 20)  /* incidents held by one clusterer */
#define AS_MAX_ATTR_CLUSTERS   (1u << 16)  /* clusters of earlier runs taken up by one clusterer */
#define AS_ATTR_CLUSTER_BUCKET 64          /* nodes of one inverted-list run compared pairwise */
#define AS_ATTR_CLUSTER_POSTS  (1u << 24)  /* inverted-list entries (7-grams, techniques) */
#define AS_ATTR_CLUSTER_PAIRS  (1u << 22)  /* pair comparisons of one clustering run */

/* Simulation (aptscope simulate) */
#define AS_SIM_MAX_ORGS    240    /* organisations (one 10.N.0.0/16 each) */
#define AS_SIM_MAX_SCALE   1000.0 /* background volume multiplier */
#define AS_SIM_MAX_DAYS    3660   /* days of one simulated period */
#define AS_SIM_MAX_ATTACKS 4096   /* attacks (truth lines) planned */
#define AS_SIM_MAX_LIST    16     /* techniques, indicators, hosts listed per attack */
#define AS_SIM_MAX_NAME    96     /* one indicator, host or address in the truth */

/* Threat-landscape report (aptscope report) */
#define AS_REPORT_MAX_INCIDENTS (1u << 20)  /* incidents of one period read from the store */
#define AS_REPORT_MAX_JSON      (16u << 20) /* bytes of one stored incident's JSON parsed */
#define AS_REPORT_MAX_KEYS      (1u << 16)  /* distinct values tallied for one figure */
#define AS_REPORT_TOP           15 /* rows of a chart or table in HTML/Markdown (JSON: all) */

#endif
