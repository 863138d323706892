/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** Issued by src/server for each rendered page; the terminal WebSocket must present it. */
    terminalToken?: string;
  }
}
