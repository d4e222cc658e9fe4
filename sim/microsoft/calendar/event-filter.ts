/**
 * The `$filter` subset the sim honours on `/events`: clauses joined by `and`, each one of
 * `iCalUId eq '…'`, `subject eq '…'`, `seriesMasterId eq '…'`, `type eq '…'`, `isCancelled eq true|false`,
 * `start/dateTime ge|gt|le|lt '…'`, `end/dateTime ge|gt|le|lt '…'` (times in UTC unless they carry an offset).
 * Anything else is a 400, so a product query the sim cannot answer fails loudly instead of returning everything.
 */
import { badRequest } from '../graph-error.ts';
import type { Instance } from './instances.ts';

type Clause = (i: Instance) => boolean;

const CLAUSE =
  /^\s*(iCalUId|subject|seriesMasterId|type|isCancelled|start\/dateTime|end\/dateTime)\s+(eq|ge|gt|le|lt)\s+('(?:[^']|'')*'|true|false)\s*$/i;

export function parseEventFilter(filter: string): Clause {
  const clauses = filter.split(/\s+and\s+/i).map((raw): Clause => {
    const m = CLAUSE.exec(raw);
    if (!m?.[1] || !m[2] || m[3] === undefined) {
      throw badRequest(`Invalid filter clause '${raw.trim()}'.`, 'ErrorInvalidUrlQueryFilter');
    }
    const field = m[1].toLowerCase();
    const op = m[2].toLowerCase();
    const literal = m[3].startsWith("'") ? m[3].slice(1, -1).replace(/''/g, "'") : m[3].toLowerCase();
    if (field === 'start/datetime' || field === 'end/datetime') {
      const at = Date.parse(/(Z|[+-]\d\d:?\d\d)$/i.test(literal) ? literal : `${literal}Z`);
      if (Number.isNaN(at) || op === 'eq')
        throw badRequest(`Invalid filter clause '${raw.trim()}'.`, 'ErrorInvalidUrlQueryFilter');
      return (i) => {
        const v = field === 'start/datetime' ? i.startMs : i.endMs;
        return op === 'ge' ? v >= at : op === 'gt' ? v > at : op === 'le' ? v <= at : v < at;
      };
    }
    if (op !== 'eq')
      throw badRequest(`Operator '${op}' is not supported for '${m[1]}'.`, 'ErrorInvalidUrlQueryFilter');
    return (i) => {
      const e = i.stored.event;
      switch (field) {
        case 'icaluid':
          return e.iCalUId === literal;
        case 'subject':
          return e.subject === literal;
        case 'seriesmasterid':
          return i.type === 'occurrence' || i.type === 'exception' ? i.stored.id === literal : false;
        case 'type':
          return i.type === literal;
        default:
          return String(e.isCancelled === true) === literal;
      }
    };
  });
  return (i) => clauses.every((c) => c(i));
}
