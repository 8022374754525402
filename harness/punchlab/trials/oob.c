/* oob: the out-of-band mode's side channel, played by the harness
 * (standing in for Tor): each agent's first line is its public endpoint,
 * as charlie's probe server told it; once both have told theirs, each
 * gets the other's, a role, a session nonce and a common start time. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "log.h"
#include "monoclock.h"
#include "oob.h"

#define OOB_START_AFTER_NS (100 * 1000000LL)

/* Public endpoint from an agent's first line, if it is the endpoint event. */
static int oob_endpoint(struct side *sd, char *pub, size_t cap)
{
	char *nl = memchr(sd->buf, '\n', sd->len);
	json_t *j;
	int ok = 0;

	if (!nl)
		return 0;
	*nl = '\0';
	j = json_loads(sd->buf, 0, NULL);
	*nl = '\n';
	if (j && !strcmp(json_string_value(json_object_get(j, "event")) ?
				 json_string_value(json_object_get(j, "event")) :
				 "",
			 "endpoint") &&
	    json_string_value(json_object_get(j, "public"))) {
		snprintf(pub, cap, "%s",
			 json_string_value(json_object_get(j, "public")));
		ok = 1;
	}
	json_decref(j);
	if (ok) { /* the report that follows is parsed from the start */
		sd->len -= (size_t)(nl + 1 - sd->buf);
		memmove(sd->buf, nl + 1, sd->len);
	}
	return ok;
}

/* Out of band: the harness is the side channel (standing in for Tor):
 * once both agents told their public endpoint, each gets the other's,
 * a role, a session nonce and a common start time. */
void oob_relay(struct running *r)
{
	char pub[2][64], line[256];
	uint64_t nonce = 0;
	int64_t start;

	if (r->sd[0].in_fd < 0 || r->sd[1].in_fd < 0) {
		running_close_in(&r->sd[0]);
		running_close_in(&r->sd[1]);
		r->relayed = 1;
		return;
	}
	if (r->sd[0].fd < 0 || r->sd[1].fd < 0) {
		/* One agent ended before telling its endpoint: EOF on the
		 * other's channel makes it report that. */
		running_close_in(&r->sd[0]);
		running_close_in(&r->sd[1]);
		r->relayed = 1;
		return;
	}
	if (!memchr(r->sd[0].buf, '\n', r->sd[0].len) ||
	    !memchr(r->sd[1].buf, '\n', r->sd[1].len))
		return;
	if (!oob_endpoint(&r->sd[0], pub[0], sizeof(pub[0])) ||
	    !oob_endpoint(&r->sd[1], pub[1], sizeof(pub[1]))) {
		running_close_in(&r->sd[0]);
		running_close_in(&r->sd[1]);
		r->relayed = 1;
		return;
	}
	if (getrandom(&nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce))
		nonce = (uint64_t)mono_ns();
	start = mono_ns() + OOB_START_AFTER_NS;
	for (int s = 0; s < 2; s++) {
		int n = snprintf(line, sizeof(line),
				 "{\"peer\":\"%s\",\"role\":\"%s\","
				 "\"nonce\":\"%016llx\",\"start_ns\":%lld}\n",
				 pub[!s], s ? "responder" : "initiator",
				 (unsigned long long)nonce, (long long)start);

		if (write(r->sd[s].in_fd, line, (size_t)n) != n)
			log_warn("side channel to agent %d", s);
		running_close_in(&r->sd[s]);
	}
	r->relayed = 1;
}
