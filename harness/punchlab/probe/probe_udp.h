/* probe_udp: the UDP tests of `punchlab probe` — mapping, port assignment,
 * filtering and the answer to an unsolicited datagram — with datagrams
 * between sockets the punchlab process holds in H1, srv and T. */
#ifndef PUNCHLAB_PROBE_UDP_H
#define PUNCHLAB_PROBE_UDP_H

#include <stdint.h>

#include "probe.h"
#include "probe_net.h"

/* Fills o->udp from local ports base, base+10.. and base+20 of H1 (UDP,
 * so they do not meet the TCP tests' ports). 0 when the tests ran (a test
 * that could not run sets its err and o->udp.why), -EINTR on stop. */
int probe_udp_measure(struct probe_net *n, uint16_t base, struct probe_obs *o);
/* Waits up to ms for the datagram msg on fd: 0 with its source in *from,
 * -ETIMEDOUT or -EINTR. Other datagrams and the ICMP errors an unconnected
 * socket reports under IP_RECVERR are read and passed over. */
int probe_udp_await(int fd, const char *msg, int ms, struct probe_ep *from);

#endif
