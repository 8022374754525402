/* rtnl: send one rtnetlink request, wait for its ACK, map the kernel's answer
 * to -errno. The socket stays in the namespace it was opened in, whatever
 * the thread does afterwards. */
#include <errno.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "log.h"
#include "nlreq.h"
#include "rtnl.h"

/* Large enough for any single-link reply; MNL_SOCKET_BUFFER_SIZE (a page at
 * most 8 KiB) is the floor the builders need. */
#define RTNL_BUF_SIZE 32768

struct rtnl {
	alignas(struct nlmsghdr) char buf[RTNL_BUF_SIZE];
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;
};

struct rtnl *rtnl_open(void)
{
	struct rtnl *r;
	int one = 1;
	int saved;

	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!r->nl)
		goto err_open;
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err_bind;
	/* Best effort: the kernel's own words ("Nexthop device required for
	 * onlink") beat a bare EINVAL, and capped ACKs stay small. */
	mnl_socket_setsockopt(r->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(r->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	r->portid = mnl_socket_get_portid(r->nl);
	r->seq = (unsigned int)time(NULL);
	return r;

err_bind:
	saved = errno;
	mnl_socket_close(r->nl);
	errno = saved;
err_open:
	saved = errno;
	free(r);
	errno = saved;
	return NULL;
}

void rtnl_free(struct rtnl *r)
{
	if (!r)
		return;
	mnl_socket_close(r->nl);
	free(r);
}

unsigned int rtnl_seq(struct rtnl *r)
{
	return ++r->seq;
}

static int rtnl_extack_attr_cb(const struct nlattr *attr, void *data)
{
	const char **msg = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*msg = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

/* libmnl's default error callback, plus the extended ACK message. */
static int rtnl_error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	const char *msg = NULL;
	size_t off;

	(void)data;
	if (len < sizeof(*err)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (err->error == 0)
		return MNL_CB_STOP;

	off = sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += mnl_nlmsg_get_payload_len(&err->msg);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && off < len)
		mnl_attr_parse(nlh, (unsigned int)off, rtnl_extack_attr_cb,
			       &msg);
	if (msg)
		log_warnx("rtnetlink: %s", msg);
	errno = err->error < 0 ? -err->error : err->error;
	return MNL_CB_ERROR;
}

/* Sends nlh and reads until its ACK or error. Replies that come before the
 * ACK (a GET answer) go to cb. */
static int rtnl_talk(struct rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb,
		     void *data)
{
	/* Only NLMSG_ERROR is overridden; higher control types (NLMSG_DONE,
	 * NLMSG_OVERRUN) fall back to libmnl's defaults. */
	static mnl_cb_t ctl[NLMSG_ERROR + 1] = {
		[NLMSG_ERROR] = rtnl_error_cb,
	};
	unsigned int seq = nlh->nlmsg_seq;
	int ret = MNL_CB_OK;
	ssize_t n;

	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(r->nl, r->buf, sizeof(r->buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		errno = 0;
		ret = mnl_cb_run2(r->buf, (size_t)n, seq, r->portid, cb, data,
				  ctl, NLMSG_ERROR + 1);
	} while (ret > MNL_CB_STOP);
	if (ret < 0)
		return errno ? -errno : -EIO;
	return 0;
}

int rtnl_request(struct rtnl *r, struct nlmsghdr *nlh)
{
	if (!r || !nlh)
		return -EINVAL;
	return rtnl_talk(r, nlh, NULL, NULL);
}

struct rtnl_link_query {
	const char *name;
	int ifindex;
};

static int rtnl_link_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	/* Attributes newer than our headers are skipped, not fatal. */
	if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		break;
	default:
		return MNL_CB_OK;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

static int rtnl_link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	struct rtnl_link_query *q = data;
	const struct ifinfomsg *ifm;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	ifm = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*ifm), rtnl_link_attr_cb, tb) !=
	    MNL_CB_OK)
		return MNL_CB_ERROR;
	if (tb[IFLA_IFNAME] && ifm->ifi_index > 0 &&
	    strcmp(mnl_attr_get_str(tb[IFLA_IFNAME]), q->name) == 0)
		q->ifindex = ifm->ifi_index;
	return MNL_CB_OK;
}

int rtnl_ifindex(struct rtnl *r, const char *name)
{
	struct rtnl_link_query q = { .name = name, .ifindex = 0 };
	struct nlmsghdr *nlh;
	int ret;

	if (!r)
		return -EINVAL;
	nlh = nlreq_link_get(r->buf, rtnl_seq(r), name);
	if (!nlh)
		return -errno;
	ret = rtnl_talk(r, nlh, rtnl_link_cb, &q);
	if (ret < 0)
		return ret;
	return q.ifindex > 0 ? q.ifindex : -ENODEV;
}
