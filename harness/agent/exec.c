/* exec: running and judging an outside puncher. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmdtmpl.h"
#include "exec.h"
#include "log.h"
#include "loop.h"
#include "monoclock.h"

#define EXEC_TERM_MS 200 /* SIGTERM to SIGKILL */
#define EXEC_SEEN_MAX 8192

/* The placeholders' values for this side. */
static void exec_values(const struct exec_params *p,
			const struct trial_result *r, char (*v)[64])
{
	const struct coord_punch *pu = &r->punch;
	union addr6 a;
	struct timespec rt;
	const void *ip;
	int64_t unix_ms;

	/* {peer_ip} of an IPv6 punch is bracketed ([2001:db8::2]), so that
	 * the templates' {peer_ip}:{peer_port} stays one valid endpoint. */
	for (int k = 0; k < 2; k++) {
		char *out = v[k ? CMDTMPL_PEER_IP : CMDTMPL_PUBLIC_IP];
		char ip6[INET6_ADDRSTRLEN];

		addr6_from_netaddr(&a, k ? &pu->peer : &pu->self);
		addr6_bytes(&a, &ip);
		if (a.sa.sa_family == AF_INET6) {
			inet_ntop(AF_INET6, ip, ip6, sizeof(ip6));
			snprintf(out, 64, "[%s]", ip6);
		} else {
			inet_ntop(AF_INET, ip, out, 64);
		}
		snprintf(v[k ? CMDTMPL_PEER_PORT : CMDTMPL_PUBLIC_PORT], 64,
			 "%u", addr6_port(&a));
	}
	snprintf(v[CMDTMPL_LOCAL_PORT], 64, "%u", p->local_port);
	snprintf(v[CMDTMPL_ROLE], 64, "%s",
		 pu->role == COORD_ROLE_INITIATOR ? "initiator" : "responder");
	snprintf(v[CMDTMPL_NONCE], 64, "%016" PRIx64, pu->nonce);
	clock_gettime(CLOCK_REALTIME, &rt);
	unix_ms = (int64_t)rt.tv_sec * 1000 + rt.tv_nsec / 1000000 +
		  (r->t_start_ns - mono_ns()) / 1000000;
	snprintf(v[CMDTMPL_START_UNIX_MS], 64, "%" PRId64, unix_ms);
	snprintf(v[CMDTMPL_START_MONO_NS], 64, "%" PRId64, r->t_start_ns);
}

/* punch-agent's own folder first on PATH, so that a command can name
 * `punch-agent` whichever build runs. */
static void exec_path(void)
{
	char self[512], path[4096];
	const char *old = getenv("PATH");
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = '\0';
	snprintf(path, sizeof(path), "%s:%s", self,
		 old ? old : "/usr/local/bin:/usr/bin:/bin");
	setenv("PATH", path, 1);
}

/* In the child: never returns. Reports a failed exec on errfd. */
static void exec_child(char **argv, char (*v)[64], const char *name,
		       int in, int out, int err, int errfd)
{
	sigset_t none;
	char env[32];
	int e;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int k = 0; k < CMDTMPL_N; k++) {
		cmdtmpl_env_name((enum cmdtmpl_key)k, env, sizeof(env));
		setenv(env, v[k], 1);
	}
	if (name)
		setenv("PUNCH_NAME", name, 1);
	exec_path();
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || (err >= 0 && dup2(err, 2) < 0))
		goto fail;
	execvp(argv[0], argv);
fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0)
		_exit(126);
	_exit(127);
}

struct exec_proc {
	pid_t pid;
	int in, out, pidfd;
};

/* Forks and execs; 0 once exec succeeded, or -errno (with what). */
static int exec_spawn(char **argv, char (*v)[64], const char *name, int err,
		      struct exec_proc *pr, const char **what)
{
	int in[2], out[2], st[2], e = 0;
	ssize_t n;

	*what = "pipe";
	if (pipe2(in, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(st, O_CLOEXEC) < 0) {
		e = -errno;
		close(in[0]);
		close(in[1]);
		return e;
	}
	*what = "fork";
	pr->pid = fork();
	if (pr->pid == 0)
		exec_child(argv, v, name, in[0], out[1], err, st[1]);
	close(in[0]);
	close(out[1]);
	close(st[1]);
	if (pr->pid < 0)
		e = -errno;
	else
		setpgid(pr->pid, pr->pid); /* either of us may be first */
	*what = argv[0];
	while (!e && (n = read(st[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(st[0]);
	if (e > 0) { /* exec failed: the child has exited */
		waitpid(pr->pid, NULL, 0);
		e = -e;
	}
	if (e) {
		close(in[1]);
		close(out[0]);
		return e;
	}
	pr->in = in[1];
	pr->out = out[0];
	pr->pidfd = pidfd_open(pr->pid, 0);
	fcntl(pr->out, F_SETFL, O_NONBLOCK);
	return 0;
}

/* Its whole group: SIGTERM, a moment, SIGKILL; reaps the leader. */
static void exec_stop(struct exec_proc *pr, struct exec_result *x)
{
	struct pollfd pfd = { .fd = pr->pidfd, .events = POLLIN };

	if (!x->t_exit_ns) {
		kill(-pr->pid, SIGTERM);
		if (pr->pidfd >= 0)
			poll(&pfd, 1, EXEC_TERM_MS);
		x->killed = 1;
	}
	kill(-pr->pid, SIGKILL); /* what the program left in its group */
	if (!x->t_exit_ns)
		while (waitpid(pr->pid, NULL, 0) < 0 && errno == EINTR)
			;
}

/* Appends what stdout gave to seen (keeping its tail), looks for the
 * token. 1 found, 0 not yet, -1 at EOF. */
static int exec_read(int fd, const char *token, char *seen, size_t *len)
{
	size_t tl = strlen(token);
	ssize_t n;

	for (;;) {
		if (*len + 4096 + 1 > EXEC_SEEN_MAX) { /* keep the tail */
			memmove(seen, seen + *len - tl, tl);
			*len = tl;
		}
		n = read(fd, seen + *len, 4096);
		if (n == 0)
			return -1;
		if (n < 0)
			return 0;
		*len += (size_t)n;
		seen[*len] = '\0';
		if (tl && memmem(seen, *len, token, tl))
			return 1;
	}
}

/* Until the deadline: watch stdout for the token, the pidfd for the end.
 * After the token, the program lingers at most EXEC_LINGER_MS. */
static void exec_watch(const struct exec_params *p, struct exec_proc *pr,
		       struct exec_result *x)
{
	static char seen[EXEC_SEEN_MAX + 1];
	size_t len = 0;
	int64_t deadline = p->deadline_ns;
	struct pollfd pfd[2];

	while (!x->t_exit_ns) {
		unsigned n = 0;
		int r;

		if (pr->out >= 0)
			pfd[n++] = (struct pollfd){ .fd = pr->out, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = pr->pidfd, .events = POLLIN };
		r = loop_poll(pfd, n, deadline);
		if (r <= 0)
			return; /* the deadline, or SIGTERM */
		if (pr->out >= 0 && pfd[0].revents) {
			r = exec_read(pr->out, p->conntrack ? "" : p->peer_token,
				      seen, &len);
			if (r == 1 && !x->t_verified_ns) {
				x->t_verified_ns = mono_ns();
				close(pr->in); /* EOF: done, you may go */
				pr->in = -1;
				if (deadline > x->t_verified_ns + EXEC_LINGER_MS * LOOP_NS_PER_MS)
					deadline = x->t_verified_ns +
						   EXEC_LINGER_MS * LOOP_NS_PER_MS;
			}
			if (r < 0) {
				close(pr->out);
				pr->out = -1;
			}
		}
		if (waitpid(pr->pid, &x->status, WNOHANG) != pr->pid)
			continue;
		x->t_exit_ns = mono_ns();
		/* What it wrote just before it ended. */
		if (pr->out >= 0 && !x->t_verified_ns && !p->conntrack &&
		    exec_read(pr->out, p->peer_token, seen, &len) == 1)
			x->t_verified_ns = x->t_exit_ns;
	}
}

static int exec_verdict(const struct exec_params *p, struct exec_result *x,
			struct outcome *o)
{
	if (x->t_verified_ns)
		return 0;
	if (!x->t_exit_ns)
		return outcome_set(o, OUTCOME_TIMEOUT,
				   p->conntrack ? "still running at the deadline"
						: "no peer token by the deadline");
	if (WIFEXITED(x->status))
		return outcome_set(o, OUTCOME_UNVERIFIED,
				   "exited with status %d%s",
				   WEXITSTATUS(x->status),
				   p->conntrack ? "; the routers' conntrack decides"
						: " without the peer's token");
	return outcome_set(o, OUTCOME_UNVERIFIED, "killed by signal %d",
			   WTERMSIG(x->status));
}

int exec_run(const struct exec_params *p, const struct trial_result *r,
	     struct exec_result *x, struct outcome *o)
{
	char v[CMDTMPL_N][64], buf[CMDTMPL_MAX_LEN * 2], line[EXEC_TOKEN_MAX + 2];
	char *argv[CMDTMPL_MAX_ARGS];
	const char *vals[CMDTMPL_N], *what;
	struct exec_proc pr = { .pid = -1, .in = -1, .out = -1, .pidfd = -1 };
	int err = -1, efd = -1, e;

	memset(x, 0, sizeof(*x));
	exec_values(p, r, v);
	for (int k = 0; k < CMDTMPL_N; k++)
		vals[k] = v[k];
	if (cmdtmpl_expand(p->tmpl, vals, buf, sizeof(buf), argv,
			   CMDTMPL_MAX_ARGS) < 0)
		return outcome_set(o, OUTCOME_SETUP, "bad command template");
	if (p->stderr_path) {
		efd = open(p->stderr_path,
			   O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (efd < 0)
			return outcome_errno(o, OUTCOME_SETUP, -errno,
					     p->stderr_path);
	}
	if ((e = loop_sleep_until(r->t_start_ns)) < 0) {
		outcome_errno(o, OUTCOME_TIMEOUT, e, "start");
		goto out;
	}
	x->t_exec_ns = mono_ns();
	if ((e = exec_spawn(argv, v, p->name, efd, &pr, &what)) < 0) {
		outcome_errno(o, OUTCOME_SETUP, e, what);
		goto out;
	}
	x->started = 1;
	if (!p->conntrack) {
		int n = snprintf(line, sizeof(line), "%s\n", p->token);

		if (write(pr.in, line, (size_t)n) != n)
			log_warn("token to the program's stdin");
	} else { /* nothing to say: EOF at once */
		close(pr.in);
		pr.in = -1;
	}
	exec_watch(p, &pr, x);
	exec_stop(&pr, x);
	err = exec_verdict(p, x, o);
out:
	if (pr.in >= 0)
		close(pr.in);
	if (pr.out >= 0)
		close(pr.out);
	if (pr.pidfd >= 0)
		close(pr.pidfd);
	if (efd >= 0)
		close(efd);
	return err;
}
