/* profile6: parses and checks a NAT profile's [ipv6] section. */
#include <stdio.h>
#include <string.h>

#include "profile6.h"

const char *const profile6_filter_names[] = {
    [PROFILE6_EIF] = "endpoint-independent",
    [PROFILE6_ADF] = "address-dependent",
    [PROFILE6_APDF] = "address+port-dependent",
    [PROFILE6_OPEN] = "open",
    NULL,
};

const char *profile6_filter_str(enum profile6_filter f)
{
	return (unsigned)f <= PROFILE6_OPEN ? profile6_filter_names[f] : "?";
}

void profile6_defaults(struct profile6 *v6)
{
	memset(v6, 0, sizeof(*v6));
	v6->filtering = PROFILE6_APDF;
	v6->unsolicited_syn = NAT_SYN_DROP;
}

static int profile6_enum(const char *v, const char *const *names, int *out,
			 struct cfg_error *err)
{
	int i = cfg_enum(v, names, err);

	if (i < 0)
		return -1;
	*out = i;
	return 0;
}

int profile6_line(struct profile6 *v6, const char *key, const char *value,
		  int line, struct cfg_error *err)
{
	int i;

	if (!key) {
		/* A second one would quietly merge into the first. */
		if (v6->line) {
			snprintf(err->msg, sizeof(err->msg),
				 "given twice (first at line %d); keep one",
				 v6->line);
			return -1;
		}
		v6->line = line;
		return 0;
	}
	if (!strcmp(key, "enabled")) {
		v6->enabled_line = line;
		return cfg_bool(value, &v6->enabled, err);
	}
	if (!strcmp(key, "filtering")) {
		if (profile6_enum(value, profile6_filter_names, &i, err) < 0)
			return -1;
		v6->filtering = (enum profile6_filter)i;
		return 0;
	}
	if (!strcmp(key, "unsolicited_syn")) {
		if (profile6_enum(value, profile_syn_names, &i, err) < 0)
			return -1;
		v6->unsolicited_syn = (enum nat_syn)i;
		return 0;
	}
	if (!strcmp(key, "pinholes")) {
		v6->pinholes_line = line;
		return cfg_bool(value, &v6->pinholes, err);
	}
	snprintf(err->msg, sizeof(err->msg),
		 "unknown key in [ipv6]; known keys: enabled filtering "
		 "unsolicited_syn pinholes");
	return -1;
}

int profile6_check(const struct profile6 *v6, const char *path,
		   struct cfg_error *err)
{
	/* A pinhole opens a path through a filter that is not there. */
	if (v6->pinholes && !v6->enabled)
		return cfg_fail(err, path, v6->pinholes_line, "pinholes",
				"PCP pinholes need IPv6: set enabled = yes or "
				"remove the key");
	return 0;
}
