/* rstguard: one rule in raw prerouting. A RST without ACK answers a
 * segment that carried no ACK of ours; every segment a punch sends
 * before it connects is a SYN without ACK, which a stack answers with
 * RST+ACK. So in SYN_SENT only a forger sends a bare RST, and conntrack
 * takes one (the reply direction has no window yet to check it
 * against) and closes the entry: the peer's real SYN then finds none
 * and is dropped as unsolicited (README "Spoofed packets at punch
 * time"). Priority raw (-300): before conntrack (-200) looks at it. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rstguard.h"

static int rstguard_name_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n > max)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' &&
		    *s != '.')
			return 0;
	return 1;
}

int rstguard_render(const char *table, const char *wan, char *buf, size_t cap)
{
	int n;

	if (!rstguard_name_ok(table, 63 - strlen(RSTGUARD_SUFFIX)) ||
	    strchr(table, '-') || strchr(table, '.') ||
	    !rstguard_name_ok(wan, 15))
		return -EINVAL;
	n = snprintf(buf, cap,
		     "table inet %s" RSTGUARD_SUFFIX " {\n"
		     "\tcounter " RSTGUARD_COUNTER " { }\n"
		     "\tchain pre {\n"
		     "\t\ttype filter hook prerouting priority raw; "
		     "policy accept;\n"
		     "\t\tiifname \"%s\" tcp flags & (rst | ack) == rst "
		     "counter name \"" RSTGUARD_COUNTER "\" drop\n"
		     "\t}\n"
		     "}\n",
		     table, wan);
	if (n < 0 || (size_t)n >= cap)
		return -ENOSPC;
	return n;
}
