"""startup_test.py [BIN]: changes made while capsuled starts are not
lost.  A capsule of a few thousand articles takes a while to read; files
dropped all the while (from the start of the process until after it
serves) must all be served, with rescans off, so that only the watch
can have seen them: the directory is watched before it is read."""

import os
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
    stop_checked(s, "startup")


if __name__ == "__main__":
    sys.exit(run_suite(body, 120, 90))
