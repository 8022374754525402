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
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nscall.h"

/* The child's report ends with this trailer and its status: the parent
 * learns the status at EOF and need not wait for the exit itself, which
 * can be slow — closing an nft socket after a commit that deleted
 * something waits in the kernel for an RCU grace period (measured 8-16
 * ms per ruleset load, against 1.3 ms for the load). Text never holds a
 * NUL, so the trailer cannot be mistaken for it. */
static const char nscall_trailer[4] = { '\0', 'N', 'S', 'C' };
#define NSCALL_TRAILER (sizeof(nscall_trailer) + 2 * sizeof(int))

/* What a child runs: each(out, i, arg) inside fds[i]'s namespace for i in
 * order, stopping at the first failure. */
struct nscall_job {
	const int *fds;
	int n;
	nscall_each_fn each;
	const void *arg;
};

/* Children that have reported and are still exiting; reaped by later
 * calls, or by init once we exit. Bounded: at the limit the oldest is
 * waited for. */
#define NSCALL_EXITING_MAX 64
static pid_t nscall_exiting[NSCALL_EXITING_MAX];
static size_t nscall_nexiting;

static void nscall_reap(void)
{
	size_t i = 0;

	while (i < nscall_nexiting) {
		pid_t r = waitpid(nscall_exiting[i], NULL, WNOHANG);

		if (r == 0 || (r < 0 && errno == EINTR)) {
			i++;
			continue;
		}
		nscall_exiting[i] = nscall_exiting[--nscall_nexiting];
	}
}

/* pid has reported: reap it if it is gone, else leave it exiting. */
static void nscall_done(pid_t pid)
{
	pid_t r;

	do
		r = waitpid(pid, NULL, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r != 0)
		return;
	if (nscall_nexiting == NSCALL_EXITING_MAX) {
		while (waitpid(nscall_exiting[0], NULL, 0) < 0 && errno == EINTR)
			;
		nscall_exiting[0] = nscall_exiting[--nscall_nexiting];
	}
	nscall_exiting[nscall_nexiting++] = pid;
}

static int nscall_int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* The child keeps stdio, its pipe (3) and the namespaces it enters, none
 * below 64; everything else the parent holds is closed (a pipe end kept
 * here would delay another reader's EOF), and 4-63 are free, so what the
 * child opens gets a low number. The parent may hold thousands of
 * namespace fds, and libnftables waits on its netlink socket with
 * select(), which takes no fd past FD_SETSIZE (1024): with 1,200
 * namespaces open the child aborted with "bit out of range 0 -
 * FD_SETSIZE on fd_set". */
static int nscall_keep(const struct nscall_job *j, int pipe, int *fds,
		       int *keep)
{
	unsigned lo = 4;

	/* Namespaces first: one of them may be fd 3 in the parent. */
	for (int i = 0; i < j->n; i++) {
		fds[i] = j->fds[i];
		if (fds[i] < 64 && (fds[i] = fcntl(fds[i], F_DUPFD, 64)) < 0)
			return errno;
		keep[i] = fds[i];
	}
	if (pipe != 3 && dup2(pipe, 3) < 0)
		return errno;
	qsort(keep, (size_t)j->n, sizeof(*keep), nscall_int_cmp);
	for (int i = 0; i < j->n; i++) {
		if ((unsigned)keep[i] > lo &&
		    close_range(lo, (unsigned)keep[i] - 1, 0) < 0)
			return errno;
		lo = (unsigned)keep[i] + 1;
	}
	return close_range(lo, ~0U, 0) < 0 ? errno : 0;
}

static void nscall_child(int fd, const struct nscall_job *j)
{
	int *fds = malloc(2 * (size_t)j->n * sizeof(int)), code = 0, done = 0;
	FILE *f;

	if (!fds)
		_exit(ENOMEM);
	if ((code = nscall_keep(j, fd, fds, fds + j->n)) != 0)
		_exit(code);
	f = fdopen(3, "w");
	if (!f)
		_exit(ENOMEM);
	for (; done < j->n && !code; done += !code) {
		if (setns(fds[done], CLONE_NEWNET) < 0)
			code = errno;
		else
			code = j->each(f, done, j->arg);
	}
	if (fflush(f) != 0 && !code)
		code = EIO;
	fwrite(nscall_trailer, 1, sizeof(nscall_trailer), f);
	fwrite(&code, 1, sizeof(code), f);
	fwrite(&done, 1, sizeof(done), f);
	fclose(f); /* the parent goes on at EOF */
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

/* The status from the trailer at the end of buf (and buf cut before it),
 * or -1 when the child ended without one. */
static int nscall_status(char *buf, size_t *got, int *done)
{
	int code;

	if (!buf || *got < NSCALL_TRAILER ||
	    memcmp(buf + *got - NSCALL_TRAILER, nscall_trailer,
		   sizeof(nscall_trailer)))
		return -1;
	memcpy(&code, buf + *got - 2 * sizeof(code), sizeof(code));
	memcpy(done, buf + *got - sizeof(*done), sizeof(*done));
	*got -= NSCALL_TRAILER;
	return code;
}

static int nscall_run(const struct nscall_job *j, size_t max, char **text,
		      size_t *len, int *done)
{
	char *buf = NULL;
	int fds[2], wst, ret, code;
	size_t got = 0;
	pid_t pid;

	*text = NULL;
	*len = 0;
	*done = 0;
	for (int i = 0; i < j->n; i++)
		if (j->fds[i] < 0)
			return -EBADF;
	nscall_reap();
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
		nscall_child(fds[1], j);
	}
	close(fds[1]);
	ret = nscall_read(fds[0], max + NSCALL_TRAILER, &buf, &got);
	close(fds[0]);
	code = ret == 0 ? nscall_status(buf, &got, done) : -1;
	if (code >= 0) {
		nscall_done(pid);
		ret = -code;
	} else {
		/* No report (setns failed, or the library exit()ed): the
		 * exit status is all there is. */
		while (waitpid(pid, &wst, 0) < 0)
			if (errno != EINTR) {
				ret = ret ? ret : -errno;
				break;
			}
		if (ret == 0)
			ret = !WIFEXITED(wst) ? -EIO :
			      WEXITSTATUS(wst) ? -WEXITSTATUS(wst) : -EIO;
	}
	if (buf)
		buf[got] = '\0';
	*text = buf;
	*len = got;
	return ret;
}

struct nscall_one {
	nscall_fn fn;
	const void *arg;
};

static int nscall_one_fn(FILE *out, int i, const void *arg)
{
	const struct nscall_one *o = arg;

	(void)i;
	return o->fn(out, o->arg);
}

int nscall(int netns_fd, nscall_fn fn, const void *arg, size_t max,
	   char **text, size_t *len)
{
	struct nscall_one o = { fn, arg };
	struct nscall_job j = { &netns_fd, 1, nscall_one_fn, &o };
	int done;

	return nscall_run(&j, max, text, len, &done);
}

int nscall_each(const int *fds, int n, nscall_each_fn each, const void *arg,
		size_t max, char **text, size_t *len, int *done)
{
	struct nscall_job j = { fds, n, each, arg };

	if (n <= 0)
		return -EINVAL;
	return nscall_run(&j, max, text, len, done);
}
