/* fdpass: the bitcoind-import node mode — hand the punched socket to a
 * bitcoind that takes connected sockets on a unix socket
 * (-importpeersocket, natcat's "Peer Socket Import" design): one fixed
 * metadata message plus exactly one fd over SCM_RIGHTS. */
#ifndef PUNCHLAB_AGENT_FDPASS_H
#define PUNCHLAB_AGENT_FDPASS_H

#include <stdint.h>

/* struct ImportPeerSocketV1, little-endian: u32 magic "BIPS", u16
 * version 1, u8 role, u8 transport (0: v1 only), u32 flags (0). */
#define FDPASS_LEN 12
#define FDPASS_MAGIC UINT32_C(0x53504942)
#define FDPASS_VERSION 1
#define FDPASS_ROLE_RESPONDER 0 /* bitcoind makes it an inbound peer */
#define FDPASS_ROLE_INITIATOR 1 /* a manual outbound peer: speaks first */
#define FDPASS_TRANSPORT_V1 0

enum fdpass_ack {
	FDPASS_ACK_NONE,   /* nothing before the wait ended */
	FDPASS_ACK_CLOSED, /* bitcoind closed the unix connection */
	FDPASS_ACK_DATA,   /* bitcoind answered something */
};

void fdpass_encode(uint8_t out[FDPASS_LEN], uint8_t role);

/* Connects to the unix socket at path (before deadline_ns), sends the
 * metadata with fd, then waits until ack_deadline_ns for bitcoind to close
 * the unix connection or answer (*ack says which). The sender's fd stays
 * open: the caller closes it. 0 once the fd is sent; -ENAMETOOLONG,
 * -ETIMEDOUT, -EINTR (terminated) or the socket's -errno. *t_sent_ns is
 * when sendmsg returned. */
int fdpass_send(const char *path, int fd, uint8_t role, int64_t deadline_ns,
		int64_t ack_deadline_ns, enum fdpass_ack *ack,
		int64_t *t_sent_ns);

const char *fdpass_ack_name(enum fdpass_ack a);

#endif
