"""soak_judge.py: what a right answer is in the soak test
(tests/soak_test.py): an article page on every protocol, byte for byte
as at rest but for its "Similar articles" section; and the pages that
change while authors write: the home page, the pages of all articles
and a search, over Gemini.

The page a snapshot gives is not known to the reader (it does not know
which snapshot served it), so each answer is held to what every
snapshot of this run's capsule gives: the generated articles never
change and are older than anything the authors write (dates are
modification times), so a list page is the articles the authors wrote
(newest first) followed by one contiguous run of the list at rest, and
nothing else; its head and foot are the ones at rest but for the
counts; a search for a phrase only generated articles hold finds the
same articles with the same excerpts as at rest (their order may move
when term weights are recomputed).  A page mixed from two snapshots,
cut short, or missing or repeating an article breaks one of these.
"""

import re

from harness import client_ctx, fetch, gem, gopher_req, nex, spartan

def http_get(port, path, timeout=10):
    r = gopher_req(b"GET %s HTTP/1.1\r\nHost: localhost\r\n"
                   b"Connection: close\r\n\r\n" % path.encode(), port,
                   timeout=timeout)
    return r


RESUME_CTX = client_ctx()      # a session resumes only in its context


def request(s, proto, slug, session=None):
    """(reply, body, complete-status) of one article page."""
    if proto in ("gemini", "gemini-resume"):
        r = gem(s.port, "/articles/%s.gmi" % slug, session=session,
                ctx=RESUME_CTX if proto == "gemini-resume" else None)
        return r, r.body, r.status
    if proto == "gopher":
        r = gopher_req(b"/articles/%s/\r\n" % slug.encode(), s.gport)
        return r, r.raw, "ok" if r.eof and not r.error else None
    if proto == "gophers":
        r = fetch(s.gport, b"/articles/%s/\r\n" % slug.encode())
        return r, r.raw, "ok" if r.clean else None
    if proto == "spartan":
        r = spartan(s.sport, "/articles/%s.gmi" % slug)
        return r, r.body, r.status
    if proto == "nex":
        r = nex(s.ports["nex"], b"/articles/%s/\n" % slug.encode())
        return r, r.raw, "ok" if r.eof and not r.error else None
    r = http_get(s.hport, "/articles/%s.html" % slug)
    head, _, body = r.raw.partition(b"\r\n\r\n")
    st = head.split(b" ", 2)[1].decode() if head.count(b" ") >= 2 else None
    m = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
    if m and int(m.group(1)) != len(body):
        st = "short"
    return r, body, st


GOOD = {"gemini": "20", "gemini-resume": "20", "gopher": "ok",
        "gophers": "ok", "spartan": "2", "nex": "ok", "http": "200"}
ALLOWED = {"40", "44", "4"}     # Gemini's and Spartan's "slow down/later"
# the "Similar articles" section, which follows what the authors add and
# remove, is cut out of both pages before they are compared: from its
# marker to the tail after it (None: the end)
SIMILAR = {"gemini": (b"\n## Similar articles\n", None),
           "spartan": (b"\n## Similar articles\n", None),
           "gopher": (b"iSimilar articles\t", b"1Home\t/\t"),
           "nex": (b"\nSimilar articles\n", b"\n=> / Home\n"),
           "http": (b"<h2>Similar articles</h2>", b"</main>")}
SIMILAR["gemini-resume"] = SIMILAR["gemini"]
SIMILAR["gophers"] = SIMILAR["gopher"]
END = {"gemini": b"\n", "gemini-resume": b"\n", "spartan": b"\n",
       "gopher": b".\r\n", "gophers": b".\r\n", "nex": b"=> / Home\n",
       "http": b"</html>\n"}


def split(proto, body):
    """body without its "Similar articles" section."""
    mark, tail = SIMILAR[proto]
    i = body.find(mark)
    if i < 0:
        return body
    j = body.find(tail, i) if tail is not None else -1
    return body[:i] + (body[j:] if j >= 0 else b"")


def is_cut(proto, base, body):
    """Is body the start of the page (its similar section aside, the cut
    perhaps inside its marker)?"""
    want = split(proto, base)
    if base.startswith(body) or want.startswith(split(proto, body)):
        return True
    mark = SIMILAR[proto][0]
    return any(body.endswith(mark[:k]) and want.startswith(body[:-k])
               for k in range(1, len(mark)))


def judge(proto, base, body, st):
    """None when the answer is right, else the cause."""
    if st != GOOD[proto]:
        return "status %s" % st
    if split(proto, body) != split(proto, base):
        # a page cut short (Gopher and Nex end with the connection: a
        # killed process's FIN looks like a complete answer)
        return "truncated" if is_cut(proto, base, body) else "wrong page"
    if not body.endswith(END[proto]):
        return "truncated"
    return None



# ------------------------------------------------------------ lists

PER_PAGE = 500
ENTRY = re.compile(r"^=> /articles/([^/ ]+)\.gmi (\d{4}-\d\d-\d\d) (.*)$")
PAGE_HEAD = re.compile(r"^# (.*): all articles, page (\d+) of (\d+)$")
ALL = re.compile(r"^=> /articles/page/1\.gmi All (\d+) articles$")
VOLATILE = ("soak-draft-", "upload-up-")


def parse(text):
    """(head lines, [(slug, date, title)], foot lines) of a list page."""
    lines = text.split("\n")
    i = 0
    while i < len(lines) and not ENTRY.match(lines[i]):
        i += 1
    j = i
    entries = []
    while j < len(lines) and ENTRY.match(lines[j]):
        entries.append(ENTRY.match(lines[j]).groups())
        j += 1
    return lines[:i], entries, lines[j:]


def listed_titles(port):
    """The titles on every page of all articles of the server on port
    (Gemini), in order."""
    got = []
    k = last = 1
    while k <= last:
        t = gem(port, "/articles/page/%d.gmi" % k).text()
        m = PAGE_HEAD.match(t.split("\n", 1)[0])
        last = int(m.group(3)) if m else 0
        got += [e[2] for e in parse(t)[1]]
        k += 1
    return got


def volatile(entry):
    return entry[0].startswith(VOLATILE)


def slug_of(title):
    """The slug capsuled gives the authors' titles ("Soak Draft 12",
    "Upload up 3": ASCII words)."""
    return "-".join(title.lower().split())


class Lists:
    """The list pages at rest: order[] is every generated article, newest
    first; home and pages[k] the parsed pages."""

    def __init__(self, fetch_text):
        self.fetch = fetch_text
        self.home = parse(fetch_text("/"))
        first = fetch_text("/articles/page/1.gmi")
        m = PAGE_HEAD.match(first.split("\n", 1)[0])
        self.npages = int(m.group(3)) if m else 1
        self.pages = {1: parse(first)}
        for k in range(2, self.npages + 1):
            self.pages[k] = parse(fetch_text("/articles/page/%d.gmi" % k))
        self.order = [e for k in range(1, self.npages + 1)
                      for e in self.pages[k][1]]
        self.index = {e: i for i, e in enumerate(self.order)}
        self.limits = {len(self.home[1])}

    def judge_list(self, text, page, nvol_max):
        """None when text is a right list page (page 0: home), else why."""
        if not text.endswith("\n"):
            return "truncated"
        head, entries, foot = parse(text)
        at_rest = self.home if page == 0 else self.pages.get(page)
        if at_rest is None:
            return "no such page at rest"
        vol = [e for e in entries if volatile(e)]
        stable = [e for e in entries if not volatile(e)]
        if len(vol) > nvol_max:
            return "%d authors' articles, at most %d exist" % (len(vol),
                                                               nvol_max)
        first = next((k for k, e in enumerate(entries) if not volatile(e)),
                     len(entries))
        if any(volatile(e) for e in entries[first:]):
            return "an author's article after a generated one"
        for e in vol:
            if slug_of(e[2]) != re.sub(r"-\d+$", "", e[0]) and \
                    slug_of(e[2]) != e[0]:
                return "slug %s for title %r" % (e[0], e[2])
        if stable:
            i = self.index.get(stable[0])
            if i is None or self.order[i:i + len(stable)] != stable:
                return "not one run of the list at rest"
            if (vol or page in (0, 1)) and i != 0:
                return "the list at rest does not start at its first"
        if page == 0:
            if len(entries) not in self.limits:
                return "%d articles on the home page" % len(entries)
            if head != at_rest[0]:
                return "another head"
            return same_foot(at_rest[2], foot, ALL)
        m = PAGE_HEAD.match(head[0]) if head else None
        if not m or int(m.group(2)) != page or head[1:] != at_rest[0][1:]:
            return "another head"
        if int(m.group(2)) < int(m.group(3)) and len(entries) != PER_PAGE:
            return "%d articles on a page that is not the last" % \
                len(entries)
        # Previous/Next links come and go with the count of pages
        keep = [l for l in foot if "Next page" not in l]
        want = [l for l in at_rest[2] if "Next page" not in l]
        return None if keep == want else "another foot"

    def judge_search(self, text, at_rest):
        """None when text holds the results at rest (in any order)."""
        if not text.endswith("\n"):
            return "truncated"
        if results(text) != results(at_rest):
            return "other results"
        return None


def same_foot(want, got, counted):
    """The foot of a home page: as at rest but for the article count."""
    if len(want) != len(got):
        return "another foot"
    for a, b in zip(want, got):
        if a != b and not (counted.match(a) and counted.match(b)):
            return "another foot"
    return None


def results(text):
    """(head, sorted result blocks) of a search page."""
    blocks = text.split("\n\n")
    return blocks[:2], sorted(blocks[2:])
