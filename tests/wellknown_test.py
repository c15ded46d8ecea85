#!/usr/bin/env python3
"""wellknown_test.py [BIN]: the well-known files (robots.txt,
favicon.txt, security.txt at the top of a capsule) are files, not
articles, against the real binary (default ./capsuled).

A capsule of three articles and the three files: each file is served
byte for byte as `20 text/plain; charset=utf-8` over Gemini and as it is
over Gopher (raw sockets and curl), and none of them is an article: not
on the home page, the list page, the Gopher root menu or the Atom feed,
not found by search, not a similar or related article, no
/articles/<slug> of its own.  `capsuled check` names each in one line.
Then, while serving: robots.txt removed is gone at once, written again
is served at once with its new bytes, and an article renamed onto it
stops being an article and is served as the file; an article dropped
after each change is the sign that the watcher has seen it, so the
checks that follow see what the watcher made of it.

Prints one line per failed check, last `N passed, N failed`; exits 1
when a check failed.  Only 127.0.0.1, ephemeral ports; every wait is a
bounded poll.
"""

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (T, Server, gem, gopher, menu, poll,  # noqa: E402
                     public_tmpdir, run_suite, stop_checked, write)

PLAIN = "text/plain; charset=utf-8"

ROBOTS = b"User-agent: *\nDisallow: /search\n# zeppelin crawlers: keep out\n"
FILES = {
    "robots.txt": ROBOTS,
    "favicon.txt": "\U0001f98a\n".encode(),
    "security.txt": b"Contact: mailto:security@example.org\r\n"
                    b"Expires: 2030-01-01T00:00:00.000Z\r\n",
}
# What each would be titled, and its slug, were it read as an article.
AS_ARTICLE = {
    "robots.txt": ("User-agent: *", "user-agent"),
    "favicon.txt": ("\U0001f98a", "favicon"),
    "security.txt": ("Contact: mailto:security@example.org",
                     "contact-mailto-security-example-org"),
}

# file: (date, title, slug, paragraphs, related titles)
ARTICLES = {
    "01_crawlers.txt": ("2026-03-01", "Crawlers and Agents", "crawlers-and-agents",
                        ["Every crawler agent reads the disallow rules "
                         "before it fetches a page."],
                        ["User-agent: *"]),
    "02_soup.txt": ("2026-03-02", "Miso Soup at Home", "miso-soup-at-home",
                    ["Dashi, miso and tofu make a quick soup."], []),
    "03_agents.txt": ("2026-03-03", "Disallow Rules for Every Agent",
                      "disallow-rules-for-every-agent",
                      ["An agent that obeys disallow rules is a polite "
                       "crawler."], []),
}
SENTINEL = ("04_sentinel.txt", "2026-03-04", "Sentinel After the Change",
            "sentinel-after-the-change")


def source(date, title, paras, related):
    lines = ["---", "date: " + date, "---", title] + paras
    for t in related:
        lines += [t, "A one-line summary.", "READ MORE"]
    return "\n".join(lines) + "\n"


def put(capsule, name, data):
    path = os.path.join(capsule, name)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o644)


def gopher_sel(port, sel):
    return gopher(port, (sel + "\r\n").encode())


def home_slugs(port):
    r = gem(port, "/")
    return re.findall(r"^=> /articles/([^ ]+)\.gmi ", r.text(), re.M), r


def root_slugs(gport):
    return [sel.split("/")[2] for t, _, sel in menu(gopher_sel(gport, ""))
            if t == "1" and sel.startswith("/articles/")
            and not sel.startswith("/articles/page/")]


def feed_titles(port):
    r = gem(port, "/atom.xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    try:
        root = ET.fromstring(r.body)
    except ET.ParseError as e:
        return ["(not XML: %s)" % e]
    return [e.findtext("a:title", namespaces=ns)
            for e in root.findall("a:entry", ns)]


def check_served(port, gport, files, what):
    """Each file byte for byte over both protocols."""
    for name, data in sorted(files.items()):
        r = gem(port, "/" + name)
        T.check("%s: gemini /%s: 20 %s" % (what, name, PLAIN),
                r.status == "20" and r.meta == PLAIN, "20 " + PLAIN,
                r.header)
        T.check("%s: gemini /%s: the file's bytes" % (what, name),
                r.body == data, data, r.body)
        for sel in ("/" + name, name):
            got = gopher_sel(gport, sel)
            T.check("%s: gopher %r: the file's bytes" % (what, sel),
                    got == data, data, got)


def check_curl(gport):
    """An independent Gopher client asks for them as a type-0 item."""
    if shutil.which("curl") is None:
        T.note("curl missing: no curl check")
        return
    for name, data in sorted(FILES.items()):
        p = subprocess.run(["curl", "-sS", "--max-time", "5",
                            "gopher://127.0.0.1:%d/0/%s" % (gport, name)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=10)
        T.check("curl gopher 0/%s: the file's bytes" % name,
                p.returncode == 0 and p.stdout == data, data,
                p.stdout + p.stderr)


def check_not_articles(port, gport, as_article, want, what):
    """Exactly the articles want (slugs) listed everywhere; none of the
    well-known files as an article anywhere (as_article: what each would
    be titled, and its slug, were it read as one)."""
    slugs, home = home_slugs(port)
    T.check("%s: home page lists the articles only" % what,
            sorted(slugs) == sorted(want), sorted(want), home.text())
    r = gem(port, "/articles/page/1.gmi")
    got = re.findall(r"^=> /articles/([^ ]+)\.gmi ", r.text(), re.M)
    T.check("%s: list page lists the articles only" % what,
            sorted(got) == sorted(want), sorted(want), r.text())
    T.check("%s: gopher root menu lists the articles only" % what,
            sorted(root_slugs(gport)) == sorted(want), sorted(want),
            root_slugs(gport))
    titles = feed_titles(port)
    T.check("%s: Atom feed has the articles only" % what,
            len(titles) == len(want), len(want), titles)
    for name, (title, slug) in sorted(as_article.items()):
        T.check("%s: %s not titled on the home page" % (what, name),
                title not in home.text(), "absent", home.text())
        T.check("%s: %s not in the feed" % (what, name),
                title not in titles, "absent", titles)
        r = gem(port, "/articles/%s.gmi" % slug)
        T.check("%s: no /articles/%s.gmi" % (what, slug), r.status == "51",
                "51", r.header)
        g = gopher_sel(gport, "/articles/%s/" % slug)
        T.check("%s: no gopher /articles/%s/" % (what, slug),
                g.startswith(b"3"), "a type-3 error", g[:200])


def check_search(port, gport):
    """Words only the files hold find nothing; the articles' words find
    the articles, never the files."""
    for word in ("zeppelin", "mailto", "expires"):
        r = gem(port, "/search?" + word)
        T.check("search %s: no article matches" % word,
                r.status == "20" and
                "No article matches these words." in r.text(),
                "no match", r.text())
        g = gopher_sel(gport, "/search\t" + word)
        T.check("gopher search %s: no article matches" % word,
                b"No article matches these words." in g, "no match", g)
    r = gem(port, "/search?disallow%20agent")
    got = re.findall(r"^=> /articles/([^ ]+)\.gmi ", r.text(), re.M)
    T.check("search disallow agent: the two articles only",
            sorted(got) == ["crawlers-and-agents",
                            "disallow-rules-for-every-agent"],
            "the two articles", r.text())


def check_links(port):
    """The related entry named like robots.txt's first line stays plain
    text; no similar list offers a well-known file."""
    r = gem(port, "/articles/crawlers-and-agents.gmi")
    lines = r.text().split("\n")
    T.check("related entry 'User-agent: *' is plain text",
            "User-agent: *" in lines and
            not any("user-agent" in l for l in lines if l.startswith("=>")),
            "a plain line", r.text())
    for _, title, slug, _, _ in ARTICLES.values():
        r = gem(port, "/articles/%s.gmi" % slug)
        links = [l for l in r.text().split("\n") if l.startswith("=> ")]
        bad = [l for l in links for n in FILES
               if AS_ARTICLE[n][1] in l or AS_ARTICLE[n][0] in l]
        T.check("%s: no link to a well-known file" % slug, not bad,
                "none", bad)
    r = gem(port, "/articles/disallow-rules-for-every-agent.gmi")
    T.check("similar articles of a page sharing robots.txt's words: "
            "an article", "\n=> /articles/crawlers-and-agents.gmi " in
            r.text(), "crawlers-and-agents", r.text())


def check_command(binary, capsule):
    """`capsuled check` names each file once, counts only articles."""
    p = subprocess.run([binary, "check", "-d", capsule],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30)
    out = p.stdout.decode("utf-8", "replace")
    T.check("check: exit 0", p.returncode == 0, 0,
            "%d: %s" % (p.returncode, out + p.stderr.decode()))
    for name in FILES:
        lines = [l for l in out.split("\n") if l.startswith(
            "%s/%s: " % (capsule, name))]
        T.check("check: one line names %s" % name, len(lines) == 1 and
                lines[0].startswith("%s/%s: note: well-known file, " %
                                    (capsule, name)) and
                lines[0].endswith(": served as it is (%s), not an article"
                                  % PLAIN), "one note", out)
    unresolved = ('%s/01_crawlers.txt: warning: related article '
                  '"User-agent: *" not found (shown as plain text)' % capsule)
    T.check("check: the related entry naming robots.txt's first line is "
            "not found", unresolved in out.split("\n"), unresolved, out)
    T.check("check: 3 articles", out.endswith(
        "capsuled check: 3 articles, 0 skipped, 1 warning\n"),
        "3 articles, 0 skipped, 1 warning", out)
    T.check("check: nothing else", len(out.strip().split("\n")) == 5,
            "the warning, 3 notes and the summary", out)


def drop_sentinel(port, capsule, n):
    """An article renamed in after a change: once it is listed, the
    watcher has read the events before it."""
    name, date, title, slug = SENTINEL
    name = name.replace("04", "%02d" % (4 + n))
    tmp = os.path.join(capsule, ".sentinel.tmp")
    write(tmp, source(date, "%s %d" % (title, n), ["Sentinel."], []))
    os.rename(tmp, os.path.join(capsule, name))
    slug = "%s-%d" % (slug, n)
    ok, slugs, _ = poll(lambda: (lambda s: (slug in s, s))(
        home_slugs(port)[0]))
    T.check("live: sentinel %d listed" % n, ok, slug, slugs)
    return slug


def check_live(port, gport, capsule):
    articles = [a[2] for a in ARTICLES.values()]
    path = os.path.join(capsule, "robots.txt")
    os.unlink(path)
    r = gem(port, "/robots.txt")
    T.check("live: robots.txt removed: 51 at once", r.status == "51", "51",
            r.header)
    g = gopher_sel(gport, "/robots.txt")
    T.check("live: robots.txt removed: gopher error at once",
            g.startswith(b"3"), "a type-3 error", g[:200])
    articles.append(drop_sentinel(port, capsule, 0))
    check_not_articles(port, gport, AS_ARTICLE, articles, "live, removed")

    # written again (close after write): served at once, never listed
    new = b"User-agent: archiver\nDisallow: /\n"
    put(capsule, "robots.txt", new)
    check_served(port, gport, {"robots.txt": new}, "live, added")
    articles.append(drop_sentinel(port, capsule, 1))
    check_not_articles(port, gport, dict(AS_ARTICLE, **{
        "robots.txt": ("User-agent: archiver", "user-agent-archiver")}),
        articles, "live, added")
    r = gem(port, "/search?archiver")
    T.check("live, added: search archiver: no article matches",
            "No article matches these words." in r.text(), "no match",
            r.text())

    # an article renamed onto it: no longer an article, served as the file
    soup = os.path.join(capsule, "02_soup.txt")
    with open(soup, "rb") as f:
        data = f.read()
    os.rename(soup, path)
    ok, slugs, _ = poll(lambda: (lambda s: ("miso-soup-at-home" not in s,
                                            s))(home_slugs(port)[0]))
    T.check("live: article renamed to robots.txt: no longer listed", ok,
            "no miso-soup-at-home", slugs)
    articles.remove("miso-soup-at-home")
    check_served(port, gport, {"robots.txt": data}, "live, renamed")
    check_not_articles(port, gport, dict(AS_ARTICLE, **{
        "robots.txt": ("Miso Soup at Home", "miso-soup-at-home")}),
        articles, "live, renamed")


def run(binary):
    capsule = public_tmpdir("capsuled-wk-")
    certs = public_tmpdir("capsuled-wk-certs-")
    for name, (date, title, _, paras, rel) in ARTICLES.items():
        write(os.path.join(capsule, name), source(date, title, paras, rel))
    for name, data in FILES.items():
        put(capsule, name, data)
    check_command(binary, capsule)
    s = Server([binary, "-g", "0", "-p", "0", "-d", capsule, "-C", certs,
                "-T", "3"])
    try:
        if T.check("listening lines", s.start(), "both ports",
                   s.text()[-600:]):
            check_served(s.port, s.gport, FILES, "start")
            check_curl(s.gport)
            check_not_articles(s.port, s.gport, AS_ARTICLE,
                               [a[2] for a in ARTICLES.values()], "start")
            check_search(s.port, s.gport)
            check_links(s.port)
            check_live(s.port, s.gport, capsule)
    finally:
        stop_checked(s, "wellknown server")


if __name__ == "__main__":
    sys.exit(run_suite(run, watchdog=50, budget=45))
