/* D-Bus messages as bytes (core/dbus_wire.c): resolved's call bodies byte for byte, a call
 * and a return read back by the header parser, and what the parser refuses; status's DNS
 * object (core/dns_status.c). The same bytes pass a real dbus-daemon in
 * tests/integration/test_dns_resolved.sh. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "netd/dbus.h"
#include "netd/dns_status.h"

static void set_link_dns_body(void **state)
{
	static const uint8_t want[] = {
	    7,   0,   0, 0, /* int32 ifindex */
	    12,  0,   0, 0, /* array length: one struct of 12 bytes, from offset 8 */
	    2,   0,   0, 0, /* struct at 8: int32 AF_INET */
	    4,   0,   0, 0, /* array of 4 bytes */
	    192, 122, 1, 1, /* the server */
	};
	struct netd_dbus_buf b;
	struct in_addr a;

	inet_pton(AF_INET, "192.122.1.1", &a);
	assert_int_equal(netd_resolved_dns_body(&b, 7, a.s_addr), 0);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	netd_dbus_buf_free(&b);
}

static void set_link_domains_body(void **state)
{
	static const uint8_t want[] = {
	    7,  0, 0, 0,                   /* int32 ifindex */
	    12, 0, 0, 0,                   /* array length: one struct of 12 bytes, from offset 8 */
	    3,  0, 0, 0, 'l', 'a', 'b', 0, /* string "lab" and its NUL */
	    1,  0, 0, 0,                   /* bool: routing only */
	};
	struct netd_dbus_buf b;

	assert_int_equal(netd_resolved_domains_body(&b, 7, "lab"), 0);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	netd_dbus_buf_free(&b);
}

static void call_reads_back(void **state)
{
	struct netd_dbus_buf body, msg;
	struct netd_dbus_msg m;
	struct in_addr a = {htonl(0x0a000001)};

	assert_int_equal(netd_resolved_dns_body(&body, 3, a.s_addr), 0);
	assert_int_equal(netd_dbus_method_call(&msg, 42, NETD_RESOLVED_NAME, NETD_RESOLVED_PATH,
	                                       NETD_RESOLVED_IFACE, "SetLinkDNS", "ia(iay)", &body),
	                 0);
	assert_int_equal(msg.data[0], 'l');
	assert_int_equal(netd_dbus_msg_length(msg.data, msg.len), (long)msg.len);
	assert_int_equal(netd_dbus_msg_length(msg.data, 15), -EAGAIN);
	assert_int_equal(netd_dbus_msg_parse(msg.data, msg.len, &m), 0);
	assert_int_equal(m.type, NETD_DBUS_METHOD_CALL);
	assert_int_equal(m.serial, 42);
	assert_string_equal(m.member, "SetLinkDNS");
	assert_string_equal(m.signature, "ia(iay)");
	assert_int_equal(m.body_off % 8, 0);
	assert_int_equal(m.body_len, body.len);
	assert_memory_equal(msg.data + m.body_off, body.data, body.len);
	/* cut short: the parser does not read past what it has */
	assert_int_equal(netd_dbus_msg_parse(msg.data, msg.len - 1, &m), -EBADMSG);
	msg.data[0] = 'B'; /* big-endian: not read */
	assert_int_equal(netd_dbus_msg_length(msg.data, msg.len), -EBADMSG);
	netd_dbus_buf_free(&msg);
	netd_dbus_buf_free(&body);

	assert_int_equal(netd_dbus_method_return(&msg, 5, 42, ":1.7"), 0);
	assert_int_equal(netd_dbus_msg_parse(msg.data, msg.len, &m), 0);
	assert_int_equal(m.type, NETD_DBUS_METHOD_RETURN);
	assert_int_equal(m.reply_serial, 42);
	assert_int_equal(m.body_len, 0);
	netd_dbus_buf_free(&msg);
}

static void status_line(void **state)
{
	struct netd_network *n = netd_network_new();
	json_object *o, *v;

	assert_non_null(n);
	assert_null(netd_dns_status_json(n, NETD_HOST_RESOLVER_NONE)); /* no address */
	n->has_address = true;
	assert_int_equal(netd_prefix_parse("192.122.1.1/24", &n->address), 0);
	strcpy(n->dns.domain, "lab.example");
	o = netd_dns_status_json(n, NETD_HOST_RESOLVER_NONE);
	assert_true(json_object_object_get_ex(o, "resolver_line", &v));
	assert_string_equal(json_object_get_string(v), "server=/lab.example/192.122.1.1");
	assert_true(json_object_object_get_ex(o, "host_resolver", &v));
	assert_string_equal(json_object_get_string(v), "none");
	json_object_put(o);
	n->dns.disabled = true;
	o = netd_dns_status_json(n, NETD_HOST_RESOLVER_RESOLVED);
	assert_false(json_object_object_get_ex(o, "resolver_line", &v));
	json_object_put(o);
	netd_network_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(set_link_dns_body),
	    cmocka_unit_test(set_link_domains_body),
	    cmocka_unit_test(call_reads_back),
	    cmocka_unit_test(status_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
