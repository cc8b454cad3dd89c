import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { triggersApi, workflowsApi } from '../api/endpoints.ts';
import type { Overlap, Trigger, Workflow } from '../../sdk/index.ts';
import { refreshAll } from '../hooks/use-poll.ts';
import { useCatalog } from './catalog.tsx';
import { CopyUrl } from './copy-url.tsx';
import { Field } from './field.tsx';

type AuthKind = 'github' | 'stripe' | 'hmac' | 'bearer';

interface TriggerFormState {
  name: string;
  targetKind: 'assistant' | 'workflow';
  targetId: string;
  inputTemplate: string;
  auth: AuthKind;
  secretEnv: string;
  header: string;
  overlap: Overlap;
  maxConcurrent: string;
}

const initial: TriggerFormState = {
  name: '',
  targetKind: 'assistant',
  targetId: '',
  inputTemplate: '',
  auth: 'github',
  secretEnv: '',
  header: 'X-Signature',
  overlap: 'allow',
  maxConcurrent: '1',
};

/** The `auth` object of the API from the form's choice (secrets are env variable names, never values). */
function authOf(form: TriggerFormState): Record<string, unknown> {
  const env = { env: form.secretEnv.trim() };
  if (form.auth === 'bearer') return { type: 'bearer', token: env };
  if (form.auth === 'github') return { type: 'hmac-sha256', header: 'X-Hub-Signature-256', secret: env };
  if (form.auth === 'stripe') return { type: 'hmac-sha256', header: 'Stripe-Signature', secret: env };
  return { type: 'hmac-sha256', header: form.header.trim(), format: 'hex', secret: env };
}

/** The template as JSON when it parses, else as text; empty: the body as it came. */
function templateOf(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The form field an API error names (`auth.secret` → the secret field). */
function fieldOf(apiField: string | undefined): keyof TriggerFormState | undefined {
  if (!apiField) return undefined;
  if (apiField === 'name') return 'name';
  if (apiField === 'assistant_id' || apiField === 'workflow_id') return 'targetId';
  if (apiField.startsWith('input_template')) return 'inputTemplate';
  if (apiField.startsWith('auth.header')) return 'header';
  if (apiField.startsWith('auth')) return 'secretEnv';
  if (apiField === 'overlap') return 'overlap';
  if (apiField === 'max_concurrent') return 'maxConcurrent';
  return undefined;
}

/**
 * Creates a trigger: name, target (an assistant or a workflow), input template, auth (GitHub,
 * Stripe or generic HMAC signatures, or a bearer token; the secret is the name of a server env
 * variable), overlap and max_concurrent. Once created it shows the URL with a copy button.
 */
export function TriggerForm({ onDone }: { onDone: () => void }) {
  const { assistants } = useCatalog();
  const [workflows, setWorkflows] = useState<Workflow[]>();
  const [form, setForm] = useState(initial);
  const [errors, setErrors] = useState<Partial<Record<keyof TriggerFormState, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [created, setCreated] = useState<Trigger>();

  useEffect(() => {
    workflowsApi.list({ status: 'active' }).then(
      (page) => setWorkflows(page.data),
      () => setWorkflows([]),
    );
  }, []);
  const set = <K extends keyof TriggerFormState>(key: K, value: TriggerFormState[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
  };
  const targets =
    form.targetKind === 'assistant'
      ? (assistants ?? []).filter((a) => a.status === 'active').map((a) => ({ id: a.id, name: a.name }))
      : (workflows ?? []).map((w) => ({ id: w.id, name: w.name }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(undefined);
    const problems: Partial<Record<keyof TriggerFormState, string>> = {};
    if (!form.name.trim()) problems.name = 'Give the trigger a name.';
    if (!form.targetId) problems.targetId = `Choose the ${form.targetKind} each delivery runs.`;
    if (!form.secretEnv.trim())
      problems.secretEnv = 'Name the environment variable of the server that holds the secret.';
    if (form.auth === 'hmac' && !form.header.trim()) problems.header = 'Name the header that carries the signature.';
    if (Object.keys(problems).length > 0) return setErrors(problems);
    setSaving(true);
    try {
      const template = templateOf(form.inputTemplate);
      const trigger = await triggersApi.create({
        name: form.name.trim(),
        [form.targetKind === 'assistant' ? 'assistant_id' : 'workflow_id']: form.targetId,
        auth: authOf(form),
        overlap: form.overlap,
        max_concurrent: Number(form.maxConcurrent),
        ...(template !== undefined && { input_template: template }),
      });
      setCreated(trigger);
      refreshAll();
    } catch (error) {
      const field = error instanceof ApiError ? fieldOf(error.field) : undefined;
      if (field) setErrors({ [field]: (error as Error).message });
      else setFormError((error as Error).message);
    } finally {
      setSaving(false);
    }
  };

  if (created) {
    return (
      <div className="stack" aria-label="Trigger created">
        {created.ready === false ? (
          <div className="banner warn" role="alert">
            <strong>{created.name}</strong> is saved but not ready: {created.not_ready_reason}. Deliveries are refused
            until it is (set the variable and restart Kairos).
          </div>
        ) : (
          <p>
            <strong>{created.name}</strong> is ready. Give this URL (and the secret in{' '}
            <code>{form.secretEnv.trim()}</code>) to the sender:
          </p>
        )}
        <CopyUrl trigger={created} />
        <footer className="modal-actions">
          <button type="button" className="button primary" onClick={onDone}>
            Done
          </button>
        </footer>
      </div>
    );
  }

  return (
    <form className="stack" onSubmit={submit} noValidate aria-label="New trigger">
      {formError && (
        <div className="banner error" role="alert">
          {formError}
        </div>
      )}
      <Field label="Name" error={errors.name}>
        <input
          value={form.name}
          onChange={(event) => set('name', event.target.value)}
          autoComplete="off"
          placeholder="github-push"
        />
      </Field>
      <div className="fields-grid two">
        <Field label="Target kind">
          <select
            value={form.targetKind}
            onChange={(event) => {
              set('targetKind', event.target.value as TriggerFormState['targetKind']);
              set('targetId', '');
            }}
          >
            <option value="assistant">Assistant</option>
            <option value="workflow">Workflow</option>
          </select>
        </Field>
        <Field label={form.targetKind === 'assistant' ? 'Assistant' : 'Workflow'} error={errors.targetId}>
          <select value={form.targetId} onChange={(event) => set('targetId', event.target.value)}>
            <option value="">Choose…</option>
            {targets.map((target) => (
              <option key={target.id} value={target.id}>
                {target.name}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field
        label="Input template"
        error={errors.inputTemplate}
        hint={
          <>
            JSON or text; <code>{'{{event.body.ref}}'}</code>, <code>{'{{event.headers.x-github-event}}'}</code>,{' '}
            <code>{'{{event.query.name}}'}</code>, <code>{'{{event.received_at}}'}</code>. Empty: the body as it came.
          </>
        }
      >
        <textarea
          rows={4}
          value={form.inputTemplate}
          onChange={(event) => set('inputTemplate', event.target.value)}
          placeholder='{"ref": "{{event.body.ref}}"}'
        />
      </Field>
      <div className="fields-grid two">
        <Field label="Auth">
          <select value={form.auth} onChange={(event) => set('auth', event.target.value as AuthKind)}>
            <option value="github">GitHub signature (X-Hub-Signature-256)</option>
            <option value="stripe">Stripe signature (Stripe-Signature)</option>
            <option value="hmac">HMAC-SHA256, hex digest in a header</option>
            <option value="bearer">Bearer token</option>
          </select>
        </Field>
        <Field
          label={form.auth === 'bearer' ? 'Token env variable' : 'Secret env variable'}
          error={errors.secretEnv}
          hint="The name of an environment variable of the Kairos server; the secret itself is never stored."
        >
          <input
            value={form.secretEnv}
            onChange={(event) => set('secretEnv', event.target.value)}
            autoComplete="off"
            placeholder="GITHUB_HOOK_SECRET"
          />
        </Field>
      </div>
      {form.auth === 'hmac' && (
        <Field label="Signature header" error={errors.header}>
          <input value={form.header} onChange={(event) => set('header', event.target.value)} autoComplete="off" />
        </Field>
      )}
      <div className="fields-grid two">
        <Field
          label="Overlap"
          error={errors.overlap}
          hint="When a delivery arrives while runs of this trigger are running."
        >
          <select value={form.overlap} onChange={(event) => set('overlap', event.target.value as Overlap)}>
            <option value="allow">allow (up to max concurrent, then wait)</option>
            <option value="skip">skip (record a skipped run)</option>
            <option value="queue">queue (one after another)</option>
            <option value="cancel_previous">cancel_previous</option>
          </select>
        </Field>
        <Field label="Max concurrent" error={errors.maxConcurrent}>
          <input
            type="number"
            min={1}
            max={1000}
            value={form.maxConcurrent}
            onChange={(event) => set('maxConcurrent', event.target.value)}
          />
        </Field>
      </div>
      <footer className="modal-actions">
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={saving}>
          {saving ? 'Creating…' : 'Create trigger'}
        </button>
      </footer>
    </form>
  );
}
