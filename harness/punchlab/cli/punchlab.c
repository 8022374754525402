/* punchlab: what every subcommand shares — the stop flag set by signals, the
 * root check, and where the other programs and the NAT profiles live. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "punchlab.h"

volatile sig_atomic_t punchlab_stop;

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

const char *punchlab_bindir(void)
{
	static char dir[PATH_MAX];

	if (!dir[0] && punchlab_sibling(".", dir, sizeof(dir)) == 0)
		dir[strlen(dir) - 2] = '\0'; /* "<dir>/." -> "<dir>" */
	return dir[0] ? dir : ".";
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

struct scenario *punchlab_scenario_arg(const char *cmd, int argc, char **argv,
				       void (*usage)(FILE *f), int *ret)
{
	const char *profiles = punchlab_profile_dir(), *path = NULL;
	struct cfg_error ce;
	struct scenario *s;
	char msg[1200];

	*ret = EXIT_USAGE;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			*ret = EXIT_PASS;
			return NULL;
		} else if (!strcmp(argv[i], "--profiles") && i + 1 < argc) {
			profiles = argv[++i];
		} else if (!path && argv[i][0] != '-') {
			path = argv[i];
		} else {
			usage(stderr);
			return NULL;
		}
	}
	if (!path) {
		usage(stderr);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		*ret = EXIT_FAIL;
		return NULL;
	}
	if (scenario_load(path, profiles, s, &ce) < 0) {
		fprintf(stderr, "punchlab %s: %s\n", cmd,
			cfg_error_str(&ce, msg, sizeof(msg)));
		scenario_free(s);
		free(s);
		return NULL;
	}
	*ret = EXIT_PASS;
	return s;
}

void punchlab_scenario_free(struct scenario *s)
{
	scenario_free(s);
	free(s);
}
