/* nscall: a function run in a forked child that entered another network
 * namespace first, its text read back through a pipe. Netlink sockets
 * (libnftables, libnetfilter_conntrack) belong to the namespace they are
 * opened in, and libnftables may exit() when it cannot open one, so such
 * work never runs in the caller. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nscall.h"

static void nscall_child(int fd, int netns_fd, nscall_fn fn, const void *arg)
{
	FILE *f;
	int code;

	if (setns(netns_fd, CLONE_NEWNET) < 0)
		_exit(errno);
	f = fdopen(fd, "w");
	if (!f)
		_exit(ENOMEM);
	code = fn(f, arg);
	if (fclose(f) != 0 && !code)
		code = EIO;
	_exit(code);
}

/* Reads fd to EOF whatever happens, so the child never blocks: up to max
 * bytes into *buf (grown as needed), the rest drained. 0, -EFBIG or
 * -ENOMEM. */
static int nscall_read(int fd, size_t max, char **buf, size_t *got)
{
	size_t cap = 0;
	int ret = 0;
	ssize_t r;

	for (;;) {
		if (*got + 4096 + 1 > cap && *got + 4096 + 1 <= max) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *p = realloc(*buf, ncap > max ? max : ncap);

			if (!p) {
				ret = -ENOMEM;
			} else {
				*buf = p;
				cap = ncap > max ? max : ncap;
			}
		}
		if (ret == 0 && *got + 4096 + 1 <= cap) {
			r = read(fd, *buf + *got, cap - *got - 1);
		} else {
			char sink[4096];

			if (ret == 0)
				ret = -EFBIG;
			r = read(fd, sink, sizeof(sink));
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return ret;
		if (ret == 0)
			*got += (size_t)r;
	}
}

int nscall(int netns_fd, nscall_fn fn, const void *arg, size_t max,
	   char **text, size_t *len)
{
	char *buf = NULL;
	int fds[2], wst, ret;
	size_t got = 0;
	pid_t pid;

	*text = NULL;
	*len = 0;
	if (netns_fd < 0)
		return -EBADF;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (pid == 0) {
		close(fds[0]);
		nscall_child(fds[1], netns_fd, fn, arg);
	}
	close(fds[1]);
	ret = nscall_read(fds[0], max, &buf, &got);
	close(fds[0]);
	while (waitpid(pid, &wst, 0) < 0)
		if (errno != EINTR) {
			ret = ret ? ret : -errno;
			break;
		}
	if (ret == 0 && !WIFEXITED(wst))
		ret = -EIO;
	else if (ret == 0 && WEXITSTATUS(wst))
		ret = -WEXITSTATUS(wst);
	if (buf)
		buf[got] = '\0';
	*text = buf;
	*len = got;
	return ret;
}
