/* probe_bridge: a Linux bridge inside a namespace, for the probe's home
 * LAN with two hosts (topo.h has veth, address and route, no bridge). */
#ifndef PUNCHLAB_PROBE_BRIDGE_H
#define PUNCHLAB_PROBE_BRIDGE_H

/* Creates bridge name in ns, left down. 0 or -errno. */
int probe_bridge_add(int ns, const char *name);
/* Enslaves link port (in the same namespace) to bridge. 0 or -errno. */
int probe_bridge_port(int ns, const char *bridge, const char *port);

#endif
