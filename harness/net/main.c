/* punch-net: many embedded Bitcoin nodes in one process, one epoll loop,
 * for the network scenario (docs/network.md, section 3). main parses the
 * options, checks the descriptor budget and runs the phase's timeline. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>

#include "log.h"
#include "monoclock.h"
#include "netconn.h"
#include "netnode.h"
#include "netout.h"
#include "netpunch.h"
#include "netrelay.h"
#include "optparse.h"

#define NET_TICK_MS 20 /* node timelines and deadlines */
#define NET_SWEEP_MS 100 /* handshake deadlines (seconds long) */
#define NET_WAIT_MS 2  /* epoll wait: punches start within this */

static volatile sig_atomic_t net_stop;

static void net_on_signal(int sig)
{
	(void)sig;
	net_stop = 1;
}

struct net_opts {
	const char *nodes, *phase, *out;
	int part, parts, verbose;
	int64_t t0_ns;
};

static void net_usage(FILE *f)
{
	fprintf(f,
		"usage: punch-net --nodes FILE --phase NAME --part k/K "
		"--epoch-ns T0 --out FILE [-v] [--help]\n\n"
		"  --nodes FILE     the nodes file punchlab wrote (JSON)\n"
		"  --phase NAME     the phase to run (a name in its phases)\n"
		"  --part k/K       run the nodes whose id %% K == k\n"
		"  --epoch-ns T0    the phase's T0, CLOCK_MONOTONIC ns (all "
		"parts the same)\n"
		"  --out FILE       this part's records (JSON)\n"
		"  -v               debug logging\n\n"
		"Runs until T0 + settle_ms + blocks * 2 s + 2 s, writes --out.\n"
		"Exit: 0 done, 1 internal error, 2 usage or bad input.\n");
}

static int net_parse(int argc, char **argv, struct net_opts *o)
{
	static const struct option lo[] = {
		{"nodes", required_argument, NULL, 'n'},
		{"phase", required_argument, NULL, 'p'},
		{"part", required_argument, NULL, 'k'},
		{"epoch-ns", required_argument, NULL, 'e'},
		{"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	long long t0 = -1;
	char *slash;
	int ch, have_part = 0;

	memset(o, 0, sizeof(*o));
	while ((ch = getopt_long(argc, argv, "v", lo, NULL)) != -1) {
		switch (ch) {
		case 'n': o->nodes = optarg; break;
		case 'p': o->phase = optarg; break;
		case 'o': o->out = optarg; break;
		case 'v': o->verbose = 1; break;
		case 'h': net_usage(stdout); exit(0);
		case 'e':
			if (optparse_ll(optarg, 0, INT64_MAX, &t0)) {
				fprintf(stderr, "punch-net: --epoch-ns '%s': "
						"not a time in ns\n", optarg);
				return -EINVAL;
			}
			break;
		case 'k':
			slash = strchr(optarg, '/');
			if (!slash ||
			    optparse_int(slash + 1, 1, 4096, &o->parts) ||
			    (*slash = '\0',
			     optparse_int(optarg, 0, o->parts - 1, &o->part))) {
				fprintf(stderr, "punch-net: --part: want k/K "
						"with 0 <= k < K\n");
				return -EINVAL;
			}
			have_part = 1;
			break;
		default:
			net_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc || !o->nodes || !o->phase || !o->out ||
	    !have_part || t0 < 0) {
		fprintf(stderr, "punch-net: --nodes, --phase, --part, "
				"--epoch-ns and --out are required\n");
		return -EINVAL;
	}
	o->t0_ns = t0;
	return 0;
}

/* The soft limit up to the hard one; -EMFILE when the part needs more. */
static int net_fd_budget(long need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -errno;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			return -errno;
	}
	if (rl.rlim_cur != RLIM_INFINITY && (rlim_t)need > rl.rlim_cur) {
		fprintf(stderr,
			"punch-net: this part needs up to %ld file "
			"descriptors (its nodes' sockets and namespaces) "
			"but RLIMIT_NOFILE's hard limit is %llu: run more "
			"parts (--part k/K) or raise the limit\n",
			need, (unsigned long long)rl.rlim_max);
		return -EMFILE;
	}
	return 0;
}

static int net_listen_all(struct networld *w)
{
	for (int i = 0; i < w->nlocal; i++) {
		struct netnode *n = &w->nodes[i];
		int r;

		if (n->c->kind != NETCFG_REACHABLE)
			continue;
		if ((r = netnode_listen(w, n))) {
			log_warnx("node %d: listen on %s port %u: %s",
				  n->c->id, n->c->netns, n->c->port,
				  strerror(-r));
			return r;
		}
	}
	return 0;
}

/* The phase: listen at T0, the node timelines every tick, blocks at
 * their times, until the end. */
static int net_run(struct networld *w)
{
	const struct netcfg *cfg = w->cfg;
	int64_t end = net_at(w, cfg->settle_ms +
				    (int64_t)cfg->blocks * NET_BLOCK_GAP_MS +
				    NET_TAIL_MS);
	int64_t next_tick = 0, next_sweep = 0, now;
	struct epoll_event ev[1024];
	int listening = 0, b = 0;

	while ((now = mono_ns()) < end && !net_stop) {
		int k, timeout = NET_WAIT_MS;

		if (!listening && now < w->t0_ns)
			timeout = (int)((w->t0_ns - now) / NET_NS_PER_MS) + 1;
		k = epoll_wait(w->epfd, ev, 1024,
			       timeout > 1000 ? 1000 : timeout);
		if (k < 0 && errno != EINTR) {
			log_warn("epoll_wait");
			return -1;
		}
		now = mono_ns();
		for (int i = 0; i < k && now < end; i++) {
			enum netfd_type *t = ev[i].data.ptr;

			if (*t == NETFD_LISTEN)
				netnode_accept(w, ev[i].data.ptr);
			else
				netconn_event(w, ev[i].data.ptr, ev[i].events);
		}
		now = mono_ns();
		/* What came after the end (a peer part closing its
		 * sockets) is not the phase's: connections open at the
		 * end stay so. */
		if (now >= end)
			break;
		if (!listening && now >= w->t0_ns) {
			if (net_listen_all(w))
				return -1;
			listening = 1;
		}
		netpunch_sweep(w, now);
		if (listening && now >= next_tick) {
			for (int i = 0; i < w->nlocal; i++)
				netnode_tick(w, &w->nodes[i], now);
			next_tick = now + NET_TICK_MS * NET_NS_PER_MS;
		}
		if (now >= next_sweep) {
			netconn_sweep(w, now);
			next_sweep = now + NET_SWEEP_MS * NET_NS_PER_MS;
		}
		while (b < cfg->blocks &&
		       now >= net_at(w, cfg->settle_ms +
						(int64_t)b * NET_BLOCK_GAP_MS))
			netrelay_mine(w, b++);
		netconn_reap(w);
	}
	return net_stop ? -EINTR : 0;
}

static void net_figures(const struct networld *w, int64_t started)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	log_info("part %d/%d phase %s: %d nodes, %ld sockets, peak %ld fds, "
		 "%ld setns, cpu %.2f s user %.2f s sys, wall %.1f s, "
		 "%d connections, %d punch attempts, %d evictions",
		 w->part, w->parts, w->phase->name, w->nlocal, w->sockets,
		 w->peak_fds, w->setns_calls,
		 (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
		 (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
		 (double)(mono_ns() - started) / 1e9, w->nrc, w->nrp, w->nre);
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = net_on_signal};
	int64_t started = mono_ns();
	struct networld w;
	struct net_opts o;
	struct netcfg cfg;
	char err[512], tag[32];
	int phase, r, rc = 0;

	if (net_parse(argc, argv, &o))
		return 2;
	snprintf(tag, sizeof(tag), "net %d/%d", o.part, o.parts);
	log_init(tag, o.verbose);
	if (netcfg_load(o.nodes, &cfg, err, sizeof(err))) {
		fprintf(stderr, "punch-net: %s\n", err);
		return 2;
	}
	phase = netcfg_phase_find(&cfg, o.phase);
	if (phase < 0) {
		fprintf(stderr, "punch-net: --phase %s: not a phase of %s\n",
			o.phase, o.nodes);
		netcfg_free(&cfg);
		return 2;
	}
	r = net_fd_budget(networld_fd_need(&cfg, cfg.phases[phase].mode,
					   o.part, o.parts));
	if (r) {
		if (r != -EMFILE)
			fprintf(stderr, "punch-net: RLIMIT_NOFILE: %s\n",
				strerror(-r));
		netcfg_free(&cfg);
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	r = networld_init(&w, &cfg, phase, o.part, o.parts, o.t0_ns, err,
			  sizeof(err));
	if (r) {
		fprintf(stderr, "punch-net: %s\n", err);
		rc = r == -ENOENT ? 2 : 1;
		goto out;
	}
	if (net_run(&w))
		rc = 1;
	r = netout_write(&w, o.out);
	if (r) {
		fprintf(stderr, "punch-net: %s: %s\n", o.out, strerror(-r));
		rc = 1;
	}
	net_figures(&w, started);
out:
	networld_free(&w);
	netcfg_free(&cfg);
	return rc;
}
