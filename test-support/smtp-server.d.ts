// smtp-server ships no types and @types/smtp-server is not installed: what the tests use of it.
declare module 'smtp-server' {
  import type { Server } from 'node:net';
  import type { Readable } from 'node:stream';
  interface SMTPServerOptions {
    secure?: boolean;
    authOptional?: boolean;
    allowInsecureAuth?: boolean;
    disabledCommands?: string[];
    logger?: boolean;
    onAuth?(auth: { method: string; username: string; password: string }, session: unknown, callback: (error: Error | null, response?: { user: string }) => void): void;
    onData?(stream: Readable, session: { envelope: { mailFrom: { address: string } | false; rcptTo: { address: string }[] }; user?: string }, callback: (error?: Error | null) => void): void;
  }
  export class SMTPServer {
    constructor(options: SMTPServerOptions);
    server: Server;
    listen(port: number, host: string, callback: () => void): void;
    close(callback: () => void): void;
  }
}
