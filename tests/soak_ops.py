"""soak_ops.py: the soak test's operations and faults (tests/soak_test.py):
slow clients, idle connections, a burst of connections, descriptors
exhausted by a real low limit, a full disk.  Each returns what the
report prints; checks go to the harness's tally."""

import os
import re
import resource
import selectors
import socket
import subprocess
import time

from harness import HOST, T, gem
from haproxy_test import child_of as children

# the addresses slow and idle clients come from: many, as an attack's
# would (the per-address limit does not apply to loopback by default)
def addresses(n, net):
    return ["127.%d.%d.%d" % (net, i // 250, 1 + i % 250) for i in range(n)]


def connect(addr, port, source):
    c = socket.socket()
    c.setblocking(False)
    c.bind((source, 0))
    try:
        c.connect((addr, port))
    except BlockingIOError:
        pass
    return c


def trickle(c):
    """Send one more byte of a request that never ends on c: False when
    the server has closed it."""
    try:
        c.send(b"g")
        return c.recv(4096, socket.MSG_PEEK) != b""
    except (BlockingIOError, InterruptedError):
        return True         # nothing to read (or the send must wait)
    except OSError:
        return False


def slowloris(port, n, seconds, bound, stop):
    """n clients that send a request one byte at a time (every 2 s),
    reconnecting when the server drops them, for seconds; meanwhile a
    normal request every second must be answered within bound.
    (held, dropped by the server, probes, worst probe seconds)."""
    srcs = addresses(n, 40)
    held = {}
    dropped = 0
    worst = 0.0
    probes = 0
    late = []
    end = time.monotonic() + seconds
    last_trickle = 0.0
    next_probe = time.monotonic() + 1
    while time.monotonic() < end and not stop.is_set():
        for i, src in enumerate(srcs):
            if i not in held:
                try:
                    held[i] = connect(HOST, port, src)
                except OSError:
                    pass
        now = time.monotonic()
        if now - last_trickle >= 2:
            last_trickle = now
            for i, c in list(held.items()):
                if not trickle(c):
                    c.close()
                    del held[i]
                    dropped += 1
        if now >= next_probe:
            next_probe = now + 1
            t0 = time.monotonic()
            r = gem(port, "/", source=("127.0.0.2", 0))
            took = time.monotonic() - t0
            probes += 1
            worst = max(worst, took)
            if r.status != "20" or took >= bound:
                late.append("%s in %.2f s" % (r.status, took))
        time.sleep(0.05)
    n_held = len(held)
    for c in held.values():
        c.close()
    T.check("%d slow clients for %.0f s: every normal request answered "
            "within %.1f s" % (n, seconds, bound), probes > 0 and not late,
            "%d probes, none late" % probes, late[:5])
    return n_held, dropped, probes, worst


def idle(ports, n, deadline):
    """n connections spread over ports that send nothing: every one must
    be closed by the server within deadline seconds.  (opened, closed,
    seconds the last took)."""
    srcs = addresses(n, 41)
    sel = selectors.DefaultSelector()
    t0 = time.monotonic()
    opened = 0
    for i, src in enumerate(srcs):
        try:
            c = connect(HOST, ports[i % len(ports)], src)
        except OSError:
            continue
        sel.register(c, selectors.EVENT_READ)
        opened += 1
    closed = 0
    last = 0.0
    end = t0 + deadline
    while closed < opened and time.monotonic() < end:
        for key, _ in sel.select(0.5):
            c = key.fileobj
            try:
                d = c.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                d = b""
            if d:
                continue        # a Gemini 59, a Gopher error, ...: then EOF
            sel.unregister(c)
            c.close()
            closed += 1
            last = time.monotonic() - t0
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    T.check("%d idle connections: all closed by the server within %.0f s"
            % (opened, deadline), opened == n and closed == opened,
            "%d closed" % n, "%d of %d opened closed" % (closed, opened))
    return opened, closed, last


def burst(port, n, seconds, request, good):
    """n connections opened within seconds (evenly), each sends request
    and reads to the end; good(bytes) judges each answer.  (answered
    right, wrong, failed, seconds until the last answer)."""
    sel = selectors.DefaultSelector()
    srcs = addresses(100, 42)
    t0 = time.monotonic()
    sent = 0
    done = wrong = failed = 0
    bufs = {}
    bad = []
    while done + wrong + failed < n and time.monotonic() < t0 + 60:
        due = min(n, int((time.monotonic() - t0) / seconds * n) + 1)
        while sent < due:
            try:
                c = connect(HOST, port, srcs[sent % len(srcs)])
                sel.register(c, selectors.EVENT_WRITE)
                bufs[c] = None
            except OSError as e:
                failed += 1
                bad.append(repr(e))
            sent += 1
        for key, ev in sel.select(0.01):
            c = key.fileobj
            if bufs[c] is None:
                try:
                    c.send(request)
                    bufs[c] = bytearray()
                    sel.modify(c, selectors.EVENT_READ)
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError as e:
                    failed += 1
                    bad.append(repr(e))
                    sel.unregister(c)
                    c.close()
                continue
            try:
                d = c.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError as e:
                d = None
                bad.append(repr(e))
            if d:
                bufs[c] += d
                continue
            sel.unregister(c)
            c.close()
            if d is None:
                failed += 1
            elif good(bytes(bufs[c])):
                done += 1
            else:
                wrong += 1
                bad.append(bytes(bufs[c][-200:]))
            del bufs[c]
    took = time.monotonic() - t0
    for c in bufs:
        c.close()
    T.check("a burst of %d connections in %.0f s: every one answered "
            "right" % (n, seconds), done == n, n,
            "%d right, %d wrong, %d failed: %s" % (done, wrong, failed,
                                                   bad[:3]))
    return done, wrong, failed, took


def nofile(pid, limits=None):
    """The (soft, hard) descriptor limits of process pid, set to limits
    first if given: with prlimit(2) from a child that takes pid's user
    and group (without CAP_SYS_RESOURCE, as in a container, only the
    same user may change another process's limits)."""
    ids = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("Uid", "Gid"):
                ids[k] = int(v.split()[0])
    with open("/proc/%d/limits" % pid) as f:
        m = re.search(r"^Max open files +(\d+) +(\d+)", f.read(), re.M)
    old = (int(m.group(1)), int(m.group(2)))
    if limits is None:
        return old
    child = os.fork()
    if child == 0:
        code = 1
        try:
            os.setgroups([])
            os.setgid(ids["Gid"])
            os.setuid(ids["Uid"])
            resource.prlimit(pid, resource.RLIMIT_NOFILE, limits)
            code = 0
        finally:
            os._exit(code)
    _, st = os.waitpid(child, 0)
    if st != 0:
        raise OSError("prlimit(%d, %r) as uid %d failed" % (pid, limits,
                                                           ids["Uid"]))
    return old


def open_fds(pid):
    """The lowest descriptor number pid has free: with its limit there,
    it can open nothing more (the limit bounds numbers, not counts)."""
    fds = {int(x) for x in os.listdir("/proc/%d/fd" % pid)}
    return min(set(range(len(fds) + 1)) - fds)


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
    """user + system clock ticks of pid (every thread); 0 once gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fl = f.read().rsplit(")", 1)[1].split()
        return int(fl[11]) + int(fl[12])
    except (OSError, IndexError):
        return 0


def cpu_ticks(pid):
    """pid's ticks with its reaped children's (the killed and the
    replaced serving processes), plus the live descendants'."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fl = f.read().rsplit(")", 1)[1].split()
        own = sum(int(x) for x in fl[11:15])
    except OSError:
        own = 0
    return own + sum(ticks(p) for p in tree(pid)[1:])


def rss_all(pid):
    return {p: rss(p) for p in tree(pid)}


def exhaust(pid, port, seconds, max_ticks, log_count):
    """A real low descriptor limit on the serving process pid (its soft
    RLIMIT_NOFILE lowered to its lowest free descriptor plus 4, with
    prlimit(2)),
    filled by idle clients: the clients past it cannot be accepted.  The
    process must not spin (at most max_ticks of CPU in seconds), must
    log it at most once in 10 s, and must serve the waiting clients once
    the limit is back and the idle ones are gone.  (ticks spent, log
    lines, served after, the limit)."""
    old = nofile(pid)
    low = open_fds(pid) + 4
    n0 = log_count()
    nofile(pid, (low, old[1]))
    waiting = []
    holders = []
    try:
        for _ in range(8):
            holders.append(socket.create_connection((HOST, port),
                                                    timeout=30))
        for _ in range(12):
            c = socket.create_connection((HOST, port), timeout=30)
            c.sendall(b"/\r\n")
            waiting.append(c)
        time.sleep(0.5)             # the accepts that could, done
        t0 = ticks(pid)
        time.sleep(seconds)
        spent = ticks(pid) - t0
    finally:
        nofile(pid, old)
        for c in holders:
            c.close()
    logged = log_count() - n0
    served = 0
    for c in waiting:
        try:
            data = b"".join(iter(lambda: c.recv(65536), b""))
        except OSError:
            data = b""
        c.close()
        served += data.endswith(b".\r\n")
    T.check("descriptors exhausted (limit %d): no busy loop" % low,
            spent <= max_ticks, "<= %d ticks in %.1f s" % (max_ticks,
                                                          seconds), spent)
    T.check("descriptors exhausted: logged, at most once in 10 s",
            1 <= logged <= 1 + int(seconds) // 10, "1", logged)
    T.check("descriptors exhausted: every waiting client served after",
            served == len(waiting), len(waiting), served)
    return spent, logged, served, low


def mount_tmpfs(path, mb):
    os.makedirs(path, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm,mode=755" % mb,
                    "tmpfs", path], check=True)


def shrink_tmpfs(path, spare_mb):
    st = os.statvfs(path)
    used = (st.f_blocks - st.f_bfree) * st.f_frsize
    mb = used // (1 << 20) + spare_mb
    subprocess.run(["mount", "-o", "remount,size=%dm" % mb, path],
                   check=True)
    return mb


def fill(path):
    """Fill the file system of path: the file that does it (remove it to
    free the space)."""
    f = os.path.join(path, ".soak-filler")
    fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 20, 4096):    # then the last pages' worth
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    return f


def full_disk(titan_put, path, capsule):
    """The capsule's file system full: an upload of an existing article
    gets 40 and the old file stays as it was; after the space is freed
    the next upload lands.  (status while full, old file intact)."""
    name = "up_full.txt"
    old = b"Upload up full\n\nBefore the disk filled up.\n"
    r0 = titan_put(name, old)
    filler = fill(path)
    try:
        r = titan_put(name, b"Upload up full\n\nWritten on a full disk, " +
                      b"which must not land.\n" * 20)
        with open(os.path.join(capsule, name), "rb") as f:
            intact = f.read() == old
        temps = [f for f in os.listdir(capsule) if f.startswith(".titan-")
                 and f.endswith(".tmp")]
    finally:
        os.unlink(filler)
    r2 = titan_put(name, b"Upload up full\n\nAfter the space came back.\n")
    T.check("full disk: the upload before is acknowledged", r0.status ==
            "30", "30", r0)
    T.check("full disk: an upload gets 40", r.status == "40", "40", r)
    T.check("full disk: the old file intact, no temporary file left",
            intact and not temps, "intact, none", "%s, %s" % (intact, temps))
    T.check("full disk: space back, the next upload lands",
            r2.status == "30", "30", r2)
    return r.status, intact
