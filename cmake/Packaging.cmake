# The Debian package, `cpack -G DEB` in a build configured with -DCMAKE_INSTALL_PREFIX=/usr:
# made by CPack from the same install rules `cmake --install` follows (tests/install checks
# both), so the package and a source install cannot list different files. The runtime
# libraries' dependencies come from dpkg-shlibdeps, as debhelper would find them.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME netd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "netd developers <netd-devel@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "virtual network fabric manager for KVM hosts")
set(CPACK_PACKAGE_DESCRIPTION "netd keeps the virtual networks of a KVM host (nat, bridged,
hostonly and internal; bonds, taps for guests, nftables rules and one dnsmasq per network for
DHCP and DNS) as its config files declare them, and repairs them when they drift.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# dnsmasq-base: the binary netd runs per network, without the dnsmasq service of the package
# "dnsmasq" (which would take port 53 on every address)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "dnsmasq-base")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "nftables, iproute2")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.invalid/netd")
# conffiles: the administrator's edits of /etc/netd survive upgrades (dpkg keeps them)
configure_file(${CMAKE_SOURCE_DIR}/packaging/deb/conffiles.in ${CMAKE_BINARY_DIR}/deb/conffiles @ONLY)
configure_file(${CMAKE_SOURCE_DIR}/packaging/deb/postinst ${CMAKE_BINARY_DIR}/deb/postinst COPYONLY)
configure_file(${CMAKE_SOURCE_DIR}/packaging/deb/postrm ${CMAKE_BINARY_DIR}/deb/postrm COPYONLY)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_BINARY_DIR}/deb/conffiles ${CMAKE_BINARY_DIR}/deb/postinst ${CMAKE_BINARY_DIR}/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
