/* punchlab bundle / replay: bug-report bundles of a run (its folder with
 * captures and snapshots, the scenario and profiles as they ran,
 * versions) are packed and unpacked by harness/py/bundle.py; a replay
 * then runs the unpacked scenario here, as `punchlab run` does. */
#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optparse.h"
#include "punchlab.h"
#include "pyrun.h"
#include "rundir.h"

int cmd_bundle(int argc, char **argv)
{
	return pyrun_exec("bundle.py", argc - 1, argv + 1);
}

static void replay_usage(FILE *f)
{
	fprintf(f,
		"Usage: punchlab replay BUNDLE [--results DIR] [--cell NAME] "
		"[--trial N] [--capture]\n\n"
		"Unpacks a bundle made by `punchlab bundle` and runs its "
		"scenario with its\nown profiles, as `punchlab run` would "
		"(the same options, the same exit\ncodes). Versions that "
		"differ from the bundle's are named first.\n");
}

/* The one DIR/<scenario>.ini bundle.py --unpack leaves. */
static int find_scenario(const char *dir, char *path, size_t cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l > 4 && !strcmp(e->d_name + l - 4, ".ini") &&
		    (size_t)snprintf(path, cap, "%s/%s", dir, e->d_name) < cap)
			n++;
	}
	if (d)
		closedir(d);
	return n == 1 ? 0 : -1;
}

int cmd_replay(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "results", required_argument, NULL, 'r' },
		{ "cell", required_argument, NULL, 'c' },
		{ "trial", required_argument, NULL, 't' },
		{ "capture", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char tmp[] = "/tmp/punchlab-replay-XXXXXX", scen[PATH_MAX],
	     prof[PATH_MAX];
	const char *results = "results", *cell = NULL, *trial = NULL;
	char *av[16], *unpack[4];
	int opt, capture = 0, n = 0, rc, t;

	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (opt) {
		case 'r':
			results = optarg;
			break;
		case 'c':
			cell = optarg;
			break;
		case 't':
			if (optparse_int(optarg, 0, INT_MAX, &t) < 0) {
				fprintf(stderr, "punchlab replay: --trial "
						"wants a number >= 0\n");
				return EXIT_USAGE;
			}
			trial = optarg;
			break;
		case 'C':
			capture = 1;
			break;
		case 'h':
			replay_usage(stdout);
			return EXIT_PASS;
		default:
			replay_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		replay_usage(stderr);
		return EXIT_USAGE;
	}
	if (!mkdtemp(tmp)) {
		perror("punchlab replay: mkdtemp");
		return EXIT_FAIL;
	}
	unpack[0] = "--unpack";
	unpack[1] = argv[optind];
	unpack[2] = "--into";
	unpack[3] = tmp;
	rc = pyrun_wait("bundle.py", 4, unpack);
	if (rc != EXIT_PASS)
		goto out;
	rc = EXIT_USAGE;
	if (find_scenario(tmp, scen, sizeof(scen)) < 0 ||
	    (size_t)snprintf(prof, sizeof(prof), "%s/profiles", tmp) >=
		    sizeof(prof)) {
		fprintf(stderr, "punchlab replay: %s holds no scenario\n",
			argv[optind]);
		goto out;
	}
	av[n++] = "run";
	av[n++] = "--profiles";
	av[n++] = prof;
	av[n++] = "--results";
	av[n++] = (char *)results;
	if (cell) {
		av[n++] = "--cell";
		av[n++] = (char *)cell;
	}
	if (trial) {
		av[n++] = "--trial";
		av[n++] = (char *)trial;
	}
	if (capture)
		av[n++] = "--capture";
	av[n++] = scen;
	av[n] = NULL;
	printf("punchlab");
	for (int i = 0; i < n; i++)
		printf(" %s", av[i]);
	printf("\n");
	fflush(stdout);
	optind = 0; /* cmd_run parses its own options from the start */
	rc = cmd_run(n, av);
out:
	rundir_rm_tree(tmp);
	return rc;
}
