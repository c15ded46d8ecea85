#!/usr/bin/env python3
"""soak_test.py [BIN]: one capsuled with every listener (Gemini, Gopher
and Gopher over TLS, Spartan, Nex, HTTP) and Titan, on a generated
capsule, for SOAK_SECONDS (default 600; `make check` runs 30), under
everything at once (issue 19, first version):

  1. readers on every protocol at a steady rate (a thread each; Gemini
     with full and resumed handshakes), every answer checked against
     the same page fetched at rest: the text before the "Similar
     articles" section byte for byte (that section follows what authors
     add), and a complete end (Gemini, Spartan: LF; Gopher: ".CRLF";
     Nex: the Home link; HTTP: Content-Length and </html>);
  2. authors: files dropped, edited in place, renamed and deleted every
     few hundred ms; Titan uploads, edits and deletes; at the end every
     acknowledged upload is on disk with exactly its bytes, every
     earlier acknowledged version in .titan-history;
  3. operations: SIGHUP three times (each "reloaded:"), one kill -9 of
     the serving process (the parent starts another; the failed
     requests are counted, allowed only around the kill), 200 slow
     clients (from 127.0.0.2) while a normal request is answered;
  4. exhaustion: accept() failing (build/tests/accept_fail.so and a
     flag file) for 1.5 s: no busy loop, and the waiting client served
     after;
  5. RSS of every capsuled process at start, middle and end (growth
     checked only when SOAK_SECONDS >= 300: it is noise in 30 s);
  6. one report table; any wrong, truncated or mixed answer, lost write
     or crash other than the injected one is a failure.
Timing bounds are generous (a loaded 2-core machine): see SLOW_BOUND.
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
from exhaust_test import preload, ticks as _ticks  # noqa: E402
from haproxy_test import child_of as children  # noqa: E402
from titan_test import cert, own  # noqa: E402

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), ".."))
SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
ARTICLES = int(os.environ.get("SOAK_ARTICLES",
                              "10000" if SECONDS >= 300 else "300"))
SHARED = os.environ.get("SHARED", os.path.join(ROOT, "..", "shared"))
SAMPLE = 40             # stable articles the readers read
PACE = 0.02             # seconds between two requests of one reader
# a normal request while 200 slow clients are held: the issue asks 1 s;
# 2 s here because the machine runs 4 suites on 2 cores (a flaky check
# is a bug)
SLOW_BOUND = 2.0
SLOW_CLIENTS = 200
STARVED = 1.5
MAX_TICKS = 30          # of 100/s in STARVED seconds: a spin burns ~150
RSS_GROWTH = 5 * 1024   # kB, after warm-up, long runs only
PROTOS = ["gemini", "gemini-resume", "gopher", "gophers", "spartan", "nex",
          "http"]

STOP = threading.Event()
PAUSE = threading.Event()       # readers hold off (exhaustion phase)
LOCK = threading.Lock()
STATS = {p: {"n": 0, "ok": 0, "lat": [], "fail": {}} for p in PROTOS}
KILL_WINDOW = [None, None]      # monotonic times: failures allowed
EVENTS = []


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


# ------------------------------------------------------------ clients

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


def reader(s, proto, base, slugs):
    rnd = random.Random(proto)
    session = None
    st = STATS[proto]
    while not STOP.is_set():
        if PAUSE.is_set():
            time.sleep(0.05)
            continue
        slug = rnd.choice(slugs)
        t0 = time.monotonic()
        r, body, code = request(s, proto, slug, session)
        t1 = time.monotonic()
        if proto == "gemini-resume":
            session = r.session
        cause = judge(proto, base[proto][slug], body, code)
        allowed = False
        if cause is not None:
            if code in ALLOWED and proto in ("gemini", "gemini-resume",
                                             "spartan"):
                allowed = True
                cause = "status %s (allowed)" % code
            elif KILL_WINDOW[0] is not None and KILL_WINDOW[0] - 0.5 <= t0 \
                    and (KILL_WINDOW[1] is None or t0 <= KILL_WINDOW[1]) \
                    and (r.error or r.reset or code is None or
                         cause == "truncated"):
                # a connection the kill cut (an error, a reset, no
                # header, or a page cut short: never another page):
                # counted, allowed
                allowed = True
                cause = "cut by kill -9 (allowed)"
        with LOCK:
            st["n"] += 1
            if cause is None:
                st["ok"] += 1
                st["lat"].append(t1 - t0)
            else:
                st["fail"][cause] = st["fail"].get(cause, 0) + 1
                if not allowed:
                    T.check("%s %s: a right, complete page" % (proto, slug),
                            False, split(proto, base[proto][slug])[-300:],
                            "%s: %r %s" % (cause, body[-300:], r.error))
        time.sleep(PACE)


# ------------------------------------------------------------ authors

def author(capsule, stats):
    """Files dropped, edited in place, renamed and deleted."""
    rnd = random.Random(7)
    live = []
    n = 0
    while not STOP.is_set():
        op = rnd.choice(["drop", "drop", "edit", "rename", "delete"])
        try:
            if op == "drop" or not live:
                n += 1
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
        p = rnd.choice(free)
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


# ------------------------------------------------------------ processes

def tree(pid):
    out = [pid]
    for c in children(pid):
        out += tree(c)
    return out


def rss(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None


def ticks(pid):
    try:
        return _ticks(pid)
    except (OSError, IndexError):
        return 0         # exited meanwhile


def cpu_ticks(s):
    """The parent's ticks with its reaped children's (the killed and the
    replaced serving processes), plus the live children's."""
    pid = s.proc.pid
    try:
        with open("/proc/%d/stat" % pid) as f:
            fl = f.read().rsplit(")", 1)[1].split()
        own = sum(int(x) for x in fl[11:15])
    except OSError:
        own = 0
    return own + sum(ticks(p) for p in tree(pid)[1:])


def rss_all(s):
    return {p: rss(p) for p in tree(s.proc.pid)}


# ------------------------------------------------------------ operations

def sighup(s):
    n = s.nlines()
    s.proc.send_signal(signal.SIGHUP)
    ok = s.wait_line(lambda l: b"reloaded:" in l, 30, n) is not None
    T.check("SIGHUP: reloaded", ok, "reloaded:", s.text()[-300:])
    event("SIGHUP, reloaded" if ok else "SIGHUP, no reload line")


def kill9(s):
    kids = children(s.proc.pid)
    if not T.check("kill -9: a serving process", len(kids) >= 1, ">= 1",
                   kids):
        return
    serving = kids[0]
    KILL_WINDOW[0] = time.monotonic()
    os.kill(serving, signal.SIGKILL)
    event("kill -9 of the serving process %d" % serving)
    ok, new, took = poll(lambda: (any(c != serving for c in
                                      children(s.proc.pid)), None), 30)
    # serving again: one Gopher home page
    ok2, _, took2 = poll(lambda: (gopher_req(b"/\r\n", s.gport, timeout=5)
                                  .raw.endswith(b".\r\n"), None), 30)
    KILL_WINDOW[1] = time.monotonic() + 1.0
    T.check("kill -9: the parent starts another serving process", ok,
            "a new child", children(s.proc.pid))
    T.check("kill -9: served again", ok2, "the home menu", "")
    event("a new serving process, serving again after %.2f s" % took2)


def slow_clients(s):
    held = []
    for _ in range(SLOW_CLIENTS):
        try:
            c = socket.socket()
            c.settimeout(5)
            c.bind(("127.0.0.2", 0))
            c.connect((HOST, s.port))
            c.sendall(b"g")
            held.append(c)
        except OSError:
            break
    t0 = time.monotonic()
    r = gem(s.port, "/")
    took = time.monotonic() - t0
    T.check("%d slow clients held: a normal request answered within %.0f s"
            % (len(held), SLOW_BOUND), r.status == "20" and
            took < SLOW_BOUND, "20 in < %.1f s" % SLOW_BOUND,
            "%s in %.2f s" % (r.status, took))
    event("%d slow clients, a normal request answered in %.3f s" %
          (len(held), took))
    for c in held:
        c.close()
    return len(held), took


def exhaustion(s, flag):
    PAUSE.set()
    time.sleep(0.5)     # let the readers' requests in flight end
    kids = children(s.proc.pid)
    n = s.nlines()
    open(flag, "w").close()
    c = socket.create_connection((HOST, s.gport), timeout=15)
    c.sendall(b"/\r\n")
    said = s.wait_line(lambda l: b"cannot accept" in l, 10, n)
    T.check("exhaustion: logged", said is not None, "cannot accept", "")
    t0 = sum(ticks(k) for k in kids)
    time.sleep(STARVED)
    spent = sum(ticks(k) for k in kids) - t0
    T.check("exhaustion: no busy loop while accept() fails",
            spent <= MAX_TICKS, "<= %d ticks in %.1f s" % (MAX_TICKS,
                                                          STARVED), spent)
    os.unlink(flag)
    t1 = time.monotonic()
    try:
        data = b"".join(iter(lambda: c.recv(65536), b""))
    except OSError as e:
        data = repr(e).encode()
    c.close()
    took = time.monotonic() - t1
    T.check("exhaustion: the waiting client served after",
            data.endswith(b".\r\n"), "the home menu", data[-200:])
    PAUSE.clear()
    event("accept() failing %.1f s: %d ticks, the waiting client served "
          "%.2f s after" % (STARVED, spent, took))
    return spent


# ------------------------------------------------------------ main

def pct(v, q):
    if not v:
        return float("nan")
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))]


def body(binary):
    global T0
    more_fds(8192)
    root = public_tmpdir("capsuled-soak.")
    capsule = os.path.join(root, "capsule")
    t = time.monotonic()
    how = make_capsule(capsule)
    own(capsule)
    os.makedirs(os.path.join(root, "certs"))
    event("phase 1: %d articles by %s in %.1f s" % (
        len(os.listdir(capsule)), how, time.monotonic() - t))
    ann = cert(root, "ann")
    conf = os.path.join(root, "capsuled.conf")
    write(conf, "host localhost\ncapsule %s\ncerts %s\ntitan yes\n"
          "author %s Ann\ntitan-history 1000\n" % (
              capsule, os.path.join(root, "certs"), ann[2]))
    # in the capsule (a dot file, not served), where the serving
    # process's Landlock rules let it look
    flag = os.path.join(capsule, ".accept-fail")
    env = dict(os.environ, LD_PRELOAD=preload(binary),
               ACCEPT_FAIL_FLAG=flag)
    s = Server([binary, "-c", conf, "-g", "0", "-p", "0", "-s", "0", "-x",
                "0", "-w", "0", "-T", "10"], env=env, name="soak")
    if not T.check("every listener", s.start(60), "gemini gopher spartan "
                   "nex http", s.text()[-600:]):
        return
    ok, _, _ = poll(lambda: (len(children(s.proc.pid)) > 0, None), 10)
    T.check("a serving process", ok, "a child", "")
    # the stable sample, each page at rest on every protocol
    home = gem(s.port, "/articles/page/1.gmi")
    if home.status != "20":
        home = gem(s.port, "/")
    slugs = re.findall(r"^=> /articles/([^/ ]+)\.gmi ", home.text(), re.M)
    slugs = [x for x in slugs if not x.startswith("page")][:SAMPLE]
    T.check("a sample of articles", len(slugs) >= 5, ">= 5", len(slugs))
    base = {p: {} for p in PROTOS}
    for slug in slugs:
        for p in PROTOS:
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
        for p in ("gopher", "gophers"):     # the menus' display texts
            texts[p] = b" ".join(l.split(b"\t")[0][1:] for l in
                                 texts[p].split(b"\r\n"))
        miss = [p for p, v in texts.items()
                if para not in b" ".join(v.replace(b"\r\ni", b" ").split())]
        T.check("at rest: %s: the same words everywhere" % slug,
                para and not miss, para, miss)
    T0 = time.monotonic()
    rss_start = None
    threads = [threading.Thread(target=reader, args=(s, p, base, slugs),
                                daemon=True) for p in PROTOS]
    fstats = {}
    up = {}
    ctx = client_ctx(cert=ann[:2])
    threads.append(threading.Thread(target=author, args=(capsule, fstats),
                                    daemon=True))
    threads.append(threading.Thread(target=titan,
                                    args=(s, ctx, capsule, up), daemon=True))
    cpu0 = cpu_ticks(s)
    for th in threads:
        th.start()
    event("phases 2-3: readers on %d protocols, an author, a Titan "
          "uploader" % len(PROTOS))
    plan = [(0.1, "rss-start"), (0.2, "sighup"), (0.3, "slow"),
            (0.4, "sighup"), (0.5, "kill"), (0.55, "rss-mid"),
            (0.65, "exhaust"), (0.8, "sighup"), (1.0, "end")]
    rss_mid = None
    slow = (0, 0)
    for frac, what in plan:
        at = T0 + frac * SECONDS
        while time.monotonic() < at and s.alive():
            time.sleep(min(0.5, max(0.0, at - time.monotonic())))
        if not T.check("capsuled still running (%s)" % what, s.alive(),
                       "running", s.text()[-600:]):
            break
        if what == "rss-start":
            rss_start = rss_all(s)
        elif what == "rss-mid":
            rss_mid = rss_all(s)
        elif what == "sighup":
            sighup(s)
        elif what == "slow":
            slow = slow_clients(s)
        elif what == "kill":
            kill9(s)
        elif what == "exhaust":
            exhaustion(s, flag)
    rss_end = rss_all(s)
    cpu = cpu_ticks(s) - cpu0
    STOP.set()
    for th in threads:
        th.join(30)
    elapsed = time.monotonic() - T0
    T.check("threads ended", not any(th.is_alive() for th in threads),
            "ended", "")
    nver, lost = verify_uploads(capsule, up)
    lines = s.lines_since(0)
    stop_checked(s, "soak")
    # the report
    print("\n== soak report: %.0f s, %d articles, capsuled %s" % (
        elapsed, ARTICLES, os.path.basename(binary)))
    print("%-14s %7s %7s %8s %8s  %s" % ("protocol", "reqs", "ok",
                                         "p50 ms", "p99 ms", "failures"))
    print("-" * 72)
    wrong = 0
    for p in PROTOS:
        st = STATS[p]
        f = ", ".join("%s: %d" % kv for kv in sorted(st["fail"].items()))
        wrong += sum(v for k, v in st["fail"].items() if "allowed" not in k)
        print("%-14s %7d %7d %8.1f %8.1f  %s" % (
            p, st["n"], st["ok"], 1000 * pct(st["lat"], 0.5),
            1000 * pct(st["lat"], 0.99), f or "-"))
    cut = sum(v for p in PROTOS for k, v in STATS[p]["fail"].items()
              if "kill" in k)
    print("requests cut by the kill -9 (allowed): %d" % cut)
    print("uploads: %s; %d acknowledged versions verified, %d lost" % (
        ", ".join("%s %d" % kv for kv in UPSTATS.items()), nver, lost))
    print("author file operations: %s" % ", ".join(
        "%s %d" % kv for kv in sorted(fstats.items())))
    print("slow clients: %d held, a normal request in %.3f s" % slow)
    print("CPU: %.1f s of capsuled (every process, the dead ones too) in "
          "%.0f s" %
          (cpu / 100.0, elapsed))
    for name, r in (("start", rss_start), ("middle", rss_mid),
                    ("end", rss_end)):
        print("RSS %-6s: %s" % (name, ", ".join(
            "%d: %d kB" % kv for kv in sorted((r or {}).items()))))
    lv = {}
    for line in lines:
        m = re.search(rb": (warning|error|fatal|notice|info|debug): ", line)
        k = m.group(1).decode() if m else "info and access"
        lv[k] = lv.get(k, 0) + 1
    print("log lines: %s" % ", ".join("%s %d" % kv for kv in
                                       sorted(lv.items())))
    print("events:")
    for t, msg in EVENTS:
        print("  %6.1f s  %s" % (t - T0, msg))
    print(flush=True)
    total = sum(STATS[p]["n"] for p in PROTOS)
    T.check("no wrong, truncated or mixed answer in %d requests" % total,
            wrong == 0, 0, wrong)
    T.check("every protocol answered", all(STATS[p]["ok"] > 0
                                           for p in PROTOS), "> 0",
            {p: STATS[p]["ok"] for p in PROTOS})
    T.check("uploads acknowledged", UPSTATS["acked"] > 0, "> 0", UPSTATS)
    pid = s.proc.pid
    if SECONDS >= 300 and rss_start and rss_end:
        g = rss_end.get(pid, 0) - rss_start.get(pid, 0)
        T.check("RSS of the parent grows < 5 MB", g < RSS_GROWTH,
                "< %d kB" % RSS_GROWTH, "%d kB" % g)
        # the serving process is a new one after the kill and after each
        # SIGHUP: the largest child at the middle and at the end
        def big(r):
            return max([v for k, v in r.items() if k != pid] or [0])
        if rss_mid:
            g = big(rss_end) - big(rss_mid)
            T.check("RSS of the serving process grows < 5 MB (middle to "
                    "end)", g < RSS_GROWTH, "< %d kB" % RSS_GROWTH,
                    "%d kB" % g)


if __name__ == "__main__":
    sys.exit(run_suite(body, SECONDS + 300, SECONDS + 240))
