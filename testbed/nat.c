/* nat: a NAT profile rendered as nftables text, one fragment per profile
 * key, and loaded or read through libnftables in a child that has entered
 * the router's namespace (nft_ctx_new binds to the current one). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <nftables/libnftables.h>

#include "log.h"
#include "nat.h"

/* Chains a fragment can add rules to; a chain without rules is left out. */
enum nat_chain {
	NAT_CH_PREROUTING,
	NAT_CH_POSTROUTING,
	NAT_CH_INPUT,
	NAT_CH_FORWARD,
	NAT_CH_OUTPUT,
	NAT_CH_N
};

static const struct {
	const char *name, *type, *prio;
} nat_chains[NAT_CH_N] = {
    [NAT_CH_PREROUTING] = {"prerouting", "nat", "dstnat"},
    [NAT_CH_POSTROUTING] = {"postrouting", "nat", "srcnat"},
    /* filter priority: ct timeout only takes effect from here on. */
    [NAT_CH_INPUT] = {"input", "filter", "filter"},
    [NAT_CH_FORWARD] = {"forward", "filter", "filter"},
    [NAT_CH_OUTPUT] = {"output", "filter", "filter"},
};

struct nat_text {
	char *buf;
	size_t cap, len;
	int full;
};

struct nat_build {
	const struct nat_profile *p;
	const struct nat_ifaces *ifc;
	struct nat_text obj; /* named objects: counters, ct timeout */
	struct nat_text chain[NAT_CH_N];
	char objbuf[2048];
	char chainbuf[NAT_CH_N][2048];
	char *why;
	size_t why_cap;
};

static void nat_vput(struct nat_text *t, const char *fmt, va_list ap)
{
	int r;

	if (t->full)
		return;
	r = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	if (r < 0 || (size_t)r >= t->cap - t->len) {
		t->full = 1;
		return;
	}
	t->len += (size_t)r;
}

static void nat_put(struct nat_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void nat_put(struct nat_text *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nat_vput(t, fmt, ap);
	va_end(ap);
}

static void nat_rule(struct nat_build *b, enum nat_chain ch, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));
static void nat_rule(struct nat_build *b, enum nat_chain ch, const char *fmt,
		     ...)
{
	va_list ap;

	nat_put(&b->chain[ch], "\t\t");
	va_start(ap, fmt);
	nat_vput(&b->chain[ch], fmt, ap);
	va_end(ap);
	nat_put(&b->chain[ch], "\n");
}

static int nat_notsup(struct nat_build *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int nat_notsup(struct nat_build *b, const char *fmt, ...)
{
	va_list ap;

	if (b->why && b->why_cap) {
		va_start(ap, fmt);
		vsnprintf(b->why, b->why_cap, fmt, ap);
		va_end(ap);
	}
	return -ENOTSUP;
}

/* --- fragments: one per profile key, each adds objects and rules --- */

/* Read by nat_counter and the harness whatever the profile. */
static int frag_counters(struct nat_build *b)
{
	nat_put(&b->obj, "\tcounter syn_dropped {\n\t}\n\n");
	nat_put(&b->obj, "\tcounter rst_sent {\n\t}\n\n");
	/* Every RST the router itself sends toward the WAN, from its stack
	 * or from a reject rule (both leave through the output hook). */
	nat_rule(b, NAT_CH_OUTPUT,
		 "oifname \"%s\" tcp flags & rst == rst counter name "
		 "\"rst_sent\"",
		 b->ifc->wan);
	return 0;
}

static int frag_mapping(struct nat_build *b)
{
	const struct nat_profile *p = b->p;
	const struct nat_ifaces *ifc = b->ifc;

	if (p->mapping == NAT_MAP_EIM && p->ports == NAT_PORTS_PRESERVE) {
		/* The kernel keeps the source port when it is free and reuses
		 * the mapping for every destination: EIM. */
		nat_rule(b, NAT_CH_POSTROUTING,
			 "oifname \"%s\" ip saddr %s snat to %s", ifc->wan,
			 ifc->lan_cidr, ifc->wan_addr);
		return 0;
	}
	if (p->mapping == NAT_MAP_APDM && p->ports == NAT_PORTS_RANDOM) {
		/* fully-random draws a new port per connection: symmetric.
		 * A port range needs a transport protocol; the second rule
		 * translates the rest (ICMP) so nothing leaks untranslated. */
		nat_rule(b, NAT_CH_POSTROUTING,
			 "oifname \"%s\" ip saddr %s meta l4proto { tcp, udp } "
			 "snat to %s:%u-%u fully-random",
			 ifc->wan, ifc->lan_cidr, ifc->wan_addr, p->port_min,
			 p->port_max);
		nat_rule(b, NAT_CH_POSTROUTING,
			 "oifname \"%s\" ip saddr %s snat to %s fully-random",
			 ifc->wan, ifc->lan_cidr, ifc->wan_addr);
		return 0;
	}
	if (p->mapping == NAT_MAP_EIM || p->mapping == NAT_MAP_APDM)
		return nat_notsup(b,
				  "mapping %s with port_assignment %s is not "
				  "implemented yet",
				  profile_mapping_str(p->mapping),
				  profile_ports_str(p->ports));
	return nat_notsup(b, "mapping %s is not implemented yet",
			  profile_mapping_str(p->mapping));
}

/* What happens to an inbound SYN that matches no mapping. It reaches the
 * router's own address (input) or, routed to a LAN address, forward. */
static int frag_unsolicited_syn(struct nat_build *b)
{
	static const char *const verdict[] = {
	    [NAT_SYN_DROP] = "drop",
	    [NAT_SYN_RST] = "reject with tcp reset",
	    [NAT_SYN_ICMP] = "reject with icmp type port-unreachable",
	};
	static const enum nat_chain paths[] = {NAT_CH_INPUT, NAT_CH_FORWARD};
	enum nat_syn s = b->p->unsolicited_syn;
	size_t i;

	if ((unsigned int)s >= sizeof(verdict) / sizeof(*verdict))
		return nat_notsup(
		    b, "unsolicited_syn %d is not implemented yet", (int)s);
	for (i = 0; i < sizeof(paths) / sizeof(*paths); i++)
		nat_rule(b, paths[i],
			 "iifname \"%s\" tcp flags syn / fin,syn,rst,ack ct "
			 "state new counter name \"syn_dropped\" %s",
			 b->ifc->wan, verdict[s]);
	return 0;
}

static int frag_filtering(struct nat_build *b)
{
	if (b->p->filtering != NAT_FILTER_APDF)
		return nat_notsup(b, "filtering %s is not implemented yet",
				  profile_filter_str(b->p->filtering));
	/* Conntrack alone admits only replies from the exact remote
	 * address and port; this drops whatever else is routed inward. */
	nat_rule(b, NAT_CH_FORWARD, "iifname \"%s\" ct state new drop",
		 b->ifc->wan);
	return 0;
}

static int frag_hairpin(struct nat_build *b)
{
	if (b->p->hairpin)
		return nat_notsup(b, "hairpinning on is not implemented yet");
	return 0;
}

static int frag_timeouts(struct nat_build *b)
{
	const struct nat_profile *p = b->p;
	static const char *const transitory[] = {
	    "syn_recv", "fin_wait", "close_wait", "last_ack", "time_wait"};
	const char *sep = "";
	size_t i;

	if (!p->timeout_syn_sent && !p->timeout_established &&
	    !p->timeout_transitory)
		return 0;
	nat_put(&b->obj, "\tct timeout tcp_timeouts {\n"
			 "\t\tprotocol tcp\n"
			 "\t\tl3proto ip\n"
			 "\t\tpolicy = { ");
	/* syn_sent2 is the same wait after a crossing SYN (simultaneous
	 * open), the state a punched connection passes through. */
	if (p->timeout_syn_sent) {
		nat_put(&b->obj, "syn_sent : %u, syn_sent2 : %u",
			p->timeout_syn_sent, p->timeout_syn_sent);
		sep = ", ";
	}
	if (p->timeout_established) {
		nat_put(&b->obj, "%sestablished : %u", sep,
			p->timeout_established);
		sep = ", ";
	}
	for (i = 0; p->timeout_transitory && i < 5; i++) {
		nat_put(&b->obj, "%s%s : %u", sep, transitory[i],
			p->timeout_transitory);
		sep = ", ";
	}
	nat_put(&b->obj, " }\n\t}\n\n");
	nat_rule(b, NAT_CH_FORWARD,
		 "iifname \"%s\" meta l4proto tcp ct state new ct timeout set "
		 "\"tcp_timeouts\"",
		 b->ifc->lan);
	return 0;
}

/* Adding a behaviour means adding a fragment here; the order is the
 * order of rules within each chain. */
static int (*const nat_fragments[])(struct nat_build *b) = {
    frag_counters,  frag_mapping, frag_unsolicited_syn,
    frag_filtering, frag_hairpin, frag_timeouts,
};

/* --- input checks: everything below is pasted into nft text --- */

static int nat_name_ok(const char *s, size_t max, const char *extra)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n > max)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return 0;
	return 1;
}

static int nat_cidr_ok(const char *s)
{
	char addr[INET_ADDRSTRLEN];
	struct in_addr a;
	const char *slash = s ? strchr(s, '/') : NULL;
	char *end;
	long len;

	if (!slash || (size_t)(slash - s) >= sizeof(addr))
		return 0;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (inet_pton(AF_INET, addr, &a) != 1 ||
	    !isdigit((unsigned char)slash[1]))
		return 0;
	len = strtol(slash + 1, &end, 10);
	return !*end && len >= 0 && len <= 32;
}

static int nat_ifaces_ok(const struct nat_ifaces *ifc, char *why,
			 size_t why_cap)
{
	struct in_addr a;
	const char *bad = NULL;

	if (!nat_name_ok(ifc->table, 63, "_"))
		bad = "table name (1..63 of A-Z a-z 0-9 _)";
	else if (!nat_name_ok(ifc->wan, 15, "_.-"))
		bad = "WAN interface name";
	else if (!nat_name_ok(ifc->lan, 15, "_.-"))
		bad = "LAN interface name";
	else if (!ifc->wan_addr || strlen(ifc->wan_addr) >= INET_ADDRSTRLEN ||
		 inet_pton(AF_INET, ifc->wan_addr, &a) != 1)
		bad = "WAN address";
	else if (!nat_cidr_ok(ifc->lan_cidr))
		bad = "LAN prefix";
	if (!bad)
		return 0;
	if (why && why_cap)
		snprintf(why, why_cap, "invalid %s", bad);
	return -EINVAL;
}

int nat_render(const struct nat_profile *p, const struct nat_ifaces *ifc,
	       char *buf, size_t cap, char *why, size_t why_cap)
{
	struct nat_build *b;
	struct nat_text out = {.buf = buf, .cap = cap};
	size_t i;
	int e;

	if (why && why_cap)
		why[0] = '\0';
	if ((e = nat_ifaces_ok(ifc, why, why_cap)) < 0)
		return e;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->p = p;
	b->ifc = ifc;
	b->why = why;
	b->why_cap = why_cap;
	b->obj = (struct nat_text){.buf = b->objbuf, .cap = sizeof(b->objbuf)};
	for (i = 0; i < NAT_CH_N; i++)
		b->chain[i] = (struct nat_text){.buf = b->chainbuf[i],
						.cap = sizeof(b->chainbuf[i])};
	for (i = 0; i < sizeof(nat_fragments) / sizeof(*nat_fragments); i++)
		if ((e = nat_fragments[i](b)) < 0)
			goto out;

	/* Add (a no-op if present), delete, define: one transaction that
	 * replaces the whole table, so loading twice gives the same state. */
	nat_put(&out,
		"# punchlab NAT profile %s: mapping %s, ports %s, "
		"filtering %s, unsolicited_syn %s\n",
		p->name, profile_mapping_str(p->mapping),
		profile_ports_str(p->ports), profile_filter_str(p->filtering),
		profile_syn_str(p->unsolicited_syn));
	nat_put(&out, "table ip %s {}\ndelete table ip %s\ntable ip %s {\n",
		ifc->table, ifc->table, ifc->table);
	nat_put(&out, "%.*s", (int)b->obj.len, b->obj.buf);
	for (i = 0; i < NAT_CH_N; i++) {
		if (!b->chain[i].len)
			continue;
		nat_put(&out,
			"\tchain %s {\n"
			"\t\ttype %s hook %s priority %s; policy accept;\n"
			"%.*s\t}\n\n",
			nat_chains[i].name, nat_chains[i].type,
			nat_chains[i].name, nat_chains[i].prio,
			(int)b->chain[i].len, b->chain[i].buf);
	}
	/* Drop the blank line after the last block. */
	if (!out.full && out.len >= 2 && buf[out.len - 2] == '\n')
		out.len--;
	nat_put(&out, "}\n");

	e = -ENOSPC;
	if (out.full || b->obj.full)
		goto out;
	for (i = 0; i < NAT_CH_N; i++)
		if (b->chain[i].full)
			goto out;
	e = (int)out.len;
out:
	if (e == -ENOSPC && why && why_cap)
		snprintf(why, why_cap, "ruleset does not fit in %zu bytes",
			 cap);
	free(b);
	return e;
}

/* --- running libnftables inside the router's namespace --- */

static int nat_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t w;

	while (len) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The child: enter the namespace, run cmd, send "status, text" up the
 * pipe (status 0 with nft's output, or an errno with the error text). */
static void nat_child(int fd, int netns_fd, const char *cmd, unsigned int flags)
{
	struct nft_ctx *nft = NULL;
	const char *text = "";
	int status = 0;

	if (setns(netns_fd, CLONE_NEWNET) < 0) {
		status = errno;
		text = "setns into the router namespace failed";
		goto out;
	}
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft || nft_ctx_buffer_output(nft) || nft_ctx_buffer_error(nft)) {
		status = ENOMEM;
		text = "cannot set up libnftables";
		goto out;
	}
	nft_ctx_output_set_flags(nft, flags);
	if (nft_run_cmd_from_buffer(nft, cmd) != 0) {
		status = EPROTO;
		text = nft_ctx_get_error_buffer(nft);
	} else {
		text = nft_ctx_get_output_buffer(nft);
	}
out:
	if (!text)
		text = "";
	if (nat_write_all(fd, &status, sizeof(status)) < 0 ||
	    nat_write_all(fd, text, strlen(text)) < 0)
		status = EIO;
	_exit(status ? 1 : 0);
}

/* Runs cmd in netns_fd's namespace. 0 with nft's output in out, or
 * -errno with the error text in out (out may be NULL). */
static int nat_run(int netns_fd, const char *cmd, unsigned int flags, char *out,
		   size_t cap)
{
	char sink[256];
	size_t got = 0, hdr = 0;
	int fds[2], status = 0, wst, ret;
	ssize_t r;
	pid_t pid;

	if (!out || !cap) {
		out = sink;
		cap = sizeof(sink);
	}
	out[0] = '\0';
	if (netns_fd < 0)
		return -EBADF;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (pid == 0) {
		close(fds[0]);
		nat_child(fds[1], netns_fd, cmd, flags);
	}
	close(fds[1]);
	/* Read to EOF: the status word, then text (the tail that does not
	 * fit in out is drained so the child never blocks on the pipe). */
	for (;;) {
		char tmp[4096], *dst = tmp;
		size_t want = sizeof(tmp);

		if (hdr < sizeof(status)) {
			dst = (char *)&status + hdr;
			want = sizeof(status) - hdr;
		}
		r = read(fds[0], dst, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (hdr < sizeof(status)) {
			hdr += (size_t)r;
			continue;
		}
		if (got < cap - 1) {
			size_t n = (size_t)r < cap - 1 - got ? (size_t)r
							     : cap - 1 - got;

			memcpy(out + got, tmp, n);
			got += n;
		}
	}
	close(fds[0]);
	out[got] = '\0';
	while (got && isspace((unsigned char)out[got - 1]))
		out[--got] = '\0';
	while (waitpid(pid, &wst, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (hdr < sizeof(status)) {
		/* libnftables can exit() on its own, e.g. without a netlink
		 * socket; the child then never reported. */
		snprintf(out, cap, "nft child ended without a report (%s %d)",
			 WIFEXITED(wst) ? "exit" : "signal",
			 WIFEXITED(wst) ? WEXITSTATUS(wst) : WTERMSIG(wst));
		return -EIO;
	}
	if (status && hdr == sizeof(status) && !out[0])
		snprintf(out, cap, "%s", strerror(status));
	return -status;
}

int nat_apply(int netns_fd, const char *ruleset, char *err, size_t err_cap)
{
	int e = nat_run(netns_fd, ruleset, 0, err, err_cap);

	if (e < 0)
		log_debug("nat: loading ruleset failed: %s",
			  err && err_cap ? err : strerror(-e));
	else if (err && err_cap)
		err[0] = '\0';
	return e;
}

int nat_counter(int netns_fd, const char *table, const char *name,
		unsigned long long *packets)
{
	char cmd[160], out[4096];
	json_error_t jerr;
	json_t *root, *items, *it, *ctr, *pk;
	size_t i;
	int e;

	if (!nat_name_ok(table, 63, "_") || !nat_name_ok(name, 63, "_"))
		return -EINVAL;
	snprintf(cmd, sizeof(cmd), "list counter ip %s %s", table, name);
	e = nat_run(netns_fd, cmd, NFT_CTX_OUTPUT_JSON, out, sizeof(out));
	if (e == -EPROTO && strstr(out, "No such file or directory"))
		e = -ENOENT;
	if (e < 0) {
		log_debug("nat: %s: %s", cmd, out);
		return e;
	}
	root = json_loads(out, 0, &jerr);
	if (!root) {
		log_warnx("nat: %s: unreadable JSON: %s", cmd, jerr.text);
		return -EPROTO;
	}
	e = -ENOENT;
	items = json_object_get(root, "nftables");
	json_array_foreach(items, i, it)
	{
		ctr = json_object_get(it, "counter");
		pk = json_object_get(ctr, "packets");
		if (json_is_integer(pk) && json_integer_value(pk) >= 0) {
			*packets = (unsigned long long)json_integer_value(pk);
			e = 0;
			break;
		}
	}
	json_decref(root);
	return e;
}
