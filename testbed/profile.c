/* profile: reads nat-profiles/<name>.ini into a struct nat_profile. One
 * handler per key; the key table below is the whole file format (keep it
 * in step with nat-profiles/README.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "profile.h"

/* Longest timeout accepted: 30 days, which still fits the kernel's u32
 * jiffies at HZ=1000. */
#define PROFILE_TIMEOUT_MAX 2592000L

int profile_port_overloading(const struct nat_profile *p)
{
	if (p->mapping == NAT_MAP_NONE)
		return 0;
	if (p->port_overloading_set)
		return p->port_overloading;
	return p->ports == NAT_PORTS_PRESERVE && !p->port_block;
}

enum nat_filter profile_udp_filtering(const struct nat_profile *p)
{
	return p->udp_filtering_set ? p->udp_filtering : p->filtering;
}

enum nat_udp profile_udp_unsolicited(const struct nat_profile *p)
{
	if (p->udp_unsolicited_set)
		return p->udp_unsolicited;
	return p->unsolicited_syn == NAT_SYN_DROP ? NAT_UDP_DROP
						  : NAT_UDP_ICMP;
}

static int key_description(struct nat_profile *p, const char *v,
			   struct cfg_error *err)
{
	if (strlen(v) >= sizeof(p->description)) {
		snprintf(err->msg, sizeof(err->msg),
			 "longer than %zu characters",
			 sizeof(p->description) - 1);
		return -1;
	}
	strcpy(p->description, v);
	return 0;
}

static int key_mapping(struct nat_profile *p, const char *v,
		       struct cfg_error *err)
{
	int i = cfg_enum(v, profile_mapping_names, err);

	if (i < 0)
		return -1;
	p->mapping = (enum nat_mapping)i;
	return 0;
}

static int key_ports(struct nat_profile *p, const char *v,
		     struct cfg_error *err)
{
	int i = cfg_enum(v, profile_ports_names, err);

	if (i < 0)
		return -1;
	p->ports = (enum nat_ports)i;
	return 0;
}

/* "LOW-HIGH" with 1 <= LOW <= HIGH <= 65535. */
static int key_port_range(struct nat_profile *p, const char *v,
			  struct cfg_error *err)
{
	return cfg_port_range(v, &p->port_min, &p->port_max, err);
}

static int key_filtering(struct nat_profile *p, const char *v,
			 struct cfg_error *err)
{
	int i = cfg_enum(v, profile_filter_names, err);

	if (i < 0)
		return -1;
	p->filtering = (enum nat_filter)i;
	return 0;
}

static int key_syn(struct nat_profile *p, const char *v, struct cfg_error *err)
{
	int i = cfg_enum(v, profile_syn_names, err);

	if (i < 0)
		return -1;
	p->unsolicited_syn = (enum nat_syn)i;
	return 0;
}

static int key_udp_filtering(struct nat_profile *p, const char *v,
			     struct cfg_error *err)
{
	int i = cfg_enum(v, profile_filter_names, err);

	if (i < 0)
		return -1;
	p->udp_filtering = (enum nat_filter)i;
	p->udp_filtering_set = 1;
	return 0;
}

static int key_udp_unsolicited(struct nat_profile *p, const char *v,
			       struct cfg_error *err)
{
	int i = cfg_enum(v, profile_udp_names, err);

	if (i < 0)
		return -1;
	p->udp_unsolicited = (enum nat_udp)i;
	p->udp_unsolicited_set = 1;
	return 0;
}

static int key_hairpin(struct nat_profile *p, const char *v,
		       struct cfg_error *err)
{
	return cfg_bool(v, &p->hairpin, err);
}

static int key_port_overloading(struct nat_profile *p, const char *v,
				struct cfg_error *err)
{
	if (cfg_bool(v, &p->port_overloading, err) < 0)
		return -1;
	p->port_overloading_set = 1;
	return 0;
}

static int key_simopen(struct nat_profile *p, const char *v,
		       struct cfg_error *err)
{
	int i = cfg_enum(v, profile_simopen_names, err);

	if (i < 0)
		return -1;
	p->simultaneous_open = (enum nat_simopen)i;
	return 0;
}

static int key_refresh(struct nat_profile *p, const char *v,
		       struct cfg_error *err)
{
	int i = cfg_enum(v, profile_refresh_names, err);

	if (i < 0)
		return -1;
	p->refresh = (enum nat_refresh)i;
	return 0;
}

static int profile_timeout(const char *v, unsigned int *out,
			   struct cfg_error *err)
{
	long t;

	if (cfg_int(v, 0, PROFILE_TIMEOUT_MAX, &t, err) < 0)
		return -1;
	*out = (unsigned int)t;
	return 0;
}

static int key_syn_sent(struct nat_profile *p, const char *v,
			struct cfg_error *err)
{
	return profile_timeout(v, &p->timeout_syn_sent, err);
}

static int key_established(struct nat_profile *p, const char *v,
			   struct cfg_error *err)
{
	return profile_timeout(v, &p->timeout_established, err);
}

static int key_transitory(struct nat_profile *p, const char *v,
			  struct cfg_error *err)
{
	return profile_timeout(v, &p->timeout_transitory, err);
}

/* Profile names travel into file paths: as profile_find accepts them. */
static int profile_name_ok(const char *name)
{
	return name[0] && strlen(name) < PROFILE_NAME_MAX && !strchr(name, '/') &&
	       !strstr(name, "..");
}

static int key_behind(struct nat_profile *p, const char *v,
		      struct cfg_error *err)
{
	if (!profile_name_ok(v)) {
		snprintf(err->msg, sizeof(err->msg),
			 "'%s' is not a profile name (1..%d characters, no "
			 "'/' or '..')",
			 v, PROFILE_NAME_MAX - 1);
		return -1;
	}
	strcpy(p->behind, v);
	return 0;
}

static int key_port_block(struct nat_profile *p, const char *v,
			  struct cfg_error *err)
{
	long n;

	if (cfg_int(v, 0, 65535, &n, err) < 0)
		return -1;
	p->port_block = (unsigned int)n;
	return 0;
}

static const struct profile_key {
	const char *section;
	const char *key;
	int (*set)(struct nat_profile *p, const char *v, struct cfg_error *err);
} profile_keys[] = {
    {"nat", "description", key_description},
    {"nat", "mapping", key_mapping},
    {"nat", "port_assignment", key_ports},
    {"nat", "port_range", key_port_range},
    {"nat", "filtering", key_filtering},
    {"nat", "unsolicited_syn", key_syn},
    {"nat", "udp_filtering", key_udp_filtering},
    {"nat", "udp_unsolicited", key_udp_unsolicited},
    {"nat", "hairpinning", key_hairpin},
    {"nat", "behind", key_behind},
    {"nat", "port_block", key_port_block},
    {"nat", "port_overloading", key_port_overloading},
    {"nat", "simultaneous_open", key_simopen},
    {"timeouts", "syn_sent", key_syn_sent},
    {"timeouts", "established", key_established},
    {"timeouts", "transitory", key_transitory},
    {"timeouts", "refresh", key_refresh},
};

#define PROFILE_NKEYS (sizeof(profile_keys) / sizeof(*profile_keys))

struct profile_ctx {
	struct nat_profile *p;
	int line[PROFILE_NKEYS]; /* 0 = key not given */
	int nat_line, timeouts_line; /* of the section headers */
};

static int profile_known_section(const char *section)
{
	size_t i;

	for (i = 0; i < PROFILE_NKEYS; i++)
		if (!strcmp(profile_keys[i].section, section))
			return 1;
	return 0;
}

static int profile_unknown_key(const char *section, struct cfg_error *err)
{
	size_t i, n;
	int r;

	r = snprintf(err->msg, sizeof(err->msg),
		     "unknown key in [%s]; known keys:", section);
	n = r > 0 ? (size_t)r : 0;
	for (i = 0; i < PROFILE_NKEYS && n < sizeof(err->msg); i++) {
		if (strcmp(profile_keys[i].section, section))
			continue;
		r = snprintf(err->msg + n, sizeof(err->msg) - n, " %s",
			     profile_keys[i].key);
		if (r < 0)
			break;
		n += (size_t)r;
	}
	return -1;
}

/* [pcp] is pcpconf's; only its header is seen here. */
static int profile_pcp(struct pcp_conf *pcp, const char *key,
		       const char *value, int line, struct cfg_error *err)
{
	if (key)
		return pcpconf_key(pcp, key, value, line, err);
	if (pcp->line) {
		snprintf(err->msg, sizeof(err->msg),
			 "given twice (first at line %d); keep one", pcp->line);
		return -1;
	}
	pcp->line = line;
	return 0;
}

static int profile_handler(void *user, const char *section, const char *key,
			   const char *value, int line, struct cfg_error *err)
{
	struct profile_ctx *c = user;
	size_t i;

	if (!strcmp(section, "ipv6"))
		return profile6_line(&c->p->ipv6, key, value, line, err);
	if (!strcmp(section, "pcp"))
		return profile_pcp(&c->p->pcp, key, value, line, err);

	if (!key) {
		if (profile_known_section(section)) {
			int *seen = strcmp(section, "nat") ? &c->timeouts_line
							   : &c->nat_line;

			/* A second one would quietly merge into the first. */
			if (*seen) {
				snprintf(err->msg, sizeof(err->msg),
					 "given twice (first at line %d); "
					 "keep one",
					 *seen);
				return -1;
			}
			*seen = line;
			return 0;
		}
		snprintf(err->msg, sizeof(err->msg),
			 "unknown section; a profile has [nat], "
			 "[timeouts], [ipv6] and [pcp]");
		return -1;
	}
	if (!section[0]) {
		snprintf(err->msg, sizeof(err->msg),
			 "key before any section; put it under [nat] or "
			 "[timeouts]");
		return -1;
	}
	for (i = 0; i < PROFILE_NKEYS; i++) {
		if (strcmp(profile_keys[i].section, section) ||
		    strcmp(profile_keys[i].key, key))
			continue;
		c->line[i] = line;
		return profile_keys[i].set(c->p, value, err);
	}
	return profile_unknown_key(section, err);
}

static int profile_key_line(const struct profile_ctx *c, const char *key)
{
	size_t i;

	for (i = 0; i < PROFILE_NKEYS; i++)
		if (!strcmp(profile_keys[i].key, key))
			return c->line[i];
	return 0;
}

/* Keys that contradict each other are refused at the line of the one that
 * does not fit (a key left out takes its default and is never blamed). */
static int profile_check(const struct profile_ctx *c, struct cfg_error *err)
{
	static const char *const untranslated[] = {
	    "port_assignment", "port_range", "port_block", "port_overloading"};
	const struct nat_profile *p = c->p;
	unsigned int range = (unsigned int)p->port_max - p->port_min + 1, n;
	const char *key;
	size_t i;

	for (i = 0; p->mapping == NAT_MAP_NONE &&
		    i < sizeof(untranslated) / sizeof(*untranslated);
	     i++) {
		key = untranslated[i];
		if (!profile_key_line(c, key) ||
		    (i == 0 && p->ports == NAT_PORTS_PRESERVE) ||
		    (i == 2 && !p->port_block))
			continue;
		return cfg_fail(err, p->path, profile_key_line(c, key), key,
				"mapping = none translates no address or port; "
				"remove this key");
	}
	/* A drawn port or a subscriber's block is never another inside
	 * endpoint's: only a preserved port can be shared. */
	if (p->port_overloading_set && p->port_overloading &&
	    (p->ports != NAT_PORTS_PRESERVE || p->port_block))
		return cfg_fail(err, p->path,
				profile_key_line(c, "port_overloading"),
				"port_overloading",
				"only a preserved port is shared between inside "
				"hosts; with %s it is never: write off or "
				"remove the key",
				p->port_block ? "port_block"
					      : "port_assignment = sequential "
						"or random");
	if (p->port_block > range)
		return cfg_fail(err, p->path, profile_key_line(c, "port_block"),
				"port_block",
				"a block of %u ports does not fit port_range "
				"%u-%u (%u ports)",
				p->port_block, p->port_min, p->port_max, range);
	n = p->port_block ? p->port_block : range;
	if (p->ports == NAT_PORTS_SEQUENTIAL && n > PROFILE_SEQ_PORTS_MAX) {
		key = p->port_block			     ? "port_block"
		      : profile_key_line(c, "port_range") ? "port_range"
							     : "port_assignment";
		return cfg_fail(err, p->path, profile_key_line(c, key), key,
				"sequential ports are listed one by one in the "
				"ruleset: at most %d per %s, not %u (e.g. "
				"port_range = 40000-40255)",
				PROFILE_SEQ_PORTS_MAX,
				p->port_block ? "block" : "range", n);
	}
	/* The world has no address to give a routed home behind a CGN. */
	if (p->behind[0] && p->mapping == NAT_MAP_NONE)
		return cfg_fail(err, p->path, profile_key_line(c, "behind"),
				"behind",
				"mapping = none translates nothing and cannot "
				"sit behind a carrier NAT; remove behind or "
				"give a mapping");
	if (p->behind[0] && !strcmp(p->behind, p->name))
		return cfg_fail(err, p->path, profile_key_line(c, "behind"),
				"behind",
				"a profile cannot sit behind itself; name a "
				"carrier profile");
	return 0;
}

/* What a key left out means: a plain Linux router (masquerade, conntrack,
 * no firewall rule), as nat-profiles/README.md says. */
static void profile_defaults(struct nat_profile *p)
{
	memset(p, 0, sizeof(*p));
	p->mapping = NAT_MAP_EIM;
	p->ports = NAT_PORTS_PRESERVE;
	p->port_min = 1024;
	p->port_max = 65535;
	p->filtering = NAT_FILTER_APDF;
	p->unsolicited_syn = NAT_SYN_RST;
	p->hairpin = 0;
	profile6_defaults(&p->ipv6);
	pcpconf_defaults(&p->pcp);
}

int profile_load(const char *path, struct nat_profile *p, struct cfg_error *err)
{
	struct profile_ctx c = {.p = p};
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 4 && !strcmp(base + len - 4, ".ini"))
		len -= 4;
	profile_defaults(p);
	if (strlen(path) >= sizeof(p->path))
		return cfg_fail(err, path, 0, "", "path too long");
	if (!len || len >= sizeof(p->name))
		return cfg_fail(err, path, 0, "",
				"a profile name must be 1..%zu characters",
				sizeof(p->name) - 1);
	memcpy(p->name, base, len);
	p->name[len] = '\0';
	strcpy(p->path, path);
	if (cfg_parse_file(path, profile_handler, &c, err) < 0)
		return -1;
	p->behind_line = profile_key_line(&c, "behind");
	if (profile_check(&c, err) < 0)
		return -1;
	if (profile6_check(&p->ipv6, p->path, err) < 0)
		return -1;
	return pcpconf_check(&p->pcp, p->path, err);
}

int profile_find(const char *dir, const char *name, struct nat_profile *p,
		 struct cfg_error *err)
{
	char path[512];
	struct stat st;
	int r;

	r = snprintf(path, sizeof(path), "%s/%s.ini", dir, name);
	if (!profile_name_ok(name)) {
		cfg_fail(err, "", 0, "",
			 "'%s' is not a profile name (1..%d characters, no "
			 "'/' or '..')",
			 name, PROFILE_NAME_MAX - 1);
		errno = EINVAL;
		return -1;
	}
	if (r < 0 || (size_t)r >= sizeof(path)) {
		cfg_fail(err, dir, 0, "", "profile path too long");
		errno = ENAMETOOLONG;
		return -1;
	}
	if (stat(path, &st) < 0 && errno == ENOENT) {
		cfg_fail(err, path, 0, "", "no such NAT profile");
		errno = ENOENT;
		return -1;
	}
	if (profile_load(path, p, err) < 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int profile_load_carrier(const char *dir, const struct nat_profile *p,
			 struct nat_profile *carrier, struct cfg_error *err)
{
	struct cfg_error cerr;
	char text[1200];

	if (!p->behind[0]) {
		errno = EINVAL;
		return cfg_fail(err, p->path, 0, "behind",
				"not behind a carrier NAT");
	}
	if (profile_find(dir, p->behind, carrier, &cerr) < 0) {
		if (errno == ENOENT) {
			cfg_fail(err, p->path, p->behind_line, "behind",
				 "no carrier profile '%s' (%s/%s.ini does not "
				 "exist); fix the name or add the profile",
				 p->behind, dir, p->behind);
			errno = ENOENT;
			return -1;
		}
		cfg_fail(err, p->path, p->behind_line, "behind",
			 "carrier profile '%s' is broken: %s", p->behind,
			 cfg_error_str(&cerr, text, sizeof(text)));
		errno = EINVAL;
		return -1;
	}
	if (carrier->behind[0]) {
		cfg_fail(err, p->path, p->behind_line, "behind",
			 "carrier profile '%s' is itself behind '%s' (%s:%d): "
			 "NAT4444 is not supported; use a carrier profile "
			 "without behind",
			 p->behind, carrier->behind, carrier->path,
			 carrier->behind_line);
		errno = EINVAL;
		return -1;
	}
	return 0;
}
