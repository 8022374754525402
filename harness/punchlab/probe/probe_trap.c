/* probe_trap: T swallows bare SYNs to its trap ports and tells where they
 * came from. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "monoclock.h"
#include "nat.h"
#include "probe_measure.h"
#include "probe_sock.h"
#include "probe_trap.h"
#include "punchlab.h"

#define PROBE_TRAP_SYN "tcp dport %d-%d tcp flags syn / fin,syn,rst,ack"

/* T drops what comes in; H1 lets only the first SYN of each connection
 * out, so a SYN_SENT timer runs from it (a retransmission would restart
 * it) while the socket stays to answer T's SYN with its own sequence
 * number (a new socket's would be out of conntrack's window: the router
 * would pass its SYN-ACK untranslated). */
int probe_trap_new(struct probe_net *n, char *why, size_t cap)
{
	const int lo = PROBE_TRAP_PORT, hi = PROBE_TRAP_PORT + PROBE_TRAP_N - 1;
	char rules[1024], err[512] = "";
	int fd, e;

	snprintf(rules, sizeof(rules),
		 "table ip %s {\n"
		 "\tchain input {\n"
		 "\t\ttype filter hook input priority filter; policy accept;\n"
		 "\t\t" PROBE_TRAP_SYN " drop\n"
		 "\t}\n"
		 "}\n",
		 n->table, lo, hi);
	e = nat_apply(n->t.fd, rules, err, sizeof(err));
	if (e < 0) {
		snprintf(why, cap, "trap rule in %s: %s", n->t.ns, err);
		return e;
	}
	snprintf(rules, sizeof(rules),
		 "table ip %s {\n"
		 "\tset sent {\n"
		 "\t\ttype inet_service . inet_service\n"
		 "\t\tflags dynamic\n"
		 "\t}\n\n"
		 "\tchain output {\n"
		 "\t\ttype filter hook output priority filter; policy accept;\n"
		 "\t\t" PROBE_TRAP_SYN " tcp sport . tcp dport @sent drop\n"
		 "\t\t" PROBE_TRAP_SYN " add @sent { tcp sport . tcp dport }\n"
		 "\t}\n"
		 "}\n",
		 n->table, lo, hi, lo, hi);
	e = nat_apply(n->h1.fd, rules, err, sizeof(err));
	if (e < 0) {
		snprintf(why, cap, "one-SYN rule in %s: %s", n->h1.ns, err);
		return e;
	}
	fd = probe_sock_packet(n->t.fd);
	if (fd < 0)
		snprintf(why, cap, "packet socket in %s: %s", n->t.ns,
			 strerror(-fd));
	return fd;
}

/* A bare SYN to tport in the IPv4 packet buf of len bytes: 1 with its
 * source, else 0. */
static int probe_trap_match(const unsigned char *buf, size_t len,
			    uint16_t tport, struct probe_ep *src)
{
	struct iphdr ip;
	struct tcphdr tcp;
	size_t hl;

	if (len < sizeof(ip))
		return 0;
	memcpy(&ip, buf, sizeof(ip));
	hl = (size_t)ip.ihl * 4;
	if (ip.version != 4 || ip.protocol != IPPROTO_TCP || hl < sizeof(ip) ||
	    len < hl + sizeof(tcp))
		return 0;
	memcpy(&tcp, buf + hl, sizeof(tcp));
	if (ntohs(tcp.dest) != tport || !tcp.syn || tcp.ack || tcp.rst ||
	    tcp.fin)
		return 0;
	src->ip = ip.saddr;
	src->port = ntohs(tcp.source);
	return 1;
}

int probe_trap_wait(int pfd, uint16_t tport, int ms, struct probe_ep *src)
{
	int64_t end = mono_ms() + ms;
	unsigned char buf[256];
	struct sockaddr_ll sll;
	socklen_t sl;
	ssize_t got;
	int e;

	for (;;) {
		sl = sizeof(sll);
		got = recvfrom(pfd, buf, sizeof(buf), MSG_DONTWAIT,
			       (struct sockaddr *)&sll, &sl);
		if (got >= 0) {
			if (sll.sll_pkttype != PACKET_OUTGOING &&
			    probe_trap_match(buf, (size_t)got, tport, src))
				return 0;
			continue;
		}
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if ((e = probe_sock_until(pfd, end)) < 0)
			return e;
	}
}

int probe_trap_syn(struct probe_net *n, int pfd, const struct probe_ep *local,
		   uint16_t tport, struct probe_ep *pub, char *why, size_t cap)
{
	struct probe_ep t = {probe_addr(PROBE_T_ADDR), tport};
	int fd, e;

	fd = probe_sock_new(n->h1.fd, local);
	e = fd < 0 ? fd : probe_sock_connect(fd, &t);
	if (e == 0)
		e = probe_trap_wait(pfd, tport, PROBE_STEP_MS, pub);
	if (e < 0) {
		snprintf(why, cap, "H1's SYN to %s:%u: %s", PROBE_T_ADDR, tport,
			 e == -ETIMEDOUT ? "T never saw it" : strerror(-e));
		if (fd >= 0)
			close(fd);
		return e;
	}
	return fd;
}
