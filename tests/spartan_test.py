#!/usr/bin/env python3
"""spartan_test.py [BIN]: integration test of capsuled's Spartan listener.

Starts the real binary (default ./capsuled) with -s 0 on a copy of the
golden capsule (tests/golden/capsule/ and served-capsule/, plus a PNG
without an extension) and talks to it with raw sockets (harness.spartan)
beside Gemini (harness.gem), whose pages are the reference: Spartan
serves the same bytes but for the search, which is an "=:" line.

  1. the home page, articles, list pages, capsule files and listings,
     redirects, not found, and a crawl from the home page;
  2. search by data and by "?query", its prompt, bad words;
  3. hosts: names, case, ports, a missing host, aliases and a second
     virtual host (from a config file);
  4. malformed requests: every bad length, a bare LF, data where none
     is taken, data shorter than announced (half-closed: a 4; left
     open: closed at the deadline), 1 MiB without a line end, NUL and
     control bytes, bytes that are not UTF-8, "..", a TLS ClientHello
     and PROXY headers;
  5. 500 slow clients while a client from 127.0.0.2 is served within
     1 s, and the per-address limit's "4 Slow down";
  6. the access lines.

Only loopback addresses and ephemeral ports; every socket has a timeout
and the watchdog bounds the run.  Prints one line per failed check and
last `N passed, N failed`.
"""

import os
import re
import selectors
import shutil
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (GEMTEXT, T, Server, gem, gopher_req,  # noqa: E402
                     more_fds, poll, public_tmpdir, run_suite, spartan,
                     spartan_req, stop_checked, write)
from hostile_test import ALT, client_hello, close_all, exchange, \
    hold  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEADLINE = 2            # the server's -T
WATCHDOG = 110
BUDGET = 60             # seconds the run should take at most (it takes ~8)
SLOW = 500              # slow clients at once
# a PNG of one pixel: libmagic's "image/png" without an extension
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d4d3e4"
    "0000000049454e44ae426082")


def fixture():
    """The golden capsule, its served files and a PNG, readable by all."""
    d = public_tmpdir("capsuled-spartan-")
    capsule = os.path.join(d, "capsule")
    shutil.copytree(os.path.join(ROOT, "tests/golden/capsule"), capsule)
    shutil.copytree(os.path.join(ROOT, "tests/golden/served-capsule"),
                    capsule, dirs_exist_ok=True)
    with open(os.path.join(capsule, "files", "picture"), "wb") as f:
        f.write(PNG)
    for top, dirs, files in os.walk(d):
        for n in dirs:
            os.chmod(os.path.join(top, n), 0o755)
        for n in files:
            os.chmod(os.path.join(top, n), 0o644)
    certs = os.path.join(d, "certs")
    os.mkdir(certs, 0o755)
    return d, capsule, certs


ALSO_ON = rb"=> [a-z]+://\S+ Also on [A-Za-z]+\n"


def spartan_gemtext(gemini_body):
    """Gemini's page as Spartan's should be, but for the protocols a home
    page names last (each leaves out its own): without them, and its
    search link the Spartan way, "=:"."""
    return re.sub(rb"(?m)^=> /search ", b"=: /search ",
                  without_also_on(gemini_body))


def without_also_on(body):
    """A page without the "Also on" lines that end a home page."""
    return re.sub(rb"\n(?:" + ALSO_ON + rb")+\Z", b"", body)


def links(body):
    """The paths of the "=>" lines of a page that start with "/"."""
    return re.findall(rb"(?m)^=> (/\S*)", body)


# ------------------------------------------------------------ 1. pages

def test_home(srv):
    sp, gp, pp = srv.sport, srv.port, srv.gport
    r = spartan(sp, "/")
    g = gem(gp, "/")
    T.check("home: status line", r.header == b"2 " + GEMTEXT.encode() +
            b"\r\n", "2 " + GEMTEXT, r)
    T.check("home: the search is an input line", b"\n=: /search Search "
            b"the articles\n" in r.body and b"=> /search" not in r.body,
            "=: /search Search the articles", r.body)
    T.check("home: Gemini's page but for the search line and the "
            "protocols named", without_also_on(r.body) ==
            spartan_gemtext(g.body), spartan_gemtext(g.body),
            without_also_on(r.body))
    want = (b"\n=> gemini://localhost:%d/ Also on Gemini\n"
            b"=> gopher://localhost:%d/1/ Also on Gopher\n" % (gp, pp))
    T.check("home: names Gemini and Gopher, not Spartan itself",
            r.body.endswith(want), want, r.body[-200:])
    T.check("home: Gemini's names Spartan", b"\n=> spartan://localhost:%d/ "
            b"Also on Spartan\n" % sp in g.body, "Also on Spartan",
            g.body[-200:])


def test_pages(sp, gp):
    """Every page but the home page and search: Gemini's bytes."""
    arts = links(gem(gp, "/articles/page/1.gmi").body)
    arts = [a for a in arts if a.startswith(b"/articles/") and
            not a.startswith(b"/articles/page/")]
    T.check("pages: the list names the golden articles", len(arts) >= 8,
            ">= 8 articles", arts)
    for path in arts + [b"/articles/page/1.gmi", b"/files/",
                        b"/files/sub/", b"/withindex/", b"/about.gmi",
                        b"/files/data.json", b"/files/with%20space.gmi",
                        b"/files/picture", b"/atom.xml"]:
        r = spartan(sp, path)
        g = gem(gp, path)
        T.check("pages %s: 2 and Gemini's type" % path.decode(),
                r.status == "2" and g.status == "20" and r.meta == g.meta,
                "2 " + str(g.meta), r)
        T.check("pages %s: Gemini's bytes" % path.decode(),
                r.body == g.body, g.body, r.body)
    r = spartan(sp, "/files/picture")
    T.check("file without extension: its libmagic type", r.header ==
            b"2 image/png\r\n" and r.body == PNG, "2 image/png", r)
    for path, want in (("/files", b"3 /files/\r\n"),
                       ("/files/sub", b"3 /files/sub/\r\n"),
                       ("/articles", b"3 /\r\n"),
                       ("/articles/", b"3 /\r\n")):
        r = spartan(sp, path)
        T.check("redirect %s" % path, r.raw == want, want, r)
    g = gem(gp, "/01_neutralise.txt")
    r = spartan(sp, "/01_neutralise.txt")
    want = re.sub(r"^gemini://[^/]*", "", g.meta or "")
    T.check("source file: 3 to its article, Gemini's path",
            g.status == "31" and want.startswith("/articles/") and
            r.raw == b"3 " + want.encode() + b"\r\n", "3 " + want, r)
    for path in ("/nowhere", "/articles/nope.gmi", "/.hidden",
                 "/files/.secret", "/about.gmi/", "/no_such_source.txt",
                 "/articles/page/99.gmi"):
        r = spartan(sp, path)
        T.check("not found %s" % path, r.raw == b"4 Not found\r\n",
                "4 Not found", r)


def test_crawl(sp, gp):
    """From the home page, every "=>" link: 2, and Gemini's bytes."""
    seen, todo, bad, arts = set(), [b"/"], [], set()
    related = similar = 0
    while todo and len(seen) < 200:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        r = spartan(sp, path)
        if r.status != "2":
            bad.append((path, r))
            continue
        if not r.meta.startswith("text/gemini"):
            continue
        g = gem(gp, path)
        if without_also_on(r.body) != spartan_gemtext(g.body):
            bad.append((path, "differs from Gemini's page"))
        if path.startswith(b"/articles/") and b"/page/" not in path:
            arts.add(path)
            related += b"\n## Related articles\n" in r.body
            similar += b"\n## Similar articles\n" in r.body
        todo += [l for l in links(r.body) if l not in seen]
    every = {l for l in links(gem(gp, "/articles/page/1.gmi").body)
             if b"/page/" not in l and l.startswith(b"/articles/")}
    T.check("crawl: every link answered 2, pages as Gemini's", not bad,
            "no error", bad[:5])
    T.check("crawl: every article reached", every <= arts and every,
            sorted(every), sorted(arts))
    T.check("crawl: related and similar sections followed",
            related > 0 and similar > 0, "some of each",
            "%d related, %d similar" % (related, similar))
    T.note("crawl: %d pages, %d articles" % (len(seen), len(arts)))


# ----------------------------------------------------------- 2. search

def test_search(sp, gp):
    for name, path, data, query in (
            ("data", "/search", "title", "title"),
            ("data with a space", "/search", "same title", "same%20title"),
            ("query", "/search?title", "", "title"),
            ("encoded query", "/search?same%20title", "", "same%20title"),
            ("UTF-8 data", "/search", "caf\u00e9", "caf%C3%A9"),
            ("no hit", "/search", "zzyzx", "zzyzx")):
        r = spartan(sp, path, data)
        g = gem(gp, "/search?" + query)
        T.check("search by %s: Gemini's result page, \"=:\" to search "
                "again" % name, r.status == "2" and r.body ==
                spartan_gemtext(g.body) and b"\n=: /search Search again\n"
                in r.body, spartan_gemtext(g.body), r.raw)
    r = spartan(sp, "/search", "a" * 1024)
    T.check("search by 1024 bytes of data: a result page", r.status == "2"
            and b"\n=: /search Search again\n" in r.body, "2", r)
    prompt = b"# Search\n\n=: /search Search the articles\n=> / Home\n"
    for name, path, data in (("no data", "/search", ""),
                             ("blank data", "/search", "   "),
                             ("empty query", "/search?", ""),
                             ("blank query", "/search?%20", "")):
        r = spartan(sp, path, data)
        T.check("search %s: the page offering \"=:\"" % name,
                r.raw == b"2 " + GEMTEXT.encode() + b"\r\n" + prompt,
                prompt, r.raw)
    for name, path, data in (("bytes not UTF-8", "/search", b"\xff"),
                             ("a NUL", "/search", b"a\x00b"),
                             ("a line end", "/search", b"words\n"),
                             ("a query not UTF-8", "/search?%FF", b"")):
        r = spartan(sp, path, data)
        T.check("search with %s: 4" % name, r.raw == b"4 Bad request: the "
                b"query must be UTF-8 text without control characters\r\n",
                "4 Bad request: the query must be UTF-8 text ...", r)
    r = spartan(sp, "/search?x", "y")
    T.check("search: a query and data: 4", r.raw == b"4 Bad request: both "
            b"a query and data\r\n", "4 both", r)
    r = spartan(sp, "/search", "a" * 1025)
    T.check("search: 1025 bytes of data: 4", r.raw == b"4 Bad request: more "
            b"than 1024 bytes of data\r\n", "4 more than 1024", r)


# ------------------------------------------------------------ 3. hosts

def test_hosts(sp):
    for host in ("localhost", "LocalHost", "localhost.",
                 "localhost:%d" % sp):
        r = spartan(sp, "/", host=host)
        T.check("host %s: served" % host, r.status == "2", "2", r)
    for host, want in (("example.com", b"4 Host not served here\r\n"),
                       ("127.0.0.1", b"4 Host not served here\r\n"),
                       ("localhost:1", b"4 Port not served here: the "
                        b"host's Spartan port is %d\r\n" % sp),
                       ("", b"4 Bad request: no host\r\n"),
                       ("user@localhost",
                        b"4 Bad request: not a valid host name\r\n")):
        r = spartan(sp, "/", host=host)
        T.check("host %r: 4" % host, r.raw == want, want, r)


def start(binary, d, name, text):
    """A server on the config file text (loopback listeners), or None."""
    conf = os.path.join(d, name + ".conf")
    write(conf, "listen gemini 127.0.0.1 0\nlisten gopher 127.0.0.1 0\n"
          "listen spartan 127.0.0.1 0\n" + text)
    srv = Server([binary, "-c", conf, "-T", str(DEADLINE)], name=name)
    if T.check("%s: starts" % name, srv.start(want={"spartan"}),
               "listening spartan", srv.text()[-500:]):
        return srv
    return None


def test_vhosts(binary, d, capsule, certs):
    """Two virtual hosts, one with aliases: each name its own capsule."""
    other = os.path.join(d, "other")
    os.mkdir(other, 0o755)
    write(os.path.join(other, "only.txt"), "Only in Two\n\nA paragraph.\n")
    srv = start(binary, d, "vhosts", "host one.example\n"
                "alias www.one.example\nalias 127.0.0.1\ncapsule %s\n"
                "certs %s\ntitle One\nhost two.example\ncapsule %s\n"
                "certs %s\ntitle Two\n" % (capsule, certs, other, certs))
    if srv is None:
        return
    sp = srv.sport
    for host, title in (("one.example", b"# One\n"),
                        ("WWW.One.Example", b"# One\n"),
                        ("127.0.0.1", b"# One\n"),
                        ("two.example", b"# Two\n")):
        r = spartan(sp, "/", host=host)
        T.check("vhosts: %s is its host's home page" % host,
                r.status == "2" and r.body.startswith(title), title, r)
    r = spartan(sp, "/articles/only-in-two.gmi", host="one.example")
    T.check("vhosts: an article of two is not one's",
            r.raw == b"4 Not found\r\n", "4 Not found", r)
    r = spartan(sp, "/articles/only-in-two.gmi", host="two.example")
    T.check("vhosts: two's article", r.status == "2" and
            r.body.startswith(b"# Only in Two\n"), "2 # Only in Two", r)
    stop_checked(srv, srv.name)


def test_slow_down(binary, d, capsule, certs):
    """Past max-connections-per-address (2, loopback limited): a 4 with
    a message, not a silent close; another address is still served."""
    srv = start(binary, d, "per-address", "max-connections-per-address 2\n"
                "limit-loopback yes\nhost localhost\ncapsule %s\n"
                "certs %s\n" % (capsule, certs))
    if srv is None:
        return
    sp = srv.sport
    idle = hold(sp, 2)

    def over():
        # until the server has counted the idle two
        r = spartan(sp, "/", timeout=DEADLINE + 2)
        return r.status == "4", r
    ok, r, _ = poll(over, 5)
    T.check("per-address: the third from 127.0.0.1 gets 4 Slow down",
            ok and r.raw == b"4 Slow down: too many connections from your "
            b"address\r\n", "4 Slow down: ...", r)
    c = exchange(sp, b"localhost / 0\r\n", False, source=ALT,
                 timeout=DEADLINE + 2)
    T.check("per-address: 127.0.0.2 is served meanwhile",
            c.data.startswith(b"2 "), "2", c)
    close_all(idle)
    stop_checked(srv, srv.name)


# -------------------------------------------------------- 4. malformed

BAD_LENGTH = b"4 Bad request: the length is not a decimal number\r\n"
BAD_LINE = (b"4 Bad request: the request line is not HOST SP PATH SP "
            b"LENGTH\r\n")


def test_malformed(sp):
    cases = [
        ("length -1", b"localhost / -1\r\n", BAD_LENGTH),
        ("length +1", b"localhost / +1\r\n", BAD_LENGTH),
        ("length 1e3", b"localhost / 1e3\r\n", BAD_LENGTH),
        ("length empty", b"localhost / \r\n", BAD_LENGTH),
        ("length 20 digits", b"localhost / 99999999999999999999\r\n",
         b"4 Bad request: more than 1024 bytes of data\r\n"),
        ("length 2048", b"localhost /search 2048\r\n",
         b"4 Bad request: more than 1024 bytes of data\r\n"),
        ("two spaces before the length", b"localhost /  0\r\n", BAD_LINE),
        ("a space after the length", b"localhost / 0 \r\n", BAD_LINE),
        ("a leading space", b" localhost / 0\r\n", BAD_LINE),
        ("no length", b"localhost /\r\n", BAD_LINE),
        ("an empty line", b"\r\n", BAD_LINE),
        ("a bare LF", b"localhost / 0\n",
         b"4 Bad request: request line without CRLF (a bare LF)\r\n"),
        ("data on a page", b"localhost / 5\r\nhello",
         b"4 Bad request: data sent to a page that takes none (only "
         b"/search does)\r\n"),
        ("a relative path", b"localhost articles 0\r\n",
         b"4 Bad request: the path does not start with '/'\r\n"),
        ("a URL as path", b"localhost spartan://localhost/ 0\r\n",
         b"4 Bad request: the path does not start with '/'\r\n"),
        ("NUL in the path", b"localhost /a\x00b 0\r\n",
         b"4 Bad request: control character in the URL\r\n"),
        ("NUL in the host", b"local\x00host / 0\r\n",
         b"4 Bad request: not a valid host name\r\n"),
        ("ESC in the path", b"localhost /\x1b[31m 0\r\n",
         b"4 Bad request: control character in the URL\r\n"),
        ("encoded NUL", b"localhost /a%00 0\r\n",
         b"4 Bad request: control character in the path "
         b"(percent-encoded)\r\n"),
        ("not UTF-8", b"localhost /caf\xe9 0\r\n",
         b"4 Bad request: not UTF-8\r\n"),
        ("encoded not UTF-8", b"localhost /%C3%28 0\r\n",
         b"4 Bad request: path is not UTF-8 once percent-decoded\r\n"),
        ("'..'", b"localhost /../etc/passwd 0\r\n",
         b"4 Bad request: '..' in the path\r\n"),
        ("'..' inside", b"localhost /files/../about.gmi 0\r\n",
         b"4 Bad request: '..' in the path\r\n"),
        ("encoded '..'", b"localhost /files/%2e%2E/about.gmi 0\r\n",
         b"4 Bad request: '..' in the path\r\n"),
        ("encoded '/'", b"localhost /files%2Fdata.json 0\r\n",
         b"4 Bad request: encoded '/' (%2F) in a path segment\r\n"),
        ("a broken escape", b"localhost /%zz 0\r\n",
         b"4 Bad request: '%' not followed by two hexadecimal digits\r\n"),
        ("PROXY v1", b"PROXY TCP4 192.0.2.1 127.0.0.1 1234 300\r\n"
         b"localhost / 0\r\n", BAD_LINE),
        ("PROXY v2", b"\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c" +
         bytes(12) + b"localhost / 0\r\n", BAD_LINE),
    ]
    for name, req, want in cases:
        r = spartan_req(req, sp, timeout=DEADLINE + 3)
        T.check("malformed, %s: %r" % (name, want), r.raw == want and r.eof,
                want, r)
    r = spartan_req(b"localhost /search 10\r\nabc", sp, shut=True,
                    timeout=DEADLINE + 3)
    T.check("data shorter than announced, half-closed: 4", r.raw ==
            b"4 Bad request: less data than the length announced\r\n",
            "4 less data", r)
    for name, req in (("data shorter than announced",
                       b"localhost /search 10\r\nabc"),
                      ("no line end", b"localhost / 0")):
        r = spartan_req(req, sp, timeout=DEADLINE + 3)
        T.check("%s, left open: closed at the deadline" % name,
                r.eof and r.raw == b"" and r.elapsed < DEADLINE + 1,
                "closed, no answer, within %d s" % (DEADLINE + 1), r)
    r = spartan_req(b"a" * (1 << 20), sp, timeout=DEADLINE + 3)
    T.check("1 MiB without a line end: 4 or closed, not hung",
            r.eof and r.raw in (b"", b"4 Bad request: request line longer "
                                b"than 1024 bytes\r\n") and
            r.elapsed < DEADLINE + 2, "4 too long, within %d s" %
            (DEADLINE + 2), r)
    r = spartan_req(b"localhost /" + b"a" * 1100 + b" 0\r\n", sp,
                    timeout=DEADLINE + 3)
    T.check("a 1100-byte line: 4", r.raw == b"4 Bad request: request line "
            b"longer than 1024 bytes\r\n", "4 too long", r)
    r = gopher_req(client_hello(), sp, timeout=DEADLINE + 3)
    T.check("a TLS ClientHello: closed at once, no answer",
            r.eof and r.raw == b"" and r.elapsed < 1, "closed in < 1 s", r)


# ----------------------------------------------------- 5. slow clients

def ended_within(socks, seconds):
    """How many of socks the server closed (EOF or reset) within seconds;
    every one closed here afterwards."""
    sel = selectors.DefaultSelector()
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    closed, until = 0, time.monotonic() + seconds
    while closed < len(socks) and time.monotonic() < until:
        for key, _ in sel.select(until - time.monotonic()):
            try:
                d = key.fileobj.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                d = b""
            if not d:
                sel.unregister(key.fileobj)
                closed += 1
    sel.close()
    close_all(socks)
    return closed


def test_slow_clients(sp):
    """SLOW connections from 127.0.0.1, silent or stuck inside their
    data; meanwhile 127.0.0.2 gets the home page within 1 s, five times;
    the deadline closes every slow one."""
    t0 = time.monotonic()
    idle = hold(sp, SLOW - 50)
    stuck = hold(sp, 50)
    for s in stuck:
        s.sendall(b"localhost /search 10\r\nab")
    opened = len(idle) + len(stuck)
    T.check("slow: %d connections open" % SLOW, opened == SLOW, SLOW, opened)
    probes = [exchange(sp, b"localhost / 0\r\n", False, source=ALT,
                       timeout=3) for _ in range(5)]
    for i, c in enumerate(probes):
        T.check("slow: 127.0.0.2 answer %d within 1 s" % i,
                c.data.startswith(b"2 text/gemini") and c.end == "eof" and
                c.elapsed() <= 1.0, "2 within 1 s", c)
    limit = DEADLINE + 3 - (time.monotonic() - t0)
    n = ended_within(idle + stuck, max(limit, 0.5))
    T.check("slow: all closed by the server within T+3 = %d s" %
            (DEADLINE + 3), n == opened, opened, n)


# ------------------------------------------------------------ 6. log

ACCESS = re.compile(rb'capsuled: \S+Z 127\.0\.0\.1 spartan (\S+) "(.*)" '
                    rb'(\S+) (\d+) (\d+) [0-9.]+ms (\S+)$')


def test_access(srv, sp):
    since = srv.nlines()
    body = spartan(sp, "/").body
    spartan(sp, "/search", "title")
    spartan_req(b"localhost / -1\r\n", sp)
    spartan(sp, "/nowhere", host="LOCALHOST")
    want = [(b"localhost", b"localhost / 0", b"2", len(body)),
            (b"localhost", b"localhost /search 5", b"2", None),
            (b"-", b"localhost / -1", b"4", 0),
            (b"localhost", b"LOCALHOST /nowhere 0", b"4", 0)]
    for host, req, status, size in want:
        line = srv.wait_line(lambda l: ACCESS.search(l) is not None and
                             ACCESS.search(l).group(2) == req, since=since)
        m = ACCESS.search(line) if line else None
        T.check("access: %s" % req.decode(), m is not None and
                m.group(1) == host and m.group(3) == status and
                (size is None or int(m.group(5)) == size) and
                m.group(4) == m.group(5) and m.group(6) == b"complete",
                '%s "%s" %s %s %s ... complete' %
                (host, req, status, size, size), line)


# ------------------------------------------------------------- main

def run(binary):
    more_fds()
    d, capsule, certs = fixture()
    srv = Server([binary, "-g", "0", "-p", "0", "-s", "0", "-d", capsule,
                  "-C", certs, "-T", str(DEADLINE)], name="spartan")
    try:
        if T.check("starts with -s 0 and prints its spartan port",
                   srv.start() and srv.sport is not None,
                   "capsuled: listening spartan 0.0.0.0:PORT",
                   srv.text()[-800:]):
            sp, gp = srv.sport, srv.port
            test_home(srv)
            test_pages(sp, gp)
            test_crawl(sp, gp)
            test_search(sp, gp)
            test_hosts(sp)
            test_malformed(sp)
            test_slow_clients(sp)
            r = spartan(sp, "/")
            T.check("served after the slow clients", r.status == "2", "2", r)
            test_access(srv, sp)
    finally:
        stop_checked(srv, srv.name)
    test_vhosts(binary, d, capsule, certs)
    test_slow_down(binary, d, capsule, certs)


if __name__ == "__main__":
    sys.exit(run_suite(run, watchdog=WATCHDOG, budget=BUDGET))
