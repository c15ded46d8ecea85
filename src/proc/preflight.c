/*
 * preflight: start-up's refusals, checked ahead (see preflight.h).
 *
 * Access is checked in a forked child that opens each capsule directory
 * as the server does (as root, before dropping), then drops privileges
 * with the server's own sandbox_drop and tries what the server will try:
 * list every directory, search it, read every file.  So the kernel
 * answers, not a model of it: ACLs, security modules and root-squashing
 * file systems are all accounted for, and so is sandbox_drop's choice
 * to keep no supplementary groups, which a check of the user's groups
 * would get wrong.  The mode bits are read only to say which permission
 * is missing.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "preflight.h"
#include "tls.h"
#include "sandbox.h"
#include "serve.h"
#include "utf8.h"

/* One capsule being walked in the child. */
struct walk {
	const char	*w_loc;		/* "FILE:LINE", "-d" or "default" */
	const char	*w_capsule;	/* as configured */
	const char	*w_user;	/* whom the server runs as */
	size_t		 w_problems;
	int		 w_out;		/* the pipe to the parent */
};

/* Where a setting came from, for the front of a message. */
static void
location(char *out, size_t n, const char *file, size_t line,
    const char *flag)
{
	if (file != NULL && line > 0)
		snprintf(out, n, "%s:%zu", file, line);
	else
		snprintf(out, n, "%s", flag != NULL ? flag : "default");
}

/* "LOC: what PATH: why", PATH escaped; one line. */
static void
problem(struct buf *b, const char *loc, const char *what, const char *path,
    const char *why)
{
	buf_printf(b, "%s: %s ", loc, what);
	utf8_escape(b, path, strlen(path));
	buf_adds(b, ": ");
	buf_adds(b, why);
	buf_addc(b, '\n');
}

/* Is directory a inside (or the same as) directory b? */
int
preflight_inside(const char *a, const char *b)
{
	char	 ra[PATH_MAX], rb[PATH_MAX], parent[PATH_MAX];
	char	*slash;
	size_t	 n;

	if (realpath(b, rb) == NULL)
		return 0;
	if (realpath(a, ra) == NULL) {
		/* a does not exist yet: where would it be made? */
		snprintf(parent, sizeof(parent), "%s", a);
		if ((slash = strrchr(parent, '/')) == NULL)
			snprintf(parent, sizeof(parent), ".");
		else if (slash == parent)
			parent[1] = '\0';
		else
			*slash = '\0';
		if (realpath(parent, ra) == NULL)
			return 0;
	}
	n = strlen(rb);
	return strncmp(ra, rb, n) == 0 && (ra[n] == '/' || ra[n] == '\0' ||
	    (n == 1 && rb[0] == '/'));
}

/* "drwx------ root root" */
static void
describe(char *out, size_t n, const struct stat *st)
{
	static const char	 rwx[] = "rwxrwxrwx";
	char			 mode[11], owner[32], group[32];
	struct passwd		*pw;
	struct group		*gr;
	int			 i;

	mode[0] = S_ISDIR(st->st_mode) ? 'd' : '-';
	for (i = 0; i < 9; i++)
		mode[i + 1] = st->st_mode & (0400 >> i) ? rwx[i] : '-';
	mode[10] = '\0';
	if ((pw = getpwuid(st->st_uid)) != NULL)
		snprintf(owner, sizeof(owner), "%s", pw->pw_name);
	else
		snprintf(owner, sizeof(owner), "%u", (unsigned)st->st_uid);
	if ((gr = getgrgid(st->st_gid)) != NULL)
		snprintf(group, sizeof(group), "%s", gr->gr_name);
	else
		snprintf(group, sizeof(group), "%u", (unsigned)st->st_gid);
	snprintf(out, n, "%s %s %s", mode, owner, group);
}

/*
 * Report one path the user cannot use as the server would (a directory:
 * list and search, r-x; a file: read, r--), saying which bits its mode
 * withholds from the user's class, or the kernel's reason when the mode
 * bits allow it (an ACL, a security module, an I/O error).
 */
static void
refused(struct walk *w, const char *path, const struct stat *st, int err)
{
	char		 why[256], desc[96];
	struct buf	 b;
	int		 dir = S_ISDIR(st->st_mode), shift, bits, want;

	if (++w->w_problems > PREFLIGHT_REPORT_MAX)
		return;
	shift = st->st_uid == geteuid() ? 6 : st->st_gid == getegid() ? 3 : 0;
	bits = (int)(st->st_mode >> shift) & 7;
	want = dir ? 5 : 4;
	describe(desc, sizeof(desc), st);
	if ((want & ~bits) != 0 && (err == EACCES || err == EPERM))
		snprintf(why, sizeof(why), "user %s cannot %s (it needs %s; "
		    "it is %s)", w->w_user, dir ? "list this directory" :
		    "read this file", dir ? "r-x" : "r--", desc);
	else
		snprintf(why, sizeof(why), "user %s cannot %s (%s; it is %s)",
		    w->w_user, dir ? "list this directory" : "read this file",
		    strerror(err), desc);
	buf_init(&b);
	buf_printf(&b, "%s: capsule ", w->w_loc);
	utf8_escape(&b, w->w_capsule, strlen(w->w_capsule));
	buf_adds(&b, ": ");
	utf8_escape(&b, path, strlen(path));
	buf_adds(&b, ": ");
	buf_adds(&b, why);
	buf_addc(&b, '\n');
	if (!b.b_failed)
		(void)!write(w->w_out, b.b_data, b.b_len);
	buf_free(&b);
}

/*
 * Directory fd (path, for messages; st, what it is): can it be listed
 * and searched, and everything below it read?  Dotfiles are never
 * served, symbolic links not followed, so neither is looked at.
 */
static void
walk_dir(struct walk *w, int fd, const char *path, const struct stat *st,
    int depth)
{
	struct dirent	*de;
	struct stat	 cst;
	DIR		*dp;
	char		 child[PATH_MAX];
	int		 lfd, cfd;

	/* "." is looked up (search, x) and opened for reading (list, r) */
	if ((lfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		refused(w, path, st, errno);
		return;
	}
	if ((dp = fdopendir(lfd)) == NULL) {
		close(lfd);
		refused(w, path, st, errno);
		return;
	}
	while ((errno = 0, de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		/*
		 * A regular file the directory entry says is one costs one
		 * system call when it can be read (a capsule may hold
		 * hundreds of thousands): its stat is for the message only.
		 */
		if (de->d_type == DT_REG &&
		    faccessat(lfd, de->d_name, R_OK, 0) == 0)
			continue;
		if (fstatat(lfd, de->d_name, &cst, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
		if (S_ISREG(cst.st_mode)) {
			/* after the drop real = effective ids: as open(2) */
			if (faccessat(lfd, de->d_name, R_OK, 0) == -1)
				refused(w, child, &cst, errno);
		} else if (S_ISDIR(cst.st_mode) && depth < PREFLIGHT_DEPTH_MAX) {
			if ((cfd = openat(lfd, de->d_name, O_RDONLY |
			    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
				refused(w, child, &cst, errno);
				continue;
			}
			walk_dir(w, cfd, child, &cst, depth + 1);
			close(cfd);
		}
	}
	if (errno != 0)
		refused(w, path, st, errno);
	closedir(dp);
}

/*
 * The child: dirs[i] opened by the caller (as root when root); drop to
 * user as the server does, walk each, write one line per problem to out.
 */
static void __attribute__((noreturn))
walk_child(const struct config *c, char **locs, const int *dirs,
    const char *user, int out)
{
	struct walk	 w;
	struct stat	 st;
	struct buf	 b;
	const char	*errstr;
	char		 line[512];
	size_t		 i;

	if (sandbox_drop(user, &errstr) == -1) {
		snprintf(line, sizeof(line), "user %s: cannot become it: "
		    "%s\n", user, errstr);
		(void)!write(out, line, strlen(line));
		_exit(1);
	}
	for (i = 0; i < c->cf_nhosts; i++) {
		if (dirs[i] == -1 || fstat(dirs[i], &st) == -1)
			continue;
		memset(&w, 0, sizeof(w));
		w.w_loc = locs[i];
		w.w_capsule = c->cf_hosts[i].ch_capsule;
		w.w_user = user;
		w.w_out = out;
		walk_dir(&w, dirs[i], c->cf_hosts[i].ch_capsule, &st, 0);
		/* Titan's writer runs as this user too */
		if (c->cf_hosts[i].ch_titan && faccessat(dirs[i], ".", W_OK,
		    0) == -1) {
			snprintf(line, sizeof(line), "user %s cannot write "
			    "here (%s): Titan uploads would fail", user,
			    strerror(errno));
			buf_init(&b);
			problem(&b, locs[i], "capsule", w.w_capsule, line);
			if (!b.b_failed)
				(void)!write(out, b.b_data, b.b_len);
			buf_free(&b);
		}
		if (w.w_problems > PREFLIGHT_REPORT_MAX) {
			snprintf(line, sizeof(line), "and %zu more paths user "
			    "%s cannot read", w.w_problems -
			    PREFLIGHT_REPORT_MAX, user);
			buf_init(&b);
			problem(&b, locs[i], "capsule", w.w_capsule, line);
			if (!b.b_failed)
				(void)!write(out, b.b_data, b.b_len);
			buf_free(&b);
		}
	}
	_exit(0);
}

/* Run walk_child and collect its lines into b; the number of lines. */
static int
walk_all(const struct config *c, char **locs, const int *dirs,
    const char *user, struct buf *b)
{
	char	 chunk[4096];
	ssize_t	 r;
	size_t	 start = b->b_len, i;
	pid_t	 pid;
	int	 p[2], status, n = 0;

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		walk_child(c, locs, dirs, user, p[1]);
	}
	close(p[1]);
	while ((r = read(p[0], chunk, sizeof(chunk))) > 0 ||
	    (r == -1 && errno == EINTR))
		if (r > 0)
			buf_add(b, chunk, (size_t)r);
	close(p[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	for (i = start; i < b->b_len; i++)
		n += b->b_data[i] == '\n';
	return n;
}

/*
 * The user the server becomes (capsuled.conf(5), "user"): the configured
 * one, "nobody" when root; not root, it stays who it is, but a
 * configured user must still exist.  A problem with it goes to b; *name
 * is then NULL.
 */
static int
serving_user(const struct config *c, const char *file, struct buf *b,
    const char **name)
{
	struct passwd	*pw;
	char		 loc[PATH_MAX + 32];

	*name = c->cf_user != NULL ? c->cf_user : geteuid() == 0 ? "nobody" :
	    NULL;
	location(loc, sizeof(loc), file, c->cf_user_line, NULL);
	if (*name == NULL) {
		if ((pw = getpwuid(geteuid())) != NULL)
			*name = pw->pw_name;
		return 0;
	}
	if ((pw = getpwnam(*name)) == NULL) {
		problem(b, loc, "user", *name, c->cf_user != NULL ?
		    "no such user" : "no such user (set 'user' in "
		    "capsuled.conf)");
		*name = NULL;
		return 1;
	}
	if (pw->pw_uid == 0 && geteuid() == 0) {
		problem(b, loc, "user", *name, "refusing to serve as root");
		*name = NULL;
		return 1;
	}
	/* not root: no user is become (sandbox_drop), we are checked */
	if (geteuid() != 0 && (pw = getpwuid(geteuid())) != NULL)
		*name = pw->pw_name;
	return 0;
}

/*
 * One host: its capsule is a directory (opened into *dfd, else -1) and
 * its certificates are not inside it.  Problems go to b; their count.
 */
static int
host_check(const struct config_host *h, size_t i, const char *file,
    const struct overrides *o, int what, int *dfd, char *loc, size_t loclen,
    struct buf *b)
{
	char	 cloc[PATH_MAX + 32];
	int	 n = 0;

	location(loc, loclen, file, h->ch_capsule_line != 0 ?
	    h->ch_capsule_line : h->ch_line, i == 0 && o != NULL &&
	    o->ov_dir != NULL ? "-d" : NULL);
	if ((*dfd = open(h->ch_capsule, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		problem(b, loc, "capsule", h->ch_capsule, errno == ENOTDIR ?
		    "not a directory" : strerror(errno));
		n++;
	}
	if ((what & PREFLIGHT_CONFIG) && preflight_inside(h->ch_certs,
	    h->ch_capsule)) {
		location(cloc, sizeof(cloc), file, h->ch_certs_line != 0 ?
		    h->ch_certs_line : h->ch_line, i == 0 && o != NULL &&
		    o->ov_certs != NULL ? "-C" : NULL);
		problem(b, cloc, "certs", h->ch_certs, "the certificate "
		    "directory is inside the capsule (its keys could be "
		    "served); move it out");
		n++;
	}
	return n;
}

/* The ticket-key file, if any: one the server would take.  1 if not. */
static int
ticket_key_check(const struct config *c, const char *file, int what,
    struct buf *b)
{
	char		 loc[PATH_MAX + 32];
	const char	*errstr;

	if (!(what & PREFLIGHT_CONFIG) || c->cf_ticket_key_file == NULL ||
	    tls_ticket_file_check(c->cf_ticket_key_file, &errstr) == 0)
		return 0;
	location(loc, sizeof(loc), file, c->cf_ticket_key_line, NULL);
	problem(b, loc, "ticket-key-file", c->cf_ticket_key_file, errstr);
	return 1;
}

/*
 * Every problem of c that start-up would refuse (what: PREFLIGHT_*),
 * one line each into b (see preflight.h); the count, or -1 when the
 * check itself could not run (out of memory, no fork).
 */
int
preflight_config(const struct config *c, const char *file,
    const struct overrides *o, int what, struct buf *b)
{
	char		**locs;
	const char	 *user;
	int		 *dirs, n = 0, r;
	size_t		  i;

	locs = calloc(c->cf_nhosts + 1, sizeof(*locs));
	dirs = calloc(c->cf_nhosts + 1, sizeof(*dirs));
	for (i = 0; dirs != NULL && i < c->cf_nhosts; i++)
		dirs[i] = -1;
	for (i = 0; locs != NULL && i < c->cf_nhosts; i++)
		if ((locs[i] = malloc(PATH_MAX + 32)) == NULL)
			break;
	if (locs == NULL || dirs == NULL || i < c->cf_nhosts) {
		n = -1;
		goto done;
	}
	n += serving_user(c, file, b, &user);
	n += ticket_key_check(c, file, what, b);
	for (i = 0; i < c->cf_nhosts; i++)
		n += host_check(&c->cf_hosts[i], i, file, o, what, &dirs[i],
		    locs[i], PATH_MAX + 32, b);
	if ((what & PREFLIGHT_ACCESS) && user != NULL) {
		if ((r = walk_all(c, locs, dirs, user, b)) == -1)
			n = -1;
		else
			n += r;
	}
 done:
	for (i = 0; i < c->cf_nhosts; i++) {
		if (dirs != NULL && dirs[i] != -1)
			close(dirs[i]);
		if (locs != NULL)
			free(locs[i]);
	}
	free(locs);
	free(dirs);
	return n;
}
