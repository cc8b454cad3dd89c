import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect } from 'vitest';

// Tool results are JSON the assertions walk freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** One text result of an MCP tool call, parsed; `isError` as the server flagged it. */
export async function callJson(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<{ isError: boolean; value: Json }> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as Array<{ type: string; text: string }>;
  expect(content).toHaveLength(1);
  expect(content[0]!.type).toBe('text');
  return { isError: result.isError === true, value: JSON.parse(content[0]!.text) };
}

/** The tools every transport must list. */
export const expectedTools = [
  'create_schedule',
  'list_schedules',
  'get_schedule',
  'update_schedule',
  'pause_schedule',
  'resume_schedule',
  'delete_schedule',
  'trigger_schedule',
  'preview_schedule',
  'get_schedule_runs',
  'list_assistants',
  'list_workflows',
  'list_pending_approvals',
  'decide_approval',
  'send_event',
];

/**
 * The walk both transports must pass: list tools, preview, create, list, a refused call (bad
 * cron) as a tool result, pause, delete. Returns nothing; asserts as it goes.
 */
export async function exerciseTools(client: Client, assistantId: string): Promise<void> {
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name)).toEqual(expectedTools);
  const create = tools.find((t) => t.name === 'create_schedule')!;
  expect(create.inputSchema.type).toBe('object');
  expect(Object.keys(create.inputSchema.properties ?? {})).toEqual(
    expect.arrayContaining(['schedule', 'input_template', 'session_mode', 'overlap']),
  );
  expect(JSON.stringify(create.inputSchema)).toContain('wall-clock');
  expect(tools.find((t) => t.name === 'list_schedules')!.annotations?.readOnlyHint).toBe(true);

  const preview = await callJson(client, 'preview_schedule', {
    schedule: { cron: '0 9 * * 1-5', timezone: 'America/New_York' },
    count: 3,
  });
  expect(preview.isError).toBe(false);
  expect(preview.value.times).toHaveLength(3);
  for (const time of preview.value.times as string[]) expect(new Date(time).getUTCHours()).toBeGreaterThanOrEqual(13); // 9am ET is 13:00 or 14:00 UTC
  expect(preview.value.description).toMatch(/09:00/);

  const created = await callJson(client, 'create_schedule', {
    assistant_id: assistantId,
    name: 'weekday digest',
    schedule: { cron: '0 9 * * 1-5', timezone: 'America/New_York' },
    input_template: 'Digest for {{date}}',
  });
  expect(created.isError).toBe(false);
  expect(created.value).toMatchObject({
    name: 'weekday digest',
    status: 'active',
    schedule: { cron: '0 9 * * 1-5', timezone: 'America/New_York' },
    created_by: null,
  });
  expect(created.value.next_run_at).toBe(preview.value.times[0]);

  const listed = await callJson(client, 'list_schedules', {});
  expect(listed.value.schedules.map((s: { id: string }) => s.id)).toEqual([created.value.id]);
  expect(listed.value.total).toBe(1);

  const refused = await callJson(client, 'create_schedule', {
    assistant_id: assistantId,
    schedule: { cron: '0 25 * * *' },
  });
  expect(refused.isError).toBe(true);
  expect(refused.value.error.code).toBe('invalid_cron');
  expect(refused.value.error.message).toMatch(/hour.*25/);
  expect((await callJson(client, 'list_schedules', {})).value.total).toBe(1); // the refusal changed nothing

  const paused = await callJson(client, 'pause_schedule', { schedule_id: created.value.id });
  expect(paused.value).toMatchObject({ id: created.value.id, status: 'paused', next_run_at: null });

  const deleted = await callJson(client, 'delete_schedule', { schedule_id: created.value.id });
  expect(deleted.value).toEqual({ deleted: true, id: created.value.id });
  const gone = await callJson(client, 'get_schedule', { schedule_id: created.value.id });
  expect(gone.isError).toBe(true);
  expect(gone.value.error.code).toBe('not_found');
  expect((await callJson(client, 'list_schedules', {})).value.total).toBe(0);
}
