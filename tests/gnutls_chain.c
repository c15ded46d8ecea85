/*
 * gnutls_chain: a Gemini client on GnuTLS that makes N connections in
 * a row, each offering the session data of the one before (the newest
 * ticket, used once), and reports how many were resumed.  The
 * resumption test (tests/resume_test.py) runs it as its GnuTLS row.
 *
 *   gnutls_chain [-2] [-r] -p PORT -n N [-u URL]
 *
 * -2: TLS 1.2 only (default: TLS 1.3 only).  -r: keep the first
 * connection's session data and offer it every time (RFC 5077 reuse)
 * instead of the newest.  Each connection sends URL (default
 * gemini://localhost/) with SNI "localhost", reads to the end and
 * checks the reply starts "20 ".  No certificate check (Gemini's
 * trust on first use is not this test's subject).
 *
 * Prints "connections=N resumed=K ok=M" on stdout; exits 0 when every
 * connection got a "20" reply, 1 otherwise.  Only 127.0.0.1; every
 * socket has a 10 s timeout.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

static const char *prio13 = "NORMAL:-VERS-ALL:+VERS-TLS1.3";
static const char *prio12 = "NORMAL:-VERS-ALL:+VERS-TLS1.2";

static int
dial(int port)
{
	struct sockaddr_in	 sin;
	struct timeval		 tv = { 10, 0 };
	int			 fd, on = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/*
	 * The request goes in two records (the URL, then CRLF): without
	 * this the second waits for the server's delayed ACK of the first,
	 * 40 ms a connection.
	 */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * One connection offering *data (if any); on return *data holds this
 * connection's newest session data (when fresh is set).  1 when the
 * reply was a "20", 0 otherwise; *resumed tells whether it resumed.
 */
static int
one(gnutls_certificate_credentials_t cred, int port, const char *prio,
    const char *url, gnutls_datum_t *data, int fresh, int *resumed)
{
	gnutls_session_t	 s;
	gnutls_datum_t		 next = { NULL, 0 };
	char			 head[3] = "";
	char			 buf[16384];
	size_t			 got = 0;
	ssize_t			 n;
	int			 fd, r, ok = 0;

	*resumed = 0;
	if ((fd = dial(port)) == -1)
		return 0;
	if (gnutls_init(&s, GNUTLS_CLIENT) != GNUTLS_E_SUCCESS) {
		close(fd);
		return 0;
	}
	gnutls_priority_set_direct(s, prio, NULL);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_server_name_set(s, GNUTLS_NAME_DNS, "localhost", 9);
	if (data->data != NULL)
		gnutls_session_set_data(s, data->data, data->size);
	gnutls_transport_set_int(s, fd);
	gnutls_handshake_set_timeout(s, 10000);
	do
		r = gnutls_handshake(s);
	while (r < 0 && gnutls_error_is_fatal(r) == 0);
	if (r < 0) {
		fprintf(stderr, "gnutls_chain: handshake: %s\n",
		    gnutls_strerror(r));
		goto done;
	}
	*resumed = gnutls_session_is_resumed(s) != 0;
	if (gnutls_record_send(s, url, strlen(url)) < 0 ||
	    gnutls_record_send(s, "\r\n", 2) < 0)
		goto done;
	for (;;) {
		n = gnutls_record_recv(s, buf, sizeof(buf));
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			continue;
		if (n <= 0)
			break;
		for (r = 0; r < n && got < 2; r++)
			head[got++] = buf[r];
	}
	ok = got == 2 && head[0] == '2' && head[1] == '0';
	/* the ticket has come with the reply: take this session's data */
	if (fresh && gnutls_session_get_data2(s, &next) ==
	    GNUTLS_E_SUCCESS) {
		gnutls_free(data->data);
		*data = next;
	}
	gnutls_bye(s, GNUTLS_SHUT_WR);
done:
	gnutls_deinit(s);
	close(fd);
	return ok;
}

int
main(int argc, char **argv)
{
	gnutls_certificate_credentials_t cred;
	gnutls_datum_t	 data = { NULL, 0 };
	const char	*prio = prio13, *url = "gemini://localhost/";
	int		 ch, port = 0, n = 0, reuse = 0, i, ok = 0, res = 0;
	int		 resumed;

	while ((ch = getopt(argc, argv, "2rp:n:u:")) != -1) {
		switch (ch) {
		case '2':
			prio = prio12;
			break;
		case 'r':
			reuse = 1;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'n':
			n = atoi(optarg);
			break;
		case 'u':
			url = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (port <= 0 || port > 65535 || n <= 0)
		goto usage;
	if (gnutls_global_init() != GNUTLS_E_SUCCESS ||
	    gnutls_certificate_allocate_credentials(&cred) !=
	    GNUTLS_E_SUCCESS) {
		fprintf(stderr, "gnutls_chain: GnuTLS initialisation failed\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		ok += one(cred, port, prio, url, &data, !reuse || i == 0,
		    &resumed);
		res += resumed;
	}
	printf("connections=%d resumed=%d ok=%d\n", n, res, ok);
	gnutls_free(data.data);
	gnutls_certificate_free_credentials(cred);
	gnutls_global_deinit();
	return ok == n ? 0 : 1;
usage:
	fprintf(stderr, "usage: gnutls_chain [-2] [-r] -p PORT -n N [-u URL]\n");
	return 2;
}
