import { JsonView } from '../json-view.tsx';
import { formatInstant } from '../../lib/format.ts';
import type { SectionProps } from '../../lib/schedule-form-state.ts';
import { templateVariables } from '../../lib/template-preview.ts';
import { Field } from '../field.tsx';

/** The input template, its variables and what it renders to at the next fire. */
export function InputFields({
  form,
  set,
  errors,
  problem,
  rendered,
  firstFire,
}: SectionProps & { problem?: string; rendered: unknown; firstFire?: string }) {
  return (
    <section className="card">
      <h2>Input</h2>
      <Field
        label="Input template"
        error={errors.template ?? problem}
        hint="Text, or JSON. Variables are replaced at each fire."
      >
        <textarea
          className="mono"
          rows={5}
          value={form.template}
          onChange={(event) => set('template', event.target.value)}
          placeholder={'{"task": "Summarise the news of {{date}} ({{day_of_week}})"}'}
          spellCheck={false}
        />
      </Field>
      <div className="variables" aria-label="Template variables">
        {templateVariables.map((variable) => (
          <button
            type="button"
            key={variable.name}
            className="chip"
            title={variable.help}
            onClick={() => set('template', `${form.template}{{${variable.name}}}`)}
            aria-label={`Insert {{${variable.name}}}: ${variable.help}`}
          >
            {`{{${variable.name}}}`}
          </button>
        ))}
      </div>
      {rendered !== undefined && (
        <div className="rendered">
          <div className="eyebrow">Rendered for the next fire ({formatInstant(firstFire, form.timezone)})</div>
          <JsonView value={rendered} label="Rendered input preview" />
        </div>
      )}
    </section>
  );
}
