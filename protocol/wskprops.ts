// The wsk CLI's properties file (`~/.wskprops`, `$WSK_CONFIG_FILE`): KEY=value lines, of which
// APIHOST, AUTH and NAMESPACE matter here. The embedded platform writes one per namespace it serves;
// the CLI reads them (and a user's own) to know whose key it holds.

export interface WskProps {
  APIHOST?: string;
  AUTH?: string;
  NAMESPACE?: string;
  [key: string]: string | undefined;
}

export function parseWskProps(text: string): WskProps {
  const out: WskProps = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Z_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

export function formatWskProps(props: { apihost: string; auth: string; namespace: string }): string {
  return `APIHOST=${props.apihost}\nAUTH=${props.auth}\nNAMESPACE=${props.namespace}\n`;
}
