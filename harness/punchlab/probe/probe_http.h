/* probe_http: the client side of the probe server's HTTP/1.0 exchange —
 * the request it sends and the checks its answer must pass. Pure. */
#ifndef PUNCHLAB_PROBE_HTTP_H
#define PUNCHLAB_PROBE_HTTP_H

#include <stddef.h>

#include "probe.h"

#define PROBE_HTTP_MAX 1024 /* a longer answer is not the probe server's */

struct probe_http_answer {
	struct probe_ep observed; /* the client as the server saw it */
	uint16_t server_port;
};

/* The request for server (host header), into buf. Length or -ENOSPC. */
int probe_http_request(char *buf, size_t cap, const struct probe_ep *server);
/* Parses a whole answer (read to EOF): status 200, an empty line, a JSON
 * object with observed_ip (dotted IPv4), observed_port and server_port
 * (1..65535). 0, -EMSGSIZE when len > PROBE_HTTP_MAX, -EPROTO otherwise
 * (why, when not NULL, says what was wrong). */
int probe_http_parse(const char *buf, size_t len, struct probe_http_answer *out,
		     char *why, size_t why_cap);

#endif
