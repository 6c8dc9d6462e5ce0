// Decode a raw struct sockaddr as captured by the probe (family first, host byte order for the
// family, network byte order for ports and addresses). Pure; never throws.

export type SockAddr =
  | { family: 'inet'; address: string; port: number }
  | { family: 'inet6'; address: string; port: number }
  | { family: 'unix'; path: string }
  | { family: 'other'; code: number }
  | { family: 'invalid'; reason: string };

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;

export function decodeSockaddr(raw: Uint8Array): SockAddr {
  if (raw.length < 2) return { family: 'invalid', reason: `sockaddr of ${raw.length} bytes (needs at least 2)` };
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const family = view.getUint16(0, true);
  if (family === AF_INET) {
    if (raw.length < 8) return { family: 'invalid', reason: `AF_INET sockaddr of ${raw.length} bytes (needs 8)` };
    return { family: 'inet', port: view.getUint16(2, false), address: `${raw[4]}.${raw[5]}.${raw[6]}.${raw[7]}` };
  }
  if (family === AF_INET6) {
    if (raw.length < 24) return { family: 'invalid', reason: `AF_INET6 sockaddr of ${raw.length} bytes (needs 24)` };
    const groups: string[] = [];
    for (let i = 0; i < 8; i++) groups.push(view.getUint16(8 + i * 2, false).toString(16));
    return { family: 'inet6', port: view.getUint16(2, false), address: compressIpv6(groups) };
  }
  if (family === AF_UNIX) {
    const bytes = raw.subarray(2);
    // abstract sockets start with a NUL; ordinary paths end at the first NUL
    const abstract = bytes.length > 0 && bytes[0] === 0;
    const body = abstract ? bytes.subarray(1) : bytes;
    const nul = body.indexOf(0);
    const text = Buffer.from(nul >= 0 && !abstract ? body.subarray(0, nul) : body).toString('utf8');
    return { family: 'unix', path: abstract ? `@${text}` : text };
  }
  return { family: 'other', code: family };
}

function compressIpv6(groups: string[]): string {
  // longest run of zero groups becomes "::"
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
