import type { ApprovalLinkView } from '../waits/approval-links.ts';

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);

/** Headers of every approval-link page: no caching, no referrer (the URL is the credential), no framing. */
export const approvalPageHeaders: Record<string, string> = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escape(title)} · Kairos</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
pre{white-space:pre-wrap;background:#f5f5f4;padding:.75rem;border-radius:6px;font:inherit}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{color:#666}dd{margin:0}
textarea{width:100%;min-height:5rem;box-sizing:border-box;font:inherit}
button{font:inherit;padding:.4rem 1rem;margin-right:.5rem;border-radius:6px;border:1px solid #999;cursor:pointer}
.approve{background:#166534;color:#fff;border-color:#166534}.reject{background:#991b1b;color:#fff;border-color:#991b1b}
.code{color:#666;font-family:monospace}
</style></head><body>${body}</body></html>`;
}

function context(view: ApprovalLinkView): string {
  const rows: [string, string][] = [];
  if (view.workflow) rows.push(['Workflow', view.workflow.name ?? view.workflow.id]);
  if (view.assistant) rows.push(['Assistant', view.assistant.name ?? view.assistant.id]);
  if (view.schedule) rows.push(['Schedule', view.schedule.name]);
  rows.push(['Step', view.node], ['Run', view.run_id], ['Waiting since', view.since]);
  if (view.until) rows.push(['Closes', view.until]);
  return `<dl>${rows.map(([k, v]) => `<dt>${escape(k)}</dt><dd>${escape(v)}</dd>`).join('')}</dl>`;
}

function decisionText(decision: unknown): string {
  const d = (decision ?? {}) as { approved?: boolean; comment?: string | null; timed_out?: boolean };
  const what = d.approved ? 'Approved' : 'Rejected';
  const how = d.timed_out ? ' (by its timeout)' : '';
  return `<p><strong>${what}</strong>${how}.</p>${d.comment ? `<pre>${escape(d.comment)}</pre>` : ''}`;
}

/** The page a signed approval link shows: the prompt, the run's context, and approve/reject with a comment. */
export function approvalPage(view: ApprovalLinkView, action: string): string {
  const head = `<h1>Approval requested</h1><pre>${escape(view.prompt ?? '(no prompt)')}</pre>${context(view)}`;
  if (view.status === 'decided') return page('Approval decided', `${head}${decisionText(view.decision)}`);
  if (view.run_status !== 'waiting' && view.run_status !== 'running' && view.run_status !== 'pending')
    return page('Approval closed', `${head}<p>This run no longer waits for this approval.</p>`);
  return page(
    'Approval requested',
    `${head}<form method="post" action="${escape(action)}">
<p><label for="comment">Comment (optional)</label><br><textarea id="comment" name="comment" maxlength="10000"></textarea></p>
<p><button class="approve" type="submit" name="decision" value="approve">Approve</button>
<button class="reject" type="submit" name="decision" value="reject">Reject</button></p></form>`,
  );
}

/** The page after a decision by form. */
export function approvalDecidedPage(view: ApprovalLinkView): string {
  return page('Approval decided', `<h1>Thank you</h1>${decisionText(view.decision)}${context(view)}`);
}

/** An error page: a stable code and a message, nothing about the run. */
export function approvalErrorPage(code: string, message: string): string {
  return page('Approval link', `<h1>${escape(message)}</h1><p class="code">${escape(code)}</p>`);
}
