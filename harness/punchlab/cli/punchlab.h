/* punchlab: what the subcommands share — exit codes, the stop flag set by
 * SIGINT/SIGTERM, and where the other programs and files live. */
#ifndef PUNCHLAB_PUNCHLAB_H
#define PUNCHLAB_PUNCHLAB_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "scenario.h"

enum {
	EXIT_PASS = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_SKIP = 4, /* not root, or an optional tool is missing */
};

extern volatile sig_atomic_t punchlab_stop;

/* SIGINT, SIGTERM and SIGHUP set punchlab_stop; SIGPIPE is ignored. */
void punchlab_signals(void);
/* EXIT_PASS when root, else prints why cmd needs root: EXIT_SKIP. */
int punchlab_need_root(const char *cmd);
/* Path of a file next to the punchlab binary (e.g. "punch-agent"). */
int punchlab_sibling(const char *name, char *buf, size_t cap);
/* The folder of the punchlab binary, where punch-agent and the daemons
 * are too. */
const char *punchlab_bindir(void);
/* Default folder of NAT profiles: ./nat-profiles if it exists, else the
 * one of the source tree the binary was built in. */
const char *punchlab_profile_dir(void);

/* `punchlab CMD [--profiles DIR] SCENARIO.ini`: the scenario loaded
 * (caller frees with punchlab_scenario_free), or NULL with *ret the exit code (help printed: 0; bad
 * usage or input, said on stderr: 2). */
struct scenario *punchlab_scenario_arg(const char *cmd, int argc, char **argv,
				       void (*usage)(FILE *f), int *ret);
/* Frees a scenario from punchlab_scenario_arg; NULL is safe. */
void punchlab_scenario_free(struct scenario *s);

int cmd_run(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_estimate(int argc, char **argv);
int cmd_bundle(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_clean(int argc, char **argv);
int cmd_nat(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_probe(int argc, char **argv);

#endif
