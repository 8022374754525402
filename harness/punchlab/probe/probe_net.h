/* probe_net: the namespaces of one probe run, built with the testbed
 * library and registered for cleanup before each is created.
 *
 *   [h1 10.0.1.2]--+                                 +--[srv 192.0.2.10
 *                  +--[router]----------------[inet]-+        192.0.2.11]
 *   [h2 10.0.1.3]--+  br 10.0.1.1  WAN 198.51.100.1  +--[t 192.0.2.20]
 *
 * With a carrier NAT (NAT444) the router's WAN is 100.64.0.2/10 behind
 * [cgn] (LAN 100.64.0.1/10, WAN 198.51.100.1). inet routes /32s as in a
 * scenario's world; srv runs punch-probe-server on both addresses, ports
 * 3478 and 3479. */
#ifndef PUNCHLAB_PROBE_NET_H
#define PUNCHLAB_PROBE_NET_H

#include <stddef.h>
#include <sys/types.h>

#include "netbuild.h"

#include "profile.h"
#include "runid.h"

#define PROBE_SRV_A "192.0.2.10"
#define PROBE_SRV_B "192.0.2.11"
#define PROBE_T_ADDR "192.0.2.20"
#define PROBE_PUBLIC "198.51.100.1"
#define PROBE_H1 "10.0.1.2"
#define PROBE_H2 "10.0.1.3"
#define PROBE_PORT_1 3478
#define PROBE_PORT_2 3479
#define PROBE_HOLD_PORT 3480 /* in-process listener on srv A */

struct probe_net {
	char rid[RUNID_LEN + 1];
	char table[32];
	struct cleanup *cu;
	struct nb_host inet, srv, t, cgn, router, h1, h2;
	int has_carrier;
	pid_t srv_pid;
	/* IPv6: probe6_net adds it when v6_on (probe6.h) */
	int v6_on;
	const struct nat_profile *home; /* the router's profile */
};

/* Checks that p renders (before anything is built) as the home router or,
 * with carrier set, as the carrier NAT: 0, or -errno with the renderer's
 * reason in why. A profile with port_block gives each of its subscribers
 * (H1 and H2, or the home router's WAN) a block. */
int probe_net_check(const struct nat_profile *p, int carrier, char *why,
		    size_t cap);
/* Builds everything and starts the probe server (with --stay when stay).
 * NULL with errno and a message in err; whatever was made is removed. */
struct probe_net *probe_net_new(const char *rid, const struct nat_profile *home,
				const struct nat_profile *carrier, int stay,
				char *err, size_t cap);
/* Stops the server and deletes the namespaces. NULL is safe. */
void probe_net_free(struct probe_net *n);
/* Frees the memory, leaves all up for `punchlab down <rid>`. */
void probe_net_detach(struct probe_net *n);

#endif
