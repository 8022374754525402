/* proc: fork + setns + exec, with exec failures reported back through a
 * close-on-exec pipe so the caller knows the program really started. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

/* The run's mount namespace (-1 = none): one per run, made once by
 * proc_set_hosts, entered by every child. unshare(CLONE_NEWNS) per child
 * copied the host's whole mount table, one nsfs mount per network
 * namespace of every run on the machine: ~30 ms a child with 4,000 of
 * them here, the bound on how fast a run started its agents, and a cost
 * each run put on the others. setns() into one made earlier copies
 * nothing. */
static int proc_mntns = -1;

/* In a fresh child: a mount namespace of our own, a slave of the host's
 * (host mounts and unmounts, such as another run's /run/netns entries
 * going, still reach it; nothing of ours goes back, since systemd and
 * iproute2 make / and /run/netns shared), path over /etc/hosts. */
static int proc_make_mntns(const char *path)
{
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	    mount(path, "/etc/hosts", NULL, MS_BIND, NULL) < 0)
		return -errno;
	return 0;
}

int proc_set_hosts(const char *path)
{
	int up[2], down[2], e = 0, fd = -1;
	char ns[64];
	pid_t pid;

	if (proc_mntns >= 0)
		close(proc_mntns);
	proc_mntns = -1;
	if (!path || !path[0])
		return 0;
	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	if (pipe2(up, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(down, O_CLOEXEC) < 0) {
		e = -errno;
		goto out_up;
	}
	pid = fork();
	if (pid < 0) {
		e = -errno;
		goto out_down;
	}
	if (pid == 0) { /* made, reported, held until the parent has it */
		char c;

		close(down[1]); /* so the parent's close is our EOF */
		e = proc_make_mntns(path);
		if (write(up[1], &e, sizeof(e)) == (ssize_t)sizeof(e))
			while (read(down[0], &c, 1) < 0 && errno == EINTR)
				;
		_exit(0);
	}
	close(up[1]);
	up[1] = -1;
	if (read(up[0], &e, sizeof(e)) != (ssize_t)sizeof(e))
		e = -EPIPE;
	if (e == 0) {
		snprintf(ns, sizeof(ns), "/proc/%d/ns/mnt", (int)pid);
		fd = open(ns, O_RDONLY | O_CLOEXEC);
		e = fd < 0 ? -errno : 0;
	}
	close(down[1]);
	down[1] = -1;
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	proc_mntns = fd;
out_down:
	if (down[1] >= 0)
		close(down[1]);
	close(down[0]);
out_up:
	if (up[1] >= 0)
		close(up[1]);
	close(up[0]);
	return e;
}

int proc_enter_hosts(void)
{
	int cwd, e = 0;

	if (proc_mntns < 0)
		return 0;
	/* setns into a mount namespace moves cwd to its root; relative
	 * program paths (build/bin/...) resolve from where we were. */
	cwd = open(".", O_PATH | O_CLOEXEC);
	if (setns(proc_mntns, CLONE_NEWNS) < 0 ||
	    (cwd >= 0 && fchdir(cwd) < 0))
		e = -1;
	if (cwd >= 0)
		close(cwd);
	return e;
}

/* In a fresh child: dies with parent (unless keep), the parent's
 * blocked signals and handlers undone, in netns_fd and the run's mount
 * namespace. 0 or -1 with errno. */
static int proc_child_enter(int netns_fd, pid_t parent, int keep)
{
	sigset_t none;

	if (!keep &&
	    (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent))
		return -1;
	if (keep)
		setsid(); /* outlives us: not in our session either */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET) < 0)
		return -1;
	if (netns_fd >= 0 && proc_enter_hosts() < 0)
		return -1;
	return 0;
}

static void proc_child(int netns_fd, char *const argv[], int in_fd,
		       int out_fd, int err_fd, int report_fd, pid_t parent,
		       int keep)
{
	int e, nul;

	if (proc_child_enter(netns_fd, parent, keep) < 0)
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

/* What a child of proc_fork runs (it never returns); report_fd: where
 * it writes an errno on failure (0: ready), closed on exec meaning ready
 * too. */
struct proc_body {
	void (*fn)(const struct proc_body *b, int report_fd, pid_t parent);
	int netns_fd, in_fd, out_fd, err_fd, keep;
	char *const *argv;
	int (*setup)(void *arg);
	void (*run)(void *arg);
	void *arg;
};

/* Forks b's child and waits for its report: its pid once it is ready
 * (exec'd, or a 0 written), -errno of the step that failed. */
static pid_t proc_fork(const struct proc_body *b)
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
		b->fn(b, pfd[1], parent);
		_exit(127);
	}
	close(pfd[1]);
	do
		n = read(pfd[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n == (ssize_t)sizeof(e) && e) {
		waitpid(pid, NULL, 0);
		return -e;
	}
	return pid;
}

static void proc_exec_body(const struct proc_body *b, int report_fd,
			   pid_t parent)
{
	proc_child(b->netns_fd, b->argv, b->in_fd, b->out_fd, b->err_fd,
		   report_fd, parent, b->keep);
}

static pid_t proc_spawn_any(int netns_fd, char *const argv[], int in_fd,
			    int out_fd, int err_fd, int keep)
{
	struct proc_body b = { .fn = proc_exec_body, .netns_fd = netns_fd,
			       .in_fd = in_fd, .out_fd = out_fd,
			       .err_fd = err_fd, .keep = keep, .argv = argv };

	return proc_fork(&b);
}

static void proc_fn_body(const struct proc_body *b, int report_fd,
			 pid_t parent)
{
	int e;

	if (proc_child_enter(b->netns_fd, parent, 0) < 0)
		e = errno ? errno : EIO;
	else
		e = b->setup(b->arg);
	if (write(report_fd, &e, sizeof(e)) != (ssize_t)sizeof(e) || e)
		_exit(127);
	close(report_fd);
	b->run(b->arg);
}

pid_t proc_fork_in(int netns_fd, int (*setup)(void *arg),
		   void (*run)(void *arg), void *arg)
{
	struct proc_body b = { .fn = proc_fn_body, .netns_fd = netns_fd,
			       .setup = setup, .run = run, .arg = arg };

	return proc_fork(&b);
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

static long long proc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* pidfd of the recorded process, -ESRCH when it is gone or its pid now
 * belongs to another process, -ENOSYS on kernels before 5.3. The start
 * time is compared after the pidfd is open: from then on the fd names
 * that one process, whatever happens to the number. */
static int proc_pidfd(pid_t pid, unsigned long long starttime)
{
	int fd;

	if (pid <= 1)
		return -ESRCH;
	fd = pidfd_open(pid, 0);
	if (fd < 0)
		return -errno;
	if (starttime && proc_starttime(pid) != starttime) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

static int proc_signal(const struct proc_stop *p, int fd, int sig)
{
	siginfo_t si = { 0 };

	if (fd >= 0)
		return pidfd_send_signal(fd, sig, NULL, 0) < 0 ? -errno : 0;
	/* No pidfd. Our own unreaped child cannot have lost its pid to
	 * another process; anything else needs its start time checked. */
	if (!p->starttime ||
	    waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0)
		return kill(p->pid, sig) < 0 ? -errno : 0;
	return proc_kill_checked(p->pid, p->starttime, sig);
}

/* 1 when the process has exited; reaps it when it is our child. */
static int proc_ended(struct proc_stop *p, int fd, short revents)
{
	int status;
	pid_t r;

	if (fd >= 0 && !(revents & (POLLIN | POLLHUP | POLLERR)))
		return 0;
	do
		r = waitpid(p->pid, &status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == p->pid) {
		p->status = status;
		return 1;
	}
	if (r == 0)
		return 0; /* our child, still running */
	/* Not our child: a readable pidfd means it exited. */
	if (fd >= 0)
		return 1;
	return p->starttime ? proc_starttime(p->pid) != p->starttime ||
				      proc_zombie(p->pid) :
			      kill(p->pid, 0) < 0 && errno == ESRCH;
}

/* Waits until every entry with state[i] set has ended or timeout_ms
 * passed; ended ones get state[i] = 0. Returns how many are left. With
 * pidfds it sleeps in poll() until an exit; for one without, it also
 * looks with a backoff from 1 ms to 32 ms. */
static size_t proc_wait_ended(struct proc_stop *p, int *fds, int *state,
			      struct pollfd *pfd, size_t n, int timeout_ms)
{
	long long deadline = proc_now_ms() + timeout_ms;
	int backoff = 1;

	for (;;) {
		size_t left = 0;
		int blind = 0, wait_ms;

		for (size_t i = 0; i < n; i++) {
			if (state[i] &&
			    proc_ended(&p[i], fds[i], pfd[i].revents))
				state[i] = 0;
			pfd[i].fd = state[i] ? fds[i] : -1;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
			left += state[i] != 0;
			blind |= state[i] && fds[i] < 0;
		}
		wait_ms = (int)(deadline - proc_now_ms());
		if (!left || wait_ms <= 0)
			return left;
		if (blind && wait_ms > backoff) {
			wait_ms = backoff;
			backoff = backoff < 32 ? backoff * 2 : 32;
		}
		if (poll(pfd, n, wait_ms) < 0 && errno != EINTR)
			return left;
	}
}

int proc_stop_all(struct proc_stop *p, size_t n, int grace_ms)
{
	struct pollfd *pfd;
	int *fds, *state, failed = 0;
	size_t left;

	if (!n)
		return 0;
	fds = calloc(n, sizeof(*fds));
	state = calloc(n, sizeof(*state));
	pfd = calloc(n, sizeof(*pfd));
	if (!fds || !state || !pfd) {
		free(fds);
		free(state);
		free(pfd);
		return (int)n;
	}
	/* Signal all first, then wait: one grace period for all of them. */
	for (size_t i = 0; i < n; i++) {
		int e;

		p[i].how = PROC_GONE;
		p[i].status = -1;
		/* Without a pidfd (ENOSYS, EMFILE, ...) it goes on blind:
		 * kill() after the start time check, and a backoff. */
		fds[i] = proc_pidfd(p[i].pid, p[i].starttime);
		if (fds[i] == -ESRCH)
			continue;
		if (proc_zombie(p[i].pid)) {
			state[i] = 1; /* exited already: only to be reaped */
			continue;
		}
		e = proc_signal(&p[i], fds[i], SIGTERM);
		if (e == -ESRCH)
			continue;
		if (e < 0) {
			p[i].how = e;
			failed++;
			continue;
		}
		p[i].how = PROC_TERM;
		state[i] = 1;
	}
	left = proc_wait_ended(p, fds, state, pfd, n, grace_ms);
	for (size_t i = 0; left && i < n; i++) {
		if (!state[i])
			continue;
		p[i].how = PROC_KILLED;
		if (proc_signal(&p[i], fds[i], SIGKILL) == -ESRCH)
			state[i] = 0;
	}
	if (left)
		left = proc_wait_ended(p, fds, state, pfd, n, PROC_KILL_MS);
	for (size_t i = 0; i < n; i++) {
		if (state[i]) {
			p[i].how = PROC_STUCK;
			failed++;
		}
		if (fds[i] >= 0)
			close(fds[i]);
	}
	free(fds);
	free(state);
	free(pfd);
	return failed;
}

int proc_stop(pid_t pid, int grace_ms)
{
	struct proc_stop p = { .pid = pid };
	int status;
	pid_t r;

	/* Only our own children: anything else is -ECHILD, unsignalled. */
	do
		r = waitpid(pid, &status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == pid)
		return status;
	if (r < 0)
		return -errno;
	proc_stop_all(&p, 1, grace_ms);
	if (p.status != -1)
		return p.status;
	return p.how < 0 ? p.how : -ETIMEDOUT;
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
