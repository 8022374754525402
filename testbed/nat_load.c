/* nat_load: loads a rendered ruleset, or reads a counter, through
 * libnftables in a child inside the router's namespace (nscall):
 * nft_ctx_new binds its netlink socket to the current namespace and may
 * exit() when it cannot. The rendering is in nat.c. */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <nftables/libnftables.h>

#include "log.h"
#include "nat.h"
#include "nscall.h"

#define NAT_OUTPUT_MAX (1024 * 1024)

/* Table and counter names go into an nft command. */
static int nat_load_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n > 63)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

struct nat_cmd {
	const char *cmd;
	unsigned int flags;
};

/* In the router's namespace: nft's output, or its error text and EPROTO. */
static int nat_child(FILE *out, const void *arg)
{
	const struct nat_cmd *c = arg;
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *text;
	int status = 0;

	if (!nft || nft_ctx_buffer_output(nft) || nft_ctx_buffer_error(nft)) {
		fputs("cannot set up libnftables", out);
		return ENOMEM;
	}
	nft_ctx_output_set_flags(nft, c->flags);
	if (nft_run_cmd_from_buffer(nft, c->cmd) != 0) {
		status = EPROTO;
		text = nft_ctx_get_error_buffer(nft);
	} else {
		text = nft_ctx_get_output_buffer(nft);
	}
	fputs(text ? text : "", out);
	return status;
}

/* Runs cmd in netns_fd's namespace. 0 with nft's output in out, or
 * -errno with the error text in out (out may be NULL). */
static int nat_run(int netns_fd, const char *cmd, unsigned int flags, char *out,
		   size_t cap)
{
	struct nat_cmd c = { cmd, flags };
	char sink[256], *text = NULL;
	size_t len = 0;
	int e;

	if (!out || !cap) {
		out = sink;
		cap = sizeof(sink);
	}
	out[0] = '\0';
	if (netns_fd < 0)
		return -EBADF;
	e = nscall(netns_fd, nat_child, &c, NAT_OUTPUT_MAX, &text, &len);
	snprintf(out, cap, "%s", text ? text : "");
	free(text);
	for (len = strlen(out); len && isspace((unsigned char)out[len - 1]);)
		out[--len] = '\0';
	/* libnftables can exit() on its own, e.g. without a netlink socket;
	 * the child then wrote nothing. */
	if (e < 0 && !out[0])
		snprintf(out, cap, "nft child failed without a message: %s",
			 strerror(-e));
	return e;
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

struct nat_each {
	const char *const *rulesets;
};

static int nat_each_child(FILE *out, int i, const void *arg)
{
	const struct nat_each *e = arg;
	struct nat_cmd c = { e->rulesets[i], 0 };

	return nat_child(out, &c);
}

int nat_apply_each(const int *fds, const char *const *rulesets, int n,
		   int *done, char *err, size_t err_cap)
{
	struct nat_each arg = { rulesets };
	char *text = NULL;
	size_t len = 0;
	int e;

	e = nscall_each(fds, n, nat_each_child, &arg, NAT_OUTPUT_MAX, &text,
			&len, done);
	if (err && err_cap) {
		snprintf(err, err_cap, "%s", text ? text : "");
		for (len = strlen(err);
		     len && isspace((unsigned char)err[len - 1]);)
			err[--len] = '\0';
		if (e < 0 && !err[0])
			snprintf(err, err_cap,
				 "nft child failed without a message: %s",
				 strerror(-e));
		if (e == 0)
			err[0] = '\0';
	}
	free(text);
	return e;
}

int nat_counter(int netns_fd, const char *table, const char *name,
		unsigned long long *packets)
{
	return nat_counter_at(netns_fd, "ip", table, name, packets, NULL);
}

int nat_counter_at(int netns_fd, const char *family, const char *table,
		   const char *name, unsigned long long *packets,
		   unsigned long long *bytes)
{
	char cmd[160], out[4096];
	json_error_t jerr;
	json_t *root, *items, *it, *ctr, *pk, *by;
	size_t i;
	int e;

	if (!nat_load_name_ok(table) || !nat_load_name_ok(name) ||
	    (strcmp(family, "ip") && strcmp(family, "inet") &&
	     strcmp(family, "ip6")))
		return -EINVAL;
	snprintf(cmd, sizeof(cmd), "list counter %s %s %s", family, table,
		 name);
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
		by = json_object_get(ctr, "bytes");
		if (json_is_integer(pk) && json_integer_value(pk) >= 0) {
			*packets = (unsigned long long)json_integer_value(pk);
			if (bytes)
				*bytes = json_is_integer(by) ?
						 (unsigned long long)
							 json_integer_value(by) :
						 0;
			e = 0;
			break;
		}
	}
	json_decref(root);
	return e;
}
