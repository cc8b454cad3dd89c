import type { ReactElement } from 'react';
import type { WorkflowNode } from '../../sdk/index.ts';
import { useCatalog } from './catalog.tsx';

/**
 * A workflow definition drawn as a graph: a sequence top to bottom with arrows; `parallel`,
 * `loop`, `router` and `condition` are groups around their branches (side by side) or body.
 */
export function WorkflowGraph({ steps }: { steps: WorkflowNode[] }) {
  return (
    <div className="wf-graph" role="group" aria-label="Workflow graph">
      <Sequence nodes={steps} />
    </div>
  );
}

function Sequence({ nodes }: { nodes: WorkflowNode[] }) {
  return (
    <div className="wf-seq">
      {nodes.map((node) => (
        <div className="wf-item" key={node.name}>
          <GraphNode node={node} />
        </div>
      ))}
    </div>
  );
}

function Branches({ branches }: { branches: Array<{ label: string; nodes: WorkflowNode[] }> }) {
  return (
    <div className="wf-branches">
      {branches.map((branch) => (
        <div key={branch.label}>
          <div className="wf-branch-label">{branch.label}</div>
          <Sequence nodes={branch.nodes} />
        </div>
      ))}
    </div>
  );
}

function GraphNode({ node }: { node: WorkflowNode }) {
  const { assistantName } = useCatalog();
  if (node.type === 'step') {
    const target = node.assistant_id
      ? `assistant ${assistantName(node.assistant_id) ?? node.assistant_id}`
      : node.module
        ? `module ${node.module}`
        : node.workflow_id
          ? `workflow ${node.workflow_id}`
          : '';
    return (
      <div className="wf-node" data-node={node.name} data-type="step">
        <strong>{node.name}</strong>
        <div className="muted small">{target}</div>
        {node.skip_on_failure && <div className="muted small">skip on failure</div>}
      </div>
    );
  }
  let title = '';
  let body: ReactElement;
  const steps = node.steps ?? [];
  switch (node.type) {
    case 'parallel':
      title = `parallel${node.fail_fast ? ' · fail fast' : ''}`;
      body = <Branches branches={steps.map((branch) => ({ label: branch.name, nodes: [branch] }))} />;
      break;
    case 'loop':
      title = `loop · up to ${node.max_iterations ?? 3} iterations${node.end_condition ? ` · until ${node.end_condition}` : ''}`;
      body = <Sequence nodes={steps} />;
      break;
    case 'router':
      title = `router · ${node.selector ?? ''}`;
      body = (
        <Branches branches={(node.choices ?? []).map((choice) => ({ label: `“${choice.name}”`, nodes: [choice] }))} />
      );
      break;
    case 'condition':
      title = `condition · ${node.evaluator ?? ''}`;
      body = (
        <Branches
          branches={[
            { label: 'true', nodes: steps },
            ...(node.else_steps?.length ? [{ label: 'else', nodes: node.else_steps }] : []),
          ]}
        />
      );
      break;
    default:
      title = node.type;
      body = <Sequence nodes={steps} />;
  }
  return (
    <div
      className="wf-group"
      data-node={node.name}
      data-type={node.type}
      role="group"
      aria-label={`${node.type} ${node.name}`}
    >
      <div className="wf-group-title">
        <strong>{node.name}</strong> <span className="mono">{title}</span>
      </div>
      {body}
    </div>
  );
}
