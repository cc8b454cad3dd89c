import { useState } from 'react';
import type { Run } from '../../sdk/index.ts';
import { refreshAll } from '../hooks/use-poll.ts';
import { Dialog } from './dialog.tsx';
import { Field } from './field.tsx';
import { useOpenRun } from './run-drawer.tsx';
import { useToast } from './toasts.tsx';

export interface RunNowDialogProps {
  /** What runs (shown in the title and the toast); the dialog is open while it is set and `open`. */
  name: string | undefined;
  open: boolean;
  /** One sentence on what starting it does. */
  intro: string;
  /** Starts the run with the input as typed (text, or JSON), and answers it. */
  start: (input: string) => Promise<Run | undefined>;
  onClose: () => void;
}

/** "Run now" for an assistant or a workflow: an input box, then the new run opens in the drawer. */
export function RunNowDialog({ name, open, intro, start, onClose }: RunNowDialogProps) {
  const [input, setInput] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const notify = useToast();
  const openRun = useOpenRun();
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const run = await start(input);
      notify('success', `Started a run of ${name}.`);
      refreshAll();
      onClose();
      setInput('');
      if (run?.id) openRun(run.id);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open && name !== undefined} title={`Run ${name ?? ''} now`} onClose={onClose}>
      <div className="stack">
        <p>{intro}</p>
        <Field label="Input" hint="Text, or JSON" error={error}>
          <textarea className="mono" rows={5} value={input} onChange={(event) => setInput(event.target.value)} />
        </Field>
        <footer className="modal-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button primary" onClick={submit} disabled={busy}>
            {busy ? 'Starting…' : 'Run now'}
          </button>
        </footer>
      </div>
    </Dialog>
  );
}
