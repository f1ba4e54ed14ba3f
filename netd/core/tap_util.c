/* The pure parts of guests on taps: MACs and the qemu arguments. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "netd/tap.h"

void netd_tap_host_mac(const uint8_t guest[6], uint8_t host[6])
{
	memcpy(host, guest, 6);
	host[0] = 0xfe;
}

void netd_tap_derived_mac(const char *network, const char *tap, uint8_t mac[6])
{
	uint32_t h = 2166136261u; /* FNV-1a: stable across builds and machines */
	const char *parts[] = {network, "/", tap};

	for (size_t i = 0; i < 3; i++)
		for (const char *c = parts[i]; *c; c++)
			h = (h ^ (uint8_t)*c) * 16777619u;
	mac[0] = 0x52;
	mac[1] = 0x54;
	mac[2] = 0x00;
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

bool netd_tap_guest_mac_valid(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return !(mac[0] & 1) && memcmp(mac, zero, 6) != 0 && mac[0] != 0xfe;
}

json_object *netd_tap_qemu_args(const char *tap, const uint8_t mac[6], unsigned queues)
{
	json_object *a = json_object_new_array();
	char netdev[128], device[128], m[18];

	if (!a)
		return NULL;
	netd_mac_format(mac, m);
	snprintf(netdev, sizeof(netdev), "tap,id=net0,ifname=%s,script=no,downscript=no,vhost=off",
	         tap);
	snprintf(device, sizeof(device), "virtio-net-pci,netdev=net0,mac=%s", m);
	if (queues > 1) {
		/* One MSI-X vector per queue of each direction, plus config and control. */
		snprintf(netdev + strlen(netdev), sizeof(netdev) - strlen(netdev), ",queues=%u",
		         queues);
		snprintf(device + strlen(device), sizeof(device) - strlen(device),
		         ",mq=on,vectors=%u", 2 * queues + 2);
	}
	json_object_array_add(a, json_object_new_string("-netdev"));
	json_object_array_add(a, json_object_new_string(netdev));
	json_object_array_add(a, json_object_new_string("-device"));
	json_object_array_add(a, json_object_new_string(device));
	return a;
}

bool netd_tap_id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= NETD_TAP_ID_MAX || s[0] == '-')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-.", *s))
			return false;
	return true;
}
