// The part of the Organizations client the notifier uses, imported on the first lookup (account-names.ts). A
// dynamic import of the package itself bundles every command it has (a namespace import cannot be tree-shaken:
// 86 KB minified); this module names the client and the two commands, so that esbuild keeps only those.
export {
  DescribeAccountCommand,
  ListParentsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
