/* dnsmasq's lease file, read whole and handed to the pure parser (core/leases.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "netd/kernel/dnsmasq.h"

int netd_dnsmasq_leases_read(const struct netd_dnsmasq_paths *p, struct netd_lease **out, size_t *n)
{
	char *text = NULL;
	size_t len = 0, cap = 0;
	ssize_t r;
	int fd, ret;

	fd = open(p->leases, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			return -errno;
		*out = NULL;
		*n = 0;
		return 0;
	}
	for (;;) {
		if (cap - len < 4096) {
			char *t = realloc(text, cap + 65536);

			if (!t) {
				ret = -ENOMEM;
				goto out;
			}
			text = t;
			cap += 65536;
		}
		r = read(fd, text + len, cap - len - 1);
		if (r < 0) {
			ret = -errno;
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	text[len] = '\0';
	ret = netd_dnsmasq_leases_parse(text, out, n);
out:
	free(text);
	close(fd);
	return ret;
}
