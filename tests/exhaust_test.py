"""accept() failing with EMFILE (tests/accept_fail.c, preloaded while a
flag file exists): the serving process must not spin on its readable
listening socket, must log it at a bounded rate, and must serve the
waiting client as soon as accept() works again.  And an article dropped
while the serving process is out of descriptors (its limit lowered for
real, prlimit(2)) is published once they come back, within about a
second, with rescans off: nothing is lost to a passing error."""

import os
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (T, Server, gem, poll, public_tmpdir,  # noqa: E402
                     run_suite, stop_checked, write)
from soak_ops import nofile, open_fds  # noqa: E402

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), ".."))
SHIM = os.path.join(ROOT, "build", "tests", "accept_fail.so")
STARVED = 1.5		# seconds the failure lasts
# a spinning loop burns the whole second; a paused one next to nothing
MAX_TICKS = 20		# of 100 per second, in STARVED seconds


def ticks(pid):
    """user + system clock ticks of pid (every thread)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def preload(binary):
    """LD_PRELOAD for binary: the sanitizer runtime must come first."""
    out = subprocess.run(["ldd", binary], capture_output=True,
                         text=True).stdout
    first = [l.split("=>")[1].split()[0] for l in out.splitlines()
             if "libasan" in l and "=>" in l]
    return " ".join(first + [SHIM])


def body(binary):
    tmp = public_tmpdir("capsuled-exhaust.")
    flag = os.path.join(tmp, "flag")
    certs = os.path.join(tmp, "certs")
    os.mkdir(certs, 0o755)
    env = dict(os.environ, LD_PRELOAD=preload(binary),
               ACCEPT_FAIL_FLAG=flag)
    srv = Server([binary, "--no-sandbox", "-g", "0", "-p", "0", "-T", "5",
                  "-d", os.path.join(ROOT, "capsule"), "-C", certs],
                 env=env, name="exhaust")
    if not T.check("listening lines", srv.start(), "gemini and gopher",
                   srv.text()[-300:]):
        return
    ok, child, _ = poll(lambda: _child(srv.proc.pid), 5)
    T.check("a serving process", ok, "its pid", child)
    open(flag, "w").close()
    c = socket.create_connection(("127.0.0.1", srv.gport), timeout=10)
    c.sendall(b"/\r\n")
    said = srv.wait_line(lambda l: b"cannot accept connections" in l, 5)
    T.check("the failure is logged", said is not None,
            "capsuled: cannot accept connections: Too many open files ...",
            srv.text()[-300:])
    t0 = ticks(child)
    time.sleep(STARVED)
    spent = ticks(child) - t0
    T.check("no busy loop while accept() fails", spent <= MAX_TICKS,
            "<= %d ticks in %.1f s" % (MAX_TICKS, STARVED), spent)
    n = sum(1 for l in srv.lines_since(0) if b"accept" in l)
    T.check("logged at a bounded rate", n == 1, 1, n)
    os.unlink(flag)
    t0 = time.monotonic()
    data = b""
    while True:
        d = c.recv(65536)
        if not d:
            break
        data += d
    took = time.monotonic() - t0
    c.close()
    T.check("the waiting client is served once accept() works",
            data.endswith(b".\r\n") and b"Welcome" in data, "the root menu",
            data[-200:])
    T.check("... within about a second", took < 2.5, "< 2.5 s",
            "%.2f s" % took)
    stop_checked(srv, "exhaust")
    dropped_while_starved(binary, tmp)


def dropped_while_starved(binary, tmp):
    capsule = os.path.join(tmp, "capsule")
    shutil.copytree(os.path.join(ROOT, "capsule"), capsule)
    conf = os.path.join(tmp, "capsuled.conf")
    write(conf, "rescan 0\nhost localhost\ncapsule %s\ncerts %s\n" % (
        capsule, os.path.join(tmp, "certs")))
    srv = Server([binary, "-c", conf, "-g", "0", "-p", "0"], name="starved")
    if not T.check("starved: listening", srv.start(), "gemini and gopher",
                   srv.text()[-300:]):
        return
    # serving: its certificate made, its capsule read (the limit is the
    # serving process's own: one starting would fail with it)
    poll(lambda: (gem(srv.port, "/").status == "20", None), 10)
    ok, child, _ = poll(lambda: _child(srv.proc.pid), 5)
    try:
        old = nofile(child)
        nofile(child, (open_fds(child), old[1]))
    except (OSError, TypeError) as e:
        T.skip("an article dropped while out of descriptors",
               "cannot lower the serving process's limit: %r" % e)
        stop_checked(srv, "starved")
        return
    n = srv.nlines()
    write(os.path.join(tmp, "new.txt"), "Starved Drop\n\nWritten while the "
          "server had no descriptor to spare.\n")
    os.rename(os.path.join(tmp, "new.txt"), os.path.join(capsule, "new.txt"))
    said = srv.wait_line(lambda l: b"cannot be read" in l, 10, n)
    T.check("starved: the file that cannot be read is logged, and "
            "tried again", said is not None and b"Too many open files" in
            said and b"tried again every second" in said,
            "new.txt: skipped: cannot be read (Too many open files); not "
            "published until it can be (tried again every second)", said)
    time.sleep(2.5)         # two more tries, in vain
    nofile(child, old)
    t0 = time.monotonic()
    ok, r, _ = poll(lambda: (lambda r: (r.status == "20", r))(
        gem(srv.port, "/articles/starved-drop.gmi")), 10)
    took = time.monotonic() - t0
    T.check("starved: published once descriptors are back (rescans off)",
            ok and b"no descriptor to spare" in r.body, "20 and the text",
            r)
    T.check("... within about a second", took < 2.5, "< 2.5 s",
            "%.2f s" % took)
    n = sum(1 for l in srv.lines_since(0) if b"cannot be read" in l)
    T.check("starved: logged once, not at every try", n == 1, 1, n)
    stop_checked(srv, "starved")


def _child(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                         text=True).stdout.split()
    return (len(out) > 0, int(out[0]) if out else None)


if __name__ == "__main__":
    sys.exit(run_suite(body, 60, 30))
