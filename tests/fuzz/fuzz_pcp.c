/* fuzz_pcp: the PCP and NAT-PMP reply decoders (harness/common/pcp.c),
 * which read whatever arrives on the agent's socket toward the gateway.
 * The first byte picks the decoder (PCP MAP, NAT-PMP external address,
 * NAT-PMP map); the rest is the datagram. Oracle beyond "no crash": what
 * is taken as an answer is one to our request (nonce, protocol and port
 * for PCP; opcode and port for NAT-PMP) and fits in what was read. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "pcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct pcp_map_req fuzz_req = {
	.client.s_addr = 0x0202000a, /* 10.0.2.2 */
	.nonce = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
	.internal_port = 20000,
	.external_port = 20000,
	.lifetime = 3600,
};

static void fuzz_pcp_map(const uint8_t *p, size_t n)
{
	struct pcp_map_resp out;
	uint16_t nr;
	int err = pcp_map_decode(p, n, &fuzz_req, &out, &nr);

	assert(err == 0 || err == -EBADMSG || err == -ESRCH ||
	       err == -EPROTONOSUPPORT);
	if (err == -EPROTONOSUPPORT)
		assert(n >= NATPMP_HEADER_LEN && p[0] == NATPMP_VERSION);
	if (err)
		return;
	assert(n >= PCP_HEADER_LEN && n <= PCP_MAX_LEN && n % 4 == 0);
	assert(out.has_map || (n == PCP_HEADER_LEN && out.result));
	if (out.has_map) {
		assert(!memcmp(p + PCP_HEADER_LEN, fuzz_req.nonce,
			       PCP_NONCE_LEN));
		assert(out.internal_port == fuzz_req.internal_port);
	}
}

static void fuzz_natpmp(const uint8_t *p, size_t n, uint8_t op)
{
	struct natpmp_resp out;
	int err = natpmp_decode(p, n, op, 20000, &out);

	assert(err == 0 || err == -EBADMSG || err == -ESRCH ||
	       err == -EPROTONOSUPPORT);
	if (err)
		return;
	assert(n >= NATPMP_HEADER_LEN && p[1] == (PCP_R_BIT | op));
	if (out.result == PCP_SUCCESS && op == NATPMP_OP_MAP_TCP)
		assert(n >= NATPMP_MAP_RESP_LEN && out.internal_port == 20000);
	if (out.result == PCP_SUCCESS && op == NATPMP_OP_EXTERNAL)
		assert(n >= NATPMP_EXTERNAL_RESP_LEN);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_pcp_map(data + 1, size - 1);
		break;
	case 1:
		fuzz_natpmp(data + 1, size - 1, NATPMP_OP_EXTERNAL);
		break;
	default:
		fuzz_natpmp(data + 1, size - 1, NATPMP_OP_MAP_TCP);
		break;
	}
	return 0;
}
