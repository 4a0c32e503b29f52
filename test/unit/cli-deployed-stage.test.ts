import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { regionOfApiUrl, signRequest } from '../../cli/sign-request.ts';
import { runAdminCli, type CliIo } from '../../cli/program.ts';

/** The CLI's way to a deployed stage, at the AWS boundary: stack outputs (mocked SDK) and SigV4 (fixed fake credentials). */
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const apiUrl = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/';
const signingDate = new Date('2026-11-23T09:00:00Z');

describe('signRequest', () => {
  const request = () => ({
    method: 'PUT',
    url: new URL('v1/admin/policy', apiUrl),
    headers: { 'content-type': 'application/json' },
    body: '{"enabled":true}',
  });

  it('signs with AWS4-HMAC-SHA256 for execute-api in the URL\'s region', async () => {
    const headers = await signRequest(request(), { credentials, region: 'eu-west-1', signingDate });

    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261123\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['x-amz-date']).toBe('20261123T090000Z');
    expect(headers['content-type']).toBe('application/json');
    expect(headers.host).toBe('a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com');
  });

  it('is deterministic for the same request and time, and covers the body', async () => {
    const first = await signRequest(request(), { credentials, region: 'eu-west-1', signingDate });
    const again = await signRequest(request(), { credentials, region: 'eu-west-1', signingDate });
    const otherBody = await signRequest({ ...request(), body: '{"enabled":false}' }, { credentials, region: 'eu-west-1', signingDate });

    expect(again.authorization).toBe(first.authorization);
    expect(otherBody.authorization).not.toBe(first.authorization);
  });

  it('sends the session token of temporary credentials', async () => {
    const headers = await signRequest(request(), { credentials: { ...credentials, sessionToken: 'FwoGZXIvYXdzEXAMPLE' }, region: 'eu-west-1', signingDate });
    expect(headers['x-amz-security-token']).toBe('FwoGZXIvYXdzEXAMPLE');
    expect(headers.authorization).toContain('x-amz-security-token');
  });

  it('reads the region from an execute-api URL', () => {
    expect(regionOfApiUrl(new URL(apiUrl))).toBe('eu-west-1');
    expect(regionOfApiUrl(new URL('https://auth.example.com/'))).toBeUndefined();
  });
});

describe('npm run admin -- --stage <name>', () => {
  const cloudFormation = mockClient(CloudFormationClient);
  afterEach(() => cloudFormation.reset());

  const run = async (argv: string[]) => {
    const sent: { url: string; method: string; headers: Record<string, string> }[] = [];
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = {
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      env: {},
      connection: {
        cloudFormation: () => new CloudFormationClient({ region: 'eu-west-1', credentials }),
        credentials: () => async () => credentials,
        fetch: async (input, init) => {
          sent.push({ url: String(input), method: init?.method ?? 'GET', headers: init?.headers as Record<string, string> });
          return new Response(JSON.stringify({ id: 'u1', username: 'ada', displayName: 'Ada', groups: ['pilot'], disabled: false, createdAt: '2026-11-23T09:00:00.000Z' }), {
            status: 200,
            headers: { 'content-type': 'application/json' },
          });
        },
      },
    };
    const code = await runAdminCli(argv, io);
    return { code, sent, stdout: out.join(''), stderr: err.join('') };
  };

  it('finds the API URL in the stateless stack\'s outputs and signs each request for execute-api', async () => {
    // Prepare
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Latchkey-prod-Stateless' }).resolves({
      Stacks: [
        {
          StackName: 'Latchkey-prod-Stateless',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [
            { OutputKey: 'FunctionsLogGroup', OutputValue: '/aws/lambda/x' },
            { OutputKey: 'ApiApiUrl7F3B2C1A', OutputValue: apiUrl },
          ],
        },
      ],
    });

    // Act
    const result = await run(['--stage', 'prod', '--json', 'users', 'find', 'ada']);

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ username: 'ada' });
    expect(result.sent).toHaveLength(1);
    expect(result.sent[0]?.url).toBe(`${apiUrl}v1/admin/users?username=ada`);
    expect(result.sent[0]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, /);
    expect(result.sent[0]?.headers).not.toHaveProperty('host');
  });

  it('says clearly when the stage has no such stack output, and exits 1', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Latchkey-dev-Stateless', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }] });

    const result = await run(['--stage', 'dev', 'policy', 'get']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Latchkey-dev-Stateless has no output whose key contains "ApiUrl"');
    expect(result.sent).toHaveLength(0);
  });

  it('reports a stack that does not exist, and exits 1', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(new Error('Stack with id Latchkey-qa-Stateless does not exist'));

    const result = await run(['--stage', 'qa', 'policy', 'get']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Could not read stack Latchkey-qa-Stateless: Stack with id Latchkey-qa-Stateless does not exist');
  });
});
