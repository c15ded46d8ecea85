"""served_test.py BIN [--update]: the pages the real server sends, byte
for byte, against tests/golden/served/.

golden.sh proves what `capsuled convert` writes; this proves what a
client gets: the Gemini status line and body of every route of the
router (src/proto/router.c), the Gopher and Nex bytes of every route,
and the outcomes decided before routing (59, 53, Gopher's type-3
lines, Nex's one-line messages).  The capsule is tests/golden/capsule/ (the
articles, with their similar sections) plus
tests/golden/served-capsule/ (capsule files, directories, an
index.gmi, a gophermap, dot files, the well-known robots.txt and
favicon.txt, which must show nowhere but at their own paths), copied
with fixed modification times.  Every article found on the list pages
is fetched over every protocol (Nex: its directory and its text), so
an article lost or added shows as a missing or an unexpected golden
file.

The Gemini port is picked by the kernel (-g 0) and written into
absolute URLs (redirects, the Atom feed): in what is compared it reads
GEMINI_PORT.  The Gopher port written into menus is the config's
gopher-port, 7070.  --update rewrites tests/golden/served/ (read the
diff before committing it); every page must still have the status its
row names, so an update cannot record a 51 where a page should be.
"""

import os
import re
import shutil
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (T, Server, cleanup, fetch, finish, gopher,  # noqa: E402
                     nex, public_tmpdir, sanitizer_check, start_watchdog)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests", "golden", "served")
GOPHER_PORT = 7070
PROTOCOLS = ("gemini", "gopher", "nex")     # a folder of goldens each
MTIME = 1577934245          # 2020-01-02 03:04:05 UTC, as golden.sh

# (file name, request line without CRLF, status the page must have)
GEMINI = [
    ("home.gmi", "/", "20"),
    ("articles-redirect", "/articles", "31"),
    ("articles-slash-redirect", "/articles/", "31"),
    ("list-page-1.gmi", "/articles/page/1.gmi", "20"),
    ("list-page-2", "/articles/page/2.gmi", "51"),
    ("list-page-0", "/articles/page/0.gmi", "51"),
    ("list-page-leading-zero", "/articles/page/01.gmi", "51"),
    ("list-page-past-end", "/articles/page/99.gmi", "51"),
    ("list-page-not-a-number", "/articles/page/x.gmi", "51"),
    ("article-unknown", "/articles/no-such-article.gmi", "51"),
    ("article-without-gmi", "/articles/same-title", "51"),
    ("atom.xml", "/atom.xml", "20"),
    ("search-prompt", "/search", "10"),
    ("search-blank-query", "/search?%20", "10"),
    ("search-title.gmi", "/search?title", "20"),
    ("search-two-words.gmi", "/search?same%20title", "20"),
    ("search-no-hit.gmi", "/search?zzyzx", "20"),
    ("search-not-utf8", "/search?%FF", "59"),
    ("source-redirect", "/01_neutralise.txt", "31"),
    ("source-unknown", "/no_such_source.txt", "51"),
    ("wellknown-robots.txt", "/robots.txt", "20"),
    ("wellknown-favicon.txt", "/favicon.txt", "20"),
    ("wellknown-missing", "/security.txt", "51"),
    ("file-about.gmi", "/about.gmi", "20"),
    ("file-json", "/files/data.json", "20"),
    ("file-space-name.gmi", "/files/with%20space.gmi", "20"),
    ("dir-redirect", "/files", "31"),
    ("dir-listing.gmi", "/files/", "20"),
    ("dir-listing-sub.gmi", "/files/sub/", "20"),
    ("dir-listing-gmap.gmi", "/gmap/", "20"),
    ("dir-index.gmi", "/withindex/", "20"),
    ("file-as-dir", "/about.gmi/", "51"),
    ("dotfile", "/.hidden", "51"),
    ("dotfile-in-dir", "/files/.secret", "51"),
    ("not-found", "/nowhere", "51"),
]

# (file name, raw request line, status) for what the parser decides
GEMINI_RAW = [
    ("bad-escape", b"gemini://localhost/%zz", "59"),
    ("empty-request", b"", "59"),
    ("not-utf8", b"gemini://localhost/\xff", "59"),
    ("control-character", b"gemini://localhost/\x01", "59"),
    ("relative-uri", b"/articles/", "59"),
    ("userinfo", b"gemini://user@localhost/", "59"),
    ("fragment", b"gemini://localhost/#top", "59"),
    ("too-long", b"gemini://localhost/" + b"a" * 1100, "59"),
    ("other-scheme", b"https://localhost/", "53"),
    ("other-host", b"gemini://example.com/", "53"),
]

# (file name, selector line without CRLF, "menu", "error" or "data")
GOPHER = [
    ("root-menu", "", "menu"),
    ("root-menu-slash", "/", "menu"),
    ("articles", "/articles", "menu"),
    ("articles-slash", "/articles/", "menu"),
    ("menu-no-slash-same-title", "/articles/same-title", "menu"),
    ("list-page-1", "/articles/page/1/", "menu"),
    ("list-page-1-no-slash", "/articles/page/1", "menu"),
    ("list-page-2", "/articles/page/2/", "error"),
    ("list-page-0", "/articles/page/0/", "error"),
    ("list-page-past-end", "/articles/page/99/", "error"),
    ("list-page-not-a-number", "/articles/page/x/", "error"),
    ("article-unknown", "/articles/no-such-article/", "error"),
    ("caps.txt", "/caps.txt", "data"),
    ("search-prompt", "/search", "menu"),
    ("search-blank", "/search\t ", "menu"),
    ("search-gopher-plus", "/search\t+", "menu"),
    ("search-title", "/search\ttitle", "menu"),
    ("search-two-words", "/search\tsame title", "menu"),
    ("search-no-hit", "/search\tzzyzx", "menu"),
    ("source", "/01_neutralise.txt", "error"),
    ("source-unknown", "/no_such_source.txt", "error"),
    ("wellknown-robots.txt", "/robots.txt", "data"),
    ("wellknown-favicon.txt", "favicon.txt", "data"),
    ("wellknown-missing", "/security.txt", "error"),
    ("file-about.gmi", "/about.gmi", "data"),
    ("file-json", "/files/data.json", "data"),
    ("dir-menu", "/files/", "menu"),
    ("dir-menu-no-slash", "/files", "menu"),
    ("dir-menu-sub", "/files/sub/", "menu"),
    ("dir-index-not-special", "/withindex/", "menu"),
    ("gophermap", "/gmap/", "menu"),
    ("gophermap-file", "/gmap/gophermap", "error"),
    ("file-as-dir", "/about.gmi/", "error"),
    ("dotfile", "/.hidden", "error"),
    ("dotdot", "/files/../about.gmi", "error"),
    ("escape", "/files/with%20space.gmi", "error"),
    ("not-found", "/nowhere", "error"),
    ("url-page.html", "URL:https://example.org/a?b=1&c=2", "data"),
    ("url-refused", "URL:javascript:alert(1)", "error"),
    ("http-get", "GET / HTTP/1.1\r\nHost: localhost", "data"),
]

GOPHER_RAW = [
    ("not-utf8", b"/\xff\r\n", "error"),
    ("control-character", b"/a\x01b\r\n", "error"),
    ("search-not-utf8", b"/search\t\xff\r\n", "error"),
    ("too-long", b"/" + b"a" * 1100 + b"\r\n", "error"),
]

# (file name, Nex request line without LF, "ok" or "error")
NEX = [
    ("home", "", "ok"),
    ("home-slash", "/", "ok"),
    ("articles", "/articles", "ok"),
    ("articles-slash", "/articles/", "ok"),
    ("list-page-1", "/articles/page/1/", "ok"),
    ("list-page-1-no-slash", "/articles/page/1", "error"),
    ("list-page-2", "/articles/page/2/", "error"),
    ("list-page-0", "/articles/page/0/", "error"),
    ("article-unknown", "/articles/no-such-article/", "error"),
    ("article-no-slash", "/articles/same-title", "error"),
    ("article-gmi", "/articles/same-title.gmi", "error"),
    ("search", "/search", "error"),
    ("atom.xml", "/atom.xml", "error"),
    ("source", "/01_neutralise.txt", "error"),
    ("file-about.gmi", "/about.gmi", "ok"),
    ("file-json", "/files/data.json", "ok"),
    ("file-space-name.gmi", "/files/with%20space.gmi", "ok"),
    ("dir-no-slash", "/files", "error"),
    ("dir-listing", "/files/", "ok"),
    ("dir-listing-sub", "/files/sub/", "ok"),
    ("dir-listing-gmap", "/gmap/", "ok"),
    ("dir-index.gmi", "/withindex/", "ok"),
    ("file-as-dir", "/about.gmi/", "error"),
    ("dotfile", "/.hidden", "error"),
    ("dotfile-in-dir", "/files/.secret", "error"),
    ("dotdot", "/files/../about.gmi", "error"),
    ("encoded-slash", "/files%2Fabout.gmi", "error"),
    ("bad-escape", "/files/%zz", "error"),
    ("not-found", "/nowhere", "error"),
]

NEX_RAW = [
    ("crlf", b"/articles/page/1/\r\n", "ok"),
    ("not-utf8", b"/\xff\n", "error"),
    ("control-character", b"/a\x01b\n", "error"),
    ("nul", b"/a\x00b\n", "error"),
    ("too-long", b"/" + b"a" * 1100 + b"\n", "error"),
    ("proxy-v2", b"\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c" +
     bytes(12), "error"),
]

# The first words of every message Nex sends instead of a document.
NEX_ERRORS = (b"Not found", b"Bad request", b"Temporary failure",
              b"The article is being updated")


def build_capsule(log_level="warning"):
    tmp = public_tmpdir("capsuled-served-")
    capsule = os.path.join(tmp, "capsule")
    shutil.copytree(os.path.join(ROOT, "tests", "golden", "capsule"),
                    capsule)
    shutil.copytree(os.path.join(ROOT, "tests", "golden", "served-capsule"),
                    capsule, dirs_exist_ok=True)
    for d, dirs, files in os.walk(capsule):
        os.chmod(d, 0o755)
        for f in files:
            p = os.path.join(d, f)
            os.chmod(p, 0o644)
            os.utime(p, (MTIME, MTIME))
    certs = os.path.join(tmp, "certs")
    os.mkdir(certs, 0o755)
    conf = os.path.join(tmp, "capsuled.conf")
    with open(conf, "w") as f:
        f.write("gopher-port %d\nhome-limit 3\nlog-level %s\n"
                "host localhost\ncapsule %s\ncerts %s\n"
                % (GOPHER_PORT, log_level, capsule, certs))
    os.chmod(conf, 0o644)
    return conf


def gemini_page(port, req):
    r = fetch(port, req + b"\r\n")
    if r.error or not r.clean:
        return None, "%s (clean end: %s)" % (r.error, r.clean)
    return normalise(r.raw, port), r.status


EPHEMERAL_URL = re.compile(rb"\b(gemini|nex|spartan|http)://localhost:\d+/")


def normalise(data, port=None):
    """The kernel's ports in URLs as GEMINI_PORT, NEX_PORT and the like
    (Gopher's is the config's gopher-port)."""
    return EPHEMERAL_URL.sub(lambda m: b"%s://localhost:%s_PORT/" %
                             (m.group(1), m.group(1).upper()), data)


def gopher_kind(data):
    if data.startswith(b"3"):
        return "error"
    return "menu" if data.endswith(b"\r\n.\r\n") else "data"


def nex_kind(data):
    """A Nex reply: one of its messages (a line), or a document."""
    return "error" if data.startswith(NEX_ERRORS) and \
        data.count(b"\n") == 1 and data.endswith(b"\n") else "ok"


def list_slugs(port):
    """Every article of the list pages, in their order."""
    slugs = []
    for n in range(1, 20):
        r = fetch(port, b"gemini://localhost/articles/page/%d.gmi\r\n" % n)
        if r.status != "20":
            break
        slugs += re.findall(r"^=> /articles/([^/ ]+)\.gmi ", r.text(), re.M)
    return slugs


def collect(port, gport, xport):
    """{relative golden name: bytes}, checking each page's status."""
    pages = {}

    def nex_page(name, line, want):
        r = nex(xport, line)
        data = normalise(r.raw, port)
        got = nex_kind(data)
        if T.check("nex %s: %s, then the close" % (name, want),
                   got == want and r.eof and r.error is None, want,
                   "%s: %r (%s)" % (got, data[:200], r.error)):
            pages["nex/" + name] = data

    def gem(name, req, want):
        data, status = gemini_page(port, req)
        if T.check("gemini %s: status" % name, status == want, want,
                   status if data is not None else status):
            pages["gemini/" + name] = data

    def goph(name, line, want):
        data = normalise(gopher(gport, line), port)
        got = gopher_kind(data)
        if T.check("gopher %s: %s" % (name, want), got == want, want,
                   "%s: %r" % (got, data[:200])):
            pages["gopher/" + name] = data

    for name, path, want in GEMINI:
        gem(name, ("gemini://localhost" + path).encode(), want)
    for name, raw, want in GEMINI_RAW:
        gem(name, raw, want)
    slugs = list_slugs(port)
    T.check("list pages: the 8 articles", len(slugs) == 8 and
            len(set(slugs)) == 8, 8, slugs)
    for s in slugs:
        gem("article-%s.gmi" % s,
            ("gemini://localhost/articles/%s.gmi" % s).encode(), "20")
        goph("menu-%s" % s, "/articles/%s/\r\n" % s, "menu")
        goph("text-%s.txt" % s, "/articles/%s.txt\r\n" % s, "data")
        nex_page("article-%s" % s, b"/articles/%s/\n" % s.encode(), "ok")
        nex_page("text-%s.txt" % s, b"/articles/%s.txt\n" % s.encode(), "ok")
    for name, sel, want in GOPHER:
        goph(name, sel + "\r\n", want)
    for name, raw, want in GOPHER_RAW:
        goph(name, raw, want)
    for name, line, want in NEX:
        nex_page(name, line.encode() + b"\n", want)
    for name, raw, want in NEX_RAW:
        nex_page(name, raw, want)
    similar = [n for n, d in pages.items() if n.startswith("gemini/article-")
               and b"\n## Similar articles\n" in d]
    T.check("article pages with a similar section", len(similar) >= 4,
            ">= 4", similar)
    return pages


def update(pages):
    for sub in PROTOCOLS:
        shutil.rmtree(os.path.join(GOLDEN, sub), ignore_errors=True)
        os.makedirs(os.path.join(GOLDEN, sub))
    for name, data in pages.items():
        with open(os.path.join(GOLDEN, name), "wb") as f:
            f.write(data)
    print("updated %d files in %s" % (len(pages), GOLDEN), flush=True)


def compare(pages, out):
    """diff -u of each golden file with the page served."""
    want = set()
    for sub in PROTOCOLS:
        d = os.path.join(GOLDEN, sub)
        want |= {sub + "/" + f for f in os.listdir(d)} \
            if os.path.isdir(d) else set()
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    for name in sorted(want | set(pages)):
        path = os.path.join(GOLDEN, name)
        if name not in pages:
            T.check("served %s" % name, False, "the page",
                    "not fetched (a route or article lost?)")
            continue
        if name not in want:
            T.check("served %s" % name, False, "a golden file",
                    "none (run with --update and read it)")
            continue
        got = os.path.join(out, name)
        with open(got, "wb") as f:
            f.write(pages[name])
        d = subprocess.run(["diff", "-u", path, got], capture_output=True)
        if not T.check("served %s" % name, d.returncode == 0, "identical",
                       "differs:"):
            print(d.stdout.decode("utf-8", "replace")[:6000], flush=True)


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1
                             else "./capsuled")
    t0 = time.monotonic()
    timer = start_watchdog(60)
    try:
        conf = build_capsule()
        s = Server([binary, "-c", conf, "-g", "0", "-p", "0", "-x", "0"])
        try:
            if T.check("listening lines", s.start(want=PROTOCOLS),
                       "the ports of %s" % ", ".join(PROTOCOLS),
                       s.text()[-600:]):
                pages = collect(s.port, s.gport, s.ports["nex"])
                if "--update" in sys.argv[2:]:
                    update(pages)
                compare(pages, public_tmpdir("capsuled-served-out-"))
        except Exception:
            traceback.print_exc()
            T.check("no exception", False, "none", "see above")
        finally:
            rc = s.stop()
            T.check("SIGTERM exit 0", rc == 0, 0, rc)
            sanitizer_check("served server", s.text())
    finally:
        cleanup()
    timer.cancel()
    T.check("run < 30 s", time.monotonic() - t0 < 30, "< 30 s",
            "%.1f s" % (time.monotonic() - t0))
    finish()
    return 1 if T.failed else 0


if __name__ == "__main__":
    sys.exit(main())
