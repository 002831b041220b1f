"""Where a webhook may send: https (http only when allowed), and never into the portal's own networks.

A webhook address is a request the server makes on the PMO's behalf. Pointed at
127.0.0.1, the cloud metadata service (169.254.169.254) or an intranet host, it
would reach what no user of the portal can (server-side request forgery). So an
address is checked when it is saved and again at each delivery: the host name is
resolved once, every address it resolves to must be public, and the delivery
connects to one of those checked addresses, never to what a second lookup says
(a name that answers differently the second time, DNS rebinding, gains nothing).
PORTAL_WEBHOOK_ALLOW_PRIVATE lets intranet receivers through (an internal Teams
gateway); PORTAL_WEBHOOK_ALLOW_HTTP allows plain http://.
"""
import ipaddress
import socket
from urllib.parse import urlsplit

NAT64 = ipaddress.ip_network("64:ff9b::/96")


class RefusedAddress(ValueError):
    """An address the portal will not send to; the message says why (for the form and the delivery log)."""


def is_internal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for loopback, private, link-local, shared, reserved, unspecified and multicast addresses,
    and for IPv6 addresses that carry one of those IPv4 addresses inside (mapped, 6to4, Teredo, NAT64)."""
    if ip.version == 6:
        embedded = [ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None,
                    ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in NAT64 else None]
        if any(e is not None and is_internal(e) for e in embedded):
            return True
    return not ip.is_global or ip.is_multicast


def check_scheme(scheme: str, allow_http: bool) -> None:
    """Refuse anything but https (and http where allowed)."""
    if scheme == "https" or (scheme == "http" and allow_http):
        return
    if scheme == "http":
        raise RefusedAddress("Use an https:// address: plain http:// is allowed only when the administrator "
                             "sets PORTAL_WEBHOOK_ALLOW_HTTP.")
    raise RefusedAddress("Give an https:// address.")


def resolve(host: str, port: int, allow_private: bool) -> list[str]:
    """The addresses `host` resolves to, each checked; RefusedAddress when any is internal (OSError when none)."""
    found = []
    for family, _type, _proto, _name, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0") is not part of it
        if not allow_private and is_internal(ip):
            where = f"{ip} is" if host.lower() == str(ip) else f"{host} leads to {ip},"
            raise RefusedAddress(f"{where} a private, loopback or link-local address that webhooks may not reach "
                                 "(an administrator can allow intranet receivers with PORTAL_WEBHOOK_ALLOW_PRIVATE).")
        if str(ip) not in found:
            found.append(str(ip))
    if not found:
        raise OSError(f"{host} has no IPv4 or IPv6 address")
    return found


def target(url: str, allow_http: bool, allow_private: bool) -> tuple[str, str, int, list[str]]:
    """(scheme, host, port, checked addresses) for a delivery to `url`; RefusedAddress, or OSError when the host
    name does not resolve."""
    parts = urlsplit(url)
    check_scheme(parts.scheme, allow_http)
    if not parts.hostname:
        raise RefusedAddress("The address has no host name.")
    port = parts.port or (443 if parts.scheme == "https" else 80)  # a malformed port raises ValueError
    return parts.scheme, parts.hostname, port, resolve(parts.hostname, port, allow_private)


def problem_on_save(url: str, allow_http: bool, allow_private: bool) -> str:
    """Why `url` cannot be saved, or ''. A name that does not resolve (yet) passes: each delivery checks again."""
    try:
        target(url, allow_http, allow_private)
    except RefusedAddress as exc:
        return str(exc)
    except (OSError, ValueError, UnicodeError):
        return ""
    return ""
