#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "tls.h"

/* How the servername callback finds the context of a name. */
static SSL_CTX	*(*tls_sni_lookup)(void *, const char *);
static void	 *tls_sni_arg;

/*
 * Session ticket keys, shared by every context (a client resumes with
 * whichever host it reaches): a new one every tk_period seconds
 * (TLS_TICKET_KEY_SECONDS; the environment's CAPSULED_TICKET_KEY_SECONDS
 * for tests, see capsuled(8)); tickets of the previous one are still
 * accepted, and renewed, until the key is twice that old; older keys
 * are wiped.  Made from the first handshake on.
 */
struct ticket_key {
	unsigned char	 tk_name[16];
	unsigned char	 tk_aes[32];	/* AES-256-CBC */
	unsigned char	 tk_hmac[32];	/* HMAC-SHA256 */
	time_t		 tk_made;	/* 0: none yet */
};

static struct ticket_key tk_keys[2];	/* the current, the previous */
static time_t		 tk_period;	/* 0: not read yet */
/* From a ticket-key file instead: [0] seals, all open; none rotate. */
static struct ticket_key tk_file[TLS_TICKET_FILE_MAX];
static size_t		 tk_nfile;
static pthread_mutex_t	 tk_mtx = PTHREAD_MUTEX_INITIALIZER;

/* The rotation period; under tk_mtx. */
static time_t
ticket_period(void)
{
	const char	*s;
	char		*end;
	long		 v;

	if (tk_period != 0)
		return tk_period;
	tk_period = TLS_TICKET_KEY_SECONDS;
	if ((s = getenv("CAPSULED_TICKET_KEY_SECONDS")) != NULL) {
		errno = 0;
		v = strtol(s, &end, 10);
		if (errno == 0 && *s != '\0' && *end == '\0' && v >= 1 &&
		    v <= TLS_TICKET_KEY_SECONDS)
			tk_period = v;
	}
	return tk_period;
}

/* Whether key k may open a ticket at now: made, and not 2 periods old. */
static int
ticket_key_live(const struct ticket_key *k, time_t now)
{
	return k->tk_made != 0 && now - k->tk_made < 2 * ticket_period();
}

/* Rotate the keys when the current one is due; under tk_mtx. */
static int
ticket_keys_rotate(time_t now)
{
	struct ticket_key *cur = &tk_keys[0];

	if (cur->tk_made != 0 && now - cur->tk_made < ticket_period())
		return 0;
	OPENSSL_cleanse(&tk_keys[1], sizeof(tk_keys[1]));
	if (ticket_key_live(cur, now))
		tk_keys[1] = *cur;
	if (RAND_bytes(cur->tk_name, sizeof(cur->tk_name)) != 1 ||
	    RAND_bytes(cur->tk_aes, sizeof(cur->tk_aes)) != 1 ||
	    RAND_bytes(cur->tk_hmac, sizeof(cur->tk_hmac)) != 1) {
		OPENSSL_cleanse(cur, sizeof(*cur));
		return -1;
	}
	cur->tk_made = now;
	return 0;
}

/*
 * OpenSSL's ticket callback: enc, seal a new ticket with the current
 * key (1); else open one: 2 (valid, send a fresh ticket) for TLS 1.3
 * and for the previous key, 1 (valid, keep it) for a TLS 1.2 ticket of
 * the current key, 0 for an unknown or expired key (a full handshake),
 * -1 on error.
 *
 * Why 2 for every TLS 1.3 ticket: OpenSSL sends the post-handshake
 * NewSessionTicket of a resumed TLS 1.3 handshake only when the ticket
 * is to be renewed, so answering 1 leaves a client that uses each
 * ticket once (RFC 8446, appendix C.4; openssl s_client -sess_out, any
 * client keeping the newest session) with nothing to resume next time.
 * TLS 1.2 reuses its ticket as RFC 5077 allows.
 */
static int
ticket_key_cb(SSL *ssl, unsigned char name[16], unsigned char *iv,
    EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	struct ticket_key k;
	OSSL_PARAM	 params[3];
	time_t		 now;
	int		 r = -1, i;

	pthread_mutex_lock(&tk_mtx);
	now = time(NULL);
	if (tk_nfile > 0) {
		if (enc) {
			k = tk_file[0];
			r = 1;
		} else
			for (i = 0, r = 0; (size_t)i < tk_nfile && r == 0; i++)
				if (memcmp(name, tk_file[i].tk_name, 16) == 0) {
					k = tk_file[i];
					r = i == 0 ? 1 : 2;
				}
	} else if (ticket_keys_rotate(now) == 0) {
		if (enc) {
			k = tk_keys[0];
			r = 1;
		} else
			for (i = 0, r = 0; i < 2 && r == 0; i++)
				if (ticket_key_live(&tk_keys[i], now) && memcmp(name,
				    tk_keys[i].tk_name, 16) == 0) {
					k = tk_keys[i];
					r = i + 1;
				}
	}
	pthread_mutex_unlock(&tk_mtx);
	if (r <= 0)
		return r;
	if (!enc && SSL_version(ssl) >= TLS1_3_VERSION)
		r = 2;
	if (enc) {
		memcpy(name, k.tk_name, 16);
		if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(
		    EVP_aes_256_cbc())) != 1)
			r = -1;
	}
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
	    k.tk_hmac, sizeof(k.tk_hmac));
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)(uintptr_t)"SHA256", 0);
	params[2] = OSSL_PARAM_construct_end();
	if (r != -1 && ((enc ? EVP_EncryptInit_ex(cctx, EVP_aes_256_cbc(),
	    NULL, k.tk_aes, iv) : EVP_DecryptInit_ex(cctx, EVP_aes_256_cbc(),
	    NULL, k.tk_aes, iv)) != 1 || EVP_MAC_CTX_set_params(hctx,
	    params) != 1))
		r = -1;
	OPENSSL_cleanse(&k, sizeof(k));
	return r;
}

static const char *
ssl_error(void)
{
	static char	 msg[256];
	unsigned long	 e = ERR_get_error();

	if (e == 0)
		return "TLS library error";
	ERR_error_string_n(e, msg, sizeof(msg));
	ERR_clear_error();
	return msg;
}

/* An IP literal ("192.0.2.7", "[2001:db8::7]") as an address, else 0. */
static int
ip_literal(const char *name, char *addr, size_t addrlen)
{
	unsigned char	 bin[16];
	size_t		 n = strlen(name);

	if (n >= addrlen)
		return 0;	/* longer than any address */
	if (n >= 2 && name[0] == '[' && name[n - 1] == ']')
		snprintf(addr, addrlen, "%.*s", (int)(n - 2), name + 1);
	else
		snprintf(addr, addrlen, "%s", name);
	return inet_pton(AF_INET, addr, bin) == 1 ||
	    inet_pton(AF_INET6, addr, bin) == 1;
}

/* subjectAltName: a DNS entry for each name, an IP entry for an address. */
static GENERAL_NAMES *
alt_names(const char *const *names)
{
	GENERAL_NAMES	*gens;
	GENERAL_NAME	*gen;
	ASN1_OCTET_STRING *ip;
	ASN1_IA5STRING	*dns;
	char		 addr[INET6_ADDRSTRLEN + 2];
	size_t		 i;

	if ((gens = sk_GENERAL_NAME_new_null()) == NULL)
		return NULL;
	for (i = 0; names[i] != NULL; i++) {
		if ((gen = GENERAL_NAME_new()) == NULL)
			goto fail;
		if (ip_literal(names[i], addr, sizeof(addr))) {
			if ((ip = a2i_IPADDRESS(addr)) == NULL) {
				GENERAL_NAME_free(gen);
				goto fail;
			}
			GENERAL_NAME_set0_value(gen, GEN_IPADD, ip);
		} else {
			if ((dns = ASN1_IA5STRING_new()) == NULL ||
			    !ASN1_STRING_set(dns, names[i], -1)) {
				ASN1_IA5STRING_free(dns);
				GENERAL_NAME_free(gen);
				goto fail;
			}
			GENERAL_NAME_set0_value(gen, GEN_DNS, dns);
		}
		if (!sk_GENERAL_NAME_push(gens, gen)) {
			GENERAL_NAME_free(gen);
			goto fail;
		}
	}
	return gens;
 fail:
	GENERAL_NAMES_free(gens);
	return NULL;
}

/*
 * A self-signed certificate for names (the host first, then its
 * aliases), signed with key and marked as capsuled's (TLS_CERT_MARK), so
 * that a later start may make it again with other names.
 */
static X509 *
make_cert(EVP_PKEY *key, const char *const *names)
{
	X509		*x = NULL;
	GENERAL_NAMES	*gens = NULL;
	ASN1_IA5STRING	*mark = NULL;
	unsigned char	 serial[16];
	BIGNUM		*bn = NULL;
	int		 ok = 0;

	if ((x = X509_new()) == NULL ||
	    !X509_set_version(x, 2) ||
	    RAND_bytes(serial, sizeof(serial)) != 1 ||
	    (bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -86400) == NULL ||
	    !ASN1_TIME_set_string(X509_getm_notAfter(x), "99991231235959Z") ||
	    !X509_set_pubkey(x, key) ||
	    !X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_UTF8, (const unsigned char *)names[0], -1, -1, 0) ||
	    !X509_set_issuer_name(x, X509_get_subject_name(x)))
		goto done;
	if ((gens = alt_names(names)) == NULL ||
	    X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
	    X509V3_ADD_DEFAULT) != 1 ||
	    (mark = ASN1_IA5STRING_new()) == NULL ||
	    !ASN1_STRING_set(mark, TLS_CERT_MARK, -1) ||
	    X509_add1_ext_i2d(x, NID_netscape_comment, mark, 0,
	    X509V3_ADD_DEFAULT) != 1 ||
	    !X509_sign(x, key, EVP_sha256()))
		goto done;
	ok = 1;
 done:
	GENERAL_NAMES_free(gens);
	ASN1_IA5STRING_free(mark);
	BN_free(bn);
	if (!ok) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

/* Does certificate x name host name (or address) name? */
static int
covers(X509 *x, const char *name)
{
	char	 addr[INET6_ADDRSTRLEN + 2];

	if (ip_literal(name, addr, sizeof(addr)))
		return X509_check_ip_asc(x, addr, 0) == 1;
	return X509_check_host(x, name, strlen(name),
	    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL) == 1;
}

/*
 * Did capsuled make x with key?  Self-signed (issuer = subject, the
 * signature checks with key) and carrying the TLS_CERT_MARK comment: a
 * certificate an operator installed has no such comment.
 */
static int
ours(X509 *x, EVP_PKEY *key)
{
	ASN1_IA5STRING	*mark;
	int		 r;

	if (X509_check_issued(x, x) != X509_V_OK || X509_verify(x, key) != 1)
		return 0;
	if ((mark = X509_get_ext_d2i(x, NID_netscape_comment, NULL, NULL)) ==
	    NULL)
		return 0;
	r = ASN1_STRING_length(mark) == (int)strlen(TLS_CERT_MARK) &&
	    memcmp(ASN1_STRING_get0_data(mark), TLS_CERT_MARK,
	    strlen(TLS_CERT_MARK)) == 0;
	ASN1_IA5STRING_free(mark);
	return r;
}

/* Write PEM to path, created new with the given mode (never replaced). */
static int
write_pem(const char *path, mode_t mode, EVP_PKEY *key, X509 *x)
{
	FILE	*fp;
	int	 fd, ok;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    mode)) == -1)
		return -1;
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(path);
		return -1;
	}
	ok = key ? PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL) :
	    PEM_write_X509(fp, x);
	if (fclose(fp) != 0 || !ok) {
		unlink(path);
		return -1;
	}
	return 0;
}

/* Create certs/<name>.key (0600) and certs/<name>.crt. */
static int
create_pair(const char *key_path, const char *crt_path,
    const char *const *names, const char **errstr)
{
	EVP_PKEY	*key;
	X509		*x = NULL;
	int		 r = -1;

	if ((key = EVP_EC_gen("P-256")) == NULL ||
	    (x = make_cert(key, names)) == NULL) {
		*errstr = ssl_error();
		goto done;
	}
	if (write_pem(key_path, 0600, key, NULL) == -1) {
		*errstr = strerror(errno);
		goto done;
	}
	if (write_pem(crt_path, 0644, NULL, x) == -1) {
		*errstr = strerror(errno);
		unlink(key_path);
		goto done;
	}
	r = 0;
 done:
	X509_free(x);
	EVP_PKEY_free(key);
	return r;
}

/*
 * When certs/<name>.crt is capsuled's own and misses one of names, make
 * it again with the same key and every name (written aside, then
 * renamed over the old one).  *made is 1 when it did.  A certificate
 * capsuled did not make is never touched; one it cannot read is left
 * for new_ctx to report.
 */
static int
renew_cert(const char *key_path, const char *crt_path,
    const char *const *names, int *made, const char **errstr)
{
	char		 tmp[4096 + 8];
	EVP_PKEY	*key = NULL;
	X509		*x = NULL, *nx = NULL;
	FILE		*fp;
	size_t		 i;
	int		 r = -1, all = 1;

	*made = 0;
	if ((fp = fopen(key_path, "re")) != NULL) {
		key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
		fclose(fp);
	}
	if ((fp = fopen(crt_path, "re")) != NULL) {
		x = PEM_read_X509(fp, NULL, NULL, NULL);
		fclose(fp);
	}
	for (i = 0; x != NULL && names[i] != NULL; i++)
		all = all && covers(x, names[i]);
	if (key == NULL || x == NULL || all || !ours(x, key)) {
		ERR_clear_error();
		r = 0;
		goto done;
	}
	snprintf(tmp, sizeof(tmp), "%s.new", crt_path);
	if ((nx = make_cert(key, names)) == NULL) {
		*errstr = ssl_error();
		goto done;
	}
	if ((unlink(tmp) == -1 && errno != ENOENT) ||
	    write_pem(tmp, 0644, NULL, nx) == -1 ||
	    rename(tmp, crt_path) == -1) {
		*errstr = strerror(errno);
		unlink(tmp);
		goto done;
	}
	*made = 1;
	r = 0;
 done:
	X509_free(nx);
	X509_free(x);
	EVP_PKEY_free(key);
	return r;
}

/*
 * A certificate's SHA-256 fingerprint, "SHA256:AB:...": capsuled's own
 * (logged at start) and a client's (Titan's author lines).
 */
int
tls_fingerprint(const X509 *x, char *out)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 n, i;

	if (x == NULL || !X509_digest(x, EVP_sha256(), md, &n))
		return -1;
	strcpy(out, "SHA256");
	for (i = 0; i < n && i < 32; i++)
		sprintf(out + 6 + 3 * i, ":%02X", md[i]);
	return 0;
}

/* Gemini clients may present a certificate; accept any, verify none. */
static int
accept_any(int preverify, X509_STORE_CTX *ctx)
{
	(void)preverify;
	(void)ctx;
	return 1;
}

/* SNI: the host of that name, else the default (first) one. */
static int
servername(SSL *ssl, int *alert, void *arg)
{
	const char	*sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	SSL_CTX		*ctx;

	(void)alert;
	(void)arg;
	if (sni != NULL && tls_sni_lookup != NULL &&
	    (ctx = tls_sni_lookup(tls_sni_arg, sni)) != NULL)
		SSL_set_SSL_CTX(ssl, ctx);
	return SSL_TLSEXT_ERR_OK;
}

static SSL_CTX *
new_ctx(const char *key_path, const char *crt_path)
{
	SSL_CTX	*ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS |
	    SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any);
	/* with peer verification on, resumption needs a session context */
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"capsuled",
	    8);
	SSL_CTX_set_tlsext_servername_callback(ctx, servername);
	/* one TLS 1.3 ticket per handshake (a client reconnects with one);
	   tickets carry the session, so no server-side cache to fill */
	SSL_CTX_set_num_tickets(ctx, 1);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_key_cb);
	if (SSL_CTX_use_certificate_chain_file(ctx, crt_path) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key_path, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/*
 * Load the certificate of a host from dir: names[0] is its name (it
 * names the files), the others its aliases, all lowercase A-labels or IP
 * addresses, so safe in a path; NULL ends the list.  A missing pair is
 * created, naming them all; capsuled's own certificate is made again
 * when it misses one (see renew_cert).
 */
int
tls_host_load(const char *dir, const char *const *names, struct tls_host *h,
    const char **errstr)
{
	const char	*name = names[0];
	char		 key_path[4096], crt_path[4096];
	int		 have_key, have_crt;

	memset(h, 0, sizeof(h[0]));
	h->th_name = name;
	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL) {
		*errstr = "bad host name";
		return -1;
	}
	snprintf(key_path, sizeof(key_path), "%s/%s.key", dir, name);
	snprintf(crt_path, sizeof(crt_path), "%s/%s.crt", dir, name);
	have_key = access(key_path, F_OK) == 0;
	have_crt = access(crt_path, F_OK) == 0;
	if (have_key != have_crt) {
		*errstr = have_key ? "key without certificate" :
		    "certificate without key";
		return -1;
	}
	if (!have_key) {
		if (create_pair(key_path, crt_path, names, errstr) == -1)
			return -1;
		h->th_created = 1;
	} else if (renew_cert(key_path, crt_path, names, &h->th_renewed,
	    errstr) == -1)
		return -1;
	if ((h->th_ctx = new_ctx(key_path, crt_path)) == NULL ||
	    tls_fingerprint(SSL_CTX_get0_certificate(h->th_ctx),
	    h->th_fingerprint) == -1) {
		*errstr = ssl_error();
		tls_host_free(h);
		return -1;
	}
	return 0;
}

/* Does the host's certificate name name?  (No: a client sees a mismatch.) */
int
tls_host_covers(const struct tls_host *h, const char *name)
{
	X509	*x = SSL_CTX_get0_certificate(h->th_ctx);

	return x != NULL && covers(x, name);
}

void
tls_host_free(struct tls_host *h)
{
	SSL_CTX_free(h->th_ctx);
	h->th_ctx = NULL;
}

/*
 * How SNI finds a host's context; names it does not know keep the
 * default context (the first host's), as do connections without SNI.
 */
void
tls_set_sni(SSL_CTX *(*lookup)(void *, const char *), void *arg)
{
	tls_sni_lookup = lookup;
	tls_sni_arg = arg;
}

/*
 * Read the ticket-key file at path into keys (at most
 * TLS_TICKET_FILE_MAX): a regular file that neither group nor others
 * may open, of one or more TLS_TICKET_FILE_KEY-byte keys.  The number of
 * keys, or -1 and a reason for the operator.
 */
static int
ticket_file_read(const char *path, struct ticket_key *keys,
    const char **errstr)
{
	unsigned char	 b[TLS_TICKET_FILE_KEY * TLS_TICKET_FILE_MAX + 1];
	struct stat	 st;
	ssize_t		 n;
	size_t		 got = 0, i;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1 ||
	    fstat(fd, &st) == -1) {
		*errstr = strerror(errno);
		if (fd != -1)
			close(fd);
		return -1;
	}
	*errstr = !S_ISREG(st.st_mode) ? "not a regular file" :
	    (st.st_mode & 077) != 0 ? "group or others may read or write it "
	    "(chmod 600 it)" : NULL;
	while (*errstr == NULL && got < sizeof(b) &&
	    (n = read(fd, b + got, sizeof(b) - got)) != 0) {
		if (n == -1 && errno != EINTR)
			*errstr = strerror(errno);
		else if (n > 0)
			got += (size_t)n;
	}
	close(fd);
	if (*errstr == NULL && (got == 0 || got % TLS_TICKET_FILE_KEY != 0))
		*errstr = "its size is not a multiple of 80 bytes (keys of 80 "
		    "random bytes each: openssl rand 80)";
	else if (*errstr == NULL && got > TLS_TICKET_FILE_KEY *
	    TLS_TICKET_FILE_MAX)
		*errstr = "more than 16 keys";
	if (*errstr != NULL) {
		OPENSSL_cleanse(b, sizeof(b));
		return -1;
	}
	for (i = 0; i < got / TLS_TICKET_FILE_KEY; i++) {
		memcpy(keys[i].tk_name, b + i * 80, 16);
		memcpy(keys[i].tk_hmac, b + i * 80 + 16, 32);
		memcpy(keys[i].tk_aes, b + i * 80 + 48, 32);
		keys[i].tk_made = 1;
	}
	OPENSSL_cleanse(b, sizeof(b));
	return (int)(got / TLS_TICKET_FILE_KEY);
}

/* Would path be taken as a ticket-key file?  0, or -1 and why not. */
int
tls_ticket_file_check(const char *path, const char **errstr)
{
	struct ticket_key keys[TLS_TICKET_FILE_MAX];
	int		 n = ticket_file_read(path, keys, errstr);

	OPENSSL_cleanse(keys, sizeof(keys));
	return n == -1 ? -1 : 0;
}

/*
 * Take the session ticket keys from the file at path instead of making
 * our own (as root, before the serving process drops privileges); *n
 * gets their count.  0, or -1 and why (the keys in use stay).
 */
int
tls_ticket_file_load(const char *path, size_t *n, const char **errstr)
{
	struct ticket_key keys[TLS_TICKET_FILE_MAX];
	int		 r;

	if ((r = ticket_file_read(path, keys, errstr)) == -1)
		return -1;
	pthread_mutex_lock(&tk_mtx);
	OPENSSL_cleanse(tk_file, sizeof(tk_file));
	memcpy(tk_file, keys, (size_t)r * sizeof(keys[0]));
	tk_nfile = (size_t)r;
	pthread_mutex_unlock(&tk_mtx);
	OPENSSL_cleanse(keys, sizeof(keys));
	*n = (size_t)r;
	return 0;
}
