/* punchlab probe PROFILE: builds a router with the profile in its own
 * namespaces, discovers its behaviour with real TCP (RFC 4787 / 5382 /
 * 5780 style) and reports where it differs from the declaration. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monoclock.h"
#include "log.h"
#include "probe_class.h"
#include "probe_keys.h"
#include "probe_lifetime.h"
#include "probe_measure.h"
#include "probe_net.h"
#include "probe_report.h"
#include "probe_sock.h"
#include "probe_timers.h"
#include "probe_trap.h"
#include "probe_udp.h"
#include "probe_verdict.h"
#include "probe6.h"
#include "punchlab.h"

struct probe_opts {
	const char *profile, *behind, *dir, *json_path;
	int json, keep, verbose, timeouts;
};

static void probe_usage(FILE *f)
{
	fprintf(f,
		"Usage: punchlab probe [OPTIONS] PROFILE|FILE.ini\n\n"
		"Builds a router with the NAT profile, two LAN hosts, a probe "
		"server with\ntwo addresses and a third WAN host, measures "
		"with "
		"real TCP how the router\nmaps, assigns ports, filters, "
		"answers "
		"unsolicited SYNs, hairpins and how\nlong an idle mapping "
		"lives, "
		"then with UDP how it maps, assigns ports,\nfilters and "
		"answers unsolicited datagrams, and compares each with the\n"
		"declaration.\n\n"
		"  --behind CARRIER  put the router behind a carrier NAT with "
		"profile\n                    CARRIER (NAT444); default: the "
		"profile's own `behind`\n"
		"  --json            print the report as JSON instead of the "
		"table\n"
		"  --json=FILE       write the JSON to FILE, print the table\n"
		"  --keep            leave the topology up (with the probe "
		"server) and\n                    print how to get in; "
		"`punchlab down RUN-ID` removes it\n"
		"  --profiles DIR    NAT profile folder (default: "
		"nat-profiles)\n"
		"  --timeouts        also measure the SYN_SENT timeout and "
		"whether inbound-only\n                    packets refresh a "
		"mapping (each is measured anyway when\n                    "
		"the profile sets it; together about 11 s more)\n"
		"  -v, --verbose     log each step\n"
		"  -h, --help        this text\n\n"
		"Beyond RFC 4787/5382's classes it measures port overloading "
		"(H1 and H2\nfrom the same port toward two servers get one "
		"public port?) and\nsimultaneous open (T answers H1's "
		"unanswered SYN with its own SYN).\n"
		"With [ipv6] enabled (and a carrier that routes IPv6) it "
		"also measures\nthe router's IPv6 filtering class and its "
		"answer to an unsolicited SYN.\n"
		"An established-connection timeout (and a measured SYN_SENT "
		"one) that is\nthe kernel default or over %d s is shortened "
		"to %d s for the probe, which\nthen checks that the mapping "
		"lives that long. A probe takes about 11 s.\nExit codes: 0 all "
		"as declared, 1 something differs or "
		"could not be\nmeasured, 2 bad input, 4 not root.\n",
		PROBE_LIFE_MAX_S, PROBE_LIFE_S);
}

static int probe_parse(int argc, char **argv, struct probe_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			probe_usage(stdout);
			return 1;
		} else if (!strcmp(a, "--json")) {
			o->json = 1;
		} else if (!strncmp(a, "--json=", 7) && a[7]) {
			o->json_path = a + 7;
		} else if (!strcmp(a, "--timeouts")) {
			o->timeouts = 1;
		} else if (!strcmp(a, "--keep")) {
			o->keep = 1;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			o->verbose = 1;
		} else if (!strcmp(a, "--behind") && i + 1 < argc) {
			o->behind = argv[++i];
		} else if (!strcmp(a, "--profiles") && i + 1 < argc) {
			o->dir = argv[++i];
		} else if (!o->profile && a[0] != '-') {
			o->profile = a;
		} else {
			probe_usage(stderr);
			return -1;
		}
	}
	if (!o->profile) {
		probe_usage(stderr);
		return -1;
	}
	return 0;
}

static int probe_load(const char *dir, const char *arg, struct nat_profile *p)
{
	struct cfg_error ce;
	char msg[1200];
	size_t n = strlen(arg);
	int e;

	e = n > 4 && !strcmp(arg + n - 4, ".ini")
		    ? profile_load(arg, p, &ce)
		    : profile_find(dir, arg, p, &ce);
	if (e < 0)
		fprintf(stderr, "punchlab probe: %s\n",
			cfg_error_str(&ce, msg, sizeof(msg)));
	return e;
}

/* The profiles as declared, as probed (timeouts shortened) and checked to
 * render, before anything is built. */
struct probe_profiles {
	struct nat_profile home, carrier, home_orig, carrier_orig;
	int has_carrier;
	int syn_measure, refresh_measure; /* the opt-in timers */
};

static int probe_prepare(const struct probe_opts *o, struct probe_profiles *pp)
{
	struct cfg_error ce;
	char why[512], msg[1200];

	if (probe_load(o->dir, o->profile, &pp->home_orig) < 0)
		return -1;
	if (o->behind) {
		if (probe_load(o->dir, o->behind, &pp->carrier_orig) < 0)
			return -1;
		if (pp->carrier_orig.behind[0]) {
			fprintf(stderr,
				"punchlab probe: %s: is itself behind %s; "
				"NAT4444 is not supported\n",
				pp->carrier_orig.path, pp->carrier_orig.behind);
			return -1;
		}
		pp->has_carrier = 1;
	} else if (pp->home_orig.behind[0]) {
		if (profile_load_carrier(o->dir, &pp->home_orig,
					 &pp->carrier_orig, &ce) < 0) {
			fprintf(stderr, "punchlab probe: %s\n",
				cfg_error_str(&ce, msg, sizeof(msg)));
			return -1;
		}
		pp->has_carrier = 1;
	}
	if (pp->has_carrier && pp->home_orig.mapping == NAT_MAP_NONE) {
		/* Its LAN would need carrier addresses to be translated. */
		fprintf(stderr,
			"punchlab probe: %s: mapping = none behind a carrier "
			"NAT is not supported; probe the carrier alone\n",
			pp->home_orig.path);
		return -1;
	}
	pp->home = pp->home_orig;
	pp->carrier = pp->carrier_orig;
	probe_class_shorten(&pp->home);
	if (pp->has_carrier)
		probe_class_shorten(&pp->carrier);
	pp->syn_measure =
		o->timeouts || pp->home_orig.timeout_syn_sent ||
		(pp->has_carrier && pp->carrier_orig.timeout_syn_sent);
	pp->refresh_measure = o->timeouts ||
			      pp->home_orig.refresh != NAT_REFRESH_BOTH ||
			      (pp->has_carrier &&
			       pp->carrier_orig.refresh != NAT_REFRESH_BOTH);
	/* A layer that keeps the kernel's 120 s gets the probe's timeout
	 * too: the shorter of the two is what shows from outside. */
	if (pp->syn_measure) {
		probe_class_shorten_syn(&pp->home);
		if (pp->has_carrier)
			probe_class_shorten_syn(&pp->carrier);
	}
	if (probe_net_check(&pp->home, 0, why, sizeof(why)) < 0) {
		fprintf(stderr, "punchlab probe: %s: %s\n", pp->home.path, why);
		return -1;
	}
	if (pp->has_carrier &&
	    probe_net_check(&pp->carrier, 1, why, sizeof(why)) < 0) {
		fprintf(stderr, "punchlab probe: %s: %s\n", pp->carrier.path,
			why);
		return -1;
	}
	return 0;
}

/* The keys of issue 11: overloading, simultaneous open, and the timers
 * the profile sets or --timeouts asks for. */
static int probe_measure_keys(struct probe_net *n, const struct probe_decl *d,
			      uint16_t base, struct probe_obs *obs)
{
	char why[256];
	int pfd, e = 0;

	if (d->mapping != NAT_MAP_NONE) {
		log_debug("probe: port overloading from %s and %s", PROBE_H1,
			  PROBE_H2);
		e = probe_measure_overloading(n, base, obs);
		if (!e)
			e = probe_measure_udp_overloading(n, base, obs);
	}
	pfd = e ? -1 : probe_trap_new(n, why, sizeof(why));
	if (!e && pfd < 0) {
		probe_why(obs->keys_why, sizeof(obs->keys_why), &obs->so_err,
			  pfd, "%s", why);
		obs->syn_err = obs->so_err;
	}
	if (!e && pfd >= 0) {
		log_debug("probe: simultaneous open");
		e = probe_measure_simopen(n, pfd, base, obs);
	}
	if (!e && pfd >= 0 && d->syn_measure) {
		log_debug("probe: SYN_SENT timeout (%u s)", d->syn_s);
		e = probe_measure_synsent(n, pfd, base, d->syn_s, obs);
	}
	if (pfd >= 0)
		close(pfd);
	if (!e && d->refresh_measure) {
		log_debug("probe: refresh (%u s)", d->life_s);
		e = probe_measure_refresh(n, base, d->life_s, obs);
	}
	return e;
}

/* The measurements, in an order where each one's connections are gone
 * before the next starts; UDP after TCP (ports of its own protocol), the
 * lifetime test last (it waits). */
static int probe_measure_all(struct probe_net *n, const struct probe_decl *d,
			     struct probe_obs *obs, struct probe6_obs *obs6)
{
	const struct probe_ep hold = {probe_addr(PROBE_SRV_A), PROBE_HOLD_PORT};
	/* Fresh local ports per run, laid out from one base. */
	uint16_t base = probe_class_base(d, strtoul(n->rid, NULL, 16));
	int hold_fd, e;

	hold_fd = probe_sock_listen(n->srv.fd, &hold);
	if (hold_fd < 0) {
		snprintf(obs->why, sizeof(obs->why), "holder on %s:%d: %s",
			 PROBE_SRV_A, PROBE_HOLD_PORT, strerror(-hold_fd));
		obs->in_err = obs->life_err = hold_fd;
	}
	log_debug("probe: mapping from %s:%u", PROBE_H1, base);
	e = probe_measure_mapping(n, base, obs);
	if (!e) {
		log_debug("probe: port assignment");
		e = probe_measure_ports(n, base, obs);
	}
	if (!e && hold_fd >= 0) {
		log_debug("probe: filtering, unsolicited SYN, hairpinning");
		e = probe_measure_inbound(n, hold_fd, base, obs);
	}
	if (!e)
		e = probe_udp_measure(n, base, obs);
	if (!e && hold_fd >= 0 &&
	    !(d->mapping == NAT_MAP_NONE && d->filtering == NAT_FILTER_EIF)) {
		log_debug("probe: idle lifetime (%u s)", d->life_s);
		e = probe_measure_lifetime(n, hold_fd, base, d->life_s, obs);
	}
	if (hold_fd >= 0)
		close(hold_fd);
	if (!e)
		e = probe_measure_keys(n, d, base, obs);
	if (!e)
		e = probe6_measure(n, base, obs6);
	return e;
}

static void probe_print_keep(const struct probe_net *n)
{
	printf("\nprobe topology %s is up:\n", n->rid);
	printf("  %-24s probe server %s and %s, ports %d and %d\n", n->srv.ns,
	       PROBE_SRV_A, PROBE_SRV_B, PROBE_PORT_1, PROBE_PORT_2);
	printf("  %-24s third WAN host %s\n", n->t.ns, PROBE_T_ADDR);
	if (n->has_carrier)
		printf("  %-24s carrier NAT, WAN %s\n", n->cgn.ns,
		       PROBE_PUBLIC);
	printf("  %-24s router, WAN %s\n", n->router.ns,
	       n->has_carrier ? "100.64.0.2" : PROBE_PUBLIC);
	printf("  %-24s LAN host %s\n", n->h1.ns, PROBE_H1);
	printf("  %-24s LAN host %s\n", n->h2.ns, PROBE_H2);
	printf("\nGet in:     ip netns exec %s bash\n", n->h1.ns);
	printf("Ask:        ip netns exec %s curl -s http://%s:%d/\n", n->h1.ns,
	       PROBE_SRV_A, PROBE_PORT_1);
	printf("NAT rules:  ip netns exec %s nft list table ip %s\n",
	       n->router.ns, n->table);
	if (n->v6_on)
		printf("IPv6:       H1 %s, H2 %s, T %s and %s; filter: ip "
		       "netns exec %s nft list table ip6 %s_f6\n",
		       PROBE6_H1, PROBE6_H2, PROBE6_T1, PROBE6_T2,
		       n->router.ns, n->table);
	printf("Remove:     punchlab down %s\n", n->rid);
}

static int probe_output(const struct probe_opts *o,
			const struct probe_report *r)
{
	FILE *f;
	int e;

	if (o->json)
		return probe_report_json(stdout, r);
	probe_report_table(stdout, r);
	if (!o->json_path)
		return 0;
	f = fopen(o->json_path, "we");
	if (!f) {
		fprintf(stderr, "punchlab probe: %s: %s\n", o->json_path,
			strerror(errno));
		return -errno;
	}
	e = probe_report_json(f, r);
	if (fclose(f) != 0 && !e)
		e = -EIO;
	return e;
}

/* The topology, dual-stack when the home has IPv6 (probe6.h). */
static struct probe_net *probe_build(const char *rid,
				     const struct probe_profiles *pp, int keep,
				     char *err, size_t cap)
{
	const struct nat_profile *c = pp->has_carrier ? &pp->carrier : NULL;
	struct probe_net *n = probe_net_new(rid, &pp->home, c, keep, err, cap);

	if (n && (n->v6_on = probe6_wanted(&pp->home, c)) &&
	    probe6_net(n, err, cap) < 0) {
		probe_net_free(n);
		return NULL;
	}
	return n;
}

int cmd_probe(int argc, char **argv)
{
	struct probe_opts o = {.dir = punchlab_profile_dir()};
	struct probe_profiles *pp;
	struct probe_report rep = {0};
	struct probe_obs obs = {0};
	struct probe6_obs obs6 = {0};
	struct probe_decl d;
	struct probe_net *n;
	char rid[RUNID_LEN + 1], err[1024] = "";
	int64_t t0 = mono_ms();
	int ret, e;

	ret = probe_parse(argc, argv, &o);
	if (ret)
		return ret > 0 ? EXIT_PASS : EXIT_USAGE;
	log_init("punchlab", o.verbose);
	pp = calloc(1, sizeof(*pp));
	if (!pp)
		return EXIT_FAIL;
	if (probe_prepare(&o, pp) < 0) {
		free(pp);
		return EXIT_USAGE;
	}
	probe_class_decl(&pp->home, pp->has_carrier ? &pp->carrier : NULL,
			 &pp->home_orig, &pp->carrier_orig, &d);
	d.syn_measure = pp->syn_measure;
	d.refresh_measure = pp->refresh_measure;
	ret = punchlab_need_root("probe");
	if (ret != EXIT_PASS || runid_new(rid) < 0) {
		free(pp);
		return ret != EXIT_PASS ? ret : EXIT_FAIL;
	}
	punchlab_signals();
	log_debug("probe: run %s, building the topology", rid);
	n = probe_build(rid, pp, o.keep, err, sizeof(err));
	if (!n) {
		fprintf(stderr, "punchlab probe: %s\n", err);
		free(pp);
		return EXIT_FAIL;
	}
	e = probe_measure_all(n, &d, &obs, &obs6);
	if (e == -EINTR) {
		fprintf(stderr,
			"punchlab probe: interrupted; removing run %s\n", rid);
		probe_net_free(n);
		free(pp);
		return EXIT_FAIL;
	}
	snprintf(rep.profile, sizeof(rep.profile), "%s", pp->home.name);
	if (pp->has_carrier)
		snprintf(rep.behind, sizeof(rep.behind), "%s",
			 pp->carrier.name);
	snprintf(rep.rid, sizeof(rep.rid), "%s", rid);
	probe_verdict(&d, &obs, &rep);
	probe6_verdict(&obs6, &rep);
	rep.duration_ms = (long)(mono_ms() - t0);
	ret = probe_verdict_exit(&rep) ? EXIT_FAIL : EXIT_PASS;
	if (probe_output(&o, &rep) < 0)
		ret = EXIT_FAIL;
	if (o.keep) {
		if (!o.json)
			probe_print_keep(n);
		else
			fprintf(stderr,
				"punchlab probe: run %s left up; "
				"`punchlab down %s` removes it\n",
				rid, rid);
		probe_net_detach(n);
	} else {
		probe_net_free(n);
	}
	free(pp);
	return ret;
}
