/* punchlab: dispatches to one subcommand per file from a {name, fn, help}
 * table, as wireguard-tools' wg.c does. */
#include <stdio.h>
#include <string.h>

#include "hostfit.h"
#include "log.h"
#include "punchlab.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "run", cmd_run, "run scenarios and check their expectations" },
	{ "merge", cmd_merge, "join the shards of a run into one run folder" },
	{ "report", cmd_report, "write report.md and figures for runs" },
	{ "estimate", cmd_estimate,
	  "expected success between two home nodes of a population" },
	{ "bundle", cmd_bundle, "pack a run into one archive for a bug report" },
	{ "replay", cmd_replay, "rerun the scenario in a bundle" },
	{ "plan", cmd_plan, "print the topology a scenario would build" },
	{ "up", cmd_up, "build a scenario's topology and leave it up" },
	{ "down", cmd_down, "remove a topology left up (by run id)" },
	{ "clean", cmd_clean, "remove what killed runs left behind" },
	{ "nat", cmd_nat, "show the nftables ruleset of a NAT profile" },
	{ "probe", cmd_probe, "measure that a NAT profile behaves as declared" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: punchlab COMMAND [ARGS]\n\n"
		   "Measures TCP hole punching between nodes behind emulated "
		   "NATs.\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n`punchlab COMMAND --help` tells more.\n"
		   "Exit codes: 0 pass, 1 fail, 2 usage or bad input, "
		   "4 skipped (not root).\n");
}

int main(int argc, char **argv)
{
	log_init("punchlab", 0);
	/* A world holds one fd per namespace: take all the kernel allows
	 * (hostfit_check says when even that is too few). */
	if (hostfit_raise_nofile() < 0)
		log_warn("raising RLIMIT_NOFILE to its hard limit");
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_PASS;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "punchlab: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
