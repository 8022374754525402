/* profile_names: the words of the profile format — each key's values,
 * for parsing (cfg_enum) and for printing (profile_*_str). */
#include <stddef.h>

#include "profile_names.h"

const char *const profile_mapping_names[] = {
    [NAT_MAP_EIM] = "endpoint-independent",
    [NAT_MAP_ADM] = "address-dependent",
    [NAT_MAP_APDM] = "address+port-dependent",
    [NAT_MAP_NONE] = "none",
    NULL,
};
const char *const profile_ports_names[] = {
    [NAT_PORTS_PRESERVE] = "preserve",
    [NAT_PORTS_SEQUENTIAL] = "sequential",
    [NAT_PORTS_RANDOM] = "random",
    NULL,
};
const char *const profile_filter_names[] = {
    [NAT_FILTER_EIF] = "endpoint-independent",
    [NAT_FILTER_ADF] = "address-dependent",
    [NAT_FILTER_APDF] = "address+port-dependent",
    NULL,
};
const char *const profile_syn_names[] = {
    [NAT_SYN_DROP] = "drop",
    [NAT_SYN_RST] = "rst",
    [NAT_SYN_ICMP] = "icmp",
    NULL,
};
const char *const profile_udp_names[] = {
    [NAT_UDP_DROP] = "drop",
    [NAT_UDP_ICMP] = "icmp",
    NULL,
};

const char *const profile_simopen_names[] = {
    [NAT_SIMOPEN_PASS] = "pass",
    [NAT_SIMOPEN_DROP] = "drop",
    NULL,
};
const char *const profile_refresh_names[] = {
    [NAT_REFRESH_BOTH] = "both",
    [NAT_REFRESH_OUTBOUND] = "outbound",
    NULL,
};

static const char *profile_name_of(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n - 1 ? names[v] : "?";
}

const char *profile_mapping_str(enum nat_mapping m)
{
	return profile_name_of(profile_mapping_names,
			       sizeof(profile_mapping_names) / sizeof(*profile_mapping_names),
			       (int)m);
}

const char *profile_ports_str(enum nat_ports p)
{
	return profile_name_of(
	    profile_ports_names, sizeof(profile_ports_names) / sizeof(*profile_ports_names), (int)p);
}

const char *profile_filter_str(enum nat_filter f)
{
	return profile_name_of(
	    profile_filter_names, sizeof(profile_filter_names) / sizeof(*profile_filter_names), (int)f);
}

const char *profile_syn_str(enum nat_syn s)
{
	return profile_name_of(profile_syn_names,
			       sizeof(profile_syn_names) / sizeof(*profile_syn_names), (int)s);
}

const char *profile_udp_str(enum nat_udp u)
{
	return profile_name_of(profile_udp_names,
			       sizeof(profile_udp_names) / sizeof(*profile_udp_names), (int)u);
}

const char *profile_simopen_str(enum nat_simopen s)
{
	return profile_name_of(
	    profile_simopen_names, sizeof(profile_simopen_names) / sizeof(*profile_simopen_names),
	    (int)s);
}

const char *profile_refresh_str(enum nat_refresh r)
{
	return profile_name_of(
	    profile_refresh_names, sizeof(profile_refresh_names) / sizeof(*profile_refresh_names),
	    (int)r);
}

