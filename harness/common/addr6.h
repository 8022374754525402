/* addr6: one TCP endpoint of either family — what the agent dials and
 * binds, the coordinator listens on and pairs by. IPv4 stays sockaddr_in
 * so that IPv4 sockets are made exactly as before; IPv6 is sockaddr_in6.
 * The family of a P2P netaddr is IPv4 when it is IPv4-mapped. */
#ifndef PUNCHLAB_ADDR6_H
#define PUNCHLAB_ADDR6_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "p2p.h"

union addr6 {
	struct sockaddr sa;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
};

/* "a.b.c.d:port" or "[v6]:port" (no names, port 1..65535). 0 or -EINVAL. */
int addr6_parse(const char *s, union addr6 *a);
/* From a sockaddr_in / sockaddr_in6 (a v4-mapped IPv6 one stays IPv6).
 * 0 or -EAFNOSUPPORT. */
int addr6_from_sockaddr(union addr6 *a, const struct sockaddr *sa);
/* From a netaddr: sockaddr_in when IPv4-mapped, else sockaddr_in6. */
void addr6_from_netaddr(union addr6 *a, const struct p2p_netaddr *na);

socklen_t addr6_len(const union addr6 *a);
uint16_t addr6_port(const union addr6 *a); /* host order */
void addr6_set_port(union addr6 *a, uint16_t port);
/* The wildcard address of a's family and port into out. */
void addr6_any(union addr6 *out, int family, uint16_t port);
/* "0.0.0.0" or "[::]": how a bind of that family is named in messages. */
const char *addr6_any_str(int family);
/* Same family and address (and port unless any_port). */
int addr6_same(const union addr6 *a, const union addr6 *b, int any_port);
/* a's address alone as 4 or 16 bytes; returns the length. */
size_t addr6_bytes(const union addr6 *a, const void **bytes);

/* AF_INET when ip is IPv4-mapped (::ffff:a.b.c.d), else AF_INET6. */
int addr6_family16(const uint8_t ip[16]);
/* 1 when two netaddrs are of one family: the coordinator pairs only those
 * (an IPv4 socket cannot reach an IPv6 endpoint, nor the reverse). */
int addr6_same_family(const struct p2p_netaddr *a, const struct p2p_netaddr *b);

#endif
