//! Who the client is, for the per-address limits: the socket's address, or —
//! when the socket is one of the configured trusted proxies (a load balancer)
//! — the nearest address in `X-Forwarded-For` (else `Forwarded: for=`) that
//! is not itself a trusted proxy. Headers from anyone else are ignored, so a
//! client cannot pick its own address. IPv6 clients are keyed by their /64, the
//! block one subscriber usually holds.

use std::net::IpAddr;

use poem::{Endpoint, Middleware, Request, http::HeaderMap};

/// A network in CIDR notation (`10.0.0.0/8`, `fd00::/8`, or one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Parses `a.b.c.d/n`, `x::y/n` or a bare address (all of its bits).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("{text:?} is not an IP network"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{text:?} has no valid prefix length"))?,
            None => max,
        };
        Ok(Self { addr, prefix })
    }

    /// Whether `ip` is in this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let bits = |ip: IpAddr| match ip {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
            IpAddr::V6(v6) => (u128::from(v6), 128),
        };
        let ip = match (self.addr, ip) {
            (IpAddr::V4(_), IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => return false,
            },
            (IpAddr::V6(_), IpAddr::V4(_)) => return false,
            _ => ip,
        };
        let ((net, width), (ip, _)) = (bits(self.addr), bits(ip));
        let shift = width - u32::from(self.prefix);
        shift >= width || (net >> shift) == (ip >> shift)
    }
}

/// The client's address, as [`ClientAddress`] found it (a request extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The key the per-address limits count under: the address, or an IPv6
    /// client's /64.
    pub fn key(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        }
    }
}

/// The client of a request that came from `socket`, given the headers and the
/// trusted proxies (see the module documentation).
pub fn client_ip(socket: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> Option<IpAddr> {
    let socket = socket?;
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(socket) {
        return Some(socket);
    }
    let forwarded_for: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    let hops = if forwarded_for.is_empty() {
        headers
            .get_all("forwarded")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split([',', ';']))
            .filter_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                key.eq_ignore_ascii_case("for").then_some(value)
            })
            .filter_map(|value| {
                let value = value.trim_matches('"');
                let value = value
                    .strip_prefix('[')
                    .and_then(|v| v.split_once(']'))
                    .map_or(value, |(v, _)| v);
                let value = match value.rsplit_once(':') {
                    // `1.2.3.4:5678`: an IPv4 address with a port.
                    Some((host, port)) if host.contains('.') && port.parse::<u16>().is_ok() => host,
                    _ => value,
                };
                value.parse().ok()
            })
            .collect()
    } else {
        forwarded_for
    };
    // The nearest hop that is not a trusted proxy; all trusted: the farthest.
    Some(
        hops.iter()
            .rev()
            .copied()
            .find(|ip| !is_trusted(*ip))
            .or_else(|| hops.first().copied())
            .unwrap_or(socket),
    )
}

/// Middleware that records each request's [`ClientIp`].
pub struct ClientAddress {
    trusted: Vec<IpNet>,
}

impl ClientAddress {
    pub fn new(trusted: Vec<IpNet>) -> Self {
        Self { trusted }
    }
}

impl<E: Endpoint> Middleware<E> for ClientAddress {
    type Output = ClientAddressEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        ClientAddressEndpoint {
            inner: ep,
            trusted: self.trusted.clone(),
        }
    }
}

/// The endpoint built by [`ClientAddress`].
pub struct ClientAddressEndpoint<E> {
    inner: E,
    trusted: Vec<IpNet>,
}

impl<E: Endpoint> Endpoint for ClientAddressEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, mut req: Request) -> poem::Result<Self::Output> {
        let socket = req.remote_addr().as_socket_addr().map(|a| a.ip());
        if let Some(ip) = client_ip(socket, req.headers(), &self.trusted) {
            req.extensions_mut().insert(ClientIp(ip));
        }
        self.inner.call(req).await
    }
}

#[cfg(test)]
mod tests {
    use poem::http::HeaderValue;

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn networks_parse_and_contain() {
        let net = IpNet::parse("10.0.0.0/8").unwrap();
        assert!(net.contains(ip("10.20.30.40")));
        assert!(!net.contains(ip("11.0.0.1")));
        assert!(net.contains(ip("::ffff:10.1.2.3")), "IPv4-mapped IPv6");
        assert!(IpNet::parse("fd00::/8").unwrap().contains(ip("fd12::1")));
        assert!(!IpNet::parse("fd00::/8").unwrap().contains(ip("10.0.0.1")));
        assert!(IpNet::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(IpNet::parse("127.0.0.1").unwrap().contains(ip("127.0.0.1")));
        assert!(!IpNet::parse("127.0.0.1").unwrap().contains(ip("127.0.0.2")));
        for bad in ["", "10.0.0.0/33", "nope/8", "::/129", "1.2.3.4/x"] {
            assert!(IpNet::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let trusted = [IpNet::parse("10.0.0.0/8").unwrap()];
        let xff = headers(&[("x-forwarded-for", "203.0.113.9, 198.51.100.7")]);
        // A client that sends the header itself is still its socket.
        assert_eq!(
            client_ip(Some(ip("198.51.100.1")), &xff, &trusted),
            Some(ip("198.51.100.1"))
        );
        // Through the balancer: the nearest untrusted hop, not the spoofable first.
        assert_eq!(
            client_ip(Some(ip("10.0.0.5")), &xff, &trusted),
            Some(ip("198.51.100.7"))
        );
        let chain = headers(&[("x-forwarded-for", "198.51.100.7, 10.0.0.9")]);
        assert_eq!(
            client_ip(Some(ip("10.0.0.5")), &chain, &trusted),
            Some(ip("198.51.100.7"))
        );
        let forwarded = headers(&[(
            "forwarded",
            "for=\"[2001:db8:1:2::7]:443\";proto=https, for=10.0.0.9",
        )]);
        assert_eq!(
            client_ip(Some(ip("10.0.0.5")), &forwarded, &trusted),
            Some(ip("2001:db8:1:2::7"))
        );
        let v4_port = headers(&[("forwarded", "for=192.0.2.60:8080")]);
        assert_eq!(
            client_ip(Some(ip("10.0.0.5")), &v4_port, &trusted),
            Some(ip("192.0.2.60"))
        );
        // No headers: the proxy itself.
        assert_eq!(
            client_ip(Some(ip("10.0.0.5")), &HeaderMap::new(), &trusted),
            Some(ip("10.0.0.5"))
        );
        assert_eq!(client_ip(None, &xff, &trusted), None);
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        let a = ClientIp(ip("2001:db8:1:2:aaaa::1")).key();
        let b = ClientIp(ip("2001:db8:1:2:bbbb::9")).key();
        assert_eq!(a, b);
        assert_eq!(a, "2001:db8:1:2::/64");
        assert_ne!(a, ClientIp(ip("2001:db8:1:3::1")).key());
        assert_eq!(ClientIp(ip("192.0.2.1")).key(), "192.0.2.1");
        assert_eq!(ClientIp(ip("::ffff:192.0.2.1")).key(), "192.0.2.1");
    }
}
