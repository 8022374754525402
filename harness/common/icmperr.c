/* icmperr: MSG_ERRQUEUE, the IP_RECVERR message and its offender. */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/errqueue.h>

#include "icmperr.h"

int icmperr_read(int fd, struct icmp_err *e)
{
	char cbuf[512], dummy[64];
	struct iovec iov = {.iov_base = dummy, .iov_len = sizeof(dummy)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	struct sock_extended_err ee;
	struct cmsghdr *cm;

	if (recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return 0;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		int v6 = cm->cmsg_level == IPPROTO_IPV6 &&
			 cm->cmsg_type == IPV6_RECVERR;
		size_t off;

		if (!v6 && (cm->cmsg_level != IPPROTO_IP ||
			    cm->cmsg_type != IP_RECVERR))
			continue;
		if (cm->cmsg_len < CMSG_LEN(sizeof(ee)))
			continue;
		memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
		if (ee.ee_origin != (v6 ? SO_EE_ORIGIN_ICMP6 : SO_EE_ORIGIN_ICMP))
			continue;
		memset(e, 0, sizeof(*e));
		e->type = ee.ee_type;
		e->code = ee.ee_code;
		e->err = (int)ee.ee_errno;
		/* The offender follows the extended error (SO_EE_OFFENDER). */
		off = v6 ? sizeof(e->from.sin6) : sizeof(e->from.sin);
		if (cm->cmsg_len >= CMSG_LEN(sizeof(ee) + off))
			memcpy(&e->from, CMSG_DATA(cm) + sizeof(ee), off);
		return 1;
	}
	return 0;
}
