/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** Issued by src/server for each rendered page; the terminal WebSocket must present it. */
    terminalToken?: string;
    /** The lab catalog (titles, tasks, hints, starter files), from src/server's grader adapter. */
    labs?: import('./contract/labs.ts').LabSummary[];
    /** This learner's progress per lab, from the progress store. */
    progress?: import('./store/progress-store.ts').LabProgress[];
    /** Classroom mode: who is signed in (undefined in solo mode, or when nobody is). */
    classroom?: import('./server/classroom-mode.ts').ClassroomLocals;
  }
}
