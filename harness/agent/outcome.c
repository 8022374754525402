/* outcome: failure reasons and their mapping from errno. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "outcome.h"

int outcome_set(struct outcome *o, enum outcome_code code, const char *fmt, ...)
{
	va_list ap;

	o->code = code;
	va_start(ap, fmt);
	vsnprintf(o->error, sizeof(o->error), fmt, ap);
	va_end(ap);
	log_warnx("%s: %s", outcome_name(code), o->error);
	return -1;
}

enum outcome_code outcome_from_peer_errno(int err)
{
	switch (err) {
	case -ECONNREFUSED:
		return OUTCOME_REFUSED;
	case -EHOSTUNREACH:
	case -ENETUNREACH:
		return OUTCOME_UNREACHABLE;
	case -ETIMEDOUT:
	case -EINTR:
		return OUTCOME_TIMEOUT;
	default:
		return OUTCOME_WRONG_PEER;
	}
}

const char *outcome_errstr(int err)
{
	if (err == -EINTR)
		return "terminated";
	if (err == -EPIPE)
		return "connection closed by peer";
	if (err == -EBADMSG)
		return "not Bitcoin P2P framing (magic, command or checksum)";
	if (err == -EMSGSIZE)
		return "message larger than allowed";
	return strerror(-err);
}

int outcome_errno(struct outcome *o, enum outcome_code code, int err,
		  const char *what)
{
	if (err == -EINTR)
		return outcome_set(o, OUTCOME_TIMEOUT, "terminated");
	return outcome_set(o, code, "%s: %s", what, outcome_errstr(err));
}
