/* test_probe_udp: the UDP half of `punchlab probe` without root — the
 * classes of UDP filtering and of the answer to an unsolicited datagram,
 * what a profile (or two in a row) declares for UDP, and the UDP rows of
 * the verdict, including a declaration the measurement contradicts. The
 * pure modules are compiled in, as in test_probe. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "../../harness/punchlab/probe/probe_class.c"
#include "../../harness/punchlab/probe/probe_verdict.c"

static const struct probe_attempt in = {.ans = PROBE_ANS_ACCEPTED,
					.arrived = 1};
static const struct probe_attempt lost = {.ans = PROBE_ANS_NONE};

static struct probe_ep ep(const char *s, uint16_t port)
{
	struct in_addr a = {0};

	inet_pton(AF_INET, s, &a);
	return (struct probe_ep){a.s_addr, port};
}

static void test_filtering_classes(void)
{
	/* reply, from a:p2, from b:p1 */
	CU_ASSERT_EQUAL(probe_class_udp_filtering(&in, &in, &in),
			NAT_FILTER_EIF);
	CU_ASSERT_EQUAL(probe_class_udp_filtering(&in, &in, &lost),
			NAT_FILTER_ADF);
	CU_ASSERT_EQUAL(probe_class_udp_filtering(&in, &lost, &lost),
			NAT_FILTER_APDF);
	/* another address in where S's own other port was not */
	CU_ASSERT_EQUAL(probe_class_udp_filtering(&in, &lost, &in), -EPROTO);
	/* no reply: the mapping did not work, nothing to classify */
	CU_ASSERT_EQUAL(probe_class_udp_filtering(&lost, &lost, &lost),
			-EPROTO);
	CU_ASSERT_EQUAL(probe_class_udp_filtering(&lost, &in, &in), -EPROTO);
}

static void test_unsolicited_classes(void)
{
	struct probe_attempt a = {.ans = PROBE_ANS_NONE};

	CU_ASSERT_EQUAL(probe_class_udp_unsolicited(&a), NAT_UDP_DROP);
	a = (struct probe_attempt){
		.ans = PROBE_ANS_ICMP, .icmp_type = 3, .icmp_code = 3};
	CU_ASSERT_EQUAL(probe_class_udp_unsolicited(&a), NAT_UDP_ICMP);
	a.icmp_code = 1; /* host unreachable */
	CU_ASSERT_EQUAL(probe_class_udp_unsolicited(&a), -EPROTO);
	a.ans = PROBE_ANS_ACCEPTED; /* something answered with a datagram */
	CU_ASSERT_EQUAL(probe_class_udp_unsolicited(&a), -EPROTO);
	a.ans = PROBE_ANS_ERROR;
	CU_ASSERT_EQUAL(probe_class_udp_unsolicited(&a), -EPROTO);
}

static struct nat_profile prof(enum nat_filter f, enum nat_syn s)
{
	struct nat_profile p;

	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "t");
	p.mapping = NAT_MAP_EIM;
	p.ports = NAT_PORTS_PRESERVE;
	p.port_min = 1024;
	p.port_max = 65535;
	p.filtering = f;
	p.unsolicited_syn = s;
	p.timeout_established = 3;
	return p;
}

static void test_decl(void)
{
	struct nat_profile p = prof(NAT_FILTER_APDF, NAT_SYN_RST), c;
	struct probe_decl d;

	/* defaults from the TCP keys: rst becomes ICMP for UDP */
	probe_class_decl(&p, NULL, &p, NULL, &d);
	CU_ASSERT_EQUAL(d.udp_filtering, NAT_FILTER_APDF);
	CU_ASSERT_EQUAL(d.udp_unsolicited, NAT_UDP_ICMP);
	/* the UDP keys when set, TCP untouched */
	p.udp_filtering = NAT_FILTER_EIF;
	p.udp_filtering_set = 1;
	p.udp_unsolicited = NAT_UDP_DROP;
	p.udp_unsolicited_set = 1;
	probe_class_decl(&p, NULL, &p, NULL, &d);
	CU_ASSERT_EQUAL(d.udp_filtering, NAT_FILTER_EIF);
	CU_ASSERT_EQUAL(d.udp_unsolicited, NAT_UDP_DROP);
	CU_ASSERT_EQUAL(d.filtering, NAT_FILTER_APDF);
	CU_ASSERT_EQUAL(d.syn, NAT_SYN_RST);
	/* NAT444: the stricter UDP filter; the carrier answers outsiders */
	c = prof(NAT_FILTER_ADF, NAT_SYN_ICMP);
	probe_class_decl(&p, &c, &p, &c, &d);
	CU_ASSERT_EQUAL(d.udp_filtering, NAT_FILTER_ADF);
	CU_ASSERT_EQUAL(d.udp_unsolicited, NAT_UDP_ICMP);
	c = prof(NAT_FILTER_EIF, NAT_SYN_DROP);
	probe_class_decl(&p, &c, &p, &c, &d);
	CU_ASSERT_EQUAL(d.udp_filtering, NAT_FILTER_EIF);
	CU_ASSERT_EQUAL(d.udp_unsolicited, NAT_UDP_DROP);
}

/* A router whose TCP and UDP both behave as home-eim's: EIM, preserved
 * ports, APDF, silent drop. Only the UDP observations are filled; the
 * TCP rows are not looked at here. */
static void obs_udp_apdf(struct probe_obs *o)
{
	struct probe_udp_obs *u = &o->udp;

	memset(o, 0, sizeof(*o));
	u->m.map_local = ep("10.0.1.2", 40000);
	for (int i = 0; i < 3; i++)
		u->m.map_seen[i] = ep("198.51.100.1", 40000);
	u->m.nports = 3;
	for (int i = 0; i < 3; i++)
		u->m.port_local[i] = u->m.port_seen[i] = (uint16_t)(40010 + i);
	u->filt_public = ep("198.51.100.1", 40020);
	u->reply = in;
	u->from_port = u->from_addr = u->unsol = lost;
	u->unsol_port = 9;
}

static const struct probe_row *row(const struct probe_report *r,
				   const char *axis)
{
	for (int i = 0; i < r->nrows; i++)
		if (!strcmp(r->rows[i].axis, axis))
			return &r->rows[i];
	return NULL;
}

static void verdict_of(enum nat_filter udp_filtering, enum nat_udp unsol,
		       const struct probe_obs *o, struct probe_report *r)
{
	struct nat_profile p = prof(NAT_FILTER_APDF, NAT_SYN_DROP);
	struct probe_decl d;

	p.udp_filtering = udp_filtering;
	p.udp_filtering_set = 1;
	p.udp_unsolicited = unsol;
	p.udp_unsolicited_set = 1;
	probe_class_decl(&p, NULL, &p, NULL, &d);
	memset(r, 0, sizeof(*r));
	probe_verdict(&d, o, r);
}

static void test_verdict_pass(void)
{
	struct probe_report r;
	struct probe_obs o;
	const char *const axes[] = {"UDP mapping", "UDP port assignment",
				    "UDP filtering", "UDP unsolicited"};

	obs_udp_apdf(&o);
	verdict_of(NAT_FILTER_APDF, NAT_UDP_DROP, &o, &r);
	for (size_t i = 0; i < sizeof(axes) / sizeof(*axes); i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(row(&r, axes[i]));
		CU_ASSERT_EQUAL(row(&r, axes[i])->verdict, PROBE_PASS);
		CU_ASSERT_TRUE(row(&r, axes[i])->udp);
	}
	CU_ASSERT_STRING_EQUAL(row(&r, "UDP filtering")->measured,
			       "address+port-dependent");
	CU_ASSERT_STRING_EQUAL(row(&r, "UDP unsolicited")->measured, "drop");
}

/* A profile declaring udp_filtering = endpoint-independent whose rules
 * do APDF: the row is a DIFF and the probe exits 1. */
static void test_verdict_diff(void)
{
	struct probe_report r;
	struct probe_obs o;

	obs_udp_apdf(&o);
	verdict_of(NAT_FILTER_EIF, NAT_UDP_DROP, &o, &r);
	CU_ASSERT_EQUAL(row(&r, "UDP filtering")->verdict, PROBE_DIFF);
	CU_ASSERT_STRING_EQUAL(row(&r, "UDP filtering")->declared,
			       "endpoint-independent");
	CU_ASSERT_STRING_EQUAL(row(&r, "UDP filtering")->measured,
			       "address+port-dependent");
	CU_ASSERT_EQUAL(probe_verdict_exit(&r), 1);

	/* declared icmp, the router stayed silent */
	verdict_of(NAT_FILTER_APDF, NAT_UDP_ICMP, &o, &r);
	CU_ASSERT_EQUAL(row(&r, "UDP unsolicited")->verdict, PROBE_DIFF);
	CU_ASSERT_EQUAL(probe_verdict_exit(&r), 1);

	/* a new port per destination for UDP where EIM is declared */
	o.udp.m.map_seen[1].port = 40001;
	o.udp.m.map_seen[2].port = 40002;
	verdict_of(NAT_FILTER_APDF, NAT_UDP_DROP, &o, &r);
	CU_ASSERT_EQUAL(row(&r, "UDP mapping")->verdict, PROBE_DIFF);
	CU_ASSERT_STRING_EQUAL(row(&r, "UDP mapping")->measured,
			       "address+port-dependent");
	/* the TCP row is judged on TCP's observations alone */
	CU_ASSERT_EQUAL(row(&r, "mapping")->verdict, PROBE_DIFF);
	CU_ASSERT_STRING_NOT_EQUAL(row(&r, "mapping")->measured,
				   "address+port-dependent");
}

static void test_verdict_errors(void)
{
	struct probe_report r;
	struct probe_obs o;

	/* no reply through the mapping: inconsistent, not a pass */
	obs_udp_apdf(&o);
	o.udp.reply = lost;
	verdict_of(NAT_FILTER_APDF, NAT_UDP_DROP, &o, &r);
	CU_ASSERT_EQUAL(row(&r, "UDP filtering")->verdict, PROBE_DIFF);
	CU_ASSERT_STRING_EQUAL(row(&r, "UDP filtering")->measured,
			       "inconsistent");
	/* a test that could not run is an ERROR with its reason */
	obs_udp_apdf(&o);
	o.udp.in_err = -ETIMEDOUT;
	snprintf(o.udp.why, sizeof(o.udp.why),
		 "UDP inbound: datagram to 192.0.2.10:3478: did not arrive");
	verdict_of(NAT_FILTER_APDF, NAT_UDP_DROP, &o, &r);
	CU_ASSERT_EQUAL(row(&r, "UDP filtering")->verdict, PROBE_ERROR);
	CU_ASSERT_EQUAL(row(&r, "UDP unsolicited")->verdict, PROBE_ERROR);
	CU_ASSERT_STRING_EQUAL(row(&r, "UDP unsolicited")->detail, o.udp.why);
	CU_ASSERT_EQUAL(probe_verdict_exit(&r), 1);
	/* random UDP ports: assignment and range rows */
	obs_udp_apdf(&o);
	o.udp.m.port_seen[0] = 5000;
	o.udp.m.port_seen[1] = 70;
	o.udp.m.port_seen[2] = 9000;
	verdict_of(NAT_FILTER_APDF, NAT_UDP_DROP, &o, &r);
	CU_ASSERT_STRING_EQUAL(row(&r, "UDP port assignment")->measured,
			       "random");
	CU_ASSERT_EQUAL(row(&r, "UDP port assignment")->verdict, PROBE_DIFF);
}

int main(void)
{
	CU_pSuite s;
	unsigned int failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("probe_udp", NULL, NULL);
	CU_add_test(s, "UDP filtering classes", test_filtering_classes);
	CU_add_test(s, "unsolicited datagram classes",
		    test_unsolicited_classes);
	CU_add_test(s, "declared UDP behaviour", test_decl);
	CU_add_test(s, "UDP rows as declared", test_verdict_pass);
	CU_add_test(s, "UDP rows that differ", test_verdict_diff);
	CU_add_test(s, "UDP rows that could not be judged",
		    test_verdict_errors);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
