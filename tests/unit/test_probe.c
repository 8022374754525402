/* test_probe: `punchlab probe` without root — classification, expected
 * behaviour of one NAT or two in a row, and the verdict rows
 * (test_probe_http: the probe server's exchange; test_probe_root: the
 * real probe). The pure modules are compiled in here: the Makefile links
 * a test with libtestbed and libcommon only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "../../harness/punchlab/probe/probe_class.c"
#include "../../harness/punchlab/probe/probe_verdict.c"
#include "../../harness/punchlab/probe/probe6_verdict.c"

static uint32_t ip(const char *s)
{
	struct in_addr a = {0};

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static struct probe_ep ep(const char *s, uint16_t port)
{
	return (struct probe_ep){ip(s), port};
}

/* --- mapping ------------------------------------------------------------ */

static void test_mapping_classes(void)
{
	struct probe_ep local = ep("10.0.1.2", 40000);
	struct probe_ep eim[3] = {ep("198.51.100.1", 40000),
				  ep("198.51.100.1", 40000),
				  ep("198.51.100.1", 40000)};
	struct probe_ep adm[3] = {ep("198.51.100.1", 5000),
				  ep("198.51.100.1", 5000),
				  ep("198.51.100.1", 6000)};
	struct probe_ep apdm[3] = {ep("198.51.100.1", 5000),
				   ep("198.51.100.1", 5001),
				   ep("198.51.100.1", 5002)};
	struct probe_ep none[3] = {local, local, local};

	CU_ASSERT_EQUAL(probe_class_mapping(&local, eim), NAT_MAP_EIM);
	CU_ASSERT_EQUAL(probe_class_mapping(&local, adm), NAT_MAP_ADM);
	CU_ASSERT_EQUAL(probe_class_mapping(&local, apdm), NAT_MAP_APDM);
	CU_ASSERT_EQUAL(probe_class_mapping(&local, none), NAT_MAP_NONE);
}

static void test_mapping_inconsistent(void)
{
	struct probe_ep local = ep("10.0.1.2", 40000);
	/* two external addresses: no paired pooling */
	struct probe_ep pools[3] = {ep("198.51.100.1", 40000),
				    ep("198.51.100.1", 40000),
				    ep("198.51.100.2", 40000)};
	/* new port per destination port, old one back for the other
	 * address: fits no class */
	struct probe_ep odd[3] = {ep("198.51.100.1", 5000),
				  ep("198.51.100.1", 5001),
				  ep("198.51.100.1", 5000)};
	/* the inside address leaks on one of three */
	struct probe_ep leak[3] = {local, ep("198.51.100.1", 40000), local};

	CU_ASSERT_EQUAL(probe_class_mapping(&local, pools), -EPROTO);
	CU_ASSERT_EQUAL(probe_class_mapping(&local, odd), -EPROTO);
	CU_ASSERT_EQUAL(probe_class_mapping(&local, leak), -EPROTO);
}

/* --- port assignment ----------------------------------------------------- */

static void test_ports_classes(void)
{
	uint16_t local[4] = {30000, 30001, 30002, 30003};
	uint16_t same[4] = {30000, 30001, 30002, 30003};
	uint16_t seq[4] = {40007, 40008, 40009, 40010};
	uint16_t wrap[4] = {40254, 40255, 40000, 40001};
	uint16_t rnd[4] = {8885, 3106, 39727, 50286};
	uint16_t gap[4] = {40000, 40002, 40004, 40006};

	CU_ASSERT_EQUAL(probe_class_ports(local, same, 4, 1024, 65535),
			NAT_PORTS_PRESERVE);
	CU_ASSERT_EQUAL(probe_class_ports(local, seq, 4, 40000, 40255),
			NAT_PORTS_SEQUENTIAL);
	CU_ASSERT_EQUAL(probe_class_ports(local, wrap, 4, 40000, 40255),
			NAT_PORTS_SEQUENTIAL);
	CU_ASSERT_EQUAL(probe_class_ports(local, rnd, 4, 1024, 65535),
			NAT_PORTS_RANDOM);
	CU_ASSERT_EQUAL(probe_class_ports(local, gap, 4, 40000, 40255),
			NAT_PORTS_RANDOM);
	/* wrapping only at the declared ends */
	CU_ASSERT_EQUAL(probe_class_ports(local, wrap, 4, 40000, 40300),
			NAT_PORTS_RANDOM);
	CU_ASSERT_EQUAL(probe_class_ports(local, same, 1, 1024, 65535),
			-EINVAL);
}

static void test_ports_range(void)
{
	uint16_t in[3] = {1024, 2000, 3071}, out[3] = {1024, 3072, 2000};

	CU_ASSERT_TRUE(probe_class_in_range(in, 3, 1024, 3071));
	CU_ASSERT_FALSE(probe_class_in_range(out, 3, 1024, 3071));
}

/* --- filtering, unsolicited SYN, lifetime --------------------------------- */

static void test_filtering_classes(void)
{
	struct probe_attempt in = {.ans = PROBE_ANS_ACCEPTED, .arrived = 1};
	struct probe_attempt out = {.ans = PROBE_ANS_NONE};

	CU_ASSERT_EQUAL(probe_class_filtering(&in, &in), NAT_FILTER_EIF);
	CU_ASSERT_EQUAL(probe_class_filtering(&out, &in), NAT_FILTER_ADF);
	CU_ASSERT_EQUAL(probe_class_filtering(&out, &out), NAT_FILTER_APDF);
	CU_ASSERT_EQUAL(probe_class_filtering(&in, &out), -EPROTO);
	/* a handshake with something that is not H1's listener is not in */
	in.arrived = 0;
	CU_ASSERT_EQUAL(probe_class_filtering(&in, &in), NAT_FILTER_APDF);
}

static void test_syn_classes(void)
{
	struct probe_attempt a = {.ans = PROBE_ANS_NONE};

	CU_ASSERT_EQUAL(probe_class_syn(&a), NAT_SYN_DROP);
	a.ans = PROBE_ANS_RST;
	CU_ASSERT_EQUAL(probe_class_syn(&a), NAT_SYN_RST);
	a = (struct probe_attempt){
		.ans = PROBE_ANS_ICMP, .icmp_type = 3, .icmp_code = 3};
	CU_ASSERT_EQUAL(probe_class_syn(&a), NAT_SYN_ICMP);
	a.icmp_code = 13; /* administratively prohibited */
	CU_ASSERT_EQUAL(probe_class_syn(&a), -EPROTO);
	a.ans = PROBE_ANS_ACCEPTED;
	CU_ASSERT_EQUAL(probe_class_syn(&a), -EPROTO);
	a.ans = PROBE_ANS_ERROR;
	CU_ASSERT_EQUAL(probe_class_syn(&a), -EPROTO);
}

static void test_lifetime_classes(void)
{
	int ms[6] = {1500, 2000, 2500, 3500, 4000, 4500};
	int ok[6] = {1, 1, 1, 0, 0, 0}, bad[6] = {1, 0, 1, 0, 0, 0};
	int all[6] = {1, 1, 1, 1, 1, 1}, none[6] = {0};
	int alive, dead;

	CU_ASSERT_EQUAL(probe_class_lifetime(ms, ok, 6, &alive, &dead), 0);
	CU_ASSERT_EQUAL(alive, 2500);
	CU_ASSERT_EQUAL(dead, 3500);
	CU_ASSERT_EQUAL(probe_class_lifetime(ms, bad, 6, &alive, &dead),
			-EPROTO);
	CU_ASSERT_EQUAL(probe_class_lifetime(ms, all, 6, &alive, &dead), 0);
	CU_ASSERT_EQUAL(alive, 4500);
	CU_ASSERT_EQUAL(dead, -1);
	CU_ASSERT_EQUAL(probe_class_lifetime(ms, none, 6, &alive, &dead), 0);
	CU_ASSERT_EQUAL(alive, -1);
	CU_ASSERT_EQUAL(dead, 1500);
}

/* --- expected behaviour ----------------------------------------------------
 */

static struct nat_profile prof(enum nat_mapping m, enum nat_ports pa,
			       enum nat_filter f, enum nat_syn s, int hairpin)
{
	struct nat_profile p;

	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "t");
	p.mapping = m;
	p.ports = pa;
	p.port_min = 1024;
	p.port_max = 65535;
	p.filtering = f;
	p.unsolicited_syn = s;
	p.hairpin = hairpin;
	return p;
}

static void test_shorten(void)
{
	struct nat_profile p = prof(NAT_MAP_EIM, NAT_PORTS_PRESERVE,
				    NAT_FILTER_APDF, NAT_SYN_DROP, 0);

	CU_ASSERT_EQUAL(probe_class_shorten(&p), 1); /* kernel default */
	CU_ASSERT_EQUAL(p.timeout_established, PROBE_LIFE_S);
	p.timeout_established = 5;
	CU_ASSERT_EQUAL(probe_class_shorten(&p), 0);
	CU_ASSERT_EQUAL(p.timeout_established, 5);
	p.timeout_established = 7440; /* RFC 5382 REQ-5 */
	CU_ASSERT_EQUAL(probe_class_shorten(&p), 1);
	CU_ASSERT_EQUAL(p.timeout_established, PROBE_LIFE_S);
	p.timeout_established = 1; /* too short for half-second steps */
	CU_ASSERT_EQUAL(probe_class_shorten(&p), 1);
}

static void decl_of(struct nat_profile *home, struct nat_profile *carrier,
		    struct probe_decl *d)
{
	struct nat_profile h = *home, c = carrier ? *carrier : *home;

	probe_class_shorten(home);
	if (carrier)
		probe_class_shorten(carrier);
	probe_class_decl(home, carrier, &h, &c, d);
}

static void test_decl_single(void)
{
	struct nat_profile p = prof(NAT_MAP_APDM, NAT_PORTS_SEQUENTIAL,
				    NAT_FILTER_APDF, NAT_SYN_RST, 0);
	struct probe_decl d;

	p.port_min = 40000;
	p.port_max = 40255;
	decl_of(&p, NULL, &d);
	CU_ASSERT_EQUAL(d.layers, 1);
	CU_ASSERT_EQUAL(d.mapping, NAT_MAP_APDM);
	CU_ASSERT_EQUAL(d.ports, NAT_PORTS_SEQUENTIAL);
	CU_ASSERT_EQUAL(d.port_min, 40000);
	CU_ASSERT_EQUAL(d.port_max, 40255);
	CU_ASSERT_FALSE(d.block);
	CU_ASSERT_EQUAL(d.syn, NAT_SYN_RST);
	CU_ASSERT_EQUAL(d.life_s, PROBE_LIFE_S);
	CU_ASSERT_EQUAL(d.life_profile_s, 0);
	CU_ASSERT_TRUE(d.life_override);

	/* no translation: ports are the inside ones whatever is written */
	p = prof(NAT_MAP_NONE, NAT_PORTS_RANDOM, NAT_FILTER_APDF, NAT_SYN_DROP,
		 0);
	p.timeout_established = 6;
	decl_of(&p, NULL, &d);
	CU_ASSERT_EQUAL(d.ports, NAT_PORTS_PRESERVE);
	CU_ASSERT_EQUAL(d.life_s, 6);
	CU_ASSERT_FALSE(d.life_override);

	/* a block of its own: H1 is subscriber 0 */
	p = prof(NAT_MAP_EIM, NAT_PORTS_RANDOM, NAT_FILTER_EIF, NAT_SYN_DROP,
		 1);
	p.port_block = 2048;
	decl_of(&p, NULL, &d);
	CU_ASSERT_TRUE(d.block);
	CU_ASSERT_EQUAL(d.port_min, 1024);
	CU_ASSERT_EQUAL(d.port_max, 3071);
}

static void test_decl_nat444(void)
{
	struct nat_profile home = prof(NAT_MAP_EIM, NAT_PORTS_PRESERVE,
				       NAT_FILTER_APDF, NAT_SYN_RST, 0);
	struct nat_profile sym = prof(NAT_MAP_APDM, NAT_PORTS_RANDOM,
				      NAT_FILTER_APDF, NAT_SYN_DROP, 0);
	struct nat_profile cgn = prof(NAT_MAP_EIM, NAT_PORTS_RANDOM,
				      NAT_FILTER_EIF, NAT_SYN_DROP, 1);
	struct nat_profile fw = prof(NAT_MAP_NONE, NAT_PORTS_PRESERVE,
				     NAT_FILTER_APDF, NAT_SYN_ICMP, 0);
	struct nat_profile cone = prof(NAT_MAP_EIM, NAT_PORTS_PRESERVE,
				       NAT_FILTER_EIF, NAT_SYN_DROP, 1);
	struct probe_decl d;

	decl_of(&home, &sym, &d);
	CU_ASSERT_EQUAL(d.layers, 2);
	CU_ASSERT_EQUAL(d.mapping, NAT_MAP_APDM);
	CU_ASSERT_EQUAL(d.ports, NAT_PORTS_RANDOM);
	CU_ASSERT_EQUAL(d.filtering, NAT_FILTER_APDF);
	CU_ASSERT_EQUAL(d.syn, NAT_SYN_DROP); /* the carrier is met first */

	cgn.port_block = 2048;
	decl_of(&home, &cgn, &d);
	CU_ASSERT_EQUAL(d.mapping, NAT_MAP_EIM);
	CU_ASSERT_EQUAL(d.ports, NAT_PORTS_RANDOM);
	CU_ASSERT_TRUE(d.block);
	CU_ASSERT_EQUAL(d.port_max, 3071);
	CU_ASSERT_EQUAL(d.filtering, NAT_FILTER_APDF);
	/* hairpinned at the carrier, refused by the home filter */
	CU_ASSERT_FALSE(d.hairpin);

	decl_of(&cone, &cgn, &d);
	CU_ASSERT_EQUAL(d.filtering, NAT_FILTER_EIF);
	CU_ASSERT_TRUE(d.hairpin);

	/* a carrier without translation: the home router decides */
	decl_of(&cone, &fw, &d);
	CU_ASSERT_EQUAL(d.mapping, NAT_MAP_EIM);
	CU_ASSERT_EQUAL(d.ports, NAT_PORTS_PRESERVE);
	CU_ASSERT_EQUAL(d.filtering, NAT_FILTER_APDF);
	CU_ASSERT_EQUAL(d.syn, NAT_SYN_ICMP);
	CU_ASSERT_TRUE(d.hairpin);

	/* the shorter lifetime of the two */
	home.timeout_established = 8;
	sym.timeout_established = 5;
	decl_of(&home, &sym, &d);
	CU_ASSERT_EQUAL(d.life_s, 5);
	CU_ASSERT_FALSE(d.life_override);
}

static void test_base(void)
{
	struct probe_decl d = {
		.ports = NAT_PORTS_RANDOM, .port_min = 1024, .port_max = 65535};

	for (unsigned long seed = 0; seed < 100000; seed += 997) {
		uint16_t b = probe_class_base(&d, seed);

		CU_ASSERT_TRUE(b >= 20000 && b + 40 <= 60039);
	}
	/* preserved only inside the block: start inside it */
	d = (struct probe_decl){.ports = NAT_PORTS_PRESERVE,
				.block = 1,
				.port_min = 1024,
				.port_max = 3071};
	for (unsigned long seed = 0; seed < 100000; seed += 997) {
		uint16_t b = probe_class_base(&d, seed);

		CU_ASSERT_TRUE(b >= 1024 && b + 48 <= 3071);
	}
}

/* --- verdict rows ----------------------------------------------------------
 */

/* What home-eim's router shows: EIM, preserved ports, conntrack
 * filtering, silent drop, no hairpin, a 3 s lifetime. */
static void obs_home_eim(struct probe_obs *o)
{
	static const int offsets[PROBE_NLIFE] = {-1500, -1000, -500,
						 500,	1000,  1500};

	memset(o, 0, sizeof(*o));
	o->m.map_local = ep("10.0.1.2", 40000);
	for (int i = 0; i < 3; i++)
		o->m.map_seen[i] = ep("198.51.100.1", 40000);
	o->m.nports = 3;
	for (int i = 0; i < 3; i++)
		o->m.port_local[i] = o->m.port_seen[i] = (uint16_t)(40010 + i);
	o->filt_public = ep("198.51.100.1", 40020);
	o->from_host.ans = o->from_addr.ans = o->syn.ans = PROBE_ANS_NONE;
	o->hairpin.ans = PROBE_ANS_RST;
	o->syn_port = 9;
	o->h2_public = ep("198.51.100.1", 40022);
	o->nlife = PROBE_NLIFE;
	for (int i = 0; i < PROBE_NLIFE; i++) {
		o->life_ms[i] = 3000 + offsets[i];
		o->life_alive[i] = i < 3;
	}
	/* UDP alike: the same mappings, only the reply gets in, silence */
	o->udp.m.map_local = o->m.map_local;
	memcpy(o->udp.m.map_seen, o->m.map_seen, sizeof(o->m.map_seen));
	o->udp.m.nports = o->m.nports;
	memcpy(o->udp.m.port_local, o->m.port_local, sizeof(o->m.port_local));
	memcpy(o->udp.m.port_seen, o->m.port_seen, sizeof(o->m.port_seen));
	o->udp.filt_public = o->filt_public;
	o->udp.reply =
		(struct probe_attempt){.ans = PROBE_ANS_ACCEPTED, .arrived = 1};
	o->udp.unsol_port = 9;
	/* the kernel keeps H2 on H1's port; T's SYN back gets through */
	o->ovl_local = 40025;
	o->ovl_h1 = o->ovl_h2 = ep("198.51.100.1", 40025);
	o->udp_ovl_local = 40028;
	o->udp_ovl_h1 = o->udp_ovl_h2 = ep("198.51.100.1", 40028);
	o->so_public = ep("198.51.100.1", 40026);
	o->so_h1.ans = o->so_t.ans = PROBE_ANS_ACCEPTED;
}

static struct probe_decl decl_home_eim(void)
{
	struct nat_profile p = prof(NAT_MAP_EIM, NAT_PORTS_PRESERVE,
				    NAT_FILTER_APDF, NAT_SYN_DROP, 0);
	struct probe_decl d;

	decl_of(&p, NULL, &d);
	return d;
}

static const struct probe_row *row(const struct probe_report *r,
				   const char *axis)
{
	for (int i = 0; i < r->nrows; i++)
		if (!strcmp(r->rows[i].axis, axis))
			return &r->rows[i];
	return NULL;
}

static void test_verdict_pass(void)
{
	struct probe_decl d = decl_home_eim();
	struct probe_report r = {0};
	struct probe_obs o;

	obs_home_eim(&o);
	probe_verdict(&d, &o, &r);
	/* no range, no hairpin source, no timers beyond the lifetime;
	 * TCP's 8 rows, then UDP's 5 */
	CU_ASSERT_EQUAL(r.nrows, 13);
	CU_ASSERT_STRING_EQUAL(r.rows[8].axis, "UDP mapping");
	CU_ASSERT_TRUE(r.rows[8].udp);
	CU_ASSERT_FALSE(r.rows[7].udp);
	CU_ASSERT_STRING_EQUAL(row(&r, "port overloading")->measured, "on");
	CU_ASSERT_STRING_EQUAL(row(&r, "simultaneous open")->measured, "pass");
	CU_ASSERT_PTR_NULL(row(&r, "SYN_SENT timeout"));
	CU_ASSERT_PTR_NULL(row(&r, "UDP refresh"));
	for (int i = 0; i < r.nrows; i++)
		CU_ASSERT_EQUAL(r.rows[i].verdict, PROBE_PASS);
	CU_ASSERT_EQUAL(probe_verdict_exit(&r), 0);
	CU_ASSERT_PTR_NULL(row(&r, "port range"));
	CU_ASSERT_STRING_EQUAL(row(&r, "idle lifetime")->measured, "2.5-3.5 s");
	CU_ASSERT_STRING_EQUAL(row(&r, "idle lifetime")->declared,
			       "3 s (profile: kernel default)");
}

static void test_verdict_diff(void)
{
	struct probe_decl d = decl_home_eim();
	struct probe_report r = {0};
	struct probe_obs o;

	obs_home_eim(&o);
	o.m.map_seen[2].port = 5000; /* other address, other port: ADM */
	o.syn.ans = PROBE_ANS_RST;
	o.life_alive[3] = 1; /* still in after 3.5 s */
	probe_verdict(&d, &o, &r);
	CU_ASSERT_EQUAL(row(&r, "mapping")->verdict, PROBE_DIFF);
	CU_ASSERT_STRING_EQUAL(row(&r, "mapping")->measured,
			       "address-dependent");
	CU_ASSERT_EQUAL(row(&r, "unsolicited SYN")->verdict, PROBE_DIFF);
	CU_ASSERT_STRING_EQUAL(row(&r, "unsolicited SYN")->measured, "rst");
	CU_ASSERT_EQUAL(row(&r, "idle lifetime")->verdict, PROBE_DIFF);
	CU_ASSERT_EQUAL(row(&r, "filtering")->verdict, PROBE_PASS);
	CU_ASSERT_EQUAL(probe_verdict_exit(&r), 1);
}

static void test_verdict_errors_and_hairpin(void)
{
	struct probe_decl d = decl_home_eim();
	struct probe_report r = {0};
	struct probe_obs o;

	/* a test that could not run is an ERROR, never a pass */
	obs_home_eim(&o);
	o.m.map_err = -ETIMEDOUT;
	snprintf(o.why, sizeof(o.why), "mapping: connect: no answer");
	probe_verdict(&d, &o, &r);
	CU_ASSERT_EQUAL(row(&r, "mapping")->verdict, PROBE_ERROR);
	CU_ASSERT_STRING_EQUAL(row(&r, "mapping")->detail, o.why);
	CU_ASSERT_EQUAL(probe_verdict_exit(&r), 1);

	/* hairpinning that shows H2's inside address breaks REQ-9a */
	d.hairpin = 1;
	obs_home_eim(&o);
	o.hairpin = (struct probe_attempt){.ans = PROBE_ANS_ACCEPTED,
					   .arrived = 1,
					   .seen_as = ep("10.0.1.3", 40022)};
	memset(&r, 0, sizeof(r));
	probe_verdict(&d, &o, &r);
	CU_ASSERT_EQUAL(row(&r, "hairpinning")->verdict, PROBE_PASS);
	CU_ASSERT_EQUAL(row(&r, "hairpin source")->verdict, PROBE_DIFF);
	CU_ASSERT_STRING_EQUAL(row(&r, "hairpin source")->measured, "internal");
	o.hairpin.seen_as = o.h2_public;
	memset(&r, 0, sizeof(r));
	probe_verdict(&d, &o, &r);
	CU_ASSERT_EQUAL(row(&r, "hairpin source")->verdict, PROBE_PASS);

	/* no translation: nothing to hairpin, no row for it */
	d.mapping = NAT_MAP_NONE;
	memset(&r, 0, sizeof(r));
	probe_verdict(&d, &o, &r);
	CU_ASSERT_PTR_NULL(row(&r, "hairpinning"));
}

static void test_verdict_range(void)
{
	struct probe_decl d = decl_home_eim();
	struct probe_report r = {0};
	struct probe_obs o;

	d.ports = NAT_PORTS_SEQUENTIAL;
	d.port_min = 40000;
	d.port_max = 40255;
	obs_home_eim(&o);
	o.m.port_seen[0] = 40255;
	o.m.port_seen[1] = 40000;
	o.m.port_seen[2] = 40001;
	probe_verdict(&d, &o, &r);
	CU_ASSERT_EQUAL(row(&r, "port assignment")->verdict, PROBE_PASS);
	CU_ASSERT_EQUAL(row(&r, "port range")->verdict, PROBE_PASS);
	o.m.port_seen[2] = 40256;
	memset(&r, 0, sizeof(r));
	probe_verdict(&d, &o, &r);
	CU_ASSERT_EQUAL(row(&r, "port range")->verdict, PROBE_DIFF);
}

/* --- the keys of issue 11 --------------------------------------------- */

static void test_keys_classes(void)
{
	static const int ms[4] = {500, 1000, 1500, 2000};
	int all[4] = {1, 1, 1, 1}, cut[4] = {1, 1, 0, 0}, odd[4] = {1, 0, 1, 0};
	struct probe_attempt a = {.ans = PROBE_ANS_ACCEPTED};
	int in, lost;

	CU_ASSERT_EQUAL(probe_class_simopen(&a), NAT_SIMOPEN_PASS);
	a.ans = PROBE_ANS_NONE;
	CU_ASSERT_EQUAL(probe_class_simopen(&a), NAT_SIMOPEN_DROP);
	a.ans = PROBE_ANS_RST; /* a RST kills a punch: not a class here */
	CU_ASSERT_EQUAL(probe_class_simopen(&a), -EPROTO);

	CU_ASSERT_EQUAL(probe_class_refresh(ms, all, 4, &in, &lost),
			NAT_REFRESH_BOTH);
	CU_ASSERT_EQUAL(in, 2000);
	CU_ASSERT_EQUAL(lost, -1);
	CU_ASSERT_EQUAL(probe_class_refresh(ms, cut, 4, &in, &lost),
			NAT_REFRESH_OUTBOUND);
	CU_ASSERT_EQUAL(in, 1000);
	CU_ASSERT_EQUAL(lost, 1500);
	CU_ASSERT_EQUAL(probe_class_refresh(ms, odd, 4, &in, &lost), -EPROTO);
	/* nothing arrived at all: the mapping itself did not work */
	cut[0] = cut[1] = 0;
	CU_ASSERT_EQUAL(probe_class_refresh(ms, cut, 4, &in, &lost), -EPROTO);

	struct nat_profile p = prof(NAT_MAP_EIM, NAT_PORTS_PRESERVE,
				    NAT_FILTER_APDF, NAT_SYN_DROP, 0);
	CU_ASSERT_EQUAL(probe_class_shorten_syn(&p), 1);
	CU_ASSERT_EQUAL(p.timeout_syn_sent, PROBE_LIFE_S);
	p.timeout_syn_sent = 4;
	CU_ASSERT_EQUAL(probe_class_shorten_syn(&p), 0);
}

static void test_decl_keys(void)
{
	struct nat_profile h = prof(NAT_MAP_EIM, NAT_PORTS_PRESERVE,
				    NAT_FILTER_APDF, NAT_SYN_DROP, 0),
			   c = prof(NAT_MAP_APDM, NAT_PORTS_RANDOM,
				    NAT_FILTER_APDF, NAT_SYN_DROP, 0);
	struct probe_decl d;

	decl_of(&h, NULL, &d);
	CU_ASSERT_EQUAL(d.overloading, 1); /* preserve: the kernel shares */
	CU_ASSERT_EQUAL(d.simopen, NAT_SIMOPEN_PASS);
	CU_ASSERT_EQUAL(d.refresh, NAT_REFRESH_BOTH);
	h.port_overloading_set = 1;
	h.port_overloading = 0;
	decl_of(&h, NULL, &d);
	CU_ASSERT_EQUAL(d.overloading, 0);

	/* behind a symmetric carrier the two hosts part again */
	h.port_overloading = 1;
	decl_of(&h, &c, &d);
	CU_ASSERT_EQUAL(d.overloading, 0);
	/* an EIM carrier keeps one inside endpoint on one port */
	c.mapping = NAT_MAP_EIM;
	decl_of(&h, &c, &d);
	CU_ASSERT_EQUAL(d.overloading, 1);
	/* the stricter layer decides the rest; the shorter SYN_SENT shows */
	c.simultaneous_open = NAT_SIMOPEN_DROP;
	c.refresh = NAT_REFRESH_OUTBOUND;
	h.timeout_syn_sent = 5;
	c.timeout_syn_sent = 0;
	decl_of(&h, &c, &d);
	CU_ASSERT_EQUAL(d.simopen, NAT_SIMOPEN_DROP);
	CU_ASSERT_EQUAL(d.refresh, NAT_REFRESH_OUTBOUND);
	CU_ASSERT_EQUAL(d.syn_s, 5);
	c.timeout_syn_sent = 3;
	decl_of(&h, &c, &d);
	CU_ASSERT_EQUAL(d.syn_s, 3);
}

static void test_verdict_keys(void)
{
	struct probe_decl d = decl_home_eim();
	struct probe_report r = {0};
	struct probe_obs o;

	/* overloading declared off, but H2 got H1's port */
	d.overloading = 0;
	d.simopen = NAT_SIMOPEN_DROP;
	obs_home_eim(&o);
	probe_verdict(&d, &o, &r);
	CU_ASSERT_EQUAL(row(&r, "port overloading")->verdict, PROBE_DIFF);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(row(&r, "port overloading")->detail, "from port 40025"));
	CU_ASSERT_EQUAL(row(&r, "UDP port overloading")->verdict, PROBE_DIFF);
	CU_ASSERT_EQUAL(row(&r, "simultaneous open")->verdict, PROBE_DIFF);
	o.ovl_h2.port = 51234;
	o.udp_ovl_h2.port = 51235;
	o.so_h1.ans = o.so_t.ans = PROBE_ANS_NONE;
	memset(&r, 0, sizeof(r));
	probe_verdict(&d, &o, &r);
	CU_ASSERT_EQUAL(row(&r, "port overloading")->verdict, PROBE_PASS);
	CU_ASSERT_EQUAL(row(&r, "UDP port overloading")->verdict, PROBE_PASS);
	CU_ASSERT_STRING_EQUAL(row(&r, "simultaneous open")->measured, "drop");
	CU_ASSERT_EQUAL(row(&r, "simultaneous open")->verdict, PROBE_PASS);

	/* the timers, when measured */
	d.syn_measure = d.refresh_measure = 1;
	d.syn_s = 3;
	d.refresh = NAT_REFRESH_OUTBOUND;
	o.nsyn = PROBE_NLIFE;
	memcpy(o.syn_ms, o.life_ms, sizeof(o.syn_ms));
	memcpy(o.syn_alive, o.life_alive, sizeof(o.syn_alive));
	o.nrefresh = 9;
	for (int i = 0; i < 9; i++) {
		o.refresh_ms[i] = 500 * (i + 1);
		o.refresh_in[i] = i < 5; /* in until 2.5 s */
	}
	memset(&r, 0, sizeof(r));
	probe_verdict(&d, &o, &r);
	CU_ASSERT_EQUAL(row(&r, "SYN_SENT timeout")->verdict, PROBE_PASS);
	CU_ASSERT_STRING_EQUAL(row(&r, "SYN_SENT timeout")->declared,
			       "3 s (profile: kernel default)");
	CU_ASSERT_EQUAL(row(&r, "UDP refresh")->verdict, PROBE_PASS);
	CU_ASSERT_STRING_EQUAL(row(&r, "UDP refresh")->measured, "outbound");
	CU_ASSERT_PTR_NOT_NULL(strstr(row(&r, "UDP refresh")->detail,
				      "last in 2.5 s, first lost 3.0 s:"));
	/* cut long after the timeout: not what was declared */
	for (int i = 0; i < 9; i++)
		o.refresh_in[i] = i < 8;
	memset(&r, 0, sizeof(r));
	probe_verdict(&d, &o, &r);
	CU_ASSERT_EQUAL(row(&r, "UDP refresh")->verdict, PROBE_DIFF);
	/* inbound kept it alive: both */
	o.refresh_in[8] = 1;
	memset(&r, 0, sizeof(r));
	probe_verdict(&d, &o, &r);
	CU_ASSERT_STRING_EQUAL(row(&r, "UDP refresh")->measured, "both");
	CU_ASSERT_EQUAL(row(&r, "UDP refresh")->verdict, PROBE_DIFF);
	/* a timer that could not run is an ERROR */
	o.syn_err = -ETIMEDOUT;
	snprintf(o.keys_why, sizeof(o.keys_why), "SYN_SENT: T never saw it");
	memset(&r, 0, sizeof(r));
	probe_verdict(&d, &o, &r);
	CU_ASSERT_EQUAL(row(&r, "SYN_SENT timeout")->verdict, PROBE_ERROR);
	CU_ASSERT_STRING_EQUAL(row(&r, "SYN_SENT timeout")->detail, o.keys_why);
	/* nothing translated: no overloading row */
	d.mapping = NAT_MAP_NONE;
	memset(&r, 0, sizeof(r));
	probe_verdict(&d, &o, &r);
	CU_ASSERT_PTR_NULL(row(&r, "port overloading"));
	CU_ASSERT_PTR_NULL(row(&r, "UDP port overloading"));
}

/* The IPv6 rows: each class from the three dials, the SYN answer, a
 * difference, an error, and no rows without IPv6. */
static void test_verdict6(void)
{
	static const struct {
		enum profile6_filter f;
		enum probe_answer same, other, unused;
		enum nat_syn syn;
	} ok[] = {
		{ PROFILE6_EIF, PROBE_ANS_ACCEPTED, PROBE_ANS_ACCEPTED,
		  PROBE_ANS_ICMP, NAT_SYN_ICMP },
		{ PROFILE6_ADF, PROBE_ANS_ACCEPTED, PROBE_ANS_RST, PROBE_ANS_RST,
		  NAT_SYN_RST },
		{ PROFILE6_APDF, PROBE_ANS_NONE, PROBE_ANS_NONE, PROBE_ANS_NONE,
		  NAT_SYN_DROP },
		{ PROFILE6_OPEN, PROBE_ANS_ACCEPTED, PROBE_ANS_ACCEPTED,
		  PROBE_ANS_ACCEPTED, NAT_SYN_DROP },
	};
	struct probe6_obs o;
	struct probe_report r;

	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
		memset(&o, 0, sizeof(o));
		memset(&r, 0, sizeof(r));
		o.on = 1;
		o.filtering = ok[i].f;
		o.syn = ok[i].syn;
		o.same_addr.ans = ok[i].same;
		o.other_addr.ans = ok[i].other;
		o.unused.ans = ok[i].unused;
		probe6_verdict(&o, &r);
		CU_ASSERT_EQUAL_FATAL(r.nrows, 2);
		CU_ASSERT_STRING_EQUAL(r.rows[0].axis, "IPv6 filtering");
		CU_ASSERT_STRING_EQUAL(r.rows[0].measured,
				       profile6_filter_str(ok[i].f));
		CU_ASSERT_EQUAL(r.rows[0].verdict, PROBE_PASS);
		CU_ASSERT_STRING_EQUAL(r.rows[1].axis, "IPv6 unsolicited SYN");
		CU_ASSERT_EQUAL(r.rows[1].verdict, PROBE_PASS);
	}
	/* Declared drop, the router answered RST and admitted T2. */
	o.filtering = PROFILE6_APDF;
	o.syn = NAT_SYN_DROP;
	o.same_addr.ans = PROBE_ANS_RST;
	o.other_addr.ans = PROBE_ANS_ACCEPTED;
	o.unused.ans = PROBE_ANS_RST;
	memset(&r, 0, sizeof(r));
	probe6_verdict(&o, &r);
	CU_ASSERT_STRING_EQUAL(r.rows[0].measured, "inconsistent");
	CU_ASSERT_EQUAL(r.rows[0].verdict, PROBE_DIFF);
	CU_ASSERT_STRING_EQUAL(r.rows[1].measured, "rst");
	CU_ASSERT_EQUAL(r.rows[1].verdict, PROBE_DIFF);
	o.err = -EHOSTUNREACH;
	snprintf(o.why, sizeof(o.why), "no route");
	memset(&r, 0, sizeof(r));
	probe6_verdict(&o, &r);
	CU_ASSERT_EQUAL(r.rows[0].verdict, PROBE_ERROR);
	CU_ASSERT_EQUAL(r.rows[1].verdict, PROBE_ERROR);
	CU_ASSERT_STRING_EQUAL(r.rows[1].detail, "no route");
	o.on = 0;
	memset(&r, 0, sizeof(r));
	probe6_verdict(&o, &r);
	CU_ASSERT_EQUAL(r.nrows, 0);
}

int main(void)
{
	CU_pSuite s;
	int failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("probe_class", NULL, NULL);
	CU_add_test(s, "mapping classes", test_mapping_classes);
	CU_add_test(s, "mapping inconsistent", test_mapping_inconsistent);
	CU_add_test(s, "port classes", test_ports_classes);
	CU_add_test(s, "port range", test_ports_range);
	CU_add_test(s, "filtering classes", test_filtering_classes);
	CU_add_test(s, "unsolicited SYN classes", test_syn_classes);
	CU_add_test(s, "lifetime classes", test_lifetime_classes);
	CU_add_test(s, "timeouts shortened", test_shorten);
	CU_add_test(s, "expected: one NAT", test_decl_single);
	CU_add_test(s, "expected: NAT444", test_decl_nat444);
	CU_add_test(s, "local port base", test_base);
	CU_add_test(s, "simultaneous open and refresh classes",
		    test_keys_classes);
	CU_add_test(s, "expected: issue 11 keys", test_decl_keys);
	s = CU_add_suite("probe_verdict", NULL, NULL);
	CU_add_test(s, "all as declared", test_verdict_pass);
	CU_add_test(s, "differences", test_verdict_diff);
	CU_add_test(s, "errors and hairpin source",
		    test_verdict_errors_and_hairpin);
	CU_add_test(s, "port range row", test_verdict_range);
	CU_add_test(s, "issue 11 key rows", test_verdict_keys);
	CU_add_test(s, "IPv6 rows", test_verdict6);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = (int)CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
