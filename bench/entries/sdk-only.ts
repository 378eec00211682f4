// Baseline for the import-time benchmark: only the two SDK clients the notifier holds, created once.
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';

export const clients = [new SNSClient({ region: 'us-east-1' }), new IAMClient({ region: 'us-east-1' })];
