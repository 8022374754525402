/* btcagent: starting, reading and stopping a bitcoind trial's agents. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "agentcmd.h"
#include "btcagent.h"
#include "cleanup.h"
#include "proc.h"

int btcagent_start(const struct trials_cfg *cfg, int cell, int trial,
		       int s, struct btcagent *a)
{
	char buf[AGENTCMD_BUFS][64], *argv[AGENTCMD_ARGS];
	int pfd[2];

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	agentcmd_argv(cfg, cell, trial, s, argv, buf);
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	a->pid = proc_spawn(cfg->w->cells[cell].side[s].host->fd, argv, pfd[1],
			    cfg->log_fd);
	close(pfd[1]);
	if (a->pid < 0) {
		close(pfd[0]);
		return a->pid;
	}
	cleanup_pid(cfg->w->cu, a->pid);
	a->fd = pfd[0];
	fcntl(a->fd, F_SETFL, O_NONBLOCK); /* both are read after one poll */
	return 0;
}

/* Sorts each complete stdout line into event or final report. */
static void btcagent_lines(struct btcagent *a)
{
	char *nl;

	while ((nl = memchr(a->buf, '\n', a->len))) {
		json_t *j;
		const char *ev;

		*nl = '\0';
		j = json_loads(a->buf, 0, NULL);
		ev = json_string_value(json_object_get(j, "event"));
		if (j && ev && !strcmp(ev, "punched"))
			a->punched = j;
		else if (j && ev && !strcmp(ev, "spliced"))
			a->spliced = j;
		else if (j && !ev)
			a->report = j;
		else
			json_decref(j);
		a->len -= (size_t)(nl + 1 - a->buf);
		memmove(a->buf, nl + 1, a->len);
	}
}

/* Reads whatever the agents wrote, for up to ms. */
void btcagent_pump(struct btcagent *ag, int ms)
{
	struct pollfd pfd[2];
	int n = 0;

	for (int i = 0; i < 2; i++)
		if (ag[i].fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = ag[i].fd,
						    .events = POLLIN };
	if (!n || poll(pfd, n, ms) <= 0)
		return;
	for (int i = 0; i < 2; i++) {
		ssize_t r;

		if (ag[i].fd < 0)
			continue;
		r = read(ag[i].fd, ag[i].buf + ag[i].len,
			 sizeof(ag[i].buf) - 1 - ag[i].len);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			close(ag[i].fd);
			ag[i].fd = -1;
			continue;
		}
		if (r > 0) {
			ag[i].len += (size_t)r;
			btcagent_lines(&ag[i]);
		}
	}
}

void btcagent_finish(const struct trials_cfg *cfg, struct btcagent *ag)
{
	for (int i = 0; i < 2; i++)
		if (ag[i].pid > 0)
			kill(ag[i].pid, SIGTERM);
	for (int i = 0; i < 50 && (ag[0].fd >= 0 || ag[1].fd >= 0); i++)
		btcagent_pump(ag, 100);
	for (int i = 0; i < 2; i++) {
		if (ag[i].pid > 0) {
			proc_stop(ag[i].pid, 1000);
			cleanup_reaped(cfg->w->cu, ag[i].pid);
		}
		if (ag[i].fd >= 0)
			close(ag[i].fd);
		ag[i].pid = -1; /* reaped: never signal that pid again */
		ag[i].fd = -1;
	}
}
