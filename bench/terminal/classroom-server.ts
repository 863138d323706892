// The terminal bridge alone, as classroom mode runs it (?as=<owner> opens that owner's shell,
// ?watch=<owner> a read-only view), in its own process so the benchmark's clients do not share
// its event loop. Prints "listening <port>"; ends when stdin closes.
import { startBridge } from '../../tests/unit/terminal-bridge-harness.ts';

const bridge = await startBridge({ manager: { maxSessions: 64 } });
process.stdout.write(`listening ${bridge.port}\n`);
process.stdin.resume();
process.stdin.on('end', () => void bridge.close().then(() => process.exit(0)));
