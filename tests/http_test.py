#!/usr/bin/env python3
"""http_test.py [BIN]: the HTML mirror over HTTP against the real binary
(default ./capsuled), with curl, raw sockets and Debian's tidy.

A capsule of ordinary and hostile articles (<script> and
"><img onerror=...> titles, bidi controls, an 8 KB attribute,
javascript: and data: URLs), an index.gmi, a directory with a gemtext
file, a PNG, a dot file and a file whose name is markup.  Checked:
  - every page reached from the home page (articles, related and
    similar, list pages, feed, search, directory listings, gemtext) is
    200 with its headers (Content-Type, Content-Length, ETag,
    Last-Modified, Cache-Control, CSP, nosniff, Referrer-Policy), passes
    `tidy -errors -q`, holds only the elements and attributes the
    serialiser writes (no <script>, <img>, on* attribute, javascript: or
    data: href) and no bidi control;
  - HEAD, conditional GET (If-None-Match, weak, If-Modified-Since) ->
    304, 405 with Allow, 431, 414, 505, 421, the 400 cases (obs-fold,
    bare CR, bare LF, two Host, no Host, Transfer-Encoding, a body on
    GET, "..", an encoded "/"), redirects, dot files;
  - persistent connections: curl fetching two URLs on one connection,
    pipelined requests, Connection: close, HTTP/1.0 with and without
    keep-alive, the idle deadline, the cap of 100 requests;
  - the Gemini and Gopher home pages name the web address; the access
    log has one line per HTTP request.

Prints one line per failed check, last `N passed, N failed` (with
`, N skipped` when tidy or curl is missing); exits 1 when a check failed.
Only 127.0.0.1, ephemeral ports; every wait is bounded.
"""

import html.parser
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (T, Server, gem, gopher, poll,  # noqa: E402
                     public_tmpdir, run_suite, stop_checked, write)

HOST = "127.0.0.1"
HTML = "text/html; charset=utf-8"
CSP = ("default-src 'none'; style-src 'self'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
TIMEOUT = 2             # -T: also the idle deadline (min with 5 s)

BIDI = "\u202e\u2066"
HOSTILE = {
    "h1_script.txt": "<script>alert(1)</script>\n\nA title that is a "
                     "script element.\n",
    "h2_img.txt": "\"><img src=x onerror=alert(1)>\n\nAn attribute break "
                  "in the title; " + BIDI + "reversed text" + BIDI + ".\n",
    "h3_attr.txt": "Long Attribute\n\nHere is <a title=\"" + "A" * 8192 +
                   "\">an 8 KB attribute</a> and more.\n",
    "h4_urls.txt": "Schemes\n\nSee javascript:alert(1) and "
                   "data:text/html,<script>alert(1)</script> and "
                   "http://a.example/\"onmouseover=alert(1) and "
                   "gemini://b.example/ok now.\n\n"
                   "<script>alert(1)</script>\nA summary.\nREAD MORE\n",
}
ARTICLES = {
    "01_soup.txt": "---\ndate: 2026-01-01\nlang: fr\n---\nSoupe au "
                   "pistou\n\nBasil, garlic and olive oil, pounded into "
                   "pistou for a vegetable soup.\n\nGarlic Bread\nA "
                   "summary.\nREAD MORE\n",
    "02_bread.txt": "---\ndate: 2026-01-02\n---\nGarlic Bread\n\nGarlic "
                    "and olive oil on toasted bread, with basil.\n",
    "03_tea.txt": "---\ndate: 2026-01-03\n---\nGreen Tea\n\nSteep the "
                  "leaves briefly in water below boiling.\n",
    "04_pesto.txt": "---\ndate: 2025-12-30\n---\nPesto Pasta\n\nBasil, "
                    "garlic, pine nuts and olive oil, pounded into pesto "
                    "for pasta.\n",
}
INDEX_GMI = "# Welcome\n\nA capsule of recipes.\n=> /atom.xml The feed\n"
SUB_GMI = ("# Notes\n\n* one\n> quoted <b>\n```\n<pre> & code\n```\n"
           "=> javascript:alert(1) a bad link\n=> ../ Up\n")
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00"
       b"\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc"
       b"\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND"
       b"\xaeB`\x82")

# What the serialiser writes, and nothing else.
TAGS = {"html", "head", "meta", "title", "link", "body", "header", "nav",
        "main", "footer", "h1", "h2", "h3", "p", "ul", "li", "a", "time",
        "form", "label", "input", "button", "pre", "blockquote"}
ATTRS = {"lang", "charset", "name", "content", "rel", "href", "type",
         "title", "class", "datetime", "action", "method", "role",
         "maxlength"}


# ---------------------------------------------------------------- HTTP

class Resp:
    def __init__(self):
        self.status = None
        self.headers = {}       # lowercase name -> value
        self.body = b""
        self.raw = b""

    def h(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return "<%s %r>" % (self.status, self.raw[:300])


def parse_responses(data, head_only=False):
    """The responses in data (Content-Length framed); the rest."""
    out = []
    while True:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            return out, data
        r = Resp()
        lines = data[:end].decode("latin-1").split("\r\n")
        m = re.match(r"HTTP/1\.1 (\d{3}) ", lines[0])
        r.status = int(m.group(1)) if m else None
        for line in lines[1:]:
            k, _, v = line.partition(":")
            r.headers[k.strip().lower()] = v.strip()
        n = 0 if head_only or r.status == 304 else \
            int(r.h("content-length") or 0)
        if len(data) < end + 4 + n:
            return out, data
        r.body = data[end + 4:end + 4 + n]
        r.raw = data[:end + 4 + n]
        out.append(r)
        data = data[end + 4 + n:]


def exchange(port, data, want=1, head_only=False, timeout=5):
    """Send data on a new connection; read until want responses came or
    the server closed.  (responses, closed by the server, leftover)."""
    s = socket.create_connection((HOST, port), timeout=timeout)
    got, closed = b"", False
    try:
        s.sendall(data)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rs, _ = parse_responses(got, head_only)
            if len(rs) >= want:
                break
            try:
                d = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not d:
                closed = True
                break
            got += d
    finally:
        s.close()
    rs, rest = parse_responses(got, head_only)
    return rs, closed, rest


def get(port, path, host="localhost", extra="", method="GET"):
    """One request, Connection: close; the response (or an empty one)."""
    req = "%s %s HTTP/1.1\r\nHost: %s\r\n%sConnection: close\r\n\r\n" % (
        method, path, host, extra)
    rs, _, _ = exchange(port, req.encode(), head_only=method == "HEAD")
    return rs[0] if rs else Resp()


def closes_after(port, data, timeout=5):
    """Send data; seconds until the server closed, or None."""
    s = socket.create_connection((HOST, port), timeout=timeout)
    t0 = time.monotonic()
    try:
        s.sendall(data)
        while True:
            d = s.recv(65536)
            if not d:
                return time.monotonic() - t0
    except socket.timeout:
        return None
    except ConnectionResetError:
        return time.monotonic() - t0
    finally:
        s.close()


# ------------------------------------------------------------- checks

class Elements(html.parser.HTMLParser):
    """Every start tag and attribute of a page, and its links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.links, self.h1 = set(), [], [], 0

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.h1 += tag == "h1"
        for k, v in attrs:
            self.attrs.append((tag, k, v or ""))
            if tag == "a" and k == "href":
                self.links.append(v)


def tidy_errors(body):
    if shutil.which("tidy") is None:
        return None
    p = subprocess.run(["tidy", "-errors", "-q"], input=body,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=20)
    return p.stderr.decode("utf-8", "replace").strip()


def check_page(r, path):
    """A page's headers, validity and inertness; its links."""
    T.check("%s: 200" % path, r.status == 200, 200, r)
    if r.status != 200:
        return []
    T.check("%s: headers" % path,
            r.h("content-security-policy") == CSP and
            r.h("x-content-type-options") == "nosniff" and
            r.h("referrer-policy") == "no-referrer" and
            r.h("cache-control") == "no-cache" and
            re.match(r'^"[0-9a-f]{16}"$', r.h("etag") or "") and
            r.h("last-modified", ) and r.h("date") and
            int(r.h("content-length") or -1) == len(r.body),
            "CSP, nosniff, no-referrer, no-cache, ETag, Last-Modified, "
            "Date, Content-Length", r.headers)
    if r.h("content-type") != HTML:
        return []
    text = r.body.decode("utf-8", "replace")
    e = Elements()
    e.feed(text)
    T.check("%s: only the serialiser's elements" % path,
            e.tags <= TAGS, sorted(TAGS), sorted(e.tags - TAGS))
    bad = [a for a in e.attrs if a[1] not in ATTRS or
           (a[1] == "href" and re.match(r"\s*(javascript|data):", a[2],
                                         re.I))]
    T.check("%s: only safe attributes and hrefs" % path, not bad, "none",
            bad[:5])
    T.check("%s: no bidi control" % path,
            not re.search("[\u202a-\u202e\u2066-\u2069]", text), "none",
            "some")
    errs = tidy_errors(r.body)
    if errs is None:
        if path == "/":
            T.skip("tidy", "tidy not installed (apt-get install tidy)")
    else:
        T.check("%s: tidy -errors -q" % path, errs == "", "", errs[:600])
    return e.links


def crawl(port):
    """Every page reached from / by its links on this host; the slugs."""
    seen, todo, articles = set(), ["/"], set()
    while todo and len(seen) < 200:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.add(path)
        r = get(port, path)
        if path == "/atom.xml":
            T.check("/atom.xml: 200 Atom", r.status == 200 and
                    r.h("content-type") == "application/atom+xml", 200, r)
            continue
        for link in check_page(r, path):
            u = urllib.parse.urlsplit(urllib.parse.urljoin(path, link))
            if u.scheme or u.netloc or not u.path.startswith("/"):
                continue
            todo.append(u.path + ("?" + u.query if u.query else ""))
        m = re.match(r"^/articles/([^/]+)\.html$", path)
        if m and not path.startswith("/articles/page/"):
            articles.add(m.group(1))
    return articles


def check_pages(port):
    slugs = crawl(port)
    want = {"soupe-au-pistou", "garlic-bread", "green-tea", "pesto-pasta",
            "script-alert-1-script", "img-src-x-onerror-alert-1",
            "long-attribute", "schemes"}
    T.check("crawl reaches every article", slugs == want, sorted(want),
            sorted(slugs))
    for path in ("/search", "/search?q=garlic", "/search?q=%22garlic+bread"
                 "%22", "/sub/", "/sub/notes.gmi", "/articles/page/1.html"):
        check_page(get(port, path), path)
    for path, status in (("/missing", 404), ("/search?q=%FF", 400)):
        r = get(port, path)
        errs = tidy_errors(r.body)
        T.check("%s: %d, a valid page" % (path, status), r.status == status
                and r.h("content-type") == HTML and errs in (None, ""),
                status, (r.status, errs))
    r = get(port, "/articles/soupe-au-pistou.html")
    body = r.body.decode()
    T.check("article: lang, h1, date, related and similar as links, "
            "Gemini and Gopher addresses",
            '<html lang="fr">' in body and "<h1>Soupe au pistou</h1>" in
            body and 'datetime="2026-01-01"' in body and
            '<h2>Related articles</h2>\n<ul>\n<li><a href="/articles/'
            'garlic-bread.html">Garlic Bread</a></li>' in body and
            "<h2>Similar articles</h2>\n<ul>\n<li><a href=\"/articles/"
            "pesto-pasta.html\">Pesto Pasta</a></li>" in body and
            '<link rel="alternate" type="text/gemini" href="gemini://'
            'localhost:' in body and
            re.search(r'<footer><p>Read this on <a href="gemini://'
                      r'localhost:\d+/articles/soupe-au-pistou.gmi">Gemini'
                      r'</a>, <a href="gopher://localhost:\d+/1/articles/'
                      r'soupe-au-pistou/">Gopher</a>', body),
            "the article page", body[body.find("<main>"):])
    body = get(port, "/").body.decode()
    T.check("home: index.gmi, newest first, feed, search form",
            "<h2>Welcome</h2>" in body and
            body.index("green-tea") < body.index("garlic-bread") and
            '<a href="/atom.xml">' in body and
            '<form action="/search" method="get"' in body, "the home page",
            body)
    body = get(port, "/search?q=garlic").body.decode()
    T.check("search: the matching articles", "garlic-bread.html" in body and
            "soupe-au-pistou.html" in body and "green-tea" not in body,
            "garlic bread and pistou", body)
    r = get(port, "/search?q=%FF")
    T.check("search: words not UTF-8: 400", r.status == 400, 400, r)
    body = get(port, "/sub/").body.decode()
    T.check("listing: names escaped, dot files left out",
            "&lt;b&gt;x&amp;&#39;.txt" in body and ".hidden" not in body,
            "escaped", body)
    r = get(port, "/sub/pixel.png")
    T.check("a capsule file with libmagic's type",
            r.status == 200 and r.h("content-type") == "image/png" and
            r.body == PNG and r.h("etag") and r.h("last-modified"),
            "image/png", r)
    body = get(port, "/sub/notes.gmi").body.decode()
    T.check("gemtext file as HTML",
            "<h1>Notes</h1>" in body and "<pre>&lt;pre&gt; &amp; code" in
            body and "<li>javascript:alert(1) a bad link</li>" in body and
            '<a href="../">Up</a>' in body, "HTML", body)


def check_headers(port):
    r = get(port, "/")
    h = get(port, "/", method="HEAD")
    T.check("HEAD: the GET's headers, no body",
            h.status == 200 and h.body == b"" and
            h.h("content-length") == r.h("content-length") and
            h.h("etag") == r.h("etag"), r.headers, h.headers)
    etag, lm = r.h("etag"), r.h("last-modified")
    for extra, want in (("If-None-Match: %s\r\n" % etag, 304),
                        ("If-None-Match: W/%s\r\n" % etag, 304),
                        ('If-None-Match: "x", %s\r\n' % etag, 304),
                        ("If-None-Match: *\r\n", 304),
                        ('If-None-Match: "other"\r\n', 200),
                        ("If-Modified-Since: %s\r\n" % lm, 304),
                        ("If-Modified-Since: Thu, 01 Jan 1970 00:00:00 "
                         "GMT\r\n", 200),
                        ('If-None-Match: "other"\r\nIf-Modified-Since: '
                         '%s\r\n' % lm, 200)):
        c = get(port, "/", extra=extra)
        T.check("conditional %r: %d" % (extra.strip(), want),
                c.status == want and (want == 200 or (c.body == b"" and
                c.h("etag") == etag)), want, c)
    css = get(port, "/style.css")
    T.check("/style.css: text/css, its ETag, cached",
            css.status == 200 and css.h("content-type") ==
            "text/css; charset=utf-8" and b"prefers-color-scheme" in
            css.body and css.h("cache-control") == "max-age=86400",
            "the stylesheet", css)
    T.check("/style.css: 304", get(port, "/style.css", extra="If-None-Match:"
            " %s\r\n" % css.h("etag")).status == 304, 304, "")
    for method in ("POST", "PUT", "DELETE"):
        r = get(port, "/", method=method)
        T.check("%s: 405 with Allow" % method, r.status == 405 and
                r.h("allow") == "GET, HEAD", 405, r)
    for path, want, where in (
            ("/articles/garlic-bread", 301, "/articles/garlic-bread.html"),
            ("/articles", 301, "/"), ("/articles/", 301, "/"),
            ("/02_bread.txt", 301, "/articles/garlic-bread.html"),
            ("/sub", 301, "/sub/"), ("/missing", 404, None),
            ("/.hidden", 404, None), ("/sub/.dot", 404, None),
            ("/articles/nothing.html", 404, None),
            ("/articles/page/9.html", 404, None)):
        r = get(port, path)
        T.check("%s: %d %s" % (path, want, where or ""), r.status == want and
                r.h("location") == where, (want, where),
                (r.status, r.h("location")))
    r = get(port, "/articles/garlic-bread.txt")
    T.check("article text: text/plain", r.status == 200 and
            r.h("content-type") == "text/plain; charset=utf-8" and
            b"Garlic Bread" in r.body, "text", r)
    for host, want in (("localhost", 200), ("LOCALHOST.:8080", 200),
                       ("127.0.0.1", 421), ("other.example", 421)):
        r = get(port, "/", host=host)
        T.check("Host %s: %d" % (host, want), r.status == want, want, r)


BAD = [
    ("obs-fold", b"GET / HTTP/1.1\r\nHost: localhost\r\nX: a\r\n b\r\n\r\n"),
    ("bare CR", b"GET / HTTP/1.1\r\nHost: localhost\rX: y\r\n\r\n"),
    ("bare LF", b"GET / HTTP/1.1\nHost: localhost\n\n"),
    ("two Host", b"GET / HTTP/1.1\r\nHost: localhost\r\nHost: localhost"
                 b"\r\n\r\n"),
    ("no Host", b"GET / HTTP/1.1\r\n\r\n"),
    ("Transfer-Encoding", b"GET / HTTP/1.1\r\nHost: localhost\r\n"
                          b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    ("body on GET", b"GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length:"
                    b" 4\r\n\r\nbody"),
    ("..", b"GET /sub/../02_bread.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"),
    ("encoded ..", b"GET /sub/%2E%2E/x HTTP/1.1\r\nHost: localhost\r\n\r\n"),
    ("encoded /", b"GET /sub%2Fnotes.gmi HTTP/1.1\r\nHost: localhost\r\n"
                  b"\r\n"),
    ("space before colon", b"GET / HTTP/1.1\r\nHost : localhost\r\n\r\n"),
]


def check_errors(port):
    for name, req in BAD:
        rs, closed, _ = exchange(port, req, want=2)
        T.check("400: %s, then close" % name, rs and rs[0].status == 400 and
                rs[0].h("connection") == "close" and closed, 400, rs)
    big = b"GET / HTTP/1.1\r\nHost: localhost\r\nX: " + b"a" * 9000 + \
        b"\r\n\r\n"
    rs, closed, _ = exchange(port, big, want=2)
    T.check("431: a head past 8 KiB", rs and rs[0].status == 431 and closed,
            431, rs)
    rs, _, _ = exchange(port, b"GET /" + b"a" * 2000 + b" HTTP/1.1\r\n"
                        b"Host: localhost\r\n\r\n")
    T.check("414", rs and rs[0].status == 414, 414, rs)
    rs, _, _ = exchange(port, b"GET / HTTP/2.0\r\nHost: localhost\r\n\r\n")
    T.check("505", rs and rs[0].status == 505, 505, rs)
    rs, closed, _ = exchange(port, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc")
    T.check("TLS on the HTTP port: closed, no answer", not rs and closed,
            "closed", rs)


def check_keepalive(port):
    one = b"GET /style.css HTTP/1.1\r\nHost: localhost\r\n\r\n"
    rs, closed, _ = exchange(port, one + b"GET / HTTP/1.1\r\nHost: "
                             b"localhost\r\n\r\n" + one, want=3)
    T.check("pipelined: three answers on one connection, in order",
            len(rs) == 3 and [r.status for r in rs] == [200, 200, 200] and
            rs[0].body == rs[2].body and rs[1].h("content-type") == HTML and
            not closed, 3, rs)
    rs, closed, _ = exchange(port, b"GET / HTTP/1.1\r\nHost: localhost\r\n"
                             b"Connection: close\r\n\r\n" + one, want=2)
    # (want=2: read until the server closes)
    T.check("Connection: close: one answer, then close",
            len(rs) == 1 and rs[0].h("connection") == "close" and closed,
            1, rs)
    rs, closed, _ = exchange(port, b"GET / HTTP/1.0\r\n\r\n" + one, want=2)
    T.check("HTTP/1.0: one answer (default host), then close",
            len(rs) == 1 and rs[0].status == 200 and closed, 1, rs)
    rs, closed, _ = exchange(port, b"GET / HTTP/1.0\r\nConnection: "
                             b"keep-alive\r\n\r\n" + one, want=2)
    T.check("HTTP/1.0 keep-alive: both answered",
            len(rs) == 2 and rs[0].h("connection") == "keep-alive" and
            not closed, 2, rs)
    rs, closed, _ = exchange(port, one * 101, want=101, timeout=10)
    T.check("at most 100 requests a connection, the last says close",
            len(rs) == 100 and rs[99].h("connection") == "close" and
            rs[98].h("connection") is None and closed, 100,
            (len(rs), closed))
    t = closes_after(port, one, timeout=TIMEOUT + 4)
    T.check("an idle connection is closed after -T (%d s)" % TIMEOUT,
            t is not None and TIMEOUT - 0.5 <= t <= TIMEOUT + 2,
            TIMEOUT, t)
    if shutil.which("curl") is None:
        T.skip("curl keep-alive", "curl not installed")
        return
    base = "http://localhost:%d" % port
    p = subprocess.run(["curl", "-sv", "--max-time", "5", "-o", "/dev/null",
                        "-o", "/dev/null", base + "/", base + "/style.css"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=10)
    err = p.stderr.decode("utf-8", "replace")
    T.check("curl: two URLs on one connection",
            p.returncode == 0 and "Re-using existing connection" in err and
            err.count("Connected to") == 1, "reused", err[-800:])
    p = subprocess.run(["curl", "-s", "-0", "-o", "/dev/null", "-w",
                        "%{http_code} %{http_version}", base + "/"],
                       stdout=subprocess.PIPE, timeout=10)
    T.check("curl -0 (HTTP/1.0): 200", p.stdout == b"200 1.1", "200 1.1",
            p.stdout)
    p = subprocess.run(["curl", "-sI", "--max-time", "5", base + "/"],
                       stdout=subprocess.PIPE, timeout=10)
    T.check("curl -I: the headers", p.returncode == 0 and
            b"HTTP/1.1 200 OK\r\n" in p.stdout and b"ETag: " in p.stdout,
            "200", p.stdout)
    etag = re.search(rb"ETag: (\S+)", p.stdout)
    lm = re.search(rb"Last-Modified: ([^\r]+)", p.stdout)
    for name, args, want in (
            ("If-None-Match", ["-H", "If-None-Match: %s" %
                               (etag.group(1).decode() if etag else "")],
             b"304"),
            ("If-Modified-Since", ["-H", "If-Modified-Since: %s" %
                                   (lm.group(1).decode() if lm else "")],
             b"304"),
            ("POST", ["-X", "POST", "-d", "x=1"], b"405"),
            ("a path with ..", ["--path-as-is"], b"400")):
        url = base + ("/sub/../" if name == "a path with .." else "/")
        p = subprocess.run(["curl", "-s", "--max-time", "5", "-o",
                            "/dev/null", "-w", "%{http_code}"] + args +
                           [url], stdout=subprocess.PIPE, timeout=10)
        T.check("curl %s: %s" % (name, want.decode()), p.stdout == want,
                want, p.stdout)


def check_elsewhere(s):
    want = "http://localhost:%d/" % s.hport
    r = gem(s.port, "/")
    T.check("gemini home: Also on the web", ("=> %s Also on the web" %
            want) in r.text(), want, r.text())
    g = gopher(s.gport, b"\r\n").decode("utf-8", "replace")
    T.check("gopher root: Also on the web", "Also on the web\tURL:" + want
            in g, want, g)
    ok, line, _ = poll(lambda: (any(b' http localhost "GET /style.css '
                                    b'HTTP/1.1" 200 ' in l
                                    for l in s.lines_since(0)), None))
    T.check("access line of an HTTP request", ok, "a line", "none")


def capsule_dir():
    d = public_tmpdir("capsuled-http-")
    for name, text in list(ARTICLES.items()) + list(HOSTILE.items()):
        write(os.path.join(d, name), text)
    write(os.path.join(d, "index.gmi"), INDEX_GMI)
    os.makedirs(os.path.join(d, "sub"))
    os.chmod(os.path.join(d, "sub"), 0o755)
    write(os.path.join(d, "sub", "notes.gmi"), SUB_GMI)
    write(os.path.join(d, "sub", "<b>x&'.txt"), "markup in a name\n")
    write(os.path.join(d, "sub", ".dot"), "never served\n")
    write(os.path.join(d, ".hidden"), "never served\n")
    with open(os.path.join(d, "sub", "pixel.png"), "wb") as f:
        f.write(PNG)
    os.chmod(os.path.join(d, "sub", "pixel.png"), 0o644)
    return d


def run(binary):
    capsule = capsule_dir()
    certs = public_tmpdir("capsuled-http-certs-")
    s = Server([binary, "-g", "0", "-p", "0", "-w", "0", "-d", capsule,
                "-C", certs, "-T", str(TIMEOUT)])
    try:
        if T.check("listening lines", s.start(), "three ports",
                   s.text()[-600:]):
            check_pages(s.hport)
            check_headers(s.hport)
            check_errors(s.hport)
            check_keepalive(s.hport)
            check_elsewhere(s)
    finally:
        stop_checked(s, "http server")


if __name__ == "__main__":
    sys.exit(run_suite(run, watchdog=80, budget=60))
