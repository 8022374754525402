/* coordprobe: predict's second look at our NAT mapping — from the punch
 * port to the coordinator's probe port (its port +
 * COORD_PROBE_PORT_OFFSET), version/verack, hpregister flagged
 * COORD_REG_PROBE, then the coordinator's close. Done before the real
 * registration, so the coordinator sees two mappings of the punch port
 * in order and tells the peer the delta and our next port. */
#ifndef PUNCHLAB_AGENT_COORDPROBE_H
#define PUNCHLAB_AGENT_COORDPROBE_H

#include <netinet/in.h>
#include <stdint.h>

#include "addr6.h"

/* 0 once the coordinator closed the probe (the port is noted), or
 * -errno. The socket is always closed on return; a failed probe is no
 * failed trial, only a registration without a delta. */
int coordprobe_run(const union addr6 *coord, uint16_t local_port,
		   uint32_t magic, uint64_t key, int64_t deadline_ns);

#endif
