/*
 * A stand-in for systemd-resolved on a test's private dbus-daemon ($DBUS_SYSTEM_BUS_ADDRESS):
 * it owns org.freedesktop.resolve1, answers every method call with an empty return, and prints
 * "ready", then each call's member, on stdout. What netd sent in each call is for dbus-monitor
 * to show (the daemon checks every message it routes). Runs until killed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "netd/dbus.h"
#include "netd/kernel/dbus_conn.h"

int main(void)
{
	struct netd_dbus_conn *c = calloc(1, sizeof(*c));
	struct netd_dbus_buf name = {.ok = true}, reply;
	struct netd_dbus_msg m;
	struct netd_diag d = {{0}};
	uint32_t got = 0;
	int ret;

	if (!c || netd_dbus_conn_open(c, &d) < 0) {
		fprintf(stderr, "fake_resolved: no bus: %s\n", d.msg);
		return 1;
	}
	netd_dbus_put_string(&name, NETD_RESOLVED_NAME);
	netd_dbus_put_u32(&name, 4); /* DBUS_NAME_FLAG_DO_NOT_QUEUE */
	ret = netd_dbus_conn_call(c, NETD_DBUS_NAME, NETD_DBUS_PATH, NETD_DBUS_NAME, "RequestName",
	                          "su", &name, &got, &d);
	if (ret < 0 || got != 1) { /* 1: DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER */
		fprintf(stderr, "fake_resolved: RequestName: %d %u %s\n", ret, got, d.msg);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		ret = netd_dbus_conn_next(c, &m);
		if (ret == -EAGAIN)
			continue; /* the 1 s receive timeout */
		if (ret < 0)
			return 0;
		if (m.type != NETD_DBUS_METHOD_CALL)
			continue;
		printf("%s\n", m.member);
		fflush(stdout);
		if (netd_dbus_method_return(&reply, ++c->serial, m.serial, m.sender) == 0) {
			netd_dbus_conn_send(c, &reply);
			netd_dbus_buf_free(&reply);
		}
	}
}
