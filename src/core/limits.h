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
#define AS_READ_CHUNK       (1u << 20)    /* bytes read per batch from a file */
#define AS_MAX_LINE         (4u << 20)    /* longest line or record accepted */
#define AS_MAX_BATCH_EVENTS 4096          /* events per batch */
#define AS_MAX_FIELDS       512           /* native fields kept per event */
#define AS_MAX_JSON_DEPTH   64            /* nesting depth of JSON records */
#define AS_MAX_FIELD_NAME   256           /* longest dotted field name */
#define AS_MAX_WALK_DEPTH   64            /* directory recursion depth */
#define AS_MAX_FILES        (1u << 22)    /* files taken from one walk */
#define AS_MAX_DECOMPRESSED (64ull << 30) /* bytes produced by one .gz/.zst */
#define AS_PROBE_BYTES      8192          /* bytes looked at to detect a format */
#define AS_MAX_ZEEK_COLUMNS 256           /* columns in a Zeek #fields header */
#define AS_MAX_W3C_COLUMNS  128           /* columns in an IIS #Fields header */

/* Arenas and buffers */
#define AS_ARENA_BLOCK (64u << 10)  /* default arena block */
#define AS_MAX_ARENA   (256u << 20) /* one arena (one batch) at most */
#define AS_MAX_BUF     (1u << 30)   /* one dynamic buffer at most */

/* Diagnostics */
#define AS_MAX_DIAG_PER_FILE 20  /* bad-record messages printed per file */
#define AS_MAX_DIAG_MSG      240 /* length of one diagnostic message */

/* Indicators */
#define AS_MAX_INDICATORS    (64u << 20) /* indicators in one set */
#define AS_MAX_INDICATOR_LEN 4096        /* longest indicator value */
#define AS_MAX_IOC_META      (1u << 20)  /* distinct (source,label,groups) tuples */

/* Alerts */
#define AS_MAX_ALERT_INDICATORS 16 /* indicator hits listed on one alert */
#define AS_MAX_ALERT_TECHNIQUES 16 /* techniques listed on one alert */

/* Store */
#define AS_STORE_TX_ROWS 5000 /* rows per write transaction */

#endif
