/* coordprobe: the probe connection. Its close by the coordinator is the
 * acknowledgement: the real registration leaves only after it, so the
 * coordinator has always noted the probe when the registration comes. */
#include <errno.h>
#include <unistd.h>

#include "coordmsg.h"
#include "coordprobe.h"
#include "log.h"
#include "outcome.h"
#include "msgio.h"
#include "node.h"
#include "sock.h"

static int coordprobe_talk(int fd, const union addr6 *to,
			   uint32_t magic, uint64_t key, int64_t deadline_ns)
{
	struct node_params np = {
		.role = NODE_OUTBOUND,
		.want_services = COORD_SERVICE_BIT,
	};
	struct coord_register reg = {
		.proto = COORD_PROTO,
		.key = key,
		.flags = COORD_REG_PROBE,
	};
	uint8_t buf[COORD_REGISTER_FLAGS_LEN];
	const uint8_t *payload;
	struct node_peer peer;
	struct p2p_hdr h;
	struct msgio *m;
	char why[160];
	int r, len;

	m = msgio_new(fd, magic, NODE_MAX_PAYLOAD);
	if (!m)
		return -errno;
	r = node_random_u64(&np.nonce);
	if (r)
		goto out;
	p2p_netaddr_from_sockaddr(&np.peer, &to->sa);
	r = node_handshake(m, &np, &peer, deadline_ns, why, sizeof(why));
	if (r) {
		log_warnx("probe handshake: %s", why);
		goto out;
	}
	len = coord_register_encode(buf, sizeof(buf), &reg);
	r = len < 0 ? len
		    : msgio_send(m, COORD_CMD_REGISTER, buf, (size_t)len,
				 deadline_ns);
	/* Anything until the close (a ping, say) is not for a probe. */
	while (!r)
		r = msgio_recv(m, &h, &payload, deadline_ns);
	if (r == -EPIPE)
		r = 0;
out:
	msgio_free(m);
	return r;
}

int coordprobe_run(const union addr6 *coord, uint16_t local_port,
		   uint32_t magic, uint64_t key, int64_t deadline_ns)
{
	union addr6 to = *coord;
	int fd, r;

	addr6_set_port(&to, (uint16_t)(addr6_port(coord) +
				       COORD_PROBE_PORT_OFFSET));
	fd = sock_bound_af(to.sa.sa_family, local_port);
	if (fd < 0)
		return fd;
	r = sock_connect(fd, &to.sa, addr6_len(&to));
	if (r == -EINPROGRESS)
		r = sock_wait_connect(fd, deadline_ns);
	if (!r)
		r = coordprobe_talk(fd, &to, magic, key, deadline_ns);
	close(fd);
	if (r)
		log_warnx("probe from port %u: %s: no port delta", local_port,
			  outcome_errstr(r));
	else
		log_debug("probe from port %u noted", local_port);
	return r;
}
