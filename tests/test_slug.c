#include <stdlib.h>

#include "slug.h"
#include "test.h"

static const struct {
	const char	*title;
	const char	*want;
} cases[] = {
	/* corpus README section 3 examples */
	{ "Walking as Medicine: A Beginner\u2019s Plan for Sore Joints",
	    "walking-as-medicine-a-beginners-plan-for-sore-joints" },
	{ "Cr\u00eapes, Galettes and Pancakes: One Batter, Three Meals",
	    "crepes-galettes-and-pancakes-one-batter-three-meals" },
	{ "Jalape\u00f1os on the Balcony: Growing Chillies in Pots",
	    "jalapenos-on-the-balcony-growing-chillies-in-pots" },
	{ "Miso, Dashi and Umami (\u5473\u564c\u30fb\u51fa\u6c41): "
	    "Japanese Pantry Basics for Beginners",
	    "miso-dashi-and-umami-japanese-pantry-basics-for-beginners" },
	/* every apostrophe is dropped */
	{ "Beginner's \u2018x\u2019 it\u02bcs", "beginners-x-its" },
	{ "\u00c6sir \u0152uvre Stra\u00dfe \u0132ssel \u00de\u00f3r",
	    "aesir-oeuvre-strasse-ijssel-thor" },
	{ "\u014aoma \u0138 \u0149 \u017f", "ngoma-k-n-s" },
	{ "2\u00d73\u00f74", "2-3-4" },
	{ "e\u0301te\u0301", "ete" },
	{ "soft\u00adhy\u200bphen\u2060x\ufeffy", "softhyphenxy" },
	{ "\u202aem\u202ebed\u2066iso\u2069", "embediso" },
	{ "a\u00a0b\u2014c\u2013d", "a-b-c-d" },
	{ " --Lead and trail!-- ", "lead-and-trail" },
	{ "\u5473\u564c", "" },
	{ "\U0001F35C\uFE0F", "" },
	{ "\u0130stanbul \u0131", "istanbul-i" },
	{ "\u0410\u0411 Cyrillic", "cyrillic" },
	{ "", "" },
};

int
main(void)
{
	char	 out[512], in[512];
	size_t	 i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = slug_make(cases[i].title, strlen(cases[i].title), out);
		CHECK_STR(out, cases[i].want);
		CHECK(n == strlen(out), "length");
		CHECK(n <= strlen(cases[i].title), "no longer than its input");
	}

	/* cut: 100 characters, back to the last '-' unless one follows */
	memset(in, 'a', 150);
	in[150] = '\0';
	CHECK(slug_cut(strcpy(out, in), 150) == 100, "no '-': hard cut");
	memcpy(in + 40, "-", 1);
	CHECK(slug_cut(strcpy(out, in), 150) == 40, "back to the last '-'");
	memset(in, 'a', 150);
	in[100] = '-';
	CHECK(slug_cut(strcpy(out, in), 150) == 100, "next is '-': keep 100");
	memset(in, 'a', 150);
	in[99] = '-';
	in[50] = '-';
	CHECK(slug_cut(strcpy(out, in), 150) == 99 && out[98] == 'a',
	    "'-' at 100: trimmed (%zu)", strlen(out));
	CHECK(slug_cut(strcpy(out, "short"), 5) == 5, "short unchanged");
	CHECK(slug_cut(strcpy(out, ""), 0) == 0, "empty");
	return TEST_DONE();
}
