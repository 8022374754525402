/* server: non-blocking listeners and clients in one poll() set. A full
 * client table stops accepting (the backlog waits) rather than dropping. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "monoclock.h"
#include "answer.h"
#include "log.h"
#include "server.h"

struct server_client {
	int fd; /* -1: free slot */
	struct sockaddr_in peer;
	uint16_t local_port;
	int64_t deadline_ms;
	size_t len;
	char req[ANSWER_REQ_MAX];
};

struct server {
	int lfd[SERVER_MAX_LISTEN];
	int nlisten;
	int timeout_ms;
	int nclients;
	struct server_client c[SERVER_MAX_CLIENTS];
};

static int server_listen(const struct sockaddr_in *a)
{
	char ip[INET_ADDRSTRLEN];
	int fd, one = 1, e;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)a, sizeof(*a)) < 0 ||
	    listen(fd, 64) < 0) {
		e = errno;
		inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
		log_warn("listen on %s:%u", ip, ntohs(a->sin_port));
		close(fd);
		return -e;
	}
	return fd;
}

struct server *server_open(const struct sockaddr_in *addrs, int n,
			   int client_timeout_ms)
{
	struct server *s;
	int e;

	if (n < 1 || n > SERVER_MAX_LISTEN || client_timeout_ms < 1) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->timeout_ms = client_timeout_ms;
	for (int i = 0; i < SERVER_MAX_CLIENTS; i++)
		s->c[i].fd = -1;
	for (s->nlisten = 0; s->nlisten < n; s->nlisten++) {
		e = server_listen(&addrs[s->nlisten]);
		if (e < 0)
			goto err_listen;
		s->lfd[s->nlisten] = e;
	}
	return s;

err_listen:
	server_free(s);
	errno = -e;
	return NULL;
}

static void server_drop(struct server *s, struct server_client *c)
{
	close(c->fd);
	c->fd = -1;
	s->nclients--;
}

void server_free(struct server *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nlisten; i++)
		close(s->lfd[i]);
	for (int i = 0; i < SERVER_MAX_CLIENTS; i++)
		if (s->c[i].fd >= 0)
			server_drop(s, &s->c[i]);
	free(s);
}

static void server_accept(struct server *s, int lfd)
{
	struct sockaddr_in local;
	socklen_t alen;
	struct server_client *c = NULL;
	int fd;

	for (int i = 0; i < SERVER_MAX_CLIENTS && !c; i++)
		if (s->c[i].fd < 0)
			c = &s->c[i];
	if (!c)
		return;
	alen = sizeof(c->peer);
	fd = accept4(lfd, (struct sockaddr *)&c->peer, &alen,
		     SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warn("accept");
		return;
	}
	alen = sizeof(local);
	if (c->peer.sin_family != AF_INET ||
	    getsockname(fd, (struct sockaddr *)&local, &alen) < 0) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->local_port = ntohs(local.sin_port);
	c->len = 0;
	c->deadline_ms = mono_ms() + s->timeout_ms;
	s->nclients++;
}

/* The answer is a few hundred bytes into a fresh socket's empty send
 * buffer: one write either takes all of it or the peer is gone. */
static void server_answer(struct server *s, struct server_client *c,
			  enum answer_status st)
{
	char out[ANSWER_MAX], ip[INET_ADDRSTRLEN];
	int n = answer_format(out, sizeof(out), st, &c->peer, c->local_port);

	inet_ntop(AF_INET, &c->peer.sin_addr, ip, sizeof(ip));
	if (n > 0 && write(c->fd, out, (size_t)n) != n)
		log_warn("answer to %s:%u", ip, ntohs(c->peer.sin_port));
	else
		log_debug("port %u: %s:%u (%s)", c->local_port, ip,
			  ntohs(c->peer.sin_port),
			  st == ANSWER_OK ? "answered" : "refused");
	server_drop(s, c);
}

static void server_read(struct server *s, struct server_client *c)
{
	ssize_t n = read(c->fd, c->req + c->len, sizeof(c->req) - c->len);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		server_drop(s, c); /* gone before asking */
		return;
	}
	c->len += (size_t)n;
	if (answer_head_done(c->req, c->len))
		server_answer(s, c,
			      answer_is_get(c->req, c->len) ? ANSWER_OK
							    : ANSWER_NOT_GET);
	else if (c->len == sizeof(c->req))
		server_answer(s, c, ANSWER_TOO_LARGE);
}

int server_loop(struct server *s, volatile sig_atomic_t *stop)
{
	struct pollfd pfd[SERVER_MAX_LISTEN + SERVER_MAX_CLIENTS];
	struct server_client *who[SERVER_MAX_CLIENTS];
	int64_t now, next;
	int n, nl, r;

	while (!*stop) {
		now = mono_ms();
		next = -1;
		n = 0;
		/* A full table leaves new clients in the listen backlog. */
		nl = s->nclients < SERVER_MAX_CLIENTS ? s->nlisten : 0;
		for (int i = 0; i < nl; i++)
			pfd[n++] = (struct pollfd){.fd = s->lfd[i],
						   .events = POLLIN};
		for (int i = 0; i < SERVER_MAX_CLIENTS; i++) {
			struct server_client *c = &s->c[i];

			if (c->fd < 0)
				continue;
			if (c->deadline_ms <= now) {
				server_drop(s, c);
				continue;
			}
			if (next < 0 || c->deadline_ms < next)
				next = c->deadline_ms;
			who[n - nl] = c;
			pfd[n++] =
				(struct pollfd){.fd = c->fd, .events = POLLIN};
		}
		r = poll(pfd, (nfds_t)n, next < 0 ? -1 : (int)(next - now));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n && r > 0; i++) {
			if (!pfd[i].revents)
				continue;
			if (i < nl)
				server_accept(s, pfd[i].fd);
			else
				server_read(s, who[i - nl]);
		}
	}
	return 0;
}
