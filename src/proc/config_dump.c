/*
 * config_dump.c: config_dump, a struct config in canonical form (the
 * form `capsuled -n` prints and tests compare with diff).
 */

#include "buf.h"
#include "config.h"
#include "config_int.h"

static void
dump_host(const struct config_host *h, struct buf *b)
{
	size_t	 i;

	buf_printf(b, "\nhost %s\n", h->ch_name != NULL ? h->ch_name :
	    CONFIG_DEF_HOST);
	for (i = 0; i < h->ch_naliases; i++)
		buf_printf(b, "alias %s\n", h->ch_aliases[i]);
	buf_printf(b, "capsule %s\n", h->ch_capsule != NULL ?
	    h->ch_capsule : CONFIG_DEF_CAPSULE);
	buf_printf(b, "certs %s\n", h->ch_certs != NULL ? h->ch_certs :
	    CONFIG_DEF_CERTS);
	if (h->ch_lang != NULL)
		buf_printf(b, "lang %s\n", h->ch_lang);
	if (h->ch_title != NULL)
		buf_printf(b, "title %s\n", h->ch_title);
	if (h->ch_titan)
		buf_adds(b, "titan yes\n");
	for (i = 0; i < h->ch_nauthors; i++)
		buf_printf(b, "author %s%s%s\n", h->ch_authors[i].ca_fp,
		    h->ch_authors[i].ca_name != NULL ? " " : "",
		    h->ch_authors[i].ca_name != NULL ?
		    h->ch_authors[i].ca_name : "");
	if (h->ch_titan_token != NULL)
		buf_printf(b, "titan-token %s\n", h->ch_titan_token);
	if (h->ch_titan_max != 0)
		buf_printf(b, "titan-max-size %ld\n", h->ch_titan_max);
	if (h->ch_titan_history != 0)
		buf_printf(b, "titan-history %ld\n", h->ch_titan_history);
}

/*
 * Canonical form: every server-wide key (optional ones only when set)
 * in table order, then each host.  Strings are written as they are;
 * config_parse never stores one that would not read back.
 */
void
config_dump(const struct config *c, struct buf *b)
{
	const struct config_listen	*l;
	size_t				 i;

	buf_adds(b, "# capsuled configuration\n");
	for (i = 0; i < c->cf_nlisten; i++) {
		l = &c->cf_listen[i];
		buf_printf(b, "listen %s %s %d%s\n",
		    config_word_name(WORDS(addr_schemes),
		    (int)l->cl_proto), l->cl_addr, l->cl_port,
		    l->cl_proxy ? " proxy" : "");
	}
	if (c->cf_gopher_host != NULL)
		buf_printf(b, "gopher-host %s\n", c->cf_gopher_host);
	if (c->cf_user != NULL)
		buf_printf(b, "user %s\n", c->cf_user);
	if (c->cf_ticket_key_file != NULL)
		buf_printf(b, "ticket-key-file %s\n", c->cf_ticket_key_file);
	buf_printf(b, "gopher-port %d\n", c->cf_gopher_port);
	buf_printf(b, "log %s\n", config_word_name(WORDS(config_log_words),
	    (int)c->cf_log));
	buf_printf(b, "log-level %s\n",
	    config_word_name(WORDS(config_level_words),
	    (int)c->cf_level));
	buf_printf(b, "log-addresses %s\n",
	    config_word_name(WORDS(config_yesno_words),
	    c->cf_log_addresses != 0));
	buf_printf(b, "timeout %d\n", c->cf_timeout);
	buf_printf(b, "max-connections %d\n", c->cf_max_conn);
	buf_printf(b, "max-connections-per-address %d\n",
	    c->cf_max_conn_per_ip);
	buf_printf(b, "limit-loopback %s\n",
	    config_word_name(WORDS(config_yesno_words),
	    c->cf_limit_loopback != 0));
	buf_printf(b, "rescan %d\n", c->cf_rescan);
	buf_printf(b, "workers %d\n", c->cf_workers);
	buf_printf(b, "gopher-text %s\n",
	    config_word_name(WORDS(config_text_words),
	    c->cf_gopher_strict != 0));
	buf_printf(b, "home-limit %zu\n", c->cf_home_limit);
	buf_printf(b, "similar %zu\n", c->cf_similar);
	for (i = 0; i < c->cf_nhosts; i++)
		dump_host(&c->cf_hosts[i], b);
}

/* With no host, serve one: localhost from ./capsule with ./certs. */
