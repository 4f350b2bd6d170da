/**
 * A titled panel that keeps a failure inside it: an exception while rendering its content (a session call
 * that throws) shows as one line in the panel instead of taking the whole page down.
 */
import type { ComponentChildren } from 'preact';
import { useErrorBoundary } from 'preact/hooks';
import { oneLine } from './text';

/** The one line a failed panel shows, with a button that renders it again. */
function Failed(props: { error: unknown; reset: () => void }) {
  return (
    <p class="error" role="alert">
      {oneLine(props.error)}{' '}
      <button type="button" onClick={props.reset}>
        retry
      </button>
    </p>
  );
}

export function Panel(props: { title: string; class?: string; children: ComponentChildren; actions?: ComponentChildren }) {
  const [error, reset] = useErrorBoundary();
  return (
    <section class={`panel ${props.class ?? ''}`} aria-label={props.title}>
      <h2>
        {props.title}
        {props.actions}
      </h2>
      {error ? (
        <Failed error={error} reset={reset} />
      ) : (
        props.children
      )}
    </section>
  );
}

/** Only the boundary: wraps a component that renders its own Panel, so its failures stay in its place. */
export function Guard(props: { name: string; children: ComponentChildren }) {
  const [error, reset] = useErrorBoundary();
  if (!error) return <>{props.children}</>;
  return (
    <section class="panel" aria-label={props.name}>
      <h2>{props.name}</h2>
      <Failed error={error} reset={reset} />
    </section>
  );
}
