/* netdctl's text for spanning networks: status's fabric section and list's mode marker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl.h"

static char *render_fabric(const char *json)
{
	json_object *o = json_tokener_parse(json);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	netd_fmt_fabric(f, o);
	fclose(f);
	json_object_put(o);
	return buf;
}

static void expect(const char *json, const char *want)
{
	char *got = render_fabric(json);

	if (strcmp(got, want) != 0)
		fail_msg("got:\n%s\nwant:\n%s", got, want);
	free(got);
}

static void test_fabric(void **state)
{
	expect("{\"vni\":100,\"vxlan_port\":\"vx100\",\"vxlan_port_ok\":true,"
	       "\"frr\":{\"running\":true,\"config\":\"complete\"},"
	       "\"peers\":[{\"address\":\"10.250.0.2\",\"state\":\"Established\","
	       "\"uptime\":\"00:01:02\"},{\"address\":\"10.250.0.3\",\"state\":\"Active\","
	       "\"uptime\":\"never\"}],"
	       "\"remote_vteps\":[\"10.250.0.2\"],\"local_macs\":2,\"remote_macs\":1}",
	       "\nfabric:     VNI 100, port vx100 ok; FRR running, its configuration complete\n"
	       "  peer 10.250.0.2      Established  up 00:01:02\n"
	       "  peer 10.250.0.3      Active       up never\n"
	       "  remote VTEPs: 10.250.0.2\n"
	       "  MACs: 2 local, 1 remote\n");
	/* FRR down: the problem said, nothing of BGP */
	expect("{\"vni\":7,\"vxlan_port\":\"vx7\",\"vxlan_port_ok\":false,"
	       "\"frr\":{\"running\":false,\"config\":\"none\","
	       "\"problem\":\"FRR runs without bgpd (show daemons: zebra)\"}}",
	       "\nfabric:     VNI 7, port vx7 not as configured; FRR not running, its "
	       "configuration none\n"
	       "  FRR runs without bgpd (show daemons: zebra)\n");
	/* what FRR said, with its age: netd asked at the last change or reconcile */
	expect("{\"vni\":9,\"vxlan_port\":\"vx9\",\"vxlan_port_ok\":true,"
	       "\"frr\":{\"running\":true,\"config\":\"complete\",\"age_s\":3},"
	       "\"remote_vteps\":[],\"age_s\":4}",
	       "\nfabric:     VNI 9, port vx9 ok; FRR running, its configuration complete\n"
	       "  as FRR answered 3 s ago (peers, VTEPs and MACs: 4 s ago)\n"
	       "  remote VTEPs: none\n");
	/* not a spanning network: nothing */
	expect("null", "");
}

static void test_list_marker(void **state)
{
	json_object *o = json_tokener_parse(
	    "[{\"name\":\"lab\",\"mode\":\"internal\",\"bridge\":\"brlab\",\"address\":null,"
	    "\"state\":\"up\",\"autostart\":false,\"vni\":100}]");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(netd_fmt_list(f, o), 0);
	fclose(f);
	assert_string_equal(buf, "NAME  MODE             BRIDGE  ADDRESS  STATE  AUTOSTART\n"
	                         "lab   internal+vni100  brlab   -        up     no\n");
	free(buf);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fabric),
	    cmocka_unit_test(test_list_marker),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
