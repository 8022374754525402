/* test_plan: the topology plan of a scenario — names, addresses, links,
 * routes and NAT loads — checked without root: every name carries the run
 * id and fits the kernel's limits, every address is unique where it must
 * be, every route's gateway is reachable, and the carrier and routed
 * homes are addressed as the world diagram says. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "../../harness/punchlab/plan/plan.c"
#include "../../harness/punchlab/plan/plan6.c"
#include "../../harness/punchlab/plan/plan_print.c"
#include "lib/testutil.h"

#define RID "a1b2c3"

static char tmpdir[] = "/tmp/punchlab-test-plan.XXXXXX";

/* Writes a scenario file into tmpdir and loads it. */
static struct scenario *load(const char *name, const char *text)
{
	struct scenario *s = calloc(1, sizeof(*s));
	struct cfg_error ce;
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.ini", tmpdir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	if (scenario_load(path, "nat-profiles", s, &ce) < 0) {
		char msg[1200];

		fprintf(stderr, "%s\n", cfg_error_str(&ce, msg, sizeof(msg)));
		CU_FAIL_FATAL("scenario did not load");
	}
	return s;
}

static uint32_t ip_of(const char *cidr, int *prefix)
{
	char buf[32], *slash;
	struct in_addr a;

	snprintf(buf, sizeof(buf), "%s", cidr);
	slash = strchr(buf, '/');
	*prefix = slash ? atoi(slash + 1) : 32;
	if (slash)
		*slash = '\0';
	CU_ASSERT_EQUAL(inet_pton(AF_INET, buf, &a), 1);
	return ntohl(a.s_addr);
}

static uint32_t mask(int prefix)
{
	return prefix <= 0 ? 0 : 0xffffffffu << (32 - prefix);
}

/* A gateway is reachable when an address of the route's namespace and
 * interface covers it, or the route says onlink. */
static int gw_reachable(const struct plan *p, const struct plan_route *r)
{
	int pr, ap;
	uint32_t gw;

	if (!r->gw[0] || r->onlink)
		return 1;
	gw = ip_of(r->gw, &pr);
	for (int i = 0; i < p->naddrs; i++) {
		const struct plan_addr *a = &p->addrs[i];
		uint32_t ip = ip_of(a->cidr, &ap);

		if (a->ns == r->ns && !strcmp(a->ifname, r->ifname) &&
		    (ip & mask(ap)) == (gw & mask(ap)))
			return 1;
	}
	/* inet reaches a routed home's router through its /32 route. */
	for (int i = 0; i < p->nroutes; i++) {
		const struct plan_route *o = &p->routes[i];

		if (o->ns == r->ns && !o->gw[0] &&
		    !strcmp(o->ifname, r->ifname) &&
		    ip_of(o->dst, &ap) == gw && ap == 32)
			return 1;
	}
	return 0;
}

/* The MAC of bridge (ns, ifname), or NULL when it is not one. */
static const unsigned char *bridge_mac(const struct plan *p, int ns,
				       const char *ifn)
{
	for (int i = 0; i < p->nbridges; i++)
		if (p->bridges[i].ns == ns && !strcmp(p->bridges[i].ifname, ifn))
			return p->bridges[i].mac;
	return NULL;
}

/* The veth end (ns, ifname): its MAC and its peer's, or 0 when none. A
 * host's end whose peer is a bridge port reaches the bridge's MAC. */
static int veth_end(const struct plan *p, int ns, const char *ifn,
		    const unsigned char **mac, const unsigned char **peer)
{
	for (int i = 0; i < p->nveths; i++) {
		const struct plan_veth *v = &p->veths[i];

		if (v->ns_a == ns && !strcmp(v->if_a, ifn)) {
			*mac = v->mac_a;
			*peer = v->mac_b;
			return 1;
		}
		if (v->ns_b == ns && !strcmp(v->if_b, ifn)) {
			*mac = v->mac_b;
			*peer = v->master_a[0] ?
					bridge_mac(p, v->ns_a, v->master_a) :
					v->mac_a;
			return *peer != NULL;
		}
	}
	return 0;
}

/* Whether bridge (ns, ifn) has an entry for addr at one of its ports'
 * hosts. */
static int bridge_has_neigh(const struct plan *p, int ns, const char *ifn,
			    const char *addr)
{
	for (int i = 0; i < p->nneighs; i++) {
		const struct plan_neigh *n = &p->neighs[i];

		if (n->ns != ns || strcmp(n->ifname, ifn) ||
		    strcmp(n->addr, addr))
			continue;
		for (int v = 0; v < p->nveths; v++)
			if (p->veths[v].ns_a == ns &&
			    !strcmp(p->veths[v].master_a, ifn) &&
			    !memcmp(n->mac, p->veths[v].mac_b, PLAN_MAC))
				return 1;
	}
	return 0;
}

/* Whether ns has a permanent entry for addr on ifn pointing at the other
 * end of ifn's link. */
static int has_neigh(const struct plan *p, int ns, const char *ifn,
		     const char *addr)
{
	const unsigned char *mac, *peer;

	if (bridge_mac(p, ns, ifn))
		return bridge_has_neigh(p, ns, ifn, addr);
	if (!veth_end(p, ns, ifn, &mac, &peer))
		return 0;
	for (int i = 0; i < p->nneighs; i++) {
		const struct plan_neigh *n = &p->neighs[i];

		if (n->ns == ns && !strcmp(n->ifname, ifn) &&
		    !strcmp(n->addr, addr) && !memcmp(n->mac, peer, PLAN_MAC))
			return 1;
	}
	return 0;
}

/* No ARP is ever needed: every end's MAC is locally administered unicast
 * and unique, every address has its entry on the other end of its link,
 * and every next hop a route uses (gateway, or the /32 itself) is
 * written in. */
static void check_neighs(const struct plan *p)
{
	char buf[32];

	for (int i = 0; i < p->nveths; i++) {
		const struct plan_veth *v = &p->veths[i];

		CU_ASSERT_EQUAL(v->mac_a[0] & 3, 2);
		CU_ASSERT_EQUAL(v->mac_b[0] & 3, 2);
		CU_ASSERT(memcmp(v->mac_a, v->mac_b, PLAN_MAC) != 0);
		for (int j = 0; j < i; j++) {
			const struct plan_veth *w = &p->veths[j];

			CU_ASSERT(memcmp(v->mac_a, w->mac_a, PLAN_MAC) &&
				  memcmp(v->mac_a, w->mac_b, PLAN_MAC) &&
				  memcmp(v->mac_b, w->mac_a, PLAN_MAC) &&
				  memcmp(v->mac_b, w->mac_b, PLAN_MAC));
		}
	}
	for (int i = 0; i < p->naddrs; i++) {
		const struct plan_addr *a = &p->addrs[i];
		const unsigned char *mac, *peer;

		if (!strcmp(a->ifname, "lo"))
			continue;
		CU_ASSERT_FATAL(bridge_mac(p, a->ns, a->ifname) ||
				veth_end(p, a->ns, a->ifname, &mac, &peer));
		snprintf(buf, sizeof(buf), "%s", a->cidr);
		*strchr(buf, '/') = '\0';
		for (int v = 0; v < p->nveths; v++) {
			const struct plan_veth *l = &p->veths[v];

			if (l->ns_a == a->ns && !strcmp(l->if_a, a->ifname))
				CU_ASSERT(has_neigh(p, l->ns_b, l->if_b, buf));
			/* a bridge's address: every port's host has it */
			if (l->ns_a == a->ns && !strcmp(l->master_a, a->ifname))
				CU_ASSERT(has_neigh(p, l->ns_b, l->if_b, buf));
			if (l->ns_b == a->ns && !strcmp(l->if_b, a->ifname))
				CU_ASSERT(has_neigh(p, l->ns_a,
						    l->master_a[0] ? l->master_a
								   : l->if_a,
						    buf));
		}
	}
	for (int i = 0; i < p->nroutes; i++) {
		const struct plan_route *r = &p->routes[i];

		snprintf(buf, sizeof(buf), "%s", r->gw[0] ? r->gw : r->dst);
		if (strchr(buf, '/')) {
			CU_ASSERT_PTR_NOT_NULL(strstr(buf, "/32"));
			*strchr(buf, '/') = '\0';
		}
		CU_ASSERT(has_neigh(p, r->ns, r->ifname, buf));
	}
}

/* Invariants every plan keeps. */
static void check_plan(const struct plan *p)
{
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "pl-%s-", RID);
	for (int i = 0; i < p->nns; i++) {
		CU_ASSERT_EQUAL(strncmp(p->ns[i].name, prefix, strlen(prefix)),
				0);
		for (int j = 0; j < i; j++)
			CU_ASSERT_NOT_EQUAL(strcmp(p->ns[i].name, p->ns[j].name),
					    0);
	}
	for (int i = 0; i < p->nveths; i++) {
		const struct plan_veth *v = &p->veths[i];

		CU_ASSERT(strlen(v->if_a) < 16 && strlen(v->if_b) < 16);
		CU_ASSERT_EQUAL(strncmp(v->if_a, RID "-", 7), 0);
		CU_ASSERT_EQUAL(strncmp(v->if_b, RID "-", 7), 0);
		CU_ASSERT(v->ns_a >= 0 && v->ns_a < p->nns);
		CU_ASSERT(v->ns_b >= 0 && v->ns_b < p->nns);
		CU_ASSERT_NOT_EQUAL(v->ns_a, v->ns_b);
		/* one interface name once per namespace */
		for (int j = 0; j < i; j++) {
			const struct plan_veth *w = &p->veths[j];

			CU_ASSERT(!(w->ns_a == v->ns_a &&
				    !strcmp(w->if_a, v->if_a)));
			CU_ASSERT(!(w->ns_b == v->ns_b &&
				    !strcmp(w->if_b, v->if_b)));
		}
	}
	for (int i = 0; i < p->nroutes; i++)
		CU_ASSERT(gw_reachable(p, &p->routes[i]));
	/* WAN addresses (/32s) are unique over the whole plan. */
	for (int i = 0; i < p->naddrs; i++)
		for (int j = 0; j < i; j++)
			if (strstr(p->addrs[i].cidr, "/32") &&
			    strcmp(p->addrs[i].ifname, "lo"))
				CU_ASSERT_NOT_EQUAL(
					strcmp(p->addrs[i].cidr,
					       p->addrs[j].cidr),
					0);
	CU_ASSERT_EQUAL(strcmp(p->table, "punchlab_" RID), 0);
	check_neighs(p);
}

static void test_pair(void)
{
	struct scenario *s = load("pair", "[scenario]\ntrials = 1\n"
					  "[cell x]\na = home-eim\n"
					  "b = symmetric\nexpect = == 0\n");
	char err[256] = "";
	struct plan *p = plan_new(s, RID, err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	check_plan(p);
	/* inet, charlie, then router and host per side */
	CU_ASSERT_EQUAL(p->nns, 6);
	CU_ASSERT_EQUAL(p->nnats, 2);
	CU_ASSERT_STRING_EQUAL(p->ns[p->inet].name, "pl-" RID "-inet");
	CU_ASSERT_STRING_EQUAL(p->ns[p->charlie].name, "pl-" RID "-charlie");
	CU_ASSERT_STRING_EQUAL(p->cells[0].side[0].wan_addr, "198.51.100.1");
	CU_ASSERT_STRING_EQUAL(p->cells[0].side[1].wan_addr, "203.0.113.1");
	CU_ASSERT_STRING_EQUAL(p->cells[0].side[0].lan_addr, "10.0.1.2");
	CU_ASSERT_STRING_EQUAL(p->cells[0].side[1].lan_addr, "10.0.2.2");
	CU_ASSERT_STRING_EQUAL(p->cells[0].side[1].profile->name,
			       "symmetric");
	CU_ASSERT_EQUAL(p->cells[0].side[0].carrier, -1);
	CU_ASSERT(p->ns[p->cells[0].side[0].router].forward);
	CU_ASSERT(!p->ns[p->cells[0].side[0].host].forward);
	/* Per link one entry each way (on a WAN link the host's is for the
	 * gateway on inet's loopback): charlie's link, then two per side. */
	CU_ASSERT_EQUAL(p->nneighs, 2 + 2 * (2 + 2));
	CU_ASSERT_EQUAL(p->veths[0].mac_a[1], 0xa1);
	CU_ASSERT_EQUAL(p->veths[0].mac_a[2], 0xb2);
	plan_free(p);
	scenario_free(s);
	free(s);
}

/* NAT444: the carrier holds the public address, the router 100.64.0.2
 * behind it, and the carrier's NAT knows that one subscriber. */
static void test_carrier(void)
{
	struct scenario *s = load("cgn", "[scenario]\ntrials = 1\n"
					 "[cell x]\na = cgnat\nb = home-eim\n"
					 "expect = == 0\n");
	char err[256] = "";
	struct plan *p = plan_new(s, RID, err, sizeof(err));
	const struct plan_side *a;
	int found = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	check_plan(p);
	a = &p->cells[0].side[0];
	CU_ASSERT(a->carrier >= 0);
	CU_ASSERT_EQUAL(p->nns, 7);
	CU_ASSERT_EQUAL(p->nnats, 3);
	for (int i = 0; i < p->nnats; i++) {
		if (p->nats[i].ns == a->carrier) {
			CU_ASSERT(p->nats[i].carrier);
			CU_ASSERT_STRING_EQUAL(p->nats[i].wan_addr, a->wan_addr);
			found++;
		}
		if (p->nats[i].ns == a->router)
			CU_ASSERT_STRING_EQUAL(p->nats[i].wan_addr,
					       PLAN_CGN_ROUTER_WAN);
	}
	CU_ASSERT_EQUAL(found, 1);
	plan_free(p);
	scenario_free(s);
	free(s);
}

/* The IPv6 step (ns, addr) exists: an address (cidr) or an entry. */
static int has_addr6(const struct plan *p, int ns, const char *cidr)
{
	for (int i = 0; i < p->naddrs; i++)
		if (p->addrs[i].ns == ns && !strcmp(p->addrs[i].cidr, cidr))
			return 1;
	return 0;
}

/* Every IPv6 route's gateway has a permanent entry on the route's link
 * (NOARP: nothing else would find it), and no IPv6 address is given
 * twice. */
static void check_plan6(const struct plan *p)
{
	for (int i = 0; i < p->nroutes; i++) {
		const struct plan_route *r = &p->routes[i];
		int found = 0;

		if (!strchr(r->dst, ':') || !r->gw[0])
			continue;
		for (int k = 0; k < p->nneighs; k++)
			found |= p->neighs[k].ns == r->ns &&
				 !strcmp(p->neighs[k].ifname, r->ifname) &&
				 !strcmp(p->neighs[k].addr, r->gw);
		if (!found)
			fprintf(stderr, "\n  no entry for %s in %s\n", r->gw,
				p->ns[r->ns].tag);
		CU_ASSERT(found);
	}
	for (int i = 0; i < p->naddrs; i++)
		for (int k = i + 1; k < p->naddrs; k++)
			if (strchr(p->addrs[i].cidr, ':'))
				CU_ASSERT(strcmp(p->addrs[i].cidr,
						 p->addrs[k].cidr) != 0);
}

/* Dual-stack: contract section 3's addresses, routes to each /64, the
 * filter's prefix; a home behind a carrier without IPv6 has none and
 * the plan says why; an IPv4-only scenario gets no IPv6 step at all. */
static void test_ipv6(void)
{
	struct scenario *s = load("v6", "[scenario]\ntrials = 1\n"
					"[cell x]\na = openwrt-fw4\n"
					"b = cgnat-eim-v6\nexpect = >= 0\n"
					"[cell y]\na = cgnat-eim\nb = home-eim\n"
					"expect = >= 0\n");
	const struct plan_side *a, *b;
	char err[256] = "", *text = NULL;
	struct plan *p;
	size_t len;
	FILE *f;

	/* y's home asks for IPv6, but its carrier (carrier-eim) has none. */
	s->cells[1].a.ipv6.enabled = 1;
	p = plan_new(s, RID, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	check_plan6(p);
	a = &p->cells[0].side[0];
	b = &p->cells[0].side[1];
	CU_ASSERT_STRING_EQUAL(p->table6, "punchlab_" RID "_f6");
	CU_ASSERT(has_addr6(p, p->inet, "2001:db8::fe/128"));
	CU_ASSERT(has_addr6(p, p->charlie, "2001:db8::1/128"));
	CU_ASSERT(has_addr6(p, a->host, "2001:db8:1::2/64"));
	CU_ASSERT(has_addr6(p, a->router, "2001:db8:1::1/64"));
	CU_ASSERT(has_addr6(p, a->router, "2001:db8:ffa::1/128"));
	CU_ASSERT(has_addr6(p, b->carrier, "2001:db8:ffd::1/128"));
	CU_ASSERT(has_addr6(p, b->router, "2001:db8:ffd::2/128"));
	CU_ASSERT(has_addr6(p, b->host, "2001:db8:2::2/64"));
	CU_ASSERT_EQUAL(p->ns[p->inet].v6, PLAN6_FORWARD);
	CU_ASSERT_EQUAL(p->ns[b->carrier].v6, PLAN6_FORWARD);
	CU_ASSERT_EQUAL(p->ns[a->host].v6, PLAN6_HOST);
	CU_ASSERT_STRING_EQUAL(p->nats[a->nat].lan6, "2001:db8:1::/64");
	CU_ASSERT_STRING_EQUAL(p->nats[b->nat].lan6, "2001:db8:2::/64");
	a = &p->cells[1].side[0];
	CU_ASSERT_EQUAL(a->v6, 0);
	CU_ASSERT_EQUAL(p->ns[a->router].v6, PLAN6_NONE);
	CU_ASSERT_EQUAL(p->nats[a->nat].lan6[0], '\0');
	f = open_memstream(&text, &len);
	plan_print(p, f);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "route inet: 2001:db8:1::/64 via "
					    "2001:db8:ffa::1 dev"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(text, "no ipv6: behind carrier carrier-eim without IPv6"));
	free(text);
	plan_free(p);
	scenario_free(s);
	free(s);
	/* A shared home: bob is ::3 of alice's /64, a background host ::4,
	 * each with the router's entry on the bridge. */
	s = load("v6s", "[scenario]\ntrials = 1\n[cell x]\na = openwrt-fw4\n"
			"home = shared\nhosts_a = 1\nexpect = >= 0\n");
	p = plan_new(s, RID, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	check_plan6(p);
	b = &p->cells[0].side[1];
	CU_ASSERT_EQUAL(b->v6, 1);
	CU_ASSERT_STRING_EQUAL(b->lan6_addr, "2001:db8:1::3");
	CU_ASSERT(has_addr6(p, b->host, "2001:db8:1::3/64"));
	CU_ASSERT(has_addr6(p, p->cells[0].side[0].extra[0],
			    "2001:db8:1::4/64"));
	plan_free(p);
	/* The same scenario without IPv6 homes: no IPv6 step at all. */
	for (int c = 0; c < s->ncells; c++) {
		s->cells[c].a.ipv6.enabled = s->cells[c].b.ipv6.enabled = 0;
		s->cells[c].b_carrier.ipv6.enabled = 0;
	}
	p = plan_new(s, RID, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->table6[0], '\0');
	for (int i = 0; i < p->naddrs; i++)
		CU_ASSERT_PTR_NULL(strchr(p->addrs[i].cidr, ':'));
	for (int i = 0; i < p->nns; i++)
		CU_ASSERT_EQUAL(p->ns[i].v6, PLAN6_NONE);
	plan_free(p);
	scenario_free(s);
	free(s);
}

/* Mapping none: a public LAN of the home's own, routed by inet. */
static void test_routed(void)
{
	struct scenario *s = load("routed", "[scenario]\ntrials = 1\n"
					    "[cell x]\na = open-firewall\n"
					    "b = open-firewall\n"
					    "expect = == 0\n");
	char err[256] = "", want[32];
	struct plan *p = plan_new(s, RID, err, sizeof(err));
	int routes = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	check_plan(p);
	CU_ASSERT_STRING_EQUAL(p->cells[0].side[0].lan_prefix,
			       "198.18.0.0/24");
	CU_ASSERT_STRING_EQUAL(p->cells[0].side[1].lan_prefix,
			       "198.18.1.0/24");
	for (int i = 0; i < p->nroutes; i++)
		for (int sd = 0; sd < 2; sd++) {
			snprintf(want, sizeof(want), "%s",
				 p->cells[0].side[sd].lan_prefix);
			if (p->routes[i].ns == p->inet &&
			    !strcmp(p->routes[i].dst, want))
				routes++;
		}
	CU_ASSERT_EQUAL(routes, 2);
	plan_free(p);
	scenario_free(s);
	free(s);
}

/* A scenario of n cells: home-eim pairs, the last two cells as given. */
static struct scenario *load_cells(const char *name, int n, const char *a1,
				   const char *b1, const char *a2,
				   const char *b2)
{
	size_t cap = 64 + 80 * (size_t)n;
	char *text = malloc(cap);
	size_t len = 0;
	struct scenario *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	len += (size_t)snprintf(text + len, cap - len,
				"[scenario]\ntrials = 1\n");
	for (int c = 0; c < n; c++)
		len += (size_t)snprintf(
			text + len, cap - len,
			"[cell c%d]\na = %s\nb = %s\nexpect = == 0\n", c,
			c == n - 2 ? a1 : c == n - 1 ? a2 : "home-eim",
			c == n - 2 ? b1 : c == n - 1 ? b2 : "home-eim");
	s = load(name, text);
	free(text);
	return s;
}

/* Past cell 249 the RFC 5737 /24s are full: WAN addresses, carriers'
 * and routed LANs come from 172.16.0.0/12, every invariant still kept. */
static void test_past_250(void)
{
	struct scenario *s = load_cells("past", 260, "cgnat-eim",
					"open-firewall", "open-firewall",
					"open-firewall");
	char err[256] = "";
	struct plan *p = plan_new(s, RID, err, sizeof(err));
	const struct plan_cell *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	check_plan(p);
	CU_ASSERT_STRING_EQUAL(p->cells[249].side[0].wan_addr, "198.51.100.250");
	CU_ASSERT_STRING_EQUAL(p->cells[249].side[1].wan_addr, "203.0.113.250");
	CU_ASSERT_STRING_EQUAL(p->cells[250].side[0].wan_addr, "172.16.0.1");
	CU_ASSERT_STRING_EQUAL(p->cells[250].side[1].wan_addr, "172.17.0.1");
	c = &p->cells[258]; /* cgnat-eim x open-firewall, k = 8 */
	CU_ASSERT(c->side[0].carrier >= 0);
	CU_ASSERT_STRING_EQUAL(c->side[0].wan_addr, "172.16.0.9");
	for (int i = 0; i < p->nnats; i++)
		if (p->nats[i].ns == c->side[0].carrier)
			CU_ASSERT_STRING_EQUAL(p->nats[i].wan_addr,
					       "172.16.0.9");
	CU_ASSERT_STRING_EQUAL(c->side[1].lan_prefix, "172.24.0.64/29");
	c = &p->cells[259]; /* open-firewall on both sides, k = 9 */
	CU_ASSERT_STRING_EQUAL(c->side[0].lan_prefix, "172.20.0.72/29");
	CU_ASSERT_STRING_EQUAL(c->side[0].lan_addr, "172.20.0.74");
	CU_ASSERT_STRING_EQUAL(c->side[1].lan_prefix, "172.24.0.72/29");
	plan_free(p);
	scenario_free(s);
	free(s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether the n strings at base (stride bytes apart) are all different. */
static int all_different(const char *base, size_t stride, int n)
{
	const char **v = malloc((size_t)n * sizeof(*v));
	int ok = 1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	for (int i = 0; i < n; i++)
		v[i] = base + (size_t)i * stride;
	qsort(v, (size_t)n, sizeof(*v), cmp_str);
	for (int i = 1; i < n; i++)
		ok &= strcmp(v[i - 1], v[i]) != 0;
	free(v);
	return ok;
}

/* The most cells a scenario may have: every namespace name, WAN address
 * and MAC still unique (sorted, not pairwise: 24,578 namespaces). */
static void test_max_cells(void)
{
	struct scenario *s = load_cells("many", SCENARIO_MAX_CELLS, "home-eim",
					"home-eim", "home-eim", "home-eim");
	char err[256] = "", last[32], *macs;
	struct plan *p = plan_new(s, RID, err, sizeof(err));
	int n, k = SCENARIO_MAX_CELLS - 250;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->ncells, SCENARIO_MAX_CELLS);
	CU_ASSERT(all_different(p->ns[0].name, sizeof(p->ns[0]), p->nns));
	CU_ASSERT(all_different(p->cells[0].side[0].wan_addr,
				sizeof(p->cells[0].side[0]),
				2 * p->ncells));
	snprintf(last, sizeof(last), "172.16.%d.%d", k >> 8, k & 255);
	CU_ASSERT_STRING_EQUAL(p->cells[SCENARIO_MAX_CELLS - 1].side[0].wan_addr,
			       last);
	n = 2 * p->nveths;
	macs = calloc((size_t)n, 18);
	CU_ASSERT_PTR_NOT_NULL_FATAL(macs);
	for (int i = 0; i < p->nveths; i++) {
		mac_str(p->veths[i].mac_a, macs + 18 * (2 * i));
		mac_str(p->veths[i].mac_b, macs + 18 * (2 * i + 1));
	}
	CU_ASSERT(all_different(macs, 18, n));
	free(macs);
	plan_free(p);
	scenario_free(s);
	free(s);
}

/* A routed home behind a carrier cannot be addressed: refused with the
 * scenario's file and the cell's line, nothing planned. */
static void test_routed_behind_carrier(void)
{
	struct scenario *s = load("bad", "[scenario]\ntrials = 1\n"
					 "[cell x]\na = home-eim\n"
					 "b = home-eim\nexpect = == 0\n");
	char err[256] = "";
	struct plan *p;

	/* The parser has no key for it; make the cell so by hand. */
	s->cells[0].a.mapping = NAT_MAP_NONE;
	s->cells[0].a_has_carrier = 1;
	snprintf(s->cells[0].a_carrier.name, sizeof(s->cells[0].a_carrier.name),
		 "carrier-eim");
	errno = 0;
	p = plan_new(s, RID, err, sizeof(err));
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "bad.ini:3:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "carrier-eim"));
	scenario_free(s);
	free(s);
}

static int init(void)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int clean(void)
{
	return testutil_rm_tree(tmpdir);
}

/* The addresses of a home's hosts in p, in plan order of their eth. */
static int host_addr_count(const struct plan *p, int ns)
{
	int n = 0;

	for (int i = 0; i < p->naddrs; i++)
		n += p->addrs[i].ns == ns;
	return n;
}

/* home = shared: bob is a second host on router a's bridge; no router b,
 * no second NAT; every host reaches the router and each other without
 * ARP; extra hosts (hosts_a, hosts_b) get the next addresses. */
static void test_shared_home(void)
{
	struct scenario *s = load("shared",
				  "[scenario]\ntrials = 1\n"
				  "[cell x]\na = full-cone\nhome = shared\n"
				  "hosts_a = 2\nexpect = >= 0\n"
				  "[cell y]\na = home-eim\nb = symmetric\n"
				  "hosts_b = 1\nexpect = == 0\n");
	char err[256] = "";
	struct plan *p = plan_new(s, RID, err, sizeof(err));
	const struct plan_side *a, *b;
	FILE *f;
	char *text = NULL;
	size_t len = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	check_plan(p);
	a = &p->cells[0].side[0];
	b = &p->cells[0].side[1];
	CU_ASSERT(b->shared && !a->shared);
	CU_ASSERT_EQUAL(b->router, a->router);
	CU_ASSERT_NOT_EQUAL(b->host, a->host);
	CU_ASSERT_STRING_EQUAL(b->wan_addr, a->wan_addr);
	CU_ASSERT_STRING_EQUAL(a->lan_addr, "10.0.1.2");
	CU_ASSERT_STRING_EQUAL(b->lan_addr, "10.0.1.3");
	CU_ASSERT_STRING_EQUAL(p->ns[b->host].tag, "c0-bob");
	CU_ASSERT_EQUAL_FATAL(a->nextra, 2);
	CU_ASSERT_STRING_EQUAL(a->extra_addr[0], "10.0.1.4");
	CU_ASSERT_STRING_EQUAL(a->extra_addr[1], "10.0.1.5");
	CU_ASSERT_STRING_EQUAL(p->ns[a->extra[1]].tag, "c0-a2");
	CU_ASSERT_EQUAL(host_addr_count(p, a->extra[1]), 1);
	/* cell y: alice alone (no bridge), bob with one more host */
	CU_ASSERT_EQUAL(p->cells[1].side[0].nextra, 0);
	CU_ASSERT_EQUAL_FATAL(p->cells[1].side[1].nextra, 1);
	CU_ASSERT_STRING_EQUAL(p->cells[1].side[1].extra_addr[0], "10.0.2.3");
	/* 2 core + cell x: ra, alice, bob, a1, a2 + cell y: ra, alice, rb,
	 * bob, b1 */
	CU_ASSERT_EQUAL(p->nns, 12);
	CU_ASSERT_EQUAL(p->nnats, 3);
	CU_ASSERT_EQUAL(p->nbridges, 2);
	CU_ASSERT_EQUAL(p->bridges[0].ns, a->router);
	CU_ASSERT_EQUAL(p->bridges[0].mac[3] & 0x80, 0x80);

	f = open_memstream(&text, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	plan_print(p, f);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "bridge c0-ra:" RID "-lan noarp "));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, " master " RID "-lan\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(
		text, "home c0 shared: router c0-ra (198.51.100.1) hosts "
		      "c0-alice 10.0.1.2 (alice), c0-bob 10.0.1.3 (bob), "
		      "c0-a1 10.0.1.4 (background node), c0-a2 10.0.1.5 "
		      "(background node)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(
		text, "home c1 b: router c1-rb (203.0.113.2) hosts c1-bob "
		      "10.0.2.2 (bob), c1-b1 10.0.2.3 (background node)\n"));
	free(text);
	plan_free(p);
	scenario_free(s);
	free(s);
}

/* A routed home past cell 249 has a /29: at most 5 hosts. */
static void test_routed_hosts_limit(void)
{
	size_t cap = 64 + 80 * 251;
	char *text = malloc(cap), err[256] = "";
	size_t len = 0;
	struct scenario *s;
	struct plan *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	len += (size_t)snprintf(text + len, cap - len,
				"[scenario]\ntrials = 1\n");
	for (int c = 0; c < 250; c++)
		len += (size_t)snprintf(text + len, cap - len,
					"[cell c%d]\na = home-eim\nb = home-eim\n"
					"expect = == 0\n",
					c);
	snprintf(text + len, cap - len,
		 "[cell big]\na = open-firewall\nb = home-eim\nhosts_a = 5\n"
		 "expect = == 0\n");
	s = load("routedmany", text);
	free(text);
	p = plan_new(s, RID, err, sizeof(err));
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cell big: a routed /29 LAN holds "
					   "at most 5 hosts, not 6"));
	plan_free(p);
	scenario_free(s);
	free(s);
}

/* An adversary cell adds mallory and victim on the WAN, attached like
 * charlie, and `punchlab plan` prints them; without one there are none. */
static void test_adversary_hosts(void)
{
	struct scenario *s = load("adv", "[cell x]\na = home-eim\n"
					 "b = home-eim\nexpect = >= 0\n"
					 "[cell y]\na = home-eim\nb = home-eim\n"
					 "adversary = redirect\n"
					 "expect_effect = >= 0\n");
	char err[256] = "", *text = NULL;
	size_t len = 0;
	struct plan *p = plan_new(s, RID, err, sizeof(err));
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	check_plan(p);
	CU_ASSERT_EQUAL(p->nns, 4 + 2 * 4);
	CU_ASSERT_FATAL(p->mallory > 0 && p->victim > 0);
	CU_ASSERT_STRING_EQUAL(p->ns[p->mallory].name, "pl-" RID "-mallory");
	CU_ASSERT_STRING_EQUAL(p->ns[p->victim].name, "pl-" RID "-victim");
	CU_ASSERT(!p->ns[p->mallory].forward && !p->ns[p->victim].forward);
	f = open_memstream(&text, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	plan_print(p, f);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "netns pl-" RID "-mallory\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "netns pl-" RID "-victim\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "mallory:" RID "-wan "
					    PLAN_MALLORY_ADDR "/32"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "victim:" RID "-wan "
					    PLAN_VICTIM_ADDR "/32"));
	/* inet routes both /32s to them, as charlie's */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, PLAN_MALLORY_ADDR "/32 dev "
					    RID "-ml"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, PLAN_VICTIM_ADDR "/32 dev "
					    RID "-vi"));
	free(text);
	plan_free(p);
	scenario_free(s);
	free(s);
	s = load("honest", "[cell x]\na = home-eim\nb = home-eim\n"
			   "expect = >= 0\ntarget_policy = on\n");
	p = plan_new(s, RID, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->mallory, -1);
	CU_ASSERT_EQUAL(p->victim, -1);
	CU_ASSERT_EQUAL(p->nns, 2 + 4);
	plan_free(p);
	scenario_free(s);
	free(s);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{ "pair: names, addresses, routes", test_pair },
		{ "NAT444 carrier in front of the router", test_carrier },
		{ "dual-stack: IPv6 addresses, routes, carrier rule", test_ipv6 },
		{ "mapping none: a routed public LAN", test_routed },
		{ "cells past 249: 172.16.0.0/12", test_past_250 },
		{ "the most cells a scenario may have", test_max_cells },
		{ "routed home behind a carrier is refused",
		  test_routed_behind_carrier },
		{ "shared home and extra hosts on a bridge", test_shared_home },
		{ "a routed /29 holds at most 5 hosts", test_routed_hosts_limit },
		{ "adversary: mallory and victim on the WAN",
		  test_adversary_hosts },
	};

	return testutil_run_suite("plan", init, clean, tests,
				  sizeof(tests) / sizeof(tests[0])) ? 1 : 0;
}
