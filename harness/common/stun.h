/* stun: the STUN punchlab speaks itself — a Binding request (RFC 8489
 * section 6, no attributes) and the mapped address out of its success
 * response, to see that the run's STUN server answers; and the answer to
 * one, for the address check of a router's miniupnpd (world/pcpstun.c). */
#ifndef PUNCHLAB_STUN_H
#define PUNCHLAB_STUN_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define STUN_HEADER_LEN 20
#define STUN_MAGIC 0x2112A442u
#define STUN_PORT 3478

/* Writes a Binding request with transaction id txid into buf. Its
 * length (20), or -ENOSPC. */
int stun_binding_request(uint8_t *buf, size_t cap, const uint8_t txid[12]);
/* Reads a Binding success response to txid: the XOR-MAPPED-ADDRESS (or,
 * from an RFC 3489 server, MAPPED-ADDRESS) into *mapped. 0, -EBADMSG
 * (not STUN, or a length or attribute that does not fit), -ESRCH
 * (another transaction), -EPROTO (an error response, or no IPv4 mapped
 * address). Every length is checked before it is used. */
int stun_binding_parse(const uint8_t *buf, size_t len, const uint8_t txid[12],
		       struct sockaddr_in *mapped);
/* The success response to a Binding request req (len bytes) that came
 * from `from`: its XOR-MAPPED-ADDRESS is from, whatever attributes the
 * request carries (a CHANGE-REQUEST is answered from here, not refused).
 * Its length (32), -EBADMSG (not a Binding request, or a length that
 * does not match) or -ENOSPC. */
int stun_binding_answer(const uint8_t *req, size_t len,
			const struct sockaddr_in *from, uint8_t *buf,
			size_t cap);

#endif
