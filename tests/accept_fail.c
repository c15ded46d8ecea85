/*
 * accept_fail.so, preloaded by tests/exhaust_test.py: accept4() fails
 * with EMFILE while the file $ACCEPT_FAIL_FLAG exists, as it does when a
 * process is out of descriptors, so that the server's answer to that can
 * be tested without exhausting the machine.  The flag is looked at with
 * stat(), which the serving process's seccomp allow-list permits (not
 * access(): under the sandbox it fails with EPERM, and the shim would
 * never fire; tests/soak_test.py runs it sandboxed).
 */
#include <sys/stat.h>
#include <sys/socket.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>

int
accept4(int fd, __SOCKADDR_ARG sa, socklen_t *restrict len, int flags)
{
	static int	(*real)(int, __SOCKADDR_ARG, socklen_t *restrict, int);
	const char	*flag = getenv("ACCEPT_FAIL_FLAG");
	struct stat	 st;

	if (flag != NULL && stat(flag, &st) == 0) {
		errno = EMFILE;
		return -1;
	}
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "accept4");
	return real(fd, sa, len, flags);
}
