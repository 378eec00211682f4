// A fake SNS on 127.0.0.1 speaking SNS's wire protocol (AWS Query: form-encoded POST, XML answers),
// validating Publish the way SNS does, and able to answer with throttling or server errors.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Publish request as the server decoded it. */
export interface ReceivedPublish {
  topicArn?: string;
  subject?: string;
  message: string;
  messageStructure?: string;
  attributes: Record<string, { dataType: string; value: string }>;
  authorization?: string;
}

/**
 * What the next requests get: `ok`, or an SNS error. Consumed in order; `ok` once the queue is empty.
 * `accept-then-drop` and `accept-then-hang` accept the message (it is in `received`: SNS will deliver it) and
 * then drop the connection or never answer: the answer is lost. `hang` never answers and accepts nothing.
 */
export type SnsAnswer =
  | 'ok'
  | 'throttle'
  | 'internal-error'
  | 'accept-then-drop'
  | 'accept-then-hang'
  | 'hang';

export interface FakeSns {
  endpoint: string;
  received: ReceivedPublish[];
  /** Every HTTP request, including those answered with an error. */
  requests: number;
  answers: SnsAnswer[];
  close(): Promise<void>;
}

const xmlEscape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const errorXml = (type: string, code: string, message: string): string =>
  `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;

/**
 * SNS's documented Publish constraints, checked as the service checks them: the reason SNS would give for
 * rejecting the request, or `undefined` when it would accept it. Exported for its own tests.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export const validatePublish = (p: ReceivedPublish): string | undefined => {
  if (!p.topicArn) return 'TopicArn or TargetArn Reason: no value for required parameter';
  if (p.subject !== undefined) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: SNS rejects control characters in subjects.
    if (p.subject.length >= 100 || /[^\x20-\x7e]/.test(p.subject) || /[\u0000-\u001f]/.test(p.subject)) {
      return 'Subject: must be ASCII text, less than 100 characters, with no line breaks or control characters';
    }
  }
  let size = Buffer.byteLength(p.message) + Buffer.byteLength(p.subject ?? '');
  for (const [name, attr] of Object.entries(p.attributes)) {
    if (!attr.value) return `Message attribute '${name}' must contain non-empty message attribute value`;
    if (!['String', 'Number', 'String.Array', 'Binary'].includes(attr.dataType.split('.')[0] ?? '')) {
      return `The message attribute '${name}' has an invalid message attribute type`;
    }
    size += Buffer.byteLength(name) + Buffer.byteLength(attr.dataType) + Buffer.byteLength(attr.value);
  }
  if (size > 262_144) return 'Message too long';
  if (p.messageStructure === 'json') return 'MessageStructure json is not what this project publishes';
  return undefined;
};

/** Starts the fake on an ephemeral port of 127.0.0.1. */
export const startFakeSns = async (): Promise<FakeSns> => {
  const fake: FakeSns = {
    endpoint: '',
    received: [],
    requests: 0,
    answers: [],
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      fake.requests += 1;
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const answer = fake.answers.shift() ?? 'ok';
      res.setHeader('content-type', 'text/xml');
      if (answer === 'hang') return;
      if (answer === 'throttle') {
        res.statusCode = 400;
        res.end(errorXml('Sender', 'Throttling', 'Rate exceeded'));
        return;
      }
      if (answer === 'internal-error') {
        res.statusCode = 500;
        res.end(errorXml('Receiver', 'InternalError', 'An internal service error occurred'));
        return;
      }
      if (form.get('Action') !== 'Publish') {
        res.statusCode = 400;
        res.end(errorXml('Sender', 'InvalidAction', `unsupported action ${form.get('Action')}`));
        return;
      }
      const attributes: ReceivedPublish['attributes'] = {};
      for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i += 1) {
        attributes[form.get(`MessageAttributes.entry.${i}.Name`) ?? ''] = {
          dataType: form.get(`MessageAttributes.entry.${i}.Value.DataType`) ?? '',
          value: form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '',
        };
      }
      const publish: ReceivedPublish = {
        topicArn: form.get('TopicArn') ?? undefined,
        subject: form.get('Subject') ?? undefined,
        message: form.get('Message') ?? '',
        messageStructure: form.get('MessageStructure') ?? undefined,
        attributes,
        authorization: req.headers.authorization,
      };
      const invalid = validatePublish(publish);
      if (invalid) {
        res.statusCode = 400;
        res.end(errorXml('Sender', 'InvalidParameter', `Invalid parameter: ${invalid}`));
        return;
      }
      fake.received.push(publish);
      if (answer === 'accept-then-drop') {
        req.socket.destroy();
        return;
      }
      if (answer === 'accept-then-hang') return;
      res.end(
        `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
      );
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  fake.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise((resolveClose) => {
      server.closeAllConnections();
      server.close(() => resolveClose());
    });
  return fake;
};
