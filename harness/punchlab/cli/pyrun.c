/* pyrun: runs the Python scripts of harness/py/ (report, JUnit, CSV,
 * bundle) with the system's /usr/bin/python3; they read only result
 * files and never touch the network. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "punchlab.h"
#include "pyrun.h"

#define PYTHON "/usr/bin/python3"

int pyrun_exec(const char *script, int argc, char **argv)
{
	char path[PATH_MAX];
	char **av;

	if (punchlab_sibling("../../harness/py", path, sizeof(path)) < 0 ||
	    strlen(path) + strlen(script) + 2 > sizeof(path)) {
		fprintf(stderr, "punchlab: cannot find harness/py\n");
		return EXIT_FAIL;
	}
	strcat(path, "/");
	strcat(path, script);
	if (access(path, R_OK) < 0) {
		fprintf(stderr, "punchlab: %s: %s\n", path, strerror(errno));
		return EXIT_FAIL;
	}
	av = calloc(argc + 3, sizeof(*av));
	if (!av)
		return EXIT_FAIL;
	av[0] = PYTHON;
	av[1] = path;
	for (int i = 0; i < argc; i++)
		av[i + 2] = argv[i];
	fflush(stdout);
	execv(PYTHON, av);
	fprintf(stderr, "punchlab: cannot run %s: %s (apt-get install python3 "
			"python3-matplotlib)\n",
		PYTHON, strerror(errno));
	free(av);
	return EXIT_SKIP;
}

int pyrun_wait(const char *script, int argc, char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return EXIT_FAIL;
	if (pid == 0)
		_exit(pyrun_exec(script, argc, argv));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return EXIT_FAIL;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_FAIL;
}
