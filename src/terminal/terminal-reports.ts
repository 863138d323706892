// What a terminal emulator sends by itself, in answer to a query in the output it draws: device
// attributes (CSI … c), cursor position and status reports (CSI … R, CSI … n), and colour or
// setting reports (OSC …, DCS …). Typed keys never look like these.

const CSI_REPORT = /^\x1b\[[?>=]?[\d;]*[cRn]$/;
const STRING_REPORT = /^\x1b[\]P][^\x1b\x07]*(\x07|\x1b\\)$/;

/** One chunk of terminal input that is only reports (xterm.js sends each report as its own chunk). */
export function isTerminalReport(data: string): boolean {
  return CSI_REPORT.test(data) || STRING_REPORT.test(data);
}
