/*
 * The socket filter netd puts on each dnsmasq's rtnetlink socket (netd/core/dnsmasq_nl_filter.c,
 * put on by netd/kernel/dnsmasq_quiet.c): dnsmasq 2.90 binds that socket to every IPv4 and
 * IPv6 address and route group whatever its options, so without it every change of the host
 * wakes every network's dnsmasq. Pure: builds the classic BPF program, and reads from the
 * rendered config which bridge it is for.
 */
#ifndef NETD_DNSMASQ_NL_FILTER_H
#define NETD_DNSMASQ_NL_FILTER_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

/* Instructions the program has: an array of this many fits any ifindex. */
#define NETD_DNSMASQ_NL_FILTER_LEN 11

/*
 * The program for the dnsmasq of the bridge with ifindex: it accepts every message with
 * NLM_F_MULTI (the replies to dnsmasq's own dumps, NLMSG_DONE included), NLMSG_ERROR (the
 * acks of its requests), and RTM_NEWADDR/RTM_DELADDR of that ifindex (its own bridge's
 * addresses, which an RA/DHCPv6 dnsmasq re-enumerates on); it drops the rest (other links'
 * addresses, every route notice) before the kernel wakes dnsmasq. The program is judged on
 * the first message of each skb: a dump's skb holds only messages of that dump. Fills out
 * (NETD_DNSMASQ_NL_FILTER_LEN instructions) and returns their number.
 */
size_t netd_dnsmasq_nl_filter(unsigned ifindex, struct sock_filter *out);

/* The interface a rendered dnsmasq config serves: its one `interface=` line's value into
 * name. 0, or -ENOENT with no such line, -EINVAL with more than one or a name that does not
 * fit (then no one bridge is its own and it gets no filter). */
int netd_dnsmasq_conf_interface(const char *conf, char *name, size_t len);

/* Whether the dnsmasq of a rendered config acts on address notices at all: true with router
 * advertisements or DHCPv6 (an IPv6 network), a relay, bind-dynamic or local-service. An
 * IPv4-only netd config gives false: that dnsmasq binds its sockets once and never looks at
 * an address notice again, so its socket can leave the address groups too
 * (kernel/dnsmasq_quiet.c) and the kernel stops offering it every address change of the host.
 */
bool netd_dnsmasq_conf_addr_notices(const char *conf);

#endif
