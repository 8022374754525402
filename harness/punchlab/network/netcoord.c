/* netcoord: the coordinators of a network phase. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "netcoord.h"
#include "proc.h"

const char *netcoord_mode(const struct scenario_netphase *ph, int advertised)
{
	switch (ph->mode) {
	case SCENARIO_NET_OFF:
		return NULL;
	case SCENARIO_NET_HANDOFF:
		return "handoff";
	case SCENARIO_NET_ADVERTISED:
		/* Until punch-coordinator has the mode (issue 12 item 3):
		 * the phase still runs, marked in nodes.json. */
		return advertised ? "advertised" : "rendezvous";
	default:
		return "rendezvous";
	}
}

int netcoord_has_advertised(const char *bindir)
{
	char path[PATH_MAX], buf[4096];
	char *argv[] = {path, "--help", NULL};
	size_t len = 0;
	ssize_t r;
	int fds[2], found;
	pid_t pid;

	if ((size_t)snprintf(path, sizeof(path), "%s/punch-coordinator",
			     bindir) >= sizeof(path) ||
	    pipe2(fds, O_CLOEXEC) < 0)
		return 0;
	/* before the world exists, so in our namespace: --help opens no
	 * socket */
	pid = proc_spawn(-1, argv, fds[1], -1);
	close(fds[1]);
	while (pid > 0 && len < sizeof(buf) - 1 &&
	       (r = read(fds[0], buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	close(fds[0]);
	if (pid > 0)
		proc_stop(pid, 1000);
	found = strstr(buf, "advertised") != NULL;
	return found;
}

int netcoord_start(struct world *w, const struct netplan *np,
		   const struct daemons_env *env, const char *phase,
		   const char *mode, pid_t *pids)
{
	const struct scenario_network *n = np->s->net;
	char listen[64], slots[16], name[64];
	char *argv[12];

	snprintf(slots, sizeof(slots), "%d", n->coordinator_mode_slots);
	for (int j = 0; j < n->coordinators; j++) {
		const struct netplan_node *nd = &np->nodes[j];
		int k = 0;

		snprintf(listen, sizeof(listen), "%s:%d", nd->addr,
			 SCENARIO_NET_COORD_PORT);
		snprintf(name, sizeof(name), "coord-r%d-%s", j, phase);
		argv[k++] = "punch-coordinator";
		argv[k++] = "--listen";
		argv[k++] = listen;
		argv[k++] = "--run-id";
		argv[k++] = (char *)w->rid;
		argv[k++] = "--mode";
		argv[k++] = (char *)mode;
		if (!strcmp(mode, "handoff")) {
			argv[k++] = "--inbound-limit";
			argv[k++] = slots;
		}
		/* A lying coordinator (docs/adversaries.md section 7). */
		if (nd->lies)
			argv[k++] = "--eclipse";
		argv[k] = NULL;
		pids[j] = daemons_start(w, w->hosts[nd->ns].fd, env, name, argv,
					"listening");
		if (pids[j] < 0) {
			int e = (int)pids[j];

			netcoord_stop(w, pids, j);
			return e;
		}
	}
	return 0;
}

void netcoord_stop(struct world *w, pid_t *pids, int n)
{
	struct proc_stop *ps = calloc(n > 0 ? n : 1, sizeof(*ps));

	if (!ps) { /* the registry stops them with the world */
		return;
	}
	for (int i = 0; i < n; i++)
		ps[i].pid = pids[i];
	proc_stop_all(ps, n, 1000);
	for (int i = 0; i < n; i++)
		if (ps[i].how != PROC_STUCK && ps[i].how >= 0)
			cleanup_reaped(w->cu, pids[i]);
	free(ps);
}
