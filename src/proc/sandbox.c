#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/landlock.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <seccomp.h>

#include "log.h"
#include "sandbox.h"

/*
 * Become `user` (with its group and no supplementary groups) when root;
 * verify that root cannot be regained.  Not root: nothing to do.
 */
int
sandbox_drop(const char *user, const char **errstr)
{
	struct passwd	*pw;

	if (geteuid() != 0)
		return 0;
	if ((pw = getpwnam(user)) == NULL) {
		*errstr = "no such user";
		return -1;
	}
	if (pw->pw_uid == 0) {
		*errstr = "refusing to serve as root";
		return -1;
	}
	if (setgroups(0, NULL) == -1 || setresgid(pw->pw_gid, pw->pw_gid,
	    pw->pw_gid) == -1 || setresuid(pw->pw_uid, pw->pw_uid,
	    pw->pw_uid) == -1) {
		*errstr = strerror(errno);
		return -1;
	}
	if (setuid(0) != -1 || geteuid() == 0) {
		*errstr = "could regain root after dropping privileges";
		return -1;
	}
	return 0;
}

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER	(1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif

/* What the writer may do below the capsule directories (writer.c). */
#define WRITER_RIGHTS	(LANDLOCK_ACCESS_FS_READ_FILE | \
	LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_WRITE_FILE | \
	LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG | \
	LANDLOCK_ACCESS_FS_MAKE_DIR)

/*
 * Landlock: handle every file-system right the kernel knows, allow only
 * reading below the given directories (or, write set, the writer's
 * rights).  1 when enforced, 0 when the kernel has no Landlock, -1 on
 * error.
 */
static int
landlock(const int *dirs, size_t n, int write, const char **errstr)
{
	struct landlock_ruleset_attr	 ra;
	struct landlock_path_beneath_attr pb;
	int				 abi, fd;
	size_t				 i;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return 0;
	memset(&ra, 0, sizeof(ra));
	ra.handled_access_fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;
	if (abi >= 2)
		ra.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		ra.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if ((fd = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra),
	    0)) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		pb.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE |
		    LANDLOCK_ACCESS_FS_READ_DIR;
		if (write) {
			pb.allowed_access = WRITER_RIGHTS;
			if (abi >= 2)	/* link and rename between them */
				pb.allowed_access |= LANDLOCK_ACCESS_FS_REFER;
			if (abi >= 3)
				pb.allowed_access |= LANDLOCK_ACCESS_FS_TRUNCATE;
		}
		pb.parent_fd = dirs[i];
		if (syscall(SYS_landlock_add_rule, fd, LANDLOCK_RULE_PATH_BENEATH,
		    &pb, 0) == -1) {
			close(fd);
			goto fail;
		}
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    syscall(SYS_landlock_restrict_self, fd, 0) == -1) {
		close(fd);
		goto fail;
	}
	close(fd);
	return 1;
 fail:
	*errstr = strerror(errno);
	return -1;
}

/* What a running server may ask of the kernel; everything else: EPERM. */
static const char *const allowed[] = {
	"read", "write", "readv", "writev", "pread64", "close", "fstat",
	"newfstatat", "statx", "lseek", "openat", "openat2", "getdents64",
	"munmap", "mremap", "brk", "madvise", "accept", "accept4",
	"epoll_wait", "epoll_pwait", "epoll_ctl", "poll", "ppoll", "select",
	"clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep",
	"gettimeofday", "time", "getpid", "gettid", "getuid", "geteuid",
	"getgid", "getegid", "futex", "rt_sigaction", "rt_sigprocmask",
	"rt_sigreturn", "sigaltstack", "setsockopt", "getsockopt",
	"getsockname", "getpeername", "shutdown", "sendto", "recvfrom",
	"sendmsg", "recvmsg", "fcntl", "dup", "dup3", "exit", "exit_group",
	"getrandom", "sched_yield", "sysinfo", "tgkill", "tkill",
	"set_robust_list", "rseq", "prlimit64", "restart_syscall",
	"eventfd2", "pipe2", "uname", "getrusage", "fadvise64",
};

/*
 * The writer's: files below its directories and its socket, which it
 * only reads and writes: no socket, connect, exec, fork or thread.
 */
static const char *const writer_allowed[] = {
	"read", "write", "close", "fstat", "newfstatat", "statx", "lseek",
	"openat", "openat2", "getdents64", "linkat", "renameat", "renameat2",
	"unlinkat", "mkdirat", "fsync", "fdatasync", "ftruncate", "munmap",
	"mremap", "brk", "madvise", "poll", "ppoll", "clock_gettime",
	"gettimeofday", "getpid", "futex", "rt_sigaction", "rt_sigprocmask",
	"rt_sigreturn", "exit", "exit_group", "getrandom", "fcntl",
	"restart_syscall", "uname",
};

/*
 * The seccomp allow-list, for every thread (TSYNC).  mmap and mprotect
 * are allowed without PROT_EXEC only: no new executable memory.  clone
 * only with CLONE_THREAD: a new thread (the text index is rebuilt on
 * every core) but never a new process; clone3, whose flags a filter
 * cannot see, fails with ENOSYS, which makes glibc fall back to clone.
 */
static int
seccomp(const char *const *allow, size_t nallow, int threads,
    const char **errstr)
{
	scmp_filter_ctx	 ctx;
	size_t		 i;
	int		 nr, r = -1;

	if ((ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM))) == NULL) {
		*errstr = "seccomp_init failed";
		return -1;
	}
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) != 0)
		goto done;
	for (i = 0; i < nallow; i++) {
		if ((nr = seccomp_syscall_resolve_name(allow[i])) ==
		    __NR_SCMP_ERROR)
			continue;	/* not on this architecture */
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) != 0)
			goto done;
	}
	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) != 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) != 0)
		goto done;
	if (threads && (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)) != 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3),
	    0) != 0))
		goto done;
	if (seccomp_load(ctx) != 0)
		goto done;
	r = 0;
 done:
	if (r == -1)
		*errstr = "cannot install the seccomp filter";
	seccomp_release(ctx);
	return r;
}

/* Sanitizer builds need /proc and ptrace for their reports. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZER_BUILD	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZER_BUILD	1
#endif
#endif
#ifndef SANITIZER_BUILD
#define SANITIZER_BUILD	0
#endif

/*
 * Restrict the process: which=1 Landlock (reads below dirs only; call it
 * before starting threads, which inherit it), which=2 seccomp (all
 * threads).  Sanitizer builds skip both, loudly.
 */
int
sandbox_restrict(const int *dirs, size_t n, int which, const char **errstr)
{
	size_t	 ncalls;
	int	 r;

	if (SANITIZER_BUILD) {
		if (which == 1)
			log_warnx("sanitizer build: NO SANDBOX (no Landlock, no "
			    "seccomp)");
		return 0;
	}
	if (which == 1) {
		if ((r = landlock(dirs, n, 0, errstr)) == -1)
			return -1;
		if (r == 0)
			log_warnx("this kernel has no Landlock: file-system "
			    "access is limited by the user only");
		else
			log_info("Landlock: read-only access to %zu capsule "
			    "%s, nothing else", n, log_plural(n, "directory",
			    "directories"));
		return 0;
	}
	if (seccomp(allowed, sizeof(allowed) / sizeof(allowed[0]), 1,
	    errstr) == -1)
		return -1;
	ncalls = sizeof(allowed) / sizeof(allowed[0]) + 3;
	log_info("seccomp: %zu system %s allowed, the rest refused", ncalls,
	    log_plural(ncalls, "call", "calls"));
	return 0;
}

/*
 * The writer's sandbox (writer.c): Landlock allowing reads and writes
 * below dirs only, and its own seccomp list.  Sanitizer builds skip it.
 */
int
sandbox_writer(const int *dirs, size_t n, const char **errstr)
{
	int	 r;

	if (SANITIZER_BUILD)
		return 0;
	if ((r = landlock(dirs, n, 1, errstr)) == -1)
		return -1;
	if (r == 0)
		log_warnx("writer: this kernel has no Landlock: file-system "
		    "access is limited by the user only");
	return seccomp(writer_allowed, sizeof(writer_allowed) /
	    sizeof(writer_allowed[0]), 0, errstr);
}

/*
 * capsuled --sandbox-selftest DIR FILE: sandbox this process as the
 * server is, with DIR allowed, then try what it must not do.  FILE (a
 * file outside DIR) must not open; exec, fork, a new socket and ptrace
 * must fail; a file inside DIR must still open and a thread start.  0
 * when all held.
 */
static void *
selftest_thread(void *arg)
{
	return arg;
}

/*
 * The writer's half, in a child: its sandbox, then a socket, exec and a
 * write outside DIR must fail, a file made and removed inside it must
 * not.  Exits 0 when all held.
 */
static void __attribute__((noreturn))
writer_selftest(int dfd, const char *outside)
{
	const char	*errstr;
	char		 prog[] = "/bin/true", *argv[] = { prog, NULL };
	int		 fd, bad = 0;

	if (sandbox_writer(&dfd, 1, &errstr) == -1) {
		fprintf(stderr, "writer sandbox: %s\n", errstr);
		_exit(2);
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	printf("writer: socket: %s\n", fd == -1 ? strerror(errno) :
	    "ALLOWED");
	bad |= fd != -1;
	errno = 0;
	execve(argv[0], argv, NULL);
	printf("writer: execve: %s\n", strerror(errno));
	fd = open(outside, O_WRONLY | O_APPEND);
	printf("writer: write %s outside: %s\n", outside, fd == -1 ?
	    strerror(errno) : "ALLOWED");
	bad |= fd != -1;
	fd = openat(dfd, ".selftest-writer", O_WRONLY | O_CREAT | O_EXCL,
	    0600);
	printf("writer: write in the allowed directory: %s\n", fd != -1 ?
	    "allowed" : strerror(errno));
	bad |= fd == -1;
	if (fd != -1)
		unlinkat(dfd, ".selftest-writer", 0);
	fflush(stdout);
	_exit(bad);
}

int
sandbox_selftest(const char *dir, const char *outside)
{
	const char	*errstr;
	char		 prog[] = "/bin/true", *argv[] = { prog, NULL };
	pthread_t	 tid;
	pid_t		 pid;
	int		 dfd, fd, r, bad = 0;

	if (SANITIZER_BUILD) {
		printf("sandbox: skipped (sanitizer build)\n");
		return 2;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY)) == -1) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return 2;
	}
	fflush(stdout);
	if ((pid = fork()) == 0)
		writer_selftest(dfd, outside);
	if (pid == -1 || waitpid(pid, &r, 0) == -1 || !WIFEXITED(r) ||
	    WEXITSTATUS(r) != 0)
		bad = 1;
	if (sandbox_restrict(&dfd, 1, 1, &errstr) == -1 ||
	    sandbox_restrict(&dfd, 1, 2, &errstr) == -1) {
		fprintf(stderr, "sandbox: %s\n", errstr);
		return 2;
	}
	fd = open(outside, O_RDONLY);
	printf("open %s outside: %s\n", outside, fd == -1 ? strerror(errno) :
	    "ALLOWED");
	bad |= fd != -1;
	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY);
	printf("open the allowed directory: %s\n", fd != -1 ? "allowed" :
	    strerror(errno));
	bad |= fd == -1;
	fd = openat(dfd, ".selftest-server", O_WRONLY | O_CREAT | O_EXCL,
	    0600);
	printf("write in the allowed directory: %s\n", fd == -1 ?
	    strerror(errno) : "ALLOWED");
	if (fd != -1)
		unlinkat(dfd, ".selftest-server", 0);
	errno = 0;
	execve(argv[0], argv, NULL);
	printf("execve: %s\n", strerror(errno));
	if ((pid = fork()) == 0)
		_exit(0);
	printf("fork: %s\n", pid == -1 ? strerror(errno) : "ALLOWED");
	bad |= pid != -1;
	r = pthread_create(&tid, NULL, selftest_thread, NULL);
	printf("thread: %s\n", r == 0 ? "allowed" : strerror(r));
	bad |= r != 0;
	if (r == 0)
		pthread_join(tid, NULL);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	printf("socket: %s\n", fd == -1 ? strerror(errno) : "ALLOWED");
	bad |= fd != -1;
	printf("ptrace: %s\n", syscall(SYS_ptrace, 0, 0, 0, 0) == -1 ?
	    strerror(errno) : "ALLOWED");
	bad |= errno != EPERM;
	printf("%s\n", bad ? "sandbox: FAILED" : "sandbox: all refused");
	return bad;
}
