# shellcheck shell=sh
# Sourced inside a guest (staged by lib.sh's gl_bond_lan as /usr/share/netd-test/bond_lan.sh):
# the netd config of the tests whose guest's two NICs become a netd bond under a bridged
# network.
#
# bond_lan_conf DIR S1 S2: DIR/lan.conf, the bridged network "lan" (bridge br-lan) whose uplink
# is bond0, active-backup over S1 and S2 with miimon 100
bond_lan_conf() {
	cat >"$1/lan.conf" <<EOC
[Network]
Name=lan
Mode=bridged
Bridge=br-lan

[Bond]
Name=bond0
Mode=active-backup
Slaves=$2 $3
MIIMonitorSec=100ms
EOC
}
