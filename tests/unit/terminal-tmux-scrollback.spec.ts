// tmux.conf announces its history keys with a window title (src/terminal/tmux-scrollback.ts): the
// server takes it out of the output wherever reads split it, and tells the browser once.
import { describe, expect, it } from 'vitest';
import { ScrollbackAnnouncement } from '../../src/terminal/tmux-scrollback.ts';

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString('latin1');
const announcement = '\x1b]0;labs:tmux-scrollback\x07';

function run(input: string, cuts: number[]): { output: string; announced: number } {
  let announced = 0;
  const filter = new ScrollbackAnnouncement(() => announced++);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts, input.length]) {
    chunks.push(filter.filter(bytes(input.slice(from, cut))));
    from = cut;
  }
  return { output: text(chunks), announced };
}

describe('the tmux scrollback announcement', () => {
  const screen = `\x1b[?1049h\x1b[H\x1b[2J${announcement}\x1b[32mlearner@lab\x1b[m:~$ `;

  it('is taken out of the output, and reported, however the reads split it', () => {
    for (let cut = 0; cut <= screen.length; cut++) {
      expect(run(screen, [cut]), `cut at ${cut}`).toEqual({ output: '\x1b[?1049h\x1b[H\x1b[2J\x1b[32mlearner@lab\x1b[m:~$ ', announced: 1 });
    }
    expect(run(screen, Array.from({ length: screen.length }, (_, i) => i))).toEqual({ output: '\x1b[?1049h\x1b[H\x1b[2J\x1b[32mlearner@lab\x1b[m:~$ ', announced: 1 });
  });

  it('ends with ST as well as BEL', () => {
    expect(run(`a\x1b]0;labs:tmux-scrollback\x1b\\b`, [5])).toEqual({ output: 'ab', announced: 1 });
  });

  it('leaves other titles and a prefix that turns out to be something else', () => {
    for (const other of ['\x1b]0;vim\x07', '\x1b]0;labs:tmux-scroll\x07', '\x1b]0;labs:tmux-scrollbackX\x07', '\x1b]0;labs:tmux-scrollback\x1b[m']) {
      for (let cut = 0; cut <= other.length; cut++) expect(run(`x${other}y`, [cut]), JSON.stringify(other)).toEqual({ output: `x${other}y`, announced: 0 });
    }
  });

  it('passes output without it as the very same array', () => {
    const filter = new ScrollbackAnnouncement(() => {});
    const chunk = bytes('\x1b[32mgreen\x1b[m plain');
    expect(filter.filter(chunk)).toBe(chunk);
  });
});
