/* evidence: what the kernel saw during a run, kept beside its results —
 * the NATs' own counters (SYNs dropped, RSTs sent), pcaps of every router
 * and carrier interface and charlie's, and conntrack/ruleset snapshots
 * of every NAT after the trials. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "rundir.h"
#include "cleanup.h"
#include "ctsnap.h"
#include "evidence.h"
#include "log.h"
#include "nat.h"

/* A counter of the side's router plus its carrier's, -1 if unreadable;
 * in a dual-stack world plus the router's IPv6 filter's counter of the
 * same name (filter6.h), when it has one: a punch over IPv6 meets only
 * that table. */
static long long side_counter(struct world *w, const struct world_side *sd,
			      const char *name)
{
	unsigned long long v, sum = 0;

	if (nat_counter(sd->router->fd, w->table, name, &v))
		return -1;
	sum += v;
	if (w->plan->table6[0] &&
	    nat_counter_at(sd->router->fd, "ip6", w->plan->table6, name, &v,
			   NULL) == 0)
		sum += v;
	if (sd->carrier) {
		if (nat_counter(sd->carrier->fd, w->table, name, &v))
			return -1;
		sum += v;
	}
	return (long long)sum;
}

void evidence_counters(struct world *w, struct nat_counts (*nc)[2])
{
	for (int c = 0; c < w->ncells; c++)
		for (int s = 0; s < 2; s++) {
			const struct world_side *sd = &w->cells[c].side[s];

			nc[c][s].syn_dropped =
				side_counter(w, sd, "syn_dropped");
			nc[c][s].rst_sent = side_counter(w, sd, "rst_sent");
		}
}

static int capture_host(struct capture *c, const struct nb_host *h,
			const char *ifn, const char *cdir)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s-%s.pcap", cdir, h->ns, ifn) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	return capture_add(c, h->fd, ifn, path);
}

/* Every router's and carrier's WAN and LAN (only_cell's, when >= 0) and
 * charlie's WAN, into <dir>/captures/<namespace>-<ifname>.pcap, by one
 * capture process. */
struct capture *evidence_capture(struct world *w, const char *dir,
				     int only_cell)
{
	char cdir[PATH_MAX], ifn[2][16];
	struct capture *c;
	int e;

	snprintf(ifn[0], sizeof(ifn[0]), "%s-wan", w->rid);
	snprintf(ifn[1], sizeof(ifn[1]), "%s-lan", w->rid);
	e = -ENAMETOOLONG;
	if (snprintf(cdir, sizeof(cdir), "%s/captures", dir) >=
		    (int)sizeof(cdir) ||
	    (e = rundir_mkdir_p(cdir)) < 0)
		goto err;
	c = capture_new(0);
	if (!c)
		return NULL;
	e = capture_host(c, w->charlie, ifn[0], cdir);
	for (int i = 0; e == 0 && i < w->ncells; i++)
		for (int s = 0; e == 0 && s < 2; s++) {
			if (only_cell >= 0 && i != only_cell)
				break;
			const struct world_side *sd = &w->cells[i].side[s];

			if (sd->p->shared)
				continue; /* router a, captured already */
			for (int k = 0; e == 0 && k < 2; k++) {
				e = capture_host(c, sd->router, ifn[k], cdir);
				if (e == 0 && sd->carrier)
					e = capture_host(c, sd->carrier,
							 ifn[k], cdir);
			}
		}
	if (e == 0)
		e = capture_run(c);
	if (e == 0)
		e = cleanup_pid(w->cu, capture_pid(c));
	if (e == 0)
		return c;
	capture_stop(c);
err:
	log_warnx("cannot capture: %s", strerror(-e));
	errno = -e;
	return NULL;
}

void evidence_capture_end(struct world *w, struct capture *c, const char *dir)
{
	pid_t pid = capture_pid(c);
	long long n = capture_stop(c);

	if (pid > 0)
		cleanup_reaped(w->cu, pid);
	if (n >= 0)
		printf("captured %lld packets -> %s/captures\n", n, dir);
}

/* Conntrack tables and rulesets of every NAT (only_cell's, when >= 0),
 * as the trials left them. */
void evidence_snapshots(struct world *w, const char *dir, int only_cell)
{
	char sdir[PATH_MAX];
	int e;

	e = -ENAMETOOLONG;
	if (snprintf(sdir, sizeof(sdir), "%s/snapshots", dir) >=
		    (int)sizeof(sdir) ||
	    (e = rundir_mkdir_p(sdir)) < 0) {
		log_warnx("snapshots: %s: %s", sdir, strerror(-e));
		return;
	}
	for (int i = 0; i < w->ncells; i++)
		for (int s = 0; s < 2; s++) {
			const struct world_side *sd = &w->cells[i].side[s];
			const struct nb_host *h[2] = { sd->router,
							  sd->carrier };

			if (only_cell >= 0 && i != only_cell)
				break;
			for (int k = 0; k < 2 && !sd->p->shared; k++) {
				if (!h[k] || h[k]->fd < 0)
					continue;
				e = ctsnap_files(h[k]->fd, w->table, sdir,
						 h[k]->ns);
				if (e < 0)
					log_warnx("snapshot of %s: %s",
						  h[k]->ns, strerror(-e));
			}
		}
}
