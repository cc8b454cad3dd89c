import { useState } from 'react';
import type { Trigger } from '../../sdk/index.ts';
import { useToast } from './toasts.tsx';

/** The URL senders POST to: absolute already (KAIROS_PUBLIC_URL), or on this dashboard's origin. */
export function triggerUrl(trigger: Trigger): string {
  return /^https?:\/\//.test(trigger.url) ? trigger.url : `${window.location.origin}${trigger.url}`;
}

/** A trigger's URL with a button that copies it. */
export function CopyUrl({ trigger }: { trigger: Trigger }) {
  const notify = useToast();
  const url = triggerUrl(trigger);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2000);
    } catch {
      notify('error', 'The browser did not allow copying; select the URL and copy it by hand.');
    }
  };
  return (
    <div className="copy-row">
      <code className="cron truncate" aria-label={`URL of ${trigger.name}`} title={url}>
        POST {url}
      </code>
      <button type="button" className="button small" onClick={copy} aria-label={`Copy the URL of ${trigger.name}`}>
        {copied ? '✓ Copied' : 'Copy URL'}
      </button>
    </div>
  );
}
