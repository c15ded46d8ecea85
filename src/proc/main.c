/*
 * capsuled: serve a capsule of plain-text articles over Gemini and
 * Gopher.  This file holds the command line: the subcommands convert
 * and check, and the server's start-up.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "article.h"
#include "buf.h"
#include "capsule.h"
#include "catalog.h"
#include "config.h"
#include "log.h"
#include "meta.h"
#include "page.h"
#include "preflight.h"
#include "render.h"
#include "sandbox.h"
#include "serve.h"
#include "site.h"
#include "utf8.h"

#define VERSION	"0.1.0"

static const char usage_text[] =
"usage: capsuled [-f] [-c FILE] [-d CAPSULE_DIR] [-H HOSTNAME] [-g GEMINI_PORT]\n"
"                [-p GOPHER_PORT] [-s SPARTAN_PORT] [-x NEX_PORT]\n"
"                [-w HTTP_PORT]\n"
"                [-C CERT_DIR] [-T SECONDS] [--proxy] [--strict]\n"
"                [--no-sandbox]\n"
"       capsuled -n [-c FILE]\n"
"       capsuled --sandbox-selftest DIR OUTSIDE_FILE\n"
"       capsuled convert [-d CAPSULE_DIR] [-H HOSTNAME] [-g PORT] [-p PORT]\n"
"                        [--gopher | --gopher-text] [--strict] FILE...\n"
"       capsuled convert [-d CAPSULE_DIR] [-H HOSTNAME] [-g PORT] [-p PORT]\n"
"                        --home [--gopher] | --atom\n"
"       capsuled check [-c FILE] [-d CAPSULE_DIR]\n"
"       capsuled --help | --version\n"
"\n"
"  (no command)  serve the capsule over Gemini (TLS) and Gopher until\n"
"                SIGTERM/SIGINT; SIGHUP reloads the configuration (all\n"
"                but listen and workers, which need a restart)\n"
"  -n            check the configuration (as start-up does: capsules,\n"
"                user, certificates, permissions) and print it in\n"
"                canonical form\n"
"  convert       print the rendering of each article FILE: gemtext, or with\n"
"                --gopher its Gopher menu, with --gopher-text its plain text;\n"
"                --home prints the home page (--gopher: the root menu),\n"
"                --atom the Atom feed.  Related titles are resolved against\n"
"                CAPSULE_DIR (default: the directory holding FILE)\n"
"  check         report every file that is skipped or has a problem, and\n"
"                every path the serving user could not read, one line\n"
"                each; exit 1 if a file was skipped or is unreadable\n"
"\n"
"  -c FILE       configuration file (capsuled.conf(5)); flags override it\n"
"  -d DIR        capsule directory (default ./capsule)\n"
"  -C DIR        certificate directory (default ./certs); a self-signed\n"
"                certificate naming HOSTNAME and its aliases is created\n"
"                there if it has none\n"
"  -T SECONDS    deadline for a request, and for a reply to make progress\n"
"                (default 10)\n"
"  -f            stay in the foreground (capsuled always does)\n"
"  -H HOSTNAME   host name in absolute links and Gopher items (localhost)\n"
"  -g PORT       Gemini port to listen on and use in links (1965; 0 for\n"
"                any port flag: any free port, reported on stderr); a port\n"
"                flag sets the port of its protocol's listen lines, or adds\n"
"                the protocol on every address when it has none\n"
"  -p PORT       Gopher port in items (convert: 70; server: 70 as root,\n"
"                7070 otherwise)\n"
"  -s PORT       also serve Spartan on PORT (its default is 300)\n"
"  -x PORT       also serve Nex on PORT (its default is 1900)\n"
"  -w PORT       also serve the capsule as HTML over HTTP (the web) on\n"
"                PORT (its default is 80; no TLS: put a web server in\n"
"                front for HTTPS)\n"
"  --proxy       every listener, of the flags and of listen lines, takes\n"
"                only connections that start with a PROXY protocol header\n"
"                (v1 or v2) from a load balancer, which names the client\n"
"  --no-sandbox  serve without Landlock and seccomp (for debugging)\n"
"  --sandbox-selftest  sandbox this process as the server is, allowing\n"
"                DIR, and show that OUTSIDE_FILE, exec, fork, sockets and\n"
"                ptrace are refused while a thread starts; exit 0 if so\n"
"  --strict      Gopher text in strict RFC 1436 form: lines starting with\n"
"                '.' doubled and a final '.' line\n";

enum {
	OPT_GOPHER = 256,
	OPT_GOPHER_TEXT,
	OPT_HOME,
	OPT_ATOM,
	OPT_STRICT,
	OPT_HELP,
	OPT_VERSION,
	OPT_NO_SANDBOX,
	OPT_SELFTEST,
	OPT_PROXY,
};

static const struct option long_options[] = {
	{ "gopher",	 no_argument, NULL, OPT_GOPHER },
	{ "gopher-text", no_argument, NULL, OPT_GOPHER_TEXT },
	{ "home",	 no_argument, NULL, OPT_HOME },
	{ "atom",	 no_argument, NULL, OPT_ATOM },
	{ "strict",	 no_argument, NULL, OPT_STRICT },
	{ "help",	 no_argument, NULL, OPT_HELP },
	{ "version",	 no_argument, NULL, OPT_VERSION },
	{ "no-sandbox",	 no_argument, NULL, OPT_NO_SANDBOX },
	{ "sandbox-selftest", no_argument, NULL, OPT_SELFTEST },
	{ "proxy",	 no_argument, NULL, OPT_PROXY },
	{ NULL, 0, NULL, 0 },
};

struct options {
	const char	*o_dir;		/* -d, or NULL */
	const char	*o_config;	/* -c */
	int		 o_dump;	/* -n */
	int		 o_selftest;	/* --sandbox-selftest */
	struct overrides o_over;	/* the flags that override the file */
	struct site	 o_site;
	enum render_format o_format;
	int		 o_home;
	int		 o_atom;
};

/* Each protocol's port flag, in addr.h's order. */
static const char port_flags[NUM_ADDR_PROTOS + 1] = "gpsxw";

static void __attribute__((noreturn))
usage(int status)
{
	fputs(usage_text, status == 0 ? stdout : stderr);
	exit(status);
}

static unsigned
parse_port(const char *s)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < 0 || v > 65535)
		fatalx("invalid port: %s", s);
	return (unsigned)v;
}

static void
options_init(struct options *o, unsigned gopher_port)
{
	size_t	 i;

	memset(o, 0, sizeof(*o));
	o->o_site.s_host = "localhost";
	o->o_site.s_port[ADDR_GEMINI] = 1965;
	o->o_site.s_gopher_host = "localhost";
	o->o_site.s_port[ADDR_GOPHER] = gopher_port;
	o->o_site.s_home_limit = SITE_HOME_LIMIT;
	for (i = 0; i < NUM_ADDR_PROTOS; i++)
		o->o_over.ov_port[i] = -1;
}

/* Parse the options every command shares; returns the first operand. */
static int
parse_options(int argc, char **argv, struct options *o, const char *allowed)
{
	enum addr_proto	 p;
	int		 ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:d:H:g:p:s:x:w:C:T:fn", long_options,
	    NULL)) != -1) {
		/* 'L' in allowed: the rendering options of convert; 'S': --strict */
		if ((ch < 256 && ch != '?' && strchr(allowed, ch) == NULL) ||
		    (ch >= OPT_GOPHER && ch < OPT_STRICT &&
		    strchr(allowed, 'L') == NULL) || (ch == OPT_STRICT &&
		    strchr(allowed, 'L') == NULL && strchr(allowed, 'S') == NULL))
			usage(2);
		switch (ch) {
		case 'c':
			o->o_config = optarg;
			break;
		case 'n':
			o->o_dump = 1;
			break;
		case 'd':
			o->o_dir = o->o_over.ov_dir = optarg;
			break;
		case 'H':
			if (*optarg == '\0' || strpbrk(optarg, "/\t\r\n ") != NULL)
				fatalx("invalid host name");
			o->o_site.s_host = o->o_site.s_gopher_host = optarg;
			o->o_over.ov_host = optarg;
			break;
		case 'C':
			o->o_over.ov_certs = optarg;
			break;
		case 'T':
			if ((o->o_over.ov_timeout = (int)parse_port(optarg)) < 1)
				fatalx("invalid timeout: %s", optarg);
			break;
		case 'f':
			break;	/* always in the foreground */
		case 'g':
		case 'p':
		case 's':
		case 'x':
		case 'w':
			p = (enum addr_proto)(strchr(port_flags, ch) -
			    port_flags);
			o->o_site.s_port[p] = parse_port(optarg);
			o->o_over.ov_port[p] = (int)o->o_site.s_port[p];
			break;
		case OPT_GOPHER:
			o->o_format = RENDER_GOPHER_MENU;
			break;
		case OPT_GOPHER_TEXT:
			o->o_format = RENDER_GOPHER_TEXT;
			break;
		case OPT_HOME:
			o->o_home = 1;
			break;
		case OPT_ATOM:
			o->o_atom = 1;
			break;
		case OPT_STRICT:
			o->o_site.s_gopher_strict = o->o_over.ov_strict = 1;
			break;
		case OPT_HELP:
			usage(0);
		case OPT_VERSION:
			printf("capsuled %s\n", VERSION);
			exit(0);
		case OPT_NO_SANDBOX:
			if (strchr(allowed, 'S') == NULL)
				usage(2);
			o->o_over.ov_no_sandbox = 1;
			break;
		case OPT_SELFTEST:
			if (strchr(allowed, 'S') == NULL)
				usage(2);
			o->o_selftest = 1;
			break;
		case OPT_PROXY:
			if (strchr(allowed, 'S') == NULL)
				usage(2);
			o->o_over.ov_proxy = 1;
			break;
		default:
			usage(2);
		}
	}
	return optind;
}

static void
print_diags(FILE *fp, const struct diags *d, const char *prefix)
{
	size_t	 i;

	for (i = 0; i < d->d_n; i++)
		fprintf(fp, "%s%s: %s: %s\n", prefix, d->d_list[i].d_file,
		    diag_level_name(d->d_list[i].d_level), d->d_list[i].d_msg);
}

static int
write_buf(const struct buf *b)
{
	if (b->b_failed) {
		log_warnx("out of memory");
		return -1;
	}
	if (fwrite(b->b_data, 1, b->b_len, stdout) != b->b_len) {
		log_warnx("write error");
		return -1;
	}
	return 0;
}

/* Scan a capsule, logging its problems; fatal if it cannot be read. */
static struct catalog *
load_catalog(const char *dir, int quiet)
{
	struct catalog	*c;
	struct diags	 d;
	struct buf	 e;
	const char	*errstr;

	memset(&d, 0, sizeof(d));
	if ((c = capsule_scan(dir, &d, &errstr)) == NULL) {
		buf_init(&e);
		utf8_escape(&e, dir, strlen(dir));
		fatalx("%s: %s", e.b_failed ? "capsule" : e.b_data, errstr);
	}
	if (!quiet)
		print_diags(stderr, &d, "capsuled: ");
	diags_free(&d);
	return c;
}

/* Do two paths name the same directory? */
static int
same_dir(const char *a, const char *b)
{
	struct stat	 sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * The catalog entry of a converted file: its own when the file is an
 * article of the capsule, else one made the way the catalog makes it
 * (meta_new: the slug of its title, cut, or of its file name); *mp then
 * holds that meta, for the caller to release.
 */
static int
self_entry(const struct catalog *c, int in_capsule, const char *name,
    const struct article *a, int64_t mtime, struct cat_article *self,
    struct meta **mp)
{
	int64_t	 i = in_capsule ? catalog_find_name(c, name) : -1;

	*mp = NULL;
	if (i >= 0) {
		*self = *catalog_art(c, (size_t)i);
		return 0;
	}
	if ((*mp = meta_new(name, a, a->a_has_date ? a->a_date : mtime)) ==
	    NULL)
		return -1;
	catalog_entry(self, *mp);
	return 0;
}

/* Article a as the server renders it, without the similar section. */
static int
render(struct buf *b, enum render_format f, const struct article *a,
    const struct catalog *c, const struct cat_article *self,
    const struct site *site)
{
	struct page	 p;

	page_init(&p);
	return render_built(b, &p, page_article(&p, a, c, self, NULL, 0), f,
	    site);
}

/* Convert one FILE; the catalog of its capsule is kept between calls. */
static int
convert_one(const struct options *o, const char *file, struct catalog **cp,
    char **cdir)
{
	struct article		 a;
	struct cat_article	 self;
	struct buf		 b, e;
	const char		*errstr, *name;
	char			*fdir, *tmp;
	struct meta		*m;
	struct stat		 st;
	int			 ret = -1;

	if ((tmp = strdup(file)) == NULL || (fdir = strdup(dirname(tmp))) ==
	    NULL)
		fatalx("out of memory");
	name = file + strlen(file);
	while (name > file && name[-1] != '/')
		name--;
	if (*cdir == NULL || strcmp(*cdir, o->o_dir ? o->o_dir : fdir) != 0) {
		catalog_free(*cp);
		free(*cdir);
		if ((*cdir = strdup(o->o_dir ? o->o_dir : fdir)) == NULL)
			fatalx("out of memory");
		*cp = load_catalog(*cdir, 1);
	}
	buf_init(&b);
	if (capsule_read_article(AT_FDCWD, file, &a, &st, &errstr) == -1) {
		buf_init(&e);
		utf8_escape(&e, file, strlen(file));
		log_warnx("%s: skipped: %s", e.b_data ? e.b_data : "", errstr);
		buf_free(&e);
		goto done;
	}
	if (self_entry(*cp, same_dir(fdir, *cdir), name, &a, st.st_mtime,
	    &self, &m) == -1)
		fatalx("out of memory");
	if (render(&b, o->o_format, &a, *cp, &self, &o->o_site) == 0)
		ret = write_buf(&b);
	meta_unref(m);
	article_free(&a);
 done:
	buf_free(&b);
	free(fdir);
	free(tmp);
	return ret;
}

/* --home and --atom: the home page in a format, as the server has it. */
static int
convert_lists(const struct options *o)
{
	const char	*dir = o->o_dir ? o->o_dir : "capsule";
	struct catalog	*c = load_catalog(dir, 1);
	struct diags	 d;
	struct page	 p;
	struct buf	 b;
	char		*intro;
	size_t		 len;
	int		 r, fd;

	memset(&d, 0, sizeof(d));
	buf_init(&b);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatalx("%s: %s", dir, strerror(errno));
	intro = capsule_read_intro(fd, dir, &len, &d);
	close(fd);
	page_init(&p);
	r = render_built(&b, &p, page_home(&p, c, &o->o_site, intro, len),
	    o->o_atom ? RENDER_ATOM : o->o_format, &o->o_site);
	free(intro);
	if (r == 0)
		r = write_buf(&b);
	diags_free(&d);
	buf_free(&b);
	catalog_free(c);
	return r;
}

static int
cmd_convert(int argc, char **argv)
{
	struct options	 o;
	struct catalog	*c = NULL;
	char		*cdir = NULL;
	int		 i, first, status = 0;

	options_init(&o, 70);
	first = parse_options(argc, argv, &o, "dHgpL");
	if (o.o_home || o.o_atom) {
		if (first != argc || (o.o_home && o.o_atom) ||
		    o.o_format == RENDER_GOPHER_TEXT)
			usage(2);
		return convert_lists(&o) == 0 ? 0 : 1;
	}
	if (first == argc)
		usage(2);
	for (i = first; i < argc; i++)
		if (convert_one(&o, argv[i], &c, &cdir) == -1)
			status = 1;
	catalog_free(c);
	free(cdir);
	if (fflush(stdout) != 0)
		status = 1;
	return status;
}

/* The configuration file, or the defaults when there is none. */
static void
load_config(const struct options *o, struct config *c)
{
	char	 err[1024];

	config_init(c);
	if (o->o_config != NULL && config_load(c, o->o_config, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
}

/*
 * Every host's capsule (one without -c: -d or ./capsule), then what the
 * user the server runs as could not read of them (preflight.h).
 */
static int
cmd_check(int argc, char **argv)
{
	struct options	 o;
	struct config	 conf;
	struct catalog	*c;
	struct diags	 d;
	struct buf	 b;
	const char	*errstr, *dir;
	size_t		 i, nart = 0;
	int		 status, unreadable;

	options_init(&o, 70);
	if (parse_options(argc, argv, &o, "cd") != argc)
		usage(2);
	load_config(&o, &conf);
	if (serve_apply(&conf, &o.o_over) == -1)
		fatalx("out of memory");
	memset(&d, 0, sizeof(d));
	for (i = 0; i < conf.cf_nhosts; i++) {
		dir = conf.cf_hosts[i].ch_capsule;
		if ((c = capsule_scan(dir, &d, &errstr)) == NULL)
			fatalx("%s: %s", dir, errstr);
		nart += c->c_nart;
		catalog_free(c);
	}
	print_diags(stdout, &d, "");
	buf_init(&b);
	if ((unreadable = preflight_config(&conf, o.o_config, &o.o_over,
	    PREFLIGHT_ACCESS, &b)) == -1 || b.b_failed)
		fatalx("cannot check access: %s", strerror(errno));
	if (b.b_len > 0)
		fwrite(b.b_data, 1, b.b_len, stdout);
	printf("capsuled check: %zu %s, %zu skipped, %zu %s\n", nart,
	    log_plural(nart, "article", "articles"), d.d_count[DIAG_SKIPPED],
	    d.d_count[DIAG_WARNING], log_plural(d.d_count[DIAG_WARNING],
	    "warning", "warnings"));
	status = d.d_count[DIAG_SKIPPED] > 0 || unreadable > 0 ? 1 : 0;
	buf_free(&b);
	diags_free(&d);
	config_purge(&conf);
	return status;
}

static int
cmd_serve(int argc, char **argv)
{
	struct options	 o;
	struct config	 c;
	struct buf	 b;
	int		 r, first;

	options_init(&o, 0);
	first = parse_options(argc, argv, &o, "cdHgpsxwCTfnS");
	if (o.o_selftest) {
		if (argc - first != 2)
			usage(2);
		return sandbox_selftest(argv[first], argv[first + 1]);
	}
	if (first != argc)
		usage(2);
	load_config(&o, &c);
	buf_init(&b);
	config_dump(&c, &b);	/* as the file says, before the flags */
	if (serve_apply(&c, &o.o_over) == -1)
		fatalx("out of memory");
	/* refuse before anything is bound, printed or written */
	if (serve_preflight(&c, o.o_config, &o.o_over) == -1)
		fatalx("%s", o.o_dump ? "the configuration would be refused" :
		    "refusing to start");
	if (o.o_dump) {
		r = write_buf(&b);
		buf_free(&b);
		config_purge(&c);
		return r == 0 ? 0 : 1;
	}
	buf_free(&b);
	r = serve_main(&c, o.o_config, &o.o_over);
	config_purge(&c);
	return r;
}

int
main(int argc, char **argv)
{
	log_init("capsuled");
	if (argc > 1 && strcmp(argv[1], "convert") == 0)
		return cmd_convert(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	return cmd_serve(argc, argv);
}
