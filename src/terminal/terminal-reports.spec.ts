import { describe, expect, it } from 'vitest';
import { isTerminalReport } from './terminal-reports.ts';

describe('terminal reports (what xterm.js answers by itself)', () => {
  it.each([
    ['DA1', '\x1b[?1;2c'],
    ['DA2, as tmux asks at attach', '\x1b[>0;276;0c'],
    ['cursor position', '\x1b[24;80R'],
    ['status', '\x1b[0n'],
    ['a colour (OSC 11, BEL)', '\x1b]11;rgb:1e1e/1e1e/1e1e\x07'],
    ['a colour (OSC 10, ST)', '\x1b]10;rgb:ffff/ffff/ffff\x1b\\'],
    ['a setting (DECRQSS)', '\x1bP1$r0m\x1b\\'],
  ])('%s is a report', (_name, data) => expect(isTerminalReport(data)).toBe(true));

  it.each([
    ['a letter', 'c'],
    ['text that looks like an answer', '0;276;0c'],
    ['Enter', '\r'],
    ['arrow up', '\x1b[A'],
    ['Ctrl+Right', '\x1b[1;5C'],
    ['F1', '\x1bOP'],
    ['Delete', '\x1b[3~'],
    ['a paste', '\x1b[200~kubectl get pods\x1b[201~'],
    ['Alt+c', '\x1bc'],
  ])('%s is typed, not a report', (_name, data) => expect(isTerminalReport(data)).toBe(false));
});
