// Mounts xterm (fit, web links, WebGL on a GPU or else the DOM renderer: see renderer-choice.ts)
// on the lesson page and connects it to the server's shell. Run buttons reach it through a
// `labs:run` event.
import '@xterm/xterm/css/xterm.css';
import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { ENGLISH_NOTICES, TerminalConnection, type ConnectionNotices, type ConnectionState } from '../terminal/client-connection.ts';
import { pageToken, renewPageToken } from './page-token.ts';
import { clusterBeingBuilt, clusterWords, currentCluster, fill, needsCluster, whereText, type ClusterInfo } from './cluster-state.ts';
import { chooseRenderer } from './renderer-choice.ts';
import { tmuxHistory } from './terminal-history.ts';
import { isTerminalReport } from '../terminal/terminal-reports.ts';
import { watchedScreen } from './terminal-watch.ts';

const lightTheme: ITheme = {
  background: '#fbfcfd', foreground: '#1f2328', cursor: '#326ce5', cursorAccent: '#fbfcfd',
  selectionBackground: '#326ce533',
  black: '#24292f', red: '#cf222e', green: '#116329', yellow: '#8a6100', blue: '#0550ae', magenta: '#8250df', cyan: '#1b7c83', white: '#6e7781',
  brightBlack: '#57606a', brightRed: '#a40e26', brightGreen: '#1a7f37', brightYellow: '#7d5a00', brightBlue: '#0969da', brightMagenta: '#a475f9', brightCyan: '#3192aa', brightWhite: '#8c959f',
};
const darkTheme: ITheme = {
  background: '#0d1117', foreground: '#d6dde6', cursor: '#6d9cff', cursorAccent: '#0d1117',
  selectionBackground: '#6d9cff40',
  black: '#484f58', red: '#ff7b72', green: '#3fb950', yellow: '#d29922', blue: '#58a6ff', magenta: '#bc8cff', cyan: '#39c5cf', white: '#b1bac4',
  brightBlack: '#6e7681', brightRed: '#ffa198', brightGreen: '#56d364', brightYellow: '#e3b341', brightBlue: '#79c0ff', brightMagenta: '#d2a8ff', brightCyan: '#56d4dd', brightWhite: '#f0f6fc',
};
const themeFor = (): ITheme => (document.documentElement.dataset.theme === 'dark' ? darkTheme : lightTheme);

const FONT_SIZE = 13.5;

function mount(pane: HTMLElement): void {
  const host = pane.querySelector<HTMLElement>('[data-terminal-host]')!;
  const status = pane.querySelector<HTMLElement>('[data-terminal-status]')!;
  const statusText = pane.querySelector<HTMLElement>('[data-terminal-status-text]')!;
  const reconnectButton = pane.querySelector<HTMLButtonElement>('[data-terminal-reconnect]')!;
  // data-watch="<owner>": an instructor's read-only view of that learner's terminal.
  const watch = pane.dataset.watch;

  const term = new Terminal({
    // Hangul (Korean notices, kubectl output in Korean) falls back to the bundled Noto Sans KR.
    fontFamily: '"JetBrains Mono Variable", "JetBrains Mono", "Cascadia Mono", "Fira Mono", "DejaVu Sans Mono", Menlo, Consolas, "Noto Sans KR Variable", monospace',
    fontSize: FONT_SIZE,
    lineHeight: 1.2,
    cursorBlink: true,
    scrollback: 10_000,
    allowProposedApi: false,
    disableStdin: watch !== undefined,
    theme: themeFor(),
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.loadAddon(new WebLinksAddon());
  term.open(host);
  let renderer = 'dom';
  const choice = chooseRenderer(location.search);
  pane.dataset.rendererReason = choice.reason;
  void (choice.renderer === 'webgl' ? import('@xterm/addon-webgl') : Promise.reject(new Error(choice.reason)))
    .then(({ WebglAddon }) => {
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => {
        webgl.dispose();
        pane.dataset.renderer = renderer = 'dom';
      });
      term.loadAddon(webgl);
      pane.dataset.renderer = renderer = 'webgl';
    })
    .catch(() => {
      pane.dataset.renderer = renderer = 'dom';
    });
  pane.dataset.renderer = renderer;
  fit.fit();
  // The wheel reaches tmux's history in a classroom sandbox; a watcher draws at the learner's size.
  const history = tmuxHistory(term, host, (keys) => connection.send(keys));
  const watched = watch === undefined ? undefined : watchedScreen(term, pane, host, FONT_SIZE);

  // The alternate screen has no scrollback, yet xterm can keep a few rows above it (tmux drew a
  // taller screen than this one, before tmux learned the size): its view may stop there, showing
  // stale rows on top and hiding the bottom ones, the prompt among them, beside a scrollbar. Keep
  // the view on the screen, and no scrollbar there.
  const keepAlternateScreenInView = () => {
    const buffer = term.buffer.active;
    if (buffer.type === 'alternate' && buffer.viewportY !== buffer.baseY) term.scrollToBottom();
  };
  const scrollbar = host.querySelector<HTMLElement>('.xterm-scrollable-element > .scrollbar.vertical');
  term.buffer.onBufferChange((buffer) => scrollbar?.style.setProperty('display', buffer.type === 'alternate' ? 'none' : ''));
  term.onScroll(keepAlternateScreenInView);
  term.onResize(keepAlternateScreenInView);

  const noticeStyle = '\x1b[2m';
  // Text someone is waiting to see processed by xterm (tests and benchmarks: see waitForText).
  const watchers = new Set<{ text: string; resolve: () => void }>();
  const latin1 = new TextDecoder('latin1');
  const said = pane.dataset;
  const notices: ConnectionNotices = {
    shellReplaced: said.noticeShellReplaced ?? ENGLISH_NOTICES.shellReplaced,
    outputDropped: said.noticeOutputDropped ?? ENGLISH_NOTICES.outputDropped,
    shellExited: (code) => (said.noticeShellExited ?? '').replace('{code}', String(code)) || ENGLISH_NOTICES.shellExited(code),
    classEnded: said.noticeClassEnded ?? ENGLISH_NOTICES.classEnded,
    terminalError: (message) => (said.noticeTerminalError ?? '').replace('{message}', message) || ENGLISH_NOTICES.terminalError(message),
  };
  const connection = new TerminalConnection({
    // A learner's own shell says the page's language (their sandbox's `labs` speaks it); a watch is someone else's.
    url: () => `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws/terminal?token=${encodeURIComponent(pageToken())}${watch === undefined ? `&lang=${encodeURIComponent(document.documentElement.lang)}` : `&watch=${encodeURIComponent(watch)}`}`,
    readOnly: watch !== undefined,
    renewToken: renewPageToken,
    notices,
    storage: sessionStorage,
    screen: {
      write: (bytes, rendered) => {
        if (watchers.size === 0) {
          return term.write(bytes, () => {
            keepAlternateScreenInView();
            rendered();
          });
        }
        const chunk = latin1.decode(bytes);
        const seen = [...watchers].filter((watcher) => chunk.includes(watcher.text));
        term.write(bytes, () => {
          keepAlternateScreenInView();
          rendered();
          for (const watcher of seen) {
            watchers.delete(watcher);
            watcher.resolve();
          }
        });
      },
      reset: () => term.reset(),
      notice: (text) => term.write(`\r\n${noticeStyle}${text}\x1b[0m\r\n`),
      size: () => ({ cols: term.cols, rows: term.rows }),
    },
    onState: (state: ConnectionState, detail?: string) => {
      status.dataset.state = state;
      pane.dataset.state = state;
      const key = state === 'closed' ? 'textDisconnected' : `text${state[0]!.toUpperCase()}${state.slice(1)}`;
      const word = pane.dataset[key] ?? state;
      // Connected: to which shell, or (watching) at the learner's size.
      const learner = watched?.size();
      const about = learner ? `${learner.cols}×${learner.rows}` : detail?.split('/').pop();
      statusText.textContent = state === 'connected' && about ? `${word} · ${about}` : word;
      status.title = detail ?? '';
      // After a few failed tries the learner can retry at once instead of waiting.
      reconnectButton.hidden = !(state === 'closed' || (state === 'reconnecting' && connection.retries >= 3));
    },
    onScrollback: (viaTmux) => history.setEnabled(viaTmux),
    onSize: (size) => {
      watched?.resize(size);
      if (watched && pane.dataset.state === 'connected') statusText.textContent = `${pane.dataset.textConnected ?? 'connected'} · ${size.cols}×${size.rows}`;
    },
  });
  term.onData((data) => {
    // Answers to queries in the replayed history (tmux's, from its attach) must not reach the shell.
    if (connection.replaying && isTerminalReport(data)) return;
    history.beforeInput();
    connection.send(data);
  });
  term.onBinary((data) => connection.send(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff)));
  term.onResize((size) => connection.resize(size));
  reconnectButton.addEventListener('click', () => (pane.dataset.state === 'closed' ? connection.restart() : connection.retryNow()));
  connection.connect();
  // The class strip heard the class end (classroom-strip.ts): the server has ended this shell (it
  // says so itself when the socket is open); when it is not, stop retrying here, with the same line.
  window.addEventListener('labs:class-ended', () => connection.end('class-ended'));

  // Keep the terminal filling its pane as the split or the window changes.
  let fitFrame = 0;
  new ResizeObserver(() => {
    cancelAnimationFrame(fitFrame);
    fitFrame = requestAnimationFrame(() => {
      if (watched) watched.refit();
      else if (host.clientWidth > 0 && host.clientHeight > 0) fit.fit();
    });
  }).observe(host);

  window.addEventListener('labs:theme', () => {
    term.options.theme = themeFor();
  });

  // A line in the terminal when it opens on a cluster still being built, and when it is ready.
  let toldWaiting = false;
  window.addEventListener('labs:cluster', (event) => {
    const info = (event as CustomEvent<ClusterInfo>).detail;
    if (info.state === 'creating' && !toldWaiting) {
      toldWaiting = true;
      term.write(`\r\n${noticeStyle}${fill(clusterWords.terminalWaiting, { where: whereText(info) })}\x1b[0m\r\n`);
    } else if (info.state === 'running' && toldWaiting) {
      toldWaiting = false;
      term.write(`\r\n${noticeStyle}${clusterWords.terminalReady}\x1b[0m\r\n`);
    }
  });

  // A Run button types its command as if the learner had: each line followed by Enter. One that
  // needs the cluster while it is being built is held, with the reason, instead of failing.
  window.addEventListener('labs:run', (event) => {
    const command = (event as CustomEvent<{ command: string }>).detail.command.replace(/\r?\n/g, '\r');
    term.focus();
    if (clusterBeingBuilt() && needsCluster(command)) {
      term.write(`\r\n${noticeStyle}${fill(clusterWords.runHeld, { where: whereText(currentCluster()) })}\x1b[0m\r\n`);
      return;
    }
    history.beforeInput();
    void connection.run(command.endsWith('\r') ? command : `${command}\r`).then(({ ok, program }) => {
      if (!ok) term.write(`\r\n${noticeStyle}${fill(said.noticeRunBusy ?? '', { program: program ?? '?' })}\x1b[0m\r\n`);
    });
  });

  // For people and tests: read what the terminal shows.
  (window as unknown as { labsTerminal: unknown }).labsTerminal = {
    text(): string {
      const buffer = term.buffer.active;
      const lines: string[] = [];
      for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
      return lines.join('\n').replace(/\n+$/, '');
    },
    /** The `count` lines up to the cursor (cheap enough to poll while output floods in). */
    tail(count: number): string {
      const buffer = term.buffer.active;
      const cursorLine = buffer.baseY + buffer.cursorY;
      const lines: string[] = [];
      for (let i = Math.max(0, cursorLine - count + 1); i <= cursorLine; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
      return lines.join('\n');
    },
    /** The rows on screen now (what a person sees), and where the view is in the scrollback. */
    screen(): { rows: string[]; viewportY: number; baseY: number; buffer: string } {
      const buffer = term.buffer.active;
      const rows: string[] = [];
      for (let i = 0; i < term.rows; i++) rows.push((buffer.getLine(buffer.viewportY + i)?.translateToString(true) ?? '').trimEnd());
      return { rows, viewportY: buffer.viewportY, baseY: buffer.baseY, buffer: buffer.type };
    },
    /** Resolves once output containing `text` (within one chunk) has been processed by xterm. */
    waitForText: (text: string) => new Promise<void>((resolve) => watchers.add({ text, resolve })),
    size: () => ({ cols: term.cols, rows: term.rows }),
    get renderer() {
      return renderer;
    },
    get session() {
      return connection.sessionId;
    },
    get ready() {
      return connection.isReady;
    },
    focus: () => term.focus(),
  };
}

const pane = document.querySelector<HTMLElement>('[data-terminal]');
if (pane) {
  // xterm measures its cell size once: let the bundled mono font arrive first (briefly).
  const fontReady = document.fonts?.load('13.5px "JetBrains Mono Variable"').catch(() => undefined);
  void Promise.race([fontReady, new Promise((resolve) => setTimeout(resolve, 1500))]).then(() => mount(pane));
}
