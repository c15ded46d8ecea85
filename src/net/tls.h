/*
 * tls: OpenSSL server contexts, one per host name, and the self-signed
 * certificate a capsule gets on first start.
 *
 * Example: with names { "example.org", "www.example.org", "192.0.2.7",
 * NULL }, tls_host_load("certs", names, &h, &errstr) reads
 * certs/example.org.crt and .key, or creates them (ECDSA P-256, SAN
 * DNS:example.org, DNS:www.example.org, IP:192.0.2.7, valid until
 * 9999-12-31, key mode 0600), and fills h.th_ctx and h.th_fingerprint
 * ("SHA256:AB:CD:...").  A certificate it made earlier that misses a
 * name is made again with the same key (h.th_renewed); any other is
 * used as it is, and tls_host_covers tells which names it misses.
 */
#ifndef TLS_H
#define TLS_H

#include <openssl/ssl.h>

/* Session tickets get a new key this often (a key opens tickets until
   it is twice as old); CAPSULED_TICKET_KEY_SECONDS shortens it. */
#define TLS_TICKET_KEY_SECONDS	(12 * 60 * 60)

/*
 * A ticket-key file (capsuled.conf(5)) holds keys of 80 bytes, nginx's
 * format: a 16-byte name, a 32-byte HMAC-SHA256 key, a 32-byte
 * AES-256-CBC key.  The first seals new tickets, every one opens them.
 */
#define TLS_TICKET_FILE_KEY	80
#define TLS_TICKET_FILE_MAX	16	/* keys: a rotation keeps 2 or 3 */

/*
 * The comment (nsComment extension) that marks a certificate capsuled
 * made, so that it may make it again; capsuled(8), -C.
 */
#define TLS_CERT_MARK		"self-signed by capsuled; remade when the " \
				"host's names change"

/* "SHA256:" and 32 bytes as "XX:" */
#define TLS_FINGERPRINT_LEN	(7 + 32 * 3)

struct tls_host {
	const char	*th_name;	/* lowercase A-labels, borrowed */
	SSL_CTX		*th_ctx;
	char		 th_fingerprint[TLS_FINGERPRINT_LEN + 1];
	int		 th_created;	/* the pair was made just now */
	int		 th_renewed;	/* the certificate was made again */
};

int	 tls_host_load(const char *, const char *const *, struct tls_host *,
	    const char **);
int	 tls_host_covers(const struct tls_host *, const char *);
void	 tls_host_free(struct tls_host *);
int	 tls_fingerprint(const X509 *, char *);
void	 tls_set_sni(SSL_CTX *(*)(void *, const char *), void *);
int	 tls_ticket_file_check(const char *, const char **);
int	 tls_ticket_file_load(const char *, size_t *, const char **);

#endif
