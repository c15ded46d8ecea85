#include <stdlib.h>

#include "slug.h"
#include "test.h"

static const struct {
	const char	*title;
	const char	*want;
} cases[] = {
	/* everyday titles: punctuation and typographic apostrophes */
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
	{ "", "" },

	/* Russian: transliterated, hard and soft signs dropped */
	{ "Вторая статья о подъезде", "vtoraya-statya-o-podezde" },
	{ "Щука и ёж", "shchuka-i-yozh" },
	{ "Съешь же ещё этих мягких французских булок, да выпей чаю",
	    "sesh-zhe-eshchyo-etikh-myagkikh-frantsuzskikh-bulok-da-vypej-chayu" },
	{ "ОБЪЕКТ Объект объект", "obekt-obekt-obekt" },
	{ "Борщ Recipe: Шаг 2", "borshch-recipe-shag-2" },
	{ "a ь b", "a-b" },
	{ "ЪЬ", "" },
	/* Ukrainian: і ї є ґ, the apostrophe (both forms) dropped */
	{ "Їжак і ґава єдині", "yizhak-i-gava-yedini" },
	{ "ЇЖАК І ҐАВА ЄДИНІ", "yizhak-i-gava-yedini" },
	{ "Київ, м'ясо, пʼять", "kiyiv-myaso-pyat" },
	/* Serbian ђ ј љ њ ћ џ, Macedonian ѓ ќ ѕ, Belarusian ў */
	{ "Ђорђе, Јован, Љиљана, Његош, Ћуприја, Џеп",
	    "djordje-jovan-ljiljana-njegosh-cuprija-dzep" },
	{ "ЂОРЂЕ ЈОВАН ЉИЉАНА ЊЕГОШ ЋУПРИЈА ЏЕП",
	    "djordje-jovan-ljiljana-njegosh-cuprija-dzep" },
	{ "Ѓорѓи ќе ѕвезда", "gjorgji-kje-dzvezda" },
	{ "Мінск ўзяў", "minsk-uzyau" },
	/* Cyrillic letters the table does not list are separators */
	{ "аѝб Ѐ", "a-b" },
	/* Greek: tonos, dialytika, final sigma, ου */
	{ "Ελληνική Κουζίνα: Άρτος", "elliniki-kouzina-artos" },
	{ "Σωκράτης ο φιλόσοφος", "sokratis-o-filosofos" },
	{ "ΣΩΚΡΆΤΗΣ Ο ΦΙΛΌΣΟΦΟΣ", "sokratis-o-filosofos" },
	{ "Άλφα Έψιλον Ήτα Ίωτα Όμικρον Ύψιλον Ώμέγα",
	    "alfa-epsilon-ita-iota-omikron-ypsilon-omega" },
	{ "Ϊ ϊ Ϋ ϋ ΐ ΰ", "i-i-y-y-i-y" },
	{ "ΟΥΡΑΝΟΣ Ούτε οΎ Ου του", "ouranos-oute-ou-ou-tou" },
	{ "προϋπόθεση", "proypothesi" },	/* ϋ: no digraph */
	{ "ό υ, ο", "o-y-o" },			/* only ο or Ο directly before */
	{ "ο\u0301υ", "oy" },			/* ... υ: the mark is between */
	{ "Ψάρι θάλασσας χταπόδι ξύδι", "psari-thalassas-chtapodi-xydi" },
	{ "μ·ν ; ϐ ϲ", "m-n" },		/* ano teleia, ϐ ϲ: separators */
	/* scripts without a table vanish */
	{ "日本語 Ελλάδα Россия", "ellada-rossiya" },
	{ "עברית العربية हिन्दी", "" },		/* Hebrew, Arabic, Devanagari */
};

/*
 * Every letter of the Cyrillic and Greek table of capsuled(8), FORMAT,
 * one at a time, both cases.
 */
static const struct {
	const char	*letters;	/* separated by spaces */
	const char	*want;
} letters[] = {
	{ "А а", "a" }, { "Б б", "b" }, { "В в", "v" }, { "Г г", "g" },
	{ "Д д", "d" }, { "Е е", "e" }, { "Ё ё", "yo" }, { "Ж ж", "zh" },
	{ "З з", "z" }, { "И и", "i" }, { "Й й", "j" }, { "К к", "k" },
	{ "Л л", "l" }, { "М м", "m" }, { "Н н", "n" }, { "О о", "o" },
	{ "П п", "p" }, { "Р р", "r" }, { "С с", "s" }, { "Т т", "t" },
	{ "У у", "u" }, { "Ф ф", "f" }, { "Х х", "kh" }, { "Ц ц", "ts" },
	{ "Ч ч", "ch" }, { "Ш ш", "sh" }, { "Щ щ", "shch" }, { "Ы ы", "y" },
	{ "Э э", "e" }, { "Ю ю", "yu" }, { "Я я", "ya" }, { "Є є", "ye" },
	{ "І і", "i" }, { "Ї ї", "yi" }, { "Ґ ґ", "g" }, { "Ў ў", "u" },
	{ "Ђ ђ", "dj" }, { "Ј ј", "j" }, { "Љ љ", "lj" }, { "Њ њ", "nj" },
	{ "Ћ ћ", "c" }, { "Џ џ", "dz" }, { "Ѓ ѓ", "gj" }, { "Ќ ќ", "kj" },
	{ "Ѕ ѕ", "dz" }, { "Ъ ъ Ь ь", "" },
	{ "Α α", "a" }, { "Β β", "v" }, { "Γ γ", "g" }, { "Δ δ", "d" },
	{ "Ε ε", "e" }, { "Ζ ζ", "z" }, { "Η η", "i" }, { "Θ θ", "th" },
	{ "Ι ι", "i" }, { "Κ κ", "k" }, { "Λ λ", "l" }, { "Μ μ", "m" },
	{ "Ν ν", "n" }, { "Ξ ξ", "x" }, { "Ο ο", "o" }, { "Π π", "p" },
	{ "Ρ ρ", "r" }, { "Σ σ ς", "s" }, { "Τ τ", "t" }, { "Υ υ", "y" },
	{ "Φ φ", "f" }, { "Χ χ", "ch" }, { "Ψ ψ", "ps" }, { "Ω ω", "o" },
	{ "Ά ά", "a" }, { "Έ έ", "e" }, { "Ή ή", "i" }, { "Ί ί", "i" },
	{ "Ό ό", "o" }, { "Ύ ύ", "y" }, { "Ώ ώ", "o" }, { "Ϊ ϊ", "i" },
	{ "Ϋ ϋ", "y" }, { "ΐ", "i" }, { "ΰ", "y" },
};

/* The address slug of an article whose title slugs to "". */
static const struct {
	const char	*name;
	const char	*want;
} names[] = {
	{ "味噌汁.txt", "a-e18c964a" },	/* capsuled(8) FORMAT example */
	{ "味.txt", "a-b4676970" },
	{ "味", "a-b4676970" },		/* no .txt: all of it */
	{ "___.txt", "a-045a3b34" },
	{ ".txt", "a-811c9dc5" },		/* nothing before .txt */
	{ "вторая.txt", "vtoraya" },
	{ "Ελλάδα.txt", "ellada" },
	{ "04_cjk_title.txt", "04-cjk-title" },
	{ "a.TXT", "a-txt" },			/* only .txt is cut */
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
		CHECK(n + 1 <= SLUG_ROOM(strlen(cases[i].title)),
		    "within SLUG_ROOM");
	}
	for (i = 0; i < sizeof(letters) / sizeof(letters[0]); i++) {
		const char	*p = letters[i].letters, *e;

		for (; *p != '\0'; p = *e == ' ' ? e + 1 : e) {
			e = strchr(p, ' ');
			if (e == NULL)
				e = p + strlen(p);
			n = slug_make(p, (size_t)(e - p), out);
			CHECK(strcmp(out, letters[i].want) == 0,
			    "%.*s gives \"%s\", want \"%s\"", (int)(e - p), p,
			    out, letters[i].want);
		}
	}

	/* the worst case: every Щ gives 4 bytes for 2 */
	strcpy(in, "Щ Щ Щ");
	n = slug_make(in, strlen(in), out);
	CHECK_STR(out, "shch-shch-shch");
	CHECK(n == 14 && n + 1 <= SLUG_ROOM(strlen(in)), "%zu bytes", n);

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = slug_from_name(names[i].name, strlen(names[i].name), out);
		CHECK_STR(out, names[i].want);
		CHECK(n == strlen(out) &&
		    n + 1 <= SLUG_ROOM(strlen(names[i].name)), "length");
	}
	/* a long name is cut like a title */
	memset(in, 'q', 120);
	strcpy(in + 120, ".txt");
	CHECK(slug_from_name(in, 124, out) == 100, "cut name");

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
