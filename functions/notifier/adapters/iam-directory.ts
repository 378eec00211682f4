// IamDirectory over the AWS SDK: the only code of policy intelligence that talks to IAM.
// Per-call timeout, a bounded TTL cache shared by warm invocations, errors turned into readable messages.
import type { AttachedPolicy, IAMClient } from '@aws-sdk/client-iam';
import { decodePolicyText } from '../../../shared/domain/policy/document.js';
import type {
  IamDirectory,
  ManagedPolicyInfo,
  PolicyOwner,
  PolicyVersionInfo,
} from '../../../shared/ports.js';

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
 * The policies of users, groups and roles are read by the same three calls each (`ListAttached…Policies`,
 * `List…Policies`, `Get…Policy`), cached per owner.
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetPolicy.html
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAttachedUserPolicies.html
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRolePolicies.html
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetUserPolicy.html
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

  const attachedOf = (policies: AttachedPolicy[] | undefined) =>
    (policies ?? []).flatMap((policy) =>
      policy.PolicyArn
        ? [{ policyArn: policy.PolicyArn, policyName: policy.PolicyName ?? policy.PolicyArn }]
        : [],
    );
  const documentOf = (operation: string, document: string | undefined): string => {
    if (document === undefined) throw new IamLookupError('Malformed', `${operation} returned no document`);
    return decodePolicyText(document);
  };

  const listAttachedGroupPolicies = (groupName: string) =>
    cached(`ListAttachedGroupPolicies ${groupName}`, async () => {
      const output = await call(
        'ListAttachedGroupPolicies',
        (abortSignal, { client, sdk: { ListAttachedGroupPoliciesCommand } }) =>
          client.send(new ListAttachedGroupPoliciesCommand({ GroupName: groupName }), { abortSignal }),
      );
      return attachedOf(output.AttachedPolicies);
    });
  const listGroupPolicies = (groupName: string) =>
    cached(`ListGroupPolicies ${groupName}`, async () => {
      const output = await call(
        'ListGroupPolicies',
        (abortSignal, { client, sdk: { ListGroupPoliciesCommand } }) =>
          client.send(new ListGroupPoliciesCommand({ GroupName: groupName }), { abortSignal }),
      );
      return output.PolicyNames ?? [];
    });
  const getGroupPolicy = (groupName: string, policyName: string) =>
    cached(`GetGroupPolicy ${groupName} ${policyName}`, async () => {
      const output = await call('GetGroupPolicy', (abortSignal, { client, sdk: { GetGroupPolicyCommand } }) =>
        client.send(new GetGroupPolicyCommand({ GroupName: groupName, PolicyName: policyName }), {
          abortSignal,
        }),
      );
      return documentOf('GetGroupPolicy', output.PolicyDocument);
    });

  // A user's and a role's policies: the same three calls as a group's, each under its own name.
  const listAttachedPolicies = ({ kind, name }: PolicyOwner) => {
    if (kind === 'group') return listAttachedGroupPolicies(name);
    if (kind === 'user')
      return cached(`ListAttachedUserPolicies ${name}`, async () => {
        const output = await call(
          'ListAttachedUserPolicies',
          (abortSignal, { client, sdk: { ListAttachedUserPoliciesCommand } }) =>
            client.send(new ListAttachedUserPoliciesCommand({ UserName: name }), { abortSignal }),
        );
        return attachedOf(output.AttachedPolicies);
      });
    return cached(`ListAttachedRolePolicies ${name}`, async () => {
      const output = await call(
        'ListAttachedRolePolicies',
        (abortSignal, { client, sdk: { ListAttachedRolePoliciesCommand } }) =>
          client.send(new ListAttachedRolePoliciesCommand({ RoleName: name }), { abortSignal }),
      );
      return attachedOf(output.AttachedPolicies);
    });
  };
  const listInlinePolicies = ({ kind, name }: PolicyOwner) => {
    if (kind === 'group') return listGroupPolicies(name);
    if (kind === 'user')
      return cached(`ListUserPolicies ${name}`, async () => {
        const output = await call(
          'ListUserPolicies',
          (abortSignal, { client, sdk: { ListUserPoliciesCommand } }) =>
            client.send(new ListUserPoliciesCommand({ UserName: name }), { abortSignal }),
        );
        return output.PolicyNames ?? [];
      });
    return cached(`ListRolePolicies ${name}`, async () => {
      const output = await call(
        'ListRolePolicies',
        (abortSignal, { client, sdk: { ListRolePoliciesCommand } }) =>
          client.send(new ListRolePoliciesCommand({ RoleName: name }), { abortSignal }),
      );
      return output.PolicyNames ?? [];
    });
  };
  const getInlinePolicy = ({ kind, name }: PolicyOwner, policyName: string) => {
    if (kind === 'group') return getGroupPolicy(name, policyName);
    if (kind === 'user')
      return cached(`GetUserPolicy ${name} ${policyName}`, async () => {
        const output = await call('GetUserPolicy', (abortSignal, { client, sdk: { GetUserPolicyCommand } }) =>
          client.send(new GetUserPolicyCommand({ UserName: name, PolicyName: policyName }), { abortSignal }),
        );
        return documentOf('GetUserPolicy', output.PolicyDocument);
      });
    return cached(`GetRolePolicy ${name} ${policyName}`, async () => {
      const output = await call('GetRolePolicy', (abortSignal, { client, sdk: { GetRolePolicyCommand } }) =>
        client.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: policyName }), { abortSignal }),
      );
      return documentOf('GetRolePolicy', output.PolicyDocument);
    });
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
    listAttachedGroupPolicies,
    listGroupPolicies,
    getGroupPolicy,
    listAttachedPolicies,
    listInlinePolicies,
    getInlinePolicy,
    forget: ({ policyArn, groupName, userName, roleName }) => {
      // Keys read `Operation subject [policy]`; a user and a group of one name both lose theirs, which is safe.
      const stale = new Set([policyArn, groupName, userName, roleName].filter(Boolean));
      for (const key of [...cache.keys()]) {
        const [, subject] = key.split(' ');
        if (subject !== undefined && stale.has(subject)) cache.delete(key);
      }
    },
  };
};
