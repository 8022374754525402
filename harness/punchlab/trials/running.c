/* running: starting, reading and stopping a trial's agents. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "advcmd.h"
#include "agentcmd.h"
#include "cleanup.h"
#include "modes.h"
#include "monoclock.h"
#include "proc.h"
#include "running.h"

void running_init(struct running *r, int cell, int trial,
		  int64_t hard_deadline_ns)
{
	r->cell = cell;
	r->trial = trial;
	r->second_pending = 0;
	r->relayed = 0;
	r->nbg = 0;
	r->hard_deadline_ns = hard_deadline_ns;
	puncher_tokens(&r->px);
	for (int s = 0; s < 2; s++) {
		r->sd[s].pid = -1;
		r->sd[s].fd = -1;
		r->sd[s].in_fd = -1;
		r->sd[s].len = 0;
		r->sd[s].status = 0;
		r->sd[s].t_spawn_ns = r->sd[s].t_end_ns = 0;
	}
	memset(&r->adv, 0, sizeof(r->adv));
	memset(&r->lad, 0, sizeof(r->lad));
	r->lad.step = -1;
}

void running_close_in(struct side *sd)
{
	if (sd->in_fd >= 0)
		close(sd->in_fd);
	sd->in_fd = -1;
}

int running_start(const struct trials_cfg *cfg, struct running *r, int s)
{
	return running_start_at(cfg, r, s, NULL);
}

int running_start_at(const struct trials_cfg *cfg, struct running *r, int s,
		     const char *coordinator)
{
	char buf[AGENTCMD_BUFS][64], *argv[AGENTCMD_ARGS];
	int n = agentcmd_argv(cfg, r->cell, r->trial, s, argv, buf);

	for (int i = 0; coordinator && i + 1 < n; i++)
		if (!strcmp(argv[i], "--coordinator"))
			argv[i + 1] = (char *)coordinator;

	n += advcmd_argv(cfg, r->cell, &r->adv, s, argv + n);
	argv[n + puncher_argv(cfg, r->cell, r->trial, s, &r->px, argv + n)] =
		NULL;
	return running_spawn(cfg, r, s, argv,
			     trial_mode(cfg->s->mode)->side_channel);
}

int running_spawn(const struct trials_cfg *cfg, struct running *r, int s,
		  char **argv, int with_in)
{
	const struct world_side *ws = &cfg->w->cells[r->cell].side[s];
	int pfd[2], ifd[2] = { -1, -1 };
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	if (with_in && pipe2(ifd, O_CLOEXEC) < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	pid = proc_spawn_in(ws->host->fd, argv, ifd[0], pfd[1], cfg->log_fd);
	close(pfd[1]);
	if (ifd[0] >= 0)
		close(ifd[0]);
	if (pid < 0) {
		close(pfd[0]);
		if (ifd[1] >= 0)
			close(ifd[1]);
		return pid;
	}
	r->sd[s].in_fd = ifd[1];
	r->sd[s].t_spawn_ns = mono_ns();
	cleanup_pid(cfg->w->cu, pid);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	r->sd[s].pid = pid;
	r->sd[s].fd = pfd[0];
	r->sd[s].len = 0;
	return 0;
}

int running_start_background(const struct trials_cfg *cfg, struct running *r)
{
	char buf[AGENTCMD_BUFS][64], *argv[AGENTCMD_ARGS];

	for (int s = 0; s < 2; s++) {
		const struct plan_side *ps = cfg->w->cells[r->cell].side[s].p;

		for (int h = 0; h < ps->nextra; h++) {
			pid_t pid;

			agentcmd_background_argv(cfg, r->cell, r->trial, s, h,
						 argv, buf);
			/* Its report says only that nobody came: drop it. */
			pid = proc_spawn(cfg->w->hosts[ps->extra[h]].fd, argv,
					 -1, cfg->log_fd);
			if (pid < 0)
				return pid;
			cleanup_pid(cfg->w->cu, pid);
			r->bg[r->nbg++] = pid;
		}
	}
	return 0;
}

void running_stop_background(const struct trials_cfg *cfg, struct running *r)
{
	for (int i = 0; i < r->nbg; i++) {
		proc_stop(r->bg[i], 500);
		cleanup_reaped(cfg->w->cu, r->bg[i]);
	}
	r->nbg = 0;
}

static void side_reap(const struct trials_cfg *cfg, struct side *sd)
{
	sd->t_end_ns = mono_ns();
	close(sd->fd);
	sd->fd = -1;
	while (waitpid(sd->pid, &sd->status, 0) < 0 && errno == EINTR)
		;
	cleanup_reaped(cfg->w->cu, sd->pid);
}

void running_read(const struct trials_cfg *cfg, struct side *sd)
{
	ssize_t n;

	for (;;) {
		if (sd->len >= RUNNING_OUT_MAX - 1) {
			char sink[4096];

			n = read(sd->fd, sink, sizeof(sink));
		} else {
			n = read(sd->fd, sd->buf + sd->len,
				 RUNNING_OUT_MAX - 1 - sd->len);
			if (n > 0)
				sd->len += (size_t)n;
		}
		if (n > 0)
			continue;
		if (n == 0)
			side_reap(cfg, sd);
		return; /* EAGAIN or error: wait for poll */
	}
}

int running_alive(const struct running *r)
{
	return r->sd[0].fd >= 0 || r->sd[1].fd >= 0;
}

void running_stop_side(const struct trials_cfg *cfg, struct side *sd)
{
	running_close_in(sd);
	if (sd->fd < 0)
		return;
	proc_stop(sd->pid, 500);
	cleanup_reaped(cfg->w->cu, sd->pid);
	close(sd->fd);
	sd->fd = -1;
	sd->t_end_ns = mono_ns();
}

void running_kill(const struct trials_cfg *cfg, struct running *run, int n)
{
	for (int i = 0; i < n; i++) {
		running_stop_background(cfg, &run[i]);
		for (int s = 0; s < 2; s++)
			running_stop_side(cfg, &run[i].sd[s]);
	}
}

int running_board(const struct trials_cfg *cfg, int cell,
		  struct shapeboard_stats *out)
{
	unsigned q[WORLD_CELL_QUEUES];
	int n = cfg->board ? world_cell_queues(cfg->w, cell, q) : 0;

	shapeboard_stats_sum(cfg->board, q, n, out);
	return n > 0;
}
