#!/usr/bin/env python3
"""Independent reference implementation of the capsule article format.

Written from the format's specification (the rules capsuled(8), FORMAT,
states) only, without looking at the C sources.  The Cyrillic and Greek slugs
and the hash fallback were added later from the specification's text by the
author of the C change, so they are less independent: the table is the
specification's own text, parsed, and capitals come from Python's case
mapping, not a list.
Standard library only.

Usage:
    capsule_ref.py convert DIR FILE      print the gemtext of DIR/FILE
    capsule_ref.py batch DIR OUTDIR      render every article file of DIR into
                                         OUTDIR/<name>.gmi (or <name>.skip
                                         holding the reason) -- used by the
                                         differential test for speed
    capsule_ref.py slug TEXT...          print full and cut slugs (debugging)
"""

import os
import re
import stat
import sys

MAX_FILE = 8 * 1024 * 1024          # 6: serve at least 8 MiB; bigger: skip
BINARY_WINDOW = 8 * 1024            # 6: first 8 KiB
SLUG_MAX = 100                      # 3: Length
URL_MAX = 1024                      # 2.2: Gemini request limit


class Skip(Exception):
    """The file is not an article; the message says why."""


# --------------------------------------------------------------------------
# 6. binary detection (on the raw bytes)

_BINARY_BYTES = bytes(list(range(0x00, 0x09)) + [0x0B, 0x0C] +
                      list(range(0x0E, 0x20)) + [0x7F])


def is_binary(data):
    window = data[:BINARY_WINDOW]
    if not window:
        return False
    # count of control bytes = length minus length with them deleted
    count = len(window) - len(window.translate(None, _BINARY_BYTES))
    # "more than 5 %": count / n > 0.05  <=>  count * 20 > n
    return count * 20 > len(window)


# --------------------------------------------------------------------------
# 1.1 bytes to text

def decode(data):
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        # Python's strict utf-8 codec rejects overlongs, surrogates
        # (ED A0..BF xx) and code points above U+10FFFF.
        return data.decode("utf-8", "strict")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# --------------------------------------------------------------------------
# 1.2 lines  (only LF, CR LF and lone CR; NOT str.splitlines, which would
# also split at VT, FF, FS/GS/RS, NEL, U+2028, U+2029)

_LINE_SPLIT = re.compile(r"\r\n|\r|\n")


def split_lines(text):
    return _LINE_SPLIT.split(text)


# --------------------------------------------------------------------------
# 1.3 cleaning

_CLEAN = {0x09: " "}
for _c in list(range(0x00, 0x20)) + [0x7F] + list(range(0x80, 0xA0)):
    if _c != 0x09:
        _CLEAN[_c] = None
for _c in list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A)):
    _CLEAN[_c] = None


def clean(line):
    return line.translate(_CLEAN).strip(" ")


# --------------------------------------------------------------------------
# 1.4 front matter

_KEY_LINE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*:")
FRONT_MATTER_LOOKAHEAD = 21


def split_front_matter(lines):
    """lines: non-blank cleaned lines.  Returns (meta dict, remaining lines)."""
    if not lines or lines[0] != "---":
        return None, lines
    close = None
    for k in range(1, min(len(lines), 1 + FRONT_MATTER_LOOKAHEAD)):
        if lines[k] == "---":
            close = k
            break
    if close is None:
        return None, lines
    meta = {}
    for k in range(1, close):
        m = _KEY_LINE.match(lines[k])
        if not m:
            return None, lines
        key = m.group(0)[:-1].lower()
        meta[key] = lines[k][m.end():].strip(" ")
    return meta, lines[close + 1:]


# --------------------------------------------------------------------------
# 1.5 title, body, related block

READ_MORE = "READ MORE"


def split_article(lines):
    n = len(lines)
    title = lines[0]
    i = n
    entries = []
    while (i - 3 >= 1 and lines[i - 1] == READ_MORE
           and lines[i - 2] != READ_MORE and lines[i - 3] != READ_MORE):
        entries.insert(0, (lines[i - 3], lines[i - 2]))
        i -= 3
    body = lines[1:i]
    return title, body, entries


# --------------------------------------------------------------------------
# 3. slugs

_TRANSLIT_TABLE = """
    a   <- À Á Â Ã Ä Å à á â ã ä å Ā ā Ă ă Ą ą
    ae  <- Æ æ
    c   <- Ç ç Ć ć Ĉ ĉ Ċ ċ Č č
    d   <- Ð ð Ď ď Đ đ
    e   <- È É Ê Ë è é ê ë Ē ē Ĕ ĕ Ė ė Ę ę Ě ě
    g   <- Ĝ ĝ Ğ ğ Ġ ġ Ģ ģ
    h   <- Ĥ ĥ Ħ ħ
    i   <- Ì Í Î Ï ì í î ï Ĩ ĩ Ī ī Ĭ ĭ Į į İ ı
    ij  <- Ĳ ĳ
    j   <- Ĵ ĵ
    k   <- Ķ ķ ĸ
    l   <- Ĺ ĺ Ļ ļ Ľ ľ Ŀ ŀ Ł ł
    n   <- Ñ ñ Ń ń Ņ ņ Ň ň ŉ
    ng  <- Ŋ ŋ
    o   <- Ò Ó Ô Õ Ö Ø ò ó ô õ ö ø Ō ō Ŏ ŏ Ő ő
    oe  <- Œ œ
    r   <- Ŕ ŕ Ŗ ŗ Ř ř
    s   <- Ś ś Ŝ ŝ Ş ş Š š ſ
    ss  <- ß
    t   <- Ţ ţ Ť ť Ŧ ŧ
    th  <- Þ þ
    u   <- Ù Ú Û Ü ù ú û ü Ũ ũ Ū ū Ŭ ŭ Ů ů Ű ű Ų ų
    w   <- Ŵ ŵ
    y   <- Ý ý ÿ Ŷ ŷ Ÿ
    z   <- Ź ź Ż ż Ž ž
"""

TRANSLIT = {}
for _row in _TRANSLIT_TABLE.strip().splitlines():
    _out, _ins = _row.split("<-")
    for _ch in _ins.split():
        assert len(_ch) == 1 and ord(_ch) not in TRANSLIT, _ch
        TRANSLIT[ord(_ch)] = _out.strip()
# every other code point of U+00C0-U+017F is x or / (separators)
assert sorted(set(range(0xC0, 0x180)) - set(TRANSLIT)) == [0xD7, 0xF7]

# The Cyrillic and Greek table, as the specification prints it (lowercase
# letter, then its Latin letters); "the capital of each letter gives the
# same output" is taken from Python's own case mapping, not from a list.
_CYRILLIC_GREEK_TABLE = """
    Cyrillic: а a  б b  в v  г g  д d  е e  ё yo  ж zh  з z  и i  й j  к k
              л l  м m  н n  о o  п p  р r  с s  т t  у u  ф f  х kh  ц ts
              ч ch  ш sh  щ shch  ы y  э e  ю yu  я ya  є ye  і i  ї yi  ґ g
              ў u  ђ dj  ј j  љ lj  њ nj  ћ c  џ dz  ѓ gj  ќ kj  ѕ dz
    Greek:    α a  β v  γ g  δ d  ε e  ζ z  η i  θ th  ι i  κ k  λ l  μ m
              ν n  ξ x  ο o  π p  ρ r  σ s  ς s  τ t  υ y  φ f  χ ch  ψ ps
              ω o  ά a  έ e  ή i  ί i  ό o  ύ y  ώ o  ϊ i  ϋ y  ΐ i  ΰ y
"""

_words = []
for _row in _CYRILLIC_GREEK_TABLE.strip().splitlines():
    _words += _row.split(":")[-1].split()
assert len(_words) % 2 == 0
for _lower, _out in zip(_words[0::2], _words[1::2]):
    assert len(_lower) == 1 and _out.isascii() and _out.isalpha(), _lower
    for _ch in set([_lower, _lower.upper()]):
        if len(_ch) != 1:
            continue            # ΐ ΰ have no one-character capital
        assert ord(_ch) not in TRANSLIT or TRANSLIT[ord(_ch)] == _out, _ch
        TRANSLIT[ord(_ch)] = _out
# 190 Latin; 45 Cyrillic letters in two cases; 36 Greek letters and their
# capitals, less three: ς's capital is σ's, ΐ and ΰ have none
assert len(TRANSLIT) == 190 + 2 * 45 + 2 * 36 - 3, len(TRANSLIT)

# "Cyrillic hard and soft signs ъ Ъ ь Ь: nothing (dropped)"
_SLUG_DROP = set(ord(c) for c in "ъЪьЬ")
_SLUG_DROP.update([0x27, 0x2018, 0x2019, 0x02BC, 0x00AD, 0xFEFF])
_SLUG_DROP.update(range(0x0300, 0x0370))
_SLUG_DROP.update(range(0x200B, 0x2010))
_SLUG_DROP.update(range(0x202A, 0x202F))
_SLUG_DROP.update(range(0x2060, 0x2065))
_SLUG_DROP.update(range(0x2066, 0x206A))

_SLUG_MAP = {}
for _c in range(0x80):
    ch = chr(_c)
    if "A" <= ch <= "Z":
        _SLUG_MAP[_c] = ch.lower()
    elif "a" <= ch <= "z" or "0" <= ch <= "9":
        _SLUG_MAP[_c] = ch
for _c in _SLUG_DROP:
    _SLUG_MAP[_c] = ""
_SLUG_MAP.update(TRANSLIT)


# "Greek ο followed by υ or ύ (either case) gives ou"
_OU_FIRST = "οΟ"
_OU_SECOND = "υύΥΎ"


def full_slug(title):
    out = []
    i = 0
    while i < len(title):
        ch = title[i]
        if (ch in _OU_FIRST and i + 1 < len(title)
                and title[i + 1] in _OU_SECOND):
            out.append("ou")
            i += 2
            continue
        r = _SLUG_MAP.get(ord(ch))
        out.append("-" if r is None else r)
        i += 1
    s = "".join(out)
    s = re.sub("-+", "-", s)
    return s.strip("-")


def cut_slug(s):
    if len(s) <= SLUG_MAX:
        return s
    kept = s[:SLUG_MAX]
    if s[SLUG_MAX] != "-":
        k = kept.rfind("-")
        if k >= 0:
            kept = kept[:k]
    return kept.rstrip("-")


# --------------------------------------------------------------------------
# 2. rendering

_NEUTRAL_PREFIXES = ("#", "*", ">", "=>", "```")


def neutralise(line):
    if line.startswith(_NEUTRAL_PREFIXES):
        return " " + line
    return line


_SCHEME = re.compile(r"gemini://|gopher://|https://|http://")
_URL_OPENERS = " ([<\"'\u201c\u2018"
_URL_CLOSERS = ".,;:!?)]>\"'\u201d\u2019"


# Ambiguity (see the report): may a URL start inside the space-delimited run
# of an earlier URL candidate, e.g. "(https://a.example/(gemini://b.example)"?
# Read literally, 2.2 says yes (gemini:// follows "("), giving two links.
# The default here is the sequential reading: once a URL start is found, the
# whole run up to the next space belongs to that candidate (accepted or
# rejected) and scanning resumes after it.  CAPSULE_REF_URL_MODE=overlap
# selects the literal reading.
URL_MODE = os.environ.get("CAPSULE_REF_URL_MODE", "sequential")


def find_urls(par):
    urls = []
    seen = set()
    resume = 0
    for m in _SCHEME.finditer(par):
        i = m.start()
        if i < resume:
            continue
        if i > 0 and par[i - 1] not in _URL_OPENERS:
            continue
        j = par.find(" ", i)
        if j < 0:
            j = len(par)
        if URL_MODE != "overlap":
            resume = j
        u = par[i:j].rstrip(_URL_CLOSERS)
        if len(u) <= len(m.group(0)):
            continue                    # nothing after ://
        if len(u.encode("utf-8")) > URL_MAX:
            continue
        if u not in seen:
            seen.add(u)
            urls.append(u)
    return urls


# --------------------------------------------------------------------------
# loading a file / a capsule

def load_article(path):
    """Returns (title, body, entries) or raises Skip."""
    st = os.stat(path)
    if st.st_size > MAX_FILE:
        raise Skip("file larger than 8 MiB")
    with open(path, "rb") as f:
        data = f.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise Skip("file larger than 8 MiB")
    if not data:
        raise Skip("empty file")
    if is_binary(data):
        raise Skip("binary file")
    lines = [c for c in (clean(l) for l in split_lines(decode(data))) if c]
    if not lines:
        raise Skip("no non-blank line")
    meta, lines = split_front_matter(lines)
    if not lines:
        raise Skip("only front matter, no title")
    return split_article(lines)


def is_article_name(name):
    return name.endswith(b".txt") and not name.startswith(b".")


def name_text(name):
    # Ambiguity: 3 does not say how a file name's bytes become characters.
    # Read here as UTF-8 where valid, with every invalid byte a separator
    # (U+FFFD is "anything else"); no 1.3 cleaning (a control character in a
    # name is a separator too).  The alternative, decoding an invalid name as
    # Latin-1 like file contents (1.1), would turn b"caf\xe9" into "cafe".
    return name.decode("utf-8", "replace")


def fnv1a_32(data):
    """3: FNV-1a, offset basis 2166136261, prime 16777619, 32 bits."""
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


class Capsule:
    def __init__(self, directory):
        self.dir = os.fsencode(directory)
        self.articles = []              # in file-name order
        self.skipped = {}
        self.by_name = {}
        names = sorted(n for n in os.listdir(self.dir) if is_article_name(n))
        taken = set()
        for name in names:
            path = os.path.join(self.dir, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            try:
                title, body, entries = load_article(path)
            except Skip as e:
                self.skipped[name] = str(e)
                continue
            full = full_slug(title)
            base = cut_slug(full)
            if not base:
                base = cut_slug(full_slug(name_text(name[:-4])))
            if not base:
                base = "a-%08x" % fnv1a_32(name[:-4])
            slug = base
            k = 2
            while slug in taken:
                slug = "%s-%d" % (base, k)
                k += 1
            taken.add(slug)
            art = dict(name=name, title=title, body=body, entries=entries,
                       full=full, slug=slug)
            self.articles.append(art)
            self.by_name[name] = art
        self.first_by_slug = {}
        self.first_by_title = {}
        for art in self.articles:
            if art["full"]:
                self.first_by_slug.setdefault(art["full"], art)
            else:
                self.first_by_title.setdefault(art["title"], art)

    def resolve(self, entry_title):
        s = full_slug(entry_title)
        if s:
            return self.first_by_slug.get(s)
        # empty slug: exact (cleaned) title equality; such a target's slug is
        # necessarily empty too
        return self.first_by_title.get(entry_title)

    def render(self, name):
        art = self.by_name.get(name)
        if art is None:
            raise Skip(self.skipped.get(name, "not an article"))
        blocks = ["# " + art["title"]]
        for par in art["body"]:
            block = [neutralise(par)]
            block += ["=> " + u for u in find_urls(par)]
            blocks.append("\n".join(block))
        if art["entries"]:
            block = ["## Related articles"]
            for etitle, _summary in art["entries"]:
                target = self.resolve(etitle)
                if target is None:
                    block.append(neutralise(etitle))
                else:
                    block.append("=> /articles/%s.gmi %s"
                                 % (target["slug"], target["title"]))
            blocks.append("\n".join(block))
        return ("\n\n".join(blocks) + "\n").encode("utf-8")


def main(argv):
    if len(argv) >= 2 and argv[1] == "slug":
        for t in argv[2:]:
            f = full_slug(t)
            print(f, cut_slug(f))
        return 0
    if len(argv) == 4 and argv[1] == "convert":
        d, f = argv[2], argv[3]
        path = os.path.join(d, f)
        cap = Capsule(os.path.dirname(path) or ".")
        name = os.fsencode(os.path.basename(path))
        try:
            out = cap.render(name)
        except Skip as e:
            sys.stderr.write("capsule_ref: %s: skipped: %s\n"
                             % (ascii(path), e))
            return 1
        sys.stdout.buffer.write(out)
        return 0
    if len(argv) == 4 and argv[1] == "batch":
        cap = Capsule(argv[2])
        outdir = os.fsencode(argv[3])
        os.makedirs(outdir, exist_ok=True)
        for name in sorted(n for n in os.listdir(cap.dir)
                           if is_article_name(n)):
            try:
                out = cap.render(name)
                with open(os.path.join(outdir, name[:-4] + b".gmi"), "wb") as fh:
                    fh.write(out)
            except Skip as e:
                with open(os.path.join(outdir, name[:-4] + b".skip"), "w") as fh:
                    fh.write(str(e) + "\n")
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
