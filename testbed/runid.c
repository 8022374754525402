/* runid: generating and recognising run ids. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "runid.h"

int runid_new(char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[RUNID_LEN];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -errno;
	for (int i = 0; i < RUNID_LEN; i++)
		out[i] = hex[r[i] & 0xf];
	out[RUNID_LEN] = '\0';
	return 0;
}

int runid_valid(const char *s)
{
	if (strlen(s) != RUNID_LEN)
		return 0;
	for (int i = 0; i < RUNID_LEN; i++)
		if (!strchr("0123456789abcdef", s[i]) || !s[i])
			return 0;
	return 1;
}

int runid_of_netns(const char *name, char *out)
{
	size_t plen = strlen(RUNID_NETNS_PREFIX);
	char rid[RUNID_LEN + 1];

	if (strncmp(name, RUNID_NETNS_PREFIX, plen) != 0 ||
	    strlen(name) < plen + RUNID_LEN + 1 ||
	    name[plen + RUNID_LEN] != '-')
		return 0;
	memcpy(rid, name + plen, RUNID_LEN);
	rid[RUNID_LEN] = '\0';
	if (!runid_valid(rid))
		return 0;
	memcpy(out, rid, RUNID_LEN + 1);
	return 1;
}
