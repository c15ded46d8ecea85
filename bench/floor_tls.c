/*
 * floor_tls: the least a Gemini server can do, as a floor to measure
 * capsuled against (bench/run.sh).  One thread per core, each with its
 * own SO_REUSEPORT listener on 127.0.0.1:PORT and a blocking loop:
 * accept, TLS handshake (an ECDSA P-256 self-signed certificate made at
 * start), read the request line, write "20 text/gemini\r\n" and -b
 * bytes (without the header when the line is not a gemini:// URL: a
 * Gopher selector, so it is a floor for Gopher over TLS too),
 * SSL_shutdown, close.  OpenSSL's defaults otherwise: TLS 1.3
 * session tickets are on, so resumption can be measured too.
 *
 *   floor_tls [-p PORT] [-t THREADS] [-b BYTES]
 *
 * Prints "listening PORT" on stdout when ready; runs until killed.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define HEADER		"20 text/gemini\r\n"
#define LINE_MAX_LEN	1026	/* 1024 bytes of URL and CRLF */
#define IO_TIMEOUT	10	/* seconds, so a silent client cannot stall a thread */

static SSL_CTX	*ctx;
static char	*response;
static size_t	 resplen;

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "floor_tls: %s: %s\n", what, errno ? strerror(errno) :
	    "failed");
	ERR_print_errors_fp(stderr);
	exit(2);
}

/* A self-signed certificate for localhost on a new P-256 key. */
static void
make_ctx(void)
{
	EVP_PKEY	*key;
	X509		*x;
	X509_NAME	*name;
	X509_EXTENSION	*ext;
	X509V3_CTX	 v3;

	if ((key = EVP_EC_gen("P-256")) == NULL || (x = X509_new()) == NULL)
		die("key");
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 30L * 24 * 3600);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"localhost", -1, -1, 0);
	X509_set_issuer_name(x, name);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
	    "DNS:localhost")) == NULL || !X509_add_ext(x, ext, -1) ||
	    !X509_sign(x, key, EVP_sha256()))
		die("certificate");
	X509_EXTENSION_free(ext);
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    SSL_CTX_use_certificate(ctx, x) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1)
		die("SSL_CTX");
	X509_free(x);
	EVP_PKEY_free(key);
}

static int
listener(int *port)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) == -1)
		die("SO_REUSEPORT");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)*port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		die("bind");
	if (listen(fd, 1024) == -1)
		die("listen");
	if (getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		die("getsockname");
	*port = ntohs(sin.sin_port);
	return fd;
}

static void
serve(int fd)
{
	struct timeval	 tv = { IO_TIMEOUT, 0 };
	char		 line[LINE_MAX_LEN + 1];
	size_t		 got = 0, skip;
	SSL		*ssl;
	int		 r, one = 1;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((ssl = SSL_new(ctx)) == NULL)
		goto done;
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) != 1)
		goto done;
	while (got < LINE_MAX_LEN) {
		if ((r = SSL_read(ssl, line + got, (int)(LINE_MAX_LEN - got))) <= 0)
			goto done;
		got += (size_t)r;
		if (memchr(line, '\n', got) != NULL)
			break;
	}
	skip = got >= 9 && memcmp(line, "gemini://", 9) == 0 ? 0 :
	    strlen(HEADER);
	if (SSL_write(ssl, response + skip, (int)(resplen - skip)) ==
	    (int)(resplen - skip))
		SSL_shutdown(ssl);
 done:
	ERR_clear_error();
	SSL_free(ssl);
	close(fd);
}

static void *
worker(void *arg)
{
	int	 lfd = (int)(intptr_t)arg, fd;

	for (;;) {
		if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1) {
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EMFILE || errno == ENFILE)
				continue;
			die("accept");
		}
		serve(fd);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	long		 nthreads = sysconf(_SC_NPROCESSORS_ONLN), bytes = 4096;
	int		 port = 0, ch, i, fd;
	pthread_t	 t;

	while ((ch = getopt(argc, argv, "p:t:b:")) != -1) {
		switch (ch) {
		case 'p':
			port = atoi(optarg);
			break;
		case 't':
			nthreads = atol(optarg);
			break;
		case 'b':
			bytes = atol(optarg);
			break;
		default:
			fprintf(stderr, "usage: floor_tls [-p PORT] "
			    "[-t THREADS] [-b BYTES]\n");
			return 2;
		}
	}
	if (nthreads < 1)
		nthreads = 1;
	if (bytes < 0 || port < 0 || port > 65535)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	make_ctx();
	resplen = strlen(HEADER) + (size_t)bytes;
	if ((response = malloc(resplen)) == NULL)
		die("malloc");
	memcpy(response, HEADER, strlen(HEADER));
	for (i = 0; i < bytes; i++)	/* lines of 63 letters */
		response[strlen(HEADER) + (size_t)i] = i % 64 == 63 ? '\n' :
		    (char)('a' + i % 26);
	for (i = 0; i < nthreads; i++) {
		fd = listener(&port);
		if (pthread_create(&t, NULL, worker, (void *)(intptr_t)fd) != 0)
			die("pthread_create");
		pthread_detach(t);
	}
	printf("listening %d\n", port);
	fflush(stdout);
	for (;;)
		pause();
}
