/* probereply: request text and answer checks for punch-probe-server. The
 * answer is bounded and checked field by field before any use. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "probereply.h"

int probereply_request(char *buf, size_t cap, const char *host)
{
	int n;

	n = snprintf(buf, cap,
		     "GET / HTTP/1.0\r\nHost: %s\r\n"
		     "User-Agent: punchlab-probe\r\n\r\n",
		     host);
	return n < 0 || (size_t)n >= cap ? -ENOSPC : n;
}

static int probereply_fail(char *why, size_t cap, const char *msg)
{
	if (why && cap)
		snprintf(why, cap, "%s", msg);
	return -EPROTO;
}

static int probereply_port(json_t *o, const char *key, uint16_t *out)
{
	json_t *v = json_object_get(o, key);
	json_int_t n;

	if (!json_is_integer(v))
		return -1;
	n = json_integer_value(v);
	if (n < 1 || n > 65535)
		return -1;
	*out = (uint16_t)n;
	return 0;
}

int probereply_parse(const char *buf, size_t len, struct probereply *out,
		     char *why, size_t why_cap)
{
	const char *body, *ipstr;
	json_error_t jerr;
	struct in_addr a;
	json_t *root, *ip;
	size_t head;
	int e = 0;

	if (len > PROBEREPLY_MAX) {
		probereply_fail(why, why_cap, "answer too long");
		return -EMSGSIZE;
	}
	/* "HTTP/1.x 200 ..." then headers; the body follows the first
	 * empty line (CRLF CRLF, or bare LFs from a lenient server). */
	if (len < 13 || memcmp(buf, "HTTP/1.", 7) != 0 ||
	    memcmp(buf + 8, " 200", 4) != 0 ||
	    (buf[12] != ' ' && buf[12] != '\r' && buf[12] != '\n'))
		return probereply_fail(why, why_cap, "status is not 200");
	body = NULL;
	for (head = 0; head + 1 < len && !body; head++) {
		if (buf[head] != '\n')
			continue;
		if (buf[head + 1] == '\n')
			body = buf + head + 2;
		else if (head + 2 < len && buf[head + 1] == '\r' &&
			 buf[head + 2] == '\n')
			body = buf + head + 3;
	}
	if (!body)
		return probereply_fail(why, why_cap, "no end of headers");
	root = json_loadb(body, len - (size_t)(body - buf),
			  JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(root)) {
		json_decref(root);
		return probereply_fail(why, why_cap,
				       "body is not a JSON object");
	}
	ip = json_object_get(root, "observed_ip");
	ipstr = json_string_value(ip);
	if (!ipstr || strlen(ipstr) >= INET_ADDRSTRLEN ||
	    inet_pton(AF_INET, ipstr, &a) != 1)
		e = probereply_fail(why, why_cap, "observed_ip is not IPv4");
	else if (probereply_port(root, "observed_port", &out->port) ||
		 probereply_port(root, "server_port", &out->server_port))
		e = probereply_fail(why, why_cap,
				    "observed_port or server_port missing or "
				    "not 1..65535");
	else
		out->ip = a.s_addr;
	json_decref(root);
	return e;
}
