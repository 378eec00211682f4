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
      case 'ListAttachedGroupPolicies': {
        const group = groups.get(params.GroupName ?? '');
        if (!group) return notFound(`The group with name ${params.GroupName}`);
        const members = group.attached
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
      case 'ListGroupPolicies': {
        const group = groups.get(params.GroupName ?? '');
        if (!group) return notFound(`The group with name ${params.GroupName}`);
        const members = Object.keys(group.inline)
          .map((name) => `<member>${escapeXml(name)}</member>`)
          .join('');
        return {
          status: 200,
          body: ok(action, `<IsTruncated>false</IsTruncated><PolicyNames>${members}</PolicyNames>`),
        };
      }
      case 'GetGroupPolicy': {
        const group = groups.get(params.GroupName ?? '');
        const document = group?.inline[params.PolicyName ?? ''];
        if (document === undefined) return notFound(`The group policy ${params.PolicyName}`);
        return {
          status: 200,
          body: ok(
            action,
            `<GroupName>${escapeXml(params.GroupName ?? '')}</GroupName><PolicyName>${escapeXml(params.PolicyName ?? '')}</PolicyName>` +
              `<PolicyDocument>${encodeDocument(document)}</PolicyDocument>`,
          ),
        };
      }
      default:
        return { status: 400, body: errorXml('InvalidAction', `Could not find operation ${action}`) };
    }
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
