/*
 * yara_scan.c — one thread's YARA scanner and the alert of a hit, see
 * yara_engine.h.
 *
 * A struct yara_scanner wraps a YR_SCANNER (libyara's per-thread state) over
 * the shared rules. Before each file it sets the external variables the rules
 * test; libyara calls back once per matching rule, and the callback copies
 * what the evidence needs (rule index, string offsets, up to 64 bytes of each
 * match) while libyara's match lists are still valid.
 */
#include "detect/yara/yara_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"
#include "core/timeparse.h"

struct yara_scanner {
	const struct yara_rules *r;
	YR_SCANNER *sc;
	struct yara_hit hits[AS_YARA_MAX_HITS];
	size_t nhits;
	bool too_many; /* libyara gave up on some string: counted, not fatal */
};

static int callback(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *user)
{
	struct yara_scanner *s = user;
	if (msg == CALLBACK_MSG_TOO_MANY_MATCHES) {
		s->too_many = true;
		return CALLBACK_CONTINUE;
	}
	if (msg != CALLBACK_MSG_RULE_MATCHING || s->nhits >= AS_YARA_MAX_HITS)
		return CALLBACK_CONTINUE;
	YR_RULE *rule = data;
	struct yara_hit *h = &s->hits[s->nhits++];
	h->rule = (uint32_t)(rule - s->r->rules->rules_table);
	h->nstrings = 0;
	YR_STRING *str;
	yr_rule_strings_foreach(rule, str)
	{
		/* libyara packs its match nodes without alignment: copy each one out
		 * before reading it (what the foreach macro would do in place). */
		const YR_MATCH *node = ctx->matches[str->idx].head;
		while (node && h->nstrings < AS_YARA_MAX_STRINGS) {
			YR_MATCH m;
			memcpy(&m, node, sizeof m);
			node = m.next;
			if (m.is_private)
				continue;
			struct yara_string_hit *sh = &h->strings[h->nstrings++];
			sh->id = str->identifier;
			sh->offset = (uint64_t)(m.base + m.offset);
			sh->length = (uint32_t)m.match_length;
			sh->data_len = m.data_length < 0                 ? 0
				       : m.data_length > YARA_MATCH_DATA ? YARA_MATCH_DATA
									 : (uint32_t)m.data_length;
			if (sh->data_len)
				memcpy(sh->data, m.data, sh->data_len);
		}
	}
	return CALLBACK_CONTINUE;
}

int yara_scanner_new(const struct yara_rules *r, int timeout_s, struct yara_scanner **out)
{
	*out = NULL;
	if (!r || !r->rules)
		return AS_EINVAL;
	struct yara_scanner *s = calloc(1, sizeof *s);
	if (!s)
		return AS_ENOMEM;
	s->r = r;
	if (yr_scanner_create(r->rules, &s->sc) != ERROR_SUCCESS) {
		free(s);
		return AS_ENOMEM;
	}
	yr_scanner_set_callback(s->sc, callback, s);
	yr_scanner_set_flags(s->sc, SCAN_FLAGS_REPORT_RULES_MATCHING);
	yr_scanner_set_timeout(s->sc, timeout_s > 0 ? timeout_s : AS_YARA_TIMEOUT_S);
	*out = s;
	return 0;
}

void yara_scanner_free(struct yara_scanner *s)
{
	if (!s)
		return;
	yr_scanner_destroy(s->sc);
	free(s);
}

/* The externals as signature-base expects them: the folder without the file
 * name, the extension lower-cased with its dot. */
static void set_externals(struct yara_scanner *s, const struct file_view *v)
{
	char dir[AS_MAX_SCAN_PATH];
	size_t dl = (size_t)(v->name - v->path);
	if (dl && (v->path[dl - 1] == '/' || v->path[dl - 1] == '\\' || v->path[dl - 1] == '!'))
		dl--;
	if (dl >= sizeof dir)
		dl = sizeof dir - 1;
	memcpy(dir, v->path, dl);
	dir[dl] = 0;
	char ext[32] = "";
	const char *dot = strrchr(v->name, '.');
	if (dot && dot != v->name && strlen(dot) < sizeof ext) {
		size_t i = 0;
		for (; dot[i]; i++)
			ext[i] = (char)tolower((unsigned char)dot[i]);
		ext[i] = 0;
	}
	yr_scanner_define_string_variable(s->sc, "filename", v->name);
	yr_scanner_define_string_variable(s->sc, "filepath", dir);
	yr_scanner_define_string_variable(s->sc, "extension", ext);
	yr_scanner_define_string_variable(s->sc, "filetype", v->type ? v->type : "");
}

int yara_scanner_scan(struct yara_scanner *s, const struct file_view *v,
		      const struct yara_hit **hits, size_t *nhits, struct diag *why)
{
	s->nhits = 0;
	s->too_many = false;
	*hits = s->hits;
	*nhits = 0;
	set_externals(s, v);
	int e = yr_scanner_scan_mem(s->sc, v->data, v->size);
	*nhits = s->nhits;
	if (e == ERROR_SUCCESS)
		return 0;
	if (e == ERROR_SCAN_TIMEOUT)
		return diag_set(why, AS_ETOOBIG, "timeout");
	if (e == ERROR_INSUFFICIENT_MEMORY)
		return diag_set(why, AS_ENOMEM, "libyara out of memory");
	return diag_set(why, AS_EENGINE, "libyara error %d", e);
}

/* --- the alert ------------------------------------------------------------ */

static const char **copy_list(struct alert *a, const char *const *list)
{
	if (!list || !list[0])
		return NULL;
	size_t n = 0;
	while (list[n])
		n++;
	const char **out = arena_alloc(&a->arena, (n + 1) * sizeof *out);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		out[i] = alert_strdup(a, slice_cstr(list[i]));
	out[n] = NULL;
	return out;
}

static void jw_list(struct jw *j, const char *key, const char *const *list)
{
	jw_key(j, key);
	jw_arr(j);
	for (; list && *list; list++)
		jw_cstr(j, *list);
	jw_arr_end(j);
}

static bool printable(const unsigned char *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (d[i] < 0x20 || d[i] > 0x7e)
			return false;
	return true;
}

static enum alert_level level_of(const struct yara_rule_info *info)
{
	if (info->score < 0)
		return AL_HIGH; /* signature-base's default score, 75 */
	if (info->score >= 90)
		return AL_CRITICAL;
	if (info->score >= 70)
		return AL_HIGH;
	if (info->score >= 50)
		return AL_MEDIUM;
	if (info->score >= 30)
		return AL_LOW;
	return AL_INFORMATIONAL;
}

int yara_alert_make(const struct yara_rules *r, const struct yara_hit *h, const struct file_view *v,
		    const struct file_hashes *hs, const struct source *src, struct alert **out)
{
	*out = NULL;
	const struct yara_rule_info *info = yara_rules_info(r, h->rule);
	if (!info)
		return AS_EINVAL;
	struct alert *a = alert_new("yara");
	if (!a)
		return AS_ENOMEM;
	a->time = v->mtime;
	a->source = src;
	a->record = 0;
	a->rule_id = alert_strdup(a, slice_cstr(info->id));
	a->rule_title =
	    alert_strdup(a, slice_cstr(info->description ? info->description : info->id));
	a->level = level_of(info);
	for (const char *const *t = info->techniques; *t; t++)
		alert_add_technique(a, slice_cstr(*t));
	if (hs && hs->sha256[0]) {
		struct alert_indicator *ind =
		    alert_add_indicator(a, "sha256", slice_cstr(hs->sha256), "file");
		if (ind) {
			ind->label = alert_strdup(a, slice_cstr(info->id));
			ind->source = "yara";
			ind->groups = copy_list(a, info->groups);
			ind->malware = copy_list(a, info->malware);
		}
	}
	struct buf b = BUF_INIT;
	struct jw j;
	jw_init(&j, &b);
	jw_obj(&j);
	jw_kcstr(&j, "file", v->path);
	if (src && src->path && strcmp(src->path, v->path))
		jw_kcstr(&j, "container", src->path);
	jw_kint(&j, "size", (int64_t)v->size);
	if (v->type && v->type[0])
		jw_kcstr(&j, "filetype", v->type);
	if (hs) {
		jw_kcstr(&j, "md5", hs->md5);
		jw_kcstr(&j, "sha1", hs->sha1);
		jw_kcstr(&j, "sha256", hs->sha256);
		if (hs->ssdeep[0])
			jw_kcstr(&j, "ssdeep", hs->ssdeep);
	}
	jw_key(&j, "yara");
	jw_obj(&j);
	jw_kcstr(&j, "rule", info->id);
	if (info->author)
		jw_kcstr(&j, "author", info->author);
	if (info->reference)
		jw_kcstr(&j, "reference", info->reference);
	if (info->date)
		jw_kcstr(&j, "date", info->date);
	if (info->score >= 0)
		jw_kint(&j, "score", info->score);
	jw_list(&j, "tags", info->tags);
	jw_key(&j, "strings");
	jw_arr(&j);
	for (unsigned i = 0; i < h->nstrings; i++) {
		const struct yara_string_hit *sh = &h->strings[i];
		jw_obj(&j);
		jw_kcstr(&j, "id", sh->id);
		jw_kint(&j, "offset", (int64_t)sh->offset);
		jw_kint(&j, "length", sh->length);
		if (printable(sh->data, sh->data_len)) {
			jw_kstr(&j, "data", slice_make((const char *)sh->data, sh->data_len));
		} else {
			char hex[2 * YARA_MATCH_DATA + 1];
			for (unsigned k = 0; k < sh->data_len; k++)
				snprintf(hex + 2 * k, 3, "%02x", sh->data[k]);
			hex[2 * sh->data_len] = 0;
			jw_kcstr(&j, "hex", hex);
		}
		jw_obj_end(&j);
	}
	jw_arr_end(&j);
	jw_obj_end(&j);
	jw_list(&j, "malware", info->malware);
	jw_list(&j, "groups", info->groups);
	jw_obj_end(&j);
	if (!b.err)
		a->evidence = alert_strdup(a, buf_slice(&b));
	buf_free(&b);
	alert_compute_id(a);
	*out = a;
	return 0;
}
