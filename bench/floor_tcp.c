/*
 * floor_tcp: the least a Gopher server can do, as a floor to measure
 * capsuled against (bench/run.sh).  One thread per core, each with its
 * own SO_REUSEPORT listener on 127.0.0.1:PORT and a blocking loop:
 * accept, read the request line, write -b bytes, close.
 *
 *   floor_tcp [-p PORT] [-t THREADS] [-b BYTES]
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

#define LINE_MAX_LEN	1026	/* a selector line and CRLF, generously */
#define IO_TIMEOUT	10	/* seconds, so a silent client cannot stall a thread */

static char	*response;
static size_t	 resplen;

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "floor_tcp: %s: %s\n", what, strerror(errno));
	exit(2);
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
	char		 line[LINE_MAX_LEN];
	size_t		 got = 0, off = 0;
	ssize_t		 r;
	int		 one = 1;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	while (got < sizeof(line)) {
		if ((r = read(fd, line + got, sizeof(line) - got)) <= 0)
			goto done;
		got += (size_t)r;
		if (memchr(line, '\n', got) != NULL)
			break;
	}
	while (off < resplen) {
		if ((r = write(fd, response + off, resplen - off)) <= 0)
			goto done;
		off += (size_t)r;
	}
 done:
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
			fprintf(stderr, "usage: floor_tcp [-p PORT] "
			    "[-t THREADS] [-b BYTES]\n");
			return 2;
		}
	}
	if (nthreads < 1)
		nthreads = 1;
	if (bytes < 0 || port < 0 || port > 65535)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	resplen = (size_t)bytes;
	if ((response = malloc(resplen + 1)) == NULL)
		die("malloc");
	for (i = 0; i < bytes; i++)	/* lines of 63 letters */
		response[i] = i % 64 == 63 ? '\n' : (char)('a' + i % 26);
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
