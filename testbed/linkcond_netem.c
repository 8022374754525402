/* linkcond_netem: the netem side of linkcond, for kernels that have
 * sch_netem: one RTM_NEWQDISC built here (tc is never run) and sent
 * through rtnl from inside the namespace. */
#include <errno.h>
#include <math.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "linkcond.h"
#include "log.h"
#include "netns.h"
#include "rtnl.h"

#define LC_NETEM_DIST_SCALE 8192 /* NETEM_DIST_SCALE in sch_netem.c */
#define LC_PSCHED_SHIFT 6	 /* psched ticks are 64 ns */

/* Phi^-1(p) by bisection on erfc: slow but exact enough, and run only
 * once per table entry. */
static double linkcond_inv_normal(double p)
{
	double lo = -10.0, hi = 10.0, mid;
	int i;

	for (i = 0; i < 80; i++) {
		mid = (lo + hi) / 2;
		if (0.5 * erfc(-mid / M_SQRT2) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

void linkcond_normal_table(int16_t *table, size_t n)
{
	double x;
	size_t i;

	for (i = 0; i < n; i++) {
		x = linkcond_inv_normal(((double)i + 0.5) / (double)n) *
		    LC_NETEM_DIST_SCALE;
		if (x > INT16_MAX)
			x = INT16_MAX;
		if (x < INT16_MIN)
			x = INT16_MIN;
		table[i] = (int16_t)lround(x);
	}
}

static uint32_t linkcond_u32_sat(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

struct nlmsghdr *linkcond_netem_request(void *buf, size_t cap, uint32_t seq,
					int ifindex,
					const struct shape_spec *sp, int normal,
					uint32_t limit)
{
	/* qopt, 4 attributes of at most 16 bytes, the table: */
	size_t need = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct tcmsg)) + 64 +
		      sizeof(struct tc_netem_qopt) + 4 * 32 + MNL_ATTR_HDRLEN +
		      LINKCOND_DIST_SIZE * sizeof(int16_t);
	struct tc_netem_qopt qopt;
	struct tc_netem_rate rate;
	struct nlattr *opts;
	struct nlmsghdr *nlh;
	struct tcmsg *tcm;
	uint64_t bytes_per_s;

	if (!buf || !sp || ifindex <= 0) {
		errno = EINVAL;
		return NULL;
	}
	if (cap < need) {
		errno = ENOSPC;
		return NULL;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWQDISC;
	nlh->nlmsg_flags =
		NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	nlh->nlmsg_seq = seq;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_handle = 0; /* the kernel picks one */
	tcm->tcm_parent = TC_H_ROOT;
	mnl_attr_put_strz(nlh, TCA_KIND, "netem");

	memset(&qopt, 0, sizeof(qopt));
	qopt.limit = limit ? limit : LINKCOND_NETEM_LIMIT;
	/* Old kernels read the tick fields; new ones take the 64-bit ns
	 * attributes below, which override them. */
	qopt.latency = linkcond_u32_sat(sp->delay_ns >> LC_PSCHED_SHIFT);
	qopt.jitter = linkcond_u32_sat(sp->jitter_ns >> LC_PSCHED_SHIFT);
	qopt.loss = (uint32_t)(((uint64_t)sp->loss_ppb * UINT32_MAX +
				SHAPESPEC_LOSS_ONE / 2) /
			       SHAPESPEC_LOSS_ONE);

	/* TCA_OPTIONS of netem is not a plain nest: the qopt struct comes
	 * first, then attributes (nla_parse_nested_compat). */
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	memcpy(mnl_nlmsg_get_payload_tail(nlh), &qopt, sizeof(qopt));
	nlh->nlmsg_len += MNL_ALIGN(sizeof(qopt));
	mnl_attr_put_u64(nlh, TCA_NETEM_LATENCY64, sp->delay_ns);
	mnl_attr_put_u64(nlh, TCA_NETEM_JITTER64, sp->jitter_ns);
	if (sp->rate_kbit) {
		bytes_per_s = sp->rate_kbit * 1000 / 8;
		memset(&rate, 0, sizeof(rate));
		rate.rate = linkcond_u32_sat(bytes_per_s);
		mnl_attr_put(nlh, TCA_NETEM_RATE, sizeof(rate), &rate);
		if (bytes_per_s > UINT32_MAX)
			mnl_attr_put_u64(nlh, TCA_NETEM_RATE64, bytes_per_s);
	}
	if (normal && sp->jitter_ns) {
		int16_t *table = mnl_nlmsg_get_payload_tail(nlh);
		struct nlattr *a = (struct nlattr *)table;

		table = (int16_t *)((char *)a + MNL_ATTR_HDRLEN);
		linkcond_normal_table(table, LINKCOND_DIST_SIZE);
		a->nla_type = TCA_NETEM_DELAY_DIST;
		a->nla_len = (uint16_t)(MNL_ATTR_HDRLEN +
					LINKCOND_DIST_SIZE * sizeof(int16_t));
		nlh->nlmsg_len += MNL_ALIGN(a->nla_len);
	}
	mnl_attr_nest_end(nlh, opts);
	return nlh;
}

int linkcond_apply_netem(int netns_fd, const char *ifname,
			 const struct shape_spec *sp, int normal,
			 uint32_t limit)
{
	struct rtnl *r = NULL;
	struct nlmsghdr *nlh;
	void *buf;
	int self, ifindex, ret;

	if (netns_fd < 0 || !ifname || !sp ||
	    strnlen(ifname, IFNAMSIZ) >= IFNAMSIZ)
		return -EINVAL;
	buf = aligned_alloc(alignof(struct nlmsghdr), LINKCOND_NETEM_BUF);
	if (!buf)
		return -ENOMEM;
	self = netns_self();
	if (self < 0) {
		free(buf);
		return self;
	}
	ret = netns_enter(netns_fd);
	if (ret == 0) {
		r = rtnl_open();
		if (!r)
			ret = -errno;
		if (netns_enter(self) < 0) {
			log_warnx("linkcond: cannot return to the caller's "
				  "namespace");
			abort();
		}
	}
	close(self);
	if (ret)
		goto out;

	ifindex = rtnl_ifindex(r, ifname);
	if (ifindex < 0) {
		ret = ifindex;
		goto out;
	}
	nlh = linkcond_netem_request(buf, LINKCOND_NETEM_BUF, rtnl_seq(r),
				     ifindex, sp, normal, limit);
	ret = nlh ? rtnl_request(r, nlh) : -errno;
out:
	rtnl_free(r);
	free(buf);
	return ret;
}
