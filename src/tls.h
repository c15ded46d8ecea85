/*
 * tls: OpenSSL server contexts, one per host name, and the self-signed
 * certificate a capsule gets on first start.
 *
 * Example: tls_host_load("certs", "example.org", &h, &errstr) reads
 * certs/example.org.crt and .key, or creates them (ECDSA P-256, SAN
 * DNS:example.org, valid until 9999-12-31, key mode 0600), and fills
 * h.th_ctx and h.th_fingerprint ("SHA256:AB:CD:...").
 */
#ifndef TLS_H
#define TLS_H

#include <openssl/ssl.h>

/* Session tickets get a new key this often (a key opens tickets until
   it is twice as old); CAPSULED_TICKET_KEY_SECONDS shortens it. */
#define TLS_TICKET_KEY_SECONDS	(12 * 60 * 60)

/* "SHA256:" and 32 bytes as "XX:" */
#define TLS_FINGERPRINT_LEN	(7 + 32 * 3)

struct tls_host {
	const char	*th_name;	/* lowercase A-labels, borrowed */
	SSL_CTX		*th_ctx;
	char		 th_fingerprint[TLS_FINGERPRINT_LEN + 1];
	int		 th_created;	/* the pair was made just now */
};

int	 tls_host_load(const char *, const char *, struct tls_host *,
	    const char **);
void	 tls_host_free(struct tls_host *);
void	 tls_set_sni(SSL_CTX *(*)(void *, const char *), void *);

#endif
