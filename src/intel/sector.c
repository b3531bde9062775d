/*
 * sector.c — the sector taxonomy and the mapping of the sources' free text.
 *
 * Sectors are short ids ("government", "defence", …) with a label. The
 * sectors public APT reports name are all here; the MISP sector galaxy
 * (sector.json), the CFR "cfr-target-category" values and 360.net's Chinese
 * target categories map onto them through a keyword table: a text maps to
 * every sector one of whose keywords it contains. ASCII keywords must start
 * at a word boundary ("it" matches "IT - ISP", not "Military"); CJK keywords
 * match anywhere. Text that matches nothing maps to "other".
 */
#include <ctype.h>
#include <string.h>

#include "intel/intel.h"

static const struct {
	const char *id;
	const char *label;
} sectors[] = {
    {"government", "Government"},
    {"diplomacy", "Diplomacy"},
    {"education", "Education"},
    {"research", "Scientific research"},
    {"defence", "National defence and military industry"},
    {"aviation", "Aviation"},
    {"aerospace", "Aerospace"},
    {"shipbuilding", "Shipbuilding"},
    {"weapons", "Weapons"},
    {"transportation", "Transportation"},
    {"maritime", "Maritime"},
    {"energy", "Energy and new energy"},
    {"automotive", "Automotive and new-energy vehicles"},
    {"telecommunications", "Telecommunications"},
    {"finance", "Finance"},
    {"healthcare", "Healthcare"},
    {"manufacturing", "Manufacturing"},
    {"materials", "Materials science"},
    {"media", "Media"},
    {"it", "IT and software vendors"},
    {"civil-society", "Civil society, NGOs and activists"},
    {"think-tanks", "Think tanks"},
    {"legal", "Legal and justice"},
    {"law-enforcement", "Police and law enforcement"},
    {"critical-infrastructure", "Critical infrastructure and utilities"},
    {"hospitality", "Hospitality and travel"},
    {"retail", "Retail and e-commerce"},
    {"agriculture", "Agriculture and food"},
    {"chemical", "Chemical"},
    {"construction", "Construction and engineering"},
    {"entertainment", "Entertainment, games and gambling"},
    {"religion", "Religious organisations"},
    {"private-sector", "Private sector"},
    {"individuals", "Individuals"},
    {"other", "Other"},
};

static const struct {
	const char *kw;
	const char *id;
} keywords[] = {
    /* English: MISP sector.json names, CFR categories, report wording */
    {"government", "government"},
    {"administration", "government"},
    {"public sector", "government"},
    {"political", "government"},
    {"ministr", "government"},
    {"country", "government"},
    {"parliament", "government"},
    {"election", "government"},
    {"immigration", "government"},
    {"diplomac", "diplomacy"},
    {"diplomat", "diplomacy"},
    {"embass", "diplomacy"},
    {"foreign affairs", "diplomacy"},
    {"education", "education"},
    {"academ", "education"},
    {"universit", "education"},
    {"school", "education"},
    {"higher education", "education"},
    {"research", "research"},
    {"scien", "research"},
    {"innovation", "research"},
    {"think tank", "think-tanks"},
    {"defen", "defence"},
    {"military", "defence"},
    {"armed forces", "defence"},
    {"intelligence", "defence"},
    {"security service", "defence"},
    {"aviation", "aviation"},
    {"airline", "aviation"},
    {"airport", "aviation"},
    {"aerospace", "aerospace"},
    {"space", "aerospace"},
    {"satellite", "aerospace"},
    {"shipbuild", "shipbuilding"},
    {"shipyard", "shipbuilding"},
    {"weapon", "weapons"},
    {"munition", "weapons"},
    {"transport", "transportation"},
    {"railway", "transportation"},
    {"logistic", "transportation"},
    {"maritime", "maritime"},
    {"shipping", "maritime"},
    {"naval", "maritime"},
    {"energy", "energy"},
    {"oil", "energy"},
    {"gas", "energy"},
    {"petro", "energy"},
    {"electric", "energy"},
    {"power", "energy"},
    {"nuclear", "energy"},
    {"turbine", "energy"},
    {"smart meter", "energy"},
    {"automotive", "automotive"},
    {"vehicle", "automotive"},
    {"telecom", "telecommunications"},
    {"communication", "telecommunications"},
    {"isp", "telecommunications"},
    {"finan", "finance"},
    {"bank", "finance"},
    {"payment", "finance"},
    {"insurance", "finance"},
    {"investment", "finance"},
    {"accounting", "finance"},
    {"tax", "finance"},
    {"crypto", "finance"},
    {"health", "healthcare"},
    {"medic", "healthcare"},
    {"hospital", "healthcare"},
    {"pharma", "healthcare"},
    {"life science", "healthcare"},
    {"biomed", "healthcare"},
    {"veterinar", "healthcare"},
    {"manufactur", "manufacturing"},
    {"industr", "manufacturing"},
    {"semi-conductor", "manufacturing"},
    {"semiconductor", "manufacturing"},
    {"electronic", "manufacturing"},
    {"steel", "manufacturing"},
    {"metal", "manufacturing"},
    {"mining", "manufacturing"},
    {"material", "materials"},
    {"media", "media"},
    {"news", "media"},
    {"journalis", "media"},
    {"broadcast", "media"},
    {"television", "media"},
    {"publishing", "media"},
    {"streaming", "media"},
    {"social network", "media"},
    {"video sharing", "media"},
    {"advertising", "media"},
    {"marketing", "media"},
    {"it", "it"},
    {"information technology", "it"},
    {"technology", "it"},
    {"high tech", "it"},
    {"software", "it"},
    {"programming", "it"},
    {"digital", "it"},
    {"managed services", "it"},
    {"dns", "it"},
    {"data broker", "it"},
    {"security systems", "it"},
    {"security actors", "it"},
    {"civil society", "civil-society"},
    {"ngo", "civil-society"},
    {"non-profit", "civil-society"},
    {"activist", "civil-society"},
    {"dissident", "civil-society"},
    {"opposition", "civil-society"},
    {"separatist", "civil-society"},
    {"citizens", "individuals"},
    {"individual", "individuals"},
    {"justice", "legal"},
    {"legal", "legal"},
    {"lawyer", "legal"},
    {"police", "law-enforcement"},
    {"law enforcement", "law-enforcement"},
    {"infrastructure", "critical-infrastructure"},
    {"water", "critical-infrastructure"},
    {"utilit", "critical-infrastructure"},
    {"hotel", "hospitality"},
    {"hospitality", "hospitality"},
    {"travel", "hospitality"},
    {"tourism", "hospitality"},
    {"restaurant", "hospitality"},
    {"retail", "retail"},
    {"ecommerce", "retail"},
    {"e-commerce", "retail"},
    {"trade", "retail"},
    {"marketplace", "retail"},
    {"agricultur", "agriculture"},
    {"food", "agriculture"},
    {"chemical", "chemical"},
    {"construction", "construction"},
    {"engineering", "construction"},
    {"entertainment", "entertainment"},
    {"game", "entertainment"},
    {"gaming", "entertainment"},
    {"casino", "entertainment"},
    {"sport", "entertainment"},
    {"arts", "entertainment"},
    {"culture", "entertainment"},
    {"islamic", "religion"},
    {"religio", "religion"},
    {"private sector", "private-sector"},
    {"employment", "private-sector"},
    {"consulting", "private-sector"},
    {"multi-sector", "private-sector"},
    /* Chinese: 360.net target categories */
    {"政府", "government"},
    {"外交", "diplomacy"},
    {"教育", "education"},
    {"科研", "research"},
    {"科学研究", "research"},
    {"智库", "think-tanks"},
    {"国防", "defence"},
    {"军工", "defence"},
    {"军事", "defence"},
    {"航天", "aerospace"}, /* before 航空: 航空航天 is aerospace first */
    {"航空", "aviation"},
    {"造船", "shipbuilding"},
    {"船舶", "shipbuilding"},
    {"武器", "weapons"},
    {"交通", "transportation"},
    {"海事", "maritime"},
    {"海洋", "maritime"},
    {"能源", "energy"},
    {"电力", "energy"},
    {"石油", "energy"},
    {"新能源", "energy"},
    {"汽车", "automotive"},
    {"通信", "telecommunications"},
    {"通讯", "telecommunications"},
    {"电信", "telecommunications"},
    {"金融", "finance"},
    {"外贸", "retail"},
    {"医疗", "healthcare"},
    {"卫生", "healthcare"},
    {"制造", "manufacturing"},
    {"工业", "manufacturing"},
    {"材料", "materials"},
    {"媒体", "media"},
    {"新闻", "media"},
    {"信息技术", "it"},
    {"信息", "it"},
    {"互联网", "it"},
    {"软件", "it"},
    {"社会组织", "civil-society"},
    {"建筑", "construction"},
    {"服务业", "private-sector"},
};

static bool is_word(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* kw (lower-case) occurs in text at a word start (ASCII keywords only). */
static bool has_keyword(struct slice text, const char *kw)
{
	size_t n = strlen(kw);
	bool ascii = (unsigned char)kw[0] < 0x80;
	for (size_t i = 0; i + n <= text.len; i++) {
		if (ascii && i > 0 && is_word((unsigned char)text.ptr[i - 1]) &&
		    (unsigned char)text.ptr[i - 1] < 0x80)
			continue;
		size_t j = 0;
		while (j < n && tolower((unsigned char)text.ptr[i + j]) == (unsigned char)kw[j])
			j++;
		if (j == n)
			return true;
	}
	return false;
}

size_t intel_sector_map(struct slice text, const char **ids, size_t cap)
{
	size_t n = 0;
	text = slice_trim(text);
	if (!text.len || !cap)
		return 0;
	for (size_t i = 0; i < sizeof sectors / sizeof sectors[0]; i++)
		if (slice_eq_nocase_cstr(text, sectors[i].id) ||
		    slice_eq_nocase_cstr(text, sectors[i].label)) {
			ids[0] = sectors[i].id;
			return 1;
		}
	for (size_t i = 0; i < sizeof keywords / sizeof keywords[0] && n < cap; i++) {
		if (!has_keyword(text, keywords[i].kw))
			continue;
		size_t k = 0;
		while (k < n && strcmp(ids[k], keywords[i].id))
			k++;
		if (k == n)
			ids[n++] = keywords[i].id;
	}
	if (!n)
		ids[n++] = "other";
	return n;
}

const char *intel_sector_name(const char *id)
{
	for (size_t i = 0; id && i < sizeof sectors / sizeof sectors[0]; i++)
		if (!strcmp(sectors[i].id, id))
			return sectors[i].label;
	return NULL;
}
