/* test_profile: NAT profile files, the shipped ones and fixtures, and the
 * file, line and key of each kind of error. Run from the repo root. */
#include <errno.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "profile.h"
#include "lib/testutil.h"

#define DATA "tests/unit/data/"

static void test_shipped(void)
{
	struct nat_profile p;
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(
	    profile_find("nat-profiles", "home-eim", &p, &err), 0);
	CU_ASSERT_STRING_EQUAL(p.name, "home-eim");
	CU_ASSERT_STRING_EQUAL(p.path, "nat-profiles/home-eim.ini");
	CU_ASSERT_EQUAL(p.mapping, NAT_MAP_EIM);
	CU_ASSERT_EQUAL(p.ports, NAT_PORTS_PRESERVE);
	CU_ASSERT_EQUAL(p.filtering, NAT_FILTER_APDF);
	CU_ASSERT_EQUAL(p.unsolicited_syn, NAT_SYN_DROP);
	CU_ASSERT_EQUAL(p.hairpin, 0);
	CU_ASSERT_EQUAL(p.timeout_syn_sent, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(p.description, "OpenWrt"));

	CU_ASSERT_EQUAL_FATAL(
	    profile_load("nat-profiles/symmetric.ini", &p, &err), 0);
	CU_ASSERT_STRING_EQUAL(p.name, "symmetric");
	CU_ASSERT_EQUAL(p.mapping, NAT_MAP_APDM);
	CU_ASSERT_EQUAL(p.ports, NAT_PORTS_RANDOM);
	CU_ASSERT_EQUAL(p.port_min, 1024);
	CU_ASSERT_EQUAL(p.port_max, 65535);
	CU_ASSERT_EQUAL(p.filtering, NAT_FILTER_APDF);
	CU_ASSERT_EQUAL(p.unsolicited_syn, NAT_SYN_DROP);
	CU_ASSERT_STRING_EQUAL(p.behind, "");
	CU_ASSERT_EQUAL(p.port_block, 0);

	CU_ASSERT_EQUAL_FATAL(profile_find("nat-profiles", "cgnat-eim", &p,
					   &err),
			      0);
	CU_ASSERT_STRING_EQUAL(p.behind, "carrier-eim");
	CU_ASSERT(p.behind_line > 0);
	CU_ASSERT_EQUAL_FATAL(
	    profile_find("nat-profiles", "carrier-eim", &p, &err), 0);
	CU_ASSERT_EQUAL(p.port_block, 2048);
	CU_ASSERT_EQUAL(p.hairpin, 1);
	CU_ASSERT_EQUAL_FATAL(
	    profile_find("nat-profiles", "open-firewall", &p, &err), 0);
	CU_ASSERT_EQUAL(p.mapping, NAT_MAP_NONE);
	CU_ASSERT_EQUAL_FATAL(profile_find("nat-profiles",
					   "symmetric-sequential", &p, &err),
			      0);
	CU_ASSERT_EQUAL(p.ports, NAT_PORTS_SEQUENTIAL);
	CU_ASSERT_EQUAL(p.port_max - p.port_min + 1, 256);
}

/* behind names a carrier; loading it checks what the name leads to. */
static void test_carrier(void)
{
	struct nat_profile p, c;
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(
	    profile_find(DATA "profiles", "home-behind", &p, &err), 0);
	CU_ASSERT_STRING_EQUAL(p.behind, "carrier");
	CU_ASSERT_EQUAL(p.behind_line, 5);
	CU_ASSERT_EQUAL_FATAL(
	    profile_load_carrier(DATA "profiles", &p, &c, &err), 0);
	CU_ASSERT_STRING_EQUAL(c.name, "carrier");
	CU_ASSERT_EQUAL(c.port_block, 1000);
	CU_ASSERT_EQUAL(c.port_min, 10000);
	CU_ASSERT_EQUAL(c.filtering, NAT_FILTER_EIF);

	CU_ASSERT_EQUAL_FATAL(
	    profile_find(DATA "profiles", "behind-missing", &p, &err), 0);
	errno = 0;
	CU_ASSERT_EQUAL(profile_load_carrier(DATA "profiles", &p, &c, &err),
			-1);
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT_STRING_EQUAL(err.file, DATA "profiles/behind-missing.ini");
	CU_ASSERT_EQUAL(err.line, 5);
	CU_ASSERT_STRING_EQUAL(err.key, "behind");
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no carrier profile 'nosuch'"));

	CU_ASSERT_EQUAL_FATAL(
	    profile_find(DATA "profiles", "behind-broken", &p, &err), 0);
	CU_ASSERT_EQUAL(profile_load_carrier(DATA "profiles", &p, &c, &err),
			-1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_STRING_EQUAL(err.file, DATA "profiles/behind-broken.ini");
	CU_ASSERT_EQUAL(err.line, 3);
	CU_ASSERT_STRING_EQUAL(err.key, "behind");
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(err.msg, "carrier profile 'broken' is broken: " DATA
			    "profiles/broken.ini:4: key 'filtering'"));

	CU_ASSERT_EQUAL_FATAL(
	    profile_find(DATA "profiles", "behind-4444", &p, &err), 0);
	CU_ASSERT_EQUAL(profile_load_carrier(DATA "profiles", &p, &c, &err),
			-1);
	CU_ASSERT_STRING_EQUAL(err.file, DATA "profiles/behind-4444.ini");
	CU_ASSERT_EQUAL(err.line, 3);
	CU_ASSERT_STRING_EQUAL(err.key, "behind");
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "NAT4444 is not supported"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(err.msg, "(" DATA "profiles/home-behind.ini:5)"));

	/* A profile not behind anything has no carrier to load. */
	CU_ASSERT_EQUAL_FATAL(profile_find(DATA "profiles", "eim", &p, &err),
			      0);
	CU_ASSERT_EQUAL(profile_load_carrier(DATA "profiles", &p, &c, &err),
			-1);
	CU_ASSERT_STRING_EQUAL(err.key, "behind");
}

static void test_all_keys(void)
{
	struct nat_profile p;
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(profile_load(DATA "profiles/eim.ini", &p, &err),
			      0);
	CU_ASSERT_STRING_EQUAL(p.name, "eim");
	CU_ASSERT_STRING_EQUAL(p.description, "test EIM");
	CU_ASSERT_EQUAL(p.port_min, 2000);
	CU_ASSERT_EQUAL(p.port_max, 3000);
	CU_ASSERT_EQUAL(p.unsolicited_syn, NAT_SYN_DROP);
	CU_ASSERT_EQUAL(p.timeout_syn_sent, 30);
	CU_ASSERT_EQUAL(p.timeout_established, 7440);
	CU_ASSERT_EQUAL(p.timeout_transitory, 240);
}

/* Absent keys: a plain Linux router (nat-profiles/README.md). */
static void test_defaults(void)
{
	struct nat_profile p;
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(profile_load(DATA "profiles/empty.ini", &p, &err),
			      0);
	CU_ASSERT_STRING_EQUAL(p.name, "empty");
	CU_ASSERT_STRING_EQUAL(p.description, "");
	CU_ASSERT_EQUAL(p.mapping, NAT_MAP_EIM);
	CU_ASSERT_EQUAL(p.ports, NAT_PORTS_PRESERVE);
	CU_ASSERT_EQUAL(p.port_min, 1024);
	CU_ASSERT_EQUAL(p.port_max, 65535);
	CU_ASSERT_EQUAL(p.filtering, NAT_FILTER_APDF);
	CU_ASSERT_EQUAL(p.unsolicited_syn, NAT_SYN_RST);
	CU_ASSERT_EQUAL(p.hairpin, 0);
	CU_ASSERT_EQUAL(p.timeout_syn_sent, 0);
	CU_ASSERT_EQUAL(p.timeout_established, 0);
	CU_ASSERT_EQUAL(p.timeout_transitory, 0);

	CU_ASSERT_EQUAL_FATAL(profile_load(DATA "profiles/sym.ini", &p, &err),
			      0);
	CU_ASSERT_EQUAL(p.mapping, NAT_MAP_APDM);
	CU_ASSERT_EQUAL(p.ports, NAT_PORTS_RANDOM);
	CU_ASSERT_EQUAL(p.unsolicited_syn, NAT_SYN_ICMP);
	CU_ASSERT_EQUAL(p.filtering, NAT_FILTER_APDF);
}

static void check_error(const char *name, int line, const char *key,
			const char *msg_part)
{
	char path[256];
	struct nat_profile p;
	struct cfg_error err;

	snprintf(path, sizeof(path), DATA "%s", name);
	CU_ASSERT_EQUAL(profile_load(path, &p, &err), -1);
	testutil_check_cfg_error(&err, path, name, line, key, msg_part);
}

static void test_errors(void)
{
	check_error("prof-unknown-key.ini", 3, "maping",
		    "unknown key in [nat]");
	check_error("prof-unknown-section.ini", 4, "[natt]", "unknown section");
	check_error("prof-bad-number.ini", 4, "syn_sent",
		    "'30s' is not a whole number");
	check_error("prof-big-number.ini", 2, "established", "out of range");
	check_error("prof-bad-enum.ini", 3, "unsolicited_syn",
		    "'reject' is not one of: drop, rst, icmp");
	check_error("prof-bad-range.ini", 2, "port_range",
		    "low port is above the high port");
	check_error("prof-bad-bool.ini", 2, "hairpinning", "not a boolean");
	check_error("prof-dup-key.ini", 4, "mapping", "first at line 2");
	check_error("prof-no-section.ini", 1, "mapping", "before any section");
	check_error("prof-long-line.ini", 2, "", "longer than 199");
	check_error("prof-syntax.ini", 3, "", "syntax error");
	check_error("profiles/broken.ini", 4, "filtering",
		    "'sometimes' is not one of");
	check_error("prof-bad-behind.ini", 2, "behind", "not a profile name");
	check_error("prof-behind-self.ini", 4, "behind",
		    "cannot sit behind itself");
	check_error("prof-bad-block.ini", 2, "port_block", "out of range");
	check_error("prof-block-range.ini", 3, "port_block",
		    "a block of 4096 ports does not fit port_range 1024-2047");
	check_error("prof-none-ports.ini", 4, "port_assignment",
		    "mapping = none translates no address or port");
	check_error("prof-none-range.ini", 2, "port_range",
		    "mapping = none translates");
	check_error("prof-none-behind.ini", 3, "behind",
		    "cannot sit behind a carrier NAT");
	check_error("prof-none-block.ini", 3, "port_block",
		    "mapping = none translates");
	check_error("prof-seq-default.ini", 3, "port_assignment",
		    "at most 1024 per range, not 64512");
	check_error("prof-seq-range.ini", 3, "port_range",
		    "at most 1024 per range, not 2024");
	check_error("prof-seq-block.ini", 4, "port_block",
		    "at most 1024 per block, not 2000");
	check_error("prof-none-overload.ini", 3, "port_overloading",
		    "mapping = none translates");
	check_error("prof-overload-random.ini", 4, "port_overloading",
		    "with port_assignment = sequential or random it is never");
	check_error("prof-overload-block.ini", 5, "port_overloading",
		    "with port_block it is never");
	check_error("prof-bad-overload.ini", 2, "port_overloading",
		    "not a boolean");
	check_error("prof-bad-simopen.ini", 2, "simultaneous_open",
		    "'reject' is not one of: pass, drop");
	check_error("prof-bad-refresh.ini", 3, "refresh",
		    "'inbound' is not one of: both, outbound");
	check_error("prof-refresh-nat.ini", 2, "refresh",
		    "unknown key in [nat]");
}

/* The keys of issue 11: values, and defaults that keep the rules every
 * profile had before them. */
static void test_keys(void)
{
	struct nat_profile p;
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(profile_load(DATA "profiles/empty.ini", &p, &err),
			      0);
	CU_ASSERT_EQUAL(profile_port_overloading(&p), 1);
	CU_ASSERT_EQUAL(p.simultaneous_open, NAT_SIMOPEN_PASS);
	CU_ASSERT_EQUAL(p.refresh, NAT_REFRESH_BOTH);
	CU_ASSERT_EQUAL_FATAL(profile_load(DATA "profiles/sym.ini", &p, &err),
			      0);
	CU_ASSERT_EQUAL(profile_port_overloading(&p), 0); /* random */
	CU_ASSERT_EQUAL_FATAL(
	    profile_load(DATA "profiles/carrier.ini", &p, &err), 0);
	CU_ASSERT_EQUAL(profile_port_overloading(&p), 0); /* blocks */
	p.ports = NAT_PORTS_PRESERVE;
	CU_ASSERT_EQUAL(profile_port_overloading(&p), 0);
	p.port_block = 0;
	CU_ASSERT_EQUAL(profile_port_overloading(&p), 1);
	p.mapping = NAT_MAP_NONE;
	CU_ASSERT_EQUAL(profile_port_overloading(&p), 0);

	CU_ASSERT_EQUAL_FATAL(profile_load(DATA "keys/keys-overload-off.ini",
					   &p, &err),
			      0);
	CU_ASSERT_EQUAL(p.port_overloading_set, 1);
	CU_ASSERT_EQUAL(profile_port_overloading(&p), 0);
	CU_ASSERT_EQUAL_FATAL(
	    profile_load(DATA "keys/keys-overload-on.ini", &p, &err), 0);
	CU_ASSERT_EQUAL(profile_port_overloading(&p), 1);
	CU_ASSERT_EQUAL_FATAL(
	    profile_load(DATA "keys/keys-simopen-drop.ini", &p, &err), 0);
	CU_ASSERT_EQUAL(p.simultaneous_open, NAT_SIMOPEN_DROP);
	CU_ASSERT_EQUAL_FATAL(
	    profile_load(DATA "keys/keys-refresh-outbound.ini", &p, &err), 0);
	CU_ASSERT_EQUAL(p.refresh, NAT_REFRESH_OUTBOUND);
	CU_ASSERT_EQUAL(p.timeout_established, 3);
	CU_ASSERT_STRING_EQUAL(profile_simopen_str(NAT_SIMOPEN_DROP), "drop");
	CU_ASSERT_STRING_EQUAL(profile_refresh_str(NAT_REFRESH_OUTBOUND),
			       "outbound");
	CU_ASSERT_STRING_EQUAL(profile_refresh_str((enum nat_refresh)7), "?");
}

static void test_find(void)
{
	struct nat_profile p;
	struct cfg_error err;

	CU_ASSERT_EQUAL(profile_find(DATA "profiles", "sym", &p, &err), 0);
	CU_ASSERT_STRING_EQUAL(p.name, "sym");

	errno = 0;
	CU_ASSERT_EQUAL(profile_find(DATA "profiles", "nosuch", &p, &err), -1);
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT_STRING_EQUAL(err.file, DATA "profiles/nosuch.ini");

	errno = 0;
	CU_ASSERT_EQUAL(profile_find(DATA "profiles", "broken", &p, &err), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(err.line, 4);

	CU_ASSERT_EQUAL(profile_find(DATA, "profiles/eim", &p, &err), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(profile_find(DATA "profiles", "..", &p, &err), -1);
	CU_ASSERT_EQUAL(profile_find(DATA "profiles", "", &p, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a profile name"));
}

/* [ipv6] (profile6.c): values, defaults, and errors by file:line:key. */
static void test_ipv6(void)
{
	struct nat_profile p;
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(profile_load(DATA "prof6-good.ini", &p, &err), 0);
	CU_ASSERT_EQUAL(p.ipv6.enabled, 1);
	CU_ASSERT_EQUAL(p.ipv6.filtering, PROFILE6_EIF);
	CU_ASSERT_EQUAL(p.ipv6.unsolicited_syn, NAT_SYN_ICMP);
	CU_ASSERT_EQUAL(p.ipv6.pinholes, 1);
	CU_ASSERT_EQUAL(p.mapping, NAT_MAP_EIM);
	CU_ASSERT_EQUAL_FATAL(profile_load(DATA "profiles/empty.ini", &p, &err),
			      0);
	CU_ASSERT_EQUAL(p.ipv6.enabled, 0);
	CU_ASSERT_EQUAL(p.ipv6.filtering, PROFILE6_APDF);
	CU_ASSERT_EQUAL(p.ipv6.unsolicited_syn, NAT_SYN_DROP);
	CU_ASSERT_EQUAL(p.ipv6.pinholes, 0);
	check_error("prof6-bad-filter.ini", 3, "filtering",
		    "'closed' is not one of: endpoint-independent, "
		    "address-dependent, address+port-dependent, open");
	check_error("prof6-unknown.ini", 2, "enable", "unknown key in [ipv6]");
	check_error("prof6-dup.ini", 4, "[ipv6]", "first at line 1");
	check_error("prof6-pinholes.ini", 4, "pinholes",
		    "PCP pinholes need IPv6");
	check_error("prof6-bad-bool.ini", 2, "enabled", "not a boolean");
	check_error("prof6-bad-syn.ini", 2, "unsolicited_syn",
		    "'reject' is not one of: drop, rst, icmp");
	CU_ASSERT_STRING_EQUAL(profile6_filter_str(PROFILE6_OPEN), "open");
	CU_ASSERT_STRING_EQUAL(profile6_filter_str((enum profile6_filter)9),
			       "?");
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(profile_mapping_str(NAT_MAP_APDM),
			       "address+port-dependent");
	CU_ASSERT_STRING_EQUAL(profile_mapping_str(NAT_MAP_NONE), "none");
	CU_ASSERT_STRING_EQUAL(profile_ports_str(NAT_PORTS_SEQUENTIAL),
			       "sequential");
	CU_ASSERT_STRING_EQUAL(profile_filter_str(NAT_FILTER_EIF),
			       "endpoint-independent");
	CU_ASSERT_STRING_EQUAL(profile_syn_str(NAT_SYN_ICMP), "icmp");
	CU_ASSERT_STRING_EQUAL(profile_syn_str((enum nat_syn)7), "?");
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"shipped profiles", test_shipped},
		{"every key", test_all_keys},
		{"carrier behind", test_carrier},
		{"defaults", test_defaults},
		{"keys of issue 11", test_keys},
		{"errors name file, line, key", test_errors},
		{"profile_find", test_find},
		{"names", test_names},
		{"[ipv6] section", test_ipv6},
	};
	int fails;

	fails = testutil_run_suite("profile", NULL, NULL, tests,
				   TESTUTIL_N(tests));
	if (fails < 0)
		return 2;
	return fails ? 1 : 0;
}
