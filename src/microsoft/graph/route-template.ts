/**
 * The metric label for a Graph path: ids replaced by `{id}` so label values stay bounded (house style rule
 * 16: never user, chat or event ids in labels). A segment is an id unless it looks like a property or action
 * name (letters, `$`, `.` only, at most 48 characters): GUIDs, UPNs, `19:…@thread.v2`, base64 event ids and
 * epoch-ms message ids all contain other characters. `chats('…')` keeps its name: `chats({id})`.
 */
export function routeTemplate(path: string): string {
  const bare = (path.split('?')[0] ?? '')
    .replace(/^https?:\/\/[^/]+/, '')
    .replace(/^\/(v1\.0|beta)(?=\/|$)/, '');
  const out: string[] = [];
  for (const raw of bare.split('/')) {
    if (raw === '') continue;
    let seg = raw;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      // keep the raw segment: it is only a label
    }
    const call = /^([A-Za-z]+)\(.*\)$/.exec(seg);
    if (call) out.push(`${call[1]}({id})`);
    else if (!/^[A-Za-z$.]+$/.test(seg) || seg.length > 48) out.push('{id}');
    else out.push(seg);
  }
  return `/${out.join('/')}`.slice(0, 120);
}
