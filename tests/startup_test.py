"""startup_test.py [BIN]: changes made while capsuled starts are not
lost.  A capsule of a few thousand articles takes a while to read; files
dropped all the while (from the start of the process until after it
serves) must all be served, with rescans off, so that only the watch
can have seen them: the directory is watched before it is read.  And
such a capsule is served before its related entries are checked: the
one not found is logged by the watcher thread, once."""

import os
import random
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (T, Server, gem, poll, public_tmpdir,  # noqa: E402
                     run_suite, stop_checked, write)
from soak_judge import listed_titles  # noqa: E402
from soak_test import own_gen  # noqa: E402

ARTICLES = 4000
EVERY = 0.005           # seconds between two dropped files


def dropper(capsule, tmp, stop, names):
    n = 0
    while not stop.is_set():
        n += 1
        name = "late_%d.txt" % n
        write(os.path.join(tmp, name), "Late Arrival %d\n\nDropped while "
              "the server was starting.\n" % n)
        os.rename(os.path.join(tmp, name), os.path.join(capsule, name))
        names.append(n)
        time.sleep(EVERY)


def body(binary):
    root = public_tmpdir("capsuled-startup.")
    capsule = os.path.join(root, "capsule")
    own_gen(capsule, ARTICLES)
    write(os.path.join(capsule, "zz_dangling.txt"), "Dangling Entry\n\n"
          "Names an article that is not there.\n\nNo Such Article Here\n"
          "A summary.\nREAD MORE\n")
    certs = os.path.join(root, "certs")
    os.mkdir(certs, 0o755)
    conf = os.path.join(root, "capsuled.conf")
    write(conf, "rescan 0\nhost localhost\ncapsule %s\ncerts %s\n" % (
        capsule, certs))
    stop = threading.Event()
    names = []
    th = threading.Thread(target=dropper, args=(capsule, root, stop, names))
    th.start()
    s = Server([binary, "-c", conf, "-g", "0", "-p", "0"], name="startup")
    try:
        started = s.start(30)
        # a moment more of changes once it serves
        time.sleep(0.3)
    finally:
        stop.set()
        th.join()
    if not T.check("listening", started, "gemini and gopher",
                   s.text()[-300:]):
        return
    want = sorted(names)

    def served():
        got = sorted(int(t.split()[-1]) for t in listed_titles(s.port)
                     if t.startswith("Late Arrival "))
        return got == want, got
    ok, got, took = poll(served, 15)
    missing = sorted(set(want) - set(got or []))
    T.check("every one of %d files dropped while it started is served "
            "(rescans off)" % len(want), ok and len(want) > 20,
            "all, > 20", "missing %d: %s" % (len(missing), missing[:20]))
    # a capsule this large is served before its related entries are
    # checked: the watcher logs the one not found, once, before it
    # builds the text index
    warn = ('%s/zz_dangling.txt: warning: related article "No Such '
            'Article Here" not found' % capsule)

    def logged():
        log = s.text().decode("utf-8", "replace")
        return "text index of" in log, log
    ok, log, _ = poll(logged, 30)
    lines = (log or "").split("\n")
    at = [i for i, l in enumerate(lines) if warn in l]
    # the serving process's first sandbox line (or the sanitizer
    # build's) is logged after the capsule is read, before the watcher
    # thread starts
    sandboxed_at = [i for i, l in enumerate(lines) if re.search(
        r"Landlock: read-only|has no Landlock|NO SANDBOX", l)]
    index_at = [i for i, l in enumerate(lines) if "text index of" in l]
    T.check("the related entry not found is logged once, by the watcher "
            "(after the sandbox line), before the text index is built",
            ok and len(at) == 1 and sandboxed_at and index_at and
            sandboxed_at[0] < at[0] < index_at[0], "once, in between",
            "%s at %s, sandbox at %s, index at %s" % (ok, at, sandboxed_at,
                                                     index_at))
    stop_checked(s, "startup")
    aside(binary, root)


LONG = 8000             # articles of LONG_WORDS words: seconds to index
LONG_WORDS = 1000


def long_capsule(out):
    """LONG articles of LONG_WORDS words each, cut from one pool of
    random words (quick to make, long to index)."""
    rnd = random.Random(20)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rnd.choice(letters) for _ in range(rnd.randint(3, 9)))
             for _ in range(20000)]
    pool = [rnd.choice(words) for _ in range(LONG_WORDS * 50)]
    os.makedirs(out)
    for i in range(LONG):
        at = rnd.randrange(len(pool) - LONG_WORDS)
        write(os.path.join(out, "%05d.txt" % i), "Long Article %d\n%s.\n" %
              (i, " ".join(pool[at:at + LONG_WORDS])))


def aside(binary, root):
    """A large capsule's text index is built on a thread of its own: an
    article dropped at start-up is served before the index is built (the
    watcher publishes it without one), and once the index is built a
    search finds it (the index caught up with the changes made while it
    was built)."""
    capsule = os.path.join(root, "long")
    long_capsule(capsule)
    s = Server([binary, "-d", capsule, "-C", os.path.join(root, "certs"),
                "-g", "0", "-p", "0"], name="aside")
    try:
        started = s.start(30)
        # read, not yet indexed: a change for the watcher
        s.wait_line(lambda l: b"before their text index" in l, 60)
        write(os.path.join(root, "aside.tmp"), "Dropped Aside\n\nThe "
              "word zyxwvutsr is in no other article.\n")
        os.rename(os.path.join(root, "aside.tmp"),
                  os.path.join(capsule, "zz_aside.txt"))
        if not T.check("aside: listening", started, "ports",
                       s.text()[-300:]):
            return

        def page():
            r = gem(s.port, "/articles/dropped-aside.gmi", timeout=30)
            return r.status == "20", r
        ok, r, _ = poll(page, 60)
        log = s.text().decode("utf-8", "replace")
        T.check("aside: an article dropped at start-up is served before "
                "the text index is built", ok and "text index of" not in
                log, "served, no index yet", "%r; index built: %s" % (
                    r, "text index of" in log))
        built = s.wait_line(lambda l: b"text index of" in l, 120)

        def found():
            r = gem(s.port, "/search?zyxwvutsr")
            return "/articles/dropped-aside.gmi" in r.text(), r
        ok, r, _ = poll(found, 10)
        T.check("aside: once the index is built, a search finds the "
                "article dropped while it was built", built is not None and
                ok, "found", repr(r))
    finally:
        stop_checked(s, "aside")


if __name__ == "__main__":
    sys.exit(run_suite(body, 120, 90))
