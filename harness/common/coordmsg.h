/* coordmsg: the punch coordinator's messages, carried in Bitcoin P2P
 * framing (see p2p.h) after a normal version/verack exchange.
 *
 *   hpregister  agent -> coordinator   u32 proto, u64 key [, u8 flags]
 *   hppunch     coordinator -> agent   netaddr peer, netaddr self (as the
 *                                      coordinator saw it), u8 role,
 *                                      u64 session nonce, u32 delay_ms,
 *                                      u32 rtt_us [, u8 hops
 *                                      [, u16 peer_next, i16 peer_delta,
 *                                      i16 self_delta]]
 *   hpreject    coordinator -> agent   u8 code, varstr reason (<= 255)
 *
 * A coordinator advertises COORD_SERVICE_BIT in its version services.
 * key pairs registrations: two agents registering with the same non-zero
 * key are matched; key 0 means "any waiting peer" (first come). flags is
 * optional (12 or 13 bytes): a coordinator that has no use for a bit
 * ignores it, and an agent with no flags sends the 12-byte form.
 * hops is optional too (69 or 70 bytes): sent only to an agent that set
 * COORD_REG_EXT, so an agent that predates it gets the 69-byte form.
 * The port prediction (76 bytes) follows hops, only to an agent that set
 * COORD_REG_PREDICT. */
#ifndef PUNCHLAB_COORDMSG_H
#define PUNCHLAB_COORDMSG_H

#include <stdint.h>

#include "p2p.h"

#define COORD_SERVICE_BIT (UINT64_C(1) << 24) /* experimental range 24-31 */
#define COORD_PROTO 1
#define COORD_CMD_REGISTER "hpregister"
#define COORD_CMD_PUNCH "hppunch"
#define COORD_CMD_REJECT "hpreject"
#define COORD_MAX_PAYLOAD 1024 /* coordinator drops clients sending more */
#define COORD_USER_AGENT "/punchlab-coordinator:0.1/"

enum coord_role { COORD_ROLE_INITIATOR = 0, COORD_ROLE_RESPONDER = 1 };

/* hpreject codes. The agent tells them apart: in handoff mode 4 is the
 * stand-in for being evicted or refused by a full node. */
#define COORD_REJECT_NO_PEER 1	    /* unmatched (handoff: never handed off) */
#define COORD_REJECT_PROTO 2	    /* unsupported proto */
#define COORD_REJECT_KEY_BUSY 3	    /* rendezvous: key has two peers */
#define COORD_REJECT_INBOUND_FULL 4 /* handoff: full, nobody to hand to */

/* hpregister flags. UNREACHABLE: "I cannot take inbound connections;
 * when your inbound slots are full, hand me to another such peer rather
 * than evict me" (the coordinator's handoff mode). */
#define COORD_REG_UNREACHABLE 0x01
/* EXT: "I read the optional fields of hppunch (hops)". */
#define COORD_REG_EXT 0x02
/* PREDICT: "a probe registration (below) came before this one from my
 * punch port; send me both sides' port deltas and the peer's next port"
 * (hppunch's prediction fields). PROBE: "this is not a registration but
 * a second look at my mapping, from the same local port to the
 * coordinator's second port (its port + COORD_PROBE_PORT_OFFSET): note
 * the port you see for key, then close". */
#define COORD_REG_PREDICT 0x04
#define COORD_REG_PROBE 0x08
#define COORD_PROBE_PORT_OFFSET 1
/* HOLD / SEEK: the `advertised` mode (docs/network.md, section 4). HOLD:
 * "keep this connection as my light connection; I am advertised under
 * key". SEEK: "punch me to the holder of key". Other modes ignore both. */
#define COORD_REG_HOLD 0x10
#define COORD_REG_SEEK 0x20
/* ATTACKER: a lab switch, no protocol flag. It marks the registrations
 * of the eclipse attacker's own nodes, so that a coordinator started with
 * --eclipse (a lying one, docs/adversaries.md section 7) knows whom to
 * pair the honest with; every other coordinator ignores it. */
#define COORD_REG_ATTACKER 0x40

struct coord_register {
	uint32_t proto;
	uint64_t key;
	uint8_t flags; /* 0 when absent on the wire */
};

struct coord_punch {
	struct p2p_netaddr peer;
	struct p2p_netaddr self;
	uint8_t role;
	uint64_t nonce;
	uint32_t delay_ms;
	uint32_t rtt_us;
	/* Routers between the agent and the coordinator, from the TTL its
	 * registration's SYN arrived with (0: unknown, or not sent). */
	uint8_t hops;
	int ext; /* hops on the wire (70-byte form) */
	/* Port prediction (76-byte form; implies ext). A port delta is the
	 * registration's public port minus its probe's (mod 2^16): 0 for an
	 * endpoint-independent mapping. peer_next is the peer's public port
	 * for its next connection, registration + delta; 0: unknown (the
	 * peer sent no probe). */
	int predict;
	uint16_t peer_next;
	int16_t peer_delta, self_delta;
};

struct coord_reject {
	uint8_t code;
	char reason[256];
};

#define COORD_REGISTER_LEN 12	    /* without flags */
#define COORD_REGISTER_FLAGS_LEN 13 /* with flags */
#define COORD_PUNCH_LEN (2 * P2P_NETADDR_LEN + 1 + 8 + 4 + 4)
#define COORD_PUNCH_EXT_LEN (COORD_PUNCH_LEN + 1) /* with hops */
#define COORD_PUNCH_PREDICT_LEN (COORD_PUNCH_EXT_LEN + 6)

/* encode: returns payload length, -ENOSPC, or -EINVAL for a role not 0/1
 * or a reason without its NUL. decode: 0 or -EBADMSG (wrong length, role
 * not 0/1, reason with a NUL byte or a non-canonical CompactSize).
 * hpregister encodes 12 bytes when flags is 0, else 13, and decodes
 * either (flags 0 from 12); unknown flag bits are kept, not refused.
 * hppunch encodes 76 bytes when predict is set, else 70 when ext is set,
 * else 69, and decodes any of them (absent fields 0; 76 sets ext too). */
int coord_register_encode(uint8_t *out, size_t cap,
			  const struct coord_register *m);
int coord_register_decode(const uint8_t *p, size_t len,
			  struct coord_register *m);
int coord_punch_encode(uint8_t *out, size_t cap, const struct coord_punch *m);
int coord_punch_decode(const uint8_t *p, size_t len, struct coord_punch *m);
/* Routers a packet crossed, from the TTL it arrived with: the smallest
 * usual initial TTL (64, 128, 255) at or above it, minus it. A TTL of 0
 * (never seen on arrival) gives 0, "unknown". */
uint8_t coord_hops_from_ttl(uint8_t ttl);
/* The port delta from a probe's port to the registration's, as a signed
 * 16-bit difference; and the port after `port` with that delta. */
int16_t coord_port_delta(uint16_t probe_port, uint16_t reg_port);
uint16_t coord_port_next(uint16_t port, int16_t delta);

/* The version a coordinator answers a client's with: our protocol, the
 * service bit, addr_recv = the client as we see it (with its services,
 * as Core does), our user agent, the given nonce, the time now. */
void coord_version_init(struct p2p_version *v,
			const struct p2p_netaddr *observed,
			uint64_t their_services, uint64_t nonce);

int coord_reject_encode(uint8_t *out, size_t cap, const struct coord_reject *m);
int coord_reject_decode(const uint8_t *p, size_t len, struct coord_reject *m);

#endif
