/* sidechan: out-of-band rendezvous. The probe connection is made from the
 * punch port, so the endpoint it reports is the mapping the punch reuses;
 * the line is read with read(2) rather than stdio so that a wait for it
 * honours the deadline and SIGTERM like every other wait. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "monoclock.h"
#include "log.h"
#include "loop.h"
#include "probereply.h"
#include "sidechan.h"
#include "optparse.h"
#include "sock.h"

static int sidechan_send_all(int fd, const char *buf, size_t len,
			     int64_t deadline_ns)
{
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	size_t off = 0;
	ssize_t n;
	int r;

	while (off < len) {
		n = send(fd, buf + off, len - off, MSG_NOSIGNAL);
		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		r = loop_poll(&pfd, 1, deadline_ns);
		if (r < 0)
			return r;
		if (r == 0)
			return -ETIMEDOUT;
	}
	return 0;
}

/* Reads until the server closes. Bytes read, or -errno (-EMSGSIZE past
 * cap). */
static ssize_t sidechan_read_all(int fd, char *buf, size_t cap,
				 int64_t deadline_ns)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	size_t len = 0;
	ssize_t n;
	int r;

	for (;;) {
		if (len == cap)
			return -EMSGSIZE;
		n = read(fd, buf + len, cap - len);
		if (n == 0)
			return (ssize_t)len;
		if (n > 0) {
			len += (size_t)n;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		r = loop_poll(&pfd, 1, deadline_ns);
		if (r < 0)
			return r;
		if (r == 0)
			return -ETIMEDOUT;
	}
}

static int sidechan_probe(const struct sidechan_params *p, struct sidechan *c,
			  struct outcome *o)
{
	char where[64], what[96], req[256], ans[PROBEREPLY_MAX + 1], why[96];
	struct probereply rep;
	struct sockaddr_in pub = {.sin_family = AF_INET};
	ssize_t n;
	int r;

	c->fd = sock_bound(p->local_port);
	if (c->fd < 0) {
		r = c->fd;
		c->fd = -1;
		return outcome_set(o, OUTCOME_BIND, "bind 0.0.0.0:%u: %s",
				   p->local_port, outcome_errstr(r));
	}
	sock_str((const struct sockaddr *)&p->probe, where, sizeof(where));
	snprintf(what, sizeof(what), "probe %s", where);
	r = sock_connect(c->fd, (const struct sockaddr *)&p->probe,
			 sizeof(p->probe));
	if (r == -EINPROGRESS)
		r = sock_wait_connect(c->fd, p->setup_deadline_ns);
	if (r == -EADDRNOTAVAIL || r == -EADDRINUSE)
		return outcome_set(o, OUTCOME_BIND, "connect %s: %s", what,
				   outcome_errstr(r));
	if (r)
		return outcome_errno(o, OUTCOME_COORDINATOR, r, what);

	n = probereply_request(req, sizeof(req), where);
	if (n < 0)
		return outcome_errno(o, OUTCOME_SETUP, (int)n, what);
	c->t_register_ns = mono_ns();
	r = sidechan_send_all(c->fd, req, (size_t)n, p->setup_deadline_ns);
	if (r)
		return outcome_errno(o, OUTCOME_COORDINATOR, r, what);
	n = sidechan_read_all(c->fd, ans, sizeof(ans), p->setup_deadline_ns);
	if (n < 0)
		return outcome_errno(o, OUTCOME_COORDINATOR, (int)n, what);
	if (probereply_parse(ans, (size_t)n, &rep, why, sizeof(why)))
		return outcome_set(o, OUTCOME_COORDINATOR, "%s: %s", what, why);
	pub.sin_addr.s_addr = rep.ip;
	pub.sin_port = htons(rep.port);
	p2p_netaddr_from_sockaddr(&c->punch.self,
				  (const struct sockaddr *)&pub);
	c->t_endpoint_ns = mono_ns();
	c->have_public = 1;
	log_debug("public endpoint %s (from %s)",
		  sock_str((const struct sockaddr *)&pub, what, sizeof(what)),
		  where);
	return 0;
}

static int sidechan_fail(char *why, size_t cap, const char *msg)
{
	snprintf(why, cap, "%s", msg);
	return -EPROTO;
}

static int sidechan_nonce(const char *s, uint64_t *out)
{
	if (!s || strlen(s) != 16)
		return -1;
	for (int i = 0; i < 16; i++)
		if (!isxdigit((unsigned char)s[i]))
			return -1;
	*out = strtoull(s, NULL, 16);
	return 0;
}

static int sidechan_endpoint(const char *s, struct p2p_netaddr *na)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	char host[INET_ADDRSTRLEN + 1];
	uint16_t port;

	if (!s || optparse_split(s, OPTPARSE_V4, host, sizeof(host), &port) ||
	    inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return -1;
	sin.sin_port = htons(port);
	return p2p_netaddr_from_sockaddr(na, (const struct sockaddr *)&sin);
}

int sidechan_parse_line(const char *line, size_t len, struct sidechan *c,
			char *why, size_t why_cap)
{
	const char *role;
	json_error_t jerr;
	json_t *root, *start;
	int e = 0;

	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(root)) {
		json_decref(root);
		return sidechan_fail(why, why_cap, "not a JSON object");
	}
	role = json_string_value(json_object_get(root, "role"));
	start = json_object_get(root, "start_ns");
	if (sidechan_endpoint(json_string_value(json_object_get(root, "peer")),
			      &c->punch.peer))
		e = sidechan_fail(why, why_cap, "peer is not \"IPv4:port\"");
	else if (!role ||
		 (strcmp(role, "initiator") && strcmp(role, "responder")))
		e = sidechan_fail(why, why_cap,
				  "role is not initiator or responder");
	else if (sidechan_nonce(
			 json_string_value(json_object_get(root, "nonce")),
			 &c->punch.nonce))
		e = sidechan_fail(why, why_cap, "nonce is not 16 hex digits");
	else if (!json_is_integer(start) || json_integer_value(start) <= 0)
		e = sidechan_fail(why, why_cap,
				  "start_ns is not a positive integer");
	if (!e) {
		c->punch.role = strcmp(role, "initiator")
					? COORD_ROLE_RESPONDER
					: COORD_ROLE_INITIATOR;
		c->start_ns = json_integer_value(start);
	}
	json_decref(root);
	return e;
}

/* One line from the side channel into buf (no newline, NUL-terminated); a
 * last line without its newline counts. 0 or -1 with o filled. */
static int sidechan_read_line(const struct sidechan_params *p, char *buf,
			      size_t cap, size_t *len, struct outcome *o)
{
	struct pollfd pfd = {.fd = p->in_fd, .events = POLLIN};
	char *nl = NULL;
	ssize_t n;
	int r;

	*len = 0;
	while (!nl) {
		if (*len == cap - 1)
			return outcome_set(o, OUTCOME_COORDINATOR,
					   "side channel: line longer than "
					   "%zu bytes",
					   cap - 2);
		r = loop_poll(&pfd, 1, p->match_deadline_ns);
		if (r == 0)
			return outcome_set(o, OUTCOME_COORDINATOR,
					   "side channel: no peer line before "
					   "the deadline");
		if (r < 0)
			return outcome_errno(o, OUTCOME_COORDINATOR, r,
					     "side channel");
		n = read(p->in_fd, buf + *len, cap - 1 - *len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return outcome_errno(o, OUTCOME_COORDINATOR, -errno,
					     "side channel");
		if (n == 0) {
			if (*len)
				break;
			return outcome_set(o, OUTCOME_COORDINATOR,
					   "side channel closed before the "
					   "peer line");
		}
		nl = memchr(buf + *len, '\n', (size_t)n);
		*len += (size_t)n;
	}
	/* Whatever follows the line is not ours to read. */
	if (nl)
		*len = (size_t)(nl - buf);
	if (*len && buf[*len - 1] == '\r')
		(*len)--;
	buf[*len] = '\0';
	return 0;
}

int sidechan_run(const struct sidechan_params *p, struct sidechan *c,
		 struct outcome *o)
{
	char line[SIDECHAN_LINE_MAX + 2], why[96];
	size_t len;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (sidechan_probe(p, c, o))
		return -1;
	if (p->on_endpoint)
		p->on_endpoint(p->arg, &c->punch.self, c->t_endpoint_ns);
	if (sidechan_read_line(p, line, sizeof(line), &len, o))
		return -1;
	c->t_match_ns = mono_ns();
	if (sidechan_parse_line(line, len, c, why, sizeof(why)))
		return outcome_set(o, OUTCOME_COORDINATOR,
				   "side channel: bad line: %s", why);
	if (c->start_ns - c->t_match_ns > SIDECHAN_START_MAX_NS)
		return outcome_set(o, OUTCOME_COORDINATOR,
				   "side channel: start_ns is %" PRId64
				   " s away",
				   (c->start_ns - c->t_match_ns) / 1000000000);
	log_debug("side channel: %s, start in %" PRId64 " ms",
		  c->punch.role == COORD_ROLE_INITIATOR ? "initiator"
							: "responder",
		  (c->start_ns - c->t_match_ns) / 1000000);
	return 0;
}

void sidechan_close(struct sidechan *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}
