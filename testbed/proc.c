/* proc: fork + setns + exec, with exec failures reported back through a
 * close-on-exec pipe so the caller knows the program really started. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

static void proc_child(int netns_fd, char *const argv[], int in_fd,
		       int out_fd, int err_fd, int report_fd, pid_t parent,
		       int keep)
{
	int e, nul;

	if (!keep &&
	    (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent))
		goto fail;
	if (keep)
		setsid(); /* outlives us: not in our session either */
	/* Undo the parent's blocked signals and handlers for the new program. */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET) < 0)
		goto fail;
	nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nul < 0)
		goto fail;
	if (dup2(in_fd >= 0 ? in_fd : nul, 0) < 0 ||
	    dup2(out_fd >= 0 ? out_fd : nul, 1) < 0 ||
	    dup2(err_fd >= 0 ? err_fd : nul, 2) < 0)
		goto fail;
	execv(argv[0], argv);
fail:
	e = errno;
	if (write(report_fd, &e, sizeof(e)) < 0) {
		/* nothing more to tell */
	}
	_exit(127);
}

static pid_t proc_spawn_any(int netns_fd, char *const argv[], int in_fd,
			    int out_fd, int err_fd, int keep)
{
	pid_t parent = getpid(), pid;
	int pfd[2], e = 0;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(pfd[0]);
		close(pfd[1]);
		return -e;
	}
	if (pid == 0) {
		close(pfd[0]);
		proc_child(netns_fd, argv, in_fd, out_fd, err_fd, pfd[1],
			   parent, keep);
	}
	close(pfd[1]);
	do
		n = read(pfd[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n == (ssize_t)sizeof(e)) {
		waitpid(pid, NULL, 0);
		return -e;
	}
	return pid;
}

pid_t proc_spawn(int netns_fd, char *const argv[], int out_fd, int err_fd)
{
	return proc_spawn_any(netns_fd, argv, -1, out_fd, err_fd, 0);
}

pid_t proc_spawn_in(int netns_fd, char *const argv[], int in_fd, int out_fd,
		    int err_fd)
{
	return proc_spawn_any(netns_fd, argv, in_fd, out_fd, err_fd, 0);
}

pid_t proc_spawn_kept(int netns_fd, char *const argv[], int out_fd,
		      int err_fd)
{
	return proc_spawn_any(netns_fd, argv, -1, out_fd, err_fd, 1);
}

int proc_stop(pid_t pid, int grace_ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int status, waited = 0;
	pid_t r;

	if (kill(pid, SIGTERM) < 0 && errno != ESRCH)
		return -errno;
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (waited >= grace_ms)
			break;
		nanosleep(&ts, NULL);
		waited += 10;
	}
	kill(pid, SIGKILL);
	while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	return r == pid ? status : -errno;
}

unsigned long long proc_starttime(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long st = 0;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields restart after the
	 * last ')'; field 3 (state) follows it. */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	p++;
	for (field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (p && sscanf(p, " %llu", &st) != 1)
		st = 0;
	return st;
}

int proc_zombie(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'Z';
}

int proc_kill_checked(pid_t pid, unsigned long long starttime, int sig)
{
	if (pid <= 1 || !starttime || proc_starttime(pid) != starttime)
		return -ESRCH;
	return kill(pid, sig) < 0 ? -errno : 0;
}

int proc_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t w;

	while (len) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}
