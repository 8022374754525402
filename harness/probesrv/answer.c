/* answer: HTTP/1.0 framing for the probe server. The body names the
 * source address and port the server saw, which behind a NAT is the
 * mapping the NAT made. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "answer.h"

int answer_head_done(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return 1;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return 1;
	}
	return 0;
}

int answer_is_get(const char *buf, size_t len)
{
	const char *line_end = memchr(buf, '\n', len);
	const char *sp;
	size_t n;

	if (!line_end)
		return 0;
	n = (size_t)(line_end - buf);
	if (n && buf[n - 1] == '\r')
		n--;
	if (n < 4 || memcmp(buf, "GET ", 4) != 0)
		return 0;
	/* "GET <target> HTTP/1.x": one space-free target, then the version. */
	sp = memchr(buf + 4, ' ', n - 4);
	if (!sp || sp == buf + 4)
		return 0;
	n -= (size_t)(sp + 1 - buf);
	sp++;
	return n == 8 && memcmp(sp, "HTTP/1.", 7) == 0 && sp[7] >= '0' &&
	       sp[7] <= '9';
}

int answer_format(char *buf, size_t cap, enum answer_status st,
		  const struct sockaddr_in *peer, uint16_t server_port)
{
	char ip[INET_ADDRSTRLEN], body[256];
	const char *status;
	int blen, n;

	if (!peer || peer->sin_family != AF_INET ||
	    !inet_ntop(AF_INET, &peer->sin_addr, ip, sizeof(ip)))
		return -EINVAL;
	switch (st) {
	case ANSWER_OK:
		status = "200 OK";
		blen = snprintf(body, sizeof(body),
				"{\"observed_ip\": \"%s\", \"observed_port\": "
				"%u, \"server_port\": %u}\n",
				ip, ntohs(peer->sin_port), server_port);
		break;
	case ANSWER_NOT_GET:
		status = "400 Bad Request";
		blen = snprintf(body, sizeof(body),
				"{\"error\": \"only GET is served\"}\n");
		break;
	case ANSWER_TOO_LARGE:
	default:
		status = "431 Request Header Fields Too Large";
		blen = snprintf(body, sizeof(body),
				"{\"error\": \"request head over %d bytes\"}\n",
				ANSWER_REQ_MAX);
		break;
	}
	if (blen < 0 || (size_t)blen >= sizeof(body))
		return -ENOSPC;
	n = snprintf(buf, cap,
		     "HTTP/1.0 %s\r\nContent-Type: application/json\r\n"
		     "Content-Length: %d\r\nConnection: close\r\n\r\n%s",
		     status, blen, body);
	if (n < 0 || (size_t)n >= cap)
		return -ENOSPC;
	return n;
}
