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
 * is missing.  A capsule of 200,000 files takes as many system calls,
 * so one child per core walks it, each the top-level entries whose name
 * hashes to it, and the parent puts their lines together.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "strmap.h"
#include "preflight.h"
#include "tls.h"
#include "sandbox.h"
#include "serve.h"
#include "utf8.h"

/* Children walking at once, at most. */
#define WALKERS_MAX	4

/*
 * What a child writes to the parent, a line each: a problem with a path
 * ('P'), the writable check of a host taking uploads ('T'), the end of a
 * host's lines with its count of problems ('E'), or a line to pass on
 * as it is ('X').
 */
#define WALK_PATH	'P'
#define WALK_TITAN	'T'
#define WALK_END	'E'
#define WALK_ASIS	'X'

/* One capsule being walked in the child. */
struct walk {
	const char	*w_loc;		/* "FILE:LINE", "-d" or "default" */
	const char	*w_capsule;	/* as configured */
	const char	*w_user;	/* whom the server runs as */
	size_t		 w_problems;
	size_t		 w_part;	/* the top-level entries it takes: */
	size_t		 w_nparts;	/* name hash % w_nparts == w_part */
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
	buf_printf(&b, "%c%s: capsule ", WALK_PATH, w->w_loc);
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
	int		 lfd, cfd, mine = depth > 0 || w->w_part == 0;

	/* "." is looked up (search, x) and opened for reading (list, r) */
	if ((lfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		if (mine)	/* the capsule's own: said once */
			refused(w, path, st, errno);
		return;
	}
	if ((dp = fdopendir(lfd)) == NULL) {
		close(lfd);
		if (mine)
			refused(w, path, st, errno);
		return;
	}
	while ((errno = 0, de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.' || (depth == 0 &&
		    strmap_hash(de->d_name, strlen(de->d_name)) %
		    w->w_nparts != w->w_part))
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
	if (errno != 0 && mine)
		refused(w, path, st, errno);
	closedir(dp);
}

/* A line to the parent: kind, then what problem() makes of the rest. */
static void
tell(int out, char kind, const char *loc, const char *capsule,
    const char *why)
{
	struct buf	 b;

	buf_init(&b);
	buf_addc(&b, kind);
	problem(&b, loc, "capsule", capsule, why);
	if (!b.b_failed)
		(void)!write(out, b.b_data, b.b_len);
	buf_free(&b);
}

/*
 * Child `part` of nparts: dirs[i] opened by the caller (as root when
 * root); drop to user as the server does, walk its share of each, and
 * tell the parent what it found (WALK_*).
 */
static void __attribute__((noreturn))
walk_child(const struct config *c, char **locs, const int *dirs,
    const char *user, size_t part, size_t nparts, int out)
{
	struct walk	 w;
	struct stat	 st;
	const char	*errstr;
	char		 line[512];
	size_t		 i;

	if (sandbox_drop(user, &errstr) == -1) {
		snprintf(line, sizeof(line), "%cuser %s: cannot become it: "
		    "%s\n", WALK_ASIS, user, errstr);
		if (part == 0)
			(void)!write(out, line, strlen(line));
		_exit(1);
	}
	for (i = 0; i < c->cf_nhosts; i++) {
		memset(&w, 0, sizeof(w));
		if (dirs[i] != -1 && fstat(dirs[i], &st) == 0) {
			w.w_loc = locs[i];
			w.w_capsule = c->cf_hosts[i].ch_capsule;
			w.w_user = user;
			w.w_part = part;
			w.w_nparts = nparts;
			w.w_out = out;
			walk_dir(&w, dirs[i], c->cf_hosts[i].ch_capsule, &st,
			    0);
			/* Titan's writer runs as this user too */
			if (part == 0 && c->cf_hosts[i].ch_titan &&
			    faccessat(dirs[i], ".", W_OK, 0) == -1) {
				snprintf(line, sizeof(line), "user %s cannot "
				    "write here (%s): Titan uploads would "
				    "fail", user, strerror(errno));
				tell(out, WALK_TITAN, locs[i], w.w_capsule,
				    line);
			}
		}
		snprintf(line, sizeof(line), "%c%zu\n", WALK_END,
		    w.w_problems);
		(void)!write(out, line, strlen(line));
	}
	_exit(0);
}

/*
 * The next line of a child's output at *pos: its kind, then its text;
 * *len counts both, not the LF.
 */
static const char *
next_line(const struct buf *o, size_t *pos, size_t *len)
{
	const char	*p = o->b_data + *pos, *nl;

	if (*pos >= o->b_len || (nl = memchr(p, '\n', o->b_len - *pos)) ==
	    NULL)
		return NULL;
	*len = (size_t)(nl - p);
	*pos += *len + 1;
	return p;
}

/*
 * Put the children's lines together into b, host by host: the paths
 * (PREFLIGHT_REPORT_MAX of them in all), the Titan line, how many more.
 */
static void
walk_merge(const struct config *c, char **locs, const char *user,
    struct buf *out, size_t nout, struct buf *b)
{
	const char	*l;
	size_t		 i, k, len, total, shown, pos[WALKERS_MAX] = { 0 };
	struct buf	 titan;
	char		 more[256];

	for (k = 0; k < nout; k++)	/* could not become the user */
		while ((l = next_line(&out[k], &pos[k], &len)) != NULL)
			if (l[0] == WALK_ASIS) {
				buf_add(b, l + 1, len - 1);
				buf_addc(b, '\n');
			}
	memset(pos, 0, sizeof(pos));
	for (i = 0; i < c->cf_nhosts; i++) {
		buf_init(&titan);
		total = shown = 0;
		for (k = 0; k < nout; k++) {
			while ((l = next_line(&out[k], &pos[k], &len)) !=
			    NULL && l[0] != WALK_END) {
				if (l[0] == WALK_TITAN) {
					buf_add(&titan, l + 1, len - 1);
					buf_addc(&titan, '\n');
				} else if (l[0] == WALK_PATH &&
				    shown++ < PREFLIGHT_REPORT_MAX) {
					buf_add(b, l + 1, len - 1);
					buf_addc(b, '\n');
				}
			}
			if (l != NULL)	/* that child's end of this host */
				total += strtoul(l + 1, NULL, 10);
		}
		buf_add(b, titan.b_data, titan.b_len);
		buf_free(&titan);
		if (total > PREFLIGHT_REPORT_MAX) {
			snprintf(more, sizeof(more), "and %zu more paths user "
			    "%s cannot read", total - PREFLIGHT_REPORT_MAX,
			    user);
			problem(b, locs[i], "capsule", c->cf_hosts[i].ch_capsule,
			    more);
		}
	}
}

/* Read all of fd into o. */
static void
read_all(int fd, struct buf *o)
{
	char	 chunk[4096];
	ssize_t	 r;

	while ((r = read(fd, chunk, sizeof(chunk))) > 0 ||
	    (r == -1 && errno == EINTR))
		if (r > 0)
			buf_add(o, chunk, (size_t)r);
}

/*
 * Run walk_child on every core (at most WALKERS_MAX) and put their lines
 * together into b; the number of lines, or -1 when no child could start.
 */
static int
walk_all(const struct config *c, char **locs, const int *dirs,
    const char *user, struct buf *b)
{
	struct buf	 out[WALKERS_MAX];
	long		 ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t		 start = b->b_len, i, k, nk;
	pid_t		 pid[WALKERS_MAX];
	int		 p[WALKERS_MAX][2], status, n = 0;

	nk = ncpu < 1 ? 1 : ncpu > WALKERS_MAX ? WALKERS_MAX : (size_t)ncpu;
	for (k = 0; k < nk; k++) {
		if (pipe2(p[k], O_CLOEXEC) == -1)
			break;
		if ((pid[k] = fork()) == -1) {
			close(p[k][0]);
			close(p[k][1]);
			break;
		}
		if (pid[k] == 0) {
			close(p[k][0]);
			walk_child(c, locs, dirs, user, k, nk, p[k][1]);
		}
		close(p[k][1]);
	}
	if (k < nk) {		/* all of them or none: each has a share */
		for (i = 0; i < k; i++) {
			kill(pid[i], SIGKILL);
			close(p[i][0]);
			while (waitpid(pid[i], &status, 0) == -1 &&
			    errno == EINTR)
				;
		}
		return -1;
	}
	for (k = 0; k < nk; k++) {	/* one by one: each writes little */
		buf_init(&out[k]);
		read_all(p[k][0], &out[k]);
		close(p[k][0]);
		while (waitpid(pid[k], &status, 0) == -1 && errno == EINTR)
			;
	}
	walk_merge(c, locs, user, out, nk, b);
	for (k = 0; k < nk; k++)
		buf_free(&out[k]);
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
