// A tiny AWS JSON-protocol endpoint on 127.0.0.1 for the forwarder's real SDK clients: DynamoDB (GetItem,
// PutItem with the condition Powertools idempotency sends, UpdateItem with SET, DeleteItem) and SSM
// GetParameter. Point the SDK at it with AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_SSM.
// @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
// @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type AttributeValue = { S?: string; N?: string; BOOL?: boolean; M?: Record<string, AttributeValue> };
type Item = Record<string, AttributeValue>;

/** A running fake. `tables` maps table name → key string → item. */
export interface AwsServer {
  endpoint: string;
  tables: Map<string, Map<string, Item>>;
  /** SSM parameters: name → value (all SecureString). */
  parameters: Map<string, string>;
  calls: { target: string; body: Record<string, unknown> }[];
  /**
   * Faults for the next matching requests, consumed in order: `error` answers 500 InternalServerError (the SDK
   * retries it, so script one per attempt), `hang` accepts the request and never answers.
   */
  faults: AwsFault[];
  close(): Promise<void>;
}

/** A scripted fault: which request (target, and optionally a test on its body) and what happens to it. */
export interface AwsFault {
  target: string;
  when?: (body: Record<string, unknown>) => boolean;
  kind: 'error' | 'hang';
}

/** Whether an UpdateItem is Powertools saving a COMPLETED record (its "save success" write). */
export const isSaveSuccess = (body: Record<string, unknown>): boolean =>
  JSON.stringify(body.ExpressionAttributeValues ?? {}).includes('"COMPLETED"');

// The condition DynamoDBPersistenceLayer._putRecord sends; any other condition is refused so the fake never
// silently agrees to semantics it does not implement.
const POWERTOOLS_CONDITION =
  'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)';

const reply = (response: ServerResponse, status: number, body: unknown): void => {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
  response.end(JSON.stringify(body));
};
const awsError = (response: ServerResponse, type: string, message: string, extra: object = {}): void =>
  reply(response, 400, { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message, ...extra });

const keyOf = (key: Item): string =>
  JSON.stringify(Object.entries(key).sort(([a], [b]) => a.localeCompare(b)));
const num = (value: AttributeValue | undefined): number | undefined =>
  value?.N === undefined ? undefined : Number(value.N);

/** Starts the fake. */
export const startAwsServer = async (): Promise<AwsServer> => {
  const tables = new Map<string, Map<string, Item>>();
  const parameters = new Map<string, string>();
  const calls: AwsServer['calls'] = [];
  const faults: AwsFault[] = [];
  const table = (name: string): Map<string, Item> => {
    let found = tables.get(name);
    if (!found) {
      found = new Map();
      tables.set(name, found);
    }
    return found;
  };

  const server = createServer((request, response) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const target = String(request.headers['x-amz-target'] ?? '');
      calls.push({ target, body });
      const fault = faults.findIndex((f) => f.target === target && (f.when?.(body) ?? true));
      if (fault >= 0) {
        const [{ kind } = { kind: 'error' }] = faults.splice(fault, 1);
        if (kind === 'hang') return;
        reply(response, 500, { __type: 'InternalServerError', message: 'Internal server error' });
        return;
      }
      if (!String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256')) {
        reply(response, 400, {
          __type: 'MissingAuthenticationTokenException',
          message: 'Missing Authentication Token',
        });
        return;
      }
      switch (target) {
        case 'AmazonSSM.GetParameter': {
          const value = parameters.get(String(body.Name));
          if (value === undefined) {
            reply(response, 400, { __type: 'ParameterNotFound', message: '' });
            return;
          }
          // A SecureString read without WithDecryption returns ciphertext: make that visible in tests.
          const shown = body.WithDecryption === true ? value : `AQICAHencrypted-${value.length}`;
          reply(response, 200, {
            Parameter: { Name: body.Name, Type: 'SecureString', Value: shown, Version: 1 },
          });
          return;
        }
        case 'DynamoDB_20120810.GetItem': {
          const item = table(String(body.TableName)).get(keyOf(body.Key as Item));
          reply(response, 200, item ? { Item: item } : {});
          return;
        }
        case 'DynamoDB_20120810.DeleteItem': {
          table(String(body.TableName)).delete(keyOf(body.Key as Item));
          reply(response, 200, {});
          return;
        }
        case 'DynamoDB_20120810.PutItem': {
          const items = table(String(body.TableName));
          const item = body.Item as Item;
          const names = (body.ExpressionAttributeNames ?? {}) as Record<string, string>;
          const values = (body.ExpressionAttributeValues ?? {}) as Item;
          if (body.ConditionExpression !== POWERTOOLS_CONDITION) {
            awsError(
              response,
              'ValidationException',
              `fake does not implement condition ${String(body.ConditionExpression)}`,
            );
            return;
          }
          const keyName = names['#id'] ?? 'id';
          const key = keyOf({ [keyName]: item[keyName] as AttributeValue });
          const old = items.get(key);
          const attr = (name: string): AttributeValue | undefined => old?.[names[name] ?? ''];
          const allowed =
            old === undefined ||
            (num(attr('#expiry')) ?? Number.POSITIVE_INFINITY) < (num(values[':now']) ?? 0) ||
            (attr('#status')?.S === values[':inprogress']?.S &&
              attr('#in_progress_expiry') !== undefined &&
              (num(attr('#in_progress_expiry')) ?? 0) < (num(values[':now_in_millis']) ?? 0));
          if (!allowed) {
            awsError(response, 'ConditionalCheckFailedException', 'The conditional request failed', {
              ...(body.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' ? { Item: old } : {}),
            });
            return;
          }
          items.set(key, item);
          reply(response, 200, {});
          return;
        }
        case 'DynamoDB_20120810.UpdateItem': {
          const items = table(String(body.TableName));
          const key = keyOf(body.Key as Item);
          const names = body.ExpressionAttributeNames as Record<string, string>;
          const values = body.ExpressionAttributeValues as Item;
          const expression = String(body.UpdateExpression);
          if (!expression.startsWith('SET ')) {
            awsError(response, 'ValidationException', `fake supports SET only: ${expression}`);
            return;
          }
          const old = items.get(key);
          const item: Item = { ...(old ?? (body.Key as Item)) };
          for (const assignment of expression.slice(4).split(',')) {
            const [name, value] = assignment.split('=').map((part) => part.trim());
            const attribute = names[name ?? ''];
            const attributeValue = values[value ?? ''];
            if (!attribute || !attributeValue) {
              awsError(response, 'ValidationException', `unresolved ${assignment}`);
              return;
            }
            item[attribute] = attributeValue;
          }
          items.set(key, item);
          // ReturnValues ALL_OLD: the item as it was before the update, if there was one.
          reply(response, 200, body.ReturnValues === 'ALL_OLD' && old ? { Attributes: old } : {});
          return;
        }
        default:
          reply(response, 400, { __type: 'UnknownOperationException', message: target });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tables,
    parameters,
    calls,
    faults,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
