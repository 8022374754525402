/* ctsnap: conntrack tables and nft rulesets of a namespace as files; each
 * snapshot is taken through nscall (a child inside the namespace). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <nftables/libnftables.h>

#include "ctsnap.h"
#include "log.h"
#include "nscall.h"

static const char *ctsnap_tcp_state(uint8_t s)
{
	static const char *const names[] = {
		"NONE",	    "SYN_SENT",	  "SYN_RECV", "ESTABLISHED",
		"FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT",
		"CLOSE",    "SYN_SENT2",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "UNKNOWN";
}

static json_t *ctsnap_status(uint32_t st)
{
	static const char *const bits[] = {
		"EXPECTED",	"SEEN_REPLY", "ASSURED",       "CONFIRMED",
		"SRC_NAT",	"DST_NAT",    "SEQ_ADJUST",    "SRC_NAT_DONE",
		"DST_NAT_DONE", "DYING",      "FIXED_TIMEOUT", "TEMPLATE",
		"NAT_CLASH",	"HELPER",     "OFFLOAD",       "HW_OFFLOAD",
	};
	json_t *a = json_array();
	char name[16];

	for (unsigned int b = 0; a && b < 32; b++) {
		if (!(st & (1U << b)))
			continue;
		if (b < sizeof(bits) / sizeof(bits[0])) {
			json_array_append_new(a, json_string(bits[b]));
		} else {
			snprintf(name, sizeof(name), "bit%u", b);
			json_array_append_new(a, json_string(name));
		}
	}
	return a;
}

static const char *ctsnap_proto(uint8_t p, char *buf, size_t cap)
{
	switch (p) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_GRE:
		return "gre";
	}
	snprintf(buf, cap, "%u", p);
	return buf;
}

/* One direction's tuple; the attribute ids of the two directions differ
 * only in which enum members are passed. */
struct ctsnap_dir {
	enum nf_conntrack_attr v4src, v4dst, v6src, v6dst, sport, dport;
	int reply;
};

static json_t *ctsnap_tuple(const struct nf_conntrack *ct, uint8_t l3,
			    uint8_t l4, const struct ctsnap_dir *d)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	json_t *t;

	if (l3 == AF_INET) {
		uint32_t s = nfct_get_attr_u32(ct, d->v4src),
			 x = nfct_get_attr_u32(ct, d->v4dst);

		inet_ntop(AF_INET, &s, a, sizeof(a));
		inet_ntop(AF_INET, &x, b, sizeof(b));
	} else if (l3 == AF_INET6 && nfct_get_attr(ct, d->v6src) &&
		   nfct_get_attr(ct, d->v6dst)) {
		inet_ntop(AF_INET6, nfct_get_attr(ct, d->v6src), a, sizeof(a));
		inet_ntop(AF_INET6, nfct_get_attr(ct, d->v6dst), b, sizeof(b));
	} else {
		a[0] = b[0] = '\0';
	}
	t = json_pack("{s:s, s:s}", "src", a, "dst", b);
	if (!t)
		return NULL;
	if (l4 == IPPROTO_ICMP || l4 == IPPROTO_ICMPV6) {
		/* conntrack keeps type and code of the original direction;
		 * the id is the same both ways. */
		if (!d->reply) {
			json_object_set_new(t, "type",
					    json_integer(nfct_get_attr_u8(
						    ct, ATTR_ICMP_TYPE)));
			json_object_set_new(t, "code",
					    json_integer(nfct_get_attr_u8(
						    ct, ATTR_ICMP_CODE)));
		}
		json_object_set_new(t, "id",
				    json_integer(ntohs(nfct_get_attr_u16(
					    ct, ATTR_ICMP_ID))));
	} else if (nfct_attr_is_set(ct, d->sport) > 0) {
		json_object_set_new(
			t, "sport",
			json_integer(ntohs(nfct_get_attr_u16(ct, d->sport))));
		json_object_set_new(
			t, "dport",
			json_integer(ntohs(nfct_get_attr_u16(ct, d->dport))));
	}
	return t;
}

static void ctsnap_pair(json_t *o, const char *key,
			const struct nf_conntrack *ct,
			enum nf_conntrack_attr orig,
			enum nf_conntrack_attr repl)
{
	if (nfct_attr_is_set(ct, orig) <= 0)
		return;
	json_object_set_new(o, key,
			    json_pack("{s:I, s:I}", "orig",
				      (json_int_t)nfct_get_attr_u64(ct, orig),
				      "reply",
				      (json_int_t)nfct_get_attr_u64(ct, repl)));
}

static int ctsnap_entry(enum nf_conntrack_msg_type type,
			struct nf_conntrack *ct, void *data)
{
	static const struct ctsnap_dir orig = {ATTR_ORIG_IPV4_SRC,
					       ATTR_ORIG_IPV4_DST,
					       ATTR_ORIG_IPV6_SRC,
					       ATTR_ORIG_IPV6_DST,
					       ATTR_ORIG_PORT_SRC,
					       ATTR_ORIG_PORT_DST,
					       0};
	static const struct ctsnap_dir repl = {ATTR_REPL_IPV4_SRC,
					       ATTR_REPL_IPV4_DST,
					       ATTR_REPL_IPV6_SRC,
					       ATTR_REPL_IPV6_DST,
					       ATTR_REPL_PORT_SRC,
					       ATTR_REPL_PORT_DST,
					       1};
	FILE *out = data;
	uint8_t l3 = nfct_get_attr_u8(ct, ATTR_L3PROTO),
		l4 = nfct_get_attr_u8(ct, ATTR_L4PROTO);
	char pbuf[8];
	json_t *o;
	char *line;
	int ok;

	(void)type;
	o = json_pack("{s:s, s:s}", "family",
		      l3 == AF_INET    ? "ipv4"
		      : l3 == AF_INET6 ? "ipv6"
				       : "other",
		      "proto", ctsnap_proto(l4, pbuf, sizeof(pbuf)));
	if (!o)
		return NFCT_CB_FAILURE;
	if (l4 == IPPROTO_TCP && nfct_attr_is_set(ct, ATTR_TCP_STATE) > 0)
		json_object_set_new(
			o, "state",
			json_string(ctsnap_tcp_state(
				nfct_get_attr_u8(ct, ATTR_TCP_STATE))));
	json_object_set_new(o, "orig", ctsnap_tuple(ct, l3, l4, &orig));
	json_object_set_new(o, "reply", ctsnap_tuple(ct, l3, l4, &repl));
	json_object_set_new(o, "timeout",
			    json_integer(nfct_get_attr_u32(ct, ATTR_TIMEOUT)));
	json_object_set_new(o, "mark",
			    json_integer(nfct_get_attr_u32(ct, ATTR_MARK)));
	json_object_set_new(o, "zone",
			    json_integer(nfct_get_attr_u16(ct, ATTR_ZONE)));
	json_object_set_new(o, "id",
			    json_integer(nfct_get_attr_u32(ct, ATTR_ID)));
	json_object_set_new(o, "status",
			    ctsnap_status(nfct_get_attr_u32(ct, ATTR_STATUS)));
	ctsnap_pair(o, "packets", ct, ATTR_ORIG_COUNTER_PACKETS,
		    ATTR_REPL_COUNTER_PACKETS);
	ctsnap_pair(o, "bytes", ct, ATTR_ORIG_COUNTER_BYTES,
		    ATTR_REPL_COUNTER_BYTES);
	line = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!line)
		return NFCT_CB_FAILURE;
	ok = fprintf(out, "%s\n", line) > 0;
	free(line);
	return ok ? NFCT_CB_CONTINUE : NFCT_CB_FAILURE;
}

static int ctsnap_dump_child(FILE *out, const void *arg)
{
	struct nfct_handle *h;
	uint32_t family = AF_UNSPEC; /* every family */
	int ret = 0;

	(void)arg;
	h = nfct_open(CONNTRACK, 0);
	if (!h)
		return errno ? errno : EIO;
	nfct_callback_register(h, NFCT_T_ALL, ctsnap_entry, out);
	if (nfct_query(h, NFCT_Q_DUMP, &family) < 0)
		ret = errno ? errno : EIO;
	nfct_close(h);
	return ret;
}

int ctsnap_write(int netns_fd, FILE *out)
{
	char *text;
	size_t len;
	int e, n = 0;

	if (!out)
		return -EINVAL;
	e = nscall(netns_fd, ctsnap_dump_child, NULL, CTSNAP_MAX_BYTES, &text,
		   &len);
	if (e == 0) {
		for (size_t i = 0; i < len; i++)
			n += text[i] == '\n';
		if (fwrite(text, 1, len, out) != len)
			e = -EIO;
	} else {
		log_debug("ctsnap: conntrack dump failed: %s", strerror(-e));
	}
	free(text);
	return e < 0 ? e : n;
}

struct ctsnap_nft_arg {
	char cmd[128];
	char cmd6[128]; /* listed after cmd when it succeeds; may fail */
};

/* As `nft list table` prints it: rules with their counters' values, sets
 * and maps with their elements (the learned mappings). On failure nft's
 * error text goes up the pipe instead, for the log. */
static int ctsnap_nft_run(FILE *out, const char *cmd)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *text;
	int ret = 0;

	if (!nft || nft_ctx_buffer_output(nft) || nft_ctx_buffer_error(nft))
		return ENOMEM;
	if (nft_run_cmd_from_buffer(nft, cmd) != 0) {
		text = nft_ctx_get_error_buffer(nft);
		ret = text && strstr(text, "No such file or directory")
			      ? ENOENT
			      : EPROTO;
		fprintf(out, "%s", text ? text : "");
	} else {
		text = nft_ctx_get_output_buffer(nft);
		fprintf(out, "%s", text ? text : "");
	}
	nft_ctx_free(nft);
	return ret;
}

/* A dual-stack router's IPv6 filter (filter6.h) follows its NAT table,
 * in the same child: an IPv4-only router costs no extra fork. */
static int ctsnap_nft_child(FILE *out, const void *arg)
{
	const struct ctsnap_nft_arg *a = arg;
	char *six = NULL;
	size_t len = 0;
	FILE *f;
	int ret = ctsnap_nft_run(out, a->cmd);

	if (ret || !a->cmd6[0] || !(f = open_memstream(&six, &len)))
		return ret;
	if (ctsnap_nft_run(f, a->cmd6) == 0) {
		fflush(f);
		fwrite(six, 1, len, out);
	}
	fclose(f);
	free(six);
	return 0;
}

static int ctsnap_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n > 63)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

int ctsnap_ruleset(int netns_fd, const char *table, FILE *out)
{
	struct ctsnap_nft_arg a;
	char *text;
	size_t len;
	int e;

	if (!out || !ctsnap_name_ok(table))
		return -EINVAL;
	snprintf(a.cmd, sizeof(a.cmd), "list table ip %s", table);
	snprintf(a.cmd6, sizeof(a.cmd6), "list table ip6 %s_f6", table);
	e = nscall(netns_fd, ctsnap_nft_child, &a, CTSNAP_MAX_BYTES, &text,
		   &len);
	if (e == 0 && fwrite(text, 1, len, out) != len)
		e = -EIO;
	if (e < 0)
		log_debug("ctsnap: %s: %s", a.cmd,
			  text && *text ? text : strerror(-e));
	free(text);
	return e;
}

static int ctsnap_file(int netns_fd, const char *table, const char *path)
{
	FILE *f = fopen(path, "we");
	int e;

	if (!f)
		return -errno;
	e = table ? ctsnap_ruleset(netns_fd, table, f)
		  : ctsnap_write(netns_fd, f);
	if (fclose(f) != 0 && e >= 0)
		e = -errno;
	if (e < 0)
		unlink(path);
	return e < 0 ? e : 0;
}

int ctsnap_files(int netns_fd, const char *table, const char *dir,
		 const char *stem)
{
	char path[PATH_MAX];
	int e, e2 = 0;

	if (!dir || !stem || strchr(stem, '/'))
		return -EINVAL;
	if (snprintf(path, sizeof(path), "%s/%s.conntrack.jsonl", dir, stem) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	e = ctsnap_file(netns_fd, NULL, path);
	if (table) {
		snprintf(path, sizeof(path), "%s/%s.nft", dir, stem);
		e2 = ctsnap_file(netns_fd, table, path);
	}
	return e < 0 ? e : e2;
}
