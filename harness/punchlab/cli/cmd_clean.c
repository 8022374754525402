/* punchlab clean: removes what killed runs left — their processes (by
 * recorded pid and start time), namespaces pl-<rid>-* and state folders —
 * and nothing that is not punchlab's. */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "punchlab.h"
#include "runid.h"

static void clean_usage(FILE *f)
{
	fprintf(f, "Usage: punchlab clean [--force] [RUN-ID]\n\n"
		   "Removes namespaces (pl-<run-id>-*), processes and state of "
		   "runs whose\npunchlab process is gone. --force also takes "
		   "runs that are still going\nand topologies left up by "
		   "punchlab up or probe --keep.\nExit codes: 0 clean, 1 "
		   "something could not be removed, 2 usage, 4 not root.\n");
}

static void report(const char *what, const char *name, int err, void *arg)
{
	int *count = arg;

	if (!strcmp(what, "skip")) {
		printf("  run %s is still going (use --force to remove it)\n",
		       name);
		return;
	}
	if (!strcmp(what, "kept")) {
		printf("  run %s was left up on purpose: punchlab down %s\n",
		       name, name);
		return;
	}
	(*count)++;
	if (err < 0 && err != -2 /* ENOENT */)
		printf("  %s %s: %s\n", what, name, strerror(-err));
	else
		printf("  removed %s %s\n", what, name);
}

int cmd_clean(int argc, char **argv)
{
	const char *rid = NULL;
	int force = 0, count = 0, failed, ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			clean_usage(stdout);
			return EXIT_PASS;
		} else if (!strcmp(argv[i], "--force")) {
			force = 1;
		} else if (!rid && runid_valid(argv[i])) {
			rid = argv[i];
		} else {
			fprintf(stderr,
				"punchlab clean: '%s' is not a run id (6 hex "
				"digits)\n",
				argv[i]);
			clean_usage(stderr);
			return EXIT_USAGE;
		}
	}
	ret = punchlab_need_root("clean");
	if (ret != EXIT_PASS)
		return ret;
	failed = cleanup_stale(rid, force, report, &count);
	if (!count)
		printf("punchlab clean: nothing to remove\n");
	return failed ? EXIT_FAIL : EXIT_PASS;
}
