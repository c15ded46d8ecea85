#!/usr/bin/env python3
"""nex_test.py [BIN]: the Nex listener (capsuled(8), NEX) with real
clients: a raw Python socket, nc (netcat-openbsd) piping a path and
reading to EOF, and lynx, whose Gopher request is also one line.

Starts the real binary (default ./capsuled) with -g 0 -p 0 -x 0 on the
golden capsule (tests/golden/capsule and served-capsule, plus a binary
file) and checks:
  1. the home directory: the newest articles as "=> " links, the full
     list, no search and no feed; "", "/", "/articles" give it too;
  2. a crawl from the home directory: every article, every related and
     similar link (resolved against the directory) with no error, each
     article's words those of its Gemini page, no search anywhere;
  3. the plain text: Gopher's type-0 text without its dot policy;
  4. capsule files byte-exact, a subdirectory listed, index.gmi;
  5. every bad request gets its fixed one-line message, then the close;
  6. a 1 MiB line without LF, a TLS ClientHello, PROXY v1 and v2;
  7. 500 idle connections while a client from 127.0.0.2 is served
     within 1 s; an address over its share is closed without a byte;
  8. nc and lynx; the access lines ("nex", "ok"/"error").
Byte-for-byte goldens of the Nex pages are tests/served.sh's.

Only 127.0.0.1 and 127.0.0.2 are used, on ephemeral ports; every socket
has a timeout and every wait a deadline.  Prints one line per failed
check, and last `N passed, N failed` (", N skipped" when nc or lynx is
missing); exits 1 if a check failed.
"""

import os
import random
import re
import shutil
import subprocess
import sys
import traceback
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (T, Server, cleanup, finish, gem, gopher,  # noqa: E402
                     lynx, nex, poll, public_tmpdir, more_fds,
                     sanitizer_check, start_watchdog, write)
from hostile_test import (Conv, client_hello, close_all,  # noqa: E402
                          exchange, hold, tcp_socket)
from served_test import build_capsule  # noqa: E402

PROTOCOLS = ("gemini", "gopher", "nex")
DEADLINE = 3            # the server's -T
ALT = "127.0.0.2"       # the well-behaved client of the slow-client check
BLOB = random.Random(1900).randbytes(100 * 1024)

# What Nex sends instead of a document (src/proto/nex.c, nex_proto.c).
NOT_FOUND = b"Not found\n"
TOO_LONG = b"Bad request: longer than 1024 bytes\n"
CONTROL = b"Bad request: a control character in the path\n"
NOT_UTF8 = b"Bad request: the path is not UTF-8\n"
SOURCE = (b"Not found: this is an article's source file; the articles "
          b"are listed at /\n")
MESSAGES = {NOT_FOUND, TOO_LONG, CONTROL, NOT_UTF8, SOURCE,
            b"Bad request: a \"..\" segment\n",
            b"Bad request: an encoded \"/\"\n",
            b"Bad request: a bad %-escape\n",
            b"Not found: a directory's path ends with \"/\"\n"}

# nex:// resolves like any URL with a host and a path
urllib.parse.uses_relative.append("nex")
urllib.parse.uses_netloc.append("nex")


def get(port, path):
    """The document at path (str), or None when it was not one."""
    r = nex(port, path.encode() + b"\n")
    if r.error is not None or not r.eof or r.raw in MESSAGES:
        return None
    return r.raw


def directory(data):
    """A Nex directory's text lines and its links [(target, label)]."""
    lines, links = [], []
    for line in data.decode("utf-8").split("\n"):
        if line.startswith("=>"):
            target, _, label = line[2:].strip().partition(" ")
            links.append((target, label))
        else:
            lines.append(line)
    return lines, links


# ------------------------------------------------------------ 1. home

def check_home(xport, gport):
    home = get(xport, "/")
    if not T.check("home: a document", home is not None, "a directory",
                   nex(xport, b"/\n")):
        return
    for req in (b"\n", b"\r\n", b"/\r\n", b"/articles\n", b"/articles/\n",
                b"//\n"):
        r = nex(xport, req)
        T.check("home: %r is the home directory" % req, r.raw == home and
                r.eof, home, r.raw)
    lines, links = directory(home)
    g = gem(gport, "/").text()
    want = re.findall(r"^=> /articles/([^/ ]+)\.gmi (\d{4}-\d\d-\d\d .*)$",
                      g, re.M)
    got = [(t[len("/articles/"):-1], l) for t, l in links
           if re.match(r"^/articles/[^/]+/$", t) and
           not t.startswith("/articles/page/")]
    T.check("home: the newest articles, dated, as Gemini's home lists them",
            got == want and len(got) == 3, want, got)
    T.check("home: a link to the full list",
            ("/articles/page/1/", "All 8 articles") in links,
            "=> /articles/page/1/ All 8 articles", links)
    T.check("home: the title first", lines[0] == "localhost", "localhost",
            lines[:2])
    T.check("home: no search, no feed", not any(
        "search" in t or "atom" in t for t, _ in links), "no such link",
        links)


# ----------------------------------------------------------- 2. crawl

def gemtext_words(text):
    """A Gemini article's text without its markup, and its labels."""
    words, labels = [], []
    for line in text.split("\n"):
        if line.startswith("=> "):
            target, _, label = line[3:].partition(" ")
            words.append(label or target)
            if label:
                labels.append(label)
            continue
        words.append(re.sub(r"^#{1,2} ", "", line))
    return "".join("".join(words).split()), labels


def nex_words(text):
    """The same of a Nex article directory, less what only a directory
    has: the date, the plain-text link and the link home."""
    words, labels, dated = [], [], False
    for line in text.split("\n"):
        if line.startswith("=> "):
            target, _, label = line[3:].partition(" ")
            if target.endswith(".txt") or target == "/":
                continue
            words.append(label or target)
            if label:
                labels.append(label)
            continue
        if not dated and re.match(r"^\d{4}-\d\d-\d\d$", line):
            dated = True
            continue
        words.append(line)
    return "".join("".join(words).split()), labels


def crawl(xport):
    """Every nex:// page of ours reachable from the home directory:
    {path: document or None}, and the links seen {(from, url)}."""
    base = "nex://127.0.0.1:%d" % xport
    todo, seen, pages, links = [base + "/"], {base + "/"}, {}, set()
    while todo and len(pages) < 300:
        url = todo.pop(0)
        path = urllib.parse.urlsplit(url).path
        data = get(xport, path)
        pages[path] = data
        if data is None or not path.endswith("/"):
            continue
        for target, _ in directory(data)[1]:
            to = urllib.parse.urljoin(url, target)
            links.add((path, to))
            if to.startswith(base + "/") and to not in seen:
                seen.add(to)
                todo.append(to)
    return pages, links


def check_crawl(xport, gport, slugs):
    pages, links = crawl(xport)
    bad = sorted(p for p, d in pages.items() if d is None)
    T.check("crawl: every page reached is a document", not bad and
            len(pages) > 16, "no error among > 16 pages", bad)
    arts = {p for p in pages if re.match(r"^/articles/[^/]+/$", p) and
            not p.startswith("/articles/page/")}
    T.check("crawl: every article reached as a directory",
            arts == {"/articles/%s/" % s for s in slugs}, sorted(slugs),
            sorted(arts))
    T.check("crawl: every article's plain text reached",
            {"/articles/%s.txt" % s for s in slugs} <= set(pages),
            sorted(slugs), sorted(p for p in pages if p.endswith(".txt")))
    T.check("crawl: no link to a search or a feed", not any(
        "/search" in u or "atom.xml" in u for _, u in links), "none",
        sorted(u for _, u in links if "search" in u or "atom" in u))
    for s in slugs:
        d = pages.get("/articles/%s/" % s)
        if d is None:
            continue
        g = gem(gport, "/articles/%s.gmi" % s)
        gw, gl = gemtext_words(g.text())
        nw, nl = nex_words(d.decode("utf-8"))
        T.check("crawl %s: the words of its Gemini page" % s, nw == gw,
                gw, nw)
        T.check("crawl %s: its related and similar links, as Gemini's" % s,
                nl == gl, gl, nl)
        rel = [u for f, u in links if f == "/articles/%s/" % s and
               re.search(r"/articles/[^/]+/$", u)]
        T.check("crawl %s: each related and similar link was followed" % s,
                all(urllib.parse.urlsplit(u).path in pages for u in rel),
                "every one fetched", rel)
    T.note("crawl: %d pages, %d links" % (len(pages), len(links)))


# ------------------------------------------------------ 3. plain text

def check_text(xport, gport, slugs):
    for s in slugs:
        t = get(xport, "/articles/%s.txt" % s)
        g = gopher(gport, b"/articles/%s.txt\r\n" % s.encode())
        want = b"\r\n".join(b"." if l == b". " else l
                            for l in g.split(b"\r\n"))
        T.check("text %s: Gopher's type-0 text without its dot policy" % s,
                t == want, want, t)


# ------------------------------------------------------ 4. files, dirs

def check_files(xport, capsule):
    for path in ("/about.gmi", "/files/data.json", "/files/hello.gmi",
                 "/files/blob.bin", "/withindex/other.gmi"):
        with open(capsule + path, "rb") as f:
            want = f.read()
        r = nex(xport, path.encode() + b"\n")
        T.check("file %s: byte-exact, then the close" % path,
                r.raw == want and r.eof, "%d bytes" % len(want), r)
    want = (b"/files/\n\n=> blob.bin blob.bin\n=> data.json data.json\n"
            b"=> hello.gmi hello.gmi\n=> sub/ sub/\n"
            b"=> with%20space.gmi with space.gmi\n")
    listing = get(xport, "/files/")
    T.check("dir /files/: listed as a Nex directory", listing == want, want,
            listing)
    for target, label in directory(listing or b"")[1]:
        path = urllib.parse.urlsplit(urllib.parse.urljoin(
            "nex://127.0.0.1/files/", target)).path
        got = get(xport, path)
        name = urllib.parse.unquote(path)
        if name.endswith("/"):
            ok = got is not None and got.startswith(name.encode() + b"\n")
        else:
            with open(capsule + name, "rb") as f:
                ok = got == f.read()
        T.check("dir /files/: %r resolves to %s" % (label, name), ok,
                "the entry", got)
    with open(capsule + "/withindex/index.gmi", "rb") as f:
        want = f.read()
    T.check("dir /withindex/: its index.gmi", get(xport, "/withindex/") ==
            want, want, get(xport, "/withindex/"))


# --------------------------------------------------- 5. bad requests

BAD = [
    ("not found", b"/nowhere\n", NOT_FOUND),
    ("unknown article", b"/articles/nowhere/\n", NOT_FOUND),
    ("..", b"/files/../about.gmi\n", b"Bad request: a \"..\" segment\n"),
    (".. escaped", b"/files/%2e%2e/about.gmi\n",
     b"Bad request: a \"..\" segment\n"),
    ("encoded /", b"/files%2Fabout.gmi\n", b"Bad request: an encoded \"/\"\n"),
    ("dot file", b"/.hidden\n", NOT_FOUND),
    ("dot file in a directory", b"/files/.secret\n", NOT_FOUND),
    ("certificate", b"/localhost.crt\n", NOT_FOUND),
    ("key", b"/localhost.key\n", NOT_FOUND),
    ("certificate directory", b"/certs/localhost.key\n", NOT_FOUND),
    ("source file", b"/01_neutralise.txt\n", SOURCE),
    ("search", b"/search\n", NOT_FOUND),
    ("feed", b"/atom.xml\n", NOT_FOUND),
    ("directory without /", b"/files\n",
     b"Not found: a directory's path ends with \"/\"\n"),
    ("over-long line", b"/" + b"a" * 2000 + b"\n", TOO_LONG),
    ("NUL", b"/a\x00b\n", CONTROL),
    ("escaped NUL", b"/a%00b\n", CONTROL),
    ("control byte", b"/a\x1bb\n", CONTROL),
    ("TAB", b"/a\tb\n", CONTROL),
    ("bad escape", b"/a%zz\n", b"Bad request: a bad %-escape\n"),
    ("invalid UTF-8", b"/\xff\xfe\n", NOT_UTF8),
    ("overlong UTF-8", b"/\xc0\xaf\n", NOT_UTF8),
]


def check_bad(xport):
    for name, req, want in BAD:
        r = nex(xport, req, timeout=DEADLINE + 2)
        T.check("bad %s: the fixed message, then the close" % name,
                r.raw == want and r.eof and r.elapsed < DEADLINE, want, r)
        echo = req.strip(b"/\n")[:12]
        T.check("bad %s: no request byte echoed" % name, len(echo) < 4 or
                echo not in r.raw, "not %r" % echo, r.raw)


# -------------------------------------------------- 6. hostile bytes

def check_hostile(xport, home):
    r = exchange(xport, b"/" + b"a" * (1024 * 1024), False,
                 timeout=DEADLINE + 2)
    T.check("1 MiB line without LF: the too-long message (or a reset), "
            "closed", r.end in ("eof", "reset") and bytes(r.data) in
            (TOO_LONG, b"") and r.elapsed() < DEADLINE + 2,
            "%r and the close" % TOO_LONG, r)
    r = exchange(xport, client_hello(), False, timeout=DEADLINE + 2)
    T.check("TLS ClientHello: closed at once without a byte",
            r.end in ("eof", "reset") and not r.data and r.elapsed() < 1,
            "no byte, closed within 1 s", r)
    r = nex(xport, b"PROXY TCP4 192.0.2.1 127.0.0.1 40000 1900\r\n/\r\n")
    T.check("PROXY v1 header: not accepted (a path not found)",
            r.raw == NOT_FOUND and r.eof, NOT_FOUND, r)
    r = nex(xport, b"\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c" +
            bytes([192, 0, 2, 1, 127, 0, 0, 1, 0x9c, 0x40, 0x07, 0x6c]) +
            b"/\r\n")
    T.check("PROXY v2 header: refused for its bytes",
            r.raw in (CONTROL, NOT_UTF8) and r.eof, CONTROL, r)
    r = nex(xport, b"/about.gmi", shut=True)
    T.check("a path without LF, then a half-close: served",
            r.raw.startswith(b"#") and r.eof, "/about.gmi", r)
    T.check("after all that: still serving", get(xport, "/") == home,
            "the home directory", nex(xport, b"/\n"))


# ------------------------------------------------ 7. slow clients

def check_slow(xport, home):
    idle = hold(xport, 500)
    trickle = [Conv(xport, False) for _ in range(20)]
    for c in trickle:
        c.send(b"/art")
    T.check("slow: 500 idle and 20 trickling connections open",
            len(idle) == 500 and all(c.end is None for c in trickle),
            "520", "%d idle" % len(idle))
    for i in range(5):
        c = exchange(xport, b"/\n", False, source=ALT, timeout=3)
        T.check("slow: a client from %s served within 1 s (%d)" % (ALT, i),
                bytes(c.data) == home and c.end == "eof" and
                c.elapsed() <= 1.0, "the home directory within 1 s", c)
    close_all(idle)
    for c in trickle:
        c.close()


def check_per_address(binary, conf):
    """An address over its share is closed: Nex cannot say slow down."""
    with open(conf) as f:
        text = f.read()
    limited = conf + ".limited"
    write(limited, "max-connections-per-address 4\nlimit-loopback yes\n" +
          text)
    s = Server([binary, "-c", limited, "-g", "0", "-p", "0", "-x", "0"],
               name="per-address")
    try:
        if not T.check("per-address: listening", s.start(want=PROTOCOLS),
                       "the three ports", s.text()[-400:]):
            return
        xport = s.ports["nex"]
        # 4 connections, each with a byte the server has read: accepted,
        # so counted, and held until -T (10 s); the first ones, so that
        # no other connection can have made one of them over the share
        idle = hold(xport, 4)
        for c in idle:
            c.send(b"/")

        def all_read():
            q = [tcp_socket(xport, c.getsockname()[1]) for c in idle]
            return all(p and p[4].endswith(":00000000") for p in q), q
        ok, q, _ = poll(all_read, 8)
        T.check("per-address: 4 connections accepted", ok, "4, read", q)
        r = nex(xport, b"/\n", timeout=5)
        T.check("per-address: the 5th connection from 127.0.0.1 is closed "
                "without a byte", not r.raw and (r.eof or r.reset),
                "no data, closed", r)
        c = exchange(xport, b"/\n", False, source=ALT, timeout=DEADLINE)
        T.check("per-address: 127.0.0.2 still served", c.data and
                c.end == "eof", "the home directory", c)
        close_all(idle)
    finally:
        T.check("per-address: SIGTERM exit 0", s.stop() == 0, 0, s.rc)
        sanitizer_check("per-address server", s.text())


# ------------------------------------------------- 8. nc, lynx, log

def check_nc(xport, slugs):
    nc = shutil.which("nc")
    if nc is None or not re.search(rb"\s-N\s", subprocess.run(
            [nc, "-h"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            timeout=5).stdout):
        T.skip("nc", "no nc with -N (apt-get install netcat-openbsd)")
        return
    for path in ("/", "/articles/%s/" % slugs[0], "/articles/%s.txt" %
                 slugs[0], "/files/blob.bin", "/nowhere"):
        try:
            p = subprocess.run([nc, "-N", "127.0.0.1", str(xport)],
                               input=path.encode() + b"\n",
                               capture_output=True, timeout=10)
            out, rc = p.stdout, p.returncode
        except subprocess.TimeoutExpired:
            out, rc = b"", -1
        want = nex(xport, path.encode() + b"\n").raw
        T.check("nc %s: the bytes of the raw client" % path,
                rc == 0 and out == want and out, "%d bytes, exit 0" %
                len(want), "%d bytes, exit %d" % (len(out), rc))


def check_lynx(xport, gport, slugs):
    if shutil.which("lynx") is None:
        T.skip("lynx", "not installed (apt-get install lynx)")
        return
    home = public_tmpdir("capsuled-nex-lynx-")
    for s in slugs:
        path = "/0/articles/%s.txt" % s
        got, rc = lynx("gopher://127.0.0.1:%d%s" % (xport, path), home)
        want, _ = lynx("gopher://127.0.0.1:%d%s" % (gport, path), home)
        T.check("lynx %s: the Nex text reads as the Gopher text" % s,
                rc == 0 and got.strip() and
                [l.rstrip() for l in got.split("\n")] ==
                [l.rstrip() for l in want.split("\n")], want, got)


def check_log(srv):
    line = re.compile(rb'^capsuled: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ '
                      rb'127\.0\.0\.1 nex - "(.*)" (ok|error) (\d+) (\d+) '
                      rb'\d+\.\dms (complete|reset|timeout)$')
    want = {b"/nowhere": b"error", b"/files/": b"ok",
            b"/articles/": b"ok", b"/a\\x00b": b"error"}
    for req, outcome in want.items():
        got = srv.wait_line(lambda l: line.match(l) is not None and
                            line.match(l).group(1) == req)
        m = line.match(got) if got else None
        T.check("access line for %r: nex, %s" % (req, outcome.decode()),
                m is not None and m.group(2) == outcome and
                m.group(3) == m.group(4) and m.group(5) == b"complete", outcome,
                got)


# -------------------------------------------------------------- main

def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1
                             else "./capsuled")
    more_fds()
    timer = start_watchdog(110)
    try:
        conf = build_capsule(log_level="info")
        capsule = os.path.join(os.path.dirname(conf), "capsule")
        with open(os.path.join(capsule, "files", "blob.bin"), "wb") as f:
            f.write(BLOB)
        os.chmod(os.path.join(capsule, "files", "blob.bin"), 0o644)
        s = Server([binary, "-c", conf, "-g", "0", "-p", "0", "-x", "0",
                    "-T", str(DEADLINE)])
        try:
            if T.check("listening lines of Gemini, Gopher and Nex",
                       s.start(want=PROTOCOLS), "three ports",
                       s.text()[-600:]):
                xport, gport, port = s.ports["nex"], s.gport, s.port
                T.check("the serving line names the Nex URL",
                        s.wait_line(lambda l: b"nex://localhost:%d/" % xport
                                    in l) is not None, "nex://...", "")
                r = gem(port, "/articles/page/1.gmi")
                slugs = re.findall(r"^=> /articles/([^/ ]+)\.gmi ", r.text(),
                                   re.M)
                T.check("8 articles", len(slugs) == 8, 8, slugs)
                home = get(xport, "/")
                check_home(xport, port)
                check_crawl(xport, port, slugs)
                check_text(xport, gport, slugs)
                check_files(xport, capsule)
                check_bad(xport)
                check_hostile(xport, home)
                check_slow(xport, home)
                check_nc(xport, slugs)
                check_lynx(xport, gport, slugs)
                check_log(s)
        except Exception:
            T.check("no exception", False, "none", traceback.format_exc())
        finally:
            T.check("SIGTERM exit 0", s.stop() == 0, 0, s.rc)
            sanitizer_check("nex server", s.text())
        check_per_address(binary, conf)
    finally:
        cleanup()
    timer.cancel()
    finish()
    return 1 if T.failed else 0


if __name__ == "__main__":
    sys.exit(main())
