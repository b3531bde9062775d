/*
 * geo.c — countries (ISO 3166-1 alpha-2) and their UN M49 sub-regions.
 *
 * One static table of rows {code, English short name, sub-region}. The
 * sub-regions are those of the UN M49 standard ("Standard country or area
 * codes for statistical use", https://unstats.un.org/unsd/methodology/m49/),
 * with Latin America and the Caribbean and Sub-Saharan Africa kept whole as
 * M49 lists them; Taiwan and Kosovo, which M49 does not list, are placed in
 * Eastern Asia and Southern Europe. Names parse case-insensitively, with a
 * short list of the other spellings threat-intel sources use ("america",
 * "southKorea", "UK", "Russian Federation").
 */
#include <ctype.h>
#include <string.h>

#include "intel/intel.h"

static const char *const regions[] = {
#define R_NAFR 0
    "Northern Africa",
#define R_SSAF 1
    "Sub-Saharan Africa",
#define R_LATAM 2
    "Latin America and the Caribbean",
#define R_NAM 3
    "Northern America",
#define R_CAS 4
    "Central Asia",
#define R_EAS 5
    "Eastern Asia",
#define R_SEAS 6
    "South-eastern Asia",
#define R_SAS 7
    "Southern Asia",
#define R_WAS 8
    "Western Asia",
#define R_EEU 9
    "Eastern Europe",
#define R_NEU 10
    "Northern Europe",
#define R_SEU 11
    "Southern Europe",
#define R_WEU 12
    "Western Europe",
#define R_ANZ 13
    "Australia and New Zealand",
#define R_MEL 14
    "Melanesia",
#define R_MIC 15
    "Micronesia",
#define R_POL 16
    "Polynesia",
#define R_ANT 17
    "Antarctica",
};

struct country {
	char code[3];
	const char *name;
	unsigned char region;
};

static const struct country countries[] = {
    {"AD", "Andorra", R_SEU},
    {"AE", "United Arab Emirates", R_WAS},
    {"AF", "Afghanistan", R_SAS},
    {"AG", "Antigua and Barbuda", R_LATAM},
    {"AI", "Anguilla", R_LATAM},
    {"AL", "Albania", R_SEU},
    {"AM", "Armenia", R_WAS},
    {"AO", "Angola", R_SSAF},
    {"AQ", "Antarctica", R_ANT},
    {"AR", "Argentina", R_LATAM},
    {"AS", "American Samoa", R_POL},
    {"AT", "Austria", R_WEU},
    {"AU", "Australia", R_ANZ},
    {"AW", "Aruba", R_LATAM},
    {"AX", "Aland Islands", R_NEU},
    {"AZ", "Azerbaijan", R_WAS},
    {"BA", "Bosnia and Herzegovina", R_SEU},
    {"BB", "Barbados", R_LATAM},
    {"BD", "Bangladesh", R_SAS},
    {"BE", "Belgium", R_WEU},
    {"BF", "Burkina Faso", R_SSAF},
    {"BG", "Bulgaria", R_EEU},
    {"BH", "Bahrain", R_WAS},
    {"BI", "Burundi", R_SSAF},
    {"BJ", "Benin", R_SSAF},
    {"BL", "Saint Barthelemy", R_LATAM},
    {"BM", "Bermuda", R_NAM},
    {"BN", "Brunei", R_SEAS},
    {"BO", "Bolivia", R_LATAM},
    {"BQ", "Bonaire, Sint Eustatius and Saba", R_LATAM},
    {"BR", "Brazil", R_LATAM},
    {"BS", "Bahamas", R_LATAM},
    {"BT", "Bhutan", R_SAS},
    {"BV", "Bouvet Island", R_LATAM},
    {"BW", "Botswana", R_SSAF},
    {"BY", "Belarus", R_EEU},
    {"BZ", "Belize", R_LATAM},
    {"CA", "Canada", R_NAM},
    {"CC", "Cocos (Keeling) Islands", R_ANZ},
    {"CD", "Democratic Republic of the Congo", R_SSAF},
    {"CF", "Central African Republic", R_SSAF},
    {"CG", "Congo", R_SSAF},
    {"CH", "Switzerland", R_WEU},
    {"CI", "Cote d'Ivoire", R_SSAF},
    {"CK", "Cook Islands", R_POL},
    {"CL", "Chile", R_LATAM},
    {"CM", "Cameroon", R_SSAF},
    {"CN", "China", R_EAS},
    {"CO", "Colombia", R_LATAM},
    {"CR", "Costa Rica", R_LATAM},
    {"CU", "Cuba", R_LATAM},
    {"CV", "Cabo Verde", R_SSAF},
    {"CW", "Curacao", R_LATAM},
    {"CX", "Christmas Island", R_ANZ},
    {"CY", "Cyprus", R_WAS},
    {"CZ", "Czechia", R_EEU},
    {"DE", "Germany", R_WEU},
    {"DJ", "Djibouti", R_SSAF},
    {"DK", "Denmark", R_NEU},
    {"DM", "Dominica", R_LATAM},
    {"DO", "Dominican Republic", R_LATAM},
    {"DZ", "Algeria", R_NAFR},
    {"EC", "Ecuador", R_LATAM},
    {"EE", "Estonia", R_NEU},
    {"EG", "Egypt", R_NAFR},
    {"EH", "Western Sahara", R_NAFR},
    {"ER", "Eritrea", R_SSAF},
    {"ES", "Spain", R_SEU},
    {"ET", "Ethiopia", R_SSAF},
    {"FI", "Finland", R_NEU},
    {"FJ", "Fiji", R_MEL},
    {"FK", "Falkland Islands", R_LATAM},
    {"FM", "Micronesia", R_MIC},
    {"FO", "Faroe Islands", R_NEU},
    {"FR", "France", R_WEU},
    {"GA", "Gabon", R_SSAF},
    {"GB", "United Kingdom", R_NEU},
    {"GD", "Grenada", R_LATAM},
    {"GE", "Georgia", R_WAS},
    {"GF", "French Guiana", R_LATAM},
    {"GG", "Guernsey", R_NEU},
    {"GH", "Ghana", R_SSAF},
    {"GI", "Gibraltar", R_SEU},
    {"GL", "Greenland", R_NAM},
    {"GM", "Gambia", R_SSAF},
    {"GN", "Guinea", R_SSAF},
    {"GP", "Guadeloupe", R_LATAM},
    {"GQ", "Equatorial Guinea", R_SSAF},
    {"GR", "Greece", R_SEU},
    {"GS", "South Georgia and the South Sandwich Islands", R_LATAM},
    {"GT", "Guatemala", R_LATAM},
    {"GU", "Guam", R_MIC},
    {"GW", "Guinea-Bissau", R_SSAF},
    {"GY", "Guyana", R_LATAM},
    {"HK", "Hong Kong", R_EAS},
    {"HM", "Heard Island and McDonald Islands", R_ANZ},
    {"HN", "Honduras", R_LATAM},
    {"HR", "Croatia", R_SEU},
    {"HT", "Haiti", R_LATAM},
    {"HU", "Hungary", R_EEU},
    {"ID", "Indonesia", R_SEAS},
    {"IE", "Ireland", R_NEU},
    {"IL", "Israel", R_WAS},
    {"IM", "Isle of Man", R_NEU},
    {"IN", "India", R_SAS},
    {"IO", "British Indian Ocean Territory", R_SSAF},
    {"IQ", "Iraq", R_WAS},
    {"IR", "Iran", R_SAS},
    {"IS", "Iceland", R_NEU},
    {"IT", "Italy", R_SEU},
    {"JE", "Jersey", R_NEU},
    {"JM", "Jamaica", R_LATAM},
    {"JO", "Jordan", R_WAS},
    {"JP", "Japan", R_EAS},
    {"KE", "Kenya", R_SSAF},
    {"KG", "Kyrgyzstan", R_CAS},
    {"KH", "Cambodia", R_SEAS},
    {"KI", "Kiribati", R_MIC},
    {"KM", "Comoros", R_SSAF},
    {"KN", "Saint Kitts and Nevis", R_LATAM},
    {"KP", "North Korea", R_EAS},
    {"KR", "South Korea", R_EAS},
    {"KW", "Kuwait", R_WAS},
    {"KY", "Cayman Islands", R_LATAM},
    {"KZ", "Kazakhstan", R_CAS},
    {"LA", "Laos", R_SEAS},
    {"LB", "Lebanon", R_WAS},
    {"LC", "Saint Lucia", R_LATAM},
    {"LI", "Liechtenstein", R_WEU},
    {"LK", "Sri Lanka", R_SAS},
    {"LR", "Liberia", R_SSAF},
    {"LS", "Lesotho", R_SSAF},
    {"LT", "Lithuania", R_NEU},
    {"LU", "Luxembourg", R_WEU},
    {"LV", "Latvia", R_NEU},
    {"LY", "Libya", R_NAFR},
    {"MA", "Morocco", R_NAFR},
    {"MC", "Monaco", R_WEU},
    {"MD", "Moldova", R_EEU},
    {"ME", "Montenegro", R_SEU},
    {"MF", "Saint Martin", R_LATAM},
    {"MG", "Madagascar", R_SSAF},
    {"MH", "Marshall Islands", R_MIC},
    {"MK", "North Macedonia", R_SEU},
    {"ML", "Mali", R_SSAF},
    {"MM", "Myanmar", R_SEAS},
    {"MN", "Mongolia", R_EAS},
    {"MO", "Macao", R_EAS},
    {"MP", "Northern Mariana Islands", R_MIC},
    {"MQ", "Martinique", R_LATAM},
    {"MR", "Mauritania", R_SSAF},
    {"MS", "Montserrat", R_LATAM},
    {"MT", "Malta", R_SEU},
    {"MU", "Mauritius", R_SSAF},
    {"MV", "Maldives", R_SAS},
    {"MW", "Malawi", R_SSAF},
    {"MX", "Mexico", R_LATAM},
    {"MY", "Malaysia", R_SEAS},
    {"MZ", "Mozambique", R_SSAF},
    {"NA", "Namibia", R_SSAF},
    {"NC", "New Caledonia", R_MEL},
    {"NE", "Niger", R_SSAF},
    {"NF", "Norfolk Island", R_ANZ},
    {"NG", "Nigeria", R_SSAF},
    {"NI", "Nicaragua", R_LATAM},
    {"NL", "Netherlands", R_WEU},
    {"NO", "Norway", R_NEU},
    {"NP", "Nepal", R_SAS},
    {"NR", "Nauru", R_MIC},
    {"NU", "Niue", R_POL},
    {"NZ", "New Zealand", R_ANZ},
    {"OM", "Oman", R_WAS},
    {"PA", "Panama", R_LATAM},
    {"PE", "Peru", R_LATAM},
    {"PF", "French Polynesia", R_POL},
    {"PG", "Papua New Guinea", R_MEL},
    {"PH", "Philippines", R_SEAS},
    {"PK", "Pakistan", R_SAS},
    {"PL", "Poland", R_EEU},
    {"PM", "Saint Pierre and Miquelon", R_NAM},
    {"PN", "Pitcairn", R_POL},
    {"PR", "Puerto Rico", R_LATAM},
    {"PS", "Palestine", R_WAS},
    {"PT", "Portugal", R_SEU},
    {"PW", "Palau", R_MIC},
    {"PY", "Paraguay", R_LATAM},
    {"QA", "Qatar", R_WAS},
    {"RE", "Reunion", R_SSAF},
    {"RO", "Romania", R_EEU},
    {"RS", "Serbia", R_SEU},
    {"RU", "Russia", R_EEU},
    {"RW", "Rwanda", R_SSAF},
    {"SA", "Saudi Arabia", R_WAS},
    {"SB", "Solomon Islands", R_MEL},
    {"SC", "Seychelles", R_SSAF},
    {"SD", "Sudan", R_NAFR},
    {"SE", "Sweden", R_NEU},
    {"SG", "Singapore", R_SEAS},
    {"SH", "Saint Helena", R_SSAF},
    {"SI", "Slovenia", R_SEU},
    {"SJ", "Svalbard and Jan Mayen", R_NEU},
    {"SK", "Slovakia", R_EEU},
    {"SL", "Sierra Leone", R_SSAF},
    {"SM", "San Marino", R_SEU},
    {"SN", "Senegal", R_SSAF},
    {"SO", "Somalia", R_SSAF},
    {"SR", "Suriname", R_LATAM},
    {"SS", "South Sudan", R_SSAF},
    {"ST", "Sao Tome and Principe", R_SSAF},
    {"SV", "El Salvador", R_LATAM},
    {"SX", "Sint Maarten", R_LATAM},
    {"SY", "Syria", R_WAS},
    {"SZ", "Eswatini", R_SSAF},
    {"TC", "Turks and Caicos Islands", R_LATAM},
    {"TD", "Chad", R_SSAF},
    {"TF", "French Southern Territories", R_SSAF},
    {"TG", "Togo", R_SSAF},
    {"TH", "Thailand", R_SEAS},
    {"TJ", "Tajikistan", R_CAS},
    {"TK", "Tokelau", R_POL},
    {"TL", "Timor-Leste", R_SEAS},
    {"TM", "Turkmenistan", R_CAS},
    {"TN", "Tunisia", R_NAFR},
    {"TO", "Tonga", R_POL},
    {"TR", "Turkey", R_WAS},
    {"TT", "Trinidad and Tobago", R_LATAM},
    {"TV", "Tuvalu", R_POL},
    {"TW", "Taiwan", R_EAS},
    {"TZ", "Tanzania", R_SSAF},
    {"UA", "Ukraine", R_EEU},
    {"UG", "Uganda", R_SSAF},
    {"UM", "United States Minor Outlying Islands", R_MIC},
    {"US", "United States", R_NAM},
    {"UY", "Uruguay", R_LATAM},
    {"UZ", "Uzbekistan", R_CAS},
    {"VA", "Holy See", R_SEU},
    {"VC", "Saint Vincent and the Grenadines", R_LATAM},
    {"VE", "Venezuela", R_LATAM},
    {"VG", "British Virgin Islands", R_LATAM},
    {"VI", "United States Virgin Islands", R_LATAM},
    {"VN", "Vietnam", R_SEAS},
    {"VU", "Vanuatu", R_MEL},
    {"WF", "Wallis and Futuna", R_POL},
    {"WS", "Samoa", R_POL},
    {"XK", "Kosovo", R_SEU},
    {"YE", "Yemen", R_WAS},
    {"YT", "Mayotte", R_SSAF},
    {"ZA", "South Africa", R_SSAF},
    {"ZM", "Zambia", R_SSAF},
    {"ZW", "Zimbabwe", R_SSAF},
};

/* Other spellings met in the sources (MISP, 360.net, CFR). "korea" alone is
 * how 360.net names North Korea's groups (Lazarus, ScarCruft, Kimsuky). */
static const struct {
	const char *name;
	const char *code;
} other_names[] = {
    {"america", "US"},
    {"usa", "US"},
    {"united states of america", "US"},
    {"u.s.", "US"},
    {"uk", "GB"},
    {"great britain", "GB"},
    {"britain", "GB"},
    {"england", "GB"},
    {"korea", "KP"},
    {"dprk", "KP"},
    {"north korea", "KP"},
    {"korea, democratic people's republic of", "KP"},
    {"democratic people's republic of korea", "KP"},
    {"southkorea", "KR"},
    {"republic of korea", "KR"},
    {"korea, republic of", "KR"},
    {"russian federation", "RU"},
    {"iran, islamic republic of", "IR"},
    {"islamic republic of iran", "IR"},
    {"viet nam", "VN"},
    {"kaz", "KZ"},
    {"trq", "TR"},
    {"turkiye", "TR"},
    {"taiwan, province of china", "TW"},
    {"republic of china", "TW"},
    {"people's republic of china", "CN"},
    {"prc", "CN"},
    {"syrian arab republic", "SY"},
    {"palestine, state of", "PS"},
    {"gaza", "PS"},
    {"czech republic", "CZ"},
    {"holland", "NL"},
    {"the netherlands", "NL"},
    {"uae", "AE"},
    {"lao people's democratic republic", "LA"},
    {"burma", "MM"},
    {"ivory coast", "CI"},
    {"macedonia", "MK"},
    {"moldova, republic of", "MD"},
    {"tanzania, united republic of", "TZ"},
    {"vatican", "VA"},
    {"swaziland", "SZ"},
    {"east timor", "TL"},
    {"cape verde", "CV"},
    {"brunei darussalam", "BN"},
    {"hong kong sar", "HK"},
    {"macau", "MO"},
    {"中国", "CN"},
    {"美国", "US"},
    {"越南", "VN"},
    {"印度", "IN"},
    {"韩国", "KR"},
    {"朝鲜", "KP"},
    {"日本", "JP"},
    {"俄罗斯", "RU"},
    {"巴基斯坦", "PK"},
    {"孟加拉国", "BD"},
    {"孟加拉", "BD"},
    {"澳大利亚", "AU"},
    {"马来西亚", "MY"},
    {"叙利亚", "SY"},
    {"约旦", "JO"},
    {"土耳其", "TR"},
    {"哈萨克斯坦", "KZ"},
    {"厄瓜多尔", "EC"},
    {"西班牙", "ES"},
    {"哥伦比亚", "CO"},
    {"巴拿马", "PA"},
    {"伊朗", "IR"},
    {"巴勒斯坦", "PS"},
    {"以色列", "IL"},
    {"埃及", "EG"},
    {"丹麦", "DK"},
    {"罗马尼亚", "RO"},
    {"利比亚", "LY"},
    {"加拿大", "CA"},
    {"乌克兰", "UA"},
    {"比利时", "BE"},
    {"斯里兰卡", "LK"},
    {"阿富汗", "AF"},
    {"伊拉克", "IQ"},
    {"英国", "GB"},
    {"乌兹别克斯坦", "UZ"},
    {"沙特阿拉伯", "SA"},
    {"意大利", "IT"},
    {"阿尔及利亚", "DZ"},
    {"台湾", "TW"},
    {"香港", "HK"},
    {"德国", "DE"},
    {"法国", "FR"},
    {"菲律宾", "PH"},
    {"泰国", "TH"},
    {"新加坡", "SG"},
    {"印度尼西亚", "ID"},
    {"缅甸", "MM"},
    {"尼泊尔", "NP"},
    {"柬埔寨", "KH"},
    {"老挝", "LA"},
    {"蒙古", "MN"},
};

static const struct country *find_code(const char *code)
{
	size_t lo = 0, hi = sizeof countries / sizeof countries[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(countries[mid].code, code);
		if (!c)
			return &countries[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool intel_country_parse(struct slice s, char iso2[3])
{
	s = slice_trim(s);
	if (s.len == 2 && isalpha((unsigned char)s.ptr[0]) && isalpha((unsigned char)s.ptr[1])) {
		char c[3] = {(char)toupper((unsigned char)s.ptr[0]),
			     (char)toupper((unsigned char)s.ptr[1]), 0};
		if (find_code(c)) {
			memcpy(iso2, c, 3);
			return true;
		}
	}
	for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++)
		if (slice_eq_nocase_cstr(s, countries[i].name)) {
			memcpy(iso2, countries[i].code, 3);
			return true;
		}
	for (size_t i = 0; i < sizeof other_names / sizeof other_names[0]; i++)
		if (slice_eq_nocase_cstr(s, other_names[i].name)) {
			memcpy(iso2, other_names[i].code, 3);
			return true;
		}
	return false;
}

const char *intel_country_name(const char *iso2)
{
	const struct country *c = iso2 ? find_code(iso2) : NULL;
	return c ? c->name : NULL;
}

const char *intel_country_region(const char *iso2)
{
	const struct country *c = iso2 ? find_code(iso2) : NULL;
	return c ? regions[c->region] : NULL;
}

/* Region words of the sources that name no country (360.net). */
static const struct {
	const char *word;
	int region;
} region_words[] = {
    {"mideast", R_WAS}, {"middle east", R_WAS}, {"southeast", R_SEAS}, {"namerica", R_NAM},
    {"中东", R_WAS},    {"东南亚", R_SEAS},     {"south asia", R_SAS}, {"east asia", R_EAS},
};

const char *intel_region_name(struct slice s)
{
	s = slice_trim(s);
	if (!s.len)
		return NULL;
	for (size_t i = 0; i < sizeof regions / sizeof regions[0]; i++)
		if (slice_eq_nocase_cstr(s, regions[i]))
			return regions[i];
	for (size_t i = 0; i < sizeof region_words / sizeof region_words[0]; i++)
		if (slice_eq_nocase_cstr(s, region_words[i].word))
			return regions[region_words[i].region];
	return NULL;
}
