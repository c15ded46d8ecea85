#!/usr/bin/env python3
"""discover_test.py [BIN]: integration test of "similar articles" and
search (Gemini /search, Gopher /search type 7), also while the capsule
changes under the running server.

Starts the real binary (default ./capsuled) on a capsule of 12 articles
in three topics (astronomy, cooking, sailing) whose words are disjoint
across topics, so that each article's similar list must be exactly the
other articles of its topic, minus those its related block names.
Then checks search over Gemini (status 10 without a query, result pages,
UTF-8, stop words, a long query, bad percent-escapes) and Gopher (raw
sockets and, when installed, curl); then adds, rewrites and deletes
articles while serving and polls until both features follow.  Last, a
second server with `similar 0` in a configuration file lists none.

Run from the repository root:  python3 tests/discover_test.py ./capsuled
Prints one line per failed check (name, want, got), a few notes, and
last `N passed, N failed`; exits 1 when a check failed.  Only 127.0.0.1
is used; every socket has a timeout; every poll loop is bounded by a
deadline; the whole run stays under a minute.
"""

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (GEMTEXT, T, Server, cleanup, finish,  # noqa: E402
                     gem, gopher, menu, is_menu_ok, poll, public_tmpdir,
                     sanitizer_check, start_watchdog, write)

DEADLINE = 3            # the server's -T
POLL = 5.0              # how long to wait for the watcher
WATCHDOG = 58           # the whole run stays under 60 s
K = 5                   # the default "similar" setting
SETTLE = 10             # LIVE_SETTLE_MS, in seconds
T0 = time.monotonic()

# ------------------------------------------------------------- the capsule

# name: (file, date, title, paragraphs, related titles, topic)
ARTICLES = [
    ("01_orion.txt", "2026-11-12", "Watching the Orion Nebula",
     ["Astronomers point a small telescope toward the Orion nebula on "
      "clear winter nights.",
      "The glowing gas cloud reveals newborn stars hidden behind dark "
      "dust lanes."], [], "astro"),
    ("02_scope.txt", "2026-11-11", "Choosing a Backyard Telescope",
     ["Astronomers debate refractor lenses against reflector mirrors for "
      "beginners.",
      "A sturdy equatorial mount tracks planets smoothly across the sky."],
     ["Mapping Distant Galaxies"], "astro"),
    ("03_comets.txt", "2026-11-10", "Comets and Meteor Showers",
     ["Astronomers count meteors streaking overhead during the Perseid "
      "shower each August.",
      "Comet tails of ice and dust always point away from the sun."],
     [], "astro"),
    ("04_galaxies.txt", "2026-11-09", "Mapping Distant Galaxies",
     ["Astronomers measure redshift to estimate how far spiral galaxies "
      "recede.",
      "Faint galaxies cluster along vast cosmic filaments between empty "
      "voids."], [], "astro"),
    ("05_brulee.txt", "2026-11-08", "Classic Crème Brûlée",
     ["Chefs whisk egg yolks with sugar and vanilla cream for a silky "
      "brûlée custard.",
      "A blowtorch caramelizes the crisp topping before serving."],
     [], "cook"),
    ("06_sauce.txt", "2026-11-07", "Simmering Tomato Sauce",
     ["Chefs simmer ripe tomatoes with garlic, basil and olive oil for "
      "hours.",
      "Season the sauce with salt and pepper."], [], "cook"),
    ("07_bread.txt", "2026-11-06", "Kneading Sourdough Bread",
     ["Chefs knead sourdough with flour, water and a lively starter.",
      "Bake the loaf in a hot oven until the crust crackles."],
     [], "cook"),
    ("08_roast.txt", "2026-11-05", "Roasting Vegetables Perfectly",
     ["Chefs roast carrots, parsnips and potatoes in a hot oven with "
      "rosemary.",
      "Toss them halfway so every piece browns."], [], "cook"),
    ("09_mainsail.txt", "2026-11-04", "Trimming the Mainsail",
     ["Sailors adjust the mainsail sheet as gusts heel the sloop.",
      "Ease the boom vang when beating upwind."], [], "sail"),
    ("10_tides.txt", "2026-11-03", "Reading Tides and Currents",
     ["Sailors consult tide tables before navigating narrow harbour "
      "channels.",
      "Strong ebb currents can push a yacht sideways onto sandbars."],
     [], "sail"),
    ("11_knots.txt", "2026-11-02", "Tying Essential Knots",
     ["Sailors practise the bowline, cleat hitch and reef knot until "
      "automatic.",
      "Coiled rope keeps the cockpit tidy and safe."], [], "sail"),
    ("12_anchor.txt", "2026-11-01", "Anchoring in a Quiet Cove",
     ["Sailors drop anchor in sheltered coves, paying out chain "
      "generously.",
      "Check the holding ground before trusting the anchor overnight."],
     [], "sail"),
]

# Added, rewritten, deleted while serving (section 3).
NEW_FILE = "13_quasarium.txt"
NEW = (NEW_FILE, "2026-11-13", "Quasarium Radio Bursts",
       ["Astronomers detected quasarium bursts with a radio telescope "
        "array.",
        "Repeating flashes puzzle observatories worldwide."], [], "astro")
REWRITE_FILE = "08_roast.txt"
REWRITE = (REWRITE_FILE, "2026-11-05", "Roasting Vegetables Perfectly",
           ["Sailors hoist the spinnaker and tack past the breakwater.",
            "Furl the genoa neatly once the mooring buoy is secured."],
           [], "sail")

# Added at once (section 3, last): the astronomy topic outgrows K.
MORE = [
    ("14_pulsar.txt", "2026-11-14", "Timing Spinning Pulsars",
     ["Astronomers time pulsar beams sweeping by with clockwork "
      "regularity."], [], "astro"),
    ("15_eclipse.txt", "2026-11-15", "Photographing a Lunar Eclipse",
     ["Astronomers photograph the copper moon through thin filters."],
     [], "astro"),
    ("16_aurora.txt", "2026-11-16", "Chasing Polar Auroras",
     ["Astronomers forecast auroras when solar storms strike the "
      "magnetosphere."], [], "astro"),
]

# Added with MORE: an article of words no other article has.
LONE = ("17_lone.txt", "2026-11-17", "Zither Lullabies",
        ["Plucked zither strings hum drowsy lullabies."], [], "lone")

# The words the fixture may share across topics (English stop words).
STOP = set("a about across after against all also and any are as at be "
           "before between can during each for from how in into is it "
           "its of off often on once onto or out so the them then this "
           "to toward until when with".split())

SIMILAR_RE = re.compile(r"^=> /articles/([^ ]+)\.gmi (.+)$")
HOME_LINK = re.compile(r"^=> /articles/([^ ]+)\.gmi (\d{4}-\d{2}-\d{2}) "
                       r"(.+)$", re.M)
ARTICLE_SEL = re.compile(r"^/articles/(?!page/)([^/]+)/$")


def source(art):
    _, date, title, paras, related, _ = art
    out = ["---", "date: %s" % date, "---", title] + list(paras)
    for t in related:
        out += [t, "A one-line summary.", "READ MORE"]
    return "\n".join(out) + "\n"


def text_words(text):
    return {w for w in re.findall(r"[^\W\d_]+", text.lower())
            if w not in STOP}


def words(art):
    return text_words(" ".join([art[2]] + art[3]))


def drop(capsule, outside, name, text):
    """Write outside the capsule, then rename into place."""
    tmp = os.path.join(outside, name + ".tmp")
    write(tmp, text)
    os.rename(tmp, os.path.join(capsule, name))


def q(s):
    return urllib.parse.quote(s, safe="")


# ----------------------------------------------------------- page parsing

def split_similar(body, prefix):
    """(rest after prefix, similar [(slug, title)], well-formed?)."""
    if not body.startswith(prefix):
        return None, [], False
    rest = body[len(prefix):]
    if rest == "":
        return rest, [], True
    head = "\n## Similar articles\n"
    if not rest.startswith(head):
        return rest, [], False
    out = []
    ok = rest.endswith("\n")
    for line in rest[len(head):].split("\n")[:-1]:
        m = SIMILAR_RE.match(line)
        if not m:
            ok = False
            continue
        out.append((m.group(1), m.group(2)))
    return rest, out, ok and len(out) > 0


def gemini_similar(body):
    """The similar list of a served page, without the convert output."""
    i = body.rfind("\n## Similar articles\n")
    if i < 0:
        return []
    out = []
    for line in body[i:].split("\n")[2:]:
        m = SIMILAR_RE.match(line)
        if m:
            out.append(m.group(1))
    return out


def gopher_similar(data):
    """(slugs after the 'Similar articles' info line, well-formed?)."""
    items = menu(data)
    idx = [k for k, (t, d, _) in enumerate(items)
           if t == "i" and d == "Similar articles"]
    if not idx:
        return [], False
    out = []
    ok = len(idx) == 1
    rest = items[idx[0] + 1:]
    for k, (t, d, sel) in enumerate(rest):
        if (t, d, sel) == ("1", "Home", "/"):
            ok = ok and k == len(rest) - 1
            break
        if t == "i":
            continue
        m = ARTICLE_SEL.match(sel)
        if t == "1" and m:
            out.append(m.group(1))
        else:
            ok = False
    else:
        ok = False
    return out, ok


def search_page(body):
    """(query line, summary, [(slug, title, snippet)], tail ok?)."""
    lines = body.split("\n")
    qline = lines[0] if lines else ""
    summary = lines[2] if len(lines) > 2 else ""
    hits = []
    k = 3
    while k + 1 < len(lines) and lines[k] == "" and \
            SIMILAR_RE.match(lines[k + 1]):
        m = SIMILAR_RE.match(lines[k + 1])
        snip = lines[k + 2] if k + 2 < len(lines) else ""
        if snip == "" or snip.startswith("=>"):
            snip = None
            k += 2
        else:
            k += 3
        hits.append((m.group(1), m.group(2), snip))
    tail_ok = "\n".join(lines[k:]) == "\n=> /search Search again\n=> / Home\n"
    head_ok = len(lines) > 2 and lines[1] == ""
    return qline, summary, hits, tail_ok and head_ok


def summary_for(n):
    if n == 0:
        return "No article matches these words."
    if n == 1:
        return "1 article found."
    return "%d articles found." % n


# ------------------------------------------------------------- the checks

class World:
    """What the test knows of the capsule and the running server."""

    def __init__(self, binary, capsule, outside, server):
        self.binary = binary
        self.capsule = capsule
        self.outside = outside
        self.s = server
        self.port = server.port
        self.gport = server.gport
        self.arts = {a[0]: a for a in ARTICLES}    # file -> article
        self.slug = {}                              # title -> slug
        self.tn_hits = []       # Gemini hits of "telescope nebula"

    def files(self):
        return sorted(self.arts)

    def expected_similar(self, f):
        """The titles article f must list (a set)."""
        me = self.arts[f]
        return {a[2] for g, a in self.arts.items()
                if g != f and a[5] == me[5] and a[2] not in me[4]}

    def title_of_slug(self):
        return {v: k for k, v in self.slug.items()}

    def convert(self, f):
        p = subprocess.run([self.binary, "convert", "-d", self.capsule,
                            os.path.join(self.capsule, f)],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=20)
        return p.returncode, p.stdout.decode("utf-8", "replace")


def check_fixture():
    topics = {}
    for a in ARTICLES:
        topics.setdefault(a[5], set()).update(words(a))
    # The rewritten article keeps its title, a word of no other article.
    topics["sail"] |= text_words(" ".join(REWRITE[3]))
    topics["astro"] |= words(NEW)
    for a in MORE:
        topics["astro"] |= words(a)
    topics["lone"] = words(LONE)
    shared = set()
    names = sorted(topics)
    for i, x in enumerate(names):
        for y in names[i + 1:]:
            shared |= topics[x] & topics[y]
    T.check("fixture: topics share no word", not shared, "none",
            sorted(shared))


def check_start(w):
    pat = re.compile(rb"capsuled: " + re.escape(w.capsule.encode()) +
                     rb": text index of 12 articles built in \d+ ms "
                     rb"\(\d+ kB\)")
    line = w.s.wait_line(lambda l: pat.search(l) is not None, POLL)
    T.check("start: 'text index of 12 articles built in T ms (K kB)'",
            line is not None, "that stderr line", w.s.text()[-800:])


def check_home(w):
    r = gem(w.port, "/")
    T.check("home: 20", r.status == "20", "20", r)
    body = r.text()
    for m in HOME_LINK.finditer(body):
        w.slug[m.group(3)] = m.group(1)
    titles = {a[2] for a in ARTICLES}
    T.check("home: lists the 12 articles", set(w.slug) == titles,
            sorted(titles), sorted(w.slug))
    T.check("home: '=> /search Search the articles'",
            "=> /search Search the articles" in body.split("\n"),
            "that line", body)
    g = gopher(w.gport, b"/\r\n")
    items = menu(g)
    T.check("gopher root: '7Search the articles<TAB>/search' item",
            ("7", "Search the articles", "/search") in items,
            "that item", g)
    T.check("gopher root: a menu", is_menu_ok(g), "ending .CRLF", g)


def check_similar(w):
    """Section 1: every article against convert and the expected list."""
    for f in w.files():
        art = w.arts[f]
        title = art[2]
        slug = w.slug.get(title, "?")
        rc, conv = w.convert(f)
        T.check("similar %s: convert exit 0" % f, rc == 0, 0, rc)
        T.check("similar %s: convert prints no similar section" % f,
                "## Similar articles" not in conv, "none", conv)
        r = gem(w.port, "/articles/%s.gmi" % slug)
        T.check("similar %s: 20 %s" % (f, GEMTEXT),
                r.status == "20" and r.meta == GEMTEXT, "20 " + GEMTEXT, r)
        body = r.text()
        _, sim, ok = split_similar(body, conv)
        T.check("similar %s: page = convert output + similar section" % f,
                ok, "convert output, then '\\n## Similar articles\\n' and "
                "'=> ' lines", {"convert": conv, "page": body})
        titles = [t for _, t in sim]
        slugs = [s for s, _ in sim]
        T.check("similar %s: links match titles" % f,
                all(w.slug.get(t) == s for s, t in sim), "slug of title",
                sim)
        T.check("similar %s: at most %d" % (f, K), len(sim) <= K,
                "<= %d" % K, len(sim))
        T.check("similar %s: never itself" % f, slug not in slugs,
                "not %s" % slug, slugs)
        T.check("similar %s: never a related article" % f,
                not set(titles) & set(art[4]), "none of %s" % art[4],
                titles)
        T.check("similar %s: no duplicate" % f,
                len(set(slugs)) == len(slugs), "distinct", slugs)
        want = w.expected_similar(f)
        T.check("similar %s: exactly the same-topic articles" % f,
                set(titles) == want, sorted(want), titles)
        g = gopher(w.gport, ("/articles/%s/\r\n" % slug).encode())
        gs, gok = gopher_similar(g)
        T.check("similar %s: Gopher menu 'Similar articles' then items "
                "then 1Home" % f, gok and is_menu_ok(g),
                "iSimilar articles, type-1 items, 1Home last", g)
        T.check("similar %s: Gopher list = Gemini list, same order" % f,
                gs == slugs, slugs, gs)
        if art[4]:
            lines = conv.split("\n")
            ok = "## Related articles" in lines and all(
                "=> /articles/%s.gmi %s" % (w.slug.get(t), t) in lines
                for t in art[4])
            T.check("similar %s: related article still under '## Related "
                    "articles'" % f, ok and all(
                        "=> /articles/%s.gmi %s" % (w.slug.get(t), t)
                        in body.split("\n") for t in art[4]),
                    "=> links to %s" % art[4], body)


def gsearch(w, words_):
    return gem(w.port, "/search?" + q(words_))


def check_search_result(w, name, query, r, first=None, only=False,
                        count=None):
    """A 20 result page for query: format, summary, snippets, order."""
    T.check("%s: 20 %s" % (name, GEMTEXT),
            r.status == "20" and r.meta == GEMTEXT, "20 " + GEMTEXT, r)
    body = r.text()
    _, summary, hits, ok = search_page(body)
    T.check("%s: starts '# Search: %s'" % (name, query),
            body.startswith("# Search: %s\n\n" % query),
            "# Search: %s" % query, body[:200])
    T.check("%s: layout (summary, hits, Search again, Home)" % name, ok,
            "the page of search.h", body)
    T.check("%s: summary matches the hits" % name,
            summary == summary_for(len(hits)), summary_for(len(hits)),
            summary)
    T.check("%s: at most 20 hits" % name, len(hits) <= 20, "<= 20",
            len(hits))
    titles = w.title_of_slug()
    T.check("%s: hits are articles, titles right" % name,
            all(titles.get(s) == t for s, t, _ in hits), "known slugs",
            hits)
    T.check("%s: every hit has a snippet" % name,
            all(sn for _, _, sn in hits), "a text line after each link",
            hits)
    if first is not None:
        got = hits[0][0] if hits else None
        T.check("%s: first hit %s" % (name, w.slug.get(first)),
                got == w.slug.get(first), w.slug.get(first), hits)
        art = [a for a in w.arts.values() if a[2] == first]
        qw = [x.lower() for x in re.findall(r"[^\W\d_]+", query)]
        in_text = art and any(x in " ".join(art[0][3]).lower() for x in qw)
        if hits and hits[0][2] and in_text:
            T.check("%s: first snippet shows a query word" % name,
                    any(x in hits[0][2].lower() for x in qw),
                    "one of %s" % qw, hits[0][2])
        if hits and hits[0][2] and art:
            parts = [p for p in hits[0][2].split("\u2026") if p.strip()]
            T.check("%s: first snippet is the article's text" % name,
                    parts and all(any(p.strip() in para
                                      for para in art[0][3])
                                  for p in parts),
                    art[0][3], hits[0][2])
    if only:
        T.check("%s: only one hit" % name, len(hits) == 1, 1,
                [h[0] for h in hits])
    if count is not None:
        T.check("%s: %d hits" % (name, count), len(hits) == count, count,
                [h[0] for h in hits])
    return hits


def check_search(w):
    """Section 2, Gemini."""
    for path in ("/search", "/search?", "/search?%20%20"):
        r = gem(w.port, path)
        T.check("search %s: '10 Search the articles'" % path,
                r.header == b"10 Search the articles\r\n" and r.body == b"",
                "10 Search the articles, no body", r)
    hits = check_search_result(
        w, "search 'telescope nebula'", "telescope nebula",
        gem(w.port, "/search?telescope%20nebula"),
        first="Watching the Orion Nebula")
    w.tn_hits = [h[0] for h in hits]
    phrase = "equatorial mount tracks planets smoothly"
    check_search_result(w, "search phrase", phrase, gsearch(w, phrase),
                        first="Choosing a Backyard Telescope", only=True)
    phrase = "sheltered coves paying out chain"
    check_search_result(w, "search phrase 2", phrase, gsearch(w, phrase),
                        first="Anchoring in a Quiet Cove")
    # accents are not needed: "creme brulee" finds the crème brûlée, and
    # a combining accent (e + U+0301) is the same as a composed one
    for word in ("brûlée", "crème", "creme brulee", "BRULEE",
                 "bru\u0302le\u0301e"):
        r = gem(w.port, "/search?" + q(word))
        check_search_result(w, "search UTF-8 %r" % word, word, r,
                            first="Classic Crème Brûlée", only=True)
    check_search_result(w, "search 'chefs'", "chefs", gsearch(w, "chefs"),
                        count=4)
    check_search_result(w, "search 'astronomers sailors'",
                        "astronomers sailors",
                        gsearch(w, "astronomers sailors"), count=8)
    r = gsearch(w, "the and of")
    check_search_result(w, "search stop words", "the and of", r, count=0)
    T.check("search stop words: 'No article matches these words.'",
            "\nNo article matches these words.\n" in r.text(),
            "that line", r.text())
    r = gsearch(w, "zyzzyva")
    check_search_result(w, "search unknown word", "zyzzyva", r, count=0)

    # A long query: words up to a 1024-byte URI.
    base = "gemini://localhost/search?"
    vocab = ("telescope nebula galaxies comets sourdough anchor knots "
             "tides mainsail tomato rosemary redshift meteor vanilla "
             "harbour bowline quasar pulsar orbit eclipse").split()

    def word(k):
        return vocab[k] if k < len(vocab) else \
            "%s%d" % (vocab[k % len(vocab)], k)
    parts = []
    while len(base) + len("%20".join(parts + [word(len(parts))])) <= 1020:
        parts.append(word(len(parts)))
    long_q = "%20".join(parts)
    uri = base + long_q
    T.note("long query: %d words, URI %d bytes" % (len(parts), len(uri)))
    r = gem(w.port, uri)
    T.check("search long query (%d-byte URI): 20" % len(uri),
            r.status == "20" and r.meta == GEMTEXT, "20", r)
    T.check("search long query: a result page",
            r.text().startswith("# Search: ") and r.text().endswith(
                "\n=> /search Search again\n=> / Home\n"), "a result page",
            r.text()[:300])
    u = base + "nebula" + "%20nebula" * ((1024 - len(base) - 6) // 9)
    u += "x" * (1024 - len(u))
    r = gem(w.port, u)
    T.check("search 1024-byte URI (the Gemini maximum): 20",
            len(u) == 1024 and r.status == "20", "20", (len(u), r))
    # A long query of one word repeated.
    rep = "%20".join(["telescope"] * ((1020 - len(base)) // 12))
    r = gem(w.port, base + rep)
    hits = search_page(r.text())[2]
    scopes = (w.slug.get("Choosing a Backyard Telescope"),
              w.slug.get("Watching the Orion Nebula"))
    T.check("search long repeated word: 20, a telescope article first",
            r.status == "20" and hits[:1] and hits[0][0] in scopes,
            "20, first one of %s" % (scopes,), r)
    for bad in ("%FF", "%0A", "%C3", "%00", "%E2%80"):
        r = gem(w.port, "/search?" + bad)
        T.check("search ?%s: 59" % bad, r.status == "59", "59", r)
    r = gem(w.port, "/search?telescope%20nebula")
    T.check("search after bad queries: still 20", r.status == "20", "20", r)


def check_gopher_search(w):
    """Section 2, Gopher."""
    g = gopher(w.gport, b"/search\ttelescope nebula\r\n")
    items = menu(g)
    T.check("gopher search: a menu ending .CRLF", is_menu_ok(g),
            "a menu", g)
    T.check("gopher search: 'iSearch: telescope nebula' first",
            items[:1] == [("i", "Search: telescope nebula", "")],
            "iSearch: telescope nebula", items[:2])
    n = len(w.tn_hits)
    T.check("gopher search: summary second",
            len(items) > 1 and items[1][:2] == ("i", summary_for(n)),
            "i" + summary_for(n), items[:2])
    hits = [ARTICLE_SEL.match(sel).group(1) for t, _, sel in items
            if t == "1" and ARTICLE_SEL.match(sel)]
    T.check("gopher search: the same hits as Gemini, same order",
            hits == w.tn_hits, w.tn_hits, hits)
    T.check("gopher search: first hit Orion",
            hits[:1] == [w.slug.get("Watching the Orion Nebula")],
            w.slug.get("Watching the Orion Nebula"), hits[:1])
    T.check("gopher search: ends 7Search again, 1Home",
            [(t, d, s) for t, d, s in items if t != "i"][-2:] ==
            [("7", "Search again", "/search"), ("1", "Home", "/")] and
            items[-1] == ("1", "Home", "/"),
            "7Search again /search, 1Home /", items[-3:])
    kinds = [t for t, _, _ in items]
    T.check("gopher search: only info, type-1 hits, 7 and Home",
            set(kinds) <= {"i", "1", "7"}, "i, 1, 7", kinds)
    g = gopher(w.gport, b"/search\r\n")
    T.check("gopher /search without query: one '7Search the articles'",
            menu(g) == [("7", "Search the articles", "/search")] and
            g.endswith(b".\r\n"), "a single type-7 item", g)
    for q in (b"", b"  "):
        g = gopher(w.gport, b"/search\t" + q + b"\r\n")
        T.check("gopher /search TAB %r: one '7Search the articles'" % q,
                menu(g) == [("7", "Search the articles", "/search")],
                "a single type-7 item", g)
    g = gopher(w.gport, "/search\tbrûlée\r\n".encode())
    hits = [ARTICLE_SEL.match(sel).group(1) for t, _, sel in menu(g)
            if t == "1" and ARTICLE_SEL.match(sel)]
    T.check("gopher search UTF-8 'brûlée': the crème brûlée only",
            hits == [w.slug.get("Classic Crème Brûlée")],
            [w.slug.get("Classic Crème Brûlée")], g)
    g = gopher(w.gport, b"/search\tthe and of\r\n")
    items = menu(g)
    T.check("gopher search stop words: no hit, summary",
            len(items) > 1 and items[1][:2] == (
                "i", "No article matches these words.") and
            not any(t == "1" and ARTICLE_SEL.match(s) for t, _, s in items),
            "iNo article matches these words.", g)
    g = gopher(w.gport, b"/search\t\xff\xfe\r\n")
    T.check("gopher search invalid UTF-8: type-3 error",
            menu(g)[:1] and menu(g)[0][0] == "3", "3...", g)
    if shutil.which("curl"):
        try:
            p = subprocess.run(
                ["curl", "-s", "--max-time", "5",
                 "gopher://127.0.0.1:%d/7/search%%09telescope%%20nebula"
                 % w.gport], stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
            out, rc = p.stdout, p.returncode
        except subprocess.TimeoutExpired:
            out, rc = b"", "timeout"
        hits = [ARTICLE_SEL.match(sel).group(1) for t, _, sel in menu(out)
                if t == "1" and ARTICLE_SEL.match(sel)]
        T.check("curl gopher search: exit 0", rc == 0, 0, rc)
        T.check("curl gopher search: first hit Orion",
                hits[:1] == [w.slug.get("Watching the Orion Nebula")],
                w.slug.get("Watching the Orion Nebula"), out)
    else:
        T.note("curl not installed: skipped the curl check")


# ----------------------------------------------------- section 3: changes

def search_slugs(w, word):
    r = gsearch(w, word)
    return r.status == "20", [h[0] for h in search_page(r.text())[2]]


def all_similar(w, slugs):
    """{slug: (gemini status, similar slugs)}."""
    out = {}
    for s in slugs:
        r = gem(w.port, "/articles/%s.gmi" % s)
        out[s] = (r.status, gemini_similar(r.text()))
    return out


def check_lists(w, name, lists):
    """Every list in lists is the expected one (set equality)."""
    t2s = w.slug
    for f in w.files():
        art = w.arts[f]
        s = t2s.get(art[2])
        status, got = lists.get(s, (None, []))
        want = {t2s.get(t) for t in w.expected_similar(f)}
        T.check("%s: similar list of %s" % (name, f),
                status == "20" and list_ok(got, want),
                sorted(want) if len(want) <= K else "%d of %s" %
                (K, sorted(want)), (status, got))


def list_ok(got, want):
    """got is want, or K distinct of want when want is longer."""
    if len(set(got)) != len(got):
        return False
    if len(want) <= K:
        return set(got) == want
    return len(got) == K and set(got) <= want


def lists_match(w, lists):
    for f in w.files():
        s = w.slug.get(w.arts[f][2])
        status, got = lists.get(s, (None, []))
        want = {w.slug.get(t) for t in w.expected_similar(f)}
        if status != "20" or not list_ok(got, want):
            return False
    return True


def check_changes(w):
    s = w.s
    n0 = s.nlines()
    t_drop = time.monotonic()
    drop(w.capsule, w.outside, NEW_FILE, source(NEW))

    def found():
        ok, hits = search_slugs(w, "quasarium")
        return ok and len(hits) == 1, hits
    ok, hits, _ = poll(found, POLL)
    T.check("add: search 'quasarium' finds the new article", ok,
            "one hit within %.0f s" % POLL, hits)
    T.note("add-to-searchable: %.0f ms" % ((time.monotonic() - t_drop) *
                                          1000))
    r = gem(w.port, "/")
    for m in HOME_LINK.finditer(r.text()):
        w.slug[m.group(3)] = m.group(1)
    new_slug = w.slug.get(NEW[2])
    T.check("add: home lists it", new_slug is not None, NEW[2],
            r.text()[:400])
    T.check("add: the hit is it", hits == [new_slug], [new_slug], hits)
    pat = re.compile(rb"capsuled: " + re.escape(w.capsule.encode()) +
                     rb": 13 articles; \d+ changed, published in \d+ ms")
    line = s.wait_line(lambda l: pat.search(l) is not None, POLL, since=n0)
    T.check("add: stderr '13 articles; M changed, published in T ms'",
            line is not None, "that line", s.lines_since(n0)[-5:])
    w.arts[NEW_FILE] = NEW
    slugs = [w.slug.get(a[2]) for a in w.arts.values()]
    ok, lists, _ = poll(lambda: (lambda l: (lists_match(w, l), l))(
        all_similar(w, slugs)), POLL)
    check_lists(w, "add", lists)
    T.check("add: its own list is the other astronomy articles",
            set(lists.get(new_slug, (0, []))[1]) ==
            {w.slug.get(a[2]) for a in ARTICLES if a[5] == "astro"},
            "4 astronomy articles", lists.get(new_slug))
    g = gopher(w.gport, ("/articles/%s/\r\n" % new_slug).encode())
    gs, gok = gopher_similar(g)
    T.check("add: Gopher list = Gemini list",
            gok and gs == lists.get(new_slug, (0, []))[1],
            lists.get(new_slug), g)

    # Rewrite a cooking article about sailing.
    drop(w.capsule, w.outside, REWRITE_FILE, source(REWRITE))
    w.arts[REWRITE_FILE] = REWRITE
    rslug = w.slug.get(REWRITE[2])
    sail = {w.slug.get(a[2]) for a in w.arts.values() if a[5] == "sail"}
    sail.discard(rslug)

    def sailing():
        st, got = all_similar(w, [rslug])[rslug]
        return st == "20" and got and set(got) <= sail, got
    ok, got, _ = poll(sailing, POLL)
    T.check("rewrite: its similar list holds sailing articles only", ok,
            sorted(sail), got)
    T.check("rewrite: all four sailing articles", set(got) == sail,
            sorted(sail), got)
    ok, lists, _ = poll(lambda: (lambda l: (lists_match(w, l), l))(
        all_similar(w, slugs)), POLL)
    check_lists(w, "rewrite", lists)
    ok, hits = search_slugs(w, "spinnaker")
    T.check("rewrite: search 'spinnaker' finds it", hits == [rslug],
            [rslug], hits)
    ok, hits = search_slugs(w, "rosemary")
    T.check("rewrite: search 'rosemary' (old text) finds nothing",
            ok and hits == [], [], hits)

    # Delete the new article.
    os.unlink(os.path.join(w.capsule, NEW_FILE))
    del w.arts[NEW_FILE]
    slugs = [w.slug.get(a[2]) for a in w.arts.values()]

    def gone():
        ok, hits = search_slugs(w, "quasarium")
        if not ok or hits:
            return False, ("search", hits)
        lists = all_similar(w, slugs)
        bad = [s for s, (_, l) in lists.items() if new_slug in l]
        return not bad, ("lists", bad)
    ok, v, _ = poll(gone, POLL)
    T.check("delete: 'quasarium' finds nothing and no list names it", ok,
            "within %.0f s" % POLL, v)
    r = gem(w.port, "/articles/%s.gmi" % new_slug)
    T.check("delete: its page is 51", r.status == "51", "51", r)
    ok, lists, _ = poll(lambda: (lambda l: (lists_match(w, l), l))(
        all_similar(w, slugs)), POLL)
    check_lists(w, "delete", lists)
    r = gem(w.port, "/search?quasarium")
    check_search_result(w, "delete: search 'quasarium'", "quasarium", r,
                        count=0)
    bad = []
    for a in w.arts.values():
        g = gopher(w.gport, ("/articles/%s/\r\n" % w.slug.get(a[2])).encode())
        if new_slug in gopher_similar(g)[0] or not is_menu_ok(g):
            bad.append(a[0])
    T.check("delete: no Gopher similar list names it", not bad, "none",
            bad)

    # Three more astronomy articles at once: 7 in the topic, lists of K.
    for a in MORE + [LONE]:
        drop(w.capsule, w.outside, a[0], source(a))
        w.arts[a[0]] = a

    def published():
        r = gem(w.port, "/")
        for m in HOME_LINK.finditer(r.text()):
            w.slug[m.group(3)] = m.group(1)
        return all(a[2] in w.slug for a in MORE + [LONE]), sorted(w.slug)
    ok, v, _ = poll(published, POLL)
    T.check("cap: the four new articles are published", ok,
            [a[2] for a in MORE + [LONE]], v)
    slugs = [w.slug.get(a[2]) for a in w.arts.values()]
    ok, lists, _ = poll(lambda: (lambda l: (lists_match(w, l), l))(
        all_similar(w, slugs)), POLL)
    check_lists(w, "cap", lists)
    astro = [w.slug.get(a[2]) for a in w.arts.values() if a[5] == "astro"]
    T.check("cap: 7 astronomy articles, every list of %d" % K,
            len(astro) == 7 and all(len(lists.get(x, (0, []))[1]) == K
                                    for x in astro),
            K, {x: lists.get(x) for x in astro})
    for x in astro[:2]:
        g = gopher(w.gport, ("/articles/%s/\r\n" % x).encode())
        gs, gok = gopher_similar(g)
        T.check("cap: Gopher list of %s = Gemini list" % x,
                gok and gs == lists.get(x, (0, []))[1], lists.get(x), g)
    # An article like no other: no similar section at all.
    lone = w.slug.get(LONE[2])
    rc, conv = w.convert(LONE[0])
    r = gem(w.port, "/articles/%s.gmi" % lone)
    T.check("lone: page = convert output exactly (no empty section)",
            rc == 0 and r.status == "20" and r.text() == conv, conv, r)
    g = gopher(w.gport, ("/articles/%s/\r\n" % lone).encode())
    T.check("lone: no 'Similar articles' in the Gopher menu",
            is_menu_ok(g) and not any(d == "Similar articles"
                                      for _, d, _ in menu(g)) and
            menu(g)[-1:] == [("1", "Home", "/")], "a menu without it", g)
    T.check("changes: process alive", s.alive(), "running",
            s.proc.poll())


def check_settle(w):
    """Ten quiet seconds after the last change the server indexes the
    capsule in full again (LIVE_SETTLE_MS): a 'text index of N articles
    built' line with the current count, and the lists stay right."""
    n = len(w.arts)
    pat = re.compile(rb": text index of %d articles built in \d+ ms "
                     rb"\(\d+ kB\)$" % n)
    line = w.s.wait_line(lambda l: pat.search(l) is not None,
                         timeout=SETTLE + 5)
    T.check("settle: 'text index of %d articles built' once quiet" % n,
            line is not None, "that log line within %d s" % (SETTLE + 5),
            [l for l in w.s.lines_since(0) if b"text index" in l][-3:])
    slugs = [w.slug.get(a[2]) for a in w.arts.values()]
    ok, lists, _ = poll(lambda: (lambda l: (lists_match(w, l), l))(
        all_similar(w, slugs)), POLL)
    check_lists(w, "settle", lists)
    ok, hits = search_slugs(w, "quasarium")
    T.check("settle: the deleted article stays unfound", ok and not hits,
            "no hit", hits)


# ------------------------------------------------------- similar 0 server

def check_similar_zero(binary, capsule, arts):
    tmp = public_tmpdir("capsuled-disc-conf-")
    certs = public_tmpdir("capsuled-disc-certs0-")
    conf = os.path.join(tmp, "capsuled.conf")
    write(conf, "# capsuled discover test\nsimilar 0\n\nhost localhost\n"
          "capsule %s\ncerts %s\n" % (capsule, certs))
    s = Server([binary, "-c", conf, "-g", "0", "-p", "0", "-T",
                str(DEADLINE)])
    try:
        if not T.check("similar 0: listening lines", s.start(),
                       "gemini and gopher ports on stderr",
                       s.text()[-600:]):
            return
        r = gem(s.port, "/")
        slug = {m.group(3): m.group(1) for m in HOME_LINK.finditer(r.text())}
        for f in sorted(arts):
            a = arts[f]
            p = subprocess.run([binary, "convert", "-d", capsule,
                                os.path.join(capsule, f)],
                               stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=20)
            r = gem(s.port, "/articles/%s.gmi" % slug.get(a[2]))
            T.check("similar 0 %s: page = convert output exactly" % f,
                    r.status == "20" and r.body == p.stdout,
                    p.stdout.decode("utf-8", "replace"), r)
            g = gopher(s.gport, ("/articles/%s/\r\n" %
                                 slug.get(a[2])).encode())
            T.check("similar 0 %s: no 'Similar articles' in Gopher" % f,
                    is_menu_ok(g) and not any(
                        d == "Similar articles" for _, d, _ in menu(g)),
                    "a menu without it", g)
        r = gem(s.port, "/search?telescope%20nebula")
        hits = search_page(r.text())[2]
        T.check("similar 0: search still works",
                r.status == "20" and hits[:1] and
                hits[0][0] == slug.get("Watching the Orion Nebula"),
                "Orion first", r)
    finally:
        rc = s.stop()
        T.check("similar 0: SIGTERM exit 0", rc == 0, 0, rc)
        sanitizer_check("similar 0 server", s.text())


# ------------------------------------------------------------------ main

def main_server(binary):
    capsule = public_tmpdir("capsuled-disc-")
    outside = public_tmpdir("capsuled-disc-tmp-")
    certs = public_tmpdir("capsuled-disc-certs-")
    for a in ARTICLES:
        write(os.path.join(capsule, a[0]), source(a))
    s = Server([binary, "-g", "0", "-p", "0", "-d", capsule, "-C", certs,
                "-T", str(DEADLINE)])
    w = None
    try:
        if not T.check("discover: listening lines", s.start(),
                       "gemini and gopher ports on stderr",
                       s.text()[-600:]):
            return
        w = World(binary, capsule, outside, s)
        check_start(w)
        check_home(w)
        check_similar(w)
        check_search(w)
        check_gopher_search(w)
        T.note("sections 1-2 done at %.1f s" % (time.monotonic() - T0))
        check_changes(w)
        T.note("section 3 done at %.1f s" % (time.monotonic() - T0))
        check_settle(w)
        T.note("settled at %.1f s" % (time.monotonic() - T0))
    finally:
        rc = s.stop()
        T.check("discover: SIGTERM exit 0", rc == 0, 0,
                "%s; stderr tail %r" % (rc, s.text()[-600:]))
        sanitizer_check("discover server", s.text())
    if w is not None:
        check_similar_zero(binary, capsule, w.arts)


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1
                             else "./capsuled")
    timer = start_watchdog(WATCHDOG)
    try:
        check_fixture()
        main_server(binary)
    finally:
        cleanup()
    timer.cancel()
    elapsed = time.monotonic() - T0
    T.check("whole run < 60 s", elapsed < 60, "< 60 s", "%.1f s" % elapsed)
    finish()
    return 1 if T.failed else 0


if __name__ == "__main__":
    sys.exit(main())
