/* punchlab up SCENARIO / punchlab down RUN-ID: build a scenario's topology
 * and leave it up for debugging by hand, then remove it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "daemons.h"
#include <limits.h>
#include "punchlab.h"
#include "world.h"

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
	printf("run %s is up. Namespaces:\n", w->rid);
	printf("  %-32s internet (routes the WAN)\n", w->inet.ns);
	printf("  %-32s coordinator host, %s\n", w->charlie.ns,
	       WORLD_COORD_ADDR);
	for (int c = 0; c < w->ncells; c++)
		for (int s = 0; s < 2; s++) {
			const struct world_side *sd = &w->cells[c].side[s];

			printf("  %-32s router, WAN %s, profile %s\n",
			       sd->router.ns, sd->wan_addr, sd->profile->name);
			printf("  %-32s home host %s\n", sd->host.ns,
			       sd->lan_addr);
		}
	printf("\nGet in:      ip netns exec %s bash\n",
	       w->cells[0].side[0].host.ns);
	printf("NAT rules:   ip netns exec %s nft list table ip %s\n",
	       w->cells[0].side[0].router.ns, w->table);
	printf("Coordinator: running in %s on %s:%d\n", w->charlie.ns,
	       WORLD_COORD_ADDR, WORLD_COORD_PORT);
	printf("Agent:       ip netns exec %s build/bin/punch-agent "
	       "--coordinator %s:%d --local-port 20000 --key 1\n",
	       w->cells[0].side[0].host.ns, WORLD_COORD_ADDR,
	       WORLD_COORD_PORT);
	printf("Remove:      punchlab down %s\n", w->rid);
}

int cmd_up(int argc, char **argv)
{
	const char *profiles = punchlab_profile_dir(), *path = NULL;
	char rid[RUNID_LEN + 1], err[1024] = "", msg[1200];
	struct cfg_error ce;
	struct scenario *s;
	struct world *w;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			up_usage(stdout);
			return EXIT_PASS;
		} else if (!strcmp(argv[i], "--profiles") && i + 1 < argc) {
			profiles = argv[++i];
		} else if (!path && argv[i][0] != '-') {
			path = argv[i];
		} else {
			up_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!path) {
		up_usage(stderr);
		return EXIT_USAGE;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return EXIT_FAIL;
	if (scenario_load(path, profiles, s, &ce) < 0) {
		fprintf(stderr, "punchlab up: %s\n",
			cfg_error_str(&ce, msg, sizeof(msg)));
		free(s);
		return EXIT_USAGE;
	}
	ret = punchlab_need_root("up");
	if (ret != EXIT_PASS || runid_new(rid) < 0) {
		free(s);
		return ret != EXIT_PASS ? ret : EXIT_FAIL;
	}
	punchlab_signals();
	w = world_new(rid, s, &punchlab_stop, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "punchlab up: %s\n", err);
		free(s);
		return EXIT_FAIL;
	}
	/* The coordinator and the shaper (if any link is conditioned) stay up
	 * with the topology, until `punchlab down`. */
	char dir[PATH_MAX];
	const char *method = "none";

	snprintf(dir, sizeof(dir), "results/%s/%s", s->name, rid);
	if (daemons_mkdir_p(dir) < 0 ||
	    daemons_shaper(w, s, dir, &method, 1) < 0 ||
	    daemons_coordinator(w, dir, s->mode, 0, 1, NULL) < 0) {
		fprintf(stderr, "punchlab up: starting the daemons failed; "
				"removing the topology\n");
		world_free(w);
		free(s);
		return EXIT_FAIL;
	}
	print_access(w); /* w points into s */
	printf("Link conditions: %s; logs in %s\n", method, dir);
	world_detach(w);
	free(s);
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
