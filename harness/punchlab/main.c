/* punchlab: dispatches to one subcommand per file from a {name, fn, help}
 * table, as wireguard-tools' wg.c does. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "punchlab.h"

volatile sig_atomic_t punchlab_stop;

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "run", cmd_run, "run scenarios and check their expectations" },
	{ "report", cmd_report, "write report.md and figures for runs" },
	{ "bundle", cmd_bundle, "pack a run into one archive for a bug report" },
	{ "replay", cmd_replay, "rerun the scenario in a bundle" },
	{ "up", cmd_up, "build a scenario's topology and leave it up" },
	{ "down", cmd_down, "remove a topology left up (by run id)" },
	{ "clean", cmd_clean, "remove what killed runs left behind" },
	{ "nat", cmd_nat, "show the nftables ruleset of a NAT profile" },
	{ "probe", cmd_probe, "measure that a NAT profile behaves as declared" },
};

static void on_signal(int sig)
{
	(void)sig;
	punchlab_stop = 1;
}

void punchlab_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int punchlab_need_root(const char *cmd)
{
	if (geteuid() == 0)
		return EXIT_PASS;
	fprintf(stderr,
		"punchlab %s: needs root (it creates network namespaces and "
		"nftables rules); try: sudo punchlab %s ...\n",
		cmd, cmd);
	return EXIT_SKIP;
}

int punchlab_sibling(const char *name, char *buf, size_t cap)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n < 0)
		return -errno;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	if ((size_t)snprintf(buf, cap, "%s/%s", exe, name) >= cap)
		return -ENAMETOOLONG;
	return 0;
}

const char *punchlab_profile_dir(void)
{
	static char dir[PATH_MAX];

	if (access("nat-profiles", R_OK | X_OK) == 0)
		return "nat-profiles";
	/* build/bin/punchlab -> ../../nat-profiles */
	if (punchlab_sibling("../../nat-profiles", dir, sizeof(dir)) == 0 &&
	    access(dir, R_OK | X_OK) == 0)
		return dir;
	return "nat-profiles";
}

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
