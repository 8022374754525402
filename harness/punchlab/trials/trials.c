/* trials: the trial scheduler. Each trial is two punch-agent processes
 * (alice and bob of one cell) registering with the coordinator under a
 * key of their own; up to `parallel` trials per cell run at once (one
 * when its queues change per trial: celldraw_parallel), every
 * cell at the same time, so failing trials waiting for their timeout do
 * not serialise the run: as many at once as the machine holds
 * (hostfit_inflight). One poll() over every agent's pipe. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advcell.h"
#include "advcmd.h"
#include "celldraw.h"
#include "coordctl.h"
#include "handoff.h"
#include "hostfit.h"
#include "ladder.h"
#include "log.h"
#include "modes.h"
#include "monoclock.h"
#include "oob.h"
#include "record.h"
#include "running.h"
#include "trialrtt.h"
#include "trials.h"

/* An agent that outlives its own timeout by this much is hung. */
#define HANG_GRACE_MS 30000
#define POLL_MS 200

struct sched {
	const struct trials_cfg *cfg;
	const struct trial_mode *mode;
	struct cell_result *res;
	FILE *jsonl;
	int *next, *inflight; /* per cell: next trial, trials in flight */
	struct running *run;
	struct pollfd *pfd; /* 2 per trial in flight, and the coordinator's */
	int nrun, maxrun;
	unsigned total, done, ok;
	int64_t t0;
	unsigned last_plain; /* trials done at the last plain progress line */
};

static void progress(struct sched *sc, int final)
{
	const struct trials_cfg *cfg = sc->cfg;
	double el = (double)(mono_ns() - sc->t0) / 1e9;
	double rate = el > 0 ? sc->done / el : 0;
	double left = rate > 0 ? (sc->total - sc->done) / rate : 0;

	if (cfg->progress) {
		fprintf(stderr,
			"\r  %s: %u/%u trials, %u ok, %.1f trials/s, ~%.0f s "
			"left   %s",
			cfg->s->name, sc->done, sc->total, sc->ok, rate, left,
			final ? "\n" : "");
	} else if ((final && sc->done != sc->last_plain) ||
		   (!final &&
		    sc->done >= sc->last_plain + (sc->total + 9) / 10)) {
		sc->last_plain = sc->done;
		fprintf(stderr, "  %s: %u/%u trials, %u ok, %.0f s elapsed\n",
			cfg->s->name, sc->done, sc->total, sc->ok, el);
	}
}

/* Which trials of each cell this run does: all, one cell, one trial. */
static int sched_init(struct sched *sc)
{
	const struct trials_cfg *cfg = sc->cfg;
	const struct scenario *s = cfg->s;

	sc->next = calloc(s->ncells, sizeof(int));
	sc->inflight = calloc(s->ncells, sizeof(int));
	sc->maxrun = (int)hostfit_inflight(cfg->w->plan, s);
	if (sc->mode->max_inflight && sc->mode->max_inflight < sc->maxrun)
		sc->maxrun = sc->mode->max_inflight;
	sc->run = calloc(sc->maxrun, sizeof(*sc->run));
	sc->pfd = calloc(2 * (size_t)sc->maxrun + 1, sizeof(*sc->pfd));
	if (!sc->next || !sc->inflight || !sc->run || !sc->pfd)
		return -ENOMEM;
	if (cfg->only_cell < 0 && cfg->only_trial < 0)
		fprintf(stderr, "  %s: up to %d trials in flight\n", s->name,
			sc->maxrun);
	for (int c = 0; c < s->ncells; c++) {
		int want = cfg->only_cell < 0 || cfg->only_cell == c;

		if (!want)
			sc->next[c] = s->trials;
		else if (cfg->only_trial >= 0)
			sc->next[c] = cfg->only_trial;
		if (want)
			sc->total += cfg->only_trial >= 0 ? 1 : s->trials;
	}
	sc->t0 = mono_ns();
	return 0;
}

static void sched_free(struct sched *sc)
{
	free(sc->next);
	free(sc->inflight);
	free(sc->run);
	free(sc->pfd);
}

static int trial_start(struct sched *sc, int c)
{
	const struct trials_cfg *cfg = sc->cfg;
	struct running *r = &sc->run[sc->nrun];
	int e;

	running_init(r, c, sc->next[c]++,
		     mono_ns() + (int64_t)(cfg->s->timeout_ms + HANG_GRACE_MS +
					   advcmd_wait_ms(&cfg->s->cells[c].adv)) *
					 1000000);
	/* The trial's draw goes on the cell's queues before its agents
	 * exist: no packet of theirs meets another trial's conditions. */
	celldraw_trial(cfg->s, c, r->trial, &r->cond);
	if (celldraw_shaper(&cfg->s->cells[c]))
		world_shape_trial(cfg->w, cfg->board, c, &r->cond);
	r->second_pending = sc->mode->wait_held;
	trialrtt_apply(cfg, c, r->trial);
	running_board(cfg, c, &r->board0);
	e = advcell_trial_begin(cfg->adv, r);
	if (e < 0)
		return e;
	e = running_start_background(cfg, r);
	if (e == 0 && ladder_cell(cfg, r)) /* its steps start the agents */
		e = ladder_begin(cfg, r);
	else if (e == 0)
		e = running_start(cfg, r, sc->mode->first);
	if (e == 0 && !r->second_pending && !ladder_cell(cfg, r))
		e = running_start(cfg, r, !sc->mode->first);
	if (e < 0) {
		log_warnx("cannot start agents: %s", strerror(-e));
		running_kill(cfg, r, 1);
		advcell_trial_end(cfg->adv, r); /* its secrets go too */
		return e;
	}
	sc->inflight[c]++;
	sc->nrun++;
	return 0;
}

/* Round-robin over cells so every cell progresses. */
static int fill(struct sched *sc)
{
	const struct scenario *s = sc->cfg->s;
	int limit = sc->cfg->only_trial >= 0 ? sc->cfg->only_trial + 1 :
					       s->trials;
	int started = 1, e;

	while (started && sc->nrun < sc->maxrun) {
		started = 0;
		for (int c = 0; c < s->ncells && sc->nrun < sc->maxrun; c++) {
			if (sc->next[c] >= limit ||
			    sc->inflight[c] >= celldraw_parallel(s, c) ||
			    !advcell_may_start(sc->cfg->adv, c,
					       sc->inflight[c]))
				continue;
			if ((e = trial_start(sc, c)) < 0)
				return e;
			started = 1;
		}
	}
	return 0;
}

/* Waits for any agent's output, or (handoff, advertised) the
 * coordinator's "held". */
static int wait_agents(struct sched *sc)
{
	struct pollfd *pfd = sc->pfd;
	int np = 0;

	for (int i = 0; i < sc->nrun; i++)
		for (int s = 0; s < 2; s++)
			if (sc->run[i].sd[s].fd >= 0)
				pfd[np++] = (struct pollfd){
					.fd = sc->run[i].sd[s].fd,
					.events = POLLIN
				};
	if (sc->cfg->ctl)
		pfd[np++] = (struct pollfd){
			.fd = coordctl_poll_fd(sc->cfg->ctl), .events = POLLIN
		};
	if (poll(pfd, np, POLL_MS) < 0 && errno != EINTR)
		return -errno;
	if (sc->cfg->ctl)
		coordctl_read(sc->cfg->ctl, NULL, NULL);
	return 0;
}

/* 1 when every trial of cell this run plays has started. */
static int cell_finished(const struct sched *sc, int cell)
{
	int limit = sc->cfg->only_trial >= 0 ? sc->cfg->only_trial + 1 :
					       sc->cfg->s->trials;

	return sc->next[cell] >= limit;
}

/* Reads, advances (second side, side channel, hang) and finishes trial i.
 * 1 when it finished and left the slot, 0 when it goes on, -errno. */
static int advance(struct sched *sc, int i)
{
	const struct trials_cfg *cfg = sc->cfg;
	struct running *r = &sc->run[i];
	int e;

	for (int s = 0; s < 2; s++)
		if (r->sd[s].fd >= 0)
			running_read(cfg, &r->sd[s]);
	if (r->second_pending && handoff_first_held(cfg, r)) {
		r->second_pending = 0;
		if ((e = running_start(cfg, r, !sc->mode->first)) < 0)
			return e;
	}
	if (sc->mode->side_channel && !r->relayed)
		oob_relay(r);
	ladder_poll(cfg, r);
	if (running_alive(r) && mono_ns() > r->hard_deadline_ns) {
		log_warnx("trial %d of cell %d hung: stopping its agents",
			  r->trial, r->cell);
		running_kill(cfg, r, 1);
	}
	if (running_alive(r))
		return 0;
	if ((e = ladder_next(cfg, r)) != 0) /* its next step runs */
		return e < 0 ? e : 0;
	running_stop_background(cfg, r);
	advcell_trial_end(cfg->adv, r);
	record_trial(cfg, r, sc->jsonl, &sc->res[r->cell]);
	sc->done++;
	sc->inflight[r->cell]--;
	if (!sc->inflight[r->cell] && cell_finished(sc, r->cell))
		advcell_cell_done(cfg->adv, r->cell);
	sc->run[i] = sc->run[--sc->nrun];
	return 1;
}

static void count_ok(struct sched *sc)
{
	sc->ok = 0;
	for (int c = 0; c < sc->cfg->s->ncells; c++)
		sc->ok += sc->res[c].successes;
}

int trials_run(const struct trials_cfg *given, FILE *jsonl,
	       struct cell_result *res)
{
	struct trials_cfg run = *given;
	const struct trials_cfg *cfg = &run;
	struct sched sc = { .cfg = cfg,
			    .mode = trial_mode(cfg->s->mode),
			    .res = res,
			    .jsonl = jsonl };
	int e = sched_init(&sc);

	/* The adversary cells' processes live as long as their trials. */
	run.adv = advcell_new(cfg);
	if (!run.adv && e == 0)
		e = -errno;

	while (e == 0) {
		if (*cfg->stop) {
			e = -EINTR;
			break;
		}
		if ((e = fill(&sc)) < 0 || sc.nrun == 0)
			break;
		if ((e = wait_agents(&sc)) < 0)
			break;
		for (int i = 0; i < sc.nrun && e >= 0; i++) {
			e = advance(&sc, i);
			if (e == 1) {
				i--; /* the last trial moved into slot i */
				count_ok(&sc);
				progress(&sc, 0);
			}
		}
		e = e < 0 ? e : 0;
	}
	if (e == 0)
		progress(&sc, 1);
	if (sc.run) {
		running_kill(cfg, sc.run, sc.nrun);
		/* trials cut short (error, SIGTERM): their secret files */
		for (int i = 0; run.adv && i < sc.nrun; i++)
			advcell_trial_end(run.adv, &sc.run[i]);
	}
	advcell_free(run.adv);
	sched_free(&sc);
	return e;
}
