// parse → classify → enrich → [format] → publish
import type { Alert } from '../domain/types.js';

/** A String-typed or Number-typed SNS message attribute, as `PublishCommand` takes it. */
export interface SnsAttribute {
  DataType: 'String' | 'Number';
  StringValue: string;
}

/**
 * Exactly the input of SNS `PublishCommand`, less `TopicArn`: a String-structured message (plain text
 * for email) whose attributes carry the filter keys and the JSON alert.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export interface SnsMessage {
  Subject: string;
  Message: string;
  MessageAttributes: Record<string, SnsAttribute>;
}

export type { Alert };
