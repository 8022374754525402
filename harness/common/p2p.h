/* p2p: Bitcoin P2P v1 framing and the messages punchlab speaks (version,
 * verack, ping, pong). Pure functions over byte buffers; no I/O, no
 * allocation. Integers on the wire are little-endian except netaddr ports. */
#ifndef PUNCHLAB_P2P_H
#define PUNCHLAB_P2P_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define P2P_HDR_LEN 24
#define P2P_CMD_LEN 12
/* Magic as the little-endian u32 whose wire bytes are fa bf b5 da. */
#define P2P_MAGIC_REGTEST 0xdab5bffaU
#define P2P_MAGIC_MAINNET 0xd9b4bef9U
#define P2P_PROTOCOL_VERSION 70016
#define P2P_NETADDR_LEN 26 /* services(8) ip(16) port(2, big-endian) */
#define P2P_UA_MAX 256

struct p2p_hdr {
	uint32_t magic;
	char command[P2P_CMD_LEN + 1]; /* NUL-terminated */
	uint32_t length;
	uint8_t checksum[4];
};

/* Network address as in version messages: IPv4 is stored IPv4-mapped
 * (::ffff:a.b.c.d). Port in host order here, big-endian on the wire. */
struct p2p_netaddr {
	uint64_t services;
	uint8_t ip[16];
	uint16_t port;
};

struct p2p_version {
	int32_t version;
	uint64_t services;
	int64_t timestamp;
	struct p2p_netaddr recv;
	struct p2p_netaddr from;
	uint64_t nonce;
	char user_agent[P2P_UA_MAX + 1];
	int32_t start_height;
	uint8_t relay; /* optional on the wire; 0 when absent */
};

/* First 4 bytes of SHA-256(SHA-256(payload)). */
void p2p_checksum(const void *payload, size_t len, uint8_t out[4]);

/* Writes a 24-byte header for payload. -EINVAL if command is longer than
 * 12 bytes or empty. */
int p2p_hdr_encode(uint8_t out[P2P_HDR_LEN], uint32_t magic,
		   const char *command, const void *payload, size_t len);

/* Parses a header. -EBADMSG if the command is not NUL-padded printable
 * ASCII (bytes after the first NUL must all be NUL). Does not check magic,
 * length or checksum: p2p_frame does. */
int p2p_hdr_decode(const uint8_t in[P2P_HDR_LEN], struct p2p_hdr *h);

/* Header + payload into out. Returns total bytes, -ENOSPC when cap is too
 * small, -EINVAL for a bad command. */
int p2p_msg_encode(uint8_t *out, size_t cap, uint32_t magic,
		   const char *command, const void *payload, size_t len);

/* Looks for one whole message at the start of a stream buffer.
 * Returns the bytes it occupies (> 0) and fills h and *payload (pointing
 * into buf); 0 when more bytes are needed; -EBADMSG for wrong magic, bad
 * command or bad checksum; -EMSGSIZE when the header announces more than
 * max_payload bytes (checked before waiting for the payload). */
int p2p_frame(const uint8_t *buf, size_t len, uint32_t magic,
	      size_t max_payload, struct p2p_hdr *h, const uint8_t **payload);

/* version payload. encode returns the payload length or -ENOSPC; it
 * writes relay only when version >= 70001 (BIP 37), so old messages
 * re-encode byte for byte. decode returns 0 or -EBADMSG (truncated before
 * start_height, user agent over P2P_UA_MAX, non-canonical CompactSize);
 * trailing garbage is allowed as Bitcoin Core allows it. */
int p2p_version_encode(uint8_t *out, size_t cap, const struct p2p_version *v);
int p2p_version_decode(const uint8_t *p, size_t len, struct p2p_version *v);

/* 26-byte netaddr (no time field, as in version). */
void p2p_netaddr_encode(uint8_t out[P2P_NETADDR_LEN],
			const struct p2p_netaddr *na);
void p2p_netaddr_decode(const uint8_t in[P2P_NETADDR_LEN],
			struct p2p_netaddr *na);

/* sockaddr_in/sockaddr_in6 <-> netaddr (services left untouched).
 * to_sockaddr produces sockaddr_in for IPv4-mapped addresses; returns the
 * sockaddr length. from_sockaddr returns -EAFNOSUPPORT for other families. */
int p2p_netaddr_from_sockaddr(struct p2p_netaddr *na,
			      const struct sockaddr *sa);
socklen_t p2p_netaddr_to_sockaddr(const struct p2p_netaddr *na,
				  struct sockaddr_storage *ss);
/* "1.2.3.4:5" or "[::1]:5" into buf; returns buf. */
char *p2p_netaddr_str(const struct p2p_netaddr *na, char *buf, size_t cap);

/* Little-endian helpers used by other codecs. */
void p2p_put_u16le(uint8_t *p, uint16_t v);
void p2p_put_u32le(uint8_t *p, uint32_t v);
void p2p_put_u64le(uint8_t *p, uint64_t v);
uint16_t p2p_get_u16le(const uint8_t *p);
uint32_t p2p_get_u32le(const uint8_t *p);
uint64_t p2p_get_u64le(const uint8_t *p);

#endif
