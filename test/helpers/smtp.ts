// A real SMTP server for tests (the `smtp-server` package) on a free loopback port: it accepts
// every message, parses it with `mailparser` and keeps it, so a test can wait for the email a
// resident would get and read its subject, text, links and headers.
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { freePort } from './server.ts';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Map<string, unknown>;
  /** Raw header lines by lower-case name ("list-unsubscribe-post"). */
  header: (name: string) => string;
  /** Every http(s) link in the text. */
  links: string[];
}

export interface TestSmtp {
  url: string;
  port: number;
  received: ReceivedMail[];
  /** Waits until `count` messages match, or fails after `timeoutMs`. */
  waitFor: (match: (mail: ReceivedMail) => boolean, count?: number, timeoutMs?: number) => Promise<ReceivedMail[]>;
  /**
   * Runs before each message is answered (a test may kill the sender here). Returning an error
   * with a `responseCode` refuses the message with that SMTP reply instead of "250 OK"; a
   * refused message is not kept in `received`.
   */
  onMessage: ((mail: ReceivedMail, index: number) => void | Error | Promise<void | Error>) | null;
  stop: () => Promise<void>;
}

function toReceived(parsed: ParsedMail): ReceivedMail {
  const text = parsed.text ?? '';
  const to = Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : (parsed.to?.text ?? '');
  const headerLines = new Map<string, string>();
  for (const line of parsed.headerLines) headerLines.set(line.key.toLowerCase(), line.line.slice(line.line.indexOf(':') + 1).trim());
  return {
    to,
    subject: parsed.subject ?? '',
    text,
    html: typeof parsed.html === 'string' ? parsed.html : '',
    messageId: parsed.messageId ?? '',
    headers: parsed.headers,
    header: (name) => headerLines.get(name.toLowerCase()) ?? '',
    links: [...text.matchAll(/https?:\/\/[^\s<>"]+/g)].map((m) => m[0].replace(/[.,)]+$/, '')),
  };
}

export async function startSmtpServer(): Promise<TestSmtp> {
  const port = await freePort();
  const received: ReceivedMail[] = [];
  const state: TestSmtp = {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    onMessage: null,
    async waitFor(match, count = 1, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.filter(match);
        if (found.length >= count) return found;
        if (Date.now() > deadline) {
          throw new Error(`Expected ${count} matching emails within ${timeoutMs} ms, got ${found.length}. Subjects received: ${received.map((m) => m.subject).join(' | ') || 'none'}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          async (parsed) => {
            const mail = toReceived(parsed);
            const verdict = await state.onMessage?.(mail, received.length + 1);
            if (verdict instanceof Error) return callback(verdict);
            received.push(mail);
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return state;
}
