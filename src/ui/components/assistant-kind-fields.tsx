import type { AssistantFormState, FormField } from '../lib/assistant-form-state.ts';
import { targetFields } from '../lib/assistant-form-state.ts';
import { Field } from './field.tsx';

interface KindFieldsProps {
  form: AssistantFormState;
  errors: Partial<Record<FormField, string>>;
  set: <K extends FormField>(key: K, value: AssistantFormState[K]) => void;
}

const secretsHint = 'Secrets as {"env": "VAR_NAME"}, never in plain text.';

function HeadersField({ form, errors, set }: KindFieldsProps) {
  return (
    <Field label="Headers (JSON)" error={errors.headers} hint={secretsHint}>
      <textarea
        className="mono"
        rows={3}
        value={form.headers}
        onChange={(event) => set('headers', event.target.value)}
        placeholder={'{"Authorization": {"env": "AGENT_TOKEN"}}'}
      />
    </Field>
  );
}

function BaseUrlField({ form, errors, set, placeholder }: KindFieldsProps & { placeholder: string }) {
  return (
    <Field label="Base URL" error={errors.baseUrl}>
      <input
        value={form.baseUrl}
        onChange={(event) => set('baseUrl', event.target.value)}
        placeholder={placeholder}
        className="mono"
      />
    </Field>
  );
}

/** The remote target: which field (agent/team/workflow, assistant/graph, card/base URL) and its value. */
function TargetFields({ form, errors, set, label }: KindFieldsProps & { label: string }) {
  const options = targetFields[form.kind] ?? [];
  return (
    <div className="fields-grid two">
      <Field label={label}>
        <select value={form.targetField} onChange={(event) => set('targetField', event.target.value)}>
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </Field>
      <Field label={options.find((option) => option.value === form.targetField)?.label ?? 'Id'} error={errors.targetId}>
        <input value={form.targetId} onChange={(event) => set('targetId', event.target.value)} className="mono" />
      </Field>
    </div>
  );
}

function HttpFields(props: KindFieldsProps) {
  const { form, errors, set } = props;
  return (
    <>
      <Field
        label="Endpoint URL"
        error={errors.url}
        hint="Each run is sent here, with an Idempotency-Key header (the run id)."
      >
        <input
          value={form.url}
          onChange={(event) => set('url', event.target.value)}
          placeholder="https://agents.example.com/run"
          className="mono"
        />
      </Field>
      <div className="fields-grid two">
        <Field label="Method" error={errors.method}>
          <select value={form.method} onChange={(event) => set('method', event.target.value)}>
            {['POST', 'PUT', 'PATCH', 'GET'].map((method) => (
              <option key={method}>{method}</option>
            ))}
          </select>
        </Field>
        <Field label="Body format" error={errors.format}>
          <select
            value={form.format}
            disabled={form.method === 'GET'}
            onChange={(event) => set('format', event.target.value)}
          >
            <option value="json">JSON</option>
            <option value="form">Form (x-www-form-urlencoded)</option>
          </select>
        </Field>
      </div>
      <HeadersField {...props} />
      {form.method !== 'GET' && (
        <Field
          label="Body template (JSON)"
          error={errors.body}
          hint="Leave empty for Kairos's run body. Strings may use {{input}}, {{input.field}}, {{run.id}}, {{run.number}}, {{run.scheduled_for}}, {{thread.id}}, {{history}}, {{date}}, {{schedule.name}}…"
        >
          <textarea
            className="mono"
            rows={4}
            value={form.body}
            onChange={(event) => set('body', event.target.value)}
            placeholder={'{"text": "Daily report for {{date}}", "data": "{{input}}"}'}
          />
        </Field>
      )}
      <div className="fields-grid two">
        <Field label="Query parameters (JSON)" error={errors.query} hint="Values may use the same variables">
          <textarea
            className="mono"
            rows={2}
            value={form.query}
            onChange={(event) => set('query', event.target.value)}
            placeholder={'{"source": "kairos"}'}
          />
        </Field>
        <Field
          label="Output (JSON Pointer)"
          error={errors.output}
          hint="The part of the answer that becomes the output; empty: all of it"
        >
          <input
            value={form.output}
            onChange={(event) => set('output', event.target.value)}
            placeholder="/data/0/text"
            className="mono"
          />
        </Field>
      </div>
    </>
  );
}

/** The config fields of the chosen kind. */
export function AssistantKindFields(props: KindFieldsProps) {
  const { form, errors, set } = props;
  switch (form.kind) {
    case 'http':
      return <HttpFields {...props} />;
    case 'llm':
      return (
        <>
          <div className="fields-grid two">
            <BaseUrlField {...props} placeholder="https://api.openai.com/v1" />
            <Field label="Model" error={errors.model}>
              <input
                value={form.model}
                onChange={(event) => set('model', event.target.value)}
                placeholder="gpt-4o-mini"
              />
            </Field>
            <Field
              label="API key variable"
              error={errors.apiKeyEnv}
              hint="Name of an environment variable of the server"
            >
              <input
                value={form.apiKeyEnv}
                onChange={(event) => set('apiKeyEnv', event.target.value)}
                placeholder="OPENAI_API_KEY"
                className="mono"
              />
            </Field>
            <Field label="Temperature" error={errors.temperature}>
              <input
                type="number"
                step="0.1"
                min={0}
                max={2}
                value={form.temperature}
                onChange={(event) => set('temperature', event.target.value)}
              />
            </Field>
          </div>
          <Field label="System prompt" error={errors.systemPrompt}>
            <textarea
              rows={3}
              value={form.systemPrompt}
              onChange={(event) => set('systemPrompt', event.target.value)}
            />
          </Field>
        </>
      );
    case 'module':
      return (
        <>
          <Field label="Module id" error={errors.module} hint="The id given to defineAssistant in the config file">
            <input value={form.module} onChange={(event) => set('module', event.target.value)} className="mono" />
          </Field>
          <Field label="Options (JSON)" error={errors.options}>
            <textarea
              className="mono"
              rows={3}
              value={form.options}
              onChange={(event) => set('options', event.target.value)}
            />
          </Field>
        </>
      );
    case 'agentos':
      return (
        <>
          <BaseUrlField {...props} placeholder="https://agentos.example.com" />
          <TargetFields {...props} label="Runs an AgentOS" />
          <Field label="User id" error={errors.userId} hint="Sent as user_id; default: your Kairos user id">
            <input value={form.userId} onChange={(event) => set('userId', event.target.value)} className="mono" />
          </Field>
          <HeadersField {...props} />
        </>
      );
    case 'langgraph':
      return (
        <>
          <BaseUrlField {...props} placeholder="https://my-deployment.langgraph.app" />
          <TargetFields {...props} label="Runs a remote" />
          <Field
            label="Output key"
            error={errors.outputKey}
            hint="A key of the final state values; empty: all the values"
          >
            <input
              value={form.outputKey}
              onChange={(event) => set('outputKey', event.target.value)}
              placeholder="messages"
              className="mono"
            />
          </Field>
          <HeadersField {...props} />
        </>
      );
    case 'a2a':
      return (
        <>
          <TargetFields {...props} label="Agent card from" />
          <div className="fields-grid two">
            <Field label="Poll interval (seconds)" error={errors.pollInterval} hint="How often a long task is checked">
              <input
                type="number"
                step="0.1"
                min={0.05}
                value={form.pollInterval}
                onChange={(event) => set('pollInterval', event.target.value)}
                placeholder="1"
              />
            </Field>
          </div>
          <HeadersField {...props} />
        </>
      );
  }
}
