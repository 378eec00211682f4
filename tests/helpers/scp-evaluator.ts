// The SCP evaluator moved to shared/domain/scp-evaluator.ts, where `iam-alerts scp-impact` uses it too.
export * from '../../shared/domain/scp-evaluator.js';
