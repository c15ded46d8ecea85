#!/usr/bin/env python3
"""soak_test.py [BIN]: one capsuled with every listener (Gemini, Gopher
and Gopher over TLS, Spartan, Nex, HTTP) and Titan, on a generated
capsule (10,000 articles; 300 below 300 s), for SOAK_SECONDS (default
600; `make check` runs 60), under everything at once (issue 19):

  1. readers on every protocol at a steady rate (a thread each; Gemini
     with full and resumed handshakes), every article page checked
     against the same page at rest: the text before the "Similar
     articles" section byte for byte (that section follows what authors
     add), and a complete end (Gemini, Spartan: LF; Gopher: ".CRLF";
     Nex: the Home link; HTTP: Content-Length and </html>); a reader of
     the pages that change (home, every page of all articles, a
     search), each held to what every snapshot of the run gives
     (tests/soak_pages.py);
  2. authors: files dropped, edited in place, renamed and deleted every
     few hundred ms; Titan uploads, edits and deletes; at the end every
     acknowledged upload is on disk with exactly its bytes, every
     earlier acknowledged version in .titan-history, and the articles
     served are the files on disk (nothing lost on the way);
  3. operations: SIGHUP every 30 s (every other one changing the
     configuration: home-limit 100 or 50, then seen on the home page),
     one kill -9 of the serving process (the parent starts another;
     failed requests counted, allowed only around the kill), slowloris
     clients (500 for a minute; a normal request answered within 1 s
     meanwhile), 2,000 idle connections (all closed by the server at
     its deadline), a burst of 5,000 connections in a second (each
     answered right);
  4. exhaustion: the serving process's descriptor limit lowered for
     real (prlimit(2)) and filled: no busy loop, one log line, the
     waiting clients served after; the capsule's file system full
     (a tmpfs of its own, in a private mount namespace when run as
     root: tests/soak.sh): Titan answers 40, the old file intact;
  5. RSS of every capsuled process at start (after warm-up), middle and
     end (growth checked only when SOAK_SECONDS >= 300);
  6. one report table (requests and failures per protocol, p50/p99 per
     protocol and phase, uploads, CPU, RSS, log lines by level); any
     wrong, truncated or mixed answer, lost write or crash other than
     the injected one is a failure.
Below 300 s the operations are scaled down (100 slow clients for 5 s,
300 idle, a burst of 1,000) and the bound on a normal request is 2 s:
`make check` runs 4 suites at once on 2 cores.
"""

import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (HOST, T, Server, client_ctx, fetch, gem,  # noqa: E402
                     gopher_req, more_fds, nex, poll, public_tmpdir,
                     run_suite, spartan, stop_checked, write)
from soak_ops import (burst, children, cpu_ticks, exhaust,  # noqa: E402
                      full_disk, idle, mount_tmpfs, rss_all, shrink_tmpfs,
                      slowloris)
from soak_judge import (ALLOWED, END, GOOD, Lists, judge,  # noqa: E402
                        listed_titles, request)
from soak_report import report  # noqa: E402
from titan_test import cert, own  # noqa: E402

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), ".."))
SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
LONG = SECONDS >= 300
ARTICLES = int(os.environ.get("SOAK_ARTICLES", "10000" if LONG else "300"))
SHARED = os.environ.get("SHARED", os.path.join(ROOT, "..", "shared"))
SAMPLE = 40             # stable articles the readers read
PACE = 0.02             # seconds between two requests of one reader
DEADLINE = 10           # capsuled -T
HUP_EVERY = 30 if LONG else 15
SLOW = (500, 60.0, 1.0) if LONG else (100, 5.0, 2.0)  # clients, s, bound
IDLE = 2000 if LONG else 300
BURST = 5000 if LONG else 1000
STARVED = 2.0
MAX_TICKS = 40          # of 100/s in STARVED seconds: a spin burns ~200
RSS_GROWTH = 5 * 1024   # kB, after warm-up, long runs only
PROTOS = ["gemini", "gemini-resume", "gopher", "gophers", "spartan", "nex",
          "http", "pages"]

STOP = threading.Event()
PAUSE = threading.Event()       # readers hold off (exhaustion phase)
QUIET = threading.Event()       # authors and Titan hold off (full disk)
WRITING = [threading.Lock(), threading.Lock()]  # held by the author's
#                               and Titan's thread during one change
OPS = threading.Lock()          # one SIGHUP or kill at a time
LOCK = threading.Lock()
STATS = {p: {"n": 0, "ok": 0, "lat": {}, "fail": {}} for p in PROTOS}
KILL_WINDOW = [None, None]      # monotonic times: failures allowed
EVENTS = []
PHASE = ["warm-up"]
PHASES = [(0.0, "warm-up")]     # (wall-clock time, phase) from then on
MADE = [0]                      # authors' articles ever made (bound)


def event(msg):
    EVENTS.append((time.monotonic(), msg))
    print("soak: %6.1f s %s" % (time.monotonic() - T0, msg), flush=True)


T0 = time.monotonic()


# ------------------------------------------------------------ capsule

WORDS = ("river stone garden lamp window harbour letter morning winter "
         "paper engine orchard bridge candle meadow signal copper ladder "
         "forest market needle pocket ribbon saddle timber valley").split()


def own_gen(out, n):
    """A small generator (when ../shared is missing): n articles of
    title, paragraphs and sometimes a related block."""
    rnd = random.Random(19)
    os.makedirs(out, exist_ok=True)
    titles = ["%s %s %d" % (rnd.choice(WORDS).title(),
                            rnd.choice(WORDS).title(), i) for i in range(n)]
    for i, t in enumerate(titles):
        paras = [" ".join(rnd.choice(WORDS) for _ in range(rnd.randint(30, 90)))
                 + "." for _ in range(rnd.randint(2, 5))]
        rel = ""
        if i and rnd.random() < 0.5:
            o = titles[rnd.randrange(i)]
            rel = "\n%s\nA related one.\nREAD MORE" % o
        with open(os.path.join(out, "%05d.txt" % i), "w") as f:
            f.write(t + "\n" + "\n".join(paras) + rel)


def make_capsule(out):
    gen = os.path.join(SHARED, "tools", "gen-capsule")
    if os.path.exists(gen):
        subprocess.run([sys.executable, gen, "-n", str(ARTICLES), "--out",
                        out, "-q"], check=True)
        return "gen-capsule"
    own_gen(out, ARTICLES)
    return "own generator"


def article(s, proto, base, slugs):
    """A reader's request: an article page of the sample; (reply, status,
    why it is wrong or None, what was right)."""
    def one(rnd, session):
        slug = rnd.choice(slugs)
        r, body, code = request(s, proto, slug, session)
        want = base[proto][slug]
        return r, code, judge(proto, want, body, code), (want, body)
    return one


def pages(s, lists, searches):
    """A reader's request: the home page, a page of all articles or a
    search, each held to what every snapshot gives (soak_pages.py)."""
    def one(rnd, session):
        k = rnd.randrange(lists.npages + (2 if searches else 1))
        if k == lists.npages + 1:
            word, want = rnd.choice(searches)
            r = gem(s.port, "/search?" + word)
            why = lists.judge_search(r.text(), want)
        else:
            r = gem(s.port, "/articles/page/%d.gmi" % k if k else "/")
            why = lists.judge_list(r.text(), k, MADE[0])
            want = "page %d" % k
        if r.status != "20":
            why = "status %s" % r.status
        return r, r.status, why, (want, r.body)
    return one


def in_kill_window(t):
    return KILL_WINDOW[0] is not None and KILL_WINDOW[0] - 0.5 <= t and \
        (KILL_WINDOW[1] is None or t <= KILL_WINDOW[1])


def reader(proto, one):
    """Requests one after the other, PACE apart, each judged: a failure
    is allowed when it is a "slow down" status (Gemini, Spartan) or a
    connection the kill -9 cut (never another page)."""
    rnd = random.Random(proto)
    session = None
    st = STATS[proto]
    while not STOP.is_set():
        if PAUSE.is_set():
            time.sleep(0.05)
            continue
        t0 = time.monotonic()
        phase = PHASE[0]
        r, code, cause, (want, body) = one(rnd, session)
        t1 = time.monotonic()
        if proto == "gemini-resume":
            session = r.session
        allowed = False
        if cause is not None:
            if code in ALLOWED and proto in ("gemini", "gemini-resume",
                                             "spartan", "pages"):
                allowed = True
                cause = "status %s %s(allowed)" % (
                    code, '"%s" ' % r.meta[:40] if r.meta else "")
            elif in_kill_window(t0) and (r.error or r.reset or code is None
                                         or cause == "truncated"):
                allowed = True
                cause = "cut by kill -9 (allowed)"
        with LOCK:
            st["n"] += 1
            if cause is None:
                st["ok"] += 1
                st["lat"].setdefault(phase, []).append(t1 - t0)
            else:
                st["fail"][cause] = st["fail"].get(cause, 0) + 1
                if not allowed:
                    T.check("%s: a right, complete page" % proto, False,
                            want[-300:] if isinstance(want, bytes)
                            else want, "%s: %r %s" % (cause, body[-300:],
                                                       r.error))
        time.sleep(PACE)


# ------------------------------------------------------------ authors

def author(capsule, stats):
    """Files dropped, edited in place, renamed and deleted."""
    rnd = random.Random(7)
    live = []
    n = 0
    while not STOP.is_set():
        if QUIET.is_set():
            STOP.wait(0.05)
            continue
        with WRITING[0]:        # one change at a time, none while quiet
            if QUIET.is_set():
                continue
            op = rnd.choice(["drop", "drop", "edit", "rename", "delete"])
            try:
                if op == "drop" or not live:
                    n += 1
                    MADE[0] += 1
                    name = "soak_%d.txt" % n
                    tmp = os.path.join(capsule, ".soak_tmp")
                    write(tmp, "Soak Draft %d\n\nA draft about %s.\n" %
                          (n, rnd.choice(WORDS)))
                    os.rename(tmp, os.path.join(capsule, name))
                    live.append(name)
                elif op == "edit":
                    name = rnd.choice(live)
                    with open(os.path.join(capsule, name), "a") as f:
                        f.write("More about %s.\n" % rnd.choice(WORDS))
                elif op == "rename":
                    name = rnd.choice(live)
                    n += 1
                    new = "soak_%d.txt" % n
                    os.rename(os.path.join(capsule, name),
                              os.path.join(capsule, new))
                    live[live.index(name)] = new
                else:
                    name = live.pop(rnd.randrange(len(live)))
                    os.unlink(os.path.join(capsule, name))
                stats[op] = stats.get(op, 0) + 1
            except OSError as e:
                T.check("author: %s" % op, False, "done", repr(e))
        STOP.wait(rnd.uniform(0.1, 0.4))


def titan(s, ctx, capsule, up):
    """Uploads, edits and deletes of up_N.txt; up[path] = list of the
    acknowledged versions (b"" a delete); a path whose upload got no
    answer (cut by the kill -9: allowed only then) is left alone from
    then on, that upload in UNACKED[path]: it may have landed."""
    rnd = random.Random(11)
    paths = ["up_%d.txt" % i for i in range(8)]
    unknown = set()
    while not STOP.is_set():
        free = [p for p in paths if p not in unknown]
        if not free:
            paths.append("up_%d.txt" % len(paths))
            continue
        if QUIET.is_set():
            STOP.wait(0.05)
            continue
        with WRITING[1]:        # one upload at a time, none while quiet
            if QUIET.is_set():
                continue
            p = rnd.choice(free)
            if p not in up:
                MADE[0] += 1
            acked = up.setdefault(p, [])
            if acked and acked[-1] and rnd.random() < 0.2:
                body = b""
            else:
                body = ("Upload %s\n\nVersion %d, %s.\n" % (
                    p[:-4].replace("_", " "), len(acked) + 1,
                    " ".join(rnd.choice(WORDS) for _ in range(20)))).encode()
            line = b"titan://localhost:%d/%s;size=%d\r\n" % (s.port, p.encode(),
                                                             len(body))
            r = fetch(s.port, line + body, ctx=ctx)
            with LOCK:
                UPSTATS["sent"] += 1
                if r.status == "30":
                    acked.append(body)
                    UPSTATS["acked"] += 1
                elif r.status in ("40", "44", "51") and r.clean:
                    # refused, nothing written (51: delete of a missing file)
                    UPSTATS["refused " + r.status] = \
                        UPSTATS.get("refused " + r.status, 0) + 1
                else:
                    unknown.add(p)
                    UNACKED[p] = body
                    UPSTATS["no answer"] = UPSTATS.get("no answer", 0) + 1
                    t = r.t_end
                    T.check("titan %s: an answer (none only when cut by the "
                            "kill -9)" % p, KILL_WINDOW[0] is not None and
                            KILL_WINDOW[0] - 0.5 <= t and
                            (KILL_WINDOW[1] is None or t <= KILL_WINDOW[1] + 10),
                            "30, 40, 44 or 51", r)
        STOP.wait(rnd.uniform(0.1, 0.3))


UPSTATS = {"sent": 0, "acked": 0}
UNACKED = {}


def verify_uploads(capsule, up):
    hist = os.path.join(capsule, ".titan-history")
    older = {}
    if os.path.isdir(hist):
        for f in os.listdir(hist):
            name = f.split("~")[0]
            with open(os.path.join(hist, f), "rb") as fh:
                older.setdefault(name, []).append(fh.read())
    lost = 0
    for p, versions in up.items():
        if not versions:
            continue
        path = os.path.join(capsule, p)
        last = versions[-1]
        disk = open(path, "rb").read() if os.path.exists(path) else b""
        if p in UNACKED and disk == UNACKED[p] and disk != last:
            # the cut upload landed: the last acknowledged one is history
            UPSTATS["cut but landed"] = UPSTATS.get("cut but landed", 0) + 1
            versions = versions + [disk]
        elif disk != last:
            lost += 1
            T.check("upload %s: the last acknowledged version on disk" % p,
                    False, last, disk)
        for v in versions[:-1]:
            if v and v not in older.get(p, []):
                lost += 1
                T.check("upload %s: an earlier version in the history" % p,
                        False, v, older.get(p, []))
    n = sum(len(v) for v in up.values())
    T.check("every acknowledged upload is on disk or in the history "
            "(%d versions of %d files)" % (n, len(up)), lost == 0, 0, lost)
    return n, lost


# ------------------------------------------------------------ operations

def config(conf, capsule, root, ann, limit):
    write(conf, "home-limit %d\nhost localhost\ncapsule %s\ncerts %s\n"
          "titan yes\nauthor %s Ann\ntitan-history 1000\n" % (
              limit, capsule, os.path.join(root, "certs"), ann))


def home_count(s):
    r = gem(s.port, "/")
    return len(re.findall(r"^=> /articles/(?!page/)", r.text(), re.M))


def sighups(s, reconf, stats):
    """SIGHUP every HUP_EVERY seconds, every other one with the
    configuration changed (reconf(i) writes it and says the home-limit
    now in effect, which the home page must then show)."""
    i = 0
    while not STOP.wait(HUP_EVERY):
        with OPS:
            if STOP.is_set():
                break
            i += 1
            limit = reconf(i) if i % 2 == 0 else None
            n = s.nlines()
            s.proc.send_signal(signal.SIGHUP)
            ok = s.wait_line(lambda l: b"reloaded:" in l, 30, n) is not None
            T.check("SIGHUP %d: reloaded" % i, ok, "reloaded:",
                    s.text()[-300:])
            seen = True
            if limit is not None:
                seen, _, _ = poll(lambda: (home_count(s) == limit, None), 15)
                T.check("SIGHUP %d: home-limit %d in effect" % (i, limit),
                        seen, limit, home_count(s))
            stats["sighup"] = i
            stats["config changed"] = i // 2
            event("SIGHUP %d%s" % (i, "" if limit is None else
                                   ", home-limit %d seen" % limit
                                   if seen else ", change not seen"))


def kill9(s):
    with OPS:
        kids = children(s.proc.pid)
        if not T.check("kill -9: a serving process", len(kids) >= 1,
                       ">= 1", kids):
            return
        serving = kids[-1]
        KILL_WINDOW[0] = time.monotonic()
        os.kill(serving, signal.SIGKILL)
        event("kill -9 of the serving process %d" % serving)
        ok, _, _ = poll(lambda: (any(c != serving for c in
                                     children(s.proc.pid)), None), 30)
        ok2, _, took = poll(lambda: (gopher_req(b"/\r\n", s.gport, timeout=5)
                                     .raw.endswith(b".\r\n"), None), 30)
        KILL_WINDOW[1] = time.monotonic() + 1.0
    T.check("kill -9: the parent starts another serving process", ok,
            "a new child", children(s.proc.pid))
    T.check("kill -9: served again", ok2, "the home menu", "")
    event("a new serving process, serving again after %.2f s" % took)


def served_is_disk(s, lists, capsule):
    """Once the authors stopped: the articles served (every page of all
    articles) are the files on disk, the authors' by title."""
    disk = []
    for f in os.listdir(capsule):
        if f.startswith(("soak_", "up_")) and f.endswith(".txt"):
            with open(os.path.join(capsule, f), encoding="utf-8") as fh:
                disk.append(fh.readline().strip())
    disk.sort()

    def served():
        got = listed_titles(s.port)
        vol = sorted(x for x in got if x.startswith(("Soak Draft",
                                                     "Upload up")))
        return vol, len(got) - len(vol)
    ok, got, took = poll(lambda: (lambda v: (v == (disk, len(lists.order)),
                                             v))(served()), 20)
    T.check("nothing lost: the articles served are the files on disk "
            "(%d of the authors', %d generated)" % (len(disk),
                                                    len(lists.order)), ok,
            "%d generated, none missing, none more" % len(lists.order),
            "%d generated, missing %s, more %s" % (
                got[1], sorted(set(disk) - set(got[0])),
                sorted(set(got[0]) - set(disk))))
    return len(disk)


# ------------------------------------------------------------ main

def at_rest(s, slugs):
    """Every sampled page on every protocol, and the words of one page
    the same everywhere."""
    base = {p: {} for p in PROTOS}
    for slug in slugs:
        for p in PROTOS[:-1]:
            r, b, st = request(s, p, slug)
            T.check("at rest: %s %s" % (p, slug), st == GOOD[p] and
                    b.endswith(END[p]), GOOD[p], "%s %r" % (st, b[-200:]))
            base[p][slug] = b
        # the same words on every protocol: the first paragraph
        # (words: Gopher and Nex wrap lines, HTML escapes)
        g = base["gemini"][slug].split(b"\n")
        para = next((l for l in g[1:] if len(l) > 40 and
                     not l.startswith((b"=>", b"#"))), b"")
        para = b" ".join(para.split()[:8])
        txt = gopher_req(b"/articles/%s.txt\r\n" % slug.encode(),
                         s.gport).raw
        texts = {p: base[p][slug] for p in ("spartan", "gopher", "gophers",
                                             "nex")}
        texts["gopher .txt"] = txt
        base.setdefault("txt", {})[slug] = txt
        for p in ("gopher", "gophers"):     # the menus' display texts
            texts[p] = b" ".join(l.split(b"\t")[0][1:] for l in
                                 texts[p].split(b"\r\n"))
        miss = [p for p, v in texts.items()
                if para not in b" ".join(v.replace(b"\r\ni", b" ").split())]
        T.check("at rest: %s: the same words everywhere" % slug,
                para and not miss, para, miss)
    return base


def search_words(s, base, slugs):
    """Up to 4 (query, page at rest): phrases of four words of the
    sampled articles that fewer than 20 articles hold (so the page lists
    them all), none of them only the authors' words (theirs are WORDS)."""
    out = []
    for slug in slugs:
        text = base["gemini"][slug].decode("utf-8", "replace")
        paras = [l for l in text.split("\n")[1:] if len(l) > 80 and
                 not l.startswith(("=>", "#"))]
        words = re.findall(r"[a-z]{3,}", paras[0]) if paras else []
        for i in range(0, max(0, len(words) - 4), 3):
            phrase = words[i:i + 4]
            if all(w in WORDS for w in phrase):
                continue
            q = "%22" + "%20".join(phrase) + "%22"
            t = gem(s.port, "/search?" + q).text()
            if re.search(r"^\d+ articles? found\.$", t, re.M):
                out.append((q, t))
                break
        if len(out) == 4:
            break
    T.check("phrases to search for", len(out) >= 1, ">= 1", out)
    return out


def start(binary, root, capsule, ann):
    conf = os.path.join(root, "capsuled.conf")
    config(conf, capsule, root, ann, 100)
    s = Server([binary, "-c", conf, "-g", "0", "-p", "0", "-s", "0", "-x",
                "0", "-w", "0", "-T", str(DEADLINE)], name="soak")
    if not T.check("every listener", s.start(60), "gemini gopher spartan "
                   "nex http", s.text()[-600:]):
        return None, None
    ok, _, _ = poll(lambda: (len(children(s.proc.pid)) > 0, None), 10)
    T.check("a serving process", ok, "a child", "")
    return s, conf


def phase(name):
    PHASE[0] = name
    PHASES.append((time.time(), name))
    event("phase: " + name)


def body(binary):
    global T0
    more_fds(20000)
    root = public_tmpdir("capsuled-soak.")
    capsule = os.path.join(root, "fs", "capsule")
    # the capsule on a file system of its own, to fill (root only: in
    # the private mount namespace tests/soak.sh made)
    fs = os.path.join(root, "fs")
    tmpfs = os.environ.get("SOAK_TMPFS") == "1"
    if tmpfs:
        mount_tmpfs(fs, 4096)
    t = time.monotonic()
    how = make_capsule(capsule)
    own(capsule)
    os.chmod(fs, 0o755)
    if tmpfs:
        event("capsule on a tmpfs of %d MB" % shrink_tmpfs(fs, 48))
    os.makedirs(os.path.join(root, "certs"))
    event("%d articles by %s in %.1f s" % (
        len(os.listdir(capsule)), how, time.monotonic() - t))
    ann = cert(root, "ann")
    s, conf = start(binary, root, capsule, ann[2])
    if s is None:
        return
    # the stable sample, each page at rest on every protocol
    lists = Lists(lambda path: gem(s.port, path).text())
    slugs = [e[0] for e in lists.order[:SAMPLE]]
    T.check("a sample of articles", len(slugs) >= 5, ">= 5", len(slugs))
    base = at_rest(s, slugs)
    searches = search_words(s, base, slugs)
    lists.limits = {min(100, len(lists.order)), min(50, len(lists.order))}
    time.sleep(1.1)     # the authors' files a second newer than any other
    T0 = time.monotonic()
    readers = [threading.Thread(target=reader, args=(p, article(
        s, p, base, slugs)), daemon=True) for p in PROTOS[:-1]]
    readers.append(threading.Thread(target=reader, args=(
        "pages", pages(s, lists, searches)), daemon=True))
    fstats = {}
    ostats = {}
    up = {}
    ctx = client_ctx(cert=ann[:2])
    writers = [threading.Thread(target=author, args=(capsule, fstats),
                                daemon=True),
               threading.Thread(target=titan, args=(s, ctx, capsule, up),
                                daemon=True)]

    def reconf(i):
        limit = 50 if i % 4 == 2 else 100
        config(conf, capsule, root, ann[2], limit)
        return min(limit, len(lists.order))
    hups = threading.Thread(target=sighups, args=(s, reconf, ostats),
                            daemon=True)
    cpu0 = cpu_ticks(s.proc.pid)
    for th in readers + writers + [hups]:
        th.start()
    event("readers on %d protocols and of the changing pages, an author, "
          "a Titan uploader, SIGHUP every %d s" % (len(PROTOS) - 1,
                                                   HUP_EVERY))

    def titan_put(name, data):
        return fetch(s.port, b"titan://localhost:%d/%s;size=%d\r\n" % (
            s.port, name.encode(), len(data)) + data, ctx=ctx)

    def slow():
        ostats["slow"] = slowloris(s.port, SLOW[0], SLOW[1], SLOW[2], STOP)

    def idle_conns():
        ports = [s.port, s.gport, s.sport, s.ports["nex"], s.hport]
        ostats["idle"] = idle(ports, IDLE, DEADLINE + 10)

    def burst5k():
        slug = slugs[0]
        want = base["txt"][slug]
        ostats["burst"] = burst(s.gport, BURST, 1.0, b"/articles/%s.txt\r\n"
                                % slug.encode(), lambda b: b == want)

    def exhausted():
        PAUSE.set()
        time.sleep(0.5)     # the readers' requests in flight end
        with OPS:           # no reload meanwhile: one serving process
            kids = children(s.proc.pid)
            try:
                ostats["exhaust"] = exhaust(
                    kids[-1], s.gport, STARVED, MAX_TICKS, lambda: sum(
                        b"cannot accept" in l for l in s.lines_since(0)))
            except (OSError, IndexError) as e:
                T.skip("descriptors exhausted", "prlimit on the serving "
                       "process: %r" % e)
        PAUSE.clear()

    def disk_full():
        if not tmpfs:
            T.skip("full disk", "not root: no file system of its own to "
                   "fill (tests/soak.sh)")
            return
        # nothing else writes or deletes meanwhile: a deletion (an
        # author's, a Titan delete, a history entry pruned) gives back
        # pages, and an upload that should find the disk full then lands
        # (seen once in make check)
        QUIET.set()
        try:
            with WRITING[0], WRITING[1]:
                ostats["full"] = full_disk(titan_put, fs, capsule)
        finally:
            QUIET.clear()

    plan = [(0.05, "rss", "start"), (0.08, slow, "slowloris"),
            (0.25, idle_conns, "idle"),
            (0.35, burst5k, "burst"), (0.45, kill9, "kill -9"),
            (0.55, "rss", "middle"), (0.6, exhausted, "descriptors"),
            (0.7, disk_full, "full disk"), (1.0, None, "end")]
    rss = {}
    for frac, what, name in plan:
        at = T0 + frac * SECONDS
        while time.monotonic() < at and s.alive():
            time.sleep(min(0.5, max(0.0, at - time.monotonic())))
        if not T.check("capsuled still running (%s)" % name, s.alive(),
                       "running", s.text()[-600:]):
            break
        if what == "rss":
            rss[name] = rss_all(s.proc.pid)
        elif what is not None:
            phase(name)
            if what == kill9:
                what(s)
            else:
                what()
            phase("steady")
    rss["end"] = rss_all(s.proc.pid)
    cpu = cpu_ticks(s.proc.pid) - cpu0
    STOP.set()
    for th in readers + writers + [hups]:
        th.join(40)
    elapsed = time.monotonic() - T0
    T.check("threads ended", not any(th.is_alive() for th in
                                     readers + writers + [hups]), "ended", "")
    nver, lost = verify_uploads(capsule, up)
    ndisk = served_is_disk(s, lists, capsule)
    lines = s.lines_since(0)
    stop_checked(s, "soak")
    report(dict(binary=binary, articles=ARTICLES, elapsed=elapsed, cpu=cpu,
                rss=rss, lines=lines, files=fstats, ops=ostats, uploads=UPSTATS,
                versions=nver, lost=lost, ndisk=ndisk, stats=STATS,
                events=EVENTS, t0=T0, phases=PHASES))
    pid = s.proc.pid
    if LONG and rss.get("start") and rss.get("end"):
        g = rss["end"].get(pid, 0) - rss["start"].get(pid, 0)
        T.check("RSS of the parent grows < 5 MB", g < RSS_GROWTH,
                "< %d kB" % RSS_GROWTH, "%d kB" % g)

        # the serving process is a new one after the kill and after each
        # SIGHUP: the largest child at the middle and at the end
        def big(r):
            return max([v or 0 for k, v in r.items() if k != pid] or [0])
        g = big(rss["end"]) - big(rss["middle"])
        T.check("RSS of the serving process grows < 5 MB (middle to "
                "end)", g < RSS_GROWTH, "< %d kB" % RSS_GROWTH, "%d kB" % g)


if __name__ == "__main__":
    sys.exit(run_suite(body, SECONDS + 400, SECONDS + 300))
