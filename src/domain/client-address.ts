import { isIPv4, isIPv6 } from "node:net";

/**
 * The address a client's attempts are counted against (failed logins, activation tries): an
 * IPv4 address as it is, an IPv4-mapped IPv6 one as IPv4, and an IPv6 address's /64 (one
 * subscriber's network: a single line hands out any number of addresses within it, so each
 * guess could otherwise come from a fresh one). Anything else is counted as it is.
 */
export function addressKeyOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIPv4(ip)) return ip;
  const bare = ip.split("%")[0]!;
  if (!isIPv6(bare)) return ip;
  const [head = "", tail] = bare.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const groups =
    tail === undefined
      ? headGroups
      : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}
