#!/usr/bin/env python3
"""live_test.py [BIN]: integration test of the live capsule, virtual hosts,
SIGHUP and SIGTERM.

Starts the real binary (default ./capsuled) on an empty capsule in a
temporary directory, changes the capsule while it is served (drop, edit,
rename, delete, a slow writer, a bulk drop, index.gmi, subdirectories)
and watches what Gemini (Python's ssl module) and Gopher (raw sockets)
readers see.  Then starts it again with a two-host configuration file
(-c) and checks SNI, certificates, `-n`, SIGHUP (certificate and config
reload while a download runs) and SIGTERM (drain).

Run from the repository root:  python3 tests/live_test.py ./capsuled
Prints one line per failed check (name, want, got), notes such as the
measured drop-to-served times, and last `N passed, N failed`; exits 1
when a check failed.  Only 127.0.0.1 is used; every socket has a
timeout; every poll loop is bounded by a deadline.
"""

import hashlib
import os
import random
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

HOST = "127.0.0.1"
DEADLINE = 3            # the server's -T
IO_TIMEOUT = 10         # every socket
POLL = 5.0              # how long to wait for the watcher
BULK_POLL = 10.0        # ... for 200 files at once
WATCHDOG = 88           # the whole run stays under 90 s
GEMTEXT = "text/gemini; charset=utf-8"
T0 = time.monotonic()


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (T, Reply, Server, client_ctx,  # noqa: E402
                     cleanup, finish, gem, gopher, parse_reply, public_tmpdir,
                     sanitizer_check, start_watchdog,
                     is_menu_ok, menu, poll, write, STOP_TIMEOUT)


def peer_cert(port, sni):
    """The DER certificate presented for sni (None: no SNI)."""
    sock = None
    try:
        sock = socket.create_connection((HOST, port), timeout=IO_TIMEOUT)
        s = client_ctx().wrap_socket(sock, server_hostname=sni)
        sock = s
        return s.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError):
        return None
    finally:
        if sock is not None:
            sock.close()


def fp(der):
    return hashlib.sha256(der or b"").hexdigest()


def san_of(der):
    """subjectAltName of a DER certificate as openssl prints it."""
    if der is None:
        return "(no certificate)"
    pem = ssl.DER_cert_to_PEM_cert(der)
    p = subprocess.run(["openssl", "x509", "-noout", "-ext",
                        "subjectAltName"], input=pem.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=10)
    return (p.stdout + p.stderr).decode("utf-8", "replace")


HOME_LINK = re.compile(r"^=> /articles/([^ ]+)\.gmi (\d{4}-\d{2}-\d{2}) (.+)$",
                       re.M)


def home_slugs(body):
    return [m.group(1) for m in HOME_LINK.finditer(body)]


# --------------------------------------------------------------- gopher

ARTICLE_SEL = re.compile(r"^/articles/(?!page/)([^/]+)/$")


def menu_articles(data):
    """Slugs of the type-1 article items of a menu."""
    out = []
    for t, disp, sel in menu(data):
        m = ARTICLE_SEL.match(sel)
        if t == "1" and m:
            out.append(m.group(1))
    return out


def is_gopher_error(data):
    items = menu(data)
    return bool(items) and items[0][0] == "3"


# -------------------------------------------------------------- helpers

def chmod_rx(d):
    subprocess.run(["chmod", "-R", "a+rX", d], check=True, timeout=10)


def article(title, paras, related=(), front=None):
    out = []
    if front:
        out.append("---")
        out.extend("%s: %s" % kv for kv in front.items())
        out.append("---")
    out.append(title)
    out.extend(paras)
    for t in related:
        out.extend([t, "A one-line summary.", "READ MORE"])
    return "\n".join(out) + "\n"


def drop(capsule, name, text):
    """Write to a temporary dot-name, then rename into place."""
    tmp = os.path.join(capsule, "." + name + ".tmp")
    write(tmp, text)
    os.rename(tmp, os.path.join(capsule, name))


def related_state(body, title, slug):
    """'link' / 'plain' / 'missing': how body's related block shows title."""
    lines = body.split("\n")
    try:
        i = lines.index("## Related articles")
    except ValueError:
        return "missing"
    for line in lines[i + 1:]:
        if line.startswith("## "):
            break
        if line == "=> /articles/%s.gmi %s" % (slug, title):
            return "link"
        if line == title:
            return "plain"
    return "missing"


# ------------------------------------------------------------- articles

A_TITLE = "Alpha Live Article"
A_SLUG = "alpha-live-article"
A_TEXT = "Alpha paragraph one: the first version of this article."
A_TEXT2 = "Alpha paragraph rewritten: the second version, edited in place."
A_TITLE2 = "Alpha Renamed Article"
A_SLUG2 = "alpha-renamed-article"
B_TITLE = "Beta Live Article"
B_SLUG = "beta-live-article"


def a_source(title=A_TITLE, text=A_TEXT):
    return article(title, [text, "A second paragraph of alpha."],
                   related=[B_TITLE])


# ------------------------------------------------------------- checks 1-9

def check1_empty(port, gport):
    r = gem(port, "/")
    T.check("1 empty: home page 20", r.status == "20", "20", r)
    T.check("1 empty: home says 'No articles yet.'",
            "No articles yet." in r.text().split("\n"), "a line "
            "'No articles yet.'", r.text())
    T.check("1 empty: home lists no article", home_slugs(r.text()) == [],
            [], home_slugs(r.text()))
    g = gopher(gport, "\r\n")
    T.check("1 empty: Gopher root is a menu", is_menu_ok(g), "menu ending "
            ".CRLF", g)
    T.check("1 empty: Gopher root has no type-1 article items",
            menu_articles(g) == [], [], menu_articles(g))


def check2_drop(port, gport, capsule):
    t0 = time.monotonic()
    drop(capsule, "a.txt", a_source())
    t_drop = time.monotonic()
    ok, r, el = poll(lambda: (lambda r: (r.status == "20", r))(
        gem(port, "/articles/%s.gmi" % A_SLUG)))
    t_gem = time.monotonic() - t_drop
    T.check("2 drop: /articles/%s.gmi becomes 20" % A_SLUG, ok,
            "20 within %.0f s" % POLL, r)
    ok2, g, _ = poll(lambda: (lambda g: (is_menu_ok(g), g))(
        gopher(gport, "/articles/%s/\r\n" % A_SLUG)))
    t_gop = time.monotonic() - t_drop
    T.check("2 drop: Gopher /articles/%s/ becomes a menu" % A_SLUG, ok2,
            "a menu, not type 3", g)
    T.note("drop-to-served (a.txt, write %.1f ms + rename): Gemini %.0f ms,"
           " Gopher %.0f ms" % ((t_drop - t0) * 1000, t_gem * 1000,
                                t_gop * 1000))
    DROP_TIMES.append(("a.txt (Gemini)", t_gem))
    T.check("2 drop: article meta", r.meta == GEMTEXT, GEMTEXT, r.meta)
    T.check("2 drop: article body starts '# %s'" % A_TITLE,
            r.text().startswith("# %s\n" % A_TITLE) and A_TEXT in r.text(),
            "# %s ... %s" % (A_TITLE, A_TEXT), r.text())
    h = gem(port, "/")
    m = [x for x in HOME_LINK.finditer(h.text()) if x.group(1) == A_SLUG]
    T.check("2 drop: home lists it", len(m) == 1 and
            m[0].group(3) == A_TITLE,
            "=> /articles/%s.gmi DATE %s" % (A_SLUG, A_TITLE), h.text())
    T.check("2 drop: home no longer says 'No articles yet.'",
            "No articles yet." not in h.text(), "absent", h.text())
    at = gem(port, "/atom.xml")
    want = "gemini://localhost:%d/articles/%s.gmi" % (port, A_SLUG)
    ids = []
    try:
        root = ET.fromstring(at.body)
        ns = "{http://www.w3.org/2005/Atom}"
        ids = [e.findtext(ns + "id") for e in root.findall(ns + "entry")]
        titles = [e.findtext(ns + "title") for e in root.findall(ns + "entry")]
    except ET.ParseError as e:
        titles = ["parse error %s" % e]
    T.check("2 drop: /atom.xml lists it", want in ids and A_TITLE in titles,
            "entry id %s, title %s" % (want, A_TITLE), (ids, titles))
    g = gopher(gport, "\r\n")
    T.check("2 drop: Gopher root lists it", menu_articles(g) == [A_SLUG],
            [A_SLUG], g)


def check3_related(port, gport, capsule):
    r = gem(port, "/articles/%s.gmi" % A_SLUG)
    T.check("3 related: B unpublished: plain text in A",
            related_state(r.text(), B_TITLE, B_SLUG) == "plain",
            "a line '%s' under ## Related articles" % B_TITLE, r.text())
    g = gopher(gport, "/articles/%s/\r\n" % A_SLUG)
    T.check("3 related: B unpublished: no Gopher item in A's menu",
            B_SLUG not in menu_articles(g), "no item", menu(g))
    t_drop = time.monotonic()
    drop(capsule, "b.txt", article(B_TITLE, ["Beta paragraph."]))

    def linked():
        r = gem(port, "/articles/%s.gmi" % A_SLUG)
        return related_state(r.text(), B_TITLE, B_SLUG) == "link", r
    ok, r, el = poll(linked)
    T.check("3 related: B dropped: A links it", ok,
            "=> /articles/%s.gmi %s" % (B_SLUG, B_TITLE), r.text())
    T.note("drop-to-served (b.txt, related link in A): %.0f ms" %
           ((time.monotonic() - t_drop) * 1000))
    DROP_TIMES.append(("b.txt (link in A)", time.monotonic() - t_drop))
    g = gopher(gport, "/articles/%s/\r\n" % A_SLUG)
    T.check("3 related: B dropped: A's Gopher menu has a type-1 item for B",
            ("1", B_TITLE, "/articles/%s/" % B_SLUG) in menu(g),
            "1%s\t/articles/%s/" % (B_TITLE, B_SLUG), menu(g))
    rb = gem(port, "/articles/%s.gmi" % B_SLUG)
    T.check("3 related: B served", rb.status == "20", "20", rb)
    os.unlink(os.path.join(capsule, "b.txt"))

    def unlinked():
        r = gem(port, "/articles/%s.gmi" % A_SLUG)
        return related_state(r.text(), B_TITLE, B_SLUG) == "plain", r
    ok, r, el = poll(unlinked)
    T.check("3 related: B deleted: plain text again in A", ok,
            "a line '%s'" % B_TITLE, r.text())
    rb = gem(port, "/articles/%s.gmi" % B_SLUG)
    T.check("3 related: B deleted: its URL gives 51", rb.status == "51",
            "51", rb)
    g = gopher(gport, "/articles/%s/\r\n" % B_SLUG)
    T.check("3 related: B deleted: Gopher /articles/%s/ type 3" % B_SLUG,
            is_gopher_error(g), "3... line", g)
    g = gopher(gport, "/articles/%s/\r\n" % A_SLUG)
    T.check("3 related: B deleted: no Gopher item for B in A's menu",
            not any(sel == "/articles/%s/" % B_SLUG for _, _, sel in
                    menu(g)), "no item", menu(g))


def check4_edit(port, gport, capsule):
    # edit in place: truncate and rewrite the same file
    write(os.path.join(capsule, "a.txt"), a_source(text=A_TEXT2))

    def edited():
        r = gem(port, "/articles/%s.gmi" % A_SLUG)
        return A_TEXT2 in r.text(), r
    ok, r, _ = poll(edited)
    T.check("4 edit in place: new text served", ok and A_TEXT not in
            r.text(), A_TEXT2, r.text())
    g = gopher(gport, "/articles/%s.txt\r\n" % A_SLUG)
    T.check("4 edit in place: Gopher text has the new paragraph",
            b"second version" in g and b"first version" not in g,
            A_TEXT2, g)
    url = "gemini://localhost:%d/articles/%s.gmi" % (port, A_SLUG)
    r = gem(port, "/a.txt")
    T.check("4 before rename: /a.txt is 31", r.status == "31" and
            r.meta == url, "31 " + url, r)

    # rename: the same article under another file name
    t_rename = time.monotonic()
    os.rename(os.path.join(capsule, "a.txt"), os.path.join(capsule, "a2.txt"))
    gaps = []

    def renamed():
        # while the rename is not yet published the old snapshot names a
        # file that is gone: the answer may be 40 (try again), never 51
        r = gem(port, "/articles/%s.gmi" % A_SLUG)
        if r.status not in ("20", "40"):
            gaps.append(r)
        r1 = gem(port, "/a.txt")
        r2 = gem(port, "/a2.txt")
        return r1.status == "51" and r2.status == "31", (r1, r2)
    ok, (r1, r2), _ = poll(renamed)
    T.check("4 rename: /a.txt gives 51", r1.status == "51", "51", r1)
    T.check("4 rename: /a2.txt gives 31 to the same article",
            r2.status == "31" and r2.meta == url, "31 " + url, r2)
    T.check("4 rename: the slug never stops existing", not gaps,
            "20 or 40 on every poll", "%d polls neither, the last %.0f ms "
            "after the rename: %s" % (len(gaps), (gaps[-1].t_end - t_rename)
                                      * 1000 if gaps else 0, gaps[:2]))
    r = gem(port, "/articles/%s.gmi" % A_SLUG)
    T.check("4 rename: same slug still 20", r.status == "20" and
            A_TEXT2 in r.text(), "20 with the text", r)

    # a new title: a new slug
    write(os.path.join(capsule, "a2.txt"), a_source(title=A_TITLE2,
                                                      text=A_TEXT2))

    def retitled():
        r = gem(port, "/articles/%s.gmi" % A_SLUG2)
        return r.status == "20", r
    ok, r, _ = poll(retitled)
    T.check("4 retitle: new slug %s 20" % A_SLUG2, ok and
            r.text().startswith("# %s\n" % A_TITLE2), "20 # " + A_TITLE2, r)
    r = gem(port, "/articles/%s.gmi" % A_SLUG)
    T.check("4 retitle: old slug %s 51" % A_SLUG, r.status == "51", "51", r)
    r = gem(port, "/a2.txt")
    T.check("4 retitle: /a2.txt redirects to the new slug",
            r.status == "31" and r.meta ==
            "gemini://localhost:%d/articles/%s.gmi" % (port, A_SLUG2),
            "31 .../%s.gmi" % A_SLUG2, r)
    g = gopher(gport, "\r\n")
    T.check("4 retitle: Gopher root lists the new slug only",
            A_SLUG2 in menu_articles(g) and A_SLUG not in menu_articles(g),
            [A_SLUG2], menu_articles(g))


IGNORED = {
    ".hidden.txt": "Ignored Hidden Title",
    "notes.txt~": "Ignored Backup Title",
    "x.swp": "Ignored Swap Title",
    "y.tmp": "Ignored Tmp Title",
    "#z.txt#": "Ignored Emacs Title",
}
SENTINEL_TITLE = "Sentinel Live Article"
SENTINEL_SLUG = "sentinel-live-article"


def check5_ignored(port, capsule):
    for name, title in IGNORED.items():
        write(os.path.join(capsule, name), article(title, ["Not served."]))
    # a real article after them: once it is served, they were seen
    drop(capsule, "sentinel.txt", article(SENTINEL_TITLE, ["Sentinel."]))
    seen = set()

    def sentinel():
        r = gem(port, "/")
        for t in IGNORED.values():
            if t in r.text():
                seen.add(t)
        return SENTINEL_SLUG in home_slugs(r.text()), r
    ok, r, _ = poll(sentinel)
    T.check("5 ignored: a real article dropped after them is listed", ok,
            SENTINEL_SLUG, r.text())
    time.sleep(0.2)     # past another debounce period
    r = gem(port, "/")
    for t in IGNORED.values():
        if t in r.text():
            seen.add(t)
    T.check("5 ignored: none of %s on the home page" % sorted(IGNORED),
            not seen, "none", sorted(seen))
    for name, title in IGNORED.items():
        slug = "-".join(title.lower().split())
        r = gem(port, "/articles/%s.gmi" % slug)
        T.check("5 ignored: %r not an article (/articles/%s.gmi)" %
                (name, slug), r.status == "51", "51", r)


SLOW_TITLE = "Slow Writer Article"
SLOW_SLUG = "slow-writer-article"
SLOW_HALF = "The slow paragraph SLOWHALF begins here and"
SLOW_REST = " SLOWREST ends it."
SLOW_REL = "Some Unwritten Article"


def check6_slow(port, capsule):
    seen = []           # (t_end, what, reply)
    stop = threading.Event()

    def poller():
        i = 0
        while not stop.is_set():
            if i % 2 == 0:
                seen.append(("article", gem(port, "/articles/%s.gmi" %
                                            SLOW_SLUG)))
            else:
                seen.append(("home", gem(port, "/")))
            i += 1
            stop.wait(0.02)
    th = threading.Thread(target=poller, daemon=True)
    th.start()
    path = os.path.join(capsule, "slow.txt")
    f = open(path, "w", encoding="utf-8")
    f.write(SLOW_TITLE + "\n")
    f.flush()
    time.sleep(0.3)
    f.write(SLOW_HALF)
    f.flush()
    time.sleep(0.3)
    f.write(SLOW_REST + "\n" + SLOW_REL + "\nA summary.\nREAD MORE\n")
    f.flush()
    t_close = time.monotonic()      # no reply that ends before this saw it
    f.close()
    os.chmod(path, 0o644)

    def complete():
        r = gem(port, "/articles/%s.gmi" % SLOW_SLUG)
        return r.status == "20", r
    ok, r, el = poll(complete)
    DROP_TIMES.append(("slow.txt (after close)", el))
    stop.set()
    th.join(IO_TIMEOUT + 2)
    full = SLOW_HALF + SLOW_REST
    T.check("6 slow writer: served complete after close", ok and
            full in r.text() and SLOW_REL in r.text(),
            "20 with '%s' and the related block" % full, r)
    T.note("slow writer: %d polls while writing, served %.0f ms after close"
           % (len(seen), el * 1000))
    partial = [r for what, r in seen if what == "article" and
               r.status == "20" and (SLOW_REST not in r.text() or
                                     SLOW_REL not in r.text())]
    T.check("6 slow writer: no incomplete version of the article served",
            not partial, "absent (51) or complete", partial[:2])
    half = [r for what, r in seen if "SLOWHALF" in r.text() and
            "SLOWREST" not in r.text()]
    T.check("6 slow writer: the half paragraph never served alone",
            not half, "never", half[:2])
    early = [(what, r) for what, r in seen if r.t_end < t_close and
             (SLOW_SLUG in home_slugs(r.text()) or r.status == "20" and
              what == "article")]
    T.check("6 slow writer: nothing published before close", not early,
            "absent until close", early[:2])
    bad = [r for _, r in seen if r.status not in ("20", "51")]
    T.check("6 slow writer: every poll answered 20 or 51", not bad,
            "20/51", bad[:2])


SLOW2_TITLE = "Slow Rewrite Article"
SLOW2_SLUG = "slow-rewrite-article"
SLOW2_OLD = "The published paragraph OLDVERSION of this article."
SLOW2_HALF = "The rewritten paragraph NEWHALF begins here and"
SLOW2_REST = " NEWREST ends it."


def check6b_slow_rewrite(port, capsule):
    """The same slow writer over an article that is already published
    (an editor that saves in place): while the file is open only the
    version of the previous close may be served."""
    path = os.path.join(capsule, "slow2.txt")
    drop(capsule, "slow2.txt", article(SLOW2_TITLE, [SLOW2_OLD],
                                       related=[SLOW_REL]))

    def listed():
        r = gem(port, "/")
        return SLOW2_SLUG in home_slugs(r.text()), r
    ok, r, _ = poll(listed)
    T.check("6b slow rewrite: first version published", ok, SLOW2_SLUG,
            r.text())
    seen = []
    stop = threading.Event()

    def poller():
        while not stop.is_set():
            seen.append(gem(port, "/articles/%s.gmi" % SLOW2_SLUG))
            stop.wait(0.02)
    th = threading.Thread(target=poller, daemon=True)
    th.start()
    f = open(path, "w", encoding="utf-8")       # truncates: in place
    f.write(SLOW2_TITLE + "\n")
    f.flush()
    time.sleep(0.3)
    f.write(SLOW2_HALF)
    f.flush()
    time.sleep(0.3)
    f.write(SLOW2_REST + "\n" + SLOW_REL + "\nA summary.\nREAD MORE\n")
    f.flush()
    t_close = time.monotonic()
    f.close()

    def new():
        r = gem(port, "/articles/%s.gmi" % SLOW2_SLUG)
        return SLOW2_HALF + SLOW2_REST in r.text(), r
    ok, r, el = poll(new)
    stop.set()
    th.join(IO_TIMEOUT + 2)
    T.check("6b slow rewrite: new version served after close", ok,
            SLOW2_HALF + SLOW2_REST, r)
    half = [r for r in seen if "NEWHALF" in r.text() and
            "NEWREST" not in r.text()]
    T.check("6b slow rewrite: the half paragraph never served alone",
            not half, "never", half[:2])

    def complete(r):
        t = r.text()
        return SLOW_REL in t and (SLOW2_OLD in t or
                                  SLOW2_HALF + SLOW2_REST in t)
    served = [r for r in seen if r.status == "20"]
    bad = [r for r in served if not complete(r)]
    T.check("6b slow rewrite: every version served is complete",
            not bad, "20 only with the whole old or new article (%d of %d "
            "polls were 20)" % (len(served), len(seen)),
            "%d incomplete, e.g. %s" % (len(bad), bad[:2]))
    before = [r for r in seen if r.t_end < t_close]
    statuses = {}
    for x in before:
        k = x.status if not complete(x) else "20 old version"
        statuses[k] = statuses.get(k, 0) + 1
    T.note("slow rewrite: %d replies while the file was open: %s" %
           (len(before), statuses))


def check7_index(port, capsule):
    path = os.path.join(capsule, "index.gmi")
    write(path, "Intro text\n")

    def shown():
        r = gem(port, "/")
        return "Intro text" in r.text().split("\n"), r
    ok, r, _ = poll(shown)
    T.check("7 index.gmi: home shows 'Intro text'", ok, "a line 'Intro "
            "text'", r.text())
    if ok:
        lines = r.text().split("\n")
        first = [i for i, l in enumerate(lines) if l.startswith("=> /art")]
        T.check("7 index.gmi: above the list", first and
                lines.index("Intro text") < first[0], "before the links",
                r.text())
    os.unlink(path)

    def gone():
        r = gem(port, "/")
        return "Intro text" not in r.text() and r.status == "20", r
    ok, r, _ = poll(gone)
    T.check("7 index.gmi removed: gone from home", ok, "no 'Intro text'",
            r.text())


BULK = 200


def check8_bulk(port, server, capsule):
    names = []
    for i in range(BULK):
        name = "bulk%03d.txt" % i
        tmp = os.path.join(capsule, ".%s.tmp" % name)
        # dates in the past: the newest 100 are not all bulk articles
        day = 1 + i % 28
        month = 1 + (i // 28) % 12
        write(tmp, article("Bulk Article %03d" % i,
                           ["Bulk paragraph number %d." % i],
                           front={"date": "2020-%02d-%02d" % (month, day)}))
        names.append((tmp, os.path.join(capsule, name)))
    n0 = server.nlines()
    t0 = time.monotonic()
    for tmp, final in names:
        os.rename(tmp, final)
    want = {"bulk-article-%03d" % i for i in range(BULK)}

    def all_listed():
        r = gem(port, "/articles/page/1.gmi")
        return want <= set(home_slugs(r.text())), r
    ok, r, el = poll(all_listed, BULK_POLL)
    DROP_TIMES.append(("200 files (all on page 1)", el))
    T.note("drop-to-served (200 files renamed in %.0f ms): all on "
           "/articles/page/1.gmi after %.0f ms" %
           ((time.monotonic() - t0 - el) * 1000, el * 1000))
    got = set(home_slugs(r.text()))
    T.check("8 bulk: /articles/page/1.gmi lists all 200", ok,
            "%d bulk slugs" % BULK, "%d of them; missing e.g. %s" %
            (len(want & got), sorted(want - got)[:5]))
    T.check("8 bulk: page 1 lists 200+ articles",
            len(home_slugs(r.text())) >= BULK + 4, ">= %d" % (BULK + 4),
            len(home_slugs(r.text())))
    h = gem(port, "/")
    n = len(home_slugs(h.text()))
    T.check("8 bulk: home lists 100", n == 100, 100, n)
    T.check("8 bulk: home links the full list",
            "=> /articles/page/1.gmi" in h.text(), "=> /articles/page/1.gmi",
            h.text()[-300:])
    T.check("8 bulk: home keeps the newest first",
            home_slugs(h.text())[:1] in ([SLOW_SLUG], [A_SLUG2],
                                         [SENTINEL_SLUG], [SLOW2_SLUG]),
            "a non-bulk article first", home_slugs(h.text())[:3])
    line = server.wait_line(lambda l: b"published" in l, 2, since=n0)
    T.check("8 bulk: stderr has a 'published' line", line is not None,
            "a line with 'published'", server.lines_since(n0)[-5:])
    counts = [int(m.group(1)) for m in (re.search(
        rb"(\d+) articles; \d+ changed, published", l) for l in
        server.lines_since(n0)) if m]
    T.check("8 bulk: a published snapshot has all the articles",
            counts and max(counts) >= BULK + 4, ">= %d articles" % (BULK + 4),
            counts)
    T.check("8 bulk: process alive", server.alive(), "running",
            server.proc.poll())


def check9_subdir(port, capsule):
    sub = os.path.join(capsule, "sub")
    os.mkdir(sub)
    os.chmod(sub, 0o755)
    body = "# New page\n\nCreated after start.\n"
    write(os.path.join(sub, "new.gmi"), body)
    r = gem(port, "/sub/new.gmi")
    T.check("9 subdirectory: sub/new.gmi served at once",
            r.status == "20" and r.body == body.encode(),
            "20 and the file", r)
    r = gem(port, "/articles/new-page.gmi")
    T.check("9 subdirectory: sub/new.gmi is no article", r.status == "51",
            "51", r)


DROP_TIMES = []


def live_server(binary):
    capsule = public_tmpdir("capsuled-live-")
    certs = public_tmpdir("capsuled-live-certs-")
    s = Server([binary, "-g", "0", "-p", "0", "-d", capsule, "-C", certs,
                "-T", str(DEADLINE)])
    try:
        if not T.check("live: listening lines", s.start(),
                       "gemini and gopher ports on stderr",
                       s.text()[-600:]):
            return
        port, gport = s.port, s.gport
        check1_empty(port, gport)
        check2_drop(port, gport, capsule)
        check3_related(port, gport, capsule)
        check4_edit(port, gport, capsule)
        check5_ignored(port, capsule)
        check6_slow(port, capsule)
        check6b_slow_rewrite(port, capsule)
        check7_index(port, capsule)
        check8_bulk(port, s, capsule)
        check9_subdir(port, capsule)
    finally:
        rc = s.stop()
        T.check("live: SIGTERM exit 0", rc == 0, 0,
                "%s; stderr tail %r" % (rc, s.text()[-600:]))
        sanitizer_check("live server", s.text())


# ---------------------------------------------------------- checks 10-12

def conf_text(c1, c2, certs, two_title="Two", broken=False):
    lines = ["# capsuled live test",
             "timeout abc" if broken else "timeout %d" % DEADLINE]
    lines += ["",
              "host one.example",
              "capsule %s" % c1,
              "certs %s" % certs,
              "title One",
              "",
              "host two.example",
              "alias www.two.example",
              "capsule %s" % c2,
              "certs %s" % certs,
              "lang fr",
              "title %s" % two_title]
    return "\n".join(lines) + "\n"


BROKEN_LINE = 2     # "timeout abc" in conf_text(broken=True)


def run(argv, timeout=20):
    p = subprocess.run(argv, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr


class Download(threading.Thread):
    """A slow reader of a big file: 64 KiB every 20 ms."""

    def __init__(self, port, host, path):
        super().__init__(daemon=True)
        self.port, self.host, self.path = port, host, path
        self.r = Reply()
        self.started = threading.Event()
        self.received = 0

    def run(self):
        r = self.r
        raw = bytearray()
        sock = None
        try:
            sock = socket.create_connection((HOST, self.port),
                                            timeout=IO_TIMEOUT)
            s = client_ctx().wrap_socket(sock, server_hostname=self.host,
                                         suppress_ragged_eofs=False)
            sock = s
            s.sendall(("gemini://%s:%d%s\r\n" % (self.host, self.port,
                                                 self.path)).encode())
            eof = False
            while not eof:
                got = 0
                while got < 65536:
                    d = s.recv(65536 - got)
                    if not d:
                        r.clean = True
                        eof = True
                        break
                    raw += d
                    got += len(d)
                    self.received = len(raw)
                self.started.set()
                time.sleep(0.02)
        except ssl.SSLEOFError:
            r.error = "EOF without close_notify"
        except (OSError, ssl.SSLError) as e:
            r.error = repr(e)
        finally:
            if sock is not None:
                sock.close()
            self.started.set()
        r.t_end = time.monotonic()
        parse_reply(r, raw)


def check_download(name, d, data):
    d.join(IO_TIMEOUT * 3)
    r = d.r
    T.check("%s: download finished" % name, not d.is_alive(), "done",
            "still running")
    T.check("%s: download 20" % name, r.status == "20", "20", r.header)
    want = hashlib.sha256(data).hexdigest()
    got = hashlib.sha256(r.body).hexdigest()
    T.check("%s: download intact (sha256)" % name, got == want,
            "%s (%d bytes)" % (want, len(data)),
            "%s (%d bytes)" % (got, len(r.body)))
    T.check("%s: download ends with close_notify" % name,
            r.clean and r.error is None, "clean close", r.error)


def home_title(port, host):
    r = gem(port, "gemini://%s:%d/" % (host, port), host=host)
    return r.text().split("\n", 1)[0], r


def check10_config(binary, port, gport, certs, conf, tmp):
    for host, title in (("one.example", "One"), ("two.example", "Two"),
                        ("www.two.example", "Two")):
        first, r = home_title(port, host)
        T.check("10 vhost %s: home '# %s'" % (host, title),
                r.status == "20" and first == "# " + title,
                "20, # " + title, r)
    r = gem(port, "gemini://three.example:%d/" % port, host="three.example")
    T.check("10 vhost three.example: 53", r.status == "53", "53", r)
    r = gem(port, "gemini://one.example:%d/articles/one-article.gmi" % port,
            host="one.example")
    T.check("10 vhost one: its article, no lang", r.status == "20" and
            r.meta == GEMTEXT, "20 " + GEMTEXT, r)
    r = gem(port, "gemini://two.example:%d/articles/one-article.gmi" % port,
            host="two.example")
    T.check("10 vhost two: not host one's article", r.status == "51", "51",
            r)
    r = gem(port, "gemini://two.example:%d/articles/two-plain-article.gmi"
            % port, host="two.example")
    T.check("10 vhost two: lang=fr from the config",
            r.status == "20" and r.meta == GEMTEXT + "; lang=fr",
            "20 %s; lang=fr" % GEMTEXT, r)
    r = gem(port, "gemini://www.two.example:%d/articles/two-german-article"
            ".gmi" % port, host="www.two.example")
    T.check("10 vhost two (alias): front matter lang=de wins",
            r.status == "20" and r.meta == GEMTEXT + "; lang=de",
            "20 %s; lang=de" % GEMTEXT, r)
    certs_der = {}
    for host in ("one.example", "two.example"):
        der = peer_cert(port, host)
        certs_der[host] = der
        san = san_of(der)
        other = "two.example" if host == "one.example" else "one.example"
        T.check("10 certificate for SNI %s: SAN DNS:%s" % (host, host),
                re.search(r"DNS:%s\b" % re.escape(host), san) and
                "DNS:%s" % other not in san, "DNS:" + host, san)
        path = os.path.join(certs, host + ".crt")
        try:
            with open(path) as f:
                file_der = ssl.PEM_cert_to_DER_cert(f.read())
        except (OSError, ValueError) as e:
            file_der = repr(e).encode()
        T.check("10 certificate for SNI %s = %s" % (host, path),
                der == file_der, fp(file_der), fp(der))
    der = peer_cert(port, "www.two.example")
    T.check("10 certificate for SNI www.two.example: two.example's",
            der is not None and der == certs_der["two.example"],
            fp(certs_der["two.example"]), "%s: %s" % (fp(der), san_of(der)))
    der = peer_cert(port, None)
    T.check("10 certificate without SNI: the first host's",
            der is not None and der == certs_der["one.example"],
            fp(certs_der["one.example"]) + " (one.example)",
            "%s: %s" % (fp(der), san_of(der)))
    g = gopher(gport, "\r\n")
    T.check("10 Gopher serves the first host", menu_articles(g) ==
            ["one-article"], ["one-article"], g)

    # -n: canonical form, round trip, errors
    rc, out, err = run([binary, "-n", "-c", conf])
    text = out.decode("utf-8", "replace")
    T.check("10 -n -c CONF: exit 0", rc == 0, 0, (rc, err))
    for want in ("host one.example", "host two.example",
                 "alias www.two.example", "lang fr", "title Two",
                 "title One", "timeout %d" % DEADLINE):
        T.check("10 -n -c CONF: has '%s'" % want, want in text.split("\n"),
                want, text)
    dump = os.path.join(tmp, "dump.conf")
    with open(dump, "wb") as f:
        f.write(out)
    rc2, out2, err2 = run([binary, "-n", "-c", dump])
    T.check("10 -n round trip: identical", rc2 == 0 and out2 == out,
            out, (rc2, out2, err2))
    broken = os.path.join(tmp, "broken.conf")
    with open(broken, "w") as f:
        f.write(conf_text("/c1", "/c2", "/certs", broken=True))
    rc3, out3, err3 = run([binary, "-n", "-c", broken])
    T.check("10 broken config: non-zero exit", rc3 != 0, "!= 0", rc3)
    T.check("10 broken config: broken.conf:%d: on stderr" % BROKEN_LINE,
            re.search(rb"broken\.conf:%d: .*timeout.*abc" % BROKEN_LINE,
                      err3) is not None,
            "broken.conf:%d: ... 'timeout' ... 'abc'" % BROKEN_LINE, err3)
    T.check("10 broken config: nothing on stdout", out3 == b"", "b''",
            out3)
    return certs_der


def wait_reload(s, since, what=b"reloaded:"):
    return s.wait_line(lambda l: what in l, POLL, since=since)


def check11_hup(s, port, certs, conf, c1, c2, big, certs_der):
    d = Download(port, "one.example", "/big.bin")
    d.start()
    d.started.wait(IO_TIMEOUT)
    T.check("11 SIGHUP: download started", d.received > 0, "> 0 bytes",
            d.r)
    for ext in ("crt", "key"):
        os.unlink(os.path.join(certs, "one.example." + ext))
    n0 = s.nlines()
    s.proc.send_signal(signal.SIGHUP)
    line = wait_reload(s, n0)
    during = d.is_alive()
    T.check("11 SIGHUP: reloaded", line is not None, "'reloaded:' on stderr",
            s.lines_since(n0))
    T.check("11 SIGHUP: stderr 'created certificate for one.example'",
            any(b"created certificate for one.example" in l for l in
                s.lines_since(n0)), "that line", s.lines_since(n0))
    new = peer_cert(port, "one.example")
    T.check("11 SIGHUP: a new connection gets the new certificate",
            new is not None and new != certs_der["one.example"],
            "not " + fp(certs_der["one.example"]), fp(new))
    try:
        with open(os.path.join(certs, "one.example.crt")) as f:
            file_der = ssl.PEM_cert_to_DER_cert(f.read())
    except (OSError, ValueError) as e:
        file_der = repr(e).encode()
    T.check("11 SIGHUP: it is the new one.example.crt", new == file_der,
            fp(file_der), fp(new))
    T.check("11 SIGHUP: SAN of the new certificate",
            re.search(r"DNS:one\.example\b", san_of(new)) is not None,
            "DNS:one.example", san_of(new))
    T.check("11 SIGHUP: two.example keeps its certificate",
            peer_cert(port, "two.example") == certs_der["two.example"],
            fp(certs_der["two.example"]), "another")
    check_download("11 SIGHUP", d, big)
    T.check("11 SIGHUP: the download was still running at the reload",
            during, "running", "finished before the reload was done")
    T.check("11 SIGHUP: server still up", s.alive(), "running",
            s.proc.poll())
    first, r = home_title(port, "one.example")
    T.check("11 SIGHUP: one.example still served", first == "# One",
            "# One", r)

    # a broken config: reported, the running one keeps serving
    write(conf, conf_text(c1, c2, certs, broken=True))
    n0 = s.nlines()
    s.proc.send_signal(signal.SIGHUP)
    want = ("%s:%d:" % (conf, BROKEN_LINE)).encode()
    line = s.wait_line(lambda l: want in l and b"timeout" in l, POLL,
                       since=n0)
    T.check("11 broken config SIGHUP: FILE:LINE on stderr",
            line is not None, want, s.lines_since(n0))
    s.wait_line(lambda l: b"reload failed" in l, 1, since=n0)
    for host, title in (("one.example", "One"), ("two.example", "Two")):
        first, r = home_title(port, host)
        T.check("11 broken config SIGHUP: %s still '# %s'" % (host, title),
                first == "# " + title, "# " + title, r)
    T.check("11 broken config SIGHUP: server still up", s.alive(),
            "running", s.proc.poll())

    # a new title for host two
    write(conf, conf_text(c1, c2, certs, two_title="Two Renamed"))
    n0 = s.nlines()
    s.proc.send_signal(signal.SIGHUP)
    wait_reload(s, n0)

    def renamed():
        first, r = home_title(port, "two.example")
        return first == "# Two Renamed", r
    ok, r, _ = poll(renamed)
    T.check("11 SIGHUP: new title for two.example", ok, "# Two Renamed", r)
    first, r = home_title(port, "one.example")
    T.check("11 SIGHUP: one.example unchanged", first == "# One", "# One", r)
    r = gem(port, "gemini://two.example:%d/articles/two-plain-article.gmi"
            % port, host="two.example")
    T.check("11 SIGHUP: two's articles still lang=fr", r.status == "20" and
            r.meta == GEMTEXT + "; lang=fr", "20 %s; lang=fr" % GEMTEXT, r)


def check12_term(s, port, big):
    d = Download(port, "one.example", "/big.bin")
    d.start()
    d.started.wait(IO_TIMEOUT)
    T.check("12 SIGTERM: download started", d.received > 0, "> 0 bytes",
            d.r)
    idle = None
    try:
        sock = socket.create_connection((HOST, port), timeout=IO_TIMEOUT)
        idle = client_ctx().wrap_socket(sock, server_hostname="one.example",
                                        suppress_ragged_eofs=False)
    except (OSError, ssl.SSLError) as e:
        T.check("12 SIGTERM: idle connection", False, "handshake", e)
    time.sleep(0.2)     # the server has the handshake done too
    t0 = time.monotonic()
    s.proc.send_signal(signal.SIGTERM)
    if idle is not None:
        got, err = b"", None
        try:
            while True:
                x = idle.recv(4096)
                if not x:
                    break
                got += x
        except ssl.SSLEOFError:
            err = "EOF without close_notify"
        except (OSError, ssl.SSLError) as e:
            err = repr(e)
        finally:
            idle.close()
        el = time.monotonic() - t0
        T.check("12 SIGTERM: idle connection closed with close_notify",
                err is None and got == b"", "recv() == b''",
                "%r, %r after %.2f s" % (got[:100], err, el))
        T.check("12 SIGTERM: idle connection closed promptly", el < 2,
                "< 2 s", "%.2f s" % el)
    during = d.is_alive()
    T.check("12 SIGTERM: the download was still running at SIGTERM",
            during, "running", "finished")
    check_download("12 SIGTERM", d, big)
    rc = s.wait(STOP_TIMEOUT)
    T.check("12 SIGTERM: exit 0 within %d s" % STOP_TIMEOUT, rc == 0, 0,
            "%s after %.1f s" % (rc, time.monotonic() - t0))


def config_server(binary):
    tmp = public_tmpdir("capsuled-live-conf-")
    c1 = public_tmpdir("capsuled-live-c1-")
    c2 = public_tmpdir("capsuled-live-c2-")
    certs = public_tmpdir("capsuled-live-vcerts-")
    write(os.path.join(c1, "one.txt"), article("One Article",
                                               ["Host one's article."]))
    big = random.Random(1965).randbytes(8 * 1024 * 1024)
    with open(os.path.join(c1, "big.bin"), "wb") as f:
        f.write(big)
    write(os.path.join(c2, "plain.txt"), article("Two Plain Article",
                                                 ["Sans langue propre."]))
    write(os.path.join(c2, "german.txt"), article(
        "Two German Article", ["Ein deutscher Absatz."],
        front={"lang": "de"}))
    chmod_rx(c1)
    chmod_rx(c2)
    conf = os.path.join(tmp, "capsuled.conf")
    write(conf, conf_text(c1, c2, certs))
    s = Server([binary, "-c", conf, "-g", "0", "-p", "0"])
    try:
        if not T.check("config: listening lines", s.start(),
                       "gemini and gopher ports on stderr",
                       s.text()[-600:]):
            return
        port, gport = s.port, s.gport
        certs_der = check10_config(binary, port, gport, certs, conf, tmp)
        check11_hup(s, port, certs, conf, c1, c2, big, certs_der)
        check12_term(s, port, big)
    finally:
        rc = s.stop()
        sanitizer_check("config server", s.text())
        if rc != 0:
            T.note("config server stderr tail: %r" % s.text()[-800:])


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1
                             else "./capsuled")
    timer = start_watchdog(WATCHDOG)
    try:
        live_server(binary)
        config_server(binary)
    finally:
        cleanup()
    timer.cancel()
    for what, t in DROP_TIMES:
        T.note("drop-to-served %s: %.0f ms" % (what, t * 1000))
    elapsed = time.monotonic() - T0
    T.check("whole run < 90 s", elapsed < 90, "< 90 s", "%.1f s" % elapsed)
    finish()
    return 1 if T.failed else 0


if __name__ == "__main__":
    sys.exit(main())
