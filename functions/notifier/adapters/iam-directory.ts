// IamDirectory over the AWS SDK: the only code of policy intelligence that talks to IAM.
// Per-call timeout, a bounded TTL cache shared by warm invocations, errors turned into readable messages.
import type { IAMClient } from '@aws-sdk/client-iam';
import { decodePolicyText } from '../../../shared/domain/policy/document.js';
import type { IamDirectory, ManagedPolicyInfo, PolicyVersionInfo } from '../../../shared/ports.js';

/** Options of {@link createIamSdkDirectory}. */
export interface IamSdkDirectoryOptions {
  /** Deadline of one call, SDK retries included; keep it well inside the Lambda timeout. */
  timeoutMs: number;
  /** How long an answer is reused across warm invocations. */
  cacheTtlMs: number;
  /** Cache bound; the oldest entries go first. */
  maxEntries: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** A failed IAM lookup, with a message fit for an alert note. */
export class IamLookupError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'IamLookupError';
  }
}

const EXPLANATIONS: Record<string, string> = {
  NoSuchEntity: 'it no longer exists (deleted since the event?)',
  NoSuchEntityException: 'it no longer exists (deleted since the event?)',
  AccessDenied: "the notifier's role is not allowed to read it",
  AccessDeniedException: "the notifier's role is not allowed to read it",
  Throttling: 'IAM throttled the notifier and retries ran out',
  ThrottlingException: 'IAM throttled the notifier and retries ran out',
};

const errorCode = (error: unknown): string => {
  if (typeof error !== 'object' || error === null) return 'UnknownError';
  const candidate = error as { Code?: unknown; name?: unknown };
  if (typeof candidate.Code === 'string') return candidate.Code;
  return typeof candidate.name === 'string' ? candidate.name : 'UnknownError';
};

/** The IAM client module (`iam-sdk.ts`), loaded on the first lookup. */
export type IamSdk = typeof import('./iam-sdk.js');

interface CacheEntry {
  expiresAt: number;
  value: Promise<unknown>;
}

/**
 * Creates the IAM directory the notifier uses, from an `IAMClient` or a function that builds one from the SDK
 * module: then the module (`iam-sdk.ts`, a chunk of its own) is imported and the client built on the first lookup,
 * never at cold start; a failed import fails that lookup (a note in the alert) and the next lookup tries again.
 * Build the client once per container (IAM's endpoint is global; `maxAttempts: 3` lets the SDK's standard retry mode
 * absorb throttling within the timeout). Concurrent identical calls share one request; failures are not cached.
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetPolicy.html
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetPolicyVersion.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export const createIamSdkDirectory = (
  clientOrFactory: IAMClient | ((sdk: IamSdk) => IAMClient),
  options: IamSdkDirectoryOptions,
): IamDirectory => {
  const now = options.now ?? Date.now;
  const cache = new Map<string, CacheEntry>();
  let loading: Promise<{ client: IAMClient; sdk: IamSdk }> | undefined;
  const sdkAndClient = (): Promise<{ client: IAMClient; sdk: IamSdk }> => {
    if (!loading) {
      const attempt = import('./iam-sdk.js').then((sdk) => ({
        sdk,
        client: typeof clientOrFactory === 'function' ? clientOrFactory(sdk) : clientOrFactory,
      }));
      loading = attempt;
      attempt.catch(() => {
        if (loading === attempt) loading = undefined;
      });
    }
    return loading;
  };
  /** One IAM call within the deadline, the SDK loaded first (its failure is this call's failure). */
  const call = async <T>(
    operation: string,
    send: (abortSignal: AbortSignal, iam: { client: IAMClient; sdk: IamSdk }) => Promise<T>,
  ): Promise<T> => {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    timer.unref?.();
    try {
      return await send(controller.signal, await sdkAndClient());
    } catch (error) {
      if (timedOut) {
        throw new IamLookupError('Timeout', `${operation} timed out after ${options.timeoutMs} ms`, {
          cause: error,
        });
      }
      const code = errorCode(error);
      const why =
        EXPLANATIONS[code] ?? (error instanceof Error ? error.message.slice(0, 120) : 'unexpected error');
      throw new IamLookupError(code, `${code.replace(/Exception$/, '')} on iam:${operation}: ${why}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  };

  const cached = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    const hit = cache.get(key);
    if (hit && hit.expiresAt > now()) return hit.value as Promise<T>;
    if (hit) cache.delete(key);
    const value = load();
    const entry: CacheEntry = { expiresAt: now() + options.cacheTtlMs, value };
    cache.set(key, entry);
    // Failures are not cached: the next event tries again.
    value.catch(() => {
      if (cache.get(key) === entry) cache.delete(key);
    });
    while (cache.size > options.maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
    return value;
  };

  return {
    getPolicy: (policyArn) =>
      cached(`GetPolicy ${policyArn}`, async (): Promise<ManagedPolicyInfo> => {
        const output = await call('GetPolicy', (abortSignal, { client, sdk: { GetPolicyCommand } }) =>
          client.send(new GetPolicyCommand({ PolicyArn: policyArn }), { abortSignal }),
        );
        const policy = output.Policy;
        if (!policy?.DefaultVersionId)
          throw new IamLookupError('Malformed', 'GetPolicy returned no default version');
        const info: ManagedPolicyInfo = {
          arn: policy.Arn ?? policyArn,
          name: policy.PolicyName ?? policyArn,
          defaultVersionId: policy.DefaultVersionId,
        };
        if (policy.AttachmentCount !== undefined) info.attachmentCount = policy.AttachmentCount;
        return info;
      }),
    getPolicyVersion: (policyArn, versionId) =>
      cached(`GetPolicyVersion ${policyArn} ${versionId}`, async () => {
        const output = await call(
          'GetPolicyVersion',
          (abortSignal, { client, sdk: { GetPolicyVersionCommand } }) =>
            client.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId }), {
              abortSignal,
            }),
        );
        const document = output.PolicyVersion?.Document;
        if (document === undefined)
          throw new IamLookupError('Malformed', 'GetPolicyVersion returned no document');
        return {
          versionId: output.PolicyVersion?.VersionId ?? versionId,
          document: decodePolicyText(document),
        };
      }),
    listPolicyVersions: (policyArn) =>
      cached(`ListPolicyVersions ${policyArn}`, async (): Promise<PolicyVersionInfo[]> => {
        const output = await call(
          'ListPolicyVersions',
          (abortSignal, { client, sdk: { ListPolicyVersionsCommand } }) =>
            client.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn }), { abortSignal }),
        );
        return (output.Versions ?? []).flatMap((version) => {
          if (!version.VersionId) return [];
          const info: PolicyVersionInfo = {
            versionId: version.VersionId,
            isDefaultVersion: version.IsDefaultVersion === true,
          };
          if (version.CreateDate) info.createDate = version.CreateDate.toISOString();
          return [info];
        });
      }),
    listAttachedGroupPolicies: (groupName) =>
      cached(`ListAttachedGroupPolicies ${groupName}`, async () => {
        const output = await call(
          'ListAttachedGroupPolicies',
          (abortSignal, { client, sdk: { ListAttachedGroupPoliciesCommand } }) =>
            client.send(new ListAttachedGroupPoliciesCommand({ GroupName: groupName }), { abortSignal }),
        );
        return (output.AttachedPolicies ?? []).flatMap((policy) =>
          policy.PolicyArn
            ? [{ policyArn: policy.PolicyArn, policyName: policy.PolicyName ?? policy.PolicyArn }]
            : [],
        );
      }),
    listGroupPolicies: (groupName) =>
      cached(`ListGroupPolicies ${groupName}`, async () => {
        const output = await call(
          'ListGroupPolicies',
          (abortSignal, { client, sdk: { ListGroupPoliciesCommand } }) =>
            client.send(new ListGroupPoliciesCommand({ GroupName: groupName }), { abortSignal }),
        );
        return output.PolicyNames ?? [];
      }),
    getGroupPolicy: (groupName, policyName) =>
      cached(`GetGroupPolicy ${groupName} ${policyName}`, async () => {
        const output = await call(
          'GetGroupPolicy',
          (abortSignal, { client, sdk: { GetGroupPolicyCommand } }) =>
            client.send(new GetGroupPolicyCommand({ GroupName: groupName, PolicyName: policyName }), {
              abortSignal,
            }),
        );
        if (output.PolicyDocument === undefined) {
          throw new IamLookupError('Malformed', 'GetGroupPolicy returned no document');
        }
        return decodePolicyText(output.PolicyDocument);
      }),
    forget: ({ policyArn, groupName }) => {
      for (const key of [...cache.keys()]) {
        const [, subject] = key.split(' ');
        if ((policyArn && subject === policyArn) || (groupName && subject === groupName)) cache.delete(key);
      }
    },
  };
};
