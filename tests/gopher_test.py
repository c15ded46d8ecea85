#!/usr/bin/env python3
"""gopher_test.py [BIN]: integration test of capsuled's Gopher listener.

Starts the real binary (default ./capsuled) on a fixture capsule in a
temporary directory and talks to it only with independent clients: raw
sockets, curl and lynx.  Run from the repository root:

    python3 tests/gopher_test.py ./capsuled

Prints one line per failed check (name, want, got), and last
`N passed, N failed`; exits 1 if a check failed.  Only loopback
addresses are used (127.0.0.1, and ::1 for one check when available);
every socket and child process has a timeout.
"""

import os
import random
import re
import selectors
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
import unicodedata
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (SERVERS, T, Server, cleanup, gopher_req,  # noqa: E402
                     items, public_tmpdir, run_main, short, start_watchdog)

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), ".."))
DEADLINE = 2            # the server's request deadline (-T)
WATCHDOG = 55           # the whole run must stay under a minute

unclean = []            # requests whose answer did not end in a clean close


# ---------------------------------------------------------------- widths

def width(s):
    """Display columns: East Asian Wide/Full = 2, combining/format = 0."""
    w = 0
    for ch in s:
        cat = unicodedata.category(ch)
        if unicodedata.combining(ch) or cat in ("Mn", "Me", "Cf"):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


# ---------------------------------------------------------------- server

def gopher_server(binary, capsule, extra=()):
    """The server under test (harness.Server), started: gport is its
    Gopher port, port its Gemini one (None if it did not start)."""
    certdir = public_tmpdir("capsuled-gopher-certs-")
    srv = Server([binary, "-g", "0", "-p", "0", "-d", capsule, "-C", certdir,
                  "-T", str(DEADLINE)] + list(extra))
    srv.start(10)
    return srv


# ---------------------------------------------------------------- clients

def get(sel, port, **kw):
    """The answer to selector sel (bytes or str) + CRLF; notes an unclean
    end (no close, or a reset) in `unclean`."""
    if isinstance(sel, str):
        sel = sel.encode()
    r = gopher_req(sel + b"\r\n", port, **kw)
    if not r.eof or r.reset:
        unclean.append((sel, "reset" if r.reset else "%s after %.1fs" %
                        (r.error or "no close", r.elapsed)))
    return r.data


def server_down(port):
    """True if nothing accepts connections on the port any more."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return False
    except OSError:
        return True


def curl(url):
    try:
        p = subprocess.run(["curl", "-sS", "--max-time", "5", url],
                           capture_output=True, timeout=10)
        return p.stdout, p.returncode, p.stderr
    except subprocess.TimeoutExpired:
        return b"", -1, b"timeout"


LYNX_HOME = None


def lynx(url):
    return harness.lynx(url, LYNX_HOME)


# ---------------------------------------------------------------- parsing

ERR_RE = re.compile(rb"^3([^\t\r\n]*)\t\terror\.host\t1\r\n\.\r\n\Z")
SEL_RE = re.compile(r"^[A-Za-z0-9._/~,+=@-]*$")
URL_LINE_RE = re.compile(r"^\s*[a-z][a-z0-9+.-]*://\S*$")


def is_error(data):
    return ERR_RE.match(data) is not None


def menu_problems(data, port, foreign_ok=False):
    """Everything wrong with a menu (M1-M7); [] if it is valid."""
    p = []
    if re.search(rb"\r(?!\n)|(?<!\r)\n", data):
        p.append("bare CR or LF")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        p.append("not UTF-8")
        text = data.decode("utf-8", "replace")
    if not data.endswith(b"\r\n.\r\n") and data != b".\r\n":
        p.append("does not end with .CRLF: %r" % data[-20:])
    lines = text.split("\r\n")
    if lines and lines[-1] == "":
        lines.pop()
    if lines and lines[-1] == ".":
        lines.pop()
    for i, line in enumerate(lines, 1):
        if line == ".":
            p.append("line %d is '.' before the end" % i)
            continue
        f = line.split("\t")
        if len(f) != 4 or not f[0]:
            p.append("line %d has %d fields: %r" % (i, len(f), line))
            continue
        t, disp, sel, host, prt = f[0][0], f[0][1:], f[1], f[2], f[3]
        if any(ord(c) < 0x20 or ord(c) == 0x7f for c in "".join(f)):
            p.append("line %d has a control character: %r" % (i, line))
        if t not in "01379gIhisd":
            p.append("line %d: type %r" % (i, t))
        if width(disp) > 69:
            p.append("line %d: display of %d columns: %r"
                     % (i, width(disp), disp))
        if t == "i":
            if (sel, host, prt) != ("", "null.host", "1"):
                p.append("line %d: info line %r" % (i, line))
            continue
        if t == "3":
            if (sel, host, prt) != ("", "error.host", "1"):
                p.append("line %d: error line %r" % (i, line))
            continue
        if not re.fullmatch(r"[0-9]{1,5}", prt) or not 1 <= int(prt) <= 65535:
            p.append("line %d: port %r" % (i, prt))
        if not host:
            p.append("line %d: empty host" % i)
        if (host, prt) != ("localhost", str(port)) and not foreign_ok:
            p.append("line %d: host/port %s:%s" % (i, host, prt))
        if len(sel.encode()) > 255:
            p.append("line %d: selector of %d bytes" % (i, len(sel.encode())))
        if (host, prt) == ("localhost", str(port)) and \
                not sel.startswith("URL:") and not SEL_RE.match(sel):
            p.append("line %d: selector %r" % (i, sel))
    return p


def text_problems(data, strict=False):
    """Everything wrong with a type-0 article text (T1-T3)."""
    p = []
    if data.startswith(b"\xef\xbb\xbf"):
        p.append("BOM")
    if re.search(rb"\r(?!\n)|(?<!\r)\n", data):
        p.append("bare CR or LF")
    if not data.endswith(b"\r\n"):
        p.append("last line without CRLF: %r" % data[-20:])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        p.append("not UTF-8")
        text = data.decode("utf-8", "replace")
    lines = text.split("\r\n")[:-1]
    if strict:
        if not data.endswith(b"\r\n.\r\n"):
            p.append("no terminator")
        lines = lines[:-1]
    if "." in lines:
        p.append("a line '.' (%s)" % ("before the terminator" if strict else
                                      "raw text has no terminator"))
    for line in lines:
        body = line[1:] if strict and line.startswith("..") else line
        if width(body) > 67 and not URL_LINE_RE.match(line):
            p.append("line of %d columns: %r" % (width(body), line))
    return p


def source_title(path):
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = [l.strip() for l in text.splitlines()]
    if lines and lines[0] == "---" and "---" in lines[1:]:
        lines = lines[lines.index("---", 1) + 1:]
    for l in lines:
        if l:
            return l
    return ""


# ---------------------------------------------------------------- fixture

def tiny_png():
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) +
            chunk(b"IEND", b""))


NOTE = "Café — ü\n".encode()
MAPPED_NOTE = b"A note next to the gophermap.\n"
GOPHERMAP = ("Mapped directory\n"
             "   ASCII art\n"
             "# comment: not shown\n"
             "1Articles\t/articles/\n"
             "0Relative\tnote.txt\n"
             "0Note\t/files/note.txt\n"
             "hProject\tURL:https://example.org/\n"
             "1Floodgap\t\tgopher.floodgap.com\t70\n")


def make_capsule():
    d = public_tmpdir("capsuled-gopher-")
    sources = sorted(
        [os.path.join(ROOT, "capsule", f)
         for f in os.listdir(os.path.join(ROOT, "capsule"))
         if f.endswith(".txt")] +
        [os.path.join(ROOT, "tests/golden/capsule", f)
         for f in os.listdir(os.path.join(ROOT, "tests/golden/capsule"))
         if f.endswith(".txt")])
    for f in sources:
        shutil.copy2(f, d)
    files = os.path.join(d, "files")
    os.makedirs(os.path.join(files, "sub"))
    blobs = {
        "files/note.txt": NOTE,
        "files/pic.png": tiny_png(),
        "files/blob.bin": random.Random(1436).randbytes(100 * 1024),
        "files/page.html": b"<!DOCTYPE html>\n<html><head><title>Page"
                           b"</title></head><body><p>A page.</p></body>"
                           b"</html>\n",
        "files/.hidden": b"secret\n",
        "mapped/gophermap": GOPHERMAP.encode(),
        "mapped/note.txt": MAPPED_NOTE,
    }
    os.makedirs(os.path.join(d, "mapped"))
    for rel, data in blobs.items():
        with open(os.path.join(d, rel), "wb") as fp:
            fp.write(data)
    # world-readable (the server may drop to nobody); never follows links
    for top, dirs, names in os.walk(d):
        os.chmod(top, 0o755)
        for n in names:
            os.chmod(os.path.join(top, n), 0o644)
    os.symlink("/etc", os.path.join(files, "escape"))
    os.symlink("/etc/passwd", os.path.join(files, "passwd"))
    return d, blobs, [os.path.basename(f) for f in sources]


# ---------------------------------------------------------------- checks

def check_root(port, capsule, names, v6):
    root = get(b"", port)
    T.check("root menu valid (M1-M7)", not menu_problems(root, port),
            "a valid menu", menu_problems(root, port))
    for name, sel, shut in (("'/'", b"/\r\n", False), ("'/' LF", b"/\n", False),
                            ("'/' half-close", b"/", True)):
        r = gopher_req(sel, port, shut=shut)
        T.check("root menu for %s equals root for empty selector" % name,
                r.data == root and r.eof, short(root, 80),
                "%r eof=%s" % (r.data[:80], r.eof))
    first = root.split(b"\r\n", 1)[0]
    T.check("root menu first line", first == b"ilocalhost\t\tnull.host\t1",
            b"ilocalhost\t\tnull.host\t1", first)
    T.check("root menu has no '..' item", b"\t/../" not in root and
            not any(d == ".." for _, d, _, _, _ in items(root)), "none", root)
    arts = [it for it in items(root) if it[0] == "1"]
    T.check("root menu lists every article", len(arts) == len(names),
            "%d type-1 items" % len(names), "%d: %r" % (len(arts), arts))
    dates = []
    slugs = {}
    for t, disp, sel, host, prt in arts:
        m = re.match(r"^(\d{4}-\d{2}-\d{2}) (.+)$", disp)
        ok = (m is not None and
              re.fullmatch(r"/articles/[a-z0-9]+(-[a-z0-9]+)*/", sel) and
              host == "localhost" and prt == str(port))
        T.check("root item '%s'" % disp, ok,
                "YYYY-MM-DD Title\t/articles/<slug>/\tlocalhost\t%d" % port,
                "%s\t%s\t%s\t%s" % (disp, sel, host, prt))
        if m:
            dates.append(m.group(1))
        slugs[sel[len("/articles/"):-1]] = m.group(1) if m else None
    T.check("root menu newest first", dates == sorted(dates, reverse=True),
            "dates in descending order", dates)
    shown = [re.sub(r"^\d{4}-\d{2}-\d{2} ", "", d) for _, d, _, _, _ in arts]
    for n in names:
        title = source_title(os.path.join(capsule, n))
        ok = any(s == title or (s.endswith("…") and
                                title.startswith(s[:-1].rstrip()))
                 for s in shown)
        T.check("root menu shows the title of %s" % n, ok, title, shown)
    for must in ("2026-11-20 Welcome to capsuled\t/articles/welcome-to-capsuled/",
                 "2024-02-01 Dots and Wide Characters\t"
                 "/articles/dots-and-wide-characters/"):
        T.check("root menu item", ("1%s\tlocalhost\t%d\r\n" % (must, port))
                .encode() in root, must, root)
    # IPv6 loopback, once
    r = gopher_req(b"/\r\n", port, host="::1", family=socket.AF_INET6)
    if r.error is not None and not r.eof and (
            not socket.has_ipv6 or "ConnectionRefusedError" not in r.error
            or not v6):
        T.note("::1 check skipped: %s" % r.error)
    else:
        T.check("root menu over ::1 equals 127.0.0.1", r.data == root and r.eof,
                root, r.data if r.error is None else "%r error=%s" %
                (r.data[:80], r.error))
    return root, slugs


def check_articles(port, gport, slugs, capsule, names, binary):
    menus = {}
    texts = {}
    for slug in slugs:
        m = get("/articles/%s/" % slug, port)
        menus[slug] = m
        probs = menu_problems(m, port)
        T.check("article menu %s valid" % slug, not probs, "valid", probs)
        m2 = get("/articles/%s" % slug, port)
        T.check("article menu %s without trailing slash: same bytes" % slug,
                m2 == m, m, m2)
        m3 = get("articles/%s/" % slug, port)
        T.check("article menu %s without leading slash: same bytes" % slug,
                m3 == m, m, m3)
        its = items(m)
        want = ("0", "Plain text version", "/articles/%s.txt" % slug,
                "localhost", str(port))
        T.check("article %s: plain text item" % slug, want in its, want, its)
        want = ("1", "Home", "/", "localhost", str(port))
        T.check("article %s: Home item" % slug, want in its, want, its)
        long_info = [d for t, d, _, _, _ in its if t == "i" and width(d) > 67]
        T.check("article %s: info lines <= 67 columns" % slug, not long_info,
                "none longer", long_info)
        T.check("article %s: first line is a title info line" % slug,
                its and its[0][0] == "i" and its[0][1].strip() != "",
                "i<title>", its[:1])
        head = [d for _, d, _, _, _ in its[:4]]
        T.check("article %s: date line after the title" % slug,
                slugs[slug] in head[1:], "i%s" % slugs[slug], head)
        t = get("/articles/%s.txt" % slug, port)
        texts[slug] = t
        probs = text_problems(t)
        T.check("article text %s (T1-T3)" % slug, not probs, "valid", probs)
        t2 = get("articles/%s.txt" % slug, port)
        T.check("article text %s without leading slash: same bytes" % slug,
                t2 == t, t, t2)
        # related items in the menu appear as URLs in the text
        if b"\r\niRelated articles\t\tnull.host\t1\r\n" in m:
            part = m.split(b"\r\niRelated articles\t", 1)[1]
            part = part.split(b"\r\niSimilar articles\t", 1)[0]
            rel = [s for ty, d, s, _, _ in items(part)
                   if ty == "1" and s.startswith("/articles/")]
            txt = t.decode("utf-8", "replace")
            T.check("article text %s has 'Related articles'" % slug,
                    "\r\nRelated articles\r\n" in txt, "the heading", txt[-300:])
            for s in rel:
                rslug = s[len("/articles/"):-1]
                for u in ("gopher://localhost:%d/1/articles/%s/" % (port, rslug),
                          "gemini://localhost:%d/articles/%s.gmi"
                          % (gport, rslug)):
                    T.check("article text %s lists %s" % (slug, u), u in txt,
                            u, txt[-300:])
    # byte-for-byte equal to `capsuled convert --gopher-text` of its source
    by_text = {}
    for slug, t in texts.items():
        by_text.setdefault(t, []).append(slug)
    matched = {}
    for n in names:
        try:
            p = subprocess.run([binary, "convert", "--gopher-text", "-H",
                                "localhost", "-p", str(port), "-g", str(gport),
                                os.path.join(capsule, n)],
                               capture_output=True, timeout=10)
            out = p.stdout
        except subprocess.TimeoutExpired:
            out = b""
        got = by_text.get(out, [])
        T.check("text of %s served equals convert --gopher-text" % n,
                out and len(got) == 1 and got[0] not in matched.values(),
                "exactly one article serving %r" % out[:60], got)
        if got:
            matched[n] = got[0]
    T.check("convert of 02_dots.txt is /articles/dots-and-wide-characters.txt",
            matched.get("02_dots.txt") == "dots-and-wide-characters",
            "dots-and-wide-characters", matched.get("02_dots.txt"))
    dots = texts.get("dots-and-wide-characters", b"")
    T.check("dots: lone '.' paragraph sent as '. '", b"\r\n. \r\n" in dots and
            not re.search(rb"(^|\r\n)\.\r\n", dots), "a line '. '", dots[:120])
    T.check("dots: '.hidden' line not stuffed by default",
            b"\r\n.hidden starts with a dot\r\n" in dots, ".hidden ...", dots[:200])
    T.check("dots: no terminator by default", not dots.endswith(b"\r\n.\r\n"),
            "no final '.'", dots[-40:])

    # related entries: existing ones as items, the others as info lines
    rel = menus.get("how-related-links-work", b"")
    for line in (b"iRelated articles\t\tnull.host\t1\r\n",
                 ("1Writing an Article: The Source Format\t/articles/writing-"
                  "an-article-the-source-format/\tlocalhost\t%d\r\n" % port)
                 .encode(),
                 ("1Files That Aren\u2019t Articles\t/articles/files-that-arent-"
                  "articles/\tlocalhost\t%d\r\n" % port).encode(),
                 ("1Welcome to capsuled\t/articles/welcome-to-capsuled/\t"
                  "localhost\t%d\r\n" % port).encode(),
                 b"iRunning capsuled Behind a Proxy\t\tnull.host\t1\r\n",
                 ("1Home\t/\tlocalhost\t%d\r\n.\r\n" % port).encode()):
        T.check("article menu how-related-links-work has line", line in rel,
                line, rel[-600:])
    T.check("article menu how-related-links-work starts with title and date",
            rel.startswith(b"iHow Related Links Work\t\tnull.host\t1\r\n"
                           b"i2026-11-06\t\tnull.host\t1\r\n"), "title, date",
            rel[:100])
    ne = menus.get("line-starts-every-gemtext-trap", b"")
    for line in (b"i# An Unpublished Heading-Like Title\t\tnull.host\t1\r\n",
                 ("1Dots and Wide Characters\t/articles/dots-and-wide-characters/"
                  "\tlocalhost\t%d\r\n" % port).encode()):
        T.check("article menu line-starts-every-gemtext-trap has line",
                line in ne, line, ne[-500:])
    return menus, texts


def check_crawl(c):
    """M8/M9: fetch everything of ours reachable from the root (and from
    /files/ and /mapped/).  A crash is one failure: the server is started
    again and the crawl goes on."""
    seen = set()
    queue = [("1", ""), ("1", "/files/"), ("1", "/mapped/")]
    fetches = restarts = 0
    errors = []
    invalid = []
    while queue and fetches < 300:
        t, sel = queue.pop(0)
        if (t, sel) in seen:
            continue
        seen.add((t, sel))
        data = get(sel, c.port)
        fetches += 1
        if not data:
            try:                # an empty answer: did it crash?
                c.srv.proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        if not data and (c.srv.proc.poll() is not None or
                         server_down(c.port)):
            errors.append((t, sel, "the server died"))
            restarts += 1
            if restarts > 3:
                break
            c.alive("fetching %r in the crawl" % sel)
            continue
        if is_error(data) or not data:
            errors.append((t, sel, data[:80]))
            continue
        if t != "1":
            continue
        probs = menu_problems(data, c.port,
                              foreign_ok=sel.startswith("/mapped"))
        if probs:
            invalid.append((sel, probs))
        for ty, d, s, host, prt in items(data):
            if host == "localhost" and prt == str(c.port) and ty in "019Ig":
                queue.append((ty, s))
    T.check("crawl stays bounded", fetches < 300, "< 300 fetches", fetches)
    T.check("crawl reached the articles", fetches > 30, "> 30 fetches", fetches)
    T.check("crawl: no item gives a type-3 error (M8/M9)", not errors, "none",
            errors)
    T.check("crawl: every menu valid (M8)", not invalid, "none", invalid)


def check_files(port, blobs):
    for rel in ("files/pic.png", "files/blob.bin", "files/note.txt",
                "files/page.html", "mapped/note.txt"):
        data = get("/" + rel, port)
        T.check("file /%s byte-identical (T5)" % rel, data == blobs[rel],
                "%d bytes %r" % (len(blobs[rel]), blobs[rel][:20]),
                "%d bytes %r" % (len(data), data[:40]))
    menu = get("/files/", port)
    T.check("/files/ menu valid", not menu_problems(menu, port), "valid",
            menu_problems(menu, port))
    its = {(t, d): s for t, d, s, _, _ in items(menu)}
    for t, d in (("0", "note.txt"), ("I", "pic.png"), ("9", "blob.bin"),
                 ("h", "page.html")):
        T.check("/files/ lists %s%s" % (t, d), its.get((t, d)) == "/files/" + d,
                "%s%s\t/files/%s" % (t, d, d), sorted(its.items()))
    T.check("/files/ lists 1sub", its.get(("1", "sub")) in ("/files/sub/",
                                                            "/files/sub"),
            "1sub\t/files/sub/", sorted(its.items()))
    T.check("/files/ hides .hidden", b".hidden" not in menu, "no .hidden", menu)
    T.check("/files same menu as /files/", get("/files", port) == menu,
            short(menu, 60), "different")


def check_gophermap(port):
    m = get("/mapped/", port)
    T.check("/mapped/ menu valid", not menu_problems(m, port, foreign_ok=True),
            "valid", menu_problems(m, port, foreign_ok=True))
    for line in ("iMapped directory\t\tnull.host\t1",
                 "i   ASCII art\t\tnull.host\t1",
                 "1Articles\t/articles/\tlocalhost\t%d" % port,
                 "0Relative\t/mapped/note.txt\tlocalhost\t%d" % port,
                 "0Note\t/files/note.txt\tlocalhost\t%d" % port,
                 "hProject\tURL:https://example.org/\tlocalhost\t%d" % port,
                 "1Floodgap\t\tgopher.floodgap.com\t70"):
        head = line.split("\t", 1)[0] + "\t"
        near = [l for l in m.decode("utf-8", "replace").split("\r\n")
                if l.startswith(head)]
        T.check("gophermap line %s" % head.strip(),
                ("\r\n%s\r\n" % line).encode() in b"\r\n" + m, line,
                near or m)
    T.check("gophermap comment dropped", b"comment" not in m, "no comment", m)
    T.check("gophermap ends the menu", m.endswith(b"\r\n.\r\n"), ".", m[-20:])
    T.check("/mapped same as /mapped/", get("/mapped", port) == m,
            short(m, 60), "different")


def check_misc(port):
    h = get("URL:https://example.org/", port)
    ht = h.decode("utf-8", "replace")
    T.check("URL: redirect page", re.search(r'<meta http-equiv="refresh"', ht,
                                            re.I) is not None and
            "https://example.org/" in ht and "<script" not in ht.lower(),
            '<meta http-equiv="refresh" ... https://example.org/', ht)
    j = get("URL:javascript:alert(1)", port)
    T.check("URL:javascript: refused", is_error(j), "3...\\t\\terror.host\\t1", j)

    c = get("/caps.txt", port)
    ct = c.decode("utf-8", "replace").split("\r\n")
    T.check("caps.txt", c.startswith(b"CAPS") and "CapsVersion=1" in ct and
            "PathDelimeter=/" in ct and "ServerDefaultEncoding=UTF-8" in ct,
            "CAPS, CapsVersion=1, PathDelimeter=/, ServerDefaultEncoding=UTF-8",
            c)

    bad = [b"/nope", b"/nope.txt", b"/no pe", b"/caf\xc3\xa9",
           b"/../etc/passwd", b"/articles/../../etc/passwd",
           b"/%2e%2e/%2e%2e/etc/passwd", b"/..%2fetc", b"/articles/./../../x",
           b"/.git/config", b"/files/.hidden", b"/files/escape/passwd",
           b"/files/passwd", b"/files/escape", b"/a\x00b", b"/a\x01b",
           b"/a\x1fb", b"/a\x7fb", b"/\xff\xfe", b"/001_welcome.txt",
           b"//etc/passwd", b"/articles/no-such-article/",
           b"/articles/no-such-article.txt"]
    for sel in bad:
        r = get(sel, port)
        m = ERR_RE.match(r)
        msg = m.group(1) if m else b""
        seg = sel.rstrip(b"/").rsplit(b"/", 1)[-1]
        ok = (m is not None and not re.search(rb"[\x00-\x1f\x7f]", msg) and
              (len(seg) < 3 or seg not in msg) and b"root:" not in r)
        T.check("error for %r (E1/R6-R8)" % sel, ok,
                "3<message>\\t\\terror.host\\t1\\r\\n.\\r\\n, not echoing", r)

    # R4: long requests
    r = gopher_req(b"/" + b"a" * 254 + b"\r\n", port)
    T.check("R4 255-byte selector answered", r.eof and (
          is_error(r.data) or r.data.endswith(b".\r\n")),
          "a type-3 error", "%r eof=%s" % (r.data[:80], r.eof))
    for n in (4096, 64 * 1024):
        r = gopher_req(b"/" + b"b" * (n - 1), port, timeout=DEADLINE + 3)
        T.check("R4 %d bytes without newline: error or close" % n,
                r.eof and r.elapsed <= DEADLINE + 2 and (r.data == b"" or
                                                  is_error(r.data)),
                "type-3 error or close within %d s" % (DEADLINE + 2),
                "%r eof=%s after %.1fs" % (r.data[:80], r.eof, r.elapsed))
    root = get(b"/", port)
    T.check("R4 still serving after long requests",
            root.startswith(b"ilocalhost\t"), "root menu", root[:60])

    # R6: only the first line counts
    r = get(b"/\r\nGET /etc/passwd", port)
    T.check("R6 only the first line is processed", r == root, short(root, 60),
            r[:200])
    # R11: Gopher+ tails
    for sel, want in ((b"\t$", root), (b"/\t+", root),
                      (b"/files/note.txt\t!", NOTE)):
        r = get(sel, port)
        T.check("R11 %r treated as the plain request" % sel, r == want,
                short(want, 60), r[:120])

    # R9: HTTP on the Gopher port
    r = gopher_req(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", port)
    T.check("R9 HTTP request gets HTTP/1.0 400", r.data.startswith(
          b"HTTP/1.0 400"), "HTTP/1.0 400 ...", "%r reset=%s" % (r.data[:80],
                                                               r.reset))
    T.check("R9 HTTP connection closed promptly", r.eof and r.elapsed < 1.0,
            "close < 1 s", "eof=%s after %.2fs" % (r.eof, r.elapsed))

    # R10: a TLS ClientHello is no longer closed: it starts Gopher over
    # TLS on this port (tests/gophers_test.py)
    return root


def check_idle(port, root):
    """R5: idle connections are closed within T+2 s, and do not stop a
    normal client."""
    sel = selectors.DefaultSelector()
    socks = {}
    for _ in range(21):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(DEADLINE + 5)
        try:
            s.connect(("127.0.0.1", port))
        except OSError as e:
            s.close()
            for o in socks:
                o.close()
            T.check("R5 idle connections accepted", False, "connected", e)
            return
        s.setblocking(False)
        socks[s] = time.monotonic()
        sel.register(s, selectors.EVENT_READ)
    t0 = time.monotonic()
    r = gopher_req(b"/\r\n", port, timeout=5)
    T.check("R5 normal request answered with 21 idle sockets",
            r.data == root and r.elapsed < 1.0, "root menu < 1 s",
            "%d bytes after %.2fs" % (len(r.data), r.elapsed))
    closed = {}
    deadline = t0 + DEADLINE + 4
    while len(closed) < len(socks):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        for key, _ in sel.select(left):
            s = key.fileobj
            try:
                b = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                b = b""
            if not b:
                closed[s] = time.monotonic() - socks[s]
                sel.unregister(s)
    sel.close()
    late = [round(v, 2) for v in closed.values() if v > DEADLINE + 2]
    T.check("R5 idle connections closed within T+2 s",
            len(closed) == len(socks) and not late,
            "%d closed within %d s" % (len(socks), DEADLINE + 2),
            "%d closed, late: %s" % (len(closed), late))
    for s in socks:
        s.close()


def check_concurrent(port, root):
    res = [None] * 50

    def one(i):
        res[i] = gopher_req(b"/\r\n", port, timeout=5).data
    th = [threading.Thread(target=one, args=(i,)) for i in range(50)]
    for t in th:
        t.start()
    for t in th:
        t.join(10)
    T.check("X2 50 concurrent root fetches identical",
            all(r == root for r in res), "50 x root menu",
            sum(1 for r in res if r == root))


def check_curl(port, root, texts):
    out, rc, err = curl("gopher://127.0.0.1:%d/1/" % port)
    T.check("curl /1/ equals raw root menu", rc == 0 and out == root,
            short(root, 60), "rc=%d %r %r" % (rc, out[:60], err[:100]))
    out, rc, err = curl("gopher://127.0.0.1:%d/" % port)
    T.check("curl / equals raw root menu", rc == 0 and out == root,
            short(root, 60), "rc=%d %r %r" % (rc, out[:60], err[:100]))
    for slug in ("dots-and-wide-characters", "how-related-links-work"):
        out, rc, err = curl("gopher://127.0.0.1:%d/0/articles/%s.txt"
                            % (port, slug))
        want = texts.get(slug)
        T.check("curl text %s equals raw" % slug, rc == 0 and out == want,
                short(want, 60), "rc=%d %r %r" % (rc, out[:60], err[:100]))
    out, rc, err = curl("gopher://127.0.0.1:%d/9/files/blob.bin" % port)
    T.check("curl binary file equals raw", rc == 0 and out ==
            get("/files/blob.bin", port), "blob", "rc=%d %d bytes" % (rc, len(out)))


def check_lynx(port, menus):
    resolved = {}
    for slug, m in sorted(menus.items()):
        dump, rc = lynx("gopher://127.0.0.1:%d/1/articles/%s/" % (port, slug))
        its = items(m)
        T.check("lynx article %s runs" % slug, rc == 0 and dump, "exit 0",
                "rc=%d %r" % (rc, dump[:80]))
        if not its:
            continue
        title = its[0][1].strip()
        T.check("lynx article %s shows the title" % slug, title in dump, title,
                dump[:300])
        rel = False
        for t, d, s, h, p in its:
            if t == "i" and d == "Related articles":
                rel = True
            if rel and t == "1" and s != "/":
                T.check("lynx article %s shows (DIR) %s" % (slug, d),
                        re.search(r"\(DIR\) \[\d+\]" + re.escape(d), dump),
                        "(DIR) [N]" + d, dump[-600:])
        refs = []
        if "\nReferences\n" in dump:
            refs = re.findall(r"^\s*\d+\. (\S+)$",
                              dump.split("\nReferences\n", 1)[1], re.M)
        n = sum(1 for t, *_ in its if t != "i")
        T.check("lynx article %s lists a reference per item" % slug,
                len(refs) == n, "%d references" % n, refs)
        for u in refs:
            ours = "gopher://localhost:%d/" % port
            T.check("lynx reference %s is ours" % u, u.startswith(ours), ours, u)
            if not u.startswith(ours) or u in resolved:
                continue
            url = "gopher://127.0.0.1:%d/" % port + u[len(ours):]
            out, crc, err = curl(url)
            resolved[u] = out
            T.check("lynx reference %s resolves" % u, crc == 0 and out and
                    not is_error(out), "content", "rc=%d %r" % (crc, out[:80]))


def check_strict(binary, capsule, dots_plain, ports):
    srv = gopher_server(binary, capsule, ["--strict"])
    if not T.check("strict server started", srv.gport is not None,
                   "a listening line", srv.lines_since(0)):
        srv.stop()
        return
    port = srv.gport
    t = get("/articles/dots-and-wide-characters.txt", port)
    probs = text_problems(t, strict=True)
    T.check("strict text valid (T2)", not probs, "valid", probs)
    T.check("strict text ends with .CRLF", t.endswith(b"\r\n.\r\n"),
            "\\r\\n.\\r\\n", t[-20:])
    T.check("strict: '.' sent as '..'", b"\r\n..\r\n" in t, "a line '..'",
            t[:120])
    T.check("strict: '.x' sent as '..x'", b"\r\n..hidden starts with a dot\r\n"
            in t and b"\r\n....and three dots\r\n" in t,
            "..hidden / ....and three dots", t[:200])
    # the same text as the raw one, but stuffed and terminated
    unstuffed = b"\r\n".join(l[1:] if l.startswith(b".") else l
                             for l in t[:-3].split(b"\r\n"))
    want = dots_plain.replace(b"\r\n. \r\n", b"\r\n.\r\n")
    for old, new in zip(ports, (port, srv.port)):
        want = want.replace(b"localhost:%d/" % old, b"localhost:%d/" % new)
    T.check("strict text = raw text stuffed", unstuffed == want, short(want, 80),
            unstuffed[:80])
    p = subprocess.run([binary, "convert", "--gopher-text", "--strict", "-H",
                        "localhost", "-p", str(port), "-g",
                        str(srv.port),
                        os.path.join(capsule, "02_dots.txt")],
                       capture_output=True, timeout=10)
    T.check("strict text equals convert --strict", p.stdout == t,
            short(p.stdout, 60), short(t, 60))
    m = get("/", port)
    T.check("strict root menu valid", not menu_problems(m, port), "valid",
            menu_problems(m, port))
    rc = srv.stop()
    T.check("strict server exits 0 on SIGTERM within 5 s", rc == 0, 0, rc)
    check_stderr("strict server", srv.lines_since(0))


def check_stderr(who, lines, ctl_lines=None):
    """No sanitizer report in lines; no raw control byte (TAB included) in
    ctl_lines (default: lines)."""
    ctl = [l for l in (lines if ctl_lines is None else ctl_lines)
           if re.search(rb"[\x00-\x1f\x7f]", l)]
    T.check("%s: stderr has no raw control bytes" % who, not ctl, "none", ctl[:3])
    san = [l for l in lines if b"AddressSanitizer" in l or
           b"LeakSanitizer" in l or b"runtime error:" in l]
    T.check("%s: no sanitizer report" % who, not san, "none",
            b"\n".join(lines[-30:]) if san else "")


def check_log(lines):
    text = [l.decode("utf-8", "replace") for l in lines]
    log = [l for l in text if re.match(r"capsuled: \S+Z 127\.0\.0\.1\b", l)]
    T.check("access log has gopher requests", any('"/caps.txt"' in l
                                                  for l in log),
            'a line with "/caps.txt"', log[-5:])
    esc = [l for l in log if re.search(r'"/a(\\x0?0|\\x00|\\0|\?|\\u\{?0*\}?)b"',
                                       l)]
    T.check("access log shows the NUL request escaped", esc != [],
            'a line with "/a\\x00b" (escaped)',
            [l for l in log if '"/a' in l][:4])


class Ctx:
    """The server under test, restarted (with one failure) if it dies, so
    that one crash does not hide every later check."""

    def __init__(self, binary, capsule):
        self.binary, self.capsule = binary, capsule
        self.srv = None
        self.port = self.gport = None
        self.root = b""
        self.menus = {}
        self.texts = {}

    def start(self):
        self.srv = gopher_server(self.binary, self.capsule)
        self.port, self.gport = self.srv.gport, self.srv.port
        return self.port is not None and self.gport is not None

    def refresh(self):
        """Root, menus and texts again: they hold the (new) ports."""
        self.root = get(b"", self.port)
        for slug in list(self.menus):
            self.menus[slug] = get("/articles/%s/" % slug, self.port)
            self.texts[slug] = get("/articles/%s.txt" % slug, self.port)

    def alive(self, section):
        if not server_down(self.port):
            return T.check("server still running after %s" % section, True)
        try:
            rc = self.srv.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            rc = "none (still running, but refuses connections)"
        lines = self.srv.lines_since(0)
        why = [l for l in lines if b"Sanitizer" in l or b"runtime error" in l
               or b"SUMMARY" in l] or lines[-3:]
        T.check("server still running after %s" % section, False, "running",
                "exit %s: %s" % (rc, b" | ".join(why[:4]).decode("utf-8",
                                                                 "replace")))
        if not self.start():
            raise RuntimeError("could not restart the server")
        self.refresh()
        return False


def main():
    global LYNX_HOME
    binary = sys.argv[1] if len(sys.argv) > 1 else "./capsuled"
    os.chdir(ROOT)
    binary = os.path.realpath(binary)
    timer = start_watchdog(WATCHDOG)
    for tool in ("curl", "lynx"):
        if shutil.which(tool) is None:
            T.check("%s installed" % tool, False, tool, "missing (apt-get "
                    "install -y lynx curl)")
    LYNX_HOME = public_tmpdir("capsuled-gopher-home-")
    capsule, blobs, names = make_capsule()
    c = Ctx(binary, capsule)
    try:
        if not T.check("server started (listening line within 10 s)",
                       c.start(), "capsuled: listening gopher 0.0.0.0:PORT",
                       c.srv.lines_since(0)[-5:]):
            return
        c.root, slugs = check_root(c.port, capsule, names, c.srv.v6)
        c.alive("the root menu checks")
        c.menus, c.texts = check_articles(c.port, c.gport, slugs, capsule,
                                          names, binary)
        c.alive("the article checks")
        check_crawl(c)
        c.alive("the crawl")
        check_files(c.port, blobs)
        c.alive("the file checks")
        check_gophermap(c.port)
        c.alive("the gophermap checks")
        check_misc(c.port)
        c.alive("the request and error checks")
        check_idle(c.port, c.root)
        check_concurrent(c.port, c.root)
        c.alive("the idle and concurrency checks")
        if shutil.which("curl"):
            check_curl(c.port, c.root, c.texts)
        if shutil.which("lynx"):
            check_lynx(c.port, c.menus)
        c.alive("the curl and lynx checks")
        T.check("every answer ends in a clean close (X3)", not unclean,
                "FIN after each response", unclean[:5])
        check_strict(binary, capsule,
                     c.texts.get("dots-and-wide-characters", b""),
                     (c.port, c.gport))
        rc = c.srv.stop()
        T.check("server exits 0 on SIGTERM within 5 s", rc == 0, 0, rc)
        lines = []
        for s in SERVERS:       # this one, the strict one, crashed ones
            if s is not c.srv:
                s.stop()
            lines += s.lines_since(0)
        check_stderr("server", c.srv.lines_since(0), lines)
        check_log(lines)
    finally:
        cleanup()
        timer.cancel()


if __name__ == "__main__":
    run_main(main)
