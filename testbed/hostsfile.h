/* hostsfile: the /etc/hosts every process of a run sees — the run's WAN
 * names (stun.punchlab.test, coordinator.punchlab.test, ...) in a file of
 * the run's state folder, bind-mounted over /etc/hosts in a private
 * mount namespace of each spawned process (as `ip netns exec` does with
 * /etc/netns/NAME/, without touching the host's /etc). */
#ifndef PUNCHLAB_HOSTSFILE_H
#define PUNCHLAB_HOSTSFILE_H

#include <stddef.h>

struct hostsfile_entry {
	const char *addr; /* dotted IPv4 */
	const char *name; /* one name, [a-z0-9.-] */
};

/* The file's text for run rid: a header naming the run, localhost, then
 * one line per entry. Its length, -EINVAL for an address or name that
 * is not one, -ENOSPC when it does not fit in cap. */
int hostsfile_render(const char *rid, const struct hostsfile_entry *e,
		     size_t n, char *buf, size_t cap);
/* Renders into path (created 0644, replaced whole). 0 or -errno. */
int hostsfile_write(const char *path, const char *rid,
		    const struct hostsfile_entry *e, size_t n);

#endif
