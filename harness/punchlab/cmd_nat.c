/* punchlab nat show PROFILE: prints the exact ruleset a profile renders to
 * (with the interface names and table a run would use, run id 000000). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nat.h"
#include "punchlab.h"

static void nat_usage(FILE *f)
{
	fprintf(f, "Usage: punchlab nat show PROFILE|FILE.ini\n\n"
		   "Prints the nftables ruleset the NAT profile renders to, as "
		   "loaded into\na router namespace (table punchlab_<run-id>, "
		   "WAN interface <run-id>-wan,\nLAN interface <run-id>-lan). "
		   "Profiles live in nat-profiles/.\nExit codes: 0 printed, "
		   "2 bad profile or usage.\n");
}

int cmd_nat(int argc, char **argv)
{
	struct nat_ifaces ifc = { .table = "punchlab_000000",
				  .wan = "000000-wan",
				  .lan = "000000-lan",
				  .wan_addr = "198.51.100.1",
				  .lan_cidr = "10.0.1.0/24" };
	struct nat_profile p;
	struct cfg_error ce;
	char buf[16384], why[256] = "", msg[1200];
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
	if (n < 0) {
		fprintf(stderr, "punchlab nat: %s\n",
			cfg_error_str(&ce, msg, sizeof(msg)));
		return EXIT_USAGE;
	}
	n = nat_render(&p, &ifc, buf, sizeof(buf), why, sizeof(why));
	if (n < 0) {
		fprintf(stderr, "punchlab nat: %s: %s\n", p.path,
			why[0] ? why : strerror(-n));
		return EXIT_USAGE;
	}
	fputs(buf, stdout);
	return EXIT_PASS;
}
