/** For an artifacts bundle (`qnxemu test --artifacts`): the expectation that failed and when; the session opened stopped there. */
import type { ScenarioBundle } from '../core/api';
import { timeText } from './format';

export function FailureBanner({ failure }: { failure: NonNullable<ScenarioBundle['failure']> }) {
  return (
    <div class="failure" id="failure" role="alert">
      <strong>Expectation failed</strong> at <time id="failure-time">{timeText(failure.t)}</time>: <code>{failure.expectation}</code>
      {failure.message ? <span class="failure-message"> — {failure.message}</span> : null}
      <span class="note"> (the session opened stopped at that time)</span>
    </div>
  );
}
