// A fake AWS Organizations on 127.0.0.1 (AWS JSON 1.1): DescribeAccount names every account `account-<id>`,
// ListParents puts every account under the root `r-root`. Point the SDK at it with AWS_ENDPOINT_URL_ORGANIZATIONS.
// @see https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeAccount.html
// @see https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListParents.html
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running fake: its endpoint, the targets it was called with, and how to stop it. */
export interface FakeOrganizations {
  endpoint: string;
  targets: string[];
  close(): Promise<void>;
}

/** Starts the fake. */
export const startFakeOrganizations = async (): Promise<FakeOrganizations> => {
  const targets: string[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const body = JSON.parse(text || '{}') as Record<string, unknown>;
      targets.push(target);
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target === 'AWSOrganizationsV20161128.DescribeAccount') {
        const id = String(body.AccountId);
        response.end(JSON.stringify({ Account: { Id: id, Name: `account-${id}` } }));
        return;
      }
      if (target === 'AWSOrganizationsV20161128.ListParents') {
        response.end(JSON.stringify({ Parents: [{ Id: 'r-root', Type: 'ROOT' }] }));
        return;
      }
      response.statusCode = 400;
      response.end(JSON.stringify({ __type: 'UnknownOperationException', Message: target }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
