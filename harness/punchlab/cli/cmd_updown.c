/* punchlab up SCENARIO / punchlab down RUN-ID: build a scenario's topology
 * and leave it up for debugging by hand, then remove it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "punchlab.h"
#include "runid.h"
#include "pcpd.h"
#include "session.h"

static void up_usage(FILE *f)
{
	fprintf(f, "Usage: punchlab up [--profiles DIR] SCENARIO.ini\n\n"
		   "Builds the scenario's namespaces, links and NAT rules, "
		   "starts the\ncoordinator (and the link shaper), prints how to get in, "
		   "and leaves it\nall up until `punchlab down RUN-ID`.\nExit codes: 0 up, 1 "
		   "failed (nothing left), 2 bad input, 4 not root.\n");
}

static void down_usage(FILE *f)
{
	fprintf(f, "Usage: punchlab down RUN-ID\n\n"
		   "Removes everything of a run left up by `punchlab up` (or "
		   "by a run that\nwas killed). Exit codes: 0 removed, 1 "
		   "something remains, 2 usage, 4 not root.\n");
}

static void print_access(const struct world *w)
{
	const struct world_side *a = &w->cells[0].side[0];

	printf("run %s is up. Namespaces:\n", w->rid);
	printf("  %-32s internet (routes the WAN)\n", w->inet->ns);
	printf("  %-32s coordinator host, %s%s\n", w->charlie->ns,
	       PLAN_COORD_ADDR, w->plan->table6[0] ? " and 2001:db8::1" : "");
	for (int c = 0; c < w->ncells; c++)
		for (int s = 0; s < 2; s++) {
			const struct world_side *sd = &w->cells[c].side[s];

			if (sd->p->shared) { /* bob on router a's LAN */
				printf("  %-32s home host %s%s%s, behind "
				       "router %s too\n",
				       sd->host->ns, sd->p->lan_addr,
				       sd->p->v6 ? " and " : "",
				       sd->p->lan6_addr, sd->router->ns);
				continue;
			}
			if (sd->carrier)
				printf("  %-32s carrier NAT, WAN %s, profile "
				       "%s\n",
				       sd->carrier->ns, sd->p->wan_addr,
				       sd->p->carrier_profile->name);
			printf("  %-32s router, WAN %s, profile %s\n",
			       sd->router->ns,
			       sd->carrier ? PLAN_CGN_ROUTER_WAN :
					     sd->p->wan_addr,
			       sd->p->profile->name);
			if (sd->p->profile->pcp.server != PCP_SERVER_OFF)
				printf("  %-32s miniupnpd: PCP + NAT-PMP on its "
				       "LAN address, port %d\n",
				       "", PCPD_PORT);
			printf("  %-32s home host %s%s%s\n", sd->host->ns,
			       sd->p->lan_addr, sd->p->v6 ? " and " : "",
			       sd->p->lan6_addr);
			for (int i = 0; i < sd->p->nextra; i++)
				printf("  %-32s home host %s (background "
				       "node during trials)\n",
				       w->hosts[sd->p->extra[i]].ns,
				       sd->p->extra_addr[i]);
		}
	printf("\nGet in:      ip netns exec %s bash\n", a->host->ns);
	printf("NAT rules:   ip netns exec %s nft list table ip %s\n",
	       a->router->ns, w->table);
	if (w->plan->table6[0])
		printf("IPv6 filter: ip netns exec <router> nft list table "
		       "ip6 %s\n", w->plan->table6);
	printf("Coordinator: running in %s on %s:%d\n", w->charlie->ns,
	       PLAN_COORD_ADDR, PLAN_COORD_PORT);
	printf("Agent:       ip netns exec %s build/bin/punch-agent "
	       "--coordinator %s:%d --local-port 20000 --key 1\n",
	       a->host->ns, PLAN_COORD_ADDR, PLAN_COORD_PORT);
	printf("Remove:      punchlab down %s\n", w->rid);
}

int cmd_up(int argc, char **argv)
{
	struct session ss = { 0 };
	char err[1024] = "";
	int ret;
	struct scenario *s = punchlab_scenario_arg("up", argc, argv, up_usage,
						   &ret);

	if (!s)
		return ret;
	if (s->net) { /* its world lives for the phases of one run */
		fprintf(stderr, "punchlab up: %s is a [network] scenario; run "
				"it with punchlab run\n",
			s->path);
		punchlab_scenario_free(s);
		return EXIT_USAGE;
	}
	ret = punchlab_need_root("up");
	if (ret != EXIT_PASS) {
		punchlab_scenario_free(s);
		return ret;
	}
	punchlab_signals();
	/* The coordinator and the shaper (if any link is conditioned) stay up
	 * with the topology, until `punchlab down`. */
	ret = session_open(&ss, s, punchlab_bindir(), "results",
			   &punchlab_stop, err, sizeof(err));
	if (ret == -EINVAL) {
		fprintf(stderr, "punchlab up: %s\n", err);
		punchlab_scenario_free(s);
		return EXIT_USAGE;
	}
	if (ret < 0 || session_start(&ss, 0, 1) < 0) {
		fprintf(stderr, "punchlab up: %s; removing the topology\n",
			err[0] ? err : "starting the daemons failed");
		session_close(&ss);
		punchlab_scenario_free(s);
		return EXIT_FAIL;
	}
	print_access(ss.w);
	printf("Link conditions: %s; logs in %s\n", ss.link_method, ss.dir);
	session_detach(&ss);
	punchlab_scenario_free(s);
	return EXIT_PASS;
}

int cmd_down(int argc, char **argv)
{
	int ret;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		down_usage(stdout);
		return EXIT_PASS;
	}
	if (argc != 2 || !runid_valid(argv[1])) {
		down_usage(stderr);
		return EXIT_USAGE;
	}
	ret = punchlab_need_root("down");
	if (ret != EXIT_PASS)
		return ret;
	if (cleanup_stale(argv[1], 1, NULL, NULL)) {
		fprintf(stderr, "punchlab down: some of run %s remains; see "
				"`ip netns list`\n",
			argv[1]);
		return EXIT_FAIL;
	}
	printf("run %s removed\n", argv[1]);
	return EXIT_PASS;
}
