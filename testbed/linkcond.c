/* linkcond: choosing the mechanism, and the NFQUEUE rules. The rules are
 * hand-built nftnl messages, unlike the NAT rules (nftables text): nft's
 * text has no way to name an xtables target, and the NFQUEUE target
 * through nft_compat is the only queueing this kernel accepts. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>

#include "linkcond.h"
#include "log.h"
#include "netns.h"
#include "runid.h"

/* nft_compat refuses xtables targets in inet tables (only ip, ip6, arp
 * and bridge have them): a dual-stack world's IPv6 packets get the same
 * rules in an ip6 table (linkcond_apply_match6). */
#define LC_FAMILY NFPROTO_IPV4
#define LC_BUF 8192
#define LC_NFQ_REV 3 /* struct xt_NFQ_info_v3 */

const char *linkcond_method_name(int method)
{
	switch (method) {
	case LINKCOND_NETEM:
		return "netem";
	case LINKCOND_NFQUEUE:
		return "nfqueue";
	default:
		return "none";
	}
}

/* Child: a fresh namespace, where creating a netem qdisc on lo touches
 * nothing of anyone's. Exit 0 = netem works, 1 = the kernel does not know
 * netem (ENOENT), 2 = no probe possible, 3 = refused otherwise. */
static void linkcond_probe_child(void)
{
	struct shape_spec sp = {.delay_ns = 1000000};
	int nul, self;

	nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (nul >= 0)
		dup2(nul, 2); /* the kernel's refusal is expected here */
	if (unshare(CLONE_NEWNET) < 0)
		_exit(2);
	self = netns_self();
	if (self < 0)
		_exit(2);
	switch (linkcond_apply_netem(self, "lo", &sp, 0, 0)) {
	case 0:
		_exit(0);
	case -ENOENT:
		_exit(1);
	default:
		_exit(3);
	}
}

int linkcond_method(void)
{
	static int cached;
	const char *env = getenv(LINKCOND_ENV);
	int status;
	pid_t pid;

	if (env && !strcmp(env, "netem"))
		return LINKCOND_NETEM;
	if (env && !strcmp(env, "nfqueue"))
		return LINKCOND_NFQUEUE;
	if (cached)
		return cached;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		linkcond_probe_child();
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 2)
		return -EPERM;
	/* A netem that exists but refused our request is a bug here, not a
	 * reason to stop: the NFQUEUE path works on any kernel. */
	if (WEXITSTATUS(status) == 3)
		log_warnx("linkcond: netem probe failed unexpectedly; using "
			  "nfqueue");
	cached = WEXITSTATUS(status) == 0 ? LINKCOND_NETEM : LINKCOND_NFQUEUE;
	return cached;
}

/* A netfilter socket in netns_fd; the thread comes back home. */
static struct mnl_socket *linkcond_socket_in(int netns_fd)
{
	struct mnl_socket *nl = NULL;
	int self, saved = 0;

	self = netns_self();
	if (self < 0) {
		errno = -self;
		return NULL;
	}
	if (netns_enter(netns_fd) == 0) {
		nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
		if (nl && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
			saved = errno;
			mnl_socket_close(nl);
			nl = NULL;
		} else if (!nl) {
			saved = errno;
		}
		if (netns_enter(self) < 0) {
			log_warnx("linkcond: cannot return to the caller's "
				  "namespace");
			abort();
		}
	} else {
		saved = EINVAL;
	}
	close(self);
	if (!nl)
		errno = saved ? saved : EIO;
	return nl;
}

static int linkcond_extack_cb(const struct nlattr *attr, void *data)
{
	const char **msg = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*msg = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

/* Sends a batch holding nacks messages with NLM_F_ACK and reads until each
 * has its answer. 0 or the first error. */
static int linkcond_talk(struct mnl_socket *nl, const void *batch, size_t len,
			 int nacks)
{
	alignas(struct nlmsghdr) char buf[LC_BUF];
	unsigned int portid = mnl_socket_get_portid(nl);
	const struct nlmsghdr *nlh;
	const struct nlmsgerr *err;
	const char *msg;
	int first = 0, n;
	ssize_t r;

	if (mnl_socket_sendto(nl, batch, len) < 0)
		return -errno;
	while (nacks > 0) {
		r = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		n = (int)r;
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n)) {
			if (nlh->nlmsg_pid != portid ||
			    nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
				return -EBADMSG;
			err = mnl_nlmsg_get_payload(nlh);
			nacks--;
			if (!err->error)
				continue;
			msg = NULL;
			if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
				size_t off = sizeof(*err);

				if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
					off += mnl_nlmsg_get_payload_len(
						&err->msg);
				if (off < mnl_nlmsg_get_payload_len(nlh))
					mnl_attr_parse(nlh, (unsigned int)off,
						       linkcond_extack_cb,
						       &msg);
			}
			if (msg)
				log_warnx("nf_tables: %s", msg);
			if (!first)
				first = err->error;
			/* The batch was aborted: nothing else will come. */
			return first;
		}
	}
	return first;
}

static int linkcond_table_name(const char *rid, char *out, size_t cap)
{
	if (!rid || !runid_valid(rid))
		return -EINVAL;
	snprintf(out, cap, LINKCOND_TABLE_PREFIX "%s", rid);
	return 0;
}

static struct nftnl_expr *linkcond_expr_ifname(struct nftnl_rule *r,
					       enum linkcond_dir dir,
					       const char *ifname)
{
	char name[IFNAMSIZ] = {0};
	struct nftnl_expr *e;

	/* Like nft's oifname "x": the whole 16 bytes, NUL padded, so "wan"
	 * does not match "wan0". */
	memcpy(name, ifname, strlen(ifname));
	e = nftnl_expr_alloc("meta");
	if (!e)
		return NULL;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY,
			   dir == LINKCOND_INGRESS ? NFT_META_IIFNAME
						   : NFT_META_OIFNAME);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, e);
	e = nftnl_expr_alloc("cmp");
	if (!e)
		return NULL;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, name, sizeof(name));
	nftnl_rule_add_expr(r, e);
	return e;
}

static struct nftnl_expr *linkcond_expr_nfqueue(struct nftnl_rule *r,
						int queue_num)
{
	struct xt_NFQ_info_v3 *info;
	struct nftnl_expr *e;
	/* nft_compat wants the target's size rounded as xtables does. */
	size_t len = XT_ALIGN(sizeof(*info));

	e = nftnl_expr_alloc("target");
	if (!e)
		return NULL;
	/* The expression takes ownership of info. */
	info = calloc(1, len);
	if (!info) {
		nftnl_expr_free(e);
		return NULL;
	}
	info->queuenum = (uint16_t)queue_num;
	info->queues_total = 1;
	info->flags = 0; /* no bypass: see linkcond.h */
	nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "NFQUEUE");
	nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, LC_NFQ_REV);
	nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, info, (uint32_t)len);
	nftnl_rule_add_expr(r, e);
	return e;
}

/* The table, the forward chain and one rule queueing packets of the path
 * (iifname and/or oifname) to queue_num. 0 or -ENOMEM. */
static int match_objects(uint32_t fam, const char *table,
			 const char *iifname, const char *oifname,
			 int queue_num, struct nftnl_table **t,
			 struct nftnl_chain **c, struct nftnl_rule **r)
{
	*t = nftnl_table_alloc();
	*c = nftnl_chain_alloc();
	*r = nftnl_rule_alloc();
	if (!*t || !*c || !*r)
		return -ENOMEM;
	nftnl_table_set_u32(*t, NFTNL_TABLE_FAMILY, fam);
	nftnl_table_set_str(*t, NFTNL_TABLE_NAME, table);

	nftnl_chain_set_u32(*c, NFTNL_CHAIN_FAMILY, fam);
	nftnl_chain_set_str(*c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(*c, NFTNL_CHAIN_NAME, LINKCOND_CHAIN);
	nftnl_chain_set_str(*c, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_u32(*c, NFTNL_CHAIN_HOOKNUM, NF_INET_FORWARD);
	nftnl_chain_set_s32(*c, NFTNL_CHAIN_PRIO, 0);
	nftnl_chain_set_u32(*c, NFTNL_CHAIN_POLICY, NF_ACCEPT);

	nftnl_rule_set_u32(*r, NFTNL_RULE_FAMILY, fam);
	nftnl_rule_set_str(*r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(*r, NFTNL_RULE_CHAIN, LINKCOND_CHAIN);
	if ((iifname &&
	     !linkcond_expr_ifname(*r, LINKCOND_INGRESS, iifname)) ||
	    (oifname &&
	     !linkcond_expr_ifname(*r, LINKCOND_EGRESS, oifname)) ||
	    !linkcond_expr_nfqueue(*r, queue_num))
		return -ENOMEM;
	return 0;
}

/* Table, chain and rule in one batch: all or nothing. Table and chain
 * without NLM_F_EXCL, so a second interface reuses them. */
static struct mnl_nlmsg_batch *match_batch(uint32_t fam, char *buf,
					   size_t cap,
					   const struct nftnl_table *t,
					   const struct nftnl_chain *c,
					   struct nftnl_rule *r)
{
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, cap);
	uint32_t seq = (uint32_t)time(NULL);
	struct nlmsghdr *nlh;

	nftnl_batch_begin(mnl_nlmsg_batch_current(b), seq++);
	mnl_nlmsg_batch_next(b);
	nlh = nftnl_table_nlmsg_build_hdr(mnl_nlmsg_batch_current(b),
					  NFT_MSG_NEWTABLE, fam,
					  NLM_F_CREATE | NLM_F_ACK, seq++);
	nftnl_table_nlmsg_build_payload(nlh, t);
	mnl_nlmsg_batch_next(b);
	nlh = nftnl_chain_nlmsg_build_hdr(mnl_nlmsg_batch_current(b),
					  NFT_MSG_NEWCHAIN, fam,
					  NLM_F_CREATE | NLM_F_ACK, seq++);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	mnl_nlmsg_batch_next(b);
	nlh = nftnl_rule_nlmsg_build_hdr(
		mnl_nlmsg_batch_current(b), NFT_MSG_NEWRULE, fam,
		NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, seq++);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	mnl_nlmsg_batch_next(b);
	nftnl_batch_end(mnl_nlmsg_batch_current(b), seq++);
	if (!mnl_nlmsg_batch_next(b)) {
		mnl_nlmsg_batch_stop(b);
		return NULL;
	}
	return b;
}

static int linkcond_match_fam(uint32_t fam, int netns_fd, const char *rid,
			      const char *iifname, const char *oifname,
			      int queue_num)
{
	alignas(struct nlmsghdr) char buf[LC_BUF];
	const char *ifname = oifname ? oifname : iifname;
	struct nftnl_table *t = NULL;
	struct nftnl_chain *c = NULL;
	struct nftnl_rule *r = NULL;
	struct mnl_nlmsg_batch *b = NULL;
	struct mnl_socket *nl = NULL;
	char table[64];
	int ret;

	if (netns_fd < 0 || !ifname || queue_num < 0 ||
	    queue_num > SHAPESPEC_MAX_QUEUE)
		return -EINVAL;
	if ((iifname && (!*iifname || strnlen(iifname, IFNAMSIZ) >= IFNAMSIZ)) ||
	    (oifname && (!*oifname || strnlen(oifname, IFNAMSIZ) >= IFNAMSIZ)))
		return -EINVAL;
	ret = linkcond_table_name(rid, table, sizeof(table));
	if (ret)
		return ret;
	ret = match_objects(fam, table, iifname, oifname, queue_num, &t, &c,
			    &r);
	if (ret < 0)
		goto out;
	b = match_batch(fam, buf, sizeof(buf), t, c, r);
	if (!b) {
		ret = -ENOSPC;
		goto out;
	}
	nl = linkcond_socket_in(netns_fd);
	if (!nl) {
		ret = -errno;
		goto out;
	}
	ret = linkcond_talk(nl, mnl_nlmsg_batch_head(b),
			    mnl_nlmsg_batch_size(b), 3);
	if (ret)
		log_warnx("linkcond: queue rule for %s (queue %d) in %s: %s",
			  ifname, queue_num, table, strerror(-ret));
out:
	if (nl)
		mnl_socket_close(nl);
	if (b)
		mnl_nlmsg_batch_stop(b);
	nftnl_rule_free(r);
	nftnl_chain_free(c);
	nftnl_table_free(t);
	return ret;
}

int linkcond_apply_match(int netns_fd, const char *rid, const char *iifname,
			 const char *oifname, int queue_num)
{
	return linkcond_match_fam(LC_FAMILY, netns_fd, rid, iifname, oifname,
				  queue_num);
}

int linkcond_apply_match6(int netns_fd, const char *rid, const char *iifname,
			  const char *oifname, int queue_num)
{
	return linkcond_match_fam(NFPROTO_IPV6, netns_fd, rid, iifname,
				  oifname, queue_num);
}

int linkcond_apply_dir(int netns_fd, const char *rid, const char *ifname,
		       enum linkcond_dir dir, int queue_num)
{
	if (!ifname || (dir != LINKCOND_EGRESS && dir != LINKCOND_INGRESS))
		return -EINVAL;
	return linkcond_apply_match(netns_fd, rid,
				    dir == LINKCOND_INGRESS ? ifname : NULL,
				    dir == LINKCOND_EGRESS ? ifname : NULL,
				    queue_num);
}

int linkcond_apply(int netns_fd, const char *rid, const char *ifname,
		   int queue_num)
{
	return linkcond_apply_dir(netns_fd, rid, ifname, LINKCOND_EGRESS,
				  queue_num);
}

int linkcond_remove(int netns_fd, const char *rid)
{
	alignas(struct nlmsghdr) char buf[LC_BUF];
	struct mnl_nlmsg_batch *b;
	struct mnl_socket *nl;
	struct nftnl_table *t;
	struct nlmsghdr *nlh;
	uint32_t seq = (uint32_t)time(NULL);
	char table[64];
	int ret;

	if (netns_fd < 0)
		return -EINVAL;
	ret = linkcond_table_name(rid, table, sizeof(table));
	if (ret)
		return ret;
	t = nftnl_table_alloc();
	if (!t)
		return -ENOMEM;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, LC_FAMILY);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	b = mnl_nlmsg_batch_start(buf, sizeof(buf));
	nftnl_batch_begin(mnl_nlmsg_batch_current(b), seq++);
	mnl_nlmsg_batch_next(b);
	nlh = nftnl_table_nlmsg_build_hdr(mnl_nlmsg_batch_current(b),
					  NFT_MSG_DELTABLE, LC_FAMILY,
					  NLM_F_ACK, seq++);
	nftnl_table_nlmsg_build_payload(nlh, t);
	mnl_nlmsg_batch_next(b);
	nftnl_batch_end(mnl_nlmsg_batch_current(b), seq++);
	mnl_nlmsg_batch_next(b);

	nl = linkcond_socket_in(netns_fd);
	if (!nl) {
		ret = -errno;
	} else {
		ret = linkcond_talk(nl, mnl_nlmsg_batch_head(b),
				    mnl_nlmsg_batch_size(b), 1);
		mnl_socket_close(nl);
	}
	mnl_nlmsg_batch_stop(b);
	nftnl_table_free(t);
	return ret;
}
