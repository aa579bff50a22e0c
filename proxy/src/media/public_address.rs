//! Which addresses media downloads may connect to: public unicast only. Loopback, private,
//! link-local (169.254.169.254, the cloud metadata service), unspecified, shared, multicast,
//! documentation and reserved ranges are refused, in IPv4 and in every IPv6 form that embeds an
//! IPv4 address (mapped, compatible, NAT64, 6to4). Names are resolved by [`PublicOnly`], which
//! drops refused addresses before reqwest connects, so DNS rebinding cannot reach them either.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Whether a download may connect to `ip`.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

/// IPv4 networks downloads may not reach: address and prefix length.
const REFUSED_V4: &[([u8; 4], u32)] = &[
    ([0, 0, 0, 0], 8),       // "this network", 0.0.0.0
    ([10, 0, 0, 0], 8),      // private
    ([100, 64, 0, 0], 10),   // shared (carrier-grade NAT)
    ([127, 0, 0, 0], 8),     // loopback
    ([169, 254, 0, 0], 16),  // link-local, the cloud metadata service
    ([172, 16, 0, 0], 12),   // private
    ([192, 0, 0, 0], 24),    // IETF protocol assignments
    ([192, 0, 2, 0], 24),    // documentation
    ([192, 168, 0, 0], 16),  // private
    ([198, 18, 0, 0], 15),   // benchmarking
    ([198, 51, 100, 0], 24), // documentation
    ([203, 0, 113, 0], 24),  // documentation
    ([224, 0, 0, 0], 3),     // multicast, reserved, broadcast
];

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let ip = u32::from(ip);
    !REFUSED_V4.iter().any(|&(net, len)| {
        let mask = u32::MAX << (32 - len);
        ip & mask == u32::from_be_bytes(net) & mask
    })
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let embedded_v4 =
        |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    match s {
        // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d
        [0, 0, 0, 0, 0, 0, _, _] => false,
        // NAT64 64:ff9b::a.b.c.d
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => is_public_v4(embedded_v4(hi, lo)),
        // 6to4 2002:AABB:CCDD::
        [0x2002, hi, lo, ..] => is_public_v4(embedded_v4(hi, lo)),
        // Teredo 2001::/32 and documentation 2001:db8::/32
        [0x2001, 0, ..] | [0x2001, 0xdb8, ..] => false,
        // unique local fc00::/7, link-local and site-local fe80::/9, multicast ff00::/8
        [first, ..] => {
            !((first & 0xfe00) == 0xfc00 || (first & 0xff80) == 0xfe80 || first >= 0xff00)
        }
    }
}

/// Refused: every address a name resolved to is one downloads may not reach.
#[derive(Debug)]
pub struct PrivateAddress {
    pub host: String,
}

impl std::fmt::Display for PrivateAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} resolves to a loopback, private or link-local address",
            self.host
        )
    }
}

impl std::error::Error for PrivateAddress {}

/// A DNS resolver for reqwest that keeps public addresses only.
pub struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> =
                resolved.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(Box::new(PrivateAddress { host }) as _);
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().unwrap())
    }

    #[test]
    fn only_public_unicast_addresses_are_reachable() {
        for refused in [
            "127.0.0.1",
            "127.255.0.9",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.1",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
        ] {
            assert!(!public(refused), "{refused} must be refused");
        }
        for allowed in [
            "157.240.1.174",
            "31.13.64.1",
            "8.8.8.8",
            "172.32.0.1",
            "2a03:2880:f12f:83:face:b00c::25de",
            "::ffff:157.240.1.174",
            "2002:9df0:1ae::",
        ] {
            assert!(public(allowed), "{allowed} is public");
        }
    }
}
