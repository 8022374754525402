/* world: builds a scenario's namespaces, links, addresses, routes and NAT
 * rulesets through the testbed library, registering each object for
 * cleanup before it is created. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "nat.h"
#include "netns.h"
#include "topo.h"
#include "world.h"

#define INET_GW "192.0.2.254"

static const struct {
	const char *tag, *wan_fmt, *lan_prefix, *lan_router, *lan_host;
} world_sides[2] = {
	{ "alice", "198.51.100.%d", "10.0.1.0/24", "10.0.1.1", "10.0.1.2" },
	{ "bob", "203.0.113.%d", "10.0.2.0/24", "10.0.2.1", "10.0.2.2" },
};

static int fail(char *err, size_t cap, int e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t cap, int e, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(err, cap, "%s: %s", what, strerror(e < 0 ? -e : e));
	return e < 0 ? e : -e;
}

/* Namespaces come up with IPv6 off (no DAD or router solicitations on
 * the wire), forwarding as asked, and loopback up. */
static int host_add(struct world *w, struct world_host *h, const char *tag,
		    int forward, char *err, size_t cap)
{
	int e;

	snprintf(h->ns, sizeof(h->ns), "%s%s-%s", RUNID_NETNS_PREFIX, w->rid,
		 tag);
	e = cleanup_netns(w->cu, h->ns);
	if (e < 0)
		return fail(err, cap, e, "registering namespace %s", h->ns);
	e = netns_add(h->ns);
	if (e < 0)
		return fail(err, cap, e, "creating namespace %s", h->ns);
	h->fd = netns_open(h->ns);
	if (h->fd < 0)
		return fail(err, cap, h->fd, "opening namespace %s", h->ns);
	if ((e = topo_sysctl(h->fd, "net.ipv6.conf.all.disable_ipv6", "1")) <
		    0 ||
	    (e = topo_sysctl(h->fd, "net.ipv6.conf.default.disable_ipv6",
			     "1")) < 0 ||
	    (e = topo_sysctl(h->fd, "net.ipv4.ip_forward",
			     forward ? "1" : "0")) < 0)
		return fail(err, cap, e, "sysctls in %s", h->ns);
	e = topo_link_up(h->fd, "lo");
	if (e < 0)
		return fail(err, cap, e, "loopback up in %s", h->ns);
	return 0;
}

static void ifname(char *buf, size_t cap, const char *rid, const char *tag)
{
	snprintf(buf, cap, "%s-%s", rid, tag);
}

/* A WAN host: one /32 on its veth to inet, reached by a /32 route in
 * inet, default route to inet's gateway address. */
static int wan_attach(struct world *w, struct world_host *h,
		      const char *inet_tag, const char *addr, char *err,
		      size_t cap)
{
	char inet_if[16], wan_if[16], cidr[32];
	int e;

	ifname(inet_if, sizeof(inet_if), w->rid, inet_tag);
	ifname(wan_if, sizeof(wan_if), w->rid, "wan");
	snprintf(cidr, sizeof(cidr), "%s/32", addr);
	if ((e = topo_veth(w->inet.fd, inet_if, h->fd, wan_if)) < 0)
		return fail(err, cap, e, "veth %s <-> %s:%s", inet_if, h->ns,
			    wan_if);
	if ((e = topo_link_up(w->inet.fd, inet_if)) < 0 ||
	    (e = topo_link_up(h->fd, wan_if)) < 0 ||
	    (e = topo_addr(h->fd, wan_if, cidr)) < 0 ||
	    (e = topo_route(h->fd, INET_GW "/32", NULL, wan_if, 0)) < 0 ||
	    (e = topo_route(h->fd, "default", INET_GW, wan_if, 1)) < 0 ||
	    (e = topo_route(w->inet.fd, cidr, NULL, inet_if, 0)) < 0)
		return fail(err, cap, e, "WAN link of %s (%s)", h->ns, addr);
	return 0;
}

static int side_build(struct world *w, int cell, int s,
		      const struct nat_profile *p, char *err, size_t cap)
{
	struct world_side *sd = &w->cells[cell].side[s];
	char tag[32], lan_if[16], eth_if[16], cidr[32], rules[16384],
		why[256], nfterr[1024];
	struct nat_ifaces ifc;
	int e;

	sd->profile = p;
	snprintf(sd->wan_addr, sizeof(sd->wan_addr), world_sides[s].wan_fmt,
		 cell + 1);
	snprintf(sd->lan_addr, sizeof(sd->lan_addr), "%s",
		 world_sides[s].lan_host);
	snprintf(tag, sizeof(tag), "c%d-r%c", cell, s ? 'b' : 'a');
	if ((e = host_add(w, &sd->router, tag, 1, err, cap)) < 0)
		return e;
	snprintf(tag, sizeof(tag), "c%d-%s", cell, world_sides[s].tag);
	if ((e = host_add(w, &sd->host, tag, 0, err, cap)) < 0)
		return e;
	snprintf(tag, sizeof(tag), "%d%c", cell, s ? 'b' : 'a');
	if ((e = wan_attach(w, &sd->router, tag, sd->wan_addr, err, cap)) < 0)
		return e;

	ifname(lan_if, sizeof(lan_if), w->rid, "lan");
	ifname(eth_if, sizeof(eth_if), w->rid, "eth");
	if ((e = topo_veth(sd->router.fd, lan_if, sd->host.fd, eth_if)) < 0)
		return fail(err, cap, e, "LAN veth in %s", sd->router.ns);
	snprintf(cidr, sizeof(cidr), "%s/24", world_sides[s].lan_router);
	if ((e = topo_link_up(sd->router.fd, lan_if)) < 0 ||
	    (e = topo_link_up(sd->host.fd, eth_if)) < 0 ||
	    (e = topo_addr(sd->router.fd, lan_if, cidr)) < 0)
		return fail(err, cap, e, "LAN side of %s", sd->router.ns);
	snprintf(cidr, sizeof(cidr), "%s/24", sd->lan_addr);
	if ((e = topo_addr(sd->host.fd, eth_if, cidr)) < 0 ||
	    (e = topo_route(sd->host.fd, "default", world_sides[s].lan_router,
			    eth_if, 0)) < 0)
		return fail(err, cap, e, "home host %s", sd->host.ns);

	ifc = (struct nat_ifaces){ .table = w->table,
				   .wan = NULL,
				   .lan = NULL,
				   .wan_addr = sd->wan_addr,
				   .lan_cidr = world_sides[s].lan_prefix };
	char wan_if[16];
	ifname(wan_if, sizeof(wan_if), w->rid, "wan");
	ifc.wan = wan_if;
	ifc.lan = lan_if;
	why[0] = '\0';
	e = nat_render(p, &ifc, rules, sizeof(rules), why, sizeof(why));
	if (e < 0) {
		snprintf(err, cap, "profile %s: %s", p->name,
			 why[0] ? why : strerror(-e));
		return e;
	}
	nfterr[0] = '\0';
	e = nat_apply(sd->router.fd, rules, nfterr, sizeof(nfterr));
	if (e < 0) {
		snprintf(err, cap, "loading NAT profile %s into %s: %s",
			 p->name, sd->router.ns, nfterr);
		return e;
	}
	return 0;
}

static int world_build(struct world *w, const struct scenario *s,
		       volatile sig_atomic_t *stop, char *err, size_t cap)
{
	char inet_if[16];
	int e;

	if ((e = host_add(w, &w->inet, "inet", 1, err, cap)) < 0)
		return e;
	ifname(inet_if, sizeof(inet_if), w->rid, "ch");
	if ((e = topo_addr(w->inet.fd, "lo", INET_GW "/32")) < 0)
		return fail(err, cap, e, "gateway address in %s", w->inet.ns);
	if ((e = host_add(w, &w->charlie, "charlie", 0, err, cap)) < 0)
		return e;
	if ((e = wan_attach(w, &w->charlie, "ch", WORLD_COORD_ADDR, err,
			    cap)) < 0)
		return e;
	for (int c = 0; c < w->ncells; c++) {
		for (int sd = 0; sd < 2; sd++) {
			if (stop && *stop)
				return fail(err, cap, EINTR, "building cell %d",
					    c);
			e = side_build(w, c, sd,
				       sd ? &s->cells[c].b : &s->cells[c].a,
				       err, cap);
			if (e < 0)
				return e;
		}
	}
	return 0;
}

static void host_init(struct world_host *h)
{
	h->ns[0] = '\0';
	h->fd = -1;
}

struct world *world_new(const char *rid, const struct scenario *s,
			volatile sig_atomic_t *stop, char *err,
			size_t err_cap)
{
	struct world *w;
	int e;

	if (s->ncells > WORLD_MAX_CELLS) {
		snprintf(err, err_cap, "%s: %d cells, at most %d fit the WAN",
			 s->path, s->ncells, WORLD_MAX_CELLS);
		errno = E2BIG;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		goto err_alloc;
	snprintf(w->rid, sizeof(w->rid), "%s", rid);
	snprintf(w->table, sizeof(w->table), "punchlab_%s", rid);
	host_init(&w->inet);
	host_init(&w->charlie);
	w->ncells = s->ncells;
	w->cells = calloc(s->ncells, sizeof(*w->cells));
	if (!w->cells)
		goto err_cells;
	for (int c = 0; c < w->ncells; c++)
		for (int sd = 0; sd < 2; sd++) {
			host_init(&w->cells[c].side[sd].router);
			host_init(&w->cells[c].side[sd].host);
		}
	w->cu = cleanup_new(rid);
	if (!w->cu) {
		snprintf(err, err_cap, "state directory %s/%s: %s",
			 RUNID_STATE_DIR, rid, strerror(errno));
		goto err_cleanup;
	}
	e = world_build(w, s, stop, err, err_cap);
	if (e < 0) {
		world_free(w);
		errno = -e;
		return NULL;
	}
	return w;

err_cleanup:
	free(w->cells);
err_cells:
	free(w);
err_alloc:
	if (!err[0])
		snprintf(err, err_cap, "%s", strerror(errno));
	return NULL;
}

static void host_close(struct world_host *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}

static void world_close(struct world *w)
{
	host_close(&w->inet);
	host_close(&w->charlie);
	for (int c = 0; c < w->ncells; c++)
		for (int sd = 0; sd < 2; sd++) {
			host_close(&w->cells[c].side[sd].router);
			host_close(&w->cells[c].side[sd].host);
		}
}

void world_free(struct world *w)
{
	if (!w)
		return;
	world_close(w);
	cleanup_free(w->cu);
	free(w->cells);
	free(w);
}

void world_detach(struct world *w)
{
	if (!w)
		return;
	world_close(w);
	cleanup_detach(w->cu);
	free(w->cells);
	free(w);
}
