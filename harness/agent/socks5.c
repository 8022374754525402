/* socks5: RFC 1928 server exchange. Bitcoin Core offers "no auth" and
 * "user/pass" (its -proxyrandomize credentials) and always sends the
 * destination as a name; we pick "no auth" and accept a name only when it
 * spells the announced endpoint's address — nothing is resolved. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "log.h"
#include "loop.h"
#include "socks5.h"

#define SOCKS5_METHOD_NOAUTH 0x00
#define SOCKS5_METHOD_NONE 0xff

int socks5_greeting_len(const uint8_t *p, size_t len)
{
	if (len < 2)
		return -EINVAL;
	if (p[0] != SOCKS5_VERSION || p[1] == 0)
		return -EPROTO;
	return 2 + p[1];
}

int socks5_request_len(const uint8_t *p, size_t len)
{
	if (len < 5)
		return -EINVAL;
	if (p[0] != SOCKS5_VERSION)
		return -EPROTO;
	switch (p[3]) {
	case SOCKS5_ATYP_IPV4:
		return 4 + 4 + 2;
	case SOCKS5_ATYP_DOMAIN:
		return p[4] ? 4 + 1 + p[4] + 2 : -EPROTO;
	case SOCKS5_ATYP_IPV6:
		return 4 + 16 + 2;
	default:
		return -EPROTO;
	}
}

int socks5_greeting_parse(const uint8_t *p, size_t len, int *noauth)
{
	int want = socks5_greeting_len(p, len);

	if (want < 0 || len != (size_t)want)
		return -EPROTO;
	*noauth = memchr(p + 2, SOCKS5_METHOD_NOAUTH, p[1]) != NULL;
	return 0;
}

int socks5_request_parse(const uint8_t *p, size_t len, struct socks5_request *r)
{
	int want = socks5_request_len(p, len);
	const uint8_t *addr = p + 4;
	size_t alen;

	memset(r, 0, sizeof(*r));
	if (want < 0 || len != (size_t)want || p[2] != 0)
		return -EPROTO;
	r->cmd = p[1];
	r->atyp = p[3];
	switch (r->atyp) {
	case SOCKS5_ATYP_IPV4:
		inet_ntop(AF_INET, addr, r->host, sizeof(r->host));
		alen = 4;
		break;
	case SOCKS5_ATYP_IPV6:
		inet_ntop(AF_INET6, addr, r->host, sizeof(r->host));
		alen = 16;
		break;
	default: /* domain: length byte, then the name (no NUL on the wire) */
		alen = 1 + addr[0];
		memcpy(r->host, addr + 1, addr[0]);
		r->host[addr[0]] = '\0';
		if (strlen(r->host) != addr[0])
			return -EPROTO;
		break;
	}
	r->port = (uint16_t)(addr[alen] << 8 | addr[alen + 1]);
	return 0;
}

enum socks5_reply socks5_check(const struct socks5_request *r,
			       const struct sockaddr_in *allowed)
{
	size_t len = strlen(r->host), slen = strlen(SOCKS5_NAME_SUFFIX);
	char host[sizeof(r->host)];
	struct in_addr a;

	if (r->cmd != SOCKS5_CMD_CONNECT)
		return SOCKS5_CMD_UNSUPPORTED;
	if (r->atyp == SOCKS5_ATYP_IPV6)
		return SOCKS5_ATYP_UNSUPPORTED;
	memcpy(host, r->host, len + 1);
	if (r->atyp == SOCKS5_ATYP_DOMAIN && len > slen &&
	    !strcasecmp(host + len - slen, SOCKS5_NAME_SUFFIX))
		host[len - slen] = '\0';
	/* inet_pton takes only the strict dotted quad, so a name such as
	 * "127.1" or "localhost" never matches. */
	if (inet_pton(AF_INET, host, &a) != 1 ||
	    a.s_addr != allowed->sin_addr.s_addr ||
	    r->port != ntohs(allowed->sin_port))
		return SOCKS5_NOT_ALLOWED;
	return SOCKS5_OK;
}

void socks5_reply_encode(uint8_t out[SOCKS5_REPLY_LEN], enum socks5_reply rep,
			 const struct sockaddr_in *bnd)
{
	memset(out, 0, SOCKS5_REPLY_LEN);
	out[0] = SOCKS5_VERSION;
	out[1] = (uint8_t)rep;
	out[3] = SOCKS5_ATYP_IPV4;
	if (bnd) {
		memcpy(out + 4, &bnd->sin_addr, 4);
		memcpy(out + 8, &bnd->sin_port, 2);
	}
}

static int socks5_wait(int fd, short events, int64_t deadline_ns)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int r = loop_poll(&pfd, 1, deadline_ns);

	if (r < 0)
		return r;
	return r ? 0 : -ETIMEDOUT;
}

/* Exactly len bytes, so that bytes the client sends after its request
 * stay in the socket for the relay. */
static int socks5_read(int fd, uint8_t *buf, size_t len, int64_t deadline_ns)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = recv(fd, buf + off, len - off, 0);
		int r;

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n == 0)
			return -EPIPE;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		r = socks5_wait(fd, POLLIN, deadline_ns);
		if (r)
			return r;
	}
	return 0;
}

static int socks5_write(int fd, const uint8_t *buf, size_t len,
			int64_t deadline_ns)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL);
		int r;

		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		r = socks5_wait(fd, POLLOUT, deadline_ns);
		if (r)
			return r;
	}
	return 0;
}

/* Reads a message whose total length is known from its first `head`
 * bytes; lenfn says how long it is. */
static int socks5_read_msg(int fd, uint8_t *buf, size_t head,
			   int (*lenfn)(const uint8_t *, size_t),
			   int64_t deadline_ns, size_t *len)
{
	int r, want;

	r = socks5_read(fd, buf, head, deadline_ns);
	if (r)
		return r;
	want = lenfn(buf, head);
	if (want < 0)
		return want;
	*len = (size_t)want;
	return socks5_read(fd, buf + head, (size_t)want - head, deadline_ns);
}

int socks5_serve(int fd, const struct sockaddr_in *allowed,
		 const struct sockaddr_in *bnd, int64_t deadline_ns,
		 struct socks5_request *req)
{
	uint8_t buf[4 + 1 + 255 + 2], out[SOCKS5_REPLY_LEN];
	enum socks5_reply rep;
	size_t len;
	int r, noauth;

	memset(req, 0, sizeof(*req));
	r = socks5_read_msg(fd, buf, 2, socks5_greeting_len, deadline_ns, &len);
	if (r)
		return r;
	r = socks5_greeting_parse(buf, len, &noauth);
	if (r)
		return r;
	out[0] = SOCKS5_VERSION;
	out[1] = noauth ? SOCKS5_METHOD_NOAUTH : SOCKS5_METHOD_NONE;
	r = socks5_write(fd, out, 2, deadline_ns);
	if (r)
		return r;
	if (!noauth)
		return -EPROTO;

	r = socks5_read_msg(fd, buf, 5, socks5_request_len, deadline_ns, &len);
	if (!r)
		r = socks5_request_parse(buf, len, req);
	if (r) {
		/* Say why before closing, when the client is still there. */
		if (r == -EPROTO) {
			socks5_reply_encode(out, SOCKS5_FAILURE, NULL);
			socks5_write(fd, out, sizeof(out), deadline_ns);
		}
		return r;
	}
	rep = socks5_check(req, allowed);
	socks5_reply_encode(out, rep, rep == SOCKS5_OK ? bnd : NULL);
	r = socks5_write(fd, out, sizeof(out), deadline_ns);
	if (r)
		return r;
	log_debug("SOCKS5 CONNECT %s port %u: reply %d", req->host, req->port,
		  (int)rep);
	return rep == SOCKS5_OK ? 0 : -EACCES;
}
