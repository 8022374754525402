/* advcell: an adversary cell's coordinator, punch-adversary, victim
 * counters and listener, and each trial's secrets. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "advcell.h"
#include "advcmd.h"
#include "advvictim.h"
#include "agentcmd.h"
#include "cleanup.h"
#include "daemons.h"
#include "proc.h"
#include "rundir.h"
#include "scenario_adversary.h"

#define ADV_SECRET_BYTES 32
#define ADV_STOP_MS 1000
/* punch-adversary's hard bound: every trial's timeout and the harness's
 * hang grace, plus a minute; a day at most. */
#define ADV_TRIAL_BOUND_MS 30000
#define ADV_DURATION_MAX_MS 86400000LL

struct advcell {
	int open;
	pid_t coord, adversary, sink; /* -1: none */
	int count_ns;		      /* plan namespace counting, -1 none */
};

struct advcells {
	const struct trials_cfg *cfg;
	struct advcell *c;
	unsigned char *loaded; /* per plan namespace: counters loaded */
	int busy;	       /* the adversary cell being played, -1 */
	char bindir[PATH_MAX];
	struct daemons_env env;
	char events[PATH_MAX]; /* advcell_events' answer */
};

struct advcells *advcell_new(const struct trials_cfg *cfg)
{
	struct advcells *a = calloc(1, sizeof(*a));
	const struct scenario *s = cfg->s;
	char *slash;

	if (!a)
		return NULL;
	a->cfg = cfg;
	a->c = calloc(s->ncells ? s->ncells : 1, sizeof(*a->c));
	a->loaded = calloc(cfg->w->plan->nns, 1);
	if (!a->c || !a->loaded) {
		advcell_free(a);
		errno = ENOMEM;
		return NULL;
	}
	a->busy = -1;
	/* punch-adversary and punch-coordinator lie next to punch-agent */
	snprintf(a->bindir, sizeof(a->bindir), "%s", cfg->agent_path);
	slash = strrchr(a->bindir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(a->bindir, ".");
	a->env = (struct daemons_env){ .bindir = a->bindir,
				       .dir = cfg->run_dir,
				       .stop = cfg->stop,
				       .realtime = s->realtime };
	for (int i = 0; i < s->ncells; i++) {
		a->c[i].coord = a->c[i].adversary = a->c[i].sink = -1;
		a->c[i].count_ns = -1;
	}
	return a;
}

/* The command line of a cell's process, one line in the run folder's
 * adversary.cmdlines: what ran, to rerun it by hand and for the tests. */
static void note_argv(const struct advcells *a, int cell, char **argv)
{
	int fd = rundir_open(a->cfg->run_dir, "adversary.cmdlines", O_APPEND);
	FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;

	if (!f) {
		if (fd >= 0)
			close(fd);
		return;
	}
	fprintf(f, "cell %d:", cell);
	for (int i = 0; argv[i]; i++)
		fprintf(f, " %s", argv[i]);
	fputc('\n', f);
	fclose(f);
}

static void stop_one(struct advcells *a, pid_t *pid)
{
	if (*pid <= 0)
		return;
	proc_stop(*pid, ADV_STOP_MS);
	cleanup_reaped(a->cfg->w->cu, *pid);
	*pid = -1;
}

void advcell_cell_done(struct advcells *a, int cell)
{
	struct advcell *c = &a->c[cell];

	/* the adversary first: it reads the coordinator's tap to its end */
	stop_one(a, &c->adversary);
	stop_one(a, &c->coord);
	stop_one(a, &c->sink);
	c->open = 0;
	if (a->busy == cell)
		a->busy = -1;
}

void advcell_free(struct advcells *a)
{
	if (!a)
		return;
	for (int i = 0; a->c && i < a->cfg->s->ncells; i++)
		if (a->c[i].open || a->c[i].coord > 0 || a->c[i].adversary > 0)
			advcell_cell_done(a, i);
	free(a->c);
	free(a->loaded);
	free(a);
}

int advcell_may_start(const struct advcells *a, int cell, int inflight)
{
	if (!a || a->cfg->s->cells[cell].adv.attack == CELL_ATTACK_NONE)
		return 1;
	return inflight == 0 && (a->busy < 0 || a->busy == cell);
}

/* The file name of cell's events in the run folder. */
static void events_name(int cell, char *buf, size_t cap)
{
	snprintf(buf, cap, "adv-%d.jsonl", cell);
}

const char *advcell_events(struct advcells *a, int cell)
{
	char name[32];

	if (!a || a->cfg->s->cells[cell].adv.attack == CELL_ATTACK_NONE)
		return "";
	events_name(cell, name, sizeof(name));
	snprintf(a->events, sizeof(a->events), "%s/%s", a->cfg->run_dir, name);
	return a->events;
}

/* The cell's honest coordinator on charlie (section 3); tap_fd >= 0:
 * inject's pipe end it writes its pairings to. */
static pid_t start_coordinator(struct advcells *a, int cell, int tap_fd)
{
	const struct cell_adv *adv = &a->cfg->s->cells[cell].adv;
	char listen[64], maxc[16], tap[16], name[32];
	char *argv[20];
	int n = 0;

	snprintf(listen, sizeof(listen), "%s:%d", PLAN_COORD_ADDR,
		 advcmd_port(cell));
	argv[n++] = "punch-coordinator";
	argv[n++] = "--listen";
	argv[n++] = listen;
	argv[n++] = "--run-id";
	argv[n++] = (char *)a->cfg->w->rid;
	if (adv->max_clients != CELL_MAX_CLIENTS_DEFAULT) {
		snprintf(maxc, sizeof(maxc), "%d", adv->max_clients);
		argv[n++] = "--max-clients";
		argv[n++] = maxc;
	}
	if (adv->coord_limits) {
		argv[n++] = "--per-addr-limit";
		argv[n++] = "16";
		argv[n++] = "--key-owner";
		argv[n++] = "--log-rate";
		argv[n++] = "20";
	}
	if (tap_fd >= 0) {
		snprintf(tap, sizeof(tap), "%d", tap_fd);
		argv[n++] = "--tap-fd";
		argv[n++] = tap;
	}
	if (a->env.realtime)
		argv[n++] = "--realtime";
	argv[n] = NULL;
	snprintf(name, sizeof(name), "coordinator-%d", cell);
	note_argv(a, cell, argv);
	return daemons_start(a->cfg->w, a->cfg->w->charlie->fd, &a->env, name,
			     argv, "listening");
}

/* Trials of cell this run plays: all, or the one of --trial. */
static int cell_trials(const struct trials_cfg *cfg, int *first)
{
	*first = cfg->only_trial >= 0 ? cfg->only_trial : 0;
	return cfg->only_trial >= 0 ? 1 : cfg->s->trials;
}

/* The role options of the table in section 3, into argv (strings in
 * buf); returns how many. */
static int adversary_role(struct advcells *a, int cell, int tap_fd,
			  char **argv, char (*buf)[64])
{
	const struct trials_cfg *cfg = a->cfg;
	const struct cell_adv *adv = &cfg->s->cells[cell].adv;
	int n = 0, first, count = cell_trials(cfg, &first);

	argv[n++] = "--role";
	argv[n++] = (char *)scenario_adv_attacks[adv->attack];
	snprintf(buf[0], 64, "%s:%d", PLAN_MALLORY_ADDR, advcmd_port(cell));
	snprintf(buf[1], 64, "%s:%d", PLAN_COORD_ADDR, advcmd_port(cell));
	switch (adv->attack) {
	case CELL_ATTACK_REDIRECT:
		advvictim_endpoint(cfg->w, cfg->s, cell, buf[2], 64);
		argv[n++] = "--victim";
		argv[n++] = buf[2];
		/* fall through */
	case CELL_ATTACK_IMPERSONATE:
	case CELL_ATTACK_WITHHOLD:
		argv[n++] = "--listen";
		argv[n++] = buf[0];
		break;
	case CELL_ATTACK_DELAY:
		snprintf(buf[2], 64, "%lu", (unsigned long)adv->attack_delay_ms);
		argv[n++] = "--listen";
		argv[n++] = buf[0];
		argv[n++] = "--delay-ms";
		argv[n++] = buf[2];
		break;
	case CELL_ATTACK_HIJACK:
		snprintf(buf[2], 64, "%llu:%d", agentcmd_key(cell, first),
			 count);
		argv[n++] = "--target";
		argv[n++] = buf[1];
		argv[n++] = "--keys";
		argv[n++] = buf[2];
		break;
	case CELL_ATTACK_INJECT:
		snprintf(buf[2], 64, "%d", tap_fd);
		snprintf(buf[3], 64, "%d", adv->inject_offset_ms);
		argv[n++] = "--tap-fd";
		argv[n++] = buf[2];
		argv[n++] = "--inject";
		argv[n++] = (char *)scenario_adv_injects[adv->inject];
		argv[n++] = "--offset-ms";
		argv[n++] = buf[3];
		break;
	default: /* flood */
		snprintf(buf[2], 64, "%d", adv->flood_count);
		argv[n++] = "--target";
		argv[n++] = buf[1];
		argv[n++] = "--flood";
		argv[n++] = (char *)scenario_adv_floods[adv->flood];
		argv[n++] = "--count";
		argv[n++] = buf[2];
		/* pairs: one round is over in a second; the cell's trials
		 * need the flood while they run */
		if (adv->flood == CELL_FLOOD_PAIRS)
			argv[n++] = "--repeat";
	}
	return n;
}

/* punch-adversary in mallory, ready once its events file says so. */
static pid_t start_adversary(struct advcells *a, int cell, int tap_fd)
{
	const struct trials_cfg *cfg = a->cfg;
	char buf[6][64], name[32], events[32];
	char *argv[32];
	int n = 0, first, count = cell_trials(cfg, &first);
	long long bound = (long long)count *
				  (cfg->s->timeout_ms + ADV_TRIAL_BOUND_MS +
				   advcmd_wait_ms(&cfg->s->cells[cell].adv)) +
			  60000;

	argv[n++] = "punch-adversary";
	n += adversary_role(a, cell, tap_fd, argv + n, buf);
	snprintf(buf[4], 64, "%lld",
		 bound < ADV_DURATION_MAX_MS ? bound : ADV_DURATION_MAX_MS);
	argv[n++] = "--run-id";
	argv[n++] = (char *)cfg->w->rid;
	argv[n++] = "--events";
	argv[n++] = (char *)advcell_events(a, cell);
	argv[n++] = "--duration-ms";
	argv[n++] = buf[4];
	argv[n] = NULL;
	/* a file from an earlier start must not look ready */
	unlink(advcell_events(a, cell));
	snprintf(name, sizeof(name), "adversary-%d", cell);
	events_name(cell, events, sizeof(events));
	note_argv(a, cell, argv);
	return daemons_start_events(cfg->w, cfg->w->hosts[cfg->w->plan->mallory].fd,
				    &a->env, name, argv, events, "ready");
}

/* inject: a pipe from the coordinator to punch-adversary. Each end is
 * inheritable only while its own process is spawned, so neither the
 * other daemon nor any agent holds it: the adversary sees EOF when the
 * coordinator goes. */
static int inheritable(int fd, int on)
{
	return fcntl(fd, F_SETFD, on ? 0 : FD_CLOEXEC);
}

static int open_processes(struct advcells *a, int cell)
{
	struct advcell *c = &a->c[cell];
	int tap[2] = { -1, -1 }, e = 0;
	int inject = a->cfg->s->cells[cell].adv.attack == CELL_ATTACK_INJECT;

	if (inject && (pipe2(tap, O_CLOEXEC) < 0 || inheritable(tap[1], 1) < 0))
		e = -errno;
	if (e == 0 && (c->coord = start_coordinator(a, cell, tap[1])) < 0)
		e = c->coord;
	if (tap[1] >= 0)
		close(tap[1]);
	if (e == 0 && inject && inheritable(tap[0], 1) < 0)
		e = -errno;
	if (e == 0 && (c->adversary = start_adversary(a, cell, tap[0])) < 0)
		e = c->adversary;
	if (tap[0] >= 0)
		close(tap[0]);
	return e;
}

/* The cell's processes, its counting table and (wan-listen) listener. */
static int open_cell(struct advcells *a, int cell)
{
	const struct cell_adv *adv = &a->cfg->s->cells[cell].adv;
	struct advcell *c = &a->c[cell];
	char endpoint[64];
	int e;

	c->open = 1;
	a->busy = cell;
	e = open_processes(a, cell);
	if (e == 0 && adv->attack == CELL_ATTACK_REDIRECT) {
		c->count_ns = advvictim_endpoint(a->cfg->w, a->cfg->s, cell,
						 endpoint, sizeof(endpoint));
		e = advvictim_table(a->cfg->w, c->count_ns, endpoint,
				    a->loaded);
	}
	if (e == 0 && adv->attack == CELL_ATTACK_REDIRECT &&
	    adv->victim == CELL_VICTIM_WAN_LISTEN &&
	    (c->sink = advvictim_listener(a->cfg->w)) < 0)
		e = c->sink;
	if (e < 0) {
		fprintf(stderr,
			"punchlab run: adversary cell %s (%s) did not come up: "
			"%s\n",
			a->cfg->s->cells[cell].name,
			scenario_adv_attacks[adv->attack], strerror(-e));
		advcell_cell_done(a, cell);
	}
	return e;
}

/* peer_auth = secret: one fresh secret, a 0600 file per agent. */
static int write_secrets(const struct trials_cfg *cfg, struct running *r)
{
	unsigned char key[ADV_SECRET_BYTES];
	char file[64];
	int e = 0;

	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
		return -EIO;
	for (int s = 0; s < 2 && e == 0; s++) {
		int fd;

		snprintf(file, sizeof(file), "auth-c%d-t%d-%c.key", r->cell,
			 r->trial, s ? 'b' : 'a');
		snprintf(r->adv.auth[s], sizeof(r->adv.auth[s]), "%s/%s",
			 cfg->run_dir, file);
		unlink(r->adv.auth[s]);
		fd = open(r->adv.auth[s],
			  O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || proc_write_all(fd, key, sizeof(key)) < 0)
			e = -errno;
		if (fd >= 0)
			close(fd);
	}
	explicit_bzero(key, sizeof(key));
	for (int s = 0; s < 2 && e < 0; s++)
		if (r->adv.auth[s][0])
			unlink(r->adv.auth[s]);
	return e;
}

int advcell_trial_begin(struct advcells *a, struct running *r)
{
	const struct cell_adv *adv = &a->cfg->s->cells[r->cell].adv;
	struct advcell *c = &a->c[r->cell];
	int e = 0;

	if (adv->attack != CELL_ATTACK_NONE && !c->open &&
	    (e = open_cell(a, r->cell)) < 0)
		return e;
	/* A trial without its attacker would be recorded as attacked. */
	if (c->open && (proc_zombie(c->adversary) ||
			!proc_starttime(c->adversary))) {
		fprintf(stderr,
			"punchlab run: punch-adversary of cell %s exited before "
			"trial %d (see %s/adversary-%d.log)\n",
			a->cfg->s->cells[r->cell].name, r->trial,
			a->cfg->run_dir, r->cell);
		return -ECHILD;
	}
	if (adv->peer_auth && (e = write_secrets(a->cfg, r)) < 0) {
		fprintf(stderr, "punchlab run: secret files in %s: %s\n",
			a->cfg->run_dir, strerror(-e));
		return e;
	}
	if (adv->peer_auth && adv->start_jitter_ms > 0)
		snprintf(r->adv.jitter, sizeof(r->adv.jitter), "%d",
			 adv->start_jitter_ms);
	if (c->count_ns >= 0)
		r->adv.counted = advvictim_read(a->cfg->w, c->count_ns,
						&r->adv.syn0,
						&r->adv.bytes0) == 0;
	return 0;
}

void advcell_trial_end(struct advcells *a, struct running *r)
{
	struct advcell *c = &a->c[r->cell];

	if (r->adv.counted && c->count_ns >= 0)
		r->adv.counted = advvictim_read(a->cfg->w, c->count_ns,
						&r->adv.syn1,
						&r->adv.bytes1) == 0;
	for (int s = 0; s < 2; s++)
		if (r->adv.auth[s][0])
			unlink(r->adv.auth[s]);
}
