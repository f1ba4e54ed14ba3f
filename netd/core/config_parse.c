/*
 * The strict parser of one network definition (INI, one network per file).
 *
 * Debian's libinih passes no line number to the handler, so inih reads through our own
 * line reader: it counts lines, tracks [Section] headers itself (inih calls the handler
 * only for keys, so an empty section or a repeated [Host] would be invisible otherwise)
 * and stops the parse at the first error by reporting end of input.
 *
 * Each key's syntax is checked as it is read; rules that tie keys together (the range
 * inside the subnet, the mode's rules) run once the whole file is in.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/bond.h"
#include "netd/config.h"
#include "netd/mode.h"
#include "netd/tap.h"
#include "config_priv.h"

static const char *const section_names[SEC_MAX] = {
    [SEC_NETWORK] = "Network", [SEC_DHCP] = "DHCP", [SEC_HOST] = "Host",
    [SEC_POLICY] = "Policy",   [SEC_BOND] = "Bond", [SEC_TAP] = "Tap",
};

struct key_def {
	enum section sec;
	const char *name;
	int (*set)(struct parser *p, enum key k, const char *v);
};

static int set_name(struct parser *p, enum key k, const char *v)
{
	if (!netd_netname_valid(v))
		return cfg_fail(p, p->line,
		                "invalid Name '%s': use 1-%d letters, digits, '_' or '-'", v,
		                NETD_NAME_MAX - 1);
	snprintf(p->n->name, sizeof(p->n->name), "%s", v);
	p->n->line_name = p->line;
	return 0;
}

static int set_mode(struct parser *p, enum key k, const char *v)
{
	int m = netd_mode_from_string(v);

	if (m < 0)
		return cfg_fail(p, p->line,
		                "unknown Mode '%s': use nat, bridged, hostonly or internal", v);
	p->n->mode = (enum netd_mode)m;
	p->n->line_mode = p->line;
	return 0;
}

static int parse_ifname(struct parser *p, const char *key, const char *v, char out[IFNAMSIZ])
{
	if (!netd_ifname_valid(v))
		return cfg_fail(p, p->line,
		                "invalid %s '%s': an interface name is 1-%d bytes without '/', ':' "
		                "or whitespace",
		                key, v, IFNAMSIZ - 1);
	snprintf(out, IFNAMSIZ, "%s", v);
	return 0;
}

static int set_bridge(struct parser *p, enum key k, const char *v)
{
	p->n->line_bridge = p->line;
	return parse_ifname(p, "Bridge", v, p->n->bridge);
}

static int set_uplink(struct parser *p, enum key k, const char *v)
{
	p->n->line_uplink = p->line;
	return parse_ifname(p, "Uplink", v, p->n->uplink);
}

static int set_address(struct parser *p, enum key k, const char *v)
{
	struct netd_prefix a;
	char net[32], ip[INET_ADDRSTRLEN];

	if (netd_prefix_parse(v, &a) < 0)
		return cfg_fail(
		    p, p->line,
		    "invalid Address '%s': give the host's IPv4 address with its prefix "
		    "length, e.g. Address=192.122.1.1/24",
		    v);
	if (a.len < 8)
		return cfg_fail(
		    p, p->line,
		    "Address %s: a /%u subnet is far too wide for a virtual network; use "
		    "a prefix length between 8 and 30",
		    v, a.len);
	if (a.len > 30)
		return cfg_fail(
		    p, p->line,
		    "Address %s: a /%u subnet leaves no address for guests; use a prefix "
		    "length between 8 and 30",
		    v, a.len);
	netd_prefix_format(&a, true, net, sizeof(net));
	if (a.addr.s_addr == netd_prefix_network(&a).s_addr)
		return cfg_fail(
		    p, p->line,
		    "Address %s is the network address of %s; use a host address such as "
		    "%s/%u",
		    v, net, ip_str(ip_of(hval(a.addr) + 1), ip), a.len);
	if (a.addr.s_addr == netd_prefix_broadcast(&a).s_addr)
		return cfg_fail(
		    p, p->line,
		    "Address %s is the broadcast address of %s; use a host address such as "
		    "%s/%u",
		    v, net, ip_str(ip_of(hval(netd_prefix_network(&a)) + 1), ip), a.len);
	p->n->address = a;
	p->n->has_address = true;
	p->n->line_address = p->line;
	return 0;
}

static int set_autostart(struct parser *p, enum key k, const char *v)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			p->n->autostart = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			p->n->autostart = false;
			return 0;
		}
	}
	return cfg_fail(p, p->line, "invalid Autostart '%s': use yes or no", v);
}

/* [DHCP] */

static int set_range(struct parser *p, enum key k, const char *v)
{
	char buf[64], *first, *last, *s;

	/* "FIRST LAST", "FIRST-LAST" or "FIRST,LAST", with optional blanks around - and , */
	if (strlen(v) >= sizeof(buf))
		goto bad;
	strcpy(buf, v);
	first = buf;
	s = first + strcspn(first, " \t,-");
	if (!*s)
		goto bad;
	last = s;
	last += strspn(last, " \t");
	if (*last == '-' || *last == ',')
		last++;
	last += strspn(last, " \t");
	*s = '\0';
	if (netd_ipv4_parse(first, &p->n->dhcp_first) < 0 ||
	    netd_ipv4_parse(last, &p->n->dhcp_last) < 0)
		goto bad;
	p->n->line_range = p->line;
	return 0;
bad:
	return cfg_fail(p, p->line,
	                "invalid Range '%s': give the first and last address to lease, e.g. "
	                "Range=192.122.1.2 192.122.1.254",
	                v);
}

static int set_lease_time(struct parser *p, enum key k, const char *v)
{
	unsigned long long n, mult = 1;
	char *end;

	if (strcmp(v, "infinite") == 0) {
		p->n->lease_time = 0;
		return 0;
	}
	if (!isdigit((unsigned char)v[0]))
		goto bad;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno == ERANGE)
		goto big;
	if (*end) {
		switch (*end) {
		case 's':
			mult = 1;
			break;
		case 'm':
			mult = 60;
			break;
		case 'h':
			mult = 3600;
			break;
		case 'd':
			mult = 86400;
			break;
		default:
			goto bad;
		}
		if (end[1])
			goto bad;
	}
	if (n > UINT_MAX / mult)
		goto big;
	n *= mult;
	if (n < MIN_LEASE_TIME)
		return cfg_fail(
		    p, p->line,
		    "LeaseTime %s is below dnsmasq's minimum of 2 minutes; use at least "
		    "120s or 2m",
		    v);
	p->n->lease_time = (unsigned)n;
	return 0;
bad:
	return cfg_fail(
	    p, p->line,
	    "invalid LeaseTime '%s': use a number of seconds with an optional unit s, m, "
	    "h or d (e.g. 12h), or 'infinite'",
	    v);
big:
	return cfg_fail(p, p->line,
	                "LeaseTime %s is too long; use 'infinite' for leases that never end", v);
}

/* [Host] */

static struct netd_host *cur_host(struct parser *p)
{
	return &p->n->hosts[p->n->n_hosts - 1];
}

static int set_host_mac(struct parser *p, enum key k, const char *v)
{
	if (netd_mac_parse(v, cur_host(p)->mac) < 0)
		return cfg_fail(p, p->line,
		                "invalid MAC '%s': give six hex bytes separated by ':', e.g. "
		                "MAC=52:54:00:12:34:56",
		                v);
	p->hl[p->n->n_hosts - 1].mac = p->line;
	return 0;
}

static int set_host_address(struct parser *p, enum key k, const char *v)
{
	if (netd_ipv4_parse(v, &cur_host(p)->addr) < 0)
		return cfg_fail(p, p->line,
		                "invalid Address '%s' in [Host]: give one IPv4 address without a "
		                "prefix length, e.g. Address=192.122.1.10",
		                v);
	p->hl[p->n->n_hosts - 1].addr = p->line;
	return 0;
}

static int set_host_name(struct parser *p, enum key k, const char *v)
{
	if (!netd_hostname_valid(v))
		return cfg_fail(
		    p, p->line,
		    "invalid Name '%s' in [Host]: a host name is 1-%d letters, digits or "
		    "'-', and does not start or end with '-'",
		    v, NETD_HOSTNAME_MAX - 1);
	snprintf(cur_host(p)->name, sizeof(cur_host(p)->name), "%s", v);
	p->hl[p->n->n_hosts - 1].name = p->line;
	return 0;
}

/* [Policy] */

static int set_policy(struct parser *p, enum key k, const char *v)
{
	enum netd_cell c = (enum netd_cell)(k - K_POLICY_FIRST);
	int pol = netd_policy_from_string(v);

	if (pol < 0)
		return cfg_fail(p, p->line, "invalid %s '%s': use allow or deny",
		                netd_cell_to_string(c), v);
	p->policy[c] = (enum netd_policy)pol;
	p->n->policy_set[c] = true;
	p->n->policy_line[c] = p->line;
	return 0;
}

static const struct key_def keys[K_MAX] = {
    [K_NAME] = {SEC_NETWORK, "Name", set_name},
    [K_MODE] = {SEC_NETWORK, "Mode", set_mode},
    [K_BRIDGE] = {SEC_NETWORK, "Bridge", set_bridge},
    [K_ADDRESS] = {SEC_NETWORK, "Address", set_address},
    [K_AUTOSTART] = {SEC_NETWORK, "Autostart", set_autostart},
    [K_UPLINK] = {SEC_NETWORK, "Uplink", set_uplink},
    [K_RANGE] = {SEC_DHCP, "Range", set_range},
    [K_LEASE_TIME] = {SEC_DHCP, "LeaseTime", set_lease_time},
    [K_HOST_MAC] = {SEC_HOST, "MAC", set_host_mac},
    [K_HOST_ADDRESS] = {SEC_HOST, "Address", set_host_address},
    [K_HOST_NAME] = {SEC_HOST, "Name", set_host_name},
    [K_POLICY_FIRST + NETD_CELL_VM_TO_HOST] = {SEC_POLICY, "VMToHost", set_policy},
    [K_POLICY_FIRST + NETD_CELL_HOST_TO_VM] = {SEC_POLICY, "HostToVM", set_policy},
    [K_POLICY_FIRST + NETD_CELL_VM_TO_OUTSIDE] = {SEC_POLICY, "VMToOutside", set_policy},
    [K_POLICY_FIRST + NETD_CELL_OUTSIDE_TO_VM] = {SEC_POLICY, "OutsideToVM", set_policy},
    [K_POLICY_FIRST + NETD_CELL_VM_TO_VM] = {SEC_POLICY, "VMToVM", set_policy},
};

static int unknown_key(struct parser *p, const char *name)
{
	char list[256] = "";
	size_t len = 0;
	int last = -1, count = 0;

	for (int k = 0; k < K_MAX; k++)
		if (keys[k].sec == p->cur)
			last = k;
	for (int k = 0; k < K_MAX; k++) {
		if (keys[k].sec != p->cur)
			continue;
		len += snprintf(list + len, sizeof(list) - len, "%s%s",
		                count == 0  ? ""
		                : k == last ? " and "
		                            : ", ",
		                keys[k].name);
		count++;
	}
	return cfg_fail(p, p->line,
	                "unknown key '%s' in [%s]; the keys there are %s (case-sensitive)", name,
	                section_names[p->cur], list);
}

/* [Tap] keys live in config_tap.c. */
static int tap_key(struct parser *p, const char *name, const char *value)
{
	char msg[sizeof(p->diag->msg)];
	int ret;

	ret = netd_config_tap_set(&p->n->taps[p->n->n_taps - 1], name, value, p->line, msg,
	                          sizeof(msg));
	if (ret == -ENOENT)
		cfg_fail(p, p->line,
		         "unknown key '%s' in [Tap]; the keys there are Name, MAC, Address, Owner, "
		         "Group and Queues (case-sensitive)",
		         name);
	else if (ret < 0)
		cfg_fail(p, p->line, "%s", msg);
	return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;

	/* Always "success": inih's own error count is kept for syntax errors only. */
	if (p->err)
		return 1;
	if (p->cur == SEC_NONE) {
		cfg_fail(p, p->line,
		         "%s= is outside any section; put it under a section header such "
		         "as [Network]",
		         name);
		return 1;
	}
	if (!*name) {
		cfg_fail(p, p->line, "missing key name before '='");
		return 1;
	}
	if (p->cur == SEC_BOND) {
		char msg[sizeof(p->diag->msg)];

		if (netd_config_bond_key(&p->n->bond, name, value, p->line, msg, sizeof(msg)) < 0)
			cfg_fail(p, p->line, "%s", msg);
		return 1;
	}
	if (p->cur == SEC_TAP)
		return tap_key(p, name, value);
	for (int k = 0; k < K_MAX; k++) {
		if (keys[k].sec != p->cur || strcmp(keys[k].name, name) != 0)
			continue;
		if (p->key_line[k])
			cfg_fail(p, p->line,
			         "%s= is given twice in [%s] (first on line %u); keep one", name,
			         section_names[p->cur], p->key_line[k]);
		else if (!value || !*value)
			cfg_fail(p, p->line,
			         "%s= has an empty value; give a value or remove the line", name);
		else if (keys[k].set(p, (enum key)k, value) == 0)
			p->key_line[k] = p->line;
		return 1;
	}
	unknown_key(p, name);
	return 1;
}

static int begin_host(struct parser *p)
{
	struct netd_network *n = p->n;
	struct netd_host *hosts;
	struct host_lines *hl;

	hosts = realloc(n->hosts, (n->n_hosts + 1) * sizeof(*hosts));
	if (!hosts)
		return cfg_fail_nomem(p);
	n->hosts = hosts;
	hl = realloc(p->hl, (n->n_hosts + 1) * sizeof(*hl));
	if (!hl)
		return cfg_fail_nomem(p);
	p->hl = hl;
	memset(&hosts[n->n_hosts], 0, sizeof(*hosts));
	memset(&hl[n->n_hosts], 0, sizeof(*hl));
	hosts[n->n_hosts].line = p->line;
	n->n_hosts++;
	for (int k = 0; k < K_MAX; k++)
		if (keys[k].sec == SEC_HOST)
			p->key_line[k] = 0;
	return 0;
}

static int begin_tap(struct parser *p)
{
	struct netd_network *n = p->n;

	if (n->n_taps == NETD_TAPS_MAX)
		return cfg_fail(p, p->line,
		                "more than %d [Tap] sections; attach further taps with "
		                "netdctl attach",
		                NETD_TAPS_MAX);
	memset(&n->taps[n->n_taps], 0, sizeof(n->taps[0]));
	n->taps[n->n_taps].line = p->line;
	n->n_taps++;
	return 0;
}

/* A line starting with '[' (leading blanks already gone). */
static int begin_section(struct parser *p, const char *line, size_t len)
{
	const char *close = memchr(line, ']', len);
	const char *rest;
	size_t name_len;
	enum section s;

	if (!close)
		return cfg_fail(p, p->line, "section header without ']'; write it as [Network]");
	name_len = (size_t)(close - line - 1);
	for (rest = close + 1; rest < line + len && (*rest == ' ' || *rest == '\t'); rest++)
		;
	if (rest < line + len && *rest != ';' && *rest != '#')
		return cfg_fail(p, p->line, "unexpected text after the section header [%.*s]",
		                (int)name_len, line + 1);
	for (s = SEC_NETWORK; s < SEC_MAX; s++)
		if (strlen(section_names[s]) == name_len &&
		    strncmp(section_names[s], line + 1, name_len) == 0)
			break;
	if (s == SEC_MAX)
		return cfg_fail(p, p->line,
		                "unknown section [%.*s]; sections are case-sensitive: [Network], "
		                "[DHCP], [Host], [Policy], [Tap] or [Bond]",
		                (int)(name_len > 64 ? 64 : name_len), line + 1);
	if (s != SEC_HOST && s != SEC_TAP && p->sec_line[s])
		return cfg_fail(p, p->line,
		                "section [%s] appears again (first on line %u); a file defines one "
		                "network, and only [Host] and [Tap] may repeat",
		                section_names[s], p->sec_line[s]);
	if (!p->sec_line[s])
		p->sec_line[s] = p->line;
	p->cur = s;
	if (s == SEC_TAP)
		return begin_tap(p);
	return s == SEC_HOST ? begin_host(p) : 0;
}

/* Screens each line before inih sees it; see the comment at the top. */
static char *reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	const char *start, *nl, *line;
	size_t len, total;

	if (p->err || !p->text[p->pos])
		return NULL;
	start = p->text + p->pos;
	nl = strchr(start, '\n');
	total = nl ? (size_t)(nl - start) + 1 : strlen(start);
	p->pos += total;
	p->line++;

	line = start;
	len = nl ? (size_t)(nl - start) : total;
	if (p->line == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
		line += 3;
		len -= 3;
	}
	if (len && line[len - 1] == '\r')
		len--;
	/* Leading blanks are dropped so inih never treats a line as a continuation. */
	while (len && isspace((unsigned char)*line)) {
		line++;
		len--;
	}
	if (len + 2 > (size_t)num) {
		cfg_fail(p, p->line, "line is longer than %d characters", num - 2);
		return NULL;
	}
	memcpy(str, line, len);
	str[len] = '\n';
	str[len + 1] = '\0';

	if (len && line[0] == '[') {
		if (begin_section(p, line, len) < 0)
			return NULL;
	} else if (len && line[0] != ';' && line[0] != '#' && !memchr(line, '=', len)) {
		cfg_fail(p, p->line,
		         "expected Key=Value, a [Section] header or a comment, not '%.*s'",
		         (int)(len > 60 ? 60 : len), line);
		return NULL;
	}
	return str;
}

/* A free stretch of the subnet beside the host's address, for messages that suggest one. */
static int finish(struct parser *p)
{
	struct netd_network *n = p->n;
	unsigned hdr = p->sec_line[SEC_NETWORK];
	const struct netd_mode_ops *ops;
	char bond_msg[sizeof(p->diag->msg)];
	unsigned bond_line;
	char tap_msg[sizeof(p->diag->msg)];
	unsigned tap_line;
	int ret;

	if (!hdr)
		return cfg_fail(p, 1,
		                "no [Network] section; a network file needs one with Name=, Mode= "
		                "and Bridge=");
	if (!p->key_line[K_NAME])
		return cfg_fail(p, hdr, "[Network] has no Name=; add one, e.g. Name=mynet");
	if (!p->key_line[K_MODE])
		return cfg_fail(p, hdr,
		                "[Network] has no Mode=; add one of Mode=nat, bridged, hostonly or "
		                "internal");
	if (!p->key_line[K_BRIDGE])
		return cfg_fail(p, hdr,
		                "[Network] has no Bridge=; name the bridge to create, e.g. "
		                "Bridge=virbr1");
	ops = netd_mode_ops(n->mode);
	n->bond.line = p->sec_line[SEC_BOND];
	if (netd_config_bond_finish(n, &bond_line, bond_msg, sizeof(bond_msg)) < 0)
		return cfg_fail(p, bond_line, "%s", bond_msg);
	if (cfg_check_mode_rules(p, ops) < 0)
		return p->err;
	n->has_dhcp = p->sec_line[SEC_DHCP] != 0;
	if (n->has_dhcp && cfg_check_range(p) < 0)
		return p->err;
	for (size_t i = 0; i < n->n_hosts; i++)
		if (cfg_check_host(p, i) < 0)
			return p->err;
	if (netd_config_tap_check(n, &tap_line, tap_msg, sizeof(tap_msg)) < 0)
		return cfg_fail(p, tap_line, "%s", tap_msg);
	if (cfg_check_policy(p, ops) < 0)
		return p->err;
	if (ops->validate) {
		ret = ops->validate(n, p->diag);
		if (ret < 0) {
			p->err = ret;
			return ret;
		}
	}
	return 0;
}

int netd_config_parse_string(const char *text, const char *source, struct netd_network **out,
                             struct netd_diag *diag)
{
	struct parser p = {
	    .text = text,
	    .source = source ? source : "<string>",
	    .diag = diag,
	};
	int ret;

	if (!text || !out)
		return -EINVAL;
	p.n = netd_network_new();
	if (!p.n) {
		netd_diag_set(diag, "%s: %s", p.source, strerror(ENOMEM));
		return -ENOMEM;
	}
	snprintf(p.n->source, sizeof(p.n->source), "%s", p.source);
	p.n->lease_time = DEFAULT_LEASE_TIME;

	ret = ini_parse_stream(reader, &p, handler, &p);
	if (ret == -2) {
		cfg_fail_nomem(&p);
	} else if (ret > 0 && (!p.err || (unsigned)ret < p.err_line)) {
		/* Our reader screens every line, so this is a fallback that should not fire. */
		p.err = 0;
		cfg_fail(&p, (unsigned)ret, "expected Key=Value, a [Section] header or a comment");
	}
	if (!p.err)
		finish(&p);
	ret = p.err;
	free(p.hl);
	if (ret < 0) {
		netd_network_free(p.n);
		return ret;
	}
	*out = p.n;
	return 0;
}

int netd_config_parse_file(const char *path, struct netd_network **out, struct netd_diag *diag)
{
	char *buf = NULL, *bigger;
	size_t len = 0, cap = 0, got;
	FILE *f;
	int ret;

	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		netd_diag_set(diag, "%s: %s", path, strerror(errno));
		return ret;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			bigger = realloc(buf, cap);
			if (!bigger) {
				ret = -ENOMEM;
				netd_diag_set(diag, "%s: %s", path, strerror(ENOMEM));
				goto out;
			}
			buf = bigger;
		}
		got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (len > MAX_FILE_SIZE) {
			ret = -EFBIG;
			netd_diag_set(diag,
			              "%s: larger than %d bytes; that is not a network definition",
			              path, MAX_FILE_SIZE);
			goto out;
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		ret = errno ? -errno : -EIO;
		netd_diag_set(diag, "%s: %s", path, strerror(-ret));
		goto out;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		/* The string parser would stop at the NUL silently: name its line instead. */
		unsigned line = 1;

		for (const char *c = buf; *c; c++)
			line += *c == '\n';
		ret = -EINVAL;
		netd_diag_set(diag, "%s:%u: the file contains a NUL byte; is it a text file?", path,
		              line);
		goto out;
	}
	ret = netd_config_parse_string(buf, path, out, diag);
out:
	free(buf);
	fclose(f);
	return ret;
}
