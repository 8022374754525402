/* qsock: nfnetlink_queue over libmnl, with libnetfilter_queue's message
 * builders. Packet messages are parsed by hand (every attribute length-
 * checked) since only the id and the length are needed. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "log.h"
#include "qsock.h"

#define QSOCK_RBUF 65536  /* one packet message; metadata only, so small */
#define QSOCK_VBUF 16384  /* verdicts per datagram: ~500 of 32 bytes */
#define QSOCK_VMSG_MAX 64 /* room one verdict message can take */
#define QSOCK_ACK_MS 2000
/* The length is all we need, and the kernel only reports it (as
 * NFQA_CAP_LEN) when it cut the copy short: NFQNL_COPY_META sends no
 * length at all (measured on 6.18). One byte of payload does. */
#define QSOCK_COPY_RANGE 1

struct qsock {
	alignas(struct nlmsghdr) char rbuf[QSOCK_RBUF];
	alignas(struct nlmsghdr) char vbuf[QSOCK_VBUF];
	size_t vlen;
	struct mnl_socket *nl;
	unsigned int portid, seq;
	qsock_packet_cb cb;
	void *arg;
	unsigned long long verdict_errors;
	/* The request qsock_bind waits for. */
	unsigned int wait_seq;
	int wait_done, wait_err;
};

struct qsock *qsock_open(unsigned int rcvbuf, qsock_packet_cb cb, void *arg)
{
	struct qsock *q;
	int one = 1, size = (int)rcvbuf, saved;

	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cb = cb;
	q->arg = arg;
	q->nl = mnl_socket_open2(NETLINK_NETFILTER,
				 SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!q->nl)
		goto err_open;
	if (mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err_bind;
	q->portid = mnl_socket_get_portid(q->nl);
	/* A burst of SYNs or a bulk flow must not overflow the socket: a lost
	 * packet message is a packet held in the kernel with no verdict. */
	if (setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVBUFFORCE,
		       &size, sizeof(size)) < 0)
		goto err_bind;
	mnl_socket_setsockopt(q->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(q->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	return q;

err_bind:
	saved = errno;
	mnl_socket_close(q->nl);
	errno = saved;
err_open:
	saved = errno;
	free(q);
	errno = saved;
	return NULL;
}

void qsock_free(struct qsock *q)
{
	if (!q)
		return;
	/* Closing the socket unbinds every queue it holds. */
	mnl_socket_close(q->nl);
	free(q);
}

int qsock_fd(const struct qsock *q)
{
	return mnl_socket_get_fd(q->nl);
}

unsigned long long qsock_verdict_errors(const struct qsock *q)
{
	return q->verdict_errors;
}

struct qsock_pkt {
	const struct nlattr *hdr, *cap_len, *payload;
};

static int qsock_attr_cb(const struct nlattr *attr, void *data)
{
	struct qsock_pkt *p = data;

	switch (mnl_attr_get_type(attr)) {
	case NFQA_PACKET_HDR:
		if (mnl_attr_validate2(attr, MNL_TYPE_UNSPEC,
				       sizeof(struct nfqnl_msg_packet_hdr)) < 0)
			return MNL_CB_ERROR;
		p->hdr = attr;
		break;
	case NFQA_CAP_LEN:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		p->cap_len = attr;
		break;
	case NFQA_PAYLOAD:
		p->payload = attr;
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

static void qsock_packet(struct qsock *q, const struct nlmsghdr *nlh)
{
	const struct nfgenmsg *nfg;
	const struct nfqnl_msg_packet_hdr *ph;
	struct qsock_pkt p = {0};
	uint32_t len;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*nfg)) {
		log_warnx("short packet message (%u bytes)", nlh->nlmsg_len);
		return;
	}
	nfg = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*nfg), qsock_attr_cb, &p) != MNL_CB_OK ||
	    !p.hdr) {
		log_warnx("malformed packet message on queue %u",
			  ntohs(nfg->res_id));
		return;
	}
	ph = mnl_attr_get_payload(p.hdr);
	/* NFQA_CAP_LEN is there whenever the packet is longer than the copy
	 * range, i.e. always with a 1-byte range; else the payload is all. */
	if (p.cap_len)
		len = ntohl(mnl_attr_get_u32(p.cap_len));
	else if (p.payload)
		len = mnl_attr_get_payload_len(p.payload);
	else
		len = 0;
	q->cb(ntohs(nfg->res_id), ntohl(ph->packet_id), len, q->arg);
}

static void qsock_error(struct qsock *q, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
		return;
	if (q->wait_seq && err->msg.nlmsg_seq == q->wait_seq) {
		q->wait_done = 1;
		q->wait_err = err->error;
		return;
	}
	/* Verdicts carry no NLM_F_ACK: only failures come back. */
	if (err->error) {
		q->verdict_errors++;
		log_debug("verdict refused: %s", strerror(-err->error));
	}
}

/* Dispatches one datagram; returns the number of packet messages. */
static int qsock_dispatch(struct qsock *q, size_t n)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)q->rbuf;
	int len = (int)n, pkts = 0;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			qsock_error(q, nlh);
		} else if (nlh->nlmsg_type ==
			   ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET)) {
			qsock_packet(q, nlh);
			pkts++;
		}
	}
	return pkts;
}

int qsock_read(struct qsock *q, unsigned int max)
{
	unsigned int i;
	int pkts = 0;
	ssize_t n;

	for (i = 0; i < max; i++) {
		n = recv(qsock_fd(q), q->rbuf, sizeof(q->rbuf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		pkts += qsock_dispatch(q, (size_t)n);
	}
	return pkts;
}

int qsock_bind(struct qsock *q, uint16_t queue, uint32_t maxlen)
{
	alignas(struct nlmsghdr) char buf[MNL_SOCKET_BUFFER_SIZE];
	struct pollfd pfd = {.fd = qsock_fd(q), .events = POLLIN};
	struct nlmsghdr *nlh;
	int r;

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++q->seq;
	nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, NFQNL_CFG_CMD_BIND);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, QSOCK_COPY_RANGE);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, maxlen);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(0));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK,
			 htonl(NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO));

	q->wait_seq = nlh->nlmsg_seq;
	q->wait_done = 0;
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0) {
		r = -errno;
		goto out;
	}
	while (!q->wait_done) {
		r = poll(&pfd, 1, QSOCK_ACK_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			r = r < 0 ? -errno : -ETIMEDOUT;
			goto out;
		}
		r = qsock_read(q, 1);
		if (r < 0)
			goto out;
	}
	r = q->wait_err;
out:
	q->wait_seq = 0;
	return r;
}

int qsock_flush(struct qsock *q)
{
	ssize_t n;

	if (!q->vlen)
		return 0;
	do
		n = mnl_socket_sendto(q->nl, q->vbuf, q->vlen);
	while (n < 0 && errno == EINTR);
	q->vlen = 0;
	return n < 0 ? -errno : 0;
}

int qsock_verdict(struct qsock *q, uint16_t queue, uint32_t id, int verdict)
{
	struct nlmsghdr *nlh;
	int r;

	if (q->vlen + QSOCK_VMSG_MAX > sizeof(q->vbuf)) {
		r = qsock_flush(q);
		if (r)
			return r;
	}
	nlh = nfq_nlmsg_put(q->vbuf + q->vlen, NFQNL_MSG_VERDICT, queue);
	nfq_nlmsg_verdict_put(nlh, (int)id, verdict);
	q->vlen += MNL_ALIGN(nlh->nlmsg_len);
	return 0;
}
