/**
 * Just enough of a browser for `mm365 try`: follows redirects by hand with a cookie jar per host, so the
 * sign-in chain (our service → Mattermost → our service → Microsoft → our service) runs as it would for a
 * person. It records each hop for the transcript. It does not run scripts or submit forms: in the sandbox the
 * Mattermost OAuth app is trusted (no consent page) and Microsoft is given a login_hint (auto-approved).
 */
export interface Hop {
  method: string;
  url: string;
  status: number;
  location?: string;
  /** The page's visible text, when the chain ends on a page. */
  text?: string;
}

export class Browser {
  readonly #jar = new Map<string, Map<string, string>>();

  /** Sets a cookie as if the person were already signed in to that site. */
  setCookie(origin: string, name: string, value: string): void {
    const host = new URL(origin).host;
    const jar = this.#jar.get(host) ?? new Map<string, string>();
    jar.set(name, value);
    this.#jar.set(host, jar);
  }

  /** GETs `url` and follows up to `maxHops` redirects. */
  async open(url: string, maxHops = 15): Promise<Hop[]> {
    const hops: Hop[] = [];
    let next: string | undefined = url;
    for (let i = 0; next && i < maxHops; i++) {
      const target: URL = new URL(next);
      const cookies = this.#jar.get(target.host);
      const res: Response = await fetch(target, {
        redirect: 'manual',
        headers: cookies ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {},
      });
      this.#remember(target.host, res.headers.getSetCookie());
      const location = res.headers.get('location');
      const hop: Hop = { method: 'GET', url: target.toString(), status: res.status };
      if (res.status >= 300 && res.status < 400 && location) {
        hop.location = new URL(location, target).toString();
        next = hop.location;
        await res.body?.cancel();
      } else {
        hop.text = visibleText(await res.text());
        next = undefined;
      }
      hops.push(hop);
    }
    return hops;
  }

  #remember(host: string, setCookies: string[]): void {
    for (const header of setCookies) {
      const [pair] = header.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq <= 0) continue;
      const jar = this.#jar.get(host) ?? new Map<string, string>();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(header)) jar.delete(pair.slice(0, eq).trim());
      else jar.set(pair.slice(0, eq).trim(), value);
      this.#jar.set(host, jar);
    }
  }
}

/** Page text as a person reads it: tags dropped, entities decoded, whitespace folded. */
export function visibleText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
