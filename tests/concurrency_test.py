#!/usr/bin/env python3
"""concurrency_test.py BIN: many parallel clients on both protocols; every
response must be byte-identical to the one a single client gets.

Starts the real server (-g 0 -p 0, two workers) on the sample capsule,
fetches each page once alone, then fetches all of them from 64 threads
at once, several times over, and compares.  Ends with "N passed, N failed".
"""
import os
import re
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (T, Server, cleanup, finish, gem, gopher,  # noqa: E402
                     public_tmpdir, sanitizer_check, start_watchdog)

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "./capsuled")


def gemini(port, path):
    return gem(port, path).raw


def gopher_sel(port, sel):
    return gopher(port, sel.encode() + b"\r\n")


def main():
    timer = start_watchdog(100)
    tmp = public_tmpdir("capsuled-conc-")
    cap = os.path.join(tmp, "capsule")
    shutil.copytree("capsule", cap)
    with open(os.path.join(cap, "big.bin"), "wb") as f:
        f.write(os.urandom(300000))
    for root, dirs, files in os.walk(tmp):
        for n in dirs + files:
            os.chmod(os.path.join(root, n), 0o755)
    conf = os.path.join(tmp, "c.conf")
    with open(conf, "w") as f:
        f.write("workers 2\nhost localhost\ncapsule %s\ncerts %s\n"
                % (cap, os.path.join(tmp, "certs")))
    srv = Server([BIN, "-c", conf, "-g", "0", "-p", "0"])
    try:
        if T.check("listening lines", srv.start(), "both ports",
                   srv.text()[-600:]):
            check_pages(srv.port, srv.gport)
    finally:
        rc = srv.stop(40)
        T.check("SIGTERM exits 0", rc == 0, 0, rc)
        sanitizer_check("server", srv.text())
        cleanup()
        timer.cancel()
    finish()
    return 1 if T.failed else 0


def check_pages(port, gport):
    """Every page alone, then 8 times each from 64 threads at once."""
    home = gemini(port, "/").decode()
    paths = ["/", "/atom.xml", "/big.bin"] + re.findall(
        r"^=> (/articles/\S+\.gmi)", home, re.M)
    root = gopher_sel(gport, "").decode()
    sels = ["", "/caps.txt"] + re.findall(r"\t(/articles/[^\t]+)\t", root)
    sels += [s.rstrip("/") + ".txt" for s in sels if s.endswith("/")
             and s.startswith("/articles/")]
    want = {("g", x): gemini(port, x) for x in paths}
    want.update({("o", x): gopher_sel(gport, x) for x in sels})
    jobs = list(want) * 8

    def run(job):
        kind, x = job
        return job, (gemini(port, x) if kind == "g"
                     else gopher_sel(gport, x))
    with ThreadPoolExecutor(64) as ex:
        results = list(ex.map(run, jobs))
    bad = [j for j, body in results if body != want[j]]
    T.check("%d parallel responses identical to the single-client ones"
            % len(results), not bad, "none different", bad[:5])
    T.check("every page was fetched", len(results) == len(jobs),
            len(jobs), len(results))
    T.check("gemini pages look right",
            all(want[("g", x)].startswith(b"20 ") for x in paths),
            "20 for every page",
            [x for x in paths if not want[("g", x)].startswith(b"20 ")])


if __name__ == "__main__":
    sys.exit(main())
