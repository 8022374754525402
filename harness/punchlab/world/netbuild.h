/* netbuild: the steps every punchlab topology is made of — a run's
 * namespace registered for cleanup and set up (its role, loopback up;
 * forwarding and IPv6 off come with each link, topo_link_up_conf), and a WAN host attached to the internet namespace by a
 * veth with a /32 that inet routes. Shared by world.c (scenarios) and
 * probe_net.c (the probe), which use the plan's WAN gateway and carrier
 * addresses (plan.h). */
#ifndef PUNCHLAB_NETBUILD_H
#define PUNCHLAB_NETBUILD_H

#include <stddef.h>

#include "plan.h"


struct cleanup;

struct nb_host {
	char ns[96];
	int fd; /* namespace fd, -1 when not created */
	int forward; /* it routes: its links are brought up forwarding */
};

/* Fills err with "what: strerror(e)" and returns -|e|. */
int netbuild_fail(char *err, size_t cap, int e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "<rid>-<tag>" into buf; -ENAMETOOLONG (buf "") when it does not fit. */
int netbuild_ifname(char *buf, size_t cap, const char *rid, const char *tag);
/* Namespace pl-<rid>-<tag>, recorded in cu before it is created. A
 * router forwards and sends no ICMP redirects (a hairpinned packet leaves
 * the port it came in on; a redirect would teach the host to skip the
 * router). 0 or -errno with err filled. */
int netbuild_host(struct cleanup *cu, const char *rid, struct nb_host *h,
		  const char *tag, int router, char *err, size_t cap);
/* netbuild_host in two steps, for a builder that batches a namespace's
 * steps in one visit: _add registers, creates and opens it (h->fd);
 * _setup, inside a visit of it, records its role (forward) and brings
 * loopback up. */
int netbuild_host_add(struct cleanup *cu, const char *rid, struct nb_host *h,
		      const char *tag, char *err, size_t cap);
struct topo_visit;
int netbuild_host_setup(struct topo_visit *v, struct nb_host *h, int router,
			char *err, size_t cap);
/* veth <rid>-<inet_tag> in inet to <rid>-wan in h, addr/32 on it, default
 * route to PLAN_INET_GW, and the /32 route back in inet. */
int netbuild_wan(const char *rid, int inet_fd, struct nb_host *h,
		 const char *inet_tag, const char *addr, char *err,
		 size_t cap);

#endif
