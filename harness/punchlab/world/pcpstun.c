/* pcpstun: why a STUN answerer in the router. miniupnpd 2.3.1 refuses
 * to map (disable_port_forwarding, "Reserved / private IP address ...:
 * Port forwarding is impossible") when the WAN address is in its
 * reserved list (getifaddr.c addr_is_reserved), and that list holds all
 * three RFC 5737 blocks punchlab's WAN uses. 2.3.1 has no option to
 * accept such an address (ext_allow_private_ipv4 came later), and `-o`
 * / ext_ip with a reserved address is refused at start. What remains is
 * ext_perform_stun: the address a STUN server reports is used as is,
 * provided all four of its Bindings are answered from the server's
 * address with the local ports unchanged (upnpstun.c perform_stun).
 * coturn on charlie (stund.c, no RFC 5780) answers three of them, those
 * with a CHANGE-REQUEST, with error 420, so miniupnpd judged the NAT
 * "restrictive" and disabled forwarding (seen in a punchlab world). This
 * answerer, on the router's own WAN address, answers all four with the
 * sender's address: the router's WAN address, which is what a router
 * with a public address reports; nothing leaves the router's namespace. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pcpstun.h"
#include "proc.h"
#include "stun.h"

struct pcpstun_arg {
	const char *addr;
	int fd;
};

static int pcpstun_setup(void *arg)
{
	struct pcpstun_arg *a = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(STUN_PORT) };

	if (inet_pton(AF_INET, a->addr, &sa.sin_addr) != 1)
		return EINVAL;
	a->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (a->fd < 0 || bind(a->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return errno ? errno : EIO;
	return 0;
}

static void pcpstun_run(void *arg)
{
	struct pcpstun_arg *a = arg;
	uint8_t req[512], resp[64];

	for (;;) {
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(a->fd, req, sizeof(req), 0,
				     (struct sockaddr *)&from, &flen);
		int r;

		if (n < 0 && errno != EINTR)
			_exit(1);
		if (n <= 0 || flen != sizeof(from))
			continue;
		r = stun_binding_answer(req, (size_t)n, &from, resp,
					sizeof(resp));
		if (r > 0)
			sendto(a->fd, resp, (size_t)r, 0,
			       (struct sockaddr *)&from, flen);
	}
}

pid_t pcpstun_start(int netns_fd, const char *addr)
{
	struct pcpstun_arg a = { .addr = addr, .fd = -1 };

	return proc_fork_in(netns_fd, pcpstun_setup, pcpstun_run, &a);
}
