#!/usr/bin/env python3
"""perms_test.py [BIN]: what the serving user cannot read
(capsuled(8), START-UP CHECKS).

Runs as root (as CI does), so the server drops to nobody.  Checks that
start-up refuses a root-owned mode-700 capsule, or a capsule with such a
subdirectory, naming the directory, the user and the permission, before
it prints anything as serving and before it creates a certificate; that
`-n` finds the same and the other configurations start-up refuses
(missing capsule, unknown user, certificates inside a capsule), each
with FILE:LINE; that `check -c` reports the unreadable directory; that
an article whose file becomes unreadable while it is served keeps its
last version, with one log line across rescans; that a new unreadable
file is logged once and published once it can be read; and that SIGHUP
keeps the running server when the new configuration would be refused.

Run from the repository root:  python3 tests/perms_test.py ./capsuled
Prints one line per failed check and last `N passed, N failed`.
"""

import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (T, Server, cleanup, finish, gem, poll,  # noqa: E402
                     public_tmpdir, sanitizer_check, start_watchdog, write)

WATCHDOG = 60


def run(argv, timeout=20):
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, b"", b"(still running after %d s)" % timeout
    return p.returncode, p.stdout, p.stderr


def article(title, text):
    return "%s\n%s\n" % (title, text)


def capsule_with(tmp, name, articles=(("a.txt", "Perm Article",
                                        "First version."),)):
    d = os.path.join(tmp, name)
    os.mkdir(d)
    for fname, title, text in articles:
        write(os.path.join(d, fname), article(title, text))
    subprocess.run(["chmod", "-R", "a+rX", d], check=True, timeout=10)
    return d


def conf(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)
    return path


def refused_start(binary, tmp, what, capsule, bad_dir):
    """Start must refuse: named dir, user, permission; no serving, no cert."""
    certs = os.path.join(tmp, "certs-" + what)
    s = Server([binary, "-d", capsule, "-C", certs, "-g", "0", "-p", "0"])
    if s.start():
        s.stop()  # it should not have: the checks below say so
        rc = "started"
    else:
        rc = s.wait(10)
    text = s.text().decode("utf-8", "replace")
    T.check("%s: start exits 2" % what, rc == 2, 2, (rc, text))
    T.check("%s: the message names the directory, user nobody and r-x"
            % what, re.search(r"-d: capsule %s: %s: user nobody cannot "
                              r"list this directory \(it needs r-x; it is "
                              r"drwx------ root root\)" %
                              (re.escape(capsule), re.escape(bad_dir)),
                              text), "-d: capsule DIR: DIR: user nobody "
            "cannot list this directory (it needs r-x; ...)", text)
    T.check("%s: said once (the walk is shared out between children)"
            % what, len(re.findall(r"user nobody cannot list",
                                   text)) == 1, "one line", text)
    T.check("%s: nothing printed as listening or serving" % what,
            "listening" not in text and "serving" not in text,
            "no listening/serving line", text)
    T.check("%s: no certificate directory created" % what,
            not os.path.exists(certs), "no " + certs,
            os.listdir(certs) if os.path.exists(certs) else None)


def check_start(binary, tmp):
    c700 = capsule_with(tmp, "root700")
    os.chmod(c700, 0o700)
    refused_start(binary, tmp, "capsule 700", c700, c700)
    csub = capsule_with(tmp, "sub700")
    sub = os.path.join(csub, "private")
    os.mkdir(sub, 0o700)
    write(os.path.join(sub, "page.gmi"), "# private\n")
    refused_start(binary, tmp, "subdirectory 700", csub, sub)
    return c700, csub, sub


def check_dash_n(binary, tmp, c700, csub):
    good = capsule_with(tmp, "good")
    certs = os.path.join(tmp, "certs-n")
    cases = [
        ("missing capsule", "host a.example\ncapsule %s\ncerts %s\n"
         % (os.path.join(tmp, "no-such-dir"), certs), 2,
         r"capsule .*no-such-dir: No such file or directory"),
        ("unknown user", "user nosuchuser\nhost a.example\ncapsule %s\n"
         "certs %s\n" % (good, certs), 1,
         r"user nosuchuser: no such user"),
        ("certs inside the capsule", "host a.example\ncapsule %s\n"
         "certs %s/certs\n" % (good, good), 3,
         r"certs .*/good/certs: the certificate directory is inside the "
         r"capsule"),
        ("capsule 700", "host a.example\ncapsule %s\ncerts %s\n"
         % (c700, certs), 2, r"capsule .*root700: .*root700: user nobody "
         r"cannot list this directory \(it needs r-x"),
        ("subdirectory 700", "# a comment\nhost a.example\ncapsule %s\n"
         "certs %s\n" % (csub, certs), 3, r"capsule .*sub700: .*/private: "
         r"user nobody cannot list this directory"),
    ]
    for i, (what, text, line, pattern) in enumerate(cases):
        path = conf(tmp, "bad%d.conf" % i, text)
        rc, out, err = run([binary, "-n", "-c", path])
        e = err.decode("utf-8", "replace")
        T.check("-n %s: non-zero exit" % what, rc != 0, "!= 0", (rc, e))
        T.check("-n %s: bad%d.conf:%d: ..." % (what, i, line),
                re.search(r"bad%d\.conf:%d: %s" % (i, line, pattern), e),
                "bad%d.conf:%d: %s" % (i, line, pattern), e)
        T.check("-n %s: nothing on stdout" % what, out == b"", b"", out)
    path = conf(tmp, "good.conf", "host a.example\ncapsule %s\ncerts %s\n"
                % (good, certs))
    rc, out, err = run([binary, "-n", "-c", path])
    T.check("-n good config: exit 0, canonical form", rc == 0 and
            b"\nhost a.example\ncapsule %s\ncerts %s\n" %
            (good.encode(), certs.encode()) in out, "0 and the dump",
            (rc, out, err))
    T.check("-n: no certificate directory created", not
            os.path.exists(certs), "no " + certs, certs)


def check_many(binary, tmp):
    """More unreadable files than are named: 10 lines, one for the rest;
    each named once, whichever child of the walk found it."""
    bad = ["%02d.txt" % i for i in range(23)] + ["zsub"]
    many = capsule_with(tmp, "many", [(n, "Many %s" % n, "Text.")
                                      for n in bad[:-1]])
    for n in bad[:-1]:
        os.chmod(os.path.join(many, n), 0o600)
    os.mkdir(os.path.join(many, "zsub"), 0o700)
    rc, out, err = run([binary, "-n", "-d", many, "-C",
                        os.path.join(tmp, "certs-many")])
    e = err.decode("utf-8", "replace")
    named = re.findall(r"-d: capsule %s: %s/([^:]+): user nobody cannot "
                       % (re.escape(many), re.escape(many)), e)
    T.check("-n, 24 paths nobody cannot read: refused", rc != 0, "!= 0", (rc, e))
    T.check("-n, 24 paths: 10 named, each once, all of them bad",
            len(named) == 10 and len(set(named)) == 10 and
            set(named) <= set(bad), "10 of %s" % bad, e)
    T.check("-n, 24 paths: and 14 more", re.search(
        r"-d: capsule %s: and 14 more paths user nobody cannot read\n" %
        re.escape(many), e), "and 14 more", e)


def check_check(binary, tmp, csub, sub):
    path = conf(tmp, "check.conf", "host a.example\ncapsule %s\n" % csub)
    rc, out, err = run([binary, "check", "-c", path])
    o = out.decode("utf-8", "replace")
    T.check("check -c: exit 1", rc == 1, 1, (rc, o, err))
    T.check("check -c: check.conf:2 names the directory and user nobody",
            re.search(r"/check\.conf:2: capsule %s: %s: user nobody cannot "
                      r"list this directory" % (re.escape(csub),
                                                re.escape(sub)), o)
            is not None, "check.conf:2: capsule ... user nobody", o)
    T.check("check -c: still the summary line last",
            o.rstrip("\n").split("\n")[-1] ==
            "capsuled check: 1 article, 0 skipped, 0 warnings",
            "capsuled check: 1 article, 0 skipped, 0 warnings", o)


def log_lines(s, since, name):
    return [ln for ln in s.lines_since(since) if name.encode() in ln]


def check_runtime(binary, tmp):
    """Served article made unreadable: last version stays, one log line."""
    capsule = capsule_with(tmp, "live", (
        ("a.txt", "Perm Article", "First version."),
        ("b.txt", "Other Article", "Another one.")))
    path = conf(tmp, "live.conf", "rescan 1\nhost localhost\ncapsule %s\n"
                "certs %s\n" % (capsule, os.path.join(tmp, "certs-live")))
    s = Server([binary, "-c", path, "-g", "0", "-p", "0"])
    try:
        if not T.check("runtime: listening lines", s.start(), "ports",
                       s.text()[-600:]):
            return s
        port = s.port
        before = gem(port, "/articles/perm-article.gmi")
        T.check("runtime: article served", before.status == "20" and
                b"First version." in before.body, "20 First version.",
                before)
        a = os.path.join(capsule, "a.txt")
        since = s.nlines()
        os.chmod(a, 0)
        line = s.wait_line(lambda ln: b"a.txt" in ln, since=since)
        T.check("runtime: one line names the file, why, and that the old "
                "version stays", line is not None and re.search(
                    rb"live/a\.txt: warning: cannot be read \(Permission "
                    rb"denied\); the last published version stays", line),
                "live/a.txt: warning: cannot be read (Permission denied); "
                "the last published version stays", line)
        r = gem(port, "/articles/perm-article.gmi")
        T.check("runtime: unreadable article keeps its last version",
                r.status == "20" and r.body == before.body,
                before.body, r)
        # appended to while unreadable: a new state, still not read
        with open(a, "a") as f:
            f.write("A line added.\n")
        os.chmod(a, 0)
        ok2, _, _ = poll(lambda: (len(log_lines(s, since, "a.txt")) >= 2,
                                  None))
        r = gem(port, "/articles/perm-article.gmi")
        T.check("runtime: appended while unreadable: still the last "
                "version, not 51", r.status == "20" and
                r.body == before.body, before.body, r)
        # a new article nobody can read: logged once, then published
        c = os.path.join(capsule, "c.txt")
        write(c, article("New Article", "Dropped unreadable."))
        os.chmod(c, 0o600)
        since_c = s.nlines()
        line_c = s.wait_line(lambda ln: b"c.txt" in ln, since=since_c)
        T.check("runtime: new unreadable file: one line, not published",
                line_c is not None and re.search(
                    rb"live/c\.txt: skipped: cannot be read \(Permission "
                    rb"denied\); not published until it can be", line_c),
                "live/c.txt: skipped: cannot be read ...", line_c)
        # two rescans (rescan 1) go by: no new line for either file
        end = time.monotonic() + 2.5
        mark = s.nlines()
        while time.monotonic() < end and s.alive():
            time.sleep(0.1)
        again = log_lines(s, mark, "a.txt") + log_lines(s, mark, "c.txt")
        T.check("runtime: no more lines over two rescans", again == [],
                [], again)
        T.check("runtime: a.txt logged once per state (chmod, append)",
                len(log_lines(s, since, "a.txt")) == 2 and ok2,
                2, log_lines(s, since, "a.txt"))
        os.chmod(c, 0o644)
        ok, r, _ = poll(lambda: (lambda r: (r.status == "20", r))(
            gem(port, "/articles/new-article.gmi")))
        T.check("runtime: readable again: published", ok, "20", r)
        os.chmod(a, 0o644)
        ok, r, _ = poll(lambda: (lambda r: (b"A line added." in r.body,
                                            r))(
            gem(port, "/articles/perm-article.gmi")))
        T.check("runtime: readable again: the new version", ok,
                "A line added.", r)
        check_hup(s, capsule)
    finally:
        rc = s.stop()
        T.check("runtime: SIGTERM exits 0", rc == 0, 0, rc)
        sanitizer_check("runtime server", s.text())
    return s


def check_hup(s, capsule):
    """SIGHUP with an unreadable subdirectory: keep the running server."""
    sub = os.path.join(capsule, "private")
    os.mkdir(sub, 0o700)
    since = s.nlines()
    s.proc.send_signal(1)
    line = s.wait_line(lambda ln: b"keeping the running one" in ln,
                       since=since)
    T.check("SIGHUP: refused, keeping the running one", line is not None
            and any(b"private: user nobody cannot list this directory" in
                    ln for ln in s.lines_since(since)),
            "... private: user nobody cannot list ...; keeping the running "
            "one", s.lines_since(since))
    r = gem(s.port, "/articles/perm-article.gmi")
    T.check("SIGHUP: still serving", r.status == "20", "20", r)
    os.rmdir(sub)


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1
                             else "./capsuled")
    if os.geteuid() != 0:
        print("note: not root: the serving user is who runs the test; "
              "skipped")
        finish()
        return 0
    timer = start_watchdog(WATCHDOG)
    try:
        tmp = public_tmpdir("capsuled-perms-")
        c700, csub, sub = check_start(binary, tmp)
        check_dash_n(binary, tmp, c700, csub)
        check_many(binary, tmp)
        check_check(binary, tmp, csub, sub)
        check_runtime(binary, tmp)
    finally:
        cleanup()
    timer.cancel()
    finish()
    return 1 if T.failed else 0


if __name__ == "__main__":
    sys.exit(main())
