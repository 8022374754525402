/* nethpaddr: hpaddr's codec, on p2p.c's integer and netaddr helpers. */
#include <errno.h>

#include "nethpaddr.h"

int nethpaddr_encode(uint8_t *out, size_t cap, const struct nethpaddr *m)
{
	if (cap < NETHPADDR_LEN)
		return -ENOSPC;
	p2p_put_u64le(out, m->key);
	p2p_netaddr_encode(out + 8, &m->coord);
	p2p_put_u32le(out + 8 + P2P_NETADDR_LEN, m->node);
	return NETHPADDR_LEN;
}

int nethpaddr_decode(const uint8_t *p, size_t len, struct nethpaddr *m)
{
	if (len != NETHPADDR_LEN)
		return -EBADMSG;
	m->key = p2p_get_u64le(p);
	p2p_netaddr_decode(p + 8, &m->coord);
	m->node = p2p_get_u32le(p + 8 + P2P_NETADDR_LEN);
	return 0;
}
