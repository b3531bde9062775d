/*
 * fuzz_intel_kb.c — the knowledge base's own JSON-lines format on arbitrary
 * bytes, read by the flat-line scanner and by jansson.
 *
 * The input follows the format's header line and is imported twice: as it
 * is, and with every line that opens an object given a first member holding
 * a \u escape, which the scanner never takes, so that jansson reads each of
 * them. The unknown member changes nothing, so both knowledge bases must
 * export the same text and count the same objects and skipped lines; any
 * difference traps. Every input is imported or rejected, never a crash, a
 * leak or a hang.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intel/intel.h"

static const char header[] = "{\"type\":\"aptscope-kb\",\"version\":1}\n";

/* text with each line that starts with '{' opened by a member jansson alone reads */
static void through_jansson(const char *text, size_t len, struct buf *out)
{
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		if (e > p && *p == '{') {
			const char *q = p + 1;
			while (q < e && *q == ' ')
				q++;
			buf_puts(out, "{\"zz\":\"\\u0041\"");
			buf_puts(out, q < e && *q == '}' ? "" : ",");
			buf_append(out, p + 1, (size_t)(e - p - 1));
		} else {
			buf_append(out, p, (size_t)(e - p));
		}
		if (nl)
			buf_putc(out, '\n');
		p = e + 1;
	}
}

static void import(const struct buf *text, struct buf *exp, struct kb_import_stats *st,
		   struct kb_stats *s)
{
	struct kb *kb;
	if (kb_new(&kb))
		abort();
	kb_import_mem(kb, "fuzz", text->data, text->len, NULL, st);
	kb_export(kb, exp);
	kb_stats_get(kb, s);
	kb_free(kb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 18))
		return 0;
	struct buf a = BUF_INIT, b = BUF_INIT, ea = BUF_INIT, eb = BUF_INIT;
	buf_append(&a, header, sizeof header - 1);
	buf_append(&a, data, size);
	buf_append(&b, header, sizeof header - 1);
	through_jansson((const char *)data, size, &b);
	struct kb_import_stats sa = {0}, sb = {0};
	struct kb_stats ka, kb;
	memset(&ka, 0, sizeof ka);
	memset(&kb, 0, sizeof kb);
	import(&a, &ea, &sa, &ka);
	import(&b, &eb, &sb, &kb);
	if (!a.err && !b.err &&
	    (ea.len != eb.len || memcmp(ea.data, eb.data, ea.len) || sa.objects != sb.objects ||
	     sa.skipped != sb.skipped || memcmp(&ka, &kb, sizeof ka)))
		__builtin_trap();
	buf_free(&a);
	buf_free(&b);
	buf_free(&ea);
	buf_free(&eb);
	return 0;
}
