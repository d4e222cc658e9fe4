import { describe, expect, it } from 'vitest';
import {
  parseEntraUserId,
  parseGraphEventId,
  parseMmUserId,
  parseTeamsChatId,
  parseTeamsMessageId,
  parseTenantId,
} from '../../../src/core/ids.ts';

describe('id parsers', () => {
  it('accept each family in its real shape', () => {
    expect(parseMmUserId('4xp9fdt77pncbef59f4k1qe83o')).toBe('4xp9fdt77pncbef59f4k1qe83o');
    expect(parseTeamsChatId('19:2da4c29f6d7041eca70b638b43d45437@thread.v2')).toContain('@thread.v2');
    expect(
      parseTeamsChatId(
        '19:8b081ef6-4792-4def-b2c9-c363a1bf41d5_5031bb31-22c0-4f6f-9f73-91d34ab2b32d@unq.gbl.spaces',
      ),
    ).toContain('unq');
    expect(parseTeamsMessageId('1616965872395')).toBe('1616965872395');
    expect(parseGraphEventId('AAMkAGIAAAoZDOFAAA=')).toBe('AAMkAGIAAAoZDOFAAA=');
  });

  it('lowercase GUIDs so the same Entra id is the same string', () => {
    expect(parseEntraUserId('6E7B768E-07E2-4810-8459-485F84F8F204')).toBe(
      '6e7b768e-07e2-4810-8459-485f84f8f204',
    );
    expect(parseTenantId('72F988BF-86F1-41AF-91AB-2D7CD011DB47')).toBe(
      '72f988bf-86f1-41af-91ab-2d7cd011db47',
    );
  });

  it('refuse other shapes with a coded error naming the family', () => {
    expect(() => parseMmUserId('alice')).toThrow(/not a valid Mattermost user id/);
    expect(() => parseMmUserId('4XP9FDT77PNCBEF59F4K1QE83O')).toThrow();
    expect(() => parseEntraUserId('not-a-guid')).toThrow(/Entra user id/);
    expect(() => parseTeamsChatId('chat-1')).toThrow(/Teams chat id/);
    expect(() => parseTeamsMessageId('12a')).toThrow();
    expect(() => parseGraphEventId('')).toThrow();
    expect(() => parseMmUserId(undefined)).toThrow();
  });
});
