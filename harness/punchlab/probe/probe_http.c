/* probe_http: request text and answer checks for punch-probe-server. The
 * answer is bounded and checked field by field before any use. */
#include <errno.h>
#include <stdio.h>

#include "probe_class.h"
#include "probe_http.h"
#include "probereply.h"

int probe_http_request(char *buf, size_t cap, const struct probe_ep *server)
{
	char ep[32];
	int n;

	n = snprintf(buf, cap,
		     "GET / HTTP/1.0\r\nHost: %s\r\n"
		     "User-Agent: punchlab-probe\r\n\r\n",
		     probe_ep_str(server, ep, sizeof(ep)));
	return n < 0 || (size_t)n >= cap ? -ENOSPC : n;
}

/* The checks themselves are shared with the agent (probereply.c). */
int probe_http_parse(const char *buf, size_t len, struct probe_http_answer *out,
		     char *why, size_t why_cap)
{
	struct probereply rep;
	int e;

	e = probereply_parse(buf, len, &rep, why, why_cap);
	if (e)
		return e;
	out->observed.ip = rep.ip;
	out->observed.port = rep.port;
	out->server_port = rep.server_port;
	return 0;
}
