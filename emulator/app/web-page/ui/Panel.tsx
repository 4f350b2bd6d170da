/**
 * A titled panel that keeps a failure inside it: an exception while rendering its content (a session call
 * that throws) shows as one line in the panel instead of taking the whole page down.
 */
import type { ComponentChildren } from 'preact';
import { useErrorBoundary } from 'preact/hooks';
import { oneLine } from './text';

export function Panel(props: { title: string; class?: string; children: ComponentChildren; actions?: ComponentChildren }) {
  const [error, reset] = useErrorBoundary();
  return (
    <section class={`panel ${props.class ?? ''}`} aria-label={props.title}>
      <h2>
        {props.title}
        {props.actions}
      </h2>
      {error ? (
        <p class="error" role="alert">
          {oneLine(error)}{' '}
          <button type="button" onClick={reset}>
            retry
          </button>
        </p>
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
      <p class="error" role="alert">
        {oneLine(error)}{' '}
        <button type="button" onClick={reset}>
          retry
        </button>
      </p>
    </section>
  );
}
