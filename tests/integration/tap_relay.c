/*
 * nd_tap_relay: a namespace behind a tap netd made, as a guest behind qemu would be.
 *
 *   nd_tap_relay HOST_NETNS TAP VM_NETNS IFNAME
 *
 * Opens TAP (a tap in the namespace HOST_NETNS, e.g. one `netdctl attach` or a [Tap] made) the
 * way qemu does (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR), makes IFNAME, a tap of its own, in
 * VM_NETNS (a path such as /run/netns/X), prints "ready", and copies frames both ways until it
 * is killed: what the VM namespace sends on IFNAME enters the bridge on TAP, exactly as a
 * guest's frame would, with whatever MAC and addresses the VM namespace gives it. IFNAME goes
 * with the process. For the integration tests (test_spoof.sh); root.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define FRAME_MAX 65536

/* A tap of name in the namespace at netns_path (this thread enters it). */
static int open_tap(const char *netns_path, const char *name, short flags)
{
	struct ifreq ifr = {0};
	int ns, fd;

	ns = open(netns_path, O_RDONLY | O_CLOEXEC);
	if (ns < 0 || setns(ns, CLONE_NEWNET) < 0) {
		fprintf(stderr, "nd_tap_relay: entering %s: %s\n", netns_path, strerror(errno));
		return -1;
	}
	close(ns);
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = flags;
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "nd_tap_relay: tap %s in %s: %s\n", name, netns_path,
		        strerror(errno));
		return -1;
	}
	return fd;
}

/* One frame from one side to the other: the host's tap carries a virtio-net header in front
 * of each frame (zero: no offloads were asked for), the VM's does not. */
static int copy_frame(int from, int to, bool to_host)
{
	static unsigned char buf[sizeof(struct virtio_net_hdr) + FRAME_MAX];
	size_t hdr = sizeof(struct virtio_net_hdr);
	ssize_t got;

	if (to_host) {
		memset(buf, 0, hdr);
		got = read(from, buf + hdr, FRAME_MAX);
		if (got > 0 && write(to, buf, (size_t)got + hdr) < 0 && errno != EIO)
			return -1;
	} else {
		got = read(from, buf, sizeof(buf));
		if (got > (ssize_t)hdr && write(to, buf + hdr, (size_t)got - hdr) < 0 &&
		    errno != EIO)
			return -1;
	}
	return got < 0 && errno != EAGAIN && errno != EINTR ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct pollfd p[2];
	int host, vm;

	if (argc != 5) {
		fprintf(stderr, "usage: nd_tap_relay HOST_NETNS TAP VM_NETNS IFNAME\n");
		return 2;
	}
	host = open_tap(argv[1], argv[2], IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);
	if (host < 0)
		return 1;
	vm = open_tap(argv[3], argv[4], IFF_TAP | IFF_NO_PI);
	if (vm < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	p[0] = (struct pollfd){.fd = host, .events = POLLIN};
	p[1] = (struct pollfd){.fd = vm, .events = POLLIN};
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("nd_tap_relay: poll");
			return 1;
		}
		if ((p[0].revents & POLLIN) && copy_frame(host, vm, false) < 0)
			break;
		if ((p[1].revents & POLLIN) && copy_frame(vm, host, true) < 0)
			break;
		if ((p[0].revents | p[1].revents) & (POLLERR | POLLHUP | POLLNVAL))
			break;
	}
	perror("nd_tap_relay");
	return 1;
}
