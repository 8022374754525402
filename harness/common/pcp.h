/* pcp: the wire format of the two port-mapping protocols a home router
 * speaks on UDP 5351 — PCP (RFC 6887) MAP for TCP over IPv4, and NAT-PMP
 * (RFC 6886) external address and TCP map — as pure functions on bytes:
 * no sockets, no clock, so that unit tests and the fuzzer reach every
 * check. Every length is checked before a field is read. */
#ifndef PUNCHLAB_PCP_H
#define PUNCHLAB_PCP_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define PCP_PORT 5351 /* PCP and NAT-PMP share it (RFC 6887 19.1) */
#define PCP_VERSION 2
#define NATPMP_VERSION 0
#define PCP_R_BIT 0x80 /* opcode's top bit: a response */
#define PCP_OP_MAP 1
#define PCP_PROTO_TCP 6
#define PCP_NONCE_LEN 12
#define PCP_HEADER_LEN 24
#define PCP_MAP_LEN 60	 /* header + MAP opcode data, no options */
#define PCP_MAX_LEN 1100 /* RFC 6887 7: no message is longer */
#define NATPMP_OP_EXTERNAL 0
#define NATPMP_OP_MAP_TCP 2
#define NATPMP_EXTERNAL_REQ_LEN 2
#define NATPMP_MAP_REQ_LEN 12
#define NATPMP_HEADER_LEN 8 /* version, opcode, result, epoch */
#define NATPMP_EXTERNAL_RESP_LEN 12
#define NATPMP_MAP_RESP_LEN 16

/* Result codes both protocols share the numbers of (RFC 6887 7.4 and
 * RFC 6886 3.5 agree on 0-2). */
#define PCP_SUCCESS 0
#define PCP_UNSUPP_VERSION 1

/* A PCP MAP request: TCP, IPv4 only (the addresses travel IPv4-mapped). */
struct pcp_map_req {
	struct in_addr client;	 /* our address toward the server */
	struct in_addr external; /* suggested; INADDR_ANY: no preference */
	uint8_t nonce[PCP_NONCE_LEN];
	uint16_t internal_port, external_port; /* host order */
	uint32_t lifetime;		       /* seconds */
};

/* A PCP MAP response. has_map is 0 for a header-only error response
 * (RFC 6887 7.2 lets a server answer a request it cannot parse so), and
 * then only result, lifetime and epoch are set. */
struct pcp_map_resp {
	uint8_t result;
	uint32_t lifetime, epoch;
	int has_map;
	uint16_t internal_port, external_port;
	struct in_addr external;
};

/* A NAT-PMP response (either opcode). When result is not SUCCESS only
 * op, result and epoch are set: RFC 6886 3.5 lets an error response stop
 * after the epoch. */
struct natpmp_resp {
	uint8_t op; /* without the R bit */
	uint16_t result;
	uint32_t epoch;
	struct in_addr external;	       /* NATPMP_OP_EXTERNAL */
	uint16_t internal_port, external_port; /* NATPMP_OP_MAP_TCP */
	uint32_t lifetime;
};

/* Writes the MAP request (PCP_MAP_LEN bytes, reserved fields zero).
 * Its length, or -ENOSPC. */
int pcp_map_encode(uint8_t *buf, size_t cap, const struct pcp_map_req *req);

/* Reads a reply to req. 0: a PCP MAP response to req (out filled; the
 * caller reads out->result). -EPROTONOSUPPORT: a NAT-PMP-shaped reply
 * (version 0, R bit, at least the 8-byte header: RFC 6887 9 and appendix
 * A, how a NAT-PMP-only server answers), its result in *natpmp_result.
 * -ESRCH: a well-formed MAP response to another request (nonce, protocol
 * or internal port differ). -EBADMSG: anything else — too short or long,
 * not a multiple of 4, no R bit, another opcode or version, options that
 * do not fit, a SUCCESS without an IPv4-mapped external address. */
int pcp_map_decode(const uint8_t *buf, size_t len,
		   const struct pcp_map_req *req, struct pcp_map_resp *out,
		   uint16_t *natpmp_result);

/* NAT-PMP requests. Their length, or -ENOSPC. */
int natpmp_external_encode(uint8_t *buf, size_t cap);
int natpmp_map_encode(uint8_t *buf, size_t cap, uint16_t internal_port,
		      uint16_t external_port, uint32_t lifetime);

/* Reads a reply to the request of opcode op (for a map, of internal_port).
 * 0 with out filled (the caller reads out->result), -EPROTONOSUPPORT
 * (another version), -ESRCH (a response to another opcode or port),
 * -EBADMSG (shorter than its opcode's response, no R bit). */
int natpmp_decode(const uint8_t *buf, size_t len, uint8_t op,
		  uint16_t internal_port, struct natpmp_resp *out);

/* The RFC's name of a result code ("SUCCESS", "NOT_AUTHORIZED", ...),
 * or NULL for a code the RFC does not name. */
const char *pcp_result_name(uint8_t code);
const char *natpmp_result_name(uint16_t code);

#endif
