/* hostsfile: renders and writes a run's hosts file. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hostsfile.h"
#include "proc.h"

static int hostsfile_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 253 || s[0] == '.' || s[0] == '-')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '.' || *s == '-'))
			return 0;
	return 1;
}

int hostsfile_render(const char *rid, const struct hostsfile_entry *e,
		     size_t n, char *buf, size_t cap)
{
	struct in_addr a;
	size_t len = 0;
	int r;

	r = snprintf(buf, cap,
		     "# punchlab run %s: the names of its WAN services\n"
		     "127.0.0.1\tlocalhost\n",
		     rid);
	if (r < 0 || (size_t)r >= cap)
		return -ENOSPC;
	len = (size_t)r;
	for (size_t i = 0; i < n; i++) {
		if (inet_pton(AF_INET, e[i].addr, &a) != 1 ||
		    !hostsfile_name_ok(e[i].name))
			return -EINVAL;
		r = snprintf(buf + len, cap - len, "%s\t%s\n", e[i].addr,
			     e[i].name);
		if (r < 0 || (size_t)r >= cap - len)
			return -ENOSPC;
		len += (size_t)r;
	}
	return (int)len;
}

int hostsfile_write(const char *path, const char *rid,
		    const struct hostsfile_entry *e, size_t n)
{
	char buf[4096];
	int len, fd, ret = 0;

	len = hostsfile_render(rid, e, n, buf, sizeof(buf));
	if (len < 0)
		return len;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (proc_write_all(fd, buf, (size_t)len) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}
