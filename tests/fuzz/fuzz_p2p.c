/* fuzz_p2p: the Bitcoin P2P codec every node and the coordinator read
 * untrusted bytes with (p2p.c). Two ways in: the raw input as a stream
 * (p2p_frame, then the decoders on each framed payload), and the input as
 * a payload framed with a valid checksum, so the fuzzer reaches the
 * decoders without having to find SHA-256 collisions. Oracles beyond
 * "no crash": a framed message is never longer than its input, and a
 * version that decodes re-encodes and decodes to the same fields. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "p2p.h"

#define MAGIC P2P_MAGIC_REGTEST
#define VERSION_MAX (4 + 8 + 8 + 2 * P2P_NETADDR_LEN + 8 + 9 + P2P_UA_MAX + 4 + 1)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_payload(const uint8_t *p, size_t n)
{
	struct p2p_version v, w;
	uint8_t out[VERSION_MAX];
	int len;

	memset(&v, 0, sizeof(v));
	if (p2p_version_decode(p, n, &v) != 0)
		return;
	len = p2p_version_encode(out, sizeof(out), &v);
	assert(len > 0);
	memset(&w, 0, sizeof(w));
	assert(p2p_version_decode(out, (size_t)len, &w) == 0);
	assert(w.version == v.version && w.services == v.services &&
	       w.nonce == v.nonce && w.start_height == v.start_height &&
	       !strcmp(w.user_agent, v.user_agent));
	if (n >= P2P_NETADDR_LEN) {
		struct p2p_netaddr na;
		char s[64];

		p2p_netaddr_decode(p, &na);
		p2p_netaddr_str(&na, s, sizeof(s));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;
	uint8_t *buf;
	struct p2p_hdr h;
	const uint8_t *payload;
	int n;

	/* As a stream: every whole message in turn. */
	while (off < size) {
		n = p2p_frame(data + off, size - off, MAGIC, 4000000, &h,
			      &payload);
		if (n <= 0)
			break;
		assert((size_t)n <= size - off);
		assert(payload >= data + off &&
		       payload + h.length <= data + off + n);
		decode_payload(payload, h.length);
		off += (size_t)n;
	}
	/* As a payload framed with its real checksum. */
	buf = malloc(size + P2P_HDR_LEN);
	if (!buf)
		return 0;
	n = p2p_msg_encode(buf, size + P2P_HDR_LEN, MAGIC, "version", data,
			   size);
	assert(n == (int)(size + P2P_HDR_LEN));
	assert(p2p_frame(buf, (size_t)n, MAGIC, 4000000, &h, &payload) == n);
	decode_payload(payload, h.length);
	free(buf);
	return 0;
}
