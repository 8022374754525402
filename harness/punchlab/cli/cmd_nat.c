/* punchlab nat show PROFILE: prints the exact ruleset a profile renders to
 * (with the interface names and table a run would use, run id 000000),
 * and for a router behind a carrier NAT the carrier's ruleset after it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "filter6.h"
#include "nat.h"
#include "punchlab.h"

/* The addresses a NAT444 cell uses: the home router's WAN side in the
 * carrier's 100.64.0.0/10, the carrier's own WAN side public. */
#define NAT_SHOW_HOME_WAN "100.64.0.2"

static const char *const nat_show_subscribers[] = {NAT_SHOW_HOME_WAN};

static void nat_usage(FILE *f)
{
	fprintf(f, "Usage: punchlab nat show PROFILE|FILE.ini\n\n"
		   "Prints the nftables ruleset the NAT profile renders to, as "
		   "loaded into\na router namespace (table punchlab_<run-id>, "
		   "WAN interface <run-id>-wan,\nLAN interface <run-id>-lan). "
		   "For a profile with `behind` (NAT444) the\nhome router's "
		   "WAN address is " NAT_SHOW_HOME_WAN " and the carrier "
		   "profile's ruleset\nfollows, as loaded into the carrier "
		   "namespace. A profile with port_block\nis shown as a "
		   "carrier with that one subscriber. Profiles live in\n"
		   "nat-profiles/; a carrier is looked up next to the profile "
		   "naming it.\nA home profile with [ipv6] enabled is followed "
		   "by its ip6 filter table.\nExit codes: 0 printed, 2 bad profile or "
		   "usage.\n");
}

/* Renders p for ifc and prints it. EXIT_PASS or EXIT_USAGE. */
static int nat_show(const struct nat_profile *p, const struct nat_ifaces *ifc)
{
	static char buf[NAT_RULESET_MAX];
	char why[256] = "";
	int n;

	n = nat_render(p, ifc, buf, sizeof(buf), why, sizeof(why));
	if (n < 0) {
		fprintf(stderr, "punchlab nat: %s: %s\n", p->path,
			why[0] ? why : strerror(-n));
		return EXIT_USAGE;
	}
	fputs(buf, stdout);
	return EXIT_PASS;
}

/* A home router with IPv6 (behind a carrier that routes it, when c is
 * not NULL): its ip6 filter, after the IPv4 ruleset. */
static int nat_show6(const struct nat_profile *p, const struct nat_profile *c)
{
	static const struct filter6_ifaces f6 = { .table = "punchlab_000000_f6",
						  .wan = "000000-wan",
						  .lan = "000000-lan",
						  .lan6 = "2001:db8:1::/64" };
	static char buf[NAT_RULESET_MAX];
	char why[256] = "";
	int n;

	if (!p->ipv6.enabled || (c && !c->ipv6.enabled))
		return EXIT_PASS;
	n = filter6_render(p, &f6, buf, sizeof(buf), why, sizeof(why));
	if (n < 0) {
		fprintf(stderr, "punchlab nat: %s: %s\n", p->path, why);
		return EXIT_USAGE;
	}
	printf("\n# === IPv6 filter of the home router, LAN %s ===\n",
	       f6.lan6);
	fputs(buf, stdout);
	return EXIT_PASS;
}

int cmd_nat(int argc, char **argv)
{
	struct nat_ifaces ifc = { .table = "punchlab_000000",
				  .wan = "000000-wan",
				  .lan = "000000-lan",
				  .wan_addr = "198.51.100.1",
				  .lan_cidr = "10.0.1.0/24" };
	struct nat_ifaces carrier_ifc = ifc;
	static struct nat_profile p, c;
	struct cfg_error ce;
	char msg[1200], dir[512];
	const char *arg;
	int n;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		nat_usage(stdout);
		return EXIT_PASS;
	}
	if (argc != 3 || strcmp(argv[1], "show")) {
		nat_usage(stderr);
		return EXIT_USAGE;
	}
	arg = argv[2];
	n = strlen(arg) > 4 && !strcmp(arg + strlen(arg) - 4, ".ini") ?
		    profile_load(arg, &p, &ce) :
		    profile_find(punchlab_profile_dir(), arg, &p, &ce);
	/* A carrier is looked up next to the profile that names it. */
	if (n == 0 && p.behind[0]) {
		const char *slash = strrchr(p.path, '/');

		snprintf(dir, sizeof(dir), "%.*s",
			 slash ? (int)(slash - p.path) : 1,
			 slash ? p.path : ".");
		n = profile_load_carrier(dir, &p, &c, &ce);
	}
	if (n < 0) {
		fprintf(stderr, "punchlab nat: %s\n",
			cfg_error_str(&ce, msg, sizeof(msg)));
		return EXIT_USAGE;
	}
	carrier_ifc.lan_cidr = "100.64.0.0/10";
	carrier_ifc.subscribers = nat_show_subscribers;
	carrier_ifc.nsubscribers = 1;
	if (p.port_block)
		return nat_show(&p, &carrier_ifc);
	if (!p.behind[0])
		return nat_show(&p, &ifc) == EXIT_PASS ? nat_show6(&p, NULL)
						       : EXIT_USAGE;
	ifc.wan_addr = NAT_SHOW_HOME_WAN;
	printf("# === home router (profile %s), behind carrier NAT %s ===\n",
	       p.name, c.name);
	if (nat_show(&p, &ifc) != EXIT_PASS || nat_show6(&p, &c) != EXIT_PASS)
		return EXIT_USAGE;
	printf("\n# === carrier NAT (profile %s), in the carrier namespace: "
	       "LAN side 100.64.0.0/10, subscriber %s ===\n",
	       c.name, NAT_SHOW_HOME_WAN);
	return nat_show(&c, &carrier_ifc);
}
