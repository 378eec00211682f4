// The SDK baseline plus full zod, to show what the parser would cost with it instead of zod/mini.
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';

export const schema = z.object({ eventSource: z.string(), eventName: z.string() }).passthrough();
export const clients = [new SNSClient({ region: 'us-east-1' }), new IAMClient({ region: 'us-east-1' })];
