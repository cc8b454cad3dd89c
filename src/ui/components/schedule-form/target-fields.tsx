import type { Assistant, Workflow } from '../../../sdk/index.ts';
import { href } from '../../hooks/use-route.ts';
import type { SectionProps } from '../../lib/schedule-form-state.ts';
import { Field } from '../field.tsx';

/** The name and what the schedule runs: an assistant or a workflow. */
export function TargetFields({
  form,
  set,
  errors,
  assistants,
  workflows,
}: SectionProps & { assistants: Assistant[]; workflows: Workflow[] }) {
  const active = assistants;
  const activeWorkflows = workflows;
  return (
    <section className="card">
      <h2>What runs</h2>
      <Field label="Name" error={errors.name}>
        <input
          value={form.name}
          onChange={(event) => set('name', event.target.value)}
          placeholder="daily-digest"
          autoComplete="off"
          required
        />
      </Field>
      <div className="segmented" role="radiogroup" aria-label="Target">
        {(['assistant', 'workflow'] as const).map((target) => (
          <label key={target} className={form.target === target ? 'segment active' : 'segment'}>
            <input
              type="radio"
              name="target"
              value={target}
              checked={form.target === target}
              onChange={() => set('target', target)}
            />
            {target === 'assistant' ? 'An assistant' : 'A workflow'}
          </label>
        ))}
      </div>
      {form.target === 'assistant' && (
        <Field
          label="Assistant"
          error={errors.assistantId}
          hint={
            active.length === 0 ? (
              <a href={href('/assistants/new')}>Create an assistant first</a>
            ) : (
              'Only active assistants can be scheduled.'
            )
          }
        >
          <select value={form.assistantId} onChange={(event) => set('assistantId', event.target.value)} required>
            <option value="">Choose an assistant…</option>
            {active.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} ({a.kind}){a.status !== 'active' ? ' — inactive' : ''}
              </option>
            ))}
          </select>
        </Field>
      )}
      {form.target === 'workflow' && (
        <Field
          label="Workflow"
          error={errors.workflowId}
          hint={
            activeWorkflows.length === 0 ? (
              <a href={href('/workflows')}>No active workflow: create one with the API or the CLI</a>
            ) : (
              'Only active workflows can be scheduled.'
            )
          }
        >
          <select value={form.workflowId} onChange={(event) => set('workflowId', event.target.value)} required>
            <option value="">Choose a workflow…</option>
            {activeWorkflows.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name} (v{w.version}){w.status !== 'active' ? ' — inactive' : ''}
              </option>
            ))}
          </select>
        </Field>
      )}
    </section>
  );
}
