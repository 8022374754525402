/* probe_trap: the third WAN host T as a silent peer. An nft rule in T
 * drops every bare SYN to T's trap ports before its stack could answer
 * (a SYN-ACK or a RST would end the test), while a packet socket reads
 * each one's source first: the public endpoint the NAT gave, which T can
 * then answer with a SYN of its own, as a punching peer does. */
#ifndef PUNCHLAB_PROBE_TRAP_H
#define PUNCHLAB_PROBE_TRAP_H

#include <stdint.h>

#include "probe.h"
#include "probe_net.h"

#define PROBE_TRAP_PORT 5000 /* T's trap ports: 5000 .. 5000+N-1 */
#define PROBE_TRAP_N 16

/* Loads the rule into T and opens the packet socket: its fd, or -errno
 * with why filled. The rule lives as long as T's namespace. */
int probe_trap_new(struct probe_net *n, char *why, size_t cap);
/* Waits up to ms for a bare SYN to T:tport: 0 with its source in *src,
 * -ETIMEDOUT, -EINTR on stop or -errno. */
int probe_trap_wait(int pfd, uint16_t tport, int ms, struct probe_ep *src);
/* Connects from H1:local to T:tport and waits until T saw the SYN: the
 * connecting fd (still in SYN_SENT) with the public source in *pub, or
 * -errno with why filled. */
int probe_trap_syn(struct probe_net *n, int pfd, const struct probe_ep *local,
		   uint16_t tport, struct probe_ep *pub, char *why, size_t cap);

#endif
