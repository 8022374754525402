/* session: plan, run folder, world and daemons of one scenario. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "coordctl.h"
#include "rundir.h"
#include "daemons.h"
#include "proc.h"
#include "hostfit.h"
#include "pcpd.h"
#include "session.h"
#include "shapeboard.h"
#include "stund.h"

int session_open(struct session *ss, const struct scenario *s,
		 const char *bindir, const char *results_dir,
		 volatile sig_atomic_t *stop, char *err, size_t err_cap)
{
	int e;

	memset(ss, 0, sizeof(*ss));
	ss->s = s;
	ss->bindir = bindir;
	ss->stop = stop;
	ss->coord = -1;
	ss->link_method = "none";
	if ((e = runid_new(ss->rid)) < 0) {
		snprintf(err, err_cap, "run id: %s", strerror(-e));
		return e;
	}
	ss->plan = plan_new(s, ss->rid, err, err_cap);
	if (!ss->plan)
		return -errno;
	if (hostfit_check(ss->plan, s, err, err_cap) < 0) {
		e = -EINVAL;
		goto err_plan;
	}
	if (snprintf(ss->dir, sizeof(ss->dir), "%s/%s/%s", results_dir,
		     s->name, ss->rid) >= (int)sizeof(ss->dir)) {
		e = -ENAMETOOLONG;
		snprintf(err, err_cap, "%s: %s", results_dir, strerror(-e));
		goto err_plan;
	}
	if ((e = rundir_mkdir_p(ss->dir)) < 0) {
		snprintf(err, err_cap, "cannot create %s: %s", ss->dir,
			 strerror(-e));
		goto err_plan;
	}
	ss->w = world_new(ss->plan, stop, err, err_cap);
	if (!ss->w) {
		e = -errno;
		goto err_plan;
	}
	return 0;

err_plan:
	plan_free(ss->plan);
	ss->plan = NULL;
	return e;
}

int session_start(struct session *ss, int verbose, int keep)
{
	int e;
	struct daemons_env env = { .bindir = ss->bindir,
				   .dir = ss->dir,
				   .stop = ss->stop,
				   .keep = keep,
				   .realtime = ss->s->realtime };

	char hosts[PATH_MAX];

	/* Names first: every process started from here on resolves them. */
	if ((e = stund_names(ss->w, hosts, sizeof(hosts))) < 0) {
		fprintf(stderr, "punchlab run: hosts file %s: %s\n", hosts,
			strerror(-e));
		return e;
	}
	if ((e = daemons_shaper(ss->w, ss->s, &env, &ss->link_method,
				  &ss->board)) < 0)
		return e;
	ss->stun = stund_start(ss->w, ss->dir, keep);
	if (ss->stun < 0)
		return (int)ss->stun;
	/* Before any trial: the routers' PCP/NAT-PMP servers answer. */
	if ((e = pcpd_start(ss->w, ss->dir, keep)) < 0)
		return e;
	ss->coord = daemons_coordinator(ss->w, &env, ss->s->mode, verbose,
					keep ? NULL : &ss->ctl);
	return ss->coord < 0 ? ss->coord : 0;
}

/* Frees the memory; detach leaves world and daemons up. */
static void session_end(struct session *ss, int detach)
{
	coordctl_free(ss->ctl);
	ss->ctl = NULL;
	shapeboard_close(ss->board);
	ss->board = NULL;
	proc_set_hosts(NULL);
	if (detach)
		world_detach(ss->w);
	else
		world_free(ss->w);
	plan_free(ss->plan);
	ss->w = NULL;
	ss->plan = NULL;
}

void session_close(struct session *ss)
{
	session_end(ss, 0);
}

void session_detach(struct session *ss)
{
	session_end(ss, 1);
}
