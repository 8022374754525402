/* advvictim: the redirect victim's endpoint, its counters and its
 * listener. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "advvictim.h"
#include "cleanup.h"
#include "nat.h"
#include "proc.h"

/* The router's LAN address: the first of its LAN prefix (plan.c). */
static void router_lan(const struct plan_side *sd, char *buf, size_t cap)
{
	char net[PLAN_ADDR];
	struct in_addr a;

	snprintf(net, sizeof(net), "%s", sd->lan_prefix);
	net[strcspn(net, "/")] = '\0';
	if (inet_pton(AF_INET, net, &a) != 1) {
		snprintf(buf, cap, "0.0.0.0");
		return;
	}
	a.s_addr = htonl(ntohl(a.s_addr) + 1);
	inet_ntop(AF_INET, &a, buf, (socklen_t)cap);
}

int advvictim_endpoint(const struct world *w, const struct scenario *s,
		       int cell, char *buf, size_t cap)
{
	const struct cell_adv *a = &s->cells[cell].adv;
	const struct plan_side *alice = &w->plan->cells[cell].side[0];
	char ip[PLAN_ADDR];

	if (a->attack != CELL_ATTACK_REDIRECT)
		return -EINVAL;
	switch (a->victim) {
	case CELL_VICTIM_WAN:
	case CELL_VICTIM_WAN_LISTEN:
		snprintf(buf, cap, "%s:%d", PLAN_VICTIM_ADDR, ADVVICTIM_PORT);
		return w->plan->victim;
	case CELL_VICTIM_LAN:
		router_lan(alice, ip, sizeof(ip));
		snprintf(buf, cap, "%s:%d", ip, ADVVICTIM_ADMIN_PORT);
		return alice->router;
	case CELL_VICTIM_LOOPBACK:
		snprintf(buf, cap, "127.0.0.1:%d", ADVVICTIM_RPC_PORT);
		return alice->host;
	default:
		snprintf(buf, cap, "%s:%d", PLAN_MALLORY_ADDR,
			 ADVVICTIM_RPC_PORT);
		return w->plan->mallory;
	}
}

/* prerouting sees every packet to the endpoint once, also a host's own
 * to 127.0.0.1 (looped back through lo); raw priority, before conntrack
 * and the NAT can drop or rewrite it. */
int advvictim_table(struct world *w, int ns, const char *endpoint,
		    unsigned char *loaded)
{
	char ip[PLAN_ADDR], text[1024], err[512];
	const char *colon = strrchr(endpoint, ':');
	int e;

	if (loaded[ns])
		return 0;
	if (!colon || (size_t)(colon - endpoint) >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, endpoint, (size_t)(colon - endpoint));
	ip[colon - endpoint] = '\0';
	snprintf(text, sizeof(text),
		 "table inet %s_adv {\n"
		 "\tcounter victim_syn { }\n"
		 "\tcounter victim_bytes { }\n"
		 "\tchain count {\n"
		 "\t\ttype filter hook prerouting priority -300; "
		 "policy accept;\n"
		 "\t\tip daddr %s tcp dport %s tcp flags & (syn | ack) == syn "
		 "counter name \"victim_syn\"\n"
		 "\t\tip daddr %s tcp dport %s counter name \"victim_bytes\"\n"
		 "\t}\n}\n",
		 w->table, ip, colon + 1, ip, colon + 1);
	e = nat_apply(w->hosts[ns].fd, text, err, sizeof(err));
	if (e < 0) {
		fprintf(stderr, "punchlab run: victim counters in %s: %s\n",
			w->hosts[ns].ns, err);
		return e;
	}
	loaded[ns] = 1;
	return 0;
}

int advvictim_read(const struct world *w, int ns, unsigned long long *syns,
		   unsigned long long *bytes)
{
	char table[64];
	unsigned long long pk;
	int e;

	snprintf(table, sizeof(table), "%s_adv", w->table);
	e = nat_counter_at(w->hosts[ns].fd, "inet", table, "victim_syn", syns,
			   NULL);
	if (e == 0)
		e = nat_counter_at(w->hosts[ns].fd, "inet", table,
				   "victim_bytes", &pk, bytes);
	return e;
}

/* The listener's life in the child (proc_fork_in): accept, read,
 * discard, until it is stopped (SIGTERM) or its parent dies. */
#define SINK_CONNS 64
static void sink_loop(int lfd)
{
	struct pollfd p[1 + SINK_CONNS];
	char buf[4096];
	int n = 1;

	/* A fork without exec holds every fd punchlab had open (agents'
	 * stdin pipes among them): keep only the listener, so no agent
	 * waits on an EOF this child would withhold. */
	if (lfd > 3)
		close_range(3, (unsigned)lfd - 1, 0);
	close_range((unsigned)lfd + 1, ~0U, 0);
	p[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	for (;;) {
		/* full: leave the listener out, or poll returns at once */
		p[0].fd = n < 1 + SINK_CONNS ? lfd : -1;
		if (poll(p, (nfds_t)n, -1) < 0 && errno != EINTR)
			_exit(1);
		if ((p[0].revents & POLLIN) && n < 1 + SINK_CONNS) {
			int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

			if (c >= 0)
				p[n++] = (struct pollfd){ .fd = c,
							  .events = POLLIN };
		}
		for (int i = 1; i < n; i++) {
			if (!p[i].revents || read(p[i].fd, buf, sizeof(buf)) > 0)
				continue;
			close(p[i].fd);
			p[i--] = p[--n];
		}
	}
}

/* In the child, inside the victim namespace: the listening socket. */
static int sink_setup(void *arg)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(ADVVICTIM_PORT) };
	int one = 1, *lfd = arg;

	inet_pton(AF_INET, PLAN_VICTIM_ADDR, &sa.sin_addr);
	*lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*lfd < 0 ||
	    setsockopt(*lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(*lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(*lfd, 128) < 0)
		return errno ? errno : EIO;
	return 0;
}

static void sink_run(void *arg)
{
	sink_loop(*(int *)arg);
}

pid_t advvictim_listener(struct world *w)
{
	int lfd = -1;
	pid_t pid = proc_fork_in(w->hosts[w->plan->victim].fd, sink_setup,
				 sink_run, &lfd);

	if (pid < 0) {
		fprintf(stderr, "punchlab run: victim listener on %s:%d: %s\n",
			PLAN_VICTIM_ADDR, ADVVICTIM_PORT, strerror(-pid));
		return pid;
	}
	cleanup_pid(w->cu, pid);
	return pid;
}
