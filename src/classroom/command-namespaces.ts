// Which namespaces a learner's command line names, and so which labs it starts (issue #21: "a
// command in its namespace" starts a lab). The line comes from the learner's shell
// (src/terminal/shell-marks.ts). Words are split as a shell would at its simplest (quotes,
// backslashes, ; & | ( ) and newlines between commands); in each command, the flags after a
// kubectl, k, helm or helm3 word: -n X, -nX, -n=X, --namespace X, --namespace=X (and argocd's
// --dest-namespace), up to a `--` (after which `kubectl exec … -- ls -n` is another program's).

const TOOLS = new Set(['kubectl', 'k', 'helm', 'helm3']);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const BETWEEN_COMMANDS = new Set([';', '&', '|', '(', ')', '\n', '`']);

/** The line's words, each command's words in its own list. */
function commands(line: string): string[][] {
  const all: string[][] = [[]];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  const endWord = () => {
    if (word !== undefined) all.at(-1)!.push(word);
    word = undefined;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else if (BETWEEN_COMMANDS.has(c)) {
      endWord();
      if (all.at(-1)!.length > 0) all.push([]);
    } else if (/\s/.test(c)) {
      endWord();
    } else {
      word = (word ?? '') + c;
    }
  }
  endWord();
  return all.filter((words) => words.length > 0);
}

/** The namespace flags' values after the tool's word. */
function namespaceFlags(args: string[], tool: string): string[] {
  const found: string[] = [];
  const long = tool === 'argocd' ? ['--dest-namespace'] : ['--namespace'];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (tool !== 'argocd' && arg === '-n') found.push(args[++i] ?? '');
    else if (tool !== 'argocd' && arg.startsWith('-n') && !arg.startsWith('--')) found.push(arg.slice(2).replace(/^=/, ''));
    else if (long.includes(arg)) found.push(args[++i] ?? '');
    else {
      const flag = long.find((name) => arg.startsWith(`${name}=`));
      if (flag) found.push(arg.slice(flag.length + 1));
    }
  }
  return found;
}

/** Namespaces named by the kubectl/helm (and argocd) commands of a shell command line. */
export function namespacesIn(line: string): string[] {
  const found = new Set<string>();
  for (const words of commands(line)) {
    const at = words.findIndex((w) => TOOLS.has(w.split('/').at(-1)!) || w.split('/').at(-1) === 'argocd');
    if (at === -1) continue;
    const tool = words[at]!.split('/').at(-1)!;
    for (const namespace of namespaceFlags(words.slice(at + 1), tool)) if (DNS_LABEL.test(namespace)) found.add(namespace);
  }
  return [...found];
}

/** The labs whose namespaces the command line names (lab ids, e.g. "02-readiness"). */
export function labsNamedBy(line: string, labs: readonly { id: string; namespaces: readonly string[] }[]): string[] {
  const named = namespacesIn(line);
  if (named.length === 0) return [];
  return labs.filter((lab) => lab.namespaces.some((namespace) => named.includes(namespace))).map((lab) => lab.id);
}
