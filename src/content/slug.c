#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "slug.h"
#include "strmap.h"
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

/* Cyrillic U+0400-U+045F: both cases give the same letters; the hard
   and soft signs are dropped (""), the unlisted Ѐ ѐ Ѝ ѝ are separators. */
static const char *const cyrillic[0x460 - 0x400] = {
	[0x401 - 0x400] = "yo", [0x451 - 0x400] = "yo",	/* Ё ё */
	[0x402 - 0x400] = "dj", [0x452 - 0x400] = "dj",	/* Ђ ђ */
	[0x403 - 0x400] = "gj", [0x453 - 0x400] = "gj",	/* Ѓ ѓ */
	[0x404 - 0x400] = "ye", [0x454 - 0x400] = "ye",	/* Є є */
	[0x405 - 0x400] = "dz", [0x455 - 0x400] = "dz",	/* Ѕ ѕ */
	[0x406 - 0x400] = "i", [0x456 - 0x400] = "i",	/* І і */
	[0x407 - 0x400] = "yi", [0x457 - 0x400] = "yi",	/* Ї ї */
	[0x408 - 0x400] = "j", [0x458 - 0x400] = "j",	/* Ј ј */
	[0x409 - 0x400] = "lj", [0x459 - 0x400] = "lj",	/* Љ љ */
	[0x40A - 0x400] = "nj", [0x45A - 0x400] = "nj",	/* Њ њ */
	[0x40B - 0x400] = "c", [0x45B - 0x400] = "c",	/* Ћ ћ */
	[0x40C - 0x400] = "kj", [0x45C - 0x400] = "kj",	/* Ќ ќ */
	[0x40E - 0x400] = "u", [0x45E - 0x400] = "u",	/* Ў ў */
	[0x40F - 0x400] = "dz", [0x45F - 0x400] = "dz",	/* Џ џ */
	[0x410 - 0x400] = "a", [0x430 - 0x400] = "a",	/* А а */
	[0x411 - 0x400] = "b", [0x431 - 0x400] = "b",	/* Б б */
	[0x412 - 0x400] = "v", [0x432 - 0x400] = "v",	/* В в */
	[0x413 - 0x400] = "g", [0x433 - 0x400] = "g",	/* Г г */
	[0x414 - 0x400] = "d", [0x434 - 0x400] = "d",	/* Д д */
	[0x415 - 0x400] = "e", [0x435 - 0x400] = "e",	/* Е е */
	[0x416 - 0x400] = "zh", [0x436 - 0x400] = "zh",	/* Ж ж */
	[0x417 - 0x400] = "z", [0x437 - 0x400] = "z",	/* З з */
	[0x418 - 0x400] = "i", [0x438 - 0x400] = "i",	/* И и */
	[0x419 - 0x400] = "j", [0x439 - 0x400] = "j",	/* Й й */
	[0x41A - 0x400] = "k", [0x43A - 0x400] = "k",	/* К к */
	[0x41B - 0x400] = "l", [0x43B - 0x400] = "l",	/* Л л */
	[0x41C - 0x400] = "m", [0x43C - 0x400] = "m",	/* М м */
	[0x41D - 0x400] = "n", [0x43D - 0x400] = "n",	/* Н н */
	[0x41E - 0x400] = "o", [0x43E - 0x400] = "o",	/* О о */
	[0x41F - 0x400] = "p", [0x43F - 0x400] = "p",	/* П п */
	[0x420 - 0x400] = "r", [0x440 - 0x400] = "r",	/* Р р */
	[0x421 - 0x400] = "s", [0x441 - 0x400] = "s",	/* С с */
	[0x422 - 0x400] = "t", [0x442 - 0x400] = "t",	/* Т т */
	[0x423 - 0x400] = "u", [0x443 - 0x400] = "u",	/* У у */
	[0x424 - 0x400] = "f", [0x444 - 0x400] = "f",	/* Ф ф */
	[0x425 - 0x400] = "kh", [0x445 - 0x400] = "kh",	/* Х х */
	[0x426 - 0x400] = "ts", [0x446 - 0x400] = "ts",	/* Ц ц */
	[0x427 - 0x400] = "ch", [0x447 - 0x400] = "ch",	/* Ч ч */
	[0x428 - 0x400] = "sh", [0x448 - 0x400] = "sh",	/* Ш ш */
	[0x429 - 0x400] = "shch", [0x449 - 0x400] = "shch",	/* Щ щ */
	[0x42A - 0x400] = "", [0x44A - 0x400] = "",	/* Ъ ъ, dropped */
	[0x42B - 0x400] = "y", [0x44B - 0x400] = "y",	/* Ы ы */
	[0x42C - 0x400] = "", [0x44C - 0x400] = "",	/* Ь ь, dropped */
	[0x42D - 0x400] = "e", [0x44D - 0x400] = "e",	/* Э э */
	[0x42E - 0x400] = "yu", [0x44E - 0x400] = "yu",	/* Ю ю */
	[0x42F - 0x400] = "ya", [0x44F - 0x400] = "ya",	/* Я я */
};

/* Ґ ґ, outside the main Cyrillic block. */
static const char *const cyrillic_ext[0x492 - 0x490] = {
	[0x490 - 0x490] = "g", [0x491 - 0x490] = "g",	/* Ґ ґ */
};

/* Greek U+0386-U+03CE, with tonos and dialytika; the holes (U+0387 ano
   teleia, U+038B, U+038D, U+03A2) are separators. */
static const char *const greek[0x3CF - 0x386] = {
	[0x390 - 0x386] = "i",	/* ΐ */
	[0x386 - 0x386] = "a", [0x3AC - 0x386] = "a",	/* Ά ά */
	[0x388 - 0x386] = "e", [0x3AD - 0x386] = "e",	/* Έ έ */
	[0x389 - 0x386] = "i", [0x3AE - 0x386] = "i",	/* Ή ή */
	[0x38A - 0x386] = "i", [0x3AF - 0x386] = "i",	/* Ί ί */
	[0x3B0 - 0x386] = "y",	/* ΰ */
	[0x391 - 0x386] = "a", [0x3B1 - 0x386] = "a",	/* Α α */
	[0x392 - 0x386] = "v", [0x3B2 - 0x386] = "v",	/* Β β */
	[0x393 - 0x386] = "g", [0x3B3 - 0x386] = "g",	/* Γ γ */
	[0x394 - 0x386] = "d", [0x3B4 - 0x386] = "d",	/* Δ δ */
	[0x395 - 0x386] = "e", [0x3B5 - 0x386] = "e",	/* Ε ε */
	[0x396 - 0x386] = "z", [0x3B6 - 0x386] = "z",	/* Ζ ζ */
	[0x397 - 0x386] = "i", [0x3B7 - 0x386] = "i",	/* Η η */
	[0x398 - 0x386] = "th", [0x3B8 - 0x386] = "th",	/* Θ θ */
	[0x399 - 0x386] = "i", [0x3B9 - 0x386] = "i",	/* Ι ι */
	[0x39A - 0x386] = "k", [0x3BA - 0x386] = "k",	/* Κ κ */
	[0x39B - 0x386] = "l", [0x3BB - 0x386] = "l",	/* Λ λ */
	[0x39C - 0x386] = "m", [0x3BC - 0x386] = "m",	/* Μ μ */
	[0x39D - 0x386] = "n", [0x3BD - 0x386] = "n",	/* Ν ν */
	[0x39E - 0x386] = "x", [0x3BE - 0x386] = "x",	/* Ξ ξ */
	[0x39F - 0x386] = "o", [0x3BF - 0x386] = "o",	/* Ο ο */
	[0x3A0 - 0x386] = "p", [0x3C0 - 0x386] = "p",	/* Π π */
	[0x3A1 - 0x386] = "r", [0x3C1 - 0x386] = "r",	/* Ρ ρ */
	[0x3C2 - 0x386] = "s",	/* ς */
	[0x3A3 - 0x386] = "s", [0x3C3 - 0x386] = "s",	/* Σ σ */
	[0x3A4 - 0x386] = "t", [0x3C4 - 0x386] = "t",	/* Τ τ */
	[0x3A5 - 0x386] = "y", [0x3C5 - 0x386] = "y",	/* Υ υ */
	[0x3A6 - 0x386] = "f", [0x3C6 - 0x386] = "f",	/* Φ φ */
	[0x3A7 - 0x386] = "ch", [0x3C7 - 0x386] = "ch",	/* Χ χ */
	[0x3A8 - 0x386] = "ps", [0x3C8 - 0x386] = "ps",	/* Ψ ψ */
	[0x3A9 - 0x386] = "o", [0x3C9 - 0x386] = "o",	/* Ω ω */
	[0x3AA - 0x386] = "i", [0x3CA - 0x386] = "i",	/* Ϊ ϊ */
	[0x3AB - 0x386] = "y", [0x3CB - 0x386] = "y",	/* Ϋ ϋ */
	[0x38C - 0x386] = "o", [0x3CC - 0x386] = "o",	/* Ό ό */
	[0x38E - 0x386] = "y", [0x3CD - 0x386] = "y",	/* Ύ ύ */
	[0x38F - 0x386] = "o", [0x3CE - 0x386] = "o",	/* Ώ ώ */
};

/* Where each transliterated block lies; "" in a table means dropped. */
static const struct translit {
	uint32_t		 t_first;
	uint32_t		 t_last;
	const char *const	*t_out;
} translit[] = {
	{ 0x00C0, 0x017F, latin },
	{ 0x0386, 0x03CE, greek },
	{ 0x0400, 0x045F, cyrillic },
	{ 0x0490, 0x0491, cyrillic_ext },
};

/* Characters that vanish from a slug without separating words:
   apostrophes, combining marks and invisible format characters. */
static const struct {
	uint32_t	 d_first;
	uint32_t	 d_last;
} dropped[] = {
	{ 0x0027, 0x0027 },	/* ' */
	{ 0x00AD, 0x00AD },	/* soft hyphen */
	{ 0x02BC, 0x02BC },	/* modifier letter apostrophe */
	{ 0x0300, 0x036F },	/* combining diacritical marks */
	{ 0x200B, 0x200F },	/* zero-width spaces and joiners, LRM, RLM */
	{ 0x2018, 0x2019 },	/* curly apostrophes */
	{ 0x202A, 0x202E },	/* bidi embeddings and overrides */
	{ 0x2060, 0x2064 },	/* word joiner, invisible operators */
	{ 0x2066, 0x2069 },	/* bidi isolates */
	{ 0xFEFF, 0xFEFF },	/* zero-width no-break space */
};

/* The one rule that looks at two letters: Greek ου (either case, υ
   with or without tonos) is "ou", not "oy" (Κουζίνα gives kouzina). */
static const struct {
	uint32_t	 g_first;
	uint32_t	 g_second;
	const char	*g_out;
} digraph[] = {
	{ 0x03BF, 0x03C5, "ou" },	/* ο υ */
	{ 0x03BF, 0x03CD, "ou" },	/* ο ύ */
	{ 0x03BF, 0x03A5, "ou" },	/* ο Υ */
	{ 0x03BF, 0x038E, "ou" },	/* ο Ύ */
	{ 0x039F, 0x03C5, "ou" },	/* Ο υ */
	{ 0x039F, 0x03CD, "ou" },	/* Ο ύ */
	{ 0x039F, 0x03A5, "ou" },	/* Ο Υ */
	{ 0x039F, 0x038E, "ou" },	/* Ο Ύ */
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

enum slug_class {
	SLUG_KEEP,	/* a-z 0-9, or a transliterated letter */
	SLUG_DROP,	/* apostrophes, hard and soft signs, marks, formats */
	SLUG_SEP,	/* everything else */
};

static enum slug_class
classify(uint32_t cp, const char **out)
{
	size_t	 k;

	for (k = 0; k < NELEM(translit); k++)
		if (cp >= translit[k].t_first && cp <= translit[k].t_last) {
			*out = translit[k].t_out[cp - translit[k].t_first];
			if (*out == NULL)
				return SLUG_SEP;
			return **out != '\0' ? SLUG_KEEP : SLUG_DROP;
		}
	for (k = 0; k < NELEM(dropped); k++)
		if (cp >= dropped[k].d_first && cp <= dropped[k].d_last)
			return SLUG_DROP;
	return SLUG_SEP;
}

/* The letters of cp and the character at s[0..n) when the two make a
   digraph, with *used the bytes that character took; else NULL. */
static const char *
digraph_of(uint32_t cp, const char *s, size_t n, size_t *used)
{
	uint32_t	 next = 0;
	size_t		 k, len = 0;

	for (k = 0; k < NELEM(digraph); k++) {
		if (digraph[k].g_first != cp)
			continue;
		if (len == 0) {
			if (n == 0)
				return NULL;
			len = utf8_decode(s, n, &next);
		}
		if (digraph[k].g_second == next) {
			*used = len;
			return digraph[k].g_out;
		}
	}
	return NULL;
}

/*
 * The full slug of s[0..n) into out, which has room for SLUG_ROOM(n)
 * bytes.  Returns its length.  The rules are those of capsuled(8),
 * FORMAT: ASCII letters and digits are kept (lower case), the tables
 * above transliterate, drop or separate everything else, and a run of
 * separators between two kept letters is one '-'.
 */
size_t
slug_make(const char *s, size_t n, char *out)
{
	size_t		 i = 0, o = 0, used;
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
			if ((t = digraph_of(cp, s + i, n - i, &used)) != NULL)
				i += used;
			else
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

/*
 * The address slug of an article whose title slugs to "" (capsuled(8),
 * FORMAT), from its file name name[0..n) into out (room for
 * SLUG_ROOM(n) bytes): the cut slug of the name without ".txt", else
 * "a-" and the FNV-1a hash of those raw bytes in 8 hex digits.  Either
 * way it depends on this file alone, so adding or removing another
 * article never moves it; that is why the last resort is not a shared
 * word such as "article" with -2, -3 handed out in file-name order.
 * Returns its length.
 */
size_t
slug_from_name(const char *name, size_t n, char *out)
{
	size_t	 len;

	if (n >= 4 && memcmp(name + n - 4, ".txt", 4) == 0)
		n -= 4;
	if ((len = slug_cut(out, slug_make(name, n, out))) > 0)
		return len;
	return (size_t)snprintf(out, SLUG_HASH_ROOM, "a-%08x",
	    (unsigned)strmap_hash(name, n));
}
