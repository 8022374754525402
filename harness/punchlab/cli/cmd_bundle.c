/* punchlab bundle / replay: bug-report bundles of a run (its folder with
 * captures and snapshots, the scenario and profiles as they ran, versions)
 * and their replay; both are harness/py/bundle.py. */
#include <stdlib.h>
#include <string.h>

#include "punchlab.h"
#include "pyrun.h"

int cmd_bundle(int argc, char **argv)
{
	return pyrun_exec("bundle.py", argc - 1, argv + 1);
}

int cmd_replay(int argc, char **argv)
{
	char **av;
	int ret;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		char *help[] = { "--help" };

		return pyrun_exec("bundle.py", 1, help);
	}
	av = calloc(argc + 1, sizeof(*av));
	if (!av)
		return EXIT_FAIL;
	av[0] = "--replay";
	for (int i = 1; i < argc; i++)
		av[i] = argv[i];
	ret = pyrun_exec("bundle.py", argc, av);
	free(av);
	return ret;
}
