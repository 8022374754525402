/* exec: an outside puncher on this side. After the agent's meeting (the
 * harness's own endpoint discovery), run the program from its command
 * template at the agreed start, in its own process group, with stdin and
 * stdout as pipes, and judge it: with a token, success is the peer's
 * token on its stdout; with conntrack, the harness judges afterwards from
 * the routers (the agent reports how the program ended). */
#ifndef PUNCHLAB_AGENT_EXEC_H
#define PUNCHLAB_AGENT_EXEC_H

#include <stdint.h>

#include "outcome.h"
#include "trial.h"

#define EXEC_TOKEN_MAX 64
/* After the peer's token: how long the program may take to end by
 * itself (its stdin is closed) before its group is killed. It keeps the
 * connection that long for the peer's token to arrive too. */
#define EXEC_LINGER_MS 1000

struct exec_params {
	const char *tmpl;	/* cmdtmpl.h */
	int conntrack;		/* 0: verify by token */
	const char *token;	/* ours, written to its stdin */
	const char *peer_token; /* looked for on its stdout */
	const char *stderr_path; /* NULL: the agent's stderr */
	const char *name;	/* PUNCH_NAME: carries the run id */
	uint16_t local_port;
	int64_t deadline_ns;
};

struct exec_result {
	int started;
	int64_t t_exec_ns;     /* fork, at the agreed start */
	int64_t t_verified_ns; /* the peer's token seen; 0 = not */
	int64_t t_exit_ns;     /* the program ended by itself; 0 = not */
	int status;	       /* its wait status when it ended by itself */
	int killed;	       /* stopped by the agent (deadline, SIGTERM) */
};

/* Runs the program for meeting result r (t_start_ns, punch). 0 when
 * verified by token; -1 with o: setup (no start: template, stderr file,
 * exec), timeout (still running at the deadline), unverified (ended
 * without the peer's token; with conntrack: ended at all). */
int exec_run(const struct exec_params *p, const struct trial_result *r,
	     struct exec_result *x, struct outcome *o);

#endif
