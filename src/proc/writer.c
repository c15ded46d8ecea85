/*
 * writer.c: the writer process (writer.h).  A write goes to a temporary
 * dotfile beside its target, is fsynced, the target's previous version
 * is linked (or copied) into WRITER_HISTORY_DIR, the temporary file is
 * renamed over the target and the directory fsynced.  A delete keeps
 * the previous version the same way, then unlinks.  On any error the
 * temporary file is removed and the target is as it was.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/openat2.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "live.h"
#include "log.h"
#include "sandbox.h"
#include "titan.h"
#include "writer.h"

/* A path, its history entry names: the path with '/' and '%' escaped. */
#define PATH_MAX_BYTES	(GEMINI_URI_MAX + 1)

struct job {
	int		*j_dirs;
	size_t		 j_n;
	uint64_t	 j_fence;	/* the last fence made */
	uint64_t	 j_seq;		/* temporary and history names */
};

static int
read_full(int fd, void *p, size_t n)
{
	ssize_t	 r;

	while (n > 0) {
		if ((r = read(fd, p, n)) <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			return -1;
		}
		p = (char *)p + r;
		n -= (size_t)r;
	}
	return 0;
}

/* The directory holding path (relative), below root only; its name. */
static int
open_parent(int root, char *path, const char **base)
{
	struct open_how	 how;
	char		*slash = strrchr(path, '/');
	int		 fd;

	if (slash == NULL) {
		*base = path;
		return openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	*slash = '\0';
	*base = slash + 1;
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
	*slash = '/';
	return fd;
}

/*
 * path with '%', '/' and '~' escaped: a file name per path, which "~"
 * then ends (history_prune matches "<key>~").
 */
static void
history_key(const char *path, char *out, size_t n)
{
	size_t	 o = 0;

	for (; *path != '\0' && o + 4 < n; path++) {
		if (*path == '/' || *path == '%' || *path == '~')
			o += (size_t)snprintf(out + o, n - o, "%%%02X",
			    (unsigned char)*path);
		else
			out[o++] = *path;
	}
	out[o] = '\0';
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keep the newest keep versions of key in the history directory hfd. */
static void
history_prune(int hfd, const char *key, unsigned keep)
{
	struct dirent	*de;
	DIR		*dp;
	char		**names = NULL, **p;
	size_t		 n = 0, i, klen = strlen(key);
	int		 fd;

	if ((fd = openat(hfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (dp = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(dp)) != NULL) {
		if (strncmp(de->d_name, key, klen) != 0 ||
		    de->d_name[klen] != '~')
			continue;
		if ((p = reallocarray(names, n + 1, sizeof(*p))) == NULL)
			break;
		names = p;
		if ((names[n] = strdup(de->d_name)) == NULL)
			break;
		n++;
	}
	closedir(dp);
	if (n > 0)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		if (i + keep < n)
			unlinkat(hfd, names[i], 0);
		free(names[i]);
	}
	free(names);
}

/* Copy pfd/base to hfd/name (when a link between them is refused). */
static int
history_copy(int pfd, const char *base, int hfd, const char *name)
{
	char	 buf[16384];
	ssize_t	 r;
	int	 in, out, e = 0;

	if ((in = openat(pfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if ((out = openat(hfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1) {
		close(in);
		return -1;
	}
	while ((r = read(in, buf, sizeof(buf))) > 0)
		if (titan_write_full(out, buf, (size_t)r) == -1)
			break;
	if (r != 0 || fsync(out) == -1)
		e = errno ? errno : EIO;
	close(in);
	if (close(out) == -1 && e == 0)
		e = errno;
	if (e != 0) {
		unlinkat(hfd, name, 0);
		errno = e;
		return -1;
	}
	return 0;
}

/*
 * Keep the current version of pfd/base (path from the capsule's root)
 * in the history: "<key>~<seconds>.<nanoseconds, 9 digits>-<seq>", so
 * names sort by age.  0 when there was none to keep.
 */
static int
history_keep(struct job *j, int root, int pfd, const char *base,
    const char *path, unsigned keep)
{
	struct timespec	 ts;
	char		 key[PATH_MAX_BYTES * 3], name[sizeof(key) + 64];
	int		 hfd, r;

	if (mkdirat(root, WRITER_HISTORY_DIR, 0755) == -1 && errno != EEXIST)
		return -1;
	if ((hfd = openat(root, WRITER_HISTORY_DIR, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	history_key(path, key, sizeof(key));
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(name, sizeof(name), "%s~%012lld.%09ld-%06llu", key,
	    (long long)ts.tv_sec, ts.tv_nsec,
	    (unsigned long long)(++j->j_seq % 1000000));
	if ((r = linkat(pfd, base, hfd, name, 0)) == -1)
		r = history_copy(pfd, base, hfd, name);
	if (r == 0 && fsync(hfd) == -1)
		r = -1;
	if (r == 0)
		history_prune(hfd, key, keep);
	close(hfd);
	return r;
}

/* A fence in root (live.h): made and removed, its number kept. */
static void
fence(struct job *j, int root, struct titan_reply *rp)
{
	char	 name[64];
	int	 fd;

	snprintf(name, sizeof(name), "%s%llu", LIVE_FENCE_PREFIX,
	    (unsigned long long)++j->j_fence);
	if ((fd = openat(root, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) ==
	    -1)
		return;
	close(fd);
	unlinkat(root, name, 0);
	rp->trp_fence = j->j_fence;
}

static void
fail(struct titan_reply *rp, const char *what)
{
	rp->trp_err = errno ? errno : EIO;
	snprintf(rp->trp_msg, sizeof(rp->trp_msg), "%s: %s", what,
	    strerror(rp->trp_err));
}

/* Write (or, size 0, delete) path below root as the header says. */
static void
apply(struct job *j, int root, char *path, const char *data,
    const struct titan_msg *m, struct titan_reply *rp)
{
	struct stat	 st;
	const char	*base;
	char		 tmp[64];
	int		 pfd, fd = -1, exists;

	errno = 0;
	if ((pfd = open_parent(root, path, &base)) == -1) {
		fail(rp, "no such directory");
		return;
	}
	exists = fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (exists && !S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EPERM;
		fail(rp, "not a regular file");
		goto done;
	}
	if (m->tm_size == 0) {
		errno = ENOENT;
		if (!exists || history_keep(j, root, pfd, base, path,
		    m->tm_history) == -1 || unlinkat(pfd, base, 0) == -1 ||
		    fsync(pfd) == -1)
			fail(rp, exists ? "cannot delete" : "no such file");
		goto done;
	}
	snprintf(tmp, sizeof(tmp), ".titan-%ld-%llu.tmp", (long)getpid(),
	    (unsigned long long)++j->j_seq);
	if ((fd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1) {
		fail(rp, "cannot create");
		goto done;
	}
	if (titan_write_full(fd, data, m->tm_size) == -1 || fsync(fd) == -1 ||
	    close(fd) == -1) {
		fd = -1;
		fail(rp, "cannot write");
		unlinkat(pfd, tmp, 0);
		goto done;
	}
	fd = -1;
	if (exists && history_keep(j, root, pfd, base, path,
	    m->tm_history) == -1) {
		fail(rp, "cannot keep the previous version");
		unlinkat(pfd, tmp, 0);
		goto done;
	}
	if (renameat(pfd, tmp, pfd, base) == -1 || fsync(pfd) == -1) {
		fail(rp, "cannot replace");
		unlinkat(pfd, tmp, 0);
	}
 done:
	if (fd != -1)
		close(fd);
	close(pfd);
	if (m->tm_fence && rp->trp_err == 0)
		fence(j, root, rp);
}

/* Serve requests on fd until the serving process goes. */
static void __attribute__((noreturn))
serve(struct job *j, int fd)
{
	struct titan_msg	 m;
	struct titan_reply	 rp;
	char			 path[PATH_MAX_BYTES];
	char			*data;

	for (;;) {
		if (read_full(fd, &m, sizeof(m)) == -1 ||
		    m.tm_pathlen == 0 || m.tm_pathlen >= sizeof(path) ||
		    m.tm_host >= j->j_n || m.tm_size > TITAN_BODY_MAX ||
		    read_full(fd, path, m.tm_pathlen) == -1)
			_exit(0);
		path[m.tm_pathlen] = '\0';
		if ((data = malloc(m.tm_size ? m.tm_size : 1)) == NULL ||
		    read_full(fd, data, m.tm_size) == -1)
			_exit(1);
		memset(&rp, 0, sizeof(rp));
		if (memchr(path, '\0', m.tm_pathlen) != NULL ||
		    strstr(path, "..") != NULL || path[0] == '/') {
			errno = EINVAL;
			fail(&rp, "bad path");
		} else
			apply(j, j->j_dirs[m.tm_host], path, data, &m, &rp);
		free(data);
		if (titan_write_full(fd, &rp, sizeof(rp)) == -1)
			_exit(0);
	}
}

/* Close every descriptor but keep[0..n) and 0, 1, 2. */
static void
close_others(int *keep, size_t n)
{
	size_t	 i, k;
	int	 lo = 3, t;

	for (i = 1; i < n; i++)		/* a handful: insertion sort */
		for (k = i; k > 0 && keep[k - 1] > keep[k]; k--) {
			t = keep[k];
			keep[k] = keep[k - 1];
			keep[k - 1] = t;
		}
	for (i = 0; i < n; i++) {
		if (keep[i] > lo)
			syscall(SYS_close_range, lo, keep[i] - 1, 0);
		if (keep[i] >= lo)
			lo = keep[i] + 1;
	}
	syscall(SYS_close_range, lo, ~0U, 0);
}

/*
 * Fork the writer for the capsule directories dirs[0..n) (one per host,
 * by index); *fd is the serving process's end.  The writer drops to
 * user and, sandbox set, sandboxes itself.  Its pid, or -1.
 */
pid_t
writer_start(const int *dirs, size_t n, const char *user, int sandbox,
    int *fd, const char **errstr)
{
	struct job	 j;
	int		 sp[2], *keep;
	pid_t		 pid;
	size_t		 i;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1) {
		*errstr = strerror(errno);
		return -1;
	}
	if ((pid = fork()) == -1) {
		*errstr = strerror(errno);
		close(sp[0]);
		close(sp[1]);
		return -1;
	}
	if (pid != 0) {
		close(sp[1]);
		*fd = sp[0];
		return pid;
	}
	close(sp[0]);
	memset(&j, 0, sizeof(j));
	if ((keep = calloc(n + 1, sizeof(*keep))) == NULL ||
	    (j.j_dirs = calloc(n + 1, sizeof(*j.j_dirs))) == NULL)
		_exit(1);
	for (i = 0; i < n; i++)
		keep[i] = j.j_dirs[i] = dirs[i];
	keep[n] = sp[1];
	j.j_n = n;
	close_others(keep, n + 1);
	signal(SIGPIPE, SIG_IGN);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		_exit(1);
	if (sandbox_drop(user, errstr) == -1) {
		log_warnx("writer: cannot drop privileges to %s: %s", user,
		    *errstr);
		_exit(1);
	}
	if (sandbox && sandbox_writer(j.j_dirs, n, errstr) == -1) {
		log_warnx("writer: sandbox: %s", *errstr);
		_exit(1);
	}
	serve(&j, sp[1]);
}
