// A fake IAM on 127.0.0.1 that speaks IAM's wire protocol: AWS Query (form-encoded POST, Action=...),
// XML answers in the 2010-05-08 namespace, ErrorResponse documents with IAM's codes and HTTP statuses.
// Point a real IAMClient at it with `endpoint: server.endpoint`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** A managed policy the fake knows: versions by id, documents as plain JSON text. */
export interface FakePolicy {
  name: string;
  defaultVersionId: string;
  versions: Record<string, { document: string; createDate?: string }>;
}

/** A group the fake knows. */
export interface FakeGroup {
  attached: { policyArn: string; policyName: string }[];
  inline: Record<string, string>;
}

/** A scripted failure: the next `times` calls of `action` answer with this IAM error. */
export interface ScriptedFailure {
  action: string;
  code: 'NoSuchEntity' | 'AccessDenied' | 'Throttling' | 'ServiceFailure';
  times: number;
}

/** One request as the fake received it. */
export interface ReceivedRequest {
  action: string;
  params: Record<string, string>;
}

/** The running fake. */
export interface FakeIamServer {
  endpoint: string;
  policies: Map<string, FakePolicy>;
  groups: Map<string, FakeGroup>;
  /** Users and roles hold policies as groups do. */
  users: Map<string, FakeGroup>;
  roles: Map<string, FakeGroup>;
  requests: ReceivedRequest[];
  /** Adds failures; consumed in order. */
  fail(failure: ScriptedFailure): void;
  /** Delays every answer of an action by `ms`. */
  delay(action: string, ms: number): void;
  close(): Promise<void>;
}

const STATUS: Record<ScriptedFailure['code'], number> = {
  NoSuchEntity: 404,
  AccessDenied: 403,
  Throttling: 400,
  ServiceFailure: 500,
};

const escapeXml = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const requestId = (): string => crypto.randomUUID();

const ok = (action: string, result: string): string =>
  `<${action}Response xmlns="${NS}">\n  <${action}Result>${result}</${action}Result>\n` +
  `  <ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata>\n</${action}Response>`;

const errorXml = (code: string, message: string): string =>
  `<ErrorResponse xmlns="${NS}">\n  <Error><Type>Sender</Type><Code>${code}</Code>` +
  `<Message>${escapeXml(message)}</Message></Error>\n  <RequestId>${requestId()}</RequestId>\n</ErrorResponse>`;

// IAM returns documents URL-encoded (RFC 3986).
const encodeDocument = (document: string): string => escapeXml(encodeURIComponent(document));

/** Starts the fake on an ephemeral port of 127.0.0.1. */
export const startFakeIam = async (): Promise<FakeIamServer> => {
  const policies = new Map<string, FakePolicy>();
  const groups = new Map<string, FakeGroup>();
  const users = new Map<string, FakeGroup>();
  const roles = new Map<string, FakeGroup>();
  // The policy holders by the wire's own words: each action names its kind, its parameter and its error text.
  const holders = new Map([
    ['Group', { table: groups, param: 'GroupName', noun: 'group' }],
    ['User', { table: users, param: 'UserName', noun: 'user' }],
    ['Role', { table: roles, param: 'RoleName', noun: 'role' }],
  ]);
  const requests: ReceivedRequest[] = [];
  const failures: ScriptedFailure[] = [];
  const delays = new Map<string, number>();

  const answer = (action: string, params: Record<string, string>): { status: number; body: string } => {
    const failure = failures.find((candidate) => candidate.action === action && candidate.times > 0);
    if (failure) {
      failure.times -= 1;
      const message =
        failure.code === 'AccessDenied'
          ? `User: arn:aws:sts::123456789012:assumed-role/notifier/fn is not authorized to perform: iam:${action}`
          : failure.code === 'Throttling'
            ? 'Rate exceeded'
            : `The entity could not be found (${action}).`;
      return { status: STATUS[failure.code], body: errorXml(failure.code, message) };
    }
    const notFound = (what: string) => ({
      status: 404,
      body: errorXml('NoSuchEntity', `${what} does not exist.`),
    });
    switch (action) {
      case 'GetPolicy': {
        const arn = params.PolicyArn ?? '';
        const policy = policies.get(arn);
        if (!policy) return notFound(`Policy ${arn}`);
        return {
          status: 200,
          body: ok(
            action,
            `<Policy><PolicyName>${escapeXml(policy.name)}</PolicyName><PolicyId>ANPAEXAMPLE</PolicyId>` +
              `<Arn>${escapeXml(arn)}</Arn><Path>/</Path><DefaultVersionId>${policy.defaultVersionId}</DefaultVersionId>` +
              `<AttachmentCount>1</AttachmentCount><PermissionsBoundaryUsageCount>0</PermissionsBoundaryUsageCount>` +
              `<IsAttachable>true</IsAttachable><CreateDate>2024-01-01T00:00:00Z</CreateDate>` +
              `<UpdateDate>2024-01-02T00:00:00Z</UpdateDate></Policy>`,
          ),
        };
      }
      case 'GetPolicyVersion': {
        const arn = params.PolicyArn ?? '';
        const versionId = params.VersionId ?? '';
        const policy = policies.get(arn);
        const version = policy?.versions[versionId];
        if (!policy || !version) return notFound(`Policy ${arn} version ${versionId}`);
        return {
          status: 200,
          body: ok(
            action,
            `<PolicyVersion><Document>${encodeDocument(version.document)}</Document><VersionId>${versionId}</VersionId>` +
              `<IsDefaultVersion>${versionId === policy.defaultVersionId}</IsDefaultVersion>` +
              `<CreateDate>${version.createDate ?? '2024-01-01T00:00:00Z'}</CreateDate></PolicyVersion>`,
          ),
        };
      }
      case 'ListPolicyVersions': {
        const arn = params.PolicyArn ?? '';
        const policy = policies.get(arn);
        if (!policy) return notFound(`Policy ${arn}`);
        const members = Object.entries(policy.versions)
          .map(
            ([id, version]) =>
              `<member><VersionId>${id}</VersionId><IsDefaultVersion>${id === policy.defaultVersionId}</IsDefaultVersion>` +
              `<CreateDate>${version.createDate ?? '2024-01-01T00:00:00Z'}</CreateDate></member>`,
          )
          .join('');
        return {
          status: 200,
          body: ok(action, `<IsTruncated>false</IsTruncated><Versions>${members}</Versions>`),
        };
      }
      default:
        break;
    }
    // ListAttached{Group,User,Role}Policies, List{Group,User,Role}Policies, Get{Group,User,Role}Policy.
    const listAttached = /^ListAttached(Group|User|Role)Policies$/.exec(action);
    const listInline = /^List(Group|User|Role)Policies$/.exec(action);
    const getInline = /^Get(Group|User|Role)Policy$/.exec(action);
    const holderOf = (match: RegExpExecArray | null) => (match ? holders.get(match[1] ?? '') : undefined);
    const attachedHolder = holderOf(listAttached);
    if (attachedHolder) {
      const holder = attachedHolder.table.get(params[attachedHolder.param] ?? '');
      if (!holder) return notFound(`The ${attachedHolder.noun} with name ${params[attachedHolder.param]}`);
      const members = holder.attached
        .map(
          (policy) =>
            `<member><PolicyName>${escapeXml(policy.policyName)}</PolicyName><PolicyArn>${escapeXml(policy.policyArn)}</PolicyArn></member>`,
        )
        .join('');
      return {
        status: 200,
        body: ok(action, `<IsTruncated>false</IsTruncated><AttachedPolicies>${members}</AttachedPolicies>`),
      };
    }
    const inlineHolder = holderOf(listInline);
    if (inlineHolder) {
      const holder = inlineHolder.table.get(params[inlineHolder.param] ?? '');
      if (!holder) return notFound(`The ${inlineHolder.noun} with name ${params[inlineHolder.param]}`);
      const members = Object.keys(holder.inline)
        .map((name) => `<member>${escapeXml(name)}</member>`)
        .join('');
      return {
        status: 200,
        body: ok(action, `<IsTruncated>false</IsTruncated><PolicyNames>${members}</PolicyNames>`),
      };
    }
    const getHolder = holderOf(getInline);
    if (getHolder) {
      const name = params[getHolder.param] ?? '';
      const document = getHolder.table.get(name)?.inline[params.PolicyName ?? ''];
      if (document === undefined) return notFound(`The ${getHolder.noun} policy ${params.PolicyName}`);
      return {
        status: 200,
        body: ok(
          action,
          `<${getHolder.param}>${escapeXml(name)}</${getHolder.param}><PolicyName>${escapeXml(params.PolicyName ?? '')}</PolicyName>` +
            `<PolicyDocument>${encodeDocument(document)}</PolicyDocument>`,
        ),
      };
    }
    return { status: 400, body: errorXml('InvalidAction', `Could not find operation ${action}`) };
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const action = params.Action ?? '';
      requests.push({ action, params });
      const { status, body } = answer(action, params);
      const send = () => {
        if (response.destroyed) return;
        response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId() });
        response.end(body);
      };
      const wait = delays.get(action);
      if (wait) setTimeout(send, wait).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    policies,
    groups,
    users,
    roles,
    requests,
    fail: (failure) => failures.push({ ...failure }),
    delay: (action, ms) => delays.set(action, ms),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
