"""haproxy_test.py BIN: three capsuled instances behind Debian's HAProxy,
configured by contrib/haproxy.cfg itself (only its addresses, ports, host
name and log target replaced), on loopback.

- Every protocol through the balancer gets the same bytes as a direct,
  unmarked instance; clients from 127.0.0.2 and 127.0.0.3 appear with
  those addresses in every instance's access lines; health checks (PROXY
  v2 LOCAL) with the balancer's.
- The per-address limit counts the real client: 127.0.0.2 holding its
  share on every instance gets 44, 127.0.0.3 meanwhile gets 20.
- Resumption: with the shared ticket-key file a client's connections,
  each on another instance, all resume, also after a key is prepended
  (each instance reloads by itself); without it none does.
- Faults under 32 clients: kill -9 of one instance fails only requests
  in flight on it (counted), HAProxy marks it down, every request after
  succeeds, and restarted it takes traffic again; a rolling SIGHUP of
  all three fails none.  An article dropped into the capsule is served
  by all three within 1 s.
- Spoofing: a PROXY header sent to an unmarked listener, or a second one
  through HAProxy, is a bad request; the forged address appears in no
  access line and counts in no limit.

Instance i listens on 127.0.1.i, on the same ports for all (so their
pages, which name their ports, are byte for byte the same); HAProxy on
127.0.0.1 on those ports too.  Skipped, with the reason, when haproxy is
not installed (tools/deps installs it as root).
"""

import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (T, Server, fetch, gopher_req, more_fds, poll,  # noqa
                     public_tmpdir, run_main, run_suite, stop_checked,
                     write, client_ctx)

WATCHDOG = 240
BUDGET = 150
PROTOS = ["gemini", "gopher", "spartan", "nex", "http"]
# the shipped file's frontend ports and instance addresses
SHIPPED_PORT = {"gemini": 1965, "gopher": 70, "spartan": 300, "nex": 1900,
                "http": 80}
SHIPPED_ADDR = "192.0.2.1%d"
PER_ADDRESS = 48            # max-connections-per-address, loopback too
LOAD_CLIENTS = 32
SOURCES = ["127.0.0.2", "127.0.0.3"]
HERE = os.path.dirname(os.path.abspath(__file__))
CFG = os.path.join(HERE, "..", "contrib", "haproxy.cfg")
ACCESS = re.compile(rb"Z (\S+) ([a-z]+) ")


def free_ports(addr):
    """A port per protocol, free on addr now (the instances bind theirs on
    127.0.1.1-4, addresses no other suite uses; HAProxy, started at once
    after, on 127.0.0.1)."""
    socks, ports = [], {}
    for p in PROTOS:
        s = socket.socket()
        s.bind((addr, 0))
        socks.append(s)
        ports[p] = s.getsockname()[1]
    for s in socks:
        s.close()
    return ports


def instance_conf(d, i, ports, capsule, certs, keyfile, proxy=True):
    lines = ["listen %s 127.0.1.%d %d%s" % (p, i, ports[p],
                                            " proxy" if proxy else "")
             for p in PROTOS]
    if keyfile:
        lines.append("ticket-key-file %s" % keyfile)
    lines += ["max-connections-per-address %d" % PER_ADDRESS,
              "limit-loopback yes", "timeout 5", "workers 1",
              "host localhost", "capsule %s" % capsule, "certs %s" % certs]
    path = os.path.join(d, "capsuled%d.conf" % i)
    write(path, "\n".join(lines) + "\n")
    return path


def haproxy_cfg(d, front, ports):
    """contrib/haproxy.cfg with loopback addresses and the test's ports
    (front: HAProxy's, ports: the instances'); None (and a failed check)
    if a shipped address is left."""
    with open(CFG) as f:
        text = f.read()
    text = text.replace("log /dev/log local0", "log stderr format raw local0")
    text = text.replace("example.org", "localhost")
    for p in PROTOS:
        text = text.replace("bind :%d\n" % SHIPPED_PORT[p],
                            "bind 127.0.0.1:%d\n" % front[p])
        for i in (1, 2, 3):
            text = text.replace("%s:%d\n" % (SHIPPED_ADDR % i,
                                             SHIPPED_PORT[p]),
                                "127.0.1.%d:%d\n" % (i, ports[p]))
    ok = "192.0.2." not in text and text.count("127.0.1.") == 15 and \
        text.count("bind 127.0.0.1:") == 5
    T.check("contrib/haproxy.cfg: every address and port replaced", ok,
            "15 servers, 5 binds, no 192.0.2.", text[-600:])
    path = os.path.join(d, "haproxy.cfg")
    write(path, text)
    return path if ok else None


def v1(src, dst="127.0.1.1"):
    return ("PROXY TCP4 %s %s 40000 1965\r\n" % (src, dst)).encode()


def v2(src, dst="127.0.0.1"):
    return (b"\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c" +
            socket.inet_aton(src) + socket.inet_aton(dst) +
            struct.pack(">HH", 40000, 70))


REQS = {"gemini": b"gemini://localhost/\r\n",
        "gopher": b"\r\n",
        "spartan": b"localhost / 0\r\n",
        "nex": b"/\n",
        "http": b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                b"\r\n"}


def req(proto, port, data=None, addr="127.0.0.1", source=None, **kw):
    data = REQS[proto] if data is None else data
    if proto == "gemini":
        return fetch(port, data, addr=addr, source=source and (source, 0),
                     **kw)
    return gopher_req(data, port, host=addr, source=source and (source, 0),
                      **kw)


def comparable(proto, raw):
    """The bytes to compare: HTTP's without its Date header, and without
    Last-Modified, which for a generated page is when the instance
    published its snapshot (the ETag, of the bytes, must be the same)."""
    if proto == "http":
        return re.sub(rb"\r\n(Date|Last-Modified): [^\r]*", b"", raw)
    return raw


def access(server, since=0):
    """(address, protocol) of every access line since line since."""
    out = []
    for line in server.lines_since(since):
        m = ACCESS.search(line)
        if m and b" \"" in line:
            out.append((m.group(1).decode(), m.group(2).decode(), line))
    return out


class Load:
    """LOAD_CLIENTS threads asking for gemini://localhost/ through the
    balancer from 127.0.0.2 and 127.0.0.3, each reply checked against
    want; failures kept with the time their request started."""

    def __init__(self, port, want):
        self.port, self.want = port, want
        self.stop = threading.Event()
        self.ok = 0
        self.failed = []            # (start time, description)
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(k,),
                                         daemon=True)
                        for k in range(LOAD_CLIENTS)]

    def run(self, k):
        src = SOURCES[k % 2]
        while not self.stop.is_set():
            t0 = time.monotonic()
            r = req("gemini", self.port, source=src, timeout=10)
            with self.lock:
                if r.status == "20" and r.raw == self.want and r.clean:
                    self.ok += 1
                else:
                    self.failed.append((t0, repr(r)[:200]))

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(20)
        return self.ok, self.failed


def child_of(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def gone(pid):
    """Has process pid exited, every thread of it (so its sockets are
    closed)?  A group leader is a zombie while its other threads still
    exit, and those still hold the descriptors."""
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
        with open("/proc/%d/stat" % pid) as f:
            zombie = f.read().split(")")[-1].split()[0] == "Z"
        return zombie and tasks == [str(pid)]
    except OSError:
        return True


def kill9(s):
    """The instance dies at once, parent and serving process, both
    stopped first, so that the parent neither restarts the child nor
    lets it drain (PR_SET_PDEATHSIG).  Returns once both are dead, their
    sockets closed."""
    pid = s.proc.pid
    os.kill(pid, signal.SIGSTOP)
    kids = child_of(pid)
    for c in kids:
        os.kill(c, signal.SIGSTOP)
    for c in kids:
        os.kill(c, signal.SIGKILL)
    os.kill(pid, signal.SIGKILL)
    s.proc.wait(10)
    poll(lambda: (all(gone(c) for c in kids), None), 10)


def wait_reloaded(s, since):
    ok, _, secs = poll(lambda: (any(b"reloaded:" in x
                                    for x in s.lines_since(since)), None),
                       15)
    return ok


def chain(port, n, tag):
    """n connections from 127.0.0.3 through the balancer, each offering
    the session of the one before: how many resumed, and the paths sent
    (one per connection, to find which instance served it)."""
    ctx = client_ctx()
    session, resumed, paths = None, 0, []
    for k in range(n):
        path = "/%s-%d" % (tag, k)
        paths.append(path)
        r = fetch(port, b"gemini://localhost" + path.encode() + b"\r\n",
                  ctx=ctx, source=("127.0.0.3", 0), session=session)
        if k > 0 and r.reused:
            resumed += 1
        if r.session is not None:
            session = r.session
    return resumed, paths


def served_by(instances, paths):
    """The instance (1-3) whose log has each path, or 0 (an access line
    is written when its connection closes: waited for)."""
    def find():
        out = []
        for p in paths:
            who = 0
            for i, s in instances.items():
                if any(("\"gemini://localhost%s\"" % p).encode() in x
                       for x in s.lines_since(0)):
                    who = i
            out.append(who)
        return all(out), out
    return poll(find)[1]


def body(binary):
    more_fds()
    d = public_tmpdir("capsuled-haproxy-")
    capsule = os.path.join(d, "capsule")
    shutil.copytree(os.path.join(HERE, "..", "capsule"), capsule)
    subprocess.run(["chmod", "-R", "a+rX", capsule], check=True)
    certs = os.path.join(d, "certs")
    keyfile = os.path.join(d, "ticket.key")
    with open(keyfile, "wb") as f:
        f.write(os.urandom(80))
    os.chmod(keyfile, 0o600)
    ports = free_ports("127.0.1.1")
    confs = {i: instance_conf(d, i, ports, capsule, certs, keyfile)
             for i in (1, 2, 3)}
    ref_conf = instance_conf(d, 4, ports, capsule, certs, None, proxy=False)

    def start(i, conf):
        s = Server([binary, "-c", conf], name="capsule%d" % i)
        T.check("capsule%d starts" % i, s.start(want=set(PROTOS)), "listening",
                s.text()[-600:])
        return s

    inst = {1: start(1, confs[1])}
    # the first makes the certificate the others load
    inst[1].wait_line(lambda x: b"certificate for localhost" in x, 15)
    inst[2] = start(2, confs[2])
    inst[3] = start(3, confs[3])
    ref = start(4, ref_conf)
    front = free_ports("127.0.0.1")
    cfg = haproxy_cfg(d, front, ports)
    if cfg is None:
        return
    hap = Server(["haproxy", "-db", "-f", cfg], name="haproxy")
    ok, _, _ = poll(lambda: (req("gemini", front["gemini"]).status == "20",
                             None), 15)
    T.check("haproxy serves Gemini", ok, "20", hap.text()[-800:])
    if not ok:
        return

    same_bytes(front, ports, ref)
    addresses(front, inst)
    limits(front, inst)
    resumption(front, inst, keyfile, True)
    faults(front, ports, inst, confs, binary, hap)
    dropped(ports, inst, capsule)
    spoofing(front, ports, inst, ref)
    for i in (1, 2, 3):          # without the shared keys
        write(confs[i], open(confs[i]).read().replace(
            "ticket-key-file %s\n" % keyfile, ""))
    for i in (1, 2, 3):
        n = inst[i].nlines()
        inst[i].proc.send_signal(signal.SIGHUP)
        T.check("capsule%d reloaded without ticket-key-file" % i,
                wait_reloaded(inst[i], n), "reloaded", "")
    resumption(front, inst, keyfile, False)
    hap.stop()
    for i, s in inst.items():
        stop_checked(s, "capsule%d" % i)
    stop_checked(ref, "direct")


def same_bytes(front, ports, ref):
    for p in PROTOS:
        want = req(p, ports[p], addr="127.0.1.4")
        got = [req(p, front[p]) for _ in range(3)]   # each instance once
        T.check("%s through haproxy: the same bytes as direct (3 "
                "instances)" % p, want.raw and all(
                    comparable(p, g.raw) == comparable(p, want.raw)
                    for g in got), repr(want)[:300],
                " / ".join(repr(g)[:300] for g in got))


def addresses(front, inst):
    marks = {i: s.nlines() for i, s in inst.items()}
    for p in PROTOS:
        for k in range(6):
            req(p, front[p], source=SOURCES[k % 2])
    want = set((a, p) for a in SOURCES for p in PROTOS)
    for i, s in inst.items():
        # an access line is written when its connection is closed
        ok, seen, _ = poll(lambda: (want <= set(
            (a, p) for a, p, _ in access(s, marks[i])), set(
            (a, p) for a, p, _ in access(s, marks[i]) if a in SOURCES)))
        T.check("capsule%d: 127.0.0.2 and 127.0.0.3 in its access lines, "
                "every protocol" % i, ok, sorted(want), sorted(seen))
    local = [line for s in inst.values() for a, p, line in access(s)
             if a == "127.0.0.1"]
    T.check("health checks (PROXY v2 LOCAL) logged as the balancer, "
            "127.0.0.1", len(local) > 0 and all(
                b"\"gemini://localhost/\"" in x or b" gopher " in x or
                b" spartan " in x or b" nex " in x or b" http " in x
                for x in local), "127.0.0.1 lines", local[:3])


def limits(front, inst):
    """127.0.0.2 holds PER_ADDRESS idle TLS connections on each instance
    (round robin spreads them evenly); its next requests get 44, while
    127.0.0.3's get 20."""
    held = []
    ctx = client_ctx()
    for k in range(3 * PER_ADDRESS):
        s = socket.create_connection(("127.0.0.1", front["gemini"]), 10,
                                     source_address=("127.0.0.2", 0))
        try:
            held.append(ctx.wrap_socket(s, server_hostname="localhost"))
        except (OSError, ssl.SSLError) as e:
            T.check("idle connection %d of 127.0.0.2" % k, False,
                    "a handshake", repr(e))
            s.close()
    over = [req("gemini", front["gemini"], source="127.0.0.2").status
            for _ in range(3)]
    other = [req("gemini", front["gemini"], source="127.0.0.3").status
             for _ in range(3)]
    for s in held:
        s.close()
    T.check("per-address limit through haproxy: 127.0.0.2 over its share "
            "on every instance gets 44", over == ["44"] * 3, ["44"] * 3,
            over)
    T.check("... while 127.0.0.3 gets 20", other == ["20"] * 3, ["20"] * 3,
            other)
    # an access line is written when the connection is done with, just
    # after the client has its answer: wait for the three
    def logged():
        lines = [line for s in inst.values() for a, p, line in access(s)
                 if b" 44 " in line]
        return len(lines) >= 3, lines
    _, slow, _ = poll(logged, 5)
    T.check("the 44s logged with 127.0.0.2", len(slow) == 3 and all(
        b"Z 127.0.0.2 " in x for x in slow), "3 lines", slow)


def resumption(front, inst, keyfile, shared):
    n = 12
    resumed, paths = chain(front["gemini"], n, "shared" if shared else
                           "own")
    who = served_by(inst, paths)
    hops = sum(1 for a, b in zip(who, who[1:]) if a != b and a and b)
    T.note("resumption through haproxy, %s: %d of %d resumed, %d of %d "
           "hops to another instance" % ("shared ticket-key-file" if shared
                                         else "own keys", resumed, n - 1,
                                         hops, n - 1))
    T.check("every connection served by an instance, each hop to "
            "another", hops == n - 1, n - 1, who)
    if not shared:
        T.check("without a shared key file: no connection resumes on "
                "another instance", resumed == 0, 0, resumed)
        return
    T.check("with the shared key file: every connection resumes on "
            "another instance", resumed == n - 1, n - 1, resumed)
    # rotation: a new key first, the old one still opens
    ctx = client_ctx()
    r = fetch(front["gemini"], b"gemini://localhost/\r\n", ctx=ctx)
    marks = {i: s.nlines() for i, s in inst.items()}
    with open(keyfile, "rb") as f:
        old = f.read()
    tmp = keyfile + ".new"
    with open(tmp, "wb") as f:
        f.write(os.urandom(80) + old)
    os.chmod(tmp, 0o600)
    os.rename(tmp, keyfile)
    T.check("a key prepended: every instance reloads by itself",
            all(wait_reloaded(s, marks[i]) for i, s in inst.items()),
            "reloaded", "")
    again = [fetch(front["gemini"], b"gemini://localhost/\r\n", ctx=ctx,
                   session=r.session).reused for _ in range(3)]
    T.check("a ticket of the old key resumes on all three after the "
            "rotation", again == [True] * 3, [True] * 3, again)


def faults(front, ports, inst, confs, binary, hap):
    want = req("gemini", ports["gemini"], addr="127.0.1.4").raw
    load = Load(front["gemini"], want).start()
    poll(lambda: (load.ok > 100, None), 10)
    mark = hap.nlines()
    kill9(inst[2])
    t_kill = time.monotonic()
    ok, _, secs = poll(lambda: (any(b"gemini/capsule2 is DOWN" in x
                                    for x in hap.lines_since(mark)), None),
                       10)
    T.check("kill -9: haproxy marks capsule2 down", ok, "DOWN",
            hap.text()[-500:])
    T.note("capsule2 marked down %.1f s after kill -9" % secs)
    n_down = load.ok
    poll(lambda: (load.ok > n_down + 200, None), 10)
    mark = hap.nlines()
    inst[2] = Server([binary, "-c", confs[2]], name="capsule2")
    T.check("capsule2 starts again", inst[2].start(want=set(PROTOS)),
            "listening", inst[2].text()[-500:])
    ok, _, secs = poll(lambda: (any(b"gemini/capsule2 is UP" in x
                                    for x in hap.lines_since(mark)), None),
                       10)
    T.check("haproxy marks capsule2 up again", ok, "UP", hap.text()[-500:])
    ok, _, _ = poll(lambda: (any(a in SOURCES for a, p, _ in
                                 access(inst[2])), None), 10)
    T.check("restarted, capsule2 takes traffic again", ok,
            "access lines of the load", inst[2].text()[-300:])
    served, failed = load.finish()
    late = [f for f in failed if f[0] >= t_kill]
    T.note("kill -9 under %d clients: %d requests served, %d failed (all "
           "in flight on capsule2 when it died)" % (LOAD_CLIENTS, served,
                                                    len(failed)))
    T.check("kill -9: no request started after the kill failed", not late,
            "none", [("%+.3f s" % (t - t_kill), e) for t, e in late[:5]])
    T.check("kill -9: few failed (in flight on one instance at most)",
            len(failed) <= LOAD_CLIENTS, "<= %d" % LOAD_CLIENTS,
            failed[:3])

    load = Load(front["gemini"], want).start()
    poll(lambda: (load.ok > 100, None), 10)
    for i in (1, 2, 3):
        n = inst[i].nlines()
        inst[i].proc.send_signal(signal.SIGHUP)
        T.check("rolling SIGHUP: capsule%d reloaded" % i,
                wait_reloaded(inst[i], n), "reloaded",
                inst[i].text()[-300:])
        base = load.ok
        poll(lambda: (load.ok > base + 50, None), 10)
    served, failed = load.finish()
    T.note("rolling SIGHUP under %d clients: %d requests served, %d "
           "failed" % (LOAD_CLIENTS, served, len(failed)))
    T.check("rolling SIGHUP of all three under load: no failed request",
            not failed and served > 0, "0 failed", failed[:3])


def dropped(ports, inst, capsule):
    title = "Dropped While Balanced"
    tmp = os.path.join(capsule, ".dropped.tmp")
    write(tmp, "%s\n\nAn article that every instance serves.\n" % title)
    t0 = time.monotonic()
    os.rename(tmp, os.path.join(capsule, "dropped.txt"))

    def served(i):
        r = req("gopher", ports["gopher"], v1("127.0.0.9", "127.0.1.%d" %
                                              i) + b"\r\n",
                addr="127.0.1.%d" % i)
        return title.encode() in r.raw
    times = {}

    def all_served():
        for i in (1, 2, 3):
            if i not in times and served(i):
                times[i] = time.monotonic() - t0
        return len(times) == 3, None
    ok, _, _ = poll(all_served, 5)
    worst = max(times.values()) if len(times) == 3 else None
    T.note("article dropped: served by all three %s" % (
        "after %.2f s" % worst if worst is not None else "not"))
    T.check("an article dropped into the capsule is served by all three "
            "within 1 s", ok and worst < 1.0, "< 1 s", times)


def spoofing(front, ports, inst, ref):
    forged = "6.6.6.6"
    rmark = ref.nlines()
    marks = {i: s.nlines() for i, s in inst.items()}
    r = req("gopher", ports["gopher"], v1(forged) + b"\r\n",
            addr="127.0.1.4")
    T.check("unmarked Gopher listener: a PROXY header is a bad request",
            r.raw.startswith(b"3"), "a type-3 line", repr(r)[:200])
    # v2's signature starts with CR LF: to Gopher, the empty selector
    req("gopher", ports["gopher"], v2(forged) + b"\r\n", addr="127.0.1.4")
    r = gopher_req(v1(forged), ports["gemini"], host="127.0.1.4")
    T.check("unmarked Gemini listener: a PROXY header is no TLS, closed",
            not r.raw and r.eof, "closed, no reply", repr(r)[:200])
    for p in ("gopher", "spartan", "nex", "http"):
        req(p, front[p], v1(forged) + REQS[p], source="127.0.0.2")
        req(p, front[p], v2(forged) + REQS[p], source="127.0.0.2")
    def logged():
        lines = [(a, line) for a, _, line in access(ref, rmark)]
        for i, s in inst.items():
            lines += [(a, line) for a, _, line in access(s, marks[i])]
        return sum(a == "127.0.0.2" for a, _ in lines) >= 8, lines
    _, lines, _ = poll(logged)   # access lines come as connections close
    bad = [line for a, line in lines if a == forged]
    T.check("a forged address is in no access line (direct, and a second "
            "header through haproxy)", not bad and len(lines) >= 9,
            ">= 9 lines, none from %s" % forged, bad or len(lines))
    # 127.0.0.1: health checks and the direct requests; 127.0.0.9: the
    # test's own header while it polled for the dropped article
    through = [a for a, line in lines if a not in ("127.0.0.1", "127.0.0.9")]
    T.check("... the second header's requests logged from 127.0.0.2",
            through and set(through) == {"127.0.0.2"}, "127.0.0.2",
            sorted(set(through)))


def main():
    if shutil.which("haproxy") is None:
        T.skip("haproxy", "haproxy not installed (tools/deps installs "
               "Debian's as root)")
        return
    sys.exit(run_suite(body, WATCHDOG, BUDGET))


if __name__ == "__main__":
    run_main(main)
