/* pcpmap: one mapping request, retransmitted until an answer or the
 * deadline, over a UDP socket connected to the gateway (so the kernel
 * drops datagrams from anyone else, and getsockname gives our address
 * toward it, as Bitcoin Core's src/common/pcp.cpp does).
 *
 * Retransmission (RFC 6887 8.1.1): RT doubles from IRT with +-10 % jitter,
 * until the deadline. The RFC's IRT is 3 s; ours is 250 ms (RFC 6886
 * 3.1's NAT-PMP start), for both protocols: a home gateway is one LAN hop
 * away (RTT well under 1 ms in the testbed), a lost first datagram should
 * cost a quarter second of a 5 s --timeout-ms rather than 3 s, and one
 * client asking once cannot storm the server (README: measured against a
 * 1 s IRT). Bitcoin Core (github.com/l0rinc/bitcoin b88bffe550a3:
 * src/mapport.cpp calls PCPRequestPortMap with src/common/pcp.h's
 * defaults) tries 3 times, 1 s apart, and gives up. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "monoclock.h"
#include "pcp.h"
#include "pcpmap.h"
#include "sock.h"

#ifndef PCPMAP_IRT_MS /* a bench may build another (README) */
#define PCPMAP_IRT_MS 250
#endif
#define PCPMAP_MAX_DOUBLINGS 12 /* 250 ms << 12 > RFC 6887's MRT 1024 s */

struct pcpmap_io {
	int fd;
	int64_t deadline_ns;
	struct pcpmap_result *r;
	uint8_t buf[PCP_MAX_LEN + 4]; /* one more: too long shows as such */
	size_t len;
};

/* 0 takes the reply in io->buf, <0 waits for another. */
typedef int (*pcpmap_accept_fn)(struct pcpmap_io *io, void *arg);

/* The n-th wait (0 first): IRT * 2^n * (1 + RAND), RAND in [-0.1, 0.1]. */
static int64_t pcpmap_rt_ns(unsigned n)
{
	int64_t base = (int64_t)PCPMAP_IRT_MS * LOOP_NS_PER_MS
		       << (n < PCPMAP_MAX_DOUBLINGS ? n : PCPMAP_MAX_DOUBLINGS);
	uint16_t rnd = 0x8000;

	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = 0x8000; /* no jitter rather than no request */
	return base + base / 10 * ((int64_t)rnd - 0x8000) / 0x8000;
}

/* Waits until the wait's end for a reply accept takes. 1 taken, 0 none,
 * or -errno. An ICMP port unreachable is counted and waited past: the
 * daemon may be starting. */
static int pcpmap_wait(struct pcpmap_io *io, int64_t until,
		       pcpmap_accept_fn accept, void *arg)
{
	struct pollfd pfd = {.fd = io->fd, .events = POLLIN};
	ssize_t n;
	int k;

	for (;;) {
		k = loop_poll(&pfd, 1, until);
		if (k <= 0)
			return k;
		n = recv(io->fd, io->buf, sizeof(io->buf), MSG_DONTWAIT);
		if (n < 0 && errno == ECONNREFUSED) {
			io->r->refused++;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return -errno;
		io->len = (size_t)n;
		if (accept(io, arg) == 0)
			return 1;
	}
}

/* Sends req, then again after each RT, until accept takes a reply. 0,
 * -ETIMEDOUT at the deadline, or -errno. */
static int pcpmap_exchange(struct pcpmap_io *io, const uint8_t *req, size_t len,
			   pcpmap_accept_fn accept, void *arg)
{
	int64_t now, until;
	ssize_t s;
	int k;

	for (unsigned n = 0;; n++) {
		now = mono_ns();
		if (now >= io->deadline_ns)
			return -ETIMEDOUT;
		s = send(io->fd, req, len, 0);
		if (s < 0 && errno == ECONNREFUSED) {
			/* the error of the last datagram, reported now */
			io->r->refused++;
			s = send(io->fd, req, len, 0);
		}
		if (s < 0 && errno != ECONNREFUSED)
			return -errno;
		if (s < 0)
			io->r->refused++; /* not sent; waited out all the same */
		else
			io->r->requests++;
		until = now + pcpmap_rt_ns(n);
		if (until > io->deadline_ns)
			until = io->deadline_ns;
		k = pcpmap_wait(io, until, accept, arg);
		if (k)
			return k > 0 ? 0 : k;
	}
}

/* "SUCCESS", the RFC's name, or CODE_<n>. */
static void pcpmap_set_result(struct pcpmap_result *r, const char *name,
			      unsigned code)
{
	if (name)
		snprintf(r->result, sizeof(r->result), "%s", name);
	else
		snprintf(r->result, sizeof(r->result), "CODE_%u", code);
}

struct pcpmap_pcp {
	struct pcp_map_req req;
	struct pcp_map_resp resp;
	int natpmp;
	uint16_t natpmp_result;
};

static int pcpmap_pcp_accept(struct pcpmap_io *io, void *arg)
{
	struct pcpmap_pcp *x = arg;
	int err;

	err = pcp_map_decode(io->buf, io->len, &x->req, &x->resp,
			     &x->natpmp_result);
	if (err == -EPROTONOSUPPORT) {
		x->natpmp = 1;
		return 0;
	}
	if (err)
		log_debug("pcp: ignored a %zu-byte reply (%s)", io->len,
			  err == -ESRCH ? "another request" : "malformed");
	return err;
}

/* PCP MAP. 0 mapped, -EPROTONOSUPPORT when the server asks for NAT-PMP,
 * -EPROTO refused, or the exchange's error. */
static int pcpmap_pcp(struct pcpmap_io *io, const struct pcpmap_params *p)
{
	struct pcpmap_result *r = io->r;
	struct pcpmap_pcp x = {
		.req =
			{
				.client = r->internal.sin_addr,
				.external.s_addr = htonl(INADDR_ANY),
				.internal_port = p->internal_port,
				.external_port = p->internal_port,
				.lifetime = p->lifetime,
			},
	};
	uint8_t req[PCP_MAP_LEN];
	int err;

	r->proto = "pcp";
	if (getrandom(x.req.nonce, sizeof(x.req.nonce), 0) !=
	    sizeof(x.req.nonce))
		return -errno;
	err = pcp_map_encode(req, sizeof(req), &x.req);
	if (err < 0)
		return err;
	err = pcpmap_exchange(io, req, (size_t)err, pcpmap_pcp_accept, &x);
	if (err)
		return err;
	if (x.natpmp) {
		pcpmap_set_result(r, natpmp_result_name(x.natpmp_result),
				  x.natpmp_result);
		return -EPROTONOSUPPORT;
	}
	pcpmap_set_result(r, pcp_result_name(x.resp.result), x.resp.result);
	if (x.resp.result == PCP_UNSUPP_VERSION)
		return -EPROTONOSUPPORT;
	if (x.resp.result != PCP_SUCCESS)
		return -EPROTO;
	r->external.sin_addr = x.resp.external;
	r->external.sin_port = htons(x.resp.external_port);
	r->lifetime = x.resp.lifetime;
	memcpy(r->nonce, x.req.nonce, sizeof(r->nonce));
	return 0;
}

struct pcpmap_natpmp {
	uint8_t op;
	uint16_t internal_port;
	struct natpmp_resp resp;
};

static int pcpmap_natpmp_accept(struct pcpmap_io *io, void *arg)
{
	struct pcpmap_natpmp *x = arg;
	int err;

	err = natpmp_decode(io->buf, io->len, x->op, x->internal_port,
			    &x->resp);
	if (err)
		log_debug("natpmp: ignored a %zu-byte reply (%s)", io->len,
			  err == -ESRCH ? "another request" : "malformed");
	return err;
}

/* One NAT-PMP request, its answer in x->resp. 0, -EPROTO refused, or the
 * exchange's error. */
static int pcpmap_natpmp_ask(struct pcpmap_io *io, struct pcpmap_natpmp *x,
			     const uint8_t *req, size_t len)
{
	int err = pcpmap_exchange(io, req, len, pcpmap_natpmp_accept, x);

	if (err)
		return err;
	pcpmap_set_result(io->r, natpmp_result_name(x->resp.result),
			  x->resp.result);
	return x->resp.result == PCP_SUCCESS ? 0 : -EPROTO;
}

/* NAT-PMP: the external address (opcode 0), then the map (opcode 2):
 * the map's answer has no address (RFC 6886 3.2, 3.3). */
static int pcpmap_natpmp(struct pcpmap_io *io, const struct pcpmap_params *p)
{
	struct pcpmap_result *r = io->r;
	struct pcpmap_natpmp x = {.op = NATPMP_OP_EXTERNAL,
				  .internal_port = p->internal_port};
	uint8_t req[NATPMP_MAP_REQ_LEN];
	int err, len;

	r->proto = "natpmp";
	len = natpmp_external_encode(req, sizeof(req));
	err = pcpmap_natpmp_ask(io, &x, req, (size_t)len);
	if (err)
		return err;
	r->external.sin_addr = x.resp.external;
	x.op = NATPMP_OP_MAP_TCP;
	len = natpmp_map_encode(req, sizeof(req), p->internal_port,
				p->internal_port, p->lifetime);
	err = pcpmap_natpmp_ask(io, &x, req, (size_t)len);
	if (err)
		return err;
	r->external.sin_port = htons(x.resp.external_port);
	r->lifetime = x.resp.lifetime;
	return 0;
}

/* The socket toward the gateway and our address on it. fd or -errno. */
static int pcpmap_socket(const struct pcpmap_params *p, struct pcpmap_result *r)
{
	socklen_t len = sizeof(r->internal);
	int fd, err;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&p->gateway,
		    sizeof(p->gateway)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&r->internal, &len) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	r->internal.sin_port = htons(p->internal_port);
	return fd;
}

/* What went wrong, for the report's "error". */
static void pcpmap_why(const struct pcpmap_params *p, struct pcpmap_result *r,
		       int err)
{
	char gw[64];

	sock_str((const struct sockaddr *)&p->gateway, gw, sizeof(gw));
	if (err == -ETIMEDOUT) {
		snprintf(r->result, sizeof(r->result), "timeout");
		snprintf(r->why, sizeof(r->why),
			 "%s: timeout: no answer from %s (%u requests, %u "
			 "ICMP port unreachable)",
			 r->proto, gw, r->requests, r->refused);
	} else if (err == -EPROTO || err == -EPROTONOSUPPORT) {
		snprintf(r->why, sizeof(r->why),
			 "%s: %s refused the mapping: %s", r->proto, gw,
			 r->result);
	} else {
		snprintf(r->result, sizeof(r->result), "error");
		snprintf(r->why, sizeof(r->why), "%s: %s: %s", r->proto, gw,
			 err == -EINTR ? "terminated" : strerror(-err));
	}
}

int pcpmap_run(const struct pcpmap_params *p, struct pcpmap_result *r)
{
	struct pcpmap_io io = {.deadline_ns = p->deadline_ns, .r = r};
	int64_t t0;
	int err;

	memset(r, 0, sizeof(*r));
	r->proto = p->proto == PCPMAP_NATPMP ? "natpmp" : "pcp";
	r->external.sin_family = AF_INET;
	io.fd = pcpmap_socket(p, r);
	if (io.fd < 0) {
		pcpmap_why(p, r, io.fd);
		return io.fd;
	}
	t0 = mono_ns();
	if (p->proto == PCPMAP_NATPMP) {
		err = pcpmap_natpmp(&io, p);
	} else {
		err = pcpmap_pcp(&io, p);
		if (err == -EPROTONOSUPPORT && p->proto == PCPMAP_AUTO) {
			log_info(
				"pcp: the gateway answered %s; NAT-PMP instead",
				r->result);
			err = pcpmap_natpmp(&io, p);
		}
	}
	r->ms = (double)(mono_ns() - t0) / 1e6;
	close(io.fd);
	if (err) {
		pcpmap_why(p, r, err);
		return err;
	}
	r->ok = 1;
	r->port_honoured = ntohs(r->external.sin_port) == p->internal_port;
	return 0;
}

/* The delete request of r's protocol into req: its length. */
static int pcpmap_release_req(const struct pcpmap_params *p,
			      const struct pcpmap_result *r,
			      struct pcp_map_req *pr, uint8_t *req, size_t cap)
{
	if (strcmp(r->proto, "pcp"))
		return natpmp_map_encode(req, cap, p->internal_port, 0, 0);
	*pr = (struct pcp_map_req){
		.client = r->internal.sin_addr,
		.external = r->external.sin_addr,
		.internal_port = p->internal_port,
		.external_port = ntohs(r->external.sin_port),
		.lifetime = 0,
	};
	memcpy(pr->nonce, r->nonce, sizeof(pr->nonce));
	return pcp_map_encode(req, cap, pr);
}

int pcpmap_release(const struct pcpmap_params *p, struct pcpmap_result *r)
{
	struct pcpmap_result x = *r; /* the release's counts stay apart */
	struct pcpmap_io io = {.deadline_ns = p->deadline_ns, .r = &x};
	struct pcpmap_natpmp n = {.op = NATPMP_OP_MAP_TCP,
				  .internal_port = p->internal_port};
	struct pcpmap_pcp y;
	uint8_t req[PCP_MAP_LEN];
	int err, len;

	if (!r->ok)
		return -EINVAL;
	r->release_tried = 1;
	io.fd = pcpmap_socket(p, &x);
	if (io.fd < 0)
		return io.fd;
	len = pcpmap_release_req(p, r, &y.req, req, sizeof(req));
	if (strcmp(r->proto, "pcp")) {
		err = pcpmap_natpmp_ask(&io, &n, req, (size_t)len);
	} else {
		y.natpmp = 0;
		err = pcpmap_exchange(&io, req, (size_t)len, pcpmap_pcp_accept,
				      &y);
		if (!err && (y.natpmp || y.resp.result != PCP_SUCCESS))
			err = -EPROTO;
	}
	close(io.fd);
	r->released = !err;
	if (err)
		log_warnx("%s: the mapping was not released: %s", r->proto,
			  err == -ETIMEDOUT ? "no answer" : x.result);
	return err;
}

static json_t *pcpmap_endpoint(const struct sockaddr_in *sin)
{
	char buf[64];

	return json_string(
		sock_str((const struct sockaddr *)sin, buf, sizeof(buf)));
}

void pcpmap_report_add(json_t *j, const struct pcpmap_result *r)
{
	json_t *o;

	if (!j || !(o = json_object()))
		return;
	json_object_set_new(o, "proto", json_string(r->proto));
	json_object_set_new(o, "ok", json_boolean(r->ok));
	json_object_set_new(o, "ms", json_real(r->ms));
	json_object_set_new(o, "external",
			    r->ok ? pcpmap_endpoint(&r->external)
				  : json_null());
	json_object_set_new(o, "lifetime",
			    r->ok ? json_integer(r->lifetime) : json_null());
	json_object_set_new(o, "port_honoured",
			    r->ok ? json_boolean(r->port_honoured)
				  : json_null());
	json_object_set_new(o, "result", json_string(r->result));
	json_object_set_new(o, "requests", json_integer(r->requests));
	json_object_set_new(o, "refused", json_integer(r->refused));
	if (r->release_tried)
		json_object_set_new(o, "released", json_boolean(r->released));
	json_object_set_new(j, "pcp", o);
}

json_t *pcpmap_event(const char *name, const struct pcpmap_result *r)
{
	json_t *j = json_object();

	if (!j)
		return NULL;
	json_object_set_new(j, "event", json_string("mapped"));
	json_object_set_new(j, "name", name ? json_string(name) : json_null());
	json_object_set_new(j, "external", pcpmap_endpoint(&r->external));
	json_object_set_new(j, "internal", pcpmap_endpoint(&r->internal));
	json_object_set_new(j, "proto", json_string(r->proto));
	json_object_set_new(j, "lifetime", json_integer(r->lifetime));
	json_object_set_new(j, "port_honoured", json_boolean(r->port_honoured));
	json_object_set_new(j, "ms", json_real(r->ms));
	return j;
}
