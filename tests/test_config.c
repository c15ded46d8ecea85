#include <sys/stat.h>

#include <stdlib.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "test.h"

#define FILE_NAME	"t.conf"

/* A string literal with its length, so a NUL inside it counts. */
#define LIT(s)		(s), sizeof(s) - 1
/* For printing a result that may be NULL (out of memory). */
#define STR(s)		((s) != NULL ? (s) : "(null)")

static const char default_dump[] =
    "# capsuled configuration\n"
    "gopher-port 0\n"
    "log stderr\n"
    "log-level info\n"
    "log-addresses yes\n"
    "timeout 10\n"
    "max-connections 0\n"
    "max-connections-per-address 32\n"
    "limit-loopback no\n"
    "rescan 30\n"
    "workers 0\n"
    "gopher-text raw\n"
    "home-limit 100\n"
    "similar 5\n";

static char *
dump(const struct config *c)
{
	struct buf	 b;

	buf_init(&b);
	config_dump(c, &b);
	return buf_steal(&b);
}

/* Parse; the dump on success, "ERROR file:line: ..." on failure. */
static char *
parse_dump(const char *text, size_t len)
{
	struct config	 c;
	char		 err[256], *out;
	size_t		 n;

	config_init(&c);
	if (config_parse(&c, FILE_NAME, text, len, err, sizeof(err)) == -1) {
		/* A failed parse leaves an initialised config. */
		out = dump(&c);
		CHECK(c.cf_nhosts == 0 && c.cf_nlisten == 0 &&
		    strcmp(out, default_dump) == 0, "not purged: %s", err);
		free(out);
		n = strlen(err) + 7;
		if ((out = malloc(n)) != NULL)
			snprintf(out, n, "ERROR %s", err);
		return out;
	}
	out = dump(&c);
	config_purge(&c);
	return out;
}

static const char full_text[] =
    "# capsuled.conf for the tests\r\n"
    "\r\n"
    "listen gemini 0.0.0.0 1965\r\n"
    "  listen\tgopher\t::   70  \r\n"
    "gopher-host gopher.example.org\r\n"
    "gopher-port 7070\r\n"
    "user _capsuled\r\n"
    "log syslog\r\n"
    "log-level debug\r\n"
    "log-addresses no\r\n"
    "timeout 3600\r\n"
    "max-connections 1000000\r\n"
    "max-connections-per-address 0\r\n"
    "rescan 0\r\n"
    "gopher-text strict\r\n"
    "home-limit 100000\r\n"
    "\thost example.org \r\n"
    "alias www.example.org\r\n"
    "alias gemini.example.org\r\n"
    "capsule /srv/gemini/example.org\r\n"
    "certs /etc/capsuled/certs\r\n"
    "lang pt-BR\r\n"
    "title   Notes from  the Garden #1   \r\n"
    "    # an indented comment\r\n"
    "host café.example\r\n"
    "title Café";

static void
test_full(void)
{
	struct config		 c;
	struct config_host	*h;
	char			 err[256];

	config_init(&c);
	CHECK(config_parse(&c, FILE_NAME, LIT(full_text), err,
	    sizeof(err)) == 0, "%s", err);
	CHECK_STR(err, "");
	CHECK(c.cf_nlisten == 2, "%zu listens", c.cf_nlisten);
	CHECK(c.cf_listen[0].cl_proto == ADDR_GEMINI, "proto 0");
	CHECK_STR(c.cf_listen[0].cl_addr, "0.0.0.0");
	CHECK(c.cf_listen[0].cl_port == 1965, "port 0");
	CHECK(c.cf_listen[1].cl_proto == ADDR_GOPHER, "proto 1");
	CHECK_STR(c.cf_listen[1].cl_addr, "::");
	CHECK(c.cf_listen[1].cl_port == 70, "port 1");
	CHECK_STR(c.cf_gopher_host, "gopher.example.org");
	CHECK(c.cf_gopher_port == 7070, "%d", c.cf_gopher_port);
	CHECK_STR(c.cf_user, "_capsuled");
	CHECK(c.cf_log == CONF_LOG_SYSLOG, "log");
	CHECK(c.cf_level == CONF_LEVEL_DEBUG, "level");
	CHECK(c.cf_log_addresses == 0, "log-addresses no");
	CHECK(c.cf_timeout == 3600, "%d", c.cf_timeout);
	CHECK(c.cf_max_conn == 1000000, "%d", c.cf_max_conn);
	CHECK(c.cf_max_conn_per_ip == 0, "%d", c.cf_max_conn_per_ip);
	CHECK(c.cf_rescan == 0, "%d", c.cf_rescan);
	CHECK(c.cf_gopher_strict == 1, "strict");
	CHECK(c.cf_home_limit == 100000, "%zu", c.cf_home_limit);
	CHECK(c.cf_nhosts == 2, "%zu hosts", c.cf_nhosts);
	if (c.cf_nhosts == 2) {
		h = &c.cf_hosts[0];
		CHECK_STR(h->ch_name, "example.org");
		CHECK(h->ch_naliases == 2, "%zu aliases", h->ch_naliases);
		CHECK_STR(h->ch_aliases[0], "www.example.org");
		CHECK_STR(h->ch_aliases[1], "gemini.example.org");
		CHECK_STR(h->ch_capsule, "/srv/gemini/example.org");
		CHECK_STR(h->ch_certs, "/etc/capsuled/certs");
		CHECK_STR(h->ch_lang, "pt-BR");
		CHECK_STR(h->ch_title, "Notes from  the Garden #1");
		h = &c.cf_hosts[1];
		CHECK_STR(h->ch_name, "café.example");
		CHECK(h->ch_naliases == 0, "%zu aliases", h->ch_naliases);
		CHECK_STR(h->ch_capsule, "capsule");
		CHECK_STR(h->ch_certs, "certs");
		CHECK(h->ch_lang == NULL, "lang set");
		CHECK_STR(h->ch_title, "Café");
	}
	config_purge(&c);
	CHECK(c.cf_nhosts == 0 && c.cf_hosts == NULL && c.cf_timeout == 10,
	    "purge leaves an initialised config");
}

static void
test_defaults(void)
{
	struct config	 c;
	char		*got;

	config_init(&c);
	CHECK(c.cf_log == CONF_LOG_STDERR && c.cf_level == CONF_LEVEL_INFO &&
	    c.cf_timeout == 10 && c.cf_max_conn == 0 &&
	    c.cf_max_conn_per_ip == 32 && c.cf_rescan == 30 &&
	    c.cf_gopher_strict == 0 && c.cf_home_limit == 100 &&
	    c.cf_similar == 5 && c.cf_nlisten == 0 && c.cf_nhosts == 0 &&
	    c.cf_gopher_host == NULL && c.cf_user == NULL &&
	    c.cf_gopher_port == 0 && c.cf_log_addresses == 1,
	    "config_init defaults");
	got = dump(&c);
	CHECK_STR(got, default_dump);
	free(got);

	/* config_default_host adds localhost only when there is no host */
	CHECK(config_default_host(&c) == 0, "default host");
	got = dump(&c);
	CHECK_STR(got, "# capsuled configuration\ngopher-port 0\n"
	    "log stderr\nlog-level info\nlog-addresses yes\ntimeout 10\n"
	    "max-connections 0\n"
	    "max-connections-per-address 32\nlimit-loopback no\nrescan 30\n"
	    "workers 0\ngopher-text raw\n"
	    "home-limit 100\nsimilar 5\n\nhost localhost\ncapsule capsule\n"
	    "certs certs\n");
	free(got);
	config_purge(&c);
	CHECK(config_parse(&c, FILE_NAME, LIT("host a\nhost b\n"), NULL, 0) ==
	    0, "two hosts");
	CHECK(config_default_host(&c) == 0 && c.cf_nhosts == 2 &&
	    strcmp(c.cf_hosts[0].ch_name, "a") == 0, "hosts kept");
	config_purge(&c);
}

/* The canonical form, written out in full once. */
static const char three_hosts[] =
    "# three virtual hosts\n"
    "home-limit 25\n"
    "listen gopher :: 70\n"
    "gopher-text strict\n"
    "listen gemini 0.0.0.0 1965\n"
    "user nobody\n"
    "log-level warning\n"
    "\n"
    "host café.example\n"
    "title Le café #2: notes & recettes\n"
    "lang fr\n"
    "alias xn--caf-dma.example\n"
    "alias www.café.example\n"
    "host example.org\n"
    "certs /etc/capsuled\n"
    "capsule /srv/example.org capsule\n"
    "host 例え.テスト\n"
    "alias 例え.jp\n";

static const char three_hosts_dump[] =
    "# capsuled configuration\n"
    "listen gopher :: 70\n"
    "listen gemini 0.0.0.0 1965\n"
    "user nobody\n"
    "gopher-port 0\n"
    "log stderr\n"
    "log-level warning\n"
    "log-addresses yes\n"
    "timeout 10\n"
    "max-connections 0\n"
    "max-connections-per-address 32\n"
    "limit-loopback no\n"
    "rescan 30\n"
    "workers 0\n"
    "gopher-text strict\n"
    "home-limit 25\n"
    "similar 5\n"
    "\n"
    "host café.example\n"
    "alias xn--caf-dma.example\n"
    "alias www.café.example\n"
    "capsule capsule\n"
    "certs certs\n"
    "lang fr\n"
    "title Le café #2: notes & recettes\n"
    "\n"
    "host example.org\n"
    "capsule /srv/example.org capsule\n"
    "certs /etc/capsuled\n"
    "\n"
    "host 例え.テスト\n"
    "alias 例え.jp\n"
    "capsule capsule\n"
    "certs certs\n";

/* parse -> dump -> parse -> dump gives the same bytes twice. */
static const struct {
	const char	*text;
	size_t		 len;
} round_cases[] = {
	{ LIT("") },
	{ LIT("# only a comment") },
	{ LIT(full_text) },
	{ LIT(three_hosts) },
	{ LIT("listen gemini 127.0.0.1 0\nlisten gemini ::1 0\n"
	    "listen gopher 127.0.0.1 0\nlisten gopher ::ffff:10.0.0.1 65535\n"
	    "gopher-port 65535\ntimeout 1\nmax-connections 1\n"
	    "max-connections-per-address 1000000\nrescan 86400\n"
	    "home-limit 1\nlog-level error\ngopher-host café.example\n") },
	{ LIT("listen gemini 10.0.0.5 1965 proxy\nlisten nex :: 0 proxy\n"
	    "ticket-key-file /etc/capsuled/ticket.key\n") },
	{ LIT("host h\ntitle #not a comment\ncapsule ~/my capsule/\n"
	    "certs c\nlang zh-Hant-TW\n") },
	{ LIT("host a\nalias b\nalias c\nalias d\nalias e\nalias f\n"
	    "alias g\nalias h\nalias i\nhost j\nalias k\n") },
};

static void
test_round_trip(void)
{
	char	*first, *second;
	size_t	 i;

	for (i = 0; i < sizeof(round_cases) / sizeof(round_cases[0]); i++) {
		first = parse_dump(round_cases[i].text, round_cases[i].len);
		CHECK(first != NULL && strncmp(first, "ERROR", 5) != 0,
		    "case %zu: %s", i, STR(first));
		if (first == NULL)
			continue;
		second = parse_dump(first, strlen(first));
		CHECK_STR(second, first);
		free(first);
		free(second);
	}
	first = parse_dump(LIT(three_hosts));
	CHECK_STR(first, three_hosts_dump);
	free(first);
}

#define E(text, want)	{ LIT(text), "ERROR " FILE_NAME ":" want }

static const struct {
	const char	*text;
	size_t		 len;
	const char	*want;
} error_cases[] = {
	/* keys, scopes, duplicates; line numbers past comments and CRLF */
	E("foo bar\n", "1: unknown key 'foo'"),
	E("# c\r\n\r\n   \r\n\tTimeout 5\r\n", "4: unknown key 'Timeout'"),
	E("listen-port 1965", "1: unknown key 'listen-port'"),
	E("# c\r\n\r\ntimeout 5\r\n# c\r\ntimeout 6\r\n",
	    "5: duplicate 'timeout' (first on line 3)"),
	E("log stderr\nlog syslog", "2: duplicate 'log' (first on line 1)"),
	E("host a\ntimeout 5\n", "2: 'timeout' must come before the first host"),
	E("host a\n\n# x\nlisten gemini :: 1965",
	    "4: 'listen' must come before the first host"),
	E("alias a\n", "1: 'alias' must come after a host line"),
	E("# c\ntitle T", "2: 'title' must come after a host line"),
	E("host a\ncapsule x\ncerts y\ncapsule z",
	    "4: duplicate 'capsule' (first on line 2)"),
	E("host a\nlang en\nhost b\nlang en\nlang fr",
	    "5: duplicate 'lang' (first on line 4)"),
	E("timeout\n", "1: 'timeout' needs a value"),
	E("host a\ntitle   \t \n", "2: 'title' needs a value"),
	E("host\n", "1: 'host' needs a value"),
	/* numbers */
	E("timeout 0", "1: 'timeout' must be a number from 1 to 3600, not '0'"),
	E("timeout 3601",
	    "1: 'timeout' must be a number from 1 to 3600, not '3601'"),
	E("timeout -1",
	    "1: 'timeout' must be a number from 1 to 3600, not '-1'"),
	E("timeout +5",
	    "1: 'timeout' must be a number from 1 to 3600, not '+5'"),
	E("timeout 1x",
	    "1: 'timeout' must be a number from 1 to 3600, not '1x'"),
	E("timeout 1 0",
	    "1: 'timeout' must be a number from 1 to 3600, not '1 0'"),
	E("timeout 0x10",
	    "1: 'timeout' must be a number from 1 to 3600, not '0x10'"),
	E("timeout 99999999999999999999999999",
	    "1: 'timeout' must be a number from 1 to 3600, "
	    "not '99999999999999999999999999'"),
	E("gopher-port 65536",
	    "1: 'gopher-port' must be a number from 0 to 65535, not '65536'"),
	E("max-connections 1000001", "1: 'max-connections' must be a "
	    "number from 0 to 1000000, not '1000001'"),
	E("max-connections-per-address 1000001",
	    "1: 'max-connections-per-address' must be a number from 0 to "
	    "1000000, not '1000001'"),
	E("rescan 86401",
	    "1: 'rescan' must be a number from 0 to 86400, not '86401'"),
	E("similar 101",
	    "1: 'similar' must be a number from 0 to 100, not '101'"),
	E("home-limit 0",
	    "1: 'home-limit' must be a number from 1 to 100000, not '0'"),
	E("home-limit 100001",
	    "1: 'home-limit' must be a number from 1 to 100000, not '100001'"),
	/* words */
	E("log file", "1: 'log' must be stderr or syslog, not 'file'"),
	E("log-level trace", "1: 'log-level' must be error, warning, info "
	    "or debug, not 'trace'"),
	E("gopher-text RAW", "1: 'gopher-text' must be raw or strict, "
	    "not 'RAW'"),
	E("log-addresses hashed", "1: 'log-addresses' must be yes or no, "
	    "not 'hashed'"),
	E("log-addresses", "1: 'log-addresses' needs a value"),
	E("host a\nlog-addresses no",
	    "2: 'log-addresses' must come before the first host"),
	/* listen */
	E("listen gemini 0.0.0.0",
	    "1: 'listen' needs PROTOCOL ADDRESS PORT [proxy]"),
	E("listen gemini 0.0.0.0 1965 x",
	    "1: 'listen' ends with the word proxy or nothing, not 'x'"),
	E("listen gemini 0.0.0.0 1965 proxy x",
	    "1: 'listen' needs PROTOCOL ADDRESS PORT [proxy]"),
	E("listen finger 0.0.0.0 79",
	    "1: 'listen' protocol must be gemini, gopher, spartan, nex or http, not 'finger'"),
	E("listen gemini localhost 1965", "1: 'listen' address must be a "
	    "numeric IPv4 or IPv6 address, not 'localhost'"),
	E("listen gemini 1.2.3 1965", "1: 'listen' address must be a "
	    "numeric IPv4 or IPv6 address, not '1.2.3'"),
	E("listen gemini 256.0.0.1 1965", "1: 'listen' address must be a "
	    "numeric IPv4 or IPv6 address, not '256.0.0.1'"),
	E("listen gemini [::] 1965", "1: 'listen' address must be a "
	    "numeric IPv4 or IPv6 address, not '[::]'"),
	E("listen gemini ::g 1965", "1: 'listen' address must be a "
	    "numeric IPv4 or IPv6 address, not '::g'"),
	E("listen gemini fe80::1%eth0 1965", "1: 'listen' address must be "
	    "a numeric IPv4 or IPv6 address, not 'fe80::1%eth0'"),
	E("listen gemini :: 65536",
	    "1: 'listen' port must be a number from 0 to 65535, not '65536'"),
	E("listen gemini :: -1",
	    "1: 'listen' port must be a number from 0 to 65535, not '-1'"),
	E("listen gemini 0.0.0.0 1965\nlisten gopher 0.0.0.0 1965",
	    "2: duplicate 'listen' on 0.0.0.0 port 1965 (first on line 1)"),
	E("listen gemini ::0 1965\nlisten gemini 0:0::0 1965",
	    "2: duplicate 'listen' on 0:0::0 port 1965 (first on line 1)"),
	/* names */
	E("host a b", "1: 'host' name contains white space"),
	E("host a\xc2\xa0" "b", "1: 'host' name contains white space"),
	E("host a\xe3\x80\x80" "b", "1: 'host' name contains white space"),
	E("host a/b", "1: 'host' name contains '/'"),
	E("host ../etc", "1: 'host' name contains '/'"),
	E("host a\nalias b c", "2: 'alias' name contains white space"),
	E("gopher-host a b", "1: 'gopher-host' name contains white space"),
	E("user x/y", "1: 'user' name contains '/'"),
	E("host a\nalias A", "2: host name 'A' already used on line 1"),
	E("host a\nalias b\n\nhost c\nhost B",
	    "5: host name 'B' already used on line 2"),
	E("host café.example\nhost café.example",
	    "2: host name 'café.example' already used on line 1"),
	E("host a\nlang en_US", "2: 'lang' must be a language tag such as "
	    "en or pt-BR, not 'en_US'"),
	E("host a\nlang e", "2: 'lang' must be a language tag such as "
	    "en or pt-BR, not 'e'"),
	/* control characters: never echoed */
	E("host a\ntitle Hi \x1b[2J there\n", "2: control character U+001B"),
	E("host a\ntitle a\0b\n", "2: control character U+0000"),
	E("# ok\n\0\n", "2: control character U+0000"),
	E("host a\ntitle a\x7f" "b", "2: control character U+007F"),
	E("host a\ntitle a\xc2\x9b" "31m", "2: control character U+009B"),
	E("host a\ntitle a\tb", "2: control character U+0009"),
	E("host a\ncapsule dir\tx", "2: control character U+0009"),
	E("host a\ntitle a\rb\r\n", "2: control character U+000D"),
	E("timeout 5\r", "1: control character U+000D"),
	E("\x1b[31mfoo bar", "1: control character U+001B"),
	E("log sys\x07log", "1: control character U+0007"),
	/* invalid UTF-8 */
	E("host a\ntitle caf\xe9\n", "2: invalid UTF-8"),
	E("host a\ntitle \xc0\xaf", "2: invalid UTF-8"),
	E("host a\ntitle \xed\xa0\x80", "2: invalid UTF-8"),
	E("host \xf4\x90\x80\x80", "1: invalid UTF-8"),
	E("\xff timeout", "1: invalid UTF-8"),
	/* a byte order mark anywhere but at the very start */
	E("timeout 5\n\xef\xbb\xbf# c\n", "2: byte order mark (U+FEFF) "
	    "allowed only at the start of the file"),
	E("host a\ntitle a\xef\xbb\xbf", "2: byte order mark (U+FEFF) "
	    "allowed only at the start of the file"),
	E("\xef\xbb\xbf\xef\xbb\xbftimeout 5", "1: byte order mark (U+FEFF) "
	    "allowed only at the start of the file"),
	E(" \xef\xbb\xbftimeout 5", "1: byte order mark (U+FEFF) "
	    "allowed only at the start of the file"),
};

static void
test_errors(void)
{
	char	*got;
	size_t	 i;

	for (i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		got = parse_dump(error_cases[i].text, error_cases[i].len);
		CHECK_STR(got, error_cases[i].want);
		free(got);
	}
	/* a UTF-8 byte order mark at the start of the file is skipped */
	got = parse_dump(LIT("\xef\xbb\xbf# written by an editor\r\n"
	    "timeout 5\r\n"));
	CHECK(got != NULL && strstr(got, "\ntimeout 5\n") != NULL, "%s",
	    STR(got));
	free(got);
	got = parse_dump(LIT("\xef\xbb\xbftimeout 6\n"));
	CHECK(got != NULL && strstr(got, "\ntimeout 6\n") != NULL, "%s",
	    STR(got));
	free(got);
	/* comments are skipped whole, whatever bytes they hold */
	got = parse_dump(LIT("# \x1b[2J \xff\0 \t\r\ntimeout 5\n"));
	CHECK(got != NULL && strstr(got, "\ntimeout 5\n") != NULL, "%s", STR(got));
	free(got);
}

/* head, then n lines "<line>1", "<line>2", ..., parsed. */
static char *
parse_lines(const char *head, const char *line, size_t n)
{
	struct buf	 b;
	char		*got;
	size_t		 i;

	buf_init(&b);
	buf_adds(&b, head);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%zu\n", line, i + 1);
	got = parse_dump(b.b_data, b.b_len);
	buf_free(&b);
	return got;
}

static void
test_limits(void)
{
	char	 name[300], text[320], *got;

	got = parse_lines("", "listen gemini :: ", CONFIG_MAX_LISTEN);
	CHECK(got != NULL && strncmp(got, "ERROR", 5) != 0, "%s", STR(got));
	free(got);
	got = parse_lines("", "listen gemini :: ", CONFIG_MAX_LISTEN + 1);
	CHECK_STR(got, "ERROR t.conf:9: too many 'listen' lines (at most 8)");
	free(got);
	got = parse_lines("host h\n", "alias a", CONFIG_MAX_ALIASES);
	CHECK(got != NULL && strncmp(got, "ERROR", 5) != 0, "%s", STR(got));
	free(got);
	got = parse_lines("host h\n", "alias a", CONFIG_MAX_ALIASES + 1);
	CHECK_STR(got, "ERROR t.conf:10: too many 'alias' lines for one "
	    "host (at most 8)");
	free(got);
	/* 50 hosts: the host array grows */
	got = parse_lines("", "host h", 50);
	CHECK(got != NULL && strstr(got, "\nhost h50\ncapsule capsule\n") !=
	    NULL, "50 hosts");
	free(got);

	/* names: 253 bytes is the DNS limit */
	memset(name, 'a', sizeof(name));
	name[253] = '\0';
	snprintf(text, sizeof(text), "host %s\n", name);
	got = parse_dump(text, strlen(text));
	CHECK(got != NULL && strstr(got, name) != NULL, "253-byte name");
	free(got);
	name[253] = 'a';
	name[254] = '\0';
	snprintf(text, sizeof(text), "host %s\n", name);
	got = parse_dump(text, strlen(text));
	CHECK_STR(got, "ERROR t.conf:1: 'host' name is longer than 253 bytes");
	free(got);
}

static void
test_errbuf(void)
{
	struct config	 c;
	char		 err[16];

	config_init(&c);
	/* a short buffer is cut but terminated; none at all is fine */
	CHECK(config_parse(&c, FILE_NAME, LIT("timeout 0"), err,
	    sizeof(err)) == -1, "short errbuf");
	CHECK_STR(err, "t.conf:1: 'time");
	CHECK(config_parse(&c, FILE_NAME, LIT("timeout 0"), NULL, 0) == -1,
	    "no errbuf");
	/* the file name's control bytes are replaced */
	CHECK(config_parse(&c, "a\nb", LIT("x"), err, sizeof(err)) == -1,
	    "bad key");
	CHECK_STR(err, "a?b:1: unknown ");
	/* a second parse replaces the first; a failed one purges */
	CHECK(config_parse(&c, FILE_NAME, LIT("host a\ntitle A"), NULL, 0) ==
	    0, "first");
	CHECK(config_parse(&c, FILE_NAME, LIT("host b\nalias c"), NULL, 0) ==
	    0 && c.cf_nhosts == 1 && c.cf_hosts[0].ch_title == NULL,
	    "second replaces");
	CHECK(config_parse(&c, FILE_NAME, LIT("host b\nalias"), NULL, 0) ==
	    -1 && c.cf_nhosts == 0 && c.cf_hosts == NULL, "failure purges");
	config_purge(&c);
}

static int
write_file(const char *path, const char *text, size_t len)
{
	FILE	*f;
	int	 rv = 0;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	if (len > 0 && fwrite(text, len, 1, f) != 1)
		rv = -1;
	if (fclose(f) == EOF)
		rv = -1;
	return rv;
}

static void
test_load(void)
{
	struct config	 c;
	char		 dir[] = "/tmp/test_config.XXXXXX", path[64], err[256];
	char		 want[128], *big;
	size_t		 n = 1024 * 1024 + 1;

	config_init(&c);
	if (mkdtemp(dir) == NULL) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	CHECK(config_load(&c, path, err, sizeof(err)) == -1, "missing");
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	CHECK_STR(err, want);
	CHECK(config_load(&c, dir, err, sizeof(err)) == -1, "directory");
	snprintf(want, sizeof(want), "%s: Is a directory", dir);
	CHECK_STR(err, want);

	snprintf(path, sizeof(path), "%s/ok.conf", dir);
	CHECK(write_file(path, LIT("timeout 7\nhost a\n\nhost b\nlang x-")) ==
	    0, "write");
	CHECK(config_load(&c, path, err, sizeof(err)) == -1, "bad lang");
	snprintf(want, sizeof(want), "%s:5: 'lang' must be a language tag "
	    "such as en or pt-BR, not 'x-'", path);
	CHECK_STR(err, want);
	CHECK(write_file(path, LIT("timeout 7\nhost a\n\nhost b\n")) == 0,
	    "write");
	CHECK(config_load(&c, path, err, sizeof(err)) == 0, "%s", err);
	CHECK(c.cf_timeout == 7 && c.cf_nhosts == 2, "loaded");

	/* 1 MiB of comment is read; one byte more is refused */
	if ((big = malloc(n)) != NULL) {
		memset(big, '#', n);
		big[n - 2] = '\n';
		CHECK(write_file(path, big, n - 1) == 0, "write");
		CHECK(config_load(&c, path, err, sizeof(err)) == 0, "1 MiB");
		CHECK(write_file(path, big, n) == 0, "write");
		CHECK(config_load(&c, path, err, sizeof(err)) == -1, "too big");
		snprintf(want, sizeof(want), "%s: larger than 1 MiB", path);
		CHECK_STR(err, want);
		CHECK(c.cf_nhosts == 0, "too big purges");
		free(big);
	}
	unlink(path);
	rmdir(dir);
	config_purge(&c);
}

/* The shipped example must stay valid (tests run from the top). */
static void
test_contrib(void)
{
	struct config	 c;
	char		 err[256];

	config_init(&c);
	CHECK(config_load(&c, "contrib/capsuled.conf", err, sizeof(err)) == 0,
	    "%s", err);
	CHECK(c.cf_nhosts == 2, "%zu hosts in the example", c.cf_nhosts);
	config_purge(&c);
}

/* The lines start-up's messages name (preflight.h). */
static void
test_lines(void)
{
	static const char	 text[] =
	    "# a comment\n"
	    "user _capsuled\n"
	    "\n"
	    "host a.example\n"
	    "capsule /srv/a\n"
	    "certs /etc/a\n"
	    "host b.example\n"
	    "title B\n"
	    "certs /etc/b\n";
	struct config	 c;
	char		 err[256];

	config_init(&c);
	CHECK(config_parse(&c, FILE_NAME, LIT(text), err, sizeof(err)) == 0,
	    "%s", err);
	CHECK(c.cf_user_line == 2, "user on line %zu", c.cf_user_line);
	if (c.cf_nhosts == 2) {
		CHECK(c.cf_hosts[0].ch_line == 4, "host a on %zu",
		    c.cf_hosts[0].ch_line);
		CHECK(c.cf_hosts[0].ch_capsule_line == 5, "capsule a on %zu",
		    c.cf_hosts[0].ch_capsule_line);
		CHECK(c.cf_hosts[0].ch_certs_line == 6, "certs a on %zu",
		    c.cf_hosts[0].ch_certs_line);
		CHECK(c.cf_hosts[1].ch_line == 7, "host b on %zu",
		    c.cf_hosts[1].ch_line);
		CHECK(c.cf_hosts[1].ch_capsule_line == 0,
		    "capsule b (the default) on %zu",
		    c.cf_hosts[1].ch_capsule_line);
		CHECK(c.cf_hosts[1].ch_certs_line == 9, "certs b on %zu",
		    c.cf_hosts[1].ch_certs_line);
	} else
		CHECK(0, "%zu hosts", c.cf_nhosts);
	config_purge(&c);
	config_init(&c);
	CHECK(c.cf_user_line == 0, "no user line: %zu", c.cf_user_line);
}

int
main(void)
{
	test_defaults();
	test_full();
	test_round_trip();
	test_errors();
	test_limits();
	test_errbuf();
	test_load();
	test_contrib();
	test_lines();
	return TEST_DONE();
}
