/* The probe's rendering: exact text, the JSON shape, and what counts as a difference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

static const enum netd_policy nat[NETD_CELL_MAX] = {
    [NETD_CELL_VM_TO_HOST] = NETD_POLICY_ALLOW,    [NETD_CELL_HOST_TO_VM] = NETD_POLICY_DENY,
    [NETD_CELL_VM_TO_OUTSIDE] = NETD_POLICY_ALLOW, [NETD_CELL_OUTSIDE_TO_VM] = NETD_POLICY_DENY,
    [NETD_CELL_VM_TO_VM] = NETD_POLICY_ALLOW,
};

static void measured(struct netd_probe_cell *c, bool icmp, bool tcp)
{
	c->how = NETD_PROBE_MEASURED;
	c->icmp = icmp;
	c->tcp = tcp;
	c->tcp_measured = true;
}

/* A nat network as a probe without --peer sees it. */
static void nat_result(struct netd_probe_result *r)
{
	static const uint8_t mac1[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x01},
	                     mac2[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x02};

	memset(r, 0, sizeof(*r));
	strcpy(r->network, "default");
	strcpy(r->mode, "nat");
	strcpy(r->bridge, "virbr0");
	for (int c = 0; c < NETD_CELL_MAX; c++)
		r->cells[c].expected = nat[c];
	measured(&r->cells[NETD_CELL_VM_TO_HOST], true, true);
	measured(&r->cells[NETD_CELL_HOST_TO_VM], false, false);
	measured(&r->cells[NETD_CELL_VM_TO_VM], true, true);
	r->n_vms = 2;
	strcpy(r->vms[0].name, "vm1");
	strcpy(r->vms[1].name, "vm2");
	inet_pton(AF_INET, "192.122.1.17", &r->vms[0].addr);
	inet_pton(AF_INET, "192.122.1.42", &r->vms[1].addr);
	r->vms[0].plen = r->vms[1].plen = 24;
	r->vms[0].dhcp = r->vms[1].dhcp = true;
	memcpy(r->vms[0].mac, mac1, 6);
	memcpy(r->vms[1].mac, mac2, 6);
	r->elapsed_ms = 321;
}

static char *render(const struct netd_probe_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(netd_probe_format_text(f, r), 0);
	fclose(f);
	return buf;
}

static void text_as_configured(void **state)
{
	struct netd_probe_result r;
	char *s;

	nat_result(&r);
	s = render(&r);
	assert_string_equal(
	    s, "probe default (nat on virbr0, 321 ms): vm1 192.122.1.17/24 (dhcp), vm2 "
	       "192.122.1.42/24 (dhcp)\n"
	       "cell          expected  measured\n"
	       "VMToHost      allow     allow\n"
	       "HostToVM      deny      deny\n"
	       "VMToOutside   allow     not measured\n"
	       "OutsideToVM   deny      not measured\n"
	       "VMToVM        allow     allow\n"
	       "probe leases: 52:54:00:00:00:01 192.122.1.17, 52:54:00:00:00:02 192.122.1.42 "
	       "(they stay in dnsmasq's lease file)\n"
	       "matrix: as configured\n");
	assert_int_equal(netd_probe_differences(&r), 0);
	free(s);
}

static void text_differences_and_mixed(void **state)
{
	struct netd_probe_result r;
	char *s;

	nat_result(&r);
	measured(&r.cells[NETD_CELL_HOST_TO_VM], true, true);       /* allowed but should not be */
	measured(&r.cells[NETD_CELL_VM_TO_HOST], true, false);      /* mixed is never a match */
	r.cells[NETD_CELL_VM_TO_OUTSIDE].how = NETD_PROBE_MEASURED; /* ICMP only: no --peer-netns */
	r.cells[NETD_CELL_VM_TO_OUTSIDE].icmp = true;
	r.vms[0].dhcp = r.vms[1].dhcp = false;
	s = render(&r);
	assert_string_equal(s, "probe default (nat on virbr0, 321 ms): vm1 192.122.1.17/24, vm2 "
	                       "192.122.1.42/24\n"
	                       "cell          expected  measured\n"
	                       "VMToHost      allow     mixed (icmp ok, tcp blocked)  <- differs\n"
	                       "HostToVM      deny      allow  <- differs\n"
	                       "VMToOutside   allow     allow (icmp only)\n"
	                       "OutsideToVM   deny      not measured\n"
	                       "VMToVM        allow     allow\n"
	                       "matrix: 2 cells differ\n");
	assert_int_equal(netd_probe_differences(&r), 2);
	free(s);

	measured(&r.cells[NETD_CELL_VM_TO_HOST], true, true);
	s = render(&r);
	assert_non_null(strstr(s, "\nmatrix: 1 cell differs\n"));
	free(s);
}

static void no_host_address_is_deny(void **state)
{
	struct netd_probe_result r;
	enum netd_policy p = NETD_POLICY_ALLOW;
	char buf[64];

	nat_result(&r);
	r.cells[NETD_CELL_VM_TO_HOST].how = NETD_PROBE_NO_ADDRESS;
	assert_string_equal(
	    netd_probe_cell_measured(&r.cells[NETD_CELL_VM_TO_HOST], buf, sizeof(buf)),
	    "deny (no host address)");
	assert_true(netd_probe_cell_verdict(&r.cells[NETD_CELL_VM_TO_HOST], &p));
	assert_int_equal(p, NETD_POLICY_DENY);
	/* expected allow, by construction deny: that is a difference */
	assert_int_equal(netd_probe_differences(&r), 1);

	measured(&r.cells[NETD_CELL_VM_TO_HOST], false, true);
	assert_string_equal(
	    netd_probe_cell_measured(&r.cells[NETD_CELL_VM_TO_HOST], buf, sizeof(buf)),
	    "mixed (icmp blocked, tcp ok)");
	assert_false(netd_probe_cell_verdict(&r.cells[NETD_CELL_VM_TO_HOST], &p));
}

/* nat_result() with an IPv6 prefix: SLAAC addresses, the IPv6 cells measured the same. */
static void nat_result6(struct netd_probe_result *r)
{
	nat_result(r);
	r->v6 = NETD_PROBE_V6_MEASURED;
	for (int c = 0; c < NETD_CELL_MAX; c++)
		r->cells6[c] = r->cells[c];
	for (int i = 0; i < 2; i++) {
		r->vms[i].has_addr6 = true;
		r->vms[i].plen6 = 64;
	}
	inet_pton(AF_INET6, "fd42:7a:1::5054:ff:fe00:1", &r->vms[0].addr6);
	inet_pton(AF_INET6, "fd42:7a:1::5054:ff:fe00:2", &r->vms[1].addr6);
}

/* The IPv6 column next to IPv4's; an IPv6 difference counts like an IPv4 one. */
static void text_ipv6_next_to_ipv4(void **state)
{
	struct netd_probe_result r;
	char *s;

	nat_result6(&r);
	measured(&r.cells6[NETD_CELL_HOST_TO_VM], true, false); /* IPv6 alone differs */
	s = render(&r);
	assert_string_equal(
	    s, "probe default (nat on virbr0, 321 ms): vm1 192.122.1.17/24 (dhcp) "
	       "fd42:7a:1:0:5054:ff:fe00:1/64 (slaac), vm2 192.122.1.42/24 (dhcp) "
	       "fd42:7a:1:0:5054:ff:fe00:2/64 (slaac)\n"
	       "cell          expected  IPv4                                      IPv6\n"
	       "VMToHost      allow     allow                                     allow\n"
	       "HostToVM      deny      deny                                      "
	       "mixed (icmp ok, tcp blocked)  <- differs\n"
	       "VMToOutside   allow     not measured                              not measured\n"
	       "OutsideToVM   deny      not measured                              not measured\n"
	       "VMToVM        allow     allow                                     allow\n"
	       "probe leases: 52:54:00:00:00:01 192.122.1.17, 52:54:00:00:00:02 192.122.1.42 "
	       "(they stay in dnsmasq's lease file)\n"
	       "matrix: 1 cell differs\n");
	assert_int_equal(netd_probe_differences(&r), 1);
	free(s);

	/* a prefix the probe cannot take SLAAC addresses in: said so under the table */
	nat_result(&r);
	r.v6 = NETD_PROBE_V6_NO_SLAAC;
	for (int c = 0; c < NETD_CELL_MAX; c++)
		r.cells6[c].expected = r.cells[c].expected;
	strcpy(r.note6, "IPv6 not measured: the prefix is a /80");
	s = render(&r);
	assert_non_null(strstr(s,
	                       "VMToVM        allow     allow                                     "
	                       "not measured\nIPv6 not measured: the prefix is a /80\n"));
	assert_non_null(strstr(s, "\nmatrix: as configured\n"));
	free(s);
}

static json_object *cells_of(json_object *j, const char *key, const char *name)
{
	json_object *cells, *c;

	assert_true(json_object_object_get_ex(j, key, &cells));
	assert_true(json_object_object_get_ex(cells, name, &c));
	return c;
}

static json_object *cell(json_object *j, const char *name)
{
	json_object *cells, *c;

	assert_true(json_object_object_get_ex(j, "cells", &cells));
	assert_true(json_object_object_get_ex(cells, name, &c));
	return c;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_string(v);
}

static void json_shape(void **state)
{
	struct netd_probe_result r;
	json_object *j, *c, *v;

	nat_result(&r);
	j = netd_probe_format_json(&r);
	assert_string_equal(str(j, "network"), "default");
	assert_true(json_object_object_get_ex(j, "ok", &v));
	assert_true(json_object_get_boolean(v));

	c = cell(j, "vm_to_host");
	assert_string_equal(str(c, "expected"), "allow");
	assert_string_equal(str(c, "measured"), "allow");
	assert_true(json_object_object_get_ex(c, "icmp", &v) && json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(c, "tcp", &v) && json_object_get_boolean(v));

	c = cell(j, "host_to_vm");
	assert_string_equal(str(c, "measured"), "deny");
	assert_true(json_object_object_get_ex(c, "icmp", &v));
	assert_true(json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v));

	c = cell(j, "outside_to_vm");
	assert_string_equal(str(c, "measured"), "not measured");
	assert_true(json_object_object_get_ex(c, "icmp", &v));
	assert_null(v); /* not measured is null, never false */

	assert_true(json_object_object_get_ex(j, "leases", &v));
	assert_int_equal(json_object_array_length(v), 2);
	assert_string_equal(str(json_object_array_get_idx(v, 1), "mac"), "52:54:00:00:00:02");
	assert_string_equal(str(json_object_array_get_idx(v, 1), "address"), "192.122.1.42");
	json_object_put(j);

	measured(&r.cells[NETD_CELL_VM_TO_VM], false, false);
	j = netd_probe_format_json(&r);
	assert_true(json_object_object_get_ex(j, "ok", &v));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(cell(j, "vm_to_vm"), "match", &v));
	assert_false(json_object_get_boolean(v));
	json_object_put(j);
}

/* "cells6" has the shape of "cells", only for a network with an IPv6 prefix. */
static void json_cells6(void **state)
{
	struct netd_probe_result r;
	json_object *j, *c, *v, *vm;

	nat_result(&r);
	j = netd_probe_format_json(&r);
	assert_false(json_object_object_get_ex(j, "cells6", &v));
	assert_false(json_object_object_get_ex(j, "note6", &v));
	vm = json_object_array_get_idx(json_object_object_get(j, "vms"), 0);
	assert_false(json_object_object_get_ex(vm, "address6", &v));
	json_object_put(j);

	nat_result6(&r);
	measured(&r.cells6[NETD_CELL_VM_TO_VM], false, false);
	j = netd_probe_format_json(&r);
	/* IPv4's cells unchanged */
	assert_string_equal(str(cell(j, "vm_to_vm"), "measured"), "allow");
	assert_true(json_object_object_get_ex(cell(j, "vm_to_vm"), "match", &v));
	assert_true(json_object_get_boolean(v));
	/* IPv6's, the same keys */
	c = cells_of(j, "cells6", "vm_to_vm");
	assert_string_equal(str(c, "expected"), "allow");
	assert_string_equal(str(c, "measured"), "deny");
	assert_true(json_object_object_get_ex(c, "match", &v));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(c, "tcp", &v));
	assert_true(json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v));
	c = cells_of(j, "cells6", "outside_to_vm");
	assert_string_equal(str(c, "measured"), "not measured");
	assert_true(json_object_object_get_ex(c, "icmp", &v));
	assert_null(v);
	assert_string_equal(str(cells_of(j, "cells6", "vm_to_host"), "measured"), "allow");
	assert_string_equal(str(cells_of(j, "cells6", "host_to_vm"), "measured"), "deny");
	assert_true(json_object_object_get_ex(j, "differences", &v));
	assert_int_equal(json_object_get_int(v), 1);
	assert_true(json_object_object_get_ex(j, "ok", &v));
	assert_false(json_object_get_boolean(v));
	vm = json_object_array_get_idx(json_object_object_get(j, "vms"), 1);
	assert_string_equal(str(vm, "address6"), "fd42:7a:1:0:5054:ff:fe00:2/64");
	json_object_put(j);

	nat_result(&r);
	r.v6 = NETD_PROBE_V6_NO_SLAAC;
	strcpy(r.note6, "IPv6 not measured: the prefix is a /80");
	j = netd_probe_format_json(&r);
	assert_string_equal(str(j, "note6"), "IPv6 not measured: the prefix is a /80");
	assert_string_equal(str(cells_of(j, "cells6", "vm_to_vm"), "measured"), "not measured");
	json_object_put(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(text_as_configured),      cmocka_unit_test(text_differences_and_mixed),
	    cmocka_unit_test(no_host_address_is_deny), cmocka_unit_test(json_shape),
	    cmocka_unit_test(text_ipv6_next_to_ipv4),  cmocka_unit_test(json_cells6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
