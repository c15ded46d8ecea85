#!/usr/bin/env python3
"""reload_test.py [BIN]: what a SIGHUP applies, key by key, and the
certificates capsuled makes for a host and its aliases.

Starts the real binary (default ./capsuled) with a two-host
configuration file on ephemeral ports, then rewrites the file and sends
SIGHUP several times, checking after each reload the effect of every key
of capsuled.conf(5) that changed: log-level and log (no more info or
access lines on stderr), title, lang (also in the home page's 20
header), home-limit, similar, gopher-host, gopher-port, gopher-text,
timeout, rescan, user, max-connections, max-connections-per-address and
limit-loopback, alias and certs; and that listen and workers, which a
reload cannot apply, are named in the "reloaded:" line.  Certificates
are checked with Python's ssl module (check_hostname, the certificate as
its own CA) and `openssl s_client -verify_hostname`; an operator's
certificate must stay byte-identical.  Also: a config file starting with
a UTF-8 byte order mark is read (`-n`).

Run from the repository root:  python3 tests/reload_test.py ./capsuled
Prints one line per failed check (name, want, got), and last
`N passed, N failed`; exits 1 when a check failed.  Only 127.0.0.1 is
used; every socket has a timeout; every wait is bounded by a deadline.
"""

import hashlib
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (T, Server, client_ctx, cleanup, finish,  # noqa: E402
                     gem, gopher, menu, poll, public_tmpdir,
                     sanitizer_check, start_watchdog, write, GEMTEXT, HOST,
                     IO_TIMEOUT)

WATCHDOG = 80
POLL = 8.0
HOME_LINK = re.compile(r"^=> /articles/(?!page/)([^ ]+)\.gmi ", re.M)

ARTICLES = {
    "tomatoes.txt": ("Growing Tomatoes",
                     "Tomatoes want sun, compost and deep watering; "
                     "garden soil with compost grows sweet tomatoes."),
    "compost.txt": ("Making Compost",
                    "Compost turns garden waste into soil; tomatoes and "
                    "beans love compost and watering."),
    "beans.txt": ("Climbing Beans",
                  "Beans climb poles in the garden; water them and add "
                  "compost to the soil."),
}


def conf_text(**k):
    """The configuration file; keyword arguments change the defaults."""
    v = {"server": "", "one_lang": "en", "one_title": "One",
         "one_aliases": ["www.one.example", "127.0.0.1"],
         "two_aliases": [], "extra_one": ""}
    v.update(k)
    out = ["# reload test", v["server"].strip()]
    out.append("host one.example")
    out += ["alias " + a for a in v["one_aliases"]]
    out += ["capsule " + k["c1"], "certs " + k["certs1"],
            "lang " + v["one_lang"], "title " + v["one_title"],
            v["extra_one"].strip()]
    out += ["host two.example"]
    out += ["alias " + a for a in v["two_aliases"]]
    out += ["capsule " + k["c2"], "certs " + k["certs2"], "title Two"]
    return "\n".join(l for l in out if l) + "\n"


def run(argv, timeout=20, inp=None):
    p = subprocess.run(argv, input=inp, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def verify(port, sni, cafile):
    """TLS with check_hostname against cafile: None when it verifies."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    try:
        ctx.load_verify_locations(cafile)
        with socket.create_connection((HOST, port), timeout=IO_TIMEOUT) as s:
            with ctx.wrap_socket(s, server_hostname=sni):
                return None
    except (OSError, ssl.SSLError, ValueError) as e:
        return repr(e)


def s_client(port, sni, name, cafile):
    """openssl s_client's verdict on name for the certificate of sni."""
    try:
        rc, out, err = run(["openssl", "s_client", "-connect",
                            "%s:%d" % (HOST, port), "-servername", sni,
                            "-verify_hostname", name, "-CAfile", cafile,
                            "-verify_return_error", "-brief"],
                           timeout=IO_TIMEOUT, inp=b"")
    except subprocess.TimeoutExpired:
        return "timeout"
    text = (out + err).decode("utf-8", "replace")
    m = re.search(r"Verification: (\S+)", text)
    return m.group(1) if m else text[-300:]


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        return repr(e).encode()


def home(port, host):
    return gem(port, "/", host=host)


def first_line(r):
    return r.text().split("\n", 1)[0] if r.status == "20" else None


class Reloads:
    """The server under test, its config file and the reload steps."""

    def __init__(self, s, conf, base):
        self.s, self.conf, self.base = s, conf, base

    def hup(self, name, text, want=b"reloaded:"):
        """Write text, SIGHUP, wait for the reloaded line: (line, n0)."""
        write(self.conf, text)
        n0 = self.s.nlines()
        self.s.proc.send_signal(signal.SIGHUP)
        line = self.s.wait_line(lambda l: want in l, POLL, since=n0)
        T.check("%s: %r on stderr" % (name, want), line is not None,
                want, self.s.lines_since(n0))
        return line, n0

    def barrier(self, name):
        """A warning the parent always logs: everything before it is out."""
        good = read(self.conf)
        with open(self.conf, "ab") as f:
            f.write(b"no-such-key 1\n")
        n0 = self.s.nlines()
        self.s.proc.send_signal(signal.SIGHUP)
        line = self.s.wait_line(lambda l: b"no-such-key" in l, POLL,
                                since=n0)
        T.check("%s: barrier warning" % name, line is not None,
                "unknown key 'no-such-key'", self.s.lines_since(n0))
        with open(self.conf, "wb") as f:
            f.write(good)


def uids_of_children(pid):
    """Real uids of the processes whose parent is pid."""
    uids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/status" % d) as f:
                st = f.read()
        except OSError:
            continue
        pp = re.search(r"^PPid:\s+(\d+)", st, re.M)
        uid = re.search(r"^Uid:\s+(\d+)", st, re.M)
        if pp and uid and int(pp.group(1)) == pid:
            uids.append(int(uid.group(1)))
    return uids


def idle_tls(port, sni):
    """A TLS connection that sends nothing (None on error)."""
    try:
        sock = socket.create_connection((HOST, port), timeout=IO_TIMEOUT)
        return client_ctx().wrap_socket(sock, server_hostname=sni,
                                        suppress_ragged_eofs=True)
    except (OSError, ssl.SSLError):
        return None


def closed_after(s):
    """Seconds until the server closes s (reading nothing)."""
    t0 = time.monotonic()
    try:
        while s.recv(4096):
            pass
    except (OSError, ssl.SSLError):
        pass
    s.close()
    return time.monotonic() - t0


def gopher_text_of(gport, data):
    """The type-0 plain text of the first article of a root menu."""
    for t, _, sel in menu(data):
        if t == "1" and sel.startswith("/articles/") and \
                not sel.startswith("/articles/page/"):
            for t2, _, sel2 in menu(gopher(gport, sel + "\r\n")):
                if t2 == "0":
                    return gopher(gport, sel2 + "\r\n")
    return None


def check_start(s, port, gport, d):
    """v1: what a start gives, the baseline of the reloads."""
    r = home(port, "one.example")
    T.check("start: home page 20 header has the host's lang=en",
            r.status == "20" and r.meta == GEMTEXT + "; lang=en",
            "20 %s; lang=en" % GEMTEXT, r)
    r = home(port, "two.example")
    T.check("start: home page of a host without lang: no lang=",
            r.status == "20" and r.meta == GEMTEXT, "20 " + GEMTEXT, r)
    ok, r, _ = poll(lambda: (len(HOME_LINK.findall(
        home(port, "one.example").text())) == 3, None), POLL)
    T.check("start: home lists 3 articles", ok, 3, home(port,
            "one.example").text())
    slugs = HOME_LINK.findall(home(port, "one.example").text())
    d["slug"] = slugs[0] if slugs else "none"

    def similar():
        r = gem(port, "/articles/%s.gmi" % d["slug"], host="one.example")
        sec = r.text().split("## Similar articles", 1)
        return len(sec) == 2 and sec[1].count("\n=> ") == 1, r
    ok, r, _ = poll(similar, POLL)
    T.check("start: similar 1: one similar article", ok,
            "## Similar articles with 1 link", r)
    g = gopher(gport, "\r\n")
    T.check("start: Gopher serves one.example (gopher-host)",
            "Growing Tomatoes" in g.decode("utf-8", "replace"),
            "one's articles", g[:300])
    crt = os.path.join(d["certs1"], "one.example.crt")
    for name in ("one.example", "www.one.example"):
        err = verify(port, name, crt)
        T.check("start: SNI %s verifies against one.example.crt "
                "(check_hostname)" % name, err is None, "verified", err)
        v = s_client(port, name, name, crt)
        T.check("start: openssl s_client -verify_hostname %s" % name,
                v == "OK", "Verification: OK", v)
    err = verify(port, "127.0.0.1", crt)
    T.check("start: IP alias 127.0.0.1 verifies (IP entry)", err is None,
            "verified", err)
    san = run(["openssl", "x509", "-noout", "-ext", "subjectAltName",
               "-in", crt])[1].decode()
    T.check("start: SAN of capsuled's certificate",
            "DNS:one.example, DNS:www.one.example, IP Address:127.0.0.1"
            in san, "DNS:one.example, DNS:www.one.example, IP "
            "Address:127.0.0.1", san)
    err = verify(port, "two.example", os.path.join(d["certs2"],
                                                   "two.example.crt"))
    T.check("start: operator's certificate for two.example verifies",
            err is None, "verified", err)
    # an access line at info level, as the baseline of log-level
    n0 = s.nlines()
    gem(port, "/info-level-probe", host="one.example")
    T.check("start: access line at log-level info",
            s.wait_line(lambda l: b"info-level-probe" in l, POLL, n0)
            is not None, "a line with /info-level-probe",
            s.lines_since(n0))


def check_v2(rl, port, gport, d):
    """v2: log-level, title, lang, limits, Gopher keys, timeout, user,
    rescan; listen and workers changed but cannot be applied."""
    s = rl.s
    text = conf_text(server="""
listen gemini 127.0.0.1 0
listen gopher 127.0.0.1 0
workers 2
log-level warning
timeout 2
rescan 1
user daemon
home-limit 1
similar 0
gopher-host two.example
gopher-port 7777
gopher-text strict
""", one_lang="de", one_title="One Renamed", **d)
    line, n0 = rl.hup("v2", text)
    T.check("v2: the reload line names listen and workers",
            line is not None and line.endswith(
                b"reloaded: 2 virtual hosts; not applied until restart: "
                b"listen, workers"),
            "...reloaded: 2 virtual hosts; not applied until restart: "
            "listen, workers", line)
    lines = s.lines_since(n0)
    T.check("v2: the parent says it is reloading",
            any(b"SIGHUP: reloading" in l for l in lines),
            "'SIGHUP: reloading'", lines)
    T.check("v2: the old serving process says reloading, not stopping",
            any(b"reloading:" in l for l in lines) and
            not any(b"stopping" in l for l in lines),
            "'reloading:' and no 'stopping'", lines)
    r = home(port, "one.example")
    T.check("v2: title: home page '# One Renamed'",
            first_line(r) == "# One Renamed", "# One Renamed", r)
    T.check("v2: lang: home page 20 header lang=de",
            r.meta == GEMTEXT + "; lang=de", GEMTEXT + "; lang=de", r.meta)
    T.check("v2: home-limit 1: one article listed",
            len(HOME_LINK.findall(r.text())) == 1, 1, r.text())
    r = gem(port, "/articles/%s.gmi" % d["slug"], host="one.example")
    T.check("v2: similar 0: no similar section",
            r.status == "20" and "## Similar articles" not in r.text(),
            "no '## Similar articles'", r.text())
    T.check("v2: lang: article (no front matter lang) lang=de",
            r.meta == GEMTEXT + "; lang=de", GEMTEXT + "; lang=de", r.meta)
    g = gopher(gport, "\r\n")
    items = [l for l in g.decode("utf-8", "replace").split("\r\n")
             if l.startswith("1")]
    T.check("v2: gopher-host two.example: Gopher serves two.example",
            "Two Article" in g.decode("utf-8", "replace") and
            "Growing Tomatoes" not in g.decode("utf-8", "replace"),
            "two's article only", g[:400])
    T.check("v2: gopher-host and gopher-port in menu items",
            items and all(l.endswith("\ttwo.example\t7777")
                          for l in items if "\t" in l),
            "items ending TAB two.example TAB 7777", items)
    t = gopher_text_of(gport, g)
    T.check("v2: gopher-text strict: text ends with '.' line",
            t is not None and t.endswith(b"\r\n.\r\n"), "...\\r\\n.\\r\\n",
            t[-40:] if t else t)
    idle = idle_tls(port, "one.example")
    el = closed_after(idle) if idle is not None else 99
    T.check("v2: timeout 2: an idle connection is closed within 5 s "
            "(was 10)", el < 5, "< 5 s", "%.1f s" % el)

    def as_daemon():
        u = uids_of_children(s.proc.pid)
        return bool(u) and all(x == 1 for x in u), u
    ok, u, _ = poll(as_daemon, POLL)
    T.check("v2: user daemon: the serving process runs as uid 1", ok,
            "[1]", u)
    # rescan 1: a change inotify cannot see (written through a hard link
    # outside the capsule) is found by the rescan
    with open(d["link"], "r+") as f:
        f.seek(0)
        f.write(ARTICLES["tomatoes.txt"][0].replace("Growing", "Rescanned")
                + "\n" + ARTICLES["tomatoes.txt"][1] + "\n")
        f.truncate()

    def rescanned():
        r = gem(port, "/atom.xml", host="one.example")
        return "Rescanned Tomatoes" in r.text(), r.text()[:300]
    ok, _, el = poll(rescanned, POLL)
    T.check("v2: rescan 1: a change through a hard link is seen", ok,
            "'Rescanned Tomatoes' in the feed", "not after %.1f s" % el)
    # log-level warning: no access line, no info line from now on
    n0 = s.nlines()
    gem(port, "/warning-level-probe", host="one.example")
    rl.barrier("v2")
    lines = s.lines_since(n0)
    T.check("v2: log-level warning: no access line",
            not any(b"warning-level-probe" in l for l in lines),
            "no line with /warning-level-probe", lines)
    T.check("v2: log-level warning: the parent logs no info line either",
            not any(b"SIGHUP: reloading" in l for l in lines),
            "no 'SIGHUP: reloading'", lines)
    return text


def check_v3(rl, port, d):
    """v3: per-address limit, log-level back to info, new aliases."""
    s = rl.s
    crt1 = os.path.join(d["certs1"], "one.example.crt")
    key1 = read(os.path.join(d["certs1"], "one.example.key"))
    old1 = read(crt1)
    crt2 = os.path.join(d["certs2"], "two.example.crt")
    old2 = read(crt2)
    text = conf_text(server="""
workers 2
log-level info
max-connections-per-address 1
limit-loopback yes
""", one_aliases=["www.one.example", "127.0.0.1", "new.one.example"],
        two_aliases=["www.two.example"], **d)
    line, n0 = rl.hup("v3", text)
    T.check("v3: only workers named as not applied",
            line is not None and line.endswith(
                b"not applied until restart: workers"),
            "...not applied until restart: workers", line)
    lines = s.lines_since(n0)
    T.check("v3: capsuled's certificate made again for the new alias",
            any(b"made again" in l and b"one.example" in l
                for l in lines), "'made again ... one.example'", lines)
    new1 = read(crt1)
    T.check("v3: one.example.crt changed", new1 != old1, "a new file",
            "the same")
    T.check("v3: one.example.key kept",
            read(os.path.join(d["certs1"], "one.example.key")) == key1,
            "the same key", "another")
    for name in ("new.one.example", "www.one.example", "one.example"):
        err = verify(port, name, crt1)
        T.check("v3: SNI %s verifies against the new certificate" % name,
                err is None, "verified", err)
    v = s_client(port, "new.one.example", "new.one.example", crt1)
    T.check("v3: openssl s_client -verify_hostname new.one.example",
            v == "OK", "Verification: OK", v)
    T.check("v3: the operator's two.example.crt is byte-identical",
            read(crt2) == old2, hashlib.sha256(old2).hexdigest(),
            hashlib.sha256(read(crt2)).hexdigest())
    T.check("v3: a warning names the alias the operator's certificate "
            "lacks", any(b"does not name alias www.two.example" in l
                         for l in lines), "that warning", lines)
    err = verify(port, "www.two.example", crt2)
    T.check("v3: www.two.example does not verify (operator's cert)",
            err is not None and "match" in err, "a hostname mismatch", err)
    # log-level info again: access lines come back
    n1 = s.nlines()
    gem(port, "/info-again-probe", host="one.example")
    T.check("v3: log-level info: access lines again",
            s.wait_line(lambda l: b"info-again-probe" in l, POLL, n1)
            is not None, "a line with /info-again-probe",
            s.lines_since(n1))
    # max-connections-per-address 1, limit-loopback yes: a second
    # connection from 127.0.0.1 gets 44
    held = idle_tls(port, "one.example")
    r = gem(port, "/", host="one.example")
    T.check("v3: per-address limit 1 on loopback: second connection 44",
            r.status == "44", "44", r)
    if held is not None:
        held.close()


def check_v4(rl, port, d):
    """v4: max-connections 1: a second client waits for the first."""
    text = conf_text(server="""
workers 2
max-connections 1
timeout 5
""", **d)
    rl.hup("v4", text)
    held = idle_tls(port, "one.example")
    res = {}

    def second():
        res["r"] = gem(port, "/", host="one.example")
    th = threading.Thread(target=second, daemon=True)
    th.start()
    th.join(0.8)
    T.check("v4: max-connections 1: a second client is not served while "
            "the first is open", th.is_alive(), "still waiting",
            res.get("r"))
    if held is not None:
        held.close()
    th.join(IO_TIMEOUT)
    r = res.get("r")
    T.check("v4: ... and served once the first is gone",
            r is not None and r.status == "20", "20", r)


def check_v5(rl, port, d):
    """v5: log syslog: nothing more on stderr."""
    s = rl.s
    text = conf_text(server="log syslog\n", one_title="One Syslog", **d)
    write(rl.conf, text)
    s.proc.send_signal(signal.SIGHUP)

    def renamed():
        r = home(port, "one.example")
        return first_line(r) == "# One Syslog", r
    ok, r, _ = poll(renamed, POLL)
    T.check("v5: reloaded (new title)", ok, "# One Syslog", r)
    # the reload line went to syslog: wait for the old process to be
    # gone instead, so that only the new one can answer the probe
    ok, u, _ = poll(lambda: (len(uids_of_children(s.proc.pid)) == 1, None),
                    POLL)
    T.check("v5: one serving process left", ok, 1,
            uids_of_children(s.proc.pid))
    n1 = s.nlines()
    gem(port, "/syslog-probe", host="one.example")
    rc = s.stop()
    T.check("v5: exit 0 on SIGTERM", rc == 0, 0, rc)
    lines = s.lines_since(n1)
    T.check("v5: log syslog: no access line on stderr",
            not any(b"syslog-probe" in l for l in lines),
            "no line with /syslog-probe", lines)


def check_bom(binary, tmp):
    path = os.path.join(tmp, "bom.conf")
    with open(path, "wb") as f:
        f.write(b"\xef\xbb\xbf# saved by an editor\r\ntimeout 7\r\n")
    rc, out, err = run([binary, "-n", "-c", path])
    T.check("BOM: a config starting with a UTF-8 BOM is read",
            rc == 0 and b"\ntimeout 7\n" in out, "exit 0, timeout 7",
            (rc, err))
    with open(path, "wb") as f:
        f.write(b"timeout 7\n\xef\xbb\xbf# not at the start\n")
    rc, out, err = run([binary, "-n", "-c", path])
    T.check("BOM: elsewhere it is an error naming it",
            rc != 0 and b"bom.conf:2: byte order mark" in err,
            "bom.conf:2: byte order mark ...", (rc, err))


def operator_cert(certs2):
    key = os.path.join(certs2, "two.example.key")
    crt = os.path.join(certs2, "two.example.crt")
    rc, out, err = run(["openssl", "req", "-x509", "-newkey", "ec",
                        "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", key, "-out", crt, "-days", "30",
                        "-subj", "/CN=two.example", "-addext",
                        "subjectAltName=DNS:two.example"])
    T.check("setup: operator certificate", rc == 0, 0, err)
    os.chmod(crt, 0o644)


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1
                             else "./capsuled")
    timer = start_watchdog(WATCHDOG)
    try:
        tmp = public_tmpdir("capsuled-reload-")
        d = {k: os.path.join(tmp, k) for k in ("c1", "c2", "certs1",
                                               "certs2")}
        for k in ("c1", "c2", "certs2"):
            os.mkdir(d[k], 0o755)
        for name, (title, para) in ARTICLES.items():
            write(os.path.join(d["c1"], name), title + "\n" + para + "\n")
        write(os.path.join(d["c2"], "two.txt"), "Two Article\nDeux.\n")
        d["link"] = os.path.join(tmp, "tomatoes-link.txt")
        os.link(os.path.join(d["c1"], "tomatoes.txt"), d["link"])
        operator_cert(d["certs2"])
        check_bom(binary, tmp)
        conf = os.path.join(tmp, "capsuled.conf")
        write(conf, conf_text(server="workers 1\nrescan 0\nsimilar 1\n"
                              "gopher-host one.example\n", **d))
        s = Server([binary, "-c", conf, "-g", "0", "-p", "0"])
        try:
            if T.check("start: listening lines", s.start(), "both ports",
                       s.text()[-600:]):
                rl = Reloads(s, conf, tmp)
                check_start(s, s.port, s.gport, d)
                check_v2(rl, s.port, s.gport, d)
                check_v3(rl, s.port, d)
                check_v4(rl, s.port, d)
                check_v5(rl, s.port, d)
        finally:
            s.stop()
            sanitizer_check("reload server", s.text())
    finally:
        cleanup()
    timer.cancel()
    finish()
    return 1 if T.failed else 0


if __name__ == "__main__":
    sys.exit(main())
