/**
 * The page's content-security policy, read back from its <meta http-equiv> tag, so the page can say
 * up front that a server the user types is outside it (the browser would only fail the request
 * with "Failed to fetch"). Source matching follows CSP Level 3 for the source forms a policy like
 * index.html's uses: 'self', 'none', *, scheme sources (https:) and host sources with an optional
 * scheme, a leading *. wildcard, a port or :*, and a path.
 */

/** The policy of the page's <meta http-equiv="Content-Security-Policy">, '' when there is none. */
export function pagePolicy(doc: Document = document): string {
  const metas = doc.querySelectorAll<HTMLMetaElement>('meta[http-equiv]');
  for (const m of Array.from(metas)) if (m.httpEquiv.toLowerCase() === 'content-security-policy') return m.content;
  return '';
}

/**
 * The sources of `name` in `policy`, falling back to default-src (as fetch directives do); null
 * when neither is set, which allows everything.
 */
export function directiveSources(policy: string, name: string): string[] | null {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [key, ...sources] = part.trim().split(/\s+/);
    // The first occurrence of a directive wins; later duplicates are ignored.
    if (key && !directives.has(key.toLowerCase())) directives.set(key.toLowerCase(), sources);
  }
  return directives.get(name) ?? directives.get('default-src') ?? null;
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443' };

function port(u: URL): string {
  return u.port || DEFAULT_PORTS[u.protocol] || '';
}

/** http: sources also allow https:, and ws: also wss: (CSP3 "scheme-part matching"). */
function schemeMatches(source: string, target: string): boolean {
  return source === target || (source === 'http:' && target === 'https:') || (source === 'ws:' && target === 'wss:');
}

const HOST_SOURCE = /^(?:([a-z][a-z0-9+.-]*:)\/\/)?(\*|(?:\*\.)?[a-z0-9.-]+)(?::(\d+|\*))?(\/[^?#]*)?$/i;

function sourceAllows(source: string, url: URL, self: URL): boolean {
  const s = source.toLowerCase();
  if (s === "'self'") {
    if (url.origin === self.origin) return true;
    // Same host with a secure upgrade of the scheme (and for ws, the same port) also counts.
    return url.hostname === self.hostname && schemeMatches(self.protocol, url.protocol) && (url.protocol === 'https:' || port(url) === port(self));
  }
  if (s === '*') return /^(https?|wss?|ftp):$/.test(url.protocol) || url.protocol === self.protocol;
  if (/^[a-z][a-z0-9+.-]*:$/.test(s)) return schemeMatches(s, url.protocol);
  const m = HOST_SOURCE.exec(s);
  if (!m) return false; // keywords ('unsafe-inline', nonces, hashes) allow no connection
  const [, scheme, host, sourcePort, path] = m;
  if (scheme ? !schemeMatches(scheme, url.protocol) : !schemeMatches(self.protocol, url.protocol)) return false;
  const hostname = url.hostname.toLowerCase();
  if (host === '*') {
    // a lone * host matches any host
  } else if (host.startsWith('*.')) {
    if (!hostname.endsWith(host.slice(1))) return false;
  } else if (hostname !== host) return false;
  if (sourcePort === '*') {
    // any port
  } else if (sourcePort) {
    if (port(url) !== sourcePort) return false;
  } else {
    const expected = DEFAULT_PORTS[scheme ?? url.protocol];
    // No port: the scheme's default, or the upgraded scheme's default.
    if (port(url) !== expected && !(port(url) === '443' && expected === '80')) return false;
  }
  if (path && path !== '/') {
    const target = decodeURIComponent(url.pathname);
    if (path.endsWith('/') ? !target.startsWith(path) : target !== path) return false;
  }
  return true;
}

/** Whether `sources` (from directiveSources) allow a request to `url` from a page at `self`. */
export function sourcesAllow(sources: string[] | null, url: URL, self: URL): boolean {
  if (sources === null) return true;
  return sources.some((s) => sourceAllows(s, url, self));
}

/**
 * Whether this page's policy lets it (and its workers, which inherit the policy) fetch `url`;
 * true when the page has no policy. A URL that cannot be parsed is not allowed.
 */
export function connectAllowed(url: string, doc: Document = document): boolean {
  let target: URL;
  try {
    target = new URL(url, doc.baseURI);
  } catch {
    return false;
  }
  return sourcesAllow(directiveSources(pagePolicy(doc), 'connect-src'), target, new URL(doc.baseURI));
}
