import { AddressInfo, Socket } from 'node:net';
import { SMTPServer, SMTPServerOptions } from 'smtp-server';

/** One message as the server took it: the bytes after DATA (dot-stuffing undone) and the envelope. */
export interface ReceivedMail {
  raw: Buffer;
  from: string;
  to: string[];
}

/**
 * A real SMTP server on a free local port for the mail specs: it keeps what it received and the connections it saw
 * opened and closed (the pool's behaviour is part of what they check). `options` override the defaults (no TLS, no
 * auth), e.g. a short socketTimeout or an onRcptTo that refuses.
 */
export async function startSmtpTestServer(options: Partial<SMTPServerOptions> = {}) {
  const received: ReceivedMail[] = [];
  const opened: Socket[] = [];
  const closed: Socket[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, session, cb) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          raw: Buffer.concat(chunks),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        });
        cb();
      });
    },
    ...options,
  });
  server.on('error', () => undefined);
  server.server.on('connection', (socket: Socket) => {
    opened.push(socket);
    socket.on('close', () => closed.push(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { server, url: `smtp://127.0.0.1:${port}`, received, opened, closed, close: () => new Promise<void>((r) => server.close(() => r())) };
}
