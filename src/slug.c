#include <stdint.h>

#include "slug.h"
#include "utf8.h"

/* Latin-1 Supplement and Latin Extended-A letters to their base letters;
   the two holes (U+00D7 ×, U+00F7 ÷) are separators. */
static const char *const latin[0x180 - 0xC0] = {
	[0x0C0 - 0xC0] = "a",	/* À */
	[0x0C1 - 0xC0] = "a",	/* Á */
	[0x0C2 - 0xC0] = "a",	/* Â */
	[0x0C3 - 0xC0] = "a",	/* Ã */
	[0x0C4 - 0xC0] = "a",	/* Ä */
	[0x0C5 - 0xC0] = "a",	/* Å */
	[0x0C6 - 0xC0] = "ae",	/* Æ */
	[0x0C7 - 0xC0] = "c",	/* Ç */
	[0x0C8 - 0xC0] = "e",	/* È */
	[0x0C9 - 0xC0] = "e",	/* É */
	[0x0CA - 0xC0] = "e",	/* Ê */
	[0x0CB - 0xC0] = "e",	/* Ë */
	[0x0CC - 0xC0] = "i",	/* Ì */
	[0x0CD - 0xC0] = "i",	/* Í */
	[0x0CE - 0xC0] = "i",	/* Î */
	[0x0CF - 0xC0] = "i",	/* Ï */
	[0x0D0 - 0xC0] = "d",	/* Ð */
	[0x0D1 - 0xC0] = "n",	/* Ñ */
	[0x0D2 - 0xC0] = "o",	/* Ò */
	[0x0D3 - 0xC0] = "o",	/* Ó */
	[0x0D4 - 0xC0] = "o",	/* Ô */
	[0x0D5 - 0xC0] = "o",	/* Õ */
	[0x0D6 - 0xC0] = "o",	/* Ö */
	[0x0D8 - 0xC0] = "o",	/* Ø */
	[0x0D9 - 0xC0] = "u",	/* Ù */
	[0x0DA - 0xC0] = "u",	/* Ú */
	[0x0DB - 0xC0] = "u",	/* Û */
	[0x0DC - 0xC0] = "u",	/* Ü */
	[0x0DD - 0xC0] = "y",	/* Ý */
	[0x0DE - 0xC0] = "th",	/* Þ */
	[0x0DF - 0xC0] = "ss",	/* ß */
	[0x0E0 - 0xC0] = "a",	/* à */
	[0x0E1 - 0xC0] = "a",	/* á */
	[0x0E2 - 0xC0] = "a",	/* â */
	[0x0E3 - 0xC0] = "a",	/* ã */
	[0x0E4 - 0xC0] = "a",	/* ä */
	[0x0E5 - 0xC0] = "a",	/* å */
	[0x0E6 - 0xC0] = "ae",	/* æ */
	[0x0E7 - 0xC0] = "c",	/* ç */
	[0x0E8 - 0xC0] = "e",	/* è */
	[0x0E9 - 0xC0] = "e",	/* é */
	[0x0EA - 0xC0] = "e",	/* ê */
	[0x0EB - 0xC0] = "e",	/* ë */
	[0x0EC - 0xC0] = "i",	/* ì */
	[0x0ED - 0xC0] = "i",	/* í */
	[0x0EE - 0xC0] = "i",	/* î */
	[0x0EF - 0xC0] = "i",	/* ï */
	[0x0F0 - 0xC0] = "d",	/* ð */
	[0x0F1 - 0xC0] = "n",	/* ñ */
	[0x0F2 - 0xC0] = "o",	/* ò */
	[0x0F3 - 0xC0] = "o",	/* ó */
	[0x0F4 - 0xC0] = "o",	/* ô */
	[0x0F5 - 0xC0] = "o",	/* õ */
	[0x0F6 - 0xC0] = "o",	/* ö */
	[0x0F8 - 0xC0] = "o",	/* ø */
	[0x0F9 - 0xC0] = "u",	/* ù */
	[0x0FA - 0xC0] = "u",	/* ú */
	[0x0FB - 0xC0] = "u",	/* û */
	[0x0FC - 0xC0] = "u",	/* ü */
	[0x0FD - 0xC0] = "y",	/* ý */
	[0x0FE - 0xC0] = "th",	/* þ */
	[0x0FF - 0xC0] = "y",	/* ÿ */
	[0x100 - 0xC0] = "a",	/* Ā */
	[0x101 - 0xC0] = "a",	/* ā */
	[0x102 - 0xC0] = "a",	/* Ă */
	[0x103 - 0xC0] = "a",	/* ă */
	[0x104 - 0xC0] = "a",	/* Ą */
	[0x105 - 0xC0] = "a",	/* ą */
	[0x106 - 0xC0] = "c",	/* Ć */
	[0x107 - 0xC0] = "c",	/* ć */
	[0x108 - 0xC0] = "c",	/* Ĉ */
	[0x109 - 0xC0] = "c",	/* ĉ */
	[0x10A - 0xC0] = "c",	/* Ċ */
	[0x10B - 0xC0] = "c",	/* ċ */
	[0x10C - 0xC0] = "c",	/* Č */
	[0x10D - 0xC0] = "c",	/* č */
	[0x10E - 0xC0] = "d",	/* Ď */
	[0x10F - 0xC0] = "d",	/* ď */
	[0x110 - 0xC0] = "d",	/* Đ */
	[0x111 - 0xC0] = "d",	/* đ */
	[0x112 - 0xC0] = "e",	/* Ē */
	[0x113 - 0xC0] = "e",	/* ē */
	[0x114 - 0xC0] = "e",	/* Ĕ */
	[0x115 - 0xC0] = "e",	/* ĕ */
	[0x116 - 0xC0] = "e",	/* Ė */
	[0x117 - 0xC0] = "e",	/* ė */
	[0x118 - 0xC0] = "e",	/* Ę */
	[0x119 - 0xC0] = "e",	/* ę */
	[0x11A - 0xC0] = "e",	/* Ě */
	[0x11B - 0xC0] = "e",	/* ě */
	[0x11C - 0xC0] = "g",	/* Ĝ */
	[0x11D - 0xC0] = "g",	/* ĝ */
	[0x11E - 0xC0] = "g",	/* Ğ */
	[0x11F - 0xC0] = "g",	/* ğ */
	[0x120 - 0xC0] = "g",	/* Ġ */
	[0x121 - 0xC0] = "g",	/* ġ */
	[0x122 - 0xC0] = "g",	/* Ģ */
	[0x123 - 0xC0] = "g",	/* ģ */
	[0x124 - 0xC0] = "h",	/* Ĥ */
	[0x125 - 0xC0] = "h",	/* ĥ */
	[0x126 - 0xC0] = "h",	/* Ħ */
	[0x127 - 0xC0] = "h",	/* ħ */
	[0x128 - 0xC0] = "i",	/* Ĩ */
	[0x129 - 0xC0] = "i",	/* ĩ */
	[0x12A - 0xC0] = "i",	/* Ī */
	[0x12B - 0xC0] = "i",	/* ī */
	[0x12C - 0xC0] = "i",	/* Ĭ */
	[0x12D - 0xC0] = "i",	/* ĭ */
	[0x12E - 0xC0] = "i",	/* Į */
	[0x12F - 0xC0] = "i",	/* į */
	[0x130 - 0xC0] = "i",	/* İ */
	[0x131 - 0xC0] = "i",	/* ı */
	[0x132 - 0xC0] = "ij",	/* Ĳ */
	[0x133 - 0xC0] = "ij",	/* ĳ */
	[0x134 - 0xC0] = "j",	/* Ĵ */
	[0x135 - 0xC0] = "j",	/* ĵ */
	[0x136 - 0xC0] = "k",	/* Ķ */
	[0x137 - 0xC0] = "k",	/* ķ */
	[0x138 - 0xC0] = "k",	/* ĸ */
	[0x139 - 0xC0] = "l",	/* Ĺ */
	[0x13A - 0xC0] = "l",	/* ĺ */
	[0x13B - 0xC0] = "l",	/* Ļ */
	[0x13C - 0xC0] = "l",	/* ļ */
	[0x13D - 0xC0] = "l",	/* Ľ */
	[0x13E - 0xC0] = "l",	/* ľ */
	[0x13F - 0xC0] = "l",	/* Ŀ */
	[0x140 - 0xC0] = "l",	/* ŀ */
	[0x141 - 0xC0] = "l",	/* Ł */
	[0x142 - 0xC0] = "l",	/* ł */
	[0x143 - 0xC0] = "n",	/* Ń */
	[0x144 - 0xC0] = "n",	/* ń */
	[0x145 - 0xC0] = "n",	/* Ņ */
	[0x146 - 0xC0] = "n",	/* ņ */
	[0x147 - 0xC0] = "n",	/* Ň */
	[0x148 - 0xC0] = "n",	/* ň */
	[0x149 - 0xC0] = "n",	/* ŉ */
	[0x14A - 0xC0] = "ng",	/* Ŋ */
	[0x14B - 0xC0] = "ng",	/* ŋ */
	[0x14C - 0xC0] = "o",	/* Ō */
	[0x14D - 0xC0] = "o",	/* ō */
	[0x14E - 0xC0] = "o",	/* Ŏ */
	[0x14F - 0xC0] = "o",	/* ŏ */
	[0x150 - 0xC0] = "o",	/* Ő */
	[0x151 - 0xC0] = "o",	/* ő */
	[0x152 - 0xC0] = "oe",	/* Œ */
	[0x153 - 0xC0] = "oe",	/* œ */
	[0x154 - 0xC0] = "r",	/* Ŕ */
	[0x155 - 0xC0] = "r",	/* ŕ */
	[0x156 - 0xC0] = "r",	/* Ŗ */
	[0x157 - 0xC0] = "r",	/* ŗ */
	[0x158 - 0xC0] = "r",	/* Ř */
	[0x159 - 0xC0] = "r",	/* ř */
	[0x15A - 0xC0] = "s",	/* Ś */
	[0x15B - 0xC0] = "s",	/* ś */
	[0x15C - 0xC0] = "s",	/* Ŝ */
	[0x15D - 0xC0] = "s",	/* ŝ */
	[0x15E - 0xC0] = "s",	/* Ş */
	[0x15F - 0xC0] = "s",	/* ş */
	[0x160 - 0xC0] = "s",	/* Š */
	[0x161 - 0xC0] = "s",	/* š */
	[0x162 - 0xC0] = "t",	/* Ţ */
	[0x163 - 0xC0] = "t",	/* ţ */
	[0x164 - 0xC0] = "t",	/* Ť */
	[0x165 - 0xC0] = "t",	/* ť */
	[0x166 - 0xC0] = "t",	/* Ŧ */
	[0x167 - 0xC0] = "t",	/* ŧ */
	[0x168 - 0xC0] = "u",	/* Ũ */
	[0x169 - 0xC0] = "u",	/* ũ */
	[0x16A - 0xC0] = "u",	/* Ū */
	[0x16B - 0xC0] = "u",	/* ū */
	[0x16C - 0xC0] = "u",	/* Ŭ */
	[0x16D - 0xC0] = "u",	/* ŭ */
	[0x16E - 0xC0] = "u",	/* Ů */
	[0x16F - 0xC0] = "u",	/* ů */
	[0x170 - 0xC0] = "u",	/* Ű */
	[0x171 - 0xC0] = "u",	/* ű */
	[0x172 - 0xC0] = "u",	/* Ų */
	[0x173 - 0xC0] = "u",	/* ų */
	[0x174 - 0xC0] = "w",	/* Ŵ */
	[0x175 - 0xC0] = "w",	/* ŵ */
	[0x176 - 0xC0] = "y",	/* Ŷ */
	[0x177 - 0xC0] = "y",	/* ŷ */
	[0x178 - 0xC0] = "y",	/* Ÿ */
	[0x179 - 0xC0] = "z",	/* Ź */
	[0x17A - 0xC0] = "z",	/* ź */
	[0x17B - 0xC0] = "z",	/* Ż */
	[0x17C - 0xC0] = "z",	/* ż */
	[0x17D - 0xC0] = "z",	/* Ž */
	[0x17E - 0xC0] = "z",	/* ž */
	[0x17F - 0xC0] = "s",	/* ſ */
};

enum slug_class {
	SLUG_KEEP,	/* a-z 0-9, or a transliterated letter */
	SLUG_DROP,	/* apostrophes, combining marks, invisible formats */
	SLUG_SEP,	/* everything else */
};

static enum slug_class
classify(uint32_t cp, const char **out)
{
	if (cp >= 0xC0 && cp < 0x180) {
		*out = latin[cp - 0xC0];
		return *out != NULL ? SLUG_KEEP : SLUG_SEP;
	}
	if (cp == '\'' || cp == 0x2018 || cp == 0x2019 || cp == 0x02BC ||
	    (cp >= 0x0300 && cp <= 0x036F) || cp == 0x00AD ||
	    (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0xFEFF)
		return SLUG_DROP;
	return SLUG_SEP;
}

/*
 * The full slug of s[0..n) into out, which has room for n + 1 bytes (no
 * character gives more bytes than it takes).  Returns its length.
 */
size_t
slug_make(const char *s, size_t n, char *out)
{
	size_t		 i = 0, o = 0;
	int		 sep = 0;
	uint32_t	 cp;
	const char	*t;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c >= 'A' && c <= 'Z')) {
			t = NULL;
			cp = c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
			i++;
		} else {
			i += utf8_decode(s + i, n - i, &cp);
			switch (classify(cp, &t)) {
			case SLUG_DROP:
				continue;
			case SLUG_SEP:
				sep = 1;
				continue;
			case SLUG_KEEP:
				break;
			}
		}
		if (sep && o > 0)
			out[o++] = '-';
		sep = 0;
		if (t == NULL)
			out[o++] = (char)cp;
		else
			while (*t != '\0')
				out[o++] = *t++;
	}
	out[o] = '\0';
	return o;
}

/*
 * Cut a slug for use in an address: keep SLUG_MAX characters, then, unless
 * the next one was a '-', go back to the last '-' kept (if any); trim
 * '-' from the end.  Returns the new length.
 */
size_t
slug_cut(char *slug, size_t len)
{
	size_t	 n = len;

	if (len > SLUG_MAX) {
		n = SLUG_MAX;
		if (slug[SLUG_MAX] != '-') {
			while (n > 0 && slug[n - 1] != '-')
				n--;
			if (n == 0)
				n = SLUG_MAX;
		}
	}
	while (n > 0 && slug[n - 1] == '-')
		n--;
	slug[n] = '\0';
	return n;
}
