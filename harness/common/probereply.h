/* probereply: the client side of punch-probe-server's HTTP/1.0 exchange —
 * the request it takes and the checks its answer must pass. Pure; used by
 * `punchlab probe` and by the agent's out-of-band mode. */
#ifndef PUNCHLAB_PROBEREPLY_H
#define PUNCHLAB_PROBEREPLY_H

#include <stddef.h>
#include <stdint.h>

#define PROBEREPLY_MAX 1024 /* a longer answer is not the probe server's */

struct probereply {
	uint32_t ip;   /* the client as the server saw it, network order */
	uint16_t port; /* the client's port as seen, host order */
	uint16_t server_port;
};

/* The request for the server at host ("ip:port", for the Host header) into
 * buf. Length or -ENOSPC. */
int probereply_request(char *buf, size_t cap, const char *host);
/* Parses a whole answer (read to EOF): status 200, an empty line, a JSON
 * object with observed_ip (dotted IPv4), observed_port and server_port
 * (1..65535). 0, -EMSGSIZE when len > PROBEREPLY_MAX, -EPROTO otherwise
 * (why, when not NULL, says what was wrong). */
int probereply_parse(const char *buf, size_t len, struct probereply *out,
		     char *why, size_t why_cap);

#endif
