/*
 * `probe --peer-host` without a kernel (issue 13): the VNI read from status, the refusal on a
 * network that does not span hosts and on a name that is no namespace's, the checks of the
 * remote VM's lease, and the text and JSON that name the peer host.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

/* A `status wan` as the daemon answers it; fabric_vni 0: no "fabric" section. */
static json_object *status_of(int fabric_vni)
{
	char text[512];

	snprintf(text, sizeof(text),
	         "{\"name\":\"wan\",\"mode\":\"nat\",\"bridge\":\"brwan\","
	         "\"address\":\"192.168.77.1/24\",\"dhcp\":{},"
	         "\"policy\":{\"vm_to_host\":\"allow\",\"host_to_vm\":\"deny\","
	         "\"vm_to_outside\":\"allow\",\"outside_to_vm\":\"deny\",\"vm_to_vm\":\"allow\"}"
	         "%s}",
	         fabric_vni ? ",\"fabric\":{\"vni\":200,\"vxlan_port\":\"vx200\"}" : "");
	return json_tokener_parse(text);
}

static void target(int fabric_vni, struct netd_probe_target *t)
{
	struct netd_diag diag = {{0}};
	json_object *st = status_of(fabric_vni);

	assert_non_null(st);
	assert_int_equal(netd_probe_target_from_status(st, t, &diag), 0);
	json_object_put(st);
}

static void vni_from_status(void **state)
{
	struct netd_probe_target t;

	target(200, &t);
	assert_int_equal(t.vni, 200);
	target(0, &t);
	assert_int_equal(t.vni, 0);
}

static void refused_without_vxlan(void **state)
{
	struct netd_diag diag = {{0}};
	struct netd_probe_target t;

	target(0, &t);
	assert_int_equal(netd_probe_host_valid(&t, "nd1f2", &diag), -EINVAL);
	assert_non_null(strstr(diag.msg, "--peer-host needs a network that spans hosts: wan has "
	                                 "no [VXLAN] VNI"));
	target(200, &t);
	assert_int_equal(netd_probe_host_valid(&t, "nd1f2", &diag), 0);
}

static void refused_not_a_namespace_name(void **state)
{
	char too_long[65]; /* 64 characters: longer than a namespace name may be */
	const char *const bad[] = {"", ".", "..", "../x", "a/b", too_long};
	struct netd_diag diag = {{0}};
	struct netd_probe_target t;

	memset(too_long, 'n', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';
	target(200, &t);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		diag.msg[0] = '\0';
		assert_int_equal(netd_probe_host_valid(&t, bad[i], &diag), -EINVAL);
		assert_non_null(strstr(diag.msg, "is not a network namespace name"));
	}
	assert_int_equal(netd_probe_host_valid(&t,
	                                       "012345678901234567890123456789012345678901234"
	                                       "567890123456789012",
	                                       &diag),
	                 0);
}

static void vm(struct netd_probe_vm *v, const char *name, const char *host, const char *addr,
               const char *server)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	snprintf(v->host, sizeof(v->host), "%s", host);
	inet_pton(AF_INET, addr, &v->addr);
	inet_pton(AF_INET, server, &v->server);
	v->plen = 24;
	v->dhcp = true;
}

static void lease_checks(void **state)
{
	struct netd_diag diag = {{0}};
	struct netd_probe_target t;
	struct netd_probe_vm here, there;

	target(200, &t);
	vm(&here, "vm1", "", "192.168.77.105", "192.168.77.1");
	vm(&there, "vm2", "h2", "192.168.77.139", "192.168.77.1");
	assert_int_equal(netd_probe_host_lease_check(&t, &here, &there, &diag), 0);

	vm(&there, "vm2", "h2", "192.168.77.139", "192.168.77.254");
	assert_int_equal(netd_probe_host_lease_check(&t, &here, &there, &diag), -EPROTO);
	assert_string_equal(diag.msg, "vm2 on host h2 leased 192.168.77.139 from DHCP server "
	                              "192.168.77.254, not from wan's gateway address "
	                              "192.168.77.1: not the network's dnsmasq there");

	vm(&there, "vm2", "h2", "192.168.78.139", "192.168.77.1");
	assert_int_equal(netd_probe_host_lease_check(&t, &here, &there, &diag), -EPROTO);
	assert_non_null(strstr(diag.msg, "outside wan's prefix"));

	vm(&there, "vm2", "h2", "192.168.77.105", "192.168.77.1");
	assert_int_equal(netd_probe_host_lease_check(&t, &here, &there, &diag), -EADDRINUSE);
	assert_string_equal(diag.msg, "vm1 here and vm2 on host h2 both leased 192.168.77.105: "
	                              "the hosts hand out the same addresses (their DHCP slices "
	                              "overlap)");

	there.dhcp = false; /* a static address: no lease to check */
	assert_int_equal(netd_probe_host_lease_check(&t, &here, &there, &diag), 0);
}

/* An internal network probed with vm2 on host h2. */
static void across_result(struct netd_probe_result *r)
{
	memset(r, 0, sizeof(*r));
	strcpy(r->network, "lab");
	strcpy(r->mode, "internal");
	strcpy(r->bridge, "brlab");
	strcpy(r->peer_host, "h2");
	for (int c = 0; c < NETD_CELL_MAX; c++) {
		r->cells[c].expected = NETD_POLICY_DENY;
		r->cells[c].how = NETD_PROBE_NO_ADDRESS;
	}
	r->cells[NETD_CELL_VM_TO_OUTSIDE].how = NETD_PROBE_NOT_MEASURED;
	r->cells[NETD_CELL_OUTSIDE_TO_VM].how = NETD_PROBE_NOT_MEASURED;
	r->cells[NETD_CELL_VM_TO_VM] = (struct netd_probe_cell){
	    .expected = NETD_POLICY_DENY, .how = NETD_PROBE_MEASURED, .tcp_measured = true};
	r->n_vms = 2;
	vm(&r->vms[0], "vm1", "", "192.0.2.1", "0.0.0.0");
	vm(&r->vms[1], "vm2", "h2", "192.0.2.2", "0.0.0.0");
	r->vms[0].dhcp = r->vms[1].dhcp = false;
	r->elapsed_ms = 1383;
}

static void text_names_the_peer_host(void **state)
{
	struct netd_probe_result r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	across_result(&r);
	assert_int_equal(netd_probe_format_text(f, &r), 0);
	fclose(f);
	assert_string_equal(buf, "probe lab (internal on brlab, 1383 ms): vm1 192.0.2.1/24, vm2 "
	                         "192.0.2.2/24 on host h2\n"
	                         "vm2 is on host h2: VMToVM is measured across hosts\n"
	                         "cell          expected  measured\n"
	                         "VMToHost      deny      deny (no host address)\n"
	                         "HostToVM      deny      deny (no host address)\n"
	                         "VMToOutside   deny      not measured\n"
	                         "OutsideToVM   deny      not measured\n"
	                         "VMToVM        deny      deny\n"
	                         "matrix: as configured\n");
	free(buf);
}

static const char *str(json_object *o, const char *key)
{
	json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static void json_names_the_peer_host(void **state)
{
	struct netd_probe_result r;
	json_object *j, *vms;

	across_result(&r);
	r.vms[0].dhcp = r.vms[1].dhcp = true;
	j = netd_probe_format_json(&r);
	assert_string_equal(str(j, "peer_host"), "h2");
	assert_true(json_object_object_get_ex(j, "vms", &vms));
	assert_null(str(json_object_array_get_idx(vms, 0), "host"));
	assert_string_equal(str(json_object_array_get_idx(vms, 1), "host"), "h2");
	assert_true(json_object_object_get_ex(j, "leases", &vms));
	assert_string_equal(str(json_object_array_get_idx(vms, 1), "host"), "h2");
	json_object_put(j);

	/* without --peer-host the JSON is as before: no "peer_host", no "host" */
	r.peer_host[0] = r.vms[1].host[0] = '\0';
	j = netd_probe_format_json(&r);
	assert_null(str(j, "peer_host"));
	assert_true(json_object_object_get_ex(j, "vms", &vms));
	assert_null(str(json_object_array_get_idx(vms, 1), "host"));
	json_object_put(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(vni_from_status),
	    cmocka_unit_test(refused_without_vxlan),
	    cmocka_unit_test(refused_not_a_namespace_name),
	    cmocka_unit_test(lease_checks),
	    cmocka_unit_test(text_names_the_peer_host),
	    cmocka_unit_test(json_names_the_peer_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
