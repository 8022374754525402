/* outcome: how a trial or a node check ended — "ok" or one failure reason
 * from the design's list — with a human detail line for the JSON output. */
#ifndef PUNCHLAB_AGENT_OUTCOME_H
#define PUNCHLAB_AGENT_OUTCOME_H

#include <stdarg.h>

#include "outcomes.h"

struct outcome {
	enum outcome_code code;
	char error[256]; /* "" when there is nothing to add */
};

/* Sets code and the printf-style detail, and logs the detail. Returns -1
 * so callers can `return outcome_set(...)`. */
int outcome_set(struct outcome *o, enum outcome_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* For an error (-errno) of a connection to the peer: -ECONNREFUSED is
 * refused, -EHOSTUNREACH/-ENETUNREACH unreachable, -ETIMEDOUT and -EINTR
 * (terminated) timeout; anything else on an established connection means
 * the far end is not the announced peer speaking our protocol. */
enum outcome_code outcome_from_peer_errno(int err);

/* Fails with code and "what: strerror", except that -EINTR (SIGTERM) is
 * always outcome timeout with the detail "terminated". Returns -1. */
int outcome_errno(struct outcome *o, enum outcome_code code, int err,
		  const char *what);

/* "terminated" for -EINTR (the agent got SIGTERM), else strerror. */
const char *outcome_errstr(int err);

#endif
