/*
 * modifier_list.h — every Sigma value modifier, one row each (X-macro).
 *
 * X(id, name, apply): apply is the transform run on the value's variants in
 * chain order (modifiers.c), or none for modifiers that only set how the
 * value is matched (re, cidr, lt, exists, …; read by value.c).
 * Included without guard on purpose: each user defines X.
 */
X(CONTAINS, "contains", mod_contains)
X(STARTSWITH, "startswith", mod_startswith)
X(ENDSWITH, "endswith", mod_endswith)
X(ALL, "all", none)
X(WINDASH, "windash", mod_windash)
X(BASE64, "base64", mod_base64)
X(BASE64OFFSET, "base64offset", mod_base64offset)
X(UTF16LE, "utf16le", mod_utf16le)
X(WIDE, "wide", mod_utf16le)
X(UTF16BE, "utf16be", mod_utf16be)
X(UTF16, "utf16", mod_utf16)
X(RE, "re", none)
X(RE_I, "i", none)
X(RE_M, "m", none)
X(RE_S, "s", none)
X(CIDR, "cidr", none)
X(EXISTS, "exists", none)
X(LT, "lt", none)
X(LTE, "lte", none)
X(GT, "gt", none)
X(GTE, "gte", none)
X(NEQ, "neq", none)
X(FIELDREF, "fieldref", none)
X(CASED, "cased", none)
X(EXPAND, "expand", none)
X(MINUTE, "minute", none)
X(HOUR, "hour", none)
X(DAY, "day", none)
X(WEEK, "week", none)
X(MONTH, "month", none)
X(YEAR, "year", none)
