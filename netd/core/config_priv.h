/* Shared by config_parse.c (reading a file) and config_validate.c (the rules that tie keys
 * together); not a public contract. */
#ifndef NETD_CONFIG_PRIV_H
#define NETD_CONFIG_PRIV_H

#include <arpa/inet.h>

#include "netd/config.h"
#include "netd/mode.h"

#define MAX_FILE_SIZE      (1024 * 1024)
#define DEFAULT_LEASE_TIME 3600
#define MIN_LEASE_TIME     120 /* dnsmasq refuses shorter leases */

enum section {
	SEC_NONE,
	SEC_NETWORK,
	SEC_DHCP,
	SEC_HOST,
	SEC_POLICY,
	SEC_BOND,
	SEC_TAP,
	SEC_MAX,
};

enum key {
	K_NAME,
	K_MODE,
	K_BRIDGE,
	K_ADDRESS,
	K_AUTOSTART,
	K_UPLINK,
	K_RANGE,
	K_LEASE_TIME,
	K_HOST_MAC,
	K_HOST_ADDRESS,
	K_HOST_NAME,
	K_POLICY_FIRST,
	K_MAX = K_POLICY_FIRST + NETD_CELL_MAX,
};

struct host_lines {
	unsigned mac, addr, name;
};

struct parser {
	const char *text;
	size_t pos;
	unsigned line;
	const char *source;
	struct netd_network *n;
	struct netd_diag *diag;
	int err;
	unsigned err_line;

	enum section cur;
	unsigned sec_line[SEC_MAX]; /* header line of the first such section; 0: absent */
	unsigned key_line[K_MAX];   /* 0: not given (in the current section for [Host]) */

	struct host_lines *hl; /* parallel to n->hosts */
	enum netd_policy policy[NETD_CELL_MAX];
};

/* Record the first error as "source:line: message" and return -EINVAL; later calls keep it. */
int cfg_fail(struct parser *p, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int cfg_fail_nomem(struct parser *p);

static inline const char *ip_str(struct in_addr a, char buf[INET_ADDRSTRLEN])
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static inline uint32_t hval(struct in_addr a)
{
	return ntohl(a.s_addr);
}

static inline struct in_addr ip_of(uint32_t host_order)
{
	struct in_addr a = {htonl(host_order)};
	return a;
}

/* [Network] */

/* The rules that need the whole file (config_validate.c). */
int cfg_check_mode_rules(struct parser *p, const struct netd_mode_ops *ops);
int cfg_check_range(struct parser *p);
int cfg_check_host(struct parser *p, size_t i);
int cfg_check_policy(struct parser *p, const struct netd_mode_ops *ops);

#endif
