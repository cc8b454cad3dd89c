import { useEffect } from 'react';
import { workflowsApi } from '../api/endpoints.ts';
import { useCatalog } from '../components/catalog.tsx';
import { ExecutionFields } from '../components/schedule-form/execution-fields.tsx';
import { InputFields } from '../components/schedule-form/input-fields.tsx';
import { PreviewCard } from '../components/schedule-form/preview-card.tsx';
import { PrecheckFields } from '../components/schedule-form/precheck-fields.tsx';
import { TargetFields } from '../components/schedule-form/target-fields.tsx';
import { WhenFields } from '../components/schedule-form/when-fields.tsx';
import { ManagedNotice } from '../components/source-badge.tsx';
import { ErrorBanner, Loading } from '../components/states.tsx';
import { usePoll } from '../hooks/use-poll.ts';
import { href } from '../hooks/use-route.ts';
import { useScheduleForm } from '../hooks/use-schedule-form.ts';

/** Creates, edits or duplicates a schedule, with a live preview of its next fire times. */
export function ScheduleFormPage({ scheduleId, duplicate = false }: { scheduleId?: string; duplicate?: boolean }) {
  const state = useScheduleForm(scheduleId, duplicate);
  const { editing, form, setForm, set, original, errors } = state;
  const { assistants } = useCatalog();
  const workflows = usePoll(() => workflowsApi.list().then((page) => page.data), [], 10_000);

  const active = (assistants ?? []).filter((a) => a.status === 'active' || a.id === original?.assistant_id);
  const activeWorkflows = (workflows.data ?? []).filter((w) => w.status === 'active' || w.id === original?.workflow_id);
  useEffect(() => {
    if (form.target === 'assistant' && !form.assistantId && !scheduleId && active.length === 1)
      setForm((f) => ({ ...f, assistantId: active[0]!.id }));
  }, [active, form.target, form.assistantId, scheduleId, setForm]);

  if (state.loadError)
    return (
      <div className="page">
        <ErrorBanner error={state.loadError} />
      </div>
    );
  if (scheduleId && !original)
    return (
      <div className="page">
        <Loading />
      </div>
    );

  const title = editing ? `Edit “${original?.name}”` : duplicate ? `Duplicate “${original?.name}”` : 'New schedule';
  const section = { form, set, errors };
  return (
    <div className="page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <a href={href('/schedules')}>Schedules</a>
        {original && editing && (
          <>
            {' / '}
            <a href={href(`/schedules/${original.id}`)}>{original.name}</a>
          </>
        )}
      </nav>
      <h1>{title}</h1>
      {editing && original && <ManagedNotice schedule={original} editing />}
      <form className="schedule-form" onSubmit={state.submit} noValidate aria-label={title}>
        {state.formError && (
          <div className="banner error" role="alert">
            {state.formError}
          </div>
        )}
        <div className="form-grid">
          <div className="form-main">
            <TargetFields {...section} assistants={active} workflows={activeWorkflows} />
            <WhenFields {...section} scheduleError={state.scheduleError} timezoneError={state.timezoneError} />
            <InputFields {...section} problem={state.problem} rendered={state.rendered} firstFire={state.firstFire} />
            <ExecutionFields {...section} extrasError={state.extrasError} />
            <PrecheckFields {...section} />
          </div>
          <aside className="form-side">
            <PreviewCard
              form={form}
              spec={state.spec}
              preview={state.preview}
              scheduleError={state.scheduleError}
              saving={state.saving}
              editing={editing}
              original={original}
            />
          </aside>
        </div>
      </form>
    </div>
  );
}
