/* The socket filter of a dnsmasq's rtnetlink socket (include/netd/dnsmasq_nl_filter.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "netd/dnsmasq_nl_filter.h"

/* Offsets in the message: struct nlmsghdr, then for an address struct ifaddrmsg. */
#define OFF_TYPE  offsetof(struct nlmsghdr, nlmsg_type)
#define OFF_FLAGS offsetof(struct nlmsghdr, nlmsg_flags)
#define OFF_INDEX (NLMSG_HDRLEN + offsetof(struct ifaddrmsg, ifa_index))

#define ACCEPT 0xffffffffu /* the whole message */
#define DROP   0u

size_t netd_dnsmasq_nl_filter(unsigned ifindex, struct sock_filter *out)
{
	/*
	 * BPF_LD|BPF_ABS loads read the packet as big-endian (they are made for network
	 * headers), while a netlink header and ifaddrmsg are in host order: a 16-bit field v
	 * loads as htons(v) and a 32-bit one as htonl(v) on either kind of host, so each is
	 * compared with the htons()/htonl() of the value. Jump offsets count from the next
	 * instruction: [9] accepts, [10] drops.
	 */
	const struct sock_filter prog[NETD_DNSMASQ_NL_FILTER_LEN] = {
	    /* 0 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, OFF_TYPE),
	    /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htons(NLMSG_ERROR), 7, 0),
	    /* 2 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, OFF_FLAGS),
	    /* 3 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, htons(NLM_F_MULTI), 5, 0),
	    /* 4 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, OFF_TYPE),
	    /* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htons(RTM_NEWADDR), 1, 0),
	    /* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htons(RTM_DELADDR), 0, 3),
	    /* A message shorter than the load drops: the kernel ends the program with 0. */
	    /* 7 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_INDEX),
	    /* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(ifindex), 0, 1),
	    /* 9 */ BPF_STMT(BPF_RET | BPF_K, ACCEPT),
	    /* 10 */ BPF_STMT(BPF_RET | BPF_K, DROP),
	};

	memcpy(out, prog, sizeof(prog));
	return NETD_DNSMASQ_NL_FILTER_LEN;
}

/* The next line of a config: its start, its length (no newline) in *len, and *rest moved past
 * it; NULL after the last. */
static const char *next_line(const char **rest, size_t *len)
{
	const char *line = *rest, *end;

	if (!line || !*line)
		return NULL;
	end = strchr(line, '\n');
	*len = end ? (size_t)(end - line) : strlen(line);
	*rest = end ? end + 1 : NULL;
	return line;
}

/* Whether line (l bytes, no newline) starts with key. */
static bool starts(const char *line, size_t l, const char *key)
{
	size_t k = strlen(key);

	return l >= k && strncmp(line, key, k) == 0;
}

int netd_dnsmasq_conf_interface(const char *conf, char *name, size_t len)
{
	static const char key[] = "interface=";
	const char *found = NULL, *rest = conf, *line;
	size_t n = 0, l;

	while ((line = next_line(&rest, &l)))
		if (l > sizeof(key) - 1 && starts(line, l, key)) {
			if (found)
				return -EINVAL;
			found = line + sizeof(key) - 1;
			n = l - (sizeof(key) - 1);
		}
	if (!found)
		return -ENOENT;
	if (n + 1 > len)
		return -EINVAL;
	memcpy(name, found, n);
	name[n] = '\0';
	return 0;
}

bool netd_dnsmasq_conf_addr_notices(const char *conf)
{
	const char *rest = conf, *line;
	size_t l;

	while ((line = next_line(&rest, &l)))
		/* dnsmasq 2.90's newaddress(): an address notice makes it enumerate the host's
		 * interfaces again only for RA, DHCPv6, relaying, bind-dynamic or local-service; an
		 * IPv6 range (or a tagged one: ':' either way, kept to be safe) means DHCPv6. */
		if (starts(line, l, "enable-ra") || starts(line, l, "bind-dynamic") ||
		    starts(line, l, "local-service") || starts(line, l, "dhcp-relay") ||
		    (starts(line, l, "dhcp-range=") && memchr(line, ':', l)))
			return true;
	return false;
}
