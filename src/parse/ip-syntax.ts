/**
 * IP address and CIDR syntax as the Kubernetes API server accepts it for "legacy" fields such as
 * NetworkPolicy `ipBlock.cidr` and Pod `status.podIPs` (netutils.ParseIPSloppy / ParseCIDRSloppy,
 * i.e. Go 1.16 `net.ParseIP` / `net.ParseCIDR`): IPv4 octets and prefix lengths may carry leading
 * zeros, IPv4-mapped IPv6 is accepted, and a CIDR may have bits set beyond its prefix length
 * (`10.0.0.1/24` means `10.0.0.0/24`). The StrictIPCIDRValidation feature gate that rejects those
 * forms is alpha and off by default (Kubernetes 1.33), so they are valid here and only warned about.
 */

export type IPFamily = 'IPv4' | 'IPv6';

/** `standard`: netip.ParseAddr would accept it too; `non-standard`: only the sloppy parser does. */
export type IPForm = 'standard' | 'non-standard';

export interface ParsedIP {
  readonly family: IPFamily;
  /** The address as a 32-bit (IPv4) or 128-bit (IPv6) unsigned integer. */
  readonly value: bigint;
  readonly form: IPForm;
}

export interface ParsedCIDR {
  /** Family of the network; an IPv4-mapped IPv6 CIDR with prefix >= 96 is IPv4. */
  readonly family: IPFamily;
  /** Network address (host bits cleared). */
  readonly network: bigint;
  readonly prefixLength: number;
  /** The network in canonical form, e.g. `10.0.0.0/24` or `2001:db8::/32`. */
  readonly canonical: string;
  /** Warnings the API server gives for this value (ambiguous host bits, non-standard form). */
  readonly warnings: readonly string[];
}

const IPV4_BITS = 32;
const IPV6_BITS = 128;
const IPV4_MAPPED_PREFIX = 0xffffn << 32n;
const MAX_DECIMAL = 0xffffff; // Go's dtoi gives up at this value

/** Parses an IP address the way the API server's legacy validation does; null when invalid. */
export function parseIPAddress(text: string): ParsedIP | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) return v4;
  return parseIPv6(text);
}

/** Parses a CIDR the way the API server's legacy validation does; null when invalid. */
export function parseCIDR(text: string): ParsedCIDR | null {
  const slash = text.indexOf('/');
  if (slash === -1) return null;
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const address = parseIPv4(addressText) ?? parseIPv6(addressText);
  if (address === null || !/^[0-9]+$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  const bits = address.family === 'IPv4' ? IPV4_BITS : IPV6_BITS;
  if (!Number.isSafeInteger(prefix) || prefix >= MAX_DECIMAL || prefix > bits) return null;

  const mask = prefixMask(prefix, bits);
  const masked = address.value & mask;
  const mapped = address.family === 'IPv6' && isIPv4Mapped(address.value);
  const networkIsMapped = address.family === 'IPv6' && prefix >= 96 && isIPv4Mapped(masked);
  const family: IPFamily = networkIsMapped ? 'IPv4' : address.family;
  const network = networkIsMapped ? masked & 0xffffffffn : masked;
  const prefixLength = networkIsMapped ? prefix - 96 : prefix;
  const canonical = `${formatIP(network, family)}/${prefixLength}`;

  const warnings: string[] = [];
  if (masked !== address.value) {
    const single = `${formatIP(address.value, address.family)}/${bits}`;
    warnings.push(
      `CIDR value ${JSON.stringify(text)} is ambiguous in this context (should be ${JSON.stringify(canonical)} or ${JSON.stringify(single)}?)`,
    );
  }
  const leadingZeroPrefix = prefixText.length > 1 && prefixText.startsWith('0');
  if (address.form === 'non-standard' || mapped || leadingZeroPrefix) {
    warnings.push(
      `non-standard CIDR value ${JSON.stringify(text)} will be considered invalid in a future Kubernetes release: use ${JSON.stringify(canonical)}`,
    );
  }
  if (warnings.length === 0 && address.family === 'IPv6') {
    const preferred = `${formatIP(address.value, 'IPv6')}/${prefix}`;
    if (preferred !== text) {
      warnings.push(
        `IPv6 CIDR value ${JSON.stringify(text)} should be in RFC 5952 canonical format (${JSON.stringify(preferred)})`,
      );
    }
  }
  return { family, network, prefixLength, canonical, warnings };
}

/** True when `inner` is a strict subset of `outer` (same family, longer prefix, inside). */
export function isStrictSubnet(outer: ParsedCIDR, inner: ParsedCIDR): boolean {
  if (outer.family !== inner.family || inner.prefixLength <= outer.prefixLength) return false;
  const bits = outer.family === 'IPv4' ? IPV4_BITS : IPV6_BITS;
  const mask = prefixMask(outer.prefixLength, bits);
  return (inner.network & mask) === outer.network;
}

/** Formats an address canonically: dotted IPv4, RFC 5952 IPv6 (IPv4-mapped shown dotted, as Go does). */
export function formatIP(value: bigint, family: IPFamily): string {
  if (family === 'IPv4') return formatIPv4(value);
  if (isIPv4Mapped(value)) return formatIPv4(value & 0xffffffffn);
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // Longest run of two or more zero groups, leftmost on ties.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function formatIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

function prefixMask(prefix: number, bits: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return (all >> BigInt(bits - prefix)) << BigInt(bits - prefix);
}

function isIPv4Mapped(value: bigint): boolean {
  return value >> 32n === IPV4_MAPPED_PREFIX >> 32n;
}

/** Go 1.16 parseIPv4: four decimal fields <= 255; leading zeros tolerated (non-standard). */
function parseIPv4(text: string): ParsedIP | null {
  const fields = text.split('.');
  if (fields.length !== 4) return null;
  let value = 0n;
  let form: IPForm = 'standard';
  for (const field of fields) {
    if (!/^[0-9]+$/.test(field)) return null;
    const octet = Number(field);
    if (octet > 255) return null;
    if (field.length > 1 && field.startsWith('0')) form = 'non-standard';
    value = (value << 8n) | BigInt(octet);
  }
  return { family: 'IPv4', value, form };
}

/**
 * Go 1.16 parseIPv6: hex groups (value <= 0xffff), at most one `::` standing for at least one zero
 * group, an optional trailing dotted IPv4 part; no zone.
 */
function parseIPv6(text: string): ParsedIP | null {
  const bytes = new Array<number>(16).fill(0);
  let form: IPForm = 'standard';
  let ellipsis = -1;
  let rest = text;
  let i = 0;
  if (rest.startsWith('::')) {
    ellipsis = 0;
    rest = rest.slice(2);
    if (rest.length === 0) return { family: 'IPv6', value: 0n, form };
  }
  while (i < 16) {
    const hex = /^[0-9a-fA-F]+/.exec(rest)?.[0] ?? '';
    if (hex.length === 0) return null;
    const group = hex.replace(/^0+/, '').length > 4 ? Infinity : parseInt(hex, 16);
    if (group > 0xffff) return null;
    if (rest[hex.length] === '.') {
      if ((ellipsis < 0 && i !== 12) || i + 4 > 16) return null;
      const v4 = parseIPv4(rest);
      if (v4 === null) return null;
      if (v4.form === 'non-standard') form = 'non-standard';
      for (let k = 0; k < 4; k++) bytes[i + k] = Number((v4.value >> BigInt((3 - k) * 8)) & 0xffn);
      rest = '';
      i += 4;
      break;
    }
    if (hex.length > 4) form = 'non-standard';
    bytes[i] = group >> 8;
    bytes[i + 1] = group & 0xff;
    i += 2;
    rest = rest.slice(hex.length);
    if (rest.length === 0) break;
    if (!rest.startsWith(':') || rest.length === 1) return null;
    rest = rest.slice(1);
    if (rest.startsWith(':')) {
      if (ellipsis >= 0) return null;
      ellipsis = i;
      rest = rest.slice(1);
      if (rest.length === 0) break;
    }
  }
  if (rest.length !== 0) return null;
  if (i < 16) {
    if (ellipsis < 0) return null;
    const shift = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) bytes[j + shift] = bytes[j] ?? 0;
    for (let j = ellipsis + shift - 1; j >= ellipsis; j--) bytes[j] = 0;
  } else if (ellipsis >= 0) {
    return null;
  }
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return { family: 'IPv6', value, form };
}
