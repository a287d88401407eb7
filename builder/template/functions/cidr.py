"""Network functions: ``cidrhost``, ``cidrnetmask``, ``cidrsubnet``, ``cidrsubnets``."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from builder.template.functions.values import FunctionError, arg_int, arg_str

_Net = ipaddress.IPv4Network | ipaddress.IPv6Network


def _parse_cidr(prefix: Any) -> _Net:
    text = arg_str(prefix, "prefix")
    if "/" not in text:
        raise FunctionError(f"invalid CIDR expression: invalid CIDR address: {text}")
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise FunctionError(f"invalid CIDR expression: invalid CIDR address: {text}") from None


def _cidrhost(prefix: Any, hostnum: Any) -> str:
    net, num = _parse_cidr(prefix), arg_int(hostnum, "hostnum")
    size = net.num_addresses
    idx = num if num >= 0 else size + num
    if idx < 0 or idx >= size:
        raise FunctionError(f"prefix of {net.prefixlen} bits cannot accommodate a host numbered {num}")
    return str(net.network_address + idx)


def _cidrnetmask(prefix: Any) -> str:
    return str(_parse_cidr(prefix).netmask)


def _cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> str:
    net, nb, num = _parse_cidr(prefix), arg_int(newbits, "newbits"), arg_int(netnum, "netnum")
    newlen = net.prefixlen + nb
    if nb < 0:
        raise FunctionError("invalid CIDR expression: newbits must not be negative")
    if newlen > net.max_prefixlen:
        kind = "IPv4" if net.version == 4 else "IPv6"
        raise FunctionError(
            f"insufficient address space to extend prefix of {net.prefixlen} by {nb} "
            f"(would extend prefix to {newlen} bits, which is too long for an {kind} address)"
        )
    if num < 0 or num >= (1 << nb):
        raise FunctionError(f"prefix extension of {nb} does not accommodate a subnet numbered {num}")
    step = 1 << (net.max_prefixlen - newlen)
    addr = net.network_address + num * step
    return f"{addr}/{newlen}"


def _cidrsubnets(prefix: Any, *newbits: Any) -> list[str]:
    base = _parse_cidr(prefix)
    if not newbits:
        return []
    maxlen = base.max_prefixlen
    kind = "IPv4" if base.version == 4 else "IPv6"
    out: list[str] = []
    cur_addr: int | None = None
    cur_len = 0
    base_start = int(base.network_address)
    base_end = base_start + base.num_addresses
    for nbv in newbits:
        nb = arg_int(nbv, "newbits")
        if nb < 1:
            raise FunctionError(f"invalid newbits {nb}: must be greater than zero")
        length = base.prefixlen + nb
        if length > maxlen:
            raise FunctionError(
                f"would extend prefix to {length} bits, which is too long for an {kind} address"
            )
        size = 1 << (maxlen - length)
        if cur_addr is None:
            start = base_start
        else:
            last = cur_addr + (1 << (maxlen - cur_len)) - 1
            block_start = last - (last % size)
            start = block_start + size
            if start >= (1 << maxlen) or start < base_start or start >= base_end:
                raise FunctionError(
                    f"not enough remaining address space for a subnet with a prefix of {length} "
                    f"bits after {out[-1]}"
                )
        if start + size > base_end:
            raise FunctionError(
                f"not enough remaining address space for a subnet with a prefix of {length} bits"
                + (f" after {out[-1]}" if out else "")
            )
        cur_addr, cur_len = start, length
        addr = ipaddress.ip_address(start) if base.version == 4 else ipaddress.IPv6Address(start)
        out.append(f"{addr}/{length}")
    return out


TABLE: dict[str, Callable[..., Any]] = {
    "cidrhost": _cidrhost,
    "cidrnetmask": _cidrnetmask,
    "cidrsubnet": _cidrsubnet,
    "cidrsubnets": _cidrsubnets,
}
