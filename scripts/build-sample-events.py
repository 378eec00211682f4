#!/usr/bin/env python3
"""Builds events/*.json: EventBridge events around CloudTrail records of tests/fixtures/cloudtrail.

Run from the repository root. Real records are wrapped unchanged; families the corpus lacks are written by
hand, each derived from a real record of the same account (invictus-ir line 2572, AttachUserPolicy by
bert-jan) so the format stays CloudTrail's. The output is committed; this script documents how it was made.
"""
import copy, json, os

FIX = 'tests/fixtures/cloudtrail/'

def rec(f, line):
    with open(FIX + f + '.jsonl') as fh:
        return json.loads(fh.readlines()[line - 1])

def detail_type(t):
    return {'AwsConsoleSignIn': 'AWS Console Sign In via CloudTrail', 'AwsServiceEvent': 'AWS Service Event via CloudTrail'}.get(t, 'AWS API Call via CloudTrail')

def envelope(r):
    return {
        'version': '0',
        'id': 'b1d9e7c4-0000-4000-8000-' + (r.get('eventID') or '000000000000').replace('-', '')[-12:],
        'detail-type': detail_type(r.get('eventType')),
        'source': 'aws.' + r['eventSource'].split('.')[0],
        'account': r.get('recipientAccountId') or r['userIdentity'].get('accountId') or '123456789012',
        'time': r.get('eventTime') or '2023-07-10T12:00:00Z',
        'region': r.get('awsRegion') or 'us-east-1',
        'resources': [],
        'detail': r,
    }

BASE = rec('invictus-ir-aws-dataset', 2572)

def written(event_name, params, response=None, event_id=None, **extra):
    r = copy.deepcopy(BASE)
    r['eventName'] = event_name
    r['requestParameters'] = params
    r['responseElements'] = response
    r['eventID'] = event_id
    r['requestID'] = event_id[::-1] if event_id else None
    r.update(extra)
    return r


events = {
    # Real records, unchanged.
    'add-user-to-group.json': ('awsdocs-examples', 12),
    'attach-user-policy-admin.json': ('stratus-red-team', 294),
    'create-access-key-other-user.json': ('stratus-red-team', 295),
    'create-login-profile.json': ('stratus-red-team', 301),
    'create-role.json': ('stratus-red-team', 298),
    'delete-role-policy.json': ('invictus-ir-aws-dataset', 1153),
    'detach-role-policy.json': ('invictus-ir-aws-dataset', 1778),
    'enable-mfa-device-root.json': ('awsdocs-examples', 6),
    'put-role-policy.json': ('invictus-ir-aws-dataset', 86),
    'remove-role-from-instance-profile.json': ('invictus-ir-aws-dataset', 1029),
    'update-assume-role-policy.json': ('stratus-red-team', 292),
    'update-login-profile.json': ('stratus-red-team', 309),
    'tag-instance-profile.json': ('invictus-ir-aws-dataset', 125),
    'get-role-read.json': ('invictus-ir-aws-dataset', 2360),
    'assume-role-access-denied.json': None,
    'ec2-credentials-get-caller-identity.json': None,
    'cloudtrail-stop-logging.json': None,
}

def find(f, pred):
    with open(FIX + f + '.jsonl') as fh:
        for i, line in enumerate(fh, 1):
            r = json.loads(line)
            if pred(r):
                return r
    raise SystemExit('not found in ' + f)

out = {}
for name, src in events.items():
    if src:
        out[name] = rec(*src)
out['assume-role-access-denied.json'] = find('invictus-ir-aws-dataset', lambda r: r['eventName'] == 'AssumeRole' and r.get('errorCode') == 'AccessDenied')
ec2 = find('stratus-red-team', lambda r: r['eventName'] == 'GetCallerIdentity' and r['userIdentity'].get('sessionContext', {}).get('ec2RoleDelivery'))
out['ec2-credentials-get-caller-identity.json'] = ec2
out['cloudtrail-stop-logging.json'] = find('stratus-red-team', lambda r: r['eventName'] == 'StopLogging')

# Written by hand where the corpus has no record of the family (see events/README.md).
out['change-password.json'] = written('ChangePassword', None, None, 'c0a4e1b2-1f3a-4d6b-9e2f-0a1b2c3d4e01')
out['deactivate-mfa-device.json'] = written('DeactivateMFADevice', {'userName': 'bert-jan', 'serialNumber': 'arn:aws:iam::123837392027:mfa/bert-jan'}, None, 'c0a4e1b2-1f3a-4d6b-9e2f-0a1b2c3d4e02')
out['set-default-policy-version.json'] = written('SetDefaultPolicyVersion', {'policyArn': 'arn:aws:iam::123837392027:policy/ci-deploy', 'versionId': 'v2'}, None, 'c0a4e1b2-1f3a-4d6b-9e2f-0a1b2c3d4e03')
out['upload-ssh-public-key.json'] = written('UploadSSHPublicKey', {'userName': 'malicious-iam-user', 'sSHPublicKeyBody': 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7example'}, {'sSHPublicKey': {'userName': 'malicious-iam-user', 'sSHPublicKeyId': 'APKATFQR7NSCEXAMPLE1', 'fingerprint': 'c7:2e:6a:1c:0d:5f:3b:9e:77:1a:2b:3c:4d:5e:6f:70', 'status': 'Active', 'uploadDate': 'Jul 10, 2023 12:25:02 PM'}}, 'c0a4e1b2-1f3a-4d6b-9e2f-0a1b2c3d4e04')
out['untag-role.json'] = written('UntagRole', {'roleName': 'stratus-red-team-backdoor-r-role', 'tagKeys': ['owner']}, None, 'c0a4e1b2-1f3a-4d6b-9e2f-0a1b2c3d4e05')
out['tag-role-scp-exception.json'] = written('TagRole', {'roleName': 'build-runner', 'tags': [{'key': 'exception-to-vpc-ip', 'value': 'true'}]}, None, 'c0a4e1b2-1f3a-4d6b-9e2f-0a1b2c3d4e06')
cognito_trust = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Federated': 'cognito-identity.amazonaws.com'}, 'Action': 'sts:AssumeRoleWithWebIdentity', 'Condition': {'StringEquals': {'cognito-identity.amazonaws.com:aud': 'us-east-1:12345678-corner-cafe-123456790ab'}}}]}
out['update-assume-role-policy-cognito.json'] = written('UpdateAssumeRolePolicy', {'roleName': 'mobile-app-signed-in', 'policyDocument': json.dumps(cognito_trust, indent=2)}, None, 'c0a4e1b2-1f3a-4d6b-9e2f-0a1b2c3d4e08')
scp = written('CreateUser', {'userName': 'svc-backdoor'}, None, 'c0a4e1b2-1f3a-4d6b-9e2f-0a1b2c3d4e07',
              errorCode='AccessDenied',
              errorMessage='User: arn:aws:sts::123837392027:assumed-role/stratus-red-team-ec2-steal-credentials-role/i-0a1b2c3d4e5f60718 is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123837392027:user/svc-backdoor with an explicit deny in a service control policy')
scp['userIdentity'] = copy.deepcopy(ec2['userIdentity'])
for key in ('accountId',):
    scp['userIdentity'][key] = '123837392027'
scp['userIdentity']['arn'] = 'arn:aws:sts::123837392027:assumed-role/stratus-red-team-ec2-steal-credentials-role/i-0a1b2c3d4e5f60718'
scp['userIdentity']['principalId'] = 'AROATFQR7NSCEXAMPLE2:i-0a1b2c3d4e5f60718'
scp['userIdentity']['sessionContext']['sessionIssuer']['accountId'] = '123837392027'
scp['userIdentity']['sessionContext']['sessionIssuer']['arn'] = 'arn:aws:iam::123837392027:role/stratus-red-team-ec2-steal-credentials-role'
scp['sourceIPAddress'] = '198.51.100.23'
scp['userAgent'] = 'aws-cli/2.13.1 Python/3.11.4 Linux/6.1.0 exe/x86_64.ubuntu.22 prompt/off command/iam.create-user'
out['create-user-scp-denied-ec2-credentials.json'] = scp

os.makedirs('events', exist_ok=True)
for name, r in sorted(out.items()):
    with open('events/' + name, 'w') as fh:
        json.dump(envelope(r), fh, indent=2)
        fh.write('\n')
print(len(out), 'events written')
