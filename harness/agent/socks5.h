/* socks5: the server side of SOCKS5 (RFC 1928) as bitcoind's -proxy needs
 * it — no authentication, CONNECT only, and only to the one destination
 * the coordinator announced. */
#ifndef PUNCHLAB_AGENT_SOCKS5_H
#define PUNCHLAB_AGENT_SOCKS5_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define SOCKS5_VERSION 5
#define SOCKS5_CMD_CONNECT 1
#define SOCKS5_ATYP_IPV4 1
#define SOCKS5_ATYP_DOMAIN 3
#define SOCKS5_ATYP_IPV6 4
#define SOCKS5_REPLY_LEN 10 /* with an IPv4 bound address */
/* Bitcoin Core sends only routable IPv4 destinations to its -proxy and
 * dials loopback, private and documentation ranges (the testbed's WAN)
 * directly. A name that cannot resolve ("203.0.113.5.invalid", RFC 6761)
 * always goes to the proxy, as a name; we take it for its dotted part. */
#define SOCKS5_NAME_SUFFIX ".invalid"

enum socks5_reply {
	SOCKS5_OK = 0,
	SOCKS5_FAILURE = 1,
	SOCKS5_NOT_ALLOWED = 2,
	SOCKS5_CMD_UNSUPPORTED = 7,
	SOCKS5_ATYP_UNSUPPORTED = 8,
};

struct socks5_request {
	uint8_t cmd;
	uint8_t atyp;
	char host[256]; /* dotted IPv4, IPv6 text, or the name as sent */
	uint16_t port;
};

/* Length of the whole greeting (VER NMETHODS METHODS...) once the first
 * two bytes are in, or of the whole request (VER CMD RSV ATYP ADDR PORT)
 * once the first five are; -EPROTO for a wrong version or an unknown
 * address type. */
int socks5_greeting_len(const uint8_t *p, size_t len);
int socks5_request_len(const uint8_t *p, size_t len);

/* Parse a whole greeting: 0 with *noauth set when method 0 (no
 * authentication) is offered, -EPROTO when malformed. */
int socks5_greeting_parse(const uint8_t *p, size_t len, int *noauth);
/* Parse a whole request into r: 0 or -EPROTO. */
int socks5_request_parse(const uint8_t *p, size_t len,
			 struct socks5_request *r);

/* The reply r deserves when only `allowed` may be reached: SOCKS5_OK for
 * CONNECT to exactly that IPv4 endpoint (as an address, or as a name that
 * is its dotted literal, bare or with SOCKS5_NAME_SUFFIX), else why not. */
enum socks5_reply socks5_check(const struct socks5_request *r,
			       const struct sockaddr_in *allowed);

/* The 10-byte reply with an IPv4 bound address (bnd NULL: 0.0.0.0:0). */
void socks5_reply_encode(uint8_t out[SOCKS5_REPLY_LEN], enum socks5_reply rep,
			 const struct sockaddr_in *bnd);

/* Runs the server's side of the exchange on an accepted non-blocking fd,
 * reading exactly the bytes of each message so nothing of the relayed
 * stream is consumed. 0 when the client asked for `allowed` and was told
 * success (bnd is what the reply reports); -EACCES when it was refused
 * with a reply; -EPROTO when it spoke no SOCKS5 or offered no usable
 * method (answered 0xff where a method reply was due); -ETIMEDOUT,
 * -EINTR (terminated), -EPIPE (closed) or the socket's -errno. req holds
 * what was parsed. */
int socks5_serve(int fd, const struct sockaddr_in *allowed,
		 const struct sockaddr_in *bnd, int64_t deadline_ns,
		 struct socks5_request *req);

#endif
