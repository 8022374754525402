/* probe_net: builds the probe topology (namespaces, veths, a LAN bridge,
 * /32 WAN routing, one or two NAT rulesets) and starts the probe server,
 * registering each object before it exists so any failure, SIGINT or a
 * killed run is cleaned. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "nat.h"
#include "netns.h"
#include "probe_bridge.h"
#include "netbuild.h"
#include "probe_net.h"
#include "proc.h"
#include "punchlab.h"
#include "topo.h"

#define PROBE_CGN_CIDR "100.64.0.0/10"
#define PROBE_LAN_CIDR "10.0.1.0/24"
#define PROBE_LAN_GW "10.0.1.1"
#define PROBE_READY_MS 3000

#define probe_fail netbuild_fail
#define probe_ifname netbuild_ifname

static const char *const probe_lan_subscribers[] = {PROBE_H1, PROBE_H2};
static const char *const probe_cgn_subscribers[] = {PLAN_CGN_ROUTER_WAN};

/* Subscribers only for a profile with blocks (nat.h: zero otherwise). */
static void probe_subscribers(const struct nat_profile *p, int carrier,
			      struct nat_ifaces *ifc)
{
	if (!p->port_block)
		return;
	ifc->subscribers =
		carrier ? probe_cgn_subscribers : probe_lan_subscribers;
	ifc->nsubscribers = carrier ? 1 : 2;
}

int probe_net_check(const struct nat_profile *p, int carrier, char *why,
		    size_t cap)
{
	struct nat_ifaces ifc = {.table = "punchlab_000000",
				 .wan = "000000-wan",
				 .lan = "000000-lan",
				 .wan_addr = PROBE_PUBLIC,
				 .lan_cidr = carrier ? PROBE_CGN_CIDR
						     : PROBE_LAN_CIDR};
	char *buf = malloc(65536);
	int n;

	probe_subscribers(p, carrier, &ifc);
	if (!buf)
		return -ENOMEM;
	why[0] = '\0';
	n = nat_render(p, &ifc, buf, 65536, why, cap);
	free(buf);
	if (n < 0 && !why[0])
		snprintf(why, cap, "%s", strerror(-n));
	return n < 0 ? n : 0;
}

static int probe_host_add(struct probe_net *n, struct nb_host *h,
			  const char *tag, int router, char *err, size_t cap)
{
	return netbuild_host(n->cu, n->rid, h, tag, router, err, cap);
}

static int probe_wan_attach(struct probe_net *n, struct nb_host *h,
			    const char *inet_tag, const char *addr, char *err,
			    size_t cap)
{
	return netbuild_wan(n->rid, n->inet.fd, h, inet_tag, addr, err, cap);
}

/* The probe server's second address on the same veth. */
static int probe_srv_second(struct probe_net *n, char *err, size_t cap)
{
	char inet_if[16], wan_if[16];
	int e;

	probe_ifname(inet_if, sizeof(inet_if), n->rid, "s");
	probe_ifname(wan_if, sizeof(wan_if), n->rid, "wan");
	if ((e = topo_addr(n->srv.fd, wan_if, PROBE_SRV_B "/32")) < 0 ||
	    (e = topo_route(n->inet.fd, PROBE_SRV_B "/32", NULL, inet_if, 0)) <
		    0)
		return probe_fail(err, cap, e, "second address of %s",
				  n->srv.ns);
	return 0;
}

/* router's LAN: bridge <rid>-lan with ports <rid>-p1, <rid>-p2 to the
 * hosts' <rid>-eth. */
static int probe_lan(struct probe_net *n, char *err, size_t cap)
{
	struct nb_host *hosts[2] = {&n->h1, &n->h2};
	static const char *const addrs[2] = {PROBE_H1 "/24", PROBE_H2 "/24"};
	char br[16], port[16], eth[16], tag[4];
	int e;

	probe_ifname(br, sizeof(br), n->rid, "lan");
	probe_ifname(eth, sizeof(eth), n->rid, "eth");
	if ((e = probe_bridge_add(n->router.fd, br)) < 0 ||
	    (e = topo_addr(n->router.fd, br, PROBE_LAN_GW "/24")) < 0 ||
	    (e = topo_link_up_conf(n->router.fd, br, n->router.forward)) <
		    0)
		return probe_fail(err, cap, e, "LAN bridge in %s",
				  n->router.ns);
	/* Bridged frames between H1 and H2 stay out of the router's IP
	 * hooks, where br_netfilter would put them by default. */
	topo_sysctl(n->router.fd, "net.bridge.bridge-nf-call-iptables", "0");
	for (int i = 0; i < 2; i++) {
		snprintf(tag, sizeof(tag), "p%d", i + 1);
		probe_ifname(port, sizeof(port), n->rid, tag);
		if ((e = topo_veth(n->router.fd, port, hosts[i]->fd, eth)) <
			    0 ||
		    (e = probe_bridge_port(n->router.fd, br, port)) < 0 ||
		    (e = topo_link_up_conf(n->router.fd, port,
						n->router.forward)) < 0 ||
		    (e = topo_link_up_conf(hosts[i]->fd, eth,
						hosts[i]->forward)) < 0 ||
		    (e = topo_addr(hosts[i]->fd, eth, addrs[i])) < 0 ||
		    (e = topo_route(hosts[i]->fd, "default", PROBE_LAN_GW, eth,
				    0)) < 0)
			return probe_fail(err, cap, e, "LAN host %s",
					  hosts[i]->ns);
	}
	return 0;
}

/* Home router behind the carrier: a /10 link between the two. */
static int probe_cgn_link(struct probe_net *n, char *err, size_t cap)
{
	char lan[16], wan[16];
	int e;

	probe_ifname(lan, sizeof(lan), n->rid, "lan");
	probe_ifname(wan, sizeof(wan), n->rid, "wan");
	if ((e = topo_veth(n->cgn.fd, lan, n->router.fd, wan)) < 0 ||
	    (e = topo_link_up_conf(n->cgn.fd, lan, n->cgn.forward)) < 0 ||
	    (e = topo_link_up_conf(n->router.fd, wan, n->router.forward)) <
		0 ||
	    (e = topo_addr(n->cgn.fd, lan, PLAN_CGN_CARRIER_LAN "/10")) < 0 ||
	    (e = topo_addr(n->router.fd, wan, PLAN_CGN_ROUTER_WAN "/10")) < 0 ||
	    (e = topo_route(n->router.fd, "default", PLAN_CGN_CARRIER_LAN, wan, 0)) <
		    0)
		return probe_fail(err, cap, e, "carrier link %s <-> %s",
				  n->cgn.ns, n->router.ns);
	return 0;
}

static int probe_nat_load(struct probe_net *n, const struct nat_profile *p,
			  int carrier, char *err, size_t cap)
{
	struct nb_host *h = carrier ? &n->cgn : &n->router;
	char wan[16], lan[16], why[256], nfterr[1024], *rules;
	struct nat_ifaces ifc = {
		.table = n->table,
		.wan = wan,
		.lan = lan,
		.wan_addr = carrier || !n->has_carrier ? PROBE_PUBLIC
						       : PLAN_CGN_ROUTER_WAN,
		.lan_cidr = carrier ? PROBE_CGN_CIDR : PROBE_LAN_CIDR};
	int e;

	probe_subscribers(p, carrier, &ifc);
	probe_ifname(wan, sizeof(wan), n->rid, "wan");
	probe_ifname(lan, sizeof(lan), n->rid, "lan");
	rules = malloc(65536);
	if (!rules)
		return probe_fail(err, cap, ENOMEM, "rendering %s", p->name);
	why[0] = nfterr[0] = '\0';
	e = nat_render(p, &ifc, rules, 65536, why, sizeof(why));
	if (e < 0) {
		snprintf(err, cap, "profile %s: %s", p->name,
			 why[0] ? why : strerror(-e));
	} else {
		e = nat_apply(h->fd, rules, nfterr, sizeof(nfterr));
		if (e < 0)
			snprintf(err, cap, "loading NAT profile %s into %s: %s",
				 p->name, h->ns, nfterr);
	}
	free(rules);
	return e < 0 ? e : 0;
}

/* Runs punch-probe-server in srv and waits for its "ready" line, so the
 * first probe never races its bind(). */
static int probe_srv_start(struct probe_net *n, int stay, char *err, size_t cap)
{
	char path[4096], line[16] = "";
	char *argv[] = {path,
			"--timeout-ms",
			"3000",
			PROBE_SRV_A ":3478",
			PROBE_SRV_A ":3479",
			PROBE_SRV_B ":3478",
			PROBE_SRV_B ":3479",
			stay ? "--stay" : NULL,
			NULL};
	struct pollfd p;
	int fds[2], e;
	ssize_t got = 0, r;
	pid_t pid;

	if ((e = punchlab_sibling("punch-probe-server", path, sizeof(path))) <
	    0)
		return probe_fail(err, cap, e, "locating punch-probe-server");
	if (pipe2(fds, O_CLOEXEC) < 0)
		return probe_fail(err, cap, errno, "pipe");
	/* Kept up, its log would land on a terminal long gone. */
	pid = proc_spawn(n->srv.fd, argv, fds[1], stay ? -1 : 2);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return probe_fail(err, cap, pid, "starting %s in %s", path,
				  n->srv.ns);
	}
	n->srv_pid = pid;
	if ((e = cleanup_pid(n->cu, pid)) < 0) {
		close(fds[0]);
		return probe_fail(err, cap, e, "registering pid %d", (int)pid);
	}
	p = (struct pollfd){.fd = fds[0], .events = POLLIN};
	while (got < (ssize_t)sizeof(line) - 1 && !strchr(line, '\n')) {
		if (poll(&p, 1, PROBE_READY_MS) <= 0)
			break;
		r = read(fds[0], line + got, sizeof(line) - 1 - (size_t)got);
		if (r <= 0)
			break;
		got += r;
		line[got] = '\0';
	}
	close(fds[0]);
	if (strncmp(line, "ready\n", 6) != 0)
		return probe_fail(err, cap, ETIMEDOUT,
				  "punch-probe-server in %s did not get ready",
				  n->srv.ns);
	return 0;
}

static int probe_net_build(struct probe_net *n, const struct nat_profile *home,
			   const struct nat_profile *carrier, int stay,
			   char *err, size_t cap)
{
	struct nb_host *outer = carrier ? &n->cgn : &n->router;
	char inet_if[16];
	int e;

	if ((e = probe_host_add(n, &n->inet, "inet", 1, err, cap)) < 0)
		return e;
	if ((e = topo_addr(n->inet.fd, "lo", PLAN_INET_GW "/32")) < 0)
		return probe_fail(err, cap, e, "gateway address in %s",
				  n->inet.ns);
	if ((e = probe_host_add(n, &n->srv, "srv", 0, err, cap)) < 0 ||
	    (e = probe_wan_attach(n, &n->srv, "s", PROBE_SRV_A, err, cap)) <
		    0 ||
	    (e = probe_srv_second(n, err, cap)) < 0 ||
	    (e = probe_host_add(n, &n->t, "t", 0, err, cap)) < 0 ||
	    (e = probe_wan_attach(n, &n->t, "t", PROBE_T_ADDR, err, cap)) < 0)
		return e;
	if (carrier && (e = probe_host_add(n, &n->cgn, "cgn", 1, err, cap)) < 0)
		return e;
	if ((e = probe_host_add(n, &n->router, "r", 1, err, cap)) < 0 ||
	    (e = probe_wan_attach(n, outer, "r", PROBE_PUBLIC, err, cap)) < 0 ||
	    (carrier && (e = probe_cgn_link(n, err, cap)) < 0) ||
	    (e = probe_host_add(n, &n->h1, "h1", 0, err, cap)) < 0 ||
	    (e = probe_host_add(n, &n->h2, "h2", 0, err, cap)) < 0 ||
	    (e = probe_lan(n, err, cap)) < 0)
		return e;
	/* A router that does not translate leaves the LAN routable: the
	 * WAN needs a way back to it (and only then, so that a NAT that
	 * leaks an inside address shows as a failed probe). */
	probe_ifname(inet_if, sizeof(inet_if), n->rid, "r");
	if (!carrier && home->mapping == NAT_MAP_NONE &&
	    (e = topo_route(n->inet.fd, PROBE_LAN_CIDR, PROBE_PUBLIC, inet_if,
			    1)) < 0)
		return probe_fail(err, cap, e, "route to the public LAN");
	if (carrier && carrier->mapping == NAT_MAP_NONE &&
	    (e = topo_route(n->inet.fd, PROBE_CGN_CIDR, PROBE_PUBLIC, inet_if,
			    1)) < 0)
		return probe_fail(err, cap, e, "route to the carrier LAN");
	if ((e = probe_nat_load(n, home, 0, err, cap)) < 0 ||
	    (carrier && (e = probe_nat_load(n, carrier, 1, err, cap)) < 0))
		return e;
	return probe_srv_start(n, stay, err, cap);
}

struct probe_net *probe_net_new(const char *rid, const struct nat_profile *home,
				const struct nat_profile *carrier, int stay,
				char *err, size_t cap)
{
	struct nb_host *all[7];
	struct probe_net *n;
	int e;

	n = calloc(1, sizeof(*n));
	if (!n) {
		snprintf(err, cap, "%s", strerror(errno));
		return NULL;
	}
	snprintf(n->rid, sizeof(n->rid), "%s", rid);
	snprintf(n->table, sizeof(n->table), "punchlab_%s", rid);
	n->has_carrier = carrier != NULL;
	n->srv_pid = -1;
	n->home = home;
	all[0] = &n->inet, all[1] = &n->srv, all[2] = &n->t, all[3] = &n->cgn;
	all[4] = &n->router, all[5] = &n->h1, all[6] = &n->h2;
	for (int i = 0; i < 7; i++)
		all[i]->fd = -1;
	n->cu = cleanup_new(rid);
	if (!n->cu) {
		e = errno;
		snprintf(err, cap, "state directory %s/%s: %s", RUNID_STATE_DIR,
			 rid, strerror(e));
		free(n);
		errno = e;
		return NULL;
	}
	e = probe_net_build(n, home, carrier, stay, err, cap);
	if (e < 0 || punchlab_stop) {
		if (e >= 0)
			snprintf(err, cap, "interrupted");
		probe_net_free(n);
		errno = e < 0 ? -e : EINTR;
		return NULL;
	}
	return n;
}

static void probe_net_close(struct probe_net *n)
{
	struct nb_host *all[] = {&n->inet,	&n->srv, &n->t, &n->cgn,
				    &n->router, &n->h1,	 &n->h2};

	for (size_t i = 0; i < sizeof(all) / sizeof(*all); i++) {
		if (all[i]->fd >= 0)
			close(all[i]->fd);
		all[i]->fd = -1;
	}
}

void probe_net_free(struct probe_net *n)
{
	if (!n)
		return;
	probe_net_close(n);
	cleanup_free(n->cu);
	free(n);
}

void probe_net_detach(struct probe_net *n)
{
	if (!n)
		return;
	probe_net_close(n);
	cleanup_detach(n->cu);
	free(n);
}
