/* cmdtmpl: splitting and filling an outside puncher's command template. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmdtmpl.h"

const char *const cmdtmpl_names[CMDTMPL_N] = {
	[CMDTMPL_LOCAL_PORT] = "local_port",
	[CMDTMPL_PUBLIC_IP] = "public_ip",
	[CMDTMPL_PUBLIC_PORT] = "public_port",
	[CMDTMPL_PEER_IP] = "peer_ip",
	[CMDTMPL_PEER_PORT] = "peer_port",
	[CMDTMPL_ROLE] = "role",
	[CMDTMPL_NONCE] = "nonce",
	[CMDTMPL_START_UNIX_MS] = "start_unix_ms",
	[CMDTMPL_START_MONO_NS] = "start_mono_ns",
};

void cmdtmpl_env_name(enum cmdtmpl_key k, char *buf, size_t cap)
{
	size_t n = (size_t)snprintf(buf, cap, "PUNCH_%s", cmdtmpl_names[k]);

	for (size_t i = 6; i < n && i < cap; i++)
		buf[i] = (char)toupper((unsigned char)buf[i]);
}

/* The key named by p[0..len), or -1. */
static int cmdtmpl_key_of(const char *p, size_t len)
{
	for (int k = 0; k < CMDTMPL_N; k++)
		if (strlen(cmdtmpl_names[k]) == len &&
		    !strncmp(p, cmdtmpl_names[k], len))
			return k;
	return -1;
}

struct out {
	char *buf;
	size_t cap, len;
};

static int out_put(struct out *o, const char *s, size_t n)
{
	if (!o->buf) /* checking only */
		return 0;
	if (o->len + n + 1 > o->cap)
		return -E2BIG;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
	return 0;
}

/* One placeholder at *pp ('{' seen): fills it in, advances *pp past '}'. */
static int cmdtmpl_one(const char **pp, const char *const *vals, struct out *o,
		       char *why, size_t cap)
{
	const char *p = *pp + 1, *end = strchr(p, '}');
	int k;

	if (*p == '{') { /* "{{": a literal brace */
		*pp = p + 1;
		return out_put(o, "{", 1);
	}
	if (!end) {
		snprintf(why, cap, "'{' without '}'; write {{ for a brace");
		return -EINVAL;
	}
	k = cmdtmpl_key_of(p, (size_t)(end - p));
	if (k < 0) {
		snprintf(why, cap,
			 "unknown placeholder {%.*s}; known: {local_port} "
			 "{public_ip} {public_port} {peer_ip} {peer_port} "
			 "{role} {nonce} {start_unix_ms} {start_mono_ns}",
			 (int)(end - p) > 40 ? 40 : (int)(end - p), p);
		return -EINVAL;
	}
	*pp = end + 1;
	return vals ? out_put(o, vals[k], strlen(vals[k])) : 0;
}

/* Walks the template; with o->buf NULL it only checks. Returns argc. */
static int cmdtmpl_walk(const char *t, const char *const *vals, struct out *o,
			char **argv, int max_args, char *why, size_t cap)
{
	int argc = 0, in_word = 0, e;
	char quote = 0;

	while (*t) {
		if (!quote && isspace((unsigned char)*t)) {
			/* "" with n = 1 keeps the word's NUL */
			if (in_word && out_put(o, "", 1) < 0)
				return -E2BIG;
			in_word = 0;
			t++;
			continue;
		}
		if (!in_word) {
			if (argc == max_args - 1) {
				snprintf(why, cap, "more than %d words",
					 max_args - 1);
				return -E2BIG;
			}
			if (argv && o->buf)
				argv[argc] = o->buf + o->len;
			argc++;
			in_word = 1;
			if (out_put(o, "", 0) < 0)
				return -E2BIG;
		}
		if ((*t == '\'' || *t == '"') && (!quote || quote == *t)) {
			quote = quote ? 0 : *t;
			t++;
			continue;
		}
		if (*t == '{' && quote != '\'') {
			if ((e = cmdtmpl_one(&t, vals, o, why, cap)) < 0)
				return e;
			continue;
		}
		if (*t == '}' && t[1] == '}')
			t++;
		if ((e = out_put(o, t++, 1)) < 0)
			return e;
	}
	if (quote) {
		snprintf(why, cap, "unclosed %c quote", quote);
		return -EINVAL;
	}
	if (!argc) {
		snprintf(why, cap, "no program to run");
		return -EINVAL;
	}
	if (argv)
		argv[argc] = NULL;
	return argc;
}

int cmdtmpl_check(const char *tmpl, char *why, size_t cap)
{
	struct out o = { 0 };
	int n;

	if (strlen(tmpl) >= CMDTMPL_MAX_LEN) {
		snprintf(why, cap, "longer than %d characters",
			 CMDTMPL_MAX_LEN - 1);
		return -EINVAL;
	}
	n = cmdtmpl_walk(tmpl, NULL, &o, NULL, CMDTMPL_MAX_ARGS, why, cap);
	return n < 0 ? -EINVAL : 0;
}

int cmdtmpl_expand(const char *tmpl, const char *const vals[CMDTMPL_N],
		   char *buf, size_t cap, char **argv, int max_args)
{
	struct out o = { .buf = buf, .cap = cap };
	char why[160];

	if (!cap || max_args < 2)
		return -E2BIG;
	buf[0] = '\0';
	return cmdtmpl_walk(tmpl, vals, &o, argv, max_args, why, sizeof(why));
}
