/* fuzz_coordmsg: the coordinator protocol's payloads (coordmsg.c), read
 * by the daemon (hpregister) and by every agent (hppunch, hpreject) from
 * a party that may lie, and punch-net's hpaddr (harness/net/nethpaddr.c),
 * gossiped between nodes. The first byte picks the decoder; the rest is
 * the payload. Oracle beyond "no crash": whatever decodes re-encodes to the
 * same bytes (hpreject: to a payload that decodes to the same reason). */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "coordmsg.h"
#include "nethpaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[COORD_MAX_PAYLOAD];
	const uint8_t *p = data + 1;
	size_t n;
	int len;

	if (size < 1)
		return 0;
	n = size - 1;
	switch (data[0] % 4) {
	case 0: {
		struct coord_register m;

		if (coord_register_decode(p, n, &m) != 0)
			return 0;
		len = coord_register_encode(out, sizeof(out), &m);
		/* a 13-byte form with flags 0 re-encodes as the 12-byte one */
		assert(len == (int)n || (m.flags == 0 && len == (int)n - 1));
		assert(!memcmp(out, p, (size_t)len));
		break;
	}
	case 1: {
		struct coord_punch m;

		if (coord_punch_decode(p, n, &m) != 0)
			return 0;
		len = coord_punch_encode(out, sizeof(out), &m);
		assert(len == (int)n && !memcmp(out, p, n));
		break;
	}
	case 3: {
		struct nethpaddr m;

		if (nethpaddr_decode(p, n, &m) != 0)
			return 0;
		len = nethpaddr_encode(out, sizeof(out), &m);
		assert(len == (int)n && !memcmp(out, p, n));
		break;
	}
	default: {
		struct coord_reject m, m2;

		if (coord_reject_decode(p, n, &m) != 0)
			return 0;
		len = coord_reject_encode(out, sizeof(out), &m);
		assert(len > 0);
		assert(coord_reject_decode(out, (size_t)len, &m2) == 0);
		assert(m2.code == m.code && !strcmp(m2.reason, m.reason));
		break;
	}
	}
	return 0;
}
