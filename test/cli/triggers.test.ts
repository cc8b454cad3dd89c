import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signGithub } from '../../src/triggers/github-signature.ts';
import { runKairos as run, startCliServer, type CliServer } from '../helpers/kairos-process.ts';

describe('kairos triggers (subprocess against a running server)', () => {
  const secret = 'cli-hook-secret-value';
  let cli: CliServer;
  let server: CliServer['server'];
  let env: Record<string, string>;
  let assistantId: string;

  beforeAll(async () => {
    cli = await startCliServer('clitrg', { assistant: { name: 'Reviewer' }, serverEnv: { CLI_HOOK_SECRET: secret } });
    ({ server, env, assistantId } = cli);
  }, 120_000);

  afterAll(async () => {
    await cli?.close();
  });

  it(
    'creates, lists and shows a trigger with its full URL, and lists its deliveries',
    { timeout: 300_000 },
    async () => {
      const created = await run(
        [
          'triggers',
          'create',
          '--name',
          'github',
          '--assistant',
          assistantId,
          '--github-secret-env',
          'CLI_HOOK_SECRET',
          '--input',
          '{"ref":"{{event.body.ref}}"}',
          '--json',
        ],
        env,
      );
      expect(created.status, created.stderr).toBe(0);
      const trigger = JSON.parse(created.stdout) as { id: string; url: string; input_template: unknown };
      expect(trigger.url).toBe(`/hooks/${trigger.id}`);
      expect(trigger.input_template).toEqual({ ref: '{{event.body.ref}}' });
      expect(created.stdout).not.toContain(secret);

      const table = await run(['triggers', 'list'], env);
      expect(table.stdout).toMatch(/^ID\s+NAME\s+AUTH\s+ENABLED\s+DELIVERIES\s+DEBOUNCE\s+URL/m);
      expect(table.stdout).toContain(`${server.url}/hooks/${trigger.id}`);
      expect(table.stdout).toContain('hmac github');

      const body = JSON.stringify({ ref: 'refs/heads/main' });
      const good = await fetch(`${server.url}/hooks/${trigger.id}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': signGithub(secret, body),
          'x-github-delivery': 'd-1',
        },
        body,
      });
      expect(good.status).toBe(202);
      const bad = await fetch(`${server.url}/hooks/${trigger.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(bad.status).toBe(401);

      const deliveries = await run(['triggers', 'deliveries', trigger.id], env);
      expect(deliveries.status, deliveries.stderr).toBe(0);
      expect(deliveries.stdout).toMatch(/unauthorized\s+401/);
      expect(deliveries.stdout).toMatch(/accepted\s+202/);
      const got = await run(['triggers', 'get', trigger.id, '--json'], env);
      expect((JSON.parse(got.stdout) as { deliveries: Record<string, number> }).deliveries).toEqual({
        accepted: 1,
        unauthorized: 1,
        total: 2,
      });

      const missingAuth = await run(['triggers', 'create', '--name', 'x', '--assistant', assistantId], env);
      expect(missingAuth.status).toBe(2);
      expect(missingAuth.stderr).toMatch(/one of --github-secret-env, --stripe-secret-env, --token-env/);
      const badTemplate = await run(
        [
          'triggers',
          'create',
          '--name',
          'y',
          '--assistant',
          assistantId,
          '--token-env',
          'T',
          '--input',
          'for {{date}}',
        ],
        env,
      );
      expect(badTemplate.status).toBe(2);
      expect(badTemplate.stderr).toMatch(/input_template: \{\{date\}\} is unknown/);

      // A workflow target: --workflow instead of --assistant (not both).
      const workflow = await fetch(`${server.url}/api/v1/workflows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${env.KAIROS_API_KEY}` },
        body: JSON.stringify({
          name: 'cli-flow',
          steps: [{ type: 'step', name: 'review', assistant_id: assistantId }],
        }),
      });
      expect(workflow.status).toBe(201);
      const workflowId = ((await workflow.json()) as { id: string }).id;
      const flow = await run(
        ['triggers', 'create', '--name', 'flow', '--workflow', workflowId, '--token-env', 'CLI_HOOK_SECRET', '--json'],
        env,
      );
      expect(flow.status, flow.stderr).toBe(0);
      expect(JSON.parse(flow.stdout)).toMatchObject({ workflow_id: workflowId, assistant_id: null });
      const both = await run(
        ['triggers', 'create', '--name', 'z', '--assistant', assistantId, '--workflow', workflowId, '--token-env', 'T'],
        env,
      );
      expect(both.status).toBe(2);
      expect(both.stderr).toMatch(/one of --assistant and --workflow/);

      // Debounce passes through --data; the table shows it; a bad one exits 2 and changes nothing.
      const debounced = await run(
        [
          'triggers',
          'update',
          trigger.id,
          '--data',
          '{"debounce":{"period":"30s","key":"{{event.body.ref}}"}}',
          '--json',
        ],
        env,
      );
      expect(debounced.status, debounced.stderr).toBe(0);
      expect(JSON.parse(debounced.stdout)).toMatchObject({
        debounce: { period: '30s', period_ms: 30_000, key: '{{event.body.ref}}' },
      });
      expect((await run(['triggers', 'get', trigger.id], env)).stdout).toContain('30s per {{event.body.ref}}');
      const badDebounce = await run(['triggers', 'update', trigger.id, '--data', '{"debounce":{"period":"0s"}}'], env);
      expect(badDebounce.status).toBe(2);
      expect(badDebounce.stderr).toMatch(/debounce\.period/);
      const unchanged = JSON.parse((await run(['triggers', 'get', trigger.id, '--json'], env)).stdout) as {
        debounce: { period: string };
      };
      expect(unchanged.debounce.period).toBe('30s');

      const deleted = await run(['triggers', 'delete', trigger.id], env);
      expect(deleted.stdout).toBe(`deleted ${trigger.id}\n`);
      expect((await run(['triggers', 'get', trigger.id], env)).status).toBe(2);
    },
  );
});
