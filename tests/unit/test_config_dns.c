/*
 * [DNS], [DNSRecord] and [DHCP]'s options as the parser checks them: each record type's strict
 * checks with file:line, the DNS and DHCP keys' rules; the option names against the installed
 * dnsmasq's. (Their rendering is test_dnsmasq_conf.c's.)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netd/config.h"
#include "netd/dnsmasq.h"
#include "netd/dns.h"

#define NET "[Network]\nName=n\nMode=nat\nBridge=b0\nAddress=10.0.0.1/24\n"

static void parse_err(const char *text, const char *want)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};

	if (netd_config_parse_string(text, "t.conf", &n, &d) != -EINVAL) {
		netd_network_free(n);
		fail_msg("accepted, wanted: %s\n--- text ---\n%s", want, text);
	}
	assert_string_equal(d.msg, want);
}

static void parse_ok(const char *text)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};

	if (netd_config_parse_string(text, "t.conf", &n, &d) != 0)
		fail_msg("refused: %s\n--- text ---\n%s", d.msg, text);
	netd_network_free(n);
}

#define REC(t, n, v) NET "[DNSRecord]\nType=" t "\nName=" n "\nValue=" v "\n"

static void records_checked_strictly(void **state)
{
	parse_ok(REC("a", "db", "10.0.0.5")); /* types in any case; a short name */
	parse_ok(REC("PTR", "5.0.0.10.in-addr.arpa", "db.lab"));
	parse_ok(REC("SRV", "_sip._udp", "0 0 5060 sip-1.lab"));
	parse_ok(REC("SRV", "_ftp._tcp", "0 0 21 .")); /* not offered */
	parse_err(REC("MX", "db", "10.0.0.5"),
	          "t.conf:7: invalid Type 'MX': use A, AAAA, CNAME, SRV, TXT or PTR");
	parse_err(
	    REC("A", "db", "fd00::5"),
	    "t.conf:9: invalid Value 'fd00::5' for a A record: an A record's value is an IPv4 "
	    "address");
	parse_err(REC("AAAA", "db", "10.0.0.5"),
	          "t.conf:9: invalid Value '10.0.0.5' for a AAAA record: an AAAA record's value is "
	          "an IPv6 address");
	parse_err(REC("A", "-db", "10.0.0.5"),
	          "t.conf:8: invalid Name '-db' for a A record: give a DNS name of letters, digits "
	          "and '-' separated by dots");
	parse_err(
	    REC("CNAME", "web", "www..lab"),
	    "t.conf:9: invalid Value 'www..lab' for a CNAME record: the value is the DNS name "
	    "it points to");
	parse_err(
	    REC("SRV", "ldap.lab", "10 50 389 ldap"),
	    "t.conf:8: invalid Name 'ldap.lab' for a SRV record: an SRV name is _SERVICE._tcp "
	    "or _SERVICE._udp, then an optional domain, e.g. Name=_ldap._tcp.lab.example");
	parse_err(REC("SRV", "_ldap._tcp", "10 50 70000 ldap"),
	          "t.conf:9: invalid Value '10 50 70000 ldap' for a SRV record: an SRV value is "
	          "PRIORITY WEIGHT PORT TARGET, e.g. Value=10 50 389 ldap.lab.example");
	parse_err(REC("SRV", "_ldap._tcp", "10 50 389"),
	          "t.conf:9: invalid Value '10 50 389' for a SRV record: an SRV value is "
	          "PRIORITY WEIGHT PORT TARGET, e.g. Value=10 50 389 ldap.lab.example");
	parse_err(REC("TXT", "x", "say \"hi\""),
	          "t.conf:9: invalid Value 'say \"hi\"' for a TXT record: TXT text is at most 255 "
	          "characters without '\"' or '\\'");
	parse_err(REC("PTR", "db.lab", "db.lab"),
	          "t.conf:8: invalid Name 'db.lab' for a PTR record: a PTR name is an IPv4 address "
	          "or a name under in-addr.arpa or ip6.arpa");
	parse_err(NET "[DNSRecord]\nType=A\nName=db\n",
	          "t.conf:6: [DNSRecord] has no Value=; a record needs Type=, Name= and Value=");
	parse_err(REC("A", "db", "10.0.0.5") "[DNSRecord]\nType=CNAME\nName=db\nValue=www\n",
	          "t.conf:12: db already has a record (the [DNSRecord] on line 6); a CNAME's name "
	          "can have no other record");
	parse_err("[Network]\nName=n\nMode=internal\nBridge=b0\n[DNS]\nDomain=lab\n",
	          "t.conf:5: [DNS] and [DNSRecord] need the network's dnsmasq, which serves the "
	          "host's address: add Address= to [Network]");
}

static void dns_keys_checked(void **state)
{
	parse_err(NET "[DNS]\nEnable=no\nDomain=lab\n",
	          "t.conf:8: nothing answers DNS with Enable=no (line 7); remove this or the "
	          "Enable=no");
	parse_err(NET "[DNS]\nLocalOnly=no\n",
	          "t.conf:7: LocalOnly= says whether Domain= is answered here only; add a Domain=");
	parse_err(NET "[DNS]\nForwarders=192.0.2.1 corp/300.1.1.1\n",
	          "t.conf:7: invalid Forwarders '192.0.2.1 corp/300.1.1.1': 'corp/300.1.1.1' is "
	          "not ADDRESS, DOMAIN/ADDRESS or DOMAIN/; e.g. Forwarders=192.0.2.53 "
	          "corp.example/10.0.0.53");
	parse_err(NET "[DNS]\nDomain=lab_.example!\n",
	          "t.conf:7: invalid Domain 'lab_.example!': give a domain name of letters, digits "
	          "and '-' separated by dots, e.g. Domain=lab.example");
	parse_ok(NET "[DNS]\nForwarders=2001:db8::53 corp.example/2001:db8::1 local.test/\n");
}

static void dhcp_options_checked(void **state)
{
#define DHCP NET "[DHCP]\nRange=10.0.0.10 10.0.0.20\n"
	parse_err(DHCP "Option=no-such-option,1\n",
	          "t.conf:8: invalid Option 'no-such-option,1': 'no-such-option' is not a DHCP "
	          "option dnsmasq knows; give its number (1-254) or a name from `dnsmasq --help "
	          "dhcp`");
	parse_err(DHCP "Option=255,1\n",
	          "t.conf:8: invalid Option '255,1': give CODE,VALUE with CODE a number from 1 to "
	          "254 or a dnsmasq option name, e.g. Option=ntp-server,192.0.2.123 or "
	          "Option=252,\"http://wpad/wpad.dat\"");
	parse_err(DHCP "Option=option:router,10.0.0.1\n",
	          "t.conf:8: invalid Option 'option:router,10.0.0.1': option 3 is set by Router=; "
	          "use that key");
	parse_err(DHCP "Option=119,a\nOption=domain-search,b\n",
	          "t.conf:9: option 119 is already given on line 8");
	parse_err(DHCP "Router=10.1.0.1\n",
	          "t.conf:8: Router= 10.1.0.1 is not inside the subnet 10.0.0.0/24; a gateway must "
	          "be on the guests' link");
	parse_err(DHCP "NextServer=10.0.0.5\n",
	          "t.conf:8: NextServer= names where BootFile= is fetched from; add a BootFile=");
	parse_err(DHCP "DNS=10.0.0.1 10.0.0.1\n",
	          "t.conf:8: invalid DNS '10.0.0.1 10.0.0.1': 10.0.0.1 is named twice");
#undef DHCP
}

/* The table in core is dnsmasq's own list: every name `dnsmasq --help dhcp` prints, with its
 * code, and nothing else. */
static void option_names_are_dnsmasqs(void **state)
{
	const char *bin = getenv("NETD_DNSMASQ") ? getenv("NETD_DNSMASQ") : "/usr/sbin/dnsmasq";
	char cmd[512], line[256], name[128];
	unsigned code;
	size_t seen = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s --help dhcp 2>/dev/null", bin);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %u %127s", &code, name) != 2)
			continue;
		if (netd_dhcp_option_code(name) != (int)code)
			fail_msg("dnsmasq knows option %u as %s; netd's table says %d", code, name,
			         netd_dhcp_option_code(name));
		seen++;
	}
	if (pclose(f) != 0 || seen == 0)
		fail_msg("%s --help dhcp did not list options: is dnsmasq installed?", bin);
	assert_int_equal(seen, netd_dhcp_n_option_names);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(records_checked_strictly),
	    cmocka_unit_test(dns_keys_checked),
	    cmocka_unit_test(dhcp_options_checked),
	    cmocka_unit_test(option_names_are_dnsmasqs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
