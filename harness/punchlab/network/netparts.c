/* netparts: one phase's punch-net processes, from start to reaped. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "monoclock.h"
#include "netparts.h"
#include "proc.h"
#include "rundir.h"

#define NETPARTS_MAX 64

int netparts_count(const struct netplan *np)
{
	const struct scenario_network *n = np->s->net;
	/* every node: its outbound, the punched connections both ways, a
	 * coordinator session and a light connection; reachable nodes:
	 * their listener and inbound slots */
	long per_node = (long)n->outbound_full + n->outbound_block +
			3L * n->punch_target + 2,
	     sockets = (long)np->nnodes * per_node +
		       (long)n->reachable * (n->inbound_slots + 1),
	     k = (sockets + NETPARTS_SOCKETS - 1) / NETPARTS_SOCKETS;

	return k < 2 ? 2 : k > NETPARTS_MAX ? NETPARTS_MAX : (int)k;
}

/* Part k: stdout and stderr to net-<phase>-part<k>.log. */
static pid_t part_start(struct world *w, const struct netparts_phase *ph, int k)
{
	char nodes[PATH_MAX], out[PATH_MAX], part[32], epoch[32], log[96];
	char *argv[] = {(char *)ph->prog,
			"--nodes",
			nodes,
			"--phase",
			(char *)ph->phase,
			"--part",
			part,
			"--epoch-ns",
			epoch,
			"--out",
			out,
			NULL};
	int fd;
	pid_t pid;

	snprintf(nodes, sizeof(nodes), "%s/nodes.json", ph->dir);
	snprintf(out, sizeof(out), "%s/phase-%s-part%d.json", ph->dir,
		 ph->phase, k);
	snprintf(part, sizeof(part), "%d/%d", k, ph->parts);
	snprintf(epoch, sizeof(epoch), "%lld", (long long)ph->epoch_ns);
	snprintf(log, sizeof(log), "net-%s-part%d.log", ph->phase, k);
	unlink(out); /* a file left from before would read as this run's */
	fd = rundir_open(ph->dir, log, O_TRUNC);
	if (fd < 0)
		return -errno;
	pid = proc_spawn(w->inet->fd, argv, fd, fd);
	close(fd);
	if (pid > 0)
		cleanup_pid(w->cu, pid);
	return pid;
}

/* Waits until every part has exited, the deadline or *stop; *status[k]
 * gets each exited part's wait status (-1: still running). */
static void parts_wait(struct world *w, const struct netparts_phase *ph,
		       const pid_t *pids, int *status)
{
	struct pollfd pfd[NETPARTS_MAX];
	int left = ph->parts;

	for (int k = 0; k < ph->parts; k++) {
		status[k] = -1;
		pfd[k] = (struct pollfd){.fd = pidfd_open(pids[k], 0),
					 .events = POLLIN};
	}
	while (left && !(ph->stop && *ph->stop)) {
		int64_t now = mono_ns();
		int ms = now >= ph->deadline_ns
				 ? 0
				 : (int)((ph->deadline_ns - now) / 1000000 + 1);

		if (now >= ph->deadline_ns)
			break;
		/* A part's pidfd is readable once it exited; a second at
		 * most between looks, for the stop flag. */
		poll(pfd, (nfds_t)ph->parts, ms < 1000 ? ms : 1000);
		for (int k = 0; k < ph->parts; k++) {
			int st;

			if (status[k] != -1 ||
			    waitpid(pids[k], &st, WNOHANG) != pids[k])
				continue;
			status[k] = st;
			cleanup_reaped(w->cu, pids[k]);
			if (pfd[k].fd >= 0)
				close(pfd[k].fd);
			pfd[k].fd = -1;
			left--;
		}
	}
	for (int k = 0; k < ph->parts; k++)
		if (pfd[k].fd >= 0)
			close(pfd[k].fd);
}

int netparts_run(struct world *w, const struct netparts_phase *ph)
{
	struct proc_stop ps[NETPARTS_MAX];
	pid_t pids[NETPARTS_MAX];
	int status[NETPARTS_MAX], failed = 0, nstop = 0;

	for (int k = 0; k < ph->parts; k++) {
		pids[k] = part_start(w, ph, k);
		if (pids[k] < 0) {
			int e = (int)pids[k];

			for (int i = 0; i < k; i++)
				ps[i] = (struct proc_stop){.pid = pids[i]};
			proc_stop_all(ps, (size_t)k, 1000);
			for (int i = 0; i < k; i++)
				cleanup_reaped(w->cu, pids[i]);
			return e;
		}
	}
	parts_wait(w, ph, pids, status);
	for (int k = 0; k < ph->parts; k++) {
		char out[PATH_MAX];
		struct stat st;

		if (status[k] == -1) {
			fprintf(stderr,
				"[network] %s: punch-net part %d/%d still runs "
				"%s; stopping it\n",
				ph->phase, k, ph->parts,
				ph->stop && *ph->stop ? "(interrupted)"
						      : "at the deadline");
			ps[nstop++] = (struct proc_stop){.pid = pids[k]};
			failed++;
			continue;
		}
		snprintf(out, sizeof(out), "%s/phase-%s-part%d.json", ph->dir,
			 ph->phase, k);
		if (!WIFEXITED(status[k]) || WEXITSTATUS(status[k]) != 0 ||
		    stat(out, &st) < 0) {
			fprintf(stderr,
				"[network] %s: punch-net part %d/%d %s %d%s "
				"(see %s/net-%s-part%d.log)\n",
				ph->phase, k, ph->parts,
				WIFEXITED(status[k]) ? "exited"
						     : "killed by signal",
				WIFEXITED(status[k]) ? WEXITSTATUS(status[k])
						     : WTERMSIG(status[k]),
				stat(out, &st) < 0 ? ", no phase file" : "",
				ph->dir, ph->phase, k);
			failed++;
		}
	}
	proc_stop_all(ps, (size_t)nstop, 1000);
	for (int i = 0; i < nstop; i++)
		cleanup_reaped(w->cu, ps[i].pid);
	return failed;
}
