/* btcrpc: a minimal HTTP client for bitcoind's RPC server. One connection
 * per call ("Connection: close"), so a response ends at EOF or at its
 * Content-Length, whichever comes first. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "monoclock.h"
#include "btcrpc.h"
#include "log.h"
#include "netns.h"

#define BTCRPC_COOKIE_MAX 256
#define BTCRPC_HEAD_MAX 8192

static int btcrpc_fail(struct btcrpc_error *e, int err, const char *what)
{
	e->code = 0;
	snprintf(e->message, sizeof(e->message), "%s: %s", what,
		 strerror(-err));
	return err;
}

/* "Basic " + base64(cookie), cookie being "__cookie__:hex". */
static int btcrpc_auth(const char *path, char *out, size_t cap)
{
	char cookie[BTCRPC_COOKIE_MAX + 1];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, cookie, BTCRPC_COOKIE_MAX + 1);
	close(fd);
	if (n < 0)
		return -errno;
	if (n == 0 || n > BTCRPC_COOKIE_MAX)
		return -EBADMSG;
	while (n > 0 && (cookie[n - 1] == '\n' || cookie[n - 1] == '\r'))
		n--;
	/* base64 grows 3 bytes into 4, plus "Basic " and the NUL. */
	if (cap < 6 + ((size_t)n + 2) / 3 * 4 + 1)
		return -ENOSPC;
	memcpy(out, "Basic ", 6);
	EVP_EncodeBlock((unsigned char *)out + 6, (unsigned char *)cookie,
			(int)n);
	return 0;
}

/* A TCP socket of netns_fd's namespace; the thread comes back to its own
 * namespace before returning. fd or -errno. */
static int btcrpc_socket(int netns_fd)
{
	int self, fd, err = 0;

	if (netns_fd < 0) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    0);
		return fd < 0 ? -errno : fd;
	}
	self = netns_self();
	if (self < 0)
		return self;
	err = netns_enter(netns_fd);
	if (err) {
		close(self);
		return err;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err = -errno;
	if (netns_enter(self)) {
		/* Staying in the node's namespace would misdirect every
		 * later socket of this thread: never go on from here. */
		log_warn("btcrpc: cannot return to the caller's namespace");
		abort();
	}
	close(self);
	return err ? err : fd;
}

static int btcrpc_wait(int fd, short events, int64_t deadline_ns)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int64_t left;
	int r;

	for (;;) {
		left = deadline_ns - mono_ns();
		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)((left + 999999) / 1000000));
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

static int btcrpc_connect(int fd, int port, int64_t deadline_ns)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(int);
	int r, soerr = 0;

	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	r = btcrpc_wait(fd, POLLOUT, deadline_ns);
	if (r)
		return r;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		return -errno;
	return -soerr;
}

static int btcrpc_send(int fd, const char *buf, size_t len, int64_t deadline_ns)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL);
		int r;

		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		r = btcrpc_wait(fd, POLLOUT, deadline_ns);
		if (r)
			return r;
	}
	return 0;
}

struct btcrpc_resp {
	char *buf;
	size_t len, cap;
	int status;
	size_t body_off;
	long content_length; /* -1: until EOF */
};

/* Parses the status line and headers once they are complete. 1 when
 * parsed, 0 when more is needed, -EBADMSG. */
static int btcrpc_head(struct btcrpc_resp *rp)
{
	char *end, *line, *next;

	rp->buf[rp->len] = '\0';
	end = strstr(rp->buf, "\r\n\r\n");
	if (!end)
		return rp->len > BTCRPC_HEAD_MAX ? -EBADMSG : 0;
	*end = '\0';
	rp->body_off = (size_t)(end - rp->buf) + 4;
	if (sscanf(rp->buf, "HTTP/1.%*1[01] %3d", &rp->status) != 1)
		return -EBADMSG;
	rp->content_length = -1;
	for (line = strstr(rp->buf, "\r\n"); line; line = next) {
		line += 2;
		next = strstr(line, "\r\n");
		if (!strncasecmp(line, "Content-Length:", 15)) {
			char *e;

			errno = 0;
			rp->content_length = strtol(line + 15, &e, 10);
			if (errno || rp->content_length < 0 ||
			    rp->content_length > BTCRPC_MAX_BODY)
				return -EBADMSG;
		}
	}
	return 1;
}

/* Reads the whole response. 0 or -errno. */
static int btcrpc_recv(int fd, struct btcrpc_resp *rp, int64_t deadline_ns)
{
	int head = 0;

	for (;;) {
		ssize_t n;
		int r;

		if (head && rp->content_length >= 0 &&
		    rp->len - rp->body_off >= (size_t)rp->content_length) {
			rp->len = rp->body_off + (size_t)rp->content_length;
			return 0;
		}
		if (rp->len + 1 >= rp->cap) {
			char *nb;

			if (rp->cap >= BTCRPC_MAX_BODY + BTCRPC_HEAD_MAX)
				return -EMSGSIZE;
			nb = realloc(rp->buf, rp->cap * 2);
			if (!nb)
				return -ENOMEM;
			rp->buf = nb;
			rp->cap *= 2;
		}
		n = recv(fd, rp->buf + rp->len, rp->cap - rp->len - 1, 0);
		if (n == 0)
			return head ? 0 : -EBADMSG;
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				return -errno;
			r = btcrpc_wait(fd, POLLIN, deadline_ns);
			if (r)
				return r;
			continue;
		}
		rp->len += (size_t)n;
		if (!head) {
			r = btcrpc_head(rp);
			if (r < 0)
				return r;
			head = r;
		}
	}
}

/* Makes the request text; NULL with errno. */
static char *btcrpc_request(const char *auth, const char *method,
			    json_t *params, int port, size_t *len)
{
	json_t *req;
	char *body, *out;
	int n;

	req = json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "1.0", "id", 1,
			"method", method, "params",
			params ? json_incref(params) : json_array());
	if (!req) {
		errno = EINVAL;
		return NULL;
	}
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!body) {
		errno = ENOMEM;
		return NULL;
	}
	n = asprintf(&out,
		     "POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
		     "Authorization: %s\r\nContent-Type: application/json\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
		     port, auth, strlen(body), body);
	free(body);
	if (n < 0) {
		errno = ENOMEM;
		return NULL;
	}
	*len = (size_t)n;
	return out;
}

/* The JSON-RPC envelope: result, or bitcoind's error. */
static int btcrpc_parse(const struct btcrpc_resp *rp, json_t **result,
			struct btcrpc_error *e)
{
	json_error_t jerr;
	json_t *j, *error, *res;
	int r = 0;

	if (rp->status == 401)
		return btcrpc_fail(e, -EACCES, "HTTP 401");
	j = json_loadb(rp->buf + rp->body_off, rp->len - rp->body_off, 0,
		       &jerr);
	if (!j || !json_is_object(j)) {
		json_decref(j);
		e->code = 0;
		snprintf(e->message, sizeof(e->message),
			 "HTTP %d without a JSON-RPC body", rp->status);
		return -EBADMSG;
	}
	error = json_object_get(j, "error");
	res = json_object_get(j, "result");
	if (error && !json_is_null(error)) {
		const char *msg =
			json_string_value(json_object_get(error, "message"));

		e->code =
			(int)json_integer_value(json_object_get(error, "code"));
		snprintf(e->message, sizeof(e->message), "%s",
			 msg ? msg : "(no message)");
		r = -EREMOTEIO;
	} else if (!res) {
		e->code = 0;
		snprintf(e->message, sizeof(e->message), "HTTP %d: no result",
			 rp->status);
		r = -EBADMSG;
	} else if (result) {
		*result = json_incref(res);
	}
	json_decref(j);
	return r;
}

int btcrpc_call(int netns_fd, int port, const char *cookie_path,
		const char *method, json_t *params, int64_t deadline_ns,
		json_t **result, struct btcrpc_error *err)
{
	struct btcrpc_resp rp = {.cap = 4096};
	char auth[512], *req;
	size_t len;
	int fd, r;

	if (result)
		*result = NULL;
	r = btcrpc_auth(cookie_path, auth, sizeof(auth));
	if (r)
		return btcrpc_fail(err, r, "cookie");
	req = btcrpc_request(auth, method, params, port, &len);
	if (!req)
		return btcrpc_fail(err, -errno, "request");
	fd = btcrpc_socket(netns_fd);
	if (fd < 0) {
		free(req);
		return btcrpc_fail(err, fd, "socket");
	}
	rp.buf = malloc(rp.cap);
	r = rp.buf ? 0 : -ENOMEM;
	if (!r)
		r = btcrpc_connect(fd, port, deadline_ns);
	if (!r)
		r = btcrpc_send(fd, req, len, deadline_ns);
	if (!r)
		r = btcrpc_recv(fd, &rp, deadline_ns);
	close(fd);
	free(req);
	if (r)
		r = btcrpc_fail(err, r, method);
	else
		r = btcrpc_parse(&rp, result, err);
	free(rp.buf);
	return r;
}
