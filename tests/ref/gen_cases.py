#!/usr/bin/env python3
"""Deterministic generator of nasty capsules for the differential test.

    gen_cases.py [--seed S] [--capsules N] [--files M] [--big] OUTDIR

writes OUTDIR/c000 ... OUTDIR/c<N-1>, each a capsule directory with M article
files (*.txt, some of which must be skipped) plus a few decoys that are not
articles (a hidden .txt file, a directory named *.txt, a .md file, a .TXT
file).  With --big, capsule c000 also gets a file of exactly 8 MiB and one of
8 MiB + 1 byte.  Three fixed capsules are added: t_slugs (slug of every
interesting code point), t_order (file-name order, suffixes, fallback slugs,
symlinks, a FIFO, directories and other non-articles) and t_edges (minimal
front matter / READ MORE / neutralisation / URL / line-ending edge cases).
The same arguments always give byte-identical output.
Standard library only.
"""

import argparse
import os
import random

# --------------------------------------------------------------------------
# character material

ASCII_WORDS = ("gemini gopher capsule tomato pain back garden soup seed slug "
               "the and for with of a an in on to walk heat ice miso dashi "
               "knife batch sleep stretch compost x y z qq pi tea").split()
LATIN = [chr(c) for c in range(0xC0, 0x180)]          # includes x and /
LATIN_WORDS = ["Crêpes", "Jalapeños", "Déjà", "Straße", "Œuvre", "Ærø",
               "Łódź", "Þorn", "Ĳssel", "naïve", "façade", "İstanbul",
               "ŉ", "ſchön", "Ŋoŋ", "ÿes", "Ğüç", "Å×Ø÷ß", "Ħeħ", "ĸra"]
# Cyrillic (Russian, Ukrainian, Belarusian, Serbian, Macedonian) and Greek,
# with the letters the slug table does not list (ѐ ѝ, ϐ ϲ, ano teleia), hard
# and soft signs, and ο before every form of υ
CYRILLIC_WORDS = ["Вторая", "статья", "подъезде", "Щука", "ёж", "ОБЪЕКТ",
                  "Їжак", "ґава", "Єдині", "Київ", "м'ясо", "пʼять", "ўзяў",
                  "Ђорђе", "Љиљана", "ЊЕГОШ", "Ћуприја", "Џеп", "Ѓорѓи",
                  "ќе", "ѕвезда", "ѝ", "Ѐх", "борщ", "ЩЪЬ", "Ь", "ѣ", "Ӝ"]
GREEK_WORDS = ["Ελληνική", "Κουζίνα", "Άρτος", "ΟΥΡΑΝΟΣ", "Ούτε", "οΎ",
               "προϋπόθεση", "όυ", "όυ", "Σωκράτης", "ΐΰ", "ΪΫ",
               "μ·ν", "ϐϲ", "ψάρι", "ξύδι", "θάλασσας", "ο", "Ο", "ου",
               "ἀρχή", "Ὀδυσσεύς"]
CYRILLIC_GREEK = ([chr(c) for c in range(0x400, 0x460)] + ["Ґ", "ґ"] +
                  [chr(c) for c in range(0x386, 0x3D0)])
CJK = ["味噌", "出汁", "日本語", "漢字", "中文", "한국어", "ひらがな", "カタカナ",
       "・", "（注）", "「引用」"]
EMOJI = ["🌶️", "🍅", "😀", "👩‍🍳", "🏳️‍🌈", "🇯🇵", "✂", "☕", "🧄"]
APOS = ["'", "\u2018", "\u2019", "\u02bc"]
COMBINING = ["\u0301", "\u0300", "\u0303", "\u0308", "\u0327", "\u036f"]
INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f",
             "\u2060", "\u2061", "\u2062", "\u2063", "\u2064", "\ufeff"]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
        "\u2066", "\u2067", "\u2068", "\u2069"]
C0 = [chr(c) for c in list(range(0x00, 0x09)) + [0x0B, 0x0C] +
      list(range(0x0E, 0x20)) + [0x7F]]
C1 = [chr(c) for c in range(0x80, 0xA0)]
ODD_SPACES = ["\u00a0", "\u2028", "\u2029", "\u3000", "\u2003", "\u202f"]
PUNCT = [":", " - ", "—", "–", "/", ".", "&", "!", "?", "(", ")", ",", "_",
         "-", "--", "×", "÷", "«", "»", "@", "#", "*", "~"]

SCHEMES = ["gemini://", "gopher://", "https://", "http://"]
OPENERS = ["", " ", "(", "[", "<", "\"", "'", "\u201c", "\u2018"]
CLOSERS = [".", ",", ";", ":", "!", "?", ")", "]", ">", "\"", "'",
           "\u201d", "\u2019"]
NON_OPENERS = ["x", "{", "\u00a0", "=", "/", "\u200b", "«", "`", "|",
               "\u201d", "\u2019", ")", ">", "\uff08", "\u3000", "\u00ad"]
SPECIAL_STARTS = ["#", "##", "# ", "###x", "*", "* ", "**", ">", "> ",
                  ">>", "=>", "=> ", "=>gemini://a.b/", "```", "````",
                  "``` ", "``", "`", "=", "= >", "=<", ";", ".", "..", "-",
                  "—", "=>>", "#!", "*>"]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    # ---------------------------------------------------------------- text
    def word(self):
        r = self.r
        w = r.choice(ASCII_WORDS)
        if r.random() < 0.3:
            w = w.capitalize()
        elif r.random() < 0.05:
            w = w.upper()
        return w

    def piece(self, latin1=False):
        r = self.r
        x = r.random()
        if x < 0.40:
            return self.word()
        if x < 0.52:
            if r.random() < 0.5:
                return r.choice(LATIN_WORDS)
            return "".join(r.choice(LATIN) for _ in range(r.randint(1, 6)))
        if latin1:
            return self.word() + r.choice(["'", "s", "é", "ü", "°", "ß"])
        if x < 0.58:
            return r.choice(CJK)
        if x < 0.60:
            y = r.random()
            if y < 0.4:
                return r.choice(CYRILLIC_WORDS)
            if y < 0.8:
                return r.choice(GREEK_WORDS)
            return "".join(r.choice(CYRILLIC_GREEK)
                           for _ in range(r.randint(1, 6)))
        if x < 0.62:
            return r.choice(EMOJI)
        if x < 0.68:
            w = self.word()
            return w[:1] + r.choice(APOS) + w[1:] + r.choice(["", "s", "t"])
        if x < 0.72:
            w = self.word()
            k = r.randint(0, len(w))
            return w[:k] + r.choice(COMBINING) + w[k:]
        if x < 0.77:
            w = self.word()
            k = r.randint(0, len(w))
            return w[:k] + r.choice(INVISIBLE) + w[k:]
        if x < 0.80:
            w = self.word()
            k = r.randint(0, len(w))
            return w[:k] + r.choice(BIDI) + w[k:]
        if x < 0.815:
            w = self.word()
            k = r.randint(0, len(w))
            return w[:k] + r.choice(C0 + C1 + C1) + w[k:]
        if x < 0.84:
            return self.word() + "\t" + self.word()
        if x < 0.87:
            return self.word() + r.choice(ODD_SPACES) + self.word()
        return r.choice(PUNCT)

    def text(self, lo, hi, latin1=False):
        r = self.r
        out = []
        for _ in range(r.randint(lo, hi)):
            out.append(self.piece(latin1))
            out.append(r.choice([" ", " ", " ", " ", "  ", "", "\t"]))
        return "".join(out[:-1])

    def title(self, latin1=False):
        return self.text(1, 8, latin1)

    def url(self):
        r = self.r
        s = r.choice(SCHEMES)
        x = r.random()
        if x < 0.10:
            return s                                    # nothing after ://
        if x < 0.15:
            return s + r.choice(CLOSERS)                # only closers
        host = r.choice(["a.example", "capsule.example.org", "x", "héllo.example",
                         "例え.jp", "[::1]", "h:70"])
        path = r.choice(["", "/", "/p/q.gmi", "/1/menu", "/a(b)", "/x?y=1&z=2",
                         "/~u/", "/a.b.", "/é", "/:", "/'q'", "/\u201cq\u201d",
                         "/http://inner.example", "/(gemini://in.example)"])
        return s + host + path

    def url_paragraph(self):
        r = self.r
        parts = []
        urls = []
        for _ in range(r.randint(1, 6)):
            if urls and r.random() < 0.2:
                u = r.choice(urls)                      # duplicate
            else:
                u = self.url()
                urls.append(u)
            x = r.random()
            if x < 0.6:
                pre = r.choice(OPENERS)
            elif x < 0.75:
                pre = r.choice(NON_OPENERS)
            elif x < 0.8:
                pre = "\t"
            elif x < 0.85:
                u = u.upper()
                pre = " "
            else:
                pre = r.choice(OPENERS) + r.choice(OPENERS)
            post = "".join(r.choice(CLOSERS) for _ in range(r.randint(0, 4)))
            if r.random() < 0.2:
                post += r.choice(["x", "(", "a.b", "\t", "\x01z"] +
                                 [s + "z" for s in ODD_SPACES + ["\u0085", "\u200b"]])
            parts.append(self.text(0, 3) + " " + pre + u + post)
        if r.random() < 0.15:
            parts.append(self.long_url())
        p = " ".join(parts)
        if r.random() < 0.3:
            p = r.choice(SCHEMES) + "start.example/ " + p  # URL at the start
        return p

    def long_url(self):
        """A URL near the 1024-byte limit (counted in bytes, not chars)."""
        r = self.r
        s = r.choice(SCHEMES)
        target = r.choice([1023, 1024, 1024, 1025, 1026, 1500, 5000])
        filler = r.choice(["a", "é", "語", "😀"])
        body = s + "l.example/"
        while len((body + filler).encode("utf-8")) <= target:
            body += filler
        while len(body.encode("utf-8")) < target:
            body += "b"
        post = "".join(r.choice(CLOSERS) for _ in range(r.randint(0, 3)))
        return r.choice(OPENERS) + body + post

    def paragraph(self, latin1=False):
        r = self.r
        x = r.random()
        if x < 0.40:
            p = self.text(1, 30, latin1)
        elif x < 0.62:
            p = r.choice(SPECIAL_STARTS) + self.text(0, 10, latin1)
            if r.random() < 0.2:
                p = r.choice([" ", "  ", "\t", "\u00a0", "\u200b", "\u202a",
                              "\x01", "\u0085"]) + p
        elif x < 0.85:
            p = self.url_paragraph()
            if r.random() < 0.3:
                p = r.choice(SPECIAL_STARTS) + p
        elif x < 0.88:
            p = r.choice(["READ MORE", "Read more", "READ MORE ", "---",
                          "date: 2024-01-01", "key:value", "=> /articles/x.gmi"])
        elif x < 0.90:
            # a big paragraph (tens of kilobytes)
            p = " ".join(self.text(5, 15) for _ in range(r.randint(100, 600)))
        else:
            p = self.text(1, 12, latin1) + " " + self.url()
        if latin1:
            p = p.encode("latin-1", "replace").decode("latin-1")
        return p

    # ----------------------------------------------------------- titles
    def long_ascii_title(self):
        """ASCII title whose slug is > 100 chars, with the cut at a '-' or
        inside a word, or one huge word without any '-'."""
        r = self.r
        kind = r.randint(0, 4)
        if kind == 0:
            # exactly 100 slug chars with random '-' (maybe at index 98/99),
            # then either a separator (slug[100] == '-') or more letters
            s = [r.choice("vw") for _ in range(100)]
            for p in r.sample(range(1, 99), r.randint(0, 12)) + [r.choice([97, 98, 99])] * r.randint(0, 1):
                if s[p - 1] != "-" and (p + 1 >= 100 or s[p + 1] != "-"):
                    s[p] = "-"
            if s[-1] == "-":
                s[-1] = "v"
            return "".join(s).replace("-", " ") + r.choice([" tail", "tail", "s - x", ":q", "’s"])
        if kind == 1:                                  # cut inside a word
            words = ["Part%d" % i for i in range(30)]
            return " ".join(words)
        if kind == 2:                                  # no '-' at all
            return "A" * r.randint(101, 160) + r.choice(["", " b", ": Rest"])
        if kind == 3:
            # exactly 100 and 101 slug chars
            return "b" * 50 + " " + "c" * r.choice([48, 49, 50])
        # accented/expanding letters (ß -> ss, Æ -> ae, ĳ -> ij) around the cut
        words = []
        while sum(len(w) + 1 for w in words) < r.randint(95, 130):
            words.append("".join(r.choice("aßÆĳŋÞœé'’\u0301\u200b") for _ in range(r.randint(1, 9))))
        return r.choice([" ", "-", "\u00a0", "×"]).join(words)

    def title_pool(self, m, latin1_flags):
        r = self.r
        pool = []
        for i in range(m):
            pool.append(self.title(latin1_flags[i]))
        specials = [
            "x", "X", "x-2", "X 2", "x\u20142", "x--3",
            "日本語の記事", "🎉🎉", "\u2014", "'\u2019", "\u00d7 \u00f7",
            "---", "READ MORE", "# Not a heading", "=> not a link", "* star",
            "Crêpes, Galettes and Pancakes", "CRÊPES galettes & pancakes",
            "Beginner\u2019s Guide", "Beginner's Guide", "Beginnerʼs guide",
            "tab\there", "  spaced   title  ", "nbsp\u00a0title\u00a0",
            "zero\u200bwidth", "bidi \u202eevil\u202c title",
            "ctl\x01\x7f\u0085title", "Straße ß", "İı ĳ Œ Þ ŉ",
            "a\u0301e\u0301", "\u00ad", "\u200f",
            "Вторая статья о подъезде", "ВТОРАЯ СТАТЬЯ О ПОДЪЕЗДЕ", "Авто",
            "Щука и ёж", "Ελληνική Κουζίνα: Άρτος", "ΕΛΛΗΝΙΚΗ ΚΟΥΖΙΝΑ",
            "Їжак і ґава", "Ђорђе и Џеп", "ъ", "ь ъ", "味噌", "出汁",
            "ѝ", "οϋ",
        ]
        for _ in range(r.randint(3, 8)):
            k = r.randrange(m)
            pool[k] = r.choice(specials)
        for _ in range(r.randint(1, 3)):
            k = r.randrange(m)
            pool[k] = self.long_ascii_title()
        # a long title sharing the first 100 slug characters with another
        if r.random() < 0.6:
            base = self.long_ascii_title()
            a, b = r.randrange(m), r.randrange(m)
            pool[a] = base
            pool[b] = base + " extra words"
        # duplicates
        for _ in range(r.randint(1, 4)):
            a, b = r.randrange(m), r.randrange(m)
            pool[b] = pool[a]
        return pool

    def entry_title_variant(self, t):
        r = self.r
        x = r.random()
        if x < 0.35:
            return t
        if x < 0.45:
            return "".join(c.upper() if c.isascii() and r.random() < 0.5 else c
                           for c in t)
        if x < 0.5:
            return t.upper() if r.random() < 0.7 else t.lower()
        if x < 0.58:
            for a in APOS:
                t = t.replace(a, r.choice(APOS))
            return t.replace(":", " -")
        if x < 0.66:
            k = r.randint(0, len(t))
            return t[:k] + r.choice(INVISIBLE + BIDI + C0 + ["\t", "  "]) + t[k:]
        if x < 0.72:
            return " \t" + t + "\t "
        if x < 0.78:
            return t + r.choice(["\u00a0", "!", " 2", "s", "\u0301"])
        if x < 0.85:
            tr = {"é": "e", "ê": "e", "ñ": "n", "ß": "ss", "Œ": "OE", "ü": "u"}
            return "".join(tr.get(c, c) for c in t)
        return t.replace(" ", "-")

    # ----------------------------------------------------------- files
    def read_more(self):
        r = self.r
        return r.choices(
            ["READ MORE", "READ MORE  ", "  READ MORE", "READ\tMORE",
             "\u202aREAD MORE\u202c", "READ MORE\x7f", "READ MORE\u0085",
             "Read more", "READ MORE.", "READ  MORE", "READ MORE\u00a0",
             "READ\u200bMORE", "read more", "READMORE"],
            weights=[60, 4, 4, 3, 2, 1, 1, 3, 2, 2, 2, 1, 1, 1])[0]

    def related(self, pool, decoy_titles, latin1):
        r = self.r
        lines = []
        for _ in range(r.choice([0, 0, 1, 2, 3, 4, 5, 7])):
            x = r.random()
            if x < 0.65:
                t = self.entry_title_variant(r.choice(pool))
            elif x < 0.75 and decoy_titles:
                t = r.choice(decoy_titles)
            elif x < 0.85:
                t = r.choice(SPECIAL_STARTS) + self.title(latin1)
            else:
                t = self.title(latin1)
            summary = self.text(1, 10, latin1)
            y = r.random()
            if y < 0.03:
                summary = "READ MORE"
            elif y < 0.05:
                summary = ""                           # blank: breaks triple
            elif y < 0.07:
                summary = "\t \u202a"                  # blank after cleaning
            lines += [t, summary, self.read_more()]
        x = r.random()
        if x < 0.08:
            lines.append("READ MORE")                  # consecutive READ MORE
        elif x < 0.14:
            lines += [self.title(latin1), "READ MORE"]  # incomplete triple
        elif x < 0.18:
            lines += ["READ MORE"] * r.randint(2, 4)
        elif x < 0.22 and lines:
            del lines[r.randrange(len(lines))]         # break the pattern
        return lines

    def front_matter(self):
        r = self.r
        x = r.random()
        good_keys = ["date: 2024-03-18", "lang: en", "author: M. Okafor",
                     "Date: 2023-11-02", "LANG:en-GB", "x-y_z9: v", "date:",
                     "lang:   ", "k:", "date: not-a-date", "a:b:c",
                     "url: https://x.example", "date:\t2020-02-30"]
        bad_keys = ["date : 2024-01-01", "1date: x", "_k: v", "-k: v",
                    "da te: x", "ключ: x", ": x", "date", "date\u200b: x",
                    "\u00e9t\u00e9: x", "key\u00a0: v", "k=v"]
        if x < 0.55:
            return []
        if x < 0.75:                                   # valid
            keys = [r.choice(good_keys) for _ in range(r.randint(0, 5))]
            return [r.choice(["---", "--- ", "\t---", "---\x01"])] + keys + ["---"]
        if x < 0.82:                                   # one bad key
            keys = [r.choice(good_keys) for _ in range(r.randint(0, 4))]
            keys.insert(r.randint(0, len(keys)), r.choice(bad_keys))
            return ["---"] + keys + ["---"]
        if x < 0.87:                                   # unterminated
            return ["---"] + [r.choice(good_keys) for _ in range(r.randint(0, 3))]
        if x < 0.95:                                   # 19..22 key lines
            n = r.choice([19, 20, 20, 21, 21, 22])
            return ["---"] + ["k%d: v" % i for i in range(n)] + ["---"]
        return ["----", "date: 2024-01-01", "---"]      # not an opening line

    def blank(self):
        return self.r.choice(["", "", "", " ", "   ", "\t", "\u202a\u2069",
                              " \t \x0b", "\x1f", "\u0085"])

    def sprinkle_blanks(self, lines, rate):
        out = []
        for l in lines:
            while self.r.random() < rate:
                out.append(self.blank())
            out.append(l)
        while self.r.random() < rate:
            out.append(self.blank())
        return out

    def encode_lines(self, lines, latin1):
        r = self.r
        style = r.choice(["lf", "lf", "lf", "crlf", "cr", "mix"])
        seps = {"lf": ["\n"], "crlf": ["\r\n"], "cr": ["\r"],
                "mix": ["\n", "\r\n", "\r", "\r\r\n", "\n\r"]}[style]
        out = []
        for i, l in enumerate(lines):
            out.append(l)
            if i < len(lines) - 1:
                out.append(r.choice(seps))
        if r.random() < 0.35:
            out.append(r.choice(seps) * r.randint(1, 3))
        text = "".join(out)
        x = r.random()
        if latin1:
            data = text.encode("latin-1", "replace")
            if r.random() < 0.2:
                data = b"\xef\xbb\xbf" + data
            return data
        data = text.encode("utf-8")
        if x < 0.15:
            data = b"\xef\xbb\xbf" + data
        elif x < 0.18:
            data = b"\xef\xbb\xbf\xef\xbb\xbf" + data    # second BOM is text
        elif x < 0.26:
            # one invalid sequence turns the whole file into Latin-1
            bad = r.choice([b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80",
                            b"\xed\xbf\xbf", b"\xf4\x90\x80\x80", b"\x80",
                            b"\xff", b"\xc3", b"\xe2\x82", b"\xf8\x88\x80\x80\x80"])
            k = r.randint(0, len(data))
            while k < len(data) and (data[k] & 0xC0) == 0x80:
                k += 1
            if r.random() < 0.3:
                k = len(data)                          # truncated at EOF
            data = data[:k] + bad + data[k:]
            if r.random() < 0.2:
                data = b"\xef\xbb\xbf" + data
        return data

    def article(self, title, pool, decoy_titles, latin1):
        r = self.r
        lines = self.front_matter() + [title]
        lines += [self.paragraph(latin1) for _ in range(r.choice([0, 1, 2, 3, 4, 6, 9]))]
        lines += self.related(pool, decoy_titles, latin1)
        lines = self.sprinkle_blanks(lines, r.choice([0.0, 0.0, 0.1, 0.4]))
        return self.encode_lines(lines, latin1)

    def special_file(self, title):
        r = self.r
        kind = r.choice(["empty", "blank", "binary", "fmonly", "thresh",
                         "thresh", "late_ctl", "bom_only", "nul_title"])
        if kind == "empty":
            return b""
        if kind == "blank":
            return r.choice([b"\n\n", b"   \r\n\t\r", b"\xef\xbb\xbf",
                             "\u202a \u2069\n\x0b".encode(), b"\x00",
                             b"\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\x01"])
        if kind == "bom_only":
            return b"\xef\xbb\xbf\r\n"
        if kind == "binary":
            return bytes(r.randrange(256) for _ in range(r.randint(50, 3000)))
        if kind == "fmonly":
            return "---\ndate: 2024-01-01\nlang: en\n---\n\n".encode()
        if kind == "nul_title":
            return (title + "\x00\n" + self.paragraph()).encode()
        if kind == "late_ctl":
            # control bytes only after the first 8 KiB do not count
            head = (title + "\n" + "x" * 8300 + "\n").encode()
            return head + b"\x01" * 2000 + b"\nend"
        # exactly at / just above the 5 % threshold
        body = (title + "\n" + self.text(3, 20) + "\n").encode("utf-8")
        n = max(len(body) + 60, r.randint(200, 4000))
        n += (-n) % 20
        ctl = n // 20 + r.choice([0, 0, 1, -1])
        filler = n - len(body) - ctl
        if filler < 0:
            return body
        data = body + b"a" * filler
        pos = sorted(r.randrange(len(body), len(data) + 1) for _ in range(ctl))
        out = bytearray()
        last = 0
        for p in pos:
            out += data[last:p] + bytes([r.choice([1, 2, 0x1b, 0x7f, 0x0c, 0])])
            last = p
        out += data[last:]
        if r.random() < 0.3:
            out = out.replace(b"aaaa", b"\t\r\n ", 3)    # TAB/CR/LF don't count
        return bytes(out)

    def names(self, m):
        r = self.r
        names = []
        for i in range(m):
            names.append(("%03d_%016x.txt" % (i + 1, r.getrandbits(64))).encode())
        odd = [b"___.txt", "\u65e5\u672c.txt".encode(), "\u2014.txt".encode(),
               b"Foo.txt", b"foo bar.txt", b"B.txt", b"a.txt", b"a-b.txt",
               b"x.txt", b"x-2.txt", b"article.txt", "D\u00e9j\u00e0 vu.txt".encode(),
               b"caf\xe9.txt", b"Z" * 30 + b"-" + b"y" * 80 + b".txt",
               b"q" * 120 + b".txt", b"0.txt", b"~.txt", b"README.txt",
               "вторая.txt".encode(), "авто.txt".encode(),
               "\u5473\u564c\u6c41.txt".encode(), "\u51fa\u6c41.txt".encode(),
               "κουζίνα.txt".encode(), "Ђ.txt".encode(), "ъ.txt".encode(),
               "a-e18c964a.txt".encode(), b"\xd0.txt", b"\xe5\x91.txt"]
        for _ in range(r.randint(1, 5)):
            names[r.randrange(m)] = r.choice(odd)
        # make them unique
        seen = []
        out = []
        for n in names:
            while n in seen:
                n = b"%d" % r.randrange(10) + n
            seen.append(n)
            out.append(n)
        return out

    def capsule(self, d, m, big):
        r = self.r
        os.makedirs(d, exist_ok=True)
        latin1 = [r.random() < 0.1 for _ in range(m)]
        pool = self.title_pool(m, latin1)
        names = self.names(m)
        decoy_titles = ["Hidden Article Title", "Directory Article",
                        "Markdown Article", "Uppercase TXT Article"]
        with open(os.path.join(d, ".hidden.txt"), "wb") as f:
            f.write(b"Hidden Article Title\nbody")
        os.makedirs(os.path.join(d, "sub.txt"), exist_ok=True)
        with open(os.path.join(d, "sub.txt", "inner.txt"), "wb") as f:
            f.write(b"Directory Article\nbody")
        with open(os.path.join(d, "notes.md"), "wb") as f:
            f.write(b"Markdown Article\nbody")
        with open(os.path.join(d, "UPPER.TXT"), "wb") as f:
            f.write(b"Uppercase TXT Article\nbody")
        for i in range(m):
            title = pool[i]
            if r.random() < 0.08:
                data = self.special_file(title)
                decoy_titles.append(title)
            else:
                data = self.article(title, pool, decoy_titles, latin1[i])
            with open(os.path.join(os.fsencode(d), names[i]), "wb") as f:
                f.write(data)
        if big:
            for size in (8 * 1024 * 1024, 8 * 1024 * 1024 + 1):
                chunks = [("Big File %d\n" % size).encode()]
                total = len(chunks[0])
                para = (self.url_paragraph() + " " + self.text(50, 80)).encode()
                para = para.replace(b"\n", b" ").replace(b"\r", b" ")
                while total + len(para) + 1 < size:
                    chunks.append(para + b"\n")
                    total += len(para) + 1
                chunks.append(b"z" * (size - total))
                data = b"".join(chunks)
                assert len(data) == size
                with open(os.path.join(d, "big_%d.txt" % size), "wb") as f:
                    f.write(data)


# --------------------------------------------------------------------------
# fixed, targeted capsules (independent of the seed)

def _index(title, entries):
    return (title + "\n" + "".join(t + "\nsummary\nREAD MORE\n" for t in entries)).encode("utf-8")


def _write(d, name, data):
    if isinstance(name, str):
        name = name.encode("utf-8")
    with open(os.path.join(os.fsencode(d), name), "wb") as f:
        f.write(data)


def capsule_slugs(d):
    """Every interesting code point in titles "q<c>q<c>...q", all referenced
    from one index article, so each slug shows in a link."""
    os.makedirs(d, exist_ok=True)
    cps = (list(range(0x21, 0x7F)) + list(range(0xA0, 0x530)) +
           list(range(0x1E00, 0x2000)) + list(range(0x2000, 0x20D0)) +
           list(range(0x2100, 0x2190)) + list(range(0xFB00, 0xFB07)) +
           list(range(0xFE00, 0xFE10)) + list(range(0xFF01, 0xFF5F)) +
           [0xFEFF, 0xFFFD, 0xFFFE, 0xFFFF, 0x3000, 0x3042, 0x4E00, 0xAC00,
            0x1D400, 0x1D41A, 0x1F600, 0x1F3FB, 0xE0001, 0xE0061, 0x10FFFF])
    titles = []
    chars = [chr(c) for c in cps]
    for i in range(0, len(chars), 12):
        titles.append("q" + "q".join(chars[i:i + 12]) + "q%d" % i)
    # Greek ο/Ο/ό before every υ form and what must break the digraph
    for a in "οΟό":
        for b in ["υ", "Υ", "ύ", "Ύ", "ϋ", "Ϋ", "ΰ", "\u0301υ", "\u00adυ",
                  " υ", "ο", ""]:
            titles.append("q" + a + b + "q" + a + b + "q")
    for i, t in enumerate(titles):
        _write(d, "s%04d.txt" % i, (t + "\nbody").encode("utf-8"))
    # also as Latin-1 bytes (file decoded as ISO-8859-1)
    lat = bytes(range(0xA0, 0x100))
    for i in range(0, len(lat), 12):
        _write(d, "l%04d.txt" % i, b"L" + lat[i:i + 12] + b"%d\nbody" % i)
        titles.append("L" + lat[i:i + 12].decode("latin-1") + "%d" % i)
    # entries spelled differently: upper case / stripped of accents
    extra = [t.upper() for t in titles[:40]]
    _write(d, "000_index.txt", _index("Index", titles + extra))


def capsule_order(d):
    """File-name order, suffixes, fallbacks, non-article directory entries."""
    os.makedirs(d, exist_ok=True)
    w = lambda n, t: _write(d, n, t.encode("utf-8"))
    w("a.txt", "Dup\nbody a")
    w("a.b.txt", "Dup\nbody a.b")          # "a.b.txt" < "a.txt" bytewise
    w("a-b.txt", "Dup2\nbody a-b")
    w("a_b.txt", "Dup2\nbody a_b")
    w("z.txt", "Dup3\nz")
    w("\u00e9.txt", "Dup3\ne")
    w("B.txt", "Dup4\nB")
    w("b.txt", "Dup4\nb")
    for i in range(12):
        w("x%02d.txt" % i, "x\nbody")
    w("x00a.txt", "x 10\nbody")
    w("x99.txt", "X-2\nbody")
    w("___.txt", "\u65e5\u672c\nbody")
    w("\u2014.txt", "\u65e5\u672c\u8a9e\nbody")
    w("zz_Article.txt", "Article\nbody")
    w("q" * 120 + ".txt", "\U0001f389\nbody")
    w("Z" * 30 + "-" + "y" * 80 + ".txt", "\U0001f389\U0001f389\nbody")
    w("Y" * 100 + "-tail.txt", "\u5473\nbody")
    w("D\u00e9j\u00e0 Vu \u00c6on.txt", "\u51fa\nbody")
    _write(d, b"\xc3\xa9t\xe9x2.txt", "\u6f22\nbody".encode())
    _write(d, b"a\x01b.txt", "\u5b57\nbody".encode())
    w("a\u202eb\u2067c\u00add\ufeffe\u200bf.txt", "\u5929\nbody")   # dropped in slugs
    w("Ab\u0301\u2019c \u0133 \u00d7 \u00df.txt", "\u5730\nbody")
    w("вторая.txt", "\u5473\u564c\nbody")           # name transliterated
    w("κουζίνα.txt", "\u5473\u564c\nbody")
    w("\u5473\u564c\u6c41.txt", "\u5473\u564c\nbody")   # hash: a-e18c964a
    w("\u51fa\u6c41.txt", "\U0001f35c\nbody")
    w("ъь.txt", "\u51fa\nbody")                   # name of signs only: hash
    w("0a.txt", "A E18C964A\nbody")                # a title taking a hash
    _write(d, b"\xd0\xd0.txt", "\u5473\nbody".encode())
    w("empty_title.txt", "\n\n \t\n")
    w("same1.txt", "\u00a0\nbody")                   # title is a NBSP
    w("same2.txt", "\u00a0\nbody")
    w("target.txt", "Sym Target\nbody")
    os.symlink("target.txt", os.path.join(d, "link.txt"))
    os.symlink("nonexistent", os.path.join(d, "dangling.txt"))
    os.mkdir(os.path.join(d, "dir.txt"))
    _write(os.path.join(d, "dir.txt"), "inner.txt", b"Inner\nbody")
    w(".hidden.txt", "Hidden\nbody")
    w("upper.TXT", "Upper\nbody")
    w("notxt", "Notxt\nbody")
    w("empty.txt", "")
    w("binary.txt", "Binary Title\n" + "\x00" * 50)
    try:
        os.mkfifo(os.path.join(d, "fifo.txt"))
    except (AttributeError, OSError):
        pass
    w("000_index.txt", _index("Index", [
        "Dup", "DUP", "Dup2", "Dup3", "Dup4", "x", "x 10", "x-11", "X 12",
        "x-2", "x 2", "x-13", "\u65e5\u672c", "\u65e5\u672c\u8a9e", "Article",
        "\U0001f389", "\U0001f389\U0001f389", "\u5473", "\u51fa", "\u6f22",
        "\u5b57", "\u5929", "\u5730", "\u00a0", "\u5473\u564c",
        "\U0001f35c", "A E18C964A", "a-e18c964a", " \u00a0 ", "Sym Target", "Inner", "Hidden", "Upper",
        "Notxt", "Binary Title", "Index", "index"]).decode())


EDGE_FILES = [
    b"---\n---\n---\n---",                      # empty FM, title ---
    b"---\n---",                                 # only FM: skip
    b"---",                                      # title ---
    b"---\nkey:v",                               # unterminated
    b"---\nkey:v\n---\n\n\n",                    # only FM: skip
    b"---\r\n\r\nk: v\r\n\r\n---\r\nT\r\nbody",   # blank lines inside FM
    b"  ---  \nDATE:x\n\t---\t\nT",             # cleaned delimiters
    b"---\nk:v\n--- \n---\nT",                  # title ---
    b"---\nk :v\n---\nT",
    b"---\nk-_9Z:\n---\nT",
    b"---\n9k:v\n---\nT",
    b"---\nk\n---\nT",
    b"---\nhttps://x.example\n---\nT",
    b"---\n" + b"".join(b"k%d:v\n\n" % i for i in range(20)) + b"---\nT 20 keys",
    b"---\n" + b"".join(b"k%d:v\n" % i for i in range(21)) + b"---\nT 21 keys",
    b"\xef\xbb\xbf---\nk:v\n---\nBOM FM",
    b"\xe2\x80\xaa---\xe2\x80\xac\nk:v\n---\nbidi FM",
    b"T\nREAD MORE",
    b"T\nA\nREAD MORE",
    b"T\nA\nB\nREAD MORE",
    b"T\nA\nB\nREAD MORE\nREAD MORE",
    b"T\nREAD MORE\nB\nREAD MORE",
    b"T\nA\nREAD MORE\nREAD MORE",
    b"T\nP\nA\nB\nREAD MORE\nC\nD\nREAD MORE\n",
    b"T\nP\nA\nB\nREAD MORE\nC\nREAD MORE\nREAD MORE",
    b"T\nP\nA\n\nB\n\nREAD MORE\n\n",
    b"T\nP\nA\nB\nREAD\tMORE",
    b"T\nP\nA\nB\nREAD  MORE",
    b"T\nP\nA\nB\n READ MORE \x7f",
    b"T\nP\nA\nB\nREAD MORE\xc2\xa0",
    b"READ MORE\nA\nB\nREAD MORE",
    b"READ MORE\nREAD MORE\nREAD MORE\nREAD MORE",
    b"# title\n# p\n## p\n* p\n> p\n=> p\n=>p\n=p\n``` p\n`` p\n` p\n\t# p\n\xe2\x80\x8b# p",
    b"T\n#\n*\n>\n=>\n```\n=\n`",
    b"T\n=> https://a.example\n=>https://b.example\n>https://c.example\n(https://d.example)",
    b"T\nhttps://\nhttps://.\nhttps://x\nhttp://x\ngemini://\xe2\x80\x99\ngopher://?\nftp://x\nHTTPS://x",
    b"T\nx https://a.example/ https://a.example/ https://a.example/. https://a.example/)",
    b"T\n\"\xe2\x80\x9chttps://a.example\xe2\x80\x9d\" [<https://b.example>] '\xe2\x80\x98https://c.example\xe2\x80\x99'",
    b"T\nend https://a.example/x\xc2\xa0y z\xe3\x80\x80w",
    b"T\n" + b"https://a.example/" + b"a" * 1006,        # 1024 bytes
    b"T\n" + b"https://a.example/" + b"a" * 1007,        # 1025 bytes
    b"T\n" + b"https://a.example/" + b"a" * 1006 + b").,",
    b"T\n" + b"https://a.example/" + "\u00e9".encode() * 503,   # 1024 bytes
    b"T\n" + b"https://a.example/" + "\u00e9".encode() * 503 + b"a",
    b"T\r\rA\r\n\r\nB\n\rC\r",
    b"T\x0bX\x0cY\x1cZ\xc2\x85W\xe2\x80\xa8V\xe2\x80\xa9U",
    b"\t \t\n\n  Title  with  spaces \t\n\tpara\t\t\tx\t",
    b"\xef\xbb\xbf\xef\xbb\xbfDouble BOM",
    b"Latin \xe9\x85\x96\xa0\xad end\xa0",
    # binary threshold: > 5 % of min(size, 8192) bytes in the control set
    b"T\x01\x02\x1b\x7f\x0c" + b"a" * 94,        # 5 of 100: text
    b"T\x01\x02\x1b\x7f\x0c\x0b" + b"a" * 93,    # 6 of 100: binary
    b"T\x00\x00\x00\x00\x00" + b"a" * 95,        # 5 of 101: text
    b"T\n" + b"\x01" * 409 + b"a" * (8192 - 411) + b"\x01" * 5000 + b"\nz",
    b"T\n" + b"\x01" * 410 + b"a" * (8192 - 412) + b"\nz" + b"b" * 5000,
    b"T\t\r\n\t\r\n\t\r\n\t\r\n\t\r\n\t\r\nx",     # TAB/CR/LF never count
    b"\xef\xbb\xbf\x01",                                 # 1 of 4: binary
]


def capsule_edges(d):
    os.makedirs(d, exist_ok=True)
    for i, data in enumerate(EDGE_FILES):
        _write(d, "e%03d.txt" % i, data)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--capsules", "-n", type=int, default=30)
    ap.add_argument("--files", "-m", type=int, default=15)
    ap.add_argument("--big", action="store_true")
    ap.add_argument("outdir")
    a = ap.parse_args()
    capsule_slugs(os.path.join(a.outdir, "t_slugs"))
    capsule_order(os.path.join(a.outdir, "t_order"))
    capsule_edges(os.path.join(a.outdir, "t_edges"))
    for c in range(a.capsules):
        g = Gen(a.seed * 1000003 + c)
        g.capsule(os.path.join(a.outdir, "c%03d" % c), a.files, a.big and c == 0)


if __name__ == "__main__":
    main()
