/* pcpd: miniupnpd in the routers of a world, PCP and NAT-PMP only. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "monoclock.h"
#include "nat.h"
#include "nscall.h"
#include "pcpd.h"
#include "pcpstate.h"
#include "pcpstun.h"
#include "proc.h"
#include "rundir.h"
#include "runid.h"
#include "stun.h"

#define PCPD_READY_MS 5000

/* One router's daemon, as pcpd_router needs it. */
struct pcpd_router {
	const struct plan_nat *n;
	const char *tag;
	int fd;				 /* the router's namespace */
	char lan_addr[PLAN_ADDR];	 /* the router's, without /len */
	char lan_cidr[PLAN_ADDR];	 /* the router's, with /len */
	char conf[PATH_MAX], pid[PATH_MAX], leases[PATH_MAX];
	char table[48];
};

/* miniupnpd: PUNCHLAB_MINIUPNPD, else where Debian puts it. */
static const char *pcpd_binary(void)
{
	const char *env = getenv("PUNCHLAB_MINIUPNPD");

	if (env && env[0])
		return access(env, X_OK) == 0 ? env : NULL;
	return access("/usr/sbin/miniupnpd", X_OK) == 0 ? "/usr/sbin/miniupnpd"
							: NULL;
}

/* The address the plan puts on the router's LAN interface. */
static int pcpd_lan_addr(const struct plan *p, struct pcpd_router *r)
{
	for (int i = 0; i < p->naddrs; i++) {
		const struct plan_addr *a = &p->addrs[i];
		char *slash;

		if (a->ns != r->n->ns || strcmp(a->ifname, r->n->lan_if))
			continue;
		snprintf(r->lan_cidr, sizeof(r->lan_cidr), "%s", a->cidr);
		snprintf(r->lan_addr, sizeof(r->lan_addr), "%s", a->cidr);
		if ((slash = strchr(r->lan_addr, '/')))
			*slash = '\0';
		return 0;
	}
	return -ENOENT;
}

/* listening_ip is the LAN address with its prefix: miniupnpd 2.3.1 reads
 * a name that starts with a digit (ours: "<rid>-lan") as an address and
 * fails. No UPnP IGD (no HTTP, no SSDP), no IPv6; secure mode (a host
 * maps only itself), as OpenWrt ships it. The permission rules carry
 * [pcp] ports: a request outside it is moved to the next allowed port
 * (natpmp.c, pcpserver.c step up from the asked port). STUN: pcpstun.c
 * says why. */
static int pcpd_config(const struct pcpd_router *r, const struct pcp_conf *c)
{
	FILE *f = fopen(r->conf, "we");
	int e = 0;

	if (!f)
		return -errno;
	fprintf(f,
		"# punchlab: PCP + NAT-PMP only, router %s\n"
		"ext_ifname=%s\nlistening_ip=%s\n"
		"enable_upnp=no\nenable_natpmp=yes\nipv6_disable=yes\n"
		"secure_mode=yes\nlease_file=%s\n"
		"min_lifetime=%u\nmax_lifetime=%u\n"
		"upnp_table_name=%s\nupnp_nat_table_name=%s\n"
		"upnp_forward_chain=miniupnpd\n"
		"upnp_nat_chain=prerouting_miniupnpd\n"
		"upnp_nat_postrouting_chain=postrouting_miniupnpd\n"
		"ext_perform_stun=yes\next_stun_host=%s\next_stun_port=%d\n"
		"allow %u-%u %s 1-65535\ndeny 0-65535 0.0.0.0/0 0-65535\n",
		r->tag, r->n->wan_if, r->lan_cidr, r->leases, c->lifetime_min,
		c->lifetime_max, r->table, r->table, r->n->wan_addr, STUN_PORT,
		c->port_min, c->port_max, r->n->lan_cidr);
	if (ferror(f))
		e = -EIO;
	if (fclose(f) < 0 && !e)
		e = -errno;
	return e;
}

/* The chains miniupnpd 2.3.1 adds its rules to (names as in Debian's
 * /etc/miniupnpd/nft_init.sh), hooked at the same priorities as the
 * profile's table. Its forward accept does not override the profile's
 * reject: the profile accepts what was dnat'ed (nat.c frag_filtering).
 * The output rule keeps its announcements (sent to 224.0.0.1 from the
 * LAN socket, routed by the default route) off the WAN. */
static int pcpd_table(const struct pcpd_router *r, char *err, size_t cap)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "table inet %s {}\ndelete table inet %s\n"
		 "table inet %s {\n"
		 "\tchain forward {\n\t\ttype filter hook forward priority "
		 "filter; policy accept;\n\t\tjump miniupnpd\n\t}\n"
		 "\tchain miniupnpd {\n\t}\n"
		 "\tchain prerouting {\n\t\ttype nat hook prerouting priority "
		 "dstnat; policy accept;\n\t\tjump prerouting_miniupnpd\n\t}\n"
		 "\tchain postrouting {\n\t\ttype nat hook postrouting "
		 "priority srcnat; policy accept;\n\t\tjump "
		 "postrouting_miniupnpd\n\t}\n"
		 "\tchain prerouting_miniupnpd {\n\t}\n"
		 "\tchain postrouting_miniupnpd {\n\t}\n"
		 "\tchain output {\n\t\ttype filter hook output priority "
		 "filter; policy accept;\n\t\toifname \"%s\" udp sport %d "
		 "counter drop\n\t}\n}\n",
		 r->table, r->table, r->table, r->n->wan_if, PCPD_PORT);
	return nat_apply(r->fd, text, err, cap);
}

/* One NAT-PMP external-address request to addr (connected fd): the
 * address into ext. 0, -ETIMEDOUT, or -EPROTO for another answer. */
static int pcpd_ask(int fd, char *ext, size_t cap)
{
	static const uint8_t req[2] = { 0, 0 };
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint8_t resp[16];
	ssize_t n;

	if (send(fd, req, sizeof(req), 0) != sizeof(req))
		return -errno;
	if (poll(&p, 1, 100) <= 0)
		return -ETIMEDOUT;
	n = recv(fd, resp, sizeof(resp), 0);
	if (n < 0)
		return -errno;
	/* version 0, opcode 128, result 0, epoch, address (RFC 6886 3.2) */
	if (n < 12 || resp[0] != 0 || resp[1] != 128 || resp[2] || resp[3])
		return -EPROTO;
	return inet_ntop(AF_INET, resp + 8, ext, (socklen_t)cap) ? 0 : -EPROTO;
}

/* In the router: asks until answered or PCPD_READY_MS; prints the
 * microseconds it took and the external address answered. */
static int pcpd_ready_child(FILE *out, const void *arg)
{
	const struct pcpd_router *r = arg;
	struct sockaddr_in srv = { .sin_family = AF_INET,
				   .sin_port = htons(PCPD_PORT) };
	int64_t t0 = mono_us(), end = mono_ms() + PCPD_READY_MS;
	char ext[INET_ADDRSTRLEN] = "";
	int e = -ETIMEDOUT, fd;

	inet_pton(AF_INET, r->lan_addr, &srv.sin_addr);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&srv, sizeof(srv)) < 0)
		return errno;
	/* Refused until it listens; each ask waits 100 ms for an answer. */
	while (e < 0 && mono_ms() < end)
		if ((e = pcpd_ask(fd, ext, sizeof(ext))) < 0)
			usleep(5000);
	close(fd);
	if (e < 0) {
		fprintf(out, "NAT-PMP external address: %s", strerror(-e));
		return -e;
	}
	fprintf(out, "%lld %s", (long long)(mono_us() - t0), ext);
	return 0;
}

/* Waits for the first answer; one line to <dir>/pcpd.jsonl. */
static int pcpd_wait(const struct pcpd_router *r, const char *dir,
		     int64_t t0)
{
	char *text = NULL, ext[INET_ADDRSTRLEN + 1] = "", line[256];
	long long child_us = -1;
	size_t len;
	int e, fd;

	e = nscall(r->fd, pcpd_ready_child, r, 8192, &text, &len);
	if (e < 0) {
		fprintf(stderr,
			"punchlab run: miniupnpd in %s does not answer: %s "
			"(see %s/miniupnpd-%s.log)\n",
			r->tag, text && text[0] ? text : strerror(-e), dir,
			r->tag);
		free(text);
		return e;
	}
	if (!text || sscanf(text, "%lld %16s", &child_us, ext) != 2)
		child_us = -1;
	free(text);
	if (strcmp(ext, r->n->wan_addr)) {
		fprintf(stderr,
			"punchlab run: miniupnpd in %s answers external "
			"address '%s', not the WAN's %s\n",
			r->tag, ext, r->n->wan_addr);
		return -EPROTO;
	}
	snprintf(line, sizeof(line),
		 "{\"event\": \"ready\", \"router\": \"%s\", \"external\": "
		 "\"%s\", \"start_us\": %lld}\n",
		 r->tag, ext, (long long)(mono_us() - t0));
	fd = rundir_open(dir, "pcpd.jsonl", O_APPEND);
	if (fd >= 0) {
		proc_write_all(fd, line, strlen(line));
		close(fd);
	}
	return 0;
}

/* The daemon of router r: files, table, STUN answerer, process, answer. */
static pid_t pcpd_router(struct world *w, struct pcpd_router *r,
			 const char *bin, const char *dir, int keep)
{
	char state[PATH_MAX], log[64], nfterr[512] = "";
	char *argv[] = { (char *)bin, "-f", r->conf, "-d", "-P", r->pid, NULL };
	int64_t t0;
	pid_t pid, stun;
	int e, out;

	snprintf(state, sizeof(state), "%s/%s", RUNID_STATE_DIR, w->rid);
	snprintf(r->table, sizeof(r->table), "%s_pcp", w->table);
	if ((e = pcpd_lan_addr(w->plan, r)) < 0 ||
	    (e = pcpstate_path(r->conf, sizeof(r->conf), state, r->tag,
			       "conf")) < 0 ||
	    (e = pcpstate_path(r->pid, sizeof(r->pid), state, r->tag,
			       "pid")) < 0 ||
	    (e = pcpstate_path(r->leases, sizeof(r->leases), state, r->tag,
			       "leases")) < 0 ||
	    (e = pcpd_config(r, &r->n->profile->pcp)) < 0)
		return e;
	if ((e = pcpd_table(r, nfterr, sizeof(nfterr))) < 0) {
		fprintf(stderr, "punchlab run: table %s in %s: %s\n", r->table,
			r->tag, nfterr);
		return e;
	}
	snprintf(log, sizeof(log), "miniupnpd-%s.log", r->tag);
	if ((out = rundir_open(dir, log, O_TRUNC)) < 0)
		return out;
	stun = pcpstun_start(r->fd, r->n->wan_addr);
	if (stun < 0) {
		close(out);
		return stun;
	}
	t0 = mono_us();
	/* -d: foreground, its log on stderr (LOG_PERROR) into our file. */
	pid = keep ? proc_spawn_kept(r->fd, argv, out, out) :
		     proc_spawn(r->fd, argv, out, out);
	close(out);
	if (pid > 0)
		cleanup_pid(w->cu, pid);
	e = pid < 0 ? (int)pid : pcpd_wait(r, dir, t0);
	/* Asked at start; again only if an address of the router changed
	 * (then forwarding would be disabled), which no world does. */
	proc_stop(stun, 100);
	return e < 0 ? e : pid;
}

int pcpd_start(struct world *w, const char *dir, int keep)
{
	const struct plan *p = w->plan;
	const char *bin = NULL;
	int started = 0;

	for (int i = 0; i < p->nnats; i++) {
		struct pcpd_router r = { .n = &p->nats[i] };
		pid_t pid;

		if (r.n->profile->pcp.server == PCP_SERVER_OFF)
			continue;
		if (!bin && !(bin = pcpd_binary())) {
			fprintf(stderr,
				"punchlab run: profile %s runs a PCP server "
				"but miniupnpd is not installed "
				"(tools/deps.sh installs miniupnpd-nftables)\n",
				r.n->profile->name);
			return -ENOENT;
		}
		r.tag = p->ns[r.n->ns].tag;
		r.fd = w->hosts[r.n->ns].fd;
		pid = pcpd_router(w, &r, bin, dir, keep);
		if (pid < 0) {
			fprintf(stderr, "punchlab run: miniupnpd in %s: %s\n",
				r.tag, strerror((int)-pid));
			return (int)pid;
		}
		started++;
	}
	return started;
}
