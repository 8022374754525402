/* netrun: a network scenario's run, phase after phase on one world. The
 * world's cleanup registry holds every namespace and process, so an
 * error, SIGINT or SIGTERM anywhere leaves nothing behind. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctsnap.h"
#include "hostfit.h"
#include "log.h"
#include "monoclock.h"
#include "netcoord.h"
#include "netnodes.h"
#include "netparts.h"
#include "netrun.h"
#include "punchlab.h"
#include "pyrun.h"
#include "rundir.h"
#include "runid.h"
#include "runinfo.h"

/* T0 is this far after the parts start: time to read nodes.json and
 * open every node's sockets. */
#define NETRUN_LEAD_NS 3000000000LL
/* A part writes its file at T0 + settle + blocks * 2 s + 2 s; it is
 * stopped at T0 + settle + blocks * 2 s + NETRUN_GRACE_NS. */
#define NETRUN_GRACE_NS 10000000000LL

int netrun_check(const struct scenario *s, char *err, size_t err_cap)
{
	struct netplan *np = netplan_new(s, "000000", err, err_cap);
	int e;

	if (!np)
		return -errno;
	e = hostfit_check(np->plan, s, err, err_cap);
	netplan_free(np);
	return e;
}

/* The punch-net to run: PUNCHLAB_NET_PROGRAM (tests' stand-in, under
 * tests/ only) or the one next to punchlab. NULL when there is none. */
static const char *net_program(char *buf, size_t cap)
{
	const char *env = getenv("PUNCHLAB_NET_PROGRAM");

	if (env && *env)
		snprintf(buf, cap, "%s", env);
	else
		snprintf(buf, cap, "%s/punch-net", punchlab_bindir());
	return access(buf, X_OK) == 0 ? buf : NULL;
}

struct netrun {
	const struct scenario *s;
	struct netplan *np;
	struct world *w;
	char rid[RUNID_LEN + 1];
	char dir[PATH_MAX];
	char prog[PATH_MAX];
	const char *coord_mode[SCENARIO_NET_MAX_PHASES];
	int capture;
};

/* --capture: every home router's and carrier's conntrack table and NAT
 * table as the phase left them, in snapshots/<phase>/<netns>.*. Entries
 * of earlier phases that have not timed out yet are there too (the
 * world is not reset between phases). */
static void phase_snapshots(const struct netrun *r, const char *phase)
{
	char sdir[PATH_MAX];
	int e = -ENAMETOOLONG;

	if (snprintf(sdir, sizeof(sdir), "%s/snapshots/%s", r->dir, phase) >=
		    (int)sizeof(sdir) ||
	    (e = rundir_mkdir_p(sdir)) < 0) {
		log_warnx("snapshots: %s: %s", sdir, strerror(-e));
		return;
	}
	for (int id = 0; id < r->np->nnodes; id++) {
		const struct netplan_node *nd = &r->np->nodes[id];
		const int ns[2] = {nd->router, nd->carrier};

		for (int k = 0; k < 2 && nd->home; k++) {
			const struct nb_host *h =
				ns[k] >= 0 ? &r->w->hosts[ns[k]] : NULL;

			if (h && (e = ctsnap_files(h->fd, r->w->table, sdir,
						   h->ns)) < 0)
				log_warnx("snapshot of %s: %s", h->ns,
					  strerror(-e));
		}
	}
}

/* One phase: coordinators, parts, coordinators stopped. 0 when it ran
 * to its end, 1 when it failed, -errno when nothing could run. */
static int phase_run(struct netrun *r, int i)
{
	const struct scenario_network *n = r->s->net;
	const struct scenario_netphase *ph = &n->phases[i];
	struct daemons_env env = {.bindir = punchlab_bindir(),
				  .dir = r->dir,
				  .stop = &punchlab_stop};
	pid_t *coords = calloc(n->coordinators, sizeof(*coords));
	int64_t start = mono_ns(), t0 = start + NETRUN_LEAD_NS;
	struct netparts_phase pp = {
		.prog = r->prog,
		.dir = r->dir,
		.phase = ph->name,
		.parts = netparts_count(r->np),
		.epoch_ns = t0,
		.deadline_ns = t0 + (int64_t)n->settle_ms * 1000000 +
			       (int64_t)n->blocks * 2000000000 +
			       NETRUN_GRACE_NS,
		.stop = &punchlab_stop};
	const char *mode = r->coord_mode[i];
	int e = 0, failed;

	if (!coords)
		return -ENOMEM;
	fprintf(stderr,
		"[network] phase %s (%d/%d): %s%s%s, %d punch-net "
		"parts\n",
		ph->name, i + 1, n->nphases,
		mode ? "coordinators in mode " : "no coordinators",
		mode ? mode : "",
		mode && ph->mode == SCENARIO_NET_ADVERTISED &&
				strcmp(mode, "advertised")
			? " (the daemon has no advertised mode)"
			: "",
		pp.parts);
	if (mode && (e = netcoord_start(r->w, r->np, &env, ph->name, mode,
					coords)) < 0) {
		fprintf(stderr, "[network] phase %s: coordinators: %s\n",
			ph->name, strerror(-e));
		free(coords);
		return e;
	}
	/* T0 counts from before the daemons' start: take it again. */
	if (mode) {
		int64_t d = mono_ns() - start;

		pp.epoch_ns += d;
		pp.deadline_ns += d;
	}
	failed = netparts_run(r->w, &pp);
	if (r->capture && failed >= 0)
		phase_snapshots(r, ph->name);
	if (mode)
		netcoord_stop(r->w, coords, n->coordinators);
	free(coords);
	if (failed < 0) {
		fprintf(stderr, "[network] phase %s: punch-net: %s\n", ph->name,
			strerror(-failed));
		return failed;
	}
	fprintf(stderr, "[network] phase %s: %s in %.1f s%s\n", ph->name,
		failed ? "FAILED" : "done", (mono_ns() - start) / 1e9,
		failed ? " (a part failed)" : "");
	return failed ? 1 : 0;
}

/* Plan, folder, world and nodes.json. 0 or -errno, said on stderr. */
static int netrun_open(struct netrun *r, const char *results_dir,
		       const char *profile_dir)
{
	char err[1024] = "", path[PATH_MAX + 16];
	int adv, e;

	if ((e = runid_new(r->rid)) < 0)
		return e;
	r->np = netplan_new(r->s, r->rid, err, sizeof(err));
	if (!r->np || hostfit_check(r->np->plan, r->s, err, sizeof(err)) < 0)
		goto fail;
	if (snprintf(r->dir, sizeof(r->dir), "%s/%s/%s", results_dir,
		     r->s->name, r->rid) >= (int)sizeof(r->dir) ||
	    (e = rundir_mkdir_p(r->dir)) < 0) {
		snprintf(err, sizeof(err), "cannot create %.900s", r->dir);
		goto fail;
	}
	runinfo_write(r->dir, r->s, r->rid, profile_dir);
	adv = netcoord_has_advertised(punchlab_bindir());
	for (int i = 0; i < r->s->net->nphases; i++)
		r->coord_mode[i] = netcoord_mode(&r->s->net->phases[i], adv);
	snprintf(path, sizeof(path), "%s/nodes.json", r->dir);
	if ((e = netnodes_write(r->np, r->coord_mode, path)) < 0) {
		snprintf(err, sizeof(err), "%.900s: %s", path, strerror(-e));
		goto fail;
	}
	printf("%s (run %s, network: %d homes, %d reachable, %d "
	       "coordinators, %d phases) -> %s\n",
	       r->s->name, r->rid, r->s->net->homes, r->s->net->reachable,
	       r->s->net->coordinators, r->s->net->nphases, r->dir);
	fflush(stdout);
	r->w = world_new(r->np->plan, &punchlab_stop, err, sizeof(err));
	if (r->w)
		return 0;
fail:
	fprintf(stderr, "punchlab run: %s: %s\n", r->s->name,
		err[0] ? err : strerror(errno));
	return e < 0 ? e : errno ? -errno : -EIO;
}

/* network.py on the run folder: network.json, plots, report section. */
static int netrun_analyse(const struct netrun *r)
{
	char *av[] = {(char *)r->dir, NULL}, py[PATH_MAX];
	int rc;

	/* Built on its own branch (issue 12): without it the run's files
	 * are all there is, which is not the run's failure. */
	if (punchlab_sibling("../../harness/py/network.py", py, sizeof(py)) <
		    0 ||
	    access(py, R_OK) < 0) {
		fprintf(stderr,
			"punchlab run: no harness/py/network.py: "
			"%s has no analysis\n",
			r->dir);
		return 0;
	}
	rc = pyrun_wait("network.py", 1, av);
	if (rc == EXIT_SKIP) /* no matplotlib: said by network.py */
		return 0;
	if (rc != 0)
		fprintf(stderr, "punchlab run: network.py %s exited %d\n",
			r->dir, rc);
	return rc != 0;
}

int netrun_one(const struct scenario *s, const char *results_dir,
	       const char *profile_dir, int capture, char *dir_out,
	       size_t dir_cap)
{
	struct netrun r = {.s = s, .capture = capture};
	int e, failed = 0, ran = 0;

	if (!net_program(r.prog, sizeof(r.prog))) {
		printf("SKIP: %s needs punch-net (%s is not built)\n", s->name,
		       r.prog);
		return NETRUN_SKIPPED;
	}
	e = netrun_open(&r, results_dir, profile_dir);
	if (r.dir[0])
		snprintf(dir_out, dir_cap, "%s", r.dir);
	for (int i = 0; e == 0 && i < s->net->nphases && !punchlab_stop; i++) {
		int f = phase_run(&r, i);

		if (f < 0)
			e = f;
		else
			failed += f, ran++;
	}
	if (punchlab_stop)
		fprintf(stderr, "punchlab run: interrupted, removing run %s\n",
			r.rid);
	world_free(r.w);
	netplan_free(r.np);
	if (e < 0 || punchlab_stop)
		return e < 0 ? e : -EINTR;
	return failed + (ran ? netrun_analyse(&r) : 0);
}
