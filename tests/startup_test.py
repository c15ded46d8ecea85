"""startup_test.py [BIN]: changes made while capsuled starts are not
lost.  A capsule of a few thousand articles takes a while to read; files
dropped all the while (from the start of the process until after it
serves) must all be served, with rescans off, so that only the watch
can have seen them: the directory is watched before it is read.  And
such a capsule is served before its related entries are checked: the
one not found is logged by the watcher thread, once."""

import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (T, Server, poll, public_tmpdir,  # noqa: E402
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


if __name__ == "__main__":
    sys.exit(run_suite(body, 120, 90))
