import type { RunStep } from '../../sdk/index.ts';
import { formatDuration } from '../lib/format.ts';
import { JsonView } from './json-view.tsx';
import { StatusBadge } from './status-badge.tsx';

/**
 * A workflow run's nodes as a nested list: status, duration, attempt and loop iteration of each,
 * its input and output (or error) folded away until asked for. The drawer follows the run's event stream, so a
 * running tree grows and its steps turn green as they finish.
 */
export function StepTree({ steps, label = 'Workflow steps' }: { steps: RunStep[]; label?: string }) {
  if (steps.length === 0) return <p className="muted small">No step has started yet.</p>;
  return (
    <ul className="step-tree" aria-label={label}>
      {steps.map((step) => (
        <StepNode key={step.key} step={step} />
      ))}
    </ul>
  );
}

function StepNode({ step }: { step: RunStep }) {
  const children = step.children ?? [];
  return (
    <li className={`step-node type-${step.type}`} data-step={step.key} data-status={step.status}>
      <details>
        <summary className="step-head">
          <span className="step-type muted small">{step.type}</span>
          <span className="step-name">{step.name}</span>
          {step.iteration != null && step.iteration > 0 && (
            <span className="badge neutral small">iteration {step.iteration}</span>
          )}
          {(step.attempt ?? 1) > 1 && <span className="badge neutral small">attempt {step.attempt}</span>}
          <StatusBadge status={step.status} />
          <span className="muted small tabular step-duration">
            {step.duration_ms != null ? formatDuration(step.duration_ms) : step.status === 'running' ? 'running…' : '—'}
          </span>
        </summary>
        <div className="step-io">
          <JsonView value={step.input} label={`Input of ${step.name}`} empty="No input." />
          {step.error != null ? (
            <JsonView value={step.error} label={`Error of ${step.name}`} />
          ) : (
            <JsonView
              value={step.output}
              label={`Output of ${step.name}`}
              empty={step.status === 'running' ? 'Not finished yet.' : 'No output.'}
            />
          )}
        </div>
      </details>
      {children.length > 0 && <StepTree steps={children} label={`Steps of ${step.name}`} />}
    </li>
  );
}
