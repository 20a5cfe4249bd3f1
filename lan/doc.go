// Package lan syncs devices over the local network: a Server that the
// desktop backend embeds, and the client calls (Pair, Sync) that the phone
// backend makes (docs/lan.md).
//
// Each device has a self-signed TLS certificate kept in its database. A
// phone pairs with the desktop by a 6-digit code that the desktop shows
// (Server.NewCode, Pair): a PAKE bound to both certificates, after which
// each side pins the other's certificate. A sync round (Sync) is one HTTPS
// request over the pinned certificates, authenticated by the phone's id and
// token: the phone's changeset streams up, zstd-compressed, and is applied;
// the desktop's streams back and is applied. A round cut off anywhere is
// completed by the next one: each side's cursor moves only with what the
// other acknowledges. Several phones sync at once: their exports run side
// by side, each through a connection of its own, and their applies one at
// a time.
//
// Discovery is off unless the app asks for it: Advertise announces the
// desktop by mDNS (DNS-SD, ServiceType), and Discover and FindDesktop find
// it. A direct address always works too.
package lan
