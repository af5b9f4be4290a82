package http

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

const localClientIP = "client_ip"

// ParseTrustedProxies reads a comma-separated list of CIDRs (a bare address
// is one host) naming the proxies whose forwarding headers are believed.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8 or an address", f)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// resolveClient works out the client's address once per request, for
// clientIP.
func (s *Server) resolveClient(c *fiber.Ctx) error {
	c.Locals(localClientIP, s.clientAddr(c))
	return c.Next()
}

// clientIP is the address of the client, as resolveClient found it: the
// one used for logs, the audit trail and the login throttle.
func clientIP(c *fiber.Ctx) string {
	if ip, _ := c.Locals(localClientIP).(string); ip != "" {
		return ip
	}
	return c.Context().RemoteIP().String()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr is the socket's peer unless that peer is a trusted proxy.
// Then X-Forwarded-For is read from the right, the end the proxies wrote:
// the first hop that is not a trusted proxy is the client, and whatever
// the client wrote further left is ignored. X-Real-IP serves when there is
// no X-Forwarded-For.
func (s *Server) clientAddr(c *fiber.Ctx) string {
	addr, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	addr = addr.Unmap()
	if !s.trusted(addr) {
		return addr.String()
	}
	var hops []string
	for _, v := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		hops = append(hops, strings.Split(string(v), ",")...)
	}
	if len(hops) == 0 {
		if a, ok := parseHop(c.Get("X-Real-IP")); ok {
			return a.String()
		}
		return addr.String()
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			break // not written by a proxy: the last good hop is the client
		}
		addr = a
		if !s.trusted(a) {
			break
		}
	}
	return addr.String()
}

// parseHop reads one forwarded address, with or without a port.
func parseHop(h string) (netip.Addr, bool) {
	h = strings.TrimSpace(h)
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(h); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}
