/* icmperr: the ICMP error a socket with IP_RECVERR queued, read from its
 * (or IPV6_RECVERR) error queue (one reader for the agent's race and the probe). */
#ifndef PUNCHLAB_ICMPERR_H
#define PUNCHLAB_ICMPERR_H

#include <netinet/in.h>

#include "addr6.h"
#include <stdint.h>

struct icmp_err {
	uint8_t type, code;
	int err;		   /* the errno the kernel mapped it to */
	union addr6 from; /* the router or host that sent it */
};

/* 1 with e filled when fd's error queue held an ICMP error (consumed),
 * else 0 (nothing queued, or not ICMP). */
int icmperr_read(int fd, struct icmp_err *e);

#endif
